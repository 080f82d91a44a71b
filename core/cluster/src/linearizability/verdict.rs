//! What a check concludes, and the words that explain a violation: shared by both ways in
//! (the whole-history search and the incremental check), which must reach the same verdicts,
//! so neither owns them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::history::{OpId, Operation};

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

/// A violation from a search's deepest point: the operations placed in order, the one that
/// completed without being placeable, the others that could have gone first, and the value
/// then. `before` sums up the operations before them that are no longer kept, if any.
pub(super) fn describe(
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
