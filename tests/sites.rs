//! `ferry sites ...` and `site:` targets, with the keychain turned off (`FERRY_NO_KEYCHAIN`) so a
//! plain `cargo test` never touches the keychain of whoever runs it. The real keychain is
//! exercised by tests/keychain.rs in CI.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use ferry::sites::store::SiteStore;
use ferry::sites::{Logon, SiteSecurity, TransferMode};
use support::ok;
use support::server::{ServerConfig, TestServer};

fn ferry(config: &Path, args: &[&str]) -> Output {
    support::cli::ferry_in(config, args)
}

fn store(config: &Path) -> SiteStore {
    SiteStore::load(&config.join("sites.toml")).unwrap()
}

#[test]
fn add_list_edit_rm() {
    let config = tempfile::tempdir().unwrap();
    let out = ferry(
        config.path(),
        &[
            "sites",
            "add",
            "Shop",
            "ftps://bob@shop.example:2990/www",
            "--folder",
            "Work/Clients",
            "--mode",
            "active",
            "--max-connections",
            "4",
            "--max-tls",
            "1.2",
            "--notes",
            "call Ann first",
        ],
    );
    ok(&out);
    // No keychain: the user is told, and the site asks for its password.
    assert!(String::from_utf8_lossy(&out.stderr).contains("passwords cannot be saved"));
    let s = store(config.path());
    let shop = s.find("Work/Clients/Shop").unwrap();
    assert_eq!(shop.security, SiteSecurity::ImplicitTls);
    assert_eq!((shop.host.as_str(), shop.port), ("shop.example", 2990));
    assert_eq!(shop.user, "bob");
    assert_eq!(shop.logon, Logon::AskPassword);
    assert_eq!(shop.transfer_mode, TransferMode::Active);
    assert_eq!(shop.max_connections, 4);
    assert_eq!(shop.remote_dir.as_deref(), Some("www"));
    assert_eq!(shop.notes, "call Ann first");

    ok(&ferry(
        config.path(),
        &["sites", "add", "Mirror", "ftp://anon.example/"],
    ));
    assert_eq!(
        store(config.path()).find("Mirror").unwrap().logon,
        Logon::Anonymous
    );
    let listing = ok(&ferry(config.path(), &["sites", "list"]));
    assert!(listing.contains("Work/Clients/"), "{listing}");
    assert!(
        listing.contains("Shop  ftps://bob@shop.example:2990"),
        "{listing}"
    );
    assert!(
        listing.contains("Mirror  ftpes://anonymous@anon.example:21"),
        "{listing}"
    );

    // Rename and move; the old path is gone.
    ok(&ferry(
        config.path(),
        &[
            "sites",
            "edit",
            "Shop",
            "--name",
            "Shop (old)",
            "--folder",
            "Archive",
        ],
    ));
    let s = store(config.path());
    assert!(s.find("Work/Clients/Shop").is_err());
    assert_eq!(s.find("Archive/Shop (old)").unwrap().host, "shop.example");

    // A duplicate name in the same folder is refused.
    let dup = ferry(
        config.path(),
        &["sites", "add", "Mirror", "ftp://x.example/"],
    );
    assert_eq!(dup.status.code(), Some(2));

    ok(&ferry(
        config.path(),
        &["sites", "rm", "Archive/Shop (old)"],
    ));
    assert!(store(config.path()).find("Shop (old)").is_err());
    assert_eq!(
        ferry(config.path(), &["sites", "rm", "nope"]).status.code(),
        Some(2)
    );
}

#[test]
fn plain_site_is_flagged() {
    let config = tempfile::tempdir().unwrap();
    let out = ferry(
        config.path(),
        &["sites", "add", "Old box", "ftp://u@old.example/", "--plain"],
    );
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain FTP"));
    assert_eq!(
        store(config.path()).find("Old box").unwrap().security,
        SiteSecurity::Plain
    );
    let listing = ok(&ferry(config.path(), &["sites", "list"]));
    assert!(listing.contains("INSECURE"), "{listing}");
}

