//! Ferry's own files when they are huge, garbage or corrupt (issue #25): each kind is read no
//! further than its cap, with bounded memory, refused with an error that names the file, its
//! size and the cap, and left exactly as it was; and a plain FTP session never reads the pin
//! file at all.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferry::transfer::{Connector, Engine, EngineConfig, Event};
use support::ok;
use support::server::{ServerConfig, TestServer, TlsMode};

/// Memory a refused file may cost the `ferry` process at its peak, all of it: the binary, its
/// libraries and allocator, the few MiB read of a capped file. Without the caps a 300 MB file
/// costs at least 300 MB.
const PEAK_KIB: u64 = 64 * 1024;

/// The process exit code for a local failure (a file Ferry cannot use).
const EXIT_LOCAL: i32 = 8;

/// A run of `ferry` and what it cost.
struct Run {
    out: Output,
    /// Peak resident memory in KiB (GNU time's `%M`), or the highest `VmHWM` seen while it ran
    /// when there is no GNU time (a lower bound, sampled every millisecond).
    peak_kib: u64,
    took: Duration,
}

/// Runs `ferry args` with `config` as its configuration folder and no keychain, measuring its
/// peak memory and time.
fn ferry_measured(config: &Path, args: &[&str]) -> Run {
    let exe = env!("CARGO_BIN_EXE_ferry");
    let gnu_time = Path::new("/usr/bin/time");
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut command = if gnu_time.is_file() {
        let mut c = Command::new(gnu_time);
        c.arg("-f").arg("%M").arg("-o").arg(report.path()).arg(exe);
        c
    } else {
        Command::new(exe)
    };
    command
        .args(args)
        .env("FERRY_CONFIG_DIR", config)
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().expect("run ferry");
    let mut sampled = 0;
    if !gnu_time.is_file() {
        let status = format!("/proc/{}/status", child.id());
        while child.try_wait().unwrap().is_none() {
            if let Some(kib) = fs::read_to_string(&status).ok().and_then(|s| vm_hwm(&s)) {
                sampled = sampled.max(kib);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let out = child.wait_with_output().unwrap();
    let took = started.elapsed();
    let peak_kib = if gnu_time.is_file() {
        let text = fs::read_to_string(report.path()).unwrap();
        // The last line: GNU time puts "Command exited with non-zero status" before it.
        text.lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("GNU time said {text:?}"))
    } else {
        sampled
    };
    Run {
        out,
        peak_kib,
        took,
    }
}

fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A sparse file of `len` bytes (zeros): huge on paper, nothing on disk.
fn sparse(path: &Path, len: u64) {
    fs::File::create(path).unwrap().set_len(len).unwrap();
}

/// Checks that `run` failed as a local failure, quickly and within [`PEAK_KIB`], with a message
/// that starts with `starts` and contains each of `contains`.
fn assert_refused(run: &Run, starts: &str, contains: &[&str]) {
    let err = stderr(&run.out);
    assert_eq!(run.out.status.code(), Some(EXIT_LOCAL), "{err}");
    assert!(err.contains(starts), "{err}");
    for part in contains {
        assert!(err.contains(part), "{part:?} not in {err}");
    }
    assert!(
        err.contains("It was left as it is and will not be written over"),
        "{err}"
    );
    assert!(
        run.peak_kib < PEAK_KIB,
        "ferry used {} KiB at its peak: {err}",
        run.peak_kib
    );
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
}

#[test]
fn a_300_mb_pin_file_is_refused_at_once_and_kept() {
    let config = tempfile::tempdir().unwrap();
    let pins = config.path().join("pins.toml");
    sparse(&pins, 300 * 1024 * 1024);
    let run = ferry_measured(config.path(), &["trust", "list"]);
    assert_refused(
        &run,
        &format!(
            "the file of remembered certificates {} is too large to be one",
            pins.display()
        ),
        &[
            "300.0 MiB (314572800 bytes)",
            "Ferry reads at most 4.0 MiB (4194304 bytes)",
        ],
    );
    // Neither copied aside nor changed, also by a change that would write it.
    let run = ferry_measured(config.path(), &["trust", "rm", "ftp.example.com:21"]);
    assert_eq!(
        run.out.status.code(),
        Some(EXIT_LOCAL),
        "{}",
        stderr(&run.out)
    );
    assert_eq!(fs::metadata(&pins).unwrap().len(), 300 * 1024 * 1024);
    assert_eq!(listing(config.path()), ["pins.toml"]);
}

#[test]
fn a_pin_file_of_blank_lines_is_refused_with_bounded_memory() {
    let config = tempfile::tempdir().unwrap();
    let pins = config.path().join("pins.toml");
    // Over the cap: refused by its size.
    fs::write(&pins, vec![b'\n'; 50 * 1000 * 1000]).unwrap();
    let run = ferry_measured(config.path(), &["trust", "list"]);
    assert_refused(
        &run,
        "is too large to be one: 47.7 MiB (50000000 bytes)",
        &[],
    );
    assert_eq!(fs::metadata(&pins).unwrap().len(), 50 * 1000 * 1000);
    // Within the cap, but a token per byte: valid TOML (an empty file) that the parser would
    // need ~150 MiB for; refused by its tokens before it is parsed.
    fs::write(&pins, vec![b'\n'; 3 * 1024 * 1024]).unwrap();
    let run = ferry_measured(config.path(), &["trust", "list"]);
    assert_refused(
        &run,
        "is too large to be one: it holds more than 1048576 lines, keys and values",
        &[],
    );
    assert_eq!(fs::read(&pins).unwrap(), vec![b'\n'; 3 * 1024 * 1024]);
    assert_eq!(listing(config.path()), ["pins.toml"]);
}

/// A plain FTP server (no TLS at all) with the one test account.
fn plain_server() -> TestServer {
    TestServer::start(ServerConfig {
        tls: TlsMode::None,
        refuse_auth_tls: true,
        require_tls: false,
        require_session_reuse: false,
        ..ServerConfig::default()
    })
}

#[test]
fn plain_ftp_never_reads_the_pin_file_and_tls_still_stops_on_it() {
    let config = tempfile::tempdir().unwrap();
    let pins = config.path().join("pins.toml");
    let server = plain_server();
    fs::write(server.root().join("hello.txt"), b"hi").unwrap();
    let url = format!("ftp://alice:s3cret@127.0.0.1:{}/", server.port());

    for contents in [&b"version = 1\n[[pin]\ngarbage {{{\n"[..], &[0xff, 0xfe, 0]] {
        fs::write(&pins, contents).unwrap();
        let out = support::cli::ferry_in(config.path(), &["ls", "--plain", &url]);
        assert_eq!(ok(&out).trim(), "hello.txt");
        // Not even read: no copy kept aside.
        assert_eq!(listing(config.path()), ["pins.toml"]);
        assert_eq!(fs::read(&pins).unwrap(), contents);
    }
    sparse(&pins, 300 * 1024 * 1024);
    let run = ferry_measured(config.path(), &["ls", "--plain", &url]);
    assert_eq!(ok(&run.out).trim(), "hello.txt");
    assert!(run.peak_kib < PEAK_KIB, "{} KiB", run.peak_kib);

    // A TLS session needs the pins: it stops, before connecting, with the file's error.
    let tls = TestServer::start(ServerConfig::default());
    let tls_url = format!("ftp://alice:s3cret@127.0.0.1:{}/", tls.port());
    let ca = tls.ca_pem_path().to_str().unwrap().to_owned();
    fs::write(&pins, "version = 1\n[[pin]\ngarbage {{{\n").unwrap();
    let out = support::cli::ferry_in(config.path(), &["ls", "--ca-file", &ca, &tls_url]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(EXIT_LOCAL), "{err}");
    assert!(
        err.contains(&format!(
            "the file of remembered certificates {} is not valid",
            pins.display()
        )),
        "{err}"
    );
    assert!(tls.commands().is_empty(), "{:?}", tls.commands());
    sparse(&pins, 300 * 1024 * 1024);
    let run = ferry_measured(config.path(), &["ls", "--ca-file", &ca, &tls_url]);
    assert_refused(
        &run,
        "the file of remembered certificates",
        &["is too large to be one: 300.0 MiB"],
    );
    // Fixed, the same TLS session works.
    fs::remove_file(&pins).unwrap();
    let out = support::cli::ferry_in(config.path(), &["ls", "--ca-file", &ca, &tls_url]);
    ok(&out);
}

#[test]
fn a_site_list_over_its_cap_is_refused_and_kept() {
    let config = tempfile::tempdir().unwrap();
    let sites = config.path().join("sites.toml");
    sparse(&sites, 300 * 1024 * 1024);
    let run = ferry_measured(config.path(), &["sites", "list"]);
    assert_refused(
        &run,
        &format!("the site list {} is too large to be one", sites.display()),
        &[
            "300.0 MiB (314572800 bytes)",
            "at most 16.0 MiB (16777216 bytes)",
        ],
    );
    // A change is refused too, and writes nothing.
    let run = ferry_measured(
        config.path(),
        &["sites", "add", "Shop", "ftp://bob@shop.example/www"],
    );
    assert_eq!(
        run.out.status.code(),
        Some(EXIT_LOCAL),
        "{}",
        stderr(&run.out)
    );
    assert_eq!(fs::metadata(&sites).unwrap().len(), 300 * 1024 * 1024);

    // Within the cap but blank lines: refused by its tokens, with bounded memory.
    fs::write(&sites, vec![b'\n'; 10 * 1024 * 1024]).unwrap();
    let run = ferry_measured(config.path(), &["sites", "list"]);
    assert_refused(&run, "the site list", &["more than 4194304 lines"]);
    assert_eq!(fs::metadata(&sites).unwrap().len(), 10 * 1024 * 1024);
    let mut names = listing(config.path());
    names.retain(|n| n != "sites.toml.lock");
    assert_eq!(names, ["sites.toml"]);
}

#[test]
fn a_filezilla_file_is_read_no_further_than_its_cap() {
    let config = tempfile::tempdir().unwrap();
    let xml = config.path().join("sitemanager.xml");
    sparse(&xml, 300 * 1024 * 1024);
    let run = ferry_measured(config.path(), &["sites", "import", xml.to_str().unwrap()]);
    let err = stderr(&run.out);
    assert_eq!(run.out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "{}: the file is 314572800 bytes, larger than the 16 MiB",
            xml.display()
        )),
        "{err}"
    );
    assert!(run.peak_kib < PEAK_KIB, "{} KiB: {err}", run.peak_kib);
    assert_eq!(listing(config.path()), ["sitemanager.xml"]);
}

