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

#[test]
fn find_conflict() {
    let previous = terms(1, &[1, 2, 3]);
    let cases: Vec<(Vec<Entry>, u64)> = vec![
        // No conflict, empty.
        (vec![], 0),
        // No conflict.
        (terms(1, &[1, 2, 3]), 0),
        (terms(2, &[2, 3]), 0),
        (terms(3, &[3]), 0),
        // No conflict, but new entries.
        (terms(1, &[1, 2, 3, 4, 4]), 4),
        (terms(2, &[2, 3, 4, 5]), 4),
        (terms(3, &[3, 4, 4]), 4),
        (terms(4, &[4, 4]), 4),
        // Conflicts with existing entries.
        (terms(1, &[4, 4]), 1),
        (terms(2, &[1, 4, 4]), 2),
        (terms(3, &[1, 2, 4, 4]), 3),
    ];
    for (i, (ents, want)) in cases.into_iter().enumerate() {
        let mut l = new_log(MemoryStorage::new());
        l.append(&previous);
        assert_eq!(l.find_conflict(&ents), want, "#{}", i);
    }
}

#[test]
fn find_conflict_logs_the_conflict() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Debug)));
    let mut l = RaftLog::new_log(MemoryStorage::new(), logger.clone());
    l.append(&terms(1, &[1, 2, 3]));
    assert_eq!(l.find_conflict(&terms(2, &[2, 4, 4])), 3);
    // A new entry past the end is not a conflict and is not logged.
    assert_eq!(l.find_conflict(&terms(3, &[3, 3])), 4);
    assert_eq!(
        logger.take(),
        vec!["INFO found conflict at index 3 [existing term: 3, conflicting term: 4]"]
    );
}

#[test]
fn find_conflict_by_term() {
    let a = terms(0, &[0, 2, 2, 5, 5, 5]);
    let b = terms(10, &[3, 3, 3, 4, 4, 4]);
    // (entries, whose first one stands for the snapshot; index; term; want index)
    let cases: Vec<(&[Entry], u64, u64, u64)> = vec![
        // The log starts at index 1.
        (&a, 100, 2, 100), // unavailable
        (&a, 5, 6, 5),
        (&a, 5, 5, 5),
        (&a, 5, 4, 2),
        (&a, 5, 2, 2),
        (&a, 5, 1, 0),
        (&a, 1, 2, 1),
        (&a, 1, 1, 0),
        (&a, 0, 0, 0),
        // The log has compacted entries.
        (&b, 30, 3, 30), // unavailable
        (&b, 14, 9, 14),
        (&b, 14, 4, 14),
        (&b, 14, 3, 12),
        (&b, 14, 2, 9),
        (&b, 11, 5, 11),
        (&b, 10, 5, 10),
        (&b, 10, 3, 10),
        (&b, 10, 2, 9),
        (&b, 9, 2, 9), // compacted
        (&b, 4, 2, 4), // compacted
        (&b, 0, 0, 0), // compacted
    ];
    for (i, (ents, index, term, want)) in cases.into_iter().enumerate() {
        let mut l = new_log(storage_with_snap(ents[0].index, ents[0].term));
        l.append(&ents[1..]);
        let (gi, gt) = l.find_conflict_by_term(index, term);
        assert_eq!(gi, want, "#{}", i);
        assert_eq!(gt, l.zero_term_on_out_of_bounds(l.term(gi)), "#{}", i);
    }
}

#[test]
fn is_up_to_date() {
    let mut l = new_log(MemoryStorage::new());
    l.append(&terms(1, &[1, 2, 3]));
    let last = l.last_index();
    let cases = [
        // A greater term wins whatever the index.
        (last - 1, 4, true),
        (last, 4, true),
        (last + 1, 4, true),
        // A smaller term loses whatever the index.
        (last - 1, 2, false),
        (last, 2, false),
        (last + 1, 2, false),
        // Equal terms: an equal or larger index wins.
        (last - 1, 3, false),
        (last, 3, true),
        (last + 1, 3, true),
    ];
    for (i, (index, term, want)) in cases.into_iter().enumerate() {
        assert_eq!(l.is_up_to_date(id(index, term)), want, "#{}", i);
    }
    assert_eq!(l.last_entry_id(), EntryID { term: 3, index: 3 });
    assert_eq!(l.last_term(), 3);
}

