//! Is the clients' history linearizable? That is: can every operation be given one instant
//! between its invocation and its completion at which it took effect, such that the replies are
//! those of a single key/value map applying the operations in that order?
//!
//! The search is Wing & Gong's, with Lowe's memoization, as Porcupine implements it:
//!
//! - The history is split by key: operations on different keys never constrain each other in a
//!   map, so each key is checked on its own (a much smaller search).
//! - The invocations and completions of a key's operations form one list in time order. The
//!   search walks it depth first: at an invocation it tries to let that operation take effect
//!   now (if the model agrees with its reply), removes it from the list and starts over from the
//!   head; at a completion it has hit an operation that had to take effect by now but did not,
//!   so it backtracks.
//! - Configurations already explored — the set of operations placed so far plus the model state
//!   — are remembered and never explored twice. That is what makes realistic histories cheap.
//!
//! Operations whose outcome the client never learned (pending, timed out) may take effect at any
//! time after their invocation, or not at all. Such a write gets a completion "at infinity", so
//! the search may place it anywhere after its invocation, including after everything else, which
//! is indistinguishable from never. Such a read constrains nothing and is left out, as are
//! operations known to have failed.
//!
//! The search is exponential in the worst case, so it counts its steps and answers
//! [`CheckResult::Unknown`] past a limit rather than hang the page.
//!
//! Two ways in:
//!
//! - [`check`] and [`check_operations`] search a whole history at once (`search`). Simple, and
//!   the specification of the other.
//! - [`Incremental`] follows a growing history and searches only what happened since the last
//!   point no operation straddled (`incremental`, `frontier`, `window`): a long run costs the
//!   same per operation at its end as at its start, and memory stays bounded.

mod frontier;
mod incremental;
#[cfg(test)]
mod incremental_tests;
mod model;
mod search;
#[cfg(test)]
mod tests;
mod window;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use frontier::{MAX_OPEN_WRITES, MAX_STATES};
pub use incremental::Incremental;

use crate::history::{History, OpId, Operation};

/// Steps allowed per key before giving up.
pub const DEFAULT_STEP_LIMIT: u64 = 1_000_000;

/// The checker's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckResult {
    /// Some order of the operations explains every reply.
    Ok,
    /// No order does, for the operations on one key.
    Violation(Violation),
    /// The check of one key could not conclude, for `reason` (it ran out of search steps,
    /// say): neither way, so this is never reported as a violation.
    Unknown { key: String, reason: String },
}

impl CheckResult {
    pub fn is_ok(&self) -> bool {
        matches!(self, CheckResult::Ok)
    }

    pub fn is_violation(&self) -> bool {
        matches!(self, CheckResult::Violation(_))
    }
}

/// Why a key's operations are not linearizable, from the deepest point the search reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub key: String,
    /// The longest order found in which operations could take effect consistently (after the
    /// operations an incremental check no longer keeps, which the explanation sums up).
    pub longest_prefix: Vec<OpId>,
    /// An operation that had completed by then and so had to come next (or earlier), but whose
    /// reply the map could not give at any of those points.
    pub blocked: OpId,
    /// The other operations that could have taken effect next at that point (invoked, not yet
    /// placed); none of them leads to an explanation either.
    pub candidates: Vec<OpId>,
    /// The key's value after `longest_prefix` (`None`: absent).
    pub value_then: Option<String>,
    /// The same, in words, with the operations printed in full.
    pub explanation: String,
}

impl Violation {
    /// Every operation the violation names, in id order.
    pub fn operations(&self) -> Vec<OpId> {
        let mut ids: Vec<OpId> = self
            .longest_prefix
            .iter()
            .chain(&self.candidates)
            .copied()
            .collect();
        ids.push(self.blocked);
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.explanation)
    }
}

/// Checks a whole history at once, with the default step limit. A history that no longer keeps
/// its oldest operations cannot be checked this way (what is left may not explain itself
/// without them): that is for [`Incremental`], which checks as the history goes.
pub fn check(history: &History) -> CheckResult {
    if history.dropped() > 0 {
        return CheckResult::Unknown {
            key: String::new(),
            reason: format!(
                "the history no longer keeps its {} oldest operations",
                history.dropped()
            ),
        };
    }
    check_operations(history.operations(), DEFAULT_STEP_LIMIT)
}

/// Checks operations (as a [`History`] holds them; violations name them by their `id`),
/// spending at most `step_limit` search steps on each key. Keys are checked in order; the first
/// violation wins, and a violation on any key wins over running out of steps on another.
pub fn check_operations(ops: &[Operation], step_limit: u64) -> CheckResult {
    let mut by_key: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in ops {
        by_key.entry(op.op.key()).or_default().push(op);
    }
    let mut unknown = None;
    for (key, key_ops) in by_key {
        match search::check_key(key, &key_ops, step_limit) {
            CheckResult::Ok => {}
            r @ CheckResult::Unknown { .. } => {
                unknown.get_or_insert(r);
            }
            violation => return violation,
        }
    }
    unknown.unwrap_or(CheckResult::Ok)
}

/// A violation from a search's deepest point: the operations placed in order, the one that
/// completed without being placeable, the others that could have gone first, and the value
/// then. `before` sums up the operations before them that are no longer kept, if any.
fn describe(
    key: &str,
    before: Option<String>,
    prefix: &[&Operation],
    blocked: &Operation,
    candidates: &[&Operation],
    value_then: Option<&str>,
) -> Violation {
    let list = |ops: &[&Operation]| -> String {
        if ops.is_empty() {
            return "nothing".to_string();
        }
        ops.iter()
            .map(|op| op.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let shown = match value_then {
        Some(v) => format!("{v:?}"),
        None => "absent".to_string(),
    };
    let mut explanation = format!("operations on key {key:?} are not linearizable.\n  ");
    if let Some(before) = &before {
        explanation.push_str(before);
        explanation.push_str("\n  longest consistent order after them: ");
    } else {
        explanation.push_str("longest consistent order: ");
    }
    explanation.push_str(&format!(
        "{}\n  then {blocked} had completed, but cannot take effect there ({key} is {shown} at that point)",
        list(prefix),
    ));
    if !candidates.is_empty() {
        explanation.push_str(&format!(
            ", nor after any of the concurrent operations that could go first: {}",
            list(candidates)
        ));
    }
    Violation {
        key: key.to_string(),
        longest_prefix: prefix.iter().map(|op| op.id).collect(),
        blocked: blocked.id,
        candidates: candidates.iter().map(|op| op.id).collect(),
        value_then: value_then.map(str::to_string),
        explanation,
    }
}
