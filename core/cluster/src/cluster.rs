//! The virtual cluster: nodes, network, clients and one virtual clock, driven by commands.
//!
//! There is one model and one way in: [`Cluster::execute`] takes a [`Command`] (the script
//! vocabulary) and changes the model, producing numbered [`Event`]s. The model can be driven
//! two ways, freely mixed:
//!
//! - **step by step**, with etcd's interaction vocabulary (`campaign`, `process-ready`,
//!   `deliver-msgs`, `stabilize`, ...): nothing happens unless a command says so, and the
//!   output is exactly what etcd's harness prints, so etcd's transcripts replay here;
//! - **by time** (`run 500ms`, `run-until`, `step`): the clock jumps to the next thing due (an
//!   fsync completing, a message arriving, a node's tick, a client's timer), nodes handle their
//!   Readys by their policy, messages travel with their link's latency and faults.
//!
//! Everything random (link faults, latencies, election timeouts, tick phases) is drawn from one
//! `ChaCha8Rng` seeded with the cluster's seed; maps are `BTreeMap`s; nothing reads a wall
//! clock. The same seed and commands therefore give the same events, on every run and target,
//! which [`Cluster::history_hash`] makes easy to compare.
//!
//! Time-driven processing happens in *micro-steps*, each producing exactly one event. That is
//! what lets time travel stop a command after any number of events and land on exactly the
//! state the event list shows.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::rc::Rc;

use raft::describe::{
    describe_conf_change, describe_entries, describe_hard_state, describe_message, describe_ready,
    describe_snapshot, unmarshal_conf_change, unmarshal_conf_change_v2,
};
use raft::interaction::{Output, LEVEL_NAMES};
use raft::logger::{Level, Logger, SharedLogger};
use raft::raftpb::{ConfChange, ConfChangeV2, ConfState, EntryType, Message, MessageType};
use raft::state::{ReadOnlyOption, StateType, NONE};
use raft::storage::Storage;
use raft::tracker::ProgressMap;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::checker::Checker;
use crate::clock::Millis;
use crate::command::{
    AddNodes, Clause, ClientVerb, ClusterSetup, CmpOp, Command, Condition, DiskFault, Field,
    LinkChange, LinkTarget, MessageAction, StepKind,
};
use crate::event::{
    entries_phrase, explain_delivery, explain_tick, message_phrase, section, Event, EventKind,
    Explanation, LogLine,
};
use crate::event_log::EventLog;
use crate::history::{History, OpId};
use crate::kv::{ApplyOutcome, ClientId, Command as KvCommand, Op, Reply, RequestId};
use crate::network::{random_between, DropReason, InFlight, LinkConfig, Network, NodeId};
use crate::node::{ApplyReport, Node, NodeConfig, ReadyStep};
use crate::recorder::Recorder;
use crate::view::{
    CheckerView, ClusterView, EntryKind, EntryView, EventView, LinkView, MessageView, NodeView,
    ProgressView, ReadyView, Role,
};

mod load;
mod membership;
mod pending;

pub use membership::{conf_change_text, MembershipState, REMOVED_STOP_TICKS, REMOVED_TEXT};

// ---- logging ---------------------------------------------------------------------------------

/// Where every node's Raft log lines go: kept for the current event, and echoed to the
/// command's output (etcd's harness prints them interleaved with its own text) unless the
/// command runs time, whose output is a summary.
#[derive(Debug)]
struct LogSink {
    lines: RefCell<Vec<LogLine>>,
    output: Output,
    echo: Cell<bool>,
    /// Drop every line unread: a replay that only needs the state it ends in (see
    /// [`Cluster::set_quiet_until`]).
    quiet: Cell<bool>,
}

impl LogSink {
    fn new(level: usize) -> Rc<LogSink> {
        let output = Output::default();
        output.set_level(level);
        Rc::new(LogSink {
            lines: RefCell::new(Vec::new()),
            output,
            echo: Cell::new(true),
            quiet: Cell::new(false),
        })
    }

    fn take(&self) -> Vec<LogLine> {
        std::mem::take(&mut *self.lines.borrow_mut())
    }
}

impl Logger for LogSink {
    fn log(&self, level: Level, msg: fmt::Arguments<'_>) {
        if self.quiet.get() {
            return;
        }
        let text = msg.to_string();
        if self.echo.get() {
            self.output.log(level, format_args!("{text}"));
        }
        self.lines.borrow_mut().push(LogLine { level, text });
    }
}

// ---- clients ---------------------------------------------------------------------------------

/// How clients wait and retry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConfig {
    /// How long a client waits for an accepted request before trying another node.
    pub timeout: Millis,
    /// How long it waits after every node refused the request.
    pub backoff: Millis,
    /// Rounds of attempts before it gives up.
    pub max_attempts: u32,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: 1000,
            backoff: 100,
            max_attempts: 10,
        }
    }
}

/// A request a client is waiting on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequest {
    pub op_id: OpId,
    pub op: Op,
    pub request: RequestId,
    /// The node the current attempt went to; the answer must come from it.
    pub node: NodeId,
    /// Rounds of attempts so far.
    pub attempts: u32,
    /// Some node accepted the request at some point: it may take effect even if the client
    /// never hears back.
    pub accepted: bool,
    /// The current attempt was accepted by `node`, and the client waits for its answer (rather
    /// than backing off after every node refused).
    pub in_flight: bool,
    /// When the client next acts (retries or gives up), if waiting.
    pub retry_at: Option<Millis>,
}

/// One client: a sequence of requests, one at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub next_seq: u64,
    pub pending: Option<PendingRequest>,
}

// ---- command results -------------------------------------------------------------------------

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Ok,
    /// The cluster refused or failed the command; the text is in the output too.
    Error(String),
    /// An `expect` (or the condition of `run-until`) did not hold.
    ExpectationFailed(String),
}

/// What a command printed and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandOutput {
    /// The transcript text: log lines at the current level, the command's own output, the
    /// error text; `ok` when empty.
    pub text: String,
    pub outcome: Outcome,
    /// Index of the first event the command produced, and one past its last.
    pub events: (u64, u64),
}

impl CommandOutput {
    pub fn is_ok(&self) -> bool {
        self.outcome == Outcome::Ok
    }
}

enum Failure {
    Error(String),
    Expectation(String),
}

impl From<String> for Failure {
    fn from(s: String) -> Self {
        Failure::Error(s)
    }
}

impl From<&str> for Failure {
    fn from(s: &str) -> Self {
        Failure::Error(s.to_string())
    }
}

