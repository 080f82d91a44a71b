//! The real thing: the page's [`Driver`] over a live [`Session`] of the virtual cluster. The
//! session does the work (commands, the lead-in, the load, time travel, scripts in slices, the
//! recorded script); the driver keeps the view it last drew, so the page can skip redrawing when
//! only the clock moved, and lists events through the page's filter.

use std::rc::Rc;

use cluster::command::Command;
use cluster::script_run::ScriptProgress;
use cluster::session::Session;
use cluster::view::ClusterView;
use raft::logger::Level;

use crate::driver::{
    BranchView, Driver, EventFilter, EventLine, LessonAct, LessonFrame, LogLineView,
    ReadyHistoryView, RunSetup, ScriptStep, Shared, SpaceTime, SpaceTimeAsk, TimelineInfo,
};
use crate::perf;
use cluster::lesson::Lesson;

pub use cluster::session::{Setup, DEFAULT_LOAD_EVERY_MS, MAX_NODES};

/// What identifies the shown state: when none of it changed, neither did the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    events: u64,
    position: u64,
    in_past: bool,
    branches: usize,
}

/// The driver over the virtual cluster.
#[derive(Debug)]
pub struct ClusterDriver {
    session: Session,
    view: Rc<ClusterView>,
    stamp: Stamp,
    /// Virtual time of the shown cluster (the view's may be older: see [`Driver::view`]).
    now: u64,
    /// The open lesson's text as parsed, shared with every frame while it is open.
    lesson: Option<Shared<Lesson>>,
}

/// A level's rank for filtering (0 debug … 4 fatal): the levels are declared in that order.
fn rank(level: Level) -> u8 {
    level as u8
}

impl ClusterDriver {
    pub fn new(setup: Setup) -> Self {
        let session = Session::new(setup);
        let view = Rc::new(session.history().view());
        let mut d = ClusterDriver {
            session,
            view,
            stamp: Stamp {
                events: 0,
                position: 0,
                in_past: false,
                branches: 0,
            },
            now: 0,
            lesson: None,
        };
        d.stamp = d.current_stamp();
        d.now = d.session.history().cluster().now();
        d
    }

    /// The timeline shown: the session's, or the one a running script is making.
    #[cfg(test)]
    fn history(&self) -> &cluster::timetravel::Timeline {
        self.session.history()
    }

    fn current_stamp(&self) -> Stamp {
        let h = self.session.history();
        Stamp {
            events: h.len(),
            position: h.position(),
            in_past: h.is_in_past(),
            branches: h.branches().len(),
        }
    }

    /// Rebuilds the view after a change; with `only_time`, keeps the old one if no event
    /// happened (time passing alone changes nothing the view shows but the clock).
    fn refresh(&mut self, only_time: bool) {
        let stamp = self.current_stamp();
        self.now = self.session.history().cluster().now();
        if only_time && stamp == self.stamp {
            return;
        }
        let t0 = perf::now_ms();
        self.view = Rc::new(self.session.history().view());
        perf::add(perf::Part::View, perf::now_ms() - t0);
        self.stamp = stamp;
    }

    /// Refreshes after `r` (see [`ClusterDriver::refresh`]); while a script runs, the session
    /// refused and nothing changed.
    fn after<T>(&mut self, r: Result<T, String>, only_time: bool) -> Result<(), String> {
        if !self.session.is_running() {
            self.refresh(only_time);
        }
        r.map(|_| ())
    }
}

impl ClusterDriver {
    /// After a lesson act: the view follows a plan that started afresh or settled at once.
    fn after_lesson(
        &mut self,
        r: Result<Option<ScriptProgress>, String>,
    ) -> Result<Option<ScriptProgress>, String> {
        self.refresh(false);
        r
    }
}

impl Driver for ClusterDriver {
    fn view(&self) -> Rc<ClusterView> {
        self.view.clone()
    }

    fn space_time(&self, ask: &SpaceTimeAsk, with_branch: bool) -> Option<SpaceTime> {
        let t0 = perf::now_ms();
        let st = self.session.history().space_time(ask, with_branch);
        perf::add(perf::Part::View, perf::now_ms() - t0);
        Some(st)
    }

    fn ready_history(&self, node: u64) -> Option<ReadyHistoryView> {
        Some(self.session.history().ready_history(node))
    }

