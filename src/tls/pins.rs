//! Certificates the user chose to trust ("accept and remember"), keyed by host and port, like
//! SSH's `known_hosts`.
//!
//! The store is a human-readable TOML file, `pins.toml` in Ferry's configuration directory:
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
//! Rules the file follows:
//! - `version` is the schema version. A file with a newer version than this Ferry knows is
//!   refused ([`PinStoreError::NewerVersion`]) and never written over.
//! - When two `[[pin]]` entries name the same host and port, the **last one wins**; the next
//!   save keeps only that one.
//! - Unknown keys are ignored (so a newer Ferry can add fields without a version bump), but are
//!   not kept when this Ferry rewrites the file.
//! - A file that cannot be read as a pin file is copied aside to `pins.toml.corrupt-<unix
//!   seconds>` and reported ([`PinStoreError::Corrupt`]); the original is left exactly as it
//!   was, and no save goes over it until the user fixes or deletes it.
//! - Every change ([`PinStore::update`]) re-reads the file under an exclusive lock on
//!   `pins.toml.lock`, so two Ferry processes accepting certificates at once never lose each
//!   other's pins, and writes the new file atomically (temporary file, fsync, rename), so a
//!   crash leaves either the old file or the new one, never half of one.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The schema version this Ferry writes and the newest it reads.
const CURRENT_VERSION: u32 = 1;

/// The comment written at the top of every saved file, for people who open it.
const HEADER: &str = "\
# Certificates you chose to trust in Ferry (\"accept and remember\"). One [[pin]] per host and port.
# Ferry rewrites this file whenever you accept or forget a certificate: comments you add are not
# kept. To forget a certificate, delete its [[pin]] block (or use Ferry).
";

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

/// Errors reading or writing the store; messages name the file and say what to do.
#[derive(Debug, thiserror::Error)]
pub enum PinStoreError {
    /// The file exists but is not a valid pin file. It has been copied aside to `kept` and left
    /// untouched; nothing was written over it.
    #[error(
        "the file of remembered certificates {path} is not valid: {detail}. It was left as it \
         is, and a copy was kept at {kept}. Fix the file or delete it (Ferry will then ask \
         again about the certificates it held)"
    )]
    Corrupt {
        /// The pin file.
        path: PathBuf,
        /// The copy made of it, byte for byte.
        kept: PathBuf,
        /// What is wrong, with its line and column (e.g. "line 4, column 8: invalid type ...").
        detail: String,
    },
    /// The file was written by a newer Ferry, whose format this one does not know. It was
    /// neither copied nor changed, and never will be by this Ferry.
    #[error(
        "the file of remembered certificates {path} was written by a newer version of Ferry \
         (format version {version}; this one reads up to version {supported}). Update Ferry; \
         the file was left untouched"
    )]
    NewerVersion {
        /// The pin file.
        path: PathBuf,
        /// The version the file declares.
        version: i64,
        /// The newest version this Ferry reads.
        supported: u32,
    },
    /// Reading or writing a file failed (the pin file, its lock file, its temporary file or
    /// the copy of a corrupt file; `path` says which).
    #[error(
        "cannot use {path}: {source}. Check that the file and its folder exist, are readable \
         and writable, and that the disk is not full"
    )]
    Io {
        /// The file or folder that could not be used.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The operating system has no configuration directory for Ferry (on Unix: `HOME` is not
    /// set), so there is nowhere to keep remembered certificates.
    #[error(
        "cannot find a configuration folder for Ferry to keep remembered certificates in; set \
         HOME (or your system's equivalent) and try again"
    )]
    NoConfigDir,
}

