//! The Raft Playground page. It draws the virtual cluster and sends it commands; it holds no Raft
//! or simulation logic of its own (that lives in the `raft` and `cluster` crates).

pub mod app;

/// Installs the panic hook and mounts the app. A panic in wasm would otherwise leave a dead page
/// with nothing but a console message; the hook at least reports it, and `app` shows a banner.
pub fn start() {
    console_error_panic_hook::set_once();
    yew::Renderer::<app::App>::new().render();
}
