//! The script language: etcd raft's interaction-test files, extended with time, faults,
//! clients and assertions, all acting on one [`Cluster`].
//!
//! A script is a datadriven file (parsed by the raft crate's reader, so parse errors name line
//! and column): a command line with arguments, optional input lines, `----`, and the expected
//! output up to a blank line. Output follows etcd's harness: Raft's log lines at the current
//! `log-level` interleaved with the command's own text, `ok` when there is nothing to print, an
//! error as its text. Every script is therefore also a regression test, and etcd's own
//! transcripts run on the virtual cluster. A command written without `----` gets one (its
//! output is then not checked), so a scenario can simply be one command per line; `#` starts
//! a comment line.
//!
//! The vocabulary ([`Command`]) is the cluster's only way in: the page's buttons issue the same
//! commands, and each command prints back as the script line that reproduces it
//! (`Command::to_string`), which is what the recorder writes.
//!
//! ```text
//! # three voters with the playground's timing (100 ms ticks, elections after 10)
//! cluster 3 prevote=true
//! run-until leader max=5s
//! put 1 x=5
//! run 500ms
//! expect value x=5
//! partition (1) (2 3)
//! crash 2
//! link 1->3 drop=0.3 delay=20..80ms
//! disk 3 lying
//! expect committed>=2 nodes=(1 3)
//! expect safe
//! ```
//!
//! | command | what it does |
//! |---|---|
//! | `cluster N [prevote= checkquorum= read-only=lease-based policy=raft-node\|serve-channels tick= election= heartbeat= latency= sync=]` | N voters, bootstrapped from a snapshot at index 1 |
//! | `add-nodes N [voters=(..) learners=(..) index= content= inflight= prevote= checkquorum= ...]` | etcd's harness command (its configuration: elections after 3 ticks) |
//! | `campaign`, `propose N data`, `propose-conf-change N [v1= transition=]` + input, `process-ready N..`, `deliver-msgs [N..] [drop=(..)] [type=]`, `stabilize [N..] [log-level=]`, `tick-election N`, `tick-heartbeat N`, `raft-log N`, `raft-state`, `status N`, `transfer-leadership from= to=`, `forget-leader N`, `report-unreachable N M`, `compact N [index]`, `send-snapshot N M`, `set-randomized-election-timeout N timeout=`, `log-level L` | etcd's interaction vocabulary, same output |
//! | `tick N [count]` | ticks one node by hand |
//! | `run 500ms`, `run-until <condition> [max=30s]`, `step [tick\|message\|ready]` | virtual time: fsyncs complete, messages arrive, nodes tick, Readys are handled by policy |
//! | `crash N`, `restart N`, `wipe N`, `pause N`, `resume N` | node faults (pause stops the node's clock) |
//! | `partition (1 2) (3)`, `cut 1->2`, `cut 1-2`, `heal [1-2]`, `link 1->2\|1-2\|* [drop= delay=20..80ms duplicate= reorder=] \| reset` | network faults |
//! | `disk N lying\|slow=50ms\|ok` | disk faults |
//! | `drop-msg ID`, `duplicate-msg ID`, `deliver-msg ID`, `hold-msg ID`, `release-msg ID` | one message in flight |
//! | `manual N`, `auto N`, `policy N raft-node\|serve-channels`, `ready N`, `persist N`, `send N`, `apply N`, `advance N` | Readys by hand |
//! | `put N k=v`, `get N k`, `delete N k` (`client=C`) | a client operation sent to node N |
//! | `add-node N`, `add-learner N`, `promote N`, `remove-node N`, `replace N with M [transition=auto\|explicit\|implicit]`, `leave-joint` | membership changes proposed to the leader; a new node starts empty and catches up by snapshot |
//! | `expect <condition>` | `leader`, `leader=N`, `leader=none`, `term=2`, `committed>=5` (also `applied`, `vote`, `lead`, `last-index`; `= != >= <= > <`), `state=StateLeader`, `safe`, `violation`, `value x=5 y` (y absent), `voters=(1 2 4)`, `outgoing=(1 2 3)`, `learners=(4)`, `joint`, `joint=false`, `nodes=(1 2)` |
//! | `kv N`, `history`, `checker`, `events [last=20]` | look |
//! | `stop-after events=N` | the next command stops after N events (what time travel writes when the past is changed) |

use raft::interaction::datadriven::{self, TestData};
use serde::{Deserialize, Serialize};

