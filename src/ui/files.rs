//! A folder listing as the panes show it: rows from either side, sorted (folders first),
//! filtered as the user types, with a selection that survives re-sorting. Pure data, so the
//! sorting and filtering of a 100 000-entry folder is tested without a window, and is done once
//! per change rather than once per frame.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::path::Path;

use crate::ftp::{Entry, EntryKind};

use super::format;

/// What a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowKind {
    /// A folder (opens on double-click).
    Dir,
    /// A file.
    File,
    /// A symbolic link (opened like a folder; the server or OS decides).
    Link,
    /// A drive of the local pane's drive list on Windows (`C:`; see `super::drives`).
    Drive,
}

/// One row of a pane.
#[derive(Debug, Clone)]
pub(crate) struct FileRow {
    pub name: String,
    pub kind: RowKind,
    pub size: Option<u64>,
    /// Sort key: seconds since the epoch as the listing gives them.
    pub modified: Option<i64>,
    /// `modified` is exact UTC (local files, MLSD), not a LIST time in the server's zone.
    pub modified_exact: bool,
    /// `modified` is a LIST date without its time (see `Entry::modified_day_only`).
    pub modified_day_only: bool,
    /// Shown text for `modified`.
    pub modified_text: String,
    pub permissions: String,
    /// A local file Windows marks hidden (see [`FileRow::is_hidden`]).
    pub hidden_by_attribute: bool,
}

impl FileRow {
    /// A remote listing entry.
    pub(crate) fn from_entry(entry: &Entry) -> FileRow {
        FileRow {
            name: entry.name.clone(),
            kind: match entry.kind {
                EntryKind::Dir => RowKind::Dir,
                EntryKind::Symlink => RowKind::Link,
                EntryKind::File | EntryKind::Other => RowKind::File,
            },
            size: entry.size,
            modified: entry.modified.map(|t| t.unix_seconds()),
            modified_exact: entry.modified_exact,
            modified_day_only: entry.modified_day_only,
            modified_text: entry
                .modified
                .map(|t| format::timestamp(&t))
                .unwrap_or_default(),
            permissions: entry.permissions.clone().unwrap_or_default(),
            hidden_by_attribute: false,
        }
    }

    /// A local directory entry (metadata read on a worker thread).
    pub(crate) fn from_local(name: String, path: &Path) -> FileRow {
        // The entry itself, not what a link or junction points to: its own attributes hide it.
        let own = std::fs::symlink_metadata(path).ok();
        let link = own.as_ref().is_some_and(|m| m.file_type().is_symlink());
        let meta = std::fs::metadata(path).ok();
        let is_dir = meta.as_ref().is_some_and(|m| m.is_dir());
        let modified = meta
            .as_ref()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64);
        FileRow {
            name,
            kind: if is_dir {
                RowKind::Dir
            } else if link {
                RowKind::Link
            } else {
                RowKind::File
            },
            size: meta.as_ref().filter(|m| m.is_file()).map(|m| m.len()),
            modified,
            modified_exact: modified.is_some(),
            modified_day_only: false,
            modified_text: modified
                .map(|s| format::timestamp(&crate::ftp::Timestamp::from_unix_seconds(s)))
                .unwrap_or_default(),
            permissions: meta.as_ref().map(local_permissions).unwrap_or_default(),
            hidden_by_attribute: own
                .as_ref()
                .is_some_and(|m| attributes_hide(file_attributes(m))),
        }
    }

    /// Folders, links and drives sort with folders and open on double-click.
    pub(crate) fn is_container(&self) -> bool {
        matches!(self.kind, RowKind::Dir | RowKind::Link | RowKind::Drive)
    }

    /// Dot files, and on Windows the files marked hidden. A leading dot hides on
    /// Windows too: `.git`, `.vscode` or `.htaccess` are the same clutter there (the tools that
    /// make them rarely set the attribute), and one rule on both panes keeps them showing the
    /// same names under one "Hidden" setting, which compare mode and a synchronized folder
    /// expect, the remote side knowing no attributes.
    pub(crate) fn is_hidden(&self) -> bool {
        self.name.starts_with('.') || self.hidden_by_attribute
    }
}

/// FILE_ATTRIBUTE_HIDDEN (winnt.h).
const FILE_ATTRIBUTE_HIDDEN: u32 = 0x2;

