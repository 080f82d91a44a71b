//! The page in a real (headless) browser: against the virtual cluster (the page's own driver),
//! and against a fixed view for what needs a known picture.

use std::time::Duration;

#[path = "../../tests/fixtures/demo_view.rs"]
mod demo_view;

use cluster::command::Command;
use cluster::view::{ClusterView, NodeView, Role};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web::app::{App, AppProps};
use web::cluster_driver::{ClusterDriver, Setup};
use web::driver::{Driver, DriverHandle};
use web_sys::{
    Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlSelectElement, KeyboardEvent,
    KeyboardEventInit, MouseEvent, MouseEventInit,
};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

/// Lets yew's scheduler run the renders a change queued. Its work is split into ~16 ms pieces
/// between which the browser runs, so a sleep alone can end before a big render on a loaded
/// machine: the flush waits until the scheduler's queue is empty.
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(30)).await;
    yew::scheduler::flush().await;
}

thread_local! {
    static BUSY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// One test at a time. The browser runner polls async tests concurrently, and every page
/// listens for shortcuts on the whole document: one test's Escape would dismiss another's
/// error banner. A test holds this for as long as its page is mounted.
struct Serial;

impl Drop for Serial {
    fn drop(&mut self) {
        BUSY.with(|b| b.set(false));
    }
}

async fn serial() -> Serial {
    loop {
        if !BUSY.with(|b| b.replace(true)) {
            return Serial;
        }
        yew::platform::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A mounted app; dropping it unmounts it, so that the keyboard shortcuts of one test's page
/// (they listen on the whole document) do not drive the pages of the tests before it.
struct Mounted {
    host: Element,
    handle: Option<yew::AppHandle<App>>,
    /// Released after the app is gone (fields drop after `Drop::drop`).
    _serial: Serial,
}

impl std::ops::Deref for Mounted {
    type Target = Element;
    fn deref(&self) -> &Element {
        &self.host
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.destroy();
        }
        self.host.remove();
    }
}

/// Mounts the app on `driver` into a fresh element and lets yew render.
async fn mount_on(driver: DriverHandle) -> Mounted {
    let serial = serial().await;
    let host = document()
        .create_element("div")
        .expect("create a host element");
    document()
        .body()
        .expect("a body")
        .append_child(&host)
        .expect("attach the host");
    let handle = yew::Renderer::<App>::with_root_and_props(
        host.clone(),
        AppProps {
            driver: Some(driver),
            autoplay: false,
            restore: None,
            lesson: None,
            link_error: None,
        },
    )
    .render();
    // The first render, then its effects (the document's shortcut listener among them), which
    // yew may run on a later turn.
    settle().await;
    settle().await;
    Mounted {
        host,
        handle: Some(handle),
        _serial: serial,
    }
}

/// The page as a visitor gets it (paused, so the test decides when time runs).
async fn mount_real() -> (Mounted, DriverHandle) {
    let driver = DriverHandle::new(ClusterDriver::new(Setup::default()));
    (mount_on(driver.clone()).await, driver)
}

/// The page over a fixed, hand-made view that shows a bit of everything (a leader, a node cut
/// off, a rejected message, a conflicting entry); every command is refused.
async fn mount_sample() -> Mounted {
    mount_on(DriverHandle::new(FixedDriver(std::rc::Rc::new(
        demo_view::demo_view(),
    ))))
    .await
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

/// A click as a person makes it: `HTMLElement.click()` for controls (so checkboxes toggle and
/// submit buttons submit), a bubbling event for SVG groups (yew listens at the root).
async fn click(el: &Element) {
    if let Some(h) = el.dyn_ref::<HtmlElement>() {
        h.click();
    } else {
        let init = MouseEventInit::new();
        init.set_bubbles(true);
        init.set_cancelable(true);
        let event = MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
        el.dispatch_event(&event).unwrap();
    }
    settle().await;
}

async fn click_on(host: &Element, selector: &str) {
    click(&find(host, selector)).await;
}

fn bubbling(kind: &str) -> Event {
    let init = EventInit::new();
    init.set_bubbles(true);
    Event::new_with_event_init_dict(kind, &init).unwrap()
}

/// Chooses an option of a `<select>` as a person would.
async fn choose(host: &Element, selector: &str, value: &str) {
    let select: HtmlSelectElement = find(host, selector).dyn_into().unwrap();
    select.set_value(value);
    select.dispatch_event(&bubbling("change")).unwrap();
    settle().await;
}

/// Sets a field or slider and fires `input` (and `change`).
async fn type_into(host: &Element, selector: &str, value: &str) {
    let input: HtmlInputElement = find(host, selector).dyn_into().unwrap();
    input.set_value(value);
    input.dispatch_event(&bubbling("input")).unwrap();
    input.dispatch_event(&bubbling("change")).unwrap();
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

/// Virtual milliseconds on the toolbar's clock.
fn clock_ms(host: &Element) -> u64 {
    let t = text(&find(host, "[data-testid='clock']"));
    let secs = t
        .trim_start_matches("t = ")
        .trim_end_matches(" s")
        .replace('.', "");
    secs.parse().unwrap_or(0)
}

/// Plays at 100× until the clock passed `ms` more virtual milliseconds, then pauses.
async fn run_for(host: &Element, ms: u64) {
    choose(host, "[data-testid='speed']", "12").await;
    let target = clock_ms(host) + ms;
    click_on(host, "[data-testid='play']").await;
    for _ in 0..400 {
        if clock_ms(host) >= target {
            break;
        }
        yew::platform::time::sleep(Duration::from_millis(20)).await;
    }
    click_on(host, "[data-testid='play']").await;
    assert!(clock_ms(host) >= target, "time ran to {}", clock_ms(host));
}

fn leader_id(host: &Element) -> Option<u64> {
    host.query_selector("g.node.role-leader")
        .unwrap()
        .and_then(|l| l.get_attribute("data-node"))
        .and_then(|id| id.parse().ok())
}

// ---- the real cluster --------------------------------------------------------------------

#[wasm_bindgen_test]
async fn app_renders_title_and_cluster_area() {
    let (host, _) = mount_real().await;
    let title = find(&host, "h1.title");
    assert_eq!(title.text_content().as_deref(), Some("Raft Playground"));
    let cluster = find(&host, "section.cluster");
    assert_eq!(
        cluster.get_attribute("aria-label").as_deref(),
        Some("Cluster diagram")
    );
    assert_eq!(count(&host, "g.node"), 5);
}

#[wasm_bindgen_test]
async fn after_three_virtual_seconds_a_leader_exists_and_the_diagram_marks_it() {
    let (host, driver) = mount_real().await;
    assert_eq!(
        leader_id(&host),
        None,
        "the page opens just before the election"
    );
    run_for(&host, 3000).await;
    let leader = leader_id(&host).expect("a leader on the diagram");
    assert_eq!(driver.frame(None).view.leader, Some(leader));
    assert_eq!(count(&host, "g.node.role-leader"), 1);
    let label = find(&host, "g.node.role-leader")
        .get_attribute("aria-label")
        .unwrap_or_default();
    assert!(
        label.starts_with(&format!("Node {leader} ♛ Leader term ")),
        "{label}"
    );
    // The first leader is opened in the inspector, with its Progress from the real view.
    let inspector = find(&host, "[data-testid='node-inspector']");
    assert_eq!(
        inspector.get_attribute("data-node"),
        Some(leader.to_string())
    );
    assert_eq!(count(&host, ".inspector section.progress tbody tr"), 5);
    // The client load has written entries: the leader's row of the log has grown.
    assert!(count(&host, &format!("[data-log-node='{leader}'] .cell.entry")) >= 3);
}

#[wasm_bindgen_test]
async fn crashing_the_leader_brings_a_new_leader() {
    let (host, _) = mount_real().await;
    run_for(&host, 3000).await;
    let old = leader_id(&host).expect("a leader");
    click_on(&host, &format!("g.node[data-node='{old}']")).await;
    click_on(&host, &format!("button[aria-label='crash node {old}']")).await;
    assert_eq!(
        count(&host, &format!("g.node.crashed[data-node='{old}']")),
        1
    );
    run_for(&host, 4000).await;
    let new = leader_id(&host).expect("a new leader");
    assert_ne!(new, old);
    // The event log says why the old leader's messages are lost.
    assert!(count(&host, "[data-testid='event-log'] li.event") > 10);
}

#[wasm_bindgen_test]
async fn scrubbing_back_and_acting_forks_the_timeline() {
    let (host, driver) = mount_real().await;
    run_for(&host, 2000).await;
    let total = driver.frame(None).view.events;
    type_into(&host, "[data-testid='timeline']", &(total / 2).to_string()).await;
    assert_eq!(driver.frame(None).view.cursor, total / 2);
    assert!(text(&find(&host, "[data-testid='timeline-position']"))
        .starts_with(&format!("event {} / {total}", total / 2)));
    assert_eq!(count(&host, "[data-testid='past-note']"), 1);
    // Acting in the past forks: the abandoned future is counted.
    click_on(&host, "g.node[data-node='2']").await;
    click_on(&host, "button[aria-label='pause clock node 2']").await;
    assert_eq!(count(&host, "[data-testid='past-note']"), 0);
    assert!(text(&find(&host, "[data-testid='forks']")).contains("1 fork"));
    assert_eq!(driver.frame(None).view.events, total / 2 + 1);
    assert_eq!(count(&host, "g.node.paused[data-node='2']"), 1);
}

#[wasm_bindgen_test]
async fn a_ready_is_stepped_by_hand_on_a_follower() {
    let (host, driver) = mount_real().await;
    run_for(&host, 2000).await;
    let leader = leader_id(&host).expect("a leader");
    let f = if leader == 2 { 3 } else { 2 };
    click_on(&host, &format!("g.node[data-node='{f}']")).await;
    // Automatic off: the node waits for the person.
    click_on(&host, ".inspector .ready .switch input").await;
    assert!(!driver.frame(None).view.node(f).unwrap().auto_ready);
    // Time runs; the leader's next append gives the follower a Ready with entries.
    for _ in 0..40 {
        let ready = driver
            .frame(None)
            .view
            .node(f)
            .and_then(|n| n.ready.clone());
        if ready.is_some_and(|r| !r.entries.is_empty()) {
            break;
        }
        click_on(&host, "button[aria-label='Step one tick']").await;
    }
    let r = driver
        .frame(None)
        .view
        .node(f)
        .and_then(|n| n.ready.clone())
        .expect("a Ready");
    assert!(!r.entries.is_empty(), "{r:?}");
    assert!(text(&find(&host, ".inspector .ready")).contains("Entries"));
    let step = |name: &str| format!("button[aria-label='{name} the Ready of node {f}']");
    assert!(find(&host, &step("advance")).has_attribute("disabled"));
    for name in ["persist", "send", "apply"] {
        let b = find(&host, &step(name));
        if !b.has_attribute("disabled") {
            click(&b).await;
            assert!(
                find(&host, &step(name)).has_attribute("disabled"),
                "{name} done"
            );
        }
    }
    let n = driver.frame(None).view.node(f).cloned().unwrap();
    assert_eq!(
        n.stable_index,
        n.last_index(),
        "every entry is on disk: {n:?}\nready was {r:?}\nnow {:?}",
        n.ready
    );
    assert_eq!(
        count(&host, &format!("[data-log-node='{f}'] .cell.unstable")),
        0
    );
    click_on(&host, &step("advance")).await;
    let after = driver.frame(None).view.node(f).unwrap().ready.clone();
    assert!(after.is_none_or(|a| a != r), "advanced past that Ready");
    assert!(driver.script().contains(&format!("advance {f}")));
}

#[wasm_bindgen_test]
async fn partitions_are_drawn_and_healed() {
    let (host, driver) = mount_real().await;
    run_for(&host, 1500).await;
    click_on(&host, "[data-testid='tab-network']").await;
    click_on(&host, "button[aria-label='Node 4 in group B']").await;
    click_on(&host, "button[aria-label='Node 5 in group B']").await;
    click_on(&host, "[data-testid='apply-partition']").await;
    assert_eq!(
        driver.frame(None).view.partitions,
        vec![vec![1, 2, 3], vec![4, 5]]
    );
    assert_eq!(count(&host, "g.node.cut-off"), 2, "the minority side");
    assert_eq!(
        count(&host, "g.link.cut"),
        6,
        "every link across the groups"
    );
    click_on(&host, "[data-testid='heal']").await;
    assert_eq!(count(&host, "g.node.cut-off"), 0);
    assert_eq!(count(&host, "g.link.cut"), 0);
}

#[wasm_bindgen_test]
async fn a_client_put_reaches_every_store() {
    let (host, _) = mount_real().await;
    run_for(&host, 2000).await;
    // No background load, so the only k is ours.
    click_on(&host, "[data-testid='load']").await;
    click_on(&host, "[data-testid='tab-clients']").await;
    type_into(&host, "[data-testid='client-key']", "k").await;
    type_into(&host, "[data-testid='client-value']", "hello").await;
    click_on(&host, "[data-testid='client-send']").await;
    run_for(&host, 1000).await;
    let matrix = text(&find(&host, "[data-testid='kv-matrix']"));
    assert_eq!(matrix.matches("hello").count(), 5, "{matrix}");
    assert!(text(&find(&host, "[data-testid='client-history']")).contains("put k=hello"));
    // A bad key is refused by the form, not sent.
    type_into(&host, "[data-testid='client-key']", "a b").await;
    click_on(&host, "[data-testid='client-send']").await;
    assert_eq!(count(&host, ".form-problem"), 1);
}

#[wasm_bindgen_test]
async fn links_get_loss_and_delay_and_messages_can_be_held() {
    let (host, driver) = mount_real().await;
    run_for(&host, 1500).await;
    click_on(&host, "g.link[data-link='1-2'] .link-hit").await;
    let form = find(&host, "[data-testid='link-inspector']");
    choose(&form, "select[aria-label='Drop rate']", "30").await;
    type_into(&form, "input[aria-label='Delay']", "20..80ms").await;
    click_on(&form, "button[type='submit']").await;
    let l = driver.frame(None).view.link(1, 2).cloned().unwrap();
    assert_eq!(l.drop_rate, 0.3);
    assert_eq!(l.delay, "20..80ms");
    assert!(text(&find(&host, "g.link[data-link='1-2']")).contains("drop 30%"));
    // One-way cut.
    click_on(&host, "button[aria-label='Cut 2 to 1']").await;
    assert!(driver.frame(None).view.link(2, 1).unwrap().cut);
    assert!(!driver.frame(None).view.link(1, 2).unwrap().cut);
    // Hold a message in flight, then release it.
    for _ in 0..20 {
        if !driver.frame(None).view.messages.is_empty() {
            break;
        }
        click_on(&host, "button[aria-label='Step one tick']").await;
    }
    let id = driver.frame(None).view.messages.first().map(|m| m.id);
    assert!(id.is_some(), "a message in flight");
    if let Some(id) = id {
        click_on(&host, &format!("button.msg[data-message='{id}']")).await;
        click_on(&host, &format!("button[aria-label='Hold message {id}']")).await;
        assert!(driver.frame(None).view.message(id).is_some_and(|m| m.held));
        assert_eq!(
            count(&host, &format!("button.msg.held[data-message='{id}']")),
            1
        );
        click_on(&host, &format!("button[aria-label='Release message {id}']")).await;
        assert!(driver.frame(None).view.message(id).is_none_or(|m| !m.held));
    }
}

#[wasm_bindgen_test]
async fn the_event_log_explains_and_filters() {
    let (host, _) = mount_real().await;
    run_for(&host, 2000).await;
    let log = find(&host, "[data-testid='event-log']");
    assert!(count(&log, ".ev-why") > 0, "events cite the paper");
    choose(&host, "[data-testid='filter-node']", "3").await;
    let nodes: Vec<String> = (0..count(&host, "[data-testid='event-log'] .ev-node"))
        .map(|i| {
            text(
                &host
                    .query_selector_all("[data-testid='event-log'] .ev-node")
                    .unwrap()
                    .item(i)
                    .unwrap()
                    .dyn_into::<Element>()
                    .unwrap(),
            )
        })
        .collect();
    assert!(
        !nodes.is_empty() && nodes.iter().all(|n| n == "n3"),
        "{nodes:?}"
    );
    choose(&host, "[data-testid='filter-node']", "").await;
    type_into(
        &host,
        "input[aria-label='Search the event log']",
        "became leader",
    )
    .await;
    let first = text(&find(&host, "[data-testid='event-log'] li.event"));
    assert!(
        first.contains("became leader"),
        "the core's log line: {first}"
    );
}

#[wasm_bindgen_test]
async fn a_learner_joins_and_is_promoted() {
    let (host, driver) = mount_real().await;
    run_for(&host, 2000).await;
    click_on(&host, "[data-testid='tab-network']").await;
    click_on(&host, "[data-testid='add-learner']").await;
    assert_eq!(count(&host, "g.node"), 6);
    run_for(&host, 1500).await;
    assert_eq!(count(&host, "g.node.role-learner[data-node='6']"), 1);
    assert!(text(&find(&host, "[data-testid='config']")).contains("learners=(6)"));
    click_on(&host, "g.node[data-node='6']").await;
    click_on(&host, "button[aria-label='promote to voter node 6']").await;
    run_for(&host, 1500).await;
    assert_eq!(count(&host, "g.node.role-follower[data-node='6']"), 1);
    assert!(driver.frame(None).view.config.voters.contains(&6));
}

/// The lying-disk scenario: node 2 acknowledges an entry it never made durable; after two
/// crashes the survivors elect a leader without a committed entry.
const LYING_DISK: &str = "log-level none
cluster 3
campaign 1
stabilize
disk 2 lying
cut 1-3
put 1 x=1
stabilize
crash 2
crash 1
heal
restart 2
campaign 2
stabilize
";

#[wasm_bindgen_test]
async fn a_violation_jumps_to_its_event() {
    let driver = DriverHandle::new(ClusterDriver::new(Setup::default()));
    driver.run_script(LYING_DISK, 3).expect("the scenario runs");
    let host = mount_on(driver.clone()).await;
    let checker = find(&host, "[data-testid='checker']");
    assert!(
        text(&checker).contains("violated at event"),
        "{}",
        text(&checker)
    );
    let at = driver.frame(None).view.checker.event.expect("the event");
    click(&checker).await;
    assert_eq!(
        driver.frame(None).view.cursor,
        at + 1,
        "right after the event"
    );
    let first = find(&host, "[data-testid='event-log'] li.event");
    assert_eq!(first.get_attribute("data-event"), Some(at.to_string()));
    assert!(first.class_name().contains("violation"));
}

#[wasm_bindgen_test]
async fn step_buttons_and_shortcuts_move_the_cluster() {
    let (host, driver) = mount_real().await;
    let t0 = clock_ms(&host);
    click_on(&host, "button[aria-label='Step one tick']").await;
    assert!(clock_ms(&host) > t0);
    let e0 = driver.frame(None).view.events;
    press("ArrowDown").await;
    assert!(
        driver.frame(None).view.events > e0,
        "a message was delivered"
    );
    press("ArrowLeft").await;
    assert!(driver.frame(None).timeline.in_past, "one event back");
    press("End").await;
    assert!(!driver.frame(None).timeline.in_past);
    press("?").await;
    assert!(text(&find(&host, "[role='dialog']")).contains("play / pause"));
    press("Escape").await;
    assert_eq!(count(&host, "[role='dialog']"), 0);
    // Space plays and pauses.
    press(" ").await;
    assert_eq!(
        find(&host, "[data-testid='play']").get_attribute("aria-label"),
        Some("Pause".into())
    );
    press(" ").await;
}

#[wasm_bindgen_test]
async fn seed_and_size_reset_the_run() {
    let (host, driver) = mount_real().await;
    run_for(&host, 500).await;
    type_into(&host, "[data-testid='seed']", "77").await;
    assert_eq!(driver.frame(None).setup.seed, 77);
    assert_eq!(driver.frame(None).view.seed, 77);
    choose(&host, "[data-testid='nodes']", "7").await;
    assert_eq!(count(&host, "g.node"), 7);
    assert_eq!(count(&host, ".log-row:not(.head)"), 7);
    // Not a number: the seed stays.
    type_into(&host, "[data-testid='seed']", "abc").await;
    assert_eq!(driver.frame(None).setup.seed, 77);
}

// ---- sample data and fixed views -------------------------------------------------------------

#[wasm_bindgen_test]
async fn the_sample_cluster_draws_five_nodes_and_marks_its_leader() {
    let host = mount_sample().await;
    assert_eq!(count(&host, "g.node"), 5);
    assert_eq!(count(&host, "g.node.role-leader"), 1);
    let leader = find(&host, "g.node.role-leader");
    assert_eq!(leader.get_attribute("data-node").as_deref(), Some("1"));
    // The leader is drawn as a hexagon, not only in another colour.
    assert_eq!(count(&leader, "polygon.body"), 1);
    assert_eq!(count(&host, "g.node.cut-off"), 1);
    assert_eq!(count(&host, ".msg-list button.msg"), 6);
    assert_eq!(count(&host, "button.msg.rejected"), 1);
    assert_eq!(count(&host, ".log-row:not(.head)"), 5);
    assert_eq!(count(&host, ".cell.conflict"), 1);
}

#[wasm_bindgen_test]
async fn selecting_a_node_shows_its_whole_ready() {
    let host = mount_sample().await;
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
    assert!(ready.contains("5->1 MsgPreVote Term:4 Log:2/5"));
    assert_eq!(count(&inspector, "section.progress"), 0);
    click(&find(&host, "g.node[data-node='1']")).await;
    assert_eq!(count(&host, ".inspector section.progress tbody tr"), 5);
}

#[wasm_bindgen_test]
async fn a_message_opens_whole_and_can_be_dropped() {
    let (host, driver) = mount_real().await;
    run_for(&host, 3000).await;
    // Where the real-time run stopped depends on the wall clock; tick on by hand until a
    // message is in flight (a heartbeat goes out within a few ticks).
    for _ in 0..50 {
        if !driver.frame(None).view.messages.is_empty() {
            break;
        }
        click_on(&host, "button[aria-label='Step one tick']").await;
    }
    let m = driver
        .frame(None)
        .view
        .messages
        .first()
        .cloned()
        .expect("a message in flight");
    click(&find(
        &host,
        &format!("button.msg[data-message='{}']", m.id),
    ))
    .await;
    let inspector = find(&host, ".inspector");
    let head = format!("{}->{} ", m.from, m.to);
    assert!(text(&find(&inspector, "pre.describe")).starts_with(&head));
    find(
        &inspector,
        &format!("button[aria-label='Drop message {}']", m.id),
    )
    .dyn_into::<HtmlElement>()
    .unwrap()
    .click();
    settle().await;
    assert_eq!(
        count(&host, &format!("button.msg[data-message='{}']", m.id)),
        0
    );
    assert!(text(&find(&host, ".inspector")).contains("No longer in flight"));
}

/// Where the page says message `id` is drawn, in viewport pixels.
fn message_center(id: u64) -> Option<(f64, f64)> {
    let window = web_sys::window()?;
    let f: js_sys::Function = js_sys::Reflect::get(&window, &"raftPlaygroundMessageCenter".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let at: js_sys::Array = f
        .call1(&window, &(id as f64).into())
        .ok()?
        .dyn_into()
        .ok()?;
    Some((at.get(0).as_f64()?, at.get(1).as_f64()?))
}

/// A click at a point of the viewport, dispatched on `el` as the browser would.
async fn click_at(el: &Element, x: f64, y: f64) {
    let init = MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_client_x(x as i32);
    init.set_client_y(y as i32);
    let event = MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    el.dispatch_event(&event).unwrap();
    settle().await;
}

#[wasm_bindgen_test]
async fn messages_are_painted_and_clicked_where_they_are_drawn() {
    // The canvas takes its size from the page's stylesheet.
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../../static/style.css")));
    document().head().unwrap().append_child(&style).unwrap();
    let host = mount_sample().await;
    host.scroll_into_view();
    settle().await;
    let (x, y) = message_center(42).expect("message 42 is drawn");
    assert_eq!(message_center(4242), None, "no such message");
    // The canvas has paint where the pill is.
    let canvas: web_sys::HtmlCanvasElement = find(&host, "canvas.msg-layer").dyn_into().unwrap();
    let rect = canvas.get_bounding_client_rect();
    let scale = canvas.width() as f64 / rect.width();
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let alpha = |x: f64, y: f64| {
        let px = ctx
            .get_image_data(
                (x - rect.left()) * scale,
                (y - rect.top()) * scale,
                1.0,
                1.0,
            )
            .unwrap()
            .data();
        px[3]
    };
    assert!(
        alpha(x, y) > 0,
        "the pill is painted: {x},{y} in {},{} {}x{}, canvas {}x{}",
        rect.left(),
        rect.top(),
        rect.width(),
        rect.height(),
        canvas.width(),
        canvas.height()
    );
    assert_eq!(
        alpha(rect.left() + 1.0, rect.top() + 1.0),
        0,
        "the corner is not"
    );
    // A click on the pill selects its message, not the link or backdrop under it.
    let stack = find(&host, ".diagram-stack");
    click_at(&stack, x, y).await;
    assert!(text(&find(&host, ".inspector pre.describe")).starts_with("1->3 MsgApp Term:3"));
    assert_eq!(count(&host, "button.msg.selected[data-message='42']"), 1);
    // A click beside every pill reaches what is under it: the backdrop, which clears the
    // selection.
    let backdrop = find(&host, "rect.backdrop").get_bounding_client_rect();
    let (x, y) = (backdrop.left() + 2.0, backdrop.top() + 2.0);
    let under = document()
        .element_from_point(x as f32, y as f32)
        .expect("something under the corner");
    assert!(
        under.matches("rect.backdrop").unwrap(),
        "no pill in the corner"
    );
    click_at(&under, x, y).await;
    assert_eq!(count(&host, "button.msg.selected"), 0);
    style.remove();
}

#[wasm_bindgen_test]
async fn a_refused_command_shows_why() {
    let host = mount_sample().await;
    click(&find(&host, "g.node[data-node='2']")).await;
    click_on(&host, "button[aria-label='campaign node 2']").await;
    let banner = find(&host, ".error-banner");
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    assert!(
        text(&banner).starts_with("!campaign 2: "),
        "{}",
        text(&banner)
    );
    click(&find(&banner, "button")).await;
    assert_eq!(count(&host, ".error-banner"), 0);
}

/// A driver that shows a fixed view and refuses every command: enough to check that the page
/// draws whatever a driver hands it.
struct FixedDriver(std::rc::Rc<ClusterView>);

impl Driver for FixedDriver {
    fn view(&self) -> std::rc::Rc<ClusterView> {
        self.0.clone()
    }
    fn apply(&mut self, cmd: &Command) -> Result<(), String> {
        Err(format!("fixed view: {cmd} ignored"))
    }
}

#[wasm_bindgen_test]
async fn any_driver_can_fill_the_page_nine_nodes_included() {
    let mut view = demo_view::demo_view();
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
    let host = mount_on(DriverHandle::new(FixedDriver(std::rc::Rc::new(view)))).await;
    assert_eq!(count(&host, "g.node"), 9);
    assert_eq!(count(&host, "g.node.role-candidate"), 8);
    assert_eq!(count(&host, "g.node.role-learner"), 1);
    assert_eq!(count(&host, "g.node.crashed"), 1);
    assert_eq!(count(&host, ".inspector .node-picker button"), 9);
    // Seeking is refused politely by a driver without history.
    press("ArrowLeft").await;
    assert!(text(&find(&host, ".error-banner")).contains("no history"));
}

#[wasm_bindgen_test]
fn the_panic_banner_replaces_a_dead_page() {
    assert!(!web::panic::has_panicked());
    let body = document().body().unwrap();
    let other = document().create_element("div").unwrap();
    body.append_child(&other).unwrap();
    web::panic::show_banner("panicked at src/app.rs:1:1: boom", false);
    let banner = document()
        .get_element_by_id(web::panic::BANNER_ID)
        .expect("a banner");
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    assert!(text(&banner).contains("boom"));
    assert!(
        banner.query_selector("a[href]").unwrap().is_some(),
        "a reload link"
    );
    assert!(
        banner
            .query_selector("[data-testid=restore]")
            .unwrap()
            .is_none(),
        "nothing to restore, no restore link"
    );
    assert!(
        other.has_attribute("inert"),
        "the dead app takes no clicks or keys"
    );
    assert!(!banner.has_attribute("inert"));
    web::panic::show_banner("again", true);
    assert_eq!(
        document()
            .query_selector_all(&format!("#{}", web::panic::BANNER_ID))
            .unwrap()
            .length(),
        1
    );
    let restore = banner
        .query_selector("[data-testid=restore]")
        .unwrap()
        .expect("a restore link");
    let href = restore.get_attribute("href").unwrap();
    assert!(href.contains("restore"), "{href}");
    banner.remove();
    other.remove();
    // The other tests share this document.
    let children = body.children();
    for i in 0..children.length() {
        children.item(i).unwrap().remove_attribute("inert").unwrap();
    }
}
