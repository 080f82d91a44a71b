//! The page's components, rendered in a real (headless) browser on the sample driver.

use std::time::Duration;

use cluster::view::{ClusterView, NodeView, Role};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web::app::{App, AppProps};
use web::command::Command;
use web::driver::{Driver, DriverHandle};
use web_sys::{Element, HtmlElement, KeyboardEvent, KeyboardEventInit, MouseEvent, MouseEventInit};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

/// Lets yew's scheduler run the renders a change queued.
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(30)).await;
}

/// Mounts the app into a fresh element and lets yew render.
async fn mount() -> Element {
    let host = document()
        .create_element("div")
        .expect("create a host element");
    document()
        .body()
        .expect("a body")
        .append_child(&host)
        .expect("attach the host");
    yew::Renderer::<web::app::App>::with_root(host.clone()).render();
    settle().await;
    host
}

fn find(host: &Element, selector: &str) -> Element {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

fn count(host: &Element, selector: &str) -> u32 {
    host.query_selector_all(selector).unwrap().length()
}

fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default()
}

/// A bubbling click, which works on SVG groups as well as on buttons (yew listens at the root).
async fn click(el: &Element) {
    let init = MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    el.dispatch_event(&event).unwrap();
    settle().await;
}

async fn press(key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    document().dispatch_event(&event).unwrap();
    settle().await;
}

#[wasm_bindgen_test]
async fn app_renders_title_and_cluster_area() {
    let host = mount().await;
    let title = find(&host, "h1.title");
    assert_eq!(title.text_content().as_deref(), Some("Raft Playground"));
    let cluster = find(&host, "section.cluster");
    assert_eq!(
        cluster.get_attribute("aria-label").as_deref(),
        Some("Cluster diagram")
    );
}

#[wasm_bindgen_test]
async fn the_sample_cluster_draws_five_nodes_and_marks_its_leader() {
    let host = mount().await;
    assert_eq!(count(&host, "g.node"), 5);
    assert_eq!(count(&host, "g.node.role-leader"), 1);
    let leader = find(&host, "g.node.role-leader");
    assert_eq!(leader.get_attribute("data-node").as_deref(), Some("1"));
    let label = leader.get_attribute("aria-label").unwrap_or_default();
    assert!(label.starts_with("Node 1: Leader, term 3"), "{label}");
    // The leader is drawn as a hexagon, not only in another colour.
    assert_eq!(count(&leader, "polygon.body"), 1);
    // Node 5 is the one cut off from the majority.
    assert_eq!(count(&host, "g.node.cut-off"), 1);
    assert!(find(&host, "g.node.cut-off")
        .get_attribute("aria-label")
        .unwrap_or_default()
        .contains("partitioned"));
    // Every message in flight is on the diagram, and a log row exists per node.
    assert_eq!(count(&host, "g.msg"), 6);
    assert_eq!(count(&host, "g.msg.rejected"), 1);
    assert_eq!(count(&host, ".log-row:not(.head)"), 5);
    assert_eq!(count(&host, ".cell.conflict"), 1);
    assert!(find(&host, ".sample-badge").text_content().is_some());
}

#[wasm_bindgen_test]
async fn selecting_a_node_shows_its_ready() {
    let host = mount().await;
    // The leader is selected at first, so the first look already shows a Ready.
    let ready = find(&host, ".inspector section.ready");
    assert!(text(&ready).contains("HardState"));
    assert!(text(&ready).contains("Term:3 Vote:1 Commit:7"));

    click(&find(&host, "g.node[data-node='5']")).await;
    let inspector = find(&host, ".inspector");
    assert!(text(&find(&inspector, "h2")).contains("Node 5"));
    let ready = text(&find(&inspector, "section.ready"));
    for field in [
        "SoftState",
        "HardState",
        "Entries",
        "Snapshot",
        "MustSync",
        "Messages",
        "CommittedEntries",
        "ReadStates",
    ] {
        assert!(ready.contains(field), "the Ready shows {field}");
    }
    assert!(ready.contains("Lead:0 State:StatePreCandidate"));
    assert!(ready.contains("5->1 MsgPreVote Term:4 Log:2/5"));
    // A follower has no Progress table; the leader has one row per peer.
    assert_eq!(count(&inspector, "section.progress"), 0);
    click(&find(&host, "g.node[data-node='1']")).await;
    assert_eq!(count(&host, ".inspector section.progress tbody tr"), 5);
}

#[wasm_bindgen_test]
async fn the_ready_steps_run_one_at_a_time() {
    let host = mount().await;
    let step = |name: &str| {
        find(
            &host,
            &format!("button[aria-label='{name} the Ready of node 1']"),
        )
        .dyn_into::<HtmlElement>()
        .unwrap()
    };
    assert_eq!(
        count(&host, ".log-row .cell.unstable"),
        1,
        "entry 8 of node 1"
    );
    assert!(
        step("advance").has_attribute("disabled"),
        "nothing is done yet"
    );
    step("persist").click();
    settle().await;
    assert_eq!(
        count(&host, ".log-row .cell.unstable"),
        0,
        "entry 8 is on disk"
    );
    assert!(step("persist").has_attribute("disabled"));
    step("send").click();
    settle().await;
    step("apply").click();
    settle().await;
    assert!(!step("advance").has_attribute("disabled"));
    step("advance").click();
    settle().await;
    assert!(text(&find(&host, ".inspector section.ready")).contains("No Ready pending"));
    assert_eq!(count(&host, "g.node[data-node='1'] .ready-badge"), 0);
}

