//! Events: every change of the cluster's state, numbered, timed, and explained in one sentence.
//!
//! An event is what the page's timeline scrubs over and what the event log lists. Each carries
//! the Raft core's own log lines (exactly as etcd would print them) and a sentence that says
//! *why* in the vocabulary of the Raft paper, with the section it comes from. The sentences are
//! built from the message and from the receiving node's state just before and just after, so
//! they state facts of this run ("candidate's last log term 2 is behind our 3"), not generic
//! documentation.
//!
//! [`history_hash`] folds the canonical text of every event into one FNV-1a value: the same
//! seed and commands must give the same hash on every run and every target, which is what the
//! determinism tests and the recorder's replay test compare.

use std::fmt::{self, Write as _};

use raft::logger::Level;
use raft::raftpb::{Message, MessageType};
use raft::state::StateType;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::network::NodeId;

/// One line the Raft core logged while the event happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    pub level: Level,
    pub text: String,
}

impl fmt::Display for LogLine {
    /// etcd's transcript format: `INFO 1 became leader at term 1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.level.name(), self.text)
    }
}

/// What kind of change an event is; the page filters and colours by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// Nodes were created (`cluster`, `add-nodes`).
    Setup,
    /// A node's clock ticked.
    Tick,
    /// A message arrived and was stepped into its recipient.
    Deliver,
    /// A message was lost: dropped by hand, or it reached a node that is down.
    Drop,
    /// A node took a Ready from its RawNode.
    Ready,
    /// A node wrote a Ready's HardState, entries or snapshot to its disk.
    Persist,
    /// A node's disk finished an fsync.
    Sync,
    /// A node handed a Ready's messages to the network.
    Send,
    /// A node applied committed entries (and answered reads and clients).
    Apply,
    /// A node called Advance.
    Advance,
    /// A direct order to one node: campaign, propose, transfer leadership, forget the leader,
    /// ticks by hand, ...
    Order,
    /// A node crashed, or the Raft core stopped it (etcd panics on a corrupted log).
    Crash,
    Restart,
    Wipe,
    /// A node's clock was paused or resumed.
    Clock,
    /// Links, partitions, or a message meddled with by hand.
    Network,
    /// A disk fault was set, or a snapshot was taken and the log compacted.
    Disk,
    /// A client invoked, retried, completed or gave up on an operation.
    Client,
    /// A node's Ready handling was switched between automatic and manual, or its policy changed.
    Mode,
    /// Membership bookkeeping of etcd's server: a removed member is told so and stops.
    Membership,
}

impl EventKind {
    /// Every kind, in the order lists offer them (the event log's filter takes them from here).
    pub const ALL: [EventKind; 20] = [
        EventKind::Setup,
        EventKind::Tick,
        EventKind::Deliver,
        EventKind::Drop,
        EventKind::Ready,
        EventKind::Persist,
        EventKind::Sync,
        EventKind::Send,
        EventKind::Apply,
        EventKind::Advance,
        EventKind::Order,
        EventKind::Crash,
        EventKind::Restart,
        EventKind::Wipe,
        EventKind::Clock,
        EventKind::Network,
        EventKind::Disk,
        EventKind::Client,
        EventKind::Mode,
        EventKind::Membership,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EventKind::Setup => "setup",
            EventKind::Tick => "tick",
            EventKind::Deliver => "deliver",
            EventKind::Drop => "drop",
            EventKind::Ready => "ready",
            EventKind::Persist => "persist",
            EventKind::Sync => "sync",
            EventKind::Send => "send",
            EventKind::Apply => "apply",
            EventKind::Advance => "advance",
            EventKind::Order => "order",
            EventKind::Crash => "crash",
            EventKind::Restart => "restart",
            EventKind::Wipe => "wipe",
            EventKind::Clock => "clock",
            EventKind::Network => "network",
            EventKind::Disk => "disk",
            EventKind::Client => "client",
            EventKind::Mode => "mode",
            EventKind::Membership => "membership",
        }
    }
}

