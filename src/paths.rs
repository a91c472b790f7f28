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
