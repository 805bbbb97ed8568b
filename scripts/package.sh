#!/usr/bin/env bash
# Builds the release packages of the desktop app: a .deb and an .rpm, with
# the web UI embedded, into $CARGO_TARGET_DIR/release/bundle/{deb,rpm}/ (the
# same shared target directory as every other build, so a rebuild is
# incremental). Prints the paths of the two packages.
#
# No AppImage: Tauri's AppImage step downloads its tools (AppRun, linuxdeploy)
# from the internet, which this project's machines and CI cannot reach.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"
export CI="${CI:-true}" # the Tauri CLI asks nothing then

# tauri.conf.json's beforeBuildCommand builds the web UI (npm run build).
npx --no-install tauri build --bundles deb,rpm "$@" >&2
ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -1
ls -t "$CARGO_TARGET_DIR"/release/bundle/rpm/*.rpm | head -1