/// One numbered change of the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the history, from 0.
    pub index: u64,
    /// Virtual time at which it happened.
    pub at: Millis,
    pub kind: EventKind,
    /// The node it concerns most (the receiver of a message, the node that ticked, ...).
    pub node: Option<NodeId>,
    /// One sentence saying what happened and why.
    pub explanation: String,
    /// Where the rule comes from: a section of the Raft paper (`§5.4.1`) or of Ongaro's thesis.
    pub section: Option<String>,
    /// The Raft core's log lines, at every level, in order.
    pub log: Vec<LogLine>,
}

impl fmt::Display for Event {
    /// The canonical text, also what [`history_hash`] hashes:
    /// `#12 130ms deliver n2: explanation (§5.2)` and the log lines indented below.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} {}ms {}", self.index, self.at, self.kind.name())?;
        if let Some(n) = self.node {
            write!(f, " n{n}")?;
        }
        write!(f, ": {}", self.explanation)?;
        if let Some(s) = &self.section {
            write!(f, " ({s})")?;
        }
        for l in &self.log {
            write!(f, "\n  {l}")?;
        }
        Ok(())
    }
}

/// FNV-1a, 64 bits: tiny, stable across targets and Rust versions (unlike std's
/// `DefaultHasher`, whose algorithm is unspecified), and good enough to tell runs apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// Text written to the hash as it is formatted: hashing an event needs no string of it.
impl fmt::Write for Fnv64 {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write(s.as_bytes());
        Ok(())
    }
}

/// FNV-1a of one byte string.
pub fn fnv64(bytes: &[u8]) -> u64 {
    let mut h = Fnv64::default();
    h.write(bytes);
    h.finish()
}

/// The hash of a whole history: every event's canonical text, each followed by a newline.
pub fn history_hash(events: &[Event]) -> u64 {
    let mut h = Fnv64::default();
    for e in events {
        let _ = writeln!(h, "{e}");
    }
    h.finish()
}

// ---- explanations ----------------------------------------------------------------------------

/// A sentence and the section of the paper (or thesis) it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub text: String,
    pub section: Option<&'static str>,
}

impl Explanation {
    /// No words: an event of a replay nobody reads (see `Cluster::set_quiet_until`).
    pub fn quiet() -> Self {
        Explanation {
            text: String::new(),
            section: None,
        }
    }

    pub fn new(text: impl Into<String>, section: Option<&'static str>) -> Self {
        Explanation {
            text: text.into(),
            section,
        }
    }
}

/// Where the rules live. The paper is Ongaro & Ousterhout's "In Search of an Understandable
/// Consensus Algorithm" (extended version); the thesis is Ongaro's "Consensus: Bridging Theory
/// and Practice", which adds pre-vote, leadership transfer and ReadIndex.
pub mod section {
    pub const BASICS: &str = "§5.1";
    pub const ELECTION: &str = "§5.2";
    pub const REPLICATION: &str = "§5.3";
    pub const ELECTION_RESTRICTION: &str = "§5.4.1";
    pub const COMMIT_RULE: &str = "§5.4.2";
    pub const CRASHES: &str = "§5.5";
    pub const MEMBERSHIP: &str = "§6";
    pub const COMPACTION: &str = "§7";
    pub const CLIENTS: &str = "§8";
    pub const PERSISTENT_STATE: &str = "§5.1, Figure 2";
    pub const PRE_VOTE: &str = "thesis §9.6";
    pub const CHECK_QUORUM: &str = "thesis §6.2";
    pub const LEADER_LEASE: &str = "thesis §4.2.3";
    pub const TRANSFER: &str = "thesis §3.10";
    pub const READ_INDEX: &str = "thesis §6.4";
    pub const PARALLEL_WRITE: &str = "thesis §10.2.1";
    pub const ASYNC_WRITES: &str = "etcd raft: AsyncStorageWrites";
}

