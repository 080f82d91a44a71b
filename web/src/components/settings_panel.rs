//! The settings panel ("Settings" in the toolbar): every setting of the run in one dialog.
//!
//! Cluster-wide configuration (PreVote, CheckQuorum, the read-only mode, the ticks, the tick
//! interval, MaxInflightMsgs, MaxSizePerMsg, the compaction interval) is fixed when the nodes
//! start, as in etcd, so changing one starts a new run with it (its `cluster N ...` line says
//! it). The rest applies live through the commands a script would use: `link * delay=`,
//! `load every=`, `policy N`, `auto N`/`manual N`. Either way the session's script records it,
//! and the setup's part travels in the link at the bottom (`Setup::to_query`).

use cluster::command::{Command, LinkChange, LinkTarget};
use cluster::limits;
use cluster::node::ReadyPolicy;
use cluster::units::parse_latency;
use cluster::view::ClusterView;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::driver::{RunSetup, Shared};
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct SettingsPanelProps {
    pub setup: RunSetup,
    /// For the nodes' Ready policies and whether each is on automatic.
    pub view: Shared<ClusterView>,
    pub on_action: Callback<Action>,
}

/// A whole number typed into the field called `label`, or why not.
fn whole(label: &str, text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| format!("{label}: {:?} is not a whole number", text.trim()))
}

/// What a change asks for: a new run with this setup, a live command, or nothing but a message
/// (a value refused before anything happened).
enum Change {
    NewRun(RunSetup, Option<String>),
    Live(Command),
    Refused(String),
}

/// The link that opens a run with `setup`: this page's address with the setup's query.
fn share_link(setup: &RunSetup) -> String {
    let base = web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default();
    format!("{base}?{}", setup.to_query())
}

/// A cluster-wide number: a labelled field whose change starts a new run with `set` applied.
fn number_field(
    key: &'static str,
    label: &'static str,
    hint: String,
    value: u64,
    setup: &RunSetup,
    set: fn(&mut RunSetup, u64),
    change: &Callback<Change>,
) -> Html {
    let id = format!("settings-{key}");
    let onchange = {
        let setup = setup.clone();
        change.reform(move |e: Event| {
            let Some(field) = e.target_dyn_into::<HtmlInputElement>() else {
                return Change::Refused(format!("{label}: no value"));
            };
            match whole(label, &field.value()) {
                Ok(v) => {
                    let mut s = setup.clone();
                    set(&mut s, v);
                    Change::NewRun(s, None)
                }
                Err(e) => Change::Refused(e),
            }
        })
    };
    html! {
        <div class="settings-field">
            <label for={id.clone()}>{ label }</label>
            <input id={id.clone()} data-testid={id} type="number" min="0" inputmode="numeric"
                value={value.to_string()} {onchange} />
            <span class="settings-hint">{ hint }</span>
        </div>
    }
}

