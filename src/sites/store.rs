//! The saved sites: `sites.toml` in Ferry's configuration directory, read and written through
//! [`crate::persist`] (versioned, every change made under a lock on a fresh read and written
//! atomically, a corrupt file kept aside as `sites.toml.<unix seconds>.bak` and never written
//! over, a file from a newer Ferry refused).
//!
//! ```toml
//! # Your saved sites in Ferry. ...
//! # Passwords are NOT in this file: ...
//! version = 1
//! folders = [["Work"], ["Work", "Clients"]]
//!
//! [[site]]
//! name = "Shop"
//! folder = ["Work", "Clients"]
//! host = "ftp.shop.example"
//! port = 0
//! security = "explicit-tls"
//! logon = "normal"
//! user = "deploy"
//! transfer_mode = "passive"
//! max_connections = 2
//! max_tls = "tls13"
//! ```
//!
//! `folders` lists every folder of the site manager, also those with no site in them (a folder
//! stays when its last site is moved out or deleted, until it is removed). A site's `folder`
//! that is not listed is a folder all the same (and is listed at the next save). Sites are
//! saved sorted like [`SiteStore::sites`].
//!
//! Passwords are never in this file: [`Site`] has no password field, and an unknown key such as
//! `password` written by hand is ignored and dropped at the next save. They live in the OS
//! keychain, keyed by the site's path (see `secrets`), so whoever renames, moves or deletes a
//! site must move or delete its keychain entry too.
//!
//! The file is checked as it is read: a site without a name, with `/` in its name or in a
//! folder name, without a host, with `max_connections` outside 1-10, or with the same path as
//! another site makes the file corrupt (the message gives the line), rather than half-loaded.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use super::model::Site;
use crate::persist::{Document, FileError, TomlFile, table_line};

/// The largest site list Ferry reads. A site is 200 to 500 bytes, so this holds some 50 000;
/// the largest FileZilla file Ferry imports ([`super::filezilla::MAX_INPUT_BYTES`], also 16
/// MiB) makes less than that, as FileZilla's XML is wordier than this file.
pub const MAX_SITE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The parallel connections a site may allow.
const MAX_CONNECTIONS: RangeInclusive<u8> = 1..=10;

/// Errors changing the site list; messages say what is wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// The site has no name.
    #[error("a site needs a name")]
    EmptyName,
    /// The site's name contains `/`.
    #[error(
        "the site name {name:?} contains '/', which separates folders; choose a name without it"
    )]
    SlashInName {
        /// The name given.
        name: String,
    },
    /// A folder name is empty or contains `/` (or the folder path is empty).
    #[error(
        "{folder:?} is not a valid folder: folder names must not be empty or contain '/'; \
         choose another name"
    )]
    BadFolder {
        /// The folder path given, `/`-separated.
        folder: String,
    },
    /// The site has no host.
    #[error("the site {path:?} has no server: enter the server's name or IP address")]
    EmptyHost {
        /// The site's path.
        path: String,
    },
    /// `max_connections` is outside 1-10.
    #[error("the site {path:?} allows {value} connections at once; choose from 1 to 10")]
    MaxConnections {
        /// The site's path.
        path: String,
        /// The number given.
        value: u8,
    },
    /// A local path of the site (its CA file or local folder) is not UTF-8, so the site file
    /// (TOML, UTF-8 text) cannot hold it.
    #[error(
        "the {field} of the site {path:?} is not a valid Unicode path ({value}); choose a file \
         or folder whose name is"
    )]
    NotUnicode {
        /// The site's path.
        path: String,
        /// Which field: "CA file" or "local folder".
        field: &'static str,
        /// The path, lossily converted.
        value: String,
    },
    /// Another site already has this path (folder and name).
    #[error("there is already a site {path:?}; choose another name or folder, or edit that site")]
    Exists {
        /// The path both sites would have.
        path: String,
    },
    /// No saved site has this path.
    #[error("there is no saved site {path:?}; it may have been renamed or deleted meanwhile")]
    NotFound {
        /// The path asked for.
        path: String,
    },
    /// The folder to create already exists.
    #[error("there is already a folder {folder:?}")]
    FolderExists {
        /// The folder's path, `/`-separated.
        folder: String,
    },
    /// The folder to remove does not exist.
    #[error("there is no folder {folder:?}")]
    FolderNotFound {
        /// The folder's path, `/`-separated.
        folder: String,
    },
    /// The folder to remove still holds sites or folders.
    #[error(
        "the folder {folder:?} is not empty (it holds {sites} site(s) and {folders} \
         folder(s)); move or delete them first"
    )]
    FolderNotEmpty {
        /// The folder's path, `/`-separated.
        folder: String,
        /// Sites directly in it.
        sites: usize,
        /// Folders directly in it.
        folders: usize,
    },
    /// The site file could not be read or written (nothing was changed).
    #[error(transparent)]
    File(#[from] FileError),
}

/// One site given to [`SiteStore::add_many`], and whether it was added (`Ok`) or why not.
pub type AddOutcome = (Site, Result<(), SiteError>);

/// Errors finding a site by path or name ([`SiteStore::find`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteLookupError {
    /// Nothing has this path or name.
    #[error("no saved site is called {query:?}; give its name or its full path (Folder/Name)")]
    NotFound {
        /// What was asked for.
        query: String,
    },
    /// Several sites (in different folders) have this name.
    #[error(
        "{} saved sites are called {query:?}: {}; give the full path of the one you mean",
        candidates.len(),
        candidates.join(", ")
    )]
    Ambiguous {
        /// What was asked for.
        query: String,
        /// The paths of the sites it could mean, sorted.
        candidates: Vec<String>,
    },
}

