//! Ferry's human-readable files (remembered certificates, saved sites, and later the transfer
//! queue and settings): one mechanism for reading and changing them safely.
//!
//! Each file is a TOML document: a comment header for people who open it, `version = N`, then
//! the body, a [`Document`] type (serde). [`TomlFile`] reads and changes one such file:
//!
//! ```toml
//! # Certificates you chose to trust in Ferry ...
//! version = 1
//!
//! [[pin]]
//! host = "ftp.example.com"
//! ...
//! ```
//!
//! Rules every file follows:
//! - `version` is the schema version. A file with a newer version than this Ferry knows is
//!   refused ([`FileError::NewerVersion`]) and never written over; one without a version, or
//!   with a version below 1, is corrupt. Versions from 1 up to [`Document::VERSION`] are read
//!   with the document type (which must keep older files readable, e.g. with serde defaults);
//!   the current version is always written.
//! - Unknown keys are ignored (so a newer Ferry can add fields without a version bump), but are
//!   not kept when this Ferry rewrites the file.
//! - An empty file, or one with only comments, is the default (empty) document; so is a
//!   missing file, which is not created until a change leaves something to save.
//! - A file that cannot be read as its document is copied aside, byte for byte, to
//!   `<file name>.<unix seconds>.bak` beside it and reported ([`FileError::Corrupt`], with the
//!   line and column). The original stays exactly as it was, and no change is ever written over
//!   it until the user fixes or deletes it. Reading the same corrupt file again reuses the copy.
//! - Every change ([`TomlFile::update`]) re-reads the file under an exclusive lock on the
//!   sibling `<file name>.lock`, so two Ferry processes (or two values in one process) changing
//!   it at once never lose each other's changes, and writes the new file atomically (temporary
//!   file in the same directory, fsync, rename, fsync of the directory), so a crash leaves
//!   either the old file or the new one, never half of one. A symbolic link is followed (the
//!   file it points to is replaced, the link stays), the file's permissions are kept, and a
//!   change that changes nothing writes nothing (comments and formatting of a hand-edited file
//!   survive until a real change).
//! - On Unix, files are written `0600` (group and other bits of an older file are dropped) and
//!   folders Ferry creates are `0700`: host names, user names and the paths of what you
//!   transfer are nobody else's business on a shared machine.
//!
//! - Memory is bounded whatever is on disk. Each kind of file has a size cap
//!   ([`Document::MAX_BYTES`], far above any real file of its kind); at most the cap (plus one
//!   byte) is ever read, so a huge file, or one that never ends (`/dev/zero`), costs no more.
//!   The TOML parser itself costs up to ~80 bytes of memory per token (it keeps every token and
//!   every event), so a file within the cap must also have at most one token per
//!   [`BYTES_PER_TOKEN`] bytes of the cap: a file of blank lines, or of `[[[[`, is refused before
//!   it is parsed. Either way the file is too large ([`FileError::TooLarge`],
//!   [`FileError::TooManyTokens`]): it is left exactly as it is, not copied aside (a copy of a
//!   file of gigabytes could fill the disk, and the original stays where it is anyway) and never
//!   written over. Reading one costs at most about `MAX_BYTES` × (1 + 80 / `BYTES_PER_TOKEN`).
//!
//! Reading ([`TomlFile::read`]) takes no lock: thanks to the atomic rename, a reader sees either
//! the old file or the new one.

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write as _};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The cap of a kind of file that sets none ([`Document::MAX_BYTES`]): the transfer queue's,
/// the largest file Ferry keeps (its document, in `transfer::engine`, takes this default).
/// A queue of 100 000 items with long paths (four folders deep), each failed with an error
/// message naming its path, is 45 MiB as Ferry writes it (measured by
/// `tests::a_big_real_queue_fits_its_caps`); typical items without an error take half that.
/// 128 MiB leaves room for a quarter of a million such items, and still bounds what reading
/// costs (the parser needs about 16 times the file for a real queue).
pub const DEFAULT_MAX_BYTES: u64 = 128 * 1024 * 1024;

/// A file may hold at most one TOML token (a key, a value, an `=`, a run of spaces, a line
/// end, ...) per this many bytes of its cap ([`Document::MAX_BYTES`]). toml's parser keeps
/// 50 to 80 bytes per token (every token, then every event), so this bounds its memory to ~20
/// times the cap; a file of blank lines or of `[[[[` has a token per byte and would cost up
/// to 80 times its size. Tokens are counted from above ([`tokens_up_to`]): by that count a
/// big real queue has one every 4.1 bytes (`tests::a_big_real_queue_fits_its_caps`) and the
/// small hand-made files of the fuzz corpus one every 2 to 3.4 (short lines like `port = 21`,
/// comments), so a real file reaches this limit at a half to the whole of its byte cap; both
/// are far above real files.
pub const BYTES_PER_TOKEN: u64 = 4;

/// The body of one kind of file: what it holds, and how it is described to people.
///
/// The type is (de)serialized as the document's top-level table, without the `version` key,
/// which [`TomlFile`] writes and checks itself: the type must not have a field named `version`,
/// and must not use `deny_unknown_fields` (the `version` key, and keys of newer Ferrys, are
/// ignored when reading).
pub trait Document: Serialize + DeserializeOwned + Default {
    /// What the file is called in messages, e.g. "the file of remembered certificates" or
    /// "the site list". Followed by the file's path.
    const WHAT: &'static str;
    /// The comment written at the top of the file: `#` lines, each ending with a newline.
    const HEADER: &'static str;
    /// The schema version this Ferry writes, and the newest it reads.
    const VERSION: u32;
    /// What the user should do about a corrupt file (a sentence, shown after what is wrong and
    /// where the copy was kept), e.g. "Fix the file or delete it".
    const IF_CORRUPT: &'static str;
    /// The largest file of this kind Ferry reads: far above any real one, so that only a
    /// garbage file is refused, and low enough that reading one (at most this many bytes, and
    /// the parser's ~20 times as much, see [`BYTES_PER_TOKEN`]) cannot exhaust memory.
    const MAX_BYTES: u64 = DEFAULT_MAX_BYTES;

    /// Checks what the types alone cannot (e.g. duplicate names). `text` is the file, for
    /// finding line numbers. An `Err` makes the file corrupt; its message should start with
    /// "line L: " when the line is known.
    ///
    /// # Errors
    /// A description of what is wrong.
    fn check(&self, text: &str) -> Result<(), String> {
        let _ = text;
        Ok(())
    }
}

