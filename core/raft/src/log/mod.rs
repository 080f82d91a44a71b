//! The Raft log (etcd's log.go): stable entries in [`Storage`] followed by the [`Unstable`]
//! tail, plus the commit and apply cursors.
//!
//! Indexes relate as `applied <= applying <= committed <= last_index()`. The log owns its
//! storage, so cloning a log (a time-travel checkpoint of a node) clones the storage too.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fatal::fatal;
use crate::logger::{discard_logger, SharedLogger};
use crate::raftpb::{Entry, Snapshot};
use crate::storage::Storage;
use crate::util::{ents_size, limit_size, NO_LIMIT};

mod slice;
mod unstable;

pub(crate) use slice::pb_entry_id;
pub use slice::{EntryID, LogSlice};
pub use unstable::Unstable;

#[derive(Clone, Serialize, Deserialize)]
pub struct RaftLog<S: Storage> {
    /// Everything stable since the last snapshot.
    pub storage: S,
    /// Entries and snapshot not yet (known to be) in storage.
    pub unstable: Unstable,
    /// The highest index known to be on stable storage on a quorum.
    pub committed: u64,
    /// The highest index handed to the application for applying (some of it may still be
    /// under way). Moves when a `Ready` is accepted. `applied <= applying <= committed`.
    pub(crate) applying: u64,
    /// The highest index the application has finished applying. Moves on `advance` (or on an
    /// apply acknowledgement with asynchronous application).
    pub applied: u64,
    #[serde(skip, default = "discard_logger")]
    pub(crate) logger: SharedLogger,
    /// Limit on the encoded size of entries handed out by `next_committed_ents` and not yet
    /// acknowledged through `applied_to`.
    pub(crate) max_applying_ents_size: u64,
    /// The encoded size of entries handed out and not yet acknowledged.
    pub(crate) applying_ents_size: u64,
    /// Whether handing out committed entries is paused until some are acknowledged.
    pub(crate) applying_ents_paused: bool,
}

impl<S: Storage + fmt::Debug> fmt::Debug for RaftLog<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RaftLog")
            .field("storage", &self.storage)
            .field("unstable", &self.unstable)
            .field("committed", &self.committed)
            .field("applying", &self.applying)
            .field("applied", &self.applied)
            .field("max_applying_ents_size", &self.max_applying_ents_size)
            .field("applying_ents_size", &self.applying_ents_size)
            .field("applying_ents_paused", &self.applying_ents_paused)
            .finish_non_exhaustive()
    }
}

/// etcd's `raftLog.String()`, which also appears in log lines.
impl<S: Storage> fmt::Display for RaftLog<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "committed={}, applied={}, applying={}, unstable.offset={}, unstable.offsetInProgress={}, len(unstable.Entries)={}",
            self.committed,
            self.applied,
            self.applying,
            self.unstable.offset,
            self.unstable.offset_in_progress,
            self.unstable.entries.len()
        )
    }
}

impl<S: Storage> RaftLog<S> {
    /// A log over `storage` with no limit on the size of committed entries handed out.
    #[cfg(test)]
    pub(crate) fn new_log(storage: S, logger: SharedLogger) -> Self {
        Self::new_log_with_size(storage, logger, NO_LIMIT)
    }

    /// Replaces the logger (of the unstable part too), e.g. on a node restored from a
    /// serialized state.
    pub fn set_logger(&mut self, logger: SharedLogger) {
        self.unstable.logger = logger.clone();
        self.logger = logger;
    }

    /// A log over `storage`, positioned as if everything up to the last compaction (the storage's
    /// first index minus one) was committed and applied.
    ///
    /// Panics if storage cannot report its first and last index: the node cannot start.
    pub(crate) fn new_log_with_size(
        storage: S,
        logger: SharedLogger,
        max_applying_ents_size: u64,
    ) -> Self {
        let first_index = storage
            .first_index()
            .unwrap_or_else(|e| fatal(&logger, e.to_string()));
        let last_index = storage
            .last_index()
            .unwrap_or_else(|e| fatal(&logger, e.to_string()));
        RaftLog {
            storage,
            unstable: Unstable::new(last_index + 1, logger.clone()),
            committed: first_index - 1,
            applying: first_index - 1,
            applied: first_index - 1,
            logger,
            max_applying_ents_size,
            applying_ents_size: 0,
            applying_ents_paused: false,
        }
    }

