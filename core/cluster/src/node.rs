//! One server of the virtual cluster: a Raft `RawNode` over a `MemoryStorage`, the node's disk,
//! its key/value state machine, its clock, and the policy by which it handles Readys.
//!
//! The storage split is etcd's: Raft reads its log from the in-memory `MemoryStorage`, while
//! the [`Disk`] is what would survive a power cut. Persisting a Ready writes both (etcd's
//! server saves to its WAL and appends to `raftStorage`); a crash throws the memory away, and a
//! restart rebuilds `MemoryStorage` from the disk's durable state (snapshot, then entries, then
//! HardState) exactly as etcd's server does when it replays its WAL.
//!
//! Handling a Ready is four steps, [`ReadyStep`]: persist, send, apply, advance. Their order is
//! the node's [`ReadyPolicy`]; in manual mode the person takes each step by hand, in any order
//! they like except that Advance comes last (Advance tells Raft everything was done).

use std::fmt;

use raft::logger::SharedLogger;
use raft::raft::Config;
use raft::raftpb::confchange::{
    conf_change_as_v2, unmarshal_conf_change, unmarshal_conf_change_v2,
};
use raft::raftpb::{
    ConfState, Entry, EntryType, HardState, Message, MessageType, Snapshot, SnapshotMetadata,
};
use raft::rawnode::{RawNode, Ready};
use raft::state::{ReadOnlyOption, ReadState, StateType};
use raft::storage::{MemoryStorage, Storage};
use serde::{Deserialize, Serialize};

use crate::clock::{Millis, TickTimer};
use crate::disk::{CrashReport, Disk, SyncReport, DEFAULT_SYNC_LATENCY};
use crate::event::NodeBrief;
use crate::kv::{ApplyOutcome, KvStore};
use crate::network::NodeId;

pub mod storage_thread;
pub mod workers;

pub use workers::{StorageWork, StorageWorkers, Worker, APPLY_LATENCY};

/// Time between ticks, as in etcd's raftexample.
pub const DEFAULT_TICK_INTERVAL: Millis = 100;

/// The order in which a node handles the four steps of a Ready, named after the two loops of
/// etcd that drive etcd raft.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadyPolicy {
    /// etcd server's `raftNode.start`: the committed entries go to the applier first (it runs
    /// concurrently in etcd; here it runs first), a leader sends its messages *before* it
    /// persists (it can write its disk in parallel with its followers, thesis §10.2.1), a
    /// follower only after persisting, then Advance.
    #[default]
    RaftNodeStart,
    /// raftexample's `serveChannels`: persist, send, apply, advance, whatever the role.
    ServeChannels,
}

impl ReadyPolicy {
    /// The name scripts use: `raft-node` or `serve-channels`.
    pub fn name(self) -> &'static str {
        match self {
            ReadyPolicy::RaftNodeStart => "raft-node",
            ReadyPolicy::ServeChannels => "serve-channels",
        }
    }

    pub fn from_name(s: &str) -> Option<ReadyPolicy> {
        match s {
            "raft-node" | "raftNode.start" => Some(ReadyPolicy::RaftNodeStart),
            "serve-channels" | "serveChannels" => Some(ReadyPolicy::ServeChannels),
            _ => None,
        }
    }

    /// The steps in the order this policy takes them, for a Ready taken as leader or not.
    pub fn order(self, leader: bool) -> [ReadyStep; 4] {
        use ReadyStep::*;
        match (self, leader) {
            (ReadyPolicy::ServeChannels, _) => [Persist, Send, Apply, Advance],
            (ReadyPolicy::RaftNodeStart, true) => [Apply, Send, Persist, Advance],
            (ReadyPolicy::RaftNodeStart, false) => [Apply, Persist, Send, Advance],
        }
    }
}

/// One step of handling a Ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReadyStep {
    /// Write HardState, entries and snapshot to the disk (and `MemoryStorage`), then fsync.
    Persist,
    /// Hand the messages to the network.
    Send,
    /// Apply the snapshot and committed entries to the state machine; serve ReadIndex reads.
    Apply,
    /// Tell Raft the Ready was handled.
    Advance,
}

impl ReadyStep {
    pub fn name(self) -> &'static str {
        match self {
            ReadyStep::Persist => "persist",
            ReadyStep::Send => "send",
            ReadyStep::Apply => "apply",
            ReadyStep::Advance => "advance",
        }
    }
}

