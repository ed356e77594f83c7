#!/usr/bin/env bash
# Every test Callout Lab has, as CI runs them: formatting, lints, the Rust
# tests (real Secret Service keychain, real app window through WebDriver under
# Xvfb), the UI's unit tests. Runs every step even when one fails, then prints
# the failed steps and a closing "N passed, N failed" line; exits non-zero if
# anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
LOGS="$ROOT/target/test-logs"

scripts/setup.sh --with-test-tools || { echo "set-up failed" >&2; exit 1; }
mkdir -p "$LOGS"
rm -f "$LOGS"/*

failed_steps=()
step() {
  local name="$1"; shift
  printf '\033[1m==> %s\033[0m\n' "$name"
  if ! "$@"; then
    failed_steps+=("$name")
  fi
}

step "cargo fmt --check" cargo fmt --all --check
step "cargo clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
# The fuzz targets are their own workspace (make fuzz runs them): they must
# still format and compile against today's core, or the next fuzzing finds a
# broken build instead of bugs.
step "fuzz targets: fmt and check" bash -c \
  'cargo fmt --manifest-path fuzz/Cargo.toml --check && cargo check --manifest-path fuzz/Cargo.toml --locked --bins'
# cargo-deny reads the metadata of every platform's crates (windows-sys,
# android_system_properties, ...), which a Linux build never downloads: fetch
# them all first, or a fresh cargo home fails the offline check.
step "cargo fetch (every platform's crates, for cargo deny)" cargo fetch --locked
step "cargo deny (offline: licenses, bans, sources)" \
  "$ROOT/.tools/bin/cargo-deny" deny --offline --locked check licenses bans sources
step "cargo build (binaries for the end-to-end tests)" cargo build --workspace --bins --locked
# Pause points (callout_core::pause) are for the CLI's crash tests, whose
# dev-dependency turns them on: a plain build — what ships — has none. Its
# binaries must not even name the variable that stops them.
step "no pause points in a plain build" bash -c '
  for bin in callout callout-lab callout-bench; do
    path="${CARGO_TARGET_DIR:-target}/debug/$bin"
    [ -f "$path" ] || { echo "$path was not built" >&2; exit 1; }
    if grep -q -a CALLOUT_PAUSE_ "$path"; then
      echo "$path has pause points: the test-pause-points feature leaked into a plain build" >&2
      exit 1
    fi
  done'
FIGURES="$ROOT/target/tmp/figures"
rm -rf "$FIGURES"
step "cargo test (in a desktop session: Xvfb, D-Bus, gnome-keyring)" \
  bash -c 'set -o pipefail; scripts/desktop-session.sh cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$0"' "$LOGS/cargo-test.log"
step "generated TypeScript bindings are committed" \
  bash -c 'git diff --exit-code --stat -- ui/src/bindings && test -z "$(git status --porcelain -- ui/src/bindings)"'
# The UI against the bindings cargo test just wrote (commands.ts among them):
# a command or argument renamed in Rust fails here until the UI follows.
step "UI type check (tsc)" bash -c 'cd ui && npx --no-install tsc --noEmit'
step "UI unit tests (vitest)" \
  bash -c 'cd ui && npx --no-install vitest run --reporter=default --reporter=json --outputFile="$0"' "$LOGS/vitest.json"

rust_passed=$(grep -hoE 'test result: [A-Za-z]+\. [0-9]+ passed' "$LOGS/cargo-test.log" 2>/dev/null | awk '{s+=$4} END {print s+0}')
rust_failed=$(grep -hoE '[0-9]+ failed;' "$LOGS/cargo-test.log" 2>/dev/null | awk '{s+=$1} END {print s+0}')
read -r ui_passed ui_failed < <(node -e '
  try { const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests) }
  catch { console.log(0, 0) }' "$LOGS/vitest.json")

echo
if compgen -G "$FIGURES/*.txt" >/dev/null; then
  echo "figures the tests measured:"
  sed 's/^/  /' "$FIGURES"/*.txt
fi
echo "rust: $rust_passed passed, $rust_failed failed"
echo "ui: $ui_passed passed, $ui_failed failed"
if ((${#failed_steps[@]})); then
  for name in "${failed_steps[@]}"; do echo "FAILED STEP: $name"; done
fi
total_failed=$((rust_failed + ui_failed))
if ((${#failed_steps[@]})) && ((total_failed == 0)); then total_failed=${#failed_steps[@]}; fi
echo "total: $((rust_passed + ui_passed)) passed, $total_failed failed"
((${#failed_steps[@]} == 0))
