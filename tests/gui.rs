//! The window, driven headless through egui_kittest (AccessKit queries and clicks) against our
//! own FTPS server on loopback: real TLS, real files on disk, the real transfer engine.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT, Queryable};
use ferry::client::Endpoint;
use ferry::ftp::{NullLog, ProtocolLog, Security, Session};
use ferry::sites::store::SiteStore;
use ferry::sites::{Keychain, Logon, Site, SiteSecurity};
use ferry::tls::{Decision, PinStore, Trust, TrustProblem};
use ferry::ui::{AppEnv, FerryApp};
use support::server::{Certs, ServerConfig, TestServer, TlsMode};

/// A window with its own folders and an in-memory keychain.
struct Gui {
    harness: Harness<'static, FerryApp>,
    dirs: tempfile::TempDir,
    keychain: Keychain,
    /// What the window asked the system to open (View/Edit), in order.
    opened: Arc<std::sync::Mutex<Vec<PathBuf>>>,
}

impl Gui {
    fn new() -> Gui {
        let dirs = tempfile::tempdir().unwrap();
        Gui::in_dirs(dirs)
    }

    fn in_dirs(dirs: tempfile::TempDir) -> Gui {
        Gui::sized(dirs, [1280.0, 860.0])
    }

    fn sized(dirs: tempfile::TempDir, size: [f32; 2]) -> Gui {
        std::fs::create_dir_all(dirs.path().join("local")).unwrap();
        let keychain = Keychain::with_store(keyring_core::mock::Store::new().unwrap());
        let opened = Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = opened.clone();
        let env = AppEnv {
            config_dir: Some(dirs.path().join("config")),
            data_dir: Some(dirs.path().join("data")),
            keychain: keychain.clone(),
            local_dir: dirs.path().join("local"),
            opener: Arc::new(move |path: &Path| {
                record.lock().unwrap().push(path.to_owned());
                Ok(())
            }),
        };
        let harness = Harness::builder()
            .with_size(size)
            // Frames 1/20 s apart: two clicks a frame apart are a double click (egui: 0.3 s).
            .with_step_dt(0.05)
            .build_ui_state(|ui, app: &mut FerryApp| app.show(ui), FerryApp::new(env));
        Gui {
            harness,
            dirs,
            keychain,
            opened,
        }
    }

    fn local(&self) -> PathBuf {
        self.dirs.path().join("local")
    }

    /// Writes a file into the local folder and refreshes the local pane (F5) until it shows.
    fn local_file(&mut self, name: &str, body: &[u8]) {
        std::fs::write(self.local().join(name), body).unwrap();
        self.harness.key_press(egui::Key::F5);
        self.wait_label(&format!("Local {name}"));
    }

    fn config(&self) -> PathBuf {
        self.dirs.path().join("config")
    }

    /// Steps frames until `found` holds, or fails after 20 s naming `what`.
    fn wait(&mut self, what: &str, found: impl Fn(&Harness<'static, FerryApp>) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.harness.step();
            if found(&self.harness) {
                // A few more frames: new windows and grids take some to settle where they stay
                // (sizing passes), and a click must land where the widget is.
                for _ in 0..5 {
                    self.harness.step();
                }
                return;
            }
            if Instant::now() > deadline {
                let labels: Vec<String> = self
                    .harness
                    .root()
                    .children_recursive()
                    .filter_map(|n| {
                        let n = n.accesskit_node();
                        n.label().or_else(|| n.value())
                    })
                    .collect();
                panic!("timed out waiting for {what}; on screen: {labels:?}");
            }
            std::thread::sleep(Duration::from_millis(15));
        }
    }

    fn wait_label(&mut self, label: &str) {
        let label = label.to_owned();
        self.wait(&label.clone(), move |h| {
            h.query_all_by_label_contains(&label).next().is_some()
        });
    }

    fn has(&self, label: &str) -> bool {
        self.harness
            .query_all_by_label_contains(label)
            .next()
            .is_some()
    }

    /// Clicks the widget labelled `label` (the last one: windows are drawn over the toolbar).
    fn click(&mut self, label: &str) {
        self.harness
            .get_all_by_label(label)
            .last()
            .unwrap_or_else(|| panic!("no {label:?} on screen"))
            .click();
        self.harness.step();
        self.harness.step();
    }

    /// Types into the text field whose hint (placeholder) or label is `name`.
    fn type_into(&mut self, name: &str, text: &str) {
        let by = By::new().predicate(move |n| {
            n.data().placeholder() == Some(name) || n.label().as_deref() == Some(name)
        });
        // The last match: windows (the Site Manager) are drawn after the toolbar.
        let node = self.harness.get_all(by).last().expect("a text field");
        node.focus();
        node.type_text(text);
        self.harness.step();
        self.harness.step();
    }

    /// Replaces the text of the field labelled `name`.
    fn replace_text(&mut self, name: &str, text: &str) {
        let by = By::new().predicate(move |n| {
            n.label().as_deref() == Some(name) || n.data().placeholder() == Some(name)
        });
        let node = self.harness.get_all(by).last().expect("a text field");
        node.focus();
        self.harness.step();
        self.harness
            .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        self.harness.step();
        self.type_into(name, text);
    }

    fn quick_connect(&mut self, server: &TestServer) {
        self.type_into("Host or URL", "127.0.0.1");
        self.type_into("User", "alice");
        self.type_into("Password", "s3cret");
        self.type_into("Port", &server.port().to_string());
        self.click("Connect");
    }
}

/// Trusts `server`'s certificate in `config`'s pin store, as an earlier "Always accept" would.
fn pin(server: &TestServer, config: &Path) {
    pin_as(server, config, Security::ExplicitTls);
}

/// [`pin`] for a server spoken to with `security` (implicit TLS, say).
fn pin_as(server: &TestServer, config: &Path, security: Security) {
    std::fs::create_dir_all(config).unwrap();
    let trust = Arc::new(Trust::new(Some(
        PinStore::load(&config.join("pins.toml")).unwrap(),
    )));
    let log: Arc<dyn ProtocolLog> = Arc::new(NullLog);
    let options = Endpoint::new("127.0.0.1", server.port(), security)
        .connect_options(&trust, &log)
        .unwrap();
    let Err(err) = Session::connect(options) else {
        panic!("expected an unknown certificate");
    };
    let problem = TrustProblem::from_error(&err).unwrap().clone();
    trust.decide(&problem, Decision::AcceptAlways).unwrap();
}

fn server_with_files() -> TestServer {
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        ..ServerConfig::default()
    });
    std::fs::create_dir(server.root().join("docs")).unwrap();
    std::fs::write(server.root().join("docs/readme.txt"), b"read me").unwrap();
    std::fs::write(server.root().join("hello.txt"), b"hello from the server").unwrap();
    server
}

fn connected_gui(server: &TestServer) -> Gui {
    let dirs = tempfile::tempdir().unwrap();
    pin(server, &dirs.path().join("config"));
    let mut gui = Gui::in_dirs(dirs);
    gui.quick_connect(server);
    gui.wait_label("Remote hello.txt");
    gui
}

#[test]
fn quick_connect_lists_opens_a_folder_and_goes_up() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    assert!(gui.has("Remote docs"));
    assert!(gui.has("TLSv1.3"), "the lock shows the TLS version");
    assert!(gui.has("data protected"));
    gui.harness.check_accessibility();

    // Select the folder, Enter opens it.
    gui.click("Remote docs");
    gui.harness.key_press(egui::Key::Enter);
    gui.wait_label("Remote readme.txt");
    assert!(!gui.has("Remote hello.txt"));

    // Backspace goes up (the remote pane is active since its row was clicked).
    gui.harness.key_press(egui::Key::Backspace);
    gui.wait_label("Remote hello.txt");
    assert!(
        server
            .commands()
            .iter()
            .any(|c| c.starts_with("MLSD") || c.starts_with("LIST")),
        "listings came from the server"
    );
}

#[test]
fn a_queued_download_completes_and_appears_in_the_local_pane() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    gui.click("Remote hello.txt");
    gui.click("⬅ Download");
    gui.wait_label("Done (1)");
    gui.click("Done (1)");
    gui.wait_label("Local hello.txt");
    let got = std::fs::read(gui.local().join("hello.txt")).unwrap();
    assert_eq!(got, b"hello from the server");
}

/// What the OS hands egui for a file dropped from the file manager.
#[derive(Debug)]
struct OsFile(PathBuf);

