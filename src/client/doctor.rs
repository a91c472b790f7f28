//! The connection doctor: tries a server the ways the field's servers differ (explicit or
//! implicit TLS, TLS versions, EPSV, PASV and active data connections, how many connections
//! it allows) and says which way works, as a verdict for people and a list of command-line
//! arguments that then connect.
//!
//! Every probe is a real connection through [`dial`], so the certificate is settled with the
//! user once (the first probe) and the password is asked for at most once. Plain FTP is tried
//! only when the request itself is plain: the doctor never sends a password in clear text on
//! its own.

use std::sync::Arc;
use std::time::Instant;

use super::dial::{self, ConnectError, Decisions};
use super::endpoint::Endpoint;
use super::request::{ConnectRequest, Login};
use crate::ftp::{ErrorClass, FtpError, LogKind, MemoryLog, ProtocolLog, Security, Session};
use crate::sites::Keychain;
use crate::tls::Trust;

/// How many connections the doctor opens at most to find the server's limit.
const MAX_CONNECTIONS_PROBED: usize = 6;

/// The longest any one probe waits (less when `--timeout` says so).
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(8);

/// One thing tried, and what came of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Check {
    /// What was tried ("explicit TLS (AUTH TLS)", "EPSV listing", ...).
    pub name: String,
    /// Whether it worked.
    pub ok: bool,
    /// What happened, in words (the error when it failed).
    pub detail: String,
}

/// The doctor's findings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Diagnosis {
    /// `host:port` as probed.
    pub server: String,
    /// Whether some way to log in and list a folder was found.
    pub works: bool,
    /// The findings in a few sentences.
    pub verdict: String,
    /// Options for `ferry` that connect (with [`Diagnosis::recommended_url`]), e.g.
    /// `["--active"]`; the CA file, client certificate and proxy given are repeated.
    pub recommended_args: Vec<String>,
    /// The URL to use, without the password.
    pub recommended_url: String,
    /// TLS versions the server accepted ("1.2", "1.3").
    pub tls_versions: Vec<String>,
    /// The negotiated TLS of the working connection, e.g. "TLSv1.3 TLS13_AES_256_GCM_SHA384".
    pub tls: Option<String>,
    /// Whether data connections resumed the control connection's TLS session.
    pub data_resumes_session: Option<bool>,
    /// The address the server advertised in PASV when it was not its own (NAT).
    pub pasv_advertised: Option<String>,
    /// The most connections the server allowed at once, when it turned one away (None: at
    /// least [`MAX_CONNECTIONS_PROBED`]).
    pub max_connections: Option<usize>,
    /// Average time of one command round trip (NOOP), in milliseconds.
    pub round_trip_ms: Option<f64>,
    /// Time of one folder listing (a data connection), in milliseconds.
    pub listing_ms: Option<f64>,
    /// FEAT lines.
    pub features: Vec<String>,
    /// Everything tried, in order.
    pub checks: Vec<Check>,
    /// The class of the failure when nothing worked.
    #[serde(skip)]
    pub failure: Option<ErrorClass>,
    /// The settings that worked, to apply to a request or a site.
    #[serde(skip)]
    pub working: Option<Way>,
}

impl Way {
    /// `endpoint` changed to connect this way.
    pub fn apply(self, endpoint: &mut Endpoint) {
        endpoint.security = self.security;
        if self.tls12_only {
            endpoint.tls12_only = true;
            endpoint.tls13_only = false;
        }
        endpoint.use_epsv = self.use_epsv;
        endpoint.active = self.active;
    }
}

/// A way of connecting the doctor tries; the one that worked is [`Diagnosis::working`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Way {
    /// Explicit, implicit or plain.
    pub security: Security,
    /// TLS 1.2 at most.
    pub tls12_only: bool,
    /// EPSV before PASV.
    pub use_epsv: bool,
    /// Active mode data connections.
    pub active: bool,
}

impl Way {
    fn describe(self) -> String {
        let mut text = match self.security {
            Security::ExplicitTls => "explicit TLS (AUTH TLS)".to_owned(),
            Security::ImplicitTls => "implicit TLS".to_owned(),
            Security::Plain => "plain FTP".to_owned(),
        };
        if self.tls12_only {
            text.push_str(", TLS 1.2 at most");
        }
        text
    }
}

