//! The script language: etcd raft's interaction-test files, extended with time, faults,
//! clients and assertions, all acting on one [`Cluster`].
//!
//! A script is a datadriven file (parsed by the raft crate's reader, so parse errors name line
//! and column): a command line with arguments, optional input lines, `----`, and the expected
//! output up to a blank line. Output follows etcd's harness: Raft's log lines at the current
//! `log-level` interleaved with the command's own text, `ok` when there is nothing to print, an
//! error as its text. Every script is therefore also a regression test, and etcd's own
//! transcripts run on the virtual cluster. A command written without `----` gets one (its
//! output is then not checked), so a scenario can simply be one command per line; `#` starts
//! a comment line.
//!
//! The vocabulary ([`Command`]) is the cluster's only way in: the page's buttons issue the same
//! commands, and each command prints back as the script line that reproduces it
//! (`Command::to_string`), which is what the recorder writes.
//!
//! ```text
//! # three voters with the playground's timing (100 ms ticks, elections after 10)
//! cluster 3 prevote=true
//! run-until leader max=5s
//! put 1 x=5
//! run 500ms
//! expect value x=5
//! partition (1) (2 3)
//! crash 2
//! link 1->3 drop=0.3 delay=20..80ms
//! disk 3 lying
//! expect committed>=2 nodes=(1 3)
//! expect safe
//! ```
//!
//! | command | what it does |
//! |---|---|
//! | `cluster N [prevote= checkquorum= read-only=lease-based policy=raft-node\|serve-channels tick= election= heartbeat= latency= sync=]` | N voters, bootstrapped from a snapshot at index 1 |
//! | `add-nodes N [voters=(..) learners=(..) index= content= inflight= prevote= checkquorum= ...]` | etcd's harness command (its configuration: elections after 3 ticks) |
//! | `campaign`, `propose N data`, `propose-conf-change N [v1= transition=]` + input, `process-ready N..`, `deliver-msgs [N..] [drop=(..)] [type=]`, `stabilize [N..] [log-level=]`, `tick-election N`, `tick-heartbeat N`, `raft-log N`, `raft-state`, `status N`, `transfer-leadership from= to=`, `forget-leader N`, `report-unreachable N M`, `compact N [index]`, `send-snapshot N M`, `set-randomized-election-timeout N timeout=`, `log-level L` | etcd's interaction vocabulary, same output |
//! | `tick N [count]` | ticks one node by hand |
//! | `run 500ms`, `run-until <condition> [max=30s]`, `step [tick\|message\|ready]` | virtual time: fsyncs complete, messages arrive, nodes tick, Readys are handled by policy |
//! | `crash N`, `restart N`, `wipe N`, `pause N`, `resume N` | node faults (pause stops the node's clock) |
//! | `partition (1 2) (3)`, `cut 1->2`, `cut 1-2`, `heal [1-2]`, `link 1->2\|1-2\|* [drop= delay=20..80ms duplicate= reorder=] \| reset` | network faults |
//! | `disk N lying\|slow=50ms\|ok` | disk faults |
//! | `drop-msg ID`, `duplicate-msg ID`, `deliver-msg ID`, `hold-msg ID`, `release-msg ID` | one message in flight |
//! | `manual N`, `auto N`, `policy N raft-node\|serve-channels`, `ready N`, `persist N`, `send N`, `apply N`, `advance N` | Readys by hand |
//! | `put N k=v`, `get N k`, `delete N k` (`client=C`) | a client operation sent to node N |
//! | `add-node N`, `add-learner N`, `promote N`, `remove-node N`, `replace N with M [transition=auto\|explicit\|implicit]`, `leave-joint` | membership changes proposed to the leader; a new node starts empty and catches up by snapshot |
//! | `expect <condition>` | `leader`, `leader=N`, `leader=none`, `term=2`, `committed>=5` (also `applied`, `vote`, `lead`, `last-index`; `= != >= <= > <`), `state=StateLeader`, `safe`, `violation`, `value x=5 y` (y absent), `voters=(1 2 4)`, `outgoing=(1 2 3)`, `learners=(4)`, `joint`, `joint=false`, `nodes=(1 2)` |
//! | `kv N`, `history`, `checker`, `events [last=20]` | look |
//! | `stop-after events=N` | the next command stops after N events (what time travel writes when the past is changed) |

use std::fmt;

use raft::interaction::datadriven::{self, CmdArg, TestData};
use raft::raftpb::{ConfChangeTransition, MessageType};
use raft::state::StateType;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::kv::ClientId;
use crate::limits;
use crate::network::{Latency, MessageId, NodeId};
use crate::node::{ReadyPolicy, ReadyStep};

// ---- durations ---------------------------------------------------------------------------------

/// A plain decimal (`0.25`, `3`, `1.5`, `.5`) as all its digits and how many of them follow the
/// point, without the fraction's trailing zeros: `1.25` and `1.250` are `(125, 2)`. Scripts read
/// rates and durations through this, with integer arithmetic, rather than through `f64`'s
/// parser: the values are exact, and the page's wasm does not carry a general float parser and
/// its tables for the two kinds of number a script may hold.
fn parse_decimal(s: &str) -> Option<(u64, u32)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    let mut digits: u64 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        digits = digits.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some((digits, u32::try_from(frac.len()).ok()?))
}

/// Parses `500ms`, `2s`, `1.5s` or `1m` into milliseconds.
pub fn parse_duration(s: &str) -> Result<Millis, String> {
    let bad = || format!("invalid duration {s:?}: want e.g. 500ms, 2s, 1.5s or 1m");
    let (num, unit): (&str, u128) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000)
    } else {
        return Err(bad());
    };
    let (digits, places) = parse_decimal(num).ok_or_else(bad)?;
    // A whole number of milliseconds, at most 10^15 (about 31,000 years).
    let scale = 10u128.checked_pow(places).ok_or_else(bad)?;
    let scaled = u128::from(digits) * unit;
    if scaled % scale != 0 || scaled / scale > 1_000_000_000_000_000 {
        return Err(bad());
    }
    Millis::try_from(scaled / scale).map_err(|_| bad())
}

