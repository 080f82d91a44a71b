//! What the page reads from a scenario file's text: its header fields and its fingerprint.
//!
//! Shared by `web/build.rs` (which reads every built-in file at build time, through `#[path]`)
//! and `web/src/scenarios.rs` (which reads imported files, and checks fetched built-in files, at
//! run time), so both readings always agree.

/// A `# key: value` line of a script's header: the comment lines before its first command.
/// Keys are compared without regard to case; an empty value counts as absent.
pub fn header_field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let comment = line.strip_prefix('#')?;
        if let Some((k, v)) = comment.split_once(':') {
            if k.trim().eq_ignore_ascii_case(key) {
                let v = v.trim();
                return (!v.is_empty()).then_some(v);
            }
        }
    }
    None
}

/// The 64-bit FNV-1a hash of a text. The page keeps only this (and the length) of each built-in
/// scenario, which is enough to tell a fetched file is the one the page was built with, and a
/// scenario left untouched in the editor from a script someone typed.
pub fn fingerprint(text: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    text.bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}
