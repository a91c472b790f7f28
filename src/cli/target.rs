//! What a command connects to: a URL (`ftp://user@host/path`) or a saved site
//! (`site:Folder/Name/path`), resolved to one shape with the global options applied.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::{Failure, GlobalOptions};
use crate::ftp::Security;
use crate::sites::store::SiteStore;
use crate::sites::{FtpUrl, Logon, MaxTls, MinTls, Site, TransferMode};

/// A resolved connection target.
#[derive(Clone)]
pub(crate) struct Target {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: Option<String>,
    /// From the URL only; site passwords come from the keychain.
    pub password: Option<String>,
    pub logon: Logon,
    /// The saved site's path, whose keychain entry holds the password.
    pub site_path: Option<String>,
    /// The remote path the command works on; empty is the login directory.
    pub path: String,
    pub ca_file: Option<PathBuf>,
    /// The client certificate (`--cert`/`--key`, or the site's).
    pub client_identity: Option<crate::tls::ClientIdentity>,
    pub tls12_only: bool,
    pub tls13_only: bool,
    /// CCC after login.
    pub clear_control: bool,
    pub active: bool,
    /// A saved site's limit on parallel connections.
    pub max_connections: Option<u8>,
    /// The proxy (`--proxy`, or the site's).
    pub proxy: Option<crate::ftp::Proxy>,
    /// Seconds to add to the server's LIST times to get UTC (a saved site's setting).
    pub time_offset_seconds: i64,
}

/// Resolves `spec` (URL or `site:`) and applies `--plain`, `--ca-file`, `--tls12`, `--active`.
pub(crate) fn resolve(spec: &str, global: &GlobalOptions) -> Result<Target, Failure> {
    let mut target = match spec.strip_prefix("site:") {
        Some(rest) => from_site(rest)?,
        None => from_url(spec, global)?,
    };
    if let Some(ca) = &global.ca_file {
        target.ca_file = Some(ca.clone());
    }
    match (&global.cert, &global.key) {
        (Some(cert), key) => {
            target.client_identity =
                Some(crate::tls::ClientIdentity::new(cert.clone(), key.clone()));
        }
        (None, Some(_)) => {
            return Err(Failure::usage(
                "--key needs --cert (the certificate it belongs to)",
            ));
        }
        (None, None) => {}
    }
    target.tls12_only |= global.tls12;
    target.tls13_only |= global.tls13;
    target.clear_control |= global.ccc;
    if global.tls13 {
        target.tls12_only = false;
    }
    target.active |= global.active;
    match global.proxy.as_deref().map(str::trim) {
        None => {}
        Some("none") => target.proxy = None,
        Some(url) => {
            let proxy = crate::sites::url::parse_proxy(&super::argv::restore(url))
                .map_err(|e| Failure::usage(format!("--proxy: {e}")))?;
            if proxy.password.is_some() && std::io::stderr().is_terminal() {
                eprintln!(
                    "ferry: warning: the proxy password in --proxy is visible to other users of this computer (ps); use FERRY_PROXY_PASSWORD instead"
                );
            }
            target.proxy = Some(proxy);
        }
    }
    if target.proxy.is_some() && target.active {
        return Err(Failure::usage(
            "active mode cannot work through a proxy (the server would have to connect to this computer); use passive mode",
        ));
    }
    if target.security == Security::Plain {
        eprintln!(
            "ferry: warning: plain FTP: the password and all data travel unencrypted and can be read or changed on the way"
        );
    }
    Ok(target)
}

fn from_url(spec: &str, global: &GlobalOptions) -> Result<Target, Failure> {
    let url =
        FtpUrl::parse(&super::argv::restore(spec)).map_err(|e| Failure::usage(e.to_string()))?;
    if url.password.is_some() && std::io::stderr().is_terminal() {
        // Other users of this computer see a command line (ps, /proc, shell history).
        eprintln!(
            "ferry: warning: the password in the URL is visible to other users of this computer (ps) and stays in your shell history; use --password-stdin or a saved site (ferry sites add) instead"
        );
    }
    let security = if global.plain {
        if url.security == Security::ImplicitTls {
            return Err(Failure::usage(
                "--plain cannot be combined with ftps:// (implicit TLS)",
            ));
        }
        Security::Plain
    } else {
        url.security
    };
    Ok(Target {
        host: url.host.clone(),
        port: url.port,
        security,
        logon: if url.user.is_some() {
            Logon::Normal
        } else {
            Logon::Anonymous
        },
        user: url.user.clone(),
        password: url.password.clone(),
        site_path: None,
        path: url.path.clone(),
        ca_file: None,
        client_identity: None,
        tls12_only: false,
        tls13_only: false,
        clear_control: false,
        active: false,
        max_connections: None,
        proxy: None,
        time_offset_seconds: 0,
    })
}

/// `Folder/Name/dir/file`: the longest leading part that names a saved site is the site, the
/// rest is the path on the server (relative to the site's remote folder, or absolute with `//`).
fn from_site(rest: &str) -> Result<Target, Failure> {
    let store = load_sites()?;
    let parts: Vec<&str> = rest.split('/').collect();
    let (site, remote) = (1..=parts.len())
        .rev()
        .find_map(|n| {
            let candidate = parts[..n].join("/");
            store
                .find(&candidate)
                .ok()
                .map(|site| (site.clone(), parts[n..].join("/")))
        })
        .ok_or_else(|| match store.find(parts.first().copied().unwrap_or("")) {
            Err(e) => Failure::usage(format!("site:{rest}: {e}")),
            Ok(_) => Failure::usage(format!("site:{rest}: no such site")),
        })?;
    let path = match (&site.remote_dir, remote.as_str()) {
        (_, r) if r.starts_with('/') => r.to_owned(),
        (Some(dir), "") => dir.clone(),
        (Some(dir), r) => crate::ftp::path::join(dir, r),
        (None, r) => r.to_owned(),
    };
    site_target(&site, path)
}

fn site_target(site: &Site, path: String) -> Result<Target, Failure> {
    Ok(Target {
        host: site.host.clone(),
        port: site.effective_port(),
        security: site.security.to_security(),
        user: (site.logon != Logon::Anonymous).then(|| site.user.clone()),
        password: None,
        logon: site.logon,
        site_path: Some(site.path()),
        path,
        ca_file: site.ca_file.clone(),
        client_identity: site.client_identity(),
        tls12_only: site.max_tls == MaxTls::Tls12,
        tls13_only: site.min_tls == MinTls::Tls13,
        clear_control: site.ccc,
        active: site.transfer_mode == TransferMode::Active,
        max_connections: Some(site.max_connections),
        proxy: site.proxy().map_err(Failure::usage)?,
        time_offset_seconds: i64::from(site.time_offset_minutes) * 60,
    })
}

/// The site list, or a clear error (a corrupt file has been copied aside and is left alone).
pub(crate) fn load_sites() -> Result<SiteStore, Failure> {
    let path = SiteStore::default_path()
        .ok_or_else(|| Failure::local("this computer has no configuration directory for Ferry"))?;
    SiteStore::load(&path).map_err(|e| Failure::local(e.to_string()))
}
