//! The session's own behaviour: the lead-in, the load, scripts and typed lines in slices,
//! time travel, the recorded session as a script, and setups from a URL query.

use super::*;
use crate::command::MembershipChange;
use crate::view::{ClusterView, Role};

fn session() -> Session {
    Session::new(Setup::default())
}

fn run(d: &mut Session, ms: u64) {
    d.apply(&Command::Run(ms)).expect("run");
}

fn view(d: &Session) -> ClusterView {
    d.history().view()
}

/// Runs a script to its end in slices, as the page does.
fn run_script(d: &mut Session, text: &str, seed: u64) -> Result<Transcript, String> {
    d.start_script(text, seed)?;
    loop {
        match d.continue_script(5_000) {
            Some(ScriptStep::Running(_)) => {}
            Some(ScriptStep::Done(ScriptDone::Script(t))) => return Ok(*t),
            other => return Err(format!("not a script's end: {other:?}")),
        }
    }
}

/// Runs one typed line in slices, as the page does.
fn execute_line(d: &mut Session, line: &str) -> Result<String, String> {
    d.start_line(line)?;
    loop {
        match d.continue_script(5_000) {
            Some(ScriptStep::Running(_)) => {}
            Some(ScriptStep::Done(ScriptDone::Line(r))) => return r,
            other => return Err(format!("not a line's end: {other:?}")),
        }
    }
}

#[test]
fn the_page_starts_just_before_the_first_election() {
    let d = session();
    let v = view(&d);
    assert_eq!(v.nodes.len(), 5);
    assert_eq!(v.leader, None, "nobody has campaigned yet");
    assert!(v.nodes.iter().all(|n| n.role == Role::Follower));
    let closest = v
        .nodes
        .iter()
        .map(|n| n.randomized_election_timeout - n.election_elapsed)
        .min()
        .unwrap();
    assert!(
        (1..=LEAD_IN_TICKS + 1).contains(&closest),
        "an election is {closest} ticks away"
    );
}

#[test]
fn running_elects_a_leader_and_the_load_replicates_entries() {
    let mut d = session();
    for _ in 0..300 {
        run(&mut d, 16);
    }
    let v = view(&d);
    let leader = v.leader.expect("a leader after 4.8 s");
    let l = v.node(leader).unwrap();
    assert_eq!(l.role, Role::Leader);
    assert_eq!(l.progress.len(), 5, "the leader's Progress has every peer");
    assert!(l.commit >= 5, "the load's puts are committed: {}", l.commit);
    // Every node applied the same store, up to where it has applied.
    let kv: Vec<_> = v.nodes.iter().map(|n| n.kv.len()).collect();
    assert!(
        kv.iter().all(|&k| k == 3),
        "x, y and z on every node: {kv:?}"
    );
    assert!(d.history().head().checker().is_safe());
}

#[test]
fn crashing_the_leader_elects_another() {
    let mut d = session();
    run(&mut d, 3000);
    let old = view(&d).leader.expect("a leader");
    d.apply(&Command::Crash(old)).unwrap();
    assert!(view(&d).node(old).unwrap().crashed);
    run(&mut d, 5000);
    let new = view(&d).leader.expect("a new leader");
    assert_ne!(new, old);
    assert!(view(&d).node(new).unwrap().term > view(&d).node(old).unwrap().term);
}

#[test]
fn steps_keep_the_load_going() {
    let mut d = session();
    run(&mut d, 2000);
    let puts = |d: &Session| d.history().head().history().len();
    let before = puts(&d);
    let t0 = d.history().cluster().now();
    while d.history().cluster().now() < t0 + 1100 {
        d.apply(&Command::Step(StepKind::Tick)).unwrap();
    }
    assert!(puts(&d) >= before + 2, "{}", d.script());
}

