//! The "Find on server" window: a name pattern, the folder to search under, the matches as
//! they arrive (the browse worker walks the tree), and what to do with them: show one in the
//! remote pane, or download the selection.

use egui::{Align, Layout, RichText};
use egui_extras::{Column, TableBuilder};

use crate::transfer::find::{FindProgress, Found, MAX_MATCHES, NamePattern, StopFlag};

use super::format;

/// What the user asked of the search window.
#[derive(Debug, Clone)]
pub(crate) enum SearchAction {
    /// Start searching `root` for `pattern` (ends a search still running).
    Start { root: String, pattern: NamePattern },
    /// End the running search.
    Stop,
    /// Show this match in the remote pane (its folder, the row selected).
    Reveal(Found),
    /// Download these matches into the local pane's folder.
    Download(Vec<Found>),
}

/// The search window's state. It lives while the window is open; closing it ends the search.
pub(crate) struct SearchWindow {
    /// The folder searched under (the remote pane's, when opened).
    pub root: String,
    pattern_text: String,
    /// The search in progress: its browse request, and the flag that ends it.
    running: Option<(u64, StopFlag)>,
    results: Vec<Found>,
    selected: std::collections::BTreeSet<usize>,
    progress: Option<FindProgress>,
    error: Option<String>,
    focus_pattern: bool,
}

impl SearchWindow {
    /// A window searching under `root`.
    pub(crate) fn new(root: &str) -> SearchWindow {
        SearchWindow {
            root: root.to_owned(),
            pattern_text: String::new(),
            running: None,
            results: Vec::new(),
            selected: Default::default(),
            progress: None,
            error: None,
            focus_pattern: true,
        }
    }

    /// The search was started as browse request `id`, ended by `stop`.
    pub(crate) fn started(&mut self, id: u64, stop: StopFlag) {
        self.end();
        self.running = Some((id, stop));
        self.results.clear();
        self.selected.clear();
        self.progress = Some(FindProgress::default());
        self.error = None;
    }

    /// The browse request of the running search.
    pub(crate) fn request_id(&self) -> Option<u64> {
        self.running.as_ref().map(|(id, _)| *id)
    }

    /// A batch of matches for request `id` (ignored when it is not the running search).
    pub(crate) fn found(&mut self, id: u64, matches: Vec<Found>, progress: FindProgress) {
        if self.request_id() != Some(id) {
            return;
        }
        self.results.extend(matches);
        if progress.finished {
            self.running = None;
        }
        self.progress = Some(progress);
    }

    /// The running search failed.
    pub(crate) fn failed(&mut self, id: u64, error: String) {
        if self.request_id() == Some(id) {
            self.running = None;
            self.error = Some(error);
        }
    }

    /// Ends the running search (the worker stops before its next folder).
    pub(crate) fn end(&mut self) {
        if let Some((_, stop)) = self.running.take() {
            stop.stop();
        }
    }

    /// Draws the window; `open` turns false when it is closed.
    pub(crate) fn ui(&mut self, ctx: &egui::Context, open: &mut bool) -> Vec<SearchAction> {
        let mut actions = Vec::new();
        egui::Window::new("Find on server")
            .id(egui::Id::unique("search-window"))
            .open(open)
            .collapsible(false)
            .default_size([780.0, 460.0])
            .min_width(520.0)
            .show(ctx, |ui| {
                self.ui_form(ui, &mut actions);
                ui.separator();
                self.ui_status(ui);
                self.ui_results(ui, &mut actions);
            });
        actions
    }

