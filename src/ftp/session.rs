//! A logged-in FTP session: the control connection, its security, and every command Ferry uses.
//!
//! Blocking and single-threaded by design: one `Session` belongs to one worker thread. The
//! window and the queue run sessions on their own threads and talk to them over channels.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use rustls::client::Resumption;
use rustls::pki_types::{CertificateDer, ServerName};

use super::checksum::{Algorithm, Method};
use super::data::{self, DataMode};
use super::error::{FtpError, Result};
use super::features::Features;
use super::listing::{self, Entry, Timestamp};
use super::log::{LogKind, NullLog, ProtocolLog, log_reply, masked_command};
use super::path;
use super::proxy::Proxy;
use super::reply::{LineReader, ReadReplyError, Reply};
use super::stream::{Deadline, NetStream, Pace, Socket, TlsInfo};
use super::text::escape;
use super::tickets::SessionTickets;

/// Size of the buffers used to move file data: large enough for full speed over TLS.
pub const TRANSFER_BUFFER: usize = 256 * 1024;

/// The largest plaintext a TLS record carries: the buffer of a download is refilled until
/// less than this is free.
const MAX_TLS_RECORD: usize = 16 * 1024;

/// A download is written to the disk in blocks of this size. Measured on Linux (ext4, in a
/// VM): with 256 KiB writes the kernel's copy into the page cache cost five times as much CPU
/// as with 64 KiB (larger page-cache folios, freshly allocated), and the block stays in the
/// CPU's cache between the TLS copy and the write.
const DOWNLOAD_BLOCK: usize = 64 * 1024;

/// What a data connection receives per system call (see `stream::Socket::set_read_ahead`).
const DATA_READ_AHEAD: usize = 128 * 1024;
/// Most entries a single listing may hold before Ferry refuses it (bounded memory).
pub const MAX_LISTING_ENTRIES: usize = 2_000_000;
/// Most bytes a single listing may send before Ferry refuses it: memory is bounded by bytes,
/// not only by entries (ten thousand entries with 60 KB names are 600 MB). A million entries of
/// a real server's `LIST` are about 80 MB.
pub const MAX_LISTING_BYTES: u64 = 256 * 1024 * 1024;
/// Longest listing line Ferry parses; longer ones are skipped (no file system has names near
/// this long: 255 bytes on Linux and macOS, 255 UTF-16 units on Windows).
const MAX_LISTING_LINE: usize = 16 * 1024;
/// The least a transfer must move per second, on average over each I/O-timeout window, before
/// Ferry gives up on it. Far below any real link; far above a server that trickles a byte a
/// second to hold the connection.
pub const MIN_TRANSFER_RATE: u64 = 64;
/// How far past the announced size a download may run before Ferry stops reading: a file that
/// grows a little while it is read is "changed", one that runs far past is a broken or hostile
/// server.
pub const OVERRUN_MARGIN: u64 = 64 * 1024;

/// How the control connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// AUTH TLS on the plain port (usually 21), required: a refusal is an error, never a
    /// fallback to clear text.
    ExplicitTls,
    /// TLS from the first byte (usually port 990).
    ImplicitTls,
    /// No encryption at all. Only when the user asked for it.
    Plain,
}

impl Security {
    /// The usual port for this mode.
    pub fn default_port(self) -> u16 {
        match self {
            Security::ImplicitTls => 990,
            _ => 21,
        }
    }
}

/// Everything needed to open a control connection.
#[derive(Clone)]
pub struct ConnectOptions {
    /// Host name or IP literal (no brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Explicit, implicit or plain.
    pub security: Security,
    /// TLS settings (verifier, versions). Required unless `security` is `Plain`. Each session
    /// gets its own session cache on top of it, so data connections resume this session's TLS
    /// and nothing else's.
    pub tls: Option<Arc<ClientConfig>>,
    /// A TLS 1.2-only version of `tls`, for the one server behaviour TLS 1.3 cannot survive with
    /// rustls: a server that demands session reuse on data connections but does not renew TLS 1.3
    /// tickets on uploads (ProFTPD). rustls uses each TLS 1.3 ticket once, so after a few uploads
    /// no ticket is left; the session then reconnects with this configuration, whose TLS 1.2
    /// session can be resumed any number of times. None: never fall back.
    pub tls12_fallback: Option<Arc<ClientConfig>>,
    /// How long to wait for the TCP connection.
    pub connect_timeout: Duration,
    /// How long any read or write may stall before the operation fails.
    pub io_timeout: Duration,
    /// Passive (default) or active data connections.
    pub data_mode: DataMode,
    /// Try EPSV before PASV in passive mode (default). Off for servers or firewalls that
    /// mishandle EPSV.
    pub use_epsv: bool,
    /// Where the protocol dialogue goes.
    pub log: Arc<dyn ProtocolLog>,
    /// The least bytes per second a transfer or listing must move, averaged over each
    /// `io_timeout` window ([`MIN_TRANSFER_RATE`]); 0 turns the rule off.
    pub min_transfer_rate: u64,
    /// Most bytes one listing may send ([`MAX_LISTING_BYTES`]).
    pub max_listing_bytes: u64,
    /// Before logging in, ask FEAT and send `HOST name` (RFC 7151) when the server has it:
    /// one address serving several virtual hosts then knows which one is meant. Never for an
    /// IP literal.
    pub send_host: bool,
    /// After login (and `PROT P`), end TLS on the control connection with `CCC` (RFC 4217
    /// §6), so a firewall or NAT on the way can read PASV/PORT; data connections stay
    /// encrypted. The password has gone over TLS by then. A server that refuses is logged
    /// and the control connection stays encrypted.
    pub clear_control: bool,
    /// A SOCKS5 or HTTP CONNECT proxy for the control connection and every data connection
    /// (passive mode only: a proxy cannot carry a connection the server opens to us). Data
    /// connections tunnel to the host name, like the control connection, never to an address
    /// from PASV.
    pub proxy: Option<Proxy>,
}

impl ConnectOptions {
    /// Options with the defaults: 20 s timeouts, passive mode, no log.
    pub fn new(
        host: impl Into<String>,
        port: u16,
        security: Security,
        tls: Option<Arc<ClientConfig>>,
    ) -> Self {
        ConnectOptions {
            host: host.into(),
            port,
            security,
            tls,
            tls12_fallback: None,
            connect_timeout: Duration::from_secs(20),
            io_timeout: Duration::from_secs(20),
            data_mode: DataMode::Passive,
            use_epsv: true,
            log: Arc::new(NullLog),
            min_transfer_rate: MIN_TRANSFER_RATE,
            max_listing_bytes: MAX_LISTING_BYTES,
            send_host: true,
            clear_control: false,
            proxy: None,
        }
    }
}

impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("data_mode", &self.data_mode)
            .finish_non_exhaustive()
    }
}

/// Login credentials. `Debug` never shows the password.
#[derive(Clone)]
pub struct Credentials {
    /// User name.
    pub user: String,
    /// Password (may be empty).
    pub password: String,
    /// Account, sent only if the server asks for it with 332.
    pub account: Option<String>,
}

impl Credentials {
    /// A user and password.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            user: user.into(),
            password: password.into(),
            account: None,
        }
    }

    /// Anonymous FTP: user `anonymous`, a placeholder e-mail as password.
    pub fn anonymous() -> Self {
        Credentials::new("anonymous", "ferry@")
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"****")
            .finish_non_exhaustive()
    }
}

/// How an upload writes the remote file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadMode {
    /// STOR: create or replace.
    Replace,
    /// REST n + STOR: continue a partial upload at byte n (the reader must already be at n).
    Resume(u64),
    /// APPE: append to what is there.
    Append,
}

/// Progress reporting and cancellation for one transfer.
pub struct TransferControl<'a> {
    /// Called with the total bytes moved so far in this transfer (excluding the resume offset).
    pub progress: &'a mut dyn FnMut(u64),
    /// Set from another thread to stop the transfer; the session stays usable.
    pub cancel: &'a AtomicBool,
    /// Downloads: the file's size as the server announced it (listing or SIZE), whole, not
    /// from the resume offset. Reading stops with [`FtpError::TooMuchData`] once the data runs
    /// more than [`OVERRUN_MARGIN`] past it. None: no bound (the size is unknown).
    pub expected_size: Option<u64>,
}

impl<'a> TransferControl<'a> {
    /// Progress and cancellation, no expected size.
    pub fn new(progress: &'a mut dyn FnMut(u64), cancel: &'a AtomicBool) -> Self {
        TransferControl {
            progress,
            cancel,
            expected_size: None,
        }
    }
}

/// An open data connection, before or after its TLS handshake.
struct DataConnection {
    stream: NetStream,
}

