#!/usr/bin/env bash
# Ferry's Windows tier (issue 26), run by .ci/run. Two parts:
#
#   build   needs no servers: clippy -D warnings for x86_64-pc-windows-gnu (all targets), the
#           release ferry.exe (the window) and ferry-cli.exe (the command line), with icon,
#           version information and manifest (build.rs, through mingw's windres), checked in
#           the PE files; the MSI installer (packaging/windows/ferry.wxs, built with wixl).
#   test    needs the interop servers (FERRY_INTEROP_ENV=.../servers.env): in a throwaway Wine
#           prefix, installs the MSI (per user, no administrator), upgrades it, and runs the
#           installed ferry.com against vsftpd and ProFTPD over TLS: ls/get/put/get -r/sync,
#           the certificate paths (unknown: exit 5 and the fingerprint; --trust; a pin; a
#           changed certificate), a saved site whose password is in the Credential Manager,
#           names Windows cannot hold, a path of more than 260 characters, a target another
#           program holds open; then the window under Xvfb (a screenshot that is not blank),
#           and the uninstaller, which must leave the user's settings.
#
#   usage: bash .ci/windows.sh [tools|build|test|all]      (default: all; tools: only the
#          Debian packages both parts need)
#
# Toolchain: rustup cannot fetch the Windows target here, so this uses Debian's Rust
# (rustc-web/cargo-web with rust-web-src) and builds the standard library from source
# (-Zbuild-std, allowed on a stable compiler by RUSTC_BOOTSTRAP=1). Its target directory is
# $FERRY_CROSS_TARGET_DIR, default target/cross (so ferry.exe is
# target/cross/x86_64-pc-windows-gnu/release/ferry.exe): a folder of its own, so that it holds
# no cargo lock a host build waits for (.ci/run builds both at once). The MSI goes to
# target/windows/.
#
# Wine 8 lacks bcryptprimitives.dll (ProcessPrng), which Rust's standard library imports: a
# stand-in built from .ci/windows/bcryptprimitives.c goes into the prefix (never shipped).
# FERRY_UPDATE_SCREENSHOT=1 copies the window's screenshots to docs/windows-wine-<size>.png.
# `test && ok ... || bad ...` is meant: ok and bad always return 0.
# shellcheck disable=SC2015
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

export DEBIAN_FRONTEND=noninteractive
TARGET=x86_64-pc-windows-gnu
CROSS_DIR="${FERRY_CROSS_TARGET_DIR:-$repo/target/cross}"
OUT="$CROSS_DIR/$TARGET/release"

log() { printf '[windows %4ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '[windows] ERROR: %s\n' "$*" >&2; exit 1; }

# shellcheck source=SCRIPTDIR/apt.sh
source .ci/apt.sh

# The crate's version, from Cargo.toml via cargo (`...#ferry@0.1.0` or `...#0.1.0`).
pkgid="$(cargo pkgid)"
VERSION="${pkgid##*[#@]}"
MSI="$repo/target/windows/Ferry-$VERSION-windows-x64.msi"

# Debian's cargo and rustc, by path, ahead of rustup's on PATH (build scripts run `rustc`).
cross_cargo() {
  env PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$CROSS_DIR" \
    /usr/bin/cargo "$@"
}

# Everything both parts install (.ci/run calls this in the foreground, before the build part
# goes to the background, so that no apt-get runs at the lowest priority while others wait).
BUILD_PACKAGES=(rustc-web cargo-web rust-web-src rust-web-clippy gcc-mingw-w64-x86-64-posix
  binutils-mingw-w64-x86-64 wixl msitools)
TEST_PACKAGES=(wine64 wine xvfb x11-apps x11-utils imagemagick openssl gcc-mingw-w64-x86-64-posix
  msitools)
tools() {
  log "tools"
  ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
}

build() {
  log "tools"
  ensure_packages "${BUILD_PACKAGES[@]}"
  /usr/bin/cargo --version

  log "cargo clippy --target $TARGET --all-targets -- -D warnings"
  cross_cargo clippy -Zbuild-std --target "$TARGET" --all-targets --quiet -- -D warnings

  log "cargo build --release --target $TARGET --bins"
  cross_cargo build -Zbuild-std --target "$TARGET" --release --bins --quiet
  check_executables

  log "MSI"
  build_msi "$VERSION" "$MSI"
  check_msi "$MSI"
}

# The PE files: the window is a GUI program (no console window opens behind it), the command
# line a console one; both carry the icon, the version and the manifest.
check_executables() {
  local exe subsystem
  for exe in ferry.exe ferry-cli.exe; do
    [[ -f $OUT/$exe ]] || die "$OUT/$exe was not built"
    subsystem="$(x86_64-w64-mingw32-objdump -p "$OUT/$exe" | sed -n 's/^Subsystem.*\((.*)\)$/\1/p')"
    case "$exe:$subsystem" in
      "ferry.exe:(Windows GUI)" | "ferry-cli.exe:(Windows CUI)") ;;
      *) die "$exe has subsystem '$subsystem'" ;;
    esac
    python3 - "$OUT/$exe" "$VERSION" assets/ferry.ico <<'PY'
