//! The cluster's vocabulary: everything a script, the page, the recorder or a lesson can ask
//! of the cluster, as data. Each command prints as the script line that reproduces it
//! (`Command::to_string`), which is what the recorder writes; text is parsed back only where a
//! person typed it (`crate::script::parse`).

use std::fmt;

use raft::interaction::LEVEL_NAMES;
use raft::raftpb::{ConfChangeTransition, MessageType};
use raft::state::StateType;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::kv::ClientId;
use crate::network::{Latency, MessageId, NodeId};
use crate::node::{ReadyPolicy, ReadyStep};
use crate::units::{format_duration, format_latency, format_rate};

// ---- conditions (expect, run-until) -----------------------------------------------------------

/// A number a condition compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Term,
    Commit,
    Applied,
    Vote,
    Lead,
    LastIndex,
    /// The last index in the node's stable storage: what its disk writes reached (with
    /// asynchronous storage writes, what its append thread has written).
    StableIndex,
    /// How many `MsgStorageAppend`s wait in the node's append thread (asynchronous writes).
    AppendQueue,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Term => "term",
            Field::Commit => "committed",
            Field::Applied => "applied",
            Field::Vote => "vote",
            Field::Lead => "lead",
            Field::LastIndex => "last-index",
            Field::StableIndex => "stable-index",
            Field::AppendQueue => "append-queue",
        }
    }

    pub(crate) fn from_name(s: &str) -> Option<Field> {
        Some(match s {
            "term" => Field::Term,
            "committed" | "commit" => Field::Commit,
            "applied" => Field::Applied,
            "vote" => Field::Vote,
            "lead" | "leader-of" => Field::Lead,
            "last-index" | "last" => Field::LastIndex,
            "stable-index" | "stable" => Field::StableIndex,
            "append-queue" => Field::AppendQueue,
            _ => return None,
        })
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Ge => ">=",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Lt => "<",
        }
    }

    pub fn holds(self, a: u64, b: u64) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Ge => a >= b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Lt => a < b,
        }
    }
}

/// One part of a condition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Clause {
    /// `leader` (some running node leads) or `leader=N` (node N leads). Field clauses without
    /// `nodes=` then apply to that leader.
    Leader(Option<NodeId>),
    /// `leader=none`: no running node believes it leads.
    NoLeader,
    /// `committed>=5`, `term=2`, ...
    Compare { field: Field, op: CmpOp, value: u64 },
    /// `state=StateFollower` (etcd's names; `leader`, `follower`, ... also accepted).
    State(StateType),
    /// After `value`: `x=5` (x holds 5) or a bare `x` (x is absent).
    Value { key: String, value: Option<String> },
    /// `safe`: the checker found no violation so far.
    Safe,
    /// `violation`: the checker found one (a scenario that demonstrates a bug).
    Violation,
    /// `voters=(1 2 4)`, `outgoing=(1 2 3)` or `learners=(4)`: that set of the configuration is
    /// exactly these ids. Without `nodes=` the cluster's configuration (the leader's) is meant;
    /// with it, each listed node's own.
    Config { set: ConfigSet, ids: Vec<NodeId> },
    /// `joint` or `joint=false`: whether the configuration is joint (same scope as `Config`).
    Joint(bool),
}

/// A set of ids in a membership configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConfigSet {
    /// The incoming (or only) voters.
    Voters,
    /// The outgoing voters of a joint configuration (empty when not joint).
    Outgoing,
    Learners,
}

impl ConfigSet {
    pub fn name(self) -> &'static str {
        match self {
            ConfigSet::Voters => "voters",
            ConfigSet::Outgoing => "outgoing",
            ConfigSet::Learners => "learners",
        }
    }
}

