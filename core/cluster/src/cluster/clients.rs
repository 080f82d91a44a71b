//! Clients: their requests, retries and answers.

use raft::state::NONE;

use crate::command::ClientVerb;
use crate::event::{section, EventKind, Explanation};
use crate::kv::{ApplyOutcome, ClientId, Command as KvCommand, Op, Reply, RequestId};
use crate::network::NodeId;
use crate::node::ApplyReport;

use super::state::{Client, PendingRequest};
use super::{Cluster, CmdResult};

impl Cluster {
    // ---- clients ---------------------------------------------------------------------------

    pub(super) fn client_op(
        &mut self,
        verb: ClientVerb,
        node: NodeId,
        key: &str,
        value: &str,
        client: Option<ClientId>,
    ) -> CmdResult {
        let op = match verb {
            ClientVerb::Put => Op::put(key, value),
            ClientVerb::Get => Op::get(key),
            ClientVerb::Delete => Op::delete(key),
        };
        op.validate().map_err(|e| e.to_string())?;
        self.node_ref(node)?;
        let cid = match client {
            Some(c) => {
                if c == 0 {
                    return Err("client ids start at 1".into());
                }
                if let Some(p) = self.clients.get(&c).and_then(|c| c.pending.as_ref()) {
                    return Err(
                        format!("client {c} is still waiting for #{} ({})", p.op_id, p.op).into(),
                    );
                }
                c
            }
            // The first idle client: sequential commands reuse client 1, concurrent ones
            // bring in more clients.
            None => (1..)
                .find(|c| self.clients.get(c).is_none_or(|c| c.pending.is_none()))
                .unwrap_or(1),
        };
        let client = self.clients.entry(cid).or_insert(Client {
            id: cid,
            next_seq: 1,
            pending: None,
        });
        let seq = client.next_seq;
        client.next_seq += 1;
        let op_id = self.history.invoke(cid, op.clone(), self.now);
        let request = RequestId { client: cid, seq };
        if let Some(c) = self.clients.get_mut(&cid) {
            c.pending = Some(PendingRequest {
                op_id,
                op: op.clone(),
                request,
                node,
                attempts: 0,
                accepted: false,
                in_flight: false,
                retry_at: None,
            });
        }
        let note = self.attempt(cid, node);
        let text =
            format!("client c{cid} invokes #{op_id} {op} (request {request}) at {node}: {note}");
        self.write(&format!("#{op_id} c{cid} {op}: {note}\n"));
        self.emit(
            EventKind::Client,
            Some(node),
            Explanation::new(text, Some(section::CLIENTS)),
        );
        Ok(())
    }

    /// One round of attempts, starting at `start` and going round the nodes until one accepts
    /// the request. Returns what happened, in words.
    pub(super) fn attempt(&mut self, cid: ClientId, start: NodeId) -> String {
        let Some(p) = self.clients.get(&cid).and_then(|c| c.pending.clone()) else {
            return String::new();
        };
        let ids: Vec<NodeId> = self.nodes.keys().copied().collect();
        let pos = ids.iter().position(|&i| i == start).unwrap_or(0);
        let order: Vec<NodeId> = ids[pos..].iter().chain(&ids[..pos]).copied().collect();
        let mut notes = Vec::new();
        let mut accepted_by = None;
        for id in order {
            let Some(node) = self.nodes.get_mut(&id) else {
                continue;
            };
            if !node.is_up() {
                notes.push(format!("{id} is down"));
                continue;
            }
            let res = if p.op.is_read() {
                // etcd raft drops a ReadIndex request silently when no leader is known; the
                // client sees that as a refusal.
                let known = node.raw().is_some_and(|r| r.raft.lead != NONE);
                if !known {
                    notes.push(format!("{id} knows no leader"));
                    continue;
                }
                let ctx = p.request.to_string().into_bytes();
                node.with_core(|r| {
                    r.read_index(ctx);
                    Ok(())
                })
            } else {
                let data = match KvCommand::new(p.op.clone(), Some(p.request)).encode() {
                    Ok(d) => d,
                    Err(e) => return e.to_string(),
                };
                node.with_core(|r| r.propose(data))
            };
            match res {
                Ok(Ok(())) => {
                    accepted_by = Some(id);
                    break;
                }
                Ok(Err(e)) => notes.push(format!("{id} refuses ({e})")),
                Err(_) => notes.push(format!("{id} failed")),
            }
        }
        let now = self.now;
        let cfg = self.client_config.clone();
        let Some(p) = self.clients.get_mut(&cid).and_then(|c| c.pending.as_mut()) else {
            return String::new();
        };
        p.attempts += 1;
        match accepted_by {
            Some(id) => {
                p.node = id;
                p.accepted = true;
                p.in_flight = true;
                p.retry_at = Some(now + cfg.timeout);
                notes.push(format!("{id} takes it"));
            }
            None => {
                p.node = start;
                p.in_flight = false;
                p.retry_at = Some(now + cfg.backoff);
                notes.push(format!("nobody takes it; retrying in {}ms", cfg.backoff));
            }
        }
        notes.join(", ")
    }

