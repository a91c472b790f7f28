//! The queue panel: the engine's items as the window knows them (kept current from engine
//! events, so drawing never locks the engine), in three tabs.

use std::collections::BTreeMap;

use egui::{Align, Layout, RichText};
use egui_extras::{Column, TableBuilder};

use crate::transfer::{Command, Direction, Engine, Event, Item, ItemState};

use super::format;

/// The tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum QueueTab {
    #[default]
    Pending,
    Failed,
    Done,
}

struct Row {
    item: Item,
    speed: f64,
    eta: Option<f64>,
}

/// What the window knows of the queue.
#[derive(Default)]
pub(crate) struct QueueView {
    rows: BTreeMap<u64, Row>,
    pub tab: QueueTab,
}

impl QueueView {
    /// Applies an engine event; `engine` is asked for the details of new items only.
    pub(crate) fn apply(&mut self, event: &Event, engine: Option<&Engine>) {
        match event {
            Event::Added(ids) => {
                if let Some(engine) = engine {
                    let first = ids.iter().min().copied().unwrap_or(0);
                    for item in engine.items() {
                        if item.id >= first && !self.rows.contains_key(&item.id) {
                            self.rows.insert(
                                item.id,
                                Row {
                                    item,
                                    speed: 0.0,
                                    eta: None,
                                },
                            );
                        }
                    }
                }
            }
            Event::State { id, state, error } => {
                if let Some(row) = self.rows.get_mut(id) {
                    row.item.state = *state;
                    if error.is_some() {
                        row.item.last_error = error.clone();
                    }
                    if *state == ItemState::Done
                        && let Some(size) = row.item.size
                    {
                        row.item.bytes_done = size;
                    }
                    if *state != ItemState::Active {
                        row.speed = 0.0;
                        row.eta = None;
                    }
                }
            }
            Event::Progress {
                id,
                bytes_done,
                total,
                speed,
                eta,
            } => {
                if let Some(row) = self.rows.get_mut(id) {
                    row.item.bytes_done = *bytes_done;
                    if total.is_some() {
                        row.item.size = *total;
                    }
                    row.speed = *speed;
                    row.eta = *eta;
                }
            }
            Event::Totals(_)
            | Event::Question { .. }
            | Event::Log(_)
            | Event::ConnectionLimit(_)
            | Event::Idle => {}
        }
    }

    /// The item `id` as last reported.
    pub(crate) fn item(&self, id: u64) -> Option<&Item> {
        self.rows.get(&id).map(|r| &r.item)
    }

    /// Forgets everything (a new connection has its own queue).
    pub(crate) fn reset(&mut self) {
        self.rows.clear();
    }

    /// Takes the engine's items as they are now (after connecting: a saved queue).
    pub(crate) fn load(&mut self, engine: &Engine) {
        self.reset();
        for item in engine.items() {
            self.rows.insert(
                item.id,
                Row {
                    item,
                    speed: 0.0,
                    eta: None,
                },
            );
        }
    }

    fn in_tab(tab: QueueTab, state: ItemState) -> bool {
        match tab {
            QueueTab::Pending => !state.is_finished(),
            QueueTab::Failed => matches!(state, ItemState::Failed | ItemState::Cancelled),
            QueueTab::Done => matches!(state, ItemState::Done | ItemState::Skipped),
        }
    }

    fn count(&self, tab: QueueTab) -> usize {
        self.rows
            .values()
            .filter(|r| Self::in_tab(tab, r.item.state))
            .count()
    }

    /// A one-line summary for the status bar.
    pub(crate) fn summary(&self) -> String {
        let active: f64 = self
            .rows
            .values()
            .filter(|r| r.item.state == ItemState::Active)
            .map(|r| r.speed)
            .sum();
        let pending: Vec<&Item> = self
            .rows
            .values()
            .map(|r| &r.item)
            .filter(|i| !i.state.is_finished())
            .collect();
        if pending.is_empty() {
            return String::new();
        }
        let bytes: u64 = pending.iter().filter_map(|i| i.size).sum();
        let done: u64 = pending.iter().map(|i| i.bytes_done).sum();
        format!(
            "{} in queue · {} of {} · {}",
            pending.len(),
            format::size(done),
            format::size(bytes),
            format::speed(active)
        )
    }

