//! Elections beyond the paper's rules (etcd's raft_test.go): pre-vote, dueling and conceding
//! candidates, votes from every state, term changes and forgetting the leader.

use super::harness::*;
use crate::logger::{BufferLogger, Level};
use crate::raft::*;
use std::collections::BTreeMap;
use std::rc::Rc;

use MessageType::*;
use StateType::*;

fn leader_election(pre_vote: bool) {
    let (cand_state, cand_term) = if pre_vote {
        (StatePreCandidate, 0)
    } else {
        (StateCandidate, 1)
    };
    let cfg = move |c: &mut Config| c.pre_vote = pre_vote;
    use Peer::{Hole, New};
    let cases: Vec<(Vec<Peer>, StateType, u64)> = vec![
        (vec![New, New, New], StateLeader, 1),
        (vec![New, New, Hole], StateLeader, 1),
        (vec![New, Hole, Hole], cand_state, cand_term),
        (vec![New, Hole, Hole, New], cand_state, cand_term),
        (vec![New, Hole, Hole, New, New], StateLeader, 1),
        (
            vec![
                New,
                Peer::Raft(Box::new(ents_with_config(pre_vote, &[1]))),
                Peer::Raft(Box::new(ents_with_config(pre_vote, &[1]))),
                Peer::Raft(Box::new(ents_with_config(pre_vote, &[1, 1]))),
                New,
            ],
            StateFollower,
            1,
        ),
    ];
    for (i, (peers, state, term)) in cases.into_iter().enumerate() {
        let mut n = new_network_with_config(cfg, peers);
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, state, "#{} prevote={}", i, pre_vote);
        assert_eq!(n.peer(1).term, term, "#{} prevote={}", i, pre_vote);
    }
}

#[test]
fn leader_election_with_and_without_pre_vote() {
    leader_election(false);
    leader_election(true);
}

#[test]
fn leader_cycle() {
    for pre_vote in [false, true] {
        let mut n = new_network_with_config(
            move |c| c.pre_vote = pre_vote,
            vec![Peer::New, Peer::New, Peer::New],
        );
        for campaigner in 1..=3 {
            n.send1(hup(campaigner));
            for id in 1..=3 {
                let want = if id == campaigner {
                    StateLeader
                } else {
                    StateFollower
                };
                assert_eq!(
                    n.peer(id).state,
                    want,
                    "prevote={} campaigner {} node {}",
                    pre_vote,
                    campaigner,
                    id
                );
            }
        }
    }
}

#[test]
fn leader_election_overwrite_newer_logs() {
    for pre_vote in [false, true] {
        let mut n = new_network_with_config(
            move |c| c.pre_vote = pre_vote,
            vec![
                Peer::Raft(Box::new(ents_with_config(pre_vote, &[1]))),
                Peer::Raft(Box::new(ents_with_config(pre_vote, &[1]))),
                Peer::Raft(Box::new(ents_with_config(pre_vote, &[2]))),
                Peer::Raft(Box::new(voted_with_config(pre_vote, 3, 2))),
                Peer::Raft(Box::new(voted_with_config(pre_vote, 3, 2))),
            ],
        );
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateFollower);
        assert_eq!(n.peer(1).term, 2);
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        assert_eq!(n.peer(1).term, 3);
        for id in 1..=5 {
            let es = n.peer(id).raft_log.all_entries();
            assert_eq!(es.len(), 2, "node {}", id);
            assert_eq!(es[0].term, 1);
            assert_eq!(es[1].term, 3);
        }
    }
}

fn vote_from_any_state(vt: MessageType) {
    for st in [
        StateFollower,
        StateCandidate,
        StateLeader,
        StatePreCandidate,
    ] {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.term = 1;
        match st {
            StateFollower => r.become_follower(1, 3),
            StatePreCandidate => r.become_pre_candidate(),
            StateCandidate => r.become_candidate(),
            StateLeader => {
                r.become_candidate();
                r.become_leader();
            }
        }
        let orig_term = r.term;
        let new_term = r.term + 1;
        r.step(Message {
            from: 2,
            to: 1,
            msg_type: vt,
            term: new_term,
            log_term: new_term,
            index: 42,
            ..Default::default()
        })
        .unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), 1, "{} {}", vt, st);
        assert_eq!(msgs[0].msg_type, vote_resp_msg_type(vt));
        assert!(!msgs[0].reject);
        if vt == MsgVote {
            assert_eq!(r.state, StateFollower);
            assert_eq!(r.term, new_term);
            assert_eq!(r.vote, 2);
        } else {
            assert_eq!(r.state, st);
            assert_eq!(r.term, orig_term);
            assert!(r.vote == NONE || r.vote == 1);
        }
    }
}