#[test]
fn append() {
    let previous = terms(1, &[1, 2]);
    let cases: Vec<(Vec<Entry>, u64, Vec<Entry>, u64)> = vec![
        (vec![], 2, terms(1, &[1, 2]), 3),
        (terms(3, &[2]), 3, terms(1, &[1, 2, 2]), 3),
        // Conflicts with index 1.
        (terms(1, &[2]), 1, terms(1, &[2]), 1),
        // Conflicts with index 2.
        (terms(2, &[3, 3]), 3, terms(1, &[1, 3, 3]), 2),
    ];
    for (i, (ents, windex, wents, wunstable)) in cases.into_iter().enumerate() {
        let mut s = MemoryStorage::new();
        s.append(&previous).unwrap();
        let mut l = new_log(s);
        assert_eq!(l.append(&ents), windex, "#{}", i);
        assert_eq!(l.entries(1, NO_LIMIT), Ok(wents), "#{}", i);
        assert_eq!(l.unstable.offset, wunstable, "#{}", i);
    }
}

#[test]
#[should_panic(expected = "after(1) is out of range [committed(2)]")]
fn append_below_commit_panics() {
    let mut l = new_log(MemoryStorage::new());
    l.append(&terms(1, &[1, 2, 3]));
    l.committed = 2;
    l.append(&terms(2, &[4]));
}

#[test]
fn maybe_append() {
    let previous = terms(1, &[1, 2, 3]);
    let (lastindex, lastterm, commit) = (3u64, 3u64, 1u64);
    // (prev index, prev term, committed, entries, want last new index, want commit, want panic)
    #[allow(clippy::type_complexity)]
    let cases: Vec<(u64, u64, u64, Vec<Entry>, Option<u64>, u64, bool)> = vec![
        // No match: the term differs.
        (
            lastindex,
            lastterm - 1,
            lastindex,
            terms(lastindex + 1, &[4]),
            None,
            commit,
            false,
        ),
        // No match: the index is past the end.
        (
            lastindex + 1,
            lastterm,
            lastindex,
            terms(lastindex + 2, &[4]),
            None,
            commit,
            false,
        ),
        // Match with the last entry.
        (
            lastindex,
            lastterm,
            lastindex,
            vec![],
            Some(lastindex),
            lastindex,
            false,
        ),
        // The commit index does not go past the last new entry.
        (
            lastindex,
            lastterm,
            lastindex + 1,
            vec![],
            Some(lastindex),
            lastindex,
            false,
        ),
        (
            lastindex,
            lastterm,
            lastindex - 1,
            vec![],
            Some(lastindex),
            lastindex - 1,
            false,
        ),
        // The commit index never goes down.
        (
            lastindex,
            lastterm,
            0,
            vec![],
            Some(lastindex),
            commit,
            false,
        ),
        (0, 0, lastindex, vec![], Some(0), commit, false),
        (
            lastindex,
            lastterm,
            lastindex,
            terms(lastindex + 1, &[4]),
            Some(lastindex + 1),
            lastindex,
            false,
        ),
        (
            lastindex,
            lastterm,
            lastindex + 1,
            terms(lastindex + 1, &[4]),
            Some(lastindex + 1),
            lastindex + 1,
            false,
        ),
        (
            lastindex,
            lastterm,
            lastindex + 2,
            terms(lastindex + 1, &[4]),
            Some(lastindex + 1),
            lastindex + 1,
            false,
        ),
        (
            lastindex,
            lastterm,
            lastindex + 2,
            terms(lastindex + 1, &[4, 4]),
            Some(lastindex + 2),
            lastindex + 2,
            false,
        ),
        // Match with an entry in the middle.
        (
            lastindex - 1,
            lastterm - 1,
            lastindex,
            terms(lastindex, &[4]),
            Some(lastindex),
            lastindex,
            false,
        ),
        (
            lastindex - 2,
            lastterm - 2,
            lastindex,
            terms(lastindex - 1, &[4]),
            Some(lastindex - 1),
            lastindex - 1,
            false,
        ),
        // Conflicts with a committed entry.
        (
            lastindex - 3,
            lastterm - 3,
            lastindex,
            terms(lastindex - 2, &[4]),
            None,
            0,
            true,
        ),
        (
            lastindex - 2,
            lastterm - 2,
            lastindex,
            terms(lastindex - 1, &[4, 4]),
            Some(lastindex),
            lastindex,
            false,
        ),
    ];
    for (i, (pi, pt, committed, ents, wlasti, wcommit, wpanic)) in cases.into_iter().enumerate() {
        let mut l = new_log(MemoryStorage::new());
        l.append(&previous);
        l.committed = commit;
        if wpanic {
            assert!(panics(|| {
                l.maybe_append(
                    LogSlice {
                        term: 100,
                        prev: id(pi, pt),
                        entries: ents.clone(),
                    },
                    committed,
                );
            }));
            continue;
        }
        assert_eq!(
            l.maybe_append(
                LogSlice {
                    term: 100,
                    prev: id(pi, pt),
                    entries: ents.clone()
                },
                committed
            ),
            wlasti,
            "#{}",
            i
        );
        assert_eq!(l.committed, wcommit, "#{}", i);
        if wlasti.is_some() && !ents.is_empty() {
            let last = l.last_index();
            assert_eq!(
                l.slice(last - ents.len() as u64 + 1, last + 1, NO_LIMIT),
                Ok(ents),
                "#{}",
                i
            );
        }
    }
}

