//! The window's settings, saved with the other configuration files (`settings.toml`), and the
//! dialog that edits them. Window size, position and pane widths are eframe's to remember.

use serde::{Deserialize, Serialize};

use crate::persist::Document;
use crate::transfer::FileExistsPolicy;

/// Light, dark, or whatever the OS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub(crate) fn preference(self) -> egui::ThemePreference {
        match self {
            Theme::System => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// What the user can set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Settings {
    /// Parallel transfers (connections) per server; a site's own limit wins when lower.
    pub parallel_transfers: usize,
    /// What a transfer does when its target exists.
    pub on_exists: FileExistsPolicy,
    /// Connect and I/O timeout, seconds.
    pub timeout_seconds: u64,
    pub theme: Theme,
    /// Speed limits for all transfers together, KiB/s; 0: none.
    pub download_limit_kib: u64,
    pub upload_limit_kib: u64,
    /// Quick connect's recent servers, newest first (no passwords).
    pub quick_history: Vec<RecentServer>,
}

/// A server quick connect reached: what its fields held, without the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RecentServer {
    pub host: String,
    pub port: String,
    pub user: String,
    pub security: crate::sites::SiteSecurity,
}

impl RecentServer {
    /// "alice@ftp.example.com:2121 (FTPS explicit)".
    pub(crate) fn describe(&self) -> String {
        let user = if self.user.is_empty() {
            String::new()
        } else {
            format!("{}@", self.user)
        };
        let port = if self.port.is_empty() || self.host.contains("://") {
            String::new()
        } else {
            format!(":{}", self.port)
        };
        format!(
            "{user}{}{port} ({})",
            self.host,
            super::site_manager::security_label(self.security)
        )
    }
}

/// How many recent servers quick connect keeps.
pub(crate) const RECENT_SERVERS: usize = 10;

impl Settings {
    /// Puts `server` first in the history (once), keeping [`RECENT_SERVERS`].
    pub(crate) fn remember_server(&mut self, server: RecentServer) {
        self.quick_history.retain(|s| *s != server);
        self.quick_history.insert(0, server);
        self.quick_history.truncate(RECENT_SERVERS);
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            parallel_transfers: 2,
            on_exists: FileExistsPolicy::Ask,
            timeout_seconds: 20,
            theme: Theme::System,
            download_limit_kib: 0,
            upload_limit_kib: 0,
            quick_history: Vec::new(),
        }
    }
}

impl Document for Settings {
    const WHAT: &'static str = "the settings";
    const HEADER: &'static str = "# Ferry's settings (the Settings dialog writes this file).\n";
    const VERSION: u32 = 1;
    const IF_CORRUPT: &'static str = "Ferry starts with the default settings.";
    const MAX_BYTES: u64 = MAX_SETTINGS_BYTES;
}

/// The largest settings file Ferry reads: real ones are a few numbers and ten recent servers,
/// under 2 KiB; read before the window opens, so kept small.
pub(crate) const MAX_SETTINGS_BYTES: u64 = 1024 * 1024;

/// The file-exists choices, with the words the dialogs use.
pub(crate) const EXISTS_CHOICES: [(FileExistsPolicy, &str); 7] = [
    (FileExistsPolicy::Ask, "Ask"),
    (FileExistsPolicy::Overwrite, "Overwrite"),
    (
        FileExistsPolicy::OverwriteIfNewer,
        "Overwrite if source is newer",
    ),
    (
        FileExistsPolicy::OverwriteIfSizeDiffers,
        "Overwrite if size differs",
    ),
    (FileExistsPolicy::Resume, "Resume"),
    (FileExistsPolicy::Rename, "Keep both (rename)"),
    (FileExistsPolicy::Skip, "Skip"),
];

/// The label of a policy.
pub(crate) fn exists_label(policy: FileExistsPolicy) -> &'static str {
    EXISTS_CHOICES
        .iter()
        .find(|(p, _)| *p == policy)
        .map_or("Ask", |(_, l)| l)
}

/// Draws the settings form; true when something changed.
pub(crate) fn ui_settings_form(ui: &mut egui::Ui, settings: &mut Settings) -> bool {
    let before = settings.clone();
    egui::Grid::new("settings-grid")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            let label = ui.label("Parallel transfers");
            ui.add(egui::Slider::new(&mut settings.parallel_transfers, 1..=10))
                .labelled_by(label.id);
            ui.end_row();

            let label = ui.label("When the target exists");
            egui::ComboBox::from_id_salt("settings-on-exists")
                .selected_text(exists_label(settings.on_exists))
                .show_ui(ui, |ui| {
                    for (policy, text) in EXISTS_CHOICES {
                        ui.selectable_value(&mut settings.on_exists, policy, text);
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();

            let label = ui.label("Timeout (seconds)");
            ui.add(egui::Slider::new(&mut settings.timeout_seconds, 5..=300))
                .labelled_by(label.id);
            ui.end_row();

            for (title, value) in [
                (
                    "Download limit (KiB/s, 0: none)",
                    &mut settings.download_limit_kib,
                ),
                (
                    "Upload limit (KiB/s, 0: none)",
                    &mut settings.upload_limit_kib,
                ),
            ] {
                let label = ui.label(title);
                ui.add(
                    egui::DragValue::new(value)
                        .range(0..=10_000_000)
                        .speed(16.0)
                        .suffix(" KiB/s"),
                )
                .labelled_by(label.id);
                ui.end_row();
            }

            let label = ui.label("Theme");
            ui.horizontal(|ui| {
                ui.selectable_value(&mut settings.theme, Theme::System, "System");
                ui.selectable_value(&mut settings.theme, Theme::Light, "Light");
                ui.selectable_value(&mut settings.theme, Theme::Dark, "Dark");
            })
            .response
            .labelled_by(label.id);
            ui.end_row();
        });
    *settings != before
}
