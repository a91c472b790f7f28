//! The client layer both front ends connect through (`ferry::client::dial`), against the
//! in-process FTPS server: the certificate question goes to the front end's `Decisions` once,
//! the connector it returns opens more sessions without asking again, passwords come from the
//! request, the keychain or the front end, and a wrong password is one failed login.
#![cfg(unix)] // the in-process test server (tests/support) serves a Unix file system

mod support;

use std::sync::Arc;
use std::sync::Mutex;

use ferry::client::{
    self, ConnectError, ConnectRequest, Decisions, Endpoint, Login, PasswordNeeded,
};
use ferry::ftp::{ErrorClass, NullLog, ProtocolLog, Security};
use ferry::sites::Keychain;
use ferry::tls::{Decision, Trust, TrustProblem};
use support::server::{Certs, ServerConfig, TestServer};

/// Answers as told and writes down what it was asked.
struct Scripted {
    certificate: Option<Decision>,
    password: Option<&'static str>,
    asked: Mutex<Vec<String>>,
}

impl Scripted {
    fn new(certificate: Option<Decision>, password: Option<&'static str>) -> Scripted {
        Scripted {
            certificate,
            password,
            asked: Mutex::new(Vec::new()),
        }
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Decisions for Scripted {
    fn certificate(
        &self,
        problem: &TrustProblem,
        _can_remember: bool,
    ) -> Result<Option<Decision>, ConnectError> {
        let kind = match problem {
            TrustProblem::Unknown { .. } => "unknown",
            TrustProblem::Changed { .. } => "changed",
        };
        self.asked
            .lock()
            .unwrap()
            .push(format!("certificate {kind}"));
        Ok(self.certificate)
    }

    fn password(
        &self,
        user: &str,
        host: &str,
        why: &PasswordNeeded,
    ) -> Result<String, ConnectError> {
        self.asked
            .lock()
            .unwrap()
            .push(format!("password {user}@{host} {why:?}"));
        self.password
            .map(str::to_owned)
            .ok_or_else(|| ConnectError::NoPassword("no password".into()))
    }

    fn certificate_password(
        &self,
        identity: &ferry::tls::ClientIdentity,
    ) -> Result<String, ConnectError> {
        let name = identity.cert_file.file_name().unwrap_or_default();
        self.asked
            .lock()
            .unwrap()
            .push(format!("certificate password {}", name.to_string_lossy()));
        self.password
            .map(str::to_owned)
            .ok_or_else(|| ConnectError::Invalid("no certificate password".into()))
    }
}

fn log() -> Arc<dyn ProtocolLog> {
    Arc::new(NullLog)
}

fn no_keychain() -> Keychain {
    Keychain::unavailable("tests")
}

/// A request to `server` trusting its CA.
fn trusted_request(server: &TestServer, login: Login) -> ConnectRequest {
    let mut endpoint = Endpoint::new("127.0.0.1", server.port(), Security::ExplicitTls);
    endpoint.ca_file = Some(server.ca_pem_path().to_owned());
    ConnectRequest::new(endpoint, login)
}

/// A request to `server` with the right password and no CA: its certificate is unknown.
fn untrusted_request(server: &TestServer) -> ConnectRequest {
    ConnectRequest::new(
        Endpoint::new("127.0.0.1", server.port(), Security::ExplicitTls),
        Login::Password {
            user: "alice".into(),
            password: "s3cret".into(),
        },
    )
}

fn self_signed_server() -> TestServer {
    TestServer::start(ServerConfig {
        certs: Some(Certs::self_signed()),
        ..ServerConfig::default()
    })
}

fn passes(server: &TestServer) -> Vec<String> {
    server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("PASS"))
        .collect()
}

#[test]
fn an_unknown_certificate_is_asked_once_and_the_connector_does_not_ask_again() {
    let server = self_signed_server();
    let request = untrusted_request(&server);
    let decisions = Scripted::new(Some(Decision::AcceptOnce), None);
    let trust = Arc::new(Trust::new(None));
    let dialled = client::dial(&request, &decisions, &trust, &no_keychain(), &log())
        .unwrap_or_else(|e| panic!("dial: {e}"));
    assert_eq!(decisions.asked(), vec!["certificate unknown"]);
    assert_eq!(dialled.home, "/");
    let tls = dialled.security.tls.as_ref().expect("TLS");
    assert_eq!(tls.version, "TLSv1.3");
    assert!(dialled.security.data_protected);
    assert!(dialled.security.certificate.is_some());
    // Two more sessions for workers: logged in, nothing asked.
    for _ in 0..2 {
        let mut session = (dialled.connector)().unwrap_or_else(|e| panic!("connector: {e}"));
        assert_eq!(session.pwd().unwrap(), "/");
    }
    assert_eq!(decisions.asked().len(), 1);
    assert_eq!(passes(&server).len(), 3);
}

#[test]
fn a_rejected_or_unanswered_certificate_ends_the_attempt_before_any_password() {
    let server = self_signed_server();
    let request = untrusted_request(&server);
    let trust = Arc::new(Trust::new(None));
    let reject = Scripted::new(Some(Decision::Reject), None);
    let err = client::dial(&request, &reject, &trust, &no_keychain(), &log())
        .err()
        .expect("rejected");
    assert!(matches!(err, ConnectError::Rejected(_)), "{err}");
    assert_eq!(err.class(), ErrorClass::Trust);
    assert!(
        err.to_string().contains("Rejected: not connecting"),
        "{err}"
    );
    // The window's answer: not now. The problem comes back for its dialog.
    let later = Scripted::new(None, None);
    let err = client::dial(&request, &later, &trust, &no_keychain(), &log())
        .err()
        .expect("untrusted");
    assert!(matches!(err, ConnectError::Untrusted(_)), "{err}");
    assert!(passes(&server).is_empty(), "no password was sent");
}

#[test]
fn a_missing_password_is_asked_for_and_a_wrong_one_is_one_failed_login() {
    let server = TestServer::start(ServerConfig::default());
    let request = trusted_request(
        &server,
        Login::Ask {
            user: "alice".into(),
        },
    );
    let trust = Arc::new(Trust::new(None));
    let wrong = Scripted::new(None, Some("wrong"));
    let err = client::dial(&request, &wrong, &trust, &no_keychain(), &log())
        .err()
        .expect("refused");
    assert_eq!(err.class(), ErrorClass::Auth, "{err}");
    assert_eq!(
        wrong.asked(),
        vec!["password alice@127.0.0.1 NotGiven".to_string()]
    );
    assert_eq!(passes(&server), vec!["PASS wrong"]);
    let right = Scripted::new(None, Some("s3cret"));
    client::dial(&request, &right, &trust, &no_keychain(), &log())
        .unwrap_or_else(|e| panic!("dial: {e}"));
}

#[test]
fn a_saved_site_reads_its_password_from_the_keychain_and_asks_only_without_one() {
    let server = TestServer::start(ServerConfig::default());
    let keychain = Keychain::with_store(keyring_core::mock::Store::new().unwrap());
    let request = trusted_request(
        &server,
        Login::Keychain {
            user: "alice".into(),
            site_path: "Work/Server".into(),
        },
    );
    let trust = Arc::new(Trust::new(None));
    // Nothing saved: the front end is asked, and told why.
    let ask = Scripted::new(None, None);
    let err = client::dial(&request, &ask, &trust, &keychain, &log())
        .err()
        .expect("no password");
    assert!(matches!(err, ConnectError::NoPassword(_)), "{err}");
    assert_eq!(
        ask.asked(),
        vec![r#"password alice@127.0.0.1 NotSaved { site: "Work/Server" }"#.to_string()]
    );
    keychain.set("Work/Server", "s3cret").unwrap();
    let quiet = Scripted::new(None, None);
    client::dial(&request, &quiet, &trust, &keychain, &log())
        .unwrap_or_else(|e| panic!("dial: {e}"));
    assert!(quiet.asked().is_empty());
}

#[test]
fn a_locked_pkcs12_certificate_takes_its_password_from_the_keychain_or_asks_once() {
    let (ours, server) =
        support::server::requiring_client_certs("ferry-user", ServerConfig::default());
    let files = tempfile::tempdir().unwrap();
    let p12 = files.path().join("me.pfx");
    std::fs::write(&p12, ours.pkcs12("pfx-pass")).unwrap();
    let mut request = trusted_request(
        &server,
        Login::Password {
            user: "alice".into(),
            password: "s3cret".into(),
        },
    );
    request.endpoint.client_identity = Some(ferry::tls::ClientIdentity::new(p12.clone(), None));
    let trust = Arc::new(Trust::new(None));

    // Nothing saved: asked once; the connector's later sessions (the workers) ask nothing
    // and still present the certificate.
    let ask = Scripted::new(None, Some("pfx-pass"));
    let dialled = client::dial(&request, &ask, &trust, &no_keychain(), &log())
        .unwrap_or_else(|e| panic!("dial: {e}"));
    assert_eq!(ask.asked(), vec!["certificate password me.pfx"]);
    let mut worker = (dialled.connector)().unwrap_or_else(|e| panic!("worker: {e}"));
    assert_eq!(worker.pwd().unwrap(), "/");
    assert_eq!(ask.asked().len(), 1, "the workers did not ask");

    // Saved in the keychain under the file's account: nothing is asked.
    let keychain = Keychain::with_store(keyring_core::mock::Store::new().unwrap());
    keychain
        .set(
            &ferry::sites::secrets::client_cert_account(&p12),
            "pfx-pass",
        )
        .unwrap();
    let quiet = Scripted::new(None, None);
    client::dial(&request, &quiet, &trust, &keychain, &log())
        .unwrap_or_else(|e| panic!("dial: {e}"));
    assert!(quiet.asked().is_empty(), "{:?}", quiet.asked());

    // A wrong answer: a clear error before any login.
    let passes_before = passes(&server).len();
    let wrong = Scripted::new(None, Some("nope"));
    let err = client::dial(&request, &wrong, &trust, &no_keychain(), &log())
        .err()
        .expect("wrong password");
    assert!(err.to_string().contains("wrong"), "{err}");
    assert_eq!(passes(&server).len(), passes_before, "no login was tried");
}
