#!/usr/bin/env bash
# npm packages of the web UI (ui/) and the end-to-end test (tests/), exactly as
# package-lock.json pins them. Install scripts stay off: nothing here needs
# one, and some (webdriverio's optional browser drivers) would download binaries.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
