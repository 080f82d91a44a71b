//! The page's reducer on a real cluster: playback and its pacing, steps, selection, time
//! travel, the event log's pacing, and scripts run in slices.

use super::*;
use crate::cluster_driver::{ClusterDriver, Setup};

/// A page whose cluster has run long enough to elect a leader (and has messages in flight).
fn led() -> Rc<PageState> {
    let driver = DriverHandle::new(ClusterDriver::new(Setup::default()));
    driver.apply(&Command::Run(3000)).unwrap();
    Rc::new(PageState::new(driver))
}

fn real() -> Rc<PageState> {
    Rc::new(PageState::new(DriverHandle::new(ClusterDriver::new(
        Setup::default(),
    ))))
}

fn reduce(s: Rc<PageState>, actions: impl IntoIterator<Item = Action>) -> Rc<PageState> {
    actions.into_iter().fold(s, |s, a| s.reduce(a))
}

#[test]
fn starts_paused_with_the_leader_selected() {
    let s = led();
    assert!(!s.playing);
    let leader = s.view.leader.expect("a leader after 3 s");
    assert_eq!(s.selection, Selection::Node(leader));
    assert_eq!(s.speed_factor(), 0.1);
    assert!(
        PageState::new(DriverHandle::new(ClusterDriver::new(Setup::default())))
            .playing()
            .playing
    );
}

#[test]
fn frames_advance_virtual_time_only_while_playing() {
    let s = real();
    let t0 = s.now_ms;
    let s2 = s.clone().reduce(Action::Frame { real_ms: 100.0 });
    assert!(Rc::ptr_eq(&s, &s2), "a paused frame is not a change");
    let s = reduce(
        s,
        [
            Action::Play,
            Action::Speed(6), // 1×
            Action::Frame { real_ms: 100.0 },
            Action::Frame { real_ms: 50.0 },
        ],
    );
    assert_eq!(s.now_ms, t0 + 150);
    let script = s.driver.script();
    let after_load = script.split("load every=").nth(1).unwrap_or_default();
    let runs = after_load.lines().filter(|l| l.starts_with("run ")).count();
    assert_eq!(runs, 1, "the frames merge into one run: {script}");
}

#[test]
fn slow_speeds_carry_fractions_of_a_millisecond() {
    // At 1/100×, 30 ms of real time is 0.3 ms of virtual time: four frames make one.
    let s = reduce(real(), [Action::Play, Action::Speed(0)]);
    let t0 = s.now_ms;
    let s = reduce(s, (0..4).map(|_| Action::Frame { real_ms: 30.0 }));
    assert_eq!(s.now_ms, t0 + 1);
}

#[test]
fn a_long_pause_of_the_tab_does_not_leap() {
    let s = reduce(real(), [Action::Play, Action::Speed(6)]);
    let t0 = s.now_ms;
    let s = s.reduce(Action::Frame { real_ms: 60_000.0 });
    assert_eq!(s.now_ms, t0 + MAX_FRAME_MS as u64);
}

#[test]
fn the_first_leader_is_selected_once() {
    let s = reduce(real(), [Action::Play, Action::Speed(6)]);
    assert_eq!(s.selection, Selection::Nothing, "no leader yet");
    let s = reduce(s, (0..20).map(|_| Action::Frame { real_ms: 200.0 }));
    let leader = s.view.leader.expect("a leader after 4 s");
    assert_eq!(s.selection, Selection::Node(leader));
    // The person's choice wins afterwards.
    let s = reduce(s, [Action::Escape]);
    let s = reduce(s, (0..5).map(|_| Action::Frame { real_ms: 200.0 }));
    assert_eq!(s.selection, Selection::Nothing);
}

#[test]
fn steps_pause_and_move_the_cluster() {
    let s = reduce(real(), [Action::Play, Action::Tick]);
    assert!(!s.playing);
    assert!(s.driver.script().ends_with("step tick\n"));
    let before = s.view.events;
    let s = s.reduce(Action::StepMessage);
    assert!(
        s.view.events > before,
        "the election's first message arrived"
    );
    assert!(s.error.is_none(), "{:?}", s.error);
    let s = s.reduce(Action::StepReady);
    assert!(s.error.is_none(), "{:?}", s.error);
}

