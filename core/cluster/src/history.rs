//! The clients' view of the key/value service: every operation a client issued, when it was
//! invoked, and how and when (if ever) it completed. This is the input of the linearizability
//! checker, so it records only what a client can observe, never what the servers did.
//!
//! Times are virtual milliseconds. Several events can share a millisecond, so each event also
//! gets a sequence number in recording order: an operation that completed before another was
//! invoked, even within the same millisecond, really did precede it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::kv::{ClientId, Op, Reply};

/// An operation's index in its [`History`].
pub type OpId = usize;

/// How an operation ended, as far as its client knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// Still waiting for an answer.
    Pending,
    /// Answered.
    Completed { at: Millis, seq: u64, reply: Reply },
    /// Definitely did not take effect (e.g. refused before being proposed).
    Failed {
        at: Millis,
        seq: u64,
        reason: String,
    },
    /// The client gave up without an answer (timed out, or its server crashed): the operation
    /// may or may not have taken effect, at any time after its invocation.
    Unknown {
        at: Millis,
        seq: u64,
        reason: String,
    },
}

/// One client operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub id: OpId,
    pub client: ClientId,
    pub op: Op,
    pub invoked_at: Millis,
    /// Sequence number of the invocation event.
    pub invoke_seq: u64,
    pub outcome: Outcome,
}

impl Operation {
    /// When the client heard back, or `None` if it never did.
    pub fn completed_at(&self) -> Option<Millis> {
        match self.outcome {
            Outcome::Completed { at, .. } => Some(at),
            _ => None,
        }
    }

    /// The reply, if the operation completed.
    pub fn reply(&self) -> Option<&Reply> {
        match &self.outcome {
            Outcome::Completed { reply, .. } => Some(reply),
            _ => None,
        }
    }

    /// Whether the client is done with it, one way or another.
    pub fn is_finished(&self) -> bool {
        !matches!(self.outcome, Outcome::Pending)
    }
}

impl fmt::Display for Operation {
    /// `#3 c1 put x=5 [100ms..130ms] ok`; unfinished ops show `..?`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} c{} {} [{}ms..",
            self.id, self.client, self.op, self.invoked_at
        )?;
        match &self.outcome {
            Outcome::Pending => write!(f, "?] pending"),
            Outcome::Completed { at, reply, .. } => write!(f, "{at}ms] {reply}"),
            Outcome::Failed { at, reason, .. } => write!(f, "{at}ms] failed: {reason}"),
            Outcome::Unknown { at, reason, .. } => write!(f, "?] unknown since {at}ms: {reason}"),
        }
    }
}

/// Why the history refused to record an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HistoryError {
    UnknownOperation(OpId),
    AlreadyFinished(OpId),
    /// The end is before the invocation.
    EndsBeforeInvocation {
        id: OpId,
        invoked_at: Millis,
        at: Millis,
    },
    /// A get answered with `ok`, or a put/delete with a value.
    ReplyDoesNotFit {
        id: OpId,
        reply: Reply,
    },
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::UnknownOperation(id) => write!(f, "no operation #{id} in the history"),
            HistoryError::AlreadyFinished(id) => write!(f, "operation #{id} has already finished"),
            HistoryError::EndsBeforeInvocation { id, invoked_at, at } => {
                write!(
                    f,
                    "operation #{id} cannot end at {at}ms, before its invocation at {invoked_at}ms"
                )
            }
            HistoryError::ReplyDoesNotFit { id, reply } => {
                write!(f, "reply {reply} does not fit operation #{id}")
            }
        }
    }
}

impl std::error::Error for HistoryError {}

/// Finished operations kept for display, the most recent ones (see [`History`]): far more than
/// the page lists, and every time-travel checkpoint carries them, so not many more.
pub const KEEP_FINISHED: usize = 100;

/// Finished operations dropped at once, when [`KEEP_FINISHED`] plus this many are kept: dropping
/// in batches costs O(1) per operation rather than a pass over the kept ones at each.
const DROP_BATCH: usize = KEEP_FINISHED / 8;

/// How the operations so far ended, counted over all of them (kept or not).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub invoked: u64,
    pub completed: u64,
    pub failed: u64,
    pub unknown: u64,
}

impl Tally {
    /// Still waiting for an answer.
    pub fn pending(&self) -> u64 {
        self.invoked - self.completed - self.failed - self.unknown
    }
}

