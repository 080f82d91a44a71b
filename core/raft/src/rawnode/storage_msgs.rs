//! The local messages between a node and its storage (etcd's `newStorageAppendMsg` and
//! friends in rawnode.go).
//!
//! With asynchronous storage writes, a `Ready` asks for storage work through two messages: a
//! `MsgStorageAppend` for the append thread and a `MsgStorageApply` for the apply thread. Each
//! carries the responses the thread delivers once the work is done, among them the
//! acknowledgement that tells the node the work happened (`MsgStorageAppendResp`,
//! `MsgStorageApplyResp`). With synchronous writes there are no threads, but the same
//! acknowledgements are built and stepped in at `advance`, so both modes share one path into
//! the state machine.

use crate::raft::Raft;
use crate::raftpb::{Entry, Message, MessageType};
use crate::storage::Storage;
use crate::util::{LOCAL_APPEND_THREAD, LOCAL_APPLY_THREAD};

use super::ready::Ready;

/// Whether the append thread has something to do for this Ready: entries, a hard state or a
/// snapshot to write, or responses that may only go out once everything handed out before is
/// durable (an empty write still orders them after the earlier ones).
/// `after_append` are the node's `msgs_after_append`, already taken out of it.
pub(super) fn need_storage_append_msg(rd: &Ready, after_append: &[Message]) -> bool {
    !rd.entries.is_empty()
        || !rd.hard_state.is_empty()
        || !rd.snapshot.is_empty()
        || !after_append.is_empty()
}

/// Whether the log must hear that unstable entries or a snapshot became durable. This looks
/// at in-progress entries too, not just this Ready's: an acknowledgement also covers entries
/// handed out earlier (see [`new_storage_append_resp_msg`]).
pub(super) fn need_storage_append_resp_msg<S: Storage>(r: &Raft<S>, rd: &Ready) -> bool {
    r.raft_log.has_next_or_in_progress_unstable_ents() || !rd.snapshot.is_empty()
}

/// The work for the append thread: write the Ready's entries, hard state and snapshot, then
/// deliver the responses, which wait for exactly that durability (acks of appends and votes,
/// to peers and to the node itself, and the node's own `MsgStorageAppendResp`).
///
/// The hard state travels in the message's own `term`, `vote` and `commit` fields, left at
/// zero when it did not change, so that the thread rebuilds an empty hard state and writes
/// nothing.
///
/// `after_append` are the node's `msgs_after_append`, already taken out of it.
pub(super) fn new_storage_append_msg<S: Storage>(
    r: &Raft<S>,
    rd: &Ready,
    after_append: Vec<Message>,
) -> Message {
    let mut m = Message {
        msg_type: MessageType::MsgStorageAppend,
        to: LOCAL_APPEND_THREAD,
        from: r.id,
        entries: rd.entries.clone(),
        ..Default::default()
    };
    if !rd.hard_state.is_empty() {
        m.term = rd.hard_state.term;
        m.vote = rd.hard_state.vote;
        m.commit = rd.hard_state.commit;
    }
    if !rd.snapshot.is_empty() {
        m.snapshot = Some(Box::new(rd.snapshot.clone()));
    }
    // The node's own MsgAppResp comes before the MsgStorageAppendResp: the leader handles its
    // ack while the new entries are still in the unstable log, where their terms are cheap to
    // look up.
    m.responses = after_append.into();
    if need_storage_append_resp_msg(r, rd) {
        m.responses.push(new_storage_append_resp_msg(r, rd));
    }
    m
}

/// The acknowledgement that everything handed out for writing so far (this Ready and all
/// earlier ones) is durable.
///
/// It names the log's last entry, not the last entry of this Ready, and the current term. The
/// term is what makes it safe: entries at the same index can be replaced by entries of a newer
/// term while an earlier write is still in flight, and later replaced again by entries carrying
/// the older term (a leader re-sends old entries with their original terms). An
/// acknowledgement of the first write would then match the unstable log again and drop entries
/// that storage is still about to overwrite. Only an acknowledgement stamped with the term
/// that is still current is believed (`Raft::step` ignores older ones), and within one term
/// nobody else rewrites this node's log. Because one such message is sent on every term
/// change, and every one names the last entry even when the Ready had none, a stale
/// acknowledgement that is dropped is always followed by one that is not, so the unstable log
/// does not grow forever.
pub(super) fn new_storage_append_resp_msg<S: Storage>(r: &Raft<S>, rd: &Ready) -> Message {
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
        m.snapshot = Some(Box::new(rd.snapshot.clone()));
    }
    m
}

/// The work for the apply thread: apply the committed entries, then deliver the
/// acknowledgement. Applying does not depend on the term, so neither message carries one.
pub(super) fn new_storage_apply_msg<S: Storage>(r: &Raft<S>, ents: &[Entry]) -> Message {
    Message {
        msg_type: MessageType::MsgStorageApply,
        to: LOCAL_APPLY_THREAD,
        from: r.id,
        term: 0,
        entries: ents.to_vec(),
        responses: vec![new_storage_apply_resp_msg(r, ents)].into(),
        ..Default::default()
    }
}

/// The acknowledgement that the committed entries (and all handed out before) were applied.
pub(super) fn new_storage_apply_resp_msg<S: Storage>(r: &Raft<S>, ents: &[Entry]) -> Message {
    Message {
        msg_type: MessageType::MsgStorageApplyResp,
        to: r.id,
        from: LOCAL_APPLY_THREAD,
        term: 0,
        entries: ents.to_vec(),
        ..Default::default()
    }
}

/// What a `MsgStorageApplyResp` tells the node, for synchronous writes: `advance` hands it
/// over directly (`Raft::storage_apply_resp`) instead of stepping a message that would carry a
/// copy of every committed entry only to have their sizes summed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ApplyAck {
    /// The last applied index.
    pub index: u64,
    /// The entries' encoded size (`ents_size`).
    pub size: u64,
    /// Their payload size (`payloads_size`).
    pub payload_size: u64,
}
