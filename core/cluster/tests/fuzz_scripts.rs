//! Random scripts from the structure-aware generator (`cluster::fuzz`): no command may panic or
//! hang, every generated line prints and parses back to the same command (or is refused with a
//! line and a column), and replaying the script gives the same history, event for event — also
//! when the first run went in slices of a few events, as the page runs long commands.
//!
//! CI runs a fixed-seed slice. The long mode runs by environment variable:
//! `FUZZ_SCRIPTS=100000 cargo test --release -p cluster --test fuzz_scripts` (seeds), with
//! `FUZZ_SCRIPTS_FROM=N` to start elsewhere and `FUZZ_SCRIPTS_MINUTES=60` to stop after a time.
//! A failure prints its seed and the script, shrunk to the lines that still fail.

use std::io::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cluster::cluster::Cluster;
use cluster::command::Command;
use cluster::fuzz::{Choices, Generator, Seeded};
use cluster::script::Script;

/// Commands per script.
const COMMANDS: usize = 40;
/// Events one script may cause in all: the step budget that keeps a long `run` short here.
const EVENT_BUDGET: u64 = 20_000;
/// Seeds of the CI slice.
const CI_SEEDS: u64 = 300;
/// Seeds from here draw asynchronous storage writes too (`Generator::async_writes`); below it
/// every seed draws what it always drew. CI runs a third as many of them.
const ASYNC_FROM: u64 = 1 << 40;
/// Seeds that once failed, run with every slice so their fixes stay. 1,031,950 and 1,084,282
/// compacted a node's storage past what Raft had been told was applied (the state machine had
/// applied more, but Advance had not come yet), and a campaign then panicked scanning for conf
/// changes. 2,053,897 and 4,058,497 hung: a pre-vote storm (14,000 messages at one instant)
/// and a storm of duplicated messages made every delivery scan (or sort) everything in flight;
/// the network now keeps its delivery order.
const FOUND: &[u64] = &[1_031_950, 1_084_282, 2_053_897, 4_058_497];
/// Without progress for this long, a command hangs.
const HANG: Duration = Duration::from_secs(60);

/// What one seed wrote and what became of it.
struct Outcome {
    /// The commands that parsed, in order: the script.
    script: Vec<Command>,
    /// A problem, if any.
    failure: Option<String>,
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// A cluster whose run ends after [`EVENT_BUDGET`] events, as a page's stop button would.
fn budgeted(seed: u64) -> Cluster {
    let mut c = Cluster::new(seed);
    c.set_event_limit(Some(EVENT_BUDGET));
    c
}

fn script_text(commands: &[Command]) -> String {
    let mut s = String::new();
    for c in commands {
        c.push_to_script(&mut s);
    }
    s
}

/// Runs `lines` (already checked to parse) on a fresh budgeted cluster.
fn run_lines(lines: &[Command], seed: u64) -> Result<u64, String> {
    let text = script_text(lines);
    let script = Script::parse(&text).map_err(|e| format!("the script does not parse: {e}"))?;
    let r = panic::catch_unwind(AssertUnwindSafe(|| script.run_on(budgeted(seed))));
    match r {
        Ok(t) => Ok(t.cluster.history_hash()),
        Err(p) => Err(format!("replay panicked: {}", panic_text(&p))),
    }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic".into())
}

/// Generates and runs one script, command by command.
fn one(seed: u64, progress: &Progress) -> Outcome {
    let mut choices = Seeded::new(seed);
    let mut gen = Generator {
        choices: &mut choices,
        async_writes: seed >= ASYNC_FROM,
    };
    let mut cluster = budgeted(seed);
    let mut script = Vec::new();
    for _ in 0..COMMANDS {
        if gen.choices.chance(3) {
            let line = gen.raw_line();
            match Command::parse(&line) {
                Err(e) if e.line >= 1 && e.column >= 1 => continue,
                Err(e) => {
                    let failure = Some(format!("{line:?}: error without a place: {e}"));
                    return Outcome { script, failure };
                }
                Ok(c) => {
                    let failure = Some(format!("{line:?} should not parse, but reads as {c:?}"));
                    return Outcome { script, failure };
                }
            }
        }
        let cmd = gen.command(&cluster);
        let line = cmd.to_string();
        let parsed = match Command::parse(&line) {
            Ok(p) => p,
            // Out of bounds or otherwise refused: a person would see the error and fix the line.
            Err(_) => continue,
        };
        if parsed != cmd {
            let failure = Some(format!(
                "{line:?} prints a command that parses back differently:\n  {cmd:?}\n  {parsed:?}"
            ));
            return Outcome { script, failure };
        }
        progress.working_on(&script, &cmd);
        script.push(cmd);
        // Half the scripts run in slices of a few events, as the page runs them; the replay
        // below runs each command at once, and must give the same history.
        let slice = (seed % 2 == 1).then(|| 1 + seed % 97);
        let r = panic::catch_unwind(AssertUnwindSafe(|| {
            cluster.begin(parsed);
            while cluster.resume(slice).is_none() {}
        }));
        if let Err(p) = r {
            let failure = Some(format!("panicked: {}", panic_text(&p)));
            return Outcome { script, failure };
        }
    }
    let hash = cluster.history_hash();
    let failure = match run_lines(&script, seed) {
        Ok(h) if h == hash => None,
        Ok(h) => Some(format!(
            "replaying the script gives history {h:016x}, the run gave {hash:016x}"
        )),
        Err(e) => Some(e),
    };
    Outcome { script, failure }
}

/// Drops lines while the script still fails: the shortest story of the bug.
fn shrink(mut lines: Vec<Command>, seed: u64) -> Vec<Command> {
    let fails = |ls: &[Command]| run_lines(ls, seed).is_err();
    if !fails(&lines) {
        return lines;
    }
    let mut i = lines.len();
    while i > 0 {
        i -= 1;
        let mut shorter = lines.clone();
        shorter.remove(i);
        if Script::parse(&script_text(&shorter)).is_ok() && fails(&shorter) {
            lines = shorter;
        }
    }
    lines
}

/// What the watchdog reads: when a command last finished, and what is running.
struct Progress {
    beat: AtomicU64,
    current: Mutex<String>,
}

impl Progress {
    fn working_on(&self, before: &[Command], cmd: &Command) {
        self.beat.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut c) = self.current.lock() {
            *c = script_text(before);
            cmd.push_to_script(&mut c);
        }
    }
}

