#![allow(dead_code)]
//! Shared helpers for the integration tests.

pub mod server;
pub mod transfer;

/// Asserts a `ferry` run succeeded (showing its output otherwise) and returns its stdout.
pub fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
