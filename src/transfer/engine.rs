//! The worker pool: N threads, each owning one logged-in session that it reuses from item to
//! item (no reconnect, no re-login per file), taking the next queued item, moving it, verifying
//! it, and retrying with backoff and REST when a connection drops.
//!
//! The front end sends [`Command`]s (applied at once, under a short lock: the window's thread
//! never waits on the network) and drains [`Event`]s.
//!
//! What the engine guarantees about the files it writes:
//! - A download is written to its partial file ([`names::partial_path`]) and renamed to its
//!   name only once its size (and, where the server offers one, its checksum) matched: a file
//!   under its final name is always whole. A partial file is continued only by the same
//!   version of the same remote file. A target another program holds open (Windows: Excel,
//!   an editor, a scanner) is waited for a few seconds; then the item fails (a local error)
//!   with what to do, and its verified partial file is kept for the retry.
//! - Downloads get the remote modification time (exact UTC from MLSD, or asked with MDTM);
//!   uploads give the remote file the local time where the server has MFMT.
//! - Connection errors are classified ([`ErrorClass`]): a refused login, an untrusted
//!   certificate or a TLS failure stops every queued item at once (one failed login, not one
//!   per file); timeouts, cut connections and "too many connections" are retried.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::limit::SpeedLimit;

use super::model::{Direction, FileExistsPolicy, Item, Job};
use super::names;
use super::queue::{Blocked, Claim, Effect, Outcome, Queue, Rules, partial_of};
use crate::ftp::checksum::{Hasher, Method};
use crate::ftp::{ErrorClass, FtpError, Session, TransferControl, UploadMode, path as remote_path};
use crate::persist::{Document, FileError, TomlFile};

/// Opens a new logged-in session (the front end knows the site, the trust decisions and the
/// password; the engine only asks for sessions). Called on worker threads, one at a time.
pub type Connector = Arc<dyn Fn() -> Result<Session, FtpError> + Send + Sync>;

/// How the engine runs.
#[derive(Clone)]
pub struct EngineConfig {
    /// Parallel workers (each one connection).
    pub workers: usize,
    /// Attempts after the first before an item fails.
    pub retries: u32,
    /// Wait before the first retry; doubled each time, at most 30 s.
    pub backoff: Duration,
    /// Where sessions come from.
    pub connector: Connector,
    /// Where the queue is saved (atomically, at most about twice a second) and restored from on
    /// start, so a crash or kill loses nothing: active items go back to the queue and continue
    /// from their partial files. None: not saved.
    pub queue_file: Option<PathBuf>,
    /// Ask the server for a checksum after each transfer when it offers one (HASH, XCRC, ...)
    /// and compare it with the bytes that passed.
    pub verify_checksums: bool,
    /// Keep modification times across the transfer.
    pub preserve_times: bool,
    /// Download and upload speed limits, shared with whoever else holds them (every engine of
    /// the window: the limit is the total), changeable while transfers run.
    pub download_limit: Arc<SpeedLimit>,
    pub upload_limit: Arc<SpeedLimit>,
    /// A worker whose session has been idle this long sends `NOOP`, so a NAT or firewall on
    /// the way keeps the connection (the next transfer then needs no new login); a session
    /// the server closed meanwhile is dropped and the next item opens a fresh one.
    pub keepalive: Duration,
}

impl EngineConfig {
    /// Two workers, three retries from 1 s, checksums and times on, no queue file.
    pub fn new(connector: Connector) -> EngineConfig {
        EngineConfig {
            workers: 2,
            retries: 3,
            backoff: Duration::from_secs(1),
            connector,
            queue_file: None,
            verify_checksums: true,
            preserve_times: true,
            download_limit: Arc::default(),
            upload_limit: Arc::default(),
            keepalive: super::browse::KEEPALIVE,
        }
    }
}

/// The queue on disk.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct QueueFile {
    #[serde(default, rename = "job")]
    jobs: Vec<Job>,
    #[serde(default, rename = "item")]
    items: Vec<Item>,
}

impl Document for QueueFile {
    const WHAT: &'static str = "the transfer queue";
    const HEADER: &'static str = "# Ferry's transfer queue, saved so that transfers survive a crash or restart.\n# Ferry rewrites this file; edits are lost.\n";
    const VERSION: u32 = 1;
    const IF_CORRUPT: &'static str = "Ferry moved it aside and starts with an empty queue; the copy lets you see what was in it.";
}

/// The file name of the saved queue of `user` on `host:port`: readable, and unambiguous
/// however the parts are spelled (`a@b` on one server and `a_b` on another never share a
/// file): unsafe characters are percent-encoded, and a digest of the exact triple follows.
pub fn queue_file_name(user: &str, host: &str, port: u16) -> String {
    use sha2::{Digest, Sha256};
    let readable: String = format!("{user}@{}-{port}", host.to_ascii_lowercase())
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '@') {
                c.to_string()
            } else {
                let mut bytes = [0u8; 4];
                c.encode_utf8(&mut bytes)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect();
    let mut digest = Sha256::new();
    digest.update(user.as_bytes());
    digest.update([0]);
    digest.update(host.to_ascii_lowercase().as_bytes());
    digest.update([0]);
    digest.update(port.to_le_bytes());
    let tag: String = digest.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{readable}-{tag}.toml")
}

pub use super::queue::{Command, Event, Totals};

/// What the engine's threads share: the queue (behind one short lock) and the stop flags of
/// the items being moved.
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    events: Sender<Event>,
    /// Held while a worker connects: connections open one at a time, so a wrong password is
    /// one failed login and a server's connection limit is met one connection at a time.
    connecting: Mutex<()>,
    /// A server of this queue refused `REST`: no transfer tries to continue from an offset
    /// (every session is to the same server, and a new one would be refused again).
    no_rest: AtomicBool,
}

struct State {
    queue: Queue,
    /// Stop flags of claimed items (the worker checks its flag between reads).
    flags: HashMap<u64, Arc<AtomicBool>>,
    shutdown: bool,
    /// Set after the workers have stopped: the saver writes one last time and ends.
    saver_stop: bool,
}

impl Shared {
    /// Carries out what the queue decided: events to the front end, stop flags, partial
    /// files to delete. Called under the lock, so effects happen in the queue's order.
    fn run(&self, st: &mut State, effects: Vec<Effect>) {
        let mut woke = false;
        for effect in effects {
            match effect {
                Effect::Event(event) => {
                    woke |= event == Event::Idle;
                    let _ = self.events.send(event);
                }
                Effect::Stop(id) => {
                    if let Some(flag) = st.flags.get(&id) {
                        flag.store(true, Ordering::Relaxed);
                    }
                }
                Effect::RemovePartial(part) => {
                    let _ = fs::remove_file(part);
                }
                Effect::RemoveEmptyPartial(part) => {
                    if fs::metadata(&part).is_ok_and(|m| m.len() == 0) {
                        let _ = fs::remove_file(part);
                    }
                }
            }
        }
        if woke {
            self.wake.notify_all();
        }
    }
}

fn note_start(shared: &Shared, id: u64, offset: u64) {
    lock(&shared.state).queue.note_start(id, offset);
}

/// A running queue.
pub struct Engine {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
    saver: Option<JoinHandle<()>>,
    events: Option<Receiver<Event>>,
}

