//! A small, deterministic FTP/FTPS server for Ferry's integration tests.
//!
//! It implements the subset of RFC 959, 2228, 2428, 3659 and 4217 that an FTPS
//! client needs, with vsftpd-like replies, and it can misbehave on purpose
//! (cut transfers, throttle them, inject arbitrary replies) for hostile-server
//! tests. Every control connection is served on its own thread; every data
//! transfer runs on a helper thread so that the control connection can still
//! see `ABOR` while data flows.
//!
//! Everything is bound to 127.0.0.1, and active mode (`PORT`/`EPRT`) only ever
//! connects back to the control connection's own peer address (vsftpd's
//! `port_promiscuous=NO`; other addresses get 500).
//!
//! Behaviour worth knowing when writing client tests:
//! - Transfers: pre-checks first (425 without PASV/PORT, 521 without `PROT P` when
//!   `require_tls`, 550/553/554 for file problems — these also discard the prepared
//!   PASV/PORT channel), then the data connection is accepted (passive, 10 s → 425)
//!   or connected (active), then `150`, then the server-side TLS handshake (PROT P),
//!   then the bytes, then `226` once the data connection is closed.
//! - Downloads end with close_notify + FIN; uploads are read until the client's
//!   close_notify (or plain EOF), then answered with close_notify + FIN.
//! - Like OpenSSL/vsftpd, TLS 1.3 connections (data ones included) get two
//!   NewSessionTickets right after the handshake. A client that closes an upload's
//!   data socket without reading them makes the kernel send RST, which may discard
//!   the tail of the upload (the server then replies 426).
//! - `require_session_reuse`: each control connection has its own session cache and
//!   ticket key, so only tickets/sessions from that control connection (or its data
//!   connections) count; otherwise 150, data socket closed, `522`.
//! - `ABOR` during a transfer → `426` then `226`; with no transfer → `225`. Other
//!   commands sent during a transfer are answered after it, in order.
//! - `TYPE A` is accepted but files are sent as stored (no CRLF conversion).
//! - Paths are resolved lexically; `..` above "/" is rejected with 550 (so `CDUP`
//!   at "/" is 550), as are symlinks leading out of the root.
//! - `PBSZ`/`PROT` need a TLS control connection (503), `PROT` needs `PBSZ` first (503).
//! - `max_connections`: one control connection more than that is greeted with `421 There are
//!   too many connections from your internet address.` and closed (vsftpd `max_per_ip`).
//! - `checksums`: FEAT advertises `HASH SHA-256*;CRC32` and `XCRC`; `OPTS HASH` selects,
//!   `HASH f` answers `213 SHA-256 0-N <hex> f`, `XCRC f` answers `250 <hex>`
//!   (like ProFTPD's mod_digest). `mfmt`: FEAT advertises `MFMT`, which sets a file's time.

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::{
    IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, SocketAddrV4, TcpListener, TcpStream,
};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustls::server::ServerSessionMemoryCache;
use rustls::{HandshakeKind, ServerConnection, StreamOwned};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Longest command line accepted (without the line terminator).
const MAX_LINE: usize = 4096;
/// How long to wait for a data connection (passive accept or active connect).
const DATA_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a TLS handshake (control or data) may take.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Read/write timeout on data sockets once the transfer runs.
const DATA_IO_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the control connection is polled for `ABOR` during a transfer.
const POLL_INTERVAL: Duration = Duration::from_millis(2);
/// Largest chunk moved per read/write on a data connection.
const CHUNK: usize = 16 * 1024;
/// Commands whose injected reply replaces the whole exchange (not executed).
const TRANSFER_VERBS: &[&str] = &["RETR", "STOR", "APPE", "LIST", "NLST", "MLSD"];
/// Every verb the server understands (others get 502).
const KNOWN_VERBS: &[&str] = &[
    "USER", "PASS", "ACCT", "AUTH", "PBSZ", "PROT", "FEAT", "SYST", "NOOP", "OPTS", "QUIT", "TYPE",
    "MODE", "STRU", "ALLO", "PWD", "XPWD", "CWD", "XCWD", "CDUP", "XCUP", "MKD", "XMKD", "RMD",
    "XRMD", "DELE", "RNFR", "RNTO", "SIZE", "MDTM", "SITE", "PASV", "EPSV", "PORT", "EPRT", "REST",
    "ABOR", "RETR", "STOR", "APPE", "LIST", "NLST", "MLSD", "MLST", "HASH", "XCRC", "MFMT",
];

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/// How the server secures the control connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain greeting; the client upgrades with `AUTH TLS` (RFC 4217).
    Explicit,
    /// TLS handshake before the greeting (FTPS on a dedicated port).
    Implicit,
    /// No TLS at all: `AUTH` is answered with 502 and `require_tls` is ignored.
    None,
}

/// Certificate material for the server, plus what clients need to trust it.
#[derive(Debug)]
pub struct Certs {
    /// PEM of the certificate clients should trust (the CA, or the self-signed cert).
    pub ca_pem: String,
    /// DER of the same certificate as `ca_pem`.
    pub ca_der: Vec<u8>,
    /// The chain the server presents (leaf first).
    pub cert_chain: Vec<CertificateDer<'static>>,
    /// The server's private key (PKCS#8).
    pub key: PrivateKeyDer<'static>,
}

impl Clone for Certs {
    fn clone(&self) -> Self {
        Certs {
            ca_pem: self.ca_pem.clone(),
            ca_der: self.ca_der.clone(),
            cert_chain: self.cert_chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl Certs {
    /// A fresh private CA and a server certificate it signs, valid for "localhost" and 127.0.0.1 and ::1.
    pub fn generate() -> Certs {
        Certs::generate_with(&LeafSpec::default())
    }

    /// A self-signed server certificate (no CA) for localhost/127.0.0.1 — `ca_pem` is then the cert itself.
    pub fn self_signed() -> Certs {
        let key = rcgen::KeyPair::generate().expect("generate server key");
        Certs::self_signed_with(&LeafSpec::default(), &key)
    }
}

/// What a server certificate says, for the trust-decision tests.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    /// Names it is valid for: DNS names, or IP literals (which become IP SANs).
    pub names: Vec<String>,
    /// Valid from (year, month, day); None → rcgen's default (long ago).
    pub not_before: Option<(i32, u8, u8)>,
    /// Valid until (year, month, day); None → rcgen's default (far future).
    pub not_after: Option<(i32, u8, u8)>,
}

impl Default for LeafSpec {
    fn default() -> Self {
        LeafSpec {
            names: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            not_before: None,
            not_after: None,
        }
    }
}

impl LeafSpec {
    fn params(&self) -> rcgen::CertificateParams {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        let first = self
            .names
            .first()
            .cloned()
            .unwrap_or_else(|| "localhost".into());
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, first);
        for name in &self.names {
            let san = match name.parse::<IpAddr>() {
                Ok(ip) => rcgen::SanType::IpAddress(ip),
                Err(_) => rcgen::SanType::DnsName(name.clone().try_into().expect("dns name")),
            };
            params.subject_alt_names.push(san);
        }
        if let Some((y, m, d)) = self.not_before {
            params.not_before = rcgen::date_time_ymd(y, m, d);
        }
        if let Some((y, m, d)) = self.not_after {
            params.not_after = rcgen::date_time_ymd(y, m, d);
        }
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        params
    }
}

/// A fresh private CA named `name`, for signing test certificates.
fn test_ca(name: &str) -> rcgen::CertifiedIssuer<'static, rcgen::KeyPair> {
    let ca_key = rcgen::KeyPair::generate().expect("generate CA key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("self-sign CA")
}

/// A client identity for mutual TLS: the CA a server trusts (PEM), and a certificate it
/// issued with its key (PEM), as files a client is given.
pub struct ClientCerts {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
    ca_der: Vec<u8>,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

/// A server as `config` says that requires a client certificate, and the certificate (from a
/// CA of its own) it accepts.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn requiring_client_certs(user: &str, config: ServerConfig) -> (ClientCerts, TestServer) {
    let ours = ClientCerts::generate(user);
    let server = TestServer::start(ServerConfig {
        client_ca_pem: Some(ours.ca_pem.clone()),
        ..config
    });
    (ours, server)
}

impl ClientCerts {
    /// A fresh client CA and a client certificate it signs for `name`.
    pub fn generate(name: &str) -> ClientCerts {
        let ca = test_ca("Ferry Test Client CA");
        let key = rcgen::KeyPair::generate().expect("generate client key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.signed_by(&key, &ca).expect("sign client cert");
        ClientCerts {
            ca_pem: ca.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            ca_der: ca.der().to_vec(),
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
        }
    }

    /// The certificate, its CA and the key as a PKCS#12 file (AES-256, HMAC-SHA256) locked
    /// with `password`.
    #[allow(dead_code)] // not every test binary that includes this module uses it
    pub fn pkcs12(&self, password: &str) -> Vec<u8> {
        let cert = |der: &[u8]| p12_keystore::Certificate::from_der(der).expect("certificate");
        let chain = p12_keystore::PrivateKeyChain::new(
            b"ferry-client".as_slice(),
            p12_keystore::PrivateKey::from_der(&self.key_der).expect("key"),
            [cert(&self.cert_der), cert(&self.ca_der)],
        );
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry(
            "client",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
        );
        store.writer(password).write().expect("write PKCS#12")
    }
}

impl Certs {
    /// A fresh private CA and a server certificate it signs as `leaf` describes.
    pub fn generate_with(leaf: &LeafSpec) -> Certs {
        let ca = test_ca("Ferry Test CA");
        let leaf_key = rcgen::KeyPair::generate().expect("generate server key");
        let cert = leaf.params().signed_by(&leaf_key, &ca).expect("sign leaf");
        Certs {
            ca_pem: ca.pem(),
            ca_der: ca.der().to_vec(),
            cert_chain: vec![cert.der().clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        }
    }

    /// A self-signed certificate as `leaf` describes, with `key` (to make a "renewal" that
    /// keeps the public key) or a fresh one.
    pub fn self_signed_with(leaf: &LeafSpec, key: &rcgen::KeyPair) -> Certs {
        let cert = leaf.params().self_signed(key).expect("self-sign");
        Certs {
            ca_pem: cert.pem(),
            ca_der: cert.der().to_vec(),
            cert_chain: vec![cert.der().clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

/// How a folder made unreadable with [`TestServer::make_unreadable`] answers: the ways the
/// servers in the field answer for a folder they cannot open (the tests run as root, who
/// reads a mode-000 folder, so the server pretends). CWD into it is refused in every case, as
/// for a mode-000 folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// vsftpd: `LIST dir` lists the entry `dir` of its parent instead (with "226 Directory send
    /// OK."); `LIST dir/`, and anything under it, sends nothing and "226 Transfer done (but
    /// failed to open directory)."; MLSD is refused.
    Vsftpd,
    /// ProFTPD's and pure-ftpd's MLSD: "550 Permission denied".
    Refused,
    /// ProFTPD's and pure-ftpd's LIST: nothing, and a plain 226.
    Silent,
}

/// How a [`TestServer`] behaves. Start from `ServerConfig::default()`.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// How the control connection is secured.
    pub tls: TlsMode,
    /// Certificates to serve; `None` → [`Certs::generate`] (always generated, so `ca_pem` is valid).
    pub certs: Option<Certs>,
    /// Refuse `USER` before `AUTH TLS` (530) and data transfers without `PROT P` (521),
    /// like vsftpd's force_local_logins_ssl / force_local_data_ssl. Ignored when the
    /// server has no TLS (`tls: TlsMode::None` or `refuse_auth_tls`).
    pub require_tls: bool,
    /// Answer `AUTH TLS` with 502, as a server without TLS would.
    pub refuse_auth_tls: bool,
    /// TLS data connections that do not resume the control connection's session get
    /// "522 SSL connection failed: session reuse required" (vsftpd's require_ssl_reuse).
    pub require_session_reuse: bool,
    /// `true` → TLS 1.3 and 1.2; `false` → TLS 1.2 only.
    pub tls13: bool,
    /// Advertise this address in PASV replies instead of 127.0.0.1 (NAT simulation);
    /// listeners still bind 127.0.0.1. Prefer another loopback address such as
    /// 127.0.0.2 (nothing listens there, so a client that trusts it gets "connection refused").
    pub pasv_address: Option<Ipv4Addr>,
    /// Answer `EPSV` with 500 (forces the client back to `PASV`).
    pub disable_epsv: bool,
    /// Drop MLST from FEAT and answer `MLSD`/`MLST` with 500 (forces `LIST`).
    pub disable_mlsd: bool,
    /// The one account's user name (default "alice").
    pub user: String,
    /// The one account's password (default "s3cret").
    pub password: String,
    /// Let "anonymous"/"ftp" log in straight away with `230` at `USER`.
    pub allow_anonymous: bool,
    /// Answer a correct `PASS` with 332; any `ACCT` then completes the login with 230.
    pub require_acct: bool,
    /// Control port to bind; 0 picks a free one. A fixed port lets a test "restart" a server
    /// with another certificate at the same host:port (pins are keyed by it).
    pub port: u16,
    /// Greet control connections beyond this many open ones with 421 and close them.
    pub max_connections: Option<usize>,
    /// Offer HASH (SHA-256, CRC32) and XCRC.
    pub checksums: bool,
    /// Offer MFMT (set modification time).
    pub mfmt: bool,
    /// Require a client certificate issued by this CA (PEM), as vsftpd's `require_cert`.
    pub client_ca_pem: Option<String>,
    /// Advertise and accept `HOST` (RFC 7151) before login.
    pub host_command: bool,
    /// Accept `CCC` after login: TLS ends on the control connection (close_notify both
    /// ways), which goes on in clear text; data connections stay protected.
    pub allow_ccc: bool,
    /// Seconds added to the times LIST shows: a server that lists in its own time zone
    /// (MDTM and MLSD stay UTC).
    pub list_zone_offset_seconds: i64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            tls: TlsMode::Explicit,
            certs: None,
            require_tls: true,
            refuse_auth_tls: false,
            require_session_reuse: true,
            tls13: true,
            pasv_address: None,
            disable_epsv: false,
            disable_mlsd: false,
            user: "alice".to_string(),
            password: "s3cret".to_string(),
            allow_anonymous: false,
            require_acct: false,
            port: 0,
            max_connections: None,
            checksums: false,
            mfmt: false,
            client_ca_pem: None,
            host_command: false,
            allow_ccc: false,
            list_zone_offset_seconds: 0,
        }
    }
}

/// A running server on 127.0.0.1 with a temporary root directory. Stops on drop.
pub struct TestServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    root: tempfile::TempDir,
    _meta: tempfile::TempDir,
    ca_pem: String,
    ca_pem_path: PathBuf,
    acceptor: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Binds 127.0.0.1:0 and serves each control connection on its own thread.
    pub fn start(mut config: ServerConfig) -> TestServer {
        let certs = config.certs.take().unwrap_or_else(Certs::generate);
        let root = tempfile::Builder::new()
            .prefix("ferry-ftp-root-")
            .tempdir()
            .expect("create FTP root");
        let meta = tempfile::Builder::new()
            .prefix("ferry-ftp-meta-")
            .tempdir()
            .expect("create server scratch dir");
        let ca_pem_path = meta.path().join("ca.pem");
        fs::write(&ca_pem_path, &certs.ca_pem).expect("write ca.pem");
        let tls_base = (config.tls != TlsMode::None)
            .then(|| base_tls_config(&certs, config.tls13, config.client_ca_pem.as_deref()));
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).expect("bind control port");
        let addr = listener.local_addr().expect("control port address");
        let shared = Arc::new(Shared {
            root: root.path().canonicalize().expect("canonical root"),
            config,
            tls_base,
            commands: Mutex::new(Vec::new()),
            data_total: AtomicUsize::new(0),
            data_resumed: AtomicUsize::new(0),
            cut: Mutex::new((0, 0)),
            throttle: AtomicU64::new(0),
            injections: Mutex::new(VecDeque::new()),
            fake_listing: Mutex::new(None),
            fake_listings: Mutex::new(HashMap::new()),
            unreadable: Mutex::new(Vec::new()),
            endless: Mutex::new(None),
            open_sessions: AtomicUsize::new(0),
            refused_connections: AtomicUsize::new(0),
            wrong_checksums: AtomicBool::new(false),
            oversend: Mutex::new((0, 0)),
            short_uploads: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
            sockets: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
        });
        let acceptor_shared = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name("ftp-acceptor".into())
            .spawn(move || accept_loop(listener, acceptor_shared))
            .expect("spawn acceptor");
        TestServer {
            shared,
            addr,
            root,
            _meta: meta,
            ca_pem: certs.ca_pem,
            ca_pem_path,
            acceptor: Some(acceptor),
        }
    }

