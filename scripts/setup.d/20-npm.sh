#!/usr/bin/env bash
# npm packages of the web UI (ui/) and the end-to-end test (tests/), as package-lock.json
# pins them. Install scripts stay off: nothing here needs
# one, and some (webdriverio's optional browser drivers) would download binaries.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages"
  # Not `npm ci`: this registry mirror has no packuments for the tauri CLI's
  # other-platform optional packages, which `npm ci` insists on finding in
  # the lock. `npm install` takes the locked versions and skips those.
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error
fi
