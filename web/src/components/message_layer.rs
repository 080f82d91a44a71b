//! The messages in flight: pills on their links, labelled with their type and coloured by their
//! family. Requests are filled, responses hollow; a rejection wears a ✕, a held message a pause
//! mark.
//!
//! A hundred messages move every frame, so they are painted on one canvas laid over the diagram
//! rather than kept as a hundred SVG elements the browser would restyle, lay out and repaint
//! each frame; and each distinct look of pill (label, family, flags) is painted once into a
//! sprite, so a frame is a hundred image copies rather than a hundred outlines and labels to
//! rasterize. What the canvas cannot do itself is done beside it:
//! - clicks and hovers are hit-tested against the pills as last drawn ([`pill_at`]), in the
//!   capture phase on the diagram, so a click on a message never reaches the link under it;
//! - every message is also a button in a visually hidden list, for the keyboard and screen
//!   readers; focusing one rings its pill;
//! - `window.raftPlaygroundMessageCenter(id)` answers where a message is drawn, in viewport
//!   pixels, so end-to-end tests can click it.

use std::cell::{Cell, RefCell};
use std::f64::consts::{FRAC_PI_2, PI};
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::geometry::{pill_at, pill_width, Fit, PillBox, Point, PILL_H};
use crate::palette::MessageKind;
use crate::state::{Action, Selection};

/// One message as the diagram draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct FlyingMessage {
    pub id: u64,
    /// Short type, e.g. `App resp`.
    pub label: String,
    pub kind: MessageKind,
    pub is_response: bool,
    pub rejected: bool,
    pub held: bool,
    /// One line for screen readers and the tooltip.
    pub summary: String,
    /// Where its pill is centred, in diagram coordinates.
    pub at: Point,
}

#[derive(Properties, PartialEq)]
pub struct MessageLayerProps {
    pub messages: Rc<Vec<FlyingMessage>>,
    pub selected: Option<u64>,
    /// Whether the list for screen readers follows this render: while playing, it does only
    /// every few frames, with the page's other lists.
    pub list_current: bool,
    pub on_action: Callback<Action>,
}

/// The pills as last drawn and the canvas they were drawn on: what clicks, hovers and
/// `raftPlaygroundMessageCenter` are answered from.
#[derive(Default)]
struct Drawn {
    canvas: Option<HtmlCanvasElement>,
    fit: Option<Fit>,
    pills: Vec<PillBox>,
}

thread_local! {
    static DRAWN: RefCell<Drawn> = RefCell::new(Drawn::default());
}

/// The message drawn under a point of the viewport, if any.
fn message_under(client_x: f64, client_y: f64) -> Option<(u64, web_sys::Element)> {
    DRAWN.with(|d| {
        let d = d.borrow();
        let canvas = d.canvas.as_ref()?;
        let fit = d.fit?;
        let rect = canvas.get_bounding_client_rect();
        let p = fit.to_diagram(client_x - rect.left(), client_y - rect.top());
        let id = pill_at(&d.pills, p)?;
        Some((id, canvas.parent_element()?))
    })
}

/// Where message `id` is drawn, in viewport pixels.
fn message_center(id: f64) -> Option<(f64, f64)> {
    DRAWN.with(|d| {
        let d = d.borrow();
        let canvas = d.canvas.as_ref()?;
        let fit = d.fit?;
        let pill = d.pills.iter().find(|b| b.id as f64 == id)?;
        let rect = canvas.get_bounding_client_rect();
        let p = fit.to_pixels(pill.center);
        Some((rect.left() + p.x, rect.top() + p.y))
    })
}

/// Publishes `window.raftPlaygroundMessageCenter` once per page.
fn publish_message_center() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let key = JsValue::from_str("raftPlaygroundMessageCenter");
    if js_sys::Reflect::has(&window, &key).unwrap_or(true) {
        return;
    }
    let f = Closure::<dyn Fn(f64) -> JsValue>::new(|id: f64| match message_center(id) {
        Some((x, y)) => js_sys::Array::of2(&x.into(), &y.into()).into(),
        None => JsValue::NULL,
    });
    let _ = js_sys::Reflect::set(&window, &key, f.as_ref());
    // The function lives as long as the page.
    f.forget();
}

/// The colours of the page's stylesheet, read once: the canvas cannot use CSS variables.
#[derive(Clone)]
struct Colours {
    kinds: [String; 5],
    ink: String,
    danger: String,
    font: String,
}