impl From<crate::node::NodeError> for Failure {
    fn from(e: crate::node::NodeError) -> Self {
        Failure::Error(e.to_string())
    }
}

type CmdResult = Result<(), Failure>;

/// Events at one instant before a run is declared runaway (a zero-latency message loop).
const MAX_EVENTS_PER_INSTANT: u64 = 100_000;

/// How far `step` looks ahead for the event it waits for.
const STEP_HORIZON: Millis = 60_000;

// ---- the cluster -----------------------------------------------------------------------------

/// The whole simulation. Cloning it clones everything (a time-travel checkpoint); the clone
/// gets its own log sink, so the two never write into each other's output.
pub struct Cluster {
    seed: u64,
    rng: ChaCha8Rng,
    now: Millis,
    nodes: BTreeMap<NodeId, Node>,
    network: Network,
    clients: BTreeMap<ClientId, Client>,
    client_config: ClientConfig,
    history: History,
    events: EventLog,
    checker: Checker,
    recorder: Recorder,
    /// The configuration of nodes the playground creates.
    defaults: NodeConfig,
    /// The groups of the partition in force, for the page.
    partition: Vec<Vec<NodeId>>,
    sink: Rc<LogSink>,
    /// Stop the current command once this many events exist.
    budget: Option<u64>,
    /// Set by `stop-after`: the budget of the next command.
    next_budget: Option<u64>,
    /// Every command stops once this many events exist (a caller's step budget: a fuzzer's,
    /// or a page's stop button).
    event_limit: Option<u64>,
    /// Removed members, the newest configuration, etcd server's rules (see `membership`).
    membership: MembershipState,
    /// The background client load, if any (see `load`).
    load: Option<load::ClientLoad>,
    /// The command under way, when it runs in slices (see `pending`).
    pending: Option<pending::Pending>,
    /// Events before this one are not narrated (see [`Cluster::set_quiet_until`]).
    quiet_until: u64,
}

impl Clone for Cluster {
    fn clone(&self) -> Self {
        self.clone_parts(true)
    }
}

impl Cluster {
    /// A copy of the whole simulation; without `history`, the events and the recorded commands
    /// are left out (a time-travel checkpoint gets them back from the timeline, which holds
    /// them once instead of once per checkpoint).
    fn clone_parts(&self, history: bool) -> Cluster {
        let sink = LogSink::new(self.sink.output.level());
        sink.echo.set(self.sink.echo.get());
        let mut nodes = self.nodes.clone();
        for n in nodes.values_mut() {
            n.set_logger(sink.clone());
        }
        Cluster {
            seed: self.seed,
            rng: self.rng.clone(),
            now: self.now,
            nodes,
            network: self.network.clone(),
            clients: self.clients.clone(),
            client_config: self.client_config.clone(),
            history: self.history.clone(),
            events: if history {
                self.events.clone()
            } else {
                self.events.empty_like()
            },
            checker: self.checker.clone(),
            recorder: if history {
                self.recorder.clone()
            } else {
                Recorder::new()
            },
            defaults: self.defaults.clone(),
            partition: self.partition.clone(),
            sink,
            budget: self.budget,
            next_budget: self.next_budget,
            event_limit: self.event_limit,
            membership: self.membership.clone(),
            load: self.load,
            // A copy is taken between commands, or records the command under way up to here
            // (see `Cluster::split_run`): it starts with none.
            pending: None,
            quiet_until: 0,
        }
    }

    /// A copy without the event list and the recorded commands (see [`Cluster::restore_history`]).
    pub(crate) fn checkpoint(&self) -> Cluster {
        self.clone_parts(false)
    }

    /// Pins the commands recorded so far (see [`Recorder::seal`]).
    pub(crate) fn seal_recorder(&mut self) {
        self.recorder.seal();
    }

    /// Gives a checkpoint back the events and commands that led to it.
    pub(crate) fn restore_history(&mut self, events: EventLog, recorder: Recorder) {
        self.events = events;
        self.recorder = recorder;
    }
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cluster")
            .field("seed", &self.seed)
            .field("now", &self.now)
            .field("nodes", &self.nodes)
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// An empty cluster (no nodes yet: `cluster N` or `add-nodes` creates them). Output starts
    /// at DEBUG, like etcd's harness.
    pub fn new(seed: u64) -> Cluster {
        Cluster {
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
            now: 0,
            nodes: BTreeMap::new(),
            network: Network::new(),
            clients: BTreeMap::new(),
            client_config: ClientConfig::default(),
            history: History::new(),
            events: EventLog::new().with_window(crate::event_log::DEFAULT_WINDOW),
            checker: Checker::new(),
            recorder: Recorder::new(),
            defaults: NodeConfig::playground(),
            partition: Vec::new(),
            sink: LogSink::new(0),
            budget: None,
            next_budget: None,
            event_limit: None,
            membership: MembershipState::default(),
            load: None,
            pending: None,
            quiet_until: 0,
        }
    }

    /// A cluster of `n` voters with the playground's defaults (`cluster n`), logging at INFO.
    pub fn with_nodes(n: u64, seed: u64) -> Cluster {
        let mut c = Cluster::new(seed);
        c.execute(Command::LogLevel("info".into()));
        c.execute(Command::Cluster(ClusterSetup {
            nodes: n,
            ..ClusterSetup::default()
        }));
        c
    }

    // ---- accessors -------------------------------------------------------------------------

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Virtual time, in milliseconds.
    pub fn now(&self) -> Millis {
        self.now
    }

    pub fn nodes(&self) -> &BTreeMap<NodeId, Node> {
        &self.nodes
    }

    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(&id)
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    pub fn clients(&self) -> &BTreeMap<ClientId, Client> {
        &self.clients
    }

    pub fn client_config_mut(&mut self) -> &mut ClientConfig {
        &mut self.client_config
    }

    /// The clients' operations (the linearizability checker's input).
    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn events(&self) -> &[Event] {
        self.events.kept()
    }

    /// Every event of the run, counted, and the latest of them (see [`EventLog`]).
    pub fn event_log(&self) -> &EventLog {
        &self.events
    }

    /// Keeps only about the latest `window` events (0: all of them; the default is
    /// [`DEFAULT_WINDOW`](crate::event_log::DEFAULT_WINDOW)): the page's event log and a
    /// script's listings need the latest, and time travel replays the rest.
    pub fn set_event_window(&mut self, window: usize) {
        self.events.set_window(window);
    }

    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// Every command executed so far: the session as a script.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// The configuration `cluster N` gave the nodes.
    pub fn defaults(&self) -> &NodeConfig {
        &self.defaults
    }

