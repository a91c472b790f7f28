//! Folder synchronisation, the comparing half: two walked trees (local and remote) and the
//! direction the user chose become a list of [`SyncAction`]s, which the front end shows (a dry
//! run, the window's preview) and then carries out with the transfer engine. Pure: no I/O, so
//! every rule is tested on its own.
//!
//! Files are compared by size and modification time. Times from MLSD are UTC to the second;
//! LIST times are in the server's zone and to the minute, so they are compared with a minute's
//! tolerance after the site's time offset is applied. Two FAT-style seconds of tolerance are
//! allowed even for exact times (a copy on such a disk rounds to two seconds).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use super::walk::{LocalTree, RemoteTree};

/// Which side is changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncDirection {
    /// Make the remote folder like the local one.
    Upload,
    /// Make the local folder like the remote one.
    Download,
    /// Copy what is new or newer each way (deletions are not propagated: without a record of
    /// the last run, a file missing on one side may be new on the other).
    Both,
}

/// How to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOptions {
    /// Which side changes.
    pub direction: SyncDirection,
    /// Delete what exists only on the side being changed (not with [`SyncDirection::Both`]).
    pub delete: bool,
    /// Seconds to add to a remote time to get local time, for LIST times in the server's zone.
    pub remote_offset_seconds: i64,
    /// Compare by size alone (for servers whose times cannot be trusted).
    pub size_only: bool,
    /// Compare the contents of files of the same size by the server's checksum (HASH, XCRC,
    /// ...) where it offers one: equal checksums mean equal files whatever their times.
    pub checksum: bool,
}

impl SyncOptions {
    /// Compare in `direction`, no deletions, no offset, by size and time.
    pub fn new(direction: SyncDirection) -> SyncOptions {
        SyncOptions {
            direction,
            delete: false,
            remote_offset_seconds: 0,
            size_only: false,
            checksum: false,
        }
    }
}

/// Why two files count as different.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Only the local side has it.
    OnlyLocal,
    /// Only the remote side has it.
    OnlyRemote,
    /// The local copy is newer.
    LocalNewer,
    /// The remote copy is newer.
    RemoteNewer,
    /// Same time, different size.
    SizeDiffers,
    /// Same size and time, different checksums.
    ContentDiffers,
}

impl Reason {
    /// A few words for the preview list.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::OnlyLocal => "only here",
            Reason::OnlyRemote => "only on the server",
            Reason::LocalNewer => "newer here",
            Reason::RemoteNewer => "newer on the server",
            Reason::SizeDiffers => "different size",
            Reason::ContentDiffers => "different content",
        }
    }
}

/// One change a synchronisation makes. Paths are relative to the two roots, with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncAction {
    /// Create this remote folder.
    MakeRemoteDir(String),
    /// Create this local folder.
    MakeLocalDir(String),
    /// Upload this file (size in bytes), because of `Reason`.
    Upload(String, u64, Reason),
    /// Download this file (size in bytes, when listed), because of `Reason`.
    Download(String, Option<u64>, Reason),
    /// Delete this remote file.
    DeleteRemoteFile(String),
    /// Delete this remote folder, after everything in it.
    DeleteRemoteDir(String),
    /// Delete this local file.
    DeleteLocalFile(String),
    /// Delete this local folder, after everything in it.
    DeleteLocalDir(String),
    /// The two differ and nothing says which is right (same time, different size, in both
    /// directions): left alone and reported.
    Conflict(String, Reason),
}

impl SyncAction {
    /// The relative path it concerns.
    pub fn path(&self) -> &str {
        match self {
            SyncAction::MakeRemoteDir(p)
            | SyncAction::MakeLocalDir(p)
            | SyncAction::Upload(p, _, _)
            | SyncAction::Download(p, _, _)
            | SyncAction::DeleteRemoteFile(p)
            | SyncAction::DeleteRemoteDir(p)
            | SyncAction::DeleteLocalFile(p)
            | SyncAction::DeleteLocalDir(p)
            | SyncAction::Conflict(p, _) => p,
        }
    }

