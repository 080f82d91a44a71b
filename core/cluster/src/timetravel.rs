//! Time travel: look at the cluster as it was after any event, and change the past.
//!
//! The run is a pure function of its seed and its commands, so the past need not be stored,
//! only recomputed. A [`Timeline`] keeps the present cluster (the *head*), which holds every
//! event and every command, plus a checkpoint (a copy of the whole simulation, minus its
//! history) every `K` events. Seeking to event `n` starts from the last checkpoint at or before
//! `n` and replays the recorded commands; the command that produced event `n` is replayed with
//! `stop-after`, so the replay halts exactly after event `n`. Every time-driven micro-step is
//! one event, which is what makes "exactly after event `n`" a real state and not an
//! approximation.
//!
//! Acting while looking at the past forks the timeline: the past becomes the head (its
//! recorded script ends with the `stop-after` and the cut-short command, so it replays too),
//! and the abandoned future is kept as a [`Branch`] the page can list.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cluster::{Cluster, CommandOutput};
use crate::command::Command;
use crate::trace::BranchTrace;
use crate::view::ClusterView;

pub mod space_time;

/// Events between checkpoints unless told otherwise.
pub const DEFAULT_CHECKPOINT_EVERY: u64 = 200;

/// How many checkpoints a timeline keeps unless told otherwise. Past that, every other one is
/// dropped (never the first) and the spacing doubles: a checkpoint is a copy of the whole
/// simulation, so keeping one every `K` events forever would make a long run's memory grow
/// with its length times its size. A seek then replays at most about the current spacing.
pub const DEFAULT_MAX_CHECKPOINTS: usize = 48;

/// Retired checkpoints freed per slice of a command (see [`Timeline::free_retired`]).
const RETIRED_FREED_PER_SLICE: usize = 4;

/// Events a seek replays at least before its target when it can, so that the past it shows
/// comes with recent events to list even when the head's event log no longer keeps them.
const SEEK_CONTEXT: u64 = 100;

/// Why a seek failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeTravelError {
    /// There is no such event yet.
    Future { wanted: u64, events: u64 },
    /// The replay did not land where the recorded history says it should: the simulation is
    /// not deterministic (a bug).
    Diverged { wanted: u64, got: u64 },
    /// A command is under way (see [`Timeline::resume`]).
    Busy,
}

impl fmt::Display for TimeTravelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeTravelError::Future { wanted, events } => {
                write!(
                    f,
                    "cannot go to event {wanted}: the history has {events} events"
                )
            }
            TimeTravelError::Busy => {
                f.write_str("a command is still running: wait for it or stop it first")
            }
            TimeTravelError::Diverged { wanted, got } => {
                write!(f, "replay diverged: wanted {wanted} events, got {got} (the simulation is not deterministic)")
            }
        }
    }
}

impl std::error::Error for TimeTravelError {}

struct Checkpoint {
    /// Commands of the head executed before it.
    commands: usize,
    /// Events before it.
    events: u64,
    /// The simulation then, without its history.
    cluster: Cluster,
}

/// A future that was abandoned by acting in the past.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    /// The event count at which the new timeline left this one.
    pub forked_at: u64,
    /// How many events the abandoned timeline had.
    pub events: u64,
    /// The abandoned timeline as a script (replays with the same seed).
    pub script: String,
}

/// The present, checkpoints of the past, and possibly a view of the past.
pub struct Timeline {
    head: Cluster,
    /// The past being looked at, and how many of the head's commands it replayed completely.
    past: Option<(Cluster, usize)>,
    checkpoints: Vec<Checkpoint>,
    /// Events between checkpoints now (it doubles each time the checkpoints are thinned).
    every: u64,
    max_checkpoints: usize,
    branches: Vec<Branch>,
    /// The trace of the latest branch, when the head kept one: the page draws it beside the
    /// present's.
    branch_trace: Option<BranchTrace>,
    /// Checkpoints thinning dropped, freed a few at a time as the run goes on: freeing hundreds
    /// of copies of the cluster at once takes tens of milliseconds, a visible stall.
    retired: Vec<Cluster>,
}

