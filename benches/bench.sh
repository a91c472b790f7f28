#!/usr/bin/env bash
# Ferry transfer benchmark against the interop vsftpd_explicit server
# (explicit TLS, TLS 1.3, require_ssl_reuse=YES), on loopback.
#
#   usage: bash benches/bench.sh [--write] [--runs N] [--skip-ferry] [--keep-data]
#                                [--wait-idle S] [WORKDIR]
#
#   --write       replace the results section of BENCHMARKS.md (between the
#                 BENCH-RESULTS markers; the commands section is left alone)
#   --runs N      timed runs per measurement (default 3; one extra warm-up
#                 run before them is never counted)
#   --skip-ferry  measure only the baselines (lftp, curl); Ferry's cells say
#                 "pending" and Ferry is not built
#   --keep-data   leave the test data in the server's home afterwards
#   --wait-idle S before each run, wait up to S seconds (default 300, 0 =
#                 don't) for the CPUs to be >= 90% idle: a compile running
#                 next to the benchmark distorts it badly on 2 cores
#   WORKDIR       an interop WORKDIR: if its servers are running
#                 (WORKDIR/servers.env and a working login) they are reused
#                 and left running; otherwise the servers are started there.
#                 Without it they are started in a temporary directory and
#                 stopped at the end. Starting servers would stop any other
#                 interop servers on this machine and empty the FTP home, so
#                 the script refuses to while another WORKDIR's servers run.
#   FERRY_BIN     use this ferry binary instead of building target/release/ferry
#
# What it does: installs lftp/curl if missing, builds Ferry (cargo build
# --release), starts (or reuses) the interop servers, creates the test data
# directly in the server's home (FERRY_INTEROP_HOME, owned by the FTP user),
# checks once which TLS version each tool negotiates, then runs every
# measurement once as warm-up plus N timed rounds (tools interleaved within
# a round), clearing the local target before each run and verifying every
# downloaded byte (sha256) after it. Prints a Markdown table; cleans up.
#
# Ferry's recursive download is detected from `ferry get --help`
# (--recursive); without it the small-files Ferry row is skipped with a
# message instead of failing. Needs root (apt-get, chown to the FTP user).
set -euo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
INTEROP="$ROOT/.ci/interop"
BENCHMARKS_MD="$ROOT/BENCHMARKS.md"
MARK_BEGIN='<!-- BENCH-RESULTS:BEGIN (written by benches/bench.sh --write) -->'
MARK_END='<!-- BENCH-RESULTS:END -->'

# The workload. 4 folders x 5 subfolders x 100 files x 4 KiB = 2000 files.
SMALL_NAME=bench-small
SMALL_TOP=4
SMALL_SUB=5
SMALL_PER_DIR=100
SMALL_SIZE=4096
SMALL_COUNT=$((SMALL_TOP * SMALL_SUB * SMALL_PER_DIR))
BIG_NAME=bench-big.bin
BIG_MIB=1024
BIG_SIZE=$((BIG_MIB * 1024 * 1024))
PARALLEL=4
RUN_TIMEOUT=900   # seconds; a hung client fails its run instead of the script hanging

RUNS=3
WRITE=0
SKIP_FERRY=0
KEEP_DATA=0
WAIT_IDLE=300
IDLE_MIN=90
WORKDIR_ARG=""

log() { printf '[bench %4ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '5,/^#   FERRY_BIN/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --write) WRITE=1 ;;
    --runs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || usage; RUNS="$2"; shift ;;
    --skip-ferry) SKIP_FERRY=1 ;;
    --keep-data) KEEP_DATA=1 ;;
    --wait-idle) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || usage; WAIT_IDLE="$2"; shift ;;
    -h|--help) usage 0 ;;
    -*) log "unknown option $1"; usage ;;
    *) [[ -z "$WORKDIR_ARG" ]] || usage; WORKDIR_ARG="$1" ;;
  esac
  shift
done

[[ $EUID -eq 0 ]] || die "must run as root (apt-get, the interop servers, chown to the FTP user)"
if [[ $WRITE -eq 1 ]]; then
  [[ -f "$BENCHMARKS_MD" ]] || die "$BENCHMARKS_MD not found (needed for --write)"
  if ! grep -qxF "$MARK_BEGIN" "$BENCHMARKS_MD" || ! grep -qxF "$MARK_END" "$BENCHMARKS_MD"; then
    die "$BENCHMARKS_MD has no BENCH-RESULTS markers"
  fi
fi

# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------
# shellcheck source=../.ci/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/../.ci/apt.sh"
ensure_packages lftp curl coreutils findutils

