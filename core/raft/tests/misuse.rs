//! What a caller's bad input does to a node, through the public `RawNode` API only. Most cases
//! below used to reach a `panic!` (as they do in etcd); now the node refuses the input with an
//! error and stays as it was. The others (unknown peers, transfers to self) check that the
//! input remains the harmless no-op etcd makes of it.
//! The last test throws seeded random garbage at nodes in every role and requires that nothing
//! panics.

use std::panic::{catch_unwind, AssertUnwindSafe};

use raft::raft::Config;
use raft::rawnode::{RawNode, Ready, SnapshotStatus};
use raft::storage::MemoryStorage;
use raft::tracker::ProgressState;
use raft::util::{LOCAL_APPEND_THREAD, LOCAL_APPLY_THREAD};
use raft::{
    ConfChangeSingle, ConfChangeTransition, ConfChangeType, ConfChangeV2, ConfState, Entry,
    EntryType, Error, HardState, Message, MessageType, Snapshot, SnapshotMetadata, StateType, NONE,
};
use rand_core::{RngCore, SeedableRng};

type Node = RawNode<MemoryStorage>;

fn bootstrap_storage(voters: &[u64], term: u64) -> MemoryStorage {
    let mut s = MemoryStorage::new();
    s.apply_snapshot(Snapshot {
        metadata: SnapshotMetadata {
            conf_state: ConfState {
                voters: voters.to_vec(),
                ..Default::default()
            },
            index: 1,
            term: 1,
        },
        ..Default::default()
    })
    .unwrap();
    if term > 0 {
        s.set_hard_state(HardState {
            term,
            vote: 0,
            commit: 1,
        });
    }
    s
}

fn node(id: u64, s: MemoryStorage) -> Node {
    RawNode::new(&Config::new(id), s).unwrap()
}

/// Persists a node's Ready, advances, and returns its messages.
fn handle(n: &mut Node) -> Vec<Message> {
    let rd = n.ready();
    let store = n.store_mut();
    if !rd.snapshot.is_empty() {
        store.apply_snapshot(rd.snapshot.clone()).unwrap();
    }
    store.append(&rd.entries).unwrap();
    if !rd.hard_state.is_empty() {
        store.set_hard_state(rd.hard_state);
    }
    let msgs = rd.messages.clone();
    n.advance(rd);
    msgs
}

/// Runs the nodes (ids 1..=n) until nothing is left to do, delivering messages instantly.
fn settle(nodes: &mut [Node]) {
    loop {
        let mut msgs = Vec::new();
        for n in nodes.iter_mut() {
            if n.has_ready() {
                msgs.extend(handle(n));
            }
        }
        if msgs.is_empty() && nodes.iter().all(|n| !n.has_ready()) {
            return;
        }
        for m in msgs {
            let to = (m.to - 1) as usize;
            nodes[to].step(m).unwrap();
        }
    }
}

/// Three nodes, node 1 leading at term 2 with `entries` proposals committed everywhere.
fn cluster(entries: usize) -> Vec<Node> {
    let mut nodes: Vec<Node> = (1..=3)
        .map(|id| node(id, bootstrap_storage(&[1, 2, 3], 1)))
        .collect();
    nodes[0].campaign().unwrap();
    settle(&mut nodes);
    for i in 0..entries {
        nodes[0].propose(format!("e{}", i).into_bytes()).unwrap();
        settle(&mut nodes);
    }
    // One more heartbeat round so followers learn the final commit index.
    for _ in 0..nodes[0].raft.heartbeat_timeout {
        nodes[0].tick();
    }
    settle(&mut nodes);
    assert_eq!(nodes[0].raft.state, StateType::StateLeader);
    assert_eq!(nodes[1].raft.raft_log.committed, 2 + entries as u64);
    nodes
}

/// What must not change when input is refused.
fn fingerprint(n: &Node) -> (HardState, u64, u64, u64, StateType, Vec<Entry>) {
    let r = &n.raft;
    (
        r.hard_state(),
        r.lead,
        r.raft_log.last_index(),
        r.raft_log.applied,
        r.state,
        r.raft_log.all_entries(),
    )
}

