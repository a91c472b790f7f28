//! Transfers from the command line: `ferry get` and `ferry put`, of one file or (with `-r`) a
//! folder, all through the same transfer engine the window uses (N workers, each one reused
//! session; retries, partial files, verification), with a progress bar on a terminal and, for
//! folders, a summary at the end.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::connect::{Connection, open_connection};
use super::target::Target;
use super::{BatchOptions, ExitCode, Failure, GlobalOptions, OnExists, printable};
use crate::ftp::{EntryKind, FtpError, Session};
use crate::transfer::plan::{self, Plan};
use crate::transfer::walk::{Walk, WalkError, WalkProgress};
use crate::transfer::{
    Command, Direction, Engine, EngineConfig, Event, FileExistsPolicy, ItemState, NewItem,
};

/// `ferry get -r URL [LOCALDIR]`: the remote folder's contents into LOCALDIR (default: a folder
/// of the remote folder's name in the current directory).
pub(crate) fn get_recursive(
    target: &Target,
    local: Option<&Path>,
    batch: &BatchOptions,
    global: &GlobalOptions,
) -> Result<(), Failure> {
    let (mut session, connection) = open_connection(target, global)?;
    let started = Instant::now();
    let root = local.map_or_else(|| plan::default_local_name(&target.path), Path::to_owned);
    let mut listing = PlanningProgress::new();
    let mut report = |p| listing.show(p);
    let walk = Walk::new()
        .follow_links(batch.follow_symlinks)
        .reporting(&mut report);
    let planned = plan::download(&mut session, &target.path, &root, walk);
    listing.finish();
    let planned = planned.map_err(planning_failure)?;
    run(
        session,
        connection,
        planned,
        workers(batch, target),
        batch,
        Shape::Folder { started },
    )
}

/// `ferry get URL [LOCAL]`: one file, through the engine like a folder's files (partial file,
/// retries, size and checksum checks, modification time).
pub(crate) fn get_file(
    target: &Target,
    local: &Path,
    resume: bool,
    batch: &BatchOptions,
    global: &GlobalOptions,
) -> Result<(), Failure> {
    let (mut session, connection) = open_connection(target, global)?;
    let facts = remote_facts(&mut session, &target.path)?;
    let item = NewItem {
        direction: Direction::Download,
        local: local.to_owned(),
        remote: target.path.clone(),
        size: facts.size,
        modified: facts.modified,
        modified_exact: facts.modified.is_some(),
    };
    let plan = Plan {
        label: format!("Download {}", printable(&target.path)),
        items: vec![item],
        ..Plan::default()
    };
    let mut batch = batch.clone();
    batch.on_exists = Some(single_policy(batch.on_exists, resume));
    run(session, connection, plan, 1, &batch, Shape::OneFile)
}

/// `ferry put LOCAL URL`: one file, through the engine (retries, resume, SIZE and checksum
/// checks, MFMT).
pub(crate) fn put_file(
    local: &Path,
    target: &Target,
    remote: &str,
    resume: bool,
    batch: &BatchOptions,
    global: &GlobalOptions,
) -> Result<(), Failure> {
    let meta = std::fs::metadata(local)
        .map_err(|e| Failure::local(format!("cannot read {}: {e}", local.display())))?;
    if meta.is_dir() {
        return Err(Failure::usage(format!(
            "{} is a folder: use put -r to upload a folder",
            local.display()
        )));
    }
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok());
    let (session, connection) = open_connection(target, global)?;
    let plan = Plan {
        label: format!("Upload {}", local.display()),
        items: vec![NewItem {
            direction: Direction::Upload,
            local: local.to_owned(),
            remote: remote.to_owned(),
            size: Some(meta.len()),
            modified,
            modified_exact: modified.is_some(),
        }],
        ..Plan::default()
    };
    let mut batch = batch.clone();
    batch.on_exists = Some(single_policy(batch.on_exists, resume));
    run(session, connection, plan, 1, &batch, Shape::OneFile)
}

/// A single file's policy: `-c` continues an existing target, `--on-exists` decides if given,
/// and by default the file is replaced (as curl and lftp do).
fn single_policy(on_exists: Option<OnExists>, resume: bool) -> OnExists {
    match (resume, on_exists) {
        (true, _) => OnExists::Resume,
        (false, Some(policy)) => policy,
        (false, None) => OnExists::Overwrite,
    }
}

/// What the server says about one remote file before it is downloaded.
struct RemoteFacts {
    size: Option<u64>,
    /// Exact (UTC) modification time.
    modified: Option<i64>,
}

