//! Untrusted remote file names → safe local paths.
//!
//! An FTP server chooses the names in its listings, and a hostile or broken one can list
//! `../x`, `/etc/passwd`, `C:\Windows\x`, `CON`, names with line breaks or NUL, names that end
//! in a dot or a space, or names longer than any local file system allows. A recursive download
//! must never create or overwrite anything outside the folder the user chose, so every remote
//! name goes through [`safe_component`] and every remote path through [`local_path`] (or
//! [`checked_target`] right before writing).
//!
//! The Windows rules apply on every platform: a download on Linux onto an SMB share, or a later
//! copy of the folder to Windows, must be just as safe, and one behaviour everywhere is easier to
//! test and to explain. The rules:
//!
//! - `/` and `\` (separators), control characters (`char::is_control`: U+0000–U+001F,
//!   U+007F–U+009F) and `< > : " | ? *` are each replaced by **`_`** (U+005F). Plain ASCII was
//!   chosen over look-alike Unicode characters (such as `∕` or `：`): it is what users expect
//!   from other clients, it types on every keyboard, it survives every file system and
//!   encoding, and it cannot itself be mistaken for a separator in a log line.
//! - Reserved device names (`CON`, `PRN`, `AUX`, `NUL`, `CONIN$`, `CONOUT$`, `COM0`–`COM9`,
//!   `LPT0`–`LPT9`, `COM¹²³`, `LPT¹²³`, any case, also before an extension and with spaces
//!   around them) get a `_` after the device name: `CON` → `CON_`, `nul.tar.gz` → `nul_.tar.gz`.
//! - A run of trailing dots and spaces (which Windows silently strips) is replaced by as many
//!   `_`: `file.` → `file_`, `name  ` → `name__`.
//! - Names longer than 255 bytes of UTF-8 (the Linux and macOS limit; never more than 255
//!   UTF-16 units, the Windows limit) are shortened on a character boundary, keeping an
//!   extension of at most 32 bytes.
//! - Invisible format characters that change how a name *looks* are replaced by `_` too:
//!   the bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), which
//!   make a file manager show `report\u{202e}fdp.exe` as `reportexe.pdf`, and the zero-width
//!   and invisible characters (U+200B, U+2060–U+2064, U+FEFF, U+00AD, U+180E, U+206A–U+206F,
//!   U+FFF9–U+FFFB). The joiners U+200C and U+200D stay: Persian, the Indic scripts and emoji
//!   need them, and they cannot reorder or hide text.
//! - `""`, `.` and `..` are refused: the entry is skipped.
//!
//! - A name ending in `.ferry-part` (any case) gets a `_` at the end: that suffix marks Ferry's
//!   own partial downloads ([`partial_path`]), and no remote file may pass for one.
//!
//! Names that become equal once made safe (`a:b`, `a?b` and a real `a_b`), or that differ only
//! by case on a case-insensitive target, are told apart by [`LocalNames`] while a folder
//! transfer is planned: each gets a name of its own (`a_b (1)`), and the plan reports it.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The longest file name, in bytes of UTF-8, that this module produces.
const MAX_NAME_BYTES: usize = 255;

/// The longest extension (with its dot), in bytes, kept when a name has to be shortened.
const MAX_EXTENSION_BYTES: usize = 32;

/// What replaces every character that cannot appear in a local file name.
const REPLACEMENT: char = '_';

/// Characters Windows refuses in file names (besides separators and control characters).
const WINDOWS_INVALID: [char; 7] = ['<', '>', ':', '"', '|', '?', '*'];

/// Why a remote name cannot become a local file name as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    /// The name is empty.
    Empty,
    /// The name is `.` or `..`.
    DotOrDotDot,
    /// The name contains `/` or `\`.
    Separator,
    /// The name contains a control character (line break, NUL, tab, escape, ...).
    Control,
    /// The name contains an invisible format character (a bidirectional override, a
    /// zero-width space, ...) that would make it look like another name.
    Invisible,
    /// The name is a Windows device name (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`,
    /// `LPT1`–`LPT9`, ...), possibly with an extension.
    Reserved,
    /// The name ends with a dot or a space, which Windows strips.
    TrailingDotOrSpace,
    /// The name is longer than 255 bytes of UTF-8.
    TooLong,
    /// The name contains one of `< > : " | ? *`.
    InvalidWindowsChar,
    /// The name ends like one of Ferry's partial downloads (`.ferry-part`).
    PartialSuffix,
}

impl NameProblem {
    /// Lower is more serious; [`SafeName::changed`] reports the most serious problem.
    fn rank(&self) -> u8 {
        match self {
            NameProblem::Empty => 0,
            NameProblem::DotOrDotDot => 1,
            NameProblem::Separator => 2,
            NameProblem::Control => 3,
            NameProblem::Invisible => 4,
            NameProblem::InvalidWindowsChar => 5,
            NameProblem::Reserved => 6,
            NameProblem::TrailingDotOrSpace => 7,
            NameProblem::TooLong => 8,
            NameProblem::PartialSuffix => 9,
        }
    }
}

impl fmt::Display for NameProblem {
    /// A short English description for the log and the UI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameProblem::Empty => "empty name",
            NameProblem::DotOrDotDot => "name is . or ..",
            NameProblem::Separator => "name contains a path separator",
            NameProblem::Control => "name contains a control character",
            NameProblem::Invisible => {
                "name contains an invisible character that changes how it looks (such as a right-to-left override)"
            }
            NameProblem::Reserved => "name is a reserved device name",
            NameProblem::TrailingDotOrSpace => "name ends with a dot or a space",
            NameProblem::TooLong => "name is longer than 255 bytes",
            NameProblem::InvalidWindowsChar => "name contains a character Windows forbids",
            NameProblem::PartialSuffix => "name ends like a Ferry partial download (.ferry-part)",
        })
    }
}

/// A remote name made safe for the local file system, and what had to change (for the log/UI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeName {
    /// The local file name: one path component, never empty, `.` or `..`.
    pub name: String,
    /// None if the remote name was used as it is; otherwise the most serious problem that was
    /// fixed (separator, control, Windows character, reserved, trailing dot or space, too long).
    pub changed: Option<NameProblem>,
}

