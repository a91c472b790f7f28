//! Tabs: several servers open at once, each tab with its own connection, panes, queue and
//! search (as in FileZilla). The window's code works on `self.tab`, the tab shown; a report
//! for a tab in the background is handled by swapping that tab in for the moment
//! ([`FerryApp::with_tab`]), so every handler serves every tab unchanged.

use super::*;

/// Names a tab for the reports of its workers (stable while the tab lives).
pub(super) type TabId = u64;

/// One tab's state: a connection and everything shown for it.
pub(super) struct Tab {
    pub id: TabId,
    /// The server connected to, the attempt in progress, what it was asked for.
    pub conn: connecting::Connection,
    /// The line under the toolbar.
    pub status: Option<Status>,
    pub local: Pane,
    pub remote: Pane,
    pub active: Side,
    pub remote_cache: HashMap<String, Vec<FileRow>>,
    /// What each browse request of this tab's connection was for.
    pub purposes: HashMap<u64, Purpose>,
    pub latest_remote_list: u64,
    pub latest_local_list: u64,
    pub local_list_seq: u64,
    pub queue: QueueView,
    /// Panes to refresh once transfers settle (set when a transfer into them finishes).
    pub refresh_local: bool,
    pub refresh_remote: bool,
    pub last_auto_refresh: Instant,
    /// The "Find on server" window, while open.
    pub search: Option<super::super::search::SearchWindow>,
    /// Compare mode and the server's time offset.
    pub compare: comparing::Comparing,
    /// Synchronized browsing: the folders that correspond, while it is on.
    pub linked: Option<comparing::Linked>,
    /// The Synchronize dialog, while open.
    pub sync_dialog: Option<super::super::sync_dialog::SyncDialog>,
    /// Keep the server up to date: the local folder watched, while on.
    pub watching: Option<watching::Watching>,
}

impl Tab {
    pub(super) fn new(id: TabId) -> Tab {
        let mut remote = Pane::new(Side::Remote);
        remote.placeholder =
            Some("Not connected. Use Quick Connect above, or open the Site Manager.".into());
        Tab {
            id,
            conn: connecting::Connection::default(),
            status: None,
            local: Pane::new(Side::Local),
            remote,
            active: Side::Local,
            remote_cache: HashMap::new(),
            purposes: HashMap::new(),
            latest_remote_list: 0,
            latest_local_list: 0,
            local_list_seq: 0,
            queue: QueueView::default(),
            refresh_local: false,
            refresh_remote: false,
            last_auto_refresh: Instant::now(),
            search: None,
            compare: comparing::Comparing::default(),
            linked: None,
            sync_dialog: None,
            watching: None,
        }
    }

    /// What the tab strip calls it.
    pub(super) fn title(&self) -> String {
        match (&self.conn.live, &self.conn.connecting) {
            (Some(live), _) => live.label.clone(),
            (None, Some(label)) => format!("{label}…"),
            (None, None) => "Not connected".to_owned(),
        }
    }

    /// Transfers not finished in this tab.
    pub(super) fn pending(&self) -> usize {
        if self.conn.live.is_some() {
            self.queue.pending()
        } else {
            0
        }
    }
}

impl FerryApp {
    /// Runs `f` with tab `id` as `self.tab` (swapped in when it is in the background);
    /// None when the tab was closed. `f` must not open or close tabs.
    pub(super) fn with_tab<R>(
        &mut self,
        id: TabId,
        f: impl FnOnce(&mut FerryApp) -> R,
    ) -> Option<R> {
        if self.tab.id == id {
            return Some(f(self));
        }
        let i = self.background.iter().position(|t| t.id == id)?;
        std::mem::swap(&mut self.tab, &mut self.background[i]);
        let result = f(self);
        std::mem::swap(&mut self.tab, &mut self.background[i]);
        Some(result)
    }

    /// Every tab, in strip order (the shown one included).
    fn tab_ids(&self) -> Vec<TabId> {
        self.tab_order.clone()
    }

    /// The tab whose connection attempt is number `attempt`.
    pub(super) fn tab_of_attempt(&self, attempt: u64) -> Option<TabId> {
        std::iter::once(&self.tab)
            .chain(&self.background)
            .find(|t| t.conn.connecting.is_some() && t.conn.attempt == attempt)
            .map(|t| t.id)
    }

    /// Another tab's live connection uses `queue_file` (two engines must not share one).
    pub(super) fn queue_file_in_use(&self, queue_file: &Path) -> bool {
        self.background.iter().any(|t| {
            (t.conn.live.is_some() || t.conn.connecting.is_some())
                && t.conn.queue_file.as_deref() == Some(queue_file)
        })
    }