/// What the explanations need to know of a node at one instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeBrief {
    pub id: NodeId,
    pub state: StateType,
    pub term: u64,
    pub vote: NodeId,
    pub lead: NodeId,
    pub last_index: u64,
    pub last_term: u64,
    pub commit: u64,
    pub election_elapsed: usize,
    pub randomized_election_timeout: usize,
    /// Votes granted to this node in the current election, and how many it needs (a majority
    /// of the incoming voters; while `joint`, of the outgoing voters as well).
    pub votes_granted: usize,
    pub votes_needed: usize,
    /// The node's configuration is joint: elections need a majority of both voter sets.
    pub joint: bool,
}

fn role(s: StateType) -> &'static str {
    match s {
        StateType::StateFollower => "follower",
        StateType::StateCandidate => "candidate",
        StateType::StateLeader => "leader",
        StateType::StatePreCandidate => "pre-candidate",
    }
}

/// Entries by index, for sentences: `entry 5`, `entries 5..7`.
pub fn entries_phrase(first: u64, last: u64) -> String {
    if first == last {
        format!("entry {first}")
    } else {
        format!("entries {first}..{last}")
    }
}

/// Finds the response the receiver sent back to `m.from` of the given type.
fn response_to<'a>(m: &Message, out: &'a [Message], t: MessageType) -> Option<&'a Message> {
    out.iter().find(|r| r.to == m.from && r.msg_type == t)
}

/// Explains a delivered message from the receiver's state before (`b`) and after (`a`) stepping
/// it and the messages it produced (`out`).
pub fn explain_delivery(m: &Message, b: &NodeBrief, a: &NodeBrief, out: &[Message]) -> Explanation {
    use MessageType::*;
    let (me, from) = (b.id, m.from);
    // A message from an older term is refused before anything else looks at it.
    if m.term != 0 && m.term < b.term {
        if matches!(m.msg_type, MsgHeartbeat | MsgApp) && response_to(m, out, MsgAppResp).is_some()
        {
            return Explanation::new(
                format!(
                    "{me} tells {from} that its term {} is over: {me} is already at term {}, so {from} must step down",
                    m.term, b.term
                ),
                Some(section::BASICS),
            );
        }
        return Explanation::new(
            format!(
                "{me} ignores {} from {from}: its term {} is older than our {}",
                m.msg_type, m.term, b.term
            ),
            Some(section::BASICS),
        );
    }
    let mut prefix = String::new();
    // A higher term turns the receiver into a follower first (except a granted pre-vote
    // response, which only announces the term the pre-candidate is about to campaign in).
    if m.term > b.term && a.term > b.term && a.state == StateType::StateFollower {
        prefix = format!(
            "{me} learns of term {} from {from} and becomes a follower; ",
            a.term
        );
    }
    let e = match m.msg_type {
        MsgVote | MsgPreVote => explain_vote_request(m, b, a, out),
        MsgVoteResp | MsgPreVoteResp => explain_vote_response(m, b, a),
        MsgApp => explain_append(m, b, a, out),
        MsgAppResp => explain_append_response(m, b, a),
        MsgHeartbeat => {
            let mut t = format!("{me} hears from leader {from} and resets its election timer");
            if a.commit > b.commit {
                t.push_str(&format!("; commit index moves to {}", a.commit));
            }
            Explanation::new(t, Some(section::ELECTION))
        }
        MsgHeartbeatResp => {
            let t = if m.context.is_empty() {
                format!("leader {me} hears {from} is alive")
            } else {
                format!("leader {me} counts {from}'s heartbeat response towards confirming a ReadIndex")
            };
            let s = if m.context.is_empty() { section::ELECTION } else { section::READ_INDEX };
            Explanation::new(t, Some(s))
        }
        MsgSnap => {
            let (idx, term) = m.snapshot.as_ref().map_or((0, 0), |s| (s.metadata.index, s.metadata.term));
            let t = if a.commit >= idx && b.commit < idx {
                format!("{me} installs {from}'s snapshot up to index {idx} (term {term}) in place of its log")
            } else {
                format!("{me} ignores {from}'s snapshot at index {idx}: it already has that much")
            };
            Explanation::new(t, Some(section::COMPACTION))
        }
        MsgProp => Explanation::new(
            if a.state == StateType::StateLeader {
                format!("leader {me} appends the proposal forwarded by {from} to its log")
            } else {
                format!("{me} cannot take the proposal from {from}: it is not the leader")
            },
            Some(section::CLIENTS),
        ),
        MsgTimeoutNow => {
            // A campaign moves the term past the message's; a node that is already campaigning
            // (or cannot: a learner, a node outside the configuration) ignores the message.
            let campaigned = matches!(a.state, StateType::StateCandidate | StateType::StateLeader)
                && a.term > b.term.max(m.term);
            let t = if campaigned {
                format!("leader {from} hands over leadership: {me} campaigns at once, without waiting for its timer")
            } else if matches!(b.state, StateType::StateCandidate | StateType::StatePreCandidate) {
                format!("{me} ignores leader {from}'s MsgTimeoutNow: it is already campaigning")
            } else {
                format!("{me} ignores leader {from}'s MsgTimeoutNow: it cannot campaign (a learner, or not a voter of its configuration)")
            };
            Explanation::new(t, Some(section::TRANSFER))
        }
        MsgTransferLeader => Explanation::new(
            format!("{me} is asked by {from} to transfer leadership"),
            Some(section::TRANSFER),
        ),
        MsgReadIndex => Explanation::new(
            format!("{me} receives a ReadIndex request from {from}: the read may be served once the leader confirmed it still leads"),
            Some(section::READ_INDEX),
        ),
        MsgReadIndexResp => Explanation::new(
            format!("{me} learns from leader {from} that reads may be served once index {} is applied", m.index),
            Some(section::READ_INDEX),
        ),
        t => Explanation::new(format!("{me} handles {t} from {from}"), None),
    };
    if prefix.is_empty() {
        e
    } else {
        Explanation::new(prefix + &e.text, e.section.or(Some(section::BASICS)))
    }
}

