//! TLS settings for FTP connections: the rustls `ClientConfig` (ring provider, OS trust store,
//! optional extra CA) and certificate helpers for the front ends.
//!
//! The verifier keeps the presented chain when it rejects a certificate, so the user can be
//! shown exactly what was refused (see [`crate::ftp::RejectedCertificate`]).

pub mod certinfo;
mod identity;
pub mod pins;
mod system_or_ca_file;
mod trust;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

pub use certinfo::{CertInfo, CertProblem};
pub use identity::ClientIdentity;
use identity::LoadedIdentity;
pub use pins::{Pin, PinStore, PinStoreError};
use system_or_ca_file::SystemOrCaFile;
pub use trust::{Decision, PinningVerifier, Trust, TrustProblem, normalize_fingerprint};

use crate::ftp::ProtocolLog;

/// Highest TLS version to offer: an escape hatch for servers with broken TLS 1.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaxTlsVersion {
    /// TLS 1.3 and 1.2.
    #[default]
    Tls13,
    /// TLS 1.2 only.
    Tls12,
}

/// Lowest TLS version to accept: TLS 1.3 only, for sites whose policy forbids 1.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MinTlsVersion {
    /// TLS 1.2 and up.
    #[default]
    Tls12,
    /// TLS 1.3 only (no TLS 1.2 fallback either).
    Tls13,
}

