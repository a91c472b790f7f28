//! The queue as data: items, jobs, states and policies. Pure, serialisable, no I/O, so the
//! window, the command line and the persistence all share one picture of it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::ftp::ErrorClass;

/// Which way a file moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Server to this computer.
    Download,
    /// This computer to the server.
    Upload,
}

/// Where an item is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemState {
    /// Waiting for a worker.
    Queued,
    /// Waiting for the user to answer a file-exists question.
    Asking,
    /// A worker is moving it.
    Active,
    /// Stopped by the user; partial data kept for resume.
    Paused,
    /// Complete and verified.
    Done,
    /// Gave up after its retries; `last_error` says why.
    Failed,
    /// Stopped by the user; partial data removed.
    Cancelled,
    /// Not transferred, by policy (the target existed).
    Skipped,
}

impl ItemState {
    /// Finished one way or another: nothing more will happen unless the user retries.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            ItemState::Done | ItemState::Failed | ItemState::Cancelled | ItemState::Skipped
        )
    }
}

/// What to do when the target of a transfer already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileExistsPolicy {
    /// Ask the user (the item waits; others continue).
    Ask,
    /// Replace it.
    Overwrite,
    /// Replace it if the source is newer.
    OverwriteIfNewer,
    /// Replace it if the sizes differ (what a re-run of an interrupted copy wants).
    OverwriteIfSizeDiffers,
    /// Continue it from its current size (REST / APPE).
    Resume,
    /// Keep both: write `name (1).ext`.
    Rename,
    /// Leave it and skip the item.
    Skip,
}

/// One file to move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Unique within the queue.
    pub id: u64,
    /// The job (a folder transfer, or one file) it belongs to.
    pub job: u64,
    /// Download or upload.
    pub direction: Direction,
    /// The local file (already checked to lie inside the chosen local folder).
    pub local: PathBuf,
    /// The remote path.
    pub remote: String,
    /// The source's size, when known (listing or local metadata).
    pub size: Option<u64>,
    /// The source's modification time (Unix seconds), when known.
    pub modified: Option<i64>,
    /// Whether `modified` is exact (UTC to the second: local files, MLSD, MDTM); LIST times are
    /// in the server's zone and may be to the minute only.
    #[serde(default)]
    pub modified_exact: bool,
    /// Where it is.
    pub state: ItemState,
    /// Bytes of the target that are written so far (including a resumed part).
    pub bytes_done: u64,
    /// Attempts made.
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// What kind of failure that was (exit codes, and whether retrying can help).
    #[serde(default)]
    pub error_class: Option<ErrorClass>,
    /// Higher runs first; equal priorities run in queue order.
    pub priority: i32,
    /// Under the file-exists policy "rename": the target this item writes (`local` for a
    /// download, `remote` for an upload, a new name when the first one was taken) is its own,
    /// made by an earlier attempt. A retry continues or replaces it; it never picks yet another
    /// name, and never continues or replaces the file the user kept under the first name.
    #[serde(default)]
    pub own_target: bool,
}

/// A group of items added together: a folder transfer is one job of many items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Unique within the queue.
    pub id: u64,
    /// What the user sees ("Download /www to ~/site").
    pub label: String,
    /// File-exists policy for its items; `Ask` until the user answers "apply to all".
    pub on_exists: FileExistsPolicy,
}

/// An item to add: the queue assigns ids and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    /// Download or upload.
    pub direction: Direction,
    /// The local file.
    pub local: PathBuf,
    /// The remote path.
    pub remote: String,
    /// The source's size, if known.
    pub size: Option<u64>,
    /// The source's modification time (Unix seconds), if known.
    pub modified: Option<i64>,
    /// Whether `modified` is exact (see [`Item::modified_exact`]).
    pub modified_exact: bool,
}