struct Doctor<'a> {
    request: ConnectRequest,
    decisions: &'a dyn Decisions,
    trust: &'a Arc<Trust>,
    keychain: &'a Keychain,
    checks: Vec<Check>,
}

impl Doctor<'_> {
    fn endpoint(&self, way: Way) -> Endpoint {
        let mut endpoint = self.request.endpoint.clone();
        let asked_tls12 = endpoint.tls12_only;
        way.apply(&mut endpoint);
        endpoint.tls12_only |= asked_tls12;
        // A wrong guess (explicit TLS on an implicit port) waits for a greeting that never
        // comes: the doctor does not wait the full timeout for each.
        endpoint.timeout = endpoint.timeout.min(PROBE_TIMEOUT);
        endpoint
    }

    fn dial(&self, way: Way, log: &Arc<dyn ProtocolLog>) -> Result<Session, ConnectError> {
        let request = ConnectRequest {
            endpoint: self.endpoint(way),
            ..self.request.clone()
        };
        dial::dial(&request, self.decisions, self.trust, self.keychain, log).map(|d| d.session)
    }

    fn note(&mut self, name: impl Into<String>, ok: bool, detail: impl Into<String>) {
        self.checks.push(Check {
            name: name.into(),
            ok,
            detail: detail.into(),
        });
    }
}

