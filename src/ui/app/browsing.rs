//! The panes: listings (local on workers, remote on the browse worker), what the panes and
//! the keyboard ask for, transfers queued from them, local file operations on workers.

use super::*;
use crate::ui::drives;

impl FerryApp {
    pub(super) fn browse_result(&mut self, id: u64, result: BrowseResult) {
        let purpose = self.tab.purposes.remove(&id);
        match (purpose, result) {
            (Some(Purpose::List(_)), BrowseResult::Listing { path, entries }) => {
                let rows: Vec<FileRow> = entries.iter().map(FileRow::from_entry).collect();
                self.tab.remote_cache.insert(path.clone(), rows.clone());
                if id == self.tab.latest_remote_list {
                    self.tab.remote.loading = false;
                    self.tab.remote.show_folder(&path, rows);
                }
            }
            (Some(Purpose::List(path)), BrowseResult::Failed(e))
                if id == self.tab.latest_remote_list =>
            {
                self.tab.remote.loading = false;
                if self.unlink_after_failure(&path, &e.to_string()) {
                    // The pane stays in the folder it showed.
                    self.tab.remote.path_edit = self.tab.remote.path.clone();
                } else {
                    self.tab.remote.error = Some(format!("{path}: {e}"));
                    self.tab.remote.path = path;
                }
            }
            (Some(Purpose::List(_)), BrowseResult::Failed(_)) => {}
            (Some(Purpose::Change(what)), BrowseResult::Done) => {
                self.report(Ok(what));
                self.refresh_remote_now();
            }
            (Some(Purpose::Change(what)), BrowseResult::Failed(e)) => {
                self.report(Err(format!("{what} failed: {e}")));
                self.refresh_remote_now();
            }
            (Some(purpose), BrowseResult::Walking(progress)) => {
                // More answers follow: the plan or the comparison itself.
                self.walking(&purpose, progress);
                self.tab.purposes.insert(id, purpose);
            }
            (Some(Purpose::Plan), BrowseResult::Planned(plan)) => {
                for skipped in &plan.skipped {
                    self.log.push(LogLine::now(
                        LogKind::Info,
                        format!("Not transferred: {skipped}"),
                    ));
                }
                for failed in &plan.failed {
                    self.log.push(LogLine::now(
                        LogKind::Error,
                        format!("Could not list {failed}; its files are not transferred"),
                    ));
                }
                let unlisted = plan.failed.len();
                if unlisted > 0 {
                    self.report(Err(format!(
                        "{}: {unlisted} folder(s) could not be listed (see the log); the rest is queued",
                        plan.label
                    )));
                } else if self
                    .tab
                    .status
                    .as_ref()
                    .is_some_and(|s| s.text.starts_with("Listing…"))
                {
                    self.tab.status = None; // the walk's progress, done
                }
                if let Some(live) = &self.tab.conn.live {
                    if plan.items.is_empty() && unlisted == 0 {
                        self.report(Ok(format!("{}: nothing to transfer", plan.label)));
                    } else {
                        live.engine.send(Command::Add {
                            label: plan.label,
                            on_exists: self.prefs.settings.on_exists,
                            items: plan.items,
                        });
                    }
                }
                // The plan created folders on one side or the other.
                self.tab.refresh_remote = true;
                self.tab.refresh_local = true;
            }
            (Some(Purpose::Find), BrowseResult::Found { matches, progress }) => {
                if !progress.finished {
                    self.tab.purposes.insert(id, Purpose::Find);
                }
                self.search_found(id, matches, progress);
            }
            (Some(Purpose::Find), BrowseResult::Failed(e)) => self.search_failed(id, e.to_string()),
            (Some(Purpose::SyncPreview), BrowseResult::SyncPreview(preview)) => {
                self.sync_compared(id, Ok(preview));
            }
            (Some(Purpose::SyncApply), BrowseResult::SyncApplied { plan, refused }) => {
                self.sync_applied(plan, refused);
            }
            // Stopped from the dialog, which said so then.
            (Some(Purpose::SyncPreview), BrowseResult::Failed(crate::ftp::FtpError::Cancelled)) => {
            }
            (Some(Purpose::SyncPreview | Purpose::SyncApply), BrowseResult::Failed(e)) => {
                self.sync_failed(id, e.to_string());
            }
            (Some(Purpose::SyncPreview | Purpose::SyncApply), BrowseResult::NotConnected(e)) => {
                self.sync_failed(id, format!("not connected: {e}"));
            }
            (Some(Purpose::KeepUpToDate), BrowseResult::Planned(plan)) => {
                self.watched_folder_planned(plan);
            }
            (Some(Purpose::TimeOffset), BrowseResult::TimeOffset(offset)) => {
                self.time_offset_detected(Ok(offset));
            }
            (Some(Purpose::TimeOffset), BrowseResult::Failed(e)) => {
                self.time_offset_detected(Err(e.to_string()));
            }
            (Some(Purpose::TimeOffset), BrowseResult::NotConnected(e)) => {
                self.time_offset_detected(Err(format!("not connected: {e}")));
            }
            (Some(Purpose::Find), BrowseResult::NotConnected(e)) => {
                self.search_failed(id, format!("not connected: {e}"));
            }
            (_, BrowseResult::Failed(e)) => self.report(Err(e.to_string())),
            (_, BrowseResult::NotConnected(e)) => {
                self.tab.remote.loading = false;
                self.report(Err(format!("Lost the connection: {e}")));
            }
            _ => {}
        }
    }

