//! Seeded runs of the whole virtual cluster (`cluster::sim`): faults, clients and time around
//! the real core, with the safety checker after every event. Everything the cluster did is
//! summed up by its `history_hash` (every event's text: time, node, explanation, the core's log
//! lines).
//!
//! The build script runs these natively and bakes the results in; the tests run them again on
//! the target (in Chromium for wasm) and compare. This file is compiled twice (into the library
//! and, through `#[path]`, into build.rs), so it depends on nothing but `cluster` and std.

use cluster::sim::{self, SimConfig};

/// The seeded runs both sides make: an honest fault mix on 5 and on 3 nodes, and a run with
/// disks that lie about fsync (whose checker verdict must agree too).
pub const RUNS: &[(&str, u64)] = &[
    ("chaos-5", 0x5eed_c1a5_7e00_0001),
    ("chaos-3", 0x5eed_c1a5_7e00_0002),
    ("chaos-5", 0x5eed_c1a5_7e00_0003),
    ("lying-3", 10),
];

/// The workload of a run's name.
pub fn config(name: &str) -> SimConfig {
    match name {
        "chaos-5" => SimConfig::chaos(5),
        "chaos-3" => SimConfig::chaos(3),
        "lying-3" => SimConfig::lying_disks(3),
        other => panic!("no workload named {other}"),
    }
}

/// What a run gave, in a form the build script can write out as Rust constants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterTrace {
    pub hash: u64,
    pub events: u64,
    pub virtual_ms: u64,
    pub ops_completed: u64,
    /// The checker's first violation, in words, or empty.
    pub verdict: String,
}

pub fn run(name: &str, seed: u64) -> ClusterTrace {
    let r = sim::run(seed, &config(name));
    ClusterTrace {
        hash: r.cluster.history_hash(),
        events: r.cluster.events().len() as u64,
        virtual_ms: r.cluster.now(),
        ops_completed: r.clients().completed,
        verdict: r.violation().map(|v| v.to_string()).unwrap_or_default(),
    }
}