#[test]
fn a_node_joins_as_a_learner_and_is_promoted() {
    use crate::view::Membership;
    let mut d = session();
    run(&mut d, 3000);
    let leader = view(&d).leader.expect("a leader");
    d.apply(&Command::Membership(MembershipChange::AddLearner(6)))
        .unwrap();
    assert_eq!(view(&d).nodes.len(), 6);
    run(&mut d, 1500);
    let v = view(&d);
    assert_eq!(v.node(6).unwrap().membership, Membership::Learner);
    assert_eq!(v.node(6).unwrap().role, Role::Learner);
    assert!(v.config.is_learner(6));
    d.apply(&Command::Membership(MembershipChange::Promote(6)))
        .unwrap();
    run(&mut d, 1500);
    let v = view(&d);
    assert_eq!(v.node(6).unwrap().membership, Membership::Voter);
    assert_eq!(
        v.node(6).unwrap().kv,
        v.node(leader).unwrap().kv,
        "caught up"
    );
    d.apply(&Command::Membership(MembershipChange::Remove(6)))
        .unwrap();
    run(&mut d, 1500);
    assert_eq!(view(&d).node(6).unwrap().membership, Membership::Removed);
    let e = d
        .apply(&Command::Membership(MembershipChange::AddNode(6)))
        .unwrap_err();
    assert!(e.contains("never reuses"), "{e}");
}

#[test]
fn refusals_come_back_as_sentences() {
    let mut d = session();
    let e = d.apply(&Command::Restart(2)).unwrap_err();
    assert!(e.contains("running"), "{e}");
    let e = d.apply(&Command::Crash(8)).unwrap_err();
    assert!(e.contains("does not exist"), "{e}");
    let e = d.apply(&Command::Crash(42)).unwrap_err();
    assert!(e.contains("does not exist"), "{e}");
    let e = d.resize(12).unwrap_err();
    assert!(e.contains("1 to 9 nodes"), "{e}");
}

#[test]
fn seeking_back_and_acting_forks() {
    let mut d = session();
    run(&mut d, 3000);
    let total = d.history().len();
    d.seek(total / 2).unwrap();
    assert!(d.history().is_in_past());
    assert_eq!(view(&d).cursor, total / 2);
    assert_eq!(view(&d).events, total);
    // Acting in the past forks: the abandoned future is kept as a branch.
    d.apply(&Command::Crash(1)).unwrap();
    let info = d.history();
    assert!(!info.is_in_past());
    let branches: Vec<(u64, u64)> = info
        .branches()
        .iter()
        .map(|b| (b.forked_at, b.events))
        .collect();
    assert_eq!(branches, vec![(total / 2, total)]);
    assert_eq!(view(&d).events, total / 2 + 1);
    // Back to the present of the new timeline is a seek to its end.
    run(&mut d, 500);
    let n = d.history().len();
    d.seek(n - 10).unwrap();
    d.seek(n).unwrap();
    assert!(!d.history().is_in_past());
    assert_eq!(view(&d).cursor, n);
}

#[test]
fn a_merged_session_script_replays_the_same_history() {
    let mut d = session();
    for _ in 0..100 {
        run(&mut d, 17);
    }
    d.apply(&Command::Crash(2)).unwrap();
    for _ in 0..50 {
        run(&mut d, 16);
    }
    let total = d.history().len();
    d.seek(total - 40).unwrap();
    d.apply(&Command::Restart(2)).unwrap();
    for _ in 0..30 {
        run(&mut d, 16);
    }
    let script = d.script();
    let lines = script.lines().filter(|l| l.starts_with("run ")).count();
    assert!(lines < 12, "runs merged:\n{script}");
    assert!(script.contains("stop-after"), "{script}");
    let replayed = Script::run(&script, 1).expect("the script parses");
    assert_eq!(
        replayed.history_hash,
        d.history().head().history_hash(),
        "{script}"
    );
}

#[test]
fn merged_runs_stay_within_the_languages_bound() {
    use crate::limits::MAX_RUN;
    // Three frames that together pass the bound, as a long session at 100x would.
    let commands = [
        Command::Run(MAX_RUN - 10),
        Command::Run(10),
        Command::Run(1),
    ];
    let script = merged_script(3, commands.iter());
    let runs: Vec<u64> = script
        .lines()
        .filter_map(|l| match Command::parse(l) {
            Ok(Command::Run(ms)) => Some(ms),
            _ => None,
        })
        .collect();
    assert_eq!(runs, [MAX_RUN, 1], "{script}");
    assert!(script.starts_with("# Recorded session; replay with seed 3."));
    // Every line reads back: nothing in the script is past a bound.
    for line in script.lines().filter(|l| !l.starts_with('#')) {
        Command::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    }
}

