//! [`dial`]: from a [`ConnectRequest`] to a logged-in first session and a connector for more,
//! asking the front end only what only the user can answer.

use std::path::Path;
use std::sync::{Arc, Mutex};

use super::request::{ConnectRequest, Login};
use crate::ftp::{Credentials, ErrorClass, FtpError, ProtocolLog, Security, Session, TlsInfo};
use crate::sites::Keychain;
use crate::tls::{CertInfo, Decision, PinStoreError, Trust, TrustProblem};
use crate::transfer::Connector;

/// What the user decides during a connection attempt. The command line answers on the
/// terminal; the window cannot answer while a worker thread waits (its dialogs run on the UI
/// thread), so it answers "not now" and runs the attempt again after the user's decision.
pub trait Decisions {
    /// The server's certificate is not trusted (unknown, or changed since it was pinned).
    /// `Some(decision)` is recorded and the connection tried once more; `None` ends the
    /// attempt with [`ConnectError::Untrusted`], for the front end to ask and retry.
    ///
    /// # Errors
    /// The question could not be asked (no terminal, say): the message ends the attempt.
    fn certificate(
        &self,
        problem: &TrustProblem,
        can_remember: bool,
    ) -> Result<Option<Decision>, ConnectError>;

    /// A password for `user@host`, when the request has none; `why` says why not.
    ///
    /// # Errors
    /// No password can be had: the error says what to do instead.
    fn password(
        &self,
        user: &str,
        host: &str,
        why: &PasswordNeeded,
    ) -> Result<String, ConnectError>;

    /// The password of the PKCS#12 client certificate of `identity`, which neither the
    /// environment nor the keychain has.
    ///
    /// # Errors
    /// No password can be had: the error says where to put one.
    fn certificate_password(
        &self,
        identity: &crate::tls::ClientIdentity,
    ) -> Result<String, ConnectError>;
}

/// Why [`Decisions::password`] is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordNeeded {
    /// The request has a user name and no password.
    NotGiven,
    /// The saved site has no password in the keychain.
    NotSaved {
        /// The site's path.
        site: String,
    },
    /// The keychain could not be read.
    KeychainFailed {
        /// The site's path.
        site: String,
        /// What the keychain said.
        error: String,
    },
}

/// Why an attempt did not end logged in.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The server or the network said no (classified: see [`FtpError::class`]).
    #[error(transparent)]
    Ftp(#[from] FtpError),
    /// The certificate needs the user's decision, and the front end will ask for it.
    #[error("{0}")]
    Untrusted(Box<TrustProblem>),
    /// The user rejected the certificate.
    #[error("{0}\n  Rejected: not connecting.")]
    Rejected(Box<TrustProblem>),
    /// No password: what to do about it.
    #[error("{0}")]
    NoPassword(String),
    /// The request cannot work as given (a CA file that cannot be read, say).
    #[error("{0}")]
    Invalid(String),
    /// A decision could not be recorded (the pin file).
    #[error("cannot remember the certificate: {0}")]
    Remember(String),
    /// The file of remembered certificates cannot be read (corrupt, too large, ...), and the
    /// connection uses TLS, whose certificate it may decide about. A plain FTP connection
    /// never reads it.
    #[error(transparent)]
    PinFile(PinStoreError),
}

impl ConnectError {
    /// What kind of failure this is: whether to retry, and which exit code.
    pub fn class(&self) -> ErrorClass {
        match self {
            ConnectError::Ftp(e) => e.class(),
            ConnectError::Untrusted(_) | ConnectError::Rejected(_) => ErrorClass::Trust,
            ConnectError::NoPassword(_) => ErrorClass::Auth,
            ConnectError::Remember(_) | ConnectError::PinFile(_) => ErrorClass::Local,
            ConnectError::Invalid(_) => ErrorClass::Invalid,
        }
    }
}

/// The lock icon's details.
#[derive(Debug, Clone, Default)]
pub struct SecurityInfo {
    /// What TLS negotiated on the control connection (None: plain FTP).
    pub tls: Option<TlsInfo>,
    /// Whether data connections are encrypted (PROT P).
    pub data_protected: bool,
    /// The server's certificate as the prompt would show it.
    pub certificate: Option<CertInfo>,
}

/// A logged-in first session and how to open more like it.
pub struct Dialled {
    /// The session that logged in (a front end gives it to its first worker).
    pub session: Session,
    /// Opens further logged-in sessions with the same decisions and password, asking
    /// nothing; for the transfer workers.
    pub connector: Connector,
    /// The login folder (PWD).
    pub home: String,
    /// What to show about the connection's security.
    pub security: SecurityInfo,
}

