//! Checksums the server computes of its own copy of a file, to verify a transfer end to end:
//! `HASH` (draft-bryan-ftpext-hash: ProFTPD mod_digest, FileZilla Server, Serv-U) or the older
//! `XCRC` / `XMD5` / `XSHA1` / `XSHA256` / `XSHA512` commands, whichever FEAT advertises.
//!
//! TLS already protects the bytes on the wire; what a checksum catches is a transfer that put
//! the wrong bytes in the right place: a resume from a partial file that belonged to another
//! version of the file, a server that wrote an upload short or twice, a disk that lied. For that,
//! any of these algorithms is enough, so Ferry prefers the cheapest one the server has (CRC32
//! costs almost nothing on either side; SHA-256 of a 10 GB file costs the server many seconds).

use std::fmt;

use super::features::Features;
use super::reply::Reply;

/// A checksum algorithm both sides can compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// CRC-32 (IEEE), as `XCRC` and `HASH CRC32` compute it.
    Crc32,
    /// MD5.
    Md5,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl Algorithm {
    /// Cheapest first: the order Ferry picks in.
    const PREFERENCE: [Algorithm; 5] = [
        Algorithm::Crc32,
        Algorithm::Md5,
        Algorithm::Sha1,
        Algorithm::Sha256,
        Algorithm::Sha512,
    ];

    /// The name `HASH` uses (and FEAT lists).
    pub fn hash_name(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "CRC32",
            Algorithm::Md5 => "MD5",
            Algorithm::Sha1 => "SHA-1",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha512 => "SHA-512",
        }
    }

    /// The older command for it.
    fn x_command(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "XCRC",
            Algorithm::Md5 => "XMD5",
            Algorithm::Sha1 => "XSHA1",
            Algorithm::Sha256 => "XSHA256",
            Algorithm::Sha512 => "XSHA512",
        }
    }

    /// Hex digits of a digest.
    fn hex_len(self) -> usize {
        match self {
            Algorithm::Crc32 => 8,
            Algorithm::Md5 => 32,
            Algorithm::Sha1 => 40,
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }

    fn from_hash_name(name: &str) -> Option<Algorithm> {
        let name = name.trim().trim_end_matches('*');
        Algorithm::PREFERENCE
            .into_iter()
            .find(|a| a.hash_name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hash_name())
    }
}

/// How to ask this server for a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `OPTS HASH <name>` once, then `HASH <path>`.
    Hash(Algorithm),
    /// `XCRC <path>` and friends.
    XCommand(Algorithm),
}

impl Method {
    /// The algorithm this method computes.
    pub fn algorithm(self) -> Algorithm {
        match self {
            Method::Hash(a) | Method::XCommand(a) => a,
        }
    }

    /// The cheapest method the server advertises, if any. `HASH` is preferred over an
    /// X-command for the same algorithm (it is the standard track, and says which file and
    /// range it hashed).
    pub fn choose(features: &Features) -> Option<Method> {
        let hash_algorithms: Vec<Algorithm> = features
            .params("HASH")
            .map(|p| p.split(';').filter_map(Algorithm::from_hash_name).collect())
            .unwrap_or_default();
        Algorithm::PREFERENCE.into_iter().find_map(|a| {
            if hash_algorithms.contains(&a) {
                Some(Method::Hash(a))
            } else if features.has(a.x_command()) {
                Some(Method::XCommand(a))
            } else {
                None
            }
        })
    }

    /// The command that asks for the checksum of `path` (after `OPTS HASH` for `Hash`).
    pub(crate) fn command(self, path: &str) -> String {
        match self {
            Method::Hash(_) => format!("HASH {path}"),
            Method::XCommand(a) => format!("{} {path}", a.x_command()),
        }
    }

    /// The digest in a reply: `213 SHA-256 0-49 <hex> name` for HASH, `250 <hex>` (or `213`)
    /// for the X-commands. Lower-case hex, CRC32 padded to 8 digits. ProFTPD sends a first line
    /// of its own (`213-Computing CRC32 digest`), so the last line that parses counts.
    pub(crate) fn parse_reply(self, reply: &Reply) -> Option<String> {
        reply
            .lines
            .iter()
            .rev()
            .find_map(|line| self.parse_line(line))
    }

    fn parse_line(self, line: &str) -> Option<String> {
        let algorithm = self.algorithm();
        let mut tokens = line.trim().split_ascii_whitespace();
        let candidate = match self {
            Method::Hash(_) => {
                let named = Algorithm::from_hash_name(tokens.next()?)?;
                if named != algorithm {
                    return None;
                }
                let _range = tokens.next()?;
                tokens.next()?
            }
            Method::XCommand(_) => tokens.find(|t| t.chars().all(|c| c.is_ascii_hexdigit()))?,
        };
        normalize(algorithm, candidate)
    }
}

/// Lower-case hex of the right length; CRC32 may come without leading zeros.
fn normalize(algorithm: Algorithm, hex: &str) -> Option<String> {
    if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let hex = hex.to_ascii_lowercase();
    match algorithm {
        Algorithm::Crc32 if hex.len() <= 8 => Some(format!("{hex:0>8}")),
        a if hex.len() == a.hex_len() => Some(hex),
        _ => None,
    }
}

