//! The projection of the cluster to the page's view: plain data, nothing the page must compute.

use raft::describe::{describe_entries, describe_hard_state, describe_message, describe_snapshot};
use raft::raftpb::{EntryType, HardState, MessageType};
use raft::state::StateType;
use raft::storage::Storage;

use crate::network::NodeId;
use crate::node::{Node, ReadyStep, StorageWork, Worker};
use crate::view::{
    CheckerView, ClusterView, EntryKind, EntryView, EventView, LinkView, MessageView, NodeView,
    ProgressView, ReadyView, Role, StorageWorkView, VIEW_RECENT_EVENTS,
};

use super::text::entry_text;
use super::workers::storage_work_phrase;
use super::Cluster;

impl Cluster {
    /// The last Ready node `id` handled, whole (see `Node::last_ready`).
    pub fn last_ready_view(&self, id: NodeId) -> Option<ReadyView> {
        let last = self.nodes.get(&id)?.last_ready.as_deref()?;
        ready_view(Some(last), None)
    }

    /// The whole cluster as plain data for the page.
    pub fn view(&self) -> ClusterView {
        let leader = self.leader();
        let leader_log: Option<Vec<raft::raftpb::Entry>> = leader
            .and_then(|l| self.nodes.get(&l))
            .map(Node::log_entries);
        let nodes = self
            .nodes
            .values()
            .map(|n| node_view(n, leader, leader_log.as_deref()))
            .collect();
        let messages = self
            .network
            .in_flight()
            .map(|f| {
                let m = &f.msg;
                let summary = crate::network::MessageHead::of(m).summary();
                MessageView {
                    id: f.id,
                    from: m.from,
                    to: m.to,
                    msg_type: m.msg_type.name().to_string(),
                    is_response: m.msg_type.is_response(),
                    rejected: m.reject,
                    term: m.term,
                    sent_at: f.sent_at,
                    arrives_at: f.arrives_at,
                    held: f.held,
                    summary,
                    description: describe_message(m, None),
                }
            })
            .collect();
        let default_latency = self.network.default_link().latency;
        let mut links = Vec::new();
        for &from in self.nodes.keys() {
            for &to in self.nodes.keys() {
                if from == to {
                    continue;
                }
                let l = self.network.link(from, to);
                links.push(LinkView {
                    from,
                    to,
                    cut: self.network.is_cut(from, to),
                    drop_rate: l.drop_rate,
                    duplicate_rate: l.duplicate_rate,
                    delay: l.latency.to_string(),
                    custom_delay: l.latency != default_latency,
                });
            }
        }
        let checker = match self.checker.first_violation() {
            None => CheckerView::default(),
            Some(v) => CheckerView {
                ok: false,
                violation: Some(v.to_string()),
                event: Some(v.event),
                nodes: v.nodes.clone(),
            },
        };
        let kept = self.events.kept();
        let start = kept.len().saturating_sub(VIEW_RECENT_EVENTS);
        let recent_events = kept[start..]
            .iter()
            .map(|e| EventView {
                index: e.index,
                at_ms: e.at,
                node: e.node,
                text: match &e.section {
                    Some(s) => format!("{} ({s})", e.explanation),
                    None => e.explanation.clone(),
                },
            })
            .collect();
        let events = self.events.len();
        let config = self.config_view();
        let mut nodes: Vec<NodeView> = nodes;
        for nv in &mut nodes {
            nv.membership = self.membership_of(nv.id, &config);
            if let Some(raw) = self.nodes.get(&nv.id).and_then(Node::raw) {
                nv.config = raw.raft.trk.config.to_string();
            }
        }
        ClusterView {
            now_ms: self.now,
            tick_ms: self.defaults.tick_interval,
            seed: self.seed,
            nodes,
            messages,
            links,
            partitions: self.partition.clone(),
            leader,
            checker,
            events,
            cursor: events,
            recent_events,
            config,
        }
    }
}

pub(super) fn ready_view(
    rip: Option<&crate::node::ReadyInProgress>,
    peek: Option<raft::rawnode::Ready>,
) -> Option<ReadyView> {
    let (rd, persisted, sent, applied) = match (rip, peek) {
        (Some(r), _) => (
            r.ready.clone(),
            r.done(ReadyStep::Persist),
            r.sent,
            r.applied,
        ),
        (None, Some(rd)) => {
            let persisted =
                rd.hard_state.is_empty() && rd.entries.is_empty() && rd.snapshot.is_empty();
            let sent = rd.messages.is_empty();
            let applied = rd.committed_entries.is_empty()
                && rd.snapshot.is_empty()
                && rd.read_states.is_empty();
            (rd, persisted, sent, applied)
        }
        (None, None) => return None,
    };
    let lines = |ents: &[raft::raftpb::Entry]| -> Vec<String> {
        describe_entries(ents, None)
            .lines()
            .map(str::to_string)
            .collect()
    };
    Some(ReadyView {
        soft_state: rd
            .soft_state
            .map(|ss| raft::describe::describe_soft_state(&ss)),
        hard_state: (!rd.hard_state.is_empty()).then(|| describe_hard_state(&rd.hard_state)),
        entries: lines(&rd.entries),
        snapshot: (!rd.snapshot.is_empty()).then(|| describe_snapshot(&rd.snapshot)),
        committed_entries: lines(&rd.committed_entries),
        messages: rd
            .messages
            .iter()
            .map(|m| describe_message(m, None))
            .collect(),
        must_sync: rd.must_sync,
        read_states: rd
            .read_states
            .iter()
            .map(|r| {
                format!(
                    "index {} for {}",
                    r.index,
                    String::from_utf8_lossy(&r.request_ctx)
                )
            })
            .collect(),
        persisted,
        sent,
        applied,
    })
}