/// Aborts the test with the script at hand when no command finished for [`HANG`].
fn watchdog(progress: Arc<Progress>, seed: Arc<AtomicU64>) {
    std::thread::spawn(move || {
        let mut last = (u64::MAX, Instant::now());
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let beat = progress.beat.load(Ordering::Relaxed);
            if beat != last.0 {
                last = (beat, Instant::now());
            } else if last.1.elapsed() > HANG {
                let script = progress
                    .current
                    .lock()
                    .map(|c| c.clone())
                    .unwrap_or_default();
                // Straight to stderr: the test harness captures `eprintln!`, and would lose it
                // in the abort.
                let _ = writeln!(
                    std::io::stderr(),
                    "HANG: seed {}: no command finished for {HANG:?}; the script so far:\n{script}",
                    seed.load(Ordering::Relaxed)
                );
                std::process::abort();
            }
        }
    });
}

#[test]
fn random_scripts_neither_panic_nor_hang_and_replay_identically() {
    let seeds = env_u64("FUZZ_SCRIPTS").unwrap_or(CI_SEEDS);
    let from = env_u64("FUZZ_SCRIPTS_FROM").unwrap_or(0);
    let minutes = env_u64("FUZZ_SCRIPTS_MINUTES");
    let progress = Arc::new(Progress {
        beat: AtomicU64::new(0),
        current: Mutex::new(String::new()),
    });
    let at = Arc::new(AtomicU64::new(from));
    watchdog(progress.clone(), at.clone());
    // Panics are caught and reported with their script; the default hook would only add noise.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let mut failures = Vec::new();
    let mut ran = 0;
    for seed in FOUND
        .iter()
        .copied()
        .chain(from..from.saturating_add(seeds))
        .chain(ASYNC_FROM..ASYNC_FROM + seeds / 3)
    {
        if minutes.is_some_and(|m| start.elapsed() > Duration::from_secs(m * 60)) {
            break;
        }
        at.store(seed, Ordering::Relaxed);
        let out = one(seed, &progress);
        ran += 1;
        if let Some(why) = out.failure {
            let small = shrink(out.script, seed);
            failures.push(format!(
                "seed {seed}: {why}\n--- script (shrunk) ---\n{}\n",
                script_text(&small)
            ));
            if failures.len() >= 5 {
                break;
            }
        }
    }
    panic::set_hook(hook);
    eprintln!(
        "fuzz_scripts: {ran} scripts from seed {from} in {:.1}s, {} failed",
        start.elapsed().as_secs_f64(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
