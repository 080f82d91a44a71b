//! The scenario library (static/scenarios/*.txt) as a regression test, and the `raft-script`
//! command-line runner.
//!
//! Every scenario must pass exactly as written: each `expect` holds, each command prints the
//! output written under it, and the safety checker finds nothing unless the scenario asserts
//! `expect violation`. After a deliberate change of output, refresh the files with
//! `cargo run -p cluster --bin raft-script -- --rewrite static/scenarios/*.txt` and read the
//! diff before committing it.

use std::path::{Path, PathBuf};
use std::process::{Command as Process, Output};

use cluster::cluster::Cluster;
use cluster::command::{Clause, Command};
use cluster::script::Script;

fn library_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../static/scenarios")
}

fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(library_dir())
        .expect("static/scenarios exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    v.sort();
    v
}

/// The value of a `# key: value` header comment.
fn header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let rest = l.strip_prefix('#')?.trim_start();
        let rest = rest.strip_prefix(key)?.strip_prefix(':')?;
        Some(rest.trim())
    })
}

fn asserts_violation(script: &Script) -> bool {
    script.commands().any(|c| match c {
        Command::Expect(cond)
        | Command::RunUntil {
            condition: cond, ..
        } => cond.clauses.contains(&Clause::Violation),
        _ => false,
    })
}

#[test]
fn every_scenario_passes_as_written() {
    let files = scenarios();
    assert!(
        !files.is_empty(),
        "no scenarios in {}",
        library_dir().display()
    );
    let mut failed = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let seed = header(&text, "seed").map_or(0, |s| s.parse().expect("numeric # seed:"));
        let script = Script::parse(&text)
            .unwrap_or_else(|e| panic!("{name}:{}:{}: {}", e.line, e.column, e.message));
        let t = script.run_on(Cluster::new(seed));
        if !t.passed() {
            failed.push(format!("{name}:\n{}", t.report()));
        }
        // The file is exactly its own transcript: every command has its output written.
        if t.passed() && t.rewritten != text {
            failed.push(format!(
                "{name}: not in rewritten form (a command without its output?)"
            ));
        }
        // A violation is a failure unless the scenario demonstrates one (and then its
        // `expect violation` already failed above if the checker found none).
        if let (Some(v), false) = (
            t.cluster.checker().first_violation(),
            asserts_violation(&script),
        ) {
            failed.push(format!("{name}: unexpected violation: {v}"));
        }
        // Each scenario asserts something about the behaviour it teaches.
        let expects = script
            .commands()
            .filter(|c| matches!(c, Command::Expect(_)))
            .count();
        if expects < 3 {
            failed.push(format!("{name}: only {expects} expect line(s)"));
        }
    }
    assert!(
        failed.is_empty(),
        "{}\n(after a deliberate change: cargo run -p cluster --bin raft-script -- --rewrite static/scenarios/*.txt)",
        failed.join("\n")
    );
}

#[test]
fn the_library_has_titled_and_summarized_scenarios_listed_in_its_index() {
    let files = scenarios();
    assert!(files.len() >= 14, "{} scenarios", files.len());
    let index = std::fs::read_to_string(library_dir().join("INDEX.md")).expect("INDEX.md");
    let mut titles = std::collections::BTreeSet::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        // The headers come first, where the page's picker looks for them.
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("");
        let second = lines.next().unwrap_or("");
        let title = header(first, "title").unwrap_or_else(|| panic!("{name}: no # title: line"));
        let summary =
            header(second, "summary").unwrap_or_else(|| panic!("{name}: no # summary: line"));
        assert!(title.len() >= 5, "{name}: title {title:?}");
        assert!(summary.len() >= 40, "{name}: summary {summary:?}");
        assert!(titles.insert(title.to_string()), "{name}: duplicate title");
        // Comments that teach: more than the two header lines.
        let comments = text.lines().filter(|l| l.starts_with('#')).count();
        assert!(comments >= 10, "{name}: {comments} comment lines");
        let row = format!("| [`{name}`]({name}) | {title} | {summary} |");
        assert!(
            index.lines().any(|l| l == row),
            "INDEX.md lacks the row\n{row}"
        );
    }
    let rows = index.lines().filter(|l| l.starts_with("| [`")).count();
    assert_eq!(
        rows,
        files.len(),
        "INDEX.md lists scenarios that do not exist"
    );
}

