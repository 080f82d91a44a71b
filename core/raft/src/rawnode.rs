//! `RawNode`, the application's handle on a Raft node, and `Ready`, the batch of work it hands
//! out (etcd's rawnode.go, without asynchronous storage writes).
//!
//! The loop is: feed the node ticks and messages; while `has_ready`, take a `Ready`, persist its
//! hard state, entries and snapshot, send its messages, apply its committed entries, and call
//! `advance`. Responses the node owes itself (acknowledging its own appends and votes) are
//! stepped in at `advance`, once the state they vouch for is durable.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::raft::{Config, Raft};
use crate::raftpb::confchange::{marshal_conf_change, marshal_conf_change_v2};
use crate::raftpb::{
    ConfChange, ConfChangeV2, ConfState, Entry, EntryType, HardState, Message, MessageType,
    Snapshot,
};
use crate::state::{ReadState, SoftState};
use crate::status::{BasicStatus, Status};
use crate::storage::Storage;
use crate::tracker::Progress;
use crate::util::{
    ents_size, is_local_msg, is_local_msg_target, is_response_msg, LOCAL_APPEND_THREAD,
    LOCAL_APPLY_THREAD,
};

/// What the application must do next. Fields that did not change since the previous `Ready`
/// are empty (`soft_state` None, `hard_state` default, `snapshot` at index 0).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ready {
    /// The new volatile state, if it changed.
    pub soft_state: Option<SoftState>,
    /// The state to persist before sending messages; default when unchanged.
    pub hard_state: HardState,
    /// Answers to ReadIndex requests.
    pub read_states: Vec<ReadState>,
    /// Entries to append to stable storage before sending messages.
    pub entries: Vec<Entry>,
    /// A snapshot to persist; index 0 means none.
    pub snapshot: Snapshot,
    /// Committed entries to apply (they may already have been persisted in an earlier Ready).
    pub committed_entries: Vec<Entry>,
    /// Messages to send once entries, hard state and snapshot are persisted.
    pub messages: Vec<Message>,
    /// Whether the hard state and entries must be written synchronously (fsync) before the
    /// messages go out.
    pub must_sync: bool,
}

/// Whether persisting this hard state and these entries needs a synchronous write: the term,
/// the vote and the log must be durable before answering anybody; the commit index need not
/// (etcd's `MustSync`).
pub fn must_sync(st: &HardState, prevst: &HardState, entsnum: usize) -> bool {
    entsnum != 0 || st.vote != prevst.vote || st.term != prevst.term
}

/// The outcome of sending a snapshot, reported with `RawNode::report_snapshot`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SnapshotStatus {
    Finish,
    Failure,
}

/// Refuses input from the application that no correct peer sends and that would otherwise
/// corrupt the node or make it panic further down (etcd panics on most of these):
/// - protocol messages claiming to come from this very node: the node would follow itself as
///   a leader, or answer itself through the network. Proposals, read requests, leader
///   transfers and forget-leader requests may name the node itself as their origin;
/// - peer protocol messages without a term;
/// - indexes and terms of 2^63 or more: the protocol computes "one past" indexes and "next"
///   terms everywhere, which must not overflow however many elections or appends follow, and
///   no real log or term gets anywhere near that bound.
fn check_step_input(id: u64, m: &Message) -> Result<()> {
    const MAX_INDEX_OR_TERM: u64 = 1 << 63;
    let from_self_ok = matches!(
        m.msg_type,
        MessageType::MsgProp
            | MessageType::MsgReadIndex
            | MessageType::MsgTransferLeader
            | MessageType::MsgForgetLeader
    );
    if m.from == id && !from_self_ok {
        return Err(Error::Misuse(format!(
            "raft: cannot step {} from the node itself ({:x})",
            m.msg_type, id
        )));
    }
    // Term 0 marks a node's own requests; a peer always stamps its term on these, and
    // without one they would be handled as if of the current term (a candidate would even
    // step back to term 0 to follow the sender).
    let needs_term = matches!(
        m.msg_type,
        MessageType::MsgApp
            | MessageType::MsgAppResp
            | MessageType::MsgHeartbeat
            | MessageType::MsgHeartbeatResp
            | MessageType::MsgSnap
            | MessageType::MsgVote
            | MessageType::MsgVoteResp
            | MessageType::MsgPreVote
            | MessageType::MsgPreVoteResp
            | MessageType::MsgTimeoutNow
            | MessageType::MsgReadIndexResp
    );
    if needs_term && m.term == 0 {
        return Err(Error::Misuse(format!(
            "raft: cannot step {} from {:x} without a term",
            m.msg_type, m.from
        )));
    }
    let snap = m.snapshot.as_ref().map(|s| &s.metadata);
    let at_max = [m.term, m.log_term, m.index, m.commit, m.reject_hint]
        .into_iter()
        .chain(m.entries.iter().flat_map(|e| [e.term, e.index]))
        .chain(snap.into_iter().flat_map(|s| [s.term, s.index]))
        .any(|v| v >= MAX_INDEX_OR_TERM);
    if at_max {
        return Err(Error::Misuse(format!(
            "raft: cannot step {} from {:x}: an index or term is out of range",
            m.msg_type, m.from
        )));
    }
    Ok(())
}

