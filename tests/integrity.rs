//! Ferry never corrupts, loses or silently overwrites a file: regression tests for what hostile
//! and ordinary servers did to it (issue 11), against the in-process FTPS server (TLS 1.3,
//! session reuse required) and the real `ferry` binary.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ferry::ftp::{ConnectOptions, Credentials, ErrorClass, FtpError, Security, Session};
use ferry::tls::{self, TlsOptions};
use ferry::transfer::{
    Command, Connector, Direction, Engine, EngineConfig, Event, FileExistsPolicy, ItemState,
    NewItem,
};
use support::cli::{all_output, ferry_in, ferry_on_tty};
use support::server::{ServerConfig, TestServer};
use support::transfer::random_bytes;
use support::{mtime, ok, partials, set_mtime};

fn url(server: &TestServer, path: &str) -> String {
    format!("ftp://alice:s3cret@127.0.0.1:{}/{path}", server.port())
}

/// Runs ferry trusting the server's CA, with a private config folder.
fn ferry(server: &TestServer, config: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--ca-file", server.ca_pem_path().to_str().unwrap()];
    all.extend_from_slice(args);
    ferry_in(config, &all)
}

fn count(server: &TestServer, prefix: &str) -> usize {
    server
        .commands()
        .iter()
        .filter(|c| c.starts_with(prefix))
        .count()
}

/// Every file under `dir`, relative path → contents.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                found.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    found
}

fn options(server: &TestServer, user: &str, password: &str) -> (ConnectOptions, Credentials) {
    let configs = tls::client_configs(&TlsOptions {
        extra_ca_file: Some(server.ca_pem_path().to_owned()),
        ..TlsOptions::default()
    })
    .unwrap();
    let mut options = ConnectOptions::new(
        "127.0.0.1",
        server.port(),
        Security::ExplicitTls,
        Some(configs.preferred),
    );
    options.tls12_fallback = configs.tls12_fallback;
    (options, Credentials::new(user, password))
}

fn login(server: &TestServer) -> Session {
    let (options, creds) = options(server, "alice", "s3cret");
    let mut session = Session::connect(options).unwrap();
    session.login(&creds).unwrap();
    session
}

fn run_to_idle(engine: &Engine, events: &std::sync::mpsc::Receiver<Event>) {
    loop {
        let event = events
            .recv_timeout(Duration::from_secs(60))
            .expect("the engine went silent");
        if event == Event::Idle
            && engine
                .items()
                .iter()
                .all(|i| !matches!(i.state, ItemState::Queued | ItemState::Active))
        {
            return;
        }
    }
}

// ---- partial files ------------------------------------------------------------------------

#[test]
fn a_remote_x_part_beside_x_never_corrupts_x() {
    let server = TestServer::start(ServerConfig::default());
    let site = server.root().join("site");
    std::fs::create_dir_all(&site).unwrap();
    let x = random_bytes(300_000, 1);
    let x_part = random_bytes(120_000, 2);
    std::fs::write(site.join("X"), &x).unwrap();
    std::fs::write(site.join("X.part"), &x_part).unwrap();
    // A name that looks like one of Ferry's own partial files is renamed, not trusted.
    std::fs::write(site.join("X.0badc0de.ferry-part"), b"impostor").unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("copy");
    let out = ferry(
        &server,
        config.path(),
        &["get", "-r", &url(&server, "site"), dest.to_str().unwrap()],
    );
    ok(&out);
    let got = tree(&dest);
    assert!(got["X"] == x, "X is exactly the remote X");
    assert!(
        got["X.part"] == x_part,
        "X.part is exactly the remote X.part"
    );
    assert_eq!(got["X.0badc0de.ferry-part_"], b"impostor");
    assert_eq!(got.len(), 3, "{:?}", got.keys());
    assert!(
        all_output(&out).contains("ferry-part"),
        "the rename is reported"
    );

    // A local X.part that some other program left is not mistaken for a partial download.
    let single = tempfile::tempdir().unwrap();
    std::fs::write(single.path().join("X.part"), b"someone else's file").unwrap();
    let target = single.path().join("X");
    ok(&ferry(
        &server,
        config.path(),
        &["get", &url(&server, "site/X"), target.to_str().unwrap()],
    ));
    assert!(std::fs::read(&target).unwrap() == x);
    assert_eq!(
        std::fs::read(single.path().join("X.part")).unwrap(),
        b"someone else's file"
    );
    assert!(!server.commands().iter().any(|c| c.starts_with("REST")));
    assert!(partials(local.path()).is_empty() && partials(single.path()).is_empty());
}

