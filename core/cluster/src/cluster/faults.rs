//! Faults: crash, restart, wipe, pause, partitions, links and disks.

use std::fmt::Write as _;

use crate::command::{DiskFault, LinkChange, LinkTarget};
use crate::event::{section, EventKind, Explanation};
use crate::network::{LinkConfig, NodeId};

use super::text::ids_text;
use super::{Cluster, CmdResult};

impl Cluster {
    // ---- faults ----------------------------------------------------------------------------

    pub(super) fn crash_node(&mut self, id: NodeId) -> CmdResult {
        let node = self.up_node(id)?;
        let (appends, applies) = (node.workers.append.len(), node.workers.apply.len());
        let report = node.crash();
        let lost = self.network.drop_involving(id);
        self.clients_notice_down(id);
        let mut text = format!("{id} crashes: its memory is gone");
        if report.lost_writes > 0 {
            let _ = write!(text, ", {} unsynced write(s) are lost", report.lost_writes);
        }
        if appends + applies > 0 {
            // Its storage threads die with it: an append not yet written was never durable
            // and its acknowledgements never went out; an apply is redone after the restart.
            let _ = write!(
                text,
                ", its append thread loses {appends} MsgStorageAppend(s) not yet written and its apply thread {applies} MsgStorageApply(s)"
            );
        }
        if !lost.is_empty() {
            let _ = write!(text, ", {} message(s) to or from it are lost", lost.len());
        }
        if let Some(bp) = &report.broken_promise {
            let _ = write!(text, "; the disk had lied: {bp}");
        }
        text.push_str("; its disk keeps what was synced");
        self.emit(
            EventKind::Crash,
            Some(id),
            Explanation::new(text, Some(section::CRASHES)),
        );
        Ok(())
    }

    /// The core stopped node `id` (etcd panics): the node is down; the checker is told.
    pub(super) fn core_died(&mut self, id: NodeId, why: &str, not_yet_down: bool) {
        if let Some(n) = self.nodes.get_mut(&id) {
            if not_yet_down || n.is_up() {
                n.die(why);
            }
        }
        self.network.drop_involving(id);
        self.clients_notice_down(id);
        let at = self.next_event();
        self.checker.observe_panic(id, why, at);
        let text = format!("{id} stops: etcd raft panics with \"{why}\"");
        self.emit(
            EventKind::Crash,
            Some(id),
            Explanation::new(text, Some(section::PERSISTENT_STATE)),
        );
    }

    pub(super) fn restart_node(&mut self, id: NodeId) -> CmdResult {
        if self.node_ref(id)?.is_up() {
            return Err(format!("node {id} is running (crash it first)").into());
        }
        if let Some(why) = self.removed_restart_refusal(id) {
            return Err(why.into());
        }
        self.start_node(id)?;
        let n = self.node_ref(id)?;
        let d = n.disk.durable().summary();
        let text = if n.disk.durable().is_empty() {
            format!("{id} restarts with an empty disk: it remembers no term, no vote and no log")
        } else {
            format!(
                "{id} restarts from its disk: term {}, vote {}, log up to {}/{} (snapshot at {}); the state machine replays from the snapshot",
                d.hard_state.term, d.hard_state.vote, d.last_term, d.last_index, d.snapshot_index
            )
        };
        self.emit(
            EventKind::Restart,
            Some(id),
            Explanation::new(text, Some(section::CRASHES)),
        );
        Ok(())
    }

    pub(super) fn wipe(&mut self, id: NodeId) -> CmdResult {
        let node = self.node_mut(id)?;
        let was_up = node.is_up();
        node.wipe();
        if was_up {
            self.network.drop_involving(id);
            self.clients_notice_down(id);
        }
        let text = format!(
            "{id}'s disk is wiped{}: when it restarts it will have forgotten its term, its vote and its log, which Raft's safety argument does not allow for",
            if was_up { " and it goes down" } else { "" }
        );
        self.emit(
            EventKind::Wipe,
            Some(id),
            Explanation::new(text, Some(section::PERSISTENT_STATE)),
        );
        Ok(())
    }

    pub(super) fn pause(&mut self, id: NodeId, paused: bool) -> CmdResult {
        let now = self.now;
        let node = self.node_mut(id)?;
        node.timer.set_paused(paused, now);
        let text = if paused {
            format!("{id}'s clock is paused: it no longer ticks (no elections, no heartbeats), but it still answers messages")
        } else {
            format!("{id}'s clock resumes")
        };
        self.emit(EventKind::Clock, Some(id), Explanation::new(text, None));
        Ok(())
    }

