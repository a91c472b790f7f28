#!/usr/bin/env bash
# Ferry packaging checks (packaging/README.md), run by .ci/run after the test suites:
#   - the Linux desktop file and AppStream metainfo pass desktop-file-validate and
#     appstreamcli validate (strict, offline);
#   - `cargo deb` builds the .deb (a release build), apt installs it, the installed
#     /usr/bin/ferry runs and reports the crate's version, and the desktop file, metainfo and
#     icons are where desktops look for them;
#   - the icons are the sizes their names say, the macOS Info.plist parses and carries the
#     app id and the crate's version, the metainfo has a release entry for that version;
#   - the packaging shell scripts pass shellcheck.
# Runs as root with no stdin; installs what it needs (apt packages, cargo-deb).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DEBIAN_FRONTEND=noninteractive
APP_ID=io.github.ferry_ftps.Ferry
DESKTOP=packaging/linux/$APP_ID.desktop
METAINFO=packaging/linux/$APP_ID.metainfo.xml
PLIST=packaging/macos/Info.plist
# Apple allows letters, digits, "-" and "." in a bundle id: the app id with "-" for "_".
MAC_BUNDLE_ID=${APP_ID//_/-}

log() { printf '[packaging %4ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '[packaging] ERROR: %s\n' "$*" >&2; exit 1; }

# shellcheck source=SCRIPTDIR/apt.sh
source .ci/apt.sh

log "tools"
ensure_packages desktop-file-utils appstream shellcheck dpkg-dev python3
if ! cargo deb --version >/dev/null 2>&1; then
  log "cargo install cargo-deb --locked"
  cargo install cargo-deb --locked
fi
cargo deb --version

# The crate's version, from Cargo.toml via cargo (`...#ferry@0.1.0` or `...#0.1.0`).
pkgid="$(cargo pkgid)"
version="${pkgid##*[#@]}"
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "could not read the crate version from '$pkgid'"
log "crate version $version"

# desktop-file-validate exits 0 on warnings: treat any output as a failure.
log "desktop-file-validate $DESKTOP"
out="$(desktop-file-validate "$DESKTOP" 2>&1)" || die "desktop-file-validate failed: $out"
[[ -z $out ]] || die "desktop-file-validate: $out"

log "appstreamcli validate --strict --no-net $METAINFO"
appstreamcli validate --strict --no-net "$METAINFO"
grep -q "<release version=\"$version\"" "$METAINFO" \
  || die "$METAINFO has no <release version=\"$version\"> entry (add one when bumping the version)"

log "icons"
python3 - "$APP_ID" <<'PY'
import struct, sys
for size in (16, 24, 32, 48, 64, 128, 256, 512, 1024):
    path = f"assets/icons/ferry-{size}.png"
    with open(path, "rb") as f:
        head = f.read(33)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    width, height, depth, colour = struct.unpack(">IIBB", head[16:26])
    assert (width, height) == (size, size), f"{path}: {width}x{height}, expected {size}x{size}"
    assert colour == 6, f"{path}: not RGBA (colour type {colour})"
with open("assets/ferry.ico", "rb") as f:
    data = f.read()
reserved, kind, count = struct.unpack("<HHH", data[:6])
assert (reserved, kind) == (0, 1), "assets/ferry.ico: not an icon file"
sizes = sorted((data[6 + 16 * i] or 256) for i in range(count))
for size in (16, 32, 48, 256):
    assert size in sizes, f"assets/ferry.ico lacks {size} px (has {sizes})"
print(f"PNGs 16..1024 px RGBA; ferry.ico has {sizes}")
PY

log "macOS Info.plist"
python3 - "$PLIST" "$MAC_BUNDLE_ID" "$version" <<'PY'
import plistlib, sys
path, app_id, version = sys.argv[1:]
with open(path, "rb") as f:
    plist = plistlib.load(f)
expected = {
    "CFBundleIdentifier": app_id,
    "CFBundleExecutable": "ferry",
    "CFBundleIconFile": "Ferry",
    "CFBundlePackageType": "APPL",
    "CFBundleShortVersionString": version,
    "CFBundleVersion": version,
}
for key, value in expected.items():
    assert plist.get(key) == value, f"{path}: {key} is {plist.get(key)!r}, expected {value!r}"
print(f"{path}: valid, {len(plist)} keys, version {version}")
PY

log "shellcheck"
shellcheck -x .ci/packaging.sh .ci/windows.sh .ci/macos.sh .ci/bin/apt-get assets/render.sh packaging/macos/*.sh

log "cargo deb (release build)"
deb="$(cargo deb)"
[[ -f $deb ]] || die "cargo deb did not report a .deb (got '$deb')"
log "built $deb"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"

# The unpacked tree, checked as AppStream tooling sees a package (metainfo + desktop file + icon).
tree="$(mktemp -d /tmp/ferry-deb.XXXXXX)"
trap 'rm -rf "$tree"' EXIT
dpkg-deb --extract "$deb" "$tree"
log "appstreamcli validate-tree --strict --no-net (unpacked .deb)"
appstreamcli validate-tree --strict --no-net "$tree"

log "apt-get install $deb"
apt_update_once
# --reinstall: on a machine that kept an earlier install of the same version, still install
# this build.
apt-get install -y -qq --no-install-recommends --reinstall "$(realpath "$deb")" </dev/null >/dev/null
dpkg-query -W ferry

log "installed files"
for path in \
  /usr/bin/ferry \
  "/usr/share/applications/$APP_ID.desktop" \
  "/usr/share/metainfo/$APP_ID.metainfo.xml" \
  "/usr/share/icons/hicolor/256x256/apps/$APP_ID.png" \
  "/usr/share/icons/hicolor/16x16/apps/$APP_ID.png" \
  "/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg" \
  /usr/share/bash-completion/completions/ferry \
  /usr/share/zsh/vendor-completions/_ferry \
  /usr/share/fish/vendor_completions.d/ferry.fish \
  /usr/share/doc/ferry/copyright; do
  [[ -f $path ]] || die "the package did not install $path"
  echo "ok $path"
done
desktop-file-validate "/usr/share/applications/$APP_ID.desktop"
# Manual pages: cargo deb may compress them; either way `man` must find ferry(1) and ferry-get(1).
for page in ferry ferry-get; do
  ls /usr/share/man/man1/"$page".1* >/dev/null 2>&1 || die "the package did not install the $page(1) manual page"
done

log "/usr/bin/ferry --version"
got="$(/usr/bin/ferry --version)"
echo "$got"
[[ $got == *"$version"* ]] || die "installed ferry --version printed '$got', expected version $version"
du -h /usr/bin/ferry

log "packaging checks passed"
