//! The built-in scenario library: every `static/scenarios/*.txt`, in file-name order. The page
//! carries the list (titles, summaries, seeds, listed by `web/build.rs`); the texts are served
//! beside it and fetched when opened.
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

use crate::scenario_text::fingerprint;
pub use crate::scenario_text::header_field;
use wasm_bindgen::JsCast;

/// One built-in scenario. Its text is not in the page: it is served beside it, in
/// `scenarios/<file>`, and [`Scenario::fetch`] brings it when someone opens it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The file name in `static/scenarios/` (also the name an export of it gets).
    pub file: &'static str,
    /// From `# title:`; the file name when the file has none.
    pub title: &'static str,
    /// From `# summary:`; empty when the file has none.
    pub summary: &'static str,
    /// The seed the scenario's expected output was written with: its `# seed:` header, else 0 —
    /// the same rule as the `raft-script` CLI, so a scenario opened in the page replays exactly
    /// the transcript in its file.
    pub seed: u64,
    /// The file's length in bytes and [`fingerprint`], as built.
    pub len: usize,
    pub fingerprint: u64,
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
    BUILT_IN.iter().find(|s| s.is_text(text))
}

impl Scenario {
    /// Where the page finds the file, relative to the page itself.
    pub fn url(&self) -> String {
        format!("scenarios/{}", self.file)
    }

    /// Whether `text` is this scenario's file as the page was built with it.
    pub fn is_text(&self, text: &str) -> bool {
        text.len() == self.len && fingerprint(text) == self.fingerprint
    }

    /// Fetches the scenario's text from beside the page. Fails, with a sentence to show, when
    /// the request fails or what comes back is not the file this page was built with (a dev
    /// server answers a missing file with the page itself, a stale cache with an older file).
    pub async fn fetch(&self) -> Result<String, String> {
        let url = self.url();
        let failed = |why: &str| format!("Could not load {url}: {why}.");
        let window = web_sys::window().ok_or_else(|| failed("no window"))?;
        let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&url))
            .await
            .map_err(|_| failed("the request failed"))?;
        let response: web_sys::Response = response.dyn_into().map_err(|_| failed("no response"))?;
        if !response.ok() {
            return Err(failed(&format!(
                "the server answered {}",
                response.status()
            )));
        }
        let body = response.text().map_err(|_| failed("no body"))?;
        let text = wasm_bindgen_futures::JsFuture::from(body)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| failed("the body could not be read"))?;
        if !self.is_text(&text) {
            return Err(failed(
                "the server sent a different file than this page was built with (reload the page)",
            ));
        }
        Ok(text)
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

    fn folder() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../static/scenarios")
    }

    /// The `.txt` files the build should have found, read directly from the folder.
    fn files_on_disk() -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder())
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

    fn text_on_disk(s: &Scenario) -> String {
        std::fs::read_to_string(folder().join(s.file)).expect("read a built-in scenario")
    }

    #[test]
    fn the_library_holds_every_scenario_file_in_name_order() {
        let files: Vec<&str> = all().iter().map(|s| s.file).collect();
        assert_eq!(files, files_on_disk(), "built-in list vs static/scenarios");
    }

    #[test]
    fn built_in_entries_agree_with_the_files_read_at_run_time() {
        for s in all() {
            let text = text_on_disk(s);
            assert!(!s.title.is_empty(), "{}: empty title", s.file);
            if let Some(title) = header_field(&text, "title") {
                assert_eq!(s.title, title, "{}", s.file);
            }
            assert_eq!(s.summary, header_field(&text, "summary").unwrap_or(""));
            let seed = header_field(&text, "seed").map(|v| v.parse::<u64>().unwrap());
            assert_eq!(s.seed, seed.unwrap_or(0), "{}", s.file);
            assert_eq!(find(s.file), Some(s));
            assert_eq!(matching(&text).map(|m| m.file), Some(s.file));
            assert_eq!(s.url(), format!("scenarios/{}", s.file));
        }
    }

    #[test]
    fn a_changed_text_is_no_longer_the_scenario() {
        let Some(s) = all().first() else { return };
        let text = text_on_disk(s);
        assert!(s.is_text(&text));
        // Same length, one byte different.
        let mut edited = text.clone().into_bytes();
        let last = edited.len() - 1;
        edited[last] = if edited[last] == b'x' { b'y' } else { b'x' };
        assert!(!s.is_text(std::str::from_utf8(&edited).unwrap()));
        assert!(!s.is_text(&format!("{text}\n")));
        assert!(!s.is_text("<!DOCTYPE html><html></html>"));
        assert_eq!(matching(&format!("# mine\n{text}")), None);
    }

    #[test]
    fn fingerprints_are_fnv1a_64() {
        // The published FNV-1a test vectors.
        assert_eq!(fingerprint(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fingerprint("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn every_built_in_scenario_parses() {
        for s in all() {
            if let Err(e) = cluster::script::Script::parse(&text_on_disk(s)) {
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
            assert_eq!(file_name_for(&text_on_disk(s)), s.file);
        }
    }
}
