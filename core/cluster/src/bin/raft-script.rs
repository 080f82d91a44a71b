//! `raft-script`: runs playground scripts headless, each on a fresh virtual cluster.
//!
//! ```text
//! raft-script [--seed N] [--rewrite] [--quiet] FILE...
//! raft-script --lessons DIR
//! ```
//!
//! Prints each script's transcript (the script with every command's actual output under its
//! `----`), or one line per script with `--quiet`. `--rewrite` writes the transcript back into
//! the file instead, which is how a scenario's expected outputs are filled in. A script fails
//! when an `expect` (or a `run-until`) fails, when a written output differs from the actual
//! one, or when the safety checker found a violation the script does not assert with
//! `expect violation`. Exit status: 0 when every script passed, 1 when some script failed, 2
//! when some file could not be read or parsed (reported as `FILE:LINE:COLUMN: message`).
//!
//! The seed is `--seed`, else the script's own `# seed: N` header line, else 0.
//!
//! `--lessons DIR` checks every lesson file of DIR (`*.txt`, `*.lesson`) in file-name order
//! instead (see `docs/lessons.md`): one line per lesson, each problem as `FILE:LINE: message`
//! on standard error, and last `lessons: N checked, N solved by their reference solutions,
//! 0 solved by doing nothing`. Exit status 1 when some check failed, 2 when some file could
//! not be read or parsed.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

