//! Importer for FileZilla 3's site manager (`sitemanager.xml`).
//!
//! FileZilla keeps its saved sites in an XML file: `<FileZilla3><Servers>` holds `<Server>`
//! elements and `<Folder>`s of them, nested to any depth. This module turns that file into
//! Ferry [`Site`]s plus the passwords found in it (which the caller puts into the OS keychain,
//! never anywhere else), and says what it could not carry over: sites skipped (SFTP, cloud
//! storage, ...) and per-site notes (a TLS fallback that Ferry does not allow, an encrypted
//! password, a renamed site, ...).
//!
//! The input is untrusted: it is parsed by a real XML parser with DTDs refused (so no external
//! or custom entities), its size is capped, folder nesting is capped, and nothing in here
//! panics on any input. Passwords never appear in notes, errors or `Debug` output.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use roxmltree::{Document, Node, ParsingOptions};

use super::model::{Logon, Site, SiteSecurity, TransferMode};

/// The largest input accepted: FileZilla files are a few KiB per hundred sites. Reading and
/// parsing one this large costs about 300 MiB (roxmltree keeps ~70 bytes per node).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// Elements with more attributes than this are refused before parsing: roxmltree compares each
/// attribute of an element with all the others, so one element holding 16 MiB of attributes
/// would take most of an hour. FileZilla writes at most two per element.
const MAX_ATTRIBUTES: usize = 64;

/// Folders nested deeper than this are skipped (FileZilla has no limit; real files nest a few).
const MAX_FOLDER_DEPTH: usize = 64;

/// A cap on XML nodes, bounding memory on hostile input well above any real file.
const MAX_XML_NODES: u32 = 4_000_000;

/// Ferry's parallel-connection limit.
const MAX_CONNECTIONS: u8 = 10;

/// The model's default for sites that say nothing.
const DEFAULT_CONNECTIONS: u8 = 2;

/// The note for FileZilla's "FTP, use explicit TLS if available" (protocol 0).
const NOTE_TLS_FALLBACK: &str = "FileZilla allowed a fallback to plain FTP; Ferry requires TLS — \
     if the server has no TLS, edit the site to plain FTP";

/// A site read from the file, with the password it had, if any.
///
/// The password is for the OS keychain only (keyed by `site.path()`); `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ImportedSite {
    /// The site, ready to save.
    pub site: Site,
    /// The saved password, for `Logon::Normal` sites that had a usable one.
    pub password: Option<String>,
}

impl fmt::Debug for ImportedSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportedSite")
            .field("site", &self.site)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A site (or folder) that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `Folder/Name`, as the site would have been named.
    pub path: String,
    /// Why, for the user.
    pub reason: String,
}

/// What an import produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The sites, in file order.
    pub sites: Vec<ImportedSite>,
    /// What was left out, in file order.
    pub skipped: Vec<Skipped>,
    /// `(path, note)`: what the user should know about an imported site (settings not carried
    /// over, changes made). The path is an imported site's `path()`, or a folder's path for
    /// folder-level notes (an empty or renamed folder).
    pub notes: Vec<(String, String)>,
}

/// Why a file could not be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not well-formed XML (or it has a DTD, which is refused).
    #[error("the file is not valid XML (line {line}): {detail}")]
    Xml {
        /// 1-based line of the error.
        line: u32,
        /// The parser's message.
        detail: String,
    },
    /// XML, but not FileZilla's site manager.
    #[error("not a FileZilla site manager file: expected <FileZilla3> with <Servers>")]
    NotSiteManager,
    /// Over [`MAX_INPUT_BYTES`]: nothing more than the cap was read.
    #[error(
        "the file is {}, larger than the 16 MiB ({MAX_INPUT_BYTES} bytes) Ferry reads: not a FileZilla site manager file",
        size.map_or_else(|| "more than that".to_owned(), |s| format!("{s} bytes"))
    )]
    TooLarge {
        /// The file's size in bytes, when known (not for a device or a file still growing).
        size: Option<u64>,
    },
    /// The file could not be opened or read.
    #[error("cannot read the file: {0}")]
    Read(#[source] std::io::Error),
    /// The file is not UTF-8, which FileZilla always writes.
    #[error("the file is not UTF-8 text (line {line}), as FileZilla writes it")]
    NotUtf8 {
        /// 1-based line of the first byte that is not.
        line: u32,
    },
}

/// Reads and parses the `sitemanager.xml` at `path`, reading no more than [`MAX_INPUT_BYTES`]
/// of it (plus one byte, to know there is more), whatever the file is.
///
/// # Errors
/// [`ImportError::Read`] when it cannot be read, [`ImportError::TooLarge`], and the errors of
/// [`parse_sitemanager`]. Messages do not name the file: the caller does.
pub fn read_sitemanager(path: &Path) -> Result<ImportReport, ImportError> {
    use crate::persist::{CappedReadError, read_capped};
    let bytes = read_capped(path, MAX_INPUT_BYTES as u64).map_err(|e| match e {
        CappedReadError::Io(e) => ImportError::Read(e),
        CappedReadError::TooLarge { size } => ImportError::TooLarge { size },
    })?;
    let text = String::from_utf8(bytes).map_err(|e| ImportError::NotUtf8 {
        line: line_of(e.as_bytes(), e.utf8_error().valid_up_to()),
    })?;
    parse_sitemanager(&text)
}

/// Where FileZilla 3 keeps `sitemanager.xml` for this user: `%APPDATA%\\FileZilla` on
/// Windows, `$XDG_CONFIG_HOME/filezilla` (or `~/.config/filezilla`) elsewhere, macOS included.
/// A path only: whether the file is there is for the reader to find out.
pub fn default_sitemanager_path() -> Option<std::path::PathBuf> {
    let dirs = directories::BaseDirs::new()?;
    let folder = if cfg!(windows) {
        dirs.config_dir().join("FileZilla")
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| dirs.home_dir().join(".config"))
            .join("filezilla")
    };
    Some(folder.join("sitemanager.xml"))
}

/// Parses the XML text of a FileZilla 3 `sitemanager.xml`.
pub fn parse_sitemanager(xml: &str) -> Result<ImportReport, ImportError> {
    if xml.len() > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge {
            size: Some(xml.len() as u64),
        });
    }
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    if let Some(at) = element_with_too_many_attributes(xml.as_bytes()) {
        return Err(ImportError::Xml {
            line: line_of(xml.as_bytes(), at),
            detail: format!(
                "an element has more than {MAX_ATTRIBUTES} attributes (FileZilla writes at most two)"
            ),
        });
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_XML_NODES,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(xml, options).map_err(|e| xml_error(xml, &e))?;
    let root = doc.root_element();
    if root.tag_name().name() != "FileZilla3" {
        return Err(ImportError::NotSiteManager);
    }
    let servers = child(root, "Servers").ok_or(ImportError::NotSiteManager)?;

    let mut importer = Importer::default();
    importer.walk(servers);
    Ok(importer.report)
}

