//! Real-server interop: Debian's vsftpd, ProFTPD and pure-ftpd in the configurations that break
//! clients, started by `.ci/interop/start.sh` (see `.ci/interop/README.md`).
//!
//! These tests are `#[ignore]`d in a plain `cargo test` because they need those servers; `.ci/run`
//! starts them and runs `cargo test --test interop -- --ignored` with `FERRY_INTEROP_ENV` pointing at
//! the servers' `servers.env`. Run without it, they fail loudly rather than pass vacuously.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

use std::io::Cursor;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use ferry::ftp::{
    DataMode, EntryKind, FtpError, LogKind, MemoryLog, Security, Session, TransferControl,
    UploadMode,
};
use ferry::tls::{self, TlsOptions};
use support::interop::{Checks, Env, Ran, ServerDir, run_ferry, sha256};
use support::transfer::{download, random_bytes};

mod support;

fn upload(session: &mut Session, remote: &str, data: &[u8]) -> Result<u64, FtpError> {
    support::transfer::upload(session, remote, data, UploadMode::Replace)
}

/// A fresh working directory on the server for one test, so servers sharing a home don't clash.
fn workdir(session: &mut Session, server: &str, test: &str) -> String {
    let dir = format!(
        "ferry-{}-{}-{}",
        server.to_lowercase(),
        test,
        std::process::id()
    );
    let _ = session.mkdir(&dir);
    dir
}

/// What a server does about TLS session resumption on data connections.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reuse {
    Required,
    NotOffered,
    NoTls,
}

