//! Modal dialogs. Each one is data ([`Dialog`]) drawn by [`ui_dialog`], which returns what the
//! user chose; the window acts on it. Risky choices are never the default: Reject is the
//! focused button of the certificate dialogs, Cancel of the plain-FTP warning. A click outside
//! a dialog does nothing (it is modal); Escape is an answer, the safe one ([`on_escape`]):
//! Reject a certificate, Skip an existing file, Cancel the rest.

use egui::{Color32, RichText};

use crate::tls::{CertInfo, Decision, TrustProblem};
use crate::transfer::FileExistsPolicy;

use super::connection::ConnectRequest;
use super::files::FileRow;
use super::format;
use super::pane::Side;

/// The dialog on screen.
pub(crate) enum Dialog {
    Certificate {
        problem: Box<TrustProblem>,
        request: Box<ConnectRequest>,
        can_remember: bool,
    },
    PlainWarning(Box<ConnectRequest>),
    ConfirmDelete {
        side: Side,
        rows: Vec<FileRow>,
    },
    Rename {
        side: Side,
        from: String,
        to: String,
        /// First frame: focus the field and select the name without its extension.
        fresh: bool,
    },
    NewFolder {
        side: Side,
        name: String,
        fresh: bool,
    },
    /// A saved site without a saved password (no keychain, or set to ask), or a keychain that
    /// failed: the password for this connection.
    Password {
        request: Box<ConnectRequest>,
        user: String,
        /// Why it is asked for (said above the field).
        why: String,
        password: String,
        /// Keep it in memory until Ferry quits, for this site's next connections.
        remember: bool,
        fresh: bool,
    },
    Exists {
        item: u64,
        target: String,
        existing: Option<u64>,
        source: Option<u64>,
        for_job: bool,
    },
    /// The connected server's certificate (the lock was clicked).
    ShowCertificate(Box<CertInfo>),
    /// Permissions of files or folders.
    Permissions(Box<super::permissions::PermissionsForm>),
    /// A file opened with View/Edit was saved: upload it back?
    UploadEdited {
        local: std::path::PathBuf,
        remote: String,
        server: String,
    },
    /// A tab with `pending` transfers not finished is being closed.
    CloseTab {
        pending: usize,
    },
    /// The window is being closed with `pending` transfers not finished.
    Quit {
        pending: usize,
    },
}

/// What the user chose.
pub(crate) enum Choice {
    /// Still open.
    None,
    /// Closed without doing anything.
    Cancel,
    /// A connection was declined before it started (no password, plain FTP refused): why.
    NotConnected(String),
    Trust(Box<TrustProblem>, Box<ConnectRequest>, Decision),
    ConnectPlain(Box<ConnectRequest>),
    /// Change the permissions of `names` (in `side`'s folder) to `mode`.
    Chmod {
        side: Side,
        names: Vec<String>,
        mode: u32,
    },
    /// Close the window even though transfers are running.
    Quit,
    /// Close the tab even though transfers are running in it.
    CloseTab,
    /// Upload the edited copy `local` over `remote` (through the connection to `server`).
    UploadEdited {
        local: std::path::PathBuf,
        remote: String,
        server: String,
    },
    /// Connect with the password typed in the password dialog.
    Password {
        request: Box<ConnectRequest>,
        password: String,
        remember: bool,
    },
    Delete(Side, Vec<FileRow>),
    Rename {
        side: Side,
        from: String,
        to: String,
    },
    NewFolder {
        side: Side,
        name: String,
    },
    Answer {
        item: u64,
        decision: FileExistsPolicy,
        for_job: bool,
    },
}

