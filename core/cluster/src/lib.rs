//! The virtual cluster: a deterministic simulation of clocks, network, disks and clients around
//! the Raft core, driven either step by step (etcd's interaction vocabulary) or by virtual time.

pub mod clock;
pub mod disk;
pub mod history;
pub mod kv;
pub mod linearizability;
pub mod network;