impl egui::DroppedFile for OsFile {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_file_dropped_from_the_os_onto_the_remote_pane_is_uploaded_and_listed() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("dropped.bin");
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&file, &bytes).unwrap();

    let remote = gui.harness.get_by_label("Remote hello.txt").rect().center();
    gui.harness.hover_at(remote);
    gui.harness.step();
    gui.harness
        .input_mut()
        .dropped_files
        .push(Arc::new(OsFile(file.clone())));
    gui.harness.step();
    gui.wait_label("Remote dropped.bin");
    assert_eq!(
        std::fs::read(server.root().join("dropped.bin")).unwrap(),
        bytes
    );
}

#[test]
fn unknown_certificate_always_accept_then_changed_certificate_reject() {
    let server = server_with_files();
    let port = server.port();
    let mut gui = Gui::new();
    gui.quick_connect(&server);
    gui.wait_label("Unknown certificate");
    assert!(!gui.has("Remote hello.txt"));
    gui.harness.check_accessibility();
    gui.click("Always accept");
    gui.wait_label("Remote hello.txt");
    let pin_file = gui.config().join("pins.toml");
    let pinned = PinStore::load(&pin_file).unwrap();
    assert!(
        pinned.get("127.0.0.1", port).is_some(),
        "Always accept pins the certificate"
    );
    let pins = std::fs::read_to_string(&pin_file).unwrap();

    // The server comes back at the same address with another certificate.
    let Gui { dirs, .. } = gui;
    drop(server);
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        port,
        ..ServerConfig::default()
    });
    std::fs::write(server.root().join("hello.txt"), b"x").unwrap();
    let mut gui = Gui::in_dirs(dirs);
    gui.quick_connect(&server);
    gui.wait_label("HAS CHANGED");
    gui.click("Reject");
    gui.wait_label("rejected the certificate");
    assert!(!gui.has("Remote hello.txt"));
    assert!(gui.has("Not connected"));
    // The pin is the old certificate still.
    assert_eq!(
        std::fs::read_to_string(gui.config().join("pins.toml")).unwrap(),
        pins
    );
}

#[test]
fn plain_ftp_asks_before_any_connection() {
    let server = TestServer::start(ServerConfig {
        tls: TlsMode::None,
        ..ServerConfig::default()
    });
    std::fs::write(server.root().join("clear.txt"), b"in clear").unwrap();
    let mut gui = Gui::new();
    let mut store = SiteStore::load(&gui.config().join("sites.toml")).unwrap();
    let mut site = Site::new("Old box", "127.0.0.1");
    site.port = server.port();
    site.security = SiteSecurity::Plain;
    site.logon = Logon::AskPassword;
    site.user = "alice".into();
    store.add(site).unwrap();

    gui.click("Sites ⏷");
    gui.click("Site Manager…");
    gui.wait_label("Old box");
    gui.type_into("Password", "s3cret");
    gui.click("Connect");
    gui.wait_label("Connect without encryption?");
    gui.harness.check_accessibility();
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        server.commands().is_empty(),
        "nothing was sent before the user agreed"
    );
    gui.click("Connect without encryption");
    gui.wait_label("Remote clear.txt");
    assert!(gui.has("Not encrypted"));
}

#[test]
fn site_manager_creates_edits_deletes_and_connects() {
    let server = server_with_files();
    let dirs = tempfile::tempdir().unwrap();
    pin(&server, &dirs.path().join("config"));
    let mut gui = Gui::in_dirs(dirs);
    let sites = gui.config().join("sites.toml");

    gui.click("Sites ⏷");
    gui.click("Site Manager…");
    gui.wait_label("New site");
    gui.click("New site");
    gui.harness.check_accessibility();
    gui.type_into("Host", "127.0.0.1");
    gui.type_into("Port", &server.port().to_string());
    gui.type_into("User", "alice");
    gui.type_into("Password", "s3cret");
    gui.click("Save");
    gui.wait_label("Saved New site");
    let store = SiteStore::load(&sites).unwrap();
    assert_eq!(store.sites().len(), 1);
    assert_eq!(store.sites()[0].host, "127.0.0.1");
    let keychain = gui.keychain.clone();
    gui.wait("the password in the keychain", move |_| {
        keychain.get("New site").ok().flatten().as_deref() == Some("s3cret")
    });

    // Rename: the form's name, saved again.
    gui.replace_text("Name", "Test server");
    gui.click("Save");
    gui.wait_label("Saved Test server");
    let store = SiteStore::load(&sites).unwrap();
    assert_eq!(store.sites()[0].name, "Test server");
    let keychain = gui.keychain.clone();
    gui.wait("the password moved with the site", move |_| {
        keychain.get("Test server").ok().flatten().is_some()
    });
    assert_eq!(gui.keychain.get("New site").unwrap(), None);

    // Connect with the password from the keychain.
    gui.click("Connect");
    gui.wait_label("Remote hello.txt");

    // Delete it.
    gui.click("Sites ⏷");
    gui.click("Site Manager…");
    gui.wait_label("Test server");
    gui.click("Delete");
    gui.click("Yes, delete");
    gui.wait_label("Deleted Test server");
    assert!(SiteStore::load(&sites).unwrap().sites().is_empty());
}

fn mlsd_line(name: &str, size: u64) -> String {
    format!("type=file;size={size};modify=20260101120000; {name}\r\n")
}

#[test]
fn sorting_and_filtering_a_listing() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    for (name, size) in [("a.dat", 30), ("b.dat", 10), ("c.dat", 20)] {
        std::fs::write(server.root().join(name), vec![0u8; size]).unwrap();
    }
    gui.harness.key_press(egui::Key::F5);
    gui.click("Remote hello.txt");
    gui.harness.key_press(egui::Key::F5);
    gui.wait_label("Remote c.dat");
    let order = |gui: &Gui| {
        let mut rows: Vec<(f32, String)> = ["a.dat", "b.dat", "c.dat"]
            .iter()
            .map(|n| {
                let label = format!("Remote {n}");
                let top = gui.harness.get_by_label(&label).rect().top();
                (top, n.to_string())
            })
            .collect();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        rows.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
    };
    assert_eq!(order(&gui), ["a.dat", "b.dat", "c.dat"]);
    gui.click("Size");
    assert_eq!(order(&gui), ["b.dat", "c.dat", "a.dat"]);
    gui.click("Size ⏶");
    assert_eq!(order(&gui), ["a.dat", "c.dat", "b.dat"]);

    gui.type_into("Filter remote names", "b.d");
    assert!(gui.has("Remote b.dat"));
    assert!(!gui.has("Remote a.dat"));
    assert!(gui.has("1 of 5"));
}

#[test]
fn a_hundred_thousand_entry_listing_renders() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    let body: String = (0..100_000)
        .map(|i| mlsd_line(&format!("file-{i:06}.dat"), i))
        .collect();
    server.fake_next_listing(body.into_bytes());
    gui.click("Remote hello.txt");
    gui.harness.key_press(egui::Key::F5);
    gui.wait_label("100000 items");
    assert!(gui.has("Remote file-000000.dat"));
    // Virtualized: only the rows on screen exist.
    assert!(!gui.has("Remote file-050000.dat"));
    gui.type_into("Filter remote names", "099999");
    gui.wait_label("Remote file-099999.dat");
    assert!(gui.has("1 of 100000"));
}

#[test]
fn dragging_a_remote_row_onto_the_local_pane_downloads_it() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    let from = gui.harness.get_by_label("Remote hello.txt").rect().center();
    let to = gui
        .harness
        .get_by_label("Local path (Ctrl+L)")
        .rect()
        .center()
        + egui::vec2(0.0, 200.0);
    gui.harness.hover_at(from);
    gui.harness.step();
    gui.harness.drag_at(from);
    gui.harness.step();
    // Move in steps, as a hand would: egui starts a drag after a few pixels.
    for i in 1..=10 {
        let t = i as f32 / 10.0;
        gui.harness.hover_at(from + (to - from) * t);
        gui.harness.step();
    }
    gui.harness.drop_at(to);
    gui.harness.step();
    gui.wait_label("Local hello.txt");
    assert_eq!(
        std::fs::read(gui.local().join("hello.txt")).unwrap(),
        b"hello from the server"
    );
}

#[test]
fn keyboard_rename_and_delete_on_the_server() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    gui.click("Remote hello.txt");
    gui.harness.key_press(egui::Key::F2);
    gui.wait_label("New name for");
    gui.harness.check_accessibility();
    gui.replace_text("New name", "renamed.txt");
    gui.click("Rename");
    gui.wait_label("Remote renamed.txt");
    assert!(server.root().join("renamed.txt").exists());
    assert!(!server.root().join("hello.txt").exists());

    // Del asks first; Cancel keeps the folder, Delete removes it with its contents.
    gui.click("Remote docs");
    gui.harness.key_press(egui::Key::Delete);
    gui.wait_label("Folders are deleted with everything in them");
    gui.click("Cancel");
    assert!(server.root().join("docs/readme.txt").exists());
    gui.harness.key_press(egui::Key::Delete);
    gui.wait_label("Folders are deleted with everything in them");
    gui.click("Delete");
    gui.wait("the folder gone from the listing", |h| {
        h.query_all_by_label("Remote docs").next().is_none()
    });
    assert!(!server.root().join("docs").exists());
}