use crate::cluster::{Cluster, CommandOutput};
use crate::command::Command;
use crate::limits;
use crate::timetravel::Timeline;

mod args;
mod condition;
mod parse;

pub use args::{ArgError, ScriptError};
use parse::parse_command;
pub use parse::DEFAULT_RUN_UNTIL_MAX;

// ---- what a run produces ----------------------------------------------------------------------

/// One directive's run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectiveResult {
    /// 1-based line of the directive.
    pub line: usize,
    /// The command as written back (canonical form).
    pub command: String,
    /// The output the script expected (empty: not checked).
    pub expected: String,
    /// The output it produced.
    pub actual: String,
    /// Set when an `expect` (or `run-until`) failed.
    pub failure: Option<String>,
}

impl DirectiveResult {
    /// Whether the script wrote an expected output and it differs.
    pub fn mismatch(&self) -> bool {
        !self.expected.is_empty() && self.expected != self.actual
    }
}

/// What running a script produced.
#[derive(Clone, Debug)]
pub struct Transcript {
    /// The script with every expected output replaced by the actual one (datadriven's rewrite).
    pub rewritten: String,
    pub results: Vec<DirectiveResult>,
    /// The hash of the cluster's whole history of events.
    pub history_hash: u64,
    /// The cluster as the script left it.
    pub cluster: Cluster,
}

impl Transcript {
    /// Directives whose `expect` failed.
    pub fn failures(&self) -> Vec<&DirectiveResult> {
        self.results
            .iter()
            .filter(|r| r.failure.is_some())
            .collect()
    }

    /// Directives whose output differs from what the script expected.
    pub fn mismatches(&self) -> Vec<&DirectiveResult> {
        self.results.iter().filter(|r| r.mismatch()).collect()
    }

    /// No expectation failed and every written output matched.
    pub fn passed(&self) -> bool {
        self.results
            .iter()
            .all(|r| r.failure.is_none() && !r.mismatch())
    }

    /// A report for people: each failure and mismatch with its line.
    pub fn report(&self) -> String {
        let mut s = String::new();
        for r in &self.results {
            if let Some(f) = &r.failure {
                s.push_str(&format!("line {}: {}: {}\n", r.line, r.command, f));
            } else if r.mismatch() {
                s.push_str(&format!(
                    "line {}: {}: output differs\n--- expected\n{}--- actual\n{}",
                    r.line, r.command, r.expected, r.actual
                ));
            }
        }
        s
    }
}

/// A parsed script, ready to run on any cluster ([`Script::run_on`], in `script_run.rs`).
#[derive(Clone, Debug)]
pub struct Script {
    /// The script with a `----` after every command that had none.
    text: String,
    /// For each line of `text` (0-based), the line of the original script (1-based).
    lines: Vec<usize>,
    directives: Vec<(TestData, Command)>,
}

/// Commands that read input lines between the command and `----`.
fn takes_input(cmd: &str) -> bool {
    cmd == "propose-conf-change"
}

/// Lets commands stand alone, one per line, as people write them: every command not followed
/// by `----` gets one (and an empty expected output, which is not checked). A file in strict
/// datadriven form, such as etcd's transcripts, comes out unchanged. Returns the text and, for
/// each of its lines, the line of the original it comes from.
fn normalize(text: &str) -> (String, Vec<usize>) {
    let lines: Vec<&str> = {
        let mut v: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        if v.last() == Some(&"") {
            v.pop();
        }
        v
    };
    let mut out = String::with_capacity(text.len() + 64);
    let mut map = Vec::with_capacity(lines.len());
    let mut emit = |l: &str, orig: usize| {
        out.push_str(l);
        out.push('\n');
        map.push(orig + 1);
    };
    let n = lines.len();
    let mut i = 0;
    while i < n {
        let t = lines[i].trim();
        if t.is_empty() || t.starts_with('#') || lines[i] == "----" {
            emit(lines[i], i);
            i += 1;
            continue;
        }
        let start = i;
        emit(lines[i], i);
        while lines[i].trim_end().ends_with('\\') && i + 1 < n {
            i += 1;
            emit(lines[i], i);
        }
        i += 1;
        if takes_input(t.split(' ').next().unwrap_or("")) {
            while i < n && lines[i] != "----" && !lines[i].trim().is_empty() {
                emit(lines[i], i);
                i += 1;
            }
        }
        if i < n && lines[i] == "----" {
            // The expected output, copied as it is.
            emit(lines[i], i);
            i += 1;
            if i < n && lines[i] == "----" {
                emit(lines[i], i);
                i += 1;
                while i < n {
                    let closing = lines[i] == "----" && i + 1 < n && lines[i + 1] == "----";
                    emit(lines[i], i);
                    i += 1;
                    if closing {
                        emit(lines[i], i);
                        i += 1;
                        break;
                    }
                }
            } else {
                while i < n && !lines[i].trim().is_empty() {
                    emit(lines[i], i);
                    i += 1;
                }
            }
        } else {
            emit("----", start);
            emit("", start);
        }
    }
    (out, map)
}

