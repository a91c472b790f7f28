//! Connecting from the window: every step that touches the network or the keychain runs on a
//! thread of its own and reports back through the inbox, so the window never waits. A trust
//! problem comes back as data for the certificate dialog; the retry after the user's decision
//! is another attempt on another thread.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use crate::client::{self, ConnectError, Decisions, Dialled, Endpoint, PasswordNeeded};
use crate::ftp::{LogKind, ProtocolLog};
use crate::sites::Keychain;
use crate::tls::{Decision, Trust, TrustProblem};
use crate::transfer::{BrowseResult, Browser, Engine, EngineConfig, SpeedLimit};

use super::inbox::{Inbox, UiEvent};

pub(crate) use crate::client::{ConnectRequest, Login, SecurityInfo};

/// What an attempt ended with.
pub(crate) enum Outcome {
    /// Logged in; the browse worker and the engine are running.
    Connected(Box<Live>),
    /// The certificate needs the user's decision.
    Untrusted(Box<TrustProblem>, Box<ConnectRequest>),
    /// The request has no password to log in with: the window asks for it (`why` says why).
    NeedPassword {
        request: Box<ConnectRequest>,
        why: String,
    },
    Failed(String),
}

/// How the engine of a connection runs (from the settings and the server).
pub(crate) struct EngineSetup {
    /// The window's tab the connection belongs to: its workers' reports carry it.
    pub tab: u64,
    pub workers: usize,
    pub queue_file: Option<PathBuf>,
    /// Where an older Ferry kept this queue: moved to `queue_file` if that does not exist yet.
    pub legacy_queue_file: Option<PathBuf>,
    /// The window's speed limits (download, upload), shared by all its connections.
    pub limits: (Arc<SpeedLimit>, Arc<SpeedLimit>),
}

/// The window's answers while a connecting thread runs: none. Its dialogs live on the UI
/// thread, so a question ends the attempt: the certificate or password dialog opens, and the
/// user's answer starts a new attempt.
pub(crate) struct WindowDecisions;

impl Decisions for WindowDecisions {
    fn certificate(
        &self,
        _problem: &TrustProblem,
        _can_remember: bool,
    ) -> Result<Option<Decision>, ConnectError> {
        Ok(None)
    }

    fn password(
        &self,
        _user: &str,
        _host: &str,
        why: &PasswordNeeded,
    ) -> Result<String, ConnectError> {
        Err(ConnectError::NoPassword(match why {
            PasswordNeeded::NotSaved { site } => format!("No password is saved for {site}."),
            PasswordNeeded::KeychainFailed { error, .. } => {
                format!("The keychain could not give the saved password: {error}")
            }
            PasswordNeeded::NotGiven => "This site asks for its password each time.".to_owned(),
        }))
    }

    fn certificate_password(
        &self,
        identity: &crate::tls::ClientIdentity,
    ) -> Result<String, ConnectError> {
        Err(ConnectError::Invalid(format!(
            "The client certificate {} is protected by a password, and none is saved: enter it in the Site Manager's Certificate password field (or set FERRY_CERT_PASSWORD).",
            identity.cert_file.display()
        )))
    }
}

/// What every connection attempt of the window shares: where trust decisions, passwords and
/// the protocol log live, and where the outcome goes.
#[derive(Clone)]
pub(crate) struct Dialer {
    pub trust: Arc<Trust>,
    pub keychain: Keychain,
    pub log: Arc<dyn ProtocolLog>,
    pub inbox: Inbox,
}

impl Dialer {
    /// Starts attempt number `attempt` on a new thread; `decision` (from the certificate
    /// dialog) is recorded first, on that thread too (it may write the pin file). On success the
    /// same thread starts the browse worker and the engine (which reads its saved queue), so
    /// the window only receives them.
    pub(crate) fn start(
        self,
        attempt: u64,
        request: ConnectRequest,
        decision: Option<(TrustProblem, Decision)>,
        setup: EngineSetup,
    ) {
        let Dialer {
            trust,
            keychain,
            log,
            inbox,
        } = self;
        let spawned = std::thread::Builder::new()
            .name("ferry-connect".into())
            .spawn({
                let inbox = inbox.clone();
                move || {
                    let outcome = attempt_on_this_thread(
                        &request, decision, setup, &trust, &keychain, &log, &inbox,
                    );
                    inbox.send(UiEvent::Connect(attempt, outcome));
                }
            });
        if let Err(e) = spawned {
            inbox.send(UiEvent::Connect(
                attempt,
                Outcome::Failed(format!("cannot start a thread: {e}")),
            ));
        }
    }
}

fn attempt_on_this_thread(
    request: &ConnectRequest,
    decision: Option<(TrustProblem, Decision)>,
    setup: EngineSetup,
    trust: &Arc<Trust>,
    keychain: &Keychain,
    log: &Arc<dyn ProtocolLog>,
    inbox: &Inbox,
) -> Outcome {
    if let Some((problem, decision)) = decision
        && let Err(e) = trust.decide(&problem, decision)
    {
        return Outcome::Failed(format!("cannot remember the certificate: {e}"));
    }
    match client::dial(request, &WindowDecisions, trust, keychain, log) {
        Ok(dialled) => {
            Outcome::Connected(Box::new(go_live(dialled, request.clone(), setup, inbox)))
        }
        Err(ConnectError::Untrusted(problem)) => {
            Outcome::Untrusted(problem, Box::new(request.clone()))
        }
        Err(ConnectError::NoPassword(why)) => Outcome::NeedPassword {
            request: Box::new(request.clone()),
            why,
        },
        Err(e) => Outcome::Failed(e.to_string()),
    }
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

/// Starts the browse worker (on the first session) and the transfer engine for `dialled`.
fn go_live(dialled: Dialled, request: ConnectRequest, setup: EngineSetup, inbox: &Inbox) -> Live {
    let Dialled {
        session,
        connector,
        home,
        security,
    } = dialled;
    // The browse worker starts on the session that just logged in: one login fewer.
    let (browser, results) = Browser::start(client::reuse_first(session, connector.clone()));
    let tab = setup.tab;
    relay(results, inbox, move |(id, result): (u64, BrowseResult)| {
        UiEvent::Browse { tab, id, result }
    });
    if let (Some(new), Some(old)) = (&setup.queue_file, &setup.legacy_queue_file) {
        client::migrate_queue_file(new, old);
    }
    let mut config = EngineConfig::new(connector);
    config.workers = request.workers(setup.workers);
    config.backoff = std::time::Duration::from_secs(2);
    config.queue_file = setup.queue_file;
    (config.download_limit, config.upload_limit) = setup.limits;
    let mut engine = Engine::start(config);
    if let Some(events) = engine.take_events() {
        relay(events, inbox, move |event| UiEvent::Engine { tab, event });
    }
    let start_dir = match request.remote_dir {
        Some(dir) if dir.starts_with('/') => dir,
        Some(dir) => crate::ftp::path::join(&home, &dir),
        None => home.clone(),
    };
    Live {
        label: request.label,
        endpoint: request.endpoint,
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
