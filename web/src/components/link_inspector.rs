//! A selected link between two nodes: the state of each direction, and buttons to cut one or
//! both, or restore them.

use cluster::view::LinkView;
use yew::prelude::*;

use crate::command::Command;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct LinkInspectorProps {
    pub a: u64,
    pub b: u64,
    pub ab: Option<LinkView>,
    pub ba: Option<LinkView>,
    pub on_action: Callback<Action>,
}

fn describe(l: &Option<LinkView>) -> String {
    let Some(l) = l else {
        return "unknown".to_string();
    };
    if l.cut {
        return "cut: nothing gets through".to_string();
    }
    let mut s = format!("up, delay {}", l.delay);
    if l.drop_rate > 0.0 {
        s.push_str(&format!(", drops {:.0}%", l.drop_rate * 100.0));
    }
    if l.duplicate_rate > 0.0 {
        s.push_str(&format!(", duplicates {:.0}%", l.duplicate_rate * 100.0));
    }
    s
}

#[component(LinkInspector)]
pub fn link_inspector(props: &LinkInspectorProps) -> Html {
    let (a, b) = (props.a, props.b);
    let act = |cmd: Command| {
        props
            .on_action
            .reform(move |_: MouseEvent| Action::Cluster(cmd.clone()))
    };
    html! {
        <div class="link-inspector">
            <header class="insp-head"><h2>{ format!("Link {a} ↔ {b}") }</h2></header>
            <dl class="facts wide">
                <div><dt>{ format!("{a} → {b}") }</dt><dd>{ describe(&props.ab) }</dd></div>
                <div><dt>{ format!("{b} → {a}") }</dt><dd>{ describe(&props.ba) }</dd></div>
            </dl>
            <div class="fault-buttons">
                <button class="danger" onclick={act(Command::CutLink { from: a, to: b, both: true })}>{ "cut both ways" }</button>
                <button class="danger" onclick={act(Command::CutLink { from: a, to: b, both: false })}>{ format!("cut {a} → {b}") }</button>
                <button class="danger" onclick={act(Command::CutLink { from: b, to: a, both: false })}>{ format!("cut {b} → {a}") }</button>
                <button onclick={act(Command::RestoreLink { from: a, to: b })}>{ "restore" }</button>
            </div>
            <p class="hint">{ "Delay and drop rate are set with the script's link command (editor coming)." }</p>
        </div>
    }
}
