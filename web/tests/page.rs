//! The page's components, rendered in a real (headless) browser.

use std::time::Duration;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app into a fresh element and lets yew render.
async fn mount() -> web_sys::Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document");
    let host = document
        .create_element("div")
        .expect("create a host element");
    document
        .body()
        .expect("a body")
        .append_child(&host)
        .expect("attach the host");
    yew::Renderer::<web::app::App>::with_root(host.clone()).render();
    yew::platform::time::sleep(Duration::from_millis(50)).await;
    host
}

#[wasm_bindgen_test]
async fn app_renders_title_and_cluster_area() {
    let host = mount().await;
    let title = host.query_selector("h1.title").unwrap().expect("a title");
    assert_eq!(title.text_content().as_deref(), Some("Raft Playground"));
    let cluster = host
        .query_selector("section.cluster")
        .unwrap()
        .expect("the cluster area");
    assert_eq!(
        cluster.get_attribute("aria-label").as_deref(),
        Some("Cluster diagram")
    );
}