/// The site file's body (after `version`).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct SiteFile {
    /// Every folder, also empty ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    folders: Vec<Vec<String>>,
    /// The sites.
    #[serde(default, rename = "site", skip_serializing_if = "Vec::is_empty")]
    sites: Vec<Site>,
}

impl Document for SiteFile {
    const WHAT: &'static str = "the site list";
    const HEADER: &'static str = "\
# Your saved sites in Ferry. One [[site]] per site; `folders` lists the folders of the site
# manager, also those with no site in them.
# Passwords are NOT in this file: Ferry keeps them in your system's keychain (Keychain on macOS,
# Credential Manager on Windows, the Secret Service on Linux).
# Ferry rewrites this file whenever you change a site: comments you add are not kept.
";
    const VERSION: u32 = 1;
    const IF_CORRUPT: &'static str = "Correct it in a text editor (or put back a good copy); \
         until then Ferry cannot show or change your saved sites, and will not write over the file";
    const MAX_BYTES: u64 = MAX_SITE_FILE_BYTES;

    fn check(&self, text: &str) -> Result<(), String> {
        for folder in &self.folders {
            check_folder(folder).map_err(|e| {
                let line = text
                    .lines()
                    .position(|l| l.trim_start().starts_with("folders"))
                    .map_or(1, |i| i + 1);
                format!("line {line}: {e}")
            })?;
        }
        let at = |i: usize| match table_line(text, "site", i) {
            Some(line) => format!("line {line}: "),
            None => format!("site number {}: ", i + 1),
        };
        let mut first: HashMap<String, usize> = HashMap::new();
        for (i, site) in self.sites.iter().enumerate() {
            validate(site).map_err(|e| format!("{}{e}", at(i)))?;
            if let Some(&j) = first.get(&site.path()) {
                return Err(format!(
                    "{}a second site {:?} (the first is at {}); rename or delete one of them",
                    at(i),
                    site.path(),
                    at(j).trim_end_matches(": ")
                ));
            }
            first.insert(site.path(), i);
        }
        Ok(())
    }
}

/// The saved sites (`sites.toml` in the config directory) and the file they come from.
///
/// Readers ([`sites`](Self::sites), [`find`](Self::find), [`folders`](Self::folders)) see the
/// file as it was at [`load`](Self::load) or the last change made through this value. Every
/// change re-reads the file under a lock, applies itself to what it read, writes the result and
/// refreshes `self`, so two processes (or two values) saving at once never lose a site; a
/// change refused (e.g. a duplicate) still refreshes `self` and writes nothing.
#[derive(Debug, Clone)]
pub struct SiteStore {
    file: TomlFile<SiteFile>,
    /// Sorted: see [`SiteStore::sites`].
    sites: Vec<Site>,
    /// Every folder (listed, holding a site, or holding a folder), sorted like the sites.
    folders: Vec<Vec<String>>,
}

impl SiteStore {
    /// `<config dir>/sites.toml` (see [`crate::paths::config_dir`]); None when the system has
    /// no configuration directory for Ferry.
    #[must_use]
    pub fn default_path() -> Option<PathBuf> {
        crate::paths::config_dir().map(|dir| dir.join("sites.toml"))
    }

    /// Reads the site list at `path`. A missing file is an empty list (nothing is created until
    /// the first change).
    ///
    /// # Errors
    /// [`FileError::Corrupt`] (the file has been copied to `sites.toml.<unix seconds>.bak` and
    /// left as it was), [`FileError::NewerVersion`], or [`FileError::Io`] when the file exists
    /// but cannot be read.
    pub fn load(path: &Path) -> Result<SiteStore, FileError> {
        let file = TomlFile::<SiteFile>::new(path);
        let doc = file.read()?;
        let mut store = SiteStore {
            file,
            sites: Vec::new(),
            folders: Vec::new(),
        };
        store.refresh(doc);
        Ok(store)
    }

    /// The file this store reads and writes.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// The sites, sorted by folder path (name by name, top-level sites first) then name,
    /// ignoring case. The sites of one folder are together: folders whose names differ only in
    /// case are different folders, one after the other.
    #[must_use]
    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    /// Finds a site by its full path (`Folder/Sub/Name`, or just `Name` at the top level) or,
    /// when `path_or_name` has no `/`, by its name in whatever folder, if only one site has
    /// that name. An exact match wins; failing that, case is ignored.
    ///
    /// # Errors
    /// [`SiteLookupError::NotFound`]; [`SiteLookupError::Ambiguous`] with the candidates' paths
    /// when several sites have that name.
    pub fn find(&self, path_or_name: &str) -> Result<&Site, SiteLookupError> {
        let query = path_or_name;
        let is_name = !query.contains('/');
        let exact_path = |s: &&Site| s.path() == query;
        let exact_name = |s: &&Site| is_name && s.name == query;
        let lower = query.to_lowercase();
        let any_path = |s: &&Site| s.path().to_lowercase() == lower;
        let any_name = |s: &&Site| is_name && s.name.to_lowercase() == lower;
        let tests: [&dyn Fn(&&Site) -> bool; 4] = [&exact_path, &exact_name, &any_path, &any_name];
        for test in tests {
            let found: Vec<&Site> = self.sites.iter().filter(test).collect();
            match found.as_slice() {
                [] => {}
                [site] => return Ok(site),
                several => {
                    return Err(SiteLookupError::Ambiguous {
                        query: query.to_owned(),
                        candidates: several.iter().map(|s| s.path()).collect(),
                    });
                }
            }
        }
        Err(SiteLookupError::NotFound {
            query: query.to_owned(),
        })
    }