#[test]
fn a_refused_command_shows_an_error_and_stops_playback() {
    let s = reduce(real(), [Action::Play, Action::Cluster(Command::Restart(2))]);
    assert!(!s.playing);
    let err = s.error.clone().expect("an error");
    assert!(err.starts_with("restart 2: "), "{err}");
    let s = s.reduce(Action::DismissError);
    assert_eq!(s.error, None);
}

#[test]
fn seeking_shows_the_past_and_acting_there_forks() {
    let s = reduce(real(), [Action::Speed(6), Action::Play]);
    let s = reduce(s, (0..15).map(|_| Action::Frame { real_ms: 200.0 }));
    let total = s.view.events;
    let s = reduce(s, [Action::Seek(total / 2)]);
    assert!(!s.playing, "seeking pauses");
    assert!(s.timeline.in_past);
    assert_eq!(s.view.cursor, total / 2);
    let s = reduce(s, [Action::SeekBy(-1)]);
    assert_eq!(s.view.cursor, total / 2 - 1);
    assert_eq!(s.events.first().map(|e| e.index < total / 2), Some(true));
    let s = reduce(s, [Action::Cluster(Command::Crash(3))]);
    assert!(!s.timeline.in_past);
    assert_eq!(s.timeline.branches.len(), 1);
    assert_eq!(s.view.events, total / 2);
    let s = reduce(s, [Action::Seek(3), Action::BackToPresent]);
    assert!(!s.timeline.in_past);
    assert_eq!(s.view.cursor, s.view.events);
}

#[test]
fn the_lists_follow_every_few_frames_and_catch_up_on_pause() {
    let s = reduce(real(), [Action::Speed(6), Action::Play]);
    let s = reduce(
        s,
        (0..LISTS_EVERY_FRAMES).map(|_| Action::Frame { real_ms: 100.0 }),
    );
    let newest = |s: &PageState| s.events.first().map(|e| e.index);
    let at = newest(&s);
    let s = s.reduce(Action::Frame { real_ms: 100.0 });
    assert_eq!(newest(&s), at, "one frame later the log waits");
    assert!(s.view.events > at.unwrap_or(0) + 1);
    assert_eq!(
        s.events.len(),
        EVENT_LOG_LINES_PLAYING,
        "a shorter log while playing"
    );
    let s = s.reduce(Action::Pause);
    assert!(newest(&s) > at, "pausing brings the log up to date");
    assert!(!s.lists_stale);
    assert_eq!(s.events.len(), EVENT_LOG_LINES, "and lengthens it");
}

#[test]
fn every_list_frame_brings_the_lists_up_to_date_even_when_nothing_happened_in_it() {
    // One virtual millisecond a frame: most frames change nothing on the cluster.
    let mut s = reduce(real(), [Action::Speed(6), Action::Play]);
    let mut quiet_list_frames = 0;
    for _ in 0..(20 * LISTS_EVERY_FRAMES) {
        let before = s.view.clone();
        s = s.reduce(Action::Frame { real_ms: 1.0 });
        if s.frames.is_multiple_of(LISTS_EVERY_FRAMES) {
            assert!(!s.lists_stale, "frame {}: the lists are behind", s.frames);
            quiet_list_frames += usize::from(s.view == before);
        }
    }
    assert!(quiet_list_frames > 0, "some list frames changed nothing");
}

#[test]
fn filters_change_the_event_log_only() {
    let s = reduce(real(), [Action::Speed(6), Action::Play]);
    let s = reduce(s, (0..10).map(|_| Action::Frame { real_ms: 200.0 }));
    let view = s.view.clone();
    let f = EventFilter {
        node: Some(3),
        ..EventFilter::default()
    };
    let s = s.reduce(Action::Filter(f.clone()));
    assert_eq!(s.view, view, "the cluster is untouched");
    assert!(s.events.iter().all(|e| e.node == Some(3)));
    let same = s.clone().reduce(Action::Filter(f));
    assert!(Rc::ptr_eq(&s, &same));
}

#[test]
fn speed_stays_within_bounds() {
    let s = reduce(real(), (0..30).map(|_| Action::Faster));
    assert_eq!(s.speed_factor(), 100.0);
    let s = reduce(s, (0..30).map(|_| Action::Slower));
    assert_eq!(s.speed_factor(), 0.01);
    let s = s.reduce(Action::Speed(99));
    assert_eq!(s.speed_factor(), 100.0);
}

