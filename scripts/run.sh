#!/usr/bin/env bash
# Sets up (see setup.sh) and starts Callout Lab. Without a display (a server,
# a CI box) it starts inside a private Xvfb desktop session instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build -p callout-lab --locked
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display found: starting Callout Lab inside a private Xvfb session" >&2
  exec scripts/desktop-session.sh target/debug/callout-lab
fi
exec target/debug/callout-lab
