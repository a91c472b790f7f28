//! Turns a target and the global options into a logged-in session.

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;
use std::time::Duration;

use super::target::Target;
use super::{ExitCode, Failure, GlobalOptions, prompt};
use crate::client::{
    self, ConnectError, ConnectRequest, Decisions, Endpoint, Login, PasswordNeeded,
};
use crate::ftp::{self, ProtocolLog, Session};
use crate::paths;
use crate::sites::{Keychain, Logon};
use crate::tls::{Decision, Trust, TrustProblem};
use crate::transfer::Connector;

/// The user's trust decisions, read now: the pin store plus `--trust` fingerprints, for the
/// commands about pins themselves. A corrupt pin file is an error (it has been copied aside),
/// never silently treated as empty.
pub(crate) fn load_trust(global: &GlobalOptions) -> Result<Trust, Failure> {
    let trust = lazy_trust(global)?;
    trust
        .load_pins()
        .map_err(|e| Failure::local(e.to_string()))?;
    Ok(trust)
}

/// The user's trust decisions for a connection: the pin file is read only if the connection
/// uses TLS (see [`Trust::from_file`]), so that `--plain` works whatever state it is in; a TLS
/// connection still fails on a corrupt one ([`ConnectError::PinFile`]).
fn lazy_trust(global: &GlobalOptions) -> Result<Trust, Failure> {
    let trust = match paths::pins_file() {
        Some(path) => Trust::from_file(path),
        None => {
            eprintln!(
                "ferry: warning: no configuration directory; certificate decisions last only this run"
            );
            Trust::new(None)
        }
    };
    trust
        .with_fingerprints(global.trust.iter().cloned())
        .map_err(Failure::usage)
}

/// What a folder transfer needs to open more sessions to the same server without asking the
/// user again: the connector from [`client::dial`] (same decisions, same password).
#[derive(Clone)]
pub(crate) struct Connection {
    connector: Connector,
    site_path: Option<String>,
}

impl Connection {
    /// The saved site this connects to, if any.
    pub(crate) fn site_path(&self) -> Option<&str> {
        self.site_path.as_deref()
    }

    /// The connector for the transfer workers.
    pub(crate) fn connector(&self) -> Connector {
        self.connector.clone()
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
    let Parts {
        trust,
        log,
        request,
        decisions,
    } = parts(target, global)?;
    let dialled =
        client::dial(&request, &decisions, &trust, &Keychain::platform(), &log).map_err(failure)?;
    Ok((
        dialled.session,
        Connection {
            connector: dialled.connector,
            site_path: target.site_path.clone(),
        },
    ))
}

/// `ferry doctor`: the diagnosis of `target`'s server, printed; exit 0 when a way works.
pub(crate) fn doctor(target: &Target, global: &GlobalOptions, json: bool) -> Result<(), Failure> {
    let Parts {
        trust,
        log,
        request,
        decisions,
    } = parts(target, global)?;
    let diagnosis =
        client::doctor::diagnose(&request, &decisions, &trust, &Keychain::platform(), &log)
            .map_err(failure)?;
    let text = if json {
        serde_json::to_string_pretty(&diagnosis)
            .map_err(|e| Failure::local(format!("cannot write the report: {e}")))?
    } else {
        diagnosis.report()
    };
    println!("{text}");
    match diagnosis.failure {
        None => Ok(()),
        Some(class) => Err(Failure {
            message: "no way to use this server worked (see above)".into(),
            code: ExitCode::for_class(class),
        }),
    }
}

/// What every command's connection is made of.
struct Parts {
    trust: Arc<Trust>,
    log: Arc<dyn ProtocolLog>,
    request: ConnectRequest,
    decisions: TerminalDecisions,
}

fn parts(target: &Target, global: &GlobalOptions) -> Result<Parts, Failure> {
    Ok(Parts {
        trust: Arc::new(lazy_trust(global)?),
        log: if global.verbose {
            Arc::new(ftp::StderrLog)
        } else {
            Arc::new(ftp::NullLog)
        },
        request: request(target, global)?,
        decisions: TerminalDecisions {
            password_stdin: global.password_stdin,
        },
    })
}

/// The command line's answers: on the terminal, or from standard input for a password.
struct TerminalDecisions {
    password_stdin: bool,
}

impl Decisions for TerminalDecisions {
    fn certificate(
        &self,
        problem: &TrustProblem,
        can_remember: bool,
    ) -> Result<Option<Decision>, ConnectError> {
        // None without a terminal: the failure then says how to pass the decision (--trust).
        Ok(prompt::decide(problem, can_remember))
    }