impl fmt::Debug for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeline")
            .field("events", &self.len())
            .field("position", &self.position())
            .field("checkpoints", &self.checkpoints.len())
            .field("branches", &self.branches.len())
            .finish()
    }
}

impl Timeline {
    pub fn new(cluster: Cluster) -> Timeline {
        Timeline::with_checkpoint_every(cluster, DEFAULT_CHECKPOINT_EVERY)
    }

    /// A timeline that checkpoints every `every` events (at the first command boundary after).
    pub fn with_checkpoint_every(cluster: Cluster, every: u64) -> Timeline {
        let first = Checkpoint {
            commands: cluster.recorder().len(),
            events: cluster.event_log().len(),
            cluster: cluster.checkpoint(),
        };
        Timeline {
            head: cluster,
            past: None,
            checkpoints: vec![first],
            every: every.max(1),
            max_checkpoints: DEFAULT_MAX_CHECKPOINTS,
            branches: Vec::new(),
            branch_trace: None,
            retired: Vec::new(),
        }
    }

    /// The same timeline keeping at most `max` checkpoints (at least 2: the first and the
    /// latest).
    pub fn with_max_checkpoints(mut self, max: usize) -> Timeline {
        self.max_checkpoints = max.max(2);
        self
    }

    /// How many checkpoints are kept now, and the events between them.
    pub fn checkpoint_spacing(&self) -> (usize, u64) {
        (self.checkpoints.len(), self.every)
    }

    /// The cluster being shown: the past while scrubbing, the present otherwise.
    pub fn cluster(&self) -> &Cluster {
        self.past.as_ref().map_or(&self.head, |(c, _)| c)
    }

    /// The present.
    pub fn head(&self) -> &Cluster {
        &self.head
    }

    /// Events in the present timeline.
    pub fn len(&self) -> u64 {
        self.head.event_log().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many events the shown cluster has seen.
    pub fn position(&self) -> u64 {
        self.cluster().event_log().len()
    }

    pub fn is_in_past(&self) -> bool {
        self.past.is_some()
    }

    /// Futures abandoned by acting in the past, oldest first.
    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }

    /// The view of the shown cluster, with the timeline's length and position.
    pub fn view(&self) -> ClusterView {
        let mut v = self.cluster().view();
        v.events = self.len();
        v.cursor = self.position();
        v
    }

    /// Executes a command at the position shown. In the past, this forks: the abandoned future
    /// becomes a [`Branch`] and the past becomes the present.
    pub fn execute(&mut self, cmd: Command) -> CommandOutput {
        self.begin(cmd);
        loop {
            if let Some(out) = self.resume(None) {
                return out;
            }
        }
    }

    /// Starts a command at the position shown (forking, in the past); it goes on in
    /// [`Timeline::resume`] (see [`Cluster::begin`]).
    pub fn begin(&mut self, cmd: Command) {
        if let Some((past, replayed)) = self.past.take() {
            let forked_at = past.event_log().len();
            // The past becomes the present, which tells its events in full: a seek replayed
            // most of them without words, so the fork replays them again with.
            let (past, replayed) = self.replay(forked_at, None).unwrap_or((past, replayed));
            let mut old = std::mem::replace(&mut self.head, past);
            let events = old.event_log().len();
            self.branches.push(Branch {
                forked_at,
                events,
                script: old.recorder().to_script(old.seed(), false),
            });
            self.branch_trace = old.trace().is_on().then(|| BranchTrace {
                forked_at,
                forked_at_ms: self.head.now(),
                ended_ms: old.now(),
                events,
                trace: old.take_trace(),
            });
            // Checkpoints after the fork point belong to the abandoned future.
            let (kept, future): (Vec<_>, Vec<_>) = std::mem::take(&mut self.checkpoints)
                .into_iter()
                .partition(|c| c.commands <= replayed && c.events <= forked_at);
            self.checkpoints = kept;
            self.retired.extend(future.into_iter().map(|c| c.cluster));
        }
        self.head.begin(cmd);
    }

