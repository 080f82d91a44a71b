//! The lesson format, rules, a learner's way through a lesson, and the checker, on small
//! lessons written here. The course itself is checked by `tests/lessons.rs`.

use super::*;
use crate::cluster::Cluster;
use crate::command::Command;

fn cmd(line: &str) -> Command {
    Command::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// Three nodes; node 1 leads term 1 and x=1 is committed: a quick, fixed start.
const SETUP: &str = "setup
    cluster 3
    campaign 1
    run-until leader=1 max=1s
    put 1 x=1
    run 300ms
";

/// A small lesson with every kind of step. Node 1 leads term 1 after the setup, so
/// "who leads term 2 after node 1 is cut off" has one answer only when the others' timers
/// differ; the checked answer below comes from the run, not from this comment.
fn small_lesson(answer: &str, goal: &str, solution: &str) -> String {
    format!(
        "# a comment
title A small lesson
summary Every kind of step, on three nodes.
seed 3

{SETUP}
read
    Node 1 leads term 1.

    A second paragraph.

predict Does node 1 still lead after 2s alone?
    It is cut off from both followers.
setup
    partition (1) (2 3)
choice It leads, in term 1: leader=1 term=1 nodes=(1)
choice It is a follower: state=StateFollower nodes=(1)
{answer}
reveal
    run 2s

do Make a node of term 2 or more lead the whole cluster again.
    Without crashing anyone.
goal {goal}
rule no-crash no-direct
budget 5s actions=2
hint Heal the network.
    Then wait.
hint A second hint.
solution
{solution}

explain
    Done.
"
    )
}

fn good_lesson() -> Lesson {
    let text = small_lesson("answer 1", GOAL, SOLUTION);
    Lesson::parse(&text).unwrap_or_else(|e| panic!("{e}"))
}

// ---- the format -------------------------------------------------------------------------------

#[test]
fn every_directive_is_read() {
    let l = good_lesson();
    assert_eq!(l.title, "A small lesson");
    assert_eq!(l.summary, "Every kind of step, on three nodes.");
    assert_eq!(l.seed, 3);
    let setup: Vec<String> = l.setup.iter().map(|c| c.command.to_string()).collect();
    assert_eq!(setup[0], "cluster 3");
    assert_eq!(setup.len(), 5);
    // Lines are the file's: the comment is line 1, `setup` line 6, `cluster 3` line 7.
    assert_eq!(l.setup[0].line, 7);
    assert_eq!(l.steps.len(), 4);

    let read = &l.steps[0];
    assert_eq!(read.activity, Activity::Read);
    assert_eq!(read.text, "Node 1 leads term 1.\n\nA second paragraph.");

    let p = &l.steps[1];
    assert_eq!(p.text, "It is cut off from both followers.");
    assert_eq!(p.setup[0].command, cmd("partition (1) (2 3)"));
    let Activity::Predict(pred) = &p.activity else {
        panic!("not a prediction: {p:?}")
    };
    assert_eq!(pred.question, "Does node 1 still lead after 2s alone?");
    assert_eq!(pred.choices.len(), 2);
    assert_eq!(pred.choices[0].text, "It leads, in term 1");
    assert_eq!(
        pred.choices[0].condition.to_string(),
        "leader=1 term=1 nodes=(1)"
    );
    assert_eq!(pred.claimed, Some(0));
    assert_eq!(pred.reveal[0].command, Command::Run(2000));

    let Activity::Do(e) = &l.steps[2].activity else {
        panic!("not an exercise")
    };
    assert_eq!(l.steps[2].text, "Without crashing anyone.");
    assert_eq!(
        e.task,
        "Make a node of term 2 or more lead the whole cluster again."
    );
    assert_eq!(e.goal_text(), GOAL);
    assert_eq!(e.hold, 0);
    assert_eq!(e.rules, vec![Rule::NoCrash, Rule::NoDirect]);
    assert_eq!(
        e.budget,
        Budget {
            time: 5000,
            actions: Some(2)
        }
    );
    assert_eq!(
        e.hints,
        vec!["Heal the network. Then wait.", "A second hint."]
    );
    let solution: Vec<String> = e.solution.iter().map(|c| c.command.to_string()).collect();
    assert_eq!(solution, vec!["heal", "run 2s"]);
    assert_eq!(e.solution[0].line, e.solution_line + 1);

    assert_eq!(l.steps[3].activity, Activity::Explain);
    assert_eq!(l.counts(), (1, 1));
}

#[test]
fn defaults_apply_when_seed_budget_and_answer_are_left_out() {
    let text = small_lesson("", GOAL, SOLUTION)
        .replace("seed 3\n", "")
        .replace("budget 5s actions=2\n", "");
    let l = Lesson::parse(&text).unwrap();
    assert_eq!(l.seed, 0);
    let Activity::Predict(p) = &l.steps[1].activity else {
        panic!()
    };
    assert_eq!(p.claimed, None);
    let Activity::Do(e) = &l.steps[2].activity else {
        panic!()
    };
    assert_eq!(e.budget, Budget::default());
}

/// Parses `text` expecting an error at `line`:`column` whose message contains `part`.
#[track_caller]
fn assert_error(text: &str, line: usize, column: usize, part: &str) {
    match Lesson::parse(text) {
        Ok(l) => panic!("parsed, expected an error {part:?}: {l:?}"),
        Err(e) => {
            assert!(
                e.message.contains(part),
                "message {:?} lacks {part:?}",
                e.message
            );
            assert_eq!(
                (e.line, e.column),
                (line, column),
                "at the wrong place: {e}"
            );
        }
    }
}

const HEAD: &str = "title T\nsetup\n    cluster 3\n";

#[test]
fn errors_name_the_line_and_column() {
    assert_error(&format!("{HEAD}frobnicate\n"), 4, 1, "unknown directive");
    assert_error(&format!("{HEAD}run 1s\n"), 4, 1, "indent it under setup");
    assert_error(
        "title T\n  stray text\n",
        2,
        3,
        "belongs to the directive above",
    );
    // A command's error is the script parser's, placed in the lesson file.
    assert_error("title T\nsetup\n    cluster 3\n    crash 12\n", 4, 11, "12");
    assert_error(
        "title T\nsetup\n    cluster 3\n    fly 1\n",
        4,
        5,
        "unknown command",
    );
    // A condition's error points into the condition.
    assert_error(
        &format!("{HEAD}do Task.\ngoal committed>=x\n"),
        5,
        6,
        "not a number",
    );
    assert_error(
        &format!("{HEAD}predict Q?\nchoice A: leader=1\nchoice B leader=2\n"),
        6,
        8,
        "choice TEXT: CONDITION",
    );
    assert_error(
        &format!("{HEAD}predict Q?\nchoice A: leader=1\nchoice B: state=boss\n"),
        6,
        11,
        "unknown state",
    );
    assert_error(
        &format!("{HEAD}predict Q?\nchoice A: leader=1\nchoice B: leader=2\nanswer 3\n"),
        7,
        1,
        "numbered 1 to 2",
    );
    assert_error(
        &format!("{HEAD}predict Q?\nchoice A: leader=1\nread\n    x\n"),
        4,
        1,
        "2 to 4 `choice` lines",
    );
    assert_error(
        &format!("{HEAD}do Task.\nrule no-crash no-flying\n"),
        5,
        15,
        "unknown rule",
    );
    assert_error(
        &format!("{HEAD}do Task.\nbudget 11m\n"),
        5,
        8,
        "over the limit",
    );
    assert_error(
        &format!("{HEAD}do Task.\nbudget actions=1000\n"),
        5,
        8,
        "over the limit",
    );
    assert_error(
        &format!("{HEAD}do Task.\nsolution\n    run 1s\n"),
        4,
        1,
        "goal CONDITION",
    );
    assert_error(
        &format!("{HEAD}do Task.\ngoal leader\n"),
        4,
        1,
        "`solution` block",
    );
    assert_error(
        &format!("{HEAD}read\n    x\nchoice A: leader=1\n"),
        6,
        1,
        "belongs to a `predict` step",
    );
    assert_error(
        &format!("{HEAD}read\n    x\ntitle Again\n"),
        6,
        1,
        "before the first step",
    );
    assert_error(
        &format!("{HEAD}predict Q?\nchoice A: leader=1\nreveal\n    run 1s\nreveal\n"),
        8,
        1,
        "a second `reveal`",
    );
    assert_error(&format!("{HEAD}read\n"), 4, 1, "without text");
    assert_error(&format!("{HEAD}do\n"), 4, 3, "the task is missing");
    let long = "word ".repeat(MAX_TEXT_WORDS + 1);
    assert_error(
        &format!("{HEAD}read\n    {long}\n"),
        4,
        1,
        "over the limit of 120",
    );
    assert_error("setup\n    cluster 3\nread\n    x\n", 1, 1, "`title`");
    assert_error("title T\nread\n    x\n", 1, 1, "`setup` block");
    assert_error(HEAD, 1, 1, "at least one step");
}

#[test]
fn a_lesson_from_a_share_link_is_bounded() {
    let big = format!("{HEAD}read\n{}", "    x\n".repeat(MAX_LESSON_BYTES));
    assert_error(&big, 1, 1, "over the limit");
    let many = format!("{HEAD}{}", "read\n    x\n".repeat(MAX_STEPS + 1));
    assert_error(&many, 4 + 2 * MAX_STEPS, 1, "more than 40 steps");
    // Each run is within the script language's bound, together they are not.
    let long = format!("{HEAD}read\n    x\nsetup\n{}", "    run 3600s\n".repeat(2));
    assert_error(&long, 8, 1, "virtual time together");
    let hints = format!("{HEAD}do T\n{}", "hint h\n".repeat(MAX_HINTS + 1));
    assert_error(&hints, 5 + MAX_HINTS, 1, "more than 5 hints");
}

#[test]
fn nothing_in_a_lesson_makes_the_parser_panic() {
    // Every prefix of a full lesson, cut anywhere (in a word, in a block, in a condition).
    let text = small_lesson("answer 1", "leader", "    heal");
    for end in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
        let _ = Lesson::parse(&text[..end]);
    }
    for junk in [
        "\t",
        "choice : ",
        "budget",
        "rule",
        "answer",
        "seed x",
        "goal",
        "\r\n",
    ] {
        let _ = Lesson::parse(&format!("{HEAD}predict Q\n{junk}\n"));
    }
}