    /// The groups of the partition in force (empty when none).
    pub fn partition_groups(&self) -> &[Vec<NodeId>] {
        &self.partition
    }

    /// A stable hash of every event: same seed and commands, same hash. A past state that time
    /// travel cut out of a windowed log (see [`Cluster::set_event_window`]) no longer has the
    /// events before its window and answers 0.
    pub fn history_hash(&self) -> u64 {
        self.events.hash().unwrap_or(0)
    }

    /// The node that leads in the highest term, among running nodes.
    pub fn leader(&self) -> Option<NodeId> {
        self.nodes
            .iter()
            .filter_map(|(&id, n)| n.raw().map(|r| (id, &r.raft)))
            .filter(|(_, r)| r.state == StateType::StateLeader)
            .max_by_key(|(id, r)| (r.term, std::cmp::Reverse(*id)))
            .map(|(id, _)| id)
    }

    // ---- the one way in --------------------------------------------------------------------

    /// Executes one command, records it, and returns what it printed.
    pub fn execute(&mut self, cmd: Command) -> CommandOutput {
        self.begin(cmd);
        loop {
            if let Some(out) = self.resume(None) {
                return out;
            }
        }
    }

    /// Errors show even when the level silences everything else (etcd's harness does that).
    fn write_failure(out: &Output, e: &str) {
        if out.quiet() {
            let level = out.level();
            out.set_level(0);
            out.write_str(e);
            out.set_level(level);
        } else {
            out.write_str(e);
        }
    }

    fn out(&self) -> Output {
        self.sink.output.clone()
    }

    fn write(&self, s: &str) {
        self.sink.output.write_str(s);
    }

    fn stopped(&self) -> bool {
        let n = self.events.len();
        self.budget.is_some_and(|b| n >= b) || self.event_limit.is_some_and(|l| n >= l)
    }

    /// Stops every command once the history holds `limit` events (`None`: no limit). Commands
    /// then return at once, as after `stop-after`.
    pub fn set_event_limit(&mut self, limit: Option<u64>) {
        self.event_limit = limit;
    }

    fn next_event(&self) -> u64 {
        self.events.len()
    }

    /// Records an event: the state change already happened. The checker looks at the cluster
    /// right after it.
    fn emit(&mut self, kind: EventKind, node: Option<NodeId>, e: Explanation) {
        let index = self.next_event();
        let log = self.sink.take();
        self.sink.quiet.set(index + 1 < self.quiet_until);
        self.events.push(Event {
            index,
            at: self.now,
            kind,
            node,
            explanation: e.text,
            section: e.section.map(str::to_string),
            log,
        });
        self.checker.after_event(index, &self.nodes);
        // A violation seen at this event is part of its story: the event log says so where
        // it happened.
        let notes: Vec<String> = self
            .checker
            .violations()
            .iter()
            .filter(|v| v.event == index)
            .map(|v| format!("; SAFETY VIOLATION: {}: {}", v.property.name(), v.message))
            .collect();
        if let Some(e) = self.events.last_mut() {
            for n in notes {
                e.explanation.push_str(&n);
            }
        }
    }

    /// Makes the events before `index` without their text: no explanation, no log lines. A
    /// seek replays the past from a checkpoint only to show where it ends, and words nobody
    /// reads are most of a replay's work; the events just before the target are narrated, for
    /// the event log. The events themselves, and every state, are the same.
    pub(crate) fn set_quiet_until(&mut self, index: u64) {
        self.quiet_until = index;
        self.sink.quiet.set(self.events.len() < index);
    }

    /// Whether the next event is narrated (see [`Cluster::set_quiet_until`]).
    fn narrating(&self) -> bool {
        self.events.len() >= self.quiet_until
    }

    fn logger(&self) -> SharedLogger {
        self.sink.clone()
    }

    fn node_ref(&self, id: NodeId) -> Result<&Node, Failure> {
        let n = self.nodes.len();
        self.nodes.get(&id).ok_or_else(|| {
            Failure::Error(format!("node {id} does not exist (there are {n} nodes)"))
        })
    }

    fn node_mut(&mut self, id: NodeId) -> Result<&mut Node, Failure> {
        let n = self.nodes.len();
        self.nodes.get_mut(&id).ok_or_else(|| {
            Failure::Error(format!("node {id} does not exist (there are {n} nodes)"))
        })
    }

    fn up_node(&mut self, id: NodeId) -> Result<&mut Node, Failure> {
        let n = self.node_mut(id)?;
        if !n.is_up() {
            return Err(Failure::Error(format!("node {id} is down")));
        }
        Ok(n)
    }