    /// Goes on with the command under way for about `max_events` more events: its output when
    /// it is done, `None` when it paused. A long `run` takes its checkpoints as it goes: it is
    /// recorded in pieces (see [`Cluster::split_run`]) with a checkpoint between them, so a seek
    /// into the middle of an hour-long run replays only from the checkpoint before it.
    pub fn resume(&mut self, max_events: Option<u64>) -> Option<CommandOutput> {
        let stop_at = max_events.map(|m| self.len().saturating_add(m));
        loop {
            self.free_retired();
            let now = self.len();
            let due = self.checkpoints.last().map_or(0, |c| c.events) + self.every;
            let to_checkpoint = self
                .head
                .can_split_run()
                .then(|| due.saturating_sub(now).max(1));
            let to_stop = stop_at.map(|s| s.saturating_sub(now).max(1));
            let slice = match (to_checkpoint, to_stop) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(out) = self.head.resume(slice) {
                self.checkpoint_if_due();
                return Some(out);
            }
            if self.len() >= due && self.head.can_split_run() {
                self.head.split_run();
                self.checkpoint_if_due();
            }
            if stop_at.is_some_and(|s| self.len() >= s) {
                return None;
            }
        }
    }

    /// Ends the command under way where it is (see [`Cluster::stop`]).
    pub fn stop_command(&mut self) -> Option<CommandOutput> {
        let out = self.head.stop();
        self.checkpoint_if_due();
        out
    }

    /// Whether a command is under way.
    pub fn is_busy(&self) -> bool {
        self.head.is_busy()
    }

    /// Takes a checkpoint if the last one is `every` events back.
    fn checkpoint_if_due(&mut self) {
        let events = self.len();
        let last = self.checkpoints.last().map_or(0, |c| c.events);
        if events < last + self.every {
            return;
        }
        // The checkpoint counts the commands so far: a later run must not extend them.
        self.head.seal_recorder();
        self.checkpoints.push(Checkpoint {
            commands: self.head.recorder().len(),
            events,
            cluster: self.head.checkpoint(),
        });
        if self.checkpoints.len() > self.max_checkpoints {
            self.thin_checkpoints();
        }
    }

    /// Drops every other checkpoint, counting back from the latest (which stays), but never
    /// the first, and doubles the spacing of those to come. The dropped ones are freed later,
    /// a few at a time (see [`Timeline::free_retired`]).
    fn thin_checkpoints(&mut self) {
        let last = self.checkpoints.len() - 1;
        let (kept, dropped): (Vec<_>, Vec<_>) = std::mem::take(&mut self.checkpoints)
            .into_iter()
            .enumerate()
            .partition(|(i, _)| *i == 0 || (last - i).is_multiple_of(2));
        self.checkpoints = kept.into_iter().map(|(_, c)| c).collect();
        self.retired
            .extend(dropped.into_iter().map(|(_, c)| c.cluster));
        self.every = self.every.saturating_mul(2);
    }

    /// Takes over another timeline to free it a few clusters at a time as this one runs (see
    /// [`Timeline::free_retired`]): a long session holds a thousand copies of its cluster, and
    /// dropping them at once, when a script replaces the session, stalled the page for a fifth
    /// of a second.
    pub fn retire(&mut self, old: Timeline) {
        let Timeline {
            head,
            past,
            checkpoints,
            retired,
            ..
        } = old;
        self.retired.push(head);
        self.retired.extend(past.map(|(c, _)| c));
        self.retired
            .extend(checkpoints.into_iter().map(|c| c.cluster));
        self.retired.extend(retired);
    }

    /// Frees a few retired checkpoints: called once per slice of a command, so that thinning
    /// costs each slice a fraction of a millisecond instead of one slice tens of them.
    fn free_retired(&mut self) {
        let keep = self.retired.len().saturating_sub(RETIRED_FREED_PER_SLICE);
        self.retired.truncate(keep);
    }

    /// Shows the cluster as it was right after its first `events` events (0: before anything;
    /// `len()`: the present).
    pub fn seek(&mut self, events: u64) -> Result<(), TimeTravelError> {
        if self.is_busy() {
            return Err(TimeTravelError::Busy);
        }
        let total = self.len();
        if events > total {
            return Err(TimeTravelError::Future {
                wanted: events,
                events: total,
            });
        }
        if events == total {
            self.past = None;
            return Ok(());
        }
        let (c, replayed) = self.replay(events, Some(SEEK_CONTEXT))?;
        self.past = Some((c, replayed));
        Ok(())
    }

