//! What the diagram says about the shape under the pointer, and which shape a click near a
//! thin line meant: words and hit-testing are done for the one shape pointed at, never for all
//! of them every frame.

use cluster::timetravel::space_time::SpaceTime;
use cluster::trace::project::{ArrowFate, ArrowView, SpaceTimeView};
use web_sys::Element;

use super::scene::{Frame, Scene, GUTTER};
use crate::palette::short_type;

/// What a shape stands for, read from its `data-` attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A message: its id (0 when lost as it was sent), the events of its send and end.
    Message {
        id: u64,
        send: u64,
        end: Option<u64>,
    },
    /// A mark or a Ready: its event and node; `kind` for a mark.
    Event { event: u64, node: u64, mark: bool },
    /// A partition's shading on a node's lane, by when it began.
    Shade { node: u64, from_ms: u64 },
    /// One of the many Readys or dots of a lane drawn as one path (`ready`, or a mark's
    /// class): which one is found by the pointer's time ([`Target::on_lane`]).
    Lane { node: u64, kind: String },
}

impl Target {
    /// The target of an element of the diagram (or of the shape it is part of), with whether
    /// it belongs to the abandoned branch.
    pub fn of(el: &Element) -> Option<(Target, bool)> {
        let el = el
            .closest("[data-message],[data-event],[data-shade],[data-merged]")
            .ok()??;
        let num = |a: &str| el.get_attribute(a).and_then(|v| v.parse::<u64>().ok());
        let branch = el.has_attribute("data-branch");
        let t = if let Some(id) = num("data-message") {
            Target::Message {
                id,
                send: num("data-send")?,
                end: num("data-end"),
            }
        } else if let Some(kind) = el.get_attribute("data-merged") {
            Target::Lane {
                node: num("data-node")?,
                kind,
            }
        } else if let Some(event) = num("data-event") {
            Target::Event {
                event,
                node: num("data-node")?,
                mark: el.has_attribute("data-kind"),
            }
        } else {
            Target::Shade {
                node: num("data-node")?,
                from_ms: num("data-shade")?,
            }
        };
        Some((t, branch))
    }

    /// The words for it, found in the view it was drawn from.
    pub fn describe(&self, v: &SpaceTimeView) -> Option<String> {
        match *self {
            Target::Message { id, send, .. } => v
                .arrows
                .iter()
                .find(|a| a.id == id && a.send_event == send)
                .map(arrow_text),
            Target::Event {
                event,
                node,
                mark: true,
            } => v
                .marks
                .iter()
                .find(|m| m.at.event == event && m.node == node)
                .map(|m| format!("{} ms: {}", m.at.at, m.text())),
            Target::Event { event, node, .. } => v
                .readys
                .iter()
                .find(|r| r.from_event() == event && r.node() == node)
                .map(|r| r.text()),
            Target::Shade { node, from_ms } => v
                .shades
                .iter()
                .find(|s| s.node == node && s.from_ms == from_ms)
                .map(|s| s.text.clone()),
            Target::Lane { .. } => None,
        }
    }

    /// The Ready or mark a lane's merged path stands for at `x` pixels across, if one is
    /// within reach; any other target is itself.
    pub fn on_lane(self, v: &SpaceTimeView, frame: Frame, x: f64) -> Option<Target> {
        let Target::Lane { node, kind } = &self else {
            return Some(self);
        };
        let per_px = frame.span_ms() as f64 / (frame.width - GUTTER).max(1.0);
        let ms = frame.from_ms as f64 + (x - GUTTER) * per_px;
        let reach = REACH_PX * per_px;
        // How far the pointer's time is from a stretch of time (0 inside it).
        let off = |from: u64, to: u64| {
            let (from, to) = (from as f64, to as f64);
            if ms < from {
                from - ms
            } else {
                (ms - to).max(0.0)
            }
        };
        let best = if kind == "ready" {
            v.readys
                .iter()
                .filter(|r| r.node() == *node)
                .map(|r| {
                    let to = r.to_ms().unwrap_or(v.cursor_ms);
                    (off(r.from_ms(), to), r.from_event(), false)
                })
                .min_by(|a, b| a.0.total_cmp(&b.0))
        } else {
            v.marks
                .iter()
                .filter(|m| m.node == *node && m.class_name() == kind)
                .map(|m| (off(m.at.at, m.at.at), m.at.event, true))
                .min_by(|a, b| a.0.total_cmp(&b.0))
        };
        best.filter(|(d, ..)| *d <= reach)
            .map(|(_, event, mark)| Target::Event {
                event,
                node: *node,
                mark,
            })
    }
}

/// The view a target of the present (or of the branch) was drawn from.
pub fn view_of(st: &SpaceTime, branch: bool) -> Option<&SpaceTimeView> {
    if branch {
        st.branch.as_ref().map(|b| &b.view)
    } else {
        Some(&st.view)
    }
}

/// An arrow's tooltip: what it is, when it was sent, what became of it.
pub fn arrow_text(a: &ArrowView) -> String {
    let end = match (&a.fate, a.end_ms) {
        (ArrowFate::Delivered, Some(t)) => format!("delivered at {t} ms"),
        (ArrowFate::InFlight { arrives_ms }, _) => format!("in flight, due at {arrives_ms} ms"),
        (ArrowFate::Lost(why), Some(t)) => format!("lost at {t} ms: {why}"),
        (ArrowFate::Lost(why), None) => format!("lost: {why}"),
        (ArrowFate::Delivered, None) => "delivered".into(),
    };
    let mut t = format!(
        "{} ({}): sent at {} ms, {end}",
        a.summary(),
        short_type(a.msg_type()),
        a.sent_ms
    );
    if let Some(orig) = a.copy_of {
        t.push_str(&format!("; a duplicate of message {orig}"));
    }
    if a.reordered {
        t.push_str("; delayed (reordered)");
    }
    t
}

/// Pixels from a line a click still counts as on it.
const REACH_PX: f64 = 6.0;

/// The arrow nearest the point (`x`, `y`) in the diagram's pixels, within reach: a line one
/// pixel and a half wide is hard to hit exactly.
pub fn nearest_arrow(scene: &Scene, frame: Frame, x: f64, y: f64) -> Option<(Target, bool)> {
    let from = frame.t(frame.from_ms) as f64;
    let per_px = frame.span_ms() as f64 * super::scene::UNITS_PER_MS as f64
        / (frame.width - GUTTER).max(1.0);
    let sx = |u: i64| GUTTER + (u as f64 - from) / per_px;
    let mut best: Option<(f64, &super::scene::Hit)> = None;
    for h in &scene.hits {
        let (x1, y1, x2, y2) = h.segment;
        let d = distance_to_segment((x, y), (sx(x1), y1 as f64), (sx(x2), y2 as f64));
        if d <= REACH_PX && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, h));
        }
    }
    best.map(|(_, h)| {
        let t = Target::Message {
            id: h.id,
            send: h.send,
            end: h.end,
        };
        (t, h.branch)
    })
}

fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_is_near_a_segment_along_it_and_at_its_ends() {
        assert_eq!(
            distance_to_segment((5.0, 3.0), (0.0, 0.0), (10.0, 0.0)),
            3.0
        );
        assert_eq!(
            distance_to_segment((13.0, 4.0), (0.0, 0.0), (10.0, 0.0)),
            5.0
        );
        assert_eq!(distance_to_segment((1.0, 1.0), (1.0, 1.0), (1.0, 1.0)), 0.0);
    }
}
