//! The subcommands: each parses its URL, opens a session, does one thing, and quits.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::connect::{load_trust, open_session};
use super::target::resolve;
use super::{Command, Failure, GlobalOptions, TrustCommand, printable};
use crate::ftp::{Entry, EntryKind, Session, path};
use crate::tls::CertInfo;
use crate::transfer::sync::{SyncDirection, SyncOptions};

/// Runs one subcommand.
pub(crate) fn run(global: &GlobalOptions, command: Command) -> Result<(), Failure> {
    match command {
        Command::Ls { url, long } => {
            let url = resolve(&url, global)?;
            let mut session = open_session(&url, global)?;
            let dir = (!url.path.is_empty()).then_some(url.path.as_str());
            let mut entries = session.list(dir)?;
            entries.sort_by(|a, b| {
                (a.kind != EntryKind::Dir, &a.name).cmp(&(b.kind != EntryKind::Dir, &b.name))
            });
            print_listing(&entries, long);
            quit(session)
        }
        Command::Sync {
            local,
            url,
            direction,
            delete,
            dry_run,
            size_only,
            checksum,
            time_offset,
            parallel,
            retries,
            follow_symlinks,
        } => {
            let url = resolve(&url, global)?;
            let direction = match direction {
                super::SyncDirectionArg::Upload => SyncDirection::Upload,
                super::SyncDirectionArg::Download => SyncDirection::Download,
                super::SyncDirectionArg::Both => SyncDirection::Both,
            };
            if delete && direction == SyncDirection::Both {
                return Err(Failure::usage(
                    "--delete needs --direction upload or download: both ways, a file missing on one side may be new on the other",
                ));
            }
            let mut options = SyncOptions::new(direction);
            options.delete = delete;
            options.size_only = size_only;
            options.checksum = checksum;
            options.remote_offset_seconds = time_offset.unwrap_or(url.time_offset_seconds);
            let request = super::sync::SyncRequest {
                local: &local,
                options,
                dry_run,
                parallel,
                retries,
                follow_symlinks,
            };
            super::sync::run(&request, &url, global)
        }
        Command::Get {
            url, local, batch, ..
        } if batch.recursive => {
            let url = resolve(&url, global)?;
            super::batch::get_recursive(&url, local.as_deref(), &batch, global)
        }
        Command::Put {
            local, url, batch, ..
        } if batch.recursive => {
            let url = resolve(&url, global)?;
            super::batch::put_recursive(&local, &url, &batch, global)
        }
        Command::Get {
            url,
            local,
            resume,
            batch,
        } => {
            let url = resolve(&url, global)?;
            let name = path::file_name(&url.path);
            if name.is_empty() {
                return Err(Failure::usage("the URL names no file to download"));
            }
            let target = local_target(local.as_deref(), name)?;
            super::batch::get_file(&url, &target, resume, &batch, global)
        }
        Command::Put {
            local,
            url,
            resume,
            batch,
        } => {
            let url = resolve(&url, global)?;
            let remote = if url.path.is_empty() || url.path.ends_with('/') {
                let name = local
                    .file_name()
                    .and_then(|n| n.to_str())
                    .ok_or_else(|| Failure::usage("the local path names no file"))?;
                path::join(&url.path, name)
            } else {
                url.path.clone()
            };
            super::batch::put_file(&local, &url, &remote, resume, &batch, global)
        }
        Command::Mkdir { url } => simple(global, &url, |s, p| s.mkdir(p).map(drop)),
        Command::Rm { url } => simple(global, &url, |s, p| s.delete(p)),
        Command::Rmdir { url } => simple(global, &url, |s, p| s.rmdir(p)),
        Command::Mv { url, new_path } => simple(global, &url, |s, p| s.rename(p, &new_path)),
        Command::Doctor { url, json } => {
            let target = resolve(&url, global)?;
            super::connect::doctor(&target, global, json)
        }
        Command::Completions { shell } => super::docs::completions(shell),
        Command::Manpage { dir } => super::docs::manpages(dir.as_deref()),
        Command::Sites(command) => super::sites::run(global, *command),
        Command::Trust(TrustCommand::List) => trust_list(global),
        Command::Trust(TrustCommand::Rm { target }) => trust_rm(global, &target),
    }
}

