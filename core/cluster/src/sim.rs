//! Randomized workloads: faults × client load × time, from a seed.
//!
//! A [`Workload`] drives a [`Cluster`] through its public [`Command`] vocabulary only, so a
//! simulated run is an ordinary session: the cluster's recorder holds it as a script, and
//! replaying that script with the same seed gives the same events (the cluster draws its own
//! randomness from the seed; the workload draws from a separate stream derived from it).
//!
//! A run is a sequence of *steps*. Each step
//! 1. carries out the recoveries that fell due (a crashed node restarts, a partition heals, a
//!    faulty link is reset, a paused clock resumes), each scheduled when its fault was injected;
//! 2. with [`SimConfig::fault_percent`] chance, injects one fault drawn from
//!    [`SimConfig::faults`] (crash, partition, one-way cut, lossy/slow/duplicating link, paused
//!    clock, leader transfer, lying disk);
//! 3. issues the client operations that the rate [`SimConfig::ops_per_sec`] asks for during
//!    the slice about to run (puts and gets on a few keys, sent to random nodes);
//! 4. runs a slice of virtual time.
//!
//! Runs are bounded by a number of steps and by virtual time; a final phase recovers from every
//! fault and runs quietly for [`SimConfig::settle`] so that clients can finish. Everything is
//! integer arithmetic on a ChaCha stream, so a seed gives the same run natively and in wasm.

use std::fmt::Write as _;

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::checker::Violation;
use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::command::{
    Clause, ClientVerb, ClusterSetup, Command, Condition, DiskFault, LinkChange, LinkTarget,
};
use crate::network::{Latency, NodeId};

/// A kind of fault the workload may inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fault {
    /// `crash N`, later `restart N` (counts against [`SimConfig::max_down`]).
    Crash,
    /// `partition (..) (..)` into two random groups, later `heal`.
    Partition,
    /// `cut A->B`, one direction only, later `heal A-B`.
    Cut,
    /// `link A-B drop= delay= duplicate= reorder=`, later `link A-B reset`.
    Link,
    /// `pause N`, later `resume N` (counts against [`SimConfig::max_down`]).
    Pause,
    /// `transfer-leadership from=<leader> to=N`.
    Transfer,
    /// `disk N lying`, never undone: Raft's safety argument assumes honest disks, so this one
    /// belongs in workloads that want the checker to find something.
    LyingDisk,
}

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::Crash => "crash",
            Fault::Partition => "partition",
            Fault::Cut => "cut",
            Fault::Link => "link",
            Fault::Pause => "pause",
            Fault::Transfer => "transfer",
            Fault::LyingDisk => "lying-disk",
        }
    }

    /// Every fault Raft must tolerate, with the weights of the default mix.
    pub const HONEST: &'static [(Fault, u32)] = &[
        (Fault::Crash, 4),
        (Fault::Partition, 3),
        (Fault::Cut, 2),
        (Fault::Link, 3),
        (Fault::Pause, 2),
        (Fault::Transfer, 2),
    ];
}

/// The shape of a randomized run. Sizes are in steps and virtual milliseconds, never in wall
/// time, so a seed means the same run in every build profile and on every target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Voters in the cluster.
    pub nodes: u64,
    /// `prevote=`; `None` draws it from the seed.
    pub pre_vote: Option<bool>,
    /// `checkquorum=`; `None` draws it from the seed.
    pub check_quorum: Option<bool>,
    /// Latency of every link at the start.
    pub latency: Latency,
    /// At most this many steps...
    pub steps: usize,
    /// ...and at most this much virtual time (after setup) before the settle phase.
    pub max_time: Millis,
    /// Each step runs a slice of virtual time drawn from this range.
    pub slice: Latency,
    /// Client operations per virtual second, spread over the slices.
    pub ops_per_sec: u64,
    /// Percent of operations that are reads (`get`); the others are `put`s.
    pub read_percent: u64,
    /// Keys are `k0`..`k{keys-1}`: few keys make the linearizability check bite.
    pub keys: u64,
    /// No new operation while this many are outstanding (an open-loop load with a cap, so a
    /// cluster without a quorum does not drown in retrying clients).
    pub max_pending: usize,
    /// Chance, per step, that a fault is injected.
    pub fault_percent: u64,
    /// The faults to draw from, with weights.
    pub faults: Vec<(Fault, u32)>,
    /// At most this many nodes crashed or paused at once (by default a minority).
    pub max_down: u64,
    /// How long a fault lasts before its recovery is due.
    pub fault_duration: Latency,
    /// Quiet virtual time at the end, after every fault was undone.
    pub settle: Millis,
    /// Nodes that write asynchronously (etcd raft's `AsyncStorageWrites`: a Ready goes out
    /// whole, append and apply threads do the storage work). A fixed list rather than a draw
    /// from the seed, so that a run without it is exactly the run it always was.
    #[serde(default)]
    pub async_nodes: Vec<NodeId>,
}