fn msg(t: MessageType, from: u64, to: u64, term: u64) -> Message {
    Message {
        msg_type: t,
        from,
        to,
        term,
        ..Default::default()
    }
}

fn ent(term: u64, index: u64) -> Entry {
    Entry {
        term,
        index,
        data: b"x".to_vec().into(),
        ..Default::default()
    }
}

fn assert_misuse(res: raft::Result<()>, contains: &str) {
    match res {
        Err(Error::Misuse(text)) => assert!(text.contains(contains), "{:?}", text),
        other => panic!(
            "expected a Misuse error containing {:?}, got {:?}",
            contains, other
        ),
    }
}

#[test]
fn ready_twice_without_advance_returns_an_empty_ready() {
    let mut nodes = cluster(0);
    nodes[0].propose(b"p".to_vec()).unwrap();
    let rd = nodes[0].ready();
    assert_eq!(rd.entries.len(), 1);
    assert_eq!(nodes[0].ready(), Ready::default());
    // The first Ready is still the one `advance` acknowledges, and the cluster carries on.
    let store = nodes[0].store_mut();
    store.append(&rd.entries).unwrap();
    let msgs = rd.messages.clone();
    nodes[0].advance(rd);
    for m in msgs {
        let to = (m.to - 1) as usize;
        nodes[to].step(m).unwrap();
    }
    settle(&mut nodes);
    assert_eq!(nodes[0].raft.raft_log.committed, 3);
    assert_eq!(nodes[0].raft.raft_log.applied, 3);
}

#[test]
fn protocol_messages_from_the_node_itself_are_refused() {
    let mut nodes = cluster(1);
    let before = fingerprint(&nodes[1]);
    // A follower would follow itself and answer itself through the network.
    assert_misuse(
        nodes[1].step(msg(MessageType::MsgHeartbeat, 2, 2, 2)),
        "from the node itself",
    );
    assert_misuse(
        nodes[1].step(msg(MessageType::MsgApp, 2, 2, 3)),
        "from the node itself",
    );
    assert_eq!(fingerprint(&nodes[1]), before);
    // A leader would send appends to itself.
    let mut rej = msg(MessageType::MsgAppResp, 1, 1, 2);
    rej.reject = true;
    assert_misuse(nodes[0].step(rej), "from the node itself");
    // Requests may name the node itself as their origin.
    let mut prop = msg(MessageType::MsgProp, 1, 1, 0);
    prop.entries = vec![Entry {
        data: b"own".to_vec().into(),
        ..Default::default()
    }];
    nodes[0].step(prop).unwrap();
    assert_eq!(nodes[0].raft.raft_log.last_index(), 4);
}

#[test]
fn peer_messages_without_a_term_are_refused() {
    let mut nodes = cluster(0);
    // A vote request at term 0 would be answered at term 0, which etcd refuses to send.
    let mut vote = msg(MessageType::MsgVote, 3, 2, 0);
    vote.log_term = 2;
    vote.index = 10;
    assert_misuse(nodes[1].step(vote), "without a term");
    // A candidate would step back to term 0 to follow the sender.
    nodes[2].campaign().unwrap();
    let term = nodes[2].raft.term;
    assert_misuse(
        nodes[2].step(msg(MessageType::MsgApp, 1, 3, 0)),
        "without a term",
    );
    assert_eq!(nodes[2].raft.term, term);
}

#[test]
fn snapshot_without_a_term_moves_a_candidate_back_to_term_0_as_in_etcd() {
    let mut nodes = cluster(0);
    nodes[2].campaign().unwrap();
    assert!(nodes[2].raft.term > 0);
    let mut snap = msg(MessageType::MsgSnap, 1, 3, 0);
    snap.snapshot = Some(Box::new(Snapshot {
        metadata: SnapshotMetadata {
            conf_state: ConfState {
                voters: vec![1, 2, 3],
                ..Default::default()
            },
            index: 20,
            term: 1,
        },
        ..Default::default()
    }));
    // etcd's candidate follows the sender at the message's term, 0, and forgets its vote.
    assert_eq!(nodes[2].step(snap.clone()), Ok(()));
    assert_eq!(nodes[2].raft.term, 0);
    assert_eq!(nodes[2].raft.vote, 0);
    assert_eq!(nodes[2].raft.state, StateType::StateFollower);
    assert_eq!(nodes[2].raft.lead, 1);
    // A follower accepts the same message and installs the newer snapshot.
    assert_eq!(nodes[1].step(snap), Ok(()));
    assert_eq!(nodes[1].raft.raft_log.committed, 20);
    assert_eq!(nodes[1].raft.state, StateType::StateFollower);
}

