//! The partition editor: put each node in group A, B or C and apply; heal restores every link.
//! Beside it, the cluster's membership: the configuration in force, and a new node added as a
//! voter or a learner (then promoted or removed from its inspector).

use std::collections::BTreeMap;

use yew::prelude::*;

use cluster::view::ConfigView;

use crate::cluster_driver::MAX_NODES;
use crate::state::Action;
use cluster::command::{Command, MembershipChange};

/// The groups a node can be put in.
pub const GROUPS: [&str; 3] = ["A", "B", "C"];

#[derive(Properties, PartialEq)]
pub struct PartitionEditorProps {
    pub nodes: Vec<u64>,
    /// The partition in force (empty when the network is whole).
    pub partitions: Vec<Vec<u64>>,
    pub leader: Option<u64>,
    /// The configuration in force.
    pub config: ConfigView,
    pub on_action: Callback<Action>,
}

/// Each node's group in a partition (nodes not listed are in group 0).
pub fn assignment(nodes: &[u64], partitions: &[Vec<u64>]) -> BTreeMap<u64, usize> {
    crate::map_from(nodes.iter().map(|&n| {
        let g = partitions
            .iter()
            .position(|g| g.contains(&n))
            .unwrap_or(0)
            .min(GROUPS.len() - 1);
        (n, g)
    }))
}

/// The command for an assignment: a partition of the non-empty groups, or an error when
/// everyone is in one group (that is no partition at all).
pub fn partition_command(groups: &BTreeMap<u64, usize>) -> Result<Command, String> {
    let parts: Vec<Vec<u64>> = (0..GROUPS.len())
        .map(|g| {
            groups
                .iter()
                .filter(|(_, &x)| x == g)
                .map(|(&n, _)| n)
                .collect::<Vec<u64>>()
        })
        .filter(|g| !g.is_empty())
        .collect();
    if parts.len() < 2 {
        return Err("put the nodes in at least two groups (or heal)".into());
    }
    Ok(Command::Partition(parts))
}

