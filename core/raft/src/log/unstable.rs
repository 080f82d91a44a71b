//! The tail of the log that is not yet known to be on stable storage (etcd's log_unstable.go).
//!
//! [`Unstable`] plays two roles. It holds new entries and an incoming snapshot until a `Ready`
//! hands them to the application for persisting; and it keeps holding them while the write is
//! in flight, so the log keeps answering queries about them until the application confirms the
//! write and storage can answer instead.
//!
//! `entries[i]` has index `offset + i`. `offset` may be lower than the last index in storage:
//! the next storage write then has to truncate storage's log before appending.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::fatal::fatal;
use crate::logger::{discard_logger, SharedLogger};
use crate::raftpb::{Entry, Snapshot};

use super::slice::EntryID;

#[derive(Clone, Serialize, Deserialize)]
pub struct Unstable {
    /// The incoming snapshot, if any.
    pub snapshot: Option<Snapshot>,
    /// Entries not yet written to storage.
    pub entries: Vec<Entry>,
    /// The index of `entries[0]` (or where it would be if `entries` is empty).
    pub offset: u64,
    /// Whether the snapshot has been handed to the application for writing.
    pub snapshot_in_progress: bool,
    /// `entries` below this index (exclusive, like `offset`) have been handed to the application
    /// for writing. Invariant: `offset <= offset_in_progress`.
    pub offset_in_progress: u64,
    #[serde(skip, default = "discard_logger")]
    pub logger: SharedLogger,
}

impl fmt::Debug for Unstable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unstable")
            .field("snapshot", &self.snapshot)
            .field("entries", &self.entries)
            .field("offset", &self.offset)
            .field("snapshot_in_progress", &self.snapshot_in_progress)
            .field("offset_in_progress", &self.offset_in_progress)
            .finish_non_exhaustive()
    }
}

impl Unstable {
    /// An empty unstable log whose first entry will have index `offset`.
    pub fn new(offset: u64, logger: SharedLogger) -> Self {
        Unstable {
            snapshot: None,
            entries: Vec::new(),
            offset,
            snapshot_in_progress: false,
            offset_in_progress: offset,
            logger,
        }
    }

    /// The first index of the log if an unstable snapshot decides it.
    pub fn maybe_first_index(&self) -> Option<u64> {
        self.snapshot.as_ref().map(|s| s.metadata.index + 1)
    }

    /// The last index of the log if the unstable part decides it (it holds an entry or a
    /// snapshot).
    pub fn maybe_last_index(&self) -> Option<u64> {
        if !self.entries.is_empty() {
            return Some(self.offset + self.entries.len() as u64 - 1);
        }
        self.snapshot.as_ref().map(|s| s.metadata.index)
    }

    /// The term of entry `i` if the unstable part knows it.
    pub fn maybe_term(&self, i: u64) -> Option<u64> {
        if i < self.offset {
            return match &self.snapshot {
                Some(s) if s.metadata.index == i => Some(s.metadata.term),
                _ => None,
            };
        }
        let last = self.maybe_last_index()?;
        if i > last {
            return None;
        }
        // With no entries, last is the snapshot index, which is below offset: i > last above.
        Some(self.entries[(i - self.offset) as usize].term)
    }

    /// The entries not yet handed to the application for writing.
    pub fn next_entries(&self) -> &[Entry] {
        let in_progress = (self.offset_in_progress - self.offset) as usize;
        &self.entries[in_progress..]
    }

    /// The snapshot, if there is one and it was not yet handed to the application for writing.
    pub fn next_snapshot(&self) -> Option<&Snapshot> {
        if self.snapshot_in_progress {
            return None;
        }
        self.snapshot.as_ref()
    }

    /// Marks all current entries and the snapshot as being written: `next_entries` and
    /// `next_snapshot` stop returning them. Whatever arrives later is returned again, until the
    /// next call.
    pub fn accept_in_progress(&mut self) {
        if let Some(last) = self.entries.last() {
            self.offset_in_progress = last.index + 1;
        }
        if self.snapshot.is_some() {
            self.snapshot_in_progress = true;
        }
    }

