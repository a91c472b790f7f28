#!/usr/bin/env bash
# Start the Ferry interop FTP/FTPS servers on 127.0.0.1.
#
#   usage: .ci/interop/start.sh WORKDIR
#
# Installs what it needs (apt), unpacks vsftpd / ProFTPD (+mod_tls) /
# pure-ftpd from their Debian packages into a cache directory, creates the
# test user, generates a private CA + server certificate, renders the server
# configs into WORKDIR, starts every server in the background, waits until
# each one accepts a real login and directory listing, and finally writes
# WORKDIR/servers.env. Exits non-zero (printing the server's log) if any
# server does not come up. Safe to run again: a previous instance started
# from the same WORKDIR (or from the last WORKDIR used on this machine) is
# stopped first.
#
# Must run as root (apt, useradd, /etc/pam.d, binding as root is what the
# servers expect). Needs no stdin. See README.md next to this file.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WORKDIR="$(resolve_workdir "${1:-}")"
[[ $EUID -eq 0 ]] || die "must run as root (it uses apt-get, useradd and /etc/pam.d)"

export DEBIAN_FRONTEND=noninteractive
START_TIME=$SECONDS

CONF_DIR="$WORKDIR/conf"
LOG_DIR="$WORKDIR/logs"
RUN_DIR="$WORKDIR/run"
TLS_DIR="$WORKDIR/tls"
CA_PEM="$WORKDIR/ca.pem"
SERVER_CERT="$TLS_DIR/server.pem"
SERVER_KEY="$TLS_DIR/server-key.pem"
# Mutual TLS (vsftpd_clientcert): a client CA of its own, and the client certificate and key
# the tests present (readable by the test user: they are test material, not secrets).
CLIENT_CA="$TLS_DIR/client-ca.pem"
CLIENT_CERT="$WORKDIR/client.pem"
CLIENT_KEY="$WORKDIR/client-key.pem"

# ---------------------------------------------------------------------------
# apt helpers
# ---------------------------------------------------------------------------
# shellcheck source=../apt.sh
source "$INTEROP_DIR/../apt.sh"

# ---------------------------------------------------------------------------
# 1. Tools used by these scripts.
#    openssl: certificates; curl: readiness probe; iproute2: ss (port checks);
#    libpam-modules: pam_unix for vsftpd; passwd: useradd/chpasswd.
# ---------------------------------------------------------------------------
ensure_packages openssl curl iproute2 passwd libpam-modules libpam-runtime util-linux python3

