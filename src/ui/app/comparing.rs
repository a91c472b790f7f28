//! Comparing the two panes: compare mode (rows marked newer, older, only here, different size,
//! with the server's time offset set or detected and kept in the site), synchronized browsing
//! (opening a folder on one side opens the same relative folder on the other), and the
//! Synchronize dialog (compared and carried out on the browse worker, transfers queued).

use super::*;
use crate::ftp::text::escape;
use crate::transfer::find::StopFlag;
use crate::transfer::sync::{SyncDirection, SyncOptions};
use crate::transfer::sync_run::SyncPreview;
use crate::transfer::{FileExistsPolicy, sync::SyncAction};
use crate::ui::compare::{self, Mark};
use crate::ui::files::RowKind;
use crate::ui::sync_dialog::{Stage, SyncDialog, SyncDialogAction};

/// A tab's compare mode.
#[derive(Default)]
pub(super) struct Comparing {
    pub on: bool,
    /// Compare by size alone.
    pub size_only: bool,
    /// Minutes to add to the server's LIST times to get UTC (the site's setting, or set here).
    pub offset_minutes: i32,
    /// The offset changed and is not saved in the site yet (saved once the pointer is up).
    offset_dirty: bool,
    /// What the marks were made from: both listings' generations and the options.
    made_for: Option<(u64, u64, i32, bool)>,
    /// A detection (MDTM) is on its way.
    detecting: bool,
}

impl Comparing {
    /// The connection went away with any request in flight: nothing is waited for.
    pub(super) fn forget_requests(&mut self) {
        self.detecting = false;
    }
}

/// Synchronized browsing: the two folders that correspond (where it was switched on).
#[derive(Clone)]
pub(super) struct Linked {
    local: PathBuf,
    remote: String,
}

impl FerryApp {
    /// How the tab compares: `direction`, the server's offset, size only.
    fn sync_options(&self, direction: SyncDirection) -> SyncOptions {
        let mut options = SyncOptions::new(direction);
        options.remote_offset_seconds = i64::from(self.tab.compare.offset_minutes) * 60;
        options.size_only = self.tab.compare.size_only;
        options
    }

    /// Makes the panes' marks again when a listing or an option changed (not every frame: a
    /// folder can hold 100 000 rows).
    pub(super) fn update_marks(&mut self) {
        // Drives have nothing to compare with the server's files.
        let on =
            self.tab.compare.on && self.tab.conn.live.is_some() && !self.tab.local.shows_drives();
        if !on {
            if self.tab.compare.made_for.take().is_some() {
                self.tab.local.marks.clear();
                self.tab.remote.marks.clear();
            }
            return;
        }
        let key = (
            self.tab.local.listing.generation(),
            self.tab.remote.listing.generation(),
            self.tab.compare.offset_minutes,
            self.tab.compare.size_only,
        );
        if self.tab.compare.made_for == Some(key) {
            return;
        }
        self.tab.compare.made_for = Some(key);
        let options = self.sync_options(SyncDirection::Both);
        let marks = compare::mark_rows(
            self.tab.local.listing.rows(),
            self.tab.remote.listing.rows(),
            &options,
        );
        self.tab.local.marks = marks.local;
        self.tab.remote.marks = marks.remote;
    }

    /// The toolbar's buttons for comparing.
    pub(super) fn ui_compare_buttons(&mut self, ui: &mut egui::Ui) {
        let connected = self.tab.conn.live.is_some();
        ui.add_enabled_ui(connected, |ui| {
            ui.toggle_value(&mut self.tab.compare.on, "Compare")
                .on_hover_text(
                    "Mark files that are newer, older, only on one side or of another size",
                );
        });
        let linked = self.tab.linked.is_some();
        if ui
            .add_enabled(connected, egui::Button::selectable(linked, "Sync browsing"))
            .on_hover_text(
                "Synchronized browsing: opening a folder on one side opens the same folder on the other",
            )
            .clicked()
        {
            self.set_synchronized_browsing(!linked);
        }
        if ui
            .add_enabled(connected, egui::Button::new("Synchronize…"))
            .on_hover_text("Compare the two folders and make them equal, after a preview")
            .clicked()
        {
            self.open_sync_dialog();
        }
    }