#[test]
fn a_partial_file_of_another_version_is_not_continued() {
    let server = TestServer::start(ServerConfig::default());
    let first = random_bytes(400_000, 3);
    std::fs::write(server.root().join("f.bin"), &first).unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("f.bin");
    server.cut_next_transfers(1, 100_000);
    let out = ferry(
        &server,
        config.path(),
        &[
            "get",
            "--retries",
            "0",
            &url(&server, "f.bin"),
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", all_output(&out));
    assert_eq!(partials(local.path()).len(), 1);
    // The file changes on the server (another size); the old partial must not be continued.
    let second = random_bytes(450_000, 4);
    std::fs::write(server.root().join("f.bin"), &second).unwrap();
    ok(&ferry(
        &server,
        config.path(),
        &["get", &url(&server, "f.bin"), target.to_str().unwrap()],
    ));
    assert!(std::fs::read(&target).unwrap() == second);
    assert!(!server.commands().iter().any(|c| c.starts_with("REST")));
}

// ---- names -----------------------------------------------------------------------------------

#[test]
fn names_that_become_one_local_name_each_get_their_own() {
    let server = TestServer::start(ServerConfig::default());
    let site = server.root().join("site");
    std::fs::create_dir_all(site.join("d:1")).unwrap();
    std::fs::create_dir_all(site.join("d?1")).unwrap();
    let mut expected = Vec::new();
    for (i, name) in ["a:b", "a?b", "a|b", "a_b", "d:1/in", "d?1/in"]
        .iter()
        .enumerate()
    {
        let body = format!("content of {name} #{i}").into_bytes();
        std::fs::write(site.join(name), &body).unwrap();
        expected.push(body);
    }
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("copy");
    let out = ferry(
        &server,
        config.path(),
        &["get", "-r", &url(&server, "site"), dest.to_str().unwrap()],
    );
    ok(&out);
    let got = tree(&dest);
    assert_eq!(
        got.len(),
        6,
        "every file has its own local file: {:?}",
        got.keys()
    );
    let mut contents: Vec<Vec<u8>> = got.values().cloned().collect();
    contents.sort();
    expected.sort();
    assert_eq!(contents, expected, "nothing overwrote anything");
    // The one whose name needed no change keeps it.
    assert_eq!(got["a_b"], b"content of a_b #3");
    assert!(got.contains_key("a_b (1)") && got.contains_key("a_b (3)"));
    assert!(got.contains_key("d_1/in") && got.contains_key("d_1 (1)/in"));
    assert!(all_output(&out).contains("renamed"), "{}", all_output(&out));

    // A re-run maps every file to the same place: nothing to transfer.
    let retrs = count(&server, "RETR");
    ok(&ferry(
        &server,
        config.path(),
        &["get", "-r", &url(&server, "site"), dest.to_str().unwrap()],
    ));
    assert_eq!(count(&server, "RETR"), retrs);
    assert_eq!(tree(&dest), got);
}

#[test]
fn names_of_251_to_255_bytes_download_and_upload() {
    let server = TestServer::start(ServerConfig::default());
    let site = server.root().join("long");
    std::fs::create_dir_all(&site).unwrap();
    let names: Vec<String> = (251..=255).map(|n| "n".repeat(n - 4) + ".bin").collect();
    for (i, name) in names.iter().enumerate() {
        std::fs::write(site.join(name), random_bytes(70_000 + i, i as u64)).unwrap();
    }
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("long");
    // Cut the first transfer so a partial file of a 255-byte name has to exist and continue.
    server.cut_next_transfers(1, 30_000);
    ok(&ferry(
        &server,
        config.path(),
        &["get", "-r", &url(&server, "long"), dest.to_str().unwrap()],
    ));
    for name in &names {
        assert!(
            std::fs::read(dest.join(name)).unwrap() == std::fs::read(site.join(name)).unwrap(),
            "{} bytes",
            name.len()
        );
    }
    assert!(partials(&dest).is_empty());
    assert!(
        server
            .commands()
            .iter()
            .any(|c| c.starts_with("REST 15000"))
    );
    ok(&ferry(
        &server,
        config.path(),
        &["put", "-r", dest.to_str().unwrap(), &url(&server, "back")],
    ));
    for name in &names {
        assert!(server.root().join("back").join(name).is_file());
    }
}

// ---- single files through the engine -------------------------------------------------------

#[test]
fn single_get_retries_and_single_put_is_verified() {
    let server = TestServer::start(ServerConfig::default());
    let body = random_bytes(600_000, 5);
    std::fs::write(server.root().join("one.bin"), &body).unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("one.bin");
    server.cut_next_transfers(2, 150_000);
    ok(&ferry(
        &server,
        config.path(),
        &[
            "get",
            "--retries",
            "3",
            &url(&server, "one.bin"),
            target.to_str().unwrap(),
        ],
    ));
    assert!(std::fs::read(&target).unwrap() == body);
    assert_eq!(count(&server, "RETR"), 3, "two cuts, then the rest");

    // An upload the server keeps only half of is noticed (SIZE) and sent again.
    server.shorten_next_uploads(1);
    ok(&ferry(
        &server,
        config.path(),
        &["put", target.to_str().unwrap(), &url(&server, "up.bin")],
    ));
    assert!(std::fs::read(server.root().join("up.bin")).unwrap() == body);
    assert_eq!(count(&server, "STOR"), 2);

    // A server that always keeps half: a clear failure with its own exit code, never exit 0.
    server.shorten_next_uploads(10);
    let out = ferry(
        &server,
        config.path(),
        &[
            "put",
            "--retries",
            "1",
            target.to_str().unwrap(),
            &url(&server, "half.bin"),
        ],
    );
    assert_eq!(out.status.code(), Some(10), "{}", all_output(&out));
    assert!(
        all_output(&out).contains("300000 of 600000"),
        "{}",
        all_output(&out)
    );
}

#[test]
fn a_server_that_sends_more_than_it_announced_is_stopped() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::write(server.root().join("small.txt"), vec![b'a'; 1000]).unwrap();
    server.oversend_next_downloads(10, 300 << 20);
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("small.txt");
    let started = Instant::now();
    let out = ferry(
        &server,
        config.path(),
        &["get", &url(&server, "small.txt"), target.to_str().unwrap()],
    );
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(10), "{text}");
    assert!(text.contains("more than the 1000 bytes"), "{text}");
    assert!(!text.contains("-c"), "no advice to continue: {text}");
    assert_eq!(count(&server, "RETR"), 1, "not retried");
    assert!(!target.exists() && partials(local.path()).is_empty());
    assert!(started.elapsed() < Duration::from_secs(20), "stopped early");
}

