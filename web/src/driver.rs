//! The seam between the page and whatever runs the cluster. The page sends the cluster's own
//! [`Command`]s and reads back one [`Frame`] (the [`ClusterView`], where it stands in the
//! history, and the lists when due); the virtual cluster ([`ClusterDriver`](crate::cluster_driver::ClusterDriver)) sits behind this
//! trait, and so can a test's fixed view, without touching a component.

use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;
use std::rc::Rc;

use cluster::command::Command;
use cluster::lesson::{GoalStatus, Lesson, Progress, Reveal};
use cluster::script::Transcript;
use cluster::script_run::ScriptProgress;
pub use cluster::session::{LessonAct, ScriptDone, ScriptStep};
pub use cluster::timetravel::space_time::SpaceTime;
pub use cluster::trace::project::SpaceTimeAsk;
use cluster::view::ClusterView;
pub use cluster::view::ReadyHistoryView;

/// A shared, immutable value whose equality is identity. The page builds a new one whenever the
/// value changes, so comparing pointers is both correct and O(1): props holding one let yew skip
/// a component without walking the whole cluster picture.
#[derive(Debug, Default)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Shared(Rc::new(value))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// One Raft log line of an event, with etcd's level name (`INFO`, `DEBUG`…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLineView {
    pub level: &'static str,
    /// 0 debug, 1 info, 2 warn, 3 error, 4 fatal: for filtering.
    pub rank: u8,
    pub text: String,
}

/// One entry of the event log: what happened, why (with the paper's section), and what the Raft
/// core logged while it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventLine {
    pub index: u64,
    pub at_ms: u64,
    /// The event's kind (`tick`, `deliver`, `crash`…).
    pub kind: &'static str,
    pub node: Option<u64>,
    /// The sentence that explains the event.
    pub text: String,
    /// Where the rule comes from (`§5.4.1`, `thesis §9.6`).
    pub section: Option<String>,
    /// The core's log lines at or above the filter's level.
    pub log: Vec<LogLineView>,
    /// The safety checker flagged this event.
    pub violation: bool,
}

/// Which events the event log lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventFilter {
    /// Only events about this node.
    pub node: Option<u64>,
    /// The lowest log level shown (0 debug … 3 error). At warn and above, only events that
    /// logged something that serious are listed, so the log becomes a list of problems.
    pub level: u8,
    /// Only events of this kind (`None`: every kind).
    pub kind: Option<String>,
    /// Leave out the clocks' ticks, which are most of the events and rarely the story.
    pub hide_ticks: bool,
    /// Only events whose text (or log) contains this, ignoring ASCII case (the texts are
    /// English; folding all of Unicode would carry its case tables into the page).
    pub text: String,
}

impl Default for EventFilter {
    fn default() -> Self {
        EventFilter {
            node: None,
            level: 1,
            kind: None,
            hide_ticks: true,
            text: String::new(),
        }
    }
}

impl EventFilter {
    /// Whether an event with these attributes passes (the log lines are checked by the caller
    /// for the level rule).
    pub fn admits(&self, kind: &str, node: Option<u64>) -> bool {
        if self.node.is_some() && self.node != node {
            return false;
        }
        if let Some(k) = &self.kind {
            if k != kind {
                return false;
            }
        } else if self.hide_ticks && kind == "tick" {
            return false;
        }
        true
    }

    /// The filter's text in the form [`EventFilter::finds`] takes: ASCII lower case.
    pub fn needle(&self) -> String {
        self.text.to_ascii_lowercase()
    }

    /// Whether `text` contains `needle` (from [`EventFilter::needle`]), ignoring ASCII case; an
    /// empty needle is in every text.
    pub fn finds(needle: &str, text: &str) -> bool {
        needle.is_empty() || text.to_ascii_lowercase().contains(needle)
    }
}

/// A future abandoned by acting in the past.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchView {
    /// The event count at which the new timeline left the old one.
    pub forked_at: u64,
    /// How many events the abandoned timeline had.
    pub events: u64,
}

/// Where the page stands in the history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimelineInfo {
    /// The view shows the past: acting now forks the timeline.
    pub in_past: bool,
    /// Abandoned futures, oldest first.
    pub branches: Vec<BranchView>,
}

