//! The logs: one row per node, one cell per index, aligned across rows so that agreement and
//! disagreement between logs can be seen down a column. Cells are coloured by term (and show
//! it); a bar under a cell marks it committed (light) or applied (dark); entries past the stable
//! boundary are dashed; compacted indexes are grey; entries that conflict with the leader are
//! outlined in red.

use cluster::view::{ClusterView, NodeView};
use yew::prelude::*;

use crate::driver::Shared;
use crate::palette::{role_class, role_letter, term_class};
use crate::state::{Action, Selection};

/// The most indexes shown at once: the latest ones, where the action is.
pub const MAX_COLUMNS: u64 = 30;

/// How far the window moves when the longest log outgrows it. Moving a whole page at a time
/// keeps every column in place between moves: a reader can keep their eye on an index while
/// it is replicated and committed, and the page redraws one new cell per entry instead of
/// shifting the whole grid on every append.
pub const PAGE_STEP: u64 = 10;

#[derive(Properties, PartialEq)]
pub struct LogRowsProps {
    pub view: Shared<ClusterView>,
    pub selected: Option<u64>,
    pub on_action: Callback<Action>,
}

/// The window of indexes to draw: always `MAX_COLUMNS` columns, starting at 1 until the longest
/// log outgrows them, then moving on by `PAGE_STEP` so the newest entry stays in view with
/// room to grow.
pub fn window(nodes: &[NodeView]) -> (u64, u64) {
    let last = nodes.iter().map(NodeView::last_index).max().unwrap_or(0);
    let lo = if last <= MAX_COLUMNS {
        1
    } else {
        1 + (last - MAX_COLUMNS).div_ceil(PAGE_STEP) * PAGE_STEP
    };
    (lo, lo + MAX_COLUMNS - 1)
}

/// What one cell of a row shows. Cells are components, so between moves of the window only the
/// cells whose entry or marks changed are drawn again.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Compacted into the snapshot `term/index`; the cell at the snapshot's index is labelled.
    Snapshot {
        labelled: bool,
        term: u64,
        index: u64,
    },
    /// The log does not reach this index.
    Blank,
    Entry {
        term: u64,
        kind: &'static str,
        data: String,
        committed: bool,
        applied: bool,
        unstable: bool,
        /// The first unstable entry: the stable boundary is drawn before it.
        stable_edge: bool,
        conflict: bool,
    },
}

/// The cell of node `n` at index `idx`.
pub fn cell(n: &NodeView, idx: u64) -> Cell {
    if idx <= n.snapshot_index {
        return Cell::Snapshot {
            labelled: idx == n.snapshot_index,
            term: n.snapshot_term,
            index: n.snapshot_index,
        };
    }
    let Some(e) = n.entry(idx) else {
        return Cell::Blank;
    };
    Cell::Entry {
        term: e.term,
        kind: e.kind.name(),
        data: e.data.clone(),
        committed: idx <= n.commit,
        applied: idx <= n.applied,
        unstable: idx > n.stable_index,
        stable_edge: idx == n.stable_index + 1,
        conflict: n.conflicts.contains(&idx),
    }
}

#[derive(Properties, PartialEq)]
struct LogCellProps {
    index: u64,
    cell: Cell,
}

#[component(LogCell)]
fn log_cell(props: &LogCellProps) -> Html {
    let idx = props.index;
    // Every kind of cell has the same elements (a div with two spans), so a cell that changes
    // kind, or a column that moves to another index when the window pages on, is patched in
    // place: at full speed the grid changes many times a second, and new elements for each
    // change made the renderer's garbage (and its memory) grow faster than it collects.
    let (classes, title, label, term_label) = match &props.cell {
        Cell::Snapshot {
            labelled,
            term,
            index,
        } => (
            classes!("cell", "snap"),
            Some(format!(
                "index {idx}: compacted into the snapshot {term}/{index}"
            )),
            if *labelled {
                "snap".to_string()
            } else {
                String::new()
            },
            String::new(),
        ),
        Cell::Blank => (
            classes!("cell", "blank"),
            None,
            String::new(),
            String::new(),
        ),
        Cell::Entry {
            term,
            kind,
            data,
            committed,
            applied,
            unstable,
            stable_edge,
            conflict,
        } => {
            let (committed, applied, unstable, conflict) =
                (*committed, *applied, *unstable, *conflict);
            let mut title = format!("{term}/{idx} {kind} {data:?}");
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
                term_class(*term),
                committed.then_some("committed"),
                applied.then_some("applied"),
                unstable.then_some("unstable"),
                stable_edge.then_some("stable-edge"),
                conflict.then_some("conflict"),
            );
            (classes, Some(title), idx.to_string(), format!("t{term}"))
        }
    };
    html! {
        <div class={classes} role="cell" {title}>
            <span class="ci">{ label }</span>
            <span class="ct">{ term_label }</span>
        </div>
    }
}

