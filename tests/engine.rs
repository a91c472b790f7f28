//! The engine against our own in-process FTPS server (tests/support/server.rs): real sockets,
//! real TLS (rustls on both ends, certificates from rcgen), real files on disk.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::io::Cursor;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ferry::ftp::{
    ConnectOptions, Credentials, DataMode, EntryKind, FtpError, LogKind, MemoryLog, Security,
    Session, TransferControl, UploadMode,
};
use ferry::tls::{self, MaxTlsVersion, TlsOptions};
use support::server::{Certs, ServerConfig, TestServer, TlsMode};
use support::transfer::{download, random_bytes, upload};

fn options_for(server: &TestServer, security: Security) -> (ConnectOptions, Arc<MemoryLog>) {
    let tls = (security != Security::Plain).then(|| {
        tls::client_config(&TlsOptions {
            extra_ca_file: Some(server.ca_pem_path().to_owned()),
            ..TlsOptions::default()
        })
        .unwrap()
    });
    let mut options = ConnectOptions::new("127.0.0.1", server.port(), security, tls);
    let log = Arc::new(MemoryLog::default());
    options.log = log.clone();
    (options, log)
}

fn login(server: &TestServer, security: Security) -> (Session, Arc<MemoryLog>) {
    let (options, log) = options_for(server, security);
    let mut session = Session::connect(options).expect("connect");
    session
        .login(&Credentials::new("alice", "s3cret"))
        .expect("login");
    (session, log)
}

#[test]
fn explicit_tls_round_trip_with_session_reuse_required() {
    let server = TestServer::start(ServerConfig::default());
    let (mut s, log) = login(&server, Security::ExplicitTls);
    assert_eq!(s.tls_info().unwrap().version, "TLSv1.3");
    assert!(s.data_protected());

    let body = random_bytes(3 * 1024 * 1024 + 123, 1);
    assert_eq!(
        upload(&mut s, "up.bin", &body, UploadMode::Replace).unwrap(),
        body.len() as u64
    );
    assert!(std::fs::read(server.root().join("up.bin")).unwrap() == body);
    assert!(download(&mut s, "up.bin", 0).unwrap() == body);
    assert_eq!(s.size("up.bin").unwrap(), body.len() as u64);

    // Ten more transfers on the same session: every data connection must resume the TLS session
    // (the server refuses the ones that don't, like vsftpd's require_ssl_reuse).
    for i in 0..10 {
        let b = random_bytes(10_000 + i, i as u64);
        upload(&mut s, &format!("f{i}"), &b, UploadMode::Replace).unwrap();
        assert!(download(&mut s, &format!("f{i}"), 0).unwrap() == b);
    }
    let (total, resumed) = server.data_connections();
    assert_eq!(total, resumed, "every data connection resumed the session");
    assert!(total >= 22);

    let entries = s.list(None).unwrap();
    let up = entries.iter().find(|e| e.name == "up.bin").expect("listed");
    assert_eq!(up.kind, EntryKind::File);
    assert_eq!(up.size, Some(body.len() as u64));

    // The password never reaches the log; the command does, masked.
    let lines = log.lines();
    assert!(!lines.iter().any(|(_, l)| l.contains("s3cret")));
    assert!(
        lines
            .iter()
            .any(|(k, l)| *k == LogKind::Command && l == "PASS ****")
    );
    s.quit().unwrap();
}

#[test]
fn tls12_only_server_resumes_too() {
    let server = TestServer::start(ServerConfig {
        tls13: false,
        ..ServerConfig::default()
    });
    let (mut s, _) = login(&server, Security::ExplicitTls);
    assert_eq!(s.tls_info().unwrap().version, "TLSv1.2");
    for i in 0..5 {
        let b = random_bytes(70_000, i);
        upload(&mut s, &format!("g{i}"), &b, UploadMode::Replace).unwrap();
        assert!(download(&mut s, &format!("g{i}"), 0).unwrap() == b);
    }
    let (total, resumed) = server.data_connections();
    assert_eq!(total, resumed);
}

