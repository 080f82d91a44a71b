use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

use crate::fatal::fatal_unlogged;

/// The capacity (in messages) an idle window keeps rather than freeing its buffer.
const KEEP_WHEN_IDLE: usize = 32;

/// One MsgApp that has been sent and not yet acknowledged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Inflight {
    /// Index of the last entry the message carried.
    index: u64,
    /// Total size of the message's entries.
    bytes: u64,
}

/// A window of in-flight MsgApps to one follower (etcd's `Inflights`), bounded both by a count
/// and (optionally) by bytes. The leader checks `full` before sending, `add`s each append it
/// sends (indexes increasing), and releases the window with `free_le` as acknowledgements come
/// in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inflights {
    /// Messages in flight, oldest first.
    buffer: VecDeque<Inflight>,
    /// Bytes in flight.
    bytes: u64,
    /// The most messages allowed in flight.
    size: usize,
    /// The most bytes allowed in flight; 0 means no byte limit. The limit is soft: a message
    /// that crosses it is accepted and then the window reports full.
    max_bytes: u64,
}

impl Inflights {
    /// A window for up to `size` messages and `max_bytes` bytes (0 = unlimited bytes).
    pub fn new(size: usize, max_bytes: u64) -> Self {
        // The buffer grows on demand: most followers never have many messages in flight, and a
        // process may host many groups.
        Inflights {
            buffer: VecDeque::new(),
            bytes: 0,
            size,
            max_bytes,
        }
    }

    /// Records a sent message whose last entry is `index` and whose entries weigh `bytes`.
    ///
    /// # Panics
    /// If the window is full: the caller must check [`full`](Inflights::full) first.
    pub(crate) fn add(&mut self, index: u64, bytes: u64) {
        if self.full() {
            fatal_unlogged("cannot add into a Full inflights");
        }
        self.buffer.push_back(Inflight { index, bytes });
        self.bytes += bytes;
    }

    /// Releases every message whose last index is at most `to`.
    pub(crate) fn free_le(&mut self, to: u64) {
        while let Some(front) = self.buffer.front() {
            if front.index > to {
                break;
            }
            self.bytes -= front.bytes;
            self.buffer.pop_front();
        }
        if self.buffer.is_empty() && self.buffer.capacity() > KEEP_WHEN_IDLE {
            // Give the memory back once idle after a burst. A small buffer is kept: a
            // follower that keeps up empties its window on nearly every acknowledgement, and
            // would otherwise reallocate it for the next append.
            self.buffer = VecDeque::new();
        }
    }

    /// Whether no more messages may be sent right now.
    pub(crate) fn full(&self) -> bool {
        self.buffer.len() == self.size || (self.max_bytes != 0 && self.bytes >= self.max_bytes)
    }

    /// The number of messages in flight.
    pub fn count(&self) -> usize {
        self.buffer.len()
    }

    /// The bytes in flight.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Forgets every message in flight.
    pub(crate) fn reset(&mut self) {
        self.buffer.clear();
        self.bytes = 0;
    }

    /// The last indexes of the messages in flight, oldest first (for inspection and tests).
    #[cfg(test)]
    pub(crate) fn indexes(&self) -> Vec<u64> {
        self.buffer.iter().map(|i| i.index).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_until_full_then_panic() {
        let mut ins = Inflights::new(10, 0);
        for i in 0..10 {
            assert!(!ins.full());
            ins.add(i, 100);
        }
        assert!(ins.full());
        assert_eq!(ins.count(), 10);
        assert_eq!(ins.bytes(), 1000);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ins.add(10, 1)));
        assert!(r.is_err());
    }

    #[test]
    fn free_le_releases_prefix() {
        let mut ins = Inflights::new(10, 0);
        for i in 0..10 {
            ins.add(i, 1);
        }
        ins.free_le(0);
        assert_eq!(ins.indexes(), (1..10).collect::<Vec<_>>());
        ins.free_le(4);
        assert_eq!(ins.indexes(), (5..10).collect::<Vec<_>>());
        assert_eq!(ins.bytes(), 5);
        // Below the window: nothing happens.
        ins.free_le(3);
        assert_eq!(ins.count(), 5);
        // Ring wrap-around equivalent: keep adding after freeing.
        for i in 10..15 {
            ins.add(i, 1);
        }
        assert!(ins.full());
        ins.free_le(8);
        assert_eq!(ins.indexes(), vec![9, 10, 11, 12, 13, 14]);
        ins.free_le(14);
        assert_eq!(ins.count(), 0);
        assert_eq!(ins.bytes(), 0);
        assert!(!ins.full());
    }

    #[test]
    fn free_le_between_indexes() {
        let mut ins = Inflights::new(10, 0);
        for i in [2, 5, 9] {
            ins.add(i, 10);
        }
        ins.free_le(6);
        assert_eq!(ins.indexes(), vec![9]);
        assert_eq!(ins.bytes(), 10);
    }

    #[test]
    fn byte_limit_is_soft() {
        // Mirrors etcd's TestInflightsFull.
        struct Case {
            size: usize,
            max_bytes: u64,
            full_at: usize,
            free_le: u64,
            again_at: usize,
        }
        let c = |size, max_bytes, full_at, free_le, again_at| Case {
            size,
            max_bytes,
            full_at,
            free_le,
            again_at,
        };
        let cases = [
            c(0, 0, 0, 0, 0),    // always full
            c(1, 0, 1, 1, 2),    // single entry
            c(1, 10, 1, 1, 2),   // single entry over the byte limit
            c(15, 0, 15, 6, 22), // many entries
            c(8, 400, 4, 2, 7),  // slight overflow
            c(8, 406, 4, 3, 8),  // exactly the byte limit
            c(15, 408, 5, 1, 6), // larger overflow
        ];
        for (n, c) in cases.iter().enumerate() {
            let mut ins = Inflights::new(c.size, c.max_bytes);
            // Message i carries 100+i bytes, so the byte limit is hit at varying counts.
            let add_until_full = |ins: &mut Inflights, begin: usize, end: usize| {
                for i in begin..end {
                    assert!(!ins.full(), "case {n}: full at {i}, want {end}");
                    ins.add(i as u64, 100 + i as u64);
                }
                assert!(ins.full(), "case {n}: not full at {end}");
            };
            add_until_full(&mut ins, 0, c.full_at);
            ins.free_le(c.free_le);
            add_until_full(&mut ins, c.full_at, c.again_at);
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ins.add(100, 1024)));
            assert!(r.is_err(), "case {n}: add did not panic");
        }
    }

    #[test]
    fn reset_does_not_leak_bytes() {
        let mut ins = Inflights::new(10, 1000);
        let mut index = 0;
        for _ in 0..100 {
            ins.reset();
            for _ in 0..5 {
                assert!(!ins.full());
                index += 1;
                ins.add(index, 16);
            }
            ins.free_le(index - 2);
            assert!(!ins.full());
            assert_eq!(ins.count(), 2);
        }
        ins.free_le(index);
        assert_eq!(ins.bytes(), 0);
    }

    #[test]
    fn reset_empties() {
        let mut ins = Inflights::new(3, 10);
        ins.add(1, 20);
        assert!(ins.full());
        ins.reset();
        assert_eq!(ins.count(), 0);
        assert_eq!(ins.bytes(), 0);
        assert!(!ins.full());
    }
}
