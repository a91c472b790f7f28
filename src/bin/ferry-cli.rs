//! The command line as a console program. On Windows a release `ferry.exe` is a GUI program
//! (no console window behind the window), and Windows does not show a GUI program's output in
//! the terminal it was started from; the installer puts this one next to it as `ferry.com`,
//! which cmd and PowerShell run first when you type `ferry` (`.com` comes before `.exe` in
//! PATHEXT). Elsewhere it is the same as `ferry` with arguments.
#![forbid(unsafe_code)]

fn main() {
    std::process::exit(ferry::cli::main());
}