#[test]
fn vote_and_pre_vote_from_any_state() {
    vote_from_any_state(MsgVote);
    vote_from_any_state(MsgPreVote);
}

#[test]
fn dueling_candidates() {
    let mk = |id| {
        Peer::Raft(Box::new(new_test_raft(
            id,
            10,
            1,
            storage_with_peers(&[1, 2, 3]),
        )))
    };
    let mut n = new_network(vec![mk(1), mk(2), mk(3)]);
    n.cut(1, 3);
    n.send1(hup(1));
    n.send1(hup(3));
    assert_eq!(n.peer(1).state, StateLeader);
    assert_eq!(n.peer(3).state, StateCandidate);
    n.recover();
    // 3 disrupts the leader with its higher term but loses: its log is too short.
    n.send1(hup(3));
    assert_eq!(n.peer(3).state, StateFollower);
    for (id, state, term, last) in [
        (1, StateFollower, 2, 1),
        (2, StateFollower, 2, 1),
        (3, StateFollower, 2, 0),
    ] {
        assert_eq!(n.peer(id).state, state, "node {}", id);
        assert_eq!(n.peer(id).term, term, "node {}", id);
        assert_eq!(n.peer(id).raft_log.last_index(), last, "node {}", id);
    }
}

#[test]
fn dueling_pre_candidates() {
    let mk = |id| {
        let c = Config {
            pre_vote: true,
            ..test_config(id, 10, 1)
        };
        Peer::Raft(Box::new(
            Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap(),
        ))
    };
    let mut n = new_network(vec![mk(1), mk(2), mk(3)]);
    n.cut(1, 3);
    n.send1(hup(1));
    n.send1(hup(3));
    assert_eq!(n.peer(1).state, StateLeader);
    assert_eq!(n.peer(3).state, StateFollower, "pre-vote rejected");
    n.recover();
    // With pre-vote, 3 does not disrupt the leader.
    n.send1(hup(3));
    for (id, state, term, last) in [
        (1, StateLeader, 1, 1),
        (2, StateFollower, 1, 1),
        (3, StateFollower, 1, 0),
    ] {
        assert_eq!(n.peer(id).state, state, "node {}", id);
        assert_eq!(n.peer(id).term, term, "node {}", id);
        assert_eq!(n.peer(id).raft_log.last_index(), last, "node {}", id);
    }
}

#[test]
fn candidate_concede() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.isolate(1);
    n.send1(hup(1));
    n.send1(hup(3));
    n.recover();
    n.send1(msg(3, 3, MsgBeat));
    n.send1(prop(3, 3, b"force follower"));
    n.send1(msg(3, 3, MsgBeat));
    assert_eq!(n.peer(1).state, StateFollower);
    assert_eq!(n.peer(1).term, 1);
    let want = vec![
        Entry {
            term: 1,
            index: 1,
            ..Default::default()
        },
        Entry {
            term: 1,
            index: 2,
            data: b"force follower".to_vec().into(),
            ..Default::default()
        },
    ];
    for id in 1..=3 {
        assert_eq!(n.peer(id).raft_log.all_entries(), want, "node {}", id);
    }
}

#[test]
fn single_node_candidate_and_pre_candidate() {
    for pre_vote in [false, true] {
        let mut n = new_network_with_config(move |c| c.pre_vote = pre_vote, vec![Peer::New]);
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
    }
}

#[test]
fn past_election_timeout_probabilities() {
    let cases = [
        (5, 0.0, false),
        (10, 0.1, true),
        (13, 0.4, true),
        (15, 0.6, true),
        (18, 0.9, true),
        (20, 1.0, false),
    ];
    for (i, (elapse, wprob, round)) in cases.into_iter().enumerate() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1]));
        r.election_elapsed = elapse;
        let mut c = 0;
        for _ in 0..10000 {
            r.reset_randomized_election_timeout();
            if r.past_election_timeout() {
                c += 1;
            }
        }
        let mut got = c as f64 / 10000.0;
        if round {
            got = (got * 10.0 + 0.5).floor() / 10.0;
        }
        assert_eq!(got, wprob, "#{}", i);
    }
}