#[test]
fn indexes_and_terms_from_2_pow_63_are_refused() {
    let mut nodes = cluster(0);
    let before = fingerprint(&nodes[1]);
    // A term this high would overflow at the node's next elections.
    assert_misuse(
        nodes[1].step(msg(MessageType::MsgHeartbeat, 1, 2, 1 << 63)),
        "out of range",
    );
    assert_misuse(
        nodes[1].step(msg(MessageType::MsgHeartbeat, 1, 2, u64::MAX)),
        "out of range",
    );
    let mut app = msg(MessageType::MsgApp, 1, 2, 2);
    app.index = u64::MAX;
    app.log_term = 2;
    assert_misuse(nodes[1].step(app), "out of range");
    let mut snap = msg(MessageType::MsgSnap, 1, 2, 2);
    snap.snapshot = Some(Box::new(Snapshot {
        metadata: SnapshotMetadata {
            conf_state: ConfState {
                voters: vec![1, 2, 3],
                ..Default::default()
            },
            index: u64::MAX,
            term: 2,
        },
        ..Default::default()
    }));
    assert_misuse(nodes[1].step(snap), "out of range");
    assert_eq!(fingerprint(&nodes[1]), before);
    // Just below the bound is accepted.
    nodes[1]
        .step(msg(MessageType::MsgHeartbeat, 1, 2, (1 << 63) - 1))
        .unwrap();
    assert_eq!(nodes[1].raft.term, (1 << 63) - 1);
}

#[test]
fn heartbeat_committing_past_the_log_is_refused_but_a_stale_one_is_ignored() {
    let mut nodes = cluster(2);
    let before = fingerprint(&nodes[1]);
    let mut hb = msg(MessageType::MsgHeartbeat, 1, 2, 2);
    hb.commit = 10;
    assert_misuse(
        nodes[1].step(hb.clone()),
        "tocommit(10) is out of range [lastIndex(4)]",
    );
    // Also when it would first move the node to a newer term: nothing changes at all.
    hb.term = 7;
    assert_misuse(nodes[1].step(hb.clone()), "tocommit(10)");
    assert_eq!(fingerprint(&nodes[1]), before);
    // A stale heartbeat is ignored before its commit index matters, as in etcd.
    hb.term = 1;
    nodes[1].step(hb).unwrap();
    assert_eq!(fingerprint(&nodes[1]), before);
}

#[test]
fn malformed_appends_are_refused() {
    let mut nodes = cluster(2);
    let before = fingerprint(&nodes[1]);
    let append = |index: u64, log_term: u64, entries: Vec<Entry>| Message {
        msg_type: MessageType::MsgApp,
        from: 1,
        to: 2,
        term: 2,
        index,
        log_term,
        entries,
        commit: 4,
        ..Default::default()
    };
    // A gap after the matching entry at index 4.
    assert_misuse(
        nodes[1].step(append(4, 2, vec![ent(2, 6)])),
        "not consistent",
    );
    // Out of order.
    assert_misuse(
        nodes[1].step(append(4, 2, vec![ent(2, 5), ent(2, 5)])),
        "not consistent",
    );
    // Terms going down.
    assert_misuse(
        nodes[1].step(append(4, 2, vec![ent(2, 5), ent(1, 6)])),
        "not consistent",
    );
    // Running past the end of the index space (refused by the bound on indexes).
    assert_misuse(
        nodes[1].step(append(
            u64::MAX - 2,
            2,
            vec![ent(2, u64::MAX - 1), ent(2, u64::MAX - 1)],
        )),
        "out of range",
    );
    // Overlapping the entry before `index`, which is committed: appending it would rewrite
    // committed history (etcd's "conflict with committed entry" panic).
    assert_misuse(
        nodes[1].step(append(4, 2, vec![ent(3, 4)])),
        "not consistent",
    );
    assert_eq!(fingerprint(&nodes[1]), before);
    // A well-formed append still goes through.
    nodes[1]
        .step(append(4, 2, vec![ent(2, 5), ent(2, 6)]))
        .unwrap();
    assert_eq!(nodes[1].raft.raft_log.last_index(), 6);
}