    /// A client's timer fired: it retries elsewhere, or gives up.
    pub(super) fn client_timer(&mut self, cid: ClientId) {
        let Some(p) = self.clients.get_mut(&cid).and_then(|c| c.pending.as_mut()) else {
            return;
        };
        p.retry_at = None;
        let p = p.clone();
        let now = self.now;
        if p.attempts >= self.client_config.max_attempts {
            // The operation is pending, so the history accepts either ending.
            let outcome = if p.accepted && !p.op.is_read() {
                self.history.give_up(p.op_id, now, "timed out").ok();
                "its outcome is unknown"
            } else {
                self.history.fail(p.op_id, now, "no node took it").ok();
                "it certainly did not take effect"
            };
            if let Some(c) = self.clients.get_mut(&cid) {
                c.pending = None;
            }
            let at = self.next_event();
            self.checker
                .check_linearizability(&self.history, p.op.key(), at);
            let text = format!(
                "client c{cid} gives up on #{} {} after {} attempts: {outcome}",
                p.op_id, p.op, p.attempts
            );
            self.emit(
                EventKind::Client,
                Some(p.node),
                Explanation::new(text, Some(section::CLIENTS)),
            );
            return;
        }
        // After a timeout, the node we waited on is suspect: try the next one.
        let ids: Vec<NodeId> = self.nodes.keys().copied().collect();
        let next = if p.in_flight {
            ids.iter()
                .copied()
                .find(|&i| i > p.node)
                .or_else(|| ids.first().copied())
                .unwrap_or(p.node)
        } else {
            p.node
        };
        let why = if p.in_flight {
            format!("no answer from {}", p.node)
        } else {
            "nobody took it".to_string()
        };
        let note = self.attempt(cid, next);
        let text = format!(
            "client c{cid} retries #{} {} ({why}): {note}",
            p.op_id, p.op
        );
        self.emit(
            EventKind::Client,
            Some(next),
            Explanation::new(text, Some(section::CLIENTS)),
        );
    }

    /// Clients waiting on a node that went down notice at once (the connection breaks).
    pub(super) fn clients_notice_down(&mut self, id: NodeId) {
        let now = self.now;
        for c in self.clients.values_mut() {
            if let Some(p) = c.pending.as_mut().filter(|p| p.node == id && p.in_flight) {
                p.retry_at = Some(now);
            }
        }
    }

    /// Answers the clients waiting on node `id` for what it just applied or may now read.
    /// Returns the answers in words and the keys whose history changed.
    pub(super) fn answer_clients(
        &mut self,
        id: NodeId,
        report: &ApplyReport,
    ) -> (Vec<String>, Vec<String>) {
        let now = self.now;
        let mut answers = Vec::new();
        let mut keys = Vec::new();
        for (_, outcome) in &report.entries {
            let (cmd, reply) = match outcome {
                ApplyOutcome::Applied { command, reply } => (command, Some(reply.clone())),
                ApplyOutcome::Duplicate { command, reply } => (command, reply.clone()),
                _ => continue,
            };
            let (Some(req), Some(reply)) = (cmd.request, reply) else {
                continue;
            };
            let Some(c) = self.clients.get_mut(&req.client) else {
                continue;
            };
            let Some(p) = c
                .pending
                .as_ref()
                .filter(|p| p.request == req && p.node == id)
            else {
                continue;
            };
            let (op_id, key) = (p.op_id, p.op.key().to_string());
            if self.history.complete(op_id, now, reply.clone()).is_ok() {
                c.pending = None;
                answers.push(format!("answers c{} #{op_id}: {reply}", req.client));
                keys.push(key);
            }
        }
        for rs in &report.reads {
            let Ok(text) = std::str::from_utf8(&rs.request_ctx) else {
                continue;
            };
            let Ok(req) = text.parse::<RequestId>() else {
                continue;
            };
            let value = self.nodes.get(&id).and_then(|n| {
                let c = self.clients.get(&req.client)?;
                let p = c
                    .pending
                    .as_ref()
                    .filter(|p| p.request == req && p.node == id)?;
                Some(n.kv.get(p.op.key()).map(str::to_string))
            });
            let Some(value) = value else { continue };
            let Some(c) = self.clients.get_mut(&req.client) else {
                continue;
            };
            let Some(p) = c.pending.as_ref() else {
                continue;
            };
            let (op_id, key) = (p.op_id, p.op.key().to_string());
            let reply = Reply::Value(value);
            if self.history.complete(op_id, now, reply.clone()).is_ok() {
                c.pending = None;
                answers.push(format!(
                    "reads for c{} #{op_id} at index {}: {reply}",
                    req.client, rs.index
                ));
                keys.push(key);
            }
        }
        (answers, keys)
    }
}
