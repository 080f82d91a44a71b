//! The page's frame: toolbar on top, the cluster diagram with the inspector beside it, the logs
//! under the diagram, the timeline at the bottom. It owns the single page state, runs the play
//! loop and listens for keyboard shortcuts.

use std::cell::Cell;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Interval;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

use crate::components::cluster_diagram::ClusterDiagram;
use crate::components::error_banner::ErrorBanner;
use crate::components::help_overlay::HelpOverlay;
use crate::components::inspector::Inspector;
use crate::components::log_rows::LogRows;
use crate::components::timeline::Timeline;
use crate::components::toolbar::Toolbar;
use crate::demo_driver::DemoDriver;
use crate::driver::DriverHandle;
use crate::keys;
use crate::state::{Action, PageState, Selection};

/// Real milliseconds between frames of the play loop (about 60 per second).
const FRAME_MS: u32 = 16;

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// The cluster to show. Without one the page runs on sample data.
    #[prop_or_default]
    pub driver: Option<DriverHandle>,
}

/// The root component.
#[component(App)]
pub fn app(props: &AppProps) -> Html {
    let state = {
        let driver = props.driver.clone();
        use_reducer(move || {
            PageState::new(driver.unwrap_or_else(|| DriverHandle::new(DemoDriver::new())))
        })
    };

    // The play loop runs only while playing. Each frame reports the real time that really
    // passed, so timer jitter does not change the speed.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.playing, move |&playing| {
            let interval = playing.then(|| {
                let last = Cell::new(js_sys::Date::now());
                Interval::new(FRAME_MS, move || {
                    let now = js_sys::Date::now();
                    let real_ms = now - last.replace(now);
                    dispatcher.dispatch(Action::Frame { real_ms });
                })
            });
            move || drop(interval)
        });
    }

    // Shortcuts listen on the whole document, so they work wherever focus is, except where a
    // key is the focused element's own (typing in the seed field, Space on a button).
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window()
                .and_then(|w| w.document())
                .map(|document| {
                    // Not passive: a shortcut must be able to stop Space from scrolling the page.
                    let options = EventListenerOptions::enable_prevent_default();
                    EventListener::new_with_options(&document, "keydown", options, move |event| {
                        let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                            return;
                        };
                        let key = event.key();
                        if let Some(target) =
                            event.target().and_then(|t| t.dyn_into::<Element>().ok())
                        {
                            let role = target.get_attribute("role");
                            if keys::belongs_to_target(&target.tag_name(), role.as_deref(), &key) {
                                return;
                            }
                        }
                        let modifier = event.ctrl_key() || event.alt_key() || event.meta_key();
                        if let Some(action) = keys::action_for_key(&key, modifier) {
                            event.prevent_default();
                            dispatcher.dispatch(action);
                        }
                    })
                });
            move || drop(listener)
        });
    }

    let on_action: Callback<Action> = state.dispatcher().into();
    let selected_node = match state.selection {
        Selection::Node(id) => Some(id),
        _ => None,
    };

    html! {
        <div class="app">
            <Toolbar
                playing={state.playing}
                speed={state.speed}
                now_ms={state.view.now_ms}
                seed={state.view.seed}
                sample={state.sample}
                on_action={on_action.clone()}
            />
            <ErrorBanner error={state.error.clone()} on_action={on_action.clone()} />
            <main class="bench">
                <section class="cluster" aria-label="Cluster diagram">
                    <ClusterDiagram
                        view={state.view.clone()}
                        selection={state.selection}
                        on_action={on_action.clone()}
                    />
                </section>
                <aside class="inspector" aria-label="Inspector">
                    <Inspector
                        view={state.view.clone()}
                        selection={state.selection}
                        on_action={on_action.clone()}
                    />
                </aside>
                <section class="logs" aria-label="Logs">
                    <LogRows
                        view={state.view.clone()}
                        selected={selected_node}
                        on_action={on_action.clone()}
                    />
                </section>
                <section class="timeline" aria-label="Timeline and event log">
                    <Timeline view={state.view.clone()} />
                </section>
            </main>
            if state.help_open {
                <HelpOverlay on_action={on_action.clone()} />
            }
        </div>
    }
}
