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

use raft::raftpb::{HardState, Message, MessageType};
use raft::rawnode::Ready;
use raft::state::ReadState;
use raft::storage::Storage;
use raft::util::{LOCAL_APPEND_THREAD, LOCAL_APPLY_THREAD};
use serde::{Deserialize, Serialize};

use crate::clock::Millis;

use super::{ApplyReport, Node, NodeError, PersistReport, SnapshotTaken};

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

    fn queue_mut(&mut self, w: Worker) -> &mut VecDeque<StorageWork> {
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
    fn push(&mut self, w: Worker, msg: Message, now: Millis, latency: Millis) {
        let q = self.queue_mut(w);
        let start = q.back().map_or(now, |last| last.due.max(now));
        q.push_back(StorageWork {
            msg,
            queued_at: now,
            due: start.saturating_add(latency),
        });
    }
}

/// What a Ready of a node with asynchronous storage writes became.
#[derive(Clone, Debug)]
pub struct Dispatched {
    /// The Ready as the core handed it out (storage messages included).
    pub ready: Ready,
    /// Its messages to peers, to send now.
    pub to_peers: Vec<Message>,
    /// ReadIndex answers the state machine has already reached: their reads may be served.
    pub reads: Vec<ReadState>,
}

/// What a storage thread did with the oldest message of its queue.
#[derive(Clone, Debug)]
pub struct WorkerDone {
    pub worker: Worker,
    /// The message it processed, without its responses (etcd's harness prints them apart).
    pub msg: Message,
    /// The responses to deliver now. Empty when the write failed: it did not happen.
    pub responses: Vec<Message>,
    /// The append thread's write and fsync.
    pub persist: Option<PersistReport>,
    /// What reached the state machine: the apply thread's entries, or the snapshot the append
    /// thread wrote (a snapshot is committed state; the state machine takes it as it lands).
    pub apply: ApplyReport,
}

impl Node {
    /// Whether the node writes asynchronously (etcd raft's `AsyncStorageWrites`).
    pub fn is_async(&self) -> bool {
        self.config.async_storage_writes
    }

    /// Takes a Ready and hands it out at once: its storage messages to the threads' queues, its
    /// other messages back to the caller to send. Nothing waits for an Advance.
    pub fn dispatch_ready(&mut self, now: Millis) -> Result<Dispatched, NodeError> {
        let id = self.id;
        if self.ready.is_some() {
            return Err(NodeError::ReadyInProgress(id));
        }
        let raw = self.raw.as_mut().ok_or(NodeError::Down(id))?;
        if !raw.has_ready() {
            return Err(NodeError::NoReady(id));
        }
        let rd = raw.ready();
        let append_latency = self.disk.latency();
        let mut to_peers = Vec::new();
        for m in &rd.messages {
            match (m.msg_type, m.to) {
                (MessageType::MsgStorageAppend, LOCAL_APPEND_THREAD) => {
                    self.workers
                        .push(Worker::Append, m.clone(), now, append_latency)
                }
                (MessageType::MsgStorageApply, LOCAL_APPLY_THREAD) => {
                    self.workers
                        .push(Worker::Apply, m.clone(), now, APPLY_LATENCY)
                }
                _ => to_peers.push(m.clone()),
            }
        }
        if self.config.snapshot_count > 0 {
            for m in to_peers
                .iter_mut()
                .filter(|m| m.msg_type == MessageType::MsgSnap)
            {
                if let Some(s) = self.merged_snapshot() {
                    m.snapshot = Some(s);
                }
            }
        }
        let reads = self.serve_reads(&rd.read_states);
        Ok(Dispatched {
            ready: rd,
            to_peers,
            reads,
        })
    }

    /// Lets a storage thread complete the oldest message of its queue. `None` when it has none.
    pub fn complete_work(&mut self, w: Worker) -> Result<Option<WorkerDone>, NodeError> {
        let id = self.id;
        if self.raw.is_none() {
            return Err(NodeError::Down(id));
        }
        let Some(work) = self.workers.queue_mut(w).pop_front() else {
            return Ok(None);
        };
        let mut msg = work.msg;
        let mut responses = std::mem::take(&mut msg.responses);
        let mut done = WorkerDone {
            worker: w,
            msg: msg.clone(),
            responses: Vec::new(),
            persist: None,
            apply: ApplyReport::default(),
        };
        match w {
            Worker::Append => {
                let report = self.write_append(&msg)?;
                if let Some(s) = msg.snapshot.as_ref().filter(|s| !s.is_empty()) {
                    self.restore_snapshot(s, &mut done.apply);
                }
                if !report.errors.is_empty() {
                    // The write did not happen: what vouches for it must not go out.
                    responses.clear();
                }
                done.persist = Some(report);
            }
            Worker::Apply => {
                self.apply_entries(&msg.entries, &mut done.apply)?;
                done.apply.reads = self.serve_reads(&[]);
            }
        }
        done.responses = responses;
        Ok(Some(done))
    }

    /// The append thread's write: snapshot, entries, HardState (which travels in the message's
    /// own term, vote and commit, all zero when unchanged), to the disk and to `MemoryStorage`,
    /// then the fsync.
    fn write_append(&mut self, msg: &Message) -> Result<PersistReport, NodeError> {
        let id = self.id;
        let mut report = PersistReport {
            hard_state: None,
            entries: None,
            snapshot: None,
            sync_due: None,
            sync: None,
            errors: Vec::new(),
        };
        let raw = self.raw.as_mut().ok_or(NodeError::Down(id))?;
        let mem = raw.store_mut();
        if let Some(snap) = msg.snapshot.as_ref().filter(|s| !s.is_empty()) {
            let (i, t) = (snap.metadata.index, snap.metadata.term);
            if let Err(e) = self.disk.apply_snapshot(snap.clone()) {
                report.errors.push(e.to_string());
            }
            if let Err(e) = mem.apply_snapshot(snap.clone()) {
                report.errors.push(e.to_string());
            }
            report.snapshot = Some((i, t));
        }
        if let (Some(first), Some(last)) = (msg.entries.first(), msg.entries.last()) {
            if let Err(e) = self.disk.append(&msg.entries) {
                report.errors.push(e.to_string());
            }
            if let Err(e) = mem.append(&msg.entries) {
                report.errors.push(e.to_string());
            }
            report.entries = Some((first.index, last.index));
        }
        let hs = HardState {
            term: msg.term,
            vote: msg.vote,
            commit: msg.commit,
        };
        if !hs.is_empty() {
            self.disk.set_hard_state(hs);
            mem.set_hard_state(hs);
            report.hard_state = Some(hs);
        }
        report.sync = Some(self.disk.sync());
        Ok(report)
    }

    /// After Raft heard that entries were applied (`MsgStorageApplyResp`): the snapshot work
    /// that follows an Advance on a node with synchronous writes. Only now, because Raft still
    /// reads the entries it has not been told were applied.
    pub fn storage_applied(&mut self) -> Option<SnapshotTaken> {
        let r = self.raw.as_ref()?;
        if !self.is_async() || r.raft.raft_log.applied < self.kv.applied() {
            return None;
        }
        // Storage must hold the applied index for a snapshot to be taken there.
        let last = r.store().last_index().ok()?;
        if self.kv.applied() > last {
            return None;
        }
        self.after_applied()
    }
}