/// Size and modification time of `path`: MLST where the server has it, else SIZE and MDTM.
/// A folder is a usage error (`-r` downloads folders); a missing file is the server's refusal.
fn remote_facts(session: &mut Session, path: &str) -> Result<RemoteFacts, Failure> {
    if session.features().has("MLST") {
        match session.mlst(path) {
            Ok(entry) if entry.kind == EntryKind::Dir => {
                return Err(Failure::usage(format!(
                    "{} is a folder on the server: use get -r to download a folder",
                    printable(path)
                )));
            }
            Ok(entry) if entry.size.is_some() => {
                return Ok(RemoteFacts {
                    size: entry.size,
                    modified: entry.modified.map(|t| t.unix_seconds()),
                });
            }
            Ok(_) => {}
            Err(e) if e.is_fatal_to_session() => return Err(e.into()),
            Err(FtpError::Reply { reply, .. }) if reply.code == 550 => {
                // No such file: RETR will say so with the server's own words.
            }
            Err(_) => {}
        }
    }
    let size = match session.size(path) {
        Ok(size) => Some(size),
        Err(e) if e.is_fatal_to_session() => return Err(e.into()),
        Err(_) => None,
    };
    let modified = if session.features().has("MDTM") {
        match session.mdtm(path) {
            Ok(t) => Some(t.unix_seconds()),
            Err(e) if e.is_fatal_to_session() => return Err(e.into()),
            Err(_) => None,
        }
    } else {
        None
    };
    Ok(RemoteFacts { size, modified })
}

/// `ferry put -r LOCALDIR URL`: the local folder's contents into the remote folder (created if
/// needed).
pub(crate) fn put_recursive(
    local: &Path,
    target: &Target,
    batch: &BatchOptions,
    global: &GlobalOptions,
) -> Result<(), Failure> {
    if let Err(e) = std::fs::read_dir(local) {
        return Err(Failure::local(format!(
            "cannot read {}: {e}",
            local.display()
        )));
    }
    let (mut session, connection) = open_connection(target, global)?;
    let started = Instant::now();
    let mut listing = PlanningProgress::new();
    let mut report = |p| listing.show(p);
    let walk = Walk::new()
        .follow_links(batch.follow_symlinks)
        .reporting(&mut report);
    let planned = plan::upload(&mut session, local, &target.path, walk);
    listing.finish();
    let planned = planned.map_err(planning_failure)?;
    run(
        session,
        connection,
        planned,
        workers(batch, target),
        batch,
        Shape::Folder { started },
    )
}

/// A planning error: a local one says which folder (the walk and the plan name it), a server
/// one keeps its own exit code, a tree too big to plan is exit 1 (no other code says "Ferry
/// stopped").
pub(crate) fn planning_failure(e: WalkError) -> Failure {
    match e {
        WalkError::Ftp(FtpError::Local { source }) => Failure::local(source.to_string()),
        WalkError::Ftp(other) => other.into(),
        too_big @ WalkError::TooBig { .. } => Failure {
            message: printable(&too_big.to_string()),
            code: ExitCode::Other,
        },
    }
}

/// "Listing… 1 200 folders, 35 000 files" on stderr while a walk plans a transfer, once a
/// second (a big tree takes minutes, and silence looks like a hang). On a terminal the line
/// is rewritten in place and cleared at the end; elsewhere (a log) each is a line of its own.
pub(crate) struct PlanningProgress {
    started: Instant,
    last: Option<Instant>,
    terminal: bool,
    shown: bool,
}

/// How often planning progress is shown.
const PLANNING_PROGRESS_EVERY: Duration = Duration::from_secs(1);

impl PlanningProgress {
    pub(crate) fn new() -> PlanningProgress {
        PlanningProgress {
            started: Instant::now(),
            last: None,
            terminal: std::io::stderr().is_terminal(),
            shown: false,
        }
    }

    /// Called after each folder listed; shows the count once a second.
    pub(crate) fn show(&mut self, progress: WalkProgress) {
        let since = self.last.unwrap_or(self.started);
        if since.elapsed() < PLANNING_PROGRESS_EVERY {
            return;
        }
        self.last = Some(Instant::now());
        let line = planning_line(progress);
        if self.terminal {
            eprint!("\r{line}\x1b[K");
        } else {
            eprintln!("{line}");
        }
        self.shown = true;
    }

    /// Clears the terminal's progress line, if one was shown.
    pub(crate) fn finish(&mut self) {
        if self.terminal && self.shown {
            eprint!("\r\x1b[K");
        }
        self.shown = false;
    }
}