# ---------------------------------------------------------------------------
# Scratch space and clean-up
# ---------------------------------------------------------------------------
SCRATCH="$(mktemp -d /tmp/ferry-bench.XXXXXX)"
WORKDIR=""
STARTED_SERVERS=0
OWN_WORKDIR=0
SERVER_DATA_CREATED=0
FTP_HOME=""

cleanup() {
  local rc=$?
  set +e
  if [[ $SERVER_DATA_CREATED -eq 1 && $KEEP_DATA -eq 0 && -n "$FTP_HOME" ]]; then
    rm -rf "${FTP_HOME:?}/$SMALL_NAME" "${FTP_HOME:?}/$BIG_NAME"
  fi
  if [[ $STARTED_SERVERS -eq 1 ]]; then
    bash "$INTEROP/stop.sh" "$WORKDIR" >/dev/null 2>&1 || log "warning: stop.sh $WORKDIR failed"
    [[ $OWN_WORKDIR -eq 1 ]] && rm -rf "$WORKDIR"
  fi
  rm -rf "$SCRATCH"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------
# Ferry (release build)
# ---------------------------------------------------------------------------
FERRY="${FERRY_BIN:-$ROOT/target/release/ferry}"
FERRY_RECURSIVE=0
FERRY_SMALL_EXTRA=()
FERRY_SKIP_REASON=""
if [[ $SKIP_FERRY -eq 1 ]]; then
  FERRY_SKIP_REASON="not measured in this run: --skip-ferry"
else
  if [[ -z "${FERRY_BIN:-}" ]]; then
    command -v cargo >/dev/null || die "cargo not found (or pass --skip-ferry / FERRY_BIN=...)"
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release --quiet) || die "cargo build --release failed (use --skip-ferry to measure only lftp and curl)"
  fi
  [[ -x "$FERRY" ]] || die "$FERRY is not an executable"
  FERRY_HELP="$("$FERRY" get --help 2>&1 || true)"
  if grep -q -- '--recursive' <<<"$FERRY_HELP"; then
    FERRY_RECURSIVE=1
    # Belt and braces: the target is cleared before every run anyway.
    if grep -q -- '--on-exists' <<<"$FERRY_HELP"; then
      FERRY_SMALL_EXTRA=(--on-exists overwrite)
    fi
  else
    log "SKIP: this ferry has no 'get --recursive' yet; the recursive Ferry measurement is skipped (pending)"
  fi
fi
# Keep Ferry away from the real configuration and keychain.
export FERRY_CONFIG_DIR="$SCRATCH/ferry-config" FERRY_NO_KEYCHAIN=1
mkdir -p "$FERRY_CONFIG_DIR"

# ---------------------------------------------------------------------------
# Interop servers: reuse WORKDIR's if they answer, otherwise start them.
# ---------------------------------------------------------------------------
load_env() {
  local f="$1/servers.env"
  [[ -f "$f" ]] || return 1
  # shellcheck disable=SC1090  # written by start.sh, KEY=value lines
  source "$f"
}
probe_explicit() {
  curl -q -sS --max-time 5 --list-only --ssl-reqd --cacert "$FERRY_INTEROP_CA" \
    --user "$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS" \
    "ftp://127.0.0.1:$FERRY_INTEROP_VSFTPD_EXPLICIT_PORT/" -o /dev/null 2>/dev/null
}
if [[ -n "$WORKDIR_ARG" ]] && load_env "$WORKDIR_ARG" && probe_explicit; then
  WORKDIR="$(cd "$WORKDIR_ARG" && pwd -P)"
  log "reusing the interop servers of $WORKDIR"
