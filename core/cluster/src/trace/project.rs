//! The trace as the page draws it: only what falls in the window of time asked for, cut at
//! the event shown, filtered by message kind and node, as plain data with its words ready.

use serde::{Deserialize, Serialize};

use super::{Cut, Fate, Mark, MarkKind, ReadyContents, ReadySpan, Trace, TracedMessage};
use crate::clock::Millis;
use crate::network::{MessageHead, MessageId, NodeId};

/// Messages a view draws at most: past that the oldest in the window are left out (and
/// counted), so a zoom over a minute of a busy cluster stays a picture and not a stall.
pub const MAX_ARROWS: usize = 4000;

/// Marks (and Ready brackets) a view draws at most, likewise.
pub const MAX_MARKS: usize = 4000;

/// Messages sent this long before the window are not looked for: a held message that crosses
/// a whole minute into the window is not drawn (the diagram above shows it in flight).
const LOOK_BACK_MS: Millis = 60_000;

/// What part of the trace to draw.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceTimeAsk {
    pub from_ms: Millis,
    pub to_ms: Millis,
    /// Message kinds not drawn, by etcd's names (`MsgHeartbeat`).
    pub hidden_kinds: Vec<String>,
    /// Nodes whose lanes are not drawn (nor messages from or to them).
    pub hidden_nodes: Vec<NodeId>,
}

/// How a message's arrow ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArrowFate {
    /// Still on its way at the time shown; due then.
    InFlight {
        arrives_ms: Millis,
    },
    Delivered,
    /// Lost, and why: the arrow ends in a cross.
    Lost(&'static str),
}

/// One message, as an arrow from its send to its end. Its words are made only when asked
/// for ([`ArrowView::summary`]): a frame draws hundreds of arrows and reads the words of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArrowView {
    /// Its id in flight; 0 for a message lost as it was sent.
    pub id: MessageId,
    pub head: MessageHead,
    pub sent_ms: Millis,
    pub send_event: u64,
    /// Its end, unless still in flight at the time shown.
    pub end_ms: Option<Millis>,
    pub end_event: Option<u64>,
    pub fate: ArrowFate,
    pub copy_of: Option<MessageId>,
    pub reordered: bool,
}

impl ArrowView {
    pub fn from(&self) -> NodeId {
        self.head.from
    }

    pub fn to(&self) -> NodeId {
        self.head.to
    }

    pub fn msg_type(&self) -> &'static str {
        self.head.msg_type.name()
    }

    pub fn is_response(&self) -> bool {
        self.head.msg_type.is_response()
    }

    pub fn rejected(&self) -> bool {
        self.head.reject
    }

    /// `MsgApp 1→2 term 3 log 3/7 entries 2`.
    pub fn summary(&self) -> String {
        self.head.summary()
    }
}

/// One Ready on a lane, from taking it to Advance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadyBracketView {
    pub span: ReadySpan,
}

impl ReadyBracketView {
    pub fn node(&self) -> NodeId {
        self.span.node
    }

    pub fn from_ms(&self) -> Millis {
        self.span.taken.at
    }

    pub fn from_event(&self) -> u64 {
        self.span.taken.event
    }

    /// Its end, once it came before the time shown.
    pub fn to_ms(&self) -> Option<Millis> {
        self.span.end().map(|s| s.at)
    }

    /// What it held and when each step was done.
    pub fn text(&self) -> String {
        let r = &self.span;
        format!(
            "Ready at {}ms: {}; {}",
            r.taken.at,
            contents_text(&r.contents),
            steps_text(r)
        )
    }
}

/// A stretch in which a node was cut off from some others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShadeView {
    pub node: NodeId,
    pub from_ms: Millis,
    pub to_ms: Option<Millis>,
    pub text: String,
}

/// What the page draws of the trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpaceTimeView {
    pub from_ms: Millis,
    pub to_ms: Millis,
    /// The time shown (the cursor); nothing after it is drawn.
    pub cursor_ms: Millis,
    /// One lane per node, in id order.
    pub lanes: Vec<NodeId>,
    pub arrows: Vec<ArrowView>,
    pub marks: Vec<Mark>,
    pub readys: Vec<ReadyBracketView>,
    pub shades: Vec<ShadeView>,
    /// The kinds of message in the window before the kind filter, with how many of each.
    pub kinds: Vec<(&'static str, u32)>,
    /// Messages in the window left out for [`MAX_ARROWS`].
    pub left_out: usize,
}