// ---- rules ------------------------------------------------------------------------------------

fn three_nodes() -> Cluster {
    let mut c = Cluster::new(1);
    for line in ["cluster 3", "campaign 1", "run-until leader=1 max=1s"] {
        assert!(c.execute(cmd(line)).is_ok(), "{line}");
    }
    c
}

#[test]
fn rules_are_read_by_name() {
    for (s, r) in [
        ("no-crash", Rule::NoCrash),
        ("no-pause", Rule::NoPause),
        ("no-disk", Rule::NoDisk),
        ("no-direct", Rule::NoDirect),
        ("max-cut=2", Rule::MaxCut(2)),
        ("no-campaign", Rule::No("campaign".into())),
        (
            "no-transfer-leadership",
            Rule::No("transfer-leadership".into()),
        ),
    ] {
        assert_eq!(Rule::parse(s), Ok(r.clone()));
        assert_eq!(r.to_string(), s, "a rule prints as it is written");
    }
    assert!(Rule::parse("no-flying").is_err());
    assert!(Rule::parse("max-cut=x").is_err());
    assert!(Rule::parse("max-cut=37")
        .unwrap_err()
        .contains("over the limit"));
}

#[test]
fn a_rule_refuses_what_it_names_and_says_which_rule() {
    let c = three_nodes();
    let no_crash = Rule::NoCrash;
    for refused in ["crash 2", "wipe 2"] {
        let e = no_crash.allows(&cmd(refused), &c).unwrap_err();
        assert!(e.contains("rule no-crash"), "{e}");
    }
    assert!(no_crash.allows(&cmd("restart 2"), &c).is_ok());
    assert!(no_crash.allows(&cmd("pause 2"), &c).is_ok());
    assert!(Rule::NoPause.allows(&cmd("pause 2"), &c).is_err());
    assert!(Rule::NoDisk.allows(&cmd("disk 2 lying"), &c).is_err());
    for direct in [
        "campaign 2",
        "tick 2 5",
        "transfer-leadership from=1 to=2",
        "stabilize",
    ] {
        let e = Rule::NoDirect.allows(&cmd(direct), &c).unwrap_err();
        assert!(e.contains("rule no-direct"), "{e}");
    }
    for allowed in [
        "partition (1) (2 3)",
        "put 1 x=1",
        "run 1s",
        "pause 3",
        "add-node 4",
    ] {
        assert!(
            Rule::NoDirect.allows(&cmd(allowed), &c).is_ok(),
            "{allowed}"
        );
    }
    let no_campaign = Rule::No("campaign".into());
    assert!(no_campaign.allows(&cmd("campaign 2"), &c).is_err());
    assert!(no_campaign.allows(&cmd("tick 2 5"), &c).is_ok());
    // Whatever the rules, the exercise's cluster is given.
    assert!(check_rules(&[], &cmd("add-nodes 1"), &c).is_err());
    assert!(check_rules(&[], &cmd("crash 2"), &c).is_ok());
}

