//! SAMPLE DATA, not a simulation. Until the virtual cluster is wired in, the page runs on this
//! driver: it starts from [`cluster::view::demo`] and animates it just enough for every part of
//! the page to have something to draw — the leader's heartbeats fly and are answered, timers
//! fill and reset, faults and Ready steps change what they visibly change. It knows no Raft:
//! nothing here elects, replicates or commits, and commands that would need that say so.

use std::rc::Rc;

use cluster::view::{demo, ClusterView, EventView, MessageView, NodeView, Role};

use crate::command::Command;
use crate::driver::Driver;

/// How many event lines the sample keeps, like the real cluster's bounded tail.
const RECENT_EVENTS: usize = 50;

/// Answer for the commands only real Raft can carry out.
const NEEDS_RAFT: &str =
    "this needs the real cluster: the page is showing sample data, which cannot hold elections";

/// The sample driver. See the module comment.
pub struct DemoDriver {
    view: ClusterView,
    next_message: u64,
}

impl Default for DemoDriver {
    fn default() -> Self {
        Self::new()
    }
}

impl DemoDriver {
    pub fn new() -> Self {
        Self::from_view(demo())
    }

    fn from_view(view: ClusterView) -> Self {
        let next_message = view.messages.iter().map(|m| m.id).max().unwrap_or(0) + 1;
        DemoDriver { view, next_message }
    }

    fn node_mut(&mut self, id: u64) -> Result<&mut NodeView, String> {
        self.view
            .nodes
            .iter_mut()
            .find(|n| n.id == id)
            .ok_or_else(|| format!("there is no node {id}"))
    }

    fn live_node_mut(&mut self, id: u64) -> Result<&mut NodeView, String> {
        let node = self.node_mut(id)?;
        if node.crashed {
            return Err(format!("node {id} is down: restart it first"));
        }
        Ok(node)
    }

    fn event(&mut self, node: Option<u64>, text: String) {
        self.view.events += 1;
        self.view.cursor = self.view.events;
        let index = self.view.events;
        let at_ms = self.view.now_ms;
        let log = &mut self.view.recent_events;
        log.push(EventView {
            index,
            at_ms,
            node,
            text,
        });
        if log.len() > RECENT_EVENTS {
            log.remove(0);
        }
    }

    /// Latency of the link `from -> to` for message `id`, read from the link's delay text
    /// (`40ms` or `20..80ms`). A range is sampled by hashing the id, so the sample stays
    /// deterministic without a random number generator.
    fn latency(&self, from: u64, to: u64, id: u64) -> u64 {
        let text = self
            .view
            .link(from, to)
            .map_or("40ms", |l| l.delay.as_str());
        let text = text.trim_end_matches("ms");
        let (lo, hi): (u64, u64) = match text.split_once("..") {
            Some((a, b)) => (a.parse().unwrap_or(40), b.parse().unwrap_or(40)),
            None => {
                let v = text.parse().unwrap_or(40);
                (v, v)
            }
        };
        let span = hi.saturating_sub(lo) + 1;
        lo + id.wrapping_mul(2_654_435_761) % span
    }

    /// Puts a message on the wire unless the link is cut or its drop rate claims it (decided
    /// from the id, for the same reason as the latency).
    fn send(&mut self, from: u64, to: u64, msg_type: &str, detail: &str, term: u64) {
        let id = self.next_message;
        self.next_message += 1;
        let Some(link) = self.view.link(from, to) else {
            return;
        };
        if link.cut || (id.wrapping_mul(40_503) % 100) < (link.drop_rate * 100.0) as u64 {
            return;
        }
        let now = self.view.now_ms;
        let rejected = detail.contains("Reject:true");
        self.view.messages.push(MessageView {
            id,
            from,
            to,
            msg_type: msg_type.to_string(),
            is_response: msg_type.ends_with("Resp"),
            rejected,
            term,
            sent_at: now,
            arrives_at: now + self.latency(from, to, id),
            held: false,
            summary: format!("{msg_type} {from}→{to} term {term}"),
            description: format!("{from}->{to} {msg_type} Term:{term} {detail}")
                .trim_end()
                .to_string(),
        });
    }

