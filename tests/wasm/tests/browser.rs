//! The core in a browser: etcd's transcripts, a seeded randomized run of the core and seeded
//! runs of the whole virtual cluster, compared with etcd's files and with the native runs made
//! at build time; and the simulator's speed. In wasm these run in headless Chromium
//! (wasm-bindgen-test); natively the same functions run as ordinary tests, comparing a second
//! native run, so `cargo test --workspace` exercises them too.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

/// To the browser console in wasm (the runner relays it), to stderr natively.
macro_rules! say {
    ($($t:tt)*) => {{
        #[cfg(target_arch = "wasm32")]
        wasm_bindgen_test::console_log!($($t)*);
        #[cfg(not(target_arch = "wasm32"))]
        eprintln!($($t)*);
    }};
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn etcd_transcripts_replay_identically_here_and_natively() {
    if let Some(notice) = wasm_tests::skip_notice() {
        say!("**************************************************************************");
        say!("{}", notice);
        say!("**************************************************************************");
        assert!(wasm_tests::expected::TRANSCRIPTS.is_empty());
        return;
    }
    assert_eq!(
        wasm_tests::expected::TRANSCRIPTS.len() + wasm_tests::expected::MISSING.len(),
        raft::interaction::conformance::REQUIRED.len(),
        "every required transcript is either compiled in or reported missing"
    );
    let problems = wasm_tests::transcript_mismatches();
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    say!(
        "{} etcd transcripts identical to etcd and to the native build",
        wasm_tests::expected::TRANSCRIPTS.len()
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn seeded_cluster_is_deterministic_across_platforms() {
    let trace = wasm_tests::determinism_mismatch().unwrap_or_else(|e| panic!("{}", e));
    // A scenario that never elected, committed or applied anything would prove little.
    assert!(trace.leader_terms >= 2, "{:?}", trace);
    assert!(trace.max_commit >= 50, "{:?}", trace);
    assert!(trace.applied_entries >= 100, "{:?}", trace);
    say!(
        "scenario hash {:#018x} over {} bytes matches the native run ({} leader terms, commit {}, {} entries applied)",
        trace.hash,
        trace.len,
        trace.leader_terms,
        trace.max_commit,
        trace.applied_entries
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_different_seed_gives_a_different_run() {
    // Guards against a scenario whose hash ignores its inputs (which would make the
    // determinism test pass vacuously).
    let want = wasm_tests::expected::DETERMINISM;
    let other = wasm_tests::scenario::run(want.seed + 1, 500);
    let same = wasm_tests::scenario::run(want.seed, 500);
    assert_eq!(same.checkpoints[..2], want.checkpoints[..2]);
    assert_ne!(other.hash, same.hash);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn first_difference_names_the_line() {
    use wasm_tests::first_difference;
    assert_eq!(
        first_difference("a\nb\nc\n", "a\nx\nc\n"),
        "line 2: expected \"b\", got \"x\""
    );
    assert_eq!(
        first_difference("a\n", "a\nb\n"),
        "line 2: expected \"<end of text>\", got \"b\""
    );
    assert_eq!(first_difference("a\n", "a"), "only in line endings");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn seeded_virtual_cluster_is_deterministic_across_platforms() {
    let (traces, problems) = wasm_tests::cluster_mismatches();
    assert!(
        problems.is_empty(),
        "the virtual cluster ran differently here than natively at build time:\n{}",
        problems.join("\n")
    );
    // Runs that did little would prove little: each one elected leaders, survived faults and
    // served clients.
    assert_eq!(traces.len(), wasm_tests::expected::CLUSTER_RUNS.len());
    for (t, want) in traces.iter().zip(wasm_tests::expected::CLUSTER_RUNS) {
        assert!(t.events >= 1000, "{}: {t:?}", want.name);
        assert!(t.ops_completed >= 10, "{}: {t:?}", want.name);
        say!(
            "cluster {} seed {:#x}: history {:#018x} over {} events, {}ms virtual, {} ops completed, {} — same as natively",
            want.name,
            want.seed,
            t.hash,
            t.events,
            t.virtual_ms,
            t.ops_completed,
            if t.verdict.is_empty() { "safe" } else { &t.verdict }
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_different_cluster_seed_gives_a_different_history() {
    // Guards against hashes that ignore the seed (the test above would pass vacuously).
    let want = wasm_tests::expected::CLUSTER_RUNS[1];
    let other = wasm_tests::cluster_sim::run(want.name, want.seed + 1);
    assert_ne!(other.hash, want.hash);
}

/// The speed measurement: like the native benchmark (core/cluster/benches/simulate.rs), 5
/// seeds of 10 virtual seconds in an optimized build; 1 virtual second in a debug build, which
/// only checks that the measurement works (and keeps the browser suite fast).
const BENCH_SEEDS: u64 = if cfg!(debug_assertions) { 1 } else { 5 };
const BENCH_VIRTUAL_SECONDS: u64 = if cfg!(debug_assertions) { 1 } else { 10 };

#[cfg(target_arch = "wasm32")]
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .expect("a browser window with performance.now()")
        .now()
}

#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn simulator_speed_on_the_benchmark_workload() {
    let f = wasm_tests::simulate_benchmark(1..=BENCH_SEEDS, BENCH_VIRTUAL_SECONDS, now_ms);
    assert_eq!(f.virtual_ms, BENCH_SEEDS * BENCH_VIRTUAL_SECONDS * 1000);
    assert!(f.completed * 10 >= f.ops * 9, "{f:?}");
    // One line that scripts/bench.sh looks for.
    say!(
        "simulate {} ({}): {:.3} virtual s per wall s ({:.1} virtual s in {:.3} wall s; {} events, {:.0} events/s; {} ops, {} completed)",
        if cfg!(target_arch = "wasm32") { "wasm" } else { "native-test" },
        if cfg!(debug_assertions) { "debug" } else { "optimized" },
        f.ratio(),
        f.virtual_ms as f64 / 1000.0,
        f.wall_ms / 1000.0,
        f.events,
        f.events as f64 * 1000.0 / f.wall_ms.max(1e-9),
        f.ops,
        f.completed
    );
}
