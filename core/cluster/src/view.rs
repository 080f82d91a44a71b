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

/// How many of the latest events a view carries for the event log.
pub const VIEW_RECENT_EVENTS: usize = 50;

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
    /// The most recent events (oldest first), for the event log panel. A bounded tail (at most
    /// [`VIEW_RECENT_EVENTS`]), not the whole history.
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
    /// The order in which the cluster handles this node's Readys (`policy N ...`).
    #[serde(default)]
    pub policy: crate::node::ReadyPolicy,
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
    /// The node writes asynchronously (etcd raft's `AsyncStorageWrites`): its Readys are handed
    /// out whole, and its append and apply threads do the storage work, queued below.
    #[serde(default)]
    pub async_storage_writes: bool,
    /// Its append thread's queue of `MsgStorageAppend`s, oldest first (empty unless async).
    #[serde(default)]
    pub append_queue: Vec<StorageWorkView>,
    /// Its apply thread's queue of `MsgStorageApply`s, oldest first (empty unless async).
    #[serde(default)]
    pub apply_queue: Vec<StorageWorkView>,
}

/// A storage message waiting in one of a node's threads (asynchronous storage writes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StorageWorkView {
    /// `MsgStorageAppend` or `MsgStorageApply`.
    pub msg_type: String,
    /// First and last index of the entries to write (append) or to apply (apply).
    pub entries: Option<(u64, u64)>,
    /// The HardState to write, when it changed (`Term:1 Vote:1 Commit:11`); append only.
    pub hard_state: Option<String>,
    /// Index and term of a snapshot to write; append only.
    pub snapshot: Option<(u64, u64)>,
    /// The responses that go out once the work is done, one line each as etcd describes them
    /// (`2->1 MsgAppResp Term:1 Log:0/12`, `AppendThread->2 MsgStorageAppendResp ...`).
    pub responses: Vec<String>,
    /// What the work asks, in a few words (`entries 12..13, HardState Term:1 Vote:1 Commit:11`).
    pub summary: String,
    /// The message as etcd describes it, responses included.
    pub description: String,
    pub queued_at_ms: u64,
    /// When the thread completes it if the node runs automatically (a node by hand waits for
    /// `process-append-thread` / `process-apply-thread`).
    pub due_ms: u64,
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

/// A node's Ready cycle as it ran: its last Ready whole, and its recent ones in brief.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadyHistoryView {
    pub node: u64,
    /// The last Ready it advanced past (or handed to its storage threads), whole.
    pub last: Option<ReadyView>,
    /// Its recent Readys, latest first.
    pub recent: Vec<ReadyLine>,
}

/// One Ready in brief: when it was taken, what it held, when each step was done.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadyLine {
    pub taken_ms: u64,
    pub event: u64,
    /// `HardState, 2 entries, 3 messages`.
    pub contents: String,
    /// `written 1200ms, fsync done 1202ms, sent 1202ms, applied 1202ms, Advance 1202ms`.
    pub steps: String,
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn ready_advance_needs_every_step() {
        let mut r = ReadyView::default();
        assert!(!r.can_advance());
        r.persisted = true;
        r.sent = true;
        assert!(!r.can_advance());
        r.applied = true;
        assert!(r.can_advance());
    }
}
