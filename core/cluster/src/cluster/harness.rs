//! etcd's interaction orders to one node: campaign, propose, tick, compact, transfer
//! leadership and the rest of the harness vocabulary, with etcd's output.

use std::fmt::Write as _;

use raft::describe::{describe_entries, describe_message};
use raft::raftpb::{ConfChange, ConfChangeV2, Message, MessageType};
use raft::storage::Storage;

use crate::event::{explain_tick, section, EventKind, Explanation};
use crate::network::NodeId;

use super::text::{describe_change, section_for_order};
use super::{Cluster, CmdResult, Failure};

impl Cluster {
    // ---- orders to one node ----------------------------------------------------------------

    /// Runs an order on a running node and records it as one event, explained by what changed.
    pub(super) fn order(
        &mut self,
        id: NodeId,
        what: &str,
        f: impl FnOnce(&mut raft::rawnode::RawNode<raft::storage::MemoryStorage>) -> Result<(), String>,
    ) -> CmdResult {
        let node = self.up_node(id)?;
        let before = node.brief();
        let lens = node.outgoing_lens();
        let res = node.with_core(f)?;
        let node = self.node_ref(id)?;
        let after = node.brief();
        let out = node.outgoing_since(lens);
        let mut text = format!("{id} {what}");
        if let (Some(b), Some(a)) = (before, after) {
            text.push_str(&describe_change(&b, &a, &out));
        }
        if let Err(e) = &res {
            let _ = write!(text, ": {e}");
        }
        let sec = section_for_order(what);
        self.emit(EventKind::Order, Some(id), Explanation::new(text, sec));
        res.map_err(Failure::Error)
    }

    pub(super) fn propose_conf_change(
        &mut self,
        id: NodeId,
        v1: bool,
        transition: raft::raftpb::ConfChangeTransition,
        changes: &str,
    ) -> CmdResult {
        let ccs = raft::raftpb::confchange::conf_changes_from_string(changes)?;
        let what = format!("is asked to propose a configuration change ({changes})");
        if v1 {
            if ccs.len() != 1
                || transition != raft::raftpb::ConfChangeTransition::ConfChangeTransitionAuto
            {
                return Err("v1 conf change can only have one operation and no transition".into());
            }
            let cc = ConfChange {
                change_type: ccs[0].change_type,
                node_id: ccs[0].node_id,
                ..Default::default()
            };
            self.order(id, &what, move |r| {
                r.propose_conf_change_v1(cc).map_err(|e| e.to_string())
            })
        } else {
            let cc = ConfChangeV2 {
                transition,
                changes: ccs,
                context: Vec::new(),
            };
            self.order(id, &what, move |r| {
                r.propose_conf_change(cc).map_err(|e| e.to_string())
            })
        }
    }

    pub(super) fn tick_node(&mut self, id: NodeId, n: usize) -> CmdResult {
        if !self.narrating() {
            self.up_node(id)?.tick(n)?;
            self.emit(EventKind::Tick, Some(id), Explanation::quiet());
            return Ok(());
        }
        let node = self.up_node(id)?;
        let before = node.brief();
        let lens = node.outgoing_lens();
        node.tick(n)?;
        let node = self.node_ref(id)?;
        let out = node.outgoing_since(lens);
        let e = match (before, node.brief()) {
            (Some(b), Some(a)) => explain_tick(&b, &a, &out, n),
            _ => Explanation::new(format!("{id} ticks"), None),
        };
        self.emit(EventKind::Tick, Some(id), e);
        Ok(())
    }

    pub(super) fn raft_log(&mut self, id: NodeId) -> CmdResult {
        let n = self.node_ref(id)?;
        let raw = n.raw().ok_or_else(|| format!("node {id} is down"))?;
        let s = raw.store();
        let (fi, li) = (
            s.first_index().map_err(|e| e.to_string())?,
            s.last_index().map_err(|e| e.to_string())?,
        );
        if li < fi {
            let text = format!("log is empty: first index={fi}, last index={li}");
            self.write(&text);
            return Ok(());
        }
        let ents = s.entries(fi, li + 1, u64::MAX).map_err(|e| e.to_string())?;
        let text = describe_entries(&ents, None);
        self.write(&text);
        Ok(())
    }

    pub(super) fn raft_state(&self) {
        let mut s = String::new();
        for (&id, n) in &self.nodes {
            match n.raw() {
                Some(raw) => {
                    let r = &raw.raft;
                    let voter = if r.trk.config.voters.ids().contains(&r.id) {
                        "(Voter)"
                    } else {
                        "(Non-Voter)"
                    };
                    let _ = writeln!(
                        s,
                        "{}: {} {} Term:{} Lead:{}",
                        r.id, r.state, voter, r.term, r.lead
                    );
                }
                None => {
                    let _ = writeln!(s, "{id}: down");
                }
            }
        }
        self.write(&s);
    }

    pub(super) fn compact(&mut self, id: NodeId, index: Option<u64>) -> CmdResult {
        let node = self.up_node(id)?;
        // Applied means applied on both sides: by the state machine, and acknowledged to Raft
        // by Advance (until then Raft still reads the entries, for pending conf changes when it
        // campaigns, and etcd raft panics if they are gone).
        let raft_applied = node.raw().map_or(0, |r| r.raft.raft_log.applied);
        let applied = node.kv.applied().min(raft_applied);
        let index = index.unwrap_or(applied);
        // etcd's server snapshots its state machine at the applied index and compacts below
        // it; compacting entries it has not applied would lose them.
        if index > applied {
            return Err(format!(
                "compact {id} {index}: node {id} has applied up to {applied} (and told Raft so with Advance), and an application compacts only entries it has applied"
            )
            .into());
        }
        let snap = {
            let raw = node.raw_mut()?;
            raw.store_mut().compact(index).map_err(|e| e.to_string())?;
            raw.store().snapshot().map_err(|e| e.to_string())?
        };
        // etcd saves the snapshot to its disk before it compacts the in-memory log, so that a
        // restart never finds a log starting after a hole.
        if snap.metadata.index > node.disk.written().snapshot.metadata.index {
            node.disk
                .apply_snapshot(snap.clone())
                .map_err(|e| e.to_string())?;
        }
        self.emit(
            EventKind::Disk,
            Some(id),
            Explanation::new(
                format!(
                    "{id} compacts its log: entries before {index} are gone, its snapshot at index {} stands in for them",
                    snap.metadata.index
                ),
                Some(section::COMPACTION),
            ),
        );
        self.raft_log(id)
    }

    pub(super) fn send_snapshot(&mut self, from: NodeId, to: NodeId) -> CmdResult {
        self.node_ref(to)?;
        let node = self.up_node(from)?;
        let raw = node.raw().ok_or_else(|| format!("node {from} is down"))?;
        let snap = raw.store().snapshot().map_err(|e| e.to_string())?;
        let msg = Message {
            msg_type: MessageType::MsgSnap,
            term: raw.raft.term,
            from,
            to,
            snapshot: Some(Box::new(snap.clone())),
            ..Default::default()
        };
        self.write(&describe_message(&msg, None));
        let fate = self.send_one(msg);
        self.emit(
            EventKind::Send,
            Some(from),
            Explanation::new(
                format!(
                    "{from} sends its snapshot at index {} to {to}{fate}",
                    snap.metadata.index
                ),
                Some(section::COMPACTION),
            ),
        );
        Ok(())
    }
}
