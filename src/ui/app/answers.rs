//! The modal dialogs' answers carried out, and the question asked when closing the window
//! with transfers running.

use super::*;

impl FerryApp {
    pub(super) fn ui_dialogs(&mut self, ctx: &egui::Context) {
        if self.dialog.is_none() {
            self.dialog = self.questions.pop_front();
        }
        let Some(asked) = &mut self.dialog else {
            return;
        };
        let choice = dialogs::ui_dialog(ctx, &mut asked.dialog);
        if matches!(choice, Choice::None) {
            return;
        }
        let tab = asked.tab;
        self.dialog = None;
        if let Choice::CloseTab = choice {
            // Not inside `with_tab`: closing rearranges the tabs themselves.
            self.close_tab(tab, true);
            return;
        }
        // Carried out in the tab that asked (it may be in the background by now).
        self.with_tab(tab, |app| app.carry_out(choice, ctx));
    }

    /// Does what the user chose in a dialog of `self.tab`.
    fn carry_out(&mut self, choice: Choice, ctx: &egui::Context) {
        match choice {
            Choice::None | Choice::Cancel => {}
            Choice::Chmod { side, names, mode } => self.chmod(side, names, mode),
            Choice::CloseTab => {}
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
                self.tab.status = Some(Status {
                    text: why,
                    error: false,
                    retry: self.tab.conn.last_request.is_some(),
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
                // Retry asks again (the password may be what was wrong), so the request
                // remembered is the one without it.
                let asked = (*request).clone();
                request.login = Login::Password {
                    user: request.login.user().to_owned(),
                    password,
                };
                self.connect(*request);
                if self.tab.conn.connecting.is_some() {
                    self.tab.conn.last_request = Some(asked);
                }
            }
            Choice::Trust(problem, request, decision) => {
                if decision == crate::tls::Decision::Reject {
                    self.tab.status = Some(Status {
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
                self.tab.conn.connecting = Some(request.label.clone());
                self.tab.conn.attempt = self.new_attempt();
                let setup = self.engine_setup(&request);
                self.dialer().start(
                    self.tab.conn.attempt,
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
                        let from_path = self.tab.remote.child_path(&from);
                        let to_path = self.tab.remote.child_path(&to);
                        self.browse(
                            BrowseRequest::Rename {
                                from: from_path,
                                to: to_path,
                            },
                            Purpose::Change(format!("Renamed {from} to {to}")),
                        );
                    }
                    Side::Local => {
                        // The pane may have moved to "This PC" since the question was asked.
                        let Some(dir) = self.local_folder() else {
                            return;
                        };
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
                        let path = self.tab.remote.child_path(&name);
                        self.browse(
                            BrowseRequest::Mkdir(path),
                            Purpose::Change(format!("Created {name}")),
                        );
                    }
                    Side::Local => {
                        let Some(dir) = self.local_folder() else {
                            return;
                        };
                        let path = dir.join(&name);
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
                if let Some(live) = &self.tab.conn.live {
                    live.engine.send(Command::Answer {
                        item,
                        decision,
                        for_job,
                    });
                }
                if for_job {
                    // The engine answers the rest of the job itself; drop its queued questions.
                    let job = self.tab.queue.item(item).map(|i| i.job);
                    let tab = self.tab.id;
                    self.questions.retain(|q| match &q.dialog {
                        Dialog::Exists { item: other, .. } if q.tab == tab => {
                            self.tab.queue.item(*other).map(|i| i.job) != job
                        }
                        _ => true,
                    });
                }
            }
        }
    }

    /// Closing the window with transfers running asks first (they would stop).
    pub(super) fn check_close(&mut self, ctx: &egui::Context) {
        let pending = self.pending_everywhere();
        if !ctx.input(|i| i.viewport().close_requested()) || self.quit_confirmed || pending == 0 {
            return;
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        if !matches!(
            self.dialog,
            Some(Asked {
                dialog: Dialog::Quit { .. },
                ..
            })
        ) {
            // Over whatever else was asked: it comes back if the user stays.
            if let Some(other) = self.dialog.take() {
                self.questions.push_front(other);
            }
            self.dialog = Some(Asked {
                tab: self.tab.id,
                dialog: Dialog::Quit { pending },
            });
        }
    }
}