else
  if [[ -n "$WORKDIR_ARG" ]]; then
    WORKDIR="$WORKDIR_ARG"
  else
    WORKDIR="$(mktemp -d /tmp/ferry-bench-servers.XXXXXX)"
    OWN_WORKDIR=1
  fi
  # start.sh stops the servers of the last WORKDIR started on this machine
  # and empties the FTP home: never do that under a running test suite.
  cache="${FERRY_INTEROP_CACHE:-/var/cache/ferry-interop}"
  if [[ -f "$cache/active-workdir" ]]; then
    active="$(cat "$cache/active-workdir")"
    if [[ "$active" != "$(cd "$WORKDIR" && pwd -P)" ]]; then
      for pidfile in "$active"/run/*.pid; do
        [[ -f "$pidfile" ]] || continue
        exe="$(readlink "/proc/$(cat "$pidfile")/exe" 2>/dev/null || true)"
        if [[ "$exe" == "$cache/root/"* ]]; then
          [[ $OWN_WORKDIR -eq 1 ]] && rm -rf "$WORKDIR"
          OWN_WORKDIR=0
          die "interop servers of $active are running (a test run?). Starting new ones would stop them and empty the FTP home: pass $active as WORKDIR to reuse them, or stop them first (bash .ci/interop/stop.sh $active)"
        fi
      done
    fi
  fi
  log "starting the interop servers in $WORKDIR"
  STARTED_SERVERS=1
  bash "$INTEROP/start.sh" "$WORKDIR" 2>"$SCRATCH/start.log" || { cat "$SCRATCH/start.log" >&2; die "start.sh failed"; }
  WORKDIR="$(cd "$WORKDIR" && pwd -P)"
  load_env "$WORKDIR" || die "start.sh wrote no servers.env"
fi
CA="$FERRY_INTEROP_CA"
FTP_USER="$FERRY_INTEROP_USER"
FTP_PASS="$FERRY_INTEROP_PASS"
PORT="$FERRY_INTEROP_VSFTPD_EXPLICIT_PORT"
FTP_HOME="$FERRY_INTEROP_HOME"
[[ -d "$FTP_HOME" ]] || die "FERRY_INTEROP_HOME $FTP_HOME does not exist"
BASE_URL="ftp://$FTP_USER:$FTP_PASS@127.0.0.1:$PORT"

# ---------------------------------------------------------------------------
# Test data, created directly in the server's home (not uploaded), owned by
# the FTP user, random (incompressible) content. Manifests for verification.
# ---------------------------------------------------------------------------
log "creating $SMALL_COUNT x $SMALL_SIZE B in $FTP_HOME/$SMALL_NAME and $BIG_MIB MiB $FTP_HOME/$BIG_NAME"
SERVER_DATA_CREATED=1
rm -rf "${FTP_HOME:?}/$SMALL_NAME" "${FTP_HOME:?}/$BIG_NAME"
for ((t = 0; t < SMALL_TOP; t++)); do
  for ((s = 0; s < SMALL_SUB; s++)); do
    dir="$FTP_HOME/$SMALL_NAME/d$t/s$s"
    mkdir -p "$dir"
    head -c $((SMALL_SIZE * SMALL_PER_DIR)) /dev/urandom \
      | (cd "$dir" && split -b "$SMALL_SIZE" -d -a 3 --additional-suffix=.bin - f)
  done
done
head -c "$BIG_SIZE" /dev/urandom >"$FTP_HOME/$BIG_NAME"
chown -R "$FTP_USER:$FTP_USER" "$FTP_HOME/$SMALL_NAME" "$FTP_HOME/$BIG_NAME"
chmod -R u=rwX,go=rX "$FTP_HOME/$SMALL_NAME" "$FTP_HOME/$BIG_NAME"
(cd "$FTP_HOME/$SMALL_NAME" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$SCRATCH/small.sha256"
[[ "$(wc -l <"$SCRATCH/small.sha256")" -eq $SMALL_COUNT ]] || die "expected $SMALL_COUNT files in $FTP_HOME/$SMALL_NAME"
BIG_SHA="$(sha256sum "$FTP_HOME/$BIG_NAME" | cut -d' ' -f1)"
sync

# ---------------------------------------------------------------------------
# The commands measured. Each takes the local target as $1.
# ---------------------------------------------------------------------------
LFTP_SETTINGS="set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:ca-file $CA; set ssl:verify-certificate yes; set net:max-retries 1"

# shellcheck disable=SC2016  # $1..$3 are expanded by that sh, not here
CURL_SYNC_SCRIPT='curl -q -sS --ssl-reqd --cacert "$1" -o "$2" "$3" && sync "$2"'

# set_cmd NAME TARGET: CMD=(the command line of measurement NAME).
set_cmd() {
  local target="$2"
  case "$1" in
    ferry_small) CMD=("$FERRY" get -r --parallel "$PARALLEL" "${FERRY_SMALL_EXTRA[@]}" --ca-file "$CA" "$BASE_URL/$SMALL_NAME" "$target") ;;
    lftp_small)  CMD=(lftp --norc -c "$LFTP_SETTINGS; open -u $FTP_USER,$FTP_PASS ftp://127.0.0.1:$PORT; mirror --parallel=$PARALLEL $SMALL_NAME $target") ;;
    ferry_big)   CMD=("$FERRY" get --ca-file "$CA" "$BASE_URL/$BIG_NAME" "$target") ;;
    curl_big)    CMD=(curl -q -sS --ssl-reqd --cacert "$CA" -o "$target" "$BASE_URL/$BIG_NAME") ;;
    lftp_big)    CMD=(lftp --norc -c "$LFTP_SETTINGS; open -u $FTP_USER,$FTP_PASS ftp://127.0.0.1:$PORT; get $BIG_NAME -o $target") ;;
    # Not a target, for context: Ferry fsyncs a download before renaming
    # it into place; curl leaves it in the page cache. This is curl with
    # the same durability (coreutils `sync FILE` is an fsync of FILE).
    curlsync_big) CMD=(sh -c "$CURL_SYNC_SCRIPT" sh "$CA" "$target" "$BASE_URL/$BIG_NAME") ;;
    *) die "unknown measurement $1" ;;
  esac
}

# verify_small DIR: every file present (no more, no fewer) with the right
# bytes. Accepts DIR itself or DIR/bench-small as the root of the copy.
verify_small() {
  local root="$1" n
  if [[ ! -d "$root/d0" && -d "$root/$SMALL_NAME/d0" ]]; then root="$root/$SMALL_NAME"; fi
  [[ -d "$root" ]] || { log "verify: $1 was not created"; return 1; }
  n="$(find "$root" -type f | wc -l)"
  [[ "$n" -eq $SMALL_COUNT ]] || { log "verify: $n files in $root, expected $SMALL_COUNT"; return 1; }
  (cd "$root" && sha256sum --quiet --strict -c "$SCRATCH/small.sha256") >&2 \
    || { log "verify: checksum mismatch in $root"; return 1; }
}
verify_big() {
  local size sum
  [[ -f "$1" ]] || { log "verify: $1 was not created"; return 1; }
  size="$(stat -c %s "$1")"
  [[ "$size" -eq $BIG_SIZE ]] || { log "verify: $1 has $size bytes, expected $BIG_SIZE"; return 1; }
  sum="$(sha256sum "$1" | cut -d' ' -f1)"
  [[ "$sum" == "$BIG_SHA" ]] || { log "verify: sha256 of $1 is $sum, expected $BIG_SHA"; return 1; }
}

# ---------------------------------------------------------------------------
# Which TLS version does each tool really negotiate (control and data)?
# One untimed, verbose single-file download each.
# ---------------------------------------------------------------------------
probe_file="$SMALL_NAME/d0/s0/f000.bin"
tls_name() { case "$1" in 3.4) echo TLSv1.3 ;; 3.3) echo TLSv1.2 ;; *) echo "version $1" ;; esac; }

tls_lftp() {
  local out="$SCRATCH/tls-lftp.log" versions n
  lftp --norc -c "debug 15; $LFTP_SETTINGS; open -u $FTP_USER,$FTP_PASS ftp://127.0.0.1:$PORT; get $probe_file -o $SCRATCH/tls-lftp.bin" >"$out" 2>&1 \
    || { echo "lftp probe failed (see $out)"; return 1; }
  versions="$(sed -n 's/.*Negotiated version: \([0-9.]*\).*/\1/p' "$out" | sort -u)"
  n="$(grep -c 'Negotiated version' "$out" || true)"
  if ! grep -q -- '---> PROT P' "$out" || ! grep -q '200 PROT now Private' "$out"; then
    echo "lftp did not get PROT P"; return 1
  fi
  [[ "$n" -ge 2 && "$(wc -l <<<"$versions")" -eq 1 ]] || { echo "lftp: unexpected handshakes ($n: $versions)"; return 1; }
  grep -q 'selected PSK-resumption mode' "$out" || { echo "lftp: data connection did not resume"; return 1; }
  printf '%s, data resumed' "$(tls_name "$versions")"
}
tls_curl() {
  local out="$SCRATCH/tls-curl.log" versions n
  curl -q -v --ssl-reqd --cacert "$CA" -o "$SCRATCH/tls-curl.bin" "$BASE_URL/$probe_file" >"$out" 2>&1 \
    || { echo "curl probe failed (see $out)"; return 1; }
  versions="$(sed -n 's/^\* SSL connection using \([^ ]*\) .*/\1/p' "$out" | sort -u)"
  n="$(grep -c '^\* SSL connection using' "$out" || true)"
  [[ "$n" -ge 2 && "$(wc -l <<<"$versions")" -eq 1 ]] || { echo "curl: unexpected handshakes ($n: $versions)"; return 1; }
  grep -q 'SSL re-using session ID' "$out" || { echo "curl: data connection did not resume"; return 1; }
  printf '%s, data resumed' "$versions"
}
tls_ferry() {
  local out="$SCRATCH/tls-ferry.log" version
  "$FERRY" get -v --ca-file "$CA" "$BASE_URL/$probe_file" "$SCRATCH/tls-ferry.bin" >"$out" 2>&1 \
    || { echo "ferry probe failed (see $out)"; return 1; }
  version="$(sed -n 's/.*TLS established: \(TLSv[0-9.]*\).*/\1/p' "$out" | sort -u | paste -sd/)"
  [[ -n "$version" ]] || { echo "ferry -v printed no TLS version"; return 1; }
  # vsftpd refuses cleartext or non-resumed data connections, so a
  # completed RETR means the data connection resumed this TLS session.
  printf '%s, data resumed' "$version"
}

