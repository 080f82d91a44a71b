//! Lesson text to a [`Lesson`]. The format (`docs/lessons.md`): a line that starts at column 1
//! is a directive (`title`, `setup`, `read`, `predict`, `choice`, `do`, `goal`, ...); an
//! indented line belongs to the directive above it, as text (under `read`, `predict`, `do`,
//! `explain`, `hint`) or as a command of the script language (under `setup`, `reveal`,
//! `solution`). `#` at the start of a line is a comment. Commands are read by the script
//! parser itself, so a lesson's commands are exactly the page's and the scripts'.
//!
//! Errors name the line and column in the lesson file, like the script parser's.

use crate::clock::Millis;
use crate::command::{Command, Condition};
use crate::limits;
use crate::script::{Script, ScriptError};
use crate::units::parse_duration;

use super::model::*;
use super::rule::Rule;

fn error(line: usize, column: usize, message: impl Into<String>) -> ScriptError {
    ScriptError {
        line,
        column,
        message: message.into(),
    }
}

/// The directives, for the unknown-directive message.
const DIRECTIVES: &str = "title, summary, seed, setup, read, predict, choice, answer, reveal, do, goal, hold, rule, budget, hint, solution, explain";

/// One line of the file: its number, its indentation and its text after the indentation.
struct Line<'a> {
    n: usize,
    indent: usize,
    text: &'a str,
}