#[test]
fn snapshots_with_unusable_configurations_are_refused() {
    let mut nodes = cluster(2);
    let before = fingerprint(&nodes[1]);
    let snap = |index: u64, cs: ConfState| Message {
        msg_type: MessageType::MsgSnap,
        from: 1,
        to: 2,
        term: 2,
        snapshot: Some(Box::new(Snapshot {
            metadata: SnapshotMetadata {
                conf_state: cs,
                index,
                term: 2,
            },
            ..Default::default()
        })),
        ..Default::default()
    };
    let cs = |voters: &[u64], learners: &[u64]| ConfState {
        voters: voters.to_vec(),
        learners: learners.to_vec(),
        ..Default::default()
    };
    for bad in [
        cs(&[1, 2, 2], &[]), // a duplicate
        cs(&[1, 2], &[2]),   // a voter and a learner at once
        cs(&[], &[2]),       // no voters
    ] {
        assert_misuse(
            nodes[1].step(snap(10, bad.clone())),
            "unable to restore config",
        );
    }
    assert_eq!(fingerprint(&nodes[1]), before);
    // An obsolete snapshot is ignored whatever it carries, as in etcd.
    nodes[1].step(snap(3, cs(&[1, 2, 2], &[]))).unwrap();
    // A usable one is installed.
    nodes[1].step(snap(10, cs(&[1, 2, 3], &[]))).unwrap();
    assert_eq!(nodes[1].raft.raft_log.committed, 10);
}

#[test]
fn acknowledgements_past_the_leaders_log_are_refused() {
    let mut nodes = cluster(1);
    let pr_before = nodes[0].raft.trk.progress[&2].clone();
    let mut ack = msg(MessageType::MsgAppResp, 2, 1, 2);
    ack.index = 50;
    assert_misuse(nodes[0].step(ack), "beyond its last index 3");
    assert_eq!(nodes[0].raft.trk.progress[&2], pr_before);
    assert!(!nodes[0].has_ready());
}

#[test]
fn empty_proposals_from_peers_are_refused() {
    let mut nodes = cluster(0);
    assert_misuse(
        nodes[0].step(msg(MessageType::MsgProp, 2, 1, 0)),
        "stepped empty MsgProp",
    );
    assert_eq!(nodes[0].raft.raft_log.last_index(), 2);
}

#[test]
fn requests_to_forward_that_carry_a_term_are_refused() {
    let mut nodes = cluster(0);
    for t in [
        MessageType::MsgProp,
        MessageType::MsgReadIndex,
        MessageType::MsgTransferLeader,
    ] {
        let mut m = msg(t, 3, 2, 2);
        m.entries = vec![Entry::default()];
        assert_misuse(nodes[1].step(m), "term should not be set when sending");
    }
    assert!(!nodes[1].has_ready(), "nothing was forwarded");
}

#[test]
fn storage_acknowledgements_past_the_commit_index_are_refused() {
    let mut nodes = cluster(1);
    let before = fingerprint(&nodes[1]);
    let mut apply = msg(MessageType::MsgStorageApplyResp, LOCAL_APPLY_THREAD, 2, 0);
    apply.entries = vec![ent(2, 9)];
    assert_misuse(nodes[1].step(apply), "applied(9) is out of range");
    let mut append = msg(MessageType::MsgStorageAppendResp, LOCAL_APPEND_THREAD, 2, 2);
    append.snapshot = Some(Box::new(Snapshot {
        metadata: SnapshotMetadata {
            index: 9,
            term: 2,
            ..Default::default()
        },
        ..Default::default()
    }));
    assert_misuse(nodes[1].step(append.clone()), "applied(9) is out of range");
    // Also when the acknowledgement is of an older term.
    append.term = 1;
    assert_misuse(nodes[1].step(append), "applied(9) is out of range");
    assert_eq!(fingerprint(&nodes[1]), before);
}