/// Draws `dialog` as a modal.
pub(crate) fn ui_dialog(ctx: &egui::Context, dialog: &mut Dialog) -> Choice {
    let mut choice = Choice::None;
    let modal = egui::Modal::new(egui::Id::unique("ferry-dialog")).show(ctx, |ui| {
        ui.set_max_width(640.0);
        match dialog {
            Dialog::Certificate {
                problem,
                request,
                can_remember,
            } => ui_certificate(ui, problem, request, *can_remember, &mut choice),
            Dialog::PlainWarning(request) => ui_plain_warning(ui, request, &mut choice),
            Dialog::ConfirmDelete { side, rows } => ui_confirm_delete(ui, *side, rows, &mut choice),
            Dialog::Rename {
                side,
                from,
                to,
                fresh,
            } => {
                ui.heading("Rename");
                ui.label(format!("New name for “{from}”:"));
                let edit = ui_name_field(ui, to, "New name", std::mem::take(fresh), true);
                let enter = confirmed(ui, &edit);
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Rename").clicked() || enter {
                        choice = Choice::Rename {
                            side: *side,
                            from: from.clone(),
                            to: to.trim().to_owned(),
                        };
                    }
                    if ui.button("Cancel").clicked() {
                        choice = Choice::Cancel;
                    }
                });
            }
            Dialog::NewFolder { side, name, fresh } => {
                ui.heading("New folder");
                let edit = ui_name_field(ui, name, "Folder name", std::mem::take(fresh), false);
                let enter = confirmed(ui, &edit);
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Create").clicked() || enter {
                        choice = Choice::NewFolder {
                            side: *side,
                            name: name.trim().to_owned(),
                        };
                    }
                    if ui.button("Cancel").clicked() {
                        choice = Choice::Cancel;
                    }
                });
            }
            Dialog::Password {
                request,
                user,
                why,
                password,
                remember,
                fresh,
            } => {
                ui.heading(format!("Password for {}", request.label));
                ui.label(why.as_str());
                ui.label(format!("User {user} on {}", request.endpoint.host));
                let edit = ui.add(
                    egui::TextEdit::singleline(password)
                        .password(true)
                        .hint_text("Password"),
                );
                if std::mem::take(fresh) {
                    edit.request_focus();
                }
                let enter = confirmed(ui, &edit);
                ui.checkbox(remember, "Remember for this session (until Ferry quits)");
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button(RichText::new("Connect").strong()).clicked() || enter {
                        choice = Choice::Password {
                            request: request.clone(),
                            password: password.clone(),
                            remember: *remember,
                        };
                    }
                    if ui.button("Cancel").clicked() {
                        choice = no_password(request);
                    }
                });
            }
            Dialog::Exists {
                item,
                target,
                existing,
                source,
                for_job,
            } => {
                ui.heading("The target file exists");
                ui.label(target.as_str());
                let size =
                    |s: &Option<u64>| s.map(format::size).unwrap_or_else(|| "unknown".into());
                ui.label(format!(
                    "Existing: {}    New: {}",
                    size(existing),
                    size(source)
                ));
                ui.checkbox(for_job, "Apply to all files of this transfer");
                ui.add_space(8.0);
                ui.horizontal_wrapped(|ui| {
                    for (policy, text) in [
                        (FileExistsPolicy::Overwrite, "Overwrite"),
                        (FileExistsPolicy::OverwriteIfNewer, "Overwrite if newer"),
                        (FileExistsPolicy::Resume, "Resume"),
                        (FileExistsPolicy::Rename, "Keep both"),
                        (FileExistsPolicy::Skip, "Skip"),
                    ] {
                        if ui.button(text).clicked() {
                            choice = Choice::Answer {
                                item: *item,
                                decision: policy,
                                for_job: *for_job,
                            };
                        }
                    }
                });
            }
            Dialog::Permissions(form) => {
                ui.heading("Permissions");
                let valid = form.ui(ui);
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.add_enabled(valid, egui::Button::new("Apply")).clicked() {
                        choice = Choice::Chmod {
                            side: form.side,
                            names: form.names.clone(),
                            mode: form.mode,
                        };
                    }
                    if ui.button("Cancel").clicked() {
                        choice = Choice::Cancel;
                    }
                });
            }
            Dialog::Quit { pending } => {
                let text = format!(
                    "{pending} transfer(s) are not finished. If you quit now they stop; the queue is saved and they resume (where the server allows) the next time you connect to this server."
                );
                let answer = ui_keep_or_stop(
                    ui,
                    "Transfers are running",
                    &text,
                    ["Keep running", "Quit anyway"],
                );
                if let Some(stop) = answer {
                    choice = if stop { Choice::Quit } else { Choice::Cancel };
                }
            }
            Dialog::UploadEdited {
                local,
                remote,
                server,
            } => {
                ui.heading("File changed");
                ui.label(format!(
                    "{} was saved by another program. Upload it to {server}, replacing {remote}?",
                    local
                        .file_name()
                        .map_or_else(|| local.display().to_string(), |n| n.to_string_lossy().into_owned()),
                ));
                ui.weak(format!("The copy: {}", local.display()));
                ui.add_space(10.0);
                ui.horizontal(|ui| {
                    if ui.button(RichText::new("Upload").strong()).clicked() {
                        choice = Choice::UploadEdited {
                            local: local.clone(),
                            remote: remote.clone(),
                            server: server.clone(),
                        };
                    }
                    if ui.button("Not now").clicked() {
                        choice = Choice::Cancel;
                    }
                });
                ui.weak("Not now: the file stays watched; the next save asks again.");
            }
            Dialog::CloseTab { pending } => {
                let text = format!(
                    "{pending} transfer(s) of this tab are not finished. Closing the tab stops them; a saved queue resumes them the next time you connect to this server."
                );
                let answer = ui_keep_or_stop(
                    ui,
                    "Transfers are running in this tab",
                    &text,
                    ["Keep the tab", "Close it anyway"],
                );
                if let Some(stop) = answer {
                    choice = if stop { Choice::CloseTab } else { Choice::Cancel };
                }
            }
            Dialog::ShowCertificate(info) => {
                ui.heading("Server certificate");
                ui_cert_details(ui, info, "cert-shown");
                ui.add_space(8.0);
                if ui.button("Close").clicked() {
                    choice = Choice::Cancel;
                }
            }
        }
    });
    // Not `modal.should_close()`: that is also a click on the backdrop, which would close a
    // certificate prompt without an answer. Only Escape (and only this topmost dialog's).
    let escape = || ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape));
    if matches!(choice, Choice::None) && modal.is_top_modal && escape() {
        choice = on_escape(dialog);
    }
    choice
}

