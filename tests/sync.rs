//! `ferry sync` against the test server: real TLS, real files on both sides (the server serves
//! a folder on this disk, so the "remote" side is changed and checked there directly).
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, UNIX_EPOCH};

use support::digests;
use support::server::{ServerConfig, TestServer};

const T: u64 = 1_700_000_000;

fn ferry(args: &[&str]) -> Output {
    let config = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .env("FERRY_CONFIG_DIR", config.path())
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run ferry")
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Writes `body` to `root/rel` with modification time `T + age`.
fn put(root: &Path, rel: &str, body: &str, age: u64) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, body).unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(UNIX_EPOCH + Duration::from_secs(T + age))
        .unwrap();
}

/// The same tree on both sides, then changes on each: added, changed and deleted files.
fn diverged(local: &Path, remote: &Path) {
    for root in [local, remote] {
        for (rel, body) in [
            ("a.txt", "alpha"),
            ("b.txt", "bravo"),
            ("dir/c.txt", "charlie"),
            ("dir/d.txt", "delta"),
            ("old/e.txt", "echo"),
        ] {
            put(root, rel, body, 0);
        }
    }
    put(local, "a.txt", "alpha, edited here", 100);
    std::fs::remove_file(local.join("b.txt")).unwrap();
    put(local, "new/here.txt", "made here", 50);
    put(remote, "dir/c.txt", "charlie, edited there", 200);
    std::fs::remove_file(remote.join("dir/d.txt")).unwrap();
    std::fs::remove_dir_all(remote.join("old")).unwrap();
    put(remote, "there.txt", "made there", 60);
    put(remote, "extra/deep/x.txt", "only there", 70);
}

fn sync(server: &TestServer, local: &Path, args: &[&str]) -> Output {
    let url = format!("ftp://alice:s3cret@127.0.0.1:{}/site/", server.port());
    let mut all = vec!["sync", "--ca-file", server.ca_pem_path().to_str().unwrap()];
    all.extend_from_slice(args);
    all.push(local.to_str().unwrap());
    all.push(&url);
    ferry(&all)
}

