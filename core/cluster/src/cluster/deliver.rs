//! Messages: sending onto the network, delivering, dropping, holding, duplicating.

use raft::describe::describe_message;
use raft::logger::{Level, Logger};
use raft::raftpb::MessageType;

use crate::command::MessageAction;
use crate::event::{explain_delivery, message_phrase, section, EventKind, Explanation};
use crate::network::{is_node_local, InFlight, NodeId};
use crate::node::Worker;

use super::{Cluster, CmdResult};

impl Cluster {
    // ---- messages --------------------------------------------------------------------------

    /// etcd's `deliver-msgs` for one recipient: every message to it that is not held, in send
    /// order, whatever its arrival time (or dropped). Returns how many there were.
    pub(super) fn deliver_msgs(
        &mut self,
        to: NodeId,
        drop: bool,
        typ: Option<MessageType>,
    ) -> usize {
        let ids: Vec<u64> = self
            .network
            .in_flight()
            .filter(|m| !m.held && m.msg.to == to && typ.is_none_or(|t| m.msg.msg_type == t))
            // etcd's harness never drops what stays on a node (a storage thread's answers).
            .filter(|m| !(drop && is_node_local(&m.msg)))
            .map(|m| m.id)
            .collect();
        let mut n = 0;
        for mid in ids {
            if self.stopped() {
                break;
            }
            n += 1;
            if drop {
                if let Ok(f) = self.network.drop_message(mid) {
                    self.write(&format!("dropped: {}\n", describe_message(&f.msg, None)));
                    let text = format!("{} is dropped by hand", message_phrase(&f.msg));
                    self.emit(EventKind::Drop, Some(to), Explanation::new(text, None));
                }
                continue;
            }
            if let Ok(f) = self.network.deliver_now(mid) {
                self.write(&format!("{}\n", describe_message(&f.msg, None)));
                self.deliver(f);
            }
        }
        n
    }

    /// Steps a message into its recipient: one event.
    pub(super) fn deliver(&mut self, f: InFlight) {
        let m = f.msg;
        let to = m.to;
        let narrate = self.narrating();
        let phrase = if narrate {
            message_phrase(&m)
        } else {
            String::new()
        };
        if self.refuse_removed_sender(&m) {
            return;
        }
        let Some(node) = self.nodes.get_mut(&to) else {
            let text = format!("{phrase} is lost: there is no node {to}");
            self.emit(EventKind::Drop, Some(to), Explanation::new(text, None));
            return;
        };
        if !node.is_up() {
            let text = format!("{phrase} is lost: {to} is down");
            self.emit(
                EventKind::Drop,
                Some(to),
                Explanation::new(text, Some(section::CRASHES)),
            );
            return;
        }
        if let Some(why) = node.would_panic(&m) {
            // etcd logs the line at FATAL and exits; the core would too, checked beforehand.
            self.sink.log(Level::Fatal, format_args!("{why}"));
            self.core_died(to, &why, true);
            return;
        }
        let msg_type = m.msg_type;
        if !narrate {
            let res = node.step(m);
            if let Ok(Err(err)) | Err(err) = res.map_err(|e| raft::Error::Misuse(e.to_string())) {
                self.write(&format!("{err}\n"));
            }
            self.emit(EventKind::Deliver, Some(to), Explanation::quiet());
            self.after_storage_response(to, msg_type);
            return;
        }
        let storage_text = self.explain_storage_response(&m);
        let Some(node) = self.nodes.get_mut(&to) else {
            return;
        };
        let before = node.brief();
        let lens = node.outgoing_lens();
        let res = match node.step(m.clone()) {
            Ok(r) => r,
            Err(e) => Err(raft::Error::Misuse(e.to_string())),
        };
        let node = &self.nodes[&to];
        let out = node.outgoing_since(lens);
        let mut e = match (storage_text, before, node.brief()) {
            (Some(e), _, _) => e,
            (None, Some(b), Some(a)) => explain_delivery(&m, &b, &a, &out),
            _ => Explanation::new(format!("{to} handles {phrase}"), None),
        };
        if let Err(err) = res {
            // etcd's harness prints the error after the message.
            self.write(&format!("{err}\n"));
            e = Explanation::new(format!("{to} refuses {phrase}: {err}"), None);
        }
        self.emit(EventKind::Deliver, Some(to), e);
        self.after_storage_response(to, msg_type);
    }