# ---------------------------------------------------------------------------
# 2. Server binaries: apt-get download + dpkg -x into the cache (once per
#    machine), then apt-get install only their shared-library dependencies.
# ---------------------------------------------------------------------------
fetch_servers() {
  local stamp="$PKG_ROOT/.ferry-interop-complete"
  if [[ -f "$stamp" && "$(head -n1 "$stamp")" == "${SERVER_DEBS[*]}" ]]; then
    return 0
  fi
  log "downloading ${SERVER_DEBS[*]} (first run on this machine)"
  local dl
  dl="$(mktemp -d "$FERRY_INTEROP_CACHE/download.XXXXXX")"
  # apt-get download writes to the current directory. Sandbox user root:
  # the _apt user cannot write into a root-owned mktemp directory.
  if ! (cd "$dl" && apt-get download -qq -o APT::Sandbox::User=root "${SERVER_DEBS[@]}" </dev/null >/dev/null 2>&1); then
    apt_update_once
    (cd "$dl" && apt-get download -qq -o APT::Sandbox::User=root "${SERVER_DEBS[@]}" </dev/null >/dev/null) \
      || die "apt-get download ${SERVER_DEBS[*]} failed"
  fi
  rm -rf "$PKG_ROOT.new"
  mkdir -p "$PKG_ROOT.new"
  local deb
  : >"$FERRY_INTEROP_CACHE/libdeps.new"
  for deb in "$dl"/*.deb; do
    dpkg -x "$deb" "$PKG_ROOT.new"
    # Keep only the library dependencies (lib*), first alternative, no
    # version constraint. adduser/debconf/ucf/inetd etc. are for the
    # maintainer scripts, which we never run.
    dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' \
      | grep -E '^lib' >>"$FERRY_INTEROP_CACHE/libdeps.new" || true
    dpkg-deb -f "$deb" Package Version | paste -sd' ' >>"$PKG_ROOT.new/.versions"
  done
  sort -u "$FERRY_INTEROP_CACHE/libdeps.new" >"$FERRY_INTEROP_CACHE/libdeps"
  rm -f "$FERRY_INTEROP_CACHE/libdeps.new"
  rm -rf "$dl"
  { echo "${SERVER_DEBS[*]}"; cat "$PKG_ROOT.new/.versions"; } >"$PKG_ROOT.new/.ferry-interop-complete"
  rm -rf "$PKG_ROOT"
  mv "$PKG_ROOT.new" "$PKG_ROOT"
}

mkdir -p "$FERRY_INTEROP_CACHE"
# Serialise concurrent starts on the same machine (shared cache, user, ports).
exec 9>"$FERRY_INTEROP_CACHE/lock"
flock -w 300 9 || die "timed out waiting for $FERRY_INTEROP_CACHE/lock"

fetch_servers
# shellcheck disable=SC2046  # one package name per line, intended splitting
ensure_packages $(cat "$FERRY_INTEROP_CACHE/libdeps")

VSFTPD_BIN="$PKG_ROOT/usr/sbin/vsftpd"
PROFTPD_BIN="$PKG_ROOT/usr/sbin/proftpd"
PUREFTPD_BIN="$PKG_ROOT/usr/sbin/pure-ftpd"
PROFTPD_MODULES="$PKG_ROOT/usr/lib/proftpd"
DANTED_BIN="$PKG_ROOT/usr/sbin/danted"
TINYPROXY_BIN="$PKG_ROOT/usr/bin/tinyproxy"
for f in "$VSFTPD_BIN" "$PROFTPD_BIN" "$PUREFTPD_BIN" "$PROFTPD_MODULES/mod_tls.so" "$DANTED_BIN" "$TINYPROXY_BIN"; do
  [[ -e "$f" ]] || die "$f missing from the unpacked packages (rm -rf $FERRY_INTEROP_CACHE and retry)"
  libs="$(ldd "$f" 2>&1)" || true
  if [[ "$libs" == *"not found"* ]]; then
    printf '%s\n' "$libs" >&2
    die "$f has unresolved shared libraries"
  fi
done

# ---------------------------------------------------------------------------
# 3. Stop leftovers: servers from this WORKDIR, and from the last WORKDIR
#    used on this machine (e.g. a CI run that died before stop.sh).
# ---------------------------------------------------------------------------
stop_workdir() {
  local f
  [[ -d "$1/run" ]] || return 0
  for f in "$1"/run/*.pid; do
    if [[ -e "$f" ]]; then stop_pidfile "$f"; fi
  done
}
stop_workdir "$WORKDIR"
if [[ -f "$FERRY_INTEROP_CACHE/active-workdir" ]]; then
  prev="$(cat "$FERRY_INTEROP_CACHE/active-workdir")"
  if [[ "$prev" != "$WORKDIR" ]]; then
    log "stopping servers left running from $prev"
    stop_workdir "$prev"
  fi
fi

# Every control port and passive port must be free now.
for name in "${SERVERS[@]}"; do
  for port in "$(control_port "$name")" $(seq "$(pasv_min "$name")" "$(pasv_max "$name")"); do
    if [[ -n "$(ss -Hltn "sport = :$port")" ]]; then
      ss -Hltnp "sport = :$port" >&2 || true
      die "port $port (needed by $name) is already in use; set FERRY_INTEROP_BASE_PORT to move all ports"
    fi
  done
done
for name in "${PROXIES[@]}"; do
  port="$(control_port "$name")"
  if [[ -n "$(ss -Hltn "sport = :$port")" ]]; then
    ss -Hltnp "sport = :$port" >&2 || true
    die "port $port (needed by $name) is already in use; set FERRY_INTEROP_BASE_PORT to move all ports"
  fi
done

# Safety net for vsftpd_natpasv: its PASV replies advertise 203.0.113.7
# (TEST-NET-3). A client bug that dials that address must fail at once on
# this machine instead of sending packets off-host (or hanging in connect):
# an "unreachable" host route makes connect() fail with EHOSTUNREACH.
# Removed again by stop.sh. Best effort (needs CAP_NET_ADMIN).
if ! ip route replace unreachable "$NATPASV_ADDR/32" 2>/dev/null; then
  log "warning: could not add an unreachable route for $NATPASV_ADDR"
fi

# ---------------------------------------------------------------------------
# 4. Test user, password, home directory, PAM service.
# ---------------------------------------------------------------------------
if ! id -u "$FERRY_INTEROP_USER" >/dev/null 2>&1; then
  log "creating user $FERRY_INTEROP_USER"
  useradd --home-dir "$FERRY_INTEROP_HOME" --no-create-home \
          --shell /usr/sbin/nologin --user-group "$FERRY_INTEROP_USER"
elif [[ "$(getent passwd "$FERRY_INTEROP_USER" | cut -d: -f6)" != "$FERRY_INTEROP_HOME" ]]; then
  usermod --home "$FERRY_INTEROP_HOME" "$FERRY_INTEROP_USER"
fi
USER_UID="$(id -u "$FERRY_INTEROP_USER")"
[[ "$USER_UID" -ge 1000 ]] || die "$FERRY_INTEROP_USER has uid $USER_UID < 1000 (pure-ftpd MinUID)"

# A fresh random password on every start (hex: safe in URLs and env files).
FERRY_INTEROP_PASS="$(openssl rand -hex 16)"
echo "$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS" | chpasswd

# Home: shared by all servers, emptied on every start so that tests start
# from a clean tree (they work in per-server subdirectories).
mkdir -p "$FERRY_INTEROP_HOME"
find "$FERRY_INTEROP_HOME" -mindepth 1 -delete
chown "$FERRY_INTEROP_USER:$FERRY_INTEROP_USER" "$FERRY_INTEROP_HOME"
chmod 0755 "$FERRY_INTEROP_HOME"

install -m 0644 -o root -g root "$INTEROP_DIR/pam.d-ferry-interop" "/etc/pam.d/$PAM_SERVICE"

# ---------------------------------------------------------------------------
# 5. WORKDIR layout and certificates.
# ---------------------------------------------------------------------------
mkdir -p "$CONF_DIR" "$LOG_DIR" "$RUN_DIR/daemon" "$TLS_DIR"
rm -f "$WORKDIR/servers.env"
# vsftpd's secure_chroot_dir: root-owned, not writable by others.
install -d -m 0755 -o root -g root "$WORKDIR/vsftpd-empty"

generate_certs() {
  local ca_key="$TLS_DIR/ca-key.pem" csr="$TLS_DIR/server.csr" ext="$TLS_DIR/server.ext"
  log "generating CA and server certificate in $WORKDIR"
  openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 \
    -keyout "$ca_key" -out "$CA_PEM" -subj "/CN=Ferry Interop Test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
  openssl req -new -nodes -newkey rsa:2048 -sha256 \
    -keyout "$SERVER_KEY" -out "$csr" -subj "/CN=localhost" 2>/dev/null
  cat >"$ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
  openssl x509 -req -in "$csr" -CA "$CA_PEM" -CAkey "$ca_key" -CAcreateserial \
    -days 825 -sha256 -extfile "$ext" -out "$SERVER_CERT" 2>/dev/null
  rm -f "$csr" "$ext" "$TLS_DIR/ca.srl" "$WORKDIR/ca.srl"
}
generate_client_certs() {
  local ca_key="$TLS_DIR/client-ca-key.pem" csr="$TLS_DIR/client.csr" ext="$TLS_DIR/client.ext"
  log "generating the client CA and a client certificate in $WORKDIR"
  openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 \
    -keyout "$ca_key" -out "$CLIENT_CA" -subj "/CN=Ferry Interop Client CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new -nodes -newkey rsa:2048 -sha256 \
    -keyout "$CLIENT_KEY" -out "$csr" -subj "/CN=ferry-interop-client" 2>/dev/null
  cat >"$ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
EXT
  openssl x509 -req -in "$csr" -CA "$CLIENT_CA" -CAkey "$ca_key" -CAcreateserial \
    -days 825 -sha256 -extfile "$ext" -out "$CLIENT_CERT" 2>/dev/null
  rm -f "$csr" "$ext" "$TLS_DIR/client-ca.srl"
  chmod 0600 "$ca_key"
}
if ! { [[ -s "$CLIENT_CA" && -s "$CLIENT_CERT" && -s "$CLIENT_KEY" ]] \
       && openssl verify -CAfile "$CLIENT_CA" "$CLIENT_CERT" >/dev/null 2>&1 \
       && openssl x509 -checkend 86400 -noout -in "$CLIENT_CERT" >/dev/null 2>&1; }; then
  generate_client_certs
fi
chmod 0644 "$CLIENT_CA" "$CLIENT_CERT" "$CLIENT_KEY"

# Reuse existing certificates only if they still verify for another day.
if ! { [[ -s "$CA_PEM" && -s "$SERVER_CERT" && -s "$SERVER_KEY" ]] \
       && openssl verify -CAfile "$CA_PEM" "$SERVER_CERT" >/dev/null 2>&1 \
       && openssl x509 -checkend 86400 -noout -in "$SERVER_CERT" >/dev/null 2>&1; }; then
  generate_certs
fi
# All servers read the key as root before dropping privileges.
chown root:root "$SERVER_KEY" "$TLS_DIR/ca-key.pem" 2>/dev/null || true
chmod 0600 "$SERVER_KEY" "$TLS_DIR/ca-key.pem" 2>/dev/null || true
chmod 0644 "$CA_PEM" "$SERVER_CERT"

# ---------------------------------------------------------------------------
# 6. Render configs. render OUT NAME TEMPLATE... concatenates the templates
#    and replaces the @PLACEHOLDERS@.
# ---------------------------------------------------------------------------
render() {
  local out="$1" name="$2"
  shift 2
  local t files=()
  for t in "$@"; do files+=("$INTEROP_DIR/$t"); done
  sed -e "s|@INSTANCE@|$name|g" \
      -e "s|@PORT@|$(control_port "$name")|g" \
      -e "s|@PASV_MIN@|$(pasv_min "$name")|g" \
      -e "s|@PASV_MAX@|$(pasv_max "$name")|g" \
      -e "s|@WORKDIR@|$WORKDIR|g" \
      -e "s|@RUNDIR@|$RUN_DIR|g" \
      -e "s|@LOGDIR@|$LOG_DIR|g" \
      -e "s|@LOGFILE@|$LOG_DIR/$name.log|g" \
      -e "s|@CERT@|$SERVER_CERT|g" \
      -e "s|@KEY@|$SERVER_KEY|g" \
      -e "s|@CLIENT_CA@|$CLIENT_CA|g" \
      -e "s|@PAM_SERVICE@|$PAM_SERVICE|g" \
      -e "s|@NATPASV_ADDR@|$NATPASV_ADDR|g" \
      -e "s|@MODULE_PATH@|$PROFTPD_MODULES|g" \
      -e "s|@USER@|$FERRY_INTEROP_USER|g" \
      -e "s|@PASS@|$FERRY_INTEROP_PASS|g" \
      "${files[@]}" >"$out"
  if grep -v '^[[:space:]]*#' "$out" | grep '@[A-Z_]*@' >&2; then
    die "unreplaced placeholder in $out"
  fi
  # vsftpd refuses a config file that is not owned by root.
  chown root:root "$out"
  chmod 0644 "$out"
}

render "$CONF_DIR/vsftpd_explicit.conf" vsftpd_explicit vsftpd-common.conf.in vsftpd-tls.conf.in vsftpd-explicit.conf.in
render "$CONF_DIR/vsftpd_implicit.conf" vsftpd_implicit vsftpd-common.conf.in vsftpd-tls.conf.in vsftpd-implicit.conf.in
render "$CONF_DIR/vsftpd_natpasv.conf"  vsftpd_natpasv  vsftpd-common.conf.in vsftpd-tls.conf.in vsftpd-natpasv.conf.in
render "$CONF_DIR/vsftpd_plain.conf"    vsftpd_plain    vsftpd-common.conf.in vsftpd-plain.conf.in
render "$CONF_DIR/vsftpd_slow.conf"     vsftpd_slow     vsftpd-common.conf.in vsftpd-tls.conf.in vsftpd-slow.conf.in
render "$CONF_DIR/vsftpd_limited.conf"  vsftpd_limited  vsftpd-common.conf.in vsftpd-tls.conf.in vsftpd-limited.conf.in
render "$CONF_DIR/vsftpd_clientcert.conf" vsftpd_clientcert vsftpd-common.conf.in vsftpd-tls.conf.in vsftpd-clientcert.conf.in
render "$CONF_DIR/proftpd_explicit.conf" proftpd_explicit proftpd-common.conf.in proftpd-explicit.conf.in
render "$CONF_DIR/proftpd_implicit.conf" proftpd_implicit proftpd-common.conf.in proftpd-implicit.conf.in
render "$CONF_DIR/proftpd_ccc.conf" proftpd_ccc proftpd-common.conf.in proftpd-ccc.conf.in
render "$CONF_DIR/vsftpd_activeonly.conf" vsftpd_activeonly vsftpd-common.conf.in vsftpd-tls.conf.in vsftpd-activeonly.conf.in
render "$CONF_DIR/vsftpd_rtt.conf" vsftpd_rtt vsftpd-common.conf.in vsftpd-tls.conf.in vsftpd-rtt.conf.in
render "$CONF_DIR/proftpd_tls12.conf" proftpd_tls12 proftpd-common.conf.in proftpd-tls12.conf.in
render "$CONF_DIR/pureftpd_explicit.args" pureftpd_explicit pure-ftpd.args.in
render "$CONF_DIR/dante_socks5.conf" dante_socks5 dante.conf.in
render "$CONF_DIR/tinyproxy_http.conf" tinyproxy_http tinyproxy.conf.in
# The proxy's password is in it: readable by root and tinyproxy's user only.
chgrp nogroup "$CONF_DIR/tinyproxy_http.conf" && chmod 0640 "$CONF_DIR/tinyproxy_http.conf"

# pure-ftpd's virtual-user database: one entry, SHA-512 crypt of the same
# password (pure-pw's own default, argon2id, is needlessly slow for tests),
# uid/gid/home of the system user, no chroot (home without "/./").
PUREFTPD_PASSWD="$RUN_DIR/pureftpd.passwd"
(
  umask 077
  printf '%s:%s:%s:%s::%s::::::::::::\n' "$FERRY_INTEROP_USER" \
    "$(openssl passwd -6 "$FERRY_INTEROP_PASS")" "$USER_UID" \
    "$(id -g "$FERRY_INTEROP_USER")" "$FERRY_INTEROP_HOME" >"$PUREFTPD_PASSWD"
)
rm -f "$RUN_DIR/pureftpd.pdb"
"$PKG_ROOT/usr/bin/pure-pw" mkdb "$RUN_DIR/pureftpd.pdb" -f "$PUREFTPD_PASSWD" >/dev/null \
  || die "pure-pw mkdb failed"

# ProFTPD validates its configuration up front; report errors clearly.
for name in proftpd_explicit proftpd_implicit proftpd_ccc proftpd_tls12; do
  if ! "$PROFTPD_BIN" -t -c "$CONF_DIR/$name.conf" >"$LOG_DIR/$name.configtest" 2>&1; then
    cat "$LOG_DIR/$name.configtest" >&2
    die "ProFTPD rejected $CONF_DIR/$name.conf"
  fi
done

# ---------------------------------------------------------------------------
# 7. Start. Each server runs in the foreground of its own session (setsid),
#    output in logs/NAME.out, pid in run/NAME.pid (also its process group).
#    In a non-interactive script a background subshell is not a
#    process-group leader, so `exec setsid` execs in place and $! is the
#    server's own pid.
# ---------------------------------------------------------------------------
start_server() {
  local name="$1"
  shift
  : >"$LOG_DIR/$name.log"
  : >"$LOG_DIR/$name.out"
  (
    # fds 0, 1 and 2 all share ONE read-write open of the .out file: vsftpd
    # reports fatal errors ("500 OOPS: ...") on fd 0, which is the client
    # socket in inetd mode. None of the servers reads stdin in standalone
    # mode.
    exec 0<>"$LOG_DIR/$name.out" 1>&0 2>&0
    # Close every other inherited fd: the cache lock (fd 9) and whatever the
    # caller passed down (e.g. a CI log pipe) must not be held open by
    # long-lived daemons.
    local fd
    for fd in /proc/"$BASHPID"/fd/*; do
      fd="${fd##*/}"
      if [[ "$fd" -gt 2 ]]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec setsid "$@"
  ) &
  echo "$!" >"$RUN_DIR/$name.pid"
}

