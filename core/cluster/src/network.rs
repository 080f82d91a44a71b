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

/// A node's Raft id.
pub type NodeId = u64;

/// The stable id of one message in flight. Ids are handed out in send order and never reused,
/// so "arrival time, then id" is a total, deterministic delivery order.
pub type MessageId = u64;

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
        lost
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
            return Ok(SendOutcome {
                queued: Vec::new(),
                dropped: Some(DropReason::Cut),
            });
        }
        let link = self.link(msg.from, msg.to).clone();
        if random_chance(rng, link.drop_rate) {
            self.stats.dropped += 1;
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
        self.insert(InFlight {
            id,
            msg,
            sent_at: now,
            arrives_at,
            held: false,
            copy_of,
            reordered,
        });
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
        Ok(m)
    }

    fn take_ids(&mut self, ids: &[MessageId]) -> Vec<InFlight> {
        let taken: Vec<InFlight> = ids.iter().filter_map(|&id| self.remove(id)).collect();
        self.stats.delivered += taken.len() as u64;
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
        self.insert(copy);
        self.stats.duplicated += 1;
        Ok(copy_id)
    }
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
mod tests {
    use super::*;
    use raft::raftpb::MessageType;
    use rand_core::SeedableRng;

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(7)
    }

    fn msg(from: NodeId, to: NodeId) -> Message {
        Message {
            msg_type: MessageType::MsgHeartbeat,
            from,
            to,
            term: 1,
            ..Default::default()
        }
    }

    /// The delivery order kept beside the messages always lists exactly the messages in flight
    /// that are not held, by arrival time then id: checked against a scan of every message
    /// after each of many random sends, holds, releases, duplicates, drops, cuts, heals and
    /// deliveries.
    #[test]
    fn the_delivery_order_always_matches_a_scan_of_the_messages_in_flight() {
        for seed in 0..50u64 {
            let mut r = ChaCha8Rng::seed_from_u64(seed);
            let mut net = Network::new();
            net.set_default_link(LinkConfig {
                duplicate_rate: 0.2,
                reorder_rate: 0.2,
                ..LinkConfig::with_latency(Latency::uniform(0, 40).unwrap())
            })
            .unwrap();
            let mut now = 0;
            for step in 0..400 {
                let ids: Vec<MessageId> = net.in_flight().map(|m| m.id).collect();
                let pick = |r: &mut ChaCha8Rng| {
                    (!ids.is_empty())
                        .then(|| ids[random_between(r, 0, ids.len() as u64 - 1) as usize])
                };
                let (a, b) = (random_between(&mut r, 1, 3), random_between(&mut r, 1, 3));
                match random_between(&mut r, 0, 9) {
                    0..=3 if a != b => {
                        let _ = net.send(msg(a, b), now, &mut r);
                    }
                    4 => {
                        if let Some(id) = pick(&mut r) {
                            net.hold(id).unwrap();
                        }
                    }
                    5 => {
                        if let Some(id) = pick(&mut r) {
                            net.release(id).unwrap();
                        }
                    }
                    6 => {
                        if let Some(id) = pick(&mut r) {
                            net.duplicate(id).unwrap();
                            net.drop_message(id).unwrap();
                        }
                    }
                    7 if a != b => {
                        net.cut(a, b).unwrap();
                        net.heal();
                    }
                    8 => {
                        net.release_all();
                    }
                    _ => {
                        now += random_between(&mut r, 0, 15);
                        let first = net.first_due(now);
                        let taken = net.take_due(now);
                        assert_eq!(first, taken.first().map(|m| m.id));
                    }
                }
                let mut scan: Vec<(Millis, MessageId)> = net
                    .in_flight()
                    .filter(|m| !m.held)
                    .map(|m| (m.arrives_at, m.id))
                    .collect();
                scan.sort_unstable();
                let due: Vec<MessageId> = scan
                    .iter()
                    .filter(|(at, _)| *at <= now)
                    .map(|&(_, id)| id)
                    .collect();
                assert_eq!(net.due(now), due, "seed {seed} step {step}");
                assert_eq!(net.next_arrival(), scan.first().map(|&(at, _)| at));
            }
        }
    }

    fn app(from: NodeId, to: NodeId, index: u64) -> Message {
        Message {
            msg_type: MessageType::MsgApp,
            from,
            to,
            term: 1,
            index,
            ..Default::default()
        }
    }

    #[test]
    fn a_message_arrives_after_the_link_latency() {
        let mut net = Network::new();
        let mut r = rng();
        let out = net.send(msg(1, 2), 100, &mut r).unwrap();
        assert_eq!(
            out,
            SendOutcome {
                queued: vec![1],
                dropped: None
            }
        );
        assert_eq!(net.next_arrival(), Some(100 + DEFAULT_LATENCY));
        assert!(net.due(100 + DEFAULT_LATENCY - 1).is_empty());
        let got = net.take_due(100 + DEFAULT_LATENCY);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].sent_at, got[0].arrives_at), (100, 110));
        assert!(net.is_empty());
        assert_eq!(
            net.stats(),
            NetworkStats {
                sent: 1,
                dropped: 0,
                duplicated: 0,
                delivered: 1
            }
        );
    }

    #[test]
    fn a_perfect_network_draws_no_randomness() {
        let mut net = Network::new();
        let mut r = rng();
        for i in 0..10 {
            net.send(app(1, 2, i), i, &mut r).unwrap();
        }
        assert_eq!(r.next_u64(), rng().next_u64());
    }

    #[test]
    fn due_messages_come_in_arrival_then_id_order() {
        let mut net = Network::new();
        let mut r = rng();
        net.set_link(1, 2, LinkConfig::with_latency(Latency::fixed(50)))
            .unwrap();
        net.send(app(1, 2, 1), 0, &mut r).unwrap(); // id 1 arrives at 50
        net.send(app(1, 3, 2), 0, &mut r).unwrap(); // id 2 arrives at 10
        net.send(app(3, 1, 3), 40, &mut r).unwrap(); // id 3 arrives at 50
        net.send(app(2, 1, 4), 0, &mut r).unwrap(); // id 4 arrives at 10
        assert_eq!(net.due(100), vec![2, 4, 1, 3]);
        assert_eq!(
            net.first_due(100),
            Some(2),
            "the first of them, without the sort"
        );
        let order: Vec<MessageId> = net.take_due(100).iter().map(|m| m.id).collect();
        assert_eq!(order, vec![2, 4, 1, 3]);
    }

    #[test]
    fn uniform_latency_stays_in_range_and_is_reproducible() {
        let cfg = LinkConfig {
            latency: Latency::uniform(20, 80).unwrap(),
            ..LinkConfig::default()
        };
        let run = || {
            let mut net = Network::new();
            net.set_default_link(cfg.clone()).unwrap();
            let mut r = rng();
            for i in 0..200 {
                net.send(app(1, 2, i), 0, &mut r).unwrap();
            }
            net.in_flight().map(|m| m.arrives_at).collect::<Vec<_>>()
        };
        let a = run();
        assert!(a.iter().all(|&t| (20..=80).contains(&t)));
        assert!(
            a.contains(&20) && a.contains(&80),
            "both bounds are reachable"
        );
        assert_eq!(a, run());
    }

    #[test]
    fn drop_rate_one_loses_everything_and_zero_nothing() {
        let mut net = Network::new();
        let mut r = rng();
        net.set_link(
            1,
            2,
            LinkConfig {
                drop_rate: 1.0,
                ..LinkConfig::default()
            },
        )
        .unwrap();
        let out = net.send(msg(1, 2), 0, &mut r).unwrap();
        assert_eq!(out.dropped, Some(DropReason::Random));
        assert!(out.queued.is_empty());
        // The reverse direction keeps the default config.
        assert_eq!(net.send(msg(2, 1), 0, &mut r).unwrap().dropped, None);
        assert_eq!(net.stats().dropped, 1);
        assert_eq!(net.stats().sent, 2);
    }

    #[test]
    fn random_drop_rate_is_roughly_honoured() {
        let mut net = Network::new();
        let mut r = rng();
        net.set_default_link(LinkConfig {
            drop_rate: 0.3,
            ..LinkConfig::default()
        })
        .unwrap();
        for i in 0..2000 {
            net.send(app(1, 2, i), 0, &mut r).unwrap();
        }
        let dropped = net.stats().dropped;
        assert!(
            (450..750).contains(&dropped),
            "dropped {dropped} of 2000 at 30%"
        );
    }

    #[test]
    fn duplicates_get_their_own_id_and_latency() {
        let mut net = Network::new();
        let mut r = rng();
        let cfg = LinkConfig {
            latency: Latency::uniform(1, 1000).unwrap(),
            duplicate_rate: 1.0,
            ..Default::default()
        };
        net.set_link(1, 2, cfg).unwrap();
        let out = net.send(app(1, 2, 9), 0, &mut r).unwrap();
        assert_eq!(out.queued, vec![1, 2]);
        let copy = net.get(2).unwrap();
        assert_eq!(copy.copy_of, Some(1));
        assert_eq!(copy.msg, net.get(1).unwrap().msg);
        assert_ne!(
            copy.arrives_at,
            net.get(1).unwrap().arrives_at,
            "independent latency draws"
        );
        assert_eq!(net.stats().duplicated, 1);
    }

    #[test]
    fn reordering_lets_later_messages_overtake() {
        let mut net = Network::new();
        let mut r = rng();
        let cfg = LinkConfig {
            latency: Latency::fixed(10),
            reorder_rate: 1.0,
            reorder_delay: Latency::fixed(100),
            ..Default::default()
        };
        net.set_link(1, 2, cfg).unwrap();
        net.send(app(1, 2, 1), 0, &mut r).unwrap();
        net.set_link(1, 2, LinkConfig::with_latency(Latency::fixed(10)))
            .unwrap();
        net.send(app(1, 2, 2), 5, &mut r).unwrap();
        let got = net.take_due(1000);
        assert_eq!(
            got.iter().map(|m| m.msg.index).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert!(got[1].reordered && !got[0].reordered);
        assert_eq!(got[1].arrives_at, 110);
    }

    #[test]
    fn self_addressed_and_local_messages_are_refused() {
        let mut net = Network::new();
        let mut r = rng();
        assert_eq!(
            net.send(msg(1, 1), 0, &mut r),
            Err(NetworkError::Loopback { node: 1 })
        );
        let local = Message {
            msg_type: MessageType::MsgStorageAppend,
            from: 1,
            to: u64::MAX,
            ..Default::default()
        };
        assert!(matches!(
            net.send(local, 0, &mut r),
            Err(NetworkError::LocalMessage { .. })
        ));
        assert!(net.is_empty());
        assert_eq!(net.stats().sent, 0);
        assert!(net.cut(3, 3).is_err());
        assert!(net.set_link(2, 2, LinkConfig::default()).is_err());
    }

    #[test]
    fn bad_configs_are_refused_with_a_clear_error() {
        let mut net = Network::new();
        let err = net
            .set_default_link(LinkConfig {
                drop_rate: 1.5,
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "drop rate must be between 0 and 1, got 1.5"
        );
        assert!(net
            .set_link(
                1,
                2,
                LinkConfig {
                    duplicate_rate: -0.1,
                    ..Default::default()
                }
            )
            .is_err());
        assert!(net
            .set_link(
                1,
                2,
                LinkConfig {
                    reorder_rate: f64::NAN,
                    ..Default::default()
                }
            )
            .is_err());
        let err = Latency::uniform(80, 20).unwrap_err();
        assert_eq!(err, NetworkError::InvalidLatency { min: 80, max: 20 });
        let inverted = LinkConfig {
            latency: Latency { min: 5, max: 1 },
            ..Default::default()
        };
        assert!(net.set_link(1, 2, inverted).is_err());
        assert_eq!(
            net.default_link(),
            &LinkConfig::default(),
            "refused configs change nothing"
        );
        assert_eq!(net.link_overrides().count(), 0);
    }

    #[test]
    fn a_symmetric_partition_cuts_between_groups_only() {
        let mut net = Network::new();
        let mut r = rng();
        net.partition(&[vec![1, 2], vec![3, 4, 5]]).unwrap();
        assert!(net.is_cut(1, 3) && net.is_cut(3, 1) && net.is_cut(2, 5));
        assert!(!net.is_cut(1, 2) && !net.is_cut(4, 5));
        assert!(
            !net.is_cut(1, 6),
            "a node outside every group keeps its links"
        );
        assert_eq!(
            net.send(msg(1, 3), 0, &mut r).unwrap().dropped,
            Some(DropReason::Cut)
        );
        assert_eq!(net.send(msg(1, 2), 0, &mut r).unwrap().dropped, None);
        net.heal();
        assert_eq!(net.cuts().count(), 0);
        assert_eq!(net.send(msg(1, 3), 0, &mut r).unwrap().dropped, None);
    }

    #[test]
    fn a_new_partition_replaces_the_old_one() {
        let mut net = Network::new();
        net.partition(&[vec![1], vec![2, 3]]).unwrap();
        net.partition(&[vec![1, 2], vec![3]]).unwrap();
        assert!(!net.is_cut(1, 2));
        assert!(net.is_cut(1, 3) && net.is_cut(2, 3));
        assert_eq!(
            net.partition(&[vec![1, 2], vec![2, 3]]),
            Err(NetworkError::NodeInTwoGroups { node: 2 })
        );
    }

    #[test]
    fn one_way_cuts_leave_the_other_direction_open() {
        let mut net = Network::new();
        let mut r = rng();
        net.cut_one_way(1, 2).unwrap();
        assert_eq!(
            net.send(msg(1, 2), 0, &mut r).unwrap().dropped,
            Some(DropReason::Cut)
        );
        assert_eq!(net.send(msg(2, 1), 0, &mut r).unwrap().dropped, None);
        net.cut(2, 3).unwrap();
        net.heal_link(3, 2);
        assert!(!net.is_cut(2, 3) && !net.is_cut(3, 2) && net.is_cut(1, 2));
    }

    #[test]
    fn cutting_a_link_loses_the_messages_on_it() {
        let mut net = Network::new();
        let mut r = rng();
        net.send(app(1, 2, 1), 0, &mut r).unwrap();
        net.send(app(2, 1, 2), 0, &mut r).unwrap();
        net.send(app(1, 3, 3), 0, &mut r).unwrap();
        net.hold(1).unwrap();
        let lost = net.cut_one_way(1, 2).unwrap();
        assert_eq!(
            lost.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![1],
            "held messages are lost too"
        );
        let lost = net.partition(&[vec![1], vec![2, 3]]).unwrap();
        assert_eq!(lost.iter().map(|m| m.id).collect::<Vec<_>>(), vec![2, 3]);
        assert!(net.is_empty());
        assert_eq!(net.stats().dropped, 3);
    }

    #[test]
    fn held_messages_wait_until_released() {
        let mut net = Network::new();
        let mut r = rng();
        net.send(app(1, 2, 1), 0, &mut r).unwrap();
        net.send(app(1, 2, 2), 5, &mut r).unwrap();
        net.hold(1).unwrap();
        assert_eq!(net.next_arrival(), Some(15));
        assert_eq!(
            net.take_due(100).iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![2]
        );
        assert_eq!(net.next_arrival(), None);
        assert!(net.get(1).unwrap().held);
        net.release(1).unwrap();
        assert_eq!(net.next_arrival(), Some(10), "late but due at once");
        assert_eq!(net.due(100), vec![1]);
        net.hold(1).unwrap();
        assert_eq!(net.release_all(), 1);
        assert_eq!(net.hold(42), Err(NetworkError::UnknownMessage(42)));
        assert_eq!(net.release(42), Err(NetworkError::UnknownMessage(42)));
    }

    #[test]
    fn deliver_now_ignores_schedule_and_hold() {
        let mut net = Network::new();
        let mut r = rng();
        net.set_default_link(LinkConfig::with_latency(Latency::fixed(1000)))
            .unwrap();
        net.send(app(1, 2, 1), 0, &mut r).unwrap();
        net.send(app(1, 2, 2), 0, &mut r).unwrap();
        net.hold(2).unwrap();
        assert_eq!(net.deliver_now(2).unwrap().msg.index, 2);
        assert_eq!(net.deliver_now(2), Err(NetworkError::UnknownMessage(2)));
        assert_eq!(net.stats().delivered, 1);
        assert_eq!(net.len(), 1);
    }

    #[test]
    fn manual_drop_and_duplicate() {
        let mut net = Network::new();
        let mut r = rng();
        net.send(app(1, 2, 1), 0, &mut r).unwrap();
        net.send(app(3, 2, 2), 0, &mut r).unwrap();
        let copy = net.duplicate(1).unwrap();
        assert_eq!(copy, 3);
        assert_eq!(
            net.get(3).unwrap().arrives_at,
            net.get(1).unwrap().arrives_at
        );
        assert_eq!(net.due(10), vec![1, 2, 3]);
        assert_eq!(net.drop_message(1).unwrap().id, 1);
        assert_eq!(net.drop_message(1), Err(NetworkError::UnknownMessage(1)));
        assert_eq!(net.duplicate(99), Err(NetworkError::UnknownMessage(99)));
        assert_eq!(
            net.stats(),
            NetworkStats {
                sent: 2,
                dropped: 1,
                duplicated: 1,
                delivered: 0
            }
        );
        let lost = net.drop_involving(3);
        assert_eq!(lost.iter().map(|m| m.id).collect::<Vec<_>>(), vec![2]);
        assert_eq!(net.len(), 1);
    }

    #[test]
    fn take_to_delivers_one_recipient_in_send_order() {
        let mut net = Network::new();
        let mut r = rng();
        net.set_link(1, 2, LinkConfig::with_latency(Latency::fixed(90)))
            .unwrap();
        net.send(app(1, 2, 1), 0, &mut r).unwrap();
        net.send(app(3, 2, 2), 0, &mut r).unwrap();
        net.send(app(2, 3, 3), 0, &mut r).unwrap();
        net.send(app(3, 2, 4), 0, &mut r).unwrap();
        net.hold(4).unwrap();
        let got: Vec<u64> = net.take_to(2).iter().map(|m| m.msg.index).collect();
        assert_eq!(got, vec![1, 2]);
        assert_eq!(net.len(), 2);
    }

    #[test]
    fn reset_link_restores_the_default() {
        let mut net = Network::new();
        net.set_link(1, 2, LinkConfig::with_latency(Latency::fixed(3)))
            .unwrap();
        assert_eq!(net.link(1, 2).latency, Latency::fixed(3));
        assert_eq!(net.link(2, 1).latency, Latency::fixed(DEFAULT_LATENCY));
        assert!(net.reset_link(1, 2));
        assert!(!net.reset_link(1, 2));
        assert_eq!(net.link(1, 2), net.default_link());
    }

    #[test]
    fn the_whole_network_round_trips_through_json() {
        let mut net = Network::new();
        let mut r = rng();
        net.set_link(
            1,
            2,
            LinkConfig {
                drop_rate: 0.25,
                ..Default::default()
            },
        )
        .unwrap();
        net.cut_one_way(3, 1).unwrap();
        net.send(app(2, 3, 1), 0, &mut r).unwrap();
        let json = serde_json::to_string(&net).unwrap();
        let back: Network = serde_json::from_str(&json).unwrap();
        assert_eq!(back, net);
    }

    #[test]
    fn random_helpers_are_exact_at_the_edges() {
        let mut r = rng();
        assert!(!random_chance(&mut r, 0.0));
        assert!(random_chance(&mut r, 1.0));
        assert!(!random_chance(&mut r, f64::NAN));
        assert_eq!(random_between(&mut r, 5, 5), 5);
        assert_eq!(random_between(&mut r, 9, 3), 9);
        assert_eq!(r.next_u64(), rng().next_u64(), "none of the above drew");
        let mut seen = [false; 3];
        for _ in 0..100 {
            seen[(random_between(&mut r, 10, 12) - 10) as usize] = true;
        }
        assert_eq!(seen, [true; 3]);
        let _ = random_between(&mut r, 0, u64::MAX);
    }

    #[test]
    fn latency_prints_in_script_syntax() {
        assert_eq!(Latency::fixed(20).to_string(), "20ms");
        assert_eq!(Latency::uniform(20, 80).unwrap().to_string(), "20..80ms");
    }
}
