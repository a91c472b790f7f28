//! The engine's error type: every network failure becomes one of these, saying what failed and
//! what the user can try. Front ends render them; nothing in the engine panics on server input.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::CertificateDer;

use super::reply::Reply;

/// Result alias for the engine.
pub type Result<T, E = FtpError> = std::result::Result<T, E>;

/// Everything that can go wrong talking to an FTP server.
#[derive(Debug, thiserror::Error)]
pub enum FtpError {
    /// The host name did not resolve.
    #[error("could not find the host {host}: {source}. Check the host name.")]
    Resolve {
        /// The name that failed.
        host: String,
        /// The resolver's error.
        #[source]
        source: io::Error,
    },

    /// The TCP connection could not be made.
    #[error(
        "could not connect to {addr}: {source}. Check the host and port, and that no firewall blocks them."
    )]
    Connect {
        /// `host:port` as dialled.
        addr: String,
        /// The socket error.
        #[source]
        source: io::Error,
    },

    /// The TLS handshake (control or data connection) failed.
    #[error("TLS with {} failed: {}{}", .0.host, .0.source, tls_hint(&.0.source))]
    Tls(Box<TlsFailure>),

    /// The server refused AUTH TLS: Ferry never falls back to clear text on its own.
    #[error(
        "the server does not offer TLS (AUTH TLS answered \"{reply}\"). Ferry did not send your user name or password. Use plain FTP only if you accept that they travel in clear."
    )]
    TlsRefused {
        /// The refusal.
        reply: Reply,
    },

    /// USER/PASS/ACCT were rejected.
    #[error("login failed: {reply}. Check the user name and password.")]
    Auth {
        /// The server's answer.
        reply: Reply,
    },

    /// A command got a negative or unexpected reply.
    #[error("the server refused {command}: {reply}")]
    Reply {
        /// The command as sent (PASS masked).
        command: String,
        /// The server's answer.
        reply: Reply,
    },

    /// No answer within the configured time.
    #[error(
        "timed out after {}s while {during}. The server or network may be slow or down; try again or raise the timeout.",
        after.as_secs()
    )]
    Timeout {
        /// What Ferry was waiting for.
        during: String,
        /// The configured timeout.
        after: Duration,
    },

    /// The server closed the control connection.
    #[error("the server closed the connection while {during}")]
    ConnectionClosed {
        /// What Ferry was doing.
        during: String,
    },

    /// Data or a reply trickled in (or out) too slowly: the server kept the connection alive
    /// without making progress (one byte a second, endless `120` greetings).
    #[error(
        "gave up while {during}: {detail}. The server or the network is far too slow; try again later, or raise the timeout."
    )]
    TooSlow {
        /// What Ferry was doing.
        during: String,
        /// What the rule saw.
        detail: String,
    },

    /// The server sent more file data than the size it announced.
    #[error(
        "the server sent more than the {announced} bytes it announced for {file}; Ferry stopped reading after {received} bytes. The file may be changing on the server, or the server is broken; nothing was kept under the file's name."
    )]
    TooMuchData {
        /// The remote file (control characters escaped).
        file: String,
        /// The size the server announced (listing or SIZE).
        announced: u64,
        /// Bytes read when Ferry stopped.
        received: u64,
    },

    /// A socket error other than a timeout.
    #[error("network error while {during}: {source}")]
    Io {
        /// What Ferry was doing.
        during: String,
        /// The socket error.
        #[source]
        source: io::Error,
    },

    /// Reading or writing the local side of a transfer failed (disk full, permission, ...).
    #[error("local file error: {source}")]
    Local {
        /// The error from the caller's reader or writer.
        #[source]
        source: io::Error,
    },

    /// A proxy on the way could not be used or refused the tunnel.
    #[error("the proxy {proxy} failed: {detail}")]
    Proxy {
        /// The proxy's URL, without its password.
        proxy: String,
        /// What went wrong, in words.
        detail: String,
        /// Retry, stop for a setting, or a login problem.
        class: ErrorClass,
    },

    /// The caller cancelled the operation.
    #[error("cancelled")]
    Cancelled,

    /// The server broke the protocol (malformed reply, impossible data address, ...).
    #[error("the server broke the FTP protocol: {0}")]
    Protocol(String),

    /// The caller asked for something the engine refuses (e.g. a path with a line break).
    #[error("invalid request: {0}")]
    InvalidInput(String),
}

