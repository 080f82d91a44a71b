//! What a live session adds to a run of the cluster: the page (and a lesson) starts one from a
//! [`Setup`] and drives it with [`Command`]s, and everything that is not the page's drawing
//! lives here, so a headless caller gets the same session as the page.
//!
//! - The *lead-in*: a fresh cluster runs until shortly before its first election timeout, so
//!   the first thing a visitor sees is an election rather than ten seconds of ticking.
//! - The background client load (`load every=`), so logs grow and replication can be watched;
//!   the setup remembers it, so a reset keeps it.
//! - History sized for a page that runs for hours: an event window, checkpoints for time travel.
//! - Scripts and typed lines run in slices on the session's timeline (see [`ScriptRun`]).
//! - The session as a script: what was done, with the page's per-frame `run`s merged.

use crate::cluster::{Cluster, CommandOutput, Outcome};
use crate::command::{Command, LinkChange, LinkTarget, StepKind};
use crate::event::Event;
use crate::script::{Script, Transcript};
use crate::script_run::{ScriptProgress, ScriptRun};
use crate::timetravel::Timeline;
use crate::units::format_latency;

mod lesson;
mod lesson_state;
mod setup;

pub use lesson_state::{LessonAct, LessonState};

pub use setup::{
    Setup, DEFAULT_LATENCY, DEFAULT_LOAD_EVERY_MS, DEFAULT_SNAPSHOT_COUNT, LEAD_IN_TICKS, MAX_NODES,
};

/// Events between time-travel checkpoints. A seek replays at most this many events (a few
/// milliseconds) until checkpoints thin out; fewer would cost memory on long runs, since every
/// checkpoint is a whole copy of the cluster.
pub const CHECKPOINT_EVERY: u64 = 1000;

/// Checkpoints a session's timeline keeps at most (past that they thin out and their spacing
/// doubles, see `Timeline`). A checkpoint of the default compacted cluster is about a hundred
/// kilobytes, so this is some 100 MB at most; in exchange a seek anywhere in a ten-minute run at
/// the page's full speed (some thirty million events) replays at most a few tens of thousands of
/// events, which a replay that skips the words (see `Cluster::set_quiet_until`) does in tens of
/// milliseconds.
pub const MAX_CHECKPOINTS: usize = 1024;

/// The events a session's cluster keeps with their text (the event log's reach): a page may
/// run for hours, and time travel makes older events again when it goes there.
pub const EVENT_WINDOW: usize = 20_000;

/// The refusal of anything but Stop while a script runs.
pub const BUSY: &str = "a script is running: wait for it to finish or press Stop";

/// Where a script running in slices stands.
#[derive(Clone, Debug)]
pub enum ScriptStep {
    Running(ScriptProgress),
    Done(ScriptDone),
}

/// What a script (or a typed line, or a lesson's plan) did.
#[derive(Clone, Debug)]
pub enum ScriptDone {
    Script(Box<Transcript>),
    /// A typed line: what it printed, or why it failed.
    Line(Result<String, String>),
    /// A lesson's plan: done, or why the lesson could not go on.
    Lesson(Result<(), String>),
}

/// What is running in slices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RunKind {
    /// A script starting afresh.
    Script,
    /// A typed line continuing the session.
    Line,
    /// A lesson's plan (see `session/lesson.rs`), afresh or continuing.
    Plan { fresh: bool },
}

/// A script (or a typed line) running in slices on the timeline, which it holds meanwhile.
struct Running {
    run: ScriptRun<Timeline>,
    kind: RunKind,
    /// The seed a script starts with.
    seed: u64,
}

/// A live session: the setup it started from and its timeline.
pub struct Session {
    setup: Setup,
    /// The session, except while a script runs (then it is in `running`; see
    /// [`Session::history`]).
    timeline: Timeline,
    running: Option<Running>,
    /// The lesson open, if any (see `session/lesson.rs`).
    lesson: Option<LessonState>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("setup", &self.setup)
            .field("timeline", &self.timeline)
            .finish()
    }
}

