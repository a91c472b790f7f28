//! How the window shares its height: the file panes come first. The queue and the log are
//! bottom panels that fold to one header line, and never take more than what leaves the panes
//! [`MIN_PANES_HEIGHT`] (at 800x600, or zoomed in, they shrink before the lists lose rows).

/// The least height the two panes keep: their header (folder, filter, buttons, columns) and a
/// few rows.
pub(crate) const MIN_PANES_HEIGHT: f32 = 220.0;

/// The least width each pane keeps (the other gives way when the window narrows).
pub(crate) const MIN_PANE_WIDTH: f32 = 220.0;

/// Which bottom panels are open.
pub(crate) struct Folds {
    pub queue: bool,
    pub log: bool,
}

impl Default for Folds {
    fn default() -> Folds {
        Folds {
            queue: true,
            log: true,
        }
    }
}

/// The largest height each open bottom panel may have when `available` is left for the panes
/// and the bottom panels together, `open` of them open: the rest after [`MIN_PANES_HEIGHT`],
/// shared.
pub(crate) fn bottom_panel_max(available: f32, open: usize) -> f32 {
    let spare = (available - MIN_PANES_HEIGHT).max(0.0);
    spare / open.max(1) as f32
}

/// The arrow in front of a panel's title that folds and unfolds it.
pub(crate) fn ui_fold_toggle(ui: &mut egui::Ui, open: &mut bool, title: &str) {
    let (arrow, verb) = if *open {
        ("⏷", "Hide")
    } else {
        ("⏵", "Show")
    };
    let button =
        egui::Button::new(egui::RichText::new(format!("{arrow} {title}")).strong()).frame(false);
    if ui
        .add(button)
        .on_hover_text(format!("{verb} the {}", title.to_lowercase()))
        .clicked()
    {
        *open = !*open;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panes_keep_their_minimum_and_the_panels_share_the_rest() {
        assert_eq!(bottom_panel_max(600.0, 2), 190.0);
        assert_eq!(bottom_panel_max(600.0, 1), 380.0);
        assert_eq!(bottom_panel_max(200.0, 2), 0.0);
    }
}
