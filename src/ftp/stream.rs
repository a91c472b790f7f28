//! The byte stream under control and data connections: plain TCP or TLS over TCP, upgraded in
//! place after `234` (explicit) or from the first byte (implicit).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use super::error::{FtpError, Result, tls_error};

/// A connection that may or may not be encrypted.
pub(crate) enum NetStream {
    /// Clear text; only when the user asked for plain FTP, or before AUTH TLS.
    Plain(TcpStream),
    /// TLS through rustls.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
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
}

impl NetStream {
    /// The underlying socket, for timeouts and addresses.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            NetStream::Plain(s) => s,
            NetStream::Tls(s) => &s.sock,
        }
    }

    /// Runs a TLS handshake as client over `tcp`, to completion.
    ///
    /// The same `Arc<ClientConfig>` and server name must be used for the control connection and
    /// every data connection: its session cache is what lets data connections resume the control
    /// session, which vsftpd, ProFTPD and FileZilla Server demand.
    pub(crate) fn handshake(
        mut tcp: TcpStream,
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        host: &str,
        during: &str,
    ) -> Result<NetStream> {
        let mut conn =
            ClientConnection::new(config, server_name).map_err(|e| tls_error(host, e))?;
        while conn.is_handshaking() {
            if let Err(e) = conn.complete_io(&mut tcp) {
                return Err(handshake_error(host, during, e, &tcp));
            }
        }
        Ok(NetStream::Tls(Box::new(StreamOwned::new(conn, tcp))))
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

    /// Sends TLS close_notify (if TLS) and shuts the write side, so the peer sees a clean end.
    pub(crate) fn send_close(&mut self) -> io::Result<()> {
        if let NetStream::Tls(s) = self {
            s.conn.send_close_notify();
            while s.conn.wants_write() {
                s.conn.write_tls(&mut s.sock)?;
            }
        }
        self.tcp().shutdown(Shutdown::Write)
    }
}

fn handshake_error(host: &str, during: &str, e: io::Error, tcp: &TcpStream) -> FtpError {
    let timeout = tcp.read_timeout().ok().flatten().unwrap_or_default();
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
