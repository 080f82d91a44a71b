//! Everything about one node: its Raft state, its faults, its pending Ready, the leader's
//! Progress and the node's key/value store.

use std::rc::Rc;

use cluster::view::{ClusterView, NodeView, Role};
use yew::prelude::*;

use crate::components::kv_store::KvStore;
use crate::components::node_faults::NodeFaults;
use crate::components::progress_table::ProgressTable;
use crate::components::ready_history::ReadyHistory;
use crate::components::ready_inspector::ReadyInspector;
use crate::components::storage_threads::StorageThreads;
use crate::driver::{DriverHandle, Shared};
use crate::palette::{role_class, role_letter};
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct NodeInspectorProps {
    pub node: Rc<NodeView>,
    pub leader: Option<u64>,
    /// The node cannot reach a majority (see `ClusterView::is_cut_off`).
    pub cut_off: bool,
    /// For each peer: (peer, link to it cut, link from it cut).
    pub links: Vec<(u64, bool, bool)>,
    /// For the Ready history, read from the driver whenever `view` changes.
    pub driver: DriverHandle,
    pub view: Shared<ClusterView>,
    pub on_action: Callback<Action>,
}

fn none_or(v: u64) -> String {
    if v == 0 {
        "none".to_string()
    } else {
        v.to_string()
    }
}

#[component(NodeInspector)]
pub fn node_inspector(props: &NodeInspectorProps) -> Html {
    let n = &props.node;
    let some_cut = props.links.iter().any(|&(_, out, inc)| out || inc);
    let facts: Vec<(&str, String, &str)> = vec![
        ("term", n.term.to_string(), "The node's current term"),
        ("vote", none_or(n.vote), "Whom it voted for in this term"),
        ("lead", none_or(n.lead), "The leader it knows of"),
        (
            "commit",
            n.commit.to_string(),
            "Highest index known committed",
        ),
        (
            "applied",
            n.applied.to_string(),
            "Highest index applied to the store",
        ),
        (
            "last",
            n.last_index().to_string(),
            "Index of the last log entry",
        ),
        (
            "timer",
            format!("{}/{}", n.election_elapsed, n.randomized_election_timeout),
            "Ticks since the election timer was reset / the randomized timeout",
        ),
        (
            "snapshot",
            if n.snapshot_index == 0 {
                "none".to_string()
            } else {
                format!("{}/{}", n.snapshot_term, n.snapshot_index)
            },
            "Term/index of the latest snapshot",
        ),
    ];
    html! {
        <div class={classes!("node-inspector", role_class(n.role))} data-testid="node-inspector"
            data-node={n.id.to_string()}>
            <header class="insp-head">
                <span class="role-chip" aria-hidden="true">{ role_letter(n.role) }</span>
                <h2>{ format!("Node {}", n.id) }</h2>
                <span class="role-name">{ n.role.name() }</span>
                if n.crashed { <span class="tag danger">{ "crashed" }</span> }
                if n.paused { <span class="tag">{ "clock paused" }</span> }
                if props.cut_off {
                    <span class="tag danger" title="Cannot reach a majority of the cluster">{ "partitioned" }</span>
                } else if some_cut {
                    <span class="tag">{ "some links cut" }</span>
                }
            </header>
            <dl class="facts">
                { for facts.into_iter().map(|(k, v, title)| html! {
                    <div title={title}><dt>{ k }</dt><dd>{ v }</dd></div>
                }) }
            </dl>
            <NodeFaults
                id={n.id}
                crashed={n.crashed}
                paused={n.paused}
                is_leader={n.role == Role::Leader}
                leader={props.leader}
                links={props.links.clone()}
                membership={n.membership}
                on_action={props.on_action.clone()}
            />
            if n.async_storage_writes {
                <StorageThreads
                    id={n.id}
                    append={n.append_queue.clone()}
                    apply={n.apply_queue.clone()}
                    auto={n.auto_ready}
                    crashed={n.crashed}
                    on_action={props.on_action.clone()}
                />
            } else {
                <ReadyInspector
                    id={n.id}
                    ready={n.ready.clone()}
                    auto={n.auto_ready}
                    crashed={n.crashed}
                    on_action={props.on_action.clone()}
                />
            }
            <ReadyHistory
                driver={props.driver.clone()}
                view={props.view.clone()}
                id={n.id}
                on_action={props.on_action.clone()}
            />
            if n.role == Role::Leader {
                <ProgressTable leader={n.id} progress={n.progress.clone()} />
            }
            <KvStore id={n.id} kv={n.kv.clone()} />
        </div>
    }
}
