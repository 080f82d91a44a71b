//! The script panel: the built-in scenarios, an editor for scripts with their errors shown at
//! the line they are on, Run, the recorded session, export/import of a file and a shareable
//! link. The panel owns the text and its seed (autosaved, see [`crate::persist`]); the app
//! runs what it is given and hands back what happened.
//!
//! The editor is a plain `<textarea>` laid over a "backdrop" that repeats the text invisibly,
//! line by line, with the marks drawn in: the row of a bad line is tinted, the offending word
//! underlined and the message written after the line's end. Both sit in one scroller with the
//! line-number gutter and grow with the text, so they never have to be scrolled in step.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use cluster::script::{Script, ScriptError, Transcript};
use cluster::script_run::ScriptProgress;
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::persist::{self, Saved};
use crate::scenarios;

/// Quiet time after the last keystroke before the script is parsed again.
pub const PARSE_DEBOUNCE_MS: u32 = 250;
/// Quiet time after the last change before it is written to `localStorage`. Closing or
/// reloading the page writes at once, so nothing is lost within this window.
pub const SAVE_DEBOUNCE_MS: u32 = 400;
/// What Tab inserts.
const INDENT: &str = "  ";
/// Height of one editor line in CSS pixels (`--sp-line` in static/script_panel.css).
const LINE_PX: i32 = 20;

/// What Run hands to the app: the script and the seed to run it with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptRun {
    pub text: String,
    pub seed: u64,
}

/// What a run produced, as the panel shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunResultView {
    pub passed: bool,
    /// 1-based line of the script, and what went wrong there.
    pub failures: Vec<(usize, String)>,
    /// The script with every command's actual output (datadriven's rewrite).
    pub transcript: String,
}

impl RunResultView {
    /// From a finished run: every failed `expect`/`run-until`, and every command whose output
    /// differs from the one the script wrote down.
    pub fn from_transcript(t: &Transcript) -> Self {
        let failures = t
            .results
            .iter()
            .filter_map(|r| match &r.failure {
                Some(why) => Some((r.line, why.clone())),
                None if r.mismatch() => Some((
                    r.line,
                    "output differs from the expected output (see the transcript)".to_string(),
                )),
                None => None,
            })
            .collect();
        RunResultView {
            passed: t.passed(),
            failures,
            transcript: t.rewritten.clone(),
        }
    }

