//! Fonts for every file name: egui's own fonts cover Latin, Greek and Cyrillic, so a Japanese,
//! Chinese, Arabic or emoji name would be boxes. The system's fonts fill in, found through the
//! platform's own fallback (fontconfig, loaded at run time; CoreText; DirectWrite) the first
//! time a character needs one. The font list is read on a thread of its own from the start.

use std::sync::Arc;

/// Adds the system fonts as fallbacks behind egui's (once per context).
pub(crate) fn install_system_fallbacks(ctx: &egui::Context) {
    ctx.add_font_provider(Arc::new(
        egui_system_font_provider::SystemFontProvider::new(),
    ));
}