/// A node's parameters. Plain data, so the cluster can be cloned and serialized; the Raft
/// `Config` (which holds a logger) is built from it when the node starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeConfig {
    /// Virtual milliseconds between ticks.
    pub tick_interval: Millis,
    pub election_tick: usize,
    pub heartbeat_tick: usize,
    pub pre_vote: bool,
    pub check_quorum: bool,
    pub max_size_per_msg: u64,
    pub max_inflight_msgs: usize,
    pub max_committed_size_per_ready: u64,
    pub max_uncommitted_entries_size: u64,
    pub read_only_option: ReadOnlyOption,
    pub disable_proposal_forwarding: bool,
    pub disable_conf_change_validation: bool,
    pub step_down_on_removal: bool,
    pub policy: ReadyPolicy,
    /// Time an fsync takes on this node's (healthy) disk.
    pub sync_latency: Millis,
    /// etcd server's `--snapshot-count`: after this many entries applied since its last
    /// snapshot, a node snapshots its state machine and compacts its log. 0: never compact, and
    /// keep the storage's snapshot level with the state machine after every Advance instead
    /// (etcd's test harness does that).
    #[serde(default)]
    pub snapshot_count: u64,
    /// etcd server's `SnapshotCatchUpEntries`: entries kept below a new snapshot, so that a
    /// follower a little behind still catches up from the log rather than by snapshot.
    #[serde(default)]
    pub snapshot_catch_up: u64,
    /// etcd raft's `AsyncStorageWrites`: a Ready's storage work goes to the node's append and
    /// apply threads as `MsgStorageAppend`/`MsgStorageApply` messages (see [`workers`]) instead
    /// of being done before Advance.
    #[serde(default)]
    pub async_storage_writes: bool,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig::playground()
    }
}

impl NodeConfig {
    /// The playground's nodes: etcd's customary timing (a 100 ms tick, elections after 10
    /// ticks, heartbeats every tick) and etcd server's Ready loop.
    pub fn playground() -> Self {
        NodeConfig {
            tick_interval: DEFAULT_TICK_INTERVAL,
            election_tick: 10,
            heartbeat_tick: 1,
            pre_vote: false,
            check_quorum: false,
            max_size_per_msg: 1024 * 1024,
            max_inflight_msgs: 256,
            max_committed_size_per_ready: 0,
            max_uncommitted_entries_size: 0,
            read_only_option: ReadOnlyOption::ReadOnlySafe,
            disable_proposal_forwarding: false,
            disable_conf_change_validation: false,
            step_down_on_removal: false,
            policy: ReadyPolicy::RaftNodeStart,
            sync_latency: DEFAULT_SYNC_LATENCY,
            snapshot_count: 0,
            snapshot_catch_up: 0,
            async_storage_writes: false,
        }
    }

    /// The configuration of etcd's interaction-test harness (`raftConfigStub`): elections after
    /// 3 ticks and no size limits, so that etcd's transcripts play the same on this cluster.
    pub fn etcd_harness() -> Self {
        NodeConfig {
            election_tick: 3,
            max_size_per_msg: u64::MAX,
            max_inflight_msgs: i32::MAX as usize,
            ..NodeConfig::playground()
        }
    }

    /// The Raft configuration of node `id`, restarting with `applied` already applied.
    pub fn raft_config(&self, id: NodeId, applied: u64, seed: u64, logger: SharedLogger) -> Config {
        let mut c = Config::new(id);
        c.election_tick = self.election_tick;
        c.heartbeat_tick = self.heartbeat_tick;
        c.applied = applied;
        c.max_size_per_msg = self.max_size_per_msg;
        c.max_inflight_msgs = self.max_inflight_msgs;
        c.max_committed_size_per_ready = self.max_committed_size_per_ready;
        c.max_uncommitted_entries_size = self.max_uncommitted_entries_size;
        c.check_quorum = self.check_quorum;
        c.pre_vote = self.pre_vote;
        c.read_only_option = self.read_only_option;
        c.disable_proposal_forwarding = self.disable_proposal_forwarding;
        c.disable_conf_change_validation = self.disable_conf_change_validation;
        c.step_down_on_removal = self.step_down_on_removal;
        c.async_storage_writes = self.async_storage_writes;
        c.seed = seed;
        c.logger = Some(logger);
        c
    }
}

/// A snapshot a node took after an Advance (see [`NodeConfig::snapshot_count`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotTaken {
    /// The snapshot's index: what the node had applied.
    pub index: u64,
    /// The first index its in-memory log still holds.
    pub first_index: u64,
}