/// The full scenario of the issue, on one server: list, 10 MiB round trip, 30 uploads and 30
/// downloads on one session, a resumed download, mkdir/rename/delete, cancel then success.
fn full_scenario(server: &str, security: Security, reuse: Reuse) -> Vec<String> {
    let env = Env::load();
    let (mut s, log) = env.session(server, security);
    let dir = workdir(&mut s, server, "full");

    // ls
    s.list(None)
        .unwrap_or_else(|e| panic!("{server}: list: {e}"));

    // put then get of a 10 MiB random file, byte-identical
    let big = random_bytes(10 * 1024 * 1024, 7);
    let big_path = format!("{dir}/big.bin");
    assert_eq!(upload(&mut s, &big_path, &big).unwrap(), big.len() as u64);
    assert_eq!(s.size(&big_path).unwrap(), big.len() as u64);
    let back = download(&mut s, &big_path, 0).unwrap();
    assert!(back == big, "{server}: 10 MiB download differs");

    // a download resumed from an offset
    let offset = 3 * 1024 * 1024 + 17;
    let tail = download(&mut s, &big_path, offset).unwrap();
    assert!(
        tail == big[offset as usize..],
        "{server}: resumed download differs"
    );

    // 30 consecutive uploads and 30 downloads on one session
    for i in 0..30 {
        let body = random_bytes(20_000 + i * 1000, i as u64 + 100);
        let path = format!("{dir}/small-{i}.bin");
        upload(&mut s, &path, &body).unwrap_or_else(|e| {
            panic!("{server}: upload {i} of 30 failed: {e}\n{}", log_tail(&log))
        });
    }
    for i in 0..30 {
        let body = random_bytes(20_000 + i * 1000, i as u64 + 100);
        let path = format!("{dir}/small-{i}.bin");
        let got = download(&mut s, &path, 0)
            .unwrap_or_else(|e| panic!("{server}: download {i} of 30 failed: {e}"));
        assert!(got == body, "{server}: download {i} differs");
    }
    let listing = s.list(Some(&dir)).unwrap();
    assert_eq!(
        listing
            .iter()
            .filter(|e| e.kind == EntryKind::File && e.name.starts_with("small-"))
            .count(),
        30,
        "{server}: listing after uploads: {listing:?}"
    );

    // mkdir, rename, delete
    let sub = format!("{dir}/sub dir");
    s.mkdir(&sub).unwrap();
    s.rename(&format!("{dir}/small-0.bin"), &format!("{sub}/moved.bin"))
        .unwrap();
    let inside = s.list(Some(&sub)).unwrap();
    assert!(inside.iter().any(|e| e.name == "moved.bin"), "{inside:?}");
    s.delete(&format!("{sub}/moved.bin")).unwrap();
    s.rmdir(&sub).unwrap();
    assert!(
        !s.list(Some(&dir))
            .unwrap()
            .iter()
            .any(|e| e.name == "sub dir"),
        "{server}: rmdir did not remove the directory"
    );

    // a cancelled download, then a successful one on the same session
    let cancel = AtomicBool::new(false);
    let mut seen = 0u64;
    let mut progress = |done: u64| {
        seen = done;
        if done > 256 * 1024 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let mut ctl = TransferControl::new(&mut progress, &cancel);
    let mut sink = Vec::new();
    let err = s.download(&big_path, 0, &mut sink, &mut ctl).unwrap_err();
    assert!(matches!(err, FtpError::Cancelled), "{server}: {err}");
    assert!(seen < big.len() as u64, "{server}: cancel came too late");
    let again = download(&mut s, &big_path, 0).unwrap();
    assert!(again == big, "{server}: download after cancel differs");

    // a cancelled upload, then a successful one
    let cancel = AtomicBool::new(false);
    let mut progress = |done: u64| {
        if done > 256 * 1024 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let mut ctl = TransferControl::new(&mut progress, &cancel);
    let err = s
        .upload(
            &format!("{dir}/cancelled.bin"),
            UploadMode::Replace,
            &mut Cursor::new(&big),
            &mut ctl,
        )
        .unwrap_err();
    assert!(matches!(err, FtpError::Cancelled), "{server}: {err}");
    assert_eq!(
        upload(&mut s, &format!("{dir}/after-cancel.bin"), &big[..100_000]).unwrap(),
        100_000
    );
    s.noop().unwrap();

    if security != Security::Plain {
        let lines = log.lines();
        let not_resumed = lines
            .iter()
            .filter(|(_, l)| l.contains("not resumed"))
            .count();
        match reuse {
            // Every data connection resumed the control session's TLS: the server demands it,
            // and the engine logs each one that does not.
            Reuse::Required => assert_eq!(not_resumed, 0, "{server}: {}", log_tail(&log)),
            // pure-ftpd neither offers nor requires resumption: full handshakes, and they work.
            Reuse::NotOffered => assert!(not_resumed > 60, "{server}: {not_resumed}"),
            Reuse::NoTls => panic!("{server}: TLS on a plain scenario"),
        }
        assert!(
            !lines
                .iter()
                .any(|(k, l)| *k == LogKind::Command && l.contains(&env.get("FERRY_INTEROP_PASS"))),
            "{server}: the password reached the log"
        );
    }
    cleanup(&mut s, &dir);
    s.quit().unwrap();
    log.lines().into_iter().map(|(_, l)| l).collect()
}

const TLS12_FALLBACK: &str = "reconnecting with TLS 1.2";

/// The end of the protocol log, for failure messages.
fn log_tail(log: &MemoryLog) -> String {
    let lines = log.lines();
    let start = lines.len().saturating_sub(60);
    lines[start..]
        .iter()
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn cleanup(s: &mut Session, dir: &str) {
    if let Ok(entries) = s.list(Some(dir)) {
        for e in entries {
            let _ = s.delete(&format!("{dir}/{}", e.name));
        }
    }
    let _ = s.rmdir(dir);
}

/// `ferry ls ftps://…` (implicit TLS) through the command line.
fn cli_lists_over_implicit_tls(server: &str) {
    let env = Env::load();
    let ca = env.ca();
    let out = ferry(&[
        "ls",
        "--ca-file",
        ca.to_str().unwrap(),
        &env.url("ftps", server, ""),
    ]);
    assert!(
        out.status.success(),
        "ferry ls ftps:// on {server}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A configuration directory of this test process, outside the user's home.
fn config_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ferry-test-config-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn ferry(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        // Never read or write the real user's pins.
        .env("FERRY_CONFIG_DIR", config_dir())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run ferry")
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_explicit_tls13_session_reuse_required() {
    let log = full_scenario("VSFTPD_EXPLICIT", Security::ExplicitTls, Reuse::Required);
    // vsftpd renews tickets on every data connection: TLS 1.3 all the way.
    assert!(!log.iter().any(|l| l.contains(TLS12_FALLBACK)));
    let env = Env::load();
    let (s, _) = env.session("VSFTPD_EXPLICIT", Security::ExplicitTls);
    let info = s.tls_info().expect("tls");
    assert_eq!(info.version, "TLSv1.3", "vsftpd should negotiate TLS 1.3");
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_explicit_tls12() {
    let env = Env::load();
    let (mut options, _) = env.options("VSFTPD_EXPLICIT", Security::ExplicitTls);
    options.tls = Some(
        tls::client_config(&TlsOptions {
            extra_ca_file: Some(env.ca()),
            max_version: tls::MaxTlsVersion::Tls12,
            ..TlsOptions::default()
        })
        .unwrap(),
    );
    let mut s = Session::connect(options).unwrap();
    s.login(&env.creds()).unwrap();
    assert_eq!(s.tls_info().unwrap().version, "TLSv1.2");
    let dir = workdir(&mut s, "VSFTPD_EXPLICIT", "tls12");
    for i in 0..10 {
        let body = random_bytes(50_000, i);
        upload(&mut s, &format!("{dir}/f{i}"), &body).unwrap();
        assert!(download(&mut s, &format!("{dir}/f{i}"), 0).unwrap() == body);
    }
    cleanup(&mut s, &dir);
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_implicit() {
    full_scenario("VSFTPD_IMPLICIT", Security::ImplicitTls, Reuse::Required);
    cli_lists_over_implicit_tls("VSFTPD_IMPLICIT");
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn proftpd_explicit_tls_required() {
    let log = full_scenario("PROFTPD_EXPLICIT", Security::ExplicitTls, Reuse::Required);
    // ProFTPD sends no new TLS 1.3 ticket after uploads; the session must have switched to
    // TLS 1.2 rather than fail a transfer.
    assert!(log.iter().any(|l| l.contains(TLS12_FALLBACK)));
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn proftpd_implicit() {
    let log = full_scenario("PROFTPD_IMPLICIT", Security::ImplicitTls, Reuse::Required);
    assert!(log.iter().any(|l| l.contains(TLS12_FALLBACK)));
    cli_lists_over_implicit_tls("PROFTPD_IMPLICIT");
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn pureftpd_tls_required() {
    full_scenario(
        "PUREFTPD_EXPLICIT",
        Security::ExplicitTls,
        Reuse::NotOffered,
    );
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_bogus_pasv_address() {
    let env = Env::load();
    let bogus = env.get("FERRY_INTEROP_VSFTPD_NATPASV_ADDR");
    // EPSV carries no address, so PASV is forced to exercise the address policy.
    let (mut options, log) = env.options("VSFTPD_NATPASV", Security::ExplicitTls);
    options.use_epsv = false;
    let mut s = Session::connect(options).unwrap();
    s.login(&env.creds()).unwrap();
    let dir = workdir(&mut s, "VSFTPD_NATPASV", "nat");
    let body = random_bytes(2 * 1024 * 1024, 3);
    upload(&mut s, &format!("{dir}/nat.bin"), &body).unwrap();
    assert!(download(&mut s, &format!("{dir}/nat.bin"), 0).unwrap() == body);
    let lines = log.lines();
    assert!(
        lines
            .iter()
            .any(|(_, l)| l.contains(&format!("server advertised {bogus}"))),
        "the server should have advertised {bogus}: {lines:?}"
    );
    assert!(
        !lines
            .iter()
            .any(|(_, l)| l.contains(&format!("data connection to {bogus}"))),
        "Ferry tried the advertised address"
    );
    s.quit().unwrap();

    // The command line, through the same server.
    let local = tempfile::tempdir().unwrap();
    let ca = env.ca();
    let out = ferry(&[
        "get",
        "-v",
        "--no-epsv",
        "--ca-file",
        ca.to_str().unwrap(),
        &env.url("ftp", "VSFTPD_NATPASV", &format!("{dir}/nat.bin")),
        local.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ferry get via bogus PASV: {stderr}");
    assert!(std::fs::read(local.path().join("nat.bin")).unwrap() == body);
    assert!(
        stderr.contains(&format!("server advertised {bogus}")),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&format!("data connection to {bogus}")),
        "Ferry tried the advertised address: {stderr}"
    );
    let (mut s, _) = env.session("VSFTPD_NATPASV", Security::ExplicitTls);
    cleanup(&mut s, &dir);
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_active_mode() {
    let env = Env::load();
    let (mut options, _) = env.options("VSFTPD_EXPLICIT", Security::ExplicitTls);
    options.data_mode = DataMode::Active {
        ports: 0..=0,
        announce: None,
    };
    let mut s = Session::connect(options).unwrap();
    s.login(&env.creds()).unwrap();
    let dir = workdir(&mut s, "VSFTPD_EXPLICIT", "active");
    let body = random_bytes(3 * 1024 * 1024, 11);
    upload(&mut s, &format!("{dir}/a.bin"), &body).unwrap();
    assert!(download(&mut s, &format!("{dir}/a.bin"), 0).unwrap() == body);
    assert!(
        s.list(Some(&dir))
            .unwrap()
            .iter()
            .any(|e| e.name == "a.bin")
    );
    cleanup(&mut s, &dir);
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn plain_server_refuses_tls_and_no_user_is_sent() {
    let env = Env::load();
    // ftp:// means TLS required: the connection must fail before any USER.
    let (options, log) = env.options("VSFTPD_PLAIN", Security::ExplicitTls);
    let err = Session::connect(options).unwrap_err();
    assert!(matches!(err, FtpError::TlsRefused { .. }), "{err}");
    assert!(
        !log.lines()
            .iter()
            .any(|(k, l)| *k == LogKind::Command && l.starts_with("USER")),
        "USER was sent to a server that refused TLS"
    );

    let out = ferry(&["ls", "-v", &env.url("ftp", "VSFTPD_PLAIN", "")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(!stderr.contains("> USER"), "{stderr}");

    // --plain works, with a warning.
    let out = ferry(&["ls", "--plain", &env.url("ftp", "VSFTPD_PLAIN", "")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warning"), "{stderr}");
    full_scenario("VSFTPD_PLAIN", Security::Plain, Reuse::NoTls);
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn untrusted_certificate_then_trusted_by_fingerprint() {
    let env = Env::load();
    let out = ferry(&["ls", &env.url("ftp", "VSFTPD_EXPLICIT", "")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(!stderr.contains(&env.get("FERRY_INTEROP_PASS")), "{stderr}");
    // The pin flow for scripts: the fingerprint printed above, given back with --trust.
    let fingerprint: String = stderr
        .split("SHA256:")
        .nth(1)
        .expect("fingerprint printed")
        .chars()
        .take(95)
        .collect();
    let out = ferry(&[
        "ls",
        "--trust",
        &format!("SHA256:{fingerprint}"),
        &env.url("ftp", "VSFTPD_EXPLICIT", ""),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs the real servers and a Secret Service: .ci/run starts both"]
fn filezilla_import_then_ls_site_with_keychain_password() {
    use base64::Engine as _;
    let env = Env::load();
    let config = tempfile::tempdir().unwrap();
    let fixture = include_str!("fixtures/filezilla/twenty.xml")
        .replace(
            "RkVSUllfSU5URVJPUF9QQVNT", // base64 of the placeholder FERRY_INTEROP_PASS
            &base64::engine::general_purpose::STANDARD.encode(env.get("FERRY_INTEROP_PASS")),
        )
        .replace(
            "<Port>22021</Port>",
            &format!("<Port>{}</Port>", env.port("VSFTPD_EXPLICIT")),
        );
    let file = config.path().join("sitemanager.xml");
    std::fs::write(&file, fixture).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(args)
            .env("FERRY_CONFIG_DIR", config.path())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run ferry")
    };

    let out = run(&["sites", "import", file.to_str().unwrap()]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("Imported 20 site(s)"), "{report}");
    std::fs::remove_file(&file).unwrap();

    let store = ferry::sites::store::SiteStore::load(&config.path().join("sites.toml")).unwrap();
    assert_eq!(store.sites().len(), 20);
    let folders: std::collections::BTreeSet<_> =
        store.sites().iter().map(|s| s.folder.clone()).collect();
    assert_eq!(folders.len(), 3, "{folders:?}");

    let ca = env.ca();
    let target = store.sites()[7].path();
    let out = run(&[
        "ls",
        "--ca-file",
        ca.to_str().unwrap(),
        &format!("site:{target}"),
    ]);
    assert!(
        out.status.success(),
        "ferry ls site:{target}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Imported by name too, when unique.
    let out = run(&["ls", "--ca-file", ca.to_str().unwrap(), "site:Site 20"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The password went to the keychain and nowhere else.
    let password = env.get("FERRY_INTEROP_PASS");
    for entry in std::fs::read_dir(config.path()).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        assert!(
            !bytes
                .windows(password.len())
                .any(|w| w == password.as_bytes()),
            "password found in {}",
            entry.path().display()
        );
    }
    let keychain = ferry::sites::Keychain::platform();
    for site in store.sites() {
        assert_eq!(
            keychain.get(&site.path()).unwrap().as_deref(),
            Some(password.as_str())
        );
        keychain.delete(&site.path()).unwrap();
    }
}

/// `put -r` of `src` to `dir` on `server`, then `get -r` of it into `back`, both with
/// `--parallel 4`: both exit 0 and report every file, and every file comes back byte for byte.
/// Returns what `put` printed.
fn round_trip_with_four_workers(
    env: &Env,
    server: &str,
    dir: &str,
    src: &std::path::Path,
    back: &std::path::Path,
    expected: &[(String, Vec<u8>)],
) -> String {
    let url = env.url("ftp", server, dir);
    let ca = env.ca();
    let ca = ca.to_str().unwrap();
    let transferred = format!("{} transferred", expected.len());
    let put = ferry(&[
        "put",
        "-r",
        "--parallel",
        "4",
        "--ca-file",
        ca,
        src.to_str().unwrap(),
        &url,
    ]);
    let put_err = String::from_utf8_lossy(&put.stderr).into_owned();
    assert!(put.status.success(), "put -r: {put_err}");
    assert!(put_err.contains(&transferred), "{put_err}");
    let get = ferry(&[
        "get",
        "-r",
        "--parallel",
        "4",
        "--ca-file",
        ca,
        &url,
        back.to_str().unwrap(),
    ]);
    let get_err = String::from_utf8_lossy(&get.stderr);
    assert!(get.status.success(), "get -r: {get_err}");
    assert!(get_err.contains(&transferred), "{get_err}");
    for (rel, body) in expected {
        assert!(
            std::fs::read(back.join(rel)).unwrap() == *body,
            "{rel} differs"
        );
    }
    put_err
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_500_files_up_and_down_with_four_workers() {
    let env = Env::load();
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("src");
    let mut expected = Vec::new();
    for i in 0..500 {
        let rel = format!("d{}/s{}/f{i:03}.bin", i % 5, i % 2);
        let path = src.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let body = random_bytes(100 + i * 13, 1000 + i as u64);
        std::fs::write(&path, &body).unwrap();
        expected.push((rel, body));
    }
    let dir = format!("ferry-vsftpd_explicit-500-{}", std::process::id());
    round_trip_with_four_workers(
        &env,
        "VSFTPD_EXPLICIT",
        &dir,
        &src,
        &local.path().join("back"),
        &expected,
    );
    // Clean up on the server through the engine's own walk.
    let (mut s, _) = env.session("VSFTPD_EXPLICIT", Security::ExplicitTls);
    let tree = ferry::transfer::walk::remote_tree(&mut s, &dir, false).unwrap();
    for (rel, _) in &tree.files {
        s.delete(&format!("{dir}/{rel}")).unwrap();
    }
    for d in tree.dirs.iter().rev() {
        s.rmdir(&format!("{dir}/{d}")).unwrap();
    }
    s.rmdir(&dir).unwrap();
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn sync_with_vsftpd_lists_the_differences_makes_both_sides_equal_and_then_finds_nothing() {
    let env = Env::load();
    let ca = env.ca();
    let dir = format!("ferry-sync-{}", std::process::id());
    let home = std::path::PathBuf::from(env.get("FERRY_INTEROP_HOME"));
    let _ = std::fs::remove_dir_all(home.join(&dir));
    let local = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // vsftpd has no MLSD: its LIST gives minutes for recent files and only the day for
    // older ones (`old.txt`), so Ferry asks MDTM; it has no MFMT either, so the uploads' times
    // are set with MDTM's set form. Both are needed for the second run to find nothing.
    let same = [
        ("a.txt", now - 7200),
        ("b.txt", now - 7200),
        ("dir/c.txt", now - 7200),
        ("dir/d.txt", now - 7200),
        ("old.txt", 1_600_000_000),
    ];
    for (rel, time) in same {
        let body = format!("{rel} as it was");
        server_file(&env, &format!("{dir}/{rel}"), body.as_bytes(), Some(time));
        let path = local.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &body).unwrap();
        support::set_mtime(&path, time);
    }
    // Here: a.txt edited, b.txt deleted, new/here.txt added.
    std::fs::write(local.path().join("a.txt"), "a.txt, edited here").unwrap();
    support::set_mtime(&local.path().join("a.txt"), now - 600);
    std::fs::remove_file(local.path().join("b.txt")).unwrap();
    std::fs::create_dir(local.path().join("new")).unwrap();
    std::fs::write(local.path().join("new/here.txt"), "made here").unwrap();
    // There: dir/c.txt edited, dir/d.txt deleted, there.txt and extra/x.txt added.
    server_file(
        &env,
        &format!("{dir}/dir/c.txt"),
        b"c, edited there",
        Some(now - 300),
    );
    std::fs::remove_file(home.join(&dir).join("dir/d.txt")).unwrap();
    server_file(&env, &format!("{dir}/there.txt"), b"made there", None);
    server_file(&env, &format!("{dir}/extra/x.txt"), b"only there", None);

    let url = env.url("ftp", "VSFTPD_EXPLICIT", &format!("{dir}/"));
    let sync = |extra: &[&str]| {
        let mut args = vec!["sync", "--delete", "--ca-file", ca.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push(local.path().to_str().unwrap());
        args.push(&url);
        ferry(&args)
    };
    let dry = sync(&["--dry-run"]);
    let stdout = String::from_utf8_lossy(&dry.stdout).into_owned();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        vec![
            "mkdir remote  new/",
            "upload        a.txt (newer here)",
            "upload        dir/c.txt (newer on the server)",
            "upload        dir/d.txt (only here)",
            "upload        new/here.txt (only here)",
            "delete remote b.txt",
            "delete remote there.txt",
            "delete remote extra/",
        ],
        "{stdout}"
    );
    assert!(
        home.join(&dir).join("there.txt").exists(),
        "a dry run changes nothing"
    );

    let real = sync(&[]);
    assert!(
        real.status.success(),
        "{}",
        String::from_utf8_lossy(&real.stderr)
    );
    assert_eq!(
        support::digests(&home.join(&dir)),
        support::digests(local.path())
    );
    let again = sync(&[]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(
        again.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert!(stderr.contains("Already in sync"), "{stderr}");
    let _ = std::fs::remove_dir_all(home.join(&dir));
}

/// Puts a file straight into the server's home (the tests run as root in CI), owned by the
/// FTP user, with the given modification time.
fn server_file(env: &Env, rel: &str, body: &[u8], mtime: Option<u64>) {
    use std::os::unix::fs::MetadataExt;
    let home = std::path::PathBuf::from(env.get("FERRY_INTEROP_HOME"));
    let owner = std::fs::metadata(&home).expect("the server's home");
    let path = home.join(rel);
    let mut dir = home.clone();
    for part in std::path::Path::new(rel)
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
    {
        dir.push(part);
        let _ = std::fs::create_dir(&dir);
        std::os::unix::fs::chown(&dir, Some(owner.uid()), Some(owner.gid())).unwrap();
    }
    std::fs::write(&path, body).unwrap();
    std::os::unix::fs::chown(&path, Some(owner.uid()), Some(owner.gid())).unwrap();
    if let Some(secs) = mtime {
        support::set_mtime(&path, secs);
    }
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_names_partials_and_times() {
    let env = Env::load();
    let dir = format!("ferry-names-{}", std::process::id());
    let long = "l".repeat(251) + ".bin";
    let files: Vec<(String, Vec<u8>)> = [
        "X",
        "X.part",
        "a:b",
        "a?b",
        "a_b",
        &long,
        "X.1234abcd.ferry-part",
    ]
    .iter()
    .enumerate()
    .map(|(i, name)| (name.to_string(), random_bytes(40_000 + i * 1000, i as u64)))
    .collect();
    for (name, body) in &files {
        server_file(&env, &format!("{dir}/{name}"), body, Some(1_500_000_000));
    }
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("copy");
    let ca = env.ca();
    let out = ferry(&[
        "get",
        "-r",
        "--ca-file",
        ca.to_str().unwrap(),
        &env.url("ftp", "VSFTPD_EXPLICIT", &dir),
        dest.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every remote file is somewhere, whole, and nothing overwrote anything.
    let mut got: Vec<Vec<u8>> = std::fs::read_dir(&dest)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    let mut want: Vec<Vec<u8>> = files.iter().map(|(_, b)| b.clone()).collect();
    got.sort();
    want.sort();
    assert!(got == want, "{} local files", got.len());
    assert!(std::fs::read(dest.join("X")).unwrap() == files[0].1);
    assert!(std::fs::read(dest.join("X.part")).unwrap() == files[1].1);
    assert!(std::fs::read(dest.join("a_b")).unwrap() == files[4].1);
    assert!(std::fs::read(dest.join(&long)).unwrap() == files[5].1);
    assert!(support::partials(&dest).is_empty());
    // vsftpd lists with LIST (server-local time, to the minute): the exact time comes from MDTM.
    assert_eq!(support::mtime(&dest.join("X")), 1_500_000_000);
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn proftpd_checksums_and_times() {
    let env = Env::load();
    let dir = format!("ferry-digest-{}", std::process::id());
    let body = random_bytes(3 << 20, 99);
    server_file(&env, &format!("{dir}/sum.bin"), &body, Some(1_400_000_000));
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("sum.bin");
    let ca = env.ca();
    let out = ferry(&[
        "-v",
        "--ca-file",
        ca.to_str().unwrap(),
        "get",
        &env.url("ftp", "PROFTPD_EXPLICIT", &format!("{dir}/sum.bin")),
        target.to_str().unwrap(),
    ]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(std::fs::read(&target).unwrap() == body);
    // mod_digest computed the CRC32 of its copy, and it matched.
    assert!(log.contains("> OPTS HASH CRC32"), "{log}");
    assert!(log.contains("< 213 CRC32 0-"), "{log}");
    // MLSD times are exact.
    assert_eq!(support::mtime(&target), 1_400_000_000);

    std::fs::write(local.path().join("up.bin"), &body).unwrap();
    support::set_mtime(&local.path().join("up.bin"), 1_300_000_000);
    let out = ferry(&[
        "-v",
        "--ca-file",
        ca.to_str().unwrap(),
        "put",
        local.path().join("up.bin").to_str().unwrap(),
        &env.url("ftp", "PROFTPD_EXPLICIT", &format!("{dir}/up.bin")),
    ]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("> HASH "), "{log}");
    assert!(log.contains("> MFMT 20110313"), "{log}");
    let on_server = std::path::PathBuf::from(env.get("FERRY_INTEROP_HOME")).join(&dir);
    assert!(std::fs::read(on_server.join("up.bin")).unwrap() == body);
    assert_eq!(support::mtime(&on_server.join("up.bin")), 1_300_000_000);
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_with_two_connections_per_address_gets_2000_files_both_ways() {
    let env = Env::load();
    let dir = format!("ferry-limited-{}", std::process::id());
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("src");
    let mut expected = Vec::new();
    for i in 0..2000 {
        let rel = format!("d{}/f{i:04}.txt", i % 10);
        let path = src.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let body = random_bytes(64 + i % 200, 7000 + i as u64);
        std::fs::write(&path, &body).unwrap();
        expected.push((rel, body));
    }
    let _alone = limited_server_alone();
    let put = round_trip_with_four_workers(
        &env,
        "VSFTPD_LIMITED",
        &dir,
        &src,
        &local.path().join("back"),
        &expected,
    );
    assert!(put.contains("allows 2 connection(s)"), "{put}");
    let _ =
        std::fs::remove_dir_all(std::path::PathBuf::from(env.get("FERRY_INTEROP_HOME")).join(&dir));
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_requiring_a_client_certificate() {
    let env = Env::load();
    let ca = env.ca();
    let ca = ca.to_str().unwrap();
    let (cert, key) = (
        env.get("FERRY_INTEROP_CLIENT_CERT"),
        env.get("FERRY_INTEROP_CLIENT_KEY"),
    );
    let dir = format!("ferry-clientcert-{}", std::process::id());
    // Without one: the error says what is missing.
    let out = ferry(&[
        "ls",
        "--ca-file",
        ca,
        &env.url("ftp", "VSFTPD_CLIENTCERT", ""),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("client certificate"), "{stderr}");
    // With it: an upload and a download (data connections resume the control session, which
    // carries the certificate; vsftpd also demands session reuse here).
    let local = tempfile::tempdir().unwrap();
    let body = random_bytes(300_000, 42);
    std::fs::write(local.path().join("up.bin"), &body).unwrap();
    let with_cert = |args: &[&str]| {
        let mut all = vec!["--ca-file", ca, "--cert", &cert, "--key", &key];
        all.extend_from_slice(args);
        ferry(&all)
    };
    let remote = env.url("ftp", "VSFTPD_CLIENTCERT", &format!("{dir}/"));
    let mkdir = env.url("ftp", "VSFTPD_CLIENTCERT", &dir);
    let out = with_cert(&["mkdir", &mkdir]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let up = local.path().join("up.bin");
    let out = with_cert(&["put", up.to_str().unwrap(), &remote]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = local.path().join("back.bin");
    let file = env.url("ftp", "VSFTPD_CLIENTCERT", &format!("{dir}/up.bin"));
    let out = with_cert(&["get", &file, back.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&back).unwrap(), body);
    let _ =
        std::fs::remove_dir_all(std::path::PathBuf::from(env.get("FERRY_INTEROP_HOME")).join(&dir));
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_accepts_the_client_certificate_from_pkcs12_files_openssl_exports() {
    let env = Env::load();
    let ca = env.ca();
    let ca = ca.to_str().unwrap();
    let (cert, key) = (
        env.get("FERRY_INTEROP_CLIENT_CERT"),
        env.get("FERRY_INTEROP_CLIENT_KEY"),
    );
    let files = tempfile::tempdir().unwrap();
    // What OpenSSL 3 writes by default (AES-256, PBKDF2, HMAC-SHA256), what Windows and
    // older tools write (3DES, SHA-1 MAC), and OpenSSL's -legacy (RC2-40 certificates).
    let variants: [(&str, &[&str]); 3] = [
        ("aes.p12", &[]),
        (
            "3des.pfx",
            &[
                "-keypbe",
                "PBE-SHA1-3DES",
                "-certpbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ],
        ),
        ("legacy.p12", &["-legacy"]),
    ];
    for (name, options) in variants {
        let p12 = files.path().join(name);
        let out = Command::new("openssl")
            .args([
                "pkcs12", "-export", "-in", &cert, "-inkey", &key, "-passout",
            ])
            .arg("pass:interop-p12")
            .args(options)
            .arg("-out")
            .arg(&p12)
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(["ls", "-v", "--ca-file", ca, "--cert"])
            .arg(&p12)
            .arg(env.url("ftp", "VSFTPD_CLIENTCERT", ""))
            .env("FERRY_CONFIG_DIR", files.path().join("config"))
            .env("FERRY_NO_KEYCHAIN", "1")
            .env("FERRY_CERT_PASSWORD", "interop-p12")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run ferry");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        assert!(
            !stderr.contains("interop-p12"),
            "{name}: the password was logged"
        );
    }
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn proftpd_ccc_clears_the_control_channel_and_transfers_stay_protected() {
    let env = Env::load();
    let ca = env.ca();
    let ca = ca.to_str().unwrap();
    let dir = format!("ferry-ccc-{}", std::process::id());
    let local = tempfile::tempdir().unwrap();
    let body = random_bytes(500_000, 43);
    std::fs::write(local.path().join("up.bin"), &body).unwrap();
    let up = local.path().join("up.bin");
    let mkdir = env.url("ftp", "PROFTPD_CCC", &dir);
    let out = ferry(&["mkdir", "--ccc", "--ca-file", ca, &mkdir]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let remote = env.url("ftp", "PROFTPD_CCC", &format!("{dir}/"));
    let out = ferry(&[
        "put",
        "-v",
        "--ccc",
        "--ca-file",
        ca,
        up.to_str().unwrap(),
        &remote,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("clear text from now on (CCC)"), "{stderr}");
    // After CCC the server sees the commands in clear; the data connections were PROT P and
    // resumed the session (ProFTPD requires both here).
    assert!(stderr.contains("PROT P"), "{stderr}");
    let back = local.path().join("back.bin");
    let file = env.url("ftp", "PROFTPD_CCC", &format!("{dir}/up.bin"));
    let out = ferry(&[
        "get",
        "--ccc",
        "--ca-file",
        ca,
        &file,
        back.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&back).unwrap(), body);
    // The same server refuses CCC where the control channel must stay protected: the
    // explicit instance logs the refusal and works on encrypted.
    let out = ferry(&[
        "ls",
        "-v",
        "--ccc",
        "--ca-file",
        ca,
        &env.url("ftp", "PROFTPD_EXPLICIT", ""),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("refused CCC"), "{stderr}");
    let _ =
        std::fs::remove_dir_all(std::path::PathBuf::from(env.get("FERRY_INTEROP_HOME")).join(&dir));
}

fn ferry_with_env(args: &[&str], vars: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command
        .args(args)
        .env("FERRY_CONFIG_DIR", config_dir())
        .env("FERRY_NO_KEYCHAIN", "1")
        .env_remove("FERRY_PROXY_PASSWORD")
        .stdin(std::process::Stdio::null());
    for (key, value) in vars {
        command.env(key, value);
    }
    command.output().expect("run ferry")
}

/// Upload, list and download back through `proxy` to vsftpd (TLS 1.3, session reuse
/// required) and ProFTPD: control and every passive data connection go through the tunnel.
fn through_proxy(proxy: &str, name: &str) {
    let env = Env::load();
    let ca = env.ca();
    let ca = ca.to_str().unwrap();
    let password = env.get("FERRY_INTEROP_PASS");
    let with_password = [("FERRY_PROXY_PASSWORD", password.as_str())];
    let local = tempfile::tempdir().unwrap();
    let body = random_bytes(700_000, 47);
    let up = local.path().join("up.bin");
    std::fs::write(&up, &body).unwrap();
    for server in ["VSFTPD_EXPLICIT", "PROFTPD_EXPLICIT"] {
        let dir = format!("ferry-proxy-{name}-{}", std::process::id());
        let out = ferry_with_env(
            &[
                "mkdir",
                "--proxy",
                proxy,
                "--ca-file",
                ca,
                &env.url("ftp", server, &dir),
            ],
            &with_password,
        );
        assert!(
            out.status.success(),
            "{server}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = ferry_with_env(
            &[
                "put",
                "-v",
                "--proxy",
                proxy,
                "--ca-file",
                ca,
                up.to_str().unwrap(),
                &env.url("ftp", server, &format!("{dir}/")),
            ],
            &with_password,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{server}: {stderr}");
        assert!(stderr.contains("through the proxy"), "{stderr}");
        let data_lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("Opening data connection"))
            .collect();
        assert!(
            !data_lines.is_empty() && data_lines.iter().all(|l| l.contains("through the proxy")),
            "every data connection must go through the proxy: {stderr}"
        );
        let out = ferry_with_env(
            &[
                "ls",
                "--proxy",
                proxy,
                "--ca-file",
                ca,
                &env.url("ftp", server, &dir),
            ],
            &with_password,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("up.bin"));
        let back = local.path().join(format!("back-{server}.bin"));
        let out = ferry_with_env(
            &[
                "get",
                "--proxy",
                proxy,
                "--ca-file",
                ca,
                &env.url("ftp", server, &format!("{dir}/up.bin")),
                back.to_str().unwrap(),
            ],
            &with_password,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(std::fs::read(&back).unwrap(), body, "{server} via {name}");
        let _ = std::fs::remove_dir_all(
            std::path::PathBuf::from(env.get("FERRY_INTEROP_HOME")).join(&dir),
        );
    }

    // A wrong proxy password: a login failure of the proxy, said so, and the FTP password
    // never questioned.
    let out = ferry_with_env(
        &[
            "ls",
            "--proxy",
            proxy,
            "--ca-file",
            ca,
            &env.url("ftp", "VSFTPD_EXPLICIT", ""),
        ],
        &[("FERRY_PROXY_PASSWORD", "wrong")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains("refused the proxy user name or password"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("wrong"),
        "the proxy password must not be shown: {stderr}"
    );
    // No password at all.
    let out = ferry_with_env(
        &[
            "ls",
            "--proxy",
            proxy,
            "--ca-file",
            ca,
            &env.url("ftp", "VSFTPD_EXPLICIT", ""),
        ],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs the real servers and proxies: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn socks5_proxy_dante_with_login() {
    let env = Env::load();
    let proxy = format!(
        "socks5://{}@127.0.0.1:{}",
        env.get("FERRY_INTEROP_USER"),
        env.port("SOCKS5")
    );
    through_proxy(&proxy, "socks5");
}

#[test]
#[ignore = "needs the real servers and proxies: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn http_connect_proxy_tinyproxy_with_login() {
    let env = Env::load();
    let proxy = format!(
        "http://{}@127.0.0.1:{}",
        env.get("FERRY_INTEROP_USER"),
        env.port("HTTP_PROXY")
    );
    through_proxy(&proxy, "http");
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_with_passive_mode_disabled_works_in_active_mode() {
    let env = Env::load();
    let ca = env.ca();
    let ca = ca.to_str().unwrap();
    // Passive: refused, and the error says what to do.
    let out = ferry(&[
        "ls",
        "--ca-file",
        ca,
        &env.url("ftp", "VSFTPD_ACTIVEONLY", ""),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("PASV") && stderr.contains("--active"),
        "{stderr}"
    );
    // Active: everything works.
    let dir = format!("ferry-activeonly-{}", std::process::id());
    let local = tempfile::tempdir().unwrap();
    let body = random_bytes(300_000, 53);
    let up = local.path().join("a.bin");
    std::fs::write(&up, &body).unwrap();
    let out = ferry(&[
        "mkdir",
        "--active",
        "--ca-file",
        ca,
        &env.url("ftp", "VSFTPD_ACTIVEONLY", &dir),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = ferry(&[
        "put",
        "--active",
        "--ca-file",
        ca,
        up.to_str().unwrap(),
        &env.url("ftp", "VSFTPD_ACTIVEONLY", &format!("{dir}/")),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = local.path().join("b.bin");
    let out = ferry(&[
        "get",
        "--active",
        "--ca-file",
        ca,
        &env.url("ftp", "VSFTPD_ACTIVEONLY", &format!("{dir}/a.bin")),
        back.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&back).unwrap(), body);
    let _ =
        std::fs::remove_dir_all(std::path::PathBuf::from(env.get("FERRY_INTEROP_HOME")).join(&dir));
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn proftpd_tls12_only_negotiates_12_and_refuses_a_13_only_client() {
    let env = Env::load();
    let ca = env.ca();
    let ca = ca.to_str().unwrap();
    let out = ferry(&[
        "ls",
        "-v",
        "--ca-file",
        ca,
        &env.url("ftp", "PROFTPD_TLS12", ""),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("TLS established: TLSv1.2"), "{stderr}");
    let out = ferry(&[
        "ls",
        "--tls13",
        "--ca-file",
        ca,
        &env.url("ftp", "PROFTPD_TLS12", ""),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("TLS"), "{stderr}");
}

/// `ferry doctor --json` on `url` (with the password), parsed.
fn doctor(env: &Env, url: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let ca = env.ca();
    let mut args = vec!["doctor", "--json", "--ca-file", ca.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(url);
    let out = ferry(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{url}: not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), value)
}

/// Runs `ferry ls` with the doctor's recommended arguments and URL, the password on stdin.
fn ls_as_recommended(env: &Env, diagnosis: &serde_json::Value) -> std::process::Output {
    let mut args: Vec<String> = vec!["ls".into(), "--password-stdin".into()];
    for arg in diagnosis["recommended_args"].as_array().unwrap() {
        args.push(arg.as_str().unwrap().to_owned());
    }
    args.push(diagnosis["recommended_url"].as_str().unwrap().to_owned());
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(&args)
        .env("FERRY_CONFIG_DIR", config_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    let password = format!("{}\n", env.get("FERRY_INTEROP_PASS"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(password.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The vsftpd that allows two connections per address is used by one test at a time: the
/// doctor counts how many connections it gets, and another test's transfers would take some.
fn limited_server_alone() -> std::sync::MutexGuard<'static, ()> {
    static LIMITED: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LIMITED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn doctor_gives_the_right_verdict_for_every_server_and_its_arguments_work() {
    let env = Env::load();
    let cases: [(&str, &str, &str); 11] = [
        ("VSFTPD_EXPLICIT", "ftp", "plain"),
        ("VSFTPD_IMPLICIT", "ftp", "implicit"),
        ("PROFTPD_EXPLICIT", "ftp", "plain"),
        ("PROFTPD_IMPLICIT", "ftps", "plain"),
        ("PUREFTPD_EXPLICIT", "ftp", "plain"),
        ("VSFTPD_NATPASV", "ftp", "natpasv"),
        ("VSFTPD_LIMITED", "ftp", "limited"),
        ("VSFTPD_ACTIVEONLY", "ftp", "active"),
        ("PROFTPD_TLS12", "ftp", "tls12"),
        ("PROFTPD_CCC", "ftp", "plain"),
        ("VSFTPD_RTT", "ftp", "rtt"),
    ];
    for (server, scheme, expect) in cases {
        let _alone = (server == "VSFTPD_LIMITED").then(limited_server_alone);
        let (code, d) = doctor(&env, &env.url(scheme, server, ""), &[]);
        assert_eq!(code, Some(0), "{server}: {d:#}");
        assert_eq!(d["works"], true, "{server}: {d:#}");
        let args: Vec<&str> = d["recommended_args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let url = d["recommended_url"].as_str().unwrap();
        assert!(
            !url.contains(&env.get("FERRY_INTEROP_PASS")),
            "no password in {url}"
        );
        match expect {
            "implicit" => assert!(url.starts_with("ftps://"), "{server}: {d:#}"),
            "active" => assert!(args.contains(&"--active"), "{server}: {d:#}"),
            "natpasv" => assert_eq!(
                d["pasv_advertised"],
                env.get("FERRY_INTEROP_VSFTPD_NATPASV_ADDR").as_str(),
                "{server}: {d:#}"
            ),
            "limited" => assert_eq!(d["max_connections"], 2, "{server}: {d:#}"),
            "tls12" => assert_eq!(d["tls_versions"], serde_json::json!(["1.2"]), "{server}"),
            // 25 ms each way through the relay: every command round trip is at least 50 ms.
            "rtt" => assert!(
                d["round_trip_ms"].as_f64().unwrap() >= 45.0,
                "{server}: {d:#}"
            ),
            _ => {
                assert!(!args.contains(&"--active"), "{server}: {d:#}");
                assert!(url.starts_with(&format!("{scheme}://")), "{server}: {d:#}");
            }
        }
        if expect != "active" {
            assert!(!args.contains(&"--active"), "{server}: {d:#}");
        }
        // vsftpd and ProFTPD require data connections to resume the session; they did.
        if !server.starts_with("PUREFTPD") {
            assert_eq!(d["data_resumes_session"], true, "{server}: {d:#}");
        }
        let out = ls_as_recommended(&env, &d);
        assert!(
            out.status.success(),
            "{server}: ferry ls {args:?} {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // What does not work is said as it is.
    let (code, d) = doctor(&env, &env.url("ftp", "VSFTPD_PLAIN", ""), &[]);
    assert_ne!(code, Some(0), "{d:#}");
    assert_eq!(d["works"], false);
    assert!(d["verdict"].as_str().unwrap().contains("no TLS"), "{d:#}");
    let (code, d) = doctor(&env, &env.url("ftp", "VSFTPD_CLIENTCERT", ""), &[]);
    assert_ne!(code, Some(0), "{d:#}");
    assert!(
        d["verdict"]
            .as_str()
            .unwrap()
            .contains("client certificate"),
        "{d:#}"
    );
    let cert = env.get("FERRY_INTEROP_CLIENT_CERT");
    let key = env.get("FERRY_INTEROP_CLIENT_KEY");
    let (code, d) = doctor(
        &env,
        &env.url("ftp", "VSFTPD_CLIENTCERT", ""),
        &["--cert", &cert, "--key", &key],
    );
    assert_eq!(code, Some(0), "{d:#}");
    let args = d["recommended_args"].to_string();
    assert!(args.contains("--cert") && args.contains("--key"), "{d:#}");
    let out = ls_as_recommended(&env, &d);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_over_a_50_ms_link_moves_a_folder_both_ways() {
    let env = Env::load();
    let ca = env.ca();
    let ca = ca.to_str().unwrap();
    let local = tempfile::tempdir().unwrap();
    let up = local.path().join("up");
    std::fs::create_dir(&up).unwrap();
    let mut bodies = Vec::new();
    for i in 0..30u64 {
        let body = random_bytes(20_000 + i as usize * 997, 60 + i);
        std::fs::write(up.join(format!("f{i}.bin")), &body).unwrap();
        bodies.push(body);
    }
    let dir = format!("ferry-rtt-{}", std::process::id());
    let remote = env.url("ftp", "VSFTPD_RTT", &format!("{dir}/"));
    let out = ferry(&[
        "put",
        "-r",
        "--parallel",
        "4",
        "--ca-file",
        ca,
        up.to_str().unwrap(),
        &remote,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = local.path().join("back");
    let out = ferry(&[
        "get",
        "-r",
        "--parallel",
        "4",
        "--ca-file",
        ca,
        &remote,
        back.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (i, body) in bodies.iter().enumerate() {
        let got = std::fs::read(back.join(format!("f{i}.bin")))
            .or_else(|_| std::fs::read(back.join("up").join(format!("f{i}.bin"))))
            .unwrap_or_else(|e| panic!("f{i}.bin: {e}"));
        assert_eq!(&got, body, "f{i}.bin");
    }
    let _ =
        std::fs::remove_dir_all(std::path::PathBuf::from(env.get("FERRY_INTEROP_HOME")).join(&dir));
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn sync_by_checksum_with_proftpd_finds_a_change_that_size_and_time_miss() {
    let env = Env::load();
    let ca = env.ca();
    let dir = format!("ferry-sum-{}", std::process::id());
    let home = std::path::PathBuf::from(env.get("FERRY_INTEROP_HOME"));
    let _ = std::fs::remove_dir_all(home.join(&dir));
    let local = tempfile::tempdir().unwrap();
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 7200;
    // Same size and time, other bytes; and same bytes with a newer time here.
    server_file(&env, &format!("{dir}/same-looking.txt"), b"abcd", Some(t));
    std::fs::write(local.path().join("same-looking.txt"), b"wxyz").unwrap();
    support::set_mtime(&local.path().join("same-looking.txt"), t);
    server_file(&env, &format!("{dir}/touched.txt"), b"same", Some(t));
    std::fs::write(local.path().join("touched.txt"), b"same").unwrap();
    support::set_mtime(&local.path().join("touched.txt"), t + 600);

    // ProFTPD's mod_digest answers HASH (and XCRC).
    let url = env.url("ftp", "PROFTPD_EXPLICIT", &format!("{dir}/"));
    let sync = |extra: &[&str]| {
        let mut args = vec!["sync", "--ca-file", ca.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push(local.path().to_str().unwrap());
        args.push(&url);
        let out = ferry(&args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        (stdout, stderr)
    };
    let (by_time, _) = sync(&["--dry-run"]);
    assert_eq!(
        by_time.lines().collect::<Vec<_>>(),
        ["upload        touched.txt (newer here)"]
    );
    let (by_content, stderr) = sync(&["--dry-run", "--checksum"]);
    assert_eq!(
        by_content.lines().collect::<Vec<_>>(),
        ["upload        same-looking.txt (different content)"],
        "{stderr}"
    );
    sync(&["--checksum"]);
    assert_eq!(
        std::fs::read(home.join(&dir).join("same-looking.txt")).unwrap(),
        b"wxyz"
    );
    let (again, _) = sync(&["--dry-run", "--checksum"]);
    assert!(again.is_empty(), "{again}");
    let _ = std::fs::remove_dir_all(home.join(&dir));
}

// Issue #25: a server folder Ferry cannot read, and server links that lead out of the folder
// or back into it. Each test runs a table of servers (and commands) through shared assert
// helpers and reports every row that fails, not just the first.

/// Two hours ago: LIST shows it to the minute, MDTM and MLSD to the second.
fn two_hours_ago() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 7200
}

/// What `locked/precious.txt` holds: on the server, where no one can read it, and in the
/// local copy, where it is the only readable copy.
const PRECIOUS: &[u8] = b"the only readable copy of this file\n";

/// A server tree with one folder the FTP user cannot read (`locked/`, mode 000, holding
/// `precious.txt` and a subfolder) and readable files beside and below it, some sorting before
/// and some after it (a walk that stops at `locked` misses those). Returns the folder and the
/// readable files with their sha256. All times are `when`.
fn tree_with_an_unreadable_folder(
    env: &Env,
    server: &str,
    when: u64,
) -> (ServerDir, Vec<(&'static str, String)>) {
    let tree = ServerDir::new(env, &format!("ferry-locked-{}", server.to_lowercase()));
    let mut readable = Vec::new();
    for (i, rel) in ["a.txt", "m/b.bin", "m/n/c.bin", "z.txt"]
        .into_iter()
        .enumerate()
    {
        let body = random_bytes(1000 + i * 70_000, 2500 + i as u64);
        tree.file(rel, &body, Some(when));
        readable.push((rel, sha256(&body)));
    }
    tree.file("locked/precious.txt", PRECIOUS, Some(when));
    tree.file("locked/inner/more.txt", b"more", Some(when));
    tree.make_unreadable("locked");
    (tree, readable)
}

/// Whether a run named the folder `name` as failed: a line that says so and names it, and
/// not a folder of the same name inside it (vsftpd's answer to a LIST of the folder itself is
/// the folder's own line, which a client takes for a subfolder `name/name`).
fn names_as_failed(ran: &Ran, name: &str) -> bool {
    let nested = format!("{name}/{name}");
    ran.text().lines().any(|line| {
        line.to_lowercase().contains("fail") && line.contains(name) && !line.contains(&nested)
    })
}

/// The checks every row of the unreadable-folder tests makes on one run into `local`: exit 9,
/// `locked` named as failed, no `locked/locked`, and every readable file whole.
fn check_unreadable_folder_run(
    checks: &mut Checks,
    row: &str,
    ran: &Ran,
    local: &std::path::Path,
    readable: &[(&str, String)],
) {
    checks.exit(row, ran, &[9]);
    checks.that(row, names_as_failed(ran, "locked"), || {
        "`locked` is not named as failed".into()
    });
    checks.that(row, !local.join("locked/locked").exists(), || {
        format!(
            "{} was created: the unreadable folder was taken for a folder inside itself",
            local.join("locked/locked").display()
        )
    });
    for (rel, digest) in readable {
        checks.same_content(row, &local.join(rel), digest);
    }
}

/// `get -r` and `sync --direction download --delete` of [`tree_with_an_unreadable_folder`] on
/// each server: the readable files arrive (by sha256), `locked` is named as failed, exit 9; the
/// sync deletes nothing under `locked/` locally (the server's listing of it is no listing).
fn unreadable_folder_fails_alone(servers: &[&str]) {
    let env = Env::load();
    let mut checks = Checks::default();
    for server in servers {
        let when = two_hours_ago();
        let (tree, readable) = tree_with_an_unreadable_folder(&env, server, when);
        let url = env.url("ftp", server, tree.rel());
        let local = tempfile::tempdir().unwrap();

        let row = format!("{server}: get -r");
        let dest = local.path().join("get");
        let ran = run_ferry(&env, &["get", "-r", &url, dest.to_str().unwrap()]);
        eprintln!("{row}: {:.1} s", ran.took.as_secs_f64());
        check_unreadable_folder_run(&mut checks, &row, &ran, &dest, &readable);

        // The local copy of the whole tree, locked/precious.txt too; z.txt (after `locked`)
        // is new on the server, so the sync has something to download.
        let row = format!("{server}: sync --direction download --delete");
        let copy = local.path().join("sync");
        for (rel, _) in readable.iter().filter(|(rel, _)| *rel != "z.txt") {
            let path = copy.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::copy(tree.path().join(rel), &path).unwrap();
            support::set_mtime(&path, when);
        }
        std::fs::create_dir_all(copy.join("locked/inner")).unwrap();
        std::fs::write(copy.join("locked/precious.txt"), PRECIOUS).unwrap();
        std::fs::write(copy.join("locked/inner/more.txt"), b"more").unwrap();
        let ran = run_ferry(
            &env,
            &[
                "sync",
                "--direction",
                "download",
                "--delete",
                copy.to_str().unwrap(),
                &url,
            ],
        );
        eprintln!("{row}: {:.1} s", ran.took.as_secs_f64());
        check_unreadable_folder_run(&mut checks, &row, &ran, &copy, &readable);
        for (rel, body) in [
            ("locked/precious.txt", PRECIOUS),
            ("locked/inner/more.txt", b"more"),
        ] {
            checks.that(
                &row,
                std::fs::read(copy.join(rel)).is_ok_and(|b| b == body),
                || format!("the local {rel} was deleted or changed"),
            );
        }
        checks.that(
            &row,
            !ran.stdout
                .lines()
                .any(|l| l.contains("delete local  locked/")),
            || "the sync planned to delete the local copy of the unreadable folder's files".into(),
        );
        drop(tree);
    }
    checks.done();
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn vsftpd_unreadable_folder_is_failed_not_empty_and_sync_deletes_nothing_under_it() {
    // vsftpd answers the LIST of a folder it cannot open with 150, no lines and `226 Transfer
    // done (but failed to open directory).`; and LIST of that folder by its own path lists the
    // folder's own line, as if it held a folder of its own name.
    unreadable_folder_fails_alone(&["VSFTPD_EXPLICIT"]);
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn proftpd_and_pureftpd_unreadable_folder_fails_alone_and_the_rest_arrives() {
    // Both refuse MLSD of the folder with 550.
    unreadable_folder_fails_alone(&["PROFTPD_EXPLICIT", "PUREFTPD_EXPLICIT"]);
}

/// Servers for the link tests: each lists a link its own way (vsftpd LIST `l…`, ProFTPD MLSD
/// `type=OS.unix=slink`, pure-ftpd MLSD), and each follows it when asked to list it.
const LINK_SERVERS: [&str; 3] = ["VSFTPD_EXPLICIT", "PROFTPD_EXPLICIT", "PUREFTPD_EXPLICIT"];

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn sync_upload_delete_following_links_leaves_alone_what_a_server_link_points_to() {
    let env = Env::load();
    let mut checks = Checks::default();
    for server in LINK_SERVERS {
        let row = format!("{server}: sync --direction upload --delete --follow-symlinks");
        let when = two_hours_ago();
        // A folder outside the sync root, and in the root a link to it that the local side
        // does not have.
        let outside = ServerDir::new(&env, &format!("ferry-outside-{}", server.to_lowercase()));
        outside.file("o1.txt", b"outside, one", Some(when));
        outside.file("deep/o2.bin", &random_bytes(50_000, 77), Some(when));
        let root = ServerDir::new(&env, &format!("ferry-linkroot-{}", server.to_lowercase()));
        let local = tempfile::tempdir().unwrap();
        for (rel, body) in [("r.txt", &b"in the root"[..]), ("real.txt", b"real")] {
            root.file(rel, body, Some(when));
            std::fs::write(local.path().join(rel), body).unwrap();
            support::set_mtime(&local.path().join(rel), when);
        }
        root.symlink("shared", outside.path());
        let before = support::digests(outside.path());

        let ran = run_ferry(
            &env,
            &[
                "sync",
                "--direction",
                "upload",
                "--delete",
                "--follow-symlinks",
                local.path().to_str().unwrap(),
                &env.url("ftp", server, root.rel()),
            ],
        );
        eprintln!("{row}: {:.1} s", ran.took.as_secs_f64());
        checks.exit(&row, &ran, &[0, 9]);
        let after = support::digests(outside.path());
        checks.that(&row, after == before, || {
            let lost: Vec<_> = before.keys().filter(|k| !after.contains_key(*k)).collect();
            format!(
                "files outside the sync root were deleted or changed through the link `shared`: missing {lost:?} (left: {:?})",
                after.keys().collect::<Vec<_>>(),
            )
        });
        checks.that(&row, outside.path().join("deep").is_dir(), || {
            "the folder deep/ outside the sync root was removed".into()
        });
        for rel in ["r.txt", "real.txt"] {
            checks.that(&row, root.path().join(rel).is_file(), || {
                format!("{rel} in the sync root is gone")
            });
        }
        // At most the link itself is removed; never replaced by something else.
        let link = std::fs::symlink_metadata(root.path().join("shared"));
        checks.that(
            &row,
            link.as_ref().map_or(true, |m| m.file_type().is_symlink()),
            || format!("`shared` is no longer a link: {link:?}"),
        );
    }
    checks.done();
}

/// What a `get -r --follow-symlinks` row sets up beside `real.txt`, and what it must end with.
#[derive(Clone, Copy, Debug)]
enum LinkCase {
    /// `link.txt -> real.txt`: downloaded with the target's bytes, whatever size LIST gives
    /// the link itself (the length of its target's name).
    ToAFile,
    /// `loop -> .`: ends at once (well under 10 s), not after the ~40 levels the kernel allows
    /// before ELOOP, with exit 0 or 9.
    Loop,
}

#[test]
#[ignore = "needs the real servers: bash .ci/interop/start.sh, then FERRY_INTEROP_ENV"]
fn get_following_links_takes_a_linked_file_whole_and_ends_a_link_loop_at_once() {
    let env = Env::load();
    let mut checks = Checks::default();
    for server in LINK_SERVERS {
        for case in [LinkCase::ToAFile, LinkCase::Loop] {
            let row = format!("{server}: get -r --follow-symlinks, {case:?}");
            let tree = ServerDir::new(&env, &format!("ferry-links-{}", server.to_lowercase()));
            let real = random_bytes(300_000, 31);
            let real_sum = sha256(&real);
            tree.file("real.txt", &real, Some(two_hours_ago()));
            match case {
                LinkCase::ToAFile => tree.symlink("link.txt", "real.txt".as_ref()),
                LinkCase::Loop => tree.symlink("loop", ".".as_ref()),
            };
            let local = tempfile::tempdir().unwrap();
            let dest = local.path().join("copy");
            let ran = run_ferry(
                &env,
                &[
                    "-v",
                    "get",
                    "-r",
                    "--follow-symlinks",
                    &env.url("ftp", server, tree.rel()),
                    dest.to_str().unwrap(),
                ],
            );
            eprintln!("{row}: {:.1} s", ran.took.as_secs_f64());
            checks.same_content(&row, &dest.join("real.txt"), &real_sum);
            match case {
                LinkCase::ToAFile => {
                    checks.exit(&row, &ran, &[0]);
                    checks.same_content(&row, &dest.join("link.txt"), &real_sum);
                }
                LinkCase::Loop => {
                    checks.exit(&row, &ran, &[0, 9]);
                    checks.that(&row, ran.took < std::time::Duration::from_secs(10), || {
                        format!("the loop took {:.1} s", ran.took.as_secs_f64())
                    });
                    let listings = ran
                        .stderr
                        .lines()
                        .filter(|l| l.starts_with("> LIST") || l.starts_with("> MLSD"))
                        .count();
                    checks.that(&row, listings <= 4, || {
                        format!("{listings} folder listings for a folder and a loop back to it")
                    });
                    let copies: Vec<_> = support::digests(&dest)
                        .into_iter()
                        .filter(|(_, sum)| *sum == real_sum)
                        .map(|(rel, _)| rel)
                        .collect();
                    checks.that(&row, copies.len() <= 2 && !dest.join("loop/loop").exists(), || {
                        let deepest = copies.iter().map(|c| c.matches('/').count()).max();
                        format!(
                            "the walk went round the loop: {} copies of real.txt, the deepest {deepest:?} levels down ({:?}…)",
                            copies.len(),
                            copies.iter().take(3).collect::<Vec<_>>()
                        )
                    });
                }
            }
        }
    }
    checks.done();
}
