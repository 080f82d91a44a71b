//! The space-time trace: what a sequence diagram of the run needs, recorded as the run goes.
//!
//! Raft is taught with sequence diagrams: one lane per node, time along the lanes, every
//! message an arrow from its send to its delivery, and what each node did in between. The
//! event log tells all of that in sentences; the trace keeps it as data the page can draw —
//! every message's send and fate (delivered, or lost and why), the marks a node leaves on its
//! lane (role and term changes, votes, commits, applies, disk writes, crashes), each Ready as a
//! bracket from taking it to Advance, and the spans in which a partition cut a node off.
//!
//! Everything is stamped with the event it happened in, so a look at the past cuts the trace at
//! the event shown ([`Trace::upto`]), and the trace follows time travel like the event log: a
//! checkpoint keeps only what the trace needs to go on ([`Trace::empty_like`]), and a replay
//! from it gets the earlier part back ([`Trace::restore`]). Like the event log it keeps a window
//! of its latest items, so a page that runs for hours stays bounded.
//!
//! The trace only watches: recording draws nothing from the run's random numbers and changes
//! no state, so a run's events and history hash are the same with or without it.

use std::collections::{BTreeMap, BTreeSet};

use raft::state::StateType;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::event::{Event, EventKind};
use crate::network::{LossCause, MessageHead, MessageId, Network, NodeId, WireNote};
use crate::node::Node;

// What the page draws (`project`) and the comparison of two branches (`compare`) extend
// `Trace` from modules of their own, which it never names: no import circle.
pub mod compare;
pub mod project;
#[cfg(test)]
mod tests;

/// Items of each sort a trace keeps unless told otherwise: the latest are kept, the oldest
/// go when twice as many gathered (each is moved once on average). At most sixteen thousand
/// messages, Readys and marks each, some five megabytes: tens of seconds of the heaviest
/// preset, minutes of a quiet cluster. (Twenty thousand cost the page 30 MB of wasm memory.)
pub const DEFAULT_TRACE_WINDOW: usize = 8_000;

/// When something happened: the event it was part of, and the virtual time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub event: u64,
    pub at: Millis,
}

/// What became of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fate {
    Delivered,
    Lost(LossCause),
}

/// One message, from its send to its delivery or loss.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TracedMessage {
    /// Its id in flight; 0 for a message lost as it was sent, which never had one.
    pub id: MessageId,
    pub head: MessageHead,
    pub sent: Stamp,
    /// When it was due to arrive (it may have been held past that, or lost before).
    pub arrives_at: Millis,
    /// A duplicate names the message it copies.
    pub copy_of: Option<MessageId>,
    /// It got the link's extra reorder delay.
    pub reordered: bool,
    /// Its end, once it came.
    pub end: Option<(Stamp, Fate)>,
}

/// What a mark on a node's lane says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MarkKind {
    /// The node became follower, candidate, pre-candidate or leader, at this term.
    Role {
        role: StateType,
        term: u64,
    },
    /// Its term moved without its role changing.
    Term(u64),
    /// It voted for this node, at this term.
    Vote {
        to: NodeId,
        term: u64,
    },
    /// Its commit index moved up to here.
    Commit(u64),
    /// It applied up to here.
    Apply(u64),
    /// It wrote to its disk (a Ready's HardState, entries or snapshot).
    Persist,
    /// Its disk finished an fsync.
    Sync,
    Crash,
    Restart,
    Wipe,
    /// Its clock was paused (or resumed).
    Clock {
        paused: bool,
    },
}

/// One mark on a node's lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub node: NodeId,
    pub at: Stamp,
    pub kind: MarkKind,
}

/// What a Ready held, counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyContents {
    pub soft_state: bool,
    pub hard_state: bool,
    pub entries: u32,
    pub snapshot: bool,
    pub messages: u32,
    pub committed: u32,
    pub reads: u32,
    pub must_sync: bool,
}