#[test]
fn the_library_runs_fast() {
    let start = std::time::Instant::now();
    for path in scenarios() {
        let text = std::fs::read_to_string(&path).unwrap();
        let seed = header(&text, "seed").map_or(0, |s| s.parse().unwrap_or(0));
        let _ = Script::run(&text, seed);
    }
    let took = start.elapsed();
    assert!(took.as_secs_f64() < 5.0, "the library took {took:?}");
}

// ---- the command-line runner ----------------------------------------------------------------

fn bin() -> Process {
    Process::new(env!("CARGO_BIN_EXE_raft-script"))
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("raft-script-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn show(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    )
}

const PASSING: &str = "log-level none
cluster 3
campaign 1
stabilize
log-level error
raft-state
----
1: StateLeader (Voter) Term:1 Lead:1
2: StateFollower (Voter) Term:1 Lead:1
3: StateFollower (Voter) Term:1 Lead:1

expect leader=1 term=1 committed=2
";

#[test]
fn a_passing_script_exits_zero_and_prints_its_transcript() {
    let dir = scratch("pass");
    let f = write(&dir, "pass.txt", PASSING);
    let o = bin().arg(&f).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let out = text(&o.stdout);
    assert!(
        out.contains("raft-state\n----\n1: StateLeader (Voter) Term:1 Lead:1\n"),
        "{out}"
    );
    // Commands written without output get theirs in the transcript.
    assert!(
        out.starts_with("log-level none\n----\nok\n\ncluster 3\n----\nok\n"),
        "{out}"
    );
    assert!(text(&o.stderr).is_empty(), "{}", show(&o));
    // --quiet: one line.
    let o = bin().arg("--quiet").arg(&f).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("pass.txt: ok (7 commands, seed 0"), "{out}");
}

#[test]
fn a_failing_expect_exits_one_and_says_why() {
    let dir = scratch("expect");
    let f = write(
        &dir,
        "fail.txt",
        "log-level none\ncluster 3\ncampaign 1\nstabilize\nexpect leader=2\n",
    );
    let o = bin().arg("-q").arg(&f).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(text(&o.stdout).contains("fail.txt: FAILED"), "{}", show(&o));
    let err = text(&o.stderr);
    assert!(
        err.contains(
            "fail.txt:5: expect leader=2: node 2 is StateFollower at term 1 (lead 1), not the leader"
        ),
        "{}",
        show(&o)
    );
}

#[test]
fn a_differing_output_exits_one_and_shows_both() {
    let dir = scratch("mismatch");
    let f = write(
        &dir,
        "differs.txt",
        &PASSING.replace("2: StateFollower (Voter) Term:1 Lead:1", "2: wrong"),
    );
    let o = bin().arg(&f).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let err = text(&o.stderr);
    assert!(
        err.contains("differs.txt:6: raft-state: output differs"),
        "{err}"
    );
    assert!(
        err.contains("  expected:\n    1: StateLeader (Voter) Term:1 Lead:1\n    2: wrong\n"),
        "{err}"
    );
    assert!(
        err.contains("  actual:\n    1: StateLeader (Voter) Term:1 Lead:1\n    2: StateFollower"),
        "{err}"
    );
}

#[test]
fn a_parse_error_names_file_line_and_column() {
    let dir = scratch("parse");
    let f = write(
        &dir,
        "bad.txt",
        "# a comment\ncluster 3\n\nlink 1->2 drop=2\n",
    );
    let o = bin().arg(&f).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let err = text(&o.stderr);
    let want = format!("{}:4:11: rate 2 is not between 0 and 1", f.display());
    assert!(err.contains(&want), "want {want:?}\n{}", show(&o));
    // Nothing ran, so nothing was printed.
    assert!(text(&o.stdout).is_empty(), "{}", show(&o));
    // The other files still run, and the worst outcome decides the status.
    let good = write(&dir, "good.txt", PASSING);
    let o = bin().arg("-q").arg(&good).arg(&f).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(text(&o.stdout).contains("good.txt: ok"), "{}", show(&o));
    // A file that cannot be read.
    let o = bin().arg(dir.join("missing.txt")).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(text(&o.stderr).contains("missing.txt: "), "{}", show(&o));
}

