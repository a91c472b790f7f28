//! Drag and drop: files from the OS onto the remote pane (or one of its folder rows), and
//! the ghost that follows rows dragged between the panes.

use super::*;

impl FerryApp {
    /// Files dropped from the OS file manager: onto the remote pane, they upload into the
    /// folder shown there.
    pub(super) fn os_file_drop(&mut self, ctx: &egui::Context) {
        let (hovering, dropped, pointer) = ctx.input(|i| {
            (
                !i.raw.hovered_files.is_empty(),
                i.raw.dropped_files.clone(),
                i.pointer.latest_pos(),
            )
        });
        let over_remote = pointer.is_none_or(|p| self.tab.remote.rect.contains(p));
        if hovering {
            let painter = ctx.layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("drop-zone"),
            ));
            let rect = self.tab.remote.rect;
            let color = ctx.global_style().visuals.selection.bg_fill;
            painter.rect_filled(rect, 6.0, color.gamma_multiply(0.35));
            let text = if self.tab.conn.live.is_some() {
                let target = match &self.tab.remote.hovered_folder {
                    Some(folder) => self.tab.remote.child_path(folder),
                    None => self.tab.remote.path.clone(),
                };
                format!("Drop to upload to {target}")
            } else {
                "Connect to a server to upload".to_owned()
            };
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                text,
                egui::FontId::proportional(20.0),
                ctx.global_style().visuals.strong_text_color(),
            );
        }
        if dropped.is_empty() {
            return;
        }
        if !over_remote {
            self.report(Err("Drop files onto the remote pane to upload them.".into()));
            return;
        }
        if self.tab.conn.live.is_none() {
            self.report(Err(
                "Connect to a server first, then drop the files again.".into()
            ));
            return;
        }
        // Looking at the files is disk I/O (a network share can take seconds): a worker does it.
        // Dropped onto a folder row, they go into that folder.
        let remote_dir = match &self.tab.remote.hovered_folder {
            Some(folder) => self.tab.remote.child_path(folder),
            None => self.tab.remote.path.clone(),
        };
        let paths: Vec<PathBuf> = dropped.iter().map(|f| f.path().to_owned()).collect();
        let inbox = self.inbox.clone();
        let tab = self.tab.id;
        let spawned = std::thread::Builder::new()
            .name("ferry-dropped".into())
            .spawn(move || {
                let files = paths
                    .into_iter()
                    .map(|path| {
                        let looked = match std::fs::metadata(&path) {
                            Ok(meta) if meta.is_dir() => Ok(None),
                            Ok(meta) => Ok(Some(meta.len())),
                            Err(e) => Err(format!("{}: {e}", path.display())),
                        };
                        (path, looked)
                    })
                    .collect();
                inbox.send(UiEvent::Dropped {
                    tab,
                    remote_dir,
                    files,
                });
            });
        if let Err(e) = spawned {
            self.report(Err(format!("cannot start a thread: {e}")));
        }
    }

    /// What is being dragged between the panes, next to the pointer: the file (or how many),
    /// and where it would go.
    pub(super) fn ui_drag_ghost(&self, ctx: &egui::Context) {
        let Some(dragged) = egui::DragAndDrop::payload::<DraggedRows>(ctx) else {
            return;
        };
        let Some(pointer) = ctx.pointer_latest_pos() else {
            return;
        };
        let what = match dragged.rows.as_slice() {
            [one] => format!(
                "{} {}",
                if one.is_container() { "📁" } else { "📄" },
                crate::ftp::text::escape(&one.name)
            ),
            rows => format!("{} items", rows.len()),
        };
        let target = self.pane(dragged.from.other());
        let over = target.rect.contains(pointer);
        let verb = match dragged.from {
            Side::Local => "Upload",
            Side::Remote => "Download",
        };
        let text = match (&target.hovered_folder, over) {
            (Some(folder), true) => format!("{verb} {what} into {folder}"),
            (None, true) => format!("{verb} {what} to {}", target.path),
            (_, false) => format!("{verb} {what}"),
        };
        egui::Area::new(egui::Id::unique("drag-ghost"))
            .order(egui::Order::Tooltip)
            .fixed_pos(pointer + egui::vec2(14.0, 10.0))
            .interactable(false)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.label(text);
                });
            });
    }

    /// Dropped files, looked at: files are queued, folders planned on the browse worker.
    pub(super) fn dropped_files(
        &mut self,
        remote_dir: &str,
        files: Vec<(PathBuf, Result<Option<u64>, String>)>,
    ) {
        let mut items = Vec::new();
        for (path, looked) in files {
            let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            let remote = remote_path::join(remote_dir, &name);
            match looked {
                Ok(None) => {
                    self.browse(
                        BrowseRequest::PlanUpload {
                            local: path,
                            remote,
                        },
                        Purpose::Plan,
                    );
                }
                Ok(Some(size)) => items.push(NewItem {
                    direction: Direction::Upload,
                    local: path,
                    remote,
                    size: Some(size),
                    modified: None,
                    modified_exact: false,
                }),
                Err(e) => self.report(Err(e)),
            }
        }
        self.queue_items(Side::Local, items);
    }
}