/// Milliseconds the way scripts write them: whole seconds as `2s`, anything else as `1500ms`.
pub fn format_duration(ms: Millis) -> String {
    if ms > 0 && (ms / 1000) * 1000 == ms {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// Parses a latency: `20ms` or `20..80ms`.
pub fn parse_latency(s: &str) -> Result<Latency, String> {
    let l = parse_latency_unbounded(s)?;
    limits::duration(l.max, limits::MAX_LATENCY, "latency")?;
    Ok(l)
}

fn parse_latency_unbounded(s: &str) -> Result<Latency, String> {
    match s.split_once("..") {
        None => parse_duration(s).map(Latency::fixed),
        Some((lo, hi)) => {
            let hi_ms = parse_duration(hi)?;
            // `20..80ms`: the lower bound borrows the upper bound's unit when it has none.
            let lo_ms = if lo.bytes().all(|b| b.is_ascii_digit()) && !lo.is_empty() {
                let unit = hi.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
                parse_duration(&format!("{lo}{unit}"))?
            } else {
                parse_duration(lo)?
            };
            Latency::uniform(lo_ms, hi_ms).map_err(|e| e.to_string())
        }
    }
}

fn format_latency(l: &Latency) -> String {
    if l.is_fixed() {
        format_duration(l.min)
    } else {
        format!("{}..{}ms", l.min, l.max)
    }
}

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
        }
    }

    fn from_name(s: &str) -> Option<Field> {
        Some(match s {
            "term" => Field::Term,
            "committed" | "commit" => Field::Commit,
            "applied" => Field::Applied,
            "vote" => Field::Vote,
            "lead" | "leader-of" => Field::Lead,
            "last-index" | "last" => Field::LastIndex,
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

fn state_from_name(s: &str) -> Option<StateType> {
    Some(match s {
        "StateFollower" | "follower" => StateType::StateFollower,
        "StateCandidate" | "candidate" => StateType::StateCandidate,
        "StateLeader" | "leader" => StateType::StateLeader,
        "StatePreCandidate" | "pre-candidate" | "precandidate" => StateType::StatePreCandidate,
        _ => return None,
    })
}

impl Condition {
    fn parse(args: &[CmdArg], reserved: &[&str]) -> Result<Condition, ArgError> {
        let mut clauses = Vec::new();
        let mut nodes = None;
        let mut values = false;
        for (i, a) in args.iter().enumerate() {
            let err = |m: String| ArgError::at(i, m);
            if reserved.contains(&a.key.as_str()) {
                continue;
            }
            if a.key == "nodes" {
                nodes = Some(parse_id_list(&a.vals).map_err(err)?);
                continue;
            }
            if values {
                match a.vals.as_slice() {
                    [] => clauses.push(Clause::Value {
                        key: a.key.clone(),
                        value: None,
                    }),
                    [v] => clauses.push(Clause::Value {
                        key: a.key.clone(),
                        value: Some(v.clone()),
                    }),
                    _ => return Err(err(format!("{a}: one value per key"))),
                }
                continue;
            }
            match (a.key.as_str(), a.vals.as_slice()) {
                ("leader", []) => clauses.push(Clause::Leader(None)),
                ("leader", [v]) if v == "none" => clauses.push(Clause::NoLeader),
                ("leader", [v]) => clauses.push(Clause::Leader(Some(parse_id(v).map_err(err)?))),
                ("safe", []) => clauses.push(Clause::Safe),
                ("violation", []) | ("unsafe", []) => clauses.push(Clause::Violation),
                ("value", []) => values = true,
                ("voters", _) | ("outgoing", _) | ("learners", _) if !a.vals.is_empty() => {
                    let set = match a.key.as_str() {
                        "voters" => ConfigSet::Voters,
                        "outgoing" => ConfigSet::Outgoing,
                        _ => ConfigSet::Learners,
                    };
                    let mut ids = parse_id_list(&a.vals).map_err(err)?;
                    ids.sort_unstable();
                    ids.dedup();
                    clauses.push(Clause::Config { set, ids });
                }
                ("joint", []) => clauses.push(Clause::Joint(true)),
                ("joint", [v]) => clauses.push(Clause::Joint(parse_bool(v).map_err(err)?)),
                ("state", [v]) => clauses.push(Clause::State(
                    state_from_name(v).ok_or_else(|| err(format!("unknown state {v}")))?,
                )),
                _ => clauses.push(parse_comparison(&a.to_string()).map_err(err)?),
            }
        }
        if clauses.is_empty() {
            return Err(ArgError::new(
                "nothing to check: use e.g. leader=1, term=2, committed>=5, state=StateLeader, value x=5, safe",
            ));
        }
        Ok(Condition { clauses, nodes })
    }
}

/// `committed>=5` and friends (the datadriven reader has already split at the first `=`, so
/// the argument is rebuilt as text first).
fn parse_comparison(s: &str) -> Result<Clause, String> {
    let pos = s
        .find(['=', '!', '<', '>'])
        .ok_or_else(|| format!("cannot read condition {s:?}: want e.g. committed>=5"))?;
    let (name, rest) = s.split_at(pos);
    let field = Field::from_name(name).ok_or_else(|| {
        format!("unknown field {name:?}: want term, committed, applied, vote, lead or last-index")
    })?;
    let (op, num) = [
        CmpOp::Ge,
        CmpOp::Le,
        CmpOp::Ne,
        CmpOp::Eq,
        CmpOp::Gt,
        CmpOp::Lt,
    ]
    .into_iter()
    .find_map(|op| rest.strip_prefix(op.symbol()).map(|n| (op, n)))
    .ok_or_else(|| format!("cannot read condition {s:?}"))?;
    let value = num
        .parse::<u64>()
        .map_err(|_| format!("{s}: {num:?} is not a number"))?;
    Ok(Clause::Compare { field, op, value })
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

fn parse_link_target(s: &str) -> Result<LinkTarget, String> {
    if s == "*" {
        return Ok(LinkTarget::All);
    }
    let (a, b, both) = if let Some((a, b)) = s.split_once("->") {
        (a, b, false)
    } else if let Some((a, b)) = s.split_once('-') {
        (a, b, true)
    } else {
        return Err(format!(
            "invalid link {s:?}: want 1->2 (one way), 1-2 (both ways) or *"
        ));
    };
    let (a, b) = (parse_id(a)?, parse_id(b)?);
    if a == b {
        return Err(format!("a node has no link to itself ({s})"));
    }
    Ok(if both {
        LinkTarget::Both(a, b)
    } else {
        LinkTarget::OneWay(a, b)
    })
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

    /// Parses one directive of a script.
    pub fn from_directive(d: &TestData) -> Result<Command, ArgError> {
        parse_command(d)
    }

    /// Parses one line of script text (plus input lines for `propose-conf-change`).
    pub fn parse(text: &str) -> Result<Command, ScriptError> {
        let ds = datadriven::parse(&format!("{text}\n----\n")).map_err(ScriptError::from)?;
        match ds.as_slice() {
            [d] => parse_command(d).map_err(|e| e.locate(text, d)),
            _ => Err(ScriptError {
                line: 1,
                column: 1,
                message: "expected exactly one command".into(),
            }),
        }
    }
}

// ---- argument parsing -------------------------------------------------------------------------

/// A command that does not parse: which argument (for the column) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgError {
    /// Index into the directive's arguments, when one argument is to blame.
    pub arg: Option<usize>,
    pub message: String,
}

impl ArgError {
    fn new(message: impl Into<String>) -> Self {
        ArgError {
            arg: None,
            message: message.into(),
        }
    }

    fn at(arg: usize, message: impl Into<String>) -> Self {
        ArgError {
            arg: Some(arg),
            message: message.into(),
        }
    }

    /// Places the error in the script: the line of the directive and the column of the
    /// argument (found again in the source line), or of the command.
    fn locate(self, text: &str, d: &TestData) -> ScriptError {
        let line_text = text.lines().nth(d.line.saturating_sub(1)).unwrap_or("");
        let indent = line_text.len() - line_text.trim_start().len();
        let mut column = indent + 1;
        if let Some(i) = self.arg {
            // Find the i-th argument's key after the command name, in order.
            let mut pos = indent + d.cmd.len();
            for (j, a) in d.cmd_args.iter().enumerate() {
                let Some(found) = line_text
                    .get(pos..)
                    .and_then(|rest| rest.find(a.key.as_str()))
                else {
                    break;
                };
                pos += found;
                if j == i {
                    column = pos + 1;
                    break;
                }
                pos += a.key.len();
            }
        }
        ScriptError {
            line: d.line,
            column,
            message: self.message,
        }
    }
}

fn parse_id(s: &str) -> Result<NodeId, String> {
    match s.parse::<u64>() {
        Ok(0) => Err("node ids start at 1".into()),
        Ok(n) => check_id(n),
        Err(_) => Err(format!("invalid node id {s:?}")),
    }
}

/// A node id within [`limits::MAX_NODE_ID`].
fn check_id(n: u64) -> Result<NodeId, String> {
    if n > limits::MAX_NODE_ID {
        return Err(format!(
            "node id {n} is over the limit of {} (ids run from 1 to {})",
            limits::MAX_NODE_ID,
            limits::MAX_NODE_ID
        ));
    }
    Ok(n)
}

fn parse_u64(s: &str) -> Result<u64, String> {
    s.parse::<u64>()
        .map_err(|_| format!("invalid number {s:?}"))
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!("invalid boolean {s:?}")),
    }
}

/// The powers of ten that are exact doubles.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A rate the way scripts write it: the shortest decimal that [`parse_rate`] reads back as the
/// very same number (`0.3`, `1`, `0.05`), which is also what `{}` prints for it. Like the parser
/// it works on integers, so the page's wasm needs no float printer. A number that no decimal of
/// up to 22 places and 2^53 digits gives exactly (none that a script or the page makes) is
/// printed rounded to 22 places.
pub fn format_rate(r: f64) -> String {
    if r.is_nan() {
        return "NaN".to_string();
    }
    let sign = if r.is_sign_negative() && r != 0.0 {
        "-"
    } else {
        ""
    };
    let r = r.abs();
    if r.is_infinite() {
        return format!("{sign}inf");
    }
    let exact = |places: usize| {
        let m = (r * POW10[places]).round();
        (m <= (1u64 << 53) as f64 && m / POW10[places] == r).then_some(m as u64)
    };
    let (mut digits, mut places) = (0..POW10.len())
        .find_map(|p| exact(p).map(|m| (m, p)))
        .unwrap_or_else(|| {
            // Seventeen significant digits (as many as a double has), or 22 places.
            let places = (0..POW10.len())
                .find(|&p| r * POW10[p] >= 1e16)
                .unwrap_or(POW10.len() - 1);
            ((r * POW10[places]).round() as u64, places)
        });
    // Trailing zeros of the fallback say nothing.
    while places > 0 && digits % 10 == 0 {
        digits /= 10;
        places -= 1;
    }
    let text = format!("{digits:0>width$}", width = places + 1);
    let (int, frac) = text.split_at(text.len() - places);
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// A probability written as a decimal between 0 and 1 (`0.3`, `1`, `.05`). It is the `f64`
/// nearest the decimal, exactly what `str::parse` gives: with at most 2^53 as the digits and
/// 10^22 as the divisor, both are exact doubles and one correctly rounded division is the
/// nearest double to their quotient.
fn parse_rate(s: &str) -> Result<f64, String> {
    let plain =
        s.bytes().any(|b| b.is_ascii_digit()) && s.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let bad = || {
        if plain && s.bytes().filter(|&b| b == b'.').count() <= 1 {
            format!("rate {s:?} has more digits than can be kept exactly (15 at most)")
        } else {
            format!("invalid rate {s:?}: want a decimal between 0 and 1, e.g. 0.3")
        }
    };
    let (digits, places) = parse_decimal(s).ok_or_else(bad)?;
    let divisor = POW10.get(places as usize).ok_or_else(bad)?;
    if digits > 1 << 53 {
        return Err(bad());
    }
    let v = digits as f64 / divisor;
    if v > 1.0 {
        return Err(format!("rate {s} is not between 0 and 1"));
    }
    Ok(v)
}

/// `(1 2 3)`, `(1, 2, 3)` or `1,2,3` as ids: the reader hands over the list's items, each of
/// which may still hold spaces.
fn parse_id_list(vals: &[String]) -> Result<Vec<NodeId>, String> {
    let mut out = Vec::new();
    for v in vals {
        for tok in v
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            out.push(parse_id(tok)?);
        }
    }
    Ok(out)
}

fn one_val(a: &CmdArg, i: usize) -> Result<&str, ArgError> {
    match a.vals.as_slice() {
        [v] => Ok(v),
        _ => Err(ArgError::at(
            i,
            format!("{}: want exactly one value", a.key),
        )),
    }
}

/// The bare arguments as node ids.
fn bare_ids(d: &TestData) -> Result<Vec<NodeId>, ArgError> {
    let mut out = Vec::new();
    for (i, a) in d.cmd_args.iter().enumerate() {
        if a.vals.is_empty() {
            out.push(parse_id(&a.key).map_err(|e| ArgError::at(i, e))?);
        }
    }
    Ok(out)
}

/// The first argument as a node id.
fn first_id(d: &TestData) -> Result<NodeId, ArgError> {
    let a = d
        .cmd_args
        .first()
        .ok_or_else(|| ArgError::new(format!("{}: missing node id", d.cmd)))?;
    if !a.vals.is_empty() {
        return Err(ArgError::at(0, format!("{}: want a node id first", d.cmd)));
    }
    parse_id(&a.key).map_err(|e| ArgError::at(0, e))
}

/// Exactly one node id, nothing else.
fn only_id(d: &TestData) -> Result<NodeId, ArgError> {
    let id = first_id(d)?;
    if d.cmd_args.len() > 1 {
        return Err(ArgError::at(
            1,
            format!("{}: unexpected argument {}", d.cmd, d.cmd_args[1]),
        ));
    }
    Ok(id)
}

fn no_args(d: &TestData) -> Result<(), ArgError> {
    match d.cmd_args.first() {
        None => Ok(()),
        Some(a) => Err(ArgError::at(
            0,
            format!("{}: unexpected argument {a}", d.cmd),
        )),
    }
}

fn named<'a>(d: &'a TestData, key: &str) -> Option<(usize, &'a CmdArg)> {
    d.cmd_args.iter().enumerate().find(|(_, a)| a.key == key)
}