    /// One line for a dry run or a preview: `upload  docs/a.txt (newer here)`.
    pub fn describe(&self) -> String {
        let path = crate::ftp::text::escape(self.path());
        match self {
            SyncAction::MakeRemoteDir(_) => format!("mkdir remote  {path}/"),
            SyncAction::MakeLocalDir(_) => format!("mkdir local   {path}/"),
            SyncAction::Upload(_, _, why) => format!("upload        {path} ({})", why.describe()),
            SyncAction::Download(_, _, why) => {
                format!("download      {path} ({})", why.describe())
            }
            SyncAction::DeleteRemoteFile(_) => format!("delete remote {path}"),
            SyncAction::DeleteRemoteDir(_) => format!("delete remote {path}/"),
            SyncAction::DeleteLocalFile(_) => format!("delete local  {path}"),
            SyncAction::DeleteLocalDir(_) => format!("delete local  {path}/"),
            SyncAction::Conflict(_, why) => {
                format!("conflict      {path} ({}; left alone)", why.describe())
            }
        }
    }

    /// Whether it moves a file's bytes.
    pub fn is_transfer(&self) -> bool {
        matches!(self, SyncAction::Upload(..) | SyncAction::Download(..))
    }
}

pub use super::walk::TimePrecision;

/// A file as compared: size and modification time (Unix seconds, local clock), and how
/// precise that time is.
#[derive(Debug, Clone, Copy)]
struct Side {
    size: Option<u64>,
    modified: Option<i64>,
    precision: TimePrecision,
}

impl Side {
    /// A remote file as compared: MLSD and MDTM times are UTC already; LIST times are in the
    /// server's zone, so they get the offset.
    fn remote(
        size: Option<u64>,
        listed: Option<i64>,
        precision: TimePrecision,
        options: &SyncOptions,
    ) -> Side {
        let offset = match precision {
            TimePrecision::Exact => 0,
            TimePrecision::Listed | TimePrecision::DayOnly => options.remote_offset_seconds,
        };
        Side {
            size,
            modified: listed.map(|t| t + offset),
            precision,
        }
    }
}

/// The actions that make the trees agree as `options` says, in an order that can be carried
/// out as listed: folders are created before the files in them and deleted after them.
pub fn compare(local: &LocalTree, remote: &RemoteTree, options: &SyncOptions) -> Vec<SyncAction> {
    compare_contents(local, remote, options, &BTreeMap::new())
}

