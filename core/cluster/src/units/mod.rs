//! Durations, latencies and rates as scripts write them, and back: `500ms`, `1.5s`,
//! `20..80ms`, `0.3`. Read with integer arithmetic, so the values are exact and the same in
//! the page's wasm as natively.
//!
//! Plain durations and rates are read and printed in `decimal`, which depends on nothing else
//! in the crate, so that the bounds (`limits`) and the network's errors can print a value the
//! way a script writes it. Latencies belong to the network and have a bound, so they are read
//! here, above both.

use crate::limits;
use crate::network::Latency;

pub(crate) mod decimal;

pub use decimal::{format_duration, format_rate, parse_duration, parse_rate};

// ---- latencies --------------------------------------------------------------------------------

/// Parses a latency: `20ms` or `20..80ms`.
pub fn parse_latency(s: &str) -> Result<Latency, String> {
    let l = parse_latency_unbounded(s)?;
    limits::duration(l.max, limits::MAX_LATENCY, "latency")?;
    Ok(l)
}

fn parse_latency_unbounded(s: &str) -> Result<Latency, String> {
    match s.split_once("..") {
        None => parse_duration(s).map(Latency::fixed),
        Some((lo, hi)) => {
            let hi_ms = parse_duration(hi)?;
            // `20..80ms`: the lower bound borrows the upper bound's unit when it has none.
            let lo_ms = if lo.bytes().all(|b| b.is_ascii_digit()) && !lo.is_empty() {
                let unit = hi.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
                parse_duration(&format!("{lo}{unit}"))?
            } else {
                parse_duration(lo)?
            };
            Latency::uniform(lo_ms, hi_ms).map_err(|e| e.to_string())
        }
    }
}

pub fn format_latency(l: &Latency) -> String {
    if l.is_fixed() {
        format_duration(l.min)
    } else {
        format!("{}..{}ms", l.min, l.max)
    }
}
