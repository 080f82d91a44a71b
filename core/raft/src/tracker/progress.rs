use super::inflights::Inflights;
use super::state::StateType;
use crate::fatal::fatal_unlogged;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};

/// The leader's view of one follower (etcd's `Progress`): how much of the log it is known to
/// hold, what to send next, and how to pace sending. The transitions between the three
/// [`StateType`]s are driven by the state machine in `raft.rs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The highest index known to be in the follower's log and to match the leader's (etcd's
    /// `Match`; renamed because `match` is a Rust keyword).
    pub matched: u64,
    /// The next index to send. Entries in (matched, next) are in flight.
    /// Invariant: `matched < next`; in StateSnapshot `next == pending_snapshot + 1`.
    pub next: u64,
    /// The highest commit index sent to the follower. Mostly grows, but falls back when the
    /// follower rejects or is probed again. In StateSnapshot it equals `pending_snapshot`.
    pub sent_commit: u64,
    /// How the leader treats this follower right now.
    pub state: StateType,
    /// In StateSnapshot: the leader's last index when it decided a snapshot was needed.
    pub pending_snapshot: u64,
    /// Whether anything was heard from the follower lately (reset every election timeout
    /// under CheckQuorum). Always true for the leader itself.
    pub recent_active: bool,
    /// Whether MsgApp sending is throttled: set after a probe in StateProbe or when the
    /// window is saturated in StateReplicate; cleared by a heartbeat response or progress.
    pub msg_app_flow_paused: bool,
    /// The window of unacknowledged appends.
    pub inflights: Inflights,
    /// Whether this follower is a learner.
    pub is_learner: bool,
}

impl Progress {
    /// A probing progress that will send from `next` on, with an empty window of
    /// `max_inflight` messages / `max_inflight_bytes` bytes.
    pub fn new(next: u64, max_inflight: usize, max_inflight_bytes: u64) -> Self {
        Progress {
            next,
            inflights: Inflights::new(max_inflight, max_inflight_bytes),
            ..Default::default()
        }
    }

    /// Enters `state`, dropping the pause flag, any pending snapshot and the window.
    pub(crate) fn reset_state(&mut self, state: StateType) {
        self.msg_app_flow_paused = false;
        self.pending_snapshot = 0;
        self.state = state;
        self.inflights.reset();
    }

    /// Goes back to probing from `matched + 1`; coming out of StateSnapshot, from past the
    /// snapshot if that is further (the snapshot is assumed to have arrived).
    pub(crate) fn become_probe(&mut self) {
        if self.state == StateType::StateSnapshot {
            let pending_snapshot = self.pending_snapshot;
            self.reset_state(StateType::StateProbe);
            self.next = (self.matched + 1).max(pending_snapshot + 1);
        } else {
            self.reset_state(StateType::StateProbe);
            self.next = self.matched + 1;
        }
        self.sent_commit = self.sent_commit.min(self.next - 1);
    }

    /// Starts streaming appends from `matched + 1`.
    pub(crate) fn become_replicate(&mut self) {
        self.reset_state(StateType::StateReplicate);
        self.next = self.matched + 1;
    }

    /// Waits for a snapshot at index `snapshoti`.
    pub(crate) fn become_snapshot(&mut self, snapshoti: u64) {
        self.reset_state(StateType::StateSnapshot);
        self.pending_snapshot = snapshoti;
        self.next = snapshoti + 1;
        self.sent_commit = snapshoti;
    }

    /// Accounts for a MsgApp carrying `entries` consecutive entries from `next` on, weighing
    /// `bytes` in total.
    ///
    /// # Panics
    /// In StateSnapshot, where the leader sends no appends (a state-machine bug).
    pub(crate) fn sent_entries(&mut self, entries: usize, bytes: u64) {
        match self.state {
            StateType::StateReplicate => {
                if entries > 0 {
                    self.next += entries as u64;
                    self.inflights.add(self.next - 1, bytes);
                }
                // A message that fills the window (or one sent while it was full) acts as a
                // probe: the flow pauses until acknowledgements come back.
                self.msg_app_flow_paused = self.inflights.full();
            }
            StateType::StateProbe => {
                // Only non-empty appends count as probes, as in etcd.
                if entries > 0 {
                    self.msg_app_flow_paused = true;
                }
            }
            StateType::StateSnapshot => {
                fatal_unlogged(format_args!(
                    "sending append in unhandled state {}",
                    self.state
                ));
            }
        }
    }