    /// The cluster right after its first `events` events, replayed from a checkpoint, and how
    /// many of the head's commands the replay ran whole. With `context`, only that many events
    /// before the target are narrated (and the replay starts at least that far back when it
    /// can); without, every event the replay makes is.
    fn replay(
        &self,
        events: u64,
        context: Option<u64>,
    ) -> Result<(Cluster, usize), TimeTravelError> {
        let total = self.len();
        let back = context.unwrap_or(0);
        // Start far enough back that the replay makes the events to narrate again: with a
        // windowed event log, the head may no longer keep them.
        let cp = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.events.saturating_add(back) <= events || c.events == 0)
            .or_else(|| self.checkpoints.iter().rev().find(|c| c.events <= events))
            .or_else(|| self.checkpoints.first())
            .ok_or(TimeTravelError::Future {
                wanted: events,
                events: total,
            })?;
        let mut c = cp.cluster.checkpoint();
        match context {
            // A look at the past: the events to list, and nothing of the recorder (the past is
            // replayed again, whole, if it is acted on).
            Some(context) => {
                let from = events.saturating_sub(context);
                c.restore_history(
                    self.head.event_log().range(from, cp.events),
                    crate::recorder::Recorder::new(),
                    None,
                );
                c.set_quiet_until(from);
            }
            None => c.restore_history(
                self.head.event_log().prefix(cp.events),
                self.head.recorder().prefix(cp.commands),
                Some(self.head.trace()),
            ),
        }
        let mut replayed = cp.commands;
        for rc in &self.head.recorder().commands()[cp.commands..] {
            let now = c.event_log().len();
            if now >= events {
                break;
            }
            if rc.end_event <= events {
                c.execute(rc.command.clone());
                replayed += 1;
            } else {
                c.execute(Command::StopAfter(events - now));
                c.execute(rc.command.clone());
                break;
            }
        }
        let got = c.event_log().len();
        if got != events {
            return Err(TimeTravelError::Diverged {
                wanted: events,
                got,
            });
        }
        c.set_quiet_until(0);
        Ok((c, replayed))
    }

    /// Back to the present.
    pub fn back_to_present(&mut self) {
        self.past = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::Script;

    /// The past a seek shows lists the events just before it, and they are the head's: the
    /// latest [`SEEK_CONTEXT`] word for word, any older one it keeps at the same time, of the
    /// same kind, about the same node (a replay makes those without their words).
    fn assert_same_past(past: &Cluster, head: &[crate::event::Event], at: u64) {
        let log = past.event_log();
        assert_eq!(log.len(), head.len() as u64, "at {at}");
        assert!(
            log.kept().len() as u64 >= at.min(SEEK_CONTEXT),
            "at {at}: {} kept",
            log.kept().len()
        );
        let first = log.first_kept() as usize;
        for (p, h) in log.kept().iter().zip(&head[first..]) {
            assert_eq!(
                (p.index, p.at, p.kind, p.node),
                (h.index, h.at, h.kind, h.node),
                "at {at}"
            );
        }
        let tail = head.len().saturating_sub(SEEK_CONTEXT as usize).max(first);
        assert_eq!(log.kept()[tail - first..], head[tail..], "at {at}");
    }

    fn scenario() -> Timeline {
        let mut t = Timeline::with_checkpoint_every(Cluster::new(7), 50);
        for line in [
            "log-level none",
            "cluster 3",
            "run-until leader max=5s",
            "put 1 x=1",
            "run 1s",
            "put 2 x=2",
            "run 1s",
        ] {
            t.execute(Command::parse(line).unwrap());
        }
        t
    }

    #[test]
    fn seeking_lands_exactly_after_each_event() {
        let mut t = scenario();
        let n = t.len();
        assert!(
            n > 300,
            "a second of a 3-node cluster is hundreds of events: {n}"
        );
        assert!(t.checkpoints.len() > 3);
        let head_hash = t.head().history_hash();
        for target in [0, 1, 17, 49, 50, 51, 120, n / 2, n - 1, n] {
            t.seek(target).unwrap();
            assert_eq!(t.position(), target);
            assert_same_past(t.cluster(), &t.head().events()[..target as usize], target);
            // The clock is at the event (a command that ran on past its last event, such as
            // `run 1s`, left it later).
            if target > 0 {
                assert!(t.cluster().now() >= t.head().events()[target as usize - 1].at);
            }
        }
        assert!(!t.is_in_past());
        assert_eq!(
            t.head().history_hash(),
            head_hash,
            "seeking does not disturb the present"
        );
        assert_eq!(
            t.seek(n + 1),
            Err(TimeTravelError::Future {
                wanted: n + 1,
                events: n
            })
        );
    }

    /// A checkpoint restores everything (random generator included): seeking through
    /// checkpoints gives the same state as replaying from the very beginning.
    #[test]
    fn checkpoints_change_nothing() {
        let mut with = scenario();
        let mut without = Timeline::with_checkpoint_every(Cluster::new(7), u64::MAX);
        for rc in with.head().recorder().commands().to_vec() {
            without.execute(rc.command);
        }
        assert_eq!(without.checkpoints.len(), 1);
        assert_eq!(with.head().history_hash(), without.head().history_hash());
        for target in [with.len() / 3, with.len() - 2] {
            with.seek(target).unwrap();
            without.seek(target).unwrap();
            let (a, b) = (with.view(), without.view());
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                serde_json::to_string(&b).unwrap()
            );
            // Continuing from both gives the same future.
            let mut a = with.cluster().clone();
            let mut b = without.cluster().clone();
            a.execute(Command::Run(2000));
            b.execute(Command::Run(2000));
            let since = |c: &Cluster| {
                let first = c.event_log().first_kept();
                c.events()[(target - first) as usize..].to_vec()
            };
            assert_eq!(since(&a), since(&b), "at {target}");
            assert!(a.event_log().len() > target + 50);
        }
    }

    /// A head that keeps only a window of its events still seeks exactly, anywhere, and the
    /// past it shows lists the same latest events as a head that kept them all.
    #[test]
    fn a_windowed_event_log_seeks_exactly_and_lists_recent_events() {
        let full = scenario();
        let mut c = Cluster::new(7);
        c.set_event_window(60);
        let mut win = Timeline::with_checkpoint_every(c, 50);
        for rc in full.head().recorder().commands().to_vec() {
            win.execute(rc.command);
        }
        let n = win.len();
        assert_eq!(n, full.len());
        assert!(win.head().events().len() < 120, "the head keeps a window");
        assert_eq!(win.head().history_hash(), full.head().history_hash());
        let mut full = full;
        for target in [1, 30, 200, n / 2, n - 70, n - 1] {
            win.seek(target).unwrap();
            full.seek(target).unwrap();
            assert_eq!(win.position(), target);
            let (a, b) = (win.cluster().events(), full.cluster().events());
            let shown = a.len().min(40);
            assert!(
                shown >= target.min(40) as usize,
                "at {target}: {} kept",
                a.len()
            );
            assert_eq!(a[a.len() - shown..], b[b.len() - shown..], "at {target}");
            assert_eq!(
                serde_json::to_string(&win.view()).unwrap(),
                serde_json::to_string(&full.view()).unwrap(),
                "at {target}"
            );
        }
    }

    /// One long `run` takes its checkpoints as it goes (it is recorded in pieces), so a seek
    /// into its middle replays only from the checkpoint before; in slices or at once, the run
    /// and its recorded script give the same history.
    #[test]
    fn a_long_run_is_checkpointed_inside_and_slices_change_nothing() {
        let mut sliced = Timeline::with_checkpoint_every(Cluster::new(3), 200);
        sliced.execute(Command::parse("cluster 3").unwrap());
        sliced.begin(Command::parse("run 20s").unwrap());
        let mut slices = 0;
        let out = loop {
            slices += 1;
            if let Some(out) = sliced.resume(Some(37)) {
                break out;
            }
            assert!(sliced.is_busy());
            assert_eq!(sliced.seek(0), Err(TimeTravelError::Busy));
        };
        assert!(!sliced.is_busy());
        assert!(slices > 20, "{slices} slices");
        let mut whole = Timeline::with_checkpoint_every(Cluster::new(3), u64::MAX);
        whole.execute(Command::parse("cluster 3").unwrap());
        let once = whole.execute(Command::parse("run 20s").unwrap());
        assert_eq!(out.text, once.text, "one output for the whole run");
        assert_eq!(sliced.head().history_hash(), whole.head().history_hash());
        let n = sliced.len();
        assert!(n > 2000, "{n} events");
        assert!(
            sliced.checkpoints.len() > 5,
            "checkpoints inside the run: {}",
            sliced.checkpoints.len()
        );
        let script = sliced.head().recorder().to_script(3, true);
        assert!(script.matches("run ").count() > 5, "{script}");
        let replayed = Script::run(&script, 3).unwrap();
        assert!(replayed.passed(), "{}", replayed.report());
        assert_eq!(replayed.history_hash, whole.head().history_hash());
        for target in [n / 3, n / 2 + 7, n - 5] {
            sliced.seek(target).unwrap();
            whole.seek(target).unwrap();
            let w = whole.head().events();
            assert_same_past(sliced.cluster(), &w[..target as usize], target);
        }
    }

    /// Thinning frees the checkpoints it drops a few per slice, not all at once.
    #[test]
    fn thinned_checkpoints_are_freed_a_few_per_slice() {
        let mut t = Timeline::with_checkpoint_every(Cluster::new(7), 10).with_max_checkpoints(64);
        t.execute(Command::parse("cluster 3").unwrap());
        let mut runs = 0;
        while t.retired.is_empty() {
            t.execute(Command::parse("run 10ms").unwrap());
            runs += 1;
            assert!(runs < 10_000, "the checkpoints never thinned");
        }
        let waiting = t.retired.len();
        assert!(waiting > 2 * RETIRED_FREED_PER_SLICE, "{waiting}");
        t.begin(Command::parse("run 10s").unwrap());
        assert!(t.resume(Some(1)).is_none());
        assert_eq!(t.retired.len(), waiting - RETIRED_FREED_PER_SLICE);
        while t.resume(Some(100)).is_none() {}
        assert!(t.retired.is_empty(), "all freed by the end of a long run");
    }

    /// A timeline that takes over another frees it a few clusters per slice as it runs.
    #[test]
    fn a_retired_timeline_is_freed_as_the_new_one_runs() {
        let mut old = Timeline::with_checkpoint_every(Cluster::new(7), 10);
        old.execute(Command::parse("cluster 3").unwrap());
        old.execute(Command::parse("run 5s").unwrap());
        let held = old.checkpoint_spacing().0 + 1;
        assert!(held > 2 * RETIRED_FREED_PER_SLICE, "{held}");
        let mut new = Timeline::new(Cluster::new(8));
        new.retire(old);
        assert_eq!(new.retired.len(), held, "the head and every checkpoint");
        new.begin(Command::parse("cluster 3").unwrap());
        assert!(new.resume(None).is_some());
        assert_eq!(new.retired.len(), held - RETIRED_FREED_PER_SLICE);
        // Every command frees some: a few dozen short runs free them all.
        for _ in 0..held {
            new.execute(Command::parse("run 100ms").unwrap());
        }
        assert!(new.retired.is_empty());
    }

    /// A long run keeps a bounded number of checkpoints, further apart as it goes, and every
    /// seek still lands exactly where replaying from the start does.
    #[test]
    fn checkpoints_thin_out_as_the_run_grows_and_seeks_stay_exact() {
        let dense = scenario();
        let mut thin = Timeline::with_checkpoint_every(Cluster::new(7), 10).with_max_checkpoints(5);
        let mut most = 0;
        for rc in dense.head().recorder().commands().to_vec() {
            thin.execute(rc.command.clone());
            for _ in 0..20 {
                // Small steps, so checkpoints come often.
                thin.execute(Command::parse("run 10ms").unwrap());
            }
            most = most.max(thin.checkpoint_spacing().0);
        }

        let (count, every) = thin.checkpoint_spacing();
        assert!(most <= 5, "never more than the limit: {most}");
        assert!(every >= 80, "the spacing doubled a few times: {every}");
        assert!(count >= 3);
        // The first checkpoint (the start) is always kept, and they stay in order.
        assert_eq!(thin.checkpoints[0].events, 0);
        assert!(thin
            .checkpoints
            .windows(2)
            .all(|w| w[0].events < w[1].events));
        let mut start = Timeline::with_checkpoint_every(Cluster::new(7), u64::MAX);
        for rc in thin.head().recorder().commands().to_vec() {
            start.execute(rc.command);
        }
        let n = thin.len();
        assert_eq!(start.len(), n);
        for target in [1, 55, n / 3, n / 2, n - 7, n - 1] {
            thin.seek(target).unwrap();
            start.seek(target).unwrap();
            let (a, b) = (thin.cluster().events(), start.cluster().events());
            let shown = a.len().min(b.len()).min(SEEK_CONTEXT as usize);
            assert!(shown as u64 >= target.min(SEEK_CONTEXT), "at {target}");
            assert_eq!(a[a.len() - shown..], b[b.len() - shown..], "at {target}");
            assert_eq!(
                serde_json::to_string(&thin.view()).unwrap(),
                serde_json::to_string(&start.view()).unwrap(),
                "at {target}"
            );
        }
    }

    #[test]
    fn acting_in_the_past_forks_and_the_fork_replays() {
        let mut t = scenario();
        let full = t.len();
        let fork_at = full / 2;
        t.seek(fork_at).unwrap();
        t.execute(Command::parse("crash 1").unwrap());
        assert!(!t.is_in_past());
        assert_eq!(t.branches().len(), 1);
        assert_eq!(t.branches()[0].forked_at, fork_at);
        assert_eq!(t.branches()[0].events, full);
        assert_eq!(t.len(), fork_at + 1, "the crash is the one new event");
        t.execute(Command::parse("run 1s").unwrap());
        // The new timeline is a script like any other: replaying it gives the same history.
        let script = t.head().recorder().to_script(7, true);
        let replayed = Script::run(&script, 7).unwrap();
        assert!(replayed.passed(), "{}", replayed.report());
        assert_eq!(replayed.history_hash, t.head().history_hash());
        assert!(script.contains("stop-after events="), "{script}");
        // And seeking within the new timeline still works, across the fork point.
        t.seek(fork_at - 3).unwrap();
        assert_same_past(
            t.cluster(),
            &t.head().events()[..(fork_at - 3) as usize],
            fork_at - 3,
        );
        t.seek(fork_at + 1).unwrap();
        assert_same_past(
            t.cluster(),
            &t.head().events()[..(fork_at + 1) as usize],
            fork_at + 1,
        );
    }

    /// Over random sessions (faults, manual Readys, clients, step commands): every event is a
    /// place the timeline can stop at, and acting there forks a timeline that replays.
    #[test]
    fn every_event_of_random_sessions_is_reachable() {
        use rand_chacha::ChaCha8Rng;
        use rand_core::{RngCore, SeedableRng};
        for case in 0..6u64 {
            let mut rng = ChaCha8Rng::seed_from_u64(100 + case);
            let mut t = Timeline::with_checkpoint_every(Cluster::new(case), 40);
            t.execute(Command::parse("cluster 3").unwrap());
            for _ in 0..30 {
                t.execute(crate::recorder::tests::random_command(&mut rng, 3));
            }
            let n = t.len();
            for _ in 0..15 {
                let target = rng.next_u64() % (n + 1);
                t.seek(target)
                    .unwrap_or_else(|e| panic!("case {case}: {e}"));
                assert_same_past(t.cluster(), &t.head().events()[..target as usize], target);
            }
            let target = rng.next_u64() % n;
            t.seek(target).unwrap();
            t.execute(Command::Run(500));
            let script = t.head().recorder().to_script(case, true);
            let replayed = Script::run(&script, case).unwrap();
            assert!(replayed.passed(), "case {case}: {}", replayed.report());
            assert_eq!(
                replayed.history_hash,
                t.head().history_hash(),
                "case {case}"
            );
        }
    }
}
