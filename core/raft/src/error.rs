//! The errors of the Raft library, with etcd raft's texts so transcripts and the page print what
//! etcd prints.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Error {
    /// The proposal was dropped: no leader is known, the node is not a voter, a leader transfer
    /// is in progress, or the uncommitted log is over its size limit.
    ProposalDropped,
    /// `RawNode::step` was given a message type that only the node itself may generate.
    StepLocalMsg,
    /// `RawNode::step` was given a response from a node outside the configuration.
    StepPeerNotFound,
    /// The requested index is older than the first index of the log (it was compacted).
    Compacted,
    /// A snapshot older than the one already held was offered.
    SnapOutOfDate,
    /// The requested index is past the last index of the log.
    Unavailable,
    /// The application cannot produce a snapshot right now; the leader will retry.
    SnapshotTemporarilyUnavailable,
    /// The configuration is invalid; the text says which rule it breaks.
    Config(String),
    /// A membership change was refused; the text says why.
    ConfChange(String),
    /// The API was used in a way the library cannot honour; the text says how.
    Misuse(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ProposalDropped => f.write_str("raft proposal dropped"),
            Error::StepLocalMsg => f.write_str("raft: cannot step raft local message"),
            Error::StepPeerNotFound => f.write_str("raft: cannot step as peer not found"),
            Error::Compacted => f.write_str("requested index is unavailable due to compaction"),
            Error::SnapOutOfDate => {
                f.write_str("requested index is older than the existing snapshot")
            }
            Error::Unavailable => f.write_str("requested entry at index is unavailable"),
            Error::SnapshotTemporarilyUnavailable => {
                f.write_str("snapshot is temporarily unavailable")
            }
            Error::Config(s) | Error::ConfChange(s) | Error::Misuse(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_match_etcd() {
        assert_eq!(Error::ProposalDropped.to_string(), "raft proposal dropped");
        assert_eq!(
            Error::StepPeerNotFound.to_string(),
            "raft: cannot step as peer not found"
        );
        assert_eq!(
            Error::Compacted.to_string(),
            "requested index is unavailable due to compaction"
        );
        assert_eq!(
            Error::Config("heartbeat tick must be greater than 0".into()).to_string(),
            "heartbeat tick must be greater than 0"
        );
    }
}