/// A Ready the node took and has not advanced past yet, with the steps done so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadyInProgress {
    pub ready: Ready,
    /// Whether the node led when it took the Ready (the policy's order depends on it).
    pub as_leader: bool,
    pub taken_at: Millis,
    /// Written to the disk (the fsync may still be under way).
    pub written: bool,
    /// When the fsync completes, while it is under way.
    pub sync_due: Option<Millis>,
    /// Durable, as far as the node knows (a lying disk says so too).
    pub synced: bool,
    pub sent: bool,
    pub applied: bool,
}

impl ReadyInProgress {
    fn new(ready: Ready, as_leader: bool, now: Millis) -> Self {
        // A step with nothing to do is done from the start.
        let nothing_to_persist =
            ready.hard_state.is_empty() && ready.entries.is_empty() && ready.snapshot.is_empty();
        let nothing_to_send = ready.messages.is_empty();
        let nothing_to_apply = ready.committed_entries.is_empty()
            && ready.snapshot.is_empty()
            && ready.read_states.is_empty();
        ReadyInProgress {
            ready,
            as_leader,
            taken_at: now,
            written: nothing_to_persist,
            sync_due: None,
            synced: nothing_to_persist,
            sent: nothing_to_send,
            applied: nothing_to_apply,
        }
    }

    /// Whether the step is complete (persist: written *and* synced).
    pub fn done(&self, step: ReadyStep) -> bool {
        match step {
            ReadyStep::Persist => self.written && self.synced,
            ReadyStep::Send => self.sent,
            ReadyStep::Apply => self.applied,
            ReadyStep::Advance => false,
        }
    }

    /// The first step the policy has not completed yet.
    pub fn next_step(&self, policy: ReadyPolicy) -> ReadyStep {
        policy
            .order(self.as_leader)
            .into_iter()
            .find(|s| !self.done(*s))
            .unwrap_or(ReadyStep::Advance)
    }

    /// Whether Advance may be called.
    pub fn can_advance(&self) -> bool {
        self.done(ReadyStep::Persist) && self.sent && self.applied
    }
}

/// Why a node refused an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeError {
    /// The node is down (crashed, or never restarted).
    Down(NodeId),
    /// The node is running and cannot be restarted.
    Running(NodeId),
    /// There is no Ready to take.
    NoReady(NodeId),
    /// The node has a Ready in progress and must advance before taking another.
    ReadyInProgress(NodeId),
    /// The step is already done for this Ready.
    AlreadyDone(NodeId, ReadyStep),
    /// Advance before the other steps.
    NotYet { node: NodeId, missing: ReadyStep },
    /// The node could not start from its disk.
    Start(String),
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeError::Down(id) => write!(f, "node {id} is down"),
            NodeError::Running(id) => write!(f, "node {id} is running"),
            NodeError::NoReady(id) => write!(f, "node {id} has no Ready"),
            NodeError::ReadyInProgress(id) => {
                write!(f, "node {id} must finish its Ready (and advance) before taking another")
            }
            NodeError::AlreadyDone(id, s) => write!(f, "node {id} already did {} for this Ready", s.name()),
            NodeError::NotYet { node, missing } => write!(
                f,
                "node {node} cannot advance before it does {}: Advance tells Raft the whole Ready was handled",
                missing.name()
            ),
            NodeError::Start(why) => write!(f, "cannot start: {why}"),
        }
    }
}

impl std::error::Error for NodeError {}

/// What persisting a Ready wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersistReport {
    pub hard_state: Option<HardState>,
    /// First and last index of the entries written.
    pub entries: Option<(u64, u64)>,
    pub snapshot: Option<(u64, u64)>,
    /// When the fsync completes, if it is still under way.
    pub sync_due: Option<Millis>,
    /// The fsync, if it completed at once.
    pub sync: Option<SyncReport>,
    pub errors: Vec<String>,
}

/// Writes a snapshot, then entries, to the disk and to the in-memory storage Raft reads (etcd's
/// order: the snapshot first so that recovery always finds it), noting in `report` what was
/// written and what either store refused. Shared by a Ready's persist step and an asynchronous
/// node's append thread.
pub(crate) fn write_log(
    disk: &mut Disk,
    mem: &mut MemoryStorage,
    snapshot: Option<&Snapshot>,
    entries: &[Entry],
    report: &mut PersistReport,
) {
    if let Some(snap) = snapshot {
        if let Err(e) = disk.apply_snapshot(snap.clone()) {
            report.errors.push(e.to_string());
        }
        if let Err(e) = mem.apply_snapshot(snap.clone()) {
            report.errors.push(e.to_string());
        }
        report.snapshot = Some((snap.metadata.index, snap.metadata.term));
    }
    if let (Some(first), Some(last)) = (entries.first(), entries.last()) {
        if let Err(e) = disk.append(entries) {
            report.errors.push(e.to_string());
        }
        if let Err(e) = mem.append(entries) {
            report.errors.push(e.to_string());
        }
        report.entries = Some((first.index, last.index));
    }
}