/// Whether a progress belongs to a voter or a learner (etcd's `ProgressType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProgressType {
    Peer,
    Learner,
}

/// A Raft node the application drives by hand (etcd's `RawNode`). Not thread-safe; cloning it
/// clones the whole node, storage included.
#[derive(Clone)]
pub struct RawNode<S: Storage> {
    pub raft: Raft<S>,
    prev_soft_st: SoftState,
    prev_hard_st: HardState,
    /// Messages to step at the next `advance`: the node's responses to itself and the
    /// acknowledgements of the storage work of the accepted Ready.
    steps_on_advance: Vec<Message>,
}

impl<S: Storage> fmt::Debug for RawNode<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawNode")
            .field("raft", &self.raft)
            .field("prev_soft_st", &self.prev_soft_st)
            .field("prev_hard_st", &self.prev_hard_st)
            .field("steps_on_advance", &self.steps_on_advance)
            .finish()
    }
}

impl<S: Storage> RawNode<S> {
    /// A node over `storage`, which holds its initial state. To bootstrap a new cluster, give
    /// it a storage whose snapshot carries the initial ConfState (etcd recommends this over
    /// `Bootstrap`).
    pub fn new(config: &Config, storage: S) -> Result<Self> {
        let raft = Raft::new(config, storage)?;
        let prev_soft_st = raft.soft_state();
        let prev_hard_st = raft.hard_state();
        Ok(RawNode {
            raft,
            prev_soft_st,
            prev_hard_st,
            steps_on_advance: Vec::new(),
        })
    }

    /// Advances the logical clock by one tick.
    pub fn tick(&mut self) {
        self.raft.tick();
    }

    /// Advances the election clock only, with no other processing (etcd's deprecated
    /// `TickQuiesced`, for groups known to be idle).
    pub fn tick_quiesced(&mut self) {
        self.raft.election_elapsed += 1;
    }

    /// Starts an election (a pre-vote first if enabled).
    pub fn campaign(&mut self) -> Result<()> {
        self.raft.step(Message {
            msg_type: MessageType::MsgHup,
            ..Default::default()
        })
    }

    /// Proposes `data` for the log. Fails with `ProposalDropped` when no leader is known (or
    /// forwarding is disabled), a transfer is under way, or the uncommitted log is full.
    pub fn propose(&mut self, data: Vec<u8>) -> Result<()> {
        let id = self.raft.id;
        self.raft.step(Message {
            msg_type: MessageType::MsgProp,
            from: id,
            entries: vec![Entry {
                data,
                ..Default::default()
            }],
            ..Default::default()
        })
    }

    /// Proposes a membership change. It takes effect when the application applies its entry
    /// and calls `apply_conf_change`.
    pub fn propose_conf_change(&mut self, cc: ConfChangeV2) -> Result<()> {
        let data = marshal_conf_change_v2(&cc);
        self.propose_conf_change_entry(EntryType::EntryConfChangeV2, data)
    }

    /// Proposes a membership change in the v1 format (an `EntryConfChange`).
    pub fn propose_conf_change_v1(&mut self, cc: ConfChange) -> Result<()> {
        let data = marshal_conf_change(&cc);
        self.propose_conf_change_entry(EntryType::EntryConfChange, data)
    }

    fn propose_conf_change_entry(&mut self, entry_type: EntryType, data: Vec<u8>) -> Result<()> {
        self.raft.step(Message {
            msg_type: MessageType::MsgProp,
            entries: vec![Entry {
                entry_type,
                data,
                ..Default::default()
            }],
            ..Default::default()
        })
    }

    /// Applies a committed membership change to the node; the application calls this when it
    /// applies the change's entry. Returns the new ConfState.
    pub fn apply_conf_change(&mut self, cc: &ConfChangeV2) -> Result<ConfState> {
        self.raft.apply_conf_change(cc)
    }

    /// Steps a message received from a peer. Messages only the node itself may generate, and
    /// responses from peers outside the configuration, are refused.
    pub fn step(&mut self, m: Message) -> Result<()> {
        if is_local_msg(m.msg_type) && !is_local_msg_target(m.from) {
            return Err(Error::StepLocalMsg);
        }
        if is_response_msg(m.msg_type)
            && !is_local_msg_target(m.from)
            && !self.raft.trk.progress.contains_key(&m.from)
        {
            return Err(Error::StepPeerNotFound);
        }
        check_step_input(self.raft.id, &m)?;
        self.raft.step(m)
    }

