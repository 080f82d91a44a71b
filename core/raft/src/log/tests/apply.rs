//! The commit, apply and stable cursors, and what compaction leaves of them.

use super::*;

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
