//! A selected link between two nodes: the state of each direction; buttons to cut one or both
//! ways and to restore them; and a small form for loss rate and delay.

use cluster::command::{Command, LinkChange, LinkTarget};
use cluster::units::parse_latency;
use cluster::view::LinkView;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::geometry::percent;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct LinkInspectorProps {
    pub a: u64,
    pub b: u64,
    pub ab: Option<LinkView>,
    pub ba: Option<LinkView>,
    pub on_action: Callback<Action>,
}

fn describe(l: &Option<LinkView>) -> String {
    let Some(l) = l else {
        return "unknown".to_string();
    };
    if l.cut {
        return "cut: nothing gets through".to_string();
    }
    let mut s = format!("up, delay {}", l.delay);
    if l.drop_rate > 0.0 {
        s.push_str(&format!(", drops {}%", percent(l.drop_rate)));
    }
    if l.duplicate_rate > 0.0 {
        s.push_str(&format!(", duplicates {}%", percent(l.duplicate_rate)));
    }
    s
}

/// The loss rates offered, in percent.
const DROP_RATES: [u32; 6] = [0, 10, 20, 30, 50, 100];

/// The form's choice of direction.
fn target(direction: &str, a: u64, b: u64) -> LinkTarget {
    match direction {
        "ab" => LinkTarget::OneWay(a, b),
        "ba" => LinkTarget::OneWay(b, a),
        _ => LinkTarget::Both(a, b),
    }
}

/// The `link` command the form asks for: a loss rate in whole percent, and a delay as typed
/// (`40ms`, `20..80ms`), read as a script reads it; or why the delay cannot be read.
pub fn link_command(
    target: LinkTarget,
    drop_percent: Option<u32>,
    delay: Option<&str>,
) -> Result<Command, String> {
    let delay = delay
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(parse_latency)
        .transpose()?;
    Ok(Command::Link {
        target,
        change: LinkChange {
            drop: drop_percent.map(|p| f64::from(p.min(100)) / 100.0),
            delay,
            ..LinkChange::default()
        },
    })
}

#[component(LinkInspector)]
pub fn link_inspector(props: &LinkInspectorProps) -> Html {
    let (a, b) = (props.a, props.b);
    let direction = use_node_ref();
    let drop = use_node_ref();
    let delay = use_node_ref();
    let act = |cmd: Command| {
        props
            .on_action
            .reform(move |_: MouseEvent| Action::Cluster(cmd.clone()))
    };
    let apply = {
        let (direction, drop, delay) = (direction.clone(), drop.clone(), delay.clone());
        let cb = props.on_action.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let dir = direction
                .cast::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            let target = target(&dir, a, b);
            let percent = drop
                .cast::<HtmlSelectElement>()
                .and_then(|s| s.value().parse::<u32>().ok());
            let text = delay.cast::<HtmlInputElement>().map(|i| i.value());
            cb.emit(match link_command(target, percent, text.as_deref()) {
                Ok(cmd) => Action::Cluster(cmd),
                Err(why) => Action::Refused {
                    what: format!("link {target}"),
                    why,
                },
            });
        })
    };
    let current_drop = props
        .ab
        .as_ref()
        .map_or(0, |l| (l.drop_rate * 100.0).round() as u32);
    let current_delay = props
        .ab
        .as_ref()
        .map_or_else(String::new, |l| l.delay.clone());
    // The field is the person's while they type; it shows the link's delay when that changes.
    {
        let delay = delay.clone();
        use_effect_with(current_delay, move |d| {
            if let Some(field) = delay.cast::<HtmlInputElement>() {
                field.set_value(d);
            }
        });
    }
    html! {
        <div class="link-inspector" data-testid="link-inspector" data-link={format!("{a}-{b}")}>
            <header class="insp-head"><h2>{ format!("Link {a} ↔ {b}") }</h2></header>
            <dl class="facts wide">
                <div><dt>{ format!("{a} → {b}") }</dt><dd>{ describe(&props.ab) }</dd></div>
                <div><dt>{ format!("{b} → {a}") }</dt><dd>{ describe(&props.ba) }</dd></div>
            </dl>
            <div class="fault-buttons">
                <button class="danger" onclick={act(Command::Cut(LinkTarget::Both(a, b)))}
                    aria-label={format!("Cut the link {a}-{b} both ways")}>{ "cut both ways" }</button>
                <button class="danger" onclick={act(Command::Cut(LinkTarget::OneWay(a, b)))}
                    aria-label={format!("Cut {a} to {b}")}>{ format!("cut {a} → {b}") }</button>
                <button class="danger" onclick={act(Command::Cut(LinkTarget::OneWay(b, a)))}
                    aria-label={format!("Cut {b} to {a}")}>{ format!("cut {b} → {a}") }</button>
                <button onclick={act(Command::Heal(Some(LinkTarget::Both(a, b))))}
                    aria-label={format!("Restore the link {a}-{b}")}>{ "restore" }</button>
                <button onclick={act(Command::Link { target: LinkTarget::Both(a, b), change: LinkChange { reset: true, ..LinkChange::default() } })}
                    title="Back to the network's default delay and no loss"
                    aria-label={format!("Reset the link {a}-{b}")}>{ "default delay & loss" }</button>
            </div>
            <form class="card link-form" onsubmit={apply} aria-label={format!("Delay and loss of the link {a}-{b}")}>
                <h3>{ "Delay and loss" }</h3>
                <div class="form-row">
                    <label>
                        <span class="label-text">{ "direction" }</span>
                        <select ref={direction} aria-label="Direction">
                            <option value="both" selected=true>{ "both ways" }</option>
                            <option value="ab">{ format!("{a} → {b}") }</option>
                            <option value="ba">{ format!("{b} → {a}") }</option>
                        </select>
                    </label>
                    <label>
                        <span class="label-text">{ "drop" }</span>
                        <select ref={drop} aria-label="Drop rate">
                            { for DROP_RATES.iter().map(|&p| html! {
                                <option value={p.to_string()} selected={p == current_drop}>{ format!("{p}%") }</option>
                            }) }
                        </select>
                    </label>
                    <label>
                        <span class="label-text">{ "delay" }</span>
                        <input ref={delay} type="text" class="delay" aria-label="Delay"
                            placeholder="40ms or 20..80ms" />
                    </label>
                    <button type="submit" class="primary" aria-label={format!("Apply to the link {a}-{b}")}>{ "apply" }</button>
                </div>
                <p class="hint">{ "A range like 20..80ms draws each message's delay at random, so messages overtake each other." }</p>
            </form>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_asks_for_the_link_command_a_script_would_write() {
        assert_eq!(
            link_command(LinkTarget::Both(1, 2), Some(30), Some(" 20..80ms ")),
            Ok(Command::parse("link 1-2 drop=0.3 delay=20..80ms").unwrap())
        );
        assert_eq!(
            link_command(LinkTarget::OneWay(2, 1), Some(0), Some("")),
            Ok(Command::parse("link 2->1 drop=0").unwrap())
        );
        let e = link_command(LinkTarget::Both(1, 2), None, Some("fast")).unwrap_err();
        assert!(e.contains("invalid"), "{e}");
        assert!(link_command(LinkTarget::Both(1, 2), None, Some("2h")).is_err());
    }

    #[test]
    fn the_direction_names_the_link() {
        assert_eq!(target("both", 1, 3), LinkTarget::Both(1, 3));
        assert_eq!(target("ab", 1, 3), LinkTarget::OneWay(1, 3));
        assert_eq!(target("ba", 1, 3), LinkTarget::OneWay(3, 1));
    }
}