    /// Draws the panel; commands go straight to the engine.
    pub(crate) fn ui(&mut self, ui: &mut egui::Ui, engine: Option<&Engine>) {
        ui.horizontal(|ui| {
            for (tab, name) in [
                (QueueTab::Pending, "Queued & active"),
                (QueueTab::Failed, "Failed"),
                (QueueTab::Done, "Done"),
            ] {
                let text = format!("{name} ({})", self.count(tab));
                ui.selectable_value(&mut self.tab, tab, text);
            }
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                let Some(engine) = engine else {
                    ui.weak("Not connected");
                    return;
                };
                match self.tab {
                    QueueTab::Pending => {
                        if ui.button("Cancel all").clicked() {
                            engine.send(Command::CancelAll);
                        }
                    }
                    QueueTab::Failed => {
                        if ui.button("Retry all").clicked() {
                            for row in self.rows.values() {
                                if Self::in_tab(QueueTab::Failed, row.item.state) {
                                    engine.send(Command::Retry(row.item.id));
                                }
                            }
                        }
                    }
                    QueueTab::Done => {
                        if ui.button("Clear finished").clicked() {
                            engine.send(Command::ClearFinished);
                            self.rows.retain(|_, r| !r.item.state.is_finished());
                        }
                    }
                }
            });
        });
        let tab = self.tab;
        let rows: Vec<&Row> = self
            .rows
            .values()
            .filter(|r| Self::in_tab(tab, r.item.state))
            .collect();
        if rows.is_empty() {
            ui.weak(match tab {
                QueueTab::Pending => "Nothing queued. Drag files between the panes, or drop them from your file manager onto the remote pane.",
                QueueTab::Failed => "No failed transfers.",
                QueueTab::Done => "No finished transfers yet.",
            });
            return;
        }
        let height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        TableBuilder::new(ui)
            .id_salt("queue-table")
            .striped(true)
            .resizable(true)
            .cell_layout(Layout::left_to_right(Align::Center))
            .column(Column::exact(22.0))
            .column(Column::remainder().at_least(140.0).clip(true))
            .column(Column::initial(140.0))
            .column(Column::initial(150.0))
            .column(Column::initial(80.0))
            .column(Column::initial(60.0))
            .column(Column::initial(140.0).clip(true))
            .column(Column::initial(120.0))
            .min_scrolled_height(0.0)
            .auto_shrink([false, false])
            .header(height, |mut h| {
                for title in ["", "File", "Progress", "Bytes", "Speed", "ETA", "State", ""] {
                    h.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(height, rows.len(), |mut r| {
                    let Some(row) = rows.get(r.index()) else {
                        return;
                    };
                    ui_queue_row(&mut r, row, engine);
                });
            });
    }
}

fn ui_queue_row(r: &mut egui_extras::TableRow<'_, '_>, row: &Row, engine: Option<&Engine>) {
    let item = &row.item;
    let (arrow, verb) = match item.direction {
        Direction::Download => ("⬇", "Download"),
        Direction::Upload => ("⬆", "Upload"),
    };
    let name = crate::ftp::path::file_name(&item.remote).to_owned();
    r.col(|ui| {
        ui.label(arrow).on_hover_text(verb);
    });
    r.col(|ui| {
        ui.label(&name)
            .on_hover_text(format!("{}\n{}", item.remote, item.local.display()));
    });
    let fraction = match item.size {
        Some(0) => 1.0,
        Some(size) => item.bytes_done as f32 / size as f32,
        None => 0.0,
    };
    r.col(|ui| {
        ui.add(
            egui::ProgressBar::new(fraction.clamp(0.0, 1.0))
                .show_percentage()
                .desired_height(12.0),
        );
    });
    r.col(|ui| {
        let total = item.size.map(format::size).unwrap_or_else(|| "?".into());
        ui.label(format!("{} / {total}", format::size(item.bytes_done)));
    });
    r.col(|ui| {
        ui.label(format::speed(row.speed));
    });
    r.col(|ui| {
        ui.label(row.eta.map(format::duration).unwrap_or_default());
    });
    r.col(|ui| {
        let state = state_text(item.state);
        match &item.last_error {
            Some(e) if item.state == ItemState::Failed => {
                ui.colored_label(ui.visuals().error_fg_color, state)
                    .on_hover_text(e.as_str());
            }
            _ => {
                ui.label(state);
            }
        }
    });
    r.col(|ui| {
        let Some(engine) = engine else { return };
        let id = item.id;
        let button = |ui: &mut egui::Ui, icon: &str, verb: &str| {
            ui.small_button(icon)
                .on_hover_text(format!("{verb} {name}"))
                .clicked()
        };
        match item.state {
            ItemState::Queued | ItemState::Active | ItemState::Asking => {
                if button(ui, "⏸", "Pause") {
                    engine.send(Command::Pause(id));
                }
                if button(ui, "✖", "Cancel") {
                    engine.send(Command::Cancel(id));
                }
            }
            ItemState::Paused => {
                if button(ui, "▶", "Resume") {
                    engine.send(Command::Resume(id));
                }
                if button(ui, "✖", "Cancel") {
                    engine.send(Command::Cancel(id));
                }
            }
            ItemState::Failed | ItemState::Cancelled => {
                if button(ui, "⟳", "Retry") {
                    engine.send(Command::Retry(id));
                }
            }
            ItemState::Done | ItemState::Skipped => {}
        }
    });
}

fn state_text(state: ItemState) -> RichText {
    let text = match state {
        ItemState::Queued => "Queued",
        ItemState::Asking => "Waiting for you",
        ItemState::Active => "Transferring",
        ItemState::Paused => "Paused",
        ItemState::Done => "Done",
        ItemState::Failed => "Failed",
        ItemState::Cancelled => "Cancelled",
        ItemState::Skipped => "Skipped",
    };
    RichText::new(text)
}