fn parse_command(d: &TestData) -> Result<Command, ArgError> {
    use Command::*;
    let ae = |i: usize| move |e: String| ArgError::at(i, e);
    Ok(match d.cmd.as_str() {
        "cluster" => parse_cluster(d)?,
        "add-nodes" => parse_add_nodes(d)?,
        "campaign" => Campaign(only_id(d)?),
        "propose" => {
            let node = first_id(d)?;
            if d.cmd_args.len() != 2 || !d.cmd_args[1].vals.is_empty() {
                let rest: Vec<String> = d.cmd_args.iter().skip(1).map(|a| a.to_string()).collect();
                return Err(ArgError::new(format!(
                    "expected exactly one key with no vals: [{}]",
                    rest.join(" ")
                )));
            }
            let data = limits::data(&d.cmd_args[1].key, "proposal data").map_err(ae(1))?;
            Propose {
                node,
                data: data.to_string(),
            }
        }
        "propose-conf-change" => {
            let node = first_id(d)?;
            let mut v1 = false;
            let mut transition = ConfChangeTransition::ConfChangeTransitionAuto;
            for (i, a) in d.cmd_args.iter().enumerate().skip(1) {
                let v = one_val(a, i)?;
                match a.key.as_str() {
                    "v1" => v1 = parse_bool(v).map_err(ae(i))?,
                    "transition" => {
                        transition = match v {
                            "auto" => ConfChangeTransition::ConfChangeTransitionAuto,
                            "implicit" => ConfChangeTransition::ConfChangeTransitionJointImplicit,
                            "explicit" => ConfChangeTransition::ConfChangeTransitionJointExplicit,
                            _ => return Err(ArgError::at(i, format!("unknown transition {v}"))),
                        }
                    }
                    _ => return Err(ArgError::at(i, format!("unknown command {}", a.key))),
                }
            }
            check_conf_changes(&d.input).map_err(ArgError::new)?;
            ProposeConfChange {
                node,
                v1,
                transition,
                changes: d.input.clone(),
            }
        }
        "process-ready" => ProcessReady(bare_ids(d)?),
        "deliver-msgs" => {
            let mut recipients: Vec<Recipient> = Vec::new();
            let mut msg_type = None;
            for (i, a) in d.cmd_args.iter().enumerate() {
                if a.vals.is_empty() {
                    recipients.push(Recipient {
                        id: parse_id(&a.key).map_err(ae(i))?,
                        drop: false,
                    });
                    continue;
                }
                match a.key.as_str() {
                    "drop" => {
                        for id in parse_id_list(&a.vals).map_err(ae(i))? {
                            if recipients.iter().any(|r| r.id == id) {
                                return Err(ArgError::at(
                                    i,
                                    format!("can't both deliver and drop msgs to {id}"),
                                ));
                            }
                            recipients.push(Recipient { id, drop: true });
                        }
                    }
                    "type" => {
                        let v = one_val(a, i)?;
                        msg_type =
                            Some(MessageType::from_name(v).ok_or_else(|| {
                                ArgError::at(i, format!("unknown message type {v}"))
                            })?);
                    }
                    _ => {
                        return Err(ArgError::at(
                            i,
                            format!("deliver-msgs: unknown argument {a}"),
                        ))
                    }
                }
            }
            DeliverMsgs {
                recipients,
                msg_type,
            }
        }
        "stabilize" => {
            let nodes = bare_ids(d)?;
            let log_level = match named(d, "log-level") {
                Some((i, a)) => Some(one_val(a, i)?.to_string()),
                None => None,
            };
            Stabilize { nodes, log_level }
        }
        "tick-election" => TickElection(only_id(d)?),
        "tick-heartbeat" => TickHeartbeat(only_id(d)?),
        "tick" => {
            let node = first_id(d)?;
            let count = match d.cmd_args.get(1) {
                None => 1,
                Some(a) => parse_u64(&a.key)
                    .and_then(|n| limits::count(n, limits::MAX_TICKS, "tick count"))
                    .map_err(ae(1))? as usize,
            };
            Tick { node, count }
        }
        "raft-log" => RaftLog(only_id(d)?),
        "raft-state" => {
            no_args(d)?;
            RaftState
        }
        "status" => Status(only_id(d)?),
        "transfer-leadership" => {
            let get = |k: &str| -> Result<NodeId, ArgError> {
                let (i, a) =
                    named(d, k).ok_or_else(|| ArgError::new(format!("missing argument: {k}")))?;
                parse_id(one_val(a, i)?).map_err(ae(i))
            };
            TransferLeadership {
                from: get("from")?,
                to: get("to")?,
            }
        }
        "forget-leader" => ForgetLeader(only_id(d)?),
        "report-unreachable" => match bare_ids(d)?.as_slice() {
            [node, peer] => ReportUnreachable {
                node: *node,
                peer: *peer,
            },
            _ => return Err(ArgError::new(
                "must specify exactly two node indexes: node on which to report, and reported node",
            )),
        },
        "compact" => {
            let node = first_id(d)?;
            let index = match d.cmd_args.get(1) {
                None => None,
                Some(a) => Some(
                    parse_u64(&a.key)
                        .and_then(|n| limits::count(n, limits::MAX_INDEX, "index"))
                        .map_err(ae(1))?,
                ),
            };
            Compact { node, index }
        }
        "send-snapshot" => match bare_ids(d)?.as_slice() {
            [from, to] => SendSnapshot {
                from: *from,
                to: *to,
            },
            ids => {
                return Err(ArgError::new(format!(
                    "send-snapshot: expected 2 node ids, got {}",
                    ids.len()
                )))
            }
        },
        "set-randomized-election-timeout" => {
            let node = first_id(d)?;
            let (i, a) =
                named(d, "timeout").ok_or_else(|| ArgError::new("missing argument: timeout"))?;
            let t = parse_u64(one_val(a, i)?)
                .and_then(|t| limits::count(t, limits::MAX_ELECTION_TICKS, "timeout"))
                .map_err(ae(i))?;
            if t == 0 {
                return Err(ArgError::at(i, "invalid timeout 0"));
            }
            SetRandomizedElectionTimeout {
                node,
                timeout: t as usize,
            }
        }
        "log-level" => {
            let a = d
                .cmd_args
                .first()
                .ok_or_else(|| ArgError::new("log-level: missing level"))?;
            let ok = raft::interaction::LEVEL_NAMES
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&a.key));
            if !ok {
                return Err(ArgError::at(
                    0,
                    format!(
                        "log levels must be either of [{}]",
                        raft::interaction::LEVEL_NAMES.join(" ")
                    ),
                ));
            }
            LogLevel(a.key.clone())
        }
        "process-append-thread" => ProcessAppendThread(bare_ids(d)?),
        "process-apply-thread" => ProcessApplyThread(bare_ids(d)?),
        "_breakpoint" => Breakpoint,
        "run" => {
            let a = d
                .cmd_args
                .first()
                .ok_or_else(|| ArgError::new("run: how long? e.g. run 500ms"))?;
            Run(parse_duration(&a.key)
                .and_then(|ms| limits::duration(ms, limits::MAX_RUN, "run"))
                .map_err(ae(0))?)
        }
        "run-until" => {
            let max = match named(d, "max") {
                Some((i, a)) => parse_duration(one_val(a, i)?)
                    .and_then(|ms| limits::duration(ms, limits::MAX_RUN, "max"))
                    .map_err(ae(i))?,
                None => DEFAULT_RUN_UNTIL_MAX,
            };
            RunUntil {
                condition: Condition::parse(&d.cmd_args, &["max"])?,
                max,
            }
        }
        "step" => Step(match d.cmd_args.first().map(|a| a.key.as_str()) {
            None => StepKind::Any,
            Some("tick") => StepKind::Tick,
            Some("message") | Some("msg") => StepKind::Message,
            Some("ready") => StepKind::Ready,
            Some(k) => {
                return Err(ArgError::at(
                    0,
                    format!("step {k}: want step, step tick, step message or step ready"),
                ))
            }
        }),
        "crash" => Crash(only_id(d)?),
        "restart" => Restart(only_id(d)?),
        "wipe" => Wipe(only_id(d)?),
        "pause" => Pause(only_id(d)?),
        "resume" => Resume(only_id(d)?),
        "partition" => Partition(parse_groups(d)?),
        "cut" => {
            let a = d
                .cmd_args
                .first()
                .ok_or_else(|| ArgError::new("cut: which link? e.g. cut 1->2 or cut 1-2"))?;
            match parse_link_target(&a.key).map_err(ae(0))? {
                LinkTarget::All => {
                    return Err(ArgError::at(0, "cut *: use partition to cut everything"))
                }
                t => Cut(t),
            }
        }
        "heal" => match d.cmd_args.first() {
            None => Heal(None),
            Some(a) => match parse_link_target(&a.key).map_err(ae(0))? {
                LinkTarget::All => Heal(None),
                LinkTarget::OneWay(..) => {
                    return Err(ArgError::at(
                        0,
                        "heal repairs both directions: write heal 1-2",
                    ));
                }
                t => Heal(Some(t)),
            },
        },
        "link" => {
            let a = d
                .cmd_args
                .first()
                .ok_or_else(|| ArgError::new("link: which link? e.g. link 1->2 drop=0.3"))?;
            let target = parse_link_target(&a.key).map_err(ae(0))?;
            let mut change = LinkChange::default();
            for (i, a) in d.cmd_args.iter().enumerate().skip(1) {
                if a.key == "reset" && a.vals.is_empty() {
                    change.reset = true;
                    continue;
                }
                let v = one_val(a, i)?;
                match a.key.as_str() {
                    "drop" => change.drop = Some(parse_rate(v).map_err(ae(i))?),
                    "delay" | "latency" => change.delay = Some(parse_latency(v).map_err(ae(i))?),
                    "duplicate" => change.duplicate = Some(parse_rate(v).map_err(ae(i))?),
                    "reorder" => change.reorder = Some(parse_rate(v).map_err(ae(i))?),
                    k => return Err(ArgError::at(i, format!("link: unknown setting {k}: want drop, delay, duplicate, reorder or reset"))),
                }
            }
            Link { target, change }
        }
        "disk" => {
            let node = first_id(d)?;
            let a = d
                .cmd_args
                .get(1)
                .ok_or_else(|| ArgError::new("disk: want lying, slow=50ms or ok"))?;
            let fault = match (a.key.as_str(), a.vals.as_slice()) {
                ("lying", []) => DiskFault::Lying,
                ("ok", []) | ("honest", []) => DiskFault::Ok,
                ("slow", [v]) => DiskFault::Slow(
                    parse_duration(v)
                        .and_then(|ms| limits::duration(ms, limits::MAX_LATENCY, "slow"))
                        .map_err(ae(1))?,
                ),
                _ => {
                    return Err(ArgError::at(
                        1,
                        format!("disk: unknown fault {a}: want lying, slow=50ms or ok"),
                    ))
                }
            };
            Disk { node, fault }
        }
        "drop-msg" | "duplicate-msg" | "deliver-msg" | "hold-msg" | "release-msg" => {
            let action = match d.cmd.as_str() {
                "drop-msg" => MessageAction::Drop,
                "duplicate-msg" => MessageAction::Duplicate,
                "deliver-msg" => MessageAction::Deliver,
                "hold-msg" => MessageAction::Hold,
                _ => MessageAction::Release,
            };
            let a = d
                .cmd_args
                .first()
                .ok_or_else(|| ArgError::new(format!("{}: which message id?", d.cmd)))?;
            Message {
                action,
                id: parse_u64(&a.key).map_err(ae(0))?,
            }
        }
        "manual" => Manual(only_id(d)?),
        "auto" => Auto(only_id(d)?),
        "policy" => {
            let node = first_id(d)?;
            let a = d
                .cmd_args
                .get(1)
                .ok_or_else(|| ArgError::new("policy: want raft-node or serve-channels"))?;
            let policy = ReadyPolicy::from_name(&a.key).ok_or_else(|| {
                ArgError::at(
                    1,
                    format!("unknown policy {}: want raft-node or serve-channels", a.key),
                )
            })?;
            Policy { node, policy }
        }
        "ready" => TakeReady(only_id(d)?),
        "persist" => ReadyStep {
            node: only_id(d)?,
            step: crate::node::ReadyStep::Persist,
        },
        "send" => ReadyStep {
            node: only_id(d)?,
            step: crate::node::ReadyStep::Send,
        },
        "apply" => ReadyStep {
            node: only_id(d)?,
            step: crate::node::ReadyStep::Apply,
        },
        "advance" => ReadyStep {
            node: only_id(d)?,
            step: crate::node::ReadyStep::Advance,
        },
        "put" | "get" | "delete" => parse_client(d)?,
        "load" => match d.cmd_args.first() {
            Some(a) if a.key == "off" && a.vals.is_empty() && d.cmd_args.len() == 1 => Load(None),
            Some(a) if a.key == "every" && d.cmd_args.len() == 1 => {
                let ms = parse_duration(one_val(a, 0)?).map_err(ae(0))?;
                if ms < limits::MIN_LOAD_EVERY {
                    return Err(ArgError::at(
                        0,
                        format!(
                            "load every={}: at least {} between puts",
                            format_duration(ms),
                            format_duration(limits::MIN_LOAD_EVERY)
                        ),
                    ));
                }
                Load(Some(
                    limits::duration(ms, limits::MAX_RUN, "load every").map_err(ae(0))?,
                ))
            }
            _ => return Err(ArgError::new("load: want load every=500ms or load off")),
        },
        "add-node" => Membership(MembershipChange::AddNode(only_id(d)?)),
        "add-learner" => Membership(MembershipChange::AddLearner(only_id(d)?)),
        "promote" => Membership(MembershipChange::Promote(only_id(d)?)),
        "remove-node" => Membership(MembershipChange::Remove(only_id(d)?)),
        "replace" => parse_replace(d)?,
        "leave-joint" => {
            no_args(d)?;
            Membership(MembershipChange::LeaveJoint)
        }
        "expect" => Expect(Condition::parse(&d.cmd_args, &[])?),
        "kv" => Kv(only_id(d)?),
        "history" => {
            no_args(d)?;
            History
        }
        "checker" => {
            no_args(d)?;
            Checker
        }
        "events" => match named(d, "last") {
            Some((i, a)) => Events(
                parse_u64(one_val(a, i)?)
                    .and_then(|n| limits::count(n, limits::MAX_EVENTS_LISTED, "last"))
                    .map_err(ae(i))? as usize,
            ),
            None => Events(20),
        },
        "stop-after" => {
            let (i, a) =
                named(d, "events").ok_or_else(|| ArgError::new("stop-after: want events=N"))?;
            StopAfter(
                parse_u64(one_val(a, i)?)
                    .and_then(|n| limits::count(n, limits::MAX_STOP_AFTER, "events"))
                    .map_err(ae(i))?,
            )
        }
        other => {
            return Err(ArgError::new(format!(
                "unknown command {other:?}; known commands: {}",
                COMMANDS.join(", ")
            )));
        }
    })
}

