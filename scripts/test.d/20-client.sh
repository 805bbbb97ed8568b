#!/usr/bin/env bash
# Client library: unit tests, then the integration suite against an
# in-process server with the real Secret Service (gnome-keyring on a private
# session bus, its keyring file in a throwaway directory), then the
# no-keychain path with no session bus at all.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo test -p orgdesk-client --lib
echo "── client suite with the Secret Service keychain"
keyrings="$(mktemp -d)"
trap 'rm -rf "$keyrings"' EXIT
# ORGDESK_TEST_KEYCHAIN=required turns a missing keychain into a failure.
XDG_DATA_HOME="$keyrings" ORGDESK_TEST_KEYCHAIN=required dbus-run-session -- bash -c \
  'source scripts/lib-keyring.sh && start_unlocked_keyring pw && exec cargo test -p orgdesk-client --test client'
echo "── client without any keychain (no session bus)"
env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY -u XDG_RUNTIME_DIR cargo test -p orgdesk-client --test client no_keychain
