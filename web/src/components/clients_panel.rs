//! Clients: a form to put, get or delete a key through a chosen node, the latest operations as
//! the history records them, and every node's key/value store side by side, so a node that is
//! behind (or wrong) stands out.

use std::collections::BTreeSet;

use cluster::command::{ClientVerb, Command};
use cluster::limits;
use cluster::view::ClusterView;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::driver::Shared;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct ClientsPanelProps {
    pub view: Shared<ClusterView>,
    /// The latest operations, newest first.
    pub history: Shared<Vec<String>>,
    pub on_action: Callback<Action>,
}

/// The command the form asks for, or why it cannot be sent. The form is typed text: it is
/// checked here as the script language checks a client line (one word each, within the
/// language's bound on data).
pub fn client_command(op: &str, node: u64, key: &str, value: &str) -> Result<Command, String> {
    let key = key.trim();
    let value = value.trim();
    let word = |s: &str| !s.is_empty() && !s.contains(|c: char| c.is_whitespace() || c == '=');
    if !word(key) {
        return Err("a key is one word, without spaces or =".into());
    }
    limits::data(key, "key")?;
    let verb = match op {
        "put" => {
            if !word(value) {
                return Err("a value is one word, without spaces or =".into());
            }
            limits::data(value, "value")?;
            ClientVerb::Put
        }
        "get" => ClientVerb::Get,
        "delete" => ClientVerb::Delete,
        other => return Err(format!("unknown operation {other}")),
    };
    Ok(Command::Client {
        verb,
        node,
        key: key.to_string(),
        value: if verb == ClientVerb::Put {
            value.to_string()
        } else {
            String::new()
        },
        client: None,
    })
}

#[component(ClientsPanel)]
pub fn clients_panel(props: &ClientsPanelProps) -> Html {
    let view = &props.view;
    let node = use_node_ref();
    let op = use_node_ref();
    let key = use_node_ref();
    let value = use_node_ref();
    let problem = use_state(|| None::<String>);
    // Filled in once, then the person's: the panel redraws while time runs, and a field with a
    // fixed value would be reset under their fingers.
    {
        let (key, value) = (key.clone(), value.clone());
        use_effect_with((), move |_| {
            for (r, v) in [(&key, "x"), (&value, "1")] {
                if let Some(field) = r.cast::<HtmlInputElement>() {
                    field.set_value(v);
                }
            }
        });
    }
    let submit = {
        let (node, op, key, value) = (node.clone(), op.clone(), key.clone(), value.clone());
        let cb = props.on_action.clone();
        let problem = problem.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let sel = |r: &NodeRef| {
                r.cast::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default()
            };
            let text = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let Ok(n) = sel(&node).parse::<u64>() else {
                problem.set(Some("choose a node".into()));
                return;
            };
            match client_command(&sel(&op), n, &text(&key), &text(&value)) {
                Ok(cmd) => {
                    problem.set(None);
                    cb.emit(Action::Cluster(cmd));
                }
                Err(e) => problem.set(Some(e)),
            }
        })
    };
    let default_node = view.leader.or(view.nodes.first().map(|n| n.id));
    let keys: BTreeSet<&String> = crate::set_from(view.nodes.iter().flat_map(|n| n.kv.keys()));
    html! {
        <div class="clients-panel">
            <div class="clients-left">
                <form class="client-form" onsubmit={submit} aria-label="Client request" data-testid="client-form">
                    <select ref={op} aria-label="Operation" data-testid="client-op">
                        <option value="put" selected=true>{ "put" }</option>
                        <option value="get">{ "get" }</option>
                        <option value="delete">{ "delete" }</option>
                    </select>
                    <input ref={key} type="text" class="kv-key" aria-label="Key" placeholder="key"
                        data-testid="client-key" />
                    <span class="eq" aria-hidden="true">{ "=" }</span>
                    <input ref={value} type="text" class="kv-value" aria-label="Value" placeholder="value"
                        data-testid="client-value" />
                    <label>
                        <span class="label-text">{ "via" }</span>
                        <select ref={node} aria-label="Send to node" data-testid="client-node">
                            { for view.nodes.iter().map(|n| html! {
                                <option value={n.id.to_string()} selected={Some(n.id) == default_node}>
                                    { format!("node {}{}", n.id, if Some(n.id) == view.leader { " (leader)" } else { "" }) }
                                </option>
                            }) }
                        </select>
                    </label>
                    <button type="submit" class="primary" data-testid="client-send">{ "send" }</button>
                </form>
                if let Some(p) = &*problem {
                    <p class="form-problem" role="alert">{ p }</p>
                }
                <p class="hint">{ "A follower forwards a put to its leader; a get is a ReadIndex read, answered once the leader confirms it still leads." }</p>
                <ol class="client-history" aria-label="Latest client operations" data-testid="client-history">
                    { for props.history.iter().map(|op| html! { <li><code>{ op }</code></li> }) }
                </ol>
            </div>
            <table class="kv-matrix" aria-label="Key/value store of every node" data-testid="kv-matrix">
                <thead>
                    <tr>
                        <th scope="col">{ "key" }</th>
                        { for view.nodes.iter().map(|n| html! {
                            <th scope="col" class={classes!(n.crashed.then_some("down"))}>
                                { format!("n{}", n.id) }
                                <span class="muted">{ format!(" @{}", n.applied) }</span>
                            </th>
                        }) }
                    </tr>
                </thead>
                <tbody>
                    if keys.is_empty() {
                        <tr><td colspan={(view.nodes.len() + 1).to_string()} class="muted">{ "every store is empty: nothing applied yet" }</td></tr>
                    }
                    { for keys.iter().map(|k| {
                        // The value most nodes hold; the others are behind or wrong.
                        let values: Vec<Option<&String>> = view.nodes.iter().map(|n| n.kv.get(*k)).collect();
                        let common = values.iter().max_by_key(|v| values.iter().filter(|w| w == v).count()).copied().flatten();
                        html! {
                            <tr>
                                <th scope="row"><code>{ *k }</code></th>
                                { for values.iter().map(|v| html! {
                                    <td class={classes!((*v != common).then_some("differs"))}>
                                        <code>{ v.map(|s| s.as_str()).unwrap_or("–") }</code>
                                    </td>
                                }) }
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_checks_keys_and_values() {
        assert_eq!(
            client_command("put", 2, " x ", "5"),
            Ok(Command::parse("put 2 x=5").unwrap())
        );
        assert_eq!(
            client_command("get", 1, "x", "ignored"),
            Ok(Command::parse("get 1 x").unwrap())
        );
        assert_eq!(
            client_command("delete", 1, "x", ""),
            Ok(Command::parse("delete 1 x").unwrap())
        );
        let long = "v".repeat(cluster::limits::MAX_DATA_LEN + 1);
        let e = client_command("put", 1, "x", &long).unwrap_err();
        assert!(e.contains("over the limit"), "{e}");
        assert!(client_command("put", 1, "", "5").is_err());
        assert!(client_command("put", 1, "a b", "5").is_err());
        assert!(client_command("put", 1, "x", "a=b").is_err());
        assert!(client_command("put", 1, "x", "").is_err());
        assert!(client_command("cas", 1, "x", "1").is_err());
    }
}