/// How long `run-until` waits when no `max=` is given.
pub const DEFAULT_RUN_UNTIL_MAX: Millis = 30_000;

/// Entries kept below a snapshot when the script does not say: a quarter of the snapshot
/// count (etcd keeps 5,000 below every 100,000).
fn default_catch_up(snapshot_count: u64) -> u64 {
    snapshot_count / 4
}

fn parse_cluster(d: &TestData) -> Result<Command, ArgError> {
    let a = d
        .cmd_args
        .first()
        .ok_or_else(|| ArgError::new("cluster: how many nodes? e.g. cluster 3"))?;
    let n = parse_u64(&a.key).map_err(|e| ArgError::at(0, e))?;
    if !(1..=9).contains(&n) {
        return Err(ArgError::at(
            0,
            format!("cluster {n}: between 1 and 9 nodes"),
        ));
    }
    let mut s = ClusterSetup {
        nodes: n,
        ..ClusterSetup::default()
    };
    let mut catch_up = None;
    for (i, a) in d.cmd_args.iter().enumerate().skip(1) {
        let ae = |e: String| ArgError::at(i, e);
        let v = one_val(a, i)?;
        match a.key.as_str() {
            "prevote" => s.pre_vote = parse_bool(v).map_err(ae)?,
            "checkquorum" => s.check_quorum = parse_bool(v).map_err(ae)?,
            "read-only" => {
                s.lease_reads = match v {
                    "lease-based" => true,
                    "safe" => false,
                    _ => return Err(ae(format!("invalid read-only option {v:?}"))),
                }
            }
            "policy" => {
                s.policy =
                    ReadyPolicy::from_name(v).ok_or_else(|| ae(format!("unknown policy {v}")))?;
            }
            "tick" => {
                s.tick = parse_duration(v)
                    .and_then(|ms| limits::duration(ms, limits::MAX_TICK_INTERVAL, "tick"))
                    .map_err(ae)?;
                if s.tick == 0 {
                    return Err(ae("tick 0ms: a tick interval is at least 1ms".into()));
                }
            }
            "election" => {
                s.election = parse_u64(v)
                    .and_then(|n| limits::count(n, limits::MAX_ELECTION_TICKS, "election"))
                    .map_err(ae)? as usize
            }
            "heartbeat" => {
                s.heartbeat = parse_u64(v)
                    .and_then(|n| limits::count(n, limits::MAX_ELECTION_TICKS, "heartbeat"))
                    .map_err(ae)? as usize
            }
            "latency" | "delay" => s.latency = parse_latency(v).map_err(ae)?,
            "sync" => {
                s.sync = parse_duration(v)
                    .and_then(|ms| limits::duration(ms, limits::MAX_LATENCY, "sync"))
                    .map_err(ae)?
            }
            "step-down-on-removal" => s.step_down_on_removal = parse_bool(v).map_err(ae)?,
            "snapshot-count" => {
                s.snapshot_count = parse_u64(v)
                    .and_then(|n| limits::count(n, limits::MAX_INDEX, "snapshot-count"))
                    .map_err(ae)?
            }
            "catch-up-entries" => {
                catch_up = Some(
                    parse_u64(v)
                        .and_then(|n| limits::count(n, limits::MAX_INDEX, "catch-up-entries"))
                        .map_err(ae)?,
                )
            }
            k => return Err(ae(format!("cluster: unknown option {k}"))),
        }
    }
    s.catch_up_entries = catch_up.unwrap_or(default_catch_up(s.snapshot_count));
    Ok(Command::Cluster(s))
}