// ---- hostile text ----------------------------------------------------------------------------

#[test]
fn server_text_never_reaches_the_terminal_raw() {
    let server = TestServer::start(ServerConfig::default());
    let hostile = b"550 \x1b[2J\x1b]0;pwned\x07gone\rall files verified OK\x1b[1A\xe2\x80\xae\r\n";
    server.inject_reply("RETR", hostile.to_vec());
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(server.root().join("f"), b"x").unwrap();
    let out = ferry(
        &server,
        config.path(),
        &[
            "-v",
            "get",
            &url(&server, "f"),
            local.path().join("f").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(7));
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !stream.iter().any(|&b| b == 0x1b || b == 0x07 || b == b'\r'),
            "{}",
            String::from_utf8_lossy(stream)
        );
        assert!(!String::from_utf8_lossy(stream).contains('\u{202e}'));
    }
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("\\x1b[2J"), "shown escaped: {text}");
    // Twice: in the -v log and in the error message.
    assert!(
        text.matches("\\rall files verified OK").count() >= 2,
        "{text}"
    );

    // Names from a listing too.
    server.fake_next_listing(
        b"type=file;size=1;modify=20240102030405; evil\x1b[31mname\r\n".to_vec(),
    );
    let out = ferry(&server, config.path(), &["ls", &url(&server, "")]);
    assert!(!out.stdout.contains(&0x1b), "{}", all_output(&out));
}

// ---- slow servers ------------------------------------------------------------------------------

#[test]
fn a_trickling_transfer_ends_with_a_clear_error() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::write(server.root().join("slow.bin"), random_bytes(100_000, 6)).unwrap();
    server.set_throttle(Some(1));
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = ferry(
        &server,
        config.path(),
        &[
            "--timeout",
            "2",
            "get",
            "--retries",
            "0",
            &url(&server, "slow.bin"),
            local.path().join("slow.bin").to_str().unwrap(),
        ],
    );
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("bytes moved"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    server.set_throttle(None);
}

/// A server on a raw socket that sends `greeting` and then `then` forever, one chunk every
/// `every`.
fn dribbling_server(greeting: &'static [u8], then: &'static [u8], every: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut sock) = conn else { continue };
            std::thread::spawn(move || {
                if sock.write_all(greeting).is_err() {
                    return;
                }
                while sock.write_all(then).is_ok() {
                    std::thread::sleep(every);
                }
            });
        }
    });
    port
}

#[test]
fn endless_120_greetings_and_byte_a_second_replies_end_in_time() {
    let cases: [(&[u8], &[u8]); 2] = [(b"", b"120 Service ready in 1 minute.\r\n"), (b"2", b"2")];
    for (greeting, then) in cases {
        let port = dribbling_server(greeting, then, Duration::from_millis(200));
        let mut options = ConnectOptions::new("127.0.0.1", port, Security::Plain, None);
        options.io_timeout = Duration::from_secs(2);
        let started = Instant::now();
        let err = Session::connect(options).unwrap_err();
        assert!(
            matches!(err, FtpError::TooSlow { .. }),
            "{greeting:?}: {err}"
        );
        assert_eq!(err.class(), ErrorClass::Transient);
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "{:?}",
            started.elapsed()
        );
    }
}

// ---- listings ----------------------------------------------------------------------------------

#[test]
fn listing_memory_is_bounded_by_bytes() {
    let server = TestServer::start(ServerConfig::default());
    // Entries whose names no file system could hold are skipped, not kept.
    let mut body = Vec::new();
    for i in 0..200 {
        body.extend_from_slice(
            format!(
                "type=file;size=1;modify=20240102030405; {}{i}\r\n",
                "x".repeat(60_000)
            )
            .as_bytes(),
        );
        if i % 50 == 0 {
            body.extend_from_slice(
                format!("type=file;size=2;modify=20240102030405; ok{i}\r\n").as_bytes(),
            );
        }
    }
    server.fake_next_listing(body);
    let mut session = login(&server);
    let entries = session.list(None).unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["ok0", "ok50", "ok100", "ok150"]);

    // Past the byte limit: a clear error, and the session still works.
    let (mut options, creds) = options(&server, "alice", "s3cret");
    options.max_listing_bytes = 1 << 20;
    let mut session = Session::connect(options).unwrap();
    session.login(&creds).unwrap();
    let line = "type=file;size=1;modify=20240102030405; a-normal-name.txt\r\n";
    server.fake_next_listing(line.repeat((2 << 20) / line.len()).into_bytes());
    let err = session.list(None).unwrap_err();
    assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
    assert!(session.list(None).is_ok());
}

// ---- the queue ----------------------------------------------------------------------------------

fn connector_with(server: &TestServer, passwords: Vec<&'static str>) -> Connector {
    let (options, _) = options(server, "alice", "");
    let calls = Arc::new(AtomicUsize::new(0));
    Arc::new(move || {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        let password = passwords[n.min(passwords.len() - 1)];
        let mut session = Session::connect(options.clone())?;
        session.login(&Credentials::new("alice", password))?;
        Ok(session)
    })
}

