//! The window's inbox: every worker thread reports here, and each report wakes the window
//! (`request_repaint`), which drains the inbox at the start of the next frame. One channel, one
//! enum: the window's state changes in one place, on its own thread.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, OnceLock};

use crate::transfer::{BrowseResult, Event};

use super::connection::{LogLine, Outcome};
use super::files::FileRow;

/// A report from a worker.
pub(crate) enum UiEvent {
    /// A connection attempt ended.
    /// How connection attempt number `.0` ended (the window ignores attempts it cancelled).
    Connect(u64, Outcome),
    /// The browse worker of tab `tab`'s connection answered request `id`.
    Browse {
        tab: u64,
        id: u64,
        result: BrowseResult,
    },
    /// The transfer engine of tab `tab`'s connection said something.
    Engine { tab: u64, event: Event },
    /// A local folder was read for tab `tab`.
    LocalListing {
        tab: u64,
        id: u64,
        path: PathBuf,
        rows: Result<Vec<FileRow>, String>,
    },
    /// A local file operation (rename, delete, new folder) finished: refresh the local pane.
    LocalChanged {
        tab: u64,
        result: Result<String, String>,
    },
    /// A protocol log line.
    Log(LogLine),
    /// A background job (keychain, import, file dialog) finished, with a message for the user.
    Notice(Result<String, String>),
    /// The FileZilla import's file dialog returned a file (or was cancelled).
    ImportFile(Option<PathBuf>),
    /// Files dropped onto the remote pane, looked at on a worker: each with its size, or None
    /// for a folder, or why it cannot be read. `remote_dir` is where they were dropped.
    Dropped {
        tab: u64,
        remote_dir: String,
        files: Vec<(PathBuf, Result<Option<u64>, String>)>,
    },
    /// The site file, read or changed for the Site Manager (`done`: what follows a change).
    SiteStore {
        result: Result<crate::sites::store::SiteStore, String>,
        done: Option<super::site_manager::StoreJobDone>,
    },
    /// The private folder of a View/Edit download was made (`local`: the copy's path), or
    /// could not be: queue the download from `server`.
    EditReady {
        tab: u64,
        server: String,
        item: Box<crate::transfer::NewItem>,
        local: Result<PathBuf, String>,
    },
    /// A file opened with View/Edit was saved by its program.
    ExternalChange(PathBuf),
    /// Tab `tab`'s watched folder changed (keep the server up to date).
    Watched {
        tab: u64,
        /// Which watch (a stopped one may still report while it winds down).
        watch: u64,
        change: crate::transfer::watch::Change,
    },
    /// The connection doctor is done (the window shows it).
    Diagnosed(Result<Box<crate::client::doctor::Diagnosis>, String>),
    /// The saved sites, read for the Sites menu.
    MenuSites(Vec<crate::sites::Site>),
}

/// The longest a queue's progress waits to be drawn.
const CHATTER_FRAME: std::time::Duration = std::time::Duration::from_millis(50);

/// Sending side, cloned into every worker.
#[derive(Clone)]
pub(crate) struct Inbox {
    sender: Sender<UiEvent>,
    /// The window's context, known from its first frame; used to wake it.
    ctx: Arc<OnceLock<egui::Context>>,
}

impl Inbox {
    /// A new inbox and its receiving end (kept by the window).
    pub(crate) fn new() -> (Inbox, Receiver<UiEvent>) {
        let (sender, receiver) = mpsc::channel();
        (
            Inbox {
                sender,
                ctx: Arc::new(OnceLock::new()),
            },
            receiver,
        )
    }

    /// Tells the inbox which context to wake.
    pub(crate) fn set_context(&self, ctx: &egui::Context) {
        let _ = self.ctx.set(ctx.clone());
    }

    /// Delivers `event` and wakes the window: at once for what the user waits for, within
    /// [`CHATTER_FRAME`] for the steady stream of a running queue (progress, log lines), so a
    /// busy transfer draws about 20 frames a second instead of one per event (under software
    /// rendering each frame costs real CPU). False when the window is gone.
    pub(crate) fn send(&self, event: UiEvent) -> bool {
        let chatter = matches!(
            &event,
            UiEvent::Log(_)
                | UiEvent::Engine {
                    event: Event::Progress { .. }
                        | Event::State { .. }
                        | Event::Totals(_)
                        | Event::Log(_)
                        | Event::Added { .. },
                    ..
                }
        );
        let delivered = self.sender.send(event).is_ok();
        if chatter {
            self.wake_after(CHATTER_FRAME);
        } else {
            self.wake();
        }
        delivered
    }

    /// Asks for a frame.
    pub(crate) fn wake(&self) {
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint();
        }
    }

    /// Asks for a frame after `delay` (a timed refresh).
    pub(crate) fn wake_after(&self, delay: std::time::Duration) {
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint_after(delay);
        }
    }
}
