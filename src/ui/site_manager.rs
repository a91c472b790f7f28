//! The Site Manager: the saved sites as a tree of folders, a form for every field, and the
//! actions FileZilla users expect (new, duplicate, rename, move, delete, import, connect).
//! Sites are saved to `sites.toml` (a small file, written atomically); passwords go to the
//! keychain on a worker thread, never to the file.

use std::path::PathBuf;
use std::time::Duration;

use egui::RichText;

use crate::client::Endpoint;
use crate::sites::store::SiteStore;
use crate::sites::{Logon, MaxTls, MinTls, Site, SiteSecurity, TransferMode};

use super::connection::{ConnectRequest, Login};

/// What the Site Manager asks the window to do.
pub(crate) enum SiteAction {
    Connect(Box<ConnectRequest>),
    /// Store (Some) or delete (None) the keychain entry of `path`, moving it from `old_path`.
    Password {
        path: String,
        old_path: Option<String>,
        password: Option<String>,
    },
    /// Pick a FileZilla sitemanager.xml in the desktop's file chooser and import it.
    ChooseImport,
    /// Import this FileZilla sitemanager.xml.
    Import(PathBuf),
    /// Change the site file (on a worker: it is disk I/O), then run `job.then`.
    Store(Box<StoreJob>),
    /// Read the site file (on a worker) and hand it to [`SiteManager::stored`].
    Load(PathBuf),
}

/// A change to the site file.
pub(crate) enum StoreChange {
    Add(Site),
    Replace { old: String, site: Site },
    Remove(String),
}

/// A change to make on a worker, and what follows when it worked.
pub(crate) struct StoreJob {
    /// A copy of the store to change (its `modify` re-reads the file under a lock).
    pub store: SiteStore,
    pub change: StoreChange,
    /// Shown when it worked.
    pub done: String,
    /// The site to show afterwards (None: the first one).
    pub select: Option<String>,
    /// Run after it worked (keychain entries, connecting).
    pub then: Vec<SiteAction>,
}

impl StoreJob {
    /// Carries out the change (disk I/O: call it on a worker).
    pub(crate) fn run(mut self) -> (Result<SiteStore, String>, StoreJobDone) {
        let result = match self.change {
            StoreChange::Add(site) => self.store.add(site),
            StoreChange::Replace { old, site } => self.store.replace(&old, site),
            StoreChange::Remove(path) => self.store.remove(&path).map(|_| ()),
        };
        let done = StoreJobDone {
            done: self.done,
            select: self.select,
            then: self.then,
        };
        (result.map(|()| self.store).map_err(|e| e.to_string()), done)
    }
}

/// What follows a [`StoreJob`] that worked.
pub(crate) struct StoreJobDone {
    pub done: String,
    pub select: Option<String>,
    pub then: Vec<SiteAction>,
}

/// The window's state.
pub(crate) struct SiteManager {
    store: Result<SiteStore, String>,
    /// The saved path of the site in the form; None: a new site not saved yet.
    editing: Option<String>,
    draft: Site,
    /// The folder field: `Work/Clients`.
    folder: String,
    password: String,
    /// The proxy password field; saved to the keychain entry of the proxy, not the site.
    proxy_password: String,
    /// The PKCS#12 certificate password field; saved to the keychain entry of the file.
    cert_password: String,
    port_text: String,
    confirm_delete: bool,
    pub message: Option<Result<String, String>>,
    keychain_note: Option<String>,
    /// A worker is reading or changing the site file: Save, Connect and Delete wait.
    busy: bool,
    /// The FileZilla import row is open, with this path of `sitemanager.xml` in its field.
    import_path: Option<String>,
    /// A new site to put in the form once the site file is read (quick connect's "Save as
    /// site"), with its password.
    pending_new: Option<(Site, String)>,
}

