#!/usr/bin/env bash
# schemathesis, which fuzzes the API from its OpenAPI document, in a venv of its own.
set -euo pipefail
venv="${ORGDESK_VENV:-$HOME/.cache/orgdesk-venv}"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==4.32.5"
fi