    /// A message reaches its destination. Only what a picture needs happens: a follower that
    /// hears from the leader resets its timer and answers.
    fn deliver(&mut self, id: u64) -> Result<(), String> {
        let at = self
            .view
            .messages
            .iter()
            .position(|m| m.id == id)
            .ok_or_else(|| format!("no message #{id} in flight"))?;
        let m = self.view.messages.remove(at);
        let cut = self.view.link(m.from, m.to).is_none_or(|l| l.cut);
        let Ok(to) = self.node_mut(m.to) else {
            return Ok(());
        };
        if to.crashed || cut {
            return Ok(());
        }
        let reply = match m.msg_type.as_str() {
            "MsgHeartbeat" => Some("MsgHeartbeatResp"),
            "MsgApp" => Some("MsgAppResp"),
            _ => None,
        };
        if reply.is_some() && m.term >= to.term {
            to.election_elapsed = 0;
            to.lead = m.from;
        }
        let (term, commit) = (to.term, to.last_index());
        if let Some(reply) = reply {
            let detail = if reply == "MsgAppResp" {
                format!("Log:0/{commit}")
            } else {
                String::new()
            };
            self.send(m.to, m.from, reply, &detail, term);
        }
        self.event(
            Some(m.to),
            format!("{} received {} from {}", m.to, m.msg_type, m.from),
        );
        Ok(())
    }

    fn deliver_due(&mut self) {
        let now = self.view.now_ms;
        let mut due: Vec<(u64, u64)> = self
            .view
            .messages
            .iter()
            .filter(|m| !m.held && m.arrives_at <= now)
            .map(|m| (m.arrives_at, m.id))
            .collect();
        due.sort_unstable();
        for (_, id) in due {
            // Every id was just read from the list and nothing removes others meanwhile.
            let _ = self.deliver(id);
        }
    }

    /// One tick on every running node: timers advance; the leader sends heartbeats (etcd's
    /// HeartbeatTick is 1 in the playground) and handles its Ready if it is on automatic.
    fn tick_all(&mut self) {
        let mut heartbeats = Vec::new();
        let mut auto_ready = Vec::new();
        let ids: Vec<u64> = self.view.nodes.iter().map(|n| n.id).collect();
        for n in self.view.nodes.iter_mut() {
            if n.crashed || n.paused {
                continue;
            }
            n.election_elapsed += 1;
            if n.role == Role::Leader {
                // A leader's timer only drives check-quorum; it restarts each round.
                if n.election_elapsed >= n.randomized_election_timeout {
                    n.election_elapsed = 0;
                }
                for &to in ids.iter().filter(|&&to| to != n.id) {
                    heartbeats.push((n.id, to, n.term, n.commit));
                }
            } else {
                // Sample data cannot campaign: the ring stays full where Raft would start an
                // election.
                n.election_elapsed = n.election_elapsed.min(n.randomized_election_timeout);
            }
            if n.auto_ready && n.ready.is_some() {
                auto_ready.push(n.id);
            }
        }
        for (from, to, term, commit) in heartbeats {
            let busy = self
                .view
                .messages
                .iter()
                .any(|m| m.from == from && m.to == to && m.msg_type == "MsgHeartbeat");
            if !busy {
                self.send(from, to, "MsgHeartbeat", &format!("Commit:{commit}"), term);
            }
        }
        for id in auto_ready {
            let _ = self.process_ready(id);
        }
    }