/// Probes the server of `request` and says what works. The login comes from `request` (asked
/// once through `decisions` if needed).
///
/// # Errors
/// Only what stops every probe: no password to be had, a pin file that cannot be read for a
/// TLS request. Everything else is in the diagnosis.
pub fn diagnose(
    request: &ConnectRequest,
    decisions: &dyn Decisions,
    trust: &Arc<Trust>,
    keychain: &Keychain,
    log: &Arc<dyn ProtocolLog>,
) -> Result<Diagnosis, ConnectError> {
    // A TLS request needs the pin file for every way it would try; a plain one tries explicit
    // TLS too, which then fails on its own, and plain FTP after it.
    if request.endpoint.security != Security::Plain {
        trust.load_pins().map_err(ConnectError::PinFile)?;
    }
    let credentials = dial::credentials(request, decisions, keychain)?;
    let login = if matches!(request.login, Login::Anonymous) {
        Login::Anonymous
    } else {
        Login::Password {
            user: credentials.user.clone(),
            password: credentials.password.clone(),
        }
    };
    let mut doctor = Doctor {
        request: ConnectRequest {
            login,
            ..request.clone()
        },
        decisions,
        trust,
        keychain,
        checks: Vec::new(),
    };
    let endpoint = &request.endpoint;
    let server = if endpoint.host.contains(':') {
        format!("[{}]:{}", endpoint.host, endpoint.port)
    } else {
        format!("{}:{}", endpoint.host, endpoint.port)
    };

    // 1. Security: the mode asked for, then the other TLS mode on the same port; each with
    //    TLS 1.2 and 1.3 offered, then 1.2 only.
    let securities: Vec<Security> = match endpoint.security {
        Security::ExplicitTls => vec![Security::ExplicitTls, Security::ImplicitTls],
        Security::ImplicitTls => vec![Security::ImplicitTls, Security::ExplicitTls],
        Security::Plain => vec![Security::ExplicitTls, Security::Plain],
    };
    let mut working: Option<(Way, Session)> = None;
    let mut stop: Option<ConnectError> = None;
    'ways: for security in securities {
        for tls12_only in [false, true] {
            if security == Security::Plain && tls12_only {
                continue;
            }
            let way = Way {
                security,
                tls12_only,
                use_epsv: endpoint.use_epsv,
                active: endpoint.active,
            };
            let started = Instant::now();
            match doctor.dial(way, log) {
                Ok(session) => {
                    let tls = session
                        .tls_info()
                        .map(|t| format!("{} {}", t.version, t.cipher_suite))
                        .unwrap_or_else(|| "no encryption".into());
                    doctor.note(
                        format!("log in with {}", way.describe()),
                        true,
                        format!("{tls}, {:.0} ms", ms(started)),
                    );
                    working = Some((way, session));
                    break 'ways;
                }
                Err(e) => {
                    let class = e.class();
                    doctor.note(
                        format!("log in with {}", way.describe()),
                        false,
                        e.to_string(),
                    );
                    // A refused login or certificate fails every other way too.
                    if matches!(class, ErrorClass::Auth | ErrorClass::Trust) {
                        stop = Some(e);
                        break 'ways;
                    }
                    // TLS 1.2 only changes nothing when TLS itself is not the problem.
                    if !is_tls_failure(&e) {
                        continue 'ways;
                    }
                }
            }
        }
    }

    let Some((mut way, session)) = working else {
        let failure = stop
            .as_ref()
            .map(ConnectError::class)
            .or(Some(ErrorClass::Transient));
        let verdict = match &stop {
            Some(e) if e.class() == ErrorClass::Auth => {
                format!("The server turned the login away: {e}")
            }
            Some(e) => format!("The certificate was not accepted: {e}"),
            None if doctor
                .checks
                .iter()
                .any(|c| c.detail.contains("does not offer TLS")) =>
            {
                "The server offers no TLS at all. Only plain FTP (--plain) would work, and then the password and files travel readable by anyone on the way.".to_owned()
            }
            None if doctor
                .checks
                .iter()
                .any(|c| c.detail.contains("requires a client certificate")) =>
            {
                "The server requires a client certificate (mutual TLS): give one with --cert FILE [--key FILE], or set it in the site.".to_owned()
            }
            None => format!(
                "No way to connect and log in worked. The way asked for: {}",
                doctor.checks.first().map(|c| c.detail.as_str()).unwrap_or("")
            ),
        };
        return Ok(Diagnosis {
            server,
            works: false,
            verdict,
            recommended_args: Vec::new(),
            recommended_url: String::new(),
            tls_versions: Vec::new(),
            tls: None,
            data_resumes_session: None,
            pasv_advertised: None,
            max_connections: None,
            round_trip_ms: None,
            listing_ms: None,
            features: Vec::new(),
            checks: doctor.checks,
            failure,
            working: None,
        });
    };
    let tls = session
        .tls_info()
        .map(|t| format!("{} {}", t.version, t.cipher_suite));
    let features: Vec<String> = session
        .features()
        .iter()
        .map(|(name, params)| {
            if params.is_empty() {
                name.to_owned()
            } else {
                format!("{name} {params}")
            }
        })
        .collect();
    let data_protected = session.data_protected();
    if way.security != Security::Plain {
        doctor.note(
            "PBSZ 0 and PROT P (encrypted data connections)",
            data_protected,
            if data_protected {
                "accepted"
            } else {
                "refused: files would travel unencrypted"
            },
        );
    }

    // 2. TLS versions: connect (no login) with each alone.
    let mut tls_versions = Vec::new();
    if way.security != Security::Plain {
        for (name, tls12_only, tls13_only) in [("1.2", true, false), ("1.3", false, true)] {
            let mut endpoint = doctor.endpoint(way);
            endpoint.tls12_only = tls12_only;
            endpoint.tls13_only = tls13_only;
            let result = endpoint
                .connect_options(
                    trust,
                    &(Arc::new(crate::ftp::NullLog) as Arc<dyn ProtocolLog>),
                )
                .map_err(FtpError::InvalidInput)
                .and_then(Session::connect);
            match result {
                Ok(probe) => {
                    tls_versions.push(name.to_owned());
                    doctor.note(format!("TLS {name}"), true, "accepted");
                    let _ = probe.quit();
                }
                Err(e) => doctor.note(format!("TLS {name}"), false, e.to_string()),
            }
        }
    }

    // 3. Data connections: the way that logged in, then PASV alone, then active mode.
    let mut held = vec![session];
    let mut listing_ms = None;
    let mut data_resumes_session = None;
    let mut data_way: Option<Way> = None;
    let data_ways = [
        ("passive mode, EPSV first", false, true),
        ("passive mode, PASV only", false, false),
        ("active mode (PORT/EPRT)", true, true),
    ];
    let mut pasv_advertised = None;
    for (index, (name, active, use_epsv)) in data_ways.into_iter().enumerate() {
        if !endpoint.use_epsv && use_epsv && !active {
            continue;
        }
        if endpoint.proxy.is_some() && active {
            doctor.note(
                name,
                false,
                "not tried: active mode cannot work through a proxy",
            );
            continue;
        }
        let try_way = Way {
            active,
            use_epsv,
            ..way
        };
        let memory = Arc::new(MemoryLog::default());
        let probe_log: Arc<dyn ProtocolLog> = memory.clone();
        let result = if index == 0 && try_way == way {
            held[0]
                .list(None)
                .map(|entries| (None, entries))
                .map_err(ConnectError::from)
        } else {
            // A failed login and a failed listing keep their own words (no "invalid request").
            doctor.dial(try_way, &probe_log).and_then(|mut s| {
                let entries = s.list(None)?;
                Ok((Some(s), entries))
            })
        };
        match result {
            Ok((session, entries)) => {
                if let Some(advertised) = advertised_address(&memory) {
                    pasv_advertised = Some(advertised.clone());
                }
                doctor.note(name, true, format!("{} entries listed", entries.len()));
                if data_way.is_none() {
                    data_way = Some(try_way);
                    let mut timed = match session {
                        Some(s) => s,
                        None => held.remove(0),
                    };
                    // Timed on a warm session: the cost of one more listing (or file).
                    let started = Instant::now();
                    if timed.list(None).is_ok() {
                        listing_ms = Some(ms(started));
                    }
                    if timed.tls_info().is_some() {
                        data_resumes_session = Some(timed.resumed_data_connections() > 0);
                    }
                    held.insert(0, timed);
                } else if let Some(s) = session {
                    let _ = s.quit();
                }
            }
            Err(e) => doctor.note(name, false, e.to_string()),
        }
    }
    if let Some(found) = data_way {
        way = found;
    }

    // 4. Round trips on the first session.
    let mut round_trip_ms = None;
    if let Some(first) = held.first_mut() {
        let started = Instant::now();
        let mut done = 0u32;
        for _ in 0..5 {
            if first.noop().is_ok() {
                done += 1;
            }
        }
        if done > 0 {
            round_trip_ms = Some(ms(started) / f64::from(done));
        }
    }

    // 5. How many connections at once.
    let mut max_connections = None;
    if data_way.is_some() {
        let quiet: Arc<dyn ProtocolLog> = Arc::new(crate::ftp::NullLog);
        while held.len() < MAX_CONNECTIONS_PROBED {
            match doctor.dial(way, &quiet) {
                Ok(session) => held.push(session),
                Err(ConnectError::Ftp(e)) if e.is_connection_limit() => {
                    max_connections = Some(held.len());
                    break;
                }
                Err(e) => {
                    doctor.note(
                        format!("connection {}", held.len() + 1),
                        false,
                        e.to_string(),
                    );
                    max_connections = Some(held.len());
                    break;
                }
            }
        }
        doctor.note(
            "parallel connections",
            true,
            match max_connections {
                Some(n) => format!("the server allowed {n} at once"),
                None => format!("{MAX_CONNECTIONS_PROBED} at once were allowed"),
            },
        );
    }
    for session in held {
        let _ = session.quit();
    }

    // The verdict and the arguments that work.
    let mut recommended_args = Vec::new();
    let mut verdict = Vec::new();
    let works = data_way.is_some();
    if way.security != endpoint.security {
        verdict.push(format!(
            "Port {} speaks {}, not {}: use {}.",
            endpoint.port,
            way.describe(),
            Way {
                security: endpoint.security,
                ..way
            }
            .describe(),
            scheme(way.security)
        ));
    }
    if way.tls12_only && !endpoint.tls12_only {
        verdict.push("TLS 1.3 fails with this server; TLS 1.2 works (--tls12).".into());
        recommended_args.push("--tls12".into());
    } else if tls_versions == ["1.2"] {
        verdict.push("The server accepts TLS 1.2 only; Ferry negotiates it by itself.".into());
    }
    if let Some(found) = data_way {
        if found.active && !endpoint.active {
            verdict.push(
                "Passive mode is refused or blocked; active mode works (--active), as long as this computer can be reached by the server."
                    .into(),
            );
            recommended_args.push("--active".into());
        } else if !found.use_epsv && endpoint.use_epsv {
            verdict.push("EPSV fails; PASV works (--no-epsv).".into());
            recommended_args.push("--no-epsv".into());
        }
    } else {
        verdict.push(
            "Logging in works, but no data connection did (passive nor active): a firewall blocks the data ports."
                .into(),
        );
    }
    if let Some(address) = &pasv_advertised {
        verdict.push(format!(
            "PASV advertises {address}, not the server's own address (NAT); Ferry uses the control connection's address, which works."
        ));
    }
    if way.security != Security::Plain && !data_protected {
        verdict.push("The server refuses PROT P: files would travel unencrypted.".into());
    }
    if data_resumes_session == Some(true) {
        verdict.push("Data connections resume the control connection's TLS session (servers that require it are satisfied).".into());
    }
    if let Some(n) = max_connections {
        verdict.push(format!(
            "The server allows {n} connection{} at once; folder transfers use at most that many.",
            if n == 1 { "" } else { "s" }
        ));
    }
    if works && verdict.is_empty() {
        verdict.push("Everything works with the settings given.".into());
    }
    if let Some(ca) = &endpoint.ca_file {
        recommended_args.push("--ca-file".into());
        recommended_args.push(ca.display().to_string());
    }
    if let Some(identity) = &endpoint.client_identity {
        recommended_args.push("--cert".into());
        recommended_args.push(identity.cert_file.display().to_string());
        if let Some(key) = &identity.key_file {
            recommended_args.push("--key".into());
            recommended_args.push(key.display().to_string());
        }
    }
    if let Some(proxy) = &endpoint.proxy {
        recommended_args.push("--proxy".into());
        recommended_args.push(proxy.to_string());
    }
    if way.security == Security::Plain {
        recommended_args.push("--plain".into());
    }
    let user = match &doctor.request.login {
        Login::Anonymous => String::new(),
        other => format!("{}@", crate::ftp::proxy::percent_encode(other.user())),
    };
    let host = if endpoint.host.contains(':') {
        format!("[{}]", endpoint.host)
    } else {
        endpoint.host.clone()
    };
    let recommended_url = format!("{}{user}{host}:{}/", scheme(way.security), endpoint.port);
    Ok(Diagnosis {
        server,
        works,
        verdict: verdict.join(" "),
        recommended_args,
        recommended_url,
        tls_versions,
        tls,
        data_resumes_session,
        pasv_advertised,
        max_connections,
        round_trip_ms,
        listing_ms,
        features,
        checks: doctor.checks,
        failure: (!works).then_some(ErrorClass::Transient),
        working: works.then_some(way),
    })
}

