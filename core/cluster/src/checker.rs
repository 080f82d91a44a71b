//! The safety checker: Raft's guarantees, verified after every event of the run.
//!
//! The Raft paper's Figure 3 lists the properties that hold at all times; the checker watches
//! each of them, incrementally so that a long run stays cheap:
//!
//! - **Election safety**: at most one leader per term (ever, not only at one instant).
//! - **Log matching**: two logs holding an entry with the same index and term are identical up
//!   to it. Checked on every entry that enters any log: an (index, term) pair must always stand
//!   for the same payload *and* follow the same previous term, which by induction makes the
//!   prefixes identical.
//! - **Leader completeness**: a leader holds every entry committed before its term; checked
//!   when a node becomes leader, against every entry any node has seen committed.
//! - **State machine safety**: no two nodes apply different entries at one index (and no two
//!   nodes consider different entries committed at one index).
//! - **Monotonic commit**: a running node's commit index never moves back (a restart may
//!   legitimately forget part of it, since etcd syncs a commit-only HardState lazily).
//! - **Commit quorum**: when a leader's commit index advances, the entry there is stored by a
//!   majority of the voters of the leader's configuration at that moment: of *each* half while
//!   the configuration is joint, and not counting the leader itself once it removed itself.
//!   Majorities are computed per configuration, never over a fixed set of nodes, so the check
//!   holds across membership changes (Raft thesis §4.3).
//!
//! Plus **linearizability** of the clients' history, and **durability**: etcd raft itself
//! stops a node whose log lost entries it had acknowledged ("Was the raft log corrupted,
//! truncated, or lost?"). Honest disks never produce any of these; a disk that lies about
//! fsync does, which is the point of the lying-disk fault.
//!
//! A violation names the event at which it was seen and the nodes involved.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use raft::raftpb::{Entry, EntryType};
use raft::state::StateType;
use serde::{Deserialize, Serialize};

use crate::event::Fnv64;
use crate::history::History;
use crate::linearizability::{CheckResult, Incremental};
use crate::network::NodeId;
use crate::node::Node;

/// The guarantee that was broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Property {
    ElectionSafety,
    LogMatching,
    LeaderCompleteness,
    StateMachineSafety,
    MonotonicCommit,
    Linearizability,
    Durability,
    CommitQuorum,
}

impl Property {
    pub fn name(self) -> &'static str {
        match self {
            Property::ElectionSafety => "election safety",
            Property::LogMatching => "log matching",
            Property::LeaderCompleteness => "leader completeness",
            Property::StateMachineSafety => "state machine safety",
            Property::MonotonicCommit => "monotonic commit",
            Property::Linearizability => "linearizability",
            Property::Durability => "durability",
            Property::CommitQuorum => "commit quorum",
        }
    }
}

/// One broken guarantee.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub property: Property,
    /// The index of the event after which it was seen.
    pub event: u64,
    pub nodes: Vec<NodeId>,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} violated at event #{}: {}",
            self.property.name(),
            self.event,
            self.message
        )
    }
}

/// What identifies an entry's content: its type and payload, hashed.
fn content_hash(e: &Entry) -> u64 {
    let mut h = Fnv64::default();
    h.write(&[e.entry_type as u8]);
    h.write(&e.data);
    h.finish()
}

fn entry_type_name(t: EntryType) -> &'static str {
    raft::describe::entry_type_name(t)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct SeenEntry {
    hash: u64,
    prev_term: u64,
    node: NodeId,
    /// For messages: `EntryNormal "put x=5"`.
    text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Fixed {
    term: u64,
    hash: u64,
    node: NodeId,
}

/// The checker's memory of the run so far. Cloned with the cluster for time travel.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checker {
    /// The leader of each term, as first seen.
    leaders: BTreeMap<u64, NodeId>,
    /// Every entry that entered some log, by (index, term).
    entries: BTreeMap<(u64, u64), SeenEntry>,
    /// The entry committed at each index, as first seen committed.
    committed: BTreeMap<u64, Fixed>,
    /// The entry applied at each index, as first applied.
    applied: BTreeMap<u64, Fixed>,
    /// Per node: incarnation and the highest commit index seen in it.
    commit_seen: BTreeMap<NodeId, (u64, u64)>,
    /// (leader, term) pairs whose completeness was verified.
    leaders_checked: BTreeSet<(NodeId, u64)>,
    violations: Vec<Violation>,
    /// Properties already reported: each is reported once, at its first sighting, so that the
    /// first cause is not buried under its consequences.
    reported: BTreeSet<Property>,
    /// The latest inconclusive linearizability check (too many steps, or too many writes of
    /// unknown outcome to carry), if any.
    pub linearizability_unknown: Option<String>,
    /// The clients' history so far, key by key, as far as linearizability needs it.
    linearizability: Incremental,
}