/// A connected (and, after [`Session::login`], logged-in) FTP session.
pub struct Session {
    control: Control,
    opts: ConnectOptions,
    /// The config with this session's own resumption cache; data connections use it.
    tls: Option<Arc<ClientConfig>>,
    /// The session store inside `tls`, to know whether a TLS 1.3 ticket is left.
    tickets: Option<Arc<SessionTickets>>,
    /// Kept after login so the session can reconnect itself for the TLS 1.2 fallback.
    creds: Option<Credentials>,
    /// Data connections that resumed the control session so far.
    resumed_data_connections: u64,
    server_name: Option<ServerName<'static>>,
    peer: SocketAddr,
    welcome: Reply,
    features: Features,
    data_protected: bool,
    epsv_refused: bool,
    /// The server refused `REST` (500/501/502/504): it cannot continue a transfer, so every
    /// download and upload starts from byte 0.
    rest_refused: bool,
    eprt_refused: bool,
    mlsd_refused: bool,
    /// The algorithm `OPTS HASH` last selected.
    hash_selected: Option<Algorithm>,
    /// The server refused its advertised checksum command once: do not ask again.
    checksum_refused: bool,
    /// The server answered the set form of MDTM with an error once: do not send it again.
    mdtm_set_refused: bool,
    /// What TLS the control connection had before CCC cleared it, and the server's chain.
    cleared_control: Option<(TlsInfo, Vec<CertificateDer<'static>>)>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("peer", &self.peer)
            .field("security", &self.opts.security)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Connects, reads the greeting and secures the control connection (AUTH TLS or implicit).
    ///
    /// With `ExplicitTls`, a server that refuses AUTH TLS gives [`FtpError::TlsRefused`] and no
    /// credentials are ever sent.
    pub fn connect(opts: ConnectOptions) -> Result<Session> {
        let log = opts.log.clone();
        let (tcp, peer) = match &opts.proxy {
            None => {
                let (tcp, peer) = connect_tcp(&opts.host, opts.port, opts.connect_timeout)?;
                log.log(LogKind::Info, &format!("Connected to {peer}"));
                (tcp, peer)
            }
            Some(proxy) => {
                if matches!(opts.data_mode, DataMode::Active { .. }) {
                    return Err(FtpError::InvalidInput(
                        "active mode cannot work through a proxy (the server would have to connect to this computer); use passive mode".into(),
                    ));
                }
                let tcp = proxy.connect(&opts.host, opts.port, opts.connect_timeout)?;
                let peer = tcp.peer_addr().map_err(|e| FtpError::Io {
                    during: "reading the proxy's address".into(),
                    source: e,
                })?;
                log.log(
                    LogKind::Info,
                    &format!(
                        "Connected to {}:{} through the proxy {proxy}",
                        opts.host, opts.port
                    ),
                );
                (tcp, peer)
            }
        };
        configure_socket(&tcp, opts.io_timeout)?;

        let tickets = match opts.security {
            Security::Plain => None,
            _ => Some(Arc::new(SessionTickets::new(log.clone()))),
        };
        let tls = match (&tickets, &opts.tls) {
            (None, _) => None,
            (Some(store), Some(base)) => Some(session_tls_config(base, store.clone())),
            (_, None) => {
                return Err(FtpError::InvalidInput(
                    "a TLS connection needs a TLS configuration".into(),
                ));
            }
        };
        let server_name = match opts.security {
            Security::Plain => None,
            _ => Some(ServerName::try_from(opts.host.clone()).map_err(|_| {
                FtpError::InvalidInput(format!("{:?} is not a valid host name", opts.host))
            })?),
        };

        let socket = Socket::new(tcp, opts.io_timeout);
        let stream = match (&tls, &server_name, opts.security) {
            (Some(cfg), Some(name), Security::ImplicitTls) => NetStream::handshake(
                socket,
                cfg.clone(),
                name.clone(),
                &opts.host,
                "control connection",
            )?,
            _ => NetStream::Plain(socket),
        };
        let mut control = Control {
            stream,
            reader: LineReader::new(),
            log: log.clone(),
            io_timeout: opts.io_timeout,
        };
        let welcome = control.read_greeting()?;
        if let (Security::ExplicitTls, Some(cfg), Some(name)) = (opts.security, &tls, &server_name)
        {
            control = control.start_tls(cfg.clone(), name.clone(), &opts.host)?;
        }
        match control.stream.tls_info() {
            Some(info) => control.info(&format!(
                "TLS established: {} {}",
                info.version, info.cipher_suite
            )),
            None => log.log(
                LogKind::Error,
                "Plain FTP: the password and all data travel unencrypted",
            ),
        }
        Ok(Session {
            control,
            tls,
            tickets,
            creds: None,
            resumed_data_connections: 0,
            server_name,
            peer,
            welcome,
            features: Features::default(),
            data_protected: false,
            epsv_refused: false,
            rest_refused: false,
            eprt_refused: false,
            mlsd_refused: false,
            hash_selected: None,
            checksum_refused: false,
            mdtm_set_refused: false,
            cleared_control: None,
            opts,
        })
    }

    /// Logs in, then prepares the session: PBSZ/PROT P on TLS, FEAT, UTF-8, binary type.
    pub fn login(&mut self, creds: &Credentials) -> Result<()> {
        self.send_host()?;
        let mut reply = self.command(&format!("USER {}", creds.user))?;
        if reply.code == 331 {
            reply = self.command(&format!("PASS {}", creds.password))?;
        }
        if reply.code == 332 {
            let account = creds.account.clone().ok_or_else(|| FtpError::Auth {
                reply: reply.clone(),
            })?;
            reply = self.command(&format!("ACCT {account}"))?;
        }
        if !reply.is_success() {
            return Err(FtpError::Auth { reply });
        }
        if self.tls.is_some() {
            self.expect_success("PBSZ 0")?;
            self.expect_success("PROT P")?;
            self.data_protected = true;
        }
        let feat = self.command("FEAT")?;
        self.features = Features::from_reply(&feat);
        if self.features.has("UTF8") {
            // Some servers (IIS) answer 501 even though they advertise UTF8; names still work.
            let _ = self.command("OPTS UTF8 ON")?;
        }
        self.expect_success("TYPE I")?;
        self.creds = Some(creds.clone());
        if self.opts.clear_control && self.tls.is_some() {
            self.clear_control_channel()?;
        }
        Ok(())
    }

    /// `CCC`: the control connection goes on in clear text; data connections stay PROT P.
    fn clear_control_channel(&mut self) -> Result<()> {
        let reply = self.command("CCC")?;
        if !reply.is_success() {
            self.opts.log.log(
                LogKind::Info,
                &format!(
                    "The server refused CCC ({} {}): the control connection stays encrypted",
                    reply.code,
                    reply.text()
                ),
            );
            return Ok(());
        }
        let host = self.opts.host.clone();
        let before = self.control.stream.tls_info().map(|mut info| {
            info.control_cleared = true;
            (info, self.control.stream.peer_certificates())
        });
        self.control.stream.clear_tls(&host)?;
        self.cleared_control = before;
        self.opts.log.log(
            LogKind::Info,
            "The control connection is in clear text from now on (CCC); data connections stay encrypted",
        );
        Ok(())
    }

    /// `HOST` before `USER` when the server advertises it (see [`ConnectOptions::send_host`]).
    /// A refusal is logged, not fatal: the login may still work on the default host.
    fn send_host(&mut self) -> Result<()> {
        let host = self.opts.host.trim_start_matches('[').trim_end_matches(']');
        if !self.opts.send_host || host.parse::<std::net::IpAddr>().is_ok() {
            return Ok(());
        }
        let host = host.to_owned();
        let feat = self.command("FEAT")?;
        if Features::from_reply(&feat).has("HOST") {
            let reply = self.command(&format!("HOST {host}"))?;
            if !reply.is_success() {
                self.opts.log.log(
                    LogKind::Info,
                    &format!("The server refused HOST {host}; logging in to its default host"),
                );
            }
        }
        Ok(())
    }

    /// The greeting the server sent.
    pub fn welcome(&self) -> &Reply {
        &self.welcome
    }

    /// What the server advertised in FEAT (empty before login).
    pub fn features(&self) -> &Features {
        &self.features
    }

    /// Whether the server refused `REST` on this session: continuing a partial transfer is
    /// impossible, and a transfer that asks for an offset fails with [`FtpError::Reply`] for
    /// the `REST` command until it starts from 0.
    pub fn rest_refused(&self) -> bool {
        self.rest_refused
    }

    /// The server address the control connection reached (and data connections use).
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// How many data connections so far resumed the control connection's TLS session.
    pub fn resumed_data_connections(&self) -> u64 {
        self.resumed_data_connections
    }

    /// TLS version and cipher suite of the control connection; None for plain FTP.
    pub fn tls_info(&self) -> Option<TlsInfo> {
        match &self.cleared_control {
            Some((info, _)) => Some(info.clone()),
            None => self.control.stream.tls_info(),
        }
    }

    /// The certificate chain the server presented on the control connection.
    pub fn peer_certificates(&self) -> Vec<CertificateDer<'static>> {
        match &self.cleared_control {
            Some((_, chain)) => chain.clone(),
            None => self.control.stream.peer_certificates(),
        }
    }

    /// Whether data connections are encrypted (PROT P accepted).
    pub fn data_protected(&self) -> bool {
        self.data_protected
    }

    // ---- commands -------------------------------------------------------------------------

    /// Sends one command line and reads its reply, whatever the code. Refuses line breaks and
    /// NUL in the command, which would let a file name inject further commands.
    pub fn command(&mut self, command: &str) -> Result<Reply> {
        self.control.command(command)
    }

    /// The current remote directory.
    pub fn pwd(&mut self) -> Result<String> {
        let reply = self.expect_success("PWD")?;
        path::parse_quoted_path(&reply.text())
            .ok_or_else(|| FtpError::Protocol(format!("PWD reply names no directory: {reply}")))
    }

    /// Changes the remote directory.
    pub fn cwd(&mut self, dir: &str) -> Result<()> {
        self.expect_success(&format!("CWD {dir}")).map(drop)
    }

    /// Goes to the parent directory.
    pub fn cdup(&mut self) -> Result<()> {
        self.expect_success("CDUP").map(drop)
    }

    /// Creates a directory; returns the path the server reports (or the one asked for).
    pub fn mkdir(&mut self, dir: &str) -> Result<String> {
        let reply = self.expect_success(&format!("MKD {dir}"))?;
        Ok(path::parse_quoted_path(&reply.text()).unwrap_or_else(|| dir.to_owned()))
    }

    /// Removes an empty directory.
    pub fn rmdir(&mut self, dir: &str) -> Result<()> {
        self.expect_success(&format!("RMD {dir}")).map(drop)
    }

    /// Deletes a file.
    pub fn delete(&mut self, file: &str) -> Result<()> {
        self.expect_success(&format!("DELE {file}")).map(drop)
    }

