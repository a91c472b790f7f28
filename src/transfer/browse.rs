//! The browse worker: one session of its own for listings, new folders, renames and deletes, so
//! the window stays responsive while the transfer workers are busy. Requests go in over a
//! channel; each result comes back as an event tagged with the request's id.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::engine::Connector;
use super::find::{self, FindProgress, Found, NamePattern, StopFlag};
use super::plan::{self, Plan};
use super::sync::{self, SyncAction, SyncOptions};
use super::sync_run::{self, SyncPreview};
use super::walk::{Walk, WalkProgress, delete_remote_tree};
use crate::ftp::{Entry, FtpError, Session};

/// What the browse worker can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowseRequest {
    /// List a folder (empty: the login folder).
    List(String),
    /// The current folder's absolute path.
    Pwd,
    /// Create a folder.
    Mkdir(String),
    /// Rename or move.
    Rename {
        /// From.
        from: String,
        /// To.
        to: String,
    },
    /// Delete a file.
    DeleteFile(String),
    /// Change the Unix permissions of these paths (`SITE CHMOD`).
    Chmod {
        /// The files and folders.
        paths: Vec<String>,
        /// The mode, e.g. 0o644.
        mode: u32,
    },
    /// Delete a folder and everything in it (the window asks for confirmation first).
    DeleteTree(String),
    /// Walk a remote folder and plan its download into a local folder (created).
    PlanDownload {
        /// The remote folder.
        remote: String,
        /// The local folder it becomes.
        local: PathBuf,
    },
    /// Search the tree under `root` for names matching `pattern`: the matches come back in
    /// several [`BrowseResult::Found`] batches, the last one `finished`.
    Find {
        /// The folder searched.
        root: String,
        /// What the names must match.
        pattern: NamePattern,
        /// Set to end the search early.
        stop: StopFlag,
    },
    /// Walk a local folder and plan its upload (remote folders are created).
    PlanUpload {
        /// The local folder.
        local: PathBuf,
        /// The remote folder it becomes.
        remote: String,
    },
    /// Walk a local and a remote folder and compare them: the Synchronize dialog's preview.
    SyncPreview {
        /// The local folder.
        local: PathBuf,
        /// The remote folder.
        remote: String,
        /// Direction, deletions, time offset, size only.
        options: SyncOptions,
        /// Set to end the comparison early (it asks MDTM, and maybe a checksum, per file).
        stop: StopFlag,
    },
    /// Carry out the chosen changes of a preview: folders and deletions now; the transfers
    /// come back as a plan to queue.
    SyncApply {
        /// What was compared.
        preview: Box<SyncPreview>,
        /// The changes the user kept, in the preview's order.
        chosen: Vec<SyncAction>,
    },
    /// The exact time (MDTM) of a file listed at `listed` (Unix seconds, as LIST gave it): the
    /// server's time zone offset.
    TimeOffset {
        /// The file.
        path: String,
        /// Its listed time.
        listed: i64,
    },
}

/// The answer to one request.
#[derive(Debug)]
pub enum BrowseResult {
    /// A listing.
    Listing {
        /// The folder listed.
        path: String,
        /// Its entries.
        entries: Vec<Entry>,
    },
    /// The current folder.
    Pwd(String),
    /// The request worked (mkdir, rename, delete).
    Done,
    /// Search matches so far (a batch of them) and how far the search got; the request's
    /// last answer has `progress.finished`.
    Found {
        /// New matches (not repeated in later batches).
        matches: Vec<Found>,
        /// Folders searched, matches found, whether it ended.
        progress: FindProgress,
    },
    /// How far the walk of a folder transfer or a comparison got (a few times a second, before
    /// its [`BrowseResult::Planned`] or [`BrowseResult::SyncPreview`]).
    Walking(WalkProgress),
    /// A folder transfer, planned: the items to queue.
    Planned(Plan),
    /// Two folders compared.
    SyncPreview(Box<SyncPreview>),
    /// A synchronisation's folder changes and deletions are done: its transfers to queue,
    /// and the changes that were refused, with why.
    SyncApplied {
        /// The uploads and downloads.
        plan: Plan,
        /// What the server or the disk refused.
        refused: Vec<(SyncAction, String)>,
    },
    /// The server's time zone offset in seconds (None: the two times did not tell).
    TimeOffset(Option<i64>),
    /// It failed; the engine's error says why.
    Failed(FtpError),
    /// No session could be opened.
    NotConnected(String),
}

