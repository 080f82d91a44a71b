//! Commands that run virtual time (`run`, `run-until`, `step`) in slices.
//!
//! A script may ask for an hour of virtual time, which is a million events or more: a page
//! must not freeze for that, so it starts the command with [`Cluster::begin`] and calls
//! [`Cluster::resume`] with a number of events per slice, showing progress and a stop button in
//! between. [`Cluster::execute`] is the same two calls with no limit, so a command run in slices
//! and one run at once are the same code and give the same events.
//!
//! A slice ends only *between instants*: when nothing more is due at the current virtual time.
//! Stopping in the middle of an instant and going on later would do the same things, but a run
//! stopped there could not be written down as `run D` (which does everything due at its last
//! instant), and time travel relies on that: a long run is recorded in pieces
//! ([`Cluster::split_run`]), so that a checkpoint can sit between them.

use super::state::Work;
use super::*;

/// How a slice of time ended.
enum RunEnd {
    /// The condition holds.
    Met,
    /// The end of the time asked for, or the budget.
    Ended,
    /// The slice's events are spent; the run goes on at the next call.
    Paused,
}

impl Cluster {
    /// Starts a command. Long ones (`run`, `run-until`, `step`) then go on in
    /// [`Cluster::resume`]; the others are done at once and `resume` only reports them. A
    /// command begun while another is under way finishes that one first.
    pub fn begin(&mut self, cmd: Command) {
        if self.pending.is_some() {
            while self.resume(None).is_none() {}
        }
        let out = self.sink.output.clone();
        out.reset();
        // Lines logged outside any event (there should be none) must not leak into the next.
        self.sink.take();
        let first = self.events.len();
        let budgeted = self.next_budget.is_some() || self.event_limit.is_some();
        let work = if let Command::StopAfter(n) = cmd {
            self.next_budget = Some(n);
            Work::Done(Ok(()))
        } else {
            self.budget = self.next_budget.take().map(|n| first + n);
            match &cmd {
                Command::Run(d) => {
                    self.sink.echo.set(false);
                    Work::Run {
                        until: self.now.saturating_add(*d),
                    }
                }
                Command::RunUntil { condition, max } => {
                    self.sink.echo.set(false);
                    Work::RunUntil {
                        condition: condition.clone(),
                        max: *max,
                        deadline: self.now.saturating_add(*max),
                        t0: self.now,
                    }
                }
                Command::Step(kind) => {
                    self.sink.echo.set(false);
                    Work::Step {
                        kind: *kind,
                        limit: self.now.saturating_add(STEP_HORIZON),
                        looked: 0,
                    }
                }
                cmd => Work::Done(self.dispatch(cmd)),
            }
        };
        self.pending = Some(Pending {
            cmd,
            first,
            began_at: self.now,
            unrecorded: (first, self.now, 0),
            budgeted,
            stopped: false,
            work,
        });
    }

    /// Stops the command under way where it is (a person pressed Stop): it ends as if a
    /// `stop-after` had been written before it, and is recorded so (`stop-after events=K`
    /// then the command), so the session still replays to exactly this state.
    pub fn stop(&mut self) -> Option<CommandOutput> {
        let p = self.pending.as_mut()?;
        let (from_event, _, _) = p.unrecorded;
        let done = self.events.len() - from_event;
        p.stopped = true;
        p.budgeted = true;
        self.recorder.record(
            Command::StopAfter(done),
            from_event,
            from_event,
            "ok".into(),
        );
        self.budget = Some(self.events.len());
        self.resume(None)
    }