fn parse_add_nodes(d: &TestData) -> Result<Command, ArgError> {
    let a = d
        .cmd_args
        .first()
        .ok_or_else(|| ArgError::new("add-nodes: missing node count"))?;
    let count = parse_u64(&a.key)
        .and_then(|n| limits::count(n, limits::MAX_NODE_ID, "node count"))
        .map_err(|e| ArgError::at(0, e))?;
    let mut out = AddNodes {
        count,
        ..AddNodes::default()
    };
    for (i, a) in d.cmd_args.iter().enumerate().skip(1) {
        let ae = |e: String| ArgError::at(i, e);
        for v in &a.vals {
            match a.key.as_str() {
                "voters" => out.voters.push(
                    raft::describe::parse_go_uint(v)
                        .and_then(check_id)
                        .map_err(ae)?,
                ),
                "learners" => out.learners.push(
                    raft::describe::parse_go_uint(v)
                        .and_then(check_id)
                        .map_err(ae)?,
                ),
                "index" => {
                    out.index = Some(
                        raft::describe::parse_go_uint(v)
                            .and_then(|n| limits::count(n, limits::MAX_INDEX, "index"))
                            .map_err(ae)?,
                    )
                }
                "content" => out.content = Some(limits::data(v, "content").map_err(ae)?.into()),
                "inflight" => {
                    out.inflight = Some(
                        parse_u64(v)
                            .and_then(|n| limits::count(n, limits::MAX_INFLIGHT, "inflight"))
                            .map_err(ae)? as usize,
                    )
                }
                "prevote" => out.pre_vote = Some(parse_bool(v).map_err(ae)?),
                "checkquorum" => out.check_quorum = Some(parse_bool(v).map_err(ae)?),
                "max-committed-size-per-ready" => {
                    out.max_committed_size_per_ready =
                        Some(raft::describe::parse_go_uint(v).map_err(ae)?)
                }
                "disable-conf-change-validation" => {
                    out.disable_conf_change_validation = Some(parse_bool(v).map_err(ae)?)
                }
                "read-only" => {
                    out.lease_reads = Some(match v.as_str() {
                        "lease-based" => true,
                        "safe" => false,
                        _ => return Err(ae(format!("invalid read-only option {v:?}"))),
                    })
                }
                "step-down-on-removal" => {
                    out.step_down_on_removal = Some(parse_bool(v).map_err(ae)?)
                }
                "async-storage-writes" if parse_bool(v).map_err(ae)? => {
                    return Err(ae("async-storage-writes is not supported".into()));
                }
                // etcd's harness ignores unknown options too.
                _ => {}
            }
        }
    }
    Ok(Command::AddNodes(out))
}

