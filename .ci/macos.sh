#!/usr/bin/env bash
# Ferry's macOS tier (issue 26), run by .ci/run: what can be checked of the Mac build without
# a Mac.
#   - cargo clippy --all-targets -D warnings (which type-checks everything, as cargo check
#     does) for aarch64-apple-darwin and x86_64-apple-darwin. rustup cannot fetch those targets
#     here, so this uses Debian's Rust (rustc-web/cargo-web with rust-web-src) and builds the
#     standard library from source (-Zbuild-std, RUSTC_BOOTSTRAP=1). ring's build script
#     compiles C for the target: zig (PyPI's ziglang, in a venv) through .ci/cross/zig-cc.
#     Linking needs Apple's SDK, which is not here: there is no Mac binary to run.
#   - Ferry.app, assembled by packaging/macos/build-app.sh around a stand-in executable:
#     Info.plist parses and has the keys macOS needs (bundle id, executable, icon, versions
#     equal to Cargo.toml's), the executable is where CFBundleExecutable says, Ferry.icns has
#     every size from 16 to 1024 pixels.
# Target directory: $FERRY_CROSS_TARGET_DIR, default target/cross (shared with .ci/windows.sh,
# apart from the host build's, whose cargo lock it would otherwise hold).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

export DEBIAN_FRONTEND=noninteractive
CROSS_DIR="${FERRY_CROSS_TARGET_DIR:-$repo/target/cross}"
ZIG_VENV="${FERRY_ZIG_VENV:-$CROSS_DIR/zig-venv}"

log() { printf '[macos %4ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '[macos] ERROR: %s\n' "$*" >&2; exit 1; }

# shellcheck source=SCRIPTDIR/apt.sh
source .ci/apt.sh

log "tools"
ensure_packages rustc-web cargo-web rust-web-src rust-web-clippy python3
if ! "$ZIG_VENV/bin/python" -m ziglang version >/dev/null 2>&1; then
  log "zig (PyPI ziglang) in $ZIG_VENV"
  python3 -m venv "$ZIG_VENV"
  "$ZIG_VENV/bin/pip" install --quiet --disable-pip-version-check ziglang
fi
log "zig $("$ZIG_VENV/bin/python" -m ziglang version)"

for target in aarch64-apple-darwin x86_64-apple-darwin; do
  zig_target="${target%%-*}-macos"
  cc_var="CC_${target//-/_}"
  log "cargo clippy --target $target --all-targets -- -D warnings"
  env PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$CROSS_DIR" \
    FERRY_ZIG_PYTHON="$ZIG_VENV/bin/python" "$cc_var=$repo/.ci/cross/zig-cc-$zig_target" \
    /usr/bin/cargo clippy -Zbuild-std --target "$target" --all-targets --quiet -- -D warnings
done

log "Ferry.app around a stand-in executable"
stand_in="$(mktemp)"
printf '#!/bin/sh\necho "a CI stand-in for the Mac binary"\n' >"$stand_in"
bash packaging/macos/build-app.sh --executable "$stand_in" --no-sign
rm -f "$stand_in"
app=target/macos/Ferry.app
pkgid="$(cargo pkgid)"
python3 - "$app" "${pkgid##*[#@]}" <<'PY'
import os, plistlib, sys

app, version = sys.argv[1], sys.argv[2]
with open(f"{app}/Contents/Info.plist", "rb") as f:
    plist = plistlib.load(f)
want = {
    "CFBundleIdentifier": "io.github.ferry-ftps.Ferry",
    "CFBundlePackageType": "APPL",
    "CFBundleShortVersionString": version,
    "CFBundleVersion": version,
    "NSHighResolutionCapable": True,
}
for key, value in want.items():
    assert plist.get(key) == value, f"Info.plist: {key} is {plist.get(key)!r}, expected {value!r}"
for key in ("CFBundleName", "CFBundleExecutable", "CFBundleIconFile", "LSMinimumSystemVersion"):
    assert plist.get(key), f"Info.plist has no {key}"
exe = f"{app}/Contents/MacOS/{plist['CFBundleExecutable']}"
assert os.access(exe, os.X_OK), f"{exe} is missing or not executable"
icon = f"{app}/Contents/Resources/{plist['CFBundleIconFile']}.icns"
assert os.path.isfile(icon), f"no {icon}"
assert open(f"{app}/Contents/PkgInfo").read() == "APPL????", "PkgInfo is wrong"
print(f"{app}: Info.plist keys, executable, icon, version {version}")
PY
python3 packaging/macos/icns.py check "$app/Contents/Resources/Ferry.icns"
log "done"
