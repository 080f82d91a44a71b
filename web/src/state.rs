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
    DriverHandle, EventFilter, EventLine, RunSetup, ScriptDone, ScriptStep, Shared, TimelineInfo,
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
}

impl PageState {
    /// A fresh page on `driver`, paused, with the leader selected if there is one.
    pub fn new(driver: DriverHandle) -> Self {
        let view = driver.view();
        let selection = view.leader.map_or(Selection::Nothing, Selection::Node);
        let filter = EventFilter::default();
        let events = Shared::new(driver.events(&filter, EVENT_LOG_LINES));
        PageState {
            now_ms: driver.now_ms(),
            timeline: Shared::new(driver.timeline()),
            setup: driver.setup(),
            view: Shared(view),
            clients: Shared::new(driver.client_history(CLIENT_LINES)),
            events,
            filter,
            auto_select: selection == Selection::Nothing,
            selection,
            driver,
            playing: false,
            speed: DEFAULT_SPEED,
            carry_ms: Rc::new(Cell::new(0.0)),
            help_open: false,
            dock: DockTab::default(),
            error: None,
            output: None,
            last_run: None,
            script_progress: None,
            script_slices: 0,
            running_line: None,
            frames: 0,
            lists_stale: false,
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

    /// Picks up what the driver shows now. Values that did not change keep their identity,
    /// so the components that draw them are skipped.
    fn refresh(&mut self) {
        self.now_ms = self.driver.now_ms();
        let view = self.driver.view();
        if !Rc::ptr_eq(&view, &self.view.0) {
            self.view = Shared(view);
            let info = self.driver.timeline();
            if *self.timeline != info {
                self.timeline = Shared::new(info);
            }
            let setup = self.driver.setup();
            if self.setup != setup {
                self.setup = setup;
            }
            self.lists_stale = true;
            if self.auto_select && self.selection == Selection::Nothing {
                if let Some(l) = self.view.leader {
                    self.selection = Selection::Node(l);
                    self.auto_select = false;
                }
            }
        }
        // Stale lists catch up on the next list frame, whether or not that frame changed the
        // view: at slow speeds most frames change nothing, and waiting for one that both
        // changes something and falls on a list frame could leave the lists behind for long.
        // While time runs (playing, or a script under way) the lists follow every few frames
        // or slices: scanning the event log each time would cost more than the step itself.
        let due = if self.playing {
            self.frames.is_multiple_of(LISTS_EVERY_FRAMES)
        } else {
            self.script_progress.is_none()
                || self
                    .script_slices
                    .is_multiple_of(u64::from(LISTS_EVERY_FRAMES))
        };
        if self.lists_stale && due {
            self.refresh_lists();
        }
    }

    /// The event log and the clients' operations.
    fn refresh_lists(&mut self) {
        self.lists_stale = false;
        self.refresh_events();
        let clients = self.driver.client_history(CLIENT_LINES);
        if *self.clients != clients {
            self.clients = Shared::new(clients);
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

    fn refresh_events(&mut self) {
        let lines = self.driver.events(&self.filter, self.event_lines());
        if *self.events != lines {
            self.events = Shared::new(lines);
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
                s.refresh_events();
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

#[cfg(test)]
mod tests {
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
}
