//! Recursive walks for folder transfers: the remote tree through MLSD/LIST on one session, the
//! local tree through the file system. Symbolic links are listed but not followed unless asked,
//! so a link cannot pull a transfer into a loop or out of the chosen folder.

use std::fs;
use std::path::{Path, PathBuf};

use super::find::StopFlag;
use crate::ftp::{Entry, EntryKind, FtpError, Session, path as remote_path};

/// What a remote walk found, paths relative to its root (with `/`).
#[derive(Debug, Default)]
pub struct RemoteTree {
    /// Folders, parents before children.
    pub dirs: Vec<String>,
    /// Files with their listing entries (size, modification time).
    pub files: Vec<(String, Entry)>,
    /// Entries not transferred (symbolic links, devices), with why.
    pub skipped: Vec<(String, String)>,
}

/// Deepest folder level a walk descends to: a symbolic-link loop on the server ends here.
const MAX_DEPTH: usize = 64;

/// Walks the remote tree under `root`. With `follow_links`, a symbolic link that can be listed
/// is walked as a folder and any other as a file; loops end at a depth limit.
pub fn remote_tree(
    session: &mut Session,
    root: &str,
    follow_links: bool,
) -> Result<RemoteTree, FtpError> {
    remote_tree_until(session, root, follow_links, &StopFlag::default())
}

/// [`remote_tree`] that ends with [`FtpError::Cancelled`] before the next folder once `stop`
/// is set (a big tree takes a listing per folder).
pub fn remote_tree_until(
    session: &mut Session,
    root: &str,
    follow_links: bool,
    stop: &StopFlag,
) -> Result<RemoteTree, FtpError> {
    let mut tree = RemoteTree::default();
    let mut pending = vec![String::new()];
    // Following a link means trying to enter it; come back here after each try.
    let home = if follow_links {
        Some(session.pwd()?)
    } else {
        None
    };
    while let Some(rel) = pending.pop() {
        if stop.is_stopped() {
            return Err(FtpError::Cancelled);
        }
        if rel.matches('/').count() >= MAX_DEPTH {
            tree.skipped.push((
                rel,
                format!("deeper than {MAX_DEPTH} levels (a link loop?)"),
            ));
            continue;
        }
        let dir = if rel.is_empty() {
            root.to_owned()
        } else {
            remote_path::join(root, &rel)
        };
        let listed = session.list((!dir.is_empty()).then_some(dir.as_str()))?;
        for entry in listed {
            if entry.name.is_empty() || entry.name == "." || entry.name == ".." {
                continue;
            }
            let child = if rel.is_empty() {
                entry.name.clone()
            } else {
                format!("{rel}/{}", entry.name)
            };
            match entry.kind {
                EntryKind::Dir => {
                    tree.dirs.push(child.clone());
                    pending.push(child);
                }
                EntryKind::File => tree.files.push((child, entry)),
                EntryKind::Symlink if let Some(home) = &home => {
                    let path = remote_path::join(root, &child);
                    if session.cwd(&path).is_ok() {
                        session.cwd(home)?;
                        tree.dirs.push(child.clone());
                        pending.push(child);
                    } else {
                        tree.files.push((child, entry));
                    }
                }
                EntryKind::Symlink => tree
                    .skipped
                    .push((child, "symbolic link (not followed)".into())),
                EntryKind::Other => tree.skipped.push((child, "not a regular file".into())),
            }
        }
    }
    Ok(tree)
}

/// What a local walk found, paths relative to its root.
#[derive(Debug, Default)]
pub struct LocalTree {
    /// Folders, parents before children.
    pub dirs: Vec<PathBuf>,
    /// Files with size and modification time (Unix seconds).
    pub files: Vec<(PathBuf, u64, Option<i64>)>,
    /// Entries not transferred, with why.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Walks the local tree under `root`. Symbolic links are skipped, or with `follow_links`
/// followed, except a link back to a folder above it, so a loop cannot run forever.
pub fn local_tree(root: &Path, follow_links: bool) -> std::io::Result<LocalTree> {
    let mut tree = LocalTree::default();
    // Each folder with the real paths of the folders above it: a link back up is a loop.
    let mut pending = vec![(PathBuf::new(), Vec::<PathBuf>::new())];
    while let Some((rel, mut above)) = pending.pop() {
        let dir = root.join(&rel);
        if follow_links {
            let real = fs::canonicalize(&dir)?;
            if above.contains(&real) {
                tree.skipped
                    .push((rel, "a link back to a folder above it (loop)".into()));
                continue;
            }
            above.push(real);
        }
        let mut entries: Vec<_> = fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let child = rel.join(entry.file_name());
            let meta = if follow_links {
                match fs::metadata(entry.path()) {
                    Ok(meta) => meta,
                    Err(e) => {
                        tree.skipped.push((child, format!("broken link: {e}")));
                        continue;
                    }
                }
            } else {
                entry.metadata()? // does not follow symlinks
            };
            if meta.is_dir() {
                tree.dirs.push(child.clone());
                pending.push((child, above.clone()));
            } else if meta.is_file() {
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs() as i64);
                tree.files.push((child, meta.len(), modified));
            } else if meta.file_type().is_symlink() {
                tree.skipped
                    .push((child, "symbolic link (not followed)".into()));
            } else {
                tree.skipped.push((child, "not a regular file".into()));
            }
        }
    }
    Ok(tree)
}

/// Replaces the inexact LIST times of the files `wanted` says with exact ones from MDTM (UTC,
/// to the second), for comparisons: LIST gives the server's local time to the minute, or only
/// the day for files older than six months. Stops asking when the server has no MDTM; a file
/// it refuses keeps its LIST time; a lost connection is an error.
///
/// # Errors
/// The session failed.
pub fn exact_times(
    session: &mut Session,
    root: &str,
    tree: &mut RemoteTree,
    wanted: impl Fn(&str) -> bool,
) -> Result<(), FtpError> {
    for (rel, entry) in &mut tree.files {
        if entry.modified_exact || !wanted(rel) {
            continue;
        }
        match session.mdtm(&remote_path::join(root, rel)) {
            Ok(time) => {
                entry.modified = Some(time);
                entry.modified_exact = true;
                entry.modified_day_only = false;
            }
            Err(e) if e.is_fatal_to_session() => return Err(e),
            // 500/502/504: the server has no MDTM; asking for the other files is pointless.
            Err(FtpError::Reply { reply, .. }) if matches!(reply.code, 500 | 502 | 504) => break,
            // This file only (550 vanished, no permission): it keeps its LIST time.
            Err(_) => {}
        }
    }
    Ok(())
}

/// Deletes the remote folder `dir` and everything in it: files, links and special entries
/// (DELE), then folders deepest first (RMD).
///
/// # Errors
/// The first command the server refused, or the session failed.
pub fn delete_remote_tree(session: &mut Session, dir: &str) -> Result<(), FtpError> {
    let tree = remote_tree(session, dir, false)?;
    for rel in tree
        .files
        .iter()
        .map(|(rel, _)| rel)
        .chain(tree.skipped.iter().map(|(rel, _)| rel))
    {
        session.delete(&remote_path::join(dir, rel))?;
    }
    for rel in tree.dirs.iter().rev() {
        session.rmdir(&remote_path::join(dir, rel))?;
    }
    session.rmdir(dir)
}