/// What Escape answers: never a risk, and always an answer the window acts on (logs it, moves
/// the queue on), not a dialog that vanishes.
pub(crate) fn on_escape(dialog: &Dialog) -> Choice {
    match dialog {
        Dialog::Certificate {
            problem, request, ..
        } => Choice::Trust(problem.clone(), request.clone(), Decision::Reject),
        Dialog::Exists { item, for_job, .. } => Choice::Answer {
            item: *item,
            decision: FileExistsPolicy::Skip,
            for_job: *for_job,
        },
        Dialog::Password { request, .. } => no_password(request),
        Dialog::PlainWarning(request) => Choice::NotConnected(format!(
            "Not connected to {}: plain FTP was declined.",
            request.label
        )),
        Dialog::ConfirmDelete { .. }
        | Dialog::Rename { .. }
        | Dialog::NewFolder { .. }
        | Dialog::ShowCertificate(_)
        | Dialog::Permissions(_)
        | Dialog::UploadEdited { .. }
        | Dialog::CloseTab { .. }
        | Dialog::Quit { .. } => Choice::Cancel,
    }
}

/// "Transfers would stop": `buttons` are keep (the default, focused) and stop. Some(true):
/// stop them; Some(false): keep them.
fn ui_keep_or_stop(
    ui: &mut egui::Ui,
    heading: &str,
    text: &str,
    [keep, stop]: [&str; 2],
) -> Option<bool> {
    ui.heading(heading);
    ui.label(text);
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        let keep = ui.button(RichText::new(keep).strong());
        if !ui.ctx().memory(|m| m.focused().is_some()) {
            keep.request_focus();
        }
        if keep.clicked() {
            return Some(false);
        }
        ui.button(stop).clicked().then_some(true)
    })
    .inner
}

fn no_password(request: &ConnectRequest) -> Choice {
    Choice::NotConnected(format!(
        "Not connected to {}: no password given.",
        request.label
    ))
}