#[test]
fn a_script_replaces_the_run() {
    let mut d = session();
    let text = "cluster 3\ncampaign 1\nstabilize\nexpect leader=1\nexpect leader=2\n";
    let t = run_script(&mut d, text, 9).unwrap();
    assert_eq!(t.failures().len(), 1, "the second expect fails");
    assert!(t.rewritten.contains("campaign 1"), "{}", t.rewritten);
    assert_eq!(view(&d).nodes.len(), 3);
    assert_eq!(view(&d).leader, Some(1));
    assert_eq!(
        d.history().head().history_hash(),
        t.history_hash,
        "the page shows the very run the script made"
    );
    assert_eq!(d.setup().seed, 9);
    assert_eq!(d.setup().load_every_ms, 0);
    // Its whole history can be travelled.
    d.seek(1).unwrap();
    assert_eq!(view(&d).cursor, 1);
    assert!(run_script(&mut d, "no-such-command", 1).is_err());
    d.seek(d.history().len()).unwrap();
    assert_eq!(
        execute_line(&mut d, "expect leader=1").map(|s| s.trim().to_string()),
        Ok("ok".into())
    );
    assert!(execute_line(&mut d, "expect leader=2").is_err());
}

#[test]
fn setups_come_from_the_query_string() {
    assert_eq!(Setup::from_query(""), Setup::default());
    let s = Setup::from_query(
        "?nodes=7&seed=42&load=20&latency=50..150ms&prevote=1&snapshot-count=18446744073709551615",
    );
    assert_eq!(s.nodes, 7);
    assert_eq!(s.seed, 42);
    assert_eq!(s.load_every_ms, 20);
    assert_eq!(s.latency, "50..150ms");
    assert!(s.pre_vote && !s.check_quorum);
    // Past the language's bound of a log index, the count is ignored like any bad value.
    assert_eq!(s.snapshot_count, DEFAULT_SNAPSHOT_COUNT);
    assert_eq!(
        s.cluster_line(),
        Ok("cluster 7 prevote=true latency=50..150ms snapshot-count=50".into())
    );
    let bad = Setup::from_query("?nodes=40&seed=x&latency=soon&load=off&other=1&snapshot-count=-1");
    assert_eq!(bad.snapshot_count, DEFAULT_SNAPSHOT_COUNT);
    assert_eq!(bad.nodes, 5);
    assert_eq!(bad.seed, 1);
    assert_eq!(bad.latency, DEFAULT_LATENCY);
    assert_eq!(bad.load_every_ms, 0);
    assert_eq!(Setup::from_query("?preset=heavy").nodes, 7);
}

/// Setups unlike the default in every field the panel sets.
fn unusual_setups() -> Vec<Setup> {
    let d = Setup::default();
    vec![
        d.clone(),
        Setup {
            seed: 99,
            nodes: 3,
            load_every_ms: 0,
            latency: "20..80ms".into(),
            pre_vote: true,
            check_quorum: true,
            lease_reads: true,
            tick_ms: 50,
            election: 20,
            heartbeat: 3,
            inflight: 4,
            max_size_per_msg: 0,
            snapshot_count: 0,
            lead_in: false,
        },
        Setup {
            load_every_ms: 10,
            latency: "1ms".into(),
            tick_ms: 10_000,
            election: 10_000,
            heartbeat: 9_999,
            inflight: 10_000,
            max_size_per_msg: 1 << 30,
            snapshot_count: 1_000_000_000,
            ..Setup::heavy()
        },
    ]
}

#[test]
fn a_setup_travels_in_a_query_and_reads_back_the_same() {
    for s in unusual_setups() {
        assert!(s.cluster_setup().is_ok(), "{s:?}");
        let q = s.to_query();
        assert_eq!(Setup::from_query(&q), s, "{q}");
        assert_eq!(Setup::from_query(&format!("?{q}")), s, "{q}");
    }
    assert_eq!(Setup::default().to_query(), "seed=1");
    let s = &unusual_setups()[1];
    assert_eq!(
        s.to_query(),
        "seed=99&nodes=3&load=off&latency=20..80ms&prevote=1&checkquorum=1&readonly=lease-based\
         &tick=50ms&election=20&heartbeat=3&inflight=4&max-size-per-msg=0&snapshot-count=0&leadin=0"
    );
    // The run it starts says all of it in its cluster line.
    assert_eq!(
        s.cluster_line(),
        Ok(
            "cluster 3 prevote=true checkquorum=true read-only=lease-based tick=50ms election=20 \
            heartbeat=3 latency=20..80ms inflight=4 max-size-per-msg=0"
                .into()
        )
    );
}

