//! What the page draws: a plain-data picture of the whole cluster at one instant.
//!
//! The page never reaches into the simulation. After every command the cluster fills in a
//! [`ClusterView`] and the page renders only that, so the drawing code cannot depend on (or
//! disturb) Raft or simulation internals, and a view can be serialized, compared in tests or
//! stored next to a history checkpoint. Texts that need Raft knowledge (message descriptions,
//! Ready fields) are rendered by the cluster with the core's `describe` functions, so the page
//! shows exactly what a transcript would print.
//!
//! Conventions: ids are Raft ids (never 0; 0 means "none", as in etcd); times are virtual
//! milliseconds; indexes and terms are etcd's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The whole cluster as the page draws it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterView {
    /// Virtual time now, in milliseconds since the cluster started.
    pub now_ms: u64,
    /// Nominal tick interval of the nodes (etcd's raftexample uses 100 ms); the page uses it to
    /// turn tick counts into time.
    pub tick_ms: u64,
    /// The seed the run was started from: with the script, it reproduces the run exactly.
    pub seed: u64,
    /// Every node, in id order.
    pub nodes: Vec<NodeView>,
    /// Messages in flight on the network, in send order.
    pub messages: Vec<MessageView>,
    /// Every directed link between two distinct nodes, healthy or not, ordered by (from, to).
    /// One-way faults are simply a cut in one direction and not in the other.
    pub links: Vec<LinkView>,
    /// Partition groups while a partition is in force (empty when the network is whole).
    pub partitions: Vec<Vec<u64>>,
    /// The node that is leader in the highest term, if any live node believes it leads.
    pub leader: Option<u64>,
    /// The safety checker's verdict so far.
    pub checker: CheckerView,
    /// How many events the history holds.
    pub events: u64,
    /// The event the view shows: `events` when live, smaller while the timeline is scrubbed back.
    pub cursor: u64,
    /// The most recent events (oldest first), for the event log panel. A bounded tail, not the
    /// whole history.
    pub recent_events: Vec<EventView>,
    /// The membership configuration in force: the leader's, or without a leader that of the
    /// running node that applied the most. Each node's place in it is `NodeView::membership`.
    #[serde(default)]
    pub config: ConfigView,
}

impl ClusterView {
    /// The node with this id.
    pub fn node(&self, id: u64) -> Option<&NodeView> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The message in flight with this id.
    pub fn message(&self, id: u64) -> Option<&MessageView> {
        self.messages.iter().find(|m| m.id == id)
    }

    /// The directed link `from -> to`.
    pub fn link(&self, from: u64, to: u64) -> Option<&LinkView> {
        self.links.iter().find(|l| l.from == from && l.to == to)
    }

    /// Whether `id` is on the losing side of the network: it cannot exchange messages both
    /// ways with a majority of the nodes (itself included), so it can neither lead nor help
    /// commit. Nodes on the majority side of a partition are not cut off, even though some of
    /// their links are.
    ///
    /// "A majority" is of the voters of the configuration (of each of its two halves while it
    /// is joint); a view without a configuration counts every node as a voter.
    pub fn is_cut_off(&self, id: u64) -> bool {
        let up = |a: u64, b: u64| self.link(a, b).is_some_and(|l| !l.cut);
        let reaches = |n: u64| n == id || (up(id, n) && up(n, id));
        if self.config.voters.is_empty() && self.config.outgoing.is_empty() {
            let reachable = self.nodes.iter().filter(|n| reaches(n.id)).count();
            return reachable * 2 <= self.nodes.len();
        }
        [&self.config.voters, &self.config.outgoing]
            .into_iter()
            .filter(|half| !half.is_empty())
            .any(|half| half.iter().filter(|&&v| reaches(v)).count() * 2 <= half.len())
    }
}