/// What applying a Ready did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Index and term of a snapshot restored into the state machine.
    pub snapshot: Option<(u64, u64)>,
    /// Each committed entry with what the state machine made of it.
    pub entries: Vec<(u64, ApplyOutcome)>,
    /// Configuration changes applied to Raft, as (index, new ConfState).
    pub conf_changes: Vec<(u64, ConfState)>,
    /// ReadIndex answers whose index is now applied: the reads they carry may be served.
    pub reads: Vec<ReadState>,
    pub errors: Vec<String>,
}

/// One server.
#[derive(Clone)]
pub struct Node {
    pub id: NodeId,
    pub config: NodeConfig,
    /// The running Raft node; `None` while the node is down.
    raw: Option<RawNode<MemoryStorage>>,
    pub disk: Disk,
    pub kv: KvStore,
    pub timer: TickTimer,
    pub ready: Option<ReadyInProgress>,
    /// The last Ready the node advanced past (or, with asynchronous storage writes, handed
    /// out), whole: a Ready handled automatically passes in one instant, and this is how a
    /// learner still sees what it held.
    pub last_ready: Option<Box<ReadyInProgress>>,
    /// Readys are stepped by hand rather than by the policy.
    pub manual: bool,
    /// How many times the node (re)started; the checker resets per-incarnation facts.
    pub incarnation: u64,
    /// ReadIndex answers waiting for the state machine to catch up.
    pub pending_reads: Vec<ReadState>,
    /// Why the node last stopped, if the core stopped it.
    pub panicked: Option<String>,
    /// With asynchronous storage writes: the work its append and apply threads have not done.
    pub workers: StorageWorkers,
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("id", &self.id)
            .field("up", &self.raw.is_some())
            .field("manual", &self.manual)
            .field("incarnation", &self.incarnation)
            .finish_non_exhaustive()
    }
}

impl Node {
    /// A node with a disk holding `snapshot` (durably) or nothing at all when it is empty, not
    /// started yet.
    pub fn new(
        id: NodeId,
        config: NodeConfig,
        snapshot: Option<Snapshot>,
        now: Millis,
    ) -> Result<Node, NodeError> {
        let mut disk = Disk::new(config.sync_latency);
        if let Some(s) = snapshot {
            disk.apply_snapshot(s)
                .map_err(|e| NodeError::Start(e.to_string()))?;
            disk.sync();
        }
        let timer = TickTimer::new(config.tick_interval, now);
        Ok(Node {
            id,
            config,
            raw: None,
            disk,
            kv: KvStore::new(),
            timer,
            ready: None,
            last_ready: None,
            manual: false,
            incarnation: 0,
            pending_reads: Vec::new(),
            panicked: None,
            workers: StorageWorkers::default(),
        })
    }

    /// The bootstrap snapshot etcd's harness uses: the initial configuration at `index`, term 1.
    pub fn bootstrap_snapshot(conf_state: ConfState, index: u64, data: Vec<u8>) -> Snapshot {
        Snapshot {
            data,
            metadata: SnapshotMetadata {
                conf_state,
                index,
                term: 1,
            },
        }
    }

    /// Starts the node from its disk's durable state, as etcd's server restarts: the snapshot
    /// goes into `MemoryStorage` and the state machine, then the entries after it, then the
    /// HardState; Raft resumes with everything up to the snapshot applied. The first tick comes
    /// one interval plus `first_tick_in` after `now` (a random phase, so that nodes do not tick in
    /// lockstep).
    pub fn start(
        &mut self,
        now: Millis,
        first_tick_in: Millis,
        seed: u64,
        logger: SharedLogger,
    ) -> Result<(), NodeError> {
        if self.raw.is_some() {
            return Err(NodeError::Running(self.id));
        }
        let storage = self
            .disk
            .to_memory_storage()
            .map_err(|e| NodeError::Start(e.to_string()))?;
        let snap = self.disk.durable().snapshot.clone();
        let mut kv = KvStore::new();
        if !snap.is_empty() && kv.restore(&snap).is_err() {
            // Data that is not the state machine's (etcd's harness bootstraps with arbitrary
            // `content`) still positions the empty map at the snapshot's index.
            let positioned = Snapshot {
                data: Vec::new(),
                metadata: snap.metadata.clone(),
            };
            kv.restore(&positioned)
                .map_err(|e| NodeError::Start(e.to_string()))?;
        }
        let applied = snap.metadata.index;
        let cfg = self.config.raft_config(self.id, applied, seed, logger);
        let raw = RawNode::new(&cfg, storage).map_err(|e| NodeError::Start(e.to_string()))?;
        self.raw = Some(raw);
        self.kv = kv;
        self.ready = None;
        self.pending_reads.clear();
        self.workers = StorageWorkers::default();
        self.panicked = None;
        self.incarnation += 1;
        // The first tick is due one interval after the phase; a paused clock stays paused.
        let paused = self.timer.paused;
        self.timer = TickTimer::new(self.config.tick_interval, now + first_tick_in);
        self.timer.set_paused(paused, now);
        Ok(())
    }

