//! Quorum arithmetic: given who acknowledged what (or who voted how), decide what a configuration
//! of voters has agreed on. Mirrors etcd raft's `quorum` package.
//!
//! A [`MajorityConfig`] is a plain set of voters; a [`JointConfig`] is the pair of majorities
//! that must both agree while a membership change is in flight.

mod joint;
mod majority;

pub use joint::JointConfig;
pub use majority::MajorityConfig;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A log index as seen by quorum computations. It prints like etcd's `quorum.Index`: the
/// largest value (what an empty majority "commits") shows as `∞`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Index(pub u64);

impl Index {
    /// The index an empty majority reports, so that it never holds back the other half of a
    /// joint configuration.
    pub const MAX: Index = Index(u64::MAX);
}

impl fmt::Display for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == u64::MAX {
            f.write_str("∞")
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl From<u64> for Index {
    fn from(v: u64) -> Self {
        Index(v)
    }
}

impl From<Index> for u64 {
    fn from(i: Index) -> Self {
        i.0
    }
}

/// Tells, for a voter, the highest log index it is known to have durably appended (`None` when
/// nothing is known about it, which differs from a known zero).
pub trait AckedIndexer {
    fn acked_index(&self, voter_id: u64) -> Option<Index>;
}

/// The simplest indexer: a map from voter to index.
impl AckedIndexer for BTreeMap<u64, Index> {
    fn acked_index(&self, voter_id: u64) -> Option<Index> {
        self.get(&voter_id).copied()
    }
}

impl AckedIndexer for BTreeMap<u64, u64> {
    fn acked_index(&self, voter_id: u64) -> Option<Index> {
        self.get(&voter_id).map(|&i| Index(i))
    }
}

/// The outcome of an election as far as the votes received so far allow to tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VoteResult {
    /// Neither "yes" nor "no" has a quorum yet: it depends on the votes still missing.
    Pending = 1,
    /// A quorum voted "no" (or can no longer vote "yes").
    Lost = 2,
    /// A quorum voted "yes".
    Won = 3,
}

#[allow(non_upper_case_globals)]
impl VoteResult {
    /// etcd's constant names, usable in expressions and patterns alike.
    pub const VotePending: VoteResult = VoteResult::Pending;
    pub const VoteLost: VoteResult = VoteResult::Lost;
    pub const VoteWon: VoteResult = VoteResult::Won;

    /// The name etcd prints (`VotePending`, `VoteLost`, `VoteWon`).
    pub fn name(self) -> &'static str {
        match self {
            VoteResult::Pending => "VotePending",
            VoteResult::Lost => "VoteLost",
            VoteResult::Won => "VoteWon",
        }
    }
}

impl fmt::Display for VoteResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
