//! Membership changes (etcd's `confchange` package): compute the configuration and progress
//! map that result from applying changes to a tracker, checking the configuration's
//! invariants before and after. Nothing here mutates the tracker; the caller installs the
//! result.

mod changer;
mod restore;

pub use changer::{describe, Changer};
pub use restore::restore;
