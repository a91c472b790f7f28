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
