//! The window: panels laid out each frame, worker reports drained from the inbox at the start
//! of the frame, and the user's actions carried out at the end of it. Nothing here blocks:
//! sockets, keychain and folder walks live on worker threads (see [`super::connection`]).

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
}

/// A line under the toolbar: connection state and errors.
struct Status {
    text: String,
    error: bool,
    /// Offer "Retry" (a failed connection).
    retry: bool,
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
    settings: Settings,
    settings_file: Option<Arc<TomlFile<Settings>>>,
    /// Orders the settings saves the workers make: only the newest is written.
    settings_saves: Arc<(Mutex<()>, AtomicU64)>,
    settings_open: bool,
    applied_theme: Option<settings::Theme>,
    quick: QuickConnect,
    live: Option<Live>,
    connecting: Option<String>,
    /// The number of the latest connection attempt: reports of older ones (cancelled, or
    /// replaced by a newer attempt) are dropped.
    attempt: u64,
    /// Passwords typed into the password dialog with "remember for this session", by site;
    /// in memory only, gone when Ferry quits.
    session_passwords: HashMap<String, String>,
    last_request: Option<ConnectRequest>,
    status: Option<Status>,
    local: Pane,
    remote: Pane,
    active: Side,
    remote_cache: HashMap<String, Vec<FileRow>>,
    purposes: HashMap<u64, Purpose>,
    latest_remote_list: u64,
    latest_local_list: u64,
    local_list_seq: u64,
    queue: QueueView,
    log: LogView,
    dialog: Option<Dialog>,
    questions: VecDeque<Dialog>,
    site_manager: Option<SiteManager>,
    site_manager_open: bool,
    /// Panes to refresh once transfers settle (set when a transfer into them finishes).
    refresh_local: bool,
    refresh_remote: bool,
    last_auto_refresh: Instant,
    title: String,
    /// The Sites menu's list, and when it was read.
    menu_sites: Option<(Instant, Vec<Site>)>,
    /// A worker is reading the sites for the menu.
    menu_sites_loading: bool,
    /// Settings changed and not yet written (written when the pointer is released, so a slider
    /// drag is one write).
    settings_dirty: bool,
    /// The system fonts were added as fallbacks (on the first frame: that needs the context).
    fonts_installed: bool,
    /// Which of the queue and the log are open.
    folds: layout::Folds,
    /// The quick-connect server being connected to: it joins the history once connected.
    quick_server: Option<settings::RecentServer>,
    /// The user chose "Quit anyway": the next close request goes through.
    quit_confirmed: bool,
    /// Download and upload limits of every connection, set from the settings.
    limits: (Arc<SpeedLimit>, Arc<SpeedLimit>),
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
            settings,
            settings_file,
            settings_saves: Arc::default(),
            settings_open: false,
            applied_theme: None,
            quick: QuickConnect::default(),
            live: None,
            connecting: None,
            attempt: 0,
            session_passwords: HashMap::new(),
            last_request: None,
            status: None,
            local: Pane::new(Side::Local),
            remote: Pane::new(Side::Remote),
            active: Side::Local,
            remote_cache: HashMap::new(),
            purposes: HashMap::new(),
            latest_remote_list: 0,
            latest_local_list: 0,
            local_list_seq: 0,
            queue: QueueView::default(),
            log: LogView::default(),
            dialog: None,
            questions: VecDeque::new(),
            site_manager: None,
            site_manager_open: false,
            refresh_local: false,
            refresh_remote: false,
            last_auto_refresh: Instant::now(),
            title: String::new(),
            menu_sites: None,
            menu_sites_loading: false,
            settings_dirty: false,
            fonts_installed: false,
            folds: layout::Folds::default(),
            quick_server: None,
            quit_confirmed: false,
            limits: Default::default(),
            env,
        };
        app.remote.placeholder =
            Some("Not connected. Use Quick Connect above, or open the Site Manager.".into());
        if !notes.is_empty() {
            app.status = Some(Status {
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
        if self.applied_theme != Some(self.settings.theme) {
            ctx.set_theme(self.settings.theme.preference());
            self.applied_theme = Some(self.settings.theme);
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
        egui::Panel::bottom("status-bar").show(ui, |ui| self.ui_status_bar(ui));
        self.ui_bottom_panels(ui);
        let remote_label = if self.live.is_some() {
            format!("the server folder {}", self.remote.path)
        } else {
            "the server (connect first)".to_owned()
        };
        let local_label = format!("the local folder {}", self.local.path);
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
                let active = self.active == Side::Local;
                for a in self.local.ui(ui, active, &remote_label) {
                    actions.push((Side::Local, a));
                }
            });
        egui::CentralPanel::default()
            .frame(pane_frame)
            .show(ui, |ui| {
                let active = self.active == Side::Remote;
                for a in self.remote.ui(ui, active, &local_label) {
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
        self.ui_windows(&ctx);
        self.update_title(&ctx);
    }

    // ---- inbox ---------------------------------------------------------------------------

    fn drain_inbox(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            match event {
                UiEvent::Connect(attempt, outcome) if attempt == self.attempt => {
                    self.connected(outcome);
                }
                UiEvent::Connect(_, outcome) => {
                    // Cancelled: a session that got through anyway is closed again.
                    if let Outcome::Connected(live) = outcome {
                        connection::shut_down(*live);
                    }
                }
                UiEvent::Browse(id, result) => self.browse_result(id, result),
                UiEvent::Engine(event) => self.engine_event(event),
                UiEvent::LocalListing { id, path, rows } => {
                    if id != self.latest_local_list {
                        continue;
                    }
                    self.local.loading = false;
                    match rows {
                        Ok(rows) => self.local.show_folder(&path.to_string_lossy(), rows),
                        Err(e) => {
                            self.local.error = Some(e);
                            self.local.path_edit = self.local.path.clone();
                        }
                    }
                }
                UiEvent::Log(line) => self.log.push(line),
                UiEvent::Notice(result) => {
                    self.report(result.clone());
                    if let Some(manager) = &mut self.site_manager {
                        let reload = manager.reload();
                        manager.message = Some(result);
                        self.run_site_actions(reload.into_iter().collect());
                    }
                }
                UiEvent::LocalChanged(result) => {
                    if let Err(e) = result {
                        self.report(Err(e));
                    }
                    let path = self.local.path.clone();
                    self.list_local(&path);
                }
                UiEvent::ImportFile(Some(path)) => self.import_filezilla(path),
                UiEvent::ImportFile(None) => {
                    if let Some(manager) = &mut self.site_manager {
                        manager.import_not_chosen();
                    }
                }
                UiEvent::Dropped { remote_dir, files } => self.dropped_files(&remote_dir, files),
                UiEvent::SiteStore { result, done } => {
                    // The menu reads the file again next time it opens.
                    self.menu_sites = None;
                    let worked = result.is_ok();
                    if let Some(manager) = &mut self.site_manager {
                        manager.stored(result, done.as_ref());
                    }
                    if worked && let Some(done) = done {
                        self.run_site_actions(done.then);
                    }
                }
                UiEvent::MenuSites(sites) => {
                    self.menu_sites = Some((Instant::now(), sites));
                    self.menu_sites_loading = false;
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
        self.status = Some(Status {
            text,
            error,
            retry: false,
        });
    }

    fn connected(&mut self, outcome: Outcome) {
        self.connecting = None;
        match outcome {
            Outcome::Connected(live) => {
                if let Some(server) = self.quick_server.take() {
                    self.settings.remember_server(server);
                    self.settings_dirty = true;
                }
                self.queue.load(&live.engine);
                self.status = Some(Status {
                    text: format!("Connected to {}", live.label),
                    error: false,
                    retry: false,
                });
                self.remote_cache.clear();
                self.remote.placeholder = None;
                self.remote.path = String::new();
                let start = live.start_dir.clone();
                let local_dir = live.local_dir.clone();
                self.live = Some(*live);
                self.list_remote(&start);
                if let Some(dir) = local_dir {
                    self.list_local(&dir.to_string_lossy());
                }
            }
            Outcome::Untrusted(problem, request) => {
                self.status = Some(Status {
                    text: format!(
                        "Waiting for your decision about the certificate of {}",
                        problem.target()
                    ),
                    error: false,
                    retry: false,
                });
                self.dialog = Some(Dialog::Certificate {
                    problem,
                    request,
                    can_remember: self.trust.can_remember(),
                });
            }
            Outcome::NeedPassword { request, why } => {
                self.status = Some(Status {
                    text: format!("Waiting for the password of {}", request.label),
                    error: false,
                    retry: false,
                });
                self.dialog = Some(Dialog::Password {
                    user: request.login.user().to_owned(),
                    request,
                    why,
                    password: String::new(),
                    remember: false,
                    fresh: true,
                });
            }
            Outcome::Failed(message) => {
                // A remembered password may be why: ask again next time.
                if let Some(request) = &self.last_request {
                    self.session_passwords.remove(&request.label);
                }
                self.log.push(LogLine::now(LogKind::Error, message.clone()));
                self.status = Some(Status {
                    text: format!("Could not connect: {message}"),
                    error: true,
                    retry: self.last_request.is_some(),
                });
            }
        }
    }

    fn browse_result(&mut self, id: u64, result: BrowseResult) {
        let purpose = self.purposes.remove(&id);
        match (purpose, result) {
            (Some(Purpose::List(_)), BrowseResult::Listing { path, entries }) => {
                let rows: Vec<FileRow> = entries.iter().map(FileRow::from_entry).collect();
                self.remote_cache.insert(path.clone(), rows.clone());
                if id == self.latest_remote_list {
                    self.remote.loading = false;
                    self.remote.show_folder(&path, rows);
                }
            }
            (Some(Purpose::List(path)), BrowseResult::Failed(e))
                if id == self.latest_remote_list =>
            {
                self.remote.loading = false;
                self.remote.error = Some(format!("{path}: {e}"));
                self.remote.path = path;
            }
            (Some(Purpose::List(_)), BrowseResult::Failed(_)) => {}
            (Some(Purpose::Change(what)), BrowseResult::Done) => {
                self.report(Ok(what));
                self.refresh_remote_now();
            }
            (Some(Purpose::Change(what)), BrowseResult::Failed(e)) => {
                self.report(Err(format!("{what} failed: {e}")));
                self.refresh_remote_now();
            }
            (Some(Purpose::Plan), BrowseResult::Planned(plan)) => {
                for skipped in &plan.skipped {
                    self.log.push(LogLine::now(
                        LogKind::Info,
                        format!("Not transferred: {skipped}"),
                    ));
                }
                if let Some(live) = &self.live {
                    if plan.items.is_empty() {
                        self.report(Ok(format!("{}: nothing to transfer", plan.label)));
                    } else {
                        live.engine.send(Command::Add {
                            label: plan.label,
                            on_exists: self.settings.on_exists,
                            items: plan.items,
                        });
                    }
                }
                // The plan created folders on one side or the other.
                self.refresh_remote = true;
                self.refresh_local = true;
            }
            (_, BrowseResult::Failed(e)) => self.report(Err(e.to_string())),
            (_, BrowseResult::NotConnected(e)) => {
                self.remote.loading = false;
                self.report(Err(format!("Lost the connection: {e}")));
            }
            _ => {}
        }
    }

    fn engine_event(&mut self, event: Event) {
        if let Event::Log(text) = &event {
            self.log.push(LogLine::now(LogKind::Info, text.as_str()));
        }
        self.queue.apply(&event);
        match event {
            Event::State {
                id,
                state: ItemState::Done,
                ..
            } => {
                if let Some(item) = self.queue.item(id) {
                    match item.direction {
                        Direction::Download => {
                            self.refresh_local |=
                                item.local.parent() == Some(Path::new(&self.local.path))
                        }
                        Direction::Upload => {
                            self.refresh_remote |=
                                remote_path::parent(&item.remote) == self.remote.path
                        }
                    }
                }
            }
            Event::State {
                id,
                state: ItemState::Failed,
                error: Some(error),
            } => {
                let name = self
                    .queue
                    .item(id)
                    .map(|i| i.remote.clone())
                    .unwrap_or_default();
                self.log
                    .push(LogLine::now(LogKind::Error, format!("{name}: {error}")));
            }
            Event::Question {
                id,
                target,
                existing_size,
                source_size,
            } => self.questions.push_back(Dialog::Exists {
                item: id,
                target,
                existing: existing_size,
                source: source_size,
                for_job: false,
            }),
            Event::Idle => self.auto_refresh_now(),
            Event::ConnectionLimit(n) => self.log.push(LogLine::now(
                LogKind::Info,
                format!(
                    "The server allows {n} connection(s) at a time; the other transfers wait and try again later. Set \"Connections\" of the site to {n} to avoid the retries."
                ),
            )),
            _ => {}
        }
    }

    /// Refreshes panes that received files, at most once a second while transfers run.
    fn auto_refresh(&mut self) {
        if (self.refresh_local || self.refresh_remote)
            && self.last_auto_refresh.elapsed() > Duration::from_secs(1)
        {
            self.auto_refresh_now();
        }
        if self.refresh_local || self.refresh_remote {
            self.inbox.wake_after(Duration::from_millis(500));
        }
    }

    fn auto_refresh_now(&mut self) {
        self.last_auto_refresh = Instant::now();
        if std::mem::take(&mut self.refresh_local) {
            let path = self.local.path.clone();
            self.list_local(&path);
        }
        if std::mem::take(&mut self.refresh_remote) {
            self.refresh_remote_now();
        }
    }

    // ---- listing -------------------------------------------------------------------------

    fn list_local(&mut self, path: &str) {
        self.local_list_seq += 1;
        let id = self.local_list_seq;
        self.latest_local_list = id;
        self.local.loading = true;
        let path = PathBuf::from(path);
        let inbox = self.inbox.clone();
        let spawned = std::thread::Builder::new()
            .name("ferry-local-list".into())
            .spawn(move || {
                let rows = read_local_dir(&path);
                let path = std::fs::canonicalize(&path).unwrap_or(path);
                inbox.send(UiEvent::LocalListing { id, path, rows });
            });
        if spawned.is_err() {
            self.local.loading = false;
            self.local.error = Some("cannot start a thread".into());
        }
    }

    fn list_remote(&mut self, path: &str) {
        let Some(live) = &mut self.live else { return };
        if let Some(rows) = self.remote_cache.get(path) {
            self.remote.show_folder(path, rows.clone());
        } else {
            self.remote.path_edit = path.to_owned();
        }
        let id = live.browser.request(BrowseRequest::List(path.to_owned()));
        self.purposes.insert(id, Purpose::List(path.to_owned()));
        self.latest_remote_list = id;
        self.remote.loading = true;
    }

    fn refresh_remote_now(&mut self) {
        if self.live.is_some() {
            let path = self.remote.path.clone();
            self.remote_cache.remove(&path);
            self.list_remote(&path);
        }
    }

    fn browse(&mut self, request: BrowseRequest, purpose: Purpose) {
        if let Some(live) = &mut self.live {
            let id = live.browser.request(request);
            self.purposes.insert(id, purpose);
        }
    }

    // ---- actions -------------------------------------------------------------------------

    fn apply(&mut self, side: Side, action: PaneAction, ctx: &egui::Context) {
        match action {
            PaneAction::Activate => self.active = side,
            PaneAction::Open(path) => self.open(side, path),
            PaneAction::OpenRow(name) => {
                let path = self.pane(side).child_path(&name);
                self.open(side, path);
            }
            PaneAction::Up => {
                let path = match side {
                    Side::Local => Path::new(&self.local.path)
                        .parent()
                        .map(|p| p.to_string_lossy().into_owned()),
                    Side::Remote => {
                        (self.remote.path != "/").then(|| remote_path::parent(&self.remote.path))
                    }
                };
                if let Some(path) = path {
                    self.open(side, path);
                }
            }
            PaneAction::Refresh => match side {
                Side::Local => {
                    let path = self.local.path.clone();
                    self.list_local(&path);
                }
                Side::Remote => self.refresh_remote_now(),
            },
            PaneAction::Home => match side {
                Side::Local => self.list_local(&home_dir().to_string_lossy()),
                Side::Remote => {
                    if let Some(home) = self.live.as_ref().map(|l| l.home.clone()) {
                        self.list_remote(&home);
                    }
                }
            },
            PaneAction::Transfer(rows) => self.transfer(side, rows, None),
            PaneAction::Dropped {
                dragged: DraggedRows { from, rows },
                into,
            } => self.transfer(from, rows, into),
            PaneAction::Rename(row) => {
                self.dialog = Some(Dialog::Rename {
                    side,
                    from: row.name.clone(),
                    to: row.name,
                    fresh: true,
                });
            }
            PaneAction::Delete(rows) => {
                if !rows.is_empty() {
                    self.dialog = Some(Dialog::ConfirmDelete { side, rows });
                }
            }
            PaneAction::Permissions(rows) => {
                if let Some(first) = rows.first() {
                    let shown = first.permissions.clone();
                    let names = rows.into_iter().map(|r| r.name).collect();
                    self.dialog = Some(Dialog::Permissions(Box::new(
                        super::permissions::PermissionsForm::new(side, names, &shown),
                    )));
                }
            }
            PaneAction::NewFolder => {
                self.dialog = Some(Dialog::NewFolder {
                    side,
                    name: String::new(),
                    fresh: true,
                });
            }
            PaneAction::CopyPath(path) => ctx.copy_text(path),
        }
    }

    fn pane(&self, side: Side) -> &Pane {
        match side {
            Side::Local => &self.local,
            Side::Remote => &self.remote,
        }
    }

    fn pane_mut(&mut self, side: Side) -> &mut Pane {
        match side {
            Side::Local => &mut self.local,
            Side::Remote => &mut self.remote,
        }
    }

    fn open(&mut self, side: Side, path: String) {
        if path.is_empty() {
            return;
        }
        match side {
            Side::Local => self.list_local(&path),
            Side::Remote => self.list_remote(&path),
        }
    }

    /// Moves `rows` of pane `from` to the folder shown in the other pane, through the queue.
    /// Queues `rows` of the `from` pane for the other pane's folder, or for its child folder
    /// `into` (rows dropped onto a folder row).
    fn transfer(&mut self, from: Side, rows: Vec<FileRow>, into: Option<String>) {
        if self.live.is_none() {
            self.report(Err("Connect to a server first.".into()));
            return;
        }
        let mut local_dir = PathBuf::from(&self.local.path);
        let mut remote_dir = self.remote.path.clone();
        match (&into, from) {
            (Some(folder), Side::Local) => remote_dir = self.remote.child_path(folder),
            (Some(folder), Side::Remote) => local_dir = local_dir.join(folder),
            (None, _) => {}
        }
        let mut items = Vec::new();
        // Selected remote names that become one local name (`a:b` and `a?b`) each get their
        // own. No probe of the local disk here (the UI thread does no disk I/O): the
        // platform's usual case rule.
        let mut local_names = names::LocalNames::new(cfg!(any(windows, target_os = "macos")));
        let remote_names: Vec<String> = rows
            .iter()
            .filter(|r| from == Side::Remote && !r.is_container())
            .map(|r| r.name.clone())
            .collect();
        let (_, mut places) = local_names.assign(&[], &remote_names);
        places.reverse();
        for row in rows {
            match from {
                Side::Local => {
                    let local = local_dir.join(&row.name);
                    let remote = remote_path::join(&remote_dir, &row.name);
                    if row.is_container() {
                        self.browse(BrowseRequest::PlanUpload { local, remote }, Purpose::Plan);
                    } else {
                        items.push(NewItem {
                            direction: Direction::Upload,
                            local,
                            remote,
                            size: row.size,
                            modified: row.modified,
                            modified_exact: row.modified_exact,
                        });
                    }
                }
                Side::Remote => {
                    let remote = remote_path::join(&remote_dir, &row.name);
                    let place = if row.is_container() {
                        names::checked_target(&local_dir, &row.name)
                    } else {
                        places
                            .pop()
                            .unwrap_or_else(|| Err("no local name".into()))
                            .and_then(|a| names::checked_local(&local_dir, &a.local, &row.name))
                    };
                    let local = match place {
                        Ok(p) => p,
                        Err(why) => {
                            self.report(Err(format!(
                                "{}: not a safe local name ({why})",
                                row.name
                            )));
                            continue;
                        }
                    };
                    if row.is_container() {
                        self.browse(BrowseRequest::PlanDownload { remote, local }, Purpose::Plan);
                    } else {
                        items.push(NewItem {
                            direction: Direction::Download,
                            local,
                            remote,
                            size: row.size,
                            modified: row.modified,
                            modified_exact: row.modified_exact,
                        });
                    }
                }
            }
        }
        self.queue_items(from, items);
    }

    fn queue_items(&mut self, from: Side, items: Vec<NewItem>) {
        let Some(live) = &self.live else { return };
        if items.is_empty() {
            return;
        }
        let label = match (from, items.len()) {
            (Side::Local, 1) => format!("Upload {}", items[0].local.display()),
            (Side::Remote, 1) => format!("Download {}", items[0].remote),
            (Side::Local, n) => format!("Upload {n} files"),
            (Side::Remote, n) => format!("Download {n} files"),
        };
        live.engine.send(Command::Add {
            label,
            on_exists: self.settings.on_exists,
            items,
        });
    }

    /// Files dropped from the OS file manager: onto the remote pane, they upload into the
    /// folder shown there.
    fn os_file_drop(&mut self, ctx: &egui::Context) {
        let (hovering, dropped, pointer) = ctx.input(|i| {
            (
                !i.raw.hovered_files.is_empty(),
                i.raw.dropped_files.clone(),
                i.pointer.latest_pos(),
            )
        });
        let over_remote = pointer.is_none_or(|p| self.remote.rect.contains(p));
        if hovering {
            let painter = ctx.layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("drop-zone"),
            ));
            let rect = self.remote.rect;
            let color = ctx.global_style().visuals.selection.bg_fill;
            painter.rect_filled(rect, 6.0, color.gamma_multiply(0.35));
            let text = if self.live.is_some() {
                let target = match &self.remote.hovered_folder {
                    Some(folder) => self.remote.child_path(folder),
                    None => self.remote.path.clone(),
                };
                format!("Drop to upload to {target}")
            } else {
                "Connect to a server to upload".to_owned()
            };
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                text,
                egui::FontId::proportional(20.0),
                ctx.global_style().visuals.strong_text_color(),
            );
        }
        if dropped.is_empty() {
            return;
        }
        if !over_remote {
            self.report(Err("Drop files onto the remote pane to upload them.".into()));
            return;
        }
        if self.live.is_none() {
            self.report(Err(
                "Connect to a server first, then drop the files again.".into()
            ));
            return;
        }
        // Looking at the files is disk I/O (a network share can take seconds): a worker does it.
        // Dropped onto a folder row, they go into that folder.
        let remote_dir = match &self.remote.hovered_folder {
            Some(folder) => self.remote.child_path(folder),
            None => self.remote.path.clone(),
        };
        let paths: Vec<PathBuf> = dropped.iter().map(|f| f.path().to_owned()).collect();
        let inbox = self.inbox.clone();
        let spawned = std::thread::Builder::new()
            .name("ferry-dropped".into())
            .spawn(move || {
                let files = paths
                    .into_iter()
                    .map(|path| {
                        let looked = match std::fs::metadata(&path) {
                            Ok(meta) if meta.is_dir() => Ok(None),
                            Ok(meta) => Ok(Some(meta.len())),
                            Err(e) => Err(format!("{}: {e}", path.display())),
                        };
                        (path, looked)
                    })
                    .collect();
                inbox.send(UiEvent::Dropped { remote_dir, files });
            });
        if let Err(e) = spawned {
            self.report(Err(format!("cannot start a thread: {e}")));
        }
    }

    /// What is being dragged between the panes, next to the pointer: the file (or how many),
    /// and where it would go.
    fn ui_drag_ghost(&self, ctx: &egui::Context) {
        let Some(dragged) = egui::DragAndDrop::payload::<DraggedRows>(ctx) else {
            return;
        };
        let Some(pointer) = ctx.pointer_latest_pos() else {
            return;
        };
        let what = match dragged.rows.as_slice() {
            [one] => format!(
                "{} {}",
                if one.is_container() { "📁" } else { "📄" },
                crate::ftp::text::escape(&one.name)
            ),
            rows => format!("{} items", rows.len()),
        };
        let target = self.pane(dragged.from.other());
        let over = target.rect.contains(pointer);
        let verb = match dragged.from {
            Side::Local => "Upload",
            Side::Remote => "Download",
        };
        let text = match (&target.hovered_folder, over) {
            (Some(folder), true) => format!("{verb} {what} into {folder}"),
            (None, true) => format!("{verb} {what} to {}", target.path),
            (_, false) => format!("{verb} {what}"),
        };
        egui::Area::new(egui::Id::unique("drag-ghost"))
            .order(egui::Order::Tooltip)
            .fixed_pos(pointer + egui::vec2(14.0, 10.0))
            .interactable(false)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.label(text);
                });
            });
    }

    /// Dropped files, looked at: files are queued, folders planned on the browse worker.
    fn dropped_files(
        &mut self,
        remote_dir: &str,
        files: Vec<(PathBuf, Result<Option<u64>, String>)>,
    ) {
        let mut items = Vec::new();
        for (path, looked) in files {
            let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            let remote = remote_path::join(remote_dir, &name);
            match looked {
                Ok(None) => {
                    self.browse(
                        BrowseRequest::PlanUpload {
                            local: path,
                            remote,
                        },
                        Purpose::Plan,
                    );
                }
                Ok(Some(size)) => items.push(NewItem {
                    direction: Direction::Upload,
                    local: path,
                    remote,
                    size: Some(size),
                    modified: None,
                    modified_exact: false,
                }),
                Err(e) => self.report(Err(e)),
            }
        }
        self.queue_items(Side::Local, items);
    }

    /// Carries out the shortcuts pressed ([`shortcuts::SHORTCUTS`]) on the active pane.
    fn keyboard(&mut self, ctx: &egui::Context, actions: &mut Vec<(Side, PaneAction)>) {
        let side = self.active;
        for shortcut in shortcuts::pressed(ctx) {
            let selected = || self.pane(side).selected_rows();
            let action = match shortcut {
                Shortcut::SwitchPane => {
                    self.active = side.other();
                    return;
                }
                Shortcut::FocusPath => {
                    self.pane_mut(side).focus_path = true;
                    None
                }
                Shortcut::FocusFilter => {
                    self.pane_mut(side).focus_filter = true;
                    None
                }
                Shortcut::SelectionDown | Shortcut::SelectionUp => {
                    self.pane_mut(side)
                        .move_selection(shortcut == Shortcut::SelectionDown);
                    None
                }
                Shortcut::Refresh => Some(PaneAction::Refresh),
                Shortcut::Up => Some(PaneAction::Up),
                Shortcut::NewFolder => Some(PaneAction::NewFolder),
                Shortcut::OpenOrTransfer => {
                    let rows = selected();
                    match rows.as_slice() {
                        [] => None,
                        [one] if one.is_container() => Some(PaneAction::OpenRow(one.name.clone())),
                        _ => Some(PaneAction::Transfer(rows)),
                    }
                }
                Shortcut::Delete => Some(PaneAction::Delete(selected()))
                    .filter(|_| self.pane(side).listing.selected_count() > 0),
                Shortcut::Rename => selected().into_iter().next().map(PaneAction::Rename),
                Shortcut::Permissions => {
                    let rows = selected();
                    (!rows.is_empty() && (side == Side::Remote || cfg!(unix)))
                        .then_some(PaneAction::Permissions(rows))
                }
            };
            if let Some(action) = action {
                actions.push((side, action));
            }
        }
    }

    // ---- connecting ----------------------------------------------------------------------

    /// Starts connecting (after the plain-FTP warning, when that applies).
    fn connect(&mut self, mut request: ConnectRequest) {
        if request.needs_plain_warning() {
            self.dialog = Some(Dialog::PlainWarning(Box::new(request)));
            return;
        }
        if let (Login::Keychain { user, .. } | Login::Ask { user }, Some(password)) =
            (&request.login, self.session_passwords.get(&request.label))
        {
            request.login = Login::Password {
                user: user.clone(),
                password: password.clone(),
            };
        }
        self.disconnect();
        self.attempt += 1;
        self.quick_server = None;
        self.connecting = Some(request.label.clone());
        self.status = Some(Status {
            text: format!("Connecting to {}…", request.label),
            error: false,
            retry: false,
        });
        self.last_request = Some(request.clone());
        let (setup, dialer) = (self.engine_setup(&request), self.dialer());
        let attempt = self.attempt;
        // Queued behind any keychain write still running (the attempt reads the keychain).
        let start = move || dialer.start(attempt, request, None, setup);
        if let Err(job) = self.keychain_jobs.send(Box::new(start)) {
            (job.0)();
        }
    }

    fn dialer(&self) -> connection::Dialer {
        connection::Dialer {
            trust: self.trust.clone(),
            keychain: self.env.keychain.clone(),
            log: self.log_sink.clone(),
            inbox: self.inbox.clone(),
        }
    }

    fn disconnect(&mut self) {
        if let Some(live) = self.live.take() {
            connection::shut_down(live);
            self.status = Some(Status {
                text: "Disconnected".into(),
                error: false,
                retry: false,
            });
        }
        self.queue.reset();
        self.questions.clear();
        self.purposes.clear();
        self.remote.listing.replace_rows(Vec::new());
        self.remote.loading = false;
        self.remote.error = None;
        self.remote.placeholder = Some("Not connected.".into());
    }

    fn quick_action(&mut self, action: QuickAction) {
        match action {
            QuickAction::None => {}
            QuickAction::Cancel => self.cancel_connecting(),
            QuickAction::Connect => {
                self.quick.take_url();
                let timeout = Duration::from_secs(self.settings.timeout_seconds);
                match self.quick.request(timeout) {
                    Ok(request) => {
                        self.connect(request);
                        // Remembered once it connects.
                        self.quick_server = Some(self.quick.recent());
                    }
                    Err(e) => self.report(Err(e)),
                }
            }
            QuickAction::Recall(i) => {
                if let Some(server) = self.settings.quick_history.get(i).cloned() {
                    self.quick.recall(&server);
                    if server.user.is_empty() {
                        self.quick_action(QuickAction::Connect);
                    } else {
                        // Passwords are not kept: the field waits for it.
                        self.quick.focus_password = true;
                        self.report(Ok(format!(
                            "Type the password of {}, then Connect.",
                            server.describe()
                        )));
                    }
                }
            }
            QuickAction::ClearHistory => {
                self.settings.quick_history.clear();
                self.settings_dirty = true;
            }
            QuickAction::SaveAsSite => {
                self.quick.take_url();
                match self.quick.to_site() {
                    Ok((site, password)) => {
                        self.open_site_manager();
                        if let Some(manager) = &mut self.site_manager {
                            manager.create_from(site, password);
                        }
                    }
                    Err(e) => self.report(Err(e)),
                }
            }
        }
    }

    /// Gives up the attempt in progress: the window forgets it at once; its thread ends on
    /// its own (at the latest after the timeout) and whatever it reports is dropped.
    fn cancel_connecting(&mut self) {
        if let Some(label) = self.connecting.take() {
            self.attempt += 1;
            self.report(Ok(format!("Stopped connecting to {label}.")));
        }
    }

    /// The engine of a connection to `request`: the parallel transfers setting, and the
    /// server's own saved queue.
    fn engine_setup(&self, request: &ConnectRequest) -> EngineSetup {
        let (queue_file, legacy_queue_file) = self.queue_files(request);
        EngineSetup {
            workers: self.settings.parallel_transfers,
            queue_file,
            legacy_queue_file,
            limits: self.limits.clone(),
        }
    }

    /// The server's saved queue, and the name an older Ferry gave it (`user_host_port.toml`,
    /// ambiguous: `a@b` and `a_b` shared one), to take over once. Paths only: the connecting
    /// thread touches the disk.
    fn queue_files(&self, request: &ConnectRequest) -> (Option<PathBuf>, Option<PathBuf>) {
        let dir = self.env.data_dir.as_ref().map(|d| d.join("queues"));
        (
            dir.as_ref().map(|d| d.join(request.queue_file_name())),
            dir.map(|d| d.join(request.legacy_queue_file_name())),
        )
    }

    fn import_filezilla(&mut self, path: PathBuf) {
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

    fn sites_file(&self) -> Option<PathBuf> {
        self.env.config_dir.as_ref().map(|d| d.join("sites.toml"))
    }

    // ---- drawing -------------------------------------------------------------------------

    /// The queue and the log under the panes: folded to a header line, or open as high as
    /// the panes can spare ([`layout::bottom_panel_max`]).
    fn ui_bottom_panels(&mut self, ui: &mut egui::Ui) {
        let open = usize::from(self.folds.queue) + usize::from(self.folds.log);
        let max = layout::bottom_panel_max(ui.available_height(), open);
        // Folded panels have ids of their own, so an open one keeps the height it was given.
        let panel = |id: &str, open: bool, default: f32| {
            if open {
                egui::Panel::bottom(egui::Id::unique(id))
                    .resizable(true)
                    .default_size(default.min(max))
                    .min_size(40.0f32.min(max))
                    .max_size(max)
            } else {
                egui::Panel::bottom(egui::Id::unique(id).with("folded")).resizable(false)
            }
        };
        panel("log-panel", self.folds.log, 130.0).show(ui, |ui| {
            if self.folds.log {
                ui.set_min_height(ui.available_height());
            }
            self.log.ui(ui, &mut self.folds.log);
        });
        panel("queue-panel", self.folds.queue, 190.0).show(ui, |ui| {
            if self.folds.queue {
                ui.set_min_height(ui.available_height());
            }
            let engine = self.live.as_ref().map(|l| &l.engine);
            self.queue.ui(ui, engine, &mut self.folds.queue);
        });
    }

    fn ui_toolbar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            self.ui_sites_menu(ui);
            ui.separator();
            let action = self
                .quick
                .ui(ui, self.connecting.is_some(), &self.settings.quick_history);
            self.quick_action(action);
            if ui
                .add_enabled(self.live.is_some(), egui::Button::new("Disconnect"))
                .clicked()
            {
                self.disconnect();
            }
            ui.separator();
            self.ui_security_indicator(ui);
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui.button("⚙").on_hover_text("Settings").clicked() {
                    self.settings_open = !self.settings_open;
                }
            });
        });
    }

    fn ui_sites_menu(&mut self, ui: &mut egui::Ui) {
        let mut chosen: Option<Site> = None;
        let mut open_manager = false;
        ui.menu_button("Sites ⏷", |ui| {
            if ui.button("Site Manager…").clicked() {
                open_manager = true;
                ui.close();
            }
            ui.separator();
            // Read once when the menu opens, not on every frame it stays open.
            let stale = self
                .menu_sites
                .as_ref()
                .is_none_or(|(at, _)| at.elapsed() > Duration::from_secs(2));
            if stale && !self.menu_sites_loading {
                // Read on a worker; the menu shows what it had until the answer comes.
                self.menu_sites_loading = true;
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
                .menu_sites
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
            let timeout = Duration::from_secs(self.settings.timeout_seconds);
            match site_manager::request_for_site(&site, None, timeout) {
                Ok(request) => self.connect(request),
                Err(e) => {
                    self.open_site_manager();
                    self.report(Err(e));
                }
            }
        }
    }

    fn open_site_manager(&mut self) {
        if self.site_manager.is_none() {
            let (manager, load) = SiteManager::open(
                self.sites_file(),
                self.env.keychain.unavailable_reason().map(str::to_owned),
            );
            self.site_manager = Some(manager);
            self.run_site_actions(load.into_iter().collect());
        }
        self.site_manager_open = true;
    }

    fn ui_security_indicator(&mut self, ui: &mut egui::Ui) {
        let Some(live) = &self.live else {
            ui.weak("Not connected");
            return;
        };
        let security = &live.security;
        let (text, color, tip) = match (&security.tls, live.endpoint.security) {
            (_, Security::Plain) => (
                "⚠ Not encrypted".to_owned(),
                ui.visuals().warn_fg_color,
                "Plain FTP: the password and files travel in clear.".to_owned(),
            ),
            (Some(tls), _) => (
                format!(
                    "🔒 {} · {}{}",
                    tls.version,
                    tls.cipher_suite,
                    if security.data_protected {
                        " · data protected"
                    } else {
                        " · DATA NOT PROTECTED"
                    }
                ),
                if security.data_protected {
                    egui::Color32::from_rgb(0x2e, 0x9d, 0x4f)
                } else {
                    ui.visuals().warn_fg_color
                },
                "Click to see the server's certificate".to_owned(),
            ),
            (None, _) => ("?".to_owned(), ui.visuals().warn_fg_color, String::new()),
        };
        let response = ui
            .add(egui::Button::new(RichText::new(text).color(color)).frame(false))
            .on_hover_text(tip);
        if response.clicked()
            && let Some(cert) = &security.certificate
        {
            self.dialog = Some(Dialog::ShowCertificate(Box::new(cert.clone())));
        }
    }

    fn ui_status_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if let Some(label) = &self.connecting {
                ui_spinner(ui, 12.0).on_hover_text("Connecting");
                ui.label(format!("Connecting to {label}…"));
            } else if let Some(status) = &self.status {
                if status.error {
                    ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {}", status.text));
                } else {
                    ui.label(status.text.as_str());
                }
            }
            let retry = self.status.as_ref().is_some_and(|s| s.retry) && self.connecting.is_none();
            if retry
                && ui.small_button("Retry").clicked()
                && let Some(request) = self.last_request.clone()
            {
                self.connect(request);
            }
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                ui.weak(self.queue.summary());
            });
        });
    }

    fn ui_dialogs(&mut self, ctx: &egui::Context) {
        if self.dialog.is_none() {
            self.dialog = self.questions.pop_front();
        }
        let Some(dialog) = &mut self.dialog else {
            return;
        };
        let choice = dialogs::ui_dialog(ctx, dialog);
        if matches!(choice, Choice::None) {
            return;
        }
        self.dialog = None;
        match choice {
            Choice::None | Choice::Cancel => {}
            Choice::Chmod { side, names, mode } => self.chmod(side, names, mode),
            Choice::Quit => {
                self.quit_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Choice::NotConnected(why) => {
                self.log.push(LogLine::now(LogKind::Info, why.clone()));
                self.status = Some(Status {
                    text: why,
                    error: false,
                    retry: self.last_request.is_some(),
                });
            }
            Choice::Password {
                mut request,
                password,
                remember,
            } => {
                if remember {
                    self.session_passwords
                        .insert(request.label.clone(), password.clone());
                }
                request.login = Login::Password {
                    user: request.login.user().to_owned(),
                    password,
                };
                self.connect(*request);
            }
            Choice::Trust(problem, request, decision) => {
                if decision == crate::tls::Decision::Reject {
                    self.status = Some(Status {
                        text: format!(
                            "Not connected: you rejected the certificate of {}.",
                            problem.target()
                        ),
                        error: true,
                        retry: false,
                    });
                    self.log
                        .push(LogLine::now(LogKind::Error, problem.to_string()));
                    return;
                }
                self.connecting = Some(request.label.clone());
                self.attempt += 1;
                let setup = self.engine_setup(&request);
                self.dialer()
                    .start(self.attempt, *request, Some((*problem, decision)), setup);
            }
            Choice::ConnectPlain(request) => self.connect(*request),
            Choice::Delete(side, rows) => self.delete(side, rows),
            Choice::Rename { side, from, to } => {
                if to.is_empty() || to == from || to.contains('/') {
                    return;
                }
                match side {
                    Side::Remote => {
                        let from_path = self.remote.child_path(&from);
                        let to_path = self.remote.child_path(&to);
                        self.browse(
                            BrowseRequest::Rename {
                                from: from_path,
                                to: to_path,
                            },
                            Purpose::Change(format!("Renamed {from} to {to}")),
                        );
                    }
                    Side::Local => {
                        let dir = PathBuf::from(&self.local.path);
                        self.local_job(move || {
                            std::fs::rename(dir.join(&from), dir.join(&to))
                                .map(|()| format!("Renamed {from} to {to}"))
                                .map_err(|e| format!("Cannot rename {from}: {e}"))
                        });
                    }
                }
            }
            Choice::NewFolder { side, name } => {
                if name.is_empty() {
                    return;
                }
                match side {
                    Side::Remote => {
                        let path = self.remote.child_path(&name);
                        self.browse(
                            BrowseRequest::Mkdir(path),
                            Purpose::Change(format!("Created {name}")),
                        );
                    }
                    Side::Local => {
                        let path = PathBuf::from(&self.local.path).join(&name);
                        self.local_job(move || {
                            std::fs::create_dir(&path)
                                .map(|()| format!("Created {name}"))
                                .map_err(|e| format!("Cannot create {name}: {e}"))
                        });
                    }
                }
            }
            Choice::Answer {
                item,
                decision,
                for_job,
            } => {
                if let Some(live) = &self.live {
                    live.engine.send(Command::Answer {
                        item,
                        decision,
                        for_job,
                    });
                }
                if for_job {
                    // The engine answers the rest of the job itself; drop its queued questions.
                    let job = self.queue.item(item).map(|i| i.job);
                    self.questions.retain(|q| match q {
                        Dialog::Exists { item: other, .. } => {
                            self.queue.item(*other).map(|i| i.job) != job
                        }
                        _ => true,
                    });
                }
            }
        }
    }

    fn chmod(&mut self, side: Side, names: Vec<String>, mode: u32) {
        let done = format!("Permissions of {} item(s) set to {mode:03o}", names.len());
        match side {
            Side::Remote => {
                let paths = names.iter().map(|n| self.remote.child_path(n)).collect();
                self.browse(BrowseRequest::Chmod { paths, mode }, Purpose::Change(done));
            }
            Side::Local => {
                let dir = PathBuf::from(&self.local.path);
                self.local_job(move || {
                    for name in &names {
                        set_local_mode(&dir.join(name), mode)
                            .map_err(|e| format!("Cannot change the permissions of {name}: {e}"))?;
                    }
                    Ok(done)
                });
            }
        }
    }

    fn delete(&mut self, side: Side, rows: Vec<FileRow>) {
        match side {
            Side::Remote => {
                for row in rows {
                    let path = self.remote.child_path(&row.name);
                    let request = if row.kind == super::files::RowKind::Dir {
                        BrowseRequest::DeleteTree(path)
                    } else {
                        BrowseRequest::DeleteFile(path)
                    };
                    self.browse(request, Purpose::Change(format!("Deleted {}", row.name)));
                }
            }
            Side::Local => {
                let dir = PathBuf::from(&self.local.path);
                self.local_job(move || {
                    for row in &rows {
                        let path = dir.join(&row.name);
                        let result = if row.kind == super::files::RowKind::Dir {
                            std::fs::remove_dir_all(&path)
                        } else {
                            std::fs::remove_file(&path)
                        };
                        result.map_err(|e| format!("Cannot delete {}: {e}", row.name))?;
                    }
                    Ok(format!("Deleted {} item(s)", rows.len()))
                });
            }
        }
    }

    /// Carries out what the Site Manager asked for; disk and keychain work on workers.
    fn run_site_actions(&mut self, actions: Vec<SiteAction>) {
        for action in actions {
            match action {
                SiteAction::Connect(request) => {
                    self.site_manager_open = false;
                    self.connect(*request);
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

    /// Runs a local file operation on a worker thread, then refreshes the local pane.
    fn local_job(&self, job: impl FnOnce() -> Result<String, String> + Send + 'static) {
        let inbox = self.inbox.clone();
        let _ = std::thread::Builder::new()
            .name("ferry-local-job".into())
            .spawn(move || {
                inbox.send(UiEvent::LocalChanged(job()));
            });
    }

    fn ui_windows(&mut self, ctx: &egui::Context) {
        if let Some(manager) = &mut self.site_manager {
            let timeout = Duration::from_secs(self.settings.timeout_seconds);
            let mut open = self.site_manager_open;
            let actions = manager.ui(ctx, &mut open, timeout);
            self.site_manager_open = open;
            self.run_site_actions(actions);
            if !self.site_manager_open {
                self.site_manager = None;
            }
        }
        if self.settings_open {
            let mut open = true;
            let mut changed = false;
            egui::Window::new("Settings")
                .id(egui::Id::unique("settings-window"))
                .open(&mut open)
                .collapsible(false)
                .resizable(false)
                .show(ctx, |ui| {
                    changed = settings::ui_settings_form(ui, &mut self.settings);
                    ui.weak("Parallel transfers apply to the next connection.");
                    ui.separator();
                    egui::CollapsingHeader::new("Keyboard shortcuts")
                        .show(ui, shortcuts::ui_shortcut_list);
                });
            self.settings_open = open;
            self.settings_dirty |= changed;
            if changed {
                self.apply_limits();
            }
        }
        if self.settings_dirty && !ctx.input(|i| i.pointer.any_down()) {
            self.settings_dirty = false;
            if let Some(file) = self.settings_file.clone() {
                // Written on a worker; a failure comes back as a notice.
                let new = self.settings.clone();
                let inbox = self.inbox.clone();
                let order = self.settings_saves.clone();
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
    fn apply_limits(&self) {
        self.limits
            .0
            .set(self.settings.download_limit_kib.saturating_mul(1024));
        self.limits
            .1
            .set(self.settings.upload_limit_kib.saturating_mul(1024));
    }

    /// Closing the window with transfers running asks first (they would stop).
    fn check_close(&mut self, ctx: &egui::Context) {
        let pending = self.queue.pending();
        if !ctx.input(|i| i.viewport().close_requested())
            || self.quit_confirmed
            || self.live.is_none()
            || pending == 0
        {
            return;
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        if !matches!(self.dialog, Some(Dialog::Quit { .. })) {
            // Over whatever else was asked: it comes back if the user stays.
            if let Some(other) = self.dialog.take() {
                self.questions.push_front(other);
            }
            self.dialog = Some(Dialog::Quit { pending });
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = match &self.live {
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
        if let Some(live) = self.live.take() {
            connection::shut_down(live);
        }
    }
}

/// Reads a local folder (on a worker thread).
fn read_local_dir(path: &Path) -> Result<Vec<FileRow>, String> {
    let entries = std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(entries
        .filter_map(Result::ok)
        .map(|e| FileRow::from_local(e.file_name().to_string_lossy().into_owned(), &e.path()))
        .collect())
}

/// `chmod` on this computer (a worker thread).
#[cfg(unix)]
fn set_local_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_local_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Err(std::io::Error::other("Unix permissions do not exist here"))
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
    let text = std::fs::read_to_string(xml).map_err(|e| format!("{}: {e}", xml.display()))?;
    let report = crate::sites::filezilla::parse_sitemanager(&text).map_err(|e| e.to_string())?;
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