    /// How far a walk got: on the status line while a folder transfer is planned, in the
    /// Synchronize dialog while it compares.
    fn walking(&mut self, purpose: &Purpose, progress: crate::transfer::walk::WalkProgress) {
        match purpose {
            Purpose::SyncPreview => {
                if let Some(dialog) = &mut self.tab.sync_dialog {
                    dialog.walked = Some(progress);
                }
            }
            Purpose::Plan => {
                self.tab.status = Some(Status {
                    text: format!(
                        "Listing… {} folders, {} files",
                        progress.folders, progress.files
                    ),
                    error: false,
                    retry: false,
                });
            }
            // A watched folder's plan runs in the background: no progress shown.
            _ => {}
        }
    }

    pub(super) fn engine_event(&mut self, event: Event) {
        if let Event::Log(text) = &event {
            self.log.push(LogLine::now(LogKind::Info, text.as_str()));
        }
        self.tab.queue.apply(&event);
        // A View/Edit download that ended: open its copy (or forget it).
        if let Event::State { id, state, .. } = &event
            && matches!(state, ItemState::Done | ItemState::Failed)
            && let Some(local) = self
                .tab
                .queue
                .item(*id)
                .filter(|i| i.direction == Direction::Download)
                .map(|i| i.local.clone())
            && self.edits_downloading(&local)
        {
            self.edit_downloaded(&local, *state == ItemState::Done);
        }
        match event {
            Event::State {
                id,
                state: ItemState::Done,
                ..
            } => {
                if let Some(item) = self.tab.queue.item(id) {
                    match item.direction {
                        Direction::Download => {
                            self.tab.refresh_local |=
                                item.local.parent() == Some(Path::new(&self.tab.local.path))
                        }
                        Direction::Upload => {
                            self.tab.refresh_remote |=
                                remote_path::parent(&item.remote) == self.tab.remote.path
                        }
                    }
                }
            }
            Event::State {
                id,
                state: ItemState::Failed,
                error: Some(error),
            } => {
                let name = self
                    .tab
                    .queue
                    .item(id)
                    .map(|i| i.remote.clone())
                    .unwrap_or_default();
                self.log
                    .push(LogLine::now(LogKind::Error, format!("{name}: {error}")));
            }
            Event::Question {
                id,
                target,
                existing_size,
                source_size,
            } => self.ask(Dialog::Exists {
                item: id,
                target,
                existing: existing_size,
                source: source_size,
                for_job: false,
            }),
            Event::Idle => self.auto_refresh_now(),
            Event::ConnectionLimit(n) => self.log.push(LogLine::now(
                LogKind::Info,
                format!(
                    "The server allows {n} connection(s) at a time; the other transfers wait and try again later. Set \"Connections\" of the site to {n} to avoid the retries."
                ),
            )),
            _ => {}
        }
    }

