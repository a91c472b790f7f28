//! The certificate question on a terminal: `[r]eject / accept [o]nce / [a]lways`, reject by
//! default. Without a terminal there is nobody to ask: the command fails with its own exit code
//! and the fingerprint to pass to `--trust`.

use std::io::{BufRead, IsTerminal, Write};

use crate::tls::{Decision, TrustProblem};

/// Shows `problem` and asks the user; None when nobody can answer (no terminal): the caller
/// fails with the fingerprint to pass to `--trust`.
pub(crate) fn decide(problem: &TrustProblem, can_remember: bool) -> Option<Decision> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return None;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "\n{}\n", problem.render());
    let always = if can_remember {
        " / accept [a]lways"
    } else {
        ""
    };
    let question = match problem {
        TrustProblem::Changed { .. } => "Trust the NEW certificate?",
        TrustProblem::Unknown { .. } => "Trust this certificate?",
    };
    loop {
        let _ = write!(
            err,
            "{question} [r]eject / accept [o]nce{always} (default: reject): "
        );
        let _ = err.flush();
        let mut line = String::new();
        let read = std::io::stdin().lock().read_line(&mut line);
        match (read, line.trim().to_ascii_lowercase().as_str()) {
            (Ok(0) | Err(_), _) | (_, "" | "r" | "reject" | "n" | "no") => {
                return Some(Decision::Reject);
            }
            (_, "o" | "once") => return Some(Decision::AcceptOnce),
            (_, "a" | "always") if can_remember => return Some(Decision::AcceptAlways),
            _ => {
                let _ = writeln!(
                    err,
                    "Please answer r, o{}.",
                    if can_remember { " or a" } else { "" }
                );
            }
        }
    }
}