    /// Goes on with the command under way for at most `max_events` more events (or to its
    /// end): its output when it is done, `None` when it paused.
    pub fn resume(&mut self, max_events: Option<u64>) -> Option<CommandOutput> {
        let mut p = self.pending.take()?;
        let pause = max_events.map(|m| self.events.len().saturating_add(m));
        let res = match &mut p.work {
            Work::Done(r) => std::mem::replace(r, Ok(())),
            // `finish` writes its summary, after it took what the run wrote before.
            Work::Run { until } => match self.run_slice(*until, None, pause) {
                Ok(RunEnd::Paused) => return self.paused(p),
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            },
            Work::RunUntil {
                condition,
                max,
                deadline,
                t0,
            } => match self.run_slice(*deadline, Some(condition), pause) {
                Ok(RunEnd::Paused) => return self.paused(p),
                Ok(RunEnd::Met) => {
                    let text = format!(
                        "met after {}ms: {}\n",
                        self.now - *t0,
                        self.summary(p.first)
                    );
                    self.write(&text);
                    Ok(())
                }
                Ok(RunEnd::Ended) if self.stopped() => Ok(()),
                Ok(RunEnd::Ended) => {
                    let why = self.evaluate(condition).err().unwrap_or_default();
                    self.write(&format!("{}\n", self.summary(p.first)));
                    Err(Failure::Expectation(format!(
                        "run-until {condition}: not met within {}: {why}",
                        crate::units::format_duration(*max)
                    )))
                }
                Err(e) => Err(e),
            },
            Work::Step {
                kind,
                limit,
                looked,
            } => match self.step_slice(*kind, *limit, looked, pause) {
                Ok(None) => return self.paused(p),
                Ok(Some(())) => Ok(()),
                Err(e) => Err(e),
            },
        };
        self.budget = None;
        Some(self.finish(p, res))
    }

    fn paused(&mut self, p: Pending) -> Option<CommandOutput> {
        self.pending = Some(p);
        None
    }

    /// Whether a command is under way (begun, not yet done).
    pub fn is_busy(&self) -> bool {
        self.pending.is_some()
    }

    /// The virtual time the command under way began at and the latest it may run to (the
    /// end of a `run`, the `max` of a `run-until`), for a progress bar.
    pub fn pending_run_span(&self) -> Option<(Millis, Millis)> {
        let p = self.pending.as_ref()?;
        let end = match &p.work {
            Work::Run { until } => *until,
            Work::RunUntil { deadline, .. } => *deadline,
            Work::Step { limit, .. } => *limit,
            Work::Done(_) => return None,
        };
        Some((p.began_at, end))
    }

    /// The output, the outcome and the recorder's line of a command that is done.
    fn finish(&mut self, p: Pending, res: CmdResult) -> CommandOutput {
        let out = self.sink.output.clone();
        self.sink.echo.set(true);
        let (from_event, from_time, mark) = p.unrecorded;
        // What a run wrote since its last recorded piece (the load's puts), before its summary.
        let body = out.contents().get(mark..).unwrap_or_default().to_string();
        let is_run = matches!(p.cmd, Command::Run(_));
        if is_run && res.is_ok() {
            let text = format!("{}\n", self.summary(p.first));
            self.write(&text);
        }
        let outcome = match res {
            Ok(()) => Outcome::Ok,
            Err(Failure::Error(e)) => {
                Self::write_failure(&out, &e);
                Outcome::Error(e)
            }
            Err(Failure::Expectation(e)) => {
                Self::write_failure(&out, &e);
                Outcome::ExpectationFailed(e)
            }
        };
        let mut text = out.contents();
        if text.is_empty() {
            text = "ok".to_string();
        }
        let end = self.events.len();
        match p.cmd {
            Command::Run(asked) => {
                // The whole run, or what is left of one recorded in pieces (what was asked of
                // it, when stopped: the stop-after before it cuts it short on replay).
                let ms = match p.work {
                    _ if from_event == p.first => asked,
                    Work::Run { until } if p.stopped => until - from_time,
                    _ => self.now - from_time,
                };
                if outcome == Outcome::Ok && !p.budgeted {
                    self.record_run(ms, from_event, end, &body);
                } else {
                    let text = text.get(mark..).unwrap_or_default().to_string();
                    self.recorder
                        .record(Command::Run(ms), from_event, end, text);
                }
            }
            cmd => self.recorder.record(cmd, from_event, end, text.clone()),
        }
        CommandOutput {
            text,
            outcome,
            events: (p.first, end),
        }
    }

    /// Records `run ms` over events `from..end`, which wrote `body` before its summary; it
    /// extends the run before it when it may (see [`Recorder::can_extend_run`]). Its output is
    /// what `run ms` prints: nothing but `ok` at `log-level none`.
    fn record_run(&mut self, ms: Millis, from: u64, end: u64, body: &str) {
        let quiet = self.sink.output.quiet();
        if self.recorder.can_extend_run(from) {
            let since = self
                .recorder
                .commands()
                .last()
                .map_or(from, |r| r.first_event);
            let summary = format!("{}\n", self.summary(since));
            self.recorder.extend_run(ms, end, body, summary);
        } else {
            let text = if quiet {
                "ok".to_string()
            } else {
                format!("{body}{}\n", self.summary(from))
            };
            self.recorder.record(Command::Run(ms), from, end, text);
        }
    }