impl Colours {
    fn read(canvas: &HtmlCanvasElement) -> Colours {
        let style = web_sys::window().and_then(|w| w.get_computed_style(canvas).ok().flatten());
        let var = |name: &str, fallback: &str| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| fallback.to_string())
        };
        Colours {
            kinds: [
                var("--msg-vote", "#cc79a7"),
                var("--msg-append", "#0072b2"),
                var("--msg-heartbeat", "#009e73"),
                var("--msg-snapshot", "#e69f00"),
                var("--msg-other", "#6b6b70"),
            ],
            ink: var("--ink", "#1d1d1f"),
            danger: var("--danger", "#d55e00"),
            font: var("font-family", "sans-serif"),
        }
    }

    /// Where a kind's colour is in `kinds`.
    fn index(kind: MessageKind) -> u8 {
        match kind {
            MessageKind::Vote => 0,
            MessageKind::Append => 1,
            MessageKind::Heartbeat => 2,
            MessageKind::Snapshot => 3,
            MessageKind::Other => 4,
        }
    }
}

/// A pill's outline: a rectangle with half circles for ends.
fn pill_path(ctx: &CanvasRenderingContext2d, c: Point, w: f64) {
    let r = PILL_H / 2.0;
    let (left, right) = (c.x - w / 2.0 + r, c.x + w / 2.0 - r);
    ctx.begin_path();
    ctx.move_to(left, c.y - r);
    ctx.line_to(right, c.y - r);
    let _ = ctx.arc(right, c.y, r, -FRAC_PI_2, FRAC_PI_2);
    ctx.line_to(left, c.y + r);
    let _ = ctx.arc(left, c.y, r, FRAC_PI_2, PI + FRAC_PI_2);
    ctx.close_path();
}

/// What a pill looks like, wherever it is: what the sprite cache is keyed by.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Look {
    label: String,
    /// [`Colours::kind`]'s index.
    kind: u8,
    is_response: bool,
    held: bool,
    rejected: bool,
    ringed: bool,
}

impl Look {
    fn of(m: &FlyingMessage, ringed: bool) -> Look {
        Look {
            label: m.label.clone(),
            kind: Colours::index(m.kind),
            is_response: m.is_response,
            held: m.held,
            rejected: m.rejected,
            ringed,
        }
    }
}

/// Room around a pill in its sprite, in diagram units: for the outline and the ✕ mark.
const SPRITE_PAD: f64 = 8.0;

/// A pill painted once, at the canvas's scale, to be copied wherever one like it flies: a
/// hundred copies cost the browser far less each frame than a hundred paths and labels.
struct Sprite {
    canvas: HtmlCanvasElement,
    /// The pill's centre in the sprite, in device pixels.
    centre: (f64, f64),
}

/// The sprites for one scale (device pixels per diagram unit).
#[derive(Default)]
struct Sprites {
    scale: f64,
    looks: std::collections::BTreeMap<Look, Sprite>,
}

impl Sprites {
    /// The sprite for `look` at `scale`, painted on first use.
    fn get(&mut self, colours: &Colours, look: &Look, scale: f64) -> Option<&Sprite> {
        // A resize or a zoom changes the scale; labels are few, but bound the cache anyway.
        if self.scale != scale || self.looks.len() > 256 {
            self.scale = scale;
            self.looks.clear();
        }
        if !self.looks.contains_key(look) {
            let sprite = Sprite::paint(colours, look, scale)?;
            self.looks.insert(look.clone(), sprite);
        }
        self.looks.get(look)
    }
}

impl Sprite {
    fn paint(colours: &Colours, look: &Look, scale: f64) -> Option<Sprite> {
        let canvas: HtmlCanvasElement = web_sys::window()?
            .document()?
            .create_element("canvas")
            .ok()?
            .dyn_into()
            .ok()?;
        let w = pill_width(&look.label, look.held);
        let (half_w, half_h) = (w / 2.0 + SPRITE_PAD, PILL_H / 2.0 + SPRITE_PAD);
        canvas.set_width((2.0 * half_w * scale).ceil() as u32);
        canvas.set_height((2.0 * half_h * scale).ceil() as u32);
        let ctx = context(&canvas)?;
        let _ = ctx.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0);
        paint_pill(
            &ctx,
            colours,
            look,
            Point {
                x: half_w,
                y: half_h,
            },
            w,
        );
        Some(Sprite {
            canvas,
            centre: (half_w * scale, half_h * scale),
        })
    }
}

