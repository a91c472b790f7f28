//! One side of the two-pane browser: path bar, folder table, filter. The same code draws the
//! local and the remote pane; what a click means is returned as a [`PaneAction`] for the window
//! to carry out (the pane itself never does I/O).

use egui::{Align, Color32, Key, Layout, RichText, Sense};
use egui_extras::{Column, TableBuilder};

use std::collections::HashMap;

use super::compare::Mark;
use super::drives;
use super::files::{FileRow, Listing, RowKind, SortKey};
use super::format;

/// Which pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Local,
    Remote,
}

impl Side {
    pub(crate) fn other(self) -> Side {
        match self {
            Side::Local => Side::Remote,
            Side::Remote => Side::Local,
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Side::Local => "Local",
            Side::Remote => "Remote",
        }
    }
}

/// Rows dragged from one pane (the drag-and-drop payload).
#[derive(Debug, Clone)]
pub(crate) struct DraggedRows {
    pub from: Side,
    pub rows: Vec<FileRow>,
}

/// What the user asked a pane to do.
#[derive(Debug, Clone)]
pub(crate) enum PaneAction {
    /// Show this folder (typed in the path bar, or a folder opened).
    Open(String),
    /// Open the named row (a folder or link).
    OpenRow(String),
    Up,
    Refresh,
    Home,
    /// Download or upload these rows (to the other pane's folder).
    Transfer(Vec<FileRow>),
    /// Ask for a new name.
    Rename(FileRow),
    /// Ask to confirm, then delete.
    Delete(Vec<FileRow>),
    /// Show the permissions dialog for these rows.
    Permissions(Vec<FileRow>),
    NewFolder,
    /// Open this file in its default program (a server file: a copy, watched for saves).
    ViewEdit(FileRow),
    /// Open the search window (remote: find files under the folder shown).
    Find,
    /// Put this text on the clipboard.
    CopyPath(String),
    /// Rows dropped here from the other pane: into the folder shown, or into the folder row
    /// `into` (a child of it) when dropped onto one.
    Dropped {
        dragged: DraggedRows,
        into: Option<String>,
    },
    /// Clicked into: becomes the active pane.
    Activate,
}

impl PaneAction {
    /// Whether the action means something while the local pane lists the drives: moving
    /// around, not files (a drive is not renamed, deleted, uploaded nor a download's target).
    pub(crate) fn works_on_drive_list(&self) -> bool {
        matches!(
            self,
            PaneAction::Open(_)
                | PaneAction::OpenRow(_)
                | PaneAction::Up
                | PaneAction::Refresh
                | PaneAction::Home
                | PaneAction::Find
                | PaneAction::CopyPath(_)
                | PaneAction::Activate
        )
    }
}

/// Whether the pane of `side` has a Permissions column: the server's Unix modes, and this
/// computer's except on Windows, where they mean nothing (its read-only flag is not a mode).
fn shows_permissions_column(side: Side, windows: bool) -> bool {
    side == Side::Remote || !windows
}

/// A pane's state.
pub(crate) struct Pane {
    pub side: Side,
    /// The folder shown (absolute).
    pub path: String,
    /// The path bar's text.
    pub path_edit: String,
    pub listing: Listing,
    /// A listing is on its way.
    pub loading: bool,
    /// Why the last listing failed (shown inline with Retry).
    pub error: Option<String>,
    /// Shown instead of a listing (e.g. "Not connected").
    pub placeholder: Option<String>,
    pub focus_path: bool,
    pub focus_filter: bool,
    filter_text: String,
    scroll_to: Option<usize>,
    /// Where the pane was drawn (drop target for files from the OS).
    pub rect: egui::Rect,
    /// The folder row under the pointer in the last frame: files dropped from the OS there go
    /// into it.
    pub hovered_folder: Option<String>,
    /// A name to select and scroll to when its folder is shown next (a search match).
    pub reveal: Option<String>,
    /// Compare mode: how rows differ from the other pane's, by name (empty: mode off).
    pub marks: HashMap<String, Mark>,
}

