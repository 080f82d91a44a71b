//! Sending snapshots to followers that need compacted entries and restoring from them (etcd's
//! raft_snap_test.go and `TestRestore*`).

use super::harness::*;
use crate::raft::*;

use MessageType::*;
use StateType::*;

#[test]
fn restore_from_snapshot() {
    let s = snap(11, 11, &[1, 2, 3]);
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
    assert!(r.restore(s.clone()));
    assert_eq!(r.raft_log.last_index(), 11);
    assert_eq!(r.raft_log.term(11), Ok(11));
    assert_eq!(r.trk.voter_nodes(), vec![1, 2, 3]);
    assert!(!r.restore(s));
    // A node with a pending snapshot may not campaign.
    for _ in 0..r.randomized_election_timeout {
        r.tick();
    }
    assert_eq!(r.state, StateFollower);
}

#[test]
fn restore_ignores_old_snapshots_and_fast_forwards_commit() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
    r.raft_log.append(&ents(1, &[1, 1, 1]));
    r.raft_log.commit_to(1);
    assert!(!r.restore(snap(1, 1, &[1, 2])));
    assert_eq!(r.raft_log.committed, 1);
    assert!(!r.restore(snap(2, 1, &[1, 2])));
    assert_eq!(r.raft_log.committed, 2);
}

#[test]
fn restore_refuses_snapshots_without_this_node() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
    assert!(!r.restore(snap(11, 11, &[2, 3])));
    assert_eq!(r.raft_log.last_index(), 0);
}

#[test]
fn provide_snap_when_follower_needs_compacted_entries() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1]));
    r.restore(snap(11, 11, &[1, 2]));
    // Make the snapshot durable, as the application would.
    let s = r.raft_log.next_unstable_snapshot().unwrap().clone();
    r.raft_log.storage.apply_snapshot(s.clone()).unwrap();
    r.applied_snap(&s);
    r.become_candidate();
    r.become_leader();
    let first = r.raft_log.first_index();
    r.trk.progress.get_mut(&2).unwrap().next = first;
    let next = r.trk.progress[&2].next;
    r.step(Message {
        index: next - 1,
        reject: true,
        ..msg(2, 1, MsgAppResp)
    })
    .unwrap();
    let msgs = read_messages(&mut r);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].msg_type, MsgSnap);
    assert_eq!(r.trk.progress[&2].state, ProgressState::StateSnapshot);
}

#[test]
fn ignore_providing_snap_to_inactive_follower() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1]));
    r.restore(snap(11, 11, &[1, 2]));
    let s = r.raft_log.next_unstable_snapshot().unwrap().clone();
    r.raft_log.storage.apply_snapshot(s.clone()).unwrap();
    r.applied_snap(&s);
    r.become_candidate();
    r.become_leader();
    let first = r.raft_log.first_index();
    r.trk.progress.get_mut(&2).unwrap().next = first - 1;
    r.trk.progress.get_mut(&2).unwrap().recent_active = false;
    r.step(prop(1, 1, b"somedata")).unwrap();
    assert!(read_messages(&mut r).is_empty());
}

#[test]
fn restore_from_snap_msg_sets_leader() {
    let mut r = new_test_raft(2, 10, 1, storage_with_peers(&[1, 2]));
    r.step(Message {
        msg_type: MsgSnap,
        from: 1,
        term: 2,
        snapshot: Some(Box::new(snap(11, 11, &[1, 2]))),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.lead, 1);
    assert_eq!(r.raft_log.committed, 11);
    let msgs = read_messages(&mut r);
    assert_eq!(
        msgs,
        vec![Message {
            from: 2,
            to: 1,
            term: 2,
            msg_type: MsgAppResp,
            index: 11,
            ..Default::default()
        }]
    );
}

#[test]
fn slow_node_restore() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.isolate(3);
    for _ in 0..=100 {
        n.send1(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        });
    }
    snapshot_and_compact(n.peer_mut(1));
    n.recover();
    // Heartbeats make the leader see 3 as active again.
    loop {
        n.send1(msg(1, 1, MsgBeat));
        if n.peer(1).trk.progress[&3].recent_active {
            break;
        }
    }
    n.send1(Message {
        entries: vec![Entry::default()],
        ..msg(1, 1, MsgProp)
    });
    // The follower gets a snapshot; make it durable.
    {
        let f = n.peer_mut(3);
        if let Some(s) = f.raft_log.next_unstable_snapshot().cloned() {
            f.raft_log.storage.apply_snapshot(s.clone()).unwrap();
            f.applied_snap(&s);
        }
    }
    n.send1(Message {
        entries: vec![Entry::default()],
        ..msg(1, 1, MsgProp)
    });
    assert_eq!(n.peer(3).raft_log.committed, n.peer(1).raft_log.committed);
}