#[component(SettingsPanel)]
pub fn settings_panel(props: &SettingsPanelProps) -> Html {
    let first_ref = use_node_ref();
    let message = use_state(|| None::<String>);
    // Focus moves into the dialog as it opens, like the help and the lessons.
    {
        let first_ref = first_ref.clone();
        use_effect_with((), move |_| {
            if let Some(field) = first_ref.cast::<web_sys::HtmlElement>() {
                let _ = field.focus();
            }
        });
    }
    let change = {
        let message = message.clone();
        let on_action = props.on_action.clone();
        Callback::from(move |c: Change| match c {
            // Checked here first, so that a refusal names the setting and the run goes on.
            Change::NewRun(s, note) => match s.cluster_setup() {
                Ok(_) => {
                    message.set(note);
                    on_action.emit(Action::NewRun(s));
                }
                Err(e) => message.set(Some(format!("{e}; the run goes on unchanged"))),
            },
            Change::Live(cmd) => {
                message.set(None);
                on_action.emit(Action::Cluster(cmd));
            }
            Change::Refused(e) => message.set(Some(e)),
        })
    };
    let s = &props.setup;
    let flag = |set: fn(&mut RunSetup, bool)| {
        let setup = s.clone();
        change.reform(move |e: Event| {
            let on = e
                .target_dyn_into::<HtmlInputElement>()
                .is_some_and(|f| f.checked());
            let mut s = setup.clone();
            set(&mut s, on);
            // Lease-based reads are only sound with check-quorum: dropping it drops them.
            let note = (s.lease_reads && !s.check_quorum).then(|| {
                s.lease_reads = false;
                "Read-only went back to Safe: LeaseBased needs CheckQuorum.".to_string()
            });
            Change::NewRun(s, note)
        })
    };
    let on_read_only = {
        let setup = s.clone();
        change.reform(move |e: Event| {
            let lease = e
                .target_dyn_into::<HtmlSelectElement>()
                .is_some_and(|f| f.value() == "lease-based");
            Change::NewRun(
                RunSetup {
                    lease_reads: lease,
                    ..setup.clone()
                },
                None,
            )
        })
    };
    let on_latency = change.reform(|e: Event| {
        let text = e
            .target_dyn_into::<HtmlInputElement>()
            .map(|f| f.value())
            .unwrap_or_default();
        match parse_latency(text.trim()) {
            Ok(l) => Change::Live(Command::Link {
                target: LinkTarget::All,
                change: LinkChange {
                    delay: Some(l),
                    ..LinkChange::default()
                },
            }),
            Err(e) => Change::Refused(format!("link latency: {e}")),
        }
    });
    let on_load = change.reform(|e: Event| {
        let text = e
            .target_dyn_into::<HtmlInputElement>()
            .map(|f| f.value())
            .unwrap_or_default();
        match whole("client load", &text) {
            Ok(0) => Change::Live(Command::Load(None)),
            Ok(ms) if !(limits::MIN_LOAD_EVERY..=limits::MAX_RUN).contains(&ms) => {
                Change::Refused(format!(
                    "client load: a put every {ms} ms is outside {} ms to {} ms (0 turns it off)",
                    limits::MIN_LOAD_EVERY,
                    limits::MAX_RUN
                ))
            }
            Ok(ms) => Change::Live(Command::Load(Some(ms))),
            Err(e) => Change::Refused(e),
        }
    });
    let nodes = props.view.nodes.iter().map(|n| {
        let id = n.id;
        let on_policy = change.reform(move |e: Event| {
            let name = e
                .target_dyn_into::<HtmlSelectElement>()
                .map(|f| f.value())
                .unwrap_or_default();
            match ReadyPolicy::from_name(&name) {
                Some(policy) => Change::Live(Command::Policy { node: id, policy }),
                None => Change::Refused(format!("node {id}: unknown policy {name:?}")),
            }
        });
        let on_auto = change.reform(move |e: Event| {
            let on = e
                .target_dyn_into::<HtmlInputElement>()
                .is_some_and(|f| f.checked());
            Change::Live(if on {
                Command::Auto(id)
            } else {
                Command::Manual(id)
            })
        });
        let option = |p: ReadyPolicy, text: &'static str| {
            html! { <option value={p.name()} selected={n.policy == p}>{ text }</option> }
        };
        html! {
            <tr data-node={id.to_string()}>
                <th scope="row"><label for={format!("settings-policy-{id}")}>{ format!("node {id}") }</label></th>
                <td>
                    <select id={format!("settings-policy-{id}")} data-testid={format!("settings-policy-{id}")}
                        aria-label={format!("node {id} Ready policy")} onchange={on_policy}>
                        { option(ReadyPolicy::RaftNodeStart, "raft-node (etcd's raftNode)") }
                        { option(ReadyPolicy::ServeChannels, "serve-channels (raftexample)") }
                    </select>
                </td>
                <td>
                    <label class="settings-auto">
                        <input type="checkbox" data-testid={format!("settings-auto-{id}")}
                            aria-label={format!("node {id} automatic")}
                            checked={n.auto_ready} onchange={on_auto} />
                        { "automatic" }
                    </label>
                </td>
            </tr>
        }
    });
    let close = props
        .on_action
        .reform(|_: MouseEvent| Action::ToggleSettings);
    let keep = Callback::from(|e: MouseEvent| e.stop_propagation());
    let link = share_link(s);
    html! {
        <div class="overlay" onclick={close.clone()}>
            <div class="dialog settings" role="dialog" aria-modal="true"
                aria-labelledby="settings-title" data-testid="settings-panel" onclick={keep}>
                <h2 id="settings-title">{ "Settings" }</h2>
                <section aria-labelledby="settings-new-run">
                    <h3 id="settings-new-run">{ "Cluster configuration" }</h3>
                    <p class="hint">{ "etcd fixes these when a node starts: changing one starts a new run with it." }</p>
                    <div class="settings-grid">
                        <label class="settings-check">
                            <input ref={first_ref} type="checkbox" data-testid="settings-prevote"
                                checked={s.pre_vote} onchange={flag(|s, on| s.pre_vote = on)} />
                            { "PreVote" }
                        </label>
                        <label class="settings-check">
                            <input type="checkbox" data-testid="settings-checkquorum"
                                checked={s.check_quorum} onchange={flag(|s, on| s.check_quorum = on)} />
                            { "CheckQuorum" }
                        </label>
                        <div class="settings-field">
                            <label for="settings-read-only">{ "Read-only mode" }</label>
                            <select id="settings-read-only" data-testid="settings-read-only" onchange={on_read_only}>
                                <option value="safe" selected={!s.lease_reads}>{ "Safe" }</option>
                                <option value="lease-based" selected={s.lease_reads}
                                    disabled={!s.check_quorum}>{ "LeaseBased" }</option>
                            </select>
                            <span class="settings-hint">{ "LeaseBased needs CheckQuorum" }</span>
                        </div>
                        { number_field("election", "Election ticks", format!("more than the heartbeat, up to {}", limits::MAX_ELECTION_TICKS), s.election, s, |s, v| s.election = v, &change) }
                        { number_field("heartbeat", "Heartbeat ticks", format!("1 to {}", limits::MAX_ELECTION_TICKS), s.heartbeat, s, |s, v| s.heartbeat = v, &change) }
                        { number_field("tick", "Tick interval (ms)", format!("1 to {}", limits::MAX_TICK_INTERVAL), s.tick_ms, s, |s, v| s.tick_ms = v, &change) }
                        { number_field("inflight", "MaxInflightMsgs", format!("1 to {}", limits::MAX_INFLIGHT), s.inflight, s, |s, v| s.inflight = v, &change) }
                        { number_field("max-size", "MaxSizePerMsg (bytes)", format!("0 to {}", limits::MAX_SIZE_PER_MSG), s.max_size_per_msg, s, |s, v| s.max_size_per_msg = v, &change) }
                        { number_field("snapshot-count", "Snapshot count", "entries applied between compactions; 0: never".to_string(), s.snapshot_count, s, |s, v| s.snapshot_count = v, &change) }
                    </div>
                </section>
                <section aria-labelledby="settings-live">
                    <h3 id="settings-live">{ "Live" }</h3>
                    <p class="hint">{ "These apply now, as the script commands link * delay=, load every=, policy N and auto N / manual N." }</p>
                    <div class="settings-grid">
                        <div class="settings-field">
                            <label for="settings-latency">{ "Link latency" }</label>
                            <input id="settings-latency" data-testid="settings-latency" type="text"
                                value={s.latency.clone()} onchange={on_latency} />
                            <span class="settings-hint">{ format!("every link: 30ms or a range 20..80ms, up to {} s", limits::MAX_LATENCY / 1000) }</span>
                        </div>
                        <div class="settings-field">
                            <label for="settings-load">{ "Client load: a put every (ms)" }</label>
                            <input id="settings-load" data-testid="settings-load" type="number" min="0"
                                value={s.load_every_ms.to_string()} onchange={on_load} />
                            <span class="settings-hint">{ format!("{} to {}; 0: off", limits::MIN_LOAD_EVERY, limits::MAX_RUN) }</span>
                        </div>
                    </div>
                    <table class="settings-nodes">
                        <caption>{ "Each node's Ready handling" }</caption>
                        <thead><tr><th scope="col">{ "node" }</th><th scope="col">{ "Ready policy" }</th><th scope="col">{ "by hand or not" }</th></tr></thead>
                        <tbody>{ for nodes }</tbody>
                    </table>
                </section>
                if let Some(m) = &*message {
                    <p class="settings-message" role="alert" data-testid="settings-message">{ m.clone() }</p>
                }
                <div class="settings-field settings-share">
                    <label for="settings-link">{ "Link to a run with these settings" }</label>
                    <input id="settings-link" data-testid="settings-link" type="text" readonly=true value={link} />
                    <span class="settings-hint">{ "Each node's policy and manual Readys are in the session's script (Script tab, Share)." }</span>
                </div>
                <button class="primary" data-testid="settings-close" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
