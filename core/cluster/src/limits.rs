//! The upper bound of every count and duration a script can ask for.
//!
//! A script may come from anywhere: typed, imported, opened from a share link. Each bound keeps
//! one command's work and memory small enough for a page (a long `run` is time-sliced there,
//! but still ends), and each is checked where the script is parsed, with an error that names
//! the bound. `docs/scripts.md` lists them.

use crate::clock::Millis;
use crate::units::decimal::format_duration;

/// Node ids run from 1 to this: the page draws at most nine nodes, and every id a script
/// names (nodes, links, partitions, conf changes) stays within the drawing.
pub const MAX_NODE_ID: u64 = 9;

/// `tick N COUNT`: ticks at once.
pub const MAX_TICKS: u64 = 10_000;

/// `run D` and `run-until ... max=D`: one hour of virtual time.
pub const MAX_RUN: Millis = 3_600_000;

/// Link latencies, fsync times and a slow disk's delay: one minute.
pub const MAX_LATENCY: Millis = 60_000;

/// `cluster N tick=D`: the tick interval, from 1 ms to 10 s.
pub const MAX_TICK_INTERVAL: Millis = 10_000;

/// Election timeouts in ticks (`election=`, `set-randomized-election-timeout`).
pub const MAX_ELECTION_TICKS: u64 = 10_000;

/// A log index a script names (`compact`, `add-nodes index=`): far beyond any run, far below
/// where index arithmetic could overflow.
pub const MAX_INDEX: u64 = 1_000_000_000;

/// `cluster N inflight=N` and `add-nodes inflight=N`: etcd's MaxInflightMsgs.
pub const MAX_INFLIGHT: u64 = 10_000;

/// `cluster N max-size-per-msg=B`: etcd's MaxSizePerMsg, in bytes (1 GiB; the playground's
/// default is 1 MiB). Any value is safe for Raft (0 sends one entry per message); the bound
/// only keeps the number a person types readable.
pub const MAX_SIZE_PER_MSG: u64 = 1 << 30;

/// `load every=D`: the shortest interval between the background load's puts.
pub const MIN_LOAD_EVERY: Millis = 10;

/// Client ids (`client=C`).
pub const MAX_CLIENT_ID: u64 = 100;

/// `events last=N`.
pub const MAX_EVENTS_LISTED: u64 = 10_000;

/// `stop-after events=N`.
pub const MAX_STOP_AFTER: u64 = 100_000_000;

/// Bytes of a proposal's data, a key, a value or a snapshot's `content`.
pub const MAX_DATA_LEN: usize = 1024;

/// Bytes of a whole script (a share link or an imported file).
pub const MAX_SCRIPT_BYTES: usize = 1 << 20;

/// Commands in one script.
pub const MAX_SCRIPT_COMMANDS: usize = 20_000;

/// `value`, or an error that names the bound: `what` says what was counted ("tick count").
pub fn count(value: u64, max: u64, what: &str) -> Result<u64, String> {
    if value > max {
        return Err(format!("{what} {value} is over the limit of {max}"));
    }
    Ok(value)
}

/// `ms`, or an error that names the bound, as [`count`] does for durations.
pub fn duration(ms: Millis, max: Millis, what: &str) -> Result<Millis, String> {
    if ms > max {
        return Err(format!(
            "{what} {} is over the limit of {}",
            format_duration(ms),
            format_duration(max)
        ));
    }
    Ok(ms)
}

/// A string that a script stores (proposal data, keys, values), or an error past
/// [`MAX_DATA_LEN`] bytes.
pub fn data<'a>(s: &'a str, what: &str) -> Result<&'a str, String> {
    if s.len() > MAX_DATA_LEN {
        return Err(format!(
            "{what} of {} bytes is over the limit of {MAX_DATA_LEN}",
            s.len()
        ));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_up_to_the_bound_pass_and_past_it_are_refused_by_name() {
        assert_eq!(count(MAX_TICKS, MAX_TICKS, "tick count"), Ok(MAX_TICKS));
        assert_eq!(
            count(MAX_TICKS + 1, MAX_TICKS, "tick count"),
            Err("tick count 10001 is over the limit of 10000".to_string())
        );
        assert_eq!(duration(MAX_RUN, MAX_RUN, "run"), Ok(MAX_RUN));
        assert_eq!(
            duration(MAX_RUN + 1, MAX_RUN, "run"),
            Err("run 3600001ms is over the limit of 3600s".to_string())
        );
        let long = "x".repeat(MAX_DATA_LEN + 1);
        assert!(data(&long[1..], "key").is_ok());
        assert_eq!(
            data(&long, "key"),
            Err("key of 1025 bytes is over the limit of 1024".to_string())
        );
    }
}
