//! The virtual network between the nodes.
//!
//! Every directed link `from -> to` has its own [`LinkConfig`] (latency, drop, duplicate and
//! reorder rates) or falls back to the network's default one. A partition is nothing more than a
//! set of cut directed links, so symmetric partitions, one-way partitions and single cut links are
//! the same mechanism.
//!
//! Randomness is only consumed when a message is sent: whether it is dropped or duplicated and
//! when each copy arrives is decided right there, from the caller's `ChaCha8Rng`. Everything after
//! that (which messages are due, in which order) is a pure function of the state, which keeps a
//! run reproducible and lets the page show every message's fate in advance. A link with no
//! random faults and a fixed latency draws nothing at all, so a fault-free run does not depend on
//! the seed.
//!
//! Messages between a node and itself never enter the network: etcd raft hands self-addressed
//! work back through `Ready`/`advance`, and the cluster steps those directly.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use raft::raftpb::Message;
use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::units::decimal::format_rate;

mod wire;

pub use wire::{LossCause, MessageHead, MessageId, NodeId, WireNote};

/// Latency of a link when nothing else is said: a LAN-ish round trip that is still visible
/// against the 100 ms tick.
pub const DEFAULT_LATENCY: Millis = 10;

/// Why the network refused an operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum NetworkError {
    /// No message with this id is in flight (it was delivered, dropped, or never existed).
    UnknownMessage(MessageId),
    /// A rate outside [0, 1] (or NaN).
    InvalidRate { what: String, value: f64 },
    /// A latency range whose lower bound is above its upper bound.
    InvalidLatency { min: Millis, max: Millis },
    /// A message or link from a node to itself: such traffic never enters the network.
    Loopback { node: NodeId },
    /// A message type etcd raft only ever uses inside one node.
    LocalMessage { msg_type: String },
    /// The same node was listed in two groups of a partition.
    NodeInTwoGroups { node: NodeId },
    /// `send_local` was given a message that leaves its node.
    NotLocal { msg_type: String },
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkError::UnknownMessage(id) => write!(f, "no message #{id} in flight"),
            NetworkError::InvalidRate { what, value } => {
                write!(
                    f,
                    "{what} must be between 0 and 1, got {}",
                    format_rate(*value)
                )
            }
            NetworkError::InvalidLatency { min, max } => {
                write!(f, "latency range {min}..{max}ms is empty: the lower bound is above the upper bound")
            }
            NetworkError::Loopback { node } => {
                write!(f, "node {node} talks to itself without the network")
            }
            NetworkError::LocalMessage { msg_type } => {
                write!(
                    f,
                    "{msg_type} is local to a node and never enters the network"
                )
            }
            NetworkError::NodeInTwoGroups { node } => {
                write!(f, "node {node} is listed in more than one partition group")
            }
            NetworkError::NotLocal { msg_type } => {
                write!(f, "this {msg_type} goes to another node, over the network")
            }
        }
    }
}

impl std::error::Error for NetworkError {}

/// A delay drawn uniformly from `min..=max` milliseconds; `min == max` is a fixed delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    pub min: Millis,
    pub max: Millis,
}

impl Latency {
    /// Always exactly `ms`.
    pub const fn fixed(ms: Millis) -> Self {
        Latency { min: ms, max: ms }
    }

    /// Uniform over `min..=max`; refuses an empty range.
    pub fn uniform(min: Millis, max: Millis) -> Result<Self, NetworkError> {
        let l = Latency { min, max };
        l.validate()?;
        Ok(l)
    }

    pub fn validate(&self) -> Result<(), NetworkError> {
        if self.min > self.max {
            return Err(NetworkError::InvalidLatency {
                min: self.min,
                max: self.max,
            });
        }
        Ok(())
    }

    pub fn is_fixed(&self) -> bool {
        self.min == self.max
    }

    /// Draws a delay. A fixed latency draws nothing from `rng`. An invalid (inverted) range is
    /// read as its lower bound rather than panicking; the setters never let one in.
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> Millis {
        if self.min >= self.max {
            return self.min;
        }
        random_between(rng, self.min, self.max)
    }
}

impl fmt::Display for Latency {
    /// The script syntax: `20ms` or `20..80ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_fixed() {
            write!(f, "{}ms", self.min)
        } else {
            write!(f, "{}..{}ms", self.min, self.max)
        }
    }
}

