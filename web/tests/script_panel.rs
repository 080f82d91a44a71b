//! The script panel in a real (headless) browser: inline errors, Run, autosave and restore, the
//! shared link, Tab, import, scenarios and the recorded session.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web::components::script_panel::{
    RunResultView, ScriptPanel, ScriptPanelProps, ScriptRun, PARSE_DEBOUNCE_MS, SAVE_DEBOUNCE_MS,
};
use web::persist::{self, Saved};
use web::scenarios;
use web_sys::{
    Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, InputEvent,
    InputEventInit, KeyboardEvent, KeyboardEventInit,
};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

fn storage() -> web_sys::Storage {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("local storage")
}

async fn sleep(ms: u32) {
    yew::platform::time::sleep(Duration::from_millis(ms.into())).await;
}

/// Lets yew's scheduler run the renders a change queued.
async fn settle() {
    sleep(30).await;
    // A big render is split into pieces the browser runs between: wait for the last one.
    yew::scheduler::flush().await;
}

/// Props for a panel on its own storage key, not looking at the URL.
fn props(key: &str) -> ScriptPanelProps {
    ScriptPanelProps {
        on_run: Callback::noop(),
        progress: None,
        on_stop: Callback::noop(),
        result: None,
        recorded: None,
        on_record: Callback::noop(),
        default_seed: 0,
        storage_key: AttrValue::from(key.to_string()),
        use_url: false,
    }
}

/// A key no earlier test (or earlier run in the same browser profile) has written.
fn fresh_key(name: &str) -> String {
    let key = format!("test.script-panel.{name}");
    let _ = storage().remove_item(&key);
    let _ = storage().remove_item(&format!("{key}.previous"));
    key
}

async fn mount(props: ScriptPanelProps) -> Element {
    let host = document().create_element("div").expect("a host element");
    document()
        .body()
        .expect("a body")
        .append_child(&host)
        .expect("attach the host");
    yew::Renderer::<ScriptPanel>::with_root_and_props(host.clone(), props).render();
    settle().await;
    host
}

fn find(host: &Element, selector: &str) -> Element {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

fn count(host: &Element, selector: &str) -> u32 {
    host.query_selector_all(selector).unwrap().length()
}

fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default()
}

fn editor(host: &Element) -> HtmlTextAreaElement {
    find(host, "textarea.sp-textarea").dyn_into().unwrap()
}

fn button(host: &Element, selector: &str) -> HtmlElement {
    find(host, selector).dyn_into().unwrap()
}

/// Puts `value` in a field and fires `input`, as typing does.
async fn type_into(el: &HtmlElement, value: &str) {
    if let Some(ta) = el.dyn_ref::<HtmlTextAreaElement>() {
        ta.set_value(value);
    } else if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        input.set_value(value);
    }
    let init = InputEventInit::new();
    init.set_bubbles(true);
    let event = InputEvent::new_with_event_init_dict("input", &init).unwrap();
    el.dispatch_event(&event).unwrap();
    settle().await;
}

async fn type_script(host: &Element, value: &str) {
    type_into(&editor(host).unchecked_into(), value).await;
}

async fn click(el: &HtmlElement) {
    el.click();
    settle().await;
}

