//! Finding files on the server: the search window's requests to the browse worker, the
//! matches it streams back, and what the user does with them.

use super::*;
use crate::transfer::find::{FindProgress, Found, StopFlag};
use crate::ui::search::{SearchAction, SearchWindow};

impl FerryApp {
    /// Opens the search window on the remote pane's folder (or brings it back).
    pub(super) fn open_search(&mut self) {
        if self.tab.conn.live.is_none() {
            self.report(Err("Connect to a server first.".into()));
            return;
        }
        if self.tab.search.is_none() {
            self.tab.search = Some(SearchWindow::new(&self.tab.remote.path));
        }
    }

    /// A batch of matches (or the end) of search request `id`.
    pub(super) fn search_found(&mut self, id: u64, matches: Vec<Found>, progress: FindProgress) {
        if let Some(search) = &mut self.tab.search {
            search.found(id, matches, progress);
        }
    }

    /// A search request failed (or the connection was lost).
    pub(super) fn search_failed(&mut self, id: u64, error: String) {
        if let Some(search) = &mut self.tab.search {
            search.failed(id, error);
        }
    }

    pub(super) fn ui_search(&mut self, ctx: &egui::Context) {
        let Some(search) = &mut self.tab.search else {
            return;
        };
        let mut open = true;
        let actions = search.ui(ctx, &mut open);
        if !open {
            search.end();
            self.tab.search = None;
        }
        for action in actions {
            self.search_action(action);
        }
    }

    fn search_action(&mut self, action: SearchAction) {
        match action {
            SearchAction::Start { root, pattern } => {
                let stop = StopFlag::default();
                let Some(live) = &mut self.tab.conn.live else {
                    return;
                };
                let id = live.browser.request(BrowseRequest::Find {
                    root,
                    pattern,
                    stop: stop.clone(),
                });
                self.tab.purposes.insert(id, Purpose::Find);
                if let Some(search) = &mut self.tab.search {
                    search.started(id, stop);
                }
            }
            SearchAction::Stop => {
                if let Some(search) = &mut self.tab.search {
                    search.end();
                }
            }
            SearchAction::Reveal(found) => {
                self.tab.active = Side::Remote;
                self.tab.remote.reveal = Some(found.entry.name.clone());
                self.list_remote(&found.folder);
            }
            SearchAction::Download(found) => {
                // Each match from its own folder into the local pane's one, as FileZilla's
                // search does ("flatten"); a name that exists asks as any download would.
                let Some(local_dir) = self.local_folder() else {
                    return;
                };
                let mut by_folder: Vec<(String, Vec<FileRow>)> = Vec::new();
                for f in found {
                    let row = FileRow::from_entry(&f.entry);
                    match by_folder.iter_mut().find(|(folder, _)| *folder == f.folder) {
                        Some((_, rows)) => rows.push(row),
                        None => by_folder.push((f.folder, vec![row])),
                    }
                }
                for (folder, rows) in by_folder {
                    self.transfer_rows(Side::Remote, rows, &local_dir, &folder);
                }
            }
        }
    }
}