/// Errors reading or writing one of Ferry's files; messages name the file and say what to do.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file exists but is not a valid file of its kind. It has been copied aside to `kept`
    /// and left untouched; nothing was written over it, and nothing will be until it is fixed.
    #[error("{what} {path} is not valid: {detail}. It was left as it is, and a copy was kept at {kept}. {advice}", path = path.display(), kept = kept.display())]
    Corrupt {
        /// What the file is ([`Document::WHAT`]).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The copy made of it, byte for byte.
        kept: PathBuf,
        /// What is wrong, with its line and column (e.g. "line 4, column 8: invalid type ...").
        detail: String,
        /// What to do about it ([`Document::IF_CORRUPT`]).
        advice: &'static str,
    },
    /// The file was written by a newer Ferry, whose format this one does not know. It was
    /// neither copied nor changed, and never will be by this Ferry.
    #[error(
        "{what} {path} was written by a newer version of Ferry (format version {version}; this \
         one reads up to version {supported}). Update Ferry; the file was left untouched",
        path = path.display()
    )]
    NewerVersion {
        /// What the file is ([`Document::WHAT`]).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The version the file declares.
        version: i64,
        /// The newest version this Ferry reads.
        supported: u32,
    },
    /// Reading or writing a file failed (the file, its lock file, its temporary file, its
    /// folder or the copy of a corrupt file; `path` says which).
    #[error(
        "cannot use {path}: {source}. Check that the file and its folder exist, are readable \
         and writable, and that the disk is not full",
        path = path.display()
    )]
    Io {
        /// The file or folder that could not be used.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The file is larger than any file of its kind ([`Document::MAX_BYTES`]). It was not
    /// read beyond the cap, not copied, and is never written over by this Ferry.
    #[error(
        "{what} {path} is too large to be one: {size}, and Ferry reads at most {limit}. It was \
         left as it is and will not be written over; move it elsewhere or delete it",
        path = path.display(),
        size = size.map_or_else(|| format!("more than {}", Bytes(*limit)), |s| Bytes(s).to_string()),
        limit = Bytes(*limit)
    )]
    TooLarge {
        /// What the file is ([`Document::WHAT`]).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Its size, when the system says (None for a device or a file still growing).
        size: Option<u64>,
        /// The cap ([`Document::MAX_BYTES`]).
        limit: u64,
    },
    /// The file is within its cap but is made of more tokens (lines, keys, values, brackets)
    /// than any file of its kind: a file of blank lines, say. Parsing it would cost ~80 bytes
    /// of memory per token ([`BYTES_PER_TOKEN`]), so it was not parsed; it was not copied and
    /// is never written over by this Ferry.
    #[error(
        "{what} {path} is too large to be one: it holds more than {limit} lines, keys and \
         values (blank lines count too). It was left as it is and will not be written over; \
         move it elsewhere or delete it",
        path = path.display()
    )]
    TooManyTokens {
        /// What the file is ([`Document::WHAT`]).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The most tokens a file of its kind may hold.
        limit: u64,
    },
    /// The operating system has no configuration directory for Ferry (on Unix: `HOME` is not
    /// set), so there is nowhere to keep its files.
    #[error(
        "cannot find a configuration folder for Ferry to keep its files in; set HOME (or your \
         system's equivalent), or FERRY_CONFIG_DIR, and try again"
    )]
    NoConfigDir,
}

impl FileError {
    fn io(path: &Path, source: io::Error) -> Self {
        FileError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// One file on disk holding a `D` (see the [module](self) for the rules it follows).
///
/// It holds no contents: [`read`](Self::read) and [`update`](Self::update) go to the disk each
/// time, so callers keep what they read.
pub struct TomlFile<D> {
    path: PathBuf,
    doc: PhantomData<fn() -> D>,
}

impl<D> Clone for TomlFile<D> {
    fn clone(&self) -> Self {
        TomlFile {
            path: self.path.clone(),
            doc: PhantomData,
        }
    }
}

impl<D> fmt::Debug for TomlFile<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TomlFile")
            .field("path", &self.path)
            .finish()
    }
}

impl<D: Document> TomlFile<D> {
    /// The file at `path` (nothing is read or created yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        TomlFile {
            path: path.into(),
            doc: PhantomData,
        }
    }

    /// The file this reads and writes.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the document. A missing file is `D::default()` (nothing is created).
    ///
    /// # Errors
    /// [`FileError::Corrupt`] after copying the file aside (see the [module](self));
    /// [`FileError::NewerVersion`]; [`FileError::Io`] when the file exists but cannot be read
    /// (or a corrupt file cannot be copied).
    pub fn read(&self) -> Result<D, FileError> {
        Ok(read_file::<D>(&self.path)?.unwrap_or_default())
    }

    /// Changes the document: takes an exclusive lock (on the sibling `<file name>.lock`; the
    /// directory is created if needed), reads the file afresh, applies `change`, and writes the
    /// result atomically unless it is the same document as before. Returns the new document
    /// and what `change` returned.
    ///
    /// Because the file is re-read under the lock, two processes (or two values in one
    /// process) changing it at once never lose each other's changes. `change` should leave
    /// the document as it found it when it decides not to change anything (e.g. on a
    /// validation error): then nothing is written.
    ///
    /// # Errors
    /// A corrupt file or one from a newer Ferry is never written over: [`FileError::Corrupt`]
    /// or [`FileError::NewerVersion`] is returned and `change` is not called. [`FileError::Io`]
    /// when the directory, the lock file or the new file cannot be created or written (the old
    /// file is then still in place), or the document cannot be written as TOML.
    pub fn update<R>(&self, change: impl FnOnce(&mut D) -> R) -> Result<(D, R), FileError> {
        let path = &self.path;
        let lock = self.lock()?;
        let mut doc = read_file::<D>(path)?.unwrap_or_default();
        // Compared as written, so that a change that changes nothing writes nothing, even over
        // a hand-edited file laid out differently (or over no file at all).
        let before = serialize(&doc).map_err(|e| FileError::io(path, e))?;
        let result = change(&mut doc);
        let after = serialize(&doc).map_err(|e| FileError::io(path, e))?;
        if after != before {
            debug_assert!(
                doc.check(&after).is_ok(),
                "a change made {} invalid: {:?}",
                D::WHAT,
                doc.check(&after)
            );
            write_atomically(path, after.as_bytes())?;
        }
        // Unlocked when `lock` is closed; said explicitly so it outlives the write.
        drop(lock);
        Ok((doc, result))
    }

    /// Creates the directory if needed and takes the exclusive lock on the sibling
    /// `<file name>.lock`, held until the returned file is closed. Each call opens its own
    /// handle: locks belong to the open file, so two handles in one process exclude each
    /// other like two processes do.
    fn lock(&self) -> Result<fs::File, FileError> {
        if let Some(dir) = parent_dir(&self.path) {
            create_private_dir_all(dir).map_err(|e| FileError::io(dir, e))?;
        }
        let lock_path = sibling(&self.path, ".lock");
        let lock = private_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| FileError::io(&lock_path, e))?;
        lock.lock().map_err(|e| FileError::io(&lock_path, e))?;
        Ok(lock)
    }

    /// Writes `doc` over the file without reading it first (under the same lock as
    /// [`TomlFile::update`], atomically). For a file one owner rewrites whole, often, and
    /// that it read at start: the transfer queue, which with 100 000 items is megabytes that
    /// `update` would parse and serialise twice per save.
    ///
    /// # Errors
    /// [`FileError::Io`] when the directory, the lock file or the new file cannot be created
    /// or written (the old file is then still in place), or the document cannot be written as
    /// TOML.
    pub fn replace(&self, doc: &D) -> Result<(), FileError> {
        let path = &self.path;
        let lock = self.lock()?;
        let text = serialize(doc).map_err(|e| FileError::io(path, e))?;
        write_atomically(path, text.as_bytes())?;
        drop(lock);
        Ok(())
    }
}

