#!/usr/bin/env bash
# Runs every test of Orgdesk: installs what is missing, then each part in
# scripts/test.d/ in order (server on SQLite and PostgreSQL, client, UI, e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"
scripts/setup.sh
for part in scripts/test.d/*.sh; do
  echo "━━ ${part#scripts/test.d/}"
  bash "$part"
done
echo "━━ all tests passed"
