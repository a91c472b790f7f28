//! Recursive walks for folder transfers and synchronisation: the remote tree through MLSD/LIST
//! on one session, the local tree through the file system.
//!
//! What a walk promises, because a synchronisation deletes on the strength of it:
//! - A folder that cannot be listed is a *failed* folder ([`RemoteTree::failed`]), never an
//!   empty one: nothing under it is known, so nothing under it may be deleted. The walk goes on
//!   with the rest unless the session itself is lost. An empty listing is believed only once
//!   the folder is shown to exist and to be open to us (see [`RemoteWalker::confirm_empty`]).
//! - It is bounded ([`WalkLimits`]): folders, entries, depth and the bytes the tree holds, and
//!   a server that lists the same contents level after level is taken for a loop. A walk that
//!   reaches a cap ends with [`WalkError::TooBig`] rather than with the machine's memory.
//! - A listed name that is not one path component (`../x`, `a/b`, NUL) is skipped with why,
//!   never joined into a path; a name listed twice in one folder is kept once.
//! - Symbolic links are listed but not followed unless asked. Followed, a link to a folder is
//!   walked unless it leads back to a folder above it (by its real path: PWD after CWD); a
//!   link to a file takes its target's size (SIZE), not the length of the link. Folders reached
//!   through a link are named in `linked_dirs`: deleting one deletes the link, never what is
//!   in it.
//! - The tree keeps only what planning needs: each relative path once, size, time and how
//!   precise it is, and whether it is a link; owners, permissions and the listing's copy of the
//!   name are dropped as each folder is read.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::mem::size_of;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::find::StopFlag;
use crate::ftp::text::escape;
use crate::ftp::{Entry, EntryKind, FtpError, Session, path as remote_path};

/// Most folders one walk lists: ten times a big real site (about 100 000 folders).
pub const MAX_FOLDERS: usize = 1_000_000;
/// Most files (and other entries) one walk keeps: twice a big real site (a million files).
pub const MAX_ENTRIES: usize = 2_000_000;
/// Deepest folder level a walk descends to. Real trees stay far above it; a link loop or a
/// server whose every folder has subfolders does not.
pub const MAX_DEPTH: usize = 64;
/// Most bytes the walked tree may hold (paths and the facts kept per entry, see
/// [`RemoteTree::bytes`]): about two million files with paths of 100 bytes. Planning and
/// queueing a download need five to six times the tree's bytes at their peak (measured against
/// vsftpd: 600 000 files with 92-byte paths, a 98 MB tree, peaked at 540 MB in `get -r`), so a
/// walk stopped here stays near 1.5 GB instead of taking the machine down.
pub const MAX_TREE_BYTES: usize = 256 * 1024 * 1024;
/// Folders in a row whose listings are identical to their parent's before the walk takes it
/// for a loop (`loop -> .`, or a server that lists `a/`, `b/` in every folder). A real chain
/// such as `x/x/x` with the same contents, times and sizes this many times is unheard of.
pub const MAX_REPEATED_LISTINGS: usize = 8;

/// The caps of one walk (see the constants for the defaults and why). Tests use small ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkLimits {
    /// Most folders listed.
    pub max_folders: usize,
    /// Most files, links and skipped entries kept.
    pub max_entries: usize,
    /// Deepest folder level (the root is level 0).
    pub max_depth: usize,
    /// Most bytes the tree holds.
    pub max_bytes: usize,
    /// Most folders in a row listing exactly what their parent lists.
    pub max_repeated_listings: usize,
}

impl WalkLimits {
    /// The cap a tree of `entries` files and skipped entries, holding `bytes`, is past.
    fn exceeded(&self, entries: usize, bytes: usize) -> Option<WalkLimit> {
        if entries > self.max_entries {
            Some(WalkLimit::Entries(self.max_entries))
        } else if bytes > self.max_bytes {
            Some(WalkLimit::Memory(self.max_bytes))
        } else {
            None
        }
    }
}

impl Default for WalkLimits {
    fn default() -> WalkLimits {
        WalkLimits {
            max_folders: MAX_FOLDERS,
            max_entries: MAX_ENTRIES,
            max_depth: MAX_DEPTH,
            max_bytes: MAX_TREE_BYTES,
            max_repeated_listings: MAX_REPEATED_LISTINGS,
        }
    }
}

/// Which cap a walk reached, with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkLimit {
    /// More folders than [`WalkLimits::max_folders`].
    Folders(usize),
    /// More entries than [`WalkLimits::max_entries`].
    Entries(usize),
    /// Deeper than [`WalkLimits::max_depth`].
    Depth(usize),
    /// More bytes than [`WalkLimits::max_bytes`].
    Memory(usize),
    /// More identical listings in a row than [`WalkLimits::max_repeated_listings`].
    RepeatedListing(usize),
}

