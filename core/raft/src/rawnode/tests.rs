//! Tests of `RawNode` and `Ready` (after etcd's rawnode_test.go): the Ready/advance cycle,
//! restarts, conf changes and reports through the application's handle.

use super::*;
use crate::logger::{BufferLogger, Level};
use crate::raft::tests::harness::{storage_with_peers, test_config};
use crate::raftpb::{ConfChangeSingle, ConfChangeType, Snapshot, SnapshotMetadata};
use crate::state::{ReadState, StateType, NONE};
use crate::storage::MemoryStorage;
use crate::tracker::ProgressState;
use crate::util::{LOCAL_APPLY_THREAD, NO_LIMIT};
use std::rc::Rc;

fn new_node(s: MemoryStorage) -> RawNode<MemoryStorage> {
    RawNode::new(&test_config(1, 10, 1), s).unwrap()
}

/// Persists a Ready the way an application must, then advances.
fn handle(rn: &mut RawNode<MemoryStorage>) -> Ready {
    let rd = rn.ready();
    if !rd.snapshot.is_empty() {
        rn.store_mut().apply_snapshot(rd.snapshot.clone()).unwrap();
    }
    rn.store_mut().append(&rd.entries).unwrap();
    if !rd.hard_state.is_empty() {
        rn.store_mut().set_hard_state(rd.hard_state);
    }
    rn.advance(rd.clone());
    rd
}

#[test]
fn step_refuses_local_messages_and_unknown_peers() {
    for t in MessageType::ALL {
        let mut s = MemoryStorage::new();
        s.set_hard_state(HardState {
            term: 1,
            commit: 1,
            vote: 0,
        });
        s.apply_snapshot(Snapshot {
            metadata: SnapshotMetadata {
                conf_state: ConfState {
                    voters: vec![1],
                    ..Default::default()
                },
                index: 1,
                term: 1,
            },
            ..Default::default()
        })
        .unwrap();
        let mut rn = new_node(s);
        let res = rn.step(Message {
            msg_type: t,
            ..Default::default()
        });
        if t.is_local() {
            assert_eq!(res, Err(Error::StepLocalMsg), "{}", t);
        } else if t.is_response() {
            // From 0, which is not in the configuration.
            assert_eq!(res, Err(Error::StepPeerNotFound), "{}", t);
        }
    }
    // Local messages from the local storage threads are accepted.
    let mut rn = new_node(storage_with_peers(&[1]));
    let m = Message {
        msg_type: MessageType::MsgStorageApplyResp,
        from: LOCAL_APPLY_THREAD,
        ..Default::default()
    };
    assert_eq!(rn.step(m), Ok(()));
    assert_eq!(
        Error::StepLocalMsg.to_string(),
        "raft: cannot step raft local message"
    );
    assert_eq!(
        Error::StepPeerNotFound.to_string(),
        "raft: cannot step as peer not found"
    );
}

#[test]
fn proposal_without_leader_is_dropped() {
    let mut rn = RawNode::new(&test_config(1, 10, 1), storage_with_peers(&[1, 2, 3])).unwrap();
    assert_eq!(rn.propose(b"x".to_vec()), Err(Error::ProposalDropped));
    assert_eq!(
        rn.propose(b"x".to_vec()).unwrap_err().to_string(),
        "raft proposal dropped"
    );
}

