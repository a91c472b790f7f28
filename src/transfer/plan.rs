//! Folder transfers planned: walk the source tree, create the target folders, and list the files
//! to queue. Runs on a worker thread (the command line's main thread, or the window's browse
//! worker): a walk is network or disk work the window must never wait for.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::model::{Direction, NewItem};
use super::names;
use super::walk::{RemoteFile, TimePrecision, Walk, WalkError};
use crate::ftp::text::escape;
use crate::ftp::{FtpError, Session, path as remote_path};

/// What a folder transfer will do.
#[derive(Debug, Default)]
pub struct Plan {
    /// Shown to the user ("Download /pub to /home/me/pub").
    pub label: String,
    /// The files to queue.
    pub items: Vec<NewItem>,
    /// Entries that will not be transferred, with why.
    pub skipped: Vec<String>,
    /// Entries that get another local name than their remote one (made safe, or told apart
    /// from another entry that became the same name), with why.
    pub renamed: Vec<String>,
    /// Folders that could not be listed (`path/: why`): what they hold is not transferred,
    /// and the transfer fails for them even when every file arrives.
    pub failed: Vec<String>,
}

/// Plans the download of the remote folder `remote` into the local folder `local` (created,
/// with every subfolder). Every local path is checked right before it is created, so no
/// hostile name or planted symbolic link leads a write out of `local`; names that would land
/// on the same local file (`a:b` and `a_b`, or `A.txt` and `a.txt` on a case-insensitive disk)
/// each get their own ([`names::LocalNames`]). A folder that cannot be listed is left out
/// (no local folder is made for it) and named in [`Plan::failed`].
///
/// # Errors
/// The walk failed (the session is probably lost, the root cannot be listed, or the tree is
/// too big), or `local` cannot be created.
pub fn download(
    session: &mut Session,
    remote: &str,
    local: &Path,
    walk: Walk<'_>,
) -> Result<Plan, WalkError> {
    let tree = walk.remote(session, remote)?;
    std::fs::create_dir_all(local).map_err(|e| FtpError::Local {
        source: std::io::Error::new(e.kind(), format!("cannot create {}: {e}", local.display())),
    })?;
    let mut skipped: Vec<String> = tree
        .skipped
        .iter()
        .map(|(p, why)| format!("{}: {why}", escape(p)))
        .collect();
    let failed = tree.failed_lines();
    let unlisted: HashSet<String> = tree.failed.into_iter().map(|f| f.path).collect();
    let mut renamed = Vec::new();
    // The namer takes owned paths: the tree's move over (no copy), its facts stay beside them.
    let dirs: Vec<String> = tree.dirs.into_iter().map(String::from).collect();
    let (files, facts): (Vec<String>, Vec<RemoteFile>) = tree
        .files
        .into_iter()
        .map(|(rel, file)| (String::from(rel), file))
        .unzip();
    let mut namer = names::LocalNames::new(names::is_case_insensitive(local));
    let (dir_places, file_places) = namer.assign(&dirs, &files);
    drop(namer);
    for (dir, place) in dirs.iter().zip(dir_places) {
        if unlisted.contains(dir) {
            continue;
        }
        let checked = place.and_then(|assigned| {
            renamed.extend(assigned.note);
            names::checked_local(local, &assigned.local, dir)
        });
        match checked {
            Ok(path) => {
                if let Err(e) = std::fs::create_dir_all(&path) {
                    skipped.push(format!("{}: cannot create the folder: {e}", escape(dir)));
                }
            }
            Err(why) => skipped.push(format!("{}: not a safe local name ({why})", escape(dir))),
        }
    }
    drop(dirs);
    let mut items = Vec::with_capacity(files.len());
    for ((rel, file), place) in files.into_iter().zip(facts).zip(file_places) {
        let checked = place.and_then(|assigned| {
            renamed.extend(assigned.note);
            names::checked_local(local, &assigned.local, &rel)
        });
        match checked {
            Ok(target) => items.push(NewItem {
                direction: Direction::Download,
                local: target,
                remote: remote_path::join(remote, &rel),
                size: file.size,
                modified: file.modified,
                modified_exact: file.precision == TimePrecision::Exact,
            }),
            Err(why) => skipped.push(format!(
                "{}: not a safe local name ({why}); not downloaded",
                escape(&rel)
            )),
        }
    }
    Ok(Plan {
        label: format!("Download {} to {}", escape(remote), local.display()),
        items,
        skipped,
        renamed,
        failed,
    })
}

/// Plans the upload of the local folder `local` into the remote folder `remote` (created, with
/// every subfolder; "exists" is not an error). A local folder that cannot be read is left out
/// and named in [`Plan::failed`].
///
/// # Errors
/// `local` cannot be read, or the tree is too big.
pub fn upload(
    session: &mut Session,
    local: &Path,
    remote: &str,
    walk: Walk<'_>,
) -> Result<Plan, WalkError> {
    let tree = walk.local(local)?;
    let base = remote.trim_end_matches('/').to_owned();
    let mut skipped: Vec<String> = tree
        .skipped
        .iter()
        .map(|(p, why)| format!("{}: {why}", p.display()))
        .collect();
    let failed = tree.failed_lines();
    let remote_of = |rel: &Path| -> Option<String> {
        let rel = rel.to_str()?.replace('\\', "/");
        Some(if base.is_empty() {
            rel
        } else {
            remote_path::join(&base, &rel)
        })
    };
    if !base.is_empty() {
        make_remote_dir(session, &base);
    }
    for dir in &tree.dirs {
        match remote_of(dir) {
            Some(remote) => make_remote_dir(session, &remote),
            None => skipped.push(format!("{}: name is not UTF-8", dir.display())),
        }
    }
    let mut items = Vec::with_capacity(tree.files.len());
    for (rel, size, modified) in &tree.files {
        match remote_of(rel) {
            Some(remote) => items.push(NewItem {
                direction: Direction::Upload,
                local: local.join(rel),
                remote,
                size: Some(*size),
                modified: *modified,
                modified_exact: modified.is_some(),
            }),
            None => skipped.push(format!("{}: name is not UTF-8", rel.display())),
        }
    }
    Ok(Plan {
        label: format!("Upload {} to {}", local.display(), escape(remote)),
        items,
        skipped,
        renamed: Vec::new(),
        failed,
    })
}

/// MKD, ignoring "exists": a folder that really is missing shows up as failed uploads with the
/// server's reason.
fn make_remote_dir(session: &mut Session, dir: &str) {
    let _ = session.mkdir(dir);
}

/// The local folder a remote folder downloads into by default: its name, made safe.
pub fn default_local_name(remote: &str) -> PathBuf {
    let name = remote_path::file_name(remote.trim_end_matches('/'));
    let name = names::safe_component(if name.is_empty() { "download" } else { name })
        .map(|s| s.name)
        .unwrap_or_else(|| "download".into());
    PathBuf::from(name)
}
