//! A panic is a crash bug, and a crashed wasm app cannot draw anything any more: yew's scheduler
//! may be mid-borrow and every later callback would trap. So the panic hook does not go through
//! yew at all: it writes a banner straight into the DOM, with a plain link to reload, and keeps
//! the console report that `console_error_panic_hook` gives developers.

use std::cell::Cell;

thread_local! {
    static PANICKED: Cell<bool> = const { Cell::new(false) };
}

/// The id of the banner element, for the stylesheet and for tests.
pub const BANNER_ID: &str = "panic-banner";

/// Installs the hook. Must run before the app is rendered: yew replaces any hook installed
/// otherwise with its own when it mounts.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        PANICKED.with(|p| p.set(true));
        show_banner(&info.to_string());
    }));
}

/// Whether a panic has happened in this page.
pub fn has_panicked() -> bool {
    PANICKED.with(Cell::get)
}

/// Puts (or updates) the error banner at the top of the page. Failures to reach the DOM are
/// ignored: there is nothing better left to do inside a panic.
pub fn show_banner(detail: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    let banner = match document.get_element_by_id(BANNER_ID) {
        Some(existing) => existing,
        None => {
            let Ok(el) = document.create_element("div") else {
                return;
            };
            el.set_id(BANNER_ID);
            let _ = el.set_attribute("role", "alert");
            let _ = body.prepend_with_node_1(&el);
            el
        }
    };
    let Ok(title) = document.create_element("strong") else {
        return;
    };
    title.set_text_content(Some(
        "The playground hit a bug and stopped. Reloading starts it afresh.",
    ));
    let Ok(code) = document.create_element("code") else {
        return;
    };
    code.set_text_content(Some(detail));
    let Ok(reload) = document.create_element("a") else {
        return;
    };
    // A plain link needs no wasm to work, which is the point after a panic.
    let _ = reload.set_attribute("href", "");
    reload.set_text_content(Some("Reload"));
    banner.set_text_content(None);
    let _ = banner.append_child(&title);
    let _ = banner.append_child(&code);
    let _ = banner.append_child(&reload);
}
