//! The editor: a plain `<textarea>` laid over a "backdrop" that repeats the text invisibly,
//! line by line, with the marks drawn in: the row of a bad line is tinted, the offending word
//! underlined and the message written after the line's end. Both sit in one scroller with the
//! line-number gutter and grow with the text, so they never have to be scrolled in step.
//!
//! Here: where the marks go (line and column), what Tab does to the text, and the few DOM
//! calls that edit the textarea or move its caret. The panel's state lives in `state.rs`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use cluster::script::ScriptError;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

/// What Tab inserts.
const INDENT: &str = "  ";
/// Height of one editor line in CSS pixels (`--sp-line` in static/script_panel.css).
const LINE_PX: i32 = 20;

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
pub(super) const INLINE_CHARS: usize = 90;

/// A message as the editor writes it after its line: cut at [`INLINE_CHARS`].
pub fn inline_message(message: &str) -> String {
    match message.char_indices().nth(INLINE_CHARS) {
        Some((cut, _)) => format!("{}…", message[..cut].trim_end()),
        None => message.to_string(),
    }
}

/// The byte offset of a UTF-16 offset (what the DOM's selection counts in).
pub(super) fn utf16_to_byte(text: &str, pos: u32) -> usize {
    let mut n = 0u32;
    for (i, c) in text.char_indices() {
        if n >= pos {
            return i;
        }
        n += c.len_utf16() as u32;
    }
    text.len()
}

pub(super) fn utf16_len(s: &str) -> u32 {
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
pub(super) fn line_offset(text: &str, line: usize) -> u32 {
    if line <= 1 {
        return 0;
    }
    let byte = text
        .match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1);
    utf16_len(&text[..byte])
}

/// Applies a [`Splice`] to the textarea. `insertText` keeps the browser's undo history and
/// fires `input` itself; where it is unavailable the text is set directly.
fn apply_splice(ta: &HtmlTextAreaElement, s: &Splice) {
    let _ = ta.set_selection_range(s.from, s.to);
    let inserted = web_sys::window()
        .and_then(|w| w.document())
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
pub(super) fn jump_to_line(ta: &HtmlTextAreaElement, scroller: Option<HtmlElement>, line: usize) {
    let at = line_offset(&ta.value(), line);
    let _ = ta.focus();
    let _ = ta.set_selection_range(at, at);
    if let Some(s) = scroller {
        let top = (line as i32 - 3).max(0) * LINE_PX;
        s.set_scroll_top(top);
    }
}

/// The editor's keys: Tab and Shift+Tab indent and outdent (see [`tab_splice`]) until Escape
/// releases Tab to move focus as usual (`tab_released`, reset by [`on_blur`]); Ctrl+Enter
/// runs. `edit` receives the text after an indent.
pub(super) fn on_keydown(
    tab_released: Rc<RefCell<bool>>,
    run: Rc<dyn Fn()>,
    edit: impl Fn(String) + 'static,
) -> Callback<KeyboardEvent> {
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
        if key != "Tab" || e.ctrl_key() || e.alt_key() || e.meta_key() || *tab_released.borrow() {
            return;
        }
        let Some(ta) = e.target_dyn_into::<HtmlTextAreaElement>() else {
            return;
        };
        e.prevent_default();
        let (Ok(Some(start)), Ok(Some(end))) = (ta.selection_start(), ta.selection_end()) else {
            return;
        };
        if let Some(splice) = tab_splice(&ta.value(), start, end, e.shift_key()) {
            apply_splice(&ta, &splice);
            edit(ta.value());
        }
    })
}

/// Leaving the editor makes Tab indent again the next time it is entered.
pub(super) fn on_blur(tab_released: Rc<RefCell<bool>>) -> Callback<FocusEvent> {
    Callback::from(move |_: FocusEvent| *tab_released.borrow_mut() = false)
}

/// The line-number gutter: a number a line, with a symbol where a line has a mark.
pub(super) fn gutter<'a>(
    lines: &'a [&'a str],
    marks: &'a BTreeMap<usize, Vec<LineMark>>,
) -> impl Iterator<Item = Html> + 'a {
    lines.iter().enumerate().map(move |(i, _)| {
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
    })
}

/// The backdrop's rows: the text again, with the marked lines tinted, the word at an error's
/// column underlined and the messages written after the line.
pub(super) fn backdrop<'a>(
    lines: &'a [&'a str],
    marks: &'a BTreeMap<usize, Vec<LineMark>>,
) -> impl Iterator<Item = Html> + 'a {
    lines.iter().enumerate().map(move |(i, line)| {
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
    })
}
