//! An I/O-free implementation of the Raft consensus algorithm with etcd raft's API and
//! behaviour: the application drives a [`RawNode`](rawnode::RawNode) with `tick` and `step`,
//! takes a `Ready`, persists, sends and applies what it says, and calls `advance`.
//!
//! The crate has no clock, no network, no disk and no randomness of its own: the caller supplies
//! them, which is what lets the playground run the very same code in a browser, deterministically.
//!
//! Modules mirror etcd raft's parts, one concern each:
//! - [`raftpb`]: messages, entries and states; [`state`]: roles and soft state;
//! - [`storage`]: the `Storage` trait and `MemoryStorage`;
//! - [`log`]: the log, unstable tail included;
//! - [`quorum`]: vote and commit arithmetic over majority and joint configurations;
//! - [`tracker`]: the leader's view of each follower (`Progress`, `Inflights`);
//! - [`confchange`]: turning a configuration plus changes into a new configuration;
//! - [`raft`]: the state machine (follower, pre-candidate, candidate, leader);
//! - [`read_only`]: ReadIndex bookkeeping;
//! - [`rawnode`]: `RawNode`, `Ready` and `advance`; [`status`]: a node's status;
//! - [`describe`]: etcd-compatible text for all of the above; [`gofmt`]: Go's quoting and
//!   parsing conventions that text follows;
//! - [`interaction`]: an interpreter of etcd's interaction-test language.

pub mod confchange;
pub mod describe;
pub mod error;
mod fatal;
pub mod gofmt;
pub mod interaction;
pub mod log;
pub mod logger;
pub mod quorum;
pub mod raft;
pub mod raftpb;
pub mod rawnode;
pub mod read_only;
pub mod state;
pub mod status;
pub mod storage;
pub mod tracker;
pub mod util;

pub use error::{Error, Result};
pub use logger::{BufferLogger, DiscardLogger, Level, Logger, SharedLogger};
pub use raftpb::*;
pub use state::*;
