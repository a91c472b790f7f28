//! Client certificates for servers that require one (mutual TLS): PEM (a chain and a key, in
//! one file or two) or PKCS#12 (`.p12`/`.pfx`, what Windows, macOS Keychain Access and most
//! CAs export), which holds both behind a password.
//!
//! The file is read again for every connection (a renewed certificate is picked up without a
//! restart); the PKCS#12 key derivation costs about a millisecond.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::TlsSetupError;

/// Certificate files are small; anything larger is not one (and is not read into memory).
const MAX_FILE_BYTES: u64 = 1 << 20;

const PASSWORD_NEEDED: &str = "this PKCS#12 file is protected by a password: save it with the site (the Site Manager's Certificate password, or ferry sites edit NAME --site-cert FILE, which asks for it), set FERRY_CERT_PASSWORD, or run on a terminal to be asked";

/// A client certificate and where its private key is.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The certificate: a PEM chain (leaf first), or a PKCS#12 file with chain and key.
    pub cert_file: PathBuf,
    /// The private key, PEM; None: it is in `cert_file` too. Never set for PKCS#12.
    pub key_file: Option<PathBuf>,
    /// The PKCS#12 file's password (never saved with the site: it comes from the keychain,
    /// `FERRY_CERT_PASSWORD` or a prompt). None: try the empty password, as exports without
    /// one use.
    pub password: Option<String>,
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("cert_file", &self.cert_file)
            .field("key_file", &self.key_file)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

/// A loaded client identity: what rustls presents.
pub(crate) struct LoadedIdentity {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) key: PrivateKeyDer<'static>,
}

impl ClientIdentity {
    /// A certificate file (PEM or PKCS#12) with the key in it or in `key_file`.
    pub fn new(cert_file: PathBuf, key_file: Option<PathBuf>) -> ClientIdentity {
        ClientIdentity {
            cert_file,
            key_file,
            password: None,
        }
    }

    /// Whether the certificate is a PKCS#12 file that the empty password does not open and
    /// no password is set: the front end must find one (keychain, environment, prompt).
    /// A file that cannot be read says no here; [`ClientIdentity::load`] then reports it.
    pub fn needs_password(&self) -> bool {
        if self.password.is_some() {
            return false;
        }
        match read_bounded(&self.cert_file) {
            Ok(bytes) if !is_pem(&bytes) => matches!(
                p12_keystore::Pkcs12Archive::from_pkcs12(&bytes, ""),
                Err(p12_keystore::error::Error::MacError(_))
            ),
            _ => false,
        }
    }

    /// Whether the file can be used as it is (with its password, if set): the error says
    /// what is wrong with it.
    ///
    /// # Errors
    /// The file cannot be read, is neither PEM nor PKCS#12, or its password is missing or wrong.
    pub fn check(&self) -> Result<(), TlsSetupError> {
        self.load().map(|_| ())
    }

    /// What to tell the user when a PKCS#12 file needs a password and none can be had.
    pub fn password_needed(&self) -> TlsSetupError {
        error(&self.cert_file, PASSWORD_NEEDED.to_owned())
    }

    /// Reads the chain and the key.
    pub(crate) fn load(&self) -> Result<LoadedIdentity, TlsSetupError> {
        let cert_bytes =
            read_bounded(&self.cert_file).map_err(|reason| error(&self.cert_file, reason))?;
        if is_pem(&cert_bytes) {
            self.load_pem(cert_bytes)
        } else {
            if self.key_file.is_some() {
                return Err(error(
                    &self.cert_file,
                    "it is a PKCS#12 file, which holds its own private key: leave out the key file (--key)".into(),
                ));
            }
            self.load_pkcs12(&cert_bytes)
        }
    }