/// Whether Windows file attributes hide a file, as Explorer does: the hidden attribute. The
/// system attribute alone does not (Windows marks folders customised with a desktop.ini that
/// way, and Explorer shows them); the protected system files (`pagefile.sys`,
/// `$Recycle.Bin`) are hidden and system both.
fn attributes_hide(attributes: u32) -> bool {
    attributes & FILE_ATTRIBUTE_HIDDEN != 0
}

#[cfg(windows)]
fn file_attributes(meta: &std::fs::Metadata) -> u32 {
    use std::os::windows::fs::MetadataExt;
    meta.file_attributes()
}

/// No attributes outside Windows: dot names alone hide.
#[cfg(not(windows))]
fn file_attributes(_meta: &std::fs::Metadata) -> u32 {
    0
}

#[cfg(unix)]
fn local_permissions(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode();
    let mut s = String::with_capacity(10);
    s.push(if meta.is_dir() { 'd' } else { '-' });
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

#[cfg(not(unix))]
fn local_permissions(meta: &std::fs::Metadata) -> String {
    if meta.permissions().readonly() {
        "read-only".into()
    } else {
        String::new()
    }
}

/// The column a listing is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortKey {
    Name,
    Size,
    Modified,
    Permissions,
}

/// A folder's rows plus how they are shown.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    rows: Vec<FileRow>,
    /// Indices into `rows`, in display order, after filter and sort.
    view: Vec<usize>,
    sort: Option<(SortKey, bool)>,
    filter: String,
    show_hidden: bool,
    /// Selected names (names are unique in a folder, indices are not stable).
    selected: HashSet<String>,
    /// The row a Shift-click extends from (a view index).
    anchor: Option<usize>,
    /// Counts row replacements: whoever derives something from the rows (compare mode's
    /// marks) knows when to do it again.
    generation: u64,
}

impl Listing {
    /// A listing of `rows`, sorted by name.
    pub(crate) fn new(rows: Vec<FileRow>) -> Listing {
        let mut listing = Listing {
            rows,
            sort: Some((SortKey::Name, true)),
            ..Listing::default()
        };
        listing.rebuild();
        listing
    }

    /// Replaces the rows, keeping sort, filter and whichever selected names still exist.
    pub(crate) fn replace_rows(&mut self, rows: Vec<FileRow>) {
        self.rows = rows;
        self.generation += 1;
        let names: HashSet<&str> = self.rows.iter().map(|r| r.name.as_str()).collect();
        self.selected.retain(|n| names.contains(n.as_str()));
        self.anchor = None;
        self.rebuild();
    }

    /// Every row, shown or not, in the listing's order.
    pub(crate) fn rows(&self) -> &[FileRow] {
        &self.rows
    }

    /// Changes whenever the rows are replaced.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Rows shown, in order.
    pub(crate) fn visible_len(&self) -> usize {
        self.view.len()
    }

    /// The `i`th shown row.
    pub(crate) fn visible(&self, i: usize) -> Option<&FileRow> {
        self.view.get(i).and_then(|&r| self.rows.get(r))
    }

    /// All rows, unfiltered.
    pub(crate) fn total_len(&self) -> usize {
        self.rows.len()
    }

    /// The current sort column and direction.
    pub(crate) fn sort(&self) -> Option<(SortKey, bool)> {
        self.sort
    }

    /// Sorts by `key`; the same key again flips the direction.
    pub(crate) fn sort_by(&mut self, key: SortKey) {
        self.sort = match self.sort {
            Some((k, ascending)) if k == key => Some((key, !ascending)),
            _ => Some((key, true)),
        };
        self.rebuild();
    }

    /// Shows only names containing `text` (case-insensitive).
    pub(crate) fn set_filter(&mut self, text: &str) {
        if self.filter != text {
            self.filter = text.to_owned();
            self.rebuild();
        }
    }

    /// Whether hidden files (see [`FileRow::is_hidden`]) are shown.
    pub(crate) fn show_hidden(&self) -> bool {
        self.show_hidden
    }

