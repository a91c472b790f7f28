//! The connection doctor's window: opened from "Diagnose" after a failed connection, it
//! shows the diagnosis (run on a worker) and offers to connect with the settings that worked
//! and to save them in the site.

use egui::RichText;

use crate::client::ConnectRequest;
use crate::client::doctor::{Diagnosis, Way};

/// What the user chose in the doctor's window.
pub(crate) enum DoctorAction {
    /// Connect with the request changed to the way that worked.
    Connect(Box<ConnectRequest>),
    /// Save the way that worked in the saved site `site_path`.
    Apply {
        site_path: String,
        way: Way,
        port: u16,
    },
}

/// The window's state: the request diagnosed and, once the worker is done, the diagnosis.
pub(crate) struct DoctorWindow {
    pub request: ConnectRequest,
    pub result: Option<Result<Box<Diagnosis>, String>>,
    /// The site's settings were saved: the button is not offered again.
    applied: bool,
}

impl DoctorWindow {
    /// The window for `request`, waiting for its diagnosis.
    pub(crate) fn new(request: ConnectRequest) -> DoctorWindow {
        DoctorWindow {
            request,
            result: None,
            applied: false,
        }
    }

    /// The saved site this request is for, when it is one.
    fn site_path(&self) -> Option<&str> {
        match &self.request.login {
            crate::client::Login::Keychain { site_path, .. } => Some(site_path),
            _ => None,
        }
    }

    /// Draws the window; `open` becomes false when closed.
    pub(crate) fn ui(&mut self, ctx: &egui::Context, open: &mut bool) -> Option<DoctorAction> {
        let mut action = None;
        egui::Window::new("Connection doctor")
            .open(open)
            .collapsible(false)
            .default_width(640.0)
            .show(ctx, |ui| {
                ui.label(self.request.label.as_str());
                ui.separator();
                match &self.result {
                    None => {
                        ui.horizontal(|ui| {
                            crate::ui::spinner::ui_spinner(ui, 12.0);
                            ui.label("Trying the ways servers differ…");
                        });
                    }
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, e.as_str());
                    }
                    Some(Ok(diagnosis)) => action = self.ui_diagnosis(ui, diagnosis.clone()),
                }
            });
        action
    }

    fn ui_diagnosis(&mut self, ui: &mut egui::Ui, d: Box<Diagnosis>) -> Option<DoctorAction> {
        let mut action = None;
        let (mark, color) = if d.works {
            ("✔ Works", ui.visuals().text_color())
        } else {
            ("⚠ Does not work", ui.visuals().error_fg_color)
        };
        ui.label(RichText::new(mark).strong().color(color));
        ui.label(d.verdict.as_str());
        ui.add_space(4.0);
        egui::ScrollArea::vertical()
            .max_height(260.0)
            .show(ui, |ui| {
                egui::Grid::new("doctor-checks")
                    .striped(true)
                    .show(ui, |ui| {
                        for check in &d.checks {
                            ui.label(if check.ok { "✔" } else { "✖" });
                            ui.label(check.name.as_str());
                            ui.label(crate::ftp::text::escape(&check.detail));
                            ui.end_row();
                        }
                    });
            });
        if let Some(tls) = &d.tls {
            ui.weak(format!("TLS: {tls}"));
        }
        if let Some(rtt) = d.round_trip_ms {
            ui.weak(format!("Round trip: {rtt:.1} ms"));
        }
        let way = d.working?;
        let mut changed = self.request.clone();
        way.apply(&mut changed.endpoint);
        let differs = changed.endpoint != self.request.endpoint;
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let label = if differs {
                "Connect with these settings"
            } else {
                "Connect"
            };
            if ui.button(label).clicked() {
                action = Some(DoctorAction::Connect(Box::new(changed.clone())));
            }
            if differs
                && !self.applied
                && let Some(site_path) = self.site_path()
                && ui
                    .button(format!("Save them in the site {site_path}"))
                    .clicked()
            {
                action = Some(DoctorAction::Apply {
                    site_path: site_path.to_owned(),
                    way,
                    port: self.request.endpoint.port,
                });
                self.applied = true;
            }
        });
        action
    }
}
