#!/usr/bin/env bash
# tauri-driver: the WebDriver proxy the desktop end-to-end test talks to. It
# drives WebKitWebDriver (Debian package webkit2gtk-driver).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "Installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi
