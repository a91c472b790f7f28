//! Walks of folder trees against the in-process server's hostile behaviours (issue #25): folders
//! the server cannot open (vsftpd's silent `226`, ProFTPD's and pure-ftpd's 550 and empty
//! LIST), symbolic links that lead out of the tree or back into it, trees that never end,
//! names that are not one path component. Each one once cost a wrong file, a wrong deletion
//! or unbounded memory.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ferry::ftp::{ConnectOptions, Credentials, Security, Session};
use ferry::tls::{self, TlsOptions};
use ferry::transfer::walk::{Walk, WalkError, WalkLimit, WalkLimits, WalkProgress};
use support::server::{ServerConfig, TestServer, Unreadable};

/// Runs `ferry`, killed after `limit` (a walk that never ends must fail the test, not hang
/// it). With `unprivileged`, root's right to read any folder is dropped first (`setpriv`),
/// so that a mode-000 folder is unreadable to it as to anyone.
fn ferry_within(args: &[&str], limit: Duration, unprivileged: bool) -> Output {
    let config = tempfile::tempdir().unwrap();
    let mut command = if unprivileged {
        let mut c = Command::new("setpriv");
        c.args(["--bounding-set=-dac_override,-dac_read_search"])
            .arg(env!("CARGO_BIN_EXE_ferry"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_ferry"))
    };
    let mut child = command
        .args(args)
        .env("FERRY_CONFIG_DIR", config.path())
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ferry");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "ferry {args:?} still ran after {limit:?}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn ferry(args: &[&str]) -> Output {
    ferry_within(args, Duration::from_secs(60), false)
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn url(server: &TestServer, path: &str) -> String {
    format!("ftp://alice:s3cret@127.0.0.1:{}/{path}", server.port())
}

fn get_r(server: &TestServer, path: &str, dest: &Path, extra: &[&str]) -> Output {
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    let url = url(server, path);
    let mut args = vec!["get", "-r", "--retries", "0", "--ca-file", &ca];
    args.extend_from_slice(extra);
    args.push(&url);
    args.push(dest.to_str().unwrap());
    ferry(&args)
}

fn sync(server: &TestServer, local: &Path, path: &str, extra: &[&str]) -> Output {
    sync_as(server, local, path, extra, false)
}

fn sync_as(
    server: &TestServer,
    local: &Path,
    path: &str,
    extra: &[&str],
    unprivileged: bool,
) -> Output {
    let ca = server.ca_pem_path().to_str().unwrap().to_owned();
    let url = url(server, path);
    let mut args = vec!["sync", "--retries", "0", "--ca-file", &ca];
    args.extend_from_slice(extra);
    args.push(local.to_str().unwrap());
    args.push(&url);
    ferry_within(&args, Duration::from_secs(60), unprivileged)
}

fn write(root: &Path, rel: &str, body: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}

fn session(server: &TestServer) -> Session {
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
    let mut s = Session::connect(options).unwrap();
    s.login(&Credentials::new("alice", "s3cret")).unwrap();
    s
}

/// `site/ok/a.txt` readable, `site/locked/hidden.txt` in a folder the server cannot open.
fn locked_site(server: &TestServer, how: Unreadable) {
    write(server.root(), "site/ok/a.txt", "alpha");
    write(server.root(), "site/locked/hidden.txt", "hidden");
    server.make_unreadable("site/locked", how);
}

#[test]
fn a_folder_vsftpd_cannot_open_is_a_failed_item_never_an_empty_one() {
    // vsftpd: LIST only; `LIST site/locked` lists the entry `locked` itself (hence the bogus
    // `locked/locked/`), `LIST site/locked/` says "226 Transfer done (but failed to open
    // directory)." with no data.
    let server = TestServer::start(ServerConfig {
        disable_mlsd: true,
        ..ServerConfig::default()
    });
    locked_site(&server, Unreadable::Vsftpd);
    let dest = tempfile::tempdir().unwrap();
    let down = dest.path().join("down");
    let out = get_r(&server, "site", &down, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(9), "{}", text(&out));
    assert_eq!(std::fs::read(down.join("ok/a.txt")).unwrap(), b"alpha");
    assert!(!down.join("locked/locked").exists(), "{}", text(&out));
    assert!(
        stderr.contains("cannot list locked/") && stderr.contains("failed to open directory"),
        "{stderr}"
    );

    // The same folder in a synchronisation that deletes: what it holds here stays.
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "locked/precious.txt", "precious");
    let out = sync(
        &server,
        local.path(),
        "site",
        &["--direction", "download", "--delete"],
    );
    assert_eq!(out.status.code(), Some(9), "{}", text(&out));
    assert_eq!(
        std::fs::read(local.path().join("locked/precious.txt")).unwrap(),
        b"precious",
        "{}",
        text(&out)
    );
    assert!(!local.path().join("locked/locked").exists());
    assert_eq!(
        std::fs::read(local.path().join("ok/a.txt")).unwrap(),
        b"alpha"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("locked"), "{}", text(&out));
}

#[test]
fn one_unreadable_folder_fails_alone_and_the_rest_is_transferred() {
    // ProFTPD's and pure-ftpd's MLSD: 550 for the folder. Their LIST: nothing and a plain
    // 226, which CWD (refused) shows up.
    for (how, mlsd) in [(Unreadable::Refused, true), (Unreadable::Silent, false)] {
        let server = TestServer::start(ServerConfig {
            disable_mlsd: !mlsd,
            ..ServerConfig::default()
        });
        locked_site(&server, how);
        let dest = tempfile::tempdir().unwrap();
        let down = dest.path().join("down");
        let out = get_r(&server, "site", &down, &[]);
        assert_eq!(out.status.code(), Some(9), "{how:?}: {}", text(&out));
        assert_eq!(std::fs::read(down.join("ok/a.txt")).unwrap(), b"alpha");
        assert!(!down.join("locked").exists(), "{how:?}: no folder for it");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("cannot list locked/"),
            "{how:?}: {}",
            text(&out)
        );

        let local = tempfile::tempdir().unwrap();
        write(local.path(), "locked/precious.txt", "precious");
        write(local.path(), "gone.txt", "not on the server");
        let out = sync(
            &server,
            local.path(),
            "site",
            &["--direction", "download", "--delete"],
        );
        assert_eq!(out.status.code(), Some(9), "{how:?}: {}", text(&out));
        assert!(local.path().join("locked/precious.txt").exists(), "{how:?}");
        assert!(
            !local.path().join("gone.txt").exists(),
            "{how:?}: the rest is synchronised: {}",
            text(&out)
        );
        assert!(local.path().join("ok/a.txt").exists(), "{how:?}");
    }
}

#[test]
fn a_window_plan_names_the_folder_it_could_not_list_and_reports_progress() {
    use ferry::transfer::{BrowseRequest, BrowseResult, Browser};
    use std::sync::Arc;
    let server = TestServer::start(ServerConfig::default());
    locked_site(&server, Unreadable::Refused);
    for i in 0..12 {
        write(server.root(), &format!("site/many/d{i}/f.txt"), "x");
    }
    // Slow listings: the walk takes long enough to report how far it got.
    server.set_throttle(Some(4_000));
    let port = server.port();
    let ca = server.ca_pem_path().to_owned();
    let connector: ferry::transfer::Connector = Arc::new(move || {
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
    });
    let (mut browser, results) = Browser::start(connector);
    let local = tempfile::tempdir().unwrap();
    let id = browser.request(BrowseRequest::PlanDownload {
        remote: "site".into(),
        local: local.path().join("site"),
    });
    let mut walking = Vec::new();
    let plan = loop {
        let (got, result) = results.recv_timeout(Duration::from_secs(60)).unwrap();
        assert_eq!(got, id);
        match result {
            BrowseResult::Walking(progress) => walking.push(progress),
            BrowseResult::Planned(plan) => break plan,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(plan.failed.len(), 1, "{:?}", plan.failed);
    assert!(plan.failed[0].starts_with("locked/: "), "{:?}", plan.failed);
    assert_eq!(plan.items.len(), 13, "ok/a.txt and many/*/f.txt");
    assert!(!walking.is_empty(), "no progress while planning");
    assert!(walking.windows(2).all(|w| w[0].folders <= w[1].folders));
}

/// Makes `dir` unreadable to everyone but root; returns whether `ferry` must drop root's
/// privileges to find it so, or None when that cannot be done here (no `setpriv`).
fn unreadable_local(dir: &Path) -> Option<bool> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(dir).is_err() {
        return Some(false);
    }
    let has_setpriv = Command::new("setpriv")
        .args(["--bounding-set=-dac_override,-dac_read_search", "true"])
        .status()
        .is_ok_and(|s| s.success());
    has_setpriv.then_some(true)
}

#[test]
fn an_unreadable_local_folder_makes_nothing_on_the_server_look_deletable() {
    let server = TestServer::start(ServerConfig::default());
    write(server.root(), "site/mine/keep.txt", "theirs");
    write(server.root(), "site/old.txt", "old");
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "a.txt", "alpha");
    write(local.path(), "mine/keep.txt", "ours");
    let Some(unprivileged) = unreadable_local(&local.path().join("mine")) else {
        eprintln!("skipped: running as root without setpriv, no folder is unreadable");
        return;
    };
    let out = sync_as(
        &server,
        local.path(),
        "site",
        &["--direction", "upload", "--delete"],
        unprivileged,
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        local.path().join("mine"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    assert_eq!(out.status.code(), Some(9), "{}", text(&out));
    assert_eq!(
        std::fs::read(server.root().join("site/mine/keep.txt")).unwrap(),
        b"theirs",
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read(server.root().join("site/a.txt")).unwrap(),
        b"alpha"
    );
    assert!(
        !server.root().join("site/old.txt").exists(),
        "{}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot list here: mine/"),
        "{}",
        text(&out)
    );
}

/// On the server: `site/keep.txt`, `site/shared -> ../outside` (a folder outside the tree
/// with `t1.txt`, `deep/t2.txt`), `site/flink -> keep.txt`, `site/loop -> .`.
fn linked_site(server: &TestServer) {
    use std::os::unix::fs::symlink;
    let root = server.root();
    write(root, "site/keep.txt", "keep\n");
    write(root, "outside/t1.txt", "secret1");
    write(root, "outside/deep/t2.txt", "secret22");
    symlink("../outside", root.join("site/shared")).unwrap();
    symlink("keep.txt", root.join("site/flink")).unwrap();
    symlink(".", root.join("site/loop")).unwrap();
}

#[test]
fn followed_links_take_their_targets_and_a_loop_is_seen_as_one() {
    // LIST shows links as links (vsftpd); MLSD on this server would show their targets.
    let server = TestServer::start(ServerConfig {
        disable_mlsd: true,
        ..ServerConfig::default()
    });
    linked_site(&server);
    let dest = tempfile::tempdir().unwrap();
    let down = dest.path().join("down");
    let out = get_r(&server, "site", &down, &["--follow-symlinks"]);
    assert!(out.status.success(), "{}", text(&out));
    // The link's LIST size is the length of "keep.txt" (8); the file has 5 bytes.
    assert_eq!(std::fs::read(down.join("flink")).unwrap(), b"keep\n");
    assert_eq!(
        std::fs::read(down.join("shared/t1.txt")).unwrap(),
        b"secret1"
    );
    assert_eq!(
        std::fs::read(down.join("shared/deep/t2.txt")).unwrap(),
        b"secret22"
    );
    assert!(!down.join("loop").exists(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("loop: a link back to a folder above it"),
        "{}",
        text(&out)
    );
    assert!(support::partials(&down).is_empty());
}

#[test]
fn deleting_never_follows_a_link_out_of_the_tree() {
    let server = TestServer::start(ServerConfig {
        disable_mlsd: true,
        ..ServerConfig::default()
    });
    linked_site(&server);
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "keep.txt", "keep\n");
    let args = ["--delete", "--follow-symlinks", "--size-only"];
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let out = sync(&server, local.path(), "site", &dry);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        vec!["delete remote flink", "delete remote shared"],
        "the links themselves: {}",
        text(&out)
    );

    let out = sync(&server, local.path(), "site", &args);
    assert!(out.status.success(), "{}", text(&out));
    let root = server.root();
    for kept in ["outside/t1.txt", "outside/deep/t2.txt", "site/keep.txt"] {
        assert!(root.join(kept).is_file(), "{kept}: {}", text(&out));
    }
    for gone in ["site/shared", "site/flink"] {
        assert!(
            std::fs::symlink_metadata(root.join(gone)).is_err(),
            "{gone}: {}",
            text(&out)
        );
    }
    assert!(std::fs::symlink_metadata(root.join("site/loop")).is_ok());
}

#[test]
fn the_window_deletes_a_link_to_a_folder_as_a_link() {
    let server = TestServer::start(ServerConfig {
        disable_mlsd: true,
        ..ServerConfig::default()
    });
    linked_site(&server);
    let mut s = session(&server);
    ferry::transfer::walk::delete_remote_tree(&mut s, "site/shared").unwrap();
    assert!(std::fs::symlink_metadata(server.root().join("site/shared")).is_err());
    assert!(server.root().join("outside/t1.txt").is_file());
    assert!(server.root().join("outside/deep/t2.txt").is_file());
}

#[test]
fn a_tree_that_never_ends_ends_the_walk_with_a_clear_error() {
    let server = TestServer::start(ServerConfig::default());
    server.make_endless("deep");
    let dest = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = ferry_within(
        &[
            "get",
            "-r",
            "--ca-file",
            server.ca_pem_path().to_str().unwrap(),
            &url(&server, "deep"),
            dest.path().join("down").to_str().unwrap(),
        ],
        Duration::from_secs(60),
        false,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("too big to transfer at once"), "{stderr}");
    assert!(stderr.contains("a loop"), "{stderr}");
    let listings = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("MLSD"))
        .count();
    assert!(listings < 50, "{listings} listings");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn every_cap_is_a_typed_error_and_progress_comes_per_folder() {
    let server = TestServer::start(ServerConfig::default());
    for i in 0..6 {
        write(server.root(), &format!("tree/d{i}/sub/f{i}.txt"), "x");
    }
    let mut s = session(&server);
    let cap =
        |limits: WalkLimits, s: &mut Session| match Walk::new().limits(limits).remote(s, "tree") {
            Err(WalkError::TooBig { limit, .. }) => limit,
            other => panic!("{other:?}"),
        };
    let small = |f: fn(&mut WalkLimits)| {
        let mut limits = WalkLimits::default();
        f(&mut limits);
        limits
    };
    assert_eq!(
        cap(small(|l| l.max_folders = 5), &mut s),
        WalkLimit::Folders(5)
    );
    assert_eq!(
        cap(small(|l| l.max_entries = 3), &mut s),
        WalkLimit::Entries(3)
    );
    assert_eq!(cap(small(|l| l.max_depth = 1), &mut s), WalkLimit::Depth(1));
    assert_eq!(
        cap(small(|l| l.max_bytes = 500), &mut s),
        WalkLimit::Memory(500)
    );
    let mut seen: Vec<WalkProgress> = Vec::new();
    let mut report = |p| seen.push(p);
    let tree = Walk::new()
        .reporting(&mut report)
        .remote(&mut s, "tree")
        .unwrap();
    assert_eq!(tree.files.len(), 6);
    assert_eq!(seen.len(), 13, "the root, d0..d5, their sub/: {seen:?}");
    assert_eq!(
        seen.last(),
        Some(&WalkProgress {
            folders: 13,
            files: 6
        })
    );
    assert!(tree.bytes() > 0 && tree.bytes() < 4096, "{}", tree.bytes());

    server.make_endless("endless");
    let limit = match Walk::new().remote(&mut s, "endless") {
        Err(WalkError::TooBig { limit, at }) => {
            assert!(at.starts_with("endless/b/b/b"), "{at}");
            limit
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(limit, WalkLimit::RepeatedListing(8));
}

#[test]
fn listed_names_that_are_not_one_component_are_never_asked_for_and_a_twice_listed_name_counts_once()
{
    let server = TestServer::start(ServerConfig::default());
    write(server.root(), "d/ok.txt", "payload");
    write(server.root(), "updir/secret.txt", "secret");
    let body = [
        "type=cdir;modify=20240101000000; .",
        "type=dir;modify=20240101000000; ../updir",
        "type=dir;modify=20240101000000; sub/../../updir",
        "type=file;size=7;modify=20240101000000; ok.txt",
        "type=file;size=7;modify=20240101000000; ok.txt",
    ]
    .map(|line| format!("{line}\r\n"))
    .concat();
    server.fake_next_listing(body.into_bytes());
    let dest = tempfile::tempdir().unwrap();
    let out = get_r(&server, "d", &dest.path().join("d"), &[]);
    assert!(out.status.success(), "{}", text(&out));
    let listings: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("MLSD") || c.starts_with("LIST"))
        .collect();
    assert_eq!(
        listings,
        vec!["MLSD d"],
        "only the folder itself was listed"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("1 transferred"), "{stderr}");
    assert!(
        stderr.contains("../updir: the name contains `/`"),
        "{stderr}"
    );
    assert!(stderr.contains("ok.txt: listed twice"), "{stderr}");
    assert_eq!(
        std::fs::read(dest.path().join("d/ok.txt")).unwrap(),
        b"payload"
    );
}

#[test]
fn a_link_that_can_be_neither_entered_nor_sized_is_a_failed_folder_not_a_file() {
    // site/closed -> ../hidden, a folder the server will not let us into; SIZE of a folder
    // fails. Taken for a file, it made the local closed/ look "only local" and deleted it.
    let server = TestServer::start(ServerConfig {
        disable_mlsd: true,
        ..ServerConfig::default()
    });
    write(server.root(), "site/keep.txt", "keep\n");
    write(server.root(), "hidden/x.txt", "x");
    std::os::unix::fs::symlink("../hidden", server.root().join("site/closed")).unwrap();
    server.make_unreadable("site/closed", Unreadable::Refused);
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "keep.txt", "keep\n");
    write(local.path(), "closed/mine.txt", "mine");
    let out = sync(
        &server,
        local.path(),
        "site",
        &["--direction", "download", "--delete", "--follow-symlinks"],
    );
    assert_eq!(out.status.code(), Some(9), "{}", text(&out));
    assert_eq!(
        std::fs::read(local.path().join("closed/mine.txt")).unwrap(),
        b"mine"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot list on the server: closed/"),
        "{}",
        text(&out)
    );
}

/// A server whose listing of `d` names `../updir` (or, with `twice`, `f.txt` twice, and a link
/// and a device beside it).
fn hostile_folder(server: &TestServer, twice: bool) {
    write(server.root(), "d/f.txt", "payload");
    write(server.root(), "updir/secret.txt", "secret");
    let lines: &[&str] = if twice {
        &[
            "-rw-r--r-- 1 ftp ftp 7 Jan 01 2024 f.txt",
            "-rw-r--r-- 1 ftp ftp 7 Jan 01 2024 f.txt",
            "lrwxrwxrwx 1 ftp ftp 5 Jan 01 2024 ln -> f.txt",
            "prw-r--r-- 1 ftp ftp 0 Jan 01 2024 fifo",
        ]
    } else {
        &[
            "-rw-r--r-- 1 ftp ftp 7 Jan 01 2024 f.txt",
            "drwxr-xr-x 2 ftp ftp 4096 Jan 01 2024 ../updir",
        ]
    };
    let body = lines.iter().map(|l| format!("{l}\r\n")).collect::<String>();
    server.fake_listing_of("d", body.into_bytes());
}

#[test]
fn deleting_a_folder_that_lists_an_unusable_name_deletes_nothing() {
    let server = TestServer::start(ServerConfig {
        disable_mlsd: true,
        ..ServerConfig::default()
    });
    hostile_folder(&server, false);
    let mut s = session(&server);
    let err = ferry::transfer::walk::delete_remote_tree(&mut s, "d").unwrap_err();
    assert!(err.to_string().contains("Nothing was deleted"), "{err}");
    assert!(server.root().join("d/f.txt").is_file());
    assert!(server.root().join("updir/secret.txt").is_file());
    let changes: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("DELE") || c.starts_with("RMD"))
        .collect();
    assert!(changes.is_empty(), "{changes:?}");
}

#[test]
fn deleting_a_folder_deletes_each_listed_name_once_links_and_devices_as_names() {
    let server = TestServer::start(ServerConfig {
        disable_mlsd: true,
        ..ServerConfig::default()
    });
    hostile_folder(&server, true);
    std::os::unix::fs::symlink("f.txt", server.root().join("d/ln")).unwrap();
    write(server.root(), "d/fifo", "");
    let mut s = session(&server);
    ferry::transfer::walk::delete_remote_tree(&mut s, "d").unwrap();
    assert!(!server.root().join("d").exists());
    let mut changes: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("DELE") || c.starts_with("RMD"))
        .collect();
    changes.sort();
    assert_eq!(
        changes,
        vec!["DELE d/f.txt", "DELE d/fifo", "DELE d/ln", "RMD d"]
    );
}