/// Where indented lines go.
enum Open {
    Nothing,
    /// Text of the step being read (`read`, `predict`, `do`, `explain`).
    StepText,
    /// Text continuing the last hint.
    Hint,
    /// Commands of a block: which block, and its lines so far.
    Block(BlockKind, usize, Vec<(usize, usize, String)>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Setup,
    Reveal,
    Solution,
}

/// A step while its lines are read.
struct Draft {
    line: usize,
    keyword: &'static str,
    /// The question of `predict`, the task of `do`.
    head: String,
    text: Vec<String>,
    setup: Option<Vec<CommandAt>>,
    choices: Vec<Choice>,
    answer: Option<(usize, usize)>,
    reveal: Option<Vec<CommandAt>>,
    goals: Vec<(Condition, usize)>,
    hold: Option<Millis>,
    rules: Vec<Rule>,
    budget: Option<Budget>,
    hints: Vec<Vec<String>>,
    solution: Option<(Vec<CommandAt>, usize)>,
}

#[derive(Default)]
struct Parser {
    title: Option<String>,
    summary: Option<String>,
    seed: Option<u64>,
    space_time: Option<bool>,
    setup: Option<Vec<CommandAt>>,
    steps: Vec<Step>,
    draft: Option<Draft>,
}

impl Lesson {
    /// Parses a lesson; nothing of it is used if any line is malformed.
    pub fn parse(text: &str) -> Result<Lesson, ScriptError> {
        if text.len() > MAX_LESSON_BYTES {
            return Err(error(
                1,
                1,
                format!(
                    "a lesson of {} bytes is over the limit of {MAX_LESSON_BYTES}",
                    text.len()
                ),
            ));
        }
        let mut p = Parser::default();
        let mut open = Open::Nothing;
        for (i, raw) in text.split('\n').enumerate() {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let body = raw.trim_start_matches([' ', '\t']);
            let line = Line {
                n: i + 1,
                indent: raw.len() - body.len(),
                text: body.trim_end(),
            };
            if line.indent > 0 || line.text.is_empty() || line.text.starts_with('#') {
                p.indented(&line, &mut open)?;
                continue;
            }
            p.close(std::mem::replace(&mut open, Open::Nothing))?;
            open = p.directive(&line)?;
        }
        p.close(open)?;
        p.finish_step()?;
        p.lesson()
    }
}

/// Splits `keyword rest` into the keyword and the rest, with the rest's column.
fn split_directive(text: &str) -> (&str, &str, usize) {
    match text.split_once([' ', '\t']) {
        Some((k, rest)) => {
            let trimmed = rest.trim_start();
            (k, trimmed, text.len() - trimmed.len() + 1)
        }
        None => (text, "", text.len() + 1),
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// A one-line text (title, question, choice, goal, hint): present and not too long.
fn line_text(s: &str, what: &str, line: usize, column: usize) -> Result<String, ScriptError> {
    if s.is_empty() {
        return Err(error(line, column, format!("{what} is missing")));
    }
    let n = words(s);
    if n > MAX_LINE_WORDS {
        return Err(error(
            line,
            column,
            format!("{what} of {n} words is over the limit of {MAX_LINE_WORDS}"),
        ));
    }
    Ok(s.to_string())
}

/// Text lines to paragraphs: lines joined by spaces, a blank line between paragraphs.
fn paragraphs(lines: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for l in lines {
        if l.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(l);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.join("\n\n")
}

/// A condition of the `expect` language, read by the script parser (as `expect CONDITION`),
/// its errors placed at `column` of `line`.
fn condition(text: &str, line: usize, column: usize) -> Result<Condition, ScriptError> {
    const PREFIX: &str = "expect ";
    match Command::parse(&format!("{PREFIX}{text}")) {
        Ok(Command::Expect(c)) => Ok(c),
        Ok(other) => Err(error(line, column, format!("not a condition: {other}"))),
        Err(e) => Err(error(
            line,
            column + e.column.saturating_sub(PREFIX.len() + 1),
            e.message,
        )),
    }
}

/// The commands of a block, read by the script parser; lines and columns are the file's.
fn block_commands(
    first: usize,
    lines: &[(usize, usize, String)],
) -> Result<Vec<CommandAt>, ScriptError> {
    // The block's text has one line per file line from the block's first, so a line of the
    // script is a line of the file at a fixed offset.
    let mut text = String::new();
    let mut indents = Vec::new();
    let mut next = first;
    for (n, indent, body) in lines {
        while next < *n {
            text.push('\n');
            indents.push(0);
            next += 1;
        }
        text.push_str(body);
        text.push('\n');
        indents.push(*indent);
        next += 1;
    }
    let to_file = |l: usize| first + l.saturating_sub(1);
    let script = Script::parse(&text).map_err(|e| {
        let indent = indents.get(e.line.saturating_sub(1)).copied().unwrap_or(0);
        error(to_file(e.line), e.column + indent, e.message)
    })?;
    Ok((0..script.len())
        .filter_map(|i| {
            Some(CommandAt {
                line: to_file(script.line_of(i)?),
                command: script.command(i)?.clone(),
            })
        })
        .collect())
}

impl Parser {
    /// An indented, blank or comment line: it goes to the open block or text.
    fn indented(&mut self, line: &Line, open: &mut Open) -> Result<(), ScriptError> {
        let comment = line.text.starts_with('#');
        match open {
            Open::Block(_, _, lines) => {
                // Comments and blank lines stay in a block: the script parser skips them, and
                // the block's lines keep their numbers.
                lines.push((line.n, line.indent, line.text.to_string()));
                Ok(())
            }
            Open::StepText | Open::Hint if comment => Ok(()),
            Open::StepText => {
                if let Some(d) = &mut self.draft {
                    d.text.push(line.text.to_string());
                }
                Ok(())
            }
            Open::Hint => {
                if let Some(h) = self.draft.as_mut().and_then(|d| d.hints.last_mut()) {
                    h.push(line.text.to_string());
                }
                Ok(())
            }
            Open::Nothing if line.text.is_empty() || comment => Ok(()),
            Open::Nothing => Err(error(
                line.n,
                line.indent + 1,
                "an indented line belongs to the directive above it: text under read, predict, do, explain or hint, commands under setup, reveal or solution",
            )),
        }
    }

    /// Ends what indented lines were going to.
    fn close(&mut self, open: Open) -> Result<(), ScriptError> {
        let Open::Block(kind, first, lines) = open else {
            return Ok(());
        };
        let commands = block_commands(first + 1, &lines)?;
        match (kind, &mut self.draft) {
            (BlockKind::Setup, None) => self.setup = Some(commands),
            (BlockKind::Setup, Some(d)) => d.setup = Some(commands),
            (BlockKind::Reveal, Some(d)) => d.reveal = Some(commands),
            (BlockKind::Solution, Some(d)) => d.solution = Some((commands, first)),
            (_, None) => {}
        }
        Ok(())
    }

    /// The step being read, if it is a `keyword` step; else an error for `directive`.
    fn draft_of(
        &mut self,
        keyword: &str,
        directive: &str,
        line: usize,
    ) -> Result<&mut Draft, ScriptError> {
        match &mut self.draft {
            Some(d) if d.keyword == keyword => Ok(d),
            _ => Err(error(
                line,
                1,
                format!("`{directive}` belongs to a `{keyword}` step"),
            )),
        }
    }

    /// A line at column 1: a directive. Returns where indented lines after it go.
    fn directive(&mut self, line: &Line) -> Result<Open, ScriptError> {
        let (keyword, rest, col) = split_directive(line.text);
        let n = line.n;
        let header = |p: &Parser, what: &str| {
            if p.draft.is_some() || !p.steps.is_empty() {
                return Err(error(
                    n,
                    1,
                    format!("`{what}` belongs before the first step"),
                ));
            }
            Ok(())
        };
        let once = |set: bool, what: &str| {
            if set {
                return Err(error(n, 1, format!("a second `{what}`")));
            }
            Ok(())
        };
        match keyword {
            "title" => {
                header(self, "title")?;
                once(self.title.is_some(), "title")?;
                self.title = Some(line_text(rest, "the title", n, col)?);
            }
            "summary" => {
                header(self, "summary")?;
                once(self.summary.is_some(), "summary")?;
                self.summary = Some(line_text(rest, "the summary", n, col)?);
            }
            "seed" => {
                header(self, "seed")?;
                once(self.seed.is_some(), "seed")?;
                let seed = rest
                    .parse()
                    .map_err(|_| error(n, col, format!("invalid seed {rest:?}: want a number")))?;
                self.seed = Some(seed);
            }
            "view" => {
                header(self, "view")?;
                once(self.space_time.is_some(), "view")?;
                if rest != "space-time" {
                    return Err(error(
                        n,
                        col,
                        format!(
                            "unknown view {rest:?}: the one a lesson can open with is space-time"
                        ),
                    ));
                }
                self.space_time = Some(true);
            }
            "setup" => {
                let set = match &self.draft {
                    Some(d) => d.setup.is_some(),
                    None => self.setup.is_some() || !self.steps.is_empty(),
                };
                once(set, "setup")?;
                return Ok(Open::Block(BlockKind::Setup, n, Vec::new()));
            }
            "read" | "explain" | "predict" | "do" => {
                self.finish_step()?;
                let keyword: &'static str = match keyword {
                    "read" => "read",
                    "explain" => "explain",
                    "predict" => "predict",
                    _ => "do",
                };
                let mut draft = Draft::new(n, keyword);
                match keyword {
                    "predict" => draft.head = line_text(rest, "the question", n, col)?,
                    "do" => draft.head = line_text(rest, "the task", n, col)?,
                    _ if !rest.is_empty() => draft.text.push(rest.to_string()),
                    _ => {}
                }
                self.draft = Some(draft);
                return Ok(Open::StepText);
            }
            "choice" => {
                let d = self.draft_of("predict", "choice", n)?;
                if d.choices.len() == MAX_CHOICES {
                    return Err(error(n, 1, format!("more than {MAX_CHOICES} choices")));
                }
                let (text, cond) = rest.rsplit_once(": ").ok_or_else(|| {
                    error(n, col, "want `choice TEXT: CONDITION` (the condition that makes this choice the right one)")
                })?;
                let cond_col = col + text.len() + 2;
                d.choices.push(Choice {
                    line: n,
                    text: line_text(text.trim(), "the choice", n, col)?,
                    condition: condition(cond.trim(), n, cond_col)?,
                });
            }
            "answer" => {
                let d = self.draft_of("predict", "answer", n)?;
                once(d.answer.is_some(), "answer")?;
                let a: usize = rest.parse().map_err(|_| {
                    error(
                        n,
                        col,
                        format!("invalid answer {rest:?}: want the number of a choice, from 1"),
                    )
                })?;
                d.answer = Some((a, n));
            }
            "reveal" => {
                let d = self.draft_of("predict", "reveal", n)?;
                once(d.reveal.is_some(), "reveal")?;
                return Ok(Open::Block(BlockKind::Reveal, n, Vec::new()));
            }
            "goal" => {
                let d = self.draft_of("do", "goal", n)?;
                if d.goals.len() == MAX_GOALS {
                    return Err(error(n, 1, format!("more than {MAX_GOALS} goal lines")));
                }
                d.goals.push((condition(rest, n, col)?, n));
            }
            "hold" => {
                let d = self.draft_of("do", "hold", n)?;
                once(d.hold.is_some(), "hold")?;
                let ms = parse_duration(rest).map_err(|m| error(n, col, m))?;
                d.hold =
                    Some(limits::duration(ms, MAX_BUDGET, "a hold").map_err(|m| error(n, col, m))?);
            }
            "rule" => {
                let d = self.draft_of("do", "rule", n)?;
                let mut at = col;
                for word in rest.split(' ') {
                    if !word.is_empty() {
                        if d.rules.len() == MAX_RULES {
                            return Err(error(n, at, format!("more than {MAX_RULES} rules")));
                        }
                        d.rules
                            .push(Rule::parse(word).map_err(|m| error(n, at, m))?);
                    }
                    at += word.len() + 1;
                }
                if rest.is_empty() {
                    return Err(error(n, col, "which rule? e.g. `rule no-crash`"));
                }
            }
            "budget" => {
                let d = self.draft_of("do", "budget", n)?;
                once(d.budget.is_some(), "budget")?;
                d.budget = Some(budget(rest, n, col)?);
            }
            "hint" => {
                let d = self.draft_of("do", "hint", n)?;
                if d.hints.len() == MAX_HINTS {
                    return Err(error(n, 1, format!("more than {MAX_HINTS} hints")));
                }
                d.hints.push(vec![line_text(rest, "the hint", n, col)?]);
                return Ok(Open::Hint);
            }
            "solution" => {
                let d = self.draft_of("do", "solution", n)?;
                once(d.solution.is_some(), "solution")?;
                return Ok(Open::Block(BlockKind::Solution, n, Vec::new()));
            }
            other if crate::command::COMMANDS.contains(&other) => {
                return Err(error(
                    n,
                    1,
                    format!("`{other}` is a command of the script language: indent it under setup, reveal or solution"),
                ));
            }
            other => {
                return Err(error(
                    n,
                    1,
                    format!("unknown directive {other:?}: want one of {DIRECTIVES}"),
                ));
            }
        }
        Ok(Open::Nothing)
    }

    /// Turns the step being read into a [`Step`], checking that it is complete.
    fn finish_step(&mut self) -> Result<(), ScriptError> {
        let Some(d) = self.draft.take() else {
            return Ok(());
        };
        if self.steps.len() == MAX_STEPS {
            return Err(error(d.line, 1, format!("more than {MAX_STEPS} steps")));
        }
        let text = paragraphs(&d.text);
        let n = words(&text);
        if n > MAX_TEXT_WORDS {
            return Err(error(
                d.line,
                1,
                format!("the text of this step is {n} words, over the limit of {MAX_TEXT_WORDS}"),
            ));
        }
        let activity = match d.keyword {
            "read" | "explain" if text.is_empty() => {
                return Err(error(d.line, 1, format!("`{}` without text", d.keyword)));
            }
            "read" => Activity::Read,
            "explain" => Activity::Explain,
            "predict" => {
                if d.choices.len() < MIN_CHOICES {
                    return Err(error(
                        d.line,
                        1,
                        format!("a prediction needs {MIN_CHOICES} to {MAX_CHOICES} `choice` lines"),
                    ));
                }
                let claimed = match d.answer {
                    Some((a, line)) if a == 0 || a > d.choices.len() => {
                        return Err(error(
                            line,
                            1,
                            format!(
                                "answer {a}: the choices are numbered 1 to {}",
                                d.choices.len()
                            ),
                        ));
                    }
                    Some((a, _)) => Some(a - 1),
                    None => None,
                };
                Activity::Predict(Prediction {
                    question: d.head,
                    choices: d.choices,
                    claimed,
                    claimed_line: d.answer.map_or(d.line, |(_, l)| l),
                    reveal: d.reveal.unwrap_or_default(),
                })
            }
            _ => {
                let goal_line =
                    d.goals.first().map(|g| g.1).ok_or_else(|| {
                        error(d.line, 1, "an exercise needs a `goal CONDITION` line")
                    })?;
                let budget = d.budget.unwrap_or_default();
                let hold = d.hold.unwrap_or(0);
                if hold > budget.time {
                    return Err(error(
                        d.line,
                        1,
                        format!(
                            "the goal must hold for {} but the budget is {}",
                            crate::units::format_duration(hold),
                            crate::units::format_duration(budget.time)
                        ),
                    ));
                }
                let (solution, solution_line) = d.solution.ok_or_else(|| {
                    error(
                        d.line,
                        1,
                        "an exercise needs a `solution` block: the commands \"show me\" plays",
                    )
                })?;
                if solution.is_empty() {
                    return Err(error(solution_line, 1, "the solution has no commands"));
                }
                Activity::Do(Exercise {
                    task: d.head,
                    goals: d.goals.into_iter().map(|g| g.0).collect(),
                    goal_line,
                    hold,
                    rules: d.rules,
                    budget,
                    hints: d.hints.iter().map(|h| paragraphs(h)).collect(),
                    solution,
                    solution_line,
                })
            }
        };
        self.steps.push(Step {
            line: d.line,
            text,
            setup: d.setup.unwrap_or_default(),
            activity,
        });
        Ok(())
    }

    /// The lesson, once every line is read: complete, and within its bounds.
    fn lesson(self) -> Result<Lesson, ScriptError> {
        let title = self
            .title
            .ok_or_else(|| error(1, 1, "a lesson needs a `title` line"))?;
        let setup = self.setup.filter(|s| !s.is_empty()).ok_or_else(|| {
            error(
                1,
                1,
                "a lesson needs a `setup` block with the commands that create its cluster",
            )
        })?;
        if self.steps.is_empty() {
            return Err(error(
                1,
                1,
                "a lesson needs at least one step: read, predict, do or explain",
            ));
        }
        let lesson = Lesson {
            title,
            summary: self.summary.unwrap_or_default(),
            seed: self.seed.unwrap_or(0),
            space_time: self.space_time.unwrap_or(false),
            setup,
            steps: self.steps,
        };
        within_bounds(&lesson)?;
        Ok(lesson)
    }
}

impl Draft {
    fn new(line: usize, keyword: &'static str) -> Draft {
        Draft {
            line,
            keyword,
            head: String::new(),
            text: Vec::new(),
            setup: None,
            choices: Vec::new(),
            answer: None,
            reveal: None,
            goals: Vec::new(),
            hold: None,
            rules: Vec::new(),
            budget: None,
            hints: Vec::new(),
            solution: None,
        }
    }
}

/// `budget 20s`, `budget actions=3`, `budget 20s actions=3`.
fn budget(rest: &str, line: usize, col: usize) -> Result<Budget, ScriptError> {
    let mut b = Budget::default();
    let mut at = col;
    if rest.is_empty() {
        return Err(error(
            line,
            col,
            "want e.g. `budget 20s`, `budget actions=3` or both",
        ));
    }
    for word in rest.split(' ') {
        let err = |m: String| error(line, at, m);
        if let Some(n) = word.strip_prefix("actions=") {
            let n: u64 = n
                .parse()
                .map_err(|_| err(format!("{word}: {n:?} is not a number")))?;
            b.actions = Some(
                limits::count(n, MAX_ACTIONS as u64, "an action budget").map_err(err)? as usize,
            );
        } else if !word.is_empty() {
            let ms = parse_duration(word).map_err(err)?;
            b.time = limits::duration(ms, MAX_BUDGET, "a time budget").map_err(err)?;
        }
        at += word.len() + 1;
    }
    Ok(b)
}

/// The time a command asks for: a `run`'s duration, a `run-until`'s `max`.
fn time_asked(cmd: &Command) -> Millis {
    match cmd {
        Command::Run(ms) => *ms,
        Command::RunUntil { max, .. } => *max,
        _ => 0,
    }
}

/// A lesson's commands together stay within the script language's command limit, and its
/// commands and budgets together within [`MAX_LESSON_TIME`]: so one check of a lesson from a
/// share link ends in bounded time.
fn within_bounds(lesson: &Lesson) -> Result<(), ScriptError> {
    let end = Lesson::end_of(lesson.steps.len().saturating_sub(1));
    let commands: Vec<&CommandAt> = (0..end).flat_map(|i| lesson.segment(i)).collect();
    if let Some(c) = commands.get(limits::MAX_SCRIPT_COMMANDS) {
        return Err(error(
            c.line,
            1,
            format!(
                "a lesson of more than {} commands",
                limits::MAX_SCRIPT_COMMANDS
            ),
        ));
    }
    let budgets = lesson.steps.iter().filter_map(|s| match &s.activity {
        Activity::Do(e) => Some((e.goal_line, e.budget.time)),
        _ => None,
    });
    let mut time: Millis = 0;
    for (line, ms) in commands
        .iter()
        .map(|c| (c.line, time_asked(&c.command)))
        .chain(budgets)
    {
        time = time.saturating_add(ms);
        if time > MAX_LESSON_TIME {
            return Err(error(
                line,
                1,
                format!(
                    "the lesson's commands and budgets ask for more than {} of virtual time together",
                    crate::units::format_duration(MAX_LESSON_TIME)
                ),
            ));
        }
    }
    Ok(())
}