    /// The control port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The control address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The directory served as "/" (a temporary directory removed on drop).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// PEM of the CA (or self-signed cert) clients should trust.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The same PEM written to a file outside the root.
    pub fn ca_pem_path(&self) -> &Path {
        &self.ca_pem_path
    }

    /// Every command line received so far over all sessions, in order, exactly as
    /// received minus the line terminator (PASS included). Over-long lines are not recorded.
    pub fn commands(&self) -> Vec<String> {
        lock(&self.shared.commands).clone()
    }

    /// Number of data connections accepted, and how many of them resumed the TLS session.
    pub fn data_connections(&self) -> (usize, usize) {
        (
            self.shared.data_total.load(Ordering::SeqCst),
            self.shared.data_resumed.load(Ordering::SeqCst),
        )
    }

    /// Make the next `n` file transfers (RETR/STOR/APPE, not listings) drop the data
    /// connection without close_notify after exactly `after_bytes` bytes of payload,
    /// then reply 426. A download of a file shorter than `after_bytes` completes normally.
    pub fn cut_next_transfers(&self, n: usize, after_bytes: u64) {
        *lock(&self.shared.cut) = (n, after_bytes);
    }

    /// Slow every data transfer (listings included) down to roughly this many bytes
    /// per second (`None` = full speed). Takes effect on running transfers too.
    pub fn set_throttle(&self, bytes_per_sec: Option<u64>) {
        let value = bytes_per_sec.map_or(0, |b| b.max(1));
        self.shared.throttle.store(value, Ordering::SeqCst);
    }

    /// Replace the reply to the next occurrence of command `verb` (case-insensitive)
    /// with `raw`, sent byte for byte (include the CRLFs yourself).
    ///
    /// - Transfer commands (RETR, STOR, APPE, LIST, NLST, MLSD) are then *not* executed:
    ///   `raw` is the whole answer and the prepared PASV/PORT channel is discarded.
    /// - `AUTH` switches to TLS only if `raw` starts with "234".
    /// - `ABOR` during a transfer: `raw` replaces the 426 + 226 pair.
    /// - Every other command is executed and only its reply is replaced.
    /// - The pseudo-verb "GREETING" replaces the 220 greeting of the next session.
    pub fn inject_reply(&self, verb: &str, raw: Vec<u8>) {
        lock(&self.shared.injections).push_back((verb.to_ascii_uppercase(), raw));
    }

    /// Control connections turned away with 421 because of `max_connections`.
    pub fn refused_connections(&self) -> usize {
        self.shared.refused_connections.load(Ordering::SeqCst)
    }

    /// From now on, answer HASH and XCRC with a checksum that is wrong (`true`) or right.
    pub fn set_wrong_checksums(&self, wrong: bool) {
        self.shared.wrong_checksums.store(wrong, Ordering::SeqCst);
    }

    /// Make the next `n` downloads (RETR) send `extra` bytes of junk after the file's own.
    pub fn oversend_next_downloads(&self, n: usize, extra: u64) {
        *lock(&self.shared.oversend) = (n, extra);
    }

    /// Make the next `n` uploads keep only the first half of what arrived, and still answer
    /// 226 (a server whose disk filled up, or that lies).
    pub fn shorten_next_uploads(&self, n: usize) {
        self.shared.short_uploads.store(n, Ordering::SeqCst);
    }

    /// Make the next listing (MLSD, LIST or NLST) send `body` over the data connection instead
    /// of the real directory — for hostile-listing tests (names like `../x` that no file system
    /// can hold).
    pub fn fake_next_listing(&self, body: Vec<u8>) {
        *lock(&self.shared.fake_listing) = Some(body);
    }

    /// Answer every listing of the folder `path` (relative to the root) with `body`, as a
    /// broken or hostile server lists what is not there.
    pub fn fake_listing_of(&self, path: &str, body: Vec<u8>) {
        let virt = format!("/{}", path.trim_matches('/'));
        lock(&self.shared.fake_listings).insert(virt, body);
    }

    /// Make the folder `path` (relative to the root) answer as a folder the server cannot
    /// open answers, in the manner `how`.
    pub fn make_unreadable(&self, path: &str, how: Unreadable) {
        let virt = format!("/{}", path.trim_matches('/'));
        lock(&self.shared.unreadable).push((virt, how));
    }

    /// Make the folder `path` (relative to the root; it need not exist) and every folder under
    /// it list `a/`, `b/` and `f.txt`: a tree that never ends, as a broken or hostile server
    /// shows. CWD into any of them works.
    pub fn make_endless(&self, path: &str) {
        *lock(&self.shared.endless) = Some(format!("/{}", path.trim_matches('/')));
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        // Wake the acceptor so that it sees the flag and exits.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(handle) = self.acceptor.take() {
            let _ = handle.join();
        }
        for socket in lock(&self.shared.sockets).values() {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }
}

// ---------------------------------------------------------------------------
// Shared state
// ---------------------------------------------------------------------------

/// State shared by the acceptor, every session and every data transfer.
struct Shared {
    config: ServerConfig,
    root: PathBuf,
    /// Base rustls config; each session clones it with its own session cache/ticketer.
    tls_base: Option<rustls::ServerConfig>,
    commands: Mutex<Vec<String>>,
    data_total: AtomicUsize,
    data_resumed: AtomicUsize,
    /// (transfers left to cut, bytes after which to cut)
    cut: Mutex<(usize, u64)>,
    /// Bytes per second; 0 = unlimited.
    throttle: AtomicU64,
    injections: Mutex<VecDeque<(String, Vec<u8>)>>,
    /// The body the next listing sends instead of the real directory.
    fake_listing: Mutex<Option<Vec<u8>>>,
    /// Listings (bodies) given every time a folder (virtual absolute path) is listed.
    fake_listings: Mutex<HashMap<String, Vec<u8>>>,
    /// Folders (virtual absolute paths) that answer as unreadable ones, and how.
    unreadable: Mutex<Vec<(String, Unreadable)>>,
    /// The folder (virtual absolute path) from which the tree never ends.
    endless: Mutex<Option<String>>,
    /// Control connections being served now.
    open_sessions: AtomicUsize,
    refused_connections: AtomicUsize,
    wrong_checksums: AtomicBool,
    /// (downloads left to over-send, junk bytes each)
    oversend: Mutex<(usize, u64)>,
    /// Uploads left to shorten.
    short_uploads: AtomicUsize,
    stopped: AtomicBool,
    /// Clones of every open socket, shut down when the server is dropped.
    sockets: Mutex<HashMap<u64, TcpStream>>,
    next_id: AtomicU64,
}

impl Shared {
    fn log_command(&self, line: &[u8]) {
        lock(&self.commands).push(String::from_utf8_lossy(line).into_owned());
    }

