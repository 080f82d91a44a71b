//! Appending: conflicts with what the log holds, `maybe_append`, up-to-dateness.

use super::*;

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