    fn load_pem(&self, cert_bytes: Vec<u8>) -> Result<LoadedIdentity, TlsSetupError> {
        let chain = CertificateDer::pem_slice_iter(&cert_bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| error(&self.cert_file, format!("not valid PEM ({e})")))?;
        if chain.is_empty() {
            return Err(error(&self.cert_file, "it holds no certificate".into()));
        }
        let key_path = self.key_file.as_deref().unwrap_or(&self.cert_file);
        let key_bytes = if self.key_file.is_some() {
            read_bounded(key_path).map_err(|reason| error(key_path, reason))?
        } else {
            cert_bytes
        };
        let key = PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|e| {
            let reason = match e {
                rustls::pki_types::pem::Error::NoItemsFound => {
                    "it holds no private key (PEM \"PRIVATE KEY\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\"; an encrypted key must be decrypted first, e.g. with openssl pkey)".to_owned()
                }
                other => format!("not a valid private key ({other})"),
            };
            error(key_path, reason)
        })?;
        Ok(LoadedIdentity { chain, key })
    }

    fn load_pkcs12(&self, bytes: &[u8]) -> Result<LoadedIdentity, TlsSetupError> {
        let path = &self.cert_file;
        let password = self.password.as_deref().unwrap_or("");
        let archive = p12_keystore::Pkcs12Archive::from_pkcs12(bytes, password).map_err(|e| {
            let reason = match e {
                p12_keystore::error::Error::MacError(_) if self.password.is_none() => {
                    PASSWORD_NEEDED.to_owned()
                }
                p12_keystore::error::Error::MacError(_) => {
                    "the password of this PKCS#12 file is wrong".to_owned()
                }
                p12_keystore::error::Error::UnsupportedEncryptionScheme
                | p12_keystore::error::Error::UnsupportedMacAlgorithm => format!(
                    "its encryption is not supported ({e}); export it again with AES (openssl pkcs12 -export) or as PEM"
                ),
                other => format!("neither PEM nor a readable PKCS#12 file ({other})"),
            };
            error(path, reason)
        })?;
        let [key] = archive.keys.as_slice() else {
            return Err(error(
                path,
                format!(
                    "it holds {} private keys; Ferry needs exactly one",
                    archive.keys.len()
                ),
            ));
        };
        let is_leaf =
            |bag: &&p12_keystore::CertificateBag| match (&key.local_key_id, &bag.local_key_id) {
                (Some(key_id), Some(cert_id)) => key_id.as_ref() == cert_id.as_slice(),
                _ => false,
            };
        // The certificate of the key is the one with its local key ID; exports without IDs
        // put it first.
        let leaf = archive
            .certs
            .iter()
            .find(is_leaf)
            .or_else(|| archive.certs.first())
            .ok_or_else(|| error(path, "it holds a private key but no certificate".into()))?;
        let mut chain = vec![CertificateDer::from(leaf.cert.as_der().to_vec())];
        chain.extend(
            archive
                .certs
                .iter()
                .filter(|bag| !std::ptr::eq(*bag, leaf))
                .map(|bag| CertificateDer::from(bag.cert.as_der().to_vec())),
        );
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.key.as_der().to_vec()));
        Ok(LoadedIdentity { chain, key })
    }
}

fn error(path: &Path, reason: String) -> TlsSetupError {
    TlsSetupError::ClientCert {
        path: path.to_owned(),
        reason,
    }
}

