//! Durations and rates as exact decimals, read and printed with integer arithmetic: `500ms`,
//! `1.5s`, `0.3`. Nothing here depends on the rest of the crate, so the bounds and the
//! network's errors can print values the way scripts write them.

use crate::clock::Millis;

/// A plain decimal (`0.25`, `3`, `1.5`, `.5`) as all its digits and how many of them follow the
/// point, without the fraction's trailing zeros: `1.25` and `1.250` are `(125, 2)`. Scripts read
/// rates and durations through this, with integer arithmetic, rather than through `f64`'s
/// parser: the values are exact, and the page's wasm does not carry a general float parser and
/// its tables for the two kinds of number a script may hold.
fn parse_decimal(s: &str) -> Option<(u64, u32)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    let mut digits: u64 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        digits = digits.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some((digits, u32::try_from(frac.len()).ok()?))
}

// ---- durations ---------------------------------------------------------------------------------

/// Parses `500ms`, `2s`, `1.5s` or `1m` into milliseconds.
pub fn parse_duration(s: &str) -> Result<Millis, String> {
    let bad = || format!("invalid duration {s:?}: want e.g. 500ms, 2s, 1.5s or 1m");
    let (num, unit): (&str, u128) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000)
    } else {
        return Err(bad());
    };
    let (digits, places) = parse_decimal(num).ok_or_else(bad)?;
    // A whole number of milliseconds, at most 10^15 (about 31,000 years).
    let scale = 10u128.checked_pow(places).ok_or_else(bad)?;
    let scaled = u128::from(digits) * unit;
    if scaled % scale != 0 || scaled / scale > 1_000_000_000_000_000 {
        return Err(bad());
    }
    Millis::try_from(scaled / scale).map_err(|_| bad())
}

/// Milliseconds the way scripts write them: whole seconds as `2s`, anything else as `1500ms`.
pub fn format_duration(ms: Millis) -> String {
    if ms > 0 && (ms / 1000) * 1000 == ms {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

// ---- rates ------------------------------------------------------------------------------------

/// The powers of ten that are exact doubles.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A rate the way scripts write it: the shortest decimal that [`parse_rate`] reads back as the
/// very same number (`0.3`, `1`, `0.05`), which is also what `{}` prints for it. Like the parser
/// it works on integers, so the page's wasm needs no float printer. A number that no decimal of
/// up to 22 places and 2^53 digits gives exactly (none that a script or the page makes) is
/// printed rounded to 22 places.
pub fn format_rate(r: f64) -> String {
    if r.is_nan() {
        return "NaN".to_string();
    }
    let sign = if r.is_sign_negative() && r != 0.0 {
        "-"
    } else {
        ""
    };
    let r = r.abs();
    if r.is_infinite() {
        return format!("{sign}inf");
    }
    let exact = |places: usize| {
        let m = (r * POW10[places]).round();
        (m <= (1u64 << 53) as f64 && m / POW10[places] == r).then_some(m as u64)
    };
    let (mut digits, mut places) = (0..POW10.len())
        .find_map(|p| exact(p).map(|m| (m, p)))
        .unwrap_or_else(|| {
            // Seventeen significant digits (as many as a double has), or 22 places.
            let places = (0..POW10.len())
                .find(|&p| r * POW10[p] >= 1e16)
                .unwrap_or(POW10.len() - 1);
            ((r * POW10[places]).round() as u64, places)
        });
    // Trailing zeros of the fallback say nothing.
    while places > 0 && digits % 10 == 0 {
        digits /= 10;
        places -= 1;
    }
    let text = format!("{digits:0>width$}", width = places + 1);
    let (int, frac) = text.split_at(text.len() - places);
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// A probability written as a decimal between 0 and 1 (`0.3`, `1`, `.05`). It is the `f64`
/// nearest the decimal, exactly what `str::parse` gives: with at most 2^53 as the digits and
/// 10^22 as the divisor, both are exact doubles and one correctly rounded division is the
/// nearest double to their quotient.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let plain =
        s.bytes().any(|b| b.is_ascii_digit()) && s.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let bad = || {
        if plain && s.bytes().filter(|&b| b == b'.').count() <= 1 {
            format!("rate {s:?} has more digits than can be kept exactly (15 at most)")
        } else {
            format!("invalid rate {s:?}: want a decimal between 0 and 1, e.g. 0.3")
        }
    };
    let (digits, places) = parse_decimal(s).ok_or_else(bad)?;
    let divisor = POW10.get(places as usize).ok_or_else(bad)?;
    if digits > 1 << 53 {
        return Err(bad());
    }
    let v = digits as f64 / divisor;
    if v > 1.0 {
        return Err(format!("rate {s} is not between 0 and 1"));
    }
    Ok(v)
}
