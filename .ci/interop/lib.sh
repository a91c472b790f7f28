# shellcheck shell=bash
# Constants here are used by the scripts that source this file.
# shellcheck disable=SC2034
# Shared constants and helpers for the Ferry interop server scripts.
# Sourced by start.sh, stop.sh and verify.sh; not meant to be run directly.

# ---------------------------------------------------------------------------
# Fixed layout. Everything can be overridden from the environment, but the
# defaults are what CI uses.
# ---------------------------------------------------------------------------

# Directory that holds this file (and the config templates).
INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Where the .deb packages are downloaded and unpacked (shared by every
# WORKDIR so that a second start on the same machine takes seconds).
FERRY_INTEROP_CACHE="${FERRY_INTEROP_CACHE:-/var/cache/ferry-interop}"
PKG_ROOT="$FERRY_INTEROP_CACHE/root"

# The one FTP login every server accepts, and its home directory.
FERRY_INTEROP_USER="${FERRY_INTEROP_USER:-ferryinterop}"
FERRY_INTEROP_HOME="${FERRY_INTEROP_HOME:-/srv/ferry-interop}"

# PAM service used by vsftpd (written to /etc/pam.d by start.sh).
PAM_SERVICE="ferry-interop"

# Address that vsftpd_natpasv advertises in its PASV replies (TEST-NET-3,
# RFC 5737: guaranteed unroutable, nothing must ever connect to it).
NATPASV_ADDR="203.0.113.7"

# Packages fetched with `apt-get download` and unpacked with `dpkg -x`.
# They all Provide/Conflict on ftp-server, so they cannot be apt-installed
# together; unpacking them side by side avoids that (and their maintainer
# scripts, which would start system-wide daemons on port 21).
# In bookworm mod_tls.so is NOT in proftpd-core: it ships in
# proftpd-mod-crypto (together with mod_sftp).
# dante-server and tinyproxy-bin are the proxies (SOCKS5, HTTP CONNECT) in front of them.
SERVER_DEBS=(vsftpd proftpd-core proftpd-mod-crypto pure-ftpd dante-server tinyproxy-bin)

# ---------------------------------------------------------------------------
# Servers: name -> control port and passive range (disjoint ranges).
# The port numbers are fixed so that a failed CI run can be cleaned up by the
# next one; shift them all with FERRY_INTEROP_BASE_PORT if 22000+ is taken.
# ---------------------------------------------------------------------------
BASE_PORT="${FERRY_INTEROP_BASE_PORT:-22000}"

SERVERS=(vsftpd_explicit vsftpd_implicit proftpd_explicit proftpd_implicit
         pureftpd_explicit vsftpd_natpasv vsftpd_plain vsftpd_slow vsftpd_limited
         vsftpd_clientcert proftpd_ccc vsftpd_activeonly proftpd_tls12 vsftpd_rtt)

# Proxies: name -> port (no passive range of their own). Both require the interop user's
# login and tunnel to 127.0.0.1 only.
PROXIES=(dante_socks5 tinyproxy_http)

# control_port NAME -> port number
control_port() {
  case "$1" in
    vsftpd_explicit)   echo $((BASE_PORT + 21)) ;;
    vsftpd_implicit)   echo $((BASE_PORT + 22)) ;;
    proftpd_explicit)  echo $((BASE_PORT + 23)) ;;
    proftpd_implicit)  echo $((BASE_PORT + 24)) ;;
    pureftpd_explicit) echo $((BASE_PORT + 25)) ;;
    vsftpd_natpasv)    echo $((BASE_PORT + 26)) ;;
    vsftpd_plain)      echo $((BASE_PORT + 27)) ;;
    vsftpd_slow)       echo $((BASE_PORT + 28)) ;;
    vsftpd_limited)    echo $((BASE_PORT + 29)) ;;
    vsftpd_clientcert) echo $((BASE_PORT + 30)) ;;
    proftpd_ccc)       echo $((BASE_PORT + 31)) ;;
    vsftpd_activeonly) echo $((BASE_PORT + 32)) ;;
    proftpd_tls12)     echo $((BASE_PORT + 33)) ;;
    vsftpd_rtt)        echo $((BASE_PORT + 34)) ;;
    dante_socks5)      echo $((BASE_PORT + 40)) ;;
    tinyproxy_http)    echo $((BASE_PORT + 41)) ;;
    *) echo "unknown server $1" >&2; return 1 ;;
  esac
}

