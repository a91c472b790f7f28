//! The Sites menu, the Site Manager's actions (disk and keychain on workers), and the
//! FileZilla import.

use super::*;

/// The Site Manager (while open) and the Sites menu's list.
#[derive(Default)]
pub(super) struct Sites {
    pub manager: Option<SiteManager>,
    pub manager_open: bool,
    /// The Sites menu's list, and when it was read.
    pub menu: Option<(Instant, Vec<Site>)>,
    /// A worker is reading the sites for the menu.
    pub menu_loading: bool,
}

impl FerryApp {
    pub(super) fn import_filezilla(&mut self, path: PathBuf) {
        let Some(sites_file) = self.sites_file() else {
            return;
        };
        let keychain = self.env.keychain.clone();
        let inbox = self.inbox.clone();
        let _ = std::thread::Builder::new()
            .name("ferry-import".into())
            .spawn(move || {
                let result = import_file(&path, &sites_file, &keychain);
                inbox.send(UiEvent::Notice(result));
            });
    }

    pub(super) fn sites_file(&self) -> Option<PathBuf> {
        self.env.config_dir.as_ref().map(|d| d.join("sites.toml"))
    }

    pub(super) fn ui_sites_menu(&mut self, ui: &mut egui::Ui) {
        let mut chosen: Option<Site> = None;
        let mut open_manager = false;
        ui.menu_button("Sites ⏷", |ui| {
            if ui.button("Site Manager…").clicked() {
                open_manager = true;
                ui.close();
            }
            if ui.button("New tab (Ctrl+T)").clicked() {
                self.new_tab();
                ui.close();
            }
            ui.separator();
            // Read once when the menu opens, not on every frame it stays open.
            let stale = self
                .sites
                .menu
                .as_ref()
                .is_none_or(|(at, _)| at.elapsed() > Duration::from_secs(2));
            if stale && !self.sites.menu_loading {
                // Read on a worker; the menu shows what it had until the answer comes.
                self.sites.menu_loading = true;
                let file = self.sites_file();
                let inbox = self.inbox.clone();
                let _ = std::thread::Builder::new()
                    .name("ferry-sites-menu".into())
                    .spawn(move || {
                        let sites = file
                            .and_then(|p| SiteStore::load(&p).ok())
                            .map(|s| s.sites().to_vec())
                            .unwrap_or_default();
                        inbox.send(UiEvent::MenuSites(sites));
                    });
            }
            let sites = self
                .sites
                .menu
                .as_ref()
                .map(|(_, s)| s.clone())
                .unwrap_or_default();
            if sites.is_empty() {
                ui.weak("No saved sites");
            }
            // Top-level sites first, then one submenu per folder (sites are sorted by folder).
            let mut i = 0;
            while i < sites.len() {
                let folder = sites[i].folder.clone();
                let end = sites[i..]
                    .iter()
                    .position(|s| s.folder != folder)
                    .map_or(sites.len(), |n| i + n);
                let group = &sites[i..end];
                if folder.is_empty() {
                    for site in group {
                        if ui.button(&site.name).clicked() {
                            chosen = Some(site.clone());
                            ui.close();
                        }
                    }
                } else {
                    ui.menu_button(format!("📁 {}", folder.join(" / ")), |ui| {
                        for site in group {
                            if ui.button(&site.name).clicked() {
                                chosen = Some(site.clone());
                                ui.close();
                            }
                        }
                    });
                }
                i = end;
            }
        });
        if open_manager {
            self.open_site_manager();
        }
        if let Some(site) = chosen {
            let timeout = Duration::from_secs(self.prefs.settings.timeout_seconds);
            match site_manager::request_for_site(&site, None, timeout) {
                Ok(request) => self.open_connection(request),
                Err(e) => {
                    self.open_site_manager();
                    self.report(Err(e));
                }
            }
        }
    }

    pub(super) fn open_site_manager(&mut self) {
        if self.sites.manager.is_none() {
            let (manager, load) = SiteManager::open(
                self.sites_file(),
                self.env.keychain.unavailable_reason().map(str::to_owned),
            );
            self.sites.manager = Some(manager);
            self.run_site_actions(load.into_iter().collect());
        }
        self.sites.manager_open = true;
    }