#[test]
fn a_wrong_password_on_a_later_connection_is_one_failed_login() {
    let server = TestServer::start(ServerConfig::default());
    for i in 0..20 {
        std::fs::write(server.root().join(format!("f{i}")), random_bytes(50_000, i)).unwrap();
    }
    // The first connection logs in; every later one has a wrong password (changed meanwhile).
    let mut config = EngineConfig::new(connector_with(&server, vec!["s3cret", "wrong"]));
    config.workers = 4;
    config.retries = 5;
    config.backoff = Duration::from_millis(10);
    server.set_throttle(Some(2 << 20));
    let mut engine = Engine::start(config);
    let events = engine.take_events().unwrap();
    let local = tempfile::tempdir().unwrap();
    engine.send(Command::Add {
        label: "twenty".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: (0..20)
            .map(|i| NewItem {
                direction: Direction::Download,
                local: local.path().join(format!("f{i}")),
                remote: format!("f{i}"),
                size: Some(50_000),
                modified: None,
                modified_exact: false,
            })
            .collect(),
    });
    run_to_idle(&engine, &events);
    let wrong = server
        .commands()
        .iter()
        .filter(|c| c.as_str() == "PASS wrong")
        .count();
    assert_eq!(wrong, 1, "exactly one failed login");
    let items = engine.items();
    let failed: Vec<_> = items
        .iter()
        .filter(|i| i.state == ItemState::Failed)
        .collect();
    assert!(!failed.is_empty());
    assert!(
        failed
            .iter()
            .all(|i| i.error_class == Some(ErrorClass::Auth)),
        "{failed:?}"
    );
    // The session that did log in went on with the items it had.
    assert!(items.iter().any(|i| i.state == ItemState::Done));
    server.set_throttle(None);
}

#[test]
fn a_server_that_allows_two_connections_still_gets_everything() {
    let server = TestServer::start(ServerConfig {
        max_connections: Some(2),
        ..ServerConfig::default()
    });
    let site = server.root().join("many");
    // 500 files here; the 2000-file run is against vsftpd (max_per_ip=2) in the interop suite.
    for i in 0..500 {
        let dir = site.join(format!("d{}", i % 20));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(format!("f{i}")),
            random_bytes(100 + i % 50, i as u64),
        )
        .unwrap();
    }
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("many");
    let out = ferry(
        &server,
        config.path(),
        &[
            "get",
            "-r",
            "--parallel",
            "4",
            &url(&server, "many"),
            dest.to_str().unwrap(),
        ],
    );
    ok(&out);
    assert_eq!(tree(&dest), tree(&site));
    assert!(server.refused_connections() > 0, "the limit was met");
    assert!(
        all_output(&out).contains("allows 2 connection(s)"),
        "{}",
        all_output(&out)
    );
    let out = ferry(
        &server,
        config.path(),
        &[
            "put",
            "-r",
            "--parallel",
            "4",
            dest.to_str().unwrap(),
            &url(&server, "again"),
        ],
    );
    ok(&out);
    assert_eq!(tree(&server.root().join("again")), tree(&site));

    // A saved site remembers the limit: the next run opens no more than the server allows.
    ok(&ferry(
        &server,
        config.path(),
        &[
            "sites",
            "add",
            "Limited",
            &format!("ftp://alice@127.0.0.1:{}/", server.port()),
            "--max-connections",
            "4",
        ],
    ));
    let run = |args: &[&str]| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
            .arg("--ca-file")
            .arg(server.ca_pem_path())
            .arg("--password-stdin")
            .args(args)
            .env("FERRY_CONFIG_DIR", config.path())
            .env("FERRY_NO_KEYCHAIN", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"s3cret\n").unwrap();
        child.wait_with_output().unwrap()
    };
    let third = local.path().join("third");
    let out = run(&[
        "get",
        "-r",
        "--parallel",
        "4",
        "site:Limited/many",
        third.to_str().unwrap(),
    ]);
    ok(&out);
    assert!(
        all_output(&out).contains("now uses at most 2"),
        "{}",
        all_output(&out)
    );
    let sites = std::fs::read_to_string(config.path().join("sites.toml")).unwrap();
    assert!(sites.contains("max_connections = 2"), "{sites}");
    let refused = server.refused_connections();
    let fourth = local.path().join("fourth");
    ok(&run(&[
        "get",
        "-r",
        "--parallel",
        "4",
        "site:Limited/many",
        fourth.to_str().unwrap(),
    ]));
    assert_eq!(
        server.refused_connections(),
        refused,
        "no connection beyond the limit"
    );
    assert_eq!(tree(&fourth), tree(&site));
}

#[test]
fn a_corrupt_queue_file_is_moved_aside_and_saving_goes_on() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::write(server.root().join("a.txt"), b"alpha").unwrap();
    let data = tempfile::tempdir().unwrap();
    let queue = data.path().join("queues").join("q.toml");
    std::fs::create_dir_all(queue.parent().unwrap()).unwrap();
    std::fs::write(&queue, "version = 1\n[[item]]\nthis is = not a queue [[[").unwrap();
    let local = tempfile::tempdir().unwrap();
    let start = || {
        let mut config = EngineConfig::new(connector_with(&server, vec!["s3cret"]));
        config.workers = 1;
        config.queue_file = Some(queue.clone());
        let mut engine = Engine::start(config);
        let events = engine.take_events().unwrap();
        (engine, events)
    };
    let (engine, events) = start();
    let first = events.recv_timeout(Duration::from_secs(5)).unwrap();
    let Event::Log(note) = first else {
        panic!("expected a note about the corrupt queue, got {first:?}")
    };
    assert!(
        note.contains("not valid") && note.contains("saved again"),
        "{note}"
    );
    engine.send(Command::Add {
        label: "one".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: vec![NewItem {
            direction: Direction::Download,
            local: local.path().join("a.txt"),
            remote: "a.txt".into(),
            size: Some(5),
            modified: None,
            modified_exact: false,
        }],
    });
    run_to_idle(&engine, &events);
    drop(engine);
    let saved = std::fs::read_to_string(&queue).unwrap();
    assert!(saved.contains("a.txt") && saved.contains("done"), "{saved}");
    let kept: Vec<_> = std::fs::read_dir(queue.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".bak"))
        .collect();
    assert_eq!(kept.len(), 1, "the corrupt file's copy is kept");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&queue).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the queue is private");
    }
    // And the next start reads it.
    let (engine, _events) = start();
    assert_eq!(engine.items().len(), 1);
}