#[test]
fn client_limited_to_tls12_against_tls13_server() {
    let server = TestServer::start(ServerConfig::default());
    let (mut options, _) = options_for(&server, Security::ExplicitTls);
    options.tls = Some(
        tls::client_config(&TlsOptions {
            extra_ca_file: Some(server.ca_pem_path().to_owned()),
            max_version: MaxTlsVersion::Tls12,
            ..TlsOptions::default()
        })
        .unwrap(),
    );
    let mut s = Session::connect(options).unwrap();
    s.login(&Credentials::new("alice", "s3cret")).unwrap();
    assert_eq!(s.tls_info().unwrap().version, "TLSv1.2");
    s.list(None).unwrap();
}

#[test]
fn implicit_tls() {
    let server = TestServer::start(ServerConfig {
        tls: TlsMode::Implicit,
        ..ServerConfig::default()
    });
    let (mut s, _) = login(&server, Security::ImplicitTls);
    assert!(s.tls_info().is_some());
    let body = random_bytes(500_000, 9);
    upload(&mut s, "i.bin", &body, UploadMode::Replace).unwrap();
    assert!(download(&mut s, "i.bin", 0).unwrap() == body);
    // AUTH TLS is never sent on an implicit connection.
    assert!(!server.commands().iter().any(|c| c.starts_with("AUTH")));
}

#[test]
fn refused_auth_tls_never_sends_user() {
    let server = TestServer::start(ServerConfig {
        refuse_auth_tls: true,
        require_tls: false,
        ..ServerConfig::default()
    });
    let (options, _) = options_for(&server, Security::ExplicitTls);
    let err = Session::connect(options).unwrap_err();
    assert!(matches!(err, FtpError::TlsRefused { .. }), "{err}");
    assert!(err.to_string().contains("did not send your user name"));
    let commands = server.commands();
    assert!(commands.iter().any(|c| c == "AUTH TLS"));
    assert!(
        !commands
            .iter()
            .any(|c| c.starts_with("USER") || c.starts_with("PASS")),
        "{commands:?}"
    );
}

#[test]
fn plain_ftp_only_when_asked() {
    let server = TestServer::start(ServerConfig {
        tls: TlsMode::None,
        require_tls: false,
        require_session_reuse: false,
        ..ServerConfig::default()
    });
    let (mut s, log) = login(&server, Security::Plain);
    assert!(s.tls_info().is_none());
    assert!(!s.data_protected());
    let body = random_bytes(100_000, 4);
    upload(&mut s, "p.bin", &body, UploadMode::Replace).unwrap();
    assert!(download(&mut s, "p.bin", 0).unwrap() == body);
    assert!(
        log.lines()
            .iter()
            .any(|(k, l)| *k == LogKind::Error && l.contains("unencrypted"))
    );
    assert!(!server.commands().iter().any(|c| c.starts_with("PBSZ")));
}

#[test]
fn resume_download_and_upload_from_offsets() {
    let server = TestServer::start(ServerConfig::default());
    let (mut s, _) = login(&server, Security::ExplicitTls);
    let body = random_bytes(1_000_000, 5);
    std::fs::write(server.root().join("r.bin"), &body).unwrap();
    let tail = download(&mut s, "r.bin", 400_001).unwrap();
    assert!(tail == body[400_001..]);
    assert!(server.commands().iter().any(|c| c == "REST 400001"));

    // Upload the first part, then resume the rest with REST + STOR.
    upload(&mut s, "u.bin", &body[..300_000], UploadMode::Replace).unwrap();
    upload(
        &mut s,
        "u.bin",
        &body[300_000..],
        UploadMode::Resume(300_000),
    )
    .unwrap();
    assert!(std::fs::read(server.root().join("u.bin")).unwrap() == body);

    // And APPE.
    upload(&mut s, "a.bin", &body[..10], UploadMode::Replace).unwrap();
    upload(&mut s, "a.bin", &body[10..20], UploadMode::Append).unwrap();
    assert_eq!(
        std::fs::read(server.root().join("a.bin")).unwrap(),
        &body[..20]
    );
}