impl SimConfig {
    /// Every fault Raft tolerates, a moderate load, on `nodes` voters.
    pub fn chaos(nodes: u64) -> SimConfig {
        SimConfig {
            nodes,
            pre_vote: None,
            check_quorum: None,
            latency: Latency { min: 2, max: 20 },
            steps: 30,
            max_time: 3_000,
            slice: Latency { min: 20, max: 200 },
            ops_per_sec: 20,
            read_percent: 30,
            keys: 3,
            max_pending: 16,
            fault_percent: 35,
            faults: Fault::HONEST.to_vec(),
            max_down: nodes.saturating_sub(1) / 2,
            fault_duration: Latency {
                min: 200,
                max: 2_500,
            },
            settle: 1_000,
            async_nodes: Vec::new(),
        }
    }

    /// The benchmark's workload: 5 nodes, 200 operations per virtual second on 16 keys, no
    /// faults (a steady state, so that figures compare across builds and targets), `seconds` of
    /// virtual time after the first election.
    pub fn benchmark(seconds: u64) -> SimConfig {
        SimConfig {
            pre_vote: Some(true),
            check_quorum: Some(true),
            steps: usize::MAX,
            max_time: seconds * 1000,
            slice: Latency { min: 50, max: 150 },
            ops_per_sec: 200,
            keys: 16,
            max_pending: 64,
            fault_percent: 0,
            settle: 0,
            ..SimConfig::chaos(5)
        }
    }

    /// The chaos workload with every odd-numbered node writing asynchronously: nodes with and
    /// without `AsyncStorageWrites` side by side, under every fault Raft tolerates.
    pub fn async_mix(nodes: u64) -> SimConfig {
        SimConfig {
            async_nodes: (1..=nodes).filter(|id| id % 2 == 1).collect(),
            ..SimConfig::chaos(nodes)
        }
    }

    /// Crashes plus disks that lie about fsync: the checker is expected to catch something
    /// for some seeds.
    pub fn lying_disks(nodes: u64) -> SimConfig {
        SimConfig {
            fault_percent: 60,
            faults: vec![
                (Fault::LyingDisk, 3),
                (Fault::Crash, 6),
                (Fault::Partition, 1),
            ],
            fault_duration: Latency { min: 50, max: 800 },
            ..SimConfig::chaos(nodes)
        }
    }
}

/// A recovery that falls due at some time.
#[derive(Clone, Debug, PartialEq)]
struct Undo {
    at: Millis,
    command: Command,
}

/// The generator: decides the next commands from its own random stream and what it sees of the
/// cluster (who is up, who leads), and executes them.
#[derive(Clone, Debug)]
pub struct Workload {
    config: SimConfig,
    seed: u64,
    rng: ChaCha8Rng,
    undo: Vec<Undo>,
    /// Operations owed to the rate, in thousandths.
    credit: u64,
    next_value: u64,
    steps: usize,
    /// Virtual time when the setup ended.
    start: Millis,
    stats: SimStats,
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimStats {
    pub steps: usize,
    /// Faults injected, counted by [`Fault::name`], in the order each kind first came up.
    pub faults: Vec<(String, u64)>,
    /// Operations skipped because `max_pending` were outstanding.
    pub ops_skipped: u64,
}

impl SimStats {
    fn count_fault(&mut self, f: Fault) {
        match self.faults.iter_mut().find(|(n, _)| n == f.name()) {
            Some((_, c)) => *c += 1,
            None => self.faults.push((f.name().to_string(), 1)),
        }
    }