    /// The line under the toolbar while compare mode is on: what the colours mean, size only,
    /// the server's time offset.
    pub(super) fn ui_compare_bar(&mut self, ui: &mut egui::Ui) {
        let dark = ui.visuals().dark_mode;
        ui.horizontal_wrapped(|ui| {
            ui.strong("Compare");
            for mark in [Mark::Newer, Mark::Older, Mark::OnlyHere, Mark::SizeDiffers] {
                ui.colored_label(mark.color(dark), mark.word());
            }
            ui.separator();
            ui.checkbox(&mut self.tab.compare.size_only, "Size only");
            ui.separator();
            let label = ui.label("Server time offset");
            if compare::ui_offset_field(ui, &mut self.tab.compare.offset_minutes, label.id) {
                self.tab.compare.offset_dirty = true;
            }
            if ui
                .add_enabled(!self.tab.compare.detecting, egui::Button::new("Detect"))
                .on_hover_text("Ask the server for the exact time of a listed file (MDTM)")
                .clicked()
            {
                self.detect_time_offset();
            }
            if self.tab.compare.detecting {
                ui_spinner(ui, 12.0);
            }
        });
        if self.tab.compare.offset_dirty && !ui.input(|i| i.pointer.any_down()) {
            self.tab.compare.offset_dirty = false;
            self.save_time_offset();
        }
    }

    /// Asks the server for the exact time of the newest file listed with a LIST time. Only a
    /// time of the last few months with its hour and minute will do: LIST gives older files
    /// their day alone, which reads as midnight and would make any offset.
    fn detect_time_offset(&mut self) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        // A date-only LIST time (older files) says nothing about the hour.
        let recent = |t: i64| (now - t).abs() < 150 * 86_400;
        let newest = self
            .tab
            .remote
            .listing
            .rows()
            .iter()
            .filter(|r| r.kind == RowKind::File && !r.modified_exact && !r.modified_day_only)
            .filter(|r| r.modified.is_some_and(recent))
            .filter_map(|r| r.modified.map(|t| (t, r.name.clone())))
            .max();
        let Some((listed, name)) = newest else {
            let exact = self
                .tab
                .remote
                .listing
                .rows()
                .iter()
                .any(|r| r.kind == RowKind::File && r.modified_exact);
            return self.report(if exact {
                Ok("The server lists exact UTC times (MLSD): no offset is needed.".into())
            } else {
                Err("No file in this folder is listed with a recent time (hours and minutes) to detect the offset with; open a folder with a file changed in the last months.".into())
            });
        };
        let path = self.tab.remote.child_path(&name);
        self.tab.compare.detecting = true;
        self.browse(
            BrowseRequest::TimeOffset { path, listed },
            Purpose::TimeOffset,
        );
    }

    /// The detection's answer.
    pub(super) fn time_offset_detected(&mut self, result: Result<Option<i64>, String>) {
        self.tab.compare.detecting = false;
        match result {
            Ok(Some(seconds)) => {
                let minutes = (seconds / 60) as i32;
                self.tab.compare.offset_minutes = minutes;
                self.report(Ok(format!(
                    "The server lists its times at UTC{}; the offset is set to {}.",
                    utc_offset_text(-minutes),
                    hours_text(minutes)
                )));
                self.save_time_offset();
            }
            Ok(None) => self.report(Err(
                "The listed and the exact time differ by no whole time zone (the file may have changed, or is listed without its hour); the offset is unchanged.".into(),
            )),
            Err(e) => self.report(Err(format!("Cannot detect the time offset: {e}"))),
        }
    }

    /// Keeps the offset in the saved site this tab came from (on a worker).
    fn save_time_offset(&mut self) {
        let minutes = self.tab.compare.offset_minutes;
        if let Some(request) = &mut self.tab.conn.last_request {
            request.time_offset_minutes = minutes;
        }
        let site = self
            .tab
            .conn
            .last_request
            .as_ref()
            .and_then(|r| r.site.clone());
        let Some(site_path) = site else {
            return;
        };
        self.update_site_in_background(site_path.clone(), move |site| {
            (site.time_offset_minutes != minutes).then(|| {
                site.time_offset_minutes = minutes;
                format!(
                    "Saved the time offset {} in {site_path}.",
                    hours_text(minutes)
                )
            })
        });
    }

    /// Switches synchronized browsing on (the folders shown now correspond) or off.
    pub(super) fn set_synchronized_browsing(&mut self, on: bool) {
        if !on {
            if self.tab.linked.take().is_some() {
                self.report(Ok("Synchronized browsing is off.".into()));
            }
            return;
        }
        let Some(local) = self.local_folder() else {
            return;
        };
        let linked = Linked {
            local,
            remote: self.tab.remote.path.clone(),
        };
        self.report(Ok(format!(
            "Synchronized browsing: {} and {} correspond.",
            linked.local.display(),
            escape(&linked.remote)
        )));
        self.tab.linked = Some(linked);
    }

    /// `side` was asked to show `path`: the other pane follows to the same relative folder.
    /// A folder outside the linked ones ends synchronized browsing.
    pub(super) fn follow(&mut self, side: Side, path: &str) {
        let Some(linked) = self.tab.linked.clone() else {
            return;
        };
        let relative = match side {
            Side::Local => Path::new(path)
                .strip_prefix(&linked.local)
                .ok()
                .map(crate::transfer::sync::slash_path),
            Side::Remote => remote_relative(&linked.remote, path),
        };
        let Some(relative) = relative else {
            self.tab.linked = None;
            let base = match side {
                Side::Local => linked.local.display().to_string(),
                Side::Remote => escape(&linked.remote).into_owned(),
            };
            return self.report(Err(format!(
                "Synchronized browsing is off: {} is outside {base}.",
                escape(path)
            )));
        };
        match side {
            Side::Local => {
                let remote = if relative.is_empty() {
                    linked.remote.clone()
                } else {
                    remote_path::join(&linked.remote, &relative)
                };
                self.list_remote(&remote);
            }
            Side::Remote => {
                let local = crate::transfer::sync::local_path(&linked.local, &relative);
                self.list_local(&local.to_string_lossy());
            }
        }
    }

    /// A pane could not show the folder it was sent to: with synchronized browsing on, the
    /// other side has no such folder, so the link ends (saying why) and the pane stays where
    /// it was. True when that happened.
    pub(super) fn unlink_after_failure(&mut self, path: &str, why: &str) -> bool {
        if self.tab.linked.take().is_none() {
            return false;
        }
        self.report(Err(format!(
            "Synchronized browsing is off: {} cannot be shown ({why}).",
            escape(path)
        )));
        true
    }

    /// Opens the Synchronize dialog for the two folders shown.
    pub(super) fn open_sync_dialog(&mut self) {
        if self.tab.conn.live.is_none() {
            return self.report(Err("Connect to a server first.".into()));
        }
        let Some(local) = self.local_folder() else {
            return;
        };
        self.tab.sync_dialog = Some(SyncDialog::new(
            local.to_string_lossy().into_owned(),
            self.tab.remote.path.clone(),
        ));
    }

    /// Draws the Synchronize dialog and sends what it asks to the browse worker.
    pub(super) fn ui_sync_dialog(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.tab.sync_dialog else {
            return;
        };
        let mut open = true;
        let action = dialog.ui(ctx, &mut open);
        let (local, remote) = (PathBuf::from(&dialog.local), dialog.remote.clone());
        if !open {
            // A comparison nobody waits for would hold up the browse session.
            dialog.stop_comparing();
            self.tab.sync_dialog = None;
        }
        match action {
            Some(SyncDialogAction::Compare(options)) => {
                let mut with_offset = self.sync_options(options.direction);
                with_offset.delete = options.delete;
                with_offset.size_only = options.size_only;
                with_offset.checksum = options.checksum;
                let stop = StopFlag::default();
                let id = self.browse(
                    BrowseRequest::SyncPreview {
                        local,
                        remote,
                        options: with_offset,
                        stop: stop.clone(),
                    },
                    Purpose::SyncPreview,
                );
                self.sync_waits_for(id);
                if let Some(dialog) = &mut self.tab.sync_dialog {
                    dialog.stop = Some(stop);
                }
            }
            Some(SyncDialogAction::KeepUpToDate) => {
                self.tab.sync_dialog = None;
                self.keep_up_to_date(local, remote);
            }
            Some(SyncDialogAction::Run(preview, chosen)) => {
                let id = self.browse(
                    BrowseRequest::SyncApply { preview, chosen },
                    Purpose::SyncApply,
                );
                self.sync_waits_for(id);
            }
            None => {}
        }
    }

    /// The dialog waits for browse request `id` (None: not connected, nothing comes).
    fn sync_waits_for(&mut self, id: Option<u64>) {
        if let Some(dialog) = &mut self.tab.sync_dialog {
            dialog.pending = id;
            if id.is_none() {
                dialog.compared(Err("not connected".into()));
            }
        }
    }

    /// The comparison for the dialog came back (ignored when the dialog is not waiting for
    /// it: closed and opened again since).
    pub(super) fn sync_compared(&mut self, id: u64, result: Result<Box<SyncPreview>, String>) {
        if let Some(dialog) = &mut self.tab.sync_dialog
            && dialog.pending == Some(id)
        {
            dialog.pending = None;
            dialog.compared(result);
        }
    }

    /// The folder changes and deletions are done: the transfers go to the queue (overwriting:
    /// the comparison decided), refusals are named.
    pub(super) fn sync_applied(
        &mut self,
        plan: crate::transfer::plan::Plan,
        refused: Vec<(SyncAction, String)>,
    ) {
        for (action, why) in &refused {
            self.log.push(LogLine::now(
                LogKind::Error,
                format!("Synchronize: {} failed: {}", action.describe(), escape(why)),
            ));
        }
        let transfers = plan.items.len();
        if transfers > 0
            && let Some(live) = &self.tab.conn.live
        {
            live.engine.send(Command::Add {
                label: plan.label,
                on_exists: FileExistsPolicy::Overwrite,
                items: plan.items,
            });
        }
        self.tab.sync_dialog = None;
        self.tab.refresh_local = true;
        self.tab.refresh_remote = true;
        self.report(if refused.is_empty() {
            Ok(format!("Synchronize: {transfers} transfer(s) queued."))
        } else {
            Err(format!(
                "Synchronize: {transfers} transfer(s) queued; {} change(s) refused (see the log). The folders still differ.",
                refused.len()
            ))
        });
    }

    /// The dialog's request failed.
    pub(super) fn sync_failed(&mut self, id: u64, why: String) {
        match &mut self.tab.sync_dialog {
            Some(dialog) if dialog.pending == Some(id) => {
                dialog.pending = None;
                if matches!(dialog.stage, Stage::Comparing) {
                    dialog.compared(Err(why));
                } else {
                    dialog.run_failed(why);
                }
            }
            _ => self.report(Err(format!("Synchronize failed: {why}"))),
        }
    }
}

