//! Tests of `RaftLog` (after etcd's log_test.go): appending, conflicts, commit and apply
//! cursors, slicing across storage and the unstable tail, compaction and restore.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use super::*;
use crate::logger::{BufferLogger, Level};
use crate::raftpb::SnapshotMetadata;
use crate::storage::MemoryStorage;

/// Entries at consecutive indexes from `index`, with the given terms.
fn terms(index: u64, terms: &[u64]) -> Vec<Entry> {
    terms
        .iter()
        .enumerate()
        .map(|(i, &term)| Entry {
            index: index + i as u64,
            term,
            ..Default::default()
        })
        .collect()
}

/// Entries at consecutive indexes from `index`, with consecutive terms in `[from, to)`.
fn term_range(index: u64, from: u64, to: u64) -> Vec<Entry> {
    (from..to)
        .enumerate()
        .map(|(i, term)| Entry {
            index: index + i as u64,
            term,
            ..Default::default()
        })
        .collect()
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

fn new_log(s: MemoryStorage) -> RaftLog<MemoryStorage> {
    RaftLog::new_log(s, discard_logger())
}

fn storage_with_snap(index: u64, term: u64) -> MemoryStorage {
    let mut s = MemoryStorage::new();
    s.apply_snapshot(snap(index, term)).unwrap();
    s
}

fn id(index: u64, term: u64) -> EntryID {
    EntryID { term, index }
}

fn panics(f: impl FnOnce()) -> bool {
    catch_unwind(AssertUnwindSafe(f)).is_err()
}

mod append;
mod apply;
mod read;