#[test]
fn single_node_campaign_takes_three_readys() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
    let c = Config {
        logger: Some(logger.clone()),
        ..test_config(1, 10, 1)
    };
    let mut rn = RawNode::new(&c, storage_with_peers(&[1])).unwrap();
    assert!(!rn.has_ready());
    rn.campaign().unwrap();
    assert_eq!(
        rn.raft.state,
        StateType::StateCandidate,
        "the own vote counts at advance"
    );

    let rd = handle(&mut rn);
    assert_eq!(
        rd.soft_state,
        Some(SoftState {
            lead: NONE,
            raft_state: StateType::StateCandidate
        })
    );
    assert_eq!(
        rd.hard_state,
        HardState {
            term: 1,
            vote: 1,
            commit: 0
        }
    );
    assert!(rd.must_sync);
    assert!(rd.messages.is_empty(), "self-addressed votes are not sent");
    assert_eq!(rn.raft.state, StateType::StateLeader);

    let rd = handle(&mut rn);
    assert_eq!(
        rd.soft_state,
        Some(SoftState {
            lead: 1,
            raft_state: StateType::StateLeader
        })
    );
    assert_eq!(
        rd.entries,
        vec![Entry {
            term: 1,
            index: 1,
            ..Default::default()
        }]
    );
    assert!(
        rd.hard_state.is_empty(),
        "unchanged hard state is not repeated"
    );
    assert!(rd.committed_entries.is_empty());

    let rd = handle(&mut rn);
    assert_eq!(
        rd.hard_state,
        HardState {
            term: 1,
            vote: 1,
            commit: 1
        }
    );
    assert!(!rd.must_sync, "a commit index alone needs no sync");
    assert_eq!(rd.committed_entries.len(), 1);
    assert!(!rn.has_ready());
    assert_eq!(rn.raft.raft_log.applied, 1);
    assert_eq!(
            logger.take(),
            vec![
                "INFO 1 switched to configuration voters=(1)",
                "INFO 1 became follower at term 0",
                "INFO newRaft 1 [peers: [1], term: 0, commit: 0, applied: 0, lastindex: 0, lastterm: 0]",
                "INFO 1 is starting a new election at term 0",
                "INFO 1 became candidate at term 1",
                "INFO 1 received MsgVoteResp from 1 at term 1",
                "INFO 1 has received 1 MsgVoteResp votes and 0 vote rejections",
                "INFO 1 became leader at term 1",
            ]
        );
}

#[test]
fn start_from_bootstrapped_storage() {
    let mut s = MemoryStorage::new();
    s.apply_snapshot(Snapshot {
        metadata: SnapshotMetadata {
            conf_state: ConfState {
                voters: vec![1],
                ..Default::default()
            },
            index: 1,
            term: 0,
        },
        ..Default::default()
    })
    .unwrap();
    let mut rn = new_node(s);
    assert!(!rn.has_ready());
    rn.campaign().unwrap();
    handle(&mut rn);
    rn.propose(b"foo".to_vec()).unwrap();
    assert!(rn.has_ready());
    let rd = handle(&mut rn);
    let want = vec![
        Entry {
            term: 1,
            index: 2,
            ..Default::default()
        },
        Entry {
            term: 1,
            index: 3,
            data: b"foo".to_vec().into(),
            ..Default::default()
        },
    ];
    assert_eq!(rd.entries, want);
    assert!(rn.has_ready());
    let rd = handle(&mut rn);
    assert!(rd.entries.is_empty());
    assert!(!rd.must_sync);
    assert_eq!(
        rd.hard_state,
        HardState {
            term: 1,
            commit: 3,
            vote: 1
        }
    );
    assert_eq!(rd.committed_entries, want);
    assert!(!rn.has_ready());
}

#[test]
fn restart_hands_out_committed_entries_only() {
    let es = vec![
        Entry {
            term: 1,
            index: 1,
            ..Default::default()
        },
        Entry {
            term: 1,
            index: 2,
            data: b"foo".to_vec().into(),
            ..Default::default()
        },
    ];
    let mut s = storage_with_peers(&[1]);
    s.set_hard_state(HardState {
        term: 1,
        commit: 1,
        vote: 0,
    });
    s.append(&es).unwrap();
    let mut rn = new_node(s);
    let rd = rn.ready();
    assert_eq!(
        rd,
        Ready {
            committed_entries: es[..1].to_vec(),
            ..Default::default()
        }
    );
    rn.advance(rd);
    assert!(!rn.has_ready());
}

