//! Tests of the unstable tail (after etcd's log_unstable_test.go).

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
    for (i, (ents, offset, oip, to_append, woffset, woip, wents)) in cases.into_iter().enumerate() {
        let mut u = unstable(ents, offset, None);
        u.offset_in_progress = oip;
        u.truncate_and_append(to_append);
        assert_eq!(u.offset, woffset, "#{} offset", i);
        assert_eq!(u.offset_in_progress, woip, "#{} offset in progress", i);
        assert_eq!(u.entries, wents, "#{} entries", i);
    }
}

#[test]
fn truncate_and_append_logs() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
    let mut u = Unstable::new(5, logger.clone());
    u.truncate_and_append(vec![ent(5, 1), ent(6, 1), ent(7, 1)]);
    u.truncate_and_append(vec![ent(6, 2)]);
    u.truncate_and_append(vec![ent(4, 3)]);
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