fn explain_vote_request(m: &Message, b: &NodeBrief, a: &NodeBrief, out: &[Message]) -> Explanation {
    let pre = m.msg_type == MessageType::MsgPreVote;
    let what = if pre { "pre-vote" } else { "vote" };
    let sec = if pre {
        section::PRE_VOTE
    } else {
        section::ELECTION
    };
    let (me, cand) = (b.id, m.from);
    let resp = response_to(m, out, m.msg_type.vote_response());
    let Some(resp) = resp else {
        // No answer at all: the lease rule (CheckQuorum) makes a node ignore elections while
        // it still hears from a leader.
        return Explanation::new(
            format!(
                "{me} ignores {cand}'s {what} request: it heard from leader {} less than an election timeout ago, so the leader is presumably alive",
                b.lead
            ),
            Some(section::LEADER_LEASE),
        );
    };
    if !resp.reject {
        return Explanation::new(
            format!(
                "{me} grants its {what} to {cand} for term {}: {cand}'s log (last term {}, index {}) is at least as up to date as ours ({}, {})",
                m.term, m.log_term, m.index, b.last_term, b.last_index
            ),
            Some(if pre { section::PRE_VOTE } else { section::ELECTION_RESTRICTION }),
        );
    }
    // Rejected: say which rule refused it. The log comparison is the election restriction;
    // otherwise the vote was already given, or a leader is known.
    let log_ok = m.log_term > b.last_term || (m.log_term == b.last_term && m.index >= b.last_index);
    if !log_ok {
        let why = if m.log_term < b.last_term {
            format!(
                "candidate's last log term {} is behind our {}",
                m.log_term, b.last_term
            )
        } else {
            format!(
                "candidate's log ends at index {}, before ours at {} (same last term {})",
                m.index, b.last_index, b.last_term
            )
        };
        return Explanation::new(
            format!("{what} rejected: {why}"),
            Some(section::ELECTION_RESTRICTION),
        );
    }
    if a.vote != 0 && a.vote != cand && !pre {
        return Explanation::new(
            format!(
                "{what} rejected: {me} already voted for {} in term {}",
                a.vote, a.term
            ),
            Some(sec),
        );
    }
    if a.lead != 0 {
        return Explanation::new(
            format!(
                "{what} rejected: {me} already follows leader {} in term {}",
                a.lead, a.term
            ),
            Some(sec),
        );
    }
    Explanation::new(format!("{what} rejected by {me}"), Some(sec))
}

