//! Folder synchronisation, the working half: walk both folders and compare them
//! ([`super::sync::compare`]) into a [`SyncPreview`]; then [`apply`] the chosen changes: folders
//! made and things deleted at once, in the preview's order, and the transfers handed back as
//! queue items for the engine. `ferry sync` and the window's Synchronize dialog (on its browse
//! worker) share it, so both decide and change the same way.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::find::StopFlag;
use super::model::{Direction, NewItem};
use super::names;
use super::sync::{self, SyncAction, SyncDirection, SyncOptions};
use super::walk::{self, RemoteTree, TimePrecision, Walk, WalkError, WalkProgress};
use crate::ftp::checksum::{Algorithm, Hasher};
use crate::ftp::text::escape;
use crate::ftp::{FtpError, Session, path as remote_path};

/// What a synchronisation would change, and what it needs to carry the changes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPreview {
    /// The local folder compared.
    pub local_root: PathBuf,
    /// The remote folder compared (no trailing `/` but for the root `/`; empty: the login
    /// folder).
    pub remote_root: String,
    /// The changes, in an order that can be carried out as listed.
    pub actions: Vec<SyncAction>,
    /// Entries left out of the comparison (links, devices, unusable names), one line each.
    pub skipped: Vec<String>,
    /// Folders that could not be listed, on either side (`here: a/: why`, `on the server:
    /// b/: why`): nothing in them was compared or will be changed, and the run fails.
    pub failed: Vec<String>,
    /// What the comparison could not do as asked (no checksums on this server), one line each.
    pub notes: Vec<String>,
    /// Remote files' times (Unix seconds, exact or not), kept on download.
    remote_times: HashMap<String, (Option<i64>, bool)>,
    /// Local files' times, kept on upload.
    local_times: HashMap<String, Option<i64>>,
}

impl SyncPreview {
    /// What the queue calls the synchronisation's transfers.
    pub fn label(&self) -> String {
        let remote = if self.remote_root.is_empty() {
            "the login folder".into()
        } else {
            escape(&self.remote_root)
        };
        format!("Synchronize {} with {remote}", self.local_root.display())
    }

    /// Changes that would leave the sides equal (conflicts are only reported).
    pub fn changes(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| !matches!(a, SyncAction::Conflict(..)))
            .count()
    }
}

/// Walks `local_root` and `remote_root` (over `session`) and compares them. A remote folder
/// that does not exist yet counts as empty when uploading (it will be made). A folder that
/// cannot be listed, on either side, is compared not at all (see [`sync::compare_contents`])
/// and named in [`SyncPreview::failed`]. `progress` hears after each folder listed (the local
/// walk's, then the remote one's).
///
/// # Errors
/// A root cannot be listed, the session failed, the comparison was stopped, or a tree is too
/// big.
pub fn preview(
    session: &mut Session,
    local_root: &Path,
    remote_root: &str,
    options: &SyncOptions,
    follow_symlinks: bool,
    stop: &StopFlag,
    progress: &mut dyn FnMut(WalkProgress),
) -> Result<SyncPreview, WalkError> {
    // Each walk holds the callback only while it runs.
    let mut report_local = |p| progress(p);
    let local_tree = Walk::new()
        .follow_links(follow_symlinks)
        .until(stop)
        .reporting(&mut report_local)
        .local(local_root)?;
    let mut report_remote = |p| progress(p);
    let remote_walk = Walk::new()
        .follow_links(follow_symlinks)
        .until(stop)
        .reporting(&mut report_remote);
    let mut remote_tree = remote_or_missing(session, remote_root, options, remote_walk)?;
    if !options.size_only {
        // Only files on both sides are compared by time.
        let here: HashSet<String> = local_tree
            .files
            .iter()
            .map(|(rel, _, _)| sync::slash_path(rel))
            .collect();
        // Once stopped, no more MDTMs are asked; the half-made comparison is not returned.
        walk::exact_times(session, remote_root, &mut remote_tree, |rel| {
            !stop.is_stopped() && here.contains(rel)
        })?;
    }
    if stop.is_stopped() {
        return Err(FtpError::Cancelled.into());
    }
    let mut notes = Vec::new();
    let same_content = if options.checksum {
        same_contents(
            session,
            local_root,
            remote_root,
            &local_tree,
            &remote_tree,
            &mut notes,
            stop,
        )?
    } else {
        BTreeMap::new()
    };
    let actions = sync::compare_contents(&local_tree, &remote_tree, options, &same_content);
    let skipped = local_tree
        .skipped
        .iter()
        .map(|(path, why)| format!("{}: {why}", path.display()))
        .chain(
            remote_tree
                .skipped
                .iter()
                .map(|(path, why)| format!("{}: {why}", escape(path))),
        )
        .collect();
    let failed = local_tree
        .failed_lines()
        .into_iter()
        .map(|line| format!("here: {line}"))
        .chain(
            remote_tree
                .failed_lines()
                .into_iter()
                .map(|line| format!("on the server: {line}")),
        )
        .collect();
    Ok(SyncPreview {
        local_root: local_root.to_owned(),
        remote_root: tidy_root(remote_root),
        actions,
        skipped,
        failed,
        notes,
        remote_times: remote_tree
            .files
            .into_iter()
            .map(|(rel, file)| {
                let exact = file.precision == TimePrecision::Exact;
                (rel.into_string(), (file.modified, exact))
            })
            .collect(),
        local_times: local_tree
            .files
            .iter()
            .map(|(rel, _, modified)| (sync::slash_path(rel), *modified))
            .collect(),
    })
}

