//! The storage threads of a node with asynchronous storage writes (etcd's
//! `AsyncStorageWrites`), in the inspector where a synchronous node shows its Ready: the append
//! thread's queue (entries and HardState to write and fsync, and the acknowledgements that wait
//! for that write) and the apply thread's (committed entries to apply), oldest first, each
//! steppable by hand like etcd's `process-append-thread` and `process-apply-thread`.

use cluster::command::Command;
use cluster::view::StorageWorkView;
use yew::prelude::*;

use crate::components::ready_inspector::auto_switch;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct StorageThreadsProps {
    pub id: u64,
    pub append: Vec<StorageWorkView>,
    pub apply: Vec<StorageWorkView>,
    /// The threads finish their work by themselves (the node's Ready policy is automatic).
    pub auto: bool,
    pub crashed: bool,
    pub on_action: Callback<Action>,
}

fn queue(
    name: &str,
    testid: &str,
    work: &[StorageWorkView],
    step: Callback<MouseEvent>,
    step_label: String,
    enabled: bool,
) -> Html {
    html! {
        <div class="thread" data-testid={testid.to_string()} data-queued={work.len().to_string()}>
            <div class="thread-head">
                <h4>{ name }</h4>
                <button aria-label={step_label} disabled={!enabled || work.is_empty()} onclick={step}>
                    { "finish the oldest" }
                </button>
            </div>
            if work.is_empty() {
                <p class="ready-none">{ "idle" }</p>
            } else {
                <ol class="thread-queue">
                    { for work.iter().map(|w| html! {
                        <li title={w.description.clone()}>
                            <span class="work-summary">{ w.summary.clone() }</span>
                            <span class="work-due">{ format!("due at {} ms", w.due_ms) }</span>
                            if !w.responses.is_empty() {
                                <span class="work-responses">
                                    { format!("then sends: {}", w.responses.join(", ")) }
                                </span>
                            }
                        </li>
                    }) }
                </ol>
            }
        </div>
    }
}

#[component(StorageThreads)]
pub fn storage_threads(props: &StorageThreadsProps) -> Html {
    let id = props.id;
    let append = props
        .on_action
        .reform(move |_: MouseEvent| Action::Cluster(Command::ProcessAppendThread(vec![id])));
    let apply = props
        .on_action
        .reform(move |_: MouseEvent| Action::Cluster(Command::ProcessApplyThread(vec![id])));
    let hand_out = props
        .on_action
        .reform(move |_: MouseEvent| Action::Cluster(Command::ProcessReady(vec![id])));
    let title_id = format!("threads-title-{id}");
    let up = !props.crashed;
    html! {
        <section class="card ready threads" data-testid="storage-threads" aria-labelledby={title_id.clone()}>
            <header class="ready-head">
                <h3 id={title_id}>{ "Storage threads" }</h3>
                <span class="sub">{ "asynchronous writes: no Advance" }</span>
                { auto_switch(id, props.auto, "Let the node hand out its Readys and its threads finish their work by themselves", &props.on_action) }
            </header>
            if props.crashed {
                <p class="ready-none">{ "The node is down: its threads lost what they had not finished." }</p>
            } else if !props.auto {
                <p class="threads-manual">
                    <button aria-label={format!("hand out the Ready of node {id}")} onclick={hand_out}>
                        { "hand out the Ready" }
                    </button>
                    { " its messages to peers leave at once; its storage work joins the queues below" }
                </p>
            }
            { queue("Append thread", "append-thread", &props.append, append,
                format!("process the append thread of node {id}"), up) }
            { queue("Apply thread", "apply-thread", &props.apply, apply,
                format!("process the apply thread of node {id}"), up) }
        </section>
    }
}