/// Reads and checks the file: None when there is none.
fn read_file<D: Document>(path: &Path) -> Result<Option<D>, FileError> {
    let bytes = match read_capped(path, D::MAX_BYTES) {
        Ok(bytes) => bytes,
        Err(CappedReadError::Io(e)) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(CappedReadError::Io(e)) => return Err(FileError::io(path, e)),
        Err(CappedReadError::TooLarge { size }) => {
            return Err(FileError::TooLarge {
                what: D::WHAT,
                path: path.to_owned(),
                size,
                limit: D::MAX_BYTES,
            });
        }
    };
    match decode::<D>(bytes, D::MAX_BYTES) {
        Ok(doc) => Ok(Some(doc)),
        Err(Rejected::TooManyTokens { limit }) => Err(FileError::TooManyTokens {
            what: D::WHAT,
            path: path.to_owned(),
            limit,
        }),
        Err(Rejected::Newer(version)) => Err(FileError::NewerVersion {
            what: D::WHAT,
            path: path.to_owned(),
            version,
            supported: D::VERSION,
        }),
        Err(Rejected::Invalid { bytes, detail }) => Err(corrupt::<D>(path, &bytes, detail)),
    }
}

/// Why [`read_capped`] has no bytes to give.
#[derive(Debug)]
pub enum CappedReadError {
    /// The file could not be opened or read (`NotFound` when there is none).
    Io(io::Error),
    /// The file holds more than the cap; `size` is its size when the system knows it (not for
    /// a device, nor for a file that grew while it was read).
    TooLarge {
        /// The file's size in bytes, if known.
        size: Option<u64>,
    },
}

/// All of the file at `path`, if it holds at most `limit` bytes. Memory stays bounded by the
/// limit whatever the file is (huge, sparse, a device that never ends): a regular file's size
/// is checked before anything is read, and no more than `limit + 1` bytes are ever read, in case
/// the size lied or the file grew.
///
/// # Errors
/// [`CappedReadError::TooLarge`] over the limit; [`CappedReadError::Io`] when the file cannot be
/// opened or read.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, CappedReadError> {
    let file = File::open(path).map_err(CappedReadError::Io)?;
    // Only a regular file's length means anything: a device or a pipe says 0.
    let size = file
        .metadata()
        .ok()
        .filter(fs::Metadata::is_file)
        .map(|m| m.len());
    read_capped_from(file, size, limit)
}

/// [`read_capped`] of any reader; `size` is what the system says the file holds, if anything.
pub(crate) fn read_capped_from(
    reader: impl Read,
    size: Option<u64>,
    limit: u64,
) -> Result<Vec<u8>, CappedReadError> {
    if let Some(size) = size.filter(|&size| size > limit) {
        return Err(CappedReadError::TooLarge { size: Some(size) });
    }
    // Room for the whole file and for the one byte more that tells whether it goes on, reserved
    // up front: a growing buffer would double its capacity, to twice the cap.
    let room = size.unwrap_or(0).min(limit).saturating_add(1);
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(usize::try_from(room).unwrap_or(usize::MAX))
        .map_err(|e| CappedReadError::Io(io::Error::new(io::ErrorKind::OutOfMemory, e)))?;
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(CappedReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(CappedReadError::TooLarge { size: None });
    }
    Ok(bytes)
}

/// Why the bytes of a file are not a document ([`read_file`] makes it a [`FileError`]).
enum Rejected {
    /// More tokens than a file within `max_bytes` may hold ([`BYTES_PER_TOKEN`]).
    TooManyTokens {
        /// The most it may hold.
        limit: u64,
    },
    /// The file declares this version, newer than the document's.
    Newer(i64),
    /// Not UTF-8 or not a valid document: the bytes (a copy of them is kept) and what is wrong,
    /// with the line.
    Invalid { bytes: Vec<u8>, detail: String },
}

/// Checks and parses a file's bytes, which [`read_capped`] read with the cap `max_bytes`.
fn decode<D: Document>(bytes: Vec<u8>, max_bytes: u64) -> Result<D, Rejected> {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let (line, column) = line_column(&bytes, at);
            let detail = format!("line {line}, column {column}: not UTF-8 text");
            return Err(Rejected::Invalid { bytes, detail });
        }
    };
    // Before the parser, which would need ~80 bytes per token: ~50 times the file for one of
    // blank lines.
    let limit = max_bytes / BYTES_PER_TOKEN;
    if tokens_up_to(text.as_bytes(), limit) > limit {
        return Err(Rejected::TooManyTokens { limit });
    }
    match parse::<D>(&text) {
        Ok(doc) => Ok(doc),
        Err(ParseError::Newer(version)) => Err(Rejected::Newer(version)),
        Err(ParseError::Invalid(detail)) => Err(Rejected::Invalid {
            bytes: text.into_bytes(),
            detail,
        }),
    }
}

/// How many tokens toml's lexer makes of `text`, counted from above without allocating, and
/// no further than `limit + 1`. It counts one for each byte that is a token of its own or can
/// start one (`.=,[]{}`, a line end, `#`, a quote) and one for each start of a run of spaces or
/// of other bytes. Every token the lexer makes starts at such a byte: its tokens are those
/// bytes, maximal runs of spaces, atoms (runs of other bytes, quotes included), comments from
/// `#` to a line end and strings from a quote to a quote or a line end. Comments and strings
/// count more than once here (a real file has a token every 2 to 4 bytes by this count, every
/// 5 or so by the lexer's), but never less: skipping them would need the lexer's exact rules
/// for multi-line strings and escapes, and a mistake there would let a file of a token per
/// byte through.
fn tokens_up_to(text: &[u8], limit: u64) -> u64 {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Class {
        Own,
        Space,
        Other,
    }
    let mut count = 0u64;
    // As if a token of its own came before: the first byte starts one.
    let mut previous = Class::Own;
    for &byte in text {
        let class = match byte {
            b'.' | b'=' | b',' | b'[' | b']' | b'{' | b'}' | b'\n' | b'\r' | b'#' | b'"'
            | b'\'' => Class::Own,
            b' ' | b'\t' => Class::Space,
            _ => Class::Other,
        };
        if class == Class::Own || class != previous {
            count += 1;
            if count > limit {
                break;
            }
        }
        previous = class;
    }
    count
}