    /// Whether sending commit index `index` may move the follower's commit index: only if it
    /// is newer than what was sent and what was sent does not already reach `next - 1`.
    pub(crate) fn can_bump_commit(&self, index: u64) -> bool {
        index > self.sent_commit && self.sent_commit < self.next.wrapping_sub(1)
    }

    /// Records that commit index `commit` was sent (etcd's `SentCommit`).
    pub(crate) fn sent_commit(&mut self, commit: u64) {
        self.sent_commit = commit;
    }

    /// Handles an acknowledgement of index `n`. Returns false if it is stale (not above
    /// `matched`); otherwise advances `matched` (and `next` if needed) and unpauses.
    pub(crate) fn maybe_update(&mut self, n: u64) -> bool {
        if n <= self.matched {
            return false;
        }
        self.matched = n;
        self.next = self.next.max(n + 1);
        self.msg_app_flow_paused = false;
        true
    }

    /// Handles a rejection of the append at index `rejected`, with the follower's hint
    /// `match_hint` about where its log may match. Returns false for a stale rejection
    /// (nothing changes); otherwise lowers `next` and unpauses.
    pub(crate) fn maybe_decr_to(&mut self, rejected: u64, match_hint: u64) -> bool {
        if self.state == StateType::StateReplicate {
            // Anything at or below matched was acknowledged already: the rejection is old.
            if rejected <= self.matched {
                return false;
            }
            self.next = self.matched + 1;
            self.sent_commit = self.sent_commit.min(self.next - 1);
            return true;
        }
        // Probes go out one at a time, so a genuine rejection is for exactly next-1.
        // (Wrapping arithmetic as in Go: a zero `next` never matches.)
        if self.next.wrapping_sub(1) != rejected {
            return false;
        }
        self.next = rejected
            .min(match_hint.wrapping_add(1))
            .max(self.matched + 1);
        self.sent_commit = self.sent_commit.min(self.next - 1);
        self.msg_app_flow_paused = false;
        true
    }

    /// Whether appends to this follower are throttled right now.
    pub fn is_paused(&self) -> bool {
        match self.state {
            StateType::StateProbe | StateType::StateReplicate => self.msg_app_flow_paused,
            StateType::StateSnapshot => true,
        }
    }
}

/// etcd's one-line form: `StateReplicate match=5 next=6 learner paused pendingSnap=3 inactive
/// inflight=2[full]`, with the optional parts present only when they apply.
impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} match={} next={}",
            self.state, self.matched, self.next
        )?;
        if self.is_learner {
            f.write_str(" learner")?;
        }
        if self.is_paused() {
            f.write_str(" paused")?;
        }
        if self.pending_snapshot > 0 {
            write!(f, " pendingSnap={}", self.pending_snapshot)?;
        }
        if !self.recent_active {
            f.write_str(" inactive")?;
        }
        let n = self.inflights.count();
        if n > 0 {
            write!(f, " inflight={n}")?;
            if self.inflights.full() {
                f.write_str("[full]")?;
            }
        }
        Ok(())
    }
}

/// The progress of every tracked node, by id (etcd's `ProgressMap`). Derefs to the map.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressMap(pub BTreeMap<u64, Progress>);

impl Deref for ProgressMap {
    type Target = BTreeMap<u64, Progress>;
    fn deref(&self) -> &BTreeMap<u64, Progress> {
        &self.0
    }
}

impl DerefMut for ProgressMap {
    fn deref_mut(&mut self) -> &mut BTreeMap<u64, Progress> {
        &mut self.0
    }
}

impl From<BTreeMap<u64, Progress>> for ProgressMap {
    fn from(m: BTreeMap<u64, Progress>) -> Self {
        ProgressMap(m)
    }
}