/// How the run was started: what a reset rebuilds, and what the settings panel shows and a
/// share link carries (the session's own `Setup`).
pub use cluster::session::Setup as RunSetup;

/// The lesson open, as the session tells it.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonFrame {
    /// The same value for as long as the lesson is open.
    pub lesson: Shared<Lesson>,
    /// The current step (from 0).
    pub current: usize,
    /// How far the learner got with each step.
    pub progress: Vec<Progress>,
    /// The current prediction's outcome, once revealed.
    pub reveal: Option<Reveal>,
    /// The current exercise's goal, once it started.
    pub goal: Option<GoalStatus>,
}

/// Something that owns a cluster, shows it and obeys commands.
pub trait Driver {
    /// The cluster as it is shown. Implementations hand out the same `Rc` as long as nothing
    /// but the clock moved, so the page can skip redrawing what did not change.
    fn view(&self) -> Rc<ClusterView>;
    /// Virtual time now. It may be later than `view().now_ms` when time passed without events.
    fn now_ms(&self) -> u64 {
        self.view().now_ms
    }
    /// Carries out one command. An error is a sentence for the person (the page shows it).
    fn apply(&mut self, cmd: &Command) -> Result<(), String>;
    /// Starts a new run from the initial cluster with this seed.
    fn reset(&mut self, _seed: u64) -> Result<(), String> {
        Err("this cluster cannot start over".into())
    }
    /// Starts a new run with this many nodes.
    fn resize(&mut self, _nodes: u64) -> Result<(), String> {
        Err("this cluster cannot start over".into())
    }
    /// Starts a new run with this setup (the settings panel); refused, with the reason, when a
    /// setting is out of bounds.
    fn restart_with(&mut self, _setup: RunSetup) -> Result<(), String> {
        Err("this cluster cannot start over".into())
    }
    /// Shows the cluster as it was right after its first `events` events.
    fn seek(&mut self, _events: u64) -> Result<(), String> {
        Err("this cluster keeps no history to travel in".into())
    }
    /// Where the shown cluster stands in the history.
    fn timeline(&self) -> TimelineInfo {
        TimelineInfo::default()
    }
    /// The latest events of the shown cluster that pass the filter, newest first, at most
    /// `limit` of them.
    fn events(&self, filter: &EventFilter, limit: usize) -> Vec<EventLine> {
        let view = self.view();
        let needle = filter.needle();
        view.recent_events
            .iter()
            .rev()
            .filter(|e| filter.node.is_none() || filter.node == e.node)
            .filter(|e| EventFilter::finds(&needle, &e.text))
            .take(limit)
            .map(|e| EventLine {
                index: e.index,
                at_ms: e.at_ms,
                kind: "event",
                node: e.node,
                text: e.text.clone(),
                section: None,
                log: Vec::new(),
                violation: false,
            })
            .collect()
    }
    /// The clients' latest operations, newest first, as the history prints them
    /// (`#3 c1 put x=5 [100ms..130ms] ok`).
    fn client_history(&self, _limit: usize) -> Vec<String> {
        Vec::new()
    }
    /// Starts one typed line of script text on the session; it runs in slices
    /// ([`Driver::continue_script`]) like a script.
    fn start_line(&mut self, _line: &str) -> Result<(), String> {
        Err("scripts need the real cluster".into())
    }
    /// Starts a script afresh with `seed`; it runs in slices ([`Driver::continue_script`]),
    /// and the page then shows where it ended, with its whole history to travel in. An error
    /// only when the script does not parse; otherwise where it stands (nothing run yet).
    fn start_script(&mut self, _text: &str, _seed: u64) -> Result<ScriptProgress, String> {
        Err("scripts need the real cluster".into())
    }
    /// Runs the script (or line) under way for about `max_events` more events: where it
    /// stands, or what it did once done. `None` when nothing runs.
    fn continue_script(&mut self, _max_events: u64) -> Option<ScriptStep> {
        None
    }
    /// Stops the script under way where it is.
    fn stop_script(&mut self) -> Option<ScriptStep> {
        None
    }
    /// Executes one line at once (for tests and tools; the page runs it in slices).
    fn execute_line(&mut self, line: &str) -> Result<String, String> {
        self.start_line(line)?;
        loop {
            match self.continue_script(u64::MAX) {
                Some(ScriptStep::Done(ScriptDone::Line(r))) => return r,
                Some(ScriptStep::Running(_)) => {}
                _ => return Err("the line did not run".into()),
            }
        }
    }
    /// Runs a whole script at once (for tests and tools; the page runs it in slices).
    fn run_script(&mut self, text: &str, seed: u64) -> Result<Transcript, String> {
        self.start_script(text, seed)?;
        loop {
            match self.continue_script(u64::MAX) {
                Some(ScriptStep::Done(ScriptDone::Script(t))) => return Ok(*t),
                Some(ScriptStep::Running(_)) => {}
                _ => return Err("the script did not run".into()),
            }
        }
    }
    /// The session so far as a script that replays it.
    fn script(&self) -> String {
        String::new()
    }
    /// Opens the lesson in `text` at step `step` (from 0); its commands then run in slices
    /// ([`Driver::continue_script`]), `None` when there are none. An error when the text is no
    /// lesson (with line and column) or the step does not exist.
    fn open_lesson(&mut self, _text: &str, _step: usize) -> Result<Option<ScriptProgress>, String> {
        Err("lessons need the real cluster".into())
    }
    /// The learner acts on the open lesson; like [`Driver::open_lesson`].
    fn lesson_act(&mut self, _act: LessonAct) -> Result<Option<ScriptProgress>, String> {
        Err("no lesson is open".into())
    }
    /// Closes the lesson; the cluster stays as it is.
    fn close_lesson(&mut self) {}
    /// The open lesson.
    fn lesson(&self) -> Option<LessonFrame> {
        None
    }
    /// The sequence diagram of a window of time as of the event shown, with the latest
    /// abandoned branch's when `with_branch` (`None`: this driver keeps no trace).
    fn space_time(&self, _ask: &SpaceTimeAsk, _with_branch: bool) -> Option<SpaceTime> {
        None
    }
    /// A node's last Ready and its recent ones (`None`: this driver keeps no trace).
    fn ready_history(&self, _node: u64) -> Option<ReadyHistoryView> {
        None
    }
    /// How the run was set up.
    fn setup(&self) -> RunSetup {
        let v = self.view();
        RunSetup {
            seed: v.seed,
            nodes: v.nodes.len() as u64,
            load_every_ms: 0,
            ..RunSetup::default()
        }
    }
}