    /// Shows or hides hidden files.
    pub(crate) fn set_show_hidden(&mut self, show: bool) {
        if self.show_hidden != show {
            self.show_hidden = show;
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        let needle = self.filter.to_lowercase();
        let rows = &self.rows;
        self.view = (0..rows.len())
            .filter(|&i| {
                let row = &rows[i];
                (self.show_hidden || !row.is_hidden())
                    && (needle.is_empty() || row.name.to_lowercase().contains(&needle))
            })
            .collect();
        let (key, ascending) = self.sort.unwrap_or((SortKey::Name, true));
        self.view.sort_by(|&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            // Folders first whichever way the column is sorted, as every file manager does.
            b.is_container().cmp(&a.is_container()).then_with(|| {
                let order = compare(a, b, key);
                if ascending { order } else { order.reverse() }
            })
        });
        let visible: HashSet<&str> = self.view.iter().map(|&i| rows[i].name.as_str()).collect();
        self.selected.retain(|n| visible.contains(n.as_str()));
    }

    /// Whether the shown row `i` is selected.
    pub(crate) fn is_selected(&self, i: usize) -> bool {
        self.visible(i)
            .is_some_and(|r| self.selected.contains(&r.name))
    }

    /// The selected rows, in display order.
    pub(crate) fn selected_rows(&self) -> Vec<&FileRow> {
        self.view
            .iter()
            .map(|&i| &self.rows[i])
            .filter(|r| self.selected.contains(&r.name))
            .collect()
    }

    /// How many rows are selected.
    pub(crate) fn selected_count(&self) -> usize {
        self.selected.len()
    }

    /// A click on shown row `i`: plain selects it alone, Ctrl toggles it, Shift extends from the
    /// anchor.
    pub(crate) fn click(&mut self, i: usize, ctrl: bool, shift: bool) {
        let Some(name) = self.visible(i).map(|r| r.name.clone()) else {
            return;
        };
        if shift {
            let from = self.anchor.unwrap_or(i);
            let (lo, hi) = if from <= i { (from, i) } else { (i, from) };
            if !ctrl {
                self.selected.clear();
            }
            for j in lo..=hi {
                if let Some(r) = self.visible(j) {
                    self.selected.insert(r.name.clone());
                }
            }
            return;
        }
        if ctrl {
            if !self.selected.remove(&name) {
                self.selected.insert(name);
            }
        } else {
            self.selected.clear();
            self.selected.insert(name);
        }
        self.anchor = Some(i);
    }

    /// Selects the row named `name`, alone (after a rename, a new folder, a keyboard move).
    pub(crate) fn select_name(&mut self, name: &str) {
        self.selected.clear();
        self.selected.insert(name.to_owned());
        self.anchor = self.view.iter().position(|&i| self.rows[i].name == name);
    }

    /// The shown index of the first selected row.
    pub(crate) fn first_selected(&self) -> Option<usize> {
        (0..self.view.len()).find(|&i| self.is_selected(i))
    }

    /// Moves the selection one row up or down (arrow keys).
    pub(crate) fn move_selection(&mut self, down: bool) -> Option<usize> {
        if self.view.is_empty() {
            return None;
        }
        let next = match self.first_selected() {
            None => 0,
            Some(i) if down => (i + 1).min(self.view.len() - 1),
            Some(i) => i.saturating_sub(1),
        };
        if let Some(name) = self.visible(next).map(|r| r.name.clone()) {
            self.select_name(&name);
        }
        Some(next)
    }

    /// Clears the selection.
    pub(crate) fn clear_selection(&mut self) {
        self.selected.clear();
        self.anchor = None;
    }
}

fn compare(a: &FileRow, b: &FileRow, key: SortKey) -> Ordering {
    let by_name = || natural_lowercase(&a.name).cmp(&natural_lowercase(&b.name));
    match key {
        SortKey::Name => by_name(),
        SortKey::Size => a.size.cmp(&b.size).then_with(by_name),
        SortKey::Modified => a.modified.cmp(&b.modified).then_with(by_name),
        SortKey::Permissions => a.permissions.cmp(&b.permissions).then_with(by_name),
    }
}