    /// Appends the slice if the entry it follows, `a.prev`, is in our log, and advances the
    /// commit index to `min(committed, last index of the slice)`. Entries we already have are
    /// skipped; from the first conflicting one on, ours are replaced. Returns the slice's last
    /// index, or `None` if `a.prev` does not match.
    pub(crate) fn maybe_append(&mut self, a: LogSlice, committed: u64) -> Option<u64> {
        if !self.match_term(a.prev) {
            return None;
        }
        let index = a.prev.index;
        let lastnewi = a.last_index();
        let ci = self.find_conflict(&a.entries);
        let mut ents = a.entries;
        if ci != 0 {
            if ci <= self.committed {
                fatal(
                    &self.logger,
                    format!(
                        "entry {} conflict with committed entry [committed({})]",
                        ci, self.committed
                    ),
                );
            }
            let offset = index + 1;
            if ci - offset > ents.len() as u64 {
                fatal(
                    &self.logger,
                    format!("index, {}, is out of range [{}]", ci - offset, ents.len()),
                );
            }
            // The entries are the message's own: moved into the log rather than cloned (each
            // clone of an entry is an atomic increment of its payload's count, each drop one
            // more decrement). Those we already have are dropped first.
            ents.drain(..(ci - offset) as usize);
            self.append_owned(ents);
        }
        self.commit_to(committed.min(lastnewi));
        Some(lastnewi)
    }

    /// Appends entries to the unstable log (truncating whatever they overlap) and returns the new
    /// last index. Committed entries are never overwritten. (The core itself appends entries it
    /// owns, with `append_owned`.)
    #[cfg(test)]
    pub(crate) fn append(&mut self, ents: &[Entry]) -> u64 {
        self.append_owned(ents.to_vec())
    }

    /// `append`, taking the entries rather than cloning them.
    pub(crate) fn append_owned(&mut self, ents: Vec<Entry>) -> u64 {
        let Some(first) = ents.first() else {
            return self.last_index();
        };
        let after = first.index - 1;
        if after < self.committed {
            fatal(
                &self.logger,
                format!(
                    "after({}) is out of range [committed({})]",
                    after, self.committed
                ),
            );
        }
        self.unstable.truncate_and_append(ents);
        self.last_index()
    }

    /// The index of the first entry of `ents` that is not in our log: either an index we have
    /// with a different term (a conflict, which is logged), or one past our last index. Zero if
    /// we already have all of them. `ents` must be contiguous.
    pub(crate) fn find_conflict(&self, ents: &[Entry]) -> u64 {
        for e in ents {
            if !self.match_term(pb_entry_id(e)) {
                if e.index <= self.last_index() {
                    self.logger.info(format_args!(
                        "found conflict at index {} [existing term: {}, conflicting term: {}]",
                        e.index,
                        self.zero_term_on_out_of_bounds(self.term(e.index)),
                        e.term
                    ));
                }
                return e.index;
            }
        }
        0
    }

    /// A guess at the highest index up to which our log may match another log of which only the
    /// entry `(index, term)` is known: the largest `i <= index` whose term is at most `term` or
    /// unknown (compacted or missing). Returns `(i, term(i))`, with term 0 when unknown. Leaders
    /// and followers use it to skip whole terms when resolving a rejected append.
    pub(crate) fn find_conflict_by_term(&self, mut index: u64, term: u64) -> (u64, u64) {
        while index > 0 {
            match self.term(index) {
                // No way to tell whether it matches: assume it may.
                Err(_) => return (index, 0),
                Ok(our_term) if our_term <= term => return (index, our_term),
                Ok(_) => index -= 1,
            }
        }
        (0, 0)
    }

    /// Unstable entries not yet handed to the application for writing.
    pub(crate) fn next_unstable_ents(&self) -> &[Entry] {
        self.unstable.next_entries()
    }

    pub(crate) fn has_next_unstable_ents(&self) -> bool {
        !self.next_unstable_ents().is_empty()
    }

    /// Whether there are unstable entries, handed out for writing or not.
    pub(crate) fn has_next_or_in_progress_unstable_ents(&self) -> bool {
        !self.unstable.entries.is_empty()
    }

