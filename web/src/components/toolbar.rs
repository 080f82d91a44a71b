//! The toolbar: the title, playback, single steps, reset and seed, and the entries for features
//! still to come (scenarios, share), plus the help button.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::command::Command;
use crate::state::{speed_label, Action, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    pub now_ms: u64,
    pub seed: u64,
    /// The page shows sample data, not a simulation.
    pub sample: bool,
    pub on_action: Callback<Action>,
}

/// Virtual time as seconds with milliseconds: `t = 4.230 s`.
fn clock_text(now_ms: u64) -> String {
    format!("t = {}.{:03} s", now_ms / 1000, now_ms % 1000)
}

#[component(Toolbar)]
pub fn toolbar(props: &ToolbarProps) -> Html {
    let seed_ref = use_node_ref();
    let act = |action: Action| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(action.clone()))
    };
    let on_speed = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Ok(i) = select.value().parse::<usize>() {
                    cb.emit(Action::Speed(i));
                }
            }
        })
    };
    // The seed takes effect on reset: a new seed means a new run from the start.
    let reset = {
        let cb = props.on_action.clone();
        let seed_ref = seed_ref.clone();
        let current = props.seed;
        move || {
            let seed = seed_ref
                .cast::<HtmlInputElement>()
                .and_then(|input| input.value().trim().parse::<u64>().ok())
                .unwrap_or(current);
            cb.emit(Action::Cluster(Command::Reset { seed }));
        }
    };
    let on_reset = {
        let reset = reset.clone();
        Callback::from(move |_: MouseEvent| reset())
    };
    let on_seed_key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" {
            reset();
        }
    });

    let (play_icon, play_label) = if props.playing {
        ("❚❚", "Pause")
    } else {
        ("▶", "Play")
    };

    html! {
        <header class="toolbar" role="banner">
            <h1 class="title">{ "Raft Playground" }</h1>
            <div class="controls" role="toolbar" aria-label="Simulation controls">
                <button
                    class={classes!("play", props.playing.then_some("on"))}
                    onclick={act(Action::TogglePlay)}
                    aria-label={play_label}
                    aria-keyshortcuts="Space"
                    title={format!("{play_label} (Space)")}
                >
                    <span aria-hidden="true">{ play_icon }</span>
                </button>
                <label class="speed">
                    <span class="label-text">{ "speed" }</span>
                    <select aria-label="Speed" onchange={on_speed} title="Playback speed (+ / −)">
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
                        aria-keyshortcuts="ArrowRight" title="One tick (→)">{ "tick" }</button>
                    <button onclick={act(Action::StepMessage)} aria-label="Deliver the next message"
                        aria-keyshortcuts="ArrowDown" title="The next message (↓)">{ "message" }</button>
                    <button onclick={act(Action::StepReady)} aria-label="Handle the next Ready"
                        aria-keyshortcuts="ArrowUp" title="The next pending Ready (↑)">{ "Ready" }</button>
                </span>
                <button onclick={on_reset} aria-label="Reset the cluster with the seed"
                    title="Start over with this seed">{ "reset" }</button>
                <label class="seed">
                    <span class="label-text">{ "seed" }</span>
                    <input
                        ref={seed_ref}
                        type="number"
                        min="0"
                        aria-label="Seed"
                        value={props.seed.to_string()}
                        onkeydown={on_seed_key}
                        title="Enter or reset starts a run from this seed"
                    />
                </label>
                <select class="scenario" aria-label="Scenario" disabled=true
                    title="Built-in scenarios arrive with the script editor">
                    <option>{ "scenario…" }</option>
                </select>
                <button disabled=true aria-label="Share this run" title="Sharing arrives with scripts">
                    { "share" }
                </button>
            </div>
            <span class="clock" aria-label="Virtual time" role="timer">{ clock_text(props.now_ms) }</span>
            if props.sample {
                <span class="sample-badge"
                    title="No simulation is wired in yet: a hand-written sample cluster, animated just enough to draw">
                    { "sample data" }
                </span>
            }
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
