//! The quick-connect bar: host (or a whole `ftp://`/`ftps://` URL), user, password, port and
//! security, turned into a [`ConnectRequest`]. A URL is complete in itself: its scheme and port
//! decide, and the fields are set to match it before connecting, so what the bar shows is what
//! was used.

use std::time::Duration;

use egui::{Key, RichText};

use crate::client::Endpoint;
use crate::sites::{FtpUrl, SiteSecurity};

use super::connection::{ConnectRequest, Login};
use super::settings::RecentServer;
use super::site_manager;
use super::spinner::ui_spinner;

/// Quick connect's fields.
pub(crate) struct QuickConnect {
    pub host: String,
    pub port: String,
    pub user: String,
    pub password: String,
    pub security: SiteSecurity,
    /// Give the password field the keyboard in the next frame (a recent server was recalled).
    pub focus_password: bool,
}

/// What the bar asks the window to do this frame.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum QuickAction {
    None,
    Connect,
    /// Give up the attempt in progress.
    Cancel,
    /// Fill the fields from recent server number `.0` (the Connect follows).
    Recall(usize),
    /// Forget the recent servers.
    ClearHistory,
    /// Open the Site Manager with a new site made of these fields.
    SaveAsSite,
}

impl Default for QuickConnect {
    fn default() -> QuickConnect {
        QuickConnect {
            host: String::new(),
            port: String::new(),
            user: String::new(),
            password: String::new(),
            security: SiteSecurity::ExplicitTls,
            focus_password: false,
        }
    }
}

