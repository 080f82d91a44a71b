//! Small state types shared by the state machine, `RawNode` and the describers.

use serde::{Deserialize, Serialize};

/// The role a node plays (etcd's `StateType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StateType {
    #[default]
    StateFollower,
    StateCandidate,
    StateLeader,
    StatePreCandidate,
}

impl StateType {
    /// The name etcd prints (`StateLeader`, ...).
    pub fn name(self) -> &'static str {
        match self {
            StateType::StateFollower => "StateFollower",
            StateType::StateCandidate => "StateCandidate",
            StateType::StateLeader => "StateLeader",
            StateType::StatePreCandidate => "StatePreCandidate",
        }
    }
}

impl std::fmt::Display for StateType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Volatile state that is useful to the application but need not be persisted: who leads, and
/// this node's role.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SoftState {
    pub lead: u64,
    pub raft_state: StateType,
}

/// The answer to a ReadIndex request: reads that were requested with `request_ctx` may be served
/// once the state machine has applied `index`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReadState {
    pub index: u64,
    pub request_ctx: Vec<u8>,
}

/// How linearizable reads are served (etcd's `ReadOnlyOption`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReadOnlyOption {
    /// Confirm leadership with a round of heartbeats to a quorum before answering.
    #[default]
    ReadOnlySafe,
    /// Trust the leader lease (requires CheckQuorum); fast, but unsafe with unbounded clock drift.
    ReadOnlyLeaseBased,
}

/// The node id that means "nobody" (no leader, no vote).
pub const NONE: u64 = 0;
