//! The `ferry` binary against the in-process FTPS server: arguments, files on disk, exit codes.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::ok;
use support::server::{Certs, ServerConfig, TestServer};

/// A configuration directory of this test process, outside the user's home.
fn config_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ferry-test-config-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn ferry(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        // Never read or write the real user's pins.
        .env("FERRY_CONFIG_DIR", config_dir())
        .stdin(Stdio::null())
        .output()
        .expect("run ferry")
}

fn url(server: &TestServer, path: &str) -> String {
    format!("ftp://alice:s3cret@127.0.0.1:{}/{path}", server.port())
}

fn ca(server: &TestServer) -> &str {
    server.ca_pem_path().to_str().unwrap()
}

#[test]
fn put_ls_get_mkdir_mv_rm_rmdir() {
    let server = TestServer::start(ServerConfig::default());
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("hello.txt");
    std::fs::write(&src, b"hello ferry\n").unwrap();

    ok(&ferry(&[
        "mkdir",
        "--ca-file",
        ca(&server),
        &url(&server, "docs"),
    ]));
    assert!(server.root().join("docs").is_dir());

    ok(&ferry(&[
        "put",
        "--ca-file",
        ca(&server),
        src.to_str().unwrap(),
        &url(&server, "docs/"),
    ]));
    assert_eq!(
        std::fs::read(server.root().join("docs/hello.txt")).unwrap(),
        b"hello ferry\n"
    );

    let listing = ok(&ferry(&[
        "ls",
        "--ca-file",
        ca(&server),
        &url(&server, "docs"),
    ]));
    assert_eq!(listing.trim(), "hello.txt");
    let long = ok(&ferry(&[
        "ls",
        "-l",
        "--ca-file",
        ca(&server),
        &url(&server, ""),
    ]));
    assert!(
        long.lines()
            .any(|l| l.starts_with('d') && l.ends_with("docs/")),
        "{long}"
    );

    let out_dir = local.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    ok(&ferry(&[
        "get",
        "--ca-file",
        ca(&server),
        &url(&server, "docs/hello.txt"),
        out_dir.to_str().unwrap(),
    ]));
    assert_eq!(
        std::fs::read(out_dir.join("hello.txt")).unwrap(),
        b"hello ferry\n"
    );
    assert!(support::partials(&out_dir).is_empty());

    ok(&ferry(&[
        "mv",
        "--ca-file",
        ca(&server),
        &url(&server, "docs/hello.txt"),
        "docs/renamed.txt",
    ]));
    assert!(server.root().join("docs/renamed.txt").exists());
    ok(&ferry(&[
        "rm",
        "--ca-file",
        ca(&server),
        &url(&server, "docs/renamed.txt"),
    ]));
    assert!(!server.root().join("docs/renamed.txt").exists());
    ok(&ferry(&[
        "rmdir",
        "--ca-file",
        ca(&server),
        &url(&server, "docs"),
    ]));
    assert!(!server.root().join("docs").exists());
}