#[component(PartitionEditor)]
pub fn partition_editor(props: &PartitionEditorProps) -> Html {
    let groups = use_state(|| assignment(&props.nodes, &props.partitions));
    // When the cluster changes size or the partition changes elsewhere (a script, "isolate"),
    // start from what is in force.
    {
        let groups = groups.clone();
        use_effect_with(
            (props.nodes.clone(), props.partitions.clone()),
            move |(nodes, partitions)| {
                groups.set(assignment(nodes, partitions));
            },
        );
    }
    let problem = use_state(|| None::<String>);
    let set = |node: u64, g: usize| {
        let groups = groups.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*groups).clone();
            next.insert(node, g);
            groups.set(next);
        })
    };
    let apply = {
        let groups = groups.clone();
        let problem = problem.clone();
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| match partition_command(&groups) {
            Ok(cmd) => {
                problem.set(None);
                cb.emit(Action::Cluster(cmd));
            }
            Err(e) => problem.set(Some(e)),
        })
    };
    let preset = |f: &dyn Fn(usize, u64) -> usize| {
        let next: BTreeMap<u64, usize> =
            crate::map_from(props.nodes.iter().enumerate().map(|(i, &n)| (n, f(i, n))));
        let groups = groups.clone();
        Callback::from(move |_: MouseEvent| groups.set(next.clone()))
    };
    let majority = props.nodes.len() / 2 + 1;
    let minority = preset(&|i, _| usize::from(i >= majority));
    let leader = props.leader;
    let isolate_leader = preset(&|_, n| usize::from(Some(n) == leader));
    let heal = props
        .on_action
        .reform(|_: MouseEvent| Action::Cluster(Command::Heal(None)));
    // Ids of removed members are never reused, so the next node is always a new id.
    let next = props.nodes.iter().max().copied().unwrap_or(0) + 1;
    // Node ids stop where the language's do.
    let room = (props.nodes.len() as u64) < MAX_NODES && next <= cluster::limits::MAX_NODE_ID;
    let add_voter = props.on_action.reform(move |_: MouseEvent| {
        Action::Cluster(Command::Membership(MembershipChange::AddNode(next)))
    });
    let add_learner = props.on_action.reform(move |_: MouseEvent| {
        Action::Cluster(Command::Membership(MembershipChange::AddLearner(next)))
    });
    let config = &props.config;
    let in_force = if props.partitions.is_empty() {
        "The network is whole.".to_string()
    } else {
        let g: Vec<String> = props
            .partitions
            .iter()
            .map(|g| {
                format!(
                    "({})",
                    g.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")
                )
            })
            .collect();
        format!("In force: {}", g.join(" "))
    };
    html! {
        <div class="network-panel">
            <section class="partition-editor" aria-label="Partition editor" data-testid="partition-editor">
                <div class="pe-grid" role="group" aria-label="Group of each node">
                    { for props.nodes.iter().map(|&n| {
                        let mine = groups.get(&n).copied().unwrap_or(0);
                        html! {
                            <div class="pe-node">
                                <span class="pe-name">{ format!("n{n}") }</span>
                                { for GROUPS.iter().enumerate().map(|(g, name)| html! {
                                    <button class={classes!("pe-group", format!("group-{}", name.to_ascii_lowercase()), (g == mine).then_some("on"))}
                                        aria-pressed={(g == mine).to_string()}
                                        aria-label={format!("Node {n} in group {name}")}
                                        onclick={set(n, g)}>{ *name }</button>
                                }) }
                            </div>
                        }
                    }) }
                </div>
                <div class="pe-actions">
                    <button class="primary" onclick={apply} data-testid="apply-partition">{ "apply partition" }</button>
                    <button onclick={heal} data-testid="heal">{ "heal" }</button>
                    <span class="label-text">{ "presets:" }</span>
                    <button onclick={minority} title="The last nodes form a minority group">{ "majority | minority" }</button>
                    <button onclick={isolate_leader} disabled={leader.is_none()} title="The leader alone in group B">{ "isolate the leader" }</button>
                </div>
                if let Some(p) = &*problem {
                    <p class="form-problem" role="alert">{ p }</p>
                }
                <p class="hint">{ in_force }{ " Messages between groups are lost; a group without a majority cannot elect a leader or commit." }</p>
            </section>
            <section class="membership-panel" aria-label="Membership">
                <h3>{ "Membership" }</h3>
                <p class="config" data-testid="config">
                    <code>{ if config.text.is_empty() { "no configuration known".to_string() } else { config.text.clone() } }</code>
                    if let Some(p) = &config.pending {
                        <span class="tag" title="A change the leader accepted and has not applied yet; etcd allows one at a time">
                            { format!("pending {p} @{}", config.pending_index) }
                        </span>
                    }
                </p>
                <div class="pe-actions">
                    <button onclick={add_voter} disabled={!room} data-testid="add-voter"
                        title="A new node with an empty disk joins as a voter (add-node): it catches up by snapshot">
                        { format!("add node {next} as voter") }</button>
                    <button onclick={add_learner} disabled={!room} data-testid="add-learner"
                        title="A new node joins as a learner (add-learner): it replicates without voting, then can be promoted">
                        { format!("add node {next} as learner") }</button>
                </div>
                <p class="hint">{ "Promote or remove a member from its inspector." }</p>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_follow_the_partition_in_force() {
        let a = assignment(&[1, 2, 3, 4, 5], &[vec![1, 2], vec![3, 4, 5]]);
        assert_eq!(a.values().copied().collect::<Vec<_>>(), vec![0, 0, 1, 1, 1]);
        let whole = assignment(&[1, 2, 3], &[]);
        assert!(whole.values().all(|&g| g == 0));
    }

    #[test]
    fn a_partition_needs_two_groups() {
        let mut g: BTreeMap<u64, usize> = [(1, 0), (2, 0), (3, 0)].into_iter().collect();
        assert!(partition_command(&g).is_err());
        g.insert(3, 2);
        assert_eq!(
            partition_command(&g),
            Ok(Command::Partition(vec![vec![1, 2], vec![3]]))
        );
    }
}