    /// Faults injected, all kinds together.
    pub fn total_faults(&self) -> u64 {
        self.faults.iter().map(|(_, c)| c).sum()
    }
}

impl Workload {
    pub fn new(seed: u64, config: SimConfig) -> Workload {
        Workload {
            // A stream of its own: the cluster's generator (seeded with `seed`) must see the
            // same draws whether commands come from this generator or from a replayed script.
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5157_1a7e_d10a_d5ee),
            config,
            seed,
            undo: Vec::new(),
            credit: 0,
            next_value: 1,
            steps: 0,
            start: 0,
            stats: SimStats::default(),
        }
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn stats(&self) -> &SimStats {
        &self.stats
    }

    /// A number in `[0, n)` (`n > 0`); the slight modulo bias is irrelevant here.
    fn below(&mut self, n: u64) -> u64 {
        self.rng.next_u64() % n.max(1)
    }

    fn between(&mut self, l: Latency) -> Millis {
        l.min + self.below(l.max.saturating_sub(l.min) + 1)
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn flag(&mut self, fixed: Option<bool>) -> bool {
        fixed.unwrap_or_else(|| self.below(2) == 1)
    }

    /// The setup commands: quiet logging, the cluster, and its first election (so that the
    /// load does not start against a cluster that cannot serve yet).
    pub fn setup(&mut self) -> Vec<Command> {
        let pre_vote = self.flag(self.config.pre_vote);
        let check_quorum = self.flag(self.config.check_quorum);
        vec![
            Command::LogLevel("none".into()),
            Command::Cluster(ClusterSetup {
                nodes: self.config.nodes,
                pre_vote,
                check_quorum,
                latency: self.config.latency,
                async_nodes: self.config.async_nodes.clone(),
                ..ClusterSetup::default()
            }),
            Command::RunUntil {
                condition: Condition {
                    clauses: vec![Clause::Leader(None)],
                    nodes: None,
                },
                max: 30_000,
            },
        ]
    }

    /// A fresh cluster with `seed`, set up.
    pub fn start(&mut self) -> Cluster {
        let mut c = Cluster::new(self.seed);
        for cmd in self.setup() {
            c.execute(cmd);
        }
        self.start = c.now();
        c
    }

    /// Whether the steps or the virtual time are used up.
    pub fn is_done(&self, cluster: &Cluster) -> bool {
        self.steps >= self.config.steps
            || cluster.now().saturating_sub(self.start) >= self.config.max_time
    }

    /// One step (recoveries due, maybe a fault, client operations, a slice of time). False,
    /// doing nothing, once the run is done.
    pub fn step(&mut self, cluster: &mut Cluster) -> bool {
        if self.is_done(cluster) {
            return false;
        }
        self.steps += 1;
        self.stats.steps = self.steps;
        self.recover(cluster, false);
        if self.percent(self.config.fault_percent) {
            self.inject(cluster);
        }
        // Recoveries and faults take no virtual time, so the run is still short of max_time.
        let elapsed = cluster.now().saturating_sub(self.start);
        let remaining = self.config.max_time.saturating_sub(elapsed);
        let slice = self.between(self.config.slice).clamp(1, remaining.max(1));
        self.credit += self.config.ops_per_sec * slice;
        let ops = self.credit / 1000;
        self.credit %= 1000;
        for _ in 0..ops {
            self.client_op(cluster);
        }
        cluster.execute(Command::Run(slice));
        true
    }

    /// Undoes every fault still in force and runs the quiet period.
    pub fn settle(&mut self, cluster: &mut Cluster) {
        self.recover(cluster, true);
        if !cluster.partition_groups().is_empty() {
            cluster.execute(Command::Heal(None));
        }
        if self.config.settle > 0 {
            cluster.execute(Command::Run(self.config.settle));
        }
    }

    /// Runs the whole workload on a fresh cluster: setup, steps, settle.
    pub fn run(mut self) -> SimRun {
        let mut cluster = self.start();
        while self.step(&mut cluster) {}
        self.settle(&mut cluster);
        SimRun {
            seed: self.seed,
            start: self.start,
            config: self.config,
            stats: self.stats,
            cluster,
        }
    }

    /// Executes the recoveries that are due (all of them with `all`), skipping those that no
    /// longer apply (a node the core stopped is restarted like a crashed one).
    fn recover(&mut self, cluster: &mut Cluster, all: bool) {
        let now = cluster.now();
        let mut due = Vec::new();
        self.undo.retain(|u| {
            if all || u.at <= now {
                due.push(u.command.clone());
                false
            } else {
                true
            }
        });
        for cmd in due {
            let applies = match &cmd {
                Command::Restart(id) => cluster.node(*id).is_some_and(|n| !n.is_up()),
                Command::Resume(id) => cluster.node(*id).is_some_and(|n| n.timer.paused),
                _ => true,
            };
            if applies {
                cluster.execute(cmd);
            }
        }
    }

    fn schedule(&mut self, cluster: &Cluster, command: Command) {
        let at = cluster.now() + self.between(self.config.fault_duration);
        self.undo.push(Undo { at, command });
    }

    fn pick_node(&mut self) -> NodeId {
        1 + self.below(self.config.nodes)
    }

    fn pick_from(&mut self, ids: &[NodeId]) -> Option<NodeId> {
        if ids.is_empty() {
            return None;
        }
        Some(ids[self.below(ids.len() as u64) as usize])
    }

    fn pick_pair(&mut self) -> (NodeId, NodeId) {
        let a = self.pick_node();
        let mut b = self.pick_node();
        if b == a {
            b = a % self.config.nodes + 1;
        }
        (a, b)
    }

    /// Nodes up and ticking (candidates for a crash or a pause), and how many are not.
    fn healthy(&self, cluster: &Cluster) -> (Vec<NodeId>, u64) {
        let up: Vec<NodeId> = cluster
            .nodes()
            .iter()
            .filter(|(_, n)| n.is_up() && !n.timer.paused)
            .map(|(&id, _)| id)
            .collect();
        let down = cluster.nodes().len() as u64 - up.len() as u64;
        (up, down)
    }

    fn inject(&mut self, cluster: &mut Cluster) {
        let total: u64 = self.config.faults.iter().map(|&(_, w)| u64::from(w)).sum();
        if total == 0 {
            return;
        }
        let mut r = self.below(total);
        let mut fault = self.config.faults[0].0;
        for &(f, w) in &self.config.faults {
            if r < u64::from(w) {
                fault = f;
                break;
            }
            r -= u64::from(w);
        }
        let single = self.config.nodes < 2;
        if single && !matches!(fault, Fault::Crash | Fault::Pause | Fault::LyingDisk) {
            return; // no links to break, nobody to hand leadership to
        }
        let (up, down) = self.healthy(cluster);
        let cmd = match fault {
            Fault::Crash | Fault::Pause => {
                if down >= self.config.max_down {
                    return;
                }
                let Some(id) = self.pick_from(&up) else {
                    return;
                };
                if fault == Fault::Crash {
                    self.schedule(cluster, Command::Restart(id));
                    Command::Crash(id)
                } else {
                    self.schedule(cluster, Command::Resume(id));
                    Command::Pause(id)
                }
            }
            Fault::Partition => {
                // Each node lands on a random side; a split with an empty side is no split.
                let n = self.config.nodes;
                let mut sides = (Vec::new(), Vec::new());
                for id in 1..=n {
                    if self.below(2) == 0 {
                        sides.0.push(id);
                    } else {
                        sides.1.push(id);
                    }
                }
                if sides.0.is_empty() || sides.1.is_empty() {
                    let moved = self.pick_node();
                    sides = ((1..=n).filter(|&i| i != moved).collect(), vec![moved]);
                }
                self.schedule(cluster, Command::Heal(None));
                Command::Partition(vec![sides.0, sides.1])
            }
            Fault::Cut => {
                let (a, b) = self.pick_pair();
                self.schedule(cluster, Command::Heal(Some(LinkTarget::Both(a, b))));
                Command::Cut(LinkTarget::OneWay(a, b))
            }
            Fault::Link => {
                let (a, b) = self.pick_pair();
                const RATES: [f64; 4] = [0.0, 0.1, 0.2, 0.5];
                let pick_rate = |w: &mut Workload| RATES[w.below(RATES.len() as u64) as usize];
                let lo = self.below(30);
                let hi = lo + self.below(150);
                let change = LinkChange {
                    drop: Some(pick_rate(self)),
                    delay: Some(Latency { min: lo, max: hi }),
                    duplicate: Some(pick_rate(self)),
                    reorder: Some(pick_rate(self)),
                    reset: false,
                };
                let target = LinkTarget::Both(a, b);
                self.schedule(
                    cluster,
                    Command::Link {
                        target,
                        change: LinkChange {
                            reset: true,
                            ..LinkChange::default()
                        },
                    },
                );
                Command::Link { target, change }
            }
            Fault::Transfer => {
                let Some(from) = cluster.leader() else {
                    return;
                };
                let mut to = self.pick_node();
                if to == from {
                    to = from % self.config.nodes + 1;
                }
                Command::TransferLeadership { from, to }
            }
            Fault::LyingDisk => Command::Disk {
                node: self.pick_node(),
                fault: DiskFault::Lying,
            },
        };
        self.stats.count_fault(fault);
        cluster.execute(cmd);
    }

    fn client_op(&mut self, cluster: &mut Cluster) {
        let pending = cluster
            .clients()
            .values()
            .filter(|c| c.pending.is_some())
            .count();
        if pending >= self.config.max_pending {
            self.stats.ops_skipped += 1;
            return;
        }
        let node = self.pick_node();
        let key = format!("k{}", self.below(self.config.keys));
        let read = self.percent(self.config.read_percent);
        let (verb, value) = if read {
            (ClientVerb::Get, String::new())
        } else {
            let v = self.next_value;
            self.next_value += 1;
            (ClientVerb::Put, v.to_string())
        };
        cluster.execute(Command::Client {
            verb,
            node,
            key,
            value,
            client: None,
        });
    }
}

/// A finished run: the cluster as the workload left it (its recorder holds the whole session).
#[derive(Clone, Debug)]
pub struct SimRun {
    pub seed: u64,
    /// Virtual time when the setup (up to the first leader) ended and the load began.
    pub start: Millis,
    pub config: SimConfig,
    pub stats: SimStats,
    pub cluster: Cluster,
}

/// How the clients fared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientTally {
    pub invoked: u64,
    /// Answered.
    pub completed: u64,
    /// Certainly did not take effect.
    pub failed: u64,
    /// Gave up without knowing.
    pub unknown: u64,
    /// Still waiting at the end.
    pub pending: u64,
}

impl SimRun {
    /// The first safety violation the checker found, if any.
    pub fn violation(&self) -> Option<&Violation> {
        self.cluster.checker().first_violation()
    }

