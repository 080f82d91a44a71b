//! Conformance with etcd raft: replays etcd's interaction transcripts through
//! `raft::interaction` and compares the rewritten files byte for byte.
//!
//! - `RAFT_CONFORMANCE_DIR`: the folder holding etcd's `testdata/*.txt` (default: the shared
//!   copy next to the workspace, `<workspace>/../shared/conformance/etcd-raft`). Only its top
//!   level is replayed (the sub-folders belong to other harnesses).
//! - `CONFORMANCE_ONLY=name[,name...]`: replay only these transcripts (with or without `.txt`)
//!   and print their full diffs.
//! - `CONFORMANCE_FULL_DIFF=1`: never shorten diffs.
//!
//! The run fails if a transcript of [`REQUIRED`] is not identical; the others are reported.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Transcripts that must be reproduced exactly.
const REQUIRED: &[&str] = &[
    "campaign",
    "checkquorum",
    "forget_leader",
    "forget_leader_prevote_checkquorum",
    "forget_leader_read_only_lease_based",
    "heartbeat_resp_recovers_from_probing",
    "lagging_commit",
    "prevote",
    "prevote_checkquorum",
    "probe_and_replicate",
    "replicate_pause",
    "single_node",
    "slow_follower_after_compaction",
    "snapshot_succeed_via_app_resp",
    "snapshot_succeed_via_app_resp_behind",
];

/// Diff lines shown per failing transcript unless asked for everything.
const SHORT_DIFF_LINES: usize = 80;

enum Outcome {
    Identical,
    Differs(String),
    Failed(String),
}

fn transcript_dir() -> PathBuf {
    match std::env::var_os("RAFT_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/etcd-raft"),
    }
}

fn run_one(path: &Path) -> Outcome {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return Outcome::Failed(format!("cannot read: {}", e)),
    };
    match catch_unwind(AssertUnwindSafe(|| {
        raft::interaction::run_transcript(&text)
    })) {
        Ok(Ok(actual)) if actual == text => Outcome::Identical,
        Ok(Ok(actual)) => {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let diff = similar::TextDiff::from_lines(&text, &actual)
                .unified_diff()
                .context_radius(3)
                .header(&format!("{} (etcd)", name), &format!("{} (ours)", name))
                .to_string();
            Outcome::Differs(diff)
        }
        Ok(Err(e)) => Outcome::Failed(format!("parse error: {}", e)),
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "(non-text panic)".to_string());
            Outcome::Failed(format!("panicked: {}", msg))
        }
    }
}

fn main() -> ExitCode {
    let dir = transcript_dir();
    if !dir.is_dir() {
        eprintln!();
        eprintln!("**************************************************************************");
        eprintln!(
            "SKIPPED: conformance transcripts not found at {}",
            dir.display()
        );
        eprintln!("SKIPPED: set RAFT_CONFORMANCE_DIR to etcd raft's testdata folder to run them");
        eprintln!("**************************************************************************");
        eprintln!();
        return ExitCode::SUCCESS;
    }

    let only: Option<Vec<String>> = std::env::var("CONFORMANCE_ONLY")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.split(',')
                .map(|n| n.trim().trim_end_matches(".txt").to_string())
                .filter(|n| !n.is_empty())
                .collect()
        });
    let full_diff = only.is_some() || std::env::var_os("CONFORMANCE_FULL_DIFF").is_some();

    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "txt"))
            .collect(),
        Err(e) => {
            eprintln!("conformance: cannot list {}: {}", dir.display(), e);
            return ExitCode::FAILURE;
        }
    };
    files.sort();
    let stem = |p: &Path| {
        p.file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    if let Some(only) = &only {
        for n in only {
            if !files.iter().any(|p| &stem(p) == n) {
                eprintln!(
                    "conformance: no transcript named {} in {}",
                    n,
                    dir.display()
                );
                return ExitCode::FAILURE;
            }
        }
        files.retain(|p| only.contains(&stem(p)));
    }

    // Panics inside a transcript are reported as failures of that transcript; keep the default
    // hook's message short by silencing it (the message is printed with the outcome).
    std::panic::set_hook(Box::new(|_| {}));

    let mut identical = 0;
    let mut required_failures = Vec::new();
    let mut summary = Vec::new();
    for path in &files {
        let name = stem(path);
        let required = REQUIRED.contains(&name.as_str());
        let outcome = run_one(path);
        let status = match &outcome {
            Outcome::Identical => {
                identical += 1;
                "identical"
            }
            Outcome::Differs(diff) => {
                println!(
                    "=== {}: differs{}",
                    name,
                    if required { " (REQUIRED)" } else { "" }
                );
                let lines: Vec<&str> = diff.lines().collect();
                if full_diff || lines.len() <= SHORT_DIFF_LINES {
                    print!("{}", diff);
                } else {
                    for l in &lines[..SHORT_DIFF_LINES] {
                        println!("{}", l);
                    }
                    println!(
                        "... ({} more diff lines; CONFORMANCE_ONLY={} shows all)",
                        lines.len() - SHORT_DIFF_LINES,
                        name
                    );
                }
                "DIFFERS"
            }
            Outcome::Failed(msg) => {
                println!(
                    "=== {}: {}{}",
                    name,
                    msg,
                    if required { " (REQUIRED)" } else { "" }
                );
                "FAILED"
            }
        };
        if required && !matches!(outcome, Outcome::Identical) {
            required_failures.push(name.clone());
        }
        summary.push(format!(
            "  {:<45} {}{}",
            name,
            status,
            if required { "" } else { " (not required)" }
        ));
    }

    println!();
    for s in &summary {
        println!("{}", s);
    }
    println!(
        "conformance: {}/{} transcripts identical",
        identical,
        files.len()
    );
    if required_failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!(
            "conformance: REQUIRED transcripts not identical: {}",
            required_failures.join(", ")
        );
        ExitCode::FAILURE
    }
}