#[test]
fn compaction_side_effects() {
    // 750 entries in storage and 250 in the unstable log.
    let (last_index, unstable_index) = (1000u64, 750u64);
    let mut s = MemoryStorage::new();
    s.append(&term_range(1, 1, unstable_index + 1)).unwrap();
    let mut l = new_log(s);
    l.append(&term_range(
        unstable_index + 1,
        unstable_index + 1,
        last_index + 1,
    ));
    let last = l.last_entry_id();
    assert!(l.maybe_commit(last));
    l.applied_to(l.committed, 0);

    let offset = 500;
    l.storage.compact(offset).unwrap();
    assert_eq!(l.last_index(), last_index);
    for j in offset..=l.last_index() {
        assert_eq!(l.term(j), Ok(j));
        assert!(l.match_term(id(j, j)));
    }
    let unstable = l.next_unstable_ents();
    assert_eq!(unstable.len(), 250);
    assert_eq!(unstable[0].index, 751);

    let prev = l.last_index();
    l.append(&[Entry {
        index: prev + 1,
        term: prev + 1,
        ..Default::default()
    }]);
    assert_eq!(l.last_index(), prev + 1);
    assert_eq!(l.entries(l.last_index(), NO_LIMIT).unwrap().len(), 1);
    // Reading below the compaction point fails without panicking.
    assert_eq!(l.term(offset - 1), Err(Error::Compacted));
    assert_eq!(
        l.slice(offset - 1, offset + 1, NO_LIMIT),
        Err(Error::Compacted)
    );
    assert_eq!(l.entries(offset - 1, NO_LIMIT), Err(Error::Compacted));
}

/// A log with a snapshot at (3, 1), entry 4 in storage, entries 4..=6 of term 1 appended and
/// 5 committed, as in etcd's applying tests.
fn applying_log(
    max_size: u64,
    applied: u64,
    applying: u64,
    allow_unstable: bool,
) -> RaftLog<MemoryStorage> {
    let ents = terms(4, &[1, 1, 1]);
    let mut s = storage_with_snap(3, 1);
    s.append(&ents[..1]).unwrap();
    let mut l = RaftLog::new_log_with_size(s, discard_logger(), max_size);
    l.append(&ents);
    l.stable_to(id(4, 1));
    l.maybe_commit(id(5, 1));
    l.applied_to(applied, 0);
    l.accept_applying(applying, 0, allow_unstable);
    l
}

#[test]
fn has_next_and_next_committed_ents() {
    let ents = terms(4, &[1, 1, 1]);
    // (applied, applying, allow unstable, paused, snapshot pending, want)
    let cases: Vec<(u64, u64, bool, bool, bool, Vec<Entry>)> = vec![
        (3, 3, true, false, false, ents[..2].to_vec()),
        (3, 4, true, false, false, ents[1..2].to_vec()),
        (3, 5, true, false, false, vec![]),
        (4, 4, true, false, false, ents[1..2].to_vec()),
        (4, 5, true, false, false, vec![]),
        (5, 5, true, false, false, vec![]),
        // Unstable entries not allowed.
        (3, 3, false, false, false, ents[..1].to_vec()),
        (3, 4, false, false, false, vec![]),
        (3, 5, false, false, false, vec![]),
        (4, 4, false, false, false, vec![]),
        (4, 5, false, false, false, vec![]),
        (5, 5, false, false, false, vec![]),
        // Paused.
        (3, 3, true, true, false, vec![]),
        // A snapshot is pending.
        (3, 3, true, false, true, vec![]),
    ];
    for (i, (applied, applying, allow, paused, with_snap, want)) in cases.into_iter().enumerate() {
        let mut l = applying_log(NO_LIMIT, applied, applying, allow);
        l.applying_ents_paused = paused;
        if with_snap {
            l.restore(snap(4, 1));
        }
        assert_eq!(l.has_next_committed_ents(allow), !want.is_empty(), "#{}", i);
        assert_eq!(l.next_committed_ents(allow), want, "#{}", i);
    }
}

