//! The list of lessons, opened with "Learn": the course in order, each lesson with how far this
//! browser got in it, and a box to open a lesson of one's own (a teacher's file, pasted).

use std::rc::Rc;

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::course::{header, COURSE};
use crate::lesson_progress::{self, CourseProgress};
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct LearnListProps {
    /// Why the last lesson did not open (a pasted one that does not parse, say).
    pub error: Option<String>,
    pub on_action: Callback<Action>,
}

/// Steps in a lesson's text, counted without parsing it (a step starts with one of the four
/// directives at the start of a line).
fn steps_in(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            let word = l.split(' ').next().unwrap_or("");
            matches!(word, "read" | "predict" | "do" | "explain")
        })
        .count()
}

#[component(LearnList)]
pub fn learn_list(props: &LearnListProps) -> Html {
    let close_ref = use_node_ref();
    let own_ref = use_node_ref();
    // Read once when the list opens: the progress changes only while a lesson is open.
    let kept: Rc<CourseProgress> = use_memo((), |_| lesson_progress::load());
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(button) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let close = props.on_action.reform(|_: MouseEvent| Action::ToggleLearn);
    let keep = Callback::from(|e: MouseEvent| e.stop_propagation());
    let rows = COURSE.iter().enumerate().map(|(i, text)| {
        let n = i + 1;
        let steps = steps_in(text);
        let codes = kept.get(&n).map_or("", String::as_str);
        let done = lesson_progress::done(codes).min(steps);
        let step = lesson_progress::resume_at(codes, steps);
        let open = props.on_action.reform(move |_: MouseEvent| Action::OpenLesson {
            number: Some(n),
            text: Rc::from(*text),
            step,
        });
        let label = if done == 0 {
            "Start"
        } else if done >= steps {
            "Again"
        } else {
            "Continue"
        };
        html! {
            <li class={classes!("lesson-row", (done >= steps).then_some("complete"))} data-lesson={n.to_string()}>
                <div class="lesson-text">
                    <strong>{ format!("{n}. {}", header(text, "title")) }</strong>
                    <span class="summary">{ header(text, "summary").to_string() }</span>
                </div>
                <progress max={steps.to_string()} value={done.to_string()}
                    aria-label={format!("Lesson {n}: {done} of {steps} steps done")}></progress>
                <span class="done" data-testid="lesson-progress">{ format!("{done}/{steps}") }</span>
                <button class="primary" onclick={open} aria-label={format!("{label} lesson {n}")}>{ label }</button>
            </li>
        }
    });
    let open_own = {
        let own_ref = own_ref.clone();
        props.on_action.reform(move |_: MouseEvent| {
            let text = own_ref
                .cast::<HtmlTextAreaElement>()
                .map(|t| t.value())
                .unwrap_or_default();
            Action::OpenLesson {
                number: None,
                text: Rc::from(text),
                step: 0,
            }
        })
    };
    html! {
        <div class="overlay" onclick={close.clone()}>
            <div class="dialog learn" role="dialog" aria-modal="true" aria-labelledby="learn-title" onclick={keep}>
                <h2 id="learn-title">{ "Learn Raft" }</h2>
                <p class="hint">
                    { "Fifteen short lessons on the live cluster, from elections to learners: read, predict what happens before it does, then make it happen. Your progress stays in this browser." }
                </p>
                <ol class="lesson-list">{ for rows }</ol>
                <details class="own-lesson">
                    <summary>{ "Open a lesson of your own" }</summary>
                    <label for="own-lesson-text">{ "Lesson text (docs/lessons.md describes the format)" }</label>
                    <textarea id="own-lesson-text" ref={own_ref} rows="6" spellcheck="false" />
                    <button onclick={open_own}>{ "Open it" }</button>
                    if let Some(e) = &props.error {
                        <p class="lesson-note" role="alert">{ e.clone() }</p>
                    }
                </details>
                <button ref={close_ref} onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
