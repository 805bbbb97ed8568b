#!/usr/bin/env bash
# Core and server: unit tests, then the API suite on a real SQLite file and on
# a real PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"
source scripts/lib-postgres.sh
cargo test -p orgdesk-core -p orgdesk-server --lib --bins
echo "── API suite on SQLite"
cargo test -p orgdesk-server --test api
start_throwaway_postgres
echo "── API suite on PostgreSQL"
ORGDESK_TEST_DATABASE=postgres cargo test -p orgdesk-server --test api
