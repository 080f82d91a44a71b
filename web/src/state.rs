//! The page's single state and its reducer. Actions that change the cluster are script commands
//! ([`Command`]), forwarded to the driver and written to the session's script; the rest only
//! change what the page shows (selection, playback, overlays).

use std::rc::Rc;

use cluster::view::ClusterView;
use yew::Reducible;

use crate::command::Command;
use crate::driver::DriverHandle;

/// Playback speeds, as multiples of real time: 1/100× lets a person follow single messages
/// across a 10 ms link; 100× runs a minute of cluster life in under a second.
pub const SPEEDS: [f64; 13] = [
    0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0,
];

/// 1/10×: slow enough that a heartbeat visibly crosses its link on the first look.
pub const DEFAULT_SPEED: usize = 3;

/// The longest stretch of real time one frame may account for. A tab in the background gets
/// few timer callbacks; catching up all at once would make the cluster leap.
const MAX_FRAME_MS: f64 = 250.0;

/// How a speed reads on the page: `1/20×`, `1×`, `50×`.
pub fn speed_label(speed: f64) -> String {
    if speed < 1.0 {
        format!("1/{}×", (1.0 / speed).round())
    } else {
        format!("{speed}×")
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

/// Everything that can happen to the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A command for the cluster, as a script would say it.
    Cluster(Command),
    /// The toolbar's steps. They pause playback and resolve to a concrete command against the
    /// current view, so the script records exactly which message or Ready was stepped.
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
}

/// The page state.
#[derive(Clone, Debug)]
pub struct PageState {
    driver: DriverHandle,
    pub view: Rc<ClusterView>,
    /// Whether the view is sample data rather than a simulation.
    pub sample: bool,
    pub selection: Selection,
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// Virtual milliseconds owed to the cluster but smaller than one: at 1/100× a frame is
    /// worth a fraction of a millisecond, and dropping it would stop time altogether.
    carry_ms: f64,
    pub help_open: bool,
    /// The last command's refusal, shown until dismissed or until a command succeeds.
    pub error: Option<String>,
    /// The session so far, as script commands (consecutive runs merged).
    pub script: Vec<Command>,
}

impl PartialEq for PageState {
    fn eq(&self, other: &Self) -> bool {
        self.driver == other.driver
            && self.view == other.view
            && self.selection == other.selection
            && self.playing == other.playing
            && self.speed == other.speed
            && self.carry_ms == other.carry_ms
            && self.help_open == other.help_open
            && self.error == other.error
            && self.script == other.script
    }
}

impl PageState {
    /// A fresh page on `driver`, with the leader selected so that the first look already shows
    /// a Ready.
    pub fn new(driver: DriverHandle) -> Self {
        let view = driver.view();
        let selection = view.leader.map_or(Selection::Nothing, Selection::Node);
        PageState {
            sample: driver.is_sample(),
            driver,
            view: Rc::new(view),
            selection,
            playing: false,
            speed: DEFAULT_SPEED,
            carry_ms: 0.0,
            help_open: false,
            error: None,
            script: Vec::new(),
        }
    }

    pub fn speed_factor(&self) -> f64 {
        SPEEDS[self.speed.min(SPEEDS.len() - 1)]
    }

    /// Sends a command to the driver; on success refreshes the view and records it.
    fn command(&mut self, cmd: Command) {
        match self.driver.apply(&cmd) {
            Ok(()) => {
                self.view = Rc::new(self.driver.view());
                self.error = None;
                self.record(cmd);
            }
            Err(e) => {
                // A refusal while playing would repeat every frame; stop and let it be read.
                self.playing = false;
                self.error = Some(format!("{cmd}: {e}"));
            }
        }
    }

    fn record(&mut self, cmd: Command) {
        if let (Some(Command::Run { ms: last }), Command::Run { ms }) =
            (self.script.last_mut(), &cmd)
        {
            *last += ms;
            return;
        }
        self.script.push(cmd);
    }

    /// The message a "step message" delivers: the next to arrive (ties by send order).
    fn next_message(&self) -> Option<u64> {
        self.view
            .messages
            .iter()
            .filter(|m| !m.held)
            .min_by_key(|m| (m.arrives_at, m.id))
            .map(|m| m.id)
    }

    /// The node a "step Ready" handles: the selected node if it has one, else the lowest id.
    fn next_ready(&self) -> Option<u64> {
        let has_ready = |id: u64| {
            self.view
                .node(id)
                .is_some_and(|n| n.ready.is_some() && !n.crashed)
        };
        match self.selection {
            Selection::Node(id) if has_ready(id) => Some(id),
            _ => self
                .view
                .nodes
                .iter()
                .map(|n| n.id)
                .find(|&id| has_ready(id)),
        }
    }
}

impl Reducible for PageState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // Frames arrive many times a second; when nothing changes, hand back the same Rc so
        // yew skips the render.
        if let Action::Frame { .. } = action {
            if !self.playing {
                return self;
            }
        }
        let mut s = (*self).clone();
        match action {
            Action::Cluster(cmd) => s.command(cmd),
            Action::Tick => {
                s.playing = false;
                s.command(Command::Tick);
            }
            Action::StepMessage => {
                s.playing = false;
                match s.next_message() {
                    Some(id) => s.command(Command::DeliverMessage(id)),
                    None => s.error = Some("no message is in flight".into()),
                }
            }
            Action::StepReady => {
                s.playing = false;
                match s.next_ready() {
                    Some(id) => s.command(Command::ProcessReady(id)),
                    None => s.error = Some("no running node has a pending Ready".into()),
                }
            }
            Action::Play => s.playing = true,
            Action::Pause => s.playing = false,
            Action::TogglePlay => s.playing = !s.playing,
            Action::Speed(i) => s.speed = i.min(SPEEDS.len() - 1),
            Action::Faster => s.speed = (s.speed + 1).min(SPEEDS.len() - 1),
            Action::Slower => s.speed = s.speed.saturating_sub(1),
            Action::Frame { real_ms } => {
                let owed = s.carry_ms + real_ms.clamp(0.0, MAX_FRAME_MS) * s.speed_factor();
                let whole = owed.floor();
                s.carry_ms = owed - whole;
                if whole >= 1.0 {
                    s.command(Command::Run { ms: whole as u64 });
                }
            }
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
            }
            Action::ToggleHelp => s.help_open = !s.help_open,
            Action::Escape => {
                if s.help_open {
                    s.help_open = false;
                } else if s.error.is_some() {
                    s.error = None;
                } else {
                    s.selection = Selection::Nothing;
                }
            }
            Action::DismissError => s.error = None,
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo_driver::DemoDriver;

    fn page() -> Rc<PageState> {
        Rc::new(PageState::new(DriverHandle::new(DemoDriver::new())))
    }

    fn reduce(s: Rc<PageState>, actions: impl IntoIterator<Item = Action>) -> Rc<PageState> {
        actions.into_iter().fold(s, |s, a| s.reduce(a))
    }

    #[test]
    fn starts_paused_with_the_leader_selected() {
        let s = page();
        assert!(!s.playing);
        assert!(s.sample);
        assert_eq!(s.selection, Selection::Node(1));
        assert_eq!(s.speed_factor(), 0.1);
    }

    #[test]
    fn frames_advance_virtual_time_only_while_playing() {
        let s = page();
        let t0 = s.view.now_ms;
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
        assert_eq!(s.view.now_ms, t0 + 150);
        assert_eq!(s.script, vec![Command::Run { ms: 150 }], "runs merge");
    }

    #[test]
    fn slow_speeds_carry_fractions_of_a_millisecond() {
        // At 1/100×, 30 ms of real time is 0.3 ms of virtual time: four frames make one.
        let s = reduce(page(), [Action::Play, Action::Speed(0)]);
        let t0 = s.view.now_ms;
        let s = reduce(s, (0..4).map(|_| Action::Frame { real_ms: 30.0 }));
        assert_eq!(s.view.now_ms, t0 + 1);
    }

    #[test]
    fn a_long_pause_of_the_tab_does_not_leap() {
        let s = reduce(page(), [Action::Play, Action::Speed(6)]);
        let t0 = s.view.now_ms;
        let s = s.reduce(Action::Frame { real_ms: 60_000.0 });
        assert_eq!(s.view.now_ms, t0 + MAX_FRAME_MS as u64);
    }

    #[test]
    fn steps_pause_and_record_concrete_commands() {
        let s = reduce(page(), [Action::Play, Action::StepMessage]);
        assert!(!s.playing);
        // Message 44 (sent at 4198, arrives 4238) is the first to arrive in the sample.
        assert_eq!(s.script, vec![Command::DeliverMessage(44)]);
        let s = s.reduce(Action::StepReady);
        assert_eq!(s.script.last(), Some(&Command::ProcessReady(1)));
        assert!(s.view.node(1).is_some_and(|n| n.ready.is_none()));
        // Node 5 is next in line once node 1 is done.
        let s = s.reduce(Action::StepReady);
        assert_eq!(s.script.last(), Some(&Command::ProcessReady(5)));
        let s = s.reduce(Action::StepReady);
        assert!(s.error.is_some(), "nobody has a Ready left");
    }

    #[test]
    fn a_refused_command_shows_an_error_and_stops_playback() {
        let s = reduce(
            page(),
            [Action::Play, Action::Cluster(Command::Campaign(2))],
        );
        assert!(!s.playing);
        let err = s.error.clone().expect("an error");
        assert!(err.starts_with("campaign 2: "), "{err}");
        assert!(s.script.is_empty(), "refused commands are not recorded");
        let s = s.reduce(Action::DismissError);
        assert_eq!(s.error, None);
    }

    #[test]
    fn speed_stays_within_bounds() {
        let s = reduce(page(), (0..30).map(|_| Action::Faster));
        assert_eq!(s.speed_factor(), 100.0);
        let s = reduce(s, (0..30).map(|_| Action::Slower));
        assert_eq!(s.speed_factor(), 0.01);
        let s = s.reduce(Action::Speed(99));
        assert_eq!(s.speed_factor(), 100.0);
    }

    #[test]
    fn escape_closes_help_then_the_error_then_the_selection() {
        let s = reduce(
            page(),
            [
                Action::Cluster(Command::Campaign(2)),
                Action::ToggleHelp,
                Action::Escape,
            ],
        );
        assert!(!s.help_open);
        assert!(s.error.is_some());
        let s = s.reduce(Action::Escape);
        assert_eq!(s.error, None);
        assert_eq!(s.selection, Selection::Node(1));
        let s = s.reduce(Action::Escape);
        assert_eq!(s.selection, Selection::Nothing);
    }

    #[test]
    fn only_existing_things_can_be_selected() {
        let s = page();
        let same = s.clone().reduce(Action::Select(Selection::Node(7)));
        assert!(Rc::ptr_eq(&s, &same), "there is no node 7");
        let s = s.reduce(Action::Select(Selection::Message(42)));
        assert_eq!(s.selection, Selection::Message(42));
        let s = s.reduce(Action::Select(Selection::Link(2, 4)));
        assert_eq!(s.selection, Selection::Link(2, 4));
    }

    #[test]
    fn speeds_read_as_fractions_and_multiples() {
        assert_eq!(speed_label(0.01), "1/100×");
        assert_eq!(speed_label(0.1), "1/10×");
        assert_eq!(speed_label(1.0), "1×");
        assert_eq!(speed_label(100.0), "100×");
    }
}
