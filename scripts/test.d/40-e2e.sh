#!/usr/bin/env bash
# Desktop app end to end: builds the app with the web UI embedded and the
# server, then drives the real app (WebKitWebDriver via tauri-driver) under
# Xvfb, inside a private D-Bus session with an unlocked gnome-keyring so the
# token vault uses the real Secret Service. Screenshots go to docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"
export PATH="$HOME/.cargo/bin:$PATH"

npm run --silent build
cargo build --quiet --features tauri/custom-protocol --bin orgdesk
cargo build --quiet -p orgdesk-server

export ORGDESK_APP_BIN="$CARGO_TARGET_DIR/debug/orgdesk"
export ORGDESK_SERVER_BIN="$CARGO_TARGET_DIR/debug/orgdesk-server"
xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
  dbus-run-session -- bash -c '
    set -euo pipefail
    # A keyring of its own, so a login keyring left by other runs (with
    # another password) cannot block the test on an unlock prompt.
    export XDG_DATA_HOME="$(mktemp -d)"
    trap '"'"'rm -rf "$XDG_DATA_HOME"'"'"' EXIT
    echo -n e2e-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    node tests/e2e.mjs
  '