    fn take_injection(&self, verb: &str) -> Option<Vec<u8>> {
        let mut queue = lock(&self.injections);
        let pos = queue.iter().position(|(v, _)| v == verb)?;
        queue.remove(pos).map(|(_, raw)| raw)
    }

    fn take_oversend(&self) -> u64 {
        let mut over = lock(&self.oversend);
        if over.0 == 0 {
            return 0;
        }
        over.0 -= 1;
        over.1
    }

    fn take_short_upload(&self) -> bool {
        self.short_uploads
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    fn take_cut(&self) -> Option<u64> {
        let mut cut = lock(&self.cut);
        if cut.0 == 0 {
            return None;
        }
        cut.0 -= 1;
        Some(cut.1)
    }

    fn throttle(&self) -> u64 {
        self.throttle.load(Ordering::SeqCst)
    }

    /// How `virt` answers if it is an unreadable folder (`Some((how, true))`) or lies under
    /// one (`Some((how, false))`).
    fn unreadable(&self, virt: &str) -> Option<(Unreadable, bool)> {
        lock(&self.unreadable).iter().find_map(|(dir, how)| {
            if virt == dir {
                Some((*how, true))
            } else if virt.starts_with(&format!("{dir}/")) {
                Some((*how, false))
            } else {
                None
            }
        })
    }

    /// Whether `virt` is in the endless tree.
    fn endless(&self, virt: &str) -> bool {
        lock(&self.endless)
            .as_deref()
            .is_some_and(|dir| virt == dir || virt.starts_with(&format!("{dir}/")))
    }

    fn stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Remember a socket so that dropping the server can shut it down.
    fn register(self: &Arc<Self>, socket: &TcpStream) -> SocketGuard {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        if let Ok(clone) = socket.try_clone() {
            if self.stopped() {
                let _ = clone.shutdown(Shutdown::Both);
            }
            lock(&self.sockets).insert(id, clone);
        }
        SocketGuard {
            shared: Arc::clone(self),
            id,
        }
    }

    /// Whether the TLS requirements (`require_tls`) are in force.
    fn tls_required(&self) -> bool {
        self.config.require_tls && self.tls_offered()
    }

    /// Whether `AUTH TLS` (or implicit TLS) is available at all.
    fn tls_offered(&self) -> bool {
        self.config.tls != TlsMode::None && !self.config.refuse_auth_tls
    }
}

/// Removes a socket from the shutdown registry when dropped.
struct SocketGuard {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        lock(&self.shared.sockets).remove(&self.id);
    }
}

/// Lock a mutex, ignoring poisoning (a panicked session must not break the others).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.stopped() {
            break;
        }
        match conn {
            Ok(stream) => {
                let session_shared = Arc::clone(&shared);
                let _ = thread::Builder::new()
                    .name("ftp-session".into())
                    .spawn(move || Session::new(session_shared, stream).run());
            }
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

// ---------------------------------------------------------------------------
// TLS and streams
// ---------------------------------------------------------------------------

/// The rustls configuration shared by all sessions (before per-session caches).
fn base_tls_config(certs: &Certs, tls13: bool, client_ca: Option<&str>) -> rustls::ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client_verifier = client_ca.map(|pem| {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert.expect("client CA PEM")).expect("client CA");
        }
        rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .build()
        .expect("client verifier")
    });
    let versions: &[&'static rustls::SupportedProtocolVersion] = if tls13 {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS12]
    };
    let builder = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .expect("protocol versions");
    let builder = match client_verifier {
        Some(verifier) => builder.with_client_cert_verifier(verifier),
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(certs.cert_chain.clone(), certs.key.clone_key())
        .expect("server certificate");
    config.send_tls13_tickets = 2;
    config
}

/// A per-session copy of the base config with its own session cache and ticket key,
/// so that only the session's own control connection can be resumed.
fn session_tls_config(base: &rustls::ServerConfig) -> Arc<rustls::ServerConfig> {
    let mut config = base.clone();
    config.session_storage = ServerSessionMemoryCache::new(256);
    if let Ok(ticketer) = rustls::crypto::ring::Ticketer::new() {
        config.ticketer = ticketer;
    }
    Arc::new(config)
}

type TlsStream = StreamOwned<ServerConnection, TcpStream>;

/// Run a server-side TLS handshake on `sock`. `early` holds bytes already read
/// from the socket (they belong to the ClientHello).
fn tls_accept(
    mut sock: TcpStream,
    config: Arc<rustls::ServerConfig>,
    mut early: &[u8],
) -> io::Result<TlsStream> {
    let mut conn = ServerConnection::new(config).map_err(io::Error::other)?;
    while !early.is_empty() {
        conn.read_tls(&mut early)?;
        if let Err(e) = conn.process_new_packets() {
            let _ = conn.write_tls(&mut sock);
            return Err(io::Error::new(io::ErrorKind::InvalidData, e));
        }
    }
    let previous = sock.read_timeout()?;
    sock.set_read_timeout(Some(TLS_HANDSHAKE_TIMEOUT))?;
    sock.set_write_timeout(Some(TLS_HANDSHAKE_TIMEOUT))?;
    let deadline = Instant::now() + TLS_HANDSHAKE_TIMEOUT;
    while conn.is_handshaking() {
        if Instant::now() > deadline {
            return Err(io::ErrorKind::TimedOut.into());
        }
        conn.complete_io(&mut sock)?;
    }
    while conn.wants_write() {
        conn.write_tls(&mut sock)?;
    }
    sock.set_read_timeout(previous)?;
    sock.set_write_timeout(None)?;
    Ok(StreamOwned::new(conn, sock))
}

/// A control or data connection, plain or TLS.
enum Channel {
    Plain(TcpStream),
    Tls(Box<TlsStream>),
    /// Placeholder while switching to TLS, or after a failed switch.
    Closed,
}

impl Channel {
    fn tcp(&self) -> Option<&TcpStream> {
        match self {
            Channel::Plain(s) => Some(s),
            Channel::Tls(s) => Some(&s.sock),
            Channel::Closed => None,
        }
    }

    fn is_tls(&self) -> bool {
        matches!(self, Channel::Tls(_))
    }

    /// Orderly close: close_notify (TLS), then FIN.
    fn close_gracefully(&mut self) -> io::Result<()> {
        if let Channel::Tls(s) = self {
            s.conn.send_close_notify();
            s.flush()?;
            while s.conn.wants_write() {
                s.conn.write_tls(&mut s.sock)?;
            }
        }
        if let Some(tcp) = self.tcp() {
            tcp.shutdown(Shutdown::Write)?;
        }
        Ok(())
    }

    /// Abrupt close: no close_notify; unread data makes the kernel send RST.
    fn hard_close(self) {
        if let Some(tcp) = self.tcp() {
            let _ = tcp.shutdown(Shutdown::Both);
        }
    }
}

