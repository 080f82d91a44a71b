//! Runs etcd raft's own datadriven transcripts for the `quorum` and `confchange` packages and
//! checks that our implementation reproduces them byte for byte.
//!
//! The transcripts are read in place from the conformance folder: `$RAFT_CONFORMANCE_DIR`, or
//! `<workspace>/../shared/conformance/etcd-raft`. When neither exists the tests say so loudly
//! on stderr and pass, so the crate still tests on machines without the transcripts.

use raft::confchange::Changer;
use raft::interaction::datadriven::{rewrite, TestData};
use raft::quorum::{AckedIndexer, Index, JointConfig, MajorityConfig};
use raft::tracker::ProgressTracker;
use raft::{ConfChangeSingle, ConfChangeType};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn conformance_dir() -> PathBuf {
    if let Ok(d) = std::env::var("RAFT_CONFORMANCE_DIR") {
        return PathBuf::from(d);
    }
    // CARGO_MANIFEST_DIR is <workspace>/core/raft.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/etcd-raft")
}

/// The `*.txt` files of a sub-folder of the conformance directory, sorted; `None` (after a
/// loud notice) when the folder is missing.
fn transcripts(sub: &str) -> Option<Vec<PathBuf>> {
    let dir = conformance_dir().join(sub);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!(
            "SKIPPED: conformance transcripts not found at {}; set RAFT_CONFORMANCE_DIR",
            dir.display()
        );
        return None;
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no transcripts in {}", dir.display());
    Some(files)
}

/// Rewrites every transcript with `new_handler()`'s outputs (a fresh handler per file, as
/// etcd's harness starts each file afresh) and fails with unified diffs if any differs.
fn run_transcripts<H: FnMut(&TestData) -> String>(sub: &str, mut new_handler: impl FnMut() -> H) {
    let Some(files) = transcripts(sub) else {
        return;
    };
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let got = match rewrite(&text, new_handler()) {
            Ok(got) => got,
            Err(e) => {
                failures.push(format!("{}: parse error: {e}", path.display()));
                continue;
            }
        };
        if got != text {
            let name = path.display().to_string();
            let diff = similar::TextDiff::from_lines(&text, &got)
                .unified_diff()
                .context_radius(3)
                .header(&format!("{name} (expected)"), &format!("{name} (actual)"))
                .to_string();
            failures.push(diff);
        }
    }
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("{f}");
        }
        panic!(
            "{} of {} {sub} transcripts differ (diffs above)",
            failures.len(),
            files.len()
        );
    }
    eprintln!("{sub}: {} transcripts identical", files.len());
}

// ---------------------------------------------------------------------------------------------
// quorum: `committed` and `vote`

fn parse_u64(s: &str) -> u64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// A brute-force second opinion on `MajorityConfig::committed_index`: the largest acked index
/// that at least a majority of voters has reached.
fn alternative_majority_committed_index(c: &MajorityConfig, l: &impl AckedIndexer) -> Index {
    if c.is_empty() {
        return Index::MAX;
    }
    let acked: Vec<Index> = c.iter().filter_map(|&id| l.acked_index(id)).collect();
    let q = c.len() / 2 + 1;
    acked
        .iter()
        .copied()
        .filter(|&idx| acked.iter().filter(|&&i| i >= idx).count() >= q)
        .max()
        .unwrap_or_default()
}

/// Assigns `vals` to the ids of `ids` then `idsj` in order (each id once), dropping zeros (the
/// `_` placeholders: no information, which differs from a known 0).
fn make_lookuper(vals: &[u64], ids: &[u64], idsj: &[u64]) -> BTreeMap<u64, Index> {
    let mut l = BTreeMap::new();
    let mut p = 0;
    for &id in ids.iter().chain(idsj) {
        if l.contains_key(&id) {
            continue;
        }
        if p < vals.len() {
            l.insert(id, Index(vals[p]));
            p += 1;
        }
    }
    l.retain(|_, v| v.0 != 0);
    l
}