    /// Committed entries the application may apply next. Entries can be committed before they
    /// are durable locally; with `allow_unstable` such entries are included, otherwise only
    /// entries known to be in storage are. Returns nothing while a snapshot is pending or while
    /// the size of handed-out, unacknowledged entries is at its limit.
    pub(crate) fn next_committed_ents(&self, allow_unstable: bool) -> Vec<Entry> {
        if self.applying_ents_paused {
            return Vec::new();
        }
        if self.has_next_or_in_progress_snapshot() {
            return Vec::new();
        }
        let (lo, hi) = (
            self.applying + 1,
            self.max_appliable_index(allow_unstable) + 1,
        );
        if lo >= hi {
            return Vec::new();
        }
        // Unsigned like etcd's: the pause flag keeps the outstanding size below the limit here.
        let max_size = self
            .max_applying_ents_size
            .wrapping_sub(self.applying_ents_size);
        if max_size == 0 {
            fatal(
                &self.logger,
                format!(
                    "applying entry size ({}-{})={} not positive",
                    self.max_applying_ents_size, self.applying_ents_size, max_size
                ),
            );
        }
        match self.slice(lo, hi, max_size) {
            Ok(ents) => ents,
            Err(e) => fatal(
                &self.logger,
                format!("unexpected error when getting unapplied entries ({})", e),
            ),
        }
    }

    /// Whether `next_committed_ents` would return something, without reading the entries.
    pub(crate) fn has_next_committed_ents(&self, allow_unstable: bool) -> bool {
        if self.applying_ents_paused {
            return false;
        }
        // A pending snapshot goes first; handing out entries as well would leave the order of
        // applying them ambiguous.
        if self.has_next_or_in_progress_snapshot() {
            return false;
        }
        self.applying + 1 < self.max_appliable_index(allow_unstable) + 1
    }

    /// The highest committed index that may be applied: with `allow_unstable`, any committed
    /// index; otherwise only up to the last entry known to be in storage.
    pub(crate) fn max_appliable_index(&self, allow_unstable: bool) -> u64 {
        let hi = self.committed;
        if allow_unstable {
            hi
        } else {
            hi.min(self.unstable.offset - 1)
        }
    }

    /// The unstable snapshot, if not yet handed to the application for writing.
    pub(crate) fn next_unstable_snapshot(&self) -> Option<&Snapshot> {
        self.unstable.next_snapshot()
    }

    pub(crate) fn has_next_unstable_snapshot(&self) -> bool {
        self.unstable.next_snapshot().is_some()
    }

    /// Whether a snapshot is waiting to be written or being written.
    pub(crate) fn has_next_or_in_progress_snapshot(&self) -> bool {
        self.unstable.snapshot.is_some()
    }

    /// The latest snapshot: the unstable one, or else storage's.
    pub(crate) fn snapshot(&self) -> Result<Snapshot> {
        match &self.unstable.snapshot {
            Some(s) => Ok(s.clone()),
            None => self.storage.snapshot(),
        }
    }

    pub fn first_index(&self) -> u64 {
        if let Some(i) = self.unstable.maybe_first_index() {
            return i;
        }
        self.storage
            .first_index()
            .unwrap_or_else(|e| fatal(&self.logger, e.to_string()))
    }

    pub fn last_index(&self) -> u64 {
        if let Some(i) = self.unstable.maybe_last_index() {
            return i;
        }
        self.storage
            .last_index()
            .unwrap_or_else(|e| fatal(&self.logger, e.to_string()))
    }

    /// Raises the commit index to `tocommit` (never lowers it). Committing past the last index
    /// means the log lost entries it had acknowledged.
    pub(crate) fn commit_to(&mut self, tocommit: u64) {
        if self.committed < tocommit {
            if self.last_index() < tocommit {
                fatal(
                    &self.logger,
                    format!(
                        "tocommit({}) is out of range [lastIndex({})]. Was the raft log corrupted, truncated, or lost?",
                        tocommit,
                        self.last_index()
                    ),
                );
            }
            self.committed = tocommit;
        }
    }

    /// Records that the application applied everything up to `i`, acknowledging `size` bytes of
    /// the entries handed out by `next_committed_ents`. `i` must lie in `[applied, committed]`.
    pub(crate) fn applied_to(&mut self, i: u64, size: u64) {
        if self.committed < i || i < self.applied {
            fatal(
                &self.logger,
                format!(
                    "applied({}) is out of range [prevApplied({}), committed({})]",
                    i, self.applied, self.committed
                ),
            );
        }
        self.applied = i;
        self.applying = self.applying.max(i);
        // Saturating: an acknowledgement may cover more than was counted (e.g. after a
        // restart), and the count must not wrap.
        self.applying_ents_size = self.applying_ents_size.saturating_sub(size);
        self.applying_ents_paused = self.applying_ents_size >= self.max_applying_ents_size;
    }

