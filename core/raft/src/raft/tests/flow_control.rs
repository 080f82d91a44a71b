//! How a leader paces appends to each follower (etcd's raft_flow_control_test.go and the
//! progress tests of raft_test.go): Progress states, the inflight window, size limits.

use super::harness::*;
use crate::logger::{BufferLogger, Level};
use crate::raft::*;
use std::rc::Rc;

use MessageType::*;

#[test]
fn progress_leader_self_ack_at_advance() {
    let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2]));
    r.become_candidate();
    r.become_leader();
    r.trk.progress.get_mut(&2).unwrap().become_replicate();
    for _ in 0..5 {
        r.step(prop(1, 1, b"foo")).unwrap();
    }
    assert_eq!(
        r.trk.progress[&1].matched, 0,
        "self-acks wait for the append to be durable"
    );
    let es = r.raft_log.next_unstable_ents();
    assert_eq!(es.len(), 6);
    assert!(es[0].data.is_empty());
    assert_eq!(&es[5].data[..], b"foo");
    advance_messages_after_append(&mut r);
    assert_eq!(r.trk.progress[&1].matched, 6);
    assert_eq!(r.trk.progress[&1].next, 7);
}

#[test]
fn progress_resume_by_heartbeat_resp() {
    let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2]));
    r.become_candidate();
    r.become_leader();
    r.trk.progress.get_mut(&2).unwrap().msg_app_flow_paused = true;
    r.step(msg(1, 1, MsgBeat)).unwrap();
    assert!(r.trk.progress[&2].msg_app_flow_paused);
    r.trk.progress.get_mut(&2).unwrap().become_replicate();
    assert!(!r.trk.progress[&2].msg_app_flow_paused);
    r.trk.progress.get_mut(&2).unwrap().msg_app_flow_paused = true;
    r.step(msg(2, 1, MsgHeartbeatResp)).unwrap();
    assert!(!r.trk.progress[&2].msg_app_flow_paused);
}

#[test]
fn progress_paused_while_probing() {
    let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2]));
    r.become_candidate();
    r.become_leader();
    for _ in 0..3 {
        r.step(prop(1, 1, b"somedata")).unwrap();
    }
    assert_eq!(read_messages(&mut r).len(), 1);
}

#[test]
fn progress_flow_control() {
    let c = Config {
        max_inflight_msgs: 3,
        max_size_per_msg: 2048,
        max_inflight_bytes: 9000,
        ..test_config(1, 5, 1)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1, 2])).unwrap();
    r.become_candidate();
    r.become_leader();
    read_messages(&mut r);
    r.trk.progress.get_mut(&2).unwrap().become_probe();
    let blob = vec![b'a'; 1000];
    let large = vec![b'b'; 5000];
    for i in 0..22 {
        let data = if (10..16).contains(&i) { &large } else { &blob };
        r.step(prop(1, 1, data)).unwrap();
    }
    let ms = read_messages(&mut r);
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].msg_type, MsgApp);
    assert_eq!(ms[0].entries.len(), 2);
    assert!(ms[0].entries[0].data.is_empty());
    assert_eq!(ms[0].entries[1].data.len(), 1000);

    let mut ack_and_verify = |index: u64, exp: &[usize]| -> u64 {
        r.step(Message {
            index,
            ..msg(2, 1, MsgAppResp)
        })
        .unwrap();
        let ms = read_messages(&mut r);
        assert_eq!(
            ms.len(),
            exp.len(),
            "{:?}",
            ms.iter().map(|m| m.entries.len()).collect::<Vec<_>>()
        );
        for (m, &n) in ms.iter().zip(exp) {
            assert_eq!(m.msg_type, MsgApp);
            assert_eq!(m.entries.len(), n);
        }
        ms.last()
            .unwrap()
            .entries
            .last()
            .map(|e| e.index)
            .unwrap_or(index)
    };
    let index = ack_and_verify(ms[0].entries[1].index, &[2, 2, 2]);
    let index = ack_and_verify(index, &[2, 1, 1]);
    let index = ack_and_verify(index, &[1, 1]);
    let index = ack_and_verify(index, &[1, 1]);
    let index = ack_and_verify(index, &[1, 2, 2]);
    ack_and_verify(index, &[2]);
}