/// A checksum computed on this side while the bytes pass.
pub enum Hasher {
    /// CRC-32.
    Crc32(crc32fast::Hasher),
    /// MD5.
    Md5(md5::Md5),
    /// SHA-1.
    Sha1(sha1::Sha1),
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// SHA-512.
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// A fresh hasher for `algorithm`.
    pub fn new(algorithm: Algorithm) -> Hasher {
        use sha2::Digest;
        match algorithm {
            Algorithm::Crc32 => Hasher::Crc32(crc32fast::Hasher::new()),
            Algorithm::Md5 => Hasher::Md5(md5::Md5::new()),
            Algorithm::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            Algorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        use sha2::Digest;
        match self {
            Hasher::Crc32(h) => h.update(bytes),
            Hasher::Md5(h) => h.update(bytes),
            Hasher::Sha1(h) => h.update(bytes),
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    /// The digest as lower-case hex (CRC32: 8 digits).
    pub fn finish(self) -> String {
        use sha2::Digest;
        fn hex(bytes: &[u8]) -> String {
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        }
        match self {
            Hasher::Crc32(h) => format!("{:08x}", h.finalize()),
            Hasher::Md5(h) => hex(&h.finalize()),
            Hasher::Sha1(h) => hex(&h.finalize()),
            Hasher::Sha256(h) => hex(&h.finalize()),
            Hasher::Sha512(h) => hex(&h.finalize()),
        }
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hasher")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feat(lines: &[&str]) -> Features {
        let mut all = vec!["Features:".to_owned()];
        all.extend(lines.iter().map(|l| format!(" {l}")));
        all.push("End".to_owned());
        Features::from_reply(&Reply {
            code: 211,
            lines: all,
        })
    }

    fn reply(code: u16, text: &str) -> Reply {
        Reply {
            code,
            lines: vec![text.to_owned()],
        }
    }

    #[test]
    fn picks_the_cheapest_advertised() {
        // ProFTPD mod_digest advertises both forms.
        let proftpd = feat(&[
            "HASH SHA-1*;SHA-256;SHA-512;MD5;CRC32",
            "XCRC filename;start;end",
            "XMD5 filename;start;end",
            "XSHA256 filename;start;end",
        ]);
        assert_eq!(
            Method::choose(&proftpd),
            Some(Method::Hash(Algorithm::Crc32))
        );
        let x_only = feat(&["XSHA256", "XMD5"]);
        assert_eq!(
            Method::choose(&x_only),
            Some(Method::XCommand(Algorithm::Md5))
        );
        let sha_only = feat(&["HASH SHA-256*;SHA-512"]);
        assert_eq!(
            Method::choose(&sha_only),
            Some(Method::Hash(Algorithm::Sha256))
        );
        assert_eq!(Method::choose(&feat(&["MDTM", "SIZE"])), None);
    }

    #[test]
    fn parses_replies() {
        let m = Method::Hash(Algorithm::Sha256);
        let hex = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
        let r = reply(213, &format!("SHA-256 0-3 {hex} name with 0123abcd spaces"));
        assert_eq!(m.parse_reply(&r), Some(hex.to_ascii_lowercase()));
        // Another algorithm than asked for is no answer.
        assert_eq!(
            m.parse_reply(&reply(213, &format!("MD5 0-3 {hex} x"))),
            None
        );
        let crc = Method::XCommand(Algorithm::Crc32);
        assert_eq!(
            crc.parse_reply(&reply(250, "1C291CA3")),
            Some("1c291ca3".into())
        );
        assert_eq!(
            crc.parse_reply(&reply(250, "c291ca3")),
            Some("0c291ca3".into())
        );
        assert_eq!(crc.parse_reply(&reply(250, "not hex")), None);
        // ProFTPD mod_digest: a line of its own first.
        let r = Reply {
            code: 213,
            lines: vec![
                "Computing CRC32 digest".into(),
                "CRC32 0-3145728 22ee486d dir/sum.bin".into(),
            ],
        };
        assert_eq!(
            Method::Hash(Algorithm::Crc32).parse_reply(&r),
            Some("22ee486d".into())
        );
        let md5 = Method::XCommand(Algorithm::Md5);
        assert_eq!(md5.parse_reply(&reply(250, "abc")), None);
    }

    #[test]
    fn local_digests_match_known_values() {
        let digest = |a: Algorithm| {
            let mut h = Hasher::new(a);
            h.update(b"te");
            h.update(b"st");
            h.finish()
        };
        assert_eq!(digest(Algorithm::Crc32), "d87f7e0c");
        assert_eq!(digest(Algorithm::Md5), "098f6bcd4621d373cade4e832627b4f6");
        assert_eq!(
            digest(Algorithm::Sha1),
            "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"
        );
        assert_eq!(
            digest(Algorithm::Sha256),
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        );
        assert_eq!(digest(Algorithm::Sha512).len(), 128);
    }
}