impl std::fmt::Display for WalkLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WalkLimit::Folders(n) => write!(f, "more than {n} folders"),
            WalkLimit::Entries(n) => write!(f, "more than {n} files and other entries"),
            WalkLimit::Depth(n) => write!(f, "folders nested more than {n} levels deep"),
            WalkLimit::Memory(n) => write!(
                f,
                "more than {} MiB of memory for its list of files",
                n / (1024 * 1024)
            ),
            WalkLimit::RepeatedListing(n) => write!(
                f,
                "{n} folders in a row, each listing exactly what the folder above it lists (a loop)"
            ),
        }
    }
}

/// Why a walk ended without a tree.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// The session failed, the root could not be listed, or the walk was stopped.
    #[error(transparent)]
    Ftp(#[from] FtpError),
    /// The tree reached one of the walk's caps.
    #[error(
        "the folder tree is too big to transfer at once: {limit} (at {at}). Ferry stopped listing it before it used up the memory; a server whose folders never end (a link loop, or a broken or hostile server) looks like this. Transfer a smaller folder."
    )]
    TooBig {
        /// The cap.
        limit: WalkLimit,
        /// The folder being listed when it was reached (relative, escaped for display).
        at: String,
    },
}

impl From<WalkError> for FtpError {
    /// For front ends that only show the error: a cap reached is Ferry refusing to go on,
    /// not the server's doing and not worth a retry.
    fn from(e: WalkError) -> FtpError {
        match e {
            WalkError::Ftp(e) => e,
            too_big @ WalkError::TooBig { .. } => FtpError::InvalidInput(too_big.to_string()),
        }
    }
}

/// How far a walk got, for progress shown while planning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalkProgress {
    /// Folders listed.
    pub folders: usize,
    /// Files found.
    pub files: usize,
}

/// How much a remote file's time says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimePrecision {
    /// UTC to the second (MLSD, MLST, MDTM; local files).
    Exact,
    /// A LIST time in the server's zone, to the minute.
    Listed,
    /// A LIST time with the day only (older files in `ls -l`): the file changed some time
    /// during that day, in the server's zone.
    DayOnly,
}

impl TimePrecision {
    /// The precision of a listing entry's time.
    pub fn of(exact: bool, day_only: bool) -> TimePrecision {
        match (exact, day_only) {
            (true, _) => TimePrecision::Exact,
            (false, true) => TimePrecision::DayOnly,
            (false, false) => TimePrecision::Listed,
        }
    }
}

/// A remote file as the walk keeps it: what planning and comparing need, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteFile {
    /// Size in bytes, when known.
    pub size: Option<u64>,
    /// Modification time in Unix seconds as listed: UTC when `precision` is exact, the
    /// server's zone otherwise.
    pub modified: Option<i64>,
    /// How precise `modified` is.
    pub precision: TimePrecision,
    /// A symbolic link followed to a file: deleting it deletes the link.
    pub link: bool,
}

impl RemoteFile {
    /// The facts of a listed file.
    fn listed(entry: &Entry) -> RemoteFile {
        RemoteFile {
            size: entry.size,
            modified: entry.modified.map(|t| t.unix_seconds()),
            precision: TimePrecision::of(entry.modified_exact, entry.modified_day_only),
            link: false,
        }
    }
}

/// A remote folder that could not be listed, and why (the server's answer).
#[derive(Debug)]
pub struct FailedFolder {
    /// Relative to the walk's root, with `/`.
    pub path: String,
    /// What listing it answered.
    pub error: FtpError,
}

/// Why a remote walk left a listed entry out. What may be done with the entry depends on it:
/// a link or a device is a name of its own on the server (deleting its folder deletes it); an
/// unusable name is not (sent back, it would name another path), and a name listed twice is
/// already kept once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// A symbolic link, not followed.
    Link,
    /// A link leading back to a folder above it (followed links only).
    LinkLoop,
    /// Not a file, a folder or a link (a device, a socket, a pipe).
    Special,
    /// The listed name is not one path component (see [`unusable_name`]).
    Unusable(&'static str),
    /// The folder listed the name before; the first is kept.
    ListedTwice,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Skip::Link => "symbolic link (not followed)",
            Skip::LinkLoop => "a link back to a folder above it (loop)",
            Skip::Special => "not a regular file",
            Skip::Unusable(why) => why,
            Skip::ListedTwice => "listed twice in its folder (the first one is kept)",
        })
    }
}

/// What a remote walk found, paths relative to its root (with `/`).
#[derive(Debug, Default)]
pub struct RemoteTree {
    /// Folders, parents before children.
    pub dirs: Vec<Box<str>>,
    /// Files (and links followed to files).
    pub files: Vec<(Box<str>, RemoteFile)>,
    /// Folders reached through a symbolic link (also in `dirs`).
    pub linked_dirs: Vec<Box<str>>,
    /// Entries not transferred (links, devices, unusable names), with why.
    pub skipped: Vec<(String, Skip)>,
    /// Folders that could not be listed: nothing under them is known.
    pub failed: Vec<FailedFolder>,
    /// What the tree holds, in bytes (see [`RemoteTree::bytes`]); only the walk adds to it.
    pub(crate) bytes: usize,
}