    /// Every folder, outermost name first: the folders the user created (also empty ones), the
    /// folders sites are in, and the folders holding those. Sorted like the sites.
    #[must_use]
    pub fn folders(&self) -> Vec<Vec<String>> {
        self.folders.clone()
    }

    /// Adds `site` and saves.
    ///
    /// # Errors
    /// [`SiteError::Exists`] when a site has the same folder and name; a validation error
    /// ([`SiteError::EmptyName`], [`SiteError::SlashInName`], [`SiteError::BadFolder`],
    /// [`SiteError::EmptyHost`], [`SiteError::MaxConnections`], [`SiteError::NotUnicode`]);
    /// [`SiteError::File`] when the file cannot be read or written.
    pub fn add(&mut self, site: Site) -> Result<(), SiteError> {
        validate(&site)?;
        self.modify(|doc| {
            if doc.sites.iter().any(|s| s.path() == site.path()) {
                return Err(SiteError::Exists { path: site.path() });
            }
            doc.sites.push(site);
            Ok(())
        })
    }

    /// Replaces the site at `old_path` with `site` and saves: edits, renames, moves to another
    /// folder. The caller moves the keychain entry when the path changes.
    ///
    /// # Errors
    /// [`SiteError::NotFound`] when there is no site at `old_path`; [`SiteError::Exists`] when
    /// another site already has the new path; validation and file errors as [`add`](Self::add).
    pub fn replace(&mut self, old_path: &str, site: Site) -> Result<(), SiteError> {
        validate(&site)?;
        self.modify(|doc| {
            let Some(index) = doc.sites.iter().position(|s| s.path() == old_path) else {
                return Err(SiteError::NotFound {
                    path: old_path.to_owned(),
                });
            };
            let new_path = site.path();
            if new_path != old_path && doc.sites.iter().any(|s| s.path() == new_path) {
                return Err(SiteError::Exists { path: new_path });
            }
            doc.sites[index] = site;
            Ok(())
        })
    }

    /// Removes the site at `path` (its exact full path) and saves; returns it. Its folder
    /// stays. The caller deletes its keychain entry.
    ///
    /// # Errors
    /// [`SiteError::NotFound`]; [`SiteError::File`].
    pub fn remove(&mut self, path: &str) -> Result<Site, SiteError> {
        self.modify(|doc| {
            let index = doc
                .sites
                .iter()
                .position(|s| s.path() == path)
                .ok_or_else(|| SiteError::NotFound {
                    path: path.to_owned(),
                })?;
            Ok(doc.sites.remove(index))
        })
    }

    /// Creates a folder (and the folders holding it) and saves.
    ///
    /// # Errors
    /// [`SiteError::BadFolder`] (an empty path, an empty name or one with `/`);
    /// [`SiteError::FolderExists`]; [`SiteError::File`].
    pub fn add_folder(&mut self, folder: Vec<String>) -> Result<(), SiteError> {
        check_folder(&folder)?;
        self.modify(|doc| {
            if all_folders(doc).contains(&folder) {
                return Err(SiteError::FolderExists {
                    folder: folder.join("/"),
                });
            }
            doc.folders.push(folder);
            Ok(())
        })
    }

    /// Removes an empty folder (no site and no folder in it) and saves.
    ///
    /// # Errors
    /// [`SiteError::FolderNotFound`]; [`SiteError::FolderNotEmpty`]; [`SiteError::File`].
    pub fn remove_folder(&mut self, folder: &[String]) -> Result<(), SiteError> {
        self.modify(|doc| {
            let all = all_folders(doc);
            let name = || folder.join("/");
            if !all.iter().any(|f| f == folder) {
                return Err(SiteError::FolderNotFound { folder: name() });
            }
            let sites = doc.sites.iter().filter(|s| s.folder == folder).count();
            let folders = all
                .iter()
                .filter(|f| f.len() == folder.len() + 1 && f.starts_with(folder))
                .count();
            if sites + folders > 0 {
                return Err(SiteError::FolderNotEmpty {
                    folder: name(),
                    sites,
                    folders,
                });
            }
            doc.folders.retain(|f| f != folder);
            Ok(())
        })
    }

    /// Adds many sites in one save (an import). Each site is checked like [`add`](Self::add),
    /// against the saved sites and the ones added before it: it is skipped when invalid or when
    /// a site has the same folder and name ([`SiteError::Exists`]), so importing the same file
    /// twice adds nothing the second time. Several sites for one server are normal (different
    /// folders to start in, different settings), so the server is no part of a site's identity.
    /// Returns every site with whether it was added, in the order given.
    ///
    /// # Errors
    /// Only when the file cannot be read or written; then nothing was added.
    pub fn add_many(&mut self, sites: Vec<Site>) -> Result<Vec<AddOutcome>, FileError> {
        let (doc, results) = self.file.update(|doc: &mut SiteFile| {
            let results: Vec<_> = sites
                .into_iter()
                .map(|site| {
                    let result = admit(doc, &site);
                    if result.is_ok() {
                        doc.sites.push(site.clone());
                    }
                    (site, result)
                })
                .collect();
            if results.iter().any(|(_, r)| r.is_ok()) {
                normalize(doc);
            }
            results
        })?;
        self.refresh(doc);
        Ok(results)
    }

    /// Applies `change` to a fresh read of the file under the lock; saves (normalized) when it
    /// succeeds. `change` must leave the document as it was when it fails.
    fn modify<R>(
        &mut self,
        change: impl FnOnce(&mut SiteFile) -> Result<R, SiteError>,
    ) -> Result<R, SiteError> {
        let (doc, result) = self.file.update(|doc: &mut SiteFile| {
            let result = change(doc);
            if result.is_ok() {
                normalize(doc);
            }
            result
        })?;
        self.refresh(doc);
        result
    }