    pub fn is_up(&self) -> bool {
        self.raw.is_some()
    }

    /// The running Raft node.
    pub fn raw(&self) -> Option<&RawNode<MemoryStorage>> {
        self.raw.as_ref()
    }

    /// The running Raft node, to drive it directly (the cluster's orders go through here).
    pub fn raw_mut(&mut self) -> Result<&mut RawNode<MemoryStorage>, NodeError> {
        let id = self.id;
        self.raw.as_mut().ok_or(NodeError::Down(id))
    }

    /// Replaces the core's logger (after the whole cluster was cloned).
    pub fn set_logger(&mut self, logger: SharedLogger) {
        if let Some(r) = &mut self.raw {
            r.raft.set_logger(logger);
        }
    }

    /// Power cut: the process and the page cache are gone; the disk keeps what was synced.
    /// With asynchronous storage writes the threads' queues are lost too: what the append
    /// thread had not written is gone like an unsynced write, and its responses were never sent.
    pub fn crash(&mut self) -> CrashReport {
        self.raw = None;
        self.ready = None;
        self.pending_reads.clear();
        self.workers = StorageWorkers::default();
        self.disk.crash()
    }

    /// The disk is replaced by an empty one; the node goes down with it.
    pub fn wipe(&mut self) {
        self.crash();
        self.disk.wipe();
    }

    /// The facts the explanations need, or `None` while down.
    pub fn brief(&self) -> Option<NodeBrief> {
        let r = &self.raw.as_ref()?.raft;
        let last = r.raft_log.last_entry_id();
        let granted = r.trk.votes.values().filter(|v| **v).count();
        // A majority of the incoming voters (not of every voter of a joint configuration: the
        // two halves each need their own majority, which `joint` tells the explanations).
        let voters = r.trk.config.voters[0].len();
        Some(NodeBrief {
            id: self.id,
            state: r.state,
            term: r.term,
            vote: r.vote,
            lead: r.lead,
            last_index: last.index,
            last_term: last.term,
            commit: r.raft_log.committed,
            election_elapsed: r.election_elapsed,
            randomized_election_timeout: r.randomized_election_timeout,
            votes_granted: granted,
            votes_needed: voters / 2 + 1,
            joint: r.trk.config.is_joint(),
        })
    }

    pub fn state(&self) -> Option<StateType> {
        self.raw.as_ref().map(|r| r.raft.state)
    }

    /// Messages the core queued since `lens` (see [`Node::outgoing_lens`]).
    pub fn outgoing_since(&self, lens: (usize, usize)) -> Vec<Message> {
        let Some(r) = &self.raw else {
            return Vec::new();
        };
        let mut out: Vec<Message> = r.raft.msgs.iter().skip(lens.0).cloned().collect();
        out.extend(r.raft.msgs_after_append.iter().skip(lens.1).cloned());
        out
    }

    /// How many messages the core has queued so far.
    pub fn outgoing_lens(&self) -> (usize, usize) {
        self.raw.as_ref().map_or((0, 0), |r| {
            (r.raft.msgs.len(), r.raft.msgs_after_append.len())
        })
    }

    /// Runs `f` on the running core. Nothing here catches a panic: the page is built with
    /// `panic = "abort"`, so the cluster must never ask the core for what etcd raft would panic
    /// on; it refuses such requests itself, or predicts the panic ([`Node::would_panic`]).
    pub fn with_core<T>(
        &mut self,
        f: impl FnOnce(&mut RawNode<MemoryStorage>) -> T,
    ) -> Result<T, NodeError> {
        let id = self.id;
        let raw = self.raw.as_mut().ok_or(NodeError::Down(id))?;
        Ok(f(raw))
    }

    /// The core stopped: the process is gone, as after a crash.
    pub fn die(&mut self, why: &str) -> CrashReport {
        let report = self.crash();
        self.panicked = Some(why.to_string());
        report
    }

