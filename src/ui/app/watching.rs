//! Keep the server up to date: the local folder shown is watched ([`crate::transfer::watch`])
//! and what changes in it is uploaded to the server folder shown when it started, through the
//! tab's queue (so the queue shows each upload). The status bar says it runs and offers Stop.

use super::*;
use crate::ftp::text::escape;
use crate::transfer::FileExistsPolicy;
use crate::transfer::watch::{Change, FolderWatch};

/// Numbers watches, so a stopped one's last reports are told apart from a new one's.
static NEXT_WATCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A running watch of a tab.
pub(super) struct Watching {
    _watch: FolderWatch,
    id: u64,
    pub local: PathBuf,
    pub remote: String,
    /// Files queued since it started.
    pub queued: usize,
    /// The OS watch is set up (a big tree takes a while).
    pub ready: bool,
}

impl FerryApp {
    /// Starts watching `local` for the server folder `remote` (the Synchronize dialog's).
    pub(super) fn keep_up_to_date(&mut self, local: PathBuf, remote: String) {
        if self.tab.conn.live.is_none() {
            return self.report(Err("Connect to a server first.".into()));
        }
        let inbox = self.inbox.clone();
        let tab = self.tab.id;
        let id = NEXT_WATCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match FolderWatch::start(local.clone(), remote.clone(), move |change| {
            inbox.send(UiEvent::Watched {
                tab,
                watch: id,
                change,
            })
        }) {
            Ok(watch) => {
                self.report(Ok(format!("Watching {}…", local.display())));
                self.tab.watching = Some(Watching {
                    _watch: watch,
                    id,
                    local,
                    remote,
                    queued: 0,
                    ready: false,
                });
            }
            Err(e) => self.report(Err(e)),
        }
    }

    /// Stops the watch.
    pub(super) fn stop_keeping_up_to_date(&mut self) {
        if let Some(watching) = self.tab.watching.take() {
            self.report(Ok(format!(
                "Stopped keeping {} up to date ({} file(s) uploaded).",
                escape(&watching.remote),
                watching.queued
            )));
        }
    }

    /// What the watch found: files to the queue, new folders planned like a dropped folder.
    pub(super) fn watched(&mut self, watch: u64, change: Change) {
        let Some(watching) = self.tab.watching.as_mut().filter(|w| w.id == watch) else {
            return;
        };
        match change {
            Change::Ready => {
                watching.ready = true;
                let text = format!(
                    "Keeping {} up to date with {}: changed files are uploaded as they are saved.",
                    escape(&watching.remote),
                    watching.local.display()
                );
                self.report(Ok(text));
            }
            Change::Files(items) => {
                watching.queued += items.len();
                let label = format!("Keep up to date: {}", watching.local.display());
                if let Some(live) = &self.tab.conn.live {
                    live.engine.send(Command::Add {
                        label,
                        // The local copy was just saved: it replaces the server's.
                        on_exists: FileExistsPolicy::Overwrite,
                        items,
                    });
                }
            }
            Change::Folder { local, remote } => {
                self.browse(
                    BrowseRequest::PlanUpload { local, remote },
                    Purpose::KeepUpToDate,
                );
            }
            Change::Failed(e) => {
                // Before Ready: the watch never started, so it is not running either.
                if !watching.ready {
                    self.tab.watching = None;
                }
                self.report(Err(format!("Keep up to date: {e}")));
            }
        }
    }

    /// A folder that appeared, planned: its files replace the server's (as saved files do).
    pub(super) fn watched_folder_planned(&mut self, plan: crate::transfer::plan::Plan) {
        for skipped in &plan.skipped {
            self.log.push(LogLine::now(
                LogKind::Info,
                format!("Not transferred: {skipped}"),
            ));
        }
        if let Some(watching) = &mut self.tab.watching {
            watching.queued += plan.items.len();
        }
        if let Some(live) = &self.tab.conn.live
            && !plan.items.is_empty()
        {
            live.engine.send(Command::Add {
                label: plan.label,
                on_exists: FileExistsPolicy::Overwrite,
                items: plan.items,
            });
        }
        self.tab.refresh_remote = true;
    }

    /// The status bar's part while a watch runs.
    pub(super) fn ui_watch_status(&mut self, ui: &mut egui::Ui) {
        let Some(watching) = &self.tab.watching else {
            return;
        };
        ui.separator();
        let text = if watching.ready {
            format!(
                "👁 Keeping {} up to date ({} uploaded)",
                escape(&watching.remote),
                watching.queued
            )
        } else {
            format!("👁 Setting up the watch of {}…", watching.local.display())
        };
        ui.label(text)
            .on_hover_text(format!("Watching {}", watching.local.display()));
        if ui.small_button("Stop").clicked() {
            self.stop_keeping_up_to_date();
        }
    }
}
