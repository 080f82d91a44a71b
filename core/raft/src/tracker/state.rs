use serde::{Deserialize, Serialize};
use std::fmt;

/// How the leader currently treats a follower (etcd's `tracker.StateType`; also exported as
/// `ProgressState` to avoid confusion with the node role `crate::StateType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StateType {
    /// The follower's last index is unknown: send one append per heartbeat to find it.
    #[default]
    StateProbe,
    /// The follower is caught up enough to receive a stream of appends.
    StateReplicate,
    /// The follower needs a snapshot; appends are paused until it is applied.
    StateSnapshot,
}

impl StateType {
    /// The name etcd prints.
    pub fn name(self) -> &'static str {
        match self {
            StateType::StateProbe => "StateProbe",
            StateType::StateReplicate => "StateReplicate",
            StateType::StateSnapshot => "StateSnapshot",
        }
    }
}

impl fmt::Display for StateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