/// The behaviour of one directed link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkConfig {
    /// Time from send to arrival.
    pub latency: Latency,
    /// Probability that a message is lost.
    pub drop_rate: f64,
    /// Probability that a message arrives twice (the copy gets its own latency).
    pub duplicate_rate: f64,
    /// Probability that a message is held back by an extra delay, so that later messages on the
    /// same link overtake it.
    pub reorder_rate: f64,
    /// The extra delay of a reordered message.
    pub reorder_delay: Latency,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            latency: Latency::fixed(DEFAULT_LATENCY),
            drop_rate: 0.0,
            duplicate_rate: 0.0,
            reorder_rate: 0.0,
            // Long enough to overtake a few heartbeats at the default 100 ms tick.
            reorder_delay: Latency { min: 1, max: 200 },
        }
    }
}

impl LinkConfig {
    /// A perfect link with the given fixed latency.
    pub fn with_latency(latency: Latency) -> Self {
        LinkConfig {
            latency,
            ..LinkConfig::default()
        }
    }

    /// Checks the rates and latency ranges; every setter of [`Network`] calls this.
    pub fn validate(&self) -> Result<(), NetworkError> {
        for (what, value) in [
            ("drop rate", self.drop_rate),
            ("duplicate rate", self.duplicate_rate),
            ("reorder rate", self.reorder_rate),
        ] {
            // `contains` is false for NaN, which is exactly what we want to refuse.
            if !(0.0..=1.0).contains(&value) {
                return Err(NetworkError::InvalidRate {
                    what: what.to_string(),
                    value,
                });
            }
        }
        self.latency.validate()?;
        self.reorder_delay.validate()
    }
}

/// A message on its way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    pub id: MessageId,
    pub msg: Message,
    pub sent_at: Millis,
    pub arrives_at: Millis,
    /// A held message is never due; it waits (past its arrival time if need be) until released,
    /// dropped or delivered by hand.
    pub held: bool,
    /// Set on the extra copy of a duplicated message: the id of the message it copies.
    pub copy_of: Option<MessageId>,
    /// Whether this message got the extra reorder delay.
    pub reordered: bool,
}

/// Why a send did not put anything in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DropReason {
    /// The link was cut (by a partition or by hand).
    Cut,
    /// The link's drop rate.
    Random,
}

/// What became of one sent message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendOutcome {
    /// The ids now in flight: one, or two when the link duplicated it, or none when dropped.
    pub queued: Vec<MessageId>,
    pub dropped: Option<DropReason>,
}

/// Running totals since the network was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkStats {
    /// Messages handed to `send` (refused loopback/local messages excluded).
    pub sent: u64,
    /// Messages lost: at send time, when their link was cut, or dropped by hand.
    pub dropped: u64,
    /// Extra copies created, at random or by hand.
    pub duplicated: u64,
    /// Messages taken out of the network for delivery.
    pub delivered: u64,
}

/// All links and all messages in flight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network {
    default_link: LinkConfig,
    /// Per-link overrides of `default_link`.
    #[serde(with = "pair_keyed")]
    links: BTreeMap<(NodeId, NodeId), LinkConfig>,
    /// Cut directed links. Kept apart from `links` so that healing a partition restores each
    /// link's own latency and rates, and so a cut survives a change of the default config.
    cuts: BTreeSet<(NodeId, NodeId)>,
    in_flight: BTreeMap<MessageId, InFlight>,
    /// The messages in flight that are not held, in delivery order (arrival time, then id):
    /// the next delivery is the first, with no scan of everything in flight. A storm of
    /// duplicated messages can put tens of thousands in flight, and a scan per delivery made
    /// the run crawl (a fuzz seed took 44 s for 46,000 events).
    due_order: BTreeSet<(Millis, MessageId)>,
    next_id: MessageId,
    stats: NetworkStats,
    /// What happened on the wire since the cluster last took the notes (see [`WireNote`]);
    /// kept only while `journal_on`.
    #[serde(skip)]
    journal: Vec<WireNote>,
    #[serde(skip)]
    journal_on: bool,
}

impl Default for Network {
    fn default() -> Self {
        Network::new()
    }
}

impl Network {
    /// A connected network of default links and no messages.
    pub fn new() -> Self {
        Network {
            default_link: LinkConfig::default(),
            links: BTreeMap::new(),
            cuts: BTreeSet::new(),
            in_flight: BTreeMap::new(),
            due_order: BTreeSet::new(),
            next_id: 1,
            stats: NetworkStats::default(),
            journal: Vec::new(),
            journal_on: false,
        }
    }

    // ---- links -------------------------------------------------------------------------