#[test]
fn tab_switches_panes_and_enter_opens_local_folders() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    std::fs::create_dir(gui.local().join("photos")).unwrap();
    std::fs::write(gui.local().join("photos/cat.jpg"), b"meow").unwrap();
    gui.harness.key_press(egui::Key::F5);
    gui.wait_label("Local photos");
    gui.click("Remote hello.txt");
    // The remote pane is active; Tab makes the local one active, arrows select, Enter opens.
    gui.harness.key_press(egui::Key::Tab);
    gui.harness.step();
    gui.harness.key_press(egui::Key::ArrowDown);
    gui.harness.step();
    gui.harness.key_press(egui::Key::Enter);
    gui.wait_label("Local cat.jpg");
    assert!(gui.has("Remote hello.txt"), "the remote pane did not move");
}

#[test]
fn settings_are_saved_and_read_back() {
    let mut gui = Gui::new();
    gui.click("⚙");
    gui.wait_label("Parallel transfers");
    gui.harness.check_accessibility();
    gui.click("Light");
    // Saved by a worker (the window's thread does no disk I/O): wait for the file.
    let file = gui.config().join("settings.toml");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let text = loop {
        gui.harness.step();
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if text.contains("theme = \"light\"") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(text.contains("theme = \"light\""), "{text}");
    // A new window reads them: the Light choice is selected.
    let Gui { dirs, .. } = gui;
    let mut gui = Gui::in_dirs(dirs);
    gui.harness.step();
    assert_eq!(
        gui.harness.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::Light
    );
}

#[test]
fn an_existing_target_asks_and_the_answer_is_applied() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    std::fs::write(gui.local().join("hello.txt"), b"local copy").unwrap();
    gui.click("Remote hello.txt");
    gui.click("⬅ Download");
    gui.wait_label("The target file exists");
    gui.harness.check_accessibility();
    gui.click("Skip");
    gui.wait_label("Done (1)");
    assert_eq!(
        std::fs::read(gui.local().join("hello.txt")).unwrap(),
        b"local copy"
    );

    gui.click("⬅ Download");
    gui.wait_label("The target file exists");
    gui.click("Overwrite");
    gui.wait_label("Done (2)");
    assert_eq!(
        std::fs::read(gui.local().join("hello.txt")).unwrap(),
        b"hello from the server"
    );
}

#[test]
fn hostile_names_are_shown_escaped() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    let body = format!(
        "{}{}",
        mlsd_line("\u{202e}txt.exe", 1),
        mlsd_line("two\rlines", 2)
    );
    server.fake_next_listing(body.into_bytes());
    gui.click("Remote hello.txt");
    gui.harness.key_press(egui::Key::F5);
    gui.wait_label("Remote \\u{202e}txt.exe");
    assert!(gui.has("Remote two\\rlines"));
    assert!(!gui.has("Remote \u{202e}txt.exe"));
}

/// A server that accepts and then says nothing: a connection attempt waits for its greeting
/// until the timeout.
fn silent_server() -> (std::net::TcpListener, u16) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = listener.try_clone().unwrap();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        while let Ok((socket, _)) = held.accept() {
            open.push(socket);
        }
    });
    (listener, port)
}

/// Types `text` into whatever has the keyboard focus (not moving the focus, which would
/// change a selection).
fn type_text(gui: &mut Gui, text: &str) {
    gui.harness
        .input_mut()
        .events
        .push(egui::Event::Text(text.into()));
    gui.harness.step();
    gui.harness.step();
}

fn save_site(gui: &Gui, name: &str, port: u16, logon: Logon) {
    let mut store = SiteStore::load(&gui.config().join("sites.toml")).unwrap();
    let mut site = Site::new(name, "127.0.0.1");
    site.port = port;
    site.security = SiteSecurity::ExplicitTls;
    site.logon = logon;
    site.user = "alice".into();
    store.add(site).unwrap();
}

fn open_from_sites_menu(gui: &mut Gui, name: &str) {
    gui.click("Sites ⏷");
    gui.wait_label(name);
    gui.click(name);
}

#[test]
fn a_saved_site_without_a_saved_password_asks_for_it_and_can_remember_it_for_the_session() {
    let server = server_with_files();
    let dirs = tempfile::tempdir().unwrap();
    pin(&server, &dirs.path().join("config"));
    let mut gui = Gui::in_dirs(dirs);
    // Nothing in the keychain for it (no keychain, or never saved).
    save_site(&gui, "Box", server.port(), Logon::Normal);
    save_site(&gui, "Asking box", server.port(), Logon::AskPassword);

    open_from_sites_menu(&mut gui, "Box");
    gui.wait_label("Password for Box");
    assert!(gui.has("No password is saved for Box"));
    gui.harness.check_accessibility();
    // The field has the keyboard: typing and Enter connect.
    type_text(&mut gui, "s3cret");
    gui.click("Remember for this session (until Ferry quits)");
    gui.click("Connect");
    gui.wait_label("Remote hello.txt");
    assert!(!gui.has("Password for Box"));

    // Remembered: the next connection to it asks nothing.
    gui.click("Disconnect");
    gui.wait("disconnected", |h| {
        h.query_all_by_label("Remote hello.txt").next().is_none()
    });
    open_from_sites_menu(&mut gui, "Box");
    gui.wait_label("Remote hello.txt");
    assert!(!gui.has("Password for"));

    // A site set to ask: asked each time; Escape gives up and says so.
    open_from_sites_menu(&mut gui, "Asking box");
    gui.wait_label("Password for Asking box");
    assert!(gui.has("asks for its password each time"));
    gui.harness.key_press(egui::Key::Escape);
    gui.wait_label("no password given");
    assert!(!gui.has("Password for Asking box"));
}

#[test]
fn the_certificate_prompt_is_modal_and_escape_rejects() {
    let server = server_with_files();
    let mut gui = Gui::new();
    gui.local_file("below.txt", b"x");
    gui.quick_connect(&server);
    gui.wait_label("Unknown certificate");

    // A click outside lands on the backdrop: the prompt stays, the pane below is untouched.
    let below = gui.harness.get_by_label("Local below.txt").rect().center();
    gui.harness.hover_at(below);
    gui.harness.step();
    gui.harness.drag_at(below);
    gui.harness.step();
    gui.harness.drop_at(below);
    for _ in 0..5 {
        gui.harness.step();
    }
    assert!(
        gui.has("Unknown certificate"),
        "a click outside is not an answer"
    );
    assert!(gui.has("Waiting for your decision"));

    // Escape is an answer: Reject, logged, and said in the status bar.
    gui.harness.key_press(egui::Key::Escape);
    gui.wait_label("rejected the certificate");
    assert!(!gui.has("Unknown certificate"));
    assert!(!gui.has("Waiting for your decision"));
    assert!(!gui.has("Remote hello.txt"));
}

#[test]
fn escape_on_the_file_exists_question_skips_the_file() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    std::fs::write(gui.local().join("hello.txt"), b"local copy").unwrap();
    gui.click("Remote hello.txt");
    gui.click("⬅ Download");
    gui.wait_label("The target file exists");
    gui.harness.key_press(egui::Key::Escape);
    gui.wait_label("Done (1)");
    assert!(!gui.has("The target file exists"));
    assert!(!gui.has("Waiting for you"), "nothing is stranded");
    assert_eq!(
        std::fs::read(gui.local().join("hello.txt")).unwrap(),
        b"local copy"
    );
}

#[test]
fn enter_confirms_rename_and_new_folder_and_rename_selects_the_name_without_its_extension() {
    let mut gui = Gui::new();
    gui.local_file("report.pdf", b"pdf");
    gui.click("Local report.pdf");
    gui.harness.key_press(egui::Key::F2);
    gui.wait_label("New name for");
    // "report" is selected: typing replaces it and keeps ".pdf".
    type_text(&mut gui, "summary");
    gui.harness.key_press(egui::Key::Enter);
    gui.wait_label("Local summary.pdf");
    assert!(gui.local().join("summary.pdf").exists());
    assert!(!gui.local().join("report.pdf").exists());

    // The local pane's button (the first; the remote pane's is the second).
    gui.harness.get_all_by_label("📁+").next().unwrap().click();
    gui.wait_label("New folder");
    type_text(&mut gui, "inbox");
    gui.harness.key_press(egui::Key::Enter);
    gui.wait_label("Local inbox");
    assert!(gui.local().join("inbox").is_dir());
}

