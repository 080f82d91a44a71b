//! The leader's bookkeeping of the cluster (etcd's `tracker` package): the active
//! configuration, one [`Progress`] per node, and the votes of the current election.

mod inflights;
mod progress;
mod state;

pub use inflights::Inflights;
pub use progress::{Progress, ProgressMap};
pub use state::StateType;
/// The follower-state enum under a name that does not collide with the node role
/// `crate::StateType`.
pub use state::StateType as ProgressState;

use crate::quorum::{JointConfig, MajorityConfig, VoteResult};
use crate::raftpb::ConfState;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A membership configuration (etcd's `tracker.Config`).
///
/// Invariants kept by `confchange`: `learners` is disjoint from both halves of `voters`;
/// `learners_next` holds only outgoing voters that become learners when the joint
/// configuration is left, and is empty when not joint; `auto_leave` implies joint.
/// (etcd distinguishes nil from empty maps; here an empty set plays the role of nil.)
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    pub voters: JointConfig,
    /// Leave the joint configuration automatically once it is committed.
    pub auto_leave: bool,
    pub learners: BTreeSet<u64>,
    /// Voters of the outgoing configuration that are demoted to learners on leaving joint:
    /// they cannot be learners while still voting in the outgoing half.
    pub learners_next: BTreeSet<u64>,
}

impl Config {
    /// Whether the configuration is joint (the outgoing half is non-empty).
    pub fn is_joint(&self) -> bool {
        !self.voters[1].is_empty()
    }
}

/// `voters=(1 2)&&(1) learners=(3) learners_next=(4) autoleave`, the optional parts only
/// when non-empty / set.
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "voters={}", self.voters)?;
        if !self.learners.is_empty() {
            write!(f, " learners={}", MajorityConfig(self.learners.clone()))?;
        }
        if !self.learners_next.is_empty() {
            write!(
                f,
                " learners_next={}",
                MajorityConfig(self.learners_next.clone())
            )?;
        }
        if self.auto_leave {
            f.write_str(" autoleave")?;
        }
        Ok(())
    }
}

/// The configuration, the progress of every node, and the votes of the current election
/// (etcd's `ProgressTracker`; etcd embeds `Config`, here it is the `config` field).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressTracker {
    pub config: Config,
    pub progress: ProgressMap,
    /// Votes received in the current election: id -> granted.
    pub votes: BTreeMap<u64, bool>,
    /// Window size (messages) for new progresses.
    pub(crate) max_inflight: usize,
    /// Window size (bytes, 0 = unlimited) for new progresses.
    pub(crate) max_inflight_bytes: u64,
}

impl ProgressTracker {
    /// An empty tracker (etcd's `MakeProgressTracker`).
    pub fn new(max_inflight: usize, max_inflight_bytes: u64) -> Self {
        ProgressTracker {
            max_inflight,
            max_inflight_bytes,
            ..Default::default()
        }
    }

    /// The configuration as a `ConfState` (sorted id lists).
    pub fn conf_state(&self) -> ConfState {
        ConfState {
            voters: self.config.voters[0].slice(),
            learners: self.config.learners.iter().copied().collect(),
            voters_outgoing: self.config.voters[1].slice(),
            learners_next: self.config.learners_next.iter().copied().collect(),
            auto_leave: self.config.auto_leave,
        }
    }

    /// Whether the configuration is a single voter and not joint.
    pub(crate) fn is_singleton(&self) -> bool {
        self.config.voters[0].len() == 1 && self.config.voters[1].is_empty()
    }

    /// The largest index acknowledged (matched) by a quorum of the voters.
    pub fn committed(&self) -> u64 {
        self.config.voters.committed_index(&self.progress).0
    }

    /// Calls `f` on every progress, in ascending id order.
    #[cfg(test)]
    pub(crate) fn visit(&mut self, mut f: impl FnMut(u64, &mut Progress)) {
        for (&id, pr) in self.progress.iter_mut() {
            f(id, pr);
        }
    }

    /// Whether a quorum of voters was recently active (CheckQuorum).
    pub(crate) fn quorum_active(&self) -> bool {
        let votes: BTreeMap<u64, bool> = self
            .progress
            .iter()
            .filter(|(_, pr)| !pr.is_learner)
            .map(|(&id, pr)| (id, pr.recent_active))
            .collect();
        self.config.voters.vote_result(&votes) == VoteResult::Won
    }

    /// The voters of both halves, ascending.
    pub(crate) fn voter_nodes(&self) -> Vec<u64> {
        self.config.voters.ids().into_iter().collect()
    }

    /// The learners, ascending.
    #[cfg(test)]
    pub(crate) fn learner_nodes(&self) -> Vec<u64> {
        self.config.learners.iter().copied().collect()
    }

