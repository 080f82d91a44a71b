//! The script panel's pure parts, natively: what Tab does, where marks land, parse errors,
//! run results and the reducer. The component itself is tested in a browser
//! (web/tests/script_panel.rs).

use cluster::script::Script;

use super::editor::{line_offset, utf16_len, utf16_to_byte, INLINE_CHARS};
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
