//! The Raft Playground page. It draws the virtual cluster from a plain-data view
//! ([`cluster::view::ClusterView`]) and sends it script commands through a [`driver::Driver`];
//! it holds no Raft or simulation logic of its own (that lives in the `raft` and `cluster`
//! crates).
//!
//! - `state`: the single page state and its reducer; `command`: the script vocabulary.
//! - `driver`: the seam to the cluster; `cluster_driver`: the virtual cluster behind it, with
//!   time travel; `demo_driver`: hand-written sample data, for tests.
//! - `components/`: one yew function component per file.
//! - `geometry`, `palette`, `keys`: drawing arithmetic, colours and shapes, shortcuts.
//! - `frames`, `perf`: the play loop's animation frames and their timing.
//! - `panic`: the banner that replaces a dead page after a panic.

pub mod app;
pub mod cluster_driver;
pub mod command;
pub mod components;
pub mod demo_driver;
pub mod driver;
pub mod frames;
pub mod geometry;
pub mod keys;
pub mod palette;
pub mod panic;
pub mod perf;
pub mod persist;
pub mod scenario_text;
pub mod scenarios;
pub mod state;

use wasm_bindgen::JsValue;

/// The page's URL query (`?nodes=7&seed=3`), or nothing.
fn query() -> String {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("location")).ok())
        .and_then(|l| js_sys::Reflect::get(&l, &JsValue::from_str("search")).ok())
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// Installs the panic hook and mounts the app on a cluster set up from the URL
/// (see [`cluster_driver::Setup::from_query`]), playing unless the query says `paused`. The
/// hook goes first: yew installs its own when it mounts unless one was set through it.
pub fn start() {
    panic::install();
    let q = query();
    let setup = cluster_driver::Setup::from_query(&q);
    let paused = q
        .trim_start_matches('?')
        .split('&')
        .any(|p| p == "paused" || p == "paused=1");
    let driver = driver::DriverHandle::new(cluster_driver::ClusterDriver::new(setup));
    yew::Renderer::<app::App>::with_props(app::AppProps {
        driver: Some(driver),
        autoplay: !paused,
    })
    .render();
}