    /// Takes the outstanding work. The caller must handle it and then call `advance` before
    /// asking for the next Ready.
    ///
    /// Asking again before `advance` is a caller bug (etcd panics). Here it is a no-op that
    /// returns an empty `Ready` and logs an error: the work of the outstanding Ready is still
    /// acknowledged by the next `advance`, and nothing new is handed out until then, so no
    /// state can be lost or acknowledged before it is durable.
    pub fn ready(&mut self) -> Ready {
        if !self.steps_on_advance.is_empty() {
            self.raft.logger().error(format_args!(
                "two accepted Ready structs without call to Advance; returning an empty Ready"
            ));
            return Ready::default();
        }
        let rd = self.ready_without_accept();
        self.accept_ready(&rd);
        rd
    }

    /// The outstanding work, without committing to handle it.
    fn ready_without_accept(&self) -> Ready {
        let r = &self.raft;
        let mut rd = Ready {
            entries: r.raft_log.next_unstable_ents().to_vec(),
            committed_entries: r
                .raft_log
                .next_committed_ents(self.apply_unstable_entries()),
            messages: r.msgs.clone(),
            ..Default::default()
        };
        let soft_st = r.soft_state();
        if soft_st != self.prev_soft_st {
            rd.soft_state = Some(soft_st);
        }
        let hard_st = r.hard_state();
        if hard_st != self.prev_hard_st {
            rd.hard_state = hard_st;
        }
        if let Some(snap) = r.raft_log.next_unstable_snapshot() {
            rd.snapshot = snap.clone();
        }
        if !r.read_states.is_empty() {
            rd.read_states = r.read_states.clone();
        }
        rd.must_sync = must_sync(&hard_st, &self.prev_hard_st, rd.entries.len());

        // Storage writes are synchronous: by the time the messages are sent, the entries and
        // hard state are durable, so the deferred responses to peers go out with this Ready.
        // Those to the node itself are stepped at advance.
        for m in &r.msgs_after_append {
            if m.to != r.id {
                rd.messages.push(m.clone());
            }
        }
        rd
    }

    /// Records that the application took `rd`: what it contains is no longer outstanding.
    fn accept_ready(&mut self, rd: &Ready) {
        if let Some(ss) = rd.soft_state {
            self.prev_soft_st = ss;
        }
        if !rd.hard_state.is_empty() {
            self.prev_hard_st = rd.hard_state;
        }
        if !rd.read_states.is_empty() {
            self.raft.read_states.clear();
        }
        // `ready` refuses to hand out a second Ready before `advance`, so nothing is pending.
        debug_assert!(self.steps_on_advance.is_empty());
        let id = self.raft.id;
        for m in &self.raft.msgs_after_append {
            if m.to == id {
                self.steps_on_advance.push(m.clone());
            }
        }
        if self.need_storage_append_resp_msg(rd) {
            let m = self.new_storage_append_resp_msg(rd);
            self.steps_on_advance.push(m);
        }
        if !rd.committed_entries.is_empty() {
            let m = self.new_storage_apply_resp_msg(rd.committed_entries.clone());
            self.steps_on_advance.push(m);
        }
        self.raft.msgs.clear();
        self.raft.msgs_after_append.clear();
        self.raft.raft_log.accept_unstable();
        if let Some(last) = rd.committed_entries.last() {
            let index = last.index;
            let allow_unstable = self.apply_unstable_entries();
            self.raft.raft_log.accept_applying(
                index,
                ents_size(&rd.committed_entries),
                allow_unstable,
            );
        }
    }

    /// Whether the log must hear that unstable entries or a snapshot became durable. This looks
    /// at in-progress entries too, not just this Ready's: an acknowledgement also covers
    /// entries handed out earlier.
    fn need_storage_append_resp_msg(&self, rd: &Ready) -> bool {
        self.raft.raft_log.has_next_or_in_progress_unstable_ents() || !rd.snapshot.is_empty()
    }

    /// The acknowledgement that everything handed out for writing so far is durable. It names
    /// the log's last entry and the current term, so an acknowledgement that crossed a term
    /// change is ignored instead of marking replaced entries stable.
    fn new_storage_append_resp_msg(&self, rd: &Ready) -> Message {
        let r = &self.raft;
        let mut m = Message {
            msg_type: MessageType::MsgStorageAppendResp,
            to: r.id,
            from: LOCAL_APPEND_THREAD,
            term: r.term,
            ..Default::default()
        };
        if r.raft_log.has_next_or_in_progress_unstable_ents() {
            let last = r.raft_log.last_entry_id();
            m.index = last.index;
            m.log_term = last.term;
        }
        if !rd.snapshot.is_empty() {
            m.snapshot = Some(rd.snapshot.clone());
        }
        m
    }

