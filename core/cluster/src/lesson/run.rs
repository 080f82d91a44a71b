//! A learner going through a lesson, whatever drives the cluster: [`LessonRun`] keeps the
//! lesson's side (which step, what was answered, the exercise's budget) and hands the driver
//! [`Plan`]s of commands to run; it never runs anything itself and reads the cluster only to
//! evaluate conditions. The page carries a plan out in slices on its session and calls
//! [`LessonRun::settled`] when it is done; the checker does the same with [`carry_out`].
//!
//! The lesson's own path (its setup, then each step's setup and what finishes it: a reveal, a
//! reference solution) is deterministic from the lesson's seed, so the cluster at the start of
//! any step can be rebuilt at will. A step the learner must answer or solve always starts on
//! that path: what the checker verified is what the learner sees. Only a text step right after
//! another step goes on with the learner's own cluster, so an explanation follows what they did.

use crate::clock::Millis;
use crate::cluster::{Cluster, Outcome};
use crate::command::Command;

use super::model::{is_action, Activity, CommandAt, Lesson, Prediction, Step};
use super::rule::check_rules;

/// What the driver does to its cluster for one action of the learner.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Start again from a fresh cluster with this seed (`Cluster::new(seed)`), dropping the run
    /// so far; `None`: go on with the cluster as it is.
    pub fresh: Option<u64>,
    /// The lesson's path up to where `commands` start: the page may run it without showing it.
    pub catch_up: Vec<CommandAt>,
    /// The commands of the action itself (a step's setup, a reveal, a solution), to be watched.
    pub commands: Vec<CommandAt>,
}

impl Plan {
    /// Every command, catch-up first.
    pub fn all(&self) -> impl Iterator<Item = &CommandAt> {
        self.catch_up.iter().chain(&self.commands)
    }

    /// Nothing to run and nothing to rebuild.
    pub fn is_empty(&self) -> bool {
        self.fresh.is_none() && self.catch_up.is_empty() && self.commands.is_empty()
    }

    /// Every command as script text (a fresh plan is then a script for a fresh cluster).
    pub fn script(&self) -> String {
        let mut s = String::new();
        for c in self.all() {
            c.command.push_to_script(&mut s);
        }
        s
    }
}

/// Something wrong with a lesson, at a line of its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// Carries a plan out on `cluster` at once (the page does it in slices). A command the cluster
/// refuses, or an `expect` that fails, stops it: the problem names the command's line.
pub fn carry_out(plan: &Plan, cluster: &mut Cluster) -> Result<(), Problem> {
    if let Some(seed) = plan.fresh {
        *cluster = Cluster::new(seed);
    }
    for c in plan.all() {
        let out = cluster.execute(c.command.clone());
        if let Outcome::Error(why) | Outcome::ExpectationFailed(why) = out.outcome {
            return Err(Problem {
                line: c.line,
                message: format!("{}: {}", c.command, why.trim_end()),
            });
        }
    }
    Ok(())
}

