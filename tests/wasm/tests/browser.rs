//! The core in a browser: etcd's transcripts and a seeded randomized cluster, compared with
//! etcd's files and with the native run made at build time. In wasm these run in headless
//! Chromium (wasm-bindgen-test); natively the same functions run as ordinary tests, comparing
//! a second native run, so `cargo test --workspace` exercises them too.

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
