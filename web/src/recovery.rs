//! Getting back the last good state after a panic.
//!
//! A panic stops the wasm app where it stands: whatever it had borrowed stays borrowed, so
//! nothing in the page may run again (see [`crate::panic`]). What can be saved is the session,
//! because the session is a script: the page keeps the recorded session of the last good state
//! at hand (refreshed after user actions, and about once a second while playing), the panic hook
//! writes it to this tab's `sessionStorage`, and the banner's "Restore" link reloads the page
//! with `?restore`, which replays it. The same seed and script give the same cluster, so the
//! restored page is the one the person had a moment before the bug, with its time-travel history.

use std::cell::{Cell, RefCell};

use crate::persist::{self, Saved};

/// The `sessionStorage` key of the state to restore: per tab, gone with the tab.
pub const KEY: &str = "raft-playground.last-good";

/// The query parameter that asks the page to restore.
pub const PARAM: &str = "restore";

/// How often, in real milliseconds, the remembered state is refreshed while the cluster plays
/// (each refresh turns the session into a script).
pub const PLAYING_REFRESH_MS: f64 = 1000.0;

thread_local! {
    /// The stored form of the last good session ([`persist::encode_stored`]).
    static LAST_GOOD: RefCell<Option<String>> = const { RefCell::new(None) };
    /// When it was last refreshed (real ms), to throttle refreshes while playing.
    static LAST_AT: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
}

/// Whether a remembered state is due: always after a person's action (when not playing), at
/// most every [`PLAYING_REFRESH_MS`] while playing.
pub fn due(playing: bool, now_ms: f64, last_ms: f64) -> bool {
    !playing || now_ms - last_ms >= PLAYING_REFRESH_MS
}

/// Remembers the session given by `script` (called after a render), unless one was remembered
/// less than a second ago while playing. `script` runs only when a refresh is due.
pub fn remember(playing: bool, now_ms: f64, script: impl FnOnce() -> String) {
    if !due(playing, now_ms, LAST_AT.with(Cell::get)) {
        return;
    }
    let text = script();
    let seed = persist::recorded_seed(&text).unwrap_or_default();
    let stored = persist::encode_stored(&Saved { text, seed });
    LAST_AT.with(|t| t.set(now_ms));
    LAST_GOOD.with(|g| {
        if let Ok(mut g) = g.try_borrow_mut() {
            *g = Some(stored);
        }
    });
}

/// Whether there is a state to offer back.
pub fn has_last_good() -> bool {
    LAST_GOOD.with(|g| g.try_borrow().is_ok_and(|g| g.is_some()))
}

/// Writes the remembered state to `sessionStorage` (from the panic hook: nothing here may
/// panic, and a failure only means there is nothing to restore). Returns whether it was saved.
pub fn save_for_restore() -> bool {
    let Some(stored) = LAST_GOOD.with(|g| g.try_borrow().ok().and_then(|g| g.clone())) else {
        return false;
    };
    session_storage().is_some_and(|s| s.set_item(KEY, &stored).is_ok())
}

/// Whether the query (`?restore`, `?nodes=3&restore=1`) asks for a restore.
pub fn requested(query: &str) -> bool {
    query
        .trim_start_matches('?')
        .split('&')
        .any(|p| p == PARAM || p.strip_prefix(PARAM).is_some_and(|v| v.starts_with('=')))
}

/// The query without the restore parameter, `?` included when anything is left.
pub fn without_param(query: &str) -> String {
    let kept: Vec<&str> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !requested(p))
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

/// The state saved by the panic hook, taken out of storage (a restore happens once), and the
/// `restore` parameter taken out of the address bar, so a later reload starts afresh. A corrupt
/// value is warned about and ignored.
pub fn take_saved(query: &str) -> Option<Saved> {
    if let Some(window) = web_sys::window() {
        let location = window.location();
        if let (Ok(path), Ok(hash), Ok(history)) =
            (location.pathname(), location.hash(), window.history())
        {
            let url = format!("{path}{}{hash}", without_param(query));
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
    let storage = session_storage()?;
    let value = storage.get_item(KEY).ok().flatten();
    let _ = storage.remove_item(KEY);
    match persist::decode_stored(&value?) {
        Ok(saved) => Some(saved),
        Err(e) => {
            persist::warn(&format!("nothing to restore: {e}"));
            None
        }
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_is_due_after_every_action_but_once_a_second_while_playing() {
        assert!(due(false, 10.0, 9.0), "paused: every change is a person's");
        assert!(!due(true, 10.0, 9.0));
        assert!(!due(true, 999.0, 0.0));
        assert!(due(true, 1000.0, 0.0));
        assert!(due(true, 0.0, f64::NEG_INFINITY), "the first one is due");
    }

    #[test]
    fn the_restore_parameter_is_found_and_taken_out_alone() {
        assert!(requested("?restore"));
        assert!(requested("?nodes=3&restore=1"));
        assert!(!requested("?restored=1"));
        assert!(!requested("?nodes=3"));
        assert!(!requested(""));
        assert_eq!(without_param("?restore"), "");
        assert_eq!(without_param("?nodes=3&restore&seed=2"), "?nodes=3&seed=2");
        assert_eq!(without_param("?restored=1"), "?restored=1");
        assert_eq!(without_param(""), "");
    }

    #[test]
    fn a_remembered_session_keeps_its_text_and_seed() {
        let script = "# Recorded session; replay with seed 42.\ncluster 3\nrun 1s\n";
        remember(false, 0.0, || script.to_string());
        assert!(has_last_good());
        let stored = LAST_GOOD.with(|g| g.borrow().clone()).unwrap();
        let saved = persist::decode_stored(&stored).unwrap();
        assert_eq!(saved.text, script);
        assert_eq!(saved.seed, 42);
        // While playing, a second refresh within the second is skipped without building text.
        remember(true, 500.0, || {
            panic!("not due: the script must not be built")
        });
        remember(true, 1000.0, || "# with seed 7.\n".to_string());
        let stored = LAST_GOOD.with(|g| g.borrow().clone()).unwrap();
        assert_eq!(persist::decode_stored(&stored).unwrap().seed, 7);
    }
}