/// The remote tree; for an upload, a root the server refuses to list because it is not there
/// is an empty tree (the upload makes it). "Not there" is CWD's word, not the listing's: a
/// folder that exists but cannot be listed must not look empty.
fn remote_or_missing(
    session: &mut Session,
    remote_root: &str,
    options: &SyncOptions,
    walk: Walk<'_>,
) -> Result<RemoteTree, WalkError> {
    match walk.remote(session, remote_root) {
        Ok(tree) => Ok(tree),
        Err(WalkError::Ftp(e @ FtpError::Reply { .. }))
            if options.direction == SyncDirection::Upload
                && !e.is_fatal_to_session()
                && !remote_root.trim_matches('/').is_empty() =>
        {
            if walk::remote_folder_exists(session, remote_root)? {
                Err(e.into())
            } else {
                Ok(RemoteTree::default())
            }
        }
        Err(e) => Err(e),
    }
}

/// For each file on both sides with the same size: whether the server's checksum of its copy
/// equals ours. A server without a checksum command is asked once; a file it cannot checksum
/// keeps the size-and-time comparison. Each such case is a note.
fn same_contents(
    session: &mut Session,
    local_root: &Path,
    remote_root: &str,
    local_tree: &walk::LocalTree,
    remote_tree: &RemoteTree,
    notes: &mut Vec<String>,
    stop: &StopFlag,
) -> Result<BTreeMap<String, bool>, FtpError> {
    let sizes: HashMap<String, (PathBuf, u64)> = local_tree
        .files
        .iter()
        .map(|(rel, size, _)| (sync::slash_path(rel), (local_root.join(rel), *size)))
        .collect();
    let mut same = BTreeMap::new();
    for (rel, entry) in &remote_tree.files {
        if stop.is_stopped() {
            return Err(FtpError::Cancelled);
        }
        let Some((local, size)) = sizes.get(&**rel) else {
            continue;
        };
        if entry.size != Some(*size) {
            continue;
        }
        match session.checksum(&remote_path::join(remote_root, rel), *size) {
            Ok(Some((algorithm, theirs))) => match local_digest(local, algorithm) {
                Ok(ours) => {
                    same.insert(rel.to_string(), ours.eq_ignore_ascii_case(theirs.trim()));
                }
                Err(e) => notes.push(format!("{}: cannot read it: {e}", local.display())),
            },
            Ok(None) => {
                notes.push(
                    "the server offers no checksum command (HASH, XCRC, XMD5, ...): files were compared by size and time".into(),
                );
                break;
            }
            Err(e) if e.is_fatal_to_session() => return Err(e),
            Err(e) => notes.push(format!("{}: no checksum: {e}", escape(rel))),
        }
    }
    Ok(same)
}

/// The checksum of a local file, as lower-case hex.
fn local_digest(path: &Path, algorithm: Algorithm) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Hasher::new(algorithm);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buf[..n]);
    }
}

/// What [`apply`] did: the transfers left to queue, and the changes that were refused.
#[derive(Debug, Default)]
pub struct Applied {
    /// Uploads and downloads for the engine (a target that exists is to be overwritten: the
    /// comparison decided).
    pub items: Vec<NewItem>,
    /// Folder changes and deletions the server or the disk refused, with why. The sides still
    /// differ: the front end says so and fails the run.
    pub refused: Vec<(SyncAction, String)>,
}