import struct
import sys

path, version, ico = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(path, "rb").read()

# The resource types in the PE file's .rsrc section: the root directory's entries, and how
# many resources each type's directory holds.
RT_ICON, RT_GROUP_ICON, RT_VERSION, RT_MANIFEST = 3, 14, 16, 24
pe = struct.unpack_from("<I", data, 0x3C)[0]
sections, optional_size = struct.unpack_from("<H", data, pe + 6)[0], struct.unpack_from("<H", data, pe + 20)[0]
table = pe + 24 + optional_size
rsrc = None
for i in range(sections):
    name, _, _, _, raw = struct.unpack_from("<8sIIII", data, table + 40 * i)
    if name.rstrip(b"\0") == b".rsrc":
        rsrc = raw
if rsrc is None:
    sys.exit(f"{path}: no .rsrc section (no resources at all)")

def entries(offset):
    named, ids = struct.unpack_from("<HH", data, rsrc + offset + 12)
    for i in range(named + ids):
        key, target = struct.unpack_from("<II", data, rsrc + offset + 16 + 8 * i)
        yield key, target & 0x7FFFFFFF

types = {key: len(list(entries(sub))) for key, sub in entries(0)}
icon_sizes = struct.unpack_from("<H", open(ico, "rb").read(), 4)[0]
missing = []
if types.get(RT_ICON, 0) != icon_sizes:
    missing.append(f"{icon_sizes} icon images (has {types.get(RT_ICON, 0)})")
for kind, what in [(RT_GROUP_ICON, "an icon group"), (RT_VERSION, "a version block"),
                   (RT_MANIFEST, "a manifest")]:
    if types.get(kind, 0) != 1:
        missing.append(what)
wide = lambda s: s.encode("utf-16-le")
for what, needle in {
    "the description": wide("Ferry FTPS client"),
    "the version": wide(version),
    "the manifest's long paths": b"<longPathAware",
    "the manifest's UTF-8 code page": b"<activeCodePage",
}.items():
    if needle not in data:
        missing.append(what)
if missing:
    sys.exit(f"{path} lacks: {'; '.join(missing)}")
print(f"{path}: version {version}, {icon_sizes} icon sizes, manifest", file=sys.stderr)
PY
  done
  log "ferry.exe is a GUI program, ferry-cli.exe a console one; both have icon, version, manifest"
}

# build_msi VERSION OUTPUT: wixl resolves File sources relative to where it runs, so it runs in
# a staging folder holding the files under plain names.
build_msi() {
  local version=$1 output=$2 stage
  stage="$(mktemp -d)"
  cp "$OUT/ferry.exe" "$stage/ferry.exe"
  cp "$OUT/ferry-cli.exe" "$stage/ferry-cli.exe"
  cp assets/ferry.ico "$stage/ferry.ico"
  mkdir -p "$(dirname "$output")"
  (cd "$stage" && wixl --arch x64 -D Version="$version" -D FerryExe=ferry.exe \
    -D FerryCliExe=ferry-cli.exe -D IconFile=ferry.ico -o "$output" "$repo/packaging/windows/ferry.wxs")
  rm -rf "$stage"
  log "built $output ($(stat -c %s "$output") bytes)"
}

