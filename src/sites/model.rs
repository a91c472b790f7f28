//! A saved site: everything needed to connect, except the password, which lives in the OS
//! keychain (see `secrets`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::ftp::Security;

/// How the control connection is secured, as stored in the site file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SiteSecurity {
    /// AUTH TLS required (the default for new sites).
    #[default]
    ExplicitTls,
    /// TLS from the first byte (port 990).
    ImplicitTls,
    /// No encryption: insecure, shown with a warning everywhere.
    Plain,
}

impl SiteSecurity {
    /// The engine's mode.
    pub fn to_security(self) -> Security {
        match self {
            SiteSecurity::ExplicitTls => Security::ExplicitTls,
            SiteSecurity::ImplicitTls => Security::ImplicitTls,
            SiteSecurity::Plain => Security::Plain,
        }
    }

    /// The site setting for an engine mode (the inverse of [`Self::to_security`]).
    pub fn from_security(security: Security) -> SiteSecurity {
        match security {
            Security::ExplicitTls => SiteSecurity::ExplicitTls,
            Security::ImplicitTls => SiteSecurity::ImplicitTls,
            Security::Plain => SiteSecurity::Plain,
        }
    }

    /// Whether credentials and data travel in clear.
    pub fn is_insecure(self) -> bool {
        self == SiteSecurity::Plain
    }
}

/// How Ferry logs in to a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Logon {
    /// User and a password kept in the OS keychain.
    #[default]
    Normal,
    /// User; the password is asked for at every connection and never stored.
    AskPassword,
    /// Anonymous FTP.
    Anonymous,
}

/// Passive (the client connects) or active (the server connects back) data connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransferMode {
    /// EPSV/PASV.
    #[default]
    Passive,
    /// EPRT/PORT.
    Active,
}

/// Highest TLS version to offer for a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaxTls {
    /// TLS 1.3 (and 1.2).
    #[default]
    Tls13,
    /// TLS 1.2 only: an escape hatch for servers with broken TLS 1.3.
    Tls12,
}

/// Lowest TLS version to accept for a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MinTls {
    /// TLS 1.2 and 1.3.
    #[default]
    Tls12,
    /// TLS 1.3 only.
    Tls13,
}

/// A saved site (bookmark).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// Display name, unique within its folder. May contain any character but `/`.
    pub name: String,
    /// The folders it sits in, outermost first (empty: top level).
    #[serde(default)]
    pub folder: Vec<String>,
    /// Host name or IP literal (no brackets).
    pub host: String,
    /// TCP port; 0 means the default for the security mode (21 or 990).
    #[serde(default)]
    pub port: u16,
    /// Explicit TLS, implicit TLS or plain.
    #[serde(default)]
    pub security: SiteSecurity,
    /// Normal (keychain), ask every time, or anonymous.
    #[serde(default)]
    pub logon: Logon,
    /// User name (unused for anonymous).
    #[serde(default)]
    pub user: String,
    /// Passive or active data connections.
    #[serde(default)]
    pub transfer_mode: TransferMode,
    /// Parallel connections allowed to this server (1-10).
    #[serde(default = "default_max_connections")]
    pub max_connections: u8,
    /// Highest TLS version offered.
    #[serde(default)]
    pub max_tls: MaxTls,
    /// Lowest TLS version accepted.
    #[serde(default, skip_serializing_if = "is_default")]
    pub min_tls: MinTls,
    /// Clear the control connection after login (CCC); data stays encrypted.
    #[serde(default, skip_serializing_if = "is_default")]
    pub ccc: bool,
    /// An extra CA certificate file trusted for this site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// A client certificate presented when the server requires one: a PEM chain, or a
    /// PKCS#12 file (`.p12`/`.pfx`) whose password is in the keychain
    /// ([`super::secrets::client_cert_account`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<PathBuf>,
    /// Its private key (PEM); none: it is in `client_cert` too (always, for PKCS#12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
    /// A proxy for every connection to this site: `socks5://[user@]host[:port]` or
    /// `http://[user@]host[:port]`, never with a password (that is in the keychain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Minutes to add to the server's LIST times to get UTC (a server that lists in its own
    /// time zone), for comparing folders; MLSD and MDTM times are UTC and need none.
    #[serde(default, skip_serializing_if = "is_default")]
    pub time_offset_minutes: i32,
    /// Local folder opened on connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_dir: Option<PathBuf>,
    /// Remote folder opened on connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_dir: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn default_max_connections() -> u8 {
    2
}

impl Site {
    /// The client certificate to present, if the site has one.
    pub fn client_identity(&self) -> Option<crate::tls::ClientIdentity> {
        self.client_cert
            .clone()
            .map(|cert_file| crate::tls::ClientIdentity::new(cert_file, self.client_key.clone()))
    }

    /// The site's proxy, parsed; its password is not part of it (see
    /// [`super::secrets::proxy_account`]).
    ///
    /// # Errors
    /// The saved URL does not parse (a hand-edited sites file).
    pub fn proxy(&self) -> Result<Option<crate::ftp::Proxy>, String> {
        match self.proxy.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(url) => crate::sites::url::parse_proxy(url)
                .map(|mut proxy| {
                    proxy.password = None;
                    Some(proxy)
                })
                .map_err(|e| format!("the proxy of site {}: {e}", self.path())),
        }
    }

    /// A new site with Ferry's defaults: explicit TLS required, normal logon, passive mode.
    pub fn new(name: impl Into<String>, host: impl Into<String>) -> Site {
        Site {
            name: name.into(),
            folder: Vec::new(),
            host: host.into(),
            port: 0,
            security: SiteSecurity::default(),
            logon: Logon::default(),
            user: String::new(),
            transfer_mode: TransferMode::default(),
            max_connections: default_max_connections(),
            max_tls: MaxTls::default(),
            min_tls: MinTls::default(),
            ccc: false,
            ca_file: None,
            client_cert: None,
            client_key: None,
            proxy: None,
            time_offset_minutes: 0,
            local_dir: None,
            remote_dir: None,
            notes: String::new(),
        }
    }

    /// `Folder/Sub/Name`: how the site is addressed (`site:Folder/Sub/Name`) and keyed in the
    /// keychain.
    pub fn path(&self) -> String {
        self.folder
            .iter()
            .chain(std::iter::once(&self.name))
            .cloned()
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The port to dial: the one set, or the security mode's default.
    pub fn effective_port(&self) -> u16 {
        if self.port != 0 {
            self.port
        } else {
            self.security.to_security().default_port()
        }
    }
}
