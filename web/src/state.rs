//! The page's single state and its reducer. Actions that change the cluster are the cluster's
//! own commands ([`Command`]) forwarded to the driver, which records them; the rest only change what the page
//! shows (selection, playback, the event filter, overlays) or where in the history it looks.

use std::cell::Cell;
use std::rc::Rc;

use cluster::command::{Command, StepKind};
use cluster::script::Transcript;
use cluster::script_run::ScriptProgress;
use cluster::view::ClusterView;
use yew::Reducible;

use crate::driver::{
    DriverHandle, EventFilter, EventLine, Frame, LessonAct, LessonFrame, Lists, ListsAsk, RunSetup,
    ScriptDone, ScriptStep, Shared, TimelineInfo,
};
use crate::perf;

/// Playback speeds, as multiples of real time: 1/100× lets a person follow single messages
/// across a link; 100× runs a minute of cluster life in under a second.
pub const SPEEDS: [f64; 13] = [
    0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0,
];

/// 1/10×: slow enough that a heartbeat visibly crosses its link on the first look.
pub const DEFAULT_SPEED: usize = 3;

/// The longest stretch of real time one frame may account for. A tab in the background gets
/// few frames; catching up all at once would make the cluster leap.
const MAX_FRAME_MS: f64 = 250.0;

/// How many events the event log lists.
pub const EVENT_LOG_LINES: usize = 40;

/// How many while playing: enough to fill the panel at any size (it shows at most about 15),
/// and at full traffic every refresh replaces them all, so fewer rows make a lighter frame.
/// Pausing lists [`EVENT_LOG_LINES`] again.
pub const EVENT_LOG_LINES_PLAYING: usize = 16;

/// How many client operations the clients panel lists.
pub const CLIENT_LINES: usize = 12;

/// While playing, the event log, the clients' list and the list of messages for screen readers
/// follow every this many frames (about twice a second): faster than that nobody can read them,
/// and at full traffic every refresh replaces every row, which costs the diagram its smoothness.
/// Pausing brings them up to date.
pub const LISTS_EVERY_FRAMES: u32 = 30;

/// How a speed reads on the page: `1/20×`, `1×`, `50×`.
pub fn speed_label(speed: f64) -> String {
    // Whole numbers both ways, printed as integers: the page carries no float printer.
    if speed < 1.0 {
        format!("1/{}×", (1.0 / speed).round() as u64)
    } else {
        format!("{}×", speed.round() as u64)
    }
}

/// What the inspector shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    #[default]
    Nothing,
    Node(u64),
    Message(u64),
    /// The pair of directed links between two nodes, smaller id first.
    Link(u64, u64),
}

/// The panels of the dock under the logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DockTab {
    #[default]
    Events,
    Clients,
    Network,
    /// The script editor: built-in scenarios, run, record, export/import, share.
    Script,
}

/// Everything that can happen to the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A command for the cluster, as a script would say it.
    Cluster(Command),
    /// A form's input the page could not turn into a command: shown like a refusal.
    Refused {
        what: String,
        why: String,
    },
    /// Start over from the initial cluster with this seed.
    Reset {
        seed: u64,
    },
    /// Start over with this many nodes.
    Resize {
        nodes: u64,
    },
    /// Start over with this setup (the settings panel's cluster-wide settings).
    NewRun(RunSetup),
    /// Open or close the settings panel.
    ToggleSettings,
    /// The toolbar's steps (the cluster's `step tick`, `step message`, `step ready`). They pause
    /// playback.
    Tick,
    StepMessage,
    StepReady,
    Play,
    Pause,
    TogglePlay,
    /// An index into [`SPEEDS`].
    Speed(usize),
    Faster,
    Slower,
    /// The play loop reports real time passing.
    Frame {
        real_ms: f64,
    },
    Select(Selection),
    ToggleHelp,
    /// Escape: closes the help first, then dismisses an error, then clears the selection.
    Escape,
    DismissError,
    /// Show the cluster right after its first `n` events (pauses playback).
    Seek(u64),
    /// Move the shown event by this many (arrow keys while looking at the history).
    SeekBy(i64),
    /// Back to the end of the timeline.
    BackToPresent,
    /// Show the state right after the checker's first violation.
    JumpToViolation,
    Filter(EventFilter),
    Dock(DockTab),
    /// One line of script text, as typed (for a script panel).
    ExecuteLine(String),
    /// Start over with `seed` and a whole script. It runs in slices (see
    /// [`Action::ScriptSlice`]).
    RunScript {
        text: String,
        seed: u64,
    },
    /// Run the script under way a little further: one slice of about [`SLICE_MS`] of work,
    /// after which the page draws and takes input again.
    ScriptSlice,
    /// Stop the script under way where it is.
    StopScript,
    /// Open or close the list of lessons.
    ToggleLearn,
    /// Show or hide the space-time diagram.
    ToggleSpaceTime,
    /// Show (or hide) the space-time diagram: a scenario or lesson that opens with it.
    ShowSpaceTime(bool),
    /// Open a lesson at a step (from 0): lesson `number` of the course (from 1), or a lesson of
    /// one's own (`None`, from a link or pasted). Its commands run in slices like a script.
    OpenLesson {
        number: Option<usize>,
        text: Rc<str>,
        step: usize,
    },
    /// The learner acts on the open lesson (a step, an answer, "show me").
    Lesson(LessonAct),
    CloseLesson,
}