// The page never runs this binary; on wasm it is an empty program, so that building every
// target of the crate for the browser still works.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::fmt::Write as _;
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    use clap::Parser;
    use cluster::cluster::Cluster;
    use cluster::command::{Clause, Command};
    use cluster::lesson::{self, Lesson};
    use cluster::script::{Script, Transcript};

    /// Run Raft Playground scripts on a fresh virtual cluster each and check them.
    #[derive(Parser, Debug)]
    #[command(name = "raft-script", version)]
    struct Args {
        /// Seed of the cluster's randomness (default: the script's `# seed: N` line, else 0).
        #[arg(long)]
        seed: Option<u64>,
        /// Write each file back with the actual outputs filled in under every command.
        #[arg(long)]
        rewrite: bool,
        /// One line per script instead of its transcript.
        #[arg(long, short)]
        quiet: bool,
        /// Check every lesson file of this folder instead of running scripts.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["seed", "rewrite", "files"])]
        lessons: Option<PathBuf>,
        /// Script files.
        #[arg(required_unless_present = "lessons")]
        files: Vec<PathBuf>,
    }

    /// Prints to stdout like `print!`, but a reader that went away (`raft-script … | head`)
    /// ends the program quietly, with the status a shell gives a process killed by SIGPIPE,
    /// instead of a panic.
    macro_rules! out {
        ($($arg:tt)*) => {
            write_out(format_args!($($arg)*))
        };
    }

    fn write_out(text: std::fmt::Arguments) {
        use std::io::Write as _;
        if let Err(e) = std::io::stdout().lock().write_fmt(text) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("raft-script: cannot write the output: {e}");
            }
            std::process::exit(141);
        }
    }

    /// How one file went, worst last.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum Verdict {
        Passed,
        Failed,
        Unreadable,
    }

    pub fn main() -> ExitCode {
        let args = Args::parse();
        if let Some(dir) = &args.lessons {
            return check_lessons(dir, args.quiet).into();
        }
        let many = args.files.len() > 1;
        let mut worst = Verdict::Passed;
        for (i, file) in args.files.iter().enumerate() {
            if many && !args.quiet && !args.rewrite {
                if i > 0 {
                    out!("\n");
                }
                out!("==> {} <==\n", file.display());
            }
            worst = worst.max(run_file(&args, file));
        }
        worst.into()
    }

    /// The value of a `# key: value` header comment (the scenario library's metadata).
    fn header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
        text.lines().find_map(|l| {
            let rest = l.strip_prefix('#')?.trim_start();
            let rest = rest.strip_prefix(key)?.strip_prefix(':')?;
            Some(rest.trim())
        })
    }

    /// How a run ended, as the process's exit status.
    impl From<Verdict> for ExitCode {
        fn from(v: Verdict) -> ExitCode {
            match v {
                Verdict::Passed => ExitCode::SUCCESS,
                Verdict::Failed => ExitCode::from(1),
                Verdict::Unreadable => ExitCode::from(2),
            }
        }
    }

    fn run_file(args: &Args, file: &Path) -> Verdict {
        let name = file.display();
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{name}: {e}");
                return Verdict::Unreadable;
            }
        };
        let seed = match (args.seed, header(&text, "seed")) {
            (Some(s), _) => s,
            (None, None) => 0,
            (None, Some(s)) => match s.parse::<u64>() {
                Ok(s) => s,
                Err(_) => {
                    let line = text
                        .lines()
                        .position(|l| header(l, "seed").is_some())
                        .map_or(1, |i| i + 1);
                    eprintln!("{name}:{line}:1: invalid seed {s:?}: want a number");
                    return Verdict::Unreadable;
                }
            },
        };
        let script = match Script::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{name}:{}:{}: {}", e.line, e.column, e.message);
                return Verdict::Unreadable;
            }
        };
        let t = script.run_on(Cluster::new(seed));
        let problems = problems(&script, &t, !args.rewrite);
        if args.rewrite {
            if t.rewritten != text {
                if let Err(e) = std::fs::write(file, &t.rewritten) {
                    eprintln!("{name}: cannot write: {e}");
                    return Verdict::Unreadable;
                }
                if !args.quiet {
                    out!("{name}: rewritten\n");
                }
            } else if !args.quiet {
                out!("{name}: up to date\n");
            }
        } else if args.quiet {
            let verdict = if problems.is_empty() { "ok" } else { "FAILED" };
            out!(
                "{name}: {verdict} ({} commands, seed {seed}, {}ms virtual, {} events, history {:016x})\n",
                t.results.len(),
                t.cluster.now(),
                t.cluster.events().len(),
                t.history_hash
            );
        } else {
            out!("{}", t.rewritten);
            if !t.rewritten.ends_with('\n') {
                out!("\n");
            }
        }
        for p in &problems {
            eprint!("{name}:{p}");
        }
        if problems.is_empty() {
            Verdict::Passed
        } else {
            Verdict::Failed
        }
    }

    /// Whether the script asserts that the checker finds a violation (then one is the point
    /// of the scenario, not a failure).
    fn asserts_violation(script: &Script) -> bool {
        script.commands().any(|c| match c {
            Command::Expect(cond)
            | Command::RunUntil {
                condition: cond, ..
            } => cond.clauses.contains(&Clause::Violation),
            _ => false,
        })
    }

    /// What makes the run fail, each as `LINE: ...` text ending in a newline (the caller puts
    /// the file name in front). Output mismatches count only when `outputs` (not when the
    /// outputs are being rewritten).
    fn problems(script: &Script, t: &Transcript, outputs: bool) -> Vec<String> {
        let mut out = Vec::new();
        for r in &t.results {
            if let Some(f) = &r.failure {
                out.push(format!("{}: {}: {}\n", r.line, r.command, f.trim_end()));
            } else if outputs && r.mismatch() {
                let mut s = format!("{}: {}: output differs\n", r.line, r.command);
                s.push_str("  expected:\n");
                for l in r.expected.lines() {
                    let _ = writeln!(s, "    {l}");
                }
                s.push_str("  actual:\n");
                for l in r.actual.lines() {
                    let _ = writeln!(s, "    {l}");
                }
                out.push(s);
            }
        }
        if !asserts_violation(script) {
            if let Some(v) = t.cluster.checker().first_violation() {
                out.push(format!(
                    " checker: {v} (the script does not `expect violation`)\n"
                ));
            }
        }
        out
    }

    // ---- --lessons DIR ---------------------------------------------------------------------

    /// The lesson files of `dir`, in file-name order (the course's order).
    fn lesson_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_file()
                && path
                    .extension()
                    .is_some_and(|x| x == "txt" || x == "lesson")
            {
                files.push(path);
            }
        }
        files.sort();
        Ok(files)
    }

    /// Checks every lesson of `dir` (see `cluster::lesson::check`), one line per lesson and the
    /// totals last.
    fn check_lessons(dir: &Path, quiet: bool) -> Verdict {
        let files = match lesson_files(dir) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{}: {e}", dir.display());
                return Verdict::Unreadable;
            }
        };
        let mut worst = Verdict::Passed;
        let (mut checked, mut solved, mut by_nothing) = (0, 0, 0);
        for file in &files {
            let name = file.display();
            let lesson = match std::fs::read_to_string(file)
                .map_err(|e| e.to_string())
                .and_then(|t| {
                    Lesson::parse(&t).map_err(|e| format!("{}:{}: {}", e.line, e.column, e.message))
                }) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("{name}:{e}");
                    worst = Verdict::Unreadable;
                    continue;
                }
            };
            let started = std::time::Instant::now();
            let r = lesson::check(&lesson);
            checked += 1;
            solved += usize::from(r.all_solved());
            by_nothing += usize::from(r.solved_by_nothing > 0);
            if !quiet || !r.passed() {
                out!(
                    "{name}: {} ({}; {} steps, {} predictions, {} exercises, {}ms virtual, {}ms)\n",
                    if r.passed() { "ok" } else { "FAILED" },
                    r.title,
                    r.steps,
                    r.predictions,
                    r.exercises,
                    r.virtual_ms,
                    started.elapsed().as_millis()
                );
            }
            for p in &r.problems {
                eprintln!("{name}:{}: {}", p.line, p.message);
            }
            if !r.passed() {
                worst = worst.max(Verdict::Failed);
            }
        }
        out!(
            "lessons: {checked} checked, {solved} solved by their reference solutions, {by_nothing} solved by doing nothing\n"
        );
        if files.is_empty() {
            eprintln!("{}: no lesson files (*.txt, *.lesson)", dir.display());
            worst = Verdict::Unreadable;
        }
        worst
    }
}