#[test]
fn a_setup_out_of_bounds_is_refused_with_the_reason() {
    let d = Setup::default();
    let refused = |s: Setup| s.cluster_setup().unwrap_err();
    let cases = [
        (
            Setup {
                nodes: 10,
                ..d.clone()
            },
            "nodes 10 is over the limit of 9",
        ),
        (
            Setup {
                nodes: 0,
                ..d.clone()
            },
            "nodes 0 is under the least allowed, 1",
        ),
        (
            Setup {
                load_every_ms: 5,
                ..d.clone()
            },
            "load interval 5ms is under the least allowed, 10ms",
        ),
        (
            Setup {
                load_every_ms: 3_600_001,
                ..d.clone()
            },
            "load interval 3600001ms is over the limit of 3600s",
        ),
        (
            Setup {
                latency: "soon".into(),
                ..d.clone()
            },
            "latency: ",
        ),
        (
            Setup {
                latency: "61s".into(),
                ..d.clone()
            },
            "latency 61s is over the limit of 60s",
        ),
        (
            Setup {
                tick_ms: 0,
                ..d.clone()
            },
            "a tick interval is at least 1ms",
        ),
        (
            Setup {
                tick_ms: 10_001,
                ..d.clone()
            },
            "tick interval 10001ms is over the limit of 10s",
        ),
        (
            Setup {
                heartbeat: 0,
                ..d.clone()
            },
            "heartbeat ticks 0 is under the least allowed, 1",
        ),
        (
            Setup {
                election: 10_001,
                ..d.clone()
            },
            "election ticks 10001 is over the limit of 10000",
        ),
        (
            Setup {
                election: 1,
                ..d.clone()
            },
            "election ticks (1) must be more than heartbeat ticks (1)",
        ),
        (
            Setup {
                inflight: 0,
                ..d.clone()
            },
            "inflight 0 is under the least allowed, 1",
        ),
        (
            Setup {
                inflight: 10_001,
                ..d.clone()
            },
            "inflight 10001 is over the limit of 10000",
        ),
        (
            Setup {
                max_size_per_msg: (1 << 30) + 1,
                ..d.clone()
            },
            "max size per message 1073741825 is over the limit of 1073741824",
        ),
        (
            Setup {
                snapshot_count: 1_000_000_001,
                ..d.clone()
            },
            "snapshot count 1000000001 is over the limit of 1000000000",
        ),
        (
            Setup {
                lease_reads: true,
                ..d.clone()
            },
            "lease-based reads need check-quorum",
        ),
    ];
    for (s, why) in cases {
        let e = refused(s);
        assert!(e.contains(why), "{e:?} should say {why:?}");
    }
}

#[test]
fn a_bad_query_never_makes_a_setup_that_is_refused() {
    for q in [
        "?readonly=lease-based",
        "?election=1",
        "?election=2&heartbeat=5",
        "?heartbeat=0&inflight=0&tick=0&tick=11s&max-size-per-msg=1073741825&load=5",
        "?election=99999&latency=61s&nodes=0",
    ] {
        let s = Setup::from_query(q);
        assert!(s.cluster_setup().is_ok(), "{q}: {s:?}");
    }
    let s = Setup::from_query("?readonly=lease-based");
    assert!(
        !s.lease_reads,
        "lease-based reads without check-quorum are dropped"
    );
    let s = Setup::from_query("?election=2&heartbeat=5");
    assert_eq!((s.election, s.heartbeat), (10, 1));
    assert_eq!(Setup::from_query("?tick=250").tick_ms, 250);
    assert_eq!(Setup::from_query("?tick=1.5s").tick_ms, 1500);
}