impl PinStoreError {
    fn io(path: &Path, source: io::Error) -> Self {
        PinStoreError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// The map [`PinStore::update`] hands out: keyed by (lower-case host, port).
type PinMap = BTreeMap<(String, u16), Pin>;

/// The pin store: a human-readable TOML file (`pins.toml` in Ferry's config directory) and the
/// pins read from it.
///
/// Readers ([`get`](Self::get), [`pins`](Self::pins)) see the file as it was at
/// [`load`](Self::load) or the last change made through this value; every change re-reads the
/// file first, so it also picks up what other processes saved meanwhile.
#[derive(Debug, Clone)]
pub struct PinStore {
    path: PathBuf,
    pins: PinMap,
}

/// The file as serialized: the schema version and the pins.
#[derive(serde::Serialize, serde::Deserialize)]
struct PinFile {
    version: u32,
    #[serde(default, rename = "pin")]
    pins: Vec<Pin>,
}

impl PinStore {
    /// `<config dir>/pins.toml`, where the config dir is the one
    /// `directories::ProjectDirs::from("org", "Ferry", "Ferry")` gives (e.g.
    /// `~/.config/ferry` on Linux).
    ///
    /// # Errors
    /// [`PinStoreError::NoConfigDir`] when the system has no configuration directory for us.
    pub fn default_path() -> Result<PathBuf, PinStoreError> {
        directories::ProjectDirs::from("org", "Ferry", "Ferry")
            .map(|dirs| dirs.config_dir().join("pins.toml"))
            .ok_or(PinStoreError::NoConfigDir)
    }

    /// Reads the store at `path`. A missing file is an empty store (nothing is created until
    /// the first change). A corrupt file gives [`PinStoreError::Corrupt`] after being copied to
    /// `<file name>.corrupt-<unix seconds>` beside it; the original stays in place, byte for
    /// byte. A file from a newer Ferry gives [`PinStoreError::NewerVersion`].
    ///
    /// # Errors
    /// [`PinStoreError::Corrupt`], [`PinStoreError::NewerVersion`], or
    /// [`PinStoreError::Io`] when the file exists but cannot be read.
    pub fn load(path: &Path) -> Result<PinStore, PinStoreError> {
        let pins = read_file(path)?.pins;
        Ok(PinStore {
            path: path.to_owned(),
            pins,
        })
    }

    /// The file this store reads and writes.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
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

    /// Changes the store: reads the file again under an exclusive lock (on the sibling file
    /// `<file name>.lock`), applies `change` to what it read, writes the result atomically
    /// (temporary file in the same directory, fsync, rename, then fsync of the directory where
    /// the system allows it) and updates `self`. Returns what `change` returned.
    ///
    /// Because the file is re-read under the lock, two processes (or two `PinStore` values)
    /// changing it at once never lose each other's pins. The directory is created if needed.
    /// The map is keyed by (lower-case host, port); before saving, every entry is re-keyed from
    /// its pin's own host and port, with the host lower-cased (when two entries then collide,
    /// the one later in key order wins). If the result is byte-identical to the file, nothing
    /// is written.
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
        let path = self.path.clone();
        if let Some(dir) = parent_dir(&path) {
            fs::create_dir_all(dir).map_err(|e| PinStoreError::io(dir, e))?;
        }
        let lock_path = sibling(&path, ".lock");
        // Each update opens its own handle: locks belong to the open file, so two handles in
        // one process exclude each other like two processes do.
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| PinStoreError::io(&lock_path, e))?;
        lock.lock().map_err(|e| PinStoreError::io(&lock_path, e))?;

        let current = read_file(&path)?;
        let mut pins = current.pins;
        let result = change(&mut pins);
        let pins = rekey(pins);
        let text = serialize(&pins).map_err(|e| PinStoreError::io(&path, e))?;
        let unchanged = match &current.text {
            Some(old) => *old == text,
            // Nothing to remember and no file: no need to create one.
            None => pins.is_empty(),
        };
        if !unchanged {
            write_atomically(&path, text.as_bytes())?;
        }
        self.pins = pins;
        // Unlocked when `lock` is closed; said explicitly so it outlives the write.
        drop(lock);
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

/// Keys every pin by its own (normalized) host and port.
fn rekey(pins: PinMap) -> PinMap {
    pins.into_values()
        .map(|mut pin| {
            pin.host = normalize_host(&pin.host);
            ((pin.host.clone(), pin.port), pin)
        })
        .collect()
}

/// What was read from disk: the pins and the exact text (None when there was no file).
struct ReadFile {
    pins: PinMap,
    text: Option<String>,
}

/// Reads and checks the pin file; see [`PinStore::load`].
fn read_file(path: &Path) -> Result<ReadFile, PinStoreError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(ReadFile {
                pins: PinMap::new(),
                text: None,
            });
        }
        Err(e) => return Err(PinStoreError::io(path, e)),
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let (line, column) = line_column(&bytes, at);
            let detail = format!("line {line}, column {column}: not UTF-8 text");
            return Err(corrupt(path, &bytes, detail));
        }
    };
    match parse(&text) {
        Ok(pins) => Ok(ReadFile {
            pins,
            text: Some(text),
        }),
        Err(ParseError::Newer(version)) => Err(PinStoreError::NewerVersion {
            path: path.to_owned(),
            version,
            supported: CURRENT_VERSION,
        }),
        Err(ParseError::Invalid(detail)) => Err(corrupt(path, text.as_bytes(), detail)),
    }
}

