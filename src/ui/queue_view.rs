//! The queue panel: the engine's items as the window knows them (kept current from engine
//! events, so drawing never locks the engine), in three tabs. Above the pending items: each
//! unfinished job (a folder transfer) with its files, bytes, progress and ETA, and the whole
//! queue's. Finished items are listed newest first.

use std::collections::HashMap;

use egui::{Align, Layout, RichText};
use egui_extras::{Column, TableBuilder};

use crate::transfer::{Command, Direction, Engine, Event, Item, ItemState, Job};

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
/// in one vector, found by binary search. The tab counts and the summary are kept up to date
/// event by event; the list of the shown tab's rows is rebuilt in one pass after its members
/// changed, at most four times a second. So a queue of 100 000 items moving hundreds of files a
/// second costs a frame a few lookups, and a linear pass now and then.
#[derive(Default)]
pub(crate) struct QueueView {
    rows: Vec<Row>,
    pub tab: QueueTab,
    /// Rows per tab, indexed by `QueueTab as usize`.
    counts: [usize; 3],
    /// Unfinished items: their bytes, and bytes done.
    pending_bytes: u64,
    pending_done: u64,
    /// Speeds of the active items.
    speeds: HashMap<u64, f64>,
    /// Jobs by id: their label and totals, kept with the counts.
    jobs: HashMap<u64, JobView>,
    /// The shown tab's rows (positions in `rows`), and when they were listed.
    listed: Option<Listed>,
    /// Tab membership changed since `listed` was made.
    members_changed: bool,
}

/// A job as the panel shows it.
#[derive(Default)]
struct JobView {
    label: String,
    items: usize,
    finished: usize,
    bytes: u64,
    done: u64,
}

impl JobView {
    fn unfinished(&self) -> bool {
        self.finished < self.items
    }
}

struct Listed {
    tab: QueueTab,
    at: std::time::Instant,
    positions: Vec<usize>,
}

/// How often the shown tab's list may be rebuilt while its members change.
const RELIST_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

const TABS: [QueueTab; 3] = [QueueTab::Pending, QueueTab::Failed, QueueTab::Done];

impl QueueView {
    fn position(&self, id: u64) -> Option<usize> {
        self.rows.binary_search_by_key(&id, |r| r.item.id).ok()
    }

    /// Adds (`add`) or takes away what an item contributes to the counts and its job's totals.
    fn account(&mut self, job: u64, state: ItemState, size: Option<u64>, done: u64, add: bool) {
        let totals = self.jobs.entry(job).or_default();
        let (finished, bytes, done_bytes) = (
            usize::from(state.is_finished()),
            size.unwrap_or(0),
            if state == ItemState::Done {
                size.unwrap_or(done)
            } else {
                done
            },
        );
        if add {
            totals.items += 1;
            totals.finished += finished;
            totals.bytes += bytes;
            totals.done += done_bytes;
        } else {
            totals.items = totals.items.saturating_sub(1);
            totals.finished = totals.finished.saturating_sub(finished);
            totals.bytes = totals.bytes.saturating_sub(bytes);
            totals.done = totals.done.saturating_sub(done_bytes);
        }
        for tab in TABS {
            if Self::in_tab(tab, state) {
                let count = &mut self.counts[tab as usize];
                *count = if add {
                    *count + 1
                } else {
                    count.saturating_sub(1)
                };
            }
        }
        if !state.is_finished() {
            let (bytes, done) = (size.unwrap_or(0), done);
            if add {
                self.pending_bytes += bytes;
                self.pending_done += done;
            } else {
                self.pending_bytes = self.pending_bytes.saturating_sub(bytes);
                self.pending_done = self.pending_done.saturating_sub(done);
            }
        }
    }

    /// Changes the row of `id`, keeping the counts true.
    fn change(&mut self, id: u64, f: impl FnOnce(&mut Row)) {
        let Some(pos) = self.position(id) else { return };
        let (job, state, size, done) = {
            let i = &self.rows[pos].item;
            (i.job, i.state, i.size, i.bytes_done)
        };
        self.account(job, state, size, done, false);
        f(&mut self.rows[pos]);
        let row = &self.rows[pos];
        let (new_state, new_size, new_done) = (row.item.state, row.item.size, row.item.bytes_done);
        let speed = row.speed;
        self.account(job, new_state, new_size, new_done, true);
        if new_state == ItemState::Active {
            self.speeds.insert(id, speed);
        } else {
            self.speeds.remove(&id);
        }
        if new_state != state {
            self.members_changed = true;
        }
    }