fn explain_vote_response(m: &Message, b: &NodeBrief, a: &NodeBrief) -> Explanation {
    let pre = m.msg_type == MessageType::MsgPreVoteResp;
    let what = if pre { "pre-vote" } else { "vote" };
    let sec = if pre {
        section::PRE_VOTE
    } else {
        section::ELECTION
    };
    let (me, voter) = (b.id, m.from);
    let became = |s: StateType| b.state != s && a.state == s;
    if became(StateType::StateLeader) && b.joint {
        return Explanation::new(
            format!(
                "{me} wins the election for term {} with this vote from {voter}: it now has a majority of the old voters and a majority of the new ones (joint consensus), so it becomes leader",
                a.term
            ),
            Some(section::MEMBERSHIP),
        );
    }
    if became(StateType::StateLeader) {
        return Explanation::new(
            // Becoming leader resets the tally, so count from the state before this vote.
            format!(
                "{me} wins the election for term {} with this vote from {voter}: {} votes, a majority ({} needed), so it becomes leader",
                a.term,
                b.votes_granted + 1,
                b.votes_needed
            ),
            Some(section::ELECTION),
        );
    }
    if pre && became(StateType::StateCandidate) {
        return Explanation::new(
            format!(
                "a majority would vote for {me}, so it starts a real election for term {}",
                a.term
            ),
            Some(section::PRE_VOTE),
        );
    }
    // A response only counts in the election it answers: pre-votes while pre-campaigning,
    // votes while campaigning.
    let counts = (pre && b.state == StateType::StatePreCandidate)
        || (!pre && b.state == StateType::StateCandidate);
    if counts && b.state == a.state && a.joint {
        let verb = if m.reject { "is refused a" } else { "gets a" };
        return Explanation::new(
            format!(
                "{me} {verb} {what} from {voter}: {} granted so far; the configuration is joint, so it needs a majority of the old voters and of the new ones",
                a.votes_granted
            ),
            Some(section::MEMBERSHIP),
        );
    }
    if counts && b.state == a.state {
        let verb = if m.reject { "is refused a" } else { "gets a" };
        return Explanation::new(
            format!(
                "{me} {verb} {what} from {voter}: {} granted so far, {} needed",
                a.votes_granted, a.votes_needed
            ),
            Some(sec),
        );
    }
    if !counts {
        return Explanation::new(
            format!("{me} receives a late {what} response from {voter} and ignores it: that election is over"),
            Some(sec),
        );
    }
    if b.state != a.state && a.state == StateType::StateFollower {
        return Explanation::new(
            format!(
                "{me} loses the election for term {}: a majority refused",
                b.term
            ),
            Some(sec),
        );
    }
    Explanation::new(
        format!("{me} handles a {what} response from {voter}"),
        Some(sec),
    )
}

