//! Keeping the script editor's text and seed: autosave to `localStorage`, and sharing in the
//! URL fragment (`#script=<base64url of the UTF-8 text>&seed=<n>`), which never leaves the
//! browser, so sharing needs no server.
//!
//! The encodings are pure functions (tested natively); the few functions that touch the browser
//! come after them. Nothing read back from storage or a URL is trusted: anything malformed is
//! ignored with a console warning, never a panic.

use std::fmt;

/// The `localStorage` key the page's editor uses.
pub const DEFAULT_KEY: &str = "raft-playground.script";

/// The largest script accepted from a URL, a stored value or an imported file (1 MiB): far
/// beyond any scenario, small enough that a hostile link cannot stall the page.
pub const MAX_SCRIPT_BYTES: usize = 1 << 20;

/// The first line of a stored value; a different first line is an old or foreign format.
const STORED_MAGIC: &str = "raft-playground script v1";

/// What the editor keeps: its text and the seed the script runs with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Saved {
    pub text: String,
    pub seed: u64,
}

/// Why stored or shared data was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Corrupt(pub String);

impl fmt::Display for Corrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn corrupt(msg: impl Into<String>) -> Corrupt {
    Corrupt(msg.into())
}

// ---- base64url (RFC 4648 §5, no padding) --------------------------------------------------------

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// base64url without padding: URL-safe as it is, so it needs no percent-encoding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url, with or without `=` padding. Standard base64's `+` and `/` are accepted
/// too, since a link may have passed through a tool that "fixed" it.
pub fn base64url_decode(s: &str) -> Result<Vec<u8>, Corrupt> {
    let normalized: String = s
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    URL_SAFE_NO_PAD
        .decode(normalized)
        .map_err(|e| corrupt(format!("not base64url: {e}")))
}

// ---- the stored value --------------------------------------------------------------------------

/// The value kept in `localStorage`: a magic line, `seed N`, then the text as it is.
pub fn encode_stored(saved: &Saved) -> String {
    format!("{STORED_MAGIC}\nseed {}\n{}", saved.seed, saved.text)
}

pub fn decode_stored(value: &str) -> Result<Saved, Corrupt> {
    let rest = value
        .strip_prefix(STORED_MAGIC)
        .and_then(|r| r.strip_prefix('\n'))
        .ok_or_else(|| corrupt("not a saved script (unknown format)"))?;
    let (seed_line, text) = rest
        .split_once('\n')
        .ok_or_else(|| corrupt("saved script is cut short"))?;
    let seed = seed_line
        .strip_prefix("seed ")
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or_else(|| corrupt(format!("saved script has a bad seed line {seed_line:?}")))?;
    if text.len() > MAX_SCRIPT_BYTES {
        return Err(corrupt("saved script is too large"));
    }
    Ok(Saved {
        text: text.to_string(),
        seed,
    })
}

// ---- the URL fragment --------------------------------------------------------------------------

/// `script=<base64url>&seed=<n>`, without the `#`.
pub fn encode_fragment(saved: &Saved) -> String {
    format!(
        "script={}&seed={}",
        base64url_encode(saved.text.as_bytes()),
        saved.seed
    )
}