/// What `expect` asserts and `run-until` waits for: every clause must hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub clauses: Vec<Clause>,
    /// `nodes=(1 2 3)`: the nodes field and value clauses look at (default: every running
    /// node, or the leader when a leader clause is present).
    pub nodes: Option<Vec<NodeId>>,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let mut values = Vec::new();
        for c in &self.clauses {
            match c {
                Clause::Leader(None) => parts.push("leader".into()),
                Clause::Leader(Some(id)) => parts.push(format!("leader={id}")),
                Clause::NoLeader => parts.push("leader=none".into()),
                Clause::Compare { field, op, value } => {
                    parts.push(format!("{}{}{value}", field.name(), op.symbol()))
                }
                Clause::State(s) => parts.push(format!("state={s}")),
                Clause::Safe => parts.push("safe".into()),
                Clause::Violation => parts.push("violation".into()),
                Clause::Config { set, ids } => {
                    parts.push(format!("{}={}", set.name(), format_id_list(ids)))
                }
                Clause::Joint(true) => parts.push("joint".into()),
                Clause::Joint(false) => parts.push("joint=false".into()),
                Clause::Value {
                    key,
                    value: Some(v),
                } => values.push(format!("{key}={v}")),
                Clause::Value { key, value: None } => values.push(key.clone()),
            }
        }
        if let Some(n) = &self.nodes {
            parts.push(format!("nodes={}", format_id_list(n)));
        }
        if !values.is_empty() {
            parts.push("value".into());
            parts.extend(values);
        }
        f.write_str(&parts.join(" "))
    }
}

// ---- the vocabulary ---------------------------------------------------------------------------

/// `cluster N ...`: the playground's way to start a cluster of voters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterSetup {
    pub nodes: u64,
    pub pre_vote: bool,
    pub check_quorum: bool,
    pub policy: ReadyPolicy,
    pub tick: Millis,
    pub election: usize,
    pub heartbeat: usize,
    /// Latency of every link.
    pub latency: Latency,
    /// fsync time of every disk.
    pub sync: Millis,
    /// ReadIndex served from the leader lease (requires check-quorum).
    pub lease_reads: bool,
    /// etcd's `StepDownOnRemoval`: a leader that applies its own removal steps down at once
    /// instead of leading until it stops.
    #[serde(default)]
    pub step_down_on_removal: bool,
    /// etcd server's `--snapshot-count` (0: never compact; see `NodeConfig::snapshot_count`).
    #[serde(default)]
    pub snapshot_count: u64,
    /// Entries kept below a new snapshot (etcd's `SnapshotCatchUpEntries`).
    #[serde(default)]
    pub catch_up_entries: u64,
    /// The nodes that write asynchronously (etcd raft's `AsyncStorageWrites`), in id order:
    /// `async-storage-writes=true` makes all of them, `async-storage-writes=(1,3)` some.
    #[serde(default)]
    pub async_nodes: Vec<NodeId>,
    /// etcd's `MaxInflightMsgs`: appends a leader sends a follower in Replicate before it
    /// waits for an acknowledgement.
    #[serde(default = "default_inflight")]
    pub inflight: usize,
    /// etcd's `MaxSizePerMsg`: bytes of entries in one append (at least one entry is sent).
    #[serde(default = "default_max_size_per_msg")]
    pub max_size_per_msg: u64,
}

/// A setup saved before `inflight=` existed had the playground's.
fn default_inflight() -> usize {
    crate::node::NodeConfig::playground().max_inflight_msgs
}

/// A setup saved before `max-size-per-msg=` existed had the playground's.
fn default_max_size_per_msg() -> u64 {
    crate::node::NodeConfig::playground().max_size_per_msg
}

impl Default for ClusterSetup {
    fn default() -> Self {
        let n = crate::node::NodeConfig::playground();
        ClusterSetup {
            nodes: 3,
            pre_vote: false,
            check_quorum: false,
            policy: n.policy,
            tick: n.tick_interval,
            election: n.election_tick,
            heartbeat: n.heartbeat_tick,
            latency: Latency::fixed(crate::network::DEFAULT_LATENCY),
            sync: n.sync_latency,
            lease_reads: false,
            step_down_on_removal: false,
            snapshot_count: 0,
            catch_up_entries: 0,
            async_nodes: Vec::new(),
            inflight: n.max_inflight_msgs,
            max_size_per_msg: n.max_size_per_msg,
        }
    }
}

