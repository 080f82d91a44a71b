//! The virtual cluster: a deterministic simulation of clocks, network, disks and clients around
//! the Raft core.