/// Where the first start tag with more than [`MAX_ATTRIBUTES`] attributes begins, if any; found
/// in one pass over the bytes, before the parser, by counting the `=` outside quotes of each
/// start tag (every attribute has one). Comments, CDATA sections and processing instructions
/// are skipped whole, as they may hold any `=`; anything else malformed is the parser's to
/// report.
fn element_with_too_many_attributes(xml: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(offset) = xml.get(at..)?.iter().position(|&b| b == b'<') {
        let start = at + offset;
        let rest = xml.get(start..)?;
        let skip_to = |end: &[u8]| {
            rest.windows(end.len())
                .position(|w| w == end)
                .map_or(xml.len(), |i| start + i + end.len())
        };
        if rest.starts_with(b"<!--") {
            at = skip_to(b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            at = skip_to(b"]]>");
        } else if rest.starts_with(b"<?") {
            at = skip_to(b"?>");
        } else {
            let mut quote = None;
            let mut equals = 0;
            let mut end = xml.len();
            for (i, &b) in rest.iter().enumerate().skip(1) {
                match (quote, b) {
                    (Some(q), _) if b == q => quote = None,
                    (Some(_), _) => {}
                    (None, b'"' | b'\'') => quote = Some(b),
                    (None, b'=') => {
                        equals += 1;
                        if equals > MAX_ATTRIBUTES {
                            return Some(start);
                        }
                    }
                    (None, b'>') => {
                        end = start + i + 1;
                        break;
                    }
                    _ => {}
                }
            }
            at = end;
        }
    }
    None
}

/// The 1-based line of byte offset `at`.
fn line_of(bytes: &[u8], at: usize) -> u32 {
    let before = bytes.get(..at).unwrap_or(bytes);
    let lines = before
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_add(1);
    u32::try_from(lines).unwrap_or(u32::MAX)
}

/// The parser's error, with a line for errors that have none and nothing from the file that
/// could be part of a password.
fn xml_error(xml: &str, e: &roxmltree::Error) -> ImportError {
    use roxmltree::Error as E;
    let last_line = u32::try_from(xml.matches('\n').count().saturating_add(1)).unwrap_or(u32::MAX);
    let (line, detail) = match e {
        E::UnexpectedEndOfStream | E::UnclosedRootNode => (
            last_line,
            format!("the file ends before the XML does (truncated?): {e}"),
        ),
        E::UnknownEntityReference(_, pos) => (
            pos.row,
            "an unknown entity reference (only XML's built-in entities are allowed)".to_owned(),
        ),
        E::DtdDetected => (1, "a DTD (<!DOCTYPE ...>) is not allowed".to_owned()),
        _ => (e.pos().row, e.to_string()),
    };
    ImportError::Xml { line, detail }
}

#[derive(Default)]
struct Importer {
    report: ImportReport,
    /// Paths taken so far, to keep names unique within a folder.
    taken: HashSet<String>,
    /// The next " (n)" suffix to try for a taken path.
    next_suffix: HashMap<String, u32>,
}

impl Importer {
    /// Visits `<Servers>` and its folders in document order, without recursion (the nesting
    /// comes from the file).
    fn walk(&mut self, servers: Node<'_, '_>) {
        let mut stack: Vec<(roxmltree::Children<'_, '_>, Vec<String>)> =
            vec![(servers.children(), Vec::new())];
        while let Some((children, folder)) = stack.last_mut() {
            let Some(node) = children.next() else {
                stack.pop();
                continue;
            };
            match node.tag_name().name() {
                "Server" if node.is_element() => {
                    let folder = folder.clone();
                    self.server(node, folder);
                }
                "Folder" if node.is_element() => {
                    let mut path = folder.clone();
                    let name = self.folder_name(node, &path);
                    path.push(name);
                    let folder_path = path.join("/");
                    if path.len() > MAX_FOLDER_DEPTH {
                        self.report.skipped.push(Skipped {
                            path: folder_path,
                            reason: format!(
                                "folders nested more than {MAX_FOLDER_DEPTH} deep are not imported"
                            ),
                        });
                        continue;
                    }
                    if !node
                        .descendants()
                        .any(|n| n.is_element() && n.tag_name().name() == "Server")
                    {
                        self.note(
                            folder_path,
                            "empty folder: not imported (Ferry's folders exist through their sites)",
                        );
                        continue;
                    }
                    stack.push((node.children(), path));
                }
                _ => {}
            }
        }
    }

    fn note(&mut self, path: String, note: impl Into<String>) {
        self.report.notes.push((path, note.into()));
    }

    /// A folder's name: its text before the first child element, trimmed.
    fn folder_name(&mut self, folder: Node<'_, '_>, parent: &[String]) -> String {
        let mut raw: String = folder
            .children()
            .take_while(|n| !n.is_element())
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        if raw.trim().is_empty() {
            // Some writers put the name after the children.
            raw = direct_text(folder);
        }
        let (name, changed) = clean_name(raw.trim());
        let mut path: Vec<&str> = parent.iter().map(String::as_str).collect();
        if name.is_empty() {
            let name = "Unnamed folder".to_owned();
            path.push(&name);
            let p = path.join("/");
            self.note(p, "the folder had no name in FileZilla");
            return name;
        }
        if changed {
            path.push(&name);
            let p = path.join("/");
            self.note(
                p,
                format!(
                    "folder renamed from \"{}\": Ferry names cannot contain '/' or control characters",
                    shorten(raw.trim())
                ),
            );
        }
        name
    }

    fn server(&mut self, server: Node<'_, '_>, folder: Vec<String>) {
        let host_raw = child_text(server, "Host").unwrap_or_default();
        let host = host_raw.trim();
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .to_owned();

        // Name: <Name>, or the old form (text directly in <Server>), or the host.
        let name_raw = child_text(server, "Name")
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .or_else(|| Some(direct_text(server).trim().to_owned()).filter(|n| !n.is_empty()))
            .unwrap_or_else(|| host.clone());
        let (mut name, renamed) = clean_name(&name_raw);
        if name.is_empty() {
            name = "Unnamed site".to_owned();
        }
        let mut notes: Vec<String> = Vec::new();
        if renamed {
            notes.push(format!(
                "renamed from \"{}\": Ferry names cannot contain '/' or control characters",
                shorten(&name_raw)
            ));
        }

        let path_of = |name: &str| {
            folder
                .iter()
                .map(String::as_str)
                .chain(std::iter::once(name))
                .collect::<Vec<_>>()
                .join("/")
        };

        // Protocol (FileZilla's default when absent is 0, FTP with TLS if available).
        let protocol_text = child_text(server, "Protocol").unwrap_or_default();
        let protocol_text = protocol_text.trim();
        let protocol: i64 = if protocol_text.is_empty() {
            0
        } else {
            match protocol_text.parse() {
                Ok(p) => p,
                Err(_) => {
                    return self.skip(
                        path_of(&name),
                        format!(
                            "not an FTP site (unknown protocol \"{}\")",
                            shorten(protocol_text)
                        ),
                    );
                }
            }
        };
        let security = match protocol {
            0 => {
                notes.push(NOTE_TLS_FALLBACK.to_owned());
                SiteSecurity::ExplicitTls
            }
            3 => SiteSecurity::ImplicitTls,
            4 => SiteSecurity::ExplicitTls,
            6 => {
                notes.push(
                    "plain FTP (insecure): the password and files travel unencrypted".to_owned(),
                );
                SiteSecurity::Plain
            }
            other => {
                let reason = match protocol_name(other) {
                    Some(pname) => format!("not an FTP site (protocol {other}: {pname})"),
                    None => format!("not an FTP site (protocol {other})"),
                };
                return self.skip(path_of(&name), reason);
            }
        };

        if host.is_empty() {
            return self.skip(path_of(&name), "no host".to_owned());
        }
        if !valid_host(&host) {
            return self.skip(
                path_of(&name),
                format!("\"{}\" is not a valid host name", shorten(&host)),
            );
        }

        let mut site = Site::new(String::new(), host);
        site.folder = folder.clone();
        site.security = security;

        // Port: missing or 0 means the mode's default.
        if let Some(port) = child_text(server, "Port") {
            let port = port.trim();
            if !port.is_empty() {
                match port.parse::<u16>() {
                    Ok(p) => site.port = p,
                    Err(_) => notes.push(format!(
                        "port \"{}\" is not valid; using the default port",
                        shorten(port)
                    )),
                }
            }
        }

        // Logon and password.
        let user = child_text(server, "User").unwrap_or_default();
        let logon_text = child_text(server, "Logontype").unwrap_or_default();
        let logon_text = logon_text.trim();
        let logon_type: Option<i64> = if logon_text.is_empty() {
            None
        } else {
            match logon_text.parse() {
                Ok(l) => Some(l),
                Err(_) => Some(-1),
            }
        };
        let mut wants_password = false;
        site.logon = match logon_type {
            Some(0) => Logon::Anonymous,
            Some(1) => {
                wants_password = true;
                Logon::Normal
            }
            Some(2) => Logon::AskPassword,
            Some(3) => {
                notes.push(
                    "FileZilla used interactive login; Ferry will ask for the password".to_owned(),
                );
                Logon::AskPassword
            }
            Some(4) => {
                wants_password = true;
                notes.push(
                    "FileZilla's \"Account\" logon: the account (ACCT) value is not imported"
                        .to_owned(),
                );
                Logon::Normal
            }
            Some(5) => {
                notes.push(
                    "FileZilla's key file logon is for SFTP only; Ferry will ask for a password"
                        .to_owned(),
                );
                Logon::AskPassword
            }
            Some(6) => {
                notes.push(
                    "FileZilla's profile logon is for cloud storage only; Ferry will ask for a \
                     password"
                        .to_owned(),
                );
                Logon::AskPassword
            }
            Some(_) => {
                notes.push(format!(
                    "unknown FileZilla logon type \"{}\"; Ferry will ask for the password",
                    shorten(logon_text)
                ));
                Logon::AskPassword
            }
            // No Logontype (hand-made files): a user means a normal login.
            None if user.trim().is_empty() => Logon::Anonymous,
            None => {
                wants_password = true;
                Logon::Normal
            }
        };
        if site.logon != Logon::Anonymous {
            if user.contains(['\r', '\n', '\0']) {
                return self.skip(
                    path_of(&name),
                    "the user name contains a line break".to_owned(),
                );
            }
            site.user = user;
        }
        let password = if wants_password {
            match read_password(server) {
                Ok(p) => Some(p),
                Err(why) => {
                    notes.push(why);
                    None
                }
            }
        } else {
            None
        };

        // Data connections.
        if child_text(server, "PasvMode").is_some_and(|m| m.trim() == "MODE_ACTIVE") {
            site.transfer_mode = TransferMode::Active;
        }

        // Parallel connections: 0 or absent is FileZilla's "use the global setting".
        let max = child_text(server, "MaximumMultipleConnections")
            .and_then(|m| m.trim().parse::<i64>().ok())
            .unwrap_or(0);
        site.max_connections = if max <= 0 {
            DEFAULT_CONNECTIONS
        } else if max > i64::from(MAX_CONNECTIONS) {
            notes.push(format!(
                "FileZilla allowed {max} connections; Ferry's maximum is {MAX_CONNECTIONS}"
            ));
            MAX_CONNECTIONS
        } else {
            // 1..=10, so it fits.
            u8::try_from(max).unwrap_or(DEFAULT_CONNECTIONS)
        };

        // Folders opened on connect.
        if let Some(local) = child_text(server, "LocalDir").filter(|l| !l.trim().is_empty()) {
            site.local_dir = Some(PathBuf::from(local));
        }
        if let Some(remote) = child_text(server, "RemoteDir") {
            let remote = remote.trim();
            if !remote.is_empty() {
                match decode_remote_dir(remote) {
                    Ok(dir) => {
                        if let Some(kind) = dir.foreign_kind {
                            notes.push(format!(
                                "the remote folder was a {kind} path in FileZilla, imported as \
                                 \"{}\"; check it",
                                shorten(&dir.path)
                            ));
                        }
                        site.remote_dir = Some(dir.path);
                    }
                    Err(why) => notes.push(format!(
                        "the remote folder \"{}\" could not be read ({why}); not imported",
                        shorten(remote)
                    )),
                }
            }
        }

        // Comments become the site's notes.
        if let Some(comments) = child_text(server, "Comments") {
            let comments = comments.replace("\r\n", "\n");
            let comments = comments.trim();
            if !comments.is_empty() {
                site.notes = comments.to_owned();
            }
        }

        // Settings Ferry has no place for.
        if let Some(enc) = child_text(server, "EncodingType")
            && enc.trim() == "Custom"
        {
            let charset = child_text(server, "CustomEncoding").unwrap_or_default();
            notes.push(format!(
                "FileZilla used the character set \"{}\" for file names; Ferry uses UTF-8",
                shorten(charset.trim())
            ));
        }
        if child(server, "PostLoginCommands").is_some_and(|p| {
            p.children()
                .any(|c| c.is_element() && !element_text(c).trim().is_empty())
        }) {
            notes.push("FileZilla's post-login commands are not imported".to_owned());
        }
        let bookmarks = server
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "Bookmark")
            .count();
        if bookmarks > 0 {
            notes.push(format!(
                "{bookmarks} FileZilla bookmark{} not imported",
                if bookmarks == 1 { "" } else { "s" }
            ));
        }

        // A unique path within the folder.
        let mut unique = name.clone();
        if self.taken.contains(&path_of(&name)) {
            let next = self.next_suffix.entry(path_of(&name)).or_insert(2);
            loop {
                unique = format!("{name} ({next})");
                *next = next.saturating_add(1);
                if !self.taken.contains(&path_of(&unique)) {
                    break;
                }
            }
            notes.push(format!(
                "renamed from \"{name}\": another site in the folder has that name"
            ));
        }
        site.name = unique;
        let path = site.path();
        self.taken.insert(path.clone());
        for note in notes {
            self.note(path.clone(), note);
        }
        self.report.sites.push(ImportedSite { site, password });
    }

    fn skip(&mut self, path: String, reason: String) {
        self.report.skipped.push(Skipped { path, reason });
    }
}

