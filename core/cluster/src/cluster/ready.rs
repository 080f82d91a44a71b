//! The Ready pipeline: taking a Ready, persisting, sending, applying and Advance, by the
//! node's policy or step by step by hand.

use std::fmt::Write as _;

use raft::describe::{describe_hard_state, describe_ready};
use raft::raftpb::{Entry, Message};
use raft::state::StateType;

use crate::event::{entries_phrase, message_phrase, section, EventKind, Explanation};
use crate::network::{DropReason, NodeId};
use crate::node::{ApplyReport, Node, ReadyStep, SnapshotTaken};

use super::text::{describe_apply, policy_long_name, ready_state_phrases};
use super::{Cluster, CmdResult, Failure};

/// What the bookkeeping after an apply needs to know of the moment before it.
pub(super) struct ApplyContext<'a> {
    /// The entries handed to the state machine (some may have been skipped as applied).
    pub committed: &'a [Entry],
    pub was_member: bool,
    pub was_leader: bool,
    /// The event the apply is.
    pub at: u64,
}

impl Cluster {
    // ---- Readys ----------------------------------------------------------------------------

    /// etcd's `process-ready`: takes a Ready (or finishes the one in progress), prints it, and
    /// handles it completely by the node's policy, syncing at once.
    pub(super) fn process_ready(&mut self, id: NodeId) -> CmdResult {
        let node = self.up_node(id)?;
        if node.ready.is_none() {
            if !node.has_ready() {
                self.write("<empty Ready>");
                return Ok(());
            }
            if node.is_async() {
                // Handed out whole: the storage work waits in the threads' queues.
                let text = self.dispatch_ready(id)?;
                self.write(&text);
                return Ok(());
            }
            self.take_ready(id)?;
        }
        self.write_ready_in_progress(id)?;
        self.finish_ready(id, true)
    }

    /// Prints the Ready node `id` has taken, as etcd's harness does.
    fn write_ready_in_progress(&mut self, id: NodeId) -> CmdResult {
        let text = self
            .node_ref(id)?
            .ready
            .as_ref()
            .map(|r| describe_ready(&r.ready, None))
            .unwrap_or_default();
        self.write(&text);
        Ok(())
    }

    /// Takes a Ready: one event.
    pub(super) fn take_ready(&mut self, id: NodeId) -> CmdResult {
        let at = self.next_event();
        let now = self.now;
        let node = self.up_node(id)?;
        if node.is_async() {
            return self.dispatch_ready(id).map(|_| ());
        }
        let as_leader = node.take_ready(now)?.as_leader;
        // The entries enter the node's log now: the checker compares them with every other log.
        if let Some(node) = self.nodes.get(&id) {
            let entries = node
                .ready
                .as_ref()
                .map_or(&[][..], |r| &r.ready.entries[..]);
            if let Some(first) = entries.first() {
                let prev = node
                    .raw()
                    .map(|r| {
                        r.raft
                            .raft_log
                            .term(first.index.saturating_sub(1))
                            .unwrap_or(0)
                    })
                    .unwrap_or(0);
                self.checker.observe_entries(id, prev, entries, at);
            }
        }
        if !self.narrating() {
            self.emit(EventKind::Ready, Some(id), Explanation::quiet());
            return Ok(());
        }
        let rd = self
            .node_ref(id)?
            .ready
            .as_ref()
            .map(|r| r.ready.clone())
            .unwrap_or_default();
        let mut parts = ready_state_phrases(&rd);
        if let (Some(f), Some(l)) = (rd.entries.first(), rd.entries.last()) {
            parts.push(format!("{} to persist", entries_phrase(f.index, l.index)));
        }
        if !rd.snapshot.is_empty() {
            parts.push(format!(
                "a snapshot at index {}",
                rd.snapshot.metadata.index
            ));
        }
        if let (Some(f), Some(l)) = (rd.committed_entries.first(), rd.committed_entries.last()) {
            parts.push(format!("{} to apply", entries_phrase(f.index, l.index)));
        }
        if !rd.messages.is_empty() {
            parts.push(format!("{} message(s) to send", rd.messages.len()));
        }
        if !rd.read_states.is_empty() {
            parts.push(format!("{} read(s) to serve", rd.read_states.len()));
        }
        let policy = self.node_ref(id)?.config.policy;
        // Only the steps with something to do, in the policy's order.
        let rip = self.node_ref(id)?.ready.clone();
        let order: Vec<&str> = policy
            .order(as_leader)
            .into_iter()
            .filter(|s| *s == ReadyStep::Advance || rip.as_ref().is_some_and(|r| !r.done(*s)))
            .map(|s| s.name())
            .collect();
        let text = format!(
            "{id} takes a Ready: {}; it will {}",
            if parts.is_empty() {
                "nothing new".to_string()
            } else {
                parts.join(", ")
            },
            order.join(", ")
        );
        self.emit(EventKind::Ready, Some(id), Explanation::new(text, None));
        Ok(())
    }