    /// Runs virtual time up to `end`, stopping at every arrival and every tick boundary.
    fn advance_to(&mut self, end: u64) {
        self.deliver_due();
        let tick = self.view.tick_ms.max(1);
        loop {
            let next_tick = (self.view.now_ms / tick + 1) * tick;
            let next_arrival = self
                .view
                .messages
                .iter()
                .filter(|m| !m.held)
                .map(|m| m.arrives_at)
                .min();
            let next = next_arrival.map_or(next_tick, |a| a.min(next_tick));
            if next > end {
                break;
            }
            self.view.now_ms = next;
            self.deliver_due();
            if next == next_tick {
                self.tick_all();
            }
        }
        self.view.now_ms = end;
    }

    fn persist(&mut self, id: u64) -> Result<(), String> {
        let node = self.live_node_mut(id)?;
        let last = node.last_index();
        let ready = node
            .ready
            .as_mut()
            .ok_or_else(|| format!("node {id} has no pending Ready"))?;
        ready.persisted = true;
        node.stable_index = last;
        Ok(())
    }

    fn send_ready(&mut self, id: u64) -> Result<(), String> {
        let node = self.live_node_mut(id)?;
        let is_leader = node.role == Role::Leader;
        let term = node.term;
        let ready = node
            .ready
            .as_mut()
            .ok_or_else(|| format!("node {id} has no pending Ready"))?;
        // etcd lets a leader send before its own write is durable (it counts itself only once
        // persisted), but a follower's answers promise durability, so it must persist first.
        if !is_leader && !ready.persisted {
            return Err(format!(
                "node {id} must persist before it sends: its answers promise the entries are on disk"
            ));
        }
        ready.sent = true;
        let lines = ready.messages.clone();
        for line in lines {
            // Lines read `1->2 MsgApp Term:3 …`, as etcd describes a message.
            let mut words = line.splitn(3, ' ');
            let (Some(route), Some(msg_type)) = (words.next(), words.next()) else {
                continue;
            };
            let rest = words.next().unwrap_or("");
            let Some((from, to)) = route.split_once("->") else {
                continue;
            };
            if let (Ok(from), Ok(to)) = (from.parse(), to.parse()) {
                let detail = rest.split_once(' ').map_or("", |(_, d)| d);
                self.send(from, to, msg_type, detail, term);
            }
        }
        Ok(())
    }

