//! What the panel reads and writes outside the page's memory: the autosave to `localStorage`
//! (with the script kept aside), the script and seed in the address bar, export to a file,
//! import from one, and the clipboard. Each turns into [`PanelAction`]s for the reducer.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::state::{Panel, PanelAction, SaveStatus, ShareStatus};
use crate::persist::{self, Saved};
use crate::scenarios;

/// Quiet time after the last change before it is written to `localStorage`. Closing or
/// reloading the page writes at once, so nothing is lost within this window.
pub const SAVE_DEBOUNCE_MS: u32 = 400;

/// The autosave of the text and seed under `key` and of the kept-aside script under
/// `previous_key`, and the script in the address bar (`use_url`). Hands back the function that
/// writes the pending change now (timer, page hide, unmount, Run).
#[hook]
pub(super) fn use_autosave(
    init: Rc<persist::Initial>,
    key: String,
    previous_key: String,
    use_url: bool,
    panel: &UseReducerHandle<Panel>,
) -> Rc<dyn Fn()> {
    let save_timer = use_mut_ref(|| None::<Timeout>);
    // The change not yet written, and the last one written (or found: an empty editor on a first
    // visit is not written until something is typed).
    let pending = use_mut_ref(|| None::<Saved>);
    let last_saved = {
        let init = init.clone();
        use_mut_ref(move || Some(init.saved.clone()))
    };

    // Writes the pending change now (timer, page hide, unmount, Run).
    let flush: Rc<dyn Fn()> = {
        let (pending, last_saved, key) = (pending.clone(), last_saved.clone(), key);
        let dispatcher = panel.dispatcher();
        Rc::new(move || {
            let Some(saved) = pending.borrow_mut().take() else {
                return;
            };
            match persist::save_stored(&key, &saved) {
                Ok(()) => {
                    *last_saved.borrow_mut() = Some(saved);
                    dispatcher.dispatch(PanelAction::Save(SaveStatus::Saved));
                }
                Err(e) => {
                    persist::warn(&format!("autosave failed: {e}"));
                    dispatcher.dispatch(PanelAction::Save(SaveStatus::Failed(e)));
                }
            }
        })
    };

    // Once: a script that came from the link is saved at once and taken out of the address bar
    // (a reload then shows what the person typed since, not the link again); the page's hide
    // flushes the autosave; a link opened while the page is open is loaded.
    {
        let (init, flush, pending) = (init.clone(), flush.clone(), pending.clone());
        let dispatcher = panel.dispatcher();
        use_effect_with((), move |_| {
            if init.source == persist::Source::Url {
                persist::set_url_script(None);
                *pending.borrow_mut() = Some(init.saved.clone());
                flush();
            }
            let window = web_sys::window();
            let on_hide = window.as_ref().map(|w| {
                let flush = flush.clone();
                EventListener::new(w, "pagehide", move |_| flush())
            });
            let on_hash = window.as_ref().filter(|_| use_url).map(|w| {
                EventListener::new(w, "hashchange", move |_| {
                    let hash = persist::current_hash();
                    if !persist::has_shared_script(&hash) {
                        return;
                    }
                    match persist::decode_fragment(&hash, 0) {
                        Ok(Some(saved)) => {
                            let why =
                                format!("Opened the script from the link (seed {}).", saved.seed);
                            dispatcher.dispatch(PanelAction::Replace { saved, why });
                        }
                        Ok(None) => {}
                        Err(e) => persist::warn(&format!("ignoring the script in the link: {e}")),
                    }
                    persist::set_url_script(None);
                })
            });
            move || {
                drop(on_hide);
                drop(on_hash);
                flush();
            }
        });
    }

    // After a quiet spell, a changed text or seed is written; until then it is pending.
    {
        let save_timer = save_timer.clone();
        let (pending, last_saved, flush) = (pending.clone(), last_saved.clone(), flush.clone());
        let dispatcher = panel.dispatcher();
        use_effect_with(panel.saved(), move |saved: &Saved| {
            if last_saved.borrow().as_ref() != Some(saved) {
                *pending.borrow_mut() = Some(saved.clone());
                dispatcher.dispatch(PanelAction::Save(SaveStatus::Pending));
                *save_timer.borrow_mut() = Some(Timeout::new(SAVE_DEBOUNCE_MS, move || flush()));
            }
        });
    }

    // The kept-aside script survives a reload too.
    use_effect_with(panel.previous.clone(), move |previous| match previous {
        Some(p) => {
            if let Err(e) = persist::save_stored(&previous_key, p) {
                persist::warn(&format!("could not keep the previous script: {e}"));
            }
        }
        None => persist::remove_stored(&previous_key),
    });

    flush
}