# The MSI's tables say what the installer does: per user (no ALLUSERS, the "no elevation" bit
# in the summary), into %LOCALAPPDATA%\Programs\Ferry, a Start menu shortcut, the upgrade rule.
check_msi() {
  local msi=$1 summary property directory shortcut upgrade
  # Read whole first: `msiinfo ... | grep -q` would fail under pipefail when grep stops early.
  summary="$(msiinfo suminfo "$msi")"
  property="$(msiinfo export "$msi" Property)"
  directory="$(msiinfo export "$msi" Directory)"
  shortcut="$(msiinfo export "$msi" Shortcut)"
  upgrade="$(msiinfo export "$msi" Upgrade)"
  grep -q '^Template: x64;1033$' <<<"$summary" || die "$msi: not an x64 package"
  grep -Eq '^Source: (8|10) ' <<<"$summary" || die "$msi: asks for elevation"
  ! grep -q '^ALLUSERS' <<<"$property" || die "$msi: installs for all users"
  grep -q "^UserPrograms	LocalAppDataFolder	Programs" <<<"$directory" \
    || die "$msi: not under %LOCALAPPDATA%\\Programs"
  grep -q "ProgramMenuFolder" <<<"$shortcut" || die "$msi: no Start menu entry"
  grep -q "WIX_UPGRADE_DETECTED" <<<"$upgrade" || die "$msi: no upgrade rule"
  log "MSI tables: per user, no elevation, Start menu entry, major upgrade"
}

# ---------------------------------------------------------------------------------------------
# The test part.

pass=0
failed=()
ok() { log "ok: $*"; pass=$((pass + 1)); }
bad() { log "FAIL: $*"; failed+=("$*"); }

