//! Quick-connect URLs, shared by the window and the command line.
//!
//! `ftp://` and `ftpes://` mean explicit TLS *required*; `ftps://` means implicit TLS. As in curl,
//! lftp and RFC 1738, the path after the host is relative to the login directory; an absolute
//! path is written with a second slash (`ftp://host//etc/motd`) or `%2F`.

use crate::ftp::{Proxy, ProxyKind, Security};

/// A parsed `ftp://`, `ftpes://` or `ftps://` URL.
#[derive(Clone, PartialEq, Eq)]
pub struct FtpUrl {
    /// Explicit or implicit TLS (plain only when the caller downgrades on the user's request).
    pub security: Security,
    /// Host name or IP literal, without brackets.
    pub host: String,
    /// The port given, or the default for the security mode.
    pub port: u16,
    /// User name, percent-decoded.
    pub user: Option<String>,
    /// Password, percent-decoded. Never shown by `Debug`.
    pub password: Option<String>,
    /// The remote path, percent-decoded; empty means the login directory.
    pub path: String,
}

impl std::fmt::Debug for FtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FtpUrl")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("path", &self.path)
            .finish()
    }
}

/// Why a URL was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not `scheme://...`.
    #[error(
        "{0:?} is not a URL; write it as ftp://host/path (explicit TLS) or ftps://host/path (implicit TLS)"
    )]
    NotAUrl(String),
    /// A scheme Ferry does not speak.
    #[error(
        "unsupported scheme {0:?}: use ftp:// or ftpes:// (explicit TLS) or ftps:// (implicit TLS)"
    )]
    Scheme(String),
    /// No host.
    #[error("the URL has no host")]
    NoHost,
    /// Bad `[...]` literal.
    #[error("{0:?} is not a valid IPv6 address")]
    BadIpv6(String),
    /// Port not a number in 1..=65535.
    #[error("{0:?} is not a valid port (1-65535)")]
    BadPort(String),
    /// `%` not followed by two hex digits, or a decoded value that is not UTF-8.
    #[error("bad percent-encoding in {0:?}")]
    BadEncoding(String),
    /// A decoded value holds a line break or NUL, which could inject FTP commands.
    #[error("the URL contains a line break or NUL character")]
    ControlCharacter,
}

impl FtpUrl {
    /// Parses a URL. `sftp://` and others are refused with a clear message.
    pub fn parse(input: &str) -> Result<FtpUrl, UrlError> {
        let input = input.trim();
        let (scheme, rest) = input
            .split_once("://")
            .ok_or_else(|| UrlError::NotAUrl(input.to_owned()))?;
        let security = match scheme.to_ascii_lowercase().as_str() {
            "ftp" | "ftpes" => Security::ExplicitTls,
            "ftps" => Security::ImplicitTls,
            other => return Err(UrlError::Scheme(other.to_owned())),
        };
        let (authority, raw_path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        // Ignore any query or fragment: FTP has no use for them, and `;type=i` is legacy.
        let raw_path = raw_path.split(['?', '#']).next().unwrap_or("");
        let raw_path = raw_path.split(";type=").next().unwrap_or("");
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(info) => match info.split_once(':') {
                Some((u, p)) => (Some(decode(u)?), Some(decode(p)?)),
                None => (Some(decode(info)?), None),
            },
        };
        let (host, port) = split_host_port(hostport)?;
        Ok(FtpUrl {
            security,
            host,
            port: port.unwrap_or(security.default_port()),
            user: user.filter(|u| !u.is_empty()),
            password,
            path: decode(raw_path)?,
        })
    }

    /// The URL without credentials, for display and logs.
    pub fn display_without_password(&self) -> String {
        let scheme = match self.security {
            Security::ImplicitTls => "ftps",
            _ => "ftp",
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let user = self
            .user
            .as_ref()
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        format!("{scheme}://{user}{host}:{}/{}", self.port, self.path)
    }
}

/// Parses a proxy URL: `socks5://[user[:password]@]host[:port]` (also `socks5h://`,
/// `socks://`; port 1080 by default) or `http://[user[:password]@]host[:port]` (HTTP
/// CONNECT, port 8080 by default). User and password may be percent-encoded.
///
/// # Errors
/// Another scheme, no host, a bad port, or a path after the address.
pub fn parse_proxy(url: &str) -> Result<Proxy, String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        format!("{url:?} is not a proxy URL (socks5://host:port or http://host:port)")
    })?;
    let (kind, default_port) = match scheme.to_ascii_lowercase().as_str() {
        "socks5" | "socks5h" | "socks" => (ProxyKind::Socks5, 1080),
        "http" => (ProxyKind::HttpConnect, 8080),
        "https" => {
            return Err("an https:// proxy (TLS to the proxy itself) is not supported; use http:// (the FTP connection inside stays TLS)".into());
        }
        other => {
            return Err(format!(
                "unknown proxy type {other:?}: use socks5:// or http://"
            ));
        }
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#']) {
        return Err(format!("a proxy URL has no path: {url:?}"));
    }
    let (userinfo, address) = match rest.rsplit_once('@') {
        Some((info, address)) => (Some(info), address),
        None => (None, rest),
    };
    let (user, password) = match userinfo {
        None => (None, None),
        Some(info) => match info.split_once(':') {
            Some((u, p)) => (Some(decode(u)), Some(decode(p).map_err(|e| e.to_string())?)),
            None => (Some(decode(info)), None),
        },
    };
    let user = user.transpose().map_err(|e| e.to_string())?;
    let (host, port) = split_host_port(address).map_err(|e| format!("proxy: {e}"))?;
    Ok(Proxy {
        kind,
        host,
        port: port.unwrap_or(default_port),
        user: user.filter(|u| !u.is_empty()),
        password,
    })
}