declare -A TLS
TLS[lftp]="$(tls_lftp)" || die "${TLS[lftp]}"
TLS[curl]="$(tls_curl)" || die "${TLS[curl]}"
if [[ -z "$FERRY_SKIP_REASON" ]]; then
  TLS[ferry]="$(tls_ferry)" || die "${TLS[ferry]}"
else
  TLS[ferry]="pending"
fi
log "TLS: ferry ${TLS[ferry]}; lftp ${TLS[lftp]}; curl ${TLS[curl]}"

# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------
MEASUREMENTS=(ferry_small lftp_small ferry_big curl_big lftp_big curlsync_big)
declare -A TIMES CPUS STATUS ATTEMPTS FAILS ERRORS
MAX_ATTEMPTS=3
for name in "${MEASUREMENTS[@]}"; do STATUS[$name]=run; done
if [[ -n "$FERRY_SKIP_REASON" ]]; then
  STATUS[ferry_small]="skipped" STATUS[ferry_big]="skipped"
elif [[ $FERRY_RECURSIVE -eq 0 ]]; then
  STATUS[ferry_small]="skipped"
fi

now_us() { local t="${EPOCHREALTIME//[.,]/}"; echo "$((10#$t))"; }

# children_cpu FILE: CPU seconds (user + system) used so far by the finished
# children of this shell, from the `times` builtin ("0m1.234s 0m0.056s").
# `times` must run in the shell that waited for the client, not in a $(...)
# subshell (whose children are only the awk), so it writes to FILE first.
children_cpu() {
  awk 'NR == 2 { n = 0
    for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); n += p[1] * 60 + p[2] }
    printf "%.3f\n", n }' "$1"
}

