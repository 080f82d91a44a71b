//! The dock under the logs: the event log, the clients, the network (partitions, membership) and
//! the script editor, one at a time behind tabs.

use std::rc::Rc;

use cluster::script::Transcript;
use cluster::script_run::ScriptProgress;
use cluster::view::ClusterView;
use yew::prelude::*;

use crate::components::clients_panel::ClientsPanel;
use crate::components::event_log::EventLog;
use crate::components::partition_editor::PartitionEditor;
use crate::components::script_panel::{RunResultView, ScriptPanel, ScriptRun};
use crate::driver::{EventFilter, EventLine, Shared};
use crate::state::{Action, DockTab};

#[derive(Properties, PartialEq)]
pub struct DockProps {
    pub tab: DockTab,
    pub view: Shared<ClusterView>,
    pub events: Shared<Vec<EventLine>>,
    pub filter: EventFilter,
    pub clients: Shared<Vec<String>>,
    /// The last script run, shown in the script tab.
    pub last_run: Option<Shared<Transcript>>,
    /// Where the script under way stands, while one runs.
    #[prop_or_default]
    pub script_progress: Option<ScriptProgress>,
    /// The session recorded as a script, while the script tab's record view is open.
    pub recorded: Option<AttrValue>,
    /// The record view was opened or closed (the app records only while it is open).
    pub on_record: Callback<bool>,
    pub on_action: Callback<Action>,
}

/// The tabs, their labels and their ids (for `aria-controls` and tests).
const TABS: [(DockTab, &str, &str); 4] = [
    (DockTab::Events, "Event log", "events"),
    (DockTab::Clients, "Clients", "clients"),
    (DockTab::Network, "Partitions & membership", "network"),
    (DockTab::Script, "Script", "script"),
];

#[component(Dock)]
pub fn dock(props: &DockProps) -> Html {
    let view = &props.view;
    let nodes: Vec<u64> = view.nodes.iter().map(|n| n.id).collect();
    // Hooks run on every render, whichever tab shows, so the script panel's props stay the same
    // objects from frame to frame and the editor is not redrawn while the cluster plays.
    let result = use_memo(props.last_run.clone(), |run| {
        run.as_ref()
            .map(|t| Rc::new(RunResultView::from_transcript(&t.0)))
    });
    let on_run = use_callback(props.on_action.clone(), |run: ScriptRun, on_action| {
        on_action.emit(Action::RunScript {
            text: run.text,
            seed: run.seed,
        })
    });
    let on_stop = props.on_action.reform(|_: ()| Action::StopScript);
    let panel = match props.tab {
        DockTab::Events => html! {
            <EventLog events={props.events.clone()} filter={props.filter.clone()}
                nodes={nodes} on_action={props.on_action.clone()} />
        },
        DockTab::Clients => html! {
            <ClientsPanel view={view.clone()} history={props.clients.clone()}
                on_action={props.on_action.clone()} />
        },
        DockTab::Network => html! {
            <PartitionEditor nodes={nodes} partitions={view.partitions.clone()}
                leader={view.leader} config={view.config.clone()} on_action={props.on_action.clone()} />
        },
        DockTab::Script => html! {
            <ScriptPanel on_run={on_run} result={(*result).clone()}
                progress={props.script_progress.clone()} on_stop={on_stop}
                recorded={props.recorded.clone()} on_record={props.on_record.clone()}
                default_seed={view.seed} />
        },
    };
    let id = TABS
        .iter()
        .find(|(t, _, _)| *t == props.tab)
        .map_or("events", |(_, _, id)| *id);
    html! {
        <div class="dock">
            <div class="dock-tabs" role="tablist" aria-label="Panels">
                { for TABS.iter().map(|&(tab, label, id)| {
                    let selected = tab == props.tab;
                    let onclick = props.on_action.reform(move |_: MouseEvent| Action::Dock(tab));
                    html! {
                        <button role="tab" class={classes!("dock-tab", selected.then_some("on"))}
                            id={format!("tab-{id}")} aria-selected={selected.to_string()}
                            aria-controls={format!("panel-{id}")} data-testid={format!("tab-{id}")}
                            {onclick}>{ label }</button>
                    }
                }) }
            </div>
            <div class="dock-panel" role="tabpanel" id={format!("panel-{id}")}
                aria-labelledby={format!("tab-{id}")}>
                { panel }
            </div>
        </div>
    }
}
