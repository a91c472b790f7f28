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
    /// Passwords typed into the password dialog with "remember for this session", by site;
    /// in memory only, gone when Ferry quits.
    pub session_passwords: HashMap<String, String>,
    /// The last request, for Retry.
    pub last_request: Option<ConnectRequest>,
    /// The quick-connect server being connected to: it joins the history once connected.
    pub quick_server: Option<settings::RecentServer>,
}

impl FerryApp {
    pub(super) fn connected(&mut self, outcome: Outcome) {
        self.conn.connecting = None;
        match outcome {
            Outcome::Connected(live) => {
                if let Some(server) = self.conn.quick_server.take() {
                    self.prefs.settings.remember_server(server);
                    self.prefs.dirty = true;
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
                self.conn.live = Some(*live);
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
                if let Some(request) = &self.conn.last_request {
                    self.conn.session_passwords.remove(&request.label);
                }
                self.log.push(LogLine::now(LogKind::Error, message.clone()));
                self.status = Some(Status {
                    text: format!("Could not connect: {message}"),
                    error: true,
                    retry: self.conn.last_request.is_some(),
                });
            }
        }
    }

    /// Starts connecting (after the plain-FTP warning, when that applies).
    pub(super) fn connect(&mut self, mut request: ConnectRequest) {
        if request.needs_plain_warning() {
            self.dialog = Some(Dialog::PlainWarning(Box::new(request)));
            return;
        }
        if let (Login::Keychain { user, .. } | Login::Ask { user }, Some(password)) = (
            &request.login,
            self.conn.session_passwords.get(&request.label),
        ) {
            request.login = Login::Password {
                user: user.clone(),
                password: password.clone(),
            };
        }
        self.disconnect();
        self.conn.attempt += 1;
        self.conn.quick_server = None;
        self.conn.connecting = Some(request.label.clone());
        self.status = Some(Status {
            text: format!("Connecting to {}…", request.label),
            error: false,
            retry: false,
        });
        self.conn.last_request = Some(request.clone());
        let (setup, dialer) = (self.engine_setup(&request), self.dialer());
        let attempt = self.conn.attempt;
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
        if let Some(live) = self.conn.live.take() {
            connection::shut_down(live);
            self.status = Some(Status {
                text: "Disconnected".into(),
                error: false,
                retry: false,
            });
        }
        self.queue.reset();
        if let Some(mut search) = self.search.take() {
            search.end();
        }
        self.questions.clear();
        self.purposes.clear();
        self.remote.listing.replace_rows(Vec::new());
        self.remote.loading = false;
        self.remote.error = None;
        self.remote.placeholder = Some("Not connected.".into());
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
                        self.connect(request);
                        // Remembered once it connects.
                        self.conn.quick_server = Some(self.quick.recent());
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
        if let Some(label) = self.conn.connecting.take() {
            self.conn.attempt += 1;
            self.report(Ok(format!("Stopped connecting to {label}.")));
        }
    }

    /// The engine of a connection to `request`: the parallel transfers setting, and the
    /// server's own saved queue.
    pub(super) fn engine_setup(&self, request: &ConnectRequest) -> EngineSetup {
        let (queue_file, legacy_queue_file) = self.queue_files(request);
        EngineSetup {
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
        let Some(live) = &self.conn.live else {
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
}