/// One pill, centred on `c`, `w` wide.
fn paint_pill(ctx: &CanvasRenderingContext2d, colours: &Colours, look: &Look, c: Point, w: f64) {
    let label_font = format!("600 9.5px {}", colours.font);
    ctx.set_text_align("center");
    ctx.set_font(&label_font);
    let colour = colours.kinds[usize::from(look.kind)].as_str();
    pill_path(ctx, c, w);
    ctx.set_fill_style_str(if look.is_response { "white" } else { colour });
    if look.held {
        ctx.set_global_alpha(0.55);
    }
    ctx.fill();
    ctx.set_global_alpha(1.0);
    let (stroke, width) = if look.ringed {
        (colours.ink.as_str(), 2.5)
    } else if look.rejected {
        (colours.danger.as_str(), 1.5)
    } else if look.is_response {
        (colour, 1.5)
    } else {
        ("white", 1.5)
    };
    if look.rejected && !look.ringed {
        let _ = ctx.set_line_dash(&js_sys::Array::of2(&3.0.into(), &2.0.into()));
    }
    ctx.set_stroke_style_str(stroke);
    ctx.set_line_width(width);
    ctx.stroke();
    let _ = ctx.set_line_dash(&js_sys::Array::new());
    let ink = if look.is_response {
        colour
    } else if look.kind == Colours::index(MessageKind::Snapshot) {
        // White on the snapshot's orange is too faint to read.
        colours.ink.as_str()
    } else {
        "white"
    };
    ctx.set_fill_style_str(ink);
    if look.held {
        let _ = ctx.fill_text(&format!("❚❚ {}", look.label), c.x, c.y + 3.5);
    } else {
        let _ = ctx.fill_text(&look.label, c.x, c.y + 3.5);
    }
    if look.rejected {
        let mark = Point {
            x: c.x + w / 2.0,
            y: c.y - 7.0,
        };
        ctx.begin_path();
        let _ = ctx.arc(mark.x, mark.y, 6.0, 0.0, 2.0 * PI);
        ctx.set_fill_style_str(&colours.danger);
        ctx.fill();
        ctx.set_stroke_style_str("white");
        ctx.set_line_width(1.0);
        ctx.stroke();
        ctx.set_font(&format!("600 8px {}", colours.font));
        ctx.set_fill_style_str("white");
        let _ = ctx.fill_text("✕", mark.x, mark.y + 3.0);
    }
}

/// The canvas's 2D context.
fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
}

/// Clears the canvas, sizes its backing store for the screen and paints the messages, each a
/// copy of its look's sprite placed on whole device pixels.
fn draw(
    canvas: &HtmlCanvasElement,
    size: (f64, f64),
    colours: &Colours,
    sprites: &mut Sprites,
    messages: &[FlyingMessage],
    ringed: &[u64],
) {
    let Some(ctx) = context(canvas) else {
        return;
    };
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let (w, h) = ((size.0 * dpr).round() as u32, (size.1 * dpr).round() as u32);
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let fit = Fit::new(size.0, size.1);
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, w as f64, h as f64);
    let k = fit.scale * dpr;
    let mut pills = Vec::with_capacity(messages.len());
    for m in messages {
        let look = Look::of(m, ringed.contains(&m.id));
        if let Some(sprite) = sprites.get(colours, &look, k) {
            let at = fit.to_pixels(m.at);
            let x = (at.x * dpr - sprite.centre.0).round();
            let y = (at.y * dpr - sprite.centre.1).round();
            let _ = ctx.draw_image_with_html_canvas_element(&sprite.canvas, x, y);
        }
        pills.push(PillBox {
            id: m.id,
            center: m.at,
            width: pill_width(&m.label, m.held),
        });
    }
    DRAWN.with(|d| {
        let mut d = d.borrow_mut();
        d.canvas = Some(canvas.clone());
        d.fit = Some(fit);
        d.pills = pills;
    });
}

/// The `data-message` of an event's target or its ancestors.
fn message_id(target: Option<web_sys::EventTarget>) -> Option<u64> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    el.closest("[data-message]")
        .ok()??
        .get_attribute("data-message")?
        .parse()
        .ok()
}