    /// Why stepping `m` would make etcd raft panic, checked beforehand so the simulation does
    /// not depend on unwinding (the page is built with `panic = "abort"`). A leader only sends a
    /// commit index its follower acknowledged; a follower whose log is shorter than that lost
    /// entries it had promised were durable (a lying disk).
    pub fn would_panic(&self, m: &Message) -> Option<String> {
        let r = &self.raw.as_ref()?.raft;
        if m.msg_type == MessageType::MsgHeartbeat && m.term >= r.term {
            let last = r.raft_log.last_index();
            if m.commit > last && m.commit > r.raft_log.committed {
                return Some(format!(
                    "tocommit({}) is out of range [lastIndex({})]. Was the raft log corrupted, truncated, or lost?",
                    m.commit, last
                ));
            }
        }
        None
    }

    /// Steps a message into the core.
    pub fn step(&mut self, m: Message) -> Result<Result<(), raft::Error>, NodeError> {
        self.with_core(|r| r.step(m))
    }

    /// Ticks the core `n` times.
    pub fn tick(&mut self, n: usize) -> Result<(), NodeError> {
        self.with_core(|r| {
            for _ in 0..n {
                r.tick();
            }
        })
    }

    pub fn has_ready(&self) -> bool {
        self.raw.as_ref().is_some_and(|r| r.has_ready())
    }

    /// Takes a Ready from the core.
    pub fn take_ready(&mut self, now: Millis) -> Result<&ReadyInProgress, NodeError> {
        let (rd, leader) = self.accept_ready()?;
        Ok(self.ready.insert(ReadyInProgress::new(rd, leader, now)))
    }

    /// The core's next Ready, and whether the node led when it took it: refused while one is
    /// in progress, and when there is none. (Written and advanced here, or handed out whole
    /// with asynchronous storage writes.)
    fn accept_ready(&mut self) -> Result<(Ready, bool), NodeError> {
        let id = self.id;
        if self.ready.is_some() {
            return Err(NodeError::ReadyInProgress(id));
        }
        let raw = self.raw.as_mut().ok_or(NodeError::Down(id))?;
        if !raw.has_ready() {
            return Err(NodeError::NoReady(id));
        }
        let leader = raw.raft.state == StateType::StateLeader;
        Ok((raw.ready(), leader))
    }

    /// The Ready the node would hand out now, without taking it (for the page's inspector).
    pub fn peek_ready(&self) -> Option<Ready> {
        let raw = self.raw.as_ref()?;
        if !raw.has_ready() {
            return None;
        }
        // Taking a Ready changes the node, so take it from a copy.
        let mut copy = raw.clone();
        Some(copy.ready())
    }

    fn in_progress(&mut self) -> Result<&mut ReadyInProgress, NodeError> {
        let id = self.id;
        if self.raw.is_none() {
            return Err(NodeError::Down(id));
        }
        self.ready.as_mut().ok_or(NodeError::NoReady(id))
    }

    /// Writes the Ready's snapshot, entries and HardState to the disk and to `MemoryStorage`
    /// (etcd's order: the snapshot first so that recovery always finds it). The fsync completes
    /// `disk.latency()` later, or at once with `sync_now`.
    pub fn persist(&mut self, now: Millis, sync_now: bool) -> Result<PersistReport, NodeError> {
        let id = self.id;
        let rip = self.in_progress()?;
        if rip.written {
            return Err(NodeError::AlreadyDone(id, ReadyStep::Persist));
        }
        rip.written = true;
        let rd = rip.ready.clone();
        let mut report = PersistReport::default();
        let raw = self.raw.as_mut().ok_or(NodeError::Down(id))?;
        let mem = raw.store_mut();
        let snapshot = (!rd.snapshot.is_empty()).then_some(&rd.snapshot);
        write_log(&mut self.disk, mem, snapshot, &rd.entries, &mut report);
        if !rd.hard_state.is_empty() {
            self.disk.set_hard_state(rd.hard_state);
            mem.set_hard_state(rd.hard_state);
            report.hard_state = Some(rd.hard_state);
        }
        let latency = self.disk.latency();
        if sync_now || latency == 0 {
            report.sync = Some(self.complete_sync()?);
        } else if let Some(rip) = self.ready.as_mut() {
            rip.sync_due = Some(now + latency);
            report.sync_due = rip.sync_due;
        }
        Ok(report)
    }

    /// Completes the fsync of a persisted Ready.
    pub fn complete_sync(&mut self) -> Result<SyncReport, NodeError> {
        let rip = self.in_progress()?;
        rip.sync_due = None;
        rip.synced = true;
        Ok(self.disk.sync())
    }