impl Read for Channel {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Channel::Plain(s) => s.read(buf),
            Channel::Tls(s) => s.read(buf),
            Channel::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

impl Write for Channel {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Channel::Plain(s) => s.write(buf),
            Channel::Tls(s) => s.write(buf),
            Channel::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Channel::Plain(s) => s.flush(),
            Channel::Tls(s) => s.flush(),
            Channel::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

// ---------------------------------------------------------------------------
// Control connection
// ---------------------------------------------------------------------------

/// Where the next data connection comes from.
enum DataSetup {
    None,
    Passive(TcpListener),
    Active(SocketAddr),
}

/// Login progress.
enum Login {
    None,
    NeedPassword(String),
    NeedAccount,
    LoggedIn,
}

/// One read attempt on the control connection.
enum Incoming {
    Line(Vec<u8>),
    Timeout,
    Closed,
}

/// How a transfer ended, as seen by the control connection.
enum Waited {
    Done(Outcome),
    /// The transfer had already finished when ABOR arrived.
    DoneBeforeAbor(Outcome),
    Aborted,
    ControlClosed,
}

/// MLST facts the client selected with `OPTS MLST` (type, size, modify, perm).
#[derive(Clone, Copy)]
struct Facts {
    kind: bool,
    size: bool,
    modify: bool,
    perm: bool,
}

/// Counts a control connection as open while it lives.
struct OpenSession(Arc<Shared>);

impl Drop for OpenSession {
    fn drop(&mut self) {
        self.0.open_sessions.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One control connection.
struct Session {
    shared: Arc<Shared>,
    _guard: SocketGuard,
    ctrl: Channel,
    peer: SocketAddr,
    /// Per-session rustls config (control and data connections share its session cache).
    tls: Option<Arc<rustls::ServerConfig>>,
    inbuf: Vec<u8>,
    /// Discarding the rest of an over-long line.
    discarding: bool,
    /// Commands received during a transfer, handled after it.
    pending: VecDeque<Vec<u8>>,
    /// Raw bytes replacing the next reply of the current command.
    injected: Option<Vec<u8>>,
    quit: bool,
    login: Login,
    pbsz: bool,
    prot_private: bool,
    cwd: String,
    rest: u64,
    rename_from: Option<PathBuf>,
    data: DataSetup,
    epsv_all: bool,
    ascii: bool,
    facts: Facts,
    /// The algorithm `OPTS HASH` selected: "SHA-256" (the default) or "CRC32".
    hash: &'static str,
    /// The text of the 226 ending the current listing, when not the usual one.
    listing_done: Option<&'static str>,
}

impl Session {
    fn new(shared: Arc<Shared>, stream: TcpStream) -> Session {
        let guard = shared.register(&stream);
        let peer = stream
            .peer_addr()
            .unwrap_or_else(|_| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let _ = stream.set_nodelay(true);
        let tls = shared.tls_base.as_ref().map(session_tls_config);
        Session {
            shared,
            _guard: guard,
            ctrl: Channel::Plain(stream),
            peer,
            tls,
            inbuf: Vec::new(),
            discarding: false,
            pending: VecDeque::new(),
            injected: None,
            quit: false,
            login: Login::None,
            pbsz: false,
            prot_private: false,
            cwd: "/".to_string(),
            rest: 0,
            rename_from: None,
            data: DataSetup::None,
            epsv_all: false,
            ascii: false,
            facts: Facts {
                kind: true,
                size: true,
                modify: true,
                perm: true,
            },
            hash: "SHA-256",
            listing_done: None,
        }
    }

    /// Serve the connection until QUIT, EOF or an I/O error.
    fn run(mut self) {
        let open = self.shared.open_sessions.fetch_add(1, Ordering::SeqCst) + 1;
        let _count = OpenSession(Arc::clone(&self.shared));
        if self
            .shared
            .config
            .max_connections
            .is_some_and(|max| open > max)
        {
            self.shared
                .refused_connections
                .fetch_add(1, Ordering::SeqCst);
            if self.shared.config.tls == TlsMode::Implicit && self.start_tls(Vec::new()).is_err() {
                return;
            }
            let _ = self.reply(
                421,
                "There are too many connections from your internet address.",
            );
            self.close();
            return;
        }
        if self.shared.config.tls == TlsMode::Implicit && self.start_tls(Vec::new()).is_err() {
            return;
        }
        self.injected = self.shared.take_injection("GREETING");
        if self.reply(220, "Ferry test FTP server ready.").is_err() {
            return;
        }
        while !self.quit && !self.shared.stopped() {
            let line = match self.pending.pop_front() {
                Some(line) => line,
                None => match self.read_incoming() {
                    Incoming::Line(line) => line,
                    Incoming::Timeout => continue,
                    Incoming::Closed => break,
                },
            };
            if self.handle(&line).is_err() {
                break;
            }
        }
        self.close();
    }

    /// Close the control connection politely and drain what the client still sends.
    fn close(&mut self) {
        let _ = self.ctrl.close_gracefully();
        if let Some(tcp) = self.ctrl.tcp() {
            drain(tcp, Duration::from_secs(1));
        }
    }

    /// Switch the control connection to TLS (explicit after 234, or implicit).
    fn start_tls(&mut self, early: Vec<u8>) -> io::Result<()> {
        let config = self
            .tls
            .clone()
            .ok_or_else(|| io::Error::other("TLS is not configured"))?;
        let Channel::Plain(sock) = std::mem::replace(&mut self.ctrl, Channel::Closed) else {
            return Err(io::Error::other("control connection is not plain"));
        };
        let stream = tls_accept(sock, config, &early)?;
        self.ctrl = Channel::Tls(Box::new(stream));
        Ok(())
    }

    fn set_control_timeout(&self, timeout: Option<Duration>) {
        if let Some(tcp) = self.ctrl.tcp() {
            let _ = tcp.set_read_timeout(timeout);
        }
    }

    /// Read one command line (logged), or report a timeout/close.
    fn read_incoming(&mut self) -> Incoming {
        loop {
            if let Some(pos) = self.inbuf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.inbuf.drain(..=pos).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if std::mem::take(&mut self.discarding) || line.len() > MAX_LINE {
                    if self.write_raw(b"500 Command line too long.\r\n").is_err() {
                        return Incoming::Closed;
                    }
                    continue;
                }
                self.shared.log_command(&line);
                return Incoming::Line(line);
            }
            if self.inbuf.len() > MAX_LINE {
                self.inbuf.clear();
                self.discarding = true;
            }
            let mut buf = [0u8; 4096];
            match self.ctrl.read(&mut buf) {
                Ok(0) => return Incoming::Closed,
                Ok(n) => self.inbuf.extend_from_slice(&buf[..n]),
                Err(e) if is_timeout(&e) => return Incoming::Timeout,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Incoming::Closed,
            }
        }
    }

    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.ctrl.write_all(bytes)?;
        self.ctrl.flush()
    }

    /// Send a bare reply, unless an injected reply replaces it.
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.injected.take() {
            Some(raw) => self.write_raw(&raw),
            None => self.write_raw(bytes),
        }
    }

    /// Send a single-line reply.
    fn reply(&mut self, code: u16, text: &str) -> io::Result<()> {
        self.send(format!("{code} {}\r\n", one_line(text)).as_bytes())
    }