impl RemoteTree {
    /// The bytes the tree holds: each kept path and its facts, with the allocator's share.
    /// The number the walk's memory cap is checked against.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The failed folders as lines to show (`path/: why`).
    pub fn failed_lines(&self) -> Vec<String> {
        self.failed
            .iter()
            .map(|f| format!("{}/: {}", escape(&f.path), f.error))
            .collect()
    }
}

/// What a local walk found, paths relative to its root.
#[derive(Debug, Default)]
pub struct LocalTree {
    /// Folders, parents before children.
    pub dirs: Vec<PathBuf>,
    /// Files with size and modification time (Unix seconds).
    pub files: Vec<(PathBuf, u64, Option<i64>)>,
    /// Folders reached through a symbolic link (also in `dirs`).
    pub linked_dirs: Vec<PathBuf>,
    /// Entries not transferred, with why.
    pub skipped: Vec<(PathBuf, String)>,
    /// Folders that could not be read, with why: nothing under them is known.
    pub failed: Vec<(PathBuf, String)>,
    /// What the tree holds, in bytes; only the walk adds to it.
    pub(crate) bytes: usize,
}

impl LocalTree {
    /// The bytes the tree holds (as [`RemoteTree::bytes`]).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The failed folders as lines to show (`path/: why`).
    pub fn failed_lines(&self) -> Vec<String> {
        self.failed
            .iter()
            .map(|(path, why)| format!("{}/: {why}", path.display()))
            .collect()
    }
}

/// Why a listed name cannot be one path component, if it cannot. Such a name would be joined
/// into another path (`d/../updir` lists the folder above) or cut a command short.
pub(crate) fn unusable_name(name: &str) -> Option<&'static str> {
    if name.is_empty() || name == "." || name == ".." {
        Some("not a name (the listing gave an empty name, `.` or `..`)")
    } else if name.contains('/') {
        Some("the name contains `/`: it would name another folder")
    } else if name.contains('\0') {
        Some("the name contains a NUL character")
    } else {
        None
    }
}

/// A walk's settings: links, caps, a stop flag and a progress callback. Built step by step:
/// `Walk::new().follow_links(true).remote(session, root)`.
pub struct Walk<'a> {
    follow_links: bool,
    limits: WalkLimits,
    stop: Option<&'a StopFlag>,
    progress: Option<&'a mut dyn FnMut(WalkProgress)>,
}

impl Default for Walk<'_> {
    fn default() -> Self {
        Walk::new()
    }
}

