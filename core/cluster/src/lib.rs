//! The virtual cluster: a deterministic simulation of clocks, network, disks and clients around
//! the Raft core, driven either step by step (etcd's interaction vocabulary) or by virtual time.

pub mod clock;
