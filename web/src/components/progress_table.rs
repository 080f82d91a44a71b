//! The leader's Progress table: how far each peer's log is known to match, what to send next,
//! and in which replication state etcd keeps each peer.

use cluster::view::ProgressView;
use yew::prelude::*;

use crate::palette::progress_state;

#[derive(Properties, PartialEq)]
pub struct ProgressTableProps {
    pub leader: u64,
    pub progress: Vec<ProgressView>,
}

#[component(ProgressTable)]
pub fn progress_table(props: &ProgressTableProps) -> Html {
    html! {
        <section class="card progress" aria-label="Progress of the leader's peers">
            <h3>{ "Progress" }<span class="sub">{ " · the leader's view of each peer" }</span></h3>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{ "peer" }</th>
                        <th scope="col" title="Highest index known to be replicated">{ "match" }</th>
                        <th scope="col" title="Next index to send">{ "next" }</th>
                        <th scope="col">{ "state" }</th>
                        <th scope="col" title="Appends in flight">{ "inflight" }</th>
                        <th scope="col" title="Sending is paused (probing, window full, or snapshot)">{ "paused" }</th>
                        <th scope="col" title="Heard from during the last election timeout">{ "active" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for props.progress.iter().map(|p| {
                        let state = progress_state(&p.state).to_string();
                        let state_class = format!("state-{}", state.to_ascii_lowercase());
                        html! {
                            <tr class={classes!((p.id == props.leader).then_some("self"))}>
                                <th scope="row">
                                    { p.id }
                                    if p.id == props.leader { <span class="muted">{ " (self)" }</span> }
                                    if p.is_learner { <span class="muted">{ " learner" }</span> }
                                </th>
                                <td>{ p.matched }</td>
                                <td>{ p.next }</td>
                                <td><span class={classes!("state-chip", state_class)} title={p.state.clone()}>
                                    { state }
                                    if p.pending_snapshot > 0 { { format!(" @{}", p.pending_snapshot) } }
                                </span></td>
                                <td>{ p.inflight }</td>
                                <td>{ if p.paused { "yes" } else { "–" } }</td>
                                <td>{ if p.recent_active { "yes" } else { "no" } }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </section>
    }
}
