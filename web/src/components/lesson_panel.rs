//! The lesson panel, beside the live diagram: the lesson's steps as a row of marks, the current
//! step's text, and what it asks — choices before a reveal, then which was right; an exercise's
//! task, rules, the goal's live status, its budget, hints and "show me" — with back and next.
//! Everything it shows comes from the session's [`LessonFrame`]; it only sends lesson acts.

use cluster::lesson::{Activity, Exercise, GoalStatus, Prediction, Progress, Step};
use cluster::units::format_duration;
use yew::prelude::*;

use crate::driver::{LessonAct, LessonFrame, Shared};
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct LessonPanelProps {
    pub lesson: Shared<LessonFrame>,
    /// The course number (from 1), for the heading; `None` for a lesson of one's own.
    pub number: Option<usize>,
    /// The lesson's commands are running (a step's start, a reveal, "show me").
    pub busy: bool,
    /// The last refusal (a broken rule, say), shown where the learner is looking.
    pub error: Option<String>,
    /// Time runs: an exercise reminds a learner who has not pressed play yet.
    pub playing: bool,
    /// A link that opens this lesson (`?lesson=N`, or the lesson's text in `#lesson=`).
    pub share: AttrValue,
    pub on_action: Callback<Action>,
}

fn progress_class(p: Progress) -> &'static str {
    match p {
        Progress::Todo => "todo",
        Progress::Seen => "seen",
        Progress::Predicted { correct: true } => "right",
        Progress::Predicted { correct: false } => "wrong",
        Progress::Shown => "shown",
        Progress::Reached => "reached",
    }
}

fn progress_words(p: Progress) -> &'static str {
    match p {
        Progress::Todo => "not done",
        Progress::Seen => "read",
        Progress::Predicted { correct: true } => "predicted rightly",
        Progress::Predicted { correct: false } => "predicted wrongly",
        Progress::Shown => "shown",
        Progress::Reached => "solved",
    }
}

fn paragraphs(text: &str) -> Html {
    html! { <>{ for text.split("\n\n").map(|p| html! { <p>{ p.to_string() }</p> }) }</> }
}

#[component(LessonPanel)]
pub fn lesson_panel(props: &LessonPanelProps) -> Html {
    // How many hints of which step the learner opened (hooks come first, unconditionally).
    let hints = use_state(|| (usize::MAX, 0usize));
    let frame = &*props.lesson;
    let lesson = &*frame.lesson;
    let k = frame.current;
    let act = |a: LessonAct| {
        props
            .on_action
            .reform(move |_: MouseEvent| Action::Lesson(a))
    };
    let Some(step) = lesson.steps.get(k) else {
        return html! {};
    };
    let title = match props.number {
        Some(n) => format!("Lesson {n}: {}", lesson.title),
        None => lesson.title.clone(),
    };
    let marks = lesson.steps.iter().enumerate().map(|(i, s)| {
        let p = frame.progress.get(i).copied().unwrap_or_default();
        let label = format!(
            "Step {} ({}): {}",
            i + 1,
            s.activity.keyword(),
            progress_words(p)
        );
        html! {
            <li>
                <button
                    class={classes!("step-mark", progress_class(p), (i == k).then_some("current"))}
                    aria-label={label.clone()}
                    title={label}
                    aria-current={(i == k).then_some("step")}
                    disabled={props.busy}
                    onclick={act(LessonAct::Go(i))}
                >{ i + 1 }</button>
            </li>
        }
    });
    let body = match &step.activity {
        Activity::Read | Activity::Explain => paragraphs(&step.text),
        Activity::Predict(p) => prediction(props, frame, step, p),
        Activity::Do(e) => exercise(props, frame, step, e, &hints),
    };
    let last = k + 1 >= lesson.steps.len();
    html! {
        <section class="lesson-panel" data-testid="lesson" aria-label="Lesson">
            <header>
                <h2>{ title }</h2>
                <button class="close" aria-label="Close the lesson"
                    onclick={props.on_action.reform(|_: MouseEvent| Action::CloseLesson)}>{ "×" }</button>
            </header>
            <ol class="step-marks" aria-label="Steps">{ for marks }</ol>
            <div class="step" data-step={k.to_string()} data-kind={step.activity.keyword()}>
                { body }
            </div>
            if let Some(e) = &props.error {
                <p class="lesson-note" role="alert" data-testid="lesson-note">{ e.clone() }</p>
            }
            if props.busy {
                <p class="lesson-busy" role="status">
                    { "The cluster is running the lesson's commands… " }
                    <button onclick={props.on_action.reform(|_: MouseEvent| Action::StopScript)}>{ "Stop" }</button>
                </p>
            }
            <nav class="lesson-nav">
                <button data-testid="lesson-back" disabled={k == 0 || props.busy}
                    onclick={act(LessonAct::Go(k.saturating_sub(1)))}>{ "← Back" }</button>
                <span class="where">
                    { format!("{} of {} · ", k + 1, lesson.steps.len()) }
                    <a href={props.share.clone()} data-testid="lesson-link">{ "link" }</a>
                </span>
                <button class="primary" data-testid="lesson-next" disabled={last || props.busy}
                    onclick={act(LessonAct::Go(k + 1))}>{ "Next →" }</button>
            </nav>
        </section>
    }
}

