//! Certificates the user chose to trust ("accept and remember"), keyed by host and port, like
//! SSH's `known_hosts`.
//!
//! The store is a human-readable TOML file, `pins.toml` in Ferry's configuration directory,
//! read and written through [`crate::persist`] (versioned, changed under a lock, written
//! atomically, a corrupt file kept aside as `pins.toml.<unix seconds>.bak` and never written
//! over, a file from a newer Ferry refused):
//!
//! ```toml
//! # Certificates you chose to trust in Ferry. One [[pin]] per host and port.
//! version = 1
//!
//! [[pin]]
//! host = "ftp.example.com"
//! port = 21
//! sha256 = "AB:CD:..."
//! ...
//! ```
//!
//! When two `[[pin]]` entries name the same host and port, the **last one wins**; the next save
//! keeps only that one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::persist::{Document, FileError, TomlFile};

/// One remembered certificate: the user accepted this certificate for this host and port.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pin {
    /// Lower-case host name or IP literal (an IPv6 address has no brackets).
    pub host: String,
    /// The server's port (the control connection's, e.g. 21 or 990).
    pub port: u16,
    /// SHA-256 fingerprint of the certificate, colon-separated upper-case hex ("AB:CD:...").
    pub sha256: String,
    /// SHA-256 fingerprint of the certificate's public key (`SubjectPublicKeyInfo`), same format:
    /// recognises a renewed certificate that kept its key.
    pub spki_sha256: String,
    /// The certificate's subject, as shown to the user when they accepted it.
    pub subject: String,
    /// The certificate's issuer, as shown to the user when they accepted it.
    pub issuer: String,
    /// Start of the certificate's validity (Unix seconds).
    pub not_before: i64,
    /// End of the certificate's validity (Unix seconds).
    pub not_after: i64,
    /// When the user accepted it (Unix seconds).
    pub accepted_at: i64,
}

/// Errors reading or writing the store: the errors of all of Ferry's files. Messages name the
/// file ("the file of remembered certificates ...") and say what to do;
/// [`FileError::NoConfigDir`] when there is no configuration folder to keep pins in.
pub type PinStoreError = FileError;

/// The map [`PinStore::update`] hands out: keyed by (lower-case host, port).
type PinMap = BTreeMap<(String, u16), Pin>;

/// The pin file's body (after `version`).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct PinFile {
    #[serde(default, rename = "pin", skip_serializing_if = "Vec::is_empty")]
    pins: Vec<Pin>,
}

impl Document for PinFile {
    const WHAT: &'static str = "the file of remembered certificates";
    const HEADER: &'static str = "\
# Certificates you chose to trust in Ferry (\"accept and remember\"). One [[pin]] per host and port.
# Ferry rewrites this file whenever you accept or forget a certificate: comments you add are not
# kept. To forget a certificate, delete its [[pin]] block (or use Ferry).
";
    const VERSION: u32 = 1;
    const IF_CORRUPT: &'static str =
        "Fix the file or delete it (Ferry will then ask again about the certificates it held)";
    const MAX_BYTES: u64 = MAX_PIN_FILE_BYTES;
}