/// `add-nodes N ...`: etcd's harness command, with its options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddNodes {
    pub count: u64,
    pub voters: Vec<u64>,
    pub learners: Vec<u64>,
    pub index: Option<u64>,
    pub content: Option<String>,
    pub inflight: Option<usize>,
    pub pre_vote: Option<bool>,
    pub check_quorum: Option<bool>,
    pub max_committed_size_per_ready: Option<u64>,
    pub disable_conf_change_validation: Option<bool>,
    pub lease_reads: Option<bool>,
    pub step_down_on_removal: Option<bool>,
    /// etcd raft's `AsyncStorageWrites` (see `NodeConfig::async_storage_writes`).
    #[serde(default)]
    pub async_storage_writes: Option<bool>,
}

/// A message recipient of `deliver-msgs`: deliver to it, or drop what is addressed to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub id: NodeId,
    pub drop: bool,
}

/// Which links a `link`, `cut` or `heal` command means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkTarget {
    /// `1->2`: one direction.
    OneWay(NodeId, NodeId),
    /// `1-2`: both directions.
    Both(NodeId, NodeId),
    /// `*`: the default of every link without its own setting.
    All,
}

impl fmt::Display for LinkTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkTarget::OneWay(a, b) => write!(f, "{a}->{b}"),
            LinkTarget::Both(a, b) => write!(f, "{a}-{b}"),
            LinkTarget::All => f.write_str("*"),
        }
    }
}

/// The settings a `link` command changes; `None` keeps the link's current value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkChange {
    pub drop: Option<f64>,
    pub delay: Option<Latency>,
    pub duplicate: Option<f64>,
    pub reorder: Option<f64>,
    /// Back to the default link (everything else is ignored).
    pub reset: bool,
}

/// What `disk N ...` does to a disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiskFault {
    /// fsync returns without making anything durable.
    Lying,
    /// Every fsync takes this much longer.
    Slow(Millis),
    /// Heal the disk: honest and at its normal speed.
    Ok,
}

/// What to do with one message in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageAction {
    Drop,
    Duplicate,
    Deliver,
    Hold,
    Release,
}

impl MessageAction {
    pub fn command(self) -> &'static str {
        match self {
            MessageAction::Drop => "drop-msg",
            MessageAction::Duplicate => "duplicate-msg",
            MessageAction::Deliver => "deliver-msg",
            MessageAction::Hold => "hold-msg",
            MessageAction::Release => "release-msg",
        }
    }
}

/// What `step` waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepKind {
    /// The next event of any kind.
    Any,
    /// The next tick of any node.
    Tick,
    /// The next message delivered (or lost on arrival).
    Message,
    /// The next Advance: one whole Ready handled.
    Ready,
}

/// A membership change at run time, proposed to the leader as etcd's server does: single
/// changes as a `ConfChange` (v1), a replacement as one `ConfChangeV2` through a joint
/// configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MembershipChange {
    /// `add-node N`: N joins as a voter. A node that does not exist yet starts with an empty
    /// disk and catches up by snapshot once the leader applied the change.
    AddNode(NodeId),
    /// `add-learner N`: N joins as a learner (it replicates but neither votes nor counts).
    AddLearner(NodeId),
    /// `promote N`: the learner N becomes a voter (only once it is nearly in sync, as etcd's
    /// server requires).
    Promote(NodeId),
    /// `remove-node N`: N leaves the configuration (the leader too: it leads until it stops,
    /// or steps down at once with `step-down-on-removal`).
    Remove(NodeId),
    /// `replace N with M [transition=auto|explicit|implicit]`: remove N and add M in one
    /// change, through a joint configuration in which both the old and the new voters must
    /// agree. `explicit` stays joint until `leave-joint`.
    Replace {
        old: NodeId,
        new: NodeId,
        transition: ConfChangeTransition,
    },
    /// `leave-joint`: propose the empty `ConfChangeV2` that leaves a joint configuration.
    LeaveJoint,
}

