//! Replays etcd raft interaction transcripts and compares them byte for byte.
//!
//! ```text
//! cargo run -p raft --example conformance -- [DIR|FILE...]
//! ```
//!
//! Every argument is a transcript file or a folder whose top-level `*.txt` files are replayed.
//! Without arguments the folder is `$RAFT_CONFORMANCE_DIR`, or else etcd's shared copy next
//! to the workspace. Each mismatch is printed as a unified diff from etcd's text to ours; the
//! exit status is 0 when every transcript is identical, 1 when one is not, and 2 when the
//! arguments cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;

use raft::interaction::conformance::{self, TranscriptResult};

mod report;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args
        .iter()
        .any(|a| a.to_str().is_some_and(|s| s == "-h" || s == "--help"))
    {
        println!("usage: conformance [DIR|FILE...]");
        println!(
            "  replays etcd raft interaction transcripts (default folder: ${} or {})",
            conformance::DIR_ENV,
            conformance::default_dir().display()
        );
        return ExitCode::SUCCESS;
    }
    let targets = if args.is_empty() {
        vec![conformance::transcript_dir()]
    } else {
        args
    };

    let mut files = Vec::new();
    for t in &targets {
        if t.is_dir() {
            match conformance::list_dir(t) {
                Ok(mut found) => files.append(&mut found),
                Err(e) => {
                    eprintln!("conformance: cannot list {}: {}", t.display(), e);
                    return ExitCode::from(2);
                }
            }
        } else if t.is_file() {
            files.push(t.clone());
        } else {
            eprintln!(
                "conformance: {} is neither a transcript nor a folder (set {} or pass a path)",
                t.display(),
                conformance::DIR_ENV
            );
            return ExitCode::from(2);
        }
    }
    if files.is_empty() {
        eprintln!("conformance: no transcripts (*.txt) found");
        return ExitCode::from(2);
    }

    report::quiet_panics();
    let results: Vec<TranscriptResult> = files.iter().map(|f| conformance::run_file(f)).collect();
    for r in &results {
        report::print_result(r, false, None);
    }
    println!("{}", report::summary_line(&results));
    if results.iter().all(|r| r.outcome.is_identical()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
