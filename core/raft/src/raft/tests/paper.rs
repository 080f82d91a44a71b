//! The rules of the Raft paper, section 5, one test per rule (etcd's raft_paper_test.go): term
//! updates (§5.1), elections (§5.2), log replication (§5.3) and safety (§5.4).

use super::harness::*;
use crate::raft::*;

use MessageType::*;
use StateType::*;

fn update_term_from_message(state: StateType) {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
    match state {
        StateFollower => r.become_follower(1, 2),
        StateCandidate => r.become_candidate(),
        StateLeader => {
            r.become_candidate();
            r.become_leader();
        }
        StatePreCandidate => unreachable!(),
    }
    r.step(Message {
        msg_type: MsgApp,
        term: 2,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.term, 2);
    assert_eq!(r.state, StateFollower);
}

#[test]
fn follower_candidate_leader_update_term_from_message() {
    update_term_from_message(StateFollower);
    update_term_from_message(StateCandidate);
    update_term_from_message(StateLeader);
}

#[test]
fn reject_stale_term_message() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
    r.load_state(&HardState {
        term: 2,
        ..Default::default()
    })
    .unwrap();
    r.step(Message {
        msg_type: MsgApp,
        term: 1,
        from: 2,
        entries: ents(1, &[1]),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.raft_log.last_index(), 0, "stale append ignored");
    assert_eq!(r.lead, NONE);
    assert!(read_messages(&mut r).is_empty());
}

#[test]
fn start_as_follower() {
    let r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
    assert_eq!(r.state, StateFollower);
}

#[test]
fn leader_bcast_beat() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
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
    r.tick();
    let msgs = sorted(read_messages(&mut r));
    let hb = |to| Message {
        from: 1,
        to,
        term: 1,
        msg_type: MsgHeartbeat,
        commit: 0,
        ..Default::default()
    };
    assert_eq!(msgs, vec![hb(2), hb(3)]);
}

fn nonleader_start_election(state: StateType) {
    let et = 10;
    let mut r = new_test_raft(1, et, 1, storage_with_peers(&[1, 2, 3]));
    match state {
        StateFollower => r.become_follower(1, 2),
        StateCandidate => r.become_candidate(),
        _ => unreachable!(),
    }
    for _ in 1..2 * et {
        r.tick();
    }
    advance_messages_after_append(&mut r);
    assert_eq!(r.term, 2);
    assert_eq!(r.state, StateCandidate);
    assert_eq!(r.trk.votes.get(&r.id), Some(&true));
    let msgs = sorted(read_messages(&mut r));
    let vote = |to| Message {
        from: 1,
        to,
        term: 2,
        msg_type: MsgVote,
        ..Default::default()
    };
    assert_eq!(msgs, vec![vote(2), vote(3)]);
}

#[test]
fn follower_and_candidate_start_election() {
    nonleader_start_election(StateFollower);
    nonleader_start_election(StateCandidate);
}

#[test]
fn leader_election_in_one_round_rpc() {
    let cases: Vec<(u64, Vec<(u64, bool)>, StateType)> = vec![
        (1, vec![], StateLeader),
        (3, vec![(2, true), (3, true)], StateLeader),
        (3, vec![(2, true)], StateLeader),
        (
            5,
            vec![(2, true), (3, true), (4, true), (5, true)],
            StateLeader,
        ),
        (5, vec![(2, true), (3, true), (4, true)], StateLeader),
        (5, vec![(2, true), (3, true)], StateLeader),
        (3, vec![(2, false), (3, false)], StateFollower),
        (
            5,
            vec![(2, false), (3, false), (4, false), (5, false)],
            StateFollower,
        ),
        (
            5,
            vec![(2, true), (3, false), (4, false), (5, false)],
            StateFollower,
        ),
        (3, vec![], StateCandidate),
        (5, vec![(2, true)], StateCandidate),
        (5, vec![(2, false), (3, false)], StateCandidate),
        (5, vec![], StateCandidate),
    ];
    for (i, (size, votes, state)) in cases.into_iter().enumerate() {
        let ids: Vec<u64> = (1..=size).collect();
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&ids));
        r.step(hup(1)).unwrap();
        advance_messages_after_append(&mut r);
        for (id, v) in votes {
            let term = r.term;
            r.step(Message {
                from: id,
                to: 1,
                term,
                msg_type: MsgVoteResp,
                reject: !v,
                ..Default::default()
            })
            .unwrap();
        }
        assert_eq!(r.state, state, "#{}", i);
        assert_eq!(r.term, 1, "#{}", i);
    }
}

