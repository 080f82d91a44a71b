//! What the incremental checker remembers of a key's history before its latest cut.
//!
//! A *cut* is a point in time that no operation straddles: everything invoked before it had
//! completed (or failed) before it, and nothing invoked before it is still pending. Operations
//! before a cut can only take effect before it, operations after it only after it, so the
//! history before the cut matters to the rest only through the state it can leave the register
//! in. That is the frontier: every state some linearization of the history before the cut ends
//! in (several when writes were concurrent).
//!
//! Writes whose outcome the client never learned are the exception: they straddle every later
//! cut, since they may take effect at any time, or never. The frontier carries them along (the
//! pool) and, in each state, which of them already took effect there. One that took effect in
//! every state is spent and leaves the pool; the others stay, possibly forever. Past
//! [`MAX_OPEN_WRITES`] of them the key is no longer checked (the verdict is "unknown", never a
//! violation): each one can double the number of states, and an exact answer could no longer
//! be promised at a bounded cost.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::model::{Interner, State};
use super::window::{Part, Start};
use crate::history::{OpId, Operation};
use crate::kv::Op;

/// Writes of unknown outcome a key may carry over its cuts before it is given up on.
pub const MAX_OPEN_WRITES: usize = 32;

/// States a frontier may hold before the key is given up on. Concurrent writes multiply them;
/// a cluster's handful of clients stays far below.
pub const MAX_STATES: usize = 256;

/// A position in the event order: an instant, and whether the event there is a completion
/// (completions sort after invocations at an identical instant).
pub(super) type Position = (u64, u64, bool);

/// One state the history before the cut can end in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Ending {
    /// The key's value (`None`: absent).
    value: Option<String>,
    /// The pool's writes that already took effect in this ending, in id order.
    used: Vec<OpId>,
}

/// The states a key's history before its cut can end in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Frontier {
    /// Writes of unknown outcome invoked before the cut, in id order.
    pool: Vec<Operation>,
    /// Never empty: no ending would mean the history before the cut is not linearizable.
    endings: Vec<Ending>,
    /// The last event before the cut (`None`: no cut yet).
    cut: Option<Position>,
    /// How many operations were folded into the frontier.
    folded: u64,
}

impl Default for Frontier {
    /// Before anything happened: the key is absent.
    fn default() -> Self {
        Frontier {
            pool: Vec::new(),
            endings: vec![Ending {
                value: None,
                used: Vec::new(),
            }],
            cut: None,
            folded: 0,
        }
    }
}

/// The value a write leaves (`None` for a read).
fn written(op: &Operation) -> Option<Option<&str>> {
    match &op.op {
        Op::Put { value, .. } => Some(Some(value)),
        Op::Delete { .. } => Some(None),
        Op::Get { .. } => None,
    }
}

impl Frontier {
    pub(super) fn cut(&self) -> Option<Position> {
        self.cut
    }