    fn password(
        &self,
        user: &str,
        host: &str,
        why: &PasswordNeeded,
    ) -> Result<String, ConnectError> {
        match why {
            PasswordNeeded::NotGiven => {}
            PasswordNeeded::NotSaved { site } => {
                eprintln!("ferry: no password saved for site:{site}");
            }
            PasswordNeeded::KeychainFailed { error, .. } => eprintln!("ferry: {error}"),
        }
        if self.password_stdin {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| {
                ConnectError::Invalid(format!("cannot read the password from standard input: {e}"))
            })?;
            return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
        }
        if std::io::stdin().is_terminal() {
            let prompt = format!("Password for {user}@{host}: ");
            return rpassword::prompt_password(prompt)
                .map_err(|e| ConnectError::Invalid(format!("cannot read the password: {e}")));
        }
        Err(ConnectError::NoPassword(
            "no password: put it in the URL, save it with the site, pass --password-stdin, or run on a terminal to be asked".into(),
        ))
    }

    fn certificate_password(
        &self,
        identity: &crate::tls::ClientIdentity,
    ) -> Result<String, ConnectError> {
        if std::io::stdin().is_terminal() {
            let prompt = format!(
                "Password of the client certificate {}: ",
                identity.cert_file.display()
            );
            return rpassword::prompt_password(prompt)
                .map_err(|e| ConnectError::Invalid(format!("cannot read the password: {e}")));
        }
        Err(ConnectError::Invalid(
            identity.password_needed().to_string(),
        ))
    }
}

/// How a failed dial ends the command: message and exit code.
fn failure(e: ConnectError) -> Failure {
    match e {
        ConnectError::Ftp(e) => e.into(),
        ConnectError::Untrusted(problem) => Failure {
            message: format!(
                "{problem}\n  To connect anyway, check the fingerprint with the server's administrator and pass --trust SHA256:{}\n  (or run on a terminal to be asked).",
                problem.presented().sha256
            ),
            code: ExitCode::UntrustedCertificate,
        },
        e @ ConnectError::Rejected(_) => Failure {
            message: e.to_string(),
            code: ExitCode::UntrustedCertificate,
        },
        ConnectError::NoPassword(message) | ConnectError::Invalid(message) => {
            Failure::usage(message)
        }
        e @ (ConnectError::Remember(_) | ConnectError::PinFile(_)) => Failure::local(e.to_string()),
    }
}

/// The request for `target`: the server as the options say, and where the password comes
/// from (the URL's, a saved site's keychain entry, or asked for).
fn request(target: &Target, global: &GlobalOptions) -> Result<ConnectRequest, Failure> {
    let endpoint = Endpoint {
        host: target.host.clone(),
        port: target.port,
        security: target.security,
        ca_file: target.ca_file.clone(),
        client_identity: target.client_identity.clone(),
        tls12_only: target.tls12_only,
        tls13_only: target.tls13_only,
        clear_control: target.clear_control,
        active: target.active,
        active_ports: if target.active {
            parse_port_range(global.active_ports.as_deref())?
        } else {
            0..=0
        },
        use_epsv: !global.no_epsv,
        timeout: Duration::from_secs(global.timeout.max(1)),
        proxy: target.proxy.clone(),
    };
    let login = match (&target.user, target.logon) {
        (_, Logon::Anonymous) | (None, _) => Login::Anonymous,
        (Some(user), _) => match (&target.password, &target.site_path, target.logon) {
            (Some(password), _, _) => Login::Password {
                user: user.clone(),
                password: password.clone(),
            },
            (None, Some(site), Logon::Normal) => Login::Keychain {
                user: user.clone(),
                site_path: site.clone(),
            },
            _ => Login::Ask { user: user.clone() },
        },
    };
    Ok(ConnectRequest::new(endpoint, login))
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