#[test]
fn max_cut_counts_links_after_the_command() {
    let mut c = three_nodes();
    let rule = Rule::MaxCut(1);
    assert_eq!(links_down(&c), 0);
    assert!(rule.allows(&cmd("cut 1-2"), &c).is_ok());
    // One direction cut is a link cut too.
    assert!(rule.allows(&cmd("cut 1->2"), &c).is_ok());
    // A partition cuts every link between its groups: (1) (2 3) is two.
    let e = rule.allows(&cmd("partition (1) (2 3)"), &c).unwrap_err();
    assert!(e.contains("rule max-cut=1") && e.contains("2 links"), "{e}");
    // A lossy link counts as cut.
    assert!(rule.allows(&cmd("link 1-2 drop=0.5"), &c).is_ok());
    c.execute(cmd("cut 1-2"));
    assert_eq!(links_down(&c), 1);
    assert!(rule.allows(&cmd("cut 2-3"), &c).is_err());
    assert!(rule.allows(&cmd("link 2-3 drop=0.5"), &c).is_err());
    assert!(rule.allows(&cmd("link 1-2 delay=50ms"), &c).is_ok());
    // Healing is always allowed, and a partition replacing the cut by one link too.
    assert!(rule.allows(&cmd("heal"), &c).is_ok());
    assert!(rule.allows(&cmd("cut 1-2"), &c).is_ok());
    // The check ran on copies: the cluster has one cut link still.
    assert_eq!(links_down(&c), 1);
}

