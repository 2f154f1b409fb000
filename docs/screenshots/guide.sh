#!/usr/bin/env sh
# Re-make docs/guide.png: the guided scan in a terminal, against the built-in emulator.
# Run from the repository: scripts/in-netns docs/screenshots/guide.sh
# It must run inside the private network namespace (the guided scan searches the default
# interfaces; there, only loopback exists, so the search finds nothing, as on a network that
# blocks multicast, and the player's address is typed). Needs tmux and Pillow (pip install pillow).
set -eu
[ "${SONOS_INVENTORY_IN_NETNS:-}" = 1 ] || { echo "run me with scripts/in-netns" >&2; exit 1; }
# The Documents folder as a person has it, on a tmpfs in a private mount namespace (nothing is
# written to the real /home); elsewhere a temporary folder.
if [ -z "${GUIDE_SHOT_MOUNTED:-}" ] && unshare --mount true 2>/dev/null; then
  exec unshare --mount sh -c 'mount -t tmpfs tmpfs /home && GUIDE_SHOT_MOUNTED=1 exec "$0"' "$0"
fi
here=$(mktemp -d)
trap 'tmux -L guide-shot kill-server 2>/dev/null || true; kill "$emulator" 2>/dev/null || true; rm -rf "$here"' EXIT
bin=.venv/bin/sonos-inventory
documents=$here/Documents
if [ -n "${GUIDE_SHOT_MOUNTED:-}" ] && mountpoint -q /home; then documents=/home/you/Documents; fi
: > "$here/players"
$bin emulate error-803 --no-ssdp --no-mdns > "$here/players" 2>/dev/null &
emulator=$!
while [ "$(wc -l < "$here/players")" -lt 4 ]; do sleep 0.1; done
kitchen=$(grep Kitchen "$here/players" | cut -d' ' -f2)
printf '#!/bin/sh\nexit 0\n' > "$here/browser"; chmod +x "$here/browser"
tmux -L guide-shot new-session -d -x 96 -y 200 -s g \
  "env SONOS_INVENTORY_DOCUMENTS=$documents SONOS_INVENTORY_HOME=$here/home \
   BROWSER=$here/browser TERM=xterm-256color $bin; sleep 60"
wait_for() {
  for _ in $(seq 300); do
    tmux -L guide-shot capture-pane -p -t g | grep -qF "$1" && return 0; sleep 0.1
  done
  echo "never saw: $1" >&2; tmux -L guide-shot capture-pane -p -t g >&2; exit 1
}
mkdir -p "$documents"
wait_for "Press Enter to start"; tmux -L guide-shot send-keys -t g Enter
wait_for "IP address:";          tmux -L guide-shot send-keys -t g "$kitchen" Enter
wait_for "Diagnostic number";    tmux -L guide-shot send-keys -t g 1234567 Enter
wait_for "Press Enter to close"
tmux -L guide-shot capture-pane -p -e -t g -S 0 -E - > "$here/screen.ans"
.venv/bin/python docs/screenshots/render_terminal.py "$here/screen.ans" docs/guide.png