pub(super) fn node_view(
    n: &Node,
    leader: Option<NodeId>,
    leader_log: Option<&[raft::raftpb::Entry]>,
) -> NodeView {
    let entry_view = |e: &raft::raftpb::Entry| EntryView {
        index: e.index,
        term: e.term,
        kind: match e.entry_type {
            EntryType::EntryNormal => EntryKind::Normal,
            EntryType::EntryConfChange => EntryKind::ConfChange,
            EntryType::EntryConfChangeV2 => EntryKind::ConfChangeV2,
        },
        data: entry_text(e),
    };
    let Some(raw) = n.raw() else {
        // Down: what the disk would bring back.
        let d = n.disk.durable();
        return NodeView {
            id: n.id,
            term: d.hard_state.term,
            vote: d.hard_state.vote,
            commit: d.hard_state.commit,
            crashed: true,
            paused: n.timer.paused,
            log: d.entries.iter().map(entry_view).collect(),
            stable_index: d.last_index(),
            snapshot_index: d.snapshot.metadata.index,
            snapshot_term: d.snapshot.metadata.term,
            auto_ready: !n.manual,
            policy: n.config.policy,
            ..NodeView::default()
        };
    };
    let r = &raw.raft;
    let log = n.log_entries();
    let conflicts = match (leader, leader_log) {
        (Some(l), Some(ll)) if l != n.id => {
            let first = ll.first().map_or(u64::MAX, |e| e.index);
            log.iter()
                .filter(|e| {
                    e.index >= first
                        && ll
                            .get((e.index - first) as usize)
                            .is_some_and(|le| le.term != e.term)
                })
                .map(|e| e.index)
                .collect()
        }
        _ => Vec::new(),
    };
    let role = if r.is_learner {
        Role::Learner
    } else {
        match r.state {
            StateType::StateFollower => Role::Follower,
            StateType::StatePreCandidate => Role::PreCandidate,
            StateType::StateCandidate => Role::Candidate,
            StateType::StateLeader => Role::Leader,
        }
    };
    let progress = if r.state == StateType::StateLeader {
        r.trk
            .progress
            .iter()
            .map(|(&id, pr)| ProgressView {
                id,
                matched: pr.matched,
                next: pr.next,
                state: pr.state.to_string(),
                inflight: pr.inflights.count(),
                paused: pr.is_paused(),
                recent_active: pr.recent_active,
                is_learner: pr.is_learner,
                pending_snapshot: pr.pending_snapshot,
            })
            .collect()
    } else {
        Vec::new()
    };
    let first = r.raft_log.first_index();
    let peek = if n.ready.is_none() {
        n.peek_ready()
    } else {
        None
    };
    NodeView {
        id: n.id,
        role,
        term: r.term,
        vote: r.vote,
        commit: r.raft_log.committed,
        applied: r.raft_log.applied,
        lead: r.lead,
        crashed: false,
        paused: n.timer.paused,
        election_elapsed: r.election_elapsed as u64,
        randomized_election_timeout: r.randomized_election_timeout as u64,
        log: log.iter().map(entry_view).collect(),
        stable_index: raw.store().last_index().unwrap_or(0),
        snapshot_index: first - 1,
        snapshot_term: r.raft_log.term(first - 1).unwrap_or(0),
        conflicts,
        ready: ready_view(n.ready.as_ref(), peek),
        auto_ready: !n.manual,
        policy: n.config.policy,
        progress,
        kv: n.kv.data().clone(),
        // Filled in by `Cluster::view`, which knows the cluster's configuration.
        membership: Default::default(),
        config: String::new(),
        async_storage_writes: n.is_async(),
        append_queue: work_views(n.workers.queue(Worker::Append)),
        apply_queue: work_views(n.workers.queue(Worker::Apply)),
    }
}

/// A storage thread's queue for the page.
fn work_views<'a>(q: impl IntoIterator<Item = &'a StorageWork>) -> Vec<StorageWorkView> {
    q.into_iter()
        .map(|w| {
            let m = &w.msg;
            let hs = HardState {
                term: m.term,
                vote: m.vote,
                commit: m.commit,
            };
            let is_append = m.msg_type == MessageType::MsgStorageAppend;
            StorageWorkView {
                msg_type: m.msg_type.name().to_string(),
                entries: m
                    .entries
                    .first()
                    .zip(m.entries.last())
                    .map(|(f, l)| (f.index, l.index)),
                hard_state: (is_append && !hs.is_empty()).then(|| describe_hard_state(&hs)),
                snapshot: m
                    .snapshot
                    .as_ref()
                    .filter(|s| !s.is_empty())
                    .map(|s| (s.metadata.index, s.metadata.term)),
                responses: m
                    .responses
                    .iter()
                    .map(|r| describe_message(r, None))
                    .collect(),
                summary: storage_work_phrase(m),
                description: describe_message(m, None),
                queued_at_ms: w.queued_at,
                due_ms: w.due,
            }
        })
        .collect()
}
