//! One node on the diagram. Its role shows three ways — colour, shape and the word under it — so
//! no one needs to tell colours apart; its election timer is the ring around it, filling up.

use cluster::view::Role;
use yew::prelude::*;

use crate::geometry::{circumference, tenths, NODE_R, TIMER_R};
use crate::palette::role_class;
use crate::state::{Action, Selection};

#[derive(Properties, PartialEq)]
pub struct NodeGlyphProps {
    pub id: u64,
    pub role: Role,
    pub term: u64,
    pub vote: u64,
    pub commit: u64,
    pub crashed: bool,
    pub paused: bool,
    /// Some link into or out of the node is cut.
    pub cut_off: bool,
    pub ready_pending: bool,
    /// The election timer's progress, 0 (just reset) to 1 (due).
    pub timer: f64,
    pub x: f64,
    pub y: f64,
    /// Write the labels above the node instead of below: nodes on the upper half of the ring
    /// keep their labels outside the ring, out of the way of the messages crossing it.
    pub labels_above: bool,
    pub selected: bool,
    /// While the configuration is joint: the node votes in the outgoing (old) half, the
    /// incoming (new) half, or both. Drawn as two rings so the two quorums can be read at a
    /// glance.
    #[prop_or_default]
    pub in_old_quorum: bool,
    #[prop_or_default]
    pub in_new_quorum: bool,
    /// A learner of the configuration, a node not yet in it, or one removed from it.
    #[prop_or_default]
    pub membership_class: Option<&'static str>,
    /// With asynchronous storage writes: how much work waits in the append and apply threads.
    #[prop_or_default]
    pub threads: Option<(usize, usize)>,
    pub on_action: Callback<Action>,
}

/// The outline of a role's body, centred on the origin.
fn body(role: Role) -> Html {
    let r = NODE_R;
    match role {
        Role::Follower | Role::Learner => html! { <circle class="body" r={tenths(r)} /> },
        Role::Leader => {
            // A hexagon with a flat top: the one shape on the diagram with straight sides all
            // round, easy to spot among circles and diamonds.
            let points: Vec<String> = (0..6)
                .map(|i| {
                    let a = std::f64::consts::PI / 3.0 * f64::from(i);
                    let rr = r + 3.0;
                    format!("{},{}", tenths(rr * a.cos()), tenths(rr * a.sin()))
                })
                .collect();
            html! { <polygon class="body" points={points.join(" ")} /> }
        }
        Role::Candidate | Role::PreCandidate => {
            let d = r + 5.0;
            html! { <polygon class="body" points={format!("0,{} {},0 0,{} {},0", tenths(-d), tenths(d), tenths(d), tenths(-d))} /> }
        }
    }
}

/// What a screen reader says for the node: the words drawn on it, in the order they are drawn
/// (so that the name holds the visible text), then in parentheses what the badges mean.
fn describe(p: &NodeGlyphProps) -> String {
    let mut s = format!("Node {} {} {}", p.id, role_text(p), stats_text(p));
    let ready = p.ready_pending && !p.crashed;
    if ready {
        s.push_str(" R");
    }
    if let Some((append, apply)) = p.threads {
        s.push_str(&format!(" W {append} A {apply}"));
    }
    let mut notes = Vec::new();
    if ready {
        notes.push("Ready pending".to_string());
    }
    if let Some((append, apply)) = p.threads {
        notes.push(format!(
            "storage threads: {append} append(s), {apply} apply(s) waiting"
        ));
    }
    if p.paused {
        notes.push("clock paused".to_string());
    }
    if p.cut_off {
        notes.push("partitioned".to_string());
    }
    if !notes.is_empty() {
        s.push_str(&format!(" ({})", notes.join(", ")));
    }
    s
}

/// The role written under the node.
fn role_text(p: &NodeGlyphProps) -> String {
    match (p.crashed, p.role) {
        (true, _) => "crashed".to_string(),
        // The crown is for a quick glance; the word is what a screen or a reader relies on.
        (false, Role::Leader) => "♛ Leader".to_string(),
        (false, role) => role.name().to_string(),
    }
}

/// The numbers written under the node.
fn stats_text(p: &NodeGlyphProps) -> String {
    let vote = if p.vote == 0 {
        "–".to_string()
    } else {
        p.vote.to_string()
    };
    format!("term {} · vote {vote} · commit {}", p.term, p.commit)
}