impl Script {
    /// Parses a whole script; nothing runs if any line is malformed.
    pub fn parse(text: &str) -> Result<Script, ScriptError> {
        if text.len() > limits::MAX_SCRIPT_BYTES {
            return Err(ScriptError {
                line: 1,
                column: 1,
                message: format!(
                    "a script of {} bytes is over the limit of {}",
                    text.len(),
                    limits::MAX_SCRIPT_BYTES
                ),
            });
        }
        let (norm, lines) = normalize(text);
        let orig = |l: usize| lines.get(l.saturating_sub(1)).copied().unwrap_or(l);
        let ds = datadriven::parse(&norm).map_err(|e| ScriptError {
            line: orig(e.line),
            ..e
        })?;
        if ds.len() > limits::MAX_SCRIPT_COMMANDS {
            return Err(ScriptError {
                line: orig(ds[limits::MAX_SCRIPT_COMMANDS].line),
                column: 1,
                message: format!(
                    "a script of {} commands is over the limit of {}",
                    ds.len(),
                    limits::MAX_SCRIPT_COMMANDS
                ),
            });
        }
        let mut directives = Vec::with_capacity(ds.len());
        for mut d in ds {
            let cmd = parse_command(&d).map_err(|e| {
                let mut e = e.locate(&norm, &d);
                e.line = orig(e.line);
                e
            })?;
            d.line = orig(d.line);
            directives.push((d, cmd));
        }
        Ok(Script {
            text: norm,
            lines,
            directives,
        })
    }

    /// A script of commands already parsed (a lesson's plan), each with the line it was
    /// written on. It has no text, so its transcript lists no results: the caller reads what
    /// the commands did from the run ([`crate::script_run::ScriptRun::failure`]).
    pub fn of_commands(commands: impl IntoIterator<Item = (usize, Command)>) -> Script {
        let directives = commands
            .into_iter()
            .map(|(line, cmd)| {
                let d = TestData {
                    line,
                    cmd: String::new(),
                    cmd_args: Vec::new(),
                    input: String::new(),
                    expected: String::new(),
                };
                (d, cmd)
            })
            .collect();
        Script {
            text: String::new(),
            lines: Vec::new(),
            directives,
        }
    }

    pub fn commands(&self) -> impl Iterator<Item = &Command> {
        self.directives.iter().map(|(_, c)| c)
    }

    /// How many commands the script has.
    pub fn len(&self) -> usize {
        self.directives.len()
    }

    pub fn is_empty(&self) -> bool {
        self.directives.is_empty()
    }

    /// Command `i` (from 0).
    pub fn command(&self, i: usize) -> Option<&Command> {
        self.directives.get(i).map(|(_, c)| c)
    }

    /// The line of command `i` in the script as written (from 1).
    pub fn line_of(&self, i: usize) -> Option<usize> {
        self.directives.get(i).map(|(d, _)| d.line)
    }

    /// The script in datadriven's form (every command followed by `----`).
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The line of the original script that line `line` of [`Script::text`] comes from.
    pub(crate) fn original_line(&self, line: usize) -> usize {
        self.lines
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(line)
    }
}

// ---- one typed line ---------------------------------------------------------------------------

// Text becomes a `Command` here, and only here: the cluster and the timeline take commands,
// and a line someone typed reaches them through these two.

impl Cluster {
    /// Parses one script line and executes it.
    pub fn execute_line(&mut self, line: &str) -> Result<CommandOutput, ScriptError> {
        Ok(self.execute(Command::parse(line)?))
    }
}

impl Timeline {
    /// Parses one script line and executes it (see [`Timeline::execute`]).
    pub fn execute_line(&mut self, line: &str) -> Result<CommandOutput, ScriptError> {
        Ok(self.execute(Command::parse(line)?))
    }
}

#[cfg(test)]
mod tests;
