//! A node's status (etcd's status.go): what the application or the page may want to show about
//! a node without touching its internals.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::raft::Raft;
use crate::raftpb::HardState;
use crate::state::{SoftState, StateType};
use crate::storage::Storage;
use crate::tracker::{self, Progress};

/// The cheap part of the status: identity, persistent and volatile state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicStatus {
    pub id: u64,
    pub hard_state: HardState,
    pub soft_state: SoftState,
    pub applied: u64,
    pub lead_transferee: u64,
}

impl BasicStatus {
    pub fn term(&self) -> u64 {
        self.hard_state.term
    }
    pub fn vote(&self) -> u64 {
        self.hard_state.vote
    }
    pub fn commit(&self) -> u64 {
        self.hard_state.commit
    }
    pub fn lead(&self) -> u64 {
        self.soft_state.lead
    }
    pub fn raft_state(&self) -> StateType {
        self.soft_state.raft_state
    }
}

/// The full status: the basic status, the active configuration and, on a leader only, a copy
/// of every peer's progress. Like etcd's (which embeds `BasicStatus`), it dereferences to the
/// basic status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub basic: BasicStatus,
    pub config: tracker::Config,
    pub progress: BTreeMap<u64, Progress>,
}

impl Deref for Status {
    type Target = BasicStatus;
    fn deref(&self) -> &BasicStatus {
        &self.basic
    }
}

impl BasicStatus {
    pub fn new<S: Storage>(r: &Raft<S>) -> BasicStatus {
        BasicStatus {
            id: r.id,
            hard_state: r.hard_state(),
            soft_state: r.soft_state(),
            applied: r.raft_log.applied,
            lead_transferee: r.lead_transferee,
        }
    }
}

impl Status {
    pub fn new<S: Storage>(r: &Raft<S>) -> Status {
        let basic = BasicStatus::new(r);
        let progress = if basic.soft_state.raft_state == StateType::StateLeader {
            r.trk
                .progress
                .iter()
                .map(|(&id, pr)| (id, pr.clone()))
                .collect()
        } else {
            BTreeMap::new()
        };
        Status {
            basic,
            config: r.trk.config.clone(),
            progress,
        }
    }
}

/// etcd's `Status.String()` (its JSON form): ids in hex, progress in ascending id order.
impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            r#"{{"id":"{:x}","term":{},"vote":"{:x}","commit":{},"lead":"{:x}","raftState":"{}","applied":{},"progress":{{"#,
            self.id,
            self.term(),
            self.vote(),
            self.commit(),
            self.lead(),
            self.raft_state(),
            self.applied
        )?;
        let mut first = true;
        for (id, pr) in &self.progress {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(
                f,
                r#""{:x}":{{"match":{},"next":{},"state":"{}"}}"#,
                id, pr.matched, pr.next, pr.state
            )?;
        }
        write!(f, r#"}},"leadtransferee":"{:x}"}}"#, self.lead_transferee)
    }
}
