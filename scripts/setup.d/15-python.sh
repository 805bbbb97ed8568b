#!/usr/bin/env bash
# Python tools in a venv of their own: schemathesis, which fuzzes the API from
# its OpenAPI document; python-xlib, with which the end-to-end run asks the
# window to close the way a window manager does (WM_DELETE_WINDOW); and
# standardwebhooks, the Standard Webhooks reference library with which the
# API suite's webhook receiver verifies every delivery.
set -euo pipefail
venv="${ORGDESK_VENV:-$HOME/.cache/orgdesk-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c 'import schemathesis, Xlib, standardwebhooks' 2>/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==4.32.5" "python-xlib==0.33" "standardwebhooks==1.1.0"
fi
