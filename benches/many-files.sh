#!/usr/bin/env bash
# A folder of many small files (100 000 by default) downloaded with
# `ferry get -r --parallel 4` from the interop vsftpd_explicit server: peak
# memory (RSS) of the whole process, and the rate over each tenth of the run,
# so a queue that slows down as it grows (or memory that grows with it) shows.
#
#   usage: bash benches/many-files.sh [--files N] [--keep-data] WORKDIR
#
#   WORKDIR    an interop WORKDIR whose servers run (bash .ci/interop/start.sh WORKDIR)
#   --files N  how many files (default 100000), in folders of 1000, 64 bytes each
#   FERRY_BIN  the ferry binary (default target/release/ferry, built if missing)
#
# Targets (issue #12): peak RSS under 200 MB, and the last tenth of the
# files arrives at no less than half the rate of the first tenth.
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
FILES=100000
KEEP=0
WORKDIR=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) FILES="$2"; shift ;;
    --keep-data) KEEP=1 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) WORKDIR="$1" ;;
  esac
  shift
done
[[ -n "$WORKDIR" && -f "$WORKDIR/servers.env" ]] || { echo "usage: $0 [--files N] WORKDIR (with running interop servers)" >&2; exit 2; }
# shellcheck disable=SC1091
source "$WORKDIR/servers.env"
FERRY="${FERRY_BIN:-$ROOT/target/release/ferry}"
if [[ -z "${FERRY_BIN:-}" && ! -x "$FERRY" ]]; then
  (cd "$ROOT" && cargo build --release --quiet)
fi
command -v /usr/bin/time >/dev/null || { apt-get install -y -q time >/dev/null; }

NAME=bench-many
SRC="$FERRY_INTEROP_HOME/$NAME"
SCRATCH="$(mktemp -d /tmp/ferry-many.XXXXXX)"
pid=""
cleanup() {
  # Never leave the client running (it would skew the next measurement).
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$SCRATCH"
  [[ $KEEP -eq 1 ]] || rm -rf "${SRC:?}"
}
trap cleanup EXIT

if [[ ! -d "$SRC" || "$(find "$SRC" -type f | wc -l)" -ne $FILES ]]; then
  echo "creating $FILES files in $SRC" >&2
  rm -rf "$SRC"
  python3 - "$SRC" "$FILES" <<'EOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"d{i // 1000:03d}")
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i % 1000:03d}.txt"), "wb") as f:
        f.write((f"file {i:06d} " * 8)[:64].encode())
EOF
  chown -R "$FERRY_INTEROP_USER:$FERRY_INTEROP_USER" "$SRC"
fi

export FERRY_CONFIG_DIR="$SCRATCH/config" FERRY_NO_KEYCHAIN=1
TARGET="$SCRATCH/target"
URL="ftp://$FERRY_INTEROP_USER:$FERRY_INTEROP_PASS@127.0.0.1:$FERRY_INTEROP_VSFTPD_EXPLICIT_PORT/$NAME"
sync
start=$EPOCHREALTIME
/usr/bin/time -f "%M %e %U %S" -o "$SCRATCH/time" \
  "$FERRY" get -r --parallel 4 --ca-file "$FERRY_INTEROP_CA" "$URL" "$TARGET" \
  >"$SCRATCH/out" 2>&1 </dev/null &
pid=$!
# Sample the number of finished files once a second.
: >"$SCRATCH/samples"
while kill -0 "$pid" 2>/dev/null; do
  n=$( (find "$TARGET" -type f -name '*.txt' 2>/dev/null || true) | wc -l)
  echo "$EPOCHREALTIME $n" >>"$SCRATCH/samples"
  sleep 1
done
rc=0
wait "$pid" || rc=$?
[[ $rc -eq 0 ]] || { tail -5 "$SCRATCH/out" >&2; echo "ferry exited with $rc" >&2; exit 1; }
got=$(find "$TARGET" -type f -name '*.txt' | wc -l)
[[ $got -eq $FILES ]] || { echo "only $got of $FILES files arrived" >&2; exit 1; }
read -r rss_kb wall user sys <"$SCRATCH/time"
python3 - "$SCRATCH/samples" "$start" "$FILES" "$rss_kb" "$wall" "$user" "$sys" <<'EOF'
import sys
samples = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
start, files = float(sys.argv[2]), int(sys.argv[3])
rss_mb, wall, user, sys_t = int(sys.argv[4]) / 1024, float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
def rate_between(lo, hi):
    # files per second between the moments the count passed lo and hi
    t_lo = next((t for t, n in samples if n >= lo), None)
    t_hi = next((t for t, n in samples if n >= hi), None)
    if t_lo is None or t_hi is None or t_hi <= t_lo:
        return None
    return (hi - lo) / (t_hi - t_lo)
tenth = files // 10
first, last = rate_between(0 + tenth // 10, tenth), rate_between(8 * tenth, 9 * tenth)
print(f"{files} files in {wall:.1f} s ({files / wall:.0f} files/s overall), CPU {user + sys_t:.1f} s")
print(f"peak RSS {rss_mb:.0f} MB (target < 200 MB): {'yes' if rss_mb < 200 else 'NO'}")
if first and last:
    print(f"rate, first tenth {first:.0f} files/s, ninth tenth {last:.0f} files/s "
          f"(ratio {last / first:.2f}, target >= 0.5): {'yes' if last / first >= 0.5 else 'NO'}")
else:
    print("rate: too few samples to compare tenths")
EOF