    /// Send a multi-line reply; `lines` are sent verbatim (each should start with a space).
    fn reply_multi(
        &mut self,
        code: u16,
        first: &str,
        lines: &[String],
        last: &str,
    ) -> io::Result<()> {
        let mut out = format!("{code}-{first}\r\n");
        for line in lines {
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str(&format!("{code} {last}\r\n"));
        self.send(out.as_bytes())
    }

    /// Handle one (already logged) command line: injections, parsing, dispatch.
    fn handle(&mut self, raw: &[u8]) -> io::Result<()> {
        let line = strip_telnet(raw);
        let (verb_bytes, arg_bytes) = match line.iter().position(|&b| b == b' ') {
            Some(pos) => (&line[..pos], &line[pos + 1..]),
            None => (line, &line[line.len()..]),
        };
        let verb = String::from_utf8_lossy(verb_bytes).to_ascii_uppercase();
        if let Some(raw) = self.shared.take_injection(&verb) {
            if TRANSFER_VERBS.contains(&verb.as_str()) {
                self.data = DataSetup::None;
                self.rest = 0;
                return self.write_raw(&raw);
            }
            if verb == "AUTH" && !raw.starts_with(b"234") {
                return self.write_raw(&raw);
            }
            self.injected = Some(raw);
        }
        if verb.is_empty() {
            self.reply(500, "Syntax error, command unrecognized.")?;
        } else {
            match std::str::from_utf8(arg_bytes) {
                Ok(arg) => self.dispatch(&verb, arg)?,
                Err(_) => self.reply(501, "Invalid UTF-8 in argument.")?,
            }
        }
        if let Some(raw) = self.injected.take() {
            self.write_raw(&raw)?;
        }
        Ok(())
    }

    fn dispatch(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        match verb {
            "USER" | "PASS" | "ACCT" => return self.handle_login(verb, arg),
            "AUTH" | "PBSZ" | "PROT" => return self.handle_security(verb, arg),
            "CCC" if self.shared.config.allow_ccc => return self.handle_ccc(),
            "FEAT" | "SYST" | "NOOP" | "OPTS" => return self.handle_info(verb, arg),
            "HOST" if self.shared.config.host_command => {
                return if matches!(self.login, Login::LoggedIn) {
                    self.reply(503, "HOST must come before USER.")
                } else {
                    self.reply(220, &format!("Host {arg} is served here."))
                };
            }
            "QUIT" => {
                self.quit = true;
                return self.reply(221, "Goodbye.");
            }
            _ => {}
        }
        if !KNOWN_VERBS.contains(&verb) {
            return self.reply(502, "Command not implemented.");
        }
        if !matches!(self.login, Login::LoggedIn) {
            return self.reply(530, "Please login with USER and PASS.");
        }
        match verb {
            "TYPE" | "MODE" | "STRU" | "ALLO" => self.handle_params(verb, arg),
            "PWD" | "XPWD" | "CWD" | "XCWD" | "CDUP" | "XCUP" => self.handle_navigation(verb, arg),
            "MKD" | "XMKD" | "RMD" | "XRMD" | "DELE" | "RNFR" | "RNTO" | "SITE" => {
                self.handle_file_ops(verb, arg)
            }
            "SIZE" | "MDTM" | "MLST" => self.handle_file_info(verb, arg),
            "HASH" | "XCRC" if self.shared.config.checksums => self.handle_checksum(verb, arg),
            "MFMT" if self.shared.config.mfmt => self.handle_mfmt(arg),
            "PASV" | "EPSV" | "PORT" | "EPRT" => self.handle_data_setup(verb, arg),
            "REST" => self.handle_rest(arg),
            "ABOR" => {
                self.data = DataSetup::None;
                self.reply(225, "No transfer to ABOR.")
            }
            "RETR" => self.handle_retr(arg),
            "STOR" | "APPE" => self.handle_store(verb, arg),
            "LIST" | "NLST" | "MLSD" => self.handle_listing(verb, arg),
            _ => self.reply(502, "Command not implemented."),
        }
    }

    // --- USER / PASS / ACCT -------------------------------------------------

    fn handle_login(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        let config = &self.shared.config;
        match verb {
            "USER" => {
                if arg.is_empty() {
                    return self.reply(501, "Syntax error in parameters or arguments.");
                }
                if self.shared.tls_required() && !self.ctrl.is_tls() {
                    self.login = Login::None;
                    return self.reply(530, "Non-anonymous sessions must use encryption.");
                }
                let anonymous =
                    arg.eq_ignore_ascii_case("anonymous") || arg.eq_ignore_ascii_case("ftp");
                if anonymous && config.allow_anonymous {
                    self.login = Login::LoggedIn;
                    return self.reply(230, "Login successful.");
                }
                self.login = Login::NeedPassword(arg.to_string());
                self.reply(331, "Please specify the password.")
            }
            "PASS" => match std::mem::replace(&mut self.login, Login::None) {
                Login::NeedPassword(user) => {
                    if user == config.user && arg == config.password {
                        if config.require_acct {
                            self.login = Login::NeedAccount;
                            self.reply(332, "Need account for login.")
                        } else {
                            self.login = Login::LoggedIn;
                            self.reply(230, "Login successful.")
                        }
                    } else {
                        self.reply(530, "Login incorrect.")
                    }
                }
                Login::LoggedIn => {
                    self.login = Login::LoggedIn;
                    self.reply(503, "Already logged in.")
                }
                other => {
                    self.login = other;
                    self.reply(503, "Login with USER first.")
                }
            },
            _ => match self.login {
                Login::NeedAccount => {
                    self.login = Login::LoggedIn;
                    self.reply(230, "Login successful.")
                }
                Login::LoggedIn => self.reply(202, "ACCT not needed."),
                _ => self.reply(503, "Login with USER and PASS first."),
            },
        }
    }

    // --- AUTH / PBSZ / PROT -------------------------------------------------

    fn handle_security(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        match verb {
            "AUTH" => {
                if !self.shared.tls_offered() {
                    return self.reply(502, "AUTH not supported.");
                }
                if self.ctrl.is_tls() {
                    return self.reply(503, "Already using TLS.");
                }
                let mechanism = arg.trim().to_ascii_uppercase();
                if !matches!(mechanism.as_str(), "TLS" | "SSL" | "TLS-C") {
                    return self.reply(504, "Unknown AUTH type.");
                }
                self.reply(234, "Proceed with negotiation.")?;
                let early = std::mem::take(&mut self.inbuf);
                if self.start_tls(early).is_err() {
                    self.quit = true;
                    return Ok(());
                }
                // RFC 4217: a fresh security context means a fresh login.
                self.login = Login::None;
                self.pbsz = false;
                self.prot_private = false;
                Ok(())
            }
            "PBSZ" => {
                if !self.ctrl.is_tls() {
                    return self.reply(503, "PBSZ needs a secure connection.");
                }
                if arg.trim().parse::<u64>().is_err() {
                    return self.reply(501, "Bad PBSZ value.");
                }
                self.pbsz = true;
                self.reply(200, "PBSZ=0")
            }
            _ => {
                if !self.ctrl.is_tls() {
                    return self.reply(503, "PROT needs a secure connection.");
                }
                if !self.pbsz {
                    return self.reply(503, "PBSZ must precede PROT.");
                }
                match arg.trim().to_ascii_uppercase().as_str() {
                    "C" => {
                        self.prot_private = false;
                        self.reply(200, "PROT now Clear.")
                    }
                    "P" => {
                        self.prot_private = true;
                        self.reply(200, "PROT now Private.")
                    }
                    "S" | "E" => self.reply(536, "PROT level not supported."),
                    _ => self.reply(504, "Unknown PROT level."),
                }
            }
        }
    }

    /// `CCC`: 200 under TLS, our close_notify, the client's, then clear text.
    fn handle_ccc(&mut self) -> io::Result<()> {
        if !self.ctrl.is_tls() {
            return self.reply(533, "CCC needs a secure connection.");
        }
        if !matches!(self.login, Login::LoggedIn) {
            return self.reply(503, "Log in first.");
        }
        self.reply(200, "Clearing the control channel.")?;
        let Channel::Tls(mut tls) = std::mem::replace(&mut self.ctrl, Channel::Closed) else {
            return Ok(());
        };
        tls.conn.send_close_notify();
        while tls.conn.wants_write() {
            tls.conn.write_tls(&mut tls.sock)?;
        }
        // The client's close_notify; nothing else may come under TLS.
        loop {
            match tls.conn.reader().read(&mut [0u8; 256]) {
                Ok(0) => break,
                Ok(_) => return Err(io::Error::other("data under TLS after CCC")),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
            // One whole record at a time, read exactly: the client's next command follows its
            // close_notify in clear text, maybe in the same segment, and must stay on the socket.
            let mut header = [0u8; 5];
            tls.sock.read_exact(&mut header)?;
            let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
            let mut record = header.to_vec();
            record.resize(5 + len, 0);
            tls.sock.read_exact(&mut record[5..])?;
            let mut fed = &record[..];
            while !fed.is_empty() {
                tls.conn.read_tls(&mut fed)?;
            }
            tls.conn.process_new_packets().map_err(io::Error::other)?;
        }
        let StreamOwned { sock, .. } = *tls;
        self.ctrl = Channel::Plain(sock);
        Ok(())
    }

    // --- FEAT / SYST / NOOP / OPTS -------------------------------------------

    fn handle_info(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        match verb {
            "SYST" => self.reply(215, "UNIX Type: L8"),
            "NOOP" => self.reply(200, "NOOP ok."),
            "FEAT" => {
                let config = &self.shared.config;
                let mut lines = Vec::new();
                if config.tls == TlsMode::Explicit && !config.refuse_auth_tls {
                    lines.push(" AUTH TLS".to_string());
                }
                if self.shared.tls_offered() {
                    lines.push(" PBSZ".to_string());
                    lines.push(" PROT".to_string());
                }
                if !config.disable_epsv {
                    lines.push(" EPSV".to_string());
                }
                if !config.disable_mlsd {
                    let f = self.facts;
                    let mark = |on: bool| if on { "*" } else { "" };
                    lines.push(format!(
                        " MLST type{};size{};modify{};perm{};",
                        mark(f.kind),
                        mark(f.size),
                        mark(f.modify),
                        mark(f.perm)
                    ));
                }
                if config.host_command {
                    lines.push(" HOST".to_string());
                }
                if config.allow_ccc {
                    lines.push(" CCC".to_string());
                }
                for feature in ["SIZE", "MDTM", "REST STREAM", "UTF8"] {
                    lines.push(format!(" {feature}"));
                }
                if config.checksums {
                    let mark = |name: &str| if self.hash == name { "*" } else { "" };
                    lines.push(format!(
                        " HASH SHA-256{};CRC32{}",
                        mark("SHA-256"),
                        mark("CRC32")
                    ));
                    lines.push(" XCRC filename;start;end".to_string());
                }
                if config.mfmt {
                    lines.push(" MFMT".to_string());
                }
                self.reply_multi(211, "Features:", &lines, "End")
            }
            _ => {
                let (name, value) = arg.trim().split_once(' ').unwrap_or((arg.trim(), ""));
                match name.to_ascii_uppercase().as_str() {
                    "UTF8" if value.trim().eq_ignore_ascii_case("ON") => {
                        self.reply(200, "Always in UTF8 mode.")
                    }
                    "HASH" if self.shared.config.checksums => {
                        match value.trim().to_ascii_uppercase().as_str() {
                            "SHA-256" => self.hash = "SHA-256",
                            "CRC32" => self.hash = "CRC32",
                            "" => {}
                            _ => return self.reply(504, "Unknown algorithm."),
                        }
                        let hash = self.hash;
                        self.reply(200, hash)
                    }
                    "MLST" if !self.shared.config.disable_mlsd => {
                        let mut facts = Facts {
                            kind: false,
                            size: false,
                            modify: false,
                            perm: false,
                        };
                        let mut selected = String::new();
                        for fact in value.trim().split(';').filter(|f| !f.is_empty()) {
                            let slot = match fact.to_ascii_lowercase().as_str() {
                                "type" => &mut facts.kind,
                                "size" => &mut facts.size,
                                "modify" => &mut facts.modify,
                                "perm" => &mut facts.perm,
                                _ => continue,
                            };
                            if !*slot {
                                *slot = true;
                                selected.push_str(&fact.to_ascii_lowercase());
                                selected.push(';');
                            }
                        }
                        self.facts = facts;
                        self.reply(200, &format!("MLST OPTS {selected}"))
                    }
                    _ => self.reply(501, "Option not understood."),
                }
            }
        }
    }

    // --- TYPE / MODE / STRU / ALLO -------------------------------------------

    fn handle_params(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        let arg = arg.trim().to_ascii_uppercase();
        match verb {
            "TYPE" => match arg.as_str() {
                "I" | "L 8" | "L8" => {
                    self.ascii = false;
                    self.reply(200, "Switching to Binary mode.")
                }
                "A" | "A N" => {
                    self.ascii = true;
                    self.reply(200, "Switching to ASCII mode.")
                }
                _ => self.reply(504, "Bad TYPE command."),
            },
            "MODE" if arg == "S" => self.reply(200, "Mode set to S."),
            "MODE" => self.reply(504, "Bad MODE command."),
            "STRU" if arg == "F" => self.reply(200, "Structure set to F."),
            "STRU" => self.reply(504, "Bad STRU command."),
            _ => self.reply(202, "ALLO command ignored."),
        }
    }

    // --- PWD / CWD / CDUP ------------------------------------------------------

    fn handle_navigation(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        if verb == "PWD" || verb == "XPWD" {
            let quoted = self.cwd.replace('"', "\"\"");
            return self.reply(257, &format!("\"{quoted}\" is the current directory"));
        }
        let target = if verb == "CDUP" || verb == "XCUP" {
            ".."
        } else {
            arg
        };
        if target.is_empty() {
            return self.reply(501, "Syntax error in parameters or arguments.");
        }
        match self.resolve(target) {
            Some((virt, _)) if self.shared.unreadable(&virt).is_some() => {
                self.reply(550, "Failed to change directory.")
            }
            Some((virt, _)) if self.shared.endless(&virt) => {
                self.cwd = virt;
                self.reply(250, "Directory successfully changed.")
            }
            Some((_, real)) if real.is_dir() => {
                // The path links resolve to, as vsftpd, ProFTPD and pure-ftpd answer PWD.
                self.cwd = self.physical(&real);
                self.reply(250, "Directory successfully changed.")
            }
            _ => self.reply(550, "Failed to change directory."),
        }
    }

    // --- MKD / RMD / DELE / RNFR / RNTO / SITE ------------------------------

    fn handle_file_ops(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        if verb == "SITE" {
            return self.handle_site(arg);
        }
        if arg.is_empty() {
            return self.reply(501, "Syntax error in parameters or arguments.");
        }
        let Some((virt, real)) = self.resolve(arg) else {
            return self.reply(550, "Permission denied.");
        };
        match verb {
            "MKD" | "XMKD" => match fs::create_dir(&real) {
                Ok(()) => {
                    let quoted = virt.replace('"', "\"\"");
                    self.reply(257, &format!("\"{quoted}\" created"))
                }
                Err(_) => self.reply(550, "Create directory operation failed."),
            },
            "RMD" | "XRMD" => {
                if virt == "/" || !real.is_dir() {
                    return self.reply(550, "Remove directory operation failed.");
                }
                match fs::remove_dir(&real) {
                    Ok(()) => self.reply(250, "Remove directory operation successful."),
                    Err(_) => self.reply(550, "Remove directory operation failed."),
                }
            }
            "DELE" => {
                let is_dir = fs::symlink_metadata(&real).is_ok_and(|m| m.is_dir());
                if is_dir {
                    return self.reply(550, "Delete operation failed.");
                }
                match fs::remove_file(&real) {
                    Ok(()) => self.reply(250, "Delete operation successful."),
                    Err(_) => self.reply(550, "Delete operation failed."),
                }
            }
            "RNFR" => {
                if virt == "/" || fs::symlink_metadata(&real).is_err() {
                    self.rename_from = None;
                    return self.reply(550, "RNFR command failed.");
                }
                self.rename_from = Some(real);
                self.reply(350, "Ready for RNTO.")
            }
            _ => {
                let Some(from) = self.rename_from.take() else {
                    return self.reply(503, "RNFR required first.");
                };
                if virt == "/" {
                    return self.reply(550, "Rename failed.");
                }
                match fs::rename(&from, &real) {
                    Ok(()) => self.reply(250, "Rename successful."),
                    Err(_) => self.reply(550, "Rename failed."),
                }
            }
        }
    }

    fn handle_site(&mut self, arg: &str) -> io::Result<()> {
        let mut parts = arg.trim_start().splitn(3, ' ');
        let sub = parts.next().unwrap_or("").to_ascii_uppercase();
        if sub != "CHMOD" {
            return self.reply(500, "Unknown SITE command.");
        }
        let (Some(mode), Some(path)) = (parts.next(), parts.next()) else {
            return self.reply(501, "SITE CHMOD needs 2 arguments.");
        };
        let Ok(mode) = u32::from_str_radix(mode, 8) else {
            return self.reply(501, "Bad mode.");
        };
        if mode > 0o7777 {
            return self.reply(501, "Bad mode.");
        }
        match self.resolve(path) {
            Some((_, real)) if real.exists() => {
                match fs::set_permissions(&real, fs::Permissions::from_mode(mode)) {
                    Ok(()) => self.reply(200, "SITE CHMOD command ok."),
                    Err(_) => self.reply(550, "SITE CHMOD command failed."),
                }
            }
            _ => self.reply(550, "SITE CHMOD command failed."),
        }
    }

    // --- SIZE / MDTM / MLST -----------------------------------------------------

    fn handle_file_info(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        if verb == "MLST" {
            if self.shared.config.disable_mlsd {
                return self.reply(500, "Unknown command.");
            }
            let target = if arg.is_empty() { "." } else { arg };
            let Some((virt, real)) = self.resolve(target) else {
                return self.reply(550, "Permission denied.");
            };
            let Ok(meta) = fs::metadata(&real) else {
                return self.reply(550, "No such file or directory.");
            };
            let facts = mlst_facts(
                &meta,
                if meta.is_dir() { "dir" } else { "file" },
                self.facts,
            );
            let lines = [format!(" {facts} {virt}")];
            return self.reply_multi(250, &format!("Listing {virt}"), &lines, "End");
        }
        let meta = self
            .resolve(arg)
            .and_then(|(_, real)| fs::metadata(real).ok())
            .filter(|m| m.is_file());
        match (verb, meta) {
            ("SIZE", Some(meta)) => self.reply(213, &meta.len().to_string()),
            ("SIZE", None) => self.reply(550, "Could not get file size."),
            (_, Some(meta)) => self.reply(213, &timestamp(meta.mtime())),
            (_, None) => self.reply(550, "Could not get file modification time."),
        }
    }

    // --- HASH / XCRC / MFMT -------------------------------------------------------

    fn handle_checksum(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        let path = arg.trim();
        let Some((virt, real)) = self.resolve(path) else {
            return self.reply(550, "Permission denied.");
        };
        let Ok(mut bytes) = fs::read(&real) else {
            return self.reply(550, "No such file.");
        };
        if self.shared.wrong_checksums.load(Ordering::SeqCst) {
            bytes.push(b'!');
        }
        let algorithm = if verb == "XCRC" { "CRC32" } else { self.hash };
        let hex = if algorithm == "CRC32" {
            format!("{:08X}", crc32fast::hash(&bytes))
        } else {
            use sha2::Digest;
            sha2::Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        if verb == "XCRC" {
            self.reply(250, &hex)
        } else {
            let len = bytes.len();
            let end = len.saturating_sub(1);
            self.reply(213, &format!("{algorithm} 0-{end} {hex} {virt}"))
        }
    }

    fn handle_mfmt(&mut self, arg: &str) -> io::Result<()> {
        let Some((stamp, path)) = arg.trim().split_once(' ') else {
            return self.reply(501, "Syntax: MFMT YYYYMMDDHHMMSS path");
        };
        let Some(secs) = parse_stamp(stamp) else {
            return self.reply(501, "Bad time.");
        };
        let Some((virt, real)) = self.resolve(path) else {
            return self.reply(550, "Permission denied.");
        };
        let when = UNIX_EPOCH + Duration::from_secs(secs);
        match File::options()
            .write(true)
            .open(&real)
            .and_then(|f| f.set_modified(when))
        {
            Ok(()) => self.reply(213, &format!("Modify={stamp}; {virt}")),
            Err(_) => self.reply(550, "Could not set the time."),
        }
    }

    // --- PASV / EPSV / PORT / EPRT -------------------------------------------

    fn handle_data_setup(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        match verb {
            "EPSV" if self.shared.config.disable_epsv => self.reply(500, "Unknown command."),
            "EPSV" if arg.trim().eq_ignore_ascii_case("ALL") => {
                self.epsv_all = true;
                self.reply(200, "EPSV ALL ok.")
            }
            "EPSV" if !matches!(arg.trim(), "" | "1") => {
                self.reply(522, "Network protocol not supported, use (1).")
            }
            _ if self.epsv_all && verb != "EPSV" => {
                self.reply(503, "Only EPSV allowed after EPSV ALL.")
            }
            "PASV" | "EPSV" => {
                self.data = DataSetup::None;
                let Ok(listener) = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)) else {
                    return self.reply(425, "Can't open passive connection.");
                };
                let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
                self.data = DataSetup::Passive(listener);
                if verb == "EPSV" {
                    return self
                        .reply(229, &format!("Entering Extended Passive Mode (|||{port}|)"));
                }
                let ip = self
                    .shared
                    .config
                    .pasv_address
                    .unwrap_or(Ipv4Addr::LOCALHOST);
                let [a, b, c, d] = ip.octets();
                let (p1, p2) = (port >> 8, port & 0xff);
                self.reply(
                    227,
                    &format!("Entering Passive Mode ({a},{b},{c},{d},{p1},{p2})."),
                )
            }
            _ => {
                let parsed = if verb == "PORT" {
                    parse_port(arg).map(SocketAddr::V4)
                } else {
                    match parse_eprt(arg) {
                        Err(true) => {
                            return self.reply(522, "Network protocol not supported, use (1).");
                        }
                        other => other.ok(),
                    }
                };
                self.data = DataSetup::None;
                match parsed {
                    Some(addr) if addr.ip() == self.peer.ip() && addr.port() != 0 => {
                        self.data = DataSetup::Active(addr);
                        self.reply(
                            200,
                            &format!("{verb} command successful. Consider using PASV."),
                        )
                    }
                    _ => self.reply(500, &format!("Illegal {verb} command.")),
                }
            }
        }
    }

    fn handle_rest(&mut self, arg: &str) -> io::Result<()> {
        match arg.trim().parse::<u64>() {
            Ok(offset) => {
                self.rest = offset;
                self.reply(350, &format!("Restart position accepted ({offset})."))
            }
            Err(_) => self.reply(501, "REST requires a non-negative integer."),
        }
    }

    // --- RETR / STOR / APPE / LIST / NLST / MLSD -------------------------------

    /// Checks shared by every transfer command; on failure the data setup is dropped.
    fn data_ready(&mut self) -> io::Result<bool> {
        if matches!(self.data, DataSetup::None) {
            self.reply(425, "Use PORT or PASV first.")?;
            return Ok(false);
        }
        if self.shared.tls_required() && !self.prot_private {
            self.data = DataSetup::None;
            self.reply(521, "Data connections must be encrypted.")?;
            return Ok(false);
        }
        Ok(true)
    }

    /// Reply to a failed pre-transfer check, discarding the prepared data channel.
    fn refuse_transfer(&mut self, code: u16, text: &str) -> io::Result<()> {
        self.data = DataSetup::None;
        self.reply(code, text)
    }

    fn handle_retr(&mut self, arg: &str) -> io::Result<()> {
        let rest = std::mem::take(&mut self.rest);
        if !self.data_ready()? {
            return Ok(());
        }
        let opened = self.resolve(arg).and_then(|(virt, real)| {
            let file = File::open(real).ok()?;
            let meta = file.metadata().ok().filter(|m| m.is_file())?;
            Some((virt, file, meta.len()))
        });
        let Some((virt, mut file, len)) = opened else {
            return self.refuse_transfer(550, "Failed to open file.");
        };
        if rest > len || file.seek(SeekFrom::Start(rest)).is_err() {
            return self.refuse_transfer(554, "Invalid REST parameter.");
        }
        let mode = if self.ascii { "ASCII" } else { "BINARY" };
        let name = virt.rsplit('/').next().unwrap_or("");
        let opening = format!("Opening {mode} mode data connection for {name} ({len} bytes).");
        let cut = self.shared.take_cut();
        let extra = self.shared.take_oversend();
        let source: Box<dyn Read + Send> = if extra > 0 {
            Box::new(file.chain(io::repeat(b'#').take(extra)))
        } else {
            Box::new(file)
        };
        self.transfer(Source::Send(source), &opening, cut, false)
    }

    fn handle_store(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        let rest = std::mem::take(&mut self.rest);
        if !self.data_ready()? {
            return Ok(());
        }
        let Some((_, real)) = self.resolve(arg).filter(|(virt, _)| virt != "/") else {
            return self.refuse_transfer(553, "Could not create file.");
        };
        if real.is_dir() {
            return self.refuse_transfer(553, "Could not create file.");
        }
        let file = if verb == "APPE" {
            OpenOptions::new().append(true).create(true).open(&real)
        } else if rest > 0 {
            let existing = fs::metadata(&real).map(|m| m.len()).unwrap_or(0);
            if existing < rest {
                return self.refuse_transfer(554, "Invalid REST parameter.");
            }
            OpenOptions::new()
                .write(true)
                .open(&real)
                .and_then(|mut f| {
                    f.set_len(rest)?;
                    f.seek(SeekFrom::Start(rest))?;
                    Ok(f)
                })
        } else {
            File::create(&real)
        };
        let Ok(file) = file else {
            return self.refuse_transfer(553, "Could not create file.");
        };
        let cut = self.shared.take_cut();
        let short = self.shared.take_short_upload();
        let result = self.transfer(Source::Receive(file), "Ok to send data.", cut, false);
        if short && let Ok(meta) = fs::metadata(&real) {
            // Processed before the next command (SIZE), which is read only after this returns.
            let _ = OpenOptions::new()
                .write(true)
                .open(&real)
                .and_then(|f| f.set_len(meta.len() / 2));
        }
        result
    }

    fn handle_listing(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        self.rest = 0;
        if verb == "MLSD" && self.shared.config.disable_mlsd {
            return self.reply(500, "Unknown command.");
        }
        if !self.data_ready()? {
            return Ok(());
        }
        let fake = lock(&self.shared.fake_listing).take();
        if let Some(body) = fake {
            return self.send_listing(body);
        }
        let mut target = arg.trim();
        if verb != "MLSD" {
            // `ls`-style options ("-a", "-la") are accepted and ignored.
            while target.starts_with('-') {
                target = target
                    .split_once(' ')
                    .map_or("", |(_, rest)| rest.trim_start());
            }
        }
        let target = if target.is_empty() { "." } else { target };
        let Some((virt, real)) = self.resolve(target) else {
            return self.refuse_transfer(550, "Permission denied.");
        };
        let fake = lock(&self.shared.fake_listings).get(&virt).cloned();
        if let Some(body) = fake {
            return self.send_listing(body);
        }
        if self.shared.endless(&virt) {
            let listing = Session::endless_listing(verb).into_bytes();
            return self.transfer(
                Source::Send(Box::new(io::Cursor::new(listing))),
                "Here comes the directory listing.",
                None,
                true,
            );
        }
        // vsftpd, failing to open the folder, lists the entry of that name in its parent.
        let mut list_itself = false;
        if let Some((how, itself)) = self.shared.unreadable(&virt) {
            match self.unreadable_listing(verb, how, itself, target.ends_with('/')) {
                Some(answered) => return answered,
                None => list_itself = true,
            }
        }
        let Ok(meta) = fs::metadata(&real) else {
            return self.refuse_transfer(550, "No such file or directory.");
        };
        let listing = if meta.is_dir() && !list_itself {
            match self.render_dir(verb, &real) {
                Ok(listing) => listing,
                Err(_) => return self.refuse_transfer(550, "Failed to read directory."),
            }
        } else if verb == "MLSD" {
            return self.refuse_transfer(501, "MLSD target is not a directory.");
        } else {
            let name = real
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let link = fs::symlink_metadata(&real).unwrap_or(meta);
            self.render_entry(verb, &name, &real, &link)
        };
        self.transfer(
            Source::Send(Box::new(io::Cursor::new(listing.into_bytes()))),
            "Here comes the directory listing.",
            None,
            true,
        )
    }

    /// Sends `body` as the listing.
    fn send_listing(&mut self, body: Vec<u8>) -> io::Result<()> {
        self.transfer(
            Source::Send(Box::new(io::Cursor::new(body))),
            "Here comes the directory listing.",
            None,
            true,
        )
    }

    /// All entries of a directory in the format of `verb`, sorted by name.
    fn render_dir(&self, verb: &str, dir: &Path) -> io::Result<String> {
        let mut out = String::new();
        if verb == "MLSD" {
            let meta = fs::metadata(dir)?;
            out.push_str(&format!("{} .\r\n", mlst_facts(&meta, "cdir", self.facts)));
            let parent = dir.parent().and_then(|p| fs::metadata(p).ok());
            if let Some(parent) = parent.filter(|_| dir != self.shared.root) {
                let facts = mlst_facts(&parent, "pdir", self.facts);
                out.push_str(&format!("{facts} ..\r\n"));
            }
        }
        let mut entries: Vec<(String, PathBuf)> = fs::read_dir(dir)?
            .filter_map(|e| e.ok())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect();
        entries.sort();
        for (name, path) in entries {
            if let Ok(meta) = fs::symlink_metadata(&path) {
                out.push_str(&self.render_entry(verb, &name, &path, &meta));
            }
        }
        Ok(out)
    }

    /// One listing line (CRLF-terminated). `meta` is the entry's own (lstat) metadata.
    fn render_entry(&self, verb: &str, name: &str, path: &Path, meta: &fs::Metadata) -> String {
        match verb {
            "NLST" => format!("{name}\r\n"),
            "MLSD" => {
                let target = fs::metadata(path).unwrap_or_else(|_| meta.clone());
                let kind = if target.is_dir() { "dir" } else { "file" };
                format!("{} {name}\r\n", mlst_facts(&target, kind, self.facts))
            }
            _ => {
                let link = if meta.file_type().is_symlink() {
                    fs::read_link(path)
                        .map(|t| format!(" -> {}", t.to_string_lossy()))
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                let zone = self.shared.config.list_zone_offset_seconds;
                format!("{}{link}\r\n", ls_line(name, meta, zone))
            }
        }
    }

    /// Open the data connection, send 150, run the transfer on a helper thread while
    /// watching the control connection for ABOR, then send the final reply.
    fn transfer(
        &mut self,
        source: Source,
        opening: &str,
        cut: Option<u64>,
        listing: bool,
    ) -> io::Result<()> {
        let upload = matches!(source, Source::Receive(_));
        let Some(stream) = self.open_data_connection() else {
            return self.reply(425, "Failed to establish connection.");
        };
        self.reply(150, opening)?;
        let abort = Arc::new(AtomicBool::new(false));
        let killer = stream.try_clone().ok();
        let job = DataJob {
            _guard: self.shared.register(&stream),
            tls: if self.prot_private {
                self.tls.clone()
            } else {
                None
            },
            require_reuse: self.shared.config.require_session_reuse,
            cut,
            abort: Arc::clone(&abort),
            shared: Arc::clone(&self.shared),
        };
        let (tx, rx) = mpsc::channel();
        let spawned = thread::Builder::new()
            .name("ftp-data".into())
            .spawn(move || {
                let _ = tx.send(job.run(stream, source));
            });
        if spawned.is_err() {
            return self.reply(451, "Local error: cannot start the transfer.");
        }
        self.set_control_timeout(Some(POLL_INTERVAL));
        let waited = self.await_transfer(&rx, &abort, killer.as_ref());
        self.set_control_timeout(None);
        match waited {
            Waited::Done(outcome) => self.reply_outcome(outcome, upload, listing),
            Waited::DoneBeforeAbor(outcome) => {
                self.reply_outcome(outcome, upload, listing)?;
                self.injected = self.shared.take_injection("ABOR");
                self.reply(225, "No transfer to ABOR.")
            }
            Waited::Aborted => match self.shared.take_injection("ABOR") {
                Some(raw) => self.write_raw(&raw),
                None => {
                    self.reply(426, "Connection closed; transfer aborted.")?;
                    self.reply(226, "ABOR successful.")
                }
            },
            Waited::ControlClosed => {
                self.quit = true;
                Ok(())
            }
        }
    }

    /// Wait for the data worker, queueing commands and reacting to ABOR.
    fn await_transfer(
        &mut self,
        rx: &mpsc::Receiver<Outcome>,
        abort: &AtomicBool,
        killer: Option<&TcpStream>,
    ) -> Waited {
        let stop = |abort: &AtomicBool| {
            abort.store(true, Ordering::SeqCst);
            if let Some(socket) = killer {
                let _ = socket.shutdown(Shutdown::Both);
            }
            let _ = rx.recv();
        };
        loop {
            match rx.try_recv() {
                Ok(outcome) => return Waited::Done(outcome),
                Err(mpsc::TryRecvError::Disconnected) => {
                    return Waited::Done(Outcome::LocalError("transfer thread died".into()));
                }
                Err(mpsc::TryRecvError::Empty) => {}
            }
            if self.shared.stopped() {
                stop(abort);
                return Waited::ControlClosed;
            }
            match self.read_incoming() {
                Incoming::Timeout => {}
                Incoming::Closed => {
                    stop(abort);
                    return Waited::ControlClosed;
                }
                Incoming::Line(line) => {
                    if verb_of(&line) != "ABOR" {
                        self.pending.push_back(line);
                        continue;
                    }
                    if let Ok(outcome) = rx.try_recv() {
                        return Waited::DoneBeforeAbor(outcome);
                    }
                    stop(abort);
                    return Waited::Aborted;
                }
            }
        }
    }

    fn reply_outcome(&mut self, outcome: Outcome, upload: bool, listing: bool) -> io::Result<()> {
        match outcome {
            Outcome::Complete if listing => {
                let text = self.listing_done.take().unwrap_or("Directory send OK.");
                self.reply(226, text)
            }
            Outcome::Complete => self.reply(226, "Transfer complete."),
            Outcome::Aborted | Outcome::ClientGone => {
                self.reply(426, "Connection closed; transfer aborted.")
            }
            Outcome::Cut if upload => self.reply(426, "Failure reading network stream."),
            Outcome::Cut => self.reply(426, "Failure writing network stream."),
            Outcome::ReuseRequired => {
                self.reply(522, "SSL connection failed: session reuse required")
            }
            Outcome::TlsFailed(e) => self.reply(522, &format!("SSL connection failed: {e}")),
            Outcome::LocalError(e) => self.reply(451, &format!("Local error: {e}")),
        }
    }

    /// Accept (passive) or connect (active) the data connection; consumes the setup.
    fn open_data_connection(&mut self) -> Option<TcpStream> {
        let stream = match std::mem::replace(&mut self.data, DataSetup::None) {
            DataSetup::None => return None,
            DataSetup::Passive(listener) => accept_with_timeout(&listener, &self.shared)?,
            DataSetup::Active(addr) => {
                TcpStream::connect_timeout(&addr, DATA_CONNECT_TIMEOUT).ok()?
            }
        };
        let _ = stream.set_nodelay(true);
        self.shared.data_total.fetch_add(1, Ordering::SeqCst);
        Some(stream)
    }

    /// The virtual path of a real folder with its links resolved.
    fn physical(&self, real: &Path) -> String {
        let canonical = real.canonicalize().unwrap_or_else(|_| real.to_owned());
        let inside = canonical
            .strip_prefix(&self.shared.root)
            .unwrap_or(Path::new(""));
        let parts: Vec<String> = inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        format!("/{}", parts.join("/"))
    }

    /// The listing of a folder in the endless tree: `a/`, `b/` and `f.txt`, always.
    fn endless_listing(verb: &str) -> String {
        if verb == "MLSD" {
            [
                "type=cdir;modify=20240101000000; .",
                "type=dir;modify=20240101000000; a",
                "type=dir;modify=20240101000000; b",
                "type=file;size=3;modify=20240101000000; f.txt",
            ]
            .map(|line| format!("{line}\r\n"))
            .concat()
        } else {
            [
                "drwxr-xr-x 2 ftp ftp 4096 Jan 01  2024 a",
                "drwxr-xr-x 2 ftp ftp 4096 Jan 01  2024 b",
                "-rw-r--r-- 1 ftp ftp    3 Jan 01  2024 f.txt",
            ]
            .map(|line| format!("{line}\r\n"))
            .concat()
        }
    }

    /// The answer to a listing of an unreadable folder (`itself`) or of a path under one, as
    /// `how` says; None when the folder's own entry is to be listed instead (vsftpd without
    /// the trailing `/`).
    fn unreadable_listing(
        &mut self,
        verb: &str,
        how: Unreadable,
        itself: bool,
        slash: bool,
    ) -> Option<io::Result<()>> {
        let empty = |session: &mut Session, done: &'static str| {
            session.listing_done = Some(done);
            session.transfer(
                Source::Send(Box::new(io::Cursor::new(Vec::new()))),
                "Here comes the directory listing.",
                None,
                true,
            )
        };
        match how {
            Unreadable::Vsftpd if verb == "MLSD" => {
                Some(self.refuse_transfer(550, "Permission denied."))
            }
            Unreadable::Vsftpd if itself && !slash => None,
            Unreadable::Vsftpd => {
                Some(empty(self, "Transfer done (but failed to open directory)."))
            }
            Unreadable::Refused => Some(self.refuse_transfer(550, "Permission denied.")),
            Unreadable::Silent => Some(empty(self, "Transfer complete")),
        }
    }

    /// Map a client path onto (virtual absolute path, real path); `None` if it escapes the root.
    fn resolve(&self, arg: &str) -> Option<(String, PathBuf)> {
        if arg.contains('\0') {
            return None;
        }
        let mut parts: Vec<&str> = if arg.starts_with('/') {
            Vec::new()
        } else {
            self.cwd.split('/').filter(|p| !p.is_empty()).collect()
        };
        for component in arg.split('/') {
            match component {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                name => parts.push(name),
            }
        }
        let mut real = self.shared.root.clone();
        real.extend(&parts);
        // Refuse paths that leave the root through a symlink.
        let existing = real.ancestors().find_map(|p| p.canonicalize().ok())?;
        if !existing.starts_with(&self.shared.root) {
            return None;
        }
        Some((format!("/{}", parts.join("/")), real))
    }
}

/// Accept one connection within [`DATA_CONNECT_TIMEOUT`].
fn accept_with_timeout(listener: &TcpListener, shared: &Shared) -> Option<TcpStream> {
    listener.set_nonblocking(true).ok()?;
    let deadline = Instant::now() + DATA_CONNECT_TIMEOUT;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).ok()?;
                return Some(stream);
            }
            Err(e)
                if e.kind() == io::ErrorKind::WouldBlock
                    || e.kind() == io::ErrorKind::Interrupted =>
            {
                if Instant::now() >= deadline || shared.stopped() {
                    return None;
                }
                thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return None,
        }
    }
}

