//! A [`Scene`] drawn two ways: as the page's SVG nodes, and as a standalone SVG file. Both
//! nest the time drawing in an `<svg>` whose `viewBox` is the window of time (see `scene`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;

use yew::virtual_dom::{Key, VNode, VTag, VText};
use yew::Html;

use super::scene::{Frame, Scene, Shape, GUTTER};

fn node(s: &Shape) -> Html {
    let mut t = VTag::new(s.tag);
    t.key = s.key.clone();
    t.add_attribute("class", s.class.clone());
    for (k, v) in &s.geometry {
        t.add_attribute(k, v.to_string());
    }
    if let Some(d) = &s.d {
        t.add_attribute("d", d.clone());
    }
    for (k, v) in &s.data {
        t.add_attribute(k, v.clone());
    }
    if let Some(text) = &s.text {
        t.add_child(VNode::VText(VText::new(text.clone())));
    }
    t.into()
}

/// The nodes of the shapes drawn last frame, by key. While time runs, most arrows of one frame
/// are the next frame's, unchanged (they are placed in time, not in pixels): reusing their
/// nodes spares building hundreds of them, and yew finds them equal at once.
#[derive(Default)]
pub struct Cache {
    scene: Rc<Scene>,
    /// Each keyed shape's place in `scene.timed`, and its node.
    nodes: HashMap<Key, (usize, Html)>,
}

/// The scene as the children of the page's `<svg>`.
pub fn html(scene: &Rc<Scene>, frame: Frame, cache: &mut Cache) -> Html {
    let h = scene.height.round() as i64;
    let mut inner = VTag::new("svg");
    inner.add_attribute("class", "st-time");
    inner.add_attribute("x", (GUTTER as i64).to_string());
    inner.add_attribute("y", "0");
    inner.add_attribute(
        "width",
        ((frame.width - GUTTER).max(1.0) as i64).to_string(),
    );
    inner.add_attribute("height", h.to_string());
    inner.add_attribute("viewBox", frame.view_box(h));
    inner.add_attribute("preserveAspectRatio", "none");
    let mut next = HashMap::with_capacity(scene.timed.len());
    let mut timed: Vec<Html> = Vec::with_capacity(scene.timed.len());
    for (i, s) in scene.timed.iter().enumerate() {
        let Some(key) = &s.key else {
            timed.push(node(s));
            continue;
        };
        let html = match cache.nodes.get(key) {
            Some((j, html)) if cache.scene.timed.get(*j) == Some(s) => html.clone(),
            _ => node(s),
        };
        next.insert(key.clone(), (i, html.clone()));
        timed.push(html);
    }
    cache.nodes = next;
    cache.scene = scene.clone();
    // One keyed list: yew moves the shapes that stay instead of rewriting them all when the
    // oldest leave the window.
    inner.add_child(VNode::VList(Rc::new(timed.into_iter().collect())));
    let mut out: Vec<Html> = scene.fixed.iter().map(node).collect();
    out.push(inner.into());
    out.into_iter().collect()
}

/// How the exported file looks: the page's stylesheet does not travel with it. The same
/// colours and line styles as the page (`static/style.css`).
const EXPORT_STYLE: &str = "\
text{font:11px system-ui,sans-serif;fill:#1d1d1f}\
.st-time *{vector-effect:non-scaling-stroke}\
.st-lane{stroke:#d9d9d4}.st-tick{stroke:#aaa}.st-tick-label{fill:#6b6b70;font-size:10px}\
.st-caption{font-weight:600;fill:#6b6b70}\
.st-shade{fill:#f3c6ab;opacity:.55}.st-ready{fill:#0072b2;fill-opacity:.75}\
.st-arrow{stroke-width:1.5;stroke:#6b6b70;fill:none}.st-arrow.in-flight{stroke-opacity:.6}\
.st-arrow.msg-vote{stroke:#cc79a7;stroke-dasharray:6 2}.st-arrow.msg-append{stroke:#0072b2;stroke-width:2}\
.st-arrow.msg-heartbeat{stroke:#009e73;stroke-width:1}.st-arrow.msg-snapshot{stroke:#e69f00;stroke-width:3}\
.st-arrow.response{stroke-width:1}.st-arrow.msg-heartbeat.response{stroke-width:.75}\
.st-arrow.rejected{stroke:#d55e00;stroke-dasharray:4 2}\
.st-cross{stroke:#d55e00;stroke-width:2;fill:none}\
.st-dot{stroke:#6b6b70;stroke-width:6;stroke-linecap:round;fill:none}.st-dot.labelled{stroke-width:9}\
.st-dot.kind-role{stroke:#e69f00}.st-dot.kind-vote{stroke:#56b4e9}\
.st-dot.kind-commit,.st-dot.kind-apply{stroke:#b4568a}.st-dot.kind-persist,.st-dot.kind-sync{stroke:#0072b2}\
.st-dot.kind-crash,.st-dot.kind-wipe{stroke:#d55e00}\
.st-cursor{stroke:#d55e00;stroke-width:1.5}.st-fork{stroke:#1d1d1f;stroke-dasharray:2 2}\
.st-diverge{stroke:#d55e00;stroke-dasharray:5 3;stroke-width:1.5}";