#[test]
fn restart_from_snapshot() {
    let es = vec![Entry {
        term: 1,
        index: 3,
        data: b"foo".to_vec().into(),
        ..Default::default()
    }];
    let mut s = MemoryStorage::new();
    s.set_hard_state(HardState {
        term: 1,
        commit: 3,
        vote: 0,
    });
    s.apply_snapshot(Snapshot {
        metadata: SnapshotMetadata {
            conf_state: ConfState {
                voters: vec![1, 2],
                ..Default::default()
            },
            index: 2,
            term: 1,
        },
        ..Default::default()
    })
    .unwrap();
    s.append(&es).unwrap();
    let mut rn = new_node(s);
    let rd = rn.ready();
    assert_eq!(
        rd,
        Ready {
            committed_entries: es,
            ..Default::default()
        }
    );
    rn.advance(rd);
    assert!(!rn.has_ready());
}

#[test]
fn read_states_are_handed_out_once() {
    let mut rn = new_node(storage_with_peers(&[1]));
    let wrs = vec![ReadState {
        index: 1,
        request_ctx: b"somedata".to_vec(),
    }];
    rn.raft.read_states = wrs.clone();
    assert!(rn.has_ready());
    let rd = handle(&mut rn);
    assert_eq!(rd.read_states, wrs);
    assert!(rn.raft.read_states.is_empty());

    // As leader of a single-node group, a read is answered right away.
    rn.campaign().unwrap();
    while rn.raft.state != StateType::StateLeader || rn.has_ready() {
        handle(&mut rn);
    }
    rn.read_index(b"somedata2".to_vec());
    let rd = handle(&mut rn);
    assert_eq!(
        rd.read_states,
        vec![ReadState {
            index: rn.raft.raft_log.committed,
            request_ctx: b"somedata2".to_vec()
        }]
    );
}

#[test]
fn status_has_progress_only_on_leaders() {
    let mut rn = new_node(storage_with_peers(&[1]));
    assert!(rn.status().progress.is_empty());
    rn.campaign().unwrap();
    handle(&mut rn);
    let st = rn.status();
    assert_eq!(st.lead(), 1);
    assert_eq!(st.raft_state(), StateType::StateLeader);
    assert_eq!(st.progress[&1], rn.raft.trk.progress[&1]);
    assert_eq!(
        st.config.voters.ids().into_iter().collect::<Vec<_>>(),
        vec![1]
    );
    assert_eq!(st.config.to_string(), "voters=(1)");
    let bs = rn.basic_status();
    assert_eq!(bs, st.basic);
    assert_eq!(
        st.to_string(),
        r#"{"id":"1","term":1,"vote":"1","commit":0,"lead":"1","raftState":"StateLeader","applied":0,"progress":{"1":{"match":0,"next":1,"state":"StateReplicate"}},"leadtransferee":"0"}"#
    );
}

/// A storage that ignores the size hint of `entries`, like some real storages do.
#[derive(Clone, Debug)]
struct IgnoreSizeHint(MemoryStorage);

impl Storage for IgnoreSizeHint {
    fn initial_state(&self) -> Result<(HardState, ConfState)> {
        self.0.initial_state()
    }
    fn entries(&self, lo: u64, hi: u64, _max_size: u64) -> Result<Vec<Entry>> {
        self.0.entries(lo, hi, NO_LIMIT)
    }
    fn term(&self, i: u64) -> Result<u64> {
        self.0.term(i)
    }
    fn last_index(&self) -> Result<u64> {
        self.0.last_index()
    }
    fn first_index(&self) -> Result<u64> {
        self.0.first_index()
    }
    fn snapshot(&self) -> Result<Snapshot> {
        self.0.snapshot()
    }
}