#[test]
fn uncommitted_entry_limit() {
    let max_entries = 1024u64;
    let test_entry = data_ent(b"testdata");
    let max_entry_size = max_entries * test_entry.payload_size();
    let c = Config {
        max_uncommitted_entries_size: max_entry_size,
        max_inflight_msgs: 2 * 1024,
        ..test_config(1, 5, 1)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
    r.become_candidate();
    r.become_leader();
    assert_eq!(r.uncommitted_size, 0, "the empty entry is free");
    r.trk.progress.get_mut(&2).unwrap().become_replicate();
    r.trk.progress.get_mut(&3).unwrap().become_replicate();
    r.uncommitted_size = 0;

    let prop_msg = Message {
        entries: vec![test_entry.clone()],
        ..msg(1, 1, MsgProp)
    };
    for _ in 0..max_entries {
        r.step(prop_msg.clone()).unwrap();
    }
    assert_eq!(r.step(prop_msg.clone()), Err(Error::ProposalDropped));
    let ms = read_messages(&mut r);
    assert_eq!(ms.len() as u64, max_entries * 2);
    r.reduce_uncommitted_size(max_entry_size);
    assert_eq!(r.uncommitted_size, 0);

    // Below the limit before, so a large proposal is accepted.
    let large = Message {
        entries: vec![test_entry.clone(); 2 * max_entries as usize],
        ..msg(1, 1, MsgProp)
    };
    r.step(large).unwrap();
    assert_eq!(r.step(prop_msg), Err(Error::ProposalDropped));
    // An empty entry is always accepted.
    r.step(Message {
        entries: vec![Entry::default()],
        ..msg(1, 1, MsgProp)
    })
    .unwrap();
    let ms = read_messages(&mut r);
    assert_eq!(ms.len(), 4);
    r.reduce_uncommitted_size(2 * max_entry_size);
    assert_eq!(r.uncommitted_size, 0);
    // Saturates instead of wrapping.
    r.reduce_uncommitted_size(10);
    assert_eq!(r.uncommitted_size, 0);
}

#[test]
fn dropping_a_proposal_over_the_limit_logs_a_warning() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Warn)));
    let c = Config {
        max_uncommitted_entries_size: 4,
        logger: Some(logger.clone()),
        ..test_config(1, 5, 1)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1, 2])).unwrap();
    r.become_candidate();
    r.become_leader();
    r.step(prop(1, 1, b"abcd")).unwrap();
    assert_eq!(r.step(prop(1, 1, b"e")), Err(Error::ProposalDropped));
    assert_eq!(
            logger.take(),
            vec!["WARN 1 appending new entries to log would exceed uncommitted entry size limit; dropping proposal"]
        );
}

#[test]
fn handle_heartbeat_resp_resends_appends_to_lagging_followers() {
    let mut s = storage_with_peers(&[1, 2]);
    s.append(&ents(1, &[1, 2, 3])).unwrap();
    let mut r = new_test_raft(1, 5, 1, s);
    r.become_candidate();
    r.become_leader();
    let li = r.raft_log.last_index();
    r.raft_log.commit_to(li);
    r.step(msg(2, 0, MsgHeartbeatResp)).unwrap();
    let msgs = read_messages(&mut r);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].msg_type, MsgApp);
    r.step(msg(2, 0, MsgHeartbeatResp)).unwrap();
    let msgs = read_messages(&mut r);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].msg_type, MsgApp);
    r.step(Message {
        index: msgs[0].index + msgs[0].entries.len() as u64,
        ..msg(2, 0, MsgAppResp)
    })
    .unwrap();
    read_messages(&mut r);
    r.step(msg(2, 0, MsgHeartbeatResp)).unwrap();
    assert!(read_messages(&mut r).is_empty());
}

#[test]
fn msg_app_resp_wait_reset() {
    let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2, 3]));
    r.become_candidate();
    r.become_leader();
    next_ents(&mut r);
    r.step(Message {
        index: 1,
        ..msg(2, 0, MsgAppResp)
    })
    .unwrap();
    assert_eq!(r.raft_log.committed, 1);
    read_messages(&mut r);
    r.step(Message {
        entries: vec![Entry::default()],
        ..msg(1, 0, MsgProp)
    })
    .unwrap();
    let msgs = read_messages(&mut r);
    assert_eq!(msgs.len(), 1);
    assert_eq!((msgs[0].msg_type, msgs[0].to), (MsgApp, 2));
    assert_eq!(msgs[0].entries.len(), 1);
    assert_eq!(msgs[0].entries[0].index, 2);
    r.step(Message {
        index: 1,
        ..msg(3, 0, MsgAppResp)
    })
    .unwrap();
    let msgs = read_messages(&mut r);
    assert_eq!(msgs.len(), 1);
    assert_eq!((msgs[0].msg_type, msgs[0].to), (MsgApp, 3));
    assert_eq!(msgs[0].entries[0].index, 2);
}

