#!/usr/bin/env bash
# Builds Ferry.app (and a zip of it) on macOS.
#
#   usage: packaging/macos/build-app.sh [--universal] [--no-sign]
#
#   --universal   build for Apple silicon and Intel (rustup targets aarch64-apple-darwin and
#                 x86_64-apple-darwin) and join them with lipo; default: the host's target only
#   --no-sign     skip codesign (the default signs: ad hoc, or with $SIGN_IDENTITY if set)
#
# Output: target/macos/Ferry.app and target/macos/Ferry-<version>-macos.zip.
# Needs the Xcode command line tools (iconutil, codesign, lipo, plutil, ditto) and cargo.
# The icon comes from assets/icons/ferry-<N>.png, the bundle's Info.plist from
# packaging/macos/Info.plist (its version must match Cargo.toml's).
set -euo pipefail

log() { printf '[build-app] %s\n' "$*" >&2; }
die() { printf '[build-app] ERROR: %s\n' "$*" >&2; exit 1; }

universal=0
sign=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --universal) universal=1 ;;
    --no-sign) sign=0 ;;
    -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
  shift
done

[[ "$(uname -s)" == Darwin ]] || die "this builds a macOS app bundle: run it on macOS"
for tool in cargo iconutil plutil ditto; do
  command -v "$tool" >/dev/null || die "$tool not found (Xcode command line tools: xcode-select --install)"
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

plist=packaging/macos/Info.plist
pkgid="$(cargo pkgid)"
version="${pkgid##*[#@]}"
plist_version="$(plutil -extract CFBundleShortVersionString raw -o - "$plist")"
[[ $plist_version == "$version" ]] \
  || die "$plist says version $plist_version, Cargo.toml says $version: update the plist"

out=target/macos
app="$out/Ferry.app"
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"

# The executable.
if [[ $universal -eq 1 ]]; then
  command -v lipo >/dev/null || die "lipo not found"
  targets=(aarch64-apple-darwin x86_64-apple-darwin)
  binaries=()
  for target in "${targets[@]}"; do
    log "cargo build --release --target $target"
    cargo build --release --target "$target"
    binaries+=("target/$target/release/ferry")
  done
  lipo -create -output "$app/Contents/MacOS/ferry" "${binaries[@]}"
else
  log "cargo build --release"
  cargo build --release
  cp target/release/ferry "$app/Contents/MacOS/ferry"
fi
chmod 755 "$app/Contents/MacOS/ferry"

# Info.plist and PkgInfo.
cp "$plist" "$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist" >/dev/null
printf 'APPL????' >"$app/Contents/PkgInfo"

# The icon: an iconset (each size, and its @2x twin from the next PNG up) made into Ferry.icns.
iconset="$(mktemp -d)/Ferry.iconset"
trap 'rm -rf "$(dirname "$iconset")"' EXIT
mkdir -p "$iconset"
for size in 16 32 128 256 512; do
  cp "assets/icons/ferry-$size.png" "$iconset/icon_${size}x${size}.png"
  double=$((size * 2))
  if [[ -f assets/icons/ferry-$double.png ]]; then
    cp "assets/icons/ferry-$double.png" "$iconset/icon_${size}x${size}@2x.png"
  fi
done
iconutil --convert icns --output "$app/Contents/Resources/Ferry.icns" "$iconset"

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

zip="$out/Ferry-$version-macos.zip"
rm -f "$zip"
ditto -c -k --sequesterRsrc --keepParent "$app" "$zip"
log "built $app and $zip"