/// Carries out `chosen` (actions of `preview`, in its order): folders are made and deletions
/// done now, over `session` or on the disk; transfers become queue items.
pub fn apply(session: &mut Session, preview: &SyncPreview, chosen: &[SyncAction]) -> Applied {
    let root = preview.local_root.as_path();
    let remote_root = preview.remote_root.as_str();
    let mut applied = Applied::default();
    if !remote_root.is_empty() && remote_root != "/" && chosen.iter().any(touches_remote) {
        // An upload into a folder that does not exist yet (a refusal: it exists already).
        let _ = session.mkdir(remote_root);
    }
    // Once the connection is gone, the other changes are not tried (each would fail alike).
    let mut lost: Option<String> = None;
    for action in chosen {
        let remote = remote_path::join(remote_root, action.path());
        if let Some(why) = &lost
            && !action.is_transfer()
        {
            applied
                .refused
                .push((action.clone(), format!("not tried: {why}")));
            continue;
        }
        let on_server = |result: Result<(), FtpError>, lost: &mut Option<String>| {
            result.map_err(|e| {
                if e.is_fatal_to_session() {
                    *lost = Some(format!("the connection failed: {e}"));
                }
                e.to_string()
            })
        };
        let done = match action {
            SyncAction::MakeRemoteDir(_) => on_server(session.mkdir(&remote).map(drop), &mut lost),
            SyncAction::MakeLocalDir(rel) => names::checked_target(root, rel)
                .and_then(|dir| std::fs::create_dir_all(dir).map_err(|e| e.to_string())),
            SyncAction::DeleteRemoteFile(_) => on_server(session.delete(&remote), &mut lost),
            SyncAction::DeleteRemoteDir(_) => on_server(
                walk::delete_remote_tree(session, &remote).map_err(FtpError::from),
                &mut lost,
            ),
            SyncAction::DeleteLocalFile(rel) => {
                std::fs::remove_file(sync::local_path(root, rel)).map_err(|e| e.to_string())
            }
            SyncAction::DeleteLocalDir(rel) => {
                remove_local_folder(&sync::local_path(root, rel)).map_err(|e| e.to_string())
            }
            SyncAction::Upload(rel, size, _) => {
                let modified = preview.local_times.get(rel.as_str()).copied().flatten();
                applied.items.push(NewItem {
                    direction: Direction::Upload,
                    local: sync::local_path(root, rel),
                    remote,
                    size: Some(*size),
                    modified,
                    modified_exact: modified.is_some(),
                });
                Ok(())
            }
            SyncAction::Download(rel, size, _) => names::checked_target(root, rel).map(|local| {
                let (modified, exact) = preview
                    .remote_times
                    .get(rel.as_str())
                    .copied()
                    .unwrap_or((None, false));
                applied.items.push(NewItem {
                    direction: Direction::Download,
                    local,
                    remote,
                    size: *size,
                    modified,
                    modified_exact: exact,
                });
            }),
            SyncAction::Conflict(..) => Ok(()),
        };
        if let Err(why) = done {
            applied.refused.push((action.clone(), why));
        }
    }
    applied
}

/// Removes a local folder and what is in it; a link to a folder is removed as the link, never
/// what it leads to (`remove_dir_all` does not follow links inside; the check here makes the
/// top one explicit, and Windows removes a folder link with `remove_dir`).
fn remove_local_folder(path: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return std::fs::remove_file(path).or_else(|_| std::fs::remove_dir(path));
    }
    std::fs::remove_dir_all(path)
}

/// The remote root as compared: without a trailing `/`, except the server's root itself
/// (`/` must not become the empty path, which means the login folder).
fn tidy_root(root: &str) -> String {
    let trimmed = root.trim_end_matches('/');
    if trimmed.is_empty() && root.starts_with('/') {
        "/".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Whether an action changes something on the server.
fn touches_remote(action: &SyncAction) -> bool {
    matches!(
        action,
        SyncAction::MakeRemoteDir(_)
            | SyncAction::Upload(..)
            | SyncAction::DeleteRemoteFile(_)
            | SyncAction::DeleteRemoteDir(_)
    )
}

#[cfg(test)]
mod tests {
    use super::tidy_root;

    #[test]
    fn the_server_root_stays_the_root() {
        assert_eq!(tidy_root("/"), "/");
        assert_eq!(tidy_root("//"), "/");
        assert_eq!(tidy_root("/www/"), "/www");
        assert_eq!(tidy_root(""), "", "the login folder");
        assert_eq!(tidy_root("site/"), "site");
    }
}