// ---- times and checksums ------------------------------------------------------------------------

#[test]
fn modification_times_are_kept_both_ways() {
    for disable_mlsd in [false, true] {
        let server = TestServer::start(ServerConfig {
            disable_mlsd,
            mfmt: true,
            ..ServerConfig::default()
        });
        let site = server.root().join("t");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(site.join("old.txt"), b"old").unwrap();
        set_mtime(&site.join("old.txt"), 1_500_000_000);
        let config = tempfile::tempdir().unwrap();
        let local = tempfile::tempdir().unwrap();
        let dest = local.path().join("t");
        ok(&ferry(
            &server,
            config.path(),
            &["get", "-r", &url(&server, "t"), dest.to_str().unwrap()],
        ));
        assert_eq!(
            mtime(&dest.join("old.txt")),
            1_500_000_000,
            "mlsd off: {disable_mlsd}"
        );
        if disable_mlsd {
            assert!(server.commands().iter().any(|c| c.starts_with("MDTM")));
        }
        // Upload: the server file gets the local file's time.
        std::fs::write(local.path().join("new.txt"), b"new").unwrap();
        set_mtime(&local.path().join("new.txt"), 1_600_000_000);
        ok(&ferry(
            &server,
            config.path(),
            &[
                "put",
                local.path().join("new.txt").to_str().unwrap(),
                &url(&server, "new.txt"),
            ],
        ));
        assert_eq!(mtime(&server.root().join("new.txt")), 1_600_000_000);
        assert!(
            server
                .commands()
                .iter()
                .any(|c| c.starts_with("MFMT 20200913122640"))
        );
    }
}

#[test]
fn checksums_are_compared_when_the_server_offers_them() {
    let server = TestServer::start(ServerConfig {
        checksums: true,
        ..ServerConfig::default()
    });
    let body = random_bytes(250_000, 7);
    std::fs::write(server.root().join("c.bin"), &body).unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("c.bin");
    // Cut once, so the checksum has to cover a continued download.
    server.cut_next_transfers(1, 100_000);
    ok(&ferry(
        &server,
        config.path(),
        &["get", &url(&server, "c.bin"), target.to_str().unwrap()],
    ));
    assert!(std::fs::read(&target).unwrap() == body);
    assert!(
        server.commands().iter().any(|c| c == "OPTS HASH CRC32"),
        "the cheapest"
    );
    assert!(server.commands().iter().any(|c| c == "HASH c.bin"));
    ok(&ferry(
        &server,
        config.path(),
        &["put", target.to_str().unwrap(), &url(&server, "c2.bin")],
    ));
    assert_eq!(count(&server, "HASH"), 2);

    // A checksum that never matches: retried from scratch, then a clear failure, nothing kept.
    server.set_wrong_checksums(true);
    let other = local.path().join("other.bin");
    let out = ferry(
        &server,
        config.path(),
        &[
            "get",
            "--retries",
            "1",
            &url(&server, "c.bin"),
            other.to_str().unwrap(),
        ],
    );
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(10), "{text}");
    assert!(text.contains("checksums differ"), "{text}");
    assert!(!other.exists() && partials(local.path()).is_empty());
    let out = ferry(
        &server,
        config.path(),
        &[
            "put",
            "--retries",
            "1",
            target.to_str().unwrap(),
            &url(&server, "c3.bin"),
        ],
    );
    assert_eq!(out.status.code(), Some(10), "{}", all_output(&out));
    // The second upload started over instead of resuming a bad remote file.
    let stors = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("STOR c3.bin"))
        .count();
    assert_eq!(stors, 2);
    assert!(
        !server
            .commands()
            .iter()
            .any(|c| c.starts_with("REST") && c != "REST 50000")
    );
}

// ---- files on this computer ---------------------------------------------------------------------

#[test]
fn a_password_in_the_url_is_warned_about_on_a_terminal() {
    let server = TestServer::start(ServerConfig::default());
    let config = tempfile::tempdir().unwrap();
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    let out = ferry_on_tty(
        config.path(),
        &["--ca-file", &ca, "ls", &url(&server, "")],
        "",
    );
    let text = all_output(&out);
    assert!(text.contains("visible to other users"), "{text}");
    assert!(text.contains("--password-stdin"), "{text}");
    // Not in scripts (no terminal): they have chosen.
    let out = ferry(&server, config.path(), &["ls", &url(&server, "")]);
    assert!(!all_output(&out).contains("visible to other users"));
}

#[cfg(unix)]
#[test]
fn files_ferry_writes_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("made-by-ferry");
    let out = ferry_in(
        &config,
        &["sites", "add", "Shop", "ftp://bob@shop.example/www"],
    );
    ok(&out);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&config), 0o700);
    assert_eq!(mode(&config.join("sites.toml")), 0o600);
}