#[test]
fn cut_connection_then_resume_completes() {
    let server = TestServer::start(ServerConfig::default());
    let (mut s, _) = login(&server, Security::ExplicitTls);
    let body = random_bytes(2_000_000, 6);
    std::fs::write(server.root().join("cut.bin"), &body).unwrap();
    server.cut_next_transfers(1, 700_000);
    let mut partial = Vec::new();
    let cancel = AtomicBool::new(false);
    let mut progress = |_| {};
    let mut ctl = TransferControl::new(&mut progress, &cancel);
    let result = s.download("cut.bin", 0, &mut partial, &mut ctl);
    assert!(result.is_err(), "a cut transfer must not look complete");
    assert!(partial.len() < body.len());
    assert!(body.starts_with(&partial));
    // The session survived (the server reported the failure on the control connection), so
    // resume on it from what we have.
    let rest = download(&mut s, "cut.bin", partial.len() as u64).unwrap();
    partial.extend_from_slice(&rest);
    assert!(partial == body);
}

#[test]
fn directory_operations() {
    let server = TestServer::start(ServerConfig::default());
    let (mut s, _) = login(&server, Security::ExplicitTls);
    assert_eq!(s.pwd().unwrap(), "/");
    assert_eq!(s.mkdir("new dir").unwrap(), "/new dir");
    s.cwd("new dir").unwrap();
    assert_eq!(s.pwd().unwrap(), "/new dir");
    upload(&mut s, "x.txt", b"hello", UploadMode::Replace).unwrap();
    s.rename("x.txt", "y.txt").unwrap();
    assert!(server.root().join("new dir/y.txt").exists());
    assert!(!server.root().join("new dir/x.txt").exists());
    let mdtm = s.mdtm("y.txt").unwrap();
    assert!(mdtm.year >= 2024, "{mdtm}");
    let fact = s.mlst("y.txt").unwrap();
    assert_eq!(fact.size, Some(5));
    s.chmod("y.txt", 0o600).unwrap();
    s.cdup().unwrap();
    assert_eq!(s.pwd().unwrap(), "/");
    let err = s.rmdir("new dir").unwrap_err();
    assert!(
        matches!(err, FtpError::Reply { .. }),
        "a non-empty dir: {err}"
    );
    s.delete("new dir/y.txt").unwrap();
    s.rmdir("new dir").unwrap();
    assert!(!server.root().join("new dir").exists());
    let err = s.delete("missing").unwrap_err();
    assert!(
        matches!(&err, FtpError::Reply { reply, .. } if reply.code == 550),
        "{err}"
    );
    s.noop().unwrap();
}