    /// Transfers not finished in any tab.
    pub(super) fn pending_everywhere(&self) -> usize {
        std::iter::once(&self.tab)
            .chain(&self.background)
            .map(Tab::pending)
            .sum()
    }

    /// Opens a new tab beside the shown one and shows it; its local pane starts where the
    /// shown one is.
    pub(super) fn new_tab(&mut self) {
        self.next_tab += 1;
        let id = self.next_tab;
        let local_dir = self.tab.local.path.clone();
        let at = self
            .tab_order
            .iter()
            .position(|t| *t == self.tab.id)
            .map_or(self.tab_order.len(), |i| i + 1);
        self.tab_order.insert(at, id);
        let old = std::mem::replace(&mut self.tab, Tab::new(id));
        self.background.push(old);
        let start = if local_dir.is_empty() {
            self.env.local_dir.to_string_lossy().into_owned()
        } else {
            local_dir
        };
        self.list_local(&start);
    }

    /// Shows tab `id`.
    pub(super) fn switch_tab(&mut self, id: TabId) {
        if self.tab.id == id {
            return;
        }
        if let Some(i) = self.background.iter().position(|t| t.id == id) {
            std::mem::swap(&mut self.tab, &mut self.background[i]);
        }
    }

    /// The next (or previous) tab in the strip.
    pub(super) fn cycle_tab(&mut self, forward: bool) {
        let ids = self.tab_ids();
        if let Some(i) = ids.iter().position(|t| *t == self.tab.id) {
            let n = ids.len();
            let next = if forward {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            self.switch_tab(ids[next]);
        }
    }

    /// Closes tab `id` (asking first when it has transfers running, unless `confirmed`).
    /// The last tab is not closed: it is disconnected.
    pub(super) fn close_tab(&mut self, id: TabId, confirmed: bool) {
        let pending = self.with_tab(id, |app| app.tab.pending()).unwrap_or(0);
        if pending > 0 && !confirmed {
            self.with_tab(id, |app| app.ask(Dialog::CloseTab { pending }));
            return;
        }
        if self.tab_order.len() <= 1 {
            self.disconnect();
            return;
        }
        if self.tab.id == id {
            self.cycle_tab(true);
        }
        let Some(i) = self.background.iter().position(|t| t.id == id) else {
            return;
        };
        let mut tab = self.background.remove(i);
        self.tab_order.retain(|t| *t != id);
        if let Some(live) = tab.conn.live.take() {
            connection::shut_down(live);
        }
        if let Some(search) = &mut tab.search {
            search.end();
        }
        // Its questions go with it (their answers would have nowhere to go).
        self.questions.retain(|q| q.tab != id);
    }

    /// The strip of tabs, shown when there are two or more.
    pub(super) fn ui_tab_strip(&mut self, ui: &mut egui::Ui) {
        let mut chosen = None;
        let mut close = None;
        ui.horizontal_wrapped(|ui| {
            for id in self.tab_ids() {
                let Some(tab) = std::iter::once(&self.tab)
                    .chain(&self.background)
                    .find(|t| t.id == id)
                else {
                    continue;
                };
                let mut title = tab.title();
                let pending = tab.pending();
                if pending > 0 {
                    title = format!("{title} ⇅{pending}");
                }
                let shown = tab.id == self.tab.id;
                ui.group(|ui| {
                    ui.spacing_mut().item_spacing.x = 2.0;
                    let response = ui
                        .selectable_label(shown, title.as_str())
                        .on_hover_text("Ctrl+Tab: next tab");
                    response.widget_info(|| {
                        egui::WidgetInfo::selected(
                            egui::Role::Tab,
                            true,
                            shown,
                            format!("Tab {title}"),
                        )
                    });
                    if response.clicked() {
                        chosen = Some(id);
                    }
                    let x = ui
                        .small_button("×")
                        .on_hover_text(format!("Close the tab {} (Ctrl+W)", tab.title()));
                    x.widget_info(|| {
                        egui::WidgetInfo::labeled(
                            egui::Role::Button,
                            true,
                            format!("Close tab {}", tab.title()),
                        )
                    });
                    if x.clicked() {
                        close = Some(id);
                    }
                });
            }
            if ui.button("+").on_hover_text("New tab (Ctrl+T)").clicked() {
                self.new_tab();
            }
        });
        if let Some(id) = chosen {
            self.switch_tab(id);
        }
        if let Some(id) = close {
            self.close_tab(id, false);
        }
    }
}
