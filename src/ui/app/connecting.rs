//! Connecting and disconnecting: attempts (numbered, so a cancelled one is ignored),
//! their outcomes, the dialogs they lead to, quick connect, the engine a connection gets.

use super::*;

/// The connection: the server connected to, the attempt in progress, what was asked for.
#[derive(Default)]
pub(super) struct Connection {
    pub live: Option<Live>,
    /// The label of the server being connected to.
    pub connecting: Option<String>,
    /// The number of the latest connection attempt: reports of older ones (cancelled, or
    /// replaced by a newer attempt) are dropped.
    pub attempt: u64,
    /// This connection's saved queue (another tab connecting to the same server gets none).
    pub queue_file: Option<PathBuf>,
    /// The last request, for Retry.
    pub last_request: Option<ConnectRequest>,
    /// The quick-connect server being connected to: it joins the history once connected.
    pub quick_server: Option<settings::RecentServer>,
}

impl FerryApp {
    /// A number for a new connection attempt, unique across tabs.
    pub(super) fn new_attempt(&mut self) -> u64 {
        self.next_attempt += 1;
        self.next_attempt
    }

    pub(super) fn connected(&mut self, outcome: Outcome) {
        self.tab.conn.connecting = None;
        match outcome {
            Outcome::Connected(live) => {
                if let Some(server) = self.tab.conn.quick_server.take() {
                    self.prefs.settings.remember_server(server);
                    self.prefs.dirty = true;
                }
                self.tab.queue.load(&live.engine);
                self.tab.status = Some(Status {
                    text: format!("Connected to {}", live.label),
                    error: false,
                    retry: false,
                });
                self.tab.remote_cache.clear();
                self.tab.compare.offset_minutes = self
                    .tab
                    .conn
                    .last_request
                    .as_ref()
                    .map_or(0, |r| r.time_offset_minutes);
                self.tab.linked = None;
                self.tab.compare.forget_requests();
                self.tab.watching = None;
                self.tab.remote.placeholder = None;
                self.tab.remote.path = String::new();
                let start = live.start_dir.clone();
                let local_dir = live.local_dir.clone();
                self.tab.conn.live = Some(*live);
                self.list_remote(&start);
                if let Some(dir) = local_dir {
                    self.list_local(&dir.to_string_lossy());
                }
            }
            Outcome::Untrusted(problem, request) => {
                self.tab.status = Some(Status {
                    text: format!(
                        "Waiting for your decision about the certificate of {}",
                        problem.target()
                    ),
                    error: false,
                    retry: false,
                });
                self.ask(Dialog::Certificate {
                    problem,
                    request,
                    can_remember: self.trust.can_remember(),
                });
            }
            Outcome::NeedPassword { request, why } => {
                self.tab.status = Some(Status {
                    text: format!("Waiting for the password of {}", request.label),
                    error: false,
                    retry: false,
                });
                self.ask(Dialog::Password {
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
                if let Some(request) = &self.tab.conn.last_request {
                    self.session_passwords.remove(&request.label);
                }
                self.log.push(LogLine::now(LogKind::Error, message.clone()));
                self.tab.status = Some(Status {
                    text: format!("Could not connect: {message}"),
                    error: true,
                    retry: self.tab.conn.last_request.is_some(),
                });
            }
        }
    }

    /// Connects as the user asked (Quick Connect, a site): in this tab when it is free, else
    /// in a new one, so a running connection and its transfers are not cut off.
    pub(super) fn open_connection(&mut self, request: ConnectRequest) {
        if self.tab.conn.live.is_some() || self.tab.conn.connecting.is_some() {
            self.new_tab();
        }
        self.connect(request);
    }

    /// Starts connecting (after the plain-FTP warning, when that applies).
    pub(super) fn connect(&mut self, mut request: ConnectRequest) {
        if request.needs_plain_warning() {
            self.ask(Dialog::PlainWarning(Box::new(request)));
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
        self.tab.conn.attempt = self.new_attempt();
        self.tab.conn.quick_server = None;
        self.tab.conn.connecting = Some(request.label.clone());
        self.tab.status = Some(Status {
            text: format!("Connecting to {}…", request.label),
            error: false,
            retry: false,
        });
        self.tab.conn.last_request = Some(request.clone());
        let (setup, dialer) = (self.engine_setup(&request), self.dialer());
        let attempt = self.tab.conn.attempt;
        // Queued behind any keychain write still running (the attempt reads the keychain).
        let start = move || dialer.start(attempt, request, None, setup);
        if let Err(job) = self.keychain_jobs.send(Box::new(start)) {
            (job.0)();
        }
    }

    pub(super) fn dialer(&self) -> connection::Dialer {
        connection::Dialer {
            trust: self.trust.clone(),
            keychain: self.env.keychain.clone(),
            log: self.log_sink.clone(),
            inbox: self.inbox.clone(),
        }
    }

    pub(super) fn disconnect(&mut self) {
        if let Some(live) = self.tab.conn.live.take() {
            connection::shut_down(live);
            self.tab.status = Some(Status {
                text: "Disconnected".into(),
                error: false,
                retry: false,
            });
        }
        self.tab.queue.reset();
        self.tab.compare.forget_requests();
        self.tab.watching = None;
        self.tab.linked = None;
        self.tab.sync_dialog = None;
        if let Some(mut search) = self.tab.search.take() {
            search.end();
        }
        let tab = self.tab.id;
        self.questions.retain(|q| q.tab != tab);
        self.tab.purposes.clear();
        self.tab.remote.listing.replace_rows(Vec::new());
        self.tab.remote.loading = false;
        self.tab.remote.error = None;
        self.tab.remote.placeholder = Some("Not connected.".into());
    }

    pub(super) fn quick_action(&mut self, action: QuickAction) {
        match action {
            QuickAction::None => {}
            QuickAction::Cancel => self.cancel_connecting(),
            QuickAction::Connect => {
                self.quick.take_url();
                let timeout = Duration::from_secs(self.prefs.settings.timeout_seconds);
                match self.quick.request(timeout) {
                    Ok(request) => {
                        self.open_connection(request);
                        // Remembered once it connects.
                        self.tab.conn.quick_server = Some(self.quick.recent());
                    }
                    Err(e) => self.report(Err(e)),
                }
            }
            QuickAction::Recall(i) => {
                if let Some(server) = self.prefs.settings.quick_history.get(i).cloned() {
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
                self.prefs.settings.quick_history.clear();
                self.prefs.dirty = true;
            }
            QuickAction::SaveAsSite => {
                self.quick.take_url();
                match self.quick.to_site() {
                    Ok((site, password)) => {
                        self.open_site_manager();
                        if let Some(manager) = &mut self.sites.manager {
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
    pub(super) fn cancel_connecting(&mut self) {
        if let Some(label) = self.tab.conn.connecting.take() {
            self.tab.conn.attempt = 0;
            self.report(Ok(format!("Stopped connecting to {label}.")));
        }
    }

    /// The engine of a connection to `request`: the parallel transfers setting, and the
    /// server's own saved queue.
    /// When another tab is connected to the same server, this connection's queue is kept in
    /// memory only: two engines must not run (and rewrite) one saved queue.
    pub(super) fn engine_setup(&mut self, request: &ConnectRequest) -> EngineSetup {
        let (mut queue_file, legacy_queue_file) = self.queue_files(request);
        if let Some(file) = &queue_file
            && self.queue_file_in_use(file)
        {
            self.log.push(LogLine::now(
                LogKind::Info,
                format!(
                    "{} is open in another tab, which keeps its saved queue; transfers queued in this tab are not saved.",
                    request.label
                ),
            ));
            queue_file = None;
        }
        self.tab.conn.queue_file = queue_file.clone();
        EngineSetup {
            tab: self.tab.id,
            workers: self.prefs.settings.parallel_transfers,
            queue_file,
            legacy_queue_file,
            limits: self.prefs.limits.clone(),
        }
    }

    /// The server's saved queue, and the name an older Ferry gave it (`user_host_port.toml`,
    /// ambiguous: `a@b` and `a_b` shared one), to take over once. Paths only: the connecting
    /// thread touches the disk.
    pub(super) fn queue_files(
        &self,
        request: &ConnectRequest,
    ) -> (Option<PathBuf>, Option<PathBuf>) {
        let dir = self.env.data_dir.as_ref().map(|d| d.join("queues"));
        (
            dir.as_ref().map(|d| d.join(request.queue_file_name())),
            dir.map(|d| d.join(request.legacy_queue_file_name())),
        )
    }

    pub(super) fn ui_security_indicator(&mut self, ui: &mut egui::Ui) {
        let Some(live) = &self.tab.conn.live else {
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
                    "🔒 {} · {}{}{}",
                    tls.version,
                    tls.cipher_suite,
                    if security.data_protected {
                        " · data protected"
                    } else {
                        " · DATA NOT PROTECTED"
                    },
                    if tls.control_cleared {
                        " · commands in clear (CCC)"
                    } else {
                        ""
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
            self.ask(Dialog::ShowCertificate(Box::new(cert.clone())));
        }
    }
}
