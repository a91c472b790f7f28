#!/usr/bin/env bash
# Stop the Ferry interop servers started by start.sh.
#
#   usage: .ci/interop/stop.sh WORKDIR
#
# Signals only the processes recorded in WORKDIR/run/*.pid, and only if they
# still run one of the unpacked server binaries (pid reuse guard). Each pid
# is the leader of its own process group (start.sh uses setsid), so the
# whole group - including per-session children - is terminated. Leaves the
# logs, configs and certificates in WORKDIR for inspection. Idempotent.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -eq 1 && -n "$1" ]] || die "usage: $(basename "$0") WORKDIR"
if [[ ! -d "$1" ]]; then
  log "nothing to stop: $1 does not exist"
  exit 0
fi
WORKDIR="$(cd "$1" && pwd -P)"

shopt -s nullglob
for f in "$WORKDIR"/run/*.pid; do
  stop_pidfile "$f"
done
rm -f "$WORKDIR/servers.env"

# Forget this WORKDIR as the machine's active one, and drop the
# unreachable route for the natpasv address that start.sh added.
if [[ -f "$FERRY_INTEROP_CACHE/active-workdir" \
      && "$(cat "$FERRY_INTEROP_CACHE/active-workdir")" == "$WORKDIR" ]]; then
  rm -f "$FERRY_INTEROP_CACHE/active-workdir"
  if ip route show "$NATPASV_ADDR/32" 2>/dev/null | grep -q '^unreachable'; then
    ip route del unreachable "$NATPASV_ADDR/32" 2>/dev/null || true
  fi
fi
log "stopped servers of $WORKDIR"
