//! One message in flight: a pill on its link, labelled with its type and coloured by its family.
//! Requests are filled, responses hollow; a rejection wears a ✕; a held message a pause mark.
//! Clicks and keys are handled once for all messages by the diagram (see `data-message`): a
//! hundred messages move every frame, and each would otherwise rebuild its own handlers.

use yew::prelude::*;

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
}

/// Width of the pill for a label, from an average glyph width of the diagram's small font.
pub fn pill_width(label: &str, held: bool) -> f64 {
    label.chars().count() as f64 * 5.6 + if held { 24.0 } else { 12.0 }
}

#[component(MessageGlyph)]
pub fn message_glyph(props: &MessageGlyphProps) -> Html {
    let id = props.id;
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
    // Only the position changes from frame to frame; the pill inside is its own component with
    // unchanging props, so yew skips it.
    html! {
        <g class={classes}
            transform={format!("translate({:.1},{:.1})", props.x, props.y)}
            tabindex="0"
            role="button"
            aria-label={props.summary.clone()}
            aria-pressed={if props.selected { "true" } else { "false" }}
            data-message={id.to_string()}
        >
            <Pill label={props.label.clone()} summary={props.summary.clone()}
                rejected={props.rejected} held={props.held} />
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct PillProps {
    label: AttrValue,
    summary: AttrValue,
    rejected: bool,
    held: bool,
}

#[component(Pill)]
fn pill(props: &PillProps) -> Html {
    let w = pill_width(&props.label, props.held);
    let text = if props.held {
        format!("❚❚ {}", props.label)
    } else {
        props.label.to_string()
    };
    html! {
        <>
            <title>{ props.summary.clone() }</title>
            <rect x={format!("{:.1}", -w / 2.0)} y="-8" width={format!("{w:.1}")} height="16" rx="8" />
            <text y="3.5">{ text }</text>
            if props.rejected {
                <g class="reject-mark" transform={format!("translate({:.1},-7)", w / 2.0)}>
                    <circle r="6" />
                    <text y="3">{ "✕" }</text>
                </g>
            }
        </>
    }
}