enum ParseError {
    /// The file declares this version, newer than [`CURRENT_VERSION`].
    Newer(i64),
    /// Not a valid pin file: what is wrong, with the line.
    Invalid(String),
}

/// Parses the text of a pin file. Empty text (or only comments) is an empty store.
fn parse(text: &str) -> Result<PinMap, ParseError> {
    // First as plain TOML, to read the version before the schema: a newer Ferry's file may not
    // fit this one's schema, and must be reported as newer rather than corrupt.
    let table: toml::Table = toml::from_str(text).map_err(|e| describe(text, &e))?;
    if let Some(toml::Value::Integer(version)) = table.get("version")
        && *version > i64::from(CURRENT_VERSION)
    {
        return Err(ParseError::Newer(*version));
    }
    if table.is_empty() {
        return Ok(PinMap::new());
    }
    let file: PinFile = toml::from_str(text).map_err(|e| describe(text, &e))?;
    if file.version != CURRENT_VERSION {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with("version"))
            .map_or(1, |i| i + 1);
        return Err(ParseError::Invalid(format!(
            "line {line}: unknown format version {} (expected {CURRENT_VERSION})",
            file.version
        )));
    }
    // Later entries replace earlier ones for the same host and port.
    Ok(file
        .pins
        .into_iter()
        .map(|mut pin| {
            pin.host = normalize_host(&pin.host);
            ((pin.host.clone(), pin.port), pin)
        })
        .collect())
}

/// A TOML error as "line L, column C: message".
fn describe(text: &str, err: &toml::de::Error) -> ParseError {
    let message = err.message().trim();
    ParseError::Invalid(match err.span() {
        Some(span) => {
            let (line, column) = line_column(text.as_bytes(), span.start);
            format!("line {line}, column {column}: {message}")
        }
        None => format!("line 1: {message}"),
    })
}

/// 1-based line and column (in bytes) of byte offset `at`.
fn line_column(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = bytes.get(..at).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// Keeps a copy of a corrupt file's `bytes` beside it and builds the error. If even the copy
/// cannot be made, the error is an [`PinStoreError::Io`] that still says what was wrong.
fn corrupt(path: &Path, bytes: &[u8], detail: String) -> PinStoreError {
    match keep_copy(path, bytes) {
        Ok(kept) => PinStoreError::Corrupt {
            path: path.to_owned(),
            kept,
            detail,
        },
        Err((kept, e)) => PinStoreError::Io {
            path: kept,
            source: io::Error::new(
                e.kind(),
                format!(
                    "{e} (while keeping a copy of {}, which is not a valid file of remembered \
                     certificates: {detail}; the file was left as it is)",
                    path.display()
                ),
            ),
        },
    }
}

/// Writes `bytes` to `<file name>.corrupt-<unix seconds>` beside `path` without replacing any
/// existing file. A copy already holding the same bytes is reused, so loading the same corrupt
/// file again (each time Ferry starts) does not pile up copies. Returns the copy's path.
fn keep_copy(path: &Path, bytes: &[u8]) -> Result<PathBuf, (PathBuf, io::Error)> {
    if let Some(kept) = existing_copy(path, bytes) {
        return Ok(kept);
    }
    let base = format!(".corrupt-{}", unix_now());
    let mut candidate = sibling(path, &base);
    for n in 1..=100 {
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut file) => {
                let written = file.write_all(bytes).and_then(|()| file.sync_all());
                return match written {
                    Ok(()) => Ok(candidate),
                    Err(e) => {
                        let _ = fs::remove_file(&candidate);
                        Err((candidate, e))
                    }
                };
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                // Another process (or an earlier load this second) kept the same file already.
                if fs::read(&candidate).is_ok_and(|existing| existing == bytes) {
                    return Ok(candidate);
                }
                candidate = sibling(path, &format!("{base}-{n}"));
            }
            Err(e) => return Err((candidate, e)),
        }
    }
    Err((
        candidate,
        io::Error::new(
            io::ErrorKind::AlreadyExists,
            "too many copies already exist",
        ),
    ))
}

/// A `<file name>.corrupt-*` file beside `path` that holds exactly `bytes`, if any.
fn existing_copy(path: &Path, bytes: &[u8]) -> Option<PathBuf> {
    let prefix = sibling(path, ".corrupt-").file_name()?.to_str()?.to_owned();
    let dir = parent_dir(path).unwrap_or(Path::new("."));
    fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .filter(|entry| {
            entry
                .metadata()
                .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        })
        .map(|entry| entry.path())
        .find(|candidate| fs::read(candidate).is_ok_and(|existing| existing == bytes))
        .map(|candidate| path.with_file_name(candidate.file_name().unwrap_or_default()))
}

