//! The protocol-log sink: every command sent and reply received goes here, with `PASS` masked at
//! the single point where commands are logged so no caller can forget it.

use std::sync::Mutex;

use super::reply::Reply;
use super::text::escape;

/// What a log line is about, so front ends can colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// A command Ferry sent (secrets already masked).
    Command,
    /// A reply the server sent.
    Reply,
    /// Something Ferry did or noticed (TLS negotiated, data address rewritten, ...).
    Info,
    /// A failure.
    Error,
}

/// Receives the protocol dialogue. Implementations must be cheap: they run on the worker thread.
pub trait ProtocolLog: Send + Sync {
    /// Records one line.
    fn log(&self, kind: LogKind, line: &str);
}

/// A log that drops everything.
#[derive(Debug, Default)]
pub struct NullLog;

impl ProtocolLog for NullLog {
    fn log(&self, _: LogKind, _: &str) {}
}

/// A log that prints to standard error, for the command line's `-v`.
#[derive(Debug, Default)]
pub struct StderrLog;

impl ProtocolLog for StderrLog {
    fn log(&self, kind: LogKind, line: &str) {
        let arrow = match kind {
            LogKind::Command => "> ",
            LogKind::Reply => "< ",
            LogKind::Info => "* ",
            LogKind::Error => "! ",
        };
        // Lines quote server text; whatever a caller forgot, nothing drives the terminal.
        eprintln!("{arrow}{}", escape(line));
    }
}

/// A log that keeps every line in memory (tests, and the window's log panel feeding).
#[derive(Debug, Default)]
pub struct MemoryLog {
    lines: Mutex<Vec<(LogKind, String)>>,
}

impl MemoryLog {
    /// A copy of all lines so far.
    pub fn lines(&self) -> Vec<(LogKind, String)> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl ProtocolLog for MemoryLog {
    fn log(&self, kind: LogKind, line: &str) {
        if let Ok(mut lines) = self.lines.lock() {
            lines.push((kind, line.to_owned()));
        }
    }
}

/// The text to log or show for a command: the argument of PASS and ACCT is replaced by
/// asterisks, and control characters (which file names from a listing may hold) are escaped.
pub fn masked_command(command: &str) -> String {
    let verb = command.split(' ').next().unwrap_or("");
    if verb.eq_ignore_ascii_case("PASS") || verb.eq_ignore_ascii_case("ACCT") {
        format!("{} ****", verb.to_ascii_uppercase())
    } else {
        escape(command).into_owned()
    }
}

/// Logs a reply line by line, control characters escaped (every log sink gets safe text).
pub(crate) fn log_reply(log: &dyn ProtocolLog, reply: &Reply) {
    match reply.lines.as_slice() {
        [only] => log.log(LogKind::Reply, &format!("{} {}", reply.code, escape(only))),
        lines => {
            for (i, line) in lines.iter().enumerate() {
                let sep = if i + 1 == lines.len() { ' ' } else { '-' };
                let line = escape(line);
                if i == 0 || i + 1 == lines.len() {
                    log.log(LogKind::Reply, &format!("{}{sep}{line}", reply.code));
                } else {
                    log.log(LogKind::Reply, &line);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_and_acct_are_masked_whatever_the_case() {
        assert_eq!(masked_command("PASS hunter2"), "PASS ****");
        assert_eq!(masked_command("pass hunter2"), "PASS ****");
        assert_eq!(masked_command("ACCT secret"), "ACCT ****");
        assert_eq!(masked_command("PASS"), "PASS ****");
        assert_eq!(masked_command("USER alice"), "USER alice");
        assert_eq!(masked_command("PASSIVE x"), "PASSIVE x");
    }
}