    /// The config of links without an override.
    pub fn default_link(&self) -> &LinkConfig {
        &self.default_link
    }

    /// Changes the config of every link without an override. Messages already in flight keep
    /// the arrival time they were given.
    pub fn set_default_link(&mut self, config: LinkConfig) -> Result<(), NetworkError> {
        config.validate()?;
        self.default_link = config;
        Ok(())
    }

    /// The config in force on `from -> to`.
    pub fn link(&self, from: NodeId, to: NodeId) -> &LinkConfig {
        self.links.get(&(from, to)).unwrap_or(&self.default_link)
    }

    /// Overrides the config of the directed link `from -> to`.
    pub fn set_link(
        &mut self,
        from: NodeId,
        to: NodeId,
        config: LinkConfig,
    ) -> Result<(), NetworkError> {
        refuse_loopback(from, to)?;
        config.validate()?;
        self.links.insert((from, to), config);
        Ok(())
    }

    /// Returns `from -> to` to the default config; false if it had no override.
    pub fn reset_link(&mut self, from: NodeId, to: NodeId) -> bool {
        self.links.remove(&(from, to)).is_some()
    }

    /// The overridden links, in (from, to) order.
    pub fn link_overrides(&self) -> impl Iterator<Item = ((NodeId, NodeId), &LinkConfig)> {
        self.links.iter().map(|(k, v)| (*k, v))
    }

    // ---- partitions --------------------------------------------------------------------

    /// Cuts both directions between `a` and `b`. Returns the messages that were in flight on
    /// those links, which are lost with them.
    pub fn cut(&mut self, a: NodeId, b: NodeId) -> Result<Vec<InFlight>, NetworkError> {
        refuse_loopback(a, b)?;
        let mut lost = self.cut_link(a, b);
        lost.extend(self.cut_link(b, a));
        lost.sort_by_key(|m| m.id);
        Ok(lost)
    }

    /// Cuts only `from -> to`: `to` still reaches `from`. Returns the messages lost with it.
    pub fn cut_one_way(&mut self, from: NodeId, to: NodeId) -> Result<Vec<InFlight>, NetworkError> {
        refuse_loopback(from, to)?;
        Ok(self.cut_link(from, to))
    }