/// The file's text: the header comment, then the TOML.
fn serialize(pins: &PinMap) -> io::Result<String> {
    let file = PinFile {
        version: CURRENT_VERSION,
        pins: pins.values().cloned().collect(),
    };
    let body = toml::to_string(&file).map_err(io::Error::other)?;
    Ok(format!("{HEADER}{body}"))
}

/// Deletes a temporary file when dropped, unless it was renamed into place.
struct TempFile<'a> {
    path: &'a Path,
    armed: bool,
}

impl Drop for TempFile<'_> {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_file(self.path);
        }
    }
}

/// Replaces the file at `path` with `bytes` so that a crash leaves either the old file or the
/// new one: a temporary file in the same directory, fsync, rename over, fsync the directory.
/// A symbolic link at `path` is followed, so the file it points to is replaced, not the link.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), PinStoreError> {
    /// Tells apart the temporary files of threads of this process.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let target = follow_links(path);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp_path = sibling(&target, &format!(".tmp-{}-{n}", std::process::id()));
    let mut tmp = TempFile {
        path: &tmp_path,
        armed: true,
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp_path)
        .map_err(|e| PinStoreError::io(&tmp_path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| PinStoreError::io(&tmp_path, e))?;
    #[cfg(unix)]
    if let Ok(meta) = fs::metadata(&target) {
        // Keep the permissions the user gave the file.
        fs::set_permissions(&tmp_path, meta.permissions())
            .map_err(|e| PinStoreError::io(&tmp_path, e))?;
    }
    drop(file);
    fs::rename(&tmp_path, &target).map_err(|e| PinStoreError::io(&target, e))?;
    tmp.armed = false;
    sync_dir(&target);
    Ok(())
}

/// `path` with symbolic links followed (also a dangling one, whose target does not exist yet),
/// so that the rename replaces the file a link points to rather than the link.
fn follow_links(path: &Path) -> PathBuf {
    let mut path = path.to_owned();
    // Bounded like the kernel's own limit, in case of a loop.
    for _ in 0..40 {
        let is_link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        let Some(target) = is_link.then(|| fs::read_link(&path).ok()).flatten() else {
            break;
        };
        path = match parent_dir(&path) {
            Some(dir) => dir.join(target),
            None => target,
        };
    }
    path
}

