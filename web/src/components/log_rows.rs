//! The logs: one row per node, one cell per index, aligned across rows so that agreement and
//! disagreement between logs can be seen down a column. Cells are coloured by term (and show
//! it); a bar under a cell marks it committed (light) or applied (dark); entries past the stable
//! boundary are dashed; compacted indexes are grey; entries that conflict with the leader are
//! outlined in red.

use std::rc::Rc;

use cluster::view::{ClusterView, NodeView};
use yew::prelude::*;

use crate::palette::{role_class, role_letter, term_class};
use crate::state::{Action, Selection};

/// The most indexes shown at once: the latest ones, where the action is.
pub const MAX_COLUMNS: u64 = 30;

#[derive(Properties, PartialEq)]
pub struct LogRowsProps {
    pub view: Rc<ClusterView>,
    pub selected: Option<u64>,
    pub on_action: Callback<Action>,
}

/// The window of indexes to draw: the last `MAX_COLUMNS` up to the longest log.
pub fn window(nodes: &[NodeView]) -> (u64, u64) {
    let hi = nodes
        .iter()
        .map(NodeView::last_index)
        .max()
        .unwrap_or(0)
        .max(1);
    let lo = hi.saturating_sub(MAX_COLUMNS - 1).max(1);
    (lo, hi)
}

fn cell(n: &NodeView, idx: u64) -> Html {
    if idx <= n.snapshot_index {
        let label = if idx == n.snapshot_index { "snap" } else { "" };
        return html! {
            <div class="cell snap" role="cell"
                title={format!("index {idx}: compacted into the snapshot {}/{}", n.snapshot_term, n.snapshot_index)}>
                <span class="ci">{ label }</span>
            </div>
        };
    }
    let Some(e) = n.entry(idx) else {
        return html! { <div class="cell blank" role="cell" /> };
    };
    let committed = idx <= n.commit;
    let applied = idx <= n.applied;
    let unstable = idx > n.stable_index;
    let conflict = n.conflicts.contains(&idx);
    let mut title = format!("{}/{} {} {:?}", e.term, e.index, e.kind.name(), e.data);
    for (yes, what) in [
        (applied, "applied"),
        (committed && !applied, "committed, not yet applied"),
        (!committed, "not committed"),
        (unstable, "unstable (not yet on disk)"),
        (conflict, "conflicts with the leader's log"),
    ] {
        if yes {
            title.push_str(" · ");
            title.push_str(what);
        }
    }
    let classes = classes!(
        "cell",
        "entry",
        term_class(e.term),
        committed.then_some("committed"),
        applied.then_some("applied"),
        unstable.then_some("unstable"),
        (idx == n.stable_index + 1).then_some("stable-edge"),
        conflict.then_some("conflict"),
    );
    html! {
        <div class={classes} role="cell" {title}>
            <span class="ci">{ idx }</span>
            <span class="ct">{ format!("t{}", e.term) }</span>
        </div>
    }
}

#[component(LogRows)]
pub fn log_rows(props: &LogRowsProps) -> Html {
    let view = &props.view;
    let (lo, hi) = window(&view.nodes);
    let columns = hi - lo + 1;
    let grid = format!("grid-template-columns: 4.2rem repeat({columns}, 1.7rem);");
    html! {
        <>
            <header class="logs-head">
                <h2>{ "Logs" }</h2>
                <ul class="logs-legend" aria-label="Legend">
                    <li><span class="sw sw-applied" />{ "applied" }</li>
                    <li><span class="sw sw-committed" />{ "committed" }</li>
                    <li><span class="sw sw-unstable" />{ "unstable (after the stable boundary ┃)" }</li>
                    <li><span class="sw sw-snap" />{ "snapshot" }</li>
                    <li><span class="sw sw-conflict" />{ "conflicts with leader" }</li>
                    if lo > 1 { <li class="muted">{ format!("showing {lo}…{hi}") }</li> }
                </ul>
            </header>
            <div class="log-grid" role="table" aria-label="Log of every node" style={grid}>
                <div class="log-row head" role="row">
                    <div class="row-label" role="columnheader">{ "index" }</div>
                    { for (lo..=hi).map(|i| html! { <div class="col-index" role="columnheader">{ i }</div> }) }
                </div>
                { for view.nodes.iter().map(|n| {
                    let id = n.id;
                    let select = props.on_action.reform(move |_: MouseEvent| Action::Select(Selection::Node(id)));
                    let selected = props.selected == Some(id);
                    html! {
                        <div key={id} class={classes!("log-row", selected.then_some("selected"), n.crashed.then_some("crashed"))} role="row">
                            <div class="row-label" role="rowheader">
                                <button class={classes!("row-button", role_class(n.role))} onclick={select}
                                    aria-label={format!("Select node {id}")}
                                    title={format!("node {id}: commit {} · applied {} · stable {} · last {}", n.commit, n.applied, n.stable_index, n.last_index())}>
                                    <span class="role-chip">{ role_letter(n.role) }</span>
                                    { format!("n{id}") }
                                </button>
                            </div>
                            { for (lo..=hi).map(|i| cell(n, i)) }
                        </div>
                    }
                }) }
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_ends_at_the_longest_log() {
        let v = cluster::view::demo();
        assert_eq!(window(&v.nodes), (1, 8));
        let mut long = v.nodes.clone();
        long[0].log = (1..=100)
            .map(|index| cluster::view::EntryView {
                index,
                term: 1,
                ..Default::default()
            })
            .collect();
        assert_eq!(window(&long), (100 - MAX_COLUMNS + 1, 100));
        assert_eq!(window(&[]), (1, 1));
    }
}