impl Trace {
    /// The view of `ask`'s window, as the trace stood after its first `upto` events (at
    /// virtual time `cursor_ms`), with lanes for `nodes`.
    pub fn project(
        &self,
        ask: &SpaceTimeAsk,
        upto: u64,
        cursor_ms: Millis,
        nodes: &[NodeId],
    ) -> SpaceTimeView {
        let cut = Cut(upto);
        let (from, to) = (ask.from_ms, ask.to_ms.min(cursor_ms).max(ask.from_ms));
        let shown = |n: NodeId| !ask.hidden_nodes.contains(&n);
        let lanes: Vec<NodeId> = nodes.iter().copied().filter(|&n| shown(n)).collect();
        let mut kinds: Vec<(&'static str, u32)> = Vec::new();
        let mut arrows = Vec::new();
        let start = self
            .messages
            .partition_point(|m| m.sent.at < from.saturating_sub(LOOK_BACK_MS));
        for m in &self.messages[start..] {
            if m.sent.at > to || !cut.has(m.sent) {
                break;
            }
            let end = m.end.filter(|(s, _)| cut.has(*s));
            let last = end.map_or(cursor_ms, |(s, _)| s.at);
            if last < from || !shown(m.head.from) || !shown(m.head.to) {
                continue;
            }
            let name = m.head.msg_type.name();
            match kinds.iter_mut().find(|(k, _)| *k == name) {
                Some((_, n)) => *n += 1,
                None => kinds.push((name, 1)),
            }
            if ask.hidden_kinds.iter().any(|k| k == name) {
                continue;
            }
            arrows.push((m, end));
        }
        let left_out = arrows.len().saturating_sub(MAX_ARROWS);
        let arrows = arrows[left_out..]
            .iter()
            .map(|(m, end)| arrow(m, *end))
            .collect();
        kinds.sort_unstable();
        let in_window = |at: Millis| at >= from && at <= to;
        let marks = self
            .marks
            .iter()
            .rev()
            .skip_while(|m| !cut.has(m.at))
            .take_while(|m| m.at.at >= from)
            .filter(|m| in_window(m.at.at) && shown(m.node))
            .take(MAX_MARKS)
            .copied()
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let readys = self
            .readys
            .iter()
            .rev()
            .skip_while(|r| !cut.has(r.taken))
            // A Ready is taken and advanced within a few milliseconds; one taken a minute
            // before the window and never advanced is not looked for.
            .take_while(|r| r.taken.at.saturating_add(LOOK_BACK_MS) >= from)
            .map(|r| cut.ready(r))
            .filter(|r| shown(r.node) && r.taken.at <= to)
            .filter(|r| r.end().map_or(cursor_ms, |e| e.at) >= from)
            .take(MAX_MARKS)
            .map(|span| ReadyBracketView { span })
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let shades = self
            .cuts
            .iter()
            .filter(|c| cut.has(c.from) && shown(c.node) && c.from.at <= to)
            .filter_map(|c| {
                let end = c.to.filter(|s| cut.has(*s)).map(|s| s.at);
                (end.unwrap_or(cursor_ms) >= from).then(|| ShadeView {
                    node: c.node,
                    from_ms: c.from.at,
                    to_ms: end,
                    text: format!("{} cannot reach {}", c.node, ids(&c.unreachable)),
                })
            })
            .collect();
        SpaceTimeView {
            from_ms: from,
            to_ms: ask.to_ms.max(from),
            cursor_ms,
            lanes,
            arrows,
            marks,
            readys,
            shades,
            kinds,
            left_out,
        }
    }
}

fn ids(v: &[NodeId]) -> String {
    v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

fn arrow(m: &TracedMessage, end: Option<(super::Stamp, Fate)>) -> ArrowView {
    let fate = match end {
        None => ArrowFate::InFlight {
            arrives_ms: m.arrives_at,
        },
        Some((_, Fate::Delivered)) => ArrowFate::Delivered,
        Some((_, Fate::Lost(cause))) => ArrowFate::Lost(cause.name()),
    };
    ArrowView {
        id: m.id,
        head: m.head,
        sent_ms: m.sent.at,
        send_event: m.sent.event,
        end_ms: end.map(|(s, _)| s.at),
        end_event: end.map(|(s, _)| s.event),
        fate,
        copy_of: m.copy_of,
        reordered: m.reordered,
    }
}

fn role_name(role: raft::state::StateType) -> &'static str {
    use raft::state::StateType as S;
    match role {
        S::StateFollower => "follower",
        S::StateCandidate => "candidate",
        S::StateLeader => "leader",
        S::StatePreCandidate => "pre-candidate",
    }
}

impl Mark {
    /// `role`, `term`, `vote`, `commit`, `apply`, `persist`, `sync`, `crash`, `restart`,
    /// `wipe`, `clock`: the page's class for it.
    pub fn class_name(&self) -> &'static str {
        mark_words(self).0
    }