    fn apply_ready(&mut self, id: u64) -> Result<(), String> {
        let node = self.live_node_mut(id)?;
        if node.ready.is_none() {
            return Err(format!("node {id} has no pending Ready"));
        }
        let (from, to) = (node.applied, node.commit);
        let writes: Vec<(String, String)> = node
            .log
            .iter()
            .filter(|e| e.index > from && e.index <= to)
            .filter_map(|e| e.data.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        node.kv.extend(writes);
        node.applied = to;
        if let Some(ready) = node.ready.as_mut() {
            ready.applied = true;
        }
        Ok(())
    }

    fn advance(&mut self, id: u64) -> Result<(), String> {
        let node = self.live_node_mut(id)?;
        let ready = node
            .ready
            .as_ref()
            .ok_or_else(|| format!("node {id} has no pending Ready"))?;
        if !ready.can_advance() {
            return Err(format!(
                "node {id}: persist, send and apply this Ready before Advance"
            ));
        }
        node.ready = None;
        Ok(())
    }

    fn process_ready(&mut self, id: u64) -> Result<(), String> {
        let pending = self.live_node_mut(id)?.ready.clone();
        let ready = pending.ok_or_else(|| format!("node {id} has no pending Ready"))?;
        if !ready.persisted {
            self.persist(id)?;
        }
        if !ready.sent {
            self.send_ready(id)?;
        }
        if !ready.applied {
            self.apply_ready(id)?;
        }
        self.advance(id)
    }

    fn set_cut(&mut self, from: u64, to: u64, cut: bool) -> Result<(), String> {
        let link = self
            .view
            .links
            .iter_mut()
            .find(|l| l.from == from && l.to == to)
            .ok_or_else(|| format!("there is no link {from}->{to}"))?;
        link.cut = cut;
        Ok(())
    }

    fn run(&mut self, cmd: &Command) -> Result<(), String> {
        match cmd {
            Command::Run { ms } => {
                let end = self.view.now_ms + ms;
                self.advance_to(end);
            }
            Command::Tick => {
                let tick = self.view.tick_ms.max(1);
                let end = (self.view.now_ms / tick + 1) * tick;
                self.advance_to(end);
            }
            Command::DeliverMessage(id) => self.deliver(*id)?,
            // The steps resolve against the sample: the next message to arrive (ties by send
            // order), the lowest running node with a Ready.
            Command::StepMessage => {
                let id = self
                    .view
                    .messages
                    .iter()
                    .filter(|m| !m.held)
                    .min_by_key(|m| (m.arrives_at, m.id))
                    .map(|m| m.id)
                    .ok_or("no message is in flight")?;
                self.deliver(id)?;
            }
            Command::StepReady => {
                let id = self
                    .view
                    .nodes
                    .iter()
                    .find(|n| n.ready.is_some() && !n.crashed)
                    .map(|n| n.id)
                    .ok_or("no running node has a pending Ready")?;
                self.process_ready(id)?;
            }
            Command::DropMessage(id) => {
                let before = self.view.messages.len();
                self.view.messages.retain(|m| m.id != *id);
                if self.view.messages.len() == before {
                    return Err(format!("no message #{id} in flight"));
                }
            }
            Command::DuplicateMessage(id) => {
                let mut copy = self
                    .view
                    .message(*id)
                    .cloned()
                    .ok_or_else(|| format!("no message #{id} in flight"))?;
                copy.id = self.next_message;
                self.next_message += 1;
                // The copy trails the original so both stay visible on the link.
                copy.arrives_at += (copy.arrives_at - copy.sent_at) / 2 + 1;
                self.view.messages.push(copy);
            }
            Command::ProcessReady(n) => self.process_ready(*n)?,
            Command::Persist(n) => self.persist(*n)?,
            Command::Send(n) => self.send_ready(*n)?,
            Command::Apply(n) => self.apply_ready(*n)?,
            Command::Advance(n) => self.advance(*n)?,
            Command::SetAuto { node, auto } => self.node_mut(*node)?.auto_ready = *auto,
            Command::Crash(n) => {
                let node = self.live_node_mut(*n)?;
                // Only what was synced survives: the unstable tail and all volatile state go.
                let stable = node.stable_index;
                node.log.retain(|e| e.index <= stable);
                node.commit = node.commit.min(stable);
                node.applied = node.applied.min(node.commit);
                node.crashed = true;
                node.ready = None;
                node.progress.clear();
                node.role = Role::Follower;
                node.lead = 0;
                node.election_elapsed = 0;
                if self.view.leader == Some(*n) {
                    self.view.leader = None;
                }
            }
            Command::Restart(n) => {
                let node = self.node_mut(*n)?;
                if !node.crashed {
                    return Err(format!("node {n} is running"));
                }
                node.crashed = false;
                node.paused = false;
            }
            Command::WipeDisk(n) => {
                let node = self.node_mut(*n)?;
                if !node.crashed {
                    return Err(format!("crash node {n} before wiping its disk"));
                }
                let keep = (node.id, node.randomized_election_timeout, node.auto_ready);
                *node = NodeView {
                    id: keep.0,
                    randomized_election_timeout: keep.1,
                    auto_ready: keep.2,
                    crashed: true,
                    ..NodeView::default()
                };
            }
            Command::PauseClock(n) => self.live_node_mut(*n)?.paused = true,
            Command::ResumeClock(n) => self.live_node_mut(*n)?.paused = false,
            Command::Campaign(_)
            | Command::TransferLeadership { .. }
            | Command::ForgetLeader(_) => return Err(NEEDS_RAFT.to_string()),
            Command::Partition(groups) => {
                let mut seen = Vec::new();
                for id in groups.iter().flatten() {
                    if self.view.node(*id).is_none() {
                        return Err(format!("there is no node {id}"));
                    }
                    if seen.contains(id) {
                        return Err(format!("node {id} is listed in more than one group"));
                    }
                    seen.push(*id);
                }
                let group_of = |id: u64| groups.iter().position(|g| g.contains(&id));
                for l in self.view.links.iter_mut() {
                    l.cut = group_of(l.from) != group_of(l.to);
                }
                self.view.partitions = groups.clone();
            }
            Command::Heal => {
                for l in self.view.links.iter_mut() {
                    l.cut = false;
                }
                self.view.partitions.clear();
            }
            Command::CutLink { from, to, both } => {
                self.set_cut(*from, *to, true)?;
                if *both {
                    self.set_cut(*to, *from, true)?;
                }
            }
            Command::RestoreLink { from, to } => {
                self.set_cut(*from, *to, false)?;
                self.set_cut(*to, *from, false)?;
            }
            Command::Reset { seed } => {
                let mut view = demo();
                view.seed = *seed;
                *self = Self::from_view(view);
            }
            _ => return Err(NEEDS_RAFT.to_string()),
        }
        Ok(())
    }
}

impl Driver for DemoDriver {
    fn view(&self) -> Rc<ClusterView> {
        Rc::new(self.view.clone())
    }