#[test]
fn cancel_mid_download_then_next_transfer_works() {
    let server = TestServer::start(ServerConfig::default());
    let (mut s, _) = login(&server, Security::ExplicitTls);
    let body = random_bytes(4_000_000, 8);
    std::fs::write(server.root().join("slow.bin"), &body).unwrap();
    server.set_throttle(Some(2_000_000));
    let cancel = AtomicBool::new(false);
    let mut progress = |done: u64| {
        if done > 200_000 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let mut ctl = TransferControl::new(&mut progress, &cancel);
    let mut sink = Vec::new();
    let err = s.download("slow.bin", 0, &mut sink, &mut ctl).unwrap_err();
    assert!(matches!(err, FtpError::Cancelled), "{err}");
    assert!(sink.len() < body.len());
    assert!(server.commands().iter().any(|c| c == "ABOR"));
    server.set_throttle(None);
    assert!(download(&mut s, "slow.bin", 0).unwrap() == body);
    s.noop().unwrap();
}

#[test]
fn cancel_mid_upload_then_next_transfer_works() {
    let server = TestServer::start(ServerConfig::default());
    let (mut s, _) = login(&server, Security::ExplicitTls);
    let body = random_bytes(4_000_000, 12);
    server.set_throttle(Some(2_000_000));
    let cancel = AtomicBool::new(false);
    let mut progress = |done: u64| {
        if done > 300_000 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let mut ctl = TransferControl::new(&mut progress, &cancel);
    let err = s
        .upload(
            "big.bin",
            UploadMode::Replace,
            &mut Cursor::new(&body),
            &mut ctl,
        )
        .unwrap_err();
    assert!(matches!(err, FtpError::Cancelled), "{err}");
    server.set_throttle(None);
    upload(&mut s, "ok.bin", &body[..1000], UploadMode::Replace).unwrap();
    assert_eq!(
        std::fs::read(server.root().join("ok.bin")).unwrap(),
        &body[..1000]
    );
}

#[test]
fn pasv_fallback_uses_control_address_not_advertised_one() {
    // A loopback address nothing listens on: a client that wrongly trusted it gets "refused"
    // instead of sending traffic off the machine.
    let bogus = Ipv4Addr::new(127, 0, 0, 2);
    let server = TestServer::start(ServerConfig {
        disable_epsv: true,
        pasv_address: Some(bogus),
        ..ServerConfig::default()
    });
    let (mut s, log) = login(&server, Security::ExplicitTls);
    let body = random_bytes(300_000, 13);
    upload(&mut s, "n.bin", &body, UploadMode::Replace).unwrap();
    assert!(download(&mut s, "n.bin", 0).unwrap() == body);
    let lines = log.lines();
    assert!(
        lines
            .iter()
            .any(|(_, l)| l.contains("server advertised 127.0.0.2"))
    );
    assert!(
        lines
            .iter()
            .any(|(_, l)| l.contains("data connection to 127.0.0.1:"))
    );
    assert!(
        !lines
            .iter()
            .any(|(_, l)| l.contains("data connection to 127.0.0.2"))
    );
    // EPSV was refused once and not tried again.
    assert_eq!(server.commands().iter().filter(|c| *c == "EPSV").count(), 1);
}

#[test]
fn list_fallback_when_mlsd_is_missing() {
    let server = TestServer::start(ServerConfig {
        disable_mlsd: true,
        ..ServerConfig::default()
    });
    std::fs::create_dir(server.root().join("sub")).unwrap();
    std::fs::write(server.root().join("file with spaces.txt"), b"12345").unwrap();
    let (mut s, _) = login(&server, Security::ExplicitTls);
    let entries = s.list(None).unwrap();
    let file = entries
        .iter()
        .find(|e| e.name == "file with spaces.txt")
        .expect("file listed");
    assert_eq!(file.size, Some(5));
    assert_eq!(file.kind, EntryKind::File);
    assert!(
        entries
            .iter()
            .any(|e| e.name == "sub" && e.kind == EntryKind::Dir)
    );
    assert!(!server.commands().iter().any(|c| c.starts_with("MLSD")));
}

#[test]
fn active_mode_eprt() {
    let server = TestServer::start(ServerConfig::default());
    let (mut options, _) = options_for(&server, Security::ExplicitTls);
    options.data_mode = DataMode::Active {
        ports: 0..=0,
        announce: None,
    };
    let mut s = Session::connect(options).unwrap();
    s.login(&Credentials::new("alice", "s3cret")).unwrap();
    let body = random_bytes(800_000, 14);
    upload(&mut s, "act.bin", &body, UploadMode::Replace).unwrap();
    assert!(download(&mut s, "act.bin", 0).unwrap() == body);
    assert!(s.list(None).unwrap().iter().any(|e| e.name == "act.bin"));
    assert!(
        server
            .commands()
            .iter()
            .any(|c| c.starts_with("EPRT |1|127.0.0.1|"))
    );
}

#[test]
fn wrong_password_is_an_auth_error() {
    let server = TestServer::start(ServerConfig::default());
    let (options, log) = options_for(&server, Security::ExplicitTls);
    let mut s = Session::connect(options).unwrap();
    let err = s.login(&Credentials::new("alice", "wrong")).unwrap_err();
    assert!(matches!(err, FtpError::Auth { .. }), "{err}");
    assert!(!log.lines().iter().any(|(_, l)| l.contains("wrong")));
}

#[test]
fn account_is_sent_when_asked() {
    let server = TestServer::start(ServerConfig {
        require_acct: true,
        ..ServerConfig::default()
    });
    let (options, log) = options_for(&server, Security::ExplicitTls);
    let mut s = Session::connect(options).unwrap();
    let mut creds = Credentials::new("alice", "s3cret");
    creds.account = Some("acct-secret".into());
    s.login(&creds).unwrap();
    assert!(server.commands().iter().any(|c| c == "ACCT acct-secret"));
    assert!(!log.lines().iter().any(|(_, l)| l.contains("acct-secret")));
}

#[test]
fn untrusted_certificate_carries_the_chain_and_sends_nothing() {
    let server = TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        ..ServerConfig::default()
    });
    let tls = tls::client_config(&TlsOptions::default()).unwrap();
    let options = ConnectOptions::new("127.0.0.1", server.port(), Security::ExplicitTls, Some(tls));
    let err = Session::connect(options).unwrap_err();
    let FtpError::Tls(failure) = &err else {
        panic!("expected a TLS error, got {err}");
    };
    assert!(!failure.certificates.is_empty());
    assert!(err.certificate_error().is_some(), "{err}");
    let commands = server.commands();
    assert_eq!(
        commands,
        vec!["AUTH TLS".to_string()],
        "nothing after AUTH TLS"
    );
}