/// `path` relative to the remote folder `base` (`/` between parts, empty for `base` itself),
/// or None when it is not inside it.
fn remote_relative(base: &str, path: &str) -> Option<String> {
    let path = path.trim_end_matches('/');
    if base.is_empty() {
        // The login folder: relative paths are inside it, absolute ones are not known to be.
        return (!path.starts_with('/')).then(|| path.to_owned());
    }
    let base = base.trim_end_matches('/');
    if path == base {
        return Some(String::new());
    }
    Some(path.strip_prefix(base)?.strip_prefix('/')?.to_owned())
}

/// `+2:00`, `-5:30`, `±0:00` for an offset in minutes.
fn utc_offset_text(minutes: i32) -> String {
    let sign = match minutes.signum() {
        1 => "+",
        -1 => "-",
        _ => "±",
    };
    format!("{sign}{}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
}

/// `+2.00 h` for an offset in minutes.
fn hours_text(minutes: i32) -> String {
    format!("{:+.2} h", f64::from(minutes) / 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_folders_relative_to_the_linked_one() {
        assert_eq!(remote_relative("/pub", "/pub"), Some(String::new()));
        assert_eq!(remote_relative("/pub/", "/pub/a/b"), Some("a/b".into()));
        assert_eq!(
            remote_relative("/pub", "/public"),
            None,
            "a sibling, not a child"
        );
        assert_eq!(remote_relative("/pub", "/"), None);
        assert_eq!(remote_relative("/", "/x"), Some("x".into()));
        assert_eq!(utc_offset_text(-330), "-5:30");
        assert_eq!(hours_text(120), "+2.00 h");
    }
}