// ---- a learner's way --------------------------------------------------------------------------

/// Carries a plan out and settles it, as a driver does.
fn drive(run: &mut LessonRun, plan: Plan, c: &mut Cluster) {
    carry_out(&plan, c).unwrap_or_else(|p| panic!("line {}: {}", p.line, p.message));
    run.settled(c).unwrap();
}

#[test]
fn a_learner_goes_through_every_kind_of_step() {
    let lesson = good_lesson();
    let mut run = LessonRun::new(lesson.clone());
    let mut c = Cluster::new(99);
    let plan = run.start(0).unwrap();
    assert_eq!(
        plan.fresh,
        Some(3),
        "the first step builds the lesson's cluster"
    );
    assert_eq!(plan.catch_up.len(), lesson.setup.len());
    drive(&mut run, plan, &mut c);
    assert_eq!(run.progress(0), Progress::Seen);
    assert_eq!(c.leader(), Some(1));

    // The prediction: its setup runs at its start, its reveal after the answer.
    let plan = run.start_next().unwrap().unwrap();
    assert_eq!(plan.fresh, None, "still on the lesson's path: it goes on");
    assert_eq!(plan.commands[0].command, cmd("partition (1) (2 3)"));
    drive(&mut run, plan, &mut c);
    assert!(run.goal(&c).is_none(), "a prediction has no goal");
    let plan = run.answer(1).unwrap();
    assert_eq!(plan.commands[0].command, Command::Run(2000));
    drive(&mut run, plan, &mut c);
    let r = run.reveal().unwrap();
    assert_eq!(r.chosen, 1);
    assert_eq!(
        r.right, 0,
        "alone and without check-quorum, node 1 still leads"
    );
    assert!(!r.is_correct());
    assert_eq!(run.progress(1), Progress::Predicted { correct: false });
    assert!(run.answer(0).unwrap_err().contains("already answered"));

    // The exercise.
    let plan = run.start_next().unwrap().unwrap();
    drive(&mut run, plan, &mut c);
    let s = run.goal(&c).unwrap();
    assert!(s.holds.is_err() && !s.reached && s.time_used == 0);
    let crash = cmd("crash 2");
    assert!(run.act(&crash, &c).unwrap_err().contains("no-crash"));
    for line in ["heal", "run 2s"] {
        let command = cmd(line);
        run.act(&command, &c).unwrap();
        c.execute(command);
    }
    let s = run.goal(&c).unwrap();
    assert_eq!(s.holds, Ok(()));
    assert!(s.reached && !s.over_budget && !s.shown);
    assert_eq!((s.actions_used, s.time_used), (1, 2000), "time runs free");
    assert_eq!(run.progress(2), Progress::Reached);

    // The explanation follows what the learner did: nothing is rebuilt.
    let now = c.now();
    let plan = run.start_next().unwrap().unwrap();
    assert!(plan.is_empty());
    drive(&mut run, plan, &mut c);
    assert_eq!(c.now(), now);
    assert!(run.start_next().is_none(), "the last step");
}

