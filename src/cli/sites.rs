//! `ferry sites ...`: saved sites from the command line. Passwords go to the OS keychain, never
//! to the site file; without a keychain the site asks for its password at every connection.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::target::load_sites;
use super::{Failure, GlobalOptions, printable};
use crate::ftp::Security;
use crate::sites::filezilla;
use crate::sites::store::SiteError;
use crate::sites::{FtpUrl, Keychain, Logon, MaxTls, MinTls, Site, SiteSecurity, TransferMode};

/// `ferry sites ...`
#[derive(Debug, Subcommand)]
pub enum SitesCommand {
    /// List the saved sites, folder by folder.
    List,
    /// Save a site: ferry sites add NAME ftp://user@host[:port][/dir]
    Add {
        /// The site's name (unique within its folder).
        name: String,
        /// Where it is: ftp:// or ftpes:// (explicit TLS), ftps:// (implicit TLS); --plain for
        /// clear-text FTP. A password in the URL goes to the keychain.
        url: String,
        #[command(flatten)]
        options: SiteOptions,
    },
    /// Change a saved site (rename with --name, move with --folder).
    Edit {
        /// The site: Folder/Name, or a unique name.
        site: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New address (host, port, security, user; a password goes to the keychain).
        #[arg(long)]
        url: Option<String>,
        #[command(flatten)]
        options: SiteOptions,
    },
    /// Delete a saved site and its saved password.
    Rm {
        /// The site: Folder/Name, or a unique name.
        site: String,
    },
    /// Import the sites of FileZilla's sitemanager.xml (passwords go to the keychain).
    Import {
        /// Path of sitemanager.xml (default: FileZilla's own, ~/.config/filezilla/sitemanager.xml
        /// or %APPDATA%\FileZilla\sitemanager.xml).
        file: Option<PathBuf>,
    },
}

