//! The transfer engine and `ferry get -r` / `put -r` against the in-process FTPS server (TLS 1.3,
//! session reuse required): many files on reused sessions, dropped connections resumed with
//! REST, file-exists policies, cancel and pause.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command as Process, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use ferry::ftp::{ConnectOptions, Credentials, Security, Session};
use ferry::tls::{self, TlsOptions};
use ferry::transfer::{
    Command, Connector, Direction, Engine, EngineConfig, Event, FileExistsPolicy, ItemState,
    NewItem,
};
use support::server::{ServerConfig, TestServer};
use support::transfer::random_bytes;

fn connector(server: &TestServer) -> Connector {
    let port = server.port();
    let ca = server.ca_pem_path().to_owned();
    Arc::new(move || {
        let configs = tls::client_configs(&TlsOptions {
            extra_ca_file: Some(ca.clone()),
            ..TlsOptions::default()
        })
        .map_err(|e| ferry::ftp::FtpError::InvalidInput(e.to_string()))?;
        let mut options = ConnectOptions::new(
            "127.0.0.1",
            port,
            Security::ExplicitTls,
            Some(configs.preferred),
        );
        options.tls12_fallback = configs.tls12_fallback;
        let mut s = Session::connect(options)?;
        s.login(&Credentials::new("alice", "s3cret"))?;
        Ok(s)
    })
}

fn engine(
    server: &TestServer,
    workers: usize,
    retries: u32,
) -> (Engine, std::sync::mpsc::Receiver<Event>) {
    let mut config = EngineConfig::new(connector(server));
    config.workers = workers;
    config.retries = retries;
    config.backoff = Duration::from_millis(50);
    let mut engine = Engine::start(config);
    let events = engine.take_events().unwrap();
    (engine, events)
}

/// Collects events until the engine reports idle with every item settled (finished, paused or
/// asking). An Idle from before the last command is ignored by that check.
fn run_to_idle(engine: &Engine, events: &std::sync::mpsc::Receiver<Event>) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let event = events
            .recv_timeout(Duration::from_secs(60))
            .expect("the engine went silent");
        let idle = event == Event::Idle;
        seen.push(event);
        if idle
            && engine
                .items()
                .iter()
                .all(|i| !matches!(i.state, ItemState::Queued | ItemState::Active))
        {
            return seen;
        }
    }
}

fn download_item(server: &TestServer, remote: &str, local: &Path) -> NewItem {
    let size = std::fs::metadata(server.root().join(remote))
        .ok()
        .map(|m| m.len());
    NewItem {
        direction: Direction::Download,
        local: local.to_owned(),
        remote: remote.to_owned(),
        size,
        modified: None,
        modified_exact: false,
    }
}

#[test]
fn many_small_files_on_four_reused_sessions() {
    let server = TestServer::start(ServerConfig::default());
    let mut expected = Vec::new();
    for i in 0..500 {
        let dir = format!("d{}/sub{}", i % 5, i % 3);
        std::fs::create_dir_all(server.root().join(&dir)).unwrap();
        let rel = format!("{dir}/f{i:03}.bin");
        let body = random_bytes(500 + i * 7, i as u64);
        std::fs::write(server.root().join(&rel), &body).unwrap();
        expected.push((rel, body));
    }
    let local = tempfile::tempdir().unwrap();
    let (engine, events) = engine(&server, 4, 2);
    engine.send(Command::Add {
        label: "many".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: expected
            .iter()
            .map(|(rel, _)| download_item(&server, rel, &local.path().join(rel)))
            .collect(),
    });
    let seen = run_to_idle(&engine, &events);
    for (rel, body) in &expected {
        assert!(
            std::fs::read(local.path().join(rel)).unwrap() == *body,
            "{rel} differs"
        );
    }
    let bytes: u64 = expected.iter().map(|(_, b)| b.len() as u64).sum();
    let totals = engine.totals();
    assert_eq!(
        (
            totals.items,
            totals.finished,
            totals.failed,
            totals.bytes,
            totals.bytes_done
        ),
        (500, 500, 0, bytes, bytes)
    );
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::Totals(t) if t.finished == 500))
    );
    assert!(engine.items().iter().all(|i| i.state == ItemState::Done));
    // Four sessions for 500 files: logins are not per file.
    let logins = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("USER"))
        .count();
    assert!(logins <= 4, "{logins} logins");
    let (total, resumed) = server.data_connections();
    assert_eq!(total, resumed, "every data connection resumed its session");

    // And back up again, to a new folder.
    let (engine, events) = self::engine(&server, 4, 2);
    std::fs::create_dir(server.root().join("up")).unwrap();
    for d in 0..5 {
        for s in 0..3 {
            std::fs::create_dir_all(server.root().join(format!("up/d{d}/sub{s}"))).unwrap();
        }
    }
    engine.send(Command::Add {
        label: "up".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: expected
            .iter()
            .map(|(rel, body)| NewItem {
                direction: Direction::Upload,
                local: local.path().join(rel),
                remote: format!("up/{rel}"),
                size: Some(body.len() as u64),
                modified: None,
                modified_exact: false,
            })
            .collect(),
    });
    run_to_idle(&engine, &events);
    for (rel, body) in &expected {
        assert!(
            std::fs::read(server.root().join("up").join(rel)).unwrap() == *body,
            "uploaded {rel} differs"
        );
    }
}