impl ReadyContents {
    pub fn of(rd: &raft::rawnode::Ready) -> ReadyContents {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        ReadyContents {
            soft_state: rd.soft_state.is_some(),
            hard_state: !rd.hard_state.is_empty(),
            entries: count(rd.entries.len()),
            snapshot: !rd.snapshot.is_empty(),
            messages: count(rd.messages.len()),
            committed: count(rd.committed_entries.len()),
            reads: count(rd.read_states.len()),
            must_sync: rd.must_sync,
        }
    }
}

/// One Ready on a node's lane: taken, worked through, advanced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadySpan {
    pub node: NodeId,
    pub taken: Stamp,
    pub contents: ReadyContents,
    pub persisted: Option<Stamp>,
    pub synced: Option<Stamp>,
    pub sent: Option<Stamp>,
    pub applied: Option<Stamp>,
    pub advanced: Option<Stamp>,
    /// Handed whole to the storage threads (asynchronous storage writes): no Advance follows.
    pub handed_out: bool,
    /// It ended without Advance: the node crashed or was wiped with it in hand.
    pub abandoned: Option<Stamp>,
}

impl ReadySpan {
    /// When the bracket closes, if it did.
    pub fn end(&self) -> Option<Stamp> {
        if self.handed_out {
            return Some(self.taken);
        }
        self.advanced.or(self.abandoned)
    }
}

/// A stretch of time in which a node could not reach some others (or they it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutSpan {
    pub node: NodeId,
    pub from: Stamp,
    pub to: Option<Stamp>,
    /// The nodes on the other side of a cut link, either way.
    pub unreachable: Vec<NodeId>,
}

/// The trace of a future abandoned by acting in the past, kept to draw beside the present.
#[derive(Clone, Debug)]
pub struct BranchTrace {
    /// The event count at which the present left it, and the time then.
    pub forked_at: u64,
    pub forked_at_ms: Millis,
    /// How far it had run.
    pub ended_ms: Millis,
    pub events: u64,
    pub trace: Trace,
}

/// A node as last seen, to notice what changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seen {
    up: bool,
    role: StateType,
    term: u64,
    vote: u64,
    commit: u64,
    applied: u64,
}

impl Seen {
    fn of(n: &Node) -> Seen {
        match n.raw() {
            Some(r) => Seen {
                up: true,
                role: r.raft.state,
                term: r.raft.term,
                vote: r.raft.vote,
                commit: r.raft.raft_log.committed,
                applied: r.raft.raft_log.applied,
            },
            None => Seen {
                up: false,
                role: StateType::StateFollower,
                term: 0,
                vote: 0,
                commit: 0,
                applied: 0,
            },
        }
    }
}

/// The trace of a run (see the module's documentation).
#[derive(Clone, Debug, Default)]
pub struct Trace {
    on: bool,
    window: usize,
    messages: Vec<TracedMessage>,
    marks: Vec<Mark>,
    readys: Vec<ReadySpan>,
    cuts: Vec<CutSpan>,
    // What the trace needs to go on, kept by a checkpoint (see `empty_like`):
    seen: BTreeMap<NodeId, Seen>,
    /// Each node's Ready in hand, by when it was taken.
    open_readys: BTreeMap<NodeId, Stamp>,
    /// Each cut-off node's unreachable peers now, by when that began.
    open_cuts: BTreeMap<NodeId, (Stamp, Vec<NodeId>)>,
}

impl Trace {
    /// A trace that records, keeping the latest [`DEFAULT_TRACE_WINDOW`] of each sort.
    pub fn new() -> Trace {
        Trace {
            on: true,
            window: DEFAULT_TRACE_WINDOW,
            ..Trace::default()
        }
    }

    /// A trace that records nothing (a run nobody will draw).
    pub fn off() -> Trace {
        Trace::default()
    }

    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Keeps about the latest `window` items of each sort (0: all).
    pub fn set_window(&mut self, window: usize) {
        self.window = window;
        self.trim();
    }

