//! Trust decisions: the OS trust store first; if it refuses a certificate, the user's own
//! decisions (pins remembered on disk, "accept once" for this run, fingerprints given on the
//! command line). Anything else stops the connection with a [`TrustProblem`] the window or the
//! command line shows, so the user decides, like SSH's known_hosts.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::certinfo::{CertInfo, CertProblem};
use super::pins::{Pin, PinStore, PinStoreError};
use crate::ftp::{FtpError, LogKind, ProtocolLog, RejectedCertificate};

/// What the user decided about a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Do not connect (the default everywhere).
    Reject,
    /// Trust it for this run of Ferry only.
    AcceptOnce,
    /// Trust it now and later: remember it in the pin store.
    AcceptAlways,
}

/// A certificate that needs the user's decision.
#[derive(Debug, Clone)]
pub enum TrustProblem {
    /// Nobody this computer trusts vouches for the certificate, and the user has not decided
    /// about it yet.
    Unknown {
        /// Host the pin would be for.
        host: String,
        /// Port the pin would be for.
        port: u16,
        /// What was presented, and why it was not trusted.
        presented: CertInfo,
    },
    /// The host presented a different certificate (and key) than the one the user pinned: the
    /// server was reinstalled, or someone is in the middle. Shown old beside new, never as a
    /// routine question.
    Changed {
        /// Host of the pin.
        host: String,
        /// Port of the pin.
        port: u16,
        /// What the user accepted before.
        pinned: Pin,
        /// What the server presents now.
        presented: CertInfo,
    },
}

impl TrustProblem {
    /// The trust problem behind a connection error, if it was one. This is how the window and
    /// the command line get the certificate details as data.
    pub fn from_error(err: &FtpError) -> Option<&TrustProblem> {
        match err {
            FtpError::Tls(failure) => failure.detail.as_ref()?.downcast_ref::<TrustProblem>(),
            _ => None,
        }
    }

    /// The certificate the server presented.
    pub fn presented(&self) -> &CertInfo {
        match self {
            TrustProblem::Unknown { presented, .. } | TrustProblem::Changed { presented, .. } => {
                presented
            }
        }
    }

    /// `host:port` the decision is about.
    pub fn target(&self) -> String {
        let (host, port) = match self {
            TrustProblem::Unknown { host, port, .. } | TrustProblem::Changed { host, port, .. } => {
                (host, port)
            }
        };
        host_port(host, *port)
    }

    /// A text for a terminal: the certificate, and for a change the pinned one beside it.
    pub fn render(&self) -> String {
        match self {
            TrustProblem::Unknown { presented, .. } => format!(
                "The certificate of {} is not trusted.\n\n{}",
                self.target(),
                presented.render()
            ),
            TrustProblem::Changed {
                pinned, presented, ..
            } => format!(
                "WARNING: THE CERTIFICATE OF {} HAS CHANGED.\n\
                 Someone may be intercepting the connection, or the server got a new certificate.\n\
                 Compare with what the server's administrator tells you before trusting it.\n\n\
                 Pinned certificate (accepted {}):\n  SHA-256      {}\n  public key   {}\n  subject      {}\n  issuer       {}\n  valid        {} to {}\n\n\
                 Certificate presented now:\n{}",
                self.target(),
                CertInfo::format_time(pinned.accepted_at),
                pinned.sha256,
                pinned.spki_sha256,
                pinned.subject,
                pinned.issuer,
                CertInfo::format_time(pinned.not_before),
                CertInfo::format_time(pinned.not_after),
                presented.render()
            ),
        }
    }
}

impl fmt::Display for TrustProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustProblem::Unknown { presented, .. } => write!(
                f,
                "the certificate of {} is not trusted ({}); SHA-256 fingerprint SHA256:{}",
                self.target(),
                presented
                    .problem
                    .as_ref()
                    .map(CertProblem::describe)
                    .unwrap_or_else(|| "unknown reason".into()),
                presented.sha256
            ),
            TrustProblem::Changed {
                pinned, presented, ..
            } => write!(
                f,
                "the certificate of {} has CHANGED since you accepted it: pinned SHA256:{}, presented SHA256:{}",
                self.target(),
                pinned.sha256,
                presented.sha256
            ),
        }
    }
}

