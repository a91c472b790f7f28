//! The window's keyboard shortcuts, as one table: the key, what it does, and the words the
//! Settings window shows for it. The window looks up what was pressed here and acts on the
//! [`Shortcut`]; nothing else reads keys for the panes.

use egui::{Key, Modifiers};

/// What a shortcut does (to the active pane).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shortcut {
    SwitchPane,
    FocusPath,
    FocusFilter,
    SelectionDown,
    SelectionUp,
    Refresh,
    Up,
    /// Open the folder selected, or transfer the selection.
    OpenOrTransfer,
    Delete,
    Rename,
    NewFolder,
    Permissions,
    /// Open the search window (files on the server).
    Find,
    /// Open the selected file in its program (a server file: View/Edit).
    ViewEdit,
    NewTab,
    CloseTab,
    NextTab,
    PreviousTab,
}

/// Every shortcut: modifiers, key, action, description. egui ignores an extra Shift when
/// matching, so a Shift shortcut comes before the same one without it.
pub(crate) const SHORTCUTS: &[(Modifiers, Key, Shortcut, &str)] = &[
    (
        Modifiers::COMMAND.plus(Modifiers::SHIFT),
        Key::Tab,
        Shortcut::PreviousTab,
        "Show the previous tab",
    ),
    (
        Modifiers::COMMAND,
        Key::Tab,
        Shortcut::NextTab,
        "Show the next tab",
    ),
    (
        Modifiers::COMMAND,
        Key::T,
        Shortcut::NewTab,
        "New tab (another server at the same time)",
    ),
    (
        Modifiers::COMMAND,
        Key::W,
        Shortcut::CloseTab,
        "Close the tab (asks when transfers run in it)",
    ),
    (
        Modifiers::NONE,
        Key::Tab,
        Shortcut::SwitchPane,
        "Switch between the local and the remote pane",
    ),
    (
        Modifiers::COMMAND,
        Key::L,
        Shortcut::FocusPath,
        "Type a folder path",
    ),
    (
        Modifiers::COMMAND,
        Key::F,
        Shortcut::FocusFilter,
        "Filter the names shown",
    ),
    (
        Modifiers::NONE,
        Key::ArrowDown,
        Shortcut::SelectionDown,
        "Select the next row",
    ),
    (
        Modifiers::NONE,
        Key::ArrowUp,
        Shortcut::SelectionUp,
        "Select the previous row",
    ),
    (
        Modifiers::NONE,
        Key::F5,
        Shortcut::Refresh,
        "Refresh the folder",
    ),
    (
        Modifiers::NONE,
        Key::Backspace,
        Shortcut::Up,
        "Go to the parent folder",
    ),
    (
        Modifiers::NONE,
        Key::Enter,
        Shortcut::OpenOrTransfer,
        "Open the folder, or transfer the selection",
    ),
    (
        Modifiers::NONE,
        Key::Delete,
        Shortcut::Delete,
        "Delete the selection (asks first)",
    ),
    (Modifiers::NONE, Key::F2, Shortcut::Rename, "Rename"),
    (
        Modifiers::NONE,
        Key::F3,
        Shortcut::Find,
        "Find files on the server",
    ),
    (
        Modifiers::NONE,
        Key::F4,
        Shortcut::ViewEdit,
        "View/Edit: open the file in its program (a server file is uploaded back after asking)",
    ),
    (Modifiers::NONE, Key::F7, Shortcut::NewFolder, "New folder"),
    (
        Modifiers::COMMAND,
        Key::P,
        Shortcut::Permissions,
        "Permissions of the selection",
    ),
];

/// The shortcuts pressed this frame, in table order (their keys consumed). Tab and the arrows
/// belong to the panes: egui would move the keyboard focus with them (it decided that at the
/// start of the frame), so that is cancelled.
pub(crate) fn pressed(ctx: &egui::Context) -> Vec<Shortcut> {
    let navigation = ctx.input(|i| {
        [Key::Tab, Key::ArrowUp, Key::ArrowDown]
            .iter()
            .any(|k| i.key_pressed(*k) && i.modifiers.is_none())
    });
    if navigation {
        ctx.memory_mut(|m| m.move_focus(egui::FocusDirection::None));
    }
    SHORTCUTS
        .iter()
        .filter(|(modifiers, key, _, _)| ctx.input_mut(|i| i.consume_key(*modifiers, *key)))
        .map(|(_, _, shortcut, _)| *shortcut)
        .collect()
}

/// The table for people: "Ctrl+L  Type a folder path".
pub(crate) fn ui_shortcut_list(ui: &mut egui::Ui) {
    egui::Grid::new("shortcut-list")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (modifiers, key, _, what) in SHORTCUTS {
                let keys = ui
                    .ctx()
                    .format_shortcut(&egui::KeyboardShortcut::new(*modifiers, *key));
                ui.monospace(keys);
                ui.label(*what);
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_shortcuts_share_a_key() {
        for (i, (m, k, _, _)) in SHORTCUTS.iter().enumerate() {
            for (m2, k2, _, what) in &SHORTCUTS[i + 1..] {
                assert!(!(m == m2 && k == k2), "{k:?} twice ({what})");
            }
        }
    }
}