#[test]
fn a_new_run_with_a_setup_is_recorded_and_a_refused_one_changes_nothing() {
    let mut d = Session::new(Setup::default());
    let before = d.script();
    let bad = Setup {
        lease_reads: true,
        ..Setup::default()
    };
    assert!(d.restart_with(bad).unwrap_err().contains("check-quorum"));
    assert_eq!(d.script(), before, "a refused setup leaves the run alone");
    let s = Setup {
        pre_vote: true,
        election: 15,
        inflight: 8,
        ..Setup::default()
    };
    d.restart_with(s.clone()).unwrap();
    assert_eq!(d.setup(), &s);
    let script = d.script();
    assert!(
        script.contains(
            "cluster 5 prevote=true election=15 latency=30ms snapshot-count=50 inflight=8"
        ),
        "{script}"
    );
    assert!(script.contains("load every=500ms"), "{script}");
    let nodes = d.history().cluster().nodes();
    assert!(nodes.values().all(|n| n.config.pre_vote
        && n.config.election_tick == 15
        && n.config.max_inflight_msgs == 8));
    // The nodes run with it: with PreVote the first election starts with a pre-candidate.
    let mut pre_candidate = false;
    for _ in 0..300 {
        run(&mut d, 16);
        pre_candidate |= view(&d).nodes.iter().any(|n| n.role == Role::PreCandidate);
    }
    assert!(pre_candidate && view(&d).leader.is_some());
}

#[test]
fn a_live_latency_change_is_remembered_by_the_setup() {
    let mut d = Session::new(Setup::default());
    d.apply(&Command::parse("link * delay=5..40ms").unwrap())
        .unwrap();
    assert_eq!(d.setup().latency, "5..40ms");
    // One link's latency is not every link's.
    d.apply(&Command::parse("link 1-2 delay=90ms").unwrap())
        .unwrap();
    assert_eq!(d.setup().latency, "5..40ms");
    assert!(d.setup().to_query().contains("latency=5..40ms"));
}

#[test]
fn the_heavy_preset_fills_the_network() {
    let mut d = Session::new(Setup::heavy());
    // About the time the benchmark lets the traffic build up (an election, then 3 s).
    for _ in 0..400 {
        run(&mut d, 16);
    }
    let v = view(&d);
    assert_eq!(v.nodes.len(), 7);
    assert!(v.leader.is_some());
    // The benchmark's load: the issue asks for 7 nodes with about 100 messages in flight.
    let counts: Vec<usize> = (0..100)
        .map(|_| {
            run(&mut d, 16);
            view(&d).messages.len()
        })
        .collect();
    let mean = counts.iter().sum::<usize>() / counts.len();
    assert!(
        (90..=130).contains(&mean),
        "{mean} messages in flight on average: {counts:?}"
    );
}

/// A violation is data: the events the checker names are the ones whose text says so.
#[test]
fn violations_are_marked_on_their_events() {
    let mut d = session();
    let script = crate::cluster::tests::LYING_DISK.replace("log-level none\n", "");
    run_script(&mut d, &script, 3).expect("the script runs");
    let marked: Vec<u64> = d
        .events()
        .iter()
        .filter(|e| d.is_violation(e.index))
        .map(|e| e.index)
        .collect();
    let said: Vec<u64> = d
        .events()
        .iter()
        .filter(|e| e.explanation.contains("SAFETY VIOLATION"))
        .map(|e| e.index)
        .collect();
    assert!(!marked.is_empty(), "the lying disk breaks safety");
    assert_eq!(marked, said);
}

/// Runs the plan a lesson act started to its end, in slices: what it did.
fn settle(d: &mut Session, started: Result<Option<ScriptProgress>, String>) -> Result<(), String> {
    if started?.is_none() {
        return Ok(());
    }
    loop {
        match d.continue_script(2_000) {
            Some(ScriptStep::Running(_)) => {}
            Some(ScriptStep::Done(ScriptDone::Lesson(r))) => return r,
            other => return Err(format!("not a lesson plan's end: {other:?}")),
        }
    }
}

const LESSON_1: &str = include_str!("../../../../static/lessons/01-elections.txt");

