#!/usr/bin/env bash
# Desktop app, UI side: the TypeScript bindings generated from the Rust types
# must match what is committed, then the Svelte/TypeScript type check and the
# view-logic unit tests (Vitest). Also the shell's own Rust unit tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"

echo "── vite build"
npm run --silent build >/dev/null

echo "── TypeScript bindings (ts-rs) up to date"
cargo test --quiet --features ts --lib -p orgdesk
if ! git diff --exit-code -- ui/src/lib/bindings || [ -n "$(git status --porcelain -- ui/src/lib/bindings)" ]; then
  echo "ui/src/lib/bindings is stale: run 'cargo test --features ts --lib -p orgdesk' and commit the result." >&2
  exit 1
fi

echo "── svelte-check"
npx svelte-check --workspace ui --fail-on-warnings --output human
echo "── vitest"
npx vitest run --config ui/vite.config.ts