    /// Renames or moves a file or directory.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<()> {
        let command = format!("RNFR {from}");
        let reply = self.command(&command)?;
        if reply.code != 350 {
            return Err(FtpError::Reply {
                command: masked_command(&command),
                reply,
            });
        }
        self.expect_success(&format!("RNTO {to}")).map(drop)
    }

    /// The size of a remote file in bytes (SIZE, RFC 3659).
    pub fn size(&mut self, file: &str) -> Result<u64> {
        let reply = self.expect_success(&format!("SIZE {file}"))?;
        reply
            .first_line()
            .trim()
            .parse()
            .map_err(|_| FtpError::Protocol(format!("SIZE reply is not a number: {reply}")))
    }

    /// The modification time of a remote file (MDTM, UTC).
    pub fn mdtm(&mut self, file: &str) -> Result<Timestamp> {
        let reply = self.expect_success(&format!("MDTM {file}"))?;
        Timestamp::parse_ftp_time(reply.first_line().trim())
            .ok_or_else(|| FtpError::Protocol(format!("MDTM reply is not a time: {reply}")))
    }

    /// Sets a remote file's modification time (UTC): MFMT (draft-somers-ftp-mfxx) where FEAT
    /// advertises it, else the set form of MDTM (`MDTM YYYYMMDDHHMMSS file`), which vsftpd
    /// (`mdtm_write`) and Pure-FTPd take without advertising it. Returns false when the server
    /// can do neither: a server that answers the MDTM form with an error is not asked again.
    /// Synchronisation depends on this: without it every uploaded file looks newer remotely.
    pub fn set_modified(&mut self, file: &str, unix_seconds: i64) -> Result<bool> {
        let stamp = Timestamp::from_unix_seconds(unix_seconds).to_ftp_time();
        if self.features.has("MFMT") {
            self.expect_success(&format!("MFMT {stamp} {file}"))?;
            return Ok(true);
        }
        if self.mdtm_set_refused || !self.features.has("MDTM") {
            return Ok(false);
        }
        let reply = self.command(&format!("MDTM {stamp} {file}"))?;
        if reply.code == 213 {
            return Ok(true);
        }
        // 500/501/550: no set form (a server may have read the whole argument as a name).
        self.mdtm_set_refused = true;
        Ok(false)
    }

    /// The server's checksum of `file`, by the cheapest method FEAT advertises (`HASH`, or
    /// `XCRC` / `XMD5` / `XSHA1` / `XSHA256` / `XSHA512`; see [`super::checksum`]). None when
    /// the server offers none, or refused its own advertised command once. The server reads
    /// the whole file before it answers, so the reply may take longer than the I/O timeout:
    /// `size` (bytes) extends it by a second per 20 MB.
    pub fn checksum(&mut self, file: &str, size: u64) -> Result<Option<(Algorithm, String)>> {
        if self.checksum_refused {
            return Ok(None);
        }
        let Some(method) = Method::choose(&self.features) else {
            return Ok(None);
        };
        if let Method::Hash(algorithm) = method
            && self.hash_selected != Some(algorithm)
        {
            let reply = self.command(&format!("OPTS HASH {}", algorithm.hash_name()))?;
            if !reply.is_success() {
                self.checksum_refused = true;
                return Ok(None);
            }
            self.hash_selected = Some(algorithm);
        }
        let command = method.command(file);
        let allowed = self.opts.io_timeout + Duration::from_secs(size / 20_000_000);
        let reply = self.control.slow_command(&command, allowed)?;
        if matches!(reply.code, 500 | 502 | 504) {
            self.checksum_refused = true;
            return Ok(None);
        }
        if !reply.is_success() {
            return Err(FtpError::Reply {
                command: masked_command(&command),
                reply,
            });
        }
        match method.parse_reply(&reply) {
            Some(hex) => Ok(Some((method.algorithm(), hex))),
            None => Err(FtpError::Protocol(format!(
                "the {} checksum reply holds no {} digest: {reply}",
                verb(&command),
                method.algorithm()
            ))),
        }
    }

    /// Changes Unix permissions (`SITE CHMOD 644 file`).
    pub fn chmod(&mut self, file: &str, mode: u32) -> Result<()> {
        self.expect_success(&format!("SITE CHMOD {mode:o} {file}"))
            .map(drop)
    }

    /// Keeps the connection alive, and checks it still works.
    pub fn noop(&mut self) -> Result<()> {
        self.expect_success("NOOP").map(drop)
    }

    /// Says goodbye and closes the connection cleanly.
    pub fn quit(mut self) -> Result<()> {
        let result = self.command("QUIT");
        let _ = self.control.stream.send_close();
        result.map(drop)
    }

    /// Facts about one path (MLST). Falls back to nothing: callers use `size`/`mdtm` if refused.
    pub fn mlst(&mut self, target: &str) -> Result<Entry> {
        let command = format!("MLST {target}");
        let reply = self.expect_success(&command)?;
        // The fact line is the second line, indented by one space.
        reply
            .lines
            .iter()
            .skip(1)
            .find_map(|l| listing::parse_mlsd_line(l.strip_prefix(' ').unwrap_or(l)))
            .ok_or_else(|| FtpError::Protocol(format!("MLST reply has no facts: {reply}")))
    }

    /// Lists a directory (the current one if `dir` is None): MLSD where the server has it,
    /// LIST otherwise (Unix and DOS/IIS formats).
    pub fn list(&mut self, dir: Option<&str>) -> Result<Vec<Entry>> {
        let use_mlsd = !self.mlsd_refused && (self.features.has("MLST") || !self.features.answered);
        if use_mlsd {
            match self.list_with("MLSD", dir) {
                Err(FtpError::Reply { reply, .. })
                    if matches!(reply.code, 500 | 501 | 502 | 504) && reply.code != 550 =>
                {
                    self.mlsd_refused = true;
                }
                other => return other,
            }
        }
        self.list_with("LIST", dir)
    }

    // ---- transfers ------------------------------------------------------------------------

    /// Downloads `remote` into `sink`, starting at byte `offset` (REST). Returns the bytes
    /// written. The data connection is read to its end through TLS so that session tickets are
    /// consumed and the next transfer can resume the session.
    pub fn download(
        &mut self,
        remote: &str,
        offset: u64,
        sink: &mut dyn Write,
        ctl: &mut TransferControl<'_>,
    ) -> Result<u64> {
        let rest = (offset > 0).then_some(offset);
        let limit = ctl
            .expected_size
            .map(|size| size.saturating_sub(offset).saturating_add(OVERRUN_MARGIN));
        let mut data = self.open_data(&format!("RETR {remote}"), rest)?;
        let mut buf = vec![0u8; DOWNLOAD_BLOCK];
        let mut total = 0u64;
        let mut ended = false;
        while !ended {
            if ctl.cancel.load(Ordering::Relaxed) {
                return Err(self.abort(data, FtpError::Cancelled));
            }
            // TLS hands over one record (16 KiB) per read; filling a block here gives the disk
            // fewer, larger writes without copying everything once more through a BufWriter.
            let mut n = 0;
            while n + MAX_TLS_RECORD <= buf.len() {
                match data.stream.read(&mut buf[n..]) {
                    Ok(0) => {
                        ended = true;
                        break;
                    }
                    Ok(k) => n += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        // TCP closed without TLS close_notify. Many servers do this; the final
                        // reply below says whether the file was complete.
                        self.info("data connection closed without TLS close_notify");
                        ended = true;
                        break;
                    }
                    Err(e) => {
                        let err = self.io_error("receiving file data", e);
                        return Err(self.abort(data, err));
                    }
                }
            }
            if n == 0 {
                continue;
            }
            if let (Some(limit), Some(announced)) = (limit, ctl.expected_size)
                && total + n as u64 > limit
            {
                let err = FtpError::TooMuchData {
                    file: escape(remote).into_owned(),
                    announced,
                    received: offset + total + n as u64,
                };
                return Err(self.abort(data, err));
            }
            if let Err(e) = sink.write_all(&buf[..n]) {
                return Err(self.abort(data, FtpError::Local { source: e }));
            }
            total += n as u64;
            (ctl.progress)(total);
        }
        if let Err(e) = sink.flush() {
            return Err(self.abort(data, FtpError::Local { source: e }));
        }
        let _ = data.stream.send_close();
        self.finish_transfer(data, "RETR")?;
        Ok(total)
    }

    /// Uploads everything `source` yields to `remote`. Returns the bytes sent.
    pub fn upload(
        &mut self,
        remote: &str,
        mode: UploadMode,
        source: &mut dyn Read,
        ctl: &mut TransferControl<'_>,
    ) -> Result<u64> {
        let (command, rest) = match mode {
            UploadMode::Replace => (format!("STOR {remote}"), None),
            UploadMode::Resume(offset) => (format!("STOR {remote}"), Some(offset)),
            UploadMode::Append => (format!("APPE {remote}"), None),
        };
        let mut data = self.open_data(&command, rest)?;
        let mut buf = vec![0u8; TRANSFER_BUFFER];
        let mut total = 0u64;
        loop {
            if ctl.cancel.load(Ordering::Relaxed) {
                return Err(self.abort(data, FtpError::Cancelled));
            }
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.abort(data, FtpError::Local { source: e })),
            };
            if let Err(e) = data.stream.write_all(&buf[..n]) {
                let err = self.io_error("sending file data", e);
                return Err(self.abort(data, err));
            }
            total += n as u64;
            (ctl.progress)(total);
        }
        if let Err(e) = data.stream.flush().and_then(|()| data.stream.send_close()) {
            let err = self.io_error("finishing the upload", e);
            return Err(self.abort(data, err));
        }
        self.finish_transfer(data, verb(&command))?;
        Ok(total)
    }

    // ---- internals ------------------------------------------------------------------------

    fn send(&mut self, command: &str) -> Result<()> {
        self.control.send(command)
    }

    fn read_reply(&mut self, during: &str) -> Result<Reply> {
        self.control.read_reply(during)
    }

    fn expect_success(&mut self, command: &str) -> Result<Reply> {
        self.control.expect_success(command)
    }

    fn io_error(&self, during: &str, e: io::Error) -> FtpError {
        FtpError::from_io(during, e, self.opts.io_timeout)
    }

    fn info(&self, line: &str) {
        self.control.info(line);
    }

    fn list_with(&mut self, verb_name: &str, dir: Option<&str>) -> Result<Vec<Entry>> {
        let command = match dir {
            // A LIST argument may name a file or a pattern as well as a folder, and vsftpd,
            // when it cannot open the folder, lists the entry of that name in the parent
            // instead: an unreadable `locked` seems to hold a folder `locked`. With a trailing
            // `/` only the folder itself can match, and vsftpd says it failed.
            Some(d) if verb_name == "LIST" && !d.is_empty() && !d.ends_with('/') => {
                format!("LIST {d}/")
            }
            Some(d) if !d.is_empty() => format!("{verb_name} {d}"),
            _ => verb_name.to_owned(),
        };
        let mut data = self.open_data(&command, None)?;
        let is_mlsd = verb_name == "MLSD";
        let now = Timestamp::from_unix_seconds(unix_now());
        let mut entries = Vec::new();
        let mut pending: Vec<u8> = Vec::new();
        let mut received = 0u64;
        let mut skipping_long_line = false;
        let mut buf = vec![0u8; 64 * 1024];
        let parse = |batch: &[u8], entries: &mut Vec<Entry>| {
            if is_mlsd {
                entries.extend(listing::parse_mlsd(batch));
            } else {
                entries.extend(listing::parse_list(batch, now));
            }
        };
        loop {
            let n = match data.stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(e) => {
                    let err = self.io_error("receiving a directory listing", e);
                    return Err(self.abort(data, err));
                }
            };
            received += n as u64;
            if received > self.opts.max_listing_bytes {
                let err = FtpError::Protocol(format!(
                    "the listing is larger than {} MiB; Ferry stopped reading it",
                    self.opts.max_listing_bytes / (1024 * 1024)
                ));
                return Err(self.abort(data, err));
            }
            let mut chunk = &buf[..n];
            if skipping_long_line {
                // The rest of an absurdly long line: drop everything up to its end.
                match chunk.iter().position(|&b| b == b'\n') {
                    Some(end) => {
                        chunk = &chunk[end + 1..];
                        skipping_long_line = false;
                    }
                    None => continue,
                }
            }
            pending.extend_from_slice(chunk);
            // Parse every complete line now so memory stays bounded by the entries, not bytes;
            // a line longer than any real entry is skipped, not kept.
            if let Some(last_newline) = pending.iter().rposition(|&b| b == b'\n') {
                let complete = &pending[..=last_newline];
                if complete.len() > MAX_LISTING_LINE {
                    let lines: Vec<&[u8]> = complete
                        .split_inclusive(|&b| b == b'\n')
                        .filter(|line| line.len() <= MAX_LISTING_LINE)
                        .collect();
                    parse(&lines.concat(), &mut entries);
                } else {
                    parse(complete, &mut entries);
                }
                pending.drain(..=last_newline);
            }
            if pending.len() > MAX_LISTING_LINE {
                pending.clear();
                skipping_long_line = true;
            }
            if entries.len() > MAX_LISTING_ENTRIES {
                let err = FtpError::Protocol(format!(
                    "the listing has more than {MAX_LISTING_ENTRIES} entries"
                ));
                return Err(self.abort(data, err));
            }
        }
        if !skipping_long_line {
            parse(&pending, &mut entries);
        }
        let _ = data.stream.send_close();
        let reply = self.finish_transfer(data, &command)?;
        // vsftpd answers the listing of a folder it cannot open with 150, no data and
        // `226 Transfer done (but failed to open directory).`: a success by its code only.
        if listing::final_reply_admits_failure(&reply.text()) {
            return Err(FtpError::Reply { command, reply });
        }
        Ok(entries)
    }

    /// Opens a data connection for `command`: EPSV/PASV or EPRT/PORT, optional REST, the command
    /// itself, then (only after the server's 1xx, when it is ready) the TLS handshake.
    fn open_data(&mut self, command: &str, rest: Option<u64>) -> Result<DataConnection> {
        self.fall_back_to_tls12_if_starved()?;
        let tcp = match self.opts.data_mode.clone() {
            DataMode::Passive => {
                let tcp = self.connect_passive()?;
                self.send_transfer_command(command, rest)
                    .inspect_err(|_| drop(tcp.shutdown(Shutdown::Both)))?;
                tcp
            }
            DataMode::Active { ports, announce } => {
                let listener = self.announce_active(&ports, announce)?;
                self.send_transfer_command(command, rest)?;
                self.accept_active(&listener)?
            }
        };
        configure_socket(&tcp, self.opts.io_timeout)?;
        let mut socket = Socket::new(tcp, self.opts.io_timeout);
        socket.set_read_ahead(DATA_READ_AHEAD);
        let mut stream = match (&self.tls, &self.server_name, self.data_protected) {
            (Some(cfg), Some(name), true) => {
                match NetStream::handshake(
                    socket,
                    cfg.clone(),
                    name.clone(),
                    &self.opts.host,
                    "data connection",
                ) {
                    Ok(s) => s,
                    Err(e) => {
                        // The server will report the failed transfer; read that so the control
                        // connection stays in step.
                        let _ =
                            self.read_reply("waiting for the server after a failed data handshake");
                        return Err(e);
                    }
                }
            }
            _ => NetStream::Plain(socket),
        };
        if self.opts.min_transfer_rate > 0 {
            stream.socket_mut().set_pace(Some(Pace::new(
                self.opts.io_timeout,
                self.opts.min_transfer_rate,
            )));
        }
        match stream.tls_info() {
            Some(info) if info.resumed => self.resumed_data_connections += 1,
            Some(_) => self.info("data connection TLS session was not resumed"),
            None => {}
        }
        Ok(DataConnection { stream })
    }

    /// Switches this session to TLS 1.2 before a data connection that could not resume: the
    /// control connection runs TLS 1.3, the server has been resuming data connections (so it
    /// likely requires it), and no ticket is left because it does not renew them on uploads.
    /// The new control connection logs in again and returns to the same directory.
    fn fall_back_to_tls12_if_starved(&mut self) -> Result<()> {
        let starved = self.data_protected
            && self.resumed_data_connections > 0
            && self
                .tickets
                .as_ref()
                .is_some_and(|t| t.tls13_tickets() == 0)
            && self.tls_info().is_some_and(|i| i.version == "TLSv1.3");
        let (true, Some(fallback), Some(creds)) = (
            starved,
            self.opts.tls12_fallback.clone(),
            self.creds.clone(),
        ) else {
            return Ok(());
        };
        self.info(
            "The server has sent no new TLS 1.3 session ticket and data connections must resume the \
             control session; reconnecting with TLS 1.2, whose session can be resumed repeatedly",
        );
        let dir = self.pwd()?;
        let mut opts = self.opts.clone();
        opts.tls = Some(fallback);
        opts.tls12_fallback = None;
        let mut replacement = Session::connect(opts)?;
        replacement.login(&creds)?;
        replacement.cwd(&dir)?;
        let old = std::mem::replace(self, replacement);
        let _ = old.quit();
        Ok(())
    }

    fn send_transfer_command(&mut self, command: &str, rest: Option<u64>) -> Result<()> {
        if let Some(offset) = rest {
            let rest_command = format!("REST {offset}");
            let reply = self.command(&rest_command)?;
            if matches!(reply.code, 500 | 501 | 502 | 504) {
                self.rest_refused = true;
            }
            if reply.code != 350 {
                return Err(FtpError::Reply {
                    command: rest_command,
                    reply,
                });
            }
        }
        let reply = self.command(command)?;
        if !reply.is_preliminary() {
            return Err(FtpError::Reply {
                command: masked_command(command),
                reply,
            });
        }
        Ok(())
    }

    /// EPSV, or PASV when EPSV is refused. The data connection always goes to the control
    /// connection's peer address: a PASV address is often a private one behind NAT, a load
    /// balancer's back end, or (FTP bounce) someone else's machine.
    fn connect_passive(&mut self) -> Result<TcpStream> {
        let port = if self.opts.use_epsv && !self.epsv_refused {
            let reply = self.command("EPSV")?;
            if reply.code == 229 {
                Some(data::parse_epsv(&reply)?)
            } else if reply.code >= 500 {
                // Not understood, not allowed (vsftpd with passive mode off says 550): PASV
                // may still work, and its answer says the rest.
                self.epsv_refused = true;
                None
            } else {
                return Err(FtpError::Reply {
                    command: "EPSV".into(),
                    reply,
                });
            }
        } else {
            None
        };
        let port = match port {
            Some(p) => p,
            None => {
                if self.peer.is_ipv6() && self.opts.proxy.is_none() {
                    return Err(FtpError::Protocol(
                        "the server refused EPSV, and PASV cannot work over IPv6".into(),
                    ));
                }
                let reply = self.command("PASV")?;
                if reply.code != 227 {
                    return Err(FtpError::Reply {
                        command: if reply.code >= 500 {
                            "PASV (passive mode; a server that allows only active mode needs --active, or Transfer mode: Active in the site)".into()
                        } else {
                            "PASV".into()
                        },
                        reply,
                    });
                }
                let advertised = data::parse_pasv(&reply)?;
                if advertised.ip() != self.peer.ip() && self.opts.proxy.is_none() {
                    self.info(&format!(
                        "server advertised {} for data; using {} (the control connection's address)",
                        advertised.ip(),
                        self.peer.ip()
                    ));
                }
                advertised.port()
            }
        };
        if let Some(proxy) = self.opts.proxy.clone() {
            self.info(&format!(
                "Opening data connection to {}:{port} through the proxy",
                self.opts.host
            ));
            return proxy.connect(&self.opts.host, port, self.opts.connect_timeout);
        }
        let target = SocketAddr::new(self.peer.ip(), port);
        self.info(&format!("Opening data connection to {target}"));
        TcpStream::connect_timeout(&target, self.opts.connect_timeout).map_err(|e| {
            FtpError::Connect {
                addr: format!("{target} (data connection)"),
                source: e,
            }
        })
    }

    /// EPRT, or PORT when EPRT is refused, announcing a listener on our side.
    fn announce_active(
        &mut self,
        ports: &std::ops::RangeInclusive<u16>,
        announce: Option<IpAddr>,
    ) -> Result<TcpListener> {
        let local_ip = self
            .control
            .stream
            .tcp()
            .local_addr()
            .map_err(|e| self.io_error("reading the local address", e))?
            .ip();
        let listener = data::bind_active_listener(local_ip, ports)?;
        let bound = listener
            .local_addr()
            .map_err(|e| FtpError::Local { source: e })?;
        let announced = SocketAddr::new(announce.unwrap_or(local_ip), bound.port());
        if !self.eprt_refused {
            let reply = self.command(&format!("EPRT {}", data::eprt_argument(announced)))?;
            if reply.is_success() {
                return Ok(listener);
            }
            if !matches!(reply.code, 500 | 501 | 502 | 504 | 522) {
                return Err(FtpError::Reply {
                    command: "EPRT".into(),
                    reply,
                });
            }
            self.eprt_refused = true;
        }
        let IpAddr::V4(v4) = announced.ip() else {
            return Err(FtpError::Protocol(
                "the server refused EPRT, and PORT cannot work over IPv6".into(),
            ));
        };
        self.expect_success(&format!(
            "PORT {}",
            data::port_argument(v4, announced.port())
        ))?;
        Ok(listener)
    }

    /// Waits for the server to connect to our active-mode listener. Only the server's address is
    /// accepted: anyone else could otherwise inject or steal file data.
    fn accept_active(&mut self, listener: &TcpListener) -> Result<TcpStream> {
        listener
            .set_nonblocking(true)
            .map_err(|e| FtpError::Local { source: e })?;
        let deadline = Instant::now() + self.opts.connect_timeout;
        loop {
            match listener.accept() {
                Ok((tcp, from)) if from.ip() == self.peer.ip() => {
                    tcp.set_nonblocking(false)
                        .map_err(|e| FtpError::Local { source: e })?;
                    return Ok(tcp);
                }
                Ok((_, from)) => {
                    self.control.log.log(
                        LogKind::Error,
                        &format!("refused a data connection from {from}, not the server"),
                    );
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        let _ = self.read_reply("waiting after the server did not connect");
                        return Err(FtpError::Timeout {
                            during: "waiting for the server to open the active-mode data connection (a firewall may block it; try passive mode)".into(),
                            after: self.opts.connect_timeout,
                        });
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(FtpError::Local { source: e }),
            }
        }
    }

    /// After the data is through: keep the data socket open until the final reply arrives
    /// (closing it early with unread bytes makes the kernel send RST, which some servers report
    /// as a failed transfer), then drain it through TLS to consume session tickets.
    /// Returns the final reply, whose text may still tell of a failure (see `list_with`).
    fn finish_transfer(&mut self, data: DataConnection, what: &str) -> Result<Reply> {
        let reply = self.read_reply(&format!("waiting for the server to confirm {what}"));
        drain(
            data,
            Duration::from_millis(500).min(self.opts.io_timeout),
            1 << 20,
        );
        let reply = reply?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(FtpError::Reply {
                command: what.to_owned(),
                reply,
            })
        }
    }

    /// Stops a transfer: sends ABOR, gives the server a moment to close the data connection
    /// itself, closes it, and reads whatever the server answers — `426` then `226`, a lone `226`,
    /// or `225` — then re-synchronises with NOOP so the session stays usable. Returns `cause`
    /// (or the error that made the session unusable).
    ///
    /// ABOR goes first because ProFTPD ends the whole session when a data socket is reset under
    /// it, while it handles ABOR during a transfer gracefully. Servers that read ABOR only after
    /// the transfer (vsftpd) see the data connection close after the grace period instead.
    fn abort(&mut self, data: DataConnection, cause: FtpError) -> FtpError {
        self.info("Aborting the transfer");
        let sent = self.send("ABOR");
        let grace = if sent.is_ok() {
            ABORT_GRACE.min(self.opts.io_timeout)
        } else {
            Duration::ZERO
        };
        drain(data, grace, u64::MAX);
        match sent.and_then(|()| self.resync_after_abort()) {
            Ok(()) => cause,
            Err(e) => {
                self.control.log.log(
                    LogKind::Error,
                    &format!("the session could not recover after the abort: {e}"),
                );
                if matches!(cause, FtpError::Cancelled | FtpError::Local { .. }) {
                    e
                } else {
                    cause
                }
            }
        }
    }

    fn resync_after_abort(&mut self) -> Result<()> {
        let first = self.read_reply("waiting for the reply to ABOR")?;
        if first.is_transient_failure() {
            // 426/450/451 ends the transfer; the reply to ABOR itself follows.
            self.read_reply("waiting for the end of the aborted transfer")?;
        }
        // Whatever order the server used, NOOP's 200 marks the point where replies line up again.
        self.send("NOOP")?;
        for _ in 0..4 {
            let reply = self.read_reply("re-synchronising after ABOR")?;
            if reply.code == 200 {
                return Ok(());
            }
        }
        Err(FtpError::Protocol(
            "replies did not line up again after ABOR".into(),
        ))
    }
}

