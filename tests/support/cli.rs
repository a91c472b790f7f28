//! Running the `ferry` binary in tests: with a private configuration folder, without a
//! keychain, and (for questions and terminal-only behaviour) on a real pseudo-terminal.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `ferry args` with `config` as its configuration folder, no keychain, no stdin.
pub fn ferry_in(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .env("FERRY_CONFIG_DIR", config)
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run ferry")
}

/// Runs ferry on a real pseudo-terminal (util-linux `script`), typing `answer`.
pub fn ferry_on_tty(config: &Path, args: &[&str], answer: &str) -> Output {
    let exe = env!("CARGO_BIN_EXE_ferry");
    let command = std::iter::once(exe)
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .env("FERRY_CONFIG_DIR", config)
        .env("FERRY_NO_KEYCHAIN", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux script");
    use std::io::Write;
    let mut stdin = child.stdin.take().expect("stdin");
    // Give ferry time to show the question before the answer arrives on the terminal.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let _ = stdin.write_all(answer.as_bytes());
    std::thread::sleep(std::time::Duration::from_millis(500));
    drop(stdin);
    child.wait_with_output().expect("script finished")
}

/// What a run printed on stdout and stderr together, lossily decoded.
pub fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