/// Export: the text as a `.txt` download named after the script.
pub(super) fn on_export(
    text: String,
    dispatcher: UseReducerDispatcher<Panel>,
) -> Callback<MouseEvent> {
    Callback::from(move |_: MouseEvent| {
        let name = scenarios::file_name_for(&text);
        let notice = match crate::download::download(&name, &text, "text/plain;charset=utf-8") {
            Ok(()) => format!("Exported the script as {name}."),
            Err(e) => format!("Could not export: {e}."),
        };
        dispatcher.dispatch(PanelAction::Notice(Some(notice)));
    })
}

/// Import…: opens the file picker (the hidden input behind `file_ref`, see [`on_file`]).
pub(super) fn on_import_click(file_ref: NodeRef) -> Callback<MouseEvent> {
    Callback::from(move |_: MouseEvent| {
        if let Some(input) = file_ref.cast::<HtmlInputElement>() {
            input.click();
        }
    })
}

/// A file was chosen: its text replaces the script; the seed stays as it is.
pub(super) fn on_file(dispatcher: UseReducerDispatcher<Panel>, seed: u64) -> Callback<Event> {
    Callback::from(move |e: Event| {
        let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
            return;
        };
        let file = input.files().and_then(|f| f.get(0));
        // Choosing the same file again must fire `change` again.
        input.set_value("");
        let Some(file) = file else {
            return;
        };
        let name = file.name();
        if file.size() > persist::MAX_SCRIPT_BYTES as f64 {
            dispatcher.dispatch(PanelAction::Notice(Some(format!(
                "{name} is too large for a script (over {} KiB).",
                persist::MAX_SCRIPT_BYTES / 1024
            ))));
            return;
        }
        let dispatcher = dispatcher.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let read = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            match read.ok().and_then(|v| v.as_string()) {
                Some(text) => dispatcher.dispatch(PanelAction::Replace {
                    saved: Saved { text, seed },
                    why: format!("Imported {name}."),
                }),
                None => dispatcher
                    .dispatch(PanelAction::Notice(Some(format!("Could not read {name}.")))),
            }
        });
    })
}

/// Share: puts the script and seed in the address bar and tries to copy that link. The address
/// bar carries the script until the text changes (`url_has_script`, cleared on input).
pub(super) fn on_share(
    saved: Saved,
    dispatcher: UseReducerDispatcher<Panel>,
    url_has_script: Rc<RefCell<bool>>,
) -> Callback<MouseEvent> {
    Callback::from(move |_: MouseEvent| {
        let Some(url) = persist::set_url_script(Some(&saved)) else {
            dispatcher.dispatch(PanelAction::Notice(Some(
                "Could not make a link here.".into(),
            )));
            return;
        };
        *url_has_script.borrow_mut() = true;
        dispatcher.dispatch(PanelAction::Shared(url.clone(), ShareStatus::Copying));
        let dispatcher = dispatcher.clone();
        copy_to_clipboard(url, move |copied| {
            dispatcher.dispatch(PanelAction::ShareStatus(if copied {
                ShareStatus::Copied
            } else {
                ShareStatus::CopyByHand
            }));
        });
    })
}

/// Copies `text` to the clipboard if the browser lets the page, and reports which it was.
fn copy_to_clipboard(text: String, report: impl FnOnce(bool) + 'static) {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        report(false);
        return;
    };
    // `navigator.clipboard` is missing outside secure contexts; calling it would throw.
    let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .map(|c| !c.is_undefined() && !c.is_null())
        .unwrap_or(false);
    if !has_clipboard {
        report(false);
        return;
    }
    let promise = navigator.clipboard().write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        report(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}