impl Pane {
    pub(crate) fn new(side: Side) -> Pane {
        Pane {
            side,
            path: String::new(),
            path_edit: String::new(),
            listing: Listing::new(Vec::new()),
            loading: false,
            error: None,
            placeholder: None,
            focus_path: false,
            focus_filter: false,
            filter_text: String::new(),
            scroll_to: None,
            rect: egui::Rect::NOTHING,
            hovered_folder: None,
            reveal: None,
            marks: HashMap::new(),
        }
    }

    /// Shows a new folder: resets the filter, keeps sorting.
    pub(crate) fn show_folder(&mut self, path: &str, rows: Vec<FileRow>) {
        if self.path != path {
            self.filter_text.clear();
            self.listing.set_filter("");
            self.listing.clear_selection();
        }
        self.path = path.to_owned();
        self.path_edit = path.to_owned();
        self.listing.replace_rows(rows);
        self.error = None;
        self.placeholder = None;
        if let Some(name) = self.reveal.take() {
            self.listing.select_name(&name);
            self.scroll_to = self.listing.first_selected();
        }
    }

    /// Whether this is the local pane listing the drives (Windows' "This PC").
    pub(crate) fn shows_drives(&self) -> bool {
        self.side == Side::Local && drives::is_drive_list(&self.path)
    }

    /// Where "up" goes from the folder shown; None at the top.
    pub(crate) fn parent_path(&self) -> Option<String> {
        match self.side {
            Side::Remote => (!self.path.is_empty() && self.path != "/")
                .then(|| crate::ftp::path::parent(&self.path)),
            Side::Local => drives::local_parent(&self.path, cfg!(windows)),
        }
    }

    /// Moves the keyboard selection and scrolls to it.
    pub(crate) fn move_selection(&mut self, down: bool) {
        self.scroll_to = self.listing.move_selection(down);
    }