/// Work one script slice may take before the page gets the main thread back: well under the
/// 50 ms after which a browser calls a task long and input starts to lag.
pub const SLICE_MS: f64 = 10.0;

/// Events per call into the cluster within a slice: small enough that a call stays a few
/// milliseconds, so a slice ends close to [`SLICE_MS`].
pub const SLICE_EVENTS: u64 = 400;

/// Calls per slice at most, whatever the clock says (natively it stands still).
const SLICE_CALLS: usize = 64;

/// The page state.
#[derive(Clone, Debug)]
pub struct PageState {
    driver: DriverHandle,
    /// The cluster as shown. A new value only when something but the clock changed.
    pub view: Shared<ClusterView>,
    /// Virtual time now (the view's clock may lag when nothing else happened).
    pub now_ms: u64,
    pub timeline: Shared<TimelineInfo>,
    /// The event log's lines for `filter`, newest first.
    pub events: Shared<Vec<EventLine>>,
    pub filter: EventFilter,
    /// The clients' latest operations, newest first.
    pub clients: Shared<Vec<String>>,
    pub setup: RunSetup,
    pub selection: Selection,
    /// Select the first leader once it is elected, unless the person picked something.
    auto_select: bool,
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// Virtual milliseconds owed to the cluster but smaller than one: at 1/100× a frame is
    /// worth a fraction of a millisecond, and dropping it would stop time altogether. Shared by
    /// every copy of the state, so a frame that owes less than a millisecond changes nothing
    /// else and need not render.
    carry_ms: Rc<Cell<f64>>,
    pub help_open: bool,
    /// The settings panel is open.
    pub settings_open: bool,
    pub dock: DockTab,
    /// The last command's refusal, shown until dismissed or until a command succeeds.
    pub error: Option<String>,
    /// What the last script line printed (for a script panel).
    pub output: Option<String>,
    /// What the last whole script run produced (for a script panel).
    pub last_run: Option<Shared<Transcript>>,
    /// Where the script (or typed line) under way stands, while one runs.
    pub script_progress: Option<ScriptProgress>,
    /// Slices run so far: each one asks for the next (see the app's effect).
    pub script_slices: u64,
    /// The line typed, while it runs (for its error message).
    running_line: Option<String>,
    /// Frames played, for pacing the lists.
    frames: u32,
    /// The lists lag behind the view (see [`LISTS_EVERY_FRAMES`]).
    lists_stale: bool,
    /// The list of lessons is open.
    pub learn_open: bool,
    /// The space-time diagram is shown.
    pub space_time_open: bool,
    /// The open lesson, as the session tells it.
    pub lesson: Option<Shared<LessonFrame>>,
    /// Which lesson of the course is open (`None`: none, or one of the learner's own).
    pub lesson_number: Option<usize>,
    /// The open lesson's text, for its share link.
    pub lesson_text: Option<Rc<str>>,
}