/// The first child element named `name`.
fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// All the text directly inside an element (text and CDATA, across comments).
fn element_text(node: Node<'_, '_>) -> String {
    node.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect()
}

/// The text of the first child element named `name`, untrimmed.
fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name).map(element_text)
}

/// The first non-blank text node directly inside an element.
fn direct_text(node: Node<'_, '_>) -> String {
    node.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .find(|t| !t.trim().is_empty())
        .unwrap_or_default()
        .to_owned()
}

/// A name Ferry accepts: no '/', no control characters. Returns whether it changed.
fn clean_name(raw: &str) -> (String, bool) {
    let cleaned: String = raw
        .chars()
        .map(|c| match c {
            '/' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim().to_owned();
    let changed = cleaned != raw;
    (cleaned, changed)
}

/// A host name or IP literal: no spaces, control characters or URL syntax.
fn valid_host(host: &str) -> bool {
    host.len() <= 253
        && !host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '@' | '?' | '#'))
}

/// At most 80 characters of text from the file, on one line, for notes.
fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    let mut short: String = text
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(MAX).is_some() {
        short.push('…');
    }
    short
}

/// FileZilla's `ServerProtocol` names.
fn protocol_name(protocol: i64) -> Option<&'static str> {
    Some(match protocol {
        -1 => "unknown",
        0 => "FTP",
        1 => "SFTP",
        2 => "HTTP",
        3 => "FTPS",
        4 => "FTPES",
        5 => "HTTPS",
        6 => "insecure FTP",
        7 => "S3",
        8 => "Storj",
        9 => "WebDAV",
        10 => "Azure File",
        11 => "Azure Blob",
        12 => "OpenStack Swift",
        13 => "Google Cloud Storage",
        14 => "Google Drive",
        15 => "Dropbox",
        16 => "OneDrive",
        17 => "Backblaze B2",
        18 => "Box",
        19 => "insecure WebDAV",
        20 => "Rackspace",
        21 => "Storj (access grant)",
        22 => "S3 (SSO)",
        23 => "Google Cloud (service account)",
        24 => "Cloudflare R2",
        _ => return None,
    })
}

/// The usable password of a site, or the note saying why there is none. Never puts any part of
/// the password into the note.
fn read_password(server: Node<'_, '_>) -> Result<String, String> {
    const ENTER: &str = "enter it in Ferry";
    let Some(pass) = child(server, "Pass") else {
        return Err(format!("no password was saved in FileZilla; {ENTER}"));
    };
    let text = element_text(pass);
    let password = match pass.attribute("encoding").map(str::trim) {
        None | Some("") => text,
        Some(enc) if enc.eq_ignore_ascii_case("base64") => {
            let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let engine = GeneralPurpose::new(
                &alphabet::STANDARD,
                GeneralPurposeConfig::new()
                    .with_decode_padding_mode(DecodePaddingMode::Indifferent),
            );
            let Ok(bytes) = engine.decode(compact.as_bytes()) else {
                return Err(format!(
                    "the saved password is not valid base64 and was not imported; {ENTER}"
                ));
            };
            let Ok(password) = String::from_utf8(bytes) else {
                return Err(format!(
                    "the saved password is not valid UTF-8 and was not imported; {ENTER}"
                ));
            };
            password
        }
        Some(enc) if enc.eq_ignore_ascii_case("crypt") => {
            return Err(format!(
                "the password is encrypted with FileZilla's master password; {ENTER}"
            ));
        }
        Some(enc) => {
            return Err(format!(
                "the password is stored in an unknown form (\"{}\") and was not imported; {ENTER}",
                shorten(enc)
            ));
        }
    };
    if password.is_empty() {
        return Err(format!("no password was saved in FileZilla; {ENTER}"));
    }
    if password.contains(['\r', '\n', '\0']) {
        return Err(format!(
            "the saved password contains a line break, which FTP cannot send; {ENTER}"
        ));
    }
    Ok(password)
}