/// Keeps the more serious of two problems.
fn note(changed: &mut Option<NameProblem>, problem: NameProblem) {
    if changed.as_ref().is_none_or(|c| problem.rank() < c.rank()) {
        *changed = Some(problem);
    }
}

/// Makes one remote path component a safe local file name, or None if the entry must be
/// skipped (`""`, `.`, `..`).
///
/// Characters that cannot appear in a file name (`/`, `\`, control characters,
/// `< > : " | ? *`) are each replaced by the ASCII `_`; a reserved device name gets a `_`
/// after it, before any extension (`CON.txt` → `CON_.txt`); trailing dots and spaces are
/// replaced by `_` (`file.` → `file_`); a name longer than 255 bytes of UTF-8 is shortened on
/// a character boundary, keeping its extension. The module documentation has the full rules.
/// The result is stable: a safe name comes back unchanged, with `changed` None.
pub fn safe_component(remote_name: &str) -> Option<SafeName> {
    if remote_name.is_empty() || remote_name == "." || remote_name == ".." {
        return None;
    }
    let mut changed = None;
    let mut name = String::with_capacity(remote_name.len());
    for c in remote_name.chars() {
        let problem = if c == '/' || c == '\\' {
            Some(NameProblem::Separator)
        } else if c.is_control() {
            Some(NameProblem::Control)
        } else if is_invisible_format(c) {
            Some(NameProblem::Invisible)
        } else if WINDOWS_INVALID.contains(&c) {
            Some(NameProblem::InvalidWindowsChar)
        } else {
            None
        };
        match problem {
            Some(problem) => {
                note(&mut changed, problem);
                name.push(REPLACEMENT);
            }
            None => name.push(c),
        }
    }
    // Device names first: the inserted '_' may push the name over the limit, and shortening
    // keeps the start of the name (at least 223 bytes of it), so it cannot undo this.
    if let Some(at) = reserved_device_end(&name) {
        name.insert(at, REPLACEMENT);
        note(&mut changed, NameProblem::Reserved);
    }
    if name.len() > MAX_NAME_BYTES {
        name = shorten(&name, MAX_NAME_BYTES);
        note(&mut changed, NameProblem::TooLong);
    }
    // Last, as shortening may leave a dot or a space at the end. One-byte characters are
    // replaced by one-byte characters, so the length stays within the limit.
    let kept = name.trim_end_matches(['.', ' ']).len();
    if kept < name.len() {
        let stripped = name.len() - kept;
        name.truncate(kept);
        name.extend(std::iter::repeat_n(REPLACEMENT, stripped));
        note(&mut changed, NameProblem::TrailingDotOrSpace);
    }
    if has_partial_suffix(&name) {
        if name.len() >= MAX_NAME_BYTES {
            name = shorten(&name, MAX_NAME_BYTES - 1);
        }
        name.push(REPLACEMENT);
        note(&mut changed, NameProblem::PartialSuffix);
    }
    Some(SafeName { name, changed })
}

/// Whether `c` is an invisible format character that can disguise a name: a bidirectional
/// control (it reorders what follows: `report\u{202e}fdp.exe` shows as `reportexe.pdf`) or a
/// character that draws nothing (a zero-width space makes `a\u{200b}b` look like `ab`).
/// The zero-width joiner and non-joiner are kept: real names in Persian, the Indic scripts and
/// emoji sequences need them.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{061c}'
            | '\u{180e}'
            | '\u{200b}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

/// What ends the name of every partial download Ferry writes.
pub const PARTIAL_SUFFIX: &str = ".ferry-part";

fn has_partial_suffix(name: &str) -> bool {
    name.len() >= PARTIAL_SUFFIX.len()
        && name.is_char_boundary(name.len() - PARTIAL_SUFFIX.len())
        && name[name.len() - PARTIAL_SUFFIX.len()..].eq_ignore_ascii_case(PARTIAL_SUFFIX)
}

/// Where a download of `target` is written until it is complete and verified:
/// `<name>.<tag>.ferry-part` beside it, renamed to `target` only at the end, so nothing
/// half-written ever carries the final name.
///
/// The tag is a digest of the remote file's identity (its path, size and modification time,
/// and the target's name), so a partial file is continued only by a download of the same
/// version of the same file: never by another remote file that happens to map to the same
/// name (a remote `X.part` beside `X`), nor after the file changed on the server. No remote
/// name can produce this name ([`safe_component`] changes names ending in
/// [`PARTIAL_SUFFIX`]). Names near the 255-byte limit are shortened first, so the partial name
/// always fits the file system.
pub fn partial_path(
    target: &Path,
    remote: &str,
    size: Option<u64>,
    modified: Option<i64>,
) -> PathBuf {
    use sha2::{Digest, Sha256};
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut identity = Sha256::new();
    for part in [
        name.as_bytes(),
        remote.as_bytes(),
        &size.map_or([0xff; 8], u64::to_le_bytes),
        &modified.map_or([0xff; 8], i64::to_le_bytes),
    ] {
        identity.update((part.len() as u64).to_le_bytes());
        identity.update(part);
    }
    let digest = identity.finalize();
    let tag: String = digest[..TAG_BYTES]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let suffix = format!(".{tag}{PARTIAL_SUFFIX}");
    let keep = name.floor_char_boundary(MAX_NAME_BYTES - suffix.len());
    let partial = format!("{}{suffix}", &name[..keep]);
    target.with_file_name(partial)
}

/// Bytes of the identity digest in a partial file's tag (two hex digits each).
const TAG_BYTES: usize = 4;