# Passive ranges: 10 ports each, except pure-ftpd, which caps concurrent
# clients at half its passive range size, so it gets 20 (-> 10 clients).
# pasv_min NAME -> first passive port; pasv_max NAME -> last one.
pasv_min() {
  case "$1" in
    vsftpd_explicit)   echo $((BASE_PORT + 100)) ;;
    vsftpd_implicit)   echo $((BASE_PORT + 110)) ;;
    proftpd_explicit)  echo $((BASE_PORT + 120)) ;;
    proftpd_implicit)  echo $((BASE_PORT + 130)) ;;
    pureftpd_explicit) echo $((BASE_PORT + 140)) ;;
    vsftpd_natpasv)    echo $((BASE_PORT + 160)) ;;
    vsftpd_plain)      echo $((BASE_PORT + 170)) ;;
    vsftpd_slow)       echo $((BASE_PORT + 180)) ;;
    vsftpd_limited)    echo $((BASE_PORT + 190)) ;;
    vsftpd_clientcert) echo $((BASE_PORT + 200)) ;;
    proftpd_ccc)       echo $((BASE_PORT + 210)) ;;
    vsftpd_activeonly) echo $((BASE_PORT + 220)) ;;
    proftpd_tls12)     echo $((BASE_PORT + 230)) ;;
    vsftpd_rtt)        echo $((BASE_PORT + 240)) ;;
    dante_socks5|tinyproxy_http) echo 0 ;;  # proxies: no passive range
    *) echo "unknown server $1" >&2; return 1 ;;
  esac
}
pasv_max() {
  case "$1" in
    pureftpd_explicit) echo $(( $(pasv_min "$1") + 19 )) ;;
    *)                 echo $(( $(pasv_min "$1") + 9 )) ;;
  esac
}

# Is this server reached with implicit TLS (ftps://)?
is_implicit() { [[ "$1" == *_implicit ]]; }
# Does this server speak TLS at all?
is_tls() { [[ "$1" != vsftpd_plain ]]; }

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
log()  { printf '[ferry-interop] %s\n' "$*" >&2; }
die()  { printf '[ferry-interop] ERROR: %s\n' "$*" >&2; exit 1; }

# resolve_workdir DIR -> absolute path (created if needed). Only a safe
# character set is accepted so that servers.env needs no quoting.
resolve_workdir() {
  [[ $# -eq 1 && -n "$1" ]] || die "usage: $(basename "$0") WORKDIR"
  mkdir -p "$1"
  local abs
  abs="$(cd "$1" && pwd -P)"
  [[ "$abs" =~ ^[A-Za-z0-9._/+-]+$ ]] \
    || die "WORKDIR '$abs' must only contain [A-Za-z0-9._/+-]"
  echo "$abs"
}

# pid_is_ours PID -> true if PID is alive and runs one of our unpacked
# server binaries (guards against pid reuse before we signal anything).
pid_is_ours() {
  local pid="$1" exe
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
  [[ "$exe" == "$PKG_ROOT"/* ]] && return 0
  # vsftpd_rtt's delay relay runs on the system's python3.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "/delay-relay.py "
}

# stop_pidfile FILE: terminate the process (group) recorded in FILE.
# Each server is started with setsid, so its pid is also its process-group
# id; signalling the group also ends per-connection children (vsftpd and
# pure-ftpd fork one or two processes per session).
stop_pidfile() {
  local file="$1" name pid i
  name="$(basename "$file" .pid)"
  pid="$(cat "$file" 2>/dev/null || true)"
  if pid_is_ours "$pid"; then
    log "stopping $name (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      pid_is_ours "$pid" || break
      sleep 0.1
    done
    if pid_is_ours "$pid"; then
      log "$name did not exit on SIGTERM, sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    # Reap stragglers of the group (sessions that outlived their parent).
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}