#[component(MessageLayer)]
pub fn message_layer(props: &MessageLayerProps) -> Html {
    let canvas_ref = use_node_ref();
    // The canvas's size in CSS pixels, kept by a ResizeObserver.
    let size = use_state(|| (0.0f64, 0.0f64));
    let colours = use_mut_ref(|| None::<Colours>);
    let sprites = use_mut_ref(Sprites::default);
    // The message whose button has the keyboard focus.
    let focused = use_state(|| None::<u64>);
    // The messages as last listed.
    let listed = use_mut_ref(|| Rc::new(Vec::new()));
    if props.list_current {
        *listed.borrow_mut() = props.messages.clone();
    }
    let listed = listed.borrow().clone();
    // The latest callback, for listeners registered once.
    let on_action = use_mut_ref(|| props.on_action.clone());
    *on_action.borrow_mut() = props.on_action.clone();

    // Follow the canvas's size; hit-test clicks and hovers on the diagram.
    {
        let canvas_ref = canvas_ref.clone();
        let size = size.clone();
        let on_action = on_action.clone();
        use_effect_with((), move |_| {
            publish_message_center();
            let canvas = canvas_ref.cast::<HtmlCanvasElement>();
            let stack = canvas.as_ref().and_then(|c| c.parent_element());
            let on_resize = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
                let rect = entries
                    .get(0)
                    .dyn_into::<web_sys::ResizeObserverEntry>()
                    .ok()
                    .map(|e| e.content_rect());
                if let Some(r) = rect {
                    size.set((r.width(), r.height()));
                }
            });
            let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(c)) = (&observer, &canvas) {
                o.observe(c);
            }
            let capture = EventListenerOptions::run_in_capture_phase();
            let listeners = stack.map(|stack| {
                let on_click =
                    EventListener::new_with_options(&stack, "click", capture, move |e| {
                        let Some(e) = e.dyn_ref::<MouseEvent>() else {
                            return;
                        };
                        if let Some((id, _)) =
                            message_under(e.client_x() as f64, e.client_y() as f64)
                        {
                            e.stop_propagation();
                            on_action
                                .borrow()
                                .emit(Action::Select(Selection::Message(id)));
                        }
                    });
                // Hovering a message: a pointer, and its summary as the tooltip.
                let hovered = Cell::new(None::<u64>);
                let on_move = EventListener::new(&stack, "mousemove", move |e| {
                    let Some(e) = e.dyn_ref::<MouseEvent>() else {
                        return;
                    };
                    let hit = message_under(e.client_x() as f64, e.client_y() as f64);
                    let id = hit.as_ref().map(|(id, _)| *id);
                    if id == hovered.get() {
                        return;
                    }
                    hovered.set(id);
                    let Some(stack) = e
                        .current_target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    else {
                        return;
                    };
                    let summary = id.and_then(|id| {
                        let doc = stack.owner_document()?;
                        let button = doc
                            .query_selector(&format!(".msg-list [data-message='{id}']"))
                            .ok()??;
                        button.text_content()
                    });
                    let _ = stack
                        .class_list()
                        .toggle_with_force("over-message", id.is_some());
                    match summary {
                        Some(s) => {
                            let _ = stack.set_attribute("title", &s);
                        }
                        None => {
                            let _ = stack.remove_attribute("title");
                        }
                    }
                });
                (on_click, on_move)
            });
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(on_resize);
                drop(listeners);
                DRAWN.with(|d| *d.borrow_mut() = Drawn::default());
            }
        });
    }

    // Paint after every render: the messages move whenever time passes.
    {
        let canvas_ref = canvas_ref.clone();
        let messages = props.messages.clone();
        let ringed: Vec<u64> = props.selected.into_iter().chain(*focused).collect();
        let size = *size;
        use_effect(move || {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                // Until the observer first reports (a frame after mounting), measure.
                let size = if size == (0.0, 0.0) {
                    (canvas.client_width() as f64, canvas.client_height() as f64)
                } else {
                    size
                };
                let mut colours = colours.borrow_mut();
                let colours = colours.get_or_insert_with(|| Colours::read(&canvas));
                draw(
                    &canvas,
                    size,
                    colours,
                    &mut sprites.borrow_mut(),
                    &messages,
                    &ringed,
                );
            }
        });
    }

    // Stable callbacks, so that the list below is left alone while only positions change.
    let on_click = {
        let on_action = on_action.clone();
        use_callback((), move |e: MouseEvent, _| {
            if let Some(id) = message_id(e.target()) {
                on_action
                    .borrow()
                    .emit(Action::Select(Selection::Message(id)));
            }
        })
    };
    let on_focus_in = {
        let focused = focused.setter();
        use_callback((), move |e: FocusEvent, _| {
            focused.set(message_id(e.target()))
        })
    };
    let on_focus_out = {
        let focused = focused.setter();
        use_callback((), move |_: FocusEvent, _| focused.set(None))
    };

    html! {
        <>
            <canvas class="msg-layer" ref={canvas_ref} aria-hidden="true" />
            <MessageList messages={listed} selected={props.selected}
                {on_click} {on_focus_in} {on_focus_out} />
        </>
    }
}