    /// The pool as search parts (the first `pool.len()` parts of a search), and the endings
    /// as starts.
    pub(super) fn search_input<'a>(&'a self, values: &mut Interner) -> (Vec<Part<'a>>, Vec<Start>) {
        let parts = self
            .pool
            .iter()
            .map(|op| Part {
                op,
                effect: values.effect(op).expect("a write has an effect"),
                call: None,
                ret: None,
            })
            .collect();
        let starts = self
            .endings
            .iter()
            .map(|e| Start {
                state: values.state(e.value.as_deref()),
                used: e.used.iter().map(|id| self.pool_index(*id)).collect(),
            })
            .collect();
        (parts, starts)
    }

    fn pool_index(&self, id: OpId) -> usize {
        self.pool
            .binary_search_by_key(&id, |op| op.id)
            .expect("an ending uses only pool writes")
    }

    /// The frontier at a later cut: `ends` are the enumerated ends of a search over `parts`
    /// (this frontier's pool first, then the operations folded in), `opened` the writes of
    /// unknown outcome among those, `folded` how many operations the cut passed.
    ///
    /// Fails, with the reason, past the bounds on open writes and on states.
    pub(super) fn advance(
        &self,
        parts: &[Part],
        ends: Vec<(State, Vec<usize>)>,
        values: &Interner,
        opened: Vec<Operation>,
        cut: Position,
        folded: u64,
    ) -> Result<Frontier, String> {
        let mut pool = self.pool.clone();
        pool.extend(opened);
        pool.sort_by_key(|op| op.id);
        let mut endings: Vec<Ending> = ends
            .into_iter()
            .map(|(state, used)| {
                let mut used: Vec<OpId> = used.into_iter().map(|i| parts[i].op.id).collect();
                used.sort_unstable();
                Ending {
                    value: values.value(state).map(str::to_string),
                    used,
                }
            })
            .collect();
        endings.sort();
        endings.dedup();
        let mut next = Frontier {
            pool,
            endings,
            cut: Some(cut),
            folded: self.folded + folded,
        };
        next.prune();
        if next.pool.len() > MAX_OPEN_WRITES {
            return Err(format!(
                "with more than {MAX_OPEN_WRITES} writes of unknown outcome that may still take effect"
            ));
        }
        if next.endings.len() > MAX_STATES {
            return Err(format!(
                "with more than {MAX_STATES} possible states at a cut"
            ));
        }
        Ok(next)
    }

    /// Drops endings whose futures another ending has too, then the writes spent everywhere.
    fn prune(&mut self) {
        let keep: Vec<bool> = self
            .endings
            .iter()
            .map(|a| !self.endings.iter().any(|b| b != a && self.covers(b, a)))
            .collect();
        let mut k = keep.iter();
        self.endings
            .retain(|_| *k.next().expect("one flag per ending"));
        let spent: Vec<OpId> = self
            .pool
            .iter()
            .map(|op| op.id)
            .filter(|id| self.endings.iter().all(|e| e.used.contains(id)))
            .collect();
        self.pool.retain(|op| !spent.contains(&op.id));
        for e in &mut self.endings {
            e.used.retain(|id| !spent.contains(id));
        }
    }

    /// Whether every future of ending `a` is also one of `b`: `b` has every write `a` still
    /// has, and `a`'s value is `b`'s, or was written by one of the writes `b` still has (`b`
    /// can take it now, and be `a`).
    fn covers(&self, b: &Ending, a: &Ending) -> bool {
        b.used.iter().all(|id| a.used.contains(id))
            && (a.value == b.value
                || a.used.iter().any(|id| {
                    !b.used.contains(id)
                        && written(&self.pool[self.pool_index(*id)]) == Some(a.value.as_deref())
                }))
    }

    /// For a violation's explanation: the operations folded into the frontier, and the ending
    /// `start` (an index of [`Frontier::search_input`]'s starts).
    pub(super) fn describe(&self, key: &str, start: usize) -> Option<String> {
        if self.folded == 0 {
            return None;
        }
        let e = &self.endings[start];
        let shown = match &e.value {
            Some(v) => format!("{v:?}"),
            None => "absent".to_string(),
        };
        let mut s = format!(
            "the {} earlier operations on {key} (no longer kept) have a linearization that leaves {key} {shown}",
            self.folded
        );
        let mut others: Vec<String> = self
            .endings
            .iter()
            .filter(|o| o.value != e.value)
            .map(|o| match &o.value {
                Some(v) => format!("{v:?}"),
                None => "absent".to_string(),
            })
            .collect();
        others.dedup();
        if !others.is_empty() {
            let _ = write!(s, " (others leave it {})", others.join(" or "));
        }
        let free: Vec<String> = self
            .pool
            .iter()
            .filter(|op| !e.used.contains(&op.id))
            .map(|op| op.to_string())
            .collect();
        if !free.is_empty() {
            let _ = write!(
                s,
                ", with these writes of unknown outcome still free to take effect: {}",
                free.join("; ")
            );
        }
        Some(s)
    }

    /// (operations folded, open writes carried, endings), for tests.
    #[cfg(test)]
    pub(super) fn stats(&self) -> (u64, usize, usize) {
        (self.folded, self.pool.len(), self.endings.len())
    }
}
