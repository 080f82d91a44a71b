//! Proposals, appends, heartbeats and commitment (etcd's raft_test.go), and the bounds `step`
//! keeps on indexes.

use super::harness::*;
use crate::logger::{BufferLogger, Level};
use crate::raft::*;
use crate::raftpb::{ConfChangeSingle, ConfChangeType};
use std::rc::Rc;

use MessageType::*;
use StateType::*;

#[test]
fn log_replication() {
    let cases: Vec<(Vec<Message>, u64)> = vec![
        (vec![prop(1, 1, b"somedata")], 2),
        (
            vec![
                prop(1, 1, b"somedata"),
                msg(1, 2, MsgHup),
                prop(1, 2, b"somedata"),
            ],
            4,
        ),
    ];
    for (i, (msgs, wcommitted)) in cases.into_iter().enumerate() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        for m in &msgs {
            n.send1(m.clone());
        }
        for id in 1..=3 {
            let r = n.peer_mut(id);
            assert_eq!(r.raft_log.committed, wcommitted, "#{}.{}", i, id);
            let applied: Vec<Entry> = next_ents(r)
                .into_iter()
                .filter(|e| !e.data.is_empty())
                .collect();
            let props: Vec<&Message> = msgs.iter().filter(|m| m.msg_type == MsgProp).collect();
            assert_eq!(applied.len(), props.len());
            for (k, m) in props.iter().enumerate() {
                assert_eq!(applied[k].data, m.entries[0].data, "#{}.{}", i, id);
            }
        }
    }
}

#[test]
fn single_node_commit() {
    let mut n = new_network(vec![Peer::New]);
    n.send1(hup(1));
    n.send1(prop(1, 1, b"some data"));
    n.send1(prop(1, 1, b"some data"));
    assert_eq!(n.peer(1).raft_log.committed, 3);
}

#[test]
fn cannot_commit_without_new_term_entry() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.cut(1, 3);
    n.cut(1, 4);
    n.cut(1, 5);
    n.send1(prop(1, 1, b"some data"));
    n.send1(prop(1, 1, b"some data"));
    assert_eq!(n.peer(1).raft_log.committed, 1);
    n.recover();
    // Keep the new leader's empty entry from being replicated.
    n.ignore(MsgApp);
    n.send1(hup(2));
    assert_eq!(n.peer(2).raft_log.committed, 1);
    n.recover();
    n.send1(msg(2, 2, MsgBeat));
    n.send1(prop(2, 2, b"some data"));
    assert_eq!(n.peer(2).raft_log.committed, 5);
}

#[test]
fn commit_without_new_term_entry() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.cut(1, 3);
    n.cut(1, 4);
    n.cut(1, 5);
    n.send1(prop(1, 1, b"some data"));
    n.send1(prop(1, 1, b"some data"));
    assert_eq!(n.peer(1).raft_log.committed, 1);
    n.recover();
    // The new leader's empty entry commits everything before it.
    n.send1(hup(2));
    assert_eq!(n.peer(1).raft_log.committed, 4);
}

#[test]
fn old_messages_are_ignored() {
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    n.send1(hup(2));
    n.send1(hup(1));
    // An old leader's append at term 2 is ignored.
    n.send1(Message {
        from: 2,
        to: 1,
        msg_type: MsgApp,
        term: 2,
        entries: ents(3, &[2]),
        ..Default::default()
    });
    n.send1(prop(1, 1, b"somedata"));
    let mut want = ents(1, &[1, 2, 3, 3]);
    want[3].data = b"somedata".to_vec().into();
    for id in 1..=3 {
        assert_eq!(n.peer(id).raft_log.all_entries(), want, "node {}", id);
    }
}