impl Checker {
    pub fn new() -> Self {
        Checker::default()
    }

    /// Every violation, in the order seen.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    pub fn first_violation(&self) -> Option<&Violation> {
        self.violations.first()
    }

    pub fn is_safe(&self) -> bool {
        self.violations.is_empty()
    }

    fn violate(&mut self, property: Property, event: u64, mut nodes: Vec<NodeId>, message: String) {
        if !self.reported.insert(property) {
            return;
        }
        nodes.sort_unstable();
        nodes.dedup();
        self.violations.push(Violation {
            property,
            event,
            nodes,
            message,
        });
    }

    /// Entries that entered `node`'s log (a Ready's `Entries`), `prev_term` being the term of
    /// the entry before the first one.
    pub fn observe_entries(&mut self, node: NodeId, prev_term: u64, ents: &[Entry], event: u64) {
        let mut prev = prev_term;
        for e in ents {
            let hash = content_hash(e);
            match self.entries.get(&(e.index, e.term)) {
                None => {
                    let text = format!(
                        "{} {}",
                        entry_type_name(e.entry_type),
                        raft::gofmt::go_quote(&e.data)
                    );
                    self.entries.insert(
                        (e.index, e.term),
                        SeenEntry {
                            hash,
                            prev_term: prev,
                            node,
                            text,
                        },
                    );
                }
                Some(seen) if seen.hash != hash => {
                    let msg = format!(
                        "entry {}/{} is {} on node {} but {} {} on node {node}",
                        e.term,
                        e.index,
                        seen.text,
                        seen.node,
                        entry_type_name(e.entry_type),
                        raft::gofmt::go_quote(&e.data)
                    );
                    let other = seen.node;
                    self.violate(Property::LogMatching, event, vec![other, node], msg);
                }
                Some(seen) if seen.prev_term != prev => {
                    let msg = format!(
                        "entry {}/{} follows an entry of term {} on node {} but of term {prev} on node {node}",
                        e.term, e.index, seen.prev_term, seen.node
                    );
                    let other = seen.node;
                    self.violate(Property::LogMatching, event, vec![other, node], msg);
                }
                Some(_) => {}
            }
            prev = e.term;
        }
    }

    /// Entries `node` applied to its state machine.
    pub fn observe_applied(&mut self, node: NodeId, ents: &[Entry], event: u64) {
        for e in ents {
            let fixed = Fixed {
                term: e.term,
                hash: content_hash(e),
                node,
            };
            match self.applied.get(&e.index) {
                None => {
                    self.applied.insert(e.index, fixed);
                }
                Some(a) if a.term != fixed.term || a.hash != fixed.hash => {
                    let msg = format!(
                        "node {} applied entry {}/{} at index {} but node {node} applied {}/{}",
                        a.node, a.term, e.index, e.index, e.term, e.index
                    );
                    let other = a.node;
                    self.violate(Property::StateMachineSafety, event, vec![other, node], msg);
                }
                Some(_) => {}
            }
        }
    }

    /// The core stopped `node` because its log lost acknowledged entries.
    pub fn observe_panic(&mut self, node: NodeId, why: &str, event: u64) {
        let msg = format!("etcd raft stopped node {node}: {why}");
        self.violate(Property::Durability, event, vec![node], msg);
    }

    /// Looks at every running node after an event: leaders, commit indexes and newly committed
    /// entries, and the completeness of new leaders.
    pub fn after_event(&mut self, event: u64, nodes: &BTreeMap<NodeId, Node>) {
        for (&id, n) in nodes {
            let Some(raw) = n.raw() else { continue };
            let r = &raw.raft;
            if r.state == StateType::StateLeader {
                match self.leaders.get(&r.term) {
                    None => {
                        self.leaders.insert(r.term, id);
                    }
                    Some(&other) if other != id => {
                        let msg = format!(
                            "nodes {other} and {id} both became leader of term {}",
                            r.term
                        );
                        self.violate(Property::ElectionSafety, event, vec![other, id], msg);
                    }
                    Some(_) => {}
                }
            }
            let before = match self.commit_seen.get(&id) {
                Some(&(inc, seen)) if inc == n.incarnation => Some(seen),
                _ => None,
            };
            self.check_commit(event, id, n);
            if r.state == StateType::StateLeader && before.is_some_and(|b| r.raft_log.committed > b)
            {
                self.check_commit_quorum(event, id, n, nodes);
            }
            if r.state == StateType::StateLeader && self.leaders_checked.insert((id, r.term)) {
                self.check_completeness(event, id, n, r.term);
            }
        }
    }

    fn check_commit(&mut self, event: u64, id: NodeId, n: &Node) {
        let Some(raw) = n.raw() else { return };
        let commit = raw.raft.raft_log.committed;
        let (inc, seen) = match self.commit_seen.get(&id) {
            Some(&(inc, seen)) if inc == n.incarnation => (inc, seen),
            _ => (n.incarnation, 0),
        };
        if commit < seen {
            let msg = format!("node {id}'s commit index moved back from {seen} to {commit}");
            self.violate(Property::MonotonicCommit, event, vec![id], msg);
        }
        self.commit_seen.insert(id, (inc, commit.max(seen)));
        if commit <= seen {
            return;
        }
        // Record (or compare) what the node now holds as committed. Entries it compacted away
        // are covered by its snapshot and cannot be looked at.
        let first = raw.raft.raft_log.first_index();
        for i in (seen + 1).max(first)..=commit {
            let Some(e) = n.entry(i) else { continue };
            let fixed = Fixed {
                term: e.term,
                hash: content_hash(&e),
                node: id,
            };
            match self.committed.get(&i) {
                None => {
                    self.committed.insert(i, fixed);
                }
                Some(c) if c.term != fixed.term || c.hash != fixed.hash => {
                    let msg = format!(
                        "index {i} is committed as {}/{i} on node {} but as {}/{i} on node {id}",
                        c.term, c.node, e.term
                    );
                    let other = c.node;
                    self.violate(Property::StateMachineSafety, event, vec![other, id], msg);
                }
                Some(_) => {}
            }
        }
    }

    /// The entry at a leader's new commit index must be stored by a majority of each voter set
    /// of the leader's configuration. Checking the last one suffices: log matching carries it to
    /// the entries before. A running node counts what its log holds (or its snapshot covers); a
    /// node that is down counts what its disk kept; a configured id without a node counts
    /// nothing.
    fn check_commit_quorum(
        &mut self,
        event: u64,
        id: NodeId,
        n: &Node,
        nodes: &BTreeMap<NodeId, Node>,
    ) {
        if self.reported.contains(&Property::CommitQuorum) {
            return;
        }
        let Some(raw) = n.raw() else { return };
        let r = &raw.raft;
        let index = r.raft_log.committed;
        // The commit index may sit on the leader's own snapshot: nothing left to look at.
        let Some(term) = n.entry(index).map(|e| e.term) else {
            return;
        };
        let stores = |v: NodeId| -> bool {
            let Some(node) = nodes.get(&v) else {
                return false;
            };
            match node.raw() {
                Some(raw) => {
                    let log = &raw.raft.raft_log;
                    index < log.first_index() || node.entry(index).is_some_and(|e| e.term == term)
                }
                None => {
                    let d = node.disk.durable();
                    d.snapshot.metadata.index >= index || d.term(index) == Some(term)
                }
            }
        };
        for half in r.trk.config.voters.iter() {
            if half.is_empty() {
                continue;
            }
            let holders: Vec<NodeId> = half.iter().copied().filter(|&v| stores(v)).collect();
            if holders.len() * 2 <= half.len() {
                let set: Vec<String> = half.iter().map(|v| v.to_string()).collect();
                let have: Vec<String> = holders.iter().map(|v| v.to_string()).collect();
                let msg = format!(
                    "leader {id} committed index {index} (term {term}) in configuration {}, but of the voters ({}) only ({}) store it: not a majority",
                    r.trk.config,
                    set.join(" "),
                    have.join(" ")
                );
                let mut involved = vec![id];
                involved.extend(half.iter().copied().filter(|v| !holders.contains(v)));
                self.violate(Property::CommitQuorum, event, involved, msg);
                return;
            }
        }
    }

    fn check_completeness(&mut self, event: u64, id: NodeId, n: &Node, term: u64) {
        let Some(raw) = n.raw() else { return };
        let first = raw.raft.raft_log.first_index();
        // Entries the leader's snapshot covers cannot be looked at, and need not be.
        let missing = self
            .committed
            .range(first..)
            .find(|(&i, c)| match n.entry(i) {
                Some(e) => e.term != c.term || content_hash(&e) != c.hash,
                None => true,
            });
        if let Some((&i, c)) = missing {
            let msg = format!(
                "node {id} became leader of term {term} without entry {}/{i}, which node {} had seen committed",
                c.term, c.node
            );
            let other = c.node;
            self.violate(Property::LeaderCompleteness, event, vec![id, other], msg);
        }
    }

    /// Checks the operations on `key` for linearizability (after one of them finished). Each
    /// check searches only the operations since the last point no operation on `key`
    /// straddled, so its cost does not grow with the run; it must be called after every
    /// operation that finishes (see [`Incremental`]).
    pub fn check_linearizability(&mut self, history: &History, key: &str, event: u64) {
        if self.reported.contains(&Property::Linearizability) {
            return;
        }
        match self.linearizability.check(history, key) {
            CheckResult::Ok => {}
            CheckResult::Violation(v) => {
                let msg = format!(
                    "the clients' operations on {key:?} have no linearization: {}",
                    v.explanation
                );
                self.violate(Property::Linearizability, event, Vec::new(), msg);
            }
            // Inconclusive is not a violation: the search gave up (too many steps, too many
            // writes of unknown outcome to carry), which proves nothing either way.
            CheckResult::Unknown { key, reason } => {
                self.linearizability_unknown =
                    Some(format!("gave up checking key {key:?} {reason}"));
            }
        }
    }

    /// Forgets the log entries below `index`, for the cluster to call once every node has
    /// compacted its log below it, so that a long run's memory does not grow with its length.
    ///
    /// The trade-off: an entry no log can hold any more can no longer be compared. Should one
    /// come back anyway (only a node that lost its snapshot could bring it), it is recorded as
    /// if seen for the first time: a difference from what was forgotten would go unnoticed,
    /// but nothing that remains can be reported falsely. Leader completeness loses nothing: it
    /// already skips the entries a leader's own snapshot covers, which are all of these.
    pub fn forget_below(&mut self, index: u64) {
        self.entries = self.entries.split_off(&(index, 0));
        self.committed = self.committed.split_off(&index);
        self.applied = self.applied.split_off(&index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ent(index: u64, term: u64, data: &str) -> Entry {
        Entry {
            index,
            term,
            data: data.as_bytes().to_vec().into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_same_index_and_term_with_other_data_breaks_log_matching() {
        let mut c = Checker::new();
        c.observe_entries(1, 0, &[ent(1, 1, "a"), ent(2, 1, "b")], 3);
        c.observe_entries(2, 0, &[ent(1, 1, "a")], 4);
        assert!(c.is_safe());
        c.observe_entries(3, 1, &[ent(2, 1, "c")], 5);
        let v = c.first_violation().unwrap();
        assert_eq!(v.property, Property::LogMatching);
        assert_eq!((v.event, v.nodes.clone()), (5, vec![1, 3]));
        assert!(
            v.message
                .contains("entry 1/2 is EntryNormal \"b\" on node 1"),
            "{}",
            v.message
        );
    }

    #[test]
    fn the_same_entry_after_another_history_breaks_log_matching() {
        let mut c = Checker::new();
        c.observe_entries(1, 1, &[ent(5, 3, "x")], 0);
        c.observe_entries(2, 2, &[ent(5, 3, "x")], 1);
        assert_eq!(c.first_violation().unwrap().property, Property::LogMatching);
    }

    #[test]
    fn different_entries_applied_at_one_index_break_state_machine_safety() {
        let mut c = Checker::new();
        c.observe_applied(1, &[ent(4, 2, "put x=1")], 7);
        c.observe_applied(2, &[ent(4, 2, "put x=1")], 8);
        assert!(c.is_safe());
        c.observe_applied(3, &[ent(4, 3, "put x=2")], 9);
        let v = c.first_violation().unwrap();
        assert_eq!(v.property, Property::StateMachineSafety);
        assert_eq!(v.nodes, vec![1, 3]);
        assert_eq!(v.event, 9);
    }

    #[test]
    fn each_property_is_reported_once() {
        let mut c = Checker::new();
        c.observe_panic(2, "lost", 1);
        c.observe_panic(3, "lost", 2);
        assert_eq!(c.violations().len(), 1);
        assert_eq!(
            c.violations()[0].to_string(),
            "durability violated at event #1: etcd raft stopped node 2: lost"
        );
    }

    #[test]
    fn forgotten_entries_are_no_longer_compared_and_the_others_still_are() {
        let mut c = Checker::new();
        let ents = [ent(1, 1, "a"), ent(2, 1, "b"), ent(3, 1, "c")];
        c.observe_entries(1, 0, &ents, 1);
        c.observe_applied(1, &ents, 2);
        for e in &ents {
            let fixed = Fixed {
                term: e.term,
                hash: content_hash(e),
                node: 1,
            };
            c.committed.insert(e.index, fixed);
        }
        c.forget_below(3);
        assert_eq!(c.entries.keys().copied().collect::<Vec<_>>(), vec![(3, 1)]);
        assert_eq!(c.committed.keys().copied().collect::<Vec<_>>(), vec![3]);
        assert_eq!(c.applied.keys().copied().collect::<Vec<_>>(), vec![3]);
        // The trade-off: index 2 can no longer be compared.
        c.observe_applied(2, &[ent(2, 2, "x")], 3);
        c.observe_entries(2, 0, &[ent(2, 1, "y")], 3);
        assert!(c.is_safe());
        // Index 3 still is.
        c.observe_applied(2, &[ent(3, 2, "z")], 4);
        assert_eq!(
            c.first_violation().map(|v| v.property),
            Some(Property::StateMachineSafety)
        );
    }
}
