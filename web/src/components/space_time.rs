//! The space-time diagram: one lane per node, virtual time to the right, every message an arrow
//! from its send to its delivery (or a cross where it was lost), each node's marks and Readys
//! on its lane. It follows the timeline's cursor; clicking an arrow or a mark goes to that
//! moment and selects it; after a fork it can draw the abandoned branch under the present.
//!
//! The cluster keeps the trace and cuts out the window asked for ([`SpaceTimeAsk`]); this
//! component only chooses the window, lays it out ([`scene`]) and draws it.

use std::rc::Rc;

use cluster::view::ClusterView;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use crate::driver::{DriverHandle, Shared, SpaceTime, SpaceTimeAsk};
use crate::state::{Action, Selection};

mod render;
mod scene;
mod tip;

use scene::{lane_height, scene, Frame, Scene};
use tip::Target;

/// The spans of time the diagram can show, from a few messages to a minute of traffic.
pub const SPANS_MS: [u64; 10] = [
    100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000,
];

/// 1 s: a few heartbeat rounds, arrows still far apart at the default 10 ms latency.
const DEFAULT_SPAN: usize = 3;

/// The width assumed until the diagram has been measured.
const FALLBACK_WIDTH: f64 = 800.0;

#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    pub driver: DriverHandle,
    /// The cluster shown (the diagram is read again when it changes).
    pub view: Shared<ClusterView>,
    /// Virtual time of the shown cluster: where the cursor is.
    pub now_ms: u64,
    pub selection: Selection,
    /// The timeline has an abandoned branch to compare with.
    pub has_branch: bool,
    pub on_action: Callback<Action>,
}

/// What the person chose to look at.
#[derive(Clone, Debug, PartialEq)]
struct Look {
    span: usize,
    /// Follow the cursor, or stay where panned to (the window's right edge).
    follow: bool,
    right_ms: u64,
    hidden_kinds: Vec<String>,
    hidden_nodes: Vec<u64>,
    compare: bool,
}

impl Look {
    fn window(&self, now_ms: u64) -> (u64, u64) {
        let span = SPANS_MS[self.span];
        let right = if self.follow {
            now_ms + span / 20
        } else {
            self.right_ms
        };
        let right = right.max(span);
        (right - span, right)
    }
}

/// What one render draws, computed once per change.
struct Drawn {
    data: SpaceTime,
    scene: Rc<Scene>,
    frame: Frame,
}