    /// From a script that could not run at all.
    pub fn from_error(e: &ScriptError) -> Self {
        RunResultView {
            passed: false,
            failures: vec![(e.line, format!("column {}: {}", e.column, e.message))],
            transcript: String::new(),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ScriptPanelProps {
    /// Run was pressed on a script that parses.
    pub on_run: Callback<ScriptRun>,
    /// Where the script under way stands, while one runs (Run then gives way to Stop).
    #[prop_or_default]
    pub progress: Option<ScriptProgress>,
    /// Stop was pressed.
    #[prop_or_default]
    pub on_stop: Callback<()>,
    /// The last run's outcome (the app keeps it in an `Rc`, so comparing props is cheap).
    #[prop_or_default]
    pub result: Option<Rc<RunResultView>>,
    /// The session so far as a script (`Recorder::to_script`). Only needed while the record
    /// view is open (see `on_record`).
    #[prop_or_default]
    pub recorded: Option<AttrValue>,
    /// The record view was opened (`true`) or closed.
    #[prop_or_default]
    pub on_record: Callback<bool>,
    /// The seed when nothing was saved or shared (the page's seed).
    #[prop_or_default]
    pub default_seed: u64,
    /// Where the autosave lives; tests use their own keys.
    #[prop_or(AttrValue::Static(persist::DEFAULT_KEY))]
    pub storage_key: AttrValue,
    /// Whether the panel reads and writes the page's URL fragment.
    #[prop_or(true)]
    pub use_url: bool,
}

// ---- pure helpers (tested natively) -------------------------------------------------------------

/// Milliseconds as seconds with one decimal (`12.3 s`), in integers: the page carries no float
/// printer.
pub fn seconds_text(ms: u64) -> String {
    let tenths = (ms + 50) / 100;
    format!("{}.{} s", tenths / 10, tenths % 10)
}

/// What the progress line says: which command runs and how far its virtual time has come.
pub fn progress_text(p: &ScriptProgress) -> String {
    let mut s = format!(
        "Running command {} of {}",
        (p.done + 1).min(p.commands),
        p.commands
    );
    if let Some(line) = p.line {
        s.push_str(&format!(" (line {line})"));
    }
    if let Some((began, until)) = p.span {
        s.push_str(&format!(
            ": {} of {} of virtual time",
            seconds_text(p.now.saturating_sub(began)),
            seconds_text(until.saturating_sub(began))
        ));
    }
    s
}

/// The progress of the script under way: a bar over the command's virtual time and a line.
fn progress_bar(p: &ScriptProgress) -> Html {
    let (value, max) = match p.span {
        Some((began, until)) => (
            p.now.saturating_sub(began),
            until.saturating_sub(began).max(1),
        ),
        None => (p.done as u64, p.commands.max(1) as u64),
    };
    html! {
        <div class="sp-progress" role="status" data-testid="script-progress">
            <progress max={max.to_string()} value={value.min(max).to_string()}
                aria-label="Progress of the command under way"></progress>
            <span>{ progress_text(p) }</span>
        </div>
    }
}

/// A mark drawn on a line of the editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineMark {
    /// The script does not parse here (blocks Run).
    pub error: bool,
    /// 1-based byte column, when the problem has one.
    pub column: Option<usize>,
    pub message: String,
}

/// The marks of each line (1-based), for a text of `lines` lines. Problems past the end are
/// drawn on the last line, so none is invisible.
pub fn line_marks(
    lines: usize,
    error: Option<&ScriptError>,
    failures: &[(usize, String)],
) -> BTreeMap<usize, Vec<LineMark>> {
    let clamp = |l: usize| l.clamp(1, lines.max(1));
    let mut marks: BTreeMap<usize, Vec<LineMark>> = BTreeMap::new();
    if let Some(e) = error {
        marks.entry(clamp(e.line)).or_default().push(LineMark {
            error: true,
            column: Some(e.column),
            message: e.message.clone(),
        });
    }
    for (line, message) in failures {
        marks.entry(clamp(*line)).or_default().push(LineMark {
            error: false,
            column: None,
            message: message.clone(),
        });
    }
    marks
}

/// Splits a line at a 1-based byte column into the text before, the word starting there (up to
/// the next space; empty at the end of the line) and the rest. Columns past the end or inside
/// a character are moved back to the nearest boundary.
pub fn split_at_column(line: &str, column: usize) -> (&str, &str, &str) {
    let mut at = column.saturating_sub(1).min(line.len());
    while !line.is_char_boundary(at) {
        at -= 1;
    }
    let (before, rest) = line.split_at(at);
    let word_len = match rest.find(char::is_whitespace) {
        Some(0) => rest.chars().next().map_or(0, char::len_utf8),
        Some(n) => n,
        None => rest.len(),
    };
    let (word, after) = rest.split_at(word_len);
    (before, word, after)
}

/// Longest message written inside the editor, in characters; the list under the editor has the
/// whole text (an unknown command, for one, lists every known command).
const INLINE_CHARS: usize = 90;

/// A message as the editor writes it after its line: cut at [`INLINE_CHARS`].
pub fn inline_message(message: &str) -> String {
    match message.char_indices().nth(INLINE_CHARS) {
        Some((cut, _)) => format!("{}…", message[..cut].trim_end()),
        None => message.to_string(),
    }
}

/// The byte offset of a UTF-16 offset (what the DOM's selection counts in).
fn utf16_to_byte(text: &str, pos: u32) -> usize {
    let mut n = 0u32;
    for (i, c) in text.char_indices() {
        if n >= pos {
            return i;
        }
        n += c.len_utf16() as u32;
    }
    text.len()
}

fn utf16_len(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

/// An edit of the textarea: replace `from..to` (UTF-16 offsets) by `insert`, then select
/// `select`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splice {
    pub from: u32,
    pub to: u32,
    pub insert: String,
    pub select: (u32, u32),
}

fn outdent_line(l: &str) -> &str {
    l.strip_prefix(INDENT)
        .or_else(|| l.strip_prefix(' '))
        .or_else(|| l.strip_prefix('\t'))
        .unwrap_or(l)
}

/// What Tab (or Shift+Tab, `outdent`) does to `text` with the selection `start..end`: inside
/// one line Tab types two spaces over the selection; over several lines, or with Shift, whole
/// lines are indented or outdented by two. `None`: nothing to change.
pub fn tab_splice(text: &str, start: u32, end: u32, outdent: bool) -> Option<Splice> {
    let (start, end) = (start.min(end), start.max(end));
    let (s, e) = (utf16_to_byte(text, start), utf16_to_byte(text, end));
    let multi = text[s..e].contains('\n');
    if !outdent && !multi {
        let caret = start + utf16_len(INDENT);
        return Some(Splice {
            from: start,
            to: end,
            insert: INDENT.to_string(),
            select: (caret, caret),
        });
    }
    let line_start = text[..s].rfind('\n').map_or(0, |i| i + 1);
    // A selection that ends at the start of a line does not take that line with it.
    let e = if multi && text[..e].ends_with('\n') {
        e - 1
    } else {
        e
    };
    let block_end = text[e..].find('\n').map_or(text.len(), |i| e + i);
    let block = &text[line_start..block_end];
    let new_block = block
        .split('\n')
        .map(|l| {
            if outdent {
                outdent_line(l).to_string()
            } else if l.is_empty() {
                String::new()
            } else {
                format!("{INDENT}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    if new_block == block {
        return None;
    }
    let from = utf16_len(&text[..line_start]);
    let to = from + utf16_len(block);
    let new_len = utf16_len(&new_block);
    let select = if multi {
        (from, from + new_len)
    } else {
        // One line outdented: the caret (or selection) moves left with its text.
        let removed = utf16_len(block) - new_len;
        let keep = |p: u32| from + (p - from).saturating_sub(removed);
        (keep(start), keep(end))
    };
    Some(Splice {
        from,
        to,
        insert: new_block,
        select,
    })
}

/// The UTF-16 offset where 1-based `line` starts (the end of the text past the last line).
fn line_offset(text: &str, line: usize) -> u32 {
    if line <= 1 {
        return 0;
    }
    let byte = text
        .match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1);
    utf16_len(&text[..byte])
}

fn parse_error(text: &str) -> Option<ScriptError> {
    Script::parse(text).err()
}

// ---- panel state ------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
enum SaveStatus {
    Saved,
    Pending,
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ShareStatus {
    Copying,
    Copied,
    /// No clipboard, or it refused: the person copies the link from the field.
    CopyByHand,
}

#[derive(Clone, Debug, PartialEq)]
struct Panel {
    text: String,
    /// The seed field as typed.
    seed_text: String,
    /// The last seed the field held that reads as a number.
    seed: u64,
    /// The last parse's error.
    error: Option<ScriptError>,
    /// Whether `error` belongs to the current text (it is stale while a parse is pending).
    error_fresh: bool,
    /// The text last handed to `on_run`.
    ran: Option<String>,
    record_open: bool,
    /// The script the last replacement (scenario, import, link, recording) pushed out, kept so
    /// it can come back.
    previous: Option<Saved>,
    notice: Option<String>,
    share: Option<(String, ShareStatus)>,
    /// Index of the scenario chosen in the picker.
    picked: usize,
    save: SaveStatus,
}

enum PanelAction {
    /// Typing.
    Edit(String),
    Seed(String),
    /// The editor gets another script; the current one is kept aside.
    Replace {
        saved: Saved,
        why: String,
    },
    /// Swaps the kept-aside script back in.
    Restore,
    Parsed {
        text: String,
        error: Option<ScriptError>,
    },
    Ran(String),
    RecordOpen(bool),
    Shared(String, ShareStatus),
    ShareStatus(ShareStatus),
    Notice(Option<String>),
    Pick(usize),
    Save(SaveStatus),
}

impl Panel {
    fn new(init: &persist::Initial, previous: Option<Saved>) -> Self {
        let text = init.saved.text.clone();
        Panel {
            error: parse_error(&text),
            error_fresh: true,
            text,
            seed_text: init.saved.seed.to_string(),
            seed: init.saved.seed,
            ran: None,
            record_open: false,
            previous: init.displaced.clone().or(previous),
            notice: (init.source == persist::Source::Url).then(|| {
                format!(
                    "Opened the script from the link (seed {}).",
                    init.saved.seed
                )
            }),
            share: None,
            picked: 0,
            save: SaveStatus::Saved,
        }
    }

    fn saved(&self) -> Saved {
        Saved {
            text: self.text.clone(),
            seed: self.seed,
        }
    }

    fn seed_ok(&self) -> bool {
        self.seed_text.trim().parse::<u64>().is_ok()
    }

    /// Whether the current text is worth keeping when something replaces it: not empty, and
    /// not a built-in scenario left as it was (that one can be opened again).
    fn worth_keeping(&self) -> bool {
        !self.text.trim().is_empty() && scenarios::matching(&self.text).is_none()
    }
}

impl Reducible for Panel {
    type Action = PanelAction;

    fn reduce(self: Rc<Self>, action: PanelAction) -> Rc<Self> {
        let mut p = (*self).clone();
        match action {
            PanelAction::Edit(text) => {
                if text == p.text {
                    return self;
                }
                p.text = text;
                p.error_fresh = false;
                // The link describes the text it was made from.
                p.share = None;
            }
            PanelAction::Seed(s) => {
                if let Ok(v) = s.trim().parse::<u64>() {
                    p.seed = v;
                }
                p.seed_text = s;
                p.share = None;
            }
            PanelAction::Replace { saved, why } => {
                if p.worth_keeping() && saved.text != p.text {
                    p.previous = Some(p.saved());
                }
                p.error = parse_error(&saved.text);
                p.error_fresh = true;
                p.seed_text = saved.seed.to_string();
                p.seed = saved.seed;
                p.text = saved.text;
                p.ran = None;
                p.share = None;
                p.notice = Some(why);
            }
            PanelAction::Restore => {
                let Some(prev) = p.previous.take() else {
                    return self;
                };
                if p.worth_keeping() {
                    p.previous = Some(p.saved());
                }
                p.error = parse_error(&prev.text);
                p.error_fresh = true;
                p.seed_text = prev.seed.to_string();
                p.seed = prev.seed;
                p.text = prev.text;
                p.ran = None;
                p.share = None;
                p.notice = Some("Restored the previous script.".into());
            }
            PanelAction::Parsed { text, error } => {
                // A parse scheduled for an older text is of no use any more.
                if text != p.text || (p.error_fresh && p.error == error) {
                    return self;
                }
                p.error = error;
                p.error_fresh = true;
            }
            PanelAction::Ran(text) => p.ran = Some(text),
            PanelAction::RecordOpen(open) => p.record_open = open,
            PanelAction::Shared(url, status) => p.share = Some((url, status)),
            PanelAction::ShareStatus(status) => match &mut p.share {
                Some((_, s)) => *s = status,
                None => return self,
            },
            PanelAction::Notice(n) => p.notice = n,
            PanelAction::Pick(i) => p.picked = i,
            PanelAction::Save(s) => {
                if s == p.save {
                    return self;
                }
                p.save = s;
            }
        }
        Rc::new(p)
    }
}

// ---- browser helpers ----------------------------------------------------------------------------

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Offers `text` as a download named `name`: a Blob behind an object URL, clicked through a
/// temporary link. Nothing leaves the page.
fn download(name: &str, text: &str) -> Result<(), String> {
    let fail = |_| "the browser refused to create the file".to_string();
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = document().ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| "no link element".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    if let Some(body) = document.body() {
        let _ = body.append_child(&a);
        a.click();
        a.remove();
    }
    // The download has started by the time this fires; then the Blob can go.
    Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
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

/// Applies a [`Splice`] to the textarea. `insertText` keeps the browser's undo history and
/// fires `input` itself; where it is unavailable the text is set directly.
fn apply_splice(ta: &HtmlTextAreaElement, s: &Splice) {
    let _ = ta.set_selection_range(s.from, s.to);
    let inserted = document()
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| {
            d.exec_command_with_show_ui_and_value("insertText", false, &s.insert)
                .ok()
        })
        .unwrap_or(false);
    if !inserted {
        let _ = ta.set_range_text_with_start_and_end(&s.insert, s.from, s.to);
    }
    let _ = ta.set_selection_range(s.select.0, s.select.1);
}

/// Puts the caret at the start of `line` and scrolls the editor to it.
fn jump_to_line(ta: &HtmlTextAreaElement, scroller: Option<HtmlElement>, line: usize) {
    let at = line_offset(&ta.value(), line);
    let _ = ta.focus();
    let _ = ta.set_selection_range(at, at);
    if let Some(s) = scroller {
        let top = (line as i32 - 3).max(0) * LINE_PX;
        s.set_scroll_top(top);
    }
}

thread_local! {
    static NEXT_ID: Cell<usize> = const { Cell::new(0) };
}

fn next_id() -> usize {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    })
}

// ---- the component -----------------------------------------------------------------------------

#[component(ScriptPanel)]
pub fn script_panel(props: &ScriptPanelProps) -> Html {
    let key = props.storage_key.to_string();
    let previous_key = format!("{key}.previous");
    let init = {
        let (key, default_seed, use_url) = (key.clone(), props.default_seed, props.use_url);
        use_memo((), move |_| {
            persist::load_initial(&key, default_seed, use_url)
        })
    };
    let panel = {
        let init = init.clone();
        let previous_key = previous_key.clone();
        use_reducer(move || Panel::new(&init, persist::load_stored(&previous_key)))
    };
    let id = use_memo((), |_| next_id());
    let editor_ref = use_node_ref();
    let scroller_ref = use_node_ref();
    let file_ref = use_node_ref();
    // Tab indents until Escape is pressed; then it moves focus as usual (keyboard users must be
    // able to leave the editor).
    let tab_released = use_mut_ref(|| false);
    // Whether the address bar carries this editor's script (after Share), to be removed when
    // the text changes.
    let url_has_script = use_mut_ref(|| false);
    let parse_timer = use_mut_ref(|| None::<Timeout>);
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
        let (pending, last_saved, key) = (pending.clone(), last_saved.clone(), key.clone());
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
        let use_url = props.use_url;
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

    // After a quiet spell: parse a changed text again, and save a changed text or seed. The two
    // timers are apart, so the parse finishing does not postpone the save.
    {
        let parse_timer = parse_timer.clone();
        let dispatcher = panel.dispatcher();
        use_effect_with(
            (panel.text.clone(), panel.error_fresh),
            move |(text, fresh)| {
                if !*fresh {
                    let text = text.clone();
                    *parse_timer.borrow_mut() = Some(Timeout::new(PARSE_DEBOUNCE_MS, move || {
                        let error = parse_error(&text);
                        dispatcher.dispatch(PanelAction::Parsed { text, error });
                    }));
                }
            },
        );
    }
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
    {
        let previous_key = previous_key.clone();
        use_effect_with(panel.previous.clone(), move |previous| match previous {
            Some(p) => {
                if let Err(e) = persist::save_stored(&previous_key, p) {
                    persist::warn(&format!("could not keep the previous script: {e}"));
                }
            }
            None => persist::remove_stored(&previous_key),
        });
    }

    let dispatch = |action_of: fn(String) -> PanelAction| {
        let dispatcher = panel.dispatcher();
        move |value: String| dispatcher.dispatch(action_of(value))
    };

    let on_input = {
        let edit = dispatch(PanelAction::Edit);
        let url_has_script = url_has_script.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(ta) = e.target_dyn_into::<HtmlTextAreaElement>() {
                edit(ta.value());
                if std::mem::take(&mut *url_has_script.borrow_mut()) {
                    persist::set_url_script(None);
                }
            }
        })
    };

    let run: Rc<dyn Fn()> = {
        let (text, seed, seed_ok) = (panel.text.clone(), panel.seed, panel.seed_ok());
        let dispatcher = panel.dispatcher();
        let on_run = props.on_run.clone();
        let flush = flush.clone();
        Rc::new(move || {
            let error = parse_error(&text);
            let ok = error.is_none();
            dispatcher.dispatch(PanelAction::Parsed {
                text: text.clone(),
                error,
            });
            if ok && seed_ok {
                flush();
                dispatcher.dispatch(PanelAction::Ran(text.clone()));
                on_run.emit(ScriptRun {
                    text: text.clone(),
                    seed,
                });
            }
        })
    };

    let on_keydown = {
        let tab_released = tab_released.clone();
        let run = run.clone();
        let edit = dispatch(PanelAction::Edit);
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            if key == "Escape" {
                *tab_released.borrow_mut() = true;
                return;
            }
            if key == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                run();
                return;
            }
            if key != "Tab" || e.ctrl_key() || e.alt_key() || e.meta_key() || *tab_released.borrow()
            {
                return;
            }
            let Some(ta) = e.target_dyn_into::<HtmlTextAreaElement>() else {
                return;
            };
            e.prevent_default();
            let (Ok(Some(start)), Ok(Some(end))) = (ta.selection_start(), ta.selection_end())
            else {
                return;
            };
            if let Some(splice) = tab_splice(&ta.value(), start, end, e.shift_key()) {
                apply_splice(&ta, &splice);
                edit(ta.value());
            }
        })
    };
    let on_blur = {
        let tab_released = tab_released.clone();
        Callback::from(move |_: FocusEvent| *tab_released.borrow_mut() = false)
    };

    let on_seed = {
        let seed = dispatch(PanelAction::Seed);
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                seed(input.value());
            }
        })
    };

    let all = scenarios::all();
    let picked = all.get(panel.picked);
    let on_pick = {
        let dispatcher = panel.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Ok(i) = select.value().parse::<usize>() {
                    dispatcher.dispatch(PanelAction::Pick(i));
                }
            }
        })
    };
    let on_open = {
        let dispatcher = panel.dispatcher();
        let scenario = picked.copied();
        Callback::from(move |_: MouseEvent| {
            let Some(s) = scenario else { return };
            // The text is served beside the page; the editor keeps what it has until it comes.
            dispatcher.dispatch(PanelAction::Notice(Some(format!("Opening “{}”…", s.title))));
            let dispatcher = dispatcher.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match s.fetch().await {
                    Ok(text) => dispatcher.dispatch(PanelAction::Replace {
                        saved: Saved {
                            text,
                            // The seed its expected output was written with, so it replays exactly.
                            seed: s.seed,
                        },
                        why: format!("Opened the scenario “{}”.", s.title),
                    }),
                    Err(why) => dispatcher.dispatch(PanelAction::Notice(Some(why))),
                }
            });
        })
    };

    let on_run_click = {
        let run = run.clone();
        Callback::from(move |_: MouseEvent| run())
    };

    let on_record = {
        let dispatcher = panel.dispatcher();
        let open = !panel.record_open;
        let cb = props.on_record.clone();
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(PanelAction::RecordOpen(open));
            cb.emit(open);
        })
    };
    let on_use_recorded = {
        let dispatcher = panel.dispatcher();
        let recorded = props.recorded.clone();
        let seed = panel.seed;
        Callback::from(move |_: MouseEvent| {
            if let Some(r) = &recorded {
                let seed = persist::recorded_seed(r).unwrap_or(seed);
                dispatcher.dispatch(PanelAction::Replace {
                    saved: Saved {
                        text: r.to_string(),
                        seed,
                    },
                    why: format!("Copied the recorded session into the editor (seed {seed})."),
                });
            }
        })
    };

    let on_export = {
        let text = panel.text.clone();
        let dispatcher = panel.dispatcher();
        Callback::from(move |_: MouseEvent| {
            let name = scenarios::file_name_for(&text);
            let notice = match download(&name, &text) {
                Ok(()) => format!("Exported the script as {name}."),
                Err(e) => format!("Could not export: {e}."),
            };
            dispatcher.dispatch(PanelAction::Notice(Some(notice)));
        })
    };
    let on_import_click = {
        let file_ref = file_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = file_ref.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let on_file = {
        let dispatcher = panel.dispatcher();
        let seed = panel.seed;
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
    };

    let on_share = {
        let saved = panel.saved();
        let dispatcher = panel.dispatcher();
        let url_has_script = url_has_script.clone();
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
    };
    let on_restore = {
        let dispatcher = panel.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(PanelAction::Restore))
    };
    let on_dismiss = {
        let dispatcher = panel.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(PanelAction::Notice(None)))
    };
    let jump = |line: usize| {
        let (editor_ref, scroller_ref) = (editor_ref.clone(), scroller_ref.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(ta) = editor_ref.cast::<HtmlTextAreaElement>() {
                jump_to_line(&ta, scroller_ref.cast::<HtmlElement>(), line);
            }
        })
    };

    // ---- what is drawn ----
    let lines: Vec<&str> = panel.text.split('\n').collect();
    let result = props.result.as_deref();
    // A run's failures are drawn on the text that ran; after an edit they stay in the list.
    let result_current = panel.ran.is_none() || panel.ran.as_deref() == Some(panel.text.as_str());
    let inline_failures: &[(usize, String)] = match result {
        Some(r) if result_current => &r.failures,
        _ => &[],
    };
    let error = panel.error.as_ref();
    let marks = line_marks(lines.len(), error, inline_failures);
    let blocked = panel.error_fresh && panel.error.is_some();
    let problems_id = format!("sp-problems-{id}");
    let hint_id = format!("sp-hint-{id}");
    let digits = lines.len().to_string().len().max(2);

    let gutter = lines.iter().enumerate().map(|(i, _)| {
        let n = i + 1;
        let m = marks.get(&n);
        let error = m.is_some_and(|m| m.iter().any(|m| m.error));
        let failure = m.is_some_and(|m| m.iter().any(|m| !m.error));
        let symbol = if error {
            "✕"
        } else if failure {
            "!"
        } else {
            ""
        };
        html! {
            <div class={classes!("sp-ln", error.then_some("error"), failure.then_some("failure"))}
                data-line={n.to_string()}>
                <span class="sp-ln-mark">{ symbol }</span>{ n }
            </div>
        }
    });
    let rows = lines.iter().enumerate().map(|(i, line)| {
        let n = i + 1;
        let Some(m) = marks.get(&n) else {
            return html! { <div class="sp-row">{ *line }</div> };
        };
        let error = m.iter().any(|m| m.error);
        let body = match m.iter().find_map(|m| m.column) {
            Some(column) => {
                let (before, word, after) = split_at_column(line, column);
                let word = if word.is_empty() { " " } else { word };
                html! { <>{ before }<span class="sp-mark">{ word }</span>{ after }</> }
            }
            None => html! { { *line } },
        };
        html! {
            <div class={classes!("sp-row", "marked", if error { "error" } else { "failure" })}
                data-line={n.to_string()}>
                { body }
                { for m.iter().map(|m| {
                    let text = match m.column {
                        Some(c) => format!("{} column {c}: {}", if m.error { "✕" } else { "!" }, inline_message(&m.message)),
                        None => format!("! {}", inline_message(&m.message)),
                    };
                    html! {
                        <span class={classes!("sp-inline-msg", if m.error { "error" } else { "failure" })}
                            data-line={n.to_string()}>{ text }</span>
                    }
                }) }
            </div>
        }
    });

    let save_text = match &panel.save {
        SaveStatus::Saved => "saved".to_string(),
        SaveStatus::Pending => "saving…".to_string(),
        SaveStatus::Failed(e) => format!("not saved: {e}"),
    };

    html! {
        <section class="script-panel" aria-label="Script editor">
            <div class="sp-bar" role="toolbar" aria-label="Script">
                <label class="sp-scenario">
                    <span class="label-text">{ "scenario" }</span>
                    <select aria-label="Built-in scenario" onchange={on_pick} disabled={all.is_empty()}>
                        if all.is_empty() {
                            <option>{ "none in this build" }</option>
                        }
                        { for all.iter().enumerate().map(|(i, s)| html! {
                            <option value={i.to_string()} selected={i == panel.picked}>{ s.title }</option>
                        }) }
                    </select>
                </label>
                <button class="sp-open" onclick={on_open} disabled={picked.is_none()}
                    title="Open the chosen scenario in the editor (your script is kept aside)">{ "Open" }</button>
                <label class="sp-seed">
                    <span class="label-text">{ "seed" }</span>
                    <input type="text" inputmode="numeric" size="10" value={panel.seed_text.clone()}
                        oninput={on_seed} aria-label="Seed the script runs with"
                        aria-invalid={(!panel.seed_ok()).to_string()} />
                </label>
                if props.progress.is_some() {
                    <button class="sp-stop primary" data-testid="script-stop"
                        onclick={props.on_stop.reform(|_: MouseEvent| ())}
                        title="Stop the script where it is">{ "■ Stop" }</button>
                } else {
                    <button class="sp-run primary" onclick={on_run_click}
                        disabled={blocked || !panel.seed_ok()}
                        title="Run the script on a fresh cluster (Ctrl+Enter)">{ "▶ Run" }</button>
                }
                <button class={classes!("sp-record", panel.record_open.then_some("on"))}
                    aria-pressed={panel.record_open.to_string()} onclick={on_record}
                    title="Show this session as a script">{ "● Record" }</button>
                <span class="sp-sep" aria-hidden="true"></span>
                <button class="sp-export" onclick={on_export} title="Download the script as a .txt file">{ "Export" }</button>
                <button class="sp-import" onclick={on_import_click} title="Open a script file">{ "Import…" }</button>
                <input ref={file_ref} class="sp-file" type="file" accept=".txt,text/plain"
                    tabindex="-1" aria-hidden="true" onchange={on_file} />
                <button class="sp-share" onclick={on_share} title="Put the script and seed in a link">{ "Share" }</button>
                <span class={classes!("sp-save", matches!(panel.save, SaveStatus::Failed(_)).then_some("bad"))}
                    role="status">{ save_text }</span>
            </div>
            if let Some(p) = &props.progress {
                { progress_bar(p) }
            }
            if let Some(s) = picked {
                <p class="sp-summary"><strong>{ s.title }</strong>
                    if !s.summary.is_empty() { { " — " }{ s.summary } }</p>
            }
            if panel.notice.is_some() || panel.previous.is_some() {
                <div class="sp-notice" role="status">
                    if let Some(n) = &panel.notice { <span>{ n.clone() }</span> }
                    if panel.previous.is_some() {
                        <button class="sp-restore" onclick={on_restore}
                            title="Swap the script that was replaced back into the editor">
                            { "↶ Restore previous script" }</button>
                    }
                    if panel.notice.is_some() {
                        <button class="sp-dismiss" onclick={on_dismiss} aria-label="Dismiss">{ "×" }</button>
                    }
                </div>
            }
            if let Some((url, status)) = &panel.share {
                <div class="sp-share-box">
                    <input class="sp-link" type="text" readonly=true value={url.clone()}
                        aria-label="Link to this script and seed"
                        onfocus={Callback::from(|e: FocusEvent| {
                            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() { i.select(); }
                        })} />
                    <span class="sp-share-status" role="status">{ match status {
                        ShareStatus::Copying => "copying…",
                        ShareStatus::Copied => "link copied to the clipboard",
                        ShareStatus::CopyByHand => "copy the link from the field (or the address bar)",
                    } }</span>
                </div>
            }
            <div class={classes!("sp-editor", blocked.then_some("has-error"))}
                style={format!("--sp-digits: {digits}")}>
                <div class="sp-scroll" ref={scroller_ref.clone()}>
                    <div class="sp-gutter" aria-hidden="true">{ for gutter }</div>
                    <div class="sp-code">
                        <div class="sp-backdrop" aria-hidden="true">{ for rows }</div>
                        <textarea ref={editor_ref.clone()} class="sp-textarea" value={panel.text.clone()}
                            spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off"
                            aria-label="Script" aria-describedby={format!("{problems_id} {hint_id}")}
                            aria-invalid={blocked.to_string()}
                            placeholder="# one command per line, e.g.\ncluster 5\nrun-until leader max=5s\nput 1 x=5\nexpect safe"
                            oninput={on_input} onkeydown={on_keydown} onblur={on_blur} />
                    </div>
                </div>
            </div>
            <div class="sp-problems" id={problems_id} aria-live="polite">
                if let Some(e) = error.filter(|_| panel.error_fresh) {
                    <p class="sp-problem error">
                        <button class="sp-jump" onclick={jump(e.line)}>
                            { format!("line {}, column {}", e.line, e.column) }</button>
                        { format!(": {}", e.message) }
                    </p>
                }
            </div>
            if let Some(r) = result {
                <section class={classes!("sp-result", if r.passed { "passed" } else { "failed" })}
                    aria-label="Result of the last run">
                    <p class="sp-verdict" role="status">{
                        if r.passed {
                            "✓ passed: every expectation held".to_string()
                        } else if r.failures.len() == 1 {
                            "✕ failed: 1 problem".to_string()
                        } else {
                            format!("✕ failed: {} problems", r.failures.len())
                        }
                    }
                    if !result_current { <span class="sp-stale">{ " (the script has changed since this run)" }</span> }
                    </p>
                    if !r.failures.is_empty() {
                        <ul class="sp-failures">
                            { for r.failures.iter().map(|(line, msg)| html! {
                                <li>
                                    <button class="sp-jump" onclick={jump(*line)}>{ format!("line {line}") }</button>
                                    { format!(": {msg}") }
                                </li>
                            }) }
                        </ul>
                    }
                    if !r.transcript.is_empty() {
                        <details class="sp-transcript">
                            <summary>{ "transcript" }</summary>
                            <pre>{ r.transcript.clone() }</pre>
                        </details>
                    }
                </section>
            }
            if panel.record_open {
                <section class="sp-recorded" aria-label="Recorded session">
                    <div class="sp-recorded-bar">
                        <h3>{ "Recorded session" }</h3>
                        <button class="sp-use-recorded" onclick={on_use_recorded}
                            disabled={props.recorded.is_none()}>{ "Use as script" }</button>
                    </div>
                    if let Some(r) = &props.recorded {
                        <pre class="sp-recorded-text">{ r.clone() }</pre>
                    } else {
                        <p class="sp-empty">{ "Nothing recorded yet: every button you press on the cluster is written here as a script line." }</p>
                    }
                </section>
            }
            <p class="sp-hint" id={hint_id}>
                <kbd>{ "Tab" }</kbd>{ " indents · " }<kbd>{ "Esc" }</kbd>{ " then " }<kbd>{ "Tab" }</kbd>
                { " leaves the editor · " }<kbd>{ "Ctrl+Enter" }</kbd>{ " runs · saved in this browser as you type" }
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, s: &Splice) -> String {
        let from = utf16_to_byte(text, s.from);
        let to = utf16_to_byte(text, s.to);
        format!("{}{}{}", &text[..from], s.insert, &text[to..])
    }

    #[test]
    fn tab_types_two_spaces_at_the_caret() {
        let text = "cluster 3\nput 1 x=5\n";
        let s = tab_splice(text, 10, 10, false).unwrap();
        assert_eq!(apply(text, &s), "cluster 3\n  put 1 x=5\n");
        assert_eq!(s.select, (12, 12));
        // A selection inside one line is typed over.
        let s = tab_splice(text, 3, 7, false).unwrap();
        assert_eq!(apply(text, &s), "clu   3\nput 1 x=5\n");
        assert_eq!(s.select, (5, 5));
    }

    #[test]
    fn tab_over_several_lines_indents_them_and_shift_tab_outdents() {
        let text = "a\n\nb\nc\n";
        // From inside "a" to the start of "c": "c" is not taken along.
        let s = tab_splice(text, 1, 5, false).unwrap();
        let indented = apply(text, &s);
        assert_eq!(indented, "  a\n\n  b\nc\n", "blank lines stay blank");
        assert_eq!(s.select, (0, 8));
        let s = tab_splice(&indented, 0, 8, true).unwrap();
        assert_eq!(apply(&indented, &s), text);
        // Shift+Tab on one line moves the caret with its text; nothing to remove is no edit.
        let text = "x\n   put 1 x=5";
        let s = tab_splice(text, 7, 7, true).unwrap();
        assert_eq!(apply(text, &s), "x\n put 1 x=5");
        assert_eq!(s.select, (5, 5));
        assert_eq!(tab_splice("put", 1, 1, true), None);
    }

    #[test]
    fn selections_count_in_utf16_like_the_dom() {
        // "é" is one UTF-16 unit, "𝄞" two; the caret after "𝄞" is at 3.
        let text = "é𝄞\nb";
        let s = tab_splice(text, 3, 3, false).unwrap();
        assert_eq!(apply(text, &s), "é𝄞  \nb");
        assert_eq!(line_offset(text, 2), 4);
        assert_eq!(line_offset(text, 1), 0);
        assert_eq!(line_offset(text, 9), utf16_len(text));
    }

    #[test]
    fn columns_split_a_line_at_the_offending_word() {
        assert_eq!(
            split_at_column("put 1 x", 5),
            ("put ", "1", " x"),
            "column 5 is the argument"
        );
        assert_eq!(split_at_column("frob 3", 1), ("", "frob", " 3"));
        assert_eq!(split_at_column("ab", 9), ("ab", "", ""));
        assert_eq!(split_at_column("a  b", 2), ("a", " ", " b"));
        // Column 2 is inside "é" (two bytes): it moves back to the boundary.
        assert_eq!(split_at_column("éx y", 2), ("", "éx", " y"));
        assert_eq!(split_at_column("", 0), ("", "", ""));
    }

    #[test]
    fn long_messages_are_cut_inside_the_editor() {
        assert_eq!(inline_message("short"), "short");
        let long = "é".repeat(INLINE_CHARS + 5);
        let cut = inline_message(&long);
        assert_eq!(cut.chars().count(), INLINE_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(
            inline_message(&"x".repeat(INLINE_CHARS)),
            "x".repeat(INLINE_CHARS)
        );
    }

    #[test]
    fn marks_land_on_their_lines() {
        let e = ScriptError {
            line: 2,
            column: 5,
            message: "bad".into(),
        };
        let m = line_marks(
            3,
            Some(&e),
            &[(3, "expected leader".into()), (40, "late".into())],
        );
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), [2, 3]);
        assert!(m[&2][0].error);
        assert_eq!(m[&2][0].column, Some(5));
        assert_eq!(m[&3].len(), 2, "a line past the end is drawn on the last");
        assert!(!m[&3][0].error);
    }

    #[test]
    fn a_real_parse_error_names_the_line_of_the_bad_command() {
        let text = "cluster 3\n# a comment\nfrobnicate 2\nrun 1s\n";
        let e = parse_error(text).expect("frobnicate is not a command");
        assert_eq!(e.line, 3, "{e}");
        let e = parse_error("cluster 3\nrun 1s\nput 1 x\n").expect("put wants k=v");
        assert_eq!(e.line, 3, "{e}");
        assert_eq!(parse_error("cluster 3\nrun 1s\n"), None);
        assert_eq!(parse_error(""), None);
    }

    #[test]
    fn results_come_from_a_real_run() {
        let t = Script::run(
            "cluster 3\nrun-until leader max=10s\nexpect leader=none\nexpect safe\n",
            1,
        )
        .expect("the script parses");
        let r = RunResultView::from_transcript(&t);
        assert!(!r.passed);
        assert_eq!(r.failures.len(), 1, "{:?}", r.failures);
        assert_eq!(r.failures[0].0, 3, "the failed expect is on line 3");
        assert!(r.transcript.contains("expect safe"));

        let t = Script::run("cluster 3\nrun-until leader max=10s\nexpect safe\n", 1).unwrap();
        let r = RunResultView::from_transcript(&t);
        assert!(r.passed, "{:?}", r.failures);
        assert!(r.failures.is_empty());

        let e = parse_error("cluster 3\nnope\n").unwrap();
        let r = RunResultView::from_error(&e);
        assert!(!r.passed);
        assert_eq!(r.failures[0].0, 2);
    }

    fn panel(text: &str) -> Rc<Panel> {
        let init = persist::choose_initial(
            None,
            Some(Saved {
                text: text.into(),
                seed: 5,
            }),
            0,
        );
        Rc::new(Panel::new(&init, None))
    }

    #[test]
    fn replacing_the_script_keeps_the_old_one_to_restore() {
        let p = panel("cluster 3\nmine\n");
        assert!(p.error.is_some(), "`mine` is not a command");
        let p = p.reduce(PanelAction::Replace {
            saved: Saved {
                text: "cluster 5\n".into(),
                seed: 9,
            },
            why: "opened".into(),
        });
        assert_eq!(
            (p.text.as_str(), p.seed, p.seed_text.as_str()),
            ("cluster 5\n", 9, "9")
        );
        assert_eq!(p.error, None, "parsed at once");
        assert_eq!(
            p.previous.as_ref().map(|s| s.text.as_str()),
            Some("cluster 3\nmine\n")
        );
        // Restoring swaps, so a restore can itself be undone.
        let p = p.reduce(PanelAction::Restore);
        assert_eq!((p.text.as_str(), p.seed), ("cluster 3\nmine\n", 5));
        assert_eq!(
            p.previous.as_ref().map(|s| s.text.as_str()),
            Some("cluster 5\n")
        );
        // An empty editor is not worth keeping: the older backup stays.
        let p = p.reduce(PanelAction::Edit(String::new()));
        let p = p.reduce(PanelAction::Replace {
            saved: Saved::default(),
            why: "x".into(),
        });
        assert_eq!(
            p.previous.as_ref().map(|s| s.text.as_str()),
            Some("cluster 5\n")
        );
    }

    #[test]
    fn stale_parses_are_dropped_and_bad_seeds_block_nothing_else() {
        let p = panel("cluster 3\n");
        let p = p.reduce(PanelAction::Edit("cluster 3\nbad\n".into()));
        assert!(!p.error_fresh);
        let p = p.reduce(PanelAction::Parsed {
            text: "cluster 3\n".into(),
            error: None,
        });
        assert!(!p.error_fresh, "that parse was for an older text");
        let p = p.reduce(PanelAction::Parsed {
            text: "cluster 3\nbad\n".into(),
            error: parse_error("cluster 3\nbad\n"),
        });
        assert!(p.error_fresh && p.error.is_some());
        let p = p.reduce(PanelAction::Seed("12x".into()));
        assert!(!p.seed_ok());
        assert_eq!(p.seed, 5, "the last good seed is kept for the autosave");
        let p = p.reduce(PanelAction::Seed(" 12 ".into()));
        assert!(p.seed_ok());
        assert_eq!(p.seed, 12);
    }
}