#[test]
fn follower_vote() {
    let cases = [
        (NONE, 2, false),
        (NONE, 3, false),
        (2, 2, false),
        (3, 3, false),
        (2, 3, true),
        (3, 2, true),
    ];
    for (i, (vote, nvote, wreject)) in cases.into_iter().enumerate() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.load_state(&HardState {
            term: 1,
            vote,
            commit: 0,
        })
        .unwrap();
        r.step(Message {
            from: nvote,
            to: 1,
            term: 1,
            msg_type: MsgVote,
            ..Default::default()
        })
        .unwrap();
        let want = Message {
            from: 1,
            to: nvote,
            term: 1,
            msg_type: MsgVoteResp,
            reject: wreject,
            ..Default::default()
        };
        assert_eq!(r.msgs_after_append, vec![want], "#{}", i);
    }
}

#[test]
fn candidate_fallback() {
    for term in [1, 2] {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.step(hup(1)).unwrap();
        assert_eq!(r.state, StateCandidate);
        r.step(Message {
            from: 2,
            to: 1,
            term,
            msg_type: MsgApp,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.state, StateFollower);
        assert_eq!(r.term, term);
        assert_eq!(r.lead, 2);
    }
}

fn nonleader_election_timeout_randomized(state: StateType) {
    let et = 10;
    let mut r = new_test_raft(1, et, 1, storage_with_peers(&[1, 2, 3]));
    let mut timeouts = std::collections::BTreeSet::new();
    for _ in 0..50 * et {
        match state {
            StateFollower => {
                let t = r.term + 1;
                r.become_follower(t, 2);
            }
            _ => r.become_candidate(),
        }
        let mut time = 0;
        while read_messages(&mut r).is_empty() {
            r.tick();
            time += 1;
        }
        timeouts.insert(time);
    }
    for d in et..2 * et {
        assert!(
            timeouts.contains(&d),
            "timeout in {} ticks should happen",
            d
        );
    }
    assert!(
        timeouts.iter().all(|&d| (et..2 * et).contains(&d)),
        "{:?}",
        timeouts
    );
}

#[test]
fn election_timeout_is_randomized_within_range() {
    nonleader_election_timeout_randomized(StateFollower);
    nonleader_election_timeout_randomized(StateCandidate);
}

#[test]
fn election_timeouts_rarely_conflict() {
    let (et, size) = (10, 5u64);
    let ids: Vec<u64> = (1..=size).collect();
    let mut rs: Vec<R> = ids
        .iter()
        .map(|&id| new_test_raft(id, et, 1, storage_with_peers(&ids)))
        .collect();
    let mut conflicts = 0;
    for _ in 0..1000 {
        for r in rs.iter_mut() {
            let t = r.term + 1;
            r.become_follower(t, NONE);
        }
        let mut timeout_num = 0;
        while timeout_num == 0 {
            for r in rs.iter_mut() {
                r.tick();
                if !read_messages(r).is_empty() {
                    timeout_num += 1;
                }
            }
        }
        if timeout_num > 1 {
            conflicts += 1;
        }
    }
    assert!(conflicts as f64 / 1000.0 <= 0.3, "{} conflicts", conflicts);
}

#[test]
fn same_seed_draws_same_timeouts_and_different_seeds_differ() {
    let draw = |seed: u64| {
        let c = Config {
            seed,
            ..test_config(1, 10, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
        (0..20)
            .map(|_| {
                r.reset_randomized_election_timeout();
                r.randomized_election_timeout
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(draw(7), draw(7));
    assert_ne!(draw(7), draw(8));
}

#[test]
fn leader_start_replication() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
    r.become_candidate();
    r.become_leader();
    commit_noop_entry(&mut r);
    let li = r.raft_log.last_index();
    r.step(prop(1, 1, b"some data")).unwrap();
    assert_eq!(r.raft_log.last_index(), li + 1);
    assert_eq!(r.raft_log.committed, li);
    let msgs = sorted(read_messages(&mut r));
    let wents = vec![Entry {
        index: li + 1,
        term: 1,
        data: b"some data".to_vec().into(),
        ..Default::default()
    }];
    let app = |to| Message {
        from: 1,
        to,
        term: 1,
        msg_type: MsgApp,
        index: li,
        log_term: 1,
        entries: wents.clone(),
        commit: li,
        ..Default::default()
    };
    assert_eq!(msgs, vec![app(2), app(3)]);
    assert_eq!(r.raft_log.next_unstable_ents(), &wents[..]);
}

#[test]
fn leader_commit_entry() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
    r.become_candidate();
    r.become_leader();
    commit_noop_entry(&mut r);
    let li = r.raft_log.last_index();
    r.step(prop(1, 1, b"some data")).unwrap();
    for m in read_messages(&mut r) {
        r.step(accept_and_reply(&m)).unwrap();
    }
    assert_eq!(r.raft_log.committed, li + 1);
    let want = vec![Entry {
        index: li + 1,
        term: 1,
        data: b"some data".to_vec().into(),
        ..Default::default()
    }];
    assert_eq!(r.raft_log.next_committed_ents(true), want);
    let msgs = sorted(read_messages(&mut r));
    assert_eq!(msgs.len(), 2);
    for (i, m) in msgs.iter().enumerate() {
        assert_eq!(m.to, i as u64 + 2);
        assert_eq!(m.msg_type, MsgApp);
        assert_eq!(m.commit, li + 1);
    }
}

#[test]
fn leader_acknowledge_commit() {
    let cases: Vec<(u64, Vec<u64>, bool)> = vec![
        (1, vec![], true),
        (3, vec![], false),
        (3, vec![2], true),
        (3, vec![2, 3], true),
        (5, vec![], false),
        (5, vec![2], false),
        (5, vec![2, 3], true),
        (5, vec![2, 3, 4], true),
        (5, vec![2, 3, 4, 5], true),
    ];
    for (i, (size, acceptors, wack)) in cases.into_iter().enumerate() {
        let ids: Vec<u64> = (1..=size).collect();
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&ids));
        r.become_candidate();
        r.become_leader();
        commit_noop_entry(&mut r);
        let li = r.raft_log.last_index();
        r.step(prop(1, 1, b"some data")).unwrap();
        advance_messages_after_append(&mut r);
        for m in r.msgs.clone() {
            if acceptors.contains(&m.to) {
                r.step(accept_and_reply(&m)).unwrap();
            }
        }
        assert_eq!(r.raft_log.committed > li, wack, "#{}", i);
    }
}

#[test]
fn leader_commit_preceding_entries() {
    let cases: Vec<Vec<Entry>> = vec![vec![], ents(1, &[2]), ents(1, &[1, 2]), ents(1, &[1])];
    for (i, tt) in cases.into_iter().enumerate() {
        let mut s = storage_with_peers(&[1, 2, 3]);
        s.append(&tt).unwrap();
        let mut r = new_test_raft(1, 10, 1, s);
        r.load_state(&HardState {
            term: 2,
            ..Default::default()
        })
        .unwrap();
        r.become_candidate();
        r.become_leader();
        r.step(prop(1, 1, b"some data")).unwrap();
        for m in read_messages(&mut r) {
            r.step(accept_and_reply(&m)).unwrap();
        }
        let li = tt.len() as u64;
        let mut want = tt.clone();
        want.push(Entry {
            term: 3,
            index: li + 1,
            ..Default::default()
        });
        want.push(Entry {
            term: 3,
            index: li + 2,
            data: b"some data".to_vec().into(),
            ..Default::default()
        });
        assert_eq!(r.raft_log.next_committed_ents(true), want, "#{}", i);
    }
}

#[test]
fn follower_commit_entry() {
    let e = |i: u64, d: &[u8]| Entry {
        term: 1,
        index: i,
        data: d.to_vec().into(),
        ..Default::default()
    };
    let cases = vec![
        (vec![e(1, b"some data")], 1),
        (vec![e(1, b"some data"), e(2, b"some data2")], 2),
        (vec![e(1, b"some data2"), e(2, b"some data")], 2),
        (vec![e(1, b"some data"), e(2, b"some data2")], 1),
    ];
    for (i, (es, commit)) in cases.into_iter().enumerate() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.become_follower(1, 2);
        r.step(Message {
            from: 2,
            to: 1,
            msg_type: MsgApp,
            term: 1,
            entries: es.clone(),
            commit,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.raft_log.committed, commit, "#{}", i);
        assert_eq!(
            r.raft_log.next_committed_ents(true),
            es[..commit as usize].to_vec(),
            "#{}",
            i
        );
    }
}

#[test]
fn follower_check_msg_app() {
    let es = ents(1, &[1, 2]);
    // (log term, index, response index, reject, hint, hint term)
    let cases = [
        (0, 0, 1, false, 0, 0),
        (1, 1, 1, false, 0, 0),
        (2, 2, 2, false, 0, 0),
        (1, 2, 2, true, 1, 1),
        (3, 3, 3, true, 2, 2),
    ];
    for (i, (term, index, windex, wreject, whint, wlogterm)) in cases.into_iter().enumerate() {
        let mut s = storage_with_peers(&[1, 2, 3]);
        s.append(&es).unwrap();
        let mut r = new_test_raft(1, 10, 1, s);
        r.load_state(&HardState {
            commit: 1,
            ..Default::default()
        })
        .unwrap();
        r.become_follower(2, 2);
        r.step(Message {
            from: 2,
            to: 1,
            msg_type: MsgApp,
            term: 2,
            log_term: term,
            index,
            ..Default::default()
        })
        .unwrap();
        let mut want = Message {
            from: 1,
            to: 2,
            msg_type: MsgAppResp,
            term: 2,
            index: windex,
            ..Default::default()
        };
        if wreject {
            want.reject = true;
            want.reject_hint = whint;
            want.log_term = wlogterm;
        }
        assert_eq!(read_messages(&mut r), vec![want], "#{}", i);
    }
}

#[test]
fn follower_append_entries() {
    let cases: Vec<(u64, u64, Vec<Entry>, Vec<Entry>, Vec<Entry>)> = vec![
        (2, 2, ents(3, &[3]), ents(1, &[1, 2, 3]), ents(3, &[3])),
        (
            1,
            1,
            ents(2, &[3, 4]),
            ents(1, &[1, 3, 4]),
            ents(2, &[3, 4]),
        ),
        (0, 0, ents(1, &[1]), ents(1, &[1, 2]), vec![]),
        (0, 0, ents(1, &[3]), ents(1, &[3]), ents(1, &[3])),
    ];
    for (i, (index, term, es, wents, wunstable)) in cases.into_iter().enumerate() {
        let mut s = storage_with_peers(&[1, 2, 3]);
        s.append(&ents(1, &[1, 2])).unwrap();
        let mut r = new_test_raft(1, 10, 1, s);
        r.become_follower(2, 2);
        r.step(Message {
            from: 2,
            to: 1,
            msg_type: MsgApp,
            term: 2,
            log_term: term,
            index,
            entries: es,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.raft_log.all_entries(), wents, "#{}", i);
        assert_eq!(r.raft_log.next_unstable_ents(), &wunstable[..], "#{}", i);
    }
}

#[test]
fn leader_sync_follower_log_figure7() {
    let lead_ents = ents(1, &[1, 1, 1, 4, 4, 5, 5, 6, 6, 6]);
    let term = 8;
    let followers: Vec<Vec<u64>> = vec![
        vec![1, 1, 1, 4, 4, 5, 5, 6, 6],
        vec![1, 1, 1, 4],
        vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
        vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
        vec![1, 1, 1, 4, 4, 4, 4],
        vec![1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    ];
    for (i, fterms) in followers.into_iter().enumerate() {
        let mut ls = storage_with_peers(&[1, 2, 3]);
        ls.append(&lead_ents).unwrap();
        let mut lead = new_test_raft(1, 10, 1, ls);
        let li = lead.raft_log.last_index();
        lead.load_state(&HardState {
            commit: li,
            term,
            vote: 0,
        })
        .unwrap();
        let mut fs = storage_with_peers(&[1, 2, 3]);
        fs.append(&ents(1, &fterms)).unwrap();
        let mut follower = new_test_raft(2, 10, 1, fs);
        follower
            .load_state(&HardState {
                term: term - 1,
                ..Default::default()
            })
            .unwrap();
        // Three nodes: the follower may have a longer log than the leader, so the leader
        // needs the third node's vote.
        let mut n = new_network(vec![
            Peer::Raft(Box::new(lead)),
            Peer::Raft(Box::new(follower)),
            Peer::Hole,
        ]);
        n.send1(hup(1));
        n.send1(Message {
            from: 3,
            to: 1,
            msg_type: MsgVoteResp,
            term: term + 1,
            ..Default::default()
        });
        n.send1(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        });
        assert_eq!(log_summary(n.peer(1)).3, log_summary(n.peer(2)).3, "#{}", i);
        assert_eq!(
            n.peer(1).raft_log.committed,
            n.peer(2).raft_log.committed,
            "#{}",
            i
        );
    }
}

#[test]
fn vote_request() {
    for (j, (es, wterm)) in [(ents(1, &[1]), 2), (ents(1, &[1, 2]), 3)]
        .into_iter()
        .enumerate()
    {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.step(Message {
            from: 2,
            to: 1,
            msg_type: MsgApp,
            term: wterm - 1,
            log_term: 0,
            index: 0,
            entries: es.clone(),
            ..Default::default()
        })
        .unwrap();
        read_messages(&mut r);
        for _ in 1..r.election_timeout * 2 {
            r.tick_election();
        }
        let msgs = sorted(read_messages(&mut r));
        assert_eq!(msgs.len(), 2, "#{}", j);
        for (i, m) in msgs.iter().enumerate() {
            assert_eq!(m.msg_type, MsgVote);
            assert_eq!(m.to, i as u64 + 2);
            assert_eq!(m.term, wterm);
            assert_eq!(m.index, es.last().unwrap().index);
            assert_eq!(m.log_term, es.last().unwrap().term);
        }
    }
}

#[test]
fn voter_denies_candidates_with_older_logs() {
    let cases = vec![
        (ents(1, &[1]), 1, 1, false),
        (ents(1, &[1]), 1, 2, false),
        (ents(1, &[1, 1]), 1, 1, true),
        (ents(1, &[1]), 2, 1, false),
        (ents(1, &[1]), 2, 2, false),
        (ents(1, &[1, 1]), 2, 1, false),
        (ents(1, &[2]), 1, 1, true),
        (ents(1, &[2]), 1, 2, true),
        (ents(1, &[2, 2]), 1, 1, true),
        (ents(1, &[1, 1]), 1, 1, true),
    ];
    for (i, (es, logterm, index, wreject)) in cases.into_iter().enumerate() {
        let mut s = storage_with_peers(&[1, 2]);
        s.append(&es).unwrap();
        let mut r = new_test_raft(1, 10, 1, s);
        r.step(Message {
            from: 2,
            to: 1,
            msg_type: MsgVote,
            term: 3,
            log_term: logterm,
            index,
            ..Default::default()
        })
        .unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), 1, "#{}", i);
        assert_eq!(msgs[0].msg_type, MsgVoteResp, "#{}", i);
        assert_eq!(msgs[0].reject, wreject, "#{}", i);
    }
}

#[test]
fn leader_only_commits_log_from_current_term() {
    for (i, (index, wcommit)) in [(1, 0), (2, 0), (3, 3)].into_iter().enumerate() {
        let mut s = storage_with_peers(&[1, 2]);
        s.append(&ents(1, &[1, 2])).unwrap();
        let mut r = new_test_raft(1, 10, 1, s);
        r.load_state(&HardState {
            term: 2,
            ..Default::default()
        })
        .unwrap();
        r.become_candidate();
        r.become_leader();
        read_messages(&mut r);
        r.step(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        })
        .unwrap();
        let term = r.term;
        r.step(Message {
            from: 2,
            to: 1,
            msg_type: MsgAppResp,
            term,
            index,
            ..Default::default()
        })
        .unwrap();
        advance_messages_after_append(&mut r);
        assert_eq!(r.raft_log.committed, wcommit, "#{}", i);
    }
}