#[test]
fn next_committed_ents_respects_the_size_limit() {
    let one = terms(4, &[1])[0].size();
    let mut l = applying_log(one, 3, 3, true);
    // Accepting 3 while 5 was appliable paused application (the size limit looked hit);
    // acknowledging it resumes.
    assert!(l.applying_ents_paused);
    l.applied_to(3, 0);
    assert!(!l.applying_ents_paused);
    // Only one entry fits; handing it out pauses further ones until acknowledged.
    let ents = l.next_committed_ents(true);
    assert_eq!(ents, terms(4, &[1]));
    l.accept_applying(4, ents_size(&ents), true);
    assert!(l.applying_ents_paused);
    assert!(!l.has_next_committed_ents(true));
    assert!(l.next_committed_ents(true).is_empty());
    l.applied_to(4, one);
    assert!(!l.applying_ents_paused);
    assert_eq!(l.next_committed_ents(true), terms(5, &[1]));
}

#[test]
fn accept_applying() {
    let max = 100;
    // (index, allow unstable, size, want paused)
    let cases = [
        (3, true, max - 1, true),
        (3, true, max, true),
        (3, true, max + 1, true),
        (4, true, max - 1, true),
        (4, true, max, true),
        (4, true, max + 1, true),
        (5, true, max - 1, false),
        (5, true, max, true),
        (5, true, max + 1, true),
        // Unstable entries not allowed.
        (3, false, max - 1, true),
        (3, false, max, true),
        (3, false, max + 1, true),
        (4, false, max - 1, false),
        (4, false, max, true),
        (4, false, max + 1, true),
        (5, false, max - 1, false),
        (5, false, max, true),
        (5, false, max + 1, true),
    ];
    for (i, (index, allow, size, wpaused)) in cases.into_iter().enumerate() {
        let mut l = applying_log(max, 3, 3, true);
        l.accept_applying(index, size, allow);
        assert_eq!(l.applying_ents_paused, wpaused, "#{}", i);
    }
}

#[test]
fn applied_to() {
    let (max, overshoot) = (100u64, 5u64);
    // (index, size, want applying size, want paused)
    let cases = [
        // Apply some of the entries being applied (applying is 5).
        (4, overshoot - 1, max + 1, true),
        (4, overshoot, max, true),
        (4, overshoot + 1, max - 1, false),
        // Apply all of them.
        (5, overshoot - 1, max + 1, true),
        (5, overshoot, max, true),
        (5, overshoot + 1, max - 1, false),
        // Acknowledge all outstanding bytes.
        (4, max + overshoot, 0, false),
        // Acknowledging more than outstanding does not underflow.
        (4, max + overshoot + 1, 0, false),
    ];
    for (i, (index, size, wsize, wpaused)) in cases.into_iter().enumerate() {
        let mut l = applying_log(max, 3, 3, true);
        l.accept_applying(5, max + overshoot, false);
        l.applied_to(index, size);
        assert_eq!(l.applied, index, "#{}", i);
        assert_eq!(l.applying, 5, "#{}", i);
        assert_eq!(l.applying_ents_size, wsize, "#{}", i);
        assert_eq!(l.applying_ents_paused, wpaused, "#{}", i);
    }
}

#[test]
fn applied_to_out_of_range_panics() {
    let mut l = applying_log(NO_LIMIT, 4, 4, true);
    assert!(panics(|| l.applied_to(6, 0)), "past committed");
    let mut l = applying_log(NO_LIMIT, 4, 4, true);
    assert!(panics(|| l.applied_to(3, 0)), "below applied");
    let mut l = applying_log(NO_LIMIT, 4, 4, true);
    assert!(
        panics(|| l.accept_applying(6, 0, true)),
        "applying past committed"
    );
}

#[test]
fn next_unstable_ents() {
    let previous = terms(1, &[1, 2]);
    for (unstable, want) in [(3usize, vec![]), (1, previous.clone())] {
        let mut s = MemoryStorage::new();
        s.append(&previous[..unstable - 1]).unwrap();
        let mut l = new_log(s);
        l.append(&previous[unstable - 1..]);
        let ents = l.next_unstable_ents().to_vec();
        assert_eq!(l.has_next_unstable_ents(), !ents.is_empty());
        if let Some(last) = ents.last() {
            l.stable_to(id(last.index, last.term));
        }
        assert_eq!(ents, want);
        assert_eq!(l.unstable.offset, previous.last().unwrap().index + 1);
        assert!(!l.has_next_or_in_progress_unstable_ents());
    }
}