/// The client operations, in invocation order: every pending one and the [`KEEP_FINISHED`]
/// most recently finished ones (up to a batch more); older finished ones are dropped, so that
/// a long run's memory does not grow with its length. Ids stay those of the whole run.
///
/// The linearizability checker copies what it still needs, as it goes: it must read each
/// operation before [`KEEP_FINISHED`] others finished after it, which checking after every
/// finished operation (as the cluster does) guarantees. If it ever misses one, it answers
/// "unknown", never a false violation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// The kept operations, in id order.
    ops: Vec<Operation>,
    /// How many of them are finished.
    finished: usize,
    tally: Tally,
    next_seq: u64,
    /// Keep every operation (tests that check a whole history at once).
    #[serde(default)]
    keep_all: bool,
}

impl History {
    pub fn new() -> Self {
        History::default()
    }

    /// A history that keeps every operation, however many.
    pub fn keeping_all() -> Self {
        History {
            keep_all: true,
            ..History::default()
        }
    }

    /// Records that `client` issued `op` at `at`; returns its id.
    pub fn invoke(&mut self, client: ClientId, op: Op, at: Millis) -> OpId {
        let id = self.tally.invoked as OpId;
        self.tally.invoked += 1;
        let invoke_seq = self.take_seq();
        self.ops.push(Operation {
            id,
            client,
            op,
            invoked_at: at,
            invoke_seq,
            outcome: Outcome::Pending,
        });
        id
    }

    /// Records the answer. A get takes a [`Reply::Value`], a put or delete [`Reply::Ok`].
    pub fn complete(&mut self, id: OpId, at: Millis, reply: Reply) -> Result<(), HistoryError> {
        let i = self.pending_op(id, at)?;
        if self.ops[i].op.is_read() != matches!(reply, Reply::Value(_)) {
            return Err(HistoryError::ReplyDoesNotFit { id, reply });
        }
        let seq = self.take_seq();
        self.tally.completed += 1;
        self.finish(i, Outcome::Completed { at, seq, reply });
        Ok(())
    }

    /// Records that the operation certainly did not take effect.
    pub fn fail(
        &mut self,
        id: OpId,
        at: Millis,
        reason: impl Into<String>,
    ) -> Result<(), HistoryError> {
        let i = self.pending_op(id, at)?;
        let seq = self.take_seq();
        self.tally.failed += 1;
        let reason = reason.into();
        self.finish(i, Outcome::Failed { at, seq, reason });
        Ok(())
    }

    /// Records that the client stopped waiting without knowing whether the operation took effect.
    pub fn give_up(
        &mut self,
        id: OpId,
        at: Millis,
        reason: impl Into<String>,
    ) -> Result<(), HistoryError> {
        let i = self.pending_op(id, at)?;
        let seq = self.take_seq();
        self.tally.unknown += 1;
        let reason = reason.into();
        self.finish(i, Outcome::Unknown { at, seq, reason });
        Ok(())
    }

    /// The kept operation's index, if it is pending and may end at `at`.
    fn pending_op(&self, id: OpId, at: Millis) -> Result<usize, HistoryError> {
        let i = self.index(id).ok_or(if id < self.total() {
            // Dropped, so finished long ago.
            HistoryError::AlreadyFinished(id)
        } else {
            HistoryError::UnknownOperation(id)
        })?;
        let op = &self.ops[i];
        if op.is_finished() {
            return Err(HistoryError::AlreadyFinished(id));
        }
        if at < op.invoked_at {
            return Err(HistoryError::EndsBeforeInvocation {
                id,
                invoked_at: op.invoked_at,
                at,
            });
        }
        Ok(i)
    }

    fn finish(&mut self, i: usize, outcome: Outcome) {
        self.ops[i].outcome = outcome;
        self.finished += 1;
        if !self.keep_all && self.finished >= KEEP_FINISHED + DROP_BATCH {
            self.drop_oldest_finished();
        }
    }

    /// Keeps the pending operations and the [`KEEP_FINISHED`] that finished last.
    fn drop_oldest_finished(&mut self) {
        let mut ends: Vec<u64> = self.ops.iter().filter_map(finish_seq).collect();
        let cut = ends.len() - KEEP_FINISHED;
        let (_, &mut oldest_kept, _) = ends.select_nth_unstable(cut);
        self.ops
            .retain(|op| finish_seq(op).is_none_or(|seq| seq >= oldest_kept));
        self.finished = KEEP_FINISHED;
    }