/// A connector for an engine that is never asked to connect.
fn no_server() -> Connector {
    Arc::new(|| {
        Err(ferry::ftp::FtpError::InvalidInput(
            "no server in this test".into(),
        ))
    })
}

/// The first log line the engine reports, within a few seconds.
fn first_log(events: &std::sync::mpsc::Receiver<Event>) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(Event::Log(line)) => return line,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("no log line from the engine")
}

#[test]
fn a_queue_file_over_its_cap_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let queue = dir.path().join("alice@127.0.0.1-21.toml");
    for (len, what) in [
        // Over the cap (128 MiB): refused by its size, without reading it.
        (300 * 1024 * 1024, "is too large to be one: 300.0 MiB"),
        // Within it, but a file of blank lines: refused by its tokens, before the parser
        // would need some 2.5 GB for it.
        (
            50 * 1000 * 1000,
            "is too large to be one: it holds more than",
        ),
    ] {
        if len > 100 * 1024 * 1024 {
            sparse(&queue, len);
        } else {
            fs::write(&queue, vec![b'\n'; usize::try_from(len).unwrap()]).unwrap();
        }
        let started = Instant::now();
        let mut config = EngineConfig::new(no_server());
        config.queue_file = Some(queue.clone());
        let mut engine = Engine::start(config);
        let events = engine.take_events().unwrap();
        let line = first_log(&events);
        assert!(
            line.starts_with(&format!("the transfer queue {}", queue.display())),
            "{line}"
        );
        assert!(line.contains(what), "{line}");
        assert!(line.contains("not saved in this session"), "{line}");
        assert!(engine.items().is_empty());
        drop(engine);
        assert!(started.elapsed() < Duration::from_secs(10));
        // Neither moved aside, nor deleted, nor written over by the queue's own saving.
        assert_eq!(fs::metadata(&queue).unwrap().len(), len);
        let mut names = listing(dir.path());
        names.retain(|n| !n.ends_with(".lock"));
        assert_eq!(names, ["alice@127.0.0.1-21.toml"]);
    }
}
