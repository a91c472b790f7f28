//! Build script. For Windows targets it embeds the icon (`assets/ferry.ico`), the version
//! information (product name, description, version from Cargo.toml) and the application
//! manifest (`packaging/windows/ferry.exe.manifest`) in `ferry.exe` and `ferry-cli.exe`; for
//! every other target it does nothing.
//!
//! A Windows host compiles them with the `winresource` crate (`rc.exe` from the Windows SDK,
//! or `windres`). Another host (Linux, cross-compiling for `*-windows-gnu`) writes the same
//! resource script itself and compiles it with mingw-w64's `windres`
//! (`x86_64-w64-mingw32-windres`, or `$WINDRES`), then links the object into the binaries:
//! the `.exe` built on Linux by `.ci/windows.sh` is the one users install. Without a
//! `windres` the build still works and says, with a warning, that the icon is missing.

use std::path::PathBuf;

const ICON: &str = "assets/ferry.ico";
const MANIFEST: &str = "packaging/windows/ferry.exe.manifest";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={ICON}");
    println!("cargo:rerun-if-changed={MANIFEST}");
    println!("cargo:rerun-if-env-changed=WINDRES");
    if std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "windows") {
        resources::embed();
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
}

#[cfg(windows)]
mod resources {
    /// Compiles the icon, version information and manifest and links them into the binaries.
    pub fn embed() {
        let dir = super::manifest_dir();
        let mut res = winresource::WindowsResource::new();
        res.set_icon(&dir.join(super::ICON).to_string_lossy())
            .set_manifest_file(&dir.join(super::MANIFEST).to_string_lossy())
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
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// The version resource's four numbers, from Cargo.toml (`0.1.0` becomes `0,1,0,0`).
    fn version_numbers() -> String {
        let part = |name: &str| std::env::var(name).unwrap_or_else(|_| "0".into());
        format!(
            "{},{},{},0",
            part("CARGO_PKG_VERSION_MAJOR"),
            part("CARGO_PKG_VERSION_MINOR"),
            part("CARGO_PKG_VERSION_PATCH")
        )
    }

    /// Writes `ferry.rc`, compiles it with mingw's `windres` and links the object into every
    /// binary of the package.
    pub fn embed() {
        let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
        if target_env != "gnu" {
            // MSVC's linker takes `.res` files, which only rc.exe writes reliably.
            println!(
                "cargo:warning=building for Windows ({target_env}) on a non-Windows host: \
                 ferry.exe gets no icon, version information or manifest"
            );
            return;
        }
        let windres = windres();
        let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
        let script = out.join("ferry.rc");
        let object = out.join("ferry-resources.o");
        let dir = super::manifest_dir();
        std::fs::write(
            &script,
            resource_script(&dir.join(super::ICON), &dir.join(super::MANIFEST)),
        )
        .expect("write the resource script in OUT_DIR");
        let status = Command::new(&windres)
            .args(["--input-format=rc", "--output-format=coff", "--input"])
            .arg(&script)
            .arg("--output")
            .arg(&object)
            .status();
        match status {
            Ok(status) if status.success() => {
                // A plain object (not an archive) so the linker keeps it: nothing refers to
                // the resources by symbol.
                println!("cargo:rustc-link-arg-bins={}", object.display());
            }
            Ok(status) => panic!("{windres} failed on {}: {status}", script.display()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => println!(
                "cargo:warning=no {windres} (mingw-w64's binutils) on this host: \
                 ferry.exe gets no icon, version information or manifest"
            ),
            Err(err) => panic!("could not run {windres}: {err}"),
        }
    }

    /// `$WINDRES`, or mingw-w64's for the target's architecture.
    fn windres() -> String {
        if let Ok(windres) = std::env::var("WINDRES") {
            return windres;
        }
        let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_else(|_| "x86_64".into());
        // mingw-w64 names its 32-bit tools i686-, where Rust says x86.
        let prefix = if arch == "x86" { "i686" } else { arch.as_str() };
        format!("{prefix}-w64-mingw32-windres")
    }

    /// The resource script: icon 1 (what Explorer and the taskbar show), the manifest, and a
    /// version block whose strings are what Explorer's Details tab and Task Manager show.
    fn resource_script(icon: &Path, manifest: &Path) -> String {
        let version = version_numbers();
        let text_version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
        let mut strings = String::new();
        for (key, value) in [
            ("CompanyName", "The Ferry developers"),
            ("FileDescription", "Ferry FTPS client"),
            ("FileVersion", text_version.as_str()),
            ("InternalName", "ferry"),
            ("LegalCopyright", "The Ferry developers; MIT OR Apache-2.0"),
            ("OriginalFilename", "ferry.exe"),
            ("ProductName", "Ferry"),
            ("ProductVersion", text_version.as_str()),
        ] {
            strings.push_str(&format!(
                "      VALUE \"{key}\", \"{}\"\n",
                rc_escape(value)
            ));
        }
        format!(
            "#pragma code_page(65001)\n\
             1 ICON \"{icon}\"\n\
             1 24 \"{manifest}\"\n\
             1 VERSIONINFO\n\
             FILEVERSION {version}\n\
             PRODUCTVERSION {version}\n\
             FILEOS 0x40004\n\
             FILETYPE 0x1\n\
             BEGIN\n  \
               BLOCK \"StringFileInfo\"\n  \
               BEGIN\n    \
                 BLOCK \"040904B0\"\n    \
                 BEGIN\n{strings}    \
                 END\n  \
               END\n  \
               BLOCK \"VarFileInfo\"\n  \
               BEGIN\n    \
                 VALUE \"Translation\", 0x409, 1200\n  \
               END\n\
             END\n",
            icon = rc_escape(&icon.to_string_lossy()),
            manifest = rc_escape(&manifest.to_string_lossy()),
        )
    }

    /// A string literal in a resource script: backslashes and quotes escaped.
    fn rc_escape(text: &str) -> String {
        text.replace('\\', "\\\\").replace('"', "\"\"")
    }
}
