//! CheckQuorum and the leader lease (etcd's raft_test.go): leaders stepping down without a quorum,
//! votes ignored within the lease, disruptive followers, and answers to stale-term messages.

use super::harness::*;
use crate::logger::{BufferLogger, Level};
use crate::raft::*;
use std::rc::Rc;

use MessageType::*;
use StateType::*;

#[test]
fn lower_term_messages_get_etcd_responses() {
    // With CheckQuorum (or PreVote) a stale leader's append is answered so it steps down.
    let c = Config {
        check_quorum: true,
        ..test_config(1, 10, 1)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
    r.become_follower(3, 3);
    r.step(Message {
        from: 2,
        to: 1,
        msg_type: MsgHeartbeat,
        term: 2,
        ..Default::default()
    })
    .unwrap();
    let msgs = read_messages(&mut r);
    assert_eq!(
        msgs,
        vec![Message {
            from: 1,
            to: 2,
            msg_type: MsgAppResp,
            term: 3,
            ..Default::default()
        }]
    );
    // Without either, it is just ignored.
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
    r.become_follower(3, 3);
    r.step(Message {
        from: 2,
        to: 1,
        msg_type: MsgHeartbeat,
        term: 2,
        ..Default::default()
    })
    .unwrap();
    assert!(read_messages(&mut r).is_empty());
    // A stale pre-vote is rejected with our term.
    r.step(Message {
        from: 2,
        to: 1,
        msg_type: MsgPreVote,
        term: 2,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        read_messages(&mut r),
        vec![Message {
            from: 1,
            to: 2,
            msg_type: MsgPreVoteResp,
            term: 3,
            reject: true,
            ..Default::default()
        }]
    );
}

#[test]
fn leader_stepdown_when_quorum_active_or_lost() {
    let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2, 3]));
    r.check_quorum = true;
    r.become_candidate();
    r.become_leader();
    for _ in 0..r.election_timeout + 1 {
        let term = r.term;
        r.step(Message {
            term,
            ..msg(2, 0, MsgHeartbeatResp)
        })
        .unwrap();
        r.tick();
    }
    assert_eq!(r.state, StateLeader);

    let logger = Rc::new(BufferLogger::new(Some(Level::Warn)));
    let c = Config {
        check_quorum: true,
        logger: Some(logger.clone()),
        ..test_config(1, 5, 1)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
    r.become_candidate();
    r.become_leader();
    for _ in 0..r.election_timeout + 1 {
        r.tick();
    }
    assert_eq!(r.state, StateFollower);
    assert_eq!(
        logger.take(),
        vec!["WARN 1 stepped down to follower since quorum is not active"]
    );
}

#[test]
fn leader_superseding_with_check_quorum() {
    let mut n = cq_network(&[1, 2, 3]);
    let et = n.peer(2).election_timeout;
    n.peer_mut(2).randomized_election_timeout = et + 1;
    for _ in 0..et {
        n.peer_mut(2).tick();
    }
    n.send1(hup(1));
    assert_eq!(n.peer(1).state, StateLeader);
    assert_eq!(n.peer(3).state, StateFollower);
    n.send1(hup(3));
    // 2 is in its lease: it ignores 3's vote request.
    assert_eq!(n.peer(3).state, StateCandidate);
    for _ in 0..et {
        n.peer_mut(2).tick();
    }
    n.send1(hup(3));
    assert_eq!(n.peer(3).state, StateLeader);
}

#[test]
fn leader_election_with_check_quorum() {
    let mut n = cq_network(&[1, 2, 3]);
    let et = n.peer(1).election_timeout;
    n.peer_mut(1).randomized_election_timeout = et + 1;
    n.peer_mut(2).randomized_election_timeout = et + 2;
    // Right after creation votes are cast regardless of leases.
    n.send1(hup(1));
    assert_eq!(n.peer(1).state, StateLeader);
    assert_eq!(n.peer(3).state, StateFollower);
    n.peer_mut(1).randomized_election_timeout = et + 1;
    n.peer_mut(2).randomized_election_timeout = et + 2;
    for _ in 0..et {
        n.peer_mut(1).tick();
    }
    for _ in 0..et {
        n.peer_mut(2).tick();
    }
    n.send1(hup(3));
    assert_eq!(n.peer(1).state, StateFollower);
    assert_eq!(n.peer(3).state, StateLeader);
}