/// PEM files start with (or contain, after comments) a `-----BEGIN` line; PKCS#12 is DER.
fn is_pem(bytes: &[u8]) -> bool {
    bytes.windows(10).any(|w| w == b"-----BEGIN")
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err("it is larger than 1 MiB, which no certificate file is".into());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (rcgen::KeyPair, rcgen::Certificate) {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["client".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (key, cert)
    }

    fn identity(cert: &Path, key: Option<&Path>) -> ClientIdentity {
        ClientIdentity::new(cert.to_owned(), key.map(Path::to_owned))
    }

    #[test]
    fn a_pem_identity_loads_from_one_file_or_two_and_says_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let (key, cert) = pair();
        let (cert_file, key_file, both) = (
            dir.path().join("c.pem"),
            dir.path().join("k.pem"),
            dir.path().join("both.pem"),
        );
        std::fs::write(&cert_file, cert.pem()).unwrap();
        std::fs::write(&key_file, key.serialize_pem()).unwrap();
        std::fs::write(&both, format!("{}{}", cert.pem(), key.serialize_pem())).unwrap();
        let two = identity(&cert_file, Some(&key_file)).load().unwrap();
        assert_eq!(two.chain.len(), 1);
        let one = identity(&both, None).load().unwrap();
        assert_eq!(one.chain, two.chain);
        assert!(!identity(&both, None).needs_password());

        let e = identity(&cert_file, None).load().err().unwrap().to_string();
        assert!(
            e.contains("holds no private key") && e.contains("c.pem"),
            "{e}"
        );
        let e = identity(&key_file, None).load().err().unwrap().to_string();
        assert!(e.contains("holds no certificate"), "{e}");
        let e = identity(&dir.path().join("gone.pem"), None)
            .load()
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("gone.pem"), "{e}");
    }

    /// A PKCS#12 file as p12-keystore writes it (AES-256, HMAC-SHA256) around `key` and `cert`.
    fn pkcs12(key: &rcgen::KeyPair, cert: &rcgen::Certificate, password: &str) -> Vec<u8> {
        let chain = p12_keystore::PrivateKeyChain::new(
            b"id-1".as_slice(),
            p12_keystore::PrivateKey::from_der(&key.serialize_der()).unwrap(),
            [p12_keystore::Certificate::from_der(cert.der()).unwrap()],
        );
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry(
            "client",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
        );
        store.writer(password).write().unwrap()
    }

    #[test]
    fn a_pkcs12_identity_opens_with_its_password_and_says_when_it_needs_one() {
        let dir = tempfile::tempdir().unwrap();
        let (key, cert) = pair();
        let locked = dir.path().join("locked.p12");
        std::fs::write(&locked, pkcs12(&key, &cert, "s3cret")).unwrap();
        let open = dir.path().join("open.pfx");
        std::fs::write(&open, pkcs12(&key, &cert, "")).unwrap();

        // The right password gives the same certificate and key rcgen made.
        let mut with_password = identity(&locked, None);
        assert!(with_password.needs_password());
        with_password.password = Some("s3cret".into());
        assert!(!with_password.needs_password());
        let loaded = with_password.load().unwrap();
        assert_eq!(loaded.chain, vec![cert.der().clone()]);
        assert_eq!(loaded.key.secret_der(), key.serialize_der().as_slice());
        // A configuration with it builds (rustls accepts the pair).
        let options = super::super::TlsOptions {
            client_identity: Some(with_password.clone()),
            ..Default::default()
        };
        assert!(super::super::client_configs(&options).is_ok());
        // The password never shows in a debug print.
        assert!(!format!("{with_password:?}").contains("s3cret"));

        // An export without a password opens as it is.
        assert!(!identity(&open, None).needs_password());
        assert_eq!(identity(&open, None).load().unwrap().chain.len(), 1);

        // No password, a wrong one, a key file beside it, garbage: each says what to do.
        let e = identity(&locked, None).load().err().unwrap().to_string();
        assert!(
            e.contains("locked.p12") && e.contains("FERRY_CERT_PASSWORD"),
            "{e}"
        );
        let mut wrong = identity(&locked, None);
        wrong.password = Some("guess".into());
        let e = wrong.load().err().unwrap().to_string();
        assert!(e.contains("password of this PKCS#12 file is wrong"), "{e}");
        let e = identity(&open, Some(&locked))
            .load()
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("leave out the key file"), "{e}");
        let junk = dir.path().join("junk.p12");
        std::fs::write(&junk, b"\x30\x03\x02\x01\x09not pkcs12").unwrap();
        let e = identity(&junk, None).load().err().unwrap().to_string();
        assert!(e.contains("neither PEM nor a readable PKCS#12"), "{e}");
        assert!(!identity(&junk, None).needs_password());
    }

    #[test]
    fn a_huge_file_is_refused_without_reading_it_all() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.p12");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(MAX_FILE_BYTES * 4).unwrap();
        let e = identity(&big, None).load().err().unwrap().to_string();
        assert!(e.contains("larger than 1 MiB"), "{e}");
    }
}