#[test]
fn rejecting_a_vote_at_term_zero_is_refused() {
    // The storage's log (term 1) is newer than its HardState (none, so term 0): an
    // application bug. Rejecting would need a message at term 0.
    let mut n = node(2, bootstrap_storage(&[1, 2, 3], 0));
    assert_eq!(n.raft.term, 0);
    let mut pv = msg(MessageType::MsgPreVote, 3, 2, 1);
    pv.log_term = 0;
    pv.index = 0;
    assert_misuse(n.step(pv), "at term 0");
    assert_eq!(n.raft.term, 0);
}

#[test]
fn proposing_on_a_removed_leader_is_dropped() {
    let mut nodes = cluster(0);
    let cc = ConfChangeV2 {
        changes: vec![ConfChangeSingle {
            change_type: ConfChangeType::ConfChangeRemoveNode,
            node_id: 1,
        }],
        transition: ConfChangeTransition::ConfChangeTransitionAuto,
        ..Default::default()
    };
    nodes[0].apply_conf_change(&cc).unwrap();
    assert_eq!(nodes[0].raft.state, StateType::StateLeader);
    assert_eq!(nodes[0].propose(b"x".to_vec()), Err(Error::ProposalDropped));
}

#[test]
fn reports_about_unknown_peers_are_no_ops() {
    let mut nodes = cluster(1);
    settle(&mut nodes);
    let progress_before = nodes[0].raft.trk.progress.clone();
    nodes[0].report_snapshot(9, SnapshotStatus::Failure);
    nodes[0].report_snapshot(0, SnapshotStatus::Finish);
    nodes[0].report_unreachable(9);
    nodes[0].report_unreachable(LOCAL_APPEND_THREAD);
    assert_eq!(nodes[0].raft.trk.progress, progress_before);
    assert!(!nodes[0].has_ready());
    // On a follower, reports about anyone are ignored.
    let before = fingerprint(&nodes[1]);
    nodes[1].report_snapshot(1, SnapshotStatus::Failure);
    nodes[1].report_unreachable(1);
    assert_eq!(fingerprint(&nodes[1]), before);
    assert!(!nodes[1].has_ready());
    // A report about a known peer that is not receiving a snapshot changes nothing either.
    nodes[0].report_snapshot(2, SnapshotStatus::Failure);
    assert_eq!(
        nodes[0].raft.trk.progress[&2].state,
        ProgressState::StateReplicate
    );
}

#[test]
fn transferring_leadership_to_self_or_unknown_nodes_is_a_no_op() {
    let mut nodes = cluster(1);
    for target in [1, 9, 0, LOCAL_APPLY_THREAD] {
        nodes[0].transfer_leader(target);
        assert_eq!(nodes[0].raft.lead_transferee, NONE, "target {}", target);
        assert!(!nodes[0].has_ready(), "target {}", target);
    }
    assert_eq!(nodes[0].raft.state, StateType::StateLeader);
}

#[test]
fn storage_with_an_unrepresentable_configuration_is_refused() {
    let mut s = MemoryStorage::new();
    s.apply_snapshot(Snapshot {
        metadata: SnapshotMetadata {
            conf_state: ConfState {
                voters: vec![1, 1, 2],
                ..Default::default()
            },
            index: 1,
            term: 1,
        },
        ..Default::default()
    })
    .unwrap();
    match RawNode::new(&Config::new(1), s) {
        Err(Error::Misuse(text)) => assert!(text.contains("not equivalent"), "{}", text),
        other => panic!("expected a Misuse error, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn an_election_tick_that_would_overflow_is_refused() {
    let c = Config {
        election_tick: usize::MAX,
        ..Config::new(1)
    };
    assert_eq!(
        RawNode::new(&c, bootstrap_storage(&[1], 1)).map(|_| ()),
        Err(Error::Config("election tick is too large".to_string()))
    );
}

/// A seeded source of choices for the garbage test.
struct Gen(rand_pcg::Pcg32);

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n
    }

    fn pick(&mut self, v: &[u64]) -> u64 {
        v[self.below(v.len() as u64) as usize]
    }
}