    /// Counts everything again (after rows were removed or replaced).
    fn recount(&mut self) {
        self.counts = [0; 3];
        self.pending_bytes = 0;
        self.pending_done = 0;
        self.speeds.clear();
        for job in self.jobs.values_mut() {
            let label = std::mem::take(&mut job.label);
            *job = JobView {
                label,
                ..JobView::default()
            };
        }
        let facts: Vec<(u64, ItemState, Option<u64>, u64)> = self
            .rows
            .iter()
            .map(|r| (r.item.job, r.item.state, r.item.size, r.item.bytes_done))
            .collect();
        for (job, state, size, done) in facts {
            self.account(job, state, size, done, true);
        }
        self.jobs.retain(|_, j| j.items > 0);
        self.listed = None;
    }

    /// Applies an engine event.
    pub(crate) fn apply(&mut self, event: &Event) {
        match event {
            Event::Added { job, items } => {
                self.jobs.entry(job.id).or_default().label = job.label.clone();
                // A transfer was started: show what is running.
                self.tab = QueueTab::Pending;
                let in_order = self
                    .rows
                    .last()
                    .is_none_or(|last| items.first().is_none_or(|i| i.id > last.item.id));
                self.rows.reserve(items.len());
                for item in items {
                    self.account(item.job, item.state, item.size, item.bytes_done, true);
                    if in_order {
                        self.rows.push(Row::new(item.clone()));
                    } else if let Err(pos) = self.rows.binary_search_by_key(&item.id, |r| r.item.id)
                    {
                        self.rows.insert(pos, Row::new(item.clone()));
                        self.listed = None;
                    }
                }
                self.members_changed = true;
            }
            Event::Removed(ids) => {
                let gone: std::collections::HashSet<u64> = ids.iter().copied().collect();
                self.rows.retain(|r| !gone.contains(&r.item.id));
                self.recount();
            }
            Event::State { id, state, error } => self.change(*id, |row| {
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
            }),
            Event::Progress {
                id,
                bytes_done,
                total,
                speed,
                eta,
            } => self.change(*id, |row| {
                row.item.bytes_done = *bytes_done;
                if total.is_some() {
                    row.item.size = *total;
                }
                row.speed = *speed;
                row.eta = *eta;
            }),
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
        self.jobs.clear();
        self.recount();
    }

    /// Takes the engine's items as they are now (after connecting: a saved queue).
    pub(crate) fn load(&mut self, engine: &Engine) {
        let mut items = engine.items();
        items.sort_by_key(|i| i.id);
        self.rows = items.into_iter().map(Row::new).collect();
        self.jobs = engine
            .jobs()
            .into_iter()
            .map(|job: Job| {
                let view = JobView {
                    label: job.label,
                    ..JobView::default()
                };
                (job.id, view)
            })
            .collect();
        self.recount();
    }

    fn in_tab(tab: QueueTab, state: ItemState) -> bool {
        match tab {
            QueueTab::Pending => !state.is_finished(),
            QueueTab::Failed => matches!(state, ItemState::Failed | ItemState::Cancelled),
            QueueTab::Done => matches!(state, ItemState::Done | ItemState::Skipped),
        }
    }

    /// The rows of `tab` (positions in `rows`), listed again if its members changed and the
    /// last list is old enough.
    fn listed(&mut self, tab: QueueTab) -> &[usize] {
        let stale = match &self.listed {
            None => true,
            Some(l) => l.tab != tab || (self.members_changed && l.at.elapsed() >= RELIST_EVERY),
        };
        if stale {
            let mut positions: Vec<usize> = self
                .rows
                .iter()
                .enumerate()
                .filter(|(_, r)| Self::in_tab(tab, r.item.state))
                .map(|(pos, _)| pos)
                .collect();
            // Finished: the newest first (items finish about in queue order).
            if tab == QueueTab::Done {
                positions.reverse();
            }
            self.listed = Some(Listed {
                tab,
                at: std::time::Instant::now(),
                positions,
            });
            self.members_changed = false;
        }
        self.listed.as_ref().map_or(&[], |l| l.positions.as_slice())
    }

    fn count(&self, tab: QueueTab) -> usize {
        self.counts[tab as usize]
    }

    /// Items not finished yet (queued, running, paused, waiting for an answer).
    pub(crate) fn pending(&self) -> usize {
        self.count(QueueTab::Pending)
    }

    /// The unfinished jobs (the newest few) and the whole queue: files, bytes, speed, ETA.
    fn ui_jobs(&self, ui: &mut egui::Ui) {
        const SHOWN: usize = 3;
        let mut jobs: Vec<(&u64, &JobView)> =
            self.jobs.iter().filter(|(_, j)| j.unfinished()).collect();
        if jobs.is_empty() {
            return;
        }
        jobs.sort_by_key(|(id, _)| std::cmp::Reverse(**id));
        // Speeds by job, from the active items (a handful).
        let mut speeds: HashMap<u64, f64> = HashMap::new();
        for (id, speed) in &self.speeds {
            if let Some(item) = self.item(*id) {
                *speeds.entry(item.job).or_default() += speed;
            }
        }
        let line = |ui: &mut egui::Ui,
                    label: &str,
                    files: (usize, usize),
                    bytes: (u64, u64),
                    speed: f64| {
            let (finished, items) = files;
            let (done, total) = bytes;
            let fraction = if total > 0 {
                done as f32 / total as f32
            } else {
                finished as f32 / items.max(1) as f32
            };
            let eta = if speed > 0.0 && total > done {
                let left = (total - done) as f64 / speed;
                format!(" · {} left", format::duration(left))
            } else {
                String::new()
            };
            let text = format!(
                "{label}: {finished} of {items} files · {} of {} · {}{eta}",
                format::size(done),
                format::size(total),
                format::speed(speed),
            );
            ui.horizontal(|ui| {
                ui.add(
                    egui::ProgressBar::new(fraction.clamp(0.0, 1.0))
                        .desired_width(160.0)
                        .desired_height(12.0)
                        .show_percentage(),
                );
                ui.add(egui::Label::new(text).truncate());
            });
        };
        for (id, job) in jobs.iter().take(SHOWN) {
            let speed = speeds.get(*id).copied().unwrap_or(0.0);
            line(
                ui,
                &job.label,
                (job.finished, job.items),
                (job.done, job.bytes),
                speed,
            );
        }
        if jobs.len() > SHOWN {
            ui.weak(format!("and {} more transfers", jobs.len() - SHOWN));
        }
        if jobs.len() > 1 {
            let (mut files, mut bytes) = ((0, 0), (0, 0));
            for (_, job) in &jobs {
                files = (files.0 + job.finished, files.1 + job.items);
                bytes = (bytes.0 + job.done, bytes.1 + job.bytes);
            }
            line(ui, "All", files, bytes, self.speeds.values().sum());
        }
        ui.separator();
    }

    /// A one-line summary for the status bar.
    pub(crate) fn summary(&self) -> String {
        let pending = self.counts[QueueTab::Pending as usize];
        if pending == 0 {
            return String::new();
        }
        format!(
            "{pending} in queue · {} of {} · {}",
            format::size(self.pending_done),
            format::size(self.pending_bytes),
            format::speed(self.speeds.values().sum())
        )
    }

    /// Draws the panel; commands go straight to the engine.
    /// Draws the queue; with `open` false only its header line (tabs with their counts).
    pub(crate) fn ui(&mut self, ui: &mut egui::Ui, engine: Option<&Engine>, open: &mut bool) {
        ui.horizontal(|ui| {
            super::layout::ui_fold_toggle(ui, open, "Queue");
            for (tab, name) in [
                (QueueTab::Pending, "Queued & active"),
                (QueueTab::Failed, "Failed"),
                (QueueTab::Done, "Done"),
            ] {
                let text = format!("{name} ({})", self.count(tab));
                if ui.selectable_value(&mut self.tab, tab, text).clicked() {
                    *open = true;
                }
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
        if !*open {
            return;
        }
        let tab = self.tab;
        if tab == QueueTab::Pending {
            self.ui_jobs(ui);
        }
        self.listed(tab);
        if self.members_changed {
            // The list waits for RELIST_EVERY; make sure a frame comes then even if nothing
            // else happens (the last files of a queue).
            ui.ctx().request_repaint_after(RELIST_EVERY);
        }
        let positions = self
            .listed
            .as_ref()
            .map_or(&[][..], |l| l.positions.as_slice());
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
            .column(Column::initial(220.0).at_least(80.0).clip(true))
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(Column::initial(140.0))
            .column(Column::initial(150.0))
            .column(Column::initial(80.0))
            .column(Column::initial(60.0))
            .column(Column::initial(140.0).clip(true))
            .column(Column::initial(120.0))
            .min_scrolled_height(0.0)
            .auto_shrink([false, false])
            .header(height, |mut h| {
                for title in [
                    "", "Local", "Remote", "Progress", "Bytes", "Speed", "ETA", "State", "",
                ] {
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
    // Both ends in full (a remote name escaped: it comes from the server).
    let local = item.local.display().to_string();
    let remote = crate::ftp::text::escape(&item.remote).into_owned();
    r.col(|ui| {
        ui.add(egui::Label::new(local.as_str()).truncate())
            .on_hover_text(local.as_str());
    });
    r.col(|ui| {
        ui.add(egui::Label::new(remote.as_str()).truncate())
            .on_hover_text(remote.as_str());
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn item(id: u64) -> Item {
        Item {
            id,
            job: 0,
            direction: Direction::Download,
            local: PathBuf::from(format!("/tmp/f{id}")),
            remote: format!("/f{id}"),
            size: Some(100),
            modified: None,
            modified_exact: false,
            own_target: false,
            state: ItemState::Queued,
            bytes_done: 0,
            attempts: 0,
            last_error: None,
            error_class: None,
            priority: 0,
        }
    }

    /// The counts kept event by event equal a count from scratch.
    fn check(view: &mut QueueView) {
        let (counts, bytes, done) = (view.counts, view.pending_bytes, view.pending_done);
        view.recount();
        assert_eq!(
            (counts, bytes, done),
            (view.counts, view.pending_bytes, view.pending_done)
        );
    }

    #[test]
    fn counts_and_lists_follow_the_events_of_a_big_queue() {
        let mut view = QueueView {
            tab: QueueTab::Done,
            ..QueueView::default()
        };
        view.apply(&Event::Added {
            job: Job {
                id: 0,
                label: "Download 10000 files".into(),
                on_exists: crate::transfer::FileExistsPolicy::Ask,
            },
            items: (1..=10_000).map(item).collect(),
        });
        assert_eq!(
            view.tab,
            QueueTab::Pending,
            "a new transfer shows the pending tab"
        );
        assert_eq!(view.count(QueueTab::Pending), 10_000);
        for id in 1..=4_000 {
            view.apply(&Event::State {
                id,
                state: ItemState::Active,
                error: None,
            });
            view.apply(&Event::Progress {
                id,
                bytes_done: 40,
                total: Some(100),
                speed: 10.0,
                eta: None,
            });
            let state = if id % 4 == 0 {
                ItemState::Failed
            } else {
                ItemState::Done
            };
            if id <= 3_990 {
                view.apply(&Event::State {
                    id,
                    state,
                    error: None,
                });
            }
        }
        assert_eq!(view.count(QueueTab::Done), 2_993);
        assert_eq!(view.count(QueueTab::Failed), 997);
        assert_eq!(view.count(QueueTab::Pending), 6_010);
        assert_eq!(view.listed(QueueTab::Failed).len(), 997);
        // The job: 3 990 of 10 000 finished; bytes of the done ones whole, the rest's progress.
        let job = &view.jobs[&0];
        assert_eq!(
            (job.label.as_str(), job.finished, job.items),
            ("Download 10000 files", 3_990, 10_000)
        );
        assert_eq!(job.bytes, 1_000_000);
        assert_eq!(job.done, 2_993 * 100 + 997 * 40 + 10 * 40);
        // Done, newest first.
        let done = view.listed(QueueTab::Done).to_vec();
        assert!(view.rows[done[0]].item.id > view.rows[done[1]].item.id);
        assert!(
            view.summary().starts_with("6010 in queue"),
            "{}",
            view.summary()
        );
        check(&mut view);
        let job = &view.jobs[&0];
        assert_eq!(
            (job.finished, job.done),
            (3_990, 2_993 * 100 + 997 * 40 + 10 * 40)
        );
        view.apply(&Event::Removed((1..=3_990).collect()));
        assert_eq!(view.count(QueueTab::Done), 0);
        assert_eq!(view.listed(QueueTab::Pending).len(), 6_010);
        check(&mut view);
    }
}