/// The membership configuration (etcd's `tracker.Config`): who votes, who only learns.
///
/// While a configuration change through joint consensus is under way (Raft thesis §4.3), the
/// configuration is *joint*: `outgoing` holds the old voters and `voters` the new ones, and
/// elections and commits need a majority of each. Otherwise `outgoing` is empty and a
/// majority of `voters` decides.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigView {
    /// Voters of the incoming configuration (the only one when not joint), ascending.
    pub voters: Vec<u64>,
    /// Voters of the outgoing configuration while joint; empty otherwise.
    pub outgoing: Vec<u64>,
    /// Learners: they receive the log but neither vote nor count toward commitment.
    pub learners: Vec<u64>,
    /// Outgoing voters that become learners when the joint configuration is left (they cannot
    /// be learners while they still vote in the outgoing half).
    pub learners_next: Vec<u64>,
    /// The joint configuration is left automatically once it is committed (etcd's
    /// `AutoLeave`); without it the person proposes `leave-joint`.
    pub auto_leave: bool,
    /// The node whose configuration this is (the leader when there is one); 0 when unknown.
    pub source: u64,
    /// etcd's one-line form, e.g. `voters=(1 2 4)&&(1 2 3) autoleave`.
    pub text: String,
    /// A configuration change the leader accepted and has not applied yet: the index of its
    /// entry (0 when none) and the change in etcd's compact notation (`v4` adds a voter, `l5`
    /// a learner, `r1` removes; `r3 v4 transition=explicit`; `leave-joint` for the empty change
    /// that leaves a joint configuration). etcd allows one at a time.
    pub pending_index: u64,
    pub pending: Option<String>,
}

impl ConfigView {
    /// Whether the configuration is joint (an old and a new voter set both decide).
    pub fn is_joint(&self) -> bool {
        !self.outgoing.is_empty()
    }

    /// Whether `id` votes, in either half.
    pub fn is_voter(&self, id: u64) -> bool {
        self.voters.contains(&id) || self.outgoing.contains(&id)
    }

    pub fn is_learner(&self, id: u64) -> bool {
        self.learners.contains(&id)
    }

    /// Whether `id` is in the configuration at all (voter or learner).
    pub fn is_member(&self, id: u64) -> bool {
        self.is_voter(id) || self.is_learner(id) || self.learners_next.contains(&id)
    }

    /// How many votes (or acknowledgements) of `half` make a majority of it: 0 for an empty
    /// half, which imposes nothing.
    pub fn majority(half: &[u64]) -> usize {
        if half.is_empty() {
            0
        } else {
            half.len() / 2 + 1
        }
    }

    /// Whether `ids` hold a majority of the voters: of both halves while joint.
    pub fn is_quorum(&self, ids: &[u64]) -> bool {
        [&self.voters, &self.outgoing]
            .into_iter()
            .all(|half| half.iter().filter(|v| ids.contains(v)).count() >= Self::majority(half))
    }
}

/// A node's place in the configuration of [`ClusterView::config`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Membership {
    /// A voter of the (incoming) configuration.
    #[default]
    Voter,
    /// A voter of the outgoing half only: it still votes and counts until the joint
    /// configuration is left, then it is gone (or a learner, if in `learners_next`).
    Outgoing,
    /// A learner: it replicates the log but does not vote or count toward commitment.
    Learner,
    /// Running, but not (yet) in the configuration: a node added at run time waits here until
    /// the change that adds it is applied and the leader reaches it.
    Joining,
    /// Removed from the configuration by a change some node applied. etcd's server stops a
    /// removed member; its id is never reused.
    Removed,
}

impl Membership {
    /// The name a person reads.
    pub fn name(self) -> &'static str {
        match self {
            Membership::Voter => "voter",
            Membership::Outgoing => "outgoing voter",
            Membership::Learner => "learner",
            Membership::Joining => "joining",
            Membership::Removed => "removed",
        }
    }
}

/// A node's role. etcd's `StateType` has no learner state (a learner is a follower that is not
/// in the voter set); the page draws learners differently, so the cluster reports them apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    #[default]
    Follower,
    PreCandidate,
    Candidate,
    Leader,
    Learner,
}

impl Role {
    /// The name a person reads.
    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "Follower",
            Role::PreCandidate => "PreCandidate",
            Role::Candidate => "Candidate",
            Role::Leader => "Leader",
            Role::Learner => "Learner",
        }
    }
}

