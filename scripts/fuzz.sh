#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets) for a bounded time with cargo fuzz
# (libFuzzer), seeded with the samples in fuzz/seeds and the test fixtures (the
# WIRE.md shapes), and reports executions and crashes per target. Crashing
# inputs are kept in fuzz/artifacts/TARGET/ (none so far); a fix for one
# keeps the input as a test next to the code it broke.
#   FUZZ_SECONDS=600 make fuzz       # longer runs
#   scripts/fuzz.sh merge_fields     # one target
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
CARGO_FUZZ_VERSION=0.13.2

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

scripts/setup.sh || { echo "set-up failed" >&2; exit 1; }
if ! "$ROOT/.tools/bin/cargo-fuzz" --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION\$"; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION into .tools/"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$ROOT/.tools" --quiet
fi
export PATH="$ROOT/.tools/bin:$PATH"
# The one Rust toolchain here is stable; libFuzzer's instrumentation needs the
# unstable flags, which RUSTC_BOOTSTRAP allows for this build only.
export RUSTC_BOOTSTRAP=1

seeds_for() {
  case "$1" in
    expiry_detector) echo "$ROOT/crates/core/tests/fixtures/verdicts" ;;
    postman_import) echo "$ROOT/crates/core/tests/fixtures/postman" ;;
    *) echo "$ROOT/fuzz/seeds/$1" ;;
  esac
}

targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(cd fuzz && cargo fuzz list)
fi

report=()
failed=0
for target in "${targets[@]}"; do
  corpus="$ROOT/fuzz/corpus/$target"
  mkdir -p "$corpus"
  log="$ROOT/fuzz/target/$target.log"
  mkdir -p "$(dirname "$log")"
  say "fuzzing $target for ${SECONDS_EACH} s"
  before=$(ls "$ROOT/fuzz/artifacts/$target" 2>/dev/null | wc -l)
  (cd fuzz && cargo fuzz run --sanitizer none "$target" "$corpus" "$(seeds_for "$target")" -- \
      -max_total_time="$SECONDS_EACH" -print_final_stats=1 -rss_limit_mb=1024 -timeout=10) \
      >"$log" 2>&1
  status=$?
  after=$(ls "$ROOT/fuzz/artifacts/$target" 2>/dev/null | wc -l)
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  crashes=$((after - before))
  if ((status != 0)) && ((crashes == 0)); then
    echo "cargo fuzz failed for $target (exit $status); see $log" >&2
    tail -20 "$log" >&2
    failed=1
  fi
  ((crashes > 0)) && failed=1
  report+=("fuzz $target: ${runs:-0} executions, $crashes crashes")
done

echo
for line in "${report[@]}"; do echo "$line"; done
if ((failed)); then
  echo "crashing inputs are in fuzz/artifacts/; reproduce with: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none TARGET ARTIFACT"
fi
exit $failed
