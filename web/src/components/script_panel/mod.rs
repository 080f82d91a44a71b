//! The script panel: the built-in scenarios, an editor for scripts with their errors shown at
//! the line they are on, Run, the recorded session, export/import of a file and a shareable
//! link. The panel owns the text and its seed (autosaved, see [`crate::persist`]); the app
//! runs what it is given and hands back what happened.
//!
//! Four parts: this file is the component and what it draws; `editor.rs` the text area with
//! its line numbers, Tab and the errors at their line and column; `state.rs` the panel's state
//! and reducer; `io.rs` the autosave, the link, export/import and the clipboard.

mod editor;
mod io;
mod state;
#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::rc::Rc;

use cluster::script::{ScriptError, Transcript};
use cluster::script_run::ScriptProgress;
use gloo_timers::callback::Timeout;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

pub use editor::{inline_message, line_marks, split_at_column, tab_splice, LineMark, Splice};
pub use io::SAVE_DEBOUNCE_MS;
use state::{parse_error, Panel, PanelAction, SaveStatus, ShareStatus};

use crate::persist::{self, Saved};
use crate::scenarios;

/// Quiet time after the last keystroke before the script is parsed again.
pub const PARSE_DEBOUNCE_MS: u32 = 250;

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
    // Saves a changed text or seed after a quiet spell; `flush` writes it at once.
    let flush = io::use_autosave(init.clone(), key, previous_key, props.use_url, &panel);

    // After a quiet spell: parse a changed text again. The timer is apart from the autosave's
    // (see `io::use_autosave`), so the parse finishing does not postpone the save.
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

    let on_keydown = editor::on_keydown(
        tab_released.clone(),
        run.clone(),
        dispatch(PanelAction::Edit),
    );
    let on_blur = editor::on_blur(tab_released);

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

    let on_export = io::on_export(panel.text.clone(), panel.dispatcher());
    let on_import_click = io::on_import_click(file_ref.clone());
    let on_file = io::on_file(panel.dispatcher(), panel.seed);
    let on_share = io::on_share(panel.saved(), panel.dispatcher(), url_has_script.clone());
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
                editor::jump_to_line(&ta, scroller_ref.cast::<HtmlElement>(), line);
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

    let gutter = editor::gutter(&lines, &marks);
    let rows = editor::backdrop(&lines, &marks);

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
