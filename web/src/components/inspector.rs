//! The inspector: whatever is selected, shown whole. A node opens its state, Ready, Progress,
//! faults and store; a message its full text and fate buttons; a link its two directions.

use std::rc::Rc;

use cluster::view::ClusterView;
use yew::prelude::*;

use crate::components::link_inspector::LinkInspector;
use crate::components::message_inspector::MessageInspector;
use crate::components::node_inspector::NodeInspector;
use crate::driver::{DriverHandle, Shared};
use crate::palette::role_letter;
use crate::state::{Action, Selection};

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// For what the view does not carry (a node's Ready history).
    pub driver: DriverHandle,
    pub view: Shared<ClusterView>,
    /// Virtual time now (a selected message shows how far it travelled).
    pub now_ms: u64,
    pub selection: Selection,
    pub on_action: Callback<Action>,
}

#[component(Inspector)]
pub fn inspector(props: &InspectorProps) -> Html {
    let view = &props.view;
    let on_action = props.on_action.clone();
    match props.selection {
        Selection::Node(id) => match view.node(id) {
            Some(node) => {
                let links = view
                    .nodes
                    .iter()
                    .filter(|p| p.id != id)
                    .map(|p| {
                        let cut = |a, b| view.link(a, b).is_some_and(|l| l.cut);
                        (p.id, cut(id, p.id), cut(p.id, id))
                    })
                    .collect::<Vec<_>>();
                html! {
                    <NodeInspector
                        node={Rc::new(node.clone())}
                        leader={view.leader}
                        cut_off={view.is_cut_off(id)}
                        {links}
                        driver={props.driver.clone()}
                        view={view.clone()}
                        {on_action}
                    />
                }
            }
            None => overview(view, &on_action),
        },
        Selection::Message(id) => html! {
            <MessageInspector
                {id}
                message={view.message(id).cloned()}
                now_ms={props.now_ms.max(view.now_ms)}
                {on_action}
            />
        },
        Selection::Link(a, b) => html! {
            <LinkInspector
                {a} {b}
                ab={view.link(a, b).cloned()}
                ba={view.link(b, a).cloned()}
                {on_action}
            />
        },
        Selection::Nothing => overview(view, &on_action),
    }
}

/// With nothing selected: how to use the inspector, and the nodes to pick from.
fn overview(view: &ClusterView, on_action: &Callback<Action>) -> Html {
    html! {
        <div class="overview">
            <h2>{ "Inspector" }</h2>
            <p class="hint">
                { "Click a node to see its state, its pending Ready and its faults; a message to read it whole, hold or drop it; a link to cut it, slow it down or make it lossy. Number keys select nodes. Partitions and clients are in the panel below the logs." }
            </p>
            <ul class="node-picker" aria-label="Nodes">
                { for view.nodes.iter().map(|n| {
                    let id = n.id;
                    let select = on_action.reform(move |_: MouseEvent| Action::Select(Selection::Node(id)));
                    html! {
                        <li>
                            <button onclick={select} class={crate::palette::role_class(n.role)}>
                                <span class="role-chip">{ role_letter(n.role) }</span>
                                { format!("node {id} · {} · term {}", n.role.name(), n.term) }
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}