/// A name field that takes the keyboard when its dialog opens; for a rename the name is
/// selected up to its extension ("report" of "report.pdf"), so typing replaces just that.
fn ui_name_field(
    ui: &mut egui::Ui,
    text: &mut String,
    hint: &str,
    fresh: bool,
    select_stem: bool,
) -> egui::Response {
    let mut output = egui::TextEdit::singleline(text).hint_text(hint).show(ui);
    let response = output.response.response.clone();
    if fresh {
        response.request_focus();
        let chars = text.chars().count();
        let stem = match text.rfind('.') {
            Some(dot) if dot > 0 && select_stem => text[..dot].chars().count(),
            _ => chars,
        };
        output
            .state
            .cursor
            .set_char_range(Some(egui::text_selection::CCursorRange::two(
                egui::text::CCursor::new(0),
                egui::text::CCursor::new(stem),
            )));
        output.state.store(ui.ctx(), response.id);
    }
    response
}

/// Enter pressed in `field` (a single-line field gives the focus up on Enter, so the key is
/// looked at in this frame, whether the field still has the focus or just lost it).
fn confirmed(ui: &egui::Ui, field: &egui::Response) -> bool {
    (field.has_focus() || field.lost_focus()) && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

fn ui_certificate(
    ui: &mut egui::Ui,
    problem: &TrustProblem,
    request: &ConnectRequest,
    can_remember: bool,
    choice: &mut Choice,
) {
    let trust = |decision| {
        Choice::Trust(
            Box::new(problem.clone()),
            Box::new(request.clone()),
            decision,
        )
    };
    match problem {
        TrustProblem::Unknown { presented, .. } => {
            ui.heading("Unknown certificate");
            ui.label(format!(
                "The server {} presented a certificate this computer does not trust{}.",
                problem.target(),
                presented
                    .problem
                    .as_ref()
                    .map(|p| format!(" ({})", p.describe()))
                    .unwrap_or_default()
            ));
            ui.label("Check the fingerprint with the server's administrator before you trust it.");
            ui.add_space(6.0);
            ui_cert_details(ui, presented, "cert-unknown");
        }
        TrustProblem::Changed {
            pinned, presented, ..
        } => {
            let red = Color32::from_rgb(0xd0, 0x20, 0x20);
            egui::Frame::new()
                .fill(red)
                .inner_margin(10.0)
                .corner_radius(4.0)
                .show(ui, |ui| {
                    ui.label(
                        RichText::new(format!(
                            "⚠ WARNING: THE CERTIFICATE OF {} HAS CHANGED",
                            problem.target()
                        ))
                        .color(Color32::WHITE)
                        .strong()
                        .size(16.0),
                    );
                    ui.label(
                        RichText::new(
                            "Someone may be intercepting this connection, or the server got a new certificate. \
                             Do not continue unless the server's administrator confirms the new fingerprint.",
                        )
                        .color(Color32::WHITE),
                    );
                });
            ui.add_space(6.0);
            ui.columns(2, |cols| {
                cols[0].strong(format!(
                    "Pinned (accepted {})",
                    CertInfo::format_time(pinned.accepted_at)
                ));
                ui_cert_summary(
                    &mut cols[0],
                    "cert-pinned",
                    [&pinned.sha256, &pinned.subject, &pinned.issuer],
                    (pinned.not_before, pinned.not_after),
                );
                cols[1].strong(RichText::new("Presented now").color(red));
                ui_cert_summary(
                    &mut cols[1],
                    "cert-new",
                    [&presented.sha256, &presented.subject, &presented.issuer],
                    (presented.not_before, presented.not_after),
                );
            });
        }
    }
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        let reject = ui.button(RichText::new("Reject").strong());
        if !ui.ctx().memory(|m| m.focused().is_some()) {
            reject.request_focus();
        }
        if reject.clicked() {
            *choice = Choice::Trust(
                Box::new(problem.clone()),
                Box::new(request.clone()),
                Decision::Reject,
            );
        }
        let (once, always) = match problem {
            TrustProblem::Unknown { .. } => ("Accept once", "Always accept"),
            TrustProblem::Changed { .. } => (
                "Accept the new certificate once",
                "Replace the pinned certificate",
            ),
        };
        if ui.button(once).clicked() {
            *choice = trust(Decision::AcceptOnce);
        }
        if ui
            .add_enabled(can_remember, egui::Button::new(always))
            .on_disabled_hover_text("No configuration folder: Ferry cannot remember certificates")
            .clicked()
        {
            *choice = trust(Decision::AcceptAlways);
        }
    });
}

