//! A lesson as data: its steps, what each asks of the learner, and the commands that set up
//! and reveal. Parsed from text by `parse.rs`; walked by `run.rs` (the page) and `check.rs`
//! (the checker).

use crate::clock::Millis;
use crate::command::{Command, Condition};

use super::rule::Rule;

// ---- bounds ------------------------------------------------------------------------------------

// A lesson may come from a share link like a script, so everything in it is bounded. Its
// commands are bounded by the script language's own limits (`crate::limits`) and, together,
// by the ones below.

/// Bytes of a lesson file.
pub const MAX_LESSON_BYTES: usize = 64 * 1024;

/// Steps in one lesson: a lesson is a few minutes of a learner's time.
pub const MAX_STEPS: usize = 40;

/// Words of a step's text: a few sentences beside the diagram, not a chapter.
pub const MAX_TEXT_WORDS: usize = 120;

/// Words of a one-line text: the title, a question, a choice, a goal, a hint.
pub const MAX_LINE_WORDS: usize = 60;

/// Choices of a prediction: at least two, at most four (more is guessing, not predicting).
pub const MIN_CHOICES: usize = 2;
pub const MAX_CHOICES: usize = 4;

/// Hints of one exercise.
pub const MAX_HINTS: usize = 5;

/// Rules of one exercise.
pub const MAX_RULES: usize = 8;

/// `goal` lines of one exercise (all must hold).
pub const MAX_GOALS: usize = 4;

/// An exercise's time budget: the checker runs "doing nothing" for that long.
pub const MAX_BUDGET: Millis = 10 * 60 * 1000;

/// An exercise's action budget.
pub const MAX_ACTIONS: usize = 100;

/// The time budget of an exercise that names none.
pub const DEFAULT_BUDGET: Millis = 30_000;

/// Virtual time all of a lesson's commands and budgets may ask for together (every `run`,
/// every `run-until`'s `max`, every budget): what one check of the lesson costs at most.
pub const MAX_LESSON_TIME: Millis = crate::limits::MAX_RUN;

// ---- the lesson --------------------------------------------------------------------------------

/// A command of a lesson with the line of the lesson file it was written on.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandAt {
    pub line: usize,
    pub command: Command,
}

/// A parsed lesson: a cluster set up by `setup`, then steps in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub title: String,
    /// One line for a list of lessons (may be empty).
    pub summary: String,
    /// The seed of every run of the lesson: the lesson's cluster is the same for every learner
    /// and for the checker.
    pub seed: u64,
    /// The page opens the lesson with the space-time diagram shown (`view space-time`).
    pub space_time: bool,
    /// The commands that create the lesson's cluster, before the first step.
    pub setup: Vec<CommandAt>,
    pub steps: Vec<Step>,
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The line of the step's directive.
    pub line: usize,
    /// The step's text: paragraphs separated by a blank line (`\n\n`).
    pub text: String,
    /// Commands run when the step starts (a partition before a question, say).
    pub setup: Vec<CommandAt>,
    pub activity: Activity,
}

/// What a step asks of the learner.
#[derive(Clone, Debug, PartialEq)]
pub enum Activity {
    /// Text about what is on screen.
    Read,
    /// A question answered before the cluster shows the truth.
    Predict(Prediction),
    /// A goal to reach on the live cluster.
    Do(Exercise),
    /// Text after a prediction or an exercise: why it turned out so.
    Explain,
}

impl Activity {
    /// The directive that starts such a step.
    pub fn keyword(&self) -> &'static str {
        match self {
            Activity::Read => "read",
            Activity::Predict(_) => "predict",
            Activity::Do(_) => "do",
            Activity::Explain => "explain",
        }
    }
}

/// `predict QUESTION`: choices, each with the condition that makes it true, and the commands
/// that reveal which one is. The right choice is never typed by the author: it is the one
/// whose condition holds after the reveal (exactly one must).
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    pub question: String,
    pub choices: Vec<Choice>,
    /// `answer N`: the author's claim (from 0 here, from 1 in the file), which the checker
    /// compares with the run. A page never shows it: it shows what the run produced.
    pub claimed: Option<usize>,
    /// The line of `answer`, for the checker's report.
    pub claimed_line: usize,
    pub reveal: Vec<CommandAt>,
}

