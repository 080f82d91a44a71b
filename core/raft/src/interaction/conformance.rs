//! Replaying etcd's interaction transcripts: the shared engine of the conformance test
//! (`tests/conformance.rs`), the `conformance` example and the wasm conformance crate.
//!
//! A transcript passes when [`run_transcript`](super::run_transcript) rewrites it into exactly
//! the text it was given. This module only replays and classifies; rendering diffs is left to
//! the callers so that the library itself needs no diff dependency.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The environment variable that names the folder of etcd's transcripts.
pub const DIR_ENV: &str = "RAFT_CONFORMANCE_DIR";

/// The transcripts this port must reproduce byte for byte: every one of etcd's 28.
pub const REQUIRED: &[&str] = &[
    "async_storage_writes",
    "async_storage_writes_append_aba_race",
    "campaign",
    "campaign_learner_must_vote",
    "checkquorum",
    "confchange_disable_validation",
    "confchange_v1_add_single",
    "confchange_v1_remove_leader",
    "confchange_v1_remove_leader_stepdown",
    "confchange_v2_add_double_auto",
    "confchange_v2_add_double_implicit",
    "confchange_v2_add_single_auto",
    "confchange_v2_add_single_explicit",
    "confchange_v2_replace_leader",
    "confchange_v2_replace_leader_stepdown",
    "forget_leader",
    "forget_leader_prevote_checkquorum",
    "forget_leader_read_only_lease_based",
    "heartbeat_resp_recovers_from_probing",
    "lagging_commit",
    "prevote",
    "prevote_checkquorum",
    "probe_and_replicate",
    "replicate_pause",
    "single_node",
    "slow_follower_after_compaction",
    "snapshot_succeed_via_app_resp",
    "snapshot_succeed_via_app_resp_behind",
];

/// How a replay went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The rewritten transcript equals the original.
    Identical,
    /// The transcript ran; `actual` is what this implementation wrote instead.
    Differs { actual: String },
    /// The transcript could not be run (unreadable, unparsable, or it panicked).
    Failed(String),
}

impl Outcome {
    pub fn is_identical(&self) -> bool {
        matches!(self, Outcome::Identical)
    }

    /// The rewritten text, when the transcript ran (for `Identical` it is `expected`).
    pub fn actual<'a>(&'a self, expected: &'a str) -> Option<&'a str> {
        match self {
            Outcome::Identical => Some(expected),
            Outcome::Differs { actual } => Some(actual),
            Outcome::Failed(_) => None,
        }
    }
}

/// One replayed transcript.
#[derive(Clone, Debug)]
pub struct TranscriptResult {
    /// The file name without `.txt`.
    pub name: String,
    pub path: PathBuf,
    /// The transcript as etcd wrote it (empty if it could not be read).
    pub expected: String,
    pub outcome: Outcome,
}

impl TranscriptResult {
    pub fn is_required(&self) -> bool {
        REQUIRED.contains(&self.name.as_str())
    }
}

/// The folder named by [`DIR_ENV`], or else etcd's shared copy next to the workspace
/// (`<workspace>/../shared/conformance/etcd-raft`). The default is resolved against this
/// crate's source folder at compile time, which is where every caller (tests, examples,
/// build scripts of the workspace) lives.
pub fn transcript_dir() -> PathBuf {
    match std::env::var_os(DIR_ENV) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => default_dir(),
    }
}

/// `<workspace>/../shared/conformance/etcd-raft`, whether or not it exists.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/etcd-raft")
}

/// The transcript's name: its file name without the `.txt` extension.
pub fn transcript_name(path: &Path) -> String {
    path.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// The `*.txt` files directly inside `dir`, sorted by name. Sub-folders are skipped: in etcd's
/// testdata they belong to other harnesses (quorum, confchange).
pub fn list_dir(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|x| x == "txt") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Replays a transcript given as text. A panic inside the interpreter or the library is
/// reported as a failure of this transcript rather than taking the caller down (on targets
/// where panics unwind); callers that do not want the default panic message printed should
/// install a quiet panic hook.
pub fn run_text(text: &str) -> Outcome {
    match catch_unwind(AssertUnwindSafe(|| super::run_transcript(text))) {
        Ok(Ok(actual)) if actual == text => Outcome::Identical,
        Ok(Ok(actual)) => Outcome::Differs { actual },
        Ok(Err(e)) => Outcome::Failed(format!("parse error: {}", e)),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "(non-text panic)".to_string());
            Outcome::Failed(format!("panicked: {}", msg))
        }
    }
}

/// Reads and replays one transcript file.
pub fn run_file(path: &Path) -> TranscriptResult {
    let name = transcript_name(path);
    match std::fs::read_to_string(path) {
        Ok(expected) => {
            let outcome = run_text(&expected);
            TranscriptResult {
                name,
                path: path.to_path_buf(),
                expected,
                outcome,
            }
        }
        Err(e) => TranscriptResult {
            name,
            path: path.to_path_buf(),
            expected: String::new(),
            outcome: Outcome::Failed(format!("cannot read {}: {}", path.display(), e)),
        },
    }
}

/// Replays every transcript of [`list_dir`]`(dir)`.
#[cfg(test)]
pub(crate) fn run_dir(dir: &Path) -> std::io::Result<Vec<TranscriptResult>> {
    Ok(list_dir(dir)?.iter().map(|p| run_file(p)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_identical_differing_and_broken_transcripts() {
        let good = "log-level none\n----\nok\n";
        assert_eq!(run_text(good), Outcome::Identical);
        assert_eq!(Outcome::Identical.actual(good), Some(good));

        let stale = "log-level none\n----\nnot ok\n";
        let out = run_text(stale);
        assert_eq!(
            out,
            Outcome::Differs {
                actual: good.to_string()
            }
        );
        assert_eq!(out.actual(stale), Some(good));

        match run_text("x a=(\n----\n") {
            Outcome::Failed(msg) => assert!(msg.starts_with("parse error: "), "{}", msg),
            other => panic!("expected a parse failure, got {:?}", other),
        }
    }

    #[test]
    fn lists_only_top_level_txt_files_sorted_and_reports_unreadable_ones() {
        let dir = std::env::temp_dir().join(format!(
            "raft-conformance-list-{}-{}",
            std::process::id(),
            line!()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("b.txt"), "log-level none\n----\nok\n").unwrap();
        std::fs::write(dir.join("a.txt"), "log-level none\n----\nwrong\n").unwrap();
        std::fs::write(dir.join("notes.md"), "ignored").unwrap();
        std::fs::write(dir.join("sub").join("c.txt"), "ignored").unwrap();

        let results = run_dir(&dir).unwrap();
        let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["a", "b"]);
        assert!(!results[0].outcome.is_identical());
        assert!(results[1].outcome.is_identical());
        assert!(!results[0].is_required());

        let missing = run_file(&dir.join("campaign.txt"));
        assert!(missing.is_required());
        assert!(matches!(missing.outcome, Outcome::Failed(ref m) if m.starts_with("cannot read")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