impl PageState {
    /// A fresh page on `driver`, paused, with the leader selected if there is one.
    pub fn new(driver: DriverHandle) -> Self {
        let filter = EventFilter::default();
        let Frame {
            now_ms,
            view,
            timeline,
            setup,
            lists,
            lesson,
        } = driver.frame(Some(ListsAsk {
            filter: &filter,
            events: EVENT_LOG_LINES,
            clients: CLIENT_LINES,
            unless_view: None,
        }));
        let Lists { events, clients } = lists.unwrap_or_else(|| Lists {
            events: Vec::new(),
            clients: Vec::new(),
        });
        let selection = view.leader.map_or(Selection::Nothing, Selection::Node);
        PageState {
            now_ms,
            timeline: Shared::new(timeline),
            setup,
            view: Shared(view),
            clients: Shared::new(clients),
            events: Shared::new(events),
            filter,
            auto_select: selection == Selection::Nothing,
            selection,
            driver,
            playing: false,
            speed: DEFAULT_SPEED,
            carry_ms: Rc::new(Cell::new(0.0)),
            help_open: false,
            settings_open: false,
            dock: DockTab::default(),
            error: None,
            output: None,
            last_run: None,
            script_progress: None,
            script_slices: 0,
            running_line: None,
            frames: 0,
            lists_stale: false,
            learn_open: false,
            space_time_open: false,
            lesson: lesson.map(Shared::new),
            lesson_number: None,
            lesson_text: None,
        }
    }

    /// The same page, already playing (what a visitor sees on arrival).
    pub fn playing(mut self) -> Self {
        self.playing = true;
        self
    }

    /// Whether the lists show the cluster as it is now. While playing they are brought up to
    /// date only every [`LISTS_EVERY_FRAMES`] frames; every list on the page refreshes on the
    /// same frame, so that only one frame in so many carries that work.
    pub fn lists_current(&self) -> bool {
        !self.lists_stale
    }

    pub fn speed_factor(&self) -> f64 {
        SPEEDS[self.speed.min(SPEEDS.len() - 1)]
    }

    /// The driver, for panels that read more than the view (the session's script).
    pub fn driver(&self) -> &DriverHandle {
        &self.driver
    }

    /// Sends a command to the driver and refreshes what it shows.
    fn command(&mut self, cmd: Command) {
        let t0 = perf::now_ms();
        let r = self.driver.apply(&cmd);
        self.refresh();
        perf::add(perf::Part::Driver, perf::now_ms() - t0);
        self.show_outcome(r, || cmd.to_string().replace('\n', " "));
    }

    /// Shows a refusal by the driver as an error naming what was refused (`what`, as a script
    /// line), or clears the last error.
    fn show_outcome(&mut self, r: Result<(), String>, what: impl FnOnce() -> String) {
        match r {
            Ok(()) => self.error = None,
            Err(e) => {
                // A refusal while playing would repeat every frame; stop and let it be read.
                self.playing = false;
                self.error = Some(format!("{}: {e}", what()));
            }
        }
    }

    /// Picks up what the driver shows now, in one frame (with the lists when they are due).
    /// Values that did not change keep their identity, so the components that draw them are
    /// skipped.
    fn refresh(&mut self) {
        self.refresh_with(false);
    }

    /// [`PageState::refresh`], with the lists whether or not they are due (`force`).
    fn refresh_with(&mut self, force: bool) {
        // Stale lists catch up on the next list frame, whether or not that frame changed the
        // view: at slow speeds most frames change nothing, and waiting for one that both
        // changes something and falls on a list frame could leave the lists behind for long.
        // While time runs (playing, or a script under way) the lists follow every few frames
        // or slices: scanning the event log each time would cost more than the step itself.
        // Whether the view changes is only known from the frame, so lists that are current
        // are asked for "unless the view is still the one shown".
        let due = force
            || if self.playing {
                self.frames.is_multiple_of(LISTS_EVERY_FRAMES)
            } else {
                self.script_progress.is_none()
                    || self
                        .script_slices
                        .is_multiple_of(u64::from(LISTS_EVERY_FRAMES))
            };
        let ask = due.then(|| ListsAsk {
            filter: &self.filter,
            events: self.event_lines(),
            clients: CLIENT_LINES,
            unless_view: (!force && !self.lists_stale).then_some(&self.view.0),
        });
        let frame = self.driver.frame(ask);
        self.now_ms = frame.now_ms;
        if !Rc::ptr_eq(&frame.view, &self.view.0) {
            self.view = Shared(frame.view);
            if *self.timeline != frame.timeline {
                self.timeline = Shared::new(frame.timeline);
            }
            if self.setup != frame.setup {
                self.setup = frame.setup;
            }
            self.lists_stale = true;
            if self.auto_select && self.selection == Selection::Nothing {
                if let Some(l) = self.view.leader {
                    self.selection = Selection::Node(l);
                    self.auto_select = false;
                }
            }
        }
        if let Some(lists) = frame.lists {
            self.take_lists(lists);
        }
        if self.lesson.as_deref() != frame.lesson.as_ref() {
            self.lesson = frame.lesson.map(Shared::new);
        }
    }