/// The largest pin file Ferry reads. A pin is about 400 bytes, so this holds 10 000 of them,
/// each a certificate someone accepted by hand; and reading it costs at most ~90 MiB (see
/// [`crate::persist::BYTES_PER_TOKEN`]), on every connection that uses TLS.
pub const MAX_PIN_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The pin store: a human-readable TOML file (`pins.toml` in Ferry's config directory) and the
/// pins read from it.
///
/// Readers ([`get`](Self::get), [`pins`](Self::pins)) see the file as it was at
/// [`load`](Self::load) or the last change made through this value; every change re-reads the
/// file first, so it also picks up what other processes saved meanwhile.
#[derive(Debug, Clone)]
pub struct PinStore {
    file: TomlFile<PinFile>,
    pins: PinMap,
}

impl PinStore {
    /// `<config dir>/pins.toml` ([`crate::paths::pins_file`]: `FERRY_CONFIG_DIR`, else the
    /// system's configuration folder, e.g. `~/.config/ferry` on Linux).
    ///
    /// # Errors
    /// [`PinStoreError::NoConfigDir`] when the system has no configuration directory for us.
    pub fn default_path() -> Result<PathBuf, PinStoreError> {
        crate::paths::pins_file().ok_or(PinStoreError::NoConfigDir)
    }

    /// Reads the store at `path`. A missing file is an empty store (nothing is created until
    /// the first change). A corrupt file gives [`PinStoreError::Corrupt`] after being copied to
    /// `<file name>.<unix seconds>.bak` beside it; the original stays in place, byte for byte.
    /// A file from a newer Ferry gives [`PinStoreError::NewerVersion`].
    ///
    /// # Errors
    /// [`PinStoreError::Corrupt`], [`PinStoreError::NewerVersion`], or
    /// [`PinStoreError::Io`] when the file exists but cannot be read.
    pub fn load(path: &Path) -> Result<PinStore, PinStoreError> {
        let file = TomlFile::<PinFile>::new(path);
        let pins = keyed(file.read()?.pins);
        Ok(PinStore { file, pins })
    }

    /// The file this store reads and writes.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// The pin remembered for `host` and `port`, if any. The host is compared
    /// case-insensitively, and brackets around an IPv6 literal are ignored.
    #[must_use]
    pub fn get(&self, host: &str, port: u16) -> Option<&Pin> {
        self.pins.get(&(normalize_host(host), port))
    }

    /// Every remembered pin, sorted by host then port.
    pub fn pins(&self) -> impl Iterator<Item = &Pin> {
        self.pins.values()
    }

    /// Changes the store ([`TomlFile::update`]): reads the file again under an exclusive lock,
    /// applies `change` to what it read, writes the result atomically and updates `self`.
    /// Returns what `change` returned.
    ///
    /// Because the file is re-read under the lock, two processes (or two `PinStore` values)
    /// changing it at once never lose each other's pins. The directory is created if needed.
    /// The map is keyed by (lower-case host, port); before saving, every entry is re-keyed from
    /// its pin's own host and port, with the host lower-cased (when two entries then collide,
    /// the one later in key order wins). A change that changes nothing writes nothing.
    ///
    /// # Errors
    /// A corrupt file or one from a newer Ferry is never written over:
    /// [`PinStoreError::Corrupt`] or [`PinStoreError::NewerVersion`] is returned and `change`
    /// is not called. [`PinStoreError::Io`] when the directory, the lock file or the new file
    /// cannot be created or written; the old file is then still in place.
    pub fn update<R>(
        &mut self,
        change: impl FnOnce(&mut BTreeMap<(String, u16), Pin>) -> R,
    ) -> Result<R, PinStoreError> {
        let (file, result) = self.file.update(|file: &mut PinFile| {
            let mut pins = keyed(std::mem::take(&mut file.pins));
            let result = change(&mut pins);
            file.pins = keyed(pins.into_values()).into_values().collect();
            result
        })?;
        self.pins = keyed(file.pins);
        Ok(result)
    }

    /// Remembers `pin` (its host is lower-cased), replacing any pin for the same host and
    /// port, and saves the store.
    ///
    /// # Errors
    /// As [`update`](Self::update).
    pub fn remember(&mut self, mut pin: Pin) -> Result<(), PinStoreError> {
        pin.host = normalize_host(&pin.host);
        self.update(move |pins| {
            pins.insert((pin.host.clone(), pin.port), pin);
        })
    }

    /// Forgets the pin for `host` and `port` (host compared case-insensitively) and saves the
    /// store. Returns the pin that was forgotten, or `None` if there was none.
    ///
    /// # Errors
    /// As [`update`](Self::update).
    pub fn forget(&mut self, host: &str, port: u16) -> Result<Option<Pin>, PinStoreError> {
        let key = (normalize_host(host), port);
        self.update(|pins| pins.remove(&key))
    }
}

/// The host as pins are keyed: ASCII lower case, without the brackets of an IPv6 literal.
fn normalize_host(host: &str) -> String {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.to_ascii_lowercase()
}

/// Keys every pin by its own (normalized) host and port; a later pin replaces an earlier one
/// for the same host and port.
fn keyed(pins: impl IntoIterator<Item = Pin>) -> PinMap {
    pins.into_iter()
        .map(|mut pin| {
            pin.host = normalize_host(&pin.host);
            ((pin.host.clone(), pin.port), pin)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn pin(host: &str, port: u16) -> Pin {
        Pin {
            host: host.to_owned(),
            port,
            sha256: "AB:CD:EF".to_owned(),
            spki_sha256: "01:23:45".to_owned(),
            subject: format!("CN={host}"),
            issuer: "CN=Test CA".to_owned(),
            not_before: 1_700_000_000,
            not_after: 1_800_000_000,
            accepted_at: 1_750_000_000,
        }
    }

    fn store_path(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("pins.toml")
    }

    /// Names in `dir`, sorted.
    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        let mut store = PinStore::load(&path).unwrap();
        assert_eq!(store.path(), path);
        store.remember(pin("ftp.example.com", 21)).unwrap();
        store.remember(pin("ftps.example.org", 990)).unwrap();

        let fresh = PinStore::load(&path).unwrap();
        let expected = vec![pin("ftp.example.com", 21), pin("ftps.example.org", 990)];
        assert_eq!(fresh.pins().cloned().collect::<Vec<_>>(), expected);
        assert_eq!(store.pins().cloned().collect::<Vec<_>>(), expected);

        // Case-insensitive host.
        assert_eq!(
            fresh.get("FTP.Example.COM", 21),
            Some(&pin("ftp.example.com", 21))
        );
        assert_eq!(fresh.get("ftp.example.com", 22), None);

        // Forget removes and persists.
        let mut store = fresh;
        let gone = store.forget("Ftp.Example.Com", 21).unwrap();
        assert_eq!(gone, Some(pin("ftp.example.com", 21)));
        assert_eq!(store.get("ftp.example.com", 21), None);
        let reloaded = PinStore::load(&path).unwrap();
        assert_eq!(reloaded.get("ftp.example.com", 21), None);
        assert_eq!(reloaded.pins().count(), 1);
        assert_eq!(store.forget("ftp.example.com", 21).unwrap(), None);
    }

    #[test]
    fn file_is_readable_toml_with_header_and_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        let mut store = PinStore::load(&path).unwrap();
        store.remember(pin("ftp.example.com", 21)).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# Certificates you chose to trust"),
            "{text}"
        );
        assert!(text.contains("\nversion = 1\n"), "{text}");
        assert!(
            text.contains("[[pin]]\nhost = \"ftp.example.com\"\nport = 21\n"),
            "{text}"
        );
        assert!(text.contains("sha256 = \"AB:CD:EF\""), "{text}");
    }

    #[test]
    fn hosts_are_stored_lower_case_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        let mut store = PinStore::load(&path).unwrap();
        store.remember(pin("FTP.Example.COM", 21)).unwrap();
        let mut newer = pin("ftp.example.com", 21);
        newer.sha256 = "11:22".to_owned();
        store.remember(newer.clone()).unwrap();
        store.remember(pin("[::1]", 990)).unwrap();
        let fresh = PinStore::load(&path).unwrap();
        assert_eq!(fresh.pins().count(), 2);
        assert_eq!(fresh.get("ftp.example.com", 21), Some(&newer));
        assert_eq!(fresh.get("::1", 990).map(|p| p.host.as_str()), Some("::1"));
        assert!(fresh.get("[::1]", 990).is_some());
    }

    #[test]
    fn pins_are_sorted_by_host_then_port() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        let mut store = PinStore::load(&path).unwrap();
        for (host, port) in [("b.example", 21), ("a.example", 990), ("a.example", 21)] {
            store.remember(pin(host, port)).unwrap();
        }
        let order: Vec<_> = PinStore::load(&path)
            .unwrap()
            .pins()
            .map(|p| (p.host.clone(), p.port))
            .collect();
        assert_eq!(
            order,
            [
                ("a.example".to_owned(), 21),
                ("a.example".to_owned(), 990),
                ("b.example".to_owned(), 21)
            ]
        );
    }

    #[test]
    fn missing_file_is_empty_and_missing_directory_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("b").join("pins.toml");
        let mut store = PinStore::load(&path).unwrap();
        assert_eq!(store.pins().count(), 0);
        assert!(!path.exists(), "load must not create the file");
        assert_eq!(store.forget("ftp.example.com", 21).unwrap(), None);
        assert!(
            !path.exists(),
            "a change that leaves nothing must not create the file"
        );
        store.remember(pin("ftp.example.com", 21)).unwrap();
        assert!(path.is_file());
        assert_eq!(PinStore::load(&path).unwrap().pins().count(), 1);
    }

    #[test]
    fn unknown_fields_are_ignored_and_duplicates_last_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        let entry = |sha: &str| {
            format!(
                "[[pin]]\nhost = \"FTP.example.com\"\nport = 21\nsha256 = \"{sha}\"\n\
                 spki_sha256 = \"CD\"\nsubject = \"s\"\nissuer = \"i\"\nnot_before = 0\n\
                 not_after = 0\naccepted_at = 0\ncomment = \"added by hand\"\n\n"
            )
        };
        let text = format!(
            "version = 1\nsomething_new = [1, 2]\n\n{}{}",
            entry("FIRST"),
            entry("SECOND")
        );
        fs::write(&path, text).unwrap();
        let mut store = PinStore::load(&path).unwrap();
        assert_eq!(store.pins().count(), 1);
        let got = store.get("ftp.example.com", 21).unwrap();
        assert_eq!(got.sha256, "SECOND");
        assert_eq!(got.host, "ftp.example.com");
        // Saving keeps only the winner.
        store.remember(pin("other.example", 21)).unwrap();
        let saved = fs::read_to_string(&path).unwrap();
        assert!(!saved.contains("FIRST"), "{saved}");
        assert_eq!(PinStore::load(&path).unwrap().pins().count(), 2);
    }

    #[test]
    fn update_rekeys_and_returns_result() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        let mut store = PinStore::load(&path).unwrap();
        let n = store
            .update(|pins| {
                // A careless key: the pin's own host and port are what count.
                pins.insert(("wrong".to_owned(), 1), pin("Right.Example", 21));
                pins.len()
            })
            .unwrap();
        assert_eq!(n, 1);
        assert!(store.get("right.example", 21).is_some());
        assert!(
            PinStore::load(&path)
                .unwrap()
                .get("right.example", 21)
                .is_some()
        );
    }

    #[test]
    fn update_sees_other_writers() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        let mut a = PinStore::load(&path).unwrap();
        let mut b = PinStore::load(&path).unwrap();
        a.remember(pin("a.example", 21)).unwrap();
        b.remember(pin("b.example", 21)).unwrap();
        assert_eq!(b.pins().count(), 2);
        assert_eq!(PinStore::load(&path).unwrap().pins().count(), 2);
    }

    #[test]
    fn corrupt_file_is_kept_aside_and_never_written_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        let text = "version = 1\n\n[[pin]]\nhost = \"ftp.example.com\"\nport = \"x\"\n\
                    sha256 = \"AB\"\nspki_sha256 = \"CD\"\nsubject = \"s\"\nissuer = \"i\"\n\
                    not_before = 0\nnot_after = 0\naccepted_at = 0\n";
        fs::write(&path, text).unwrap();
        let err = PinStore::load(&path).unwrap_err();
        let message = err.to_string();
        let PinStoreError::Corrupt { kept, .. } = err else {
            panic!("not Corrupt: {message}");
        };
        assert!(
            message.starts_with(&format!(
                "the file of remembered certificates {} is not valid: line 5",
                path.display()
            )),
            "{message}"
        );
        assert!(message.contains("delete it"), "{message}");
        let kept_name = kept.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            kept_name.starts_with("pins.toml.") && kept_name.ends_with(".bak"),
            "{kept_name}"
        );
        assert_eq!(fs::read(&kept).unwrap(), text.as_bytes());

        // A store loaded before the file went bad cannot write over it either.
        let mut store = PinStore {
            file: TomlFile::new(&path),
            pins: PinMap::new(),
        };
        let err = store.remember(pin("ftp.example.com", 21)).unwrap_err();
        assert!(matches!(err, PinStoreError::Corrupt { .. }), "{err}");
        let err = store.forget("ftp.example.com", 21).unwrap_err();
        assert!(matches!(err, PinStoreError::Corrupt { .. }), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), text);
        assert_eq!(
            listing(dir.path()),
            ["pins.toml", kept_name.as_str(), "pins.toml.lock"]
        );
    }

    #[test]
    fn newer_version_is_refused_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        let contents = b"version = 2\n\n[[pin]]\nhost = 42\nfancy = true\n";
        fs::write(&path, contents).unwrap();
        let err = PinStore::load(&path).unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(err, PinStoreError::NewerVersion { version: 2, .. }),
            "{message}"
        );
        assert!(
            message.starts_with("the file of remembered certificates"),
            "{message}"
        );
        assert!(message.contains("newer version of Ferry"), "{message}");
        let mut store = PinStore {
            file: TomlFile::new(&path),
            pins: PinMap::new(),
        };
        let err = store.remember(pin("ftp.example.com", 21)).unwrap_err();
        assert!(matches!(err, PinStoreError::NewerVersion { .. }), "{err}");
        assert_eq!(fs::read(&path).unwrap(), contents);
    }

    #[test]
    fn default_path_is_pins_toml() {
        // Either there is a config directory, or the error says so.
        match PinStore::default_path() {
            Ok(path) => assert_eq!(path.file_name().unwrap(), "pins.toml"),
            Err(e) => assert!(matches!(e, PinStoreError::NoConfigDir)),
        }
    }
}
