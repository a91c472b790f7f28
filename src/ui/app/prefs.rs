//! The Settings and Site Manager windows, settings saved on a worker (newest wins), and the
//! speed limits they set.

use super::*;

/// The settings and what hangs off them.
pub(super) struct Prefs {
    pub settings: Settings,
    pub file: Option<Arc<TomlFile<Settings>>>,
    /// Orders the settings saves the workers make: only the newest is written.
    pub saves: Arc<(Mutex<()>, AtomicU64)>,
    /// The Settings window is open.
    pub open: bool,
    pub applied_theme: Option<settings::Theme>,
    /// Settings changed and not yet written (written when the pointer is released, so a slider
    /// drag is one write).
    pub dirty: bool,
    /// Download and upload limits of every connection, set from the settings.
    pub limits: (Arc<SpeedLimit>, Arc<SpeedLimit>),
}

impl Prefs {
    pub(super) fn new(settings: Settings, file: Option<Arc<TomlFile<Settings>>>) -> Prefs {
        Prefs {
            settings,
            file,
            saves: Arc::default(),
            open: false,
            applied_theme: None,
            dirty: false,
            limits: Default::default(),
        }
    }
}

impl FerryApp {
    pub(super) fn ui_windows(&mut self, ctx: &egui::Context) {
        if let Some(manager) = &mut self.sites.manager {
            let timeout = Duration::from_secs(self.prefs.settings.timeout_seconds);
            let mut open = self.sites.manager_open;
            let actions = manager.ui(ctx, &mut open, timeout);
            self.sites.manager_open = open;
            self.run_site_actions(actions);
            if !self.sites.manager_open {
                self.sites.manager = None;
            }
        }
        if self.prefs.open {
            let mut open = true;
            let mut changed = false;
            egui::Window::new("Settings")
                .id(egui::Id::unique("settings-window"))
                .open(&mut open)
                .collapsible(false)
                .resizable(false)
                .show(ctx, |ui| {
                    changed = settings::ui_settings_form(ui, &mut self.prefs.settings);
                    ui.weak("Parallel transfers apply to the next connection.");
                    ui.separator();
                    egui::CollapsingHeader::new("Keyboard shortcuts")
                        .show(ui, shortcuts::ui_shortcut_list);
                });
            self.prefs.open = open;
            self.prefs.dirty |= changed;
            if changed {
                self.apply_limits();
            }
        }
        if self.prefs.dirty && !ctx.input(|i| i.pointer.any_down()) {
            self.prefs.dirty = false;
            if let Some(file) = self.prefs.file.clone() {
                // Written on a worker; a failure comes back as a notice.
                let new = self.prefs.settings.clone();
                let inbox = self.inbox.clone();
                let order = self.prefs.saves.clone();
                let generation = order.1.fetch_add(1, Ordering::SeqCst) + 1;
                let _ = std::thread::Builder::new()
                    .name("ferry-settings".into())
                    .spawn(move || {
                        let _one_at_a_time = order.0.lock();
                        // A newer save has been asked for: it writes, this one need not.
                        if order.1.load(Ordering::SeqCst) != generation {
                            return;
                        }
                        if let Err(e) = file.update(|s| *s = new) {
                            inbox.send(UiEvent::Notice(Err(e.to_string())));
                        }
                    });
            }
        }
    }

    /// The settings' speed limits, to every connection at once (transfers running included).
    pub(super) fn apply_limits(&self) {
        self.prefs
            .limits
            .0
            .set(self.prefs.settings.download_limit_kib.saturating_mul(1024));
        self.prefs
            .limits
            .1
            .set(self.prefs.settings.upload_limit_kib.saturating_mul(1024));
    }
}
