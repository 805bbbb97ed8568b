#!/usr/bin/env bash
# Where the desktop app's time goes (tests/profile-app.mjs): the WebView's
# own timeline of a cold start and of an org switch, on the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"
export PATH="$HOME/.cargo/bin:$PATH"
npm run --silent build
cargo build --quiet --release --features tauri/custom-protocol --bin orgdesk
cargo build --quiet -p orgdesk-server
source scripts/lib-headless.sh
export ORGDESK_APP_BIN="$CARGO_TARGET_DIR/release/orgdesk"
export ORGDESK_SERVER_BIN="$CARGO_TARGET_DIR/debug/orgdesk-server"
run_headless tests/profile-app.mjs
