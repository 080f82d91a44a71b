//! The page's frame: toolbar, cluster area and side panel.

use yew::prelude::*;

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <div class="app">
            <header class="toolbar" role="banner">
                <h1 class="title">{ "Raft Playground" }</h1>
                <p class="tagline">{ "etcd's Raft, running in your browser — step it a tick, a message or a Ready at a time." }</p>
            </header>
            <main class="bench">
                <section class="cluster" aria-label="Cluster diagram">
                    <svg class="cluster-svg" viewBox="0 0 600 400" role="img" aria-label="No nodes yet">
                        <text x="300" y="200" text-anchor="middle" class="empty-note">{ "The cluster is empty." }</text>
                    </svg>
                </section>
            </main>
        </div>
    }
}
