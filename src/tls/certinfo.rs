//! What the certificate prompt shows the user about a server certificate.
//!
//! When the TLS verifier rejects a server's certificate, Ferry asks the user whether to trust it
//! anyway. To decide, the user needs the facts a careful person would compare against what the
//! server's administrator published: the SHA-256 fingerprints, the names, the validity period,
//! the issuer, and a plain-language reason for the rejection. [`CertInfo`] collects those facts
//! from the DER chain the server sent and [`CertInfo::render`] lays them out for a terminal.
//!
//! Everything here parses data sent by a possibly hostile server, so nothing panics on malformed
//! input, and every string taken from a certificate has its control characters (and Unicode
//! bidirectional overrides) replaced with `?` so that it cannot inject terminal escape sequences
//! or visually reorder the prompt.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
use x509_parser::public_key::{PublicKey, RSAPublicKey};

/// Why a certificate was not trusted, in words a user understands.
///
/// This is a simplification of [`rustls::CertificateError`] to the handful of cases a user can
/// act on; anything else is kept as rustls' own text in [`CertProblem::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertProblem {
    /// The certificate was signed by an authority this computer does not trust.
    UnknownIssuer,
    /// The issuer is unknown and the certificate is signed by its own key (issuer equals
    /// subject): nobody but the server itself vouches for it. Typical of home-made FTP servers.
    SelfSigned,
    /// The certificate's validity period has ended.
    Expired,
    /// The certificate's validity period has not started yet (often a wrong clock).
    NotYetValid,
    /// The certificate was issued for a different host name than the one connected to.
    NameMismatch,
    /// The issuer has revoked the certificate.
    Revoked,
    /// A signature in the chain does not verify: forged or damaged.
    BadSignature,
    /// Any other reason, with rustls' description (control characters replaced).
    Other(String),
}

impl CertProblem {
    /// Maps the rustls rejection reason to a problem a user understands.
    ///
    /// `end_entity` (the parsed server certificate, if available) is used to tell a self-signed
    /// certificate from one signed by an unknown authority: with only a [`CertInfo`] at hand
    /// this compares the issuer and subject names. [`CertInfo::from_chain`] makes the stronger
    /// check (the signature must also verify with the certificate's own key, where the algorithm
    /// is one rustls supports), so prefer passing the reason there.
    pub fn from_rustls(
        reason: &rustls::CertificateError,
        end_entity: Option<&CertInfo>,
    ) -> CertProblem {
        let names_match = end_entity.is_some_and(|info| info.subject == info.issuer);
        map_reason(reason, names_match)
    }

    /// A one-line explanation for the user, such as
    /// "the certificate is self-signed: nobody vouches for it".
    pub fn describe(&self) -> String {
        match self {
            CertProblem::UnknownIssuer => {
                "the certificate is signed by an authority this computer does not trust".to_owned()
            }
            CertProblem::SelfSigned => {
                "the certificate is self-signed: nobody vouches for it".to_owned()
            }
            CertProblem::Expired => "the certificate has expired".to_owned(),
            CertProblem::NotYetValid => {
                "the certificate is not valid yet (or this computer's clock is wrong)".to_owned()
            }
            CertProblem::NameMismatch => {
                "the certificate was issued for a different server name".to_owned()
            }
            CertProblem::Revoked => "the certificate has been revoked by its issuer".to_owned(),
            CertProblem::BadSignature => {
                "a signature on the certificate does not verify: it may be forged or damaged"
                    .to_owned()
            }
            CertProblem::Other(text) => {
                format!("the certificate was rejected: {}", sanitize(text))
            }
        }
    }
}

/// Whether a reason is about the certificate itself (time, name, revocation) rather than about
/// finding who signed it.
fn is_about_the_certificate(reason: &rustls::CertificateError) -> bool {
    use rustls::CertificateError as E;
    matches!(
        reason,
        E::Expired
            | E::ExpiredContext { .. }
            | E::NotValidYet
            | E::NotValidYetContext { .. }
            | E::NotValidForName
            | E::NotValidForNameContext { .. }
            | E::Revoked
    )
}

/// Maps a rustls reason; `self_signed` says whether the end-entity looks self-signed.
///
/// For a self-signed certificate, path building may fail with something other than
/// UnknownIssuer: an OS store that holds an unrelated root with the same name (Debian's
/// `ssl-cert-snakeoil` is `CN=localhost`) yields a signature-algorithm mismatch. Whatever the
/// path-building error, the user's question is the same: this certificate vouches for itself.
fn map_reason(reason: &rustls::CertificateError, self_signed: bool) -> CertProblem {
    use rustls::CertificateError as E;
    match reason {
        r if self_signed && !is_about_the_certificate(r) => CertProblem::SelfSigned,
        E::UnknownIssuer => CertProblem::UnknownIssuer,
        E::Expired | E::ExpiredContext { .. } => CertProblem::Expired,
        E::NotValidYet | E::NotValidYetContext { .. } => CertProblem::NotYetValid,
        E::NotValidForName | E::NotValidForNameContext { .. } => CertProblem::NameMismatch,
        E::Revoked => CertProblem::Revoked,
        E::BadSignature => CertProblem::BadSignature,
        E::Other(other) => match windows_chain_error(other) {
            Some(WindowsVerdict::Problem(problem)) => problem,
            Some(WindowsVerdict::Said(text)) => CertProblem::Other(text),
            None => CertProblem::Other(sanitize(&other.to_string())),
        },
        other => CertProblem::Other(sanitize(&other.to_string())),
    }
}

/// What a Windows certificate-chain error code (`CERT_E_*`, `CRYPT_E_*`) means.
enum WindowsVerdict {
    /// One of the problems people know.
    Problem(CertProblem),
    /// Something else, said in words, with the code for a search.
    Said(String),
}