    /// Starts a new election: forgets all votes.
    pub(crate) fn reset_votes(&mut self) {
        self.votes.clear();
    }

    /// Records `id`'s vote; only its first vote in an election counts.
    pub(crate) fn record_vote(&mut self, id: u64, v: bool) {
        self.votes.entry(id).or_insert(v);
    }

    /// Counts granted and rejected votes among tracked non-learners, and the election's
    /// outcome so far.
    pub(crate) fn tally_votes(&self) -> (usize, usize, VoteResult) {
        let mut granted = 0;
        let mut rejected = 0;
        for (id, pr) in self.progress.iter() {
            if pr.is_learner {
                continue;
            }
            match self.votes.get(id) {
                Some(true) => granted += 1,
                Some(false) => rejected += 1,
                None => {}
            }
        }
        (
            granted,
            rejected,
            self.config.voters.vote_result(&self.votes),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tracker with voters `v` (incoming), `o` (outgoing) and learners `l`, every progress
    /// at match 0, active.
    fn tracker(v: &[u64], o: &[u64], l: &[u64]) -> ProgressTracker {
        let mut t = ProgressTracker::new(10, 0);
        t.config.voters =
            JointConfig::new(v.iter().copied().collect(), o.iter().copied().collect());
        t.config.learners = l.iter().copied().collect();
        for &id in v.iter().chain(o).chain(l) {
            let mut pr = Progress::new(1, 10, 0);
            pr.recent_active = true;
            pr.is_learner = l.contains(&id);
            t.progress.insert(id, pr);
        }
        t
    }

    #[test]
    fn committed_uses_match_of_voters_only() {
        let mut t = tracker(&[1, 2, 3], &[], &[4]);
        for (id, m) in [(1, 5), (2, 3), (3, 1), (4, 100)] {
            t.progress.get_mut(&id).unwrap().matched = m;
        }
        assert_eq!(t.committed(), 3);
        let mut t = tracker(&[1, 2, 3], &[3, 4, 5], &[]);
        for (id, m) in [(1, 5), (2, 5), (3, 5), (4, 2), (5, 1)] {
            t.progress.get_mut(&id).unwrap().matched = m;
        }
        assert_eq!(t.committed(), 2);
    }

    #[test]
    fn votes() {
        let mut t = tracker(&[1, 2, 3], &[], &[4]);
        t.record_vote(1, true);
        t.record_vote(1, false); // only the first vote counts
        t.record_vote(4, true); // learners are not counted
        assert_eq!(t.tally_votes(), (1, 0, VoteResult::Pending));
        t.record_vote(2, false);
        t.record_vote(3, false);
        assert_eq!(t.tally_votes(), (1, 2, VoteResult::Lost));
        t.reset_votes();
        t.record_vote(2, true);
        t.record_vote(3, true);
        assert_eq!(t.tally_votes(), (2, 0, VoteResult::Won));
    }

    #[test]
    fn quorum_active_ignores_learners() {
        let mut t = tracker(&[1, 2, 3], &[], &[4, 5]);
        assert!(t.quorum_active());
        t.visit(|id, pr| pr.recent_active = id >= 3);
        assert!(!t.quorum_active(), "only 3 of the voters is active");
        t.progress.get_mut(&2).unwrap().recent_active = true;
        assert!(t.quorum_active());
    }

    #[test]
    fn visit_in_id_order() {
        let mut t = tracker(&[10, 2, 7], &[], &[3]);
        let mut seen = Vec::new();
        t.visit(|id, _| seen.push(id));
        assert_eq!(seen, vec![2, 3, 7, 10]);
    }

    #[test]
    fn nodes_conf_state_and_string() {
        let mut t = tracker(&[1, 2], &[1, 3], &[4]);
        t.config.learners_next.insert(3);
        t.config.auto_leave = true;
        assert_eq!(t.voter_nodes(), vec![1, 2, 3]);
        assert_eq!(t.learner_nodes(), vec![4]);
        assert!(!t.is_singleton());
        assert!(t.config.is_joint());
        assert_eq!(
            t.conf_state(),
            ConfState {
                voters: vec![1, 2],
                learners: vec![4],
                voters_outgoing: vec![1, 3],
                learners_next: vec![3],
                auto_leave: true
            }
        );
        assert_eq!(
            t.config.to_string(),
            "voters=(1 2)&&(1 3) learners=(4) learners_next=(3) autoleave"
        );
        assert!(tracker(&[1], &[], &[2]).is_singleton());
        assert_eq!(ProgressTracker::new(1, 0).config.to_string(), "voters=()");
    }
}