#[test]
fn a_connection_attempt_can_be_cancelled_and_repaints_slowly_while_it_waits() {
    let (_listener, port) = silent_server();
    let mut gui = Gui::new();
    gui.type_into("Host or URL", "127.0.0.1");
    gui.type_into("Port", &port.to_string());
    gui.click("Connect");
    gui.wait_label("Connecting to");
    // The spinner asks for ten frames a second, not one per frame (once the log lines of the
    // attempt have been shown: they ask for a frame within 50 ms).
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(120));
        gui.harness.step();
    }
    let delay = gui.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
    assert!(
        delay >= Duration::from_millis(90),
        "the window asks to be repainted again after {delay:?}: {:?}",
        gui.harness.ctx.repaint_causes()
    );
    let connect_button = |gui: &Gui| gui.harness.query_all_by_label("Connect").next().is_some();
    assert!(!connect_button(&gui), "Connect is replaced by Cancel");
    gui.click("Cancel");
    gui.wait_label("Stopped connecting to");
    assert!(connect_button(&gui));
    assert!(!gui.has("Connecting to"));
}

#[test]
fn quick_connect_takes_the_port_and_scheme_of_a_url() {
    let server = server_with_files();
    let mut gui = Gui::new();
    // Fields left from another server: port 1 and implicit TLS. The URL says otherwise.
    gui.type_into("Port", "1");
    gui.type_into(
        "Host or URL",
        &format!("ftp://alice:s3cret@127.0.0.1:{}", server.port()),
    );
    gui.click("Connect");
    gui.wait_label("Unknown certificate");
    gui.click("Accept once");
    gui.wait_label("Remote hello.txt");
    let shows = |value: &str| gui.harness.query_all_by_value(value).next().is_some();
    assert!(shows("127.0.0.1"), "the password left the host field");
    assert!(!shows(&format!(
        "ftp://alice:s3cret@127.0.0.1:{}",
        server.port()
    )));
    assert!(
        shows(&server.port().to_string()),
        "the Port field shows the URL's port"
    );
}

#[test]
fn import_from_filezilla_offers_filezillas_own_file_and_imports_a_typed_path() {
    let mut gui = Gui::new();
    gui.click("Sites ⏷");
    gui.click("Site Manager…");
    gui.wait_label("New site");
    gui.click("Import from FileZilla…");
    gui.wait_label("FileZilla's sites (sitemanager.xml):");
    // Prefilled with FileZilla's own file (no file chooser needed).
    let by = By::new().predicate(|n| {
        n.value()
            .is_some_and(|v| v.ends_with("filezilla/sitemanager.xml"))
    });
    let prefilled = gui.harness.query_all(by).next().is_some();
    assert!(prefilled, "the field holds FileZilla's default path");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/filezilla/basic.xml");
    gui.replace_text("Path of sitemanager.xml", fixture.to_str().unwrap());
    gui.click("Import");
    gui.wait_label("Imported");
    let store = SiteStore::load(&gui.config().join("sites.toml")).unwrap();
    assert!(!store.sites().is_empty());
}

#[test]
#[ignore = "needs a CJK system font and fontconfig: .ci/run installs fonts-droid-fallback"]
fn japanese_and_chinese_names_are_drawn_with_a_system_font() {
    let mut gui = Gui::new();
    std::fs::write(gui.local().join("日本語の資料.txt"), b"x").unwrap();
    std::fs::write(gui.local().join("中文文件.txt"), b"x").unwrap();
    gui.harness.key_press(egui::Key::F5);
    gui.wait_label("Local 日本語の資料.txt");
    let font = egui::FontId::proportional(14.0);
    let drawn = gui
        .harness
        .ctx
        .fonts_mut(|f| f.has_glyphs(&font, "日本語の資料中文文件"));
    assert!(drawn, "a system font has the glyphs");
}

/// The rows and controls at `size` (points) with `zoom`: every row of the listing has room,
/// the toolbar's controls do not overlap.
fn check_layout(gui: &mut Gui, size: egui::Vec2, what: &str) {
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, size);
    for label in ["Remote hello.txt", "Remote docs"] {
        // Wide columns scroll sideways; the row's height and its name must be on screen.
        let row = gui.harness.get_by_label(label).rect();
        let shown = row.intersect(screen);
        assert!(
            shown.height() >= 10.0
                && shown.height() >= row.height() - 0.5
                && shown.width() >= 100.0,
            "{what}: {label} at {row:?} is not on the {size:?} screen"
        );
    }
    let controls: Vec<(String, egui::Rect)> = [
        "Sites ⏷",
        "Host or URL",
        "User",
        "Password",
        "Port",
        "Security",
        "Disconnect",
        "Compare",
        "Sync browsing",
        "Synchronize…",
        "⚙",
    ]
    .iter()
    .map(|l| {
        (
            l.to_string(),
            gui.harness.get_all_by_label(l).next().unwrap().rect(),
        )
    })
    .chain(
        gui.harness
            .query_all_by_label_contains("🔒 TLS")
            .take(1)
            .map(|n| ("the lock".to_owned(), n.rect())),
    )
    .collect();
    for (i, (a, ra)) in controls.iter().enumerate() {
        assert!(
            screen.contains_rect(*ra),
            "{what}: {a} at {ra:?} is off screen"
        );
        for (b, rb) in &controls[i + 1..] {
            assert!(
                !ra.shrink(1.0).intersects(rb.shrink(1.0)),
                "{what}: {a} {ra:?} overlaps {b} {rb:?}"
            );
        }
    }
}

#[test]
fn at_800_by_600_and_zoomed_in_the_lists_keep_their_rows_and_queue_and_log_fold() {
    let server = server_with_files();
    let dirs = tempfile::tempdir().unwrap();
    pin(&server, &dirs.path().join("config"));
    let mut gui = Gui::sized(dirs, [800.0, 600.0]);
    gui.quick_connect(&server);
    gui.wait_label("Remote hello.txt");
    check_layout(&mut gui, egui::vec2(800.0, 600.0), "800x600");

    // Zoomed in to 150 %: 533x400 points.
    gui.harness.ctx.set_zoom_factor(1.5);
    for _ in 0..5 {
        gui.harness.step();
    }
    check_layout(&mut gui, egui::vec2(800.0, 600.0) / 1.5, "800x600 at 150 %");

    // The log folds to its header line (its buttons go), the queue too: the panes get the room.
    gui.harness.ctx.set_zoom_factor(1.0);
    for _ in 0..5 {
        gui.harness.step();
    }
    let queue_top = |gui: &Gui| gui.harness.get_by_label("Queued & active (0)").rect().top();
    let before = queue_top(&gui);
    gui.click("⏷ Log");
    assert!(gui.has("⏵ Log"));
    assert!(!gui.has("Clear"), "the folded log shows only its header");
    // Let the panels settle where they stay before the next click.
    for _ in 0..5 {
        gui.harness.step();
    }
    gui.click("⏷ Queue");
    assert!(gui.has("⏵ Queue"));
    assert!(
        gui.has("Queued & active (0)"),
        "the folded queue keeps its tabs"
    );
    assert!(!gui.has("Nothing queued"));
    for _ in 0..5 {
        gui.harness.step();
    }
    assert!(queue_top(&gui) > before + 20.0, "the queue moved down");
    gui.click("⏵ Log");
    assert!(gui.has("Clear"));
}

/// Drags from `from` to `to` in steps, as a hand would (egui starts a drag after a few pixels);
/// `midway` runs while the pointer is over `to`, before the button is released.
fn drag(gui: &mut Gui, from: egui::Pos2, to: egui::Pos2, midway: impl FnOnce(&mut Gui)) {
    gui.harness.hover_at(from);
    gui.harness.step();
    gui.harness.drag_at(from);
    gui.harness.step();
    for i in 1..=10 {
        let t = i as f32 / 10.0;
        gui.harness.hover_at(from + (to - from) * t);
        gui.harness.step();
    }
    gui.harness.step();
    midway(gui);
    gui.harness.drop_at(to);
    gui.harness.step();
}

