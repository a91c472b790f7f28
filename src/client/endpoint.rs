//! From "where to connect" to [`ConnectOptions`]: the one place that turns a server address,
//! its security mode and the user's trust decisions into rustls configurations.

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::ftp::{ConnectOptions, DataMode, ProtocolLog, Proxy, Security};
use crate::tls::{self, ClientIdentity, MaxTlsVersion, MinTlsVersion, TlsOptions, Trust};

/// A server and how to talk to it, without credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Host name or IP literal.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Explicit TLS, implicit TLS or plain FTP.
    pub security: Security,
    /// Extra CA certificates (PEM) to trust for this server.
    pub ca_file: Option<PathBuf>,
    /// Never offer TLS 1.3 (servers with broken 1.3 support).
    pub tls12_only: bool,
    /// Accept TLS 1.3 only (a policy that forbids 1.2).
    pub tls13_only: bool,
    /// The client certificate presented when the server asks for one.
    pub client_identity: Option<ClientIdentity>,
    /// Clear the control connection after login (CCC), for firewalls that must read it.
    pub clear_control: bool,
    /// Active mode: the server connects back; `active_ports` bounds the local ports (0..=0 means
    /// any).
    pub active: bool,
    /// Local port range for active mode.
    pub active_ports: RangeInclusive<u16>,
    /// Try EPSV before PASV.
    pub use_epsv: bool,
    /// Connect and I/O timeout.
    pub timeout: Duration,
    /// A SOCKS5 or HTTP CONNECT proxy for every connection (passive mode only).
    pub proxy: Option<Proxy>,
}

impl Endpoint {
    /// An endpoint with the defaults: passive mode with EPSV, TLS 1.3 allowed, 20 s timeout.
    pub fn new(host: impl Into<String>, port: u16, security: Security) -> Endpoint {
        Endpoint {
            host: host.into(),
            port,
            security,
            ca_file: None,
            tls12_only: false,
            tls13_only: false,
            client_identity: None,
            clear_control: false,
            active: false,
            active_ports: 0..=0,
            use_epsv: true,
            timeout: Duration::from_secs(20),
            proxy: None,
        }
    }

    /// The options for one control connection. Every call builds fresh TLS configurations over
    /// the same `trust`, so a decision the user made is seen by every later connection.
    ///
    /// # Errors
    /// A CA file that cannot be read or holds no certificate; a client certificate or key
    /// that cannot be read.
    pub fn connect_options(
        &self,
        trust: &Arc<Trust>,
        log: &Arc<dyn ProtocolLog>,
    ) -> Result<ConnectOptions, String> {
        let tls_configs = match self.security {
            Security::Plain => None,
            _ => Some(
                tls::client_configs(&TlsOptions {
                    extra_ca_file: self.ca_file.clone(),
                    max_version: if self.tls12_only {
                        MaxTlsVersion::Tls12
                    } else {
                        MaxTlsVersion::Tls13
                    },
                    min_version: if self.tls13_only {
                        MinTlsVersion::Tls13
                    } else {
                        MinTlsVersion::Tls12
                    },
                    trust: Some(trust.clone()),
                    host: self.host.clone(),
                    port: self.port,
                    log: Some(log.clone()),
                    client_identity: self.client_identity.clone(),
                })
                .map_err(|e| e.to_string())?,
            ),
        };
        let mut options = ConnectOptions::new(
            self.host.clone(),
            self.port,
            self.security,
            tls_configs.as_ref().map(|c| c.preferred.clone()),
        );
        options.tls12_fallback = tls_configs.and_then(|c| c.tls12_fallback);
        options.connect_timeout = self.timeout.max(Duration::from_secs(1));
        options.io_timeout = options.connect_timeout;
        options.use_epsv = self.use_epsv;
        options.clear_control = self.clear_control;
        options.log = log.clone();
        options.proxy = self.proxy.clone();
        if self.active {
            options.data_mode = DataMode::Active {
                ports: self.active_ports.clone(),
                announce: None,
            };
        }
        Ok(options)
    }
}