/// `partition (1 2) (3 4 5)`: the reader split the groups into words, so they are glued back
/// and read again.
fn parse_groups(d: &TestData) -> Result<Vec<Vec<NodeId>>, ArgError> {
    let text: Vec<String> = d.cmd_args.iter().map(|a| a.to_string()).collect();
    let text = text.join(" ");
    let mut groups = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some(inner) = rest.strip_prefix('(') else {
            return Err(ArgError::new(format!(
                "partition: want groups in parentheses, e.g. (1 2) (3 4 5), at {rest:?}"
            )));
        };
        let end = inner
            .find(')')
            .ok_or_else(|| ArgError::new("partition: unclosed parenthesis"))?;
        let ids = parse_id_list(&[inner[..end].to_string()]).map_err(ArgError::new)?;
        if ids.is_empty() {
            return Err(ArgError::new("partition: empty group"));
        }
        groups.push(ids);
        rest = inner[end + 1..].trim_start();
    }
    if groups.len() < 2 {
        return Err(ArgError::new(
            "partition: want at least two groups, e.g. (1 2) (3)",
        ));
    }
    Ok(groups)
}

/// A conf change's text (`v2 r1 l3`) within the limits: ids that name drawable nodes, and no
/// more operations than there are ids to change.
fn check_conf_changes(text: &str) -> Result<(), String> {
    let changes = raft::describe::conf_changes_from_string(text)?;
    limits::count(
        changes.len() as u64,
        2 * limits::MAX_NODE_ID,
        "number of changes",
    )?;
    for c in &changes {
        check_id(c.node_id)?;
    }
    Ok(())
}

fn parse_transition(v: &str) -> Result<ConfChangeTransition, String> {
    match v {
        "auto" => Ok(ConfChangeTransition::ConfChangeTransitionAuto),
        "implicit" => Ok(ConfChangeTransition::ConfChangeTransitionJointImplicit),
        "explicit" => Ok(ConfChangeTransition::ConfChangeTransitionJointExplicit),
        _ => Err(format!(
            "unknown transition {v}: want auto, explicit or implicit"
        )),
    }
}

/// `replace 1 with 4 [transition=explicit]`.
fn parse_replace(d: &TestData) -> Result<Command, ArgError> {
    let usage = "replace: want e.g. replace 1 with 4 [transition=auto|explicit|implicit]";
    let old = first_id(d).map_err(|e| ArgError {
        message: format!("{}; {usage}", e.message),
        ..e
    })?;
    match d.cmd_args.get(1) {
        Some(a) if a.key == "with" && a.vals.is_empty() => {}
        _ => return Err(ArgError::at(1.min(d.cmd_args.len()), usage)),
    }
    let new = match d.cmd_args.get(2) {
        Some(a) if a.vals.is_empty() => parse_id(&a.key).map_err(|e| ArgError::at(2, e))?,
        _ => return Err(ArgError::new(usage)),
    };
    if old == new {
        return Err(ArgError::at(
            2,
            format!("replace {old} with itself: nothing to do"),
        ));
    }
    let mut transition = ConfChangeTransition::ConfChangeTransitionAuto;
    for (i, a) in d.cmd_args.iter().enumerate().skip(3) {
        match a.key.as_str() {
            "transition" => {
                transition = parse_transition(one_val(a, i)?).map_err(|e| ArgError::at(i, e))?
            }
            _ => return Err(ArgError::at(i, format!("replace: unexpected argument {a}"))),
        }
    }
    Ok(Command::Membership(MembershipChange::Replace {
        old,
        new,
        transition,
    }))
}

fn parse_client(d: &TestData) -> Result<Command, ArgError> {
    let verb = match d.cmd.as_str() {
        "put" => ClientVerb::Put,
        "get" => ClientVerb::Get,
        _ => ClientVerb::Delete,
    };
    let node = first_id(d)?;
    let a = d
        .cmd_args
        .get(1)
        .ok_or_else(|| ArgError::new(format!("{}: which key?", d.cmd)))?;
    limits::data(&a.key, "key").map_err(|e| ArgError::at(1, e))?;
    for v in &a.vals {
        limits::data(v, "value").map_err(|e| ArgError::at(1, e))?;
    }
    let (key, value) = match (verb, a.vals.as_slice()) {
        (ClientVerb::Put, [v]) => (a.key.clone(), v.clone()),
        (ClientVerb::Put, _) => return Err(ArgError::at(1, "put: want key=value")),
        (_, []) => (a.key.clone(), String::new()),
        _ => return Err(ArgError::at(1, format!("{}: want a key only", d.cmd))),
    };
    let client = match d.cmd_args.get(2) {
        None => None,
        Some(c) if c.key == "client" => Some(
            parse_u64(one_val(c, 2)?)
                .and_then(|n| limits::count(n, limits::MAX_CLIENT_ID, "client"))
                .map_err(|e| ArgError::at(2, e))?,
        ),
        Some(c) => {
            return Err(ArgError::at(
                2,
                format!("{}: unexpected argument {c}", d.cmd),
            ))
        }
    };
    Ok(Command::Client {
        verb,
        node,
        key,
        value,
        client,
    })
}

// ---- running scripts --------------------------------------------------------------------------

/// A script that cannot run: where, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ScriptError {}

impl From<datadriven::ParseError> for ScriptError {
    fn from(e: datadriven::ParseError) -> Self {
        ScriptError {
            line: e.line,
            column: e.column,
            message: e.message,
        }
    }
}

/// One directive's run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectiveResult {
    /// 1-based line of the directive.
    pub line: usize,
    /// The command as written back (canonical form).
    pub command: String,
    /// The output the script expected (empty: not checked).
    pub expected: String,
    /// The output it produced.
    pub actual: String,
    /// Set when an `expect` (or `run-until`) failed.
    pub failure: Option<String>,
}

impl DirectiveResult {
    /// Whether the script wrote an expected output and it differs.
    pub fn mismatch(&self) -> bool {
        !self.expected.is_empty() && self.expected != self.actual
    }
}

/// What running a script produced.
#[derive(Clone, Debug)]
pub struct Transcript {
    /// The script with every expected output replaced by the actual one (datadriven's rewrite).
    pub rewritten: String,
    pub results: Vec<DirectiveResult>,
    /// The hash of the cluster's whole history of events.
    pub history_hash: u64,
    /// The cluster as the script left it.
    pub cluster: Cluster,
}

impl Transcript {
    /// Directives whose `expect` failed.
    pub fn failures(&self) -> Vec<&DirectiveResult> {
        self.results
            .iter()
            .filter(|r| r.failure.is_some())
            .collect()
    }

    /// Directives whose output differs from what the script expected.
    pub fn mismatches(&self) -> Vec<&DirectiveResult> {
        self.results.iter().filter(|r| r.mismatch()).collect()
    }

    /// No expectation failed and every written output matched.
    pub fn passed(&self) -> bool {
        self.results
            .iter()
            .all(|r| r.failure.is_none() && !r.mismatch())
    }

    /// A report for people: each failure and mismatch with its line.
    pub fn report(&self) -> String {
        let mut s = String::new();
        for r in &self.results {
            if let Some(f) = &r.failure {
                s.push_str(&format!("line {}: {}: {}\n", r.line, r.command, f));
            } else if r.mismatch() {
                s.push_str(&format!(
                    "line {}: {}: output differs\n--- expected\n{}--- actual\n{}",
                    r.line, r.command, r.expected, r.actual
                ));
            }
        }
        s
    }
}