impl QuickConnect {
    /// Draws the bar; `connecting` swaps Connect for Cancel (an attempt can take the whole
    /// timeout against a silent server).
    pub(crate) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        connecting: bool,
        history: &[RecentServer],
    ) -> QuickAction {
        let field =
            |ui: &mut egui::Ui, value: &mut String, hint: &str, width: f32, password: bool| {
                ui.add(
                    egui::TextEdit::singleline(value)
                        .hint_text(hint)
                        .desired_width(width)
                        .password(password),
                )
                .on_hover_text(hint)
            };
        let mut enter = false;
        for (value, hint, width, password) in [
            (&mut self.host, "Host or URL", 170.0, false),
            (&mut self.user, "User", 90.0, false),
            (&mut self.password, "Password", 90.0, true),
            (&mut self.port, "Port", 55.0, false),
        ] {
            let r = field(ui, value, hint, width, password);
            if password && std::mem::take(&mut self.focus_password) {
                r.request_focus();
            }
            enter |= r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        }
        egui::ComboBox::from_id_salt("quick-security")
            .selected_text(match self.security {
                SiteSecurity::ExplicitTls => "FTPS explicit",
                SiteSecurity::ImplicitTls => "FTPS implicit",
                SiteSecurity::Plain => "FTP (insecure)",
            })
            .show_ui(ui, |ui| {
                for s in [
                    SiteSecurity::ExplicitTls,
                    SiteSecurity::ImplicitTls,
                    SiteSecurity::Plain,
                ] {
                    ui.selectable_value(&mut self.security, s, site_manager::security_label(s));
                }
            })
            .response
            .on_hover_text("Security");
        if connecting {
            ui_spinner(ui, 16.0).on_hover_text("Connecting");
            if ui
                .button("Cancel")
                .on_hover_text("Stop connecting")
                .clicked()
            {
                return QuickAction::Cancel;
            }
            return QuickAction::None;
        }
        if ui.button(RichText::new("Connect").strong()).clicked() || enter {
            return QuickAction::Connect;
        }
        let mut action = QuickAction::None;
        ui.menu_button("⏷", |ui| {
            if history.is_empty() {
                ui.weak("No recent servers");
            }
            for (i, server) in history.iter().enumerate() {
                if ui.button(server.describe()).clicked() {
                    action = QuickAction::Recall(i);
                    ui.close();
                }
            }
            ui.separator();
            let can_save = !self.host.trim().is_empty();
            if ui
                .add_enabled(can_save, egui::Button::new("Save as site…"))
                .clicked()
            {
                action = QuickAction::SaveAsSite;
                ui.close();
            }
            if ui
                .add_enabled(!history.is_empty(), egui::Button::new("Clear history"))
                .clicked()
            {
                action = QuickAction::ClearHistory;
                ui.close();
            }
        })
        .response
        .on_hover_text("Recent servers, Save as site");
        action
    }

    /// The fields as a recent server (no password).
    pub(crate) fn recent(&self) -> RecentServer {
        RecentServer {
            host: self.host.trim().to_owned(),
            port: self.port.trim().to_owned(),
            user: self.user.trim().to_owned(),
            security: self.security,
        }
    }

    /// Fills the fields from a recent server; the password is typed again (never kept).
    pub(crate) fn recall(&mut self, server: &RecentServer) {
        self.host = server.host.clone();
        self.port = server.port.clone();
        self.user = server.user.clone();
        self.security = server.security;
        self.password.clear();
    }

    /// A new site made of the fields (after [`Self::take_url`]), and the password typed.
    pub(crate) fn to_site(&self) -> Result<(crate::sites::Site, String), String> {
        let request = self.request(Duration::from_secs(20))?;
        let endpoint = &request.endpoint;
        let mut site = crate::sites::Site::new(endpoint.host.clone(), endpoint.host.clone());
        site.port = endpoint.port;
        site.security = SiteSecurity::from_security(endpoint.security);
        site.remote_dir = request.remote_dir.clone();
        match &request.login {
            Login::Anonymous => site.logon = crate::sites::Logon::Anonymous,
            login => {
                site.logon = crate::sites::Logon::Normal;
                site.user = login.user().to_owned();
            }
        }
        Ok((site, self.password.clone()))
    }

    /// A URL in the host field fills the other fields: its scheme sets the security, its port
    /// (or the scheme's default) the port, its user and password theirs. The host field keeps
    /// just the host, or `scheme://host:port/path` when there is a path: never the password
    /// (it is shown masked like any other), and never a URL whose scheme's default port would
    /// undo a port typed later (connecting again to another port on the same host).
    pub(crate) fn take_url(&mut self) {
        let host = self.host.trim();
        if !host.contains("://") {
            return;
        }
        let Ok(mut url) = FtpUrl::parse(host) else {
            return;
        };
        let scheme = host[..host.find("://").unwrap_or(0)].to_owned();
        self.security = SiteSecurity::from_security(url.security);
        self.port = url.port.to_string();
        if let Some(user) = url.user.take() {
            self.user = user;
        }
        if let Some(password) = url.password.take() {
            self.password = password;
        }
        let host = if url.host.contains(':') {
            format!("[{}]", url.host)
        } else {
            url.host.clone()
        };
        // The URL's path rules: relative to the login folder, `//abs` for an absolute one.
        let path = if url.path.is_empty() {
            String::new()
        } else {
            format!("/{}", url.path)
        };
        self.host = if path.is_empty() {
            host
        } else {
            format!("{scheme}://{host}:{}{path}", url.port)
        };
    }

    /// The request the fields describe (after [`Self::take_url`], the URL's).
    pub(crate) fn request(&self, timeout: Duration) -> Result<ConnectRequest, String> {
        let host = self.host.trim();
        if host.is_empty() {
            return Err("Enter a host name or an ftp:// / ftps:// address.".into());
        }
        let (security, host, mut port, path) = if host.contains("://") {
            let url = FtpUrl::parse(host).map_err(|e| e.to_string())?;
            (url.security, url.host, url.port, Some(url.path))
        } else {
            let security = self.security.to_security();
            (security, host.to_owned(), security.default_port(), None)
        };
        if !self.port.trim().is_empty() {
            port = self.port.trim().parse().map_err(|_| {
                format!(
                    "Port “{}” is not a number from 1 to 65535",
                    self.port.trim()
                )
            })?;
        }
        let mut endpoint = Endpoint::new(host, port, security);
        endpoint.timeout = timeout;
        let user = self.user.trim();
        let login = if user.is_empty() {
            Login::Anonymous
        } else {
            Login::Password {
                user: user.to_owned(),
                password: self.password.clone(),
            }
        };
        let mut request = ConnectRequest::new(endpoint, login);
        // Two servers on one host (tabs, the title) are told apart by a port that is not the
        // usual one.
        if request.endpoint.port != request.endpoint.security.default_port() {
            request.label = format!("{}:{}", request.label, request.endpoint.port);
        }
        request.remote_dir = path.filter(|p| !p.is_empty());
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ftp::Security;

    #[test]
    fn a_url_sets_the_fields_and_its_port_and_scheme_win() {
        let mut quick = QuickConnect {
            host: "ftps://bob:pa%40ss@example.com:2990/pub".into(),
            port: "21".into(),
            security: SiteSecurity::ExplicitTls,
            ..QuickConnect::default()
        };
        quick.take_url();
        assert_eq!(quick.host, "ftps://example.com:2990/pub");
        assert_eq!(quick.port, "2990");
        assert_eq!(quick.security, SiteSecurity::ImplicitTls);
        assert_eq!(
            (quick.user.as_str(), quick.password.as_str()),
            ("bob", "pa@ss")
        );
        let request = quick.request(Duration::from_secs(5)).unwrap();
        assert_eq!(request.endpoint.port, 2990);
        assert_eq!(request.endpoint.security, Security::ImplicitTls);
        assert_eq!(request.remote_dir.as_deref(), Some("pub"));

        // No port in the URL: the scheme's default, not what the field held before.
        quick.host = "ftp://example.com".into();
        quick.take_url();
        assert_eq!(quick.port, "21");
        assert_eq!(quick.security, SiteSecurity::ExplicitTls);
        assert_eq!(quick.host, "example.com");
        // A port typed afterwards is kept (the next server on the same host).
        quick.port = "2121".into();
        quick.take_url();
        let request = quick.request(Duration::from_secs(5)).unwrap();
        assert_eq!(request.endpoint.port, 2121);
    }
}