/// FileZilla's own `sitemanager.xml`, for the import row's field (empty: no home folder).
fn default_import_path() -> String {
    crate::sites::filezilla::default_sitemanager_path()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// Whether a certificate file's name says PKCS#12 (a password, no separate key). Decided by
/// name because the window reads no file on the UI thread; a PKCS#12 file named otherwise
/// still works with its password from the keychain or FERRY_CERT_PASSWORD.
fn is_pkcs12_name(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("p12") || e.eq_ignore_ascii_case("pfx"))
}

/// What the manager shows until the site file is read.
const LOADING: &str = "Reading the saved sites…";

impl SiteManager {
    /// Opens the manager on the site file at `path`; the window reads it on a worker (the
    /// returned action) and hands it over with [`SiteManager::stored`].
    pub(crate) fn open(
        path: Option<PathBuf>,
        keychain_note: Option<String>,
    ) -> (SiteManager, Option<SiteAction>) {
        let (store, load) = match path {
            Some(path) => (Err(LOADING.to_owned()), Some(SiteAction::Load(path))),
            None => (
                Err(
                    "This computer has no configuration folder for Ferry: sites cannot be saved."
                        .into(),
                ),
                None,
            ),
        };
        let manager = SiteManager {
            store,
            editing: None,
            draft: Site::new("New site", ""),
            folder: String::new(),
            password: String::new(),
            proxy_password: String::new(),
            cert_password: String::new(),
            port_text: String::new(),
            confirm_delete: false,
            message: None,
            keychain_note,
            busy: load.is_some(),
            import_path: None,
            pending_new: None,
        };
        (manager, load)
    }

    /// Reads the file again (after an import): the action for the window's worker.
    pub(crate) fn reload(&mut self) -> Option<SiteAction> {
        let path = self.store.as_ref().ok()?.path().to_owned();
        self.busy = true;
        Some(SiteAction::Load(path))
    }

    /// The site file as a worker read or changed it. `done` is None for a plain read.
    pub(crate) fn stored(
        &mut self,
        result: Result<SiteStore, String>,
        done: Option<&StoreJobDone>,
    ) {
        self.busy = false;
        let first_load = matches!(&self.store, Err(e) if e == LOADING);
        match result {
            Ok(store) => {
                self.store = Ok(store);
                let wanted = done.and_then(|d| d.select.clone()).or_else(|| {
                    (!first_load && done.is_none())
                        .then(|| self.editing.clone())
                        .flatten()
                });
                let site = wanted
                    .and_then(|path| self.sites().into_iter().find(|s| s.path() == path))
                    .or_else(|| self.sites().first().cloned());
                match site {
                    Some(site) => self.select(&site),
                    None => self.new_site(None),
                }
                if let Some((site, password)) = self.pending_new.take() {
                    self.create_from(site, password);
                }
                if let Some(done) = done {
                    self.message = Some(Ok(done.done.clone()));
                }
            }
            Err(e) if done.is_some() => self.message = Some(Err(e)),
            Err(e) => self.store = Err(e),
        }
    }

    /// Puts a new, unsaved site made elsewhere (quick connect) in the form: a name of its own
    /// among the saved ones, the password typed; Save keeps it.
    pub(crate) fn create_from(&mut self, mut site: Site, password: String) {
        if matches!(&self.store, Err(e) if e == LOADING) {
            self.pending_new = Some((site, password));
            return;
        }
        let base = site.name.clone();
        self.name_freely(&mut site, &base);
        self.select(&site);
        self.editing = None;
        self.password = password;
        self.message = Some(Ok(
            "A new site from quick connect: check it, then Save.".into()
        ));
    }

    fn sites(&self) -> Vec<Site> {
        self.store
            .as_ref()
            .map(|s| s.sites().to_vec())
            .unwrap_or_default()
    }

    fn select(&mut self, site: &Site) {
        self.editing = Some(site.path());
        self.draft = site.clone();
        self.folder = site.folder.join("/");
        self.password.clear();
        self.proxy_password.clear();
        self.cert_password.clear();
        self.port_text = if site.port == 0 {
            String::new()
        } else {
            site.port.to_string()
        };
        self.confirm_delete = false;
    }