#[test]
fn proposal_needs_a_quorum_and_a_leader() {
    use Peer::{Hole, New};
    let cases: Vec<(Vec<Peer>, bool)> = vec![
        (vec![New, New, New], true),
        (vec![New, New, Hole], true),
        (vec![New, Hole, Hole], false),
        (vec![New, Hole, Hole, New], false),
        (vec![New, Hole, Hole, New, New], true),
    ];
    for (j, (peers, success)) in cases.into_iter().enumerate() {
        let mut n = new_network(peers);
        n.send1(hup(1));
        // Without a quorum node 1 is no leader and drops the proposal.
        let res = n.peer_mut(1).step(prop(1, 1, b"somedata"));
        assert_eq!(res.is_ok(), success, "#{}", j);
        if success {
            let out = read_messages(n.peer_mut(1));
            n.send(out);
        }
        let want = if success {
            vec![
                Entry {
                    term: 1,
                    index: 1,
                    ..Default::default()
                },
                Entry {
                    term: 1,
                    index: 2,
                    data: b"somedata".to_vec().into(),
                    ..Default::default()
                },
            ]
        } else {
            vec![]
        };
        for (&id, p) in &n.peers {
            if let Some(r) = p {
                assert_eq!(r.raft_log.all_entries(), want, "#{} peer {}", j, id);
            }
        }
        assert_eq!(n.peer(1).term, 1, "#{}", j);
    }
}

#[test]
fn proposal_by_proxy() {
    for peers in [
        vec![Peer::New, Peer::New, Peer::New],
        vec![Peer::New, Peer::New, Peer::Hole],
    ] {
        let mut n = new_network(peers);
        n.send1(hup(1));
        n.send1(prop(2, 2, b"somedata"));
        let want = vec![
            Entry {
                term: 1,
                index: 1,
                ..Default::default()
            },
            Entry {
                term: 1,
                index: 2,
                data: b"somedata".to_vec().into(),
                ..Default::default()
            },
        ];
        for (&id, p) in &n.peers {
            if let Some(r) = p {
                assert_eq!(r.raft_log.all_entries(), want, "peer {}", id);
            }
        }
        assert_eq!(n.peer(1).term, 1);
    }
}

#[test]
fn follower_forwards_proposals_to_the_leader_without_term() {
    let mut r = new_test_raft(2, 10, 1, storage_with_peers(&[1, 2, 3]));
    r.become_follower(1, 1);
    r.step(prop(2, 2, b"x")).unwrap();
    let msgs = read_messages(&mut r);
    assert_eq!(msgs.len(), 1);
    assert_eq!(
        (msgs[0].to, msgs[0].msg_type, msgs[0].term),
        (1, MsgProp, 0)
    );
}

#[test]
fn proposals_are_dropped_with_etcd_messages() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Debug)));
    let lg = |id| Config {
        logger: Some(logger.clone()),
        ..test_config(id, 10, 1)
    };
    // No leader.
    let mut r = Raft::new(&lg(1), storage_with_peers(&[1, 2, 3])).unwrap();
    logger.take();
    assert_eq!(r.step(prop(1, 1, b"x")), Err(Error::ProposalDropped));
    assert_eq!(
        logger.take(),
        vec!["INFO 1 no leader at term 0; dropping proposal"]
    );
    // Candidate.
    r.become_candidate();
    logger.take();
    assert_eq!(r.step(prop(1, 1, b"x")), Err(Error::ProposalDropped));
    assert_eq!(
        logger.take(),
        vec!["INFO 1 no leader at term 1; dropping proposal"]
    );
    // Forwarding disabled.
    let c = Config {
        disable_proposal_forwarding: true,
        ..lg(2)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
    r.become_follower(1, 1);
    logger.take();
    assert_eq!(r.step(prop(2, 2, b"x")), Err(Error::ProposalDropped));
    assert_eq!(
        logger.take(),
        vec!["INFO 2 not forwarding to leader 1 at term 1; dropping proposal"]
    );
    assert!(read_messages(&mut r).is_empty());
    // Leader transfer in progress.
    let mut r = Raft::new(&lg(1), storage_with_peers(&[1, 2, 3])).unwrap();
    r.become_candidate();
    r.become_leader();
    r.step(msg(2, 1, MsgTransferLeader)).unwrap();
    logger.take();
    assert_eq!(r.step(prop(1, 1, b"x")), Err(Error::ProposalDropped));
    assert_eq!(
        logger.take(),
        vec!["DEBUG 1 [term 1] transfer leadership to 2 is in progress; dropping proposal"]
    );
}

