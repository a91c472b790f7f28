#!/usr/bin/env bash
# Builds Ferry.app (and a zip of it) on macOS.
#
#   usage: packaging/macos/build-app.sh [--universal] [--no-sign] [--executable FILE]
#
#   --universal   build for Apple silicon and Intel (rustup targets aarch64-apple-darwin and
#                 x86_64-apple-darwin) and join them with lipo; default: the host's target only
#   --no-sign     skip codesign (the default signs: ad hoc, or with $SIGN_IDENTITY if set)
#   --executable FILE
#                 put FILE in the bundle instead of building one (no cargo build); with it the
#                 bundle can be assembled on Linux too, which is how CI checks it
#                 (.ci/macos.sh): there is no Apple SDK there to link a real one
#
# Output: target/macos/Ferry.app and, on macOS, target/macos/Ferry-<version>-macos.zip.
# Needs cargo and python3; on macOS the Xcode command line tools (codesign, lipo, ditto).
# The icon comes from assets/icons/ferry-<N>.png (made into Ferry.icns by icns.py, here and in
# CI alike), the bundle's Info.plist from packaging/macos/Info.plist (its version must match
# Cargo.toml's).
set -euo pipefail

log() { printf '[build-app] %s\n' "$*" >&2; }
die() { printf '[build-app] ERROR: %s\n' "$*" >&2; exit 1; }

universal=0
sign=1
executable=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --universal) universal=1 ;;
    --no-sign) sign=0 ;;
    --executable)
      [[ $# -ge 2 ]] || die "--executable needs a file"
      executable="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
      shift
      ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
  shift
done

on_mac=0
[[ "$(uname -s)" == Darwin ]] && on_mac=1
if [[ $on_mac -eq 0 ]]; then
  [[ -n $executable ]] || die "building Ferry for macOS needs a Mac: elsewhere only --executable FILE --no-sign assembles a bundle"
  [[ $sign -eq 0 ]] || die "codesign exists only on macOS: add --no-sign"
fi
for tool in cargo python3; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
if [[ $on_mac -eq 1 ]]; then
  command -v ditto >/dev/null || die "ditto not found (Xcode command line tools: xcode-select --install)"
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

plist=packaging/macos/Info.plist
pkgid="$(cargo pkgid)"
version="${pkgid##*[#@]}"
plist_value() {
  python3 -c 'import plistlib, sys; print(plistlib.load(open(sys.argv[1], "rb"))[sys.argv[2]])' "$plist" "$1"
}
plist_version="$(plist_value CFBundleShortVersionString)"
[[ $plist_version == "$version" ]] \
  || die "$plist says version $plist_version, Cargo.toml says $version: update the plist"

out=target/macos
app="$out/Ferry.app"
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"

# The executable, named as the plist says.
bundle_exe="$app/Contents/MacOS/$(plist_value CFBundleExecutable)"
if [[ -n $executable ]]; then
  cp "$executable" "$bundle_exe"
elif [[ $universal -eq 1 ]]; then
  command -v lipo >/dev/null || die "lipo not found"
  targets=(aarch64-apple-darwin x86_64-apple-darwin)
  binaries=()
  for target in "${targets[@]}"; do
    log "cargo build --release --target $target"
    cargo build --release --target "$target"
    binaries+=("target/$target/release/ferry")
  done
  lipo -create -output "$bundle_exe" "${binaries[@]}"
else
  log "cargo build --release"
  cargo build --release
  cp target/release/ferry "$bundle_exe"
fi
chmod 755 "$bundle_exe"

# Info.plist and PkgInfo.
cp "$plist" "$app/Contents/Info.plist"
printf 'APPL????' >"$app/Contents/PkgInfo"

# The icon: every size from 16 to 512 points, each with its @2x twin.
python3 packaging/macos/icns.py write assets/icons "$app/Contents/Resources/$(plist_value CFBundleIconFile).icns"

# Signing: ad hoc ("-") unless SIGN_IDENTITY names a Developer ID certificate, in which case
# the hardened runtime is enabled too (needed for notarization).
if [[ $sign -eq 1 ]]; then
  identity="${SIGN_IDENTITY:--}"
  log "codesign --sign $identity"
  if [[ $identity == - ]]; then
    codesign --force --sign - "$app"
  else
    codesign --force --options runtime --timestamp --sign "$identity" "$app"
  fi
  codesign --verify --strict "$app"
fi

if [[ $on_mac -eq 1 ]]; then
  zip="$out/Ferry-$version-macos.zip"
  rm -f "$zip"
  ditto -c -k --sequesterRsrc --keepParent "$app" "$zip"
  log "built $app and $zip"
else
  log "assembled $app (not a Mac: no zip)"
fi
