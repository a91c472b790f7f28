//! Connecting from the window: every step that touches the network or the keychain runs on a
//! thread of its own and reports back through the inbox, so the window never waits. A trust
//! problem comes back as data for the certificate dialog; the retry after the user's decision
//! is another attempt on another thread.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use crate::connect::Endpoint;
use crate::ftp::{Credentials, LogKind, ProtocolLog, Security, Session, TlsInfo};
use crate::sites::Keychain;
use crate::tls::{CertInfo, Decision, Trust, TrustProblem};
use crate::transfer::{BrowseResult, Browser, Connector, Engine, EngineConfig};

use super::inbox::{Inbox, UiEvent};

/// Where the password comes from.
#[derive(Clone)]
pub(crate) enum Login {
    /// `anonymous`.
    Anonymous,
    /// Typed in (quick connect, or asked for).
    Password { user: String, password: String },
    /// A saved site's keychain entry (read on the connecting thread).
    Keychain { user: String, site_path: String },
}

/// Everything one connection attempt needs.
#[derive(Clone)]
pub(crate) struct ConnectRequest {
    pub endpoint: Endpoint,
    pub login: Login,
    /// Shown in the title bar and the status line: a site's path, or `user@host`.
    pub label: String,
    /// Open this remote folder after login.
    pub remote_dir: Option<String>,
    /// Show this local folder.
    pub local_dir: Option<PathBuf>,
    /// The server's limit on parallel connections (a site setting), if any.
    pub max_connections: Option<usize>,
    /// The user has seen the plain-FTP warning for this request.
    pub plain_confirmed: bool,
}

impl ConnectRequest {
    /// Plain FTP, and the user has not yet agreed to it.
    pub(crate) fn needs_plain_warning(&self) -> bool {
        self.endpoint.security == Security::Plain && !self.plain_confirmed
    }
}

/// A logged-in first session and what the window shows of it.
struct Established {
    pub session: Session,
    pub credentials: Credentials,
    pub request: ConnectRequest,
    pub home: String,
    pub security: SecurityInfo,
}

/// What an attempt ended with.
pub(crate) enum Outcome {
    /// Logged in; the browse worker and the engine are running.
    Connected(Box<Live>),
    /// The certificate needs the user's decision.
    Untrusted(Box<TrustProblem>, Box<ConnectRequest>),
    Failed(String),
}

/// The lock icon's details.
#[derive(Debug, Clone, Default)]
pub(crate) struct SecurityInfo {
    pub tls: Option<TlsInfo>,
    pub data_protected: bool,
    pub certificate: Option<CertInfo>,
}

/// How the engine of a connection runs (from the settings and the server).
pub(crate) struct EngineSetup {
    pub workers: usize,
    pub queue_file: Option<PathBuf>,
    /// Where an older Ferry kept this queue: moved to `queue_file` if that does not exist yet.
    pub legacy_queue_file: Option<PathBuf>,
}

/// Starts an attempt on a new thread; `decision` (from the certificate dialog) is recorded
/// first, on that thread too (it may write the pin file). On success the same thread starts the
/// browse worker and the engine (which reads its saved queue), so the window only receives them.
pub(crate) fn start_attempt(
    request: ConnectRequest,
    decision: Option<(TrustProblem, Decision)>,
    setup: EngineSetup,
    trust: Arc<Trust>,
    keychain: Keychain,
    log: Arc<dyn ProtocolLog>,
    inbox: Inbox,
) {
    let spawned = std::thread::Builder::new()
        .name("ferry-connect".into())
        .spawn({
            let inbox = inbox.clone();
            move || {
                let decided = match decision {
                    Some((problem, decision)) => trust.decide(&problem, decision).map_err(|e| {
                        Outcome::Failed(format!("cannot remember the certificate: {e}"))
                    }),
                    None => Ok(()),
                };
                let outcome = match decided.and_then(|()| attempt(request, &trust, &keychain, &log))
                {
                    Ok(established) => Outcome::Connected(Box::new(go_live(
                        established,
                        trust,
                        log,
                        setup,
                        &inbox,
                    ))),
                    Err(outcome) => outcome,
                };
                inbox.send(UiEvent::Connect(outcome));
            }
        });
    if let Err(e) = spawned {
        inbox.send(UiEvent::Connect(Outcome::Failed(format!(
            "cannot start a thread: {e}"
        ))));
    }
}

/// Connects and logs in; the error side is what to tell the window instead.
fn attempt(
    request: ConnectRequest,
    trust: &Arc<Trust>,
    keychain: &Keychain,
    log: &Arc<dyn ProtocolLog>,
) -> Result<Established, Outcome> {
    let credentials = match &request.login {
        Login::Anonymous => Credentials::anonymous(),
        Login::Password { user, password } => Credentials::new(user.clone(), password.clone()),
        Login::Keychain { user, site_path } => match keychain.get(site_path) {
            Ok(Some(password)) => Credentials::new(user.clone(), password),
            Ok(None) => {
                return Err(Outcome::Failed(format!(
                    "No password is saved for {site_path}. Enter it in the Site Manager."
                )));
            }
            Err(e) => return Err(Outcome::Failed(e.to_string())),
        },
    };
    let options = match request.endpoint.connect_options(trust, log) {
        Ok(o) => o,
        Err(e) => return Err(Outcome::Failed(e)),
    };
    let mut session = match Session::connect(options) {
        Ok(s) => s,
        Err(e) => {
            return Err(match TrustProblem::from_error(&e) {
                Some(problem) => Outcome::Untrusted(Box::new(problem.clone()), Box::new(request)),
                None => Outcome::Failed(e.to_string()),
            });
        }
    };
    if let Err(e) = session.login(&credentials) {
        return Err(Outcome::Failed(e.to_string()));
    }
    let home = match session.pwd() {
        Ok(p) => p,
        Err(e) => return Err(Outcome::Failed(e.to_string())),
    };
    let tls = session.tls_info();
    let certificate = CertInfo::from_chain(&session.peer_certificates(), None)
        .ok()
        .map(|mut c| {
            c.tls_version = tls.as_ref().map(|t| t.version.clone());
            c.cipher_suite = tls.as_ref().map(|t| t.cipher_suite.clone());
            c
        });
    let security = SecurityInfo {
        data_protected: session.data_protected(),
        tls,
        certificate,
    };
    Ok(Established {
        session,
        credentials,
        request,
        home,
        security,
    })
}

