//! The virtual cluster: a deterministic simulation of clocks, network, disks and clients around
//! the Raft core, driven either step by step (etcd's interaction vocabulary) or by virtual time.

pub mod checker;
pub mod clock;
pub mod cluster;
pub mod command;
pub mod disk;
pub mod event;
pub mod event_log;
pub mod fuzz;
pub mod history;
pub mod kv;
pub mod lesson;
pub mod limits;
pub mod linearizability;
pub mod network;
pub mod node;
pub mod recorder;
pub mod script;
pub mod script_run;
pub mod session;
pub mod sim;
pub mod timetravel;
pub mod trace;
pub mod units;
pub mod view;
