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

use raft::interaction::Output;
use raft::logger::{Level, Logger, SharedLogger};
use raft::raftpb::{ConfChange, ConfChangeV2, ConfState, EntryType, Message};
use raft::state::{StateType, NONE};
use raft::tracker::ProgressMap;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

use crate::checker::Checker;
use crate::clock::Millis;
use crate::command::{
    log_level_index, Clause, ClientVerb, ClusterSetup, Command, Condition, StepKind,
};
use crate::event::{message_phrase, section, Event, EventKind, Explanation, LogLine};
use crate::event_log::EventLog;
use crate::history::History;
use crate::kv::ClientId;
use crate::network::{Network, NodeId};
use crate::node::{ApplyReport, Node, NodeConfig, Worker};
use crate::recorder::Recorder;
use crate::trace::Trace;

// What the hub holds comes from leaves (`outcome`, `state`, `text`); the other modules extend
// `Cluster` with one concern each and are never named here, so none of them is in an import
// circle with the hub.
mod clients;
mod deliver;
mod expect;
mod faults;
mod harness;
mod load;
mod membership;
mod outcome;
mod pending;
mod project;
mod ready;
mod setup;
mod state;
mod text;
mod time;
mod workers;

pub use crate::view::VIEW_RECENT_EVENTS;
use outcome::{CmdResult, Failure};
pub use outcome::{CommandOutput, Outcome};
pub use state::{
    Client, ClientConfig, MembershipState, PendingRequest, REMOVED_STOP_TICKS, REMOVED_TEXT,
};
use state::{ClientLoad, Pending};
pub use text::{conf_change_text, entry_text, snapshot_text};
use text::{ids_text, lines_or, policy_long_name};

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
    /// What a sequence diagram of the run needs (off unless asked for: see `set_trace`).
    trace: Trace,
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
    load: Option<ClientLoad>,
    /// The command under way, when it runs in slices (see `pending`).
    pending: Option<Pending>,
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
            trace: if history {
                self.trace.clone()
            } else {
                self.trace.empty_like()
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

    /// Gives a checkpoint back the events and commands that led to it, and the trace of them
    /// from `trace` (the head's); without, the checkpoint stops tracing (a look at the past
    /// reads the head's trace).
    pub(crate) fn restore_history(
        &mut self,
        events: EventLog,
        recorder: Recorder,
        trace: Option<&Trace>,
    ) {
        let n = events.len();
        self.events = events;
        self.recorder = recorder;
        match trace {
            Some(t) => self.trace.restore(t, n),
            None => self.set_trace(false),
        }
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
            trace: Trace::off(),
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

    /// Records the space-time trace from now on (or stops): the page's sequence diagram and
    /// Ready history read it. Off by default, so a simulation nobody draws does not pay for it.
    pub fn set_trace(&mut self, on: bool) {
        if on != self.trace.is_on() {
            self.trace = if on { Trace::new() } else { Trace::off() };
        }
        self.network.set_journal(on);
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Takes the trace out, leaving one that records nothing (a branch being abandoned).
    pub(crate) fn take_trace(&mut self) -> Trace {
        std::mem::take(&mut self.trace)
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
        if self.trace.is_on() {
            if let Some(e) = self.events.last() {
                self.trace.record(e, &self.nodes, &self.network);
            }
            self.network.clear_journal();
        }
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
            C::ProcessAppendThread(ids) => self.storage_thread(ids, Worker::Append),
            C::ProcessApplyThread(ids) => self.storage_thread(ids, Worker::Apply),
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
        self.sink.output.set_level(log_level_index(name)?);
        Ok(())
    }

    // ---- convenience (what the page's buttons call) -----------------------------------------

    /// `run <ms>`.
    pub fn run_for(&mut self, ms: Millis) -> CommandOutput {
        self.execute(Command::Run(ms))
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

#[cfg(test)]
pub(crate) mod tests;
