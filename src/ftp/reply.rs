//! Server replies: a typed [`Reply`] and a bounded line reader that turns control-connection bytes
//! into replies without ever trusting the server about sizes.
//!
//! The reader keeps its own buffer instead of a `BufReader` so that the AUTH TLS upgrade can check
//! that nothing is left buffered after `234` (bytes a server or attacker slipped in before the
//! handshake would otherwise be read later as if they had come over TLS).

use std::fmt;
use std::io::{self, Read};

use super::text::ServerText;

/// Longest control line Ferry accepts. RFC 959 sets no limit; real servers stay far below this.
pub const MAX_LINE_LEN: usize = 8 * 1024;
/// Most bytes a single (multi-line) reply may span: FEAT, HELP and banners fit easily.
pub const MAX_REPLY_LEN: usize = 256 * 1024;

/// One reply from the server: a three-digit code and its text lines (one or more).
///
/// Text is decoded lossily: servers send Latin-1 banners and broken UTF-8 names, and none of that
/// may panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The reply code, 100..=599.
    pub code: u16,
    /// The text of each line with the code and separator removed from the first and last lines.
    pub lines: Vec<String>,
}

impl Reply {
    /// 1xx: a positive preliminary reply (the server will send another reply later).
    pub fn is_preliminary(&self) -> bool {
        (100..200).contains(&self.code)
    }
    /// 2xx: the command succeeded.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.code)
    }
    /// 3xx: the command needs another one (PASS after USER, RNTO after RNFR, ...).
    pub fn is_intermediate(&self) -> bool {
        (300..400).contains(&self.code)
    }
    /// 4xx: a transient failure; trying again later may work.
    pub fn is_transient_failure(&self) -> bool {
        (400..500).contains(&self.code)
    }
    /// The server turns the connection away because it has too many: `421` (vsftpd
    /// `max_per_ip`, pure-ftpd), or `530` that says so (ProFTPD `MaxClientsPerHost`: "Sorry, the
    /// maximum number of clients ... are already connected"). Worth another try later, unlike a
    /// wrong password.
    pub fn is_connection_limit(&self) -> bool {
        if self.code == 421 {
            return true;
        }
        let text = self.text().to_ascii_lowercase();
        matches!(self.code, 530 | 550)
            && [
                "too many",
                "maximum number",
                "max clients",
                "connection limit",
            ]
            .iter()
            .any(|hint| text.contains(hint))
    }
    /// The text of the first line, which carries the data of single-line replies (PWD, SIZE, EPSV).
    pub fn first_line(&self) -> &str {
        self.lines.first().map(String::as_str).unwrap_or("")
    }
    /// All lines joined with newlines.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

impl fmt::Display for Reply {
    /// `code text`, lines joined with " / ", control characters escaped (the text is the
    /// server's: it must not drive the terminal it is shown on).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.lines.join(" / ");
        write!(f, "{} {}", self.code, ServerText(text.trim()))
    }
}

/// Why a reply could not be read.
#[derive(Debug)]
pub enum ReadReplyError {
    /// The socket failed or timed out.
    Io(io::Error),
    /// The connection closed before a whole reply arrived.
    Closed,
    /// The bytes were not a valid FTP reply, or were larger than the bounds allow.
    Malformed(String),
}

impl From<io::Error> for ReadReplyError {
    fn from(e: io::Error) -> Self {
        ReadReplyError::Io(e)
    }
}

/// A line reader with a bounded buffer over any byte stream.
#[derive(Debug, Default)]
pub struct LineReader {
    buf: Vec<u8>,
    start: usize,
}