#[test]
fn a_step_to_answer_or_solve_starts_on_the_lessons_own_cluster() {
    let lesson = good_lesson();
    let mut run = LessonRun::new(lesson.clone());
    let mut c = Cluster::new(3);
    let plan = run.start(0).unwrap();
    drive(&mut run, plan, &mut c);
    // The learner plays with the cluster during the text step...
    for line in ["crash 1", "run 3s"] {
        run.act(&cmd(line), &c).unwrap();
        c.execute(cmd(line));
    }
    // ... so the prediction rebuilds the lesson's cluster from its seed.
    let plan = run.start(1).unwrap();
    assert_eq!(plan.fresh, Some(3));
    assert_eq!(plan.catch_up.len(), lesson.setup.len());
    drive(&mut run, plan, &mut c);
    assert_eq!(c.leader(), Some(1));
    // The same cluster as a straight run of the script of the path.
    let straight = crate::script::Script::parse(&lesson_path_script(&lesson, Lesson::start_of(1)))
        .unwrap()
        .run_on(Cluster::new(3));
    assert_eq!(c.history_hash(), straight.cluster.history_hash());

    // Acting before answering: the reveal rebuilds too.
    run.act(&cmd("heal"), &c).unwrap();
    c.execute(cmd("heal"));
    let plan = run.answer(0).unwrap();
    assert_eq!(plan.fresh, Some(3));
    drive(&mut run, plan, &mut c);
    assert_eq!(run.reveal().unwrap().right, 0);
}

/// The script of the lesson's path, segments `0..to`.
fn lesson_path_script(lesson: &Lesson, to: usize) -> String {
    let plan = Plan {
        fresh: None,
        catch_up: lesson.path(0, to),
        commands: Vec::new(),
    };
    plan.script()
}

#[test]
fn an_exercise_over_budget_or_shown_is_not_reached() {
    let mut run = LessonRun::new(good_lesson());
    let mut c = Cluster::new(3);
    let plan = run.start(2).unwrap();
    assert_eq!(plan.fresh, Some(3), "jumping ahead rebuilds");
    drive(&mut run, plan, &mut c);
    // Three actions where two are allowed.
    for line in ["cut 1-2", "heal 1-2", "heal", "run 2s"] {
        run.act(&cmd(line), &c).unwrap();
        c.execute(cmd(line));
    }
    let s = run.goal(&c).unwrap();
    assert_eq!(s.holds, Ok(()));
    assert!(s.over_budget && !s.reached);
    assert_eq!(run.progress(2), Progress::Todo);
    // "Show me" plays the solution from the step's start, on a rebuilt cluster.
    let plan = run.show_me().unwrap();
    assert_eq!(plan.fresh, Some(3));
    let solution: Vec<String> = plan
        .commands
        .iter()
        .map(|c| c.command.to_string())
        .collect();
    assert_eq!(solution, vec!["heal", "run 2s"]);
    drive(&mut run, plan, &mut c);
    let s = run.goal(&c).unwrap();
    assert!(s.shown && !s.reached && s.holds.is_ok());
    assert_eq!(run.progress(2), Progress::Shown);
}