#[test]
fn accept_unstable_hides_in_progress_entries_and_snapshot() {
    let mut l = new_log(MemoryStorage::new());
    l.append(&terms(1, &[1, 1]));
    assert!(l.has_next_unstable_ents());
    l.accept_unstable();
    assert!(!l.has_next_unstable_ents());
    assert!(l.has_next_or_in_progress_unstable_ents());
    l.append(&terms(3, &[1]));
    assert_eq!(l.next_unstable_ents(), &terms(3, &[1])[..]);

    l.restore(snap(5, 2));
    assert!(l.has_next_unstable_snapshot());
    assert_eq!(l.next_unstable_snapshot(), Some(&snap(5, 2)));
    l.accept_unstable();
    assert!(!l.has_next_unstable_snapshot());
    assert!(l.has_next_or_in_progress_snapshot());
    assert_eq!(l.snapshot(), Ok(snap(5, 2)));
    l.stable_snap_to(5);
    assert!(!l.has_next_or_in_progress_snapshot());
}

#[test]
fn commit_to() {
    let previous = terms(1, &[1, 2, 3]);
    for (commit, wcommit, wpanic) in [(3, 3, false), (1, 2, false), (4, 0, true)] {
        let mut l = new_log(MemoryStorage::new());
        l.append(&previous);
        l.committed = 2;
        if wpanic {
            assert!(panics(|| l.commit_to(commit)));
        } else {
            l.commit_to(commit);
            assert_eq!(l.committed, wcommit);
        }
    }
}

#[test]
fn commit_to_out_of_range_logs_fatal() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Debug)));
    let mut l = RaftLog::new_log(MemoryStorage::new(), logger.clone());
    l.append(&terms(1, &[1]));
    assert!(panics(|| l.commit_to(4)));
    assert_eq!(
            logger.take(),
            vec!["FATAL tocommit(4) is out of range [lastIndex(1)]. Was the raft log corrupted, truncated, or lost?"]
        );
}

#[test]
fn maybe_commit_needs_a_matching_nonzero_term() {
    let mut l = new_log(MemoryStorage::new());
    l.append(&terms(1, &[1, 2, 2]));
    assert!(!l.maybe_commit(id(2, 1)), "term mismatch");
    assert!(!l.maybe_commit(id(3, 0)), "term 0");
    assert!(l.maybe_commit(id(2, 2)));
    assert_eq!(l.committed, 2);
    assert!(!l.maybe_commit(id(2, 2)), "not new");
    assert!(!l.maybe_commit(id(1, 1)), "not new");
    assert!(l.maybe_commit(id(3, 2)));
    assert_eq!(l.committed, 3);
}

#[test]
fn stable_to() {
    for (i, (index, term, wunstable)) in [(1, 1, 2), (2, 2, 3), (2, 1, 1), (3, 1, 1)]
        .into_iter()
        .enumerate()
    {
        let mut l = new_log(MemoryStorage::new());
        l.append(&terms(1, &[1, 2]));
        l.stable_to(id(index, term));
        assert_eq!(l.unstable.offset, wunstable, "#{}", i);
    }
}

#[test]
fn stable_to_with_snap() {
    let (si, st) = (5u64, 2u64);
    let cases: Vec<(u64, u64, Vec<Entry>, u64)> = vec![
        (si + 1, st, vec![], si + 1),
        (si, st, vec![], si + 1),
        (si - 1, st, vec![], si + 1),
        (si + 1, st + 1, vec![], si + 1),
        (si, st + 1, vec![], si + 1),
        (si - 1, st + 1, vec![], si + 1),
        (si + 1, st, terms(si + 1, &[st]), si + 2),
        (si, st, terms(si + 1, &[st]), si + 1),
        (si - 1, st, terms(si + 1, &[st]), si + 1),
        (si + 1, st + 1, terms(si + 1, &[st]), si + 1),
        (si, st + 1, terms(si + 1, &[st]), si + 1),
        (si - 1, st + 1, terms(si + 1, &[st]), si + 1),
    ];
    for (i, (index, term, ents, wunstable)) in cases.into_iter().enumerate() {
        let mut l = new_log(storage_with_snap(si, st));
        l.append(&ents);
        l.stable_to(id(index, term));
        assert_eq!(l.unstable.offset, wunstable, "#{}", i);
    }
}

