//! The course (static/lessons/) as a regression test, and `raft-script --lessons`.
//!
//! Every lesson must pass the lesson checker: each prediction's right answer is what the run
//! produces, each reference solution reaches its goal within its budget and rules, doing
//! nothing does not, and every command of the lesson's own path runs. A change to the Raft
//! core or the cluster that alters what a lesson shows fails here, with the lesson's line.

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use cluster::lesson::{self, Activity, Lesson, LessonRun};
use cluster::script::Script;

fn course_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../static/lessons")
}

/// The lesson files in course order (file-name order).
fn course() -> Vec<(String, Lesson)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(course_dir())
        .expect("static/lessons exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt" || x == "lesson"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(p).unwrap();
            let lesson = Lesson::parse(&text)
                .unwrap_or_else(|e| panic!("{name}:{}:{}: {}", e.line, e.column, e.message));
            (name, lesson)
        })
        .collect()
}

#[test]
fn every_lesson_of_the_course_passes_the_checker() {
    let course = course();
    assert!(
        course.len() >= 15,
        "{} lessons, the course has 15 topics",
        course.len()
    );
    let mut failed = Vec::new();
    for (name, lesson) in &course {
        let r = lesson::check(lesson);
        for p in &r.problems {
            failed.push(format!("{name}:{}: {}", p.line, p.message));
        }
        assert!(r.predictions >= 1, "{name}: no prediction");
        assert!(r.exercises >= 1, "{name}: no exercise");
        if r.passed() {
            assert!(r.all_solved(), "{name}: {r:?}");
            assert_eq!(r.solved_by_nothing, 0, "{name}");
        }
    }
    assert!(failed.is_empty(), "lessons fail:\n{}", failed.join("\n"));
}

#[test]
fn the_course_follows_the_design_from_elections_to_learners() {
    // LESSONS.md's order: each lesson's title names its topic.
    let topics = [
        "Elections",
        "Split votes",
        "Log replication",
        "Leader crash",
        "Partitions",
        "Figure 7",
        "Figure 8",
        "disk",
        "PreVote",
        "CheckQuorum",
        "ReadIndex",
        "Leadership transfer",
        "Snapshots",
        "Membership",
        "Learners",
    ];
    let course = course();
    for (i, topic) in topics.iter().enumerate() {
        let (name, lesson) = &course[i];
        assert!(
            lesson.title.contains(topic),
            "lesson {} ({name}) is {:?}, not about {topic}",
            i + 1,
            lesson.title
        );
    }
    // Every lesson names the paper's (or the thesis's) sections in its text.
    for (name, lesson) in &course {
        let sections = lesson.steps.iter().filter(|s| s.text.contains('§')).count();
        assert!(sections >= 1, "{name}: no step names a section");
        assert!(!lesson.summary.is_empty(), "{name}: no summary");
    }
}

#[test]
fn the_index_lists_every_lesson_in_course_order() {
    let index = std::fs::read_to_string(course_dir().join("INDEX.md")).unwrap();
    let mut at = 0;
    for (i, (name, lesson)) in course().iter().enumerate() {
        let row = format!("| {} | [`{name}`]({name}) | {} |", i + 1, lesson.title);
        let found = index[at..]
            .find(&row)
            .unwrap_or_else(|| panic!("INDEX.md lacks, or misorders, the row {row:?}"));
        at += found + row.len();
    }
}

