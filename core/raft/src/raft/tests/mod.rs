//! The state machine's tests, split the way etcd splits its raft tests, so a reader can hold
//! one file next to its etcd counterpart:
//! - `paper`: the rules of the Raft paper, section 5 (etcd's raft_paper_test.go);
//! - `election`, `check_quorum`, `replication`, `read_index`, `membership`: the rest of etcd's
//!   raft_test.go, by topic (pre-vote and leases under `check_quorum`);
//! - `flow_control`: Progress states, inflight windows and size limits (raft_flow_control_test.go
//!   and the progress tests of raft_test.go);
//! - `snapshot`: sending and restoring snapshots (raft_snap_test.go and `TestRestore*`);
//! - `leader_transfer`: `TestLeaderTransfer*`;
//! - `config`: building a node from a `Config` and its storage.
//!
//! `harness` holds the helpers they share, etcd's `network` among them; `rawnode`'s tests use it
//! too.

pub(crate) mod harness;

mod check_quorum;
mod config;
mod election;
mod flow_control;
mod leader_transfer;
mod membership;
mod paper;
mod read_index;
mod replication;
mod snapshot;
