//! The modal dialogs' answers carried out, and the question asked when closing the window
//! with transfers running.

use super::*;

impl FerryApp {
    pub(super) fn ui_dialogs(&mut self, ctx: &egui::Context) {
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
            Choice::UploadEdited {
                local,
                remote,
                server,
            } => self.upload_edited(local, remote, server),
            Choice::Quit => {
                self.quit_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Choice::NotConnected(why) => {
                self.log.push(LogLine::now(LogKind::Info, why.clone()));
                self.status = Some(Status {
                    text: why,
                    error: false,
                    retry: self.conn.last_request.is_some(),
                });
            }
            Choice::Password {
                mut request,
                password,
                remember,
            } => {
                if remember {
                    self.conn
                        .session_passwords
                        .insert(request.label.clone(), password.clone());
                }
                // Retry asks again (the password may be what was wrong), so the request
                // remembered is the one without it.
                let asked = (*request).clone();
                request.login = Login::Password {
                    user: request.login.user().to_owned(),
                    password,
                };
                self.connect(*request);
                if self.conn.connecting.is_some() {
                    self.conn.last_request = Some(asked);
                }
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
                self.conn.connecting = Some(request.label.clone());
                self.conn.attempt += 1;
                let setup = self.engine_setup(&request);
                self.dialer().start(
                    self.conn.attempt,
                    *request,
                    Some((*problem, decision)),
                    setup,
                );
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
                if let Some(live) = &self.conn.live {
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

    /// Closing the window with transfers running asks first (they would stop).
    pub(super) fn check_close(&mut self, ctx: &egui::Context) {
        let pending = self.queue.pending();
        if !ctx.input(|i| i.viewport().close_requested())
            || self.quit_confirmed
            || self.conn.live.is_none()
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
}