/// Whether `candidate` (a file name in the target's folder) is a partial download of the file
/// named `target_name`, of any version: `<target_name>.<tag>.ferry-part`. Once the target is
/// complete, such a file of another version can never be continued (its tag names a size or
/// time the server no longer has) and only takes space.
///
/// A name too long to keep whole in its partial name answers false: its shortened prefix may
/// be shared by another file's partial download, which must not be taken for a stale one.
pub fn is_partial_of(target_name: &str, candidate: &str) -> bool {
    let suffix_len = 1 + 2 * TAG_BYTES + PARTIAL_SUFFIX.len();
    if target_name.len() + suffix_len > MAX_NAME_BYTES {
        return false;
    }
    let Some(rest) = candidate
        .strip_prefix(target_name)
        .and_then(|r| r.strip_prefix('.'))
        .and_then(|r| r.strip_suffix(PARTIAL_SUFFIX))
    else {
        return false;
    };
    rest.len() == 2 * TAG_BYTES && rest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether the file system holding `dir` treats names that differ only by case as the same
/// (Windows, macOS by default, a FAT or exFAT stick on Linux). Probed with a scratch file;
/// when the probe cannot run, the platform's usual answer.
pub fn is_case_insensitive(dir: &Path) -> bool {
    let fallback = cfg!(any(windows, target_os = "macos"));
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let lower = dir.join(format!(".ferry-case-probe-{}-{stamp}", std::process::id()));
    let upper = dir.join(format!(".FERRY-CASE-PROBE-{}-{stamp}", std::process::id()));
    if fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&lower)
        .is_err()
    {
        return fallback;
    }
    let insensitive = fs::symlink_metadata(&upper).is_ok();
    let _ = fs::remove_file(&lower);
    insensitive
}

/// Local names for the entries of a folder transfer, unique within each local folder.
///
/// Several remote names can map to one local name: `a:b`, `a?b` and `a|b` all become `a_b`
/// (and a real `a_b` may sit beside them), and on a case-insensitive target `Readme.txt` and
/// `README.TXT` are one file. Without this, the second download would overwrite the first.
/// Each folder's entries are named in a fixed order (names that needed no change first, then
/// by remote name), so a re-run maps every remote file to the same local file as before; the
/// later ones get `name (1).ext`, `name (2).ext`, ... and a note saying why.
#[derive(Debug)]
pub struct LocalNames {
    case_insensitive: bool,
    /// Local relative path of each remote folder ("" is the root).
    dirs: std::collections::HashMap<String, PathBuf>,
    /// Names in use in each local folder (folded when case-insensitive).
    used: std::collections::HashMap<PathBuf, std::collections::HashSet<String>>,
}

/// Where [`LocalNames::assign`] put one entry, or why it could not.
pub type Placed = Result<Assigned, String>;

/// A remote entry's local place, from [`LocalNames::assign`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    /// Relative to the transfer's local root.
    pub local: PathBuf,
    /// Why the local name differs from the remote one, for the report; None if it does not.
    pub note: Option<String>,
}

impl LocalNames {
    /// Names for a target that is (or is not) case-insensitive ([`is_case_insensitive`]).
    pub fn new(case_insensitive: bool) -> LocalNames {
        let mut dirs = std::collections::HashMap::new();
        dirs.insert(String::new(), PathBuf::new());
        LocalNames {
            case_insensitive,
            dirs,
            used: std::collections::HashMap::new(),
        }
    }

    /// Assigns local names to a whole tree: `dirs` and `files` are remote paths relative to
    /// the transfer root, with `/`. Returns one result per input path (folders first, then
    /// files, each in input order): the local place, or why the entry cannot be transferred (a
    /// refused name, or one inside a folder that was refused).
    pub fn assign(&mut self, dirs: &[String], files: &[String]) -> (Vec<Placed>, Vec<Placed>) {
        // Every entry with its parent, named parents first (a folder is named before what is
        // inside it), and within one parent in the stable order described above.
        let mut order: Vec<(usize, bool, &str)> = dirs
            .iter()
            .enumerate()
            .map(|(i, p)| (i, true, p.as_str()))
            .chain(
                files
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (i, false, p.as_str())),
            )
            .collect();
        let depth = |p: &str| p.matches('/').count();
        let split = |p: &str| -> (String, String) {
            match p.rsplit_once('/') {
                Some((parent, name)) => (parent.to_owned(), name.to_owned()),
                None => (String::new(), p.to_owned()),
            }
        };
        order.sort_by_cached_key(|(_, _, p)| {
            let (parent, name) = split(p);
            let changed = safe_component(&name).is_none_or(|s| s.changed.is_some());
            (depth(p), parent, changed, name)
        });
        let mut dir_results = vec![Err(String::new()); dirs.len()];
        let mut file_results = vec![Err(String::new()); files.len()];
        for (index, is_dir, path) in order {
            let (parent, name) = split(path);
            let result = self.assign_one(&parent, &name, path);
            if is_dir && let Ok(assigned) = &result {
                self.dirs.insert(path.to_owned(), assigned.local.clone());
            }
            if is_dir {
                dir_results[index] = result;
            } else {
                file_results[index] = result;
            }
        }
        (dir_results, file_results)
    }

    fn assign_one(&mut self, parent: &str, name: &str, path: &str) -> Result<Assigned, String> {
        let Some(local_parent) = self.dirs.get(parent).cloned() else {
            return Err(format!(
                "{path:?}: its folder could not be given a local name"
            ));
        };
        let safe =
            safe_component(name).ok_or_else(|| format!("{path:?}: not a usable file name"))?;
        let used = self.used.entry(local_parent.clone()).or_default();
        let fold = |n: &str| {
            if self.case_insensitive {
                n.to_lowercase()
            } else {
                n.to_owned()
            }
        };
        let mut chosen = safe.name.clone();
        let mut n = 0u64;
        while used.contains(&fold(&chosen)) {
            n += 1;
            let extension = short_extension(&safe.name);
            let stem = &safe.name[..safe.name.len() - extension.len()];
            let suffix = format!(" ({n}){extension}");
            let keep = stem.floor_char_boundary(MAX_NAME_BYTES.saturating_sub(suffix.len()));
            chosen = format!("{}{suffix}", &stem[..keep]);
        }
        used.insert(fold(&chosen));
        let note = if n > 0 {
            Some(format!(
                "{path:?} saved as {chosen:?}: another name in the same folder {}",
                if self.case_insensitive && safe.changed.is_none() {
                    "is the same on this case-insensitive disk".to_owned()
                } else {
                    format!("also becomes {:?}", safe.name)
                }
            ))
        } else {
            safe.changed
                .map(|problem| format!("{path:?} saved as {chosen:?} ({problem})"))
        };
        Ok(Assigned {
            local: local_parent.join(chosen),
            note,
        })
    }
}