#[test]
fn commit_pagination_after_restart_leaves_no_gap() {
    let mut s = storage_with_peers(&[1]);
    s.set_hard_state(HardState {
        term: 1,
        vote: 1,
        commit: 10,
    });
    let es: Vec<Entry> = (1..=10)
        .map(|i| Entry {
            term: 1,
            index: i,
            data: b"a".to_vec().into(),
            ..Default::default()
        })
        .collect();
    let size: u64 = es.iter().map(Entry::size).sum();
    s.append(&es).unwrap();
    s.append(&[Entry {
        term: 1,
        index: 11,
        data: b"boom".to_vec().into(),
        ..Default::default()
    }])
    .unwrap();
    // Suggests the last committed entry should not be in the first batch; storage ignores it.
    let c = Config {
        max_size_per_msg: size - es[9].size() - 1,
        ..test_config(1, 10, 1)
    };
    let mut rn = RawNode::new(&c, IgnoreSizeHint(s)).unwrap();
    let mut highest = 0;
    while highest != 11 {
        let rd = rn.ready();
        let n = rd.committed_entries.len();
        assert_ne!(n, 0, "stopped applying entries at index {}", highest);
        let next = rd.committed_entries[0].index;
        assert!(
            highest == 0 || highest + 1 == next,
            "applying {} after {}",
            next,
            highest
        );
        highest = rd.committed_entries[n - 1].index;
        rn.advance(rd);
        rn.step(Message {
            msg_type: MessageType::MsgHeartbeat,
            to: 1,
            from: 2,
            term: 1,
            commit: 11,
            ..Default::default()
        })
        .ok();
    }
}

#[test]
fn bounded_log_growth_with_partition() {
    let max_entries = 16u64;
    let data = b"testdata".to_vec();
    let max_size = max_entries * data.len() as u64;
    let c = Config {
        max_uncommitted_entries_size: max_size,
        ..test_config(1, 10, 1)
    };
    let mut rn = RawNode::new(&c, storage_with_peers(&[1])).unwrap();
    rn.campaign().unwrap();
    loop {
        let rd = handle(&mut rn);
        if !rd.committed_entries.is_empty() {
            break;
        }
    }
    for _ in 0..1024 {
        let _ = rn.propose(data.clone());
    }
    assert_eq!(rn.raft.uncommitted_size, max_size);
    let rd = handle(&mut rn);
    assert_eq!(rd.entries.len() as u64, max_entries);
    assert_eq!(rn.raft.uncommitted_size, max_size, "appended, not applied");
    let rd = handle(&mut rn);
    assert!(rd.entries.is_empty());
    assert_eq!(rd.committed_entries.len() as u64, max_entries);
    assert_eq!(rn.raft.uncommitted_size, 0);
}

#[test]
fn ready_without_accept_leaves_messages_in_place() {
    let mut rn = RawNode::new(&test_config(1, 3, 1), storage_with_peers(&[1])).unwrap();
    let m1 = Message {
        context: b"foo".to_vec().into(),
        ..Default::default()
    };
    let m2 = Message {
        context: b"bar".to_vec().into(),
        ..Default::default()
    };
    rn.raft.msgs.push(m1.clone());
    let rd = rn.ready_without_accept();
    assert_eq!(rd.messages, vec![m1.clone()]);
    assert_eq!(rn.raft.msgs, vec![m1.clone()]);
    let rd = rn.ready();
    assert!(rn.raft.msgs.is_empty());
    assert_eq!(rd.messages, vec![m1]);
    rn.raft.msgs.push(m2.clone());
    rn.advance(rd);
    assert_eq!(rn.raft.msgs, vec![m2]);
}

#[test]
fn responses_to_peers_go_out_with_the_ready_that_persists_their_state() {
    let mut rn = RawNode::new(&test_config(2, 10, 1), storage_with_peers(&[1, 2, 3])).unwrap();
    rn.step(Message {
        msg_type: MessageType::MsgVote,
        from: 1,
        to: 2,
        term: 1,
        ..Default::default()
    })
    .unwrap();
    assert!(rn.has_ready());
    let rd = rn.ready();
    assert_eq!(
        rd.hard_state,
        HardState {
            term: 1,
            vote: 1,
            commit: 0
        }
    );
    assert!(rd.must_sync);
    assert_eq!(
        rd.messages,
        vec![Message {
            msg_type: MessageType::MsgVoteResp,
            from: 2,
            to: 1,
            term: 1,
            ..Default::default()
        }]
    );
    rn.advance(rd);
    assert!(!rn.has_ready());
}