/// What a frame asks for besides the view: the lists, when they are due (building them scans
/// the event window, so the page asks only every few frames while time runs).
#[derive(Clone, Copy, Debug)]
pub struct ListsAsk<'a> {
    pub filter: &'a EventFilter,
    /// At most this many event-log lines.
    pub events: usize,
    /// At most this many client operations.
    pub clients: usize,
    /// Leave the lists out if the view is still this one: the lists shown already match it.
    pub unless_view: Option<&'a Rc<ClusterView>>,
}

/// The lists a frame brings when asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lists {
    /// The event log's lines for the filter, newest first.
    pub events: Vec<EventLine>,
    /// The clients' latest operations, newest first.
    pub clients: Vec<String>,
}

/// Everything the page draws, in one answer: the page sends a command, then takes a frame.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Virtual time now (the view's clock may lag when nothing else happened).
    pub now_ms: u64,
    /// The same `Rc` as the last frame's while only the clock moved.
    pub view: Rc<ClusterView>,
    pub timeline: TimelineInfo,
    pub setup: RunSetup,
    /// Only when asked.
    pub lists: Option<Lists>,
    pub lesson: Option<LessonFrame>,
}

/// A shared handle on the driver, cheap to clone into the page state. Two handles are equal when
/// they point at the same driver, which is what props comparison needs. The page gives commands
/// through it and reads back one [`Frame`]; nothing else of the driver is reachable.
#[derive(Clone)]
pub struct DriverHandle(Rc<RefCell<dyn Driver>>);

impl DriverHandle {
    pub fn new(driver: impl Driver + 'static) -> Self {
        DriverHandle(Rc::new(RefCell::new(driver)))
    }

