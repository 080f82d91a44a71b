//! A structure-aware generator of scripts, for the fuzzers.
//!
//! Random bytes rarely make a script that parses, and a script that parses rarely reaches the
//! corners where a cluster breaks: compacting past the applied index, a message id that was
//! just delivered, a node that crashed a moment ago. So the generator writes commands of the
//! language itself ([`Command`]), looking at the cluster before each one to pick the values
//! that matter: the ids of nodes that exist, are down or do not exist; a log's first, last,
//! committed and applied indexes and their neighbours; message ids in flight; and the bounds
//! of every count and duration with the values just past them. Now and then a line is written
//! as raw text with a value no command can hold (a number too long for 64 bits, a negative
//! rate), which the parser must refuse with a line and a column.
//!
//! Every choice is drawn from a [`Choices`]: a seeded stream for the fixed-seed slice that CI
//! runs and the long mode, or the input bytes of a coverage-guided fuzzer, so that the fuzzer's
//! mutations of bytes become mutations of scripts.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

use crate::cluster::Cluster;
use crate::command::{
    AddNodes, Clause, ClientVerb, ClusterSetup, CmpOp, Command, Condition, ConfigSet, DiskFault,
    Field, LinkChange, LinkTarget, MembershipChange, MessageAction, Recipient, StepKind,
};
use crate::limits;
use crate::network::NodeId;
use crate::node::{ReadyPolicy, ReadyStep};
use raft::raftpb::{ConfChangeTransition, MessageType};
use raft::state::StateType;