/// Connects and logs in as `request` says. An untrusted certificate goes to
/// `decisions.certificate` (once per attempt: a decision is recorded in `trust`, then the
/// connection is tried again); a missing password to `decisions.password`.
///
/// # Errors
/// [`ConnectError`]: classified, with what to tell the user.
pub fn dial(
    request: &ConnectRequest,
    decisions: &dyn Decisions,
    trust: &Arc<Trust>,
    keychain: &Keychain,
    log: &Arc<dyn ProtocolLog>,
) -> Result<Dialled, ConnectError> {
    // Before the password is asked for: the connection could not be made anyway. Read here
    // (rather than left to the TLS configuration) so that the failure keeps its class.
    if request.endpoint.security != Security::Plain {
        trust.load_pins().map_err(ConnectError::PinFile)?;
    }
    let credentials = credentials(request, decisions, keychain)?;
    let mut endpoint = request.endpoint.clone();
    if let Some(proxy) = &mut endpoint.proxy {
        crate::sites::secrets::fill_proxy_password(proxy, keychain);
    }
    if let Some(identity) = &mut endpoint.client_identity {
        crate::sites::secrets::fill_cert_password(identity, keychain);
        if identity.needs_password() {
            identity.password = Some(decisions.certificate_password(identity)?);
        }
    }
    let mut decided = false;
    let mut session = loop {
        let options = endpoint
            .connect_options(trust, log)
            .map_err(ConnectError::Invalid)?;
        let err = match Session::connect(options) {
            Ok(session) => break session,
            Err(err) => err,
        };
        let Some(problem) = TrustProblem::from_error(&err) else {
            return Err(err.into());
        };
        if decided {
            return Err(err.into());
        }
        match decisions.certificate(problem, trust.can_remember())? {
            None => return Err(ConnectError::Untrusted(Box::new(problem.clone()))),
            Some(Decision::Reject) => {
                return Err(ConnectError::Rejected(Box::new(problem.clone())));
            }
            Some(decision) => {
                trust
                    .decide(problem, decision)
                    .map_err(|e| ConnectError::Remember(e.to_string()))?;
                decided = true;
            }
        }
    };
    session.login(&credentials)?;
    let home = session.pwd()?;
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
    let connector: Connector = {
        let (trust, log) = (trust.clone(), log.clone());
        Arc::new(move || {
            let options = endpoint
                .connect_options(&trust, &log)
                .map_err(FtpError::InvalidInput)?;
            let mut session = Session::connect(options)?;
            session.login(&credentials)?;
            Ok(session)
        })
    };
    Ok(Dialled {
        session,
        connector,
        home,
        security,
    })
}

/// The credentials of `request`: anonymous, given, from the keychain, or asked for.
pub(crate) fn credentials(
    request: &ConnectRequest,
    decisions: &dyn Decisions,
    keychain: &Keychain,
) -> Result<Credentials, ConnectError> {
    let host = &request.endpoint.host;
    match &request.login {
        Login::Anonymous => Ok(Credentials::anonymous()),
        Login::Password { user, password } => Ok(Credentials::new(user.clone(), password.clone())),
        Login::Ask { user } => Ok(Credentials::new(
            user.clone(),
            decisions.password(user, host, &PasswordNeeded::NotGiven)?,
        )),
        Login::Keychain { user, site_path } => {
            let why = match keychain.get(site_path) {
                Ok(Some(password)) => return Ok(Credentials::new(user.clone(), password)),
                Ok(None) => PasswordNeeded::NotSaved {
                    site: site_path.clone(),
                },
                Err(e) => PasswordNeeded::KeychainFailed {
                    site: site_path.clone(),
                    error: e.to_string(),
                },
            };
            Ok(Credentials::new(
                user.clone(),
                decisions.password(user, host, &why)?,
            ))
        }
    }
}

/// A connector that hands out `first` once (so the first worker does not log in again) and
/// then opens fresh sessions with `fresh`.
pub fn reuse_first(first: Session, fresh: Connector) -> Connector {
    let spare = Mutex::new(Some(first));
    Arc::new(move || {
        if let Some(session) = spare.lock().ok().and_then(|mut s| s.take()) {
            return Ok(session);
        }
        fresh()
    })
}

/// Moves a saved queue from where an older Ferry kept it (`old`) to `new`, once: only if
/// `new` does not exist yet. Best effort: if the move fails the old queue stays where it was.
pub fn migrate_queue_file(new: &Path, old: &Path) {
    if !new.exists() && old.is_file() {
        let _ = std::fs::rename(old, new);
    }
}
