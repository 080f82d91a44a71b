//! What quorum arithmetic counts: log indexes, and who has acknowledged which (etcd's
//! `quorum.Index` and `AckedIndexer`).

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
