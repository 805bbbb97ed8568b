#!/usr/bin/env bash
# Starts the Orgdesk API on the embedded SQLite database with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"
scripts/setup.sh
exec cargo run -q -p orgdesk-server -- --demo "$@"
