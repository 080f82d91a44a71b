//! Handing leadership to another node (etcd's `TestLeaderTransfer*`): when it succeeds, when it
//! is refused or aborted, and what happens to proposals meanwhile.

use super::harness::*;
use crate::raft::*;
use crate::raftpb::{ConfChangeSingle, ConfChangeType};
use std::rc::Rc;

use MessageType::*;
use StateType::*;

fn check_leader_transfer_state(r: &R, state: StateType, lead: u64) {
    assert_eq!(r.state, state);
    assert_eq!(r.lead, lead);
    assert_eq!(r.lead_transferee, NONE);
}

#[test]
fn leader_transfer_to_up_to_date_node() {
    for via_follower in [false, true] {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        assert_eq!(n.peer(1).lead, 1);
        let to = if via_follower { 2 } else { 1 };
        n.send1(msg(2, to, MsgTransferLeader));
        check_leader_transfer_state(n.peer(1), StateFollower, 2);
        n.send1(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        });
        let to = if via_follower { 1 } else { 2 };
        n.send1(msg(1, to, MsgTransferLeader));
        check_leader_transfer_state(n.peer(1), StateLeader, 1);
    }
}

#[test]
fn leader_transfer_with_check_quorum() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    for i in 1..=3u64 {
        let r = n.peer_mut(i);
        r.check_quorum = true;
        r.randomized_election_timeout = r.election_timeout + i as usize;
    }
    for _ in 0..n.peer(2).election_timeout {
        n.peer_mut(2).tick();
    }
    n.send1(hup(1));
    assert_eq!(n.peer(1).state, StateLeader);
    n.send1(msg(2, 1, MsgTransferLeader));
    check_leader_transfer_state(n.peer(1), StateFollower, 2);
    n.send1(Message {
        entries: vec![Entry::default()],
        ..msg(1, 1, MsgProp)
    });
    n.send1(msg(1, 2, MsgTransferLeader));
    check_leader_transfer_state(n.peer(1), StateLeader, 1);
}

#[test]
fn leader_transfer_to_slow_follower() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.isolate(3);
    n.send1(Message {
        entries: vec![Entry::default()],
        ..msg(1, 1, MsgProp)
    });
    n.recover();
    assert_eq!(n.peer(1).trk.progress[&3].matched, 1);
    n.send1(msg(3, 1, MsgTransferLeader));
    check_leader_transfer_state(n.peer(1), StateFollower, 3);
}

#[test]
fn leader_transfer_after_snapshot() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.isolate(3);
    n.send1(Message {
        entries: vec![Entry::default()],
        ..msg(1, 1, MsgProp)
    });
    snapshot_and_compact(n.peer_mut(1));
    n.recover();
    assert_eq!(n.peer(1).trk.progress[&3].matched, 1);
    let filtered = Rc::new(std::cell::RefCell::new(None));
    let f = filtered.clone();
    n.msg_hook = Some(Box::new(move |m: &Message| {
        if m.msg_type != MsgAppResp || m.from != 3 || m.reject {
            return true;
        }
        *f.borrow_mut() = Some(m.clone());
        false
    }));
    n.send1(msg(3, 1, MsgTransferLeader));
    assert_eq!(n.peer(1).state, StateLeader);
    let filtered = filtered.borrow_mut().take().expect("a filtered MsgAppResp");
    {
        let follower = n.peer_mut(3);
        let s = follower.raft_log.next_unstable_snapshot().unwrap().clone();
        follower.raft_log.storage.apply_snapshot(s.clone()).unwrap();
        follower.applied_snap(&s);
    }
    n.msg_hook = None;
    n.send1(filtered);
    check_leader_transfer_state(n.peer(1), StateFollower, 3);
}

#[test]
fn leader_transfer_to_self_or_non_member_is_a_noop() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.send1(msg(1, 1, MsgTransferLeader));
    check_leader_transfer_state(n.peer(1), StateLeader, 1);
    n.send1(msg(4, 1, MsgTransferLeader));
    check_leader_transfer_state(n.peer(1), StateLeader, 1);
}

#[test]
fn leader_transfer_times_out() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.isolate(3);
    n.send1(msg(3, 1, MsgTransferLeader));
    assert_eq!(n.peer(1).lead_transferee, 3);
    let (ht, et) = (n.peer(1).heartbeat_timeout, n.peer(1).election_timeout);
    for _ in 0..ht {
        n.peer_mut(1).tick();
    }
    assert_eq!(n.peer(1).lead_transferee, 3);
    for _ in 0..et - ht {
        n.peer_mut(1).tick();
    }
    check_leader_transfer_state(n.peer(1), StateLeader, 1);
}

