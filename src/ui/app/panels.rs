//! The toolbar (sites menu, quick connect, security), the status bar, and the queue and log
//! panels under the panes.

use super::*;

/// About what Compare, Sync browsing and Synchronize… take in the toolbar.
const COMPARE_BUTTONS_WIDTH: f32 = 290.0;

impl FerryApp {
    /// The queue and the log under the panes: folded to a header line, or open as high as
    /// the panes can spare ([`layout::bottom_panel_max`]).
    pub(super) fn ui_bottom_panels(&mut self, ui: &mut egui::Ui) {
        let open = usize::from(self.folds.queue) + usize::from(self.folds.log);
        let max = layout::bottom_panel_max(ui.available_height(), open);
        // Folded panels have ids of their own, so an open one keeps the height it was given.
        let panel = |id: &str, open: bool, default: f32| {
            if open {
                egui::Panel::bottom(egui::Id::unique(id))
                    .resizable(true)
                    .default_size(default.min(max))
                    .min_size(40.0f32.min(max))
                    .max_size(max)
            } else {
                egui::Panel::bottom(egui::Id::unique(id).with("folded")).resizable(false)
            }
        };
        panel("log-panel", self.folds.log, 130.0).show(ui, |ui| {
            if self.folds.log {
                ui.set_min_height(ui.available_height());
            }
            self.log.ui(ui, &mut self.folds.log);
        });
        panel("queue-panel", self.folds.queue, 190.0).show(ui, |ui| {
            if self.folds.queue {
                ui.set_min_height(ui.available_height());
            }
            let engine = self.tab.conn.live.as_ref().map(|l| &l.engine);
            self.tab.queue.ui(ui, engine, &mut self.folds.queue);
        });
    }

    pub(super) fn ui_toolbar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            self.ui_sites_menu(ui);
            ui.separator();
            let action = self.quick.ui(
                ui,
                self.tab.conn.connecting.is_some(),
                &self.prefs.settings.quick_history,
            );
            self.quick_action(action);
            if ui
                .add_enabled(
                    self.tab.conn.live.is_some(),
                    egui::Button::new("Disconnect"),
                )
                .clicked()
            {
                self.disconnect();
            }
            ui.separator();
            self.ui_security_indicator(ui);
            ui.separator();
            // In the flow (not right-aligned with Settings): a narrow window puts them on a
            // line of their own, with room left for Settings, instead of under other controls.
            let room = ui.max_rect().right() - ui.cursor().min.x;
            if room < COMPARE_BUTTONS_WIDTH + 48.0 {
                ui.end_row();
            }
            self.ui_compare_buttons(ui);
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui.button("⚙").on_hover_text("Settings").clicked() {
                    self.prefs.open = !self.prefs.open;
                }
            });
        });
    }

    pub(super) fn ui_status_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if let Some(label) = &self.tab.conn.connecting {
                ui_spinner(ui, 12.0).on_hover_text("Connecting");
                ui.label(format!("Connecting to {label}…"));
            } else if let Some(status) = &self.tab.status {
                if status.error {
                    ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {}", status.text));
                } else {
                    ui.label(status.text.as_str());
                }
            }
            let retry = self.tab.status.as_ref().is_some_and(|s| s.retry)
                && self.tab.conn.connecting.is_none();
            if retry
                && ui.small_button("Retry").clicked()
                && let Some(request) = self.tab.conn.last_request.clone()
            {
                self.connect(request);
            }
            if retry
                && ui
                    .small_button("Diagnose")
                    .on_hover_text("Try the ways servers differ and say which works")
                    .clicked()
                && let Some(request) = self.tab.conn.last_request.clone()
            {
                self.diagnose(request);
            }
            self.ui_watch_status(ui);
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                ui.weak(self.tab.queue.summary());
            });
        });
    }
}