    /// Records that entries up to `i`, of encoded size `size`, were handed to the application for
    /// applying.
    pub(crate) fn accept_applying(&mut self, i: u64, size: u64, allow_unstable: bool) {
        if self.committed < i {
            fatal(
                &self.logger,
                format!(
                    "applying({}) is out of range [prevApplying({}), committed({})]",
                    i, self.applying, self.committed
                ),
            );
        }
        self.applying = i;
        self.applying_ents_size = self.applying_ents_size.saturating_add(size);
        // Pause when the outstanding size reached the limit, or when the entries handed out stop
        // short of what could have been applied: then the size limit cut them, and the next
        // entry would exceed it.
        self.applying_ents_paused = self.applying_ents_size >= self.max_applying_ents_size
            || i < self.max_appliable_index(allow_unstable);
    }

    /// The application wrote the entries up to `id` to storage.
    pub(crate) fn stable_to(&mut self, id: EntryID) {
        self.unstable.stable_to(id)
    }

    /// The application wrote the snapshot at index `i` to storage.
    pub(crate) fn stable_snap_to(&mut self, i: u64) {
        self.unstable.stable_snap_to(i)
    }

    /// The application started writing the current unstable entries and snapshot, so the next
    /// `Ready` must not hand them out again.
    pub(crate) fn accept_unstable(&mut self) {
        self.unstable.accept_in_progress()
    }

    /// The id of the last entry of the log.
    pub fn last_entry_id(&self) -> EntryID {
        let index = self.last_index();
        match self.term(index) {
            Ok(term) => EntryID { term, index },
            Err(e) => fatal(
                &self.logger,
                format!(
                    "unexpected error when getting the last term at {}: {}",
                    index, e
                ),
            ),
        }
    }

    /// The term of the last entry (`last_entry_id().term`).
    #[cfg(test)]
    pub(crate) fn last_term(&self) -> u64 {
        self.last_entry_id().term
    }

    /// The term of entry `i`, for `i` in `[first_index()-1, last_index()]`: the entry just
    /// before the first one is compacted, but its term is kept for matching appends.
    /// [`Error::Compacted`] below that range, [`Error::Unavailable`] above.
    pub fn term(&self, i: u64) -> Result<u64> {
        // The unstable log answers first, which also spares computing the valid range from
        // storage: whatever it knows is within the range.
        if let Some(t) = self.unstable.maybe_term(i) {
            return Ok(t);
        }
        if i + 1 < self.first_index() {
            return Err(Error::Compacted);
        }
        if i > self.last_index() {
            return Err(Error::Unavailable);
        }
        match self.storage.term(i) {
            Ok(t) => Ok(t),
            Err(e @ (Error::Compacted | Error::Unavailable)) => Err(e),
            Err(e) => fatal(&self.logger, e.to_string()),
        }
    }

    /// The entries from `i` to the end of the log, cut to `max_size` (at least one entry).
    pub fn entries(&self, i: u64, max_size: u64) -> Result<Vec<Entry>> {
        if i > self.last_index() {
            return Ok(Vec::new());
        }
        self.slice(i, self.last_index() + 1, max_size)
    }

    /// Every entry in the log.
    pub fn all_entries(&self) -> Vec<Entry> {
        match self.entries(self.first_index(), NO_LIMIT) {
            Ok(ents) => ents,
            Err(e) => fatal(&self.logger, e.to_string()),
        }
    }

    /// Whether a log ending with the entry `their` is at least as up to date as ours: a later
    /// last term wins; with equal last terms, the longer log wins; equal logs count as up to
    /// date.
    pub(crate) fn is_up_to_date(&self, their: EntryID) -> bool {
        let our = self.last_entry_id();
        their.term > our.term || (their.term == our.term && their.index >= our.index)
    }

    /// Whether our log holds the entry `id`.
    pub(crate) fn match_term(&self, id: EntryID) -> bool {
        matches!(self.term(id.index), Ok(t) if t == id.term)
    }

