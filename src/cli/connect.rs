//! Turns a target and the global options into a logged-in session.

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;
use std::time::Duration;

use super::target::Target;
use super::{ExitCode, Failure, GlobalOptions, prompt};
use crate::connect::Endpoint;
use crate::ftp::{self, ConnectOptions, Credentials, ProtocolLog, Session};
use crate::paths;
use crate::sites::{Keychain, Logon};
use crate::tls::{Decision, PinStore, Trust, TrustProblem};

/// The user's trust decisions: the pin store plus `--trust` fingerprints. A corrupt pin file
/// is an error (it has been copied aside), never silently treated as empty.
pub(crate) fn load_trust(global: &GlobalOptions) -> Result<Trust, Failure> {
    let store = match paths::pins_file() {
        Some(path) => Some(PinStore::load(&path).map_err(|e| Failure::local(e.to_string()))?),
        None => {
            eprintln!(
                "ferry: warning: no configuration directory; certificate decisions last only this run"
            );
            None
        }
    };
    Trust::new(store)
        .with_fingerprints(global.trust.iter().cloned())
        .map_err(Failure::usage)
}

/// Everything needed to open more sessions to the same server without asking the user again
/// (the workers of a folder transfer): the target, the credentials and the trust decisions
/// made for the first connection.
#[derive(Clone)]
pub(crate) struct Connection {
    target: Target,
    global: GlobalOptions,
    creds: Credentials,
    trust: Arc<Trust>,
    log: Arc<dyn ProtocolLog>,
}

impl Connection {
    /// The saved site this connects to, if any.
    pub(crate) fn site_path(&self) -> Option<&str> {
        self.target.site_path.as_deref()
    }

    /// Another logged-in session, with the decisions already made (no questions). The error
    /// is the engine's, so the transfer engine can tell a refused login from a dropped line.
    pub(crate) fn connect(&self) -> Result<Session, ftp::FtpError> {
        let options = connect_options(&self.target, &self.global, &self.trust, &self.log)
            .map_err(|f| ftp::FtpError::InvalidInput(f.message))?;
        let mut session = Session::connect(options)?;
        session.login(&self.creds)?;
        Ok(session)
    }
}

/// Connects and logs in to the server named by `url`. An untrusted certificate is shown and,
/// on a terminal, the user decides; without one, the command fails with its own exit code and
/// the fingerprint to pass to `--trust`.
pub(crate) fn open_session(target: &Target, global: &GlobalOptions) -> Result<Session, Failure> {
    open_connection(target, global).map(|(session, _)| session)
}

/// Like [`open_session`], and returns the [`Connection`] to open more sessions with.
pub(crate) fn open_connection(
    target: &Target,
    global: &GlobalOptions,
) -> Result<(Session, Connection), Failure> {
    let connection = Connection {
        target: target.clone(),
        global: global.clone(),
        trust: Arc::new(load_trust(global)?),
        creds: credentials(target, global)?,
        log: if global.verbose {
            Arc::new(ftp::StderrLog)
        } else {
            Arc::new(ftp::NullLog)
        },
    };
    let mut decided = false;
    loop {
        let options = connect_options(target, global, &connection.trust, &connection.log)?;
        let err = match Session::connect(options) {
            Ok(mut session) => {
                session.login(&connection.creds)?;
                return Ok((session, connection));
            }
            Err(err) => err,
        };
        let Some(problem) = TrustProblem::from_error(&err) else {
            return Err(err.into());
        };
        if decided {
            return Err(err.into());
        }
        match prompt::decide(problem, connection.trust.can_remember())? {
            Decision::Reject => {
                return Err(Failure {
                    message: format!("{problem}\n  Rejected: not connecting."),
                    code: ExitCode::UntrustedCertificate,
                });
            }
            decision => {
                connection
                    .trust
                    .decide(problem, decision)
                    .map_err(|e| Failure::local(format!("cannot remember the certificate: {e}")))?;
                decided = true;
            }
        }
    }
}

fn connect_options(
    url: &Target,
    global: &GlobalOptions,
    trust: &Arc<Trust>,
    log: &Arc<dyn ProtocolLog>,
) -> Result<ConnectOptions, Failure> {
    let endpoint = Endpoint {
        host: url.host.clone(),
        port: url.port,
        security: url.security,
        ca_file: url.ca_file.clone(),
        tls12_only: url.tls12_only,
        active: url.active,
        active_ports: if url.active {
            parse_port_range(global.active_ports.as_deref())?
        } else {
            0..=0
        },
        use_epsv: !global.no_epsv,
        timeout: Duration::from_secs(global.timeout.max(1)),
    };
    endpoint.connect_options(trust, log).map_err(Failure::usage)
}

fn parse_port_range(range: Option<&str>) -> Result<std::ops::RangeInclusive<u16>, Failure> {
    let Some(range) = range else { return Ok(0..=0) };
    let bad = || {
        Failure::usage(format!(
            "--active-ports {range:?}: write it as FROM-TO, e.g. 50000-50100"
        ))
    };
    let (from, to) = range.split_once('-').ok_or_else(bad)?;
    let from: u16 = from.trim().parse().map_err(|_| bad())?;
    let to: u16 = to.trim().parse().map_err(|_| bad())?;
    if from == 0 || from > to {
        return Err(bad());
    }
    Ok(from..=to)
}

/// The credentials for `target`: anonymous; the URL's password; a saved site's password from
/// the keychain; else standard input (`--password-stdin`) or a prompt on a terminal.
fn credentials(target: &Target, global: &GlobalOptions) -> Result<Credentials, Failure> {
    let user = match (&target.user, target.logon) {
        (_, Logon::Anonymous) | (None, _) => return Ok(Credentials::anonymous()),
        (Some(user), _) => user.clone(),
    };
    if let Some(password) = target.password.clone() {
        return Ok(Credentials::new(user, password));
    }
    if let (Some(site), Logon::Normal) = (&target.site_path, target.logon) {
        match Keychain::platform().get(site) {
            Ok(Some(password)) => return Ok(Credentials::new(user, password)),
            Ok(None) => eprintln!("ferry: no password saved for site:{site}"),
            Err(e) => eprintln!("ferry: {e}"),
        }
    }
    if global.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            Failure::usage(format!("cannot read the password from standard input: {e}"))
        })?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        return Ok(Credentials::new(user, password));
    }
    if std::io::stdin().is_terminal() {
        let prompt = format!("Password for {user}@{}: ", target.host);
        let password = rpassword::prompt_password(prompt)
            .map_err(|e| Failure::usage(format!("cannot read the password: {e}")))?;
        return Ok(Credentials::new(user, password));
    }
    Err(Failure::usage(
        "no password: put it in the URL, save it with the site, pass --password-stdin, or run on a terminal to be asked",
    ))
}
