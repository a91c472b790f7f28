//! The Synchronize dialog (WinSCP's "Synchronize", FileZilla's missing feature): the direction
//! and options, a comparison of the two folders shown (run on the browse worker), then the
//! preview, one checkbox per change, so nothing changes that the user did not see and keep.
//! The dialog only draws and returns what was asked; the window carries it out.

use egui::RichText;

use crate::transfer::find::StopFlag;
use crate::transfer::sync::{SyncAction, SyncDirection, SyncOptions};
use crate::transfer::sync_run::SyncPreview;
use crate::transfer::walk::WalkProgress;

/// Where the dialog is.
pub(crate) enum Stage {
    /// Choosing the direction and options.
    Options,
    /// The comparison runs.
    Comparing,
    /// The changes found; `keep[i]` says whether `preview.actions[i]` is carried out.
    Preview {
        preview: Box<SyncPreview>,
        keep: Vec<bool>,
    },
    /// The chosen changes are being made (the preview is kept: a failure goes back to it).
    Running {
        preview: Box<SyncPreview>,
        keep: Vec<bool>,
    },
}

/// What the user asked of the dialog.
pub(crate) enum SyncDialogAction {
    /// Compare the two folders with these options (the window adds the site's time offset).
    Compare(SyncOptions),
    /// Carry out these changes of the preview.
    Run(Box<SyncPreview>, Vec<SyncAction>),
    /// Watch the local folder and upload what changes in it from now on (the dialog's
    /// folders).
    KeepUpToDate,
}

/// The dialog's state.
pub(crate) struct SyncDialog {
    /// The folders compared (the panes' when it opened).
    pub local: String,
    pub remote: String,
    direction: SyncDirection,
    delete: bool,
    size_only: bool,
    checksum: bool,
    pub stage: Stage,
    /// Why the last comparison failed.
    pub error: Option<String>,
    /// The browse request whose answer the dialog waits for (an answer to an older one, from
    /// before the dialog was closed and opened again, is not this dialog's).
    pub pending: Option<u64>,
    /// Ends the comparison that runs (set by the window with the request).
    pub stop: Option<StopFlag>,
    /// How far the running comparison's walk got.
    pub walked: Option<WalkProgress>,
}

impl SyncDialog {
    /// A dialog for the folders shown; uploading, without deletions.
    pub(crate) fn new(local: String, remote: String) -> SyncDialog {
        SyncDialog {
            local,
            remote,
            direction: SyncDirection::Upload,
            delete: false,
            size_only: false,
            checksum: false,
            stage: Stage::Options,
            error: None,
            pending: None,
            stop: None,
            walked: None,
        }
    }

