//! `ferry sync LOCALDIR URL`: walk both folders, compare them ([`crate::transfer::sync`]),
//! list the changes, and (unless `--dry-run`) make them: folders first, then deletions, then
//! the transfers through the same engine as `get -r`/`put -r` (parallel workers, retries,
//! verification, modification times kept so that the next run finds nothing to do).

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use super::batch;
use super::connect::open_connection;
use super::target::Target;
use super::{BatchOptions, ExitCode, Failure, GlobalOptions, OnExists};
use crate::ftp::text::escape;
use crate::ftp::{FtpError, Session, path as remote_path};
use crate::transfer::plan::Plan;
use crate::transfer::sync::{self, SyncAction, SyncOptions};
use crate::transfer::walk::{self, RemoteTree};
use crate::transfer::{Direction, NewItem, names};

/// What `ferry sync` was asked.
pub(crate) struct SyncRequest<'a> {
    pub local: &'a Path,
    pub options: SyncOptions,
    pub dry_run: bool,
    pub parallel: usize,
    pub retries: u32,
    pub follow_symlinks: bool,
}

/// Runs one synchronisation (or its dry run).
pub(crate) fn run(
    request: &SyncRequest<'_>,
    target: &Target,
    global: &GlobalOptions,
) -> Result<(), Failure> {
    let root = request.local;
    match std::fs::metadata(root) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Failure::usage(format!(
                "{} is not a folder",
                root.display()
            )));
        }
        Err(e) => {
            return Err(Failure::local(format!(
                "cannot read {}: {e}",
                root.display()
            )));
        }
    }
    let (mut session, connection) = open_connection(target, global)?;
    let started = Instant::now();
    let local_tree = walk::local_tree(root, request.follow_symlinks)
        .map_err(|e| Failure::local(format!("cannot read {}: {e}", root.display())))?;
    let mut remote_tree = remote_tree_or_empty(&mut session, &target.path, request)?;
    if !request.options.size_only {
        // Only files on both sides are compared by time.
        let here: std::collections::HashSet<String> = local_tree
            .files
            .iter()
            .map(|(rel, _, _)| sync::slash_path(rel))
            .collect();
        walk::exact_times(&mut session, &target.path, &mut remote_tree, |rel| {
            here.contains(rel)
        })?;
    }
    let actions = sync::compare(&local_tree, &remote_tree, &request.options);
    for (path, why) in &local_tree.skipped {
        eprintln!("ferry: skipped {}: {why}", path.display());
    }
    for (path, why) in &remote_tree.skipped {
        eprintln!("ferry: skipped {}: {why}", escape(path));
    }
    for action in &actions {
        println!("{}", action.describe());
    }
    let conflicts = actions
        .iter()
        .filter(|a| matches!(a, SyncAction::Conflict(..)))
        .count();
    let changes = actions.len() - conflicts;
    if request.dry_run {
        eprintln!("{changes} change(s), {conflicts} conflict(s); dry run: nothing was changed.");
        return Ok(());
    }
    if changes == 0 {
        eprintln!("Already in sync ({conflicts} conflict(s) left alone).");
        return Ok(());
    }
    let remote_root = target.path.trim_end_matches('/');
    if !remote_root.is_empty() {
        let _ = session.mkdir(remote_root);
    }
    let entries: HashMap<&str, &crate::ftp::Entry> = remote_tree
        .files
        .iter()
        .map(|(rel, entry)| (rel.as_str(), entry))
        .collect();
    let local_times: HashMap<String, Option<i64>> = local_tree
        .files
        .iter()
        .map(|(rel, _, modified)| (sync::slash_path(rel), *modified))
        .collect();
    let mut items = Vec::new();
    // Changes the server or the disk refused: the sides still differ, so the run fails.
    let mut refused = 0usize;
    for action in &actions {
        let remote = remote_path::join(remote_root, action.path());
        let done = match action {
            SyncAction::MakeRemoteDir(_) => {
                session.mkdir(&remote).map(drop).map_err(|e| e.to_string())
            }
            SyncAction::MakeLocalDir(rel) => names::checked_target(root, rel)
                .and_then(|dir| std::fs::create_dir_all(dir).map_err(|e| e.to_string())),
            SyncAction::DeleteRemoteFile(_) => session.delete(&remote).map_err(|e| e.to_string()),
            SyncAction::DeleteRemoteDir(_) => {
                walk::delete_remote_tree(&mut session, &remote).map_err(|e| e.to_string())
            }
            SyncAction::DeleteLocalFile(rel) => {
                std::fs::remove_file(sync::local_path(root, rel)).map_err(|e| e.to_string())
            }
            SyncAction::DeleteLocalDir(rel) => {
                std::fs::remove_dir_all(sync::local_path(root, rel)).map_err(|e| e.to_string())
            }
            SyncAction::Upload(rel, size, _) => {
                let local = sync::local_path(root, rel);
                let modified = local_times.get(rel.as_str()).copied().flatten();
                items.push(NewItem {
                    direction: Direction::Upload,
                    local,
                    remote,
                    size: Some(*size),
                    modified,
                    modified_exact: modified.is_some(),
                });
                Ok(())
            }
            SyncAction::Download(rel, size, _) => names::checked_target(root, rel).map(|local| {
                let entry = entries.get(rel.as_str());
                items.push(NewItem {
                    direction: Direction::Download,
                    local,
                    remote,
                    size: *size,
                    modified: entry.and_then(|e| e.modified).map(|t| t.unix_seconds()),
                    modified_exact: entry.is_some_and(|e| e.modified_exact),
                });
            }),
            SyncAction::Conflict(..) => Ok(()),
        };
        if let Err(why) = done {
            eprintln!("ferry: failed: {}: {}", action.describe(), escape(&why));
            refused += 1;
        }
    }
    let plan = Plan {
        label: format!(
            "Synchronize {} with {}",
            root.display(),
            escape(&target.path)
        ),
        items,
        skipped: Vec::new(),
        renamed: Vec::new(),
    };
    let options = BatchOptions {
        recursive: true,
        parallel: request.parallel,
        // The comparison decided: what is queued replaces what is there.
        on_exists: Some(OnExists::Overwrite),
        retries: request.retries,
        follow_symlinks: request.follow_symlinks,
    };
    let workers = batch::workers(&options, target);
    let transfers = batch::run_plan(session, connection, plan, workers, &options, started);
    if refused == 0 {
        return transfers;
    }
    // Transfer failures are already counted in the summary; add the refused changes to them.
    let failed_files = match &transfers {
        Err(failure) if failure.code == ExitCode::SomeFailed => failure.message.clone(),
        Err(_) => return transfers,
        Ok(()) => String::from("0 file(s) failed"),
    };
    Err(Failure {
        message: format!("{failed_files}, {} other change(s) failed", refused),
        code: ExitCode::SomeFailed,
    })
}

/// The remote folder's tree; a folder that does not exist yet is empty when uploading (it is
/// created), and an error otherwise.
fn remote_tree_or_empty(
    session: &mut Session,
    root: &str,
    request: &SyncRequest<'_>,
) -> Result<RemoteTree, Failure> {
    match walk::remote_tree(session, root, request.follow_symlinks) {
        Ok(tree) => Ok(tree),
        Err(FtpError::Reply { reply, .. })
            if reply.code == 550 && request.options.direction == sync::SyncDirection::Upload =>
        {
            Ok(RemoteTree::default())
        }
        Err(e) => Err(e.into()),
    }
}