#[test]
fn free_stuck_candidate_with_check_quorum() {
    let mut n = cq_network(&[1, 2, 3]);
    let et = n.peer(2).election_timeout;
    n.peer_mut(2).randomized_election_timeout = et + 1;
    for _ in 0..et {
        n.peer_mut(2).tick();
    }
    n.send1(hup(1));
    n.isolate(1);
    n.send1(hup(3));
    assert_eq!(n.peer(2).state, StateFollower);
    assert_eq!(n.peer(3).state, StateCandidate);
    assert_eq!(n.peer(3).term, n.peer(2).term + 1);
    n.send1(hup(3));
    assert_eq!(n.peer(2).state, StateFollower);
    assert_eq!(n.peer(3).state, StateCandidate);
    assert_eq!(n.peer(3).term, n.peer(2).term + 2);
    n.recover();
    let term = n.peer(1).term;
    n.send1(Message {
        from: 1,
        to: 3,
        msg_type: MsgHeartbeat,
        term,
        ..Default::default()
    });
    // The stuck candidate's answer makes the leader step down.
    assert_eq!(n.peer(1).state, StateFollower);
    assert_eq!(n.peer(3).term, n.peer(1).term);
    n.send1(hup(3));
    assert_eq!(n.peer(3).state, StateLeader);
}

#[test]
fn disruptive_follower() {
    let mut n = cq_network(&[1, 2, 3]);
    for id in 1..=3 {
        n.peer_mut(id).become_follower(1, NONE);
    }
    n.send1(hup(1));
    assert_eq!(n.peer(1).state, StateLeader);
    {
        let n3 = n.peer_mut(3);
        n3.randomized_election_timeout = n3.election_timeout + 2;
        for _ in 0..n3.randomized_election_timeout - 1 {
            n3.tick();
        }
        n3.tick();
    }
    assert_eq!(n.peer(1).state, StateLeader);
    assert_eq!(n.peer(3).state, StateCandidate);
    assert_eq!((n.peer(1).term, n.peer(2).term, n.peer(3).term), (2, 2, 3));
    let term = n.peer(1).term;
    n.send1(Message {
        from: 1,
        to: 3,
        term,
        msg_type: MsgHeartbeat,
        ..Default::default()
    });
    assert_eq!(n.peer(1).state, StateFollower);
    assert_eq!(n.peer(3).state, StateCandidate);
    assert_eq!((n.peer(1).term, n.peer(2).term, n.peer(3).term), (3, 2, 3));
}

#[test]
fn disruptive_follower_pre_vote() {
    let mut n = cq_network(&[1, 2, 3]);
    for id in 1..=3 {
        n.peer_mut(id).become_follower(1, NONE);
    }
    n.send1(hup(1));
    assert_eq!(n.peer(1).state, StateLeader);
    n.isolate(3);
    for _ in 0..3 {
        n.send1(prop(1, 1, b"somedata"));
    }
    for id in 1..=3 {
        n.peer_mut(id).pre_vote = true;
    }
    n.recover();
    n.send1(hup(3));
    assert_eq!(n.peer(1).state, StateLeader);
    assert_eq!(n.peer(3).state, StatePreCandidate);
    assert_eq!((n.peer(1).term, n.peer(2).term, n.peer(3).term), (2, 2, 2));
    let term = n.peer(1).term;
    n.send1(Message {
        from: 1,
        to: 3,
        term,
        msg_type: MsgHeartbeat,
        ..Default::default()
    });
    assert_eq!(n.peer(1).state, StateLeader);
}

#[test]
fn pre_vote_with_check_quorum() {
    let mut peers = Vec::new();
    for id in 1..=3 {
        let mut r = new_test_raft(id, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.become_follower(1, NONE);
        r.pre_vote = true;
        r.check_quorum = true;
        peers.push(Peer::Raft(Box::new(r)));
    }
    let mut n = new_network(peers);
    n.send1(hup(1));
    n.isolate(1);
    assert_eq!(n.peer(1).state, StateLeader);
    assert_eq!(n.peer(2).state, StateFollower);
    assert_eq!(n.peer(3).state, StateFollower);
    n.send1(hup(3));
    n.send1(hup(2));
    assert!(n.peer(2).state == StateLeader || n.peer(3).state == StateFollower);
}

#[test]
fn vote_ignored_within_lease_logs_remaining_ticks() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
    let c = Config {
        check_quorum: true,
        logger: Some(logger.clone()),
        ..test_config(2, 10, 1)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
    r.become_follower(1, 1);
    r.tick();
    logger.take();
    r.step(Message {
        from: 3,
        to: 2,
        msg_type: MsgVote,
        term: 2,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.term, 1);
    assert!(read_messages(&mut r).is_empty());
    assert_eq!(
            logger.take(),
            vec!["INFO 2 [logterm: 0, index: 0, vote: 0] ignored MsgVote from 3 [logterm: 0, index: 0] at term 1: lease is not expired (remaining ticks: 9)"]
        );
}
