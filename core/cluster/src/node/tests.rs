//! One node: its Ready pipeline, disk, restarts and the state it reports.

use super::*;
use raft::logger::DiscardLogger;
use std::rc::Rc;

fn logger() -> SharedLogger {
    Rc::new(DiscardLogger)
}

fn single(id: NodeId) -> Node {
    let cs = ConfState {
        voters: vec![id],
        ..Default::default()
    };
    let mut n = Node::new(
        id,
        NodeConfig::playground(),
        Some(Node::bootstrap_snapshot(cs, 1, vec![])),
        0,
    )
    .unwrap();
    n.start(0, 0, 7, logger()).unwrap();
    n
}

/// Campaigns a single voter and handles Readys by the policy until idle.
fn elect(n: &mut Node) {
    n.raw_mut().unwrap().campaign().unwrap();
    drain(n);
}

fn drain(n: &mut Node) {
    while n.has_ready() {
        n.take_ready(0).unwrap();
        n.persist(0, true).ok();
        n.take_messages().ok();
        n.apply().ok();
        n.advance().unwrap();
    }
}

#[test]
fn policies_order_the_steps_like_etcd() {
    use ReadyStep::*;
    assert_eq!(
        ReadyPolicy::ServeChannels.order(true),
        [Persist, Send, Apply, Advance]
    );
    assert_eq!(
        ReadyPolicy::RaftNodeStart.order(true),
        [Apply, Send, Persist, Advance]
    );
    assert_eq!(
        ReadyPolicy::RaftNodeStart.order(false),
        [Apply, Persist, Send, Advance]
    );
    for p in [ReadyPolicy::RaftNodeStart, ReadyPolicy::ServeChannels] {
        assert_eq!(ReadyPolicy::from_name(p.name()), Some(p));
    }
}

#[test]
fn a_single_node_elects_itself_and_applies_a_put() {
    let mut n = single(1);
    elect(&mut n);
    assert_eq!(n.state(), Some(StateType::StateLeader));
    let cmd = crate::kv::Command::new(crate::kv::Op::put("x", "5"), None)
        .encode()
        .unwrap();
    n.raw_mut().unwrap().propose(cmd).unwrap();
    drain(&mut n);
    assert_eq!(n.kv.get("x"), Some("5"));
    // Everything was synced at once, so it is all durable.
    assert_eq!(n.disk.durable().last_index(), 3);
}

#[test]
fn advance_waits_for_every_step() {
    let mut n = single(1);
    n.raw_mut().unwrap().campaign().unwrap();
    n.take_ready(0).unwrap();
    assert_eq!(
        n.advance(),
        Err(NodeError::NotYet {
            node: 1,
            missing: ReadyStep::Persist
        })
    );
    let r = n.persist(10, false).unwrap();
    assert_eq!(r.sync_due, Some(10 + DEFAULT_SYNC_LATENCY));
    assert!(
        !n.ready.as_ref().unwrap().done(ReadyStep::Persist),
        "written but not synced"
    );
    assert_eq!(
        n.advance(),
        Err(NodeError::NotYet {
            node: 1,
            missing: ReadyStep::Persist
        })
    );
    n.complete_sync().unwrap();
    assert_eq!(
        n.persist(10, true),
        Err(NodeError::AlreadyDone(1, ReadyStep::Persist))
    );
    // Becoming leader commits nothing yet: there is nothing to apply, which counts as done.
    assert_eq!(n.apply(), Err(NodeError::AlreadyDone(1, ReadyStep::Apply)));
    n.advance().unwrap();
    assert!(n.ready.is_none());
}

#[test]
fn restart_rebuilds_from_durable_state_only() {
    let mut n = single(1);
    elect(&mut n);
    let cmd = |v: &str| {
        crate::kv::Command::new(crate::kv::Op::put("x", v), None)
            .encode()
            .unwrap()
    };
    n.raw_mut().unwrap().propose(cmd("1")).unwrap();
    drain(&mut n);
    // The next write stays in the page cache: the sync is still under way at the crash.
    n.raw_mut().unwrap().propose(cmd("2")).unwrap();
    n.take_ready(0).unwrap();
    n.persist(0, false).unwrap();
    let report = n.crash();
    assert_eq!(report.lost_writes, 1);
    assert!(!n.is_up());
    n.start(5, 0, 9, logger()).unwrap();
    assert_eq!(n.incarnation, 2);
    let r = n.raw().unwrap();
    assert_eq!(r.raft.raft_log.last_index(), 3);
    assert_eq!(r.raft.term, 1);
    assert_eq!(r.raft.vote, 1);
    // The state machine is rebuilt by re-applying the committed entries after the snapshot.
    drain(&mut n);
    assert_eq!(n.kv.get("x"), Some("1"));
}

#[test]
fn a_wiped_node_restarts_empty() {
    let mut n = single(1);
    elect(&mut n);
    n.wipe();
    n.start(0, 0, 3, logger()).unwrap();
    let r = n.raw().unwrap();
    assert_eq!(
        (r.raft.term, r.raft.vote, r.raft.raft_log.last_index()),
        (0, 0, 0)
    );
    assert!(
        r.raft.trk.config.voters.ids().is_empty(),
        "it does not even know its peers"
    );
}

#[test]
fn a_heartbeat_beyond_the_log_is_caught_before_the_core_panics() {
    let n = single(1);
    let m = Message {
        msg_type: MessageType::MsgHeartbeat,
        from: 2,
        to: 1,
        term: 1,
        commit: 9,
        ..Default::default()
    };
    let why = n.would_panic(&m).unwrap();
    assert!(
        why.starts_with("tocommit(9) is out of range [lastIndex(1)]"),
        "{why}"
    );
    let ok = Message { commit: 1, ..m };
    assert_eq!(n.would_panic(&ok), None);
}

#[test]
fn peek_does_not_take_the_ready() {
    let mut n = single(1);
    n.raw_mut().unwrap().campaign().unwrap();
    let peeked = n.peek_ready().unwrap();
    assert!(n.has_ready());
    let taken = n.take_ready(0).unwrap().ready.clone();
    assert_eq!(peeked, taken);
}