    /// Takes the Ready's messages for the network.
    pub fn take_messages(&mut self) -> Result<Vec<Message>, NodeError> {
        let id = self.id;
        let rip = self.in_progress()?;
        if rip.sent {
            return Err(NodeError::AlreadyDone(id, ReadyStep::Send));
        }
        rip.sent = true;
        let mut msgs = rip.ready.messages.clone();
        if self.config.snapshot_count > 0 {
            for m in msgs
                .iter_mut()
                .filter(|m| m.msg_type == MessageType::MsgSnap)
            {
                if let Some(s) = self.merged_snapshot() {
                    m.snapshot = Some(Box::new(s));
                }
            }
        }
        Ok(msgs)
    }

    /// etcd server's `createMergedSnapshotMessage`: the snapshot a leader sends is its state
    /// machine as applied now, with the configuration as applied now, not the last snapshot it
    /// compacted at. A node that joined after that snapshot would not find itself in the older
    /// one's configuration and would ignore it.
    fn merged_snapshot(&self) -> Option<Snapshot> {
        let r = self.raw.as_ref()?;
        let applied = self.kv.applied();
        let term = r.raft.raft_log.term(applied).ok()?;
        Some(Snapshot {
            data: self.kv.snapshot_data(),
            metadata: SnapshotMetadata {
                conf_state: r.raft.trk.conf_state(),
                index: applied,
                term,
            },
        })
    }

    /// Applies the Ready's snapshot and committed entries to the state machine, configuration
    /// changes to Raft, and collects the reads that may now be served.
    pub fn apply(&mut self) -> Result<ApplyReport, NodeError> {
        let id = self.id;
        let rip = self.in_progress()?;
        if rip.applied {
            return Err(NodeError::AlreadyDone(id, ReadyStep::Apply));
        }
        rip.applied = true;
        let rd = rip.ready.clone();
        let mut report = ApplyReport::default();
        if !rd.snapshot.is_empty() {
            self.restore_snapshot(&rd.snapshot, &mut report);
        }
        self.apply_entries(&rd.committed_entries, &mut report)?;
        report.reads = self.serve_reads(&rd.read_states);
        Ok(report)
    }

    /// Restores a snapshot into the state machine.
    fn restore_snapshot(&mut self, s: &Snapshot, report: &mut ApplyReport) {
        if let Err(e) = self.kv.restore(s) {
            // Not our data (e.g. etcd's harness content): position an empty map there.
            let positioned = Snapshot {
                data: Vec::new(),
                metadata: s.metadata.clone(),
            };
            if self.kv.restore(&positioned).is_err() {
                report.errors.push(e.to_string());
            }
        }
        report.snapshot = Some((s.metadata.index, s.metadata.term));
    }

    /// Applies committed entries to the state machine, and configuration changes to Raft.
    fn apply_entries(
        &mut self,
        ents: &[raft::raftpb::Entry],
        report: &mut ApplyReport,
    ) -> Result<(), NodeError> {
        for ent in ents {
            if ent.index <= self.kv.applied() {
                // Already in the state machine (covered by a restored snapshot).
                continue;
            }
            match self.kv.apply(ent) {
                Ok(outcome) => report.entries.push((ent.index, outcome)),
                Err(e) => report.errors.push(e.to_string()),
            }
            let cc = match ent.entry_type {
                EntryType::EntryNormal => continue,
                EntryType::EntryConfChange => {
                    unmarshal_conf_change(&ent.data).map(|c| conf_change_as_v2(&c))
                }
                EntryType::EntryConfChangeV2 => unmarshal_conf_change_v2(&ent.data),
            };
            let cc = match cc {
                Ok(cc) => cc,
                Err(e) => {
                    report.errors.push(format!("entry {}: {e}", ent.index));
                    continue;
                }
            };
            match self.with_core(|r| r.apply_conf_change(&cc))? {
                Ok(cs) => report.conf_changes.push((ent.index, cs)),
                Err(e) => report.errors.push(e.to_string()),
            }
        }
        Ok(())
    }

    /// Adds new ReadIndex answers to those waiting, and takes out the ones whose index the
    /// state machine has reached: their reads may be served.
    fn serve_reads(&mut self, new: &[ReadState]) -> Vec<ReadState> {
        self.pending_reads.extend(new.iter().cloned());
        let applied = self.kv.applied();
        let (now_ok, later): (Vec<ReadState>, Vec<ReadState>) =
            std::mem::take(&mut self.pending_reads)
                .into_iter()
                .partition(|r| r.index <= applied);
        self.pending_reads = later;
        now_ok
    }

