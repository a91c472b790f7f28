// Release builds on Windows are GUI programs: no console window opens behind Ferry. Windows
// shows no output of a GUI program in a terminal, so the command line there is `ferry.com`
// (src/bin/ferry-cli.rs, a console program the installer puts next to ferry.exe); debug
// builds keep the console.
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
