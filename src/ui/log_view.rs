//! The log panel: the protocol dialogue of every connection, newest at the bottom, coloured by
//! direction. Bounded: the oldest lines go first.

use std::collections::VecDeque;

use egui::{Color32, RichText};

use crate::ftp::LogKind;

use super::connection::LogLine;
use super::format;

/// Lines kept; older ones are dropped.
const MAX_LINES: usize = 20_000;

/// The log's lines.
#[derive(Default)]
pub(crate) struct LogView {
    lines: VecDeque<LogLine>,
}

impl LogView {
    pub(crate) fn push(&mut self, line: LogLine) {
        if self.lines.len() == MAX_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// The whole log as text (for the clipboard).
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(&format!(
                "{} {}{}\n",
                format::clock(line.unix_time),
                prefix(line.kind),
                line.text
            ));
        }
        out
    }

    /// Draws the log; with `open` false only its header line (the arrow opens it again).
    pub(crate) fn ui(&mut self, ui: &mut egui::Ui, open: &mut bool) {
        ui.horizontal(|ui| {
            super::layout::ui_fold_toggle(ui, open, "Log");
            if !*open {
                ui.weak(format!("{} lines", self.lines.len()));
                return;
            }
            if ui
                .button("Copy")
                .on_hover_text("Copy the log to the clipboard")
                .clicked()
            {
                ui.ctx().copy_text(self.text());
            }
            if ui.button("Clear").on_hover_text("Clear the log").clicked() {
                self.lines.clear();
            }
            ui.weak("times in UTC");
        });
        if !*open {
            return;
        }
        let height = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
        let dark = ui.visuals().dark_mode;
        egui::ScrollArea::both()
            .id_salt("log-scroll")
            .auto_shrink([false, false])
            .stick_to_bottom(true)
            .show_rows(ui, height, self.lines.len(), |ui, range| {
                for line in self.lines.range(range) {
                    let color = color(line.kind, dark);
                    ui.label(
                        RichText::new(format!(
                            "{} {}{}",
                            format::clock(line.unix_time),
                            prefix(line.kind),
                            line.text
                        ))
                        .monospace()
                        .color(color),
                    );
                }
            });
    }
}

fn prefix(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Command => "> ",
        LogKind::Reply => "< ",
        LogKind::Info => "* ",
        LogKind::Error => "! ",
    }
}

fn color(kind: LogKind, dark: bool) -> Color32 {
    match (kind, dark) {
        (LogKind::Command, true) => Color32::from_rgb(0x7c, 0xb7, 0xff),
        (LogKind::Command, false) => Color32::from_rgb(0x1a, 0x4f, 0xa8),
        (LogKind::Reply, true) => Color32::from_rgb(0x9f, 0xd8, 0x9f),
        (LogKind::Reply, false) => Color32::from_rgb(0x1d, 0x6b, 0x2a),
        (LogKind::Info, true) => Color32::from_gray(0xb0),
        (LogKind::Info, false) => Color32::from_gray(0x55),
        (LogKind::Error, true) => Color32::from_rgb(0xff, 0x80, 0x80),
        (LogKind::Error, false) => Color32::from_rgb(0xb0, 0x1c, 0x1c),
    }
}
