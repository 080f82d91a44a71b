//! Lessons: a path through Raft for someone who arrives knowing nothing
//! (`/work/shared/design/LESSONS.md`, `docs/lessons.md`).
//!
//! A lesson is a text file: the script language plus a few directives. It sets up a cluster
//! and walks through steps of four kinds: *read* (text about what is on screen), *predict* (a
//! question answered before the cluster shows the truth), *do* (a goal on the live cluster, as
//! an `expect` condition, with rules, a budget, hints and a reference solution) and *explain*.
//!
//! - `model`: the lesson as data, and its bounds (a lesson may come from a share link);
//! - `parse`: text to a [`Lesson`], errors with line and column;
//! - `rule`: an exercise's rules, checked against each command the learner gives;
//! - `run`: [`LessonRun`], a learner's way through a lesson for any driver (the page, the
//!   checker), handing out [`Plan`]s of commands and evaluating goals and predictions;
//! - `check`: the checker behind `raft-script --lessons DIR`.
//!
//! The modules import each other in one direction only: `rule` is a leaf, `model` uses it,
//! `parse` and `run` use both, `check` uses `run`; this one only re-exports them, so no module
//! of the lesson imports it back.

mod check;
mod model;
mod parse;
mod rule;
mod run;

pub use check::{check, LessonReport};
pub use model::*;
pub use rule::{check_rules, command_name, links_down, Rule, MAX_LINKS};
pub use run::{carry_out, GoalStatus, LessonRun, Plan, Problem, Progress, Reveal};

#[cfg(test)]
mod tests;
