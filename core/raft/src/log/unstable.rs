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
    pub(crate) snapshot: Option<Snapshot>,
    /// Entries not yet written to storage.
    pub entries: Vec<Entry>,
    /// The index of `entries[0]` (or where it would be if `entries` is empty).
    pub offset: u64,
    /// Whether the snapshot has been handed to the application for writing.
    pub(crate) snapshot_in_progress: bool,
    /// `entries` below this index (exclusive, like `offset`) have been handed to the application
    /// for writing. Invariant: `offset <= offset_in_progress`.
    pub(crate) offset_in_progress: u64,
    #[serde(skip, default = "discard_logger")]
    pub(crate) logger: SharedLogger,
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
    pub(crate) fn maybe_first_index(&self) -> Option<u64> {
        self.snapshot.as_ref().map(|s| s.metadata.index + 1)
    }

    /// The last index of the log if the unstable part decides it (it holds an entry or a
    /// snapshot).
    pub(crate) fn maybe_last_index(&self) -> Option<u64> {
        if !self.entries.is_empty() {
            return Some(self.offset + self.entries.len() as u64 - 1);
        }
        self.snapshot.as_ref().map(|s| s.metadata.index)
    }

    /// The term of entry `i` if the unstable part knows it.
    pub(crate) fn maybe_term(&self, i: u64) -> Option<u64> {
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
    pub(crate) fn next_entries(&self) -> &[Entry] {
        let in_progress = (self.offset_in_progress - self.offset) as usize;
        &self.entries[in_progress..]
    }

    /// The snapshot, if there is one and it was not yet handed to the application for writing.
    pub(crate) fn next_snapshot(&self) -> Option<&Snapshot> {
        if self.snapshot_in_progress {
            return None;
        }
        self.snapshot.as_ref()
    }

    /// Marks all current entries and the snapshot as being written: `next_entries` and
    /// `next_snapshot` stop returning them. Whatever arrives later is returned again, until the
    /// next call.
    pub(crate) fn accept_in_progress(&mut self) {
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
    pub(crate) fn stable_to(&mut self, id: EntryID) {
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
    /// not stay allocated forever. A small buffer is kept even when empty (etcd drops it): the
    /// unstable log empties after nearly every write, and would otherwise be reallocated for
    /// the next entry.
    fn shrink_entries_array(&mut self) {
        const LEN_MULTIPLE: usize = 2;
        const KEEP: usize = 64;
        if self.entries.capacity() <= KEEP {
            return;
        }
        if self.entries.is_empty() {
            self.entries = Vec::new();
        } else if self.entries.len() * LEN_MULTIPLE < self.entries.capacity() {
            self.entries.shrink_to_fit();
        }
    }

    /// Forgets the snapshot once the application has written it (and nothing newer replaced it).
    pub(crate) fn stable_snap_to(&mut self, i: u64) {
        if matches!(&self.snapshot, Some(s) if s.metadata.index == i) {
            self.snapshot = None;
            self.snapshot_in_progress = false;
        }
    }

    /// Resets the unstable log to the snapshot: the log restarts right after it.
    pub(crate) fn restore(&mut self, s: Snapshot) {
        self.offset = s.metadata.index + 1;
        self.offset_in_progress = self.offset;
        self.entries = Vec::new();
        self.snapshot = Some(s);
        self.snapshot_in_progress = false;
    }

    /// Appends `ents`, first dropping any unstable entries at or after `ents[0].index`.
    pub(crate) fn truncate_and_append(&mut self, mut ents: Vec<Entry>) {
        let Some(first) = ents.first() else {
            return;
        };
        let from_index = first.index;
        if from_index == self.offset + self.entries.len() as u64 {
            // The new entries directly follow ours.
            self.entries.append(&mut ents);
        } else if from_index <= self.offset {
            self.logger.info(format_args!(
                "replace the unstable entries from index {}",
                from_index
            ));
            // Everything we hold is replaced; the log may even go back below our offset, in
            // which case the next storage write truncates storage.
            self.entries = ents;
            self.offset = from_index;
            self.offset_in_progress = self.offset;
        } else {
            self.logger.info(format_args!(
                "truncate the unstable entries before index {}",
                from_index
            ));
            self.must_check_out_of_bounds(self.offset, from_index);
            self.entries.truncate((from_index - self.offset) as usize);
            self.entries.append(&mut ents);
            // Only what was in flight below from_index is still in flight.
            self.offset_in_progress = self.offset_in_progress.min(from_index);
        }
    }

    /// The entries with indexes in `[lo, hi)`, which must all be in the unstable log.
    pub(crate) fn slice(&self, lo: u64, hi: u64) -> &[Entry] {
        self.must_check_out_of_bounds(lo, hi);
        &self.entries[(lo - self.offset) as usize..(hi - self.offset) as usize]
    }

    /// Checks `offset <= lo <= hi <= offset + len(entries)`; anything else is a library bug.
    pub(crate) fn must_check_out_of_bounds(&self, lo: u64, hi: u64) {
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
mod tests;
