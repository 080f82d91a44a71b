//! The space-time diagram as shapes: where each lane, arrow, mark and bracket goes. The page
//! draws these shapes and the SVG export writes the same ones, so what is exported is what was
//! seen.
//!
//! Time is drawn in a nested SVG whose `viewBox` is the window of time: shapes there are placed
//! in units of time ([`UNITS_PER_MS`] from a base that moves only every [`BASE_STEP_MS`]), so
//! while the window scrolls with the cursor only the `viewBox` changes, not the hundreds of
//! arrows under it. Lines keep their width (`vector-effect: non-scaling-stroke`); what must not
//! stretch (labels, the axis) is drawn in pixels over it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cluster::timetravel::space_time::BranchSpaceTime;
use cluster::trace::project::{ArrowFate, ArrowView, SpaceTimeView};
use yew::virtual_dom::Key;
use yew::AttrValue;

use crate::palette::MessageKind;

/// Height of one node's lane, at least (lanes grow to fill the room there is, up to
/// [`MAX_LANE_H`]).
pub const LANE_H: f64 = 26.0;
pub const MAX_LANE_H: f64 = 56.0;
/// Room for the lane labels at the left.
pub const GUTTER: f64 = 30.0;
/// Room for the time axis under the lanes.
pub const AXIS_H: f64 = 18.0;
/// Room for a block's caption (the branch's).
pub const CAPTION_H: f64 = 16.0;
/// Units of the time drawing per millisecond: fine enough for a 100 ms window.
pub const UNITS_PER_MS: u64 = 16;
/// How often the time drawing's origin moves: its numbers stay small (SVG computes in single
/// precision) and change all at once only that often.
pub const BASE_STEP_MS: u64 = 30_000;

/// One SVG element: its tag, class, whole-number geometry (the page carries no float
/// printer), and for what can be clicked, its `data-` attributes and a key that follows it
/// from one frame to the next. Texts are the page's attribute values already, so drawing a
/// shape copies none of them.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    pub tag: &'static str,
    pub class: AttrValue,
    pub geometry: Vec<(&'static str, i64)>,
    /// A path's `d`.
    pub d: Option<AttrValue>,
    pub text: Option<AttrValue>,
    pub data: Vec<(&'static str, AttrValue)>,
    pub key: Option<Key>,
}

impl Shape {
    fn new(
        tag: &'static str,
        class: impl Into<AttrValue>,
        geometry: Vec<(&'static str, i64)>,
    ) -> Shape {
        Shape {
            tag,
            class: class.into(),
            geometry,
            d: None,
            text: None,
            data: Vec::new(),
            key: None,
        }
    }

    fn line(class: impl Into<AttrValue>, x1: i64, y1: i64, x2: i64, y2: i64) -> Shape {
        Shape::new(
            "line",
            class,
            vec![("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2)],
        )
    }

    fn rect(class: impl Into<AttrValue>, x: i64, y: i64, w: i64, h: i64) -> Shape {
        Shape::new(
            "rect",
            class,
            vec![("x", x), ("y", y), ("width", w), ("height", h)],
        )
    }

    fn text(class: &'static str, x: i64, y: i64, text: String) -> Shape {
        Shape {
            text: Some(text.into()),
            ..Shape::new("text", class, vec![("x", x), ("y", y)])
        }
    }

    fn with(mut self, key: String, data: Vec<(&'static str, AttrValue)>) -> Shape {
        self.key = Some(key.into());
        self.data = data;
        self
    }

    /// Its `data-` attribute `name`, as a number.
    #[cfg(test)]
    pub fn number(&self, name: &str) -> Option<u64> {
        self.data
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.parse().ok())
    }
}

/// The window of time drawn, and the room for it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub from_ms: u64,
    pub to_ms: u64,
    pub width: f64,
    /// Each lane's height.
    pub lane_h: f64,
}

impl Frame {
    pub fn span_ms(&self) -> u64 {
        self.to_ms.saturating_sub(self.from_ms).max(1)
    }

    fn base_ms(&self) -> u64 {
        self.from_ms / BASE_STEP_MS * BASE_STEP_MS
    }

    /// A time in the time drawing's units.
    pub fn t(&self, ms: u64) -> i64 {
        (ms as i64 - self.base_ms() as i64) * UNITS_PER_MS as i64
    }

    /// Units of time per pixel.
    fn units_per_px(&self) -> f64 {
        (self.span_ms() * UNITS_PER_MS) as f64 / (self.width - GUTTER).max(1.0)
    }

    /// `n` pixels across, in units of time (at least one unit).
    fn px_units(&self, n: f64) -> i64 {
        ((n * self.units_per_px()).round() as i64).max(1)
    }

    /// A time's pixel column.
    fn x(&self, ms: u64) -> f64 {
        GUTTER
            + (ms as f64 - self.from_ms as f64) * (self.width - GUTTER).max(1.0)
                / self.span_ms() as f64
    }

    /// The time drawing's `viewBox` for a diagram `height` pixels high.
    pub fn view_box(&self, height: i64) -> String {
        format!(
            "{} 0 {} {height}",
            self.t(self.from_ms),
            self.span_ms() * UNITS_PER_MS
        )
    }
}

/// The lane height that fills `height` pixels with `lanes` lanes in `blocks` blocks (the
/// present, and the abandoned branch).
pub fn lane_height(height: f64, lanes: usize, blocks: usize) -> f64 {
    let room = height - blocks as f64 * AXIS_H - blocks.saturating_sub(1) as f64 * CAPTION_H;
    (room / (lanes * blocks).max(1) as f64)
        .floor()
        .clamp(LANE_H, MAX_LANE_H)
}

fn px(v: f64) -> i64 {
    v.round() as i64
}

/// The diagram: shapes in time (`timed`, under the `viewBox`), shapes in pixels (`fixed`), and
/// the height they take.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scene {
    pub timed: Vec<Shape>,
    pub fixed: Vec<Shape>,
    pub height: f64,
    /// Every arrow's segment (in the time drawing's units and pixels), for clicks near one.
    pub hits: Vec<Hit>,
}

/// An arrow as a click finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub id: u64,
    pub send: u64,
    pub end: Option<u64>,
    /// It is the abandoned branch's.
    pub branch: bool,
    pub segment: (i64, i64, i64, i64),
}

/// Arrows drawn one element each at most: past that (a window of many seconds under load) the
/// arrows of each class are one path, which the browser draws many times faster, and a click
/// finds its arrow by where it is drawn.
pub const MAX_ARROW_ELEMENTS: usize = 1200;

/// The lanes' vertical positions: lane `i`'s line at `top + i * h + h / 2`.
struct Lanes<'a> {
    ids: &'a [u64],
    top: f64,
    h: f64,
}