impl Engine {
    /// Starts the workers. They connect lazily, when there is work.
    pub fn start(config: EngineConfig) -> Engine {
        let (tx, rx) = mpsc::channel();
        let rules = Rules {
            retries: config.retries,
            backoff: config.backoff,
        };
        let mut queue = Queue::new(rules);
        let file = config.queue_file.clone().map(TomlFile::<QueueFile>::new);
        let file = file.and_then(|file| match file.read() {
            Ok(saved) => {
                queue = Queue::restore(rules, saved.jobs, saved.items);
                Some(file)
            }
            Err(e @ FileError::Corrupt { .. }) => {
                // The copy is kept beside it; with the original out of the way the new queue is
                // saved again (instead of never, for this server, from now on).
                match fs::remove_file(file.path()) {
                    Ok(()) => {
                        let _ = tx.send(Event::Log(format!(
                            "{e} The queue starts empty and is saved again."
                        )));
                        Some(file)
                    }
                    Err(remove) => {
                        let _ = tx.send(Event::Log(format!(
                            "{e} It could not be moved aside ({remove}): the queue is not saved in this session."
                        )));
                        None
                    }
                }
            }
            Err(e) => {
                // Newer format, or unreadable: never written over.
                let _ = tx.send(Event::Log(format!(
                    "{e} The queue is not saved in this session."
                )));
                None
            }
        });
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue,
                flags: HashMap::new(),
                shutdown: false,
                saver_stop: false,
            }),
            wake: Condvar::new(),
            events: tx,
            connecting: Mutex::new(()),
            no_rest: AtomicBool::new(false),
        });
        let saver = file.map(|file| {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("ferry-queue-saver".into())
                .spawn(move || save_loop(&shared, &file))
        });
        let workers = (0..config.workers.max(1))
            .map(|n| {
                let shared = shared.clone();
                let config = config.clone();
                std::thread::Builder::new()
                    .name(format!("ferry-transfer-{n}"))
                    .spawn(move || Worker::new(shared, config).run())
            })
            .filter_map(Result::ok)
            .collect();
        Engine {
            shared,
            workers,
            saver: saver.and_then(Result::ok),
            events: Some(rx),
        }
    }

    /// The event stream (taken once by the front end).
    pub fn take_events(&mut self) -> Option<Receiver<Event>> {
        self.events.take()
    }

    /// Applies a command at once; never waits for the network.
    pub fn send(&self, command: Command) {
        let mut st = lock(&self.shared.state);
        let effects = st.queue.apply(command);
        self.shared.run(&mut st, effects);
        drop(st);
        self.shared.wake.notify_all();
    }

    /// The queue in numbers.
    pub fn totals(&self) -> Totals {
        lock(&self.shared.state).queue.totals()
    }

    /// A copy of every item (for a summary at the end; a front end follows the events).
    pub fn items(&self) -> Vec<Item> {
        lock(&self.shared.state).queue.items().to_vec()
    }

    /// A copy of every job (a front end showing a saved queue: its labels).
    pub fn jobs(&self) -> Vec<Job> {
        lock(&self.shared.state).queue.jobs().to_vec()
    }
}

impl Drop for Engine {
    /// Stops the workers; items they were moving go back to the queue with their partial data,
    /// and the queue is saved one last time.
    fn drop(&mut self) {
        {
            let mut st = lock(&self.shared.state);
            st.shutdown = true;
            for id in st.queue.shut_down() {
                if let Some(flag) = st.flags.get(&id) {
                    flag.store(true, Ordering::Relaxed);
                }
            }
        }
        self.shared.wake.notify_all();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
        lock(&self.shared.state).saver_stop = true;
        self.shared.wake.notify_all();
        if let Some(saver) = self.saver.take() {
            let _ = saver.join();
        }
    }
}

