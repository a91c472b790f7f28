//! View/Edit: a server file downloaded into a private folder of Ferry's, opened with the
//! system's default program, and watched; when it is saved, the window asks whether to upload
//! it back (FileZilla's and WinSCP's "edit" workflow). A local file is just opened.

use super::*;
use crate::ui::external::{self, Watcher};

/// A file opened for editing: where it came from.
#[derive(Debug, Clone)]
pub(super) struct EditedFile {
    /// Its path on the server.
    pub remote: String,
    /// The connection it came from (uploads go back only through the same one).
    pub server: String,
    /// The tab of that connection.
    pub tab: tabs::TabId,
}

/// The files being viewed or edited.
#[derive(Default)]
pub(super) struct Edits {
    /// Downloads queued for View/Edit, by local copy: opened when done.
    downloading: HashMap<PathBuf, EditedFile>,
    /// Opened and watched, by local copy.
    watched: HashMap<PathBuf, EditedFile>,
    /// Started with the first edit.
    watcher: Option<Watcher>,
    /// Numbers the per-edit folders of this run.
    next: u64,
}

impl FerryApp {
    /// View/Edit `row` of `side`: a local file opens at once; a server file is downloaded
    /// first (on a worker the folder is made, then the queue downloads).
    pub(super) fn view_edit(&mut self, side: Side, row: FileRow) {
        if row.is_container() {
            return;
        }
        match side {
            Side::Local => {
                let path = PathBuf::from(self.tab.local.child_path(&row.name));
                external::open_in_background(&self.env.opener, path, &self.inbox);
            }
            Side::Remote => {
                let Some(live) = &self.tab.conn.live else {
                    return;
                };
                self.edits.next += 1;
                let stamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let dir = self
                    .env
                    .data_dir
                    .clone()
                    .unwrap_or_else(|| std::env::temp_dir().join("ferry"))
                    .join("edit")
                    .join(format!(
                        "{stamp}-{}-{}",
                        std::process::id(),
                        self.edits.next
                    ));
                let remote = self.tab.remote.child_path(&row.name);
                let item = NewItem {
                    direction: Direction::Download,
                    local: PathBuf::new(),
                    remote: remote.clone(),
                    size: row.size,
                    modified: row.modified,
                    modified_exact: row.modified_exact,
                };
                let server = live.label.clone();
                let inbox = self.inbox.clone();
                let tab = self.tab.id;
                let name = row.name;
                let _ = std::thread::Builder::new()
                    .name("ferry-edit-dir".into())
                    .spawn(move || {
                        // Private: the server's file may be nobody else's business.
                        let made = crate::persist::create_private_dir_all(&dir)
                            .map_err(|e| format!("Cannot create {}: {e}", dir.display()))
                            .and_then(|()| names::checked_target(&dir, &name));
                        inbox.send(UiEvent::EditReady {
                            tab,
                            server,
                            item: Box::new(item),
                            local: made,
                        });
                    });
            }
        }
    }

    /// The folder of a View/Edit download is ready: queue it (replacing nothing).
    pub(super) fn edit_ready(
        &mut self,
        server: String,
        mut item: NewItem,
        local: Result<PathBuf, String>,
    ) {
        let local = match local {
            Ok(local) => local,
            Err(e) => return self.report(Err(format!("View/Edit {}: {e}", item.remote))),
        };
        let Some(live) = self.tab.conn.live.as_ref().filter(|l| l.label == server) else {
            return self.report(Err(format!(
                "View/Edit {}: not connected to {server} any more",
                item.remote
            )));
        };
        item.local = local.clone();
        let label = format!("View/Edit {}", item.remote);
        self.edits.downloading.insert(
            local,
            EditedFile {
                remote: item.remote.clone(),
                server,
                tab: self.tab.id,
            },
        );
        live.engine.send(Command::Add {
            label,
            on_exists: crate::transfer::FileExistsPolicy::Overwrite,
            items: vec![item],
        });
    }

    /// Whether `local` is the copy of a View/Edit download still on its way.
    pub(super) fn edits_downloading(&self, local: &Path) -> bool {
        self.edits.downloading.contains_key(local)
    }

    /// A download finished or failed: a View/Edit one is opened and watched now.
    pub(super) fn edit_downloaded(&mut self, local: &Path, worked: bool) {
        let Some(file) = self.edits.downloading.remove(local) else {
            return;
        };
        if !worked {
            return;
        }
        let inbox = self.inbox.clone();
        self.edits
            .watcher
            .get_or_insert_with(|| Watcher::start(inbox))
            .watch_and_open(local.to_owned(), &self.env.opener, &self.inbox);
        self.log.push(LogLine::now(
            LogKind::Info,
            format!(
                "Opening {} (a copy in {}); saving it there offers to upload it.",
                file.remote,
                local.display()
            ),
        ));
        self.edits.watched.insert(local.to_owned(), file);
    }

    /// A watched file was saved: ask whether to upload it (once, however often it is saved
    /// while the question is open).
    pub(super) fn external_change(&mut self, local: PathBuf) {
        let Some(file) = self.edits.watched.get(&local) else {
            return;
        };
        let asked =
            |a: &Asked| matches!(&a.dialog, Dialog::UploadEdited { local: l, .. } if *l == local);
        if self.dialog.as_ref().is_some_and(asked) || self.questions.iter().any(asked) {
            return;
        }
        let (tab, dialog) = (
            file.tab,
            Dialog::UploadEdited {
                remote: file.remote.clone(),
                server: file.server.clone(),
                local,
            },
        );
        // Asked for the file's tab: "Upload" goes through that tab's connection.
        if self.with_tab(tab, |app| app.ask(dialog)).is_none() {
            self.report(Err(
                "The tab of an edited file was closed; it is not uploaded.".into(),
            ));
        }
    }

    /// "Upload" in the changed-file question: replaces the server's file with the copy.
    pub(super) fn upload_edited(&mut self, local: PathBuf, remote: String, server: String) {
        let Some(live) = self.tab.conn.live.as_ref().filter(|l| l.label == server) else {
            return self.report(Err(format!(
                "{remote} was not uploaded: connect to {server} again, then save the file once more."
            )));
        };
        live.engine.send(Command::Add {
            label: format!("Upload edited {remote}"),
            on_exists: crate::transfer::FileExistsPolicy::Overwrite,
            items: vec![NewItem {
                direction: Direction::Upload,
                local,
                remote,
                size: None,
                modified: None,
                modified_exact: false,
            }],
        });
    }
}
