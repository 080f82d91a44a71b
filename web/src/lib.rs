//! The Raft Playground page. It draws the virtual cluster from a plain-data view
//! ([`cluster::view::ClusterView`]) and sends it script commands through a [`driver::Driver`];
//! it holds no Raft or simulation logic of its own (that lives in the `raft` and `cluster`
//! crates).
//!
//! - `state`: the single page state and its reducer; `command`: the script vocabulary.
//! - `driver`: the seam to the cluster; `demo_driver`: sample data until the cluster is wired.
//! - `components/`: one yew function component per file.
//! - `geometry`, `palette`, `keys`: drawing arithmetic, colours and shapes, shortcuts.
//! - `panic`: the banner that replaces a dead page after a panic.

pub mod app;
pub mod command;
pub mod components;
pub mod demo_driver;
pub mod driver;
pub mod geometry;
pub mod keys;
pub mod palette;
pub mod panic;
pub mod state;

/// Installs the panic hook and mounts the app. The hook goes first: yew installs its own when it
/// mounts unless one was set through it.
pub fn start() {
    panic::install();
    yew::Renderer::<app::App>::new().render();
}