#[test]
fn ls_get_put_through_a_site() {
    let server = TestServer::start(ServerConfig {
        allow_anonymous: true,
        ..ServerConfig::default()
    });
    std::fs::create_dir(server.root().join("pub")).unwrap();
    std::fs::write(server.root().join("pub/readme.txt"), b"hello from a site").unwrap();
    let config = tempfile::tempdir().unwrap();
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    ok(&ferry(
        config.path(),
        &[
            "sites",
            "add",
            "Test server",
            &format!("ftp://127.0.0.1:{}/pub", server.port()),
            "--folder",
            "Lab",
            "--site-ca-file",
            &ca,
        ],
    ));
    // The site's remote folder is where relative paths start.
    let listing = ok(&ferry(config.path(), &["ls", "site:Lab/Test server"]));
    assert_eq!(listing.trim(), "readme.txt");
    let local = tempfile::tempdir().unwrap();
    ok(&ferry(
        config.path(),
        &[
            "get",
            "site:Test server/readme.txt",
            local.path().to_str().unwrap(),
        ],
    ));
    assert_eq!(
        std::fs::read(local.path().join("readme.txt")).unwrap(),
        b"hello from a site"
    );
    // An absolute path with //.
    let root = ok(&ferry(config.path(), &["ls", "site:Test server//"]));
    assert!(root.lines().any(|l| l == "pub/"), "{root}");
    let missing = ferry(config.path(), &["ls", "site:No such site"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("No such site"));
}

#[test]
fn two_processes_saving_at_once_lose_nothing() {
    let config = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..12)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_ferry"))
                .args([
                    "sites",
                    "add",
                    &format!("Site {i:02}"),
                    &format!("ftp://u{i}@host{i}.example/"),
                    "--logon",
                    "ask",
                ])
                .env("FERRY_CONFIG_DIR", config.path())
                .env("FERRY_NO_KEYCHAIN", "1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(store(config.path()).sites().len(), 12);
}

#[test]
fn corrupt_site_file_is_a_clear_error_and_kept() {
    let config = tempfile::tempdir().unwrap();
    let file = config.path().join("sites.toml");
    std::fs::write(&file, "version = 1\n[[site]]\nname = 3\n").unwrap();
    let out = ferry(config.path(), &["sites", "add", "X", "ftp://x.example/"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(8), "{stderr}");
    assert!(
        stderr.contains("sites.toml") && stderr.contains("line 3"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "version = 1\n[[site]]\nname = 3\n",
        "never overwritten"
    );
    let backups = std::fs::read_dir(config.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".bak"))
        .count();
    assert_eq!(backups, 1);
}

#[test]
fn filezilla_import_report_and_reimport() {
    let config = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/filezilla/basic.xml");
    let report = ok(&ferry(
        config.path(),
        &["sites", "import", fixture.to_str().unwrap()],
    ));
    assert!(report.contains("Imported"), "{report}");
    assert!(report.contains("Skipped"), "{report}");
    assert!(report.to_lowercase().contains("sftp"), "{report}");
    let count = store(config.path()).sites().len();
    assert!(count > 0);
    // No password from the file reached the site file (there is no keychain here).
    let text = std::fs::read_to_string(config.path().join("sites.toml")).unwrap();
    for password in ["s3cret", "plain&old pw", "acme pw", "nas-password"] {
        assert!(!text.contains(password), "{password} in {text}");
    }
    // Importing again adds nothing.
    let again = ok(&ferry(
        config.path(),
        &["sites", "import", fixture.to_str().unwrap()],
    ));
    assert!(again.contains("Imported 0 site(s)"), "{again}");
    assert_eq!(store(config.path()).sites().len(), count);
}

#[test]
fn folder_transfer_respects_the_sites_connection_limit() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::create_dir(server.root().join("many")).unwrap();
    for i in 0..20 {
        std::fs::write(server.root().join(format!("many/{i}.txt")), format!("{i}")).unwrap();
    }
    let config = tempfile::tempdir().unwrap();
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    ok(&ferry(
        config.path(),
        &[
            "sites",
            "add",
            "One at a time",
            &format!("ftp://alice:s3cret@127.0.0.1:{}/", server.port()),
            "--logon",
            "ask",
            "--max-connections",
            "1",
            "--site-ca-file",
            &ca,
        ],
    ));
    let local = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args([
            "get",
            "-r",
            "--parallel",
            "4",
            "--password-stdin",
            "site:One at a time/many",
            local.path().to_str().unwrap(),
        ])
        .env("FERRY_CONFIG_DIR", config.path())
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"s3cret\n").unwrap();
    ok(&child.wait_with_output().unwrap());
    assert_eq!(std::fs::read_dir(local.path()).unwrap().count(), 20);
    let logins = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("USER"))
        .count();
    assert_eq!(logins, 1, "the site allows one connection");
}

#[test]
fn filezilla_import_without_a_path_reads_filezillas_own_file() {
    let config = tempfile::tempdir().unwrap();
    let xdg = tempfile::tempdir().unwrap();
    std::fs::create_dir(xdg.path().join("filezilla")).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/filezilla/basic.xml");
    std::fs::copy(&fixture, xdg.path().join("filezilla/sitemanager.xml")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["sites", "import"])
        .env("FERRY_CONFIG_DIR", config.path())
        .env("FERRY_NO_KEYCHAIN", "1")
        .env("XDG_CONFIG_HOME", xdg.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let report = ok(&out);
    assert!(report.contains("Imported"), "{report}");
    assert!(report.contains("filezilla/sitemanager.xml"), "{report}");
    assert!(!store(config.path()).sites().is_empty());
}
