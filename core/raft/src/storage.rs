//! Stable storage as the Raft library sees it: the [`Storage`] trait the application implements,
//! and [`MemoryStorage`], an in-memory implementation (etcd's storage.go).
//!
//! The library only ever reads from storage; the application writes what each `Ready` tells it
//! to (entries, hard state, snapshots) before it acknowledges the `Ready`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::raftpb::{ConfState, Entry, HardState, Snapshot};
use crate::util::limit_size;

/// Read access to the persisted log, hard state and latest snapshot.
///
/// An error other than the documented ones makes the node unusable; recovering is up to the
/// application, as in etcd.
pub trait Storage {
    /// The persisted hard state and the configuration of the latest snapshot (an empty
    /// `HardState`/`ConfState` when nothing was persisted yet).
    fn initial_state(&self) -> Result<(HardState, ConfState)>;

    /// The entries with indexes in `[lo, hi)`, cut so that their encoded size stays within
    /// `max_size`, but always at least one entry if any is available.
    ///
    /// Returns [`Error::Compacted`] if `lo` was compacted away, [`Error::Unavailable`] if
    /// part of the range is missing.
    fn entries(&self, lo: u64, hi: u64, max_size: u64) -> Result<Vec<Entry>>;

    /// The term of entry `i`, for `i` in `[first_index()-1, last_index()]`. The term of the entry
    /// just before the first one stays known after compaction, so appends can still be matched
    /// against it.
    fn term(&self, i: u64) -> Result<u64>;

    /// The index of the last entry in storage.
    fn last_index(&self) -> Result<u64>;

    /// The index of the first entry that may be read with `entries`; everything older is part
    /// of the latest snapshot. If storage only holds the snapshot, this is one past the last
    /// index.
    fn first_index(&self) -> Result<u64>;

    /// The latest snapshot. [`Error::SnapshotTemporarilyUnavailable`] tells the library to try
    /// again later.
    fn snapshot(&self) -> Result<Snapshot>;
}

/// A [`Storage`] held in memory: a snapshot followed by a run of entries.
///
/// `ents[0]` is a placeholder standing for the snapshot's last entry: only its index and term
/// are meaningful. It is what lets `term(first_index()-1)` answer after compaction, and it keeps
/// the index arithmetic free of special cases (`ents[i]` has index `ents[0].index + i`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemoryStorage {
    hard_state: HardState,
    snapshot: Snapshot,
    ents: Vec<Entry>,
}

impl Default for MemoryStorage {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStorage {
    /// An empty storage: no hard state, an empty snapshot, and only the placeholder entry at
    /// index 0, term 0.
    pub fn new() -> Self {
        MemoryStorage {
            hard_state: HardState::default(),
            snapshot: Snapshot::default(),
            ents: vec![Entry::default()],
        }
    }

    /// Saves the current hard state.
    pub fn set_hard_state(&mut self, hs: HardState) {
        self.hard_state = hs;
    }

    /// The saved hard state.
    pub fn hard_state(&self) -> HardState {
        self.hard_state
    }

    fn offset(&self) -> u64 {
        self.ents[0].index
    }

    fn last(&self) -> u64 {
        self.ents[0].index + self.ents.len() as u64 - 1
    }

    fn first(&self) -> u64 {
        self.ents[0].index + 1
    }

    /// Replaces the whole content with the snapshot: the log restarts right after it.
    ///
    /// A snapshot not newer than the one held is refused with [`Error::SnapOutOfDate`], except
    /// while the held snapshot is still the initial one at index 0 (applications bootstrap by
    /// applying a snapshot that only carries a ConfState, at index 0).
    pub fn apply_snapshot(&mut self, snap: Snapshot) -> Result<()> {
        let ms_index = self.snapshot.metadata.index;
        let snap_index = snap.metadata.index;
        if ms_index != 0 && ms_index >= snap_index {
            return Err(Error::SnapOutOfDate);
        }
        self.ents = vec![Entry {
            term: snap.metadata.term,
            index: snap_index,
            ..Default::default()
        }];
        self.snapshot = snap;
        Ok(())
    }

    /// Records a snapshot of the state machine at index `i`, which the library will send to
    /// followers that fell behind compaction. `cs` must be the configuration at `i` if it changed
    /// since the previous snapshot; `None` keeps the previous one.
    ///
    /// Refuses indexes not past the current snapshot ([`Error::SnapOutOfDate`]) and indexes past
    /// the last entry ([`Error::Misuse`]).
    pub fn create_snapshot(
        &mut self,
        i: u64,
        cs: Option<ConfState>,
        data: Vec<u8>,
    ) -> Result<Snapshot> {
        if i <= self.snapshot.metadata.index {
            return Err(Error::SnapOutOfDate);
        }
        let offset = self.offset();
        if i > self.last() {
            return Err(Error::Misuse(format!(
                "snapshot {} is out of bound lastindex({})",
                i,
                self.last()
            )));
        }
        self.snapshot.metadata.index = i;
        self.snapshot.metadata.term = self.ents[(i - offset) as usize].term;
        if let Some(cs) = cs {
            self.snapshot.metadata.conf_state = cs;
        }
        self.snapshot.data = data;
        Ok(self.snapshot.clone())
    }