    /// What the page shows now, with the lists if asked.
    pub fn frame(&self, lists: Option<ListsAsk>) -> Frame {
        let d = self.0.borrow();
        let view = d.view();
        let lists = lists
            .filter(|ask| {
                ask.unless_view
                    .is_none_or(|shown| !Rc::ptr_eq(shown, &view))
            })
            .map(|ask| Lists {
                events: d.events(ask.filter, ask.events),
                clients: d.client_history(ask.clients),
            });
        Frame {
            now_ms: d.now_ms(),
            view,
            timeline: d.timeline(),
            setup: d.setup(),
            lists,
            lesson: d.lesson(),
        }
    }

    pub fn apply(&self, cmd: &Command) -> Result<(), String> {
        self.0.borrow_mut().apply(cmd)
    }

    pub fn reset(&self, seed: u64) -> Result<(), String> {
        self.0.borrow_mut().reset(seed)
    }

    pub fn resize(&self, nodes: u64) -> Result<(), String> {
        self.0.borrow_mut().resize(nodes)
    }

    pub fn restart_with(&self, setup: RunSetup) -> Result<(), String> {
        self.0.borrow_mut().restart_with(setup)
    }

    pub fn seek(&self, events: u64) -> Result<(), String> {
        self.0.borrow_mut().seek(events)
    }

    /// Runs a whole script at once (tests and tools; the page runs scripts in slices).
    pub fn run_script(&self, text: &str, seed: u64) -> Result<Transcript, String> {
        self.0.borrow_mut().run_script(text, seed)
    }

    pub fn start_line(&self, line: &str) -> Result<(), String> {
        self.0.borrow_mut().start_line(line)
    }

    pub fn start_script(&self, text: &str, seed: u64) -> Result<ScriptProgress, String> {
        self.0.borrow_mut().start_script(text, seed)
    }

    pub fn continue_script(&self, max_events: u64) -> Option<ScriptStep> {
        self.0.borrow_mut().continue_script(max_events)
    }

    pub fn stop_script(&self) -> Option<ScriptStep> {
        self.0.borrow_mut().stop_script()
    }

    pub fn open_lesson(&self, text: &str, step: usize) -> Result<Option<ScriptProgress>, String> {
        self.0.borrow_mut().open_lesson(text, step)
    }

    pub fn lesson_act(&self, act: LessonAct) -> Result<Option<ScriptProgress>, String> {
        self.0.borrow_mut().lesson_act(act)
    }

    pub fn close_lesson(&self) {
        self.0.borrow_mut().close_lesson()
    }

    /// The session so far as a script that replays it (for the record view, share links and
    /// the panic recovery).
    pub fn script(&self) -> String {
        self.0.borrow().script()
    }

    /// The sequence diagram (see [`Driver::space_time`]).
    pub fn space_time(&self, ask: &SpaceTimeAsk, with_branch: bool) -> Option<SpaceTime> {
        self.0.borrow().space_time(ask, with_branch)
    }

    /// A node's Ready history (see [`Driver::ready_history`]).
    pub fn ready_history(&self, node: u64) -> Option<ReadyHistoryView> {
        self.0.borrow().ready_history(node)
    }
}

impl PartialEq for DriverHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for DriverHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DriverHandle")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_values_are_equal_only_to_themselves() {
        let a = Shared::new(vec![1, 2]);
        let b = Shared::new(vec![1, 2]);
        assert_eq!(a, a.clone());
        assert_ne!(a, b, "same contents, another value");
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn the_filter_hides_ticks_unless_asked_for_them() {
        let f = EventFilter::default();
        assert!(!f.admits("tick", Some(1)));
        assert!(f.admits("deliver", Some(1)));
        let f = EventFilter {
            kind: Some("tick".into()),
            ..EventFilter::default()
        };
        assert!(f.admits("tick", Some(1)));
        assert!(!f.admits("deliver", Some(1)));
        let f = EventFilter {
            node: Some(2),
            hide_ticks: false,
            ..EventFilter::default()
        };
        assert!(f.admits("tick", Some(2)));
        assert!(!f.admits("tick", Some(1)));
        assert!(!f.admits("network", None));
    }
}