    /// Commits up to `at.index` if that is new and our entry there has term `at.term` (the
    /// leader's current term: leaders only commit entries of their own term by counting). Term 0
    /// never matches: no leader campaigns at term 0.
    pub(crate) fn maybe_commit(&mut self, at: EntryID) -> bool {
        if at.term != 0 && at.index > self.committed && self.match_term(at) {
            self.commit_to(at.index);
            return true;
        }
        false
    }

    /// Resets the log to the snapshot, which becomes the committed prefix.
    pub(crate) fn restore(&mut self, s: Snapshot) {
        self.logger.info(format_args!(
            "log [{}] starts to restore snapshot [index: {}, term: {}]",
            self, s.metadata.index, s.metadata.term
        ));
        self.committed = s.metadata.index;
        self.unstable.restore(s);
    }

    /// Visits the entries in `[lo, hi)` in consecutive pages of about `page_size` bytes (more if a
    /// single entry is larger). The visitor returns whether to go on: `false` stops the scan
    /// early, which is not an error. The range must exist, or an error comes back (possibly after
    /// some pages were visited).
    pub(crate) fn scan(
        &self,
        mut lo: u64,
        hi: u64,
        page_size: u64,
        mut v: impl FnMut(&[Entry]) -> bool,
    ) -> Result<()> {
        while lo < hi {
            let ents = self.slice(lo, hi, page_size)?;
            if ents.is_empty() {
                return Err(Error::Misuse(format!("got 0 entries in [{}, {})", lo, hi)));
            }
            if !v(&ents) {
                return Ok(());
            }
            lo += ents.len() as u64;
        }
        Ok(())
    }

    /// The entries in `[lo, hi)`, cut to `max_size` (at least one entry). [`Error::Compacted`]
    /// if `lo` is below the first index; the range must not go past the last index.
    pub(crate) fn slice(&self, lo: u64, hi: u64, max_size: u64) -> Result<Vec<Entry>> {
        self.must_check_out_of_bounds(lo, hi)?;
        if lo == hi {
            return Ok(Vec::new());
        }
        if lo >= self.unstable.offset {
            return Ok(limit_size(self.unstable.slice(lo, hi), max_size).to_vec());
        }

        let cut = hi.min(self.unstable.offset);
        let mut ents = match self.storage.entries(lo, cut, max_size) {
            Ok(ents) => ents,
            Err(Error::Compacted) => return Err(Error::Compacted),
            Err(Error::Unavailable) => fatal(
                &self.logger,
                format!("entries[{}:{}) is unavailable from storage", lo, cut),
            ),
            Err(e) => fatal(&self.logger, e.to_string()),
        };
        if hi <= self.unstable.offset {
            return Ok(ents);
        }

        // Storage already cut the entries short: the next one would exceed the limit.
        if (ents.len() as u64) < cut - lo {
            return Ok(ents);
        }
        let size = ents_size(&ents);
        if size >= max_size {
            return Ok(ents);
        }

        let unstable = limit_size(
            self.unstable.slice(self.unstable.offset, hi),
            max_size - size,
        );
        // limit_size may return a single entry that is over its limit; here that entry would push
        // the total past max_size, so leave it out.
        if unstable.len() == 1 && size + ents_size(unstable) > max_size {
            return Ok(ents);
        }
        ents.extend_from_slice(unstable);
        Ok(ents)
    }

    /// Checks `first_index() <= lo <= hi <= last_index() + 1`: [`Error::Compacted`] if `lo` is
    /// too low; anything else is a library bug.
    pub(crate) fn must_check_out_of_bounds(&self, lo: u64, hi: u64) -> Result<()> {
        if lo > hi {
            fatal(&self.logger, format!("invalid slice {} > {}", lo, hi));
        }
        let fi = self.first_index();
        if lo < fi {
            return Err(Error::Compacted);
        }
        let length = self.last_index() + 1 - fi;
        if hi > fi + length {
            fatal(
                &self.logger,
                format!(
                    "slice[{},{}) out of bound [{},{}]",
                    lo,
                    hi,
                    fi,
                    self.last_index()
                ),
            );
        }
        Ok(())
    }

    /// The term from a `term()` result, with 0 standing for "compacted or not in the log".
    pub(crate) fn zero_term_on_out_of_bounds(&self, t: Result<u64>) -> u64 {
        match t {
            Ok(t) => t,
            Err(Error::Compacted | Error::Unavailable) => 0,
            Err(e) => fatal(&self.logger, format!("unexpected error ({})", e)),
        }
    }
}

#[cfg(test)]
mod tests;