enum ParseError {
    /// The file declares this version, newer than the document's.
    Newer(i64),
    /// Not a valid file: what is wrong, with the line.
    Invalid(String),
}

/// The version, with where it is written, and whether the file holds anything at all; read in
/// one pass that builds nothing else (a `toml::Table` of the whole file would cost several
/// times the file before the document itself is even read).
struct Head {
    version: Option<toml::Spanned<toml::Value>>,
    empty: bool,
}

impl<'de> serde::Deserialize<'de> for Head {
    fn deserialize<De: serde::Deserializer<'de>>(deserializer: De) -> Result<Self, De::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = Head;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a TOML document")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Head, A::Error> {
                let mut head = Head {
                    version: None,
                    empty: true,
                };
                while let Some(key) = map.next_key::<String>()? {
                    head.empty = false;
                    if key == "version" {
                        head.version = Some(map.next_value()?);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(head)
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

/// Reads a file's bytes as [`TomlFile::read`] would, without a file, with the cap `max_bytes`:
/// for the fuzz targets. `size` is what the system would say the file holds.
#[cfg(feature = "fuzzing")]
pub(crate) fn read_bytes<D: Document>(
    bytes: &[u8],
    size: Option<u64>,
    max_bytes: u64,
) -> Result<D, String> {
    let bytes = match read_capped_from(bytes, size, max_bytes) {
        Ok(bytes) => bytes,
        Err(CappedReadError::Io(e)) => return Err(e.to_string()),
        Err(CappedReadError::TooLarge { size }) => return Err(format!("too large: {size:?}")),
    };
    decode::<D>(bytes, max_bytes).map_err(|e| match e {
        Rejected::TooManyTokens { limit } => format!("more than {limit} tokens"),
        Rejected::Newer(v) => format!("newer version {v}"),
        Rejected::Invalid { detail, .. } => detail,
    })
}

/// Parses a file's text. Empty text (or only comments) is the default document.
fn parse<D: Document>(text: &str) -> Result<D, ParseError> {
    // The version first, before the schema: a newer Ferry's file may not fit this one's schema,
    // and must be reported as newer rather than corrupt.
    let head: Head = toml::from_str(text).map_err(|e| describe(text, &e))?;
    if head.empty {
        return Ok(D::default());
    }
    let Some(version) = head.version else {
        return Err(ParseError::Invalid(format!(
            "line 1: the format version is missing (the file should start with `version = {}`)",
            D::VERSION
        )));
    };
    let (line, _) = line_column(text.as_bytes(), version.span().start);
    match version.get_ref() {
        toml::Value::Integer(v) if *v > i64::from(D::VERSION) => {
            return Err(ParseError::Newer(*v));
        }
        toml::Value::Integer(v) if *v >= 1 => {}
        other => {
            return Err(ParseError::Invalid(format!(
                "line {line}: unknown format version {other} (expected {})",
                D::VERSION
            )));
        }
    }
    let doc: D = toml::from_str(text).map_err(|e| describe(text, &e))?;
    doc.check(text).map_err(ParseError::Invalid)?;
    Ok(doc)
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
#[must_use]
pub fn line_column(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = bytes.get(..at).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// The 1-based line of the `index`-th (0-based) `[[name]]` table header in `text`, for
/// [`Document::check`] messages about the entries of an array of tables. None when the
/// entries are not written as `[[name]]` headers (e.g. as an inline array).
#[must_use]
pub fn table_line(text: &str, name: &str, index: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let line = line.trim_start();
            line.strip_prefix("[[")
                .and_then(|rest| rest.split_once("]]"))
                .is_some_and(|(header, _)| header.trim() == name)
        })
        .nth(index)
        .map(|(i, _)| i + 1)
}

/// Keeps a copy of a corrupt file's `bytes` beside it and builds the error. If even the copy
/// cannot be made, the error is a [`FileError::Io`] that still says what was wrong.
fn corrupt<D: Document>(path: &Path, bytes: &[u8], detail: String) -> FileError {
    match keep_copy(path, bytes) {
        Ok(kept) => FileError::Corrupt {
            what: D::WHAT,
            path: path.to_owned(),
            kept,
            detail,
            advice: D::IF_CORRUPT,
        },
        Err((kept, e)) => FileError::Io {
            path: kept,
            source: io::Error::new(
                e.kind(),
                format!(
                    "{e} (while keeping a copy of {}, which is not a valid {what}: {detail}; \
                     the file was left as it is)",
                    path.display(),
                    what = D::WHAT.strip_prefix("the ").unwrap_or(D::WHAT),
                ),
            ),
        },
    }
}

/// Writes `bytes` to `<file name>.<unix seconds>.bak` beside `path` without replacing any
/// existing file. A copy already holding the same bytes is reused, so reading the same corrupt
/// file again (each time Ferry starts) does not pile up copies. Returns the copy's path.
fn keep_copy(path: &Path, bytes: &[u8]) -> Result<PathBuf, (PathBuf, io::Error)> {
    if let Some(kept) = existing_copy(path, bytes) {
        return Ok(kept);
    }
    let now = unix_now();
    let mut candidate = sibling(path, &format!(".{now}.bak"));
    for n in 1..=100 {
        match private_options()
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
                // Another process (or an earlier read this second) kept the same file already.
                if holds(&candidate, bytes) {
                    return Ok(candidate);
                }
                candidate = sibling(path, &format!(".{now}-{n}.bak"));
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

/// Whether `name` is a copy [`keep_copy`] makes of the file named `file`:
/// `<file>.<digits>[-<digits>].bak`.
fn is_copy_name(file: &str, name: &str) -> bool {
    name.strip_prefix(file)
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.strip_suffix(".bak"))
        .is_some_and(|stamp| {
            let (secs, n) = stamp.split_once('-').unwrap_or((stamp, "0"));
            [secs, n]
                .iter()
                .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// A copy of `path` ([`is_copy_name`]) beside it that holds exactly `bytes`, if any.
fn existing_copy(path: &Path, bytes: &[u8]) -> Option<PathBuf> {
    let file = path.file_name()?.to_str()?;
    let dir = parent_dir(path).unwrap_or(Path::new("."));
    fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|name| is_copy_name(file, name))
        })
        .filter(|entry| {
            entry
                .metadata()
                .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        })
        .map(|entry| entry.path())
        .find(|candidate| holds(candidate, bytes))
        .map(|candidate| path.with_file_name(candidate.file_name().unwrap_or_default()))
}

/// Whether the file at `path` holds exactly `bytes`, read no further than that: a stranger's
/// file with a copy's name may be of any size.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    read_capped(path, bytes.len() as u64).is_ok_and(|existing| existing == bytes)
}

/// A size for people: "300.0 MiB (314572800 bytes)".
struct Bytes(u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MIB: u64 = 1024 * 1024;
        let Bytes(n) = *self;
        if n >= MIB {
            // Shown to one decimal; f64 is exact enough for any file size.
            #[allow(clippy::cast_precision_loss)]
            let mib = n as f64 / MIB as f64;
            write!(f, "{mib:.1} MiB ({n} bytes)")
        } else {
            write!(f, "{n} bytes")
        }
    }
}

/// The file's text: the header comment, `version = N`, then the document.
fn serialize<D: Document>(doc: &D) -> io::Result<String> {
    let body = toml::to_string(doc).map_err(io::Error::other)?;
    let gap = if body.starts_with('[') { "\n" } else { "" };
    Ok(format!(
        "{header}version = {version}\n{gap}{body}",
        header = D::HEADER,
        version = D::VERSION
    ))
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
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    /// Tells apart the temporary files of threads of this process.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let target = follow_links(path);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp_path = sibling(&target, &format!(".tmp-{}-{n}", std::process::id()));
    let mut tmp = TempFile {
        path: &tmp_path,
        armed: true,
    };
    let mut file = private_options()
        .write(true)
        .create_new(true)
        .open(&tmp_path)
        .map_err(|e| FileError::io(&tmp_path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| FileError::io(&tmp_path, e))?;
    #[cfg(unix)]
    if let Ok(meta) = fs::metadata(&target) {
        // Keep the owner's permissions the user gave the file (read-only, say), but never
        // group or other access: a file from an older Ferry (0644) becomes 0600.
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o700;
        fs::set_permissions(&tmp_path, fs::Permissions::from_mode(mode))
            .map_err(|e| FileError::io(&tmp_path, e))?;
    }
    drop(file);
    fs::rename(&tmp_path, &target).map_err(|e| FileError::io(&target, e))?;
    tmp.armed = false;
    sync_dir(&target);
    Ok(())
}

/// Options that create a file readable and writable by its owner only (0600 on Unix).
fn private_options() -> OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut options = OpenOptions::new();
        options.mode(0o600);
        options
    }
    // The folder's ACL (under the user's profile) keeps it private on Windows.
    #[cfg(not(unix))]
    {
        OpenOptions::new()
    }
}

/// Creates `dir` and its missing parents; on Unix the ones it creates are 0700.
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
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
        .map_or_else(|| OsString::from("ferry.toml"), OsString::from);
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
    use std::collections::HashSet;