impl fmt::Display for MembershipChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MembershipChange::AddNode(n) => write!(f, "add-node {n}"),
            MembershipChange::AddLearner(n) => write!(f, "add-learner {n}"),
            MembershipChange::Promote(n) => write!(f, "promote {n}"),
            MembershipChange::Remove(n) => write!(f, "remove-node {n}"),
            MembershipChange::Replace {
                old,
                new,
                transition,
            } => {
                write!(f, "replace {old} with {new}")?;
                if *transition != ConfChangeTransition::ConfChangeTransitionAuto {
                    write!(f, " transition={}", transition_name(*transition))?;
                }
                Ok(())
            }
            MembershipChange::LeaveJoint => f.write_str("leave-joint"),
        }
    }
}

/// A client operation's verb.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientVerb {
    Put,
    Get,
    Delete,
}

/// Every command of the language. `Display` prints the script line (with its input lines, if
/// any) that parses back to the same command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    // setup
    Cluster(ClusterSetup),
    AddNodes(AddNodes),
    // etcd's interaction vocabulary
    Campaign(NodeId),
    Propose {
        node: NodeId,
        data: String,
    },
    ProposeConfChange {
        node: NodeId,
        v1: bool,
        transition: ConfChangeTransition,
        changes: String,
    },
    ProcessReady(Vec<NodeId>),
    DeliverMsgs {
        recipients: Vec<Recipient>,
        msg_type: Option<MessageType>,
    },
    Stabilize {
        nodes: Vec<NodeId>,
        log_level: Option<String>,
    },
    TickElection(NodeId),
    TickHeartbeat(NodeId),
    Tick {
        node: NodeId,
        count: usize,
    },
    RaftLog(NodeId),
    RaftState,
    Status(NodeId),
    TransferLeadership {
        from: NodeId,
        to: NodeId,
    },
    ForgetLeader(NodeId),
    ReportUnreachable {
        node: NodeId,
        peer: NodeId,
    },
    Compact {
        node: NodeId,
        index: Option<u64>,
    },
    SendSnapshot {
        from: NodeId,
        to: NodeId,
    },
    SetRandomizedElectionTimeout {
        node: NodeId,
        timeout: usize,
    },
    LogLevel(String),
    ProcessAppendThread(Vec<NodeId>),
    ProcessApplyThread(Vec<NodeId>),
    Breakpoint,
    // time
    Run(Millis),
    RunUntil {
        condition: Condition,
        max: Millis,
    },
    Step(StepKind),
    // faults
    Crash(NodeId),
    Restart(NodeId),
    Wipe(NodeId),
    Pause(NodeId),
    Resume(NodeId),
    Partition(Vec<Vec<NodeId>>),
    Cut(LinkTarget),
    Heal(Option<LinkTarget>),
    Link {
        target: LinkTarget,
        change: LinkChange,
    },
    Disk {
        node: NodeId,
        fault: DiskFault,
    },
    Message {
        action: MessageAction,
        id: MessageId,
    },
    // Readys by hand
    Manual(NodeId),
    Auto(NodeId),
    Policy {
        node: NodeId,
        policy: ReadyPolicy,
    },
    TakeReady(NodeId),
    ReadyStep {
        node: NodeId,
        step: ReadyStep,
    },
    // membership
    Membership(MembershipChange),
    // clients
    Client {
        verb: ClientVerb,
        node: NodeId,
        key: String,
        value: String,
        client: Option<ClientId>,
    },
    /// `load every=D` (a put every D of virtual time) or `load off` (`None`).
    Load(Option<Millis>),
    // assertions and queries
    Expect(Condition),
    Kv(NodeId),
    History,
    Checker,
    Events(usize),
    StopAfter(u64),
}

/// Every command name, for the unknown-command message.
pub const COMMANDS: &[&str] = &[
    "_breakpoint",
    "add-nodes",
    "advance",
    "apply",
    "auto",
    "campaign",
    "checker",
    "cluster",
    "compact",
    "crash",
    "cut",
    "delete",
    "deliver-msg",
    "deliver-msgs",
    "disk",
    "drop-msg",
    "duplicate-msg",
    "events",
    "expect",
    "forget-leader",
    "get",
    "heal",
    "history",
    "hold-msg",
    "kv",
    "link",
    "load",
    "log-level",
    "manual",
    "partition",
    "pause",
    "persist",
    "policy",
    "process-append-thread",
    "process-apply-thread",
    "process-ready",
    "propose",
    "propose-conf-change",
    "put",
    "raft-log",
    "raft-state",
    "ready",
    "release-msg",
    "report-unreachable",
    "restart",
    "resume",
    "run",
    "run-until",
    "send",
    "send-snapshot",
    "set-randomized-election-timeout",
    "stabilize",
    "status",
    "step",
    "stop-after",
    "tick",
    "tick-election",
    "tick-heartbeat",
    "transfer-leadership",
    "wipe",
    // membership changes at run time
    "add-node",
    "add-learner",
    "promote",
    "remove-node",
    "replace",
    "leave-joint",
];