for name in vsftpd_explicit vsftpd_implicit vsftpd_natpasv vsftpd_plain vsftpd_slow vsftpd_limited vsftpd_clientcert vsftpd_activeonly vsftpd_rtt; do
  start_server "$name" "$VSFTPD_BIN" "$CONF_DIR/$name.conf"
done
# vsftpd_rtt listens on 127.0.0.2; its clients reach it through the relay on 127.0.0.1.
# shellcheck disable=SC2046  # one port per word, intended
start_server vsftpd_rtt_relay python3 "$INTEROP_DIR/delay-relay.py" 25 127.0.0.1 127.0.0.2 \
  "$(control_port vsftpd_rtt)" $(seq "$(pasv_min vsftpd_rtt)" "$(pasv_max vsftpd_rtt)")
for name in proftpd_explicit proftpd_implicit proftpd_ccc proftpd_tls12; do
  start_server "$name" "$PROFTPD_BIN" -n -c "$CONF_DIR/$name.conf"
done
# pure-ftpd: one argument per line, comments and blank lines dropped.
mapfile -t PUREFTPD_ARGS < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$CONF_DIR/pureftpd_explicit.args")
start_server pureftpd_explicit "$PUREFTPD_BIN" "${PUREFTPD_ARGS[@]}"
start_server dante_socks5 "$DANTED_BIN" -f "$CONF_DIR/dante_socks5.conf"
# tinyproxy writes its log as nobody, after dropping root.
: >"$LOG_DIR/tinyproxy_http.log"
chown nobody:nogroup "$LOG_DIR/tinyproxy_http.log"
start_server tinyproxy_http "$TINYPROXY_BIN" -d -c "$CONF_DIR/tinyproxy_http.conf"
echo "$WORKDIR" >"$FERRY_INTEROP_CACHE/active-workdir"