#[test]
fn leader_app_resp() {
    // (index, reject, match, next, msg count, msg index, msg commit)
    let cases = [
        (3, true, 0, 3, 0, 0, 0),
        (2, true, 0, 2, 1, 1, 0),
        (2, false, 2, 4, 2, 2, 2),
        (0, false, 0, 4, 1, 0, 0),
    ];
    for (i, (index, reject, wmatch, wnext, wmsgs, windex, wcommit)) in cases.into_iter().enumerate()
    {
        let mut s = storage_with_peers(&[1, 2, 3]);
        s.append(&ents(1, &[0, 1])).unwrap();
        let mut r = new_test_raft(1, 10, 1, s);
        // The log must end at term 1 for the ack to commit at term 1.
        r.raft_log.storage = {
            let mut s = storage_with_peers(&[1, 2, 3]);
            s.append(&ents(1, &[1, 1])).unwrap();
            s
        };
        r.become_candidate();
        r.become_leader();
        read_messages(&mut r);
        let term = r.term;
        r.step(Message {
            index,
            term,
            reject,
            reject_hint: index,
            ..msg(2, 0, MsgAppResp)
        })
        .unwrap();
        let p = &r.trk.progress[&2];
        assert_eq!((p.matched, p.next), (wmatch, wnext), "#{}", i);
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), wmsgs, "#{}", i);
        for m in msgs {
            assert_eq!((m.index, m.commit), (windex, wcommit), "#{}", i);
        }
    }
}

#[test]
fn leader_increase_next() {
    let previous = ents(1, &[1, 2, 3]);
    for (state, next, wnext) in [
        (ProgressState::StateReplicate, 2, previous.len() as u64 + 3),
        (ProgressState::StateProbe, 2, 2),
    ] {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
        r.raft_log.append(&previous);
        r.become_candidate();
        r.become_leader();
        r.trk.progress.get_mut(&2).unwrap().state = state;
        r.trk.progress.get_mut(&2).unwrap().next = next;
        r.step(prop(1, 1, b"somedata")).unwrap();
        assert_eq!(r.trk.progress[&2].next, wnext, "{:?}", state);
    }
}

#[test]
fn send_append_for_progress_probe() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
    r.become_candidate();
    r.become_leader();
    read_messages(&mut r);
    r.trk.progress.get_mut(&2).unwrap().become_probe();
    for i in 0..3 {
        if i == 0 {
            must_append_entry(&mut r, vec![data_ent(b"somedata")]);
            r.send_append(2);
            let m = read_messages(&mut r);
            assert_eq!(m.len(), 1);
            assert_eq!(m[0].index, 0);
        }
        assert!(r.trk.progress[&2].msg_app_flow_paused);
        for _ in 0..10 {
            must_append_entry(&mut r, vec![data_ent(b"somedata")]);
            r.send_append(2);
            assert!(read_messages(&mut r).is_empty());
        }
        for _ in 0..r.heartbeat_timeout {
            r.step(msg(1, 1, MsgBeat)).unwrap();
        }
        assert!(r.trk.progress[&2].msg_app_flow_paused);
        let m = read_messages(&mut r);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].msg_type, MsgHeartbeat);
    }
    r.step(msg(2, 1, MsgHeartbeatResp)).unwrap();
    let m = read_messages(&mut r);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].index, 0);
    assert!(r.trk.progress[&2].msg_app_flow_paused);
}

#[test]
fn send_append_for_progress_replicate_and_snapshot() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
    r.become_candidate();
    r.become_leader();
    read_messages(&mut r);
    r.trk.progress.get_mut(&2).unwrap().become_replicate();
    for _ in 0..10 {
        must_append_entry(&mut r, vec![data_ent(b"somedata")]);
        r.send_append(2);
        assert_eq!(read_messages(&mut r).len(), 1);
    }
    r.trk.progress.get_mut(&2).unwrap().become_snapshot(10);
    for _ in 0..10 {
        must_append_entry(&mut r, vec![data_ent(b"somedata")]);
        r.send_append(2);
        assert!(read_messages(&mut r).is_empty());
    }
}

#[test]
fn recv_msg_unreachable() {
    let mut s = storage_with_peers(&[1, 2]);
    s.append(&ents(1, &[1, 2, 3])).unwrap();
    let mut r = new_test_raft(1, 10, 1, s);
    r.become_candidate();
    r.become_leader();
    read_messages(&mut r);
    {
        let pr = r.trk.progress.get_mut(&2).unwrap();
        pr.matched = 3;
        pr.become_replicate();
        pr.next = 6;
    }
    r.step(msg(2, 1, MsgUnreachable)).unwrap();
    assert_eq!(r.trk.progress[&2].state, ProgressState::StateProbe);
    assert_eq!(r.trk.progress[&2].next, 4);
}
