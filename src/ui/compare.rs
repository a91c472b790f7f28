//! Compare mode, as FileZilla's directory comparison: each pane's rows are marked against the
//! folder shown in the other pane (newer, older, only here, different size), with the rules
//! `ferry sync` uses ([`crate::transfer::sync::compare_files`]), so what the window marks is
//! what a synchronisation would change.

use std::collections::HashMap;

use egui::Color32;

use super::files::{FileRow, RowKind};
use crate::transfer::sync::{self, Reason, SyncOptions, TimePrecision};

/// How a row differs from its namesake in the other pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// The other pane has nothing of this name.
    OnlyHere,
    /// This copy is newer.
    Newer,
    /// This copy is older.
    Older,
    /// Same time (or times that cannot be compared), different size.
    SizeDiffers,
}

impl Mark {
    /// The word shown beside the name and read by screen readers.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Mark::OnlyHere => "only here",
            Mark::Newer => "newer",
            Mark::Older => "older",
            Mark::SizeDiffers => "different size",
        }
    }

    /// FileZilla's colours: yellow for a lone file, green for the newer copy, red for a size
    /// that differs; the older copy is shown in grey.
    pub(crate) fn color(self, dark_mode: bool) -> Color32 {
        match (self, dark_mode) {
            (Mark::OnlyHere, true) => Color32::from_rgb(0xe0, 0xc0, 0x40),
            (Mark::OnlyHere, false) => Color32::from_rgb(0x9a, 0x7a, 0x00),
            (Mark::Newer, true) => Color32::from_rgb(0x6c, 0xd0, 0x6c),
            (Mark::Newer, false) => Color32::from_rgb(0x1d, 0x80, 0x1d),
            (Mark::Older, true) => Color32::from_gray(0x90),
            (Mark::Older, false) => Color32::from_gray(0x70),
            (Mark::SizeDiffers, true) => Color32::from_rgb(0xf0, 0x70, 0x70),
            (Mark::SizeDiffers, false) => Color32::from_rgb(0xb8, 0x20, 0x20),
        }
    }
}

/// The server time offset as hours (to the quarter hour: time zones are whole quarters),
/// edited in place as minutes, labelled by `label`; true when it changed. The compare bar and
/// the Site Manager share it.
pub(crate) fn ui_offset_field(ui: &mut egui::Ui, minutes: &mut i32, label: egui::Id) -> bool {
    let mut hours = f64::from(*minutes) / 60.0;
    ui.add(
        egui::DragValue::new(&mut hours)
            .range(-14.0..=14.0)
            .speed(0.05)
            .fixed_decimals(2)
            .suffix(" h"),
    )
    .labelled_by(label)
    .on_hover_text(
        "Hours to add to the times the server lists (LIST) to get UTC; exact (MLSD) times need none; compare mode can detect it",
    );
    let rounded = ((hours * 4.0).round() * 15.0) as i32;
    let changed = rounded != *minutes;
    *minutes = rounded;
    changed
}

/// The marks of both panes, by row name (rows that match have none).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Marks {
    pub local: HashMap<String, Mark>,
    pub remote: HashMap<String, Mark>,
}

