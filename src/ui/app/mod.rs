//! The window: panels laid out each frame, worker reports drained from the inbox at the start
//! of the frame, and the user's actions carried out at the end of it. Nothing here blocks:
//! sockets, keychain and folder walks live on worker threads (see [`super::connection`]).
//! The window's work is split by concern, one file each: connecting, browsing (the panes),
//! drops, panels, answers (dialogs), sites, prefs, comparing (compare mode, synchronized
//! browsing, the Synchronize dialog), watching (keep the server up to date).

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui::{Align, Layout, RichText};

use crate::ftp::{LogKind, ProtocolLog, Security, path as remote_path};
use crate::persist::TomlFile;
use crate::sites::store::SiteStore;
use crate::sites::{Keychain, Site};
use crate::tls::{PinStore, Trust};
use crate::transfer::{
    BrowseRequest, BrowseResult, Command, Direction, Event, ItemState, NewItem, SpeedLimit, names,
};

mod answers;
mod browsing;
mod comparing;
mod connecting;
mod diagnosing;
mod drops;
mod editing;
mod finding;
mod panels;
mod prefs;
mod sites;
mod tabs;
mod watching;

use super::connection::{
    self, ConnectRequest, EngineSetup, Live, LogLine, Login, Outcome, WindowLog,
};
use super::dialogs::{self, Choice, Dialog};
use super::files::FileRow;
use super::inbox::{Inbox, UiEvent};
use super::layout;
use super::log_view::LogView;
use super::pane::{DraggedRows, Pane, PaneAction, Side};
use super::queue_view::QueueView;
use super::quick_connect::{QuickAction, QuickConnect};
use super::settings::{self, Settings};
use super::shortcuts::{self, Shortcut};
use super::site_manager::{self, SiteAction, SiteManager};
use super::spinner::ui_spinner;

/// Where the window keeps its files and finds its keychain. Tests give their own.
#[derive(Clone)]
pub struct AppEnv {
    /// Settings, sites and pins; None: nothing is saved.
    pub config_dir: Option<PathBuf>,
    /// The transfer queues.
    pub data_dir: Option<PathBuf>,
    /// Where passwords go.
    pub keychain: Keychain,
    /// The local pane's first folder.
    pub local_dir: PathBuf,
    /// Opens a file with its default program (View/Edit).
    pub opener: super::external::Opener,
}

impl AppEnv {
    /// The real thing: the platform's folders and keychain, the home folder. Finding the
    /// keychain may talk to D-Bus, so the window calls this before it opens.
    pub fn from_system() -> AppEnv {
        AppEnv {
            config_dir: crate::paths::config_dir(),
            data_dir: crate::paths::data_dir(),
            keychain: Keychain::platform(),
            local_dir: home_dir(),
            opener: super::external::system_opener(),
        }
    }
}