/// The scene as a standalone SVG document.
pub fn svg_file(scene: &Scene, frame: Frame) -> String {
    let (w, h) = (frame.width.round() as i64, scene.height.round() as i64);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\"><style>{EXPORT_STYLE}</style>\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
    );
    for s in &scene.fixed {
        write_shape(&mut out, s);
    }
    let _ = write!(
        out,
        "<svg class=\"st-time\" x=\"{}\" y=\"0\" width=\"{}\" height=\"{h}\" viewBox=\"{}\" \
         preserveAspectRatio=\"none\">",
        GUTTER as i64,
        (frame.width - GUTTER).max(1.0) as i64,
        frame.view_box(h)
    );
    for s in &scene.timed {
        write_shape(&mut out, s);
    }
    out.push_str("</svg></svg>\n");
    out
}

/// Text escaped for XML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn write_shape(out: &mut String, s: &Shape) {
    let _ = write!(out, "<{} class=\"{}\"", s.tag, esc(&s.class));
    for (k, v) in &s.geometry {
        let _ = write!(out, " {k}=\"{v}\"");
    }
    if let Some(d) = &s.d {
        let _ = write!(out, " d=\"{}\"", esc(d));
    }
    for (k, v) in &s.data {
        let _ = write!(out, " {k}=\"{}\"", esc(v));
    }
    match &s.text {
        Some(t) => {
            let _ = write!(out, ">{}</{}>", esc(t), s.tag);
        }
        None => out.push_str("/>"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::scene::LANE_H;
    use super::*;

    #[test]
    fn the_file_nests_the_time_drawing_and_escapes_text() {
        let line = Shape {
            tag: "line",
            class: "st-arrow msg-append".into(),
            geometry: vec![("x1", 1), ("y1", 2), ("x2", 3), ("y2", 4)],
            d: None,
            text: None,
            data: vec![("data-message", "1".into())],
            key: Some("a1".into()),
        };
        let label = Shape {
            tag: "text",
            class: "st-mark-label".into(),
            geometry: vec![("x", 5), ("y", 6)],
            d: None,
            text: Some("a <b> & \"c\"".into()),
            data: Vec::new(),
            key: None,
        };
        let scene = Scene {
            timed: vec![line],
            fixed: vec![label],
            height: 120.0,
            hits: Vec::new(),
        };
        let frame = Frame {
            from_ms: 0,
            to_ms: 1000,
            width: 830.0,
            lane_h: LANE_H,
        };
        let f = svg_file(&scene, frame);
        assert!(
            f.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"830\" height=\"120\"")
        );
        assert!(f.contains(
            "<text class=\"st-mark-label\" x=\"5\" y=\"6\">a &lt;b&gt; &amp; &quot;c&quot;</text>"
        ));
        assert!(f.contains("<svg class=\"st-time\" x=\"30\" y=\"0\" width=\"800\" height=\"120\" viewBox=\"0 0 16000 120\" preserveAspectRatio=\"none\"><line class=\"st-arrow msg-append\" x1=\"1\" y1=\"2\" x2=\"3\" y2=\"4\" data-message=\"1\"/></svg></svg>"));
    }
}