#[test]
fn dropped_connections_resume_with_rest_and_leave_no_part() {
    let server = TestServer::start(ServerConfig::default());
    let body = random_bytes(50 * 1024 * 1024, 77);
    std::fs::write(server.root().join("big.bin"), &body).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("big.bin");
    // The first two attempts are cut mid-way.
    server.cut_next_transfers(2, 12 * 1024 * 1024);
    let (engine, events) = engine(&server, 1, 4);
    engine.send(Command::Add {
        label: "big".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: vec![download_item(&server, "big.bin", &target)],
    });
    run_to_idle(&engine, &events);
    let item = &engine.items()[0];
    assert_eq!(item.state, ItemState::Done, "{:?}", item.last_error);
    let retrs = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("RETR "))
        .count();
    assert_eq!(retrs, 3, "two cut attempts and the rest");
    assert!(std::fs::read(&target).unwrap() == body, "download differs");
    assert!(support::partials(local.path()).is_empty());
    let rests = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("REST "))
        .count();
    assert!(rests >= 2, "resumed with REST");

    // Upload, cut twice: resumed from what the server has.
    server.cut_next_transfers(2, 12 * 1024 * 1024);
    engine.send(Command::Add {
        label: "big up".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: vec![NewItem {
            direction: Direction::Upload,
            local: target.clone(),
            remote: "big-up.bin".into(),
            size: Some(body.len() as u64),
            modified: None,
            modified_exact: false,
        }],
    });
    run_to_idle(&engine, &events);
    let up = engine
        .items()
        .into_iter()
        .find(|i| i.remote == "big-up.bin")
        .unwrap();
    assert_eq!(up.state, ItemState::Done, "{:?}", up.last_error);
    assert!(std::fs::read(server.root().join("big-up.bin")).unwrap() == body);
}

#[test]
fn file_exists_policies() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::write(server.root().join("a.txt"), b"remote version, longer").unwrap();
    let local = tempfile::tempdir().unwrap();
    let run = |policy: FileExistsPolicy, existing: &[u8]| -> (ItemState, Vec<PathBuf>) {
        let dir = tempfile::tempdir_in(local.path()).unwrap().keep();
        std::fs::write(dir.join("a.txt"), existing).unwrap();
        let (engine, events) = engine(&server, 1, 0);
        engine.send(Command::Add {
            label: "p".into(),
            on_exists: policy,
            items: vec![download_item(&server, "a.txt", &dir.join("a.txt"))],
        });
        run_to_idle(&engine, &events);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        (engine.items()[0].state, files)
    };
    let remote = b"remote version, longer".to_vec();

    let (state, files) = run(FileExistsPolicy::Skip, b"mine");
    assert_eq!(state, ItemState::Skipped);
    assert_eq!(std::fs::read(&files[0]).unwrap(), b"mine");

    let (state, files) = run(FileExistsPolicy::Overwrite, b"mine");
    assert_eq!(state, ItemState::Done);
    assert_eq!(std::fs::read(&files[0]).unwrap(), remote);

    let (state, _) = run(
        FileExistsPolicy::OverwriteIfSizeDiffers,
        b"same length as remote!",
    );
    assert_eq!(state, ItemState::Skipped);
    let (state, files) = run(FileExistsPolicy::OverwriteIfSizeDiffers, b"short");
    assert_eq!(state, ItemState::Done);
    assert_eq!(std::fs::read(&files[0]).unwrap(), remote);

    // Resume: the local file is the start of the remote one.
    let (state, files) = run(FileExistsPolicy::Resume, b"remote ver");
    assert_eq!(state, ItemState::Done);
    assert_eq!(std::fs::read(&files[0]).unwrap(), remote);
    assert!(server.commands().iter().any(|c| c == "REST 5"));

    // Newer: the remote file's time (from the listing) against the local file's.
    let newer = |remote_modified: i64| -> ItemState {
        let dir = tempfile::tempdir_in(local.path()).unwrap().keep();
        std::fs::write(dir.join("a.txt"), b"mine").unwrap(); // modified now
        let (engine, events) = engine(&server, 1, 0);
        let mut item = download_item(&server, "a.txt", &dir.join("a.txt"));
        item.modified = Some(remote_modified);
        engine.send(Command::Add {
            label: "newer".into(),
            on_exists: FileExistsPolicy::OverwriteIfNewer,
            items: vec![item],
        });
        run_to_idle(&engine, &events);
        engine.items()[0].state
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert_eq!(
        newer(now - 86_400),
        ItemState::Skipped,
        "remote older: kept"
    );
    assert_eq!(
        newer(now + 86_400),
        ItemState::Done,
        "remote newer: replaced"
    );

    let (state, files) = run(FileExistsPolicy::Rename, b"mine");
    assert_eq!(state, ItemState::Done);
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(std::fs::read(&files[0]).unwrap(), remote, "{files:?}"); // "a (1).txt"
    assert_eq!(std::fs::read(&files[1]).unwrap(), b"mine");
}

