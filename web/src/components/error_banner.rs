//! The banner that says why the last command was refused. (A panic has its own banner, written
//! outside yew: see `crate::panic`.)

use yew::prelude::*;

use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    pub error: Option<String>,
    pub on_action: Callback<Action>,
}

#[component(ErrorBanner)]
pub fn error_banner(props: &ErrorBannerProps) -> Html {
    let Some(error) = &props.error else {
        return html! {};
    };
    let dismiss = props.on_action.reform(|_: MouseEvent| Action::DismissError);
    html! {
        <div class="error-banner" role="alert">
            <span class="error-icon" aria-hidden="true">{ "!" }</span>
            <span class="error-text">{ error }</span>
            <button onclick={dismiss} aria-label="Dismiss the message">{ "✕" }</button>
        </div>
    }
}
