//! Keeping a server folder up to date (WinSCP's "keep remote directory up to date"): a local
//! folder is watched through the OS's change notices (the notify crate: inotify, FSEvents,
//! ReadDirectoryChangesW), changes are gathered until the folder has been quiet for a moment
//! (an editor's save, a copy in progress), and each changed file becomes an upload item; a
//! folder that appears is handed over whole, to be planned like a dropped folder (its remote
//! folders must be made). Deletions are not carried over, as WinSCP's default: a file removed
//! by mistake here is not removed there too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecursiveMode, Watcher};

use super::model::{Direction, NewItem};
use super::sync;
use crate::ftp::path as remote_path;

/// How long the folder must be quiet before its changes are handed over.
const QUIET: Duration = Duration::from_millis(400);
/// The longest a change waits for the folder to be quiet.
const LONGEST: Duration = Duration::from_secs(5);

/// What the watch found.
#[derive(Debug)]
pub enum Change {
    /// The watch is set up: changes from now on are seen.
    Ready,
    /// Files written or moved in: upload them over what the server has.
    Files(Vec<NewItem>),
    /// A folder that appeared (made, or moved in): upload it with everything in it.
    Folder {
        /// The local folder.
        local: PathBuf,
        /// The remote folder it becomes.
        remote: String,
    },
    /// The OS reported a problem (too many folders to watch, the folder went away).
    Failed(String),
}

/// A running watch; dropping it stops watching.
pub struct FolderWatch {
    messages: mpsc::Sender<Message>,
}

/// What the watch's thread hears: the OS's notices, or that the watch was dropped.
enum Message {
    Notice(notify::Result<notify::Event>),
    Stop,
}

impl Drop for FolderWatch {
    fn drop(&mut self) {
        let _ = self.messages.send(Message::Stop);
    }
}

impl FolderWatch {
    /// Watches `local_root` (and every folder under it) for changes to copy to `remote_root`.
    /// Everything runs on a thread of the watch's own (setting up a watch walks the whole tree,
    /// which takes a while for a big one): first [`Change::Ready`] or [`Change::Failed`], then
    /// each batch of changes goes to `report`, until `report` returns false or the watch is
    /// dropped.
    ///
    /// # Errors
    /// No thread could be started.
    pub fn start(
        local_root: PathBuf,
        remote_root: String,
        mut report: impl FnMut(Change) -> bool + Send + 'static,
    ) -> Result<FolderWatch, String> {
        let (messages, incoming) = mpsc::channel::<Message>();
        let notices = messages.clone();
        std::thread::Builder::new()
            .name("ferry-keep-up-to-date".into())
            .spawn(move || {
                // Links are not followed: a link to elsewhere (the home folder, `/`) must not
                // be walked, watched, or uploaded from.
                let config = notify::Config::default().with_follow_symlinks(false);
                let watcher = notify::RecommendedWatcher::new(
                    move |notice| {
                        let _ = notices.send(Message::Notice(notice));
                    },
                    config,
                )
                .and_then(|mut watcher| {
                    watcher
                        .watch(&local_root, RecursiveMode::Recursive)
                        .map(|()| watcher)
                });
                // Kept to the end of the thread: dropping it ends the notices.
                let _watcher = match watcher {
                    Ok(watcher) => watcher,
                    Err(e) => {
                        report(Change::Failed(format!(
                            "cannot watch {}: {e}",
                            local_root.display()
                        )));
                        return;
                    }
                };
                if !report(Change::Ready) {
                    return;
                }
                // Notices name paths as the OS sees them: compare against the real root.
                let root = crate::paths::canonical(&local_root).unwrap_or(local_root);
                watch_loop(&incoming, &root, &remote_root, &mut report);
            })
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        Ok(FolderWatch { messages })
    }
}