impl LineReader {
    /// An empty reader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes received but not consumed yet.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Reads one line (without CR LF), at most `MAX_LINE_LEN` bytes long.
    pub fn read_line(&mut self, stream: &mut impl Read) -> Result<Vec<u8>, ReadReplyError> {
        loop {
            if let Some(pos) = self.buf[self.start..].iter().position(|&b| b == b'\n') {
                if pos > MAX_LINE_LEN {
                    return Err(ReadReplyError::Malformed(format!(
                        "a reply line is longer than {MAX_LINE_LEN} bytes"
                    )));
                }
                let end = self.start + pos;
                let mut line = self.buf[self.start..end].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.start = end + 1;
                self.compact();
                return Ok(line);
            }
            if self.buffered() > MAX_LINE_LEN {
                return Err(ReadReplyError::Malformed(format!(
                    "a reply line is longer than {MAX_LINE_LEN} bytes"
                )));
            }
            self.compact();
            let mut chunk = [0u8; 4096];
            let n = match stream.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // rustls reports a TCP close without close_notify as UnexpectedEof.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => 0,
                Err(e) => return Err(ReadReplyError::Io(e)),
            };
            if n == 0 {
                return Err(ReadReplyError::Closed);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Reads one complete reply, following multi-line replies (`123-` ... `123 `) to their end.
    pub fn read_reply(&mut self, stream: &mut impl Read) -> Result<Reply, ReadReplyError> {
        let first = self.read_line(stream)?;
        let (code, multiline, text) = parse_reply_start(&first)?;
        let mut lines = vec![text];
        let mut total = first.len();
        if multiline {
            loop {
                let line = self.read_line(stream)?;
                total += line.len() + 2;
                if total > MAX_REPLY_LEN {
                    return Err(ReadReplyError::Malformed(format!(
                        "a multi-line reply is larger than {MAX_REPLY_LEN} bytes"
                    )));
                }
                if let Ok((end_code, false, end_text)) = parse_reply_start(&line)
                    && end_code == code
                {
                    lines.push(end_text);
                    break;
                }
                // Inner lines of a multi-line reply are free text; many servers indent them.
                lines.push(String::from_utf8_lossy(&line).into_owned());
            }
        }
        Ok(Reply { code, lines })
    }

    fn compact(&mut self) {
        if self.start > 0 && (self.start == self.buf.len() || self.start > 64 * 1024) {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }
}

/// Parses the first line of a reply: `DDD text`, `DDD-text` or bare `DDD`.
fn parse_reply_start(line: &[u8]) -> Result<(u16, bool, String), ReadReplyError> {
    let malformed = || {
        ReadReplyError::Malformed(format!(
            "expected a reply code, got {:?}",
            String::from_utf8_lossy(&line[..line.len().min(80)])
        ))
    };
    let digits = line.get(..3).ok_or_else(malformed)?;
    if !digits.iter().all(u8::is_ascii_digit) || !(b'1'..=b'5').contains(&digits[0]) {
        return Err(malformed());
    }
    let code = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    let (multiline, rest) = match line.get(3) {
        None => (false, &[][..]),
        Some(b' ') => (false, &line[4..]),
        Some(b'-') => (true, &line[4..]),
        Some(_) => return Err(malformed()),
    };
    Ok((code, multiline, String::from_utf8_lossy(rest).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> Vec<Result<Reply, String>> {
        let mut reader = LineReader::new();
        let mut src = bytes;
        let mut out = Vec::new();
        loop {
            match reader.read_reply(&mut src) {
                Ok(r) => out.push(Ok(r)),
                Err(ReadReplyError::Closed) => break,
                Err(ReadReplyError::Malformed(m)) => {
                    out.push(Err(m));
                    break;
                }
                Err(ReadReplyError::Io(e)) => {
                    out.push(Err(e.to_string()));
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn single_line_replies() {
        let r = read_all(b"220 Welcome\r\n331 Password please\n200\r\n");
        assert_eq!(r.len(), 3);
        let first = r[0].as_ref().unwrap();
        assert_eq!(first.code, 220);
        assert_eq!(first.lines, vec!["Welcome"]);
        assert_eq!(r[1].as_ref().unwrap().code, 331);
        assert_eq!(r[2].as_ref().unwrap().lines, vec![""]);
    }

    #[test]
    fn multi_line_reply_with_indented_and_lookalike_lines() {
        let raw = b"211-Features:\r\n MLST size*;\r\n EPSV\r\n211-not the end\r\n212 other code\r\n211 End\r\n";
        let r = read_all(raw);
        let reply = r[0].as_ref().unwrap();
        assert_eq!(reply.code, 211);
        assert_eq!(
            reply.lines,
            vec![
                "Features:",
                " MLST size*;",
                " EPSV",
                "211-not the end",
                "212 other code",
                "End"
            ]
        );
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn truncated_reply_is_closed_not_panic() {
        let mut reader = LineReader::new();
        let mut src: &[u8] = b"220-hello\r\n more";
        assert!(matches!(
            reader.read_reply(&mut src),
            Err(ReadReplyError::Closed)
        ));
        let mut src: &[u8] = b"22";
        assert!(matches!(
            LineReader::new().read_reply(&mut src),
            Err(ReadReplyError::Closed)
        ));
    }

    #[test]
    fn oversized_line_and_reply_are_rejected() {
        let mut long = b"220 ".to_vec();
        long.extend(std::iter::repeat_n(b'a', MAX_LINE_LEN + 10));
        long.extend_from_slice(b"\r\n");
        assert!(read_all(&long)[0].as_ref().unwrap_err().contains("longer"));

        let mut big = b"220-start\r\n".to_vec();
        for _ in 0..(MAX_REPLY_LEN / 100 + 10) {
            big.extend(std::iter::repeat_n(b'x', 98));
            big.extend_from_slice(b"\r\n");
        }
        big.extend_from_slice(b"220 end\r\n");
        assert!(read_all(&big)[0].as_ref().unwrap_err().contains("larger"));
    }

    #[test]
    fn non_utf8_and_garbage() {
        let r = read_all(b"220 caf\xe9 \xff\xfe\r\n");
        assert_eq!(r[0].as_ref().unwrap().code, 220);
        for bad in [
            &b"abc\r\n"[..],
            b"2x0 hi\r\n",
            b"600 no\r\n",
            b"099 no\r\n",
            b"220x\r\n",
        ] {
            assert!(read_all(bad)[0].is_err(), "{bad:?}");
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut bytes = Vec::new();
            for _ in 0..(seed % 200) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let b = (seed >> 33) as u8;
                // Bias towards the characters that matter to the parser.
                bytes.push(match b % 8 {
                    0 => b'\n',
                    1 => b'2',
                    2 => b'-',
                    3 => b' ',
                    _ => b,
                });
            }
            let _ = read_all(&bytes);
        }
    }

    #[test]
    fn display_escapes_what_the_server_sent() {
        let reply = Reply {
            code: 550,
            lines: vec!["\x1b[2Jgone\rall files verified OK".into()],
        };
        let shown = reply.to_string();
        assert_eq!(shown, "550 \\x1b[2Jgone\\rall files verified OK");
        assert!(!shown.chars().any(char::is_control));
    }

    #[test]
    fn connection_limits_are_told_from_refused_logins() {
        let reply = |code, text: &str| Reply {
            code,
            lines: vec![text.to_owned()],
        };
        assert!(
            reply(
                421,
                "There are too many connections from your internet address."
            )
            .is_connection_limit()
        );
        assert!(
            reply(
                530,
                "Sorry, the maximum number of clients (2) from your host are already connected."
            )
            .is_connection_limit()
        );
        assert!(reply(421, "Too many connections (2) from this IP").is_connection_limit());
        assert!(!reply(530, "Login incorrect.").is_connection_limit());
        assert!(!reply(550, "No such file.").is_connection_limit());
    }
}