#[test]
fn commit_by_quorum_of_matches() {
    // (matches, log terms, term, want commit)
    let cases: Vec<(Vec<u64>, Vec<u64>, u64, u64)> = vec![
        (vec![1], vec![1], 1, 1),
        (vec![1], vec![1], 2, 0),
        (vec![2], vec![1, 2], 2, 2),
        (vec![1], vec![2], 2, 1),
        (vec![2, 1, 1], vec![1, 2], 1, 1),
        (vec![2, 1, 1], vec![1, 1], 2, 0),
        (vec![2, 1, 2], vec![1, 2], 2, 2),
        (vec![2, 1, 2], vec![1, 1], 2, 0),
        (vec![2, 1, 1, 1], vec![1, 2], 1, 1),
        (vec![2, 1, 1, 1], vec![1, 1], 2, 0),
        (vec![2, 1, 1, 2], vec![1, 2], 1, 1),
        (vec![2, 1, 1, 2], vec![1, 1], 2, 0),
        (vec![2, 1, 2, 2], vec![1, 2], 2, 2),
        (vec![2, 1, 2, 2], vec![1, 1], 2, 0),
    ];
    for (i, (matches, terms, term, w)) in cases.into_iter().enumerate() {
        let mut s = storage_with_peers(&[1]);
        s.append(&ents(1, &terms)).unwrap();
        s.set_hard_state(HardState {
            term,
            ..Default::default()
        });
        let mut r = new_test_raft(1, 10, 2, s);
        for (j, &m) in matches.iter().enumerate() {
            let id = j as u64 + 1;
            if id > 1 {
                let cc = ConfChangeV2 {
                    changes: vec![ConfChangeSingle {
                        change_type: ConfChangeType::ConfChangeAddNode,
                        node_id: id,
                    }],
                    ..Default::default()
                };
                r.apply_conf_change(&cc).unwrap();
            }
            let pr = r.trk.progress.get_mut(&id).unwrap();
            pr.matched = m;
            pr.next = m + 1;
        }
        r.maybe_commit();
        assert_eq!(r.raft_log.committed, w, "#{}", i);
    }
}

#[test]
fn handle_msg_app() {
    // (log term, index, commit, entries, want last index, want commit, want reject)
    let e = |i, t| Entry {
        index: i,
        term: t,
        ..Default::default()
    };
    let cases: Vec<(u64, u64, u64, u64, Vec<Entry>, u64, u64, bool)> = vec![
        (2, 3, 2, 3, vec![], 2, 0, true),
        (2, 3, 3, 3, vec![], 2, 0, true),
        (2, 1, 1, 1, vec![], 2, 1, false),
        (2, 0, 0, 1, vec![e(1, 2)], 1, 1, false),
        (2, 2, 2, 3, vec![e(3, 2), e(4, 2)], 4, 3, false),
        (2, 2, 2, 4, vec![e(3, 2)], 3, 3, false),
        (2, 1, 1, 4, vec![e(2, 2)], 2, 2, false),
        (1, 1, 1, 3, vec![], 2, 1, false),
        (1, 1, 1, 3, vec![e(2, 2)], 2, 2, false),
        (2, 2, 2, 3, vec![], 2, 2, false),
        (2, 2, 2, 4, vec![], 2, 2, false),
    ];
    for (i, (term, log_term, index, commit, es, windex, wcommit, wreject)) in
        cases.into_iter().enumerate()
    {
        let mut s = storage_with_peers(&[1]);
        s.append(&ents(1, &[1, 2])).unwrap();
        let mut r = new_test_raft(1, 10, 1, s);
        r.become_follower(2, NONE);
        r.handle_append_entries(&mut Message {
            msg_type: MsgApp,
            term,
            log_term,
            index,
            commit,
            entries: es,
            ..Default::default()
        });
        assert_eq!(r.raft_log.last_index(), windex, "#{}", i);
        assert_eq!(r.raft_log.committed, wcommit, "#{}", i);
        let m = read_messages(&mut r);
        assert_eq!(m.len(), 1, "#{}", i);
        assert_eq!(m[0].reject, wreject, "#{}", i);
    }
}

