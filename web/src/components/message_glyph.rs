//! One message in flight: a pill on its link, labelled with its type and coloured by its family.
//! Requests are filled, responses hollow; a rejection wears a ✕; a held message a pause mark.

use yew::prelude::*;

use crate::state::{Action, Selection};

#[derive(Properties, PartialEq)]
pub struct MessageGlyphProps {
    pub id: u64,
    /// Short type, e.g. `App resp`.
    pub label: AttrValue,
    /// The family's CSS class (see `palette::MessageKind`).
    pub kind: &'static str,
    pub is_response: bool,
    pub rejected: bool,
    pub held: bool,
    /// One line for screen readers and the tooltip.
    pub summary: AttrValue,
    pub x: f64,
    pub y: f64,
    pub selected: bool,
    pub on_action: Callback<Action>,
}

/// Width of the pill for a label, from an average glyph width of the diagram's small font.
pub fn pill_width(label: &str, held: bool) -> f64 {
    label.chars().count() as f64 * 5.6 + if held { 24.0 } else { 12.0 }
}

#[component(MessageGlyph)]
pub fn message_glyph(props: &MessageGlyphProps) -> Html {
    let id = props.id;
    let select = props
        .on_action
        .reform(move |_: MouseEvent| Action::Select(Selection::Message(id)));
    let on_key = {
        let cb = props.on_action.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                cb.emit(Action::Select(Selection::Message(id)));
            }
        })
    };
    let w = pill_width(&props.label, props.held);
    let classes = classes!(
        "msg",
        props.kind,
        if props.is_response {
            "response"
        } else {
            "request"
        },
        props.rejected.then_some("rejected"),
        props.held.then_some("held"),
        props.selected.then_some("selected"),
    );
    let text = if props.held {
        format!("❚❚ {}", props.label)
    } else {
        props.label.to_string()
    };
    html! {
        <g class={classes}
            transform={format!("translate({:.1},{:.1})", props.x, props.y)}
            tabindex="0"
            role="button"
            aria-label={props.summary.clone()}
            aria-pressed={props.selected.to_string()}
            data-message={id.to_string()}
            onclick={select}
            onkeydown={on_key}
        >
            <title>{ props.summary.clone() }</title>
            <rect x={format!("{:.1}", -w / 2.0)} y="-8" width={format!("{w:.1}")} height="16" rx="8" />
            <text y="3.5">{ text }</text>
            if props.rejected {
                <g class="reject-mark" transform={format!("translate({:.1},-7)", w / 2.0)}>
                    <circle r="6" />
                    <text y="3">{ "✕" }</text>
                </g>
            }
        </g>
    }
}