# ---------------------------------------------------------------------------
# 8. Wait until every server accepts a login and lists the home directory
#    (a full USER/PASS/PASV/LIST round trip, over TLS where applicable).
# ---------------------------------------------------------------------------
probe() {
  local name="$1" port scheme=ftp opts=() what=(--list-only)
  port="$(control_port "$name")"
  if is_tls "$name"; then
    opts+=(--ssl-reqd --cacert "$CA_PEM")
    is_implicit "$name" && scheme=ftps
  fi
  # natpasv: force PASV (curl prefers EPSV, which carries no address) and
  # make sure curl never dials the advertised 203.0.113.7.
  [[ "$name" == vsftpd_natpasv ]] && opts+=(--disable-epsv --ftp-skip-pasv-ip)
  [[ "$name" == vsftpd_clientcert ]] && opts+=(--cert "$CLIENT_CERT" --key "$CLIENT_KEY")
  # activeonly: a TLS login only. curl 7.88's active mode fails on its own ("sa_addr
  # inet_ntop() failed"); the interop tests move data in active mode with Ferry.
  [[ "$name" == vsftpd_activeonly ]] && what=(--head)
  # Proxies: a whole TLS login and listing on vsftpd_explicit through the proxy.
  if [[ "$name" == dante_socks5 || "$name" == tinyproxy_http ]]; then
    port="$(control_port vsftpd_explicit)"
    opts+=(--ssl-reqd --cacert "$CA_PEM")
    if [[ "$name" == dante_socks5 ]]; then
      opts+=(--proxy "socks5h://127.0.0.1:$(control_port "$name")")
    else
      opts+=(--proxytunnel --proxy "http://127.0.0.1:$(control_port "$name")")
    fi
    opts+=(--proxy-user "$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS")
  fi
  curl -sS --max-time 5 "${what[@]}" "${opts[@]}" \
    --user "$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS" \
    "$scheme://127.0.0.1:$port/" -o /dev/null 2>"$LOG_DIR/$name.probe"
}

