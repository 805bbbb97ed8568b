#!/usr/bin/env bash
# cargo-machete: CI fails on a dependency no crate uses.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo-machete >/dev/null 2>&1; then
  echo "Installing cargo-machete"
  cargo install cargo-machete --locked --quiet
fi