fn trust_list(global: &GlobalOptions) -> Result<(), Failure> {
    let trust = load_trust(global)?;
    let pins = trust.pins();
    if pins.is_empty() {
        eprintln!("No remembered certificates.");
    }
    let mut out = std::io::stdout().lock();
    for pin in pins {
        let target = if pin.host.contains(':') {
            format!("[{}]:{}", pin.host, pin.port)
        } else {
            format!("{}:{}", pin.host, pin.port)
        };
        let line = format!(
            "{target}  SHA256:{}  {}  (accepted {}, valid until {})",
            pin.sha256,
            pin.subject,
            CertInfo::format_time(pin.accepted_at),
            CertInfo::format_time(pin.not_after)
        );
        if writeln!(out, "{}", printable(&line)).is_err() {
            break;
        }
    }
    Ok(())
}

fn trust_rm(global: &GlobalOptions, target: &str) -> Result<(), Failure> {
    let (host, port) = parse_host_port(target).ok_or_else(|| {
        Failure::usage(format!(
            "{target:?}: write HOST:PORT as shown by `ferry trust list`, e.g. ftp.example.com:21 or [::1]:990"
        ))
    })?;
    let trust = load_trust(global)?;
    match trust
        .forget(&host, port)
        .map_err(|e| Failure::local(e.to_string()))?
    {
        Some(pin) => {
            eprintln!(
                "Forgot the certificate of {target} (SHA256:{}).",
                pin.sha256
            );
            Ok(())
        }
        None => Err(Failure::usage(format!(
            "no remembered certificate for {target}"
        ))),
    }
}

fn parse_host_port(target: &str) -> Option<(String, u16)> {
    let (host, port) = match target.strip_prefix('[') {
        Some(rest) => {
            let (host, port) = rest.split_once("]:")?;
            (host, port)
        }
        None => target.rsplit_once(':')?,
    };
    let port = port.parse().ok().filter(|p| *p > 0)?;
    (!host.is_empty()).then(|| (host.to_ascii_lowercase(), port))
}

fn simple(
    global: &GlobalOptions,
    url: &str,
    op: impl FnOnce(&mut Session, &str) -> crate::ftp::Result<()>,
) -> Result<(), Failure> {
    let url = resolve(url, global)?;
    if url.path.is_empty() {
        return Err(Failure::usage("the URL names no remote path"));
    }
    let mut session = open_session(&url, global)?;
    op(&mut session, &url.path)?;
    quit(session)
}

fn quit(session: Session) -> Result<(), Failure> {
    // The work is done; a server that closes rudely on QUIT is no failure of the user's.
    let _ = session.quit();
    Ok(())
}

fn print_listing(entries: &[Entry], long: bool) {
    let mut out = std::io::stdout().lock();
    for e in entries {
        let suffix = match e.kind {
            EntryKind::Dir => "/",
            _ => "",
        };
        let line = if long {
            let kind = match e.kind {
                EntryKind::Dir => 'd',
                EntryKind::Symlink => 'l',
                EntryKind::File => '-',
                EntryKind::Other => '?',
            };
            let size = e.size.map(|s| s.to_string()).unwrap_or_default();
            let modified = e.modified.map(|t| t.to_string()).unwrap_or_default();
            let perms = e.permissions.as_deref().unwrap_or("");
            let link = e
                .link_target
                .as_ref()
                .map(|t| format!(" -> {t}"))
                .unwrap_or_default();
            format!(
                "{kind} {perms:<11} {size:>12} {modified:<19} {}{suffix}{link}",
                e.name
            )
        } else {
            format!("{}{suffix}", e.name)
        };
        // Names come from the server: never let one move the cursor or rewrite the screen.
        if writeln!(out, "{}", printable(&line)).is_err() {
            return; // stdout closed (e.g. piped into head): stop quietly
        }
    }
}

/// Where a download goes: into `local` if it is a directory, else `local` itself, else the
/// current directory. The remote name is checked so it cannot escape the chosen directory.
fn local_target(local: Option<&Path>, remote_name: &str) -> Result<PathBuf, Failure> {
    let safe = remote_name != "."
        && remote_name != ".."
        && !remote_name.contains(['/', '\\', '\0'])
        && !remote_name.chars().any(char::is_control);
    let in_dir = |dir: &Path| -> Result<PathBuf, Failure> {
        if !safe {
            return Err(Failure::usage(format!(
                "the remote name {remote_name:?} is not a safe local file name; give a local file name"
            )));
        }
        Ok(dir.join(remote_name))
    };
    match local {
        None => in_dir(Path::new(".")),
        Some(p) if p.is_dir() => in_dir(p),
        Some(p) => Ok(p.to_owned()),
    }
}
