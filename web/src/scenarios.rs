//! The built-in scenario library: every `static/scenarios/*.txt`, baked into the page at build
//! time by `web/build.rs` (so opening one needs no request), in file-name order.
//!
//! A scenario file is an ordinary script whose first comment lines name it:
//!
//! ```text
//! # title: Leader crash
//! # summary: The leader dies; the others notice the silence and elect a new one.
//! cluster 5
//! run-until leader max=5s
//! ...
//! ```

/// One built-in scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The file name in `static/scenarios/` (also the name an export of it gets).
    pub file: &'static str,
    /// From `# title:`; the file name when the file has none.
    pub title: &'static str,
    /// From `# summary:`; empty when the file has none.
    pub summary: &'static str,
    /// The whole file.
    pub text: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/scenarios.rs"));

/// Every built-in scenario, in file-name order (empty when the build found none).
pub fn all() -> &'static [Scenario] {
    BUILT_IN
}

/// The built-in scenario stored in `file`.
pub fn find(file: &str) -> Option<&'static Scenario> {
    BUILT_IN.iter().find(|s| s.file == file)
}

/// The built-in scenario whose text is exactly `text`, if any: the editor uses it to tell a
/// scenario opened and left alone from a script someone wrote.
pub fn matching(text: &str) -> Option<&'static Scenario> {
    BUILT_IN.iter().find(|s| s.text == text)
}

/// A `# key: value` line of a script's header: the comment lines before its first command.
/// Keys are compared without regard to case; an empty value counts as absent. (`web/build.rs`
/// reads the built-in files the same way.)
pub fn header_field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let comment = line.strip_prefix('#')?;
        if let Some((k, v)) = comment.split_once(':') {
            if k.trim().eq_ignore_ascii_case(key) {
                let v = v.trim();
                return (!v.is_empty()).then_some(v);
            }
        }
    }
    None
}

impl Scenario {
    /// The seed the scenario's expected output was written with: its `# seed:` header, else 0 —
    /// the same rule as the `raft-script` CLI, so a scenario opened in the page replays exactly
    /// the transcript in its file.
    pub fn seed(&self) -> u64 {
        header_field(self.text, "seed")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

/// A file name for a script: its title made safe (`Leader crash` → `leader-crash.txt`), or
/// `raft-script.txt` when it has none.
pub fn file_name_for(text: &str) -> String {
    if let Some(s) = matching(text) {
        return s.file.to_string();
    }
    let slug = header_field(text, "title")
        .map(|t| {
            let mut slug = String::new();
            for c in t.chars() {
                if c.is_ascii_alphanumeric() {
                    slug.push(c.to_ascii_lowercase());
                } else if !slug.is_empty() && !slug.ends_with('-') {
                    slug.push('-');
                }
            }
            slug.trim_end_matches('-')
                .chars()
                .take(60)
                .collect::<String>()
        })
        .unwrap_or_default();
    if slug.is_empty() {
        "raft-script.txt".to_string()
    } else {
        format!("{slug}.txt")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The `.txt` files the build should have found, read directly from the folder.
    fn files_on_disk() -> Vec<String> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../static/scenarios");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.path().is_file())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".txt"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn a_scenario_runs_with_its_header_seed_or_zero() {
        let with = Scenario {
            file: "a.txt",
            title: "a",
            summary: "",
            text: "# title: a\n# seed: 42\ncluster 3\n",
        };
        let without = Scenario {
            text: "# title: a\ncluster 3\n",
            ..with
        };
        let bad = Scenario {
            text: "# seed: many\ncluster 3\n",
            ..with
        };
        assert_eq!(with.seed(), 42);
        assert_eq!(without.seed(), 0);
        assert_eq!(bad.seed(), 0);
    }

    #[test]
    fn the_library_holds_every_scenario_file_in_name_order() {
        let files: Vec<&str> = all().iter().map(|s| s.file).collect();
        assert_eq!(files, files_on_disk(), "built-in list vs static/scenarios");
    }

    #[test]
    fn built_in_headers_agree_with_the_run_time_reader() {
        for s in all() {
            assert!(!s.title.is_empty(), "{}: empty title", s.file);
            if let Some(title) = header_field(s.text, "title") {
                assert_eq!(s.title, title, "{}", s.file);
            }
            assert_eq!(s.summary, header_field(s.text, "summary").unwrap_or(""));
            assert_eq!(find(s.file), Some(s));
            assert_eq!(matching(s.text).map(|m| m.file), Some(s.file));
        }
    }

    #[test]
    fn every_built_in_scenario_parses() {
        for s in all() {
            if let Err(e) = cluster::script::Script::parse(s.text) {
                panic!("{}: {e}", s.file);
            }
        }
    }

    #[test]
    fn headers_are_the_comments_before_the_first_command() {
        let text = "\n# title:  Split vote \n#summary: Two candidates tie.\n# note\ncluster 4\n# title: not me\n";
        assert_eq!(header_field(text, "title"), Some("Split vote"));
        assert_eq!(header_field(text, "Summary"), Some("Two candidates tie."));
        assert_eq!(header_field(text, "author"), None);
        // After the first command, comments are no longer the header.
        assert_eq!(header_field("cluster 3\n# title: late\n", "title"), None);
        assert_eq!(header_field("# title:\ncluster 3\n", "title"), None);
        assert_eq!(header_field("", "title"), None);
        // A colon inside the value stays.
        assert_eq!(header_field("# summary: a: b\n", "summary"), Some("a: b"));
    }

    #[test]
    fn export_names_come_from_the_title() {
        assert_eq!(
            file_name_for("# title: Raft paper, figure 8!\ncluster 5\n"),
            "raft-paper-figure-8.txt"
        );
        assert_eq!(file_name_for("cluster 3\n"), "raft-script.txt");
        assert_eq!(file_name_for("# title: ¿¡!\n"), "raft-script.txt");
        for s in all() {
            assert_eq!(file_name_for(s.text), s.file);
        }
    }
}