fn ids_text(ids: &[NodeId]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn format_id_list(ids: &[NodeId]) -> String {
    format!("({})", ids_text(ids))
}

fn transition_name(t: ConfChangeTransition) -> &'static str {
    match t {
        ConfChangeTransition::ConfChangeTransitionAuto => "auto",
        ConfChangeTransition::ConfChangeTransitionJointImplicit => "implicit",
        ConfChangeTransition::ConfChangeTransitionJointExplicit => "explicit",
    }
}

fn list_arg(key: &str, vals: &[u64]) -> String {
    let v: Vec<String> = vals.iter().map(|x| x.to_string()).collect();
    format!("{key}=({})", v.join(", "))
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Command::*;
        match self {
            Cluster(s) => {
                let d = ClusterSetup::default();
                write!(f, "cluster {}", s.nodes)?;
                if s.pre_vote {
                    f.write_str(" prevote=true")?;
                }
                if s.check_quorum {
                    f.write_str(" checkquorum=true")?;
                }
                if s.lease_reads {
                    f.write_str(" read-only=lease-based")?;
                }
                if s.policy != d.policy {
                    write!(f, " policy={}", s.policy.name())?;
                }
                if s.tick != d.tick {
                    write!(f, " tick={}", format_duration(s.tick))?;
                }
                if s.election != d.election {
                    write!(f, " election={}", s.election)?;
                }
                if s.heartbeat != d.heartbeat {
                    write!(f, " heartbeat={}", s.heartbeat)?;
                }
                if s.latency != d.latency {
                    write!(f, " latency={}", format_latency(&s.latency))?;
                }
                if s.sync != d.sync {
                    write!(f, " sync={}", format_duration(s.sync))?;
                }
                if s.step_down_on_removal {
                    f.write_str(" step-down-on-removal=true")?;
                }
                if s.snapshot_count != 0 {
                    write!(f, " snapshot-count={}", s.snapshot_count)?;
                }
                if s.catch_up_entries != default_catch_up(s.snapshot_count) {
                    write!(f, " catch-up-entries={}", s.catch_up_entries)?;
                }
                if s.inflight != d.inflight {
                    write!(f, " inflight={}", s.inflight)?;
                }
                if s.max_size_per_msg != d.max_size_per_msg {
                    write!(f, " max-size-per-msg={}", s.max_size_per_msg)?;
                }
                let all: Vec<NodeId> = (1..=s.nodes).collect();
                if s.async_nodes == all {
                    f.write_str(" async-storage-writes=true")?;
                } else if !s.async_nodes.is_empty() {
                    write!(f, " {}", list_arg("async-storage-writes", &s.async_nodes))?;
                }
                Ok(())
            }
            AddNodes(a) => {
                write!(f, "add-nodes {}", a.count)?;
                if !a.voters.is_empty() {
                    write!(f, " {}", list_arg("voters", &a.voters))?;
                }
                if !a.learners.is_empty() {
                    write!(f, " {}", list_arg("learners", &a.learners))?;
                }
                if let Some(i) = a.index {
                    write!(f, " index={i}")?;
                }
                if let Some(c) = &a.content {
                    write!(f, " content={c}")?;
                }
                if let Some(i) = a.inflight {
                    write!(f, " inflight={i}")?;
                }
                if let Some(b) = a.pre_vote {
                    write!(f, " prevote={b}")?;
                }
                if let Some(b) = a.check_quorum {
                    write!(f, " checkquorum={b}")?;
                }
                if let Some(m) = a.max_committed_size_per_ready {
                    write!(f, " max-committed-size-per-ready={m}")?;
                }
                if let Some(b) = a.disable_conf_change_validation {
                    write!(f, " disable-conf-change-validation={b}")?;
                }
                if let Some(b) = a.lease_reads {
                    write!(f, " read-only={}", if b { "lease-based" } else { "safe" })?;
                }
                if let Some(b) = a.step_down_on_removal {
                    write!(f, " step-down-on-removal={b}")?;
                }
                if let Some(b) = a.async_storage_writes {
                    write!(f, " async-storage-writes={b}")?;
                }
                Ok(())
            }
            Campaign(n) => write!(f, "campaign {n}"),
            Propose { node, data } => write!(f, "propose {node} {data}"),
            ProposeConfChange {
                node,
                v1,
                transition,
                changes,
            } => {
                write!(f, "propose-conf-change {node}")?;
                if *v1 {
                    f.write_str(" v1=true")?;
                }
                if *transition != ConfChangeTransition::ConfChangeTransitionAuto {
                    write!(f, " transition={}", transition_name(*transition))?;
                }
                if !changes.is_empty() {
                    write!(f, "\n{changes}")?;
                }
                Ok(())
            }
            ProcessReady(ns) => write!(f, "process-ready {}", ids_text(ns)),
            DeliverMsgs {
                recipients,
                msg_type,
            } => {
                f.write_str("deliver-msgs")?;
                let drops: Vec<u64> = recipients.iter().filter(|r| r.drop).map(|r| r.id).collect();
                for r in recipients.iter().filter(|r| !r.drop) {
                    write!(f, " {}", r.id)?;
                }
                if !drops.is_empty() {
                    write!(f, " {}", list_arg("drop", &drops))?;
                }
                if let Some(t) = msg_type {
                    write!(f, " type={t}")?;
                }
                Ok(())
            }
            Stabilize { nodes, log_level } => {
                f.write_str("stabilize")?;
                for n in nodes {
                    write!(f, " {n}")?;
                }
                if let Some(l) = log_level {
                    write!(f, " log-level={l}")?;
                }
                Ok(())
            }
            TickElection(n) => write!(f, "tick-election {n}"),
            TickHeartbeat(n) => write!(f, "tick-heartbeat {n}"),
            Tick { node, count } => write!(f, "tick {node} {count}"),
            RaftLog(n) => write!(f, "raft-log {n}"),
            RaftState => f.write_str("raft-state"),
            Status(n) => write!(f, "status {n}"),
            TransferLeadership { from, to } => write!(f, "transfer-leadership from={from} to={to}"),
            ForgetLeader(n) => write!(f, "forget-leader {n}"),
            ReportUnreachable { node, peer } => write!(f, "report-unreachable {node} {peer}"),
            Compact {
                node,
                index: Some(i),
            } => write!(f, "compact {node} {i}"),
            Compact { node, index: None } => write!(f, "compact {node}"),
            SendSnapshot { from, to } => write!(f, "send-snapshot {from} {to}"),
            SetRandomizedElectionTimeout { node, timeout } => {
                write!(
                    f,
                    "set-randomized-election-timeout {node} timeout={timeout}"
                )
            }
            LogLevel(l) => write!(f, "log-level {l}"),
            ProcessAppendThread(ns) => write!(f, "process-append-thread {}", ids_text(ns)),
            ProcessApplyThread(ns) => write!(f, "process-apply-thread {}", ids_text(ns)),
            Breakpoint => f.write_str("_breakpoint"),
            Run(ms) => write!(f, "run {}", format_duration(*ms)),
            RunUntil { condition, max } => {
                write!(f, "run-until {condition} max={}", format_duration(*max))
            }
            Step(k) => match k {
                StepKind::Any => f.write_str("step"),
                StepKind::Tick => f.write_str("step tick"),
                StepKind::Message => f.write_str("step message"),
                StepKind::Ready => f.write_str("step ready"),
            },
            Crash(n) => write!(f, "crash {n}"),
            Restart(n) => write!(f, "restart {n}"),
            Wipe(n) => write!(f, "wipe {n}"),
            Pause(n) => write!(f, "pause {n}"),
            Resume(n) => write!(f, "resume {n}"),
            Partition(groups) => {
                f.write_str("partition")?;
                for g in groups {
                    write!(f, " {}", format_id_list(g))?;
                }
                Ok(())
            }
            Cut(t) => write!(f, "cut {t}"),
            Heal(None) => f.write_str("heal"),
            Heal(Some(t)) => write!(f, "heal {t}"),
            Link { target, change } => {
                write!(f, "link {target}")?;
                if change.reset {
                    return f.write_str(" reset");
                }
                if let Some(d) = change.drop {
                    write!(f, " drop={}", format_rate(d))?;
                }
                if let Some(l) = &change.delay {
                    write!(f, " delay={}", format_latency(l))?;
                }
                if let Some(d) = change.duplicate {
                    write!(f, " duplicate={}", format_rate(d))?;
                }
                if let Some(r) = change.reorder {
                    write!(f, " reorder={}", format_rate(r))?;
                }
                Ok(())
            }
            Disk { node, fault } => match fault {
                DiskFault::Lying => write!(f, "disk {node} lying"),
                DiskFault::Slow(ms) => write!(f, "disk {node} slow={}", format_duration(*ms)),
                DiskFault::Ok => write!(f, "disk {node} ok"),
            },
            Message { action, id } => write!(f, "{} {id}", action.command()),
            Manual(n) => write!(f, "manual {n}"),
            Auto(n) => write!(f, "auto {n}"),
            Policy { node, policy } => write!(f, "policy {node} {}", policy.name()),
            TakeReady(n) => write!(f, "ready {n}"),
            ReadyStep { node, step } => write!(f, "{} {node}", step.name()),
            Client {
                verb,
                node,
                key,
                value,
                client,
            } => {
                match verb {
                    ClientVerb::Put => write!(f, "put {node} {key}={value}")?,
                    ClientVerb::Get => write!(f, "get {node} {key}")?,
                    ClientVerb::Delete => write!(f, "delete {node} {key}")?,
                }
                if let Some(c) = client {
                    write!(f, " client={c}")?;
                }
                Ok(())
            }
            Load(Some(ms)) => write!(f, "load every={}", format_duration(*ms)),
            Load(None) => f.write_str("load off"),
            Membership(m) => write!(f, "{m}"),
            Expect(c) => write!(f, "expect {c}"),
            Kv(n) => write!(f, "kv {n}"),
            History => f.write_str("history"),
            Checker => f.write_str("checker"),
            Events(n) => write!(f, "events last={n}"),
            StopAfter(n) => write!(f, "stop-after events={n}"),
        }
    }
}