/// A failed TLS handshake: what rustls said and, for a rejected certificate, what was presented.
#[derive(Debug)]
pub struct TlsFailure {
    /// The server name used for verification.
    pub host: String,
    /// What rustls reported.
    pub source: rustls::Error,
    /// The chain the server presented (end-entity first) when verification rejected it; empty
    /// for other TLS failures.
    pub certificates: Vec<CertificateDer<'static>>,
    /// What the verifier knew about the rejection (the `tls` layer puts its trust problem here:
    /// unknown or changed certificate, with the details to show).
    pub detail: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// What kind of failure an error is, for deciding what to do next: retrying helps for some and
/// harms for others (repeated failed logins lock accounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorClass {
    /// The login was refused. Stop: another attempt is another failed login.
    Auth,
    /// The server's certificate is not trusted. Stop: only the user can decide.
    Trust,
    /// TLS could not be agreed, or the server refuses TLS. Stop: a setting must change.
    TlsPolicy,
    /// The network or the server failed for now (timeout, cut connection, 421, a 4xx reply,
    /// too many connections, a garbled reply). Retry with backoff.
    Transient,
    /// The server refused this one thing for good (5xx: no such file, permission denied).
    /// This item fails; the others go on.
    Refused,
    /// A local file could not be read or written (disk full, permission denied).
    Local,
    /// The data did not match what the server announced (size, checksum).
    Integrity,
    /// Ferry refused the request itself (a name with a line break, say).
    Invalid,
    /// The user cancelled.
    Cancelled,
}

impl ErrorClass {
    /// Whether a later attempt may succeed.
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorClass::Transient)
    }

    /// Whether no further connection to the same server should be tried until the user acts:
    /// the same credentials, certificate or TLS settings would fail again.
    pub fn stops_connecting(self) -> bool {
        matches!(
            self,
            ErrorClass::Auth | ErrorClass::Trust | ErrorClass::TlsPolicy
        )
    }
}

impl FtpError {
    /// What kind of failure this is (see [`ErrorClass`]).
    pub fn class(&self) -> ErrorClass {
        match self {
            FtpError::Resolve { .. }
            | FtpError::Connect { .. }
            | FtpError::Timeout { .. }
            | FtpError::TooSlow { .. }
            | FtpError::ConnectionClosed { .. }
            | FtpError::Io { .. }
            | FtpError::Protocol(_) => ErrorClass::Transient,
            FtpError::Tls(failure) => match &failure.source {
                rustls::Error::InvalidCertificate(_) => ErrorClass::Trust,
                _ if failure.detail.is_some() => ErrorClass::Trust,
                rustls::Error::PeerIncompatible(_)
                | rustls::Error::PeerMisbehaved(_)
                | rustls::Error::AlertReceived(_)
                | rustls::Error::NoCertificatesPresented
                | rustls::Error::UnsupportedNameType => ErrorClass::TlsPolicy,
                // Not a TLS record at all: the server answered the handshake in plain text
                // (its TLS is broken, or another program listens there). Not the network.
                rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => {
                    ErrorClass::TlsPolicy
                }
                _ => ErrorClass::Transient,
            },
            FtpError::TlsRefused { .. } => ErrorClass::TlsPolicy,
            FtpError::Auth { reply } if reply.is_connection_limit() => ErrorClass::Transient,
            FtpError::Auth { .. } => ErrorClass::Auth,
            FtpError::Reply { reply, .. }
                if reply.is_transient_failure() || reply.is_connection_limit() =>
            {
                ErrorClass::Transient
            }
            FtpError::Reply { .. } => ErrorClass::Refused,
            FtpError::Local { .. } => ErrorClass::Local,
            FtpError::TooMuchData { .. } => ErrorClass::Integrity,
            FtpError::InvalidInput(_) => ErrorClass::Invalid,
            FtpError::Cancelled => ErrorClass::Cancelled,
            FtpError::Proxy { class, .. } => *class,
        }
    }

    /// Whether the server turned the connection away because it has too many (see
    /// [`Reply::is_connection_limit`]).
    pub fn is_connection_limit(&self) -> bool {
        matches!(self, FtpError::Auth { reply } | FtpError::Reply { reply, .. } if reply.is_connection_limit())
    }

    /// True when the connection is unusable after this error and must be reopened.
    pub fn is_fatal_to_session(&self) -> bool {
        match self {
            // 421 is the server closing the control connection (RFC 959: "Service not
            // available, closing control connection"), whatever command it answers: the next
            // command on that session would only meet a dead socket.
            FtpError::Reply { reply, .. } => reply.code == 421,
            FtpError::Local { .. } | FtpError::InvalidInput(_) | FtpError::Auth { .. } => false,
            _ => true,
        }
    }

