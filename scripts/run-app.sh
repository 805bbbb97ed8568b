#!/usr/bin/env bash
# Runs the desktop app against a local server with demo data: starts
# orgdesk-server --demo on a free loopback port (its own SQLite file under
# $ORGDESK_RUN_DIR, default ~/.cache/orgdesk-run), prints the demo sign-ins,
# and opens the app with the web UI embedded. Quitting the app stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"
run_dir="${ORGDESK_RUN_DIR:-$HOME/.cache/orgdesk-run}"
mkdir -p "$run_dir"

scripts/setup.sh
npm run --silent build
cargo build --quiet -p orgdesk-server
cargo build --quiet --features tauri/custom-protocol --bin orgdesk

port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
server_url="http://127.0.0.1:$port"
"$CARGO_TARGET_DIR/debug/orgdesk-server" --demo --database-url "sqlite://$run_dir/demo.db?mode=rwc" \
  --listen "127.0.0.1:$port" >"$run_dir/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -fsS "$server_url/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$run_dir/server.log" >&2; exit 1; }
  sleep 0.2
done

cat <<INFO
Orgdesk demo server: $server_url  (log: $run_dir/server.log)
Sign in with the server URL above and:
  agency@orgdesk.test / orgdesk-demo-2026   owner/admin of 41 orgs, incl. "northwind" (10,000 members)
  member@orgdesk.test / orgdesk-demo-2026   plain member in northwind and 5 client orgs
INFO
ORGDESK_SERVER_URL="$server_url" "$CARGO_TARGET_DIR/debug/orgdesk" "$@"