/// Site settings shared by `add` and `edit`.
#[derive(Debug, Args)]
pub struct SiteOptions {
    /// Folder, e.g. Work/Clients ("" for the top level).
    #[arg(long)]
    folder: Option<String>,
    /// normal (password in the keychain), ask (every time), anonymous.
    #[arg(long, value_enum)]
    logon: Option<LogonArg>,
    /// passive (default) or active data connections.
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Parallel connections to this server (1-10).
    #[arg(long)]
    max_connections: Option<u8>,
    /// Highest TLS version offered to this server.
    #[arg(long, value_enum)]
    max_tls: Option<TlsArg>,
    /// Clear the control connection after login (CCC) for this site.
    #[arg(long)]
    ccc: Option<bool>,
    /// Lowest TLS version accepted from this server.
    #[arg(long, value_enum)]
    min_tls: Option<TlsArg>,
    /// An extra CA certificate (PEM) trusted for this site.
    #[arg(long)]
    site_ca_file: Option<PathBuf>,
    /// A client certificate for this site, for servers that require one: a PEM chain, or a
    /// PKCS#12 file (.p12/.pfx), whose password is asked for (or read from
    /// FERRY_CERT_PASSWORD) and saved in the keychain.
    #[arg(long)]
    site_cert: Option<PathBuf>,
    /// The private key of --site-cert (PEM), when it is in a file of its own.
    #[arg(long)]
    site_key: Option<PathBuf>,
    /// A proxy for this site: socks5://[user[:password]@]host[:port] or http://… ("" for
    /// none). A password in it goes to the keychain, never into the sites file.
    #[arg(long, value_name = "URL")]
    site_proxy: Option<String>,
    /// Local folder to start in.
    #[arg(long)]
    local_dir: Option<PathBuf>,
    /// Remote folder to start in.
    #[arg(long)]
    remote_dir: Option<String>,
    /// Notes.
    #[arg(long)]
    notes: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogonArg {
    Normal,
    Ask,
    Anonymous,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    Passive,
    Active,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TlsArg {
    #[value(name = "1.3")]
    Tls13,
    #[value(name = "1.2")]
    Tls12,
}

/// Runs one `ferry sites` command.
pub(crate) fn run(global: &GlobalOptions, command: SitesCommand) -> Result<(), Failure> {
    match command {
        SitesCommand::List => list(),
        SitesCommand::Add { name, url, options } => add(global, name, &url, options),
        SitesCommand::Edit {
            site,
            name,
            url,
            options,
        } => edit(global, &site, name, url.as_deref(), options),
        SitesCommand::Rm { site } => remove(&site),
        SitesCommand::Import { file } => {
            let file = file
                .or_else(filezilla::default_sitemanager_path)
                .ok_or_else(|| {
                    Failure::usage("no home folder to find FileZilla's sites in: give the path of sitemanager.xml")
                })?;
            import(&file)
        }
    }
}

fn list() -> Result<(), Failure> {
    let store = load_sites()?;
    if store.sites().is_empty() {
        eprintln!("No saved sites. Add one with: ferry sites add NAME ftp://user@host/");
    }
    let mut out = std::io::stdout().lock();
    let mut last_folder: Option<Vec<String>> = None;
    for site in store.sites() {
        if last_folder.as_ref() != Some(&site.folder) {
            if !site.folder.is_empty() {
                let _ = writeln!(out, "{}/", printable(&site.folder.join("/")));
            }
            last_folder = Some(site.folder.clone());
        }
        let indent = if site.folder.is_empty() { "" } else { "  " };
        let security = match site.security {
            SiteSecurity::ExplicitTls => "ftpes",
            SiteSecurity::ImplicitTls => "ftps",
            SiteSecurity::Plain => "ftp (PLAIN, INSECURE)",
        };
        let user = match site.logon {
            Logon::Anonymous => "anonymous@".to_owned(),
            _ if site.user.is_empty() => String::new(),
            _ => format!("{}@", site.user),
        };
        let line = format!(
            "{indent}{}  {security}://{user}{}:{}",
            site.name,
            site.host,
            site.effective_port()
        );
        if writeln!(out, "{}", printable(&line)).is_err() {
            break;
        }
    }
    Ok(())
}

fn add(
    global: &GlobalOptions,
    name: String,
    url: &str,
    options: SiteOptions,
) -> Result<(), Failure> {
    let mut site = Site::new(name, "");
    let password = apply_url(&mut site, url, global)?;
    apply_options(&mut site, options)?;
    let keychain = Keychain::platform();
    save_cert_password(&site, &keychain)?;
    let password = password_to_save(&mut site, password, global, &keychain)?;
    let mut store = load_sites()?;
    store.add(site.clone()).map_err(site_failure)?;
    save_password(&keychain, &site, password)?;
    eprintln!("Saved site:{}.", site.path());
    Ok(())
}

fn edit(
    global: &GlobalOptions,
    which: &str,
    name: Option<String>,
    url: Option<&str>,
    options: SiteOptions,
) -> Result<(), Failure> {
    let mut store = load_sites()?;
    let old = store
        .find(which)
        .map_err(|e| Failure::usage(e.to_string()))?
        .clone();
    let mut site = old.clone();
    if let Some(name) = name {
        site.name = name;
    }
    let password = match url {
        Some(url) => apply_url(&mut site, url, global)?,
        None => None,
    };
    apply_options(&mut site, options)?;
    let keychain = Keychain::platform();
    if site.client_cert != old.client_cert {
        save_cert_password(&site, &keychain)?;
    }
    let password = match password {
        Some(p) => password_to_save(&mut site, Some(p), global, &keychain)?,
        None => None,
    };
    store
        .replace(&old.path(), site.clone())
        .map_err(site_failure)?;
    if keychain.is_available() {
        if site.logon == Logon::Normal {
            keychain
                .rename(&old.path(), &site.path())
                .map_err(|e| Failure::local(e.to_string()))?;
        } else {
            // No longer kept: a password that is never used should not linger.
            keychain
                .delete(&old.path())
                .map_err(|e| Failure::local(e.to_string()))?;
        }
    }
    save_password(&keychain, &site, password)?;
    eprintln!("Updated site:{}.", site.path());
    Ok(())
}

fn remove(which: &str) -> Result<(), Failure> {
    let mut store = load_sites()?;
    let path = store
        .find(which)
        .map_err(|e| Failure::usage(e.to_string()))?
        .path();
    store.remove(&path).map_err(site_failure)?;
    let keychain = Keychain::platform();
    if keychain.is_available() {
        keychain
            .delete(&path)
            .map_err(|e| Failure::local(e.to_string()))?;
    }
    eprintln!("Deleted site:{path}.");
    Ok(())
}

fn import(file: &std::path::Path) -> Result<(), Failure> {
    let report = filezilla::read_sitemanager(file).map_err(|e| {
        let message = format!("{}: {e}", file.display());
        match e {
            filezilla::ImportError::Read(_) => Failure::local(message),
            _ => Failure::usage(message),
        }
    })?;
    let keychain = Keychain::platform();
    let mut notes = report.notes.clone();
    if let Some(reason) = keychain.unavailable_reason() {
        eprintln!(
            "ferry: passwords cannot be saved on this computer ({reason}); imported sites will ask for their password."
        );
    }
    let mut passwords = Vec::new();
    let mut sites = Vec::new();
    for imported in report.sites {
        let mut site = imported.site;
        if let Some(password) = imported.password {
            if keychain.is_available() {
                passwords.push((site.path(), password));
            } else if site.logon == Logon::Normal {
                site.logon = Logon::AskPassword;
            }
        }
        sites.push(site);
    }
    let mut store = load_sites()?;
    let results = store
        .add_many(sites)
        .map_err(|e| Failure::local(e.to_string()))?;
    let mut added = 0;
    let mut skipped: Vec<(String, String)> = report
        .skipped
        .iter()
        .map(|s| (s.path.clone(), s.reason.clone()))
        .collect();
    for (site, result) in &results {
        match result {
            Ok(()) => {
                added += 1;
                if let Some((_, password)) = passwords.iter().find(|(p, _)| *p == site.path())
                    && let Err(e) = keychain.set(&site.path(), password)
                {
                    notes.push((site.path(), format!("password not saved: {e}")));
                }
            }
            Err(e) => skipped.push((site.path(), e.to_string())),
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Imported {added} site(s) from {}.", file.display());
    if !skipped.is_empty() {
        let _ = writeln!(out, "Skipped {}:", skipped.len());
        for (path, reason) in &skipped {
            let _ = writeln!(out, "  {}: {}", printable(path), printable(reason));
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "Notes:");
        for (path, note) in &notes {
            let _ = writeln!(out, "  {}: {}", printable(path), printable(note));
        }
    }
    Ok(())
}

/// Host, port, security and user from a URL; returns its password, if any.
fn apply_url(
    site: &mut Site,
    url: &str,
    global: &GlobalOptions,
) -> Result<Option<String>, Failure> {
    let url =
        FtpUrl::parse(&super::argv::restore(url)).map_err(|e| Failure::usage(e.to_string()))?;
    site.host = url.host.clone();
    site.port = url.port;
    site.security = match (url.security, global.plain) {
        (Security::ImplicitTls, true) => {
            return Err(Failure::usage(
                "--plain cannot be combined with ftps:// (implicit TLS)",
            ));
        }
        (_, true) => SiteSecurity::Plain,
        (security, false) => SiteSecurity::from_security(security),
    };
    if site.security.is_insecure() {
        eprintln!(
            "ferry: warning: this site uses plain FTP: its password and files travel unencrypted"
        );
    }
    match &url.user {
        Some(user) => site.user = user.clone(),
        None => site.logon = Logon::Anonymous,
    }
    if !url.path.is_empty() {
        site.remote_dir = Some(url.path.clone());
    }
    Ok(url.password)
}

/// The proxy URL to keep in the site (none for ""), its password moved to the keychain.
fn save_proxy(url: &str) -> Result<Option<String>, Failure> {
    if url.trim().is_empty() {
        return Ok(None);
    }
    let mut proxy = crate::sites::url::parse_proxy(&super::argv::restore(url))
        .map_err(|e| Failure::usage(format!("--site-proxy: {e}")))?;
    if let Some(password) = proxy.password.take() {
        let keychain = Keychain::platform();
        if let Some(reason) = keychain.unavailable_reason() {
            return Err(Failure::local(format!(
                "the proxy password cannot be saved on this computer ({reason}); leave it out of the URL and set FERRY_PROXY_PASSWORD when connecting"
            )));
        }
        keychain
            .set(&crate::sites::secrets::proxy_account(&proxy), &password)
            .map_err(|e| Failure::local(e.to_string()))?;
    }
    Ok(Some(proxy.to_string()))
}

fn apply_options(site: &mut Site, o: SiteOptions) -> Result<(), Failure> {
    if let Some(folder) = o.folder {
        site.folder = folder
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
    }
    if let Some(logon) = o.logon {
        site.logon = match logon {
            LogonArg::Normal => Logon::Normal,
            LogonArg::Ask => Logon::AskPassword,
            LogonArg::Anonymous => Logon::Anonymous,
        };
    }
    if let Some(mode) = o.mode {
        site.transfer_mode = match mode {
            ModeArg::Passive => TransferMode::Passive,
            ModeArg::Active => TransferMode::Active,
        };
    }
    if let Some(n) = o.max_connections {
        if !(1..=10).contains(&n) {
            return Err(Failure::usage("--max-connections must be between 1 and 10"));
        }
        site.max_connections = n;
    }
    if let Some(tls) = o.max_tls {
        site.max_tls = match tls {
            TlsArg::Tls13 => MaxTls::Tls13,
            TlsArg::Tls12 => MaxTls::Tls12,
        };
    }
    if let Some(ccc) = o.ccc {
        site.ccc = ccc;
    }
    if let Some(tls) = o.min_tls {
        site.min_tls = match tls {
            TlsArg::Tls13 => MinTls::Tls13,
            TlsArg::Tls12 => MinTls::Tls12,
        };
    }
    if site.min_tls == MinTls::Tls13 && site.max_tls == MaxTls::Tls12 {
        return Err(Failure::usage(
            "--min-tls 1.3 and --max-tls 1.2 leave no TLS version",
        ));
    }
    if let Some(ca) = o.site_ca_file {
        site.ca_file = Some(ca);
    }
    if let Some(cert) = o.site_cert {
        site.client_cert = Some(cert);
    }
    if let Some(key) = o.site_key {
        site.client_key = Some(key);
    }
    if let Some(url) = o.site_proxy {
        site.proxy = save_proxy(&url)?;
    }
    if let Some(dir) = o.local_dir {
        site.local_dir = Some(dir);
    }
    if let Some(dir) = o.remote_dir {
        site.remote_dir = Some(dir);
    }
    if let Some(notes) = o.notes {
        site.notes = notes;
    }
    Ok(())
}

/// The password to keep for a normal-logon site: from the URL, standard input or a prompt. With
/// no keychain, the site switches to asking at every connection, and the user is told.
fn password_to_save(
    site: &mut Site,
    from_url: Option<String>,
    global: &GlobalOptions,
    keychain: &Keychain,
) -> Result<Option<String>, Failure> {
    if site.logon != Logon::Normal {
        return Ok(None);
    }
    if let Some(reason) = keychain.unavailable_reason() {
        eprintln!(
            "ferry: passwords cannot be saved on this computer ({reason}); site:{} will ask for its password when connecting.",
            site.path()
        );
        site.logon = Logon::AskPassword;
        return Ok(None);
    }
    if from_url.is_some() {
        return Ok(from_url);
    }
    if global.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::usage(format!("cannot read the password: {e}")))?;
        return Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()));
    }
    if std::io::stdin().is_terminal() {
        let password = rpassword::prompt_password(format!(
            "Password for {} (saved in the keychain): ",
            site.path()
        ))
        .map_err(|e| Failure::usage(format!("cannot read the password: {e}")))?;
        return Ok(Some(password));
    }
    Ok(None)
}