/// Read and discard until EOF, an error or `timeout`.
fn drain(mut tcp: &TcpStream, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    let _ = tcp.set_read_timeout(Some(Duration::from_millis(100)));
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match tcp.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Drop leading Telnet IAC sequences (IAC IP / IAC DM sent before ABOR).
fn strip_telnet(mut line: &[u8]) -> &[u8] {
    loop {
        match line {
            [0xff, _, rest @ ..] => line = rest,
            [0xf2, rest @ ..] => line = rest,
            _ => return line,
        }
    }
}

/// The upper-cased verb of a raw command line.
fn verb_of(line: &[u8]) -> String {
    let line = strip_telnet(line);
    let end = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    String::from_utf8_lossy(&line[..end]).to_ascii_uppercase()
}

/// Keep reply text on one line.
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// Parse `h1,h2,h3,h4,p1,p2`.
fn parse_port(arg: &str) -> Option<SocketAddrV4> {
    let nums: Vec<u8> = arg
        .trim()
        .split(',')
        .map(|n| n.trim().parse::<u8>())
        .collect::<Result<_, _>>()
        .ok()?;
    let [a, b, c, d, p1, p2] = nums[..] else {
        return None;
    };
    Some(SocketAddrV4::new(
        Ipv4Addr::new(a, b, c, d),
        u16::from(p1) << 8 | u16::from(p2),
    ))
}

/// Parse `|proto|addr|port|`; `Err(true)` = unsupported protocol, `Err(false)` = syntax.
fn parse_eprt(arg: &str) -> Result<SocketAddr, bool> {
    let arg = arg.trim();
    let delim = arg.chars().next().ok_or(false)?;
    let fields: Vec<&str> = arg.split(delim).collect();
    let [_, proto, addr, port, _] = fields[..] else {
        return Err(false);
    };
    let port: u16 = port.parse().map_err(|_| false)?;
    match proto {
        "1" => Ok(SocketAddr::from((
            addr.parse::<Ipv4Addr>().map_err(|_| false)?,
            port,
        ))),
        "2" => Ok(SocketAddr::from((
            addr.parse::<Ipv6Addr>().map_err(|_| false)?,
            port,
        ))),
        _ => Err(true),
    }
}

// ---------------------------------------------------------------------------
// Data transfers
// ---------------------------------------------------------------------------

/// What a data connection carries.
enum Source {
    /// Server → client (RETR and listings).
    Send(Box<dyn Read + Send>),
    /// Client → server (STOR/APPE), written to this file.
    Receive(File),
}

/// How a data transfer ended.
enum Outcome {
    Complete,
    Aborted,
    ClientGone,
    Cut,
    ReuseRequired,
    TlsFailed(String),
    LocalError(String),
}

/// What the data worker thread needs besides the socket and the source.
struct DataJob {
    /// Keeps the data socket in the shutdown registry while the transfer runs.
    _guard: SocketGuard,
    tls: Option<Arc<rustls::ServerConfig>>,
    require_reuse: bool,
    cut: Option<u64>,
    abort: Arc<AtomicBool>,
    shared: Arc<Shared>,
}

impl DataJob {
    /// Run the transfer: TLS handshake (when PROT P), then move the bytes.
    fn run(self, stream: TcpStream, source: Source) -> Outcome {
        let chan = match self.secure(stream) {
            Ok(chan) => chan,
            Err(outcome) => return outcome,
        };
        if let Some(tcp) = chan.tcp() {
            let _ = tcp.set_read_timeout(Some(DATA_IO_TIMEOUT));
            let _ = tcp.set_write_timeout(Some(DATA_IO_TIMEOUT));
        }
        match source {
            Source::Send(reader) => self.send(chan, reader),
            Source::Receive(file) => self.receive(chan, file),
        }
    }

    /// Server-side TLS accept on the data socket, enforcing session reuse.
    fn secure(&self, stream: TcpStream) -> Result<Channel, Outcome> {
        let Some(config) = &self.tls else {
            return Ok(Channel::Plain(stream));
        };
        let tls = match tls_accept(stream, Arc::clone(config), &[]) {
            Ok(tls) => tls,
            Err(_) if self.aborted() => return Err(Outcome::Aborted),
            Err(e) => return Err(Outcome::TlsFailed(e.to_string())),
        };
        if tls.conn.handshake_kind() == Some(HandshakeKind::Resumed) {
            self.shared.data_resumed.fetch_add(1, Ordering::SeqCst);
        } else if self.require_reuse {
            Channel::Tls(Box::new(tls)).hard_close();
            return Err(Outcome::ReuseRequired);
        }
        Ok(Channel::Tls(Box::new(tls)))
    }

    fn aborted(&self) -> bool {
        self.abort.load(Ordering::SeqCst)
    }

    /// Outcome of a failed read/write on the data connection.
    fn broken(&self) -> Outcome {
        if self.aborted() {
            Outcome::Aborted
        } else {
            Outcome::ClientGone
        }
    }

    /// Size of the next chunk, or `None` once the cut point is reached.
    fn next_chunk(&self, pacer: &mut Pacer, moved: u64) -> Option<usize> {
        let want = pacer.chunk_len(&self.shared);
        match self.cut {
            Some(limit) if moved >= limit => None,
            Some(limit) => Some(want.min(usize::try_from(limit - moved).unwrap_or(usize::MAX))),
            None => Some(want),
        }
    }

    /// Download: send everything, then close_notify + FIN.
    fn send(&self, mut chan: Channel, mut reader: Box<dyn Read + Send>) -> Outcome {
        let mut pacer = Pacer::new();
        let mut buf = vec![0u8; CHUNK];
        let mut moved: u64 = 0;
        loop {
            if self.aborted() {
                return Outcome::Aborted;
            }
            let Some(want) = self.next_chunk(&mut pacer, moved) else {
                let _ = chan.flush();
                chan.hard_close();
                return Outcome::Cut;
            };
            let n = match reader.read(&mut buf[..want]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Outcome::LocalError(e.to_string()),
            };
            if chan.write_all(&buf[..n]).is_err() {
                return self.broken();
            }
            moved += n as u64;
            pacer.account(n, &self.abort);
        }
        if chan.close_gracefully().is_err() {
            return self.broken();
        }
        // Swallow the client's close_notify in the background so that it gets no RST.
        if let Some(tcp) = chan.tcp().and_then(|t| t.try_clone().ok()) {
            let _ = thread::Builder::new()
                .name("ftp-data-drain".into())
                .spawn(move || drain(&tcp, Duration::from_secs(2)));
        }
        Outcome::Complete
    }

    /// Upload: read until close_notify or EOF, then answer with close_notify + FIN.
    fn receive(&self, mut chan: Channel, mut file: File) -> Outcome {
        let mut pacer = Pacer::new();
        let mut buf = vec![0u8; CHUNK];
        let mut moved: u64 = 0;
        loop {
            if self.aborted() {
                return Outcome::Aborted;
            }
            let Some(want) = self.next_chunk(&mut pacer, moved) else {
                chan.hard_close();
                return Outcome::Cut;
            };
            let n = match chan.read(&mut buf[..want]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // EOF without close_notify: accepted as the end of the upload.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(_) => return self.broken(),
            };
            if let Err(e) = file.write_all(&buf[..n]) {
                return Outcome::LocalError(format!("cannot write file: {e}"));
            }
            moved += n as u64;
            pacer.account(n, &self.abort);
        }
        let _ = chan.close_gracefully();
        Outcome::Complete
    }
}

/// Paces a transfer to the server's current throttle setting.
struct Pacer {
    rate: u64,
    epoch: Instant,
    bytes: u64,
}

impl Pacer {
    fn new() -> Pacer {
        Pacer {
            rate: 0,
            epoch: Instant::now(),
            bytes: 0,
        }
    }

    /// Size of the next chunk; restarts the pacing clock when the rate changed.
    fn chunk_len(&mut self, shared: &Shared) -> usize {
        let rate = shared.throttle();
        if rate != self.rate {
            self.rate = rate;
            self.epoch = Instant::now();
            self.bytes = 0;
        }
        if rate == 0 {
            CHUNK
        } else {
            usize::try_from(rate / 20).unwrap_or(CHUNK).clamp(1, CHUNK)
        }
    }

    /// Record `n` bytes and sleep until they are due (waking early on abort).
    fn account(&mut self, n: usize, abort: &AtomicBool) {
        if self.rate == 0 {
            return;
        }
        self.bytes += n as u64;
        let wait = Duration::from_secs_f64(self.bytes as f64 / self.rate as f64);
        let due = self.epoch.checked_add(wait).unwrap_or_else(Instant::now);
        loop {
            let now = Instant::now();
            if now >= due || abort.load(Ordering::SeqCst) {
                return;
            }
            thread::sleep((due - now).min(Duration::from_millis(20)));
        }
    }
}

// ---------------------------------------------------------------------------
// Listings and time formatting
// ---------------------------------------------------------------------------

/// `ls -l`-style line (without terminator) for one entry.
fn ls_line(name: &str, meta: &fs::Metadata, zone_offset_seconds: i64) -> String {
    let kind = if meta.file_type().is_symlink() {
        'l'
    } else if meta.is_dir() {
        'd'
    } else {
        '-'
    };
    let mode = meta.mode();
    let mut perms = String::with_capacity(9);
    for shift in [6u32, 3, 0] {
        let bits = (mode >> shift) & 7;
        perms.push(if bits & 4 != 0 { 'r' } else { '-' });
        perms.push(if bits & 2 != 0 { 'w' } else { '-' });
        perms.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    format!(
        "{kind}{perms} {:>4} {:<8} {:<8} {:>8} {} {name}",
        meta.nlink(),
        "ftp",
        "ftp",
        meta.len(),
        ls_date(meta.mtime() + zone_offset_seconds),
    )
}

/// `Mon dd HH:MM` within six months of now, `Mon dd  YYYY` otherwise (UTC).
fn ls_date(mtime: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let (year, month, day, hour, minute, _) = civil(mtime);
    let month = MONTHS[(month as usize).saturating_sub(1).min(11)];
    if now.abs_diff(mtime) < 180 * 86_400 {
        format!("{month} {day:>2} {hour:02}:{minute:02}")
    } else {
        format!("{month} {day:>2}  {year}")
    }
}

/// RFC 3659 facts (with trailing `;`) for one entry.
fn mlst_facts(meta: &fs::Metadata, kind: &str, facts: Facts) -> String {
    let mut out = String::new();
    if facts.kind {
        out.push_str(&format!("type={kind};"));
    }
    if facts.size && kind == "file" {
        out.push_str(&format!("size={};", meta.len()));
    }
    if facts.modify {
        out.push_str(&format!("modify={};", timestamp(meta.mtime())));
    }
    if facts.perm {
        let mode = meta.mode();
        let (read, write, exec) = (mode & 0o400 != 0, mode & 0o200 != 0, mode & 0o100 != 0);
        let mut perm = String::new();
        if kind == "file" {
            if write {
                perm.push_str("adfw");
            }
            if read {
                perm.push('r');
            }
        } else {
            if write {
                perm.push_str("cdfmp");
            }
            if exec {
                perm.push('e');
            }
            if read {
                perm.push('l');
            }
        }
        out.push_str(&format!("perm={perm};"));
    }
    out
}

/// `YYYYMMDDHHMMSS` in UTC.
/// `YYYYMMDDHHMMSS` (UTC) to Unix seconds.
fn parse_stamp(stamp: &str) -> Option<u64> {
    if stamp.len() != 14 || !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |r: std::ops::Range<usize>| stamp[r].parse::<i64>().ok();
    let (y, mo, d) = (field(0..4)?, field(4..6)?, field(6..8)?);
    let (h, mi, s) = (field(8..10)?, field(10..12)?, field(12..14)?);
    // Days from civil (Howard Hinnant).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + mi * 60 + s).ok()
}

fn timestamp(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
}

/// Unix seconds → (year, month, day, hour, minute, second), UTC.
fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month as u32,
        day as u32,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}
