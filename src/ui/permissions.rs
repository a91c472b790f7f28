//! The permissions dialog (FileZilla's "File permissions…"): read, write and execute for
//! owner, group and others as checkboxes and as an octal number, kept in step; applied with
//! `SITE CHMOD` on the server, `chmod` on a Unix computer.

use super::pane::Side;

/// The dialog's state.
pub(crate) struct PermissionsForm {
    pub side: Side,
    /// The names, in the folder shown.
    pub names: Vec<String>,
    pub mode: u32,
    /// The octal field's text ("644").
    pub octal: String,
}

impl PermissionsForm {
    /// A form for `names`, starting from the permissions the first one shows (`-rw-r--r--`,
    /// `rw-r--r--` or `644`), or 644.
    pub(crate) fn new(side: Side, names: Vec<String>, shown: &str) -> PermissionsForm {
        let mode = parse_mode(shown).unwrap_or(0o644);
        PermissionsForm {
            side,
            names,
            mode,
            octal: format!("{mode:03o}"),
        }
    }

    /// Draws the checkboxes and the octal field; true when the mode is valid.
    pub(crate) fn ui(&mut self, ui: &mut egui::Ui) -> bool {
        let what = match self.names.as_slice() {
            [one] => format!("“{}”", crate::ftp::text::escape(one)),
            many => format!("{} items", many.len()),
        };
        ui.label(format!("Permissions of {what}:"));
        let mut changed = false;
        egui::Grid::new("permissions-grid")
            .num_columns(4)
            .show(ui, |ui| {
                ui.label("");
                for title in ["Read", "Write", "Execute"] {
                    ui.strong(title);
                }
                ui.end_row();
                for (who, shift) in [("Owner", 6), ("Group", 3), ("Others", 0)] {
                    ui.label(who);
                    for (what, bit) in [("read", 4), ("write", 2), ("execute", 1)] {
                        let mask = bit << shift;
                        let mut on = self.mode & mask != 0;
                        let label = format!("{who} {what}");
                        // The label for screen readers (and tests): "Group write".
                        let response = ui.checkbox(&mut on, "").on_hover_text(&label);
                        response.widget_info(|| {
                            egui::WidgetInfo::selected(egui::Role::CheckBox, true, on, &label)
                        });
                        if response.changed() {
                            self.mode = if on {
                                self.mode | mask
                            } else {
                                self.mode & !mask
                            };
                            changed = true;
                        }
                    }
                    ui.end_row();
                }
            });
        if changed {
            self.octal = format!("{:03o}", self.mode);
        }
        ui.horizontal(|ui| {
            ui.label("Numeric value:");
            let edit = ui.add(
                egui::TextEdit::singleline(&mut self.octal)
                    .desired_width(50.0)
                    .hint_text("Numeric value"),
            );
            if edit.changed()
                && let Some(mode) = parse_octal(&self.octal)
            {
                self.mode = mode;
            }
        });
        let valid = parse_octal(&self.octal).is_some();
        if !valid {
            ui.colored_label(
                ui.visuals().error_fg_color,
                "Three or four octal digits, e.g. 644 or 0755.",
            );
        }
        valid
    }
}

fn parse_octal(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || text.len() > 4 {
        return None;
    }
    u32::from_str_radix(text, 8).ok().filter(|m| *m <= 0o7777)
}

/// The mode a listing shows: `rwxr-xr-x` (with or without the type letter) or octal digits.
pub(crate) fn parse_mode(shown: &str) -> Option<u32> {
    let shown = shown.trim();
    if let Some(mode) = parse_octal(shown) {
        return Some(mode);
    }
    let chars: Vec<char> = shown.chars().collect();
    let bits = match chars.len() {
        9 => &chars[..],
        10 => &chars[1..],
        _ => return None,
    };
    let mut mode = 0;
    for (i, c) in bits.iter().enumerate() {
        let expected = ['r', 'w', 'x'][i % 3];
        let on = match c {
            '-' => false,
            c if *c == expected => true,
            // setuid/setgid/sticky shown in the execute place: execute is on.
            's' | 't' if i % 3 == 2 => true,
            'S' | 'T' if i % 3 == 2 => false,
            _ => return None,
        };
        if on {
            mode |= 1 << (8 - i);
        }
    }
    Some(mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_read_from_what_listings_show() {
        assert_eq!(parse_mode("-rw-r--r--"), Some(0o644));
        assert_eq!(parse_mode("drwxr-x---"), Some(0o750));
        assert_eq!(parse_mode("rwsr-xr-x"), Some(0o755));
        assert_eq!(parse_mode("0755"), Some(0o755));
        assert_eq!(parse_mode("640"), Some(0o640));
        assert_eq!(parse_mode("read-only"), None);
        assert_eq!(parse_mode("elcdmpfw"), None);
        assert_eq!(parse_octal("999"), None);
    }
}