    /// Drops the entries up to and including `id`, which the application has written
    /// to storage. The write may be stale: if the unstable log no longer holds that exact entry
    /// (it was replaced while the write was in flight), nothing is dropped, and the call is
    /// logged. Callers must only pass ids that no in-flight append can overwrite any more.
    pub fn stable_to(&mut self, id: EntryID) {
        let EntryID { term, index } = id;
        let Some(gt) = self.maybe_term(index) else {
            self.logger.info(format_args!(
                "entry at index {} missing from unstable log; ignoring",
                index
            ));
            return;
        };
        if index < self.offset {
            // The id matched the unstable snapshot, not an entry.
            self.logger.info(format_args!(
                "entry at index {} matched unstable snapshot; ignoring",
                index
            ));
            return;
        }
        if gt != term {
            // Part of the log was replaced between the start and the end of the write.
            self.logger.info(format_args!(
                "entry at (index,term)=({},{}) mismatched with entry at ({},{}) in unstable log; ignoring",
                index, term, index, gt
            ));
            return;
        }
        let num = (index + 1 - self.offset) as usize;
        self.entries.drain(..num);
        self.offset = index + 1;
        self.offset_in_progress = self.offset_in_progress.max(self.offset);
        self.shrink_entries_array();
    }

    /// Gives memory back when most of the vector's capacity is unused, so a burst of entries does
    /// not stay allocated forever.
    fn shrink_entries_array(&mut self) {
        const LEN_MULTIPLE: usize = 2;
        if self.entries.is_empty() {
            self.entries = Vec::new();
        } else if self.entries.len() * LEN_MULTIPLE < self.entries.capacity() {
            self.entries.shrink_to_fit();
        }
    }

    /// Forgets the snapshot once the application has written it (and nothing newer replaced it).
    pub fn stable_snap_to(&mut self, i: u64) {
        if matches!(&self.snapshot, Some(s) if s.metadata.index == i) {
            self.snapshot = None;
            self.snapshot_in_progress = false;
        }
    }

    /// Resets the unstable log to the snapshot: the log restarts right after it.
    pub fn restore(&mut self, s: Snapshot) {
        self.offset = s.metadata.index + 1;
        self.offset_in_progress = self.offset;
        self.entries = Vec::new();
        self.snapshot = Some(s);
        self.snapshot_in_progress = false;
    }

    /// Appends `ents`, first dropping any unstable entries at or after `ents[0].index`.
    pub fn truncate_and_append(&mut self, ents: &[Entry]) {
        let Some(first) = ents.first() else {
            return;
        };
        let from_index = first.index;
        if from_index == self.offset + self.entries.len() as u64 {
            // The new entries directly follow ours.
            self.entries.extend_from_slice(ents);
        } else if from_index <= self.offset {
            self.logger.info(format_args!(
                "replace the unstable entries from index {}",
                from_index
            ));
            // Everything we hold is replaced; the log may even go back below our offset, in
            // which case the next storage write truncates storage.
            self.entries = ents.to_vec();
            self.offset = from_index;
            self.offset_in_progress = self.offset;
        } else {
            self.logger.info(format_args!(
                "truncate the unstable entries before index {}",
                from_index
            ));
            self.must_check_out_of_bounds(self.offset, from_index);
            self.entries.truncate((from_index - self.offset) as usize);
            self.entries.extend_from_slice(ents);
            // Only what was in flight below from_index is still in flight.
            self.offset_in_progress = self.offset_in_progress.min(from_index);
        }
    }

    /// The entries with indexes in `[lo, hi)`, which must all be in the unstable log.
    pub fn slice(&self, lo: u64, hi: u64) -> &[Entry] {
        self.must_check_out_of_bounds(lo, hi);
        &self.entries[(lo - self.offset) as usize..(hi - self.offset) as usize]
    }