/// Figure 8 of the Raft paper: an entry of an older term that a later leader replicated to
/// a majority is not committed by counting replicas, and indeed may still be overwritten.
#[test]
fn figure8_old_term_entry_is_not_committed_by_counting() {
    // Campaigns until `id` leads a new term (a stale leader first steps down, as it would
    // on hearing of the higher term).
    fn hup_until_leader(n: &mut Network, id: u64) {
        let t = n.peer(id).term;
        n.peer_mut(id).become_follower(t, NONE);
        for _ in 0..5 {
            n.send1(hup(id));
            if n.peer(id).state == StateLeader {
                return;
            }
        }
        panic!("{} did not become leader", id);
    }
    let mut n = new_network(vec![Peer::New, Peer::New, Peer::New, Peer::New, Peer::New]);
    n.send1(hup(1));
    // (a) 1 leads term 1 and replicates index 2 to 2 only.
    n.cut(1, 3);
    n.cut(1, 4);
    n.cut(1, 5);
    n.send1(prop(1, 1, b"term1"));
    assert_eq!(n.peer(2).raft_log.last_index(), 2);
    assert_eq!(n.peer(1).raft_log.committed, 1);
    // (b) 5 wins term 2 with 3 and 4, and appends index 2 only locally.
    n.recover();
    n.isolate(1);
    n.ignore(MsgApp);
    hup_until_leader(&mut n, 5);
    assert_eq!(n.peer(5).raft_log.term(2), Ok(n.peer(5).term));
    // (c) 1 wins a later term and replicates its old index 2 (but nothing of its own
    // term) to 2 and 3: a majority holds it, yet it is not committed.
    n.recover();
    n.isolate(5);
    n.ignore(MsgApp);
    hup_until_leader(&mut n, 1);
    let t = n.peer(1).term;
    for to in [2, 3] {
        n.send1(Message {
            from: 1,
            to,
            msg_type: MsgApp,
            term: t,
            index: 1,
            log_term: 1,
            entries: vec![Entry {
                term: 1,
                index: 2,
                data: b"term1".to_vec().into(),
                ..Default::default()
            }],
            commit: 1,
            ..Default::default()
        });
    }
    assert_eq!(n.peer(1).trk.progress[&3].matched, 2);
    assert_eq!(n.peer(1).trk.progress[&2].matched, 2);
    assert_eq!(
        n.peer(1).raft_log.committed,
        1,
        "an old-term entry is not committed by counting"
    );
    // (d) 1 fails; 5 (last term 2) wins and overwrites index 2 everywhere it can.
    n.recover();
    n.isolate(1);
    hup_until_leader(&mut n, 5);
    let t5 = n.peer(5).raft_log.term(2).unwrap();
    for id in [2, 3, 4] {
        assert_eq!(n.peer(id).raft_log.term(2), Ok(t5), "node {}", id);
    }
}