    /// Runs the remaining steps of a node's Ready in policy order, each one event, until it
    /// advanced (or has to wait for its fsync, unless `sync_now`).
    pub(super) fn finish_ready(&mut self, id: NodeId, sync_now: bool) -> CmdResult {
        loop {
            if self.stopped() {
                return Ok(());
            }
            let Some(node) = self.nodes.get(&id) else {
                return Ok(());
            };
            let Some(rip) = node.ready.as_ref().filter(|_| node.is_up()) else {
                return Ok(());
            };
            let step = rip.next_step(node.config.policy);
            if step == ReadyStep::Persist && rip.written && !rip.synced {
                if !sync_now {
                    return Ok(());
                }
                self.complete_sync(id)?;
                continue;
            }
            self.ready_step(id, step, sync_now)?;
            if step == ReadyStep::Advance {
                return Ok(());
            }
        }
    }

    /// One step of a Ready: one event. Returns the explanation (manual steps print it).
    pub(super) fn ready_step(
        &mut self,
        id: NodeId,
        step: ReadyStep,
        sync_now: bool,
    ) -> Result<String, Failure> {
        let now = self.now;
        let at = self.next_event();
        // A snapshot the node took after its Advance: an event of its own, after the Advance.
        let mut taken = None;
        let narrate = self.narrating();
        let (e, kind) = match step {
            ReadyStep::Persist => {
                let node = self.up_node(id)?;
                let r = node.persist(now, sync_now)?;
                if !narrate {
                    self.emit(EventKind::Persist, Some(id), Explanation::quiet());
                    return Ok(String::new());
                }
                // Named after the three stores a Raft server's disk holds (hashicorp/raft's
                // SnapshotStore, LogStore and StableStore), so the split is visible as it
                // happens; the fourth part, the FSM, is fed by the apply step.
                let mut parts = Vec::new();
                if let Some((i, t)) = r.snapshot {
                    parts.push(format!(
                        "the snapshot at index {i} (term {t}) to its snapshot store"
                    ));
                }
                if let Some((f, l)) = r.entries {
                    parts.push(format!("{} to its log store", entries_phrase(f, l)));
                }
                if let Some(hs) = r.hard_state {
                    parts.push(format!(
                        "HardState {} to its stable store",
                        describe_hard_state(&hs)
                    ));
                }
                let mut text = format!("{id} writes {}", parts.join(" and "));
                match (&r.sync, r.sync_due) {
                    (Some(s), _) if s.lied => {
                        text.push_str(" and fsyncs, but the disk lies: it reports success and keeps nothing durable")
                    }
                    (Some(_), _) => text.push_str(" and fsyncs it"),
                    (None, Some(due)) => {
                        let _ = write!(text, "; the fsync completes at {due}ms");
                    }
                    (None, None) => {}
                }
                for err in &r.errors {
                    let _ = write!(text, " (error: {err})");
                }
                (
                    Explanation::new(text, Some(section::PERSISTENT_STATE)),
                    EventKind::Persist,
                )
            }
            ReadyStep::Send => {
                let node = self.up_node(id)?;
                let durable = node
                    .ready
                    .as_ref()
                    .is_some_and(|r| r.done(ReadyStep::Persist));
                let as_leader = node.ready.as_ref().is_some_and(|r| r.as_leader);
                let msgs = node.take_messages()?;
                if !narrate {
                    for m in msgs {
                        self.send_one(m);
                    }
                    self.emit(EventKind::Send, Some(id), Explanation::quiet());
                    return Ok(String::new());
                }
                let mut phrases = Vec::new();
                for m in msgs {
                    let phrase = message_phrase(&m);
                    let fate = self.send_one(m);
                    phrases.push(format!("{phrase}{fate}"));
                }
                let mut text = format!("{id} sends {}", phrases.join(", "));
                let mut sec = Some(section::REPLICATION);
                if !durable {
                    if as_leader {
                        text.push_str(
                            " before its own write is durable: a leader may write its disk while its followers write theirs",
                        );
                        sec = Some(section::PARALLEL_WRITE);
                    } else {
                        text.push_str(
                            " before its write is durable: if it crashes now it may forget what these messages promise",
                        );
                        sec = Some(section::PERSISTENT_STATE);
                    }
                }
                (Explanation::new(text, sec), EventKind::Send)
            }
            ReadyStep::Apply => {
                let node = self.up_node(id)?;
                let committed = node
                    .ready
                    .as_ref()
                    .map(|r| r.ready.committed_entries.clone())
                    .unwrap_or_default();
                let was_member = node
                    .raw()
                    .is_some_and(|r| r.raft.trk.progress.contains_key(&id));
                let was_leader = node.state() == Some(StateType::StateLeader);
                let report = node.apply()?;
                let cx = ApplyContext {
                    committed: &committed,
                    was_member,
                    was_leader,
                    at,
                };
                let (text, emitted) = self.record_apply(id, &report, &cx, |answers| {
                    if narrate {
                        describe_apply(id, &report, answers)
                    } else {
                        String::new()
                    }
                })?;
                if emitted {
                    return Ok(text);
                }
                (
                    Explanation::new(text, Some(section::REPLICATION)),
                    EventKind::Apply,
                )
            }
            ReadyStep::Advance => {
                let node = self.up_node(id)?;
                let count = node.config.snapshot_count;
                if let Some(t) = node.advance()? {
                    taken = Some((count, t));
                }
                let e = if narrate {
                    Explanation::new(
                        format!("{id} calls Advance: the Ready is handled, Raft may hand out the next one"),
                        None,
                    )
                } else {
                    Explanation::quiet()
                };
                (e, EventKind::Advance)
            }
        };
        let text = e.text.clone();
        self.emit(kind, Some(id), e);
        if let Some((count, t)) = taken {
            self.snapshot_taken(id, count, t);
        }
        Ok(text)
    }