fn explain_append(m: &Message, b: &NodeBrief, a: &NodeBrief, out: &[Message]) -> Explanation {
    let (me, leader) = (b.id, m.from);
    let Some(resp) = response_to(m, out, MessageType::MsgAppResp) else {
        return Explanation::new(
            format!("{me} handles MsgApp from {leader}"),
            Some(section::REPLICATION),
        );
    };
    if resp.reject {
        let why = if m.index > b.last_index {
            format!("no entry at index {} (hint {})", m.index, resp.reject_hint)
        } else {
            format!(
                "our entry at index {} does not have term {} (hint {}, term {})",
                m.index, m.log_term, resp.reject_hint, resp.log_term
            )
        };
        return Explanation::new(
            format!("MsgApp rejected: {why}; the leader will back up and retry"),
            Some(section::REPLICATION),
        );
    }
    let mut t = if let (Some(first), Some(last)) = (m.entries.first(), m.entries.last()) {
        format!(
            "{me} appends {} from leader {leader}: its log matches at index {} term {}",
            entries_phrase(first.index, last.index),
            m.index,
            m.log_term
        )
    } else {
        format!(
            "{me} confirms to leader {leader} that its log matches at index {} term {}",
            m.index, m.log_term
        )
    };
    if a.commit > b.commit {
        t.push_str(&format!("; commit index moves to {}", a.commit));
    }
    Explanation::new(t, Some(section::REPLICATION))
}

fn explain_append_response(m: &Message, b: &NodeBrief, a: &NodeBrief) -> Explanation {
    let (me, f) = (b.id, m.from);
    if m.reject {
        return Explanation::new(
            format!(
                "leader {me} learns {f} lacks a match at index {} (hint {}) and backs up to probe an earlier index",
                m.index, m.reject_hint
            ),
            Some(section::REPLICATION),
        );
    }
    if a.commit > b.commit && a.joint {
        return Explanation::new(
            format!(
                "leader {me} learns {f} stores entries up to {}: entries up to {} are now on a majority of the old voters and of the new ones, and committed",
                m.index, a.commit
            ),
            Some(section::MEMBERSHIP),
        );
    }
    if a.commit > b.commit {
        return Explanation::new(
            format!(
                "leader {me} learns {f} stores entries up to {}: entries up to {} are now on a majority and committed",
                m.index, a.commit
            ),
            Some(section::COMMIT_RULE),
        );
    }
    Explanation::new(
        format!("leader {me} learns {f} stores entries up to {}", m.index),
        Some(section::REPLICATION),
    )
}

/// Explains `ticks` ticks of a node's clock from its state before and after and what it sent.
pub fn explain_tick(b: &NodeBrief, a: &NodeBrief, out: &[Message], ticks: usize) -> Explanation {
    let me = b.id;
    let times = if ticks == 1 {
        String::from("ticks")
    } else {
        format!("ticks {ticks} times")
    };
    if b.state == StateType::StateLeader && a.state != StateType::StateLeader {
        return Explanation::new(
            format!("leader {me} steps down: it has not heard from a majority within an election timeout"),
            Some(section::CHECK_QUORUM),
        );
    }
    if a.state == StateType::StatePreCandidate && (b.state != a.state || a.term != b.term) {
        return Explanation::new(
            format!(
                "{me}'s election timer expired ({} ticks without a leader): it asks whether it could win term {} before disrupting anyone",
                b.randomized_election_timeout,
                a.term + 1
            ),
            Some(section::PRE_VOTE),
        );
    }
    if a.state == StateType::StateCandidate && a.term > b.term {
        return Explanation::new(
            format!(
                "{me}'s election timer expired ({} ticks without hearing from a leader): it becomes a candidate for term {} and asks for votes",
                b.randomized_election_timeout, a.term
            ),
            Some(section::ELECTION),
        );
    }
    if a.state == StateType::StateLeader && b.state != StateType::StateLeader {
        return Explanation::new(
            format!(
                "{me} is the only voter: it elects itself leader for term {}",
                a.term
            ),
            Some(section::ELECTION),
        );
    }
    if a.state == StateType::StateLeader
        && out.iter().any(|m| m.msg_type == MessageType::MsgHeartbeat)
    {
        return Explanation::new(
            format!("leader {me} {times} and sends heartbeats so that nobody starts an election"),
            Some(section::ELECTION),
        );
    }
    Explanation::new(
        format!(
            "{me} {times} (election timer {}/{})",
            a.election_elapsed,
            a.randomized_election_timeout.max(1)
        ),
        None,
    )
}

