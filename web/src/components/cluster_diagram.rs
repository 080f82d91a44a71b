//! The cluster diagram: nodes on a ring, a line for every pair of nodes, and the messages in
//! flight placed along their links by virtual time.

use std::collections::BTreeMap;
use std::rc::Rc;

use cluster::view::{ClusterView, LinkView, Membership};
use yew::prelude::*;

use crate::components::link_line::{Direction, LinkLine};
use crate::components::message_layer::{FlyingMessage, MessageLayer};
use crate::components::node_glyph::NodeGlyph;
use crate::driver::Shared;
use crate::geometry::{along, progress, ring_positions, tenths, Point, CENTER, HEIGHT, WIDTH};
use crate::palette::{short_type, MessageKind};
use crate::state::{Action, Selection};

/// Distance of a message's lane from the line, so the two directions never overlap.
const LANE: f64 = 7.0;

#[derive(Properties, PartialEq)]
pub struct ClusterDiagramProps {
    pub view: Shared<ClusterView>,
    /// Virtual time now, which places the messages on their links (the view's own clock may
    /// lag: it is only rebuilt when something happened).
    pub now_ms: u64,
    pub selection: Selection,
    /// Whether the list of messages for screen readers follows this render (see
    /// `PageState::lists_current`).
    pub list_current: bool,
    pub on_action: Callback<Action>,
}

fn direction(link: Option<&LinkView>) -> Direction {
    link.map(|l| Direction {
        cut: l.cut,
        drop_rate: l.drop_rate,
        delay: l.custom_delay.then(|| l.delay.clone()),
    })
    .unwrap_or_default()
}

/// What a screen reader hears about the diagram as a whole.
/// The CSS class that marks a node outside the plain voters.
fn membership_class(m: Membership) -> Option<&'static str> {
    match m {
        Membership::Voter | Membership::Outgoing => None,
        Membership::Learner => Some("member-learner"),
        Membership::Joining => Some("member-joining"),
        Membership::Removed => Some("member-removed"),
    }
}

/// The caption of a joint configuration: the two voter sets and the majority each needs.
fn joint_caption(view: &ClusterView) -> Html {
    let config = &view.config;
    let half = |ids: &[u64]| {
        let list: Vec<String> = ids.iter().map(u64::to_string).collect();
        format!(
            "({}) needs {}",
            list.join(" "),
            cluster::view::ConfigView::majority(ids)
        )
    };
    html! {
        // Bottom left: the top of the ring belongs to the first node's labels.
        <g class="joint-caption" transform={format!("translate(12,{})", tenths(HEIGHT - 40.0))}
            data-testid="joint-caption">
            <text class="title">{ "joint configuration: every vote and commit needs both majorities" }</text>
            <text y="15"><tspan class="old">{ "- - old voters " }</tspan>{ half(&config.outgoing) }</text>
            <text y="30"><tspan class="new">{ "—— new voters " }</tspan>{ half(&config.voters) }</text>
        </g>
    }
}

fn summary(view: &ClusterView) -> String {
    let leader = view
        .leader
        .map_or("no leader".to_string(), |l| format!("leader {l}"));
    format!(
        "{} nodes, {leader}, {} messages in flight",
        view.nodes.len(),
        view.messages.len()
    )
}