impl Prediction {
    /// The right choice on `cluster`: the one whose condition holds. Exactly one must hold;
    /// otherwise the lesson is wrong, and the error says which hold or why none does.
    pub fn right_choice(&self, cluster: &Cluster) -> Result<usize, String> {
        let verdicts: Vec<Result<(), String>> = self
            .choices
            .iter()
            .map(|c| cluster.evaluate(&c.condition))
            .collect();
        let holding: Vec<usize> = (0..verdicts.len())
            .filter(|&i| verdicts[i].is_ok())
            .collect();
        match holding.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!(
                "no choice holds after the reveal: {}",
                verdicts
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!(
                        "choice {} ({}): {}",
                        i + 1,
                        self.choices[i].condition,
                        v.as_ref().err().map_or("", |s| s)
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            many => Err(format!(
                "{} choices hold after the reveal: {}",
                many.len(),
                many.iter()
                    .map(|&i| format!("choice {} ({})", i + 1, self.choices[i].condition))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

/// A prediction's outcome: what the learner chose and what the run produced (from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reveal {
    pub chosen: usize,
    pub right: usize,
}

impl Reveal {
    pub fn is_correct(&self) -> bool {
        self.chosen == self.right
    }
}

/// Where an exercise stands on the live cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalStatus {
    /// Whether the goal holds now; if not, which condition does not, and why.
    pub holds: Result<(), String>,
    /// How long the goal has held without a break (as sampled by the calls to
    /// [`LessonRun::goal`]), and how long it must.
    pub held: Millis,
    pub hold: Millis,
    /// The learner reached the goal within the budget since the step started (it stays so).
    pub reached: bool,
    /// "Show me" played the reference solution.
    pub shown: bool,
    pub time_used: Millis,
    pub time_budget: Millis,
    pub actions_used: usize,
    pub action_budget: Option<usize>,
    /// Past the budget: the step must start again for the goal to count.
    pub over_budget: bool,
}

/// How far a learner got with a step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Progress {
    #[default]
    Todo,
    /// A text step was shown.
    Seen,
    /// A prediction was answered, rightly or not.
    Predicted { correct: bool },
    /// An exercise's goal was reached by the learner.
    Reached,
    /// An exercise was solved by "show me".
    Shown,
}

/// A plan handed out and not yet settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    /// A step's start; the path position the cluster will be at (`None`: the learner's own).
    Start(Option<usize>),
    Reveal(usize),
    ShowMe,
}

/// An exercise under way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Work {
    start: Millis,
    actions: usize,
    /// Since when the goal has held, at every call to `goal` since.
    held_since: Option<Millis>,
    reached: bool,
    shown: bool,
}

/// A learner's way through one lesson (see the module's description).
#[derive(Clone, Debug)]
pub struct LessonRun {
    lesson: Lesson,
    step: usize,
    /// Whether the current step's start has been carried out.
    begun: bool,
    /// How many segments of the lesson's path the driver's cluster has done, while it is
    /// exactly the lesson's own cluster; `None` once the learner changed it.
    at: Option<usize>,
    pending: Option<Pending>,
    work: Option<Work>,
    reveal: Option<Reveal>,
    progress: Vec<Progress>,
}

impl LessonRun {
    /// A run at the first step, not started: call [`LessonRun::start`] with 0.
    pub fn new(lesson: Lesson) -> LessonRun {
        let steps = lesson.steps.len();
        LessonRun {
            lesson,
            step: 0,
            begun: false,
            at: None,
            pending: None,
            work: None,
            reveal: None,
            progress: vec![Progress::Todo; steps],
        }
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// The current step's index (from 0).
    pub fn current(&self) -> usize {
        self.step
    }

    pub fn step(&self) -> &Step {
        &self.lesson.steps[self.step]
    }

    /// How far the learner got with step `k`.
    pub fn progress(&self, k: usize) -> Progress {
        self.progress.get(k).copied().unwrap_or_default()
    }

    /// Whether a plan was handed out and not yet settled.
    pub fn is_waiting(&self) -> bool {
        self.pending.is_some()
    }

    /// The current prediction's outcome, once revealed.
    pub fn reveal(&self) -> Option<Reveal> {
        self.reveal
    }

    fn not_waiting(&self) -> Result<(), String> {
        match self.pending {
            Some(_) => Err("the lesson's commands are still running".into()),
            None => Ok(()),
        }
    }

    /// A plan that brings the cluster to `to` segments of the path, those from `watch` on as
    /// the commands to watch: going on from where the cluster stands if it is on the path
    /// before `to`, else from a fresh cluster.
    fn plan_to(&self, watch: usize, to: usize) -> Plan {
        match self.at {
            Some(at) if at <= to => {
                let from = at.max(watch);
                Plan {
                    fresh: None,
                    catch_up: self.lesson.path(at, from),
                    commands: self.lesson.path(from, to),
                }
            }
            _ => Plan {
                fresh: Some(self.lesson.seed),
                catch_up: self.lesson.path(0, watch),
                commands: self.lesson.path(watch, to),
            },
        }
    }

    /// Goes to step `k` (from 0): the plan sets its cluster up. Going to the same step again
    /// starts it over.
    pub fn start(&mut self, k: usize) -> Result<Plan, String> {
        self.not_waiting()?;
        let step = self
            .lesson
            .steps
            .get(k)
            .ok_or_else(|| format!("the lesson has {} steps", self.lesson.steps.len()))?;
        let text_only =
            matches!(step.activity, Activity::Read | Activity::Explain) && step.setup.is_empty();
        let (plan, at) = if text_only && self.begun && k == self.step + 1 && self.at.is_none() {
            // Text after the learner's own doing: the cluster stays theirs.
            (
                Plan {
                    fresh: None,
                    catch_up: Vec::new(),
                    commands: Vec::new(),
                },
                None,
            )
        } else {
            let to = Lesson::start_of(k);
            (self.plan_to(to - 1, to), Some(to))
        };
        self.step = k;
        self.begun = false;
        self.work = None;
        self.reveal = None;
        self.pending = Some(Pending::Start(at));
        Ok(plan)
    }

    /// Goes to the next step, if there is one.
    pub fn start_next(&mut self) -> Option<Result<Plan, String>> {
        (self.step + 1 < self.lesson.steps.len()).then(|| self.start(self.step + 1))
    }

    /// The learner answers the current prediction with choice `choice` (from 0): the plan
    /// reveals, and [`LessonRun::settled`] then says which choice the run made right.
    pub fn answer(&mut self, choice: usize) -> Result<Plan, String> {
        self.not_waiting()?;
        let Activity::Predict(p) = &self.step().activity else {
            return Err("this step asks no question".into());
        };
        if choice >= p.choices.len() {
            return Err(format!("the choices are 1 to {}", p.choices.len()));
        }
        if let Some(r) = self.reveal {
            return Err(format!(
                "already answered: the run made choice {} right",
                r.right + 1
            ));
        }
        let plan = self.plan_to(Lesson::start_of(self.step), Lesson::end_of(self.step));
        self.pending = Some(Pending::Reveal(choice));
        Ok(plan)
    }

    /// "Show me": the plan plays the current exercise's reference solution from the step's
    /// start.
    pub fn show_me(&mut self) -> Result<Plan, String> {
        self.not_waiting()?;
        if !matches!(self.step().activity, Activity::Do(_)) {
            return Err("this step has no exercise".into());
        }
        let plan = self.plan_to(Lesson::start_of(self.step), Lesson::end_of(self.step));
        self.pending = Some(Pending::ShowMe);
        Ok(plan)
    }

    /// The driver carried out the last plan; `cluster` is its cluster now. For a reveal, says
    /// which choice was right (see [`LessonRun::reveal`]), or why the lesson has none.
    pub fn settled(&mut self, cluster: &Cluster) -> Result<(), String> {
        let pending = self.pending.take().ok_or("no plan is under way")?;
        let k = self.step;
        match pending {
            Pending::Start(at) => {
                self.at = at;
                self.begun = true;
                match &self.lesson.steps[k].activity {
                    Activity::Do(_) => {
                        self.work = Some(Work {
                            start: cluster.now(),
                            actions: 0,
                            held_since: None,
                            reached: false,
                            shown: false,
                        })
                    }
                    Activity::Read | Activity::Explain => self.progress[k] = Progress::Seen,
                    Activity::Predict(_) => {}
                }
            }
            Pending::Reveal(chosen) => {
                self.at = Some(Lesson::end_of(k));
                let Activity::Predict(p) = &self.lesson.steps[k].activity else {
                    return Err("this step asks no question".into());
                };
                let right = p.right_choice(cluster)?;
                let r = Reveal { chosen, right };
                self.reveal = Some(r);
                self.progress[k] = Progress::Predicted {
                    correct: r.is_correct(),
                };
            }
            Pending::ShowMe => {
                self.at = Some(Lesson::end_of(k));
                if let Some(w) = &mut self.work {
                    w.shown = true;
                }
                if self.progress[k] != Progress::Reached {
                    self.progress[k] = Progress::Shown;
                }
            }
        }
        Ok(())
    }

    /// The driver stopped the last plan part way: the cluster is no longer the lesson's own,
    /// so the next step that needs it starts afresh. A stopped start leaves the step begun on
    /// the learner's cluster; a stopped reveal reveals nothing.
    pub fn abandoned(&mut self) {
        if let Some(Pending::Start(_)) = self.pending.take() {
            self.begun = true;
        }
        self.at = None;
    }

    /// The learner gives `cmd`, about to run on `cluster`: refused if it breaks a rule of the
    /// current exercise (the error names the rule), else counted against the budget.
    pub fn act(&mut self, cmd: &Command, cluster: &Cluster) -> Result<(), String> {
        self.not_waiting()?;
        if let Activity::Do(e) = &self.lesson.steps[self.step].activity {
            check_rules(&e.rules, cmd, cluster)?;
            if let Some(w) = &mut self.work {
                w.actions += usize::from(is_action(cmd));
            }
        }
        if !cmd.is_query() {
            self.at = None;
        }
        Ok(())
    }

    /// The current exercise's goal on `cluster` (call it after every command and every frame
    /// of time: a goal counts once it has held at every call for the exercise's `hold`).
    /// `None` when the step is no exercise or has not started.
    pub fn goal(&mut self, cluster: &Cluster) -> Option<GoalStatus> {
        let Activity::Do(e) = &self.lesson.steps[self.step].activity else {
            return None;
        };
        let w = self.work.as_mut()?;
        let now = cluster.now();
        let holds = e.goal_holds(cluster);
        w.held_since = match holds {
            Ok(()) => Some(w.held_since.unwrap_or(now).min(now)),
            Err(_) => None,
        };
        let held = w.held_since.map_or(0, |since| now - since);
        let time_used = now.saturating_sub(w.start);
        let over_budget =
            time_used > e.budget.time || e.budget.actions.is_some_and(|a| w.actions > a);
        if holds.is_ok() && held >= e.hold && !over_budget && !w.shown && !w.reached {
            w.reached = true;
            self.progress[self.step] = Progress::Reached;
        }
        Some(GoalStatus {
            holds,
            held,
            hold: e.hold,
            reached: w.reached,
            shown: w.shown,
            time_used,
            time_budget: e.budget.time,
            actions_used: w.actions,
            action_budget: e.budget.actions,
            over_budget,
        })
    }
}