    /// The acknowledgement that the committed entries were applied. Application does not
    /// depend on the term, so it carries none.
    fn new_storage_apply_resp_msg(&self, ents: Vec<Entry>) -> Message {
        Message {
            msg_type: MessageType::MsgStorageApplyResp,
            to: self.raft.id,
            from: LOCAL_APPLY_THREAD,
            term: 0,
            entries: ents,
            ..Default::default()
        }
    }

    /// Committed entries may be applied before they are durable locally: with synchronous
    /// writes they are durable by the time the application applies them.
    fn apply_unstable_entries(&self) -> bool {
        true
    }

    /// Whether there is work to take with `ready`.
    pub fn has_ready(&self) -> bool {
        let r = &self.raft;
        if r.soft_state() != self.prev_soft_st {
            return true;
        }
        let hard_st = r.hard_state();
        if !hard_st.is_empty() && hard_st != self.prev_hard_st {
            return true;
        }
        if r.raft_log.has_next_unstable_snapshot() {
            return true;
        }
        if !r.msgs.is_empty() || !r.msgs_after_append.is_empty() {
            return true;
        }
        if r.raft_log.has_next_unstable_ents()
            || r.raft_log
                .has_next_committed_ents(self.apply_unstable_entries())
        {
            return true;
        }
        !r.read_states.is_empty()
    }

    /// Tells the node that the last Ready was handled: its entries, hard state and snapshot
    /// are durable and its committed entries applied. The Ready itself is not needed (etcd
    /// keeps the parameter for compatibility); what to do was recorded when it was taken.
    pub fn advance(&mut self, _rd: Ready) {
        for m in std::mem::take(&mut self.steps_on_advance) {
            // Errors cannot happen for these messages; etcd ignores them as well.
            let _ = self.raft.step(m);
        }
    }

    pub fn status(&self) -> Status {
        Status::new(&self.raft)
    }

    pub fn basic_status(&self) -> BasicStatus {
        BasicStatus::new(&self.raft)
    }

    /// Calls `visitor` with every progress, in ascending id order, without copying them.
    pub fn with_progress(&self, mut visitor: impl FnMut(u64, ProgressType, &Progress)) {
        for (&id, pr) in self.raft.trk.progress.iter() {
            let typ = if pr.is_learner {
                ProgressType::Learner
            } else {
                ProgressType::Peer
            };
            visitor(id, typ, pr);
        }
    }

    /// Reports that the last message to `id` could not be delivered.
    pub fn report_unreachable(&mut self, id: u64) {
        let _ = self.raft.step(Message {
            msg_type: MessageType::MsgUnreachable,
            from: id,
            ..Default::default()
        });
    }

    /// Reports whether the snapshot sent to `id` arrived.
    pub fn report_snapshot(&mut self, id: u64, status: SnapshotStatus) {
        let reject = status == SnapshotStatus::Failure;
        let _ = self.raft.step(Message {
            msg_type: MessageType::MsgSnapStatus,
            from: id,
            reject,
            ..Default::default()
        });
    }

    /// Asks the leader to hand leadership to `transferee`.
    pub fn transfer_leader(&mut self, transferee: u64) {
        let _ = self.raft.step(Message {
            msg_type: MessageType::MsgTransferLeader,
            from: transferee,
            ..Default::default()
        });
    }

    /// Makes a follower forget its leader, so that it may grant votes right away (e.g. when the
    /// application knows the leader is gone). A no-op on leaders and candidates.
    pub fn forget_leader(&mut self) -> Result<()> {
        self.raft.step(Message {
            msg_type: MessageType::MsgForgetLeader,
            ..Default::default()
        })
    }

    /// Requests a linearizable read; the answer arrives as a ReadState carrying `rctx`.
    pub fn read_index(&mut self, rctx: Vec<u8>) {
        let _ = self.raft.step(Message {
            msg_type: MessageType::MsgReadIndex,
            entries: vec![Entry {
                data: rctx,
                ..Default::default()
            }],
            ..Default::default()
        });
    }

    pub fn store(&self) -> &S {
        &self.raft.raft_log.storage
    }