    /// Drops every entry before `compact_index`; the entry at `compact_index` becomes the new
    /// placeholder. The application must not compact past what it has applied.
    ///
    /// Returns [`Error::Compacted`] if that point was already compacted, [`Error::Misuse`] if it
    /// is past the last entry.
    pub fn compact(&mut self, compact_index: u64) -> Result<()> {
        let offset = self.offset();
        if compact_index <= offset {
            return Err(Error::Compacted);
        }
        if compact_index > self.last() {
            return Err(Error::Misuse(format!(
                "compact {} is out of bound lastindex({})",
                compact_index,
                self.last()
            )));
        }
        let i = (compact_index - offset) as usize;
        // Drop the prefix in place rather than copying what remains into a new vector: the
        // entry at `compact_index` becomes the placeholder, only its index and term kept.
        self.ents.drain(..i);
        let placeholder = &mut self.ents[0];
        *placeholder = Entry {
            index: placeholder.index,
            term: placeholder.term,
            ..Default::default()
        };
        Ok(())
    }

    /// Appends entries, overwriting any stored entries from the first new index on. Entries
    /// older than the first index (already compacted) are skipped. The entries must be
    /// contiguous and must not leave a gap after the last stored entry ([`Error::Misuse`]).
    pub fn append(&mut self, entries: &[Entry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let first = self.first();
        let last = entries[0].index + entries.len() as u64 - 1;
        // Nothing new: everything is older than what storage still keeps.
        if last < first {
            return Ok(());
        }
        let entries = if first > entries[0].index {
            &entries[(first - entries[0].index) as usize..]
        } else {
            entries
        };
        let offset = entries[0].index - self.offset();
        let len = self.ents.len() as u64;
        if len >= offset {
            self.ents.truncate(offset as usize);
            self.ents.extend_from_slice(entries);
            Ok(())
        } else {
            Err(Error::Misuse(format!(
                "missing log entry [last: {}, append at: {}]",
                self.last(),
                entries[0].index
            )))
        }
    }
}

impl Storage for MemoryStorage {
    fn initial_state(&self) -> Result<(HardState, ConfState)> {
        Ok((self.hard_state, self.snapshot.metadata.conf_state.clone()))
    }

    fn entries(&self, lo: u64, hi: u64, max_size: u64) -> Result<Vec<Entry>> {
        let offset = self.offset();
        if lo <= offset {
            return Err(Error::Compacted);
        }
        if hi > self.last() + 1 {
            return Err(Error::Misuse(format!(
                "entries' hi({}) is out of bound lastindex({})",
                hi,
                self.last()
            )));
        }
        if lo > hi {
            return Err(Error::Misuse(format!(
                "invalid entries range [{}, {})",
                lo, hi
            )));
        }
        // Only the placeholder is left: there is nothing to read.
        if self.ents.len() == 1 {
            return Err(Error::Unavailable);
        }
        let ents = &self.ents[(lo - offset) as usize..(hi - offset) as usize];
        Ok(limit_size(ents, max_size).to_vec())
    }

    fn term(&self, i: u64) -> Result<u64> {
        let offset = self.offset();
        if i < offset {
            return Err(Error::Compacted);
        }
        match self.ents.get((i - offset) as usize) {
            Some(e) => Ok(e.term),
            None => Err(Error::Unavailable),
        }
    }

    fn last_index(&self) -> Result<u64> {
        Ok(self.last())
    }

    fn first_index(&self) -> Result<u64> {
        Ok(self.first())
    }