/// Gathers notices until the folder is quiet, then reports the changes; ends on Stop.
fn watch_loop(
    incoming: &mpsc::Receiver<Message>,
    root: &Path,
    remote_root: &str,
    report: &mut impl FnMut(Change) -> bool,
) {
    // Changed paths, and whether a notice said the path appeared (made or moved in), which
    // for a folder means its contents are new too.
    let mut pending: BTreeMap<PathBuf, bool> = BTreeMap::new();
    // When the first pending change and the latest one came: the batch goes when the folder
    // has been quiet for QUIET, or at the latest after LONGEST (a log written without pause).
    let mut first = Instant::now();
    let mut latest = Instant::now();
    loop {
        let wait = if pending.is_empty() {
            Duration::from_secs(3600)
        } else {
            let quiet_at = latest + QUIET;
            let deadline = (first + LONGEST).min(quiet_at);
            deadline.saturating_duration_since(Instant::now())
        };
        match incoming.recv_timeout(wait) {
            Ok(Message::Notice(Ok(event))) => {
                if event.need_rescan() {
                    // The OS's queue overflowed: some changes were not reported.
                    let missed = "the system dropped change notices (too many at once); some changes may not have been uploaded: use Synchronize to catch up".to_owned();
                    if !report(Change::Failed(missed)) {
                        return;
                    }
                }
                // Reads and metadata changes do not count as activity: they would hold a
                // batch back for as long as anything reads the folder.
                if let Some(appeared) = interesting(&event.kind) {
                    if pending.is_empty() {
                        first = Instant::now();
                    }
                    latest = Instant::now();
                    for path in event.paths {
                        *pending.entry(path).or_insert(false) |= appeared;
                    }
                }
                if pending.is_empty() || Instant::now() < (first + LONGEST).min(latest + QUIET) {
                    continue;
                }
                for change in changes(root, remote_root, std::mem::take(&mut pending)) {
                    if !report(change) {
                        return;
                    }
                }
            }
            Ok(Message::Notice(Err(e))) => {
                if !report(Change::Failed(e.to_string())) {
                    return;
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                for change in changes(root, remote_root, std::mem::take(&mut pending)) {
                    if !report(change) {
                        return;
                    }
                }
            }
            Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Whether a notice can mean new content: Some(true) when it says a path appeared (created,
/// or renamed into place), Some(false) for a write; None for reads, removals, metadata.
fn interesting(kind: &EventKind) -> Option<bool> {
    match kind {
        EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_)) => Some(true),
        EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any)
        | EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Any => Some(false),
        _ => None,
    }
}

/// Whether a folder on the way from `root` to `root/relative` is a symbolic link.
fn through_link(root: &Path, relative: &Path) -> bool {
    let mut path = root.to_owned();
    let mut parts = relative.components().peekable();
    while let Some(part) = parts.next() {
        path.push(part);
        if parts.peek().is_some()
            && std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
        {
            return true;
        }
    }
    false
}

/// Editors' and downloaders' temporary files, never worth uploading.
fn is_temporary(name: &str) -> bool {
    name.ends_with('~')
        || name.starts_with(".#")
        || [".swp", ".swx", ".tmp", ".part", ".crdownload"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// The uploads (and new folders) for a quiet folder's changed paths. A path gone again, or
/// outside the root, is passed over; files inside a new folder go with that folder.
fn changes(root: &Path, remote_root: &str, pending: BTreeMap<PathBuf, bool>) -> Vec<Change> {
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut files = Vec::new();
    // BTreeMap order: a folder comes before the paths inside it.
    for (path, appeared) in pending {
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        if relative.as_os_str().is_empty() || folders.iter().any(|f| path.starts_with(f)) {
            continue;
        }
        // Inside a linked folder (the OS may report through one): not this folder's file.
        if through_link(root, relative) {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_temporary(&name) {
            continue;
        }
        // Links are not followed: a link to elsewhere must not upload elsewhere's files.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let remote = remote_path::join(remote_root, &sync::slash_path(relative));
        if meta.is_dir() {
            if appeared {
                folders.push(path);
            }
        } else if meta.is_file() {
            let modified = super::engine::mtime(&meta);
            files.push(NewItem {
                direction: Direction::Upload,
                local: path,
                remote,
                size: Some(meta.len()),
                modified,
                modified_exact: modified.is_some(),
            });
        }
    }
    let mut out: Vec<Change> = folders
        .into_iter()
        .filter_map(|local| {
            let relative = sync::slash_path(local.strip_prefix(root).ok()?);
            Some(Change::Folder {
                remote: remote_path::join(remote_root, &relative),
                local,
            })
        })
        .collect();
    if !files.is_empty() {
        out.push(Change::Files(files));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_changes_become_uploads_and_new_folders_go_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::write(root.join("page.html"), b"<p>").unwrap();
        std::fs::write(root.join("page.html~"), b"backup").unwrap();
        std::fs::create_dir_all(root.join("new/inner")).unwrap();
        std::fs::write(root.join("new/inner/a.css"), b"a").unwrap();
        std::fs::create_dir(root.join("old")).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), b"not mine").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), root.join("linked")).unwrap();
        let pending = BTreeMap::from([
            (root.join("page.html"), false),
            (root.join("page.html~"), false),
            (root.join("new"), true),
            (root.join("new/inner/a.css"), true),
            // Written to and gone again.
            (root.join("vanished.txt"), true),
            // An old folder's time changed: nothing new in it by itself.
            (root.join("old"), false),
            (PathBuf::from("/elsewhere/x"), true),
            // Reported through a link to a folder outside the root.
            (root.join("linked/secret.txt"), false),
        ]);
        let changes = changes(&root, "/www", pending);
        assert_eq!(changes.len(), 2, "{changes:?}");
        match &changes[0] {
            Change::Folder { local, remote } => {
                assert_eq!(local, &root.join("new"));
                assert_eq!(remote, "/www/new");
            }
            other => panic!("{other:?}"),
        }
        match &changes[1] {
            Change::Files(items) => {
                assert_eq!(items.len(), 1, "{items:?}");
                assert_eq!(items[0].remote, "/www/page.html");
                assert_eq!(items[0].size, Some(3));
                assert_eq!(items[0].direction, Direction::Upload);
            }
            other => panic!("{other:?}"),
        }
    }
}