#[test]
fn ask_waits_for_the_answer_while_others_continue() {
    let server = TestServer::start(ServerConfig::default());
    for name in ["x.txt", "y.txt", "z.txt"] {
        std::fs::write(server.root().join(name), format!("remote {name}")).unwrap();
    }
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("x.txt"), b"mine").unwrap();
    std::fs::write(local.path().join("z.txt"), b"mine too").unwrap();
    let (engine, events) = engine(&server, 2, 0);
    engine.send(Command::Add {
        label: "ask".into(),
        on_exists: FileExistsPolicy::Ask,
        items: ["x.txt", "y.txt", "z.txt"]
            .iter()
            .map(|n| download_item(&server, n, &local.path().join(n)))
            .collect(),
    });
    let seen = run_to_idle(&engine, &events);
    let questions: Vec<u64> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Question { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(questions.len(), 2, "x and z ask");
    let states: Vec<ItemState> = engine.items().iter().map(|i| i.state).collect();
    assert_eq!(
        states,
        [ItemState::Asking, ItemState::Done, ItemState::Asking],
        "y went ahead"
    );
    // Overwrite, for the rest of the job too.
    engine.send(Command::Answer {
        item: questions[0],
        decision: FileExistsPolicy::Overwrite,
        for_job: true,
    });
    run_to_idle(&engine, &events);
    assert!(engine.items().iter().all(|i| i.state == ItemState::Done));
    assert_eq!(
        std::fs::read(local.path().join("z.txt")).unwrap(),
        b"remote z.txt"
    );
}

#[test]
fn cancel_mid_file_then_next_item_on_the_same_session_and_pause_resume() {
    let server = TestServer::start(ServerConfig::default());
    let big = random_bytes(6 * 1024 * 1024, 5);
    std::fs::write(server.root().join("slow.bin"), &big).unwrap();
    std::fs::write(server.root().join("next.txt"), b"next").unwrap();
    server.set_throttle(Some(2 * 1024 * 1024));
    let local = tempfile::tempdir().unwrap();
    let (engine, events) = engine(&server, 1, 0);
    engine.send(Command::Add {
        label: "c".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: vec![
            download_item(&server, "slow.bin", &local.path().join("slow.bin")),
            download_item(&server, "next.txt", &local.path().join("next.txt")),
        ],
    });
    // Cancel once it is moving.
    loop {
        if let Ok(Event::Progress { id, bytes_done, .. }) =
            events.recv_timeout(Duration::from_secs(20))
            && bytes_done > 0
        {
            engine.send(Command::Cancel(id));
            break;
        }
    }
    run_to_idle(&engine, &events);
    let items = engine.items();
    assert_eq!(items[0].state, ItemState::Cancelled);
    assert_eq!(items[1].state, ItemState::Done);
    assert!(!local.path().join("slow.bin").exists());
    assert!(
        support::partials(local.path()).is_empty(),
        "cancel removes the partial file"
    );
    let logins = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("USER"))
        .count();
    assert_eq!(logins, 1, "the same session went on after the cancel");

    // Pause keeps the part; resume continues it with REST.
    let id = items[0].id;
    engine.send(Command::Retry(id));
    loop {
        if let Ok(Event::Progress { bytes_done, .. }) = events.recv_timeout(Duration::from_secs(20))
            && bytes_done > 500_000
        {
            engine.send(Command::Pause(id));
            break;
        }
    }
    run_to_idle(&engine, &events);
    assert_eq!(engine.items()[0].state, ItemState::Paused);
    let part = std::fs::metadata(support::only_partial(local.path()).expect("one partial"))
        .unwrap()
        .len();
    assert!(part > 0);
    server.set_throttle(None);
    engine.send(Command::Resume(id));
    run_to_idle(&engine, &events);
    assert_eq!(engine.items()[0].state, ItemState::Done);
    assert!(std::fs::read(local.path().join("slow.bin")).unwrap() == big);
    assert!(
        server
            .commands()
            .iter()
            .any(|c| c == &support::rest_continuing(part))
    );
}

// ---- the command line ----------------------------------------------------------------------

