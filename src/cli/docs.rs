//! Shell completions and manual pages, generated from the same clap definitions the command line
//! parses with, so they can never describe options that do not exist. The packaged copies in
//! `packaging/linux/` are checked against these by a test.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::{Cli, Failure};

/// Prints the completion script for `shell` on standard output.
pub(crate) fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "ferry", &mut out);
    std::io::stdout()
        .lock()
        .write_all(&out)
        .map_err(|e| Failure::local(format!("cannot write the completions: {e}")))
}

/// Writes `ferry.1` and `ferry-<subcommand>.1` into `dir`, or prints `ferry.1`.
pub(crate) fn manpages(dir: Option<&Path>) -> Result<(), Failure> {
    let command = Cli::command();
    match dir {
        Some(dir) => std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(command, dir))
            .map_err(|e| Failure::local(format!("cannot write to {}: {e}", dir.display()))),
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .and_then(|()| std::io::stdout().lock().write_all(&out))
                .map_err(|e| Failure::local(format!("cannot write the manual page: {e}")))
        }
    }
}