/// Like `handle`, but tolerant of storage refusals: the garbage test is about the node.
fn handle_lenient(n: &mut Node) {
    let rd = n.ready();
    let store = n.store_mut();
    if !rd.snapshot.is_empty() {
        let _ = store.apply_snapshot(rd.snapshot.clone());
    }
    let _ = store.append(&rd.entries);
    if !rd.hard_state.is_empty() {
        store.set_hard_state(rd.hard_state);
    }
    n.advance(rd);
}

/// Random inputs from a fixed seed: messages with every type and with indexes, terms and
/// senders around the interesting boundaries, interleaved with the other API calls and with
/// Ready handling, against a leader, a follower, a candidate and a node whose storage is
/// inconsistent. Before the fixes above, such inputs found 31 distinct panics.
#[test]
fn random_garbage_never_panics() {
    let mut g = Gen(rand_pcg::Pcg32::seed_from_u64(7));
    let base = cluster(3);
    let mut candidate = base[2].clone();
    candidate.campaign().unwrap();
    let states: Vec<Node> = vec![
        base[0].clone(),
        base[1].clone(),
        candidate,
        node(2, bootstrap_storage(&[1, 2, 3], 0)),
    ];
    let ids = [0, 1, 2, 3, 9, LOCAL_APPEND_THREAD, LOCAL_APPLY_THREAD];
    let types = [
        EntryType::EntryNormal,
        EntryType::EntryConfChange,
        EntryType::EntryConfChangeV2,
    ];
    for case in 0..4000 {
        let mut n = states[g.below(states.len() as u64) as usize].clone();
        let (last, commit, term) = (
            n.raft.raft_log.last_index(),
            n.raft.raft_log.committed,
            n.raft.term,
        );
        let nums = [
            0,
            1,
            commit.saturating_sub(1),
            commit,
            commit + 1,
            last,
            last + 1,
            last + 50,
            term,
            term + 1,
            u64::MAX - 1,
            u64::MAX,
        ];
        let terms = [0, term.saturating_sub(1), term, term + 1, u64::MAX];
        let mut m = Message {
            msg_type: MessageType::ALL[g.below(MessageType::ALL.len() as u64) as usize],
            from: g.pick(&ids),
            to: n.raft.id,
            term: g.pick(&terms),
            log_term: g.pick(&terms),
            index: g.pick(&nums),
            commit: g.pick(&nums),
            reject: g.below(2) == 0,
            reject_hint: g.pick(&nums),
            ..Default::default()
        };
        let first = g.pick(&nums);
        for k in 0..g.below(4) {
            let contiguous = g.below(3) != 0;
            m.entries.push(Entry {
                term: g.pick(&terms),
                index: if contiguous {
                    first.wrapping_add(k)
                } else {
                    g.pick(&nums)
                },
                entry_type: types[g.below(3) as usize],
                data: if g.below(2) == 0 {
                    vec![].into()
                } else {
                    vec![7, 7].into()
                },
            });
        }
        if g.below(3) == 0 {
            let voters = (0..g.below(4)).map(|_| g.pick(&[0, 1, 2, 3, 4])).collect();
            let learners = (0..g.below(2)).map(|_| g.pick(&[1, 2, 3, 5])).collect();
            m.snapshot = Some(Box::new(Snapshot {
                metadata: SnapshotMetadata {
                    conf_state: ConfState {
                        voters,
                        learners,
                        ..Default::default()
                    },
                    index: g.pick(&nums),
                    term: g.pick(&terms),
                },
                ..Default::default()
            }));
        }
        let input = format!("case {}: {:?}", case, m);
        let which = g.below(8);
        let target = g.pick(&ids);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            match which {
                0 => n.report_snapshot(target, SnapshotStatus::Failure),
                1 => n.transfer_leader(target),
                2 => n.report_unreachable(target),
                _ => {
                    let _ = n.step(m);
                }
            }
            for _ in 0..3 {
                if n.has_ready() {
                    handle_lenient(&mut n);
                }
                n.tick();
            }
        }));
        assert!(outcome.is_ok(), "{} (action {})", input, which);
    }
}