/// A PKCS#12 certificate that needs a password: asks for it (or takes FERRY_CERT_PASSWORD),
/// checks that it opens the file, and keeps it in the keychain under the file's account. A
/// file that cannot be used at all is refused here rather than at the first connection.
fn save_cert_password(site: &Site, keychain: &Keychain) -> Result<(), Failure> {
    let Some(mut identity) = site.client_identity() else {
        return Ok(());
    };
    if !identity.needs_password() {
        return identity.check().map_err(|e| Failure::usage(e.to_string()));
    }
    let account = crate::sites::secrets::client_cert_account(&identity.cert_file);
    if keychain.is_available()
        && let Ok(Some(saved)) = keychain.get(&account)
    {
        identity.password = Some(saved);
        if identity.check().is_ok() {
            return Ok(());
        }
        identity.password = None;
    }
    identity.password = match std::env::var("FERRY_CERT_PASSWORD") {
        Ok(password) => Some(password),
        Err(_) if std::io::stdin().is_terminal() => Some(
            rpassword::prompt_password(format!(
                "Password of the client certificate {} (saved in the keychain): ",
                identity.cert_file.display()
            ))
            .map_err(|e| Failure::usage(format!("cannot read the password: {e}")))?,
        ),
        Err(_) => None,
    };
    let Some(password) = identity.password.clone() else {
        eprintln!(
            "ferry: {} needs its password; set FERRY_CERT_PASSWORD when connecting, or run this on a terminal to save it.",
            identity.cert_file.display()
        );
        return Ok(());
    };
    identity
        .check()
        .map_err(|e| Failure::usage(e.to_string()))?;
    match keychain.unavailable_reason() {
        Some(reason) => eprintln!(
            "ferry: the certificate's password cannot be saved on this computer ({reason}); set FERRY_CERT_PASSWORD when connecting, or connect on a terminal to be asked."
        ),
        None => keychain
            .set(&account, &password)
            .map_err(|e| Failure::local(format!("the certificate's password is not saved: {e}")))?,
    }
    Ok(())
}

fn save_password(
    keychain: &Keychain,
    site: &Site,
    password: Option<String>,
) -> Result<(), Failure> {
    match password {
        Some(password) => keychain.set(&site.path(), &password).map_err(|e| {
            Failure::local(format!("the site is saved, but its password is not: {e}"))
        }),
        None => Ok(()),
    }
}

/// A disk problem is a local failure; anything else is the user's request being refused.
fn site_failure(e: SiteError) -> Failure {
    match e {
        SiteError::File(_) => Failure::local(e.to_string()),
        other => Failure::usage(other.to_string()),
    }
}
