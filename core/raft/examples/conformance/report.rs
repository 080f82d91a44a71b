//! Printing conformance results: a unified diff per mismatching transcript and the summary
//! line. Shared by this example and `tests/conformance.rs` (through `#[path]`), since both may
//! use the `similar` dev-dependency while the library itself stays free of it.

use raft::interaction::conformance::{Outcome, TranscriptResult};

/// The unified diff from etcd's transcript to ours, with three lines of context.
pub fn unified_diff(name: &str, expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{} (etcd)", name), &format!("{} (ours)", name))
        .to_string()
}

/// Prints what went wrong with `r`, if anything, and returns a one-word status. Diffs longer
/// than `max_diff_lines` are cut, with a hint on how to see them whole.
pub fn print_result(
    r: &TranscriptResult,
    mark_required: bool,
    max_diff_lines: Option<usize>,
) -> &'static str {
    let mark = if mark_required && r.is_required() {
        " (REQUIRED)"
    } else {
        ""
    };
    match &r.outcome {
        Outcome::Identical => "identical",
        Outcome::Differs { actual } => {
            println!("=== {}: differs{}", r.name, mark);
            let diff = unified_diff(&r.name, &r.expected, actual);
            let lines: Vec<&str> = diff.lines().collect();
            match max_diff_lines {
                Some(max) if lines.len() > max => {
                    for l in &lines[..max] {
                        println!("{}", l);
                    }
                    println!(
                        "... ({} more diff lines; CONFORMANCE_ONLY={} shows all)",
                        lines.len() - max,
                        r.name
                    );
                }
                _ => print!("{}", diff),
            }
            "DIFFERS"
        }
        Outcome::Failed(msg) => {
            println!("=== {}: {}{}", r.name, msg, mark);
            "FAILED"
        }
    }
}

/// The last line of every run, which scripts and people grep for.
pub fn summary_line(results: &[TranscriptResult]) -> String {
    let identical = results.iter().filter(|r| r.outcome.is_identical()).count();
    format!(
        "conformance: {}/{} transcripts identical",
        identical,
        results.len()
    )
}

/// A panic inside a transcript is reported with that transcript's outcome; the default hook
/// would print it a second time, with a backtrace hint, in the middle of the report.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}
