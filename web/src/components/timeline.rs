//! The timeline bar: the checker's light, the slider over every event of the run, and where the
//! page stands in the history. Dragging the slider shows the cluster as it was after that event;
//! acting there forks the timeline, and the abandoned futures are counted here.

use cluster::view::CheckerView;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::driver::{Shared, TimelineInfo};
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The event shown (events seen by the shown cluster).
    pub cursor: u64,
    /// Events in the whole timeline.
    pub events: u64,
    pub checker: CheckerView,
    pub info: Shared<TimelineInfo>,
    pub on_action: Callback<Action>,
}

/// The checker's verdict in a few words (the whole sentence is the light's tooltip).
pub fn checker_text(checker: &CheckerView) -> String {
    if checker.ok {
        return "safety holds".to_string();
    }
    let what = checker
        .violation
        .as_deref()
        .map(|v| v.split(" at event").next().unwrap_or(v))
        .unwrap_or("violation");
    match checker.event {
        Some(e) => format!("{what} at event #{e}"),
        None => what.to_string(),
    }
}

#[component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let on_scrub = {
        let cb = props.on_action.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                if let Ok(n) = input.value().parse::<u64>() {
                    cb.emit(Action::Seek(n));
                }
            }
        })
    };
    let present = props
        .on_action
        .reform(|_: MouseEvent| Action::BackToPresent);
    let jump = props
        .on_action
        .reform(|_: MouseEvent| Action::JumpToViolation);
    let checker = &props.checker;
    let info = &props.info;
    let forks = info.branches.len();
    let branches = info.branches.iter().rev().map(|b| {
        html! {
            <li>{ format!("left at event #{}: a future of {} events", b.forked_at, b.events) }</li>
        }
    });
    html! {
        <div class="timeline-bar">
            if checker.ok {
                <span class="checker ok" role="status" data-testid="checker"
                    title="Election safety, log matching, leader completeness, state machine safety, durability, linearizability">
                    <span class="light" aria-hidden="true">{ "●" }</span>
                    { format!(" checker: {}", checker_text(checker)) }
                </span>
            } else {
                <button class="checker bad" role="status" data-testid="checker" onclick={jump}
                    title={format!("{}\nClick to see the cluster right after that event.",
                        checker.violation.as_deref().unwrap_or(""))}>
                    <span class="light" aria-hidden="true">{ "▲" }</span>
                    { format!(" {} · show", checker_text(checker)) }
                </button>
            }
            <label class="scrubber">
                <span class="label-text">{ "timeline" }</span>
                <input type="range" min="0" max={props.events.to_string()} value={props.cursor.to_string()}
                    step="1" aria-label="Timeline: event shown" data-testid="timeline"
                    aria-valuetext={format!("event {} of {}", props.cursor, props.events)}
                    oninput={on_scrub}
                    title="Drag to see the cluster after any event; ← steps one event back" />
            </label>
            <output class="position" data-testid="timeline-position">{ format!("event {} / {}", props.cursor, props.events) }</output>
            if forks > 0 {
                <details class="forks">
                    <summary class="tag" data-testid="forks"
                        title="Acting in the past abandoned these futures">
                        // A branch icon drawn rather than typed: not every font has one.
                        <svg class="fork-icon" width="10" height="12" viewBox="0 0 10 12" aria-hidden="true">
                            <circle cx="2.5" cy="2" r="1.6" />
                            <circle cx="2.5" cy="10" r="1.6" />
                            <circle cx="7.5" cy="4" r="1.6" />
                            <path d="M2.5 3.6 V8.4 M7.5 5.6 C7.5 8 2.5 7 2.5 8.4" />
                        </svg>
                        { format!(" {forks} {}", if forks == 1 { "fork" } else { "forks" }) }
                    </summary>
                    <ul aria-label="Abandoned futures, latest first">{ for branches }</ul>
                </details>
            }
            if info.in_past {
                <span class="past-note" data-testid="past-note"
                    title="Playing, stepping or any fault from here starts a new timeline; the old future is kept as a fork">
                    { "the past · acting forks" }</span>
                <button class="present" onclick={present} aria-keyshortcuts="End"
                    data-testid="back-to-present">{ "back to the present" }</button>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_names_the_event() {
        assert_eq!(checker_text(&CheckerView::default()), "safety holds");
        let bad = CheckerView {
            ok: false,
            violation: Some("leader completeness violated".into()),
            event: Some(42),
            nodes: vec![2],
        };
        assert_eq!(
            checker_text(&bad),
            "leader completeness violated at event #42"
        );
        let worded = CheckerView {
            violation: Some("durability violated at event #42: node 4 lost entries".into()),
            ..bad
        };
        assert_eq!(checker_text(&worded), "durability violated at event #42");
    }
}