impl std::error::Error for TrustProblem {}

/// Where the remembered pins are.
#[derive(Debug, Default)]
enum Store {
    /// Nowhere: decisions last one run.
    #[default]
    None,
    /// In this pin file, not read yet. It is read when a TLS connection first needs it
    /// ([`Trust::load_pins`]), so that a plain FTP session works whatever state the file is in;
    /// it stays unread after a failed read, and the next connection tries again.
    Unread(PathBuf),
    /// Read.
    Open(PinStore),
}

/// The user's trust decisions, shared by every connection of one Ferry process.
#[derive(Debug, Default)]
pub struct Trust {
    /// Remembered pins.
    store: Mutex<Store>,
    /// (host:port, SHA-256) accepted for this run only.
    once: Mutex<HashSet<(String, String)>>,
    /// Fingerprints the user gave up front (`--trust SHA256:…`), normalised.
    fingerprints: Vec<String>,
}

impl Trust {
    /// Decisions backed by `store` (None: nothing is remembered across runs).
    pub fn new(store: Option<PinStore>) -> Self {
        Trust {
            store: Mutex::new(store.map_or(Store::None, Store::Open)),
            ..Trust::default()
        }
    }

    /// Decisions backed by the pin file at `path`, read only when a TLS connection needs it
    /// (see [`Trust::load_pins`]): nothing is read here.
    pub fn from_file(path: impl Into<PathBuf>) -> Self {
        Trust {
            store: Mutex::new(Store::Unread(path.into())),
            ..Trust::default()
        }
    }

    /// Reads the pin file if it has not been read yet (see [`Trust::from_file`]); TLS
    /// configurations call this before they are built, so a certificate is never judged
    /// without the pins the user chose.
    ///
    /// # Errors
    /// As [`PinStore::load`]: the file is corrupt (and kept aside), too large, from a newer
    /// Ferry, or unreadable. It is then read again next time.
    pub fn load_pins(&self) -> Result<(), PinStoreError> {
        self.opened().map(drop)
    }