/// A source of choices.
pub trait Choices {
    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64;

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items`.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Choices from a seeded ChaCha stream.
pub struct Seeded(ChaCha8Rng);

impl Seeded {
    pub fn new(seed: u64) -> Seeded {
        Seeded(ChaCha8Rng::seed_from_u64(seed))
    }
}

impl Choices for Seeded {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n.max(1)
    }
}

/// Choices read from a fuzzer's input, eight bytes at a time; once the input is used up every
/// choice is 0 and [`Bytes::exhausted`] says so (the driver then stops generating).
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data, pos: 0 }
    }

    pub fn exhausted(&self) -> bool {
        self.pos >= self.data.len()
    }
}

impl Choices for Bytes<'_> {
    fn below(&mut self, n: u64) -> u64 {
        let n = n.max(1);
        // As few bytes as the range needs, so that a byte of input is one decision.
        let width = if n <= 1 << 8 {
            1
        } else if n <= 1 << 16 {
            2
        } else {
            8
        };
        let mut v = 0u64;
        for _ in 0..width {
            let b = self.data.get(self.pos).copied().unwrap_or(0);
            self.pos += 1;
            v = (v << 8) | u64::from(b);
        }
        v % n
    }
}

/// What the generator knows of the cluster before writing the next command.
struct Look {
    /// Every node id, up or down.
    ids: Vec<NodeId>,
    /// Nodes that are down.
    down: Vec<NodeId>,
    /// A few indexes that matter on some node: first, last, committed, applied and their
    /// neighbours.
    indexes: Vec<u64>,
    /// Ids of messages in flight, and the next id (not yet used).
    messages: Vec<u64>,
    next_message: u64,
}

impl Look {
    fn of(cluster: &Cluster) -> Look {
        let ids: Vec<NodeId> = cluster.nodes().keys().copied().collect();
        let down = cluster
            .nodes()
            .iter()
            .filter(|(_, n)| !n.is_up())
            .map(|(&id, _)| id)
            .collect();
        let mut indexes = vec![0, 1, 2];
        for n in cluster.nodes().values() {
            if let Some(r) = n.raw() {
                let log = &r.raft.raft_log;
                for i in [
                    log.first_index(),
                    log.last_index(),
                    log.committed,
                    log.applied,
                ] {
                    indexes.extend([i.saturating_sub(1), i, i + 1]);
                }
            }
        }
        let messages: Vec<u64> = cluster.network().in_flight().map(|f| f.id).collect();
        let next_message = messages.iter().max().map_or(1, |m| m + 1);
        Look {
            ids,
            down,
            indexes,
            messages,
            next_message,
        }
    }
}

/// Builds a random script command by command, each chosen after looking at the cluster.
pub struct Generator<'c, C: Choices> {
    pub choices: &'c mut C,
    /// Also draw asynchronous storage writes (nodes that write through storage threads, and
    /// the commands that step the threads). Opt-in: without it every draw is what it was, so
    /// the seeds found so far keep replaying the scripts they were found with.
    pub async_writes: bool,
}

impl<C: Choices> Generator<'_, C> {
    /// A node id: mostly one that exists, sometimes one that is down, absent, or the largest.
    fn id(&mut self, look: &Look) -> NodeId {
        let c = &mut *self.choices;
        match c.below(20) {
            0 => look.ids.len() as u64 + 1,
            1 => limits::MAX_NODE_ID,
            2 if !look.down.is_empty() => *c.pick(&look.down),
            _ if !look.ids.is_empty() => *c.pick(&look.ids),
            _ => 1 + c.below(limits::MAX_NODE_ID),
        }
    }

    /// Two ids (a link, a sender and a receiver): different mostly, now and then the same.
    fn pair(&mut self, look: &Look) -> (NodeId, NodeId) {
        let a = self.id(look);
        let mut b = self.id(look);
        if a == b && self.choices.chance(80) {
            b = if a == limits::MAX_NODE_ID { 1 } else { a + 1 };
        }
        (a, b)
    }

    /// A list of distinct ids.
    fn ids(&mut self, look: &Look, max: u64) -> Vec<NodeId> {
        let n = self.choices.below(max + 1);
        let mut out = Vec::new();
        for _ in 0..n {
            let id = self.id(look);
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    /// A count: small mostly, sometimes the bound or just past it.
    fn count(&mut self, bound: u64) -> u64 {
        let c = &mut *self.choices;
        match c.below(12) {
            0 => 0,
            1 => bound,
            2 => bound.saturating_add(1),
            3 => u64::MAX,
            _ => 1 + c.below(bound.clamp(1, 8)),
        }
    }

    /// A log index that matters somewhere, or an extreme one.
    fn index(&mut self, look: &Look) -> u64 {
        let c = &mut *self.choices;
        match c.below(10) {
            0 => u64::MAX,
            1 => limits::MAX_INDEX.saturating_add(c.below(2)),
            _ => *c.pick(&look.indexes),
        }
    }

    /// A duration: short mostly (the run must go on), sometimes 0, the bound or past it.
    fn duration(&mut self, bound: u64) -> u64 {
        let c = &mut *self.choices;
        match c.below(40) {
            0 => 0,
            1 => bound.saturating_add(1),
            2 => u64::MAX,
            3 => bound,
            4..=9 => 1 + c.below(20),
            _ => 1 + c.below(3000),
        }
    }

    fn latency(&mut self) -> crate::network::Latency {
        let a = self
            .duration(limits::MAX_LATENCY)
            .min(limits::MAX_LATENCY + 1);
        let b = self
            .duration(limits::MAX_LATENCY)
            .min(limits::MAX_LATENCY + 1);
        crate::network::Latency {
            min: a.min(b),
            max: a.max(b),
        }
    }

    fn rate(&mut self) -> f64 {
        let c = &mut *self.choices;
        match c.below(6) {
            0 => 0.0,
            1 => 1.0,
            _ => c.below(1001) as f64 / 1000.0,
        }
    }

    fn word(&mut self) -> String {
        let c = &mut *self.choices;
        match c.below(12) {
            0 => "x".repeat(limits::MAX_DATA_LEN),
            1 => "x".repeat(limits::MAX_DATA_LEN + 1),
            _ => ["x", "y", "z", "k1", "v", "hello"][c.below(6) as usize].to_string(),
        }
    }

    fn condition(&mut self, look: &Look) -> Condition {
        let n = 1 + self.choices.below(3);
        let mut clauses = Vec::new();
        for _ in 0..n {
            let c = match self.choices.below(10) {
                0 => Clause::Leader(None),
                1 => Clause::Leader(Some(self.id(look))),
                2 => Clause::NoLeader,
                3 => Clause::State(*self.choices.pick(&[
                    StateType::StateFollower,
                    StateType::StateCandidate,
                    StateType::StatePreCandidate,
                    StateType::StateLeader,
                ])),
                4 => Clause::Safe,
                5 => Clause::Config {
                    set: *self.choices.pick(&[
                        ConfigSet::Voters,
                        ConfigSet::Outgoing,
                        ConfigSet::Learners,
                    ]),
                    ids: {
                        let mut ids = self.ids(look, 4);
                        ids.sort_unstable();
                        ids
                    },
                },
                6 => Clause::Joint(self.choices.chance(50)),
                7 => Clause::Value {
                    key: self.word(),
                    value: self.choices.chance(50).then(|| self.word()),
                },
                _ => Clause::Compare {
                    field: *self.choices.pick(&[
                        Field::Term,
                        Field::Commit,
                        Field::Applied,
                        Field::Vote,
                        Field::Lead,
                        Field::LastIndex,
                    ]),
                    op: *self.choices.pick(&[
                        CmpOp::Eq,
                        CmpOp::Ne,
                        CmpOp::Ge,
                        CmpOp::Le,
                        CmpOp::Gt,
                        CmpOp::Lt,
                    ]),
                    value: self.index(look),
                },
            };
            clauses.push(c);
        }
        // Value clauses are written last (after `value`), so keep them last here too, or the
        // printed condition would not parse back to this one.
        clauses.sort_by_key(|c| matches!(c, Clause::Value { .. }));
        let nodes = self.choices.chance(30).then(|| self.ids(look, 3));
        Condition { clauses, nodes }
    }

    fn setup(&mut self) -> ClusterSetup {
        let d = ClusterSetup::default();
        let c = &mut *self.choices;
        let mut s = ClusterSetup {
            nodes: 1 + c.below(limits::MAX_NODE_ID),
            ..d.clone()
        };
        if self.async_writes && c.chance(60) {
            s.async_nodes = (1..=s.nodes).filter(|_| c.chance(50)).collect();
        }
        if c.chance(50) {
            return s;
        }
        s.pre_vote = c.chance(50);
        s.check_quorum = c.chance(50);
        s.lease_reads = s.check_quorum && c.chance(30);
        s.step_down_on_removal = c.chance(30);
        if c.chance(30) {
            s.policy = ReadyPolicy::ServeChannels;
        }
        if c.chance(20) {
            s.tick = 1 + c.below(200);
        }
        if c.chance(20) {
            s.election = self.count(limits::MAX_ELECTION_TICKS) as usize;
        }
        if self.choices.chance(20) {
            s.heartbeat = self.count(4) as usize;
        }
        if self.choices.chance(30) {
            s.latency = self.latency();
        }
        if self.choices.chance(20) {
            s.sync = self.duration(limits::MAX_LATENCY);
        }
        if self.choices.chance(30) {
            s.snapshot_count = self.count(20);
            s.catch_up_entries = self.count(10);
        }
        // Flow control at its extremes (one append in flight, one entry per append) and past
        // its bounds, which the parser must refuse.
        if self.choices.chance(20) {
            s.inflight = self.count(limits::MAX_INFLIGHT) as usize;
        }
        if self.choices.chance(20) {
            s.max_size_per_msg = self.count(limits::MAX_SIZE_PER_MSG);
        }
        s
    }

    fn add_nodes(&mut self, look: &Look) -> AddNodes {
        let mut a = AddNodes {
            count: self.count(3),
            ..AddNodes::default()
        };
        if self.choices.chance(60) {
            a.voters = self.ids(look, 4);
            a.learners = self.ids(look, 1);
            a.index = Some(self.index(look));
        }
        let c = &mut *self.choices;
        if c.chance(20) {
            a.content = Some("snap".to_string());
        }
        if c.chance(20) {
            a.inflight = Some(self.count(limits::MAX_INFLIGHT) as usize);
        }
        let c = &mut *self.choices;
        for flag in [
            &mut a.pre_vote,
            &mut a.check_quorum,
            &mut a.disable_conf_change_validation,
            &mut a.lease_reads,
            &mut a.step_down_on_removal,
        ] {
            if c.chance(20) {
                *flag = Some(c.chance(50));
            }
        }
        if c.chance(20) {
            a.max_committed_size_per_ready = Some(*c.pick(&[0, 1, 100, u64::MAX]));
        }
        if self.async_writes && c.chance(40) {
            a.async_storage_writes = Some(c.chance(70));
        }
        a
    }

    /// A conf change in etcd's text (`v2 r1 l3 u4`).
    fn changes(&mut self, look: &Look) -> String {
        let n = self.choices.below(4);
        let mut out = Vec::new();
        for _ in 0..n {
            let op = *self.choices.pick(&["v", "r", "l", "u"]);
            out.push(format!("{op}{}", self.id(look)));
        }
        out.join(" ")
    }

    /// The next command, chosen after looking at `cluster`.
    pub fn command(&mut self, cluster: &Cluster) -> Command {
        use Command as K;
        let look = Look::of(cluster);
        // A cluster first, most of the time: without one nearly every command is refused.
        if look.ids.is_empty() && self.choices.chance(80) {
            return if self.choices.chance(80) {
                K::Cluster(self.setup())
            } else {
                K::AddNodes(self.add_nodes(&look))
            };
        }
        if self.async_writes && self.choices.chance(8) {
            let ids = self.ids(&look, 3);
            return if self.choices.chance(50) {
                K::ProcessAppendThread(ids)
            } else {
                K::ProcessApplyThread(ids)
            };
        }
        match self.choices.below(62) {
            0 => K::Cluster(self.setup()),
            1 => K::AddNodes(self.add_nodes(&look)),
            2 => K::Campaign(self.id(&look)),
            3 => K::Propose {
                node: self.id(&look),
                data: self.word(),
            },
            4 => K::ProposeConfChange {
                node: self.id(&look),
                v1: self.choices.chance(30),
                transition: *self.choices.pick(&[
                    ConfChangeTransition::ConfChangeTransitionAuto,
                    ConfChangeTransition::ConfChangeTransitionJointImplicit,
                    ConfChangeTransition::ConfChangeTransitionJointExplicit,
                ]),
                changes: self.changes(&look),
            },
            5 => K::ProcessReady(self.ids(&look, 3)),
            6 => {
                let mut recipients = Vec::new();
                for id in self.ids(&look, 3) {
                    recipients.push(Recipient {
                        id,
                        drop: self.choices.chance(30),
                    });
                }
                // Printed as delivered ids first, then `drop=(..)`: keep that order.
                recipients.sort_by_key(|r| r.drop);
                let msg_type = self
                    .choices
                    .chance(30)
                    .then(|| *self.choices.pick(&MessageType::ALL));
                K::DeliverMsgs {
                    recipients,
                    msg_type,
                }
            }
            7 => K::Stabilize {
                nodes: self.ids(&look, 3),
                log_level: self
                    .choices
                    .chance(20)
                    .then(|| self.choices.pick(&["debug", "info", "none"]).to_string()),
            },
            8 => K::TickElection(self.id(&look)),
            9 => K::TickHeartbeat(self.id(&look)),
            10 => K::Tick {
                node: self.id(&look),
                count: self.count(limits::MAX_TICKS) as usize,
            },
            11 => K::RaftLog(self.id(&look)),
            12 => K::RaftState,
            13 => K::Status(self.id(&look)),
            14 => {
                let (from, to) = self.pair(&look);
                K::TransferLeadership { from, to }
            }
            15 => K::ForgetLeader(self.id(&look)),
            16 => {
                let (node, peer) = self.pair(&look);
                K::ReportUnreachable { node, peer }
            }
            17 => K::Compact {
                node: self.id(&look),
                index: self.choices.chance(70).then(|| self.index(&look)),
            },
            18 => {
                let (from, to) = self.pair(&look);
                K::SendSnapshot { from, to }
            }
            19 => K::SetRandomizedElectionTimeout {
                node: self.id(&look),
                timeout: self.count(limits::MAX_ELECTION_TICKS).max(1) as usize,
            },
            20 => K::LogLevel(
                self.choices
                    .pick(&["debug", "info", "warn", "error", "fatal", "none"])
                    .to_string(),
            ),
            21 => K::ProcessAppendThread(self.ids(&look, 2)),
            22 => K::ProcessApplyThread(self.ids(&look, 2)),
            23 => K::Breakpoint,
            24 | 25 => K::Run(self.duration(limits::MAX_RUN)),
            26 => K::RunUntil {
                condition: self.condition(&look),
                max: self.duration(limits::MAX_RUN),
            },
            27 => K::Step(*self.choices.pick(&[
                StepKind::Any,
                StepKind::Tick,
                StepKind::Message,
                StepKind::Ready,
            ])),
            28 => K::Crash(self.id(&look)),
            29 => K::Restart(self.id(&look)),
            30 => K::Wipe(self.id(&look)),
            31 => K::Pause(self.id(&look)),
            32 => K::Resume(self.id(&look)),
            33 => {
                // Groups that may overlap or leave nodes out.
                let n = 2 + self.choices.below(2);
                let mut groups = Vec::new();
                for _ in 0..n {
                    let mut g = self.ids(&look, 3);
                    if g.is_empty() {
                        g.push(self.id(&look));
                    }
                    groups.push(g);
                }
                K::Partition(groups)
            }
            34 => K::Cut(self.link_target(&look, false)),
            35 => K::Heal(self.choices.chance(50).then(|| {
                let (a, b) = self.pair(&look);
                LinkTarget::Both(a, b)
            })),
            36 | 37 => {
                let target = self.link_target(&look, true);
                let change = if self.choices.chance(15) {
                    LinkChange {
                        reset: true,
                        ..LinkChange::default()
                    }
                } else {
                    LinkChange {
                        drop: self.choices.chance(50).then(|| self.rate()),
                        delay: self.choices.chance(50).then(|| self.latency()),
                        duplicate: self.choices.chance(30).then(|| self.rate()),
                        reorder: self.choices.chance(30).then(|| self.rate()),
                        reset: false,
                    }
                };
                K::Link { target, change }
            }
            38 => K::Disk {
                node: self.id(&look),
                fault: match self.choices.below(3) {
                    0 => DiskFault::Lying,
                    1 => DiskFault::Slow(self.duration(limits::MAX_LATENCY)),
                    _ => DiskFault::Ok,
                },
            },
            39 | 40 => K::Message {
                action: *self.choices.pick(&[
                    MessageAction::Drop,
                    MessageAction::Duplicate,
                    MessageAction::Deliver,
                    MessageAction::Hold,
                    MessageAction::Release,
                ]),
                id: match self.choices.below(8) {
                    0 => look.next_message,
                    1 => u64::MAX,
                    2 => 0,
                    _ if !look.messages.is_empty() => *self.choices.pick(&look.messages),
                    _ => 1,
                },
            },
            41 => K::Manual(self.id(&look)),
            42 => K::Auto(self.id(&look)),
            43 => K::Policy {
                node: self.id(&look),
                policy: *self
                    .choices
                    .pick(&[ReadyPolicy::RaftNodeStart, ReadyPolicy::ServeChannels]),
            },
            44 => K::TakeReady(self.id(&look)),
            45 | 46 => K::ReadyStep {
                node: self.id(&look),
                step: *self.choices.pick(&[
                    ReadyStep::Persist,
                    ReadyStep::Send,
                    ReadyStep::Apply,
                    ReadyStep::Advance,
                ]),
            },
            47 => K::Membership(match self.choices.below(6) {
                0 => MembershipChange::AddNode(self.id(&look)),
                1 => MembershipChange::AddLearner(self.id(&look)),
                2 => MembershipChange::Promote(self.id(&look)),
                3 => MembershipChange::Remove(self.id(&look)),
                4 => {
                    let (old, new) = self.pair(&look);
                    MembershipChange::Replace {
                        old,
                        new,
                        transition: *self.choices.pick(&[
                            ConfChangeTransition::ConfChangeTransitionAuto,
                            ConfChangeTransition::ConfChangeTransitionJointImplicit,
                            ConfChangeTransition::ConfChangeTransitionJointExplicit,
                        ]),
                    }
                }
                _ => MembershipChange::LeaveJoint,
            }),
            48..=51 => {
                let verb =
                    *self
                        .choices
                        .pick(&[ClientVerb::Put, ClientVerb::Get, ClientVerb::Delete]);
                K::Client {
                    verb,
                    node: self.id(&look),
                    key: self.word(),
                    value: if verb == ClientVerb::Put {
                        self.word()
                    } else {
                        String::new()
                    },
                    client: self
                        .choices
                        .chance(30)
                        .then(|| self.count(limits::MAX_CLIENT_ID)),
                }
            }
            52 | 53 => K::Expect(self.condition(&look)),
            54 => K::Kv(self.id(&look)),
            55 => K::History,
            56 => K::Checker,
            57 => K::Events(self.count(limits::MAX_EVENTS_LISTED) as usize),
            58 => K::StopAfter(self.count(200)),
            59 => K::Load(
                self.choices
                    .chance(70)
                    .then(|| self.duration(2000).max(limits::MIN_LOAD_EVERY - 1)),
            ),
            _ => K::Run(self.duration(2000)),
        }
    }

    fn link_target(&mut self, look: &Look, all: bool) -> LinkTarget {
        if all && self.choices.chance(25) {
            return LinkTarget::All;
        }
        let (a, b) = self.pair(look);
        if self.choices.chance(50) {
            LinkTarget::OneWay(a, b)
        } else {
            LinkTarget::Both(a, b)
        }
    }

    /// A line no command can hold: a number past 64 bits, a negative or too-precise rate, a
    /// zero id, an unknown option. The parser must refuse it with a line and a column.
    pub fn raw_line(&mut self) -> String {
        let lines = [
            "tick 1 18446744073709551616",
            "run 99999999999999999999999ms",
            "run -5ms",
            "run 1.5.5s",
            "link 1-2 drop=-0.1",
            "link 1-2 drop=0.1234567890123456789",
            "crash 0",
            "partition (1 2",
            "partition (1) ()",
            "cluster 0",
            "cluster 10",
            "cluster 3 election=18446744073709551616",
            "events last=18446744073709551616",
            "expect committed>=x",
            "expect value",
            "put 1 x",
            "deliver-msgs 1 drop=(1)",
            "replace 1 with 1",
            "step sideways",
            "disk 1 slow=1h1h",
            "add-nodes 1 index=0x",
            "propose 1",
            "unknown-command 1 2",
            "set-randomized-election-timeout 1 timeout=0",
        ];
        let c = &mut *self.choices;
        c.pick(&lines).to_string()
    }
}