    pub fn messages(&self) -> &[TracedMessage] {
        &self.messages
    }

    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    pub fn readys(&self) -> &[ReadySpan] {
        &self.readys
    }

    pub fn cuts(&self) -> &[CutSpan] {
        &self.cuts
    }

    /// The message with this id, if the trace still has it.
    pub fn message(&self, id: MessageId) -> Option<&TracedMessage> {
        // Ids grow with sends, so it is near where the ids around it are; most lookups are of
        // messages sent a moment ago, hence the search from the end.
        self.messages.iter().rev().find(|m| m.id == id && id != 0)
    }

    /// Files what happened in event `e`: the network's notes since the last event (see
    /// [`Network::journal`]), then what changed on the nodes the event concerns (its node, or
    /// all of them when it names none).
    pub fn record(&mut self, e: &Event, nodes: &BTreeMap<NodeId, Node>, network: &Network) {
        if !self.on {
            return;
        }
        let (kind, node) = (e.kind, e.node);
        let stamp = Stamp {
            event: e.index,
            at: e.at,
        };
        for &n in network.journal() {
            self.file_note(stamp, kind, n);
        }
        self.file_kind(stamp, kind, node, nodes);
        match node.filter(|_| kind != EventKind::Setup) {
            Some(id) => {
                if let Some(n) = nodes.get(&id) {
                    self.look_at(stamp, id, n);
                }
            }
            None => {
                for (&id, n) in nodes {
                    self.look_at(stamp, id, n);
                }
            }
        }
        if matches!(kind, EventKind::Network | EventKind::Setup) {
            self.look_at_cuts(stamp, nodes, network);
        }
        self.trim();
    }

    fn file_note(&mut self, stamp: Stamp, kind: EventKind, note: WireNote) {
        match note {
            WireNote::Sent {
                id,
                head,
                arrives_at,
                copy_of,
                reordered,
            } => self.messages.push(TracedMessage {
                id,
                head,
                sent: stamp,
                arrives_at,
                copy_of,
                reordered,
                end: None,
            }),
            WireNote::LostAtSend { head, cause } => self.messages.push(TracedMessage {
                id: 0,
                head,
                sent: stamp,
                arrives_at: stamp.at,
                copy_of: None,
                reordered: false,
                end: Some((stamp, Fate::Lost(cause))),
            }),
            WireNote::Taken { id } => {
                // Taken for delivery in an event that says it was dropped: the recipient could
                // not take it.
                let fate = if kind == EventKind::Drop {
                    Fate::Lost(LossCause::Refused)
                } else {
                    Fate::Delivered
                };
                self.end_message(id, stamp, fate);
            }
            WireNote::Lost { id, cause } => self.end_message(id, stamp, Fate::Lost(cause)),
        }
    }

    fn end_message(&mut self, id: MessageId, stamp: Stamp, fate: Fate) {
        if let Some(m) = self
            .messages
            .iter_mut()
            .rev()
            .find(|m| m.id == id && m.end.is_none())
        {
            m.end = Some((stamp, fate));
        }
    }

    /// Marks and Ready brackets that the event's kind alone says.
    fn file_kind(
        &mut self,
        stamp: Stamp,
        kind: EventKind,
        node: Option<NodeId>,
        nodes: &BTreeMap<NodeId, Node>,
    ) {
        let Some(id) = node else {
            return;
        };
        let mark = match kind {
            EventKind::Persist => Some(MarkKind::Persist),
            EventKind::Sync => Some(MarkKind::Sync),
            EventKind::Crash => Some(MarkKind::Crash),
            EventKind::Restart => Some(MarkKind::Restart),
            EventKind::Wipe => Some(MarkKind::Wipe),
            EventKind::Clock => nodes.get(&id).map(|n| MarkKind::Clock {
                paused: n.timer.paused,
            }),
            _ => None,
        };
        if let Some(kind) = mark {
            self.marks.push(Mark {
                node: id,
                at: stamp,
                kind,
            });
        }
        match kind {
            EventKind::Ready => self.take_ready(stamp, id, nodes.get(&id)),
            EventKind::Persist => self.ready_step(id, |r| &mut r.persisted, stamp),
            EventKind::Sync => self.ready_step(id, |r| &mut r.synced, stamp),
            EventKind::Send => self.ready_step(id, |r| &mut r.sent, stamp),
            EventKind::Apply => self.ready_step(id, |r| &mut r.applied, stamp),
            EventKind::Advance => {
                self.ready_step(id, |r| &mut r.advanced, stamp);
                self.open_readys.remove(&id);
            }
            EventKind::Crash | EventKind::Wipe | EventKind::Restart => {
                self.ready_step(id, |r| &mut r.abandoned, stamp);
                self.open_readys.remove(&id);
            }
            _ => {}
        }
    }

