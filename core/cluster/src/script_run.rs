//! Running a script a slice at a time.
//!
//! A page must never freeze: a script that asks for `run 3600s` is a million events or more.
//! [`ScriptRun`] walks a parsed [`Script`] command by command and runs each (through
//! [`Cluster::begin`] and [`Cluster::resume`]) for a given number of events per call, so the
//! page can show progress between calls and offer a stop button. Headless runs
//! ([`Script::run_on`]) are the same walk without a limit, so both give the same transcript.

use crate::clock::Millis;
use crate::cluster::{Cluster, CommandOutput, Outcome};
use crate::command::Command;
use crate::script::{DirectiveResult, Script, ScriptError, Transcript};
use crate::timetravel::Timeline;
use raft::interaction::datadriven;

/// What a script runs on: a bare cluster, or a timeline (which checkpoints as it goes).
pub trait Runner {
    fn begin(&mut self, cmd: Command);
    fn resume(&mut self, max_events: Option<u64>) -> Option<CommandOutput>;
    /// Ends the command under way where it is (see [`Cluster::stop`]).
    fn stop(&mut self) -> Option<CommandOutput>;
    /// The cluster as it is now.
    fn cluster(&self) -> &Cluster;
    /// The cluster a finished run's transcript keeps.
    fn take_cluster(&mut self) -> Cluster;
}

impl Runner for Cluster {
    fn begin(&mut self, cmd: Command) {
        Cluster::begin(self, cmd)
    }
    fn resume(&mut self, max_events: Option<u64>) -> Option<CommandOutput> {
        Cluster::resume(self, max_events)
    }
    fn stop(&mut self) -> Option<CommandOutput> {
        Cluster::stop(self)
    }
    fn cluster(&self) -> &Cluster {
        self
    }
    fn take_cluster(&mut self) -> Cluster {
        let seed = self.seed();
        std::mem::replace(self, Cluster::new(seed))
    }
}

impl Runner for Timeline {
    fn begin(&mut self, cmd: Command) {
        Timeline::begin(self, cmd)
    }
    fn resume(&mut self, max_events: Option<u64>) -> Option<CommandOutput> {
        Timeline::resume(self, max_events)
    }
    fn stop(&mut self) -> Option<CommandOutput> {
        self.stop_command()
    }
    fn cluster(&self) -> &Cluster {
        self.head()
    }
    /// The timeline goes on showing the run; the transcript keeps a copy without the events.
    fn take_cluster(&mut self) -> Cluster {
        self.head().checkpoint()
    }
}

/// Where a script run stands, for a progress bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptProgress {
    /// Commands done, and in all.
    pub done: usize,
    pub commands: usize,
    /// The line of the command under way (1-based), if any.
    pub line: Option<usize>,
    /// Virtual time now, and for a command under way that runs time, when it began and the
    /// latest it may run to.
    pub now: Millis,
    pub span: Option<(Millis, Millis)>,
}

/// A script being run, a slice at a time.
pub struct ScriptRun<R: Runner> {
    script: Script,
    runner: R,
    outputs: Vec<CommandOutput>,
    /// The command `outputs.len()` has begun.
    begun: bool,
    stopped: bool,
}

impl<R: Runner> ScriptRun<R> {
    pub fn new(script: Script, runner: R) -> Self {
        ScriptRun {
            script,
            runner,
            outputs: Vec::new(),
            begun: false,
            stopped: false,
        }
    }

    /// What the script runs on (to draw it between slices).
    pub fn runner(&self) -> &R {
        &self.runner
    }

    /// Runs for about `max_events` more events (commands that make none run regardless, since
    /// they take no time): true once the script is done.
    pub fn step(&mut self, max_events: u64) -> bool {
        let start = self.runner.cluster().event_log().len();
        while !self.is_done() {
            let Some(cmd) = self.script.command(self.outputs.len()) else {
                break;
            };
            if !self.begun {
                self.runner.begin(cmd.clone());
                self.begun = true;
            }
            let used = self.runner.cluster().event_log().len() - start;
            let left = max_events.saturating_sub(used).max(1);
            match self.runner.resume(Some(left)) {
                Some(out) => {
                    self.outputs.push(out);
                    self.begun = false;
                }
                None => return false,
            }
            if self.runner.cluster().event_log().len() - start >= max_events {
                break;
            }
        }
        self.is_done()
    }

    /// Runs to the end.
    pub fn run_to_end(mut self) -> (Transcript, R) {
        while !self.step(u64::MAX) {}
        self.finish()
    }

    /// Whether [`ScriptRun::stop`] ended the run before its end.
    pub fn was_stopped(&self) -> bool {
        self.stopped
    }

    pub fn is_done(&self) -> bool {
        self.stopped || self.outputs.len() >= self.script.len()
    }

    /// Stops the run: the command under way ends where it is, the rest do not run.
    pub fn stop(&mut self) {
        if self.begun {
            if let Some(out) = self.runner.stop() {
                self.outputs.push(out);
            }
            self.begun = false;
        }
        self.stopped = true;
    }