#[test]
fn dropping_onto_a_folder_row_transfers_into_that_folder_with_a_ghost_on_the_way() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    std::fs::create_dir(gui.local().join("inbox")).unwrap();
    gui.harness.get_all_by_label("⟳").next().unwrap().click();
    gui.wait_label("Local inbox");

    // A remote file onto the local folder row.
    let from = gui.harness.get_by_label("Remote hello.txt").rect().center();
    let to = gui.harness.get_by_label("Local inbox").rect().center();
    drag(&mut gui, from, to, |gui| {
        assert!(
            gui.has("Download 📄 hello.txt into inbox"),
            "the ghost says what goes where"
        );
    });
    let file = gui.local().join("inbox/hello.txt");
    gui.wait("the file in the folder", move |_| {
        std::fs::read(&file).is_ok_and(|b| b == b"hello from the server")
    });
    assert!(!gui.local().join("hello.txt").exists());
    assert!(!gui.has("into inbox"), "the ghost is gone after the drop");

    // A file from the OS onto the remote folder row.
    let outside = tempfile::tempdir().unwrap();
    let dropped = outside.path().join("from-os.txt");
    std::fs::write(&dropped, b"dropped into docs").unwrap();
    let docs = gui.harness.get_by_label("Remote docs").rect().center();
    gui.harness.hover_at(docs);
    gui.harness.step();
    gui.harness.step();
    gui.harness
        .input_mut()
        .dropped_files
        .push(Arc::new(OsFile(dropped)));
    gui.harness.step();
    let target = server.root().join("docs/from-os.txt");
    gui.wait("the upload in docs", move |_| {
        std::fs::read(&target).is_ok_and(|b| b == b"dropped into docs")
    });
    assert!(!server.root().join("from-os.txt").exists());
}

#[test]
fn a_folder_transfer_shows_its_job_progress_and_both_paths_and_the_pending_tab() {
    let server = server_with_files();
    for name in ["a.txt", "b.txt"] {
        std::fs::write(server.root().join("docs").join(name), b"more").unwrap();
    }
    let mut gui = connected_gui(&server);
    // One file exists here: its question holds the job open halfway.
    std::fs::create_dir(gui.local().join("docs")).unwrap();
    std::fs::write(gui.local().join("docs/readme.txt"), b"mine").unwrap();
    gui.click("Done (0)");
    gui.click("Remote docs");
    gui.click("⬅ Download");
    gui.wait_label("The target file exists");
    gui.wait_label("2 of 3 files");
    let pending = gui.harness.get_by_label_contains("Queued & active");
    assert_eq!(
        pending.accesskit_node().toggled(),
        Some(egui::accesskit::Toggled::True),
        "starting a transfer shows the pending tab"
    );
    // Both ends of the waiting item.
    assert!(gui.has("/docs/readme.txt"));
    let local = gui.local().join("docs/readme.txt").display().to_string();
    assert!(gui.has(&local), "the local path is shown");
    gui.harness.key_press(egui::Key::Escape);
    gui.wait_label("Done (3)");
    assert!(!gui.has("of 3 files"), "a finished job leaves the header");
}

fn ask_to_close(gui: &mut Gui) {
    gui.harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    gui.harness.step();
}

fn window_commands(gui: &Gui) -> Vec<egui::ViewportCommand> {
    gui.harness.output().viewport_output[&egui::ViewportId::ROOT]
        .commands
        .clone()
}

#[test]
fn closing_the_window_with_transfers_running_asks_first() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    // Nothing running: the window just closes.
    ask_to_close(&mut gui);
    assert!(!window_commands(&gui).contains(&egui::ViewportCommand::CancelClose));

    // A transfer waiting for an answer is a transfer not finished.
    std::fs::write(gui.local().join("hello.txt"), b"local copy").unwrap();
    gui.click("Remote hello.txt");
    gui.click("⬅ Download");
    gui.wait_label("The target file exists");
    ask_to_close(&mut gui);
    assert!(window_commands(&gui).contains(&egui::ViewportCommand::CancelClose));
    gui.wait_label("Transfers are running");
    gui.click("Keep running");
    // The question it covered comes back.
    gui.wait_label("The target file exists");

    ask_to_close(&mut gui);
    gui.wait_label("Transfers are running");
    gui.harness
        .get_all_by_label("Quit anyway")
        .last()
        .unwrap()
        .click();
    gui.harness.step();
    assert!(window_commands(&gui).contains(&egui::ViewportCommand::Close));
}

#[test]
fn the_permissions_dialog_changes_a_remote_files_mode() {
    use std::os::unix::fs::PermissionsExt;
    let server = server_with_files();
    let file = server.root().join("hello.txt");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut gui = connected_gui(&server);
    gui.harness
        .get_by_label("Remote hello.txt")
        .click_secondary();
    gui.harness.step();
    gui.harness.step();
    gui.click("Permissions…");
    gui.wait_label("Permissions of");
    gui.harness.check_accessibility();
    gui.click("Group write");
    gui.click("Others read");
    assert!(
        gui.harness.query_all_by_value("660").next().is_some(),
        "the number follows the boxes"
    );
    gui.click("Apply");
    gui.wait_label("set to 660");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o660, "SITE CHMOD reached the server");
}

#[test]
fn a_dot_dot_row_goes_up() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    // At the top of the server: no "..".
    assert!(!gui.has("Remote .. (parent folder)"));
    gui.click("Remote docs");
    gui.harness.key_press(egui::Key::Enter);
    gui.wait_label("Remote readme.txt");
    // A double click: two clicks a frame apart.
    gui.harness
        .get_by_label("Remote .. (parent folder)")
        .click();
    gui.harness.step();
    gui.harness
        .get_by_label("Remote .. (parent folder)")
        .click();
    gui.harness.step();
    gui.wait_label("Remote hello.txt");
    assert!(!gui.has("Remote readme.txt"));
    // Filtering hides it: it is not a name that matched.
    gui.type_into("Filter remote names", "hel");
    assert!(!gui.has("Remote .. (parent folder)"));
}

#[test]
fn quick_connect_remembers_recent_servers_and_saves_one_as_a_site() {
    let server = server_with_files();
    let port = server.port();
    let mut gui = connected_gui(&server);
    gui.click("Disconnect");
    gui.replace_text("Host or URL", "");
    gui.replace_text("User", "");

    // The server is in the recent list (without its password).
    gui.harness.get_all_by_label("⏷").next().unwrap().click();
    gui.harness.step();
    let entry = format!("alice@127.0.0.1:{port}");
    gui.wait_label(&entry);
    gui.harness
        .get_all_by_label_contains(&entry)
        .last()
        .unwrap()
        .click();
    gui.wait_label("Type the password of");
    let shows = |gui: &Gui, value: &str| gui.harness.query_all_by_value(value).next().is_some();
    assert!(shows(&gui, "127.0.0.1") && shows(&gui, "alice"));
    type_text(&mut gui, "s3cret");
    gui.harness.key_press(egui::Key::Enter);
    gui.wait_label("Remote hello.txt");
    let settings = std::fs::read_to_string(gui.config().join("settings.toml")).unwrap_or_default();
    assert!(!settings.contains("s3cret"), "no password in the history");

    // Save as site: the Site Manager opens with it; Save writes it.
    gui.harness.get_all_by_label("⏷").next().unwrap().click();
    gui.wait_label("Save as site…");
    gui.click("Save as site…");
    gui.wait_label("A new site from quick connect");
    gui.click("Save");
    gui.wait_label("Saved 127.0.0.1");
    let store = SiteStore::load(&gui.config().join("sites.toml")).unwrap();
    let site = &store.sites()[0];
    assert_eq!(
        (site.host.as_str(), site.port, site.user.as_str()),
        ("127.0.0.1", port, "alice")
    );
}

#[test]
fn the_shortcut_table_drives_the_keys_and_lists_them() {
    let mut gui = Gui::new();
    gui.local_file("notes.txt", b"x");
    // F7: new folder, in the active (local) pane.
    gui.harness.key_press(egui::Key::F7);
    gui.wait_label("New folder");
    type_text(&mut gui, "made-by-f7");
    gui.harness.key_press(egui::Key::Enter);
    gui.wait_label("Local made-by-f7");
    assert!(gui.local().join("made-by-f7").is_dir());
    // Ctrl+P: permissions of the selection.
    gui.click("Local notes.txt");
    gui.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::P);
    gui.wait_label("Permissions of");
    gui.harness.key_press(egui::Key::Escape);
    // The Settings window lists them.
    gui.click("⚙");
    gui.click("Keyboard shortcuts");
    gui.wait_label("Open the folder, or transfer the selection");
    assert!(gui.has("Switch between the local and the remote pane"));
}