/// `choice TEXT: CONDITION`.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub line: usize,
    pub text: String,
    pub condition: Condition,
}

/// `do TASK`: an exercise on the live cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct Exercise {
    /// The task in words (the `do` line).
    pub task: String,
    /// `goal CONDITION` lines: reached when all hold (for `hold`), within the budget and the
    /// rules. Several lines, because one condition looks at one set of nodes ("node 1 leads"
    /// and "nodes 4 and 5 lack the entry").
    pub goals: Vec<Condition>,
    /// The line of the first `goal`.
    pub goal_line: usize,
    /// `hold 500ms`: how long the goals must hold without a break. A goal that is true for an
    /// instant in the middle of something else (every node has voted and nobody leads yet,
    /// just before a candidate counts its last vote) does not count.
    pub hold: Millis,
    pub rules: Vec<Rule>,
    pub budget: Budget,
    pub hints: Vec<String>,
    /// The reference solution that "show me" plays, from the step's start.
    pub solution: Vec<CommandAt>,
    /// The line of `solution`, for the checker's report.
    pub solution_line: usize,
}

/// How much an exercise allows: virtual time from the step's start, and actions (commands
/// that change the cluster, other than letting time run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub time: Millis,
    pub actions: Option<usize>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            time: DEFAULT_BUDGET,
            actions: None,
        }
    }
}

impl Exercise {
    /// Whether every goal holds on `cluster`; if not, the first that does not, and why.
    pub fn goal_holds(&self, cluster: &crate::cluster::Cluster) -> Result<(), String> {
        self.goals
            .iter()
            .try_for_each(|g| cluster.evaluate(g).map_err(|why| format!("{g}: {why}")))
    }

    /// The goals as one line: `leader=1 and committed=4 nodes=(2)`.
    pub fn goal_text(&self) -> String {
        self.goals
            .iter()
            .map(|g| g.to_string())
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

/// Whether a learner's command counts against an action budget: letting time run and looking
/// are free, everything that changes the cluster is an action.
pub fn is_action(cmd: &Command) -> bool {
    !cmd.is_query()
        && !matches!(
            cmd,
            Command::Run(_) | Command::RunUntil { .. } | Command::Step(_)
        )
}

impl Lesson {
    /// The commands of the lesson's own path, in order, as segments: the lesson's setup, then
    /// for each step its setup and what finishes it (a prediction's reveal, an exercise's
    /// reference solution, nothing for text). The cluster at the start of step `k` is the
    /// seed's fresh cluster after segments `0..start_of(k)`.
    pub fn segment(&self, i: usize) -> &[CommandAt] {
        if i == 0 {
            return &self.setup;
        }
        let Some(step) = self.steps.get((i - 1) / 2) else {
            return &[];
        };
        if i % 2 == 1 {
            return &step.setup;
        }
        match &step.activity {
            Activity::Predict(p) => &p.reveal,
            Activity::Do(e) => &e.solution,
            Activity::Read | Activity::Explain => &[],
        }
    }

    /// The number of path segments done when step `k` has started (its setup ran).
    pub fn start_of(k: usize) -> usize {
        2 * k + 2
    }

    /// The number of path segments done when step `k` is finished.
    pub fn end_of(k: usize) -> usize {
        2 * k + 3
    }

    /// The commands of segments `from..to`.
    pub fn path(&self, from: usize, to: usize) -> Vec<CommandAt> {
        (from..to)
            .flat_map(|i| self.segment(i).iter().cloned())
            .collect()
    }

    /// How many predictions and exercises the lesson has.
    pub fn counts(&self) -> (usize, usize) {
        let predictions = self
            .steps
            .iter()
            .filter(|s| matches!(s.activity, Activity::Predict(_)))
            .count();
        let exercises = self
            .steps
            .iter()
            .filter(|s| matches!(s.activity, Activity::Do(_)))
            .count();
        (predictions, exercises)
    }
}
