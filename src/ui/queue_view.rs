//! The queue panel: the engine's items as the window knows them (kept current from engine
//! events, so drawing never locks the engine), in three tabs.

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

impl Row {
    fn new(item: Item) -> Row {
        Row {
            item,
            speed: 0.0,
            eta: None,
        }
    }
}

/// What the window knows of the queue. Rows are kept in id order (the engine's queue order)
/// in one vector; the tabs' row lists and the summary are worked out in one pass, only on a
/// frame after something changed, so a queue of 100 000 items costs a frame no more than a
/// short one when nothing moves, and one linear pass when something does.
#[derive(Default)]
pub(crate) struct QueueView {
    rows: Vec<Row>,
    pub tab: QueueTab,
    /// The positions in `rows` of each tab's rows, and the summary: None after a change.
    derived: Option<Derived>,
}

struct Derived {
    /// Indexed by `QueueTab as usize`.
    tabs: [Vec<usize>; 3],
    summary: String,
}

impl QueueView {
    fn position(&self, id: u64) -> Option<usize> {
        self.rows.binary_search_by_key(&id, |r| r.item.id).ok()
    }

    fn row_mut(&mut self, id: u64) -> Option<&mut Row> {
        let pos = self.position(id)?;
        self.derived = None;
        self.rows.get_mut(pos)
    }

    fn insert(&mut self, item: Item) {
        self.derived = None;
        match self.rows.last() {
            // The usual case: new items have the highest ids.
            Some(last) if last.item.id >= item.id => {
                if let Err(pos) = self.rows.binary_search_by_key(&item.id, |r| r.item.id) {
                    self.rows.insert(pos, Row::new(item));
                }
            }
            _ => self.rows.push(Row::new(item)),
        }
    }

    /// Applies an engine event.
    pub(crate) fn apply(&mut self, event: &Event) {
        match event {
            Event::Added(items) => {
                self.rows.reserve(items.len());
                for item in items {
                    self.insert(item.clone());
                }
            }
            Event::Removed(ids) => {
                let gone: std::collections::HashSet<u64> = ids.iter().copied().collect();
                self.rows.retain(|r| !gone.contains(&r.item.id));
                self.derived = None;
            }
            Event::State { id, state, error } => {
                if let Some(row) = self.row_mut(*id) {
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
                if let Some(row) = self.row_mut(*id) {
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
        self.position(id).map(|p| &self.rows[p].item)
    }

    /// Forgets everything (a new connection has its own queue).
    pub(crate) fn reset(&mut self) {
        self.rows.clear();
        self.derived = None;
    }

    /// Takes the engine's items as they are now (after connecting: a saved queue).
    pub(crate) fn load(&mut self, engine: &Engine) {
        self.reset();
        let mut items = engine.items();
        items.sort_by_key(|i| i.id);
        self.rows = items.into_iter().map(Row::new).collect();
    }

    fn in_tab(tab: QueueTab, state: ItemState) -> bool {
        match tab {
            QueueTab::Pending => !state.is_finished(),
            QueueTab::Failed => matches!(state, ItemState::Failed | ItemState::Cancelled),
            QueueTab::Done => matches!(state, ItemState::Done | ItemState::Skipped),
        }
    }

    /// The tabs and the summary, worked out again if something changed.
    fn derived(&mut self) -> &Derived {
        let rows = &self.rows;
        self.derived.get_or_insert_with(|| {
            let mut tabs: [Vec<usize>; 3] = Default::default();
            let (mut pending, mut bytes, mut done, mut speed) = (0usize, 0u64, 0u64, 0.0f64);
            for (pos, row) in rows.iter().enumerate() {
                let state = row.item.state;
                for tab in [QueueTab::Pending, QueueTab::Failed, QueueTab::Done] {
                    if Self::in_tab(tab, state) {
                        tabs[tab as usize].push(pos);
                    }
                }
                if !state.is_finished() {
                    pending += 1;
                    bytes += row.item.size.unwrap_or(0);
                    done += row.item.bytes_done;
                }
                if state == ItemState::Active {
                    speed += row.speed;
                }
            }
            let summary = if pending == 0 {
                String::new()
            } else {
                format!(
                    "{pending} in queue · {} of {} · {}",
                    format::size(done),
                    format::size(bytes),
                    format::speed(speed)
                )
            };
            Derived { tabs, summary }
        })
    }

    fn count(&mut self, tab: QueueTab) -> usize {
        self.derived().tabs[tab as usize].len()
    }

    /// A one-line summary for the status bar.
    pub(crate) fn summary(&mut self) -> String {
        self.derived().summary.clone()
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
                            for row in &self.rows {
                                if Self::in_tab(QueueTab::Failed, row.item.state) {
                                    engine.send(Command::Retry(row.item.id));
                                }
                            }
                        }
                    }
                    QueueTab::Done => {
                        if ui.button("Clear finished").clicked() {
                            // The engine confirms with Event::Removed.
                            engine.send(Command::ClearFinished);
                        }
                    }
                }
            });
        });
        let tab = self.tab;
        self.derived();
        let Some(derived) = &self.derived else { return };
        let positions = &derived.tabs[tab as usize];
        let all = &self.rows;
        if positions.is_empty() {
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
                body.rows(height, positions.len(), |mut r| {
                    let Some(row) = positions.get(r.index()).and_then(|&p| all.get(p)) else {
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