/// The Windows verdict inside an [`rustls::OtherError`]: rustls-platform-verifier passes the
/// chain engine's HRESULT on as an `io::Error`, whose text Windows (and Wine) may not even
/// have ("OS Error -2146762482 (FormatMessageW() returned error 317)"). Read the code on every
/// platform (it is only a number), so the mapping is tested on Linux too.
fn windows_chain_error(other: &rustls::OtherError) -> Option<WindowsVerdict> {
    let code = other.0.downcast_ref::<std::io::Error>()?.raw_os_error()? as u32;
    let said = |what: &str, name: &str| {
        Some(WindowsVerdict::Said(format!(
            "Windows {what} ({name}, 0x{code:08X})"
        )))
    };
    match code {
        // CERT_E_UNTRUSTEDROOT, CERT_E_CHAINING, CERT_E_UNTRUSTEDTESTROOT, SEC_E_UNTRUSTED_ROOT:
        // no trusted authority at the top.
        0x800B_0109 | 0x800B_010A | 0x800B_010D | 0x8009_0325 => {
            Some(WindowsVerdict::Problem(CertProblem::UnknownIssuer))
        }
        // CERT_E_EXPIRED, SEC_E_CERT_EXPIRED.
        0x800B_0101 | 0x8009_0328 => Some(WindowsVerdict::Problem(CertProblem::Expired)),
        // CERT_E_CN_NO_MATCH, CERT_E_INVALID_NAME, SEC_E_WRONG_PRINCIPAL.
        0x800B_010F | 0x800B_0114 | 0x8009_0322 => {
            Some(WindowsVerdict::Problem(CertProblem::NameMismatch))
        }
        // CRYPT_E_REVOKED, CERT_E_REVOKED.
        0x8009_2010 | 0x800B_010C => Some(WindowsVerdict::Problem(CertProblem::Revoked)),
        0x8009_6004 | 0x8009_6010 => Some(WindowsVerdict::Problem(CertProblem::BadSignature)),
        0x800B_010E => said(
            "could not check whether the certificate was revoked",
            "CERT_E_REVOCATION_FAILURE",
        ),
        0x8009_2012 => said(
            "found no way to check whether the certificate was revoked",
            "CRYPT_E_NO_REVOCATION_CHECK",
        ),
        0x8009_2013 => said(
            "could not reach the server that says whether the certificate was revoked",
            "CRYPT_E_REVOCATION_OFFLINE",
        ),
        0x800B_0110 => said(
            "says the certificate is not meant for servers",
            "CERT_E_WRONG_USAGE",
        ),
        0x800B_0000..=0x800B_FFFF | 0x8009_0000..=0x8009_FFFF => {
            said("rejected the certificate", "a certificate error")
        }
        _ => None,
    }
}

/// One certificate of the chain as received from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry {
    /// Subject name, or a placeholder if this certificate could not be parsed.
    pub subject: String,
    /// Issuer name (empty if this certificate could not be parsed).
    pub issuer: String,
    /// SHA-256 of the certificate's DER, colon-separated upper-case hex.
    pub sha256: String,
}

/// Everything the user needs to decide whether to trust a server certificate.
///
/// Built by [`CertInfo::from_chain`]; `tls_version` and `cipher_suite` are filled in by the
/// caller once a handshake has completed. All strings are free of control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// SHA-256 of the end-entity certificate's DER, colon-separated upper-case hex `AB:CD:...`.
    pub sha256: String,
    /// SHA-256 of the DER `SubjectPublicKeyInfo`, same format: stays the same across renewals
    /// that keep the key.
    pub spki_sha256: String,
    /// Subject distinguished name, RFC 4514-like (`CN=example.com, O=Example`).
    pub subject: String,
    /// Issuer distinguished name, same format.
    pub issuer: String,
    /// Subject alternative names: `DNS:example.com`, `IP:127.0.0.1`, `email:...`, `URI:...`.
    pub subject_alt_names: Vec<String>,
    /// Start of validity, Unix seconds.
    pub not_before: i64,
    /// End of validity, Unix seconds.
    pub not_after: i64,
    /// Serial number, colon-separated upper-case hex of its DER integer bytes.
    pub serial: String,
    /// Public key algorithm: `RSA`, `EC P-256`, `EC P-384`, `Ed25519`, ... or a dotted OID.
    pub key_algorithm: String,
    /// Key size: RSA modulus bits or EC curve size; `None` if unknown.
    pub key_bits: Option<u32>,
    /// Signature algorithm: a friendly name (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`)
    /// for known OIDs, else the dotted OID.
    pub signature_algorithm: String,
    /// The chain as received, end-entity first.
    pub chain: Vec<ChainEntry>,
    /// Why the certificate was rejected, if it was.
    pub problem: Option<CertProblem>,
    /// Negotiated TLS version ("TLSv1.3"), filled by the caller after a handshake.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite, filled by the caller after a handshake.
    pub cipher_suite: Option<String>,
}

/// Width of the label column in [`CertInfo::render`].
const LABEL_WIDTH: usize = 22;
/// At most this many alternative names are listed by [`CertInfo::render`].
const MAX_RENDERED_SANS: usize = 50;

