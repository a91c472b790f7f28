//! Build script. For Windows targets it embeds the icon (`assets/ferry.ico`) and version
//! information (product name, description, version from Cargo.toml) in `ferry.exe`, through the
//! `winresource` crate; for every other target it does nothing.
//!
//! The resource compiler runs on the build host (`rc.exe` from the Windows SDK for MSVC,
//! `windres` for GNU), so `winresource` is a build-dependency only on Windows hosts. Building
//! for Windows from another host (cross-compiling) produces a working `ferry.exe` without the
//! icon and version information, and says so with a warning.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/ferry.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "windows") {
        resources::embed();
    }
}

#[cfg(windows)]
mod resources {
    /// Compiles the icon and version information and links them into `ferry.exe`.
    pub fn embed() {
        let icon = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/ferry.ico");
        let mut res = winresource::WindowsResource::new();
        res.set_icon(icon)
            .set("ProductName", "Ferry")
            .set("FileDescription", "Ferry FTPS client")
            .set("InternalName", "ferry")
            .set("OriginalFilename", "ferry.exe")
            .set("CompanyName", "The Ferry developers")
            .set("LegalCopyright", "The Ferry developers; MIT OR Apache-2.0");
        if let Err(err) = res.compile() {
            panic!("could not embed the Windows icon and version information: {err}");
        }
    }
}

#[cfg(not(windows))]
mod resources {
    /// Windows resources need a Windows host's resource compiler: skipped when cross-compiling.
    pub fn embed() {
        println!(
            "cargo:warning=building for Windows on a non-Windows host: \
             ferry.exe gets no icon or version information"
        );
    }
}