    /// The event log and the clients' operations, brought up to date now.
    fn refresh_lists(&mut self) {
        self.refresh_with(true);
    }

    /// Keeps the lists of a frame, keeping the old values where they did not change.
    fn take_lists(&mut self, lists: Lists) {
        self.lists_stale = false;
        if *self.events != lists.events {
            self.events = Shared::new(lists.events);
        }
        if *self.clients != lists.clients {
            self.clients = Shared::new(lists.clients);
        }
    }

    /// How many lines the event log lists now.
    fn event_lines(&self) -> usize {
        if self.playing {
            EVENT_LOG_LINES_PLAYING
        } else {
            EVENT_LOG_LINES
        }
    }

    /// One slice of the script under way (see [`Action::ScriptSlice`]).
    fn script_slice(&mut self) {
        let t0 = perf::now_ms();
        for _ in 0..SLICE_CALLS {
            match self.driver.continue_script(SLICE_EVENTS) {
                None => {
                    self.script_progress = None;
                    break;
                }
                Some(ScriptStep::Running(p)) => {
                    self.script_progress = Some(p);
                    if perf::now_ms() - t0 >= SLICE_MS {
                        break;
                    }
                }
                Some(ScriptStep::Done(done)) => {
                    self.script_done(done);
                    break;
                }
            }
        }
        self.script_slices += 1;
        self.refresh();
    }

    fn script_done(&mut self, done: ScriptDone) {
        self.script_progress = None;
        let line = self.running_line.take();
        match done {
            ScriptDone::Script(t) => {
                self.error = None;
                self.last_run = Some(Shared::new(*t));
            }
            ScriptDone::Line(Ok(out)) => {
                self.error = None;
                self.output = Some(out);
            }
            ScriptDone::Line(Err(e)) => {
                self.error = Some(format!("{}: {e}", line.unwrap_or_default().trim()));
                self.output = None;
            }
            ScriptDone::Lesson(r) => self.error = r.err(),
        }
    }

    fn seek(&mut self, target: u64) {
        self.playing = false;
        let target = target.min(self.view.events);
        match self.driver.seek(target) {
            Ok(()) => self.error = None,
            Err(e) => self.error = Some(e),
        }
        self.refresh();
    }
}