/// Saves the queue when it changed, at most about twice a second, and once more at shutdown.
/// A big queue takes longer to write: the pause after a save is at least four times what the
/// save took, so saving never takes more than a fifth of a core or of the disk.
fn save_loop(shared: &Shared, file: &TomlFile<QueueFile>) {
    loop {
        let (snapshot, last) = {
            let mut st = lock(&shared.state);
            if !st.queue.is_dirty() && !st.saver_stop {
                st = shared
                    .wake
                    .wait_timeout(st, Duration::from_millis(500))
                    .map(|(guard, _)| guard)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
            let snapshot = st.queue.is_dirty().then(|| QueueFile {
                jobs: st.queue.jobs().to_vec(),
                items: st.queue.items().to_vec(),
            });
            st.queue.saved();
            (snapshot, st.saver_stop)
        };
        let started = Instant::now();
        if let Some(snapshot) = snapshot
            && let Err(e) = file.replace(&snapshot)
        {
            let _ = shared
                .events
                .send(Event::Log(format!("could not save the queue: {e}")));
        }
        if last {
            return;
        }
        let pause = (started.elapsed() * 4).max(Duration::from_millis(500));
        let deadline = Instant::now() + pause;
        let mut st = lock(&shared.state);
        while !st.saver_stop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            st = shared
                .wake
                .wait_timeout(st, left)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }
}

struct Worker {
    shared: Arc<Shared>,
    config: EngineConfig,
    session: Option<Session>,
    /// When the session last did something (a transfer or a keep-alive).
    last_used: Instant,
    /// Partial files found in the local folders this worker downloaded into.
    partials: PartialsSeen,
}

impl Worker {
    fn new(shared: Arc<Shared>, config: EngineConfig) -> Worker {
        Worker {
            shared,
            config,
            session: None,
            last_used: Instant::now(),
            partials: PartialsSeen::default(),
        }
    }

    fn run(mut self) {
        while let Some((mut item, policy, flag)) = self.next_item() {
            match self.attempt(&mut item, policy, &flag) {
                Ok(outcome) => self.finish(item, outcome),
                Err(not_connected) => self.not_connected(&item, &not_connected),
            }
            self.last_used = Instant::now();
        }
        self.drop_session();
    }

    /// NOOP on an idle session; one that fails is forgotten (the server closed it, or the
    /// network did): the next item connects again.
    fn keep_alive(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        if session.noop().is_err() {
            self.lose_session();
        }
        self.last_used = Instant::now();
    }

    fn drop_session(&mut self) {
        if let Some(session) = self.session.take() {
            lock(&self.shared.state).queue.session_closed();
            let _ = session.quit();
        }
    }

    /// Forgets a session the server or network broke (no QUIT: it would only time out).
    fn lose_session(&mut self) {
        if self.session.take().is_some() {
            lock(&self.shared.state).queue.session_closed();
        }
    }

    /// Waits for the next queued item (highest priority, then queue order) and claims it;
    /// keeps an idle session alive meanwhile.
    fn next_item(&mut self) -> Option<(Item, FileExistsPolicy, Arc<AtomicBool>)> {
        let mut has_session = self.session.is_some();
        let mut st = lock(&self.shared.state);
        loop {
            if has_session && self.last_used.elapsed() >= self.config.keepalive && !st.shutdown {
                drop(st);
                self.keep_alive();
                has_session = self.session.is_some();
                st = lock(&self.shared.state);
            }
            if st.shutdown {
                return None;
            }
            let now = Instant::now();
            let mut effects = Vec::new();
            let claim = st.queue.claim(has_session, now, &mut effects);
            if let Some(Claim { item, policy }) = claim {
                let flag = Arc::new(AtomicBool::new(false));
                st.flags.insert(item.id, flag.clone());
                self.shared.run(&mut st, effects);
                return Some((item, policy, flag));
            }
            self.shared.run(&mut st, effects);
            // Sleep until woken, or until the earliest backoff ends.
            let mut wait = st
                .queue
                .next_wake(has_session, now)
                .unwrap_or(Duration::from_secs(3600));
            if has_session {
                wait = wait.min(
                    self.config
                        .keepalive
                        .saturating_sub(self.last_used.elapsed()),
                );
            }
            let wait = wait.max(Duration::from_millis(1));
            st = self
                .shared
                .wake
                .wait_timeout(st, wait)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }

    fn finish(&mut self, item: Item, outcome: Outcome) {
        let mut st = lock(&self.shared.state);
        st.flags.remove(&item.id);
        let effects = st.queue.finish(&item, outcome, Instant::now());
        self.shared.run(&mut st, effects);
        drop(st);
        self.shared.wake.notify_all();
    }

    /// The worker could not open a session for `item`: the queue decides whether it waits or
    /// everything stops.
    fn not_connected(&mut self, item: &Item, error: &FtpError) {
        let mut st = lock(&self.shared.state);
        st.flags.remove(&item.id);
        let effects = st.queue.not_connected(
            item,
            error.to_string(),
            error.class(),
            error.is_connection_limit(),
            Instant::now(),
        );
        self.shared.run(&mut st, effects);
        drop(st);
        self.shared.wake.notify_all();
    }

    /// The worker's session, connecting (one worker at a time) if it has none.
    fn session(&mut self) -> Result<&mut Session, SessionError> {
        if self.session.is_none() {
            let gate = lock(&self.shared.connecting);
            // Another worker's connection may have been refused while this one waited.
            if let Some(blocked) = lock(&self.shared.state).queue.blocked().cloned() {
                return Err(SessionError::Blocked(blocked));
            }
            let connected = (self.config.connector)();
            if let Err(e) = &connected
                && e.class().stops_connecting()
            {
                // Recorded before the next worker may try: it must not try the same login.
                lock(&self.shared.state).queue.block(Blocked {
                    error: e.to_string(),
                    class: e.class(),
                });
            }
            drop(gate);
            let session = connected.map_err(SessionError::Connect)?;
            lock(&self.shared.state).queue.session_opened();
            self.session = Some(session);
        }
        self.session
            .as_mut()
            .ok_or_else(|| SessionError::Connect(FtpError::InvalidInput("no session".into())))
    }

    /// One attempt at an item; Err when no session could be opened (the item itself was not
    /// tried).
    fn attempt(
        &mut self,
        item: &mut Item,
        policy: FileExistsPolicy,
        stop: &AtomicBool,
    ) -> Result<Outcome, FtpError> {
        let result = match item.direction {
            Direction::Download => self.download(item, policy, stop),
            Direction::Upload => self.upload(item, policy, stop),
        };
        Ok(match result {
            Ok(outcome) => outcome,
            Err(AttemptError::Stopped) => Outcome::Stopped,
            Err(AttemptError::Local(why)) => Outcome::Fail(why, ErrorClass::Local),
            Err(AttemptError::Connect(_)) if stop.load(Ordering::Relaxed) => Outcome::Stopped,
            Err(AttemptError::Connect(SessionError::Connect(e))) => return Err(e),
            Err(AttemptError::Connect(SessionError::Blocked(blocked))) => {
                Outcome::Fail(blocked.error, blocked.class)
            }
            Err(AttemptError::Ftp(e)) => {
                if e.is_fatal_to_session() {
                    self.lose_session();
                }
                match e.class() {
                    ErrorClass::Cancelled => Outcome::Stopped,
                    class => Outcome::from_error(e.to_string(), class),
                }
            }
        })
    }

    /// What the server's checksum of `remote` says about the bytes that passed: Ok when they
    /// match, or the server offers no checksum; Err with a message when they differ.
    fn verify_checksum(
        session: &mut Session,
        remote: &str,
        size: u64,
        local: Option<(crate::ftp::checksum::Algorithm, String)>,
    ) -> Result<Option<String>, AttemptError> {
        let Some((algorithm, ours)) = local else {
            return Ok(None);
        };
        match session.checksum(remote, size).map_err(AttemptError::Ftp)? {
            Some((their_algorithm, theirs)) if their_algorithm == algorithm => {
                if theirs == ours {
                    Ok(None)
                } else {
                    Ok(Some(format!(
                        "the {algorithm} checksums differ (server {theirs}, here {ours})"
                    )))
                }
            }
            _ => Ok(None),
        }
    }

    fn download(
        &mut self,
        item: &mut Item,
        policy: FileExistsPolicy,
        stop: &AtomicBool,
    ) -> Result<Outcome, AttemptError> {
        let mut target = item.local.clone();
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| local(parent, &e))?;
        }
        // What is already there decides where we start.
        let mut continue_target = false;
        // Under "rename", a file at the name chosen earlier is this item's own copy: no
        // policy applies to it.
        let existing = fs::metadata(&target).ok().filter(|_| !item.own_target);
        if let Some(meta) = existing {
            let existing = meta.len();
            match policy {
                FileExistsPolicy::Ask => {
                    return Ok(Outcome::Asking {
                        existing_size: Some(existing),
                    });
                }
                FileExistsPolicy::Skip => return Ok(Outcome::Skipped("exists".into())),
                FileExistsPolicy::OverwriteIfSizeDiffers if Some(existing) == item.size => {
                    return Ok(Outcome::Skipped("same size".into()));
                }
                FileExistsPolicy::OverwriteIfNewer
                    if item
                        .modified
                        .is_some_and(|remote| remote <= mtime(&meta).unwrap_or(i64::MIN)) =>
                {
                    return Ok(Outcome::Skipped("not newer".into()));
                }
                FileExistsPolicy::Resume if item.size.is_some_and(|s| existing >= s) => {
                    return Ok(Outcome::Skipped("already complete".into()));
                }
                // The user asked to continue the file that is there: it becomes the partial
                // file of this download, once its version is known (below).
                FileExistsPolicy::Resume => continue_target = true,
                FileExistsPolicy::Rename => {
                    let dir = target.parent().unwrap_or(Path::new("."));
                    let name = target
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    target = names::unique_name(dir, &name);
                }
                _ => {}
            }
        }
        if policy == FileExistsPolicy::Rename && !item.own_target {
            item.local = target.clone();
            keep_target(&self.shared, item);
        }
        let (verify, preserve_times, shared) = (
            self.config.verify_checksums,
            self.config.preserve_times,
            self.shared.clone(),
        );
        let may_have_partial = continue_target || self.partials.any_of(&target);
        let limit = self.config.download_limit.clone();
        let session = self.session().map_err(AttemptError::Connect)?;
        // The partial file is named after the file's version (size and time). A LIST time is
        // the server's local time to the minute (or the day): a file replaced within that
        // minute by another of the same size would look like the same version, and a partial
        // file of the old one would be continued with the new one's rest. MDTM tells the time to
        // the second; it is asked anyway to keep the time, so asking first costs nothing.
        if !item.modified_exact
            && (preserve_times || may_have_partial)
            && session.features().has("MDTM")
        {
            match session.mdtm(&item.remote) {
                Ok(time) => {
                    item.modified = Some(time.unix_seconds());
                    item.modified_exact = true;
                    lock(&shared.state)
                        .queue
                        .exact_time_learned(item.id, time.unix_seconds());
                }
                Err(e) if e.is_fatal_to_session() => return Err(AttemptError::Ftp(e)),
                // Refused for this file: the LIST time names the version, and the overlap
                // check below guards a continued download.
                Err(_) => {}
            }
        }
        if continue_target && shared.no_rest.load(Ordering::Relaxed) {
            return Ok(Outcome::Fail(
                format!(
                    "{} was not continued: the server cannot continue a transfer (it refused REST)",
                    target.display()
                ),
                ErrorClass::Integrity,
            ));
        }
        let mut target_became_partial = false;
        if continue_target {
            let part = partial_of(item);
            if !part.exists() {
                fs::rename(&target, &part).map_err(|e| local(&target, &e))?;
                target_became_partial = true;
            }
        }
        let part = names::partial_path(&target, &item.remote, item.size, item.modified);
        if fs::symlink_metadata(&part).is_ok_and(|m| m.file_type().is_symlink()) {
            return Ok(Outcome::Fail(
                format!(
                    "{} is a symbolic link; not writing through it",
                    part.display()
                ),
                ErrorClass::Local,
            ));
        }
        // A partial file of this very version of the file, from an earlier attempt or run:
        // continue it, unless the server cannot (REST refused).
        let no_rest = shared.no_rest.load(Ordering::Relaxed);
        let offset = match fs::metadata(&part) {
            Ok(meta) if !no_rest && item.size.is_none_or(|s| meta.len() <= s) => meta.len(),
            _ => 0,
        };
        note_start(&shared, item.id, offset);
        let algorithm = if verify {
            Method::choose(session.features()).map(|m| m.algorithm())
        } else {
            None
        };
        let users_file = target_became_partial;
        let result = fetch(
            session,
            item,
            Fetch {
                target: &target,
                part: &part,
                offset,
                users_file,
                algorithm,
                preserve_times,
            },
            &shared,
            &limit,
            stop,
        );
        let done = matches!(result, Ok(Outcome::Done));
        if users_file && !done && !target.exists() {
            // The user's own file, that they asked to continue: whatever went wrong, it goes
            // back under its name, whole, never emptied or removed as a partial download.
            let _ = fs::rename(&part, &target);
        }
        if done {
            self.partials.remove_stale(&target);
        }
        result
    }

    fn upload(
        &mut self,
        item: &mut Item,
        policy: FileExistsPolicy,
        stop: &AtomicBool,
    ) -> Result<Outcome, AttemptError> {
        let mut file = File::open(&item.local).map_err(|e| local(&item.local, &e))?;
        let meta = file.metadata().map_err(|e| local(&item.local, &e))?;
        let size = meta.len();
        let local_time = mtime(&meta);
        let mut remote = item.remote.clone();
        let shared = self.shared.clone();
        let restart = lock(&self.shared.state).queue.take_restart(item.id);
        let (verify, preserve_times) = (self.config.verify_checksums, self.config.preserve_times);
        let limit = self.config.upload_limit.clone();
        let events = self.shared.events.clone();
        let session = self.session().map_err(AttemptError::Connect)?;
        // A retry after a dropped connection (or a restart of the queue) continues what
        // reached the server, unless the server cannot (REST refused).
        let no_rest = shared.no_rest.load(Ordering::Relaxed);
        let resuming = (item.attempts > 1 || item.bytes_done > 0) && !restart && !no_rest;
        let mut mode = UploadMode::Replace;
        // After a failed verification the server's copy is known to be wrong, whatever its
        // size says: the file-exists policy would skip it as "same size" or continue it, and
        // the mismatch would pass as success. It is replaced, from byte 0.
        //
        // Under "rename", the file at the name chosen earlier is this item's own copy: it is
        // continued or replaced, never renamed again and never subject to the policy.
        let ours = item.own_target;
        let check = if ours {
            resuming
        } else {
            !restart && (policy != FileExistsPolicy::Overwrite || resuming)
        };
        if check && let Some(existing) = remote_size(session, &remote).map_err(AttemptError::Ftp)? {
            match policy {
                _ if resuming && existing <= size => {
                    mode = UploadMode::Resume(existing);
                }
                _ if ours => {}
                FileExistsPolicy::Ask => {
                    return Ok(Outcome::Asking {
                        existing_size: Some(existing),
                    });
                }
                FileExistsPolicy::Skip => return Ok(Outcome::Skipped("exists".into())),
                FileExistsPolicy::OverwriteIfSizeDiffers if existing == size => {
                    return Ok(Outcome::Skipped("same size".into()));
                }
                FileExistsPolicy::OverwriteIfNewer => {
                    let remote_time = session.mdtm(&remote).ok().map(|t| t.unix_seconds());
                    if remote_time.is_some_and(|r| item.modified.is_some_and(|l| l <= r)) {
                        return Ok(Outcome::Skipped("not newer".into()));
                    }
                }
                FileExistsPolicy::Resume if existing >= size => {
                    return Ok(Outcome::Skipped("already complete".into()));
                }
                FileExistsPolicy::Resume if !no_rest => mode = UploadMode::Resume(existing),
                FileExistsPolicy::Rename => {
                    remote = unique_remote(session, &remote).map_err(AttemptError::Ftp)?;
                }
                _ => {}
            }
        }
        if policy == FileExistsPolicy::Rename && !ours {
            item.remote = remote.clone();
            keep_target(&shared, item);
        }
        let offset = match mode {
            UploadMode::Resume(n) => n,
            _ => 0,
        };
        note_start(&shared, item.id, offset);
        let algorithm = if verify {
            Method::choose(session.features()).map(|m| m.algorithm())
        } else {
            None
        };
        let mut hasher = algorithm.map(Hasher::new);
        if let Some(h) = &mut hasher
            && offset > 0
        {
            hash_prefix(&mut file, offset, h).map_err(|e| local(&item.local, &e))?;
        }
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| local(&item.local, &e))?;
        let mut meter = Meter::new(item.id, offset, Some(size), shared.clone());
        let result = {
            let mut paced = 0;
            let mut progress = |done: u64| {
                meter.update(offset + done);
                limit.pace(done.saturating_sub(paced), stop);
                paced = done;
            };
            let mut ctl = TransferControl::new(&mut progress, stop);
            let mut reader = HashingReader {
                inner: &mut file,
                hasher: hasher.as_mut(),
            };
            session.upload(&remote, mode, &mut reader, &mut ctl)
        };
        if result.is_err() && session.rest_refused() {
            // Continuing is impossible on this server: the next attempt sends the whole file.
            shared.no_rest.store(true, Ordering::Relaxed);
        }
        result.map_err(|e| match e {
            _ if stop.load(Ordering::Relaxed) => AttemptError::Stopped,
            FtpError::Local { source } => {
                AttemptError::Local(format!("cannot read {}: {source}", item.local.display()))
            }
            e => AttemptError::Ftp(e),
        })?;
        // Verify what the server has, not what we sent.
        match remote_size(session, &remote).map_err(AttemptError::Ftp)? {
            Some(n) if n != size => {
                // The server's copy is wrong whatever its size: the next attempt replaces it
                // (neither continues it nor lets --on-exists skip it).
                lock(&self.shared.state).queue.must_restart(item.id);
                return Ok(Outcome::Retry(
                    format!("the server has {n} of {size} bytes after the upload"),
                    ErrorClass::Integrity,
                ));
            }
            _ => {}
        }
        let ours = hasher
            .map(Hasher::finish)
            .zip(algorithm)
            .map(|(h, a)| (a, h));
        if let Some(mismatch) = Self::verify_checksum(session, &remote, size, ours)? {
            lock(&self.shared.state).queue.must_restart(item.id);
            return Ok(Outcome::Retry(
                format!("{mismatch}; uploading it again"),
                ErrorClass::Integrity,
            ));
        }
        if preserve_times
            && let Some(secs) = local_time
            && let Err(e) = session.set_modified(&remote, secs)
        {
            if e.is_fatal_to_session() {
                return Err(AttemptError::Ftp(e));
            }
            let _ = events.send(Event::Log(format!(
                "{}: the server did not take the modification time: {e}",
                crate::ftp::text::escape(&remote)
            )));
        }
        meter.finish(size);
        Ok(Outcome::Done)
    }
}