    fn take_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    fn index(&self, id: OpId) -> Option<usize> {
        self.ops.binary_search_by_key(&id, |op| op.id).ok()
    }

    /// The kept operations, in id order.
    pub fn operations(&self) -> &[Operation] {
        &self.ops
    }

    /// The operation, if it is kept.
    pub fn get(&self, id: OpId) -> Option<&Operation> {
        self.index(id).map(|i| &self.ops[i])
    }

    /// Operations still waiting for an answer (all kept).
    pub fn pending(&self) -> impl Iterator<Item = &Operation> {
        self.ops.iter().filter(|o| !o.is_finished())
    }

    /// How many operations are kept.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// How many operations were ever invoked: the next one's id.
    pub fn total(&self) -> usize {
        self.tally.invoked as usize
    }

    /// How many finished operations were dropped.
    pub fn dropped(&self) -> usize {
        self.total() - self.len()
    }

    /// How all the operations so far ended.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// For people: a line per kept operation, after one saying how many were dropped, if any.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        let dropped = self.dropped();
        let note = (dropped > 0).then(|| format!("({dropped} earlier operations not kept)"));
        note.into_iter()
            .chain(self.ops.iter().map(|op| op.to_string()))
    }
}

/// When the operation finished, in sequence numbers (`None`: pending).
fn finish_seq(op: &Operation) -> Option<u64> {
    match op.outcome {
        Outcome::Pending => None,
        Outcome::Completed { seq, .. }
        | Outcome::Failed { seq, .. }
        | Outcome::Unknown { seq, .. } => Some(seq),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_move_from_pending_to_an_outcome() {
        let mut h = History::new();
        let a = h.invoke(1, Op::put("x", "1"), 10);
        let b = h.invoke(2, Op::get("x"), 12);
        let c = h.invoke(3, Op::delete("x"), 13);
        assert_eq!(h.pending().count(), 3);
        h.complete(a, 20, Reply::Ok).unwrap();
        h.complete(b, 20, Reply::Value(Some("1".into()))).unwrap();
        h.give_up(c, 500, "timed out").unwrap();
        assert_eq!(h.pending().count(), 0);
        assert_eq!(h.get(a).unwrap().completed_at(), Some(20));
        assert_eq!(
            h.get(b).unwrap().reply(),
            Some(&Reply::Value(Some("1".into())))
        );
        assert_eq!(h.get(c).unwrap().completed_at(), None);
        assert!(matches!(
            h.get(c).unwrap().outcome,
            Outcome::Unknown { at: 500, .. }
        ));
    }

    #[test]
    fn events_get_increasing_sequence_numbers() {
        let mut h = History::new();
        let a = h.invoke(1, Op::put("x", "1"), 5);
        h.complete(a, 5, Reply::Ok).unwrap();
        let b = h.invoke(1, Op::get("x"), 5);
        let Outcome::Completed { seq, .. } = h.get(a).unwrap().outcome else {
            panic!()
        };
        assert!(seq > h.get(a).unwrap().invoke_seq);
        assert!(h.get(b).unwrap().invoke_seq > seq);
    }

    #[test]
    fn bad_events_are_refused() {
        let mut h = History::new();
        let a = h.invoke(1, Op::put("x", "1"), 10);
        assert_eq!(
            h.complete(7, 20, Reply::Ok),
            Err(HistoryError::UnknownOperation(7))
        );
        assert_eq!(
            h.complete(a, 5, Reply::Ok),
            Err(HistoryError::EndsBeforeInvocation {
                id: a,
                invoked_at: 10,
                at: 5
            })
        );
        assert!(matches!(
            h.complete(a, 20, Reply::Value(None)),
            Err(HistoryError::ReplyDoesNotFit { .. })
        ));
        let g = h.invoke(1, Op::get("x"), 10);
        assert!(matches!(
            h.complete(g, 20, Reply::Ok),
            Err(HistoryError::ReplyDoesNotFit { .. })
        ));
        h.fail(a, 20, "no leader").unwrap();
        assert_eq!(
            h.complete(a, 30, Reply::Ok),
            Err(HistoryError::AlreadyFinished(a))
        );
        assert_eq!(h.give_up(a, 30, "x"), Err(HistoryError::AlreadyFinished(a)));
    }

    #[test]
    fn operations_print_for_people() {
        let mut h = History::new();
        let a = h.invoke(1, Op::put("x", "5"), 100);
        let b = h.invoke(2, Op::get("x"), 110);
        let c = h.invoke(3, Op::delete("x"), 120);
        assert_eq!(
            h.get(a).unwrap().to_string(),
            "#0 c1 put x=5 [100ms..?] pending"
        );
        h.complete(a, 130, Reply::Ok).unwrap();
        h.complete(b, 140, Reply::Value(Some("5".into()))).unwrap();
        h.give_up(c, 900, "timed out").unwrap();
        assert_eq!(
            h.get(a).unwrap().to_string(),
            "#0 c1 put x=5 [100ms..130ms] ok"
        );
        assert_eq!(
            h.get(b).unwrap().to_string(),
            "#1 c2 get x [110ms..140ms] \"5\""
        );
        assert_eq!(
            h.get(c).unwrap().to_string(),
            "#2 c3 del x [120ms..?] unknown since 900ms: timed out"
        );
    }

    #[test]
    fn old_finished_operations_are_dropped_and_pending_ones_kept() {
        let mut h = History::new();
        let stuck = h.invoke(9, Op::get("x"), 0);
        let slow = h.invoke(8, Op::put("x", "slow"), 0);
        for i in 0..3000u64 {
            let id = h.invoke(1, Op::put("x", i.to_string()), i);
            h.complete(id, i, Reply::Ok).unwrap();
            assert!(h.len() <= KEEP_FINISHED + DROP_BATCH + 2, "{}", h.len());
        }
        assert_eq!(h.total(), 3002);
        assert!(h.get(2).is_none(), "finished long ago");
        assert_eq!(
            h.complete(2, 5000, Reply::Ok),
            Err(HistoryError::AlreadyFinished(2))
        );
        assert_eq!(
            h.complete(3002, 5000, Reply::Ok),
            Err(HistoryError::UnknownOperation(3002))
        );
        // Ids stay those of the whole run.
        for op in h.operations() {
            assert_eq!(h.get(op.id), Some(op));
        }
        assert!(h.operations().windows(2).all(|w| w[0].id < w[1].id));
        for id in 3002 - KEEP_FINISHED..3002 {
            assert!(h.get(id).is_some(), "#{id} is among the last finished");
        }
        // Pending operations stay, however old; one that finishes late counts as recent.
        assert_eq!(h.pending().count(), 2);
        h.give_up(slow, 4000, "timed out").unwrap();
        for i in 0..KEEP_FINISHED as u64 - 1 {
            let id = h.invoke(1, Op::get("x"), 4000 + i);
            h.fail(id, 4000 + i, "no leader").unwrap();
        }
        assert!(
            h.get(slow).is_some(),
            "finished among the last {KEEP_FINISHED}"
        );
        assert!(h.get(stuck).is_some());
        assert_eq!(
            h.tally(),
            Tally {
                invoked: 3001 + KEEP_FINISHED as u64,
                completed: 3000,
                failed: KEEP_FINISHED as u64 - 1,
                unknown: 1
            }
        );
        assert_eq!(h.tally().pending(), 1);
        // The printout says how many are missing.
        let lines: Vec<String> = h.lines().collect();
        assert_eq!(lines.len(), h.len() + 1);
        assert_eq!(
            lines[0],
            format!("({} earlier operations not kept)", h.dropped())
        );
        assert_eq!(h.dropped() + h.len(), h.total());
        assert_eq!(lines[1], h.get(stuck).unwrap().to_string());
    }

    #[test]
    fn a_short_history_keeps_everything() {
        let mut h = History::new();
        assert_eq!(h.lines().count(), 0);
        let a = h.invoke(1, Op::put("x", "1"), 10);
        h.complete(a, 20, Reply::Ok).unwrap();
        assert_eq!(
            h.lines().collect::<Vec<_>>(),
            vec!["#0 c1 put x=1 [10ms..20ms] ok".to_string()]
        );
        assert_eq!((h.len(), h.total(), h.dropped()), (1, 1, 0));
    }
}