#[test]
fn bytes_after_234_are_refused() {
    let server = TestServer::start(ServerConfig::default());
    server.inject_reply("AUTH", b"234 go ahead\r\n230 injected login\r\n".to_vec());
    let (options, _) = options_for(&server, Security::ExplicitTls);
    let err = Session::connect(options).unwrap_err();
    assert!(matches!(err, FtpError::Protocol(_)), "{err}");
}

#[test]
fn hostile_replies_are_errors_not_panics() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("PWD", b"257 no quotes here\r\n".to_vec()),
        ("PWD", b"2\xff\xfe garbage\r\n".to_vec()),
        ("PWD", {
            let mut v = b"257-".to_vec();
            v.extend(std::iter::repeat_n(b'a', 20_000));
            v.extend_from_slice(b"\r\n");
            v
        }),
        ("SIZE", b"213 not-a-number\r\n".to_vec()),
        ("MDTM", b"213 20241399999999\r\n".to_vec()),
        (
            "EPSV",
            b"229 Entering Extended Passive Mode (|||99999|)\r\n".to_vec(),
        ),
    ];
    for (verb, raw) in cases {
        let server = TestServer::start(ServerConfig::default());
        let (mut s, _) = login(&server, Security::ExplicitTls);
        server.inject_reply(verb, raw.clone());
        let result = match verb {
            "PWD" => s.pwd().map(drop),
            "SIZE" => s.size("x").map(drop),
            "MDTM" => s.mdtm("x").map(drop),
            _ => s.list(None).map(drop),
        };
        assert!(
            result.is_err(),
            "{verb} {:?}",
            String::from_utf8_lossy(&raw)
        );
    }
}

#[test]
fn line_breaks_in_names_never_reach_the_server() {
    let server = TestServer::start(ServerConfig::default());
    let (mut s, _) = login(&server, Security::ExplicitTls);
    let err = s.delete("x\r\nDELE important").unwrap_err();
    assert!(matches!(err, FtpError::InvalidInput(_)), "{err}");
    assert!(!server.commands().iter().any(|c| c.contains("important")));
    s.noop().unwrap();
}

#[test]
fn anonymous_login() {
    let server = TestServer::start(ServerConfig {
        allow_anonymous: true,
        ..ServerConfig::default()
    });
    let (options, _) = options_for(&server, Security::ExplicitTls);
    let mut s = Session::connect(options).unwrap();
    s.login(&Credentials::anonymous()).unwrap();
    s.list(None).unwrap();
    let commands = server.commands();
    assert!(commands.iter().any(|c| c == "USER anonymous"));
}