# wine_path UNIX_PATH: the Windows name of a file under the prefix's C: drive.
win_path() {
  local rel=${1#"$WINEPREFIX/drive_c/"}
  printf 'C:\\%s' "${rel//\//\\}"
}

# ferry WANT LABEL ARGS...: the installed ferry.com under Wine; stdout in $T/out, stderr in
# $T/err. Passes when the exit code is WANT.
ferry() {
  local want=$1 label=$2 rc=0
  shift 2
  (cd "$WIN_HOME" && timeout 180 "$WINE" "$FERRY_COM" "$@") >"$T/out" 2>"$T/err" </dev/null || rc=$?
  if [[ $rc -eq $want ]]; then
    ok "$label"
  else
    bad "$label (exit $rc, expected $want)"
    sed 's/^/    | /' "$T/err" | tail -n 25 >&2
  fi
  return 0
}

# expect_in FILE TEXT LABEL: FILE contains TEXT.
expect_in() {
  if grep -qF -- "$2" "$1"; then ok "$3"; else bad "$3 ('$2' not in the output)"; sed 's/^/    | /' "$1" | tail -n 15 >&2; fi
}

setup_wine() {
  log "tools"
  ensure_packages "${TEST_PACKAGES[@]}"
  export WINEPREFIX="$T/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  WINE=/usr/lib/wine/wine64
  log "Wine prefix $WINEPREFIX ($($WINE --version))"
  "$WINE" wineboot --init >"$T/wineboot.log" 2>&1 || { cat "$T/wineboot.log" >&2; die "wineboot failed"; }
  /usr/lib/wine/wineserver -w
  x86_64-w64-mingw32-gcc -O2 -s -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    .ci/windows/bcryptprimitives.c .ci/windows/bcryptprimitives.def -ladvapi32
  x86_64-w64-mingw32-gcc -municode -O2 -s -o "$T/hold-open.exe" .ci/windows/hold-open.c
  # Wine names the profile folder after the Unix user, and links Documents, Desktop and the
  # rest to the Unix home: made real folders here, so that nothing a test writes lands in
  # $HOME and the prefix is the whole Windows side.
  USER_DIR="$WINEPREFIX/drive_c/users/${USER:-$(id -un)}"
  local shell_folder
  for shell_folder in Desktop Documents Downloads Music Pictures Videos Templates; do
    if [[ -L $USER_DIR/$shell_folder ]]; then
      rm "$USER_DIR/$shell_folder"
      mkdir "$USER_DIR/$shell_folder"
    fi
  done
  WIN_HOME="$USER_DIR/Documents"
  mkdir -p "$WIN_HOME"
}

# Installs the MSI as a user would (msiexec, quiet), then an "upgrade": the same program with
# a higher version. The settings written in between must survive both.
install_and_upgrade() {
  local programs="$USER_DIR/AppData/Local/Programs/Ferry"
  local settings="$USER_DIR/AppData/Roaming/Ferry/Ferry/config"
  "$WINE" msiexec /i "$(win_path "$(stage_in_prefix "$MSI")")" /qn >"$T/msiexec.log" 2>&1 \
    || { cat "$T/msiexec.log" >&2; bad "msiexec /i (exit $?)"; return 0; }
  /usr/lib/wine/wineserver -w
  [[ -f $programs/ferry.exe ]] && ok "installed %LOCALAPPDATA%\\Programs\\Ferry\\ferry.exe" \
    || bad "no ferry.exe in $programs"
  FERRY_COM="$USER_DIR/AppData/Local/Microsoft/WindowsApps/ferry.com"
  [[ -f $FERRY_COM ]] && ok "installed ferry.com in WindowsApps (on PATH)" || bad "no $FERRY_COM"
  [[ -f "$USER_DIR/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Ferry.lnk" ]] \
    && ok "Start menu entry" || bad "no Start menu entry"

  ferry 0 "ferry.com --version" --version
  expect_in "$T/out" "ferry $VERSION" "ferry.com reports version $VERSION"

  # Settings written by this version, then the upgrade.
  mkdir -p "$settings"
  printf '# kept across upgrades\n' >"$settings/upgrade-marker.toml"
  local next
  next="$(python3 -c "import sys; a=sys.argv[1].split('.'); a[2]=str(int(a[2].split('-')[0])+1); print('.'.join(a))" "$VERSION")"
  build_msi "$next" "$T/Ferry-$next.msi"
  INSTALLED_MSI="$(stage_in_prefix "$T/Ferry-$next.msi")"
  "$WINE" msiexec /i "$(win_path "$INSTALLED_MSI")" /qn >"$T/msiexec.log" 2>&1 \
    || { cat "$T/msiexec.log" >&2; bad "msiexec /i of the upgrade"; return 0; }
  /usr/lib/wine/wineserver -w
  local products
  products="$("$WINE" reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s 2>/dev/null \
    | tr -d '\r' | grep -c 'DisplayName.*Ferry' || true)"
  # Wine's msiexec registers per-user products under HKLM too; count both.
  products=$((products + $("$WINE" reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s 2>/dev/null \
    | tr -d '\r' | grep -c 'DisplayName.*Ferry' || true)))
  [[ $products -eq 1 ]] && ok "the upgrade replaced the old version (one Ferry in Apps)" \
    || bad "after the upgrade $products Ferry entries are registered"
  local registered
  registered="$("$WINE" reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s 2>/dev/null | tr -d '\r')"
  grep -q "DisplayVersion.*$next" <<<"$registered" && ok "Apps shows version $next" \
    || bad "Apps does not show version $next"
  [[ -f $settings/upgrade-marker.toml ]] && ok "settings kept across the upgrade" || bad "the upgrade deleted settings"
  rm -f "$settings/upgrade-marker.toml"
}

# The prefix's own copy of a file (Wine's msiexec reads Z:\ too, but a C: path is what a user has).
stage_in_prefix() {
  local dest
  dest="$WINEPREFIX/drive_c/installers/$(basename "$1")"
  mkdir -p "$(dirname "$dest")"
  cp "$1" "$dest"
  printf '%s' "$dest"
}

# What the servers hold for these tests: a binary file, names Windows cannot hold, a deep path.
prepare_server_files() {
  REMOTE_DIR="windows-tier-$$"
  local on_server="$FERRY_INTEROP_HOME/$REMOTE_DIR"
  mkdir -p "$on_server/tree/sub" "$on_server/odd"
  head -c 3000000 /dev/urandom >"$on_server/big.bin"
  head -c 40000000 /dev/urandom >"$on_server/large.bin"
  printf 'one\n' >"$on_server/tree/one.txt"
  printf 'two\n' >"$on_server/tree/sub/two.txt"
  printf 'a device name\n' >"$on_server/odd/CON"
  printf 'a colon\n' >"$on_server/odd/a:b.txt"
  printf 'a trailing dot\n' >"$on_server/odd/trail."
  printf 'upper\n' >"$on_server/odd/README.txt"
  printf 'lower\n' >"$on_server/odd/readme.txt"
  local deep="$on_server/odd" i
  for i in 1 2 3 4 5; do
    deep="$deep/$(printf 'folder-%d-%s' "$i" "$(printf 'x%.0s' {1..50})")"
  done
  mkdir -p "$deep"
  printf 'deep\n' >"$deep/deep-file.txt"
  chown -R "$FERRY_INTEROP_USER:$FERRY_INTEROP_USER" "$on_server"
  cp "$FERRY_INTEROP_CA" "$WIN_HOME/ca.pem"
  CA="$(win_path "$WIN_HOME/ca.pem")"
}

# ls/get/put/get -r/sync over explicit TLS on one server; NAME PORT.
transfers_on() {
  local name=$1 port=$2 url local_dir
  url="ftp://$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS@$FERRY_INTEROP_HOST:$port/$REMOTE_DIR"
  local_dir="$WIN_HOME/$name"
  rm -rf "$local_dir"
  mkdir -p "$local_dir"

  ferry 0 "$name: ls over TLS" --ca-file "$CA" ls "$url/"
  expect_in "$T/out" "big.bin" "$name: ls lists big.bin"

  ferry 0 "$name: get a 3 MB file" --ca-file "$CA" get "$url/big.bin" "$(win_path "$local_dir")\\big.bin"
  cmp -s "$FERRY_INTEROP_HOME/$REMOTE_DIR/big.bin" "$local_dir/big.bin" \
    && ok "$name: the downloaded file is byte-identical" || bad "$name: downloaded big.bin differs"

  head -c 2000000 /dev/urandom >"$local_dir/up.bin"
  ferry 0 "$name: put a 2 MB file" --ca-file "$CA" put "$(win_path "$local_dir")\\up.bin" "$url/up-$name.bin"
  cmp -s "$local_dir/up.bin" "$FERRY_INTEROP_HOME/$REMOTE_DIR/up-$name.bin" \
    && ok "$name: the uploaded file is byte-identical" || bad "$name: uploaded file differs"

  ferry 0 "$name: get -r a folder" --ca-file "$CA" get -r "$url/tree" "$(win_path "$local_dir")\\tree"
  diff -r "$FERRY_INTEROP_HOME/$REMOTE_DIR/tree" "$local_dir/tree" >/dev/null \
    && ok "$name: get -r copied the tree" || bad "$name: get -r tree differs"

  mkdir -p "$local_dir/sync/inner"
  printf 'synced %s\n' "$name" >"$local_dir/sync/inner/s.txt"
  ferry 0 "$name: sync upload" --ca-file "$CA" sync "$(win_path "$local_dir")\\sync" "$url/sync-$name" --direction upload
  diff -r "$local_dir/sync" "$FERRY_INTEROP_HOME/$REMOTE_DIR/sync-$name" >/dev/null \
    && ok "$name: sync upload made the server agree" || bad "$name: sync upload differs"
  ferry 0 "$name: sync download into an empty folder" --ca-file "$CA" \
    sync "$(win_path "$local_dir")\\back" "$url/sync-$name" --direction download
  diff -r "$local_dir/sync" "$local_dir/back" >/dev/null \
    && ok "$name: sync download brought the same files" || bad "$name: sync download differs"
}

# Unknown, --trust, pinned, changed: on vsftpd's explicit port.
certificate_paths() {
  local port=$FERRY_INTEROP_VSFTPD_EXPLICIT_PORT url fp spki pins_dir
  url="ftp://$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS@$FERRY_INTEROP_HOST:$port/$REMOTE_DIR/"
  ferry 5 "unknown certificate: exit 5" ls "$url"
  expect_in "$T/err" "SHA256:" "unknown certificate: the fingerprint is shown"
  fp="$(grep -o 'SHA256:[0-9A-F:]\{95\}' "$T/err" | head -n 1 || true)"
  ferry 0 "--trust with the shown fingerprint" --trust "$fp" ls "$url"

  # The server's certificate, as the pin store keeps it.
  local pem="$T/server.pem"
  openssl s_client -connect "$FERRY_INTEROP_HOST:$port" -starttls ftp </dev/null 2>/dev/null \
    | openssl x509 >"$pem"
  fp="$(openssl x509 -in "$pem" -noout -fingerprint -sha256 | cut -d= -f2)"
  spki="$(openssl x509 -in "$pem" -noout -pubkey | openssl pkey -pubin -outform DER \
    | openssl dgst -sha256 -binary | od -An -tx1 | tr -d ' \n' | tr a-f A-F | sed 's/../&:/g; s/:$//')"
  pins_dir="$USER_DIR/AppData/Roaming/Ferry/Ferry/config"
  mkdir -p "$pins_dir"
  write_pin() {
    cat >"$pins_dir/pins.toml" <<EOF
version = 1

[[pin]]
host = "$FERRY_INTEROP_HOST"
port = $port
sha256 = "$1"
spki_sha256 = "$2"
subject = "CN=test"
issuer = "CN=test"
not_before = 0
not_after = 4102444800
accepted_at = 0
EOF
  }
  write_pin "$fp" "$spki"
  ferry 0 "a pin in %APPDATA%\\Ferry\\Ferry\\config\\pins.toml is trusted" ls "$url"
  local other="00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"
  write_pin "$other" "$other"
  ferry 5 "a changed certificate: exit 5" ls "$url"
  expect_in "$T/err" "CHANGED" "a changed certificate: the loud warning"
  rm -f "$pins_dir/pins.toml"
}

# A saved site whose password lives in the Credential Manager (CredWriteW/CredReadW).
credential_manager() {
  local port=$FERRY_INTEROP_PROFTPD_EXPLICIT_PORT config="$USER_DIR/AppData/Roaming/Ferry/Ferry/config"
  ferry 0 "sites add with a password" sites add wine-proftpd \
    "ftp://$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS@$FERRY_INTEROP_HOST:$port/$REMOTE_DIR" --site-ca-file "$CA"
  [[ -f $config/sites.toml ]] && ok "sites.toml is in %APPDATA%\\Ferry\\Ferry\\config" || bad "no sites.toml in $config"
  # Wine keeps the Credential Manager in the registry (user.reg, written when wineserver ends),
  # the secret encrypted: the entry is there, the password in clear nowhere.
  /usr/lib/wine/wineserver -w
  grep -q 'Credential Manager\\\\Generic: wine-proftpd\.' "$WINEPREFIX/user.reg" \
    && ok "the password is a Credential Manager entry" || bad "no Credential Manager entry for the site"
  if grep -rqF "$FERRY_INTEROP_PASS" "$config" "$WINEPREFIX"/*.reg 2>/dev/null; then
    bad "the password is on disk in clear"
  else
    ok "the password is nowhere on disk in clear (sites file, registry)"
  fi
  ferry 0 "ls site:wine-proftpd (password from the Credential Manager)" ls site:wine-proftpd/
  expect_in "$T/out" "big.bin" "the saved site lists the folder"
  ferry 0 "sites rm" sites rm wine-proftpd
  /usr/lib/wine/wineserver -w
  ! grep -q 'Credential Manager\\\\Generic: wine-proftpd\.' "$WINEPREFIX/user.reg" \
    && ok "sites rm deleted the Credential Manager entry" || bad "the Credential Manager entry outlived sites rm"
}

# Names Windows cannot hold, a case collision and a deep path, through the real file API.
windows_names() {
  local port=$FERRY_INTEROP_VSFTPD_EXPLICIT_PORT url dest
  url="ftp://$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS@$FERRY_INTEROP_HOST:$port/$REMOTE_DIR"
  dest="$WIN_HOME/odd"
  rm -rf "$dest"
  ferry 0 "get -r of names Windows cannot hold" --ca-file "$CA" get -r "$url/odd" "$(win_path "$dest")"
  local f
  for f in CON_ a_b.txt trail_; do
    [[ -f $dest/$f ]] && ok "mapped name $f" || { bad "no $f"; ls -la "$dest" >&2; }
  done
  # README.txt and readme.txt are one name on Windows: both kept, neither overwritten.
  local contents
  contents="$(cat "$dest"/[Rr][Ee][Aa][Dd][Mm][Ee]* 2>/dev/null | sort | tr '\n' ' ')"
  [[ $contents == "lower upper " ]] && ok "a case collision keeps both files" \
    || { bad "case collision: got '$contents'"; ls -la "$dest" >&2; }
  local deep
  deep="$(find "$dest" -name deep-file.txt | head -n 1)"
  if [[ -n $deep ]] && [[ $(cat "$deep") == deep ]]; then
    local win
    win="$(win_path "$deep")"
    ok "a file at a ${#win}-character path"
  else
    bad "the deep file did not arrive"
  fi
}

# A download onto a file another program holds open (no sharing): the rename into place fails
# with a sharing violation. Held briefly, Ferry waits and succeeds; held longer, it says why and
# keeps what it downloaded, and the next attempt finishes it.
held_open_target() {
  local port=$FERRY_INTEROP_VSFTPD_EXPLICIT_PORT url target holder
  url="ftp://$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS@$FERRY_INTEROP_HOST:$port/$REMOTE_DIR/big.bin"
  target="$WIN_HOME/held.bin"
  printf 'old contents\n' >"$target"
  "$WINE" "$T/hold-open.exe" "$(win_path "$target")" 2 >"$T/holder.out" 2>&1 &
  holder=$!
  wait_for_line "$T/holder.out" holding
  ferry 0 "a target held open for 2 s: Ferry waits and replaces it" --ca-file "$CA" \
    get "$url" "$(win_path "$target")"
  wait "$holder" || true
  cmp -s "$FERRY_INTEROP_HOME/$REMOTE_DIR/big.bin" "$target" \
    && ok "the held target now has the new contents" || bad "the held target was not replaced"

  printf 'old contents\n' >"$target"
  "$WINE" "$T/hold-open.exe" "$(win_path "$target")" 40 >"$T/holder.out" 2>&1 &
  holder=$!
  wait_for_line "$T/holder.out" holding
  ferry 8 "a target held open for good: a local error" --ca-file "$CA" get "$url" "$(win_path "$target")"
  expect_in "$T/err" "another program" "the error says another program has the file open"
  [[ $(cat "$target") == "old contents" ]] && ok "the held file is untouched" || bad "the held file changed"
  kill "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
  /usr/lib/wine/wineserver -k 2>/dev/null || true
  ferry 0 "the retry after the program let go" --ca-file "$CA" get "$url" "$(win_path "$target")"
  cmp -s "$FERRY_INTEROP_HOME/$REMOTE_DIR/big.bin" "$target" \
    && ok "the retry finished the download" || bad "the retry did not finish"
}

# Ctrl-C during a download (Wine turns SIGINT into the console's CTRL_C_EVENT, as a key press
# in cmd would send): exit 130 and what was kept, the partial file on disk, and the same
# command finishes the file. From vsftpd_slow (8 MB/s), so there is time to interrupt.
ctrl_c_during_a_download() {
  local url target pid rc=0 size=0 i
  url="ftp://$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS@$FERRY_INTEROP_HOST:$FERRY_INTEROP_VSFTPD_SLOW_PORT/$REMOTE_DIR/large.bin"
  target="$WIN_HOME/large.bin"
  (cd "$WIN_HOME" && exec "$WINE" "$FERRY_COM" --ca-file "$CA" get "$url" "$(win_path "$target")") \
    >"$T/out" 2>"$T/err" </dev/null &
  pid=$!
  for i in $(seq 1 300); do
    size="$(find "$WIN_HOME" -maxdepth 1 -name 'large.bin.*.ferry-part' -printf '%s\n' | head -n 1)"
    [[ ${size:-0} -gt 4000000 ]] && break
    sleep 0.1
  done
  pkill -INT -f 'ferry\.com.*large\.bin' || true
  wait "$pid" || rc=$?
  [[ $rc -eq 130 ]] && ok "Ctrl-C: exit 130" || bad "Ctrl-C: exit $rc, expected 130 (partial was ${size:-0} bytes)"
  expect_in "$T/err" "interrupted" "Ctrl-C: says what is kept"
  [[ -n $(find "$WIN_HOME" -maxdepth 1 -name 'large.bin.*.ferry-part' -size +1M) ]] \
    && ok "Ctrl-C: the partial file is kept" || bad "Ctrl-C: no partial file"
  [[ ! -e $target ]] && ok "Ctrl-C: nothing under the file's name" || bad "Ctrl-C: a file under the target name"
  ferry 0 "after Ctrl-C the same command finishes the file" --ca-file "$CA" get "$url" "$(win_path "$target")"
  cmp -s "$FERRY_INTEROP_HOME/$REMOTE_DIR/large.bin" "$target" \
    && ok "the continued file is byte-identical" || bad "the continued file differs"
  [[ -z $(find "$WIN_HOME" -maxdepth 1 -name 'large.bin.*.ferry-part') ]] \
    && ok "no partial file is left" || bad "a partial file is left"
}

wait_for_line() {
  local i
  for i in $(seq 1 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  bad "the file holder did not start"
}

# The window, started from the installed ferry.exe under Xvfb (Mesa's llvmpipe behind Wine's
# OpenGL): it must draw something other than a blank screen.
window_screenshot() {
  local display=:87 size shot colours
  for size in 1280x800 800x600; do
    Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp >"$T/xvfb.log" 2>&1 &
    local xvfb=$!
    sleep 1
    DISPLAY=$display "$WINE" "$USER_DIR/AppData/Local/Programs/Ferry/ferry.exe" >"$T/gui.log" 2>&1 &
    local gui=$!
    local i window=""
    for i in $(seq 1 60); do
      window="$(DISPLAY=$display xwininfo -root -tree 2>/dev/null | awk '/"Ferry"/ {print $1; exit}')"
      [[ -n $window ]] && break
      sleep 1
    done
    [[ -n $window ]] || { bad "no window named Ferry at $size"; tail -n 20 "$T/gui.log" >&2; window=root; }
    # Time for the first frames (fonts, the home folder's listing).
    sleep 5
    shot="$T/window-$size.png"
    DISPLAY=$display import -window "$window" "$shot"
    colours="$(identify -format '%k' "$shot")"
    if [[ $colours -gt 16 ]]; then
      ok "the window at $size draws ($colours colours)"
    else
      bad "the window at $size is blank ($colours colours)"
      tail -n 20 "$T/gui.log" >&2
    fi
    if [[ ${FERRY_UPDATE_SCREENSHOT:-0} == 1 ]]; then
      cp "$shot" "docs/windows-wine-$size.png"
      log "wrote docs/windows-wine-$size.png"
    fi
    kill "$gui" 2>/dev/null || true
    /usr/lib/wine/wineserver -k 2>/dev/null || true
    kill "$xvfb" 2>/dev/null || true
    wait "$gui" "$xvfb" 2>/dev/null || true
  done
}

uninstall() {
  local programs="$USER_DIR/AppData/Local/Programs/Ferry"
  local settings="$USER_DIR/AppData/Roaming/Ferry/Ferry/config"
  mkdir -p "$settings"
  printf '# the user keeps this\n' >"$settings/uninstall-marker.toml"
  # The installed product is the upgrade's: uninstall through its package, as Apps does.
  "$WINE" msiexec /x "$(win_path "$INSTALLED_MSI")" /qn >"$T/msiexec.log" 2>&1 \
    || { cat "$T/msiexec.log" >&2; bad "msiexec /x failed"; }
  /usr/lib/wine/wineserver -w
  [[ ! -e $programs/ferry.exe && ! -e $FERRY_COM ]] && ok "the uninstaller removed ferry.exe and ferry.com" \
    || bad "files left after uninstalling: $(find "$programs" "$FERRY_COM" 2>&1 | tr '\n' ' ')"
  [[ ! -e "$USER_DIR/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Ferry.lnk" ]] \
    && ok "the uninstaller removed the Start menu entry" || bad "the Start menu entry is left"
  [[ -f $settings/uninstall-marker.toml ]] && ok "uninstalling kept the user's settings" \
    || bad "uninstalling deleted the user's settings"
}

run_tests() {
  [[ -n ${FERRY_INTEROP_ENV:-} && -f $FERRY_INTEROP_ENV ]] || die "FERRY_INTEROP_ENV must name the interop servers.env"
  # shellcheck disable=SC1090
  source "$FERRY_INTEROP_ENV"
  [[ -f $MSI ]] || die "no $MSI: run the build part first"
  T="$(mktemp -d /tmp/ferry-windows.XXXXXX)"
  # The prefix is about 700 MB: gone afterwards unless FERRY_KEEP_WINE=1 (to look inside).
  trap '/usr/lib/wine/wineserver -k 2>/dev/null || true; rm -rf "$FERRY_INTEROP_HOME/${REMOTE_DIR:-none}"
    [[ ${FERRY_KEEP_WINE:-0} == 1 ]] || rm -rf "$T"' EXIT
  setup_wine
  install_and_upgrade
  prepare_server_files
  transfers_on vsftpd "$FERRY_INTEROP_VSFTPD_EXPLICIT_PORT"
  transfers_on proftpd "$FERRY_INTEROP_PROFTPD_EXPLICIT_PORT"
  ferry 0 "implicit TLS (ftps://, vsftpd)" --ca-file "$CA" ls \
    "ftps://$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS@$FERRY_INTEROP_HOST:$FERRY_INTEROP_VSFTPD_IMPLICIT_PORT/$REMOTE_DIR/"
  certificate_paths
  credential_manager
  windows_names
  held_open_target
  ctrl_c_during_a_download
  window_screenshot
  uninstall
  log "$pass passed, ${#failed[@]} failed"
  if [[ ${#failed[@]} -gt 0 ]]; then
    printf '  failed: %s\n' "${failed[@]}" >&2
    exit 1
  fi
}

case "${1:-all}" in
  tools) tools ;;
  build) build ;;
  test) run_tests ;;
  all) build && run_tests ;;
  *) die "usage: $0 [tools|build|test|all]" ;;
esac