/// Where and how [`fetch`] downloads.
struct Fetch<'a> {
    target: &'a Path,
    part: &'a Path,
    /// Bytes already in `part` to continue from.
    offset: u64,
    /// `part` is the user's own file (`--on-exists resume`): never emptied or removed.
    users_file: bool,
    algorithm: Option<crate::ftp::checksum::Algorithm>,
    preserve_times: bool,
}

/// Downloads `item` into its partial file and renames it to its target once its size (and
/// checksum) matched.
/// Under "rename": the item's target (`local` or `remote`, as this attempt chose it) is its
/// own from now on, here and in the queue (see [`Item::own_target`]).
fn keep_target(shared: &Shared, item: &mut Item) {
    item.own_target = true;
    lock(&shared.state)
        .queue
        .target_taken(item.id, item.local.clone(), item.remote.clone());
}

fn fetch(
    session: &mut Session,
    item: &Item,
    how: Fetch<'_>,
    shared: &Arc<Shared>,
    limit: &SpeedLimit,
    stop: &AtomicBool,
) -> Result<Outcome, AttemptError> {
    let Fetch {
        target,
        part,
        mut offset,
        users_file,
        algorithm,
        preserve_times,
    } = how;
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .write(true)
        .truncate(offset == 0)
        .open(part)
        .map_err(|e| local(part, &e))?;
    let total = item.size;
    let mut meter = Meter::new(item.id, offset, total, shared.clone());
    // At most twice: a continued download whose partial file turns out to be of another
    // version, or that the server cannot continue, starts over from byte 0.
    let (written, hasher) = loop {
        let attempt = receive(
            session, item, &mut file, offset, algorithm, &mut meter, limit, stop,
        );
        match attempt {
            Err(Restart::FromZero(why)) if users_file => {
                // The user's own file, that they asked to continue: never emptied (the
                // caller puts it back under its name); the item says why.
                if session.rest_refused() {
                    shared.no_rest.store(true, Ordering::Relaxed);
                }
                return Ok(Outcome::Fail(
                    format!("{} was not continued: {why}", target.display()),
                    ErrorClass::Integrity,
                ));
            }
            Err(Restart::FromZero(why)) if offset > 0 => {
                if session.rest_refused() {
                    shared.no_rest.store(true, Ordering::Relaxed);
                }
                let _ = shared.events.send(Event::Log(format!(
                    "{}: {why}; downloading it from the start",
                    crate::ftp::text::escape(&item.remote)
                )));
                offset = 0;
                file.set_len(0).map_err(|e| local(part, &e))?;
                note_start(shared, item.id, 0);
                meter = Meter::new(item.id, 0, total, shared.clone());
            }
            Err(Restart::FromZero(why)) => {
                return Err(AttemptError::Ftp(FtpError::Protocol(why)));
            }
            Err(Restart::Failed(e)) => {
                return Err(match e {
                    _ if stop.load(Ordering::Relaxed) => AttemptError::Stopped,
                    FtpError::Local { source } => {
                        AttemptError::Local(write_error(part, &source, !users_file))
                    }
                    FtpError::TooMuchData { .. } => {
                        // Whatever came in is suspect: do not continue it later.
                        discard(part, users_file);
                        AttemptError::Ftp(e)
                    }
                    e => AttemptError::Ftp(e),
                });
            }
            Ok(done) => break done,
        }
    };
    if let Some(expected) = total
        && written != expected
    {
        if written > expected {
            discard(part, users_file);
            return Ok(Outcome::Fail(
                format!(
                    "the file changed on the server while it was downloaded ({expected} bytes announced, {written} received); download it again when it is complete"
                ),
                ErrorClass::Integrity,
            ));
        }
        return Ok(Outcome::Retry(
            format!("received {written} of {expected} bytes"),
            ErrorClass::Transient,
        ));
    }
    let ours = hasher
        .map(Hasher::finish)
        .zip(algorithm)
        .map(|(h, a)| (a, h));
    if let Some(mismatch) = Worker::verify_checksum(session, &item.remote, written, ours)? {
        discard(part, users_file);
        return Ok(Outcome::Retry(
            format!("{mismatch}; downloading it again"),
            ErrorClass::Integrity,
        ));
    }
    if preserve_times
        && item.modified_exact
        && let Some(when) = item.modified.and_then(system_time)
    {
        // Best effort: a file system without times does not fail the download.
        let _ = file.set_modified(when);
    }
    drop(file);
    put_in_place(part, target, stop)?;
    meter.finish(written);
    Ok(Outcome::Done)
}