fn ferry(args: &[&str]) -> Output {
    let config = std::env::temp_dir().join(format!("ferry-transfer-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&config);
    Process::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .env("FERRY_CONFIG_DIR", config)
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn cli_get_and_put_recursive() {
    let server = TestServer::start(ServerConfig::default());
    let site = server.root().join("site");
    for i in 0..60 {
        let dir = site.join(format!("dir{}", i % 4));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(format!("page{i}.html")),
            random_bytes(300 + i, i as u64),
        )
        .unwrap();
    }
    std::fs::create_dir_all(site.join("empty")).unwrap();
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("copy");
    let url = format!("ftp://alice:s3cret@127.0.0.1:{}/site", server.port());
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    let out = ferry(&[
        "get",
        "-r",
        "--parallel",
        "3",
        "--ca-file",
        &ca,
        &url,
        dest.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("60 transferred"), "{stderr}");
    assert!(dest.join("empty").is_dir());
    for i in 0..60 {
        let rel = format!("dir{}/page{i}.html", i % 4);
        assert_eq!(
            std::fs::read(dest.join(&rel)).unwrap(),
            std::fs::read(site.join(&rel)).unwrap()
        );
    }
    // Again: nothing to do (same sizes).
    let out = ferry(&["get", "-r", "--ca-file", &ca, &url, dest.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("0 transferred") && stderr.contains("60 skipped"),
        "{stderr}"
    );

    // Up into a new remote folder.
    let up = format!("ftp://alice:s3cret@127.0.0.1:{}/mirror", server.port());
    let out = ferry(&["put", "-r", "--ca-file", &ca, dest.to_str().unwrap(), &up]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for i in 0..60 {
        let rel = format!("dir{}/page{i}.html", i % 4);
        assert_eq!(
            std::fs::read(server.root().join("mirror").join(&rel)).unwrap(),
            std::fs::read(site.join(&rel)).unwrap()
        );
    }
    assert!(server.root().join("mirror/empty").is_dir());
}

#[test]
fn cli_reports_failures_with_a_nonzero_exit() {
    let server = TestServer::start(ServerConfig::default());
    // The remote "folder" is a file: no upload into it can succeed, whoever runs the test.
    std::fs::write(server.root().join("blocker"), b"a file").unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("one.txt"), b"1").unwrap();
    std::fs::write(local.path().join("two.txt"), b"2").unwrap();
    let url = format!("ftp://alice:s3cret@127.0.0.1:{}/blocker", server.port());
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    let out = ferry(&[
        "put",
        "-r",
        "--retries",
        "0",
        "--ca-file",
        &ca,
        local.path().to_str().unwrap(),
        &url,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(9), "{stderr}");
    assert!(stderr.contains("2 failed"), "{stderr}");
    assert!(stderr.contains("failed: blocker/one.txt"), "{stderr}");
}

#[test]
fn missing_remote_file_fails_without_retrying() {
    let server = TestServer::start(ServerConfig::default());
    let local = tempfile::tempdir().unwrap();
    let (engine, events) = engine(&server, 1, 5);
    engine.send(Command::Add {
        label: "missing".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: vec![NewItem {
            direction: Direction::Download,
            local: local.path().join("nope.txt"),
            remote: "nope.txt".into(),
            size: None,
            modified: None,
            modified_exact: false,
        }],
    });
    run_to_idle(&engine, &events);
    let item = &engine.items()[0];
    assert_eq!(item.state, ItemState::Failed);
    assert_eq!(item.attempts, 1, "a 550 is not retried");
    assert!(item.last_error.as_deref().unwrap_or("").contains("550"));
    assert!(support::partials(local.path()).is_empty());
}

#[test]
fn the_queue_survives_a_restart_and_continues_from_the_part() {
    let server = TestServer::start(ServerConfig::default());
    let big = random_bytes(4 * 1024 * 1024, 9);
    std::fs::write(server.root().join("a.bin"), &big).unwrap();
    std::fs::write(server.root().join("b.txt"), b"second").unwrap();
    server.set_throttle(Some(1024 * 1024));
    let local = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let queue = data.path().join("queue.toml");
    let start = |server: &TestServer| {
        let mut config = EngineConfig::new(connector(server));
        config.workers = 1;
        config.retries = 1;
        config.backoff = Duration::from_millis(50);
        config.queue_file = Some(queue.clone());
        let mut engine = Engine::start(config);
        let events = engine.take_events().unwrap();
        (engine, events)
    };
    let (engine, events) = start(&server);
    engine.send(Command::Add {
        label: "restart".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: vec![
            download_item(&server, "a.bin", &local.path().join("a.bin")),
            download_item(&server, "b.txt", &local.path().join("b.txt")),
        ],
    });
    loop {
        if let Ok(Event::Progress { bytes_done, .. }) = events.recv_timeout(Duration::from_secs(20))
            && bytes_done > 1024 * 1024
        {
            break;
        }
    }
    // The application closes mid-transfer.
    drop(engine);
    let saved = std::fs::read_to_string(&queue).unwrap();
    assert!(
        saved.contains("a.bin") && saved.contains("b.txt"),
        "{saved}"
    );
    let part = std::fs::metadata(support::only_partial(local.path()).expect("one partial"))
        .unwrap()
        .len();
    assert!(part > 0, "the part is kept");

    // Next start: both items come back and finish; a.bin continues where it stopped.
    server.set_throttle(None);
    let (engine, events) = start(&server);
    assert_eq!(engine.items().len(), 2);
    assert!(engine.items().iter().all(|i| i.state == ItemState::Queued));
    run_to_idle(&engine, &events);
    assert!(std::fs::read(local.path().join("a.bin")).unwrap() == big);
    assert_eq!(
        std::fs::read(local.path().join("b.txt")).unwrap(),
        b"second"
    );
    assert!(
        server
            .commands()
            .iter()
            .any(|c| c == &support::rest_continuing(part))
    );
    drop(engine);
    let saved = std::fs::read_to_string(&queue).unwrap();
    assert_eq!(saved.matches("state = \"done\"").count(), 2, "{saved}");
}

#[test]
fn cli_killed_mid_queue_then_run_again_finishes_only_what_is_missing() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::create_dir(server.root().join("set")).unwrap();
    let files: Vec<(String, Vec<u8>)> = (0..8)
        .map(|i| (format!("f{i}.bin"), random_bytes(1024 * 1024, 40 + i)))
        .collect();
    for (name, body) in &files {
        std::fs::write(server.root().join("set").join(name), body).unwrap();
    }
    server.set_throttle(Some(4 * 1024 * 1024));
    let local = tempfile::tempdir().unwrap();
    let dest = local.path().join("set");
    let url = format!("ftp://alice:s3cret@127.0.0.1:{}/set", server.port());
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    let args = [
        "get",
        "-r",
        "--parallel",
        "1",
        "--ca-file",
        &ca,
        &url,
        dest.to_str().unwrap(),
    ];
    let config = std::env::temp_dir().join(format!("ferry-transfer-test-{}", std::process::id()));
    let mut child = Process::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .env("FERRY_CONFIG_DIR", &config)
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let complete = |files: &[(String, Vec<u8>)]| -> Vec<String> {
        files
            .iter()
            .filter(|(name, _)| dest.join(name).exists())
            .map(|(name, _)| name.clone())
            .collect()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while complete(&files).len() < 2 {
        assert!(std::time::Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let done_before = complete(&files);
    assert!(done_before.len() < files.len(), "killed too late");
    let retrs_before = server.commands().len();

    server.set_throttle(None);
    let out = ferry(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, body) in &files {
        assert!(
            std::fs::read(dest.join(name)).unwrap() == *body,
            "{name} differs"
        );
        assert!(support::partials(&dest).is_empty(), "{name}");
    }
    let second_run: Vec<String> = server.commands()[retrs_before..]
        .iter()
        .filter(|c| c.starts_with("RETR "))
        .cloned()
        .collect();
    for name in &done_before {
        assert!(
            !second_run.iter().any(|c| c.ends_with(&format!("/{name}"))),
            "{name} was transferred again: {second_run:?}"
        );
    }
    assert_eq!(second_run.len(), files.len() - done_before.len());
}

#[test]
fn hostile_listing_names_never_write_outside_the_target() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::create_dir(server.root().join("evil")).unwrap();
    // Real files behind some of the names, so downloads can succeed where a name is usable.
    for name in ["CON", "ok.txt", "trailing. "] {
        std::fs::write(server.root().join("evil").join(name), b"payload").unwrap();
    }
    let names = [
        "../x",
        "/etc/passwd",
        "a/../../b",
        "..",
        ".",
        "CON",
        "nul.txt",
        "line\nbreak",
        "back\\slash",
        "C:\\Windows\\x",
        "trailing. ",
        "ok.txt",
    ];
    let mut body = String::from("type=cdir;modify=20240101000000; .\r\n");
    for name in names {
        body.push_str(&format!(
            "type=file;size=7;modify=20240101000000; {name}\r\n"
        ));
    }
    server.fake_next_listing(body.into_bytes());
    let outer = tempfile::tempdir().unwrap();
    let dest = outer.path().join("inside");
    let url = format!("ftp://alice:s3cret@127.0.0.1:{}/evil", server.port());
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    let out = ferry(&[
        "get",
        "-r",
        "--retries",
        "0",
        "--ca-file",
        &ca,
        &url,
        dest.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Nothing outside `inside/`: the temporary parent holds only it.
    let outside: Vec<_> = std::fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        outside,
        vec![std::ffi::OsString::from("inside")],
        "{stderr}"
    );
    // Everything inside is a plain file directly in it, with a safe name.
    for entry in std::fs::read_dir(&dest).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(entry.file_type().unwrap().is_file(), "{name}");
        assert!(
            !name.contains(['/', '\\', '\n']) && name != "CON",
            "{name:?}"
        );
    }
    assert_eq!(std::fs::read(dest.join("ok.txt")).unwrap(), b"payload");
    assert!(
        stderr.contains("not a safe local name") || stderr.contains("not transferable"),
        "{stderr}"
    );
}

#[test]
fn browse_worker_lists_and_edits_while_a_transfer_runs() {
    use ferry::transfer::{BrowseRequest, BrowseResult, Browser};
    let server = TestServer::start(ServerConfig::default());
    std::fs::write(
        server.root().join("big.bin"),
        random_bytes(4 * 1024 * 1024, 3),
    )
    .unwrap();
    std::fs::create_dir_all(server.root().join("tree/a/b")).unwrap();
    std::fs::write(server.root().join("tree/a/b/f.txt"), b"x").unwrap();
    std::fs::write(server.root().join("tree/top.txt"), b"y").unwrap();
    server.set_throttle(Some(1024 * 1024));
    let local = tempfile::tempdir().unwrap();
    let (engine, events) = engine(&server, 1, 0);
    engine.send(Command::Add {
        label: "slow".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: vec![download_item(
            &server,
            "big.bin",
            &local.path().join("big.bin"),
        )],
    });
    let (mut browser, results) = Browser::start(connector(&server));
    let started = std::time::Instant::now();
    let list = browser.request(BrowseRequest::List(String::new()));
    let (id, result) = results.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(id, list);
    let BrowseResult::Listing { entries, .. } = result else {
        panic!("{result:?}")
    };
    assert!(entries.iter().any(|e| e.name == "big.bin"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the listing did not wait for the 4-second transfer"
    );
    browser.request(BrowseRequest::Mkdir("made".into()));
    browser.request(BrowseRequest::Rename {
        from: "made".into(),
        to: "renamed".into(),
    });
    browser.request(BrowseRequest::DeleteTree("tree".into()));
    for _ in 0..3 {
        let (_, result) = results.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(matches!(result, BrowseResult::Done), "{result:?}");
    }
    assert!(server.root().join("renamed").is_dir());
    assert!(!server.root().join("tree").exists());
    let failed = browser.request(BrowseRequest::DeleteFile("missing".into()));
    let (id, result) = results.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(id, failed);
    assert!(matches!(result, BrowseResult::Failed(_)), "{result:?}");
    server.set_throttle(None);
    run_to_idle(&engine, &events);
}

#[test]
fn symbolic_links_are_skipped_unless_asked() {
    use std::os::unix::fs::symlink;
    // Local side: a link to a file, a link to a folder, and a loop.
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("src");
    std::fs::create_dir_all(src.join("real")).unwrap();
    std::fs::write(src.join("real/data.txt"), b"data").unwrap();
    symlink(src.join("real/data.txt"), src.join("link.txt")).unwrap();
    symlink(src.join("real"), src.join("linkdir")).unwrap();
    symlink(&src, src.join("real/loop")).unwrap();
    let server = TestServer::start(ServerConfig {
        disable_mlsd: true, // LIST shows links as links
        ..ServerConfig::default()
    });
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    let url = |dir: &str| format!("ftp://alice:s3cret@127.0.0.1:{}/{dir}", server.port());

    let out = ferry(&[
        "put",
        "-r",
        "--ca-file",
        &ca,
        src.to_str().unwrap(),
        &url("plain"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(server.root().join("plain/real/data.txt").exists());
    assert!(!server.root().join("plain/link.txt").exists(), "{stderr}");
    assert!(!server.root().join("plain/linkdir").exists());
    assert!(stderr.contains("symbolic link (not followed)"), "{stderr}");

    let out = ferry(&[
        "put",
        "-r",
        "--follow-symlinks",
        "--ca-file",
        &ca,
        src.to_str().unwrap(),
        &url("followed"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let root = server.root().join("followed");
    assert_eq!(std::fs::read(root.join("link.txt")).unwrap(), b"data");
    assert_eq!(
        std::fs::read(root.join("linkdir/data.txt")).unwrap(),
        b"data"
    );
    assert!(
        stderr.contains("a link back to a folder above it"),
        "{stderr}"
    );

    // Remote side: links on the server.
    symlink(
        server.root().join("plain/real"),
        server.root().join("plain/rlink"),
    )
    .unwrap();
    let down = local.path().join("down");
    let out = ferry(&[
        "get",
        "-r",
        "--ca-file",
        &ca,
        &url("plain"),
        down.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(down.join("real/data.txt").exists());
    assert!(!down.join("rlink").exists());
    let down2 = local.path().join("down2");
    let out = ferry(&[
        "get",
        "-r",
        "--follow-symlinks",
        "--ca-file",
        &ca,
        &url("plain"),
        down2.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(down2.join("rlink/data.txt")).unwrap(),
        b"data"
    );
}

#[test]
fn speed_limits_hold_for_all_workers_together_and_change_while_running() {
    let server = TestServer::start(ServerConfig::default());
    // Four files of 256 KiB on two workers under one 256 KiB/s limit: 1 MiB takes about 4 s
    // (a quarter second of burst off), however many connections share it.
    let mut bodies = Vec::new();
    for i in 0..4 {
        let body = random_bytes(256 * 1024, 40 + i);
        std::fs::write(server.root().join(format!("l{i}.bin")), &body).unwrap();
        bodies.push(body);
    }
    let local = tempfile::tempdir().unwrap();
    let limit = Arc::new(ferry::transfer::SpeedLimit::new(256 * 1024));
    let mut config = EngineConfig::new(connector(&server));
    config.workers = 2;
    config.download_limit = limit.clone();
    let mut engine = Engine::start(config);
    let events = engine.take_events().unwrap();
    let started = std::time::Instant::now();
    engine.send(Command::Add {
        label: "limited".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: (0..4)
            .map(|i| {
                let name = format!("l{i}.bin");
                download_item(&server, &name, &local.path().join(&name))
            })
            .collect(),
    });
    run_to_idle(&engine, &events);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(3_300),
        "1 MiB at 256 KiB/s took only {took:?}"
    );
    for (i, body) in bodies.iter().enumerate() {
        assert!(std::fs::read(local.path().join(format!("l{i}.bin"))).unwrap() == *body);
    }

    // Lifted while an upload runs: it finishes at full speed.
    let big = random_bytes(8 << 20, 50);
    std::fs::write(local.path().join("up.bin"), &big).unwrap();
    let up_limit = Arc::new(ferry::transfer::SpeedLimit::new(64 * 1024));
    let mut config = EngineConfig::new(connector(&server));
    config.upload_limit = up_limit.clone();
    let mut engine = Engine::start(config);
    let events = engine.take_events().unwrap();
    let started = std::time::Instant::now();
    engine.send(Command::Add {
        label: "up".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: vec![NewItem {
            direction: Direction::Upload,
            local: local.path().join("up.bin"),
            remote: "up.bin".into(),
            size: Some(big.len() as u64),
            modified: None,
            modified_exact: false,
        }],
    });
    std::thread::sleep(Duration::from_millis(500));
    up_limit.set(0);
    run_to_idle(&engine, &events);
    // 8 MiB at 64 KiB/s would be two minutes.
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(std::fs::read(server.root().join("up.bin")).unwrap() == big);
}

#[test]
fn a_search_streams_its_matches_and_stops_when_asked() {
    use ferry::transfer::find::{NamePattern, StopFlag};
    use ferry::transfer::{BrowseRequest, BrowseResult, Browser};
    let server = TestServer::start(ServerConfig::default());
    for i in 0..150 {
        let dir = server.root().join(format!("d{i:03}"));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join(format!("match-{i}.txt")), b"x").unwrap();
        std::fs::write(dir.join("other.bin"), b"y").unwrap();
    }
    let (mut browser, results) = Browser::start(connector(&server));
    let pattern = NamePattern::new("MATCH-*.txt").unwrap();
    // The whole tree: every match once, in batches, the last one finished.
    let id = browser.request(BrowseRequest::Find {
        root: "/".into(),
        pattern: pattern.clone(),
        stop: StopFlag::default(),
    });
    let mut found = Vec::new();
    let mut batches = 0;
    let last = loop {
        let (got, result) = results.recv_timeout(Duration::from_secs(30)).unwrap();
        assert_eq!(got, id);
        let BrowseResult::Found { matches, progress } = result else {
            panic!("{result:?}")
        };
        batches += 1;
        found.extend(matches.into_iter().map(|f| f.path()));
        if progress.finished {
            break progress;
        }
    };
    assert_eq!(found.len(), 150);
    found.sort();
    found.dedup();
    assert_eq!(found.len(), 150, "no match twice");
    assert!(found.contains(&"/d007/match-7.txt".to_owned()));
    assert!(batches > 1, "matches arrive as the walk goes");
    assert_eq!(
        (last.folders, last.matches, last.incomplete),
        (151, 150, false)
    );
    // Stopped after its first batch: it ends early, and says so.
    let stop = StopFlag::default();
    let id = browser.request(BrowseRequest::Find {
        root: "/".into(),
        pattern,
        stop: stop.clone(),
    });
    let mut matches_seen = 0;
    let last = loop {
        let (got, result) = results.recv_timeout(Duration::from_secs(30)).unwrap();
        assert_eq!(got, id);
        let BrowseResult::Found { matches, progress } = result else {
            panic!("{result:?}")
        };
        matches_seen += matches.len();
        stop.stop();
        if progress.finished {
            break progress;
        }
    };
    assert!(last.incomplete);
    assert!(matches_seen < 150, "stopped early ({matches_seen})");
    assert_eq!(last.matches, matches_seen);
    // The worker is free again at once.
    browser.request(BrowseRequest::Mkdir("after".into()));
    let (_, result) = results.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(matches!(result, BrowseResult::Done), "{result:?}");
}

#[test]
fn an_idle_browse_session_is_kept_alive_and_one_the_server_closed_is_replaced() {
    use ferry::transfer::{BrowseRequest, BrowseResult, Browser};
    let server = TestServer::start(ServerConfig::default());
    std::fs::write(server.root().join("a.txt"), b"a").unwrap();
    let (mut browser, results) =
        Browser::start_with_keepalive(connector(&server), Duration::from_millis(150));
    let list = |browser: &mut Browser| {
        browser.request(BrowseRequest::List(String::new()));
        let (_, result) = results.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(matches!(result, BrowseResult::Listing { .. }), "{result:?}");
    };
    list(&mut browser);
    let count = |verb: &str| {
        server
            .commands()
            .iter()
            .filter(|c| c.starts_with(verb))
            .count()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while count("NOOP") < 2 {
        assert!(std::time::Instant::now() < deadline, "no keep-alive NOOPs");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(count("USER"), 1, "kept alive: still the first session");
    // The server ends the idle session at the next keep-alive: the next listing logs in again.
    server.inject_reply(
        "NOOP",
        b"421 Idle timeout, closing control connection.\r\n".to_vec(),
    );
    let noops = count("NOOP");
    while count("NOOP") == noops {
        assert!(std::time::Instant::now() < deadline, "no keep-alive NOOP");
        std::thread::sleep(Duration::from_millis(50));
    }
    list(&mut browser);
    assert_eq!(count("USER"), 2, "a fresh session for the next request");
}

#[test]
fn host_is_sent_before_user_when_the_server_has_it_and_never_for_an_address() {
    let server = TestServer::start(ServerConfig {
        host_command: true,
        ..ServerConfig::default()
    });
    let configs = tls::client_configs(&TlsOptions {
        extra_ca_file: Some(server.ca_pem_path().to_owned()),
        ..TlsOptions::default()
    })
    .unwrap();
    for (host, sends) in [("localhost", true), ("127.0.0.1", false)] {
        let before = server.commands().len();
        let options = ConnectOptions::new(
            host,
            server.port(),
            Security::ExplicitTls,
            Some(configs.preferred.clone()),
        );
        let mut s = Session::connect(options).unwrap();
        s.login(&Credentials::new("alice", "s3cret")).unwrap();
        s.list(None).unwrap();
        let commands: Vec<String> = server.commands()[before..].to_vec();
        let at = |verb: &str| commands.iter().position(|c| c.starts_with(verb));
        match (sends, at("HOST"), at("USER")) {
            (true, Some(h), Some(u)) => {
                assert!(h < u, "{commands:?}");
                assert_eq!(commands[h], "HOST localhost");
            }
            (false, None, Some(_)) => {}
            _ => panic!("{host}: {commands:?}"),
        }
        let _ = s.quit();
    }
}

#[test]
fn idle_workers_keep_their_sessions_alive_and_reconnect_when_the_server_dropped_one() {
    let server = TestServer::start(ServerConfig::default());
    std::fs::write(server.root().join("a.txt"), b"first").unwrap();
    std::fs::write(server.root().join("b.txt"), b"second").unwrap();
    let local = tempfile::tempdir().unwrap();
    let mut config = EngineConfig::new(connector(&server));
    config.workers = 1;
    config.keepalive = Duration::from_millis(200);
    let mut engine = Engine::start(config);
    let events = engine.take_events().unwrap();
    engine.send(Command::Add {
        label: "a".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: vec![download_item(&server, "a.txt", &local.path().join("a.txt"))],
    });
    run_to_idle(&engine, &events);
    let noops = |server: &TestServer| server.commands().iter().filter(|c| *c == "NOOP").count();
    // Idle: a NOOP about every 200 ms, on the same session (no new login).
    let logins = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("USER"))
        .count();
    std::thread::sleep(Duration::from_millis(900));
    assert!(noops(&server) >= 2, "{:?}", server.commands());
    assert_eq!(
        server
            .commands()
            .iter()
            .filter(|c| c.starts_with("USER"))
            .count(),
        logins,
        "keep-alive must not log in again"
    );
    // The server drops the idle session: the failed NOOP forgets it, and the next item
    // connects again and completes.
    server.inject_reply("NOOP", b"421 Timeout.\r\n".to_vec());
    std::thread::sleep(Duration::from_millis(500));
    engine.send(Command::Add {
        label: "b".into(),
        on_exists: FileExistsPolicy::Overwrite,
        items: vec![download_item(&server, "b.txt", &local.path().join("b.txt"))],
    });
    run_to_idle(&engine, &events);
    assert_eq!(
        std::fs::read(local.path().join("b.txt")).unwrap(),
        b"second"
    );
    assert!(
        engine.items().iter().all(|i| i.state == ItemState::Done),
        "{:?}",
        engine.items()
    );
    assert!(
        server
            .commands()
            .iter()
            .filter(|c| c.starts_with("USER"))
            .count()
            > logins,
        "a fresh session after the dropped one"
    );
}

#[test]
fn a_synchronize_comparison_stops_when_asked_and_keeps_its_session() {
    use ferry::transfer::find::StopFlag;
    use ferry::transfer::sync::{SyncDirection, SyncOptions};
    use ferry::transfer::{BrowseRequest, BrowseResult, Browser};
    let server = TestServer::start(ServerConfig::default());
    for i in 0..400 {
        let dir = server.root().join(format!("d{i:03}"));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("f.txt"), b"x").unwrap();
    }
    let local = tempfile::tempdir().unwrap();
    let (mut browser, results) = Browser::start(connector(&server));
    let compare = |stop: &StopFlag| BrowseRequest::SyncPreview {
        local: local.path().to_owned(),
        remote: "/".into(),
        options: SyncOptions::new(SyncDirection::Download),
        stop: stop.clone(),
    };
    // Stopped while it walks 400 folders (a listing each): it ends early with Cancelled.
    let stop = StopFlag::default();
    let id = browser.request(compare(&stop));
    std::thread::sleep(Duration::from_millis(100));
    stop.stop();
    // Walk progress comes before the answer.
    let answer = |wait: u64| loop {
        let next = results.recv_timeout(Duration::from_secs(wait)).unwrap();
        if !matches!(next.1, BrowseResult::Walking(_)) {
            break next;
        }
    };
    let (got, result) = answer(30);
    assert_eq!(got, id);
    assert!(
        matches!(
            result,
            BrowseResult::Failed(ferry::ftp::FtpError::Cancelled)
        ),
        "{result:?}"
    );
    let listings = |server: &TestServer| {
        server
            .commands()
            .iter()
            .filter(|c| c.starts_with("MLSD") || c.starts_with("LIST"))
            .count()
    };
    assert!(
        listings(&server) < 400,
        "stopped early ({})",
        listings(&server)
    );
    // The same session goes on (no second login), and a comparison left to run finds all.
    let id = browser.request(compare(&StopFlag::default()));
    let (got, result) = answer(60);
    assert_eq!(got, id);
    let BrowseResult::SyncPreview(preview) = result else {
        panic!("{result:?}")
    };
    assert_eq!(
        preview.changes(),
        800,
        "400 folders and their files to download"
    );
    let logins = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("USER"))
        .count();
    assert_eq!(logins, 1, "the stopped comparison kept its session");
}