impl Lanes<'_> {
    fn y(&self, node: u64) -> Option<f64> {
        let i = self.ids.iter().position(|&n| n == node)?;
        Some(self.top + i as f64 * self.h + self.h / 2.0)
    }

    fn bottom(&self) -> f64 {
        self.top + self.ids.len() as f64 * self.h
    }
}

/// The whole diagram: the present's block, then the branch's when given.
pub fn scene(
    view: &SpaceTimeView,
    branch: Option<&BranchSpaceTime>,
    frame: Frame,
    selected: Option<u64>,
) -> Scene {
    let mut s = Scene::default();
    let fork = branch.map(|b| (b.forked_at_ms, b.divergence.as_ref().map(|d| d.at_ms)));
    let mut top = block(&mut s, view, frame, 0.0, selected, fork, true);
    if let Some(b) = branch {
        s.fixed.push(Shape::text(
            "st-caption",
            4,
            px(top + CAPTION_H - 4.0),
            format!(
                "the abandoned branch (left at {} ms, event {})",
                b.forked_at_ms, b.forked_at
            ),
        ));
        top += CAPTION_H;
        top = block(&mut s, &b.view, frame, top, None, fork, false);
    }
    s.height = top;
    s
}

/// One timeline's lanes and axis from `top`; returns where the next block starts.
fn block(
    s: &mut Scene,
    view: &SpaceTimeView,
    frame: Frame,
    top: f64,
    selected: Option<u64>,
    fork: Option<(u64, Option<u64>)>,
    present: bool,
) -> f64 {
    let (first_timed, first_fixed) = (s.timed.len(), s.fixed.len());
    let lanes = Lanes {
        ids: &view.lanes,
        top,
        h: frame.lane_h,
    };
    let t = |ms: u64| frame.t(ms);
    let bottom = lanes.bottom();
    // A partition's shading first, under everything.
    for c in &view.shades {
        let Some(y) = lanes.y(c.node) else { continue };
        let (x1, x2) = (t(c.from_ms), t(c.to_ms.unwrap_or(view.cursor_ms)));
        s.timed.push(
            Shape::rect(
                "st-shade",
                x1,
                px(y - frame.lane_h / 2.0 + 1.0),
                (x2 - x1).max(1),
                px(frame.lane_h - 2.0),
            )
            .with(
                format!("s{}-{}", c.node, c.from_ms),
                vec![
                    ("data-node", c.node.to_string().into()),
                    ("data-shade", c.from_ms.to_string().into()),
                ],
            ),
        );
    }
    for &id in &view.lanes {
        let Some(y) = lanes.y(id) else { continue };
        s.fixed.push(Shape::line(
            "st-lane",
            px(GUTTER),
            px(y),
            px(frame.width),
            px(y),
        ));
        s.fixed.push(Shape::text(
            "st-lane-label",
            4,
            px(y + 4.0),
            format!("n{id}"),
        ));
    }
    // Readys are many (one per node every few milliseconds under load): the settled ones of a
    // lane are one path, so the page keeps one element per lane, not hundreds. One still in
    // hand is its own, drawn open. (A click finds the Ready under the pointer by its time.)
    let mut settled: BTreeMap<u64, String> = BTreeMap::new();
    for r in &view.readys {
        let Some(y) = lanes.y(r.node()) else { continue };
        let x1 = t(r.from_ms());
        let w = (t(r.to_ms().unwrap_or(view.cursor_ms)) - x1).max(frame.px_units(3.0));
        let y = px(y + 4.0);
        if r.to_ms().is_some() {
            let d = settled.entry(r.node()).or_default();
            let _ = write!(d, "M{x1} {y}h{w}v5h{}z", -w);
            continue;
        }
        s.timed.push(Shape::rect("st-ready open", x1, y, w, 5).with(
            format!("r{}-{}", r.node(), r.from_event()),
            vec![
                ("data-event", r.from_event().to_string().into()),
                ("data-node", r.node().to_string().into()),
            ],
        ));
    }
    for (node, d) in settled {
        s.timed.push(merged(
            "st-ready",
            format!("readys-{node}"),
            d,
            node,
            "ready",
        ));
    }
    let first_hit = s.hits.len();
    let mut bulk = (view.arrows.len() > MAX_ARROW_ELEMENTS).then(BTreeMap::new);
    for a in &view.arrows {
        arrow(s, a, &lanes, frame, view.cursor_ms, selected, bulk.as_mut());
    }
    for (class, d) in bulk.into_iter().flatten() {
        s.timed.push(Shape {
            d: Some(d.into()),
            ..Shape::new("path", class.clone(), Vec::new())
                .with(format!("arrows {class}"), Vec::new())
        });
    }
    if !present {
        for h in &mut s.hits[first_hit..] {
            h.branch = true;
        }
    }
    // Marks with a label (roles, crashes, votes for another) are few and each its own element;
    // the rest (writes, fsyncs, commits, applies) are dots merged into one path per lane and
    // kind: a dot is a segment of no length with round ends.
    let mut dots: BTreeMap<(u64, &'static str), String> = BTreeMap::new();
    for m in &view.marks {
        let Some(y) = lanes.y(m.node) else { continue };
        let x = t(m.at.at);
        let Some(label) = m.label() else {
            let _ = write!(
                dots.entry((m.node, m.class_name())).or_default(),
                "M{x} {}h0",
                px(y)
            );
            continue;
        };
        let class = format!("st-dot kind-{} labelled", m.class_name());
        s.timed.push(Shape::line(class, x, px(y), x, px(y)).with(
            format!("m{}-{}-{}", m.at.event, m.node, m.class_name()),
            vec![
                ("data-event", m.at.event.to_string().into()),
                ("data-node", m.node.to_string().into()),
                ("data-kind", m.class_name().into()),
            ],
        ));
        let xs = frame.x(m.at.at);
        if xs >= GUTTER && xs <= frame.width {
            s.fixed
                .push(Shape::text("st-mark-label", px(xs) + 5, px(y - 6.0), label));
        }
    }
    for ((node, kind), d) in dots {
        s.timed.push(merged(
            dot_class(kind),
            format!("dots-{node}-{kind}"),
            d,
            node,
            kind,
        ));
    }
    // Every shape in time has a key, so that yew's keyed diff keeps what stays.
    let mut rule = |class: &'static str, ms: u64| {
        s.timed.push(
            Shape::line(class, t(ms), px(top), t(ms), px(bottom)).with(class.into(), Vec::new()),
        );
    };
    if let Some((fork_ms, diverge)) = fork {
        rule("st-fork", fork_ms);
        if let Some(d) = diverge {
            rule("st-diverge", d);
        }
    }
    if present {
        rule("st-cursor", view.cursor_ms);
    }
    axis(&mut s.fixed, frame, bottom);
    if !present {
        // The abandoned branch's shapes are looked at, never clicked through to the present.
        for shape in s.timed[first_timed..]
            .iter_mut()
            .chain(&mut s.fixed[first_fixed..])
        {
            if let Some(k) = &shape.key {
                shape.key = Some(format!("b{k}").into());
                shape.data.push(("data-branch", "1".into()));
            }
        }
    }
    bottom + AXIS_H
}