impl<'a> Walk<'a> {
    /// Links not followed, the default caps, no stop flag, no progress.
    pub fn new() -> Walk<'a> {
        Walk {
            follow_links: false,
            limits: WalkLimits::default(),
            stop: None,
            progress: None,
        }
    }

    /// Follow symbolic links (loops are detected and skipped).
    pub fn follow_links(mut self, follow: bool) -> Walk<'a> {
        self.follow_links = follow;
        self
    }

    /// Other caps than the default ones.
    pub fn limits(mut self, limits: WalkLimits) -> Walk<'a> {
        self.limits = limits;
        self
    }

    /// End with [`FtpError::Cancelled`] before the next folder once `stop` is set.
    pub fn until(mut self, stop: &'a StopFlag) -> Walk<'a> {
        self.stop = Some(stop);
        self
    }

    /// Call `progress` after each folder listed.
    pub fn reporting(mut self, progress: &'a mut dyn FnMut(WalkProgress)) -> Walk<'a> {
        self.progress = Some(progress);
        self
    }

    /// Walks the remote tree under `root` (empty: the login folder).
    ///
    /// # Errors
    /// The session failed, `root` itself cannot be listed, the walk was stopped, or the tree
    /// reached a cap.
    pub fn remote(self, session: &mut Session, root: &str) -> Result<RemoteTree, WalkError> {
        RemoteWalker {
            session,
            root,
            walk: self,
            tree: RemoteTree::default(),
            home: None,
            progress: WalkProgress::default(),
        }
        .run()
    }

    /// Walks the local tree under `root`.
    ///
    /// # Errors
    /// `root` itself cannot be read, the walk was stopped, or the tree reached a cap.
    pub fn local(self, root: &Path) -> Result<LocalTree, WalkError> {
        LocalWalker {
            root,
            walk: self,
            tree: LocalTree::default(),
            progress: WalkProgress::default(),
        }
        .run()
    }

    fn stopped(&self) -> bool {
        self.stop.is_some_and(StopFlag::is_stopped)
    }

    fn report(&mut self, progress: WalkProgress) {
        if let Some(report) = self.progress.as_mut() {
            report(progress);
        }
    }
}

/// Walks the remote tree under `root` with the default caps. With `follow_links`, a link to a
/// folder is walked (unless it loops back) and a link to a file is taken as its target.
///
/// # Errors
/// See [`Walk::remote`].
pub fn remote_tree(
    session: &mut Session,
    root: &str,
    follow_links: bool,
) -> Result<RemoteTree, WalkError> {
    Walk::new().follow_links(follow_links).remote(session, root)
}

/// Walks the local tree under `root` with the default caps. Symbolic links are skipped, or
/// with `follow_links` followed, except a link back to a folder above it.
///
/// # Errors
/// See [`Walk::local`].
pub fn local_tree(root: &Path, follow_links: bool) -> Result<LocalTree, WalkError> {
    Walk::new().follow_links(follow_links).local(root)
}

/// What the allocator adds to each heap block, roughly: counted so that many short paths do
/// not hide behind their lengths.
const ALLOCATION_OVERHEAD: usize = 16;

/// The bytes one kept path of `len` bytes costs, with its record of `record` bytes.
fn cost(record: usize, len: usize) -> usize {
    record + len + ALLOCATION_OVERHEAD
}

/// A folder's real path on the server (PWD after CWD) and those of the folders above it in
/// the walk: a link whose real path is among them leads back up, a loop.
struct RealPath {
    path: String,
    above: Option<Rc<RealPath>>,
}

impl RealPath {
    fn is_self_or_above(&self, path: &str) -> bool {
        let mut at = Some(self);
        while let Some(real) = at {
            if real.path == path {
                return true;
            }
            at = real.above.as_deref();
        }
        false
    }
}

/// A remote folder waiting to be listed.
struct PendingFolder {
    /// Relative to the root ("" for the root itself).
    rel: String,
    depth: usize,
    /// The fingerprint of the parent's listing, and how many folders in a row above this one
    /// listed what their own parent listed.
    parent_listing: Option<u64>,
    repeats: usize,
    /// Only when following links.
    real: Option<Rc<RealPath>>,
}

/// One remote walk in progress.
struct RemoteWalker<'s, 'w> {
    session: &'s mut Session,
    root: &'s str,
    walk: Walk<'w>,
    tree: RemoteTree,
    /// The session's folder before the walk, to come back to after each CWD.
    home: Option<String>,
    progress: WalkProgress,
}

impl RemoteWalker<'_, '_> {
    fn run(mut self) -> Result<RemoteTree, WalkError> {
        let real = if self.walk.follow_links {
            Some(Rc::new(RealPath {
                path: self.real_path_of(self.root)?,
                above: None,
            }))
        } else {
            None
        };
        let mut pending = vec![PendingFolder {
            rel: String::new(),
            depth: 0,
            parent_listing: None,
            repeats: 0,
            real,
        }];
        while let Some(folder) = pending.pop() {
            if self.walk.stopped() {
                return Err(FtpError::Cancelled.into());
            }
            self.visit(folder, &mut pending)?;
            self.progress.folders += 1;
            self.progress.files = self.tree.files.len();
            self.walk.report(self.progress);
        }
        Ok(self.tree)
    }

    /// The server's path of a relative folder.
    fn path_of(&self, rel: &str) -> String {
        if rel.is_empty() {
            self.root.to_owned()
        } else {
            remote_path::join(self.root, rel)
        }
    }

    /// Lists one folder: its files are kept, its folders queued.
    fn visit(
        &mut self,
        folder: PendingFolder,
        pending: &mut Vec<PendingFolder>,
    ) -> Result<(), WalkError> {
        let limits = self.walk.limits;
        if folder.depth > limits.max_depth {
            return Err(self.too_big(WalkLimit::Depth(limits.max_depth), &folder.rel));
        }
        let dir = self.path_of(&folder.rel);
        let Some(entries) = self.list(&folder.rel, &dir)? else {
            return Ok(());
        };
        let fingerprint = listing_fingerprint(&entries);
        let repeats = if folder.parent_listing == Some(fingerprint) {
            folder.repeats + 1
        } else {
            0
        };
        if repeats >= limits.max_repeated_listings {
            return Err(self.too_big(
                WalkLimit::RepeatedListing(limits.max_repeated_listings),
                &folder.rel,
            ));
        }
        let mut seen = HashSet::new();
        for entry in &entries {
            let child = if folder.rel.is_empty() {
                entry.name.clone()
            } else {
                format!("{}/{}", folder.rel, entry.name)
            };
            if let Some(why) = unusable_name(&entry.name) {
                self.skip(child, Skip::Unusable(why), &folder.rel)?;
                continue;
            }
            if !seen.insert(entry.name.as_str()) {
                self.skip(child, Skip::ListedTwice, &folder.rel)?;
                continue;
            }
            let queue = |rel: String, real: Option<Rc<RealPath>>| PendingFolder {
                rel,
                depth: folder.depth + 1,
                parent_listing: Some(fingerprint),
                repeats,
                real,
            };
            match entry.kind {
                EntryKind::Dir => {
                    let real = folder.real.as_ref().map(|above| {
                        Rc::new(RealPath {
                            path: remote_path::join(&above.path, &entry.name),
                            above: Some(Rc::clone(above)),
                        })
                    });
                    self.add_dir(&child, false)?;
                    pending.push(queue(child, real));
                }
                EntryKind::File => self.add_file(&child, RemoteFile::listed(entry))?,
                EntryKind::Symlink => match &folder.real {
                    Some(above) => {
                        if let Some(real) = self.follow_link(&child, above)? {
                            pending.push(queue(child, Some(real)));
                        }
                    }
                    None => self.skip(child, Skip::Link, &folder.rel)?,
                },
                EntryKind::Other => self.skip(child, Skip::Special, &folder.rel)?,
            }
        }
        Ok(())
    }

    /// The listing of `dir`, or None when it failed and is recorded as a failed folder. The
    /// root failing fails the walk: there is nothing else to walk.
    fn list(&mut self, rel: &str, dir: &str) -> Result<Option<Vec<Entry>>, WalkError> {
        let listed = self
            .session
            .list((!dir.is_empty()).then_some(dir))
            .and_then(|entries| {
                if entries.is_empty() {
                    self.confirm_empty(dir)?;
                }
                Ok(entries)
            });
        match listed {
            Ok(entries) => Ok(Some(entries)),
            Err(e) if e.is_fatal_to_session() || rel.is_empty() => Err(e.into()),
            Err(error) => {
                self.fail(rel, error);
                Ok(None)
            }
        }
    }

    /// Records `rel` as a folder whose contents are unknown, and why.
    fn fail(&mut self, rel: &str, error: FtpError) {
        self.tree.bytes += cost(size_of::<FailedFolder>(), rel.len());
        self.tree.failed.push(FailedFolder {
            path: rel.to_owned(),
            error,
        });
    }

    /// An empty listing is believed only when the folder is shown to exist and to be open to
    /// us: CWD into it (and back). vsftpd's silent failure is caught by its 226 text
    /// (`Session::list`); ProFTPD's and pure-ftpd's LIST of a folder they cannot read send
    /// nothing and a plain 226, and so might other servers for a folder that is gone: CWD is
    /// refused there. A folder that can be entered but not read, on a server that says
    /// nothing of it, is beyond what FTP tells a client (MLSD answers 550 on the servers that
    /// have it). Only empty listings pay these two commands.
    fn confirm_empty(&mut self, dir: &str) -> Result<(), FtpError> {
        if dir.is_empty() {
            return Ok(()); // the session's own folder: it exists and was listed
        }
        let home = self.home()?;
        self.session.cwd(dir)?;
        self.session.cwd(&home)
    }

    /// The session's folder before the walk (asked once).
    fn home(&mut self) -> Result<String, FtpError> {
        if let Some(home) = &self.home {
            return Ok(home.clone());
        }
        let home = self.session.pwd()?;
        self.home = Some(home.clone());
        Ok(home)
    }

    /// The real path of a folder: PWD after CWD into it (vsftpd, ProFTPD and pure-ftpd all
    /// answer with the path the links resolve to), then back.
    fn real_path_of(&mut self, dir: &str) -> Result<String, FtpError> {
        let home = self.home()?;
        if !dir.is_empty() {
            self.session.cwd(dir)?;
        }
        let real = self.session.pwd();
        self.session.cwd(&home)?;
        real
    }

    /// A link when following links: a folder it leads to is queued (with its real path)
    /// unless it loops back up; a file it leads to is kept with the target's size.
    fn follow_link(
        &mut self,
        child: &str,
        above: &Rc<RealPath>,
    ) -> Result<Option<Rc<RealPath>>, WalkError> {
        let path = self.path_of(child);
        let parent = remote_path::parent(child);
        match self.real_path_of(&path) {
            Ok(real) if above.is_self_or_above(&real) => {
                self.skip(child.to_owned(), Skip::LinkLoop, &parent)?;
                Ok(None)
            }
            Ok(real) => {
                self.add_dir(child, true)?;
                Ok(Some(Rc::new(RealPath {
                    path: real,
                    above: Some(Rc::clone(above)),
                })))
            }
            Err(e) if e.is_fatal_to_session() => Err(e.into()),
            // Not a folder it can enter: a file when SIZE answers through the link (the
            // listing's size is the link's own, the length of the target's name). When SIZE
            // fails too, it is a broken link or a folder closed to us, and nothing tells which:
            // a failed folder, so that nothing of that name on the other side is taken for
            // gone (a folder there is not deleted as "only local").
            Err(refused) => match self.session.size(&path) {
                Ok(size) => {
                    let file = RemoteFile {
                        size: Some(size),
                        // The listed time is the link's: the target's is asked later (MDTM).
                        modified: None,
                        precision: TimePrecision::Listed,
                        link: true,
                    };
                    self.add_file(child, file)?;
                    Ok(None)
                }
                Err(e) if e.is_fatal_to_session() => Err(e.into()),
                Err(_) => {
                    self.fail(child, refused);
                    Ok(None)
                }
            },
        }
    }

    fn add_dir(&mut self, rel: &str, linked: bool) -> Result<(), WalkError> {
        self.tree.bytes += cost(size_of::<Box<str>>(), rel.len());
        self.tree.dirs.push(rel.into());
        if linked {
            self.tree.bytes += cost(size_of::<Box<str>>(), rel.len());
            self.tree.linked_dirs.push(rel.into());
        }
        if self.tree.dirs.len() > self.walk.limits.max_folders {
            return Err(self.too_big(WalkLimit::Folders(self.walk.limits.max_folders), rel));
        }
        self.check_entries(rel)
    }

    fn add_file(&mut self, rel: &str, file: RemoteFile) -> Result<(), WalkError> {
        self.tree.bytes += cost(size_of::<(Box<str>, RemoteFile)>(), rel.len());
        self.tree.files.push((rel.into(), file));
        self.check_entries(rel)
    }

    fn skip(&mut self, rel: String, why: Skip, folder: &str) -> Result<(), WalkError> {
        self.tree.bytes += cost(size_of::<(String, Skip)>(), rel.len());
        self.tree.skipped.push((rel, why));
        self.check_entries(folder)
    }

    /// Whether the tree is still within the entry and memory caps (`at`: where the walk is).
    fn check_entries(&self, at: &str) -> Result<(), WalkError> {
        let entries = self.tree.files.len() + self.tree.skipped.len();
        match self.walk.limits.exceeded(entries, self.tree.bytes) {
            Some(limit) => Err(self.too_big(limit, at)),
            None => Ok(()),
        }
    }

    fn too_big(&self, limit: WalkLimit, at: &str) -> WalkError {
        WalkError::TooBig {
            limit,
            at: escape(&self.path_of(at)).into_owned(),
        }
    }
}

/// What a listing holds, as one number: folders whose listings are equal have equal ones.
fn listing_fingerprint(entries: &[Entry]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for entry in entries {
        (&entry.name, entry.kind as u8, entry.size, entry.modified).hash(&mut hasher);
    }
    hasher.finish()
}

/// One local walk in progress.
struct LocalWalker<'r, 'w> {
    root: &'r Path,
    walk: Walk<'w>,
    tree: LocalTree,
    progress: WalkProgress,
}

/// A local folder waiting to be read: its relative path, depth, and (following links) the
/// real paths of the folders above it.
struct PendingLocal {
    rel: PathBuf,
    depth: usize,
    above: Vec<PathBuf>,
}

impl LocalWalker<'_, '_> {
    fn run(mut self) -> Result<LocalTree, WalkError> {
        let mut pending = vec![PendingLocal {
            rel: PathBuf::new(),
            depth: 0,
            above: Vec::new(),
        }];
        while let Some(folder) = pending.pop() {
            if self.walk.stopped() {
                return Err(FtpError::Cancelled.into());
            }
            self.visit(folder, &mut pending)?;
            self.progress.folders += 1;
            self.progress.files = self.tree.files.len();
            self.walk.report(self.progress);
        }
        Ok(self.tree)
    }

    fn visit(
        &mut self,
        mut folder: PendingLocal,
        pending: &mut Vec<PendingLocal>,
    ) -> Result<(), WalkError> {
        let limits = self.walk.limits;
        if folder.depth > limits.max_depth {
            return Err(self.too_big(WalkLimit::Depth(limits.max_depth), &folder.rel));
        }
        let dir = self.root.join(&folder.rel);
        if self.walk.follow_links {
            let real = match std::fs::canonicalize(&dir) {
                Ok(real) => real,
                Err(e) => return self.fail(&folder.rel, e),
            };
            if folder.above.contains(&real) {
                let why = Skip::LinkLoop.to_string();
                return self.skip(folder.rel, why);
            }
            folder.above.push(real);
        }
        // The whole folder or nothing: a listing cut short would make what it left out look
        // deleted.
        let read = std::fs::read_dir(&dir).and_then(|entries| entries.collect::<Result<_, _>>());
        let mut entries: Vec<std::fs::DirEntry> = match read {
            Ok(entries) => entries,
            Err(e) => return self.fail(&folder.rel, e),
        };
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let child = folder.rel.join(entry.file_name());
            let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
            let meta = if self.walk.follow_links {
                std::fs::metadata(entry.path()).map_err(|e| format!("broken link: {e}"))
            } else {
                entry.metadata().map_err(|e| format!("cannot read it: {e}")) // the link itself
            };
            let meta = match meta {
                Ok(meta) => meta,
                Err(why) => {
                    self.skip(child, why)?;
                    continue;
                }
            };
            if meta.is_dir() {
                self.add_dir(&child, is_link)?;
                pending.push(PendingLocal {
                    rel: child,
                    depth: folder.depth + 1,
                    above: folder.above.clone(),
                });
            } else if meta.is_file() {
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .and_then(|d| i64::try_from(d.as_secs()).ok());
                self.add_file(child, meta.len(), modified)?;
            } else if meta.file_type().is_symlink() {
                self.skip(child, Skip::Link.to_string())?;
            } else {
                self.skip(child, Skip::Special.to_string())?;
            }
        }
        Ok(())
    }

    /// A folder that cannot be read: the root fails the walk, any other is recorded.
    fn fail(&mut self, rel: &Path, e: std::io::Error) -> Result<(), WalkError> {
        if rel.as_os_str().is_empty() {
            let source = std::io::Error::new(
                e.kind(),
                format!("cannot read {}: {e}", self.root.display()),
            );
            return Err(FtpError::Local { source }.into());
        }
        let why = format!("cannot read the folder: {e}");
        self.tree.bytes += cost(size_of::<(PathBuf, String)>(), path_len(rel) + why.len());
        self.tree.failed.push((rel.to_owned(), why));
        Ok(())
    }

    fn add_dir(&mut self, rel: &Path, linked: bool) -> Result<(), WalkError> {
        self.tree.bytes += cost(size_of::<PathBuf>(), path_len(rel));
        self.tree.dirs.push(rel.to_owned());
        if linked {
            self.tree.bytes += cost(size_of::<PathBuf>(), path_len(rel));
            self.tree.linked_dirs.push(rel.to_owned());
        }
        if self.tree.dirs.len() > self.walk.limits.max_folders {
            return Err(self.too_big(WalkLimit::Folders(self.walk.limits.max_folders), rel));
        }
        self.check_entries(rel)
    }

    fn add_file(
        &mut self,
        rel: PathBuf,
        size: u64,
        modified: Option<i64>,
    ) -> Result<(), WalkError> {
        self.tree.bytes += cost(size_of::<(PathBuf, u64, Option<i64>)>(), path_len(&rel));
        let at = rel.clone();
        self.tree.files.push((rel, size, modified));
        self.check_entries(&at)
    }

    fn skip(&mut self, rel: PathBuf, why: String) -> Result<(), WalkError> {
        self.tree.bytes += cost(size_of::<(PathBuf, String)>(), path_len(&rel) + why.len());
        let at = rel.clone();
        self.tree.skipped.push((rel, why));
        self.check_entries(&at)
    }

    /// Whether the tree is still within the entry and memory caps (`at`: where the walk is).
    fn check_entries(&self, at: &Path) -> Result<(), WalkError> {
        let entries = self.tree.files.len() + self.tree.skipped.len();
        match self.walk.limits.exceeded(entries, self.tree.bytes) {
            Some(limit) => Err(self.too_big(limit, at)),
            None => Ok(()),
        }
    }

    fn too_big(&self, limit: WalkLimit, at: &Path) -> WalkError {
        WalkError::TooBig {
            limit,
            at: self.root.join(at).display().to_string(),
        }
    }
}

