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
//!
//! Both reach the same [`CheckResult`] and explain a violation in the same words (`verdict`).

mod frontier;
mod incremental;
#[cfg(test)]
mod incremental_tests;
mod model;
mod search;
#[cfg(test)]
mod tests;
mod verdict;
mod window;

use std::collections::BTreeMap;

pub use frontier::{MAX_OPEN_WRITES, MAX_STATES};
pub use incremental::Incremental;
pub use verdict::{CheckResult, Violation, DEFAULT_STEP_LIMIT};

use crate::history::{History, Operation};

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