    fn now_ms(&self) -> u64 {
        self.now
    }

    fn apply(&mut self, cmd: &Command) -> Result<(), String> {
        if matches!(cmd, Command::Run(_)) && !self.session.is_running() {
            // A panic with the driver borrowed, the worst place for one, when a test asks.
            if crate::panic::test_panic_requested() {
                panic!("a panic requested by the page's end-to-end tests");
            }
        }
        let r = self.session.apply(cmd);
        self.after(r, matches!(cmd, Command::Run(_)))
    }

    fn reset(&mut self, seed: u64) -> Result<(), String> {
        let r = self.session.reset(seed);
        self.after(r, false)
    }

    fn resize(&mut self, nodes: u64) -> Result<(), String> {
        let r = self.session.resize(nodes);
        self.after(r, false)
    }

    fn restart_with(&mut self, setup: Setup) -> Result<(), String> {
        let r = self.session.restart_with(setup);
        self.after(r, false)
    }

    fn seek(&mut self, events: u64) -> Result<(), String> {
        let r = self.session.seek(events);
        self.after(r, false)
    }

    fn timeline(&self) -> TimelineInfo {
        let h = self.session.history();
        TimelineInfo {
            in_past: h.is_in_past(),
            branches: h
                .branches()
                .iter()
                .map(|b| BranchView {
                    forked_at: b.forked_at,
                    events: b.events,
                })
                .collect(),
        }
    }

    fn events(&self, filter: &EventFilter, limit: usize) -> Vec<EventLine> {
        let needle = filter.needle();
        let mut out = Vec::new();
        for e in self.session.events().iter().rev() {
            let kind = e.kind.name();
            if !filter.admits(kind, e.node) {
                continue;
            }
            let log: Vec<LogLineView> = e
                .log
                .iter()
                .filter(|l| rank(l.level) >= filter.level)
                .map(|l| LogLineView {
                    level: l.level.name(),
                    rank: rank(l.level),
                    text: l.text.clone(),
                })
                .collect();
            if filter.level >= 2 && log.is_empty() {
                continue;
            }
            if !EventFilter::finds(&needle, &e.explanation)
                && !log.iter().any(|l| EventFilter::finds(&needle, &l.text))
            {
                continue;
            }
            out.push(EventLine {
                index: e.index,
                at_ms: e.at,
                kind,
                node: e.node,
                violation: self.session.is_violation(e.index),
                text: e.explanation.clone(),
                section: e.section.clone(),
                log,
            });
            if out.len() >= limit {
                break;
            }
        }
        out
    }

    fn client_history(&self, limit: usize) -> Vec<String> {
        self.session
            .history()
            .cluster()
            .history()
            .operations()
            .iter()
            .rev()
            .take(limit)
            .map(|op| op.to_string())
            .collect()
    }

    fn start_line(&mut self, line: &str) -> Result<(), String> {
        self.session.start_line(line)
    }

    fn start_script(&mut self, text: &str, seed: u64) -> Result<ScriptProgress, String> {
        let progress = self.session.start_script(text, seed)?;
        self.refresh(false);
        Ok(progress)
    }

    fn continue_script(&mut self, max_events: u64) -> Option<ScriptStep> {
        let step = self.session.continue_script(max_events)?;
        self.refresh(false);
        Some(step)
    }

    fn stop_script(&mut self) -> Option<ScriptStep> {
        let step = self.session.stop_script()?;
        self.refresh(false);
        Some(step)
    }

    fn script(&self) -> String {
        self.session.script()
    }

    fn open_lesson(&mut self, text: &str, step: usize) -> Result<Option<ScriptProgress>, String> {
        let lesson = Lesson::parse(text).map_err(|e| e.to_string())?;
        let shared = Shared::new(lesson.clone());
        let r = self.session.open_lesson(lesson, step);
        if r.is_ok() {
            self.lesson = Some(shared);
        }
        self.after_lesson(r)
    }

    fn lesson_act(&mut self, act: LessonAct) -> Result<Option<ScriptProgress>, String> {
        let r = self.session.lesson_act(act);
        self.after_lesson(r)
    }

    fn close_lesson(&mut self) {
        self.session.close_lesson();
        self.lesson = None;
    }