#[test]
fn find_on_server_searches_the_tree_reveals_a_match_and_downloads_the_selection() {
    let server = server_with_files();
    let root = server.root();
    std::fs::create_dir_all(root.join("docs/old/deeper")).unwrap();
    std::fs::write(root.join("docs/old/deeper/README.md"), b"deep readme").unwrap();
    std::fs::write(root.join("docs/old/notes.txt"), b"not a match").unwrap();
    let mut gui = connected_gui(&server);
    // F3 opens the window on the remote folder shown.
    gui.harness.key_press(egui::Key::F3);
    gui.wait_label("Find on server");
    type_text(&mut gui, "readme");
    gui.harness.key_press(egui::Key::Enter);
    gui.wait_label("Search finished: 2 found");
    assert!(gui.has("Found /docs/readme.txt"));
    assert!(gui.has("Found /docs/old/deeper/README.md"), "either case");
    assert!(!gui.has("Found /docs/old/notes.txt"));
    assert!(gui.has("in 4 folder(s)"), "/, docs, old, deeper");
    // A pattern with wildcards matches whole names.
    gui.replace_text("Name to find", "*.md");
    gui.click("Find");
    gui.wait_label("Search finished: 1 found");
    assert!(!gui.has("Found /docs/readme.txt"));
    // A double click shows the match in the remote pane, selected.
    let row = "Found /docs/old/deeper/README.md";
    gui.harness.get_by_label(row).click();
    gui.harness.step();
    gui.harness.get_by_label(row).click();
    gui.harness.step();
    gui.wait_label("Remote README.md");
    assert!(gui.has("1 selected · 1 items"), "the match is selected");
    assert!(
        gui.harness
            .query_all_by_value("/docs/old/deeper")
            .next()
            .is_some()
    );
    // Download the selection into the local folder.
    gui.click(row);
    gui.click("Download selected");
    gui.wait_label("Done (1)");
    let got = std::fs::read(gui.local().join("README.md")).unwrap();
    assert_eq!(got, b"deep readme");
    gui.click("Close window");
    assert!(!gui.has("Find on server"));
}

#[test]
fn view_edit_opens_a_copy_and_a_save_asks_to_upload_it_back() {
    use std::os::unix::fs::PermissionsExt;
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    gui.click("Remote hello.txt");
    gui.harness.key_press(egui::Key::F4);
    let opened = gui.opened.clone();
    gui.wait("the copy opened", move |_| {
        !opened.lock().unwrap().is_empty()
    });
    let copy = gui.opened.lock().unwrap()[0].clone();
    assert!(
        copy.starts_with(gui.dirs.path().join("data/edit")),
        "{copy:?}"
    );
    assert_eq!(std::fs::read(&copy).unwrap(), b"hello from the server");
    let folder = std::fs::metadata(copy.parent().unwrap()).unwrap();
    assert_eq!(
        folder.permissions().mode() & 0o777,
        0o700,
        "a private folder"
    );
    // A save asks; "Not now" uploads nothing.
    std::fs::write(&copy, b"first edit").unwrap();
    gui.wait_label("File changed");
    gui.click("Not now");
    assert_eq!(
        std::fs::read(server.root().join("hello.txt")).unwrap(),
        b"hello from the server"
    );
    // The next save asks again; "Upload" replaces the server's file.
    std::fs::write(&copy, b"second edit, longer").unwrap();
    gui.wait_label("File changed");
    assert!(gui.has("replacing /hello.txt"));
    gui.click("Upload");
    let on_server = server.root().join("hello.txt");
    gui.wait("the edit on the server", move |_| {
        std::fs::read(&on_server).is_ok_and(|b| b == b"second edit, longer")
    });
    // A local file opens as it is, without a copy.
    gui.harness.key_press(egui::Key::Tab);
    gui.local_file("notes.txt", b"local");
    gui.click("Local notes.txt");
    gui.harness.key_press(egui::Key::F4);
    let opened = gui.opened.clone();
    gui.wait("the local file opened", move |_| {
        opened.lock().unwrap().len() == 2
    });
    assert_eq!(gui.opened.lock().unwrap()[1], gui.local().join("notes.txt"));
}

#[test]
fn tabs_keep_two_servers_open_each_with_its_own_panes_and_queue() {
    let a = server_with_files();
    let b = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        ..ServerConfig::default()
    });
    let big = vec![7u8; 1024 * 1024];
    std::fs::write(b.root().join("big.bin"), &big).unwrap();
    let dirs = tempfile::tempdir().unwrap();
    pin(&a, &dirs.path().join("config"));
    pin(&b, &dirs.path().join("config"));
    let mut gui = Gui::in_dirs(dirs);
    let (tab_a, tab_b) = (
        format!("Tab alice@127.0.0.1:{}", a.port()),
        format!("Tab alice@127.0.0.1:{}", b.port()),
    );
    gui.quick_connect(&a);
    gui.wait_label("Remote hello.txt");
    assert!(!gui.has("Tab "), "one tab: no strip");
    // Quick connect while connected opens a second tab; the first stays connected.
    gui.replace_text("Port", &b.port().to_string());
    gui.click("Connect");
    gui.wait_label("Remote big.bin");
    assert!(!gui.has("Remote hello.txt"));
    assert!(gui.has(&tab_a) && gui.has(&tab_b));
    // A slow download in tab B goes on while tab A is shown.
    b.set_throttle(Some(256 * 1024));
    gui.click("Remote big.bin");
    gui.click("⬅ Download");
    gui.wait_label("Queued & active (1)");
    // Closing a tab with a transfer running asks first.
    gui.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::W);
    gui.wait_label("Transfers are running in this tab");
    gui.click("Keep the tab");
    gui.click(&tab_a);
    gui.wait_label("Remote hello.txt");
    assert!(gui.has("Done (0)"), "tab A has its own queue");
    let local = gui.local().join("big.bin");
    gui.wait("tab B's download, finished in the background", move |_| {
        std::fs::read(&local).is_ok_and(|got| got.len() == 1024 * 1024)
    });
    // Ctrl+Tab shows tab B again: its queue knows it finished.
    gui.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Tab);
    gui.wait_label("Done (1)");
    assert!(gui.has("Remote big.bin"));
    // Closing tab B leaves tab A connected, and the strip goes.
    gui.click(&format!("Close tab alice@127.0.0.1:{}", b.port()));
    gui.wait_label("Remote hello.txt");
    assert!(!gui.has(&tab_b) && !gui.has("Tab "));
    assert!(gui.has("Connected to alice@127.0.0.1"));
    // Ctrl+T: a new, empty tab; Ctrl+W closes it again.
    gui.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::T);
    gui.wait_label("Tab Not connected");
    assert!(!gui.has("Remote hello.txt"));
    gui.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::W);
    gui.wait_label("Remote hello.txt");
    assert!(!gui.has("Tab Not connected"));
}

#[test]
fn a_site_with_a_client_certificate_connects_to_a_server_that_requires_one() {
    use support::server::ClientCerts;
    let ours = ClientCerts::generate("gui-user");
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        client_ca_pem: Some(ours.ca_pem.clone()),
        ..ServerConfig::default()
    });
    std::fs::write(server.root().join("hello.txt"), b"hi").unwrap();
    let dirs = tempfile::tempdir().unwrap();
    pin(&server, &dirs.path().join("config"));
    let (cert, key) = (dirs.path().join("me.pem"), dirs.path().join("me.key"));
    std::fs::write(&cert, &ours.cert_pem).unwrap();
    std::fs::write(&key, &ours.key_pem).unwrap();
    let mut gui = Gui::in_dirs(dirs);
    // Quick connect has no certificate: the status says what is missing.
    gui.quick_connect(&server);
    gui.wait_label("requires a client certificate");
    // A site with one connects.
    gui.click("Sites ⏷");
    gui.click("Site Manager…");
    gui.wait_label("New site");
    gui.click("New site");
    gui.type_into("Host", "127.0.0.1");
    gui.type_into("Port", &server.port().to_string());
    gui.type_into("User", "alice");
    gui.type_into("Password", "s3cret");
    gui.type_into("Client certificate", cert.to_str().unwrap());
    gui.type_into("Client key", key.to_str().unwrap());
    gui.click("Save");
    gui.wait_label("Saved New site");
    let store = SiteStore::load(&gui.config().join("sites.toml")).unwrap();
    assert_eq!(
        store.sites()[0].client_cert.as_deref(),
        Some(cert.as_path())
    );
    assert_eq!(store.sites()[0].client_key.as_deref(), Some(key.as_path()));
    gui.click("Connect");
    gui.wait_label("Remote hello.txt");
}