impl CertInfo {
    /// Parses the chain the server sent (end-entity first) into what the prompt shows.
    ///
    /// `reason` is the rustls rejection, if any; it becomes [`CertInfo::problem`] (with a
    /// self-signature check to tell [`CertProblem::SelfSigned`] from
    /// [`CertProblem::UnknownIssuer`]). Returns an error message if the chain is empty or the
    /// end-entity is not parseable X.509; later certificates that do not parse are listed with
    /// a placeholder subject. Never panics, whatever the bytes.
    ///
    /// # Errors
    ///
    /// A message for the user if `chain` is empty or its first certificate does not parse.
    pub fn from_chain(
        chain: &[CertificateDer<'_>],
        reason: Option<&rustls::CertificateError>,
    ) -> Result<CertInfo, String> {
        let Some(end_entity_der) = chain.first() else {
            return Err("the server sent no certificate".to_owned());
        };
        let der: &[u8] = end_entity_der.as_ref();
        let cert = match X509Certificate::from_der(der) {
            Ok((_, cert)) => cert,
            Err(e) => {
                return Err(format!(
                    "the server's certificate is not valid X.509 ({} bytes): {e}",
                    der.len()
                ));
            }
        };

        let subject = sanitize(&cert.subject().to_string());
        let issuer = sanitize(&cert.issuer().to_string());
        let spki = cert.public_key();
        let (key_algorithm, key_bits) = key_description(spki);
        let problem = reason.map(|r| {
            let self_signed =
                !is_about_the_certificate(r) && looks_self_signed(&cert, der, key_bits);
            map_reason(r, self_signed)
        });

        Ok(CertInfo {
            sha256: sha256_colon_hex(der),
            spki_sha256: sha256_colon_hex(spki.raw),
            subject,
            issuer,
            subject_alt_names: subject_alt_names(&cert),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            serial: colon_hex(cert.raw_serial()),
            key_algorithm,
            key_bits,
            signature_algorithm: signature_algorithm_name(
                &cert.signature_algorithm.algorithm.to_id_string(),
            ),
            chain: chain.iter().map(|c| chain_entry(c.as_ref())).collect(),
            problem,
            tls_version: None,
            cipher_suite: None,
        })
    }

    /// Formats a Unix time as `2024-01-02 15:04:05 UTC` (proleptic Gregorian calendar; works
    /// for any `i64`, including dates before 1970 and after 2038).
    pub fn format_time(unix: i64) -> String {
        let days = unix.div_euclid(86_400);
        let secs = unix.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }

    /// Whether `now` (Unix seconds) is within `not_before..=not_after`.
    pub fn is_valid_at(&self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// A multi-line, aligned, human-readable description for a terminal, without colours.
    ///
    /// Shows the problem, subject, issuer, alternative names, validity (marked EXPIRED or
    /// NOT YET VALID against the current clock), both SHA-256 fingerprints, serial, key,
    /// signature algorithm, TLS version and cipher suite if known, and the chain. Each value a
    /// user would compare is on its own line. Every string is sanitised again here, so even a
    /// hand-built `CertInfo` cannot put escape sequences on the terminal.
    pub fn render(&self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        self.render_at(now)
    }

    /// [`CertInfo::render`] with an explicit current time, for tests.
    fn render_at(&self, now: i64) -> String {
        let mut out = String::new();
        if let Some(problem) = &self.problem {
            field(&mut out, "Problem:", &problem.describe());
        }
        field(&mut out, "Subject:", &self.subject);
        field(&mut out, "Issuer:", &self.issuer);
        if self.subject_alt_names.is_empty() {
            field(&mut out, "Alternative names:", "(none)");
        } else {
            let mut label = "Alternative names:";
            for name in self.subject_alt_names.iter().take(MAX_RENDERED_SANS) {
                field(&mut out, label, name);
                label = "";
            }
            let more = self
                .subject_alt_names
                .len()
                .saturating_sub(MAX_RENDERED_SANS);
            if more > 0 {
                field(&mut out, "", &format!("... and {more} more"));
            }
        }
        let mut from = Self::format_time(self.not_before);
        if now < self.not_before {
            from.push_str("  (NOT YET VALID)");
        }
        field(&mut out, "Valid from:", &from);
        let mut until = Self::format_time(self.not_after);
        if now > self.not_after {
            until.push_str("  (EXPIRED)");
        }
        field(&mut out, "Valid until:", &until);
        field(&mut out, "SHA-256 fingerprint:", &self.sha256);
        field(&mut out, "Public key SHA-256:", &self.spki_sha256);
        let serial = if self.serial.is_empty() {
            "(none)"
        } else {
            &self.serial
        };
        field(&mut out, "Serial number:", serial);
        let key = match self.key_bits {
            Some(bits) => format!("{} ({bits} bits)", self.key_algorithm),
            None => self.key_algorithm.clone(),
        };
        field(&mut out, "Public key:", &key);
        field(&mut out, "Signature algorithm:", &self.signature_algorithm);
        if let Some(version) = &self.tls_version {
            field(&mut out, "TLS version:", version);
        }
        if let Some(suite) = &self.cipher_suite {
            field(&mut out, "Cipher suite:", suite);
        }
        if !self.chain.is_empty() {
            let count = self.chain.len();
            let plural = if count == 1 { "" } else { "s" };
            out.push_str(&format!(
                "Chain as sent by the server ({count} certificate{plural}, the server's own first):\n"
            ));
            for (i, entry) in self.chain.iter().enumerate() {
                let number = format!("  #{} ", i + 1);
                let indent = " ".repeat(number.len());
                out.push_str(&format!("{number}Subject: {}\n", sanitize(&entry.subject)));
                out.push_str(&format!("{indent}Issuer:  {}\n", sanitize(&entry.issuer)));
                out.push_str(&format!("{indent}SHA-256: {}\n", sanitize(&entry.sha256)));
            }
        }
        out
    }
}

/// SHA-256 of `bytes` as colon-separated upper-case hex (`AB:CD:...`), the usual way
/// fingerprints are published and compared.
pub fn sha256_colon_hex(bytes: &[u8]) -> String {
    colon_hex(&Sha256::digest(bytes))
}

/// Appends one aligned `label value` line, sanitising the value.
fn field(out: &mut String, label: &str, value: &str) {
    out.push_str(&format!(
        "{label:<LABEL_WIDTH$}{}\n",
        sanitize(value),
        LABEL_WIDTH = LABEL_WIDTH
    ));
}

/// Bytes as colon-separated upper-case hex.
fn colon_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// Replaces control characters (C0, DEL, C1) and Unicode bidirectional formatting characters
/// with `?`, so certificate text cannot drive the terminal or reorder what is displayed.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c);
            if c.is_control() || bidi { '?' } else { c }
        })
        .collect()
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A chain entry for one certificate, with a placeholder if it does not parse.
fn chain_entry(der: &[u8]) -> ChainEntry {
    match X509Certificate::from_der(der) {
        Ok((_, cert)) => ChainEntry {
            subject: sanitize(&cert.subject().to_string()),
            issuer: sanitize(&cert.issuer().to_string()),
            sha256: sha256_colon_hex(der),
        },
        Err(_) => ChainEntry {
            subject: format!("(unparseable certificate, {} bytes)", der.len()),
            issuer: String::new(),
            sha256: sha256_colon_hex(der),
        },
    }
}

/// The subject alternative names in OpenSSL-like notation; empty if absent or malformed.
fn subject_alt_names(cert: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(ext)) = cert.subject_alternative_name() else {
        return Vec::new();
    };
    ext.value
        .general_names
        .iter()
        .map(|name| {
            let text = match name {
                GeneralName::DNSName(s) => format!("DNS:{s}"),
                GeneralName::IPAddress(bytes) => format!("IP:{}", ip_text(bytes)),
                GeneralName::RFC822Name(s) => format!("email:{s}"),
                GeneralName::URI(s) => format!("URI:{s}"),
                GeneralName::DirectoryName(n) => format!("DirName:{n}"),
                GeneralName::RegisteredID(oid) => format!("RID:{}", oid.to_id_string()),
                GeneralName::OtherName(oid, _) => format!("othername:{}", oid.to_id_string()),
                GeneralName::X400Address(_) => "X400Name:(unsupported)".to_owned(),
                GeneralName::EDIPartyName(_) => "EdiPartyName:(unsupported)".to_owned(),
                GeneralName::Invalid(_, bytes) => format!("invalid:{}", colon_hex(bytes)),
            };
            sanitize(&text)
        })
        .collect()
}

/// An IP address SAN as text: dotted IPv4, RFC 5952 IPv6, else hex.
fn ip_text(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        Ipv4Addr::from(v4).to_string()
    } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        Ipv6Addr::from(v6).to_string()
    } else {
        colon_hex(bytes)
    }
}

