#!/usr/bin/env bash
# Desktop app benchmark (numbers for docs/benchmarks.md, "Desktop app"):
# cold start to the cached 10,000-member list vs an empty Tauri window, org
# switch, and the process tree's RSS. Same headless setup as the e2e test.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"
export PATH="$HOME/.cargo/bin:$PATH"

# The app in release (as shipped) unless BENCH_PROFILE=debug; the server in
# release too (as deployed: a debug server made the bulk change's own time
# most of what the app's bulk change measured).
profile="${BENCH_PROFILE:-release}"
npm run --silent build
if [ "$profile" = release ]; then
  cargo build --quiet --release --features tauri/custom-protocol --bin orgdesk
else
  cargo build --quiet --features tauri/custom-protocol --bin orgdesk
fi
cargo build --quiet --release -p orgdesk-server --bin orgdesk-server

source scripts/lib-headless.sh
export ORGDESK_APP_BIN="$CARGO_TARGET_DIR/$profile/orgdesk"
export ORGDESK_SERVER_BIN="$CARGO_TARGET_DIR/release/orgdesk-server"
# The 100,000-member org of the scale seed (BENCH_SCALE=0 skips it).
export BENCH_SCALE="${BENCH_SCALE:-1}"
run_headless tests/bench.mjs
