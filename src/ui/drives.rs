//! The local pane's "This PC" level on Windows. A drive root (`C:\`) has no parent folder, so
//! going up from it lists the drives instead, as Explorer does: every drive (`D:`, a USB stick,
//! a mapped network drive) is reached from home by going up. Probing the drives is disk I/O (a
//! mapped drive whose server is away takes seconds to answer) and runs on the local-listing
//! worker; the rest is pure and tested on every platform.

use std::io;
use std::path::Path;

use super::files::{FileRow, RowKind};

/// The local pane's path while it lists the drives: Explorer's name for that level, which its
/// address bar takes too.
pub(crate) const THIS_PC: &str = "This PC";

/// Why a file operation or a transfer is refused while the local pane lists the drives.
pub(crate) const OPEN_A_DRIVE_FIRST: &str =
    "The local pane lists the drives (This PC): open a drive or a folder first.";

/// Windows' answers for a letter with no drive behind it (winerror.h): ERROR_FILE_NOT_FOUND,
/// ERROR_PATH_NOT_FOUND, ERROR_INVALID_DRIVE.
const NO_SUCH_DRIVE: [i32; 3] = [2, 3, 15];

/// Whether the local pane's `path` is the drive list. Windows only: elsewhere `This PC` would
/// be a folder name like any other.
pub(crate) fn is_drive_list(path: &str) -> bool {
    cfg!(windows) && path == THIS_PC
}

/// What text typed into the local path bar on Windows names: `C:`, `c:\` or `c:/` is the root
/// of that drive (a bare `C:` would otherwise be the current folder of drive C, whatever that
/// is), `this pc` the drive list, anything else itself (`D:\dir` is made plain when listed).
pub(crate) fn typed_windows_path(typed: &str) -> String {
    if typed.eq_ignore_ascii_case(THIS_PC) {
        return THIS_PC.to_owned();
    }
    drive_letter_of_root(typed).map_or_else(|| typed.to_owned(), drive_root)
}

/// The letter of the drive whose root `path` is (`C:`, `c:\`, `C:/`), upper case.
fn drive_letter_of_root(path: &str) -> Option<char> {
    let mut chars = path.chars();
    let letter = chars.next().filter(char::is_ascii_alphabetic)?;
    let is_root = chars.next() == Some(':') && matches!(chars.as_str(), "" | "\\" | "/");
    is_root.then(|| letter.to_ascii_uppercase())
}

/// The root folder of drive `letter`: `C:\`.
fn drive_root(letter: char) -> String {
    format!("{}:\\", letter.to_ascii_uppercase())
}

/// Where "up" goes from the local folder `path`: its parent; with `windows`, the drive list
/// from the root of a drive or a share (which have no parent), and nowhere from the drive
/// list. A parameter rather than `cfg!` so that the Windows rule is tested everywhere.
pub(crate) fn local_parent(path: &str, windows: bool) -> Option<String> {
    if windows && path == THIS_PC {
        return None;
    }
    if windows && drive_letter_of_root(path).is_some() {
        return Some(THIS_PC.to_owned());
    }
    match Path::new(path).parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            Some(parent.to_string_lossy().into_owned())
        }
        _ if windows && !path.is_empty() => Some(THIS_PC.to_owned()),
        _ => None,
    }
}

/// The folder a row of the drive list opens: `C:` is `C:\`.
pub(crate) fn drive_row_path(name: &str) -> String {
    drive_letter_of_root(name).map_or_else(|| name.to_owned(), drive_root)
}

/// Whether a letter's probe (the error of `metadata` on its root; None: it answered) shows a
/// drive. One that answers with another error than "no such drive" is one all the same, listed
/// so that the user finds it and reads the error on opening it: a card reader or DVD drive
/// without a disc (not ready), a mapped network drive whose server is away, a drive the user
/// may not read.
fn is_a_drive(probe_error: Option<&io::Error>) -> bool {
    match probe_error {
        None => true,
        Some(error) => match error.raw_os_error() {
            Some(code) => !NO_SUCH_DRIVE.contains(&code),
            None => error.kind() != io::ErrorKind::NotFound,
        },
    }
}

/// The drive list's rows, one per letter, named `C:` as Explorer names them.
fn drive_rows(letters: &[char]) -> Vec<FileRow> {
    letters
        .iter()
        .map(|letter| FileRow {
            name: format!("{}:", letter.to_ascii_uppercase()),
            kind: RowKind::Drive,
            size: None,
            modified: None,
            modified_exact: false,
            modified_day_only: false,
            modified_text: String::new(),
            permissions: String::new(),
            hidden_by_attribute: false,
        })
        .collect()
}