#[test]
fn queue_file_names_never_collide() {
    use ferry::transfer::engine::queue_file_name;
    let names = [
        queue_file_name("a@b", "host", 21),
        queue_file_name("a_b", "host", 21),
        queue_file_name("a", "b@host", 21),
        queue_file_name("a", "host", 2121),
        queue_file_name("a", "host_21", 21),
        queue_file_name("A", "host", 21),
    ];
    let unique: std::collections::HashSet<_> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    assert_eq!(
        queue_file_name("a", "HOST", 21),
        queue_file_name("a", "host", 21)
    );
    for name in &names {
        assert!(name.ends_with(".toml") && !name.contains('/'), "{name}");
    }
}

#[test]
fn reading_bodies_is_bounded_even_if_the_server_never_stops() {
    // The same rule over the engine API: the announced size bounds the read.
    let server = TestServer::start(ServerConfig::default());
    std::fs::write(server.root().join("s"), vec![1u8; 10]).unwrap();
    server.oversend_next_downloads(1, 1 << 30);
    let mut session = login(&server);
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut progress = |_| {};
    let mut ctl = ferry::ftp::TransferControl::new(&mut progress, &cancel);
    ctl.expected_size = Some(10);
    let mut sink = Vec::new();
    let err = session.download("s", 0, &mut sink, &mut ctl).unwrap_err();
    assert!(
        matches!(err, FtpError::TooMuchData { announced: 10, .. }),
        "{err}"
    );
    assert!(sink.len() <= 10 + 64 * 1024, "{}", sink.len());
    // The session is still usable after the abort.
    let mut buf = Vec::new();
    std::io::Cursor::new(support::transfer::download(&mut session, "s", 0).unwrap())
        .read_to_end(&mut buf)
        .unwrap();
    assert_eq!(buf, vec![1u8; 10]);
}

// ---- faults ---------------------------------------------------------------------------------

#[test]
fn cut_twenty_times_a_50_mib_file_still_arrives_whole_both_ways() {
    let server = TestServer::start(ServerConfig::default());
    let body = random_bytes(50 << 20, 8);
    std::fs::write(server.root().join("big.bin"), &body).unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("big.bin");
    let slice = (50 << 20) / 20;
    server.cut_next_transfers(20, slice);
    let started = Instant::now();
    // The default three retries: attempts that made progress do not count.
    ok(&ferry(
        &server,
        config.path(),
        &["get", &url(&server, "big.bin"), target.to_str().unwrap()],
    ));
    assert!(std::fs::read(&target).unwrap() == body, "byte-identical");
    assert!(partials(local.path()).is_empty());
    assert_eq!(count(&server, "RETR"), 21);
    server.cut_next_transfers(20, slice);
    ok(&ferry(
        &server,
        config.path(),
        &["put", target.to_str().unwrap(), &url(&server, "back.bin")],
    ));
    assert!(std::fs::read(server.root().join("back.bin")).unwrap() == body);
    assert_eq!(count(&server, "STOR back.bin"), 21);
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
}

// ---- integrity, round two (issue 25) ----------------------------------------------------------

/// A recent time on a whole minute, so that a time 20 s later shows the same in `ls -l`.
fn whole_minute_an_hour_ago() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    (now - 3600) / 60 * 60
}

/// `get -r` of `dir` cut after 100 000 bytes, with no retry: leaves a partial file.
fn cut_get_r(server: &TestServer, config: &Path, dir: &str, dest: &Path) {
    server.cut_next_transfers(1, 100_000);
    let out = ferry(
        server,
        config,
        &[
            "get",
            "-r",
            "--retries",
            "0",
            &url(server, dir),
            dest.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success(), "{}", all_output(&out));
    assert_eq!(partials(dest).len(), 1, "{}", all_output(&out));
}

#[test]
fn a_file_replaced_by_another_of_the_same_size_is_never_continued_into() {
    // LIST only (as vsftpd): times in the listing are to the minute.
    let server = TestServer::start(ServerConfig {
        disable_mlsd: true,
        ..ServerConfig::default()
    });
    let dir = server.root().join("v");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("big.bin");
    let minute = whole_minute_an_hour_ago();
    // (a) Replaced 20 s later: the LIST line is the same, MDTM is not.
    // (b) Replaced with its time kept (`touch -r`, `cp -p`): only the bytes tell.
    for (case, new_time) in [
        ("later in the same minute", minute + 20),
        ("same time", minute),
    ] {
        let config = tempfile::tempdir().unwrap();
        let local = tempfile::tempdir().unwrap();
        let dest = local.path().join("v");
        let old = random_bytes(400_000, 41);
        std::fs::write(&file, &old).unwrap();
        set_mtime(&file, minute);
        cut_get_r(&server, config.path(), "v", &dest);
        let new = random_bytes(400_000, 42);
        std::fs::write(&file, &new).unwrap();
        set_mtime(&file, new_time);
        let before = server.commands().len();
        let out = ferry(
            &server,
            config.path(),
            &["get", "-r", &url(&server, "v"), dest.to_str().unwrap()],
        );
        ok(&out);
        assert!(
            std::fs::read(dest.join("big.bin")).unwrap() == new,
            "{case}: the file is the server's new version, not old bytes with the new rest"
        );
        assert!(partials(&dest).is_empty(), "{case}: {:?}", partials(&dest));
        if new_time == minute {
            // The same LIST line and MDTM: the overlap re-read before the offset differed, and
            // the download started over.
            let second_run = &server.commands()[before..];
            let retrs: Vec<_> = second_run
                .iter()
                .filter(|c| c.starts_with("REST") || c.starts_with("RETR"))
                .collect();
            assert_eq!(
                retrs,
                ["REST 50000", "RETR v/big.bin", "RETR v/big.bin"],
                "{case}"
            );
        }
    }
}

#[test]
fn a_partial_file_of_the_same_version_is_still_continued() {
    let server = TestServer::start(ServerConfig {
        disable_mlsd: true,
        ..ServerConfig::default()
    });
    std::fs::create_dir_all(server.root().join("s")).unwrap();
    let body = random_bytes(400_000, 43);
    std::fs::write(server.root().join("s/f.bin"), &body).unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("s");
    cut_get_r(&server, config.path(), "s", &dest);
    ok(&ferry(
        &server,
        config.path(),
        &["get", "-r", &url(&server, "s"), dest.to_str().unwrap()],
    ));
    assert!(std::fs::read(dest.join("f.bin")).unwrap() == body);
    // Continued before where it stopped: the overlap (half the partial file, 64 KiB at most)
    // is read again and compared, to check the version.
    let rests: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("REST"))
        .collect();
    assert_eq!(rests, [format!("REST {}", 100_000 - 50_000)]);
}