    pub fn store_mut(&mut self) -> &mut S {
        &mut self.raft.raft_log.storage
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logger::{BufferLogger, Level};
    use crate::raft::tests::harness::{storage_with_peers, test_config};
    use crate::raftpb::{ConfChangeSingle, ConfChangeType, SnapshotMetadata};
    use crate::state::{StateType, NONE};
    use crate::storage::MemoryStorage;
    use crate::tracker::ProgressState;
    use crate::util::NO_LIMIT;
    use std::rc::Rc;

    fn new_node(s: MemoryStorage) -> RawNode<MemoryStorage> {
        RawNode::new(&test_config(1, 10, 1), s).unwrap()
    }

    /// Persists a Ready the way an application must, then advances.
    fn handle(rn: &mut RawNode<MemoryStorage>) -> Ready {
        let rd = rn.ready();
        if !rd.snapshot.is_empty() {
            rn.store_mut().apply_snapshot(rd.snapshot.clone()).unwrap();
        }
        rn.store_mut().append(&rd.entries).unwrap();
        if !rd.hard_state.is_empty() {
            rn.store_mut().set_hard_state(rd.hard_state);
        }
        rn.advance(rd.clone());
        rd
    }

    #[test]
    fn step_refuses_local_messages_and_unknown_peers() {
        for t in MessageType::ALL {
            let mut s = MemoryStorage::new();
            s.set_hard_state(HardState {
                term: 1,
                commit: 1,
                vote: 0,
            });
            s.apply_snapshot(Snapshot {
                metadata: SnapshotMetadata {
                    conf_state: ConfState {
                        voters: vec![1],
                        ..Default::default()
                    },
                    index: 1,
                    term: 1,
                },
                ..Default::default()
            })
            .unwrap();
            let mut rn = new_node(s);
            let res = rn.step(Message {
                msg_type: t,
                ..Default::default()
            });
            if t.is_local() {
                assert_eq!(res, Err(Error::StepLocalMsg), "{}", t);
            } else if t.is_response() {
                // From 0, which is not in the configuration.
                assert_eq!(res, Err(Error::StepPeerNotFound), "{}", t);
            }
        }
        // Local messages from the local storage threads are accepted.
        let mut rn = new_node(storage_with_peers(&[1]));
        let m = Message {
            msg_type: MessageType::MsgStorageApplyResp,
            from: LOCAL_APPLY_THREAD,
            ..Default::default()
        };
        assert_eq!(rn.step(m), Ok(()));
        assert_eq!(
            Error::StepLocalMsg.to_string(),
            "raft: cannot step raft local message"
        );
        assert_eq!(
            Error::StepPeerNotFound.to_string(),
            "raft: cannot step as peer not found"
        );
    }

    #[test]
    fn proposal_without_leader_is_dropped() {
        let mut rn = RawNode::new(&test_config(1, 10, 1), storage_with_peers(&[1, 2, 3])).unwrap();
        assert_eq!(rn.propose(b"x".to_vec()), Err(Error::ProposalDropped));
        assert_eq!(
            rn.propose(b"x".to_vec()).unwrap_err().to_string(),
            "raft proposal dropped"
        );
    }

    #[test]
    fn single_node_campaign_takes_three_readys() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
        let c = Config {
            logger: Some(logger.clone()),
            ..test_config(1, 10, 1)
        };
        let mut rn = RawNode::new(&c, storage_with_peers(&[1])).unwrap();
        assert!(!rn.has_ready());
        rn.campaign().unwrap();
        assert_eq!(
            rn.raft.state,
            StateType::StateCandidate,
            "the own vote counts at advance"
        );

        let rd = handle(&mut rn);
        assert_eq!(
            rd.soft_state,
            Some(SoftState {
                lead: NONE,
                raft_state: StateType::StateCandidate
            })
        );
        assert_eq!(
            rd.hard_state,
            HardState {
                term: 1,
                vote: 1,
                commit: 0
            }
        );
        assert!(rd.must_sync);
        assert!(rd.messages.is_empty(), "self-addressed votes are not sent");
        assert_eq!(rn.raft.state, StateType::StateLeader);

        let rd = handle(&mut rn);
        assert_eq!(
            rd.soft_state,
            Some(SoftState {
                lead: 1,
                raft_state: StateType::StateLeader
            })
        );
        assert_eq!(
            rd.entries,
            vec![Entry {
                term: 1,
                index: 1,
                ..Default::default()
            }]
        );
        assert!(
            rd.hard_state.is_empty(),
            "unchanged hard state is not repeated"
        );
        assert!(rd.committed_entries.is_empty());

        let rd = handle(&mut rn);
        assert_eq!(
            rd.hard_state,
            HardState {
                term: 1,
                vote: 1,
                commit: 1
            }
        );
        assert!(!rd.must_sync, "a commit index alone needs no sync");
        assert_eq!(rd.committed_entries.len(), 1);
        assert!(!rn.has_ready());
        assert_eq!(rn.raft.raft_log.applied, 1);
        assert_eq!(
            logger.take(),
            vec![
                "INFO 1 switched to configuration voters=(1)",
                "INFO 1 became follower at term 0",
                "INFO newRaft 1 [peers: [1], term: 0, commit: 0, applied: 0, lastindex: 0, lastterm: 0]",
                "INFO 1 is starting a new election at term 0",
                "INFO 1 became candidate at term 1",
                "INFO 1 received MsgVoteResp from 1 at term 1",
                "INFO 1 has received 1 MsgVoteResp votes and 0 vote rejections",
                "INFO 1 became leader at term 1",
            ]
        );
    }

