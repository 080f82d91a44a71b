//! The lesson checker: walks a lesson the way a learner would, on its own cluster, and checks
//! that the lesson tells the truth about it.
//!
//! - Every prediction has one right answer, and it is what the run produces: after the
//!   reveal exactly one choice's condition holds (and an `answer` the author wrote is that
//!   one).
//! - Every exercise is a real one: its goal does not hold when the step starts, and doing
//!   nothing for the whole time budget never reaches it (checked after every event, and with
//!   the exercise's `hold`: never does it hold that long).
//! - Every reference solution reaches its goal within the budget and obeys the rules, each
//!   command checked by the same rules a learner meets.
//! - Every command of the lesson's own path runs (the cluster refuses none, no `expect` fails).

use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::command::{Command, StepKind};
use crate::units::format_duration;

use super::model::{Activity, Exercise, Lesson, Prediction};
use super::run::{carry_out, LessonRun, Problem};

/// What checking one lesson found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LessonReport {
    pub title: String,
    pub steps: usize,
    pub predictions: usize,
    pub exercises: usize,
    /// Exercises whose reference solution reached the goal within the budget and the rules.
    pub solved: usize,
    /// Exercises whose goal was reached by doing nothing (or held from the start).
    pub solved_by_nothing: usize,
    pub problems: Vec<Problem>,
    /// Virtual time of the lesson's whole path, in milliseconds.
    pub virtual_ms: u64,
}

impl LessonReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    /// Every exercise was solved by its reference solution.
    pub fn all_solved(&self) -> bool {
        self.solved == self.exercises
    }
}

/// Checks a lesson (see the module's description).
pub fn check(lesson: &Lesson) -> LessonReport {
    let (predictions, exercises) = lesson.counts();
    let mut report = LessonReport {
        title: lesson.title.clone(),
        steps: lesson.steps.len(),
        predictions,
        exercises,
        ..LessonReport::default()
    };
    let mut run = LessonRun::new(lesson.clone());
    let mut cluster = Cluster::new(lesson.seed);
    if let Err(p) = walk(lesson, &mut run, &mut cluster, &mut report) {
        // The lesson's own path broke: the steps after it cannot be checked.
        report.problems.push(p);
    }
    report.virtual_ms = cluster.now();
    report
}

/// Walks every step; an error is a broken path, after which nothing more can be checked.
fn walk(
    lesson: &Lesson,
    run: &mut LessonRun,
    cluster: &mut Cluster,
    report: &mut LessonReport,
) -> Result<(), Problem> {
    for (k, step) in lesson.steps.iter().enumerate() {
        let at_step = |message: String| Problem {
            line: step.line,
            message,
        };
        let plan = run.start(k).map_err(at_step)?;
        carry_out(&plan, cluster)?;
        run.settled(cluster).map_err(at_step)?;
        match &step.activity {
            Activity::Read | Activity::Explain => {}
            Activity::Predict(p) => check_prediction(p, run, cluster, report, step.line)?,
            Activity::Do(e) => {
                check_exercise(e, run, cluster, report);
                // The lesson goes on from the reference solution, as after "show me".
                let plan = run.show_me().map_err(at_step)?;
                carry_out(&plan, cluster)?;
                run.settled(cluster).map_err(at_step)?;
            }
        }
    }
    Ok(())
}

fn check_prediction(
    p: &Prediction,
    run: &mut LessonRun,
    cluster: &mut Cluster,
    report: &mut LessonReport,
    line: usize,
) -> Result<(), Problem> {
    let at_step = |message: String| Problem { line, message };
    let plan = run.answer(0).map_err(at_step)?;
    carry_out(&plan, cluster)?;
    // No right answer is a problem of this step only: the path goes on after the reveal.
    let reveal = match run.settled(cluster) {
        Ok(()) => run.reveal(),
        Err(why) => {
            report.problems.push(at_step(why));
            None
        }
    };
    if let (Some(r), Some(claimed)) = (reveal, p.claimed) {
        if r.right != claimed {
            report.problems.push(Problem {
                line: p.claimed_line,
                message: format!(
                    "answer {} is not what the run produces: after the reveal choice {} holds ({}: {})",
                    claimed + 1,
                    r.right + 1,
                    p.choices[r.right].text,
                    p.choices[r.right].condition
                ),
            });
        }
    }
    Ok(())
}