/// A command's text, or its refusal as a sentence.
fn outcome(out: CommandOutput) -> Result<String, String> {
    match out.outcome {
        Outcome::Ok => Ok(out.text),
        Outcome::Error(e) | Outcome::ExpectationFailed(e) => Err(e),
    }
}

/// An empty timeline sized for a session (see [`EVENT_WINDOW`], [`MAX_CHECKPOINTS`]).
fn session_timeline(seed: u64) -> Timeline {
    let mut c = Cluster::new(seed);
    c.set_event_window(EVENT_WINDOW);
    // The page draws the run as a sequence diagram and shows each node's Ready history.
    c.set_trace(true);
    Timeline::with_checkpoint_every(c, CHECKPOINT_EVERY).with_max_checkpoints(MAX_CHECKPOINTS)
}

/// A run of `setup`: its cluster, the lead-in, then its load.
fn build(setup: &Setup) -> Timeline {
    let mut t = session_timeline(setup.seed);
    t.execute(Command::LogLevel("info".into()));
    match setup.cluster_setup() {
        Ok(cluster) => {
            t.execute(Command::Cluster(cluster));
        }
        Err(_) => {
            // `Session::restart_with` and `Setup::from_query` refuse what gets here; fall back
            // to the default configuration rather than no cluster.
            let nodes = setup.nodes.clamp(1, MAX_NODES);
            let fallback = Setup {
                nodes,
                ..Setup::default()
            };
            if let Ok(cluster) = fallback.cluster_setup() {
                t.execute(Command::Cluster(cluster));
            }
        }
    }
    if setup.lead_in {
        let v = t.view();
        let remaining = v
            .nodes
            .iter()
            .map(|n| {
                n.randomized_election_timeout
                    .saturating_sub(n.election_elapsed)
            })
            .min()
            .unwrap_or(0);
        let ms = remaining.saturating_sub(LEAD_IN_TICKS) * v.tick_ms;
        if ms > 0 {
            t.execute(Command::Run(ms));
        }
    }
    if setup.load_every_ms > 0 {
        t.execute(Command::Load(Some(setup.load_every_ms)));
    }
    t
}

impl Session {
    pub fn new(setup: Setup) -> Session {
        let timeline = build(&setup);
        Session {
            setup,
            timeline,
            running: None,
            lesson: None,
        }
    }

    /// What a reset rebuilds.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The timeline shown: the session's, or the one a running script is making.
    pub fn history(&self) -> &Timeline {
        match &self.running {
            Some(r) => r.run.runner(),
            None => &self.timeline,
        }
    }

    /// Whether a script (or typed line) is running in slices.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// The session's kept events, oldest first. While a script runs they are the session's
    /// before it (the script's show when it ends).
    pub fn events(&self) -> &[Event] {
        self.timeline.cluster().events()
    }

    /// Whether the checker saw a safety violation at the event with this index.
    pub fn is_violation(&self, event: u64) -> bool {
        self.timeline
            .cluster()
            .checker()
            .violations()
            .iter()
            .any(|v| v.event == event)
    }

    fn busy(&self) -> Result<(), String> {
        match self.running {
            Some(_) => Err(BUSY.into()),
            None => Ok(()),
        }
    }

    /// Carries out one command; a refusal is a sentence for the person.
    pub fn apply(&mut self, cmd: &Command) -> Result<String, String> {
        self.busy()?;
        match cmd {
            Command::Load(every) => {
                // The setup remembers the load, so a reset keeps it.
                self.setup.load_every_ms = every.unwrap_or(0);
            }
            // Every link's latency changed live: the setup remembers it as well, so a reset
            // and a share link keep it.
            Command::Link {
                target: LinkTarget::All,
                change:
                    LinkChange {
                        delay: Some(latency),
                        reset: false,
                        ..
                    },
            } => self.setup.latency = format_latency(latency),
            Command::Step(StepKind::Ready)
                if !self
                    .timeline
                    .cluster()
                    .nodes()
                    .values()
                    .any(|n| n.raw().is_some() && !n.manual) =>
            {
                return Err("no running node handles its Readys automatically: step them by hand in the Ready inspector".into());
            }
            _ => {}
        }
        self.lesson_act_on(cmd)?;
        let out = outcome(self.timeline.execute(cmd.clone()));
        self.lesson_follow();
        out
    }

