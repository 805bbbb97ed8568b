# Sourced by test scripts: when ORGDESK_TEST_POSTGRES_URL is not set, starts a
# throwaway PostgreSQL cluster in a temp dir on a free port and exports it.
# The cluster stops when the sourcing shell exits.
start_throwaway_postgres() {
  if [ -n "${ORGDESK_TEST_POSTGRES_URL:-}" ]; then return 0; fi
  local bin port dir
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed: run scripts/setup.sh" >&2; return 1; }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  dir=$(mktemp -d /tmp/orgdesk-pg.XXXXXX)
  local as=()
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; as=(runuser -u postgres --); fi
  "${as[@]}" "$bin/initdb" -D "$dir/data" -U orgdesk --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; return 1; }
  export ORGDESK_TEST_POSTGRES_URL="postgres://orgdesk@127.0.0.1:$port/postgres"
  export ORGDESK_THROWAWAY_PG_DIR="$dir"
  trap 'stop_throwaway_postgres' EXIT
  echo "Started a throwaway PostgreSQL on port $port"
}

stop_throwaway_postgres() {
  [ -n "${ORGDESK_THROWAWAY_PG_DIR:-}" ] || return 0
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  local as=(); [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$bin/pg_ctl" -D "$ORGDESK_THROWAWAY_PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$ORGDESK_THROWAWAY_PG_DIR"
}