    fn take_ready(&mut self, stamp: Stamp, id: NodeId, node: Option<&Node>) {
        let Some(node) = node else {
            return;
        };
        // A node that writes synchronously holds its Ready until Advance; one with
        // asynchronous storage writes hands it out whole at once.
        let (contents, handed_out) = match (&node.ready, &node.last_ready) {
            (Some(rip), _) => (ReadyContents::of(&rip.ready), false),
            (None, Some(last)) => (ReadyContents::of(&last.ready), true),
            (None, None) => (ReadyContents::default(), true),
        };
        self.readys.push(ReadySpan {
            node: id,
            taken: stamp,
            contents,
            persisted: None,
            synced: None,
            sent: None,
            applied: None,
            advanced: None,
            handed_out,
            abandoned: None,
        });
        if !handed_out {
            self.open_readys.insert(id, stamp);
        }
    }

    /// Stamps a step of the node's Ready in hand (the first time only).
    fn ready_step(
        &mut self,
        id: NodeId,
        field: impl Fn(&mut ReadySpan) -> &mut Option<Stamp>,
        stamp: Stamp,
    ) {
        let Some(taken) = self.open_readys.get(&id).copied() else {
            return;
        };
        if let Some(r) = self
            .readys
            .iter_mut()
            .rev()
            .find(|r| r.node == id && r.taken == taken)
        {
            let f = field(r);
            if f.is_none() {
                *f = Some(stamp);
            }
        }
    }

    /// Marks what changed on node `id` since it was last seen.
    fn look_at(&mut self, stamp: Stamp, id: NodeId, n: &Node) {
        let now = Seen::of(n);
        let Some(before) = self.seen.insert(id, now) else {
            return;
        };
        if !now.up {
            return;
        }
        let mut mark = |kind| {
            self.marks.push(Mark {
                node: id,
                at: stamp,
                kind,
            })
        };
        if now.role != before.role || !before.up {
            mark(MarkKind::Role {
                role: now.role,
                term: now.term,
            });
        } else if now.term != before.term {
            mark(MarkKind::Term(now.term));
        }
        if now.vote != 0 && (now.vote != before.vote || now.term != before.term) {
            mark(MarkKind::Vote {
                to: now.vote,
                term: now.term,
            });
        }
        if now.commit > before.commit {
            mark(MarkKind::Commit(now.commit));
        }
        if now.applied > before.applied {
            mark(MarkKind::Apply(now.applied));
        }
    }

