//! The storage threads' side of an asynchronous node (see [`super::workers`] for the model):
//! handing a Ready's storage work to the queues, completing the oldest message of a queue, and
//! writing an append. Kept apart from the queues so that the node holds them without importing
//! the code that works them.

use raft::raftpb::{HardState, Message, MessageType};
use raft::state::ReadState;
use raft::storage::Storage;
use raft::util::{LOCAL_APPEND_THREAD, LOCAL_APPLY_THREAD};

use crate::clock::Millis;

use super::workers::{Worker, APPLY_LATENCY};
use super::{
    write_log, ApplyReport, Node, NodeError, PersistReport, ReadyInProgress, SnapshotTaken,
};

/// What a Ready of a node with asynchronous storage writes became. The Ready itself, storage
/// messages included, is the node's `last_ready`.
#[derive(Clone, Debug)]
pub struct Dispatched {
    /// The node led when it took the Ready.
    pub as_leader: bool,
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
        let (rd, as_leader) = self.accept_ready()?;
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
                    m.snapshot = Some(Box::new(s));
                }
            }
        }
        let reads = self.serve_reads(&rd.read_states);
        self.last_ready = Some(Box::new(ReadyInProgress::new(rd, as_leader, now)));
        Ok(Dispatched {
            as_leader,
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
        let mut responses = std::mem::take(&mut msg.responses).into_vec();
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
        let mut report = PersistReport::default();
        let raw = self.raw.as_mut().ok_or(NodeError::Down(id))?;
        let mem = raw.store_mut();
        let snapshot = msg.snapshot.as_deref().filter(|s| !s.is_empty());
        write_log(&mut self.disk, mem, snapshot, &msg.entries, &mut report);
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