#[test]
fn compaction() {
    // (compaction points, entries left after each, or None where compaction is refused)
    let cases: Vec<(Vec<u64>, Vec<Option<usize>>)> = vec![
        // Past the last index.
        (vec![1001], vec![None]),
        (
            vec![300, 500, 800, 900],
            vec![Some(700), Some(500), Some(200), Some(100)],
        ),
        // Below the first index.
        (vec![300, 299], vec![Some(700), None]),
    ];
    for (i, (compact, wleft)) in cases.into_iter().enumerate() {
        let mut s = MemoryStorage::new();
        s.append(&term_range(1, 1, 1001)).unwrap();
        let mut l = new_log(s);
        l.applied_to(l.committed, 0);
        for (c, w) in compact.into_iter().zip(wleft) {
            match (l.storage.compact(c), w) {
                (Ok(()), Some(n)) => assert_eq!(l.all_entries().len(), n, "#{}", i),
                (Err(_), None) => {}
                (r, w) => panic!("#{}: compact({}) = {:?}, want {:?}", i, c, r, w),
            }
        }
    }
}

#[test]
fn new_log_starts_at_the_storage_snapshot() {
    let (index, term) = (1000, 1000);
    let l = new_log(storage_with_snap(index, term));
    assert!(l.all_entries().is_empty());
    assert_eq!(l.first_index(), index + 1);
    assert_eq!(l.committed, index);
    assert_eq!(l.applied, index);
    assert_eq!(l.applying, index);
    assert_eq!(l.unstable.offset, index + 1);
    assert_eq!(l.term(index), Ok(term));
}

#[test]
fn restore_logs_and_resets() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
    let mut l = RaftLog::new_log(MemoryStorage::new(), logger.clone());
    l.restore(snap(11, 1));
    assert_eq!(
            logger.take(),
            vec!["INFO log [committed=0, applied=0, applying=0, unstable.offset=1, unstable.offsetInProgress=1, len(unstable.Entries)=0] starts to restore snapshot [index: 11, term: 1]"]
        );
    assert_eq!(l.committed, 11);
    assert_eq!(l.first_index(), 12);
    assert_eq!(l.last_index(), 11);
    assert_eq!(l.last_entry_id(), EntryID { term: 1, index: 11 });
    assert_eq!(
            l.to_string(),
            "committed=11, applied=0, applying=0, unstable.offset=12, unstable.offsetInProgress=12, len(unstable.Entries)=0"
        );
}

#[test]
fn must_check_out_of_bounds() {
    let (offset, num) = (100u64, 100u64);
    let mut l = new_log(storage_with_snap(offset, 0));
    l.append(&term_range(offset + 1, offset + 1, offset + num + 1));
    let first = offset + 1;
    // (lo, hi, want panic, want compacted)
    let cases = [
        (first - 2, first + 1, false, true),
        (first - 1, first + 1, false, true),
        (first, first, false, false),
        (first + num / 2, first + num / 2, false, false),
        (first + num - 1, first + num - 1, false, false),
        (first + num, first + num, false, false),
        (first + num, first + num + 1, true, false),
        (first + num + 1, first + num + 1, true, false),
    ];
    for (i, (lo, hi, wpanic, wcompacted)) in cases.into_iter().enumerate() {
        if wpanic {
            assert!(
                panics(|| {
                    let _ = l.must_check_out_of_bounds(lo, hi);
                }),
                "#{}",
                i
            );
            continue;
        }
        let want = if wcompacted {
            Err(Error::Compacted)
        } else {
            Ok(())
        };
        assert_eq!(l.must_check_out_of_bounds(lo, hi), want, "#{}", i);
    }
}

#[test]
fn term() {
    let (offset, num) = (100u64, 100u64);
    let mut l = new_log(storage_with_snap(offset, 1));
    l.append(&term_range(offset + 1, 1, num));
    let cases = [
        (offset - 1, Err(Error::Compacted)),
        (offset, Ok(1)),
        (offset + num / 2, Ok(num / 2)),
        (offset + num - 1, Ok(num - 1)),
        (offset + num, Err(Error::Unavailable)),
    ];
    for (i, (index, want)) in cases.into_iter().enumerate() {
        assert_eq!(l.term(index), want, "#{}", i);
    }
    assert_eq!(l.zero_term_on_out_of_bounds(l.term(offset - 1)), 0);
    assert_eq!(l.zero_term_on_out_of_bounds(l.term(offset + num)), 0);
    assert_eq!(l.zero_term_on_out_of_bounds(l.term(offset)), 1);
}

