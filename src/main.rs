// Release builds on Windows are GUI programs: no console window opens behind Ferry. The command
// line still works from a terminal that was already open, but its output is not shown there
// (documented in the README); debug builds keep the console.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]
#![forbid(unsafe_code)]

/// `ferry` alone opens the window; with arguments it is the command line.
fn main() {
    #[cfg(feature = "gui")]
    if std::env::args_os().len() <= 1 {
        if let Err(e) = ferry::ui::run() {
            eprintln!("ferry: {e}");
            std::process::exit(1);
        }
        return;
    }
    std::process::exit(ferry::cli::main());
}