#[test]
fn a_single_get_of_a_new_version_removes_the_old_partial_file() {
    let server = TestServer::start(ServerConfig::default());
    let target_dir = tempfile::tempdir().unwrap();
    let target = target_dir.path().join("f.bin");
    let config = tempfile::tempdir().unwrap();
    std::fs::write(server.root().join("f.bin"), random_bytes(400_000, 44)).unwrap();
    server.cut_next_transfers(1, 150_000);
    let out = ferry(
        &server,
        config.path(),
        &[
            "get",
            "--retries",
            "0",
            &url(&server, "f.bin"),
            target.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert_eq!(partials(target_dir.path()).len(), 1);
    let second = random_bytes(380_000, 45);
    std::fs::write(server.root().join("f.bin"), &second).unwrap();
    ok(&ferry(
        &server,
        config.path(),
        &["get", &url(&server, "f.bin"), target.to_str().unwrap()],
    ));
    assert!(std::fs::read(&target).unwrap() == second);
    assert!(
        partials(target_dir.path()).is_empty(),
        "a partial of a version the server no longer has is removed: {:?}",
        partials(target_dir.path())
    );
}

#[test]
fn a_server_that_refuses_rest_gets_whole_files_instead() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::create_dir_all(server.root().join("r")).unwrap();
    let body = random_bytes(400_000, 46);
    std::fs::write(server.root().join("r/f.bin"), &body).unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("r");
    cut_get_r(&server, config.path(), "r", &dest);
    for _ in 0..3 {
        server.inject_reply("REST", b"502 REST not implemented.\r\n".to_vec());
    }
    let out = ferry(
        &server,
        config.path(),
        &["get", "-r", &url(&server, "r"), dest.to_str().unwrap()],
    );
    ok(&out);
    assert!(std::fs::read(dest.join("f.bin")).unwrap() == body);
    assert!(partials(&dest).is_empty());
    assert_eq!(count(&server, "REST"), 1, "asked once, then remembered");
}

#[test]
fn an_upload_whose_checksum_differs_is_never_skipped_as_same_size() {
    let server = TestServer::start(ServerConfig {
        checksums: true,
        ..ServerConfig::default()
    });
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("up");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.bin"), random_bytes(120_000, 47)).unwrap();
    server.set_wrong_checksums(true);
    let config = tempfile::tempdir().unwrap();
    // Under "rename" the retry replaces its own wrong copy: it does not leave it behind and
    // pick another name.
    for policy in [None, Some("resume"), Some("skip"), Some("rename")] {
        let remote = format!("up-{}", policy.unwrap_or("default"));
        let mut args = vec!["put", "-r", "--retries", "1"];
        if let Some(p) = policy {
            args.extend(["--on-exists", p]);
        }
        let target = url(&server, &remote);
        args.extend([src.to_str().unwrap(), target.as_str()]);
        let out = ferry(&server, config.path(), &args);
        let text = all_output(&out);
        assert_eq!(out.status.code(), Some(9), "{policy:?}: {text}");
        assert!(text.contains("checksums differ"), "{policy:?}: {text}");
        let stors = server
            .commands()
            .iter()
            .filter(|c| *c == &format!("STOR {remote}/a.bin"))
            .count();
        assert_eq!(stors, 2, "{policy:?}: sent again from the start");
    }
}

#[test]
fn a_retry_under_rename_continues_its_own_copy_never_the_file_it_kept() {
    // The server has u/f.bin and d/f.bin (someone else's); ours go beside them as "f (1).bin".
    // Each first attempt is cut: the retry must continue the new name, not append our bytes
    // to the file "rename" was asked to keep.
    let server = TestServer::start(ServerConfig::default());
    let theirs = random_bytes(100_000, 50);
    for dir in ["u", "d"] {
        std::fs::create_dir_all(server.root().join(dir)).unwrap();
    }
    std::fs::write(server.root().join("u/f.bin"), &theirs).unwrap();
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("u");
    std::fs::create_dir_all(&src).unwrap();
    let mine = random_bytes(400_000, 52);
    std::fs::write(src.join("f.bin"), &mine).unwrap();
    let config = tempfile::tempdir().unwrap();
    server.cut_next_transfers(1, 150_000);
    let out = ferry(
        &server,
        config.path(),
        &[
            "put",
            "-r",
            "--on-exists",
            "rename",
            src.to_str().unwrap(),
            &url(&server, "u"),
        ],
    );
    ok(&out);
    assert!(std::fs::read(server.root().join("u/f.bin")).unwrap() == theirs);
    assert!(std::fs::read(server.root().join("u/f (1).bin")).unwrap() == mine);
    assert_eq!(
        std::fs::read_dir(server.root().join("u")).unwrap().count(),
        2
    );

    // The same downloading: d/f.bin here is the user's.
    std::fs::write(server.root().join("d/f.bin"), &mine).unwrap();
    let dest = local.path().join("d");
    std::fs::create_dir_all(&dest).unwrap();
    std::fs::write(dest.join("f.bin"), &theirs).unwrap();
    server.cut_next_transfers(1, 150_000);
    let out = ferry(
        &server,
        config.path(),
        &[
            "get",
            "-r",
            "--on-exists",
            "rename",
            &url(&server, "d"),
            dest.to_str().unwrap(),
        ],
    );
    ok(&out);
    assert!(std::fs::read(dest.join("f.bin")).unwrap() == theirs);
    assert!(std::fs::read(dest.join("f (1).bin")).unwrap() == mine);
    assert!(partials(&dest).is_empty());
    assert_eq!(std::fs::read_dir(&dest).unwrap().count(), 2);
}

#[test]
fn after_421_on_a_transfer_the_session_is_not_used_again() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::create_dir_all(server.root().join("d")).unwrap();
    std::fs::write(server.root().join("d/a.bin"), random_bytes(10_000, 48)).unwrap();
    server.inject_reply(
        "RETR",
        b"421 Timeout, closing control connection.\r\n".to_vec(),
    );
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("d");
    ok(&ferry(
        &server,
        config.path(),
        &[
            "get",
            "-r",
            "--parallel",
            "1",
            &url(&server, "d"),
            dest.to_str().unwrap(),
        ],
    ));
    let commands = server.commands();
    let first_retr = commands.iter().position(|c| c == "RETR d/a.bin").unwrap();
    assert_eq!(
        commands[first_retr + 1],
        "AUTH TLS",
        "a new connection, not EPSV on the closed one: {:?}",
        &commands[first_retr..]
    );
}