impl Command {
    /// Whether the command only looks: it changes nothing in the simulation (so it needs no
    /// event, and time travel may skip it).
    pub fn is_query(&self) -> bool {
        matches!(
            self,
            Command::RaftLog(_)
                | Command::RaftState
                | Command::Status(_)
                | Command::LogLevel(_)
                | Command::ProcessAppendThread(_)
                | Command::ProcessApplyThread(_)
                | Command::Breakpoint
                | Command::Expect(_)
                | Command::Kv(_)
                | Command::History
                | Command::Checker
                | Command::Events(_)
        )
    }

    /// Appends the command to a script being written: its line (and input lines), and after
    /// input lines the blank line that ends them, so the next command is not read as input.
    pub fn push_to_script(&self, script: &mut String) {
        script.push_str(&self.to_string());
        script.push('\n');
        if matches!(self, Command::ProposeConfChange { .. }) {
            script.push('\n');
        }
    }
}

/// Entries kept below a snapshot when the script does not say: a quarter of the snapshot
/// count (etcd keeps 5,000 below every 100,000).
pub fn default_catch_up(snapshot_count: u64) -> u64 {
    snapshot_count / 4
}

/// The output level `log-level NAME` sets: its index among etcd's harness levels
/// ([`LEVEL_NAMES`], in any case), or the harness's error. The parser checks a script's level
/// with it and the cluster sets the level with it, so the two cannot disagree.
pub fn log_level_index(name: &str) -> Result<usize, String> {
    LEVEL_NAMES
        .iter()
        .position(|l| l.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("log levels must be either of [{}]", LEVEL_NAMES.join(" ")))
}
