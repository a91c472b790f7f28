//! Data-connection addressing: parsing EPSV/PASV replies, formatting EPRT/PORT, and the address
//! policy (data always goes to the control connection's peer, whatever the server advertises).

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::ops::RangeInclusive;

use super::error::{FtpError, Result};
use super::reply::Reply;

/// How data connections are opened.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DataMode {
    /// The client connects to the server (EPSV, then PASV). Works through client-side NAT.
    #[default]
    Passive,
    /// The server connects back to the client (EPRT, then PORT), to a port from `ports`.
    Active {
        /// The local ports Ferry may listen on (for firewall rules). `0..=0` means any.
        ports: RangeInclusive<u16>,
        /// The address to announce instead of the control connection's local one (client NAT).
        announce: Option<IpAddr>,
    },
}

/// Parses a `229 Entering Extended Passive Mode (|||6446|)` reply into the port.
///
/// RFC 2428 lets the delimiter be any printable character, so it is taken from the reply itself.
pub fn parse_epsv(reply: &Reply) -> Result<u16> {
    let text = reply.first_line();
    let bad = || FtpError::Protocol(format!("unreadable EPSV reply: {reply}"));
    let open = text.find('(').ok_or_else(bad)?;
    let inner = &text[open + 1..];
    let close = inner.find(')').ok_or_else(bad)?;
    let inner = &inner[..close];
    let delim = inner.chars().next().ok_or_else(bad)?;
    if delim.is_ascii_alphanumeric() {
        return Err(bad());
    }
    let fields: Vec<&str> = inner.split(delim).collect();
    // "|||6446|" splits into ["", "", "", "6446", ""].
    let empty = |i: usize| fields.get(i).is_some_and(|f| f.is_empty());
    if fields.len() != 5 || !(empty(0) && empty(1) && empty(2) && empty(4)) {
        return Err(bad());
    }
    let port: u16 = fields[3].parse().map_err(|_| bad())?;
    if port == 0 {
        return Err(bad());
    }
    Ok(port)
}

/// Parses a `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)` reply into the advertised address.
///
/// Servers vary in what surrounds the six numbers (no parentheses, `=`), so the first run of six
/// comma-separated numbers is taken.
pub fn parse_pasv(reply: &Reply) -> Result<SocketAddr> {
    let text = reply.first_line();
    let numbers = (0..text.len())
        .filter(|&i| starts_digit_run(text, i))
        .find_map(|i| six_numbers(&text[i..]))
        .ok_or_else(|| FtpError::Protocol(format!("unreadable PASV reply: {reply}")))?;
    let ip = Ipv4Addr::new(numbers[0], numbers[1], numbers[2], numbers[3]);
    let port = u16::from(numbers[4]) << 8 | u16::from(numbers[5]);
    if port == 0 {
        return Err(FtpError::Protocol(format!(
            "PASV reply names port 0: {reply}"
        )));
    }
    Ok(SocketAddr::new(IpAddr::V4(ip), port))
}

fn starts_digit_run(text: &str, i: usize) -> bool {
    let bytes = text.as_bytes();
    bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit())
}

/// `a,b,c,d,e,f` at the start of `text` (spaces allowed after commas), each fitting a byte.
fn six_numbers(text: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = text.splitn(7, ',');
    for (i, slot) in out.iter_mut().enumerate() {
        let part = parts.next()?.trim();
        // The last number may be followed by ")" or text; the others stand alone.
        let digits_len = part.bytes().take_while(u8::is_ascii_digit).count();
        if digits_len == 0 || (i < 5 && digits_len != part.len()) {
            return None;
        }
        *slot = part[..digits_len].parse().ok()?;
    }
    Some(out)
}

/// The argument of `EPRT` for a local listening address: `|1|192.0.2.1|6446|` or `|2|::1|6446|`.
pub fn eprt_argument(addr: SocketAddr) -> String {
    let proto = if addr.is_ipv4() { 1 } else { 2 };
    format!("|{proto}|{}|{}|", addr.ip(), addr.port())
}

/// The argument of `PORT` for an IPv4 listening address: `h1,h2,h3,h4,p1,p2`.
pub fn port_argument(ip: Ipv4Addr, port: u16) -> String {
    let o = ip.octets();
    format!(
        "{},{},{},{},{},{}",
        o[0],
        o[1],
        o[2],
        o[3],
        port >> 8,
        port & 0xff
    )
}

/// Binds a listener for active mode on `ip`, on the first free port in `ports` (any if `0..=0`).
pub(crate) fn bind_active_listener(ip: IpAddr, ports: &RangeInclusive<u16>) -> Result<TcpListener> {
    if *ports == (0..=0) {
        return TcpListener::bind(SocketAddr::new(ip, 0))
            .map_err(|e| FtpError::Local { source: e });
    }
    let mut last_err = None;
    for port in ports.clone() {
        match TcpListener::bind(SocketAddr::new(ip, port)) {
            Ok(l) => return Ok(l),
            Err(e) => last_err = Some(e),
        }
    }
    Err(FtpError::InvalidInput(format!(
        "no free local port in {}-{} for active mode ({}); widen the range or use passive mode",
        ports.start(),
        ports.end(),
        last_err
            .map(|e| e.to_string())
            .unwrap_or_else(|| "empty range".into())
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16, text: &str) -> Reply {
        Reply {
            code,
            lines: vec![text.to_owned()],
        }
    }

    #[test]
    fn epsv_replies() {
        let ok = |t: &str| parse_epsv(&reply(229, t));
        assert_eq!(
            ok("Entering Extended Passive Mode (|||6446|)").unwrap(),
            6446
        );
        assert_eq!(ok("EPSV ok (!!!50000!)").unwrap(), 50000);
        assert_eq!(ok("(|||21|) trailing").unwrap(), 21);
        for bad in [
            "Entering Extended Passive Mode",
            "(|||)",
            "(|||0|)",
            "(|||70000|)",
            "(|||12a|)",
            "(||1|2|)",
            "(1112|)",
            "(",
            "(|||5|",
            "",
        ] {
            assert!(ok(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pasv_replies() {
        let ok = |t: &str| parse_pasv(&reply(227, t));
        assert_eq!(
            ok("Entering Passive Mode (192,168,1,10,195,80)").unwrap(),
            "192.168.1.10:50000".parse().unwrap()
        );
        assert_eq!(
            ok("Entering Passive Mode 10,0,0,1,4,1").unwrap(),
            "10.0.0.1:1025".parse().unwrap()
        );
        assert_eq!(
            ok("=127,0,0,1,0,21").unwrap(),
            "127.0.0.1:21".parse().unwrap()
        );
        assert_eq!(
            ok("Mode 2 ok (127, 0, 0, 1, 1, 2)").unwrap(),
            "127.0.0.1:258".parse().unwrap()
        );
        for bad in [
            "Entering Passive Mode",
            "(1,2,3,4,5)",
            "(256,1,1,1,1,1)",
            "(1,2,3,4,0,0)",
            "(a,b,c,d,e,f)",
            "",
            "999999999999999999999,1,1,1,1,1",
        ] {
            assert!(ok(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn active_arguments() {
        assert_eq!(
            eprt_argument("192.0.2.1:6446".parse().unwrap()),
            "|1|192.0.2.1|6446|"
        );
        assert_eq!(eprt_argument("[::1]:21".parse().unwrap()), "|2|::1|21|");
        assert_eq!(
            port_argument(Ipv4Addr::new(127, 0, 0, 1), 50000),
            "127,0,0,1,195,80"
        );
    }
}