/// [`compare`], knowing for some files on both sides (by relative path) whether their
/// contents are the same (from checksums): those that are count as equal whatever their
/// times; those that are not differ even with the same size and time.
///
/// Two rules keep a deletion from destroying what the comparison could not see: nothing at or
/// under a folder that failed to list, on either side, gets any action (its contents are
/// unknown, and an unknown folder is not an empty one), and no folder holding such a folder is
/// deleted as a whole; and nothing is deleted through a link: a folder reached through one is
/// deleted as the link, what it holds never.
pub fn compare_contents(
    local: &LocalTree,
    remote: &RemoteTree,
    options: &SyncOptions,
    same_content: &BTreeMap<String, bool>,
) -> Vec<SyncAction> {
    let failed_here: Vec<String> = local.failed.iter().map(|(p, _)| slash_path(p)).collect();
    let failed = || {
        failed_here
            .iter()
            .map(String::as_str)
            .chain(remote.failed.iter().map(|f| f.path.as_str()))
    };
    let unknown = Folders::new(failed());
    // The folders that hold a failed one: deleting one of them would delete what nobody saw.
    let above_unknown: HashSet<&str> = failed()
        .flat_map(|f| f.match_indices('/').map(move |(i, _)| &f[..i]))
        .collect();
    let known = |path: &str| !unknown.holds(path);
    let local_files: BTreeMap<String, Side> = local
        .files
        .iter()
        .map(|(rel, size, modified)| {
            let side = Side {
                size: Some(*size),
                modified: *modified,
                precision: TimePrecision::Exact,
            };
            (slash_path(rel), side)
        })
        .filter(|(path, _)| known(path))
        .collect();
    let remote_files: BTreeMap<String, Side> = remote
        .files
        .iter()
        .filter(|(rel, _)| known(rel))
        .map(|(rel, file)| {
            let side = Side::remote(file.size, file.modified, file.precision, options);
            (rel.to_string(), side)
        })
        .collect();
    let local_dirs: BTreeSet<String> = local
        .dirs
        .iter()
        .map(|d| slash_path(d))
        .filter(|d| known(d))
        .collect();
    let remote_dirs: BTreeSet<&str> = remote
        .dirs
        .iter()
        .map(|d| &**d)
        .filter(|d| known(d))
        .collect();

    let mut make = Vec::new();
    let mut files = Vec::new();
    let mut delete_files = Vec::new();
    let mut delete_dirs = Vec::new();
    let upload = matches!(
        options.direction,
        SyncDirection::Upload | SyncDirection::Both
    );
    let download = matches!(
        options.direction,
        SyncDirection::Download | SyncDirection::Both
    );
    let delete = options.delete && options.direction != SyncDirection::Both;

    for dir in local_dirs
        .iter()
        .filter(|d| !remote_dirs.contains(d.as_str()))
    {
        if upload {
            make.push(SyncAction::MakeRemoteDir(dir.clone()));
        } else if delete {
            delete_dirs.push(SyncAction::DeleteLocalDir(dir.clone()));
        }
    }
    for dir in remote_dirs.iter().filter(|d| !local_dirs.contains(**d)) {
        if download {
            make.push(SyncAction::MakeLocalDir((*dir).to_owned()));
        } else if delete {
            delete_dirs.push(SyncAction::DeleteRemoteDir((*dir).to_owned()));
        }
    }

    for (path, ours) in &local_files {
        let size = ours.size.unwrap_or(0);
        match remote_files.get(path) {
            None if upload => files.push(SyncAction::Upload(path.clone(), size, Reason::OnlyLocal)),
            None if delete => delete_files.push(SyncAction::DeleteLocalFile(path.clone())),
            None => {}
            Some(theirs) => match match same_content.get(path) {
                Some(true) => None,
                Some(false) => {
                    Some(differs(ours, theirs, options.size_only).unwrap_or(Reason::ContentDiffers))
                }
                None => differs(ours, theirs, options.size_only),
            } {
                None => {}
                Some(Reason::LocalNewer) if upload => {
                    files.push(SyncAction::Upload(path.clone(), size, Reason::LocalNewer));
                }
                Some(Reason::RemoteNewer) if download => files.push(SyncAction::Download(
                    path.clone(),
                    theirs.size,
                    Reason::RemoteNewer,
                )),
                // A one-way mirror makes the target like the source, newer or not.
                Some(why) => match options.direction {
                    SyncDirection::Upload => {
                        files.push(SyncAction::Upload(path.clone(), size, why));
                    }
                    SyncDirection::Download => {
                        files.push(SyncAction::Download(path.clone(), theirs.size, why));
                    }
                    SyncDirection::Both => files.push(SyncAction::Conflict(path.clone(), why)),
                },
            },
        }
    }
    for (path, theirs) in &remote_files {
        if local_files.contains_key(path) {
            continue;
        }
        if download {
            files.push(SyncAction::Download(
                path.clone(),
                theirs.size,
                Reason::OnlyRemote,
            ));
        } else if delete {
            delete_files.push(SyncAction::DeleteRemoteFile(path.clone()));
        }
    }

    // Parents before children when creating.
    make.sort_by(|a, b| a.path().cmp(b.path()));
    // A folder holding one that could not be listed is not deleted; what was seen in it is,
    // one by one.
    delete_dirs.retain(|d| !above_unknown.contains(d.path()));
    // Only the outermost folder is deleted (with what is in it), and a file inside a folder
    // that is deleted anyway needs no action of its own.
    let deleted_dirs = Folders::new(delete_dirs.iter().map(SyncAction::path));
    delete_files.retain(|f| !deleted_dirs.holds_strictly(f.path()));
    let outermost: Vec<SyncAction> = delete_dirs
        .iter()
        .filter(|d| !deleted_dirs.holds_strictly(d.path()))
        .cloned()
        .collect();
    let deletions = never_through_links(delete_files.into_iter().chain(outermost), local, remote);
    make.into_iter().chain(files).chain(deletions).collect()
}