/// The key algorithm name and size for a SubjectPublicKeyInfo.
fn key_description(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> (String, Option<u32>) {
    let oid = spki.algorithm.algorithm.to_id_string();
    match oid.as_str() {
        "1.2.840.113549.1.1.1" => ("RSA".to_owned(), rsa_bits(spki)),
        "1.2.840.113549.1.1.10" => ("RSA-PSS".to_owned(), rsa_bits(spki)),
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => ("EC P-256".to_owned(), Some(256)),
                Some("1.3.132.0.34") => ("EC P-384".to_owned(), Some(384)),
                Some("1.3.132.0.35") => ("EC P-521".to_owned(), Some(521)),
                Some("1.3.132.0.10") => ("EC secp256k1".to_owned(), Some(256)),
                Some("1.3.36.3.3.2.8.1.1.7") => ("EC brainpoolP256r1".to_owned(), Some(256)),
                Some("1.3.36.3.3.2.8.1.1.11") => ("EC brainpoolP384r1".to_owned(), Some(384)),
                Some("1.3.36.3.3.2.8.1.1.13") => ("EC brainpoolP512r1".to_owned(), Some(512)),
                Some(other) => (format!("EC {other}"), None),
                None => ("EC".to_owned(), None),
            }
        }
        "1.3.101.112" => ("Ed25519".to_owned(), Some(256)),
        "1.3.101.113" => ("Ed448".to_owned(), Some(456)),
        "1.2.840.10040.4.1" => {
            let bits = match spki.parsed() {
                Ok(PublicKey::DSA(y)) => significant_bits(y),
                _ => None,
            };
            ("DSA".to_owned(), bits)
        }
        _ => (oid, None),
    }
}

/// RSA modulus size in bits, parsed from the SubjectPublicKey bit string.
fn rsa_bits(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> Option<u32> {
    let (_, key) = RSAPublicKey::from_der(&spki.subject_public_key.data).ok()?;
    significant_bits(key.modulus)
}

/// Number of significant bits of a big-endian unsigned integer; `None` for zero.
fn significant_bits(bytes: &[u8]) -> Option<u32> {
    let start = bytes.iter().position(|&b| b != 0)?;
    let rest = bytes.get(start..)?;
    let first = *rest.first()?;
    let len = u32::try_from(rest.len()).ok()?;
    len.checked_sub(1)?
        .checked_mul(8)?
        .checked_add(8 - first.leading_zeros())
}

/// A friendly name for a signature algorithm OID, else the dotted OID.
fn signature_algorithm_name(oid: &str) -> String {
    let name = match oid {
        "1.2.840.113549.1.1.2" => "md2WithRSAEncryption",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.3.14.3.2.29" => "sha1WithRSA",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.2.840.10040.4.3" => "dsa-with-SHA1",
        "2.16.840.1.101.3.4.3.1" => "dsa-with-SHA224",
        "2.16.840.1.101.3.4.3.2" => "dsa-with-SHA256",
        _ => return sanitize(oid),
    };
    name.to_owned()
}

/// Whether the certificate is self-signed: issuer equals subject, and its signature verifies
/// with its own public key — or cannot be checked because rustls (ring) does not implement the
/// algorithm (SHA-1, P-521, RSA keys outside 2048..=8192 bits), in which case the names decide.
fn looks_self_signed(cert: &X509Certificate<'_>, der: &[u8], key_bits: Option<u32>) -> bool {
    let same_name = cert.subject().as_raw() == cert.issuer().as_raw()
        || cert.subject().to_string() == cert.issuer().to_string();
    if !same_name {
        return false;
    }
    !matches!(
        self_signature(cert, der, key_bits),
        SelfSignature::DoesNotVerify
    )
}

/// Outcome of checking a certificate's signature against its own key.
#[derive(Debug, PartialEq, Eq)]
enum SelfSignature {
    Verifies,
    DoesNotVerify,
    CannotCheck,
}

/// Verifies the certificate's signature with its own public key, using the algorithms of
/// rustls' ring provider (no extra dependency, and the same code that verifies handshakes).
fn self_signature(cert: &X509Certificate<'_>, der: &[u8], key_bits: Option<u32>) -> SelfSignature {
    let Some((tbs, signature_alg_id)) = tbs_and_signature_alg(der) else {
        return SelfSignature::CannotCheck;
    };
    let spki = cert.public_key();
    let Some(public_key_alg_id) = spki_alg(spki.raw) else {
        return SelfSignature::CannotCheck;
    };
    let is_rsa = matches!(
        spki.algorithm.algorithm.to_id_string().as_str(),
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10"
    );
    if is_rsa && !key_bits.is_some_and(|b| (2048..=8192).contains(&b)) {
        // ring only verifies RSA keys of 2048..=8192 bits; a failure would prove nothing.
        return SelfSignature::CannotCheck;
    }
    let key: &[u8] = &spki.subject_public_key.data;
    let signature: &[u8] = &cert.signature_value.data;
    let provider = rustls::crypto::ring::default_provider();
    let mut matched = false;
    for alg in provider.signature_verification_algorithms.all {
        if alg.public_key_alg_id().as_ref() != public_key_alg_id
            || alg.signature_alg_id().as_ref() != signature_alg_id
        {
            continue;
        }
        matched = true;
        if alg.verify_signature(key, tbs, signature).is_ok() {
            return SelfSignature::Verifies;
        }
    }
    if matched {
        SelfSignature::DoesNotVerify
    } else {
        SelfSignature::CannotCheck
    }
}

/// From a certificate's DER: the whole TBSCertificate TLV (the signed bytes) and the contents
/// of the signatureAlgorithm AlgorithmIdentifier.
fn tbs_and_signature_alg(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (tag, cert, _) = der_tlv(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, _, after_tbs) = der_tlv(cert)?;
    if tag != 0x30 {
        return None;
    }
    let tbs = cert.get(..cert.len().checked_sub(after_tbs.len())?)?;
    let (tag, alg, _) = der_tlv(after_tbs)?;
    if tag != 0x30 {
        return None;
    }
    Some((tbs, alg))
}

/// From a SubjectPublicKeyInfo's DER: the contents of its AlgorithmIdentifier.
fn spki_alg(spki: &[u8]) -> Option<&[u8]> {
    let (tag, contents, _) = der_tlv(spki)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, alg, _) = der_tlv(contents)?;
    (tag == 0x30).then_some(alg)
}

