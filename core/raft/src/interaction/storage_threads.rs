//! A node's storage in an interaction session (etcd's `processAppend`, `processApply` and the
//! `process-append-thread` / `process-apply-thread` handlers).
//!
//! With synchronous storage writes, `process-ready` calls [`process_append`] and
//! [`process_apply`] directly. With asynchronous ones, a Ready only queues a node's
//! `MsgStorageAppend` and `MsgStorageApply` messages; each node then has an append thread and
//! an apply thread, simulated here as queues that the commands work off one message at a time,
//! so a transcript decides exactly when each write completes.

use crate::describe::describe_message;
use crate::error::{Error, Result};
use crate::raftpb::confchange::{
    conf_change_as_v2, unmarshal_conf_change, unmarshal_conf_change_v2,
};
use crate::raftpb::{Entry, EntryType, HardState, Message, Snapshot, SnapshotMetadata};

use super::env::{InteractionEnv, Node};

impl InteractionEnv {
    /// Lets node `idx`'s append thread process its oldest `MsgStorageAppend`: write what it
    /// carries, then queue its responses for delivery. Prints the message and the responses.
    pub fn process_append_thread(&mut self, idx: usize) -> Result<()> {
        let output = self.output.clone();
        let n = self.node_mut(idx)?;
        let Some((m, resps)) = take_work(&mut n.append_work) else {
            output.write_str("no append work to perform");
            return Ok(());
        };
        output.write_str(&format!("Processing:\n{}\n", describe_message(&m, None)));
        // The hard state travels in the message's fields; all zero means it did not change.
        let st = HardState {
            term: m.term,
            vote: m.vote,
            commit: m.commit,
        };
        let snap = m.snapshot.clone().unwrap_or_default();
        // On failure the responses are lost, as the write they vouch for did not happen.
        process_append(n, &st, &m.entries, &snap)?;
        self.queue_responses(resps);
        Ok(())
    }

    /// Lets node `idx`'s apply thread process its oldest `MsgStorageApply`: apply its entries,
    /// then queue its responses for delivery. Prints the message and the responses.
    pub fn process_apply_thread(&mut self, idx: usize) -> Result<()> {
        let output = self.output.clone();
        let n = self.node_mut(idx)?;
        let Some((m, resps)) = take_work(&mut n.apply_work) else {
            output.write_str("no apply work to perform");
            return Ok(());
        };
        output.write_str(&format!("Processing:\n{}\n", describe_message(&m, None)));
        process_apply(n, &m.entries)?;
        self.queue_responses(resps);
        Ok(())
    }

    /// Prints the responses a storage thread delivers once its work is done and puts them in
    /// flight; they reach their targets (the node itself or peers) like any other message.
    fn queue_responses(&mut self, resps: Vec<Message>) {
        self.output.write_str("Responses:\n");
        for r in &resps {
            self.output
                .write_str(&format!("{}\n", describe_message(r, None)));
        }
        self.messages.extend(resps);
    }
}

/// Removes the oldest message from a thread's queue and separates it from its responses, which
/// are printed on their own.
fn take_work(queue: &mut Vec<Message>) -> Option<(Message, Vec<Message>)> {
    if queue.is_empty() {
        return None;
    }
    let mut m = queue.remove(0);
    let resps = std::mem::take(&mut m.responses);
    Some((m, resps))
}

/// Persists what a Ready asks to persist (etcd's `processAppend`).
pub(super) fn process_append(
    n: &mut Node,
    st: &HardState,
    ents: &[Entry],
    snap: &Snapshot,
) -> Result<()> {
    let s = &mut n.storage_mut().mem;
    if !st.is_empty() {
        s.set_hard_state(*st);
    }
    if !snap.is_empty() {
        if !ents.is_empty() {
            return Err(Error::Misuse(
                "can't apply snapshot and entries at the same time".into(),
            ));
        }
        return s.apply_snapshot(snap.clone());
    }
    s.append(ents)
}

/// Applies committed entries to the node's "appender" state machine, recording each resulting
/// state as a snapshot, and conf changes to the node (etcd's `processApply`).
pub(super) fn process_apply(n: &mut Node, ents: &[Entry]) -> Result<()> {
    for ent in ents {
        let (update, cs) = match ent.entry_type {
            EntryType::EntryConfChange => {
                let cc = unmarshal_conf_change(&ent.data).map_err(Error::Misuse)?;
                let cs = n.raw_node.raft.apply_conf_change(&conf_change_as_v2(&cc))?;
                (cc.context, Some(cs))
            }
            EntryType::EntryConfChangeV2 => {
                let cc = unmarshal_conf_change_v2(&ent.data).map_err(Error::Misuse)?;
                let cs = n.raw_node.raft.apply_conf_change(&cc)?;
                (cc.context, Some(cs))
            }
            EntryType::EntryNormal => (ent.data.clone(), None),
        };
        let history = &mut n.storage_mut().history;
        let last = history.last().cloned().unwrap_or_default();
        let mut data = last.data;
        data.extend_from_slice(&update);
        history.push(Snapshot {
            data,
            metadata: SnapshotMetadata {
                conf_state: cs.unwrap_or(last.metadata.conf_state),
                index: ent.index,
                term: ent.term,
            },
        });
    }
    Ok(())
}