/// A message's arrow: from its send on the sender's lane to its delivery on the recipient's;
/// in flight, as far as it got by the time shown; lost, ending in a cross where it was lost.
fn arrow(
    s: &mut Scene,
    a: &ArrowView,
    lanes: &Lanes,
    frame: Frame,
    cursor_ms: u64,
    selected: Option<u64>,
    bulk: Option<&mut BTreeMap<String, String>>,
) {
    let (Some(y1), Some(y2)) = (lanes.y(a.from()), lanes.y(a.to())) else {
        return;
    };
    // How far along its way it is at `t`, by its planned arrival.
    let along = |t: u64, due: u64| -> f64 {
        if due <= a.sent_ms {
            return 1.0;
        }
        ((t.saturating_sub(a.sent_ms)) as f64 / (due - a.sent_ms) as f64).min(1.0)
    };
    let (end_ms, frac, fate) = match &a.fate {
        ArrowFate::Delivered => (a.end_ms.unwrap_or(cursor_ms), 1.0, "delivered"),
        ArrowFate::InFlight { arrives_ms } => {
            (cursor_ms, along(cursor_ms, *arrives_ms), "in-flight")
        }
        // Lost on the way: most of the way down, wherever in time it was lost; lost as it was
        // sent, a stub.
        ArrowFate::Lost(_) if a.id == 0 => (a.sent_ms, 0.25, "lost"),
        ArrowFate::Lost(_) => (a.end_ms.unwrap_or(a.sent_ms), 0.85, "lost"),
    };
    let x1 = frame.t(a.sent_ms);
    let x2 = frame
        .t(end_ms)
        .max(x1 + frame.px_units(6.0) * i64::from(fate == "lost"));
    let (y1, y2) = (px(y1), px(y1 + (y2 - y1) * frac));
    let kind = MessageKind::of(a.msg_type()).class();
    let rare = [
        (a.rejected(), " rejected"),
        (a.copy_of.is_some(), " duplicate"),
        (a.reordered, " reordered"),
        (a.id != 0 && Some(a.id) == selected, " selected"),
    ];
    // Most arrows wear one of a few classes; only the rare ones get a string of their own.
    let class: AttrValue = if rare.iter().any(|(on, _)| *on) {
        let mut c = format!("st-arrow {kind} {fate}");
        if a.is_response() {
            c.push_str(" response");
        }
        for (on, name) in rare {
            if on {
                c.push_str(name);
            }
        }
        c.into()
    } else {
        arrow_class(kind, fate, a.is_response()).into()
    };
    s.hits.push(Hit {
        id: a.id,
        send: a.send_event,
        end: a.end_event,
        branch: false,
        segment: (x1, y1, x2, y2),
    });
    let (dx, dy) = (frame.px_units(4.0), 4);
    let cross = move || {
        format!(
            "M{} {}L{} {}M{} {}L{} {}",
            x2 - dx,
            y2 - dy,
            x2 + dx,
            y2 + dy,
            x2 - dx,
            y2 + dy,
            x2 + dx,
            y2 - dy
        )
    };
    if let Some(bulk) = bulk.filter(|_| a.id == 0 || Some(a.id) != selected) {
        let _ = write!(
            bulk.entry(class.to_string()).or_default(),
            "M{x1} {y1}L{x2} {y2}"
        );
        if fate == "lost" {
            bulk.entry("st-cross".into())
                .or_default()
                .push_str(&cross());
        }
        return;
    }
    let mut data: Vec<(&'static str, AttrValue)> = vec![
        ("data-message", a.id.to_string().into()),
        ("data-type", a.msg_type().into()),
        ("data-send", a.send_event.to_string().into()),
    ];
    if let Some(e) = a.end_event {
        data.push(("data-end", e.to_string().into()));
    }
    let key = format!("a{}-{}-{}", a.id, a.send_event, a.head.to);
    if fate == "lost" {
        s.timed.push(Shape {
            d: Some(AttrValue::from(cross())),
            ..Shape::new("path", "st-cross", Vec::new()).with(format!("x{key}"), data.clone())
        });
    }
    s.timed
        .push(Shape::line(class, x1, y1, x2, y2).with(key, data));
}

