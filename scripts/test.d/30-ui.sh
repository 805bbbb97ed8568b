#!/usr/bin/env bash
# Desktop app, UI side: the TypeScript bindings, command wrappers and the
# capability generated from the Rust side must match what is committed, then the Svelte/TypeScript type check and the
# view-logic unit tests (Vitest). Also the shell's own Rust unit tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"

echo "── vite build"
npm run --silent build >/dev/null

echo "── generated contract up to date: TypeScript types (ts-rs), command wrappers, capability"
cargo test --quiet --features ts --lib -p orgdesk
generated="ui/src/lib/bindings src-tauri/capabilities"
# shellcheck disable=SC2086
if ! git diff --exit-code -- $generated || [ -n "$(git status --porcelain -- $generated)" ]; then
  echo "$generated is stale: run 'cargo test --features ts --lib -p orgdesk' and commit the result." >&2
  exit 1
fi

echo "── svelte-check"
npx svelte-check --workspace ui --fail-on-warnings --output human
echo "── vitest"
npx vitest run --config ui/vite.config.ts