/// The page rebuilds a step's cluster by running a plan's commands as a script: they must
/// read back as the same commands, for every step's start, reveal and solution.
#[test]
fn every_plan_reads_back_as_the_same_script() {
    for (name, lesson) in course() {
        for (k, step) in lesson.steps.iter().enumerate() {
            let mut run = LessonRun::new(lesson.clone());
            let start = run.start(k).unwrap();
            assert_eq!(start.fresh, Some(lesson.seed), "{name} step {k}");
            run.settled(&cluster::cluster::Cluster::new(lesson.seed))
                .unwrap();
            // A reveal or a solution goes on from the step's start: nothing to rebuild.
            let then = match &step.activity {
                Activity::Predict(_) => Some(run.answer(0).unwrap()),
                Activity::Do(_) => Some(run.show_me().unwrap()),
                Activity::Read | Activity::Explain => None,
            };
            let mut written: Vec<_> = start.all().map(|c| c.command.clone()).collect();
            let mut text = start.script();
            if let Some(then) = then {
                assert_eq!(then.fresh, None, "{name} step {k}");
                assert!(then.catch_up.is_empty(), "{name} step {k}");
                written.extend(then.all().map(|c| c.command.clone()));
                text.push_str(&then.script());
            }
            let script =
                Script::parse(&text).unwrap_or_else(|e| panic!("{name} step {k}: {e}\n{text}"));
            let read: Vec<_> = script.commands().cloned().collect();
            assert_eq!(read, written, "{name} step {k}");
        }
    }
}

fn raft_script(dir: &Path) -> (Option<i32>, String, String) {
    let out = Process::new(env!("CARGO_BIN_EXE_raft-script"))
        .arg("--lessons")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn raft_script_checks_the_course() {
    let n = course().len();
    let (code, stdout, stderr) = raft_script(&course_dir());
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.lines().filter(|l| l.contains(": ok (")).count(), n);
    assert_eq!(
        stdout.lines().last(),
        Some(format!("lessons: {n} checked, {n} solved by their reference solutions, 0 solved by doing nothing").as_str())
    );
}

#[test]
fn raft_script_reports_a_lesson_that_lies() {
    let dir = std::env::temp_dir().join(format!("raft-script-lessons-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string(course_dir().join("01-elections.txt")).unwrap();
    std::fs::write(dir.join("a-good.txt"), &good).unwrap();
    // The author claims node 1 leads term 1 (the run says node 5), and the goal "some node
    // leads" already holds when the exercise starts.
    let bad = good
        .replace("answer 1\n", "answer 2\n")
        .replace("goal leader=3\n", "goal leader\n");
    assert_ne!(bad, good);
    std::fs::write(dir.join("b-bad.txt"), &bad).unwrap();
    std::fs::write(dir.join("c-broken.lesson"), "title T\nfly\n").unwrap();
    std::fs::write(dir.join("notes.md"), "not a lesson").unwrap();
    let (code, stdout, stderr) = raft_script(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        code,
        Some(2),
        "a lesson that does not parse: {stdout}{stderr}"
    );
    let line_of = |text: &str, what: &str| {
        text.lines()
            .position(|l| l.starts_with(what))
            .map(|i| i + 1)
            .unwrap()
    };
    let answer = line_of(&bad, "answer 2");
    let goal = line_of(&bad, "goal leader");
    assert!(
        stderr.contains(&format!(
            "b-bad.txt:{answer}: answer 2 is not what the run produces"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("b-bad.txt:{goal}: the goal leader already holds")),
        "{stderr}"
    );
    assert!(
        stderr.contains("c-broken.lesson:2:1: unknown directive"),
        "{stderr}"
    );
    assert!(stdout.contains("b-bad.txt: FAILED"), "{stdout}");
    assert!(!stdout.contains("notes.md"), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some(
            "lessons: 2 checked, 2 solved by their reference solutions, 1 solved by doing nothing"
        )
    );
}

/// The example lesson of docs/lessons.md, as written there, passes the checker.
#[test]
fn the_example_in_the_documentation_passes_the_checker() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/lessons.md"),
    )
    .unwrap();
    let example = doc
        .split("## A complete example")
        .nth(1)
        .and_then(|s| s.split("```text\n").nth(1))
        .and_then(|s| s.split("\n```").next())
        .expect("docs/lessons.md has a complete example");
    let lesson = Lesson::parse(example).unwrap_or_else(|e| panic!("{e}"));
    let r = lesson::check(&lesson);
    assert!(r.passed(), "{:?}", r.problems);
    assert_eq!((r.predictions, r.exercises, r.solved), (1, 1, 1));
}
