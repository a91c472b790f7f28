//! `ferry sync LOCALDIR URL`: walk both folders, compare them ([`crate::transfer::sync_run`]),
//! list the changes, and (unless `--dry-run`) make them: folders first, then deletions, then
//! the transfers through the same engine as `get -r`/`put -r` (parallel workers, retries,
//! verification, modification times kept so that the next run finds nothing to do).

use std::path::Path;
use std::time::Instant;

use super::batch::{self, PlanningProgress};
use super::connect::open_connection;
use super::target::Target;
use super::{BatchOptions, ExitCode, Failure, GlobalOptions, OnExists};
use crate::ftp::text::escape;
use crate::transfer::find::StopFlag;
use crate::transfer::plan::Plan;
use crate::transfer::sync::{SyncDirection, SyncOptions};
use crate::transfer::sync_run;

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
    let mut create_root = false;
    match std::fs::metadata(root) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Failure::usage(format!(
                "{} is not a folder",
                root.display()
            )));
        }
        // A download into a folder that is not there yet makes it, as an upload makes the
        // remote one: `ferry sync C:\new ftp://… --direction download` is a first copy.
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && request.options.direction == SyncDirection::Download
                && !request.dry_run =>
        {
            create_root = true;
        }
        Err(e) => {
            return Err(Failure::local(format!(
                "cannot read {}: {e}",
                root.display()
            )));
        }
    }
    let (mut session, connection) = open_connection(target, global)?;
    // Made once the server is reached, so a failed connection leaves no empty folder behind.
    if create_root {
        std::fs::create_dir_all(root)
            .map_err(|e| Failure::local(format!("cannot create {}: {e}", root.display())))?;
    }
    let started = Instant::now();
    let mut listing = PlanningProgress::new();
    let preview = sync_run::preview(
        &mut session,
        root,
        &target.path,
        &request.options,
        request.follow_symlinks,
        // Ctrl-C ends the process; nothing else stops a preview here.
        &StopFlag::default(),
        &mut |p| listing.show(p),
    );
    listing.finish();
    let preview = preview.map_err(batch::planning_failure)?;
    for skipped in &preview.skipped {
        eprintln!("ferry: skipped {}", escape(skipped));
    }
    // Folders that could not be listed: nothing in them was compared or is changed.
    for failed in &preview.failed {
        eprintln!("ferry: failed: cannot list {}", escape(failed));
    }
    let unlisted = preview.failed.len();
    for note in &preview.notes {
        eprintln!("ferry: note: {note}");
    }
    for action in &preview.actions {
        println!("{}", action.describe());
    }
    let changes = preview.changes();
    let conflicts = preview.actions.len() - changes;
    if request.dry_run {
        eprintln!("{changes} change(s), {conflicts} conflict(s); dry run: nothing was changed.");
        return unlisted_failure(unlisted, Ok(()));
    }
    if changes == 0 {
        if unlisted == 0 {
            eprintln!("Already in sync ({conflicts} conflict(s) left alone).");
        } else {
            eprintln!("Nothing to change in the folders that could be listed.");
        }
        return unlisted_failure(unlisted, Ok(()));
    }
    let applied = sync_run::apply(&mut session, &preview, &preview.actions);
    // Changes the server or the disk refused: the sides still differ, so the run fails.
    for (action, why) in &applied.refused {
        eprintln!("ferry: failed: {}: {}", action.describe(), escape(why));
    }
    let refused = applied.refused.len();
    let items = applied.items;
    let plan = Plan {
        label: preview.label(),
        items,
        ..Plan::default()
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
    let transfers = unlisted_failure(unlisted, transfers);
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

/// A run whose comparison could not list some folders fails (exit 9) even when everything
/// else worked: the sides may still differ there.
fn unlisted_failure(unlisted: usize, result: Result<(), Failure>) -> Result<(), Failure> {
    if unlisted == 0 {
        return result;
    }
    let folders = format!("{unlisted} folder(s) could not be listed and were left alone");
    match result {
        Ok(()) => Err(Failure {
            message: folders,
            code: ExitCode::SomeFailed,
        }),
        Err(failure) if failure.code == ExitCode::SomeFailed => Err(Failure {
            message: format!("{}, {folders}", failure.message),
            code: ExitCode::SomeFailed,
        }),
        Err(other) => Err(other),
    }
}