/// Makes a rename in `file`'s directory durable. Only possible on Unix; best effort there.
fn sync_dir(file: &Path) {
    #[cfg(unix)]
    if let Some(dir) = parent_dir(file) {
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    } else if let Ok(dir) = File::open(".") {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// The directory holding `path`, if it names one (not for a bare file name).
fn parent_dir(path: &Path) -> Option<&Path> {
    path.parent().filter(|dir| !dir.as_os_str().is_empty())
}

/// `path` with `suffix` appended to its file name (`pins.toml` → `pins.toml<suffix>`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map_or_else(|| OsString::from("pins.toml"), OsString::from);
    name.push(suffix);
    path.with_file_name(name)
}

/// Now, in Unix seconds (0 if the clock is before 1970).
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
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
    fn empty_or_comment_only_file_is_empty_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        fs::write(&path, "").unwrap();
        assert_eq!(PinStore::load(&path).unwrap().pins().count(), 0);
        fs::write(&path, "# nothing yet\n").unwrap();
        assert_eq!(PinStore::load(&path).unwrap().pins().count(), 0);
        assert_eq!(listing(dir.path()), ["pins.toml"]);
    }

    fn assert_corrupt(contents: &[u8], line: usize) {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        fs::write(&path, contents).unwrap();
        let err = match PinStore::load(&path) {
            Err(err) => err,
            Ok(_) => panic!("{:?} loaded", String::from_utf8_lossy(contents)),
        };
        let message = err.to_string();
        let PinStoreError::Corrupt {
            path: p,
            kept,
            detail,
        } = err
        else {
            panic!("not Corrupt: {message}");
        };
        assert_eq!(p, path);
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains(&format!("line {line}")), "{message}");
        assert!(detail.contains(&format!("line {line}")), "{detail}");
        assert!(message.contains("delete"), "{message}");
        // Original untouched, copy identical and named as promised.
        assert_eq!(fs::read(&path).unwrap(), contents);
        assert_eq!(fs::read(&kept).unwrap(), contents);
        let kept_name = kept.file_name().unwrap().to_string_lossy().into_owned();
        assert!(kept_name.starts_with("pins.toml.corrupt-"), "{kept_name}");
        assert_eq!(kept.parent(), Some(dir.path()));

        // A change is refused and writes nothing over the file.
        let mut store = PinStore {
            path: path.clone(),
            pins: PinMap::new(),
        };
        let called = std::cell::Cell::new(false);
        let result = store.update(|_| called.set(true));
        let Err(PinStoreError::Corrupt {
            kept: kept_again, ..
        }) = result
        else {
            panic!("update over a corrupt file: {result:?}");
        };
        assert!(!called.get());
        assert_eq!(fs::read(&path).unwrap(), contents);
        // Loading the same corrupt file again reuses the copy rather than piling up copies.
        assert_eq!(kept_again, kept);
        assert!(PinStore::load(&path).is_err());
        let kept_name = kept_name.as_str();
        assert_eq!(
            listing(dir.path()),
            ["pins.toml", kept_name, "pins.toml.lock"]
        );
    }

    #[test]
    fn garbage_is_corrupt() {
        assert_corrupt(b"version = 1\n\nthis is not toml at all {{{\n", 3);
    }

    #[test]
    fn wrong_type_is_corrupt() {
        let text = "version = 1\n\n[[pin]]\nhost = \"ftp.example.com\"\nport = \"x\"\n\
                    sha256 = \"AB\"\nspki_sha256 = \"CD\"\nsubject = \"s\"\nissuer = \"i\"\n\
                    not_before = 0\nnot_after = 0\naccepted_at = 0\n";
        assert_corrupt(text.as_bytes(), 5);
    }

    #[test]
    fn missing_field_and_bad_utf8_are_corrupt() {
        assert_corrupt(b"version = 1\n\n[[pin]]\nhost = \"a\"\nport = 21\n", 3);
        assert_corrupt(b"version = 1\n# caf\xe9\n", 2);
        assert_corrupt(b"[[pin]]\nhost = \"a\"\n", 1);
        assert_corrupt(b"version = 0\n", 1);
    }

    #[test]
    fn newer_version_is_refused_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        // A future schema that this one could not even parse.
        let contents = b"version = 2\n\n[[pin]]\nhost = 42\nfancy = true\n";
        fs::write(&path, contents).unwrap();
        let err = PinStore::load(&path).err().unwrap();
        let message = err.to_string();
        assert!(
            matches!(err, PinStoreError::NewerVersion { version: 2, .. }),
            "{message}"
        );
        assert!(message.contains("newer version of Ferry"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");

        let mut store = PinStore {
            path: path.clone(),
            pins: PinMap::new(),
        };
        let err = store.remember(pin("ftp.example.com", 21)).err().unwrap();
        assert!(matches!(err, PinStoreError::NewerVersion { .. }), "{err}");
        assert_eq!(fs::read(&path).unwrap(), contents);
        // Not copied aside.
        assert!(
            listing(dir.path()).iter().all(|n| !n.contains("corrupt")),
            "{:?}",
            listing(dir.path())
        );
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
    fn saves_leave_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        let mut store = PinStore::load(&path).unwrap();
        for i in 0..5 {
            store.remember(pin(&format!("h{i}.example"), 21)).unwrap();
        }
        store.forget("h0.example", 21).unwrap();
        store.forget("not-there.example", 21).unwrap();
        assert_eq!(listing(dir.path()), ["pins.toml", "pins.toml.lock"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_file_is_replaced_through_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        let link = store_path(&dir);
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut store = PinStore::load(&link).unwrap();
        store.remember(pin("a.example", 21)).unwrap();
        store.remember(pin("b.example", 21)).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(PinStore::load(&real).unwrap().pins().count(), 2);
    }

    #[test]
    fn concurrent_stores_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_path(&dir);
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = PinStore::load(&path).unwrap();
                    for i in 0..20 {
                        store
                            .remember(pin(&format!("t{t}-h{i}.example"), 21))
                            .unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let store = PinStore::load(&path).unwrap();
        assert_eq!(store.pins().count(), 160);
        for t in 0..8 {
            for i in 0..20 {
                assert!(store.get(&format!("t{t}-h{i}.example"), 21).is_some());
            }
        }
        assert_eq!(listing(dir.path()), ["pins.toml", "pins.toml.lock"]);
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