    fn dispatch(&mut self, cmd: &Command) -> CmdResult {
        use Command as C;
        match cmd {
            C::Cluster(s) => self.setup_cluster(s),
            C::AddNodes(a) => self.add_nodes(a),
            C::Campaign(id) => self.order(*id, "campaigns", |r| {
                r.campaign().map_err(|e| e.to_string())
            }),
            C::Propose { node, data } => {
                let data = data.as_bytes().to_vec();
                self.order(*node, "is asked to propose an entry", move |r| {
                    r.propose(data).map_err(|e| e.to_string())
                })
            }
            C::ProposeConfChange {
                node,
                v1,
                transition,
                changes,
            } => self.propose_conf_change(*node, *v1, *transition, changes),
            C::ProcessReady(ids) => {
                for &id in ids {
                    if self.stopped() {
                        break;
                    }
                    if ids.len() > 1 {
                        self.write(&format!("> {id} handling Ready\n"));
                        let out = self.out();
                        out.with_indent(|| self.process_ready(id))?;
                    } else {
                        self.process_ready(id)?;
                    }
                }
                Ok(())
            }
            C::DeliverMsgs {
                recipients,
                msg_type,
            } => {
                let mut n = 0;
                for r in recipients {
                    n += self.deliver_msgs(r.id, r.drop, *msg_type);
                }
                if n == 0 {
                    self.write("no messages\n");
                }
                Ok(())
            }
            C::Stabilize { nodes, log_level } => {
                let old = self.sink.output.level();
                let res = match log_level {
                    Some(l) => self.set_log_level(l),
                    None => Ok(()),
                };
                let res = res.and_then(|()| self.stabilize(nodes));
                self.sink.output.set_level(old);
                res
            }
            C::TickElection(id) => {
                let n = self.node_ref(*id)?.config.election_tick;
                self.tick_node(*id, n)
            }
            C::TickHeartbeat(id) => {
                let n = self.node_ref(*id)?.config.heartbeat_tick;
                self.tick_node(*id, n)
            }
            C::Tick { node, count } => self.tick_node(*node, *count),
            C::RaftLog(id) => self.raft_log(*id),
            C::RaftState => {
                self.raft_state();
                Ok(())
            }
            C::Status(id) => {
                let n = self.node_ref(*id)?;
                let raw = n.raw().ok_or_else(|| format!("node {id} is down"))?;
                let m = ProgressMap::from(raw.status().progress);
                self.write(&m.to_string());
                Ok(())
            }
            C::TransferLeadership { from, to } => {
                let to = *to;
                self.order(
                    *from,
                    &format!("is asked to transfer leadership to {to}"),
                    move |r| {
                        r.transfer_leader(to);
                        Ok(())
                    },
                )
            }
            C::ForgetLeader(id) => self.order(*id, "is told to forget its leader", |r| {
                // etcd's harness ignores the result; a refusal shows as a log line.
                let _ = r.forget_leader();
                Ok(())
            }),
            C::ReportUnreachable { node, peer } => {
                self.node_ref(*peer)?;
                let peer = *peer;
                self.order(
                    *node,
                    &format!("is told that {peer} is unreachable"),
                    move |r| {
                        r.report_unreachable(peer);
                        Ok(())
                    },
                )
            }
            C::Compact { node, index } => self.compact(*node, *index),
            C::SendSnapshot { from, to } => self.send_snapshot(*from, *to),
            C::SetRandomizedElectionTimeout { node, timeout } => {
                let t = *timeout;
                self.order(
                    *node,
                    &format!("gets a randomized election timeout of {t} ticks"),
                    move |r| {
                        r.raft.randomized_election_timeout = t;
                        Ok(())
                    },
                )
            }
            C::LogLevel(l) => self.set_log_level(l),
            C::ProcessAppendThread(ids) => self.storage_thread(ids, "append"),
            C::ProcessApplyThread(ids) => self.storage_thread(ids, "apply"),
            C::Breakpoint => Ok(()),
            // Begun and resumed in slices (see `pending`).
            C::Run(_) | C::RunUntil { .. } | C::Step(_) => Ok(()),
            C::Crash(id) => self.crash_node(*id),
            C::Restart(id) => self.restart_node(*id),
            C::Wipe(id) => self.wipe(*id),
            C::Pause(id) => self.pause(*id, true),
            C::Resume(id) => self.pause(*id, false),
            C::Partition(groups) => self.partition(groups),
            C::Cut(t) => self.cut(*t),
            C::Heal(t) => self.heal(*t),
            C::Link { target, change } => self.link(*target, change),
            C::Disk { node, fault } => self.disk_fault(*node, *fault),
            C::Message { action, id } => self.message_action(*action, *id),
            C::Manual(id) => self.set_manual(*id, true),
            C::Auto(id) => self.set_manual(*id, false),
            C::Policy { node, policy } => {
                let id = *node;
                self.node_mut(id)?.config.policy = *policy;
                self.emit(
                    EventKind::Mode,
                    Some(id),
                    Explanation::new(
                        format!(
                            "{id} now handles its Readys like {}",
                            policy_long_name(*policy)
                        ),
                        None,
                    ),
                );
                Ok(())
            }
            C::TakeReady(id) => self.take_ready_cmd(*id),
            C::ReadyStep { node, step } => self.manual_step(*node, *step),
            C::Client {
                verb,
                node,
                key,
                value,
                client,
            } => self.client_op(*verb, *node, key, value, *client),
            C::Load(every) => self.set_load(*every),
            C::Membership(m) => self.membership_change(*m),
            C::Expect(c) => self.evaluate(c).map_err(Failure::Expectation),
            C::Kv(id) => {
                let n = self.node_ref(*id)?;
                if !n.is_up() {
                    return Err(format!("node {id} is down").into());
                }
                let s = lines_or(
                    n.kv.data().iter().map(|(k, v)| format!("{k}={v}")),
                    "(empty)",
                );
                self.write(&s);
                Ok(())
            }
            C::History => {
                let s = lines_or(self.history.lines(), "(no operations)");
                self.write(&s);
                Ok(())
            }
            C::Checker => {
                let mut s = lines_or(
                    self.checker
                        .violations()
                        .iter()
                        .map(|v| format!("{v} (nodes {})", ids_text(&v.nodes))),
                    "safe",
                );
                if let Some(u) = &self.checker.linearizability_unknown {
                    let _ = writeln!(s, "linearizability: {u}");
                }
                self.write(&s);
                Ok(())
            }
            C::Events(n) => {
                let kept = self.events.kept();
                let start = kept.len().saturating_sub(*n);
                let mut s = String::new();
                for e in &kept[start..] {
                    let _ = writeln!(s, "{e}");
                }
                self.write(&s);
                Ok(())
            }
            C::StopAfter(_) => Ok(()),
        }
    }

    fn set_log_level(&mut self, name: &str) -> CmdResult {
        match LEVEL_NAMES
            .iter()
            .position(|l| l.eq_ignore_ascii_case(name))
        {
            Some(i) => {
                self.sink.output.set_level(i);
                Ok(())
            }
            None => Err(format!("log levels must be either of [{}]", LEVEL_NAMES.join(" ")).into()),
        }
    }

    // ---- setup -----------------------------------------------------------------------------

    fn start_node(&mut self, id: NodeId) -> Result<(), Failure> {
        let seed = self.rng.next_u64();
        let interval = self.node_ref(id)?.config.tick_interval.max(1);
        let phase = random_between(&mut self.rng, 0, interval - 1);
        let (now, logger) = (self.now, self.logger());
        self.node_mut(id)?.start(now, phase, seed, logger)?;
        Ok(())
    }

