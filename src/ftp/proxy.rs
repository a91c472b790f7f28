//! Tunnels through a proxy: SOCKS5 (RFC 1928, user/password auth of RFC 1929) and HTTP
//! `CONNECT` (RFC 9110 §9.3.6), for the control connection and every passive data connection.
//!
//! The proxy resolves the server's name itself: behind a corporate proxy the client often has
//! no DNS for the outside world. Both handshakes read exactly their own reply and not one byte
//! more, because the FTP greeting (or, on implicit FTPS, the TLS handshake) follows on the
//! same socket. Every read is bounded and every wait has the connect timeout.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, TcpStream};
use std::time::Duration;

use super::error::{ErrorClass, FtpError, Result};

/// Which proxy protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// SOCKS version 5; the proxy resolves host names.
    Socks5,
    /// An HTTP proxy that allows `CONNECT` to FTP ports.
    HttpConnect,
}

/// A proxy every connection of a session goes through. `Debug` and `Display` never show the
/// password.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    /// SOCKS5 or HTTP CONNECT.
    pub kind: ProxyKind,
    /// The proxy's host name or IP literal.
    pub host: String,
    /// The proxy's port.
    pub port: u16,
    /// User name for the proxy, when it wants one.
    pub user: Option<String>,
    /// Password for the proxy (never stored on disk; the keychain or the environment).
    pub password: Option<String>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Proxy({self})")
    }
}