/// One node: its Raft state, its log, its pending Ready and its state machine.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    pub id: u64,
    pub role: Role,
    pub term: u64,
    /// Who this node voted for in `term` (0: nobody).
    pub vote: u64,
    pub commit: u64,
    pub applied: u64,
    /// The leader this node knows of (0: none).
    pub lead: u64,
    /// The process is down: only its synced disk survives.
    pub crashed: bool,
    /// Its clock is paused: it does not tick (it still receives messages).
    pub paused: bool,
    /// Ticks since the election timer was last reset.
    pub election_elapsed: u64,
    /// Ticks after which a follower campaigns (randomized in [ElectionTick, 2*ElectionTick)).
    pub randomized_election_timeout: u64,
    /// Entries after the snapshot, in index order.
    pub log: Vec<EntryView>,
    /// The last index on stable storage; entries above it are still in the unstable part.
    pub stable_index: u64,
    /// Index and term of the latest snapshot (0 when there is none): entries up to it are
    /// compacted away.
    pub snapshot_index: u64,
    pub snapshot_term: u64,
    /// Indexes of this node's entries that disagree with the leader's log (same index, other
    /// term). Empty on the leader and when there is no leader.
    pub conflicts: Vec<u64>,
    /// The Ready the node has handed out and not yet advanced past, or would hand out now.
    pub ready: Option<ReadyView>,
    /// Whether the cluster handles this node's Readys by itself (its Ready policy) rather than
    /// waiting for the person to persist, send, apply and advance by hand.
    pub auto_ready: bool,
    /// The leader's view of every peer's replication (empty unless this node leads).
    pub progress: Vec<ProgressView>,
    /// The node's key/value state machine, fed by applied entries.
    pub kv: BTreeMap<String, String>,
    /// Its place in the cluster's configuration ([`ClusterView::config`]).
    #[serde(default)]
    pub membership: Membership,
    /// The configuration as this node knows it (etcd's form, e.g. `voters=(1 2 3)`); it lags
    /// the leader's until the node applies the change. Empty while the node is down.
    #[serde(default)]
    pub config: String,
}

impl NodeView {
    /// Index of the last entry in the log (the snapshot's when the log is empty).
    pub fn last_index(&self) -> u64 {
        self.log.last().map_or(self.snapshot_index, |e| e.index)
    }

    /// The entry at `index`, if the log still holds it.
    pub fn entry(&self, index: u64) -> Option<&EntryView> {
        let first = self.log.first()?.index;
        let at = usize::try_from(index.checked_sub(first)?).ok()?;
        self.log.get(at)
    }
}

/// The kind of an entry, as etcd's `EntryType`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    #[default]
    Normal,
    ConfChange,
    ConfChangeV2,
}

impl EntryKind {
    /// etcd's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Normal => "EntryNormal",
            EntryKind::ConfChange => "EntryConfChange",
            EntryKind::ConfChangeV2 => "EntryConfChangeV2",
        }
    }
}

/// One log entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EntryView {
    pub index: u64,
    pub term: u64,
    pub kind: EntryKind,
    /// The payload as text (`x=5`, a conf change in etcd's notation, or empty for the leader's
    /// no-op entry).
    pub data: String,
}

/// A pending Ready, field by field as etcd names them, each rendered to text by the cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReadyView {
    /// `SoftState` when it changed (e.g. `Lead:1 State:StateLeader`).
    pub soft_state: Option<String>,
    /// `HardState` when it changed (e.g. `Term:3 Vote:1 Commit:7`).
    pub hard_state: Option<String>,
    /// `Entries` to append to stable storage, one line each (`3/8 EntryNormal "x=5"`).
    pub entries: Vec<String>,
    /// `Snapshot` to apply, when there is one.
    pub snapshot: Option<String>,
    /// `CommittedEntries` to apply to the state machine, one line each.
    pub committed_entries: Vec<String>,
    /// `Messages` to send, one line each, as etcd describes them.
    pub messages: Vec<String>,
    /// `MustSync`: whether the write must be fsynced before the messages go out.
    pub must_sync: bool,
    /// `ReadStates`, one line each.
    pub read_states: Vec<String>,
    /// Steps of this Ready already done by hand. A step with nothing to do counts as done, so
    /// `advance` is possible exactly when all three are true.
    pub persisted: bool,
    pub sent: bool,
    pub applied: bool,
}

