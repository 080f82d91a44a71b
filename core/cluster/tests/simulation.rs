//! Randomized simulation of the real core: many seeds of faults × client load × time
//! ([`cluster::sim`]), each checked by the cluster's safety checker after every event.
//!
//! - `honest_faults_never_break_safety`: crashes, partitions, one-way cuts, lossy, slow and
//!   duplicating links, paused clocks and leader transfers must never produce a violation, and
//!   the clients must get answers overall. `SIM_SEEDS=N` sets the number of seeds (default
//!   [`DEFAULT_SEEDS`]: thousands, sized to take about a minute in a debug build on two cores);
//!   `SIM_SEEDS=100000` is the long run. `SIM_FIRST_SEED` moves the range.
//! - `lying_disks_are_caught_by_the_checker`: with disks that lie about fsync, plus crashes,
//!   Raft's guarantees do not hold, and the checker must say so for some seed of a bounded set.
//!
//! A failing seed is printed with its recorded script (also written to the temp directory),
//! which replays the run exactly: `cargo run -p cluster --bin raft-script -- FILE`.

use std::collections::BTreeMap;
use std::time::Instant;

use cluster::checker::Property;
use cluster::script::Script;
use cluster::sim::{self, ClientTally, SimConfig, SimRun};

/// Seeds of the default run. Each is a short run (at most 30 steps and 3 virtual seconds, then
/// 1 quiet second) on 3 or 5 nodes; the sizes do not depend on the build profile.
const DEFAULT_SEEDS: u64 = 2000;

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
    )
}