#[test]
fn an_interrupted_get_continues_its_partial_file_when_run_again() {
    let server = TestServer::start(ServerConfig::default());
    let body: Vec<u8> = (0..500_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(server.root().join("big.bin"), &body).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("big.bin");
    // The first run loses its data connection after 123 456 bytes and may not retry.
    server.cut_next_transfers(1, 123_456);
    let first = ferry(&[
        "get",
        "--retries",
        "0",
        "--ca-file",
        ca(&server),
        &url(&server, "big.bin"),
        target.to_str().unwrap(),
    ]);
    assert_eq!(first.status.code(), Some(3), "a connection failure");
    assert!(!target.exists(), "nothing under the final name");
    let partial = support::only_partial(local.path()).expect("the partial file is kept");
    assert_eq!(std::fs::metadata(&partial).unwrap().len(), 123_456);
    // Run again: it continues from the partial file (REST, re-reading half of it to check that
    // it is of the same version) and ends whole.
    ok(&ferry(&[
        "get",
        "--ca-file",
        ca(&server),
        &url(&server, "big.bin"),
        target.to_str().unwrap(),
    ]));
    assert!(std::fs::read(&target).unwrap() == body);
    assert!(server.commands().iter().any(|c| c == "REST 61728"));
    assert!(support::partials(local.path()).is_empty());
}

#[test]
fn untrusted_certificate_exit_code_and_fingerprint() {
    let certs = Certs::self_signed();
    let expected = ferry::tls::sha256_fingerprint(&certs.cert_chain[0]);
    let server = TestServer::start(ServerConfig {
        certs: Some(certs),
        ..ServerConfig::default()
    });
    let out = ferry(&["ls", &url(&server, "")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains(&format!("SHA256:{expected}")), "{stderr}");
    assert!(!server.commands().iter().any(|c| c.starts_with("USER")));
}

#[test]
fn refused_tls_exit_code_and_plain_with_warning() {
    let server = TestServer::start(ServerConfig {
        tls: support::server::TlsMode::None,
        refuse_auth_tls: true,
        require_tls: false,
        require_session_reuse: false,
        ..ServerConfig::default()
    });
    let out = ferry(&["ls", &url(&server, "")]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!server.commands().iter().any(|c| c.starts_with("USER")));

    let out = ferry(&["ls", "--plain", &url(&server, "")]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: plain FTP"));
}

#[test]
fn verbose_log_masks_the_password() {
    let server = TestServer::start(ServerConfig::default());
    let out = ferry(&["ls", "-v", "--ca-file", ca(&server), &url(&server, "")]);
    ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("> PASS ****"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

#[test]
fn password_from_stdin() {
    let server = TestServer::start(ServerConfig::default());
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .env("FERRY_CONFIG_DIR", config_dir())
        .args([
            "ls",
            "--password-stdin",
            "--ca-file",
            ca(&server),
            &format!("ftp://alice@127.0.0.1:{}/", server.port()),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"s3cret\n").unwrap();
    ok(&child.wait_with_output().unwrap());
}

#[test]
fn exit_codes_for_usage_auth_and_server_errors() {
    let server = TestServer::start(ServerConfig::default());
    assert_eq!(ferry(&["ls", "sftp://host/"]).status.code(), Some(2));
    assert_eq!(ferry(&["bogus-command"]).status.code(), Some(2));
    let bad_login = format!("ftp://alice:nope@127.0.0.1:{}/", server.port());
    assert_eq!(
        ferry(&["ls", "--ca-file", ca(&server), &bad_login])
            .status
            .code(),
        Some(6)
    );
    let out = ferry(&["rm", "--ca-file", ca(&server), &url(&server, "missing.txt")]);
    assert_eq!(out.status.code(), Some(7));
    assert!(String::from_utf8_lossy(&out.stderr).contains("550"));
    let closed = ferry(&["ls", "--timeout", "2", "ftp://a:b@127.0.0.1:1/"]);
    assert_eq!(closed.status.code(), Some(3));
    let help = ferry(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage"));
    // `ferry` alone opens the window; without a display it says so and fails cleanly.
    let no_display = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .env("FERRY_NO_KEYCHAIN", "1")
        .output()
        .unwrap();
    assert_eq!(no_display.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&no_display.stderr).contains("cannot open the window"));
}

/// The completion scripts and manual pages the packages ship are what the command line really
/// accepts. `FERRY_UPDATE_DOCS=1 cargo test --test cli packaged` rewrites them.
#[test]
fn packaged_completions_and_manual_pages_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/linux");
    let update = std::env::var_os("FERRY_UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    let mut check = |path: std::path::PathBuf, now: Vec<u8>| {
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &now).unwrap();
        } else if std::fs::read(&path).ok().as_ref() != Some(&now) {
            stale.push(path.display().to_string());
        }
    };
    for (shell, file) in [
        ("bash", "completions/ferry.bash"),
        ("zsh", "completions/_ferry"),
        ("fish", "completions/ferry.fish"),
    ] {
        let out = ferry(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {out:?}");
        assert!(!out.stdout.is_empty());
        check(root.join(file), out.stdout);
    }
    let pages = tempfile::tempdir().unwrap();
    ok(&ferry(&["manpage", pages.path().to_str().unwrap()]));
    let mut names: Vec<String> = std::fs::read_dir(pages.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.contains(&"ferry.1".to_owned()) && names.contains(&"ferry-get.1".to_owned()));
    for name in &names {
        check(
            root.join("man").join(name),
            std::fs::read(pages.path().join(name)).unwrap(),
        );
    }
    if !update {
        let packaged = std::fs::read_dir(root.join("man")).map_or(0, |d| d.count());
        assert_eq!(
            packaged,
            names.len(),
            "a page in packaging/linux/man is no longer made"
        );
    }
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; run FERRY_UPDATE_DOCS=1 cargo test --test cli packaged"
    );
}

#[test]
fn the_console_binary_is_the_command_line_and_never_opens_a_window() {
    // Without arguments `ferry` opens the window; `ferry-cli` (Windows' ferry.com) prints the
    // usage instead, on a console.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferry-cli"))
        .env("FERRY_NO_KEYCHAIN", "1")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(text.contains("Usage: ferry"), "{text}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferry-cli"))
        .args(["ls", "ftp://127.0.0.1:1/"])
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ferry:"),
        "errors reach the console: {out:?}"
    );
}

#[test]
fn a_server_that_requires_a_client_certificate_says_so_and_accepts_the_right_one() {
    use support::server::ClientCerts;
    let ours = ClientCerts::generate("ferry-user");
    let server = TestServer::start(ServerConfig {
        client_ca_pem: Some(ours.ca_pem.clone()),
        ..ServerConfig::default()
    });
    std::fs::write(server.root().join("hello.txt"), b"hi").unwrap();
    let files = tempfile::tempdir().unwrap();
    let (cert, key, both) = (
        files.path().join("client.pem"),
        files.path().join("client.key"),
        files.path().join("both.pem"),
    );
    std::fs::write(&cert, &ours.cert_pem).unwrap();
    std::fs::write(&key, &ours.key_pem).unwrap();
    std::fs::write(&both, format!("{}{}", ours.cert_pem, ours.key_pem)).unwrap();
    let (cert, key, both) = (
        cert.to_str().unwrap(),
        key.to_str().unwrap(),
        both.to_str().unwrap(),
    );

    // None given: a clear error, not a generic TLS failure, and no login was tried.
    let out = ferry(&["ls", "--ca-file", ca(&server), &url(&server, "")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("requires a client certificate"), "{stderr}");

    // Certificate and key in two files, then in one: the listing works (data connections
    // resume the control session, which carries the client certificate).
    for args in [vec!["--cert", cert, "--key", key], vec!["--cert", both]] {
        let mut all = vec!["ls", "--ca-file", ca(&server)];
        all.extend(args);
        let url = url(&server, "");
        all.push(&url);
        let out = ferry(&all);
        ok(&out);
        assert!(String::from_utf8_lossy(&out.stdout).contains("hello.txt"));
    }

    // A certificate from another CA is refused, and the message says so.
    let stranger = ClientCerts::generate("stranger");
    let other = files.path().join("stranger.pem");
    std::fs::write(&other, format!("{}{}", stranger.cert_pem, stranger.key_pem)).unwrap();
    let out = ferry(&[
        "ls",
        "--ca-file",
        ca(&server),
        "--cert",
        other.to_str().unwrap(),
        &url(&server, ""),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("refused the client certificate"),
        "{stderr}"
    );

    // A key file without a key, and --key alone: errors before any connection.
    let out = ferry(&["ls", "--cert", cert, &url(&server, "")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("holds no private key"), "{stderr}");
    let out = ferry(&["ls", "--key", key, &url(&server, "")]);
    assert_eq!(out.status.code(), Some(2), "usage error");
}

#[test]
fn a_pkcs12_client_certificate_opens_with_its_password_from_the_environment() {
    let (ours, server) =
        support::server::requiring_client_certs("ferry-user", ServerConfig::default());
    std::fs::write(server.root().join("hello.txt"), b"hi").unwrap();
    let files = tempfile::tempdir().unwrap();
    let p12 = files.path().join("client.p12");
    std::fs::write(&p12, ours.pkcs12("export-pass")).unwrap();
    let run = |password: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
        command
            .args(["ls", "-v", "--ca-file", ca(&server), "--cert"])
            .arg(&p12)
            .arg(url(&server, ""))
            .env("FERRY_CONFIG_DIR", config_dir())
            .env_remove("FERRY_CERT_PASSWORD")
            .stdin(Stdio::null());
        if let Some(password) = password {
            command.env("FERRY_CERT_PASSWORD", password);
        }
        command.output().expect("run ferry")
    };

    // The right password: the server accepts the certificate inside (listing works, so the
    // data connection carried it too), and the password is in no log line.
    let out = run(Some("export-pass"));
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("hello.txt"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("export-pass"));

    // None (and no terminal to ask on): the error names the file and where a password goes;
    // nothing reached the server's login.
    let commands_before = server.commands().len();
    let out = run(None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("client.p12") && stderr.contains("FERRY_CERT_PASSWORD"),
        "{stderr}"
    );
    assert_eq!(server.commands().len(), commands_before, "no connection");

    // A wrong one: said as such.
    let out = run(Some("guess"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("password of this PKCS#12 file is wrong"),
        "{stderr}"
    );
}

#[test]
fn tls13_only_refuses_a_tls12_server_and_works_with_a_tls13_one() {
    let old = TestServer::start(ServerConfig {
        tls13: false,
        ..ServerConfig::default()
    });
    let out = ferry(&["ls", "--tls13", "--ca-file", ca(&old), &url(&old, "")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "a TLS error: {stderr}");
    assert!(
        !old.commands().iter().any(|c| c.starts_with("USER")),
        "no login over TLS 1.2 (no fallback)"
    );
    // The same server without the policy: TLS 1.2 is fine.
    ok(&ferry(&["ls", "--ca-file", ca(&old), &url(&old, "")]));
    let new = TestServer::start(ServerConfig::default());
    let out = ferry(&["ls", "-v", "--tls13", "--ca-file", ca(&new), &url(&new, "")]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("TLSv1.3"));
    // Both limits at once is a usage error.
    let out = ferry(&["ls", "--tls12", "--tls13", &url(&new, "")]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn ccc_clears_the_control_channel_after_login_and_files_still_move_encrypted() {
    let server = TestServer::start(ServerConfig {
        allow_ccc: true,
        ..ServerConfig::default()
    });
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("up.bin");
    std::fs::write(&src, vec![5u8; 200_000]).unwrap();
    let out = ferry(&[
        "put",
        "-v",
        "--ccc",
        "--ca-file",
        ca(&server),
        src.to_str().unwrap(),
        &url(&server, ""),
    ]);
    ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("clear text from now on (CCC)"), "{stderr}");
    let commands = server.commands();
    let at = |verb: &str| commands.iter().position(|c| c.starts_with(verb));
    let (ccc, pass, stor) = (at("CCC").unwrap(), at("PASS").unwrap(), at("STOR").unwrap());
    assert!(
        pass < ccc && ccc < stor,
        "CCC after login, before the transfer: {commands:?}"
    );
    // The server only stores over PROT P data connections (require_tls).
    assert_eq!(
        std::fs::read(server.root().join("up.bin")).unwrap().len(),
        200_000
    );
    let back = local.path().join("back.bin");
    ok(&ferry(&[
        "get",
        "--ccc",
        "--ca-file",
        ca(&server),
        &url(&server, "up.bin"),
        back.to_str().unwrap(),
    ]));
    assert_eq!(std::fs::read(&back).unwrap(), vec![5u8; 200_000]);

    // A server without CCC: logged, and the control connection stays encrypted.
    let plain = TestServer::start(ServerConfig::default());
    let out = ferry(&[
        "ls",
        "-v",
        "--ccc",
        "--ca-file",
        ca(&plain),
        &url(&plain, ""),
    ]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused CCC"));
}

/// The width and height of a PNG file, from its IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{path:?} is a PNG");
    assert_eq!(&bytes[12..16], b"IHDR", "{path:?} starts with IHDR");
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (word(16), word(20))
}

/// The icons the packages are made from have the sizes their names say (macOS needs 1024 px for
/// its 512@2x slot), and the macOS bundle id is one Apple accepts (letters, digits, '-' and '.').
#[test]
fn packaged_icons_have_their_sizes_and_the_bundle_id_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for size in [16u32, 24, 32, 48, 64, 128, 256, 512, 1024] {
        let icon = root.join(format!("assets/icons/ferry-{size}.png"));
        assert_eq!(png_size(&icon), (size, size), "{icon:?}");
    }
    let plist = std::fs::read_to_string(root.join("packaging/macos/Info.plist")).unwrap();
    let after_key = plist
        .split("<key>CFBundleIdentifier</key>")
        .nth(1)
        .expect("Info.plist names a bundle id");
    let id = after_key
        .split("<string>")
        .nth(1)
        .and_then(|s| s.split("</string>").next())
        .expect("the bundle id is a string");
    assert!(
        !id.is_empty()
            && id.split('.').count() >= 3
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
        "bundle id {id:?}"
    );
}
