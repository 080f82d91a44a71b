//! `Ready`, the batch of work a `RawNode` hands to the application, and `must_sync`, which
//! tells how carefully its writes must be done.

use serde::{Deserialize, Serialize};

use crate::raftpb::{Entry, HardState, Message, Snapshot};
use crate::state::{ReadState, SoftState};

/// What the application must do next. Fields that did not change since the previous `Ready`
/// are empty (`soft_state` None, `hard_state` default, `snapshot` at index 0).
///
/// With asynchronous storage writes, `hard_state`, `entries`, `snapshot` and
/// `committed_entries` are for information only: the same work is in the `MsgStorageAppend`
/// and `MsgStorageApply` among `messages`, and that is what the storage threads act on.
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
    /// Messages to send once entries, hard state and snapshot are persisted. With
    /// asynchronous storage writes they may be sent right away: those that must wait for
    /// durability travel as responses inside the `MsgStorageAppend`, and the messages to the
    /// local threads (`LOCAL_APPEND_THREAD`, `LOCAL_APPLY_THREAD`) come last.
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