/// Deletions made safe for links: nothing inside a folder reached through a link is deleted,
/// and such a remote folder itself is deleted as what it is, a link (DELE). A local one stays
/// a folder deletion: [`super::sync_run::apply`] removes a link to a folder as the link.
fn never_through_links(
    deletions: impl Iterator<Item = SyncAction>,
    local: &LocalTree,
    remote: &RemoteTree,
) -> Vec<SyncAction> {
    let local_links: Vec<String> = local.linked_dirs.iter().map(|d| slash_path(d)).collect();
    let local_links = Folders::new(local_links.iter().map(String::as_str));
    let remote_links = Folders::new(remote.linked_dirs.iter().map(|d| &**d));
    deletions
        .filter_map(|action| match action {
            // First: a link inside a linked folder is reached through a link too.
            SyncAction::DeleteRemoteDir(ref path) | SyncAction::DeleteRemoteFile(ref path)
                if remote_links.holds_strictly(path) =>
            {
                None
            }
            SyncAction::DeleteRemoteDir(path) if remote_links.is(&path) => {
                Some(SyncAction::DeleteRemoteFile(path))
            }
            SyncAction::DeleteLocalDir(ref path) | SyncAction::DeleteLocalFile(ref path)
                if local_links.holds_strictly(path) =>
            {
                None
            }
            other => Some(other),
        })
        .collect()
}

/// A set of folders (relative paths with `/`), asked whether a path is one of them or inside
/// one: each of the path's ancestors is looked up, so a check costs its depth, not the set's
/// size.
struct Folders<'a>(HashSet<&'a str>);

