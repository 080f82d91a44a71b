//! etcd raft's asynchronous storage writes (`Config::async_storage_writes`) on one node.
//!
//! Such a node never calls Advance. A Ready is accepted when it is taken: its messages to peers
//! go out at once, and its storage work travels as two local messages, a `MsgStorageAppend`
//! to the node's append thread (entries, HardState, snapshot to write) and a
//! `MsgStorageApply` to its apply thread (committed entries to apply). Each carries the
//! responses the thread delivers once its work is done: the append's acknowledgements to
//! peers (a follower's `MsgAppResp`, a vote) and to the node itself (the leader's own
//! `MsgAppResp`, `MsgStorageAppendResp`), the apply's `MsgStorageApplyResp`. The threads are
//! simulated here as two first-in-first-out queues ([`StorageWorkers`]); the cluster completes
//! their oldest message when it falls due, or by hand (`process-append-thread`,
//! `process-apply-thread`, etcd's harness names).
//!
//! The append thread writes its message when it completes it, and fsyncs in the same step, so
//! a crash before that loses the whole write, exactly like an unsynced write (a crash loses
//! both queues; nothing they promised was ever acknowledged). A lying disk acknowledges the
//! fsync without making anything durable, and the responses go out all the same.

use std::collections::VecDeque;

use raft::raftpb::Message;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;

/// Time the apply thread takes for one `MsgStorageApply`: applying to an in-memory map is fast
/// next to an fsync, but it is not free, and it orders the apply after the Ready that asked.
pub const APPLY_LATENCY: Millis = 1;

/// One of a node's two storage threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Worker {
    /// Writes entries, HardState and snapshots, then fsyncs (`MsgStorageAppend`).
    Append,
    /// Applies committed entries to the state machine (`MsgStorageApply`).
    Apply,
}

impl Worker {
    /// The name etcd's harness uses (`process-append-thread`, "no append work to perform").
    pub fn name(self) -> &'static str {
        match self {
            Worker::Append => "append",
            Worker::Apply => "apply",
        }
    }
}

/// A storage message waiting in a thread's queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StorageWork {
    /// The `MsgStorageAppend` or `MsgStorageApply`, with the responses it carries.
    pub msg: Message,
    pub queued_at: Millis,
    /// When the thread completes it, if the cluster runs the node automatically: the thread
    /// works off its queue one message after the other, each taking the disk's fsync time
    /// (append) or [`APPLY_LATENCY`] (apply).
    pub due: Millis,
}

/// The two threads' queues, oldest message first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StorageWorkers {
    pub append: VecDeque<StorageWork>,
    pub apply: VecDeque<StorageWork>,
}

impl StorageWorkers {
    pub fn queue(&self, w: Worker) -> &VecDeque<StorageWork> {
        match w {
            Worker::Append => &self.append,
            Worker::Apply => &self.apply,
        }
    }

    pub(super) fn queue_mut(&mut self, w: Worker) -> &mut VecDeque<StorageWork> {
        match w {
            Worker::Append => &mut self.append,
            Worker::Apply => &mut self.apply,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.append.is_empty() && self.apply.is_empty()
    }

    /// The next completion: when, and which thread (the append thread first at a tie).
    pub fn next_due(&self) -> Option<(Millis, Worker)> {
        [Worker::Append, Worker::Apply]
            .into_iter()
            .filter_map(|w| self.queue(w).front().map(|x| (x.due, w)))
            .min()
    }

    /// Queues a message; it is due `latency` after the one before it completes (or after now).
    pub(super) fn push(&mut self, w: Worker, msg: Message, now: Millis, latency: Millis) {
        let q = self.queue_mut(w);
        let start = q.back().map_or(now, |last| last.due.max(now));
        q.push_back(StorageWork {
            msg,
            queued_at: now,
            due: start.saturating_add(latency),
        });
    }
}