/// A running browse worker.
pub struct Browser {
    requests: Option<Sender<(u64, BrowseRequest)>>,
    thread: Option<JoinHandle<()>>,
    next_id: u64,
}

/// How long the browse session may sit idle before a `NOOP` keeps it (and the NAT or firewall
/// state on the way) alive. Home routers drop idle TCP mappings after a few minutes; WinSCP
/// sends its keep-alive every 30 s, servers' idle timeouts are usually 5 minutes or more.
pub const KEEPALIVE: Duration = Duration::from_secs(60);

impl Browser {
    /// Starts the worker; results arrive on the returned receiver as `(request id, result)`.
    /// An idle session gets a `NOOP` every [`KEEPALIVE`].
    pub fn start(connector: Connector) -> (Browser, Receiver<(u64, BrowseResult)>) {
        Browser::start_with_keepalive(connector, KEEPALIVE)
    }

    /// [`Browser::start`] with another keep-alive interval. A session the keep-alive finds
    /// closed is dropped quietly; the next request connects again.
    pub fn start_with_keepalive(
        connector: Connector,
        keepalive: Duration,
    ) -> (Browser, Receiver<(u64, BrowseResult)>) {
        let (req_tx, req_rx) = mpsc::channel::<(u64, BrowseRequest)>();
        let (res_tx, res_rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("ferry-browse".into())
            .spawn(move || serve(&connector, &req_rx, &res_tx, keepalive))
            .ok();
        (
            Browser {
                requests: Some(req_tx),
                thread,
                next_id: 1,
            },
            res_rx,
        )
    }

    /// Queues a request; returns its id. Never blocks.
    pub fn request(&mut self, request: BrowseRequest) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        if let Some(tx) = &self.requests {
            let _ = tx.send((id, request));
        }
        id
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.requests = None; // ends the worker's loop
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    connector: &Connector,
    requests: &Receiver<(u64, BrowseRequest)>,
    results: &Sender<(u64, BrowseResult)>,
    keepalive: Duration,
) {
    let mut session: Option<Session> = None;
    // A refused login or certificate: never try again on this worker (each try would be
    // another failed login); the window reconnects after the user fixed it.
    let mut refused: Option<String> = None;
    loop {
        let (id, request) = match requests.recv_timeout(keepalive) {
            Ok(next) => next,
            Err(RecvTimeoutError::Timeout) => {
                // Idle: keep the connection alive, or notice it is gone (it is opened again
                // when the next request comes). A healthy server never fails NOOP; one that
                // does (421: closing an idle connection) gets a fresh session next time.
                if let Some(s) = session.as_mut()
                    && s.noop().is_err()
                {
                    session = None;
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // One reconnect per request when the connection was lost in between.
        let mut result = BrowseResult::NotConnected(refused.clone().unwrap_or_default());
        for _ in 0..2 {
            if refused.is_some() {
                break;
            }
            if session.is_none() {
                match connector() {
                    Ok(s) => session = Some(s),
                    Err(e) => {
                        let message = e.to_string();
                        if e.class().stops_connecting() {
                            refused = Some(message.clone());
                        }
                        result = BrowseResult::NotConnected(message);
                        break;
                    }
                }
            }
            let Some(s) = session.as_mut() else { break };
            // A search reports as it goes: after a batch went out, a second try would repeat it.
            // Walk progress repeats nothing: a second try may follow it.
            let mut reported = false;
            let mut report = |r: BrowseResult| {
                if !matches!(r, BrowseResult::Walking(_)) {
                    reported = true;
                }
                let _ = results.send((id, r));
            };
            match handle(s, &request, &mut report) {
                Ok(r) => {
                    result = r;
                    break;
                }
                // A comparison stops between two commands: the session is as good as before,
                // and trying again would only stop again.
                Err(FtpError::Cancelled)
                    if matches!(request, BrowseRequest::SyncPreview { .. }) =>
                {
                    result = BrowseResult::Failed(FtpError::Cancelled);
                    break;
                }
                Err(e) if e.is_fatal_to_session() && !reported => {
                    session = None;
                    result = BrowseResult::Failed(e);
                }
                Err(e) => {
                    if e.is_fatal_to_session() {
                        session = None;
                    }
                    result = BrowseResult::Failed(e);
                    break;
                }
            }
        }
        if results.send((id, result)).is_err() {
            break;
        }
    }
    if let Some(s) = session {
        let _ = s.quit();
    }
}

/// How often the window hears how far a walk got: a fast server lists hundreds of folders a
/// second, and each answer wakes the window.
const WALK_PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Walk progress as [`BrowseResult::Walking`] answers, at most every [`WALK_PROGRESS_EVERY`].
fn throttled<'r>(report: &'r mut dyn FnMut(BrowseResult)) -> impl FnMut(WalkProgress) + 'r {
    let mut last = Instant::now();
    move |progress| {
        if last.elapsed() >= WALK_PROGRESS_EVERY {
            last = Instant::now();
            report(BrowseResult::Walking(progress));
        }
    }
}

/// Carries out one request; `report` sends answers before the last (a search's batches, walk
/// progress).
fn handle(
    s: &mut Session,
    request: &BrowseRequest,
    report: &mut dyn FnMut(BrowseResult),
) -> Result<BrowseResult, FtpError> {
    Ok(match request {
        BrowseRequest::List(path) => BrowseResult::Listing {
            path: path.clone(),
            entries: s.list((!path.is_empty()).then_some(path.as_str()))?,
        },
        BrowseRequest::Pwd => BrowseResult::Pwd(s.pwd()?),
        BrowseRequest::Mkdir(path) => {
            s.mkdir(path)?;
            BrowseResult::Done
        }
        BrowseRequest::Rename { from, to } => {
            s.rename(from, to)?;
            BrowseResult::Done
        }
        BrowseRequest::DeleteFile(path) => {
            s.delete(path)?;
            BrowseResult::Done
        }
        BrowseRequest::Chmod { paths, mode } => {
            for path in paths {
                s.chmod(path, *mode)?;
            }
            BrowseResult::Done
        }
        BrowseRequest::DeleteTree(path) => {
            delete_remote_tree(s, path)?;
            BrowseResult::Done
        }
        BrowseRequest::PlanDownload { remote, local } => {
            let mut progress = throttled(report);
            let walk = Walk::new().reporting(&mut progress);
            BrowseResult::Planned(plan::download(s, remote, local, walk)?)
        }
        BrowseRequest::Find {
            root,
            pattern,
            stop,
        } => {
            let progress = find::find(s, root, pattern, stop, &mut |matches, progress| {
                report(BrowseResult::Found {
                    matches,
                    progress: progress.clone(),
                });
            })?;
            BrowseResult::Found {
                matches: Vec::new(),
                progress,
            }
        }
        BrowseRequest::PlanUpload { local, remote } => {
            let mut progress = throttled(report);
            let walk = Walk::new().reporting(&mut progress);
            BrowseResult::Planned(plan::upload(s, local, remote, walk)?)
        }
        BrowseRequest::SyncPreview {
            local,
            remote,
            options,
            stop,
        } => {
            let mut progress = throttled(report);
            BrowseResult::SyncPreview(Box::new(sync_run::preview(
                s,
                local,
                remote,
                options,
                false,
                stop,
                &mut progress,
            )?))
        }
        BrowseRequest::SyncApply { preview, chosen } => {
            let applied = sync_run::apply(s, preview, chosen);
            BrowseResult::SyncApplied {
                plan: Plan {
                    label: preview.label(),
                    items: applied.items,
                    ..Plan::default()
                },
                refused: applied.refused,
            }
        }
        BrowseRequest::TimeOffset { path, listed } => {
            let exact = s.mdtm(path)?;
            BrowseResult::TimeOffset(sync::zone_offset(*listed, exact.unix_seconds()))
        }
    })
}