#[test]
fn a_second_ready_before_advance_is_empty_and_loses_nothing() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Error)));
    let c = Config {
        logger: Some(logger.clone()),
        ..test_config(1, 10, 1)
    };
    let mut rn = RawNode::new(&c, storage_with_peers(&[1])).unwrap();
    rn.campaign().unwrap();
    let rd = rn.ready();
    assert_eq!(rd.hard_state.vote, 1);
    assert_eq!(rn.raft.state, StateType::StateCandidate, "own vote pending");
    assert_eq!(rn.ready(), Ready::default());
    assert_eq!(
        logger.take(),
        vec!["ERROR two accepted Ready structs without call to Advance; returning an empty Ready"]
    );
    // The outstanding Ready is still acknowledged by advance: the own vote counts.
    rn.store_mut().set_hard_state(rd.hard_state);
    rn.advance(rd);
    assert_eq!(rn.raft.state, StateType::StateLeader);
    let rd = handle(&mut rn);
    assert_eq!(rd.entries.len(), 1, "the new leader's empty entry");
    handle(&mut rn);
    assert_eq!(rn.raft.raft_log.applied, 1);
    assert!(!rn.has_ready());
}

#[test]
fn report_unreachable_and_snapshot() {
    let mut rn = RawNode::new(&test_config(1, 10, 1), storage_with_peers(&[1, 2])).unwrap();
    rn.campaign().unwrap();
    handle(&mut rn);
    rn.step(Message {
        msg_type: MessageType::MsgVoteResp,
        from: 2,
        to: 1,
        term: 1,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(rn.raft.state, StateType::StateLeader);
    rn.raft.trk.progress.get_mut(&2).unwrap().become_replicate();
    rn.report_unreachable(2);
    assert_eq!(rn.raft.trk.progress[&2].state, ProgressState::StateProbe);
    rn.raft.trk.progress.get_mut(&2).unwrap().become_snapshot(5);
    rn.report_snapshot(2, SnapshotStatus::Failure);
    let pr = &rn.raft.trk.progress[&2];
    assert_eq!(pr.state, ProgressState::StateProbe);
    assert_eq!(pr.pending_snapshot, 0);
    assert!(pr.msg_app_flow_paused);
}

#[test]
fn transfer_and_forget_leader() {
    let mut rn = RawNode::new(&test_config(2, 10, 1), storage_with_peers(&[1, 2, 3])).unwrap();
    rn.step(Message {
        msg_type: MessageType::MsgHeartbeat,
        from: 1,
        to: 2,
        term: 1,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(rn.raft.lead, 1);
    rn.transfer_leader(3);
    let rd = rn.ready();
    assert!(rd
        .messages
        .iter()
        .any(|m| m.msg_type == MessageType::MsgTransferLeader && m.to == 1 && m.from == 3));
    rn.advance(rd);
    rn.forget_leader().unwrap();
    assert_eq!(rn.raft.lead, NONE);
    assert_eq!(rn.basic_status().lead(), NONE);
}

#[test]
fn conf_change_round_trip() {
    let mut rn = new_node(storage_with_peers(&[1]));
    rn.campaign().unwrap();
    while rn.has_ready() {
        handle(&mut rn);
    }
    let cc = ConfChangeV2 {
        changes: vec![ConfChangeSingle {
            change_type: ConfChangeType::ConfChangeAddNode,
            node_id: 2,
        }],
        ..Default::default()
    };
    rn.propose_conf_change(cc.clone()).unwrap();
    let rd = handle(&mut rn);
    assert_eq!(rd.entries.len(), 1);
    assert_eq!(rd.entries[0].entry_type, EntryType::EntryConfChangeV2);
    let rd = handle(&mut rn);
    let e = &rd.committed_entries[0];
    let decoded = crate::raftpb::confchange::unmarshal_conf_change_v2(&e.data).unwrap();
    assert_eq!(decoded, cc);
    let cs = rn.apply_conf_change(&decoded).unwrap();
    assert_eq!(cs.voters, vec![1, 2]);
    assert!(rn.raft.trk.progress.contains_key(&2));
    // The leader probes the new peer right away.
    let rd = rn.ready();
    assert!(rd
        .messages
        .iter()
        .any(|m| m.to == 2 && m.msg_type == MessageType::MsgApp));
}