#[test]
fn plain_text_after_auth_tls_is_a_tls_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut sock) = conn else { continue };
            std::thread::spawn(move || {
                let _ = sock.write_all(b"220 hello\r\n");
                let mut buf = [0u8; 512];
                let _ = sock.read(&mut buf); // AUTH TLS
                let _ = sock.write_all(b"234 go ahead\r\n");
                std::thread::sleep(Duration::from_millis(100));
                let _ = sock.read(&mut buf); // the ClientHello
                let _ = sock.write_all(b"500 This server speaks no TLS after all.\r\n");
                std::thread::sleep(Duration::from_millis(200));
            });
        }
    });
    let config = tempfile::tempdir().unwrap();
    let out = ferry_in(
        config.path(),
        &["ls", &format!("ftp://alice:s3cret@127.0.0.1:{port}/")],
    );
    assert_eq!(out.status.code(), Some(4), "{}", all_output(&out));
}

#[test]
fn a_name_with_a_right_to_left_override_cannot_pose_as_another_type() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::create_dir_all(server.root().join("b")).unwrap();
    std::fs::write(server.root().join("b/report\u{202e}fdp.exe"), b"MZ").unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("b");
    let out = ferry(
        &server,
        config.path(),
        &["get", "-r", &url(&server, "b"), dest.to_str().unwrap()],
    );
    ok(&out);
    let got = tree(&dest);
    assert_eq!(got.keys().collect::<Vec<_>>(), ["report_fdp.exe"]);
    assert!(
        all_output(&out).contains("invisible"),
        "{}",
        all_output(&out)
    );
}

#[test]
fn a_password_in_the_url_is_not_in_the_process_list_while_ferry_runs() {
    let server = TestServer::start(ServerConfig::default());
    let body = random_bytes(300_000, 49);
    std::fs::write(server.root().join("slow.bin"), &body).unwrap();
    server.set_throttle(Some(150_000));
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("slow.bin");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--ca-file")
        .arg(server.ca_pem_path())
        .args(["get", &url(&server, "slow.bin"), target.to_str().unwrap()])
        .env("FERRY_CONFIG_DIR", config.path())
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the transfer runs: by then Ferry has read its arguments.
    let started = Instant::now();
    while !server.commands().iter().any(|c| c.starts_with("RETR")) {
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(20));
    }
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap();
    let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
    assert!(
        !cmdline.contains("s3cret") && cmdline.contains("alice@127.0.0.1"),
        "{cmdline}"
    );
    assert!(child.wait().unwrap().success());
    assert!(std::fs::read(&target).unwrap() == body);
}

#[test]
fn a_local_file_that_is_not_the_start_of_the_servers_is_never_emptied_by_resume() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::write(server.root().join("f.bin"), random_bytes(200_000, 52)).unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("f.bin");
    let mine = random_bytes(100_000, 54);
    std::fs::write(&target, &mine).unwrap();
    let out = ferry(
        &server,
        config.path(),
        &[
            "get",
            "--on-exists",
            "resume",
            "--retries",
            "1",
            &url(&server, "f.bin"),
            target.to_str().unwrap(),
        ],
    );
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(10), "{text}");
    assert!(text.contains("was not continued"), "{text}");
    assert!(
        std::fs::read(&target).unwrap() == mine,
        "the user's file is as it was"
    );
    assert!(partials(local.path()).is_empty());
}