impl ReadyView {
    /// Whether every step before Advance is done.
    pub fn can_advance(&self) -> bool {
        self.persisted && self.sent && self.applied
    }
}

/// The leader's record of one peer (etcd's `tracker.Progress`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProgressView {
    pub id: u64,
    /// The highest index known to be replicated on the peer (`Match`).
    #[serde(rename = "match")]
    pub matched: u64,
    pub next: u64,
    /// `StateProbe`, `StateReplicate` or `StateSnapshot`.
    pub state: String,
    /// Messages in flight to this peer (`Inflights.Count()`).
    pub inflight: usize,
    /// Whether sending to this peer is paused (`IsPaused()`).
    pub paused: bool,
    pub recent_active: bool,
    pub is_learner: bool,
    /// Index of the snapshot being sent while in StateSnapshot (0 otherwise).
    pub pending_snapshot: u64,
}

/// One message on the network.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    /// The network's id for this copy of the message (stable while in flight).
    pub id: u64,
    pub from: u64,
    pub to: u64,
    /// etcd's name of the type (`MsgApp`, `MsgVoteResp`, …).
    pub msg_type: String,
    /// Whether this is a response (`MsgAppResp`, `MsgVoteResp`, …).
    pub is_response: bool,
    /// A response carrying `Reject: true`.
    pub rejected: bool,
    pub term: u64,
    pub sent_at: u64,
    pub arrives_at: u64,
    /// Held back by the person: it does not arrive until released or delivered by hand.
    pub held: bool,
    /// One line for labels and lists (`MsgApp 1→3 term 3 log 3/7 entries 1`).
    pub summary: String,
    /// The whole message as etcd describes it.
    pub description: String,
}

/// One directed link between two nodes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkView {
    pub from: u64,
    pub to: u64,
    /// Nothing gets through in this direction.
    pub cut: bool,
    /// Probability that a message is lost (0 for a healthy link).
    pub drop_rate: f64,
    /// Probability that a message arrives twice.
    pub duplicate_rate: f64,
    /// The latency as configured (`10ms`, `20..80ms`).
    pub delay: String,
    /// Whether the latency is not the network's default (the page labels such links).
    pub custom_delay: bool,
}

impl LinkView {
    /// Whether something about this link deserves a mark on the diagram.
    pub fn is_faulty(&self) -> bool {
        self.cut || self.drop_rate > 0.0 || self.duplicate_rate > 0.0 || self.custom_delay
    }
}

/// The safety checker's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckerView {
    /// No property has been violated so far.
    pub ok: bool,
    /// What was violated, in one sentence naming the nodes.
    pub violation: Option<String>,
    /// The event at which the violation happened (to jump there).
    pub event: Option<u64>,
    /// The nodes involved.
    pub nodes: Vec<u64>,
}

impl Default for CheckerView {
    fn default() -> Self {
        CheckerView {
            ok: true,
            violation: None,
            event: None,
            nodes: Vec::new(),
        }
    }
}

/// One line of the event log.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub index: u64,
    pub at_ms: u64,
    /// The node the event concerns, if one.
    pub node: Option<u64>,
    pub text: String,
}

