//! Certificate trust decisions against the in-process FTPS server: real TLS handshakes with
//! certificates generated here, a real pin file on disk, and the `ferry` binary on a real
//! pseudo-terminal (util-linux `script`) for the interactive question.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use ferry::ftp::{ConnectOptions, Credentials, FtpError, MemoryLog, Security, Session};
use ferry::tls::{
    self, CertProblem, Decision, PinStore, TlsConfigs, TlsOptions, Trust, TrustProblem,
};
use support::cli::ferry_on_tty;
use support::server::{Certs, LeafSpec, ServerConfig, TestServer};

/// A pin file in its own temporary directory.
struct PinDir {
    dir: tempfile::TempDir,
}

impl PinDir {
    fn new() -> PinDir {
        PinDir {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("pins.toml")
    }

    /// A fresh `Trust` read from the pin file, as a new Ferry process would.
    fn trust(&self) -> Arc<Trust> {
        Arc::new(Trust::new(Some(PinStore::load(&self.path()).unwrap())))
    }
}

fn configs(port: u16, trust: &Arc<Trust>, ca: Option<&Path>, log: &Arc<MemoryLog>) -> TlsConfigs {
    tls::client_configs(&TlsOptions {
        extra_ca_file: ca.map(Path::to_owned),
        trust: Some(trust.clone()),
        host: "127.0.0.1".into(),
        port,
        log: Some(log.clone()),
        ..TlsOptions::default()
    })
    .unwrap()
}

fn connect_with(port: u16, configs: &TlsConfigs) -> Result<Session, FtpError> {
    let mut options = ConnectOptions::new(
        "127.0.0.1",
        port,
        Security::ExplicitTls,
        Some(configs.preferred.clone()),
    );
    options.tls12_fallback = configs.tls12_fallback.clone();
    let mut session = Session::connect(options)?;
    session.login(&Credentials::new("alice", "s3cret"))?;
    Ok(session)
}

fn connect(
    server: &TestServer,
    trust: &Arc<Trust>,
    ca: Option<&Path>,
) -> Result<Session, FtpError> {
    let log = Arc::new(MemoryLog::default());
    connect_with(server.port(), &configs(server.port(), trust, ca, &log))
}

fn problem(err: &FtpError) -> TrustProblem {
    TrustProblem::from_error(err)
        .unwrap_or_else(|| panic!("expected a trust problem, got {err}"))
        .clone()
}

fn server_with(certs: Certs, port: u16) -> TestServer {
    TestServer::start(ServerConfig {
        certs: Some(certs),
        port,
        ..ServerConfig::default()
    })
}

#[test]
fn private_ca_with_ca_file_is_silent_and_unknown_without() {
    let server = TestServer::start(ServerConfig::default());
    let pins = PinDir::new();
    let mut s = connect(&server, &pins.trust(), Some(server.ca_pem_path())).unwrap();
    s.list(None).unwrap();

    let err = connect(&server, &pins.trust(), None).unwrap_err();
    let TrustProblem::Unknown { presented, .. } = problem(&err) else {
        panic!("expected Unknown");
    };
    assert_eq!(presented.problem, Some(CertProblem::UnknownIssuer));
    assert_eq!(
        presented.sha256,
        tls::sha256_fingerprint(&server_leaf(&server))
    );
}

/// The server's certificate as a client sees it.
fn server_leaf(server: &TestServer) -> rustls::pki_types::CertificateDer<'static> {
    let pins = PinDir::new();
    let err = connect(server, &pins.trust(), None).unwrap_err();
    match &err {
        FtpError::Tls(failure) => failure.certificates[0].clone(),
        other => panic!("{other}"),
    }
}

#[test]
fn self_signed_accepted_always_is_silent_next_time() {
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        ..ServerConfig::default()
    });
    let pins = PinDir::new();
    let trust = pins.trust();
    let err = connect(&server, &trust, None).unwrap_err();
    let p = problem(&err);
    assert_eq!(p.presented().problem, Some(CertProblem::SelfSigned));
    assert!(p.render().contains(&p.presented().sha256));
    trust.decide(&p, Decision::AcceptAlways).unwrap();

    // A new process: reads the pin file, connects without a question.
    connect(&server, &pins.trust(), None)
        .unwrap()
        .noop()
        .unwrap();
    let text = std::fs::read_to_string(pins.path()).unwrap();
    assert!(text.contains(&p.presented().sha256), "{text}");
    assert!(text.contains("port = "), "{text}");
}

#[test]
fn accept_once_lasts_for_this_run_only() {
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        ..ServerConfig::default()
    });
    let pins = PinDir::new();
    let trust = pins.trust();
    let p = problem(&connect(&server, &trust, None).unwrap_err());
    trust.decide(&p, Decision::AcceptOnce).unwrap();
    connect(&server, &trust, None).unwrap();
    assert!(!pins.path().exists(), "accept once writes nothing");
    assert!(connect(&server, &pins.trust(), None).is_err());
}