/// A path standing for many shapes of one lane (`data-merged`): a click on it is resolved to
/// the one under the pointer by its time (see `tip`).
fn merged(class: &'static str, key: String, d: String, node: u64, kind: &'static str) -> Shape {
    Shape {
        d: Some(d.into()),
        ..Shape::new("path", class, Vec::new()).with(
            key,
            vec![
                ("data-node", node.to_string().into()),
                ("data-merged", kind.into()),
            ],
        )
    }
}

/// The class of an arrow without rare flags, as a constant.
fn arrow_class(kind: &'static str, fate: &'static str, response: bool) -> &'static str {
    macro_rules! table {
        ($($k:literal),*) => {
            match (kind, fate, response) {
                $(
                    ($k, "delivered", false) => concat!("st-arrow ", $k, " delivered"),
                    ($k, "delivered", true) => concat!("st-arrow ", $k, " delivered response"),
                    ($k, "in-flight", false) => concat!("st-arrow ", $k, " in-flight"),
                    ($k, "in-flight", true) => concat!("st-arrow ", $k, " in-flight response"),
                    ($k, _, false) => concat!("st-arrow ", $k, " lost"),
                    ($k, _, true) => concat!("st-arrow ", $k, " lost response"),
                )*
                _ => "st-arrow msg-other delivered",
            }
        };
    }
    table!(
        "msg-vote",
        "msg-append",
        "msg-heartbeat",
        "msg-snapshot",
        "msg-other"
    )
}

