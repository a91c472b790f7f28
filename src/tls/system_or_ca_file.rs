//! The chain check beneath the pins: the operating system's verifier, and beside it the roots
//! of a CA file the user gave (`--ca-file`).
//!
//! Why two verifiers and not the OS verifier with extra roots: on Windows,
//! rustls-platform-verifier builds a certificate chain engine of its own as soon as extra roots
//! are asked for (even none), with the extended `CERT_CHAIN_ENGINE_CONFIG`, and Wine refuses it
//! ("Invalid parameter"), so every TLS connection failed there before it started. The OS
//! verifier alone builds no engine. The CA file's roots are checked with webpki, as Linux's
//! verifier checks its own: a chain is accepted when either accepts it.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

use super::TlsSetupError;

/// The OS's verdict, or the CA file's where the chain leads to one of its roots.
pub(crate) struct SystemOrCaFile {
    system: Arc<dyn ServerCertVerifier>,
    ca_file: Option<Arc<WebPkiServerVerifier>>,
}

impl fmt::Debug for SystemOrCaFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SystemOrCaFile")
            .field("ca_file", &self.ca_file.is_some())
            .finish_non_exhaustive()
    }
}

impl SystemOrCaFile {
    /// The OS verifier, and a webpki verifier of the roots read from a CA file (its path and
    /// certificates) when one is given.
    pub(crate) fn new(
        ca_file: Option<(&Path, Vec<CertificateDer<'static>>)>,
        provider: Arc<CryptoProvider>,
    ) -> Result<SystemOrCaFile, TlsSetupError> {
        let system = rustls_platform_verifier::Verifier::new(provider.clone())?;
        let ca_file = match ca_file {
            None => None,
            Some((path, certs)) => {
                let err = |reason: String| TlsSetupError::CaFile {
                    path: path.to_owned(),
                    reason,
                };
                let mut roots = RootCertStore::empty();
                for cert in certs {
                    roots
                        .add(cert)
                        .map_err(|e| err(format!("a certificate in it cannot be a root: {e}")))?;
                }
                let verifier =
                    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                        .build()
                        .map_err(|e| err(e.to_string()))?;
                Some(verifier)
            }
        };
        Ok(SystemOrCaFile {
            system: Arc::new(system),
            ca_file,
        })
    }
}

impl ServerCertVerifier for SystemOrCaFile {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if let Some(ca_file) = &self.ca_file {
            match ca_file.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ) {
                Ok(verified) => return Ok(verified),
                // Not issued under the CA file: the OS's roots may know the issuer.
                Err(Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {}
                // Issued under the CA file, and wrong (expired, another name...): that is
                // the answer, whatever the OS would say of a chain it does not know.
                Err(other) => return Err(other),
            }
        }
        self.system
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.system.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.system.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.system.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca(name: &str) -> rcgen::CertifiedIssuer<'static, rcgen::KeyPair> {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap()).unwrap()
    }

    fn leaf(
        issuer: &rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
        expired: bool,
    ) -> CertificateDer<'static> {
        let mut params = rcgen::CertificateParams::new(vec!["ftp.example.test".into()]).unwrap();
        if expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        let key = rcgen::KeyPair::generate().unwrap();
        params.signed_by(&key, issuer).unwrap().der().clone()
    }

    fn verify(v: &SystemOrCaFile, cert: &CertificateDer<'_>) -> Result<ServerCertVerified, Error> {
        let name = ServerName::try_from("ftp.example.test").unwrap();
        v.verify_server_cert(cert, &[], &name, &[], UnixTime::now())
    }

    #[test]
    fn the_ca_file_decides_for_its_own_chains_and_the_system_for_the_rest() {
        let mine = ca("Mine");
        let other = ca("Other");
        let provider = crate::tls::provider();
        let path = Path::new("mine.pem");
        let v =
            SystemOrCaFile::new(Some((path, vec![mine.der().clone()])), provider.clone()).unwrap();
        assert!(verify(&v, &leaf(&mine, false)).is_ok());
        // Under the CA file and expired: that, not "unknown issuer".
        assert!(matches!(
            verify(&v, &leaf(&mine, true)).unwrap_err(),
            Error::InvalidCertificate(
                CertificateError::Expired | CertificateError::ExpiredContext { .. }
            )
        ));
        // Not under it: the OS's roots do not know it either.
        assert!(matches!(
            verify(&v, &leaf(&other, false)).unwrap_err(),
            Error::InvalidCertificate(CertificateError::UnknownIssuer)
        ));
        // Without a CA file nothing private is trusted.
        let system = SystemOrCaFile::new(None, provider).unwrap();
        assert!(verify(&system, &leaf(&mine, false)).is_err());
    }
}
