#!/usr/bin/env bash
# Runs a command inside a private desktop session, as a user's machine has one:
# an X display (Xvfb, unless one is already there), a D-Bus session bus and an
# unlocked GNOME Keyring serving the Secret Service. Keyring and app data go to
# a throw-away directory, never to the user's real keychain or config.
set -euo pipefail

SESSION_DIR="$(mktemp -d -t callout-session.XXXXXX)"
trap 'rm -rf "$SESSION_DIR"' EXIT
export XDG_DATA_HOME="$SESSION_DIR/data"
export XDG_CONFIG_HOME="$SESSION_DIR/config"
export XDG_CACHE_HOME="$SESSION_DIR/cache"
export XDG_RUNTIME_DIR="$SESSION_DIR/runtime"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export NO_AT_BRIDGE=1

inner='eval "$(printf %s callout-session | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
exec "$@"'

if [ -n "${CALLOUT_USE_CURRENT_DISPLAY:-}" ] && [ -n "${DISPLAY:-}" ]; then
  exec dbus-run-session -- bash -c "$inner" _ "$@"
fi
exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c "$inner" _ "$@"