fn recv_msg_vote(mt: MessageType) {
    let cases = [
        (StateFollower, 0, 0, NONE, true),
        (StateFollower, 0, 1, NONE, true),
        (StateFollower, 0, 2, NONE, true),
        (StateFollower, 0, 3, NONE, false),
        (StateFollower, 1, 0, NONE, true),
        (StateFollower, 1, 1, NONE, true),
        (StateFollower, 1, 2, NONE, true),
        (StateFollower, 1, 3, NONE, false),
        (StateFollower, 2, 0, NONE, true),
        (StateFollower, 2, 1, NONE, true),
        (StateFollower, 2, 2, NONE, false),
        (StateFollower, 2, 3, NONE, false),
        (StateFollower, 3, 0, NONE, true),
        (StateFollower, 3, 1, NONE, true),
        (StateFollower, 3, 2, NONE, false),
        (StateFollower, 3, 3, NONE, false),
        (StateFollower, 3, 2, 2, false),
        (StateFollower, 3, 2, 1, true),
        (StateLeader, 3, 3, 1, true),
        (StatePreCandidate, 3, 3, 1, true),
        (StateCandidate, 3, 3, 1, true),
    ];
    for (i, (state, index, log_term, vote_for, wreject)) in cases.into_iter().enumerate() {
        let mut s = storage_with_peers(&[1]);
        s.append(&ents(1, &[2, 2])).unwrap();
        let mut r = new_test_raft(1, 10, 1, s);
        r.state = state;
        r.vote = vote_for;
        let term = r.raft_log.last_entry_id().term.max(log_term);
        r.term = term;
        r.step(Message {
            msg_type: mt,
            term,
            from: 2,
            index,
            log_term,
            ..Default::default()
        })
        .unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), 1, "#{}", i);
        assert_eq!(msgs[0].msg_type, vote_resp_msg_type(mt), "#{}", i);
        assert_eq!(msgs[0].reject, wreject, "#{} {}", i, mt);
    }
}

#[test]
fn recv_msg_vote_and_pre_vote() {
    recv_msg_vote(MsgVote);
    recv_msg_vote(MsgPreVote);
}

#[test]
fn state_transitions() {
    // (from, to, allowed, term, lead)
    let cases = [
        (StateFollower, StateFollower, true, 1, NONE),
        (StateFollower, StatePreCandidate, true, 0, NONE),
        (StateFollower, StateCandidate, true, 1, NONE),
        (StateFollower, StateLeader, false, 0, NONE),
        (StatePreCandidate, StateFollower, true, 0, NONE),
        (StatePreCandidate, StatePreCandidate, true, 0, NONE),
        (StatePreCandidate, StateCandidate, true, 1, NONE),
        (StatePreCandidate, StateLeader, true, 0, 1),
        (StateCandidate, StateFollower, true, 0, NONE),
        (StateCandidate, StatePreCandidate, true, 0, NONE),
        (StateCandidate, StateCandidate, true, 1, NONE),
        (StateCandidate, StateLeader, true, 0, 1),
        (StateLeader, StateFollower, true, 1, NONE),
        (StateLeader, StatePreCandidate, false, 0, NONE),
        (StateLeader, StateCandidate, false, 1, NONE),
        (StateLeader, StateLeader, true, 0, 1),
    ];
    for (i, (from, to, wallow, wterm, wlead)) in cases.into_iter().enumerate() {
        let res = std::panic::catch_unwind(move || {
            let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1]));
            r.state = from;
            match to {
                StateFollower => r.become_follower(wterm, wlead),
                StatePreCandidate => r.become_pre_candidate(),
                StateCandidate => r.become_candidate(),
                StateLeader => r.become_leader(),
            }
            (r.term, r.lead)
        });
        match res {
            Ok((term, lead)) => {
                assert!(wallow, "#{} should have panicked", i);
                assert_eq!((term, lead), (wterm, wlead), "#{}", i);
            }
            Err(_) => assert!(!wallow, "#{} panicked", i),
        }
    }
}

