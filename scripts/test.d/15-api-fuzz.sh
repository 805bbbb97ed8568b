#!/usr/bin/env bash
# Fuzzes every operation of /openapi.json (schemathesis, every check, all
# phases including the stateful one) against the demo server, signed in as
# the agency user: any 5xx, undocumented status or content type, response
# that breaks its schema, accepted invalid input or ignored auth fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"
venv="${ORGDESK_VENV:-$HOME/.cache/orgdesk-venv}"
cargo build -q -p orgdesk-server
work=$(mktemp -d /tmp/orgdesk-fuzz.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$CARGO_TARGET_DIR/debug/orgdesk-server" --database-url "sqlite://$work/fuzz.db?mode=rwc" --listen "127.0.0.1:$port" --demo \
  --metrics-token "fuzz-$RANDOM$RANDOM" --webhook-secret-key "fuzz-webhook-key-$RANDOM$RANDOM-0123456789abcdef" \
  >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
token=$(curl -sf "http://127.0.0.1:$port/v1/auth/signin" -H 'content-type: application/json' \
  -d '{"email":"agency@orgdesk.test","password":"orgdesk-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# Org-scoped operations run on the demo's 10,000-member org. Sign-out and
# session revocation would end the fuzzer's own session; transfer, leave and
# org deletion would take the org away from it. The event stream never ends
# (tests/api/stream.rs covers it).
# Schema-valid values can still be refused with 422 where validity depends on
# data no schema holds: a time zone name, a role key that exists, a cursor
# this server gave out, removing or disabling yourself, a built-in role.
cat >"$work/schemathesis.toml" <<'TOML'
[parameters]
"path.org" = "northwind"

[checks.positive_data_acceptance]
expected-statuses = ["2XX", "3XX", "401", "403", "404", "409", "422", "429"]

# A logo is any bytes to a schema; only decoding tells an image (415 if not).
[[operations]]
include-name = "PUT /v1/orgs/{org}/logo"
checks.positive_data_acceptance.expected-statuses = ["2XX", "401", "403", "404", "413", "415"]

# The stateful phase follows "create an org" to "its logo", but path.org is
# pinned to northwind above, whose logo the fuzzing itself adds and removes:
# a 404 there says nothing about the org just created.
[[operations]]
include-name = "GET /v1/orgs/{org}/logo"
checks.ensure_resource_availability.enabled = false

# A sign-in code or a flow's state is any string to a schema; only the server
# knows the few it gave out (400 invalid_grant, or the callback's 400 page).
[[operations]]
include-name = "POST /v1/auth/oidc/token"
checks.positive_data_acceptance.expected-statuses = ["2XX", "400", "422", "429"]

[[operations]]
include-name = "GET /v1/auth/oidc/callback"
checks.positive_data_acceptance.expected-statuses = ["2XX", "3XX", "400"]
TOML
"$venv/bin/st" --config-file "$work/schemathesis.toml" run "http://127.0.0.1:$port/openapi.json" -H "Authorization: Bearer $token" \
  --checks all --max-examples 30 --seed 20261123 --exclude-path-regex 'signout|sessions|transfer|leave|^/v1/orgs/\{org\}$|^/v1/events$' --workers 2 --no-color \
  | tail -n 120
# (pipefail: a failure schemathesis reports fails this script.)
if grep -q "panicked" "$work/server.log"; then
  echo "The server panicked under fuzzing:" >&2
  grep -A5 panicked "$work/server.log" >&2
  exit 1
fi