fn home_dir() -> PathBuf {
    directories::UserDirs::new()
        .map(|d| d.home_dir().to_owned())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// What a browse request was for.
enum Purpose {
    List(String),
    /// mkdir/rename/delete: refresh after, report failure.
    Change(String),
    /// A folder transfer being planned.
    Plan,
    /// The search window's search (several answers).
    Find,
    /// The Synchronize dialog's comparison.
    SyncPreview,
    /// The Synchronize dialog's changes.
    SyncApply,
    /// Detecting the server's time offset for compare mode.
    TimeOffset,
    /// A folder that appeared in a watched folder, planned for upload (overwriting).
    KeepUpToDate,
}

/// A line under the toolbar: connection state and errors.
struct Status {
    text: String,
    error: bool,
    /// Offer "Retry" (a failed connection).
    retry: bool,
}

/// A dialog, and the tab it belongs to (its answer is carried out there).
struct Asked {
    tab: tabs::TabId,
    dialog: Dialog,
}

/// Work for the keychain thread.
type KeychainJob = Box<dyn FnOnce() + Send>;

/// The Ferry window.
pub struct FerryApp {
    /// One thread runs every keychain job in order, so a connection started right after
    /// "Save" reads the password that save wrote (keychain calls can take seconds).
    keychain_jobs: std::sync::mpsc::Sender<KeychainJob>,
    env: AppEnv,
    inbox: Inbox,
    events: Receiver<UiEvent>,
    trust: Arc<Trust>,
    log_sink: Arc<dyn ProtocolLog>,
    /// The settings, their file and window, the speed limits they set.
    prefs: prefs::Prefs,
    quick: QuickConnect,
    /// The tab shown: its connection, panes, queue.
    tab: tabs::Tab,
    /// The other tabs (in no order: `tab_order` is the strip's).
    background: Vec<tabs::Tab>,
    tab_order: Vec<tabs::TabId>,
    next_tab: tabs::TabId,
    /// Connection attempts are numbered across tabs, so a report finds its tab.
    next_attempt: u64,
    /// Passwords typed into the password dialog with "remember for this session", by site;
    /// in memory only, gone when Ferry quits.
    session_passwords: HashMap<String, String>,
    log: LogView,
    /// The modal dialog shown, and those waiting behind it.
    dialog: Option<Asked>,
    questions: VecDeque<Asked>,
    /// The Site Manager and the Sites menu.
    sites: sites::Sites,
    /// Files opened with View/Edit.
    edits: editing::Edits,
    title: String,
    /// The system fonts were added as fallbacks (on the first frame: that needs the context).
    fonts_installed: bool,
    /// Which of the queue and the log are open.
    folds: layout::Folds,
    /// The user chose "Quit anyway": the next close request goes through.
    quit_confirmed: bool,
    /// The connection doctor's window, when open.
    doctor: Option<crate::ui::doctor::DoctorWindow>,
}

impl FerryApp {
    /// A window over `env`. Reads settings and pins (small files); starts listing the local
    /// folder on a worker thread.
    pub fn new(env: AppEnv) -> FerryApp {
        let (inbox, events) = Inbox::new();
        let log_sink: Arc<dyn ProtocolLog> = Arc::new(WindowLog::new(inbox.clone()));
        let mut notes = Vec::new();
        if let Some(dir) = &env.config_dir
            && let Err(e) = crate::persist::create_private_dir_all(dir)
        {
            notes.push(format!(
                "Cannot create {}: {e}. Nothing will be saved.",
                dir.display()
            ));
        }
        let settings_file = env
            .config_dir
            .as_ref()
            .map(|d| Arc::new(TomlFile::<Settings>::new(d.join("settings.toml"))));
        // Read before the first frame (the window needs them to open at all).
        let settings = match settings_file.as_deref().map(TomlFile::read) {
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                notes.push(e.to_string());
                Settings::default()
            }
            None => Settings::default(),
        };
        let pins = match env
            .config_dir
            .as_ref()
            .map(|d| PinStore::load(&d.join("pins.toml")))
        {
            Some(Ok(store)) => Some(store),
            Some(Err(e)) => {
                notes.push(format!(
                    "{e}. Certificate decisions last only this session."
                ));
                None
            }
            None => None,
        };
        let (keychain_jobs, jobs) = std::sync::mpsc::channel::<KeychainJob>();
        let _ = std::thread::Builder::new()
            .name("ferry-keychain".into())
            .spawn(move || {
                while let Ok(job) = jobs.recv() {
                    job();
                }
            });
        let mut app = FerryApp {
            keychain_jobs,
            trust: Arc::new(Trust::new(pins)),
            inbox,
            events,
            log_sink,
            prefs: prefs::Prefs::new(settings, settings_file),
            quick: QuickConnect::default(),
            sites: sites::Sites::default(),
            edits: editing::Edits::default(),
            tab: tabs::Tab::new(1),
            background: Vec::new(),
            tab_order: vec![1],
            next_tab: 1,
            next_attempt: 0,
            session_passwords: HashMap::new(),
            log: LogView::default(),
            dialog: None,
            questions: VecDeque::new(),
            title: String::new(),
            fonts_installed: false,
            folds: layout::Folds::default(),
            quit_confirmed: false,
            doctor: None,
            env,
        };
        if !notes.is_empty() {
            app.tab.status = Some(Status {
                text: notes.join(" "),
                error: true,
                retry: false,
            });
        }
        app.apply_limits();
        let start = app.env.local_dir.to_string_lossy().into_owned();
        app.list_local(&start);
        app
    }

    /// Draws one frame. eframe calls it through [`eframe::App::ui`]; tests call it directly.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.inbox.set_context(&ctx);
        if !std::mem::replace(&mut self.fonts_installed, true) {
            super::fonts::install_system_fallbacks(&ctx);
        }
        if self.prefs.applied_theme != Some(self.prefs.settings.theme) {
            ctx.set_theme(self.prefs.settings.theme.preference());
            self.prefs.applied_theme = Some(self.prefs.settings.theme);
        }
        self.drain_inbox();
        self.auto_refresh();
        let mut actions: Vec<(Side, PaneAction)> = Vec::new();
        if self.dialog.is_none() && !ctx.egui_wants_keyboard_input() {
            self.keyboard(&ctx, &mut actions);
        }

        egui::Panel::top("toolbar").show(ui, |ui| {
            ui.add_space(4.0);
            self.ui_toolbar(ui);
            ui.add_space(2.0);
        });
        if self.tab_order.len() > 1 {
            egui::Panel::top("tab-strip").show(ui, |ui| self.ui_tab_strip(ui));
        }
        self.update_marks();
        if self.tab.compare.on && self.tab.conn.live.is_some() {
            egui::Panel::top("compare-bar").show(ui, |ui| self.ui_compare_bar(ui));
        }
        egui::Panel::bottom("status-bar").show(ui, |ui| self.ui_status_bar(ui));
        self.ui_bottom_panels(ui);
        let remote_label = if self.tab.conn.live.is_some() {
            format!("the server folder {}", self.tab.remote.path)
        } else {
            "the server (connect first)".to_owned()
        };
        let local_label = format!("the local folder {}", self.tab.local.path);
        let pane_frame = egui::Frame::central_panel(ui.style()).inner_margin(6.0);
        // The remote pane keeps the same minimum as the local one (a narrow or zoomed window).
        let width = ui.available_width();
        let min_pane = layout::MIN_PANE_WIDTH.min(width / 2.0);
        egui::Panel::left("local-pane")
            .frame(pane_frame)
            .resizable(true)
            .default_size(width / 2.0)
            .min_size(min_pane)
            .max_size(width - min_pane)
            .show(ui, |ui| {
                let active = self.tab.active == Side::Local;
                for a in self.tab.local.ui(ui, active, &remote_label) {
                    actions.push((Side::Local, a));
                }
            });
        egui::CentralPanel::default()
            .frame(pane_frame)
            .show(ui, |ui| {
                let active = self.tab.active == Side::Remote;
                for a in self.tab.remote.ui(ui, active, &local_label) {
                    actions.push((Side::Remote, a));
                }
            });
        self.os_file_drop(&ctx);
        self.ui_drag_ghost(&ctx);

        for (side, action) in actions {
            self.apply(side, action, &ctx);
        }
        self.check_close(&ctx);
        self.ui_dialogs(&ctx);
        self.ui_sync_dialog(&ctx);
        self.ui_windows(&ctx);
        self.ui_search(&ctx);
        self.ui_doctor(&ctx);
        self.update_title(&ctx);
    }

    fn drain_inbox(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            match event {
                UiEvent::Connect(attempt, outcome) => match self.tab_of_attempt(attempt) {
                    Some(tab) => {
                        self.with_tab(tab, |app| app.connected(outcome));
                    }
                    None => {
                        // Cancelled (or its tab closed): a session that got through anyway
                        // is closed again.
                        if let Outcome::Connected(live) = outcome {
                            connection::shut_down(*live);
                        }
                    }
                },
                UiEvent::Browse { tab, id, result } => {
                    self.with_tab(tab, |app| app.browse_result(id, result));
                }
                UiEvent::Engine { tab, event } => {
                    self.with_tab(tab, |app| app.engine_event(event));
                }
                UiEvent::LocalListing {
                    tab,
                    id,
                    path,
                    rows,
                } => {
                    self.with_tab(tab, |app| app.local_listing(id, &path, rows));
                }
                UiEvent::Log(line) => self.log.push(line),
                UiEvent::Diagnosed(result) => {
                    if let Some(window) = &mut self.doctor {
                        window.result = Some(result);
                    }
                }
                UiEvent::Notice(result) => {
                    // Notices often follow a change of the sites file: the menu reads it again.
                    self.sites.menu = None;
                    self.report(result.clone());
                    if let Some(manager) = &mut self.sites.manager {
                        let reload = manager.reload();
                        manager.message = Some(result);
                        self.run_site_actions(reload.into_iter().collect());
                    }
                }
                UiEvent::LocalChanged { tab, result } => {
                    self.with_tab(tab, |app| {
                        if let Err(e) = result {
                            app.report(Err(e));
                        }
                        let path = app.tab.local.path.clone();
                        app.list_local(&path);
                    });
                }
                UiEvent::ImportFile(Some(path)) => self.import_filezilla(path),
                UiEvent::ImportFile(None) => {
                    if let Some(manager) = &mut self.sites.manager {
                        manager.import_not_chosen();
                    }
                }
                UiEvent::Dropped {
                    tab,
                    remote_dir,
                    files,
                } => {
                    self.with_tab(tab, |app| app.dropped_files(&remote_dir, files));
                }
                UiEvent::SiteStore { result, done } => {
                    // The menu reads the file again next time it opens.
                    self.sites.menu = None;
                    let worked = result.is_ok();
                    if let Some(manager) = &mut self.sites.manager {
                        manager.stored(result, done.as_ref());
                    }
                    if worked && let Some(done) = done {
                        self.run_site_actions(done.then);
                    }
                }
                UiEvent::EditReady {
                    tab,
                    server,
                    item,
                    local,
                } => {
                    self.with_tab(tab, |app| app.edit_ready(server, *item, local));
                }
                UiEvent::ExternalChange(local) => self.external_change(local),
                UiEvent::Watched { tab, watch, change } => {
                    self.with_tab(tab, |app| app.watched(watch, change));
                }
                UiEvent::MenuSites(sites) => {
                    self.sites.menu = Some((Instant::now(), sites));
                    self.sites.menu_loading = false;
                }
            }
        }
    }

    fn report(&mut self, result: Result<String, String>) {
        let (text, error) = match result {
            Ok(t) => (t, false),
            Err(t) => (t, true),
        };
        self.log.push(LogLine::now(
            if error { LogKind::Error } else { LogKind::Info },
            text.clone(),
        ));
        self.tab.status = Some(Status {
            text,
            error,
            retry: false,
        });
    }

    /// Shows `dialog` now, or after the one open; its answer is carried out in this tab.
    fn ask(&mut self, dialog: Dialog) {
        let asked = Asked {
            tab: self.tab.id,
            dialog,
        };
        if self.dialog.is_none() {
            self.dialog = Some(asked);
        } else {
            self.questions.push_back(asked);
        }
    }

    /// A local folder read for this tab's pane (the latest request only).
    fn local_listing(&mut self, id: u64, path: &Path, rows: Result<Vec<FileRow>, String>) {
        if id != self.tab.latest_local_list {
            return;
        }
        self.tab.local.loading = false;
        match rows {
            Ok(rows) => self.tab.local.show_folder(&path.to_string_lossy(), rows),
            Err(e) if self.unlink_after_failure(&path.to_string_lossy(), &e) => {
                self.tab.local.path_edit = self.tab.local.path.clone();
            }
            Err(e) => {
                self.tab.local.error = Some(e);
                self.tab.local.path_edit = self.tab.local.path.clone();
            }
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = match &self.tab.conn.live {
            Some(live) => format!("Ferry — {}", live.label),
            None => "Ferry".to_owned(),
        };
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }
}

impl eframe::App for FerryApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // Workers save the queue and quit their sessions; do not make the user wait for it.
        for tab in std::iter::once(&mut self.tab).chain(&mut self.background) {
            if let Some(live) = tab.conn.live.take() {
                connection::shut_down(live);
            }
        }
    }
}
