//! A node's key/value store: the state machine that applied entries feed.

use std::collections::BTreeMap;

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KvStoreProps {
    pub id: u64,
    pub kv: BTreeMap<String, String>,
}

#[component(KvStore)]
pub fn kv_store(props: &KvStoreProps) -> Html {
    html! {
        <section class="card kv" aria-label={format!("Key/value store of node {}", props.id)}>
            <h3>{ "Key/value store" }</h3>
            if props.kv.is_empty() {
                <p class="muted">{ "empty: nothing applied yet" }</p>
            } else {
                <table>
                    <thead><tr><th scope="col">{ "key" }</th><th scope="col">{ "value" }</th></tr></thead>
                    <tbody>
                        { for props.kv.iter().map(|(k, v)| html! {
                            <tr><td><code>{ k }</code></td><td><code>{ v }</code></td></tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