/// The first lesson through the session as the page drives it: a wrong prediction, a broken
/// rule refused with its name, the exercise solved by the learner's own commands.
#[test]
fn a_lesson_runs_on_the_session_as_the_learner_acts() {
    use crate::lesson::{Lesson, Progress};
    let mut d = session();
    let lesson = Lesson::parse(LESSON_1).expect("lesson 1 parses");
    let r = d.open_lesson(lesson, 0);
    settle(&mut d, r).expect("step 1 starts");
    assert_eq!(d.setup().seed, 6, "the lesson's own seed");
    assert_eq!(view(&d).nodes.len(), 5);
    assert_eq!(view(&d).leader, None, "600ms in: nobody leads yet");
    let state = d.lesson().expect("open");
    assert_eq!(state.run().progress(0), Progress::Seen);
    // Step 2 asks; choice 2 (node 1) is wrong: the run makes node 5 leader.
    let r = d.lesson_act(LessonAct::Go(1));
    settle(&mut d, r).unwrap();
    let r = d.lesson_act(LessonAct::Answer(1));
    settle(&mut d, r).unwrap();
    let reveal = d.lesson().unwrap().run().reveal().expect("revealed");
    assert_eq!((reveal.chosen, reveal.right), (1, 0));
    assert_eq!(view(&d).leader, Some(5), "the run shows the truth");
    // The exercise: crashing is against its rules, and the refusal says so.
    for k in 2..=3 {
        let r = d.lesson_act(LessonAct::Go(k));
        settle(&mut d, r).unwrap();
    }
    let refused = d.apply(&Command::parse("crash 5").unwrap()).unwrap_err();
    assert!(refused.contains("crash"), "{refused}");
    assert_eq!(view(&d).leader, Some(5), "the crash did not happen");
    let goal = d
        .lesson()
        .unwrap()
        .goal()
        .expect("an exercise under way")
        .clone();
    assert!(goal.holds.is_err() && !goal.reached);
    for line in ["pause 5", "pause 1", "pause 2", "pause 4"] {
        d.apply(&Command::parse(line).unwrap()).unwrap();
    }
    for _ in 0..40 {
        run(&mut d, 100);
    }
    let goal = d.lesson().unwrap().goal().unwrap();
    assert!(goal.holds.is_ok() && goal.reached, "{goal:?}");
    assert_eq!(d.lesson().unwrap().run().progress(3), Progress::Reached);
    // A reset leaves the lesson.
    d.reset(1).unwrap();
    assert!(d.lesson().is_none());
}

/// Stopping a lesson's plan part way leaves the cluster the learner's: the next step that asks
/// something starts from a fresh lesson cluster, not from the stopped one.
#[test]
fn a_stopped_lesson_plan_is_not_taken_for_the_lessons_path() {
    use crate::lesson::Lesson;
    let mut d = session();
    let r = d.open_lesson(Lesson::parse(LESSON_1).unwrap(), 0);
    settle(&mut d, r).unwrap();
    let r = d.lesson_act(LessonAct::Go(1));
    settle(&mut d, r).unwrap();
    assert!(d.lesson_act(LessonAct::Answer(0)).unwrap().is_some());
    // One small slice of the reveal, then Stop.
    let _ = d.continue_script(1);
    match d.stop_script() {
        Some(ScriptStep::Done(ScriptDone::Lesson(Err(e)))) => assert!(e.contains("stopped"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(d.lesson().unwrap().run().reveal().is_none());
    // Asking again starts from the lesson's own cluster and reveals as the checker saw it.
    let r = d.lesson_act(LessonAct::Go(1));
    let fresh = r.clone().unwrap().is_some();
    settle(&mut d, r).unwrap();
    assert!(fresh, "the step is rebuilt");
    let r = d.lesson_act(LessonAct::Answer(0));
    settle(&mut d, r).unwrap();
    assert_eq!(d.lesson().unwrap().run().reveal().map(|r| r.right), Some(0));
    assert_eq!(view(&d).leader, Some(5));
}

#[test]
fn a_script_run_leaves_the_setup_saying_how_its_nodes_are_configured() {
    let mut d = Session::new(Setup::default());
    run_script(
        &mut d,
        "cluster 3 prevote=true checkquorum=true election=20 inflight=7 latency=20..80ms\nrun 1s\n",
        9,
    )
    .unwrap();
    let s = d.setup().clone();
    assert_eq!((s.seed, s.nodes, s.load_every_ms), (9, 3, 0));
    assert!(s.pre_vote && s.check_quorum && !s.lease_reads);
    assert_eq!((s.election, s.inflight), (20, 7));
    assert_eq!(s.latency, "20..80ms");
    // Without compaction in the script, a reset does not compact either.
    assert_eq!(s.snapshot_count, 0);
    // A reset rebuilds that configuration.
    d.reset(9).unwrap();
    assert!(d.script().contains(
        "cluster 3 prevote=true checkquorum=true election=20 latency=20..80ms inflight=7"
    ));
}