#[wasm_bindgen_test]
async fn a_message_opens_whole_and_can_be_dropped() {
    let host = mount().await;
    click(&find(&host, "g.msg[data-message='42']")).await;
    let inspector = find(&host, ".inspector");
    assert!(text(&inspector).contains("MsgApp"));
    assert!(text(&find(&inspector, "pre.describe")).starts_with("1->3 MsgApp Term:3"));
    let drop = find(&inspector, "button[aria-label='Drop message 42']")
        .dyn_into::<HtmlElement>()
        .unwrap();
    drop.click();
    settle().await;
    assert_eq!(count(&host, "g.msg[data-message='42']"), 0);
    assert!(text(&find(&host, ".inspector")).contains("No longer in flight"));
}

#[wasm_bindgen_test]
async fn a_refused_command_shows_why() {
    let host = mount().await;
    click(&find(&host, "g.node[data-node='2']")).await;
    find(&host, "button[aria-label='campaign node 2']")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    let banner = find(&host, ".error-banner");
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    assert!(
        text(&banner).starts_with("!campaign 2: "),
        "{}",
        text(&banner)
    );
    find(&banner, "button")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    assert_eq!(count(&host, ".error-banner"), 0);
}

#[wasm_bindgen_test]
async fn question_mark_opens_the_shortcuts_and_escape_closes_them() {
    let host = mount().await;
    assert_eq!(count(&host, "[role='dialog']"), 0);
    press("?").await;
    let dialog = find(&host, "[role='dialog']");
    assert!(text(&dialog).contains("play / pause"));
    press("Escape").await;
    assert_eq!(count(&host, "[role='dialog']"), 0);
}

#[wasm_bindgen_test]
async fn the_step_buttons_move_the_cluster() {
    let host = mount().await;
    let clock = || text(&find(&host, ".clock"));
    assert_eq!(clock(), "t = 4.230 s");
    find(&host, "button[aria-label='Step one tick']")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    assert_eq!(clock(), "t = 4.300 s", "to the next 100 ms tick");
    let before = count(&host, "g.msg");
    find(&host, "button[aria-label='Deliver the next message']")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    assert_ne!(count(&host, "g.msg"), before);
}

/// A driver that shows a fixed view and refuses every command: enough to check that the page
/// draws whatever a driver hands it.
struct FixedDriver(ClusterView);

impl Driver for FixedDriver {
    fn view(&self) -> ClusterView {
        self.0.clone()
    }
    fn apply(&mut self, cmd: &Command) -> Result<(), String> {
        Err(format!("fixed view: {cmd} ignored"))
    }
}

#[wasm_bindgen_test]
async fn any_driver_can_fill_the_page_nine_nodes_included() {
    let mut view = cluster::view::demo();
    view.nodes = (1..=9)
        .map(|id| NodeView {
            id,
            role: if id == 4 {
                Role::Learner
            } else {
                Role::Candidate
            },
            term: 2,
            crashed: id == 9,
            ..NodeView::default()
        })
        .collect();
    view.messages.clear();
    view.links.clear();
    view.leader = None;
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let driver = DriverHandle::new(FixedDriver(view));
    yew::Renderer::<App>::with_root_and_props(
        host.clone(),
        AppProps {
            driver: Some(driver),
        },
    )
    .render();
    settle().await;
    assert_eq!(count(&host, "g.node"), 9);
    assert_eq!(
        count(&host, "g.node.role-candidate"),
        8,
        "the crashed one too"
    );
    assert_eq!(count(&host, "g.node.role-learner"), 1);
    assert_eq!(count(&host, "g.node.crashed"), 1);
    assert_eq!(
        count(&host, ".sample-badge"),
        0,
        "a real driver is not sample data"
    );
    // With no leader nothing is selected, and the inspector offers the nodes instead.
    assert_eq!(count(&host, ".inspector .node-picker button"), 9);
}

#[wasm_bindgen_test]
async fn play_runs_virtual_time_until_paused() {
    let host = mount().await;
    let clock = || text(&find(&host, ".clock"));
    let play = find(&host, "button.play")
        .dyn_into::<HtmlElement>()
        .unwrap();
    assert_eq!(play.get_attribute("aria-label").as_deref(), Some("Play"));
    play.click();
    yew::platform::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(play.get_attribute("aria-label").as_deref(), Some("Pause"));
    let running = clock();
    assert_ne!(running, "t = 4.230 s", "time moved at 1/10×");
    play.click();
    settle().await;
    let paused = clock();
    yew::platform::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(clock(), paused, "and stops when paused");
}

#[wasm_bindgen_test]
fn the_panic_banner_replaces_a_dead_page() {
    assert!(!web::panic::has_panicked());
    web::panic::show_banner("panicked at src/app.rs:1:1: boom");
    let banner = document()
        .get_element_by_id(web::panic::BANNER_ID)
        .expect("a banner");
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    assert!(text(&banner).contains("boom"));
    assert!(
        banner.query_selector("a[href]").unwrap().is_some(),
        "a reload link"
    );
    // A second panic updates the same banner rather than stacking another.
    web::panic::show_banner("again");
    assert_eq!(
        document()
            .query_selector_all(&format!("#{}", web::panic::BANNER_ID))
            .unwrap()
            .length(),
        1
    );
    banner.remove();
}
