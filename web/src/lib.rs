//! The Raft Playground page. It draws the virtual cluster from a plain-data view
//! ([`cluster::view::ClusterView`]) and sends it script commands through a [`driver::Driver`];
//! it holds no Raft or simulation logic of its own (that lives in the `raft` and `cluster`
//! crates).
//!
//! - `state`: the single page state and its reducer; the commands it sends are the cluster's
//!   own (`cluster::command::Command`).
//! - `driver`: the seam to the cluster; `cluster_driver`: the virtual cluster behind it, with
//!   time travel.
//! - `components/`: one yew function component per file.
//! - `geometry`, `palette`, `keys`: drawing arithmetic, colours and shapes, shortcuts.
//! - `frames`, `perf`: the play loop's animation frames and their timing.
//! - `panic`: the banner that replaces a dead page after a panic; `recovery`: the last good
//!   state it offers back.

pub mod app;
pub mod cluster_driver;
pub mod components;
pub mod course;
pub mod download;
pub mod driver;
pub mod frames;
pub mod geometry;
pub mod keys;
pub mod lesson_progress;
pub mod palette;
pub mod panic;
pub mod perf;
pub mod persist;
pub mod recovery;
pub mod scenario_text;
pub mod scenarios;
pub mod state;

/// A fixed cluster picture for component tests (test data, kept out of `src/`).
#[cfg(test)]
#[path = "../../tests/fixtures/demo_view.rs"]
mod demo_view;

use std::collections::{BTreeMap, BTreeSet};

use wasm_bindgen::JsValue;

/// A map built by inserting pairs one by one. `collect()` sorts the pairs first, which puts a
/// sort routine into the wasm for every key and value type; the page's maps hold a handful of
/// entries, so inserting costs nothing and keeps the page smaller.
pub fn map_from<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        map.insert(k, v);
    }
    map
}

/// A set built by inserting, for the same reason as [`map_from`].
pub fn set_from<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for item in items {
        set.insert(item);
    }
    set
}

/// The page's URL query (`?nodes=7&seed=3`), or nothing.
fn query() -> String {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("location")).ok())
        .and_then(|l| js_sys::Reflect::get(&l, &JsValue::from_str("search")).ok())
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// Installs the panic hook and mounts the app on a cluster set up from the URL
/// (see [`cluster_driver::Setup::from_query`]), playing unless the query says `paused`, or on
/// the session saved by a panic when the query says `restore` (see [`recovery`]). The
/// hook goes first: yew installs its own when it mounts unless one was set through it.
pub fn start() {
    panic::install();
    let q = query();
    let setup = cluster_driver::Setup::from_query(&q);
    let paused = q
        .trim_start_matches('?')
        .split('&')
        .any(|p| p == "paused" || p == "paused=1");
    let restore = recovery::requested(&q)
        .then(|| recovery::take_saved(&q))
        .flatten();
    // `?lesson=N` opens lesson N of the course; a shared `#lesson=` link, a lesson of one's own.
    let mut link_error = None;
    let lesson = match course::from_hash(&persist::current_hash()) {
        Ok(Some(own)) => Some(own),
        Ok(None) => course::from_query(&q),
        Err(e) => {
            link_error = Some(e);
            course::from_query(&q)
        }
    };
    let paused = paused || lesson.is_some();
    let driver = driver::DriverHandle::new(cluster_driver::ClusterDriver::new(setup));
    yew::Renderer::<app::App>::with_props(app::AppProps {
        driver: Some(driver),
        autoplay: !paused && restore.is_none(),
        restore,
        lesson,
        link_error,
    })
    .render();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_and_sets_built_by_inserting_are_what_collect_builds() {
        let pairs = [(3, "c"), (1, "a"), (3, "z"), (2, "b")];
        let collected: BTreeMap<i32, &str> = pairs.into_iter().collect();
        assert_eq!(map_from(pairs), collected);
        assert_eq!(
            map_from(pairs)[&3],
            "z",
            "a repeated key keeps its last value"
        );
        let items = [5, 1, 5, 3];
        assert_eq!(set_from(items), items.into_iter().collect::<BTreeSet<_>>());
        assert!(map_from(Vec::<(u8, u8)>::new()).is_empty());
    }
}
