//! Where Ferry keeps its files. `FERRY_CONFIG_DIR` overrides the platform's config directory
//! (portable installs, tests); otherwise `directories` picks the OS convention
//! (`~/.config/ferry` on Linux, `~/Library/Application Support/org.Ferry.Ferry` on macOS,
//! `%APPDATA%\Ferry\Ferry\config` on Windows).

use std::path::PathBuf;

/// The directory for settings, sites and pins; None if the OS has no home for it.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("FERRY_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("org", "Ferry", "Ferry").map(|d| d.config_dir().to_owned())
}

/// The certificate pin store.
pub fn pins_file() -> Option<PathBuf> {
    config_dir().map(|d| d.join("pins.toml"))
}

/// The directory for state Ferry keeps between runs (the window keeps each server's transfer
/// queue in `queues/` there); `FERRY_DATA_DIR`
/// overrides it.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("FERRY_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("org", "Ferry", "Ferry").map(|d| d.data_dir().to_owned())
}

/// Takes group and other access away from Ferry's own folders (Unix), which older versions
/// created 0755. Only the platform folders: a folder named by `FERRY_CONFIG_DIR` or
/// `FERRY_DATA_DIR` is the user's to set. Best effort, once at start.
pub fn make_own_folders_private() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Some(dirs) = directories::ProjectDirs::from("org", "Ferry", "Ferry") else {
            return;
        };
        let own = [
            ("FERRY_CONFIG_DIR", dirs.config_dir().to_owned()),
            ("FERRY_DATA_DIR", dirs.data_dir().to_owned()),
        ];
        for (override_var, dir) in own {
            if std::env::var_os(override_var).is_some_and(|v| !v.is_empty()) {
                continue;
            }
            if let Ok(meta) = std::fs::symlink_metadata(&dir)
                && meta.is_dir()
                && meta.permissions().mode() & 0o077 != 0
            {
                let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
            }
        }
    }
}

/// `std::fs::canonicalize`, in the form people know. On Windows it returns verbatim paths
/// (`\\?\C:\Users\ann`, `\\?\UNC\server\share`), which nobody types and which would show in
/// the path bar, in logs and in saved settings; they become `C:\Users\ann` and
/// `\\server\share` wherever the plain form names the same file (see
/// [`plain_form_of_verbatim`]).
///
/// # Errors
/// As `std::fs::canonicalize`: the path does not exist or cannot be resolved.
pub fn canonical(path: &std::path::Path) -> std::io::Result<PathBuf> {
    let real = std::fs::canonicalize(path)?;
    if cfg!(windows)
        && let Some(plain) = real.to_str().and_then(plain_form_of_verbatim)
    {
        return Ok(PathBuf::from(plain));
    }
    Ok(real)
}

/// The everyday form of a Windows verbatim path, when it names the same file: `\\?\C:\x` is
/// `C:\x` and `\\?\UNC\server\share\x` is `\\server\share\x`, unless the plain form would be
/// read differently (a component that is a device name like `CON` or `nul.txt`, ends with a dot
/// or a space, or holds `/`; or a path of 260 characters or more, past what plain paths reach
/// on a default Windows). None: keep the path as it is.
pub fn plain_form_of_verbatim(path: &str) -> Option<String> {
    let rest = path.strip_prefix(r"\\?\")?;
    let (plain, components) = if let Some(unc) = rest
        .strip_prefix(r"UNC\")
        .or_else(|| rest.strip_prefix(r"unc\"))
    {
        (format!(r"\\{unc}"), unc)
    } else {
        let bytes = rest.as_bytes();
        let is_drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
        if !is_drive || (bytes.len() > 2 && bytes[2] != b'\\') {
            return None;
        }
        (rest.to_owned(), rest.get(3..).unwrap_or(""))
    };
    let plain_reads_the_same = plain.chars().count() < 260
        && !components.contains('/')
        && components
            .split('\\')
            .filter(|c| !c.is_empty())
            .all(|c| !c.ends_with(['.', ' ']) && !is_device_name(c));
    plain_reads_the_same.then_some(plain)
}

/// Whether Windows reads a plain path component as a device (`CON`, `nul.txt`, `COM1`...).
fn is_device_name(component: &str) -> bool {
    let stem = component.split('.').next().unwrap_or("").trim_end();
    let upper = stem.to_ascii_uppercase();
    matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || ((upper.starts_with("COM") || upper.starts_with("LPT"))
        && upper.len() == 4
        && upper.as_bytes()[3].is_ascii_digit()
        && upper.as_bytes()[3] != b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_paths_get_their_plain_form_where_it_names_the_same_file() {
        let plain = |p: &str| plain_form_of_verbatim(p);
        assert_eq!(
            plain(r"\\?\C:\users\root").as_deref(),
            Some(r"C:\users\root")
        );
        assert_eq!(plain(r"\\?\D:\").as_deref(), Some(r"D:\"));
        assert_eq!(plain(r"\\?\d:").as_deref(), Some(r"d:"));
        assert_eq!(
            plain(r"\\?\UNC\nas\share\docs").as_deref(),
            Some(r"\\nas\share\docs")
        );
        // Not verbatim, or not a drive or share: left alone.
        assert_eq!(plain(r"C:\users"), None);
        assert_eq!(plain(r"\\?\Volume{1234}\x"), None);
        assert_eq!(plain(r"\\?\C:x"), None);
        // The plain form would name something else, or nothing.
        for kept in [
            r"\\?\C:\dir\CON",
            r"\\?\C:\dir\nul.txt",
            r"\\?\C:\dir\com1",
            r"\\?\C:\trailing.",
            r"\\?\C:\trailing \x",
            r"\\?\C:\a/b",
        ] {
            assert_eq!(plain(kept), None, "{kept}");
        }
        let long = format!(r"\\?\C:\{}", "a".repeat(257));
        assert_eq!(plain(&long), None);
        let fits = format!(r"\\?\C:\{}", "a".repeat(250));
        assert_eq!(plain(&fits), Some(format!(r"C:\{}", "a".repeat(250))));
        // Names that only look like devices are ordinary.
        assert!(!is_device_name("console"));
        assert!(!is_device_name("com10"));
        assert!(is_device_name("LPT9.log"));
    }
}