    /// Starts a new run from the setup with this seed.
    pub fn reset(&mut self, seed: u64) -> Result<(), String> {
        self.busy()?;
        self.setup.seed = seed;
        self.timeline = build(&self.setup);
        self.lesson = None;
        Ok(())
    }

    /// Starts a new run with this setup (the settings panel): its `cluster` line carries the
    /// configuration, so the session's script replays it. A setup out of bounds is refused
    /// with the reason, and the run goes on as it was.
    pub fn restart_with(&mut self, setup: Setup) -> Result<(), String> {
        self.busy()?;
        setup.cluster_setup()?;
        self.setup = setup;
        self.timeline = build(&self.setup);
        self.lesson = None;
        Ok(())
    }

    /// Starts a new run with this many nodes.
    pub fn resize(&mut self, nodes: u64) -> Result<(), String> {
        self.busy()?;
        if !(1..=MAX_NODES).contains(&nodes) {
            return Err(format!("the playground draws 1 to {MAX_NODES} nodes"));
        }
        self.setup.nodes = nodes;
        self.timeline = build(&self.setup);
        self.lesson = None;
        Ok(())
    }

    /// Shows the history after `events` events (acting there forks).
    pub fn seek(&mut self, events: u64) -> Result<(), String> {
        self.busy()?;
        self.timeline.seek(events).map_err(|e| e.to_string())
    }

    /// Starts one typed line continuing the session; [`Session::continue_script`] runs it.
    pub fn start_line(&mut self, line: &str) -> Result<(), String> {
        self.busy()?;
        let script = Script::parse(line).map_err(|e| e.to_string())?;
        if script.len() != 1 {
            return Err("type one command at a time".into());
        }
        if let Some(cmd) = script.command(0) {
            self.lesson_act_on(cmd)?;
        }
        self.run_on_session(script, RunKind::Line);
        Ok(())
    }

    /// Runs `script` in slices on the session's own timeline, continuing it.
    fn run_on_session(&mut self, script: Script, kind: RunKind) {
        let seed = self.setup.seed;
        let timeline = std::mem::replace(&mut self.timeline, Timeline::new(Cluster::new(seed)));
        self.running = Some(Running {
            run: ScriptRun::new(script, timeline),
            kind,
            seed,
        });
    }

    /// Runs `script` in slices on a fresh session timeline with `seed`, which replaces the
    /// session's when it ends.
    fn run_afresh(&mut self, script: Script, seed: u64, kind: RunKind) -> ScriptProgress {
        // The session's thousand checkpoints are freed a few per slice as the script runs,
        // not all at once when it ends.
        let mut fresh = session_timeline(seed);
        fresh.retire(std::mem::replace(
            &mut self.timeline,
            Timeline::new(Cluster::new(seed)),
        ));
        let run = ScriptRun::new(script, fresh);
        let progress = run.progress();
        self.running = Some(Running { run, kind, seed });
        progress
    }

    /// Starts a script that replaces the session, from a fresh cluster with `seed`.
    pub fn start_script(&mut self, text: &str, seed: u64) -> Result<ScriptProgress, String> {
        self.busy()?;
        let script = Script::parse(text).map_err(|e| e.to_string())?;
        self.lesson = None;
        Ok(self.run_afresh(script, seed, RunKind::Script))
    }

    /// Runs the script under way for up to `max_events` events; `None` if none runs.
    pub fn continue_script(&mut self, max_events: u64) -> Option<ScriptStep> {
        let running = self.running.as_mut()?;
        if running.run.step(max_events) {
            Some(self.finish_script())
        } else {
            Some(ScriptStep::Running(running.run.progress()))
        }
    }

    /// Stops the script under way where it stands.
    pub fn stop_script(&mut self) -> Option<ScriptStep> {
        self.running.as_mut()?.run.stop();
        Some(self.finish_script())
    }