/// SAMPLE DATA, not a simulation: a hand-written, plausible 5-node cluster for tests and for the
/// page until the real cluster is wired in. Node 1 leads in term 3 with an unstable entry and a
/// pending Ready; node 3 catches up after a snapshot; node 4 holds a stale entry from term 2
/// that conflicts with the leader; node 5 is cut off and pre-campaigning.
pub fn demo() -> ClusterView {
    let entry = |index: u64, term: u64, data: &str| EntryView {
        index,
        term,
        kind: EntryKind::Normal,
        data: data.to_string(),
    };
    // The leader's log. Empty entries are the no-ops each new leader appends.
    let leader_log = vec![
        entry(1, 1, ""),
        entry(2, 1, "x=1"),
        entry(3, 1, "y=2"),
        entry(4, 2, ""),
        entry(5, 2, "x=3"),
        entry(6, 3, ""),
        entry(7, 3, "z=4"),
        entry(8, 3, "x=5"),
    ];
    let kv = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>()
    };
    let progress = |id, matched, next, state: &str, inflight, paused, recent_active| ProgressView {
        id,
        matched,
        next,
        state: state.to_string(),
        inflight,
        paused,
        recent_active,
        is_learner: false,
        pending_snapshot: 0,
    };

    let n1 = NodeView {
        id: 1,
        role: Role::Leader,
        term: 3,
        vote: 1,
        commit: 7,
        applied: 6,
        lead: 1,
        election_elapsed: 4,
        randomized_election_timeout: 10,
        log: leader_log.clone(),
        stable_index: 7,
        ready: Some(ReadyView {
            hard_state: Some("Term:3 Vote:1 Commit:7".into()),
            entries: vec!["3/8 EntryNormal \"x=5\"".into()],
            committed_entries: vec!["3/7 EntryNormal \"z=4\"".into()],
            messages: vec![
                "1->2 MsgApp Term:3 Log:3/7 Commit:7 Entries:[3/8 EntryNormal \"x=5\"]".into(),
                "1->3 MsgApp Term:3 Log:3/7 Commit:7 Entries:[3/8 EntryNormal \"x=5\"]".into(),
            ],
            must_sync: true,
            ..ReadyView::default()
        }),
        auto_ready: false,
        progress: vec![
            progress(1, 7, 9, "StateReplicate", 0, false, true),
            progress(2, 7, 9, "StateReplicate", 1, false, true),
            progress(3, 5, 8, "StateReplicate", 2, false, true),
            progress(4, 5, 6, "StateProbe", 1, true, true),
            progress(5, 0, 8, "StateProbe", 0, false, false),
        ],
        kv: kv(&[("x", "3"), ("y", "2")]),
        ..NodeView::default()
    };
    let n2 = NodeView {
        id: 2,
        role: Role::Follower,
        term: 3,
        vote: 1,
        commit: 7,
        applied: 7,
        lead: 1,
        election_elapsed: 1,
        randomized_election_timeout: 14,
        log: leader_log[..7].to_vec(),
        stable_index: 7,
        auto_ready: true,
        kv: kv(&[("x", "3"), ("y", "2"), ("z", "4")]),
        ..NodeView::default()
    };
    let n3 = NodeView {
        id: 3,
        role: Role::Follower,
        term: 3,
        vote: 1,
        commit: 5,
        applied: 5,
        lead: 1,
        election_elapsed: 2,
        randomized_election_timeout: 12,
        // Entries up to 3 arrived as a snapshot; 4 and 5 were appended after it.
        log: leader_log[3..5].to_vec(),
        stable_index: 5,
        snapshot_index: 3,
        snapshot_term: 1,
        auto_ready: true,
        kv: kv(&[("x", "3"), ("y", "2")]),
        ..NodeView::default()
    };
    let mut n4_log = leader_log[..5].to_vec();
    // Appended by the term-2 leader but never committed; the term-3 leader has a no-op there.
    n4_log.push(entry(6, 2, "y=9"));
    let n4 = NodeView {
        id: 4,
        role: Role::Follower,
        term: 3,
        vote: 0,
        commit: 5,
        applied: 5,
        lead: 1,
        election_elapsed: 3,
        randomized_election_timeout: 11,
        log: n4_log,
        stable_index: 6,
        conflicts: vec![6],
        auto_ready: true,
        kv: kv(&[("x", "3"), ("y", "2")]),
        ..NodeView::default()
    };
    let n5 = NodeView {
        id: 5,
        role: Role::PreCandidate,
        term: 3,
        vote: 1,
        commit: 5,
        applied: 5,
        lead: 0,
        election_elapsed: 2,
        randomized_election_timeout: 13,
        log: leader_log[..5].to_vec(),
        stable_index: 5,
        ready: Some(ReadyView {
            soft_state: Some("Lead:0 State:StatePreCandidate".into()),
            messages: (1..=4)
                .map(|to| format!("5->{to} MsgPreVote Term:4 Log:2/5"))
                .collect(),
            persisted: true,
            applied: true,
            ..ReadyView::default()
        }),
        auto_ready: true,
        kv: kv(&[("x", "3"), ("y", "2")]),
        ..NodeView::default()
    };

    let now_ms = 4230;
    let message = |id, from, to, msg_type: &str, sent_at, detail: &str| {
        let is_response = msg_type.ends_with("Resp");
        let rejected = detail.contains("Reject:true");
        MessageView {
            id,
            from,
            to,
            msg_type: msg_type.to_string(),
            is_response,
            rejected,
            term: 3,
            sent_at,
            arrives_at: sent_at + 40,
            held: false,
            summary: format!("{msg_type} {from}→{to} term 3"),
            description: format!("{from}->{to} {msg_type} Term:3 {detail}"),
        }
    };
    let messages = vec![
        message(
            41,
            1,
            2,
            "MsgApp",
            4200,
            "Log:3/6 Commit:7 Entries:[3/7 EntryNormal \"z=4\"]",
        ),
        message(
            42,
            1,
            3,
            "MsgApp",
            4210,
            "Log:2/5 Commit:7 Entries:[3/6 EntryNormal \"\", 3/7 EntryNormal \"z=4\"]",
        ),
        message(43, 1, 4, "MsgApp", 4222, "Log:2/5 Commit:5"),
        message(
            44,
            4,
            1,
            "MsgAppResp",
            4198,
            "Log:0/6 Rejected (Hint: 5) Reject:true",
        ),
        message(45, 2, 1, "MsgAppResp", 4215, "Log:0/6"),
        message(46, 3, 1, "MsgHeartbeatResp", 4225, ""),
    ];

    let cut_off = 5;
    let mut links = Vec::new();
    for from in 1..=5u64 {
        for to in 1..=5u64 {
            if from != to {
                links.push(LinkView {
                    from,
                    to,
                    cut: from == cut_off || to == cut_off,
                    delay: "40ms".into(),
                    ..LinkView::default()
                });
            }
        }
    }
    // One lossy, slow link, so the page has a fault other than a cut to draw.
    if let Some(l) = links.iter_mut().find(|l| l.from == 1 && l.to == 3) {
        l.drop_rate = 0.2;
        l.delay = "20..80ms".into();
        l.custom_delay = true;
    }

    let event = |index, at_ms, node, text: &str| EventView {
        index,
        at_ms,
        node,
        text: text.to_string(),
    };
    ClusterView {
        now_ms,
        tick_ms: 100,
        seed: 1,
        nodes: vec![n1, n2, n3, n4, n5],
        messages,
        links,
        partitions: vec![vec![1, 2, 3, 4], vec![5]],
        leader: Some(1),
        checker: CheckerView::default(),
        events: 57,
        cursor: 57,
        recent_events: vec![
            event(52, 3900, Some(1), "1 became leader at term 3"),
            event(53, 3900, None, "partition (1 2 3 4) (5)"),
            event(54, 4100, Some(1), "propose z=4"),
            event(55, 4180, Some(1), "propose x=5"),
            event(
                56,
                4200,
                Some(4),
                "4 [logterm: 2, index: 6] rejected MsgApp [logterm: 3, index: 6] from 1",
            ),
            event(57, 4230, Some(5), "5 is starting a new election at term 3"),
        ],
        config: ConfigView {
            voters: vec![1, 2, 3, 4, 5],
            source: 1,
            text: "voters=(1 2 3 4 5)".to_string(),
            ..ConfigView::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_a_consistent_five_node_cluster() {
        let v = demo();
        assert_eq!(v.nodes.len(), 5);
        let leaders: Vec<_> = v.nodes.iter().filter(|n| n.role == Role::Leader).collect();
        assert_eq!(leaders.len(), 1);
        assert_eq!(v.leader, Some(leaders[0].id));
        for n in &v.nodes {
            assert!(n.applied <= n.commit, "node {}: applied > commit", n.id);
            assert!(n.commit <= n.last_index(), "node {}: commit > last", n.id);
            assert!(n.stable_index <= n.last_index(), "node {}", n.id);
            // Log indexes are contiguous and start right after the snapshot.
            for (i, e) in n.log.iter().enumerate() {
                assert_eq!(e.index, n.snapshot_index + 1 + i as u64, "node {}", n.id);
            }
            for c in &n.conflicts {
                assert!(
                    n.entry(*c).is_some(),
                    "node {}: conflict {c} not in log",
                    n.id
                );
            }
        }
        for m in &v.messages {
            assert!(m.sent_at <= m.arrives_at);
            assert!(v.node(m.from).is_some() && v.node(m.to).is_some());
        }
        assert_eq!(v.links.len(), 5 * 4);
        assert!(v.is_cut_off(5));
        assert!(!v.is_cut_off(2));
    }

    #[test]
    fn quorums_follow_the_configuration_and_both_halves_of_a_joint_one() {
        let simple = ConfigView {
            voters: vec![1, 2, 3],
            learners: vec![4],
            ..ConfigView::default()
        };
        assert!(!simple.is_joint());
        assert!(simple.is_quorum(&[1, 3]));
        // A learner's acknowledgement counts for nothing.
        assert!(!simple.is_quorum(&[1, 4]));
        assert!(simple.is_member(4) && !simple.is_voter(4));
        let joint = ConfigView {
            voters: vec![1, 2, 4],
            outgoing: vec![1, 2, 3],
            ..ConfigView::default()
        };
        assert!(joint.is_joint());
        // A majority of the new voters alone is not enough, nor of the old ones alone.
        assert!(!joint.is_quorum(&[1, 4]));
        assert!(!joint.is_quorum(&[1, 3]));
        assert!(joint.is_quorum(&[1, 2]));
        assert!(joint.is_quorum(&[2, 3, 4]));
        assert_eq!(ConfigView::majority(&[]), 0);
        assert_eq!(ConfigView::majority(&[1, 2, 3, 4]), 3);
    }

    #[test]
    fn cut_off_counts_the_voters_of_the_configuration() {
        let mut v = demo();
        // Node 5 is cut off from everyone; with 5 voters that loses it the majority.
        assert!(v.is_cut_off(5));
        // Were 1..4 learners and 5 the only voter, 5 would be a majority on its own.
        v.config = ConfigView {
            voters: vec![5],
            learners: vec![1, 2, 3, 4],
            ..ConfigView::default()
        };
        assert!(!v.is_cut_off(5));
        assert!(
            v.is_cut_off(1),
            "a learner that cannot reach the voters is cut off"
        );
        // Joint: node 1 reaches the new voters (1 2) but not the old ones (3 4 5) in majority.
        v.config = ConfigView {
            voters: vec![1, 2],
            outgoing: vec![3, 4, 5],
            ..ConfigView::default()
        };
        assert!(v.is_cut_off(5));
    }

    #[test]
    fn entry_lookup_respects_the_snapshot() {
        let v = demo();
        let n3 = v.node(3).expect("node 3");
        assert!(n3.entry(3).is_none(), "compacted into the snapshot");
        assert_eq!(n3.entry(4).map(|e| e.term), Some(2));
        assert!(n3.entry(6).is_none());
        assert_eq!(n3.last_index(), 5);
    }

    #[test]
    fn ready_advance_needs_every_step() {
        let mut r = ReadyView::default();
        assert!(!r.can_advance());
        r.persisted = true;
        r.sent = true;
        assert!(!r.can_advance());
        r.applied = true;
        assert!(r.can_advance());
    }

    #[test]
    fn views_round_trip_through_json() {
        let v = demo();
        let text = serde_json::to_string(&v).expect("serialize");
        assert!(
            text.contains("\"match\":7"),
            "Progress.Match keeps etcd's name"
        );
        let back: ClusterView = serde_json::from_str(&text).expect("deserialize");
        assert_eq!(back, v);
    }
}