/// What one row draws: the node cut down to the window of indexes, without the fields that
/// change with every tick (timers), so an unchanged row is skipped by yew.
fn row_data(n: &NodeView, lo: u64, hi: u64) -> NodeView {
    NodeView {
        id: n.id,
        role: n.role,
        crashed: n.crashed,
        commit: n.commit,
        applied: n.applied,
        stable_index: n.stable_index,
        snapshot_index: n.snapshot_index,
        snapshot_term: n.snapshot_term,
        log: n
            .log
            .iter()
            .filter(|e| (lo..=hi).contains(&e.index))
            .cloned()
            .collect(),
        conflicts: n
            .conflicts
            .iter()
            .copied()
            .filter(|i| (lo..=hi).contains(i))
            .collect(),
        ..NodeView::default()
    }
}

#[derive(Properties, PartialEq)]
struct LogRowProps {
    node: NodeView,
    /// The node's last index (its row may end before the window).
    last: u64,
    lo: u64,
    hi: u64,
    selected: bool,
    on_action: Callback<Action>,
}

#[component(LogRow)]
fn log_row(props: &LogRowProps) -> Html {
    let n = &props.node;
    let id = n.id;
    let select = props
        .on_action
        .reform(move |_: MouseEvent| Action::Select(Selection::Node(id)));
    html! {
        <div class={classes!("log-row", props.selected.then_some("selected"), n.crashed.then_some("crashed"))}
            role="row" data-log-node={id.to_string()}>
            <div class="row-label" role="rowheader">
                <button class={classes!("row-button", role_class(n.role))} onclick={select}
                    aria-label={format!("{} n{id} ({}): select node {id}", role_letter(n.role), n.role.name())}
                    title={format!("node {id}: commit {} · applied {} · stable {} · last {}", n.commit, n.applied, n.stable_index, props.last)}>
                    <span class="role-chip">{ role_letter(n.role) }</span>{ " " }
                    { format!("n{id}") }
                </button>
            </div>
            // Keyed by column, not by index: when the window pages on, each column shows its new
            // index in the elements it already has.
            { for (props.lo..=props.hi).map(|i| html! {
                <LogCell key={i - props.lo} index={i} cell={cell(n, i)} />
            }) }
        </div>
    }
}

#[component(LogRows)]
pub fn log_rows(props: &LogRowsProps) -> Html {
    let view = &props.view;
    let (lo, hi) = window(&view.nodes);
    let columns = hi - lo + 1;
    let grid = format!("grid-template-columns: 3.6rem repeat({columns}, minmax(1.35rem, 1.7rem));");
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
                { for view.nodes.iter().map(|n| html! {
                    <LogRow
                        key={n.id}
                        node={row_data(n, lo, hi)}
                        last={n.last_index()}
                        {lo}
                        {hi}
                        selected={props.selected == Some(n.id)}
                        on_action={props.on_action.clone()}
                    />
                }) }
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_pages_forward_with_the_longest_log() {
        let v = crate::demo_view::demo_view();
        assert_eq!(window(&v.nodes), (1, MAX_COLUMNS), "short logs start at 1");
        assert_eq!(window(&[]), (1, MAX_COLUMNS));
        let with_last = |last: u64| {
            let mut nodes = v.nodes.clone();
            nodes[0].log = (1..=last)
                .map(|index| cluster::view::EntryView {
                    index,
                    term: 1,
                    ..Default::default()
                })
                .collect();
            window(&nodes)
        };
        assert_eq!(with_last(30), (1, 30), "the first page holds 30 entries");
        assert_eq!(with_last(31), (11, 40), "one more moves a whole step");
        // Between moves the columns stay put, so appends never shift the grid.
        for last in 31..=40 {
            assert_eq!(with_last(last), (11, 40), "last {last}");
        }
        assert_eq!(with_last(41), (21, 50));
        assert_eq!(with_last(100), (71, 100));
        assert_eq!(with_last(101), (81, 110));
    }

    #[test]
    fn cells_carry_the_marks_of_their_entry() {
        let v = crate::demo_view::demo_view();
        let n1 = v.node(1).unwrap();
        assert_eq!(
            cell(n1, 8),
            Cell::Entry {
                term: 3,
                kind: "EntryNormal",
                data: "x=5".into(),
                committed: false,
                applied: false,
                unstable: true,
                stable_edge: true,
                conflict: false,
            }
        );
        let n3 = v.node(3).unwrap();
        assert_eq!(
            cell(n3, 3),
            Cell::Snapshot {
                labelled: true,
                term: 1,
                index: 3
            }
        );
        assert_eq!(cell(n3, 7), Cell::Blank);
        assert!(matches!(
            cell(v.node(4).unwrap(), 6),
            Cell::Entry { conflict: true, .. }
        ));
    }

    #[test]
    fn a_row_keeps_only_its_window_and_no_timers() {
        let v = crate::demo_view::demo_view();
        let n4 = v.node(4).unwrap();
        let row = row_data(n4, 5, 8);
        assert_eq!(
            row.log.iter().map(|e| e.index).collect::<Vec<_>>(),
            vec![5, 6]
        );
        assert_eq!(row.conflicts, vec![6]);
        let mut ticked = n4.clone();
        ticked.election_elapsed += 1;
        assert_eq!(
            row_data(&ticked, 5, 8),
            row,
            "a tick does not redraw the row"
        );
    }
}
