//! Files opened in other programs (View/Edit): the system's "open with the default app", and
//! a watcher thread that notices when such a file is saved, so the window can offer to upload
//! it. Both run off the UI thread: starting a program and reading file times touch the disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, SystemTime};

use super::inbox::{Inbox, UiEvent};

/// Opens a file with the program the system associates with it. Called on a worker thread;
/// tests give one that records what it was asked.
pub type Opener = Arc<dyn Fn(&Path) -> Result<(), String> + Send + Sync>;

/// The platform's own: `xdg-open` on Linux and the BSDs, `open` on macOS, `start` on Windows.
pub fn system_opener() -> Opener {
    Arc::new(|path: &Path| {
        let mut command = if cfg!(windows) {
            let mut c = std::process::Command::new("cmd");
            // The empty title: `start` takes a first quoted argument as the window's title.
            c.args(["/C", "start", ""]).arg(path);
            c
        } else if cfg!(target_os = "macos") {
            let mut c = std::process::Command::new("open");
            c.arg(path);
            c
        } else {
            let mut c = std::process::Command::new("xdg-open");
            c.arg(path);
            c
        };
        let program = format!("{:?}", command.get_program());
        let status = command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| {
                let hint = if cfg!(any(windows, target_os = "macos")) {
                    ""
                } else {
                    " (xdg-open comes with xdg-utils)"
                };
                format!("cannot run {program}: {e}{hint}")
            })?;
        if status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} found no program for it ({status}); open it yourself from {}",
                path.parent()
                    .map(Path::display)
                    .map_or(String::new(), |d| d.to_string())
            ))
        }
    })
}

/// Opens `path` on a worker thread; a failure comes back as a notice.
pub(crate) fn open_in_background(opener: &Opener, path: PathBuf, inbox: &Inbox) {
    let opener = opener.clone();
    let inbox = inbox.clone();
    let _ = std::thread::Builder::new()
        .name("ferry-open".into())
        .spawn(move || {
            if let Err(e) = opener(&path) {
                inbox.send(UiEvent::Notice(Err(format!(
                    "Cannot open {}: {e}",
                    path.display()
                ))));
            }
        });
}

/// How often watched files are looked at.
const POLL: Duration = Duration::from_millis(400);

/// A file's identity for change detection: modification time and length.
type Stamp = (Option<SystemTime>, u64);

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok(), meta.len()))
}

/// Watches files opened for editing; each save (a new modification time or length) becomes
/// [`UiEvent::ExternalChange`]. The thread ends when the watcher is dropped.
pub(crate) struct Watcher {
    files: Sender<(PathBuf, AfterBaseline)>,
}

/// What runs once a file's baseline is taken (opening it): a save that follows can then
/// never be mistaken for the baseline.
type AfterBaseline = Box<dyn FnOnce() + Send>;

impl Watcher {
    /// Starts the watching thread.
    pub(crate) fn start(inbox: Inbox) -> Watcher {
        let (files, incoming) = mpsc::channel::<(PathBuf, AfterBaseline)>();
        let _ = std::thread::Builder::new()
            .name("ferry-watch".into())
            .spawn(move || {
                let mut watched: HashMap<PathBuf, Option<Stamp>> = HashMap::new();
                loop {
                    match incoming.recv_timeout(POLL) {
                        Ok((path, then)) => {
                            let now = stamp(&path);
                            watched.insert(path, now);
                            then();
                            continue;
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                    for (path, seen) in &mut watched {
                        let now = stamp(path);
                        // A file being replaced (save to a temporary, rename) is briefly
                        // missing: that is not a change yet.
                        if now.is_some() && now != *seen {
                            *seen = now;
                            if !inbox.send(UiEvent::ExternalChange(path.clone())) {
                                return;
                            }
                        }
                    }
                }
            });
        Watcher { files }
    }

    /// Watches `path` and opens it in its application once the baseline is taken.
    pub(crate) fn watch_and_open(&self, path: PathBuf, opener: &Opener, inbox: &Inbox) {
        let (opener, inbox, file) = (opener.clone(), inbox.clone(), path.clone());
        let open: AfterBaseline = Box::new(move || open_in_background(&opener, file, &inbox));
        let _ = self.files.send((path, open));
    }
}