fail_server() {
  local name="$1" why="$2" f
  log "$name: $why"
  for f in "$LOG_DIR/$name".*; do
    [[ -s "$f" ]] || continue
    printf '%s\n' "----- $f -----" >&2
    tail -n 50 "$f" >&2
  done
  bash "$INTEROP_DIR/stop.sh" "$WORKDIR" || true
  die "$name failed to start (logs above, full logs in $LOG_DIR)"
}

for name in "${SERVERS[@]}" "${PROXIES[@]}"; do
  deadline=$((SECONDS + 20))
  until probe "$name"; do
    pid_is_ours "$(cat "$RUN_DIR/$name.pid")" || fail_server "$name" "process exited"
    [[ $SECONDS -lt $deadline ]] || fail_server "$name" "no successful login+LIST within 20s"
    sleep 0.2
  done
  if [[ " ${PROXIES[*]} " == *" $name "* ]]; then
    log "$name ready on 127.0.0.1:$(control_port "$name") (proxy)"
  else
    log "$name ready on 127.0.0.1:$(control_port "$name") (passive $(pasv_min "$name")-$(pasv_max "$name"))"
  fi
done

# ---------------------------------------------------------------------------
# 9. servers.env (written last and atomically: its presence means "ready").
# ---------------------------------------------------------------------------
{
  echo "FERRY_INTEROP_CA=$CA_PEM"
  echo "FERRY_INTEROP_USER=$FERRY_INTEROP_USER"
  echo "FERRY_INTEROP_PASS=$FERRY_INTEROP_PASS"
  echo "FERRY_INTEROP_HOST=127.0.0.1"
  echo "FERRY_INTEROP_VSFTPD_EXPLICIT_PORT=$(control_port vsftpd_explicit)"
  echo "FERRY_INTEROP_VSFTPD_IMPLICIT_PORT=$(control_port vsftpd_implicit)"
  echo "FERRY_INTEROP_PROFTPD_EXPLICIT_PORT=$(control_port proftpd_explicit)"
  echo "FERRY_INTEROP_PROFTPD_IMPLICIT_PORT=$(control_port proftpd_implicit)"
  echo "FERRY_INTEROP_PROFTPD_CCC_PORT=$(control_port proftpd_ccc)"
  echo "FERRY_INTEROP_PUREFTPD_EXPLICIT_PORT=$(control_port pureftpd_explicit)"
  echo "FERRY_INTEROP_VSFTPD_NATPASV_PORT=$(control_port vsftpd_natpasv)"
  echo "FERRY_INTEROP_VSFTPD_NATPASV_ADDR=$NATPASV_ADDR"
  echo "FERRY_INTEROP_VSFTPD_PLAIN_PORT=$(control_port vsftpd_plain)"
  echo "FERRY_INTEROP_VSFTPD_SLOW_PORT=$(control_port vsftpd_slow)"
  echo "FERRY_INTEROP_VSFTPD_SLOW_PASV_MIN=$(pasv_min vsftpd_slow)"
  echo "FERRY_INTEROP_VSFTPD_SLOW_PASV_MAX=$(pasv_max vsftpd_slow)"
  echo "FERRY_INTEROP_VSFTPD_LIMITED_PORT=$(control_port vsftpd_limited)"
  echo "FERRY_INTEROP_VSFTPD_CLIENTCERT_PORT=$(control_port vsftpd_clientcert)"
  echo "FERRY_INTEROP_CLIENT_CERT=$CLIENT_CERT"
  echo "FERRY_INTEROP_CLIENT_KEY=$CLIENT_KEY"
  echo "FERRY_INTEROP_VSFTPD_ACTIVEONLY_PORT=$(control_port vsftpd_activeonly)"
  echo "FERRY_INTEROP_PROFTPD_TLS12_PORT=$(control_port proftpd_tls12)"
  echo "FERRY_INTEROP_VSFTPD_RTT_PORT=$(control_port vsftpd_rtt)"
  # Proxies: both take FERRY_INTEROP_USER / FERRY_INTEROP_PASS.
  echo "FERRY_INTEROP_SOCKS5_PORT=$(control_port dante_socks5)"
  echo "FERRY_INTEROP_HTTP_PROXY_PORT=$(control_port tinyproxy_http)"
  # Extras beyond the test contract: server-side home, server logs.
  echo "FERRY_INTEROP_HOME=$FERRY_INTEROP_HOME"
  echo "FERRY_INTEROP_LOG_DIR=$LOG_DIR"
} >"$WORKDIR/servers.env.tmp"
chmod 0644 "$WORKDIR/servers.env.tmp"
mv "$WORKDIR/servers.env.tmp" "$WORKDIR/servers.env"

log "all ${#SERVERS[@]} servers and ${#PROXIES[@]} proxies ready in $((SECONDS - START_TIME))s; wrote $WORKDIR/servers.env"