#[wasm_bindgen_test]
async fn typing_an_invalid_line_shows_an_inline_error_at_that_line() {
    let host = mount(props(&fresh_key("inline"))).await;
    type_script(&host, "cluster 3\nrun 1s\nfrobnicate 2\nrun 1s").await;
    // Parsing waits for a pause in typing.
    sleep(PARSE_DEBOUNCE_MS + 150).await;

    assert_eq!(count(&host, ".sp-ln.error"), 1);
    let gutter = find(&host, ".sp-ln.error");
    assert_eq!(gutter.get_attribute("data-line").as_deref(), Some("3"));
    assert!(text(&gutter).contains('3'));
    let row = find(&host, ".sp-row.error");
    assert_eq!(row.get_attribute("data-line").as_deref(), Some("3"));
    // The offending word is marked and the message sits on the same line.
    assert_eq!(text(&find(&row, ".sp-mark")), "frobnicate");
    let msg = text(&find(&row, ".sp-inline-msg.error"));
    assert!(msg.contains("column 1"), "{msg}");
    assert!(text(&find(&host, ".sp-problems")).contains("line 3, column 1"));
    assert_eq!(
        editor(&host).get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert!(button(&host, "button.sp-run").has_attribute("disabled"));

    // Fixing the line clears the mark.
    type_script(&host, "cluster 3\nrun 1s\nrun 2s\nrun 1s").await;
    sleep(PARSE_DEBOUNCE_MS + 150).await;
    assert_eq!(count(&host, ".sp-ln.error"), 0);
    assert_eq!(count(&host, ".sp-inline-msg"), 0);
    assert!(!button(&host, "button.sp-run").has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn run_emits_the_text_and_the_seed() {
    let runs: Rc<RefCell<Vec<ScriptRun>>> = Rc::default();
    let mut p = props(&fresh_key("run"));
    p.on_run = {
        let runs = runs.clone();
        Callback::from(move |r: ScriptRun| runs.borrow_mut().push(r))
    };
    let host = mount(p).await;
    let script = "cluster 3\nrun-until leader max=5s\nexpect safe\n";
    type_script(&host, script).await;
    type_into(&button(&host, ".sp-seed input"), "77").await;
    // Run parses at once: no need to wait for the debounced parse.
    click(&button(&host, "button.sp-run")).await;
    assert_eq!(
        *runs.borrow(),
        vec![ScriptRun {
            text: script.to_string(),
            seed: 77
        }]
    );

    // A script that does not parse is not run, and its error shows at once.
    type_script(&host, "cluster 3\nnot-a-command\n").await;
    click(&button(&host, "button.sp-run")).await;
    assert_eq!(runs.borrow().len(), 1);
    assert_eq!(
        find(&host, ".sp-ln.error")
            .get_attribute("data-line")
            .as_deref(),
        Some("2")
    );
    // Nor is one with a seed that is not a number.
    type_script(&host, script).await;
    type_into(&button(&host, ".sp-seed input"), "seven").await;
    assert!(button(&host, "button.sp-run").has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn autosave_writes_local_storage_and_a_fresh_mount_restores_it() {
    let key = fresh_key("autosave");
    let host = mount(props(&key)).await;
    assert_eq!(editor(&host).value(), "", "nothing saved yet");
    let script = "cluster 5\nrun 2s\n# ünïcode survives\n";
    type_script(&host, script).await;
    type_into(&button(&host, ".sp-seed input"), "1234").await;
    sleep(SAVE_DEBOUNCE_MS + 200).await;

    let stored = storage().get_item(&key).unwrap().expect("autosaved");
    assert_eq!(
        persist::decode_stored(&stored).unwrap(),
        Saved {
            text: script.to_string(),
            seed: 1234
        }
    );
    assert_eq!(text(&find(&host, ".sp-save")), "saved");

    // A page load mounts the panel afresh.
    let again = mount(props(&key)).await;
    assert_eq!(editor(&again).value(), script);
    let seed: HtmlInputElement = find(&again, ".sp-seed input").dyn_into().unwrap();
    assert_eq!(seed.value(), "1234");
}

#[wasm_bindgen_test]
async fn corrupt_saved_data_is_ignored() {
    let key = fresh_key("corrupt");
    storage()
        .set_item(&key, "raft-playground script v1\nseed lots\ncluster 3\n")
        .unwrap();
    let mut p = props(&key);
    p.default_seed = 8;
    let host = mount(p).await;
    assert_eq!(editor(&host).value(), "");
    let seed: HtmlInputElement = find(&host, ".sp-seed input").dyn_into().unwrap();
    assert_eq!(seed.value(), "8", "the page's seed");
}

#[wasm_bindgen_test]
async fn a_link_wins_over_the_autosave_which_can_be_restored() {
    let key = fresh_key("link");
    let mine = Saved {
        text: "cluster 3\n# mine\n".into(),
        seed: 1,
    };
    storage()
        .set_item(&key, &persist::encode_stored(&mine))
        .unwrap();
    let shared = Saved {
        text: "cluster 5\nrun 3s\n".into(),
        seed: 99,
    };
    let history = web_sys::window().unwrap().history().unwrap();
    let url = format!("#view=logs&{}", persist::encode_fragment(&shared));
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        .unwrap();

    let mut p = props(&key);
    p.use_url = true;
    let host = mount(p).await;
    assert_eq!(editor(&host).value(), shared.text);
    let seed: HtmlInputElement = find(&host, ".sp-seed input").dyn_into().unwrap();
    assert_eq!(seed.value(), "99");
    // The link is consumed: a reload shows what is typed from now on. Other keys stay.
    assert_eq!(persist::current_hash(), "#view=logs");
    assert_eq!(
        persist::load_stored(&key),
        Some(shared.clone()),
        "saved at once"
    );

    // What was there before is one click away.
    click(&button(&host, "button.sp-restore")).await;
    assert_eq!(editor(&host).value(), mine.text);
    assert_eq!(seed.value(), "1");

    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#"))
        .unwrap();
}

#[wasm_bindgen_test]
async fn share_puts_script_and_seed_in_the_url_until_the_next_edit() {
    let mut p = props(&fresh_key("share"));
    p.use_url = true;
    let host = mount(p).await;
    let script = "cluster 3\nput 1 x=5\n";
    type_script(&host, script).await;
    type_into(&button(&host, ".sp-seed input"), "31").await;
    click(&button(&host, "button.sp-share")).await;

    let link: HtmlInputElement = find(&host, "input.sp-link").dyn_into().unwrap();
    let link = link.value();
    let fragment = link.split_once('#').expect("a fragment").1;
    let expect = Saved {
        text: script.into(),
        seed: 31,
    };
    assert_eq!(persist::decode_fragment(fragment, 0).unwrap(), Some(expect));
    assert!(persist::has_shared_script(&persist::current_hash()));
    assert!(link.starts_with(&web_sys::window().unwrap().location().origin().unwrap()));

    // Once the text changes, the address bar no longer claims to hold it.
    type_script(&host, "cluster 3\n").await;
    assert!(!persist::has_shared_script(&persist::current_hash()));
    assert_eq!(count(&host, "input.sp-link"), 0);
}

#[wasm_bindgen_test]
async fn tab_indents_instead_of_leaving_the_editor() {
    let host = mount(props(&fresh_key("tab"))).await;
    type_script(&host, "cluster 3\nrun 1s").await;
    let ta = editor(&host);
    ta.focus().unwrap();
    ta.set_selection_range(10, 10).unwrap();
    let tab = |shift: bool| {
        let init = KeyboardEventInit::new();
        init.set_key("Tab");
        init.set_shift_key(shift);
        init.set_bubbles(true);
        init.set_cancelable(true);
        KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap()
    };
    let event = tab(false);
    ta.dispatch_event(&event).unwrap();
    settle().await;
    assert!(event.default_prevented(), "focus stays in the editor");
    assert_eq!(ta.value(), "cluster 3\n  run 1s");
    assert_eq!(ta.selection_start().unwrap(), Some(12));
    ta.dispatch_event(&tab(true)).unwrap();
    settle().await;
    assert_eq!(ta.value(), "cluster 3\nrun 1s");
}

#[wasm_bindgen_test]
async fn import_reads_a_chosen_file() {
    let key = fresh_key("import");
    let host = mount(props(&key)).await;
    type_script(&host, "cluster 3\n# typed by hand\n").await;
    let content = "# title: From a file\ncluster 4\nrun 1s\n";
    let parts = js_sys::Array::of1(&content.into());
    let file = web_sys::File::new_with_str_sequence(&parts, "mine.txt").unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    let input: HtmlInputElement = find(&host, "input.sp-file").dyn_into().unwrap();
    input.set_files(transfer.files().as_ref());
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    sleep(200).await;
    assert_eq!(editor(&host).value(), content);
    assert!(text(&find(&host, ".sp-notice")).contains("Imported mine.txt"));
    // The hand-typed script was kept aside, and is kept across a reload too.
    let again = mount(props(&key)).await;
    assert_eq!(count(&again, "button.sp-restore"), 1);
    click(&button(&host, "button.sp-restore")).await;
    assert_eq!(editor(&host).value(), "cluster 3\n# typed by hand\n");
}

/// The scenario the tests open, and its text as trunk serves it beside the page.
const SCENARIO_FILE: &str = "19-learner-promotion.txt";
const SCENARIO_TEXT: &str = include_str!("../../static/scenarios/19-learner-promotion.txt");

/// Answers the page's fetches of `url` with `body` (status 200), or 404 when `body` is `None`,
/// as the served page would; the test runner's own server does not have the scenario files.
/// Every other request goes to the real `fetch`. Returns what undoes it.
fn serve(url: &str, body: Option<&str>) -> impl FnOnce() {
    let window = web_sys::window().unwrap();
    let real = js_sys::Reflect::get(&window, &"fetch".into()).unwrap();
    let fake = js_sys::Function::new_with_args(
        "real, url, body",
        "return (req, init) => String(req) === url \
            ? Promise.resolve(body === undefined ? new Response('', { status: 404 }) : new Response(body)) \
            : real(req, init);",
    )
    .call3(
        &wasm_bindgen::JsValue::NULL,
        &real,
        &url.into(),
        &body.map(wasm_bindgen::JsValue::from).unwrap_or(wasm_bindgen::JsValue::UNDEFINED),
    )
    .unwrap();
    js_sys::Reflect::set(&window, &"fetch".into(), &fake).unwrap();
    move || {
        js_sys::Reflect::set(&web_sys::window().unwrap(), &"fetch".into(), &real).unwrap();
    }
}

/// Picks the scenario stored in `file` in the panel's picker; `None` when the build found no
/// scenarios (the picker is then disabled).
async fn pick(host: &Element, file: &str) -> Option<&'static scenarios::Scenario> {
    let all = scenarios::all();
    if all.is_empty() {
        assert!(find(host, ".sp-scenario select").has_attribute("disabled"));
        return None;
    }
    let index = all
        .iter()
        .position(|s| s.file == file)
        .expect("the scenario is built in");
    let select: HtmlSelectElement = find(host, ".sp-scenario select").dyn_into().unwrap();
    select.set_value(&index.to_string());
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    settle().await;
    assert!(text(&find(host, ".sp-summary")).contains(all[index].title));
    Some(&all[index])
}

/// Waits (up to a second) until the notice says something containing `what`.
async fn notice_saying(host: &Element, what: &str) -> String {
    for _ in 0..33 {
        if let Some(n) = host.query_selector(".sp-notice").unwrap() {
            if text(&n).contains(what) {
                return text(&n);
            }
        }
        settle().await;
    }
    panic!("no notice says {what:?}");
}

#[wasm_bindgen_test]
async fn a_built_in_scenario_opens_in_the_editor() {
    let host = mount(props(&fresh_key("scenario"))).await;
    let Some(s) = pick(&host, SCENARIO_FILE).await else {
        return;
    };
    let undo = serve(&format!("scenarios/{SCENARIO_FILE}"), Some(SCENARIO_TEXT));
    click(&button(&host, "button.sp-open")).await;
    notice_saying(&host, "Opened the scenario").await;
    undo();
    assert_eq!(editor(&host).value(), SCENARIO_TEXT);
    let seed: HtmlInputElement = find(&host, ".sp-seed input").dyn_into().unwrap();
    assert_eq!(seed.value(), s.seed.to_string());
    assert_eq!(count(&host, ".sp-ln.error"), 0, "built-in scenarios parse");
    // Left as it is, it is the scenario, not a script worth keeping aside.
    assert_eq!(scenarios::matching(&editor(&host).value()), Some(s));
}

#[wasm_bindgen_test]
async fn a_scenario_that_does_not_arrive_intact_leaves_the_editor_alone() {
    let host = mount(props(&fresh_key("scenario-missing"))).await;
    let before = editor(&host).value();
    if pick(&host, SCENARIO_FILE).await.is_none() {
        return;
    }
    let url = format!("scenarios/{SCENARIO_FILE}");
    // A dev server answers a missing file with the page itself.
    let undo = serve(&url, Some("<!DOCTYPE html><html><body></body></html>"));
    click(&button(&host, "button.sp-open")).await;
    let said = notice_saying(&host, "Could not load").await;
    undo();
    assert!(
        said.contains(&url) && said.contains("different file"),
        "{said}"
    );
    assert_eq!(editor(&host).value(), before);

    let undo = serve(&url, None);
    click(&button(&host, "button.sp-open")).await;
    let said = notice_saying(&host, "answered 404").await;
    undo();
    assert!(said.contains(&url), "{said}");
    assert_eq!(editor(&host).value(), before);
}

#[wasm_bindgen_test]
async fn failures_of_a_run_are_drawn_at_their_lines() {
    let key = fresh_key("failures");
    storage()
        .set_item(
            &key,
            &persist::encode_stored(&Saved {
                text: "cluster 3\nexpect leader=2\nexpect safe\n".into(),
                seed: 3,
            }),
        )
        .unwrap();
    let mut p = props(&key);
    p.result = Some(Rc::new(RunResultView {
        passed: false,
        failures: vec![(2, "no leader yet".into())],
        transcript: "cluster 3\n----\nok\n".into(),
    }));
    let host = mount(p).await;
    let ln = find(&host, ".sp-ln.failure");
    assert_eq!(ln.get_attribute("data-line").as_deref(), Some("2"));
    assert!(text(&find(&host, ".sp-inline-msg.failure")).contains("no leader yet"));
    assert!(text(&find(&host, ".sp-verdict")).contains("failed"));
    assert!(text(&find(&host, ".sp-transcript pre")).contains("----"));
}

#[wasm_bindgen_test]
async fn the_recorded_session_can_become_the_script() {
    let opened: Rc<RefCell<Vec<bool>>> = Rc::default();
    let mut p = props(&fresh_key("record"));
    p.on_record = {
        let opened = opened.clone();
        Callback::from(move |b: bool| opened.borrow_mut().push(b))
    };
    let recorded = "# Recorded session; replay with seed 42.\ncluster 3\n----\n\nrun 2s\n----\n\n";
    p.recorded = Some(AttrValue::from(recorded));
    let host = mount(p).await;
    assert_eq!(count(&host, ".sp-recorded"), 0);
    click(&button(&host, "button.sp-record")).await;
    assert_eq!(*opened.borrow(), vec![true]);
    assert_eq!(text(&find(&host, ".sp-recorded-text")), recorded);
    click(&button(&host, "button.sp-use-recorded")).await;
    assert_eq!(editor(&host).value(), recorded);
    let seed: HtmlInputElement = find(&host, ".sp-seed input").dyn_into().unwrap();
    assert_eq!(seed.value(), "42", "the session's own seed");
    click(&button(&host, "button.sp-record")).await;
    assert_eq!(*opened.borrow(), vec![true, false]);
}
