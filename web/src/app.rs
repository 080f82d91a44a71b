//! The page's frame: toolbar on top, the cluster diagram with the inspector beside it, the logs
//! under the diagram, and at the bottom the timeline with the dock (event log, clients,
//! network). It owns the single page state, runs the play loop and listens for keyboard
//! shortcuts.

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

use crate::cluster_driver::{ClusterDriver, Setup};
use crate::components::cluster_diagram::ClusterDiagram;
use crate::components::dock::Dock;
use crate::components::error_banner::ErrorBanner;
use crate::components::help_overlay::HelpOverlay;
use crate::components::inspector::Inspector;
use crate::components::learn_list::LearnList;
use crate::components::lesson_panel::LessonPanel;
use crate::components::log_rows::LogRows;
use crate::components::settings_panel::SettingsPanel;
use crate::components::space_time::SpaceTimeDiagram;
use crate::components::timeline::Timeline;
use crate::components::toolbar::Toolbar;
use crate::driver::DriverHandle;
use crate::frames::AnimationFrames;
use crate::keys;
use crate::perf;
use crate::state::{Action, PageState, Selection};

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// The cluster to show. Without one the page runs a fresh virtual cluster.
    #[prop_or_default]
    pub driver: Option<DriverHandle>,
    /// Start playing at once (the page does; tests mount paused).
    #[prop_or_default]
    pub autoplay: bool,
    /// A session to replay first: the last good state saved by a panic (see `recovery`).
    #[prop_or_default]
    pub restore: Option<crate::persist::Saved>,
    /// A lesson to open first: from `?lesson=N` or a shared `#lesson=` link.
    #[prop_or_default]
    pub lesson: Option<crate::course::Opening>,
    /// Why the link the page was opened from could not be read (a damaged `#lesson=`): shown
    /// on arrival like any refusal.
    #[prop_or_default]
    pub link_error: Option<String>,
}