/// The control connection: the stream, its reply reader and the log, with the primitives every
/// command is built from.
struct Control {
    stream: NetStream,
    reader: LineReader,
    log: Arc<dyn ProtocolLog>,
    io_timeout: Duration,
}

impl Control {
    /// The greeting: `220`, after at most a few `120 service ready in n minutes`, all within one
    /// I/O timeout (a server that sends `120` forever must not hold Ferry forever).
    fn read_greeting(&mut self) -> Result<Reply> {
        const MAX_DELAY_REPLIES: usize = 8;
        let during = "waiting for the server's greeting";
        let deadline = Deadline::after(self.io_timeout, "greeting");
        let mut reply = self.read_reply_by(during, deadline)?;
        let mut delays = 0;
        while reply.code == 120 {
            delays += 1;
            if delays > MAX_DELAY_REPLIES {
                return Err(FtpError::TooSlow {
                    during: during.into(),
                    detail: format!(
                        "the server sent {delays} \"120 not ready yet\" replies and no greeting"
                    ),
                });
            }
            reply = self.read_reply_by(during, deadline)?;
        }
        if reply.code != 220 {
            return Err(FtpError::Reply {
                command: "(greeting)".into(),
                reply,
            });
        }
        Ok(reply)
    }

    /// AUTH TLS, then the handshake on the same socket, replacing the plain stream.
    fn start_tls(
        mut self,
        config: Arc<ClientConfig>,
        name: ServerName<'static>,
        host: &str,
    ) -> Result<Control> {
        let reply = self.command("AUTH TLS")?;
        if reply.code != 234 {
            return Err(FtpError::TlsRefused { reply });
        }
        if self.reader.buffered() > 0 {
            // Bytes after 234 and before our ClientHello were not protected by TLS; reading
            // them later as replies would let a man in the middle inject them (the STARTTLS
            // command-injection attack).
            return Err(FtpError::Protocol(
                "the server sent data after 234 and before the TLS handshake".into(),
            ));
        }
        let NetStream::Plain(socket) = self.stream else {
            return Err(FtpError::Protocol("AUTH TLS on a TLS connection".into()));
        };
        Ok(Control {
            stream: NetStream::handshake(socket, config, name, host, "control connection")?,
            reader: self.reader,
            log: self.log,
            io_timeout: self.io_timeout,
        })
    }