    /// Refreshes panes that received files, at most once a second while transfers run.
    pub(super) fn auto_refresh(&mut self) {
        if (self.tab.refresh_local || self.tab.refresh_remote)
            && self.tab.last_auto_refresh.elapsed() > Duration::from_secs(1)
        {
            self.auto_refresh_now();
        }
        if self.tab.refresh_local || self.tab.refresh_remote {
            self.inbox.wake_after(Duration::from_millis(500));
        }
    }

    pub(super) fn auto_refresh_now(&mut self) {
        self.tab.last_auto_refresh = Instant::now();
        if std::mem::take(&mut self.tab.refresh_local) {
            let path = self.tab.local.path.clone();
            self.list_local(&path);
        }
        if std::mem::take(&mut self.tab.refresh_remote) {
            self.refresh_remote_now();
        }
    }

    pub(super) fn list_local(&mut self, path: &str) {
        self.tab.local_list_seq += 1;
        let id = self.tab.local_list_seq;
        let tab = self.tab.id;
        self.tab.latest_local_list = id;
        self.tab.local.loading = true;
        let path = PathBuf::from(path);
        let inbox = self.inbox.clone();
        let spawned = std::thread::Builder::new()
            .name("ferry-local-list".into())
            .spawn(move || {
                let (path, rows) = if drives::is_drive_list(&path.to_string_lossy()) {
                    // Not canonicalized: it is no folder, and relative it would name one.
                    (path, Ok(drives::list_drives()))
                } else {
                    let rows = read_local_dir(&path);
                    (crate::paths::canonical(&path).unwrap_or(path), rows)
                };
                inbox.send(UiEvent::LocalListing {
                    tab,
                    id,
                    path,
                    rows,
                });
            });
        if spawned.is_err() {
            self.tab.local.loading = false;
            self.tab.local.error = Some("cannot start a thread".into());
        }
    }

    pub(super) fn list_remote(&mut self, path: &str) {
        let Some(live) = &mut self.tab.conn.live else {
            return;
        };
        if let Some(rows) = self.tab.remote_cache.get(path) {
            self.tab.remote.show_folder(path, rows.clone());
        } else {
            self.tab.remote.path_edit = path.to_owned();
        }
        let id = live.browser.request(BrowseRequest::List(path.to_owned()));
        self.tab.purposes.insert(id, Purpose::List(path.to_owned()));
        self.tab.latest_remote_list = id;
        self.tab.remote.loading = true;
    }

    pub(super) fn refresh_remote_now(&mut self) {
        if self.tab.conn.live.is_some() {
            let path = self.tab.remote.path.clone();
            self.tab.remote_cache.remove(&path);
            self.list_remote(&path);
        }
    }

    /// Sends `request` to the browse worker, remembering what it is for; its id, if connected.
    pub(super) fn browse(&mut self, request: BrowseRequest, purpose: Purpose) -> Option<u64> {
        let live = self.tab.conn.live.as_mut()?;
        let id = live.browser.request(request);
        self.tab.purposes.insert(id, purpose);
        Some(id)
    }