impl<'a> Folders<'a> {
    fn new(folders: impl Iterator<Item = &'a str>) -> Folders<'a> {
        Folders(folders.collect())
    }

    fn is(&self, path: &str) -> bool {
        self.0.contains(path)
    }

    /// Whether `path` is inside one of the folders (not one itself).
    fn holds_strictly(&self, path: &str) -> bool {
        !self.0.is_empty()
            && path
                .match_indices('/')
                .any(|(i, _)| self.0.contains(&path[..i]))
    }

    /// Whether `path` is one of the folders or inside one.
    fn holds(&self, path: &str) -> bool {
        self.is(path) || self.holds_strictly(path)
    }
}

/// Compares one local file (size, Unix time) with one remote file (size, Unix time as listed,
/// how precise that time is) as [`compare`] does: the window's compare mode marks rows with
/// it. None: they count as equal.
pub fn compare_files(
    local: (Option<u64>, Option<i64>),
    remote: (Option<u64>, Option<i64>, TimePrecision),
    options: &SyncOptions,
) -> Option<Reason> {
    let ours = Side {
        size: local.0,
        modified: local.1,
        precision: TimePrecision::Exact,
    };
    let (size, modified, precision) = remote;
    let theirs = Side::remote(size, modified, precision, options);
    differs(&ours, &theirs, options.size_only)
}

/// The server's time zone offset (seconds to add to its LIST times to get UTC), from one
/// file's listed time and its exact time (MDTM, UTC). Zones are whole quarter hours; a
/// difference that is not close to one (a LIST time without its hour, a file changed between
/// the two answers), or more than 14 hours, says nothing.
pub fn zone_offset(listed: i64, exact: i64) -> Option<i64> {
    const QUARTER: i64 = 15 * 60;
    let difference = exact - listed;
    let rounded = (difference as f64 / QUARTER as f64).round() as i64 * QUARTER;
    ((difference - rounded).abs() <= 90 && rounded.abs() <= 14 * 3600).then_some(rounded)
}

/// Whether two files differ, and how.
fn differs(local: &Side, remote: &Side, size_only: bool) -> Option<Reason> {
    let size_differs = matches!((local.size, remote.size), (Some(a), Some(b)) if a != b);
    if size_only {
        return size_differs.then_some(Reason::SizeDiffers);
    }
    // The remote file changed at some time in [theirs, theirs + span); times within the
    // tolerance of that span count as equal (filesystems and listings round).
    let (tolerance, span) = match remote.precision {
        TimePrecision::Exact => (2, 0),
        TimePrecision::Listed => (60, 0),
        TimePrecision::DayOnly => (60, 86_400),
    };
    match (local.modified, remote.modified) {
        (Some(ours), Some(theirs)) if ours > theirs + span + tolerance => Some(Reason::LocalNewer),
        (Some(ours), Some(theirs)) if theirs > ours + tolerance => Some(Reason::RemoteNewer),
        _ => size_differs.then_some(Reason::SizeDiffers),
    }
}

/// A relative local path with `/` between its parts, as remote paths are written.
pub fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The local path of a relative sync path under `root`.
pub fn local_path(root: &Path, rel: &str) -> PathBuf {
    rel.split('/')
        .fold(root.to_owned(), |path, part| path.join(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_overrule_times_and_catch_what_size_and_time_miss() {
        let mut local = LocalTree::default();
        let mut remote = RemoteTree::default();
        for (name, local_time, remote_time) in [
            ("touched.txt", T + 500, T),
            ("same-looking.txt", T, T),
            ("plain.txt", T + 500, T),
        ] {
            local.files.push((PathBuf::from(name), 4, Some(local_time)));
            remote
                .files
                .push((name.into(), remote_entry(4, remote_time, true)));
        }
        let same = BTreeMap::from([
            ("touched.txt".to_owned(), true),
            ("same-looking.txt".to_owned(), false),
        ]);
        let options = SyncOptions::new(SyncDirection::Upload);
        let actions = compare_contents(&local, &remote, &options, &same);
        assert_eq!(
            actions,
            vec![
                SyncAction::Upload("plain.txt".into(), 4, Reason::LocalNewer),
                SyncAction::Upload("same-looking.txt".into(), 4, Reason::ContentDiffers),
            ]
        );
        let both = compare_contents(
            &local,
            &remote,
            &SyncOptions::new(SyncDirection::Both),
            &same,
        );
        assert!(
            both.contains(&SyncAction::Conflict(
                "same-looking.txt".into(),
                Reason::ContentDiffers
            )),
            "{both:?}"
        );
    }

    #[test]
    fn a_zone_offset_is_a_whole_quarter_hour_or_nothing() {
        // A server two hours ahead of UTC lists 14:00 for a file changed at 12:00 UTC; LIST
        // has no seconds.
        assert_eq!(zone_offset(T + 7200, T + 42), Some(-7200));
        assert_eq!(zone_offset(T - 19_800, T), Some(19_800), "India: +5:30");
        assert_eq!(zone_offset(T, T + 30), Some(0));
        assert_eq!(
            zone_offset(T, T + 1800 + 400),
            None,
            "not near a quarter hour"
        );
        assert_eq!(zone_offset(T, T + 20 * 3600), None, "no zone is 20 h away");
    }

    #[test]
    fn one_file_pair_is_compared_with_the_offset_for_list_times_only() {
        let mut options = SyncOptions::new(SyncDirection::Both);
        options.remote_offset_seconds = -3600;
        // Listed an hour ahead (server zone): with the offset, the same time.
        assert_eq!(
            compare_files(
                (Some(5), Some(T)),
                (Some(5), Some(T + 3600), TimePrecision::Listed),
                &options
            ),
            None
        );
        // An exact time gets no offset: the server's copy is an hour newer.
        assert_eq!(
            compare_files(
                (Some(5), Some(T)),
                (Some(5), Some(T + 3600), TimePrecision::Exact),
                &options
            ),
            Some(Reason::RemoteNewer)
        );
        assert_eq!(
            compare_files(
                (Some(5), Some(T)),
                (Some(6), Some(T + 3600), TimePrecision::Listed),
                &options
            ),
            Some(Reason::SizeDiffers)
        );
        options.size_only = true;
        assert_eq!(
            compare_files(
                (Some(5), Some(T)),
                (Some(5), Some(T + 3600), TimePrecision::Exact),
                &options
            ),
            None
        );
    }
    use super::super::walk::{FailedFolder, RemoteFile};
    use crate::ftp::FtpError;

    const T: i64 = 1_700_000_000;

    fn remote_entry(size: u64, modified: i64, exact: bool) -> RemoteFile {
        RemoteFile {
            size: Some(size),
            modified: Some(modified),
            precision: if exact {
                TimePrecision::Exact
            } else {
                TimePrecision::Listed
            },
            link: false,
        }
    }

    /// local: same.txt, newer.txt (newer), older.txt (older), sized.txt (same time, other
    /// size), mine.txt, sub/deep.txt, only-mine/; remote: the shared ones, theirs.txt, gone/x.
    fn trees() -> (LocalTree, RemoteTree) {
        let local = LocalTree {
            dirs: vec![PathBuf::from("sub"), PathBuf::from("only-mine")],
            files: vec![
                (PathBuf::from("same.txt"), 10, Some(T)),
                (PathBuf::from("newer.txt"), 10, Some(T + 100)),
                (PathBuf::from("older.txt"), 10, Some(T - 100)),
                (PathBuf::from("sized.txt"), 11, Some(T)),
                (PathBuf::from("mine.txt"), 5, Some(T)),
                (PathBuf::from("sub/deep.txt"), 5, Some(T)),
            ],
            ..LocalTree::default()
        };
        let remote = RemoteTree {
            dirs: vec!["sub".into(), "gone".into(), "gone/deeper".into()],
            files: vec![
                ("same.txt".into(), remote_entry(10, T + 1, true)),
                ("newer.txt".into(), remote_entry(10, T, true)),
                ("older.txt".into(), remote_entry(10, T, true)),
                ("sized.txt".into(), remote_entry(12, T, true)),
                ("theirs.txt".into(), remote_entry(7, T, true)),
                ("gone/x".into(), remote_entry(1, T, true)),
                ("gone/deeper/y".into(), remote_entry(1, T, true)),
            ],
            ..RemoteTree::default()
        };
        (local, remote)
    }

    fn lines(actions: &[SyncAction]) -> Vec<String> {
        actions.iter().map(SyncAction::describe).collect()
    }

    #[test]
    fn an_upload_mirror_makes_the_server_like_here_and_deletes_only_when_asked() {
        let (local, remote) = trees();
        let mut options = SyncOptions::new(SyncDirection::Upload);
        options.delete = true;
        assert_eq!(
            lines(&compare(&local, &remote, &options)),
            vec![
                "mkdir remote  only-mine/",
                "upload        mine.txt (only here)",
                "upload        newer.txt (newer here)",
                "upload        older.txt (newer on the server)",
                "upload        sized.txt (different size)",
                "upload        sub/deep.txt (only here)",
                "delete remote theirs.txt",
                "delete remote gone/",
            ]
        );
        options.delete = false;
        let without = compare(&local, &remote, &options);
        assert!(!lines(&without).iter().any(|l| l.starts_with("delete")));
    }

    #[test]
    fn a_download_mirror_is_the_same_the_other_way() {
        let (local, remote) = trees();
        let mut options = SyncOptions::new(SyncDirection::Download);
        options.delete = true;
        assert_eq!(
            lines(&compare(&local, &remote, &options)),
            vec![
                "mkdir local   gone/",
                "mkdir local   gone/deeper/",
                "download      newer.txt (newer here)",
                "download      older.txt (newer on the server)",
                "download      sized.txt (different size)",
                "download      gone/deeper/y (only on the server)",
                "download      gone/x (only on the server)",
                "download      theirs.txt (only on the server)",
                "delete local  mine.txt",
                "delete local  sub/deep.txt",
                "delete local  only-mine/",
            ]
        );
    }

    #[test]
    fn both_ways_copies_the_newer_and_the_missing_and_never_deletes() {
        let (local, remote) = trees();
        let mut options = SyncOptions::new(SyncDirection::Both);
        options.delete = true;
        assert_eq!(
            lines(&compare(&local, &remote, &options)),
            vec![
                "mkdir local   gone/",
                "mkdir local   gone/deeper/",
                "mkdir remote  only-mine/",
                "upload        mine.txt (only here)",
                "upload        newer.txt (newer here)",
                "download      older.txt (newer on the server)",
                "conflict      sized.txt (different size; left alone)",
                "upload        sub/deep.txt (only here)",
                "download      gone/deeper/y (only on the server)",
                "download      gone/x (only on the server)",
                "download      theirs.txt (only on the server)",
            ]
        );
    }

    #[test]
    fn list_times_get_a_minute_and_the_offset_and_size_only_ignores_times() {
        let local = LocalTree {
            files: vec![(PathBuf::from("a"), 3, Some(T))],
            ..LocalTree::default()
        };
        // LIST time to the minute, 40 s off: the same file.
        let remote = RemoteTree {
            files: vec![("a".into(), remote_entry(3, T - 40, false))],
            ..RemoteTree::default()
        };
        let options = SyncOptions::new(SyncDirection::Upload);
        assert!(compare(&local, &remote, &options).is_empty());
        // A server an hour behind in its LIST times: newer by an hour, unless the offset says so.
        let remote = RemoteTree {
            files: vec![("a".into(), remote_entry(3, T - 3600, false))],
            ..RemoteTree::default()
        };
        assert_eq!(compare(&local, &remote, &options).len(), 1);
        let mut offset = options;
        offset.remote_offset_seconds = 3600;
        assert!(compare(&local, &remote, &offset).is_empty());
        let mut size_only = options;
        size_only.size_only = true;
        assert!(compare(&local, &remote, &size_only).is_empty());
    }

    #[test]
    fn equal_trees_need_nothing() {
        let (local, _) = trees();
        let remote = RemoteTree {
            dirs: vec!["sub".into(), "only-mine".into()],
            files: local
                .files
                .iter()
                .map(|(p, size, t)| (slash_path(p).into(), remote_entry(*size, t.unwrap(), true)))
                .collect(),
            ..RemoteTree::default()
        };
        for direction in [
            SyncDirection::Upload,
            SyncDirection::Download,
            SyncDirection::Both,
        ] {
            let mut options = SyncOptions::new(direction);
            options.delete = true;
            assert_eq!(compare(&local, &remote, &options), vec![], "{direction:?}");
        }
    }

    fn failed(path: &str) -> FailedFolder {
        FailedFolder {
            path: path.into(),
            error: FtpError::Protocol("cannot list it".into()),
        }
    }

    #[test]
    fn nothing_at_or_under_a_folder_that_failed_to_list_is_touched_on_either_side() {
        let (mut local, mut remote) = trees();
        // The server could not list gone/ (it holds gone/x, gone/deeper/y), nor sub/; here,
        // only-mine/ could not be read.
        remote.failed.push(failed("gone"));
        remote.failed.push(failed("sub"));
        remote.files.retain(|(p, _)| !p.starts_with("gone/"));
        remote.dirs.retain(|d| !d.starts_with("gone/"));
        local
            .failed
            .push((PathBuf::from("only-mine"), "denied".into()));
        for direction in [SyncDirection::Upload, SyncDirection::Download] {
            let mut options = SyncOptions::new(direction);
            options.delete = true;
            let actions = lines(&compare(&local, &remote, &options));
            for action in &actions {
                for folder in ["gone", "sub", "only-mine"] {
                    assert!(!action.contains(&format!(" {folder}")), "{action}");
                }
            }
            assert!(!actions.is_empty(), "{direction:?}: the rest is compared");
        }
    }

    #[test]
    fn deleting_never_goes_through_a_link() {
        let local = LocalTree {
            files: vec![(PathBuf::from("keep.txt"), 4, Some(T))],
            ..LocalTree::default()
        };
        // The server's shared -> ../outside was followed: its folder and the target's files.
        let remote = RemoteTree {
            dirs: vec!["shared".into(), "shared/deep".into()],
            linked_dirs: vec!["shared".into()],
            files: vec![
                ("keep.txt".into(), remote_entry(4, T, true)),
                ("shared/t1.txt".into(), remote_entry(7, T, true)),
                ("shared/deep/t2.txt".into(), remote_entry(8, T, true)),
            ],
            ..RemoteTree::default()
        };
        let mut options = SyncOptions::new(SyncDirection::Upload);
        options.delete = true;
        assert_eq!(
            lines(&compare(&local, &remote, &options)),
            vec!["delete remote shared"],
            "the link, as a file"
        );
        // The other way: a local link to a folder, only here.
        let local = LocalTree {
            dirs: vec![PathBuf::from("mine"), PathBuf::from("mine/sub")],
            linked_dirs: vec![PathBuf::from("mine")],
            files: vec![(PathBuf::from("mine/sub/x"), 1, Some(T))],
            ..LocalTree::default()
        };
        let mut options = SyncOptions::new(SyncDirection::Download);
        options.delete = true;
        assert_eq!(
            lines(&compare(&local, &RemoteTree::default(), &options)),
            vec!["delete local  mine/"]
        );
    }
    #[test]
    fn a_folder_holding_one_that_failed_to_list_is_never_deleted_whole() {
        // The server: x/a.txt and x/sub/, which it could not list. Nothing here.
        let remote = RemoteTree {
            dirs: vec!["x".into(), "x/sub".into()],
            files: vec![("x/a.txt".into(), remote_entry(4, T, true))],
            failed: vec![failed("x/sub")],
            ..RemoteTree::default()
        };
        let mut options = SyncOptions::new(SyncDirection::Upload);
        options.delete = true;
        assert_eq!(
            lines(&compare(&LocalTree::default(), &remote, &options)),
            vec!["delete remote x/a.txt"],
            "what was seen, one by one; x/ stays with what nobody saw"
        );
        // The same here: x/f and x/sub/, which could not be read.
        let local = LocalTree {
            dirs: vec![PathBuf::from("x"), PathBuf::from("x/sub")],
            files: vec![(PathBuf::from("x/f"), 1, Some(T))],
            failed: vec![(PathBuf::from("x/sub"), "denied".into())],
            ..LocalTree::default()
        };
        let mut options = SyncOptions::new(SyncDirection::Download);
        options.delete = true;
        assert_eq!(
            lines(&compare(&local, &RemoteTree::default(), &options)),
            vec!["delete local  x/f"]
        );
    }

    #[test]
    fn a_link_inside_a_linked_folder_is_never_deleted_through_it() {
        // shared -> elsewhere was followed, and inside it inner -> more; shared/ is here too,
        // so shared itself stays, and inner is reached through shared.
        let local = LocalTree {
            dirs: vec![PathBuf::from("shared")],
            ..LocalTree::default()
        };
        let remote = RemoteTree {
            dirs: vec!["shared".into(), "shared/inner".into()],
            linked_dirs: vec!["shared".into(), "shared/inner".into()],
            ..RemoteTree::default()
        };
        let mut options = SyncOptions::new(SyncDirection::Upload);
        options.delete = true;
        assert_eq!(
            lines(&compare(&local, &remote, &options)),
            Vec::<String>::new()
        );
    }
}