    fn ui_form(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SearchAction>) {
        let mut submit = false;
        egui::Grid::new("search-form")
            .num_columns(2)
            .show(ui, |ui| {
                ui.label("Name:");
                let response = ui.add(
                    egui::TextEdit::singleline(&mut self.pattern_text)
                        .hint_text("Name to find")
                        .desired_width(320.0),
                );
                if std::mem::take(&mut self.focus_pattern) {
                    response.request_focus();
                }
                submit |= response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.end_row();
                ui.label("In folder:");
                let response = ui.add(
                    egui::TextEdit::singleline(&mut self.root)
                        .hint_text("Folder to search")
                        .desired_width(320.0),
                );
                submit |= response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.end_row();
            });
        ui.weak("Part of a name, or a pattern with * and ? (such as *.log). Either case matches.");
        ui.horizontal(|ui| {
            let pattern = NamePattern::new(&self.pattern_text);
            let root = self.root.trim().to_owned();
            let can_start = pattern.is_some() && !root.is_empty();
            if self.running.is_some() {
                if ui.button("Stop").clicked() {
                    actions.push(SearchAction::Stop);
                }
            } else if ui
                .add_enabled(can_start, egui::Button::new("Find"))
                .clicked()
            {
                submit = true;
            }
            if submit
                && self.running.is_none()
                && let Some(pattern) = pattern
            {
                actions.push(SearchAction::Start { root, pattern });
            }
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                let chosen = self.chosen();
                if ui
                    .add_enabled(!chosen.is_empty(), egui::Button::new("Download selected"))
                    .on_hover_text("Into the local pane's folder")
                    .clicked()
                {
                    actions.push(SearchAction::Download(chosen));
                }
            });
        });
    }

    fn ui_status(&self, ui: &mut egui::Ui) {
        if let Some(error) = &self.error {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Search failed: {error}"),
            );
        }
        let Some(p) = &self.progress else { return };
        let mut text = format!("{} found in {} folder(s)", p.matches, p.folders);
        if p.unreadable > 0 {
            text.push_str(&format!(", {} folder(s) could not be read", p.unreadable));
        }
        if self.running.is_some() {
            text = format!("Searching… {text}");
        } else if p.incomplete && p.matches >= MAX_MATCHES {
            text.push_str(&format!(" (stopped at {MAX_MATCHES} matches)"));
        } else if p.incomplete {
            text.push_str(" (stopped)");
        } else if p.finished {
            text = format!("Search finished: {text}");
        }
        ui.label(text);
    }

    fn ui_results(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SearchAction>) {
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let mut clicked: Option<(usize, bool)> = None;
        TableBuilder::new(ui)
            .id_salt("search-results")
            .striped(true)
            // Not resizable: a resizable table keeps the widths of its first frame, when the
            // new window is still being sized (columns a few pixels wide).
            .resizable(false)
            .sense(egui::Sense::click())
            .cell_layout(Layout::left_to_right(Align::Center))
            .column(Column::initial(240.0).at_least(80.0).clip(true))
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(Column::initial(70.0).at_least(50.0))
            .column(Column::initial(130.0).at_least(60.0))
            // Fills the window, which the user can make taller for more rows.
            .auto_shrink(false)
            .min_scrolled_height(120.0)
            .header(row_height, |mut row| {
                for title in ["Name", "Folder", "Size", "Modified"] {
                    row.col(|ui| {
                        ui.label(RichText::new(title).strong());
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, self.results.len(), |mut row| {
                    let i = row.index();
                    let Some(found) = self.results.get(i) else {
                        return;
                    };
                    row.set_selected(self.selected.contains(&i));
                    let entry = &found.entry;
                    let icon = match entry.kind {
                        crate::ftp::EntryKind::Dir => "📁",
                        crate::ftp::EntryKind::Symlink => "🔗",
                        _ => "📄",
                    };
                    // Escaped, as in the panes: a server's name must not disguise itself.
                    let name = crate::ftp::text::escape(&entry.name).into_owned();
                    row.col(|ui| {
                        ui.label(icon);
                        ui.add(egui::Label::new(name.as_str()).truncate().selectable(false));
                    });
                    row.col(|ui| {
                        let folder = crate::ftp::text::escape(&found.folder);
                        ui.add(
                            egui::Label::new(folder.as_ref())
                                .truncate()
                                .selectable(false),
                        );
                    });
                    row.col(|ui| {
                        if entry.kind != crate::ftp::EntryKind::Dir
                            && let Some(size) = entry.size
                        {
                            ui.label(format::size(size));
                        }
                    });
                    row.col(|ui| {
                        if let Some(t) = &entry.modified {
                            ui.label(format::timestamp(t));
                        }
                    });
                    let response = row.response();
                    let label = format!("Found {}", crate::ftp::text::escape(&found.path()));
                    response.widget_info(|| {
                        egui::WidgetInfo::selected(
                            egui::Role::Row,
                            true,
                            self.selected.contains(&i),
                            label.clone(),
                        )
                    });
                    if response.double_clicked() {
                        clicked = Some((i, true));
                    } else if response.clicked() {
                        clicked = Some((i, false));
                    }
                });
            });
        let modifiers = ui.input(|i| i.modifiers);
        match clicked {
            Some((i, true)) => {
                if let Some(found) = self.results.get(i) {
                    actions.push(SearchAction::Reveal(found.clone()));
                }
            }
            Some((i, false)) => {
                if modifiers.command || modifiers.ctrl {
                    if !self.selected.remove(&i) {
                        self.selected.insert(i);
                    }
                } else if modifiers.shift
                    && let Some(&anchor) = self.selected.iter().next()
                {
                    self.selected = (anchor.min(i)..=anchor.max(i)).collect();
                } else {
                    self.selected = [i].into();
                }
            }
            None => {}
        }
    }

    /// The selected matches.
    fn chosen(&self) -> Vec<Found> {
        self.selected
            .iter()
            .filter_map(|i| self.results.get(*i).cloned())
            .collect()
    }
}
