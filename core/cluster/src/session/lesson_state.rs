//! What the session holds of an open lesson, and what a learner can do in one: a leaf, so the
//! session holds it without importing the code that drives it (`session/lesson.rs`).

use crate::lesson::{GoalStatus, LessonRun};

/// What a learner does in a lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LessonAct {
    /// Go to step `k` (from 0); going to the current step starts it over.
    Go(usize),
    /// Answer the current prediction with choice `i` (from 0).
    Answer(usize),
    /// Play the current exercise's reference solution.
    ShowMe,
}

/// A lesson open on the session.
#[derive(Clone, Debug)]
pub struct LessonState {
    pub(super) run: LessonRun,
    /// The exercise's goal as last evaluated (after every command).
    pub(super) goal: Option<GoalStatus>,
}

impl LessonState {
    pub fn run(&self) -> &LessonRun {
        &self.run
    }

    pub fn goal(&self) -> Option<&GoalStatus> {
        self.goal.as_ref()
    }
}