    use super::*;

    /// A small document for the tests: notes with unique titles.
    #[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Notes {
        #[serde(default, rename = "note", skip_serializing_if = "Vec::is_empty")]
        notes: Vec<Note>,
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Note {
        title: String,
        size: u32,
    }

    impl Document for Notes {
        const WHAT: &'static str = "the notes file";
        const HEADER: &'static str = "# Notes for the tests.\n# Second line.\n";
        const VERSION: u32 = 1;
        const IF_CORRUPT: &'static str = "Fix the file or delete it";

        fn check(&self, text: &str) -> Result<(), String> {
            let mut seen = HashSet::new();
            for (i, note) in self.notes.iter().enumerate() {
                if !seen.insert(&note.title) {
                    let line = table_line(text, "note", i).unwrap_or(0);
                    return Err(format!("line {line}: a second note {:?}", note.title));
                }
            }
            Ok(())
        }
    }

    fn note(title: &str) -> Note {
        Note {
            title: title.to_owned(),
            size: 7,
        }
    }

    fn file_in(dir: &tempfile::TempDir) -> TomlFile<Notes> {
        TomlFile::new(dir.path().join("notes.toml"))
    }

    fn add(file: &TomlFile<Notes>, title: &str) -> Notes {
        file.update(|doc: &mut Notes| doc.notes.push(note(title)))
            .unwrap()
            .0
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
    fn round_trip_and_layout() {
        let dir = tempfile::tempdir().unwrap();
        let file = file_in(&dir);
        assert_eq!(file.path(), dir.path().join("notes.toml"));
        add(&file, "a");
        let (doc, n) = file
            .update(|doc: &mut Notes| {
                doc.notes.push(note("b"));
                doc.notes.len()
            })
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(doc.notes, [note("a"), note("b")]);
        assert_eq!(file.read().unwrap(), doc);
        assert_eq!(
            fs::read_to_string(file.path()).unwrap(),
            "# Notes for the tests.\n# Second line.\nversion = 1\n\n\
             [[note]]\ntitle = \"a\"\nsize = 7\n\n[[note]]\ntitle = \"b\"\nsize = 7\n"
        );
        // An empty document is just the header and the version.
        file.update(|doc: &mut Notes| doc.notes.clear()).unwrap();
        assert_eq!(
            fs::read_to_string(file.path()).unwrap(),
            "# Notes for the tests.\n# Second line.\nversion = 1\n"
        );
        assert_eq!(file.read().unwrap(), Notes::default());
    }

    #[test]
    fn missing_file_is_default_and_missing_directory_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("b").join("notes.toml");
        let file = TomlFile::<Notes>::new(&path);
        assert_eq!(file.read().unwrap(), Notes::default());
        assert!(!path.exists(), "read must not create the file");
        file.update(|_| ()).unwrap();
        assert!(
            !path.exists(),
            "a change that leaves nothing must not create the file"
        );
        add(&file, "a");
        assert!(path.is_file());
        assert_eq!(file.read().unwrap().notes, [note("a")]);
    }

    #[test]
    fn empty_or_comment_only_file_is_default() {
        let dir = tempfile::tempdir().unwrap();
        let file = file_in(&dir);
        fs::write(file.path(), "").unwrap();
        assert_eq!(file.read().unwrap(), Notes::default());
        fs::write(file.path(), "# nothing yet\n\n").unwrap();
        assert_eq!(file.read().unwrap(), Notes::default());
        assert_eq!(listing(dir.path()), ["notes.toml"]);
    }