    pub(super) fn message_action(&mut self, action: MessageAction, mid: u64) -> CmdResult {
        self.refuse_local_meddling(action, mid)?;
        let phrase = self
            .network
            .get(mid)
            .map(|f| message_phrase(&f.msg))
            .ok_or_else(|| format!("no message #{mid} in flight"))?;
        let to = self.network.get(mid).map(|f| f.msg.to);
        match action {
            MessageAction::Drop => {
                self.network.drop_message(mid).map_err(|e| e.to_string())?;
                self.emit(
                    EventKind::Drop,
                    to,
                    Explanation::new(format!("{phrase} (#{mid}) is dropped by hand"), None),
                );
            }
            MessageAction::Duplicate => {
                let copy = self.network.duplicate(mid).map_err(|e| e.to_string())?;
                self.emit(
                    EventKind::Network,
                    to,
                    Explanation::new(
                        format!("{phrase} (#{mid}) is duplicated as #{copy}: Raft must tolerate receiving it twice"),
                        Some(section::BASICS),
                    ),
                );
            }
            MessageAction::Deliver => {
                let f = self.network.deliver_now(mid).map_err(|e| e.to_string())?;
                self.write(&format!("{}\n", describe_message(&f.msg, None)));
                self.deliver(f);
            }
            MessageAction::Hold => {
                self.network.hold(mid).map_err(|e| e.to_string())?;
                self.emit(
                    EventKind::Network,
                    to,
                    Explanation::new(format!("{phrase} (#{mid}) is held back"), None),
                );
            }
            MessageAction::Release => {
                self.network.release(mid).map_err(|e| e.to_string())?;
                self.emit(
                    EventKind::Network,
                    to,
                    Explanation::new(format!("{phrase} (#{mid}) is released"), None),
                );
            }
        }
        Ok(())
    }

    /// A message that stays on its node (a storage thread's answer) is no network's to lose,
    /// hold or copy, and is delivered in order: Raft takes an older acknowledgement after a
    /// newer one for a broken promise (etcd panics on an applied index going back).
    fn refuse_local_meddling(&self, action: MessageAction, mid: u64) -> CmdResult {
        let Some(f) = self.network.get(mid).filter(|f| is_node_local(&f.msg)) else {
            return Ok(());
        };
        let earlier = self
            .network
            .in_flight()
            .any(|o| o.id < mid && o.msg.to == f.msg.to && is_node_local(&o.msg));
        if action == MessageAction::Deliver && !earlier {
            return Ok(());
        }
        let why = if action == MessageAction::Deliver {
            "an earlier one to the same node is still in flight, and they are delivered in order"
        } else {
            "it never leaves its node, so no network can lose, hold or copy it"
        };
        Err(format!("message #{mid} ({}): {why}", message_phrase(&f.msg)).into())
    }

    /// etcd's `stabilize`: Readys and deliveries among the nodes until nothing is left.
    pub(super) fn stabilize(&mut self, ids: &[NodeId]) -> CmdResult {
        let ids: Vec<NodeId> = if ids.is_empty() {
            self.nodes.keys().copied().collect()
        } else {
            ids.to_vec()
        };
        for &id in &ids {
            self.node_ref(id)?;
        }
        for _round in 0..100_000 {
            let mut done = true;
            for &id in &ids {
                if self.stopped() {
                    return Ok(());
                }
                let n = &self.nodes[&id];
                if n.is_up() && (n.ready.is_some() || n.has_ready()) {
                    self.write(&format!("> {id} handling Ready\n"));
                    let out = self.out();
                    out.with_indent(|| self.process_ready(id))?;
                    done = false;
                }
            }
            for &id in &ids {
                if self.stopped() {
                    return Ok(());
                }
                if self.network.in_flight().any(|m| !m.held && m.msg.to == id) {
                    self.write(&format!("> {id} receiving messages\n"));
                    let out = self.out();
                    out.with_indent(|| self.deliver_msgs(id, false, None));
                    done = false;
                }
            }
            // A thread's whole queue is worked off in one go, as etcd's harness does.
            for w in [Worker::Append, Worker::Apply] {
                for &id in &ids {
                    if self.stopped() {
                        return Ok(());
                    }
                    if !self.nodes[&id].is_up() || self.nodes[&id].workers.queue(w).is_empty() {
                        continue;
                    }
                    self.write(&format!("> {id} processing {} thread\n", w.name()));
                    while self.nodes[&id].is_up() && !self.nodes[&id].workers.queue(w).is_empty() {
                        if self.stopped() {
                            return Ok(());
                        }
                        let out = self.out();
                        out.with_indent(|| self.complete_work(id, w, true))?;
                    }
                    done = false;
                }
            }
            if done {
                return Ok(());
            }
        }
        Err("stabilize: still busy after 100000 rounds".into())
    }
}