/// Fingerprint, subject, issuer and validity: what to compare between a pinned certificate and
/// the one presented now.
fn ui_cert_summary(
    ui: &mut egui::Ui,
    id: &str,
    [sha256, subject, issuer]: [&str; 3],
    valid: (i64, i64),
) {
    egui::Grid::new(id).num_columns(2).show(ui, |ui| {
        grid_row(ui, "SHA-256", sha256);
        grid_row(ui, "Subject", subject);
        grid_row(ui, "Issuer", issuer);
        let valid = format!(
            "{} to {}",
            CertInfo::format_time(valid.0),
            CertInfo::format_time(valid.1)
        );
        grid_row(ui, "Valid", &valid);
    });
}

fn grid_row(ui: &mut egui::Ui, name: &str, value: &str) {
    ui.label(name);
    ui.add(egui::Label::new(RichText::new(value).monospace()).wrap());
    ui.end_row();
}

/// The details of a certificate, as a grid.
pub(crate) fn ui_cert_details(ui: &mut egui::Ui, info: &CertInfo, id: &str) {
    egui::Grid::new(id)
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            grid_row(ui, "Subject", &info.subject);
            grid_row(ui, "Issuer", &info.issuer);
            if !info.subject_alt_names.is_empty() {
                grid_row(ui, "Names", &info.subject_alt_names.join(", "));
            }
            grid_row(
                ui,
                "Valid",
                &format!(
                    "{} to {}",
                    CertInfo::format_time(info.not_before),
                    CertInfo::format_time(info.not_after)
                ),
            );
            grid_row(ui, "SHA-256", &info.sha256);
            grid_row(
                ui,
                "Key",
                &match info.key_bits {
                    Some(bits) => format!("{} {bits} bits", info.key_algorithm),
                    None => info.key_algorithm.clone(),
                },
            );
            grid_row(ui, "Serial", &info.serial);
            if let (Some(v), Some(c)) = (&info.tls_version, &info.cipher_suite) {
                grid_row(ui, "Connection", &format!("{v}, {c}"));
            }
        });
}

fn ui_plain_warning(ui: &mut egui::Ui, request: &ConnectRequest, choice: &mut Choice) {
    ui.heading("⚠ Connect without encryption?");
    ui.label(format!(
        "{} uses plain FTP. Your user name, your password and every file travel in clear: \
         anyone on the way can read them, and change the files.",
        request.endpoint.host
    ));
    ui.label("Use explicit or implicit FTPS unless the server offers nothing else.");
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        let cancel = ui.button(RichText::new("Cancel").strong());
        if !ui.ctx().memory(|m| m.focused().is_some()) {
            cancel.request_focus();
        }
        if cancel.clicked() {
            *choice = on_escape(&Dialog::PlainWarning(Box::new(request.clone())));
        }
        if ui.button("Connect without encryption").clicked() {
            let mut request = request.clone();
            request.plain_confirmed = true;
            *choice = Choice::ConnectPlain(Box::new(request));
        }
    });
}

fn ui_confirm_delete(ui: &mut egui::Ui, side: Side, rows: &[FileRow], choice: &mut Choice) {
    let folders = rows.iter().filter(|r| r.is_container()).count();
    ui.heading("Delete?");
    let what = if rows.len() == 1 {
        format!("“{}”", rows[0].name)
    } else {
        format!("{} items", rows.len())
    };
    ui.label(format!(
        "Delete {what} from the {} side? This cannot be undone.",
        side.title().to_lowercase()
    ));
    if folders > 0 {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Folders are deleted with everything in them.",
        );
    }
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        let cancel = ui.button("Cancel");
        if !ui.ctx().memory(|m| m.focused().is_some()) {
            cancel.request_focus();
        }
        if cancel.clicked() {
            *choice = Choice::Cancel;
        }
        if ui.button("Delete").clicked() {
            *choice = Choice::Delete(side, rows.to_vec());
        }
    });
}