/// If `name` is a Windows device name (its part before the first dot, spaces around it
/// ignored, is one), the byte offset just after the device name, where a '_' makes it safe.
fn reserved_device_end(name: &str) -> Option<usize> {
    let base = name.split('.').next().unwrap_or(name);
    let leading = base.len() - base.trim_start_matches(' ').len();
    let device = base.trim_matches(' ');
    is_device_name(device).then_some(leading + device.len())
}

/// Whether `base` (no dot, no surrounding spaces) names a Windows device.
fn is_device_name(base: &str) -> bool {
    let upper = base.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) {
        return true;
    }
    match upper
        .strip_prefix("COM")
        .or_else(|| upper.strip_prefix("LPT"))
    {
        Some(number) => {
            let mut chars = number.chars();
            matches!(
                (chars.next(), chars.next()),
                (Some('0'..='9' | '¹' | '²' | '³'), None)
            )
        }
        None => false,
    }
}

/// The extension of `name` with its dot (`.txt`), if it has one of at most
/// [`MAX_EXTENSION_BYTES`]; leading dots (`.bashrc`, `..x`) do not start an extension.
fn short_extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(dot)
            if name.len() - dot <= MAX_EXTENSION_BYTES
                && !name[..dot].trim_start_matches('.').is_empty() =>
        {
            &name[dot..]
        }
        _ => "",
    }
}

/// Shortens `name` to at most `max` bytes on a character boundary, keeping a short extension.
fn shorten(name: &str, max: usize) -> String {
    let extension = short_extension(name);
    let stem = &name[..name.len() - extension.len()];
    let budget = max.saturating_sub(extension.len());
    let keep = stem.floor_char_boundary(budget);
    format!("{}{extension}", &stem[..keep])
}

/// Maps a remote path relative to the transfer root (`a/b/c.txt`, with `/` as separator, as
/// FTP listings give it) to a local path inside `local_root`, each component made safe by
/// [`safe_component`]; None if any component is refused.
///
/// The result is `local_root` joined with only `Normal` components, one for each remote
/// component: this is verified with `Path::components()` and `starts_with(local_root)` before
/// returning (a failed check returns None rather than panicking).
///
/// An empty component refuses the whole path, so `""`, `/etc/passwd` (absolute), `a//b` and
/// `a/` are refused, as are `.` and `..` anywhere. The list holds one problem for each
/// component that had to change, in path order.
pub fn local_path(local_root: &Path, remote_relative: &str) -> Option<(PathBuf, Vec<NameProblem>)> {
    let mut relative = PathBuf::new();
    let mut problems = Vec::new();
    let mut count = 0usize;
    for part in remote_relative.split('/') {
        let safe = safe_component(part)?;
        problems.extend(safe.changed);
        relative.push(safe.name);
        count += 1;
    }
    let path = local_root.join(&relative);
    let inside = path.strip_prefix(local_root).ok()?;
    let mut normal = 0usize;
    for component in inside.components() {
        if !matches!(component, Component::Normal(_)) {
            return None;
        }
        normal += 1;
    }
    if normal != count || count == 0 || !path.starts_with(local_root) {
        return None;
    }
    Some((path, problems))
}

/// Resolves the final path for writing: like [`local_path`], and also refuses if any existing
/// path between `local_root` and the target is a symbolic link (checked with
/// `symlink_metadata`), since a hostile earlier download or the user's own link must not
/// redirect writes outside the root.
///
/// `local_root` itself may be a link (the user chose it). The target itself is refused too if
/// it is a symlink (writing would follow it), and so is an existing ancestor that is not a
/// folder. On Windows, junctions count as symlinks. The check cannot stop a link created
/// between it and the write; it stops everything a download itself could have left behind.
/// Error messages quote names with Rust escapes, so a line break cannot reach the log.
pub fn checked_target(local_root: &Path, remote_relative: &str) -> Result<PathBuf, String> {
    let (target, _) = local_path(local_root, remote_relative)
        .ok_or_else(|| format!("refusing unsafe remote path {remote_relative:?}"))?;
    check_ancestors(local_root, target, remote_relative)
}

/// Like [`checked_target`], for a local path already made of safe names (from
/// [`LocalNames`]), relative to `local_root`.
///
/// # Errors
/// A component that is not a plain name, or a link or file where a folder should be.
pub fn checked_local(local_root: &Path, relative: &Path, remote: &str) -> Result<PathBuf, String> {
    if relative.as_os_str().is_empty()
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(format!("refusing unsafe local path for {remote:?}"));
    }
    check_ancestors(local_root, local_root.join(relative), remote)
}

fn check_ancestors(
    local_root: &Path,
    target: PathBuf,
    remote_relative: &str,
) -> Result<PathBuf, String> {
    let inside = target
        .strip_prefix(local_root)
        .map_err(|_| format!("refusing remote path {remote_relative:?}: outside the folder"))?;
    let mut current = local_root.to_path_buf();
    for component in inside.components() {
        current.push(component);
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "refusing to write {remote_relative:?}: {:?} is a symbolic link",
                    current.display().to_string()
                ));
            }
            Ok(meta) if current != target && !meta.is_dir() => {
                return Err(format!(
                    "refusing to write {remote_relative:?}: {:?} is not a folder",
                    current.display().to_string()
                ));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => break,
            Err(e) => {
                return Err(format!(
                    "cannot check {:?}: {e}",
                    current.display().to_string()
                ));
            }
        }
    }
    Ok(target)
}

