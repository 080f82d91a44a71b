//! The bottom strip: the checker's light, the timeline slider over every event, and the tail of
//! the event log. Scrubbing waits for the cluster's history; the slider shows where the run is.

use std::rc::Rc;

use cluster::view::ClusterView;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub view: Rc<ClusterView>,
}

#[component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let view = &props.view;
    // The filter is the reader's own business, not the cluster's: local state, not an action.
    let filter = use_state(String::new);
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                filter.set(input.value());
            }
        })
    };
    let needle = filter.to_lowercase();
    let checker = &view.checker;
    let checker_text = if checker.ok {
        "safety holds".to_string()
    } else {
        let at = checker
            .event
            .map_or(String::new(), |e| format!(" at event {e}"));
        format!(
            "violation{at}: {}",
            checker.violation.as_deref().unwrap_or("unnamed")
        )
    };
    html! {
        <div class="timeline-inner">
            <div class="timeline-bar">
                <span class={classes!("checker", if checker.ok { "ok" } else { "bad" })} role="status"
                    title="Election safety, log matching, leader completeness, state machine safety, monotonic commit">
                    <span class="light" aria-hidden="true">{ if checker.ok { "●" } else { "▲" } }</span>
                    { format!(" checker: {checker_text}") }
                </span>
                <label class="scrubber">
                    <span class="label-text">{ "timeline" }</span>
                    <input type="range" min="0" max={view.events.to_string()} value={view.cursor.to_string()}
                        disabled=true aria-label="Timeline: event shown"
                        aria-valuetext={format!("event {} of {}", view.cursor, view.events)}
                        title="Time travel arrives with the cluster's history" />
                    <output>{ format!("event {} / {}", view.cursor, view.events) }</output>
                </label>
                <input class="event-filter" type="search" placeholder="filter events"
                    aria-label="Filter the event log" value={(*filter).clone()} oninput={on_filter} />
            </div>
            <ol class="event-log" aria-label="Event log" role="log">
                { for view.recent_events.iter().rev()
                    .filter(|e| needle.is_empty() || e.text.to_lowercase().contains(&needle))
                    .take(40).map(|e| html! {
                    <li>
                        <span class="ev-index">{ format!("#{}", e.index) }</span>
                        <span class="ev-time">{ format!("{} ms", e.at_ms) }</span>
                        if let Some(n) = e.node { <span class="ev-node">{ format!("n{n}") }</span> }
                        <span class="ev-text">{ &e.text }</span>
                    </li>
                }) }
            </ol>
        </div>
    }
}