fn path_len(path: &Path) -> usize {
    path.as_os_str().len()
}

/// Replaces the inexact LIST times of the files `wanted` says with exact ones from MDTM (UTC,
/// to the second), for comparisons: LIST gives the server's local time to the minute, or only
/// the day for files older than six months. Stops asking when the server has no MDTM; a file
/// it refuses keeps its LIST time; a lost connection is an error.
///
/// # Errors
/// The session failed.
pub fn exact_times(
    session: &mut Session,
    root: &str,
    tree: &mut RemoteTree,
    wanted: impl Fn(&str) -> bool,
) -> Result<(), FtpError> {
    for (rel, file) in &mut tree.files {
        if file.precision == TimePrecision::Exact || !wanted(rel) {
            continue;
        }
        match session.mdtm(&remote_path::join(root, rel)) {
            Ok(time) => {
                file.modified = Some(time.unix_seconds());
                file.precision = TimePrecision::Exact;
            }
            Err(e) if e.is_fatal_to_session() => return Err(e),
            // 500/502/504: the server has no MDTM; asking for the other files is pointless.
            Err(FtpError::Reply { reply, .. }) if matches!(reply.code, 500 | 502 | 504) => break,
            // This file only (550 vanished, no permission): it keeps its LIST time.
            Err(_) => {}
        }
    }
    Ok(())
}

