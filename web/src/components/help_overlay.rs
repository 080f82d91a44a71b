//! The keyboard shortcuts overlay, opened with `?`.

use yew::prelude::*;

use crate::keys::SHORTCUTS;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct HelpOverlayProps {
    pub on_action: Callback<Action>,
}

#[component(HelpOverlay)]
pub fn help_overlay(props: &HelpOverlayProps) -> Html {
    let close_ref = use_node_ref();
    // Focus moves into the dialog so that keyboard users land on it, and Enter closes it.
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(button) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let close = props.on_action.reform(|_: MouseEvent| Action::ToggleHelp);
    let backdrop = props.on_action.reform(|_: MouseEvent| Action::ToggleHelp);
    let keep = Callback::from(|e: MouseEvent| e.stop_propagation());
    html! {
        <div class="overlay" onclick={backdrop}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" onclick={keep}>
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <dl class="shortcuts">
                    { for SHORTCUTS.iter().map(|(keys, what)| html! {
                        <>
                            <dt><kbd>{ *keys }</kbd></dt>
                            <dd>{ *what }</dd>
                        </>
                    }) }
                </dl>
                <p class="hint">
                    { "Every control is reachable with Tab; nodes and messages on the diagram open in the inspector with Enter." }
                </p>
                <button ref={close_ref} class="primary" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
