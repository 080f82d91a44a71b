//! Asynchronous storage writes (etcd raft's `AsyncStorageWrites`): handing out a node's Ready
//! at once, and its append and apply threads completing their work, automatically when due or
//! by hand (`process-append-thread`, `process-apply-thread`, with etcd's output).
//!
//! A thread's responses are put in flight like every other message, so that etcd's
//! `deliver-msgs` delivers them in send order among the rest. Those that stay on the node (to
//! itself, from its threads) arrive at once and no network fault touches them
//! ([`crate::network::Network::send_local`]); those to peers travel the links.

use std::fmt::Write as _;

use raft::describe::{describe_message, describe_ready};
use raft::raftpb::{Message, MessageType};
use raft::state::StateType;

use crate::event::{entries_phrase, message_phrase, section, EventKind, Explanation};
use crate::network::{is_node_local, NodeId};
use crate::node::storage_thread::WorkerDone;
use crate::node::{ApplyReport, Worker};

use super::ready::ApplyContext;
use super::text::{describe_apply, ready_state_phrases};
use super::{Cluster, CmdResult, Failure};

/// What a storage message asks of its thread, for sentences and the page: `entries 12..13,
/// HardState Term:1 Vote:1 Commit:11, the snapshot at index 20`.
pub fn storage_work_phrase(m: &Message) -> String {
    let mut parts = Vec::new();
    if let Some(s) = m.snapshot.as_ref().filter(|s| !s.is_empty()) {
        parts.push(format!("the snapshot at index {}", s.metadata.index));
    }
    if let (Some(f), Some(l)) = (m.entries.first(), m.entries.last()) {
        parts.push(entries_phrase(f.index, l.index));
    }
    if m.msg_type == MessageType::MsgStorageAppend && (m.term, m.vote, m.commit) != (0, 0, 0) {
        parts.push(format!(
            "HardState Term:{} Vote:{} Commit:{}",
            m.term, m.vote, m.commit
        ));
    }
    if parts.is_empty() {
        parts.push("nothing to write".into());
    }
    parts.join(", ")
}

impl Cluster {
    /// A Ready of a node with asynchronous storage writes: taken and handed out at once (one
    /// event), its messages to peers sent (one more), its storage work queued for the threads.
    /// Returns the Ready's text as etcd's harness prints it.
    pub(super) fn dispatch_ready(&mut self, id: NodeId) -> Result<String, Failure> {
        let at = self.next_event();
        let now = self.now;
        let d = self.up_node(id)?.dispatch_ready(now)?;
        let as_leader = d.as_leader;
        let Some(rd) = self.nodes[&id].last_ready.as_deref().map(|r| &r.ready) else {
            return Err(format!("node {id} kept no Ready").into());
        };
        let printed = describe_ready(rd, None);
        // The entries enter the node's (unstable) log now.
        if let (Some(first), Some(node)) = (rd.entries.first(), self.nodes.get(&id)) {
            let prev = node
                .raw()
                .and_then(|r| r.raft.raft_log.term(first.index.saturating_sub(1)).ok())
                .unwrap_or(0);
            self.checker.observe_entries(id, prev, &rd.entries, at);
        }
        let narrate = self.narrating();
        if narrate {
            let text = self.dispatch_text(id, rd, d.to_peers.len());
            let e = Explanation::new(text, Some(section::ASYNC_WRITES));
            self.emit(EventKind::Ready, Some(id), e);
        } else {
            self.emit(EventKind::Ready, Some(id), Explanation::quiet());
        }
        if !d.to_peers.is_empty() {
            let mut phrases = Vec::new();
            for m in d.to_peers {
                let phrase = if narrate {
                    message_phrase(&m)
                } else {
                    String::new()
                };
                let fate = self.send_one(m);
                phrases.push(format!("{phrase}{fate}"));
            }
            let e = if !narrate {
                Explanation::quiet()
            } else if as_leader {
                Explanation::new(
                    format!("{id} sends {} while its append thread writes the same entries: the leader's own acknowledgement comes back from that thread, and counts toward the quorum only then", phrases.join(", ")),
                    Some(section::PARALLEL_WRITE),
                )
            } else {
                Explanation::new(
                    format!("{id} sends {}: whatever promises durability waits in its append thread's queue instead", phrases.join(", ")),
                    Some(section::REPLICATION),
                )
            };
            self.emit(EventKind::Send, Some(id), e);
        }
        if !d.reads.is_empty() {
            // ReadIndex answers whose index the state machine has already reached.
            let report = ApplyReport {
                reads: d.reads,
                ..ApplyReport::default()
            };
            let (answers, _) = self.answer_clients(id, &report);
            let text = describe_apply(id, &report, &answers);
            let e = Explanation::new(text, Some(section::READ_INDEX));
            self.emit(EventKind::Apply, Some(id), e);
        }
        Ok(printed)
    }