    /// Stops the comparison that runs, if one does; its answer is no longer waited for.
    pub(crate) fn stop_comparing(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.stop();
        }
        if matches!(self.stage, Stage::Comparing) {
            self.pending = None;
            self.error = Some("Comparison stopped; nothing was changed.".into());
            self.stage = Stage::Options;
        }
    }

    /// The request for the changes failed: back to the preview, with the same choices.
    pub(crate) fn run_failed(&mut self, why: String) {
        self.error = Some(why);
        self.stage = match std::mem::replace(&mut self.stage, Stage::Options) {
            Stage::Running { preview, keep } => Stage::Preview { preview, keep },
            other => other,
        };
    }

    /// The comparison came back.
    pub(crate) fn compared(&mut self, result: Result<Box<SyncPreview>, String>) {
        self.stop = None;
        self.walked = None;
        match result {
            Ok(preview) => {
                // Conflicts are shown, never carried out.
                let keep = preview
                    .actions
                    .iter()
                    .map(|a| !matches!(a, SyncAction::Conflict(..)))
                    .collect();
                self.error = None;
                self.stage = Stage::Preview { preview, keep };
            }
            Err(e) => {
                self.error = Some(e);
                self.stage = Stage::Options;
            }
        }
    }

    /// Draws the dialog; `open` goes false when it is closed.
    pub(crate) fn ui(&mut self, ctx: &egui::Context, open: &mut bool) -> Option<SyncDialogAction> {
        let mut action = None;
        egui::Window::new("Synchronize")
            .id(egui::Id::unique("sync-dialog"))
            .open(open)
            .collapsible(false)
            .resizable(true)
            .default_width(620.0)
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(egui::pos2(ctx.content_rect().center().x, 90.0))
            .show(ctx, |ui| {
                egui::Grid::new("sync-folders")
                    .num_columns(2)
                    .show(ui, |ui| {
                        ui.label("This computer");
                        ui.monospace(self.local.as_str());
                        ui.end_row();
                        ui.label("The server");
                        ui.monospace(crate::ftp::text::escape(&self.remote));
                        ui.end_row();
                    });
                ui.separator();
                action = self.ui_options(ui);
                if let Some(error) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {error}"));
                }
                if let Some(run) = self.ui_preview(ui) {
                    action = Some(run);
                }
                ui.separator();
                if ui
                    .button("Keep the server up to date")
                    .on_hover_text(
                        "Watch this computer's folder and upload each file as it is saved (deletions are not copied)",
                    )
                    .clicked()
                {
                    action = Some(SyncDialogAction::KeepUpToDate);
                }
            });
        action
    }

    fn ui_options(&mut self, ui: &mut egui::Ui) -> Option<SyncDialogAction> {
        let busy = matches!(self.stage, Stage::Comparing | Stage::Running { .. });
        let before = (self.direction, self.delete, self.size_only, self.checksum);
        ui.add_enabled_ui(!busy, |ui| {
            ui.radio_value(
                &mut self.direction,
                SyncDirection::Upload,
                "Upload: make the server folder like this computer's",
            );
            ui.radio_value(
                &mut self.direction,
                SyncDirection::Download,
                "Download: make this computer's folder like the server's",
            );
            ui.radio_value(
                &mut self.direction,
                SyncDirection::Both,
                "Both ways: copy what is new or newer to the other side",
            );
            ui.add_enabled(
                self.direction != SyncDirection::Both,
                egui::Checkbox::new(
                    &mut self.delete,
                    "Delete what exists only on the side being changed",
                ),
            )
            .on_disabled_hover_text(
                "Both ways never deletes: a file missing on one side may be new on the other",
            );
            ui.checkbox(&mut self.size_only, "Compare by size only (ignore times)");
            ui.checkbox(
                &mut self.checksum,
                "Compare contents by checksum where the server offers one (HASH, XCRC)",
            );
        });
        if (self.direction, self.delete, self.size_only, self.checksum) != before
            && matches!(self.stage, Stage::Preview { .. })
        {
            // The preview no longer says what these options would do.
            self.stage = Stage::Options;
        }
        let mut action = None;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!busy, egui::Button::new("Compare"))
                .clicked()
            {
                let mut options = SyncOptions::new(self.direction);
                options.delete = self.delete && self.direction != SyncDirection::Both;
                options.size_only = self.size_only;
                options.checksum = self.checksum;
                self.stage = Stage::Comparing;
                self.walked = None;
                self.error = None;
                action = Some(SyncDialogAction::Compare(options));
            }
            let mut stop_clicked = false;
            match self.stage {
                Stage::Comparing => {
                    super::spinner::ui_spinner(ui, 14.0);
                    ui.label(match self.walked {
                        Some(w) => format!("Comparing… {} folders, {} files", w.folders, w.files),
                        None => "Comparing…".into(),
                    });
                    // A big tree takes a question per file; stopping only sets a flag.
                    stop_clicked = ui.button("Stop").clicked();
                }
                Stage::Running { .. } => {
                    super::spinner::ui_spinner(ui, 14.0);
                    ui.label("Making the changes…");
                }
                _ => {}
            }
            if stop_clicked {
                self.stop_comparing();
            }
        });
        action
    }

    fn ui_preview(&mut self, ui: &mut egui::Ui) -> Option<SyncDialogAction> {
        let Stage::Preview { preview, keep } = &mut self.stage else {
            return None;
        };
        ui.separator();
        let changes = preview.changes();
        let conflicts = preview.actions.len() - changes;
        if changes == 0 {
            ui.label(format!(
                "Already in sync ({conflicts} conflict(s) left alone)."
            ));
        } else {
            ui.horizontal(|ui| {
                ui.label(format!("{changes} change(s), {conflicts} conflict(s)"));
                if ui.small_button("All").clicked() {
                    for (k, a) in keep.iter_mut().zip(&preview.actions) {
                        *k = !matches!(a, SyncAction::Conflict(..));
                    }
                }
                if ui.small_button("None").clicked() {
                    keep.iter_mut().for_each(|k| *k = false);
                }
            });
        }
        egui::ScrollArea::vertical()
            .max_height(320.0)
            .auto_shrink([false, true])
            .show_rows(
                ui,
                ui.text_style_height(&egui::TextStyle::Monospace) + 6.0,
                preview.actions.len(),
                |ui, range| {
                    for i in range {
                        let action = &preview.actions[i];
                        let text = RichText::new(action.describe()).monospace();
                        if matches!(action, SyncAction::Conflict(..)) {
                            ui.label(text.color(ui.visuals().warn_fg_color));
                        } else {
                            ui.checkbox(&mut keep[i], text);
                        }
                    }
                },
            );
        for note in &preview.notes {
            ui.colored_label(ui.visuals().warn_fg_color, format!("Note: {note}"));
        }
        for failed in preview.failed.iter().take(20) {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Could not be listed, left alone: {failed}"),
            );
        }
        for skipped in preview.skipped.iter().take(20) {
            ui.weak(format!("Not compared: {skipped}"));
        }
        let kept = keep.iter().filter(|k| **k).count();
        ui.separator();
        if !ui
            .add_enabled(
                kept > 0,
                egui::Button::new(format!("Synchronize {kept} change(s)")),
            )
            .clicked()
        {
            return None;
        }
        let chosen: Vec<SyncAction> = preview
            .actions
            .iter()
            .zip(keep.iter())
            .filter(|(_, k)| **k)
            .map(|(a, _)| a.clone())
            .collect();
        let action = SyncDialogAction::Run(preview.clone(), chosen);
        if let Stage::Preview { preview, keep } = std::mem::replace(&mut self.stage, Stage::Options)
        {
            self.stage = Stage::Running { preview, keep };
        }
        Some(action)
    }
}
