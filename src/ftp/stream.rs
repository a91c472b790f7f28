//! The byte stream under control and data connections: plain TCP or TLS over TCP, upgraded in
//! place after `234` (explicit) or from the first byte (implicit).
//!
//! Below TLS sits [`Socket`], which enforces Ferry's time rules on every system call: a whole
//! reply or handshake must arrive before a deadline, and a transfer must keep a minimum pace.
//! Per-read timeouts alone cannot do this: a server that sends one byte a second never lets a
//! read time out, and rustls keeps reading until a whole TLS record (16 KiB) is in.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use super::error::{FtpError, Result, tls_error};

/// Why [`Socket`] gave up: carried inside an `io::Error` of kind `TimedOut` through rustls, and
/// turned into [`FtpError::TooSlow`] by [`FtpError::from_io`].
#[derive(Debug, Clone)]
pub(crate) struct Stalled(pub(crate) String);

impl fmt::Display for Stalled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Stalled {}

fn stalled(detail: String) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, Stalled(detail))
}

/// The minimum-progress rule of a transfer: in every window of `window`, at least
/// `min_bytes` must move, or the transfer fails. A trickle ends after about one window; a total
/// stall after at most one window plus the socket's own timeout.
#[derive(Debug, Clone)]
pub(crate) struct Pace {
    window: Duration,
    min_bytes: u64,
    window_start: Instant,
    moved: u64,
}

impl Pace {
    /// At least `min_rate` bytes per second on average over each `window`.
    pub(crate) fn new(window: Duration, min_rate: u64) -> Pace {
        let window = window.max(Duration::from_millis(100));
        Pace {
            window,
            min_bytes: ((min_rate as f64) * window.as_secs_f64()).ceil().max(1.0) as u64,
            window_start: Instant::now(),
            moved: 0,
        }
    }

    fn check(&mut self, now: Instant) -> io::Result<()> {
        if now.duration_since(self.window_start) < self.window {
            return Ok(());
        }
        if self.moved < self.min_bytes {
            return Err(stalled(format!(
                "only {} bytes moved in {:.0} s (at least {} were needed)",
                self.moved,
                self.window.as_secs_f64(),
                self.min_bytes
            )));
        }
        self.window_start = now;
        self.moved = 0;
        Ok(())
    }
}

/// When one whole thing (a reply, a handshake) must be complete.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Instant,
    allowed: Duration,
    what: &'static str,
}

impl Deadline {
    /// `what` must be complete within `allowed` from now.
    pub(crate) fn after(allowed: Duration, what: &'static str) -> Deadline {
        Deadline {
            at: Instant::now() + allowed,
            allowed,
            what,
        }
    }
}

/// A TCP socket with Ferry's time rules, checked before every read and write.
pub(crate) struct Socket {
    tcp: TcpStream,
    io_timeout: Duration,
    /// While set, reads and writes fail once it has passed: a reply or a handshake must be
    /// complete by then, however the bytes trickle in.
    deadline: Option<Deadline>,
    /// The minimum pace of a transfer, when one runs on this socket.
    pace: Option<Pace>,
    /// The socket timeouts were shortened for a deadline and must be restored.
    timeouts_shortened: bool,
    /// Bytes received but not yet read, on a socket that reads ahead.
    read_ahead: Option<ReadAhead>,
    /// Bytes arrived since the deadline was set: a timeout then means a trickle that did not
    /// finish in time ([`Stalled`]), not a silent server.
    trickled: bool,
}

