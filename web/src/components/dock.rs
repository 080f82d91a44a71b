//! The dock under the logs: the event log, the clients and the network (partitions,
//! membership), one at a time behind tabs.

use cluster::view::ClusterView;
use yew::prelude::*;

use crate::components::clients_panel::ClientsPanel;
use crate::components::event_log::EventLog;
use crate::components::partition_editor::PartitionEditor;
use crate::driver::{EventFilter, EventLine, Shared};
use crate::state::{Action, DockTab};

#[derive(Properties, PartialEq)]
pub struct DockProps {
    pub tab: DockTab,
    pub view: Shared<ClusterView>,
    pub events: Shared<Vec<EventLine>>,
    pub filter: EventFilter,
    pub clients: Shared<Vec<String>>,
    pub on_action: Callback<Action>,
}

/// The tabs, their labels and their ids (for `aria-controls` and tests).
const TABS: [(DockTab, &str, &str); 3] = [
    (DockTab::Events, "Event log", "events"),
    (DockTab::Clients, "Clients", "clients"),
    (DockTab::Network, "Partitions & membership", "network"),
];

#[component(Dock)]
pub fn dock(props: &DockProps) -> Html {
    let view = &props.view;
    let nodes: Vec<u64> = view.nodes.iter().map(|n| n.id).collect();
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