    /// The store, read first if needed.
    fn opened(&self) -> Result<MutexGuard<'_, Store>, PinStoreError> {
        let mut store = lock(&self.store);
        if let Store::Unread(path) = &*store {
            *store = Store::Open(PinStore::load(path)?);
        }
        Ok(store)
    }

    /// Also trusts certificates (or public keys) with these SHA-256 fingerprints, given as
    /// `SHA256:AB:CD:…`, with or without the prefix and colons, any case.
    pub fn with_fingerprints(
        mut self,
        fingerprints: impl IntoIterator<Item = String>,
    ) -> Result<Self, String> {
        for fp in fingerprints {
            self.fingerprints.push(normalize_fingerprint(&fp)?);
        }
        Ok(self)
    }

    /// Whether decisions can be remembered across runs.
    pub fn can_remember(&self) -> bool {
        self.opened()
            .is_ok_and(|store| matches!(*store, Store::Open(_)))
    }

    /// Applies the user's decision about `problem`. Accept-always writes the pin store.
    pub fn decide(&self, problem: &TrustProblem, decision: Decision) -> Result<(), PinStoreError> {
        let presented = problem.presented();
        let (host, port) = match problem {
            TrustProblem::Unknown { host, port, .. } | TrustProblem::Changed { host, port, .. } => {
                (host.clone(), *port)
            }
        };
        match decision {
            Decision::Reject => Ok(()),
            Decision::AcceptOnce => {
                lock(&self.once).insert((host_port(&host, port), presented.sha256.clone()));
                Ok(())
            }
            Decision::AcceptAlways => {
                let pin = Pin {
                    host: host.to_ascii_lowercase(),
                    port,
                    sha256: presented.sha256.clone(),
                    spki_sha256: presented.spki_sha256.clone(),
                    subject: presented.subject.clone(),
                    issuer: presented.issuer.clone(),
                    not_before: presented.not_before,
                    not_after: presented.not_after,
                    accepted_at: unix_now(),
                };
                lock(&self.once).insert((host_port(&host, port), presented.sha256.clone()));
                match &mut *self.opened()? {
                    Store::Open(store) => store.remember(pin),
                    Store::None | Store::Unread(_) => Err(PinStoreError::NoConfigDir),
                }
            }
        }
    }

    /// Forgets the pin of `host:port` (and any accept-once decision for it).
    pub fn forget(&self, host: &str, port: u16) -> Result<Option<Pin>, PinStoreError> {
        let target = host_port(host, port);
        lock(&self.once).retain(|(t, _)| *t != target);
        match &mut *self.opened()? {
            Store::Open(store) => store.forget(host, port),
            Store::None | Store::Unread(_) => Ok(None),
        }
    }

    /// All remembered pins (none when the pin file cannot be read: [`Trust::load_pins`] says
    /// why).
    pub fn pins(&self) -> Vec<Pin> {
        match self.opened().as_deref() {
            Ok(Store::Open(store)) => store.pins().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Decides about a certificate the OS refused. Ok(Some(note)) when accepted with something
    /// worth logging (a renewal that kept its key).
    fn check(
        &self,
        host: &str,
        port: u16,
        chain: &[CertificateDer<'_>],
        reason: &rustls::CertificateError,
    ) -> Result<Option<String>, Option<Box<TrustProblem>>> {
        // Unparseable: nothing to show and nothing to pin; the plain rustls error stands.
        let presented = CertInfo::from_chain(chain, Some(reason)).map_err(|_| None)?;
        if self
            .fingerprints
            .iter()
            .any(|fp| *fp == presented.sha256 || *fp == presented.spki_sha256)
        {
            return Ok(None);
        }
        let target = host_port(host, port);
        if lock(&self.once).contains(&(target.clone(), presented.sha256.clone())) {
            return Ok(None);
        }
        // Read already by the TLS configuration (client_configs); a file that cannot be read
        // leaves the certificate refused, with rustls's own error, rather than judged without
        // the user's pins.
        let mut store = self.opened().map_err(|_| None)?;
        let pinned = match &*store {
            Store::Open(s) => s.get(host, port).cloned(),
            Store::None | Store::Unread(_) => None,
        };
        match pinned {
            Some(pin) if pin.sha256 == presented.sha256 => Ok(None),
            Some(pin) if pin.spki_sha256 == presented.spki_sha256 => {
                // A renewal that kept its key: the identity the user trusted is unchanged.
                let renewed = Pin {
                    sha256: presented.sha256.clone(),
                    subject: presented.subject.clone(),
                    issuer: presented.issuer.clone(),
                    not_before: presented.not_before,
                    not_after: presented.not_after,
                    ..pin
                };
                let saved = match &mut *store {
                    Store::Open(s) => Some(s.remember(renewed)),
                    Store::None | Store::Unread(_) => None,
                };
                Ok(Some(match saved {
                    Some(Ok(())) => format!(
                        "The certificate of {target} was renewed with the same key; the pin now holds the new one (SHA256:{})",
                        presented.sha256
                    ),
                    _ => format!(
                        "The certificate of {target} was renewed with the same key (the pin file could not be updated)"
                    ),
                }))
            }
            Some(pin) => Err(Some(Box::new(TrustProblem::Changed {
                host: host.to_owned(),
                port,
                pinned: pin,
                presented,
            }))),
            None => Err(Some(Box::new(TrustProblem::Unknown {
                host: host.to_owned(),
                port,
                presented,
            }))),
        }
    }
}

/// A certificate verifier for one host:port: the OS trust store (plus any extra CA), then the
/// user's decisions in [`Trust`].
///
/// rustls does not call the verifier on resumed handshakes, so a decision is only as fresh as the
/// session cache; the engine gives every session a new cache, and data connections resume only
/// their own control connection, which this verifier checked.
pub struct PinningVerifier {
    os: Arc<dyn ServerCertVerifier>,
    trust: Option<Arc<Trust>>,
    host: String,
    port: u16,
    log: Option<Arc<dyn ProtocolLog>>,
}

impl fmt::Debug for PinningVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinningVerifier")
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl PinningVerifier {
    /// Checks certificates for `host:port` with `os` first, then `trust` (if any).
    pub fn new(
        os: Arc<dyn ServerCertVerifier>,
        trust: Option<Arc<Trust>>,
        host: &str,
        port: u16,
        log: Option<Arc<dyn ProtocolLog>>,
    ) -> Self {
        PinningVerifier {
            os,
            trust,
            host: host.to_ascii_lowercase(),
            port,
            log,
        }
    }
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let reason = match self.os.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => return Ok(verified),
            Err(rustls::Error::InvalidCertificate(reason)) => reason,
            Err(other) => return Err(other),
        };
        let chain: Vec<CertificateDer<'static>> = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        let empty = Trust::default();
        let trust = self.trust.as_deref().unwrap_or(&empty);
        match trust.check(&self.host, self.port, &chain, &reason) {
            Ok(note) => {
                if let (Some(note), Some(log)) = (note, &self.log) {
                    log.log(LogKind::Info, &note);
                }
                Ok(ServerCertVerified::assertion())
            }
            Err(problem) => Err(RejectedCertificate {
                reason,
                chain,
                detail: problem.map(|p| {
                    let detail: Arc<dyn std::error::Error + Send + Sync> = Arc::new(*p);
                    detail
                }),
            }
            .into_rustls_error()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.os.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.os.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.os.supported_verify_schemes()
    }
}

/// `SHA256:ab:cd…`, `abcd…` → `AB:CD:…` (the form [`CertInfo`] uses).
pub fn normalize_fingerprint(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    let hex = trimmed
        .strip_prefix("SHA256:")
        .or_else(|| trimmed.strip_prefix("sha256:"))
        .unwrap_or(trimmed);
    let digits: String = hex.chars().filter(|c| *c != ':').collect();
    if digits.len() != 64 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "{input:?} is not a SHA-256 fingerprint (64 hex digits, e.g. SHA256:AB:CD:...)"
        ));
    }
    let upper = digits.to_ascii_uppercase();
    Ok(upper
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).into_owned())
        .collect::<Vec<_>>()
        .join(":"))
}

fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_file_is_read_only_when_needed_and_again_after_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pins.toml");
        std::fs::write(&path, "not [ toml").unwrap();
        let names = || {
            let mut names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let trust = Trust::from_file(&path);
        // Nothing read yet: not even the copy of a corrupt file is made.
        assert_eq!(names(), ["pins.toml"]);
        let err = trust.load_pins().unwrap_err();
        assert!(matches!(err, PinStoreError::Corrupt { .. }), "{err}");
        assert!(!trust.can_remember());
        assert!(trust.pins().is_empty());
        assert!(trust.forget("ftp.example.com", 21).is_err());
        // Fixed meanwhile: the next connection reads it.
        std::fs::write(&path, "version = 1\n").unwrap();
        trust.load_pins().unwrap();
        assert!(trust.can_remember());
        assert_eq!(trust.forget("ftp.example.com", 21).unwrap(), None);
        // Without a file, nothing to read and nothing remembered.
        let none = Trust::new(None);
        none.load_pins().unwrap();
        assert!(!none.can_remember());
    }

    #[test]
    fn fingerprints_normalise() {
        let colon = "AB:".repeat(31) + "AB";
        assert_eq!(
            normalize_fingerprint(&format!("SHA256:{colon}")).unwrap(),
            colon
        );
        assert_eq!(
            normalize_fingerprint(&"ab".repeat(32)).unwrap(),
            colon,
            "plain lower-case hex"
        );
        assert!(normalize_fingerprint("SHA256:abc").is_err());
        assert!(normalize_fingerprint(&"zz".repeat(32)).is_err());
    }
}
