#!/usr/bin/env bash
# Runs a command inside a private desktop session, as a user's machine has one:
# an X display (Xvfb, unless one is already there), a D-Bus session bus and an
# unlocked GNOME Keyring serving the Secret Service. Keyring and app data go to
# a throw-away directory, never to the user's real keychain or config.
set -euo pipefail

SESSION_DIR="$(mktemp -d -t callout-session.XXXXXX)"
# GTK may start the document portal on the session bus, which mounts a FUSE
# file system at $XDG_RUNTIME_DIR/doc and can outlive the bus by a moment:
# unmount it so the directory can go. Cleaning up never changes the exit
# status of the command run.
cleanup() {
  local portal="$SESSION_DIR/runtime/doc"
  if mountpoint -q "$portal" 2>/dev/null; then
    fusermount3 -u -z "$portal" 2>/dev/null || fusermount -u -z "$portal" 2>/dev/null ||
      umount -l "$portal" 2>/dev/null || true
  fi
  rm -rf "$SESSION_DIR" 2>/dev/null || echo "note: could not remove $SESSION_DIR" >&2
}
trap cleanup EXIT
export XDG_DATA_HOME="$SESSION_DIR/data"
export XDG_CONFIG_HOME="$SESSION_DIR/config"
export XDG_CACHE_HOME="$SESSION_DIR/cache"
export XDG_RUNTIME_DIR="$SESSION_DIR/runtime"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export NO_AT_BRIDGE=1

# A thousand concurrent calls to a sandbox (the storm benchmark, the
# sandbox's concurrency test) hold ~2000 sockets in one process.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 8192 ]; then
  ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi

# The session bus starts the keyring on demand, unlocked: should the daemon
# die (gnome-keyring-daemon has been seen to abort under load), the next
# client's call starts it again from its keyring file, secrets intact,
# instead of a locked one whose unlock prompt nobody answers.
export KEYRING_PASSWORD=callout-session
mkdir -p "$SESSION_DIR/dbus-services"
cat >"$SESSION_DIR/keyring.sh" <<EOF
#!/bin/sh
printf %s '$KEYRING_PASSWORD' | exec gnome-keyring-daemon --foreground --unlock --components=secrets
EOF
chmod +x "$SESSION_DIR/keyring.sh"
cat >"$SESSION_DIR/dbus-services/org.freedesktop.secrets.service" <<EOF
[D-BUS Service]
Name=org.freedesktop.secrets
Exec=$SESSION_DIR/keyring.sh
EOF
# The distribution's session bus set-up, with our service directory first.
cat >"$SESSION_DIR/session.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$SESSION_DIR/dbus-services</servicedir>
  <standard_session_servicedirs/>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

inner='eval "$(printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
exec "$@"'
BUS=(dbus-run-session "--config-file=$SESSION_DIR/session.conf" --)

# Not exec: the EXIT trap must still remove the session directory.
status=0
if [ -n "${CALLOUT_USE_CURRENT_DISPLAY:-}" ] && [ -n "${DISPLAY:-}" ]; then
  "${BUS[@]}" bash -c "$inner" _ "$@" || status=$?
else
  xvfb-run -a -s "-screen 0 1280x800x24" "${BUS[@]}" bash -c "$inner" _ "$@" || status=$?
fi
exit "$status"