/// The letters, A to Z, that have a drive. Each letter is probed on its own thread: a mapped
/// drive whose server is away takes seconds to answer, and several would add up. Disk I/O:
/// on a worker only.
fn probe_drive_letters() -> Vec<char> {
    let probe = |letter: char| is_a_drive(std::fs::metadata(drive_root(letter)).err().as_ref());
    std::thread::scope(|scope| {
        let probes: Vec<(char, Option<_>)> = ('A'..='Z')
            .map(|letter| {
                let thread = std::thread::Builder::new()
                    .name("ferry-drive-probe".into())
                    .spawn_scoped(scope, move || probe(letter));
                (letter, thread.ok())
            })
            .collect();
        probes
            .into_iter()
            .filter_map(|(letter, thread)| {
                let there = match thread {
                    Some(thread) => thread.join().unwrap_or(false),
                    // No thread to spare: this one probes it.
                    None => probe(letter),
                };
                there.then_some(letter)
            })
            .collect()
    })
}

/// The drive list (on the local-listing worker).
pub(crate) fn list_drives() -> Vec<FileRow> {
    drive_rows(&probe_drive_letters())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_drive_letters_name_the_drive_root() {
        for typed in ["C:", "c:", r"c:\", "c:/", r"C:\"] {
            assert_eq!(typed_windows_path(typed), r"C:\", "{typed}");
        }
        assert_eq!(typed_windows_path(r"D:\dir"), r"D:\dir");
        assert_eq!(typed_windows_path(r"d:\dir\"), r"d:\dir\");
        assert_eq!(typed_windows_path("this pc"), THIS_PC);
        assert_eq!(typed_windows_path("This PC"), THIS_PC);
        // Not a drive: as typed.
        for typed in [r"\\nas\share", "1:", "CD:", "C", "é:", ""] {
            assert_eq!(typed_windows_path(typed), typed, "{typed}");
        }
    }

    #[test]
    fn up_from_a_drive_or_share_root_is_the_drive_list_on_windows() {
        assert_eq!(local_parent(r"C:\", true).as_deref(), Some(THIS_PC));
        assert_eq!(local_parent("d:", true).as_deref(), Some(THIS_PC));
        assert_eq!(local_parent(THIS_PC, true), None);
        assert_eq!(local_parent("", true), None);
        // Elsewhere the root is the top, and "This PC" an ordinary name.
        assert_eq!(local_parent("/home/ann", false).as_deref(), Some("/home"));
        assert_eq!(local_parent("/", false), None);
        assert!(!is_drive_list("/"));
    }

    #[cfg(windows)]
    #[test]
    fn up_on_windows_follows_the_path_until_its_root() {
        assert_eq!(
            local_parent(r"C:\Users\ann", true).as_deref(),
            Some(r"C:\Users")
        );
        assert_eq!(local_parent(r"C:\Users", true).as_deref(), Some(r"C:\"));
        assert_eq!(
            local_parent(r"\\nas\share\", true).as_deref(),
            Some(THIS_PC)
        );
        assert!(is_drive_list(THIS_PC));
    }

    #[cfg(windows)]
    #[test]
    fn the_drive_list_has_the_system_drive() {
        let system = std::env::var("SystemDrive").unwrap_or_else(|_| "C:".into());
        let rows = list_drives();
        assert!(
            rows.iter().any(|r| r.name.eq_ignore_ascii_case(&system)),
            "{system} not in {:?}",
            rows.iter().map(|r| &r.name).collect::<Vec<_>>()
        );
    }

    #[test]
    fn drive_rows_are_named_like_explorer_and_open_at_their_root() {
        let rows = drive_rows(&['C', 'd', 'Z']);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["C:", "D:", "Z:"]);
        assert!(
            rows.iter()
                .all(|r| r.kind == RowKind::Drive && r.is_container())
        );
        assert!(rows.iter().all(|r| !r.is_hidden()));
        assert_eq!(drive_row_path("D:"), r"D:\");
    }

    #[test]
    fn a_letter_is_a_drive_unless_windows_says_there_is_none() {
        assert!(is_a_drive(None));
        for none in NO_SUCH_DRIVE {
            assert!(!is_a_drive(Some(&io::Error::from_raw_os_error(none))));
        }
        // Not ready (an empty card reader), the network name gone, access denied.
        for there in [21, 53, 67, 5] {
            assert!(is_a_drive(Some(&io::Error::from_raw_os_error(there))));
        }
        assert!(!is_a_drive(Some(&io::Error::from(io::ErrorKind::NotFound))));
        assert!(is_a_drive(Some(&io::Error::other("busy"))));
    }
}