/// A remote folder decoded from FileZilla's form.
#[derive(Debug, PartialEq, Eq)]
struct RemoteDir {
    /// The path as the server writes it.
    path: String,
    /// For paths that are not Unix-style: FileZilla's name of the server type.
    foreign_kind: Option<&'static str>,
}

/// How FileZilla writes a path for one server type (its `CServerTypeTraits`).
struct PathStyle {
    name: &'static str,
    separator: char,
    has_root: bool,
    enclosure: Option<(char, char)>,
    prefix_is_suffix: bool,
    escape: Option<char>,
    separator_after_prefix: bool,
}

const fn style(name: &'static str, separator: char, has_root: bool) -> PathStyle {
    PathStyle {
        name,
        separator,
        has_root,
        enclosure: None,
        prefix_is_suffix: false,
        escape: None,
        separator_after_prefix: false,
    }
}

/// FileZilla's `ServerType` values, in order.
const PATH_STYLES: [PathStyle; 11] = [
    style("default", '/', true),
    style("Unix", '/', true),
    PathStyle {
        enclosure: Some(('[', ']')),
        escape: Some('^'),
        ..style("VMS", '.', false)
    },
    style("DOS", '\\', false),
    PathStyle {
        enclosure: Some(('\'', '\'')),
        prefix_is_suffix: true,
        ..style("MVS", '.', false)
    },
    style("VxWorks", '/', true),
    style("z/VM", '/', true),
    style("HP NonStop", '.', false),
    style("DOS (virtual)", '\\', true),
    PathStyle {
        separator_after_prefix: true,
        ..style("Cygwin", '/', true)
    },
    style("DOS", '/', false),
];

/// Decodes FileZilla's "safe path": `<type> <prefix length>[ <prefix>]( <length> <segment>)*`,
/// e.g. `1 0 4 home 5 alice` is `/home/alice`. Lengths are in `wchar_t`s: characters in files
/// written on Unix, UTF-16 units in files written on Windows; both are tried.
fn decode_remote_dir(text: &str) -> Result<RemoteDir, &'static str> {
    let chars: Vec<char> = text.chars().collect();
    let (kind, prefix, segments) = match split_safe_path(&chars) {
        Ok((kind, prefix, segments)) => (
            kind,
            prefix.map(|p| p.iter().collect::<String>()),
            segments
                .into_iter()
                .map(|s| s.iter().collect::<String>())
                .collect::<Vec<_>>(),
        ),
        Err(why) => {
            let units: Vec<u16> = text.encode_utf16().collect();
            let Ok((kind, prefix, segments)) = split_safe_path(&units) else {
                return Err(why);
            };
            let prefix = match prefix {
                Some(p) => Some(String::from_utf16(p).map_err(|_| why)?),
                None => None,
            };
            let segments = segments
                .into_iter()
                .map(String::from_utf16)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| why)?;
            (kind, prefix, segments)
        }
    };
    let style = PATH_STYLES
        .get(usize::try_from(kind).map_err(|_| "unknown server type")?)
        .ok_or("unknown server type")?;
    if segments.is_empty() && !style.has_root {
        return Err("no folder named");
    }
    let path = render_path(style, prefix.as_deref(), &segments);
    if path.contains(['\r', '\n', '\0']) {
        return Err("it contains a line break");
    }
    Ok(RemoteDir {
        path,
        foreign_kind: (kind > 1).then_some(style.name),
    })
}

/// The parts of a safe path: server type, prefix, segments (as slices of `units`).
type SafePath<'a, T> = (u32, Option<&'a [T]>, Vec<&'a [T]>);

fn split_safe_path<T: Copy + Into<u32>>(units: &[T]) -> Result<SafePath<'_, T>, &'static str> {
    const MALFORMED: &str = "malformed";
    let is = |pos: usize, c: char| units.get(pos).is_some_and(|&u| u.into() == u32::from(c));
    let number = |pos: &mut usize| -> Result<u32, &'static str> {
        let start = *pos;
        let mut value: u32 = 0;
        while let Some(d) = units
            .get(*pos)
            .and_then(|&u| char::from_u32(u.into()))
            .and_then(|c| c.to_digit(10))
        {
            // FileZilla refuses lengths over 32767.
            value = value * 10 + d;
            if value > 32767 {
                return Err(MALFORMED);
            }
            *pos += 1;
        }
        if *pos == start {
            Err(MALFORMED)
        } else {
            Ok(value)
        }
    };

    let mut pos = 0;
    let kind = number(&mut pos)?;
    if !is(pos, ' ') {
        return Err(MALFORMED);
    }
    pos += 1;
    let prefix_len = number(&mut pos)? as usize;
    let rest_is_blank = |pos: usize| {
        units[pos.min(units.len())..]
            .iter()
            .all(|&u| u.into() == 32)
    };
    if rest_is_blank(pos) {
        // "1 0": the root.
        return if prefix_len == 0 {
            Ok((kind, None, Vec::new()))
        } else {
            Err(MALFORMED)
        };
    }
    if !is(pos, ' ') {
        return Err(MALFORMED);
    }
    pos += 1;
    let mut prefix = None;
    if prefix_len > 0 {
        let p = units.get(pos..pos + prefix_len).ok_or(MALFORMED)?;
        prefix = Some(p);
        pos += prefix_len;
        if pos < units.len() && !is(pos, ' ') {
            return Err(MALFORMED);
        }
    }
    let mut segments = Vec::new();
    loop {
        // Older versions wrote a trailing space and tolerated repeated ones.
        while is(pos, ' ') {
            pos += 1;
        }
        if pos >= units.len() {
            break;
        }
        let len = number(&mut pos)? as usize;
        if len == 0 || !is(pos, ' ') {
            return Err(MALFORMED);
        }
        pos += 1;
        let segment = units.get(pos..pos + len).ok_or(MALFORMED)?;
        segments.push(segment);
        pos += len;
        if pos < units.len() && !is(pos, ' ') {
            return Err(MALFORMED);
        }
    }
    Ok((kind, prefix, segments))
}