    pub(super) fn apply(&mut self, side: Side, action: PaneAction, ctx: &egui::Context) {
        if side == Side::Local && self.tab.local.shows_drives() && !action.works_on_drive_list() {
            return self.report(Err(drives::OPEN_A_DRIVE_FIRST.into()));
        }
        match action {
            PaneAction::Activate => self.tab.active = side,
            PaneAction::Open(path) => self.open(side, path),
            PaneAction::OpenRow(name) => {
                let path = self.pane(side).child_path(&name);
                self.open(side, path);
            }
            PaneAction::Up => {
                if let Some(path) = self.pane(side).parent_path() {
                    self.open(side, path);
                }
            }
            PaneAction::Refresh => match side {
                Side::Local => {
                    let path = self.tab.local.path.clone();
                    self.list_local(&path);
                }
                Side::Remote => self.refresh_remote_now(),
            },
            PaneAction::Home => match side {
                Side::Local => self.list_local(&home_dir().to_string_lossy()),
                Side::Remote => {
                    if let Some(home) = self.tab.conn.live.as_ref().map(|l| l.home.clone()) {
                        self.list_remote(&home);
                    }
                }
            },
            PaneAction::Transfer(rows) => self.transfer(side, rows, None),
            PaneAction::Dropped {
                dragged: DraggedRows { from, rows },
                into,
            } => self.transfer(from, rows, into),
            PaneAction::Rename(row) => {
                self.ask(Dialog::Rename {
                    side,
                    from: row.name.clone(),
                    to: row.name,
                    fresh: true,
                });
            }
            PaneAction::Delete(rows) => {
                if !rows.is_empty() {
                    self.ask(Dialog::ConfirmDelete { side, rows });
                }
            }
            PaneAction::Permissions(rows) => {
                if let Some(first) = rows.first() {
                    let shown = first.permissions.clone();
                    let names = rows.into_iter().map(|r| r.name).collect();
                    self.ask(Dialog::Permissions(Box::new(
                        crate::ui::permissions::PermissionsForm::new(side, names, &shown),
                    )));
                }
            }
            PaneAction::NewFolder => {
                self.ask(Dialog::NewFolder {
                    side,
                    name: String::new(),
                    fresh: true,
                });
            }
            PaneAction::Find => self.open_search(),
            PaneAction::ViewEdit(row) => self.view_edit(side, row),
            PaneAction::CopyPath(path) => ctx.copy_text(path),
        }
    }

    pub(super) fn pane(&self, side: Side) -> &Pane {
        match side {
            Side::Local => &self.tab.local,
            Side::Remote => &self.tab.remote,
        }
    }

    pub(super) fn pane_mut(&mut self, side: Side) -> &mut Pane {
        match side {
            Side::Local => &mut self.tab.local,
            Side::Remote => &mut self.tab.remote,
        }
    }

    pub(super) fn open(&mut self, side: Side, path: String) {
        if path.is_empty() {
            return;
        }
        let path = match side {
            Side::Local if cfg!(windows) => drives::typed_windows_path(&path),
            _ => path,
        };
        match side {
            Side::Local => self.list_local(&path),
            Side::Remote => self.list_remote(&path),
        }
        self.follow(side, &path);
    }

    /// Moves `rows` of pane `from` to the folder shown in the other pane, through the queue.
    /// Queues `rows` of the `from` pane for the other pane's folder, or for its child folder
    /// `into` (rows dropped onto a folder row).
    pub(super) fn transfer(&mut self, from: Side, rows: Vec<FileRow>, into: Option<String>) {
        if self.tab.conn.live.is_none() {
            self.report(Err("Connect to a server first.".into()));
            return;
        }
        let Some(mut local_dir) = self.local_folder() else {
            return;
        };
        let mut remote_dir = self.tab.remote.path.clone();
        match (&into, from) {
            (Some(folder), Side::Local) => remote_dir = self.tab.remote.child_path(folder),
            (Some(folder), Side::Remote) => local_dir = local_dir.join(folder),
            (None, _) => {}
        }
        self.transfer_rows(from, rows, &local_dir, &remote_dir);
    }

    /// The folder the local pane shows, for files to come from or go to; None, and the user
    /// told why, while it lists the drives.
    pub(super) fn local_folder(&mut self) -> Option<PathBuf> {
        if self.tab.local.shows_drives() {
            self.report(Err(drives::OPEN_A_DRIVE_FIRST.into()));
            return None;
        }
        Some(PathBuf::from(&self.tab.local.path))
    }

