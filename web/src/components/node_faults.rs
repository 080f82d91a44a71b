//! The faults and nudges a person can apply to one node, its membership, and its links.

use yew::prelude::*;

use cluster::view::Membership;

use crate::state::Action;
use cluster::command::{Command, LinkTarget, MembershipChange};

#[derive(Properties, PartialEq)]
pub struct NodeFaultsProps {
    pub id: u64,
    pub crashed: bool,
    pub paused: bool,
    pub is_leader: bool,
    pub leader: Option<u64>,
    /// For each peer: (peer, link to it cut, link from it cut).
    pub links: Vec<(u64, bool, bool)>,
    /// The node's place in the configuration.
    pub membership: Membership,
    pub on_action: Callback<Action>,
}

#[component(NodeFaults)]
pub fn node_faults(props: &NodeFaultsProps) -> Html {
    let id = props.id;
    let button = |label: &str, title: &str, enabled: bool, cmd: Command, danger: bool| {
        let onclick = props
            .on_action
            .reform(move |_: MouseEvent| Action::Cluster(cmd.clone()));
        html! {
            <button {onclick} disabled={!enabled} title={title.to_string()}
                class={classes!(danger.then_some("danger"))}
                aria-label={format!("{label} node {id}")}>
                { label.to_string() }
            </button>
        }
    };
    let up = !props.crashed;
    let peers: Vec<u64> = props.links.iter().map(|&(p, _, _)| p).collect();
    let transfer = props
        .leader
        .filter(|&l| l != id)
        .map(|from| Command::TransferLeadership { from, to: id });
    let isolate = Command::Partition(vec![vec![id], peers]);
    let membership = {
        let (note, buttons) = match props.membership {
            Membership::Voter => (
                "voter",
                vec![button("remove from the cluster", "Propose to the leader that this node leaves the configuration (remove-node)", true, Command::Membership(MembershipChange::Remove(id)), true)],
            ),
            Membership::Learner => (
                "learner: replicates, does not vote",
                vec![
                    button("promote to voter", "Propose to the leader that this learner votes (promote; etcd wants it nearly in sync)", true, Command::Membership(MembershipChange::Promote(id)), false),
                    button("remove from the cluster", "Propose to the leader that this node leaves the configuration (remove-node)", true, Command::Membership(MembershipChange::Remove(id)), true),
                ],
            ),
            Membership::Outgoing => ("leaving: votes until the joint configuration is left", Vec::new()),
            Membership::Joining => ("joining: waits for the change that adds it", Vec::new()),
            Membership::Removed => ("removed: its id is never reused", Vec::new()),
        };
        html! {
            <div class="fault-buttons membership" role="group" aria-label={format!("Membership of node {id}")}>
                <span class="label-text">{ format!("membership · {note}") }</span>
                { for buttons }
            </div>
        }
    };

    html! {
        <section class="faults" aria-label={format!("Faults for node {id}")}>
            <div class="fault-buttons">
                if props.crashed {
                    { button("restart", "Start the process again from what its disk kept", true, Command::Restart(id), false) }
                } else {
                    { button("crash", "Stop the process: whatever was not synced is lost", true, Command::Crash(id), true) }
                }
                { button("wipe disk", "Lose everything on disk (a running node goes down with it)", true, Command::Wipe(id), true) }
                if props.paused {
                    { button("resume clock", "Let the node tick again", true, Command::Resume(id), false) }
                } else {
                    { button("pause clock", "Stop the node's ticks: no timeouts, no heartbeats", up, Command::Pause(id), false) }
                }
                { button("campaign", "Start an election now (MsgHup)", up && !props.is_leader, Command::Campaign(id), false) }
                { match transfer {
                    Some(cmd) => button("transfer leadership here", "Ask the leader to hand leadership to this node (MsgTransferLeader)", up, cmd, false),
                    None => button("transfer leadership here", "Needs a leader other than this node", false, Command::Campaign(id), false),
                } }
                { button("forget leader", "Forget the current leader (MsgForgetLeader)", up && !props.is_leader, Command::ForgetLeader(id), false) }
                { button("isolate", "Partition this node from all others", true, isolate, true) }
                { button("heal", "Restore every link in the cluster", true, Command::Heal(None), false) }
            </div>
            { membership }
            <details class="node-links">
                <summary>{ format!("links of node {id}") }</summary>
                <ul>
                    { for props.links.iter().map(|&(peer, out_cut, in_cut)| {
                        let state = match (out_cut, in_cut) {
                            (false, false) => "up both ways",
                            (true, true) => "cut both ways",
                            (true, false) => "cut outgoing only",
                            (false, true) => "cut incoming only",
                        };
                        let (label, cmd) = if out_cut || in_cut {
                            ("restore", Command::Heal(Some(LinkTarget::Both(id, peer))))
                        } else {
                            ("cut", Command::Cut(LinkTarget::Both(id, peer)))
                        };
                        let onclick = props.on_action.reform(move |_: MouseEvent| Action::Cluster(cmd.clone()));
                        html! {
                            <li>
                                <span>{ format!("{id} ↔ {peer}: {state}") }</span>
                                <button {onclick} aria-label={format!("{label} the link {id}↔{peer}")}>{ label }</button>
                            </li>
                        }
                    }) }
                </ul>
            </details>
        </section>
    }
}