/// Go's `%v` of a `map[uint64]struct{}`: `map[1:{} 2:{}]`.
fn go_set(s: &BTreeSet<u64>) -> String {
    let items: Vec<String> = s.iter().map(|id| format!("{id}:{{}}")).collect();
    format!("map[{}]", items.join(" "))
}

fn quorum_handler(d: &TestData) -> String {
    let mut joint = false;
    let (mut ids, mut idsj) = (Vec::new(), Vec::new());
    // Index values, and votes encoded as 0 (`_`), 1 (no), 2 (yes).
    let (mut idxs, mut votes) = (Vec::new(), Vec::new());
    for arg in &d.cmd_args {
        for v in &arg.vals {
            match arg.key.as_str() {
                "cfg" => ids.push(parse_u64(v)),
                "cfgj" => {
                    joint = true;
                    if v == "zero" {
                        assert_eq!(arg.vals.len(), 1, "cannot mix 'zero' into configuration");
                    } else {
                        idsj.push(parse_u64(v));
                    }
                }
                "idx" => {
                    let n = if v == "_" { 0 } else { parse_u64(v) };
                    assert!(v == "_" || n != 0, "cannot use 0 as idx");
                    idxs.push(n);
                }
                "votes" => votes.push(match v.as_str() {
                    "y" => 2,
                    "n" => 1,
                    "_" => 0,
                    other => panic!("unknown vote: {other}"),
                }),
                other => panic!("unknown arg {other}"),
            }
        }
    }
    let c: MajorityConfig = ids.iter().copied().collect();
    let cj: MajorityConfig = idsj.iter().copied().collect();

    let input = if d.cmd == "vote" { &votes } else { &idxs };
    let voters = JointConfig::new(c.clone(), cj.clone()).ids();
    if voters.len() != input.len() {
        let input: Vec<String> = input.iter().map(|&i| Index(i).to_string()).collect();
        return format!(
            "error: mismatched input (explicit or _) for voters {}: [{}]",
            go_set(&voters),
            input.join(" ")
        );
    }

    let mut buf = String::new();
    match d.cmd.as_str() {
        "committed" => {
            let l = make_lookuper(&idxs, &ids, &idsj);
            if !joint {
                let idx = c.committed_index(&l);
                buf.push_str(&c.describe(&l));
                // Other ways to compute the same thing must agree; disagreement is printed.
                let a = alternative_majority_committed_index(&c, &l);
                if a != idx {
                    writeln!(buf, "{a} <-- via alternative computation").unwrap();
                }
                let a = JointConfig::new(c.clone(), MajorityConfig::new()).committed_index(&l);
                if a != idx {
                    writeln!(buf, "{a} <-- via zero-joint quorum").unwrap();
                }
                let a = JointConfig::new(c.clone(), c.clone()).committed_index(&l);
                if a != idx {
                    writeln!(buf, "{a} <-- via self-joint quorum").unwrap();
                }
                // Lowering a voter's index that is already below the committed index cannot
                // change the result.
                let overlay = |id: u64, idx: Index| -> BTreeMap<u64, Index> {
                    c.iter()
                        .filter_map(|&iid| {
                            if iid == id {
                                Some((iid, idx))
                            } else {
                                l.acked_index(iid).map(|i| (iid, i))
                            }
                        })
                        .collect()
                };
                for &id in c.iter() {
                    let iidx = l.acked_index(id).unwrap_or_default();
                    if idx > iidx && iidx.0 > 0 {
                        let a = c.committed_index(&overlay(id, Index(iidx.0 - 1)));
                        if a != idx {
                            write!(buf, "{a} <-- overlaying {id}->{iidx}").unwrap();
                        }
                        let a = c.committed_index(&overlay(id, Index(0)));
                        if a != idx {
                            write!(buf, "{a} <-- overlaying {id}->0").unwrap();
                        }
                    }
                }
                writeln!(buf, "{idx}").unwrap();
            } else {
                let cc = JointConfig::new(c.clone(), cj.clone());
                buf.push_str(&cc.describe(&l));
                let idx = cc.committed_index(&l);
                let a = JointConfig::new(cj.clone(), c.clone()).committed_index(&l);
                if a != idx {
                    writeln!(buf, "{a} <-- via symmetry").unwrap();
                }
                writeln!(buf, "{idx}").unwrap();
            }
        }
        "vote" => {
            let l: BTreeMap<u64, bool> = make_lookuper(&votes, &ids, &idsj)
                .into_iter()
                .map(|(id, v)| (id, v.0 != 1))
                .collect();
            if !joint {
                writeln!(buf, "{}", c.vote_result(&l)).unwrap();
            } else {
                let r = JointConfig::new(c.clone(), cj.clone()).vote_result(&l);
                let a = JointConfig::new(cj.clone(), c.clone()).vote_result(&l);
                if a != r {
                    writeln!(buf, "{a} <-- via symmetry").unwrap();
                }
                writeln!(buf, "{r}").unwrap();
            }
        }
        other => panic!("unknown command: {other}"),
    }
    buf
}

