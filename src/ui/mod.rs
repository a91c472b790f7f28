//! The window: a two-pane local/remote browser on eframe/egui.
//!
//! The window owns no socket. Network work goes through the browse worker and the transfer
//! engine (`transfer/`), connecting and keychain calls through short-lived threads
//! ([`connection`]); each reports into one inbox ([`inbox`]) that the window drains at the start
//! of every frame. `files` and `format` are pure (sorting, filtering, numbers); `pane`,
//! `queue_view`, `log_view`, `dialogs`, `site_manager`, `settings` and `sync_dialog` draw one
//! part each; `compare` marks rows for compare mode; `drives` is the local pane's
//! drive list on Windows.

mod app;
mod compare;
mod connection;
mod dialogs;
mod doctor;
mod drives;
mod external;
mod files;
mod fonts;
mod format;
mod inbox;
mod layout;
mod log_view;
mod pane;
mod permissions;
mod queue_view;
mod quick_connect;
mod search;
// Seen by the fuzz targets (`crate::fuzzing`), which read settings files.
pub(crate) mod settings;
mod shortcuts;
mod site_manager;
mod spinner;
mod sync_dialog;

pub use app::{AppEnv, FerryApp};

/// The app id: the Linux desktop file's name and the Wayland/X11 window class.
pub const APP_ID: &str = "io.github.ferry_ftps.Ferry";

/// Opens the window and runs until it is closed.
///
/// # Errors
/// The window could not be created (no display, no OpenGL).
pub fn run() -> Result<(), String> {
    crate::paths::make_own_folders_private();
    let env = AppEnv::from_system();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Ferry")
        .with_app_id(APP_ID)
        .with_inner_size([1200.0, 800.0])
        .with_min_inner_size([720.0, 480.0])
        .with_drag_and_drop(true);
    if let Some(icon) = icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        persist_window: true,
        // The window adds the system fonts itself (fonts.rs), the same way under test.
        system_font_fallback: false,
        ..Default::default()
    };
    eframe::run_native(
        "Ferry",
        options,
        Box::new(move |_cc| Ok(Box::new(FerryApp::new(env)))),
    )
    .map_err(|e| format!("cannot open the window: {e}"))
}

/// The window icon, decoded from the PNG in `assets/`.
fn icon() -> Option<egui::IconData> {
    let bytes: &[u8] = include_bytes!("../../assets/icons/ferry-256.png");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(
        png::Transformations::normalize_to_color8() | png::Transformations::ALPHA,
    );
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    if info.color_type != png::ColorType::Rgba {
        return None;
    }
    buf.truncate(info.buffer_size());
    Some(egui::IconData {
        rgba: buf,
        width: info.width,
        height: info.height,
    })
}