    /// Checks `offset <= lo <= hi <= offset + len(entries)`; anything else is a library bug.
    pub fn must_check_out_of_bounds(&self, lo: u64, hi: u64) {
        if lo > hi {
            fatal(
                &self.logger,
                format!("invalid unstable.slice {} > {}", lo, hi),
            );
        }
        let upper = self.offset + self.entries.len() as u64;
        if lo < self.offset || hi > upper {
            fatal(
                &self.logger,
                format!(
                    "unstable.slice[{},{}) out of bound [{},{}]",
                    lo, hi, self.offset, upper
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logger::{BufferLogger, Level};
    use crate::raftpb::SnapshotMetadata;
    use std::rc::Rc;

    fn ent(index: u64, term: u64) -> Entry {
        Entry {
            index,
            term,
            ..Default::default()
        }
    }

    fn snap(index: u64, term: u64) -> Snapshot {
        Snapshot {
            metadata: SnapshotMetadata {
                index,
                term,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn unstable(entries: Vec<Entry>, offset: u64, snapshot: Option<Snapshot>) -> Unstable {
        Unstable {
            entries,
            snapshot,
            ..Unstable::new(offset, discard_logger())
        }
    }

    #[test]
    fn maybe_first_index() {
        let cases = [
            (vec![ent(5, 1)], 5, None, None),
            (vec![], 0, None, None),
            (vec![ent(5, 1)], 5, Some(snap(4, 1)), Some(5)),
            (vec![], 5, Some(snap(4, 1)), Some(5)),
        ];
        for (i, (ents, offset, s, want)) in cases.into_iter().enumerate() {
            assert_eq!(
                unstable(ents, offset, s).maybe_first_index(),
                want,
                "#{}",
                i
            );
        }
    }

    #[test]
    fn maybe_last_index() {
        let cases = [
            (vec![ent(5, 1)], 5, None, Some(5)),
            (vec![ent(5, 1)], 5, Some(snap(4, 1)), Some(5)),
            (vec![], 5, Some(snap(4, 1)), Some(4)),
            (vec![], 0, None, None),
        ];
        for (i, (ents, offset, s, want)) in cases.into_iter().enumerate() {
            assert_eq!(unstable(ents, offset, s).maybe_last_index(), want, "#{}", i);
        }
    }

    #[test]
    fn maybe_term() {
        let cases = [
            (vec![ent(5, 1)], 5, None, 5, Some(1)),
            (vec![ent(5, 1)], 5, None, 6, None),
            (vec![ent(5, 1)], 5, None, 4, None),
            (vec![ent(5, 1)], 5, Some(snap(4, 1)), 5, Some(1)),
            (vec![ent(5, 1)], 5, Some(snap(4, 1)), 6, None),
            (vec![ent(5, 1)], 5, Some(snap(4, 1)), 4, Some(1)),
            (vec![ent(5, 1)], 5, Some(snap(4, 1)), 3, None),
            (vec![], 5, Some(snap(4, 1)), 5, None),
            (vec![], 5, Some(snap(4, 1)), 4, Some(1)),
            (vec![], 0, None, 5, None),
        ];
        for (i, (ents, offset, s, index, want)) in cases.into_iter().enumerate() {
            assert_eq!(unstable(ents, offset, s).maybe_term(index), want, "#{}", i);
        }
    }

    #[test]
    fn restore() {
        let mut u = unstable(vec![ent(5, 1)], 5, Some(snap(4, 1)));
        u.offset_in_progress = 6;
        u.snapshot_in_progress = true;
        u.restore(snap(6, 2));
        assert_eq!(u.offset, 7);
        assert_eq!(u.offset_in_progress, 7);
        assert!(u.entries.is_empty());
        assert_eq!(u.snapshot, Some(snap(6, 2)));
        assert!(!u.snapshot_in_progress);
    }

    #[test]
    fn next_entries() {
        // (entries, offset, offset in progress, expected)
        let cases = [
            (vec![ent(5, 1), ent(6, 1)], 5, 5, vec![ent(5, 1), ent(6, 1)]),
            (vec![ent(5, 1), ent(6, 1)], 5, 6, vec![ent(6, 1)]),
            (vec![ent(5, 1), ent(6, 1)], 5, 7, vec![]),
        ];
        for (i, (ents, offset, in_progress, want)) in cases.into_iter().enumerate() {
            let mut u = unstable(ents, offset, None);
            u.offset_in_progress = in_progress;
            assert_eq!(u.next_entries(), &want[..], "#{}", i);
        }
    }

    #[test]
    fn next_snapshot() {
        let s = snap(4, 1);
        let cases = [
            (None, false, None),
            (Some(s.clone()), false, Some(s.clone())),
            (Some(s.clone()), true, None),
        ];
        for (i, (snapshot, in_progress, want)) in cases.into_iter().enumerate() {
            let mut u = unstable(vec![], 5, snapshot);
            u.snapshot_in_progress = in_progress;
            assert_eq!(u.next_snapshot(), want.as_ref(), "#{}", i);
        }
    }

    #[test]
    fn accept_in_progress() {
        // (entries, snapshot, offset in progress, snapshot in progress, want offset in progress,
        // want snapshot in progress)
        let cases = [
            (vec![], None, 5, false, 5, false),
            (vec![ent(5, 1)], None, 5, false, 6, false),
            (vec![ent(5, 1), ent(6, 1)], None, 5, false, 7, false),
            (vec![ent(5, 1), ent(6, 1)], None, 6, false, 7, false),
            (vec![ent(5, 1), ent(6, 1)], None, 7, false, 7, false),
            (vec![], Some(snap(4, 1)), 5, false, 5, true),
            (vec![ent(5, 1)], Some(snap(4, 1)), 5, false, 6, true),
            (
                vec![ent(5, 1), ent(6, 1)],
                Some(snap(4, 1)),
                6,
                true,
                7,
                true,
            ),
            (vec![], Some(snap(4, 1)), 5, true, 5, true),
        ];
        for (i, (ents, s, oip, sip, woip, wsip)) in cases.into_iter().enumerate() {
            let mut u = unstable(ents, 5, s);
            u.offset_in_progress = oip;
            u.snapshot_in_progress = sip;
            u.accept_in_progress();
            assert_eq!(u.offset_in_progress, woip, "#{}", i);
            assert_eq!(u.snapshot_in_progress, wsip, "#{}", i);
        }
    }

    #[test]
    fn stable_to() {
        // (entries, offset, offset in progress, snapshot, stable (index, term), want offset,
        // want offset in progress, want number of entries left)
        #[allow(clippy::type_complexity)]
        let cases: Vec<(
            Vec<Entry>,
            u64,
            u64,
            Option<Snapshot>,
            (u64, u64),
            u64,
            u64,
            usize,
        )> = vec![
            (vec![], 0, 0, None, (5, 1), 0, 0, 0),
            // Stable to the first entry.
            (vec![ent(5, 1)], 5, 6, None, (5, 1), 6, 6, 0),
            (vec![ent(5, 1), ent(6, 1)], 5, 6, None, (5, 1), 6, 6, 1),
            // Stable to the first entry, with the second still in progress.
            (vec![ent(5, 1), ent(6, 1)], 5, 7, None, (5, 1), 6, 7, 1),
            // Stable to the first entry, the term of which has changed.
            (vec![ent(6, 2)], 6, 7, None, (6, 1), 6, 7, 1),
            // Stable to an old entry.
            (vec![ent(5, 1)], 5, 6, None, (4, 1), 5, 6, 1),
            (vec![ent(5, 1)], 5, 6, None, (4, 2), 5, 6, 1),
            // With a snapshot.
            (vec![ent(5, 1)], 5, 6, Some(snap(4, 1)), (5, 1), 6, 6, 0),
            (
                vec![ent(5, 1), ent(6, 1)],
                5,
                6,
                Some(snap(4, 1)),
                (5, 1),
                6,
                6,
                1,
            ),
            (
                vec![ent(5, 1), ent(6, 1)],
                5,
                7,
                Some(snap(4, 1)),
                (5, 1),
                6,
                7,
                1,
            ),
            (vec![ent(6, 2)], 6, 7, Some(snap(5, 1)), (6, 1), 6, 7, 1),
            (vec![ent(5, 1)], 5, 6, Some(snap(4, 1)), (4, 1), 5, 6, 1),
            (vec![ent(5, 2)], 5, 6, Some(snap(4, 2)), (4, 1), 5, 6, 1),
        ];
        for (i, (ents, offset, oip, s, (index, term), woffset, woip, wlen)) in
            cases.into_iter().enumerate()
        {
            let mut u = unstable(ents, offset, s);
            u.offset_in_progress = oip;
            u.stable_to(EntryID { term, index });
            assert_eq!(u.offset, woffset, "#{} offset", i);
            assert_eq!(u.offset_in_progress, woip, "#{} offset in progress", i);
            assert_eq!(u.entries.len(), wlen, "#{} entries", i);
        }
    }

    #[test]
    fn stable_to_logs_why_it_ignores() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Debug)));
        let mut u = Unstable::new(5, logger.clone());
        u.snapshot = Some(snap(4, 1));
        u.entries = vec![ent(5, 1)];
        u.stable_to(EntryID { term: 1, index: 7 });
        u.stable_to(EntryID { term: 1, index: 4 });
        u.stable_to(EntryID { term: 2, index: 5 });
        assert_eq!(
            logger.take(),
            vec![
                "INFO entry at index 7 missing from unstable log; ignoring",
                "INFO entry at index 4 matched unstable snapshot; ignoring",
                "INFO entry at (index,term)=(5,2) mismatched with entry at (5,1) in unstable log; ignoring",
            ]
        );
        assert_eq!(u.entries.len(), 1);
    }

    #[test]
    fn stable_snap_to() {
        let mut u = unstable(vec![], 5, Some(snap(4, 1)));
        u.snapshot_in_progress = true;
        u.stable_snap_to(3);
        assert!(
            u.snapshot.is_some(),
            "a different index leaves the snapshot"
        );
        u.stable_snap_to(4);
        assert!(u.snapshot.is_none());
        assert!(!u.snapshot_in_progress);
    }

    #[test]
    fn truncate_and_append() {
        // (entries, offset, offset in progress, to append, want offset, want offset in
        // progress, want entries)
        #[allow(clippy::type_complexity)]
        let cases: Vec<(Vec<Entry>, u64, u64, Vec<Entry>, u64, u64, Vec<Entry>)> = vec![
            // Append to the end.
            (
                vec![ent(5, 1)],
                5,
                5,
                vec![ent(6, 1), ent(7, 1)],
                5,
                5,
                vec![ent(5, 1), ent(6, 1), ent(7, 1)],
            ),
            (
                vec![ent(5, 1)],
                5,
                6,
                vec![ent(6, 1), ent(7, 1)],
                5,
                6,
                vec![ent(5, 1), ent(6, 1), ent(7, 1)],
            ),
            // Replace everything.
            (
                vec![ent(5, 1)],
                5,
                5,
                vec![ent(5, 2), ent(6, 2)],
                5,
                5,
                vec![ent(5, 2), ent(6, 2)],
            ),
            (
                vec![ent(5, 1)],
                5,
                5,
                vec![ent(4, 2), ent(5, 2), ent(6, 2)],
                4,
                4,
                vec![ent(4, 2), ent(5, 2), ent(6, 2)],
            ),
            (
                vec![ent(5, 1)],
                5,
                6,
                vec![ent(5, 2), ent(6, 2)],
                5,
                5,
                vec![ent(5, 2), ent(6, 2)],
            ),
            // Truncate the existing entries and append.
            (
                vec![ent(5, 1), ent(6, 1), ent(7, 1)],
                5,
                5,
                vec![ent(6, 2)],
                5,
                5,
                vec![ent(5, 1), ent(6, 2)],
            ),
            (
                vec![ent(5, 1), ent(6, 1), ent(7, 1)],
                5,
                5,
                vec![ent(7, 2), ent(8, 2)],
                5,
                5,
                vec![ent(5, 1), ent(6, 1), ent(7, 2), ent(8, 2)],
            ),
            (
                vec![ent(5, 1), ent(6, 1), ent(7, 1)],
                5,
                6,
                vec![ent(6, 2)],
                5,
                6,
                vec![ent(5, 1), ent(6, 2)],
            ),
            (
                vec![ent(5, 1), ent(6, 1), ent(7, 1)],
                5,
                7,
                vec![ent(6, 2)],
                5,
                6,
                vec![ent(5, 1), ent(6, 2)],
            ),
        ];
        for (i, (ents, offset, oip, to_append, woffset, woip, wents)) in
            cases.into_iter().enumerate()
        {
            let mut u = unstable(ents, offset, None);
            u.offset_in_progress = oip;
            u.truncate_and_append(&to_append);
            assert_eq!(u.offset, woffset, "#{} offset", i);
            assert_eq!(u.offset_in_progress, woip, "#{} offset in progress", i);
            assert_eq!(u.entries, wents, "#{} entries", i);
        }
    }

    #[test]
    fn truncate_and_append_logs() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
        let mut u = Unstable::new(5, logger.clone());
        u.truncate_and_append(&[ent(5, 1), ent(6, 1), ent(7, 1)]);
        u.truncate_and_append(&[ent(6, 2)]);
        u.truncate_and_append(&[ent(4, 3)]);
        assert_eq!(
            logger.take(),
            vec![
                "INFO truncate the unstable entries before index 6",
                "INFO replace the unstable entries from index 4"
            ]
        );
    }

    #[test]
    fn slice() {
        let u = unstable(vec![ent(5, 1), ent(6, 1), ent(7, 2)], 5, None);
        assert_eq!(u.slice(5, 5), &[] as &[Entry]);
        assert_eq!(u.slice(6, 8), &[ent(6, 1), ent(7, 2)]);
    }

    #[test]
    #[should_panic(expected = "unstable.slice[4,6) out of bound [5,8]")]
    fn slice_out_of_bounds_panics() {
        let u = unstable(vec![ent(5, 1), ent(6, 1), ent(7, 2)], 5, None);
        u.slice(4, 6);
    }

    #[test]
    #[should_panic(expected = "invalid unstable.slice 7 > 6")]
    fn slice_inverted_panics() {
        let u = unstable(vec![ent(5, 1), ent(6, 1), ent(7, 2)], 5, None);
        u.slice(7, 6);
    }
}