#[test]
fn quorum_transcripts() {
    run_transcripts("quorum", || quorum_handler);
}

// ---------------------------------------------------------------------------------------------
// confchange: `simple`, `enter-joint`, `leave-joint`

/// The state of one confchange transcript: a changer whose last index grows by one per
/// command, so the `next` of each progress tells in which command it was created.
struct ConfChangeHarness {
    c: Changer,
}

impl ConfChangeHarness {
    fn new() -> Self {
        ConfChangeHarness {
            c: Changer {
                tracker: ProgressTracker::new(10, 0),
                last_index: 0,
            },
        }
    }

    fn handle(&mut self, d: &TestData) -> String {
        let out = self.run(d);
        self.c.last_index += 1;
        out
    }

    fn run(&mut self, d: &TestData) -> String {
        // Changes are written `v1` (voter), `l2` (learner), `r3` (remove), `u4` (update).
        let mut ccs = Vec::new();
        for tok in d.input.trim().split(' ').filter(|t| !t.is_empty()) {
            if tok.len() < 2 {
                return format!("unknown token {tok}");
            }
            let change_type = match tok.as_bytes()[0] {
                b'v' => ConfChangeType::ConfChangeAddNode,
                b'l' => ConfChangeType::ConfChangeAddLearnerNode,
                b'r' => ConfChangeType::ConfChangeRemoveNode,
                b'u' => ConfChangeType::ConfChangeUpdateNode,
                _ => return format!("unknown input: {tok}"),
            };
            let Ok(node_id) = tok[1..].parse::<u64>() else {
                return format!("strconv.ParseUint: parsing {:?}: invalid syntax", &tok[1..]);
            };
            ccs.push(ConfChangeSingle {
                change_type,
                node_id,
            });
        }
        let r = match d.cmd.as_str() {
            "simple" => self.c.simple(&ccs),
            "enter-joint" => {
                let auto_leave = match d.arg("autoleave") {
                    Some(a) => a.vals.first().map(String::as_str) == Some("true"),
                    None => false,
                };
                self.c.enter_joint(auto_leave, &ccs)
            }
            "leave-joint" => {
                if !ccs.is_empty() {
                    return "this command takes no input\n".to_string();
                }
                self.c.leave_joint()
            }
            _ => return "unknown command".to_string(),
        };
        match r {
            Err(e) => format!("{e}\n"),
            Ok((cfg, trk)) => {
                self.c.tracker.config = cfg;
                self.c.tracker.progress = trk;
                format!("{}\n{}", self.c.tracker.config, self.c.tracker.progress)
            }
        }
    }
}

#[test]
fn confchange_transcripts() {
    run_transcripts("confchange", || {
        let mut h = ConfChangeHarness::new();
        move |d: &TestData| h.handle(d)
    });
}