#[test]
fn changed_certificate_is_loud_and_nothing_is_sent() {
    let pins = PinDir::new();
    let first = server_with(Certs::self_signed(), 0);
    let port = first.port();
    let trust = pins.trust();
    let old = problem(&connect(&first, &trust, None).unwrap_err());
    trust.decide(&old, Decision::AcceptAlways).unwrap();
    connect(&first, &trust, None).unwrap();
    drop(first);

    // The "same server" restarted with a new key and certificate.
    let second = server_with(Certs::self_signed(), port);
    let err = connect(&second, &pins.trust(), None).unwrap_err();
    let TrustProblem::Changed {
        pinned, presented, ..
    } = problem(&err)
    else {
        panic!("expected Changed, got {err}");
    };
    assert_eq!(pinned.sha256, old.presented().sha256);
    assert_ne!(presented.sha256, pinned.sha256);
    let message = err.to_string();
    assert!(message.contains("TLS"), "{message}");
    let shown = problem(&err).render();
    assert!(shown.contains("HAS CHANGED"), "{shown}");
    assert!(shown.contains(&pinned.sha256) && shown.contains(&presented.sha256));
    // Not a byte of login or data before the decision.
    assert_eq!(second.commands(), vec!["AUTH TLS".to_string()]);
    // The pin is untouched.
    let store = PinStore::load(&pins.path()).unwrap();
    assert_eq!(store.get("127.0.0.1", port).unwrap().sha256, pinned.sha256);
}

#[test]
fn renewal_with_the_same_key_is_accepted_and_updates_the_pin() {
    let pins = PinDir::new();
    let key = rcgen::KeyPair::generate().unwrap();
    let old_spec = LeafSpec {
        not_after: Some((2090, 1, 1)),
        ..LeafSpec::default()
    };
    let first = server_with(Certs::self_signed_with(&old_spec, &key), 0);
    let port = first.port();
    let trust = pins.trust();
    let old = problem(&connect(&first, &trust, None).unwrap_err());
    trust.decide(&old, Decision::AcceptAlways).unwrap();
    drop(first);

    let new_spec = LeafSpec {
        not_after: Some((2095, 6, 1)),
        ..LeafSpec::default()
    };
    let second = server_with(Certs::self_signed_with(&new_spec, &key), port);
    let log = Arc::new(MemoryLog::default());
    let trust = pins.trust();
    let mut s = connect_with(port, &configs(port, &trust, None, &log)).unwrap();
    s.noop().unwrap();
    assert!(
        log.lines()
            .iter()
            .any(|(_, l)| l.contains("renewed with the same key")),
        "{:?}",
        log.lines()
    );
    let store = PinStore::load(&pins.path()).unwrap();
    let pin = store.get("127.0.0.1", port).unwrap();
    assert_ne!(
        pin.sha256,
        old.presented().sha256,
        "the pin holds the new certificate"
    );
    assert_eq!(pin.spki_sha256, old.presented().spki_sha256);
    assert!(pin.not_after > old.presented().not_after);
    drop(second);
}

#[test]
fn expired_and_wrong_name_are_named_correctly() {
    let expired = TestServer::start(ServerConfig {
        certs: Some(Certs::generate_with(&LeafSpec {
            not_before: Some((2020, 1, 1)),
            not_after: Some((2021, 1, 1)),
            ..LeafSpec::default()
        })),
        ..ServerConfig::default()
    });
    let pins = PinDir::new();
    let err = connect(&expired, &pins.trust(), Some(expired.ca_pem_path())).unwrap_err();
    let p = problem(&err);
    assert_eq!(p.presented().problem, Some(CertProblem::Expired), "{err}");
    assert!(p.render().contains("EXPIRED"), "{}", p.render());

    let wrong_name = TestServer::start(ServerConfig {
        certs: Some(Certs::generate_with(&LeafSpec {
            names: vec!["other.example".into()],
            ..LeafSpec::default()
        })),
        ..ServerConfig::default()
    });
    let err = connect(&wrong_name, &pins.trust(), Some(wrong_name.ca_pem_path())).unwrap_err();
    assert_eq!(
        problem(&err).presented().problem,
        Some(CertProblem::NameMismatch),
        "{err}"
    );
}

