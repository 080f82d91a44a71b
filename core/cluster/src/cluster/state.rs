//! What the cluster keeps besides its nodes and network, as plain data: its clients, the
//! background load, what membership changes left behind, and the command under way.
//!
//! The hub (`cluster.rs`) holds one of each; the module of each concern changes it
//! (`clients.rs`, `load.rs`, `membership.rs`, `pending.rs`). Keeping the data apart from the
//! behaviour lets the hub declare its fields without depending on the modules that extend it,
//! the way etcd's `raft` holds a `tracker.ProgressTracker` that knows nothing of `raft`.

use std::collections::{BTreeMap, BTreeSet};

use raft::raftpb::ConfState;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::command::{Command, Condition, StepKind};
use crate::history::OpId;
use crate::kv::{ClientId, Op, RequestId};
use crate::network::NodeId;

use super::outcome::CmdResult;

// ---- clients -----------------------------------------------------------------------------------

/// How clients wait and retry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConfig {
    /// How long a client waits for an accepted request before trying another node.
    pub timeout: Millis,
    /// How long it waits after every node refused the request.
    pub backoff: Millis,
    /// Rounds of attempts before it gives up.
    pub max_attempts: u32,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: 1000,
            backoff: 100,
            max_attempts: 10,
        }
    }
}

/// A request a client is waiting on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequest {
    pub op_id: OpId,
    pub op: Op,
    pub request: RequestId,
    /// The node the current attempt went to; the answer must come from it.
    pub node: NodeId,
    /// Rounds of attempts so far.
    pub attempts: u32,
    /// Some node accepted the request at some point: it may take effect even if the client
    /// never hears back.
    pub accepted: bool,
    /// The current attempt was accepted by `node`, and the client waits for its answer (rather
    /// than backing off after every node refused).
    pub in_flight: bool,
    /// When the client next acts (retries or gives up), if waiting.
    pub retry_at: Option<Millis>,
}

/// One client: a sequence of requests, one at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub next_seq: u64,
    pub pending: Option<PendingRequest>,
}

// ---- the background load -----------------------------------------------------------------------

/// The load in force: its interval and the instant of its next put.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientLoad {
    pub every: Millis,
    pub next_at: Millis,
}

impl ClientLoad {
    /// A load that puts at every multiple of `every` after `now`.
    pub fn starting(every: Millis, now: Millis) -> ClientLoad {
        let every = every.max(1);
        ClientLoad {
            every,
            next_at: (now / every + 1).saturating_mul(every),
        }
    }
}

// ---- membership --------------------------------------------------------------------------------

/// Ticks between applying one's own removal and stopping (etcd's server waits about a
/// second, ten of its customary 100 ms ticks, so that its last messages still go out).
pub const REMOVED_STOP_TICKS: u64 = 10;

/// etcd's server's message when a removed member stops.
pub const REMOVED_TEXT: &str = "the member has been permanently removed from the cluster";

/// What the cluster remembers about membership, beyond each node's own configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipState {
    /// etcd server's rules around membership (removed members stop, missing members are
    /// started): on for clusters made with `cluster N`, off for etcd's harness (`add-nodes`).
    pub server_rules: bool,
    /// The newest configuration any node has applied, with the index of its entry (the
    /// bootstrap configuration counts, at the bootstrap snapshot's index).
    pub latest: Option<(u64, ConfState)>,
    /// Ids removed from the configuration, with the index of the change that removed them.
    pub removed: BTreeMap<NodeId, u64>,
    /// Members that applied their own removal, and when they stop.
    pub shutdowns: BTreeMap<NodeId, Millis>,
}

impl MembershipState {
    /// Records a configuration applied at `index`, if it is newer than any seen: ids that were
    /// in the previous one and are not in this one are removed.
    pub(super) fn observe(&mut self, index: u64, cs: &ConfState) {
        if self.latest.as_ref().is_some_and(|(i, _)| *i >= index) {
            return;
        }
        let before = self
            .latest
            .as_ref()
            .map(|(_, c)| members(c))
            .unwrap_or_default();
        let after = members(cs);
        for gone in before.difference(&after) {
            self.removed.insert(*gone, index);
        }
        for id in &after {
            self.removed.remove(id);
        }
        self.latest = Some((index, cs.clone()));
    }
}

/// Every id a configuration names: voters of both halves and learners.
pub(super) fn members(cs: &ConfState) -> BTreeSet<NodeId> {
    cs.voters
        .iter()
        .chain(&cs.voters_outgoing)
        .chain(&cs.learners)
        .chain(&cs.learners_next)
        .copied()
        .collect()
}

// ---- the command under way ---------------------------------------------------------------------

/// A command under way.
pub(super) struct Pending {
    pub(super) cmd: Command,
    /// Its first event (its output sums up from here), and the virtual time it began at.
    pub(super) first: u64,
    pub(super) began_at: Millis,
    /// Where the part not yet recorded starts: an event, an instant, and an offset in the
    /// output (see `split_run`).
    pub(super) unrecorded: (u64, Millis, usize),
    /// It runs under `stop-after` or an event limit, so it may end early.
    pub(super) budgeted: bool,
    /// A person stopped it (see [`Cluster::stop`](super::Cluster::stop)).
    pub(super) stopped: bool,
    pub(super) work: Work,
}

/// What is left of the command under way.
pub(super) enum Work {
    Run {
        until: Millis,
    },
    RunUntil {
        condition: Condition,
        max: Millis,
        deadline: Millis,
        t0: Millis,
    },
    Step {
        kind: StepKind,
        limit: Millis,
        looked: u64,
    },
    /// Any other command: done as it began, with this result.
    Done(CmdResult),
}