#[derive(Properties)]
struct MessageListProps {
    messages: Rc<Vec<FlyingMessage>>,
    selected: Option<u64>,
    on_click: Callback<MouseEvent>,
    on_focus_in: Callback<FocusEvent>,
    on_focus_out: Callback<FocusEvent>,
}

/// Equal when the same messages would be listed: where they are drawn does not matter here.
impl PartialEq for MessageListProps {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: &FlyingMessage, b: &FlyingMessage| {
            (a.id, &a.summary, a.kind, a.is_response, a.rejected, a.held)
                == (b.id, &b.summary, b.kind, b.is_response, b.rejected, b.held)
        };
        self.selected == other.selected
            && self.on_click == other.on_click
            && self.on_focus_in == other.on_focus_in
            && self.on_focus_out == other.on_focus_out
            && self.messages.len() == other.messages.len()
            && self
                .messages
                .iter()
                .zip(other.messages.iter())
                .all(|(a, b)| same(a, b))
    }
}

/// The messages as buttons, for the keyboard and screen readers. Positions are not part of
/// what this list shows, so it is rebuilt only when messages come and go, and while playing
/// only every `LISTS_EVERY_FRAMES` frames.
#[component(MessageList)]
fn message_list(props: &MessageListProps) -> Html {
    let buttons = props.messages.iter().map(|m| {
        let classes = classes!(
            "msg",
            m.kind.class(),
            if m.is_response { "response" } else { "request" },
            m.rejected.then_some("rejected"),
            m.held.then_some("held"),
            (props.selected == Some(m.id)).then_some("selected"),
        );
        html! {
            <li key={m.id}>
                <button class={classes} data-message={m.id.to_string()}
                    aria-pressed={if props.selected == Some(m.id) { "true" } else { "false" }}>
                    { m.summary.clone() }
                </button>
            </li>
        }
    });
    html! {
        <ul class="msg-list visually-hidden" aria-label="Messages in flight"
            onclick={props.on_click.clone()}
            onfocusin={props.on_focus_in.clone()}
            onfocusout={props.on_focus_out.clone()}>
            { for buttons }
        </ul>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn colours() -> Colours {
        Colours {
            kinds: ["#cc79a7", "#0072b2", "#009e73", "#e69f00", "#6b6b70"].map(String::from),
            ink: "#1d1d1f".into(),
            danger: "#d55e00".into(),
            font: "sans-serif".into(),
        }
    }

    fn look(label: &str, held: bool) -> Look {
        Look {
            label: label.into(),
            kind: Colours::index(MessageKind::Append),
            is_response: false,
            held,
            rejected: false,
            ringed: false,
        }
    }

    #[wasm_bindgen_test]
    fn a_look_is_painted_once_per_scale() {
        let (colours, mut sprites) = (colours(), Sprites::default());
        let app = sprites.get(&colours, &look("App", false), 2.0).unwrap();
        let (first, centre) = (app.canvas.clone(), app.centre);
        // Sized for the pill and its margin at the scale, centred.
        let w = pill_width("App", false);
        assert_eq!(first.width(), ((w + 2.0 * SPRITE_PAD) * 2.0).ceil() as u32);
        assert_eq!(
            first.height(),
            ((PILL_H + 2.0 * SPRITE_PAD) * 2.0).ceil() as u32
        );
        assert_eq!(
            centre,
            (
                (w / 2.0 + SPRITE_PAD) * 2.0,
                (PILL_H / 2.0 + SPRITE_PAD) * 2.0
            )
        );
        // Painted: the centre has colour, the corner has none.
        let ctx = context(&first).unwrap();
        let alpha = |x: f64, y: f64| ctx.get_image_data(x, y, 1.0, 1.0).unwrap().data()[3];
        assert!(alpha(centre.0, centre.1) > 0);
        assert_eq!(alpha(0.0, 0.0), 0);
        // The same look again is the same sprite; another look is another.
        let again = sprites.get(&colours, &look("App", false), 2.0).unwrap();
        assert_eq!(again.canvas, first);
        let held = sprites.get(&colours, &look("App", true), 2.0).unwrap();
        assert_ne!(held.canvas, first);
        assert_eq!(sprites.looks.len(), 2);
        // A new scale paints afresh.
        let bigger = sprites.get(&colours, &look("App", false), 3.0).unwrap();
        assert_ne!(bigger.canvas, first);
        assert_eq!(sprites.looks.len(), 1);
    }
}