    fn setup_cluster(&mut self, s: &ClusterSetup) -> CmdResult {
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
            let node = Node::new(id, cfg.clone(), Some(snap.clone()), self.now)?;
            self.nodes.insert(id, node);
            self.start_node(id)?;
        }
        self.emit(
            EventKind::Setup,
            None,
            Explanation::new(
                format!(
                    "{} nodes start as followers of term 0, each knowing the configuration voters=({}) from its bootstrap snapshot",
                    s.nodes,
                    ids_text(&voters)
                ),
                Some(section::BASICS),
            ),
        );
        Ok(())
    }

    fn add_nodes(&mut self, a: &AddNodes) -> CmdResult {
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

    // ---- orders to one node ----------------------------------------------------------------

    /// Runs an order on a running node and records it as one event, explained by what changed.
    fn order(
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

    fn propose_conf_change(
        &mut self,
        id: NodeId,
        v1: bool,
        transition: raft::raftpb::ConfChangeTransition,
        changes: &str,
    ) -> CmdResult {
        let ccs = raft::describe::conf_changes_from_string(changes)?;
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

    fn tick_node(&mut self, id: NodeId, n: usize) -> CmdResult {
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

    fn raft_log(&mut self, id: NodeId) -> CmdResult {
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

    fn raft_state(&self) {
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

    fn storage_thread(&mut self, ids: &[NodeId], what: &str) -> CmdResult {
        // Storage writes are synchronous here, so there is never storage-thread work: exactly
        // what etcd's harness reports for such nodes.
        for &id in ids {
            self.node_ref(id)?;
            let text = format!("no {what} work to perform");
            if ids.len() > 1 {
                self.write(&format!("> {id} processing {what} thread\n"));
                let out = self.out();
                out.with_indent(|| out.write_str(&text));
            } else {
                self.write(&text);
            }
        }
        Ok(())
    }

    fn compact(&mut self, id: NodeId, index: Option<u64>) -> CmdResult {
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

    fn send_snapshot(&mut self, from: NodeId, to: NodeId) -> CmdResult {
        self.node_ref(to)?;
        let node = self.up_node(from)?;
        let raw = node.raw().ok_or_else(|| format!("node {from} is down"))?;
        let snap = raw.store().snapshot().map_err(|e| e.to_string())?;
        let msg = Message {
            msg_type: MessageType::MsgSnap,
            term: raw.raft.term,
            from,
            to,
            snapshot: Some(snap.clone()),
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

    // ---- Readys ----------------------------------------------------------------------------

    /// etcd's `process-ready`: takes a Ready (or finishes the one in progress), prints it, and
    /// handles it completely by the node's policy, syncing at once.
    fn process_ready(&mut self, id: NodeId) -> CmdResult {
        let node = self.up_node(id)?;
        if node.ready.is_none() {
            if !node.has_ready() {
                self.write("<empty Ready>");
                return Ok(());
            }
            self.take_ready(id)?;
        }
        let text = self
            .node_ref(id)?
            .ready
            .as_ref()
            .map(|r| describe_ready(&r.ready, None))
            .unwrap_or_default();
        self.write(&text);
        self.finish_ready(id, true)
    }

    /// Takes a Ready: one event.
    fn take_ready(&mut self, id: NodeId) -> CmdResult {
        let at = self.next_event();
        let now = self.now;
        let node = self.up_node(id)?;
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
        let mut parts = Vec::new();
        if let Some(ss) = &rd.soft_state {
            let role = crate::event::role_name(ss.raft_state);
            parts.push(match ss.lead {
                NONE => format!("it is now {role} (no leader known)"),
                l => format!("it is now {role} (leader {l})"),
            });
        }
        if !rd.hard_state.is_empty() {
            parts.push(format!("HardState {}", describe_hard_state(&rd.hard_state)));
        }
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
    fn finish_ready(&mut self, id: NodeId, sync_now: bool) -> CmdResult {
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
    fn ready_step(
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
                let applied: Vec<_> = committed
                    .into_iter()
                    .filter(|e| report.entries.iter().any(|(i, _)| *i == e.index))
                    .collect();
                self.checker.observe_applied(id, &applied, at);
                let (answers, keys) = self.answer_clients(id, &report);
                for k in keys {
                    self.checker.check_linearizability(&self.history, &k, at);
                }
                let text = if narrate {
                    describe_apply(id, &report, &answers)
                } else {
                    String::new()
                };
                if !report.conf_changes.is_empty() && self.nodes.get(&id).is_some_and(Node::is_up) {
                    // The apply event first, then what the new configuration sets off.
                    let e = Explanation::new(text.clone(), Some(section::MEMBERSHIP));
                    self.emit(EventKind::Apply, Some(id), e);
                    self.after_membership_applied(id, was_member, was_leader, &report)?;
                    return Ok(text);
                }
                if !self.nodes.get(&id).is_some_and(Node::is_up) {
                    // Applying a configuration change stopped the core.
                    let why = self
                        .nodes
                        .get(&id)
                        .and_then(|n| n.panicked.clone())
                        .unwrap_or_default();
                    self.core_died(id, &why, false);
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
        Ok(text)
    }

    /// Lets the checker forget the log indexes that every node holding data has compacted away,
    /// in memory and on its disk (so no crash brings them back): no log can hold them again,
    /// short of a lying disk. An empty node (new, or wiped) holds nothing and can only receive
    /// from the others, so it does not count.
    fn forget_compacted(&mut self) {
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
    fn complete_sync(&mut self, id: NodeId) -> CmdResult {
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
    fn send_one(&mut self, m: Message) -> String {
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

    fn take_ready_cmd(&mut self, id: NodeId) -> CmdResult {
        let node = self.up_node(id)?;
        if node.ready.is_some() {
            return Err(crate::node::NodeError::ReadyInProgress(id).into());
        }
        self.take_ready(id)?;
        let text = self
            .node_ref(id)?
            .ready
            .as_ref()
            .map(|r| describe_ready(&r.ready, None))
            .unwrap_or_default();
        self.write(&text);
        Ok(())
    }

    /// `persist N`, `send N`, `apply N`, `advance N`: one step by hand (taking a Ready first if
    /// none is in progress).
    fn manual_step(&mut self, id: NodeId, step: ReadyStep) -> CmdResult {
        if self.up_node(id)?.ready.is_none() {
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

    fn set_manual(&mut self, id: NodeId, manual: bool) -> CmdResult {
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

    // ---- messages --------------------------------------------------------------------------

    /// etcd's `deliver-msgs` for one recipient: every message to it that is not held, in send
    /// order, whatever its arrival time (or dropped). Returns how many there were.
    fn deliver_msgs(&mut self, to: NodeId, drop: bool, typ: Option<MessageType>) -> usize {
        let ids: Vec<u64> = self
            .network
            .in_flight()
            .filter(|m| !m.held && m.msg.to == to && typ.is_none_or(|t| m.msg.msg_type == t))
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
    fn deliver(&mut self, f: InFlight) {
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
        if !narrate {
            let res = node.step(m);
            if let Ok(Err(err)) | Err(err) = res.map_err(|e| raft::Error::Misuse(e.to_string())) {
                self.write(&format!("{err}\n"));
            }
            self.emit(EventKind::Deliver, Some(to), Explanation::quiet());
            return;
        }
        let before = node.brief();
        let lens = node.outgoing_lens();
        let res = match node.step(m.clone()) {
            Ok(r) => r,
            Err(e) => Err(raft::Error::Misuse(e.to_string())),
        };
        let node = &self.nodes[&to];
        let out = node.outgoing_since(lens);
        let mut e = match (before, node.brief()) {
            (Some(b), Some(a)) => explain_delivery(&m, &b, &a, &out),
            _ => Explanation::new(format!("{to} handles {phrase}"), None),
        };
        if let Err(err) = res {
            // etcd's harness prints the error after the message.
            self.write(&format!("{err}\n"));
            e = Explanation::new(format!("{to} refuses {phrase}: {err}"), None);
        }
        self.emit(EventKind::Deliver, Some(to), e);
    }

    fn message_action(&mut self, action: MessageAction, mid: u64) -> CmdResult {
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

    /// etcd's `stabilize`: Readys and deliveries among the nodes until nothing is left.
    fn stabilize(&mut self, ids: &[NodeId]) -> CmdResult {
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
            if done {
                return Ok(());
            }
        }
        Err("stabilize: still busy after 100000 rounds".into())
    }

    // ---- faults ----------------------------------------------------------------------------

    fn crash_node(&mut self, id: NodeId) -> CmdResult {
        let node = self.up_node(id)?;
        let report = node.crash();
        let lost = self.network.drop_involving(id);
        self.clients_notice_down(id);
        let mut text = format!("{id} crashes: its memory is gone");
        if report.lost_writes > 0 {
            let _ = write!(text, ", {} unsynced write(s) are lost", report.lost_writes);
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
    fn core_died(&mut self, id: NodeId, why: &str, not_yet_down: bool) {
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

    fn restart_node(&mut self, id: NodeId) -> CmdResult {
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

    fn wipe(&mut self, id: NodeId) -> CmdResult {
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

    fn pause(&mut self, id: NodeId, paused: bool) -> CmdResult {
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

    fn partition(&mut self, groups: &[Vec<NodeId>]) -> CmdResult {
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

    fn cut(&mut self, t: LinkTarget) -> CmdResult {
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

    fn heal(&mut self, t: Option<LinkTarget>) -> CmdResult {
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

    fn link(&mut self, t: LinkTarget, change: &LinkChange) -> CmdResult {
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

    fn disk_fault(&mut self, id: NodeId, fault: DiskFault) -> CmdResult {
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

    // ---- clients ---------------------------------------------------------------------------

    fn client_op(
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
    fn attempt(&mut self, cid: ClientId, start: NodeId) -> String {
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
    fn client_timer(&mut self, cid: ClientId) {
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
    fn clients_notice_down(&mut self, id: NodeId) {
        let now = self.now;
        for c in self.clients.values_mut() {
            if let Some(p) = c.pending.as_mut().filter(|p| p.node == id && p.in_flight) {
                p.retry_at = Some(now);
            }
        }
    }

    /// Answers the clients waiting on node `id` for what it just applied or may now read.
    /// Returns the answers in words and the keys whose history changed.
    fn answer_clients(&mut self, id: NodeId, report: &ApplyReport) -> (Vec<String>, Vec<String>) {
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

    // ---- time ------------------------------------------------------------------------------

    /// When the next thing is due: an fsync, a message, a tick, a client timer.
    fn next_time(&self) -> Option<Millis> {
        let syncs = self
            .nodes
            .values()
            .filter_map(|n| n.ready.as_ref().and_then(|r| r.sync_due));
        let ticks = self
            .nodes
            .values()
            .filter(|n| n.is_up())
            .filter_map(|n| n.timer.next_due());
        let clients = self
            .clients
            .values()
            .filter_map(|c| c.pending.as_ref().and_then(|p| p.retry_at));
        syncs
            .chain(ticks)
            .chain(clients)
            .chain(self.network.next_arrival())
            .chain(self.next_shutdown())
            .chain(self.next_load())
            .min()
    }

    /// Does the one thing that comes next at the current instant, producing one event. False
    /// when nothing is due now.
    fn do_due(&mut self) -> Result<bool, Failure> {
        let now = self.now;
        // 1. fsyncs that completed.
        let sync = self.nodes.iter().find(|(_, n)| {
            n.is_up()
                && n.ready
                    .as_ref()
                    .and_then(|r| r.sync_due)
                    .is_some_and(|t| t <= now)
        });
        if let Some((&id, _)) = sync {
            self.complete_sync(id)?;
            return Ok(true);
        }
        // 2. Readys of nodes on automatic: the next step of one in progress, or a new one.
        if let Some((id, step)) = self.ready_work() {
            match step {
                Some(s) => {
                    self.ready_step(id, s, false)?;
                }
                None => self.take_ready(id)?,
            }
            return Ok(true);
        }
        // 3. Messages that arrived.
        if let Some(mid) = self.network.first_due(now) {
            if let Ok(f) = self.network.deliver_now(mid) {
                self.deliver(f);
                return Ok(true);
            }
        }
        // 3b. Removed members whose time to stop has come.
        if self.do_due_shutdown() {
            return Ok(true);
        }
        // 4. Ticks.
        let tick = self
            .nodes
            .iter()
            .filter(|(_, n)| n.is_up())
            .filter_map(|(&id, n)| n.timer.next_due().filter(|&t| t <= now).map(|t| (t, id)))
            .min();
        if let Some((_, id)) = tick {
            let n = self.node_mut(id)?.timer.take_due(now) as usize;
            self.tick_node(id, n.max(1))?;
            return Ok(true);
        }
        // 5. Client timers.
        let timer = self
            .clients
            .iter()
            .filter_map(|(&cid, c)| {
                c.pending
                    .as_ref()
                    .and_then(|p| p.retry_at)
                    .filter(|&t| t <= now)
                    .map(|t| (t, cid))
            })
            .min();
        if let Some((_, cid)) = timer {
            self.client_timer(cid);
            return Ok(true);
        }
        // 6. The background load's put.
        Ok(self.do_due_load())
    }

    /// A node on automatic with Ready work to do now: the next step of the Ready it holds, or
    /// (`None`) taking a new one. Such work is due at once, not at an instant of its own.
    fn ready_work(&self) -> Option<(NodeId, Option<ReadyStep>)> {
        for (&id, n) in &self.nodes {
            if !n.is_up() || n.manual {
                continue;
            }
            match &n.ready {
                Some(r) => {
                    let step = r.next_step(n.config.policy);
                    if step == ReadyStep::Persist && r.written {
                        continue; // waiting for its fsync
                    }
                    return Some((id, Some(step)));
                }
                None if n.has_ready() => return Some((id, None)),
                None => {}
            }
        }
        None
    }

    /// One event: the next due thing, moving the clock forward to it if needed (but not past
    /// `limit`). False if nothing happens by `limit`.
    fn micro_step(&mut self, limit: Millis) -> Result<bool, Failure> {
        if self.do_due()? {
            return Ok(true);
        }
        match self.next_time() {
            Some(t) if t <= limit && t > self.now => {
                self.now = t;
                self.do_due()
            }
            _ => Ok(false),
        }
    }

    /// One line about where the run stands.
    fn summary(&self, since: u64) -> String {
        let mut s = format!("now {}ms, {} event(s)", self.now, self.next_event() - since);
        match self.leader() {
            Some(l) => {
                let term = self.nodes[&l].raw().map_or(0, |r| r.raft.term);
                let _ = write!(s, "; leader {l} at term {term}");
            }
            None => s.push_str("; no leader"),
        }
        let commits: Vec<String> = self
            .nodes
            .iter()
            .map(|(id, n)| match n.raw() {
                Some(r) => format!("{id}:{}", r.raft.raft_log.committed),
                None => format!("{id}:down"),
            })
            .collect();
        let _ = write!(s, "; commit {}", commits.join(" "));
        s
    }

    // ---- conditions ------------------------------------------------------------------------

    /// Whether a condition holds now; if not, why.
    pub fn evaluate(&self, c: &Condition) -> Result<(), String> {
        let mut scope: Option<Vec<NodeId>> = c.nodes.clone();
        for clause in &c.clauses {
            match clause {
                Clause::Leader(Some(id)) => {
                    let n = self
                        .nodes
                        .get(id)
                        .ok_or_else(|| format!("node {id} does not exist"))?;
                    let r = &n
                        .raw()
                        .ok_or_else(|| format!("node {id} is down, not the leader"))?
                        .raft;
                    if r.state != StateType::StateLeader {
                        return Err(format!(
                            "node {id} is {} at term {} (lead {}), not the leader",
                            r.state, r.term, r.lead
                        ));
                    }
                    scope.get_or_insert_with(|| vec![*id]);
                }
                Clause::Leader(None) => {
                    let l = self
                        .leader()
                        .ok_or_else(|| format!("no node is leader ({})", self.states_text()))?;
                    scope.get_or_insert_with(|| vec![l]);
                }
                Clause::NoLeader => {
                    if let Some(l) = self.leader() {
                        return Err(format!("node {l} is leader"));
                    }
                }
                Clause::Safe => {
                    if let Some(v) = self.checker.first_violation() {
                        return Err(v.to_string());
                    }
                }
                Clause::Violation if self.checker.is_safe() => {
                    return Err("the checker found no violation".into());
                }
                Clause::Config { .. } | Clause::Joint(_) if c.nodes.is_none() => {
                    let (source, cfg) = self
                        .configuration()
                        .ok_or("no node knows a configuration")?;
                    let whose = if source == NONE {
                        "the configuration".to_string()
                    } else {
                        format!("the configuration of {source}")
                    };
                    membership::check_config_clause(&cfg, clause, &whose)?;
                }
                _ => {}
            }
        }
        let scope = scope.unwrap_or_else(|| {
            self.nodes
                .iter()
                .filter(|(_, n)| n.is_up())
                .map(|(&id, _)| id)
                .collect()
        });
        for clause in &c.clauses {
            for &id in &scope {
                let n = self
                    .nodes
                    .get(&id)
                    .ok_or_else(|| format!("node {id} does not exist"))?;
                match clause {
                    Clause::Compare { field, op, value } => {
                        let r = &n.raw().ok_or_else(|| format!("node {id} is down"))?.raft;
                        let v = match field {
                            Field::Term => r.term,
                            Field::Commit => r.raft_log.committed,
                            Field::Applied => r.raft_log.applied,
                            Field::Vote => r.vote,
                            Field::Lead => r.lead,
                            Field::LastIndex => r.raft_log.last_index(),
                        };
                        if !op.holds(v, *value) {
                            return Err(format!(
                                "node {id}: {} is {v}, want {}{value}",
                                field.name(),
                                if *op == CmpOp::Eq { "" } else { op.symbol() }
                            ));
                        }
                    }
                    Clause::Config { .. } | Clause::Joint(_) if c.nodes.is_some() => {
                        let r = &n.raw().ok_or_else(|| format!("node {id} is down"))?.raft;
                        membership::check_config_clause(
                            &r.trk.config,
                            clause,
                            &format!("node {id}'s configuration"),
                        )?;
                    }
                    Clause::State(s) => {
                        let st = n.state().ok_or_else(|| format!("node {id} is down"))?;
                        if st != *s {
                            return Err(format!("node {id} is {st}, want {s}"));
                        }
                    }
                    Clause::Value { key, value } => {
                        if !n.is_up() {
                            return Err(format!("node {id} is down"));
                        }
                        let got = n.kv.get(key);
                        if got != value.as_deref() {
                            let show = |v: Option<&str>| {
                                v.map_or("absent".to_string(), |v| format!("{v:?}"))
                            };
                            return Err(format!(
                                "node {id}: {key} is {}, want {}",
                                show(got),
                                show(value.as_deref())
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn states_text(&self) -> String {
        self.nodes
            .iter()
            .map(|(id, n)| match n.raw() {
                Some(r) => format!("{id} is {} at term {}", r.raft.state, r.raft.term),
                None => format!("{id} is down"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    // ---- convenience (what the page's buttons call) -----------------------------------------

    /// `run <ms>`.
    pub fn run_for(&mut self, ms: Millis) -> CommandOutput {
        self.execute(Command::Run(ms))
    }

    /// Parses one script line and executes it.
    pub fn execute_line(
        &mut self,
        line: &str,
    ) -> Result<CommandOutput, crate::script::ScriptError> {
        Ok(self.execute(Command::parse(line)?))
    }

    pub fn put(&mut self, node: NodeId, key: &str, value: &str) -> CommandOutput {
        self.execute(Command::Client {
            verb: ClientVerb::Put,
            node,
            key: key.into(),
            value: value.into(),
            client: None,
        })
    }

    pub fn get(&mut self, node: NodeId, key: &str) -> CommandOutput {
        self.execute(Command::Client {
            verb: ClientVerb::Get,
            node,
            key: key.into(),
            value: String::new(),
            client: None,
        })
    }

    pub fn crash(&mut self, id: NodeId) -> CommandOutput {
        self.execute(Command::Crash(id))
    }

    pub fn restart(&mut self, id: NodeId) -> CommandOutput {
        self.execute(Command::Restart(id))
    }
}

// ---- the page's view ---------------------------------------------------------------------------

/// How many of the latest events a view carries for the event log.
pub const VIEW_RECENT_EVENTS: usize = 50;

impl Cluster {
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
                let mut summary = format!("{} {}→{} term {}", m.msg_type, m.from, m.to, m.term);
                if matches!(m.msg_type, MessageType::MsgApp) {
                    let _ = write!(
                        summary,
                        " log {}/{} entries {}",
                        m.log_term,
                        m.index,
                        m.entries.len()
                    );
                }
                if m.reject {
                    summary.push_str(" rejected");
                }
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

fn ready_view(
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

fn node_view(
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
        progress,
        kv: n.kv.data().clone(),
        // Filled in by `Cluster::view`, which knows the cluster's configuration.
        membership: Default::default(),
        config: String::new(),
    }
}

// ---- small helpers ---------------------------------------------------------------------------

/// One line per item, or `empty` alone when there are none: the listing commands' output.
fn lines_or<T: std::fmt::Display>(items: impl IntoIterator<Item = T>, empty: &str) -> String {
    let mut s = String::new();
    for item in items {
        let _ = writeln!(s, "{item}");
    }
    if s.is_empty() {
        s.push_str(empty);
        s.push('\n');
    }
    s
}

fn ids_text(ids: &[NodeId]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn range_text(first: u64, last: u64) -> String {
    if first == last {
        format!("{first}")
    } else {
        format!("{first}..{last}")
    }
}

fn policy_long_name(p: crate::node::ReadyPolicy) -> &'static str {
    match p {
        crate::node::ReadyPolicy::RaftNodeStart => "etcd server's raftNode.start",
        crate::node::ReadyPolicy::ServeChannels => "raftexample's serveChannels",
    }
}

/// A configuration in etcd's form: `voters=(1 2 4)&&(1 2 3) learners=(5) autoleave`.
fn describe_conf_state_short(cs: &ConfState) -> String {
    let mut s = format!("voters=({})", ids_text(&cs.voters));
    if !cs.voters_outgoing.is_empty() {
        let _ = write!(s, "&&({})", ids_text(&cs.voters_outgoing));
    }
    if !cs.learners.is_empty() {
        let _ = write!(s, " learners=({})", ids_text(&cs.learners));
    }
    if !cs.learners_next.is_empty() {
        let _ = write!(s, " learners_next=({})", ids_text(&cs.learners_next));
    }
    if cs.auto_leave {
        s.push_str(" autoleave");
    }
    s
}

fn section_for_order(what: &str) -> Option<&'static str> {
    if what.starts_with("campaigns") {
        Some(section::ELECTION)
    } else if what.contains("transfer leadership") {
        Some(section::TRANSFER)
    } else if what.contains("configuration change") {
        Some(section::MEMBERSHIP)
    } else if what.contains("propose") {
        Some(section::CLIENTS)
    } else {
        None
    }
}

/// What an order changed in a node, as a clause: ` and becomes candidate for term 2`.
fn describe_change(
    b: &crate::event::NodeBrief,
    a: &crate::event::NodeBrief,
    out: &[Message],
) -> String {
    let mut parts = Vec::new();
    if a.state != b.state || a.term != b.term {
        parts.push(format!(
            "becomes {} at term {}",
            crate::event::role_name(a.state),
            a.term
        ));
    }
    if a.last_index > b.last_index && a.state == StateType::StateLeader {
        parts.push(format!(
            "appends entry {} to its log",
            range_text(b.last_index + 1, a.last_index)
        ));
    }
    let fwd: Vec<&Message> = out
        .iter()
        .filter(|m| m.msg_type == MessageType::MsgProp)
        .collect();
    if let Some(m) = fwd.first() {
        parts.push(format!("forwards it to leader {}", m.to));
    }
    let votes = out
        .iter()
        .filter(|m| matches!(m.msg_type, MessageType::MsgVote | MessageType::MsgPreVote))
        .count();
    if votes > 0 {
        parts.push(format!("asks {votes} peer(s) for their vote"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" and {}", parts.join(", "))
    }
}

/// The sentence of an apply step.
fn describe_apply(id: NodeId, r: &ApplyReport, answers: &[String]) -> String {
    let mut parts = Vec::new();
    if let Some((i, t)) = r.snapshot {
        parts.push(format!(
            "restores its state machine from the snapshot at index {i} (term {t})"
        ));
    }
    if let (Some((f, _)), Some((l, _))) = (r.entries.first(), r.entries.last()) {
        let items: Vec<String> = r
            .entries
            .iter()
            .map(|(i, o)| match o {
                ApplyOutcome::Applied { command, reply } => {
                    format!("{i}: {} → {reply}", command.op)
                }
                ApplyOutcome::Duplicate { command, .. } => {
                    format!("{i}: {} again, ignored", command.op)
                }
                ApplyOutcome::Noop => format!("{i}: a new leader's empty entry"),
                ApplyOutcome::NotKv => format!("{i}: a configuration change"),
                ApplyOutcome::Undecodable(_) => format!("{i}: not a key/value command, skipped"),
            })
            .collect();
        parts.push(format!(
            "applies {} to its state machine ({})",
            entries_phrase(*f, *l),
            items.join("; ")
        ));
    }
    for (i, cs) in &r.conf_changes {
        parts.push(format!(
            "switches to configuration {} at index {i}",
            describe_conf_state_short(cs)
        ));
    }
    parts.extend(answers.iter().cloned());
    for e in &r.errors {
        parts.push(format!("error: {e}"));
    }
    if parts.is_empty() {
        parts.push("has nothing new to apply".into());
    }
    format!("{id} {}", parts.join(", "))
}

/// The text of an entry's payload for the page: the command, or the conf change.
pub fn entry_text(e: &raft::raftpb::Entry) -> String {
    match e.entry_type {
        EntryType::EntryNormal => String::from_utf8_lossy(&e.data).into_owned(),
        EntryType::EntryConfChange => unmarshal_conf_change(&e.data)
            .map(|c| describe_conf_change(&c))
            .unwrap_or_else(|e| e),
        EntryType::EntryConfChangeV2 => unmarshal_conf_change_v2(&e.data)
            .map(|c| raft::describe::describe_conf_change_v2(&c))
            .unwrap_or_else(|e| e),
    }
}

/// etcd's description of a snapshot, for the page.
pub fn snapshot_text(s: &raft::raftpb::Snapshot) -> String {
    describe_snapshot(s)
}

#[cfg(test)]
mod tests;
