//! A selected message, whole: its route and timing, etcd's full description, and what a person
//! can do to it — deliver it now, duplicate it, drop it.

use cluster::view::MessageView;
use yew::prelude::*;

use crate::geometry::{percent, progress};
use crate::palette::MessageKind;
use crate::state::{Action, Selection};
use cluster::command::{Command, MessageAction};

#[derive(Properties, PartialEq)]
pub struct MessageInspectorProps {
    pub id: u64,
    /// `None` once the message has left the network.
    pub message: Option<MessageView>,
    pub now_ms: u64,
    pub on_action: Callback<Action>,
}

#[component(MessageInspector)]
pub fn message_inspector(props: &MessageInspectorProps) -> Html {
    let id = props.id;
    let Some(m) = &props.message else {
        let back = props
            .on_action
            .reform(|_: MouseEvent| Action::Select(Selection::Nothing));
        return html! {
            <div class="message-inspector gone">
                <h2>{ format!("Message #{id}") }</h2>
                <p class="muted">{ "No longer in flight: it was delivered, dropped or lost." }</p>
                <button onclick={back}>{ "back to the overview" }</button>
            </div>
        };
    };
    let act = |cmd: Command| {
        props
            .on_action
            .reform(move |_: MouseEvent| Action::Cluster(cmd.clone()))
    };
    let select_node = |n: u64| {
        props
            .on_action
            .reform(move |_: MouseEvent| Action::Select(Selection::Node(n)))
    };
    let done = percent(progress(m.sent_at, m.arrives_at, props.now_ms));
    let kind = MessageKind::of(&m.msg_type).class();
    html! {
        <div class="message-inspector" data-testid="message-inspector" data-message={id.to_string()}>
            <header class="insp-head">
                <span class={classes!("msg-chip", kind, if m.is_response { "response" } else { "request" })}>
                    { &m.msg_type }
                </span>
                <h2>{ format!("#{id}") }</h2>
                if m.rejected { <span class="tag danger">{ "rejected" }</span> }
                if m.held { <span class="tag">{ "held" }</span> }
            </header>
            <p class="route">
                <button class="linklike" onclick={select_node(m.from)}>{ format!("node {}", m.from) }</button>
                { " → " }
                <button class="linklike" onclick={select_node(m.to)}>{ format!("node {}", m.to) }</button>
                { format!(" · term {}", m.term) }
            </p>
            <dl class="facts">
                <div><dt>{ "sent" }</dt><dd>{ format!("{} ms", m.sent_at) }</dd></div>
                <div><dt>{ "arrives" }</dt><dd>{ format!("{} ms", m.arrives_at) }</dd></div>
                <div><dt>{ "travelled" }</dt><dd>{ format!("{done}%") }</dd></div>
                <div><dt>{ "kind" }</dt><dd>{ if m.is_response { "response" } else { "request" } }</dd></div>
            </dl>
            <section class="card">
                <h3>{ "As etcd describes it" }</h3>
                <pre class="describe">{ &m.description }</pre>
            </section>
            <div class="fault-buttons">
                <button onclick={act(Command::Message { action: MessageAction::Deliver, id })} aria-label={format!("Deliver now message {id}")}
                    title="Step it into its recipient now, whatever its arrival time">{ "deliver now" }</button>
                if m.held {
                    <button onclick={act(Command::Message { action: MessageAction::Release, id })} aria-label={format!("Release message {id}")}
                        title="Let it arrive again (at once if it is overdue)">{ "release" }</button>
                } else {
                    <button onclick={act(Command::Message { action: MessageAction::Hold, id })} aria-label={format!("Hold message {id}")}
                        title="Keep it from arriving until released or delivered by hand">{ "hold" }</button>
                }
                <button onclick={act(Command::Message { action: MessageAction::Duplicate, id })} aria-label={format!("Duplicate message {id}")}
                    title="Put a second copy in flight: Raft must tolerate it">{ "duplicate" }</button>
                <button class="danger" onclick={act(Command::Message { action: MessageAction::Drop, id })} aria-label={format!("Drop message {id}")}
                    title="Lose it, as a faulty network would">{ "drop" }</button>
            </div>
        </div>
    }
}