#[component(ClusterDiagram)]
pub fn cluster_diagram(props: &ClusterDiagramProps) -> Html {
    let view = &props.view;
    let joint = view.config.is_joint();
    let positions: BTreeMap<u64, Point> = crate::map_from(
        view.nodes
            .iter()
            .map(|n| n.id)
            .zip(ring_positions(view.nodes.len())),
    );

    let mut links = Vec::new();
    for (i, x) in view.nodes.iter().enumerate() {
        for y in &view.nodes[i + 1..] {
            let (a, b) = (x.id.min(y.id), x.id.max(y.id));
            let (Some(&pa), Some(&pb)) = (positions.get(&a), positions.get(&b)) else {
                continue;
            };
            links.push(html! {
                <LinkLine
                    key={format!("{a}-{b}")}
                    {a} {pa} {b} {pb}
                    ab={direction(view.link(a, b))}
                    ba={direction(view.link(b, a))}
                    selected={props.selection == Selection::Link(a, b)}
                    on_action={props.on_action.clone()}
                />
            });
        }
    }

    let nodes = view.nodes.iter().filter_map(|n| {
        let p = positions.get(&n.id)?;
        let timer = if n.randomized_election_timeout == 0 {
            0.0
        } else {
            n.election_elapsed as f64 / n.randomized_election_timeout as f64
        };
        Some(html! {
            <NodeGlyph
                key={n.id}
                id={n.id}
                role={n.role}
                term={n.term}
                vote={n.vote}
                commit={n.commit}
                threads={n.async_storage_writes.then_some((n.append_queue.len(), n.apply_queue.len()))}
                crashed={n.crashed}
                paused={n.paused}
                cut_off={view.is_cut_off(n.id)}
                ready_pending={n.ready.is_some()}
                {timer}
                x={p.x}
                y={p.y}
                labels_above={p.y < CENTER.y - 1.0}
                selected={props.selection == Selection::Node(n.id)}
                in_old_quorum={joint && view.config.outgoing.contains(&n.id)}
                in_new_quorum={joint && view.config.voters.contains(&n.id)}
                membership_class={membership_class(n.membership)}
                on_action={props.on_action.clone()}
            />
        })
    });

    let now = props.now_ms.max(view.now_ms);
    let messages: Vec<FlyingMessage> = view
        .messages
        .iter()
        .filter_map(|m| {
            let (a, b) = (positions.get(&m.from)?, positions.get(&m.to)?);
            let t = progress(m.sent_at, m.arrives_at, now);
            Some(FlyingMessage {
                id: m.id,
                label: short_type(&m.msg_type),
                kind: MessageKind::of(&m.msg_type),
                is_response: m.is_response,
                rejected: m.rejected,
                held: m.held,
                summary: m.summary.clone(),
                at: along(*a, *b, t, LANE),
            })
        })
        .collect();
    let selected_message = match props.selection {
        Selection::Message(id) => Some(id),
        _ => None,
    };

    let clear = props
        .on_action
        .reform(|_: MouseEvent| Action::Select(Selection::Nothing));

    html! {
        <>
        <div class="diagram-stack">
        <svg class="cluster-svg"
            viewBox={format!("0 0 {} {}", tenths(WIDTH), tenths(HEIGHT))}
            preserveAspectRatio="xMidYMid meet"
            role="group"
            aria-label={summary(view)}
        >
            <defs>
                <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse"
                    patternTransform="rotate(45)">
                    <rect width="6" height="6" class="hatch-bg" />
                    <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
                </pattern>
            </defs>
            <rect class="backdrop" width={tenths(WIDTH)} height={tenths(HEIGHT)} onclick={clear} />
            if view.nodes.is_empty() {
                <text x={tenths(WIDTH / 2.0)} y={tenths(HEIGHT / 2.0)}
                    text-anchor="middle" class="empty-note">{ "The cluster is empty." }</text>
            }
            <g class="links">{ links }</g>
            <g class="nodes">{ for nodes }</g>
            if joint {
                { joint_caption(view) }
            }
        </svg>
        // The messages move every frame: they are painted on a canvas over the diagram, so
        // the links and nodes under them are left alone.
        <MessageLayer messages={Rc::new(messages)} selected={selected_message}
            list_current={props.list_current}
            on_action={props.on_action.clone()} />
        </div>
        { legend() }
        </>
    }
}

/// The key to shapes and colours, under the diagram. HTML rather than SVG so that it lays
/// itself out at any width.
fn legend() -> Html {
    html! {
        <div class="legend" aria-hidden="true">
            <span class="lg-roles">
                <svg width="12" height="12" viewBox="-6 -6 12 12"><circle class="lg role-follower" r="5" /></svg>{ "Follower" }
                <svg width="12" height="12" viewBox="-6 -6 12 12"><polygon class="lg role-precandidate" points="0,-5.5 5.5,0 0,5.5 -5.5,0" /></svg>{ "PreCandidate" }
                <svg width="12" height="12" viewBox="-6 -6 12 12"><polygon class="lg role-candidate" points="0,-5.5 5.5,0 0,5.5 -5.5,0" /></svg>{ "Candidate" }
                <svg width="12" height="12" viewBox="-6 -6 12 12"><polygon class="lg role-leader" points="5,0 2.5,4.3 -2.5,4.3 -5,0 -2.5,-4.3 2.5,-4.3" /></svg>{ "Leader ♛" }
                <svg width="12" height="12" viewBox="-6 -6 12 12"><circle class="lg role-learner" r="5" /></svg>{ "Learner" }
            </span>
            <span class="lg-msgs">
                <span class="lg-pill msg-vote">{ "vote" }</span>
                <span class="lg-pill msg-append">{ "append" }</span>
                <span class="lg-pill msg-heartbeat">{ "heartbeat" }</span>
                <span class="lg-pill msg-snapshot">{ "snapshot" }</span>
                <span class="lg-pill msg-other">{ "other" }</span>
                <span class="lg-pill response">{ "response" }</span>
                <span class="lg-x">{ "✕" }</span>{ "rejected" }
            </span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_leader_and_traffic() {
        let v = crate::demo_view::demo_view();
        assert_eq!(summary(&v), "5 nodes, leader 1, 6 messages in flight");
        assert_eq!(
            summary(&ClusterView::default()),
            "0 nodes, no leader, 0 messages in flight"
        );
    }
}
