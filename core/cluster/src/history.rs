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

/// Every client operation, in invocation order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    ops: Vec<Operation>,
    next_seq: u64,
}

impl History {
    pub fn new() -> Self {
        History::default()
    }

    /// Records that `client` issued `op` at `at`; returns its id.
    pub fn invoke(&mut self, client: ClientId, op: Op, at: Millis) -> OpId {
        let id = self.ops.len();
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
        let op = self.pending_op(id, at)?;
        if op.op.is_read() != matches!(reply, Reply::Value(_)) {
            return Err(HistoryError::ReplyDoesNotFit { id, reply });
        }
        let seq = self.take_seq();
        self.ops[id].outcome = Outcome::Completed { at, seq, reply };
        Ok(())
    }

    /// Records that the operation certainly did not take effect.
    pub fn fail(
        &mut self,
        id: OpId,
        at: Millis,
        reason: impl Into<String>,
    ) -> Result<(), HistoryError> {
        self.pending_op(id, at)?;
        let seq = self.take_seq();
        self.ops[id].outcome = Outcome::Failed {
            at,
            seq,
            reason: reason.into(),
        };
        Ok(())
    }

    /// Records that the client stopped waiting without knowing whether the operation took effect.
    pub fn give_up(
        &mut self,
        id: OpId,
        at: Millis,
        reason: impl Into<String>,
    ) -> Result<(), HistoryError> {
        self.pending_op(id, at)?;
        let seq = self.take_seq();
        self.ops[id].outcome = Outcome::Unknown {
            at,
            seq,
            reason: reason.into(),
        };
        Ok(())
    }

    fn pending_op(&self, id: OpId, at: Millis) -> Result<&Operation, HistoryError> {
        let op = self.ops.get(id).ok_or(HistoryError::UnknownOperation(id))?;
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
        Ok(op)
    }

    fn take_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    pub fn operations(&self) -> &[Operation] {
        &self.ops
    }

    pub fn get(&self, id: OpId) -> Option<&Operation> {
        self.ops.get(id)
    }

    /// Operations still waiting for an answer.
    pub fn pending(&self) -> impl Iterator<Item = &Operation> {
        self.ops.iter().filter(|o| !o.is_finished())
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
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
}