    fn apply(&mut self, cmd: &Command) -> Result<(), String> {
        // A failed command must leave the cluster as it was, so work on a copy.
        let before = self.view.clone();
        let next = self.next_message;
        match self.run(cmd) {
            Ok(()) => {
                // Time passing logs its deliveries itself; a reset starts a fresh history.
                if !matches!(
                    cmd,
                    Command::Run { .. } | Command::Tick | Command::Reset { .. }
                ) {
                    self.event(None, cmd.to_string());
                }
                Ok(())
            }
            Err(e) => {
                self.view = before;
                self.next_message = next;
                Err(e)
            }
        }
    }

    fn is_sample(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn driver() -> DemoDriver {
        DemoDriver::new()
    }

    #[test]
    fn time_moves_messages_and_the_leader_keeps_sending_heartbeats() {
        let mut d = driver();
        let start = d.view().now_ms;
        d.apply(&Command::Run { ms: 2000 }).expect("run");
        let v = d.view();
        assert_eq!(v.now_ms, start + 2000);
        // Every message of the sample arrives within 80 ms; what is in flight now is new.
        assert!(v.messages.iter().all(|m| m.sent_at > start));
        assert!(v
            .messages
            .iter()
            .any(|m| m.msg_type.starts_with("MsgHeartbeat")));
        // Node 5 is cut off: nothing travels to or from it.
        assert!(v.messages.iter().all(|m| m.from != 5 && m.to != 5));
        // Followers that hear heartbeats keep their timers low; the cut-off one fills up.
        let n2 = v.node(2).expect("node 2");
        assert!(n2.election_elapsed < n2.randomized_election_timeout);
        let n5 = v.node(5).expect("node 5");
        assert_eq!(n5.election_elapsed, n5.randomized_election_timeout);
    }

    #[test]
    fn the_ready_steps_enforce_their_order() {
        let mut d = driver();
        assert!(d.apply(&Command::Advance(1)).is_err(), "nothing done yet");
        d.apply(&Command::Send(1)).expect("a leader may send first");
        let in_flight = d.view().messages.len();
        assert!(in_flight > 6, "the Ready's two MsgApps went out");
        d.apply(&Command::Persist(1)).expect("persist");
        assert_eq!(d.view().node(1).map(|n| n.stable_index), Some(8));
        d.apply(&Command::Apply(1)).expect("apply");
        let n1 = d.view().node(1).cloned().expect("node 1");
        assert_eq!(n1.applied, 7);
        assert_eq!(n1.kv.get("z").map(String::as_str), Some("4"));
        d.apply(&Command::Advance(1)).expect("advance");
        assert!(d.view().node(1).is_some_and(|n| n.ready.is_none()));
        assert!(d.apply(&Command::Persist(1)).is_err(), "no Ready left");
    }

    #[test]
    fn a_follower_must_persist_before_sending() {
        let mut d = driver();
        // Node 5's sample Ready is already persisted; make a fresh unpersisted one.
        d.view.nodes[4].ready.as_mut().expect("ready").persisted = false;
        let err = d.apply(&Command::Send(5)).expect_err("must persist first");
        assert!(err.contains("persist"));
    }

    #[test]
    fn a_failed_command_changes_nothing() {
        let mut d = driver();
        let before = d.view();
        assert!(d.apply(&Command::Campaign(2)).is_err());
        assert!(d.apply(&Command::WipeDisk(2)).is_err(), "node 2 is running");
        assert!(d.apply(&Command::DeliverMessage(999)).is_err());
        assert!(d
            .apply(&Command::Partition(vec![vec![1, 2], vec![2, 3]]))
            .is_err());
        assert_eq!(d.view(), before);
    }

    #[test]
    fn crash_loses_the_unstable_tail_and_restart_brings_the_node_back() {
        let mut d = driver();
        d.apply(&Command::Crash(1)).expect("crash");
        let v = d.view();
        let n1 = v.node(1).expect("node 1");
        assert!(n1.crashed);
        assert_eq!(n1.last_index(), 7, "entry 8 was never synced");
        assert_eq!(v.leader, None);
        assert!(d.apply(&Command::Crash(1)).is_err());
        d.apply(&Command::WipeDisk(1)).expect("wipe");
        assert_eq!(d.view().node(1).map(|n| n.last_index()), Some(0));
        d.apply(&Command::Restart(1)).expect("restart");
        assert!(d.view().node(1).is_some_and(|n| !n.crashed));
    }

    #[test]
    fn messages_can_be_delivered_dropped_and_duplicated() {
        let mut d = driver();
        let n = d.view().messages.len();
        d.apply(&Command::DuplicateMessage(41)).expect("dup");
        assert_eq!(d.view().messages.len(), n + 1);
        d.apply(&Command::DropMessage(41)).expect("drop");
        assert!(d.view().message(41).is_none());
        // Delivering a heartbeat response consumes it and sends nothing back.
        d.apply(&Command::DeliverMessage(46)).expect("deliver");
        assert_eq!(d.view().messages.len(), n - 1);
        // Delivering a MsgApp makes the follower answer.
        d.apply(&Command::DeliverMessage(42)).expect("deliver");
        assert!(d
            .view()
            .messages
            .iter()
            .any(|m| m.msg_type == "MsgAppResp" && m.from == 3));
    }

    #[test]
    fn partitions_cut_exactly_the_links_between_groups() {
        let mut d = driver();
        d.apply(&Command::Partition(vec![vec![1, 2], vec![3, 4, 5]]))
            .expect("partition");
        let v = d.view();
        assert!(v.link(1, 3).is_some_and(|l| l.cut));
        assert!(v.link(4, 2).is_some_and(|l| l.cut));
        assert!(v.link(1, 2).is_some_and(|l| !l.cut));
        assert!(v.link(3, 5).is_some_and(|l| !l.cut));
        d.apply(&Command::Heal).expect("heal");
        assert!(d.view().links.iter().all(|l| !l.cut));
        d.apply(&Command::CutLink {
            from: 1,
            to: 2,
            both: false,
        })
        .expect("cut");
        let v = d.view();
        assert!(v.link(1, 2).is_some_and(|l| l.cut));
        assert!(v.link(2, 1).is_some_and(|l| !l.cut), "one way only");
    }

    #[test]
    fn reset_returns_to_the_sample_with_the_new_seed() {
        let mut d = driver();
        d.apply(&Command::Run { ms: 500 }).expect("run");
        d.apply(&Command::Reset { seed: 7 }).expect("reset");
        let mut expected = demo();
        expected.seed = 7;
        assert_eq!(*d.view(), expected);
    }
}