    /// The first command that failed so far (refused, or an `expect` that did not hold): its
    /// line and why.
    pub fn failure(&self) -> Option<(usize, String)> {
        self.outputs
            .iter()
            .enumerate()
            .find_map(|(i, out)| match &out.outcome {
                Outcome::Error(why) | Outcome::ExpectationFailed(why) => Some((
                    self.script.line_of(i).unwrap_or(0),
                    why.trim_end().to_string(),
                )),
                Outcome::Ok => None,
            })
    }

    pub fn progress(&self) -> ScriptProgress {
        let c = self.runner.cluster();
        let under_way = self.begun.then_some(self.outputs.len());
        ScriptProgress {
            done: self.outputs.len(),
            commands: self.script.len(),
            line: under_way.and_then(|i| self.script.line_of(i)),
            now: c.now(),
            span: c.pending_run_span(),
        }
    }

    /// The transcript of what ran, and the runner. Commands a stop left out say so.
    pub fn finish(mut self) -> (Transcript, R) {
        let mut results = Vec::with_capacity(self.outputs.len());
        let mut next = 0;
        let outputs = &self.outputs;
        let script = &self.script;
        let rewritten = datadriven::rewrite(script.text(), |d| {
            let Some(out) = outputs.get(next) else {
                next += 1;
                return "(not run: the run was stopped)".to_string();
            };
            let cmd = script.command(next);
            next += 1;
            let failure = match &out.outcome {
                Outcome::ExpectationFailed(why) => Some(why.clone()),
                _ => None,
            };
            let mut actual = out.text.clone();
            if !actual.ends_with('\n') {
                actual.push('\n');
            }
            results.push(DirectiveResult {
                line: script.original_line(d.line),
                command: cmd.map(|c| c.to_string()).unwrap_or_default(),
                expected: d.expected.clone(),
                actual,
                failure,
            });
            out.text.clone()
        })
        // The text parsed once already, so it parses again.
        .unwrap_or_default();
        let history_hash = self.runner.cluster().history_hash();
        let cluster = self.runner.take_cluster();
        let transcript = Transcript {
            rewritten,
            results,
            history_hash,
            cluster,
        };
        (transcript, self.runner)
    }
}

// A whole script at once is a run without slices. These live beside `ScriptRun` rather than
// with the parser, so that reading a script needs nothing of how one runs.
impl Script {
    /// Runs the script on a fresh cluster with this seed.
    pub fn run(text: &str, seed: u64) -> Result<Transcript, ScriptError> {
        let script = Script::parse(text)?;
        Ok(script.run_on(Cluster::new(seed)))
    }

    /// The script with its expected outputs filled in from a run (datadriven's rewrite mode).
    pub fn rewrite(text: &str, seed: u64) -> Result<String, ScriptError> {
        Ok(Script::run(text, seed)?.rewritten)
    }

    /// Runs the script on `cluster` (see [`ScriptRun`] for slices).
    pub fn run_on(&self, cluster: Cluster) -> Transcript {
        ScriptRun::new(self.clone(), cluster).run_to_end().0
    }
}

/// Runs a recorded script on a fresh cluster with `seed` and returns the cluster.
pub fn replay(script: &str, seed: u64) -> Result<Cluster, ScriptError> {
    Ok(Script::run(script, seed)?.cluster)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = "cluster 3\nrun-until leader max=10s\nload every=200ms\nrun 30s\nexpect safe\ncrash 1\nstep message\nrun-until leader max=20s\nkv 2\n";

    #[test]
    fn a_script_run_in_slices_gives_the_transcript_of_a_run_at_once() {
        let script = Script::parse(SCRIPT).unwrap();
        let whole = script.run_on(Cluster::new(4));
        assert!(whole.passed(), "{}", whole.report());
        for slice in [1, 7, 500] {
            let mut run = ScriptRun::new(script.clone(), Timeline::new(Cluster::new(4)));
            let mut calls = 0;
            while !run.step(slice) {
                calls += 1;
                let p = run.progress();
                assert!(p.done < p.commands);
            }
            assert!(calls > 0);
            let (t, timeline) = run.finish();
            assert_eq!(t.rewritten, whole.rewritten, "slices of {slice}");
            assert_eq!(t.history_hash, whole.history_hash);
            assert_eq!(timeline.head().history_hash(), whole.history_hash);
        }
    }

    #[test]
    fn a_stopped_run_keeps_what_ran_and_its_session_replays() {
        let script = Script::parse(SCRIPT).unwrap();
        let mut run = ScriptRun::new(script, Timeline::new(Cluster::new(4)));
        // Into the 30 s run, then stop.
        while run.progress().span.is_none() || run.progress().done < 3 {
            run.step(50);
        }
        for _ in 0..20 {
            run.step(50);
        }
        let p = run.progress();
        assert_eq!(p.done, 3);
        assert_eq!(p.line, Some(4));
        let (began, until) = p.span.unwrap();
        assert!(began < p.now && p.now < until);
        run.stop();
        assert!(run.is_done());
        let (t, timeline) = run.finish();
        assert_eq!(t.results.len(), 4, "the stopped command has its output");
        assert!(t.rewritten.contains("(not run: the run was stopped)"));
        let session = timeline.head().recorder().to_script(4, false);
        assert!(session.contains("stop-after events="), "{session}");
        let replayed = Script::run(&session, 4).unwrap();
        assert_eq!(replayed.history_hash, timeline.head().history_hash());
        assert_eq!(replayed.cluster.now(), timeline.head().now());
    }
}
