//! The event log: the latest events of the shown cluster, newest first, each with the sentence
//! that explains it, the section of the Raft paper the rule comes from, and the lines etcd raft
//! logged while it happened. Filterable by node, level, kind and text; clicking an event's
//! number shows the cluster right after it.

use cluster::event::EventKind;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::driver::{EventFilter, EventLine, Shared};
use crate::state::Action;

/// The levels of the filter, as etcd names them.
const LEVELS: [&str; 4] = ["DEBUG", "INFO", "WARN", "ERROR"];

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    pub events: Shared<Vec<EventLine>>,
    pub filter: EventFilter,
    /// The nodes to filter by.
    pub nodes: Vec<u64>,
    pub on_action: Callback<Action>,
}

#[derive(Properties, PartialEq)]
struct EventRowProps {
    line: EventLine,
    on_action: Callback<Action>,
}

#[component(EventRow)]
fn event_row(props: &EventRowProps) -> Html {
    let e = &props.line;
    let index = e.index;
    let seek = props
        .on_action
        .reform(move |_: MouseEvent| Action::Seek(index + 1));
    html! {
        <li class={classes!("event", format!("kind-{}", e.kind), e.violation.then_some("violation"))}
            data-event={index.to_string()}>
            <button class="ev-index" onclick={seek} title="Show the cluster right after this event"
                aria-label={format!("Go to event {index}")}>{ format!("#{index}") }</button>
            <span class="ev-time">{ format!("{} ms", e.at_ms) }</span>
            <span class="ev-kind">{ e.kind }</span>
            <span class="ev-node">{ e.node.map(|n| format!("n{n}")).unwrap_or_default() }</span>
            <span class="ev-text">
                { &e.text }
                if let Some(s) = &e.section {
                    <span class="ev-why" title="Where the rule comes from: the Raft paper (§) or Ongaro's thesis">{ s }</span>
                }
                if !e.log.is_empty() {
                    <ul class="ev-log">
                        { for e.log.iter().map(|l| html! {
                            <li class={format!("lvl-{}", l.level.to_ascii_lowercase())}>
                                <span class="lvl">{ l.level }</span>{ " " }{ &l.text }
                            </li>
                        }) }
                    </ul>
                }
            </span>
        </li>
    }
}

#[component(EventLog)]
pub fn event_log(props: &EventLogProps) -> Html {
    let filter = &props.filter;
    let change = |f: fn(&mut EventFilter, String)| {
        let cb = props.on_action.clone();
        let current = filter.clone();
        move |value: String| {
            let mut next = current.clone();
            f(&mut next, value);
            cb.emit(Action::Filter(next));
        }
    };
    let on_select = |f: fn(&mut EventFilter, String)| {
        let apply = change(f);
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                apply(s.value());
            }
        })
    };
    let on_node = on_select(|f, v| f.node = v.parse().ok());
    let on_level = on_select(|f, v| f.level = v.parse().unwrap_or(1));
    let on_kind = on_select(|f, v| match v.as_str() {
        "" => {
            f.kind = None;
            f.hide_ticks = true;
        }
        "*" => {
            f.kind = None;
            f.hide_ticks = false;
        }
        k => f.kind = Some(k.to_string()),
    });
    let on_text = {
        let apply = change(|f, v| f.text = v);
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                apply(i.value());
            }
        })
    };
    let kind_value = match (&filter.kind, filter.hide_ticks) {
        (Some(k), _) => k.clone(),
        (None, true) => String::new(),
        (None, false) => "*".to_string(),
    };
    html! {
        <div class="event-log-panel">
            <div class="event-filters" role="group" aria-label="Filter the event log">
                <select aria-label="Events of node" onchange={on_node} data-testid="filter-node">
                    <option value="" selected={filter.node.is_none()}>{ "all nodes" }</option>
                    { for props.nodes.iter().map(|&n| html! {
                        <option value={n.to_string()} selected={filter.node == Some(n)}>{ format!("node {n}") }</option>
                    }) }
                </select>
                <select aria-label="Lowest log level" onchange={on_level} data-testid="filter-level"
                    title="Raft's log lines at this level and above; at WARN and above only the events that logged one">
                    { for LEVELS.iter().enumerate().map(|(i, l)| html! {
                        <option value={i.to_string()} selected={usize::from(filter.level) == i}>{ format!("{l}+") }</option>
                    }) }
                </select>
                <select aria-label="Kind of event" onchange={on_kind} data-testid="filter-kind">
                    <option value="" selected={kind_value.is_empty()}>{ "all but ticks" }</option>
                    <option value="*" selected={kind_value == "*"}>{ "every kind" }</option>
                    // The cluster's own list, so a new kind of event is offered at once.
                    { for EventKind::ALL.iter().map(|k| html! {
                        <option value={k.name()} selected={kind_value == k.name()}>{ k.name() }</option>
                    }) }
                </select>
                <input class="event-filter" type="search" placeholder="search events"
                    aria-label="Search the event log" value={filter.text.clone()} oninput={on_text} />
            </div>
            // The live region is a wrapper: a list keeps its own role, so its items stay items.
            <div class="event-log-region" role="log" aria-label="Event log">
                <ol class="event-log" data-testid="event-log">
                    if props.events.is_empty() {
                        <li class="muted">{ "No event matches." }</li>
                    }
                    { for props.events.iter().map(|e| html! {
                        <EventRow key={e.index} line={e.clone()} on_action={props.on_action.clone()} />
                    }) }
                </ol>
            </div>
        </div>
    }
}