    /// Replaces the current cuts with a partition into `groups`: every link between nodes of
    /// different groups is cut both ways, links inside a group are healed. A node listed in no
    /// group keeps its links. Returns the messages lost on the newly cut links.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) -> Result<Vec<InFlight>, NetworkError> {
        let mut group_of = BTreeMap::new();
        for (g, group) in groups.iter().enumerate() {
            for &n in group {
                if group_of.insert(n, g).is_some_and(|prev| prev != g) {
                    return Err(NetworkError::NodeInTwoGroups { node: n });
                }
            }
        }
        self.cuts.clear();
        let mut lost = Vec::new();
        for (&a, &ga) in &group_of {
            for (&b, &gb) in &group_of {
                if ga != gb {
                    lost.extend(self.cut_link(a, b));
                }
            }
        }
        lost.sort_by_key(|m| m.id);
        Ok(lost)
    }

    /// Removes every cut. Link configs are untouched.
    pub fn heal(&mut self) {
        self.cuts.clear();
    }

    /// Restores both directions between `a` and `b`.
    pub fn heal_link(&mut self, a: NodeId, b: NodeId) {
        self.cuts.remove(&(a, b));
        self.cuts.remove(&(b, a));
    }

    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.cuts.contains(&(from, to))
    }

    /// The cut directed links, in (from, to) order.
    pub fn cuts(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.cuts.iter().copied()
    }

    /// A cut link loses what is on the wire at that moment, just as what is sent later; so no
    /// message is ever in flight on a cut link, and delivery never has to look at cuts.
    fn cut_link(&mut self, from: NodeId, to: NodeId) -> Vec<InFlight> {
        if !self.cuts.insert((from, to)) {
            return Vec::new();
        }
        let ids: Vec<MessageId> = self
            .in_flight
            .values()
            .filter(|m| m.msg.from == from && m.msg.to == to)
            .map(|m| m.id)
            .collect();
        let lost: Vec<InFlight> = ids.iter().filter_map(|&id| self.remove(id)).collect();
        self.stats.dropped += lost.len() as u64;
        self.note_lost(&lost, LossCause::Cut);
        lost
    }

    // ---- the journal -------------------------------------------------------------------

    /// Keeps notes of what happens on the wire from now on (or stops, and forgets them).
    pub fn set_journal(&mut self, on: bool) {
        self.journal_on = on;
        if !on {
            self.journal.clear();
        }
    }

    /// The notes since the journal was last cleared, oldest first.
    pub fn journal(&self) -> &[WireNote] {
        &self.journal
    }

    pub fn clear_journal(&mut self) {
        self.journal.clear();
    }

    fn note(&mut self, n: WireNote) {
        if self.journal_on {
            self.journal.push(n);
        }
    }

    fn note_lost(&mut self, lost: &[InFlight], cause: LossCause) {
        for m in lost {
            self.note(WireNote::Lost { id: m.id, cause });
        }
    }

    fn note_sent(&mut self, m: &InFlight) {
        if self.journal_on {
            self.journal.push(WireNote::Sent {
                id: m.id,
                head: MessageHead::of(&m.msg),
                arrives_at: m.arrives_at,
                copy_of: m.copy_of,
                reordered: m.reordered,
            });
        }
    }

    // ---- sending -----------------------------------------------------------------------

    /// Puts `msg` on the link `msg.from -> msg.to` at time `now`. Drop, duplication, latency and
    /// reordering are all decided here, in that order, with draws from `rng` (none for a link
    /// without random faults and with a fixed latency).
    ///
    /// Refuses self-addressed and node-local messages: those never leave the node.
    pub fn send(
        &mut self,
        msg: Message,
        now: Millis,
        rng: &mut ChaCha8Rng,
    ) -> Result<SendOutcome, NetworkError> {
        if msg.msg_type.is_local() {
            return Err(NetworkError::LocalMessage {
                msg_type: msg.msg_type.name().to_string(),
            });
        }
        refuse_loopback(msg.from, msg.to)?;
        self.stats.sent += 1;
        if self.is_cut(msg.from, msg.to) {
            self.stats.dropped += 1;
            self.note(WireNote::LostAtSend {
                head: MessageHead::of(&msg),
                cause: LossCause::Cut,
            });
            return Ok(SendOutcome {
                queued: Vec::new(),
                dropped: Some(DropReason::Cut),
            });
        }
        let link = self.link(msg.from, msg.to).clone();
        if random_chance(rng, link.drop_rate) {
            self.stats.dropped += 1;
            self.note(WireNote::LostAtSend {
                head: MessageHead::of(&msg),
                cause: LossCause::Random,
            });
            return Ok(SendOutcome {
                queued: Vec::new(),
                dropped: Some(DropReason::Random),
            });
        }
        let duplicate = random_chance(rng, link.duplicate_rate);
        let first = self.enqueue(msg.clone(), now, &link, None, rng);
        let mut queued = vec![first];
        if duplicate {
            self.stats.duplicated += 1;
            queued.push(self.enqueue(msg, now, &link, Some(first), rng));
        }
        Ok(SendOutcome {
            queued,
            dropped: None,
        })
    }

    /// Puts a message that stays on its node in flight: between a node and its storage threads,
    /// or a node's answer to itself (asynchronous storage writes). It arrives at once, in send
    /// order with everything else, and no link, cut or random fault touches it: it never leaves
    /// the machine. Refuses any other message.
    pub fn send_local(&mut self, msg: Message, now: Millis) -> Result<MessageId, NetworkError> {
        if !is_node_local(&msg) {
            return Err(NetworkError::NotLocal {
                msg_type: msg.msg_type.name().to_string(),
            });
        }
        self.stats.sent += 1;
        let id = self.next_id;
        self.next_id += 1;
        self.insert(InFlight {
            id,
            msg,
            sent_at: now,
            arrives_at: now,
            held: false,
            copy_of: None,
            reordered: false,
        });
        Ok(id)
    }

    fn enqueue(
        &mut self,
        msg: Message,
        now: Millis,
        link: &LinkConfig,
        copy_of: Option<MessageId>,
        rng: &mut ChaCha8Rng,
    ) -> MessageId {
        let mut delay = link.latency.sample(rng);
        let reordered = random_chance(rng, link.reorder_rate);
        if reordered {
            delay = delay.saturating_add(link.reorder_delay.sample(rng));
        }
        let id = self.next_id;
        self.next_id += 1;
        let arrives_at = now.saturating_add(delay);
        let m = InFlight {
            id,
            msg,
            sent_at: now,
            arrives_at,
            held: false,
            copy_of,
            reordered,
        };
        self.note_sent(&m);
        self.insert(m);
        id
    }

    /// Puts a message in flight, and in the delivery order unless it is held.
    fn insert(&mut self, m: InFlight) {
        if !m.held {
            self.due_order.insert((m.arrives_at, m.id));
        }
        self.in_flight.insert(m.id, m);
    }

    /// Takes a message out of flight (and out of the delivery order).
    fn remove(&mut self, id: MessageId) -> Option<InFlight> {
        let m = self.in_flight.remove(&id)?;
        self.due_order.remove(&(m.arrives_at, m.id));
        Some(m)
    }

    /// Holds or releases a message; returns whether it was held before.
    fn set_held(&mut self, id: MessageId, held: bool) -> Result<bool, NetworkError> {
        let m = self
            .in_flight
            .get_mut(&id)
            .ok_or(NetworkError::UnknownMessage(id))?;
        let was = std::mem::replace(&mut m.held, held);
        if held {
            self.due_order.remove(&(m.arrives_at, id));
        } else {
            self.due_order.insert((m.arrives_at, id));
        }
        Ok(was)
    }

    // ---- looking at messages -----------------------------------------------------------

    pub fn get(&self, id: MessageId) -> Option<&InFlight> {
        self.in_flight.get(&id)
    }

    /// Every message in flight, held ones included, in send (id) order.
    pub fn in_flight(&self) -> impl Iterator<Item = &InFlight> {
        self.in_flight.values()
    }

    pub fn len(&self) -> usize {
        self.in_flight.len()
    }

    pub fn is_empty(&self) -> bool {
        self.in_flight.is_empty()
    }

    pub fn stats(&self) -> NetworkStats {
        self.stats
    }

    /// The ids of the messages due at `now` (not held, arrival time reached), in delivery order:
    /// arrival time, then id.
    pub fn due(&self, now: Millis) -> Vec<MessageId> {
        self.due_order
            .range(..=(now, MessageId::MAX))
            .map(|&(_, id)| id)
            .collect()
    }

    /// The first message due at `now` in delivery order (what [`Network::due`] would list
    /// first): the cluster delivers one message at a time.
    pub fn first_due(&self, now: Millis) -> Option<MessageId> {
        self.due_order
            .first()
            .filter(|&&(at, _)| at <= now)
            .map(|&(_, id)| id)
    }

    /// The earliest arrival time of a message that is not held: the next moment the network
    /// has something to do. A released message whose time has passed reports its (past) time.
    pub fn next_arrival(&self) -> Option<Millis> {
        self.due_order.first().map(|&(at, _)| at)
    }

    // ---- delivering --------------------------------------------------------------------

    /// Takes every message due at `now` out of the network, in delivery order (arrival time,
    /// then id). The caller steps them into their recipients in that order.
    pub fn take_due(&mut self, now: Millis) -> Vec<InFlight> {
        let ids = self.due(now);
        self.take_ids(&ids)
    }

    /// Takes every message to `to` that is not held, whatever its arrival time, in send order:
    /// step-by-step delivery as in etcd's `deliver-msgs`.
    pub fn take_to(&mut self, to: NodeId) -> Vec<InFlight> {
        let ids: Vec<MessageId> = self
            .in_flight
            .values()
            .filter(|m| !m.held && m.msg.to == to)
            .map(|m| m.id)
            .collect();
        self.take_ids(&ids)
    }

    /// Delivers one message right away, whatever its arrival time and even if it is held: the
    /// user's hand overrides the schedule.
    pub fn deliver_now(&mut self, id: MessageId) -> Result<InFlight, NetworkError> {
        let m = self.remove(id).ok_or(NetworkError::UnknownMessage(id))?;
        self.stats.delivered += 1;
        self.note(WireNote::Taken { id });
        Ok(m)
    }

    fn take_ids(&mut self, ids: &[MessageId]) -> Vec<InFlight> {
        let taken: Vec<InFlight> = ids.iter().filter_map(|&id| self.remove(id)).collect();
        self.stats.delivered += taken.len() as u64;
        for m in &taken {
            self.note(WireNote::Taken { id: m.id });
        }
        taken
    }

    // ---- meddling ----------------------------------------------------------------------

    /// Holds a message: it stays in flight but is never due until released. Holding a held
    /// message is a no-op.
    pub fn hold(&mut self, id: MessageId) -> Result<(), NetworkError> {
        self.set_held(id, true).map(|_| ())
    }

    /// Releases a held message. If its arrival time has passed it is due at once, still ordered
    /// by its original arrival time.
    pub fn release(&mut self, id: MessageId) -> Result<(), NetworkError> {
        self.set_held(id, false).map(|_| ())
    }

    /// Releases every held message; returns how many were held.
    pub fn release_all(&mut self) -> usize {
        let held: Vec<MessageId> = self
            .in_flight
            .values()
            .filter(|m| m.held)
            .map(|m| m.id)
            .collect();
        for &id in &held {
            let _ = self.set_held(id, false);
        }
        held.len()
    }

    /// Loses one message.
    pub fn drop_message(&mut self, id: MessageId) -> Result<InFlight, NetworkError> {
        let m = self.remove(id).ok_or(NetworkError::UnknownMessage(id))?;
        self.stats.dropped += 1;
        self.note(WireNote::Lost {
            id,
            cause: LossCause::ByHand,
        });
        Ok(m)
    }

    /// Loses every message from or to `node` (what a crash does to its open connections).
    pub fn drop_involving(&mut self, node: NodeId) -> Vec<InFlight> {
        let ids: Vec<MessageId> = self
            .in_flight
            .values()
            .filter(|m| m.msg.from == node || m.msg.to == node)
            .map(|m| m.id)
            .collect();
        let lost: Vec<InFlight> = ids.iter().filter_map(|&id| self.remove(id)).collect();
        self.stats.dropped += lost.len() as u64;
        self.note_lost(&lost, LossCause::NodeDown);
        lost
    }

    /// Adds a copy of a message in flight. The copy has the same arrival time and held flag, and
    /// a new id, so it arrives right after the original. Returns the copy's id.
    pub fn duplicate(&mut self, id: MessageId) -> Result<MessageId, NetworkError> {
        let orig = self
            .in_flight
            .get(&id)
            .ok_or(NetworkError::UnknownMessage(id))?;
        let copy_id = self.next_id;
        let copy = InFlight {
            id: copy_id,
            copy_of: Some(id),
            ..orig.clone()
        };
        self.next_id += 1;
        self.note_sent(&copy);
        self.insert(copy);
        self.stats.duplicated += 1;
        Ok(copy_id)
    }
}