#[test]
fn a_site_with_a_pkcs12_certificate_keeps_its_password_in_the_keychain_and_connects() {
    let (ours, server) = support::server::requiring_client_certs(
        "gui-user",
        ServerConfig {
            certs: Some(Certs::self_signed()),
            ..ServerConfig::default()
        },
    );
    std::fs::write(server.root().join("hello.txt"), b"hi").unwrap();
    let dirs = tempfile::tempdir().unwrap();
    pin(&server, &dirs.path().join("config"));
    let p12 = dirs.path().join("me.pfx");
    std::fs::write(&p12, ours.pkcs12("pfx-secret")).unwrap();
    let mut gui = Gui::in_dirs(dirs);
    gui.click("Sites ⏷");
    gui.click("Site Manager…");
    gui.wait_label("New site");
    gui.click("New site");
    gui.type_into("Host", "127.0.0.1");
    gui.type_into("Port", &server.port().to_string());
    gui.type_into("User", "alice");
    gui.type_into("Password", "s3cret");
    gui.type_into("Client certificate", p12.to_str().unwrap());
    // A .pfx holds its key: the form asks for its password instead of a key file.
    assert!(!gui.has("Client key"));
    gui.type_into("Certificate password", "pfx-secret");
    gui.click("Save");
    gui.wait_label("Saved New site");
    gui.click("Connect");
    gui.wait_label("Remote hello.txt");
    let keychain = gui.keychain.clone();
    let account = ferry::sites::secrets::client_cert_account(&p12);
    gui.wait("the certificate password in the keychain", move |_| {
        keychain.get(&account).ok().flatten().as_deref() == Some("pfx-secret")
    });
    let sites = std::fs::read_to_string(gui.config().join("sites.toml")).unwrap();
    assert!(
        sites.contains("me.pfx") && !sites.contains("pfx-secret"),
        "{sites}"
    );
}

#[test]
fn diagnose_after_a_failed_connection_finds_implicit_tls_and_connects_with_it() {
    let server = TestServer::start(ServerConfig {
        tls: TlsMode::Implicit,
        certs: Some(Certs::self_signed()),
        ..ServerConfig::default()
    });
    std::fs::write(server.root().join("hello.txt"), b"hi").unwrap();
    let dirs = tempfile::tempdir().unwrap();
    let config = dirs.path().join("config");
    pin_as(&server, &config, Security::ImplicitTls);
    // A short timeout: explicit TLS on an implicit port waits for a greeting that never comes.
    std::fs::write(config.join("settings.toml"), "timeout_seconds = 2\n").unwrap();
    let mut gui = Gui::in_dirs(dirs);
    // Quick connect's default is explicit TLS: it fails on this port.
    gui.quick_connect(&server);
    gui.wait_label("Diagnose");
    assert!(gui.has("Retry"));
    gui.click("Diagnose");
    gui.wait_label("Connection doctor");
    gui.wait_label("✔ Works");
    let verdict = gui
        .harness
        .query_all_by_label_contains("speaks implicit TLS")
        .next()
        .is_some();
    assert!(verdict, "the verdict names implicit TLS");
    assert!(gui.has("log in with implicit TLS"));
    gui.click("Connect with these settings");
    gui.wait_label("Remote hello.txt");
    assert!(
        !gui.has("Connection doctor"),
        "the window closes when connecting"
    );
    let security = gui.harness.get_all_by_label("Security").next().unwrap();
    assert_eq!(
        security.value().as_deref(),
        Some("FTPS implicit"),
        "quick connect now shows what works"
    );
}

/// Waits until `file` holds `text` (files the window's workers write), or fails after 10 s.
fn wait_for_file_text(gui: &mut Gui, file: &Path, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        gui.harness.step();
        let got = std::fs::read_to_string(file).unwrap_or_default();
        if got.contains(text) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{text:?} never in {file:?}: {got}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_download_limit_from_the_settings_holds_a_running_transfer_back_until_it_is_lifted() {
    let server = server_with_files();
    let body: Vec<u8> = (0..2 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(server.root().join("big.bin"), &body).unwrap();
    let mut gui = connected_gui(&server);
    let settings = gui.config().join("settings.toml");

    // 64 KiB/s: the 2 MiB file needs half a minute (on loopback it takes milliseconds).
    gui.click("⚙");
    gui.wait_label("Download limit");
    fn set_download_limit(gui: &Gui, kib: f64) {
        let field = By::new().predicate(|n| {
            n.role() == egui::accesskit::Role::SpinButton
                && n.label().is_some_and(|l| l.starts_with("Download limit"))
        });
        gui.harness
            .get_all(field)
            .next()
            .expect("the download limit field")
            .set_value_accesskit(kib);
    }
    set_download_limit(&gui, 64.0);
    gui.harness.step();
    wait_for_file_text(&mut gui, &settings, "download_limit_kib = 64");
    gui.click("⚙");

    gui.click("Remote big.bin");
    gui.click("⬅ Download");
    let held_until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < held_until {
        gui.harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(gui.has("Done (0)"), "the limit holds the transfer back");
    assert!(gui.has("Queued & active (1)"), "and it is still running");

    // Lifted while it runs: the same transfer finishes now, whole.
    gui.click("⚙");
    gui.wait_label("Download limit");
    set_download_limit(&gui, 0.0);
    gui.harness.step();
    wait_for_file_text(&mut gui, &settings, "download_limit_kib = 0");
    gui.wait_label("Done (1)");
    assert_eq!(std::fs::read(gui.local().join("big.bin")).unwrap(), body);
}

/// Writes `body` to `path` and sets its modification time to `unix` seconds.
fn write_at(path: &Path, body: &[u8], unix: i64) {
    std::fs::write(path, body).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::UNIX_EPOCH + Duration::from_secs(unix as u64))
        .unwrap();
}

/// Types `path` into a pane's path bar ("Local path", "Remote path") and presses Enter.
fn go_to(gui: &mut Gui, bar: &str, path: &str) {
    gui.replace_text(bar, path);
    gui.harness.key_press(egui::Key::Enter);
    gui.harness.step();
}

#[test]
fn compare_mode_marks_the_differences_and_the_detected_time_offset_is_kept_in_the_site() {
    // A server that lists (LIST, no MLSD) in a zone two hours ahead of UTC.
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        disable_mlsd: true,
        list_zone_offset_seconds: 7200,
        ..ServerConfig::default()
    });
    // Three days ago, on a whole minute (LIST shows no seconds).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let t = (now - 3 * 86_400) / 60 * 60;
    let root = server.root().to_owned();
    for name in [
        "hello.txt",
        "same.txt",
        "local-newer.txt",
        "local-older.txt",
    ] {
        write_at(&root.join(name), b"abc", t);
    }
    write_at(&root.join("size.txt"), b"abcd", t);
    write_at(&root.join("theirs.txt"), b"abc", t);

    let dirs = tempfile::tempdir().unwrap();
    pin(&server, &dirs.path().join("config"));
    let mut gui = Gui::in_dirs(dirs);
    let local = gui.local();
    write_at(&local.join("same.txt"), b"abc", t);
    write_at(&local.join("local-newer.txt"), b"abc", t + 3600);
    write_at(&local.join("local-older.txt"), b"abc", t - 3600);
    write_at(&local.join("size.txt"), b"abc", t);
    write_at(&local.join("mine.txt"), b"abc", t);
    save_site(&gui, "Zoned", server.port(), Logon::Normal);
    open_from_sites_menu(&mut gui, "Zoned");
    gui.wait_label("Password for Zoned");
    type_text(&mut gui, "s3cret");
    gui.click("Connect");
    gui.wait_label("Remote hello.txt");
    gui.harness.key_press(egui::Key::F5);
    gui.wait_label("Local mine.txt");

    gui.click("Compare");
    gui.wait_label("Server time offset");
    // Without the offset, the server's LIST times look two hours newer.
    gui.wait_label("Remote same.txt, newer");
    gui.click("Detect");
    gui.wait_label("UTC+2:00");
    for (label, mark) in [
        ("Local mine.txt", "only here"),
        ("Remote theirs.txt", "only here"),
        ("Local local-newer.txt", "newer"),
        ("Remote local-newer.txt", "older"),
        ("Local local-older.txt", "older"),
        ("Remote local-older.txt", "newer"),
        ("Local size.txt", "different size"),
        ("Remote size.txt", "different size"),
    ] {
        let expected = format!("{label}, {mark}");
        gui.wait_label(&expected);
    }
    assert!(
        gui.has("Local same.txt") && !gui.has("Local same.txt,"),
        "no mark when equal"
    );
    assert!(!gui.has("Remote same.txt,"));

    // Kept in the site: the next connection compares right without detecting.
    let sites = gui.config().join("sites.toml");
    wait_for_file_text(&mut gui, &sites, "time_offset_minutes = -120");
    gui.click("Disconnect");
    gui.wait("disconnected", |h| {
        h.query_all_by_label("Remote hello.txt").next().is_none()
    });
    open_from_sites_menu(&mut gui, "Zoned");
    gui.wait_label("Password for Zoned");
    type_text(&mut gui, "s3cret");
    gui.click("Connect");
    gui.wait_label("Remote local-newer.txt, older");
    assert!(!gui.has("Remote same.txt,"));
}