/// The root component.
#[component(App)]
pub fn app(props: &AppProps) -> Html {
    let state = {
        let driver = props.driver.clone();
        let autoplay = props.autoplay;
        use_reducer(move || {
            let driver =
                driver.unwrap_or_else(|| DriverHandle::new(ClusterDriver::new(Setup::default())));
            let page = PageState::new(driver);
            if autoplay {
                page.playing()
            } else {
                page
            }
        })
    };

    // The play loop runs only while playing, one step per animation frame. Each frame reports
    // the real time that passed, so a slow frame does not slow the cluster down; the work a
    // frame caused (the run and the render, which yew does in a task queued right after) is
    // timed for the benchmarks (see `perf`).
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.playing, move |&playing| {
            let frames = playing.then(|| {
                AnimationFrames::start(move |real_ms| {
                    let t0 = perf::now_ms();
                    dispatcher.dispatch(Action::Frame { real_ms });
                    yew::platform::spawn_local(async move {
                        perf::record(perf::now_ms() - t0);
                    });
                })
            });
            move || drop(frames)
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
                        if crate::panic::has_panicked() {
                            return;
                        }
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

    // A script runs a slice at a time: each slice, once drawn, asks for the next through a
    // zero-delay timer, so the browser paints and takes input (the Stop button) in between.
    {
        let dispatcher = state.dispatcher();
        let running = state.script_progress.is_some();
        use_effect_with((running, state.script_slices), move |&(running, _)| {
            let timer = running.then(|| {
                gloo_timers::callback::Timeout::new(0, move || {
                    if !crate::panic::has_panicked() {
                        dispatcher.dispatch(Action::ScriptSlice)
                    }
                })
            });
            move || drop(timer)
        });
    }

    // The last good state, kept for the panic hook (see `recovery`): after every change a
    // person makes, about once a second while playing, and not while a script runs (its
    // session is complete only when it ends).
    {
        let driver = state.driver().clone();
        let playing = state.playing;
        let running = state.script_progress.is_some();
        use_effect_with(state.view.clone(), move |_| {
            if !running {
                crate::recovery::remember(playing, perf::now_ms(), || driver.script());
            }
        });
    }

    // A restore replays the saved session as a script, in slices with progress.
    {
        let dispatcher = state.dispatcher();
        let restore = props.restore.clone();
        use_effect_with((), move |_| {
            if let Some(saved) = restore {
                dispatcher.dispatch(Action::RunScript {
                    text: saved.text,
                    seed: saved.seed,
                });
            }
        });
    }

    // A link that could not be read says so once the page is up.
    {
        let dispatcher = state.dispatcher();
        let error = props.link_error.clone();
        use_effect_with((), move |_| {
            if let Some(why) = error {
                dispatcher.dispatch(Action::Refused {
                    what: "the lesson in this link".into(),
                    why,
                });
            }
        });
    }

    // A lesson asked for by the link opens once the page is up.
    {
        let dispatcher = state.dispatcher();
        let opening = props.lesson.clone();
        use_effect_with((), move |_| {
            if let Some(o) = opening {
                dispatcher.dispatch(Action::OpenLesson {
                    number: o.number,
                    text: o.text,
                    step: 0,
                });
            }
        });
    }

    // What the learner did is kept in the browser as it happens (see `lesson_progress`).
    {
        let number = state.lesson_number;
        let progress = state.lesson.as_ref().map(|l| l.progress.clone());
        use_effect_with((number, progress), move |(number, progress)| {
            if let (Some(n), Some(p)) = (number, progress) {
                crate::lesson_progress::record(*n, p);
            }
        });
    }

    // One callback for the page's whole life: a new one every render would differ from the
    // last (callbacks compare by identity) and make every component redraw every frame.
    let on_action: Callback<Action> = {
        let dispatcher = state.dispatcher();
        (*use_memo((), move |_| {
            Callback::from(move |a: Action| dispatcher.dispatch(a))
        }))
        .clone()
    };

    // The script tab records the session only while its record view is open: turning the whole
    // history into a script every frame would cost more than the frame itself.
    let record_open = use_state(|| false);
    let on_record = {
        let record_open = record_open.setter();
        use_callback((), move |open: bool, _| record_open.set(open))
    };
    let recorded = (*record_open).then(|| AttrValue::from(state.driver().script()));

    // A shared link (`#script=…`) opens the script tab, where the panel loads it.
    {
        let on_action = on_action.clone();
        use_effect_with((), move |_| {
            if crate::persist::has_shared_script(&crate::persist::current_hash()) {
                on_action.emit(Action::Dock(crate::state::DockTab::Script));
            }
        });
    }
    let selected_node = match state.selection {
        Selection::Node(id) => Some(id),
        _ => None,
    };
    // Only a selected message needs the clock (how far it travelled); everything else in the
    // inspector changes with events, so it is left alone while only time passes.
    let inspector_now = match state.selection {
        Selection::Message(_) => state.now_ms,
        _ => 0,
    };
    let view = &state.view;

    let lesson_share = match (state.lesson_number, &state.lesson_text) {
        (Some(n), _) => AttrValue::from(format!("?lesson={n}")),
        (None, Some(text)) => AttrValue::from(crate::course::share_fragment(text)),
        (None, None) => AttrValue::default(),
    };
    let lesson_panel = state.lesson.as_ref().map(|lesson| {
        html! {
            <aside class="lesson" aria-label="Lesson">
                <LessonPanel
                    lesson={lesson.clone()}
                    number={state.lesson_number}
                    busy={state.script_progress.is_some()}
                    error={state.error.clone()}
                    playing={state.playing}
                    share={lesson_share.clone()}
                    on_action={on_action.clone()}
                />
            </aside>
        }
    });
    html! {
        <div class={classes!("app", state.timeline.in_past.then_some("in-past"))}>
            <Toolbar
                playing={state.playing}
                speed={state.speed}
                now_ms={state.now_ms}
                setup={state.setup.clone()}
                in_past={state.timeline.in_past}
                space_time={state.space_time_open}
                on_action={on_action.clone()}
            />
            <ErrorBanner error={state.error.clone()} on_action={on_action.clone()} />
            <main class={classes!(
                "bench",
                state.lesson.is_some().then_some("with-lesson"),
                state.space_time_open.then_some("with-space-time"),
            )}>
                { for lesson_panel }
                <section class="cluster" aria-label="Cluster diagram">
                    <ClusterDiagram
                        view={view.clone()}
                        now_ms={state.now_ms}
                        selection={state.selection}
                        list_current={state.lists_current()}
                        on_action={on_action.clone()}
                    />
                </section>
                if state.space_time_open {
                    <SpaceTimeDiagram
                        driver={state.driver().clone()}
                        view={view.clone()}
                        now_ms={state.now_ms}
                        selection={state.selection}
                        has_branch={!state.timeline.branches.is_empty()}
                        on_action={on_action.clone()}
                    />
                }
                <aside class="inspector" aria-label="Inspector">
                    <Inspector
                        driver={state.driver().clone()}
                        view={view.clone()}
                        now_ms={inspector_now}
                        selection={state.selection}
                        on_action={on_action.clone()}
                    />
                </aside>
                <section class="logs" aria-label="Logs">
                    <LogRows
                        view={view.clone()}
                        selected={selected_node}
                        on_action={on_action.clone()}
                    />
                </section>
                <section class="timeline" aria-label="Timeline and event log">
                    <Timeline
                        cursor={view.cursor}
                        events={view.events}
                        checker={view.checker.clone()}
                        info={state.timeline.clone()}
                        on_action={on_action.clone()}
                    />
                    <Dock
                        tab={state.dock}
                        view={view.clone()}
                        events={state.events.clone()}
                        filter={state.filter.clone()}
                        clients={state.clients.clone()}
                        last_run={state.last_run.clone()}
                        script_progress={state.script_progress.clone()}
                        recorded={recorded}
                        on_record={on_record}
                        on_action={on_action.clone()}
                    />
                </section>
            </main>
            if state.help_open {
                <HelpOverlay on_action={on_action.clone()} />
            }
            if state.settings_open {
                <SettingsPanel setup={state.setup.clone()} view={view.clone()} on_action={on_action.clone()} />
            }
            if state.learn_open {
                <LearnList error={state.error.clone()} on_action={on_action.clone()} />
            }
        </div>
    }
}