#[test]
fn handle_heartbeat_commits_but_never_decreases() {
    let commit = 2;
    for (mcommit, wcommit) in [(commit + 1, commit + 1), (commit - 1, commit)] {
        let mut s = storage_with_peers(&[1, 2]);
        s.append(&ents(1, &[1, 2, 3])).unwrap();
        let mut r = new_test_raft(1, 5, 1, s);
        r.become_follower(2, 2);
        r.raft_log.commit_to(commit);
        r.handle_heartbeat(&mut Message {
            from: 2,
            to: 1,
            msg_type: MsgHeartbeat,
            term: 2,
            commit: mcommit,
            ..Default::default()
        });
        assert_eq!(r.raft_log.committed, wcommit);
        let m = read_messages(&mut r);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].msg_type, MsgHeartbeatResp);
    }
}

#[test]
fn heartbeat_commit_is_capped_at_match() {
    let mut s = storage_with_peers(&[1, 2, 3]);
    s.apply_snapshot(snap(1000, 1, &[1, 2, 3])).unwrap();
    let mut r = new_test_raft(1, 10, 1, s);
    r.term = 1;
    r.become_candidate();
    r.become_leader();
    for i in 0..10 {
        must_append_entry(
            &mut r,
            vec![Entry {
                index: i + 1,
                ..Default::default()
            }],
        );
    }
    advance_messages_after_append(&mut r);
    let li = r.raft_log.last_index();
    r.raft_log.commit_to(li);
    {
        let pr = r.trk.progress.get_mut(&2).unwrap();
        pr.matched = 1005;
        pr.next = 1006;
    }
    {
        let pr = r.trk.progress.get_mut(&3).unwrap();
        pr.matched = li;
        pr.next = li + 1;
    }
    r.step(msg(0, 0, MsgBeat)).unwrap();
    let msgs = sorted(read_messages(&mut r));
    assert_eq!(msgs.len(), 2);
    for m in &msgs {
        assert_eq!(m.msg_type, MsgHeartbeat);
        assert_eq!((m.index, m.log_term), (0, 0));
        assert!(m.entries.is_empty());
    }
    assert_eq!(msgs[0].commit, 1005);
    assert_eq!(msgs[1].commit, li);
}

#[test]
fn recv_msg_beat_only_on_leaders() {
    for (state, wmsg) in [(StateLeader, 2), (StateCandidate, 0), (StateFollower, 0)] {
        let mut s = storage_with_peers(&[1, 2, 3]);
        s.append(&ents(1, &[1, 1])).unwrap();
        let mut r = new_test_raft(1, 10, 1, s);
        r.term = 1;
        r.state = state;
        r.step(msg(1, 1, MsgBeat)).unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), wmsg, "{}", state);
        assert!(msgs.iter().all(|m| m.msg_type == MsgHeartbeat));
    }
}

#[test]
fn leader_self_ack_after_term_change_is_ignored() {
    let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2, 3]));
    r.become_candidate();
    r.become_leader();
    r.step(prop(1, 1, b"somedata")).unwrap();
    let steps = take_messages_after_append(&mut r);
    let t = r.term + 1;
    r.step(Message {
        from: 2,
        to: 1,
        term: t,
        msg_type: MsgHeartbeat,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.state, StateFollower);
    step_or_send(&mut r, steps);
    assert_eq!(r.state, StateFollower);
}