impl Reducible for PageState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // Frames arrive many times a second; when nothing changes, hand back the same Rc so
        // yew skips the render.
        if let Action::Frame { real_ms } = action {
            if !self.playing || self.script_progress.is_some() {
                return self;
            }
            let owed = self.carry_ms.get() + real_ms.clamp(0.0, MAX_FRAME_MS) * self.speed_factor();
            let whole = owed.floor();
            self.carry_ms.set(owed - whole);
            if whole < 1.0 {
                return self;
            }
            let mut s = (*self).clone();
            s.frames = s.frames.wrapping_add(1);
            s.command(Command::Run(whole as u64));
            return Rc::new(s);
        }
        let slice = matches!(action, Action::ScriptSlice);
        let mut s = (*self).clone();
        match action {
            Action::Cluster(cmd) => s.command(cmd),
            Action::Refused { what, why } => s.show_outcome(Err(why), || what),
            Action::Reset { seed } => {
                let r = s.driver.reset(seed);
                s.refresh();
                s.show_outcome(r, || format!("reset seed={seed}"));
            }
            Action::Resize { nodes } => {
                let r = s.driver.resize(nodes);
                s.refresh();
                s.show_outcome(r, || format!("reset nodes={nodes}"));
            }
            Action::NewRun(setup) => {
                let r = s.driver.restart_with(setup);
                s.refresh();
                s.show_outcome(r, || "new run".to_string());
            }
            Action::ToggleSettings => s.settings_open = !s.settings_open,
            Action::Tick => {
                s.playing = false;
                s.command(Command::Step(StepKind::Tick));
            }
            Action::StepMessage => {
                s.playing = false;
                s.command(Command::Step(StepKind::Message));
            }
            Action::StepReady => {
                s.playing = false;
                s.command(Command::Step(StepKind::Ready));
            }
            Action::Play => s.playing = true,
            Action::Pause => s.playing = false,
            Action::TogglePlay => s.playing = !s.playing,
            Action::Speed(i) => s.speed = i.min(SPEEDS.len() - 1),
            Action::Faster => s.speed = (s.speed + 1).min(SPEEDS.len() - 1),
            Action::Slower => s.speed = s.speed.saturating_sub(1),
            // Handled above.
            Action::Frame { .. } => return self,
            Action::Select(sel) => {
                // Number keys can name a node the cluster does not have; that is a no-op, not
                // an empty inspector.
                let exists = match sel {
                    Selection::Node(id) => s.view.node(id).is_some(),
                    Selection::Message(id) => s.view.message(id).is_some(),
                    Selection::Link(a, b) => s.view.link(a, b).is_some(),
                    Selection::Nothing => true,
                };
                if !exists {
                    return self;
                }
                s.selection = sel;
                s.auto_select = false;
            }
            Action::ToggleHelp => s.help_open = !s.help_open,
            Action::Escape => {
                if s.help_open {
                    s.help_open = false;
                } else if s.settings_open {
                    s.settings_open = false;
                } else if s.learn_open {
                    s.learn_open = false;
                } else if s.error.is_some() {
                    s.error = None;
                } else {
                    s.selection = Selection::Nothing;
                    s.auto_select = false;
                }
            }
            Action::DismissError => s.error = None,
            Action::Seek(n) => s.seek(n),
            Action::SeekBy(d) => {
                let target = s.view.cursor.saturating_add_signed(d);
                s.seek(target);
            }
            Action::BackToPresent => {
                let end = s.view.events;
                s.seek(end);
            }
            Action::JumpToViolation => match s.view.checker.event {
                Some(e) => s.seek(e + 1),
                None => return self,
            },
            Action::Filter(f) => {
                if f == s.filter {
                    return self;
                }
                s.filter = f;
                s.refresh_lists();
            }
            Action::Dock(tab) => s.dock = tab,
            Action::ExecuteLine(line) => match s.driver.start_line(&line) {
                Ok(()) => {
                    s.playing = false;
                    s.running_line = Some(line);
                    s.script_slice();
                }
                Err(e) => {
                    s.playing = false;
                    s.error = Some(format!("{}: {e}", line.trim()));
                    s.output = None;
                }
            },
            Action::RunScript { text, seed } => {
                s.playing = false;
                // A scenario that opens with the diagram says so in its header.
                if crate::scenario_text::header_field(&text, "view") == Some("space-time") {
                    s.space_time_open = true;
                }
                // The first slice runs from the timer, in a task of its own: this one only
                // swaps in the script's timeline and draws it, so neither is a long task.
                match s.driver.start_script(&text, seed) {
                    Ok(progress) => {
                        s.script_progress = Some(progress);
                        s.script_slices += 1;
                        s.refresh();
                    }
                    Err(e) => s.error = Some(e),
                }
            }
            Action::ScriptSlice => {
                if s.script_progress.is_none() {
                    return self;
                }
                s.script_slice();
            }
            Action::ToggleLearn => s.learn_open = !s.learn_open,
            Action::ToggleSpaceTime => s.space_time_open = !s.space_time_open,
            Action::ShowSpaceTime(on) => s.space_time_open = on,
            Action::OpenLesson { number, text, step } => {
                s.open_lesson(number, text, step);
                // A lesson about what happened when opens with the space-time diagram.
                if s.lesson.as_ref().is_some_and(|l| l.lesson.space_time) {
                    s.space_time_open = true;
                }
            }
            Action::Lesson(act) => {
                let r = s.driver.lesson_act(act);
                s.lesson_started(r);
            }
            Action::CloseLesson => {
                s.driver.close_lesson();
                s.lesson_number = None;
                s.lesson_text = None;
                s.refresh();
            }
            Action::StopScript => match s.driver.stop_script() {
                Some(ScriptStep::Done(done)) => {
                    s.script_done(done);
                    s.refresh();
                }
                _ => return self,
            },
        }
        // Anything but a frame or a script's slice brings the lists up to date; playing or
        // pausing changes how long the log is.
        let running = slice && s.script_progress.is_some();
        if (s.lists_stale && !running) || s.playing != self.playing {
            s.refresh_lists();
        }
        Rc::new(s)
    }
}

mod lesson;
#[cfg(test)]
mod tests;