    #[test]
    fn start_from_bootstrapped_storage() {
        let mut s = MemoryStorage::new();
        s.apply_snapshot(Snapshot {
            metadata: SnapshotMetadata {
                conf_state: ConfState {
                    voters: vec![1],
                    ..Default::default()
                },
                index: 1,
                term: 0,
            },
            ..Default::default()
        })
        .unwrap();
        let mut rn = new_node(s);
        assert!(!rn.has_ready());
        rn.campaign().unwrap();
        handle(&mut rn);
        rn.propose(b"foo".to_vec()).unwrap();
        assert!(rn.has_ready());
        let rd = handle(&mut rn);
        let want = vec![
            Entry {
                term: 1,
                index: 2,
                ..Default::default()
            },
            Entry {
                term: 1,
                index: 3,
                data: b"foo".to_vec(),
                ..Default::default()
            },
        ];
        assert_eq!(rd.entries, want);
        assert!(rn.has_ready());
        let rd = handle(&mut rn);
        assert!(rd.entries.is_empty());
        assert!(!rd.must_sync);
        assert_eq!(
            rd.hard_state,
            HardState {
                term: 1,
                commit: 3,
                vote: 1
            }
        );
        assert_eq!(rd.committed_entries, want);
        assert!(!rn.has_ready());
    }

    #[test]
    fn restart_hands_out_committed_entries_only() {
        let es = vec![
            Entry {
                term: 1,
                index: 1,
                ..Default::default()
            },
            Entry {
                term: 1,
                index: 2,
                data: b"foo".to_vec(),
                ..Default::default()
            },
        ];
        let mut s = storage_with_peers(&[1]);
        s.set_hard_state(HardState {
            term: 1,
            commit: 1,
            vote: 0,
        });
        s.append(&es).unwrap();
        let mut rn = new_node(s);
        let rd = rn.ready();
        assert_eq!(
            rd,
            Ready {
                committed_entries: es[..1].to_vec(),
                ..Default::default()
            }
        );
        rn.advance(rd);
        assert!(!rn.has_ready());
    }

    #[test]
    fn restart_from_snapshot() {
        let es = vec![Entry {
            term: 1,
            index: 3,
            data: b"foo".to_vec(),
            ..Default::default()
        }];
        let mut s = MemoryStorage::new();
        s.set_hard_state(HardState {
            term: 1,
            commit: 3,
            vote: 0,
        });
        s.apply_snapshot(Snapshot {
            metadata: SnapshotMetadata {
                conf_state: ConfState {
                    voters: vec![1, 2],
                    ..Default::default()
                },
                index: 2,
                term: 1,
            },
            ..Default::default()
        })
        .unwrap();
        s.append(&es).unwrap();
        let mut rn = new_node(s);
        let rd = rn.ready();
        assert_eq!(
            rd,
            Ready {
                committed_entries: es,
                ..Default::default()
            }
        );
        rn.advance(rd);
        assert!(!rn.has_ready());
    }

    #[test]
    fn read_states_are_handed_out_once() {
        let mut rn = new_node(storage_with_peers(&[1]));
        let wrs = vec![ReadState {
            index: 1,
            request_ctx: b"somedata".to_vec(),
        }];
        rn.raft.read_states = wrs.clone();
        assert!(rn.has_ready());
        let rd = handle(&mut rn);
        assert_eq!(rd.read_states, wrs);
        assert!(rn.raft.read_states.is_empty());

        // As leader of a single-node group, a read is answered right away.
        rn.campaign().unwrap();
        while rn.raft.state != StateType::StateLeader || rn.has_ready() {
            handle(&mut rn);
        }
        rn.read_index(b"somedata2".to_vec());
        let rd = handle(&mut rn);
        assert_eq!(
            rd.read_states,
            vec![ReadState {
                index: rn.raft.raft_log.committed,
                request_ctx: b"somedata2".to_vec()
            }]
        );
    }

    #[test]
    fn status_has_progress_only_on_leaders() {
        let mut rn = new_node(storage_with_peers(&[1]));
        assert!(rn.status().progress.is_empty());
        rn.campaign().unwrap();
        handle(&mut rn);
        let st = rn.status();
        assert_eq!(st.lead(), 1);
        assert_eq!(st.raft_state(), StateType::StateLeader);
        assert_eq!(st.progress[&1], rn.raft.trk.progress[&1]);
        assert_eq!(
            st.config.voters.ids().into_iter().collect::<Vec<_>>(),
            vec![1]
        );
        assert_eq!(st.config.to_string(), "voters=(1)");
        let bs = rn.basic_status();
        assert_eq!(bs, st.basic);
        assert_eq!(
            st.to_string(),
            r#"{"id":"1","term":1,"vote":"1","commit":0,"lead":"1","raftState":"StateLeader","applied":0,"progress":{"1":{"match":0,"next":1,"state":"StateReplicate"}},"leadtransferee":"0"}"#
        );
    }

