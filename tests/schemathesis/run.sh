#!/usr/bin/env bash
# schemathesis (pinned in requirements.txt, every check) against the real server
# (target/release/statuspass): signed out, as a staff member and as an organization admin, on
# SQLite and on PostgreSQL + Redis. Fails on any finding. Bounded: SCHEMATHESIS_MAX_TIME
# seconds per run (default 30), six runs.
# Needs: the release binary, the virtualenv of scripts/setup.sh test, PostgreSQL and Redis on
# 127.0.0.1 (the PostgreSQL + Redis runs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin="${STATUSPASS_BIN:-$repo/target/release/statuspass}"
st="$repo/target/tools/schemathesis/bin/schemathesis"
max_time="${SCHEMATHESIS_MAX_TIME:-30}"
[ -x "$bin" ] || { echo "schemathesis: server binary not found: $bin" >&2; exit 2; }
[ -x "$st" ] || { echo "schemathesis: not installed ($st): run scripts/setup.sh test" >&2; exit 2; }

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_server() { # $1: sqlite | postgres
  local port; port=$(free_port)
  base="http://127.0.0.1:$port"
  local env=(STATUSPASS_BIND="127.0.0.1:$port" STATUSPASS_PUBLIC_URL="$base"
    STATUSPASS_DATA_DIR="$work/data-$1" STATUSPASS_WEB_DIR="$work/no-web" STATUSPASS_LOG_FORMAT=json)
  if [ "$1" = postgres ]; then
    local db="sp_test_st_$$"
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    env+=(DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" REDIS_URL="redis://127.0.0.1:6379"
      STATUSPASS_REDIS_PREFIX="sptest:st$$:")
  fi
  env "${env[@]}" "$bin" >"$work/server-$1.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "schemathesis: the server did not start" >&2; cat "$work/server-$1.log" >&2; return 1
}

stop_server() {
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

session_of() { # demo person → the session cookie's value
  curl -fsS -c "$work/jar" -H 'content-type: application/json' -d "{\"key\":\"$1\"}" \
    "$base/api/auth/demo" >/dev/null
  awk '$6 == "statuspass_session" { print $7 }' "$work/jar"
}

status=0
for backend in sqlite postgres; do
  start_server "$backend"
  for who in signed-out staff-active admin-a; do
    args=(run "$base/api/openapi.json" --url "$base" --checks all --max-time "$max_time"
      --phases examples,coverage,fuzzing --seed 1 --workers 1
      --exclude-path-regex '^/api/auth/oidc/')
    if [ "$who" != signed-out ]; then
      # Signing in or out again would end the session under test.
      args+=(-H "Cookie: statuspass_session=$(session_of "$who")"
        --exclude-path /api/auth/logout --exclude-path /api/auth/demo)
    fi
    printf '\n\033[1m-- schemathesis: %s, %s\033[0m\n' "$backend" "$who"
    if ! (cd "$here" && "$st" --no-color "${args[@]}"); then
      status=1
    fi
  done
  stop_server
done
exit "$status"
