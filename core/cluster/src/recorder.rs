//! The recorder: an interactive session is also a script.
//!
//! Every command that reaches the cluster (a button on the page, a line of a script, a call of
//! the Rust API) goes through [`Cluster::execute`](crate::cluster::Cluster::execute), which
//! records it here with the events it produced and its output. Since the simulation is a pure
//! function of the seed and the commands, [`Recorder::to_script`] is a script that reproduces
//! the session exactly: same events, same history hash ([`replay`](crate::script_run::replay)
//! runs one). Time travel uses the same list to replay the past. The recorder only keeps the
//! list: it runs nothing, so the cluster can hold one without depending on scripts.

use serde::{Deserialize, Serialize};

use raft::interaction::datadriven;

use crate::command::Command;

/// One command as it was executed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedCommand {
    pub command: Command,
    /// Index of the first event it produced.
    pub first_event: u64,
    /// One past the index of the last event it produced (`first_event` when it produced none).
    pub end_event: u64,
    /// What it printed.
    pub output: String,
}

/// The commands of a session, in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Recorder {
    commands: Vec<RecordedCommand>,
    /// Commands before this one are pinned (a time-travel checkpoint counts them): a `run`
    /// may extend only a later one.
    #[serde(default)]
    sealed: usize,
}

impl Recorder {
    pub fn new() -> Self {
        Recorder::default()
    }

    pub fn record(&mut self, command: Command, first_event: u64, end_event: u64, output: String) {
        self.commands.push(RecordedCommand {
            command,
            first_event,
            end_event,
            output,
        });
    }

    /// Whether a `run` that starts at event `first` may extend the last command instead of
    /// being recorded apart: the last one is a `run` that ran to its end (not cut short by
    /// `stop-after`, not failed) and nothing pinned it. Running `a` then `b` is running `a + b`
    /// (a run stops at its end instant having done everything due by then, which is where the
    /// next one starts), so the merged script replays the same events; a page that runs time
    /// frame by frame then records one command, not sixty a second.
    pub fn can_extend_run(&self, first: u64) -> bool {
        let n = self.commands.len();
        let Some(last) = self.commands.last() else {
            return false;
        };
        let cut_short = n >= 2 && matches!(self.commands[n - 2].command, Command::StopAfter(_));
        matches!(last.command, Command::Run(_))
            && n > self.sealed
            && !cut_short
            && last.end_event == first
            && (last.output == "ok"
                || last
                    .output
                    .lines()
                    .last()
                    .is_some_and(|l| l.starts_with("now ")))
    }

    /// Extends the last command, a `run` (see [`Recorder::can_extend_run`]), by `ms` that
    /// wrote `body` (say, the load's puts): its output becomes what one run would print, the
    /// lines of both and then the new `summary`.
    pub fn extend_run(&mut self, ms: u64, end_event: u64, body: &str, summary: String) {
        if let Some(last) = self.commands.last_mut() {
            if let Command::Run(total) = &mut last.command {
                *total = total.saturating_add(ms);
                last.end_event = end_event;
                // A run at `log-level none` prints `ok` and nothing else; otherwise the old
                // summary is the last line.
                if last.output != "ok" {
                    let kept = last.output.trim_end_matches('\n');
                    let kept = kept.rfind('\n').map_or("", |i| &kept[..=i]);
                    last.output = format!("{kept}{body}{summary}");
                }
            }
        }
    }

    /// Pins the commands recorded so far (a checkpoint was taken after them).
    pub fn seal(&mut self) {
        self.sealed = self.commands.len();
    }

    /// The first `n` commands.
    pub fn prefix(&self, n: usize) -> Recorder {
        let n = n.min(self.commands.len());
        Recorder {
            commands: self.commands[..n].to_vec(),
            sealed: n,
        }
    }

    pub fn commands(&self) -> &[RecordedCommand] {
        &self.commands
    }

    pub fn len(&self) -> usize {
        self.commands.len()
    }

    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// The session as a script. With `outputs`, each command carries what it printed, so the
    /// script is also a regression test of this session; without, outputs are left unchecked.
    pub fn to_script(&self, seed: u64, outputs: bool) -> String {
        let mut skeleton = format!("# Recorded session; replay with seed {seed}.\n");
        for r in &self.commands {
            skeleton.push_str(&r.command.to_string());
            skeleton.push_str("\n----\n\n");
        }
        if !outputs {
            return skeleton;
        }
        // datadriven's rewriter knows how to fence outputs that contain blank lines.
        let mut i = 0;
        datadriven::rewrite(&skeleton, |_| {
            let out = self
                .commands
                .get(i)
                .map(|r| r.output.clone())
                .unwrap_or_default();
            i += 1;
            out
        })
        .unwrap_or(skeleton)
    }
}

#[cfg(test)]
pub(crate) mod tests;