    /// A storage that ignores the size hint of `entries`, like some real storages do.
    #[derive(Clone, Debug)]
    struct IgnoreSizeHint(MemoryStorage);

    impl Storage for IgnoreSizeHint {
        fn initial_state(&self) -> Result<(HardState, ConfState)> {
            self.0.initial_state()
        }
        fn entries(&self, lo: u64, hi: u64, _max_size: u64) -> Result<Vec<Entry>> {
            self.0.entries(lo, hi, NO_LIMIT)
        }
        fn term(&self, i: u64) -> Result<u64> {
            self.0.term(i)
        }
        fn last_index(&self) -> Result<u64> {
            self.0.last_index()
        }
        fn first_index(&self) -> Result<u64> {
            self.0.first_index()
        }
        fn snapshot(&self) -> Result<Snapshot> {
            self.0.snapshot()
        }
    }

    #[test]
    fn commit_pagination_after_restart_leaves_no_gap() {
        let mut s = storage_with_peers(&[1]);
        s.set_hard_state(HardState {
            term: 1,
            vote: 1,
            commit: 10,
        });
        let es: Vec<Entry> = (1..=10)
            .map(|i| Entry {
                term: 1,
                index: i,
                data: b"a".to_vec(),
                ..Default::default()
            })
            .collect();
        let size: u64 = es.iter().map(Entry::size).sum();
        s.append(&es).unwrap();
        s.append(&[Entry {
            term: 1,
            index: 11,
            data: b"boom".to_vec(),
            ..Default::default()
        }])
        .unwrap();
        // Suggests the last committed entry should not be in the first batch; storage ignores it.
        let c = Config {
            max_size_per_msg: size - es[9].size() - 1,
            ..test_config(1, 10, 1)
        };
        let mut rn = RawNode::new(&c, IgnoreSizeHint(s)).unwrap();
        let mut highest = 0;
        while highest != 11 {
            let rd = rn.ready();
            let n = rd.committed_entries.len();
            assert_ne!(n, 0, "stopped applying entries at index {}", highest);
            let next = rd.committed_entries[0].index;
            assert!(
                highest == 0 || highest + 1 == next,
                "applying {} after {}",
                next,
                highest
            );
            highest = rd.committed_entries[n - 1].index;
            rn.advance(rd);
            rn.step(Message {
                msg_type: MessageType::MsgHeartbeat,
                to: 1,
                from: 2,
                term: 1,
                commit: 11,
                ..Default::default()
            })
            .ok();
        }
    }

    #[test]
    fn bounded_log_growth_with_partition() {
        let max_entries = 16u64;
        let data = b"testdata".to_vec();
        let max_size = max_entries * data.len() as u64;
        let c = Config {
            max_uncommitted_entries_size: max_size,
            ..test_config(1, 10, 1)
        };
        let mut rn = RawNode::new(&c, storage_with_peers(&[1])).unwrap();
        rn.campaign().unwrap();
        loop {
            let rd = handle(&mut rn);
            if !rd.committed_entries.is_empty() {
                break;
            }
        }
        for _ in 0..1024 {
            let _ = rn.propose(data.clone());
        }
        assert_eq!(rn.raft.uncommitted_size, max_size);
        let rd = handle(&mut rn);
        assert_eq!(rd.entries.len() as u64, max_entries);
        assert_eq!(rn.raft.uncommitted_size, max_size, "appended, not applied");
        let rd = handle(&mut rn);
        assert!(rd.entries.is_empty());
        assert_eq!(rd.committed_entries.len() as u64, max_entries);
        assert_eq!(rn.raft.uncommitted_size, 0);
    }

    #[test]
    fn ready_without_accept_leaves_messages_in_place() {
        let mut rn = RawNode::new(&test_config(1, 3, 1), storage_with_peers(&[1])).unwrap();
        let m1 = Message {
            context: b"foo".to_vec(),
            ..Default::default()
        };
        let m2 = Message {
            context: b"bar".to_vec(),
            ..Default::default()
        };
        rn.raft.msgs.push(m1.clone());
        let rd = rn.ready_without_accept();
        assert_eq!(rd.messages, vec![m1.clone()]);
        assert_eq!(rn.raft.msgs, vec![m1.clone()]);
        let rd = rn.ready();
        assert!(rn.raft.msgs.is_empty());
        assert_eq!(rd.messages, vec![m1]);
        rn.raft.msgs.push(m2.clone());
        rn.advance(rd);
        assert_eq!(rn.raft.msgs, vec![m2]);
    }

