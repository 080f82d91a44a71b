//! How fast the virtual cluster runs: virtual seconds simulated per wall-clock second, for 5
//! nodes under 200 client operations per virtual second ([`SimConfig::benchmark`]: puts and
//! gets on 16 keys sent to random nodes, no faults), with everything the page pays for on
//! (events with their explanations and log lines, the safety checker after every event, the
//! linearizability check after every answer).
//!
//! Each iteration starts from a cluster that has elected its first leader (set up outside the
//! timed part) and runs [`VIRTUAL_SECONDS`] of load. Criterion's throughput counts virtual
//! milliseconds as elements, so its `Kelem/s` reads directly as virtual seconds per wall second.
//! After criterion, a plain timed loop prints the same figure on one line
//! (`simulate native: ...`) for scripts/bench.sh.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cluster::sim::{SimConfig, Workload};
use criterion::{BatchSize, Criterion, Throughput};

/// Virtual time per iteration. Long enough that the cost of a growing history shows.
const VIRTUAL_SECONDS: u64 = 10;
/// Seeds of the plain timed loop (one run each).
const SEEDS: u64 = 5;

fn elected(seed: u64) -> (Workload, cluster::cluster::Cluster) {
    let mut w = Workload::new(seed, SimConfig::benchmark(VIRTUAL_SECONDS));
    let c = w.start();
    (w, c)
}

fn load((mut w, mut c): (Workload, cluster::cluster::Cluster)) -> cluster::cluster::Cluster {
    while w.step(&mut c) {}
    c
}

fn simulate(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(VIRTUAL_SECONDS * 1000));
    group.bench_function("5_nodes_200_ops_per_s", |b| {
        let mut seed = 0;
        b.iter_batched(
            || {
                seed += 1;
                elected(seed)
            },
            |setup| black_box(load(setup)),
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

/// The figure on one line, from a plain loop: total virtual load time over total wall time.
fn plain_figure() {
    let mut wall = Duration::ZERO;
    let (mut virtual_ms, mut events, mut ops, mut completed) = (0u64, 0u64, 0u64, 0u64);
    for seed in 1..=SEEDS {
        let (w, c0) = elected(seed);
        let (t0, e0) = (c0.now(), c0.events().len() as u64);
        let started = Instant::now();
        let c = load((w, c0));
        wall += started.elapsed();
        virtual_ms += c.now() - t0;
        events += c.events().len() as u64 - e0;
        // Over every operation: the history keeps only the recent ones.
        let t = c.history().tally();
        ops += t.invoked;
        completed += t.completed;
        if let Some(v) = c.checker().first_violation() {
            panic!("seed {seed}: the benchmark's run broke a guarantee: {v}");
        }
    }
    let w = wall.as_secs_f64();
    println!(
        "simulate native: {:.3} virtual s per wall s ({:.1} virtual s in {:.3} wall s; {} events, {:.0} events/s; {} ops, {} completed)",
        virtual_ms as f64 / 1000.0 / w,
        virtual_ms as f64 / 1000.0,
        w,
        events,
        events as f64 / w,
        ops,
        completed
    );
}

fn main() {
    // Plots would need gnuplot (or the plotters feature, left out): numbers only.
    let mut c = Criterion::default().without_plots().configure_from_args();
    simulate(&mut c);
    c.final_summary();
    // `cargo test --benches` runs this binary in test mode: no measurement then.
    if !std::env::args().any(|a| a == "--test" || a == "--list") {
        plain_figure();
    }
}
