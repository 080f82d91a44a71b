//! The Ready inspector: a node's pending Ready, field by field as etcd names them, laid out by
//! the step that consumes each field (persist → send → apply → advance), with a button per step.
//! This is where a learner sees the contract between Raft and its host: Raft decides, the host
//! makes it durable, ships it and applies it, and only then says Advance.

use cluster::view::ReadyView;
use yew::prelude::*;

use crate::state::Action;
use cluster::command::Command;
use cluster::node::ReadyStep;

#[derive(Properties, PartialEq)]
pub struct ReadyInspectorProps {
    pub id: u64,
    pub ready: Option<ReadyView>,
    /// The cluster handles this node's Readys by policy.
    pub auto: bool,
    pub crashed: bool,
    pub on_action: Callback<Action>,
}

/// One step of the cycle, as drawn.
struct Step {
    name: &'static str,
    class: &'static str,
    /// Where this step puts the fields of its colour.
    what: &'static str,
    done: bool,
    enabled: bool,
    command: Command,
}

fn steps(id: u64, r: &ReadyView) -> [Step; 4] {
    [
        Step {
            name: "persist",
            class: "step-persist",
            what: "to disk",
            done: r.persisted,
            enabled: !r.persisted,
            command: Command::ReadyStep {
                node: id,
                step: ReadyStep::Persist,
            },
        },
        Step {
            name: "send",
            class: "step-send",
            what: "to the network",
            done: r.sent,
            enabled: !r.sent,
            command: Command::ReadyStep {
                node: id,
                step: ReadyStep::Send,
            },
        },
        Step {
            name: "apply",
            class: "step-apply",
            what: "to the store",
            done: r.applied,
            enabled: !r.applied,
            command: Command::ReadyStep {
                node: id,
                step: ReadyStep::Apply,
            },
        },
        Step {
            name: "advance",
            class: "step-advance",
            what: "all done: go on",
            done: false,
            enabled: r.can_advance(),
            command: Command::ReadyStep {
                node: id,
                step: ReadyStep::Advance,
            },
        },
    ]
}

/// A field holding one value (or nothing).
fn single(name: &str, value: Option<String>, class: &'static str, done: bool) -> Html {
    let empty = value.is_none();
    html! {
        <div class={classes!("field", class, empty.then_some("empty"), done.then_some("done"))}>
            <dt><code>{ name }</code></dt>
            <dd>
                { match value {
                    Some(v) => html! { <code>{ v }</code> },
                    None => html! { <span class="nil">{ "—" }</span> },
                } }
            </dd>
        </div>
    }
}

/// A field holding a list (entries, messages…), one line per item.
fn list(name: &str, items: &[String], class: &'static str, done: bool) -> Html {
    let empty = items.is_empty();
    html! {
        <div class={classes!("field", class, empty.then_some("empty"), done.then_some("done"))}>
            <dt>
                <code>{ name }</code>
                if !empty { <span class="count">{ items.len() }</span> }
            </dt>
            <dd>
                if empty {
                    <span class="nil">{ "[]" }</span>
                } else {
                    <ul>{ for items.iter().map(|i| html! { <li><code>{ i }</code></li> }) }</ul>
                }
            </dd>
        </div>
    }
}

/// A Ready's fields as etcd names them, each coloured by the step that handles it and marked
/// done once that step is.
pub fn ready_fields(r: &ReadyView) -> Html {
    html! {
        <dl class="ready-fields">
            { single("SoftState", r.soft_state.clone(), "step-info", false) }
            { single("HardState", r.hard_state.clone(), "step-persist", r.persisted) }
            { list("Entries", &r.entries, "step-persist", r.persisted) }
            { single("Snapshot", r.snapshot.clone(), "step-persist", r.persisted) }
            <div class={classes!("field", "step-persist", "flag", r.persisted.then_some("done"))}>
                <dt><code>{ "MustSync" }</code></dt>
                <dd><code class={classes!("bool", r.must_sync.then_some("true"))}>{ r.must_sync }</code>
                    <span class="why">{ if r.must_sync { " fsync before sending" } else { " no fsync needed" } }</span>
                </dd>
            </div>
            { list("Messages", &r.messages, "step-send", r.sent) }
            { list("CommittedEntries", &r.committed_entries, "step-apply", r.applied) }
            { list("ReadStates", &r.read_states, "step-info", false) }
        </dl>
    }
}

/// The "automatic" switch of a node's Ready handling (`auto N` / `manual N`), shared by the
/// Ready and, on a node with asynchronous writes, its storage threads.
pub fn auto_switch(id: u64, auto: bool, title: &'static str, on_action: &Callback<Action>) -> Html {
    let toggle = on_action.reform(move |_: Event| {
        Action::Cluster(if auto {
            Command::Manual(id)
        } else {
            Command::Auto(id)
        })
    });
    html! {
        <label class="switch" {title}>
            <input type="checkbox" role="switch" checked={auto}
                aria-checked={auto.to_string()} onchange={toggle} />
            <span class="switch-track" aria-hidden="true"><span class="switch-knob" /></span>
            <span>{ "automatic" }</span>
        </label>
    }
}

#[component(ReadyInspector)]
pub fn ready_inspector(props: &ReadyInspectorProps) -> Html {
    let id = props.id;
    let title_id = format!("ready-title-{id}");

    let body = if props.crashed {
        html! { <p class="ready-none">{ "The node is down: it hands out no Ready until it restarts." }</p> }
    } else if let Some(r) = &props.ready {
        let steps = steps(id, r);
        // The step a person would naturally take next gets the emphasis.
        let next = steps.iter().position(|s| !s.done && s.enabled);
        html! {
            <>
                <ol class="ready-steps" aria-label="Steps of this Ready">
                    { for steps.iter().enumerate().map(|(i, s)| {
                        let cmd = s.command.clone();
                        let onclick = props.on_action.reform(move |_: MouseEvent| Action::Cluster(cmd.clone()));
                        html! {
                            <li class={classes!("step", s.class, s.done.then_some("done"), (next == Some(i)).then_some("next"))}>
                                <button {onclick} disabled={!s.enabled}
                                    aria-label={format!("{} the Ready of node {id}", s.name)}
                                    title={s.what}>
                                    <span class="step-num" aria-hidden="true"
                                        data-n={if s.done { "✓".to_string() } else { (i + 1).to_string() }} />
                                    <span class="step-name">{ s.name }</span>
                                </button>
                                <span class="step-what">{ s.what }</span>
                            </li>
                        }
                    }) }
                </ol>
                { ready_fields(r) }
                if props.auto {
                    <p class="hint">{ "On automatic, the cluster handles this Ready at the node's next tick. Switch automatic off to take each step yourself." }</p>
                }
            </>
        }
    } else {
        html! {
            <p class="ready-none">
                { "No Ready pending: " }<code>{ "HasReady()" }</code>
                { " is false, so there is nothing to persist, send or apply." }
            </p>
        }
    };

    html! {
        <section class={classes!("card", "ready", props.ready.is_some().then_some("pending"))}
            aria-labelledby={title_id.clone()}>
            <header class="ready-head">
                <h3 id={title_id}>{ "Ready" }</h3>
                <span class="sub">{ format!("what node {id} asks of its host") }</span>
                { auto_switch(id, props.auto, "Let the cluster handle this node's Readys by itself", &props.on_action) }
            </header>
            { body }
        </section>
    }
}
