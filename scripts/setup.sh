#!/usr/bin/env bash
# Installs what Callout Lab needs to build, run and test, and skips what is
# already there: Debian/Ubuntu packages, tauri-driver (into .tools/), the UI's
# npm packages; then builds the UI. With --with-test-tools (make test) also
# cargo-deny, into .tools/. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- system packages -------------------------------------------------------
PACKAGES=(
  # build
  build-essential pkg-config libwebkit2gtk-4.1-dev libayatana-appindicator3-dev libdbus-1-dev
  # run and test headless: X server, D-Bus session, keychain, WebDriver, screenshots
  xvfb xauth dbus-x11 gnome-keyring libsecret-tools webkit2gtk-driver imagemagick xdotool
  # tests: PKCS#12 bundles made as a user makes them; the run's JUnit
  # report checked against the schema CI tools read (xmllint)
  openssl libxml2-utils
  # fetching and installing
  ca-certificates curl git
)
missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  say "installing system packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  say "system packages: all present"
fi

# --- Node.js (Vite 8 needs 20.19+) ------------------------------------------
if ! command -v node >/dev/null 2>&1; then
  say "installing Node.js"
  SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Node.js "+process.versions.node+" is too old: the UI build needs 20.19 or newer"); process.exit(1) }'

# --- Rust toolchain -----------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust (https://rustup.rs) and run this again" >&2
  exit 1
fi
for tool in rustfmt clippy-driver; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found: rustup component add rustfmt clippy" >&2; exit 1; }
done

# --- tauri-driver (WebDriver bridge for the end-to-end tests) ---------------
TAURI_DRIVER_VERSION=2.1.0
# tauri-driver has no --version; cargo's install record tells which one is there.
if [ ! -x "$ROOT/.tools/bin/tauri-driver" ] ||
  ! grep -q "^\"tauri-driver $TAURI_DRIVER_VERSION " "$ROOT/.tools/.crates.toml" 2>/dev/null; then
  say "installing tauri-driver $TAURI_DRIVER_VERSION into .tools/"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --force --root "$ROOT/.tools" --quiet
else
  say "tauri-driver $TAURI_DRIVER_VERSION: present"
fi

# --- cargo-deny (offline supply-chain checks; only `make test` needs it) -------
CARGO_DENY_VERSION=0.20.2
if [ "${1:-}" = "--with-test-tools" ]; then
  if ! "$ROOT/.tools/bin/cargo-deny" --version 2>/dev/null | grep -q " $CARGO_DENY_VERSION\$"; then
    say "installing cargo-deny $CARGO_DENY_VERSION into .tools/ (a few minutes, once)"
    cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked --force --root "$ROOT/.tools" --quiet
  else
    say "cargo-deny $CARGO_DENY_VERSION: present"
  fi
fi

# --- UI -----------------------------------------------------------------------
cd "$ROOT/ui"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing the UI's npm packages"
  npm ci --no-audit --no-fund --loglevel=error
else
  say "UI npm packages: present"
fi
say "building the UI"
npm run --silent build >/dev/null
say "set-up done"
