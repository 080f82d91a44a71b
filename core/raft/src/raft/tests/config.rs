//! Building a node: `Config::validate`'s rules and texts, the defaults `Raft::new` applies, and
//! the storage contradictions it refuses.

use super::harness::*;
use crate::logger::{BufferLogger, Level};
use crate::raft::*;
use std::rc::Rc;

#[test]
fn config_validate_reports_etcd_texts() {
    let ok = test_config(1, 10, 1);
    assert!(ok.validate().is_ok());
    let cases: Vec<(Config, &str)> = vec![
        (
            Config {
                id: 0,
                ..ok.clone()
            },
            "cannot use none as id",
        ),
        (
            Config {
                id: u64::MAX,
                ..ok.clone()
            },
            "cannot use local target as id",
        ),
        (
            Config {
                id: u64::MAX - 1,
                ..ok.clone()
            },
            "cannot use local target as id",
        ),
        (
            Config {
                heartbeat_tick: 0,
                ..ok.clone()
            },
            "heartbeat tick must be greater than 0",
        ),
        (
            Config {
                election_tick: 1,
                ..ok.clone()
            },
            "election tick must be greater than heartbeat tick",
        ),
        (
            Config {
                max_inflight_msgs: 0,
                ..ok.clone()
            },
            "max inflight messages must be greater than 0",
        ),
        (
            Config {
                max_size_per_msg: 1024,
                max_inflight_bytes: 1023,
                ..ok.clone()
            },
            "max inflight bytes must be >= max message size",
        ),
        (
            Config {
                read_only_option: ReadOnlyOption::ReadOnlyLeaseBased,
                ..ok.clone()
            },
            "CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased",
        ),
    ];
    for (c, want) in cases {
        assert_eq!(c.validate(), Err(Error::Config(want.to_string())));
        assert_eq!(
            Raft::new(&c, storage_with_peers(&[1]))
                .unwrap_err()
                .to_string(),
            want
        );
    }
    // Zero inflight bytes means no limit, whatever the message size.
    assert!(Config {
        max_size_per_msg: 1024,
        max_inflight_bytes: 0,
        ..ok.clone()
    }
    .validate()
    .is_ok());
    let lease = Config {
        read_only_option: ReadOnlyOption::ReadOnlyLeaseBased,
        check_quorum: true,
        ..ok
    };
    assert!(lease.validate().is_ok());
}

#[test]
fn new_raft_applies_size_defaults() {
    let c = Config {
        max_size_per_msg: 100,
        ..test_config(1, 10, 1)
    };
    let r = Raft::new(&c, storage_with_peers(&[1])).unwrap();
    assert_eq!(r.max_uncommitted_size, NO_LIMIT);
    assert_eq!(
        r.raft_log.max_applying_ents_size, 100,
        "defaults to max_size_per_msg"
    );
    assert_eq!(r.trk.max_inflight_bytes, NO_LIMIT);
}

#[test]
fn new_raft_logs_like_etcd() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Debug)));
    let mut s = storage_with_peers(&[1, 2, 3]);
    s.append(&ents(1, &[1, 1, 1])).unwrap();
    s.set_hard_state(HardState {
        term: 1,
        vote: 0,
        commit: 3,
    });
    let c = Config {
        applied: 3,
        logger: Some(logger.clone()),
        ..test_config(1, 10, 1)
    };
    let r = Raft::new(&c, s).unwrap();
    assert_eq!(r.term, 1);
    assert_eq!(r.raft_log.committed, 3);
    assert_eq!(
            logger.take(),
            vec![
                "INFO 1 switched to configuration voters=(1 2 3)",
                "INFO 1 became follower at term 1",
                "INFO newRaft 1 [peers: [1,2,3], term: 1, commit: 3, applied: 3, lastindex: 3, lastterm: 1]",
            ]
        );
}

#[test]
fn new_raft_refuses_an_applied_index_past_the_commit_index() {
    let mut s = storage_with_peers(&[1]);
    s.append(&ents(1, &[1, 1])).unwrap();
    s.set_hard_state(HardState {
        term: 1,
        vote: 0,
        commit: 1,
    });
    let c = Config {
        applied: 2,
        ..test_config(1, 10, 1)
    };
    let err = Raft::new(&c, s).unwrap_err();
    assert_eq!(
        err.to_string(),
        "applied(2) is out of range [prevApplied(0), committed(1)]"
    );
}

#[test]
fn new_raft_refuses_a_commit_index_outside_the_log() {
    let mut s = storage_with_peers(&[1]);
    s.set_hard_state(HardState {
        term: 1,
        vote: 0,
        commit: 5,
    });
    let err = Raft::new(&test_config(1, 10, 1), s).unwrap_err();
    assert_eq!(err.to_string(), "1 state.commit 5 is out of range [0, 0]");
}