#[test]
fn nothing_happens_while_a_plan_is_under_way() {
    let mut run = LessonRun::new(good_lesson());
    let c = Cluster::new(3);
    let _plan = run.start(0).unwrap();
    assert!(run.is_waiting());
    assert!(run.act(&cmd("crash 1"), &c).is_err());
    assert!(run.start(1).is_err());
    assert!(run.show_me().is_err());
    let mut idle = LessonRun::new(good_lesson());
    assert!(idle.settled(&c).is_err(), "no plan");
    assert!(idle.start(9).unwrap_err().contains("4 steps"));
}

// ---- the checker ------------------------------------------------------------------------------

#[test]
fn a_sound_lesson_passes_the_checker() {
    let r = check(&good_lesson());
    assert!(r.passed(), "{:?}", r.problems);
    assert_eq!((r.steps, r.predictions, r.exercises), (4, 1, 1));
    assert_eq!((r.solved, r.solved_by_nothing), (1, 0));
    assert!(r.all_solved());
}

/// The checker's problems for a variant of the small lesson.
fn problems(answer: &str, goal: &str, solution: &str) -> (LessonReport, Vec<String>) {
    let lesson = Lesson::parse(&small_lesson(answer, goal, solution)).unwrap();
    let r = check(&lesson);
    let lines = r
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.line, p.message))
        .collect();
    (r, lines)
}

/// The small lesson's own goal and solution.
const GOAL: &str = "leader term>=2 nodes=(1 2 3)";
const SOLUTION: &str = "    heal\n    run 2s";

#[track_caller]
fn assert_reported(r: &LessonReport, part: &str) {
    assert!(
        r.problems.iter().any(|p| p.message.contains(part)),
        "no problem says {part:?}: {:?}",
        r.problems
    );
}

#[test]
fn a_wrong_claimed_answer_is_reported_at_its_line() {
    let (r, p) = problems("answer 2", GOAL, SOLUTION);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("24: answer 2 is not what the run produces"),
        "{p:?}"
    );
    assert!(r.all_solved(), "the rest still checks");
}

#[test]
fn a_prediction_without_exactly_one_true_choice_is_reported() {
    // Both hold: node 1 leads term 1, and it is in a term of 1 or more.
    let text = small_lesson("", GOAL, SOLUTION).replace(
        "choice It is a follower: state=StateFollower nodes=(1)",
        "choice It is up: term>=1 nodes=(1)",
    );
    let r = check(&Lesson::parse(&text).unwrap());
    assert_reported(&r, "2 choices hold");
    // Neither holds.
    let text = text
        .replace(
            "choice It leads, in term 1: leader=1 term=1 nodes=(1)",
            "choice It is in term 9: term=9 nodes=(1)",
        )
        .replace(
            "choice It is up: term>=1 nodes=(1)",
            "choice It is in term 8: term=8 nodes=(1)",
        );
    let r = check(&Lesson::parse(&text).unwrap());
    assert_reported(&r, "no choice holds");
}

#[test]
fn a_goal_that_doing_nothing_reaches_is_reported() {
    // Node 1 leads term 1 all along: "leader" holds at once.
    let (r, p) = problems("answer 1", "leader", "    heal\n    run 2s");
    assert_eq!(r.solved_by_nothing, 1);
    assert!(
        p.iter()
            .any(|p| p.contains("already holds when the step starts")),
        "{p:?}"
    );
    // Revealed after 10ms instead of 2s, the exercise starts before nodes 2 and 3 time out;
    // alone, they elect a leader of term 2 within the 5s budget: doing nothing wins.
    let text = small_lesson("answer 1", "leader term>=2", "    heal\n    run 2s")
        .replace("reveal\n    run 2s", "reveal\n    run 10ms");
    let r = check(&Lesson::parse(&text).unwrap());
    let p: Vec<&str> = r.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(r.solved_by_nothing, 1);
    assert!(
        p.iter()
            .any(|p| p.contains("doing nothing reaches the goal")),
        "{p:?}"
    );
}