    /// Takes back the timeline a finished (or stopped) script made and says what it did.
    fn finish_script(&mut self) -> ScriptStep {
        let Some(running) = self.running.take() else {
            return ScriptStep::Done(ScriptDone::Line(Err("no script is running".into())));
        };
        let failure = running.run.failure();
        let stopped = running.run.was_stopped();
        let (transcript, timeline) = running.run.finish();
        self.timeline = timeline;
        self.after_fresh_run(running.kind, running.seed);
        if let RunKind::Plan { .. } = running.kind {
            return ScriptStep::Done(ScriptDone::Lesson(self.lesson_settle(failure, stopped)));
        }
        if running.kind == RunKind::Line {
            self.lesson_follow();
            let out = transcript.results.first().map_or_else(
                || Err("the command was stopped".to_string()),
                |r| match &r.failure {
                    Some(why) => Err(why.clone()),
                    None => Ok(r.actual.clone()),
                },
            );
            return ScriptStep::Done(ScriptDone::Line(out));
        }
        ScriptStep::Done(ScriptDone::Script(Box::new(transcript)))
    }

    /// After a run that replaced the session (a script, a lesson's fresh plan), the setup
    /// says what a reset rebuilds.
    fn after_fresh_run(&mut self, kind: RunKind, seed: u64) {
        if matches!(kind, RunKind::Script | RunKind::Plan { fresh: true }) {
            self.setup.seed = seed;
            // A scenario tells its own story: no background load unless it asks for puts.
            self.setup.load_every_ms = 0;
            self.setup.nodes = self.timeline.cluster().nodes().len() as u64;
            // The script's own `cluster` line says how its nodes are configured.
            let first_cluster = self
                .timeline
                .head()
                .recorder()
                .commands()
                .iter()
                .find_map(|rc| match &rc.command {
                    Command::Cluster(c) => Some(c.clone()),
                    _ => None,
                });
            if let Some(c) = first_cluster {
                let mut adopted = self.setup.clone();
                adopted.adopt(&c);
                // Only if the page could start it again: a script's `cluster` line may hold what
                // etcd refuses at start (elections no longer than heartbeats), and made no nodes.
                if adopted.cluster_setup().is_ok() {
                    self.setup = adopted;
                }
            }
        }
    }

    /// The session as a script, with consecutive `run`s merged: the page runs time in one
    /// command per frame, and a script a person reads should say `run 2s`, not 120 lines.
    /// Merging is exact: a run stops at its end instant having done everything due by then,
    /// which is where the next run starts; a merged run is split at the language's bound
    /// ([`crate::limits::MAX_RUN`]). A run right after `stop-after` keeps its own line.
    pub fn script(&self) -> String {
        let head = self.history().head();
        merged_script(
            head.seed(),
            head.recorder().commands().iter().map(|rc| &rc.command),
        )
    }
}

/// The script of `commands` with consecutive `run`s merged (see [`Session::script`]).
fn merged_script<'a>(seed: u64, commands: impl Iterator<Item = &'a Command>) -> String {
    let mut out = format!("# Recorded session; replay with seed {seed}.\n");
    let mut pending_run: Option<u64> = None;
    let mut after_stop = false;
    let flush = |out: &mut String, run: &mut Option<u64>| {
        if let Some(ms) = run.take() {
            out.push_str(&Command::Run(ms).to_string());
            out.push('\n');
        }
    };
    for command in commands {
        match command {
            Command::Run(ms) if !after_stop => {
                // A merged run stays within the language's bound, so the script reads back.
                if pending_run.is_some_and(|p| p + ms > crate::limits::MAX_RUN) {
                    flush(&mut out, &mut pending_run);
                }
                pending_run = Some(pending_run.unwrap_or(0) + ms);
            }
            cmd => {
                flush(&mut out, &mut pending_run);
                cmd.push_to_script(&mut out);
                after_stop = matches!(cmd, Command::StopAfter(_));
                continue;
            }
        }
        after_stop = false;
    }
    flush(&mut out, &mut pending_run);
    out
}

#[cfg(test)]
mod tests;