#[test]
fn trust_change_is_honoured_even_with_a_cached_session() {
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        ..ServerConfig::default()
    });
    let pins = PinDir::new();
    let trust = pins.trust();
    let log = Arc::new(MemoryLog::default());
    // One configuration for both connections, as a window keeps it: a shared session cache
    // would let the second handshake resume and skip verification.
    let shared = configs(server.port(), &trust, None, &log);
    let p = problem(&connect_with(server.port(), &shared).unwrap_err());
    trust.decide(&p, Decision::AcceptAlways).unwrap();
    let mut first = connect_with(server.port(), &shared).unwrap();
    first.list(None).unwrap();
    trust.forget("127.0.0.1", server.port()).unwrap();
    let err = connect_with(server.port(), &shared).unwrap_err();
    assert!(
        matches!(problem(&err), TrustProblem::Unknown { .. }),
        "{err}"
    );
    // The session that was accepted keeps working (its data connections resume it).
    first.list(None).unwrap();
}

// ---- the command line ----------------------------------------------------------------------

fn ferry(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .env("FERRY_CONFIG_DIR", config)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn url(server: &TestServer) -> String {
    format!("ftp://alice:s3cret@127.0.0.1:{}/", server.port())
}

#[test]
fn cli_without_tty_exits_5_and_trusts_a_given_fingerprint() {
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        ..ServerConfig::default()
    });
    let config = tempfile::tempdir().unwrap();
    std::fs::write(server.root().join("marker.txt"), b"x").unwrap();
    let out = ferry(config.path(), &["ls", &url(&server)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    let fp = stderr
        .split("SHA256:")
        .nth(1)
        .map(|rest| rest.chars().take(95).collect::<String>())
        .expect("fingerprint printed");
    assert_eq!(fp, tls::sha256_fingerprint(&server_leaf(&server)));

    let out = ferry(
        config.path(),
        &["ls", "--trust", &format!("SHA256:{fp}"), &url(&server)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("marker.txt"));
    // --trust remembers nothing.
    assert_eq!(
        ferry(config.path(), &["ls", &url(&server)]).status.code(),
        Some(5)
    );
    let wrong = "SHA256:".to_string() + &"00:".repeat(31) + "00";
    assert_eq!(
        ferry(config.path(), &["ls", "--trust", &wrong, &url(&server)])
            .status
            .code(),
        Some(5)
    );
}

#[test]
fn cli_on_a_terminal_asks_and_remembers() {
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        ..ServerConfig::default()
    });
    let config = tempfile::tempdir().unwrap();
    // Default answer (just Enter) rejects.
    let out = ferry_on_tty(config.path(), &["ls", &url(&server)], "\n");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        screen.contains("[r]eject / accept [o]nce / accept [a]lways"),
        "{screen}"
    );
    assert_eq!(out.status.code(), Some(5), "{screen}");

    let out = ferry_on_tty(config.path(), &["ls", &url(&server)], "a\n");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    // Next time: no question, even without a terminal.
    let out = ferry(config.path(), &["ls", &url(&server)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let listed = ferry(config.path(), &["trust", "list"]);
    let listing = String::from_utf8_lossy(&listed.stdout);
    let target = format!("127.0.0.1:{}", server.port());
    assert!(listing.contains(&target), "{listing}");
    let removed = ferry(config.path(), &["trust", "rm", &target]);
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    assert_eq!(
        ferry(config.path(), &["ls", &url(&server)]).status.code(),
        Some(5)
    );
    assert_eq!(
        ferry(config.path(), &["trust", "rm", &target])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn cli_changed_certificate_warns_and_rejects_by_default() {
    let config = tempfile::tempdir().unwrap();
    let first = server_with(Certs::self_signed(), 0);
    let port = first.port();
    let out = ferry_on_tty(config.path(), &["ls", &url(&first)], "a\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    drop(first);
    let second = server_with(Certs::self_signed(), port);
    let out = ferry_on_tty(config.path(), &["ls", &url(&second)], "\n");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("HAS CHANGED"), "{screen}");
    assert!(screen.contains("Pinned certificate"), "{screen}");
    assert_eq!(out.status.code(), Some(5), "{screen}");
    assert_eq!(second.commands(), vec!["AUTH TLS".to_string()]);
}

#[test]
fn cli_corrupt_pin_file_is_a_clear_error_and_kept() {
    let server = TestServer::start(ServerConfig::default());
    let config = tempfile::tempdir().unwrap();
    let pins = config.path().join("pins.toml");
    std::fs::write(&pins, "this is [[ not toml").unwrap();
    let out = ferry(
        config.path(),
        &[
            "ls",
            "--ca-file",
            server.ca_pem_path().to_str().unwrap(),
            &url(&server),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(8), "{stderr}");
    assert!(stderr.contains("pins.toml"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&pins).unwrap(),
        "this is [[ not toml"
    );
    let kept = std::fs::read_dir(config.path())
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("pins.toml.") && name.ends_with(".bak")
        });
    assert!(kept, "a copy is kept aside");
}
