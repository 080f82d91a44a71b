//! The outcome of counting votes (etcd's `quorum.VoteResult`).

use serde::{Deserialize, Serialize};
use std::fmt;

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

impl VoteResult {
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