    /// What follows the state machine's applying `report`: the checker sees the entries, the
    /// clients get their answers, and a configuration change takes effect. Returns the text
    /// of the apply event, and whether it was emitted here (before what a configuration change
    /// sets off, or the change stopped the core); if not, the caller emits it.
    pub(super) fn record_apply(
        &mut self,
        id: NodeId,
        report: &ApplyReport,
        cx: &ApplyContext<'_>,
        text: impl FnOnce(&[String]) -> String,
    ) -> Result<(String, bool), Failure> {
        let applied: Vec<Entry> = cx
            .committed
            .iter()
            .filter(|e| report.entries.iter().any(|(i, _)| *i == e.index))
            .cloned()
            .collect();
        self.checker.observe_applied(id, &applied, cx.at);
        let (answers, keys) = self.answer_clients(id, report);
        for k in keys {
            self.checker.check_linearizability(&self.history, &k, cx.at);
        }
        let text = text(&answers);
        if !report.conf_changes.is_empty() && self.nodes.get(&id).is_some_and(Node::is_up) {
            // The apply event first, then what the new configuration sets off.
            let e = Explanation::new(text.clone(), Some(section::MEMBERSHIP));
            self.emit(EventKind::Apply, Some(id), e);
            self.after_membership_applied(id, cx.was_member, cx.was_leader, report)?;
            return Ok((text, true));
        }
        if !self.nodes.get(&id).is_some_and(Node::is_up) {
            // Applying a configuration change stopped the core.
            let why = self
                .nodes
                .get(&id)
                .and_then(|n| n.panicked.clone())
                .unwrap_or_default();
            self.core_died(id, &why, false);
            return Ok((text, true));
        }
        Ok((text, false))
    }

    /// A snapshot a node took after applying: an event of its own.
    pub(super) fn snapshot_taken(&mut self, id: NodeId, count: u64, t: SnapshotTaken) {
        self.emit(
            EventKind::Disk,
            Some(id),
            Explanation::new(
                format!(
                    "{id} has applied {count} entries since its last snapshot: it snapshots its state machine at index {} and compacts its log, keeping entries from {} on for followers a little behind (etcd's --snapshot-count)",
                    t.index, t.first_index
                ),
                Some(section::COMPACTION),
            ),
        );
        self.forget_compacted();
    }