    fn dispatch_text(&self, id: NodeId, rd: &raft::rawnode::Ready, to_peers: usize) -> String {
        let mut parts = ready_state_phrases(rd);
        if to_peers > 0 {
            parts.push(format!("{to_peers} message(s) for peers, sent now"));
        }
        for m in &rd.messages {
            match m.msg_type {
                MessageType::MsgStorageAppend => parts.push(format!(
                    "a MsgStorageAppend for its append thread ({}; {} response(s) wait for it)",
                    storage_work_phrase(m),
                    m.responses.len()
                )),
                MessageType::MsgStorageApply => parts.push(format!(
                    "a MsgStorageApply for its apply thread ({})",
                    storage_work_phrase(m)
                )),
                _ => {}
            }
        }
        if !rd.read_states.is_empty() {
            parts.push(format!("{} read(s) to serve", rd.read_states.len()));
        }
        format!(
            "{id} takes a Ready and hands it out whole, with no Advance: {}",
            if parts.is_empty() {
                "nothing new".to_string()
            } else {
                parts.join(", ")
            }
        )
    }

    /// etcd's `process-append-thread` / `process-apply-thread`: each node's thread completes the
    /// oldest message of its queue, with etcd's output.
    pub(super) fn storage_thread(&mut self, ids: &[NodeId], w: Worker) -> CmdResult {
        for &id in ids {
            self.node_ref(id)?;
        }
        for &id in ids {
            if ids.len() > 1 {
                self.write(&format!("> {id} processing {} thread\n", w.name()));
                let out = self.out();
                out.with_indent(|| self.complete_work(id, w, true))?;
            } else {
                self.complete_work(id, w, true)?;
            }
        }
        Ok(())
    }

    /// Node `id`'s thread `w` completes its oldest message (one event, or none if the queue
    /// is empty) and sends its responses. `print`: etcd's harness output. Returns whether
    /// there was work.
    pub(super) fn complete_work(
        &mut self,
        id: NodeId,
        w: Worker,
        print: bool,
    ) -> Result<bool, Failure> {
        let node = self.node_ref(id)?;
        let Some(head) = node
            .workers
            .queue(w)
            .front()
            .filter(|_| node.is_up())
            .map(|x| x.msg.clone())
        else {
            if print {
                self.write(&format!("no {} work to perform", w.name()));
            }
            return Ok(false);
        };
        if print {
            let shown = Message {
                responses: Default::default(),
                ..head
            };
            self.write(&format!(
                "Processing:\n{}\n",
                describe_message(&shown, None)
            ));
        }
        let at = self.next_event();
        let node = self.up_node(id)?;
        let was_member = node
            .raw()
            .is_some_and(|r| r.raft.trk.progress.contains_key(&id));
        let was_leader = node.state() == Some(StateType::StateLeader);
        let Some(done) = node.complete_work(w)? else {
            return Ok(false);
        };
        let narrate = self.narrating();
        match w {
            Worker::Append => {
                let e = if narrate {
                    Explanation::new(append_text(id, &done), Some(section::PERSISTENT_STATE))
                } else {
                    Explanation::quiet()
                };
                self.emit(EventKind::Persist, Some(id), e);
            }
            Worker::Apply => {
                let cx = ApplyContext {
                    committed: &done.msg.entries,
                    was_member,
                    was_leader,
                    at,
                };
                let (text, emitted) = self.record_apply(id, &done.apply, &cx, |answers| {
                    if narrate {
                        format!(
                            "{id}'s apply thread processes its MsgStorageApply: {}; it answers with MsgStorageApplyResp",
                            describe_apply(id, &done.apply, answers)
                        )
                    } else {
                        String::new()
                    }
                })?;
                if !emitted {
                    let e = Explanation::new(text, Some(section::ASYNC_WRITES));
                    self.emit(EventKind::Apply, Some(id), e);
                }
            }
        }
        if print {
            let mut s = String::from("Responses:\n");
            for r in &done.responses {
                let _ = writeln!(s, "{}", describe_message(r, None));
            }
            self.write(&s);
        }
        for r in done.responses {
            if is_node_local(&r) {
                // Cannot fail: the message was just checked to stay on the node.
                let _ = self.network.send_local(r, self.now);
            } else {
                self.send_one(r);
            }
        }
        Ok(true)
    }

