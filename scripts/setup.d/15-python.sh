#!/usr/bin/env bash
# Python tools in a venv of their own: schemathesis, which fuzzes the API from
# its OpenAPI document, and python-xlib, with which the end-to-end run asks the
# window to close the way a window manager does (WM_DELETE_WINDOW).
set -euo pipefail
venv="${ORGDESK_VENV:-$HOME/.cache/orgdesk-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c 'import schemathesis, Xlib' 2>/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==4.32.5" "python-xlib==0.33"
fi