    /// Draws the pane.
    pub(crate) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        active: bool,
        other_label: &str,
    ) -> Vec<PaneAction> {
        let mut actions = Vec::new();
        let side = self.side;
        let frame_stroke = if active {
            egui::Stroke::new(1.5, ui.visuals().selection.stroke.color)
        } else {
            egui::Stroke::new(1.0, ui.visuals().widgets.noninteractive.bg_stroke.color)
        };
        let response = egui::Frame::group(ui.style())
            .stroke(frame_stroke)
            .inner_margin(6.0)
            .show(ui, |ui| {
                ui.set_min_size(ui.available_size());
                self.ui_path_bar(ui, &mut actions);
                self.ui_tools(ui, &mut actions, other_label);
                ui.separator();
                if let Some(text) = &self.placeholder {
                    ui.centered_and_justified(|ui| ui.weak(text.as_str()));
                } else if let Some(error) = self.error.clone() {
                    ui.horizontal_wrapped(|ui| {
                        ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {error}"));
                        if ui.button("Retry").clicked() {
                            actions.push(PaneAction::Refresh);
                        }
                    });
                } else {
                    self.ui_table(ui, &mut actions);
                }
            })
            .response;
        self.rect = response.rect;
        let zone = ui.interact(
            response.rect,
            egui::Id::unique(("pane-drop", side.title())),
            Sense::hover(),
        );
        // Nothing lands in the drive list: it is no folder.
        let takes_drops = !self.shows_drives();
        if let Some(payload) = zone.dnd_release_payload::<DraggedRows>()
            && payload.from != side
            && takes_drops
        {
            actions.push(PaneAction::Dropped {
                dragged: (*payload).clone(),
                into: None,
            });
        }
        if takes_drops
            && zone
                .dnd_hover_payload::<DraggedRows>()
                .is_some_and(|p| p.from != side)
        {
            ui.painter().rect_stroke(
                response.rect,
                4.0,
                egui::Stroke::new(2.0, ui.visuals().selection.stroke.color),
                egui::StrokeKind::Inside,
            );
        }
        if ui.input(|i| i.pointer.any_pressed())
            && ui.rect_contains_pointer(response.rect)
            && !active
        {
            actions.push(PaneAction::Activate);
        }
        actions
    }

    fn ui_path_bar(&mut self, ui: &mut egui::Ui, actions: &mut Vec<PaneAction>) {
        let side = self.side.title();
        ui.horizontal(|ui| {
            ui.label(RichText::new(side).strong());
            if ui
                .button("⬆")
                .on_hover_text(format!("{side}: up one folder"))
                .clicked()
            {
                actions.push(PaneAction::Up);
            }
            if ui
                .button("⟳")
                .on_hover_text(format!("{side}: refresh (F5)"))
                .clicked()
            {
                actions.push(PaneAction::Refresh);
            }
            if ui
                .button("🏠")
                .on_hover_text(format!("{side}: home folder"))
                .clicked()
            {
                actions.push(PaneAction::Home);
            }
            if self.loading {
                super::spinner::ui_spinner(ui, 16.0).on_hover_text("Loading");
            }
            let edit = egui::TextEdit::singleline(&mut self.path_edit)
                .desired_width(f32::INFINITY)
                .hint_text(format!("{side} path"));
            let response = ui.add(edit).on_hover_text(format!("{side} path (Ctrl+L)"));
            if self.focus_path {
                response.request_focus();
                self.focus_path = false;
            }
            if response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                actions.push(PaneAction::Open(self.path_edit.trim().to_owned()));
            }
        });
    }

    fn ui_tools(&mut self, ui: &mut egui::Ui, actions: &mut Vec<PaneAction>, other_label: &str) {
        let side = self.side.title();
        ui.horizontal(|ui| {
            let filter = egui::TextEdit::singleline(&mut self.filter_text)
                .desired_width(160.0)
                .hint_text(format!("Filter {} names", side.to_lowercase()));
            let response = ui
                .add(filter)
                .on_hover_text(format!("{side} filter (Ctrl+F)"));
            if self.focus_filter {
                response.request_focus();
                self.focus_filter = false;
            }
            if response.changed() {
                self.listing.set_filter(&self.filter_text.clone());
            }
            let mut hidden = self.listing.show_hidden();
            if ui
                .checkbox(&mut hidden, "Hidden")
                .on_hover_text(format!("Show {} hidden files", side.to_lowercase()))
                .changed()
            {
                self.listing.set_show_hidden(hidden);
            }
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                let verb = match self.side {
                    Side::Local => "Upload",
                    Side::Remote => "Download",
                };
                let arrow = match self.side {
                    Side::Local => "➡",
                    Side::Remote => "⬅",
                };
                let button = ui
                    .add_enabled(
                        self.listing.selected_count() > 0 && !self.shows_drives(),
                        egui::Button::new(format!("{arrow} {verb}")),
                    )
                    .on_hover_text(format!("{verb} the selection to {other_label}"));
                if button.clicked() {
                    actions.push(PaneAction::Transfer(self.selected_rows()));
                }
                if !self.shows_drives()
                    && ui
                        .button("📁+")
                        .on_hover_text(format!("{side}: new folder"))
                        .clicked()
                {
                    actions.push(PaneAction::NewFolder);
                }
                if self.side == Side::Remote
                    && ui
                        .button("🔍")
                        .on_hover_text("Find files on the server (F3)")
                        .clicked()
                {
                    actions.push(PaneAction::Find);
                }
                let shown = self.listing.visible_len();
                let total = self.listing.total_len();
                let mut count = if shown == total {
                    format!("{total} items")
                } else {
                    format!("{shown} of {total}")
                };
                let selected = self.listing.selected_count();
                if selected > 0 {
                    count = format!("{selected} selected · {count}");
                }
                ui.weak(count);
            });
        });
    }

    fn ui_table(&mut self, ui: &mut egui::Ui, actions: &mut Vec<PaneAction>) {
        let side = self.side;
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let sort = self.listing.sort();
        let mut clicked_sort = None;
        let dark_mode = ui.visuals().dark_mode;
        let permissions_column = shows_permissions_column(side, cfg!(windows));
        let mut table = TableBuilder::new(ui)
            .id_salt(("pane-table", side.title()))
            .striped(true)
            .resizable(true)
            .sense(Sense::click_and_drag())
            .cell_layout(Layout::left_to_right(Align::Center))
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(Column::initial(80.0).at_least(50.0))
            .column(Column::initial(125.0).at_least(60.0));
        if permissions_column {
            table = table.column(Column::initial(90.0).at_least(40.0).clip(true));
        }
        table = table.min_scrolled_height(0.0);
        let columns_after_name = if permissions_column { 3 } else { 2 };
        // A ".." row first, as in FileZilla: double-click (or Enter on it) goes up. Not while
        // filtering (it is not a name that matched) nor at the top.
        let has_parent = self.parent_path().is_some();
        let up_row = usize::from(has_parent && self.filter_text.is_empty());
        let drive_list = self.shows_drives();
        if let Some(row) = self.scroll_to.take() {
            table = table.scroll_to_row(row + up_row, None);
        }
        let header =
            |key: SortKey, text: &str, ui: &mut egui::Ui, clicked: &mut Option<SortKey>| {
                let arrow = match sort {
                    Some((k, true)) if k == key => " ⏶",
                    Some((k, false)) if k == key => " ⏷",
                    _ => "",
                };
                let button = egui::Button::new(RichText::new(format!("{text}{arrow}")).strong())
                    .frame(false);
                if ui
                    .add(button)
                    .on_hover_text(format!(
                        "{} pane: sort by {}",
                        side.title(),
                        text.to_lowercase()
                    ))
                    .clicked()
                {
                    *clicked = Some(key);
                }
            };
        let listing = &mut self.listing;
        let marks = &self.marks;
        let mut clicks: Vec<(usize, egui::Response)> = Vec::new();
        let mut up_clicked = false;
        table
            .header(row_height, |mut row| {
                row.col(|ui| header(SortKey::Name, "Name", ui, &mut clicked_sort));
                row.col(|ui| header(SortKey::Size, "Size", ui, &mut clicked_sort));
                row.col(|ui| header(SortKey::Modified, "Modified", ui, &mut clicked_sort));
                if permissions_column {
                    row.col(|ui| {
                        header(SortKey::Permissions, "Permissions", ui, &mut clicked_sort);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, listing.visible_len() + up_row, |mut row| {
                    if up_row == 1 && row.index() == 0 {
                        row.col(|ui| {
                            ui.label(
                                RichText::new("📁").color(Color32::from_rgb(0xd8, 0xa6, 0x3a)),
                            );
                            ui.add(egui::Label::new("..").selectable(false));
                        });
                        for _ in 0..columns_after_name {
                            row.col(|_| {});
                        }
                        let response = row.response();
                        response.widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Row,
                                true,
                                format!("{} .. (parent folder)", side.title()),
                            )
                        });
                        if response.double_clicked() {
                            up_clicked = true;
                        }
                        return;
                    }
                    let i = row.index() - up_row;
                    let Some(file) = listing.visible(i) else {
                        return;
                    };
                    let selected = listing.is_selected(i);
                    row.set_selected(selected);
                    let (icon, color) = match file.kind {
                        RowKind::Dir => ("📁", Some(Color32::from_rgb(0xd8, 0xa6, 0x3a))),
                        RowKind::Link => ("🔗", None),
                        RowKind::File => ("📄", None),
                        RowKind::Drive => ("🖴", None),
                    };
                    // Shown escaped: a bidi override or a line break in a server's name must
                    // not make it look like another file (`\u{202e}txt.exe`).
                    let name = crate::ftp::text::escape(&file.name).into_owned();
                    let size = file
                        .size
                        .filter(|_| file.kind == RowKind::File)
                        .map(format::size);
                    let modified = file.modified_text.clone();
                    let permissions = file.permissions.clone();
                    let mark = marks.get(&file.name).copied();
                    // Compare mode tints the whole row in the mark's colour, as FileZilla does.
                    let tint = |ui: &mut egui::Ui| {
                        if let Some(mark) = mark {
                            let color = mark.color(dark_mode).gamma_multiply(0.18);
                            // Over the gaps between the cells too: one band per row.
                            let gap = ui.spacing().item_spacing.x / 2.0 + 0.5;
                            let band = ui.max_rect().expand2(egui::vec2(gap, 0.0));
                            ui.painter().rect_filled(band, 0.0, color);
                        }
                    };
                    row.col(|ui| {
                        tint(ui);
                        let icon = match color {
                            Some(c) => RichText::new(icon).color(c),
                            None => RichText::new(icon),
                        };
                        ui.label(icon);
                        if let Some(mark) = mark {
                            ui.label(
                                RichText::new(mark.word())
                                    .small()
                                    .strong()
                                    .color(mark.color(dark_mode)),
                            );
                        }
                        ui.add(egui::Label::new(name.as_str()).truncate().selectable(false));
                    });
                    row.col(|ui| {
                        tint(ui);
                        if let Some(size) = size {
                            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                ui.label(size);
                            });
                        }
                    });
                    row.col(|ui| {
                        tint(ui);
                        ui.label(modified);
                    });
                    if permissions_column {
                        row.col(|ui| {
                            tint(ui);
                            ui.monospace(permissions);
                        });
                    }
                    let response = row.response();
                    response.widget_info(|| {
                        let label = match mark {
                            Some(mark) => format!("{} {}, {}", side.title(), name, mark.word()),
                            None => format!("{} {}", side.title(), name),
                        };
                        // Screen readers (and the tests) hear which rows are selected.
                        egui::WidgetInfo::selected(egui::Role::Row, true, selected, label)
                    });
                    clicks.push((i, response));
                });
            });
        if let Some(key) = clicked_sort {
            self.listing.sort_by(key);
        }
        if up_clicked {
            actions.push(PaneAction::Up);
        }
        let modifiers = ui.input(|i| i.modifiers);
        self.hovered_folder = None;
        for (i, response) in clicks {
            if response.clicked() {
                self.listing
                    .click(i, modifiers.command || modifiers.ctrl, modifiers.shift);
                actions.push(PaneAction::Activate);
            }
            if response.secondary_clicked() && !self.listing.is_selected(i) {
                self.listing.click(i, false, false);
            }
            let row = self.listing.visible(i).cloned();
            if response.double_clicked()
                && let Some(row) = &row
            {
                if row.is_container() {
                    actions.push(PaneAction::OpenRow(row.name.clone()));
                } else {
                    actions.push(PaneAction::Transfer(vec![row.clone()]));
                }
            }
            // A drive is not dragged anywhere: uploading a whole disk is not what it means.
            if response.drag_started() && !drive_list {
                if !self.listing.is_selected(i) {
                    self.listing.click(i, false, false);
                }
                let rows = self.selected_rows();
                response.dnd_set_drag_payload(DraggedRows { from: side, rows });
            }
            if let Some(row) = row.as_ref().filter(|r| r.kind == RowKind::Dir) {
                self.ui_folder_drop_target(ui, &response, row, actions);
            }
            match row {
                Some(row) if drive_list => self.ui_drive_menu(&response, &row, actions),
                Some(row) => self.ui_row_menu(&response, &row, actions),
                None => {}
            }
        }
    }

    /// A folder row takes rows dragged from the other pane (and, through `hovered_folder`,
    /// files from the OS): they go into that folder rather than the one shown.
    fn ui_folder_drop_target(
        &mut self,
        ui: &egui::Ui,
        response: &egui::Response,
        row: &FileRow,
        actions: &mut Vec<PaneAction>,
    ) {
        let side = self.side;
        if response.contains_pointer() {
            self.hovered_folder = Some(row.name.clone());
        }
        let from_other = |p: &DraggedRows| p.from != side;
        if response
            .dnd_hover_payload::<DraggedRows>()
            .is_some_and(|p| from_other(&p))
        {
            ui.painter().rect_stroke(
                response.rect,
                2.0,
                egui::Stroke::new(2.0, ui.visuals().selection.stroke.color),
                egui::StrokeKind::Inside,
            );
        }
        if let Some(payload) = response.dnd_release_payload::<DraggedRows>()
            && from_other(&payload)
        {
            actions.push(PaneAction::Dropped {
                dragged: (*payload).clone(),
                into: Some(row.name.clone()),
            });
        }
    }

    fn ui_row_menu(&self, response: &egui::Response, row: &FileRow, actions: &mut Vec<PaneAction>) {
        // Only built when the menu is open: this runs for every visible row every frame.
        let verb = match self.side {
            Side::Local => "Upload",
            Side::Remote => "Download",
        };
        response.context_menu(|ui| {
            if row.is_container() && ui.button("Open").clicked() {
                actions.push(PaneAction::OpenRow(row.name.clone()));
                ui.close();
            }
            if ui.button(verb).clicked() {
                actions.push(PaneAction::Transfer(self.selected_rows()));
                ui.close();
            }
            if !row.is_container() {
                let open = match self.side {
                    Side::Local => "Open (F4)",
                    Side::Remote => "View/Edit (F4)",
                };
                if ui.button(open).clicked() {
                    actions.push(PaneAction::ViewEdit(row.clone()));
                    ui.close();
                }
            }
            ui.separator();
            if ui.button("Rename (F2)").clicked() {
                actions.push(PaneAction::Rename(row.clone()));
                ui.close();
            }
            if ui.button("Delete (Del)").clicked() {
                actions.push(PaneAction::Delete(self.selected_rows()));
                ui.close();
            }
            if ui.button("New folder").clicked() {
                actions.push(PaneAction::NewFolder);
                ui.close();
            }
            // Unix permissions: the server's (SITE CHMOD), or this computer's on Unix.
            if (self.side == Side::Remote || cfg!(unix)) && ui.button("Permissions…").clicked() {
                actions.push(PaneAction::Permissions(self.selected_rows()));
                ui.close();
            }
            ui.separator();
            self.ui_copy_path_and_refresh(ui, row, actions);
        });
    }

    /// A drive's menu in the drive list: what makes sense for a drive.
    fn ui_drive_menu(
        &self,
        response: &egui::Response,
        row: &FileRow,
        actions: &mut Vec<PaneAction>,
    ) {
        response.context_menu(|ui| {
            if ui.button("Open").clicked() {
                actions.push(PaneAction::OpenRow(row.name.clone()));
                ui.close();
            }
            self.ui_copy_path_and_refresh(ui, row, actions);
        });
    }

    /// The last entries of every row's menu.
    fn ui_copy_path_and_refresh(
        &self,
        ui: &mut egui::Ui,
        row: &FileRow,
        actions: &mut Vec<PaneAction>,
    ) {
        if ui.button("Copy path").clicked() {
            actions.push(PaneAction::CopyPath(self.child_path(&row.name)));
            ui.close();
        }
        if ui.button("Refresh (F5)").clicked() {
            actions.push(PaneAction::Refresh);
            ui.close();
        }
    }

    /// The selected rows, copied (for an action).
    pub(crate) fn selected_rows(&self) -> Vec<FileRow> {
        self.listing.selected_rows().into_iter().cloned().collect()
    }

    /// The path of `name` in the folder shown.
    pub(crate) fn child_path(&self, name: &str) -> String {
        match self.side {
            Side::Remote => crate::ftp::path::join(&self.path, name),
            Side::Local if self.shows_drives() => drives::drive_row_path(name),
            Side::Local => std::path::Path::new(&self.path)
                .join(name)
                .to_string_lossy()
                .into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_has_no_local_permissions_column_the_server_always_has() {
        assert!(!shows_permissions_column(Side::Local, true));
        assert!(shows_permissions_column(Side::Remote, true));
        assert!(shows_permissions_column(Side::Local, false));
        assert!(shows_permissions_column(Side::Remote, false));
    }

    #[test]
    fn the_drive_list_takes_moving_around_not_file_operations() {
        for moves in [
            PaneAction::OpenRow("C:".into()),
            PaneAction::Up,
            PaneAction::Refresh,
            PaneAction::Home,
            PaneAction::CopyPath(r"C:\".into()),
        ] {
            assert!(moves.works_on_drive_list(), "{moves:?}");
        }
        for refused in [
            PaneAction::Transfer(Vec::new()),
            PaneAction::Delete(Vec::new()),
            PaneAction::NewFolder,
            PaneAction::Permissions(Vec::new()),
        ] {
            assert!(!refused.works_on_drive_list(), "{refused:?}");
        }
    }

    #[cfg(not(windows))]
    #[test]
    fn up_from_the_local_root_goes_nowhere_off_windows() {
        let mut pane = Pane::new(Side::Local);
        pane.path = "/".into();
        assert_eq!(pane.parent_path(), None);
        pane.path = "/home".into();
        assert_eq!(pane.parent_path().as_deref(), Some("/"));
        let mut remote = Pane::new(Side::Remote);
        remote.path = "/pub/incoming".into();
        assert_eq!(remote.parent_path().as_deref(), Some("/pub"));
        remote.path = "/".into();
        assert_eq!(remote.parent_path(), None);
    }
}
