//! Virtual time: the event loop that runs the clock to the next thing due, one event per
//! micro-step.

use std::fmt::Write as _;

use crate::clock::Millis;
use crate::network::NodeId;
use crate::node::ReadyStep;

use super::{Cluster, Failure};

impl Cluster {
    // ---- time ------------------------------------------------------------------------------

    /// When the next thing is due: an fsync, a message, a tick, a client timer.
    pub(super) fn next_time(&self) -> Option<Millis> {
        let syncs = self
            .nodes
            .values()
            .filter_map(|n| n.ready.as_ref().and_then(|r| r.sync_due));
        let ticks = self
            .nodes
            .values()
            .filter(|n| n.is_up())
            .filter_map(|n| n.timer.next_due());
        let clients = self
            .clients
            .values()
            .filter_map(|c| c.pending.as_ref().and_then(|p| p.retry_at));
        // Storage threads (asynchronous writes) of nodes on automatic; by hand, they wait.
        let threads = self
            .nodes
            .values()
            .filter(|n| n.is_up() && !n.manual)
            .filter_map(|n| n.workers.next_due().map(|(t, _)| t));
        syncs
            .chain(threads)
            .chain(ticks)
            .chain(clients)
            .chain(self.network.next_arrival())
            .chain(self.next_shutdown())
            .chain(self.next_load())
            .min()
    }

    /// Does the one thing that comes next at the current instant, producing one event. False
    /// when nothing is due now.
    pub(super) fn do_due(&mut self) -> Result<bool, Failure> {
        let now = self.now;
        // 1. fsyncs that completed.
        let sync = self.nodes.iter().find(|(_, n)| {
            n.is_up()
                && n.ready
                    .as_ref()
                    .and_then(|r| r.sync_due)
                    .is_some_and(|t| t <= now)
        });
        if let Some((&id, _)) = sync {
            self.complete_sync(id)?;
            return Ok(true);
        }
        // 1b. Storage threads that completed their oldest message.
        let thread = self
            .nodes
            .iter()
            .filter(|(_, n)| n.is_up() && !n.manual)
            .filter_map(|(&id, n)| n.workers.next_due().map(|(t, w)| (t, id, w)))
            .filter(|&(t, _, _)| t <= now)
            .min();
        if let Some((_, id, w)) = thread {
            self.complete_work(id, w, false)?;
            return Ok(true);
        }
        // 2. Readys of nodes on automatic: the next step of one in progress, or a new one.
        if let Some((id, step)) = self.ready_work() {
            match step {
                Some(s) => {
                    self.ready_step(id, s, false)?;
                }
                None => self.take_ready(id)?,
            }
            return Ok(true);
        }
        // 3. Messages that arrived.
        if let Some(mid) = self.network.first_due(now) {
            if let Ok(f) = self.network.deliver_now(mid) {
                self.deliver(f);
                return Ok(true);
            }
        }
        // 3b. Removed members whose time to stop has come.
        if self.do_due_shutdown() {
            return Ok(true);
        }
        // 4. Ticks.
        let tick = self
            .nodes
            .iter()
            .filter(|(_, n)| n.is_up())
            .filter_map(|(&id, n)| n.timer.next_due().filter(|&t| t <= now).map(|t| (t, id)))
            .min();
        if let Some((_, id)) = tick {
            let n = self.node_mut(id)?.timer.take_due(now) as usize;
            self.tick_node(id, n.max(1))?;
            return Ok(true);
        }
        // 5. Client timers.
        let timer = self
            .clients
            .iter()
            .filter_map(|(&cid, c)| {
                c.pending
                    .as_ref()
                    .and_then(|p| p.retry_at)
                    .filter(|&t| t <= now)
                    .map(|t| (t, cid))
            })
            .min();
        if let Some((_, cid)) = timer {
            self.client_timer(cid);
            return Ok(true);
        }
        // 6. The background load's put.
        Ok(self.do_due_load())
    }

    /// A node on automatic with Ready work to do now: the next step of the Ready it holds, or
    /// (`None`) taking a new one. Such work is due at once, not at an instant of its own.
    pub(super) fn ready_work(&self) -> Option<(NodeId, Option<ReadyStep>)> {
        for (&id, n) in &self.nodes {
            if !n.is_up() || n.manual {
                continue;
            }
            match &n.ready {
                Some(r) => {
                    let step = r.next_step(n.config.policy);
                    if step == ReadyStep::Persist && r.written {
                        continue; // waiting for its fsync
                    }
                    return Some((id, Some(step)));
                }
                None if n.has_ready() => return Some((id, None)),
                None => {}
            }
        }
        None
    }

    /// One event: the next due thing, moving the clock forward to it if needed (but not past
    /// `limit`). False if nothing happens by `limit`.
    pub(super) fn micro_step(&mut self, limit: Millis) -> Result<bool, Failure> {
        if self.do_due()? {
            return Ok(true);
        }
        match self.next_time() {
            Some(t) if t <= limit && t > self.now => {
                self.now = t;
                self.do_due()
            }
            _ => Ok(false),
        }
    }

    /// One line about where the run stands.
    pub(super) fn summary(&self, since: u64) -> String {
        let mut s = format!("now {}ms, {} event(s)", self.now, self.next_event() - since);
        match self.leader() {
            Some(l) => {
                let term = self.nodes[&l].raw().map_or(0, |r| r.raft.term);
                let _ = write!(s, "; leader {l} at term {term}");
            }
            None => s.push_str("; no leader"),
        }
        let commits: Vec<String> = self
            .nodes
            .iter()
            .map(|(id, n)| match n.raw() {
                Some(r) => format!("{id}:{}", r.raft.raft_log.committed),
                None => format!("{id}:down"),
            })
            .collect();
        let _ = write!(s, "; commit {}", commits.join(" "));
        s
    }
}