    fn new_site(&mut self, template: Option<&Site>) {
        let mut site = template
            .cloned()
            .unwrap_or_else(|| Site::new("New site", ""));
        let base = if template.is_some() {
            format!("{} (copy)", site.name)
        } else {
            "New site".to_owned()
        };
        self.name_freely(&mut site, &base);
        self.select(&site);
        self.editing = None;
    }

    /// Names `site` `base`, or `base 2`, `base 3`… where a saved site has that path already.
    fn name_freely(&self, site: &mut Site, base: &str) {
        let taken: Vec<String> = self.sites().iter().map(Site::path).collect();
        site.name = base.to_owned();
        let mut n = 2;
        while taken.contains(&site.path()) {
            site.name = format!("{base} {n}");
            n += 1;
        }
    }

    /// Copies the form into the draft; an error names the bad field.
    fn form_to_site(&mut self) -> Result<Site, String> {
        let mut site = self.draft.clone();
        site.name = site.name.trim().to_owned();
        site.host = site.host.trim().to_owned();
        if site.client_cert.as_deref().is_some_and(is_pkcs12_name) {
            // The file holds its key; a key field left from a PEM certificate would be refused.
            site.client_key = None;
        }
        site.folder = self
            .folder
            .split('/')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        site.port = match self.port_text.trim() {
            "" => 0,
            text => text
                .parse()
                .map_err(|_| format!("Port “{text}” is not a number from 1 to 65535"))?,
        };
        site.proxy = match site.proxy.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => {
                let mut proxy =
                    crate::sites::url::parse_proxy(url).map_err(|e| format!("Proxy: {e}"))?;
                // A password typed into the URL goes to the keychain like the field's.
                if let Some(password) = proxy.password.take() {
                    self.proxy_password = password;
                }
                if site.transfer_mode == TransferMode::Active {
                    return Err(
                        "Active mode cannot work through a proxy; choose passive mode.".into(),
                    );
                }
                Some(proxy.to_string())
            }
        };
        Ok(site)
    }

    /// The job that saves the form (on a worker), with the keychain action to run after it.
    fn save(&mut self) -> Result<StoreJob, String> {
        let site = self.form_to_site()?;
        let store = self.store.as_ref().map_err(|e| e.clone())?.clone();
        let change = match &self.editing {
            Some(old) => StoreChange::Replace {
                old: old.clone(),
                site: site.clone(),
            },
            None => StoreChange::Add(site.clone()),
        };
        let old_path = self.editing.clone().filter(|old| *old != site.path());
        let path = site.path();
        let password = std::mem::take(&mut self.password);
        let keychain = match site.logon {
            Logon::Normal if !password.is_empty() || old_path.is_some() => {
                Some(SiteAction::Password {
                    path: path.clone(),
                    old_path,
                    password: (!password.is_empty()).then_some(password),
                })
            }
            Logon::Anonymous | Logon::AskPassword => Some(SiteAction::Password {
                path: path.clone(),
                old_path,
                password: None,
            }),
            Logon::Normal => None,
        };
        let proxy_password = std::mem::take(&mut self.proxy_password);
        let proxy_keychain = match site.proxy() {
            Ok(Some(proxy)) if proxy.user.is_some() && !proxy_password.is_empty() => {
                Some(SiteAction::Password {
                    path: crate::sites::secrets::proxy_account(&proxy),
                    old_path: None,
                    password: Some(proxy_password),
                })
            }
            _ => None,
        };
        let cert_password = std::mem::take(&mut self.cert_password);
        let cert_keychain = match &site.client_cert {
            Some(cert) if !cert_password.is_empty() => Some(SiteAction::Password {
                path: crate::sites::secrets::client_cert_account(cert),
                old_path: None,
                password: Some(cert_password),
            }),
            _ => None,
        };
        self.busy = true;
        Ok(StoreJob {
            store,
            change,
            done: format!("Saved {path}."),
            select: Some(path),
            then: keychain
                .into_iter()
                .chain(proxy_keychain)
                .chain(cert_keychain)
                .collect(),
        })
    }

    /// Draws the window. `open` becomes false when closed.
    pub(crate) fn ui(
        &mut self,
        ctx: &egui::Context,
        open: &mut bool,
        timeout: Duration,
    ) -> Vec<SiteAction> {
        let mut actions = Vec::new();
        egui::Window::new("Site Manager")
            .id(egui::Id::unique("site-manager"))
            .open(open)
            .default_size([760.0, 480.0])
            .collapsible(false)
            .show(ctx, |ui| {
                if let Err(e) = &self.store {
                    ui.colored_label(ui.visuals().error_fg_color, e.as_str());
                }
                if let Some(note) = &self.keychain_note {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!("No keychain, so passwords cannot be saved: Ferry asks for them when you connect ({note})."),
                    );
                }
                ui.horizontal_top(|ui| {
                    ui.vertical(|ui| {
                        ui.set_width(230.0);
                        self.ui_tree(ui);
                        ui.separator();
                        self.ui_tree_buttons(ui, &mut actions);
                    });
                    ui.separator();
                    ui.vertical(|ui| self.ui_form(ui, &mut actions, timeout));
                });
                if let Some(message) = &self.message {
                    ui.separator();
                    match message {
                        Ok(text) => ui.label(text.as_str()),
                        Err(text) => ui.colored_label(ui.visuals().error_fg_color, text.as_str()),
                    };
                }
            });
        actions
    }

    fn ui_tree(&mut self, ui: &mut egui::Ui) {
        let sites = self.sites();
        let mut chosen = None;
        egui::ScrollArea::vertical()
            .id_salt("site-tree")
            .max_height(320.0)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                if sites.is_empty() {
                    ui.weak("No saved sites yet.");
                }
                let mut current_folder: Option<Vec<String>> = None;
                for site in &sites {
                    if site.folder.is_empty() {
                        let selected = self.editing.as_deref() == Some(&site.path());
                        if ui
                            .selectable_label(selected, format!("🖧 {}", site.name))
                            .clicked()
                        {
                            chosen = Some(site.clone());
                        }
                        continue;
                    }
                    if current_folder.as_ref() != Some(&site.folder) {
                        current_folder = Some(site.folder.clone());
                        ui.label(RichText::new(format!("📁 {}", site.folder.join(" / "))).strong());
                    }
                    let selected = self.editing.as_deref() == Some(&site.path());
                    ui.indent(site.folder.join("/"), |ui| {
                        if ui
                            .selectable_label(selected, format!("🖧 {}", site.name))
                            .clicked()
                        {
                            chosen = Some(site.clone());
                        }
                    });
                }
            });
        if let Some(site) = chosen {
            self.select(&site);
        }
    }

    /// The import row: the path of FileZilla's `sitemanager.xml`, Import, or the file chooser.
    fn ui_import(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SiteAction>) {
        let Some(path) = &mut self.import_path else {
            return;
        };
        ui.separator();
        ui.label("FileZilla's sites (sitemanager.xml):");
        ui.add(
            egui::TextEdit::singleline(path)
                .hint_text("Path of sitemanager.xml")
                .desired_width(220.0),
        );
        let mut close = false;
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(!path.trim().is_empty(), egui::Button::new("Import"))
                .clicked()
            {
                actions.push(SiteAction::Import(PathBuf::from(path.trim())));
                close = true;
            }
            if ui.button("Choose file…").clicked() {
                actions.push(SiteAction::ChooseImport);
                close = true;
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
        if close {
            self.import_path = None;
        }
    }

    /// The file chooser closed without a file: say why that may be, and open the row again.
    pub(crate) fn import_not_chosen(&mut self) {
        self.message = Some(Err(
            "No file was chosen. If no file chooser opened, this desktop has no file-chooser service (xdg-desktop-portal or zenity): type the path of sitemanager.xml instead."
                .into(),
        ));
        self.import_path = Some(default_import_path());
    }

    fn ui_tree_buttons(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SiteAction>) {
        ui.horizontal_wrapped(|ui| {
            if ui.button("New site").clicked() {
                self.new_site(None);
                self.message = None;
            }
            if ui
                .add_enabled(self.editing.is_some(), egui::Button::new("Duplicate"))
                .clicked()
            {
                let template = self.draft.clone();
                self.new_site(Some(&template));
                self.message = Some(Ok("Duplicated: change what differs, then Save.".into()));
            }
            if ui
                .add_enabled(self.editing.is_some(), egui::Button::new("Delete"))
                .clicked()
            {
                self.confirm_delete = true;
            }
            if ui.button("Import from FileZilla…").clicked() {
                // FileZilla's own file, if it has one here; a field rather than only a file
                // chooser, which needs a desktop service (a portal or zenity) to open at all.
                self.import_path = Some(default_import_path());
            }
        });
        self.ui_import(ui, actions);
        if self.confirm_delete
            && let Some(path) = self.editing.clone()
        {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("Delete “{path}” and its saved password?"),
            );
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!self.busy, egui::Button::new("Yes, delete"))
                    .clicked()
                {
                    match self.store.as_ref() {
                        Ok(store) => {
                            self.busy = true;
                            actions.push(SiteAction::Store(Box::new(StoreJob {
                                store: store.clone(),
                                change: StoreChange::Remove(path.clone()),
                                done: format!("Deleted {path}."),
                                select: None,
                                then: vec![SiteAction::Password {
                                    path: path.clone(),
                                    old_path: None,
                                    password: None,
                                }],
                            })));
                        }
                        Err(e) => self.message = Some(Err(e.clone())),
                    }
                    self.confirm_delete = false;
                }
                if ui.button("Keep it").clicked() {
                    self.confirm_delete = false;
                }
            });
        }
    }

    fn ui_form(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SiteAction>, timeout: Duration) {
        egui::Grid::new("site-form")
            .num_columns(2)
            .spacing([10.0, 6.0])
            .show(ui, |ui| {
                text_row(ui, "Name", &mut self.draft.name, "Site name");
                text_row(
                    ui,
                    "Folder",
                    &mut self.folder,
                    "e.g. Work/Clients (empty: top level)",
                );
                text_row(ui, "Host", &mut self.draft.host, "ftp.example.com");
                text_row(ui, "Port", &mut self.port_text, "default for the mode");

                let label = ui.label("Encryption");
                egui::ComboBox::from_id_salt("site-security")
                    .selected_text(security_label(self.draft.security))
                    .show_ui(ui, |ui| {
                        for s in [
                            SiteSecurity::ExplicitTls,
                            SiteSecurity::ImplicitTls,
                            SiteSecurity::Plain,
                        ] {
                            ui.selectable_value(&mut self.draft.security, s, security_label(s));
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.end_row();

                let label = ui.label("Logon");
                let keychain = self.keychain_note.is_none();
                egui::ComboBox::from_id_salt("site-logon")
                    .selected_text(logon_label(self.draft.logon, keychain))
                    .show_ui(ui, |ui| {
                        for l in [Logon::Normal, Logon::AskPassword, Logon::Anonymous] {
                            let text = logon_label(l, keychain);
                            ui.selectable_value(&mut self.draft.logon, l, text);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.end_row();

                if self.draft.logon != Logon::Anonymous {
                    text_row(ui, "User", &mut self.draft.user, "User name");
                    let label = ui.label("Password");
                    let hint = match self.draft.logon {
                        // Without a keychain nothing was saved: the password is asked for.
                        Logon::Normal if self.keychain_note.is_some() => {
                            "asked when connecting (no keychain)"
                        }
                        Logon::Normal => "unchanged (saved in the keychain)",
                        _ => "asked at every connection",
                    };
                    ui.add(
                        egui::TextEdit::singleline(&mut self.password)
                            .password(true)
                            .hint_text(hint),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                }

                let label = ui.label("Transfer mode");
                ui.horizontal(|ui| {
                    ui.selectable_value(
                        &mut self.draft.transfer_mode,
                        TransferMode::Passive,
                        "Passive",
                    );
                    ui.selectable_value(
                        &mut self.draft.transfer_mode,
                        TransferMode::Active,
                        "Active",
                    );
                })
                .response
                .labelled_by(label.id);
                ui.end_row();

                let label = ui.label("Max. connections");
                ui.add(egui::Slider::new(&mut self.draft.max_connections, 1..=10))
                    .labelled_by(label.id);
                ui.end_row();

                // As FileZilla's "Adjust server time": LIST times in the server's zone.
                let label = ui.label("Server time offset");
                super::compare::ui_offset_field(
                    ui,
                    &mut self.draft.time_offset_minutes,
                    label.id,
                );
                ui.end_row();

                let label = ui.label("TLS versions");
                ui.horizontal(|ui| {
                    let mut versions = (self.draft.min_tls, self.draft.max_tls);
                    for (choice, text) in [
                        ((MinTls::Tls12, MaxTls::Tls13), "1.2 and 1.3"),
                        ((MinTls::Tls12, MaxTls::Tls12), "1.2 only"),
                        ((MinTls::Tls13, MaxTls::Tls13), "1.3 only"),
                    ] {
                        ui.selectable_value(&mut versions, choice, text);
                    }
                    (self.draft.min_tls, self.draft.max_tls) = versions;
                })
                .response
                .labelled_by(label.id);
                ui.end_row();

                ui.label("");
                ui.checkbox(
                    &mut self.draft.ccc,
                    "Clear the control channel after login (CCC)",
                )
                .on_hover_text(
                    "For firewalls and NATs that must read the control connection to open data ports. The password goes over TLS before; files stay encrypted.",
                );
                ui.end_row();
                path_row(
                    ui,
                    "Client certificate",
                    &mut self.draft.client_cert,
                    "none (PEM or .p12/.pfx, for servers that require one)",
                );
                match self.draft.client_cert.as_deref().map(is_pkcs12_name) {
                    Some(true) => {
                        let label = ui.label("Certificate password");
                        ui.add(
                            egui::TextEdit::singleline(&mut self.cert_password)
                                .password(true)
                                .hint_text("unchanged (saved in the keychain)")
                                .desired_width(300.0),
                        )
                        .labelled_by(label.id);
                        ui.end_row();
                    }
                    Some(false) => path_row(
                        ui,
                        "Client key",
                        &mut self.draft.client_key,
                        "in the certificate file",
                    ),
                    None => {}
                }
                let mut remote = self.draft.remote_dir.clone().unwrap_or_default();
                text_row(ui, "Remote folder", &mut remote, "login folder");
                self.draft.remote_dir = Some(remote).filter(|s| !s.trim().is_empty());
                let mut proxy = self.draft.proxy.clone().unwrap_or_default();
                text_row(
                    ui,
                    "Proxy",
                    &mut proxy,
                    "none (socks5://user@host:1080 or http://host:3128)",
                );
                self.draft.proxy = Some(proxy).filter(|s| !s.is_empty());
                if self
                    .draft
                    .proxy
                    .as_deref()
                    .is_some_and(|url| url.contains('@'))
                {
                    let label = ui.label("Proxy password");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.proxy_password)
                            .password(true)
                            .hint_text("unchanged (saved in the keychain)"),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                }
                path_row(ui, "Local folder", &mut self.draft.local_dir, "unchanged");
                text_row(ui, "Notes", &mut self.draft.notes, "");
            });
        if self.draft.security.is_insecure() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "⚠ Plain FTP: the password and all files travel unencrypted.",
            );
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let idle = !self.busy;
            if ui.add_enabled(idle, egui::Button::new("Save")).clicked() {
                match self.save() {
                    Ok(job) => actions.push(SiteAction::Store(Box::new(job))),
                    Err(e) => self.message = Some(Err(e)),
                }
            }
            let connect = egui::Button::new(RichText::new("Connect").strong());
            if ui.add_enabled(idle, connect).clicked() {
                let typed = self.password.clone();
                let draft = self.draft.clone();
                match self.save() {
                    Ok(mut job) => {
                        let request = request_for_site(
                            &draft,
                            Some(typed).filter(|p| !p.is_empty()),
                            timeout,
                        );
                        match request {
                            Ok(request) => {
                                job.then.push(SiteAction::Connect(Box::new(request)));
                                actions.push(SiteAction::Store(Box::new(job)));
                            }
                            Err(e) => {
                                self.busy = false;
                                self.message = Some(Err(e));
                            }
                        }
                    }
                    Err(e) => self.message = Some(Err(e)),
                }
            }
        });
    }
}

/// A row with a path field; an empty field is no path.
fn path_row(ui: &mut egui::Ui, label: &str, path: &mut Option<PathBuf>, hint: &str) {
    let mut text = path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    text_row(ui, label, &mut text, hint);
    // Not trimmed: this runs every frame, and a space typed before the next word would go.
    *path = Some(PathBuf::from(text)).filter(|p| !p.as_os_str().is_empty());
}

fn text_row(ui: &mut egui::Ui, name: &str, value: &mut String, hint: &str) {
    let label = ui.label(name);
    ui.add(
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(300.0),
    )
    .labelled_by(label.id);
    ui.end_row();
}

pub(crate) fn security_label(s: SiteSecurity) -> &'static str {
    match s {
        SiteSecurity::ExplicitTls => "Explicit FTPS (AUTH TLS)",
        SiteSecurity::ImplicitTls => "Implicit FTPS (port 990)",
        SiteSecurity::Plain => "Plain FTP (insecure)",
    }
}

/// The Logon choice as shown; without a keychain "Normal" cannot keep the password, so it
/// does not promise to.
fn logon_label(l: Logon, keychain: bool) -> &'static str {
    match l {
        Logon::Normal if keychain => "Normal (password in keychain)",
        Logon::Normal => "Normal (no keychain: asked when connecting)",
        Logon::AskPassword => "Ask for password",
        Logon::Anonymous => "Anonymous",
    }
}