    /// Lets the checker forget the log indexes that every node holding data has compacted away,
    /// in memory and on its disk (so no crash brings them back): no log can hold them again,
    /// short of a lying disk. An empty node (new, or wiped) holds nothing and can only receive
    /// from the others, so it does not count.
    pub(super) fn forget_compacted(&mut self) {
        let floor = self
            .nodes
            .values()
            .filter(|n| !n.disk.durable().is_empty())
            .map(|n| {
                let on_disk = n.disk.durable().first_index();
                n.raw()
                    .map_or(on_disk, |r| on_disk.min(r.raft.raft_log.first_index()))
            })
            .min();
        if let Some(floor) = floor {
            self.checker.forget_below(floor);
        }
    }

    /// An fsync completes: one event.
    pub(super) fn complete_sync(&mut self, id: NodeId) -> CmdResult {
        let node = self.up_node(id)?;
        let r = node.complete_sync()?;
        if !self.narrating() {
            self.emit(EventKind::Sync, Some(id), Explanation::quiet());
            return Ok(());
        }
        let text = if r.lied {
            format!("{id}'s disk reports its fsync done, but it lied: none of the {} write(s) is durable", r.writes)
        } else {
            format!("{id}'s fsync completes: {} write(s) are durable", r.writes)
        };
        self.emit(
            EventKind::Sync,
            Some(id),
            Explanation::new(text, Some(section::PERSISTENT_STATE)),
        );
        Ok(())
    }

    /// Puts one message on the network; says what became of it (for explanations).
    pub(super) fn send_one(&mut self, m: Message) -> String {
        match self.network.send(m, self.now, &mut self.rng) {
            Ok(o) => match o.dropped {
                Some(DropReason::Cut) => " (lost: the link is cut)".to_string(),
                Some(DropReason::Random) => " (lost by the network)".to_string(),
                None if o.queued.len() > 1 => " (duplicated by the network)".to_string(),
                None => String::new(),
            },
            Err(e) => format!(" (not sent: {e})"),
        }
    }

    pub(super) fn take_ready_cmd(&mut self, id: NodeId) -> CmdResult {
        let node = self.up_node(id)?;
        if node.is_async() {
            return Err(format!(
                "node {id} writes asynchronously: it hands a Ready out whole (process-ready {id}), and its threads do the storage work (process-append-thread {id}, process-apply-thread {id})"
            )
            .into());
        }
        if node.ready.is_some() {
            return Err(crate::node::NodeError::ReadyInProgress(id).into());
        }
        self.take_ready(id)?;
        self.write_ready_in_progress(id)
    }

    /// `persist N`, `send N`, `apply N`, `advance N`: one step by hand (taking a Ready first if
    /// none is in progress).
    pub(super) fn manual_step(&mut self, id: NodeId, step: ReadyStep) -> CmdResult {
        let node = self.up_node(id)?;
        if node.is_async() {
            // The same refusal as take-ready's: there are no separate steps to take.
            return self.take_ready_cmd(id);
        }
        if node.ready.is_none() {
            self.take_ready_cmd(id)?;
            if self.stopped() {
                return Ok(());
            }
        }
        let rip = self
            .node_ref(id)?
            .ready
            .clone()
            .ok_or_else(|| format!("node {id} has no Ready"))?;
        match step {
            ReadyStep::Persist if rip.written && !rip.synced => {
                self.complete_sync(id)?;
                return Ok(());
            }
            ReadyStep::Advance => {}
            s if rip.done(s) => {
                return Err(
                    format!("node {id} has nothing (left) to {} in this Ready", s.name()).into(),
                );
            }
            _ => {}
        }
        let text = self.ready_step(id, step, true)?;
        self.write(&format!("{text}\n"));
        Ok(())
    }

    pub(super) fn set_manual(&mut self, id: NodeId, manual: bool) -> CmdResult {
        self.node_mut(id)?.manual = manual;
        let text = if manual {
            format!("{id}'s Readys are now handled by hand: persist, send, apply and advance are separate steps")
        } else {
            let p = self.node_ref(id)?.config.policy;
            format!(
                "{id}'s Readys are handled automatically again, like {}",
                policy_long_name(p)
            )
        };
        self.emit(EventKind::Mode, Some(id), Explanation::new(text, None));
        Ok(())
    }
}
