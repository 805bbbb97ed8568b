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

# Run copies: the target directory is shared, and a build of another work
# tree replacing debug/orgdesk halfway through the run would change the app under test.
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
cp "$CARGO_TARGET_DIR/debug/orgdesk" "$CARGO_TARGET_DIR/debug/orgdesk-server" "$bin/"
source scripts/lib-headless.sh
export ORGDESK_APP_BIN="$bin/orgdesk"
export ORGDESK_SERVER_BIN="$bin/orgdesk-server"
run_headless tests/e2e.mjs
# The same app at scale: a fresh profile on a server seeded with 100,000 members.
run_headless tests/e2e-scale.mjs
# Partners: the demo's reseller, a customer workspace's hand-off, a customer ending partner access.
run_headless tests/e2e-partners.mjs
