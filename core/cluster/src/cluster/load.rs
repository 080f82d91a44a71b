//! A background client load: a put every so often, so that logs grow and replication can be
//! watched without typing commands (`load every=500ms`, `load off`).
//!
//! It is part of the simulation, like the clocks' ticks, rather than a stream of recorded
//! `put` commands: a long run at full speed then records one `run` instead of a put every few
//! hundred milliseconds, so the session's script and its memory grow with what the person did,
//! not with how long the cluster ran.
//!
//! The puts fall on the multiples of the interval in virtual time. Each writes the keys x, y, z
//! in turn with the put's number as value, through the first idle client, to the leader (or to
//! the first running node when there is none, which redirects or refuses as a real server
//! would). When two operations are already waiting (no leader, a partition), the put is skipped:
//! a backlog would only retry in a loop.

use super::*;

/// The keys the load writes, in turn.
const LOAD_KEYS: [&str; 3] = ["x", "y", "z"];

/// The load skips a put while this many client operations are still waiting.
const MAX_PENDING_LOAD: usize = 2;

impl Cluster {
    /// `load every=D` or `load off`.
    pub(super) fn set_load(&mut self, every: Option<Millis>) -> CmdResult {
        self.load = every.map(|e| ClientLoad::starting(e, self.now));
        let text = match every {
            Some(e) => format!(
                "a client load starts: a put every {}",
                crate::units::format_duration(e)
            ),
            None => "the client load stops".to_string(),
        };
        self.write(&format!("{text}\n"));
        Ok(())
    }

    /// When the load's next put is due.
    pub(super) fn next_load(&self) -> Option<Millis> {
        self.load.map(|l| l.next_at)
    }

    /// Makes the load's put if it is due: one event, or false.
    pub(super) fn do_due_load(&mut self) -> bool {
        let Some(load) = self.load else {
            return false;
        };
        if load.next_at > self.now {
            return false;
        }
        let k = load.next_at / load.every;
        self.load = Some(ClientLoad {
            next_at: load.next_at.saturating_add(load.every),
            ..load
        });
        let waiting = self
            .clients
            .values()
            .filter(|c| c.pending.is_some())
            .count();
        let target = self.leader().or_else(|| {
            self.nodes
                .iter()
                .find(|(_, n)| n.is_up())
                .map(|(&id, _)| id)
        });
        let skip = match target {
            _ if waiting >= MAX_PENDING_LOAD => {
                Some(format!("{waiting} client operations are still waiting"))
            }
            None => Some("no node is running".to_string()),
            Some(_) => None,
        };
        if let (None, Some(node)) = (&skip, target) {
            let key = LOAD_KEYS[(k % LOAD_KEYS.len() as u64) as usize];
            if self
                .client_op(ClientVerb::Put, node, key, &k.to_string(), None)
                .is_ok()
            {
                return true;
            }
        }
        let why = skip.unwrap_or_else(|| "the cluster refused it".to_string());
        self.emit(
            EventKind::Client,
            None,
            Explanation::new(
                format!("the client load skips its put #{k}: {why}"),
                Some(section::CLIENTS),
            ),
        );
        true
    }
}