    pub fn clients(&self) -> ClientTally {
        // Counted by the history over every operation, including the ones it no longer keeps.
        let t = self.cluster.history().tally();
        ClientTally {
            invoked: t.invoked,
            completed: t.completed,
            failed: t.failed,
            unknown: t.unknown,
            pending: t.pending(),
        }
    }

    /// The session as a script that replays it: `Script::run(&script, seed)`, or
    /// `raft-script FILE` (which reads the seed from the `# seed:` header).
    pub fn script(&self) -> String {
        format!(
            "# seed: {}\n{}",
            self.seed,
            self.cluster.recorder().to_script(self.seed, false)
        )
    }

    /// One line: seed, virtual time, events, faults, clients, verdict.
    pub fn summary(&self) -> String {
        let t = self.clients();
        let mut s = format!(
            "seed {}: {}ms virtual, {} events, {} steps, {} faults",
            self.seed,
            self.cluster.now(),
            self.cluster.events().len(),
            self.stats.steps,
            self.stats.total_faults()
        );
        let _ = write!(
            s,
            ", ops {} invoked / {} completed / {} failed / {} unknown / {} pending",
            t.invoked, t.completed, t.failed, t.unknown, t.pending
        );
        match self.violation() {
            Some(v) => {
                let _ = write!(s, "; VIOLATION: {v}");
            }
            None => s.push_str("; safe"),
        }
        s
    }
}

/// Runs `config` from `seed`: setup, steps, settle.
pub fn run(seed: u64, config: &SimConfig) -> SimRun {
    Workload::new(seed, config.clone()).run()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::Script;

    fn small() -> SimConfig {
        SimConfig {
            steps: 25,
            max_time: 2_000,
            settle: 1_000,
            ..SimConfig::chaos(3)
        }
    }

    #[test]
    fn a_run_is_a_script_that_replays_to_the_same_history() {
        for seed in 0..4 {
            let r = run(seed, &small());
            let t = Script::run(&r.script(), seed).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(t.history_hash, r.cluster.history_hash(), "seed {seed}");
            assert_eq!(t.cluster.events().len(), r.cluster.events().len());
        }
    }

    #[test]
    fn the_seed_decides_the_run() {
        let (a, b) = (run(7, &small()), run(7, &small()));
        assert_eq!(a.cluster.history_hash(), b.cluster.history_hash());
        assert_eq!(a.script(), b.script());
        assert_ne!(run(8, &small()).script(), a.script());
    }

    #[test]
    fn runs_are_bounded_by_steps_and_virtual_time() {
        let r = run(3, &small());
        assert!(r.stats.steps <= 25);
        // The steps take at most max_time after the first election; the settle phase exactly
        // settle.
        let elected = r.cluster.recorder().commands()[2].command.clone();
        assert!(matches!(elected, Command::RunUntil { .. }), "{elected:?}");
        assert!(r.start > 0, "the first election takes time");
        assert!(r.cluster.now() <= r.start + 2_000 + 1_000, "{r:?}");
        let by_time = run(
            3,
            &SimConfig {
                steps: usize::MAX,
                max_time: 1_500,
                settle: 0,
                ..small()
            },
        );
        assert_eq!(by_time.cluster.now(), by_time.start + 1_500);
    }

    #[test]
    fn the_workload_injects_each_kind_of_fault_and_loads_the_clients() {
        let mut seen = std::collections::BTreeSet::new();
        let mut completed = 0;
        for seed in 0..6 {
            let r = run(
                seed,
                &SimConfig {
                    fault_percent: 100,
                    ..SimConfig::chaos(5)
                },
            );
            for (name, _) in &r.stats.faults {
                seen.insert(name.clone());
            }
            completed += r.clients().completed;
            assert!(r.violation().is_none(), "{}", r.summary());
        }
        for (f, _) in Fault::HONEST {
            assert!(
                seen.contains(f.name()),
                "{} never injected: {seen:?}",
                f.name()
            );
        }
        assert!(completed > 50, "{completed}");
    }

    #[test]
    fn the_rate_sets_the_number_of_operations() {
        let r = run(
            1,
            &SimConfig {
                fault_percent: 0,
                ops_per_sec: 100,
                max_pending: usize::MAX,
                ..SimConfig::benchmark(2)
            },
        );
        let t = r.clients();
        // 100 per virtual second over 2 s, give or take the rounding of the last slice.
        assert!((199..=200).contains(&t.invoked), "{t:?}");
        assert!(t.completed >= 150, "{t:?}");
    }
}