impl fmt::Display for Proxy {
    /// The URL without the password: `socks5://user@host:1080`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.kind {
            ProxyKind::Socks5 => "socks5",
            ProxyKind::HttpConnect => "http",
        };
        write!(f, "{scheme}://")?;
        if let Some(user) = &self.user {
            write!(f, "{}@", percent_encode(user))?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl Proxy {
    /// Opens a TCP connection to the proxy and asks it for a tunnel to `host:port`; the
    /// returned stream then carries the tunnel. The stream's timeouts are left at `timeout`.
    ///
    /// # Errors
    /// [`FtpError::Connect`] when the proxy cannot be reached, [`FtpError::Proxy`] when it
    /// refuses (with its reason), [`FtpError::Timeout`] when it does not answer in time.
    pub fn connect(&self, host: &str, port: u16, timeout: Duration) -> Result<TcpStream> {
        let tcp = self.dial(timeout)?;
        let limit = Some(timeout.max(Duration::from_millis(1)));
        tcp.set_read_timeout(limit)
            .and_then(|()| tcp.set_write_timeout(limit))
            .and_then(|()| tcp.set_nodelay(true))
            .map_err(|e| FtpError::Io {
                during: "configuring the proxy connection".into(),
                source: e,
            })?;
        let mut tcp = tcp;
        match self.kind {
            ProxyKind::Socks5 => self.socks5_handshake(&mut tcp, host, port, timeout)?,
            ProxyKind::HttpConnect => self.http_connect(&mut tcp, host, port, timeout)?,
        }
        Ok(tcp)
    }

    fn dial(&self, timeout: Duration) -> Result<TcpStream> {
        super::session::connect_tcp(&self.host, self.port, timeout)
            .map(|(tcp, _)| tcp)
            .map_err(|e| match e {
                FtpError::Resolve { host, source } => FtpError::Resolve {
                    host: format!("{host} (the proxy)"),
                    source,
                },
                FtpError::Connect { source, .. } => FtpError::Connect {
                    addr: format!("the proxy {self}"),
                    source,
                },
                other => other,
            })
    }

    fn refused(&self, class: ErrorClass, detail: impl Into<String>) -> FtpError {
        FtpError::Proxy {
            proxy: self.to_string(),
            detail: detail.into(),
            class,
        }
    }

    fn io(&self, e: io::Error, timeout: Duration) -> FtpError {
        FtpError::from_io(format!("talking to the proxy {self}"), e, timeout)
    }

    /// RFC 1928 method negotiation, RFC 1929 user/password, then CONNECT by domain name (or
    /// address, for an IP literal).
    fn socks5_handshake(
        &self,
        tcp: &mut TcpStream,
        host: &str,
        port: u16,
        timeout: Duration,
    ) -> Result<()> {
        const NO_AUTH: u8 = 0x00;
        const USER_PASSWORD: u8 = 0x02;
        const NONE_ACCEPTABLE: u8 = 0xff;
        let credentials = self.user.as_deref().map(|user| {
            (
                user.as_bytes(),
                self.password.as_deref().unwrap_or("").as_bytes(),
            )
        });
        let greeting: &[u8] = if credentials.is_some() {
            &[5, 2, NO_AUTH, USER_PASSWORD]
        } else {
            &[5, 1, NO_AUTH]
        };
        tcp.write_all(greeting).map_err(|e| self.io(e, timeout))?;
        let mut choice = [0u8; 2];
        tcp.read_exact(&mut choice)
            .map_err(|e| self.io(e, timeout))?;
        if choice[0] != 5 {
            return Err(self.refused(
                ErrorClass::Transient,
                format!(
                    "it does not speak SOCKS5 (first byte {:#04x}); is it an HTTP proxy (http://)?",
                    choice[0]
                ),
            ));
        }
        match (choice[1], credentials) {
            (NO_AUTH, _) => {}
            (USER_PASSWORD, Some((user, password))) => {
                if user.len() > 255 || password.len() > 255 {
                    return Err(self.refused(
                        ErrorClass::Invalid,
                        "SOCKS5 user names and passwords are at most 255 bytes",
                    ));
                }
                let mut auth = Vec::with_capacity(3 + user.len() + password.len());
                auth.push(1);
                auth.push(user.len() as u8);
                auth.extend_from_slice(user);
                auth.push(password.len() as u8);
                auth.extend_from_slice(password);
                tcp.write_all(&auth).map_err(|e| self.io(e, timeout))?;
                let mut status = [0u8; 2];
                tcp.read_exact(&mut status)
                    .map_err(|e| self.io(e, timeout))?;
                if status[1] != 0 {
                    return Err(self.refused(
                        ErrorClass::Auth,
                        "it refused the proxy user name or password",
                    ));
                }
            }
            (USER_PASSWORD, None) => {
                return Err(self.refused(
                    ErrorClass::Auth,
                    "it wants a user name and password; put them in the proxy URL (socks5://user@host) and the password in the keychain or FERRY_PROXY_PASSWORD",
                ));
            }
            (NONE_ACCEPTABLE, _) => {
                return Err(self.refused(
                    ErrorClass::Auth,
                    if credentials.is_some() {
                        "it accepts none of the offered ways to log in (none, user/password)"
                    } else {
                        "it wants a way to log in; try a user name in the proxy URL"
                    },
                ));
            }
            (other, _) => {
                return Err(self.refused(
                    ErrorClass::Transient,
                    format!("it chose a login method Ferry did not offer ({other:#04x})"),
                ));
            }
        }

        let mut request = vec![5, 1, 0];
        match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => {
                request.push(1);
                request.extend_from_slice(&v4.octets());
            }
            Ok(IpAddr::V6(v6)) => {
                request.push(4);
                request.extend_from_slice(&v6.octets());
            }
            Err(_) => {
                if host.len() > 255 {
                    return Err(self.refused(ErrorClass::Invalid, "the host name is too long"));
                }
                request.push(3);
                request.push(host.len() as u8);
                request.extend_from_slice(host.as_bytes());
            }
        }
        request.extend_from_slice(&port.to_be_bytes());
        tcp.write_all(&request).map_err(|e| self.io(e, timeout))?;

        let mut head = [0u8; 4];
        tcp.read_exact(&mut head).map_err(|e| self.io(e, timeout))?;
        if head[0] != 5 {
            return Err(self.refused(ErrorClass::Transient, "its reply is not SOCKS5"));
        }
        if head[1] != 0 {
            let (class, why) = socks5_failure(head[1]);
            return Err(self.refused(class, format!("it could not reach {host}:{port}: {why}")));
        }
        // The bound address: read it whole so the tunnel starts clean; its value is unused.
        let address_len = match head[3] {
            1 => 4,
            4 => 16,
            3 => {
                let mut len = [0u8; 1];
                tcp.read_exact(&mut len).map_err(|e| self.io(e, timeout))?;
                usize::from(len[0])
            }
            other => {
                return Err(self.refused(
                    ErrorClass::Transient,
                    format!("its reply has an unknown address type {other}"),
                ));
            }
        };
        let mut bound = [0u8; 255 + 2];
        tcp.read_exact(&mut bound[..address_len + 2])
            .map_err(|e| self.io(e, timeout))?;
        Ok(())
    }

    /// `CONNECT host:port`, then the response head read one byte at a time up to the blank
    /// line (at most [`MAX_HTTP_HEAD`] bytes).
    fn http_connect(
        &self,
        tcp: &mut TcpStream,
        host: &str,
        port: u16,
        timeout: Duration,
    ) -> Result<()> {
        if host.contains(['\r', '\n', ' ']) {
            return Err(self.refused(
                ErrorClass::Invalid,
                "the host name has spaces or line breaks",
            ));
        }
        let authority = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if let Some(user) = &self.user {
            let pair = format!("{user}:{}", self.password.as_deref().unwrap_or(""));
            request.push_str(&format!(
                "Proxy-Authorization: Basic {}\r\n",
                base64_encode(pair.as_bytes())
            ));
        }
        request.push_str("\r\n");
        tcp.write_all(request.as_bytes())
            .map_err(|e| self.io(e, timeout))?;

        let mut head = Vec::with_capacity(256);
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
            if head.len() >= MAX_HTTP_HEAD {
                return Err(self.refused(
                    ErrorClass::Transient,
                    format!("its response head is longer than {MAX_HTTP_HEAD} bytes"),
                ));
            }
            match tcp.read(&mut byte) {
                Ok(0) => {
                    return Err(self.refused(
                        ErrorClass::Transient,
                        "it closed the connection before answering CONNECT",
                    ));
                }
                Ok(_) => {
                    head.push(byte[0]);
                    // A SOCKS proxy (or anything else) answers in binary: say so at once.
                    if head.len() <= 5 && !b"HTTP/".starts_with(&head) {
                        return Err(self.refused(
                            ErrorClass::Transient,
                            "it does not answer like an HTTP proxy; is it SOCKS (socks5://)?",
                        ));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io(e, timeout)),
            }
        }
        let text = String::from_utf8_lossy(&head);
        let status_line = text.lines().next().unwrap_or("").trim();
        let status_line = super::text::escape(status_line).into_owned();
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        let code: u16 = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
        if !version.starts_with("HTTP/") || code == 0 {
            return Err(self.refused(
                ErrorClass::Transient,
                format!("it does not answer like an HTTP proxy ({status_line:?}); is it SOCKS (socks5://)?"),
            ));
        }
        match code {
            200..=299 => Ok(()),
            // 407 is the standard answer; tinyproxy says 401.
            401 | 407 => Err(self.refused(
                ErrorClass::Auth,
                if self.user.is_some() {
                    format!("it refused the proxy user name or password ({status_line})")
                } else {
                    format!("it wants a user name and password ({status_line}); put the user in the proxy URL (http://user@host)")
                },
            )),
            403 | 405 => Err(self.refused(
                ErrorClass::Refused,
                format!("it does not allow a tunnel to {authority} ({status_line}); proxies often allow only port 443, ask for the FTP ports"),
            )),
            _ => Err(self.refused(
                ErrorClass::Transient,
                format!("it could not open a tunnel to {authority} ({status_line})"),
            )),
        }
    }
}