    pub(super) fn partition(&mut self, groups: &[Vec<NodeId>]) -> CmdResult {
        for &id in groups.iter().flatten() {
            self.node_ref(id)?;
        }
        let lost = self.network.partition(groups).map_err(|e| e.to_string())?;
        self.partition = groups.to_vec();
        let g: Vec<String> = groups
            .iter()
            .map(|g| format!("({})", ids_text(g)))
            .collect();
        let mut text = format!(
            "the network splits into {}: messages between groups are lost",
            g.join(" ")
        );
        if !lost.is_empty() {
            let _ = write!(text, " ({} in flight now)", lost.len());
        }
        self.emit(
            EventKind::Network,
            None,
            Explanation::new(text, Some(section::ELECTION)),
        );
        Ok(())
    }

    pub(super) fn cut(&mut self, t: LinkTarget) -> CmdResult {
        let (lost, text) = match t {
            LinkTarget::OneWay(a, b) => (
                self.network.cut_one_way(a, b).map_err(|e| e.to_string())?,
                format!("the link {a}->{b} is cut: {b} no longer hears from {a}, but {a} still hears from {b}"),
            ),
            LinkTarget::Both(a, b) => (
                self.network.cut(a, b).map_err(|e| e.to_string())?,
                format!("the link between {a} and {b} is cut both ways"),
            ),
            LinkTarget::All => return Err("cut *: use partition".into()),
        };
        let text = if lost.is_empty() {
            text
        } else {
            format!("{text} ({} message(s) in flight lost)", lost.len())
        };
        self.emit(EventKind::Network, None, Explanation::new(text, None));
        Ok(())
    }

    pub(super) fn heal(&mut self, t: Option<LinkTarget>) -> CmdResult {
        let text = match t {
            None | Some(LinkTarget::All) => {
                self.network.heal();
                self.partition.clear();
                "the network heals: every cut link works again".to_string()
            }
            Some(LinkTarget::Both(a, b)) | Some(LinkTarget::OneWay(a, b)) => {
                self.network.heal_link(a, b);
                format!("the link between {a} and {b} works again")
            }
        };
        self.emit(EventKind::Network, None, Explanation::new(text, None));
        Ok(())
    }

    pub(super) fn link(&mut self, t: LinkTarget, change: &LinkChange) -> CmdResult {
        let apply = |c: &LinkConfig| -> LinkConfig {
            if change.reset {
                return LinkConfig::default();
            }
            let mut c = c.clone();
            if let Some(d) = change.drop {
                c.drop_rate = d;
            }
            if let Some(l) = change.delay {
                c.latency = l;
            }
            if let Some(d) = change.duplicate {
                c.duplicate_rate = d;
            }
            if let Some(r) = change.reorder {
                c.reorder_rate = r;
            }
            c
        };
        let pairs: Vec<(NodeId, NodeId)> = match t {
            LinkTarget::OneWay(a, b) => vec![(a, b)],
            LinkTarget::Both(a, b) => vec![(a, b), (b, a)],
            LinkTarget::All => Vec::new(),
        };
        if pairs.is_empty() {
            let c = apply(self.network.default_link());
            self.network
                .set_default_link(c)
                .map_err(|e| e.to_string())?;
        }
        for (a, b) in pairs {
            if change.reset {
                self.network.reset_link(a, b);
            } else {
                let c = apply(self.network.link(a, b));
                self.network.set_link(a, b, c).map_err(|e| e.to_string())?;
            }
        }
        let desc = crate::command::Command::Link {
            target: t,
            change: change.clone(),
        }
        .to_string();
        let text = format!("links change: {}", desc.trim_start_matches("link "));
        self.emit(EventKind::Network, None, Explanation::new(text, None));
        Ok(())
    }

    pub(super) fn disk_fault(&mut self, id: NodeId, fault: DiskFault) -> CmdResult {
        let node = self.node_mut(id)?;
        let text = match fault {
            DiskFault::Lying => {
                node.disk.set_lying(true);
                format!("{id}'s disk starts lying about fsync: it will report writes durable without keeping them")
            }
            DiskFault::Slow(ms) => {
                node.disk.set_slow(ms);
                format!("{id}'s disk slows down: every fsync takes {ms}ms longer")
            }
            DiskFault::Ok => {
                node.disk.set_lying(false);
                node.disk.set_slow(0);
                format!("{id}'s disk is healthy again")
            }
        };
        self.emit(
            EventKind::Disk,
            Some(id),
            Explanation::new(text, Some(section::PERSISTENT_STATE)),
        );
        Ok(())
    }
}