/// `Listing… 1 200 folders, 35 000 files`.
fn planning_line(progress: WalkProgress) -> String {
    format!(
        "Listing… {} folders, {} files",
        grouped(progress.folders),
        grouped(progress.files)
    )
}

/// A count with its thousands apart: `35 000`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

/// `--parallel`, never more than a saved site allows (servers limit connections per user).
pub(crate) fn workers(batch: &BatchOptions, target: &Target) -> usize {
    let limit = target.max_connections.map_or(16, usize::from);
    batch.parallel.clamp(1, 16).min(limit.max(1))
}

fn policy(on_exists: OnExists) -> FileExistsPolicy {
    match on_exists {
        OnExists::Overwrite => FileExistsPolicy::Overwrite,
        OnExists::Newer => FileExistsPolicy::OverwriteIfNewer,
        OnExists::Size => FileExistsPolicy::OverwriteIfSizeDiffers,
        OnExists::Resume => FileExistsPolicy::Resume,
        OnExists::Rename => FileExistsPolicy::Rename,
        OnExists::Skip => FileExistsPolicy::Skip,
    }
}

/// Runs a planned folder transfer (`ferry sync`'s, say) to its summary.
pub(crate) fn run_plan(
    first: Session,
    connection: Connection,
    plan: Plan,
    workers: usize,
    batch: &BatchOptions,
    started: Instant,
) -> Result<(), Failure> {
    run(
        first,
        connection,
        plan,
        workers,
        batch,
        Shape::Folder { started },
    )
}

/// A folder transfer ends with a summary; one file only with its error, if any.
#[derive(Clone, Copy)]
enum Shape {
    Folder { started: Instant },
    OneFile,
}

fn run(
    first: Session,
    connection: Connection,
    plan: Plan,
    workers: usize,
    batch: &BatchOptions,
    shape: Shape,
) -> Result<(), Failure> {
    let Plan {
        label,
        items,
        skipped,
        renamed,
        failed: unlisted,
    } = plan;
    let total_bytes: u64 = items.iter().filter_map(|i| i.size).sum();
    let total_files = items.len();
    // The walk's session becomes the first worker's: one login fewer.
    let site_path = connection.site_path().map(str::to_owned);
    let connector = crate::client::reuse_first(first, connection.connector());
    let mut config = EngineConfig::new(connector);
    config.workers = workers.min(total_files.max(1));
    config.retries = batch.retries;
    // A re-run walks the tree again and finishes what is missing (`--on-exists size` and the
    // partial files), so the command line keeps no queue of its own.
    config.queue_file = None;
    let mut engine = Engine::start(config);
    let events = engine
        .take_events()
        .ok_or_else(|| Failure::local("the transfer engine has no event stream"))?;
    engine.send(Command::Add {
        label,
        on_exists: policy(batch.on_exists.unwrap_or(OnExists::Size)),
        items,
    });
    let bar = progress_bar(total_bytes, total_files);
    // Bytes per item, and their sum kept as they change (summing 100 000 entries per event
    // would make a big folder quadratic).
    let mut done_bytes: HashMap<u64, u64> = HashMap::new();
    let mut done_sum: u64 = 0;
    let mut finished: HashMap<u64, (ItemState, Option<String>)> = HashMap::new();
    let mut seen_added = total_files == 0;
    let mut limit = None;
    loop {
        match events.recv_timeout(Duration::from_millis(200)) {
            Ok(Event::Added { .. }) => seen_added = true,
            Ok(Event::ConnectionLimit(n)) => limit = Some(n),
            Ok(Event::Progress { id, bytes_done, .. }) => {
                let before = done_bytes.insert(id, bytes_done).unwrap_or(0);
                done_sum = done_sum.saturating_sub(before).saturating_add(bytes_done);
            }
            Ok(Event::State { id, state, error }) if state.is_finished() => {
                finished.insert(id, (state, error));
            }
            Ok(Event::Log(line)) => {
                if let Some(bar) = &bar {
                    bar.println(printable(&line));
                }
            }
            Ok(Event::Idle) if seen_added => break,
            Ok(_) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if let Some(bar) = &bar {
            bar.set_position(done_sum);
            bar.set_message(format!("{}/{} files", finished.len(), total_files));
        }
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let items = engine.items();
    drop(engine);
    if let Some(n) = limit {
        remember_limit(site_path.as_deref(), n);
    }
    match shape {
        Shape::Folder { started } => summarize(&items, &skipped, &renamed, &unlisted, started),
        Shape::OneFile => one_result(&items),
    }
}

/// The server allows `n` connections: say so, and a saved site keeps it as its limit, so the
/// next transfer opens no more than that.
fn remember_limit(site_path: Option<&str>, n: usize) {
    let n = u8::try_from(n.max(1)).unwrap_or(u8::MAX);
    let Some(site_path) = site_path else {
        eprintln!(
            "ferry: the server allows {n} connection(s) at a time; use --parallel {n} (a saved site remembers it)"
        );
        return;
    };
    let saved = super::target::load_sites().and_then(|mut store| {
        let mut site = store
            .find(site_path)
            .map_err(|e| Failure::usage(e.to_string()))?
            .clone();
        if site.max_connections <= n {
            return Ok(false);
        }
        site.max_connections = n;
        store
            .replace(site_path, site)
            .map(|()| true)
            .map_err(|e| Failure::local(e.to_string()))
    });
    match saved {
        Ok(true) => eprintln!(
            "ferry: the server allows {n} connection(s) at a time; site:{} now uses at most {n}",
            printable(site_path)
        ),
        Ok(false) => {}
        Err(e) => eprintln!(
            "ferry: the server allows {n} connection(s) at a time, but the site could not be updated: {}",
            printable(&e.message)
        ),
    }
}

/// A single file's result: Ok when done or skipped by policy, else its error and exit code.
fn one_result(items: &[crate::transfer::Item]) -> Result<(), Failure> {
    let Some(item) = items.first() else {
        return Err(Failure::local("the transfer was not queued"));
    };
    match item.state {
        ItemState::Done => Ok(()),
        ItemState::Skipped => {
            eprintln!(
                "ferry: not transferred: {} ({})",
                printable(&item.remote),
                item.last_error.as_deref().unwrap_or("exists")
            );
            Ok(())
        }
        _ => Err(Failure {
            message: printable(item.last_error.as_deref().unwrap_or("the transfer failed")),
            code: item
                .error_class
                .map_or(ExitCode::Other, ExitCode::for_class),
        }),
    }
}

fn progress_bar(total_bytes: u64, total_files: usize) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total_bytes);
    let style = ProgressStyle::with_template(
        "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
    )
    .ok()?;
    bar.set_style(style);
    bar.set_message(format!("0/{total_files} files"));
    bar.enable_steady_tick(Duration::from_millis(250));
    Some(bar)
}