/// The longest HTTP response head Ferry reads from a proxy.
const MAX_HTTP_HEAD: usize = 16 * 1024;

fn socks5_failure(code: u8) -> (ErrorClass, &'static str) {
    match code {
        1 => (ErrorClass::Transient, "general SOCKS server failure"),
        2 => (
            ErrorClass::Refused,
            "its rules do not allow this connection",
        ),
        3 => (ErrorClass::Transient, "network unreachable"),
        4 => (ErrorClass::Transient, "host unreachable"),
        5 => (
            ErrorClass::Transient,
            "connection refused (is the FTP server running on that port?)",
        ),
        6 => (ErrorClass::Transient, "TTL expired"),
        7 => (ErrorClass::Refused, "command not supported"),
        8 => (ErrorClass::Refused, "address type not supported"),
        _ => (ErrorClass::Transient, "an unknown SOCKS error"),
    }
}

/// Percent-encodes a URL's user part (RFC 3986 unreserved characters stay as they are).
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn base64_encode(input: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn proxy(kind: ProxyKind, port: u16) -> Proxy {
        Proxy {
            kind,
            host: "127.0.0.1".into(),
            port,
            user: None,
            password: None,
        }
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
        }
    }

    /// A proxy that answers `reply` to whatever comes and then sends `after` (the first bytes
    /// of the tunnel), to check that nothing past the reply is consumed.
    fn scripted(reply: &'static [u8], after: &'static [u8]) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut sock, _) = listener.accept().unwrap();
            let mut buf = [0u8; 512];
            let _ = sock.read(&mut buf);
            let mut both = reply.to_vec();
            both.extend_from_slice(after);
            let _ = sock.write_all(&both);
            std::thread::sleep(Duration::from_millis(200));
        });
        proxy(ProxyKind::HttpConnect, port)
    }

    #[test]
    fn http_connect_reads_its_head_and_not_one_byte_more() {
        let proxy = scripted(
            b"HTTP/1.1 200 Connection established\r\nProxy-Agent: x\r\n\r\n",
            b"220 hello\r\n",
        );
        let mut tcp = proxy
            .connect("ftp.example", 21, Duration::from_secs(5))
            .unwrap();
        let mut greeting = [0u8; 11];
        tcp.read_exact(&mut greeting).unwrap();
        assert_eq!(&greeting, b"220 hello\r\n");
    }

    #[test]
    fn http_refusals_say_why() {
        let proxy = scripted(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", b"");
        let err = proxy.connect("h", 21, Duration::from_secs(5)).unwrap_err();
        assert_eq!(err.class(), ErrorClass::Auth, "{err}");
        assert!(err.to_string().contains("user name and password"), "{err}");

        let proxy = scripted(b"HTTP/1.1 403 Forbidden\r\n\r\n", b"");
        let err = proxy.connect("h", 21, Duration::from_secs(5)).unwrap_err();
        assert_eq!(err.class(), ErrorClass::Refused, "{err}");
        assert!(err.to_string().contains("443"), "{err}");

        // A SOCKS proxy behind an http:// URL answers with binary.
        let proxy = scripted(&[5, 0xff], b"");
        let err = proxy.connect("h", 21, Duration::from_secs(5)).unwrap_err();
        assert!(err.to_string().contains("socks5://"), "{err}");
    }

    #[test]
    fn an_endless_http_head_is_bounded() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut sock, _) = listener.accept().unwrap();
            let mut buf = [0u8; 512];
            let _ = sock.read(&mut buf);
            let _ = sock.write_all(b"HTTP/1.1 200 OK\r\n");
            while sock
                .write_all(b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n")
                .is_ok()
            {}
        });
        let proxy = proxy(ProxyKind::HttpConnect, port);
        let err = proxy.connect("h", 21, Duration::from_secs(5)).unwrap_err();
        assert!(err.to_string().contains("longer than"), "{err}");
    }

    #[test]
    fn socks5_refusals_say_why() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut sock, _) = listener.accept().unwrap();
            let mut buf = [0u8; 3];
            sock.read_exact(&mut buf).unwrap();
            sock.write_all(&[5, 0]).unwrap();
            let mut request = [0u8; 5 + 11 + 2];
            sock.read_exact(&mut request).unwrap();
            assert_eq!(&request[..5], &[5, 1, 0, 3, 11]);
            assert_eq!(&request[5..16], b"ftp.example");
            assert_eq!(&request[16..], &21u16.to_be_bytes());
            sock.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).unwrap();
        });
        let proxy = proxy(ProxyKind::Socks5, port);
        let err = proxy
            .connect("ftp.example", 21, Duration::from_secs(5))
            .unwrap_err();
        assert!(err.to_string().contains("connection refused"), "{err}");
        assert_eq!(err.class(), ErrorClass::Transient);
    }
}