#[test]
fn all_servers_step_down_on_higher_term() {
    let cases = [
        (StateFollower, StateFollower, 3, 0),
        (StatePreCandidate, StateFollower, 3, 0),
        (StateCandidate, StateFollower, 3, 0),
        (StateLeader, StateFollower, 3, 1),
    ];
    for (i, (state, wstate, wterm, windex)) in cases.into_iter().enumerate() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        match state {
            StateFollower => r.become_follower(1, NONE),
            StatePreCandidate => r.become_pre_candidate(),
            StateCandidate => r.become_candidate(),
            StateLeader => {
                r.become_candidate();
                r.become_leader();
            }
        }
        for (j, mt) in [MsgVote, MsgApp].into_iter().enumerate() {
            r.step(Message {
                from: 2,
                msg_type: mt,
                term: 3,
                log_term: 3,
                ..Default::default()
            })
            .unwrap();
            assert_eq!(r.state, wstate, "#{}.{}", i, j);
            assert_eq!(r.term, wterm, "#{}.{}", i, j);
            assert_eq!(r.raft_log.last_index(), windex, "#{}.{}", i, j);
            assert_eq!(
                r.raft_log.all_entries().len() as u64,
                windex,
                "#{}.{}",
                i,
                j
            );
            let wlead = if mt == MsgVote { NONE } else { 2 };
            assert_eq!(r.lead, wlead, "#{}.{}", i, j);
        }
    }
}

fn candidate_reset_term(mt: MessageType) {
    let mk = |id| {
        Peer::Raft(Box::new(new_test_raft(
            id,
            10,
            1,
            storage_with_peers(&[1, 2, 3]),
        )))
    };
    let mut n = new_network(vec![mk(1), mk(2), mk(3)]);
    n.send1(hup(1));
    assert_eq!(n.peer(1).state, StateLeader);
    n.isolate(3);
    n.send1(hup(2));
    n.send1(hup(1));
    assert_eq!(n.peer(1).state, StateLeader);
    assert_eq!(n.peer(2).state, StateFollower);
    {
        let c = n.peer_mut(3);
        c.reset_randomized_election_timeout();
        for _ in 0..c.randomized_election_timeout {
            c.tick();
        }
        advance_messages_after_append(c);
        assert_eq!(c.state, StateCandidate);
    }
    n.recover();
    let term = n.peer(1).term;
    n.send1(Message {
        from: 1,
        to: 3,
        term,
        msg_type: mt,
        ..Default::default()
    });
    assert_eq!(n.peer(3).state, StateFollower);
    assert_eq!(n.peer(3).term, term);
}

#[test]
fn candidate_reset_term_on_heartbeat_and_app() {
    candidate_reset_term(MsgHeartbeat);
    candidate_reset_term(MsgApp);
}

#[test]
fn candidate_self_vote_after_lost_election() {
    for pre_vote in [false, true] {
        let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2, 3]));
        r.pre_vote = pre_vote;
        r.step(hup(1)).unwrap();
        let steps = take_messages_after_append(&mut r);
        let term = r.term;
        r.step(Message {
            from: 2,
            to: 1,
            term,
            msg_type: MsgHeartbeat,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.state, StateFollower);
        step_or_send(&mut r, steps);
        assert_eq!(r.state, StateFollower);
        assert_eq!(r.trk.tally_votes().0, 0);
    }
}

#[test]
fn candidate_ignores_pre_candidate_self_vote_after_becoming_candidate() {
    let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2, 3]));
    r.pre_vote = true;
    r.step(hup(1)).unwrap();
    assert_eq!(r.state, StatePreCandidate);
    let steps = take_messages_after_append(&mut r);
    let t = r.term + 1;
    r.step(Message {
        from: 2,
        to: 1,
        term: t,
        msg_type: MsgPreVoteResp,
        ..Default::default()
    })
    .unwrap();
    r.step(Message {
        from: 3,
        to: 1,
        term: t,
        msg_type: MsgPreVoteResp,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.state, StateCandidate);
    step_or_send(&mut r, steps);
    assert_eq!(r.state, StateCandidate);
    let steps = take_messages_after_append(&mut r);
    assert_eq!(r.trk.tally_votes().0, 0);
    let t = r.term;
    r.step(Message {
        from: 2,
        to: 1,
        term: t,
        msg_type: MsgVoteResp,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.state, StateCandidate);
    step_or_send(&mut r, steps);
    assert_eq!(r.state, StateLeader);
}

#[test]
fn campaign_while_leader_is_a_noop() {
    for pre_vote in [false, true] {
        let c = Config {
            pre_vote,
            ..test_config(1, 5, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1])).unwrap();
        assert_eq!(r.state, StateFollower);
        r.step(hup(1)).unwrap();
        advance_messages_after_append(&mut r);
        assert_eq!(r.state, StateLeader);
        let term = r.term;
        r.step(hup(1)).unwrap();
        advance_messages_after_append(&mut r);
        assert_eq!(r.state, StateLeader);
        assert_eq!(r.term, term);
    }
}