/// Whether the remote folder `dir` exists: CWD into it (and back), for a folder whose listing
/// failed. False only when the server refused the CWD.
///
/// # Errors
/// The session failed.
pub fn remote_folder_exists(session: &mut Session, dir: &str) -> Result<bool, FtpError> {
    let home = session.pwd()?;
    match session.cwd(dir) {
        Ok(()) => session.cwd(&home).map(|()| true),
        Err(e) if e.is_fatal_to_session() => Err(e),
        Err(_) => Ok(false),
    }
}

/// Deletes the remote folder `dir` and everything in it: files, links and special entries
/// (DELE, each once), then folders deepest first (RMD). Deletion never goes through a link:
/// `dir` itself a link (as its parent's listing says) is removed with DELE, links inside are
/// removed, not entered. A folder inside that cannot be listed, or a listed name that is not
/// one path component, stops it before anything is deleted (what such a folder holds is
/// unknown, such a name cannot be sent back, and the folders above could not be removed).
///
/// # Errors
/// The first command the server refused, a folder that cannot be listed, or the session
/// failed.
pub fn delete_remote_tree(session: &mut Session, dir: &str) -> Result<(), WalkError> {
    if is_remote_link(session, dir)? {
        return Ok(session.delete(dir)?);
    }
    let mut tree = remote_tree(session, dir, false)?;
    if !tree.failed.is_empty() {
        return Err(tree.failed.swap_remove(0).error.into());
    }
    // A name that is not one component would be sent back as another path (`../x`), and the
    // folder holding it could not be removed anyway: nothing is deleted.
    if let Some((rel, why)) = tree
        .skipped
        .iter()
        .find(|(_, why)| matches!(why, Skip::Unusable(_)))
    {
        return Err(FtpError::InvalidInput(format!(
            "{} was not deleted: it holds an entry Ferry cannot name ({}: {why}). Nothing was deleted.",
            escape(dir),
            escape(rel)
        ))
        .into());
    }
    // Links and devices are names of their own (DELE removes the name, never a target); a
    // name listed twice is already among the files or folders.
    let others = tree
        .skipped
        .iter()
        .filter(|(_, why)| matches!(why, Skip::Link | Skip::LinkLoop | Skip::Special))
        .map(|(rel, _)| rel.as_str());
    for rel in tree.files.iter().map(|(rel, _)| &**rel).chain(others) {
        session.delete(&remote_path::join(dir, rel))?;
    }
    for rel in tree.dirs.iter().rev() {
        session.rmdir(&remote_path::join(dir, rel))?;
    }
    Ok(session.rmdir(dir)?)
}