#[test]
fn active_mode_port_range_and_port_fallback() {
    let server = TestServer::start(ServerConfig::default());
    let (mut options, _) = options_for(&server, Security::ExplicitTls);
    // A range starting at a port that is taken: Ferry moves on to the next free one.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let first = taken.local_addr().unwrap().port();
    let range = first..=first.saturating_add(20);
    options.data_mode = DataMode::Active {
        ports: range.clone(),
        announce: None,
    };
    let mut s = Session::connect(options).unwrap();
    s.login(&Credentials::new("alice", "s3cret")).unwrap();
    // The server refuses EPRT once: Ferry falls back to PORT and stays with it.
    server.inject_reply("EPRT", b"500 EPRT not understood\r\n".to_vec());
    let body = random_bytes(200_000, 15);
    upload(&mut s, "port.bin", &body, UploadMode::Replace).unwrap();
    assert!(download(&mut s, "port.bin", 0).unwrap() == body);
    let commands = server.commands();
    let ports: Vec<u16> = commands
        .iter()
        .filter_map(|c| c.strip_prefix("PORT "))
        .map(|arg| {
            let n: Vec<u16> = arg.split(',').map(|x| x.parse().unwrap()).collect();
            n[4] * 256 + n[5]
        })
        .collect();
    assert_eq!(ports.len(), 2, "{commands:?}");
    for p in ports {
        assert!(
            range.contains(&p) && p != first,
            "port {p} outside {range:?}"
        );
    }
    assert_eq!(commands.iter().filter(|c| c.starts_with("EPRT")).count(), 1);
}

#[test]
fn abort_answered_with_a_lone_226() {
    let server = TestServer::start(ServerConfig::default());
    let (mut s, _) = login(&server, Security::ExplicitTls);
    let body = random_bytes(3_000_000, 16);
    std::fs::write(server.root().join("a.bin"), &body).unwrap();
    server.set_throttle(Some(1_000_000));
    server.inject_reply("ABOR", b"226 Abort successful\r\n".to_vec());
    let cancel = AtomicBool::new(false);
    let mut progress = |done: u64| {
        if done > 100_000 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let mut ctl = TransferControl::new(&mut progress, &cancel);
    let err = s
        .download("a.bin", 0, &mut Vec::new(), &mut ctl)
        .unwrap_err();
    assert!(matches!(err, FtpError::Cancelled), "{err}");
    server.set_throttle(None);
    assert_eq!(
        s.pwd().unwrap(),
        "/",
        "replies still line up after the abort"
    );
    assert!(download(&mut s, "a.bin", 0).unwrap() == body);
}

/// A raw TCP server that sends `greeting` and then reads forever without answering.
fn silent_server(greeting: &'static [u8]) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut sock, _)) = listener.accept() {
            use std::io::{Read, Write};
            let _ = sock.write_all(greeting);
            let mut buf = [0u8; 1024];
            while matches!(sock.read(&mut buf), Ok(n) if n > 0) {}
        }
    });
    port
}

#[test]
fn silent_server_times_out() {
    let port = silent_server(b"");
    let mut options = ConnectOptions::new("127.0.0.1", port, Security::Plain, None);
    options.io_timeout = std::time::Duration::from_millis(300);
    let err = Session::connect(options).unwrap_err();
    assert!(matches!(err, FtpError::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("greeting"), "{err}");
}

#[test]
fn server_that_stops_answering_after_auth_times_out() {
    let port = silent_server(b"220 hello\r\n");
    let tls = tls::client_config(&TlsOptions::default()).unwrap();
    let mut options = ConnectOptions::new("127.0.0.1", port, Security::ExplicitTls, Some(tls));
    options.io_timeout = std::time::Duration::from_millis(300);
    let err = Session::connect(options).unwrap_err();
    assert!(matches!(err, FtpError::Timeout { .. }), "{err}");
}

#[test]
fn garbage_greeting_is_a_protocol_error() {
    let port = silent_server(b"SSH-2.0-OpenSSH_9.2\r\n");
    let options = ConnectOptions::new("127.0.0.1", port, Security::Plain, None);
    let err = Session::connect(options).unwrap_err();
    assert!(matches!(err, FtpError::Protocol(_)), "{err}");
}

#[test]
fn closed_port_is_a_connect_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let options = ConnectOptions::new("127.0.0.1", port, Security::Plain, None);
    let err = Session::connect(options).unwrap_err();
    assert!(matches!(err, FtpError::Connect { .. }), "{err}");
}