    #[test]
    fn change_that_changes_nothing_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = file_in(&dir);
        let hand_written = "# my own comment\nversion = 1\n[[note]]\n  title = 'a'   # first\n  \
                            size = 7\n";
        fs::write(file.path(), hand_written).unwrap();
        let (doc, ()) = file.update(|_| ()).unwrap();
        assert_eq!(doc.notes, [note("a")]);
        // Changed and changed back is no change either.
        file.update(|doc: &mut Notes| {
            doc.notes.push(note("b"));
            doc.notes.pop();
        })
        .unwrap();
        assert_eq!(fs::read_to_string(file.path()).unwrap(), hand_written);
        // A real change rewrites it in Ferry's layout.
        add(&file, "b");
        let text = fs::read_to_string(file.path()).unwrap();
        assert!(text.starts_with(Notes::HEADER), "{text}");
        assert!(!text.contains("my own comment"), "{text}");
    }

    #[test]
    fn unknown_keys_are_ignored_and_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = file_in(&dir);
        fs::write(
            file.path(),
            "version = 1\nsomething_new = [1, 2]\n\n[[note]]\ntitle = \"a\"\nsize = 7\n\
             colour = \"red\"\n",
        )
        .unwrap();
        assert_eq!(file.read().unwrap().notes, [note("a")]);
        add(&file, "b");
        let text = fs::read_to_string(file.path()).unwrap();
        assert!(!text.contains("something_new"), "{text}");
        assert!(!text.contains("colour"), "{text}");
        assert_eq!(file.read().unwrap().notes, [note("a"), note("b")]);
    }

    #[test]
    fn older_supported_versions_are_read() {
        #[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
        struct V3 {
            #[serde(default)]
            x: u32,
        }
        impl Document for V3 {
            const WHAT: &'static str = "the v3 file";
            const HEADER: &'static str = "";
            const VERSION: u32 = 3;
            const IF_CORRUPT: &'static str = "Fix it";
        }
        let dir = tempfile::tempdir().unwrap();
        let file = TomlFile::<V3>::new(dir.path().join("v3.toml"));
        fs::write(file.path(), "version = 2\nx = 5\n").unwrap();
        assert_eq!(file.read().unwrap().x, 5);
        file.update(|doc: &mut V3| doc.x = 6).unwrap();
        assert_eq!(
            fs::read_to_string(file.path()).unwrap(),
            "version = 3\nx = 6\n"
        );
    }

    /// Checks that `contents` is reported corrupt at `line`, kept aside as promised, and never
    /// written over.
    fn assert_corrupt(contents: &[u8], line: usize) {
        let dir = tempfile::tempdir().unwrap();
        let file = file_in(&dir);
        let path = file.path().to_owned();
        fs::write(&path, contents).unwrap();
        let err = match file.read() {
            Err(err) => err,
            Ok(doc) => panic!("{:?} read as {doc:?}", String::from_utf8_lossy(contents)),
        };
        let message = err.to_string();
        let FileError::Corrupt {
            what,
            path: p,
            kept,
            detail,
            advice,
        } = err
        else {
            panic!("not Corrupt: {message}");
        };
        assert_eq!((what, advice), (Notes::WHAT, Notes::IF_CORRUPT));
        assert_eq!(p, path);
        assert!(
            message.starts_with(&format!("the notes file {} is not valid", path.display())),
            "{message}"
        );
        assert!(message.contains(&format!("line {line}")), "{message}");
        assert!(detail.contains(&format!("line {line}")), "{detail}");
        assert!(message.contains(&kept.display().to_string()), "{message}");
        assert!(message.ends_with("Fix the file or delete it"), "{message}");
        // Original untouched, copy identical and named as promised.
        assert_eq!(fs::read(&path).unwrap(), contents);
        assert_eq!(fs::read(&kept).unwrap(), contents);
        let kept_name = kept.file_name().unwrap().to_string_lossy().into_owned();
        assert!(is_copy_name("notes.toml", &kept_name), "{kept_name}");
        assert_eq!(kept.parent(), Some(dir.path()));

        // A change is refused and writes nothing over the file.
        let called = std::cell::Cell::new(false);
        let result = file.update(|doc: &mut Notes| {
            called.set(true);
            doc.notes.push(note("new"));
        });
        let Err(FileError::Corrupt {
            kept: kept_again, ..
        }) = result
        else {
            panic!("update over a corrupt file: {result:?}");
        };
        assert!(!called.get());
        assert_eq!(fs::read(&path).unwrap(), contents);
        // Reading the same corrupt file again reuses the copy rather than piling up copies.
        assert_eq!(kept_again, kept);
        assert!(file.read().is_err());
        assert_eq!(
            listing(dir.path()),
            ["notes.toml", kept_name.as_str(), "notes.toml.lock"]
        );
    }

    #[test]
    fn garbage_is_corrupt() {
        assert_corrupt(b"version = 1\n\nthis is not toml at all {{{\n", 3);
    }

    #[test]
    fn wrong_type_is_corrupt() {
        assert_corrupt(
            b"version = 1\n\n[[note]]\ntitle = \"a\"\nsize = \"big\"\n",
            5,
        );
        assert_corrupt(b"version = 1\nnote = 3\n", 2);
    }

    #[test]
    fn missing_field_and_bad_utf8_are_corrupt() {
        assert_corrupt(b"version = 1\n\n[[note]]\ntitle = \"a\"\n", 3);
        assert_corrupt(b"version = 1\n# caf\xe9\n", 2);
    }

    #[test]
    fn missing_or_bad_version_is_corrupt() {
        assert_corrupt(b"[[note]]\ntitle = \"a\"\nsize = 1\n", 1);
        assert_corrupt(b"# comment\nversion = 0\n", 2);
        assert_corrupt(b"\nversion = \"1\"\n", 2);
        assert_corrupt(b"version = 1.0\n", 1);
    }

    #[test]
    fn failed_check_is_corrupt() {
        assert_corrupt(
            b"version = 1\n[[note]]\ntitle = \"a\"\nsize = 1\n\n[[note]]\ntitle = \"a\"\nsize = 2\n",
            6,
        );
    }

    #[test]
    fn a_second_corrupt_version_gets_its_own_copy() {
        let dir = tempfile::tempdir().unwrap();
        let file = file_in(&dir);
        fs::write(file.path(), "garbage one").unwrap();
        let Err(FileError::Corrupt { kept: first, .. }) = file.read() else {
            panic!("not corrupt");
        };
        fs::write(file.path(), "garbage two").unwrap();
        let Err(FileError::Corrupt { kept: second, .. }) = file.read() else {
            panic!("not corrupt");
        };
        assert_ne!(first, second);
        assert_eq!(fs::read(&first).unwrap(), b"garbage one");
        assert_eq!(fs::read(&second).unwrap(), b"garbage two");
    }

    #[test]
    fn newer_version_is_refused_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let file = file_in(&dir);
        // A future schema that this one could not even parse.
        let contents = b"version = 2\n\n[[note]]\ntitle = 42\nfancy = true\n";
        fs::write(file.path(), contents).unwrap();
        let err = file.read().unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(
                err,
                FileError::NewerVersion {
                    version: 2,
                    supported: 1,
                    ..
                }
            ),
            "{message}"
        );
        assert!(
            message.starts_with(&format!("the notes file {}", file.path().display())),
            "{message}"
        );
        assert!(message.contains("newer version of Ferry"), "{message}");
        assert!(message.contains("Update Ferry"), "{message}");

        let called = std::cell::Cell::new(false);
        let err = file.update(|_| called.set(true)).unwrap_err();
        assert!(matches!(err, FileError::NewerVersion { .. }), "{err}");
        assert!(!called.get());
        assert_eq!(fs::read(file.path()).unwrap(), contents);
        // Not copied aside.
        assert_eq!(listing(dir.path()), ["notes.toml", "notes.toml.lock"]);
    }

    #[test]
    fn saves_leave_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = file_in(&dir);
        for i in 0..5 {
            add(&file, &format!("n{i}"));
        }
        file.update(|doc: &mut Notes| doc.notes.remove(0)).unwrap();
        assert_eq!(listing(dir.path()), ["notes.toml", "notes.toml.lock"]);
    }

    #[test]
    fn io_error_names_the_path_and_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        // The "file" is a directory: it cannot be read.
        let file = TomlFile::<Notes>::new(dir.path());
        let err = file.read().unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, FileError::Io { .. }), "{message}");
        assert!(
            message.contains(&dir.path().display().to_string()),
            "{message}"
        );
        assert!(message.contains("Check that"), "{message}");
        assert!(
            FileError::NoConfigDir
                .to_string()
                .contains("FERRY_CONFIG_DIR")
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_file_is_replaced_through_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        let file = file_in(&dir);
        std::os::unix::fs::symlink(&real, file.path()).unwrap();
        // Dangling at first: the first save creates the target.
        add(&file, "a");
        add(&file, "b");
        assert!(
            fs::symlink_metadata(file.path())
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let real = TomlFile::<Notes>::new(real);
        assert_eq!(real.read().unwrap().notes, [note("a"), note("b")]);
    }

    #[cfg(unix)]
    #[test]
    #[cfg(unix)]
    fn files_are_private_and_new_folders_too() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let file = TomlFile::<Notes>::new(dir.path().join("new/deeper/notes.toml"));
        add(&file, "a");
        assert_eq!(mode(file.path()), 0o600, "a new file");
        assert_eq!(mode(&dir.path().join("new")), 0o700, "a folder Ferry made");
        assert_eq!(mode(&dir.path().join("new/deeper")), 0o700);
        assert_eq!(mode(&sibling(file.path(), ".lock")), 0o600, "its lock file");
        // A file an older Ferry wrote 0644 loses group and other access on the next change...
        fs::set_permissions(file.path(), fs::Permissions::from_mode(0o644)).unwrap();
        add(&file, "b");
        assert_eq!(mode(file.path()), 0o600);
        // ... but keeps what its owner chose for himself.
        fs::set_permissions(file.path(), fs::Permissions::from_mode(0o400)).unwrap();
        add(&file, "c");
        assert_eq!(mode(file.path()), 0o400);
        // The copy of a corrupt file is private too.
        fs::set_permissions(file.path(), fs::Permissions::from_mode(0o600)).unwrap();
        fs::write(file.path(), "not [ toml").unwrap();
        let Err(FileError::Corrupt { kept, .. }) = file.read() else {
            panic!("corrupt file read")
        };
        assert_eq!(mode(&kept), 0o600);
    }

    #[test]
    fn concurrent_updates_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.toml");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let file = TomlFile::<Notes>::new(&path);
                std::thread::spawn(move || {
                    for i in 0..20 {
                        add(&file, &format!("t{t}-n{i}"));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let doc = TomlFile::<Notes>::new(&path).read().unwrap();
        let titles: HashSet<String> = doc.notes.into_iter().map(|n| n.title).collect();
        assert_eq!(titles.len(), 160);
        for t in 0..8 {
            for i in 0..20 {
                assert!(titles.contains(&format!("t{t}-n{i}")));
            }
        }
        assert_eq!(listing(dir.path()), ["notes.toml", "notes.toml.lock"]);
    }

    #[test]
    fn copy_names() {
        assert!(is_copy_name("a.toml", "a.toml.1750000000.bak"));
        assert!(is_copy_name("a.toml", "a.toml.1750000000-3.bak"));
        assert!(!is_copy_name("a.toml", "a.toml.lock"));
        assert!(!is_copy_name("a.toml", "a.toml..bak"));
        assert!(!is_copy_name("a.toml", "a.toml.17x.bak"));
        assert!(!is_copy_name("a.toml", "b.toml.1750000000.bak"));
        assert!(!is_copy_name("a.toml", "a.toml.1750000000-.bak"));
    }

    #[test]
    fn table_lines() {
        let text = "version = 1\n[[site]]\nname = 'a'\n  [[ site ]]\n[[sites]]\n[[site]] # c\n";
        assert_eq!(table_line(text, "site", 0), Some(2));
        assert_eq!(table_line(text, "site", 1), Some(4));
        assert_eq!(table_line(text, "site", 2), Some(6));
        assert_eq!(table_line(text, "site", 3), None);
        assert_eq!(line_column(b"ab\ncd", 4), (2, 2));
    }

    /// [`Notes`] with a cap of 64 KiB (16 Ki tokens), for files over the cap that stay small.
    #[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct SmallNotes {
        #[serde(default, rename = "note", skip_serializing_if = "Vec::is_empty")]
        notes: Vec<Note>,
    }

    impl Document for SmallNotes {
        const WHAT: &'static str = "the small notes file";
        const HEADER: &'static str = "# Notes for the tests.\n";
        const VERSION: u32 = 1;
        const IF_CORRUPT: &'static str = "Fix the file or delete it";
        const MAX_BYTES: u64 = 64 * 1024;
    }

    /// Checks that the file is refused as too large (by `message`), left byte for byte as it
    /// was (`fingerprint`: its length and first bytes), not copied aside, and not written over
    /// by a change.
    fn assert_refused_untouched(file: &TomlFile<SmallNotes>, err: &FileError, what: &str) {
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "the small notes file {} is too large to be one",
                file.path().display()
            )),
            "{message}"
        );
        assert!(message.contains(what), "{message}");
        assert!(message.contains("left as it is"), "{message}");
        let before = fs::read(file.path()).unwrap();
        let called = std::cell::Cell::new(false);
        let again = file.update(|_| called.set(true)).unwrap_err();
        assert_eq!(again.to_string(), message);
        assert!(!called.get());
        assert_eq!(fs::read(file.path()).unwrap(), before);
        let dir = file.path().parent().unwrap();
        assert_eq!(listing(dir), ["notes.toml", "notes.toml.lock"]);
    }

    #[test]
    fn a_file_over_its_cap_is_refused_unread_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = TomlFile::<SmallNotes>::new(dir.path().join("notes.toml"));
        // A sparse file far over the cap: refused by its size, before anything is read.
        File::create(file.path())
            .unwrap()
            .set_len(300 * 1024 * 1024)
            .unwrap();
        let err = file.read().unwrap_err();
        assert!(
            matches!(
                err,
                FileError::TooLarge {
                    size: Some(314_572_800),
                    limit: 65_536,
                    ..
                }
            ),
            "{err}"
        );
        assert_refused_untouched(
            &file,
            &err,
            "300.0 MiB (314572800 bytes), and Ferry reads at most 65536 bytes",
        );
        // One byte over is over; the cap itself is not (that file is then only invalid).
        fs::write(file.path(), vec![b' '; 65_537]).unwrap();
        assert!(matches!(file.read(), Err(FileError::TooLarge { .. })));
        fs::write(file.path(), vec![b' '; 65_536]).unwrap();
        assert_eq!(file.read().unwrap(), SmallNotes::default());
    }

    #[test]
    fn a_file_of_blank_lines_within_its_cap_is_refused_before_parsing() {
        let dir = tempfile::tempdir().unwrap();
        let file = TomlFile::<SmallNotes>::new(dir.path().join("notes.toml"));
        // Valid TOML, and within the byte cap, but a token per byte: 16 Ki of them at most.
        fs::write(file.path(), vec![b'\n'; 16 * 1024 + 1]).unwrap();
        let err = file.read().unwrap_err();
        assert!(
            matches!(err, FileError::TooManyTokens { limit: 16_384, .. }),
            "{err}"
        );
        assert_refused_untouched(&file, &err, "more than 16384 lines, keys and values");
        fs::write(file.path(), vec![b'\n'; 16 * 1024]).unwrap();
        assert_eq!(file.read().unwrap(), SmallNotes::default());
        // A real file of half that size is read (see BYTES_PER_TOKEN).
        let mut text = String::from("version = 1\n");
        for i in 0.. {
            let note = format!(
                "\n[[note]]\ntitle = \"/home/alice/Documents/reports/2025/report-{i}.pdf\"\nsize = {i}\n"
            );
            if text.len() + note.len() > 32 * 1024 {
                break;
            }
            text.push_str(&note);
        }
        fs::write(file.path(), &text).unwrap();
        assert!(file.read().unwrap().notes.len() > 400);
    }

    #[cfg(unix)]
    #[test]
    fn a_device_that_never_ends_is_read_no_further_than_the_cap() {
        let err = read_capped(Path::new("/dev/zero"), 1024 * 1024).unwrap_err();
        assert!(
            matches!(err, CappedReadError::TooLarge { size: None }),
            "{err:?}"
        );
        let file = TomlFile::<SmallNotes>::new("/dev/zero");
        let message = file.read().unwrap_err().to_string();
        assert!(
            message.contains("too large to be one: more than 65536 bytes"),
            "{message}"
        );
    }

    #[test]
    fn reading_within_the_cap_reserves_no_more_than_the_file() {
        let bytes = vec![b'x'; 10_000];
        let read = read_capped_from(&bytes[..], Some(10_000), 1 << 30).unwrap();
        assert_eq!(read, bytes);
        assert!(read.capacity() <= 10_001, "{}", read.capacity());
        // Told nothing, it stops one byte past the cap.
        let err = read_capped_from(io::repeat(0), None, 1000).unwrap_err();
        assert!(matches!(err, CappedReadError::TooLarge { size: None }));
        assert_eq!(
            read_capped_from(&bytes[..], None, 10_000).unwrap().len(),
            10_000
        );
    }

    /// The tokens [`tokens_up_to`] counts in `text`.
    fn tokens(text: &str) -> u64 {
        tokens_up_to(text.as_bytes(), u64::MAX)
    }

    #[test]
    fn tokens_are_counted_from_above() {
        // Exactly as toml's lexer makes them.
        assert_eq!(tokens(""), 0);
        assert_eq!(tokens("a = 1\n"), 6);
        assert_eq!(tokens("[[pin]]\n"), 6);
        assert_eq!(tokens("\n\n\n"), 3);
        assert_eq!(tokens("  \t "), 1);
        assert_eq!(tokens("x = [1,2]"), 9);
        // Never fewer: each of these is fewer tokens to the lexer than here (one comment, one
        // string, a string then an atom, one line end).
        assert_eq!(tokens("# a b"), 5);
        assert_eq!(tokens("\"a b\""), 5);
        assert_eq!(tokens("'a'b"), 4);
        assert_eq!(tokens("\r\n"), 2);
    }

    /// A queue of `n` items as the engine would save it: long paths, each item failed with an
    /// error naming it, read and written back through its document.
    fn real_queue(n: usize) -> String {
        let mut text = String::from(
            "version = 1\n\n[[job]]\nid = 1\nlabel = \"Download /srv/www/project to /home/alice/Downloads/project\"\non_exists = \"overwrite-if-newer\"\n",
        );
        for i in 0..n {
            let dir = format!(
                "photos-{}/album-{}/day-{}/camera-{}",
                i % 97,
                i % 89,
                i % 31,
                i % 7
            );
            let name = format!("IMG_{i:06}.jpeg");
            text.push_str(&format!(
                "\n[[item]]\nid = {id}\njob = 1\ndirection = \"download\"\n\
                 local = \"/home/alice/Downloads/project/{dir}/{name}\"\n\
                 remote = \"/srv/www/project/{dir}/{name}\"\nsize = {size}\n\
                 modified = {modified}\nmodified_exact = true\nstate = \"failed\"\n\
                 bytes_done = {done}\nattempts = 3\n\
                 last_error = \"550 /srv/www/project/{dir}/{name}: Permission denied\"\n\
                 error_class = \"refused\"\npriority = 0\n",
                id = i + 1,
                size = 1_000_000_000 + i * 7919,
                modified = 1_700_000_000 + i,
                done = i * 4096,
            ));
        }
        let doc = match decode::<crate::transfer::engine::QueueFile>(text.into_bytes(), u64::MAX) {
            Ok(doc) => doc,
            Err(Rejected::Invalid { detail, .. }) => panic!("not a valid queue file: {detail}"),
            Err(_) => panic!("not a valid queue file"),
        };
        serialize(&doc).unwrap()
    }

    /// How many bytes per token `text` has, as [`tokens_up_to`] counts them.
    fn bytes_per_token(text: &str) -> f64 {
        text.len() as f64 / tokens(text) as f64
    }

    #[test]
    fn a_big_real_queue_fits_its_caps() {
        // 10 000 items here (100 000 would take a minute in a debug build); the file grows
        // linearly with the items.
        let text = real_queue(10_000);
        let per_item = text.len() as u64 / 10_000;
        let hundred_thousand = per_item * 100_000;
        assert!(
            hundred_thousand < DEFAULT_MAX_BYTES / 2,
            "100 000 items are {} bytes",
            hundred_thousand
        );
        assert!(
            (400..=600).contains(&per_item),
            "the doc of DEFAULT_MAX_BYTES says ~470 bytes per item, now {per_item}"
        );
        assert!(
            bytes_per_token(&text) > BYTES_PER_TOKEN as f64,
            "{} bytes per token",
            bytes_per_token(&text)
        );
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(Bytes(1000).to_string(), "1000 bytes");
        assert_eq!(
            Bytes(314_572_800).to_string(),
            "300.0 MiB (314572800 bytes)"
        );
        assert_eq!(
            Bytes(4 * 1024 * 1024 + 1).to_string(),
            "4.0 MiB (4194305 bytes)"
        );
    }
}