/// Splits one DER TLV (single-byte tag, definite length) off `input`:
/// (tag, contents, rest). `None` if malformed or truncated.
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags do not occur where this is used
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let mut len = 0usize;
        for _ in 0..count {
            let (&b, r) = rest.split_first()?;
            len = len.checked_mul(256)?.checked_add(usize::from(b))?;
            rest = r;
        }
        len
    };
    let contents = rest.get(..len)?;
    let after = rest.get(len..)?;
    Some((tag, contents, after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{
        CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, PublicKeyData,
        SerialNumber, SignatureAlgorithm, date_time_ymd,
    };
    use rustls::CertificateError as E;
    use rustls::pki_types::{ServerName, UnixTime};
    use std::sync::Arc;
    use std::time::Duration;

    fn dn(cn: &str) -> DistinguishedName {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        dn
    }

    fn key(alg: &'static SignatureAlgorithm) -> KeyPair {
        KeyPair::generate_for(alg).unwrap()
    }

    /// A CA (P-384) and a leaf (P-256) it signed.
    struct Pki {
        ca_der: CertificateDer<'static>,
        leaf_der: CertificateDer<'static>,
        leaf_key: KeyPair,
        leaf_params: CertificateParams,
    }

    fn pki() -> Pki {
        let ca_key = key(&rcgen::PKCS_ECDSA_P384_SHA384);
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.distinguished_name = dn("Ferry Test CA");
        ca_params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);

        let leaf_key = key(&rcgen::PKCS_ECDSA_P256_SHA256);
        let mut leaf_params =
            CertificateParams::new(vec!["ftp.example.com".to_owned(), "127.0.0.1".to_owned()])
                .unwrap();
        leaf_params.distinguished_name = dn("ftp.example.com");
        leaf_params
            .distinguished_name
            .push(DnType::OrganizationName, "Example");
        leaf_params.not_before = date_time_ymd(2024, 1, 2);
        leaf_params.not_after = date_time_ymd(2034, 5, 6);
        leaf_params.serial_number = Some(SerialNumber::from_slice(&[0x01, 0x02, 0xAB]));
        let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
        Pki {
            ca_der: ca_cert.der().clone(),
            leaf_der: leaf_cert.der().clone(),
            leaf_key,
            leaf_params,
        }
    }

    fn self_signed(
        cn: &str,
        alg: &'static SignatureAlgorithm,
        not_before: (i32, u8, u8),
        not_after: (i32, u8, u8),
    ) -> CertificateDer<'static> {
        let key = key(alg);
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.distinguished_name = dn(cn);
        params.not_before = date_time_ymd(not_before.0, not_before.1, not_before.2);
        params.not_after = date_time_ymd(not_after.0, not_after.1, not_after.2);
        params.self_signed(&key).unwrap().der().clone()
    }

    fn independent_hex(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    #[test]
    fn ca_and_leaf_chain() {
        let p = pki();
        let info = CertInfo::from_chain(&[p.leaf_der.clone(), p.ca_der.clone()], None).unwrap();

        assert_eq!(info.sha256, independent_hex(&p.leaf_der));
        assert_eq!(info.sha256.len(), 32 * 3 - 1);
        assert!(
            info.sha256
                .chars()
                .all(|c| c == ':' || c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        assert_eq!(
            info.spki_sha256,
            independent_hex(&p.leaf_key.subject_public_key_info())
        );
        assert!(
            info.subject.contains("CN=ftp.example.com"),
            "{}",
            info.subject
        );
        assert!(info.subject.contains("O=Example"), "{}", info.subject);
        assert!(info.issuer.contains("CN=Ferry Test CA"), "{}", info.issuer);
        assert!(
            info.subject_alt_names
                .contains(&"DNS:ftp.example.com".to_owned())
        );
        assert!(info.subject_alt_names.contains(&"IP:127.0.0.1".to_owned()));
        assert_eq!(info.not_before, p.leaf_params.not_before.unix_timestamp());
        assert_eq!(info.not_after, p.leaf_params.not_after.unix_timestamp());
        assert_eq!(
            CertInfo::format_time(info.not_before),
            "2024-01-02 00:00:00 UTC"
        );
        assert_eq!(info.serial, "01:02:AB");
        assert_eq!(info.key_algorithm, "EC P-256");
        assert_eq!(info.key_bits, Some(256));
        // Signed by the P-384 CA.
        assert_eq!(info.signature_algorithm, "ecdsa-with-SHA384");
        assert_eq!(info.problem, None);
        assert_eq!(info.tls_version, None);

        assert_eq!(info.chain.len(), 2);
        assert_eq!(info.chain[0].sha256, info.sha256);
        assert!(info.chain[0].subject.contains("ftp.example.com"));
        assert!(info.chain[0].issuer.contains("Ferry Test CA"));
        assert!(info.chain[1].subject.contains("Ferry Test CA"));
        assert_eq!(info.chain[1].sha256, independent_hex(&p.ca_der));

        assert!(info.is_valid_at(info.not_before));
        assert!(info.is_valid_at(info.not_after));
        assert!(!info.is_valid_at(info.not_before - 1));
        assert!(!info.is_valid_at(info.not_after + 1));

        // Leaf signed by an unknown CA stays UnknownIssuer.
        let rejected =
            CertInfo::from_chain(&[p.leaf_der.clone(), p.ca_der], Some(&E::UnknownIssuer)).unwrap();
        assert_eq!(rejected.problem, Some(CertProblem::UnknownIssuer));
    }

    #[test]
    fn render_shows_every_field() {
        let p = pki();
        let mut info =
            CertInfo::from_chain(&[p.leaf_der, p.ca_der], Some(&E::UnknownIssuer)).unwrap();
        info.tls_version = Some("TLSv1.3".to_owned());
        info.cipher_suite = Some("TLS13_AES_256_GCM_SHA384".to_owned());
        let text = info.render_at(info.not_before + 10);
        let row = |label: &str, value: &str| format!("{label:<22}{value}\n");
        for expected in [
            row("Problem:", &CertProblem::UnknownIssuer.describe()),
            row("Subject:", "CN=ftp.example.com, O=Example"),
            row("Issuer:", "CN=Ferry Test CA"),
            row("Alternative names:", "DNS:ftp.example.com"),
            row("", "IP:127.0.0.1"),
            row("Valid from:", "2024-01-02 00:00:00 UTC"),
            row("Valid until:", "2034-05-06 00:00:00 UTC"),
            row("SHA-256 fingerprint:", &info.sha256),
            row("Public key SHA-256:", &info.spki_sha256),
            row("Serial number:", "01:02:AB"),
            row("Public key:", "EC P-256 (256 bits)"),
            row("Signature algorithm:", "ecdsa-with-SHA384"),
            row("TLS version:", "TLSv1.3"),
            row("Cipher suite:", "TLS13_AES_256_GCM_SHA384"),
            "(2 certificates".to_owned(),
            "#2 Subject: CN=Ferry Test CA\n".to_owned(),
        ] {
            assert!(text.contains(&expected), "missing {expected:?} in\n{text}");
        }
        assert!(!text.contains("EXPIRED"));
        assert!(!text.contains("NOT YET VALID"));
        // Each SAN on its own line.
        assert!(text.lines().any(|l| l.trim() == "IP:127.0.0.1"));
        assert!(text.chars().all(|c| c == '\n' || !c.is_control()));
        println!("{text}");
        // The real-clock version works too.
        assert!(info.render().contains("Subject:"));
    }

    #[test]
    fn ed25519_and_p384_keys() {
        let ed = self_signed("ed", &rcgen::PKCS_ED25519, (2020, 1, 1), (2040, 1, 1));
        let info = CertInfo::from_chain(&[ed], None).unwrap();
        assert_eq!(info.key_algorithm, "Ed25519");
        assert_eq!(info.signature_algorithm, "Ed25519");

        let p384 = self_signed(
            "p384",
            &rcgen::PKCS_ECDSA_P384_SHA384,
            (2020, 1, 1),
            (2040, 1, 1),
        );
        let info = CertInfo::from_chain(&[p384], None).unwrap();
        assert_eq!(info.key_algorithm, "EC P-384");
        assert_eq!(info.key_bits, Some(384));
    }

    /// An RSA public key for which no private key exists (ring cannot generate RSA keys):
    /// enough to put an RSA SubjectPublicKeyInfo into a certificate signed by an EC CA.
    struct RsaPublicOnly(Vec<u8>);

    impl RsaPublicOnly {
        fn new(bits: usize) -> Self {
            // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
            let mut modulus = vec![0x00, 0xC5];
            modulus.resize(bits / 8 + 1, 0x5A);
            let mut int = vec![0x02, 0x82];
            int.extend_from_slice(&u16::try_from(modulus.len()).unwrap().to_be_bytes());
            int.extend_from_slice(&modulus);
            int.extend_from_slice(&[0x02, 0x03, 0x01, 0x00, 0x01]);
            let mut seq = vec![0x30, 0x82];
            seq.extend_from_slice(&u16::try_from(int.len()).unwrap().to_be_bytes());
            seq.extend_from_slice(&int);
            RsaPublicOnly(seq)
        }
    }

    impl PublicKeyData for RsaPublicOnly {
        fn der_bytes(&self) -> &[u8] {
            &self.0
        }
        fn algorithm(&self) -> &'static SignatureAlgorithm {
            &rcgen::PKCS_RSA_SHA256
        }
    }

    #[test]
    fn rsa_key_bits() {
        let ca_key = key(&rcgen::PKCS_ECDSA_P256_SHA256);
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.distinguished_name = dn("CA");
        let issuer = Issuer::new(ca_params, ca_key);
        for bits in [1024, 2048, 4096] {
            let rsa = RsaPublicOnly::new(bits);
            let mut params = CertificateParams::new(vec!["rsa.test".to_owned()]).unwrap();
            params.distinguished_name = dn("rsa.test");
            let cert = params.signed_by(&rsa, &issuer).unwrap();
            let info = CertInfo::from_chain(&[cert.der().clone()], None).unwrap();
            assert_eq!(info.key_algorithm, "RSA");
            assert_eq!(info.key_bits, Some(u32::try_from(bits).unwrap()));
            assert_eq!(
                info.spki_sha256,
                independent_hex(&rsa.subject_public_key_info())
            );
        }

        // Issuer == subject with a 1024-bit RSA key: ring cannot verify such a signature, so
        // the check is inconclusive and the matching names decide (SelfSigned).
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.distinguished_name = dn("legacy.lan");
        let issuer = Issuer::new(ca_params, key(&rcgen::PKCS_ECDSA_P256_SHA256));
        let mut params = CertificateParams::new(vec!["legacy.lan".to_owned()]).unwrap();
        params.distinguished_name = dn("legacy.lan");
        let der = params
            .signed_by(&RsaPublicOnly::new(1024), &issuer)
            .unwrap()
            .der()
            .clone();
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        assert_eq!(
            self_signature(&cert, &der, Some(1024)),
            SelfSignature::CannotCheck
        );
        let info = CertInfo::from_chain(&[der], Some(&E::UnknownIssuer)).unwrap();
        assert_eq!(info.problem, Some(CertProblem::SelfSigned));
    }

    #[test]
    fn self_signed_detection() {
        for alg in [
            &rcgen::PKCS_ECDSA_P256_SHA256,
            &rcgen::PKCS_ECDSA_P384_SHA384,
            &rcgen::PKCS_ED25519,
        ] {
            let der = self_signed("myftp.lan", alg, (2020, 1, 1), (2040, 1, 1));
            let (_, cert) = X509Certificate::from_der(&der).unwrap();
            assert_eq!(
                self_signature(&cert, &der, None),
                SelfSignature::Verifies,
                "{alg:?}"
            );
            let info = CertInfo::from_chain(&[der], Some(&E::UnknownIssuer)).unwrap();
            assert_eq!(info.problem, Some(CertProblem::SelfSigned));
            assert_eq!(
                CertProblem::from_rustls(&E::UnknownIssuer, Some(&info)),
                CertProblem::SelfSigned
            );
            assert!(info.render_at(info.not_before).contains("self-signed"));
        }

        // Same name as its issuer but signed by another key: not self-signed.
        let ca_key = key(&rcgen::PKCS_ECDSA_P256_SHA256);
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.distinguished_name = dn("impostor");
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = key(&rcgen::PKCS_ECDSA_P256_SHA256);
        let mut params = CertificateParams::new(vec!["impostor".to_owned()]).unwrap();
        params.distinguished_name = dn("impostor");
        let der = params.signed_by(&leaf_key, &issuer).unwrap().der().clone();
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        assert_eq!(
            self_signature(&cert, &der, None),
            SelfSignature::DoesNotVerify
        );
        let info = CertInfo::from_chain(&[der], Some(&E::UnknownIssuer)).unwrap();
        assert_eq!(info.problem, Some(CertProblem::UnknownIssuer));

        // Self-signed but rejected for another reason: that reason wins.
        let der = self_signed("x", &rcgen::PKCS_ED25519, (2020, 1, 1), (2040, 1, 1));
        let info = CertInfo::from_chain(&[der], Some(&E::NotValidForName)).unwrap();
        assert_eq!(info.problem, Some(CertProblem::NameMismatch));

        // from_rustls without the certificate cannot know.
        assert_eq!(
            CertProblem::from_rustls(&E::UnknownIssuer, None),
            CertProblem::UnknownIssuer
        );
    }

    #[test]
    fn rustls_reason_mapping() {
        let t = |s| UnixTime::since_unix_epoch(Duration::from_secs(s));
        let cases: Vec<(E, CertProblem)> = vec![
            (E::UnknownIssuer, CertProblem::UnknownIssuer),
            (E::Expired, CertProblem::Expired),
            (
                E::ExpiredContext {
                    time: t(2000),
                    not_after: t(1000),
                },
                CertProblem::Expired,
            ),
            (E::NotValidYet, CertProblem::NotYetValid),
            (
                E::NotValidYetContext {
                    time: t(1000),
                    not_before: t(2000),
                },
                CertProblem::NotYetValid,
            ),
            (E::NotValidForName, CertProblem::NameMismatch),
            (
                E::NotValidForNameContext {
                    expected: ServerName::try_from("ftp.example.com").unwrap(),
                    presented: vec!["DNS:other.example".to_owned()],
                },
                CertProblem::NameMismatch,
            ),
            (E::Revoked, CertProblem::Revoked),
            (E::BadSignature, CertProblem::BadSignature),
        ];
        for (reason, expected) in cases {
            assert_eq!(
                CertProblem::from_rustls(&reason, None),
                expected,
                "{reason:?}"
            );
        }
        for reason in [
            E::BadEncoding,
            E::UnhandledCriticalExtension,
            E::UnknownRevocationStatus,
            E::InvalidPurpose,
            E::ApplicationVerificationFailure,
            E::UnsupportedSignatureAlgorithmContext {
                signature_algorithm_id: vec![1, 2, 3],
                supported_algorithms: vec![],
            },
            E::Other(rustls::OtherError(Arc::new(std::io::Error::other(
                "custom \x1b[2J failure",
            )))),
            // What Wine's chain engine says of a certificate from an unknown private CA.
            E::Other(rustls::OtherError(Arc::new(
                std::io::Error::from_raw_os_error(-2146762482),
            ))),
        ] {
            let problem = CertProblem::from_rustls(&reason, None);
            let CertProblem::Other(text) = &problem else {
                panic!("{reason:?} mapped to {problem:?}");
            };
            assert!(!text.is_empty());
            assert!(!text.contains('\x1b'), "{text:?}");
            assert!(!problem.describe().contains('\x1b'));
        }
        // Every description is a single non-empty line.
        for problem in [
            CertProblem::UnknownIssuer,
            CertProblem::SelfSigned,
            CertProblem::Expired,
            CertProblem::NotYetValid,
            CertProblem::NameMismatch,
            CertProblem::Revoked,
            CertProblem::BadSignature,
            CertProblem::Other("x\ny".to_owned()),
        ] {
            let d = problem.describe();
            assert!(!d.is_empty() && !d.contains('\n'), "{d:?}");
        }
        assert_eq!(
            CertProblem::SelfSigned.describe(),
            "the certificate is self-signed: nobody vouches for it"
        );
    }

    #[test]
    fn expired_and_not_yet_valid() {
        let der = self_signed(
            "old",
            &rcgen::PKCS_ECDSA_P256_SHA256,
            (2000, 1, 1),
            (2001, 1, 1),
        );
        let info = CertInfo::from_chain(&[der], Some(&E::Expired)).unwrap();
        assert_eq!(info.problem, Some(CertProblem::Expired));
        let now = 1_700_000_000;
        assert!(!info.is_valid_at(now));
        let text = info.render_at(now);
        assert!(
            text.contains("2001-01-01 00:00:00 UTC  (EXPIRED)"),
            "{text}"
        );
        assert!(text.contains("has expired"));
        assert!(!text.contains("NOT YET VALID"));
        assert!(info.render().contains("(EXPIRED)"));

        let der = self_signed(
            "new",
            &rcgen::PKCS_ECDSA_P256_SHA256,
            (2090, 1, 1),
            (2091, 1, 1),
        );
        let info = CertInfo::from_chain(&[der], None).unwrap();
        assert!(!info.is_valid_at(now));
        let text = info.render_at(now);
        assert!(
            text.contains("2090-01-01 00:00:00 UTC  (NOT YET VALID)"),
            "{text}"
        );
        assert!(!text.contains("EXPIRED"));
    }

    #[test]
    fn escape_sequences_are_neutralised() {
        let key = key(&rcgen::PKCS_ECDSA_P256_SHA256);
        let mut params = CertificateParams::new(vec!["evil\x1b[31m.example".to_owned()])
            .unwrap_or_else(|_| {
                // rcgen may refuse control characters in a DNS name; use a clean one then.
                CertificateParams::new(vec!["evil.example".to_owned()]).unwrap()
            });
        params.distinguished_name = dn("evil\x1b[31mred\x07\u{9b}2J\u{202E}txt.exe");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "line\nbreak\rreturn");
        let der = params.self_signed(&key).unwrap().der().clone();
        let mut info = CertInfo::from_chain(&[der], Some(&E::UnknownIssuer)).unwrap();
        assert!(!info.subject.contains('\x1b'), "{:?}", info.subject);
        assert!(info.subject.contains("evil?[31mred?"), "{:?}", info.subject);
        info.tls_version = Some("TLS\x1b]0;title\x07".to_owned());
        let text = info.render_at(info.not_before);
        assert!(!text.contains('\x1b'));
        assert!(!text.contains('\x07'));
        assert!(!text.contains('\u{9b}'));
        assert!(!text.contains('\u{202E}'));
        assert!(!text.contains('\r'));
        assert!(text.lines().all(|l| !l.starts_with("break")));
        assert!(text.chars().all(|c| c == '\n' || !c.is_control()));

        // A hand-built CertInfo is sanitised by render() too.
        info.subject = "\x1b[2Jgotcha".to_owned();
        info.chain[0].issuer = "\x1b[2Jgotcha".to_owned();
        info.subject_alt_names.push("DNS:\x1b[2J".to_owned());
        info.problem = Some(CertProblem::Other("\x1b[2J".to_owned()));
        assert!(!info.render().contains('\x1b'));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(CertInfo::from_chain(&[], None).is_err());
        assert!(CertInfo::from_chain(&[CertificateDer::from(Vec::new())], None).is_err());

        // Pseudo-random bytes (xorshift), including ones that start like a SEQUENCE.
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..500 {
            let len = usize::try_from(next() % 600).unwrap();
            let mut bytes: Vec<u8> = (0..len).map(|_| next().to_le_bytes()[0]).collect();
            if round % 2 == 0 && bytes.len() > 4 {
                bytes[0] = 0x30;
                bytes[1] = 0x82;
            }
            let der = CertificateDer::from(bytes);
            assert!(CertInfo::from_chain(&[der], Some(&E::UnknownIssuer)).is_err());
        }

        // Every truncation of a real certificate fails cleanly.
        let real = self_signed("trunc", &rcgen::PKCS_ED25519, (2020, 1, 1), (2040, 1, 1));
        for len in 0..real.len() {
            let der = CertificateDer::from(real[..len].to_vec());
            let err = CertInfo::from_chain(&[der], None).unwrap_err();
            assert!(!err.is_empty());
        }

        // Single-byte corruptions may or may not parse, but never panic.
        for i in 0..real.len() {
            for flip in [0x01u8, 0x80, 0xFF] {
                let mut bytes = real.to_vec();
                bytes[i] ^= flip;
                let _ = CertInfo::from_chain(
                    &[CertificateDer::from(bytes.clone()), real.clone()],
                    Some(&E::UnknownIssuer),
                );
                let _ = tbs_and_signature_alg(&bytes);
                let _ = spki_alg(&bytes);
            }
        }

        // A garbage intermediate does not spoil the end-entity.
        let info = CertInfo::from_chain(&[real.clone(), CertificateDer::from(vec![1, 2, 3])], None)
            .unwrap();
        assert_eq!(info.chain.len(), 2);
        assert!(info.chain[1].subject.contains("unparseable"));
        assert_eq!(info.chain[1].sha256, independent_hex(&[1, 2, 3]));
    }

    #[test]
    fn der_tlv_bounds() {
        assert_eq!(der_tlv(&[]), None);
        assert_eq!(der_tlv(&[0x30]), None);
        assert_eq!(der_tlv(&[0x30, 0x05, 1, 2]), None);
        assert_eq!(der_tlv(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]), None);
        assert_eq!(der_tlv(&[0x30, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(der_tlv(&[0x30, 0x80]), None);
        assert_eq!(
            der_tlv(&[0x04, 0x81, 0x01, 0xAA, 0xBB]),
            Some((0x04, &[0xAA][..], &[0xBB][..]))
        );
    }

    #[test]
    fn format_time_known_values() {
        assert_eq!(CertInfo::format_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            CertInfo::format_time(951_782_400),
            "2000-02-29 00:00:00 UTC"
        );
        assert_eq!(
            CertInfo::format_time(951_868_799),
            "2000-02-29 23:59:59 UTC"
        );
        assert_eq!(
            CertInfo::format_time(951_868_800),
            "2000-03-01 00:00:00 UTC"
        );
        assert_eq!(
            CertInfo::format_time(1_704_207_845),
            "2024-01-02 15:04:05 UTC"
        );
        // Past the 32-bit rollover.
        assert_eq!(
            CertInfo::format_time(2_147_483_648),
            "2038-01-19 03:14:08 UTC"
        );
        assert_eq!(
            CertInfo::format_time(4_102_444_800),
            "2100-01-01 00:00:00 UTC"
        );
        assert_eq!(
            CertInfo::format_time(253_402_300_799),
            "9999-12-31 23:59:59 UTC"
        );
        assert_eq!(CertInfo::format_time(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(
            CertInfo::format_time(-2_208_988_800),
            "1900-01-01 00:00:00 UTC"
        );
        // Extremes do not overflow.
        assert!(CertInfo::format_time(i64::MAX).ends_with(" UTC"));
        assert!(CertInfo::format_time(i64::MIN).ends_with(" UTC"));
    }

    #[test]
    fn helpers() {
        assert_eq!(sha256_colon_hex(b""), independent_hex(b""));
        assert!(sha256_colon_hex(b"").starts_with("E3:B0:C4:42"));
        assert_eq!(colon_hex(&[]), "");
        assert_eq!(colon_hex(&[0x0A, 0xFF]), "0A:FF");
        assert_eq!(significant_bits(&[0x00, 0x01]), Some(1));
        assert_eq!(significant_bits(&[0x00, 0x80, 0x00]), Some(16));
        assert_eq!(significant_bits(&[0, 0]), None);
        assert_eq!(significant_bits(&[]), None);
        assert_eq!(ip_text(&[10, 0, 0, 1]), "10.0.0.1");
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        assert_eq!(ip_text(&v6), "::1");
        assert_eq!(ip_text(&[1, 2, 3]), "01:02:03");
        assert_eq!(signature_algorithm_name("1.2.3.4"), "1.2.3.4");
        assert_eq!(
            signature_algorithm_name("1.2.840.113549.1.1.11"),
            "sha256WithRSAEncryption"
        );
        assert_eq!(sanitize("a\u{1b}b\u{7f}c\u{85}d\u{2067}e"), "a?b?c?d?e");
        assert_eq!(sanitize("Zürich 東京"), "Zürich 東京");
    }

    /// Windows' chain engine speaks in HRESULTs that `FormatMessageW` may not know (Wine's
    /// does not): the common ones become the problems people know, the rest words and a code.
    #[test]
    fn windows_chain_errors_are_said_in_words() {
        use rustls::CertificateError as E;
        let from_code = |code: u32| {
            let reason = E::Other(rustls::OtherError(Arc::new(
                std::io::Error::from_raw_os_error(code as i32),
            )));
            CertProblem::from_rustls(&reason, None)
        };
        assert_eq!(from_code(0x800B_0109), CertProblem::UnknownIssuer);
        assert_eq!(from_code(0x800B_0101), CertProblem::Expired);
        assert_eq!(from_code(0x800B_010F), CertProblem::NameMismatch);
        assert_eq!(from_code(0x8009_2010), CertProblem::Revoked);
        assert_eq!(from_code(0x800B_010C), CertProblem::Revoked);
        assert_eq!(from_code(0x8009_0325), CertProblem::UnknownIssuer);
        assert_eq!(from_code(0x8009_0322), CertProblem::NameMismatch);
        let text = from_code(0x800B_010E).describe();
        assert!(
            text.contains("revoked") && text.contains("0x800B010E"),
            "{text}"
        );
        assert!(
            !text.contains("FormatMessageW") && !text.contains("OtherError"),
            "{text}"
        );
        let text = from_code(0x800B_0123).describe();
        assert!(text.contains("Windows rejected the certificate"), "{text}");
        // A code that is not a certificate error keeps the error's own text.
        let CertProblem::Other(text) = from_code(5) else {
            panic!("an unrelated code became a known problem");
        };
        assert!(!text.is_empty());
    }
}
