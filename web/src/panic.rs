//! A panic is a crash bug, and a crashed wasm app cannot draw anything any more: a panic in wasm
//! does not unwind, so whatever was borrowed at that moment (the driver, yew's scheduler) stays
//! borrowed, and every later callback would trap again ("already borrowed"). So the panic hook
//! does not go through yew at all: it makes the app inert (no clicks or keys reach it; the play
//! loop and timers check [`has_panicked`] and stop), saves the last good session for
//! [`crate::recovery`], and writes a banner straight into the DOM with plain links to restore
//! that state or reload. It keeps the console report that `console_error_panic_hook` gives
//! developers, and the banner keeps the first panic's message: any later one is its echo.

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
        if PANICKED.with(|p| p.replace(true)) {
            return;
        }
        let restorable = crate::recovery::save_for_restore();
        show_banner(&info.to_string(), restorable);
    }));
}

/// Whether a panic has happened in this page.
pub fn has_panicked() -> bool {
    PANICKED.with(Cell::get)
}

/// The JavaScript global the end-to-end tests set to make the next frame panic, so they can
/// check what a person sees after a bug. Nothing in the page sets it.
pub const TEST_TRIGGER: &str = "__RAFT_PLAYGROUND_TEST_PANIC__";

/// Whether the end-to-end tests asked for a panic (see [`TEST_TRIGGER`]); never off the browser.
pub fn test_panic_requested() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| js_sys::Reflect::get(&w, &TEST_TRIGGER.into()).ok())
            .is_some_and(|v| v.is_truthy())
    }
    #[cfg(not(target_arch = "wasm32"))]
    false
}

/// Puts (or updates) the error banner at the top of the page and makes everything else inert.
/// With `restorable`, it offers the last good state back (see [`crate::recovery`]). Failures to
/// reach the DOM are ignored: there is nothing better left to do inside a panic.
pub fn show_banner(detail: &str, restorable: bool) {
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
    // The app underneath cannot answer any more: make it unreachable by mouse and keyboard.
    let children = body.children();
    for i in 0..children.length() {
        if let Some(child) = children.item(i) {
            if child.id() != BANNER_ID {
                let _ = child.set_attribute("inert", "");
            }
        }
    }
    let Ok(title) = document.create_element("strong") else {
        return;
    };
    title.set_text_content(Some(if restorable {
        "The playground hit a bug and stopped."
    } else {
        "The playground hit a bug and stopped. Reloading starts it afresh."
    }));
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
    let _ = reload.set_attribute("title", "Start afresh");
    banner.set_text_content(None);
    let _ = banner.append_child(&title);
    let _ = banner.append_child(&code);
    if restorable {
        if let Ok(restore) = document.create_element("a") {
            let _ = restore.set_attribute("href", &restore_href());
            let _ = restore.set_attribute("data-testid", "restore");
            restore.set_text_content(Some("Restore the last good state"));
            let _ = restore.set_attribute(
                "title",
                "Reload and replay your session up to a moment before the bug",
            );
            let _ = banner.append_child(&restore);
        }
    }
    let _ = banner.append_child(&reload);
}

/// This page's address with `restore` added to its query (the fragment, which may carry a shared
/// script, stays).
fn restore_href() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return format!("?{}", crate::recovery::PARAM);
    };
    let query = crate::recovery::without_param(&location.search().unwrap_or_default());
    let sep = if query.is_empty() { '?' } else { '&' };
    format!(
        "{}{query}{sep}{}{}",
        location.pathname().unwrap_or_default(),
        crate::recovery::PARAM,
        location.hash().unwrap_or_default()
    )
}
