//! Reading the log: terms, slices and scans across storage and the unstable tail; compaction,
//! restore and bounds.

use super::*;

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