/// Renames a finished, verified download to its target. Another program that holds the target
/// open (Windows: an editor, Excel, an antivirus scanner for a moment) is waited for a few
/// seconds; if it still holds it, the item fails with what to do, and the partial file stays,
/// whole and verified, for the retry to put in place (it finds it by its version tag and only
/// re-reads its end from the server to check the version).
fn put_in_place(part: &Path, target: &Path, stop: &AtomicBool) -> Result<(), AttemptError> {
    place_with(
        part,
        target,
        |from, to| fs::rename(from, to),
        |e| target_held(target, e),
        HELD_TARGET_PATIENCE,
        stop,
    )
}

/// [`put_in_place`] with the rename, the test of "held by another program" and the waits
/// given (for tests).
fn place_with(
    part: &Path,
    target: &Path,
    mut rename: impl FnMut(&Path, &Path) -> io::Result<()>,
    held: impl Fn(&io::Error) -> bool,
    patience: Patience,
    stop: &AtomicBool,
) -> Result<(), AttemptError> {
    match retry_while_held(|| rename(part, target), held, patience, stop) {
        Ok(()) => Ok(()),
        Err(Retried::Stopped) => Err(AttemptError::Stopped),
        Err(Retried::Failed(e)) => Err(local(target, &e)),
        Err(Retried::Held(e)) => Err(AttemptError::Local(held_message(
            target, part, patience, &e,
        ))),
    }
}

/// The item's error when another program kept the target through all the waits.
fn held_message(target: &Path, part: &Path, patience: Patience, e: &io::Error) -> String {
    let kept = part.file_name().map_or_else(
        || part.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    format!(
        "{} is open in another program, so the finished download cannot replace it: close it \
         there and retry (the downloaded file is kept beside it as {kept} and is not \
         downloaded again; waited {} s: {e})",
        target.display(),
        patience.total.as_secs_f32().round(),
    )
}

/// How long an operation that another program blocks is tried again: waits from `first`,
/// doubled each time up to `longest`, `total` in all.
#[derive(Debug, Clone, Copy)]
struct Patience {
    first: Duration,
    longest: Duration,
    total: Duration,
}

/// A scanner lets go within milliseconds, an editor not before the user closes it: about five
/// seconds, then the user is asked.
const HELD_TARGET_PATIENCE: Patience = Patience {
    first: Duration::from_millis(100),
    longest: Duration::from_secs(1),
    total: Duration::from_secs(5),
};

/// Why [`retry_while_held`] gave up.
#[derive(Debug)]
enum Retried {
    /// Still held by another program after all the waits: the last error.
    Held(io::Error),
    /// Failed for another reason (not retried).
    Failed(io::Error),
    /// The item was stopped while waiting.
    Stopped,
}

/// Runs `op`, and again after a wait (see [`Patience`]) as long as it fails with an error
/// `held` says another program causes. Holds no lock; `stop` ends a wait at once.
fn retry_while_held<T>(
    mut op: impl FnMut() -> io::Result<T>,
    held: impl Fn(&io::Error) -> bool,
    patience: Patience,
    stop: &AtomicBool,
) -> Result<T, Retried> {
    let mut wait = patience.first;
    let mut waited = Duration::ZERO;
    loop {
        match op() {
            Ok(value) => return Ok(value),
            Err(e) if !held(&e) => return Err(Retried::Failed(e)),
            Err(e) if waited >= patience.total => return Err(Retried::Held(e)),
            Err(_) => {}
        }
        let step = wait.min(patience.total - waited);
        if !sleep_unless_stopped(step, stop) {
            return Err(Retried::Stopped);
        }
        waited += step;
        wait = wait.saturating_mul(2).min(patience.longest);
    }
}

/// Sleeps `wait` in short steps; false as soon as `stop` is raised.
fn sleep_unless_stopped(wait: Duration, stop: &AtomicBool) -> bool {
    const STEP: Duration = Duration::from_millis(50);
    let until = Instant::now() + wait;
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let now = Instant::now();
        if now >= until {
            return true;
        }
        std::thread::sleep((until - now).min(STEP));
    }
}

/// Whether a rename onto `target` failed because another program holds `target` open (see
/// [`is_held_by_another_program`]). "Access denied" is that only for a file that could be
/// replaced otherwise: not for a read-only file or a folder, which no wait changes.
fn target_held(target: &Path, e: &io::Error) -> bool {
    is_held_by_another_program(e)
        && (e.raw_os_error() != Some(WINDOWS_ACCESS_DENIED)
            || fs::symlink_metadata(target)
                .map_or(true, |m| m.is_file() && !m.permissions().readonly())
                && denied_by_a_lock(target))
}