/// One message as a short phrase: `MsgApp 1→2`.
pub fn message_phrase(m: &Message) -> String {
    // A node's storage threads, as etcd names them (asynchronous storage writes).
    let end = |id: u64| match id {
        raft::util::LOCAL_APPEND_THREAD => "AppendThread".to_string(),
        raft::util::LOCAL_APPLY_THREAD => "ApplyThread".to_string(),
        id => id.to_string(),
    };
    let mut s = format!("{} {}→{}", m.msg_type, end(m.from), end(m.to));
    if m.reject {
        s.push_str(" (reject)");
    }
    s
}

/// A role name for sentences.
pub fn role_name(s: StateType) -> &'static str {
    role(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft::raftpb::Entry;

    /// `ALL` lists every kind once: the match below has no wildcard, so a new kind does not
    /// compile until it is given a place here, and then it must be in `ALL` at that place.
    #[test]
    fn all_lists_every_kind_once() {
        for (i, k) in EventKind::ALL.iter().enumerate() {
            let place = match k {
                EventKind::Setup => 0,
                EventKind::Tick => 1,
                EventKind::Deliver => 2,
                EventKind::Drop => 3,
                EventKind::Ready => 4,
                EventKind::Persist => 5,
                EventKind::Sync => 6,
                EventKind::Send => 7,
                EventKind::Apply => 8,
                EventKind::Advance => 9,
                EventKind::Order => 10,
                EventKind::Crash => 11,
                EventKind::Restart => 12,
                EventKind::Wipe => 13,
                EventKind::Clock => 14,
                EventKind::Network => 15,
                EventKind::Disk => 16,
                EventKind::Client => 17,
                EventKind::Mode => 18,
                EventKind::Membership => 19,
            };
            assert_eq!(place, i, "{}", k.name());
        }
    }

    fn brief(id: NodeId, term: u64, last_term: u64, last_index: u64) -> NodeBrief {
        NodeBrief {
            id,
            term,
            last_term,
            last_index,
            ..Default::default()
        }
    }

    #[test]
    fn fnv_matches_reference_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn history_hash_depends_on_every_event() {
        let e = |i: u64, text: &str| Event {
            index: i,
            at: 10 * i,
            kind: EventKind::Tick,
            node: Some(1),
            explanation: text.into(),
            section: None,
            log: vec![],
        };
        let a = vec![e(0, "x"), e(1, "y")];
        let mut b = a.clone();
        assert_eq!(history_hash(&a), history_hash(&b));
        b[1].log.push(LogLine {
            level: Level::Info,
            text: "more".into(),
        });
        assert_ne!(history_hash(&a), history_hash(&b));
        assert_ne!(history_hash(&a), history_hash(&a[..1]));
    }

    #[test]
    fn event_text_is_canonical() {
        let e = Event {
            index: 3,
            at: 130,
            kind: EventKind::Deliver,
            node: Some(2),
            explanation: "2 hears from leader 1".into(),
            section: Some("§5.2".into()),
            log: vec![LogLine {
                level: Level::Debug,
                text: "x".into(),
            }],
        };
        assert_eq!(
            e.to_string(),
            "#3 130ms deliver n2: 2 hears from leader 1 (§5.2)\n  DEBUG x"
        );
    }

    #[test]
    fn a_vote_rejected_for_an_older_log_term_says_so() {
        let m = Message {
            msg_type: MessageType::MsgVote,
            from: 1,
            to: 2,
            term: 4,
            log_term: 2,
            index: 9,
            ..Default::default()
        };
        let b = NodeBrief {
            state: StateType::StateFollower,
            ..brief(2, 4, 3, 7)
        };
        let resp = Message {
            msg_type: MessageType::MsgVoteResp,
            from: 2,
            to: 1,
            term: 4,
            reject: true,
            ..Default::default()
        };
        let e = explain_delivery(&m, &b, &b, &[resp]);
        assert_eq!(
            e.text,
            "vote rejected: candidate's last log term 2 is behind our 3"
        );
        assert_eq!(e.section, Some("§5.4.1"));
    }

    #[test]
    fn a_vote_rejected_for_a_shorter_log_and_for_a_vote_already_cast() {
        let m = Message {
            msg_type: MessageType::MsgVote,
            from: 1,
            to: 2,
            term: 4,
            log_term: 3,
            index: 5,
            ..Default::default()
        };
        let b = brief(2, 4, 3, 7);
        let resp = Message {
            msg_type: MessageType::MsgVoteResp,
            from: 2,
            to: 1,
            reject: true,
            ..Default::default()
        };
        let e = explain_delivery(&m, &b, &b, std::slice::from_ref(&resp));
        assert!(
            e.text.contains("ends at index 5, before ours at 7"),
            "{}",
            e.text
        );
        let m2 = Message { index: 9, ..m };
        let a = NodeBrief { vote: 3, ..b };
        let e = explain_delivery(&m2, &a, &a, &[resp]);
        assert_eq!(e.text, "vote rejected: 2 already voted for 3 in term 4");
    }

    #[test]
    fn a_granted_vote_names_both_logs() {
        let m = Message {
            msg_type: MessageType::MsgVote,
            from: 1,
            to: 2,
            term: 2,
            log_term: 1,
            index: 3,
            ..Default::default()
        };
        let b = brief(2, 1, 1, 3);
        let a = NodeBrief {
            term: 2,
            vote: 1,
            ..b
        };
        let resp = Message {
            msg_type: MessageType::MsgVoteResp,
            from: 2,
            to: 1,
            term: 2,
            ..Default::default()
        };
        let e = explain_delivery(&m, &b, &a, &[resp]);
        assert!(
            e.text.starts_with("2 learns of term 2 from 1"),
            "{}",
            e.text
        );
        assert!(
            e.text.contains("grants its vote to 1 for term 2"),
            "{}",
            e.text
        );
    }

    #[test]
    fn a_rejected_append_gives_the_missing_index_and_hint() {
        let m = Message {
            msg_type: MessageType::MsgApp,
            from: 1,
            to: 3,
            term: 2,
            log_term: 2,
            index: 7,
            entries: vec![Entry {
                index: 8,
                term: 2,
                ..Default::default()
            }],
            ..Default::default()
        };
        let b = brief(3, 2, 1, 5);
        let resp = Message {
            msg_type: MessageType::MsgAppResp,
            from: 3,
            to: 1,
            reject: true,
            reject_hint: 5,
            index: 7,
            ..Default::default()
        };
        let e = explain_delivery(&m, &b, &b, &[resp]);
        assert_eq!(
            e.text,
            "MsgApp rejected: no entry at index 7 (hint 5); the leader will back up and retry"
        );
        assert_eq!(e.section, Some("§5.3"));
    }

    #[test]
    fn stale_terms_are_explained_first() {
        let m = Message {
            msg_type: MessageType::MsgHeartbeat,
            from: 1,
            to: 2,
            term: 1,
            ..Default::default()
        };
        let b = brief(2, 3, 1, 1);
        let e = explain_delivery(&m, &b, &b, &[]);
        assert_eq!(
            e.text,
            "2 ignores MsgHeartbeat from 1: its term 1 is older than our 3"
        );
    }

    #[test]
    fn an_election_timeout_is_explained_on_the_tick() {
        let b = NodeBrief {
            randomized_election_timeout: 12,
            ..brief(2, 1, 1, 3)
        };
        let a = NodeBrief {
            state: StateType::StateCandidate,
            term: 2,
            vote: 2,
            ..b
        };
        let e = explain_tick(&b, &a, &[], 1);
        assert!(
            e.text.contains("becomes a candidate for term 2"),
            "{}",
            e.text
        );
        assert_eq!(e.section, Some("§5.2"));
    }
}