/// A parsed script, ready to run on any cluster.
#[derive(Clone, Debug)]
pub struct Script {
    /// The script with a `----` after every command that had none.
    text: String,
    /// For each line of `text` (0-based), the line of the original script (1-based).
    lines: Vec<usize>,
    directives: Vec<(TestData, Command)>,
}

/// Commands that read input lines between the command and `----`.
fn takes_input(cmd: &str) -> bool {
    cmd == "propose-conf-change"
}

/// Lets commands stand alone, one per line, as people write them: every command not followed
/// by `----` gets one (and an empty expected output, which is not checked). A file in strict
/// datadriven form, such as etcd's transcripts, comes out unchanged. Returns the text and, for
/// each of its lines, the line of the original it comes from.
fn normalize(text: &str) -> (String, Vec<usize>) {
    let lines: Vec<&str> = {
        let mut v: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        if v.last() == Some(&"") {
            v.pop();
        }
        v
    };
    let mut out = String::with_capacity(text.len() + 64);
    let mut map = Vec::with_capacity(lines.len());
    let mut emit = |l: &str, orig: usize| {
        out.push_str(l);
        out.push('\n');
        map.push(orig + 1);
    };
    let n = lines.len();
    let mut i = 0;
    while i < n {
        let t = lines[i].trim();
        if t.is_empty() || t.starts_with('#') || lines[i] == "----" {
            emit(lines[i], i);
            i += 1;
            continue;
        }
        let start = i;
        emit(lines[i], i);
        while lines[i].trim_end().ends_with('\\') && i + 1 < n {
            i += 1;
            emit(lines[i], i);
        }
        i += 1;
        if takes_input(t.split(' ').next().unwrap_or("")) {
            while i < n && lines[i] != "----" && !lines[i].trim().is_empty() {
                emit(lines[i], i);
                i += 1;
            }
        }
        if i < n && lines[i] == "----" {
            // The expected output, copied as it is.
            emit(lines[i], i);
            i += 1;
            if i < n && lines[i] == "----" {
                emit(lines[i], i);
                i += 1;
                while i < n {
                    let closing = lines[i] == "----" && i + 1 < n && lines[i + 1] == "----";
                    emit(lines[i], i);
                    i += 1;
                    if closing {
                        emit(lines[i], i);
                        i += 1;
                        break;
                    }
                }
            } else {
                while i < n && !lines[i].trim().is_empty() {
                    emit(lines[i], i);
                    i += 1;
                }
            }
        } else {
            emit("----", start);
            emit("", start);
        }
    }
    (out, map)
}

impl Script {
    /// Parses a whole script; nothing runs if any line is malformed.
    pub fn parse(text: &str) -> Result<Script, ScriptError> {
        if text.len() > limits::MAX_SCRIPT_BYTES {
            return Err(ScriptError {
                line: 1,
                column: 1,
                message: format!(
                    "a script of {} bytes is over the limit of {}",
                    text.len(),
                    limits::MAX_SCRIPT_BYTES
                ),
            });
        }
        let (norm, lines) = normalize(text);
        let orig = |l: usize| lines.get(l.saturating_sub(1)).copied().unwrap_or(l);
        let ds = datadriven::parse(&norm).map_err(|e| ScriptError {
            line: orig(e.line),
            ..ScriptError::from(e)
        })?;
        if ds.len() > limits::MAX_SCRIPT_COMMANDS {
            return Err(ScriptError {
                line: orig(ds[limits::MAX_SCRIPT_COMMANDS].line),
                column: 1,
                message: format!(
                    "a script of {} commands is over the limit of {}",
                    ds.len(),
                    limits::MAX_SCRIPT_COMMANDS
                ),
            });
        }
        let mut directives = Vec::with_capacity(ds.len());
        for mut d in ds {
            let cmd = parse_command(&d).map_err(|e| {
                let mut e = e.locate(&norm, &d);
                e.line = orig(e.line);
                e
            })?;
            d.line = orig(d.line);
            directives.push((d, cmd));
        }
        Ok(Script {
            text: norm,
            lines,
            directives,
        })
    }

    pub fn commands(&self) -> impl Iterator<Item = &Command> {
        self.directives.iter().map(|(_, c)| c)
    }

    /// Runs the script on a fresh cluster with this seed.
    pub fn run(text: &str, seed: u64) -> Result<Transcript, ScriptError> {
        let script = Script::parse(text)?;
        Ok(script.run_on(Cluster::new(seed)))
    }

    /// The script with its expected outputs filled in from a run (datadriven's rewrite mode).
    pub fn rewrite(text: &str, seed: u64) -> Result<String, ScriptError> {
        Ok(Script::run(text, seed)?.rewritten)
    }

    /// Runs the script on `cluster` (see [`crate::script_run::ScriptRun`] for slices).
    pub fn run_on(&self, cluster: Cluster) -> Transcript {
        crate::script_run::ScriptRun::new(self.clone(), cluster)
            .run_to_end()
            .0
    }

    /// How many commands the script has.
    pub fn len(&self) -> usize {
        self.directives.len()
    }

    pub fn is_empty(&self) -> bool {
        self.directives.is_empty()
    }

    /// Command `i` (from 0).
    pub fn command(&self, i: usize) -> Option<&Command> {
        self.directives.get(i).map(|(_, c)| c)
    }

    /// The line of command `i` in the script as written (from 1).
    pub fn line_of(&self, i: usize) -> Option<usize> {
        self.directives.get(i).map(|(d, _)| d.line)
    }

    /// The script in datadriven's form (every command followed by `----`).
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The line of the original script that line `line` of [`Script::text`] comes from.
    pub(crate) fn original_line(&self, line: usize) -> usize {
        self.lines
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(line: &str) {
        let c = Command::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let printed = c.to_string();
        let again = Command::parse(&printed).unwrap_or_else(|e| panic!("{printed}: {e}"));
        assert_eq!(c, again, "{line} -> {printed}");
    }

    #[test]
    fn every_form_prints_back_to_itself() {
        for line in [
            "cluster 5",
            "cluster 3 prevote=true checkquorum=true policy=serve-channels tick=50ms election=5 heartbeat=2 latency=20..80ms sync=5ms",
            "add-nodes 3 voters=(1,2,3) index=2 prevote=true inflight=2",
            "add-nodes 1",
            "campaign 1",
            "propose 1 prop_1",
            "propose-conf-change 1 v1=true\nv2",
            "propose-conf-change 2 transition=explicit\nr1 v4",
            "process-ready 1 2 3",
            "deliver-msgs 1 drop=(2,3) type=MsgApp",
            "stabilize 1 2 log-level=none",
            "tick-election 1",
            "tick-heartbeat 2",
            "tick 3 4",
            "raft-log 1",
            "raft-state",
            "status 1",
            "transfer-leadership from=1 to=2",
            "forget-leader 3",
            "report-unreachable 1 2",
            "compact 1 11",
            "compact 1",
            "send-snapshot 1 3",
            "set-randomized-election-timeout 1 timeout=5",
            "log-level INFO",
            "run 500ms",
            "run 2s",
            "run-until leader max=5s",
            "run-until leader=2 term=3 max=10s",
            "run-until committed>=5 nodes=(1 2 3)",
            "step",
            "step message",
            "crash 3",
            "restart 3",
            "wipe 3",
            "pause 2",
            "resume 2",
            "partition (1 2) (3 4 5)",
            "cut 1->2",
            "cut 1-2",
            "heal",
            "heal 1-2",
            "link 1->2 drop=0.3 delay=20..80ms duplicate=0.1",
            "link * delay=30ms reorder=0.25",
            "link 2-3 reset",
            "disk 3 lying",
            "disk 3 slow=50ms",
            "disk 3 ok",
            "drop-msg 7",
            "deliver-msg 8",
            "manual 1",
            "auto 1",
            "policy 2 serve-channels",
            "ready 1",
            "persist 1",
            "send 1",
            "apply 1",
            "advance 1",
            "put 1 x=5",
            "get 2 x client=3",
            "delete 1 x",
            "expect leader=1 term=2",
            "expect committed>=5 nodes=(1 2 3)",
            "expect safe",
            "expect violation",
            "expect value x=5 y",
            "expect leader=none",
            "expect state=StateFollower nodes=(2)",
            "expect term!=3 applied<4",
            "kv 1",
            "history",
            "checker",
            "events last=5",
            "stop-after events=12",
            "load every=500ms",
            "load off",
            "cluster 5 snapshot-count=100",
            "cluster 5 snapshot-count=100 catch-up-entries=10",
            "cluster 5 step-down-on-removal=true",
            "add-node 4",
            "add-learner 6",
            "promote 6",
            "remove-node 1",
            "replace 1 with 4",
            "replace 3 with 5 transition=explicit",
            "replace 3 with 5 transition=implicit",
            "leave-joint",
            "expect voters=(1 2 4) outgoing=(1 2 3) learners=() joint",
            "expect joint=false voters=(1 2 3) nodes=(1 2)",
        ] {
            round_trip(line);
        }
    }

    #[test]
    fn conditions_read_as_written() {
        let c = Command::parse("expect leader=1 term=2").unwrap();
        let Command::Expect(c) = c else { panic!() };
        assert_eq!(
            c.clauses,
            vec![
                Clause::Leader(Some(1)),
                Clause::Compare {
                    field: Field::Term,
                    op: CmpOp::Eq,
                    value: 2
                }
            ]
        );
        let Command::Expect(c) = Command::parse("expect committed>=5 nodes=(1 2 3)").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            c.clauses,
            vec![Clause::Compare {
                field: Field::Commit,
                op: CmpOp::Ge,
                value: 5
            }]
        );
        assert_eq!(c.nodes, Some(vec![1, 2, 3]));
        let Command::Expect(c) = Command::parse("expect value x=5 gone").unwrap() else {
            panic!()
        };
        assert_eq!(
            c.clauses,
            vec![
                Clause::Value {
                    key: "x".into(),
                    value: Some("5".into())
                },
                Clause::Value {
                    key: "gone".into(),
                    value: None
                }
            ]
        );
    }

