//! How a command ends: what the caller gets back ([`Outcome`], [`CommandOutput`]) and what
//! the cluster's own code passes up while it runs one ([`Failure`]). Every concern of the
//! cluster returns these, so they sit below all of them.

use serde::{Deserialize, Serialize};

use crate::node::NodeError;

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Ok,
    /// The cluster refused or failed the command; the text is in the output too.
    Error(String),
    /// An `expect` (or the condition of `run-until`) did not hold.
    ExpectationFailed(String),
}

/// What a command printed and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandOutput {
    /// The transcript text: log lines at the current level, the command's own output, the
    /// error text; `ok` when empty.
    pub text: String,
    pub outcome: Outcome,
    /// Index of the first event the command produced, and one past its last.
    pub events: (u64, u64),
}

impl CommandOutput {
    pub fn is_ok(&self) -> bool {
        self.outcome == Outcome::Ok
    }
}

/// Why a command stopped short, as the cluster's code passes it up: the command failed, or
/// what it was to check does not hold.
pub(super) enum Failure {
    Error(String),
    Expectation(String),
}

impl From<String> for Failure {
    fn from(s: String) -> Self {
        Failure::Error(s)
    }
}

impl From<&str> for Failure {
    fn from(s: &str) -> Self {
        Failure::Error(s.to_string())
    }
}

impl From<NodeError> for Failure {
    fn from(e: NodeError) -> Self {
        Failure::Error(e.to_string())
    }
}

pub(super) type CmdResult = Result<(), Failure>;