    /// The explanation of a storage thread's answer stepped into its node, or `None` for other
    /// messages.
    pub(super) fn explain_storage_response(&self, m: &Message) -> Option<Explanation> {
        let to = m.to;
        let term = self
            .nodes
            .get(&to)
            .and_then(|n| n.raw())
            .map_or(0, |r| r.raft.term);
        let text = match m.msg_type {
            MessageType::MsgStorageAppendResp if m.term < term && m.index != 0 => format!(
                "{to} hears from its append thread that entries up to {}/{} are durable, but that acknowledgement is of term {} and entries may have been replaced since: the unstable log keeps them (etcd's newStorageAppendRespMsg)",
                m.log_term, m.index, m.term
            ),
            MessageType::MsgStorageAppendResp if m.index != 0 => format!(
                "{to} hears from its append thread that entries up to {}/{} are durable: they leave its unstable log, and may be applied once committed",
                m.log_term, m.index
            ),
            MessageType::MsgStorageAppendResp => {
                format!("{to} hears from its append thread that its write is durable")
            }
            MessageType::MsgStorageApplyResp => {
                let last = m.entries.last().map_or(0, |e| e.index);
                format!("{to} hears from its apply thread that entries up to {last} are applied")
            }
            MessageType::MsgAppResp | MessageType::MsgVoteResp | MessageType::MsgPreVoteResp
                if m.from == to =>
            {
                format!(
                    "{to} counts its own {} now that its append thread made what it vouches for durable",
                    m.msg_type
                )
            }
            _ => return None,
        };
        Some(Explanation::new(text, Some(section::ASYNC_WRITES)))
    }

    /// After a node stepped its apply thread's acknowledgement: Raft now knows what was applied,
    /// so the node may take a snapshot and compact, as a node with synchronous writes does after
    /// Advance.
    pub(super) fn after_storage_response(&mut self, to: NodeId, t: MessageType) {
        if t != MessageType::MsgStorageApplyResp {
            return;
        }
        let Some(node) = self.nodes.get_mut(&to) else {
            return;
        };
        let count = node.config.snapshot_count;
        if let Some(taken) = node.storage_applied() {
            self.snapshot_taken(to, count, taken);
        }
    }
}

fn append_text(id: NodeId, done: &WorkerDone) -> String {
    let mut text = format!(
        "{id}'s append thread processes its MsgStorageAppend: it writes {}",
        storage_work_phrase(&done.msg)
    );
    if let Some(r) = &done.persist {
        match &r.sync {
            Some(s) if s.lied => text.push_str(
                " and fsyncs, but the disk lies: it reports success and keeps nothing durable",
            ),
            Some(_) => text.push_str(" and fsyncs it"),
            None => {}
        }
        for err in &r.errors {
            let _ = write!(text, " (error: {err}; the write did not happen)");
        }
    }
    if let Some((i, _)) = done.apply.snapshot {
        let _ = write!(
            text,
            "; its state machine restores the snapshot at index {i}"
        );
    }
    if done.responses.is_empty() {
        text.push_str("; no response waited for it");
    } else {
        let rs: Vec<String> = done.responses.iter().map(message_phrase).collect();
        let _ = write!(
            text,
            "; now the responses that waited for this write go out: {}",
            rs.join(", ")
        );
    }
    text
}