fn lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn an_upload_mirror_lists_exactly_the_differences_then_makes_the_server_equal() {
    // LIST, not MLSD: times come from MDTM, and links are listed as links.
    let server = TestServer::start(ServerConfig {
        mfmt: true,
        disable_mlsd: true,
        ..ServerConfig::default()
    });
    let local = tempfile::tempdir().unwrap();
    let remote = server.root().join("site");
    diverged(local.path(), &remote);
    // A link in a folder that only the server has: deleting the folder must delete it too.
    #[cfg(unix)]
    std::os::unix::fs::symlink("deep/x.txt", remote.join("extra/link")).unwrap();

    let dry = sync(&server, local.path(), &["--delete", "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert_eq!(
        lines(&dry),
        vec![
            "mkdir remote  new/",
            "mkdir remote  old/",
            "upload        a.txt (newer here)",
            "upload        dir/c.txt (newer on the server)",
            "upload        dir/d.txt (only here)",
            "upload        new/here.txt (only here)",
            "upload        old/e.txt (only here)",
            "delete remote b.txt",
            "delete remote there.txt",
            "delete remote extra/",
        ],
        "{}",
        text(&dry)
    );
    let before = digests(&remote);
    assert!(
        before.contains_key("there.txt"),
        "the dry run changed nothing"
    );

    let real = sync(&server, local.path(), &["--delete"]);
    assert!(real.status.success(), "{}", text(&real));
    assert_eq!(digests(&remote), digests(local.path()));
    assert!(!remote.join("extra").exists());

    // A second run finds nothing: the uploads kept their modification times (MFMT).
    let again = sync(&server, local.path(), &["--delete"]);
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(lines(&again), Vec::<String>::new(), "{}", text(&again));
    assert!(text(&again).contains("Already in sync"), "{}", text(&again));
}

#[test]
fn a_download_mirror_makes_the_local_folder_equal_and_a_second_run_does_nothing() {
    let server = TestServer::start(ServerConfig::default());
    let local = tempfile::tempdir().unwrap();
    let remote = server.root().join("site");
    diverged(local.path(), &remote);

    let dry = sync(
        &server,
        local.path(),
        &["--direction", "download", "--delete", "-n"],
    );
    assert_eq!(
        lines(&dry),
        vec![
            "mkdir local   extra/",
            "mkdir local   extra/deep/",
            "download      a.txt (newer here)",
            "download      dir/c.txt (newer on the server)",
            "download      b.txt (only on the server)",
            "download      extra/deep/x.txt (only on the server)",
            "download      there.txt (only on the server)",
            "delete local  dir/d.txt",
            "delete local  new/",
            "delete local  old/",
        ],
        "{}",
        text(&dry)
    );
    let real = sync(
        &server,
        local.path(),
        &["--direction", "download", "--delete"],
    );
    assert!(real.status.success(), "{}", text(&real));
    assert_eq!(digests(local.path()), digests(&remote));
    let again = sync(
        &server,
        local.path(),
        &["--direction", "download", "--delete", "-n"],
    );
    assert_eq!(lines(&again), Vec::<String>::new(), "{}", text(&again));
}

/// A download into a folder that does not exist yet makes it (as an upload makes the remote
/// one); a dry run makes nothing, and no other direction makes a local folder.
#[test]
fn a_download_into_a_missing_folder_makes_it_and_a_dry_run_does_not() {
    let server = TestServer::start(ServerConfig::default());
    let remote = server.root().join("site");
    put(&remote, "a.txt", "alpha", 0);
    put(&remote, "dir/b.txt", "bravo", 0);
    let parent = tempfile::tempdir().unwrap();
    let local = parent.path().join("first copy");

    let dry = sync(&server, &local, &["--direction", "download", "--dry-run"]);
    assert!(!dry.status.success(), "{}", text(&dry));
    assert!(!local.exists(), "a dry run made the folder");
    let up = sync(&server, &local, &["--direction", "upload"]);
    assert_eq!(up.status.code(), Some(8), "{}", text(&up));
    assert!(!local.exists(), "an upload made the local folder");

    let out = sync(&server, &local, &["--direction", "download"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(digests(&local), digests(&remote));
}

#[test]
fn both_ways_copies_new_and_newer_files_each_way_and_deletes_nothing() {
    let server = TestServer::start(ServerConfig {
        mfmt: true,
        ..ServerConfig::default()
    });
    let local = tempfile::tempdir().unwrap();
    let remote = server.root().join("site");
    diverged(local.path(), &remote);
    let real = sync(&server, local.path(), &["--direction", "both"]);
    assert!(real.status.success(), "{}", text(&real));
    let (ours, theirs) = (digests(local.path()), digests(&remote));
    assert_eq!(ours, theirs);
    // The union, with the newer edit of each side.
    for rel in [
        "a.txt",
        "b.txt",
        "dir/c.txt",
        "dir/d.txt",
        "old/e.txt",
        "new/here.txt",
    ] {
        assert!(ours.contains_key(rel), "{rel}: {ours:?}");
    }
    assert_eq!(
        std::fs::read_to_string(local.path().join("dir/c.txt")).unwrap(),
        "charlie, edited there"
    );
    assert_eq!(
        std::fs::read_to_string(remote.join("a.txt")).unwrap(),
        "alpha, edited here"
    );
    let again = sync(&server, local.path(), &["--direction", "both", "-n"]);
    assert_eq!(lines(&again), Vec::<String>::new(), "{}", text(&again));
    // Deleting both ways is refused: a file missing on one side may be new on the other.
    let refused = sync(&server, local.path(), &["--direction", "both", "--delete"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
}

#[test]
fn checksums_find_a_change_that_size_and_time_miss_and_leave_a_merely_touched_file_alone() {
    let server = TestServer::start(ServerConfig {
        checksums: true,
        mfmt: true,
        ..ServerConfig::default()
    });
    let local = tempfile::tempdir().unwrap();
    let remote = server.root().join("site");
    // Same size and time, other bytes (a tool that keeps times, a clock that lied).
    put(local.path(), "same-looking.txt", "abcd", 0);
    put(&remote, "same-looking.txt", "wxyz", 0);
    // Same bytes, a newer time here (touched, or copied without its time).
    put(local.path(), "touched.txt", "same", 500);
    put(&remote, "touched.txt", "same", 0);

    let by_time = sync(&server, local.path(), &["--dry-run"]);
    assert!(by_time.status.success(), "{}", text(&by_time));
    assert_eq!(
        lines(&by_time),
        vec!["upload        touched.txt (newer here)"]
    );

    let by_content = sync(&server, local.path(), &["--dry-run", "--checksum"]);
    assert!(by_content.status.success(), "{}", text(&by_content));
    assert_eq!(
        lines(&by_content),
        vec!["upload        same-looking.txt (different content)"],
        "{}",
        text(&by_content)
    );
    let real = sync(&server, local.path(), &["--checksum"]);
    assert!(real.status.success(), "{}", text(&real));
    assert_eq!(
        std::fs::read(remote.join("same-looking.txt")).unwrap(),
        b"abcd"
    );

    // A server without checksums: said once, and the comparison falls back to size and time.
    let plain = TestServer::start(ServerConfig::default());
    let there = plain.root().join("site");
    put(&there, "touched.txt", "same", 0);
    let fallback = sync(&plain, local.path(), &["--dry-run", "--checksum"]);
    assert!(fallback.status.success(), "{}", text(&fallback));
    assert!(
        text(&fallback).contains("offers no checksum command"),
        "{}",
        text(&fallback)
    );
    assert!(lines(&fallback).contains(&"upload        touched.txt (newer here)".to_owned()));
}