    /// Takes what was read or written as the current state.
    fn refresh(&mut self, doc: SiteFile) {
        self.folders = all_folders(&doc);
        self.sites = doc.sites;
        self.sites.sort_by(site_order);
    }
}

/// Whether `site` may join `doc` in an import: valid, and a new path.
fn admit(doc: &SiteFile, site: &Site) -> Result<(), SiteError> {
    validate(site)?;
    let path = site.path();
    if doc.sites.iter().any(|s| s.path() == path) {
        return Err(SiteError::Exists { path });
    }
    Ok(())
}

/// Checks what the model's types do not: see [`SiteStore::add`].
fn validate(site: &Site) -> Result<(), SiteError> {
    if site.name.is_empty() {
        return Err(SiteError::EmptyName);
    }
    if site.name.contains('/') {
        return Err(SiteError::SlashInName {
            name: site.name.clone(),
        });
    }
    check_folder_names(&site.folder)?;
    let path = site.path();
    if site.host.trim().is_empty() {
        return Err(SiteError::EmptyHost { path });
    }
    if !MAX_CONNECTIONS.contains(&site.max_connections) {
        return Err(SiteError::MaxConnections {
            path,
            value: site.max_connections,
        });
    }
    for (field, value) in [
        ("CA file", &site.ca_file),
        ("local folder", &site.local_dir),
    ] {
        if let Some(value) = value
            && value.to_str().is_none()
        {
            return Err(SiteError::NotUnicode {
                path,
                field,
                value: value.to_string_lossy().into_owned(),
            });
        }
    }
    Ok(())
}

/// A folder path to create: at least one name, each valid.
fn check_folder(folder: &[String]) -> Result<(), SiteError> {
    if folder.is_empty() {
        return Err(SiteError::BadFolder {
            folder: String::new(),
        });
    }
    check_folder_names(folder)
}

/// Every name non-empty and without `/` (an empty path is the top level).
fn check_folder_names(folder: &[String]) -> Result<(), SiteError> {
    if folder
        .iter()
        .any(|name| name.is_empty() || name.contains('/'))
    {
        return Err(SiteError::BadFolder {
            folder: folder.join("/"),
        });
    }
    Ok(())
}

/// Every folder of `doc`: listed ones, those holding sites, and those holding either; sorted.
fn all_folders(doc: &SiteFile) -> Vec<Vec<String>> {
    let mut all: Vec<Vec<String>> = doc
        .folders
        .iter()
        .chain(doc.sites.iter().map(|s| &s.folder))
        .flat_map(|folder| (1..=folder.len()).map(|n| folder[..n].to_vec()))
        .collect();
    all.sort_by(|a, b| folder_order(a, b));
    all.dedup();
    all
}

/// Puts the document in the form it is saved in: sites sorted, every folder listed.
fn normalize(doc: &mut SiteFile) {
    doc.folders = all_folders(doc);
    doc.sites.sort_by(site_order);
}

/// Folder paths name by name, ignoring case (then exactly, so the order is total).
fn folder_order(a: &[String], b: &[String]) -> Ordering {
    let lower = |f: &[String]| f.iter().map(|n| n.to_lowercase()).collect::<Vec<_>>();
    lower(a).cmp(&lower(b)).then_with(|| a.cmp(b))
}

