//! A node's Ready cycle as it ran: the last Ready it handled, whole, and its recent ones with
//! when each step was done. On automatic a Ready is taken, persisted, sent, applied and
//! advanced within a few virtual milliseconds; this is where a learner sees that it happened.

use cluster::view::ClusterView;
use yew::prelude::*;

use crate::components::ready_inspector::ready_fields;
use crate::driver::{DriverHandle, Shared};
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct ReadyHistoryProps {
    pub driver: DriverHandle,
    /// The cluster shown: the history is read again when it changes.
    pub view: Shared<ClusterView>,
    pub id: u64,
    pub on_action: Callback<Action>,
}

#[component(ReadyHistory)]
pub fn ready_history(props: &ReadyHistoryProps) -> Html {
    let history = {
        let driver = props.driver.clone();
        use_memo((props.view.clone(), props.id), move |(_, id)| {
            driver.ready_history(*id)
        })
    };
    let Some(h) = history.as_ref() else {
        return html! {};
    };
    let id = props.id;
    let title_id = format!("ready-history-{id}");
    let last = match &h.last {
        Some(r) => html! {
            <details class="last-ready" data-testid="last-ready" open=true>
                <summary>{ "Last Ready handled" }
                    if let Some(l) = h.recent.first() {
                        <span class="sub">{ format!(" taken at {} ms", l.taken_ms) }</span>
                    }
                </summary>
                { ready_fields(r) }
            </details>
        },
        None => html! {
            <p class="ready-none" data-testid="last-ready">
                { format!("Node {id} has not handled a Ready yet.") }
            </p>
        },
    };
    let lines = h.recent.iter().map(|l| {
        let event = l.event;
        // Going to the moment the Ready was taken shows it in progress, step by step.
        let onclick = props
            .on_action
            .reform(move |_: MouseEvent| Action::Seek(event + 1));
        html! {
            <li>
                <button class="link" {onclick}
                    title="Go to the moment it was taken, to see it in progress">
                    { format!("{} ms", l.taken_ms) }
                </button>
                <span class="rh-contents">{ &l.contents }</span>
                <span class="rh-steps">{ &l.steps }</span>
            </li>
        }
    });
    html! {
        <section class="card ready-history" aria-labelledby={title_id.clone()}>
            <header class="ready-head">
                <h3 id={title_id}>{ "Ready history" }</h3>
                <span class="sub">{ "what this node did with its last Readys" }</span>
            </header>
            { last }
            if !h.recent.is_empty() {
                <ol class="ready-list" aria-label="Recent Readys, latest first">{ for lines }</ol>
            }
        </section>
    }
}
