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
//! The run fails if a transcript of `conformance::REQUIRED` is not identical (or missing); the
//! others are reported. The replay itself lives in `raft::interaction::conformance` and the
//! printing in the `conformance` example's `report.rs`, shared with the command-line runner.

use std::process::ExitCode;

use raft::interaction::conformance::{self, REQUIRED};

#[path = "../examples/conformance/report.rs"]
mod report;

/// Diff lines shown per failing transcript unless asked for everything.
const SHORT_DIFF_LINES: usize = 80;

fn main() -> ExitCode {
    let dir = conformance::transcript_dir();
    if !dir.is_dir() {
        eprintln!();
        eprintln!("**************************************************************************");
        eprintln!(
            "SKIPPED: conformance transcripts not found at {}",
            dir.display()
        );
        eprintln!(
            "SKIPPED: set {} to etcd raft's testdata folder to run them",
            conformance::DIR_ENV
        );
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

    let mut files = match conformance::list_dir(&dir) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("conformance: cannot list {}: {}", dir.display(), e);
            return ExitCode::FAILURE;
        }
    };
    let names: Vec<String> = files
        .iter()
        .map(|p| conformance::transcript_name(p))
        .collect();
    if let Some(only) = &only {
        for n in only {
            if !names.contains(n) {
                eprintln!(
                    "conformance: no transcript named {} in {}",
                    n,
                    dir.display()
                );
                return ExitCode::FAILURE;
            }
        }
        files.retain(|p| only.contains(&conformance::transcript_name(p)));
    } else {
        // A required transcript that vanished from the folder must not pass silently.
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|r| !names.iter().any(|n| n == r))
            .collect();
        if !missing.is_empty() {
            println!(
                "conformance: REQUIRED transcripts missing from {}: {}",
                dir.display(),
                missing.join(", ")
            );
            return ExitCode::FAILURE;
        }
    }

    report::quiet_panics();
    let max_lines = if full_diff {
        None
    } else {
        Some(SHORT_DIFF_LINES)
    };
    let results: Vec<_> = files.iter().map(|p| conformance::run_file(p)).collect();
    let mut summary = Vec::new();
    for r in &results {
        let status = report::print_result(r, true, max_lines);
        summary.push(format!(
            "  {:<45} {}{}",
            r.name,
            status,
            if r.is_required() {
                ""
            } else {
                " (not required)"
            }
        ));
    }

    println!();
    for s in &summary {
        println!("{}", s);
    }
    println!("{}", report::summary_line(&results));
    let required_failures: Vec<&str> = results
        .iter()
        .filter(|r| r.is_required() && !r.outcome.is_identical())
        .map(|r| r.name.as_str())
        .collect();
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