    /// Whether the `run` under way can be cut here into a recorded `run` and the rest: it is a
    /// plain run (not one under a budget), paused between instants.
    pub(crate) fn can_split_run(&self) -> bool {
        self.pending
            .as_ref()
            .is_some_and(|p| matches!(p.work, Work::Run { .. }) && !p.budgeted)
    }

    /// Records the part of the `run` under way done so far as a `run` of its own (running `a`
    /// then `b` is running `a + b`), so that a time-travel checkpoint can follow it. The rest
    /// is recorded when the run is done.
    pub(crate) fn split_run(&mut self) {
        if !self.can_split_run() {
            return;
        }
        let Some(p) = self.pending.as_mut() else {
            return;
        };
        let (from_event, from_time, mark) = p.unrecorded;
        let end = self.events.len();
        if end == from_event {
            return;
        }
        let contents = self.sink.output.contents();
        p.unrecorded = (end, self.now, contents.len());
        let body = contents.get(mark..).unwrap_or_default().to_string();
        self.record_run(self.now - from_time, from_event, end, &body);
    }

    /// Whether something is due at the current instant: a Ready step (due at once) or
    /// anything whose time has come.
    fn due_now(&self) -> bool {
        self.ready_work().is_some() || self.next_time().is_some_and(|t| t <= self.now)
    }

    /// Runs time until `until` (or until `stop` holds, or the budget is spent), pausing between
    /// instants once `pause` events exist.
    fn run_slice(
        &mut self,
        until: Millis,
        stop: Option<&Condition>,
        pause: Option<u64>,
    ) -> Result<RunEnd, Failure> {
        let mut instant = (self.now, 0u64);
        loop {
            if self.stopped() {
                return Ok(RunEnd::Ended);
            }
            if let Some(c) = stop {
                if self.evaluate(c).is_ok() {
                    return Ok(RunEnd::Met);
                }
            }
            if pause.is_some_and(|p| self.events.len() >= p) && !self.due_now() {
                return Ok(RunEnd::Paused);
            }
            if !self.micro_step(until)? {
                self.now = self.now.max(until);
                return Ok(RunEnd::Ended);
            }
            if instant.0 == self.now {
                instant.1 += 1;
                if instant.1 > MAX_EVENTS_PER_INSTANT {
                    return Err(format!(
                        "run stopped: more than {MAX_EVENTS_PER_INSTANT} events at {}ms (zero latency everywhere?)",
                        self.now
                    )
                    .into());
                }
            } else {
                instant = (self.now, 1);
            }
        }
    }

    /// `step`: runs until the next event of `kind`, looking at most at
    /// [`MAX_EVENTS_PER_INSTANT`] events: `Some` when done, `None` when paused.
    fn step_slice(
        &mut self,
        kind: StepKind,
        limit: Millis,
        looked: &mut u64,
        pause: Option<u64>,
    ) -> Result<Option<()>, Failure> {
        while *looked < MAX_EVENTS_PER_INSTANT {
            if self.stopped() {
                return Ok(Some(()));
            }
            if pause.is_some_and(|p| self.events.len() >= p) && !self.due_now() {
                return Ok(None);
            }
            *looked += 1;
            if !self.micro_step(limit)? {
                self.write("nothing happens\n");
                return Ok(Some(()));
            }
            let Some(e) = self.events.last() else {
                continue;
            };
            let hit = match kind {
                StepKind::Any => true,
                StepKind::Tick => e.kind == EventKind::Tick,
                StepKind::Message => matches!(e.kind, EventKind::Deliver | EventKind::Drop),
                StepKind::Ready => e.kind == EventKind::Advance,
            };
            if hit {
                let text = format!("{e}\n");
                self.write(&text);
                return Ok(Some(()));
            }
        }
        Err(format!("step: no such event within {MAX_EVENTS_PER_INSTANT} events").into())
    }
}