/// For the file-exists "rename" policy: the first of `name (1).ext`, `name (2).ext`, ... that
/// does not exist in `dir`.
///
/// Always numbered, starting at 1, whether or not `name` itself exists. The extension is the
/// part from the last dot (`a.tar.gz` → `a.tar (1).gz`); leading dots do not start one
/// (`.bashrc` → `.bashrc (1)`, `.config.bak` → `.config (1).bak`). A link counts as existing even if it is dangling. The name is
/// shortened if the number would make it longer than 255 bytes. `name` should come from
/// [`safe_component`]; anything else goes through it first (a refused name becomes `_`), so the
/// result is always directly inside `dir`. If the folder cannot be read, the first candidate
/// is returned and the write itself reports the error.
pub fn unique_name(dir: &Path, name: &str) -> PathBuf {
    let name = safe_component(name).map_or_else(|| REPLACEMENT.to_string(), |safe| safe.name);
    let extension = short_extension(&name);
    let stem = &name[..name.len() - extension.len()];
    let mut candidate = dir.join(&name);
    for n in 1..=u64::MAX {
        let suffix = format!(" ({n}){extension}");
        let keep = stem.floor_char_boundary(MAX_NAME_BYTES.saturating_sub(suffix.len()));
        candidate = dir.join(format!("{}{suffix}", &stem[..keep]));
        // Not found is free; any other error (an unreadable folder) is left to the write.
        if fs::symlink_metadata(&candidate).is_err() {
            return candidate;
        }
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `name` is a name `safe_component` may produce.
    fn is_safe(name: &str) -> bool {
        !name.is_empty()
            && name != "."
            && name != ".."
            && name.len() <= MAX_NAME_BYTES
            && !name.ends_with(['.', ' '])
            && !name
                .chars()
                .any(|c| c == '/' || c == '\\' || c.is_control() || WINDOWS_INVALID.contains(&c))
            && reserved_device_end(name).is_none()
    }

    fn hostile_names() -> Vec<String> {
        let mut names: Vec<String> = [
            "../x",
            "/etc/passwd",
            "a/../../b",
            "CON",
            "con.TXT",
            "COM1",
            "LPT9.log",
            "nul",
            "name with\nnewline",
            "carriage\rreturn",
            "nul\0byte",
            "tab\there",
            "escape\x1b[31m",
            "C:\\Windows\\x",
            "\\\\server\\share",
            "..",
            ".",
            "",
            "file.",
            "file ",
            "a:b",
            "?",
            "..\\..\\evil",
            "a/./b",
            "a//b",
            "a/",
            "/",
            "./a",
            "sub/../../../escape",
            "...",
            " ",
            "CON/inner.txt",
            "aux/inner.txt",
            "aux .txt",
            "COM¹",
            "lpt².x",
            "CONOUT$",
            "dir/..",
            "Readme.txt",
            "README.TXT",
            "ok/nested/file.txt",
            "stream.txt:ads",
            "del\u{7f}ete",
            "c1\u{85}next",
            "\u{202e}txt.exe",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        names.push(format!("{}.ext", "a".repeat(396)));
        names.push("é".repeat(150));
        names.push("😀".repeat(75));
        names.push(format!("dir/{}.tar", "日".repeat(100)));
        names
    }

    #[test]
    fn expected_component_names() {
        use NameProblem::*;
        type Expected = Option<(&'static str, Option<NameProblem>)>;
        let table: &[(&str, Expected)] = &[
            ("plain.txt", Some(("plain.txt", None))),
            (".bashrc", Some((".bashrc", None))),
            ("ünïcödé 名前.txt", Some(("ünïcödé 名前.txt", None))),
            ("", None),
            (".", None),
            ("..", None),
            ("../x", Some((".._x", Some(Separator)))),
            ("/etc/passwd", Some(("_etc_passwd", Some(Separator)))),
            ("CON", Some(("CON_", Some(Reserved)))),
            ("con.TXT", Some(("con_.TXT", Some(Reserved)))),
            ("COM1", Some(("COM1_", Some(Reserved)))),
            ("COM0", Some(("COM0_", Some(Reserved)))),
            ("com³.a.b", Some(("com³_.a.b", Some(Reserved)))),
            ("LPT9.log", Some(("LPT9_.log", Some(Reserved)))),
            ("nul", Some(("nul_", Some(Reserved)))),
            ("nul .txt", Some(("nul_ .txt", Some(Reserved)))),
            (" prn", Some((" prn_", Some(Reserved)))),
            ("conin$", Some(("conin$_", Some(Reserved)))),
            ("CONSOLE", Some(("CONSOLE", None))),
            ("COM10", Some(("COM10", None))),
            ("LPT", Some(("LPT", None))),
            ("xCON", Some(("xCON", None))),
            (
                "name with\nnewline",
                Some(("name with_newline", Some(Control))),
            ),
            ("a\rb", Some(("a_b", Some(Control)))),
            ("a\0b", Some(("a_b", Some(Control)))),
            ("a\tb", Some(("a_b", Some(Control)))),
            ("a\x1bb", Some(("a_b", Some(Control)))),
            ("C:\\Windows\\x", Some(("C__Windows_x", Some(Separator)))),
            (
                "\\\\server\\share",
                Some(("__server_share", Some(Separator))),
            ),
            ("file.", Some(("file_", Some(TrailingDotOrSpace)))),
            ("file ", Some(("file_", Some(TrailingDotOrSpace)))),
            ("file. .", Some(("file___", Some(TrailingDotOrSpace)))),
            ("...", Some(("___", Some(TrailingDotOrSpace)))),
            (" ", Some(("_", Some(TrailingDotOrSpace)))),
            ("a:b", Some(("a_b", Some(InvalidWindowsChar)))),
            ("?", Some(("_", Some(InvalidWindowsChar)))),
            ("<>:\"|?*", Some(("_______", Some(InvalidWindowsChar)))),
            ("CON:", Some(("CON_", Some(InvalidWindowsChar)))),
            ("con.", Some(("con__", Some(Reserved)))),
            ("a?b\n", Some(("a_b_", Some(Control)))),
        ];
        for (remote, expected) in table {
            let got = safe_component(remote);
            let expected = expected.clone().map(|(name, changed)| SafeName {
                name: name.to_owned(),
                changed,
            });
            assert_eq!(got, expected, "safe_component({remote:?})");
        }
    }

    #[test]
    fn long_names_are_shortened_on_char_boundaries() {
        let long = format!("{}.ext", "a".repeat(396));
        assert_eq!(long.len(), 400);
        let safe = safe_component(&long).unwrap();
        assert_eq!(safe.changed, Some(NameProblem::TooLong));
        assert_eq!(safe.name.len(), 255);
        assert!(safe.name.ends_with(".ext"));

        for c in ['é', '日', '😀'] {
            let count = 300 / c.len_utf8();
            let name: String = std::iter::repeat_n(c, count).collect();
            assert_eq!(name.len(), 300);
            let safe = safe_component(&name).unwrap();
            assert_eq!(safe.changed, Some(NameProblem::TooLong));
            assert!(safe.name.len() <= 255 && safe.name.len() > 255 - 4);
            assert!(safe.name.chars().all(|x| x == c));
            // With an extension, too.
            let safe = safe_component(&format!("{name}.dat")).unwrap();
            assert!(safe.name.len() <= 255 && safe.name.ends_with(".dat"));
            assert!(safe.name.trim_end_matches(".dat").chars().all(|x| x == c));
        }

        // An overlong "extension" is not kept.
        let safe = safe_component(&format!("a.{}", "b".repeat(300))).unwrap();
        assert_eq!(safe.name.len(), 255);
        assert!(safe.name.starts_with("a.b"));

        // Shortening that leaves a trailing dot or space replaces it.
        let safe = safe_component(&format!("{}.{}", "a".repeat(254), "b".repeat(40))).unwrap();
        assert_eq!(safe.name, format!("{}_", "a".repeat(254)));

        // The '_' a device name gets does not push it over the limit.
        let safe = safe_component(&format!("CON.{}", "x".repeat(251))).unwrap();
        assert!(safe.name.starts_with("CON_.") && safe.name.len() == 255);
        assert!(is_safe(&safe.name));

        // Exactly 255 bytes is fine.
        let exact = "z".repeat(255);
        assert_eq!(safe_component(&exact).unwrap().changed, None);
    }

    #[test]
    fn hostile_paths_stay_inside_the_root() {
        let root = Path::new("/srv/downloads/root");
        for remote in hostile_names() {
            match local_path(root, &remote) {
                None => {}
                Some((path, problems)) => {
                    assert!(path.starts_with(root), "{remote:?} → {path:?}");
                    let inside = path.strip_prefix(root).unwrap();
                    assert!(inside.components().count() >= 1);
                    for component in inside.components() {
                        let Component::Normal(name) = component else {
                            panic!("{remote:?} → {path:?} has {component:?}");
                        };
                        assert!(is_safe(name.to_str().unwrap()), "{remote:?} → {name:?}");
                    }
                    assert_eq!(
                        inside.components().count(),
                        remote.split('/').count(),
                        "{remote:?}"
                    );
                    assert!(problems.len() <= remote.split('/').count());
                }
            }
        }
        for refused in [
            "../x",
            "/etc/passwd",
            "a/../../b",
            "..",
            ".",
            "",
            "a//b",
            "a/",
            "/",
            "./a",
            "dir/..",
            "a/./b",
        ] {
            assert_eq!(local_path(root, refused), None, "{refused:?}");
        }
        let (path, problems) = local_path(root, "CON/x:y/ok.txt").unwrap();
        assert_eq!(path, root.join("CON_").join("x_y").join("ok.txt"));
        assert_eq!(
            problems,
            vec![NameProblem::Reserved, NameProblem::InvalidWindowsChar]
        );
        let (path, problems) = local_path(root, "C:\\Windows\\x").unwrap();
        assert_eq!(path, root.join("C__Windows_x"));
        assert_eq!(problems, vec![NameProblem::Separator]);
        let (path, problems) = local_path(Path::new(""), "a/b").unwrap();
        assert_eq!(path, Path::new("a").join("b"));
        assert!(problems.is_empty());
    }

    /// A small deterministic generator, so the property test needs no dependency.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn generated_names_always_come_out_safe_and_stable() {
        let alphabet: Vec<&str> = vec![
            ".", ".", " ", "/", "\\", ":", "?", "*", "<", ">", "|", "\"", "\0", "\n", "\r", "\t",
            "\u{1b}", "\u{7f}", "\u{85}", "a", "B", "é", "日", "😀", "CON", "nul", "com", "LPT",
            "1", "9", "¹", "³", "$", "conin", "..", "txt", "ext",
        ];
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let root = Path::new("root");
        for _ in 0..20_000 {
            let len = (rng.next() % 12) as usize;
            let mut remote = String::new();
            for _ in 0..len {
                remote.push_str(alphabet[(rng.next() % alphabet.len() as u64) as usize]);
            }
            if rng.next().is_multiple_of(8) {
                let repeat = 40 + (rng.next() % 80) as usize;
                remote = remote.repeat(repeat);
            }
            match safe_component(&remote) {
                None => assert!(remote.is_empty() || remote == "." || remote == ".."),
                Some(safe) => {
                    assert!(is_safe(&safe.name), "{remote:?} → {:?}", safe.name);
                    assert_eq!(safe.changed.is_none(), safe.name == remote, "{remote:?}");
                    let again = safe_component(&safe.name).unwrap();
                    assert_eq!(again.name, safe.name);
                    assert_eq!(again.changed, None);
                }
            }
            if let Some((path, _)) = local_path(root, &remote) {
                assert!(path.starts_with(root));
                assert!(
                    path.strip_prefix(root)
                        .unwrap()
                        .components()
                        .all(|c| matches!(c, Component::Normal(_)))
                );
            }
        }
    }

    /// Every path under `dir`, recursively, without following links.
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let is_dir = fs::symlink_metadata(&path).unwrap().is_dir();
            found.push(path.clone());
            if is_dir {
                walk(&path, found);
            }
        }
    }

    #[test]
    fn downloading_the_hostile_list_creates_nothing_outside_the_root() {
        let outer = tempfile::tempdir().unwrap();
        let parent = outer.path().join("parent");
        let root = parent.join("root");
        fs::create_dir_all(&root).unwrap();

        let mut written = Vec::new();
        for (i, remote) in hostile_names().iter().enumerate() {
            let mut target = match checked_target(&root, remote) {
                Ok(target) => target,
                // "CON" was written as the file "CON_", so "CON/inner.txt" has no folder.
                Err(e) if e.contains("is not a folder") => {
                    assert_eq!(remote, "CON/inner.txt");
                    continue;
                }
                Err(_) => {
                    assert!(local_path(&root, remote).is_none(), "{remote:?}");
                    continue;
                }
            };
            assert!(target.starts_with(&root), "{remote:?} → {target:?}");
            let dir = target.parent().unwrap().to_path_buf();
            assert!(dir.starts_with(&root));
            fs::create_dir_all(&dir).unwrap();
            if fs::symlink_metadata(&target).is_ok() {
                // The "rename" policy: names that became equal, or differ only by case on a
                // case-insensitive file system.
                let file_name = target.file_name().unwrap().to_str().unwrap().to_owned();
                target = unique_name(&dir, &file_name);
                assert_eq!(target.parent(), Some(dir.as_path()));
            }
            let content = format!("{i}:{remote:?}");
            fs::write(&target, &content).unwrap();
            written.push((target, content));
        }
        assert!(written.len() > 20);

        // Every file kept its own content: nothing was overwritten.
        for (path, content) in &written {
            assert_eq!(&fs::read_to_string(path).unwrap(), content, "{path:?}");
        }

        // Nothing beside the root, in its parent or above it.
        let mut everything = Vec::new();
        walk(outer.path(), &mut everything);
        for path in &everything {
            assert!(
                path == &parent || path == &root || path.starts_with(&root),
                "created outside the root: {path:?}"
            );
        }
        let files = everything
            .iter()
            .filter(|p| fs::symlink_metadata(p).unwrap().is_file())
            .count();
        assert_eq!(files, written.len());
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_ancestors_are_refused() {
        use std::os::unix::fs::symlink;

        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("root");
        let outside = outer.path().join("outside");
        fs::create_dir_all(root.join("real/deeper")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        symlink(&outside, root.join("link")).unwrap();
        symlink(&outside, root.join("real/deeper/link")).unwrap();
        symlink(outside.join("target.txt"), root.join("dangling.txt")).unwrap();
        fs::write(root.join("file"), "x").unwrap();

        assert_eq!(
            checked_target(&root, "real/deeper/new.txt"),
            Ok(root.join("real/deeper/new.txt"))
        );
        assert_eq!(
            checked_target(&root, "missing/dirs/new.txt"),
            Ok(root.join("missing/dirs/new.txt"))
        );
        assert_eq!(checked_target(&root, "real"), Ok(root.join("real")));
        assert!(checked_target(&root, "link/x.txt").is_err());
        assert!(checked_target(&root, "link/a/b/x.txt").is_err());
        assert!(checked_target(&root, "real/deeper/link/x.txt").is_err());
        assert!(checked_target(&root, "link").is_err());
        assert!(checked_target(&root, "dangling.txt").is_err());
        assert!(checked_target(&root, "file/x.txt").is_err());
        assert!(checked_target(&root, "../outside/x.txt").is_err());
        assert!(checked_target(&root, "a\nb/../../x").is_err());
        let error = checked_target(&root, "../x\ny").unwrap_err();
        assert!(!error.contains('\n'), "{error}");

        // The root itself may be a link the user chose.
        let root_link = outer.path().join("root-link");
        symlink(&root, &root_link).unwrap();
        assert_eq!(
            checked_target(&root_link, "real/new.txt"),
            Ok(root_link.join("real/new.txt"))
        );

        // A dangling link is taken for the "rename" policy too.
        assert_eq!(
            unique_name(&root, "dangling.txt"),
            root.join("dangling (1).txt")
        );
        assert!(fs::read_dir(&outside).unwrap().next().is_none());
    }

    #[test]
    fn unique_names() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        fs::write(dir.join("a.txt"), "").unwrap();
        fs::write(dir.join("a (1).txt"), "").unwrap();
        assert_eq!(unique_name(dir, "a.txt"), dir.join("a (2).txt"));

        assert_eq!(unique_name(dir, "README"), dir.join("README (1)"));
        fs::write(dir.join("README (1)"), "").unwrap();
        assert_eq!(unique_name(dir, "README"), dir.join("README (2)"));

        assert_eq!(unique_name(dir, ".bashrc"), dir.join(".bashrc (1)"));
        fs::write(dir.join(".bashrc (1)"), "").unwrap();
        assert_eq!(unique_name(dir, ".bashrc"), dir.join(".bashrc (2)"));

        assert_eq!(
            unique_name(dir, "archive.tar.gz"),
            dir.join("archive.tar (1).gz")
        );
        assert_eq!(unique_name(dir, ".config.bak"), dir.join(".config (1).bak"));
        fs::create_dir(dir.join("sub (1)")).unwrap();
        assert_eq!(unique_name(dir, "sub"), dir.join("sub (2)"));

        // Unsafe input never leaves `dir`.
        assert_eq!(unique_name(dir, "../x"), dir.join(".._x (1)"));
        assert_eq!(unique_name(dir, ".."), dir.join("_ (1)"));
        assert_eq!(unique_name(dir, ""), dir.join("_ (1)"));
        assert_eq!(unique_name(dir, "CON"), dir.join("CON_ (1)"));

        // The number never pushes the name over the limit.
        for name in [
            format!("{}.txt", "a".repeat(251)),
            "b".repeat(255),
            "😀".repeat(63),
        ] {
            let path = unique_name(dir, &name);
            let file = path.file_name().unwrap().to_str().unwrap();
            assert!(file.len() <= MAX_NAME_BYTES, "{file}");
            assert!(file.contains(" (1)"));
            assert!(is_safe(file));
            fs::write(&path, "").unwrap();
        }
    }

    #[test]
    fn problems_display() {
        assert_eq!(
            NameProblem::Reserved.to_string(),
            "name is a reserved device name"
        );
        assert!(!NameProblem::TooLong.to_string().is_empty());
    }

    #[test]
    fn invisible_characters_that_disguise_a_name_are_replaced() {
        // A right-to-left override makes `report<RLO>fdp.exe` show as `reportexe.pdf`.
        let disguised = safe_component("report\u{202e}fdp.exe").unwrap();
        assert_eq!(disguised.name, "report_fdp.exe");
        assert_eq!(disguised.changed, Some(NameProblem::Invisible));
        for c in [
            '\u{200e}', '\u{200f}', '\u{061c}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200b}', '\u{2060}', '\u{feff}',
            '\u{00ad}',
        ] {
            let name = format!("a{c}b.txt");
            assert_eq!(safe_component(&name).unwrap().name, "a_b.txt", "{:?}", c);
        }
        // Joiners are part of real words and emoji: kept.
        for kept in ["می\u{200c}خواهم", "👩\u{200d}💻.png", "Ünïcödé 日本語.txt"]
        {
            let safe = safe_component(kept).unwrap();
            assert_eq!(safe.name, kept);
            assert_eq!(safe.changed, None);
        }
    }

    #[test]
    fn partials_of_other_versions_are_recognised_and_nothing_else() {
        let target = Path::new("/d/report.pdf");
        let mine = partial_path(target, "/r/report.pdf", Some(10), Some(1));
        let other = partial_path(target, "/r/report.pdf", Some(10), Some(2));
        for p in [&mine, &other] {
            let name = p.file_name().unwrap().to_str().unwrap();
            assert!(is_partial_of("report.pdf", name), "{name}");
        }
        for not in [
            "report.pdf",
            "report.pdf.ferry-part",
            "report.pdf.1234567.ferry-part",
            "report.pdf.123456789.ferry-part",
            "report.pdf.ABCDEF12.ferry-part",
            "report.pdfx.12345678.ferry-part",
            "xreport.pdf.12345678.ferry-part",
            "report.12345678.ferry-part",
        ] {
            assert!(!is_partial_of("report.pdf", not), "{not}");
        }
        // A name shortened inside its partial name may share that prefix with another file.
        let long = "n".repeat(240);
        let part = partial_path(&Path::new("/d").join(&long), "/r", None, None);
        assert!(!is_partial_of(
            &long,
            part.file_name().unwrap().to_str().unwrap()
        ));
    }

    #[test]
    fn names_ending_like_a_partial_file_are_changed() {
        for remote in ["X.ferry-part", "x.1234abcd.FERRY-PART", ".ferry-part"] {
            let safe = safe_component(remote).unwrap();
            assert_eq!(safe.name, format!("{remote}_"));
            assert_eq!(safe.changed, Some(NameProblem::PartialSuffix));
            assert!(!has_partial_suffix(&safe.name));
        }
        let long = format!("{}.ferry-part", "y".repeat(244));
        assert_eq!(long.len(), 255);
        let safe = safe_component(&long).unwrap();
        assert!(
            safe.name.len() <= 255 && !has_partial_suffix(&safe.name),
            "{}",
            safe.name
        );
        assert_eq!(safe_component("a.ferry-parts").unwrap().changed, None);
        assert_eq!(safe_component("ferry-part").unwrap().changed, None);
    }

    #[test]
    fn partial_paths_fit_and_follow_the_file_identity() {
        let dir = Path::new("/tmp/x");
        let a = partial_path(&dir.join("f.bin"), "/pub/f.bin", Some(10), Some(1));
        assert_eq!(a.parent(), Some(dir));
        let name = a.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("f.bin.") && name.ends_with(PARTIAL_SUFFIX),
            "{name}"
        );
        assert_eq!(
            a,
            partial_path(&dir.join("f.bin"), "/pub/f.bin", Some(10), Some(1))
        );
        // Another version (size, time) or another remote file: another partial file.
        for other in [
            partial_path(&dir.join("f.bin"), "/pub/f.bin", Some(11), Some(1)),
            partial_path(&dir.join("f.bin"), "/pub/f.bin", Some(10), Some(2)),
            partial_path(&dir.join("f.bin"), "/pub/f.bin", None, Some(1)),
            partial_path(&dir.join("f.bin"), "/pub/g.bin", Some(10), Some(1)),
        ] {
            assert_ne!(a, other);
        }
        // Names at the limit are shortened so the partial name fits, on a char boundary.
        for name in [
            "z".repeat(255),
            "日".repeat(85),
            format!("{}.tar", "é".repeat(125)),
        ] {
            let p = partial_path(&dir.join(&name), "r", Some(1), None);
            let partial = p.file_name().unwrap().to_str().unwrap();
            assert!(partial.len() <= 255, "{}", partial.len());
            assert!(partial.ends_with(PARTIAL_SUFFIX));
            // Two long names with the same start still get different partial files.
            let q = partial_path(&dir.join(format!("{name}x")), "r", Some(1), None);
            assert_ne!(p, q);
        }
        // No remote name maps to a partial file's name.
        assert!(safe_component(name).is_some_and(|s| s.name != name));
    }

    fn assign(case_insensitive: bool, dirs: &[&str], files: &[&str]) -> Vec<String> {
        let dirs: Vec<String> = dirs.iter().map(|s| s.to_string()).collect();
        let files: Vec<String> = files.iter().map(|s| s.to_string()).collect();
        let (d, f) = LocalNames::new(case_insensitive).assign(&dirs, &files);
        d.into_iter()
            .chain(f)
            .map(|r| match r {
                Ok(a) => a.local.to_string_lossy().into_owned(),
                Err(e) => format!("ERR {e}"),
            })
            .collect()
    }

    #[test]
    fn local_names_tell_apart_what_would_collide() {
        // The name that needed no change keeps it, whatever the listing order.
        assert_eq!(
            assign(false, &[], &["a:b", "a_b", "a?b"]),
            ["a_b (1)", "a_b", "a_b (2)"]
        );
        assert_eq!(
            assign(false, &[], &["a?b", "a:b", "a_b"]),
            ["a_b (2)", "a_b (1)", "a_b"]
        );
        // Case: distinct on a case-sensitive disk, told apart on a case-insensitive one.
        assert_eq!(
            assign(false, &[], &["Readme.txt", "README.TXT"]),
            ["Readme.txt", "README.TXT"]
        );
        assert_eq!(
            assign(true, &[], &["Readme.txt", "README.TXT"]),
            ["Readme (1).txt", "README.TXT"]
        );
        // Folders and files share one namespace (in byte order of the remote names);
        // children follow their folder's name.
        assert_eq!(
            assign(true, &["Docs", "docs"], &["Docs/a", "docs/a", "DOCS"]),
            ["Docs (1)", "docs (2)", "Docs (1)/a", "docs (2)/a", "DOCS"]
        );
        // A refused name, and what is inside a refused folder.
        let out = assign(false, &[".."], &["../x", "ok"]);
        assert!(
            out[0].starts_with("ERR") && out[1].starts_with("ERR"),
            "{out:?}"
        );
        assert_eq!(out[2], "ok");
    }

    #[test]
    fn case_probe_answers_for_the_disk_it_is_asked_about() {
        let dir = tempfile::tempdir().unwrap();
        let insensitive = is_case_insensitive(dir.path());
        // Whatever the answer, the probe leaves nothing behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        if cfg!(target_os = "linux") {
            assert!(!insensitive, "a Linux temp folder is case-sensitive");
        }
    }
}