    fn command(&mut self, command: &str) -> Result<Reply> {
        self.send(command)?;
        self.read_reply(&format!("waiting for the reply to {}", verb(command)))
    }

    /// A command whose reply may take longer than the I/O timeout (a checksum of a big file).
    fn slow_command(&mut self, command: &str, allowed: Duration) -> Result<Reply> {
        self.send(command)?;
        self.read_reply_by(
            &format!("waiting for the reply to {}", verb(command)),
            Deadline::after(allowed, "reply"),
        )
    }

    fn send(&mut self, command: &str) -> Result<()> {
        if command.contains(['\r', '\n', '\0']) {
            return Err(FtpError::InvalidInput(
                "a command or file name contains a line break or NUL".into(),
            ));
        }
        self.log.log(LogKind::Command, &masked_command(command));
        let mut line = Vec::with_capacity(command.len() + 2);
        line.extend_from_slice(command.as_bytes());
        line.extend_from_slice(b"\r\n");
        let during = format!("sending {}", verb(command));
        let timeout = self.io_timeout;
        self.stream
            .write_all(&line)
            .and_then(|()| self.stream.flush())
            .map_err(|e| FtpError::from_io(during, e, timeout))
    }

    /// One whole reply, which must be complete within the I/O timeout however slowly its bytes
    /// arrive.
    fn read_reply(&mut self, during: &str) -> Result<Reply> {
        self.read_reply_by(during, Deadline::after(self.io_timeout, "reply"))
    }

