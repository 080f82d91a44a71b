//! Keyboard shortcuts. The mapping is a pure function so it can be tested without a browser and
//! listed in the help overlay from the same table.

use crate::state::{Action, Selection};

/// The shortcuts as the help overlay lists them: keys, then what they do.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "play / pause"),
    ("→", "step one tick"),
    ("↓", "deliver the next message"),
    ("↑", "handle the next pending Ready"),
    (
        "←",
        "one event back in time (acting there forks the timeline)",
    ),
    ("End", "back to the present"),
    ("+ / −", "faster / slower"),
    ("1 … 9", "select a node"),
    ("Esc", "close this help, or clear the selection"),
    ("d", "show or hide the space-time diagram"),
    ("?", "show or hide this help"),
];

/// The action for a key press (`KeyboardEvent.key`), if it is a shortcut. Presses with Ctrl,
/// Alt or Meta belong to the browser and are never taken.
pub fn action_for_key(key: &str, ctrl_alt_meta: bool) -> Option<Action> {
    if ctrl_alt_meta {
        return None;
    }
    Some(match key {
        " " | "Spacebar" => Action::TogglePlay,
        "ArrowRight" => Action::Tick,
        "ArrowDown" => Action::StepMessage,
        "ArrowUp" => Action::StepReady,
        "ArrowLeft" => Action::SeekBy(-1),
        "End" => Action::BackToPresent,
        "+" | "=" => Action::Faster,
        "-" | "_" => Action::Slower,
        "?" => Action::ToggleHelp,
        "d" | "D" => Action::ToggleSpaceTime,
        "Escape" | "Esc" => Action::Escape,
        _ => {
            let digit = key.parse::<u64>().ok().filter(|d| (1..=9).contains(d))?;
            Action::Select(Selection::Node(digit))
        }
    })
}

/// Whether a key press aimed at an element with this tag (and ARIA role) is that element's own
/// business: typing in a field, moving a slider, pressing a focused button with Space or Enter.
pub fn belongs_to_target(tag: &str, role: Option<&str>, key: &str) -> bool {
    match tag.to_ascii_lowercase().as_str() {
        "input" | "select" | "textarea" => key != "Escape",
        "button" | "a" | "summary" => key == " " || key == "Enter",
        _ => matches!(role, Some("button" | "switch")) && (key == " " || key == "Enter"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_keys_do_what_they_say() {
        assert_eq!(action_for_key(" ", false), Some(Action::TogglePlay));
        assert_eq!(action_for_key("ArrowRight", false), Some(Action::Tick));
        assert_eq!(
            action_for_key("ArrowDown", false),
            Some(Action::StepMessage)
        );
        assert_eq!(action_for_key("ArrowUp", false), Some(Action::StepReady));
        assert_eq!(action_for_key("ArrowLeft", false), Some(Action::SeekBy(-1)));
        assert_eq!(action_for_key("End", false), Some(Action::BackToPresent));
        assert_eq!(action_for_key("?", false), Some(Action::ToggleHelp));
        assert_eq!(
            action_for_key("3", false),
            Some(Action::Select(Selection::Node(3)))
        );
        assert_eq!(action_for_key("0", false), None);
        assert_eq!(action_for_key("x", false), None);
        assert_eq!(
            action_for_key(" ", true),
            None,
            "Ctrl+Space is the browser's"
        );
    }

    #[test]
    fn fields_and_focused_buttons_keep_their_own_keys() {
        assert!(belongs_to_target("INPUT", None, "ArrowRight"));
        assert!(belongs_to_target("input", None, " "));
        assert!(!belongs_to_target("input", None, "Escape"));
        assert!(belongs_to_target("BUTTON", None, " "));
        assert!(!belongs_to_target("BUTTON", None, "ArrowRight"));
        assert!(belongs_to_target("g", Some("button"), "Enter"));
        assert!(!belongs_to_target("div", None, " "));
    }
}
