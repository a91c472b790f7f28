//! What one connection attempt is about: the server, where the password comes from, and what
//! to show first. Built from the quick-connect fields, a saved site, or a command-line target.

use std::path::PathBuf;

use super::endpoint::Endpoint;
use crate::ftp::Security;

/// Where the password comes from.
#[derive(Clone)]
pub enum Login {
    /// `anonymous`.
    Anonymous,
    /// Typed in, or given on the command line.
    Password {
        /// The user name.
        user: String,
        /// The password (never logged, never saved by this type).
        password: String,
    },
    /// A saved site's keychain entry (read on the connecting thread); if there is none, the
    /// front end is asked ([`super::Decisions::password`]).
    Keychain {
        /// The user name.
        user: String,
        /// The site's path in the site store: the keychain entry's name.
        site_path: String,
    },
    /// No password yet: the front end is asked for one.
    Ask {
        /// The user name.
        user: String,
    },
}

impl Login {
    /// The user name (`anonymous` for anonymous logins).
    pub fn user(&self) -> &str {
        match self {
            Login::Anonymous => "anonymous",
            Login::Password { user, .. } | Login::Keychain { user, .. } | Login::Ask { user } => {
                user
            }
        }
    }
}

impl std::fmt::Debug for Login {
    /// Never shows the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Login::Anonymous => f.write_str("Anonymous"),
            Login::Password { user, .. } => write!(f, "Password {{ user: {user:?}, .. }}"),
            Login::Keychain { user, site_path } => {
                write!(f, "Keychain {{ user: {user:?}, site_path: {site_path:?} }}")
            }
            Login::Ask { user } => write!(f, "Ask {{ user: {user:?} }}"),
        }
    }
}

/// Everything one connection attempt needs.
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    /// The server and how to talk to it.
    pub endpoint: Endpoint,
    /// Where the password comes from.
    pub login: Login,
    /// Shown in the title bar and the status line: a site's path, or `user@host`.
    pub label: String,
    /// Open this remote folder after login.
    pub remote_dir: Option<String>,
    /// Show this local folder.
    pub local_dir: Option<PathBuf>,
    /// The server's limit on parallel connections (a site setting), if any.
    pub max_connections: Option<usize>,
    /// The user has seen the plain-FTP warning for this request.
    pub plain_confirmed: bool,
    /// The saved site it came from (its path), if any: settings learnt while connected (the
    /// server's time offset) are saved there.
    pub site: Option<String>,
    /// Minutes to add to the server's LIST times to get UTC (a site setting).
    pub time_offset_minutes: i32,
}

impl ConnectRequest {
    /// A request for `endpoint` with `login`, labelled `user@host`, nothing else set.
    pub fn new(endpoint: Endpoint, login: Login) -> ConnectRequest {
        let label = match &login {
            Login::Anonymous => endpoint.host.clone(),
            other => format!("{}@{}", other.user(), endpoint.host),
        };
        ConnectRequest {
            endpoint,
            login,
            label,
            remote_dir: None,
            local_dir: None,
            max_connections: None,
            plain_confirmed: false,
            site: None,
            time_offset_minutes: 0,
        }
    }

    /// Plain FTP, and the user has not yet agreed to it.
    pub fn needs_plain_warning(&self) -> bool {
        self.endpoint.security == Security::Plain && !self.plain_confirmed
    }

    /// The file name of this server's saved queue (see
    /// [`crate::transfer::engine::queue_file_name`]).
    pub fn queue_file_name(&self) -> String {
        crate::transfer::engine::queue_file_name(
            self.login.user(),
            &self.endpoint.host,
            self.endpoint.port,
        )
    }

    /// The name an older Ferry gave the same queue (`user_host_port.toml`, ambiguous: `a@b` and
    /// `a_b` shared one), to take over once ([`super::migrate_queue_file`]).
    pub fn legacy_queue_file_name(&self) -> String {
        let legacy: String = format!(
            "{}_{}_{}",
            self.login.user(),
            self.endpoint.host,
            self.endpoint.port
        )
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
        format!("{legacy}.toml")
    }

    /// How many workers to run for a wish of `wanted`: at most what the server allows (the
    /// site's limit), at least 1, at most 16.
    pub fn workers(&self, wanted: usize) -> usize {
        wanted
            .clamp(1, 16)
            .min(self.max_connections.unwrap_or(16).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_and_the_debug_form_never_show_the_password() {
        let request = ConnectRequest::new(
            Endpoint::new("example.org", 21, Security::ExplicitTls),
            Login::Password {
                user: "ann".into(),
                password: "s3cret-pw".into(),
            },
        );
        assert_eq!(request.label, "ann@example.org");
        let shown = format!("{request:?}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(shown.contains("ann"), "{shown}");
    }

    #[test]
    fn workers_respect_the_site_limit() {
        let mut request = ConnectRequest::new(
            Endpoint::new("example.org", 21, Security::ExplicitTls),
            Login::Anonymous,
        );
        assert_eq!(request.workers(4), 4);
        assert_eq!(request.workers(0), 1);
        assert_eq!(request.workers(99), 16);
        request.max_connections = Some(2);
        assert_eq!(request.workers(4), 2);
        request.max_connections = Some(0);
        assert_eq!(request.workers(4), 1);
    }
}