/// What a TLS configuration is built from.
#[derive(Clone, Default)]
pub struct TlsOptions {
    /// A PEM file of CA certificates trusted in addition to the OS store (private CAs).
    pub extra_ca_file: Option<PathBuf>,
    /// Highest TLS version offered.
    pub max_version: MaxTlsVersion,
    /// Lowest TLS version accepted.
    pub min_version: MinTlsVersion,
    /// The user's trust decisions (pins, accept-once, fingerprints). None: the OS store only;
    /// a refused certificate still reports what it was.
    pub trust: Option<Arc<Trust>>,
    /// The host the connection is for: pins are kept per host and port.
    pub host: String,
    /// The port the connection is for.
    pub port: u16,
    /// Where to report a certificate renewal that was accepted because it kept its key.
    pub log: Option<Arc<dyn ProtocolLog>>,
    /// The certificate to present when the server asks for one.
    pub client_identity: Option<ClientIdentity>,
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsOptions")
            .field("extra_ca_file", &self.extra_ca_file)
            .field("max_version", &self.max_version)
            .field("min_version", &self.min_version)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("client_identity", &self.client_identity)
            .finish_non_exhaustive()
    }
}

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// The extra CA file could not be read or held no certificate.
    #[error("cannot use the CA file {path}: {reason}")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// The client certificate or its key could not be read.
    #[error("cannot use the client certificate {path}: {reason}")]
    ClientCert {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// The file of remembered certificates could not be read (corrupt, too large, from a newer
    /// Ferry, unreadable): the trust decisions it holds cannot be applied, so no TLS
    /// connection is made with it.
    #[error(transparent)]
    PinFile(#[from] PinStoreError),
    /// The minimum version is above the maximum: no version is left to offer.
    #[error("TLS 1.3 only and TLS 1.2 at most leave no TLS version to offer")]
    NoVersion,
    /// rustls refused the configuration.
    #[error("cannot set up TLS: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The crypto provider Ferry uses everywhere (ring), with AES-128-GCM offered before
/// AES-256-GCM, as browsers do. Both are far beyond brute force; AES-128 has 10 rounds to
/// AES-256's 14, so servers that follow the client's order (vsftpd, ProFTPD with OpenSSL's
/// defaults) and Ferry itself spend less CPU on the cipher of a download.
pub fn provider() -> Arc<CryptoProvider> {
    let mut provider = rustls::crypto::ring::default_provider();
    // A stable sort: within each group the default order (then ChaCha20) stays.
    provider
        .cipher_suites
        .sort_by_key(|suite| u8::from(!is_aes_128_gcm(suite.suite())));
    Arc::new(provider)
}

fn is_aes_128_gcm(suite: rustls::CipherSuite) -> bool {
    use rustls::CipherSuite as S;
    matches!(
        suite,
        S::TLS13_AES_128_GCM_SHA256
            | S::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
            | S::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    )
}

/// The rustls configurations one connection family needs.
#[derive(Debug, Clone)]
pub struct TlsConfigs {
    /// What to offer first (TLS 1.3 and 1.2, unless limited).
    pub preferred: Arc<ClientConfig>,
    /// The same trust, TLS 1.2 only: see `ftp::ConnectOptions::tls12_fallback`. None when
    /// `preferred` is already TLS 1.2 only.
    pub tls12_fallback: Option<Arc<ClientConfig>>,
}

/// Builds the client configuration for one connection family (a control connection and its data
/// connections).
pub fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>, TlsSetupError> {
    Ok(client_configs(options)?.preferred)
}

/// Builds the preferred configuration and its TLS 1.2 fallback, sharing one verifier.
pub fn client_configs(options: &TlsOptions) -> Result<TlsConfigs, TlsSetupError> {
    // The pin file is read when the first TLS connection needs it, not before: a plain FTP
    // session works whatever state it is in.
    if let Some(trust) = &options.trust {
        trust.load_pins()?;
    }
    let provider = provider();
    let ca_file = match &options.extra_ca_file {
        Some(path) => Some((path.as_path(), read_ca_file(path)?)),
        None => None,
    };
    let inner = SystemOrCaFile::new(ca_file, provider.clone())?;
    let verifier = Arc::new(PinningVerifier::new(
        Arc::new(inner),
        options.trust.clone(),
        &options.host,
        options.port,
        options.log.clone(),
    ));
    let identity = options
        .client_identity
        .as_ref()
        .map(ClientIdentity::load)
        .transpose()?;
    let identity = identity.as_ref();
    if options.min_version == MinTlsVersion::Tls13 {
        if options.max_version == MaxTlsVersion::Tls12 {
            return Err(TlsSetupError::NoVersion);
        }
        // No TLS 1.2 fallback: falling back would break the policy this asks for.
        return Ok(TlsConfigs {
            preferred: build(&provider, &verifier, identity, &[&rustls::version::TLS13])?,
            tls12_fallback: None,
        });
    }
    let tls12 = build(&provider, &verifier, identity, &[&rustls::version::TLS12])?;
    Ok(match options.max_version {
        MaxTlsVersion::Tls12 => TlsConfigs {
            preferred: tls12,
            tls12_fallback: None,
        },
        MaxTlsVersion::Tls13 => TlsConfigs {
            preferred: build(
                &provider,
                &verifier,
                identity,
                &[&rustls::version::TLS13, &rustls::version::TLS12],
            )?,
            tls12_fallback: Some(tls12),
        },
    })
}

fn build(
    provider: &Arc<CryptoProvider>,
    verifier: &Arc<PinningVerifier>,
    identity: Option<&LoadedIdentity>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<Arc<ClientConfig>, TlsSetupError> {
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone());
    let config = match identity {
        // rustls checks that the key belongs to the certificate.
        Some(id) => builder.with_client_auth_cert(id.chain.clone(), id.key.clone_key())?,
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// The largest CA file Ferry reads: the whole Mozilla bundle (about 150 certificates) is some
/// 220 KB, so this leaves room for any private collection and keeps a wrong file (a disk
/// image, `/dev/zero`) from being read whole.
pub const MAX_CA_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Reads every certificate from a PEM file (at most [`MAX_CA_FILE_BYTES`]).
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    use crate::persist::{CappedReadError, read_capped};
    let err = |reason: String| TlsSetupError::CaFile {
        path: path.to_owned(),
        reason,
    };
    let bytes = read_capped(path, MAX_CA_FILE_BYTES).map_err(|e| match e {
        CappedReadError::Io(e) => err(e.to_string()),
        CappedReadError::TooLarge { size } => err(format!(
            "it is {}, larger than the {MAX_CA_FILE_BYTES} bytes a CA file can be",
            size.map_or_else(|| "more than that".to_owned(), |s| format!("{s} bytes"))
        )),
    })?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(format!("not valid PEM ({e})")))?;
    if certs.is_empty() {
        return Err(err("it holds no certificate".into()));
    }
    Ok(certs)
}

/// SHA-256 of a certificate as colon-separated upper-case hex, the form browsers and
/// `openssl x509 -fingerprint -sha256` show.
pub fn sha256_fingerprint(cert: &CertificateDer<'_>) -> String {
    certinfo::sha256_colon_hex(cert.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_format() {
        let fp = sha256_fingerprint(&CertificateDer::from(b"abc".to_vec()));
        // SHA-256("abc") = ba7816bf...
        assert!(fp.starts_with("BA:78:16:BF:"), "{fp}");
        assert_eq!(fp.len(), 32 * 3 - 1);
    }

    #[test]
    fn aes_128_gcm_is_offered_first_and_nothing_is_dropped() {
        use rustls::CipherSuite as S;
        let ours: Vec<S> = provider().cipher_suites.iter().map(|s| s.suite()).collect();
        let default: Vec<S> = rustls::crypto::ring::default_provider()
            .cipher_suites
            .iter()
            .map(|s| s.suite())
            .collect();
        assert_eq!(ours.len(), default.len());
        assert!(default.iter().all(|s| ours.contains(s)));
        let first_tls13 = ours.iter().find(|s| format!("{s:?}").starts_with("TLS13"));
        assert_eq!(first_tls13, Some(&S::TLS13_AES_128_GCM_SHA256));
        let first_tls12 = ours
            .iter()
            .find(|s| format!("{s:?}").starts_with("TLS_ECDHE"));
        assert_eq!(
            first_tls12,
            Some(&S::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
        );
    }

    #[test]
    fn bad_ca_files_are_clear_errors() {
        let dir = std::env::temp_dir().join(format!("ferry-ca-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "nothing here").unwrap();
        let e = read_ca_file(&empty).unwrap_err().to_string();
        assert!(e.contains("no certificate"), "{e}");
        let missing = read_ca_file(&dir.join("missing.pem"))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("missing.pem"), "{missing}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