    #[test]
    fn membership_commands_read_as_written_and_explain_mistakes() {
        assert_eq!(
            Command::parse("replace 1 with 4 transition=explicit").unwrap(),
            Command::Membership(MembershipChange::Replace {
                old: 1,
                new: 4,
                transition: ConfChangeTransition::ConfChangeTransitionJointExplicit
            })
        );
        let Command::Expect(c) = Command::parse("expect voters=(4 2 1) learners=()").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            c.clauses,
            vec![
                Clause::Config {
                    set: ConfigSet::Voters,
                    ids: vec![1, 2, 4]
                },
                Clause::Config {
                    set: ConfigSet::Learners,
                    ids: vec![]
                }
            ]
        );
        for (line, want) in [
            ("replace 1 4", "want e.g. replace 1 with 4"),
            ("replace 1 with", "want e.g. replace 1 with 4"),
            ("replace 2 with 2", "with itself"),
            (
                "replace 1 with 4 transition=sideways",
                "unknown transition sideways",
            ),
            ("add-node", "missing node id"),
            ("add-node 0", "node ids start at 1"),
            ("leave-joint 3", "unexpected argument"),
        ] {
            let e = Command::parse(line).unwrap_err();
            assert!(e.message.contains(want), "{line}: {e}");
        }
    }

    #[test]
    fn durations_and_latencies() {
        assert_eq!(parse_duration("0.25s"), Ok(250));
        assert_eq!(parse_duration("2.50s"), Ok(2500));
        assert_eq!(parse_duration("0.5m"), Ok(30_000));
        assert_eq!(parse_duration("1.0ms"), Ok(1));
        assert!(parse_duration("1.5ms").is_err(), "not a whole millisecond");
        assert!(
            parse_duration("0.0001s").is_err(),
            "not a whole millisecond"
        );
        assert!(parse_duration(".s").is_err());
        assert!(parse_duration("1e3ms").is_err());
        assert!(parse_duration("99999999999999999999s").is_err(), "too long");
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("2s"), Ok(2000));
        assert_eq!(parse_duration("1.5s"), Ok(1500));
        assert_eq!(parse_duration("1m"), Ok(60_000));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("xs").is_err());
        assert_eq!(format_duration(2000), "2s");
        assert_eq!(format_duration(1500), "1500ms");
        assert_eq!(format_duration(0), "0ms");
        assert_eq!(parse_latency("20..80ms"), Ok(Latency { min: 20, max: 80 }));
        assert_eq!(
            parse_latency("1s..2s"),
            Ok(Latency {
                min: 1000,
                max: 2000
            })
        );
        assert!(parse_latency("80..20ms").is_err());
    }

    #[test]
    fn rates_are_the_nearest_double_to_their_decimal() {
        // The standard library's parser is the oracle: every decimal a person would write for
        // a probability, and some long ones, give the very same bits.
        let mut texts: Vec<String> = (0..=10_000).map(|n| format!("0.{n:04}")).collect();
        texts.extend((0..=1000).map(|n| format!("{}", f64::from(n) / 1000.0)));
        texts.extend(
            [
                "0",
                "1",
                "1.0",
                ".5",
                "0.",
                "0.1",
                "0.3",
                "0.7",
                "0.05",
                "0.333333333333333",
                "0.123456789012345",
                "0.999999999999999",
                "0.1000000000000000000000000",
                "0.0000000000000000000001",
            ]
            .map(String::from),
        );
        for t in &texts {
            let want: f64 = t.parse().unwrap();
            assert_eq!(parse_rate(t).map(f64::to_bits), Ok(want.to_bits()), "{t}");
        }
        for bad in [
            "", ".", "-0.1", "+0.1", "1e-1", "0,3", "nan", "inf", "0.1.2", "1.5", "2",
        ] {
            assert!(parse_rate(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_rate("2"),
            Err("rate 2 is not between 0 and 1".to_string())
        );
        // More digits than a double can take exactly are refused, not rounded twice.
        for long in ["0.12345678901234567890123", "0.9999999999999999"] {
            let e = parse_rate(long).unwrap_err();
            assert!(e.contains("more digits than can be kept exactly"), "{e}");
        }
        assert!(parse_rate(".").unwrap_err().contains("invalid rate"));
    }

    #[test]
    fn rates_print_as_the_shortest_decimal_that_reads_back() {
        // The standard printer is the oracle: same text, and it parses back to the same bits.
        // Every rate a script or the page makes is a decimal of at most 15 digits.
        let mut rates: Vec<f64> = (0..=10_000).map(|n| f64::from(n) / 10_000.0).collect();
        rates.extend([0.123456789012345, 1e-7, 0.999999999999999, 0.05, 0.1]);
        for r in rates {
            let text = format_rate(r);
            assert_eq!(text, format!("{r}"), "{r:?}");
            assert_eq!(
                parse_rate(&text).map(f64::to_bits),
                Ok(r.to_bits()),
                "{text}"
            );
        }
        // Sums and products that need all 17 digits print close to them.
        for r in [
            0.1 + 0.2,
            1.0 / 3.0,
            13.0 * 0.001,
            std::f64::consts::PI / 4.0,
        ] {
            let text = format_rate(r);
            let back: f64 = text.parse().unwrap();
            assert!((back - r).abs() <= r * 1e-15, "{r:?} printed {text}");
        }
        // Out of range (error messages print these too).
        assert_eq!(format_rate(2.0), "2");
        assert_eq!(format_rate(-0.5), "-0.5");
        assert_eq!(format_rate(f64::NAN), "NaN");
        assert_eq!(format_rate(-0.0), "0");
        assert_eq!(format_rate(f64::INFINITY), "inf");
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = Script::parse("cluster 3\n\nrun 5x\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 5), "{e}");
        assert!(e.message.contains("invalid duration"), "{e}");
        let e = Script::parse("cluster 3\n  link 1->2 drop=2\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 13), "{e}");
        let e = Script::parse("frobnicate 3\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert!(
            e.message
                .contains("unknown command \"frobnicate\"; known commands: _breakpoint, add-nodes"),
            "{e}"
        );
        let e = Script::parse("cluster 3\nput 1 x=(\n").unwrap_err();
        assert_eq!(
            e.line, 2,
            "the datadriven reader's own errors keep their place: {e}"
        );
        let e = Script::parse("partition (1 2) 3\n").unwrap_err();
        assert!(e.message.contains("parentheses"), "{e}");
    }
}