/// Writes a path the way FileZilla shows it (its `CServerPath::GetPath`).
fn render_path(style: &PathStyle, prefix: Option<&str>, segments: &[String]) -> String {
    let mut path = String::new();
    if !style.prefix_is_suffix
        && let Some(prefix) = prefix
    {
        path.push_str(prefix);
    }
    if let Some((left, _)) = style.enclosure {
        path.push(left);
    }
    let separator_first = style.has_root && (prefix.is_none() || style.separator_after_prefix);
    if segments.is_empty() && (!style.has_root || separator_first) {
        path.push(style.separator);
    }
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 || separator_first {
            path.push(style.separator);
        }
        match style.escape {
            Some(escape) => {
                for c in segment.chars() {
                    if c == style.separator {
                        path.push(escape);
                    }
                    path.push(c);
                }
            }
            None => path.push_str(segment),
        }
    }
    if style.prefix_is_suffix
        && let Some(prefix) = prefix
    {
        path.push_str(prefix);
    }
    if let Some((_, right)) = style.enclosure {
        path.push(right);
    }
    // "C:" is the current folder on drive C; "C:\" its root.
    if style.separator != '.' && !style.has_root && segments.len() == 1 {
        path.push(style.separator);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASIC: &str = include_str!("../../tests/fixtures/filezilla/basic.xml");
    const TWENTY: &str = include_str!("../../tests/fixtures/filezilla/twenty.xml");
    const GARBAGE: &str = include_str!("../../tests/fixtures/filezilla/garbage.xml");

    fn site<'a>(report: &'a ImportReport, path: &str) -> &'a ImportedSite {
        report
            .sites
            .iter()
            .find(|s| s.site.path() == path)
            .unwrap_or_else(|| panic!("no site {path} in {:#?}", report.sites))
    }

    fn notes<'a>(report: &'a ImportReport, path: &str) -> Vec<&'a str> {
        report
            .notes
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, n)| n.as_str())
            .collect()
    }

    fn has_note(report: &ImportReport, path: &str, part: &str) -> bool {
        notes(report, path).iter().any(|n| n.contains(part))
    }

    /// A file with one `<Server>` made of `inner`.
    fn one(inner: &str) -> ImportReport {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\" ?>\n\
             <FileZilla3 version=\"3.66.4\" platform=\"linux\"><Servers><Server>\
             <Host>h.example</Host>{inner}</Server></Servers></FileZilla3>"
        );
        parse_sitemanager(&xml).unwrap()
    }

    #[test]
    fn basic_fixture_sites_and_folders() {
        let r = parse_sitemanager(BASIC).unwrap();
        let paths: Vec<String> = r.sites.iter().map(|s| s.site.path()).collect();
        assert_eq!(
            paths,
            [
                "Example",
                "Old Server",
                "Anonymous mirror",
                "Work/Implicit FTPS",
                "Work/Client A-B",
                "Work/Clients/Acme",
                "Work/Clients/Archive/Old Acme",
                "Personal/Home NAS",
            ]
        );
        let skipped: Vec<(&str, &str)> = r
            .skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [("SFTP box", "not an FTP site (protocol 1: SFTP)")]
        );
        let acme = &site(&r, "Work/Clients/Archive/Old Acme").site;
        assert_eq!(acme.folder, ["Work", "Clients", "Archive"]);
        assert_eq!(acme.name, "Old Acme");
        // The empty folder is reported, not imported.
        assert!(has_note(&r, "Work/Empty", "empty folder"));
    }

    #[test]
    fn protocols_map_to_security() {
        let r = parse_sitemanager(BASIC).unwrap();
        let example = &site(&r, "Example").site;
        assert_eq!(example.security, SiteSecurity::ExplicitTls);
        assert!(notes(&r, "Example").contains(&NOTE_TLS_FALLBACK));
        assert_eq!(
            site(&r, "Work/Implicit FTPS").site.security,
            SiteSecurity::ImplicitTls
        );
        assert_eq!(
            site(&r, "Old Server").site.security,
            SiteSecurity::ExplicitTls
        );
        assert!(notes(&r, "Old Server").is_empty(), "{:?}", r.notes);
        let mirror = &site(&r, "Anonymous mirror").site;
        assert_eq!(mirror.security, SiteSecurity::Plain);
        assert!(has_note(&r, "Anonymous mirror", "insecure"));

        for (protocol, reason) in [
            ("1", "not an FTP site (protocol 1: SFTP)"),
            ("2", "not an FTP site (protocol 2: HTTP)"),
            ("5", "not an FTP site (protocol 5: HTTPS)"),
            ("7", "not an FTP site (protocol 7: S3)"),
            ("9", "not an FTP site (protocol 9: WebDAV)"),
            ("-1", "not an FTP site (protocol -1: unknown)"),
            ("99", "not an FTP site (protocol 99)"),
            ("ftp", "not an FTP site (unknown protocol \"ftp\")"),
        ] {
            let r = one(&format!("<Protocol>{protocol}</Protocol><Name>x</Name>"));
            assert!(r.sites.is_empty());
            assert_eq!(
                r.skipped,
                [Skipped {
                    path: "x".into(),
                    reason: reason.into()
                }]
            );
        }
        // No <Protocol>: FileZilla's default, FTP with TLS if available.
        let r = one("<Logontype>0</Logontype>");
        assert_eq!(r.sites[0].site.security, SiteSecurity::ExplicitTls);
        assert!(has_note(&r, "h.example", "fallback to plain FTP"));
    }

    #[test]
    fn ports() {
        let r = parse_sitemanager(BASIC).unwrap();
        assert_eq!(site(&r, "Example").site.port, 21);
        assert_eq!(site(&r, "Work/Implicit FTPS").site.port, 990);
        assert_eq!(site(&r, "Work/Clients/Acme").site.port, 2121);
        assert_eq!(one("<Protocol>4</Protocol>").sites[0].site.port, 0);
        assert_eq!(one("<Port>0</Port>").sites[0].site.port, 0);
        let r = one("<Port>70000</Port><Protocol>4</Protocol>");
        assert_eq!(r.sites[0].site.port, 0);
        assert!(has_note(&r, "h.example", "port \"70000\" is not valid"));
    }

    #[test]
    fn logon_types() {
        let r = parse_sitemanager(BASIC).unwrap();
        let example = site(&r, "Example");
        assert_eq!(example.site.logon, Logon::Normal);
        assert_eq!(example.site.user, "alice");

        let mirror = site(&r, "Anonymous mirror");
        assert_eq!(mirror.site.logon, Logon::Anonymous);
        assert_eq!(mirror.site.user, "");
        assert_eq!(mirror.password, None);

        let ask = site(&r, "Work/Implicit FTPS");
        assert_eq!(ask.site.logon, Logon::AskPassword);
        assert_eq!(ask.site.user, "deploy");
        assert_eq!(ask.password, None);

        let account = site(&r, "Work/Clients/Acme");
        assert_eq!(account.site.logon, Logon::Normal);
        assert_eq!(account.password.as_deref(), Some("acme pw"));
        assert!(has_note(
            &r,
            "Work/Clients/Acme",
            "account (ACCT) value is not imported"
        ));

        let interactive = site(&r, "Work/Clients/Archive/Old Acme");
        assert_eq!(interactive.site.logon, Logon::AskPassword);
        assert!(has_note(&r, "Work/Clients/Archive/Old Acme", "interactive"));

        let key = one("<Protocol>4</Protocol><Logontype>5</Logontype><User>u</User>");
        assert_eq!(key.sites[0].site.logon, Logon::AskPassword);
        assert!(has_note(&key, "h.example", "key file"));
        let profile = one("<Protocol>4</Protocol><Logontype>6</Logontype><User>u</User>");
        assert_eq!(profile.sites[0].site.logon, Logon::AskPassword);
        assert!(has_note(&profile, "h.example", "profile"));
        let odd = one("<Protocol>4</Protocol><Logontype>42</Logontype><User>u</User>");
        assert_eq!(odd.sites[0].site.logon, Logon::AskPassword);
        assert!(has_note(
            &odd,
            "h.example",
            "unknown FileZilla logon type \"42\""
        ));

        // Anonymous ignores a stray user and password.
        let anon = one(
            "<Protocol>4</Protocol><Logontype>0</Logontype><User>bob</User>\
             <Pass>pw</Pass>",
        );
        assert_eq!(anon.sites[0].site.user, "");
        assert_eq!(anon.sites[0].password, None);
        // Ask never imports a password, even if one is there.
        let ask = one(
            "<Protocol>4</Protocol><Logontype>2</Logontype><User>bob</User>\
             <Pass>pw</Pass>",
        );
        assert_eq!(ask.sites[0].password, None);
        // No Logontype: a user means a normal login.
        let bare = one("<Protocol>4</Protocol><User>bob</User><Pass>pw</Pass>");
        assert_eq!(bare.sites[0].site.logon, Logon::Normal);
        assert_eq!(bare.sites[0].password.as_deref(), Some("pw"));
        assert_eq!(
            one("<Protocol>4</Protocol>").sites[0].site.logon,
            Logon::Anonymous
        );
        // A user name with a line break could inject FTP commands.
        let evil =
            one("<Protocol>4</Protocol><Logontype>1</Logontype><User>bob&#13;&#10;DELE x</User>");
        assert!(evil.sites.is_empty());
        assert_eq!(
            evil.skipped[0].reason,
            "the user name contains a line break"
        );
    }

    #[test]
    fn passwords() {
        let r = parse_sitemanager(BASIC).unwrap();
        // base64
        assert_eq!(site(&r, "Example").password.as_deref(), Some("s3cret"));
        // legacy plain text, with entities decoded and spaces kept
        assert_eq!(
            site(&r, "Old Server").password.as_deref(),
            Some("plain&old pw ")
        );
        // crypt
        let crypt = site(&r, "Work/Client A-B");
        assert_eq!(crypt.site.logon, Logon::Normal);
        assert_eq!(crypt.password, None);
        assert!(has_note(
            &r,
            "Work/Client A-B",
            "the password is encrypted with FileZilla's master password; enter it in Ferry"
        ));
        // Non-ASCII UTF-8 through base64, padding optional, whitespace ignored.
        let pass = |pass: &str| {
            one(&format!(
                "<Protocol>4</Protocol><Logontype>1</Logontype><User>u</User>{pass}"
            ))
        };
        let r = pass("<Pass encoding=\"base64\">Y2Fmw6kg\n4oKsNQ</Pass>");
        assert_eq!(r.sites[0].password.as_deref(), Some("café €5"));
        // Not UTF-8: no password, a note, logon stays normal.
        let r = pass("<Pass encoding=\"base64\">//4A</Pass>");
        assert_eq!(r.sites[0].password, None);
        assert_eq!(r.sites[0].site.logon, Logon::Normal);
        assert!(has_note(&r, "h.example", "not valid UTF-8"));
        // Not base64.
        let r = pass("<Pass encoding=\"base64\">$$$secret$$$</Pass>");
        assert_eq!(r.sites[0].password, None);
        assert!(has_note(&r, "h.example", "not valid base64"));
        assert!(!format!("{r:?}").contains("secret"));
        // Missing or empty.
        for missing in ["", "<Pass/>", "<Pass encoding=\"base64\"></Pass>"] {
            let r = pass(missing);
            assert_eq!(r.sites[0].password, None);
            assert_eq!(r.sites[0].site.logon, Logon::Normal);
            assert!(
                has_note(&r, "h.example", "no password was saved"),
                "{missing}"
            );
        }
        // Unknown encoding.
        let r = pass("<Pass encoding=\"rot13\">frperg</Pass>");
        assert_eq!(r.sites[0].password, None);
        assert!(has_note(&r, "h.example", "unknown form (\"rot13\")"));
        // A line break cannot be sent in PASS.
        let r = pass("<Pass>a&#10;b</Pass>");
        assert_eq!(r.sites[0].password, None);
        assert!(has_note(&r, "h.example", "line break"));
    }

    #[test]
    fn debug_never_shows_passwords() {
        let r = parse_sitemanager(BASIC).unwrap();
        assert!(r.sites.iter().any(|s| s.password.is_some()));
        let debug = format!("{r:?} {r:#?}");
        for s in &r.sites {
            if let Some(p) = &s.password {
                assert!(!debug.contains(p.as_str()), "{p:?} in Debug");
                let one = format!("{s:?}");
                assert!(!one.contains(p.as_str()));
                assert!(one.contains("<redacted>"));
            }
        }
        assert!(!debug.contains("s3cret") && !debug.contains("plain&old"));
        // Nor do notes.
        for (_, n) in &r.notes {
            assert!(!n.contains("s3cret") && !n.contains("acme pw"));
        }
        let r = parse_sitemanager(TWENTY).unwrap();
        assert!(!format!("{r:?}").contains("FERRY_INTEROP_PASS"));
    }

    #[test]
    fn transfer_mode_and_connections() {
        let r = parse_sitemanager(BASIC).unwrap();
        assert_eq!(
            site(&r, "Anonymous mirror").site.transfer_mode,
            TransferMode::Active
        );
        assert_eq!(
            site(&r, "Example").site.transfer_mode,
            TransferMode::Passive
        );
        assert_eq!(
            site(&r, "Work/Clients/Acme").site.transfer_mode,
            TransferMode::Passive
        );
        assert_eq!(one("").sites[0].site.transfer_mode, TransferMode::Passive);

        assert_eq!(site(&r, "Example").site.max_connections, 2);
        assert_eq!(site(&r, "Old Server").site.max_connections, 3);
        assert_eq!(site(&r, "Work/Client A-B").site.max_connections, 10);
        assert!(has_note(&r, "Work/Client A-B", "Ferry's maximum is 10"));
        for (value, expected) in [("", 2), ("0", 2), ("-3", 2), ("x", 2), ("1", 1), ("10", 10)] {
            let r = one(&format!(
                "<MaximumMultipleConnections>{value}</MaximumMultipleConnections>"
            ));
            assert_eq!(r.sites[0].site.max_connections, expected, "{value}");
        }
        assert_eq!(one("").sites[0].site.max_connections, 2);
    }

    #[test]
    fn folders_and_comments() {
        let r = parse_sitemanager(BASIC).unwrap();
        let example = &site(&r, "Example").site;
        assert_eq!(
            example.local_dir.as_deref(),
            Some(std::path::Path::new(r"C:\Users\alice\site"))
        );
        assert_eq!(example.remote_dir.as_deref(), Some("/home/alice"));
        assert_eq!(example.notes, "Main web server.\nDeploy on Fridays only.");
        assert_eq!(
            site(&r, "Anonymous mirror").site.remote_dir.as_deref(),
            Some("/pub/debian")
        );
        assert_eq!(
            site(&r, "Work/Implicit FTPS").site.remote_dir.as_deref(),
            Some("/my folder/with  spaces")
        );
        let dos = &site(&r, "Work/Clients/Archive/Old Acme").site;
        assert_eq!(dos.remote_dir.as_deref(), Some(r"C:\data\logs"));
        assert!(has_note(&r, "Work/Clients/Archive/Old Acme", "DOS path"));
        assert!(has_note(
            &r,
            "Work/Clients/Archive/Old Acme",
            "1 FileZilla bookmark not"
        ));
        assert_eq!(site(&r, "Old Server").site.local_dir, None);
        assert_eq!(site(&r, "Old Server").site.remote_dir, None);
        // A malformed one is left out with a note.
        let r = one("<RemoteDir>1 0 9 short</RemoteDir>");
        assert_eq!(r.sites[0].site.remote_dir, None);
        assert!(has_note(&r, "h.example", "could not be read"));
    }

    #[test]
    fn names() {
        let r = parse_sitemanager(BASIC).unwrap();
        // '/' replaced, noted.
        assert!(has_note(
            &r,
            "Work/Client A-B",
            "renamed from \"Client A/B\""
        ));
        // Old files: the name is text inside <Server>.
        assert_eq!(site(&r, "Old Server").site.host, "old.example.net");
        // No name at all: the host.
        let r = one("<Protocol>4</Protocol>");
        assert_eq!(r.sites[0].site.name, "h.example");
        // Duplicates in a folder get a suffix.
        let xml = "<FileZilla3><Servers><Folder>F\
            <Server><Host>a</Host><Name>Same</Name></Server>\
            <Server><Host>b</Host><Name>Same</Name></Server>\
            <Server><Host>c</Host><Name>Same</Name></Server></Folder>\
            <Server><Host>d</Host><Name>Same</Name></Server></Servers></FileZilla3>";
        let r = parse_sitemanager(xml).unwrap();
        let paths: Vec<String> = r.sites.iter().map(|s| s.site.path()).collect();
        assert_eq!(paths, ["F/Same", "F/Same (2)", "F/Same (3)", "Same"]);
        assert!(has_note(&r, "F/Same (2)", "another site in the folder"));
        // Notes quote names on one line, and briefly.
        let long = format!("<Name>a/b&#10;{}</Name>", "x".repeat(200));
        let r = one(&long);
        let note = notes(&r, &r.sites[0].site.path())[0].to_owned();
        assert!(note.starts_with("renamed from \"a/b xxx"), "{note}");
        assert!(note.contains("x…\"") && !note.contains('\n'), "{note}");
        assert_eq!(r.sites[0].site.name, format!("a-b {}", "x".repeat(200)));
        // Folder names with '/' too.
        let xml = "<FileZilla3><Servers><Folder>a/b<Server><Host>h</Host></Server></Folder>\
                   </Servers></FileZilla3>";
        let r = parse_sitemanager(xml).unwrap();
        assert_eq!(r.sites[0].site.folder, ["a-b"]);
        assert!(has_note(&r, "a-b", "folder renamed from \"a/b\""));
        // Hosts: brackets dropped, junk refused.
        assert_eq!(
            parse_sitemanager(
                "<FileZilla3><Servers><Server><Host>[::1]</Host></Server></Servers></FileZilla3>"
            )
            .unwrap()
            .sites[0]
                .site
                .host,
            "::1"
        );
        for bad in ["", "  ", "a b", "ftp://x", "x&#10;y"] {
            let xml = format!(
                "<FileZilla3><Servers><Server><Host>{bad}</Host><Name>n</Name></Server>\
                 </Servers></FileZilla3>"
            );
            let r = parse_sitemanager(&xml).unwrap();
            assert!(r.sites.is_empty(), "{bad}");
            assert_eq!(r.skipped.len(), 1);
        }
    }

    #[test]
    fn other_settings_noted() {
        let r = parse_sitemanager(BASIC).unwrap();
        assert!(has_note(&r, "Work/Clients/Acme", "ISO-8859-1"));
        let r = one("<PostLoginCommands><Command>SITE UMASK 002</Command></PostLoginCommands>");
        assert!(has_note(&r, "h.example", "post-login commands"));
    }

    #[test]
    fn twenty_fixture() {
        let r = parse_sitemanager(TWENTY).unwrap();
        assert!(r.skipped.is_empty());
        assert_eq!(r.sites.len(), 20);
        let mut folders: Vec<String> = r.sites.iter().map(|s| s.site.folder.join("/")).collect();
        folders.dedup();
        assert_eq!(folders, ["Work", "Work/Clients", "Personal"]);
        for (i, s) in r.sites.iter().enumerate() {
            assert_eq!(s.site.name, format!("Site {:02}", i + 1));
            assert_eq!(s.site.host, "127.0.0.1");
            assert_eq!(s.site.port, 22021);
            assert_eq!(s.site.user, "ferryinterop");
            assert_eq!(s.site.security, SiteSecurity::ExplicitTls);
            assert_eq!(s.site.logon, Logon::Normal);
            assert_eq!(s.password.as_deref(), Some("FERRY_INTEROP_PASS"));
        }
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    #[test]
    fn errors() {
        assert!(matches!(
            parse_sitemanager(GARBAGE),
            Err(ImportError::Xml { line, .. }) if line > 1
        ));
        assert!(matches!(
            parse_sitemanager(""),
            Err(ImportError::Xml { .. })
        ));
        for not_ours in [
            "<FileZilla/>",
            "<FileZilla3 version=\"3\"/>",
            "<FileZilla3><Settings/></FileZilla3>",
            "<html><Servers/></html>",
        ] {
            assert!(
                matches!(
                    parse_sitemanager(not_ours),
                    Err(ImportError::NotSiteManager)
                ),
                "{not_ours}"
            );
        }
        // Nothing from the file that could be a password goes into the message.
        let leak = "<FileZilla3><Servers><Server><Host>h</Host>\n<Pass>ab&secret;</Pass>\
                    </Server></Servers></FileZilla3>";
        match parse_sitemanager(leak) {
            Err(e @ ImportError::Xml { line: 2, .. }) => {
                assert!(!format!("{e} {e:?}").contains("secret"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        // Empty but valid.
        let r = parse_sitemanager("\u{feff}<FileZilla3><Servers/></FileZilla3>").unwrap();
        assert_eq!(r, ImportReport::default());
        // Size cap.
        let mut big = String::from("<FileZilla3><Servers>");
        big.push_str(&" ".repeat(MAX_INPUT_BYTES));
        big.push_str("</Servers></FileZilla3>");
        assert!(matches!(
            parse_sitemanager(&big),
            Err(ImportError::TooLarge { size: Some(_) })
        ));
        let e = ImportError::Xml {
            line: 3,
            detail: "x".into(),
        };
        assert_eq!(e.to_string(), "the file is not valid XML (line 3): x");
    }

    #[test]
    fn an_element_with_thousands_of_attributes_is_refused_at_once() {
        // Quadratic in roxmltree: 16 MiB of these in one element would take most of an hour.
        let mut xml = String::from("<FileZilla3><Servers>\n<!-- a=b=c -->\n<Server ");
        for i in 0..200_000 {
            xml.push_str(&format!("a{i}=\"=\" "));
        }
        xml.push_str("/></Servers></FileZilla3>");
        let started = std::time::Instant::now();
        let err = parse_sitemanager(&xml).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(
            matches!(&err, ImportError::Xml { line: 3, detail } if detail.contains("more than 64 attributes")),
            "{err}"
        );
        // 64 are not refused by the count (and `=` in comments, CDATA and quotes do not count).
        let attributes: String = (0..64).map(|i| format!(" a{i}='x=y'")).collect();
        let xml = format!(
            "<?ferry a=b=c?><FileZilla3><!-- {eq} --><Servers><![CDATA[{eq}]]><Server{attributes}/></Servers></FileZilla3>",
            eq = "=".repeat(100)
        );
        assert!(
            parse_sitemanager(&xml).is_ok(),
            "{:?}",
            parse_sitemanager(&xml)
        );
    }

    #[test]
    fn a_file_is_read_no_further_than_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sitemanager.xml");
        std::fs::File::create(&path)
            .unwrap()
            .set_len(300 * 1024 * 1024)
            .unwrap();
        let err = read_sitemanager(&path).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::TooLarge {
                    size: Some(314_572_800)
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("the file is 314572800 bytes, larger than the 16 MiB"),
            "{err}"
        );
        #[cfg(unix)]
        assert!(matches!(
            read_sitemanager(Path::new("/dev/zero")),
            Err(ImportError::TooLarge { size: None })
        ));
        std::fs::write(&path, b"<FileZilla3>\n<Servers>\xff</Servers></FileZilla3>").unwrap();
        assert!(matches!(
            read_sitemanager(&path),
            Err(ImportError::NotUtf8 { line: 2 })
        ));
        std::fs::write(&path, BASIC).unwrap();
        assert_eq!(
            read_sitemanager(&path).unwrap(),
            parse_sitemanager(BASIC).unwrap()
        );
        let missing = read_sitemanager(&dir.path().join("none.xml")).unwrap_err();
        assert!(matches!(missing, ImportError::Read(_)), "{missing}");
    }

    #[test]
    fn no_entities_or_dtd() {
        let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE FileZilla3 [\n\
            <!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n\
            <FileZilla3><Servers><Server><Host>&x;</Host></Server></Servers></FileZilla3>";
        assert!(matches!(
            parse_sitemanager(external),
            Err(ImportError::Xml { .. })
        ));
        let laughs = "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>\
            <FileZilla3><Servers><Server><Host>&b;</Host></Server></Servers></FileZilla3>";
        assert!(matches!(
            parse_sitemanager(laughs),
            Err(ImportError::Xml { .. })
        ));
        // The built-in ones work.
        let r = one("<Name>A &amp; B &lt;C&gt; &#x263A;</Name>");
        assert_eq!(r.sites[0].site.name, "A & B <C> ☺");
    }

    #[test]
    fn deep_nesting() {
        // Deeper than Ferry imports: skipped, no stack overflow.
        let depth = 5000;
        let mut xml = String::from("<FileZilla3><Servers>");
        for i in 0..depth {
            xml.push_str(&format!("<Folder>f{i}"));
        }
        xml.push_str("<Server><Host>deep</Host></Server>");
        xml.push_str(&"</Folder>".repeat(depth));
        xml.push_str("<Server><Host>top</Host></Server></Servers></FileZilla3>");
        let r = parse_sitemanager(&xml).unwrap();
        assert_eq!(r.sites.len(), 1);
        assert_eq!(r.sites[0].site.host, "top");
        assert_eq!(r.skipped.len(), 1);
        assert!(r.skipped[0].reason.contains("nested more than 64"));

        // 64 deep is fine.
        let mut xml = String::from("<FileZilla3><Servers>");
        for i in 0..64 {
            xml.push_str(&format!("<Folder>f{i}"));
        }
        xml.push_str("<Server><Host>h</Host></Server>");
        xml.push_str(&"</Folder>".repeat(64));
        xml.push_str("</Servers></FileZilla3>");
        let r = parse_sitemanager(&xml).unwrap();
        assert_eq!(r.sites[0].site.folder.len(), 64);
    }

    #[test]
    fn remote_dir_decoding() {
        let ok = |s: &str| decode_remote_dir(s).map(|d| d.path);
        assert_eq!(ok("1 0 4 home 5 alice"), Ok("/home/alice".into()));
        assert_eq!(ok("1 0"), Ok("/".into()));
        assert_eq!(ok("0 0 3 pub"), Ok("/pub".into()));
        assert_eq!(ok("1 0 9 my folder"), Ok("/my folder".into()));
        assert_eq!(ok("1 0 3 a b 1 c"), Ok("/a b/c".into()));
        // Old versions: a trailing space.
        assert_eq!(ok("1 0 4 home "), Ok("/home".into()));
        assert_eq!(ok("1 0 "), Ok("/".into()));
        // Lengths in characters (Unix builds) and UTF-16 units (Windows builds).
        assert_eq!(ok("1 0 5 héllo 2 日本"), Ok("/héllo/日本".into()));
        assert_eq!(ok("1 0 1 😀 1 x"), Ok("/😀/x".into()));
        assert_eq!(ok("1 0 2 😀 1 x"), Ok("/😀/x".into()));
        // Other server types.
        assert_eq!(ok("3 0 2 C: 4 data 4 logs"), Ok(r"C:\data\logs".into()));
        assert_eq!(ok("3 0 2 C:"), Ok(r"C:\".into()));
        assert_eq!(ok("10 0 2 D: 3 www"), Ok("D:/www".into()));
        assert_eq!(ok("8 0 3 pub"), Ok(r"\pub".into()));
        assert_eq!(ok("2 5 DISK: 4 USER 3 a.b"), Ok("DISK:[USER.a^.b]".into()));
        assert_eq!(ok("4 1 . 3 USR 4 DATA"), Ok("'USR.DATA.'".into()));
        assert_eq!(ok("9 1 / 6 server 5 share"), Ok("//server/share".into()));
        let dos = decode_remote_dir("3 0 2 C:").unwrap();
        assert_eq!(dos.foreign_kind, Some("DOS"));
        assert_eq!(decode_remote_dir("1 0 1 a").unwrap().foreign_kind, None);
        // Malformed.
        for bad in [
            "",
            "1",
            "x 0",
            "1 x",
            "1 0 9 short",
            "1 0 0 ",
            "1 0 3 abcd",
            "1 2",
            "1 0 a b",
            "11 0 1 a",
            "99999999999 0",
            "1 99999999 a",
            "3 0",
            "1 0 3 a\nb",
            "1 0 -1 a",
            "1 0 1",
            "1 0 1 ",
        ] {
            assert!(decode_remote_dir(bad).is_err(), "{bad:?}");
        }
    }

    /// A small deterministic generator, so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    #[test]
    fn fuzz_random_bytes_never_panic() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let len = rng.below(600);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let _ = parse_sitemanager(&String::from_utf8_lossy(&bytes));
            // Random text inside a valid frame reaches the field parsers.
            let text: String = String::from_utf8_lossy(&bytes)
                .chars()
                .filter(
                    |c| !matches!(c, '<' | '&' | '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f'),
                )
                .collect();
            for tag in [
                "Host",
                "Port",
                "Protocol",
                "Logontype",
                "Pass",
                "RemoteDir",
                "Name",
            ] {
                let _ = one_lenient(&format!("<{tag}>{text}</{tag}>"));
            }
            let _ = decode_remote_dir(&text);
        }
    }

    fn one_lenient(inner: &str) -> Result<ImportReport, ImportError> {
        parse_sitemanager(&format!(
            "<FileZilla3><Servers><Folder>F<Server><Host>h</Host><Protocol>4</Protocol>\
             <Logontype>1</Logontype>{inner}</Server></Folder></Servers></FileZilla3>"
        ))
    }

    /// Random raw edits: mostly breaks the XML, which is the point.
    fn mutate_raw(rng: &mut Rng, fixture: &str) -> String {
        const TOKENS: &[&str] = &[
            "<",
            ">",
            "/",
            "&",
            "&amp;",
            "&#0;",
            "&#x10FFFF;",
            "\"",
            " ",
            "0",
            "1",
            "-",
            "<Folder>",
            "</Folder>",
            "<Server>",
            "</Server>",
            "</Servers>",
            "<Name>",
            "<![CDATA[",
            "]]>",
            "<!--",
            "-->",
            "<!DOCTYPE x>",
            "é",
            "😀",
            "\u{feff}",
        ];
        let mut text: Vec<char> = fixture.chars().collect();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(text.len() + 1);
            match rng.below(5) {
                0 => {
                    let end = (at + 1 + rng.below(40)).min(text.len());
                    text.drain(at.min(end)..end);
                }
                1 => text.truncate(at),
                2 => {
                    let token = TOKENS[rng.below(TOKENS.len())];
                    text.splice(at..at, token.chars());
                }
                3 if at < text.len() => {
                    text[at] = char::from_u32(rng.below(0x3000) as u32).unwrap_or('x');
                }
                _ => {
                    let end = (at + rng.below(200)).min(text.len());
                    let span: Vec<char> = text[at..end].to_vec();
                    text.splice(at..at, span);
                }
            }
        }
        text.into_iter().collect()
    }

    /// Edits that mostly keep the XML well-formed, to reach the importer: whole lines (one
    /// element each in the fixtures) deleted, duplicated or moved, and element values replaced.
    fn mutate_structured(rng: &mut Rng, fixture: &str) -> String {
        const VALUES: &[&str] = &[
            "",
            " ",
            "0",
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "7",
            "-1",
            "99",
            "65535",
            "65536",
            "4294967296",
            "x",
            "MODE_ACTIVE",
            "MODE_PASSIVE",
            "Custom",
            "1 0",
            "1 0 ",
            "1 0 9 my folder",
            "1 0 9 short",
            "3 0 2 C:",
            "2 5 DISK: 3 a.b",
            "4 1 . 1 A",
            "9 1 / 1 s",
            "11 0 1 a",
            "1 0 2 😀",
            "1 99999 a",
            "a/b/c",
            "&amp;&lt;&gt;",
            "&#10;",
            "&#13;&#10;x",
            "czNjcmV0",
            "//4A",
            "$$$",
            "é日本😀",
            "[::1]",
            "[",
            "]",
        ];
        let mut lines: Vec<String> = fixture.lines().map(str::to_owned).collect();
        for _ in 0..1 + rng.below(6) {
            if lines.is_empty() {
                break;
            }
            let at = rng.below(lines.len());
            match rng.below(4) {
                0 => {
                    lines.remove(at);
                }
                1 => {
                    let line = lines[at].clone();
                    lines.insert(rng.below(lines.len() + 1), line);
                }
                2 => {
                    let to = rng.below(lines.len());
                    lines.swap(at, to);
                }
                _ => {
                    // <Tag ...>value</Tag> -> <Tag ...>other</Tag>
                    let line = &lines[at];
                    if let (Some(open), Some(close)) = (line.find('>'), line.rfind("</"))
                        && open < close
                    {
                        let value = VALUES[rng.below(VALUES.len())];
                        lines[at] = format!("{}{value}{}", &line[..=open], &line[close..]);
                    }
                }
            }
        }
        lines.join("\n")
    }

    #[test]
    fn fuzz_mutated_fixtures_never_panic() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut parsed = 0;
        let mut runs = 0;
        for fixture in [BASIC, TWENTY, GARBAGE] {
            for i in 0..1000 {
                let text = if i % 2 == 0 {
                    mutate_raw(&mut rng, fixture)
                } else {
                    mutate_structured(&mut rng, fixture)
                };
                runs += 1;
                let Ok(r) = parse_sitemanager(&text) else {
                    continue;
                };
                parsed += 1;
                // Whatever comes out obeys Ferry's rules.
                for s in &r.sites {
                    assert!(!s.site.name.contains('/') && !s.site.name.trim().is_empty());
                    assert!(
                        s.site
                            .folder
                            .iter()
                            .all(|f| !f.contains('/') && !f.is_empty())
                    );
                    assert!((1..=10).contains(&s.site.max_connections));
                    assert!(!s.site.host.is_empty());
                    assert!(!s.site.user.contains(['\r', '\n']));
                    if let Some(p) = &s.password {
                        assert_eq!(s.site.logon, Logon::Normal);
                        assert!(!p.is_empty() && !p.contains(['\r', '\n']));
                    }
                    if let Some(d) = &s.site.remote_dir {
                        assert!(!d.is_empty() && !d.contains(['\r', '\n']));
                    }
                }
                let mut paths: Vec<String> = r.sites.iter().map(|s| s.site.path()).collect();
                paths.sort();
                paths.dedup();
                assert_eq!(paths.len(), r.sites.len(), "site paths must be unique");
            }
        }
        // Enough mutants stay well-formed to exercise the importer, not just the parser.
        assert!(parsed * 6 > runs, "only {parsed} of {runs} mutants parsed");
    }
}