#[test]
fn escape_closes_help_then_the_error_then_the_selection() {
    let s = led();
    let leader = s.view.leader.expect("a leader");
    let s = reduce(
        s,
        [
            // Refused: the node is running.
            Action::Cluster(Command::Restart(leader)),
            Action::ToggleHelp,
            Action::Escape,
        ],
    );
    assert!(!s.help_open);
    assert!(s.error.is_some());
    let s = s.reduce(Action::Escape);
    assert_eq!(s.error, None);
    assert_eq!(s.selection, Selection::Node(leader));
    let s = s.reduce(Action::Escape);
    assert_eq!(s.selection, Selection::Nothing);
}

#[test]
fn only_existing_things_can_be_selected() {
    let s = led();
    let same = s.clone().reduce(Action::Select(Selection::Node(7)));
    assert!(Rc::ptr_eq(&s, &same), "there is no node 7");
    let id = s.view.messages.first().expect("a message in flight").id;
    let s = s.reduce(Action::Select(Selection::Message(id)));
    assert_eq!(s.selection, Selection::Message(id));
    let s = s.reduce(Action::Select(Selection::Link(2, 4)));
    assert_eq!(s.selection, Selection::Link(2, 4));
}

#[test]
fn script_lines_and_scripts_reach_the_cluster() {
    let s = real().reduce(Action::RunScript {
        text: "cluster 3\ncampaign 2\nstabilize\n".into(),
        seed: 4,
    });
    assert!(s.last_run.is_none(), "the first slice runs from the timer");
    let s = s.reduce(Action::ScriptSlice);
    assert_eq!(s.view.leader, Some(2));
    assert_eq!(s.setup.seed, 4);
    assert!(s.last_run.as_ref().is_some_and(|t| t.passed()));
    let s = s.reduce(Action::ExecuteLine("expect leader=2".into()));
    assert_eq!(s.error, None);
    let s = s.reduce(Action::ExecuteLine("expect leader=1".into()));
    assert!(s
        .error
        .as_deref()
        .unwrap_or("")
        .starts_with("expect leader=1: "));
}

#[test]
fn a_long_script_runs_in_slices_that_end_as_the_whole_run_does_and_can_stop() {
    let text = "cluster 3\nload every=200ms\nrun 600s\nexpect safe\n";
    let headless = cluster::script::Script::run(text, 5).unwrap();
    let s = real().reduce(Action::RunScript {
        text: text.into(),
        seed: 5,
    });
    let p = s.script_progress.clone().expect("running before any slice");
    assert_eq!((p.done, p.commands), (0, 4));
    let mut s = s.reduce(Action::ScriptSlice);
    let p = s
        .script_progress
        .clone()
        .expect("still running after one slice");
    assert_eq!((p.done, p.commands, p.line), (2, 4, Some(3)));
    // Anything else waits: frames do nothing, a command is refused with a reason.
    let before = s.now_ms;
    let s2 = s
        .clone()
        .reduce(Action::Play)
        .reduce(Action::Frame { real_ms: 100.0 });
    assert_eq!(s2.now_ms, before);
    let s3 = s.clone().reduce(Action::Cluster(Command::Crash(1)));
    assert!(s3
        .error
        .as_deref()
        .unwrap_or("")
        .contains("script is running"));
    let mut slices = 1;
    let mut stale_slices = 0;
    while s.script_progress.is_some() {
        s = s.reduce(Action::ScriptSlice);
        slices += 1;
        // The lists follow only every few slices: scanning the event log each slice cost
        // more than the slice's own work.
        if s.script_progress.is_some() && !s.lists_current() {
            stale_slices += 1;
        }
    }
    assert!(slices > 3, "{slices} slices");
    assert!(stale_slices > 0, "the lists wait while the script runs");
    assert!(s.lists_current(), "and are up to date once it ends");
    let t = s.last_run.clone().expect("a transcript");
    assert_eq!(t.rewritten, headless.rewritten);
    // The session, recorded in pieces at its checkpoints, replays to the same history.
    let replayed = cluster::script::Script::run(&s.driver.script(), 5).unwrap();
    assert_eq!(replayed.history_hash, headless.history_hash);
    // The page shows the end of that run, with its history to travel in.
    assert_eq!(s.now_ms, headless.cluster.now());
    let s = s.reduce(Action::Seek(10));
    assert_eq!(s.view.cursor, 10);

    // Stopped midway, the run keeps what it did and the rest does not run.
    let s = real().reduce(Action::RunScript {
        text: text.into(),
        seed: 5,
    });
    let s = s.reduce(Action::ScriptSlice).reduce(Action::StopScript);
    assert!(s.script_progress.is_none());
    let t = s.last_run.clone().expect("a transcript of what ran");
    assert!(t.rewritten.contains("(not run: the run was stopped)"));
    assert!(s.now_ms < headless.cluster.now());
    assert!(s.driver.script().contains("stop-after events="));
}

