//! Creating nodes: `cluster N` and etcd's `add-nodes`.

use raft::raftpb::ConfState;
use raft::state::ReadOnlyOption;
use rand_core::RngCore;

use crate::command::{AddNodes, ClusterSetup};
use crate::event::{section, EventKind, Explanation};
use crate::network::{random_between, LinkConfig, NodeId};
use crate::node::{Node, NodeConfig};

use super::text::{describe_conf_state_short, ids_text};
use super::{Cluster, CmdResult, Failure};

impl Cluster {
    // ---- setup -----------------------------------------------------------------------------

    pub(super) fn start_node(&mut self, id: NodeId) -> Result<(), Failure> {
        let seed = self.rng.next_u64();
        let interval = self.node_ref(id)?.config.tick_interval.max(1);
        let phase = random_between(&mut self.rng, 0, interval - 1);
        let (now, logger) = (self.now, self.logger());
        self.node_mut(id)?.start(now, phase, seed, logger)?;
        Ok(())
    }

    pub(super) fn setup_cluster(&mut self, s: &ClusterSetup) -> CmdResult {
        if !self.nodes.is_empty() {
            return Err("the cluster already has nodes (add more with add-nodes)".into());
        }
        let cfg = NodeConfig {
            tick_interval: s.tick,
            election_tick: s.election,
            heartbeat_tick: s.heartbeat,
            pre_vote: s.pre_vote,
            check_quorum: s.check_quorum,
            read_only_option: if s.lease_reads {
                ReadOnlyOption::ReadOnlyLeaseBased
            } else {
                ReadOnlyOption::ReadOnlySafe
            },
            policy: s.policy,
            sync_latency: s.sync,
            step_down_on_removal: s.step_down_on_removal,
            snapshot_count: s.snapshot_count,
            snapshot_catch_up: s.catch_up_entries,
            max_inflight_msgs: s.inflight,
            max_size_per_msg: s.max_size_per_msg,
            ..NodeConfig::playground()
        };
        // Refuse a bad configuration before creating anything.
        cfg.raft_config(1, 0, 0, self.logger())
            .validate()
            .map_err(|e| e.to_string())?;
        self.network
            .set_default_link(LinkConfig {
                latency: s.latency,
                ..LinkConfig::default()
            })
            .map_err(|e| e.to_string())?;
        self.defaults = cfg.clone();
        let voters: Vec<NodeId> = (1..=s.nodes).collect();
        // Bootstrapped the way etcd recommends: a snapshot carrying the initial configuration,
        // here at index 1, so the first leader's entries start at 2.
        let snap = Node::bootstrap_snapshot(
            ConfState {
                voters: voters.clone(),
                ..Default::default()
            },
            1,
            Vec::new(),
        );
        // These nodes model etcd servers, membership rules included.
        self.membership.server_rules = true;
        self.observe_bootstrap(1, &snap.metadata.conf_state);
        for &id in &voters {
            let cfg = NodeConfig {
                async_storage_writes: s.async_nodes.contains(&id),
                ..cfg.clone()
            };
            let node = Node::new(id, cfg, Some(snap.clone()), self.now)?;
            self.nodes.insert(id, node);
            self.start_node(id)?;
        }
        let mut text = format!(
            "{} nodes start as followers of term 0, each knowing the configuration voters=({}) from its bootstrap snapshot",
            s.nodes,
            ids_text(&voters)
        );
        if !s.async_nodes.is_empty() {
            text.push_str(&format!(
                "; node(s) {} write asynchronously: a Ready goes out whole, and an append thread and an apply thread do its storage work",
                ids_text(&s.async_nodes)
            ));
        }
        self.emit(
            EventKind::Setup,
            None,
            Explanation::new(text, Some(section::BASICS)),
        );
        Ok(())
    }

    pub(super) fn add_nodes(&mut self, a: &AddNodes) -> CmdResult {
        let bootstrap = !a.voters.is_empty()
            || !a.learners.is_empty()
            || a.index.is_some()
            || a.content.is_some();
        let index = a.index.unwrap_or(0);
        if bootstrap && index <= 1 {
            // MemoryStorage keeps a placeholder entry at the snapshot's index; etcd's harness
            // refuses index 1 for that reason, and so does this command (it follows etcd's).
            return Err("index must be specified as > 1 due to bootstrap".into());
        }
        let mut cfg = NodeConfig::etcd_harness();
        if let Some(i) = a.inflight {
            cfg.max_inflight_msgs = i;
        }
        cfg.pre_vote = a.pre_vote.unwrap_or(false);
        cfg.check_quorum = a.check_quorum.unwrap_or(false);
        if let Some(m) = a.max_committed_size_per_ready {
            cfg.max_committed_size_per_ready = m;
        }
        cfg.disable_conf_change_validation = a.disable_conf_change_validation.unwrap_or(false);
        if a.lease_reads == Some(true) {
            cfg.read_only_option = ReadOnlyOption::ReadOnlyLeaseBased;
        }
        cfg.step_down_on_removal = a.step_down_on_removal.unwrap_or(false);
        cfg.async_storage_writes = a.async_storage_writes.unwrap_or(false);
        let snap = bootstrap.then(|| {
            let cs = ConfState {
                voters: a.voters.clone(),
                learners: a.learners.clone(),
                ..Default::default()
            };
            Node::bootstrap_snapshot(
                cs,
                index,
                a.content.clone().unwrap_or_default().into_bytes(),
            )
        });
        let mut added = Vec::new();
        for _ in 0..a.count {
            let id = self.nodes.keys().next_back().copied().unwrap_or(0) + 1;
            let node = Node::new(id, cfg.clone(), snap.clone(), self.now)?;
            self.nodes.insert(id, node);
            if let Err(e) = self.start_node(id) {
                self.nodes.remove(&id);
                return Err(e);
            }
            added.push(id);
        }
        if added.is_empty() {
            return Ok(());
        }
        if let Some(s) = &snap {
            self.observe_bootstrap(s.metadata.index, &s.metadata.conf_state);
        }
        let what = match &snap {
            Some(s) => format!(
                "bootstrapped from a snapshot at index {} with {}",
                s.metadata.index,
                describe_conf_state_short(&s.metadata.conf_state)
            ),
            None => "with empty storage: they know no configuration until a leader sends one"
                .to_string(),
        };
        self.emit(
            EventKind::Setup,
            None,
            Explanation::new(
                format!("node(s) {} start {what}", ids_text(&added)),
                Some(section::BASICS),
            ),
        );
        Ok(())
    }
}