#[test]
fn a_reference_solution_that_fails_is_reported() {
    for (solution, why) in [
        ("    run 2s", "does not solve the exercise"),
        (
            "    crash 1\n    heal\n    run 2s",
            "breaks a rule: rule no-crash",
        ),
        // Three actions, two allowed.
        (
            "    cut 1-2\n    heal 1-2\n    heal\n    run 2s",
            "over the budget",
        ),
        // 6s, 5s allowed.
        ("    heal\n    run 6s", "over the budget"),
    ] {
        let (r, p) = problems("answer 1", GOAL, solution);
        assert_eq!(r.solved, 0, "{solution}");
        assert!(p.iter().any(|p| p.contains(why)), "{solution}: {p:?}");
    }
}

#[test]
fn a_command_of_the_path_that_fails_is_reported_at_its_line() {
    let text = small_lesson("answer 1", GOAL, SOLUTION).replace(
        "    partition (1) (2 3)",
        "    partition (1) (2 3)\n    expect leader=2",
    );
    let r = check(&Lesson::parse(&text).unwrap());
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert_eq!(r.problems[0].line, 22);
    assert!(
        r.problems[0]
            .message
            .starts_with("expect leader=2: node 2 is"),
        "{:?}",
        r.problems
    );
    assert_eq!(r.solved, 0, "the steps after a broken path are not checked");
}

/// The small lesson's exercise with other goal lines, a hold, and the prediction's reveal cut
/// to 10ms (so nodes 2 and 3 have not yet elected a leader when the exercise starts).
fn idle_exercise(goals: &str, hold: &str) -> LessonReport {
    let text = small_lesson("answer 1", "GOALS", SOLUTION)
        .replace("reveal\n    run 2s", "reveal\n    run 10ms")
        .replace("goal GOALS", &format!("{goals}\n{hold}"));
    check(&Lesson::parse(&text).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn a_goal_true_for_an_instant_does_not_count_when_it_must_hold() {
    // Alone with node 2, node 3 times out first (seed 3) and asks for 2's vote: from the
    // moment 2 grants it until 3 counts it (one link's latency), 3 is a candidate of term 2
    // that 2 voted for. Without a hold, waiting "reaches" that.
    let goals = "goal state=candidate term=2 nodes=(3)\ngoal vote=3 term=2 nodes=(2)";
    let r = idle_exercise(goals, "");
    assert_eq!(r.solved_by_nothing, 1, "{:?}", r.problems);
    assert_reported(&r, "doing nothing reaches the goal state=StateCandidate term=2 nodes=(3) and vote=3 term=2 nodes=(2)");
    // It lasts about 10ms: a hold of 500ms rules it out.
    let r = idle_exercise(goals, "hold 500ms");
    assert_eq!(r.solved_by_nothing, 0, "{:?}", r.problems);
}

#[test]
fn several_goal_lines_must_all_hold() {
    let text = small_lesson("answer 1", "GOALS", SOLUTION).replace(
        "goal GOALS",
        "goal leader term>=2\ngoal state=leader term=1 nodes=(1)\nhold 1s",
    );
    let l = Lesson::parse(&text).unwrap();
    let Activity::Do(e) = &l.steps[2].activity else {
        panic!()
    };
    assert_eq!(e.goals.len(), 2);
    assert_eq!(e.hold, 1000);
    // After the reveal node 1 still leads term 1 alone and 2 or 3 leads term 2: both hold,
    // which is why the checker says doing nothing reaches it.
    let r = check(&l);
    assert_reported(&r, "already holds when the step starts");
    // Healing makes node 1 a follower: the second goal fails.
    let c = {
        let mut c = Cluster::new(3);
        let mut run = LessonRun::new(l.clone());
        let plan = run.start(2).unwrap();
        drive(&mut run, plan, &mut c);
        for line in ["heal", "run 1s"] {
            c.execute(cmd(line));
        }
        c
    };
    let why = e.goal_holds(&c).unwrap_err();
    assert!(
        why.starts_with("state=StateLeader term=1 nodes=(1): node 1 is"),
        "{why}"
    );
    assert_error(
        &format!("{HEAD}do T\n{}", "goal leader\n".repeat(MAX_GOALS + 1)),
        5 + MAX_GOALS,
        1,
        "more than 4 goal lines",
    );
    assert_error(
        &format!("{HEAD}do T\ngoal leader\nbudget 1s\nhold 2s\nsolution\n    run 1s\n"),
        4,
        1,
        "must hold for 2s but the budget is 1s",
    );
}