#[test]
fn term_with_unstable_snapshot() {
    let storage_snap = 100u64;
    let unstable_snap = storage_snap + 5;
    let mut l = new_log(storage_with_snap(storage_snap, 1));
    l.restore(snap(unstable_snap, 1));
    let cases = [
        // Storage's entries are hidden behind the unstable snapshot.
        (storage_snap, Err(Error::Compacted)),
        // So is the gap between them.
        (storage_snap + 1, Err(Error::Compacted)),
        (unstable_snap - 1, Err(Error::Compacted)),
        (unstable_snap, Ok(1)),
        // Nothing follows the unstable snapshot.
        (unstable_snap + 1, Err(Error::Unavailable)),
    ];
    for (i, (index, want)) in cases.into_iter().enumerate() {
        assert_eq!(l.term(index), want, "#{}", i);
    }
}

/// A log with a snapshot at `offset`, `[offset+1, half)` in storage and `[half, last)`
/// unstable, entries' terms equal to their indexes. The offset is chosen so every entry
/// encodes to the same size.
fn split_log(offset: u64, num: u64) -> RaftLog<MemoryStorage> {
    let half = offset + num / 2;
    let mut s = storage_with_snap(offset, 0);
    s.append(&term_range(offset + 1, offset + 1, half)).unwrap();
    let mut l = new_log(s);
    l.append(&term_range(half, half, offset + num));
    l
}

#[test]
fn slice() {
    let (offset, num) = (200u64, 100u64);
    let (last, half) = (offset + num, offset + num / 2);
    let l = split_log(offset, num);
    let ents = |from: u64, to: u64| term_range(from, from, to);
    let sz = ents(half, half + 1)[0].size();
    assert_eq!(
        ents(offset + 1, last).iter().map(Entry::size).max(),
        Some(sz),
        "entries must be equally sized"
    );

    // Compacted.
    assert_eq!(
        l.slice(offset - 1, offset + 1, NO_LIMIT),
        Err(Error::Compacted)
    );
    assert_eq!(l.slice(offset, offset + 1, NO_LIMIT), Err(Error::Compacted));
    // Inverted range, and past the end.
    assert!(panics(|| {
        let _ = l.slice(half, half - 1, NO_LIMIT);
    }));
    assert!(panics(|| {
        let _ = l.slice(last, last + 1, NO_LIMIT);
    }));

    let cases: Vec<(u64, u64, u64, Vec<Entry>)> = vec![
        // No limit.
        (offset + 1, offset + 1, NO_LIMIT, vec![]),
        (offset + 1, half - 1, NO_LIMIT, ents(offset + 1, half - 1)),
        (offset + 1, half, NO_LIMIT, ents(offset + 1, half)),
        (offset + 1, half + 1, NO_LIMIT, ents(offset + 1, half + 1)),
        (offset + 1, last, NO_LIMIT, ents(offset + 1, last)),
        (half - 1, half, NO_LIMIT, ents(half - 1, half)),
        (half - 1, half + 1, NO_LIMIT, ents(half - 1, half + 1)),
        (half - 1, last, NO_LIMIT, ents(half - 1, last)),
        (half, half + 1, NO_LIMIT, ents(half, half + 1)),
        (half, last, NO_LIMIT, ents(half, last)),
        (last - 1, last, NO_LIMIT, ents(last - 1, last)),
        // At least one entry comes back.
        (offset + 1, last, 0, ents(offset + 1, offset + 2)),
        (half - 1, half + 1, 0, ents(half - 1, half)),
        (half, last, 0, ents(half, half + 1)),
        (half + 1, last, 0, ents(half + 1, half + 2)),
        // Below one entry.
        (offset + 1, last, sz - 1, ents(offset + 1, offset + 2)),
        (half - 1, half + 1, sz - 1, ents(half - 1, half)),
        (half, last, sz - 1, ents(half, half + 1)),
        // Exactly one entry.
        (offset + 1, last, sz, ents(offset + 1, offset + 2)),
        (half - 1, half + 1, sz, ents(half - 1, half)),
        (half, last, sz, ents(half, half + 1)),
        // Not enough for two.
        (offset + 1, last, sz + 1, ents(offset + 1, offset + 2)),
        (half - 1, half + 1, sz + 1, ents(half - 1, half)),
        (half, last, sz + 1, ents(half, half + 1)),
        // Exactly two, across the storage/unstable boundary too.
        (offset + 1, last, sz * 2, ents(offset + 1, offset + 3)),
        (half - 2, half + 1, sz * 2, ents(half - 2, half)),
        (half - 1, half + 1, sz * 2, ents(half - 1, half + 1)),
        (half, last, sz * 2, ents(half, half + 2)),
        // Not enough for three.
        (half - 2, half + 1, sz * 3 - 1, ents(half - 2, half)),
        // Exactly three.
        (half - 1, half + 2, sz * 3, ents(half - 1, half + 2)),
    ];
    for (i, (lo, hi, lim, want)) in cases.into_iter().enumerate() {
        assert_eq!(
            l.slice(lo, hi, lim),
            Ok(want),
            "#{} slice({}, {}, {})",
            i,
            lo,
            hi,
            lim
        );
    }
}

