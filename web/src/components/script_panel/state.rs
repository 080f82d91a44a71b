//! The panel's state and its reducer: the text and seed, the last parse, the script kept aside
//! when another replaces it, and what the bar reports (notice, link, autosave). Pure: the
//! timers, storage and DOM that feed it actions live in `mod.rs` and `io.rs`.

use std::rc::Rc;

use cluster::script::{Script, ScriptError};
use yew::Reducible;

use crate::persist::{self, Saved};
use crate::scenarios;

/// Why `text` does not parse, if it does not (the error names the line and column).
pub(super) fn parse_error(text: &str) -> Option<ScriptError> {
    Script::parse(text).err()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum SaveStatus {
    Saved,
    Pending,
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ShareStatus {
    Copying,
    Copied,
    /// No clipboard, or it refused: the person copies the link from the field.
    CopyByHand,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Panel {
    pub(super) text: String,
    /// The seed field as typed.
    pub(super) seed_text: String,
    /// The last seed the field held that reads as a number.
    pub(super) seed: u64,
    /// The last parse's error.
    pub(super) error: Option<ScriptError>,
    /// Whether `error` belongs to the current text (it is stale while a parse is pending).
    pub(super) error_fresh: bool,
    /// The text last handed to `on_run`.
    pub(super) ran: Option<String>,
    pub(super) record_open: bool,
    /// The script the last replacement (scenario, import, link, recording) pushed out, kept so
    /// it can come back.
    pub(super) previous: Option<Saved>,
    pub(super) notice: Option<String>,
    pub(super) share: Option<(String, ShareStatus)>,
    /// Index of the scenario chosen in the picker.
    pub(super) picked: usize,
    pub(super) save: SaveStatus,
}

pub(super) enum PanelAction {
    /// Typing.
    Edit(String),
    Seed(String),
    /// The editor gets another script; the current one is kept aside.
    Replace {
        saved: Saved,
        why: String,
    },
    /// Swaps the kept-aside script back in.
    Restore,
    Parsed {
        text: String,
        error: Option<ScriptError>,
    },
    Ran(String),
    RecordOpen(bool),
    Shared(String, ShareStatus),
    ShareStatus(ShareStatus),
    Notice(Option<String>),
    Pick(usize),
    Save(SaveStatus),
}

impl Panel {
    pub(super) fn new(init: &persist::Initial, previous: Option<Saved>) -> Self {
        let text = init.saved.text.clone();
        Panel {
            error: parse_error(&text),
            error_fresh: true,
            text,
            seed_text: init.saved.seed.to_string(),
            seed: init.saved.seed,
            ran: None,
            record_open: false,
            previous: init.displaced.clone().or(previous),
            notice: (init.source == persist::Source::Url).then(|| {
                format!(
                    "Opened the script from the link (seed {}).",
                    init.saved.seed
                )
            }),
            share: None,
            picked: 0,
            save: SaveStatus::Saved,
        }
    }

    pub(super) fn saved(&self) -> Saved {
        Saved {
            text: self.text.clone(),
            seed: self.seed,
        }
    }

    pub(super) fn seed_ok(&self) -> bool {
        self.seed_text.trim().parse::<u64>().is_ok()
    }

    /// Whether the current text is worth keeping when something replaces it: not empty, and
    /// not a built-in scenario left as it was (that one can be opened again).
    fn worth_keeping(&self) -> bool {
        !self.text.trim().is_empty() && scenarios::matching(&self.text).is_none()
    }

    /// Puts another script in the editor (a replacement or the restored one), parsed at once,
    /// with `notice` saying where it came from.
    fn load(&mut self, saved: Saved, notice: String) {
        self.error = parse_error(&saved.text);
        self.error_fresh = true;
        self.seed_text = saved.seed.to_string();
        self.seed = saved.seed;
        self.text = saved.text;
        self.ran = None;
        self.share = None;
        self.notice = Some(notice);
    }
}

impl Reducible for Panel {
    type Action = PanelAction;

    fn reduce(self: Rc<Self>, action: PanelAction) -> Rc<Self> {
        let mut p = (*self).clone();
        match action {
            PanelAction::Edit(text) => {
                if text == p.text {
                    return self;
                }
                p.text = text;
                p.error_fresh = false;
                // The link describes the text it was made from.
                p.share = None;
            }
            PanelAction::Seed(s) => {
                if let Ok(v) = s.trim().parse::<u64>() {
                    p.seed = v;
                }
                p.seed_text = s;
                p.share = None;
            }
            PanelAction::Replace { saved, why } => {
                if p.worth_keeping() && saved.text != p.text {
                    p.previous = Some(p.saved());
                }
                p.load(saved, why);
            }
            PanelAction::Restore => {
                let Some(prev) = p.previous.take() else {
                    return self;
                };
                if p.worth_keeping() {
                    p.previous = Some(p.saved());
                }
                p.load(prev, "Restored the previous script.".into());
            }
            PanelAction::Parsed { text, error } => {
                // A parse scheduled for an older text is of no use any more.
                if text != p.text || (p.error_fresh && p.error == error) {
                    return self;
                }
                p.error = error;
                p.error_fresh = true;
            }
            PanelAction::Ran(text) => p.ran = Some(text),
            PanelAction::RecordOpen(open) => p.record_open = open,
            PanelAction::Shared(url, status) => p.share = Some((url, status)),
            PanelAction::ShareStatus(status) => match &mut p.share {
                Some((_, s)) => *s = status,
                None => return self,
            },
            PanelAction::Notice(n) => p.notice = n,
            PanelAction::Pick(i) => p.picked = i,
            PanelAction::Save(s) => {
                if s == p.save {
                    return self;
                }
                p.save = s;
            }
        }
        Rc::new(p)
    }
}