/// A connected server: the browse worker, the transfer engine, and what to show about them.
pub(crate) struct Live {
    pub label: String,
    pub endpoint: Endpoint,
    /// The login folder.
    pub home: String,
    /// The remote folder to show first (the site's, or the login folder).
    pub start_dir: String,
    /// The local folder to show first, if the site has one.
    pub local_dir: Option<PathBuf>,
    pub security: SecurityInfo,
    pub browser: Browser,
    pub engine: Engine,
}

/// Starts the browse worker (on the first session) and the transfer engine for `established`.
fn go_live(
    established: Established,
    trust: Arc<Trust>,
    log: Arc<dyn ProtocolLog>,
    setup: EngineSetup,
    inbox: &Inbox,
) -> Live {
    let Established {
        session,
        credentials,
        request,
        home,
        security,
    } = established;
    let endpoint = request.endpoint.clone();
    let fresh: Connector = {
        let endpoint = endpoint.clone();
        Arc::new(move || {
            let options = endpoint
                .connect_options(&trust, &log)
                .map_err(crate::ftp::FtpError::InvalidInput)?;
            let mut session = Session::connect(options)?;
            session.login(&credentials)?;
            Ok(session)
        })
    };
    // The browse worker starts on the session that just logged in: one login fewer.
    let spare = Arc::new(Mutex::new(Some(session)));
    let browse_connector: Connector = {
        let fresh = fresh.clone();
        Arc::new(move || {
            if let Some(session) = spare.lock().ok().and_then(|mut s| s.take()) {
                return Ok(session);
            }
            fresh()
        })
    };
    let (browser, results) = Browser::start(browse_connector);
    relay(results, inbox, |(id, result): (u64, BrowseResult)| {
        UiEvent::Browse(id, result)
    });
    let limit = request.max_connections.unwrap_or(16).max(1);
    if let (Some(new), Some(old)) = (&setup.queue_file, &setup.legacy_queue_file)
        && !new.exists()
        && old.is_file()
    {
        // Best effort: without it the old queue just stays where it was.
        let _ = std::fs::rename(old, new);
    }
    let mut config = EngineConfig::new(fresh);
    config.workers = setup.workers.clamp(1, 16).min(limit);
    config.backoff = std::time::Duration::from_secs(2);
    config.queue_file = setup.queue_file;
    let mut engine = Engine::start(config);
    if let Some(events) = engine.take_events() {
        relay(events, inbox, UiEvent::Engine);
    }
    let start_dir = match request.remote_dir {
        Some(dir) if dir.starts_with('/') => dir,
        Some(dir) => crate::ftp::path::join(&home, &dir),
        None => home.clone(),
    };
    Live {
        label: request.label,
        endpoint,
        start_dir,
        local_dir: request.local_dir,
        home,
        security,
        browser,
        engine,
    }
}

/// Forwards a worker's channel into the inbox (which wakes the window) until it closes.
fn relay<T: Send + 'static>(
    source: Receiver<T>,
    inbox: &Inbox,
    wrap: impl Fn(T) -> UiEvent + Send + 'static,
) {
    let inbox = inbox.clone();
    let _ = std::thread::Builder::new()
        .name("ferry-relay".into())
        .spawn(move || {
            while let Ok(message) = source.recv() {
                if !inbox.send(wrap(message)) {
                    break;
                }
            }
        });
}

/// Ends a connection without waiting: the workers may be in the middle of a network call, so
/// they are stopped and joined on a thread of their own.
pub(crate) fn shut_down(live: Live) {
    let _ = std::thread::Builder::new()
        .name("ferry-disconnect".into())
        .spawn(move || drop(live));
}

/// One line of the log panel.
#[derive(Debug, Clone)]
pub(crate) struct LogLine {
    pub unix_time: i64,
    pub kind: LogKind,
    pub text: String,
}

/// The protocol log of every connection of the window, kept in memory (bounded) for the log
/// panel. `PASS` was masked before it got here (in `ftp::log`).
pub(crate) struct WindowLog {
    inbox: Inbox,
}

impl WindowLog {
    pub(crate) fn new(inbox: Inbox) -> WindowLog {
        WindowLog { inbox }
    }
}

impl LogLine {
    /// A line stamped now.
    pub(crate) fn now(kind: LogKind, text: impl Into<String>) -> LogLine {
        LogLine {
            unix_time: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
            kind,
            text: text.into(),
        }
    }
}

impl ProtocolLog for WindowLog {
    fn log(&self, kind: LogKind, line: &str) {
        self.inbox.send(UiEvent::Log(LogLine::now(kind, line)));
    }
}