#[test]
fn leader_transfer_ignores_proposals() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.isolate(3);
    next_ents(n.peer_mut(1));
    n.send1(msg(3, 1, MsgTransferLeader));
    assert_eq!(n.peer(1).lead_transferee, 3);
    n.send1(Message {
        entries: vec![Entry::default()],
        ..msg(1, 1, MsgProp)
    });
    let err = n.peer_mut(1).step(Message {
        entries: vec![Entry::default()],
        ..msg(1, 1, MsgProp)
    });
    assert_eq!(err, Err(Error::ProposalDropped));
    assert_eq!(n.peer(1).trk.progress[&1].matched, 1);
}

#[test]
fn leader_transfer_receive_higher_term_vote() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.isolate(3);
    n.send1(msg(3, 1, MsgTransferLeader));
    assert_eq!(n.peer(1).lead_transferee, 3);
    n.send1(Message {
        index: 1,
        term: 2,
        ..msg(2, 2, MsgHup)
    });
    check_leader_transfer_state(n.peer(1), StateFollower, 2);
}

#[test]
fn leader_transfer_remove_node_aborts() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.ignore(MsgTimeoutNow);
    n.send1(msg(3, 1, MsgTransferLeader));
    assert_eq!(n.peer(1).lead_transferee, 3);
    let cc = ConfChangeV2 {
        changes: vec![ConfChangeSingle {
            change_type: ConfChangeType::ConfChangeRemoveNode,
            node_id: 3,
        }],
        ..Default::default()
    };
    n.peer_mut(1).apply_conf_change(&cc).unwrap();
    check_leader_transfer_state(n.peer(1), StateLeader, 1);
}

#[test]
fn leader_transfer_back_and_second_transfers() {
    // Back to self.
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.isolate(3);
    n.send1(msg(3, 1, MsgTransferLeader));
    assert_eq!(n.peer(1).lead_transferee, 3);
    n.send1(msg(1, 1, MsgTransferLeader));
    check_leader_transfer_state(n.peer(1), StateLeader, 1);
    // To another node.
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.isolate(3);
    n.send1(msg(3, 1, MsgTransferLeader));
    n.send1(msg(2, 1, MsgTransferLeader));
    check_leader_transfer_state(n.peer(1), StateFollower, 2);
    // Again to the same node: the timeout is not extended.
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.isolate(3);
    n.send1(msg(3, 1, MsgTransferLeader));
    let (ht, et) = (n.peer(1).heartbeat_timeout, n.peer(1).election_timeout);
    for _ in 0..ht {
        n.peer_mut(1).tick();
    }
    n.send1(msg(3, 1, MsgTransferLeader));
    for _ in 0..et - ht {
        n.peer_mut(1).tick();
    }
    check_leader_transfer_state(n.peer(1), StateLeader, 1);
}

#[test]
fn transfer_to_non_member_does_nothing() {
    let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[2, 3, 4]));
    r.step(msg(2, 1, MsgTimeoutNow)).unwrap();
    r.step(msg(2, 1, MsgVoteResp)).unwrap();
    r.step(msg(3, 1, MsgVoteResp)).unwrap();
    assert_eq!(r.state, StateFollower);
}

#[test]
fn timeout_now_skips_pre_vote_and_carries_transfer_context() {
    let c = Config {
        pre_vote: true,
        check_quorum: true,
        ..test_config(2, 10, 1)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
    r.become_follower(1, 1);
    r.step(Message {
        term: 1,
        ..msg(1, 2, MsgTimeoutNow)
    })
    .unwrap();
    assert_eq!(r.state, StateCandidate);
    assert_eq!(r.term, 2);
    let msgs = read_messages(&mut r);
    assert!(msgs
        .iter()
        .all(|m| m.msg_type == MsgVote && *m.context == *b"CampaignTransfer"));
    // A voter in its lease still grants a transfer vote.
    let c3 = Config {
        check_quorum: true,
        ..test_config(3, 10, 1)
    };
    let mut v = Raft::new(&c3, storage_with_peers(&[1, 2, 3])).unwrap();
    v.become_follower(1, 1);
    let req = msgs.into_iter().find(|m| m.to == 3).unwrap();
    v.step(req).unwrap();
    let resp = read_messages(&mut v);
    assert_eq!(resp.len(), 1);
    assert!(!resp[0].reject);
    assert_eq!(v.term, 2);
}