/// A receive buffer under TLS. rustls asks for at most 4 KiB per read, so without it a
/// 1 GiB download is some 260 000 `recv` calls (and as many deadline checks); with it, one
/// call takes whatever the kernel has (up to the buffer's size) and rustls's reads are copies.
struct ReadAhead {
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl Socket {
    /// Wraps a connected socket whose timeouts are already `io_timeout`.
    pub(crate) fn new(tcp: TcpStream, io_timeout: Duration) -> Socket {
        Socket {
            tcp,
            io_timeout,
            deadline: None,
            pace: None,
            timeouts_shortened: false,
            read_ahead: None,
            trickled: false,
        }
    }

    /// Receives up to `capacity` bytes per system call from now on (data connections, where
    /// bulk data arrives); 0 turns it off once the buffered bytes are read.
    pub(crate) fn set_read_ahead(&mut self, capacity: usize) {
        match &mut self.read_ahead {
            Some(ahead) if ahead.start < ahead.end => {}
            _ if capacity == 0 => self.read_ahead = None,
            _ => {
                self.read_ahead = Some(ReadAhead {
                    buf: vec![0; capacity].into_boxed_slice(),
                    start: 0,
                    end: 0,
                });
            }
        }
    }

    /// The TCP socket (addresses, shutdown).
    pub(crate) fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    /// A reply or a handshake must be complete by then; None lifts the deadline.
    pub(crate) fn set_deadline(&mut self, deadline: Option<Deadline>) {
        self.deadline = deadline;
        self.trickled = false;
    }

    /// The minimum pace for the transfer that starts now; None for none.
    pub(crate) fn set_pace(&mut self, pace: Option<Pace>) {
        self.pace = pace;
    }

    fn before_io(&mut self) -> io::Result<()> {
        let now = Instant::now();
        if let Some(deadline) = self.deadline {
            let left = deadline.at.saturating_duration_since(now);
            if left.is_zero() {
                return Err(stalled(format!(
                    "the {} was not complete within {:.0} s",
                    deadline.what,
                    deadline.allowed.as_secs_f64()
                )));
            }
            let timeout = Some(left.max(Duration::from_millis(1)));
            self.tcp.set_read_timeout(timeout)?;
            self.tcp.set_write_timeout(timeout)?;
            self.timeouts_shortened = true;
        } else if self.timeouts_shortened {
            self.tcp.set_read_timeout(Some(self.io_timeout))?;
            self.tcp.set_write_timeout(Some(self.io_timeout))?;
            self.timeouts_shortened = false;
        }
        if let Some(pace) = &mut self.pace {
            pace.check(now)?;
        }
        Ok(())
    }

    fn after_io(&mut self, n: usize) {
        if let Some(pace) = &mut self.pace {
            pace.moved += n as u64;
        }
        if n > 0 && self.deadline.is_some() {
            self.trickled = true;
        }
    }

    /// A socket timeout under a deadline after some bytes came in: the socket's timeout was the
    /// time left, so this is the deadline passing, and it says so (the race between the socket
    /// timing out and [`Socket::before_io`] seeing the deadline must not decide the error).
    fn timed_out(&self, e: io::Error) -> io::Error {
        match (&self.deadline, e.kind()) {
            (Some(deadline), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
                if self.trickled && !e.get_ref().is_some_and(|inner| inner.is::<Stalled>()) =>
            {
                stalled(format!(
                    "the {} was not complete within {:.0} s",
                    deadline.what,
                    deadline.allowed.as_secs_f64()
                ))
            }
            _ => e,
        }
    }
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(mut ahead) = self.read_ahead.take() else {
            self.before_io()?;
            let n = self.tcp.read(buf).map_err(|e| self.timed_out(e))?;
            self.after_io(n);
            return Ok(n);
        };
        if ahead.start == ahead.end && !buf.is_empty() {
            // Empty: one system call refills it (the time rules apply to that call).
            match self
                .before_io()
                .and_then(|()| self.tcp.read(&mut ahead.buf))
            {
                Ok(n) => {
                    self.after_io(n);
                    ahead.start = 0;
                    ahead.end = n;
                }
                Err(e) => {
                    self.read_ahead = Some(ahead);
                    return Err(self.timed_out(e));
                }
            }
        }
        let n = buf.len().min(ahead.end - ahead.start);
        buf[..n].copy_from_slice(&ahead.buf[ahead.start..ahead.start + n]);
        ahead.start += n;
        self.read_ahead = Some(ahead);
        Ok(n)
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.before_io()?;
        let n = self.tcp.write(buf).map_err(|e| self.timed_out(e))?;
        self.after_io(n);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// A connection that may or may not be encrypted.
pub(crate) enum NetStream {
    /// Clear text; only when the user asked for plain FTP, or before AUTH TLS.
    Plain(Socket),
    /// TLS through rustls.
    Tls(Box<StreamOwned<ClientConnection, Socket>>),
}

/// What was negotiated on a TLS connection, for the security indicator and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// "TLSv1.3" or "TLSv1.2".
    pub version: String,
    /// The IANA name of the cipher suite.
    pub cipher_suite: String,
    /// Whether the handshake resumed an earlier session (data connections should).
    pub resumed: bool,
    /// The control connection was cleared with CCC after login: what it negotiated before.
    pub control_cleared: bool,
}

impl NetStream {
    /// The underlying TCP socket, for timeouts and addresses.
    pub(crate) fn tcp(&self) -> &TcpStream {
        self.socket().tcp()
    }

    /// The socket under TLS (or the plain one).
    pub(crate) fn socket(&self) -> &Socket {
        match self {
            NetStream::Plain(s) => s,
            NetStream::Tls(s) => &s.sock,
        }
    }

    /// The socket under TLS (or the plain one), to set deadlines and pace.
    pub(crate) fn socket_mut(&mut self) -> &mut Socket {
        match self {
            NetStream::Plain(s) => s,
            NetStream::Tls(s) => &mut s.sock,
        }
    }

    /// Runs a TLS handshake as client over `tcp`, to completion.
    ///
    /// The same `Arc<ClientConfig>` and server name must be used for the control connection and
    /// every data connection: its session cache is what lets data connections resume the control
    /// session, which vsftpd, ProFTPD and FileZilla Server demand.
    /// The whole handshake must be done within the socket's I/O timeout.
    pub(crate) fn handshake(
        mut sock: Socket,
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        host: &str,
        during: &str,
    ) -> Result<NetStream> {
        let mut conn =
            ClientConnection::new(config, server_name).map_err(|e| tls_error(host, e))?;
        sock.set_deadline(Some(Deadline::after(sock.io_timeout, "TLS handshake")));
        while conn.is_handshaking() {
            if let Err(e) = conn.complete_io(&mut sock) {
                return Err(handshake_error(host, during, e, sock.io_timeout));
            }
        }
        sock.set_deadline(None);
        Ok(NetStream::Tls(Box::new(StreamOwned::new(conn, sock))))
    }

    /// What TLS negotiated, if this is a TLS stream.
    pub(crate) fn tls_info(&self) -> Option<TlsInfo> {
        let NetStream::Tls(s) = self else { return None };
        let conn = &s.conn;
        Some(TlsInfo {
            version: conn
                .protocol_version()
                .map(|v| match v {
                    rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
                    rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
                    other => format!("{other:?}"),
                })
                .unwrap_or_default(),
            cipher_suite: conn
                .negotiated_cipher_suite()
                .and_then(|s| s.suite().as_str())
                .unwrap_or("unknown")
                .to_owned(),
            resumed: conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed),
            control_cleared: false,
        })
    }

    /// The server's certificate chain, after a completed handshake.
    pub(crate) fn peer_certificates(&self) -> Vec<rustls::pki_types::CertificateDer<'static>> {
        match self {
            NetStream::Tls(s) => s
                .conn
                .peer_certificates()
                .map(|c| c.iter().map(|c| c.clone().into_owned()).collect())
                .unwrap_or_default(),
            NetStream::Plain(_) => Vec::new(),
        }
    }

