#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, run and test Orgdesk.
# Idempotent and quick when everything is present. Each scripts/setup.d/*.sh
# adds one part (Debian packages, npm packages, tools).
set -euo pipefail
cd "$(dirname "$0")/.."
for part in scripts/setup.d/*.sh; do
  bash "$part"
done