    /// What it says, in a sentence: `3 becomes leader at term 2`.
    pub fn text(&self) -> String {
        mark_words(self).1
    }

    /// The short label drawn beside it, if any (roles, votes for others, crashes, restarts;
    /// the rest are dots).
    pub fn label(&self) -> Option<String> {
        mark_words(self).2
    }
}

/// A mark's class, sentence and short label.
fn mark_words(m: &Mark) -> (&'static str, String, Option<String>) {
    match m.kind {
        MarkKind::Role { role, term } => (
            "role",
            format!("{} becomes {} at term {term}", m.node, role_name(role)),
            Some(format!("{} t{term}", role_name(role))),
        ),
        MarkKind::Term(t) => ("term", format!("{} moves to term {t}", m.node), None),
        MarkKind::Vote { to, term } if to == m.node => (
            "vote",
            format!("{} votes for itself at term {term}", m.node),
            None,
        ),
        MarkKind::Vote { to, term } => (
            "vote",
            format!("{} votes for {to} at term {term}", m.node),
            Some(format!("votes {to}")),
        ),
        MarkKind::Commit(i) => ("commit", format!("{} commits up to {i}", m.node), None),
        MarkKind::Apply(i) => ("apply", format!("{} applies up to {i}", m.node), None),
        MarkKind::Persist => ("persist", format!("{} writes to its disk", m.node), None),
        MarkKind::Sync => ("sync", format!("{}'s fsync completes", m.node), None),
        MarkKind::Crash => (
            "crash",
            format!("{} crashes", m.node),
            Some("crash".to_string()),
        ),
        MarkKind::Restart => (
            "restart",
            format!("{} restarts", m.node),
            Some("restart".to_string()),
        ),
        MarkKind::Wipe => (
            "wipe",
            format!("{}'s disk is wiped", m.node),
            Some("wipe".to_string()),
        ),
        MarkKind::Clock { paused } => (
            "clock",
            format!(
                "{}'s clock {}",
                m.node,
                if paused { "is paused" } else { "resumes" }
            ),
            Some(if paused { "paused" } else { "resumed" }.to_string()),
        ),
    }
}

/// What a Ready held, in a few words: `HardState, 2 entries, 3 messages, 1 committed`.
pub fn contents_text(c: &ReadyContents) -> String {
    let mut parts: Vec<String> = Vec::new();
    if c.soft_state {
        parts.push("SoftState".into());
    }
    if c.hard_state {
        parts.push("HardState".into());
    }
    let mut count = |n: u32, one: &str, many: &str| {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    };
    count(c.entries, "entry", "entries");
    count(c.messages, "message", "messages");
    count(c.committed, "committed entry", "committed entries");
    count(c.reads, "read state", "read states");
    if c.snapshot {
        parts.push("a snapshot".into());
    }
    if parts.is_empty() {
        "nothing".into()
    } else {
        parts.join(", ")
    }
}

/// When each step of a Ready was done: `persisted 1200ms, synced 1202ms, sent 1202ms,
/// applied 1202ms, Advance 1202ms`.
pub fn steps_text(r: &ReadySpan) -> String {
    if r.handed_out {
        return "handed whole to the storage threads (asynchronous storage writes)".into();
    }
    let mut parts = Vec::new();
    for (name, s) in [
        ("written", r.persisted),
        ("fsync done", r.synced),
        ("sent", r.sent),
        ("applied", r.applied),
        ("Advance", r.advanced),
    ] {
        if let Some(s) = s {
            parts.push(format!("{name} {}ms", s.at));
        }
    }
    if let Some(s) = r.abandoned {
        parts.push(format!("lost at {}ms (the node went down)", s.at));
    } else if r.advanced.is_none() {
        parts.push("not advanced yet".into());
    }
    parts.join(", ")
}