/// The `key=value` pairs of a fragment (a leading `#` is skipped; empty parts are dropped).
fn fragment_pairs(hash: &str) -> impl Iterator<Item = (&str, &str)> {
    hash.strip_prefix('#')
        .unwrap_or(hash)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// Reads a shared script from a URL fragment (`location.hash`, with or without its `#`).
/// `Ok(None)`: the fragment carries no script (the page may use it for something else).
/// `seed` may be missing, and then `default_seed` is used; a malformed one is an error, since
/// the same script with another seed is another run.
pub fn decode_fragment(hash: &str, default_seed: u64) -> Result<Option<Saved>, Corrupt> {
    let mut script = None;
    let mut seed = None;
    for (k, v) in fragment_pairs(hash) {
        match k {
            "script" => script = Some(v),
            "seed" => seed = Some(v),
            _ => {}
        }
    }
    let Some(encoded) = script else {
        return Ok(None);
    };
    // Four base64 characters carry three bytes: refuse before decoding anything huge.
    if encoded.len() / 4 * 3 > MAX_SCRIPT_BYTES {
        return Err(corrupt("shared script is too large"));
    }
    let bytes = base64url_decode(encoded)?;
    let text = String::from_utf8(bytes).map_err(|_| corrupt("shared script is not UTF-8 text"))?;
    let seed = match seed {
        None => default_seed,
        Some(s) => s
            .parse::<u64>()
            .map_err(|_| corrupt(format!("shared seed {s:?} is not a number")))?,
    };
    Ok(Some(Saved { text, seed }))
}

/// The fragment without the editor's keys (`script`, `seed`), other keys kept in order; empty
/// when nothing else was there.
pub fn strip_fragment(hash: &str) -> String {
    fragment_pairs(hash)
        .filter(|(k, _)| *k != "script" && *k != "seed")
        .map(|(k, v)| {
            if v.is_empty() {
                k.to_string()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether a fragment carries a shared script.
pub fn has_shared_script(hash: &str) -> bool {
    fragment_pairs(hash).any(|(k, _)| k == "script")
}

/// The seed a recorded session names in its first line (`# Recorded session; replay with seed
/// 42.`), so that "use as script" keeps the seed the session ran with.
pub fn recorded_seed(script: &str) -> Option<u64> {
    let first = script.lines().next()?;
    let rest = first.split("with seed ").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

// ---- the browser -------------------------------------------------------------------------------

/// A console warning (standard error off the browser, where the native tests run).
pub fn warn(message: &str) {
    #[cfg(target_arch = "wasm32")]
    web_sys::console::warn_1(&format!("raft playground: {message}").into());
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("raft playground: {message}");
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The text stored under `key` as it is (nothing where there is no storage).
pub fn load_text(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

/// Stores `value` under `key`; quietly nothing where storage is off or full (what is kept
/// this way is a convenience, not the person's work).
pub fn save_text(key: &str, value: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(key, value);
    }
}

/// The script saved under `key`, if there is a usable one (a corrupt one is warned about and
/// ignored).
pub fn load_stored(key: &str) -> Option<Saved> {
    let value = local_storage()?.get_item(key).ok().flatten()?;
    match decode_stored(&value) {
        Ok(saved) => Some(saved),
        Err(e) => {
            warn(&format!("ignoring the saved script under {key:?}: {e}"));
            None
        }
    }
}

/// Saves the script under `key`. Fails when storage is off or full (private windows, quotas).
pub fn save_stored(key: &str, saved: &Saved) -> Result<(), String> {
    let storage = local_storage().ok_or("this browser keeps no local storage here")?;
    storage
        .set_item(key, &encode_stored(saved))
        .map_err(|_| "local storage refused the script (full or disabled)".to_string())
}

/// Forgets what is saved under `key` (nothing happens where there is no storage).
pub fn remove_stored(key: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(key);
    }
}

/// The page's URL fragment, `#` included (empty when there is none).
pub fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The shared script in the page's URL, if any (a corrupt one is warned about and ignored).
pub fn load_from_url(default_seed: u64) -> Option<Saved> {
    match decode_fragment(&current_hash(), default_seed) {
        Ok(found) => found,
        Err(e) => {
            warn(&format!("ignoring the script in the link: {e}"));
            None
        }
    }
}

/// Replaces the address bar's fragment without reloading, adding to the history or firing
/// `hashchange`. `None` removes the editor's keys and keeps any others.
pub fn set_url_script(saved: Option<&Saved>) -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let others = strip_fragment(&location.hash().ok()?);
    let mut fragment = saved.map(encode_fragment).unwrap_or_default();
    if !others.is_empty() {
        if !fragment.is_empty() {
            fragment.push('&');
        }
        fragment.push_str(&others);
    }
    let base = format!("{}{}", location.pathname().ok()?, location.search().ok()?);
    let url = if fragment.is_empty() {
        base
    } else {
        format!("{base}#{fragment}")
    };
    window
        .history()
        .ok()?
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        .ok()?;
    Some(format!("{}{url}", location.origin().ok()?))
}

/// Where the editor's first text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A shared link (it wins over storage).
    Url,
    /// The autosave.
    Storage,
    /// Nothing usable was found.
    Empty,
}

/// What the editor starts with: the link's script if the URL carries one, else the autosave,
/// else nothing. `displaced` is the autosave a link replaced (when different), so the editor
/// can offer it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Initial {
    pub saved: Saved,
    pub source: Source,
    pub displaced: Option<Saved>,
}

/// Chooses the first text, as [`Initial`] describes.
pub fn choose_initial(
    from_url: Option<Saved>,
    from_storage: Option<Saved>,
    default_seed: u64,
) -> Initial {
    match (from_url, from_storage) {
        (Some(url), stored) => Initial {
            displaced: stored.filter(|s| *s != url && !s.text.trim().is_empty()),
            saved: url,
            source: Source::Url,
        },
        (None, Some(stored)) => Initial {
            saved: stored,
            source: Source::Storage,
            displaced: None,
        },
        (None, None) => Initial {
            saved: Saved {
                text: String::new(),
                seed: default_seed,
            },
            source: Source::Empty,
            displaced: None,
        },
    }
}

/// [`choose_initial`] on the page's URL (when `use_url`) and the autosave under `key`.
pub fn load_initial(key: &str, default_seed: u64, use_url: bool) -> Initial {
    let from_url = if use_url {
        load_from_url(default_seed)
    } else {
        None
    };
    choose_initial(from_url, load_stored(key), default_seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(text: &str, seed: u64) -> Saved {
        Saved {
            text: text.into(),
            seed,
        }
    }

    #[test]
    fn base64url_matches_rfc_4648_vectors() {
        // RFC 4648 §10, in the URL alphabet and without padding.
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url_encode(plain.as_bytes()), enc);
            assert_eq!(base64url_decode(enc).unwrap(), plain.as_bytes());
        }
        // The URL alphabet's last two digits, and padding tolerated on the way in.
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url_decode("-_8=").unwrap(), [0xfb, 0xff]);
        assert_eq!(base64url_decode("+/8").unwrap(), [0xfb, 0xff]);
    }

    #[test]
    fn base64url_round_trips_every_byte_and_length() {
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in 0..bytes.len() {
            let enc = base64url_encode(&bytes[..len]);
            assert!(enc
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
            assert_eq!(base64url_decode(&enc).unwrap(), &bytes[..len]);
        }
    }

    #[test]
    fn base64url_rejects_garbage() {
        assert!(base64url_decode("Zm9v!").is_err());
        assert!(base64url_decode("Z").is_err(), "one digit carries no byte");
        assert!(base64url_decode("Zm9vY").is_err());
        assert!(base64url_decode("Zm 9v").is_err());
        assert!(base64url_decode("é").is_err());
    }

    #[test]
    fn fragments_round_trip() {
        for s in [
            saved("", 0),
            saved("cluster 3\nrun-until leader max=5s\nexpect safe\n", 42),
            saved(
                "# ünïcödé ✓ and & = # % ? characters\r\nput 1 x=5\n",
                u64::MAX,
            ),
            saved("\n\n\t  \n", 7),
        ] {
            let frag = encode_fragment(&s);
            assert!(!frag.contains(['#', ' ', '\n', '%', '?']), "{frag}");
            assert_eq!(decode_fragment(&frag, 1).unwrap(), Some(s.clone()));
            assert_eq!(decode_fragment(&format!("#{frag}"), 1).unwrap(), Some(s));
        }
    }

    #[test]
    fn fragments_without_a_script_are_someone_elses() {
        assert_eq!(decode_fragment("", 3).unwrap(), None);
        assert_eq!(decode_fragment("#", 3).unwrap(), None);
        assert_eq!(decode_fragment("#node=3&help", 3).unwrap(), None);
        assert!(!has_shared_script("#seed=4"));
        assert!(has_shared_script("#a=1&script=Zg"));
    }

    #[test]
    fn fragments_tolerate_order_other_keys_and_a_missing_seed() {
        let got = decode_fragment("#seed=9&view=logs&script=Zm9v", 1).unwrap();
        assert_eq!(got, Some(saved("foo", 9)));
        let got = decode_fragment("script=Zm9v", 5).unwrap();
        assert_eq!(got, Some(saved("foo", 5)), "the default seed");
        assert_eq!(
            decode_fragment("script=", 5).unwrap(),
            Some(saved("", 5)),
            "an empty script is a script"
        );
    }

    #[test]
    fn bad_fragments_are_errors_not_panics() {
        for bad in [
            "#script=Zm9v!&seed=1",
            "#script=Z",
            "#script=Zm9v&seed=-1",
            "#script=Zm9v&seed=1e3",
            "#script=Zm9v&seed=18446744073709551616",
            "#script=Zm9v&seed=",
            // 0xff is not UTF-8.
            "#script=_w",
        ] {
            assert!(decode_fragment(bad, 0).is_err(), "{bad}");
        }
        let huge = format!("#script={}", "A".repeat(MAX_SCRIPT_BYTES / 3 * 4 + 8));
        assert!(decode_fragment(&huge, 0).is_err());
    }

    #[test]
    fn stripping_keeps_other_keys() {
        assert_eq!(strip_fragment("#script=Zm9v&seed=3"), "");
        assert_eq!(
            strip_fragment("#node=2&script=Zm9v&seed=3&help"),
            "node=2&help"
        );
        assert_eq!(strip_fragment(""), "");
    }

    #[test]
    fn stored_values_round_trip() {
        for s in [
            saved("", 0),
            saved("cluster 5\n", 1),
            saved("seed 4\nraft-playground script v1\n\n", u64::MAX),
            saved("no final newline", 12345),
        ] {
            assert_eq!(decode_stored(&encode_stored(&s)).unwrap(), s);
        }
    }

    #[test]
    fn corrupt_stored_values_are_errors_not_panics() {
        for bad in [
            "",
            "cluster 3\n",
            "raft-playground script v1",
            "raft-playground script v1\n",
            "raft-playground script v1\nseed 12",
            "raft-playground script v1\nseed x\ncluster 3\n",
            "raft-playground script v1\nseed -1\ncluster 3\n",
            "raft-playground script v2\nseed 1\ncluster 3\n",
            "{\"text\":\"cluster 3\",\"seed\":1}",
        ] {
            assert!(decode_stored(bad).is_err(), "{bad:?}");
        }
        let huge = format!(
            "raft-playground script v1\nseed 1\n{}",
            "x".repeat(MAX_SCRIPT_BYTES + 1)
        );
        assert!(decode_stored(&huge).is_err());
    }

    #[test]
    fn a_link_wins_over_the_autosave_and_keeps_it_aside() {
        let url = saved("cluster 3\n", 1);
        let mine = saved("cluster 5\n", 2);
        let i = choose_initial(Some(url.clone()), Some(mine.clone()), 0);
        assert_eq!(i.source, Source::Url);
        assert_eq!(i.saved, url);
        assert_eq!(i.displaced, Some(mine.clone()));
        // Opening the same link again displaces nothing; neither does an empty editor.
        let i = choose_initial(Some(url.clone()), Some(url.clone()), 0);
        assert_eq!(i.displaced, None);
        let i = choose_initial(Some(url.clone()), Some(saved("  \n", 3)), 0);
        assert_eq!(i.displaced, None);
        let i = choose_initial(None, Some(mine.clone()), 0);
        assert_eq!((i.source, i.saved), (Source::Storage, mine));
        let i = choose_initial(None, None, 77);
        assert_eq!((i.source, i.saved), (Source::Empty, saved("", 77)));
    }

    #[test]
    fn recorded_sessions_name_their_seed() {
        assert_eq!(
            recorded_seed("# Recorded session; replay with seed 42.\ncluster 3\n"),
            Some(42)
        );
        assert_eq!(recorded_seed("cluster 3\n"), None);
        assert_eq!(recorded_seed(""), None);
        assert_eq!(recorded_seed("# replay with seed x.\n"), None);
    }
}
