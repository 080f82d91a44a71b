//! Tests of `RawNode` with asynchronous storage writes: the storage work a Ready hands to the
//! local threads, and how the threads' responses stand in for `advance`.

use super::*;
use crate::logger::{BufferLogger, Level};
use crate::raft::tests::harness::{storage_with_peers, test_config};
use crate::state::StateType;
use crate::storage::MemoryStorage;
use crate::util::{LOCAL_APPEND_THREAD, LOCAL_APPLY_THREAD};
use std::rc::Rc;

fn async_node(id: u64, peers: &[u64]) -> RawNode<MemoryStorage> {
    let c = Config {
        async_storage_writes: true,
        ..test_config(id, 10, 1)
    };
    RawNode::new(&c, storage_with_peers(peers)).unwrap()
}

/// The messages of `rd` to the given local thread.
fn to_thread(rd: &Ready, thread: u64) -> Vec<Message> {
    rd.messages
        .iter()
        .filter(|m| m.to == thread)
        .cloned()
        .collect()
}

/// Does what the append thread does with a `MsgStorageAppend` (writes it to the node's
/// storage) and returns the responses to deliver.
fn run_append_thread(rn: &mut RawNode<MemoryStorage>, m: Message) -> Vec<Message> {
    assert_eq!(m.msg_type, MessageType::MsgStorageAppend);
    let st = HardState {
        term: m.term,
        vote: m.vote,
        commit: m.commit,
    };
    if !st.is_empty() {
        rn.store_mut().set_hard_state(st);
    }
    rn.store_mut().append(&m.entries).unwrap();
    m.responses.into_vec()
}

#[test]
fn ready_hands_storage_work_to_the_append_thread_and_needs_no_advance() {
    let mut rn = async_node(1, &[1]);
    rn.campaign().unwrap();
    let rd = rn.ready();
    assert_eq!(rd.hard_state.vote, 1);
    let appends = to_thread(&rd, LOCAL_APPEND_THREAD);
    assert_eq!(appends.len(), 1, "{:?}", rd.messages);
    let m = appends[0].clone();
    // The hard state travels in the message; the node's vote for itself waits for it.
    assert_eq!((m.from, m.term, m.vote, m.commit), (1, 1, 1, 0));
    assert_eq!(m.responses.len(), 1);
    assert_eq!(m.responses[0].msg_type, MessageType::MsgVoteResp);
    assert_eq!(m.responses[0].to, 1);

    // The Ready was accepted when taken: asking again hands out nothing new, and the node
    // does not count its own vote before the append thread reports the write.
    assert!(!rn.has_ready());
    assert_eq!(rn.raft.state, StateType::StateCandidate);

    for resp in run_append_thread(&mut rn, m) {
        rn.step(resp).unwrap();
    }
    assert_eq!(rn.raft.state, StateType::StateLeader);
    assert_eq!(rn.store().initial_state().unwrap().0.vote, 1);
}

#[test]
fn advance_is_refused_and_changes_nothing() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Error)));
    let c = Config {
        async_storage_writes: true,
        logger: Some(logger.clone()),
        ..test_config(1, 10, 1)
    };
    let mut rn = RawNode::new(&c, storage_with_peers(&[1])).unwrap();
    rn.campaign().unwrap();
    let rd = rn.ready();
    rn.advance(rd);
    assert_eq!(
        logger.take(),
        vec!["ERROR Advance must not be called when using AsyncStorageWrites"]
    );
    // In synchronous mode, advance would have stepped the own vote in.
    assert_eq!(rn.raft.state, StateType::StateCandidate);
}

#[test]
fn committed_entries_are_applied_only_once_locally_durable() {
    let mut rn = async_node(1, &[1, 2, 3]);
    rn.campaign().unwrap();
    let rd = rn.ready();
    for resp in run_append_thread(&mut rn, to_thread(&rd, LOCAL_APPEND_THREAD)[0].clone()) {
        rn.step(resp).unwrap();
    }
    for from in [2, 3] {
        rn.step(Message {
            msg_type: MessageType::MsgVoteResp,
            from,
            to: 1,
            term: 1,
            ..Default::default()
        })
        .unwrap();
    }
    assert_eq!(rn.raft.state, StateType::StateLeader);

    // The leader's empty entry goes to the append thread; the followers acknowledge it before
    // the local write finished.
    let rd = rn.ready();
    assert_eq!(rd.entries.len(), 1);
    let append = to_thread(&rd, LOCAL_APPEND_THREAD).remove(0);
    let index = rd.entries[0].index;
    for from in [2, 3] {
        rn.step(Message {
            msg_type: MessageType::MsgAppResp,
            from,
            to: 1,
            term: 1,
            index,
            ..Default::default()
        })
        .unwrap();
    }
    assert_eq!(rn.raft.raft_log.committed, index);
    // Committed, but not yet in local storage: nothing to apply yet.
    let rd = rn.ready();
    assert_eq!(rd.hard_state.commit, index);
    assert!(rd.committed_entries.is_empty());
    assert!(to_thread(&rd, LOCAL_APPLY_THREAD).is_empty());

    // Once the append thread reports the write, the entry goes to the apply thread, and its
    // response moves `applied`.
    for resp in run_append_thread(&mut rn, append) {
        rn.step(resp).unwrap();
    }
    let rd = rn.ready();
    assert_eq!(rd.committed_entries.len(), 1);
    let apply = to_thread(&rd, LOCAL_APPLY_THREAD);
    assert_eq!(apply.len(), 1);
    assert_eq!(apply[0].entries, rd.committed_entries);
    assert_eq!(rn.raft.raft_log.applied, 0);
    let resp = apply[0].responses[0].clone();
    assert_eq!(
        (resp.msg_type, resp.from, resp.to),
        (MessageType::MsgStorageApplyResp, LOCAL_APPLY_THREAD, 1)
    );
    rn.step(resp).unwrap();
    assert_eq!(rn.raft.raft_log.applied, index);
}

#[test]
fn own_responses_may_be_stepped_only_in_async_mode() {
    // The append thread delivers the node's acks to itself through `step`; without
    // asynchronous writes they never travel, so one arriving from the network is refused.
    let own_vote = Message {
        msg_type: MessageType::MsgVoteResp,
        from: 1,
        to: 1,
        term: 1,
        ..Default::default()
    };
    let mut sync = RawNode::new(&test_config(1, 10, 1), storage_with_peers(&[1, 2])).unwrap();
    sync.campaign().unwrap();
    assert!(matches!(sync.step(own_vote.clone()), Err(Error::Misuse(_))));

    let mut rn = async_node(1, &[1, 2]);
    rn.campaign().unwrap();
    assert_eq!(rn.step(own_vote), Ok(()));
    assert_eq!(rn.raft.trk.votes.get(&1), Some(&true));
    // Protocol messages from itself remain refused in both modes.
    let own_app = Message {
        msg_type: MessageType::MsgApp,
        from: 1,
        to: 1,
        term: 2,
        ..Default::default()
    };
    assert!(matches!(rn.step(own_app), Err(Error::Misuse(_))));
}