/// Marks `local` against `remote` rows. Folders are compared by name only; a link on the
/// server is taken for what it points to, as the listing cannot say which it is.
pub(crate) fn mark_rows(local: &[FileRow], remote: &[FileRow], options: &SyncOptions) -> Marks {
    let remote_by_name: HashMap<&str, &FileRow> =
        remote.iter().map(|r| (r.name.as_str(), r)).collect();
    let local_by_name: HashMap<&str, &FileRow> =
        local.iter().map(|r| (r.name.as_str(), r)).collect();
    let mut marks = Marks::default();
    for row in local {
        let Some(theirs) = remote_by_name.get(row.name.as_str()) else {
            marks.local.insert(row.name.clone(), Mark::OnlyHere);
            continue;
        };
        if row.kind != RowKind::File || theirs.kind == RowKind::Dir {
            continue;
        }
        let reason = sync::compare_files(
            (row.size, row.modified),
            (
                theirs.size,
                theirs.modified,
                TimePrecision::of(theirs.modified_exact, theirs.modified_day_only),
            ),
            options,
        );
        let (ours, others) = match reason {
            None | Some(Reason::OnlyLocal | Reason::OnlyRemote) => continue,
            Some(Reason::LocalNewer) => (Mark::Newer, Mark::Older),
            Some(Reason::RemoteNewer) => (Mark::Older, Mark::Newer),
            Some(Reason::SizeDiffers | Reason::ContentDiffers) => {
                (Mark::SizeDiffers, Mark::SizeDiffers)
            }
        };
        marks.local.insert(row.name.clone(), ours);
        marks.remote.insert(theirs.name.clone(), others);
    }
    for row in remote {
        if !local_by_name.contains_key(row.name.as_str()) {
            marks.remote.insert(row.name.clone(), Mark::OnlyHere);
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::sync::SyncDirection;

    fn row(name: &str, kind: RowKind, size: u64, modified: i64, exact: bool) -> FileRow {
        FileRow {
            name: name.into(),
            kind,
            size: Some(size),
            modified: Some(modified),
            modified_exact: exact,
            modified_day_only: false,
            modified_text: String::new(),
            permissions: String::new(),
            hidden_by_attribute: false,
        }
    }

    #[test]
    fn rows_are_marked_as_a_synchronisation_would_see_them() {
        const T: i64 = 1_700_000_000;
        let file = RowKind::File;
        let local = [
            row("same.txt", file, 3, T, true),
            row("mine.txt", file, 3, T, true),
            row("newer-here.txt", file, 3, T + 600, true),
            row("newer-there.txt", file, 3, T, true),
            row("size.txt", file, 3, T, true),
            row("both", RowKind::Dir, 0, T, true),
            row("zone.txt", file, 3, T, true),
        ];
        let remote = [
            row("same.txt", file, 3, T, true),
            row("theirs.txt", file, 3, T, true),
            row("newer-here.txt", file, 3, T, true),
            row("newer-there.txt", file, 3, T + 600, true),
            row("size.txt", file, 4, T, true),
            row("both", RowKind::Dir, 0, T - 9999, false),
            // Listed in a zone two hours ahead of UTC.
            row("zone.txt", file, 3, T + 7200, false),
        ];
        let mut options = SyncOptions::new(SyncDirection::Both);
        options.remote_offset_seconds = -7200;
        let marks = mark_rows(&local, &remote, &options);
        let local_marks: HashMap<&str, Mark> =
            marks.local.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let remote_marks: HashMap<&str, Mark> =
            marks.remote.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(
            local_marks,
            HashMap::from([
                ("mine.txt", Mark::OnlyHere),
                ("newer-here.txt", Mark::Newer),
                ("newer-there.txt", Mark::Older),
                ("size.txt", Mark::SizeDiffers),
            ])
        );
        assert_eq!(
            remote_marks,
            HashMap::from([
                ("theirs.txt", Mark::OnlyHere),
                ("newer-here.txt", Mark::Older),
                ("newer-there.txt", Mark::Newer),
                ("size.txt", Mark::SizeDiffers),
            ])
        );
        // Without the offset the zone file looks two hours newer on the server.
        options.remote_offset_seconds = 0;
        let marks = mark_rows(&local, &remote, &options);
        assert_eq!(marks.local.get("zone.txt"), Some(&Mark::Older));
    }

    #[test]
    fn a_listing_with_the_day_only_marks_only_what_lies_outside_that_day() {
        const DAY: i64 = 86_400;
        const MIDNIGHT: i64 = 19_000 * DAY;
        let file = RowKind::File;
        let old = |name: &str| {
            let mut r = row(name, file, 3, MIDNIGHT, false);
            r.modified_day_only = true;
            r
        };
        let local = [
            row("afternoon.txt", file, 3, MIDNIGHT + 15 * 3600, true),
            row("next-day.txt", file, 3, MIDNIGHT + DAY + 3600, true),
            row("day-before.txt", file, 3, MIDNIGHT - 3600, true),
        ];
        let remote = [
            old("afternoon.txt"),
            old("next-day.txt"),
            old("day-before.txt"),
        ];
        let marks = mark_rows(&local, &remote, &SyncOptions::new(SyncDirection::Both));
        assert_eq!(
            marks.local.get("afternoon.txt"),
            None,
            "changed during the listed day: the same"
        );
        assert_eq!(marks.local.get("next-day.txt"), Some(&Mark::Newer));
        assert_eq!(marks.local.get("day-before.txt"), Some(&Mark::Older));
        // The same afternoon with the time listed is newer than midnight.
        let listed = [row("afternoon.txt", file, 3, MIDNIGHT, false)];
        let marks = mark_rows(&local[..1], &listed, &SyncOptions::new(SyncDirection::Both));
        assert_eq!(marks.local.get("afternoon.txt"), Some(&Mark::Newer));
    }
}