    fn lesson(&self) -> Option<LessonFrame> {
        let state = self.session.lesson()?;
        let lesson = self.lesson.clone()?;
        let run = state.run();
        Some(LessonFrame {
            current: run.current(),
            progress: (0..lesson.steps.len()).map(|k| run.progress(k)).collect(),
            reveal: run.reveal(),
            goal: state.goal().cloned(),
            lesson,
        })
    }

    fn setup(&self) -> RunSetup {
        self.session.setup().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn driver() -> ClusterDriver {
        ClusterDriver::new(Setup::default())
    }

    fn run(d: &mut ClusterDriver, ms: u64) {
        d.apply(&Command::Run(ms)).expect("run");
    }

    #[test]
    fn time_alone_keeps_the_same_view() {
        let mut d = driver();
        // A fresh cluster right after the lead-in: the next thing is at least a tick away.
        let before = d.view();
        let t0 = d.now_ms();
        run(&mut d, 1);
        if d.history().len() == d.stamp.events {
            assert!(Rc::ptr_eq(&before, &d.view()), "no event, same view");
        }
        assert_eq!(d.now_ms(), t0 + 1);
        run(&mut d, 1000);
        assert!(!Rc::ptr_eq(&before, &d.view()), "events, new view");
        assert_eq!(d.view().now_ms, d.now_ms());
    }

    #[test]
    fn the_event_log_filters_by_node_kind_and_level() {
        let mut d = driver();
        run(&mut d, 3000);
        let all = d.events(&EventFilter::default(), 50);
        assert_eq!(all.len(), 50);
        assert!(
            all.windows(2).all(|w| w[0].index > w[1].index),
            "newest first"
        );
        assert!(
            all.iter().all(|e| e.kind != "tick"),
            "ticks hidden by default"
        );
        assert!(all.iter().any(|e| e.section.is_some()), "events say why");
        let two = d.events(
            &EventFilter {
                node: Some(2),
                ..EventFilter::default()
            },
            20,
        );
        assert!(!two.is_empty() && two.iter().all(|e| e.node == Some(2)));
        let ticks = d.events(
            &EventFilter {
                kind: Some("tick".into()),
                ..EventFilter::default()
            },
            5,
        );
        assert!(ticks.iter().all(|e| e.kind == "tick") && !ticks.is_empty());
        // The election's log lines are there at INFO, and the DEBUG ones only when asked.
        let info = d.events(
            &EventFilter {
                text: "became leader".into(),
                ..EventFilter::default()
            },
            5,
        );
        assert!(!info.is_empty());
        assert!(info.iter().all(|e| e.log.iter().all(|l| l.rank >= 1)));
        // Case does not matter; words that are nowhere match nothing.
        let shouted = d.events(
            &EventFilter {
                text: "BECAME Leader".into(),
                ..EventFilter::default()
            },
            5,
        );
        assert_eq!(
            shouted.iter().map(|e| e.index).collect::<Vec<_>>(),
            info.iter().map(|e| e.index).collect::<Vec<_>>()
        );
        let none = EventFilter {
            text: "became emperor".into(),
            ..EventFilter::default()
        };
        assert!(d.events(&none, 5).is_empty());
        let lines = |level: u8| -> usize {
            d.events(
                &EventFilter {
                    level,
                    ..EventFilter::default()
                },
                5000,
            )
            .iter()
            .map(|e| e.log.len())
            .sum()
        };
        // The election's INFO lines ("became leader") are in the whole run's log.
        assert!(lines(0) >= lines(1) && lines(1) > 0);
        let warnings = d.events(
            &EventFilter {
                level: 2,
                ..EventFilter::default()
            },
            50,
        );
        assert!(
            warnings.iter().all(|e| e.log.iter().any(|l| l.rank >= 2)),
            "at WARN, only events that logged a warning"
        );
    }

    /// A tiny deterministic generator for the session fuzzer (the page has no RNG of its own).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
    }

    thread_local! {
        static PANICS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }

    /// Counts every panic on this thread, even one the cluster catches: in the release build
    /// (`panic = "abort"`) nothing is caught, so any panic would kill the page.
    fn count_panics() {
        static HOOK: std::sync::Once = std::sync::Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                PANICS.with(|p| p.set(p.get() + 1));
                previous(info);
            }));
        });
    }

    /// A random command a person could give by clicking, as its script line.
    fn random_line(rng: &mut Lcg, v: &ClusterView) -> String {
        let n = v.nodes.len().max(1) as u64;
        let node = |rng: &mut Lcg| rng.below(n) + 1;
        let msg = |rng: &mut Lcg| {
            if v.messages.is_empty() || rng.below(5) == 0 {
                rng.below(10_000)
            } else {
                v.messages[rng.below(v.messages.len() as u64) as usize].id
            }
        };
        let sep = |rng: &mut Lcg| if rng.below(2) == 0 { "-" } else { "->" };
        match rng.below(34) {
            0..=5 => format!("run {}ms", rng.below(400) + 1),
            6 => "step tick".into(),
            7 => "step message".into(),
            8 => "step ready".into(),
            9 => format!("crash {}", node(rng)),
            10 => format!("restart {}", node(rng)),
            11 => format!("wipe {}", node(rng)),
            12 => format!("pause {}", node(rng)),
            13 => format!("resume {}", node(rng)),
            14 => format!("campaign {}", node(rng)),
            15 => format!(
                "transfer-leadership from={} to={}",
                v.leader.unwrap_or_else(|| node(rng)),
                node(rng)
            ),
            16 => format!("forget-leader {}", node(rng)),
            17 => {
                let mut groups = vec![Vec::new(), Vec::new(), Vec::new()];
                for id in 1..=n {
                    groups[rng.below(3) as usize].push(id.to_string());
                }
                groups.retain(|g| !g.is_empty());
                let groups: Vec<String> = groups
                    .iter()
                    .map(|g| format!("({})", g.join(" ")))
                    .collect();
                format!("partition {}", groups.join(" "))
            }
            18 => "heal".into(),
            19 => format!("cut {}{}{}", node(rng), sep(rng), node(rng)),
            20 => format!(
                "link {}{}{} drop={} delay={}..{}ms",
                node(rng),
                sep(rng),
                node(rng),
                rng.below(11) as f64 / 10.0,
                rng.below(50),
                50 + rng.below(100)
            ),
            21 => format!("link {}-{} reset", node(rng), node(rng)),
            22 => format!("put {} k={}", node(rng), rng.below(100)),
            23 => format!("get {} k", node(rng)),
            24 => format!(
                "{} {}",
                if rng.below(2) == 0 { "auto" } else { "manual" },
                node(rng)
            ),
            25 => {
                let step =
                    ["persist", "send", "apply", "advance", "process-ready"][rng.below(5) as usize];
                format!("{step} {}", node(rng))
            }
            26 => format!("deliver-msg {}", msg(rng)),
            27 => format!("drop-msg {}", msg(rng)),
            28 => format!("duplicate-msg {}", msg(rng)),
            29 => format!("hold-msg {}", msg(rng)),
            30 => format!("release-msg {}", msg(rng)),
            31 if n < MAX_NODES => {
                let verb = if rng.below(2) == 0 {
                    "add-node"
                } else {
                    "add-learner"
                };
                format!("{verb} {}", n + 1)
            }
            32 => {
                let verb = if rng.below(2) == 0 {
                    "promote"
                } else {
                    "remove-node"
                };
                format!("{verb} {}", node(rng))
            }
            _ => "run 50ms".into(),
        }
    }

    /// Whatever a person clicks, in whatever order, the page gets an answer or a refusal,
    /// never a panic: random sessions of every page command, with seeks into the past (which
    /// fork when acted on).
    #[test]
    fn random_sessions_never_panic() {
        count_panics();
        for case in 0..12u64 {
            let mut rng = Lcg(case * 7919 + 1);
            let mut d = ClusterDriver::new(Setup {
                seed: case,
                nodes: 3 + case % 3,
                ..Setup::default()
            });
            for _ in 0..150 {
                if rng.below(12) == 0 {
                    let len = d.history().len();
                    let _ = d.seek(rng.below(len + 1));
                    continue;
                }
                // A line the language refuses (a link to itself) is not a command the page
                // could give.
                if let Ok(cmd) = Command::parse(&random_line(&mut rng, &d.view())) {
                    let _ = d.apply(&cmd);
                }
            }
            let _ = d.events(&EventFilter::default(), 40);
            assert_eq!(
                PANICS.with(|p| p.get()),
                0,
                "case {case}: a panic (caught by the cluster natively, fatal in the browser)\n{}",
                d.script()
            );
        }
    }
}