# run_one NAME LABEL: one run of measurement NAME; prints "seconds cpu" on
# success (cpu = user + system seconds of the client and its children).
# Returns 1 if the client failed (its last output line is left in
# SCRATCH/NAME.lasterr), 2 if it claimed success but the bytes are wrong.
run_one() {
  local name="$1" label="$2" target t0 t1 rc=0
  target="$SCRATCH/target-$name"
  [[ "$name" == *_big ]] && target="$SCRATCH/target-$name.bin"
  rm -rf "$target" "$target.part"
  sync
  local CMD=()
  set_cmd "$name" "$target"
  local c0 c1
  times >"$SCRATCH/times.before"
  t0="$(now_us)"
  timeout "$RUN_TIMEOUT" "${CMD[@]}" >"$SCRATCH/$name.$label.log" 2>&1 </dev/null || rc=$?
  t1="$(now_us)"
  times >"$SCRATCH/times.after"
  c0="$(children_cpu "$SCRATCH/times.before")"
  c1="$(children_cpu "$SCRATCH/times.after")"
  if [[ $rc -ne 0 ]]; then
    log "$name ($label): exit code $rc; last output:"
    tail -n 20 "$SCRATCH/$name.$label.log" >&2
    { grep -v '^[[:space:]]*$' "$SCRATCH/$name.$label.log" || true; } | tail -n 1 | cut -c1-160 >"$SCRATCH/$name.lasterr"
    [[ -s "$SCRATCH/$name.lasterr" ]] || echo "exit code $rc" >"$SCRATCH/$name.lasterr"
    return 1
  fi
  if [[ "$name" == *_small ]]; then verify_small "$target"; else verify_big "$target"; fi || return 2
  rm -rf "$target"
  awk -v us=$((t1 - t0)) -v c0="$c0" -v c1="$c1" 'BEGIN { printf "%.3f %.3f\n", us / 1e6, c1 - c0 }'
}