#[component(SpaceTimeDiagram)]
pub fn space_time_diagram(props: &SpaceTimeProps) -> Html {
    let look = use_state(|| Look {
        span: DEFAULT_SPAN,
        follow: true,
        right_ms: 0,
        hidden_kinds: Vec::new(),
        hidden_nodes: Vec::new(),
        compare: true,
    });
    let size = use_state(|| (FALLBACK_WIDTH, 0.0));
    let canvas_ref = use_node_ref();
    use_resize(&canvas_ref, size.setter());

    let (from_ms, to_ms) = look.window(props.now_ms);
    let selected = match props.selection {
        Selection::Message(id) => Some(id),
        _ => None,
    };
    let drawn: Rc<Drawn> = {
        let driver = props.driver.clone();
        let ask = SpaceTimeAsk {
            from_ms,
            to_ms,
            hidden_kinds: look.hidden_kinds.clone(),
            hidden_nodes: look.hidden_nodes.clone(),
        };
        let compare = look.compare && props.has_branch;
        use_memo(
            (
                props.view.clone(),
                props.now_ms,
                ask,
                compare,
                *size,
                selected,
            ),
            move |(_, _, ask, compare, (width, height), selected)| {
                let data = driver.space_time(ask, *compare).unwrap_or_default();
                let blocks = if data.branch.is_some() { 2 } else { 1 };
                let frame = Frame {
                    from_ms: ask.from_ms,
                    to_ms: ask.to_ms,
                    width: *width,
                    lane_h: lane_height(*height, data.view.lanes.len(), blocks),
                };
                let scene = Rc::new(scene(&data.view, data.branch.as_ref(), frame, *selected));
                Drawn { data, scene, frame }
            },
        )
    };

    let set = |f: fn(&mut Look, u64)| {
        let look = look.clone();
        let now = props.now_ms;
        Callback::from(move |_: MouseEvent| {
            let mut l = (*look).clone();
            f(&mut l, now);
            look.set(l);
        })
    };
    let zoom_in = set(|l, now| {
        l.right_ms = l.window(now).1;
        l.span = l.span.saturating_sub(1);
    });
    let zoom_out = set(|l, now| {
        l.right_ms = l.window(now).1;
        l.span = (l.span + 1).min(SPANS_MS.len() - 1);
    });
    let earlier = set(|l, now| {
        let right = l.window(now).1;
        l.right_ms = right.saturating_sub(SPANS_MS[l.span] / 2);
        l.follow = false;
    });
    let later = set(|l, now| {
        let right = l.window(now).1;
        l.right_ms = right + SPANS_MS[l.span] / 2;
        l.follow = false;
    });
    let follow = set(|l, now| {
        // Stop where the window is now; following again catches the cursor up.
        l.right_ms = l.window(now).1;
        l.follow = !l.follow;
    });
    let toggle_compare = set(|l, _| l.compare = !l.compare);

    // The latest drawing, for the pointer's handlers.
    let shown = use_mut_ref(|| drawn.clone());
    *shown.borrow_mut() = drawn.clone();
    let onclick = {
        let on_action = props.on_action.clone();
        let shown = shown.clone();
        let canvas = canvas_ref.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some((t, false)) = pointed(&e, &shown.borrow(), &canvas) {
                for a in actions(t) {
                    on_action.emit(a);
                }
            }
        })
    };
    let tip_ref = use_node_ref();
    let cache = use_mut_ref(render::Cache::default);
    let onmousemove = {
        let shown = shown.clone();
        let tip_ref = tip_ref.clone();
        let canvas = canvas_ref.clone();
        Callback::from(move |e: MouseEvent| {
            let d = shown.borrow();
            let text = pointed(&e, &d, &canvas)
                .and_then(|(t, branch)| t.describe(tip::view_of(&d.data, branch)?));
            show_tip(&tip_ref, text, &e);
        })
    };
    let onmouseleave = {
        let tip_ref = tip_ref.clone();
        Callback::from(move |e: MouseEvent| show_tip(&tip_ref, None, &e))
    };
    let export = {
        let drawn = drawn.clone();
        Callback::from(move |_: MouseEvent| {
            let text = render::svg_file(&drawn.scene, drawn.frame);
            if let Err(e) = crate::download::download("space-time.svg", &text, "image/svg+xml") {
                web_sys::console::warn_1(&e.into());
            }
        })
    };

    let v = &drawn.data.view;
    let kind_filter = v.kinds.iter().map(|&(k, n)| {
        let label = format!("{k} ({n})");
        filter_box(
            &look,
            |l| &mut l.hidden_kinds,
            k.to_string(),
            label,
            Some(k),
            None,
        )
    });
    let hidden_kinds_left: Vec<Html> = look
        .hidden_kinds
        .iter()
        .filter(|h| !v.kinds.iter().any(|(k, _)| k == h))
        .map(|h| html! { <span class="st-check off">{ format!("{h} hidden") }</span> })
        .collect();
    let node_filter = props.view.nodes.iter().map(|n| {
        let label = format!("node {}", n.id);
        filter_box(
            &look,
            |l| &mut l.hidden_nodes,
            n.id,
            label,
            None,
            Some(n.id),
        )
    });
    let divergence = drawn.data.branch.as_ref().map(|b| {
        let text = match &b.divergence {
            Some(d) => {
                let say = |w: &Option<(u64, String)>| match w {
                    Some((t, s)) => format!("{s} ({t} ms)"),
                    None => "nothing more".into(),
                };
                format!(
                    "First difference at {} ms — here: {}; in the abandoned branch: {}",
                    d.at_ms,
                    say(&d.here),
                    say(&d.there)
                )
            }
            None => "No difference yet between the two branches.".into(),
        };
        html! { <p class="st-divergence" data-testid="st-divergence">{ text }</p> }
    });
    html! {
        <section class="space-time" data-testid="space-time" aria-label="Space-time diagram">
            <div class="st-bar">
                <strong>{ "Space-time" }</strong>
                <span class="st-group" role="group" aria-label="Zoom">
                    <button onclick={zoom_in} aria-label="Zoom in" disabled={look.span == 0}>{ "+" }</button>
                    <span class="st-span" data-testid="st-span">{ span_label(SPANS_MS[look.span]) }</span>
                    <button onclick={zoom_out} aria-label="Zoom out"
                        disabled={look.span + 1 == SPANS_MS.len()}>{ "−" }</button>
                </span>
                <span class="st-group" role="group" aria-label="Pan">
                    <button onclick={earlier} aria-label="Earlier">{ "◀" }</button>
                    <button onclick={later} aria-label="Later">{ "▶" }</button>
                    <button onclick={follow} aria-pressed={look.follow.to_string()} data-testid="st-follow"
                        title="Keep the cursor in view as time runs and as the timeline is scrubbed">
                        { "Follow" }
                    </button>
                </span>
                <details class="st-filter">
                    <summary>{ "Filter" }</summary>
                    <div class="st-filter-body">
                        <fieldset><legend>{ "Messages" }</legend>{ for kind_filter }{ for hidden_kinds_left }</fieldset>
                        <fieldset><legend>{ "Nodes" }</legend>{ for node_filter }</fieldset>
                    </div>
                </details>
                if props.has_branch {
                    <label class="st-check">
                        <input type="checkbox" checked={look.compare} onclick={toggle_compare}
                            data-testid="st-compare" />
                        { "Compare with the abandoned branch" }
                    </label>
                }
                <button onclick={export} data-testid="st-export"
                    title="Save the diagram as it is drawn, as an SVG file">{ "Export SVG" }</button>
                if v.left_out > 0 {
                    <span class="st-note">{ format!("{} older messages not drawn: zoom in", v.left_out) }</span>
                }
            </div>
            { for divergence }
            <div class="st-canvas" ref={canvas_ref} {onclick} {onmousemove} {onmouseleave}>
                <svg class="st-svg" width="100%" height={(drawn.scene.height.round() as i64).to_string()}
                    role="img" aria-label={summary(&drawn.data)}>
                    { render::html(&drawn.scene, drawn.frame, &mut cache.borrow_mut()) }
                </svg>
                <div class="st-tip" ref={tip_ref} role="tooltip" hidden=true />
            </div>
        </section>
    }
}