#[test]
fn rewrite_fills_in_the_outputs() {
    let dir = scratch("rewrite");
    let f = write(
        &dir,
        "fill.txt",
        "# fill me in\nlog-level none\ncluster 3\ncampaign 1\nstabilize\nlog-level error\nraft-state\n----\nstale\n\nexpect leader=1\n",
    );
    let o = bin().arg("--rewrite").arg(&f).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(
        text(&o.stdout).contains("fill.txt: rewritten"),
        "{}",
        show(&o)
    );
    let after = std::fs::read_to_string(&f).unwrap();
    assert!(
        after.starts_with("# fill me in\nlog-level none\n----\nok\n\n"),
        "{after}"
    );
    assert!(
        after.contains(
            "raft-state\n----\n1: StateLeader (Voter) Term:1 Lead:1\n2: StateFollower (Voter) Term:1 Lead:1\n3: StateFollower (Voter) Term:1 Lead:1\n\nexpect leader=1\n----\nok\n"
        ),
        "{after}"
    );
    assert!(!after.contains("stale"), "{after}");
    // The rewritten file passes, and rewriting again changes nothing.
    let o = bin().arg(&f).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let o = bin().arg("--rewrite").arg(&f).output().unwrap();
    assert!(
        text(&o.stdout).contains("fill.txt: up to date"),
        "{}",
        show(&o)
    );
    assert_eq!(std::fs::read_to_string(&f).unwrap(), after);
    // A failed expectation still fails a rewrite.
    let g = write(&dir, "still-fails.txt", "cluster 1\nexpect leader\n");
    let o = bin().arg("--rewrite").arg(&g).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
}

#[test]
fn a_checker_violation_fails_unless_the_script_expects_it() {
    // A follower's disk lies, then the leader and that follower crash: the survivors elect
    // a leader without a committed entry.
    let lying = "log-level none
cluster 3
campaign 1
stabilize
disk 2 lying
cut 1-3
put 1 x=1
stabilize
crash 2
crash 1
heal
restart 2
campaign 2
stabilize
";
    let dir = scratch("violation");
    let f = write(&dir, "unasserted.txt", lying);
    let o = bin().arg("-q").arg(&f).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let err = text(&o.stderr);
    assert!(
        err.contains("unasserted.txt: checker: leader completeness violated at event #"),
        "{err}"
    );
    assert!(
        err.contains("(the script does not `expect violation`)"),
        "{err}"
    );
    let g = write(&dir, "asserted.txt", &format!("{lying}expect violation\n"));
    let o = bin().arg("-q").arg(&g).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
}

#[test]
fn the_seed_comes_from_the_flag_then_the_header() {
    // A time-driven election: who wins and when depends on the seed.
    let script = "log-level error\ncluster 5\nrun-until leader max=10s\n";
    let dir = scratch("seed");
    let f = write(&dir, "a.txt", script);
    let run = |args: &[&str], f: &Path| {
        let o = bin().args(args).arg(f).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", show(&o));
        text(&o.stdout)
    };
    let s0 = run(&["-q"], &f);
    assert!(s0.contains("seed 0,"), "{s0}");
    let s7 = run(&["-q", "--seed", "7"], &f);
    assert!(s7.contains("seed 7,"), "{s7}");
    let g = write(&dir, "b.txt", &format!("# seed: 7\n{script}"));
    let h7 = run(&["-q"], &g);
    assert!(h7.contains("seed 7,"), "{h7}");
    // Same seed, same history (the hash ends the line).
    let hash = |s: &str| s.rsplit("history ").next().unwrap().trim().to_string();
    assert_eq!(hash(&s7), hash(&h7));
    assert_ne!(hash(&s0), hash(&s7));
    // The flag wins over the header.
    let g0 = run(&["-q", "--seed", "0"], &g);
    assert_eq!(hash(&g0), hash(&s0));
}

// ---- the language's documentation -------------------------------------------------------------

#[test]
fn the_documented_examples_parse() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scripts.md"),
    )
    .expect("docs/scripts.md");
    // From the command reference on, every `text` block is a script.
    let reference = &doc[doc.find("\n## Commands").expect("a Commands section")..];
    let mut blocks = 0;
    let mut rest = reference;
    while let Some(start) = rest.find("```text\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").expect("closed code block");
        let example = &body[..end];
        if let Err(e) = Script::parse(example) {
            panic!("docs/scripts.md example does not parse: {e}\n{example}");
        }
        blocks += 1;
        rest = &body[end + 3..];
    }
    assert!(blocks >= 10, "{blocks} examples");
    // Every command of the language is documented.
    for name in cluster::command::COMMANDS {
        assert!(
            doc.contains(&format!("`{name}")),
            "docs/scripts.md does not document `{name}`"
        );
    }
}