    #[test]
    fn responses_to_peers_go_out_with_the_ready_that_persists_their_state() {
        let mut rn = RawNode::new(&test_config(2, 10, 1), storage_with_peers(&[1, 2, 3])).unwrap();
        rn.step(Message {
            msg_type: MessageType::MsgVote,
            from: 1,
            to: 2,
            term: 1,
            ..Default::default()
        })
        .unwrap();
        assert!(rn.has_ready());
        let rd = rn.ready();
        assert_eq!(
            rd.hard_state,
            HardState {
                term: 1,
                vote: 1,
                commit: 0
            }
        );
        assert!(rd.must_sync);
        assert_eq!(
            rd.messages,
            vec![Message {
                msg_type: MessageType::MsgVoteResp,
                from: 2,
                to: 1,
                term: 1,
                ..Default::default()
            }]
        );
        rn.advance(rd);
        assert!(!rn.has_ready());
    }

    #[test]
    fn a_second_ready_before_advance_is_empty_and_loses_nothing() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Error)));
        let c = Config {
            logger: Some(logger.clone()),
            ..test_config(1, 10, 1)
        };
        let mut rn = RawNode::new(&c, storage_with_peers(&[1])).unwrap();
        rn.campaign().unwrap();
        let rd = rn.ready();
        assert_eq!(rd.hard_state.vote, 1);
        assert_eq!(rn.raft.state, StateType::StateCandidate, "own vote pending");
        assert_eq!(rn.ready(), Ready::default());
        assert_eq!(
            logger.take(),
            vec![
                "ERROR two accepted Ready structs without call to Advance; returning an empty Ready"
            ]
        );
        // The outstanding Ready is still acknowledged by advance: the own vote counts.
        rn.store_mut().set_hard_state(rd.hard_state);
        rn.advance(rd);
        assert_eq!(rn.raft.state, StateType::StateLeader);
        let rd = handle(&mut rn);
        assert_eq!(rd.entries.len(), 1, "the new leader's empty entry");
        handle(&mut rn);
        assert_eq!(rn.raft.raft_log.applied, 1);
        assert!(!rn.has_ready());
    }

    #[test]
    fn report_unreachable_and_snapshot() {
        let mut rn = RawNode::new(&test_config(1, 10, 1), storage_with_peers(&[1, 2])).unwrap();
        rn.campaign().unwrap();
        handle(&mut rn);
        rn.step(Message {
            msg_type: MessageType::MsgVoteResp,
            from: 2,
            to: 1,
            term: 1,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(rn.raft.state, StateType::StateLeader);
        rn.raft.trk.progress.get_mut(&2).unwrap().become_replicate();
        rn.report_unreachable(2);
        assert_eq!(rn.raft.trk.progress[&2].state, ProgressState::StateProbe);
        rn.raft.trk.progress.get_mut(&2).unwrap().become_snapshot(5);
        rn.report_snapshot(2, SnapshotStatus::Failure);
        let pr = &rn.raft.trk.progress[&2];
        assert_eq!(pr.state, ProgressState::StateProbe);
        assert_eq!(pr.pending_snapshot, 0);
        assert!(pr.msg_app_flow_paused);
    }

    #[test]
    fn transfer_and_forget_leader() {
        let mut rn = RawNode::new(&test_config(2, 10, 1), storage_with_peers(&[1, 2, 3])).unwrap();
        rn.step(Message {
            msg_type: MessageType::MsgHeartbeat,
            from: 1,
            to: 2,
            term: 1,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(rn.raft.lead, 1);
        rn.transfer_leader(3);
        let rd = rn.ready();
        assert!(rd
            .messages
            .iter()
            .any(|m| m.msg_type == MessageType::MsgTransferLeader && m.to == 1 && m.from == 3));
        rn.advance(rd);
        rn.forget_leader().unwrap();
        assert_eq!(rn.raft.lead, NONE);
        assert_eq!(rn.basic_status().lead(), NONE);
    }

    #[test]
    fn conf_change_round_trip() {
        let mut rn = new_node(storage_with_peers(&[1]));
        rn.campaign().unwrap();
        while rn.has_ready() {
            handle(&mut rn);
        }
        let cc = ConfChangeV2 {
            changes: vec![ConfChangeSingle {
                change_type: ConfChangeType::ConfChangeAddNode,
                node_id: 2,
            }],
            ..Default::default()
        };
        rn.propose_conf_change(cc.clone()).unwrap();
        let rd = handle(&mut rn);
        assert_eq!(rd.entries.len(), 1);
        assert_eq!(rd.entries[0].entry_type, EntryType::EntryConfChangeV2);
        let rd = handle(&mut rn);
        let e = &rd.committed_entries[0];
        let decoded = crate::raftpb::confchange::unmarshal_conf_change_v2(&e.data).unwrap();
        assert_eq!(decoded, cc);
        let cs = rn.apply_conf_change(&decoded).unwrap();
        assert_eq!(cs.voters, vec![1, 2]);
        assert!(rn.raft.trk.progress.contains_key(&2));
        // The leader probes the new peer right away.
        let rd = rn.ready();
        assert!(rd
            .messages
            .iter()
            .any(|m| m.to == 2 && m.msg_type == MessageType::MsgApp));
    }
}
