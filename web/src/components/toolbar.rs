//! The toolbar: the title, playback, single steps, the run's setup (seed, cluster size, client
//! load), the clock and the help button.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::cluster_driver::{DEFAULT_LOAD_EVERY_MS, MAX_NODES};
use crate::driver::RunSetup;
use crate::state::{speed_label, Action, SPEEDS};
use cluster::command::Command;

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    pub now_ms: u64,
    pub setup: RunSetup,
    /// The view shows the past: playing or stepping forks the timeline.
    pub in_past: bool,
    /// The space-time diagram is shown.
    pub space_time: bool,
    pub on_action: Callback<Action>,
}

/// Virtual time as seconds with milliseconds: `t = 4.230 s`.
fn clock_text(now_ms: u64) -> String {
    format!("t = {}.{:03} s", now_ms / 1000, now_ms % 1000)
}

#[component(Toolbar)]
pub fn toolbar(props: &ToolbarProps) -> Html {
    let seed_ref = use_node_ref();
    // The field is the person's while they type (the toolbar redraws every frame while
    // playing); it shows the run's seed again whenever that changes.
    {
        let seed_ref = seed_ref.clone();
        use_effect_with(props.setup.seed, move |seed| {
            if let Some(field) = seed_ref.cast::<HtmlInputElement>() {
                field.set_value(&seed.to_string());
            }
        });
    }
    let act = |action: Action| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(action.clone()))
    };
    let on_speed = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Ok(i) = select.value().parse::<usize>() {
                    cb.emit(Action::Speed(i));
                }
            }
        })
    };
    let on_nodes = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Ok(nodes) = select.value().parse::<u64>() {
                    cb.emit(Action::Resize { nodes });
                }
            }
        })
    };
    let load_on = props.setup.load_every_ms > 0;
    let on_load = {
        let cb = props.on_action.clone();
        Callback::from(move |_: Event| {
            let every_ms = if load_on { 0 } else { DEFAULT_LOAD_EVERY_MS };
            cb.emit(Action::Cluster(Command::Load(
                (every_ms > 0).then_some(every_ms),
            )));
        })
    };
    // A new seed means a new run from the start: changing the field (Enter, or leaving it)
    // resets with it. What is not a number is put back to the current seed.
    let seed_value = {
        let seed_ref = seed_ref.clone();
        let current = props.setup.seed;
        move || {
            let field = seed_ref.cast::<HtmlInputElement>()?;
            match field.value().trim().parse::<u64>() {
                Ok(seed) => Some(seed),
                Err(_) => {
                    field.set_value(&current.to_string());
                    None
                }
            }
        }
    };
    let on_reset = {
        let cb = props.on_action.clone();
        let seed_value = seed_value.clone();
        let current = props.setup.seed;
        Callback::from(move |_: MouseEvent| {
            let seed = seed_value().unwrap_or(current);
            cb.emit(Action::Reset { seed });
        })
    };
    let on_seed_change = {
        let cb = props.on_action.clone();
        Callback::from(move |_: Event| {
            if let Some(seed) = seed_value() {
                cb.emit(Action::Reset { seed });
            }
        })
    };

    let (play_icon, play_label) = if props.playing {
        ("❚❚", "Pause")
    } else {
        ("▶", "Play")
    };
    let play_title = if props.in_past && !props.playing {
        "Play from here: the timeline forks (Space)".to_string()
    } else {
        format!("{play_label} (Space)")
    };

    html! {
        <header class="toolbar" role="banner">
            <h1 class="title">{ "Raft Playground" }</h1>
            <button class="learn primary" data-testid="learn" onclick={act(Action::ToggleLearn)}
                title="Lessons: learn Raft step by step on the live cluster">{ "Learn" }</button>
            <button class={classes!("space-time-toggle", props.space_time.then_some("on"))}
                data-testid="space-time-toggle" aria-pressed={props.space_time.to_string()}
                onclick={act(Action::ToggleSpaceTime)} aria-keyshortcuts="d"
                title="The space-time diagram: who sent what to whom, and what each node did in between (d)">
                { "Space-time" }
            </button>
            <div class="controls" role="toolbar" aria-label="Simulation controls">
                <button
                    class={classes!("play", props.playing.then_some("on"))}
                    onclick={act(Action::TogglePlay)}
                    aria-label={play_label}
                    aria-keyshortcuts="Space"
                    data-testid="play"
                    title={play_title}
                >
                    <span aria-hidden="true">{ play_icon }</span>
                </button>
                <label class="speed">
                    <span class="label-text">{ "speed" }</span>
                    <select aria-label="Speed" onchange={on_speed} title="Playback speed (+ / −)"
                        data-testid="speed">
                        { for SPEEDS.iter().enumerate().map(|(i, s)| html! {
                            <option value={i.to_string()} selected={i == props.speed}>
                                { speed_label(*s) }
                            </option>
                        }) }
                    </select>
                </label>
                <span class="step-group" role="group" aria-label="Step">
                    <span class="label-text" aria-hidden="true">{ "step" }</span>
                    <button onclick={act(Action::Tick)} aria-label="Step one tick"
                        aria-keyshortcuts="ArrowRight" title="Run to the next tick (→)">{ "tick" }</button>
                    <button onclick={act(Action::StepMessage)} aria-label="Deliver the next message"
                        aria-keyshortcuts="ArrowDown" title="Run to the next message delivered (↓)">{ "message" }</button>
                    <button onclick={act(Action::StepReady)} aria-label="Handle the next Ready"
                        aria-keyshortcuts="ArrowUp" title="Run until a node finishes its next Ready (↑)">{ "Ready" }</button>
                </span>
                <span class="setup-group" role="group" aria-label="Run setup">
                    <label class="seed">
                        <span class="label-text">{ "seed" }</span>
                        <input
                            ref={seed_ref}
                            type="number"
                            min="0"
                            aria-label="Seed"
                            data-testid="seed"
                            onchange={on_seed_change}
                            title="A new seed starts a new run (Enter)"
                        />
                    </label>
                    <label class="nodes">
                        <span class="label-text">{ "nodes" }</span>
                        <select aria-label="Number of nodes" onchange={on_nodes} data-testid="nodes"
                            title="Start over with this many nodes">
                            { for (1..=MAX_NODES).map(|n| html! {
                                <option value={n.to_string()} selected={n == props.setup.nodes}>{ n }</option>
                            }) }
                        </select>
                    </label>
                    <button onclick={on_reset} aria-label="Reset the cluster with the seed"
                        title="Start over with this seed">{ "reset" }</button>
                    <label class="switch load-switch"
                        title={format!("A client puts x, y, z every {DEFAULT_LOAD_EVERY_MS} ms of virtual time")}>
                        <input type="checkbox" role="switch" checked={load_on}
                            aria-checked={load_on.to_string()} aria-label="Client load"
                            data-testid="load" onchange={on_load} />
                        <span class="switch-track" aria-hidden="true"><span class="switch-knob" /></span>
                        <span>{ "client load" }</span>
                    </label>
                </span>
            </div>
            <span class="clock" aria-label="Virtual time" role="timer" data-testid="clock">
                { clock_text(props.now_ms) }
            </span>
            <button class="settings-toggle" data-testid="settings" aria-haspopup="dialog"
                onclick={act(Action::ToggleSettings)}
                title="Every setting of the run: PreVote, CheckQuorum, ticks, flow control, latency, load, Ready policies">
                { "Settings" }
            </button>
            <button class="help" onclick={act(Action::ToggleHelp)} aria-label="Keyboard shortcuts"
                aria-keyshortcuts="?" title="Keyboard shortcuts (?)">{ "?" }</button>
        </header>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_reads_in_seconds() {
        assert_eq!(clock_text(4230), "t = 4.230 s");
        assert_eq!(clock_text(7), "t = 0.007 s");
    }
}