#[test]
fn progress_reads_in_seconds_of_virtual_time() {
    use crate::components::script_panel::{progress_text, seconds_text};
    assert_eq!(seconds_text(0), "0.0 s");
    assert_eq!(seconds_text(1234), "1.2 s");
    assert_eq!(seconds_text(3_600_000), "3600.0 s");
    let p = ScriptProgress {
        done: 2,
        commands: 4,
        line: Some(3),
        now: 61_000,
        span: Some((1000, 601_000)),
    };
    assert_eq!(
        progress_text(&p),
        "Running command 3 of 4 (line 3): 60.0 s of 600.0 s of virtual time"
    );
}

#[test]
fn speeds_read_as_fractions_and_multiples() {
    assert_eq!(speed_label(0.01), "1/100×");
    assert_eq!(speed_label(0.1), "1/10×");
    assert_eq!(speed_label(1.0), "1×");
    assert_eq!(speed_label(100.0), "100×");
}

/// Runs slices until the script or lesson plan under way is done.
fn until_idle(mut s: Rc<PageState>) -> Rc<PageState> {
    for _ in 0..10_000 {
        if s.script_progress.is_none() {
            return s;
        }
        s = s.reduce(Action::ScriptSlice);
    }
    panic!("the run did not end");
}

#[test]
fn a_lesson_opens_runs_its_plans_in_slices_and_refuses_a_broken_rule() {
    let s = real().reduce(Action::OpenLesson {
        number: Some(1),
        text: Rc::from(crate::course::COURSE[0]),
        step: 1,
    });
    assert!(
        s.script_progress.is_some(),
        "the lesson's path runs in slices"
    );
    let s = until_idle(s);
    let lesson = s.lesson.clone().expect("open");
    assert_eq!(lesson.current, 1);
    assert_eq!(s.lesson_number, Some(1));
    assert_eq!(s.setup.seed, 6, "the lesson's cluster");
    let s = until_idle(s.reduce(Action::Lesson(LessonAct::Answer(2))));
    let reveal = s.lesson.as_ref().unwrap().reveal.expect("revealed");
    assert_eq!((reveal.chosen, reveal.right), (2, 0));
    let s = until_idle(s.reduce(Action::Lesson(LessonAct::Go(3))));
    let s = s.reduce(Action::Cluster(Command::Crash(5)));
    let refusal = s.error.clone().expect("refused");
    assert!(refusal.contains("without crashing"), "{refusal}");
    assert!(
        s.lesson.as_ref().unwrap().goal.is_some(),
        "the goal is followed"
    );
    let s = s.reduce(Action::CloseLesson);
    assert!(s.lesson.is_none() && s.lesson_number.is_none());
}

#[test]
fn the_settings_panel_opens_and_escape_closes_it_first() {
    let s = reduce(real(), [Action::ToggleSettings]);
    assert!(s.settings_open);
    let s = s.reduce(Action::Escape);
    assert!(!s.settings_open);
    let s = reduce(
        s,
        [Action::ToggleHelp, Action::ToggleSettings, Action::Escape],
    );
    assert!(s.settings_open && !s.help_open, "the help closes first");
}

#[test]
fn a_new_run_takes_the_settings_and_a_refused_one_keeps_the_run() {
    let s = led();
    let events = s.view.events;
    let bad = Setup {
        lease_reads: true,
        ..s.setup.clone()
    };
    let s = s.reduce(Action::NewRun(bad));
    let why = s.error.clone().expect("refused");
    assert!(why.contains("check-quorum"), "{why}");
    assert_eq!(s.view.events, events, "the run goes on as it was");
    let wanted = Setup {
        pre_vote: true,
        check_quorum: true,
        lease_reads: true,
        election: 12,
        ..s.setup.clone()
    };
    let s = s.reduce(Action::NewRun(wanted.clone()));
    assert_eq!(s.error, None);
    assert_eq!(s.setup, wanted, "the frame brings the new setup back");
    let script = s.driver().script();
    assert!(
        script
            .contains("cluster 5 prevote=true checkquorum=true read-only=lease-based election=12"),
        "{script}"
    );
}