    fn snapshot(&self) -> Result<Snapshot> {
        Ok(self.snapshot.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raftpb::SnapshotMetadata;

    fn ent(index: u64, term: u64) -> Entry {
        Entry {
            index,
            term,
            ..Default::default()
        }
    }

    /// A storage whose placeholder is (3,3), followed by (4,4) and (5,5), as in etcd's tests.
    fn storage_with(ents: Vec<Entry>) -> MemoryStorage {
        MemoryStorage {
            ents,
            ..MemoryStorage::new()
        }
    }

    fn base() -> MemoryStorage {
        storage_with(vec![ent(3, 3), ent(4, 4), ent(5, 5)])
    }

    #[test]
    fn new_storage_is_empty() {
        let s = MemoryStorage::new();
        assert_eq!(s.first_index(), Ok(1));
        assert_eq!(s.last_index(), Ok(0));
        assert_eq!(s.term(0), Ok(0));
        assert_eq!(s.term(1), Err(Error::Unavailable));
        assert_eq!(s.entries(1, 1, u64::MAX), Err(Error::Unavailable));
        assert_eq!(
            s.initial_state(),
            Ok((HardState::default(), ConfState::default()))
        );
        assert_eq!(MemoryStorage::default(), s);
    }

    #[test]
    fn term() {
        let s = base();
        let cases = [
            (2, Err(Error::Compacted)),
            (3, Ok(3)),
            (4, Ok(4)),
            (5, Ok(5)),
            (6, Err(Error::Unavailable)),
        ];
        for (i, want) in cases {
            assert_eq!(s.term(i), want, "term({})", i);
        }
    }

    #[test]
    fn entries() {
        let s = storage_with(vec![ent(3, 3), ent(4, 4), ent(5, 5), ent(6, 6)]);
        let sz = ent(4, 4).size();
        let cases: Vec<(u64, u64, u64, Result<Vec<Entry>>)> = vec![
            (2, 6, u64::MAX, Err(Error::Compacted)),
            (3, 4, u64::MAX, Err(Error::Compacted)),
            (4, 5, u64::MAX, Ok(vec![ent(4, 4)])),
            (4, 6, u64::MAX, Ok(vec![ent(4, 4), ent(5, 5)])),
            (4, 7, u64::MAX, Ok(vec![ent(4, 4), ent(5, 5), ent(6, 6)])),
            // Even when the limit is smaller than one entry, one entry comes back.
            (4, 7, 0, Ok(vec![ent(4, 4)])),
            (4, 7, sz * 2, Ok(vec![ent(4, 4), ent(5, 5)])),
            (4, 7, sz * 3 - 1, Ok(vec![ent(4, 4), ent(5, 5)])),
            (4, 7, sz * 3, Ok(vec![ent(4, 4), ent(5, 5), ent(6, 6)])),
            (5, 5, u64::MAX, Ok(vec![])),
        ];
        for (lo, hi, max, want) in cases {
            assert_eq!(
                s.entries(lo, hi, max),
                want,
                "entries({}, {}, {})",
                lo,
                hi,
                max
            );
        }
        assert!(
            matches!(s.entries(4, 8, u64::MAX), Err(Error::Misuse(m)) if m == "entries' hi(8) is out of bound lastindex(6)")
        );
    }

    #[test]
    fn first_and_last_index() {
        let mut s = base();
        assert_eq!(s.first_index(), Ok(4));
        assert_eq!(s.last_index(), Ok(5));
        s.compact(4).unwrap();
        assert_eq!(s.first_index(), Ok(5));
        assert_eq!(s.last_index(), Ok(5));
        s.append(&[ent(6, 5)]).unwrap();
        assert_eq!(s.last_index(), Ok(6));
    }

    #[test]
    fn compact() {
        // (compact index, error, placeholder index, placeholder term, entries left)
        let cases = [
            (2, Some(Error::Compacted), 3, 3, 3),
            (3, Some(Error::Compacted), 3, 3, 3),
            (4, None, 4, 4, 2),
            (5, None, 5, 5, 1),
        ];
        for (i, err, windex, wterm, wlen) in cases {
            let mut s = base();
            assert_eq!(s.compact(i).err(), err, "compact({})", i);
            assert_eq!(s.ents[0].index, windex);
            assert_eq!(s.ents[0].term, wterm);
            assert_eq!(s.ents.len(), wlen);
        }
        let mut s = base();
        assert!(
            matches!(s.compact(6), Err(Error::Misuse(m)) if m == "compact 6 is out of bound lastindex(5)")
        );
    }

    #[test]
    fn create_snapshot() {
        let cs = ConfState {
            voters: vec![1, 2, 3],
            ..Default::default()
        };
        let data = b"data".to_vec();
        for (i, wterm) in [(4, 4), (5, 5)] {
            let mut s = base();
            let snap = s
                .create_snapshot(i, Some(cs.clone()), data.clone())
                .unwrap();
            let want = Snapshot {
                data: data.clone(),
                metadata: SnapshotMetadata {
                    index: i,
                    term: wterm,
                    conf_state: cs.clone(),
                },
            };
            assert_eq!(snap, want);
            assert_eq!(s.snapshot(), Ok(want));
            assert_eq!(s.initial_state().unwrap().1, cs);
        }
        let mut s = base();
        s.create_snapshot(4, Some(cs.clone()), vec![]).unwrap();
        // Not newer than the held snapshot.
        assert_eq!(
            s.create_snapshot(4, None, vec![]),
            Err(Error::SnapOutOfDate)
        );
        assert_eq!(
            s.create_snapshot(3, None, vec![]),
            Err(Error::SnapOutOfDate)
        );
        // Past the last entry.
        assert!(
            matches!(s.create_snapshot(6, None, vec![]), Err(Error::Misuse(m)) if m == "snapshot 6 is out of bound lastindex(5)")
        );
        // Without a ConfState the previous one is kept.
        let snap = s.create_snapshot(5, None, vec![]).unwrap();
        assert_eq!(snap.metadata.conf_state, cs);
        assert_eq!(snap.metadata.term, 5);
    }

    #[test]
    fn append() {
        let cases: Vec<(Vec<Entry>, Result<()>, Vec<Entry>)> = vec![
            (
                vec![ent(1, 1), ent(2, 2)],
                Ok(()),
                vec![ent(3, 3), ent(4, 4), ent(5, 5)],
            ),
            (
                vec![ent(3, 3), ent(4, 4), ent(5, 5)],
                Ok(()),
                vec![ent(3, 3), ent(4, 4), ent(5, 5)],
            ),
            (
                vec![ent(3, 3), ent(4, 6), ent(5, 6)],
                Ok(()),
                vec![ent(3, 3), ent(4, 6), ent(5, 6)],
            ),
            (
                vec![ent(3, 3), ent(4, 4), ent(5, 5), ent(6, 5)],
                Ok(()),
                vec![ent(3, 3), ent(4, 4), ent(5, 5), ent(6, 5)],
            ),
            // Entries older than the first index are skipped.
            (
                vec![ent(2, 3), ent(3, 3), ent(4, 5)],
                Ok(()),
                vec![ent(3, 3), ent(4, 5)],
            ),
            // Truncate the existing entries and append.
            (vec![ent(4, 5)], Ok(()), vec![ent(3, 3), ent(4, 5)]),
            // Direct append.
            (
                vec![ent(6, 5)],
                Ok(()),
                vec![ent(3, 3), ent(4, 4), ent(5, 5), ent(6, 5)],
            ),
            // A gap is refused and leaves the storage alone.
            (
                vec![ent(7, 5)],
                Err(Error::Misuse(
                    "missing log entry [last: 5, append at: 7]".into(),
                )),
                vec![ent(3, 3), ent(4, 4), ent(5, 5)],
            ),
        ];
        for (i, (entries, werr, wents)) in cases.into_iter().enumerate() {
            let mut s = base();
            assert_eq!(s.append(&entries), werr, "#{}", i);
            assert_eq!(s.ents, wents, "#{}", i);
        }
    }

    #[test]
    fn apply_snapshot() {
        let cs = ConfState {
            voters: vec![1, 2, 3],
            ..Default::default()
        };
        let snap = |index, term| Snapshot {
            data: b"data".to_vec(),
            metadata: SnapshotMetadata {
                index,
                term,
                conf_state: cs.clone(),
            },
        };
        let mut s = MemoryStorage::new();
        s.append(&[ent(1, 1), ent(2, 1)]).unwrap();
        assert_eq!(s.apply_snapshot(snap(4, 4)), Ok(()));
        assert_eq!(s.first_index(), Ok(5));
        assert_eq!(s.last_index(), Ok(4));
        assert_eq!(s.term(4), Ok(4));
        assert_eq!(s.snapshot(), Ok(snap(4, 4)));
        // An older snapshot is refused.
        assert_eq!(s.apply_snapshot(snap(3, 3)), Err(Error::SnapOutOfDate));
        assert_eq!(s.apply_snapshot(snap(4, 4)), Err(Error::SnapOutOfDate));
        assert_eq!(s.snapshot(), Ok(snap(4, 4)));

        // Bootstrapping with a snapshot at index 0 that only carries the configuration works,
        // and so does replacing it afterwards.
        let mut s = MemoryStorage::new();
        assert_eq!(s.apply_snapshot(snap(0, 0)), Ok(()));
        assert_eq!(s.initial_state().unwrap().1, cs);
        assert_eq!(s.apply_snapshot(snap(0, 0)), Ok(()));
        assert_eq!(s.apply_snapshot(snap(2, 1)), Ok(()));
    }

    #[test]
    fn hard_state_round_trips() {
        let mut s = MemoryStorage::new();
        let hs = HardState {
            term: 3,
            vote: 2,
            commit: 1,
        };
        s.set_hard_state(hs);
        assert_eq!(s.hard_state(), hs);
        assert_eq!(s.initial_state().unwrap().0, hs);
    }
}