    /// Queues `rows` of `from` between `local_dir` and `remote_dir` (folders are planned by
    /// the browse worker first).
    pub(super) fn transfer_rows(
        &mut self,
        from: Side,
        rows: Vec<FileRow>,
        local_dir: &Path,
        remote_dir: &str,
    ) {
        let mut items = Vec::new();
        // Selected remote names that become one local name (`a:b` and `a?b`) each get their
        // own. No probe of the local disk here (the UI thread does no disk I/O): the
        // platform's usual case rule.
        let mut local_names = names::LocalNames::new(cfg!(any(windows, target_os = "macos")));
        let remote_names: Vec<String> = rows
            .iter()
            .filter(|r| from == Side::Remote && !r.is_container())
            .map(|r| r.name.clone())
            .collect();
        let (_, mut places) = local_names.assign(&[], &remote_names);
        places.reverse();
        for row in rows {
            match from {
                Side::Local => {
                    let local = local_dir.join(&row.name);
                    let remote = remote_path::join(remote_dir, &row.name);
                    if row.is_container() {
                        self.browse(BrowseRequest::PlanUpload { local, remote }, Purpose::Plan);
                    } else {
                        items.push(NewItem {
                            direction: Direction::Upload,
                            local,
                            remote,
                            size: row.size,
                            modified: row.modified,
                            modified_exact: row.modified_exact,
                        });
                    }
                }
                Side::Remote => {
                    let remote = remote_path::join(remote_dir, &row.name);
                    let place = if row.is_container() {
                        names::checked_target(local_dir, &row.name)
                    } else {
                        places
                            .pop()
                            .unwrap_or_else(|| Err("no local name".into()))
                            .and_then(|a| names::checked_local(local_dir, &a.local, &row.name))
                    };
                    let local = match place {
                        Ok(p) => p,
                        Err(why) => {
                            self.report(Err(format!(
                                "{}: not a safe local name ({why})",
                                row.name
                            )));
                            continue;
                        }
                    };
                    if row.is_container() {
                        self.browse(BrowseRequest::PlanDownload { remote, local }, Purpose::Plan);
                    } else {
                        items.push(NewItem {
                            direction: Direction::Download,
                            local,
                            remote,
                            size: row.size,
                            modified: row.modified,
                            modified_exact: row.modified_exact,
                        });
                    }
                }
            }
        }
        self.queue_items(from, items);
    }

    pub(super) fn queue_items(&mut self, from: Side, items: Vec<NewItem>) {
        let Some(live) = &self.tab.conn.live else {
            return;
        };
        if items.is_empty() {
            return;
        }
        let label = match (from, items.len()) {
            (Side::Local, 1) => format!("Upload {}", items[0].local.display()),
            (Side::Remote, 1) => format!("Download {}", items[0].remote),
            (Side::Local, n) => format!("Upload {n} files"),
            (Side::Remote, n) => format!("Download {n} files"),
        };
        live.engine.send(Command::Add {
            label,
            on_exists: self.prefs.settings.on_exists,
            items,
        });
    }

    /// Carries out the shortcuts pressed ([`shortcuts::SHORTCUTS`]) on the active pane.
    pub(super) fn keyboard(&mut self, ctx: &egui::Context, actions: &mut Vec<(Side, PaneAction)>) {
        let side = self.tab.active;
        for shortcut in shortcuts::pressed(ctx) {
            let selected = || self.pane(side).selected_rows();
            let action = match shortcut {
                Shortcut::SwitchPane => {
                    self.tab.active = side.other();
                    return;
                }
                Shortcut::FocusPath => {
                    self.pane_mut(side).focus_path = true;
                    None
                }
                Shortcut::FocusFilter => {
                    self.pane_mut(side).focus_filter = true;
                    None
                }
                Shortcut::SelectionDown | Shortcut::SelectionUp => {
                    self.pane_mut(side)
                        .move_selection(shortcut == Shortcut::SelectionDown);
                    None
                }
                Shortcut::Refresh => Some(PaneAction::Refresh),
                Shortcut::Up => Some(PaneAction::Up),
                Shortcut::NewFolder => Some(PaneAction::NewFolder),
                Shortcut::Find => Some(PaneAction::Find),
                Shortcut::NewTab => {
                    self.new_tab();
                    return;
                }
                Shortcut::CloseTab => {
                    let tab = self.tab.id;
                    self.close_tab(tab, false);
                    return;
                }
                Shortcut::NextTab | Shortcut::PreviousTab => {
                    self.cycle_tab(shortcut == Shortcut::NextTab);
                    return;
                }
                Shortcut::ViewEdit => selected()
                    .into_iter()
                    .next()
                    .filter(|r| !r.is_container())
                    .map(PaneAction::ViewEdit),
                Shortcut::OpenOrTransfer => {
                    let rows = selected();
                    match rows.as_slice() {
                        [] => None,
                        [one] if one.is_container() => Some(PaneAction::OpenRow(one.name.clone())),
                        _ => Some(PaneAction::Transfer(rows)),
                    }
                }
                Shortcut::Delete => Some(PaneAction::Delete(selected()))
                    .filter(|_| self.pane(side).listing.selected_count() > 0),
                Shortcut::Rename => selected().into_iter().next().map(PaneAction::Rename),
                Shortcut::Permissions => {
                    let rows = selected();
                    (!rows.is_empty() && (side == Side::Remote || cfg!(unix)))
                        .then_some(PaneAction::Permissions(rows))
                }
            };
            if let Some(action) = action {
                actions.push((side, action));
            }
        }
    }