#[component(NodeGlyph)]
pub fn node_glyph(props: &NodeGlyphProps) -> Html {
    let id = props.id;
    let select = props
        .on_action
        .reform(move |_: MouseEvent| Action::Select(Selection::Node(id)));
    let on_key = {
        let cb = props.on_action.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                cb.emit(Action::Select(Selection::Node(id)));
            }
        })
    };
    // Right click opens the node in the inspector, where its faults are.
    let on_context = {
        let cb = props.on_action.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            cb.emit(Action::Select(Selection::Node(id)));
        })
    };

    let circ = circumference(TIMER_R);
    // Red means "an election is near". A leader's timer only paces its check-quorum rounds, so
    // it never turns red.
    let due = props.timer >= 0.8 && props.role != Role::Leader && !props.crashed;
    let filled = circ * props.timer.clamp(0.0, 1.0);
    let classes = classes!(
        "node",
        role_class(props.role),
        props.crashed.then_some("crashed"),
        props.paused.then_some("paused"),
        props.cut_off.then_some("cut-off"),
        props.selected.then_some("selected"),
        props.membership_class,
    );
    let label_y = if props.labels_above {
        [-TIMER_R - 24.0, -TIMER_R - 12.0]
    } else {
        [TIMER_R + 15.0, TIMER_R + 28.0]
    };

    html! {
        <g class={classes}
            transform={format!("translate({},{})", tenths(props.x), tenths(props.y))}
            tabindex="0"
            role="button"
            aria-label={describe(props)}
            aria-pressed={props.selected.to_string()}
            data-node={id.to_string()}
            onclick={select}
            onkeydown={on_key}
            oncontextmenu={on_context}
        >
            <circle class="halo" r={tenths(TIMER_R + 9.0)} />
            if props.in_old_quorum {
                <circle class="quorum-ring old" r={tenths(TIMER_R + 13.0)}>
                    <title>{ "votes in the outgoing (old) configuration" }</title>
                </circle>
            }
            if props.in_new_quorum {
                <circle class="quorum-ring new" r={tenths(TIMER_R + 17.0)}>
                    <title>{ "votes in the incoming (new) configuration" }</title>
                </circle>
            }
            if props.cut_off {
                <circle class="cut-ring" r={tenths(TIMER_R + 5.0)} />
            }
            <circle class="timer-track" r={tenths(TIMER_R)} />
            <circle
                class={classes!("timer", due.then_some("due"))}
                r={tenths(TIMER_R)}
                transform="rotate(-90)"
                stroke-dasharray={format!("{} {}", tenths(filled), tenths(circ))}
            />
            { body(props.role) }
            if props.crashed {
                <path class="crash-mark" d="M-18,-18 L18,18 M18,-18 L-18,18" />
            }
            // Over the crash mark: which node went down is the first thing to read. The words
            // come in the order `describe` says them, a space apart, so that the name a screen
            // reader speaks holds the text as drawn (for people who speak to their screen).
            <text class="node-id" y="7">{ id }</text>{ " " }
            <text class="node-role" y={tenths(label_y[0])}>
                { role_text(props) }
            </text>{ " " }
            <text class="node-stats" y={tenths(label_y[1])}>
                { stats_text(props) }
            </text>{ " " }
            if props.paused {
                <g class="badge paused-badge" transform={format!("translate({},{})", tenths(-TIMER_R + 4.0), tenths(-TIMER_R + 4.0))}>
                    <circle r="9" />
                    <text y="3.5">{ "❚❚" }</text>
                </g>
            }
            if props.ready_pending && !props.crashed {
                <g class="badge ready-badge" transform={format!("translate({},{})", tenths(TIMER_R - 4.0), tenths(-TIMER_R + 4.0))}>
                    <circle r="9" />
                    <text y="3.5">{ "R" }</text>
                </g>{ " " }
            }
            if let Some((append, apply)) = props.threads {
                { threads_badge(append, apply) }
            }
        </g>
    }
}

/// The two storage threads of an asynchronous node, beside it: one row each, a square per
/// message waiting (at most five drawn, the count written), so a leader whose own write lags
/// its followers' shows it at a glance.
fn threads_badge(append: usize, apply: usize) -> Html {
    const SHOWN: usize = 5;
    let row = |y: f64, name: &'static str, n: usize, class: &'static str| {
        html! {
            <g class={classes!("thread-row", class)} transform={format!("translate(0,{})", tenths(y))}>
                <text class="thread-name" x="-2" y="4">{ name }</text>{ " " }
                { for (0..n.min(SHOWN)).map(|i| html! {
                    <rect x={tenths(2.0 + 9.0 * i as f64)} y="-4" width="7" height="8" rx="1" />
                }) }
                <text class="thread-count" x={tenths(4.0 + 9.0 * n.min(SHOWN) as f64)} y="4">{ n }</text>{ " " }
            </g>
        }
    };
    html! {
        <g class="threads-badge" data-append={append.to_string()} data-apply={apply.to_string()}
            transform={format!("translate({},{})", tenths(TIMER_R + 16.0), tenths(TIMER_R - 14.0))}>
            <title>{ format!("storage threads: {append} append(s), {apply} apply(s) waiting") }</title>
            { row(0.0, "W", append, "append") }
            { row(12.0, "A", apply, "apply") }
        </g>
    }
}