    /// Opens and closes the spans in which a node is cut off from some others.
    fn look_at_cuts(&mut self, stamp: Stamp, nodes: &BTreeMap<NodeId, Node>, network: &Network) {
        let mut unreachable: BTreeMap<NodeId, BTreeSet<NodeId>> = BTreeMap::new();
        for (a, b) in network.cuts() {
            unreachable.entry(a).or_default().insert(b);
            unreachable.entry(b).or_default().insert(a);
        }
        let ids: BTreeSet<NodeId> = nodes.keys().chain(self.open_cuts.keys()).copied().collect();
        for id in ids {
            let now: Vec<NodeId> = unreachable
                .get(&id)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default();
            let before = self.open_cuts.get(&id).map(|(_, v)| v.clone());
            if before.as_deref().unwrap_or(&[]) == now.as_slice() {
                continue;
            }
            if let Some((from, _)) = self.open_cuts.remove(&id) {
                if let Some(c) = self
                    .cuts
                    .iter_mut()
                    .rev()
                    .find(|c| c.node == id && c.from == from)
                {
                    c.to = Some(stamp);
                }
            }
            if !now.is_empty() {
                self.cuts.push(CutSpan {
                    node: id,
                    from: stamp,
                    to: None,
                    unreachable: now.clone(),
                });
                self.open_cuts.insert(id, (stamp, now));
            }
        }
    }

    fn trim(&mut self) {
        let w = self.window;
        if w == 0 {
            return;
        }
        trim_front(&mut self.messages, w);
        trim_front(&mut self.marks, w);
        trim_front(&mut self.readys, w);
        trim_front(&mut self.cuts, w);
    }

    /// The same trace without its items, but with what it needs to go on: a time-travel
    /// checkpoint's, which gets the items back from [`Trace::restore`].
    pub fn empty_like(&self) -> Trace {
        Trace {
            on: self.on,
            window: self.window,
            messages: Vec::new(),
            marks: Vec::new(),
            readys: Vec::new(),
            cuts: Vec::new(),
            seen: self.seen.clone(),
            open_readys: self.open_readys.clone(),
            open_cuts: self.open_cuts.clone(),
        }
    }

    /// This trace (a checkpoint's, from [`Trace::empty_like`]) given back the items `whole`
    /// recorded before event `n`, as they were then.
    pub fn restore(&mut self, whole: &Trace, n: u64) {
        let cut = Cut(n);
        self.messages = whole
            .messages
            .iter()
            .filter(|m| cut.has(m.sent))
            .map(|m| TracedMessage {
                end: m.end.filter(|(s, _)| cut.has(*s)),
                ..m.clone()
            })
            .collect();
        self.marks = whole
            .marks
            .iter()
            .filter(|m| cut.has(m.at))
            .copied()
            .collect();
        self.readys = whole
            .readys
            .iter()
            .filter(|r| cut.has(r.taken))
            .map(|r| cut.ready(r))
            .collect();
        self.cuts = whole
            .cuts
            .iter()
            .filter(|c| cut.has(c.from))
            .map(|c| CutSpan {
                to: c.to.filter(|s| cut.has(*s)),
                ..c.clone()
            })
            .collect();
    }

    /// The Readys of node `id` taken before event `upto`, latest first, as they stood then.
    pub fn readys_of(&self, id: NodeId, upto: u64) -> impl Iterator<Item = ReadySpan> + '_ {
        let cut = Cut(upto);
        self.readys
            .iter()
            .rev()
            .filter(move |r| r.node == id && cut.has(r.taken))
            .map(move |r| cut.ready(r))
    }
}

/// The trace as it stood after its first `n` events: what happened at events `0..n`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cut(pub u64);

impl Cut {
    pub(crate) fn has(self, s: Stamp) -> bool {
        s.event < self.0
    }

    fn step(self, s: Option<Stamp>) -> Option<Stamp> {
        s.filter(|s| self.has(*s))
    }

    pub(crate) fn ready(self, r: &ReadySpan) -> ReadySpan {
        ReadySpan {
            persisted: self.step(r.persisted),
            synced: self.step(r.synced),
            sent: self.step(r.sent),
            applied: self.step(r.applied),
            advanced: self.step(r.advanced),
            abandoned: self.step(r.abandoned),
            ..*r
        }
    }
}

/// Drops the oldest items once twice `window` gathered, keeping the latest `window`.
fn trim_front<T>(v: &mut Vec<T>, window: usize) {
    if v.len() >= 2 * window {
        v.drain(..v.len() - window);
    }
}