/// A filter's checkbox: ticked while `item` is not in the list of hidden ones that `hidden`
/// picks out of the look; `data-kind` or `data-node` names it for tests.
fn filter_box<T: PartialEq + Clone + 'static>(
    look: &UseStateHandle<Look>,
    hidden: fn(&mut Look) -> &mut Vec<T>,
    item: T,
    label: String,
    kind: Option<&'static str>,
    node: Option<u64>,
) -> Html {
    let mut l = (**look).clone();
    let shown = !hidden(&mut l).contains(&item);
    let look = look.clone();
    let onchange = Callback::from(move |e: Event| {
        let on = e
            .target_dyn_into::<HtmlInputElement>()
            .is_some_and(|i| i.checked());
        let mut l = (*look).clone();
        let list = hidden(&mut l);
        list.retain(|h| h != &item);
        if !on {
            list.push(item.clone());
        }
        look.set(l);
    });
    html! {
        <label class="st-check">
            <input type="checkbox" checked={shown} {onchange} data-kind={kind}
                data-node={node.map(|n| n.to_string())} />
            { label }
        </label>
    }
}

/// What the pointer is on: the shape under it (for a lane's merged path, the one of its
/// shapes at the pointer's time), or the arrow it is near.
fn pointed(e: &MouseEvent, d: &Drawn, canvas: &NodeRef) -> Option<(Target, bool)> {
    // Not the event's current target: yew listens at the page's root, not on this element.
    let canvas = canvas.cast::<Element>()?;
    let r = canvas.get_bounding_client_rect();
    let (x, y) = (
        f64::from(e.client_x()) - r.left(),
        f64::from(e.client_y()) - r.top() + f64::from(canvas.scroll_top()),
    );
    let on = e
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|el| Target::of(&el));
    match on {
        Some((t, branch)) => {
            let view = tip::view_of(&d.data, branch)?;
            t.on_lane(view, d.frame, x).map(|t| (t, branch))
        }
        None => tip::nearest_arrow(&d.scene, d.frame, x, y),
    }
}