/// After "access denied" on a writable file: whether a lock (not the file's permissions) is
/// the cause. The file is opened for deleting while sharing everything: a sharing violation
/// there is another program holding it; "access denied" again is a file this account may not
/// replace (another user's), which no wait changes and "close it there" would misadvise.
#[cfg(windows)]
fn denied_by_a_lock(target: &Path) -> bool {
    use std::os::windows::fs::OpenOptionsExt;
    const DELETE: u32 = 0x0001_0000;
    const FILE_SHARE_READ_WRITE_DELETE: u32 = 0x1 | 0x2 | 0x4;
    match fs::OpenOptions::new()
        .access_mode(DELETE)
        .share_mode(FILE_SHARE_READ_WRITE_DELETE)
        .open(target)
    {
        // Free now (a scanner let go a moment ago): worth the next try.
        Ok(_) => true,
        Err(e) => e
            .raw_os_error()
            .is_some_and(|code| code == 32 || code == 33),
    }
}

/// Only Windows has locks that stop a rename.
#[cfg(not(windows))]
fn denied_by_a_lock(_target: &Path) -> bool {
    false
}

/// Whether a file operation failed because another program has the file open: on Windows a
/// file open without FILE_SHARE_DELETE cannot be replaced (Excel, an editor, a scanner). On
/// other systems the same numbers mean other things, and an open file never blocks a rename.
fn is_held_by_another_program(e: &io::Error) -> bool {
    cfg!(windows) && e.raw_os_error().is_some_and(is_windows_sharing_error)
}

/// ERROR_ACCESS_DENIED: also what replacing a file that is open, or being deleted, gives.
const WINDOWS_ACCESS_DENIED: i32 = 5;

/// Windows error codes for a file another program holds: ERROR_SHARING_VIOLATION (32),
/// ERROR_LOCK_VIOLATION (33), ERROR_ACCESS_DENIED (5). Compiled everywhere, for the tests.
fn is_windows_sharing_error(code: i32) -> bool {
    matches!(code, 32 | 33 | WINDOWS_ACCESS_DENIED)
}

/// Removes a partial download that cannot be continued, unless it is the user's own file.
fn discard(part: &Path, users_file: bool) {
    if !users_file {
        let _ = fs::remove_file(part);
    }
}

/// Why a worker has no session.
enum SessionError {
    /// Connecting failed.
    Connect(FtpError),
    /// Connecting is not allowed (a refused login, say): this is why.
    Blocked(Blocked),
}

enum AttemptError {
    Stopped,
    Connect(SessionError),
    Local(String),
    Ftp(FtpError),
}

fn local(path: &Path, e: &io::Error) -> AttemptError {
    AttemptError::Local(format!("{}: {e}", path.display()))
}

/// A failed write to a partial download, with what to do about it. On a full disk the partial
/// file is removed (unless `removable` is false: it is the user's own file): it is what fills
/// the disk, and the other files of the queue (and the rest of the system) need the space more
/// than a download that cannot finish.
fn write_error(part: &Path, e: &io::Error, removable: bool) -> String {
    let hint = if e.kind() == io::ErrorKind::StorageFull && removable {
        let _ = fs::remove_file(part);
        ". The disk is full: free some space and retry (the partial download was removed, so the other files can still be written)"
    } else if e.kind() == io::ErrorKind::StorageFull {
        ". The disk is full: free some space and retry"
    } else {
        ""
    };
    format!("cannot write {}: {e}{hint}", part.display())
}

/// Hashes the first `len` bytes of `file` (read from its start).
fn hash_prefix(file: &mut File, len: u64, hasher: &mut Hasher) -> io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    let mut left = len;
    let mut buf = vec![0u8; 1 << 20];
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = file.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file is shorter than it was",
            ));
        }
        hasher.update(&buf[..n]);
        left -= n as u64;
    }
    Ok(())
}

/// Bytes re-read before the offset of a continued download (at most half the partial file)
/// and compared with the end of the partial file. A file replaced on the server by another of the same size, within the minute
/// a LIST time shows (or with its time kept), names the same version; its bytes differ there.
const RESUME_OVERLAP: u64 = 64 * 1024;

/// How one pass of [`receive`] ended other than with the file's data.
enum Restart {
    /// The partial file cannot be continued (another version, unreadable, or the server
    /// refused REST): why, for the log. The download starts again from byte 0.
    FromZero(String),
    /// The transfer failed.
    Failed(FtpError),
}

/// The first bytes of a continued download differed from the partial file's.
#[derive(Debug)]
struct OtherVersion;

impl std::fmt::Display for OtherVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the partial file is of another version of the file")
    }
}

impl std::error::Error for OtherVersion {}

/// One pass of a download into `file` from `offset` (the partial file's length): hashes what
/// is kept, re-reads [`RESUME_OVERLAP`] bytes before the offset to check that the partial file
/// is of the version the server has now, and returns the file's length and the hasher.
#[allow(clippy::too_many_arguments)]
fn receive(
    session: &mut Session,
    item: &Item,
    file: &mut File,
    offset: u64,
    algorithm: Option<crate::ftp::checksum::Algorithm>,
    meter: &mut Meter,
    limit: &SpeedLimit,
    stop: &AtomicBool,
) -> Result<(u64, Option<Hasher>), Restart> {
    let local = |source: io::Error| Restart::Failed(FtpError::Local { source });
    let unreadable = || Restart::FromZero("the partial file could not be read back".into());
    // The checksum covers the whole file, so a continued download hashes what it continues.
    let mut hasher = algorithm.map(Hasher::new);
    if let Some(h) = &mut hasher
        && offset > 0
    {
        hash_prefix(file, offset, h).map_err(|_| unreadable())?;
    }
    // Half the partial file at most, so that a short one is still continued (REST), not
    // read again whole.
    let overlap = (offset / 2).min(RESUME_OVERLAP);
    let mut expected = vec![0u8; usize::try_from(overlap).unwrap_or(0)];
    if overlap > 0 {
        file.seek(SeekFrom::Start(offset - overlap))
            .map_err(local)?;
        file.read_exact(&mut expected).map_err(|_| unreadable())?;
    }
    file.seek(SeekFrom::Start(offset)).map_err(local)?;
    let start = offset - overlap;
    let received = {
        let mut writer = OverlapCheck {
            expected: &expected,
            matched: 0,
            inner: HashingWriter {
                inner: file,
                hasher: hasher.as_mut(),
            },
        };
        let mut paced = 0;
        let mut progress = |done: u64| {
            meter.update(offset + done.saturating_sub(overlap));
            limit.pace(done.saturating_sub(paced), stop);
            paced = done;
        };
        let mut ctl = TransferControl::new(&mut progress, stop);
        ctl.expected_size = item.size;
        // `Session::download` writes in blocks of 64 KiB: no BufWriter needed.
        let received = session.download(&item.remote, start, &mut writer, &mut ctl);
        let flushed = writer.flush();
        match (received, flushed) {
            (Ok(n), Ok(())) => Ok(n),
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(FtpError::Local { source: e }),
        }
    };
    match received {
        // The server's file ended inside the part re-read: it is shorter than the partial
        // file, so not the version the partial file is of.
        Ok(n) if n < overlap => Err(Restart::FromZero(
            "the server's file is shorter than the partial file".into(),
        )),
        Ok(n) => Ok((start + n, hasher)),
        Err(FtpError::Local { source })
            if source.get_ref().is_some_and(|e| e.is::<OtherVersion>()) =>
        {
            Err(Restart::FromZero(
                "the partial file is of another version of the file (its last bytes differ from the server's)".into(),
            ))
        }
        Err(FtpError::Reply { command, reply })
            if command.starts_with("REST ") && session.rest_refused() =>
        {
            Err(Restart::FromZero(format!(
                "the server cannot continue a transfer ({command}: {})",
                crate::ftp::text::escape(reply.text().trim())
            )))
        }
        Err(e) => Err(Restart::Failed(e)),
    }
}

