//! `RawNode`, the application's handle on a Raft node, and `Ready`, the batch of work it hands
//! out (etcd's rawnode.go).
//!
//! The loop is: feed the node ticks and messages; while `has_ready`, take a `Ready`, persist its
//! hard state, entries and snapshot, send its messages, apply its committed entries, and call
//! `advance`. Responses the node owes itself (acknowledging its own appends and votes) are
//! stepped in at `advance`, once the state they vouch for is durable.
//!
//! With `Config::async_storage_writes` there is no `advance`: a `Ready` is accepted as soon as
//! it is taken, and the storage work travels as messages to local append and apply threads
//! (see [`storage_msgs`]). The threads deliver the responses those messages carry, which
//! the application steps back into the node like any other message.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::raft::{Config, Raft};
use crate::raftpb::confchange::{marshal_conf_change, marshal_conf_change_v2};
use crate::raftpb::{
    ConfChange, ConfChangeV2, ConfState, Entry, EntryType, HardState, Message, MessageType,
};
use crate::state::SoftState;
use crate::status::{BasicStatus, Status};
use crate::storage::Storage;
use crate::util::{ents_size, is_local_msg, is_local_msg_target, is_response_msg, payloads_size};

mod ready;
mod storage_msgs;

pub use ready::{must_sync, Ready};
use storage_msgs::{
    need_storage_append_msg, need_storage_append_resp_msg, new_storage_append_msg,
    new_storage_append_resp_msg, new_storage_apply_msg, ApplyAck,
};

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
///   transfers and forget-leader requests may name the node itself as their origin; with
///   asynchronous storage writes, so may the responses the node owes itself (acks of its own
///   appends and votes), which the append thread delivers;
/// - peer protocol messages without a term, where handling them as local messages (as etcd
///   does with any message of term 0) would break the node;
/// - indexes and terms of 2^63 or more: the protocol computes "one past" indexes and "next"
///   terms everywhere, which must not overflow however many elections or appends follow, and
///   no real log or term gets anywhere near that bound.
fn check_step_input(id: u64, async_storage_writes: bool, m: &Message) -> Result<()> {
    const MAX_INDEX_OR_TERM: u64 = 1 << 63;
    let self_response = matches!(
        m.msg_type,
        MessageType::MsgAppResp | MessageType::MsgVoteResp | MessageType::MsgPreVoteResp
    );
    let from_self_ok = matches!(
        m.msg_type,
        MessageType::MsgProp
            | MessageType::MsgReadIndex
            | MessageType::MsgTransferLeader
            | MessageType::MsgForgetLeader
    ) || (async_storage_writes && self_response);
    if m.from == id && !from_self_ok {
        return Err(Error::Misuse(format!(
            "raft: cannot step {} from the node itself ({:x})",
            m.msg_type, id
        )));
    }
    // Term 0 marks a node's own requests; a peer always stamps its term on these, and
    // without one they would be handled as if of the current term (a candidate would even
    // step back to term 0 to follow the sender).
    //
    // MsgSnap and MsgAppResp are let through, as etcd lets them through: a node still at term
    // 0 can send a snapshot (etcd's harness does, with send-snapshot), and the receiver's
    // answer then carries term 0 too. A follower takes the sender as its leader and installs
    // the snapshot only if it is newer; a leader counts the answer as of its own term, which
    // is true of what it acknowledges (the receiver's committed log or the snapshot). A
    // candidate that receives one follows the sender at term 0, as etcd's does: its term goes
    // back and its vote is forgotten. etcd never sends such a message itself, and does not
    // panic on it, so neither does this core; the cluster's checker sees what follows.
    let needs_term = matches!(
        m.msg_type,
        MessageType::MsgApp
            | MessageType::MsgHeartbeat
            | MessageType::MsgHeartbeatResp
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
    // Every stepped message comes through here, so this is a plain loop over the entries. The
    // bound is the top bit: OR-ing the values tells whether any of them reaches it.
    let mut all = m.term | m.log_term | m.index | m.commit | m.reject_hint;
    for e in &m.entries {
        all |= e.term | e.index;
    }
    if let Some(s) = &m.snapshot {
        all |= s.metadata.term | s.metadata.index;
    }
    let at_max = all >= MAX_INDEX_OR_TERM;
    if at_max {
        return Err(Error::Misuse(format!(
            "raft: cannot step {} from {:x}: an index or term is out of range",
            m.msg_type, m.from
        )));
    }
    Ok(())
}

/// Takes the messages of a queue with their buffer, leaving the queue a buffer of the same
/// size (none if it was empty, so that an idle queue keeps its buffer and allocates nothing).
fn take_buffer(queue: &mut Vec<Message>) -> Vec<Message> {
    if queue.is_empty() {
        return Vec::new();
    }
    let n = queue.len();
    std::mem::replace(queue, Vec::with_capacity(n))
}

/// A Raft node the application drives by hand (etcd's `RawNode`). Not thread-safe; cloning it
/// clones the whole node, storage included.
#[derive(Clone)]
pub struct RawNode<S: Storage> {
    pub raft: Raft<S>,
    /// Storage work goes to local threads as messages; there is no `advance`.
    async_storage_writes: bool,
    prev_soft_st: SoftState,
    prev_hard_st: HardState,
    /// Messages to step at the next `advance`: the node's responses to itself and the
    /// acknowledgement of the accepted Ready's writes. Always empty with asynchronous storage
    /// writes. `advance` drains it and keeps the buffer, since nearly every Ready refills it.
    steps_on_advance: Vec<Message>,
    /// The acknowledgement of the accepted Ready's committed entries, stepped at `advance`
    /// after `steps_on_advance`. It stands for the `MsgStorageApplyResp` that asynchronous
    /// writes send (see [`ApplyAck`]). None with asynchronous storage writes.
    apply_on_advance: Option<ApplyAck>,
}

impl<S: Storage> fmt::Debug for RawNode<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawNode")
            .field("raft", &self.raft)
            .field("async_storage_writes", &self.async_storage_writes)
            .field("prev_soft_st", &self.prev_soft_st)
            .field("prev_hard_st", &self.prev_hard_st)
            .field("steps_on_advance", &self.steps_on_advance)
            .field("apply_on_advance", &self.apply_on_advance)
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
            async_storage_writes: config.async_storage_writes,
            prev_soft_st,
            prev_hard_st,
            steps_on_advance: Vec::new(),
            apply_on_advance: None,
        })
    }

    /// Advances the logical clock by one tick.
    pub fn tick(&mut self) {
        self.raft.tick();
    }

    /// Starts an election (a pre-vote first if enabled).
    pub fn campaign(&mut self) -> Result<()> {
        self.raft.step(Message {
            msg_type: MessageType::MsgHup,
            ..Default::default()
        })
    }

    /// Proposes `data` for the log (a `Vec<u8>`, a slice, or an already shared `Arc<[u8]>`,
    /// which is then not copied). Fails with `ProposalDropped` when no leader is known (or
    /// forwarding is disabled), a transfer is under way, or the uncommitted log is full.
    pub fn propose(&mut self, data: impl Into<Arc<[u8]>>) -> Result<()> {
        let id = self.raft.id;
        self.raft.step(Message {
            msg_type: MessageType::MsgProp,
            from: id,
            entries: vec![Entry {
                data: data.into(),
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
                data: data.into(),
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
    pub fn step(&mut self, mut m: Message) -> Result<()> {
        if is_local_msg(m.msg_type) && !is_local_msg_target(m.from) {
            return Err(Error::StepLocalMsg);
        }
        if is_response_msg(m.msg_type)
            && !is_local_msg_target(m.from)
            && !self.raft.trk.progress.contains_key(&m.from)
        {
            return Err(Error::StepPeerNotFound);
        }
        check_step_input(self.raft.id, self.async_storage_writes, &m)?;
        self.raft.step_mut(&mut m)
    }

    /// Takes the outstanding work. The caller must handle it and then call `advance` before
    /// asking for the next Ready.
    ///
    /// Asking again before `advance` is a caller bug (etcd panics). Here it is a no-op that
    /// returns an empty `Ready` and logs an error: the work of the outstanding Ready is still
    /// acknowledged by the next `advance`, and nothing new is handed out until then, so no
    /// state can be lost or acknowledged before it is durable.
    ///
    /// With asynchronous storage writes, Readys may follow one another freely: each is
    /// accepted when taken, and its storage work is acknowledged by the storage threads'
    /// responses, whenever they arrive.
    pub fn ready(&mut self) -> Ready {
        // One Ready, filled where it lies and returned from a single place: a Ready is nearly
        // 300 bytes, and built by a helper and returned from two places it was copied twice
        // per call on its way out (now once, the return itself).
        let mut rd = Ready::default();
        if !self.async_storage_writes && self.advance_pending() {
            self.raft.logger().error(format_args!(
                "two accepted Ready structs without call to Advance; returning an empty Ready"
            ));
        } else {
            self.fill_ready_state(&mut rd);
            // Accepting the Ready empties the message queues. The Ready takes a queue's buffer
            // and the queue gets a new one of the size it needed this time: the messages are
            // not copied, and the queue is not regrown from nothing, reallocation after
            // reallocation, for every Ready.
            let mut after_append = std::mem::take(&mut self.raft.msgs_after_append);
            rd.messages = take_buffer(&mut self.raft.msgs);
            let mut to_self = std::mem::take(&mut self.steps_on_advance);
            self.add_messages(&mut rd, &mut after_append, &mut to_self);
            self.raft.msgs_after_append = after_append;
            self.accept_ready(&rd, to_self);
        }
        rd
    }

    /// Whether the accepted Ready still waits for its `advance`.
    fn advance_pending(&self) -> bool {
        !self.steps_on_advance.is_empty() || self.apply_on_advance.is_some()
    }

    /// The outstanding work, without committing to handle it (etcd's `readyWithoutAccept`).
    /// `ready` does the same but moves the messages out of the node.
    #[cfg(test)]
    fn ready_without_accept(&self) -> Ready {
        let mut rd = Ready::default();
        self.fill_ready_state(&mut rd);
        rd.messages = self.raft.msgs.clone();
        let mut after_append = self.raft.msgs_after_append.clone();
        self.add_messages(&mut rd, &mut after_append, &mut Vec::new());
        rd
    }

    /// Fills `rd` (a default Ready) with the outstanding work, all but the messages.
    fn fill_ready_state(&self, rd: &mut Ready) {
        let r = &self.raft;
        rd.entries = r.raft_log.next_unstable_ents().to_vec();
        rd.committed_entries = r
            .raft_log
            .next_committed_ents(self.apply_unstable_entries());
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
    }

    /// Adds to `rd.messages` (which holds the node's `msgs`) what `after_append` (its
    /// `msgs_after_append`, emptied here) holds for peers or for the storage threads. The
    /// responses the node owes itself, stepped at `advance`, go to `to_self` (none with
    /// asynchronous storage writes).
    fn add_messages(
        &self,
        rd: &mut Ready,
        after_append: &mut Vec<Message>,
        to_self: &mut Vec<Message>,
    ) {
        let r = &self.raft;
        if self.async_storage_writes {
            // The storage work goes to the local threads, after the messages to peers; the
            // deferred responses ride along with the append and go out once it is durable.
            if need_storage_append_msg(rd, after_append) {
                let m = new_storage_append_msg(r, rd, std::mem::take(after_append));
                rd.messages.push(m);
            }
            if !rd.committed_entries.is_empty() {
                let m = new_storage_apply_msg(r, &rd.committed_entries);
                rd.messages.push(m);
            }
        } else {
            // Storage writes are synchronous: by the time the messages are sent, the entries
            // and hard state are durable, so the deferred responses to peers go out with this
            // Ready. Those to the node itself are stepped at advance.
            // Usually they all go one way (a follower's acknowledgements to its leader, a
            // leader's of its own appends), and are then moved in one block.
            let to_peers = after_append.iter().filter(|m| m.to != r.id).count();
            if to_peers == after_append.len() {
                if rd.messages.is_empty() {
                    rd.messages = take_buffer(after_append);
                } else {
                    rd.messages.append(after_append);
                }
                return;
            }
            if to_peers == 0 {
                if to_self.is_empty() {
                    std::mem::swap(to_self, after_append);
                } else {
                    to_self.append(after_append);
                }
                return;
            }
            rd.messages.reserve(to_peers);
            for m in after_append.drain(..) {
                if m.to == r.id {
                    to_self.push(m);
                } else {
                    rd.messages.push(m);
                }
            }
        }
    }

    /// Records that the application took `rd`: what it contains is no longer outstanding.
    /// `to_self` are the node's responses to itself, to step at `advance`, in a buffer that
    /// becomes `steps_on_advance`.
    fn accept_ready(&mut self, rd: &Ready, to_self: Vec<Message>) {
        if let Some(ss) = rd.soft_state {
            self.prev_soft_st = ss;
        }
        if !rd.hard_state.is_empty() {
            self.prev_hard_st = rd.hard_state;
        }
        if !rd.read_states.is_empty() {
            self.raft.read_states.clear();
        }
        let committed_size = ents_size(&rd.committed_entries);
        if !self.async_storage_writes {
            // `ready` refuses to hand out a second Ready before `advance`, so nothing is
            // pending.
            debug_assert!(self.steps_on_advance.is_empty() && self.apply_on_advance.is_none());
            self.steps_on_advance = to_self;
            if need_storage_append_resp_msg(&self.raft, rd) {
                let m = new_storage_append_resp_msg(&self.raft, rd);
                self.steps_on_advance.push(m);
            }
            if let Some(last) = rd.committed_entries.last() {
                self.apply_on_advance = Some(ApplyAck {
                    index: last.index,
                    size: committed_size,
                    payload_size: payloads_size(&rd.committed_entries),
                });
            }
        }
        self.raft.raft_log.accept_unstable();
        if let Some(last) = rd.committed_entries.last() {
            let index = last.index;
            let allow_unstable = self.apply_unstable_entries();
            self.raft
                .raft_log
                .accept_applying(index, committed_size, allow_unstable);
        }
    }

    /// Whether committed entries may be handed out for applying before they are durable
    /// locally. With synchronous writes they are durable by the time the application applies
    /// them (it writes a Ready before applying it). With asynchronous writes the apply thread
    /// could overtake the append thread, so only entries already acknowledged as stable are
    /// handed out.
    fn apply_unstable_entries(&self) -> bool {
        !self.async_storage_writes
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
    ///
    /// With asynchronous storage writes the storage threads' responses take the place of
    /// `advance`, and calling it is a caller bug (etcd panics). Here it does nothing but log
    /// the error: there is nothing it could acknowledge, so ignoring it loses nothing.
    pub fn advance(&mut self, _rd: Ready) {
        if self.async_storage_writes {
            self.raft.logger().error(format_args!(
                "Advance must not be called when using AsyncStorageWrites"
            ));
            return;
        }
        // Stepping a message never queues another one here: the buffer is put back, emptied.
        // The messages are stepped where they lie rather than moved out one by one.
        let mut steps = std::mem::take(&mut self.steps_on_advance);
        for m in &mut steps {
            // Errors cannot happen for these messages; etcd ignores them as well.
            let _ = self.raft.step_mut(m);
        }
        steps.clear();
        self.steps_on_advance = steps;
        if let Some(ack) = self.apply_on_advance.take() {
            let _ = self
                .raft
                .storage_apply_resp(ack.index, ack.size, ack.payload_size);
        }
    }

    pub fn status(&self) -> Status {
        Status::new(&self.raft)
    }

    pub fn basic_status(&self) -> BasicStatus {
        BasicStatus::new(&self.raft)
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
                data: rctx.into(),
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
mod tests;
#[cfg(test)]
mod tests_async;
