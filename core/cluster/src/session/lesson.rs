//! A lesson open on a live session: the learner's [`LessonRun`] beside the session's timeline.
//! The run hands out plans (a step's start, a reveal, "show me"); the session carries each out
//! in slices like a script, on a fresh timeline or continuing its own, and settles the run when
//! it ends. Every command the learner gives meanwhile is checked against the exercise's rules
//! first, and the goal is evaluated after it, so the page only draws what the session says.

use crate::lesson::{Lesson, LessonRun, Plan};
use crate::script::Script;
use crate::script_run::ScriptProgress;

use super::lesson_state::{LessonAct, LessonState};
use super::{RunKind, Session};

impl Session {
    /// Opens `lesson` at step `step` (from 0): its plan runs in slices
    /// ([`Session::continue_script`]); `None` when there was nothing to run.
    pub fn open_lesson(
        &mut self,
        lesson: Lesson,
        step: usize,
    ) -> Result<Option<ScriptProgress>, String> {
        self.busy()?;
        let mut run = LessonRun::new(lesson);
        let plan = run.start(step)?;
        self.lesson = Some(LessonState { run, goal: None });
        Ok(self.start_plan(plan))
    }

    /// Closes the lesson; the cluster stays as it is.
    pub fn close_lesson(&mut self) {
        self.lesson = None;
    }

    pub fn lesson(&self) -> Option<&LessonState> {
        self.lesson.as_ref()
    }

    /// The learner acts on the lesson; like [`Session::open_lesson`].
    pub fn lesson_act(&mut self, act: LessonAct) -> Result<Option<ScriptProgress>, String> {
        self.busy()?;
        let state = self.lesson.as_mut().ok_or("no lesson is open")?;
        let plan = match act {
            LessonAct::Go(k) => state.run.start(k)?,
            LessonAct::Answer(i) => state.run.answer(i)?,
            LessonAct::ShowMe => state.run.show_me()?,
        };
        state.goal = None;
        Ok(self.start_plan(plan))
    }

    /// Starts carrying out a plan; settles at once when there is nothing to run.
    fn start_plan(&mut self, plan: Plan) -> Option<ScriptProgress> {
        if plan.is_empty() {
            // Nothing runs, so nothing can fail.
            let _ = self.lesson_settle(None, false);
            return None;
        }
        let script = Script::of_commands(plan.all().map(|c| (c.line, c.command.clone())));
        match plan.fresh {
            Some(seed) => Some(self.run_afresh(script, seed, RunKind::Plan { fresh: true })),
            None => {
                self.run_on_session(script, RunKind::Plan { fresh: false });
                self.running.as_ref().map(|r| r.run.progress())
            }
        }
    }

    /// The plan under way ended; `failure` is its first failed command (line, why), `stopped`
    /// says the learner stopped it part way.
    pub(super) fn lesson_settle(
        &mut self,
        failure: Option<(usize, String)>,
        stopped: bool,
    ) -> Result<(), String> {
        let Some(state) = self.lesson.as_mut() else {
            return Ok(());
        };
        if stopped {
            state.run.abandoned();
            state.goal = state.run.goal(self.timeline.cluster());
            return Err("stopped: the lesson's commands did not all run".into());
        }
        let settled = state.run.settled(self.timeline.cluster());
        state.goal = state.run.goal(self.timeline.cluster());
        if let Some((line, why)) = failure {
            return Err(format!("the lesson's line {line} failed: {why}"));
        }
        settled
    }

    /// Refuses `cmd` if it breaks a rule of the exercise under way (the error names the rule);
    /// otherwise counts it. Nothing to do without a lesson.
    pub(super) fn lesson_act_on(&mut self, cmd: &crate::command::Command) -> Result<(), String> {
        match self.lesson.as_mut() {
            Some(state) => state.run.act(cmd, self.timeline.cluster()),
            None => Ok(()),
        }
    }

    /// Evaluates the exercise's goal on the cluster as it is now.
    pub(super) fn lesson_follow(&mut self) {
        if let Some(state) = self.lesson.as_mut() {
            state.goal = state.run.goal(self.timeline.cluster());
        }
    }
}
