//! "Diagnose" after a failed connection: the connection doctor on a worker, its window, and
//! what the user does with its result (connect that way, save it in the site).

use super::*;
use crate::client::doctor::Way;
use crate::ui::doctor::{DoctorAction, DoctorWindow};

impl FerryApp {
    /// Runs the doctor on `request` on a worker; its window shows the progress and result.
    pub(super) fn diagnose(&mut self, request: ConnectRequest) {
        self.doctor = Some(DoctorWindow::new(request.clone()));
        let (trust, keychain) = (self.trust.clone(), self.env.keychain.clone());
        let (inbox, log) = (self.inbox.clone(), self.log_sink.clone());
        let _ = std::thread::Builder::new()
            .name("ferry-doctor".into())
            .spawn(move || {
                let result = crate::client::doctor::diagnose(
                    &request,
                    &connection::WindowDecisions,
                    &trust,
                    &keychain,
                    &log,
                )
                .map(Box::new)
                .map_err(|e| e.to_string());
                inbox.send(UiEvent::Diagnosed(result));
            });
    }

    /// The doctor's window, when open, and what was chosen in it.
    pub(super) fn ui_doctor(&mut self, ctx: &egui::Context) {
        let Some(window) = &mut self.doctor else {
            return;
        };
        let mut open = true;
        let action = window.ui(ctx, &mut open);
        if !open {
            self.doctor = None;
        }
        match action {
            None => {}
            Some(DoctorAction::Connect(request)) => {
                self.doctor = None;
                // A quick-connect server: the bar shows the security that works from now on.
                if !matches!(request.login, Login::Keychain { .. })
                    && request.endpoint.host == self.quick.host.trim()
                {
                    self.quick.security =
                        crate::sites::SiteSecurity::from_security(request.endpoint.security);
                }
                self.connect(*request);
            }
            Some(DoctorAction::Apply {
                site_path,
                way,
                port,
            }) => self.save_way_in_site(site_path, way, port),
        }
    }

    /// Saves what the doctor found in the saved site (on a worker: it reads and writes the
    /// site file). The site keeps what it cannot express (EPSV is tried first always).
    fn save_way_in_site(&mut self, site_path: String, way: Way, port: u16) {
        let done = format!("Saved the settings that work in {site_path}.");
        self.update_site_in_background(site_path, move |site| {
            site.security = crate::sites::SiteSecurity::from_security(way.security);
            site.port = port;
            if way.tls12_only {
                site.max_tls = crate::sites::MaxTls::Tls12;
                site.min_tls = crate::sites::MinTls::Tls12;
            }
            site.transfer_mode = if way.active {
                crate::sites::TransferMode::Active
            } else {
                crate::sites::TransferMode::Passive
            };
            Some(done)
        });
    }
}