# idle_pct: percentage of CPU time idle over the next second (all CPUs).
idle_pct() {
  local a b
  a="$(awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
  sleep 1
  b="$(awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
    t = y[2] - x[2]; printf "%d\n", (t > 0 ? 100 * (y[1] - x[1]) / t : 100) }'
}
# wait_idle: wait (up to WAIT_IDLE s in all) until the machine is quiet;
# records the lowest idle percentage seen just before a run in MIN_IDLE.
MIN_IDLE=100
IDLE_WAITED=0
wait_idle() {
  local idle
  idle="$(idle_pct)"
  while [[ $idle -lt $IDLE_MIN && $IDLE_WAITED -lt $WAIT_IDLE ]]; do
    [[ $((IDLE_WAITED % 30)) -eq 0 ]] && log "machine busy (${idle}% idle, other processes); waiting for >= ${IDLE_MIN}% idle"
    sleep 2
    IDLE_WAITED=$((IDLE_WAITED + 3))
    idle="$(idle_pct)"
  done
  if [[ $idle -lt $IDLE_MIN ]]; then
    log "WARNING: machine only ${idle}% idle before this run: results will be noisy"
  fi
  [[ $idle -lt $MIN_IDLE ]] && MIN_IDLE=$idle
  return 0
}

# rotated NAMES... (with ROUND set): the names, starting ROUND places later. Each round
# rotates the small-file and the big-file clients, so no client always runs in the same
# place (say, right after lftp's 2000-file mirror and its 2000 deletions): on 2 shared cores
# the same download varies by 2x, and a fixed order could put a bias on one client.
rotated() {
  local n=$# k i
  local all=("$@")
  k=$((ROUND % n))
  for ((i = 0; i < n; i++)); do echo "${all[$(((i + k) % n))]}"; done
}

for ((round = 0; round <= RUNS; round++)); do
  label="run$round"
  [[ $round -eq 0 ]] && label="warmup"
  ROUND=$round
  mapfile -t ORDER < <(rotated ferry_small lftp_small; rotated ferry_big curl_big lftp_big curlsync_big)
  for name in "${ORDER[@]}"; do
    [[ "${STATUS[$name]}" == run ]] || continue
    wait_idle
    for ((attempt = 1; ; attempt++)); do
      log "$name: $label"
      ATTEMPTS[$name]=$((${ATTEMPTS[$name]:-0} + 1))
      rc=0
      measured="$(run_one "$name" "$label")" || rc=$?
      if [[ $rc -eq 0 ]]; then
        read -r secs cpu <<<"$measured"
        log "$name: $label ${secs}s (CPU ${cpu}s)"
        if [[ $round -ne 0 ]]; then
          TIMES[$name]="${TIMES[$name]:-} $secs"
          CPUS[$name]="${CPUS[$name]:-} $cpu"
        fi
        break
      fi
      if [[ $rc -eq 1 && $attempt -lt $MAX_ATTEMPTS ]]; then
        # A client that reports an error is run again from scratch (and
        # the failure is reported); wrong bytes are never retried.
        FAILS[$name]=$((${FAILS[$name]:-0} + 1))
        ERRORS[$name]="$(cat "$SCRATCH/$name.lasterr")"
        log "$name: $label failed; running it again (attempt $((attempt + 1)) of $MAX_ATTEMPTS)"
        continue
      fi
      STATUS[$name]="FAILED ($label)"
      break
    done
  done
done

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
# stats NAME -> "median min max" (seconds)
stats() {
  local values="${2:-${TIMES[$1]}}"
  tr ' ' '\n' <<<"$values" | awk 'NF' | sort -g | awk '
    { v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}
declare -A MED MIN MAX CPU_MED
cell_ok() { [[ "${STATUS[$1]}" == run && -n "${TIMES[$1]:-}" ]]; }
for name in "${MEASUREMENTS[@]}"; do
  if cell_ok "$name"; then
    read -r "MED[$name]" "MIN[$name]" "MAX[$name]" <<<"$(stats "$name")"
    read -r "CPU_MED[$name]" _ _ <<<"$(stats "$name" "${CPUS[$name]}")"
  fi
done

status_text() {
  case "${STATUS[$1]}" in
    skipped) echo "pending" ;;
    *) echo "${STATUS[$1]}" ;;
  esac
}
# row TEST TOOL NAME UNIT TLS: one table row.
row() {
  local test="$1" tool="$2" name="$3" unit="$4" tls="$5" rate
  if cell_ok "$name"; then
    if [[ "$unit" == files ]]; then
      rate="$(awk -v n=$SMALL_COUNT -v s="${MED[$name]}" 'BEGIN { printf "%.0f files/s", n / s }')"
    else
      rate="$(awk -v n=$BIG_MIB -v s="${MED[$name]}" 'BEGIN { printf "%.0f MiB/s", n / s }')"
    fi
    printf '| %s | %s | %s | %s–%s | %s | %s | %s |\n' "$test" "$tool" "${MED[$name]}" "${MIN[$name]}" "${MAX[$name]}" "$rate" "${CPU_MED[$name]}" "$tls"
  else
    printf '| %s | %s | %s | – | – | – | %s |\n' "$test" "$tool" "$(status_text "$name")" "$tls"
  fi
}
# ratio SLOW FAST TARGET: "SLOW/FAST" as N.N×, with the target.
ratio() {
  if cell_ok "$1" && cell_ok "$2"; then
    awk -v a="${MED[$1]}" -v b="${MED[$2]}" 'BEGIN { printf "%.2f×", a / b }'
  elif [[ "${STATUS[$1]}" == skipped || "${STATUS[$2]}" == skipped ]]; then
    echo "pending"
  else
    echo "n/a"
  fi
}