/// Sites by folder, then name ignoring case (then exactly).
fn site_order(a: &Site, b: &Site) -> Ordering {
    folder_order(&a.folder, &b.folder)
        .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        .then_with(|| a.name.cmp(&b.name))
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::sites::model::{Logon, MaxTls, SiteSecurity, TransferMode};

    fn site(folder: &[&str], name: &str, host: &str) -> Site {
        let mut site = Site::new(name, host);
        site.folder = folder.iter().map(|&f| f.to_owned()).collect();
        site
    }

    /// A site with every field set to something other than its default (max_tls stays at
    /// 1.3: with min_tls 1.3, 1.2 at most would leave no version).
    fn full_site() -> Site {
        Site {
            name: "Shop \"live\" ü".to_owned(),
            folder: vec!["Work".to_owned(), "Clients".to_owned()],
            host: "ftp.shop.example".to_owned(),
            port: 2121,
            security: SiteSecurity::ImplicitTls,
            logon: Logon::AskPassword,
            user: "deploy".to_owned(),
            transfer_mode: TransferMode::Active,
            max_connections: 7,
            max_tls: MaxTls::Tls13,
            min_tls: crate::sites::MinTls::Tls13,
            ccc: true,
            ca_file: Some(PathBuf::from("/etc/ssl/shop-ca.pem")),
            client_cert: Some(PathBuf::from("/home/me/.ssl/deploy.pem")),
            client_key: Some(PathBuf::from("/home/me/.ssl/deploy.key")),
            proxy: Some("socks5://deploy@proxy.shop.example:1080".to_owned()),
            time_offset_minutes: -120,
            local_dir: Some(PathBuf::from("/home/me/shop")),
            remote_dir: Some("/var/www".to_owned()),
            notes: "line one\nline two".to_owned(),
        }
    }

    fn folder(names: &[&str]) -> Vec<String> {
        names.iter().map(|&n| n.to_owned()).collect()
    }

    fn paths(store: &SiteStore) -> Vec<String> {
        store.sites().iter().map(Site::path).collect()
    }

    fn new_store(dir: &tempfile::TempDir) -> SiteStore {
        SiteStore::load(&dir.path().join("sites.toml")).unwrap()
    }

    fn reload(store: &SiteStore) -> SiteStore {
        SiteStore::load(store.path()).unwrap()
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
    fn round_trip_with_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(&dir);
        assert!(store.sites().is_empty());
        assert!(!store.path().exists(), "load must not create the file");
        store.add(full_site()).unwrap();
        store.add(Site::new("Plain defaults", "h.example")).unwrap();
        let fresh = reload(&store);
        assert_eq!(fresh.sites(), store.sites());
        assert_eq!(
            fresh.find("Work/Clients/Shop \"live\" ü").unwrap(),
            &full_site()
        );
        assert_eq!(
            fresh.find("Plain defaults").unwrap(),
            &Site::new("Plain defaults", "h.example")
        );
        let text = fs::read_to_string(store.path()).unwrap();
        for expected in [
            "version = 1\n",
            "folders = [[\"Work\"], [\"Work\", \"Clients\"]]\n",
            "[[site]]\n",
            "security = \"implicit-tls\"\n",
            "logon = \"ask-password\"\n",
            "transfer_mode = \"active\"\n",
            "min_tls = \"tls13\"\n",
            "ca_file = \"/etc/ssl/shop-ca.pem\"\n",
            "client_cert = \"/home/me/.ssl/deploy.pem\"\n",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
        assert!(text.starts_with("# Your saved sites in Ferry."), "{text}");
        assert!(text.contains("Passwords are NOT in this file"), "{text}");
    }

    #[test]
    fn file_never_holds_a_password() {
        /// Every key of `table`, at any depth.
        fn keys(value: &toml::Value, out: &mut Vec<String>) {
            match value {
                toml::Value::Table(table) => {
                    for (key, value) in table {
                        out.push(key.clone());
                        keys(value, out);
                    }
                }
                toml::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
                _ => {}
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(&dir);
        let mut normal = full_site();
        normal.logon = Logon::Normal;
        store.add(normal).unwrap();
        store.add(full_site()).unwrap_err();
        let mut anonymous = site(&[], "anon", "a.example");
        anonymous.logon = Logon::Anonymous;
        store.add(anonymous).unwrap();

        let check = |store: &SiteStore| {
            let text = fs::read_to_string(store.path()).unwrap();
            let value: toml::Value = toml::from_str(&text).unwrap();
            let mut all = Vec::new();
            keys(&value, &mut all);
            assert!(all.contains(&"host".to_owned()), "{all:?}");
            for key in all {
                let key = key.to_lowercase();
                assert!(!key.contains("pass") && !key.contains("secret"), "{key}");
            }
            text
        };
        check(&store);

        // A password someone wrote into the file by hand is not read, and is dropped at the
        // next save.
        let text = fs::read_to_string(store.path()).unwrap();
        let text = text.replacen("[[site]]\n", "[[site]]\npassword = \"hunter2\"\n", 1);
        fs::write(store.path(), text).unwrap();
        let mut store = reload(&store);
        store.add(site(&[], "another", "b.example")).unwrap();
        let text = check(&store);
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn sites_are_sorted_by_folder_then_name_ignoring_case() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(&dir);
        for (folder, name) in [
            (&["work"][..], "b"),
            (&["Work", "Clients"][..], "a"),
            (&[][..], "zeta"),
            (&["Work"][..], "A"),
            (&["Archive"][..], "z"),
            (&[][..], "Alpha"),
            (&["Work"][..], "c"),
        ] {
            store.add(site(folder, name, "h.example")).unwrap();
        }
        let expected = [
            "Alpha",
            "zeta",
            "Archive/z",
            "Work/A",
            "Work/c",
            // A different folder (names differ in case): its sites are not mixed in.
            "work/b",
            "Work/Clients/a",
        ];
        assert_eq!(paths(&store), expected);
        assert_eq!(paths(&reload(&store)), expected);
        // Saved in that order too.
        let text = fs::read_to_string(store.path()).unwrap();
        let names: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("name = "))
            .collect();
        assert_eq!(
            names,
            [
                "\"Alpha\"",
                "\"zeta\"",
                "\"z\"",
                "\"A\"",
                "\"c\"",
                "\"b\"",
                "\"a\""
            ]
        );
    }

    #[test]
    fn find_by_path_or_unique_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(&dir);
        store.add(site(&["Work"], "Prod", "p.example")).unwrap();
        store.add(site(&["Home"], "Prod", "h.example")).unwrap();
        store
            .add(site(&["Work", "Clients"], "Shop", "s.example"))
            .unwrap();
        store.add(site(&[], "nas", "nas.local")).unwrap();

        assert_eq!(store.find("Work/Prod").unwrap().host, "p.example");
        assert_eq!(store.find("Home/Prod").unwrap().host, "h.example");
        assert_eq!(store.find("Work/Clients/Shop").unwrap().host, "s.example");
        assert_eq!(store.find("Shop").unwrap().host, "s.example");
        assert_eq!(store.find("nas").unwrap().host, "nas.local");
        // Case is ignored when nothing matches exactly.
        assert_eq!(store.find("work/clients/shop").unwrap().host, "s.example");
        assert_eq!(store.find("SHOP").unwrap().host, "s.example");

        let err = store.find("Prod").unwrap_err();
        assert_eq!(
            err,
            SiteLookupError::Ambiguous {
                query: "Prod".to_owned(),
                candidates: vec!["Home/Prod".to_owned(), "Work/Prod".to_owned()],
            }
        );
        let message = err.to_string();
        assert!(message.contains("Home/Prod, Work/Prod"), "{message}");
        assert!(message.contains("full path"), "{message}");

        for missing in ["Nope", "Clients/Shop", "Work", "", "Work/Prod/x"] {
            let err = store.find(missing).unwrap_err();
            assert!(
                matches!(err, SiteLookupError::NotFound { .. }),
                "{missing}: {err}"
            );
        }
        // A name is only a name: with a '/', it is a full path.
        assert!(store.find("Clients/Shop").is_err());

        // A top-level site's path is its name: it wins over same-named sites in folders.
        store.add(site(&[], "Prod", "top.example")).unwrap();
        assert_eq!(store.find("Prod").unwrap().host, "top.example");
    }

    #[test]
    fn add_refuses_duplicates_and_invalid_sites() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(&dir);
        store.add(site(&["Work"], "Prod", "p.example")).unwrap();
        let before = fs::read(store.path()).unwrap();

        let err = store
            .add(site(&["Work"], "Prod", "other.example"))
            .unwrap_err();
        assert!(matches!(&err, SiteError::Exists { path } if path == "Work/Prod"));
        assert!(err.to_string().contains("choose another name"), "{err}");
        // Same name in another folder is fine (checked after the refusals below).

        let mut too_many = site(&[], "x", "h");
        too_many.max_connections = 11;
        let mut none = site(&[], "x", "h");
        none.max_connections = 0;
        let cases = [
            (site(&[], "", "h"), "needs a name"),
            (site(&[], "a/b", "h"), "contains '/'"),
            (site(&["Wo/rk"], "x", "h"), "not a valid folder"),
            (site(&["Work", ""], "x", "h"), "not a valid folder"),
            (site(&[], "x", ""), "no server"),
            (site(&[], "x", "  "), "no server"),
            (too_many, "from 1 to 10"),
            (none, "from 1 to 10"),
        ];
        for (bad, message) in cases {
            let err = store.add(bad.clone()).unwrap_err();
            assert!(err.to_string().contains(message), "{bad:?}: {err}");
        }
        assert_eq!(
            fs::read(store.path()).unwrap(),
            before,
            "refusals write nothing"
        );
        assert_eq!(paths(&store), ["Work/Prod"]);

        let mut ten = site(&["Home"], "Prod", "p.example");
        ten.max_connections = 10;
        store.add(ten).unwrap();
        assert_eq!(paths(&reload(&store)), ["Home/Prod", "Work/Prod"]);
    }

    #[cfg(unix)]
    #[test]
    fn non_unicode_local_paths_are_refused() {
        use std::os::unix::ffi::OsStrExt as _;
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(&dir);
        let mut bad = site(&[], "x", "h");
        bad.local_dir = Some(PathBuf::from(std::ffi::OsStr::from_bytes(b"/tmp/caf\xe9")));
        let err = store.add(bad).unwrap_err();
        assert!(
            matches!(
                err,
                SiteError::NotUnicode {
                    field: "local folder",
                    ..
                }
            ),
            "{err}"
        );
        assert!(!store.path().exists());
    }

    #[test]
    fn rename_and_move() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(&dir);
        store.add(site(&["Work"], "Prod", "p.example")).unwrap();
        store.add(site(&["Work"], "Test", "t.example")).unwrap();

        // Edit in place.
        let mut edited = store.find("Work/Prod").unwrap().clone();
        edited.port = 2121;
        store.replace("Work/Prod", edited).unwrap();
        assert_eq!(store.find("Work/Prod").unwrap().port, 2121);

        // Rename.
        let mut renamed = store.find("Work/Prod").unwrap().clone();
        renamed.name = "Production".to_owned();
        store.replace("Work/Prod", renamed).unwrap();
        assert_eq!(paths(&store), ["Work/Production", "Work/Test"]);

        // Move to another (new) folder; the old folder stays.
        let mut moved = store.find("Work/Test").unwrap().clone();
        moved.folder = folder(&["Archive", "2024"]);
        store.replace("Work/Test", moved).unwrap();
        let fresh = reload(&store);
        assert_eq!(paths(&fresh), ["Archive/2024/Test", "Work/Production"]);
        assert_eq!(fresh.find("Work/Production").unwrap().port, 2121);
        assert_eq!(
            fresh.folders(),
            [
                folder(&["Archive"]),
                folder(&["Archive", "2024"]),
                folder(&["Work"])
            ]
        );

        // Collisions and unknown sites are refused.
        let mut clash = fresh.find("Archive/2024/Test").unwrap().clone();
        clash.folder = folder(&["Work"]);
        clash.name = "Production".to_owned();
        let err = store.replace("Archive/2024/Test", clash).unwrap_err();
        assert!(matches!(err, SiteError::Exists { .. }), "{err}");
        let err = store.replace("Work/Nope", site(&[], "x", "h")).unwrap_err();
        assert!(matches!(err, SiteError::NotFound { .. }), "{err}");
        let err = store
            .replace("Work/Production", site(&[], "", "h"))
            .unwrap_err();
        assert!(matches!(err, SiteError::EmptyName), "{err}");
        assert_eq!(
            paths(&reload(&store)),
            ["Archive/2024/Test", "Work/Production"]
        );
    }

    #[test]
    fn remove_keeps_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(&dir);
        store.add(site(&["Work"], "Prod", "p.example")).unwrap();
        store.add(site(&[], "nas", "nas.local")).unwrap();
        let gone = store.remove("Work/Prod").unwrap();
        assert_eq!(gone, site(&["Work"], "Prod", "p.example"));
        let fresh = reload(&store);
        assert_eq!(paths(&fresh), ["nas"]);
        assert_eq!(fresh.folders(), [folder(&["Work"])]);
        let err = store.remove("Work/Prod").unwrap_err();
        assert!(matches!(err, SiteError::NotFound { .. }), "{err}");
        // Only full paths: "Prod" alone is not the site "Work/Prod".
        store.add(site(&["Work"], "Prod", "p.example")).unwrap();
        assert!(store.remove("Prod").is_err());
    }

    #[test]
    fn folders_including_empty_ones() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(&dir);
        store.add_folder(folder(&["Work", "Clients"])).unwrap();
        store.add_folder(folder(&["home"])).unwrap();
        store.add(site(&["Archive", "Old"], "x", "h")).unwrap();
        let expected = [
            folder(&["Archive"]),
            folder(&["Archive", "Old"]),
            folder(&["home"]),
            folder(&["Work"]),
            folder(&["Work", "Clients"]),
        ];
        assert_eq!(store.folders(), expected);
        assert_eq!(reload(&store).folders(), expected);
        let text = fs::read_to_string(store.path()).unwrap();
        assert!(
            text.contains(
                "folders = [[\"Archive\"], [\"Archive\", \"Old\"], [\"home\"], [\"Work\"], \
                 [\"Work\", \"Clients\"]]"
            ),
            "{text}"
        );

        for existing in [&["Work"][..], &["Work", "Clients"], &["Archive", "Old"]] {
            let err = store.add_folder(folder(existing)).unwrap_err();
            assert!(matches!(err, SiteError::FolderExists { .. }), "{err}");
        }
        for bad in [&[][..], &[""], &["a/b"], &["Work", ""]] {
            let err = store.add_folder(folder(bad)).unwrap_err();
            assert!(matches!(err, SiteError::BadFolder { .. }), "{bad:?}: {err}");
        }

        // Only empty folders can be removed.
        let err = store.remove_folder(&folder(&["Work"])).unwrap_err();
        assert!(
            matches!(
                err,
                SiteError::FolderNotEmpty {
                    sites: 0,
                    folders: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string().contains("move or delete them first"),
            "{err}"
        );
        let err = store
            .remove_folder(&folder(&["Archive", "Old"]))
            .unwrap_err();
        assert!(
            matches!(
                err,
                SiteError::FolderNotEmpty {
                    sites: 1,
                    folders: 0,
                    ..
                }
            ),
            "{err}"
        );
        let err = store.remove_folder(&folder(&["Nope"])).unwrap_err();
        assert!(matches!(err, SiteError::FolderNotFound { .. }), "{err}");

        store.remove_folder(&folder(&["Work", "Clients"])).unwrap();
        store.remove_folder(&folder(&["Work"])).unwrap();
        store.remove("Archive/Old/x").unwrap();
        store.remove_folder(&folder(&["Archive", "Old"])).unwrap();
        assert_eq!(
            reload(&store).folders(),
            [folder(&["Archive"]), folder(&["home"])]
        );
    }

    #[test]
    fn add_many_skips_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(&dir);
        let mut saved = site(&["Work"], "Prod", "ftp.example.com");
        saved.user = "alice".to_owned();
        store.add(saved.clone()).unwrap();

        let mut same_server = site(&["Work"], "Prod copy", "FTP.Example.com");
        same_server.user = "alice".to_owned();
        same_server.port = 21; // The default port, written out.
        let mut other_user = same_server.clone();
        other_user.name = "Prod as bob".to_owned();
        other_user.user = "bob".to_owned();
        let mut other_folder = same_server.clone();
        other_folder.folder = folder(&["Home"]);
        let batch = vec![
            site(&["Work"], "Prod", "elsewhere.example"), // same path
            same_server,                                  // same server, new name: added
            other_user,                                   // added
            other_folder,                                 // added
            site(&[], "new", "n.example"),                // added
            site(&[], "new", "n2.example"),               // same path as the one before
            site(&[], "", "x.example"),                   // invalid
        ];
        let results = store.add_many(batch.clone()).unwrap();
        assert_eq!(
            results.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>(),
            batch
        );
        let outcome: Vec<&str> = results
            .iter()
            .map(|(_, r)| match r {
                Ok(()) => "added",
                Err(SiteError::Exists { .. }) => "exists",
                Err(_) => "invalid",
            })
            .collect();
        assert_eq!(
            outcome,
            [
                "exists", "added", "added", "added", "added", "exists", "invalid"
            ]
        );
        let Err(err) = &results[0].1 else { panic!() };
        assert!(err.to_string().contains("\"Work/Prod\""), "{err}");
        let expected = [
            "new",
            "Home/Prod copy",
            "Work/Prod",
            "Work/Prod as bob",
            "Work/Prod copy",
        ];
        assert_eq!(paths(&store), expected);
        assert_eq!(paths(&reload(&store)), expected);
        assert_eq!(reload(&store).find("Work/Prod").unwrap(), &saved);

        // Nothing new: nothing written.
        let before = fs::read(store.path()).unwrap();
        let results = store.add_many(vec![saved]).unwrap();
        assert!(results[0].1.is_err());
        assert_eq!(fs::read(store.path()).unwrap(), before);
    }

    /// Writes `contents` as the site file and checks that it is refused as corrupt at `line`,
    /// kept aside as `sites.toml.<seconds>.bak`, and never written over.
    fn assert_corrupt(contents: &str, line: usize) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sites.toml");
        // A store loaded while the file was still good.
        let mut earlier = SiteStore::load(&path).unwrap();
        fs::write(&path, contents).unwrap();

        let err = SiteStore::load(&path).unwrap_err();
        let message = err.to_string();
        let FileError::Corrupt { kept, detail, .. } = err else {
            panic!("not Corrupt: {message}");
        };
        assert!(
            message.starts_with(&format!("the site list {} is not valid", path.display())),
            "{message}"
        );
        assert!(message.contains(&format!("line {line}")), "{message}");
        assert!(detail.starts_with(&format!("line {line}")), "{detail}");
        assert!(message.contains("text editor"), "{message}");
        assert_eq!(fs::read_to_string(&path).unwrap(), contents);
        assert_eq!(fs::read_to_string(&kept).unwrap(), contents);
        let kept_name = kept.file_name().unwrap().to_str().unwrap().to_owned();
        let stamp = kept_name
            .strip_prefix("sites.toml.")
            .and_then(|s| s.strip_suffix(".bak"))
            .unwrap_or_else(|| panic!("{kept_name}"));
        assert!(stamp.parse::<u64>().is_ok(), "{kept_name}");

        // No change writes over it, whatever the store had read before.
        let err = earlier.add(site(&[], "new", "h")).unwrap_err();
        assert!(
            matches!(err, SiteError::File(FileError::Corrupt { .. })),
            "{err}"
        );
        assert!(earlier.add_many(vec![site(&[], "new", "h")]).is_err());
        assert!(earlier.add_folder(folder(&["F"])).is_err());
        assert!(earlier.remove("x").is_err());
        assert!(earlier.remove_folder(&folder(&["F"])).is_err());
        assert!(earlier.replace("x", site(&[], "new", "h")).is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), contents);
        assert_eq!(
            listing(dir.path()),
            ["sites.toml", kept_name.as_str(), "sites.toml.lock"]
        );
    }

    #[test]
    fn garbage_is_corrupt() {
        assert_corrupt("version = 1\n[[site]]\nname = \"a\"\nhost = h\"\n", 4);
    }

    #[test]
    fn wrong_type_is_corrupt() {
        assert_corrupt(
            "version = 1\n\n[[site]]\nname = \"a\"\nhost = \"h\"\nport = \"twenty-one\"\n",
            6,
        );
        assert_corrupt(
            "version = 1\n\n[[site]]\nname = \"a\"\nhost = \"h\"\nsecurity = \"maybe\"\n",
            6,
        );
        assert_corrupt("version = 1\nfolders = \"Work\"\n", 2);
    }

    #[test]
    fn invalid_sites_in_the_file_are_corrupt() {
        let two = |a: &str, b: &str| {
            format!("version = 1\n\n[[site]]\n{a}host = \"h\"\n\n[[site]]\n{b}host = \"h\"\n")
        };
        assert_corrupt(&two("name = \"a\"\n", "name = \"a/b\"\n"), 7);
        assert_corrupt(&two("name = \"a\"\n", "name = \"\"\n"), 7);
        assert_corrupt(
            &two("name = \"a\"\n", "name = \"b\"\nmax_connections = 50\n"),
            7,
        );
        let err = assert_corrupt_detail(&two("name = \"a\"\n", "name = \"a\"\n"));
        assert!(
            err.contains("line 7: a second site \"a\" (the first is at line 3)"),
            "{err}"
        );
        assert_corrupt("version = 1\nfolders = [[\"Work\"], []]\n", 2);
    }

    fn assert_corrupt_detail(contents: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sites.toml");
        fs::write(&path, contents).unwrap();
        match SiteStore::load(&path) {
            Err(FileError::Corrupt { detail, .. }) => detail,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn newer_file_is_refused_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sites.toml");
        let mut earlier = SiteStore::load(&path).unwrap();
        let contents = "version = 2\n[[site]]\nname = 1\n";
        fs::write(&path, contents).unwrap();
        let err = SiteStore::load(&path).unwrap_err();
        assert!(matches!(err, FileError::NewerVersion { .. }), "{err}");
        assert!(err.to_string().starts_with("the site list"), "{err}");
        assert!(earlier.add(site(&[], "a", "h")).is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), contents);
    }

    #[test]
    fn hand_written_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sites.toml");
        fs::write(
            &path,
            "version = 1\n# my sites\n[[site]]\nname = \"nas\"\nhost = \"nas.local\"\n\n\
             [[site]]\nname = \"b\"\nfolder = [\"Work\"]\nhost = \"b.example\"\n\
             [[site]]\nname = \"a\"\nfolder = [\"Work\"]\nhost = \"a.example\"\n",
        )
        .unwrap();
        let store = SiteStore::load(&path).unwrap();
        assert_eq!(paths(&store), ["nas", "Work/a", "Work/b"]);
        assert_eq!(store.folders(), [folder(&["Work"])]);
        let nas = store.find("nas").unwrap();
        assert_eq!(nas, &Site::new("nas", "nas.local"));
        assert_eq!(nas.effective_port(), 21);
    }

    #[test]
    fn other_writers_are_seen_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = new_store(&dir);
        let mut b = new_store(&dir);
        a.add(site(&[], "from a", "a.example")).unwrap();
        b.add(site(&[], "from b", "b.example")).unwrap();
        assert_eq!(paths(&b), ["from a", "from b"]);
        // A refused change still shows what is on disk now.
        b.add_folder(folder(&["F"])).unwrap();
        assert!(a.add(site(&[], "from b", "x")).is_err());
        assert_eq!(paths(&a), ["from a", "from b"]);
        assert_eq!(a.folders(), [folder(&["F"])]);
    }

    #[test]
    fn concurrent_stores_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sites.toml");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = SiteStore::load(&path).unwrap();
                    for i in 0..10 {
                        let name = format!("site {i}");
                        store
                            .add(site(&[&format!("T{t}")], &name, "h.example"))
                            .unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let store = SiteStore::load(&path).unwrap();
        assert_eq!(store.sites().len(), 80);
        for t in 0..8 {
            for i in 0..10 {
                assert!(store.find(&format!("T{t}/site {i}")).is_ok());
            }
        }
        assert_eq!(store.folders().len(), 8);
        assert_eq!(listing(dir.path()), ["sites.toml", "sites.toml.lock"]);
    }

    #[test]
    fn default_path_is_sites_toml() {
        if let Some(path) = SiteStore::default_path() {
            assert_eq!(path.file_name().unwrap(), "sites.toml");
        }
    }
}