/// Case-insensitive key; equal names fall back to byte order so sorting is total.
fn natural_lowercase(name: &str) -> (String, &str) {
    (name.to_lowercase(), name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, kind: RowKind, size: u64) -> FileRow {
        FileRow {
            name: name.into(),
            kind,
            size: Some(size),
            modified: Some(size as i64),
            modified_exact: true,
            modified_day_only: false,
            modified_text: String::new(),
            permissions: String::new(),
            hidden_by_attribute: false,
        }
    }

    fn names(l: &Listing) -> Vec<&str> {
        (0..l.visible_len())
            .map(|i| l.visible(i).unwrap().name.as_str())
            .collect()
    }

    fn sample() -> Listing {
        Listing::new(vec![
            row("b.txt", RowKind::File, 30),
            row("Zeta", RowKind::Dir, 0),
            row("a.txt", RowKind::File, 10),
            row(".hidden", RowKind::File, 5),
            row("alpha", RowKind::Dir, 0),
        ])
    }

    #[test]
    fn folders_first_then_names_case_insensitively_hidden_hidden() {
        let l = sample();
        assert_eq!(names(&l), ["alpha", "Zeta", "a.txt", "b.txt"]);
    }

    #[test]
    fn sort_by_size_flips_on_second_click_and_keeps_folders_first() {
        let mut l = sample();
        l.sort_by(SortKey::Size);
        assert_eq!(names(&l), ["alpha", "Zeta", "a.txt", "b.txt"]);
        l.sort_by(SortKey::Size);
        assert_eq!(names(&l), ["Zeta", "alpha", "b.txt", "a.txt"]);
    }

    #[test]
    fn filter_and_hidden_toggle() {
        let mut l = sample();
        l.set_filter("TXT");
        assert_eq!(names(&l), ["a.txt", "b.txt"]);
        l.set_show_hidden(true);
        l.set_filter("");
        assert_eq!(names(&l), ["alpha", "Zeta", ".hidden", "a.txt", "b.txt"]);
    }

    #[test]
    fn click_ctrl_and_shift_selection() {
        let mut l = sample();
        l.click(0, false, false);
        l.click(2, false, true);
        let sel: Vec<_> = l.selected_rows().iter().map(|r| r.name.clone()).collect();
        assert_eq!(sel, ["alpha", "Zeta", "a.txt"]);
        l.click(1, true, false);
        assert_eq!(l.selected_count(), 2);
        l.click(3, false, false);
        assert_eq!(l.selected_count(), 1);
        // A filter that hides a selected row unselects it: actions never touch unseen files.
        l.set_filter("zzz");
        assert_eq!(l.selected_count(), 0);
    }

    #[test]
    fn the_windows_hidden_attribute_hides_like_a_leading_dot() {
        assert!(attributes_hide(0x2));
        assert!(attributes_hide(0x2 | 0x4)); // a protected system file
        assert!(attributes_hide(0x2 | 0x20));
        // Read-only, system alone (a customised folder), directory, archive, normal: shown.
        for shown in [0x1, 0x4, 0x4 | 0x10, 0x10, 0x20, 0x80, 0] {
            assert!(!attributes_hide(shown), "{shown:#x}");
        }
        let mut desktop_ini = row("desktop.ini", RowKind::File, 1);
        desktop_ini.hidden_by_attribute = true;
        let mut l = Listing::new(vec![desktop_ini, row("a.txt", RowKind::File, 2)]);
        assert_eq!(names(&l), ["a.txt"]);
        l.set_show_hidden(true);
        assert_eq!(names(&l), ["a.txt", "desktop.ini"]);
    }

    #[cfg(windows)]
    #[test]
    fn a_local_file_marked_hidden_is_hidden_and_one_unmarked_is_not() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["marked.txt", "plain.txt"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        // std has no way to set attributes; Windows' own attrib does it.
        let marked = dir.path().join("marked.txt");
        let status = std::process::Command::new("attrib")
            .arg("+h")
            .arg(&marked)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(FileRow::from_local("marked.txt".into(), &marked).is_hidden());
        let plain = dir.path().join("plain.txt");
        assert!(!FileRow::from_local("plain.txt".into(), &plain).is_hidden());
    }

    #[test]
    fn a_hundred_thousand_rows_sort_and_filter() {
        let rows = (0..100_000)
            .map(|i| {
                row(
                    &format!("file-{i:06}.dat"),
                    RowKind::File,
                    (i * 7919) % 100_003,
                )
            })
            .collect();
        let mut l = Listing::new(rows);
        assert_eq!(l.visible_len(), 100_000);
        l.sort_by(SortKey::Size);
        let sizes: Vec<u64> = (0..l.visible_len())
            .map(|i| l.visible(i).unwrap().size.unwrap())
            .collect();
        assert!(sizes.windows(2).all(|w| w[0] <= w[1]));
        l.set_filter("99999");
        assert_eq!(names(&l), ["file-099999.dat"]);
    }
}