    /// One whole reply, complete by `deadline`.
    fn read_reply_by(&mut self, during: &str, deadline: Deadline) -> Result<Reply> {
        self.stream.socket_mut().set_deadline(Some(deadline));
        let read = self.reader.read_reply(&mut self.stream);
        self.stream.socket_mut().set_deadline(None);
        match read {
            Ok(reply) => {
                log_reply(self.log.as_ref(), &reply);
                Ok(reply)
            }
            Err(ReadReplyError::Io(e)) => Err(FtpError::from_io(during, e, self.io_timeout)),
            Err(ReadReplyError::Closed) => Err(FtpError::ConnectionClosed {
                during: during.to_owned(),
            }),
            Err(ReadReplyError::Malformed(m)) => Err(FtpError::Protocol(m)),
        }
    }

    fn expect_success(&mut self, command: &str) -> Result<Reply> {
        let reply = self.command(command)?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(FtpError::Reply {
                command: masked_command(command),
                reply,
            })
        }
    }

    fn info(&self, line: &str) {
        self.log.log(LogKind::Info, line);
    }
}

/// How long an aborted transfer waits for the server to close the data connection itself.
const ABORT_GRACE: Duration = Duration::from_secs(1);

/// Reads a data connection to its end (bounded in time and bytes) so rustls processes any TLS
/// 1.3 session tickets and the server is never answered with a reset, then closes it.
fn drain(mut data: DataConnection, wait: Duration, max_bytes: u64) {
    data.stream.socket_mut().set_pace(None);
    let deadline = Instant::now() + wait;
    let mut buf = vec![0u8; 64 * 1024];
    let mut budget = max_bytes;
    while budget > 0 {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() || data.stream.tcp().set_read_timeout(Some(remaining)).is_err() {
            break;
        }
        match data.stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => budget = budget.saturating_sub(n as u64),
        }
    }
    let _ = data.stream.tcp().shutdown(Shutdown::Both);
}