#[test]
fn fast_log_rejection() {
    struct Case {
        leader: Vec<u64>,
        follower: Vec<u64>,
        compact: u64,
        hint_term: u64,
        hint_index: u64,
        next_term: u64,
        next_index: u64,
    }
    let c = |leader: &[u64], follower: &[u64], compact, ht, hi, nt, ni| Case {
        leader: leader.to_vec(),
        follower: follower.to_vec(),
        compact,
        hint_term: ht,
        hint_index: hi,
        next_term: nt,
        next_index: ni,
    };
    let cases = vec![
        c(
            &[1, 2, 2, 4, 4, 4, 4],
            &[1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3],
            0,
            3,
            7,
            2,
            3,
        ),
        c(
            &[1, 2, 2, 3, 4, 4, 4, 5],
            &[1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3],
            0,
            3,
            8,
            3,
            4,
        ),
        c(&[1, 1, 1, 1], &[1, 2, 2, 4], 0, 1, 1, 1, 1),
        c(&[1, 1, 1, 1, 1, 1], &[1, 2, 2, 4], 0, 1, 1, 1, 1),
        c(&[1, 1, 1, 1], &[1, 2, 2, 4, 4, 4], 0, 1, 1, 1, 1),
        c(&[1, 1, 1, 4, 5], &[1, 1, 1, 4], 0, 4, 4, 4, 4),
        c(
            &[2, 5, 5, 5, 5, 5, 5, 5, 5],
            &[2, 4, 4, 4, 4, 4],
            0,
            4,
            6,
            2,
            1,
        ),
        c(&[2, 2, 2, 2, 2], &[2, 4, 4, 4, 4, 4, 4, 4], 0, 2, 1, 2, 1),
        c(&[1, 1, 3], &[1, 1, 3, 3, 3], 5, 0, 3, 1, 2),
    ];
    for (i, t) in cases.into_iter().enumerate() {
        let mut s1 = storage_with_peers(&[1, 2, 3]);
        s1.append(&ents(1, &t.leader)).unwrap();
        let (lt, li) = (*t.leader.last().unwrap(), t.leader.len() as u64);
        s1.set_hard_state(HardState {
            term: lt - 1,
            commit: li,
            vote: 0,
        });
        let mut n1 = new_test_raft(1, 10, 1, s1);
        n1.become_candidate();
        n1.become_leader();

        let mut s2 = storage_with_peers(&[1, 2, 3]);
        s2.append(&ents(1, &t.follower)).unwrap();
        s2.set_hard_state(HardState {
            term: lt,
            vote: 1,
            commit: 0,
        });
        let mut n2 = new_test_raft(2, 10, 1, s2);
        if t.compact != 0 {
            n2.raft_log.storage.compact(t.compact).unwrap();
        }

        n2.step(msg(1, 2, MsgHeartbeat)).unwrap();
        let msgs = read_messages(&mut n2);
        assert_eq!(msgs.len(), 1, "#{}", i);
        assert_eq!(msgs[0].msg_type, MsgHeartbeatResp);
        n1.step(msgs[0].clone()).unwrap();
        let msgs = read_messages(&mut n1);
        assert_eq!(msgs.len(), 1, "#{}", i);
        assert_eq!(msgs[0].msg_type, MsgApp);
        n2.step(msgs[0].clone()).unwrap();
        let msgs = read_messages(&mut n2);
        assert_eq!(msgs.len(), 1, "#{}", i);
        assert_eq!(msgs[0].msg_type, MsgAppResp);
        assert!(msgs[0].reject, "#{}", i);
        assert_eq!(msgs[0].log_term, t.hint_term, "#{} hint term", i);
        assert_eq!(msgs[0].reject_hint, t.hint_index, "#{} hint index", i);
        n1.step(msgs[0].clone()).unwrap();
        let msgs = read_messages(&mut n1);
        assert_eq!(msgs[0].log_term, t.next_term, "#{} next term", i);
        assert_eq!(msgs[0].index, t.next_index, "#{} next index", i);
    }
}

#[test]
fn send_of_self_addressed_non_response_is_a_bug() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        r.send(Message {
            to: 1,
            msg_type: MsgHeartbeat,
            ..Default::default()
        })
    }));
    assert!(res.is_err());
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        r.send(Message {
            to: 2,
            msg_type: MsgVote,
            ..Default::default()
        })
    }));
    assert!(res.is_err(), "votes must carry a term");
}

#[test]
fn appends_overflowing_the_index_space_are_refused_even_when_stepped_directly() {
    // RawNode::step bounds indexes before this; Raft::step must still not overflow.
    let mut r = new_test_raft(2, 10, 1, storage_with_peers(&[1, 2]));
    let m = Message {
        msg_type: MsgApp,
        from: 1,
        to: 2,
        term: 1,
        index: u64::MAX - 1,
        log_term: 1,
        entries: ents(u64::MAX, &[1]),
        ..Default::default()
    };
    match r.step(m) {
        Err(Error::Misuse(text)) => assert!(text.contains("overflows"), "{}", text),
        other => panic!("expected a Misuse error, got {:?}", other),
    }
    assert_eq!(r.term, 0, "refused before the term changed");
}
