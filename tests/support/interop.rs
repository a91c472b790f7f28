//! The real interop servers started by `.ci/interop/start.sh`: where they are and how to reach
//! them, from the `servers.env` that `FERRY_INTEROP_ENV` names.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use ferry::ftp::{ConnectOptions, Credentials, MemoryLog, Security, Session};
use ferry::tls::{self, TlsOptions};

/// The servers' addresses, user, password and CA.
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    pub fn load() -> Env {
        let path = std::env::var("FERRY_INTEROP_ENV")
            .expect("FERRY_INTEROP_ENV must name servers.env written by .ci/interop/start.sh");
        let text = std::fs::read_to_string(&path).expect("read servers.env");
        let vars = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
            .collect();
        Env { vars }
    }

    pub fn get(&self, key: &str) -> String {
        self.vars
            .get(key)
            .cloned()
            .unwrap_or_else(|| panic!("{key} missing from servers.env"))
    }

    pub fn port(&self, server: &str) -> u16 {
        self.get(&format!("FERRY_INTEROP_{server}_PORT"))
            .parse()
            .expect("port")
    }

    pub fn ca(&self) -> PathBuf {
        PathBuf::from(self.get("FERRY_INTEROP_CA"))
    }

    pub fn host(&self) -> String {
        self.get("FERRY_INTEROP_HOST")
    }

    pub fn creds(&self) -> Credentials {
        Credentials::new(
            self.get("FERRY_INTEROP_USER"),
            self.get("FERRY_INTEROP_PASS"),
        )
    }

    pub fn options(&self, server: &str, security: Security) -> (ConnectOptions, Arc<MemoryLog>) {
        let tls = match security {
            Security::Plain => None,
            _ => Some(
                tls::client_configs(&TlsOptions {
                    extra_ca_file: Some(self.ca()),
                    ..TlsOptions::default()
                })
                .expect("tls config"),
            ),
        };
        let mut options = ConnectOptions::new(
            self.host(),
            self.port(server),
            security,
            tls.as_ref().map(|t| t.preferred.clone()),
        );
        options.tls12_fallback = tls.and_then(|t| t.tls12_fallback);
        let log = Arc::new(MemoryLog::default());
        options.log = log.clone();
        (options, log)
    }

    pub fn session(&self, server: &str, security: Security) -> (Session, Arc<MemoryLog>) {
        let (options, log) = self.options(server, security);
        let mut session =
            Session::connect(options).unwrap_or_else(|e| panic!("{server}: connect failed: {e}"));
        session
            .login(&self.creds())
            .unwrap_or_else(|e| panic!("{server}: login failed: {e}"));
        (session, log)
    }

    pub fn url(&self, scheme: &str, server: &str, path: &str) -> String {
        format!(
            "{scheme}://{}:{}@{}:{}/{path}",
            self.get("FERRY_INTEROP_USER"),
            self.get("FERRY_INTEROP_PASS"),
            self.host(),
            self.port(server)
        )
    }
}