/// The end of a folder transfer: counts, what was not transferred and why, each failed file
/// and each folder that could not be listed. Exit 9 when any of those failed.
fn summarize(
    items: &[crate::transfer::Item],
    skipped: &[String],
    renamed: &[String],
    unlisted: &[String],
    started: Instant,
) -> Result<(), Failure> {
    let count = |s: ItemState| items.iter().filter(|i| i.state == s).count();
    let bytes: u64 = items
        .iter()
        .filter(|i| i.state == ItemState::Done)
        .filter_map(|i| i.size)
        .sum();
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{} transferred ({:.1} MiB) in {:.1} s, {} skipped (exist), {} failed{}{}",
        count(ItemState::Done),
        bytes as f64 / (1024.0 * 1024.0),
        secs,
        count(ItemState::Skipped),
        count(ItemState::Failed),
        // A folder that could not be listed is a failure too: "0 failed" beside it would
        // read as success.
        if unlisted.is_empty() {
            String::new()
        } else {
            format!(", {} folder(s) could not be listed", unlisted.len())
        },
        if skipped.is_empty() {
            String::new()
        } else {
            format!(", {} not transferable", skipped.len())
        }
    );
    for line in unlisted {
        eprintln!("  failed: cannot list {}", printable(line));
    }
    for line in skipped {
        eprintln!("  not transferred: {}", printable(line));
    }
    for line in renamed {
        eprintln!("  renamed: {}", printable(line));
    }
    let failed: Vec<_> = items
        .iter()
        .filter(|i| i.state == ItemState::Failed)
        .collect();
    for item in &failed {
        eprintln!(
            "  failed: {}: {}",
            printable(&item.remote),
            printable(item.last_error.as_deref().unwrap_or("unknown error"))
        );
    }
    match (failed.len(), unlisted.len()) {
        (0, 0) => Ok(()),
        (files, 0) => Err(Failure {
            message: format!("{files} file(s) failed"),
            code: ExitCode::SomeFailed,
        }),
        (files, folders) => Err(Failure {
            message: format!(
                "{files} file(s) failed, {folders} folder(s) could not be listed (their files were not transferred)"
            ),
            code: ExitCode::SomeFailed,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planning_progress_reads_like_a_sentence() {
        let line = planning_line(WalkProgress {
            folders: 1200,
            files: 35_000,
        });
        assert_eq!(line, "Listing… 1 200 folders, 35 000 files");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_234_567), "1 234 567");
    }
}