    /// Calls Advance, once every other step is done. Then, with a snapshot count, a node that
    /// applied that many entries since its last snapshot takes one and compacts its log, as
    /// etcd's server does; without, the storage's snapshot is refreshed to the state machine's
    /// current state, so that a follower that needs a snapshot gets the latest one (etcd's test
    /// harness does that).
    pub fn advance(&mut self) -> Result<Option<SnapshotTaken>, NodeError> {
        let id = self.id;
        let rip = self.in_progress()?;
        for step in [ReadyStep::Persist, ReadyStep::Send, ReadyStep::Apply] {
            if !rip.done(step) {
                return Err(NodeError::NotYet {
                    node: id,
                    missing: step,
                });
            }
        }
        let Some(rip) = self.ready.take() else {
            return Err(NodeError::NoReady(id));
        };
        // etcd's Advance takes nothing; the core's keeps raft-rs's signature and ignores the
        // Ready it is given, so the node keeps its own as the last one handled.
        self.with_core(|r| r.advance(Ready::default()))?;
        self.last_ready = Some(Box::new(rip));
        Ok(self.after_applied())
    }

    /// What follows applying: a snapshot when one is due (with a snapshot count), or the
    /// storage's snapshot refreshed to the state machine's state (without).
    fn after_applied(&mut self) -> Option<SnapshotTaken> {
        if self.config.snapshot_count == 0 {
            self.refresh_snapshot();
            return None;
        }
        self.snapshot_if_due()
    }

    /// etcd server's `triggerSnapshot`: a snapshot at the applied index once `snapshot_count`
    /// entries were applied since the last one, saved to the disk before the in-memory log is
    /// compacted (so a restart never finds a hole), keeping `snapshot_catch_up` entries.
    fn snapshot_if_due(&mut self) -> Option<SnapshotTaken> {
        let applied = self.kv.applied();
        let raw = self.raw.as_mut()?;
        let cs = raw.raft.trk.conf_state();
        let mem = raw.store_mut();
        let snap_index = mem.snapshot().ok()?.metadata.index;
        let last = mem.last_index().ok()?;
        if applied < snap_index.saturating_add(self.config.snapshot_count) || applied > last {
            return None;
        }
        let snap = mem
            .create_snapshot(applied, Some(cs), self.kv.snapshot_data())
            .ok()?;
        let compact_to = applied.saturating_sub(self.config.snapshot_catch_up);
        if compact_to > mem.first_index().ok()? {
            mem.compact(compact_to).ok()?;
        }
        let first = mem.first_index().ok()?;
        // The disk keeps the snapshot and the entries after it (a stale or refused snapshot
        // leaves the disk as it was: the memory's compaction is still safe, it kept more).
        let _ = self.disk.apply_snapshot(snap);
        Some(SnapshotTaken {
            index: applied,
            first_index: first,
        })
    }

    fn refresh_snapshot(&mut self) {
        let applied = self.kv.applied();
        let Some(raw) = self.raw.as_mut() else { return };
        let cs = raw.raft.trk.conf_state();
        let mem = raw.store_mut();
        let (Ok(snap_index), Ok(last)) =
            (mem.snapshot().map(|s| s.metadata.index), mem.last_index())
        else {
            return;
        };
        if applied > snap_index
            && applied <= last
            && applied >= mem.first_index().unwrap_or(u64::MAX)
        {
            // Serialize the store only when a snapshot is really taken: it is the costliest step
            // of an Advance. Both conditions were just checked, so this cannot fail; ignore it
            // if it ever does.
            let data = self.kv.snapshot_data();
            let _ = mem.create_snapshot(applied, Some(cs), data);
        }
    }

    /// The node's log as Raft sees it: stable entries from storage, then the unstable tail.
    pub fn log_entries(&self) -> Vec<raft::raftpb::Entry> {
        let Some(raw) = &self.raw else {
            return Vec::new();
        };
        raw.raft.raft_log.all_entries()
    }

    /// The entry at `index` in the node's log, if it holds it.
    pub fn entry(&self, index: u64) -> Option<raft::raftpb::Entry> {
        let raw = self.raw.as_ref()?;
        let log = &raw.raft.raft_log;
        let u = &log.unstable;
        if index >= u.offset {
            return u.entries.get((index - u.offset) as usize).cloned();
        }
        log.storage.entries(index, index + 1, u64::MAX).ok()?.pop()
    }
}

#[cfg(test)]
mod tests;
