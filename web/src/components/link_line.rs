//! The line between two nodes, carrying both directed links. A cut direction gets a ✕ near the
//! node it no longer reaches, on the lane its messages would travel, so a one-way cut reads as
//! one-way; loss and unusual delay are written on the line.

use yew::prelude::*;

use crate::geometry::{along, percent, tenths, Point};
use crate::state::{Action, Selection};

/// The state of one direction of a link, as much as the line shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Direction {
    pub cut: bool,
    pub drop_rate: f64,
    /// The delay, when it differs from the network's default.
    pub delay: Option<String>,
}

#[derive(Properties, PartialEq)]
pub struct LinkLineProps {
    /// The smaller id and its position.
    pub a: u64,
    pub pa: Point,
    pub b: u64,
    pub pb: Point,
    pub ab: Direction,
    pub ba: Direction,
    pub selected: bool,
    pub on_action: Callback<Action>,
}

/// The text written on the line, if any: loss rate and delay, per direction when they differ.
fn fault_label(a: u64, b: u64, ab: &Direction, ba: &Direction) -> Option<String> {
    let one = |d: &Direction| {
        let mut parts = Vec::new();
        if d.drop_rate > 0.0 {
            parts.push(format!("drop {}%", percent(d.drop_rate)));
        }
        if let Some(delay) = &d.delay {
            parts.push(delay.clone());
        }
        parts.join(" · ")
    };
    let (x, y) = (one(ab), one(ba));
    match (x.is_empty(), y.is_empty()) {
        (true, true) => None,
        _ if x == y => Some(x),
        (false, true) => Some(format!("{a}→{b} {x}")),
        (true, false) => Some(format!("{b}→{a} {y}")),
        (false, false) => Some(format!("{a}→{b} {x} | {b}→{a} {y}")),
    }
}

#[component(LinkLine)]
pub fn link_line(props: &LinkLineProps) -> Html {
    let (a, b) = (props.a, props.b);
    let select = props
        .on_action
        .reform(move |_: MouseEvent| Action::Select(Selection::Link(a, b)));
    let (pa, pb) = (props.pa, props.pb);
    let both_cut = props.ab.cut && props.ba.cut;
    let one_way = props.ab.cut != props.ba.cut;
    let lossy = props.ab.drop_rate > 0.0 || props.ba.drop_rate > 0.0;
    let classes = classes!(
        "link",
        both_cut.then_some("cut"),
        one_way.then_some("one-way"),
        lossy.then_some("lossy"),
        props.selected.then_some("selected"),
    );
    let mark = |at: Point| {
        html! {
            <g class="cut-mark" transform={format!("translate({},{})", tenths(at.x), tenths(at.y))}>
                <circle r="7" />
                <text y="3.5">{ "✕" }</text>
            </g>
        }
    };
    let marks = if both_cut {
        mark(along(pa, pb, 0.5, 0.0))
    } else {
        html! {
            <>
                if props.ab.cut { { mark(along(pa, pb, 0.78, 7.0)) } }
                if props.ba.cut { { mark(along(pb, pa, 0.78, 7.0)) } }
            </>
        }
    };
    let label = fault_label(a, b, &props.ab, &props.ba).map(|text| {
        // Written just off the middle, so it does not sit on the messages' lanes.
        let at = along(pa, pb, 0.5, -16.0);
        html! {
            <text class="link-label" x={tenths(at.x)} y={tenths(at.y)}>{ text }</text>
        }
    });
    let title = format!(
        "Link {a}↔{b}: {a}→{b} {}, {b}→{a} {}",
        if props.ab.cut { "cut" } else { "up" },
        if props.ba.cut { "cut" } else { "up" }
    );

    html! {
        <g class={classes} data-link={format!("{a}-{b}")}>
            <line class="link-line"
                x1={tenths(pa.x)} y1={tenths(pa.y)}
                x2={tenths(pb.x)} y2={tenths(pb.y)} />
            // A wide transparent twin makes the thin line easy to hit with a mouse.
            <line class="link-hit" onclick={select}
                x1={tenths(pa.x)} y1={tenths(pa.y)}
                x2={tenths(pb.x)} y2={tenths(pb.y)}>
                <title>{ title }</title>
            </line>
            { marks }
            { for label }
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_direction_only_when_it_matters() {
        let healthy = Direction::default();
        let lossy = Direction {
            drop_rate: 0.2,
            delay: Some("20..80ms".into()),
            ..Direction::default()
        };
        assert_eq!(fault_label(1, 3, &healthy, &healthy), None);
        assert_eq!(
            fault_label(1, 3, &lossy, &healthy).as_deref(),
            Some("1→3 drop 20% · 20..80ms")
        );
        assert_eq!(
            fault_label(1, 3, &lossy, &lossy).as_deref(),
            Some("drop 20% · 20..80ms")
        );
    }
}