    /// Ends TLS on this connection and goes on in clear text on the same socket (after the
    /// server accepted `CCC`, RFC 4217 §6): our close_notify, then the server's. Anything the
    /// server sends after its close_notify is clear text and stays on the socket for the
    /// next reply. Plain streams are left as they are.
    pub(crate) fn clear_tls(&mut self, host: &str) -> Result<()> {
        let NetStream::Tls(tls) = self else {
            return Ok(());
        };
        let timeout = tls.sock.io_timeout;
        let during = "clearing the control channel (CCC)";
        tls.conn.send_close_notify();
        while tls.conn.wants_write() {
            tls.conn
                .write_tls(&mut tls.sock)
                .map_err(|e| FtpError::from_io(during, e, timeout))?;
        }
        tls.sock
            .set_deadline(Some(Deadline::after(timeout, "TLS closure after CCC")));
        // Read TLS records until the server's close_notify. rustls reads records from the
        // socket one `read` at a time; the server sends nothing more before our next command.
        loop {
            match tls.conn.reader().read(&mut [0u8; 512]) {
                Ok(0) => break,
                Ok(_) => {
                    return Err(FtpError::Protocol(
                        "the server sent protected data after accepting CCC".into(),
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(FtpError::from_io(during, e, timeout)),
            }
            let read = tls
                .conn
                .read_tls(&mut tls.sock)
                .map_err(|e| FtpError::from_io(during, e, timeout))?;
            if read == 0 {
                return Err(FtpError::ConnectionClosed {
                    during: during.into(),
                });
            }
            tls.conn
                .process_new_packets()
                .map_err(|e| super::error::tls_error(host, e))?;
        }
        tls.sock.set_deadline(None);
        // Swap in a clear stream on a duplicate of the socket, then put the original socket
        // (with whatever it read ahead) in its place; closing the duplicate's descriptor does
        // not end the connection.
        let duplicate = tls
            .sock
            .tcp
            .try_clone()
            .map_err(|e| FtpError::from_io(during, e, timeout))?;
        let NetStream::Tls(tls) =
            std::mem::replace(self, NetStream::Plain(Socket::new(duplicate, timeout)))
        else {
            return Ok(());
        };
        let StreamOwned { sock, .. } = *tls;
        *self = NetStream::Plain(sock);
        Ok(())
    }

    /// Sends TLS close_notify (if TLS) and shuts the write side, so the peer sees a clean end.
    pub(crate) fn send_close(&mut self) -> io::Result<()> {
        if let NetStream::Tls(s) = self {
            s.conn.send_close_notify();
            while s.conn.wants_write() {
                if s.conn.write_tls(&mut s.sock)? == 0 {
                    break;
                }
            }
        }
        self.tcp().shutdown(Shutdown::Write)
    }
}

fn handshake_error(host: &str, during: &str, e: io::Error, timeout: Duration) -> FtpError {
    let rustls_err = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .cloned();
    match rustls_err {
        Some(err) => tls_error(host, err),
        None => FtpError::from_io(format!("negotiating TLS for the {during}"), e, timeout),
    }
}

impl Read for NetStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            NetStream::Plain(s) => s.read(buf),
            NetStream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for NetStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            NetStream::Plain(s) => s.write(buf),
            NetStream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            NetStream::Plain(s) => s.flush(),
            NetStream::Tls(s) => s.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_fails_a_trickle_and_passes_a_steady_flow() {
        let window = Duration::from_millis(100);
        let mut pace = Pace::new(window, 1000);
        assert_eq!(pace.min_bytes, 100);
        let start = pace.window_start;
        pace.moved = 150;
        assert!(
            pace.check(start + window).is_ok(),
            "enough in the first window"
        );
        pace.moved = 99;
        let err = pace.check(start + window * 2).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        let stalled = err.get_ref().and_then(|e| e.downcast_ref::<Stalled>());
        assert!(
            stalled.is_some_and(|s| s.0.contains("only 99 bytes")),
            "{err}"
        );
        // Within a window nothing is judged yet.
        let mut pace = Pace::new(Duration::from_secs(60), 1000);
        assert!(pace.check(Instant::now()).is_ok());
    }

    #[test]
    fn read_ahead_hands_over_every_byte_in_order_and_then_the_end() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let sent = data.clone();
        let writer = std::thread::spawn(move || {
            let (mut peer, _) = listener.accept().expect("accept");
            for chunk in sent.chunks(10_000) {
                peer.write_all(chunk).expect("write");
            }
        });
        let tcp = TcpStream::connect(addr).expect("connect");
        let mut socket = Socket::new(tcp, Duration::from_secs(5));
        socket.set_read_ahead(64 * 1024);
        let mut received = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match socket.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
                Err(e) => panic!("read: {e}"),
            }
        }
        writer.join().expect("writer");
        assert_eq!(received.len(), data.len());
        assert!(received == data, "bytes differ");
        assert_eq!(socket.read(&mut buf).expect("after the end"), 0);
    }

    #[test]
    fn a_stalled_socket_becomes_too_slow() {
        let err = FtpError::from_io(
            "receiving file data",
            stalled("only 3 bytes moved".into()),
            Duration::from_secs(1),
        );
        assert!(matches!(err, FtpError::TooSlow { .. }), "{err}");
        assert!(err.to_string().contains("only 3 bytes moved"), "{err}");
    }
}