/// Runs `run(seed)` for every seed on a few threads (each builds its own clusters) and returns
/// what `run` returned, in seed order.
fn par_map<T: Send>(seeds: std::ops::Range<u64>, run: impl Fn(u64) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4) as u64;
    let mut out: Vec<(u64, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let (run, seeds) = (&run, seeds.clone());
                s.spawn(move || {
                    seeds
                        .filter(|seed| seed % threads == k)
                        .map(|seed| (seed, run(seed)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a simulation thread panicked"))
            .collect()
    });
    out.sort_by_key(|(seed, _)| *seed);
    out.into_iter().map(|(_, t)| t).collect()
}

/// The honest workload of one seed: 3 or 5 nodes.
fn honest(seed: u64) -> SimConfig {
    SimConfig::chaos([3, 5][(seed % 2) as usize])
}

/// Prints the seed, what happened and the replayable script, and writes the script to a file.
fn report_failure(r: &SimRun, why: &str) -> String {
    let script = r.script();
    let path = std::env::temp_dir().join(format!("raft-sim-seed-{}.txt", r.seed));
    let saved = match std::fs::write(&path, &script) {
        Ok(()) => format!(
            "replay: cargo run -p cluster --bin raft-script -- {}",
            path.display()
        ),
        Err(e) => format!("(could not write {}: {e})", path.display()),
    };
    format!(
        "seed {} failed: {why}\n{}\n{saved}\n---- recorded script (seed {}) ----\n{script}---- end of script ----",
        r.seed,
        r.summary(),
        r.seed
    )
}

#[derive(Default)]
struct Outcome {
    failure: Option<String>,
    clients: ClientTally,
    events: u64,
    virtual_ms: u64,
    faults: u64,
    unknown_check: bool,
}

#[test]
fn honest_faults_never_break_safety() {
    let first = env_u64("SIM_FIRST_SEED").unwrap_or(0);
    let count = env_u64("SIM_SEEDS").unwrap_or(DEFAULT_SEEDS);
    let started = Instant::now();
    let outcomes = par_map(first..first + count, |seed| {
        let r = sim::run(seed, &honest(seed));
        let failure = r.violation().map(|v| report_failure(&r, &v.to_string()));
        Outcome {
            failure,
            clients: r.clients(),
            events: r.cluster.events().len() as u64,
            virtual_ms: r.cluster.now(),
            faults: r.stats.total_faults(),
            unknown_check: r.cluster.checker().linearizability_unknown.is_some(),
        }
    });
    let wall = started.elapsed();

    let mut total = Outcome::default();
    let mut idle_seeds = 0;
    let mut failures = Vec::new();
    for o in outcomes {
        total.clients.invoked += o.clients.invoked;
        total.clients.completed += o.clients.completed;
        total.clients.failed += o.clients.failed;
        total.clients.unknown += o.clients.unknown;
        total.clients.pending += o.clients.pending;
        total.events += o.events;
        total.virtual_ms += o.virtual_ms;
        total.faults += o.faults;
        total.unknown_check |= o.unknown_check;
        if o.clients.completed == 0 {
            idle_seeds += 1;
        }
        failures.extend(o.failure);
    }
    let c = &total.clients;
    eprintln!(
        "{count} seeds from {first} in {:.1}s wall: {:.0}s virtual, {} events, {} faults; ops {} invoked, {} completed, {} failed, {} unknown, {} pending; {} seed(s) without a completed op{}",
        wall.as_secs_f64(),
        total.virtual_ms as f64 / 1000.0,
        total.events,
        total.faults,
        c.invoked,
        c.completed,
        c.failed,
        c.unknown,
        c.pending,
        idle_seeds,
        if total.unknown_check {
            "; some linearizability checks were inconclusive"
        } else {
            ""
        }
    );
    assert!(
        failures.is_empty(),
        "{} of {count} seeds broke a guarantee; the first:\n{}",
        failures.len(),
        failures[0]
    );
    // Progress: faults keep a majority up most of the time, so most operations get answers,
    // and a seed where none did is rare.
    assert!(
        total.faults >= count * 3,
        "too few faults: {}",
        total.faults
    );
    assert!(
        c.completed * 100 >= c.invoked * 85,
        "clients made too little progress: {c:?}"
    );
    assert!(
        idle_seeds * 50 <= count,
        "{idle_seeds} of {count} seeds completed no operation"
    );
}

/// Seeds tried with lying disks. Bounded: the test fails if none of them is caught.
const LYING_SEEDS: u64 = 64;

#[test]
fn lying_disks_are_caught_by_the_checker() {
    let runs = par_map(0..LYING_SEEDS, |seed| {
        let r = sim::run(seed, &SimConfig::lying_disks(3));
        r.violation()
            .map(|v| (v.property, r.script(), r.cluster.history_hash()))
    });
    let mut by_property: BTreeMap<Property, Vec<u64>> = BTreeMap::new();
    let mut first = None;
    for (seed, found) in runs.into_iter().enumerate() {
        if let Some((p, script, hash)) = found {
            by_property.entry(p).or_default().push(seed as u64);
            first.get_or_insert((seed as u64, p, script, hash));
        }
    }
    let summary: Vec<String> = by_property
        .iter()
        .map(|(p, seeds)| format!("{}: {} seed(s), e.g. {}", p.name(), seeds.len(), seeds[0]))
        .collect();
    eprintln!(
        "lying disks, {LYING_SEEDS} seeds: caught {}",
        summary.join("; ")
    );
    let (seed, property, script, hash) =
        first.unwrap_or_else(|| panic!("no violation caught among {LYING_SEEDS} seeds"));
    // What a lying disk breaks: an acknowledged entry vanishes, so a committed entry can be
    // missing from a new leader or be replaced, a forgotten vote is cast twice, or etcd raft
    // itself stops on the hole.
    let expected = [
        Property::ElectionSafety,
        Property::Durability,
        Property::LeaderCompleteness,
        Property::StateMachineSafety,
        Property::LogMatching,
        Property::Linearizability,
    ];
    for p in by_property.keys() {
        assert!(expected.contains(p), "unexpected property {}", p.name());
    }
    assert!(
        by_property.contains_key(&Property::Durability)
            || by_property.contains_key(&Property::LeaderCompleteness),
        "{summary:?}"
    );
    // The caught run replays from its script to the same history and the same verdict.
    let t = Script::run(&script, seed).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    assert_eq!(t.history_hash, hash, "seed {seed}");
    assert_eq!(
        t.cluster.checker().first_violation().map(|v| v.property),
        Some(property)
    );
    // The same seeds with honest disks (the lying-disk faults left out) are safe.
    let honest = SimConfig {
        faults: vec![(sim::Fault::Crash, 6), (sim::Fault::Partition, 1)],
        ..SimConfig::lying_disks(3)
    };
    for seeds in by_property.values() {
        for &seed in seeds.iter().take(5) {
            let r = sim::run(seed, &honest);
            assert!(
                r.violation().is_none(),
                "{}",
                report_failure(&r, "honest twin")
            );
        }
    }
}

/// Seeds of the run with asynchronous nodes mixed in (`SIM_ASYNC_SEEDS` changes it).
const ASYNC_SEEDS: u64 = 200;

/// Nodes with etcd raft's `AsyncStorageWrites` beside nodes without, under every honest fault:
/// no guarantee breaks, clients get answers, the storage threads really do the writing, and a
/// run still replays from its script.
#[test]
fn async_storage_writes_mixed_in_never_break_safety() {
    let count = env_u64("SIM_ASYNC_SEEDS").unwrap_or(ASYNC_SEEDS);
    let outcomes = par_map(0..count, |seed| {
        let config = SimConfig::async_mix([3, 5][(seed % 2) as usize]);
        let r = sim::run(seed, &config);
        let failure = r.violation().map(|v| report_failure(&r, &v.to_string()));
        let thread_writes = r
            .cluster
            .events()
            .iter()
            .filter(|e| e.explanation.contains("'s append thread processes"))
            .count();
        let replayed = (seed < 4).then(|| {
            let t = Script::run(&r.script(), seed).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            (t.history_hash, r.cluster.history_hash())
        });
        (failure, r.clients(), thread_writes, replayed)
    });
    let mut failures = Vec::new();
    let (mut invoked, mut completed, mut without_threads) = (0, 0, 0);
    for (seed, (failure, clients, thread_writes, replayed)) in outcomes.into_iter().enumerate() {
        failures.extend(failure);
        invoked += clients.invoked;
        completed += clients.completed;
        if thread_writes == 0 {
            without_threads += 1;
        }
        if let Some((replay, run)) = replayed {
            assert_eq!(replay, run, "seed {seed} does not replay from its script");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} seeds broke a guarantee; the first:\n{}",
        failures.len(),
        failures[0]
    );
    assert_eq!(without_threads, 0, "seeds where no append thread wrote");
    assert!(
        completed * 100 >= invoked * 85,
        "clients made too little progress: {completed} of {invoked}"
    );
}
