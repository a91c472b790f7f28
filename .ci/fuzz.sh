#!/usr/bin/env bash
# Ferry CI: build the cargo-fuzz targets (fuzz/) and run each for a short while on its committed
# seed corpus. Fails if any target crashes, hangs (-timeout) or runs out of memory.
#
# Runs on a fresh clone as root with no stdin; installs what it needs itself (a C++ compiler for
# libFuzzer, cargo-fuzz). Needs rustup with a nightly toolchain (cargo-fuzz's sanitizer flags are
# nightly-only).
#
#   FERRY_FUZZ_SECONDS    how long each target runs (default 30)
#   FERRY_FUZZ_TOOLCHAIN  the rustup toolchain to build with (default nightly)
#
# The checkout is not modified apart from the build output in fuzz/target (ignored by git):
# each target fuzzes a copy of its corpus in a temporary folder, and crash inputs are written
# there too (the folder is kept, and its path printed, when something fails).
set -euo pipefail
exec </dev/null
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TERM_COLOR=never
export DEBIAN_FRONTEND=noninteractive

seconds="${FERRY_FUZZ_SECONDS:-30}"
toolchain="${FERRY_FUZZ_TOOLCHAIN:-nightly}"
host="x86_64-unknown-linux-gnu"

case "$seconds" in
  '' | *[!0-9]*) echo "FERRY_FUZZ_SECONDS must be a whole number of seconds, not '$seconds'" >&2; exit 2 ;;
esac

step_name=""
step_start=0
step() {
  end_step
  step_name="$*"
  step_start=$SECONDS
  printf '\n=== %s (at %ss)\n' "$step_name" "$SECONDS"
}
end_step() {
  if [ -n "$step_name" ]; then
    printf -- '--- %s: %ss\n' "$step_name" "$((SECONDS - step_start))"
  fi
  step_name=""
}

step "toolchain"
if ! command -v rustup >/dev/null; then
  echo "error: rustup is not installed; the fuzz targets need rustup with a nightly toolchain" >&2
  exit 1
fi
# Look before running: rustup may otherwise try to install a missing toolchain itself.
if ! rustup toolchain list | grep -Eq "^${toolchain}(-| |\$)" ||
  ! RUSTUP_AUTO_INSTALL=0 rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
  echo "error: no '$toolchain' Rust toolchain (cargo-fuzz needs nightly)." >&2
  echo "       Install it with: rustup toolchain install nightly --profile minimal" >&2
  exit 1
fi
rustup run "$toolchain" rustc --version
rustup run "$toolchain" cargo --version

step "C++ compiler (libFuzzer is C++)"
if ! command -v c++ >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends build-essential >/dev/null
fi
c++ --version | head -n 1

step "cargo-fuzz"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
cargo fuzz --version

step "build the fuzz targets"
# Release with debug assertions and AddressSanitizer: cargo-fuzz's defaults. fuzz/ is its own
# workspace with its own Cargo.lock and target folder.
cargo "+$toolchain" fuzz build --fuzz-dir fuzz
mapfile -t targets < <(cargo "+$toolchain" fuzz list --fuzz-dir fuzz)
if [ "${#targets[@]}" -eq 0 ]; then
  echo "error: cargo fuzz list found no targets in fuzz/" >&2
  exit 1
fi
echo "targets: ${targets[*]}"
if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1 &&
  ! git diff --quiet -- fuzz/Cargo.lock; then
  echo "note: the build changed fuzz/Cargo.lock (Ferry's dependencies changed); commit the new one"
fi

work="$(mktemp -d /tmp/ferry-fuzz.XXXXXX)"
failed=()
for target in "${targets[@]}"; do
  step "fuzz $target for ${seconds}s"
  corpus="$work/corpus/$target"
  artifacts="$work/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  if [ -d "fuzz/corpus/$target" ]; then
    cp -R "fuzz/corpus/$target/." "$corpus/"
  fi
  echo "seed corpus: $(find "$corpus" -type f | wc -l) files"
  log="$work/$target.log"
  status=0
  # The binary directly, not `cargo fuzz run`, which would create fuzz/artifacts in the
  # checkout. ASAN_OPTIONS as cargo-fuzz sets it.
  ASAN_OPTIONS="detect_odr_violation=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    "fuzz/target/$host/release/$target" "$corpus" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  # libFuzzer's progress lines are many; the end of the log has the result and the stats.
  tail -n 25 "$log"
  if [ "$status" -ne 0 ]; then
    kind="$(grep -m1 -o 'ERROR: [A-Za-z]*: [a-z -]*' "$log" | sed 's/ERROR: //' || true)"
    # The cause is at the top of the crash report, out of the tail above: a Rust panic's
    # location and message, or the sanitizer's report.
    echo "--- cause:"
    grep -m1 -A2 "panicked at" "$log" || grep -m1 -A3 -E "ERROR: (AddressSanitizer|libFuzzer)" "$log" || true
    for input in "$artifacts"/*; do
      [ -f "$input" ] || continue
      echo "reproducer: $input ($(wc -c <"$input") bytes), base64:"
      head -c 65536 "$input" | base64 -w 76
      echo "run it again with: fuzz/target/$host/release/$target $input"
    done
    failed+=("$target (${kind:-exit status $status}; log $log)")
  fi
done
end_step

if [ "${#failed[@]}" -gt 0 ]; then
  printf '\nFAILED fuzz targets (the folder %s is kept):\n' "$work"
  printf '  %s\n' "${failed[@]}"
  exit 1
fi
rm -rf "$work"
printf '\nall %d fuzz targets ran %ss each without a crash (%ss in all)\n' "${#targets[@]}" "$seconds" "$SECONDS"