#[test]
fn synchronized_browsing_opens_the_same_folder_on_the_other_side_until_one_is_missing() {
    let server = server_with_files();
    std::fs::create_dir(server.root().join("docs/deeper")).unwrap();
    let mut gui = connected_gui(&server);
    let local = gui.local();
    std::fs::create_dir_all(local.join("docs/deeper")).unwrap();
    std::fs::write(local.join("docs/local-notes.txt"), b"n").unwrap();
    std::fs::create_dir(local.join("only-here")).unwrap();
    gui.harness.key_press(egui::Key::F5);
    gui.wait_label("Local docs");

    gui.click("Sync browsing");
    gui.wait_label("Synchronized browsing:");
    let here = |rel: &str| local.join(rel).display().to_string();
    // Local side leads.
    go_to(&mut gui, "Local path", &here("docs"));
    gui.wait_label("Local local-notes.txt");
    gui.wait_label("Remote readme.txt");
    // The server side leads, one level further down.
    go_to(&mut gui, "Remote path", "/docs/deeper");
    gui.wait("the local pane in docs/deeper", |h| {
        h.query_all_by_label_contains("Local local-notes.txt")
            .next()
            .is_none()
    });
    gui.wait("the remote pane in /docs/deeper", |h| {
        h.query_all_by_label("Remote readme.txt").next().is_none()
    });
    // Up (Backspace, the local pane is active) on one side is up on both.
    gui.harness.key_press(egui::Key::Backspace);
    gui.wait_label("Local local-notes.txt");
    gui.wait_label("Remote readme.txt");
    gui.harness.key_press(egui::Key::Backspace);
    gui.wait_label("Remote hello.txt");
    gui.wait_label("Local only-here");
    // A folder the server does not have: the link ends and says why; the server pane stays.
    go_to(&mut gui, "Local path", &here("only-here"));
    gui.wait_label("Synchronized browsing is off");
    assert!(gui.has("Remote hello.txt"));
    // Off: the panes move on their own again.
    go_to(&mut gui, "Local path", &here("docs"));
    gui.wait_label("Local local-notes.txt");
    assert!(gui.has("Remote hello.txt"), "the remote pane stayed");
}

#[test]
fn a_long_synchronize_comparison_can_be_stopped_and_the_session_goes_on() {
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        ..ServerConfig::default()
    });
    std::fs::write(server.root().join("hello.txt"), b"hello").unwrap();
    let mut gui = connected_gui(&server);
    // Made once connected (the window's listing would hide hello.txt, which the connection
    // waits for, below them). A listing per folder: long enough to stop halfway.
    for i in 0..400 {
        let dir = server.root().join(format!("d{i:03}"));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("f.txt"), b"x").unwrap();
    }
    gui.click("Synchronize…");
    gui.wait_label("Download: make this computer's folder like the server's");
    gui.click("Download: make this computer's folder like the server's");
    gui.click("Compare");
    gui.wait_label("Comparing…");
    gui.click("Stop");
    gui.wait_label("Comparison stopped; nothing was changed.");

    gui.harness.check_accessibility();
    let listings = || {
        server
            .commands()
            .iter()
            .filter(|c| c.starts_with("MLSD") || c.starts_with("LIST"))
            .count()
    };
    // The browse session is free again: a new folder made on it shows up.
    std::fs::create_dir(server.root().join("a-made-later")).unwrap();
    // The remote pane's refresh (the local pane's comes first).
    gui.harness.get_all_by_label("⟳").nth(1).unwrap().click();
    gui.wait_label("Remote a-made-later");
    // The stopped request's answer came before that listing; it is no error to show.
    assert!(!gui.has("Synchronize failed"));
    assert!(listings() < 400, "the walk stopped early ({})", listings());
    assert!(!gui.local().join("d000").exists(), "nothing was changed");
}

#[test]
fn the_synchronize_dialog_previews_the_changes_and_makes_only_those_kept() {
    // MFMT: uploads keep their times, so a second comparison finds them equal.
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        mfmt: true,
        ..ServerConfig::default()
    });
    std::fs::create_dir(server.root().join("docs")).unwrap();
    std::fs::write(server.root().join("docs/readme.txt"), b"read me").unwrap();
    std::fs::write(server.root().join("hello.txt"), b"hello from the server").unwrap();
    let mut gui = connected_gui(&server);
    let local = gui.local();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    std::fs::create_dir(local.join("docs")).unwrap();
    write_at(
        &local.join("docs/readme.txt"),
        b"read me, changed here",
        now + 3600,
    );
    std::fs::write(local.join("new.txt"), b"new here").unwrap();
    std::fs::write(local.join("keep-out.txt"), b"not yet").unwrap();
    gui.harness.key_press(egui::Key::F5);
    gui.wait_label("Local new.txt");

    gui.click("Synchronize…");
    gui.wait_label("Upload: make the server folder like this computer's");
    gui.click("Delete what exists only on the side being changed");
    gui.click("Compare");
    gui.wait_label("4 change(s)");
    gui.harness.check_accessibility();
    assert!(gui.has("docs/readme.txt (newer here)"));
    assert!(gui.has("new.txt (only here)"));
    assert!(gui.has("delete remote hello.txt"));
    // Dropped from the run: it stays where it is.
    gui.harness
        .get_by_label_contains("keep-out.txt (only here)")
        .click();
    gui.harness.step();
    gui.click("Synchronize 3 change(s)");
    gui.wait_label("Synchronize: 2 transfer(s) queued.");
    gui.wait_label("Done (2)");
    let root = server.root();
    assert_eq!(std::fs::read(root.join("new.txt")).unwrap(), b"new here");
    assert_eq!(
        std::fs::read(root.join("docs/readme.txt")).unwrap(),
        b"read me, changed here"
    );
    assert!(!root.join("hello.txt").exists(), "deleted on the server");
    assert!(!root.join("keep-out.txt").exists(), "left out of the run");
    assert!(local.join("keep-out.txt").exists());

    // Compared again: only the file left out differs.
    gui.click("Synchronize…");
    gui.click("Compare");
    gui.wait_label("1 change(s)");
    assert!(gui.has("keep-out.txt (only here)"));
    assert!(
        !gui.has("docs/readme.txt ("),
        "its time was kept: {:?}",
        gui.has("newer")
    );
}

/// Steps frames until `path` holds `body`, or fails after 20 s.
fn wait_for_file(gui: &mut Gui, path: &Path, body: &[u8]) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        gui.harness.step();
        if std::fs::read(path).is_ok_and(|got| got == body) {
            return;
        }
        assert!(Instant::now() < deadline, "{path:?} never held {body:?}");
        std::thread::sleep(Duration::from_millis(30));
    }
}

#[test]
fn keeping_the_server_up_to_date_uploads_what_is_saved_until_stopped() {
    let server = server_with_files();
    let mut gui = connected_gui(&server);
    let local = gui.local();
    let root = server.root().to_owned();
    gui.click("Synchronize…");
    gui.click("Keep the server up to date");
    gui.wait_label("Keeping / up to date");

    // A new file, then the same file saved again.
    std::fs::write(local.join("live.txt"), b"first").unwrap();
    wait_for_file(&mut gui, &root.join("live.txt"), b"first");
    std::fs::write(local.join("live.txt"), b"second, longer").unwrap();
    wait_for_file(&mut gui, &root.join("live.txt"), b"second, longer");
    // A folder made with files in it: made on the server with them.
    let staging = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(staging.path().join("css/print")).unwrap();
    std::fs::write(staging.path().join("css/print/p.css"), b"p{}").unwrap();
    std::fs::rename(staging.path().join("css"), local.join("css")).unwrap();
    wait_for_file(&mut gui, &root.join("css/print/p.css"), b"p{}");
    // The queue showed them.
    gui.wait_label("Done (3)");
    // An editor's backup is not uploaded; nothing is deleted on the server.
    std::fs::write(local.join("live.txt~"), b"backup").unwrap();
    std::fs::remove_file(local.join("live.txt")).unwrap();

    gui.click("Stop");
    gui.wait_label("Stopped keeping / up to date");
    std::fs::write(local.join("after.txt"), b"not sent").unwrap();
    let settle = Instant::now() + Duration::from_secs(2);
    while Instant::now() < settle {
        gui.harness.step();
        std::thread::sleep(Duration::from_millis(30));
    }
    assert!(!root.join("after.txt").exists(), "stopped means stopped");
    assert!(!root.join("live.txt~").exists());
    assert!(root.join("live.txt").exists(), "deletions are not copied");
}