#[test]
fn node_with_smaller_term_can_complete_election() {
    let mut peers = Vec::new();
    for id in 1..=3 {
        let mut r = new_test_raft(id, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.become_follower(1, NONE);
        r.pre_vote = true;
        peers.push(Peer::Raft(Box::new(r)));
    }
    let mut n = new_network(peers);
    n.cut(1, 3);
    n.cut(2, 3);
    n.send1(hup(1));
    assert_eq!(n.peer(1).state, StateLeader);
    assert_eq!(n.peer(2).state, StateFollower);
    n.send1(hup(3));
    assert_eq!(n.peer(3).state, StatePreCandidate);
    n.send1(hup(2));
    assert_eq!((n.peer(1).term, n.peer(2).term, n.peer(3).term), (3, 3, 1));
    assert_eq!(n.peer(1).state, StateFollower);
    assert_eq!(n.peer(2).state, StateLeader);
    assert_eq!(n.peer(3).state, StatePreCandidate);
    n.recover();
    n.cut(2, 1);
    n.cut(2, 3);
    n.send1(hup(3));
    n.send1(hup(1));
    assert!(n.peer(1).state == StateLeader || n.peer(3).state == StateLeader);
}

#[test]
fn pre_vote_with_split_vote() {
    let mut peers = Vec::new();
    for id in 1..=3 {
        let mut r = new_test_raft(id, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.become_follower(1, NONE);
        r.pre_vote = true;
        peers.push(Peer::Raft(Box::new(r)));
    }
    let mut n = new_network(peers);
    n.send1(hup(1));
    n.isolate(1);
    n.send(vec![hup(2), hup(3)]);
    assert_eq!((n.peer(2).term, n.peer(3).term), (3, 3));
    assert_eq!(
        (n.peer(2).state, n.peer(3).state),
        (StateCandidate, StateCandidate)
    );
    n.send1(hup(2));
    assert_eq!((n.peer(2).term, n.peer(3).term), (4, 4));
    assert_eq!(
        (n.peer(2).state, n.peer(3).state),
        (StateLeader, StateFollower)
    );
}

#[test]
fn forget_leader() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
    let c = Config {
        logger: Some(logger.clone()),
        ..test_config(2, 10, 1)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
    r.become_follower(1, 1);
    logger.take();
    r.step(msg(0, 0, MsgForgetLeader)).unwrap();
    assert_eq!(r.lead, NONE);
    assert_eq!(logger.take(), vec!["INFO 2 forgetting leader 1 at term 1"]);
    // Having forgotten its leader, it grants votes right away.
    r.step(Message {
        from: 3,
        to: 2,
        msg_type: MsgVote,
        term: 1,
        ..Default::default()
    })
    .unwrap();
    assert!(!read_messages(&mut r)[0].reject);

    // Refused under lease-based reads.
    let c = Config {
        check_quorum: true,
        read_only_option: ReadOnlyOption::ReadOnlyLeaseBased,
        logger: Some(logger.clone()),
        ..test_config(2, 10, 1)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
    r.become_follower(1, 1);
    logger.take();
    r.step(msg(0, 0, MsgForgetLeader)).unwrap();
    assert_eq!(r.lead, 1);
    assert_eq!(
        logger.take(),
        vec!["ERROR ignoring MsgForgetLeader due to ReadOnlyLeaseBased"]
    );

    // A no-op on a leader.
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
    r.become_candidate();
    r.become_leader();
    r.step(msg(0, 0, MsgForgetLeader)).unwrap();
    assert_eq!(r.lead, 1);
}

#[test]
fn status_of_progress_map_after_election() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    let r = n.peer(1);
    let m: BTreeMap<u64, (u64, u64)> = r
        .trk
        .progress
        .iter()
        .map(|(&id, p)| (id, (p.matched, p.next)))
        .collect();
    assert_eq!(m, BTreeMap::from([(1, (1, 2)), (2, (1, 2)), (3, (1, 2))]));
}
