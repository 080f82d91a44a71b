//! Input bytes as the choices of `cluster::fuzz::Generator`, so that libFuzzer's mutations of
//! bytes become mutations of well-formed scripts and coverage guides them into the cluster and
//! the Raft core, not just the parser. The properties are those of the seeded CI fuzzer
//! (`core/cluster/tests/fuzz_scripts.rs`): no command panics, every generated command prints
//! and parses back to itself (or is refused with a place), and replaying the script on a fresh
//! cluster with the same seed gives the same history.
//!
//! `FUZZ_SHOW_SCRIPT=1 cargo fuzz run script_structured INPUT` prints the script an input
//! stands for, line by line as it is built, so a crash can be read as a script.
#![no_main]

use std::sync::OnceLock;

use cluster::cluster::Cluster;
use cluster::fuzz::{Bytes, Choices, Generator};
use cluster::command::Command;
use cluster::script::Script;
use libfuzzer_sys::fuzz_target;

/// Events one script may cause in all: the step budget of the seeded fuzzer.
const EVENT_BUDGET: u64 = 20_000;
/// Commands per input: more than the seeded fuzzer's 40, few enough that one input stays fast.
const MAX_COMMANDS: usize = 64;

fn budgeted(seed: u64) -> Cluster {
    let mut c = Cluster::new(seed);
    c.set_event_limit(Some(EVENT_BUDGET));
    c
}

/// Read once: an environment lookup per command would show in the executions per second.
fn show() -> bool {
    static SHOW: OnceLock<bool> = OnceLock::new();
    *SHOW.get_or_init(|| std::env::var_os("FUZZ_SHOW_SCRIPT").is_some())
}

fuzz_target!(|data: &[u8]| {
    // The cluster's seed (latencies, election timeouts, drops) is part of the input, so that
    // the fuzzer can vary timing as well as commands. Short inputs pad with zeros.
    let mut seed = [0u8; 8];
    let n = data.len().min(8);
    seed[..n].copy_from_slice(&data[..n]);
    let seed = u64::from_le_bytes(seed);
    let mut choices = Bytes::new(&data[n..]);
    let mut gen = Generator {
        choices: &mut choices,
        async_writes: true,
    };
    let mut cluster = budgeted(seed);
    let mut script = String::new();
    if show() {
        eprintln!("# seed {seed}");
    }
    for _ in 0..MAX_COMMANDS {
        if gen.choices.exhausted() {
            break;
        }
        if gen.choices.chance(3) {
            let line = gen.raw_line();
            match Command::parse(&line) {
                Err(e) => assert!(e.line >= 1 && e.column >= 1, "{line:?}: no place: {e:?}"),
                Ok(c) => panic!("{line:?} should not parse, but reads as {c:?}"),
            }
            continue;
        }
        let cmd = gen.command(&cluster);
        let line = cmd.to_string();
        let parsed = match Command::parse(&line) {
            Ok(p) => p,
            // Out of bounds on purpose: a person would see the error and fix the line.
            Err(e) => {
                assert!(e.line >= 1 && e.column >= 1, "{line:?}: no place: {e:?}");
                continue;
            }
        };
        assert_eq!(parsed, cmd, "{line:?} parses back as another command");
        if show() {
            eprintln!("{line}");
        }
        parsed.push_to_script(&mut script);
        cluster.execute(parsed);
    }
    let replay = Script::parse(&script)
        .unwrap_or_else(|e| panic!("the script does not parse: {e}\n{script}"));
    let replayed = replay.run_on(budgeted(seed)).cluster.history_hash();
    assert_eq!(
        replayed,
        cluster.history_hash(),
        "replaying gives another history; seed {seed}, script:\n{script}"
    );
});
