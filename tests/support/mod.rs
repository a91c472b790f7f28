#![allow(dead_code)]
//! Shared helpers for the integration tests.

pub mod cli;
pub mod interop;
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

/// Every partial download (`*.ferry-part`) under `dir`, recursively.
pub fn partials(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(path);
            } else if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".ferry-part"))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The one partial download in `dir` (not recursive), if there is exactly one.
pub fn only_partial(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let found: Vec<_> = partials(dir)
        .into_iter()
        .filter(|p| p.parent() == Some(dir))
        .collect();
    (found.len() == 1).then(|| found[0].clone())
}