/// Whether the parent's listing shows `path` as a symbolic link. A path with no parent to
/// list (the root, the login folder) is not one.
fn is_remote_link(session: &mut Session, path: &str) -> Result<bool, FtpError> {
    let trimmed = path.trim_end_matches('/');
    let name = remote_path::file_name(trimmed);
    if name.is_empty() || name == "." || name == ".." {
        return Ok(false);
    }
    let parent = remote_path::parent(trimmed);
    let listing = session.list((!parent.is_empty()).then_some(parent.as_str()))?;
    Ok(listing
        .iter()
        .any(|e| e.name == name && e.kind == EntryKind::Symlink))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_one_component_are_refused() {
        for bad in ["", ".", "..", "../updir", "a/b", "/etc", "nul\0byte"] {
            assert!(unusable_name(bad).is_some(), "{bad:?}");
        }
        for good in ["a", "...", ".hidden", "back\\slash", "CON", "line\nbreak"] {
            assert!(unusable_name(good).is_none(), "{good:?}");
        }
    }

    #[test]
    fn a_kept_file_is_far_smaller_than_its_listing_entry() {
        // What the tree keeps per file, against what it kept before: the path beside a whole
        // listing entry (name, permissions, owner and group each on the heap).
        let kept = size_of::<(Box<str>, RemoteFile)>();
        let before = size_of::<(String, Entry)>() + 4 * ALLOCATION_OVERHEAD;
        assert!(kept * 3 < before, "kept {kept}, before {before}");
    }

    #[test]
    fn caps_end_a_local_walk_with_a_typed_error() {
        let root = tempfile::tempdir().unwrap();
        for i in 0..5 {
            std::fs::create_dir_all(root.path().join(format!("d{i}"))).unwrap();
        }
        let limits = WalkLimits {
            max_folders: 3,
            ..WalkLimits::default()
        };
        let err = Walk::new().limits(limits).local(root.path()).unwrap_err();
        assert!(
            matches!(
                err,
                WalkError::TooBig {
                    limit: WalkLimit::Folders(3),
                    ..
                }
            ),
            "{err}"
        );
        let deep = root.path().join("x/y/z");
        std::fs::create_dir_all(&deep).unwrap();
        let limits = WalkLimits {
            max_depth: 2,
            ..WalkLimits::default()
        };
        let err = Walk::new().limits(limits).local(root.path()).unwrap_err();
        assert!(
            matches!(
                err,
                WalkError::TooBig {
                    limit: WalkLimit::Depth(2),
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string().contains("nested more than 2 levels"),
            "{err}"
        );
    }
}