/// The class of an unlabelled mark, as a constant.
fn dot_class(kind: &'static str) -> &'static str {
    match kind {
        "role" => "st-dot kind-role",
        "term" => "st-dot kind-term",
        "vote" => "st-dot kind-vote",
        "commit" => "st-dot kind-commit",
        "apply" => "st-dot kind-apply",
        "persist" => "st-dot kind-persist",
        "sync" => "st-dot kind-sync",
        "crash" => "st-dot kind-crash",
        "restart" => "st-dot kind-restart",
        "wipe" => "st-dot kind-wipe",
        _ => "st-dot kind-clock",
    }
}

/// Round steps for the time axis: a label every 60 px or more.
const STEPS_MS: [u64; 14] = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000,
];

fn axis(out: &mut Vec<Shape>, frame: Frame, y: f64) {
    let per_px = frame.span_ms() as f64 / (frame.width - GUTTER).max(1.0);
    let step = STEPS_MS
        .iter()
        .copied()
        .find(|s| *s as f64 / per_px >= 60.0)
        .unwrap_or(60_000);
    let mut t = frame.from_ms.div_ceil(step) * step;
    while t <= frame.to_ms {
        let x = px(frame.x(t));
        out.push(Shape::line("st-tick", x, px(y), x, px(y + 4.0)));
        out.push(Shape::text(
            "st-tick-label",
            x + 2,
            px(y + 14.0),
            time_label(t),
        ));
        t += step;
    }
}

/// `1200 ms`, or `12 s` on whole seconds past ten.
fn time_label(ms: u64) -> String {
    if ms >= 10_000 && ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

#[cfg(test)]
mod tests;
