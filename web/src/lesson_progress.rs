//! A learner's progress through the course, kept in the browser: for each lesson, one letter
//! per step (`.` to do, `s` seen, `p` predicted wrongly, `P` rightly, `h` shown by "show me",
//! `r` reached). What a later visit does adds to what is kept and never takes it back: a step
//! solved once stays solved when the learner looks at it again.

use std::collections::BTreeMap;

use cluster::lesson::{Progress, MAX_STEPS};

use crate::course::COURSE;

/// Where the progress is kept.
pub const KEY: &str = "raft-playground.lessons";

/// Lesson number (from 1) → one letter per step.
pub type CourseProgress = BTreeMap<usize, String>;

fn code(p: Progress) -> char {
    match p {
        Progress::Todo => '.',
        Progress::Seen => 's',
        Progress::Predicted { correct: false } => 'p',
        Progress::Predicted { correct: true } => 'P',
        Progress::Shown => 'h',
        Progress::Reached => 'r',
    }
}

/// Which of two letters says more (an unknown letter says nothing).
fn rank(c: char) -> u8 {
    match c {
        's' => 1,
        'p' => 2,
        'P' => 3,
        'h' => 4,
        'r' => 5,
        _ => 0,
    }
}

/// A step counts as done once it was seen, answered, solved or shown.
pub fn is_done(c: char) -> bool {
    rank(c) > 0
}

/// Steps done out of the lesson's steps.
pub fn done(codes: &str) -> usize {
    codes.chars().filter(|&c| is_done(c)).count()
}

/// The first step not done yet (from 0), or 0 when all are: where a learner comes back to.
pub fn resume_at(codes: &str, steps: usize) -> usize {
    let first = codes.chars().position(|c| !is_done(c));
    match first {
        Some(k) if k < steps => k,
        None if codes.chars().count() < steps => codes.chars().count(),
        _ => 0,
    }
}

/// What was kept, with what the learner did now added.
pub fn merge(kept: &str, now: &[Progress]) -> String {
    let kept: Vec<char> = kept.chars().collect();
    now.iter()
        .take(MAX_STEPS)
        .enumerate()
        .map(|(k, &p)| {
            let c = code(p);
            match kept.get(k) {
                Some(&old) if rank(old) > rank(c) => old,
                _ => c,
            }
        })
        .collect()
}

/// Reads the kept text (`N:letters` per line); lines that make no sense are left out, so a
/// damaged or hand-edited value costs at most that lesson's record.
pub fn parse(text: &str) -> CourseProgress {
    text.lines()
        .filter_map(|line| {
            let (n, codes) = line.split_once(':')?;
            let n: usize = n.trim().parse().ok()?;
            let ok = (1..=COURSE.len()).contains(&n)
                && codes.chars().count() <= MAX_STEPS
                && codes.chars().all(|c| c == '.' || is_done(c));
            ok.then(|| (n, codes.to_string()))
        })
        .collect()
}

pub fn render(progress: &CourseProgress) -> String {
    progress
        .iter()
        .map(|(n, codes)| format!("{n}:{codes}\n"))
        .collect()
}

/// The progress kept in this browser.
pub fn load() -> CourseProgress {
    crate::persist::load_text(KEY)
        .map(|t| parse(&t))
        .unwrap_or_default()
}

/// Adds what the learner did in lesson `n` now to what this browser keeps.
pub fn record(n: usize, now: &[Progress]) {
    let mut all = load();
    let merged = merge(all.get(&n).map_or("", String::as_str), now);
    if all.get(&n) != Some(&merged) {
        all.insert(n, merged);
        crate::persist::save_text(KEY, &render(&all));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_only_grows_and_survives_its_text() {
        let now = [
            Progress::Seen,
            Progress::Predicted { correct: false },
            Progress::Todo,
            Progress::Todo,
        ];
        assert_eq!(merge("", &now), "sp..");
        // Solved before, only looked at now: still solved.
        assert_eq!(merge("srr", &now), "srr.");
        let all = parse(&render(&BTreeMap::from([(1, "sp..".to_string())])));
        assert_eq!(all[&1], "sp..");
        assert_eq!(done("sp.."), 2);
        assert_eq!(resume_at("sp..", 4), 2);
        assert_eq!(resume_at("ssss", 4), 0, "all done: from the start");
        assert_eq!(resume_at("ss", 4), 2, "steps added since");
    }

    #[test]
    fn damaged_records_are_left_out() {
        let all = parse("1:ss\nx:ss\n99:s\n2:s?\n3\n4:r\n");
        assert_eq!(all.keys().copied().collect::<Vec<_>>(), vec![1, 4]);
        let long = format!("5:{}", "s".repeat(MAX_STEPS + 1));
        assert!(parse(&long).is_empty());
    }
}