#[test]
fn scan() {
    let (offset, num) = (200u64, 20u64);
    let (last, half) = (offset + num, offset + num / 2);
    let l = split_log(offset, num);
    let entry_size = term_range(half, half, half + 1)[0].size();

    // scan() yields the same entries as slice(), in pages within the limit.
    for page_size in [0, 1, 10, 100, entry_size, entry_size + 1] {
        for lo in offset + 1..last {
            for hi in lo..=last {
                let mut got = Vec::new();
                l.scan(lo, hi, page_size, |e| {
                    assert!(e.len() == 1 || ents_size(e) <= page_size);
                    got.extend_from_slice(e);
                    true
                })
                .unwrap();
                assert_eq!(
                    Ok(got),
                    l.slice(lo, hi, NO_LIMIT),
                    "[{}, {}) @ {}",
                    lo,
                    hi,
                    page_size
                );
            }
        }
    }

    // The visitor can stop the scan early.
    let mut iters = 0;
    let r = l.scan(offset + 1, half, 0, |_| {
        iters += 1;
        iters < 2
    });
    assert_eq!(r, Ok(()));
    assert_eq!(iters, 2);

    // Pages are filled up to the limit, not one entry at a time.
    l.scan(offset + 1, offset + 11, entry_size * 2, |e| {
        assert_eq!(e.len(), 2);
        assert_eq!(ents_size(e), entry_size * 2);
        true
    })
    .unwrap();

    // A compacted range is an error.
    assert_eq!(
        l.scan(offset, half, NO_LIMIT, |_| true),
        Err(Error::Compacted)
    );
}

#[test]
fn log_slice_validity() {
    let ok = LogSlice {
        term: 3,
        prev: id(1, 1),
        entries: terms(2, &[1, 2, 3]),
    };
    assert_eq!(ok.valid(), Ok(()));
    assert_eq!(ok.last_index(), 4);
    assert_eq!(ok.last_entry_id(), id(4, 3));
    let empty = LogSlice {
        term: 3,
        prev: id(1, 1),
        entries: vec![],
    };
    assert_eq!(empty.last_entry_id(), id(1, 1));
    let gap = LogSlice {
        term: 3,
        prev: id(1, 1),
        entries: terms(3, &[1]),
    };
    assert_eq!(
        gap.valid(),
        Err("leader term 3: entries {term:1 index:1} and {term:1 index:3} not consistent".into())
    );
    let regress = LogSlice {
        term: 3,
        prev: id(1, 2),
        entries: terms(2, &[1]),
    };
    assert!(regress.valid().is_err());
    // maybe_append takes a LogSlice.
    let mut l = new_log(MemoryStorage::new());
    l.append(&terms(1, &[1]));
    assert_eq!(l.maybe_append(ok.clone(), 4), Some(4));
    assert_eq!(l.committed, 4);
    assert_eq!(
        l.maybe_append(
            LogSlice {
                term: 3,
                prev: id(9, 3),
                entries: vec![]
            },
            4
        ),
        None
    );
    let newer = LogSlice {
        term: 2,
        prev: id(1, 1),
        entries: terms(2, &[3]),
    };
    assert_eq!(
        newer.valid(),
        Err("leader term 2: entry {term:3 index:2} has a newer term".into())
    );
}

#[test]
fn set_logger_reaches_the_unstable_log() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
    let mut l = new_log(MemoryStorage::new());
    l.set_logger(logger.clone());
    l.append(&terms(1, &[1, 1]));
    l.append(&terms(1, &[2]));
    l.stable_to(id(5, 1));
    assert_eq!(
        logger.take(),
        vec![
            "INFO replace the unstable entries from index 1",
            "INFO entry at index 5 missing from unstable log; ignoring"
        ]
    );
}

#[test]
fn clone_is_independent() {
    let mut l = new_log(MemoryStorage::new());
    l.append(&terms(1, &[1, 1]));
    let snapshot = l.clone();
    l.storage.append(&terms(1, &[1, 1])).unwrap();
    l.stable_to(id(2, 1));
    l.commit_to(2);
    assert_eq!(snapshot.committed, 0);
    assert_eq!(snapshot.unstable.entries.len(), 2);
    assert_eq!(snapshot.storage.last_index(), Ok(0));
    assert_eq!(l.all_entries(), snapshot.all_entries());
}
