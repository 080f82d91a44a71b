//! The storage threads of nodes with asynchronous storage writes in an interaction session
//! (etcd's `process-append-thread` / `process-apply-thread` handlers).
//!
//! With synchronous storage writes, `process-ready` persists and applies a Ready itself. With
//! asynchronous ones, a Ready only queues a node's `MsgStorageAppend` and `MsgStorageApply`
//! messages; each node then has an append thread and an apply thread, simulated here as
//! queues that the commands work off one message at a time, so a transcript decides exactly
//! when each write completes. The writes themselves are the ones `process-ready` does.

use crate::describe::describe_message;
use crate::error::Result;
use crate::raftpb::{HardState, Message};

use super::env::{process_append, process_apply, InteractionEnv};

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
    Some((m, resps.into_vec()))
}