    /// The rustls error when this is a certificate verification failure.
    pub fn certificate_error(&self) -> Option<&rustls::CertificateError> {
        match self {
            FtpError::Tls(failure) => match &failure.source {
                rustls::Error::InvalidCertificate(e) => Some(e),
                _ => None,
            },
            _ => None,
        }
    }

    /// Turns an I/O error on a socket into the right variant (timeouts and closes are their own).
    pub(crate) fn from_io(during: impl Into<String>, source: io::Error, timeout: Duration) -> Self {
        let during = during.into();
        // Under TLS 1.3 a server checks the client certificate after the client's handshake
        // is done: its refusal is an alert on the first read, and it belongs with TLS errors.
        if let Some(tls) = source
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return tls_error(&format!("the server ({during})"), tls.clone());
        }
        if let Some(stalled) = source
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<super::stream::Stalled>())
        {
            return FtpError::TooSlow {
                during,
                detail: stalled.0.clone(),
            };
        }
        match source.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => FtpError::Timeout {
                during,
                after: timeout,
            },
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => FtpError::ConnectionClosed { during },
            _ => FtpError::Io { during, source },
        }
    }
}

fn tls_hint(err: &rustls::Error) -> &'static str {
    use rustls::AlertDescription as A;
    use rustls::CertificateError as C;
    match err {
        rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => {
            ". The server answered in plain text instead of TLS: its TLS is not working, or this port is not for FTPS (try implicit TLS on port 990, or ask the server's administrator)."
        }
        rustls::Error::AlertReceived(A::CertificateRequired) => {
            ". The server requires a client certificate (mutual TLS) and none was presented: give one with --cert FILE --key FILE, or in the site's Client certificate field."
        }
        rustls::Error::AlertReceived(
            A::BadCertificate
            | A::UnsupportedCertificate
            | A::CertificateRevoked
            | A::CertificateExpired
            | A::CertificateUnknown
            | A::UnknownCA
            | A::AccessDenied
            // rustls servers answer a client chain they cannot verify with this one.
            | A::DecryptError,
        ) => {
            ". The server refused the client certificate (not issued by a CA it trusts, expired, revoked, or not allowed), or requires one that was not presented."
        }
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            ". The certificate is not signed by an authority this computer trusts; if you expected a private CA, pass it with --ca-file."
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            ". The certificate has expired."
        }
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => ". The certificate is for another host name; connect with the name it was issued for.",
        rustls::Error::InvalidCertificate(_) => ". The certificate was rejected.",
        rustls::Error::PeerIncompatible(_) | rustls::Error::AlertReceived(_) => {
            ". The server and Ferry could not agree on TLS parameters; the server may only offer outdated TLS, or require a client certificate."
        }
        _ => "",
    }
}

/// A certificate verifier's rejection that keeps the chain the server presented.
///
/// rustls drops the peer's certificates when verification fails, but the user must see what was
/// rejected to decide about it. A verifier returns this wrapped in
/// `rustls::CertificateError::Other`; the engine unwraps it into [`FtpError::Tls`] with the real
/// reason and the chain.
#[derive(Debug, Clone)]
pub struct RejectedCertificate {
    /// Why verification failed.
    pub reason: rustls::CertificateError,
    /// The presented chain, end-entity first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The verifier's own account of the problem, carried through to [`FtpError::Tls`].
    pub detail: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl std::fmt::Display for RejectedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}",
            rustls::Error::InvalidCertificate(self.reason.clone())
        )
    }
}

impl std::error::Error for RejectedCertificate {}

impl RejectedCertificate {
    /// Wraps this rejection so a `ServerCertVerifier` can return it.
    pub fn into_rustls_error(self) -> rustls::Error {
        rustls::Error::InvalidCertificate(rustls::CertificateError::Other(rustls::OtherError(
            Arc::new(self),
        )))
    }
}

/// Builds [`FtpError::Tls`], unwrapping a [`RejectedCertificate`] if the verifier sent one.
pub(crate) fn tls_error(host: &str, err: rustls::Error) -> FtpError {
    if let rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other)) = &err
        && let Some(rejected) = other.0.downcast_ref::<RejectedCertificate>()
    {
        return FtpError::Tls(Box::new(TlsFailure {
            host: host.to_owned(),
            source: rustls::Error::InvalidCertificate(rejected.reason.clone()),
            certificates: rejected.chain.clone(),
            detail: rejected.detail.clone(),
        }));
    }
    FtpError::Tls(Box::new(TlsFailure {
        host: host.to_owned(),
        source: err,
        certificates: Vec::new(),
        detail: None,
    }))
}