label_of() {
  case "$1" in
    ferry_small) echo "Ferry, $SMALL_COUNT files" ;;
    lftp_small) echo "lftp, $SMALL_COUNT files" ;;
    ferry_big) echo "Ferry, 1 GiB" ;;
    curl_big) echo "curl, 1 GiB" ;;
    lftp_big) echo "lftp, 1 GiB" ;;
    curlsync_big) echo "curl + sync, 1 GiB" ;;
  esac
}
# met SLOW FAST MIN: "yes" if SLOW/FAST >= MIN, "no", or "pending".
met() {
  if cell_ok "$1" && cell_ok "$2"; then
    awk -v a="${MED[$1]}" -v b="${MED[$2]}" -v m="$3" 'BEGIN { print (a / b >= m) ? "yes" : "**no**" }'
  elif [[ "${STATUS[$1]}" == skipped || "${STATUS[$2]}" == skipped ]]; then
    echo "pending"
  else
    echo "n/a"
  fi
}

# best_of A B: the measurement with the lower median time (A if B has none).
best_of() {
  if cell_ok "$1" && cell_ok "$2"; then
    awk -v a="${MED[$1]}" -v b="${MED[$2]}" -v na="$1" -v nb="$2" 'BEGIN { print (b < a) ? nb : na }'
  elif cell_ok "$2"; then echo "$2"; else echo "$1"; fi
}
# less_cpu A B: the measurement with the lower median CPU time.
less_cpu() {
  if cell_ok "$1" && cell_ok "$2"; then
    awk -v a="${CPU_MED[$1]}" -v b="${CPU_MED[$2]}" -v na="$1" -v nb="$2" 'BEGIN { print (b < a) ? nb : na }'
  elif cell_ok "$2"; then echo "$2"; else echo "$1"; fi
}
cpu_ratio() {
  if cell_ok "$1" && cell_ok "$2"; then
    awk -v a="${CPU_MED[$1]}" -v b="${CPU_MED[$2]}" 'BEGIN { printf "%.2f×", (b > 0) ? a / b : 0 }'
  else echo "pending"; fi
}
# at_most A B MAX ARRAY: "yes" if ARRAY[A]/ARRAY[B] <= MAX (ARRAY is MED or CPU_MED).
at_most() {
  local -n values="$4"
  if cell_ok "$1" && cell_ok "$2"; then
    awk -v a="${values[$1]}" -v b="${values[$2]}" -v m="$3" 'BEGIN { print (b > 0 && a / b <= m) ? "yes" : "**no**" }'
  else echo "pending"; fi
}

tool_version() {
  case "$1" in
    ferry) if [[ -z "$FERRY_SKIP_REASON" ]]; then "$FERRY" --version 2>/dev/null | head -n1; else echo "Ferry"; fi ;;
    lftp) lftp --version | sed -n 's/.*Version \([0-9.]*\).*/lftp \1/p' | head -n1 ;;
    curl) curl --version | awk 'NR == 1 { print $1, $2, "(" $5 ")" }' ;;
  esac
}
V_FERRY="$(tool_version ferry)"
V_LFTP="$(tool_version lftp)"
V_CURL="$(tool_version curl)"
V_SERVER="$(awk '$2 == "vsftpd" { print "vsftpd", $4 }' "${FERRY_INTEROP_CACHE:-/var/cache/ferry-interop}/root/.versions" 2>/dev/null || true)"
CPU="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
OS="$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)"

