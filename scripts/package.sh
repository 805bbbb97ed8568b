#!/usr/bin/env bash
# Builds the release packages of the desktop app: a .deb and an .rpm, with
# the web UI embedded, into $CARGO_TARGET_DIR/release/bundle/{deb,rpm}/ (the
# same shared target directory as every other build, so a rebuild is
# incremental). Prints the paths of the two packages.
#
# Signed updates (src-tauri/src/updates.rs) are built in only when the
# operator gives the public key: ORGDESK_UPDATE_PUBKEY (the .pub file that
# `npx tauri signer generate` writes, as one base64 line) and, optionally,
# ORGDESK_UPDATE_URL (the manifest's https:// address; without it the
# installed app looks for updates only where its own ORGDESK_UPDATE_URL
# environment variable points). Both go into the Tauri config of this build
# (plugins.updater); without a key the app never looks for updates.
#
# No AppImage: Tauri's AppImage step downloads its tools (AppRun, linuxdeploy)
# from the internet, which this project's machines and CI cannot reach.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"
export CI="${CI:-true}" # the Tauri CLI asks nothing then

config=()
if [ -n "${ORGDESK_UPDATE_PUBKEY:-}" ] || [ -n "${ORGDESK_UPDATE_URL:-}" ]; then
  [ -n "${ORGDESK_UPDATE_PUBKEY:-}" ] || { echo "ORGDESK_UPDATE_URL needs ORGDESK_UPDATE_PUBKEY (the update key's .pub file): without a key no update can be verified" >&2; exit 1; }
  config=(--config "$(python3 -c 'import json, os, sys
key = os.environ["ORGDESK_UPDATE_PUBKEY"].strip()
url = os.environ.get("ORGDESK_UPDATE_URL", "").strip()
if "untrusted comment" in key:
    sys.exit("ORGDESK_UPDATE_PUBKEY is the decoded key: give the .pub file as tauri signer generate wrote it (one base64 line)")
print(json.dumps({"plugins": {"updater": {"pubkey": key, "endpoints": [url] if url else []}}}))')")
fi

# tauri.conf.json's beforeBuildCommand builds the web UI (npm run build).
npx --no-install tauri build --bundles deb,rpm "${config[@]}" "$@" >&2
ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -1
ls -t "$CARGO_TARGET_DIR"/release/bundle/rpm/*.rpm | head -1