impl From<ProgressMap> for BTreeMap<u64, Progress> {
    fn from(m: ProgressMap) -> Self {
        m.0
    }
}

impl FromIterator<(u64, Progress)> for ProgressMap {
    fn from_iter<I: IntoIterator<Item = (u64, Progress)>>(iter: I) -> Self {
        ProgressMap(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a ProgressMap {
    type Item = (&'a u64, &'a Progress);
    type IntoIter = std::collections::btree_map::Iter<'a, u64, Progress>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a> IntoIterator for &'a mut ProgressMap {
    type Item = (&'a u64, &'a mut Progress);
    type IntoIter = std::collections::btree_map::IterMut<'a, u64, Progress>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut()
    }
}

/// The acknowledged index of a node is its `matched`.
impl crate::quorum::AckedIndexer for ProgressMap {
    fn acked_index(&self, voter_id: u64) -> Option<crate::quorum::Index> {
        self.0
            .get(&voter_id)
            .map(|pr| crate::quorum::Index(pr.matched))
    }
}

/// One `id: progress` line per node, ascending ids (decimal), each ending in a newline.
impl fmt::Display for ProgressMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (id, pr) in &self.0 {
            writeln!(f, "{id}: {pr}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use StateType::*;

    fn pr(state: StateType, matched: u64, next: u64) -> Progress {
        Progress {
            state,
            matched,
            next,
            inflights: Inflights::new(256, 0),
            ..Default::default()
        }
    }

    #[test]
    fn string() {
        let mut ins = Inflights::new(1, 0);
        ins.add(123, 1);
        let p = Progress {
            matched: 1,
            next: 2,
            state: StateSnapshot,
            pending_snapshot: 123,
            recent_active: false,
            msg_app_flow_paused: true,
            is_learner: true,
            inflights: ins,
            ..Default::default()
        };
        assert_eq!(
            p.to_string(),
            "StateSnapshot match=1 next=2 learner paused pendingSnap=123 inactive inflight=1[full]"
        );
        let mut p = Progress::new(5, 10, 0);
        p.recent_active = true;
        assert_eq!(p.to_string(), "StateProbe match=0 next=5");
    }

    #[test]
    fn is_paused() {
        for (state, paused, want) in [
            (StateProbe, false, false),
            (StateProbe, true, true),
            (StateReplicate, false, false),
            (StateReplicate, true, true),
            (StateSnapshot, false, true),
            (StateSnapshot, true, true),
        ] {
            let mut p = pr(state, 0, 1);
            p.msg_app_flow_paused = paused;
            assert_eq!(p.is_paused(), want, "{state} paused={paused}");
        }
    }

    #[test]
    fn resume() {
        let mut p = pr(StateProbe, 0, 2);
        p.msg_app_flow_paused = true;
        assert!(p.maybe_decr_to(1, 1));
        assert!(!p.msg_app_flow_paused);
        p.msg_app_flow_paused = true;
        assert!(p.maybe_update(2));
        assert!(!p.msg_app_flow_paused);
    }

    #[test]
    fn become_probe() {
        let mut snap_finished = pr(StateSnapshot, 1, 5);
        snap_finished.pending_snapshot = 10;
        for (mut p, want_next) in [
            (pr(StateReplicate, 1, 5), 2),
            (snap_finished, 11),
            (pr(StateSnapshot, 1, 5), 2),
        ] {
            p.sent_commit = 20;
            p.inflights.add(3, 1);
            p.msg_app_flow_paused = true;
            p.become_probe();
            assert_eq!(p.state, StateProbe);
            assert_eq!(p.matched, 1);
            assert_eq!(p.next, want_next);
            assert_eq!(p.pending_snapshot, 0);
            assert_eq!(p.inflights.count(), 0);
            assert!(!p.msg_app_flow_paused);
            // The commit index sent can't be beyond what the follower may hold.
            assert_eq!(p.sent_commit, want_next - 1);
        }
    }

    #[test]
    fn become_replicate_and_snapshot() {
        let mut p = pr(StateProbe, 1, 5);
        p.become_replicate();
        assert_eq!((p.state, p.matched, p.next), (StateReplicate, 1, 2));

        let mut p = pr(StateProbe, 1, 5);
        p.become_snapshot(10);
        assert_eq!(
            (
                p.state,
                p.matched,
                p.pending_snapshot,
                p.next,
                p.sent_commit
            ),
            (StateSnapshot, 1, 10, 11, 10)
        );
        assert!(p.is_paused());
    }

    #[test]
    fn maybe_update() {
        let (m, n) = (3, 5);
        for (update, wm, wn, wok) in [
            (m - 1, m, n, false),
            (m, m, n, false),
            (m + 1, m + 1, n, true),
            (m + 2, m + 2, n + 1, true),
        ] {
            let mut p = pr(StateProbe, m, n);
            assert_eq!(p.maybe_update(update), wok, "update {update}");
            assert_eq!((p.matched, p.next), (wm, wn), "update {update}");
        }
    }

    #[test]
    fn maybe_decr_to() {
        let cases = [
            // Replicate: a rejection at or below match is stale.
            (StateReplicate, 5, 10, 5, 5, false, 10),
            (StateReplicate, 5, 10, 4, 4, false, 10),
            // Replicate: a genuine rejection goes straight back to match+1.
            (StateReplicate, 5, 10, 9, 9, true, 6),
            // Probe: only a rejection of next-1 counts (next=0 never matches).
            (StateProbe, 0, 0, 0, 0, false, 0),
            (StateProbe, 0, 10, 5, 5, false, 10),
            (StateProbe, 0, 10, 9, 9, true, 9),
            (StateProbe, 0, 2, 1, 1, true, 1),
            (StateProbe, 0, 1, 0, 0, true, 1),
            // Probe: down to min(rejected, hint+1), but never below match+1.
            (StateProbe, 0, 10, 9, 2, true, 3),
            (StateProbe, 0, 10, 9, 0, true, 1),
        ];
        for (i, (state, m, n, rejected, hint, w, wn)) in cases.into_iter().enumerate() {
            let mut p = pr(state, m, n);
            assert_eq!(p.maybe_decr_to(rejected, hint), w, "case {i}");
            assert_eq!(p.matched, m, "case {i}");
            assert_eq!(p.next, wn, "case {i}");
        }
    }

    #[test]
    fn sent_entries_and_commit() {
        let mut p = Progress::new(6, 2, 0);
        p.matched = 5;
        p.become_replicate();
        p.sent_entries(3, 30);
        assert_eq!(p.next, 9);
        assert!(!p.msg_app_flow_paused);
        // An empty append does not take a slot.
        p.sent_entries(0, 0);
        assert_eq!(p.inflights.count(), 1);
        p.sent_entries(1, 10);
        assert_eq!(p.next, 10);
        assert!(p.msg_app_flow_paused, "a full window pauses the flow");
        assert!(p.maybe_update(8));
        p.inflights.free_le(8);
        assert!(!p.is_paused());

        assert!(p.can_bump_commit(7));
        p.sent_commit(9);
        assert!(
            !p.can_bump_commit(10),
            "already sent a commit reaching next-1"
        );

        let mut p = Progress::new(1, 2, 0);
        p.sent_entries(0, 0);
        assert!(!p.msg_app_flow_paused, "an empty probe does not pause");
        p.sent_entries(1, 1);
        assert!(p.msg_app_flow_paused);
        assert_eq!(p.next, 1, "probing does not advance next");
    }

    #[test]
    #[should_panic(expected = "sending append in unhandled state StateSnapshot")]
    fn sent_entries_in_snapshot_panics() {
        let mut p = Progress::new(1, 2, 0);
        p.become_snapshot(3);
        p.sent_entries(1, 1);
    }

    #[test]
    fn progress_map_string() {
        let mut m = ProgressMap::default();
        let mut p = Progress::new(1, 10, 0);
        p.recent_active = true;
        m.insert(11, p.clone());
        m.insert(2, p);
        assert_eq!(
            m.to_string(),
            "2: StateProbe match=0 next=1\n11: StateProbe match=0 next=1\n"
        );
    }
}