fn split_host_port(hostport: &str) -> Result<(String, Option<u16>), UrlError> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (inside, after) = rest
            .split_once(']')
            .ok_or_else(|| UrlError::BadIpv6(hostport.to_owned()))?;
        if inside.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(UrlError::BadIpv6(inside.to_owned()));
        }
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| UrlError::BadPort(p.to_owned()))?,
            ),
        };
        (inside.to_owned(), port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (decode(h)?, Some(p)),
            None => (decode(hostport)?, None),
        }
    };
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    let port = match port {
        None | Some("") => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => Some(n),
            _ => return Err(UrlError::BadPort(p.to_owned())),
        },
    };
    Ok((host, port))
}

/// Percent-decodes a URL component into UTF-8 text without control line breaks.
fn decode(s: &str) -> Result<String, UrlError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| UrlError::BadEncoding(s.to_owned()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(out).map_err(|_| UrlError::BadEncoding(s.to_owned()))?;
    if text.contains(['\r', '\n', '\0']) {
        return Err(UrlError::ControlCharacter);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_defaults_and_escapes() {
        let p = parse_proxy("socks5://al%40ice:p%3Ass@proxy.example:1081").unwrap();
        assert_eq!(p.kind, ProxyKind::Socks5);
        assert_eq!(p.host, "proxy.example");
        assert_eq!(p.port, 1081);
        assert_eq!(p.user.as_deref(), Some("al@ice"));
        assert_eq!(p.password.as_deref(), Some("p:ss"));
        assert_eq!(p.to_string(), "socks5://al%40ice@proxy.example:1081");
        assert!(!format!("{p:?}").contains("p:ss"));

        let p = parse_proxy("http://[::1]").unwrap();
        assert_eq!(
            (p.kind, p.host.as_str(), p.port),
            (ProxyKind::HttpConnect, "::1", 8080)
        );
        assert_eq!(parse_proxy("socks5h://h").unwrap().port, 1080);
        for bad in [
            "ftp://h",
            "h:1080",
            "socks5://",
            "socks5://h:0",
            "socks5://h/x",
            "https://h",
        ] {
            assert!(parse_proxy(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn valid_urls() {
        let u = FtpUrl::parse("ftp://alice:s3cr%40t@example.com/dir/file.txt").unwrap();
        assert_eq!(u.security, Security::ExplicitTls);
        assert_eq!(u.host, "example.com");
        assert_eq!(u.port, 21);
        assert_eq!(u.user.as_deref(), Some("alice"));
        assert_eq!(u.password.as_deref(), Some("s3cr@t"));
        assert_eq!(u.path, "dir/file.txt");

        let u = FtpUrl::parse("ftps://[::1]:2990//abs/path").unwrap();
        assert_eq!(u.security, Security::ImplicitTls);
        assert_eq!((u.host.as_str(), u.port), ("::1", 2990));
        assert_eq!(u.path, "/abs/path");

        let u = FtpUrl::parse("FTPES://host").unwrap();
        assert_eq!(
            (u.security, u.port, u.path.as_str()),
            (Security::ExplicitTls, 21, "")
        );

        let u = FtpUrl::parse("ftps://host/").unwrap();
        assert_eq!(u.port, 990);

        let u = FtpUrl::parse("ftp://user@host:2121/%2Fetc/a%20b;type=i").unwrap();
        assert_eq!(u.user.as_deref(), Some("user"));
        assert_eq!(u.password, None);
        assert_eq!(u.path, "/etc/a b");

        // The last @ separates credentials, so an unencoded @ in a password still works.
        let u = FtpUrl::parse("ftp://me@x.org:p@ss@host/").unwrap();
        assert_eq!(u.user.as_deref(), Some("me@x.org"));
        assert_eq!(u.password.as_deref(), Some("p@ss"));
    }

    #[test]
    fn invalid_urls() {
        let cases = [
            ("example.com", "not a URL"),
            ("sftp://host/", "unsupported scheme"),
            ("http://host/", "unsupported scheme"),
            ("ftp:///path", "no host"),
            ("ftp://[::1/", "IPv6"),
            ("ftp://[nothex]/", "IPv6"),
            ("ftp://host:0/", "port"),
            ("ftp://host:99999/", "port"),
            ("ftp://host:abc/", "port"),
            ("ftp://[::1]x/", "port"),
            ("ftp://host/%zz", "percent"),
            ("ftp://host/%ff", "percent"),
            ("ftp://host/a%0d%0aDELE%20x", "line break"),
        ];
        for (url, expect) in cases {
            let err = FtpUrl::parse(url).unwrap_err().to_string();
            assert!(err.contains(expect), "{url}: {err}");
        }
    }

    #[test]
    fn debug_and_display_hide_the_password() {
        let u = FtpUrl::parse("ftp://alice:hunter2@host/").unwrap();
        assert!(!format!("{u:?}").contains("hunter2"));
        assert!(!u.display_without_password().contains("hunter2"));
    }
}