fn verb(command: &str) -> &str {
    command.split(' ').next().unwrap_or(command)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A clone of the caller's TLS config with a fresh session cache of its own: the data
/// connections of this session then resume this control connection's TLS session (what
/// vsftpd's `require_ssl_reuse` and ProFTPD check), never one from a parallel session, and a
/// trust decision made since the last connection is always checked with a full handshake.
fn session_tls_config(base: &Arc<ClientConfig>, store: Arc<SessionTickets>) -> Arc<ClientConfig> {
    let mut cfg = (**base).clone();
    cfg.resumption = Resumption::store(store);
    Arc::new(cfg)
}

pub(crate) fn connect_tcp(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<(TcpStream, SocketAddr)> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| FtpError::Resolve {
            host: host.to_owned(),
            source: e,
        })?
        .collect();
    let mut last_err = io::Error::new(io::ErrorKind::NotFound, "the name has no addresses");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => return Ok((s, addr)),
            Err(e) => last_err = e,
        }
    }
    Err(FtpError::Connect {
        addr: format!("{host}:{port}"),
        source: last_err,
    })
}

/// TCP_NODELAY (FTP is a ping-pong protocol: Nagle would add 40 ms to every command) and the
/// idle timeouts.
fn configure_socket(tcp: &TcpStream, timeout: Duration) -> Result<()> {
    let timeout = Some(timeout.max(Duration::from_millis(1)));
    tcp.set_nodelay(true)
        .and_then(|()| tcp.set_read_timeout(timeout))
        .and_then(|()| tcp.set_write_timeout(timeout))
        .map_err(|e| FtpError::Io {
            during: "configuring the socket".into(),
            source: e,
        })
}