/// What a click on a shape asks for: an arrow goes to the moment before its message arrived
/// (or was lost) and selects it; a mark or a Ready goes to just after its event and selects
/// its node. (The abandoned branch's shapes are for looking only.)
fn actions(t: Target) -> Vec<Action> {
    match t {
        Target::Message { id: 0, send, .. } => vec![Action::Seek(send + 1)],
        Target::Message {
            id, end: Some(end), ..
        } => vec![Action::Seek(end), Action::Select(Selection::Message(id))],
        Target::Message { id, end: None, .. } => vec![Action::Select(Selection::Message(id))],
        Target::Event { event, node, .. } => {
            vec![
                Action::Seek(event + 1),
                Action::Select(Selection::Node(node)),
            ]
        }
        Target::Shade { node, .. } => vec![Action::Select(Selection::Node(node))],
        Target::Lane { .. } => Vec::new(),
    }
}

/// Shows `text` by the pointer, or hides the tooltip.
fn show_tip(tip: &NodeRef, text: Option<String>, e: &MouseEvent) {
    let Some(el) = tip.cast::<web_sys::HtmlElement>() else {
        return;
    };
    match text {
        Some(t) => {
            el.set_text_content(Some(&t));
            let style = el.style();
            let _ = style.set_property("left", &format!("{}px", e.client_x() + 12));
            let _ = style.set_property("top", &format!("{}px", e.client_y() + 14));
            el.set_hidden(false);
        }
        None => el.set_hidden(true),
    }
}

/// `500 ms`, `2 s`.
fn span_label(ms: u64) -> String {
    if ms >= 1000 {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// The diagram in one sentence, for screen readers.
fn summary(st: &SpaceTime) -> String {
    let v = &st.view;
    format!(
        "{} messages and {} marks on {} lanes from {} ms to {} ms",
        v.arrows.len(),
        v.marks.len(),
        v.lanes.len(),
        v.from_ms,
        v.to_ms
    )
}

/// Keeps `set` told of the element's width and height in CSS pixels.
#[hook]
fn use_resize(node: &NodeRef, set: UseStateSetter<(f64, f64)>) {
    let node = node.clone();
    use_effect_with((), move |_| {
        let on_resize = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Some(r) = entries
                .get(0)
                .dyn_into::<web_sys::ResizeObserverEntry>()
                .ok()
                .map(|e| e.content_rect())
            {
                if r.width() > 0.0 {
                    set.set((r.width(), r.height()));
                }
            }
        });
        let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
        if let (Some(o), Some(el)) = (&observer, node.cast::<Element>()) {
            o.observe(&el);
        }
        move || {
            if let Some(o) = observer {
                o.disconnect();
            }
            drop(on_resize);
        }
    });
}