fn prediction(props: &LessonPanelProps, frame: &LessonFrame, step: &Step, p: &Prediction) -> Html {
    let reveal = frame.reveal;
    let choices = p.choices.iter().enumerate().map(|(i, c)| {
        let state = reveal.map(|r| {
            if i == r.right {
                "right"
            } else if i == r.chosen {
                "wrong"
            } else {
                "other"
            }
        });
        let onclick = props
            .on_action
            .reform(move |_: MouseEvent| Action::Lesson(LessonAct::Answer(i)));
        html! {
            <li>
                <button class={classes!("choice", state)} data-testid="choice"
                    aria-pressed={reveal.map(|r| (r.chosen == i).to_string())}
                    disabled={reveal.is_some() || props.busy} {onclick}>
                    { c.text.clone() }
                    if state == Some("right") { <span class="verdict">{ " ✓ what the run did" }</span> }
                    if state == Some("wrong") { <span class="verdict">{ " ✗ your answer" }</span> }
                </button>
            </li>
        }
    });
    html! {
        <>
            <p class="question"><strong>{ p.question.clone() }</strong></p>
            { paragraphs(&step.text) }
            <ol class="choices">{ for choices }</ol>
            if let Some(r) = reveal {
                <p class={classes!("reveal", if r.is_correct() { "right" } else { "wrong" })}
                    data-testid="reveal" role="status">
                    { if r.is_correct() {
                        "Right: the cluster did just that. Look at the event log to see how.".to_string()
                    } else {
                        format!("Not this time: the run made choice {} true. The event log shows why.", r.right + 1)
                    } }
                </p>
            } else {
                <p class="hint">{ "Choose before the cluster runs: it then shows the truth." }</p>
            }
        </>
    }
}

fn exercise(
    props: &LessonPanelProps,
    frame: &LessonFrame,
    step: &Step,
    e: &Exercise,
    hints_shown: &UseStateHandle<(usize, usize)>,
) -> Html {
    let shown = if hints_shown.0 == frame.current {
        hints_shown.1
    } else {
        0
    };
    let more_hint = {
        let hints_shown = hints_shown.clone();
        let k = frame.current;
        Callback::from(move |_: MouseEvent| hints_shown.set((k, shown + 1)))
    };
    let rules = e.rules.iter().map(|r| html! { <li>{ r.describe() }</li> });
    let restart = {
        let k = frame.current;
        props
            .on_action
            .reform(move |_: MouseEvent| Action::Lesson(LessonAct::Go(k)))
    };
    html! {
        <>
            <p class="task"><strong>{ e.task.clone() }</strong></p>
            { paragraphs(&step.text) }
            if !e.rules.is_empty() {
                <ul class="rules" aria-label="Rules">{ for rules }</ul>
            }
            { goal_status(e, frame.goal.as_ref()) }
            if !props.playing && !props.busy && !frame.goal.as_ref().is_some_and(|g| g.reached) {
                <p class="hint">{ "Time stands still until you press ▶ (or Space)." }</p>
            }
            <ul class="hints" aria-label="Hints">
                { for e.hints.iter().take(shown).map(|h| html! { <li>{ h.clone() }</li> }) }
            </ul>
            <div class="exercise-buttons">
                if shown < e.hints.len() {
                    <button onclick={more_hint}>{ if shown == 0 { "A hint" } else { "Another hint" } }</button>
                }
                <button data-testid="show-me" disabled={props.busy}
                    onclick={props.on_action.reform(|_: MouseEvent| Action::Lesson(LessonAct::ShowMe))}>{ "Show me" }</button>
                <button disabled={props.busy} onclick={restart}>{ "Start over" }</button>
            </div>
        </>
    }
}

/// The goal as it stands on the live cluster, and the budget.
fn goal_status(e: &Exercise, goal: Option<&GoalStatus>) -> Html {
    let Some(g) = goal else {
        return html! { <p class="goal" data-testid="goal-status">{ format!("Goal: {}", e.goal_text()) }</p> };
    };
    let (class, words) = if g.reached {
        ("reached", "Goal reached".to_string())
    } else if g.shown {
        (
            "shown",
            "Shown by “show me”: start over to solve it yourself".to_string(),
        )
    } else if g.over_budget {
        (
            "over",
            "Over the budget: start over to try again".to_string(),
        )
    } else {
        match &g.holds {
            Ok(()) if g.held < g.hold => (
                "holding",
                format!(
                    "Holding for {} of {}",
                    format_duration(g.held),
                    format_duration(g.hold)
                ),
            ),
            Ok(()) => ("holding", "The goal holds".to_string()),
            Err(why) => ("open", format!("Not yet: {why}")),
        }
    };
    let actions = g
        .action_budget
        .map(|a| format!(", {} of {a} actions", g.actions_used))
        .unwrap_or_default();
    html! {
        <div class={classes!("goal", class)} data-testid="goal-status" data-reached={g.reached.to_string()}>
            <p><strong>{ format!("Goal: {}", e.goal_text()) }</strong></p>
            <p role="status">{ words }</p>
            <p class="budget">{ format!("Time {} of {}{actions}", format_duration(g.time_used), format_duration(g.time_budget)) }</p>
        </div>
    }
}