    pub(super) fn chmod(&mut self, side: Side, names: Vec<String>, mode: u32) {
        let done = format!("Permissions of {} item(s) set to {mode:03o}", names.len());
        match side {
            Side::Remote => {
                let paths = names
                    .iter()
                    .map(|n| self.tab.remote.child_path(n))
                    .collect();
                self.browse(BrowseRequest::Chmod { paths, mode }, Purpose::Change(done));
            }
            Side::Local => {
                let dir = PathBuf::from(&self.tab.local.path);
                self.local_job(move || {
                    for name in &names {
                        set_local_mode(&dir.join(name), mode)
                            .map_err(|e| format!("Cannot change the permissions of {name}: {e}"))?;
                    }
                    Ok(done)
                });
            }
        }
    }

    pub(super) fn delete(&mut self, side: Side, rows: Vec<FileRow>) {
        match side {
            Side::Remote => {
                for row in rows {
                    let path = self.tab.remote.child_path(&row.name);
                    let request = if row.kind == crate::ui::files::RowKind::Dir {
                        BrowseRequest::DeleteTree(path)
                    } else {
                        BrowseRequest::DeleteFile(path)
                    };
                    self.browse(request, Purpose::Change(format!("Deleted {}", row.name)));
                }
            }
            Side::Local => {
                // The pane may have moved to "This PC" since the question was asked.
                let Some(dir) = self.local_folder() else {
                    return;
                };
                self.local_job(move || {
                    for row in &rows {
                        let path = dir.join(&row.name);
                        let result = if row.kind == crate::ui::files::RowKind::Dir {
                            std::fs::remove_dir_all(&path)
                        } else {
                            std::fs::remove_file(&path)
                        };
                        result.map_err(|e| format!("Cannot delete {}: {e}", row.name))?;
                    }
                    Ok(format!("Deleted {} item(s)", rows.len()))
                });
            }
        }
    }

    /// Runs a local file operation on a worker thread, then refreshes the local pane.
    pub(super) fn local_job(&self, job: impl FnOnce() -> Result<String, String> + Send + 'static) {
        let inbox = self.inbox.clone();
        let tab = self.tab.id;
        let _ = std::thread::Builder::new()
            .name("ferry-local-job".into())
            .spawn(move || {
                inbox.send(UiEvent::LocalChanged { tab, result: job() });
            });
    }
}

/// Reads a local folder (on a worker thread).
fn read_local_dir(path: &Path) -> Result<Vec<FileRow>, String> {
    let entries = std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(entries
        .filter_map(Result::ok)
        .map(|e| FileRow::from_local(e.file_name().to_string_lossy().into_owned(), &e.path()))
        .collect())
}

/// `chmod` on this computer (a worker thread).
#[cfg(unix)]
fn set_local_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_local_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Err(std::io::Error::other("Unix permissions do not exist here"))
}