/// Checks an exercise from the step's start (`cluster`), on copies.
fn check_exercise(e: &Exercise, run: &LessonRun, cluster: &Cluster, report: &mut LessonReport) {
    let goal_problem = |message: String| Problem {
        line: e.goal_line,
        message,
    };
    // Doing nothing: the goal must not hold at the start, nor be reached within the budget.
    if e.goal_holds(cluster).is_ok() {
        report.solved_by_nothing += 1;
        report.problems.push(goal_problem(format!(
            "the goal {} already holds when the step starts",
            e.goal_text()
        )));
    } else {
        let mut idle = cluster.clone();
        let start = idle.now();
        if let Some(at) = reached_by_waiting(e, &mut idle, start + e.budget.time) {
            report.solved_by_nothing += 1;
            report.problems.push(goal_problem(format!(
                "doing nothing reaches the goal {} after {} (the budget is {})",
                e.goal_text(),
                format_duration(at - start),
                format_duration(e.budget.time)
            )));
        }
    }
    check_solution(e, run, cluster, report);
}

/// The reference solution, given as a learner would give it: each command checked by the
/// rules and counted against the budget, the goal sampled after each, and then time running
/// until the goal has held for the exercise's `hold`.
fn check_solution(e: &Exercise, run: &LessonRun, cluster: &Cluster, report: &mut LessonReport) {
    let mut learner = run.clone();
    let mut c = cluster.clone();
    for cmd in &e.solution {
        let at = |message: String| Problem {
            line: cmd.line,
            message,
        };
        if let Err(why) = learner.act(&cmd.command, &c) {
            report
                .problems
                .push(at(format!("the solution breaks a rule: {why}")));
            return;
        }
        let out = c.execute(cmd.command.clone());
        if !out.is_ok() {
            report.problems.push(at(format!(
                "the solution's `{}` fails: {}",
                cmd.command,
                out.text.trim_end()
            )));
            return;
        }
        learner.goal(&c);
    }
    let until = c.now().saturating_add(e.hold);
    step_until(&mut c, until, |c| {
        learner.goal(c).is_some_and(|s| s.reached)
    });
    let Some(status) = learner.goal(&c) else {
        return;
    };
    if status.reached {
        report.solved += 1;
        return;
    }
    let why = match (&status.holds, status.over_budget) {
        (Err(why), _) => format!("the goal does not hold after it: {why}"),
        (Ok(()), true) => format!(
            "it reaches the goal but over the budget: {} and {} action(s) used, {} and {} allowed",
            format_duration(status.time_used),
            status.actions_used,
            format_duration(status.time_budget),
            status
                .action_budget
                .map_or("any number of".to_string(), |a| a.to_string())
        ),
        (Ok(()), false) => format!(
            "the goal holds but only for {} of the {} it must",
            format_duration(status.held),
            format_duration(status.hold)
        ),
    };
    report.problems.push(Problem {
        line: e.solution_line,
        message: format!("the reference solution does not solve the exercise: {why}"),
    });
}

/// Runs `cluster` one event at a time until `done` says so (true) or its clock passes `until`
/// (false; also when nothing is left to happen). Conditions change only at events, so every
/// state the cluster passes through is seen.
fn step_until(
    cluster: &mut Cluster,
    until: Millis,
    mut done: impl FnMut(&Cluster) -> bool,
) -> bool {
    while cluster.now() <= until {
        if done(cluster) {
            return true;
        }
        if !cluster.execute(Command::Step(StepKind::Any)).is_ok() {
            return false;
        }
    }
    false
}

/// When waiting, from `cluster`, reaches the exercise's goal by `until`: every goal holds, and
/// keeps holding for `hold`. The first goal is waited for by `run-until` (fast: the cluster
/// checks it after every event); the rest and the hold, event by event.
fn reached_by_waiting(e: &Exercise, cluster: &mut Cluster, until: Millis) -> Option<Millis> {
    let first = e.goals.first()?;
    while cluster.now() <= until {
        if e.goal_holds(cluster).is_err() {
            let next = if cluster.evaluate(first).is_err() {
                Command::RunUntil {
                    condition: first.clone(),
                    max: until - cluster.now(),
                }
            } else {
                Command::Step(StepKind::Any)
            };
            if !cluster.execute(next).is_ok() {
                return None;
            }
            continue;
        }
        let since = cluster.now();
        if e.hold == 0 {
            return Some(since);
        }
        let end = since.saturating_add(e.hold);
        if end > until {
            return None;
        }
        if !step_until(cluster, end, |c| e.goal_holds(c).is_err()) {
            return Some(since);
        }
    }
    None
}
