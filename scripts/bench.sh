#!/usr/bin/env bash
# `make bench`: set up, build the release binaries (app, CLI, benchmarks),
# then run the benchmarks inside a private desktop session (Xvfb, D-Bus, an
# unlocked GNOME Keyring: the refresh benchmarks use the real keychain, the
# start-up benchmark the real app window). Ends with one `bench NAME VALUE
# UNIT` line per figure; the same figures, with every raw measurement, go to
# target/bench/summary.json (under $CARGO_TARGET_DIR when that is set).
# Extra arguments go to the benchmark binary, e.g. `scripts/bench.sh --quick`
# or `scripts/bench.sh --only detect,render`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

scripts/setup.sh >&2 || { echo "set-up failed" >&2; exit 1; }

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
RELEASE="$TARGET/release"

say "building release binaries (callout-lab, callout, callout-bench)"
cargo build --release --locked -p callout-lab -p callout-cli -p callout-bench >&2 || {
  echo "the release build failed: see the errors above" >&2
  exit 1
}
for binary in callout-lab callout callout-bench; do
  [ -x "$RELEASE/$binary" ] || { echo "$RELEASE/$binary is missing after the build" >&2; exit 1; }
done

say "running the benchmarks (about 3 minutes)"
exec scripts/desktop-session.sh "$RELEASE/callout-bench" \
  --app "$RELEASE/callout-lab" --cli "$RELEASE/callout" \
  --out "$TARGET/bench/summary.json" "$@"
