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

/// Every file under `root` (relative path with `/`) and the sha256 of its bytes.
pub fn digests(root: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    use sha2::Digest;
    fn walk(
        root: &std::path::Path,
        dir: &std::path::Path,
        out: &mut std::collections::BTreeMap<String, String>,
    ) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy();
                let hash = sha2::Sha256::digest(std::fs::read(&path).unwrap());
                let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
                out.insert(rel.replace('\\', "/"), hex);
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The `REST` command of a download continued from a partial file of `partial_len` bytes:
/// Ferry reads half of it again (64 KiB at most) to check that it is of the server's version.
pub fn rest_continuing(partial_len: u64) -> String {
    format!("REST {}", partial_len - (partial_len / 2).min(64 * 1024))
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

/// A file's modification time, in Unix seconds.
pub fn mtime(path: &std::path::Path) -> u64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

/// Sets a file's modification time to `secs` Unix seconds.
pub fn set_mtime(path: &std::path::Path, secs: u64) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)))
        .expect("set the modification time");
}