/// Whether a message stays on its node: a node's answer to itself, or a message between a node
/// and its storage threads (asynchronous storage writes; etcd's `isLocalMsg` in its harness).
pub fn is_node_local(m: &Message) -> bool {
    use raft::util::{LOCAL_APPEND_THREAD, LOCAL_APPLY_THREAD};
    let thread = |id| id == LOCAL_APPEND_THREAD || id == LOCAL_APPLY_THREAD;
    m.from == m.to || thread(m.from) || thread(m.to)
}

fn refuse_loopback(from: NodeId, to: NodeId) -> Result<(), NetworkError> {
    if from == to {
        return Err(NetworkError::Loopback { node: from });
    }
    Ok(())
}

// ---- deterministic random helpers ------------------------------------------------------------

/// True with probability `p`. Certain outcomes (`p <= 0`, `p >= 1`) draw nothing, so turning a
/// fault off removes its draws from the stream.
pub fn random_chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    if p <= 0.0 || p.is_nan() {
        return false;
    }
    if p >= 1.0 {
        return true;
    }
    // 53 random bits make an exactly representable f64 in [0, 1); the comparison is plain
    // IEEE arithmetic, identical on every target.
    let unit = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    unit < p
}

/// A uniform integer in `lo..=hi` (`lo` itself if the range is empty). Rejection sampling keeps
/// it exactly uniform; the loop almost never runs twice.
pub fn random_between(rng: &mut ChaCha8Rng, lo: u64, hi: u64) -> u64 {
    if lo >= hi {
        return lo;
    }
    let span = hi - lo;
    if span == u64::MAX {
        return rng.next_u64();
    }
    let span = span + 1;
    // The largest multiple of `span` that fits: values at or above it would favour small results.
    let limit = u64::MAX - (u64::MAX % span);
    loop {
        let x = rng.next_u64();
        if x < limit {
            return lo + x % span;
        }
    }
}

/// Serializes a map keyed by node pairs as a list of `[[from, to], value]`, since JSON objects
/// only take string keys.
mod pair_keyed {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, V: Serialize>(
        map: &BTreeMap<(u64, u64), V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
        d: D,
    ) -> Result<BTreeMap<(u64, u64), V>, D::Error> {
        let pairs: Vec<((u64, u64), V)> = Vec::deserialize(d)?;
        Ok(pairs.into_iter().collect())
    }
}

#[cfg(test)]
mod tests;
