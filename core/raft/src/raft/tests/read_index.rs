//! Linearizable reads through ReadIndex, safe and lease-based (etcd's `TestReadOnly*`).

use super::harness::*;
use crate::logger::{BufferLogger, Level};
use crate::raft::*;
use std::rc::Rc;

use MessageType::*;
use StateType::*;

#[test]
fn raft_frees_read_only_mem() {
    let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2]));
    r.become_candidate();
    r.become_leader();
    let li = r.raft_log.last_index();
    r.raft_log.commit_to(li);
    r.step(Message {
        entries: vec![data_ent(b"ctx")],
        ..msg(2, 0, MsgReadIndex)
    })
    .unwrap();
    let msgs = read_messages(&mut r);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].msg_type, MsgHeartbeat);
    assert_eq!(r.read_only.unconfirmed_reads.len(), 1);
    r.step(Message {
        context: msgs[0].context.clone(),
        ..msg(2, 0, MsgHeartbeatResp)
    })
    .unwrap();
    assert!(r.read_only.unconfirmed_reads.is_empty());
    // The remote reader gets its answer (next to an append for the lagging follower).
    let msgs: Vec<Message> = read_messages(&mut r)
        .into_iter()
        .filter(|m| m.msg_type == MsgReadIndexResp)
        .collect();
    assert_eq!(msgs.len(), 1);
    assert_eq!((msgs[0].to, msgs[0].index), (2, li));
    assert_eq!(&msgs[0].entries[0].data[..], b"ctx");
}

fn read_index_rounds(n: &mut Network, expect_all: bool) {
    let cases: [(u64, u64, &[u8]); 6] = [
        (1, 11, b"ctx1"),
        (2, 21, b"ctx2"),
        (3, 31, b"ctx3"),
        (1, 41, b"ctx4"),
        (2, 51, b"ctx5"),
        (3, 61, b"ctx6"),
    ];
    for (i, (id, wri, wctx)) in cases.into_iter().enumerate() {
        for _ in 0..10 {
            n.send1(Message {
                entries: vec![Entry::default()],
                ..msg(1, 1, MsgProp)
            });
        }
        n.send1(Message {
            entries: vec![data_ent(wctx)],
            ..msg(id, id, MsgReadIndex)
        });
        let r = n.peer_mut(id);
        assert!(!r.read_states.is_empty() || !expect_all, "#{}", i);
        let rs = r.read_states[0].clone();
        assert_eq!(rs.index, wri, "#{}", i);
        assert_eq!(rs.request_ctx, wctx, "#{}", i);
        r.read_states.clear();
    }
}

#[test]
fn read_only_option_safe() {
    let peers = (1..=3)
        .map(|id| {
            Peer::Raft(Box::new(new_test_raft(
                id,
                10,
                1,
                storage_with_peers(&[1, 2, 3]),
            )))
        })
        .collect();
    let mut n = new_network(peers);
    let et = n.peer(2).election_timeout;
    n.peer_mut(2).randomized_election_timeout = et + 1;
    for _ in 0..et {
        n.peer_mut(2).tick();
    }
    n.send1(hup(1));
    assert_eq!(n.peer(1).state, StateLeader);
    read_index_rounds(&mut n, true);
}

#[test]
fn read_only_option_lease() {
    let mut n = cq_network(&[1, 2, 3]);
    for id in 1..=3 {
        n.peer_mut(id).read_only.option = ReadOnlyOption::ReadOnlyLeaseBased;
    }
    let et = n.peer(2).election_timeout;
    n.peer_mut(2).randomized_election_timeout = et + 1;
    for _ in 0..et {
        n.peer_mut(2).tick();
    }
    n.send1(hup(1));
    assert_eq!(n.peer(1).state, StateLeader);
    read_index_rounds(&mut n, true);
}

#[test]
fn read_only_for_new_leader_waits_for_a_commit_in_its_term() {
    let configs = [(1, 1, 1, 0), (2, 2, 2, 2), (3, 2, 2, 2)];
    let mut peers = Vec::new();
    for (id, committed, applied, compact) in configs {
        let mut s = storage_with_peers(&[1, 2, 3]);
        s.append(&ents(1, &[1, 1])).unwrap();
        s.set_hard_state(HardState {
            term: 1,
            commit: committed,
            vote: 0,
        });
        if compact != 0 {
            s.compact(compact).unwrap();
        }
        let c = Config {
            applied,
            ..test_config(id, 10, 1)
        };
        peers.push(Peer::Raft(Box::new(Raft::new(&c, s).unwrap())));
    }
    let mut n = new_network(peers);
    n.ignore(MsgApp);
    n.send1(hup(1));
    assert_eq!(n.peer(1).state, StateLeader);
    let wctx = b"ctx";
    n.send1(Message {
        entries: vec![data_ent(wctx)],
        ..msg(1, 1, MsgReadIndex)
    });
    assert!(n.peer(1).read_states.is_empty());
    assert_eq!(n.peer(1).pending_read_index_messages.len(), 1);
    n.recover();
    for _ in 0..n.peer(1).heartbeat_timeout {
        n.peer_mut(1).tick();
    }
    n.send1(Message {
        entries: vec![Entry::default()],
        ..msg(1, 1, MsgProp)
    });
    let r = n.peer(1);
    assert_eq!(r.raft_log.committed, 4);
    assert_eq!(
        r.raft_log.zero_term_on_out_of_bounds(r.raft_log.term(4)),
        r.term
    );
    assert_eq!(r.read_states.len(), 1);
    assert_eq!(
        r.read_states[0],
        ReadState {
            index: 4,
            request_ctx: wctx.to_vec()
        }
    );
    n.send1(Message {
        entries: vec![data_ent(wctx)],
        ..msg(1, 1, MsgReadIndex)
    });
    assert_eq!(n.peer(1).read_states.len(), 2);
    assert_eq!(
        n.peer(1).read_states[1],
        ReadState {
            index: 4,
            request_ctx: wctx.to_vec()
        }
    );
}

#[test]
fn read_index_on_follower_without_leader_is_dropped() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
    let c = Config {
        logger: Some(logger.clone()),
        ..test_config(2, 10, 1)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
    logger.take();
    r.step(Message {
        entries: vec![data_ent(b"x")],
        ..msg(0, 0, MsgReadIndex)
    })
    .unwrap();
    assert!(read_messages(&mut r).is_empty());
    assert_eq!(
        logger.take(),
        vec!["INFO 2 no leader at term 0; dropping index reading msg"]
    );
    // A malformed response is refused with etcd's error line.
    r.become_follower(1, 1);
    logger.take();
    r.step(Message {
        term: 1,
        ..msg(1, 2, MsgReadIndexResp)
    })
    .unwrap();
    assert!(r.read_states.is_empty());
    assert_eq!(
        logger.take(),
        vec!["ERROR 2 invalid format of MsgReadIndexResp from 1, entries count: 0"]
    );
}