fn scheme(security: Security) -> &'static str {
    match security {
        Security::ImplicitTls => "ftps://",
        _ => "ftp://",
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn is_tls_failure(e: &ConnectError) -> bool {
    matches!(e, ConnectError::Ftp(FtpError::Tls(_)))
}

/// The address a PASV reply advertised when it was not the server's own (the session logs it).
fn advertised_address(log: &MemoryLog) -> Option<String> {
    log.lines().into_iter().find_map(|(kind, line)| {
        if kind != LogKind::Info {
            return None;
        }
        let rest = line.strip_prefix("server advertised ")?;
        rest.split(' ').next().map(str::to_owned)
    })
}

impl Diagnosis {
    /// The report for people: verdict, then every check.
    pub fn report(&self) -> String {
        let mut out = format!("Ferry doctor: {}\n\n", self.server);
        out.push_str(if self.works {
            "WORKS. "
        } else {
            "DOES NOT WORK. "
        });
        out.push_str(&self.verdict);
        out.push_str("\n\n");
        for check in &self.checks {
            out.push_str(&format!(
                "  [{}] {}: {}\n",
                if check.ok { " ok " } else { "fail" },
                check.name,
                crate::ftp::text::escape(&check.detail)
            ));
        }
        if let Some(tls) = &self.tls {
            out.push_str(&format!("\n  TLS: {tls}"));
            if !self.tls_versions.is_empty() {
                out.push_str(&format!(
                    " (versions accepted: {})",
                    self.tls_versions.join(", ")
                ));
            }
            out.push('\n');
        }
        if let Some(rtt) = self.round_trip_ms {
            out.push_str(&format!("  Command round trip: {rtt:.1} ms\n"));
        }
        if let Some(listing) = self.listing_ms {
            out.push_str(&format!(
                "  One listing (per-file overhead): {listing:.1} ms\n"
            ));
        }
        if !self.features.is_empty() {
            out.push_str(&format!(
                "  FEAT: {}\n",
                crate::ftp::text::escape(&self.features.join(", "))
            ));
        }
        if self.works {
            let mut args = self.recommended_args.clone();
            args.push(self.recommended_url.clone());
            out.push_str(&format!("\nUse: ferry ls {}\n", shell_words(&args)));
        }
        out
    }
}

fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~/:@%=+,".contains(&b))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