REPORT="$SCRATCH/report.md"
{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bash benches/bench.sh\`: $RUNS timed runs per row after one warm-up, median (min–max)."
  echo "Machine: $OS, kernel $(uname -r), $(nproc) cores ($CPU), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, loopback; CPUs at least ${MIN_IDLE}% idle before each run$([[ $MIN_IDLE -lt $IDLE_MIN ]] && echo " (**busy: other processes were running, numbers are noisy**)")."
  echo "Server: ${V_SERVER:-vsftpd} (\`vsftpd_explicit\`, \`require_ssl_reuse=YES\`). Clients: $V_FERRY, $V_LFTP, $V_CURL."
  echo
  echo "| Test | Tool | Median (s) | Min–max (s) | Rate (median) | CPU (s, median) | TLS |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | --- |"
  row "$SMALL_COUNT × 4 KiB, recursive, $PARALLEL connections" "Ferry" ferry_small files "${TLS[ferry]}"
  row "" "lftp \`mirror --parallel=$PARALLEL\`" lftp_small files "${TLS[lftp]}"
  row "1 GiB, one file" "Ferry" ferry_big mib "${TLS[ferry]}"
  row "" "curl" curl_big mib "${TLS[curl]}"
  row "" "lftp \`get\`" lftp_big mib "${TLS[lftp]}"
  row "" "curl, then \`sync FILE\` (for context)" curlsync_big mib "${TLS[curl]}"
  echo
  echo "| Ratio of median times | Value | Target | Met |"
  echo "| --- | ---: | ---: | --- |"
  echo "| lftp / Ferry, $SMALL_COUNT small files | $(ratio lftp_small ferry_small) | ≥ 4× | $(met lftp_small ferry_small 4) |"
  best="$(best_of curl_big lftp_big)"
  echo "| Ferry / best of curl and lftp (\`$best\`), 1 GiB, wall time | $(ratio ferry_big "$best") | ≤ 0.90× | $(at_most ferry_big "$best" 0.90 MED) |"
  echo "| Ferry / less of curl's and lftp's CPU (\`$(less_cpu curl_big lftp_big)\`), 1 GiB | $(cpu_ratio ferry_big "$(less_cpu curl_big lftp_big)") | ≤ 1.00× | $(at_most ferry_big "$(less_cpu curl_big lftp_big)" 1.00 CPU_MED) |"
  echo "| (curl, then sync FILE) / Ferry, 1 GiB | $(ratio curlsync_big ferry_big) | (context) | |"
  echo
  echo "TLS: every client verified the certificate against the interop CA; each data connection resumed the control connection's TLS session (vsftpd refuses any that does not). Versions read from \`lftp debug\`, \`curl -v\` and \`ferry -v\` on one file."
  failed_note=""
  for name in "${MEASUREMENTS[@]}"; do
    if [[ ${FAILS[$name]:-0} -gt 0 ]]; then
      failed_note+="$(printf '\n* %s: %s of %s attempts failed (each was run again); last error: \140%s\140' \
        "$(label_of "$name")" "${FAILS[$name]}" "${ATTEMPTS[$name]}" "${ERRORS[$name]}")"
    fi
  done
  if [[ -n "$failed_note" ]]; then
    echo
    printf 'Failed runs (a client that exits with an error is run again from scratch, at most %s times per run; wrong bytes are never retried):\n%s\n' "$MAX_ATTEMPTS" "$failed_note"
  fi
} >"$REPORT"
if [[ -n "$FERRY_SKIP_REASON" ]]; then
  printf '\nFerry: pending (%s).\n' "$FERRY_SKIP_REASON" >>"$REPORT"
elif [[ $FERRY_RECURSIVE -eq 0 ]]; then
  printf '\nFerry recursive download: pending (this build has no \140ferry get --recursive\140).\n' >>"$REPORT"
fi

echo
cat "$REPORT"

failed=0
for name in "${MEASUREMENTS[@]}"; do
  [[ "${STATUS[$name]}" == FAILED* ]] && failed=1
done
if [[ $failed -ne 0 ]]; then
  [[ $WRITE -eq 1 ]] && log "not writing $BENCHMARKS_MD"
  die "some measurements failed (see above)"
fi

if [[ $WRITE -eq 1 ]]; then
  awk -v begin="$MARK_BEGIN" -v end="$MARK_END" -v report="$REPORT" '
    $0 == begin { print; print ""; while ((getline line < report) > 0) print line; print ""; skip = 1; next }
    $0 == end   { skip = 0 }
    !skip' "$BENCHMARKS_MD" >"$SCRATCH/BENCHMARKS.md.new"
  cat "$SCRATCH/BENCHMARKS.md.new" >"$BENCHMARKS_MD"
  log "wrote the results section of $BENCHMARKS_MD"
fi
