//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; not a stable API).
//!
//! Each function feeds untrusted bytes to one parser exactly as Ferry does in use, and returns
//! nothing: a fuzz target only cares that it never panics, hangs or allocates without bound.

use crate::ftp::listing::{self, Timestamp};
use crate::ftp::reply::LineReader;

/// Control-connection bytes through the bounded reply reader, reply after reply.
pub fn replies(bytes: &[u8]) {
    let mut reader = LineReader::new();
    let mut src = bytes;
    for _ in 0..10_000 {
        match reader.read_reply(&mut src) {
            Ok(reply) => {
                // Everything a reply is shown through must cope with any text.
                let _ = reply.to_string();
                let _ = crate::ftp::path::parse_quoted_path(&reply.text());
                let _ = crate::ftp::data::parse_epsv(&reply);
                let _ = crate::ftp::data::parse_pasv(&reply);
                let _ = crate::ftp::Features::from_reply(&reply);
            }
            Err(_) => return,
        }
    }
}

/// An MLSD body.
pub fn mlsd(bytes: &[u8]) {
    let _ = listing::parse_mlsd(bytes);
}

/// Each line of a body through the Unix `ls -l` parser alone.
pub fn list_unix(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let now = Timestamp::from_unix_seconds(1_700_000_000);
    for line in text.lines() {
        let _ = listing::parse_unix_line(line, now);
    }
}

/// Each line of a body through the MS-DOS / IIS parser alone.
pub fn list_dos(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for line in text.lines() {
        let _ = listing::parse_dos_line(line);
    }
}

/// A LIST body with format auto-detection, as a session parses it.
pub fn list(bytes: &[u8]) {
    let _ = listing::parse_list(bytes, Timestamp::from_unix_seconds(1_700_000_000));
}

/// A quick-connect URL.
pub fn url(text: &str) {
    if let Ok(url) = crate::sites::FtpUrl::parse(text) {
        let _ = url.display_without_password();
    }
}

/// A FileZilla `sitemanager.xml`.
pub fn filezilla(text: &str) {
    let _ = crate::sites::filezilla::parse_sitemanager(text);
}

/// Ferry's own TOML files, read from disk as Ferry reads them (the capped reader, UTF-8, the
/// token count, the version, the document): the same bytes as the site list, the pin file, a
/// saved transfer queue and, built with the `gui` feature, the settings. Each is read with its
/// own cap, and again with [`SMALL_CAP`], which the fuzzer's inputs reach (a file over the cap,
/// a file of too many tokens, a device that does not say its size).
pub fn stores(bytes: &[u8]) {
    use crate::persist::Document;
    fn read<D: Document>(bytes: &[u8]) {
        let size = Some(bytes.len() as u64);
        let _ = crate::persist::read_bytes::<D>(bytes, size, D::MAX_BYTES);
        let _ = crate::persist::read_bytes::<D>(bytes, None, SMALL_CAP);
    }
    read::<crate::sites::store::SiteFile>(bytes);
    read::<crate::tls::pins::PinFile>(bytes);
    read::<crate::transfer::engine::QueueFile>(bytes);
    #[cfg(feature = "gui")]
    read::<crate::ui::settings::Settings>(bytes);
}

/// The cap [`stores`] also reads with: within libFuzzer's default input size (4096 bytes).
pub const SMALL_CAP: u64 = 1024;

/// A certificate chain (DER, split where the input says) through the summary the prompt shows.
pub fn certificate(bytes: &[u8]) {
    use rustls_pki_types::CertificateDer;
    // First byte: how many certificates; the rest is cut into that many pieces.
    let Some((&count, rest)) = bytes.split_first() else {
        return;
    };
    let count = usize::from(count % 4) + 1;
    let piece = rest.len() / count;
    let chain: Vec<CertificateDer<'static>> = (0..count)
        .map(|i| {
            let end = if i + 1 == count {
                rest.len()
            } else {
                (i + 1) * piece
            };
            CertificateDer::from(rest[i * piece..end].to_vec())
        })
        .collect();
    for reason in [
        None,
        Some(rustls::CertificateError::UnknownIssuer),
        Some(rustls::CertificateError::NotValidForName),
    ] {
        if let Ok(info) = crate::tls::CertInfo::from_chain(&chain, reason.as_ref()) {
            let _ = info.render();
            let _ = info.is_valid_at(1_700_000_000);
        }
    }
}