/// Compares the first bytes of a continued download (a re-read of the partial file's end)
/// with `expected`, then writes the rest through.
struct OverlapCheck<'a, W> {
    expected: &'a [u8],
    matched: usize,
    inner: W,
}

impl<W: Write> Write for OverlapCheck<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = &self.expected[self.matched..];
        if left.is_empty() {
            return self.inner.write(buf);
        }
        let n = left.len().min(buf.len());
        if buf[..n] != left[..n] {
            return Err(io::Error::other(OtherVersion));
        }
        self.matched += n;
        if n == buf.len() {
            return Ok(n);
        }
        Ok(n + self.inner.write(&buf[n..])?)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The partial downloads in each local folder a worker downloads into, listed once per folder
/// (a folder of 100 000 files is not listed again for each of them).
#[derive(Default)]
struct PartialsSeen {
    by_dir: HashMap<PathBuf, Vec<String>>,
}

/// Folders [`PartialsSeen`] remembers before it forgets them all (memory stays bounded on a
/// tree of any size; a folder forgotten is listed again when next needed).
const PARTIAL_FOLDERS_REMEMBERED: usize = 256;

impl PartialsSeen {
    fn in_dir(&mut self, dir: &Path) -> &mut Vec<String> {
        if !self.by_dir.contains_key(dir) && self.by_dir.len() >= PARTIAL_FOLDERS_REMEMBERED {
            self.by_dir.clear();
        }
        self.by_dir.entry(dir.to_owned()).or_insert_with(|| {
            fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .flatten()
                        .filter_map(|e| e.file_name().into_string().ok())
                        .filter(|name| name.ends_with(names::PARTIAL_SUFFIX))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Whether a partial download of `target` (of any version) was there.
    fn any_of(&mut self, target: &Path) -> bool {
        let (Some(dir), Some(name)) =
            (target.parent(), target.file_name().and_then(|n| n.to_str()))
        else {
            return false;
        };
        self.in_dir(dir)
            .iter()
            .any(|p| names::is_partial_of(name, p))
    }

    /// `target` is complete: partial downloads of other versions of it can never be
    /// continued, so they go (a 108 MB partial of last week's version only takes space).
    fn remove_stale(&mut self, target: &Path) {
        let (Some(dir), Some(name)) =
            (target.parent(), target.file_name().and_then(|n| n.to_str()))
        else {
            return;
        };
        self.in_dir(dir).retain(|p| {
            if names::is_partial_of(name, p) {
                let _ = fs::remove_file(dir.join(p));
                false
            } else {
                true
            }
        });
    }
}

/// Writes through to a file, hashing what was written.
struct HashingWriter<'a> {
    inner: &'a mut File,
    hasher: Option<&'a mut Hasher>,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads from a file, hashing what was read.
struct HashingReader<'a> {
    inner: &'a mut File,
    hasher: Option<&'a mut Hasher>,
}

impl Read for HashingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// The remote file's size, None if it does not exist (550).
fn remote_size(session: &mut Session, remote: &str) -> Result<Option<u64>, FtpError> {
    match session.size(remote) {
        Ok(n) => Ok(Some(n)),
        Err(FtpError::Reply { reply, .. }) if reply.code == 550 => Ok(None),
        Err(FtpError::Reply { reply, .. }) if matches!(reply.code, 500 | 502 | 504) => {
            // No SIZE: look in the listing instead.
            let dir = remote_path::parent(remote);
            let name = remote_path::file_name(remote).to_owned();
            let listing = session.list((!dir.is_empty()).then_some(dir.as_str()))?;
            Ok(listing.iter().find(|e| e.name == name).and_then(|e| e.size))
        }
        Err(e) => Err(e),
    }
}

/// `name (1).ext` on the server: the first that does not exist.
fn unique_remote(session: &mut Session, remote: &str) -> Result<String, FtpError> {
    let dir = remote_path::parent(remote);
    let name = remote_path::file_name(remote);
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    for n in 1..1000 {
        let candidate = remote_path::join(&dir, &format!("{stem} ({n}){ext}"));
        if remote_size(session, &candidate)?.is_none() {
            return Ok(candidate);
        }
    }
    Err(FtpError::InvalidInput(format!(
        "no free name like {name} on the server"
    )))
}

/// A file's modification time in Unix seconds, if the system gives one.
pub(crate) fn mtime(meta: &fs::Metadata) -> Option<i64> {
    meta.modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

fn system_time(unix_seconds: i64) -> Option<SystemTime> {
    let secs = u64::try_from(unix_seconds).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Throttled progress with a moving-average speed.
struct Meter {
    id: u64,
    total: Option<u64>,
    shared: Arc<Shared>,
    last_sent: Option<Instant>,
    samples: Vec<(Instant, u64)>,
    /// The latest count, also between the throttled events; recorded in the item when the
    /// meter is dropped, so a failed attempt's progress is known exactly.
    latest: u64,
    recorded: u64,
}

impl Meter {
    fn new(id: u64, start: u64, total: Option<u64>, shared: Arc<Shared>) -> Meter {
        Meter {
            id,
            total,
            shared,
            last_sent: None,
            samples: vec![(Instant::now(), start)],
            latest: start,
            recorded: start,
        }
    }

    fn update(&mut self, bytes_done: u64) {
        self.latest = bytes_done;
        let now = Instant::now();
        if self
            .last_sent
            .is_some_and(|t| now.duration_since(t) < Duration::from_millis(100))
        {
            return;
        }
        self.last_sent = Some(now);
        self.send(now, bytes_done);
    }

    fn finish(&mut self, bytes_done: u64) {
        self.latest = bytes_done;
        self.send(Instant::now(), bytes_done);
    }

    fn send(&mut self, now: Instant, bytes_done: u64) {
        self.recorded = bytes_done;
        self.samples.push((now, bytes_done));
        // A three-second window: steady enough to read, quick to follow a change.
        while self.samples.len() > 2
            && now.duration_since(self.samples[0].0) > Duration::from_secs(3)
        {
            self.samples.remove(0);
        }
        let (t0, b0) = self.samples[0];
        let secs = now.duration_since(t0).as_secs_f64();
        let speed = if secs > 0.0 {
            bytes_done.saturating_sub(b0) as f64 / secs
        } else {
            0.0
        };
        let eta = self
            .total
            .filter(|_| speed > 0.0)
            .map(|t| t.saturating_sub(bytes_done) as f64 / speed);
        lock(&self.shared.state).queue.progress(self.id, bytes_done);
        let _ = self.shared.events.send(Event::Progress {
            id: self.id,
            bytes_done,
            total: self.total,
            speed,
            eta,
        });
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        if self.latest != self.recorded {
            lock(&self.shared.state)
                .queue
                .progress(self.id, self.latest);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// The Windows codes, whatever the system the test runs on.
    fn windows_held(e: &io::Error) -> bool {
        e.raw_os_error().is_some_and(is_windows_sharing_error)
    }

    fn quick() -> Patience {
        Patience {
            first: Duration::from_millis(1),
            longest: Duration::from_millis(4),
            total: Duration::from_millis(20),
        }
    }

    #[test]
    fn the_windows_codes_of_a_file_another_program_holds() {
        for code in [32, 33, 5] {
            assert!(is_windows_sharing_error(code), "{code}");
            let e = io::Error::from_raw_os_error(code);
            // Only Windows reads these numbers so: on Unix 5 is EIO, 32 EPIPE, 33 EDOM.
            assert_eq!(is_held_by_another_program(&e), cfg!(windows), "{code}");
        }
        for code in [2, 3, 17, 112] {
            assert!(!is_windows_sharing_error(code), "{code}");
            assert!(!is_held_by_another_program(&io::Error::from_raw_os_error(
                code
            )));
        }
        assert!(!is_held_by_another_program(&io::Error::other("busy")));
    }

    #[test]
    fn a_rename_another_program_blocks_for_a_moment_is_tried_again_and_succeeds() {
        let calls = Cell::new(0);
        let stop = AtomicBool::new(false);
        let result = retry_while_held(
            || {
                calls.set(calls.get() + 1);
                match calls.get() {
                    1 => Err(io::Error::from_raw_os_error(32)),
                    2 => Err(io::Error::from_raw_os_error(33)),
                    3 => Err(io::Error::from_raw_os_error(5)),
                    _ => Ok("placed"),
                }
            },
            windows_held,
            quick(),
            &stop,
        );
        assert_eq!(result.unwrap(), "placed");
        assert_eq!(calls.get(), 4);
    }

    #[test]
    fn a_target_held_through_all_the_waits_gives_up_with_the_last_error() {
        let calls = Cell::new(0);
        let stop = AtomicBool::new(false);
        let started = Instant::now();
        let result: Result<(), _> = retry_while_held(
            || {
                calls.set(calls.get() + 1);
                Err(io::Error::from_raw_os_error(32))
            },
            windows_held,
            quick(),
            &stop,
        );
        assert!(matches!(result, Err(Retried::Held(e)) if e.raw_os_error() == Some(32)));
        assert!(started.elapsed() >= quick().total);
        // 1, 2, 4, 4, 4, 4, 1 ms: seven waits, eight tries.
        assert_eq!(calls.get(), 8);
    }

    #[test]
    fn another_failure_is_not_retried() {
        let calls = Cell::new(0);
        let stop = AtomicBool::new(false);
        let result: Result<(), _> = retry_while_held(
            || {
                calls.set(calls.get() + 1);
                Err(io::Error::from(io::ErrorKind::NotFound))
            },
            windows_held,
            quick(),
            &stop,
        );
        assert!(matches!(result, Err(Retried::Failed(_))));
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn a_stop_ends_the_wait() {
        let calls = Cell::new(0);
        let stop = AtomicBool::new(false);
        let patient = Patience {
            first: Duration::from_secs(30),
            longest: Duration::from_secs(30),
            total: Duration::from_secs(60),
        };
        let started = Instant::now();
        let result: Result<(), _> = std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(50));
                stop.store(true, Ordering::Relaxed);
            });
            retry_while_held(
                || {
                    calls.set(calls.get() + 1);
                    Err(io::Error::from_raw_os_error(32))
                },
                windows_held,
                patient,
                &stop,
            )
        });
        assert!(matches!(result, Err(Retried::Stopped)));
        assert_eq!(calls.get(), 1);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    /// A finished download in `dir`: its partial file and its target, held open by "Excel".
    fn finished_download(dir: &Path) -> (PathBuf, PathBuf) {
        let target = dir.join("report.xlsx");
        fs::write(&target, b"last week's").unwrap();
        let part = names::partial_path(&target, "/report.xlsx", Some(9), Some(1_700_000_000));
        fs::write(&part, b"this week").unwrap();
        (part, target)
    }

    #[test]
    fn a_download_is_put_in_place_once_the_other_program_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let (part, target) = finished_download(dir.path());
        let refusals = Cell::new(2);
        let stop = AtomicBool::new(false);
        let placed = place_with(
            &part,
            &target,
            |from, to| {
                if refusals.get() > 0 {
                    refusals.set(refusals.get() - 1);
                    return Err(io::Error::from_raw_os_error(32));
                }
                fs::rename(from, to)
            },
            windows_held,
            quick(),
            &stop,
        );
        assert!(placed.is_ok());
        assert_eq!(fs::read(&target).unwrap(), b"this week");
        assert!(!part.exists());
    }

    #[test]
    fn a_target_still_open_fails_the_item_with_what_to_do_and_keeps_the_download() {
        let dir = tempfile::tempdir().unwrap();
        let (part, target) = finished_download(dir.path());
        let stop = AtomicBool::new(false);
        let placed = place_with(
            &part,
            &target,
            |_, _| Err(io::Error::from_raw_os_error(32)),
            windows_held,
            quick(),
            &stop,
        );
        let Err(AttemptError::Local(message)) = placed else {
            panic!("not a local error");
        };
        // A local error: the item fails (exit code 8) and Retry in the queue puts it in place.
        assert!(message.contains(&target.display().to_string()), "{message}");
        assert!(message.contains("is open in another program"), "{message}");
        assert!(message.contains("close it there and retry"), "{message}");
        let kept = part.file_name().unwrap().to_string_lossy().into_owned();
        assert!(message.contains(&kept), "{message}");
        // The user's file is untouched, the verified download is still there for the retry.
        assert_eq!(fs::read(&target).unwrap(), b"last week's");
        assert_eq!(fs::read(&part).unwrap(), b"this week");
    }

    #[test]
    fn a_rename_that_fails_otherwise_gives_the_plain_error_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let (part, target) = finished_download(dir.path());
        let calls = Cell::new(0);
        let stop = AtomicBool::new(false);
        let placed = place_with(
            &part,
            &target,
            |_, _| {
                calls.set(calls.get() + 1);
                Err(io::Error::from(io::ErrorKind::PermissionDenied))
            },
            windows_held,
            quick(),
            &stop,
        );
        let Err(AttemptError::Local(message)) = placed else {
            panic!("not a local error");
        };
        assert_eq!(calls.get(), 1);
        assert!(!message.contains("another program"), "{message}");
        assert!(part.exists());
    }

    /// The real thing: a target another program opened without sharing (as Excel does).
    #[cfg(windows)]
    #[test]
    fn on_windows_a_target_open_elsewhere_is_waited_for_then_replaced_or_reported() {
        use std::os::windows::fs::OpenOptionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (part, target) = finished_download(dir.path());
        let open = || {
            OpenOptions::new()
                .read(true)
                .share_mode(0)
                .open(&target)
                .unwrap()
        };
        let stop = AtomicBool::new(false);

        // Held through all the waits: the item's error, both files as they were.
        let held = open();
        let e = fs::rename(&part, &target).unwrap_err();
        assert!(target_held(&target, &e), "{e:?}");
        let placed = place_with(
            &part,
            &target,
            |from, to| fs::rename(from, to),
            |e| target_held(&target, e),
            quick(),
            &stop,
        );
        let Err(AttemptError::Local(message)) = placed else {
            panic!("not a local error");
        };
        assert!(message.contains("is open in another program"), "{message}");
        drop(held);
        assert_eq!(fs::read(&target).unwrap(), b"last week's");
        assert_eq!(fs::read(&part).unwrap(), b"this week");

        // Let go after a moment (a scanner): put in place.
        let held = open();
        let placed = std::thread::scope(|s| {
            s.spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                drop(held);
            });
            put_in_place(&part, &target, &stop)
        });
        assert!(placed.is_ok());
        assert_eq!(fs::read(&target).unwrap(), b"this week");
        assert!(!part.exists());
    }

    #[test]
    fn access_denied_on_a_read_only_target_is_not_taken_for_a_lock() {
        let dir = tempfile::tempdir().unwrap();
        let (_, target) = finished_download(dir.path());
        let denied = io::Error::from_raw_os_error(WINDOWS_ACCESS_DENIED);
        let sharing = io::Error::from_raw_os_error(32);
        assert_eq!(target_held(&target, &denied), cfg!(windows));
        assert_eq!(target_held(&target, &sharing), cfg!(windows));
        let mut readonly = fs::metadata(&target).unwrap().permissions();
        readonly.set_readonly(true);
        fs::set_permissions(&target, readonly).unwrap();
        assert!(!target_held(&target, &denied));
        assert_eq!(target_held(&target, &sharing), cfg!(windows));
        assert!(!target_held(dir.path(), &denied));
    }
}
