//! Site passwords against the real OS keychain (Secret Service: gnome-keyring under
//! `dbus-run-session`, started by `.ci/run`), and the fallback when there is none.
//!
//! `#[ignore]`d in a plain `cargo test`: a machine without a Secret Service cannot pass them,
//! and they must not touch a developer's own keychain by accident. `.ci/run` runs them with
//! `--ignored` inside a private D-Bus session with a throwaway keyring.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use ferry::sites::Keychain;
use support::server::{ServerConfig, TestServer};

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{nanos}", std::process::id())
}

fn ferry(config: &Path, args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command
        .args(args)
        .env("FERRY_CONFIG_DIR", config)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("run ferry");
    if let Some(text) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every file below `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return hits;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path)
            && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        {
            hits.push(path.display().to_string());
        }
    }
    hits
}

#[test]
#[ignore = "needs a Secret Service: run by .ci/run under dbus-run-session with gnome-keyring"]
fn real_keychain_round_trip() {
    let keychain = Keychain::platform();
    assert!(
        keychain.is_available(),
        "no Secret Service: {:?}",
        keychain.unavailable_reason()
    );
    let site = unique("Tests/Round trip");
    let moved = format!("{site} (moved)");
    keychain.set(&site, "first").unwrap();
    keychain.set(&site, "second").unwrap();
    assert_eq!(keychain.get(&site).unwrap().as_deref(), Some("second"));
    keychain.rename(&site, &moved).unwrap();
    assert_eq!(keychain.get(&site).unwrap(), None);
    assert_eq!(keychain.get(&moved).unwrap().as_deref(), Some("second"));
    keychain.delete(&moved).unwrap();
    assert_eq!(keychain.get(&moved).unwrap(), None);
}

#[test]
#[ignore = "needs a Secret Service: run by .ci/run under dbus-run-session with gnome-keyring"]
fn saved_password_lives_only_in_the_keychain() {
    let password = unique("pw");
    let server = TestServer::start(ServerConfig {
        password: password.clone(),
        ..ServerConfig::default()
    });
    let config = tempfile::tempdir().unwrap();
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    let url = format!("ftp://alice:{password}@127.0.0.1:{}/", server.port());
    let out = ferry(
        config.path(),
        &[
            "sites",
            "add",
            "Acme",
            &url,
            "--folder",
            "Work",
            "--site-ca-file",
            &ca,
        ],
        &[],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    std::fs::write(server.root().join("report.txt"), b"x").unwrap();

    let out = ferry(config.path(), &["ls", "-v", "site:Work/Acme"], &[], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("report.txt"));
    assert!(
        !text(&out).contains(&password),
        "the password reached the output"
    );

    // Renaming moves the keychain entry; the site still connects.
    let out = ferry(
        config.path(),
        &[
            "sites",
            "edit",
            "Work/Acme",
            "--name",
            "Acme Corp",
            "--folder",
            "Clients",
        ],
        &[],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let keychain = Keychain::platform();
    assert_eq!(keychain.get("Work/Acme").unwrap(), None);
    assert_eq!(
        keychain.get("Clients/Acme Corp").unwrap().as_deref(),
        Some(password.as_str())
    );
    let out = ferry(config.path(), &["ls", "site:Acme Corp"], &[], None);
    assert!(out.status.success(), "{}", text(&out));

    // The password is nowhere on disk where Ferry writes (config; a data dir comes later).
    assert_eq!(
        files_containing(config.path(), &password),
        Vec::<String>::new()
    );
    let sites = std::fs::read_to_string(config.path().join("sites.toml")).unwrap();
    assert!(sites.contains("Acme Corp") && !sites.contains(&password));

    // Deleting the site removes its password.
    let out = ferry(
        config.path(),
        &["sites", "rm", "Clients/Acme Corp"],
        &[],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(keychain.get("Clients/Acme Corp").unwrap(), None);
}

#[test]
#[ignore = "needs a Secret Service: run by .ci/run under dbus-run-session with gnome-keyring"]
fn a_pkcs12_certificate_password_is_saved_in_the_keychain_and_used_by_the_site() {
    let (ours, server) =
        support::server::requiring_client_certs("ferry-user", ServerConfig::default());
    std::fs::write(server.root().join("mutual.txt"), b"x").unwrap();
    let config = tempfile::tempdir().unwrap();
    let certs = tempfile::tempdir().unwrap();
    let p12 = certs.path().join(format!("{}.p12", unique("client")));
    let cert_password = unique("p12pw");
    std::fs::write(&p12, ours.pkcs12(&cert_password)).unwrap();
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    let url = format!("ftp://alice:s3cret@127.0.0.1:{}/", server.port());
    let site = unique("Mutual");
    let add = |password: &str| {
        ferry(
            config.path(),
            &[
                "sites",
                "add",
                &site,
                &url,
                "--site-ca-file",
                &ca,
                "--site-cert",
                p12.to_str().unwrap(),
            ],
            &[("FERRY_CERT_PASSWORD", password)],
            None,
        )
    };

    // A wrong password is refused when the site is added, and nothing is saved.
    let out = add("not-it");
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("password of this PKCS#12 file is wrong"));
    let keychain = Keychain::platform();
    let account = ferry::sites::secrets::client_cert_account(&p12);
    assert_eq!(keychain.get(&account).unwrap(), None);

    // The right one is checked and kept in the keychain under the file's account.
    let out = add(&cert_password);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        keychain.get(&account).unwrap().as_deref(),
        Some(cert_password.as_str())
    );

    // Connecting needs nothing else: no environment, no terminal.
    let out = ferry(
        config.path(),
        &["ls", "-v", &format!("site:{site}")],
        &[],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("mutual.txt"));
    assert!(
        !text(&out).contains(&cert_password),
        "the password reached the output"
    );
    assert_eq!(
        files_containing(config.path(), &cert_password),
        Vec::<String>::new()
    );
    keychain.delete(&account).unwrap();
    keychain.delete(&site).unwrap();
}

#[test]
#[ignore = "needs a Secret Service: run by .ci/run under dbus-run-session with gnome-keyring"]
fn without_a_keychain_ferry_says_so_and_asks() {
    let server = TestServer::start(ServerConfig::default());
    let config = tempfile::tempdir().unwrap();
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    // A session bus that does not exist: no Secret Service can be reached.
    let no_bus = [("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")];
    let url = format!("ftp://alice:s3cret@127.0.0.1:{}/", server.port());
    let out = ferry(
        config.path(),
        &["sites", "add", "NoKeychain", &url, "--site-ca-file", &ca],
        &no_bus,
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("passwords cannot be saved"), "{stderr}");
    let sites = std::fs::read_to_string(config.path().join("sites.toml")).unwrap();
    assert!(!sites.contains("s3cret"));
    assert!(sites.contains("ask-password"), "{sites}");

    // Without a terminal or --password-stdin there is nobody to ask.
    let out = ferry(config.path(), &["ls", "site:NoKeychain"], &no_bus, None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // With it, it connects.
    let out = ferry(
        config.path(),
        &["ls", "--password-stdin", "site:NoKeychain"],
        &no_bus,
        Some("s3cret\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
}
