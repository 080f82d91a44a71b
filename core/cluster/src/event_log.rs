//! The events of a run: how many there were, and the latest of them.
//!
//! A run keeps only a window of its latest events ([`DEFAULT_WINDOW`] unless told otherwise): at
//! full speed a cluster makes tens of thousands of events a second, each with its explanation
//! and log lines, and keeping all of them would make memory grow with the run's length (a script
//! of `run 10m` under client load held 670 MB). Nothing needs them: a script lists at most the
//! last [`MAX_EVENTS_LISTED`](crate::limits::MAX_EVENTS_LISTED), and time travel replays the
//! past from checkpoints, which makes the events around any point again, text and all.
//!
//! The history hash stays exact either way: the events that leave the window are folded into
//! a running hash first, and [`EventLog::hash`] continues it over the window.

use std::fmt::Write as _;

use crate::event::{Event, Fnv64};

/// The events a cluster keeps unless told otherwise: at least the most a script may list
/// (`events last=N`), so every listing is whole.
pub const DEFAULT_WINDOW: usize = 2 * crate::limits::MAX_EVENTS_LISTED as usize;

/// The events of a run, all of them or a window of the latest.
#[derive(Clone, Debug, Default)]
pub struct EventLog {
    /// The index of `kept[0]`: how many events left the window.
    first: u64,
    kept: Vec<Event>,
    /// Keep at least this many (0: keep all). The oldest `window` go at once when twice as many
    /// are kept, so each event is moved once on average.
    window: usize,
    /// The hash of the events before `first`, when known (a window cut out of another log
    /// starts without it).
    dropped: Option<Fnv64>,
}

impl EventLog {
    /// A log that keeps every event (see [`EventLog::set_window`]).
    pub fn new() -> EventLog {
        EventLog {
            dropped: Some(Fnv64::default()),
            ..EventLog::default()
        }
    }

    /// The log keeping only about the latest `window` events (0: all).
    pub fn with_window(mut self, window: usize) -> EventLog {
        self.set_window(window);
        self
    }

    /// Keeps only about the latest `window` events from now on (0: all).
    pub fn set_window(&mut self, window: usize) {
        self.window = window;
        self.trim();
    }

    pub fn window(&self) -> usize {
        self.window
    }

    /// Events in the whole run.
    pub fn len(&self) -> u64 {
        self.first + self.kept.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The index of the oldest event kept.
    pub fn first_kept(&self) -> u64 {
        self.first
    }

    /// The events kept, oldest first.
    pub fn kept(&self) -> &[Event] {
        &self.kept
    }

    /// Event `index`, if it is kept.
    pub fn get(&self, index: u64) -> Option<&Event> {
        let i = usize::try_from(index.checked_sub(self.first)?).ok()?;
        self.kept.get(i)
    }

    pub fn last(&self) -> Option<&Event> {
        self.kept.last()
    }

    pub fn last_mut(&mut self) -> Option<&mut Event> {
        self.kept.last_mut()
    }

    pub fn push(&mut self, e: Event) {
        self.kept.push(e);
        self.trim();
    }

    fn trim(&mut self) {
        if self.window == 0 || self.kept.len() < 2 * self.window {
            return;
        }
        let gone = self.kept.len() - self.window;
        if let Some(h) = &mut self.dropped {
            for e in &self.kept[..gone] {
                hash_event(h, e);
            }
        }
        self.kept.drain(..gone);
        self.first += gone as u64;
    }

    /// The same log without events (same window), for a time-travel checkpoint: it gets them
    /// back from [`EventLog::prefix`].
    pub fn empty_like(&self) -> EventLog {
        EventLog {
            window: self.window,
            ..EventLog::new()
        }
    }

    /// The log as it was after its first `n` events: those of them still kept. Its hash is
    /// known only if none of them had left the window.
    pub fn prefix(&self, n: u64) -> EventLog {
        self.range(0, n)
    }

    /// The log as it was after its first `n` events, keeping only those from index `from` on
    /// (of those still kept): what a look at the past needs to list. Its hash is known only if
    /// it lost none of the first `n` events.
    pub fn range(&self, from: u64, n: u64) -> EventLog {
        let n = n.min(self.len());
        if n < self.first {
            return EventLog {
                first: n,
                kept: Vec::new(),
                window: self.window,
                dropped: None,
            };
        }
        let start = from.clamp(self.first, n);
        let (a, b) = ((start - self.first) as usize, (n - self.first) as usize);
        EventLog {
            first: start,
            kept: self.kept[a..b].to_vec(),
            window: self.window,
            dropped: if start == self.first {
                self.dropped
            } else {
                None
            },
        }
    }

    /// The hash of every event's text (see [`crate::event::history_hash`]), or `None` for a
    /// log cut out of another after part of it had left the window.
    pub fn hash(&self) -> Option<u64> {
        let mut h = self.dropped?;
        for e in &self.kept {
            hash_event(&mut h, e);
        }
        Some(h.finish())
    }
}

fn hash_event(h: &mut Fnv64, e: &Event) {
    let _ = writeln!(h, "{e}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{history_hash, EventKind};

    fn event(index: u64) -> Event {
        Event {
            index,
            at: index * 10,
            kind: EventKind::Tick,
            node: Some(1 + index % 3),
            explanation: format!("event {index}"),
            section: None,
            log: Vec::new(),
        }
    }

    #[test]
    fn a_window_keeps_the_latest_events_and_the_exact_hash() {
        let all: Vec<Event> = (0..1000).map(event).collect();
        let mut full = EventLog::new();
        let mut windowed = EventLog::new();
        windowed.set_window(100);
        for e in &all {
            full.push(e.clone());
            windowed.push(e.clone());
            assert_eq!(windowed.len(), full.len());
            assert!(windowed.kept().len() < 200, "bounded");
            assert!(windowed.kept().len() >= 100.min(full.kept().len()));
        }
        assert_eq!(full.kept(), &all[..]);
        assert_eq!(full.hash(), Some(history_hash(&all)));
        assert_eq!(windowed.hash(), Some(history_hash(&all)));
        assert_eq!(windowed.get(999), Some(&all[999]));
        assert_eq!(windowed.get(windowed.first_kept() - 1), None);
        assert_eq!(
            windowed.kept().first().map(|e| e.index),
            Some(windowed.first_kept())
        );
    }

    #[test]
    fn prefixes_keep_what_was_kept_and_know_their_hash_only_if_whole() {
        let all: Vec<Event> = (0..500).map(event).collect();
        let mut log = EventLog::new();
        log.set_window(100);
        for e in &all {
            log.push(e.clone());
        }
        let first = log.first_kept();
        assert!(first > 0);
        let p = log.prefix(first + 10);
        assert_eq!(p.len(), first + 10);
        assert_eq!(p.kept(), &all[first as usize..first as usize + 10]);
        assert_eq!(p.hash(), Some(history_hash(&all[..first as usize + 10])));
        let tail = log.range(first + 20, first + 30);
        assert_eq!(tail.len(), first + 30);
        assert_eq!(tail.first_kept(), first + 20);
        assert_eq!(tail.kept(), &all[first as usize + 20..first as usize + 30]);
        assert_eq!(tail.hash(), None);
        let old = log.prefix(first - 1);
        assert_eq!(old.len(), first - 1);
        assert!(old.kept().is_empty());
        assert_eq!(old.hash(), None);
        let mut full = EventLog::new();
        for e in &all[..50] {
            full.push(e.clone());
        }
        assert_eq!(full.prefix(20).hash(), Some(history_hash(&all[..20])));
    }
}