/// The connection request for a saved site; `typed` is a password the user just entered.
pub(crate) fn request_for_site(
    site: &Site,
    typed: Option<String>,
    timeout: Duration,
) -> Result<ConnectRequest, String> {
    if site.host.trim().is_empty() {
        return Err("The site has no host.".into());
    }
    let mut endpoint = Endpoint::new(
        site.host.clone(),
        site.effective_port(),
        site.security.to_security(),
    );
    endpoint.ca_file = site.ca_file.clone();
    endpoint.client_identity = site.client_identity();
    endpoint.tls12_only = site.max_tls == MaxTls::Tls12;
    endpoint.tls13_only = site.min_tls == MinTls::Tls13;
    endpoint.clear_control = site.ccc;
    endpoint.active = site.transfer_mode == TransferMode::Active;
    endpoint.timeout = timeout;
    endpoint.proxy = site.proxy()?;
    if endpoint.proxy.is_some() && endpoint.active {
        return Err(
            "Active mode cannot work through a proxy; choose passive mode for this site.".into(),
        );
    }
    let login = match (site.logon, typed) {
        (Logon::Anonymous, _) => Login::Anonymous,
        (_, Some(password)) => Login::Password {
            user: site.user.clone(),
            password,
        },
        (Logon::Normal, None) => Login::Keychain {
            user: site.user.clone(),
            site_path: site.path(),
        },
        // The window asks in a dialog when the connecting thread finds no password.
        (Logon::AskPassword, None) => Login::Ask {
            user: site.user.clone(),
        },
    };
    Ok(ConnectRequest {
        endpoint,
        login,
        label: site.path(),
        remote_dir: site.remote_dir.clone(),
        local_dir: site.local_dir.clone(),
        max_connections: Some(usize::from(site.max_connections.max(1))),
        plain_confirmed: false,
        site: Some(site.path()),
        time_offset_minutes: site.time_offset_minutes,
    })
}