    /// Carries out what the Site Manager asked for; disk and keychain work on workers.
    pub(super) fn run_site_actions(&mut self, actions: Vec<SiteAction>) {
        for action in actions {
            match action {
                SiteAction::Connect(request) => {
                    self.sites.manager_open = false;
                    self.open_connection(*request);
                }
                SiteAction::Password {
                    path,
                    old_path,
                    password,
                } => {
                    let keychain = self.env.keychain.clone();
                    let inbox = self.inbox.clone();
                    let _ = self.keychain_jobs.send(Box::new(move || {
                        let result = save_password(
                            &keychain,
                            &path,
                            old_path.as_deref(),
                            password.as_deref(),
                        );
                        if let Err(e) = result {
                            inbox.send(UiEvent::Notice(Err(e)));
                        }
                    }));
                }
                SiteAction::Store(job) => {
                    let inbox = self.inbox.clone();
                    let _ = std::thread::Builder::new()
                        .name("ferry-sites".into())
                        .spawn(move || {
                            let (result, done) = job.run();
                            inbox.send(UiEvent::SiteStore {
                                result,
                                done: Some(done),
                            });
                        });
                }
                SiteAction::Load(path) => {
                    let inbox = self.inbox.clone();
                    let _ = std::thread::Builder::new()
                        .name("ferry-sites".into())
                        .spawn(move || {
                            let result = SiteStore::load(&path).map_err(|e| e.to_string());
                            inbox.send(UiEvent::SiteStore { result, done: None });
                        });
                }
                SiteAction::Import(path) => self.import_filezilla(path),
                SiteAction::ChooseImport => {
                    let inbox = self.inbox.clone();
                    let _ = std::thread::Builder::new()
                        .name("ferry-file-dialog".into())
                        .spawn(move || {
                            let picked = pollster::block_on(
                                rfd::AsyncFileDialog::new()
                                    .set_title("Import FileZilla sites")
                                    .add_filter("FileZilla sitemanager.xml", &["xml"])
                                    .pick_file(),
                            );
                            inbox.send(UiEvent::ImportFile(picked.map(|f| f.path().to_owned())));
                        });
                }
            }
        }
    }
}

/// Saves, moves or deletes a keychain entry (on a worker thread).
fn save_password(
    keychain: &Keychain,
    path: &str,
    old_path: Option<&str>,
    password: Option<&str>,
) -> Result<(), String> {
    if !keychain.is_available() {
        return Ok(());
    }
    if let Some(old) = old_path {
        if password.is_none() {
            keychain.rename(old, path).map_err(|e| e.to_string())?;
        } else {
            keychain.delete(old).map_err(|e| e.to_string())?;
        }
    }
    match password {
        Some(p) => keychain.set(path, p).map_err(|e| e.to_string()),
        None if old_path.is_none() => keychain.delete(path).map_err(|e| e.to_string()),
        None => Ok(()),
    }
}

/// Imports a FileZilla sitemanager.xml (on a worker thread).
fn import_file(xml: &Path, sites_file: &Path, keychain: &Keychain) -> Result<String, String> {
    let report = crate::sites::filezilla::read_sitemanager(xml)
        .map_err(|e| format!("{}: {e}", xml.display()))?;
    let mut store = SiteStore::load(sites_file).map_err(|e| e.to_string())?;
    let passwords: Vec<Option<String>> = report.sites.iter().map(|s| s.password.clone()).collect();
    let outcomes = store
        .add_many(report.sites.into_iter().map(|s| s.site).collect())
        .map_err(|e| e.to_string())?;
    let added = outcomes.iter().filter(|(_, r)| r.is_ok()).count();
    let mut saved = 0;
    // Only the sites added get a password: an existing site's saved password is never replaced.
    for ((site, result), password) in outcomes.iter().zip(passwords) {
        let path = site.path();
        if result.is_ok()
            && let Some(password) = password
            && keychain.is_available()
            && keychain.set(&path, &password).is_ok()
        {
            saved += 1;
        }
    }
    Ok(format!(
        "Imported {added} site(s) from {} ({saved} password(s) saved to the keychain, {} skipped).",
        xml.display(),
        outcomes.len() - added + report.skipped.len()
    ))
}

impl FerryApp {
    /// Changes the saved site `site_path` on a worker (it reads and writes the sites file):
    /// `change` edits it and says what to report, or None when there is nothing to save. A
    /// failure, or the report, comes back as a notice (which also makes the Sites menu read
    /// the file again).
    pub(super) fn update_site_in_background(
        &mut self,
        site_path: String,
        change: impl FnOnce(&mut Site) -> Option<String> + Send + 'static,
    ) {
        let Some(file) = self.sites_file() else {
            return self.report(Err(
                "Ferry has no configuration folder: sites cannot be saved.".into(),
            ));
        };
        // Not read again before the change is saved.
        self.sites.menu = None;
        let inbox = self.inbox.clone();
        let _ = std::thread::Builder::new()
            .name("ferry-sites".into())
            .spawn(move || {
                let result = (|| {
                    let mut store = SiteStore::load(&file).map_err(|e| e.to_string())?;
                    let mut site = store.find(&site_path).map_err(|e| e.to_string())?.clone();
                    let Some(done) = change(&mut site) else {
                        return Ok(None);
                    };
                    store.replace(&site_path, site).map_err(|e| e.to_string())?;
                    Ok(Some(done))
                })();
                match result {
                    Ok(None) => {}
                    Ok(Some(text)) => {
                        inbox.send(UiEvent::Notice(Ok(text)));
                    }
                    Err(e) => {
                        inbox.send(UiEvent::Notice(Err(e)));
                    }
                }
            });
    }
}
