#!/usr/bin/env bash
# Load figures (not a test): throughput and p50/p99 latency of
#   - GET /api/config   (no storage: the no-op baseline of the same run),
#   - POST /api/pass    (a participant pressing «Получить» again: the live pass is reused),
#   - POST /api/scan    private scan,
#   - POST /api/scan    organization scan (a fresh event id per request: one ledger row each),
# on SQLite, on PostgreSQL + Redis, and on two instances behind nginx sharing PostgreSQL and
# Redis. Everything on 127.0.0.1, bounded: DURATION seconds per figure (default 10) at
# CONNECTIONS connections (default 32) from wrk with 2 threads.
#
#   scripts/bench-load.sh            # needs target/release/statuspass (cargo build --release)
#   SETUPS="sqlite pg" scripts/bench-load.sh   # only some setups (sqlite, pg, two)
#
# Installs Debian's wrk and nginx when missing. PostgreSQL and Redis on 127.0.0.1 as for the
# tests (scripts/setup.sh test starts them).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
bin="${STATUSPASS_BIN:-$repo/target/release/statuspass}"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-32}"
setups=" ${SETUPS:-sqlite pg two} "
[ -x "$bin" ] || { echo "bench-load: build the server first: cargo build --release --bin statuspass" >&2; exit 2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench-load: installing ${missing[*]} (Debian)" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_instance NAME PORT [ENV...]: the server on 127.0.0.1:PORT.
start_instance() {
  local name=$1 port=$2; shift 2
  env STATUSPASS_BIND="127.0.0.1:$port" STATUSPASS_DATA_DIR="$work/data-$name" \
    STATUSPASS_WEB_DIR="$work/no-web" STATUSPASS_LOG_FORMAT=json STATUSPASS_LOOKUPS_PER_HOUR=0 \
    RUST_LOG=warn "$@" "$bin" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench-load: $name did not start" >&2; cat "$work/$name.log" >&2; return 1
}

session_of() { # BASE KEY → the session cookie's value
  curl -fsS -c "$work/jar" -H 'content-type: application/json' -d "{\"key\":\"$2\"}" \
    "$1/api/auth/demo" >/dev/null
  awk '$6 == "statuspass_session" { print $7 }' "$work/jar"
}

# The wrk script: METHOD, BODY (with {uuid} replaced by a fresh UUID v4 per request), COOKIE.
cat >"$work/request.lua" <<'LUA'
local method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY") or ""
local cookie = os.getenv("BENCH_COOKIE") or ""
math.randomseed(os.time() + math.floor(os.clock() * 1e6))
local function uuid4()
  local t = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (t:gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end
request = function()
  local headers = { ["Cookie"] = cookie }
  local b = nil
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    b = body:gsub("{uuid}", uuid4)
  end
  return wrk.format(method, nil, headers, b)
end
local non2xx = 0
response = function(status)
  if status >= 300 then non2xx = non2xx + 1 end
end
done = function(summary, latency)
  io.write(string.format("FIGURE %.0f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout, summary.requests))
end
LUA

# figure LABEL URL METHOD BODY COOKIE
figure() {
  local out
  out=$(BENCH_METHOD=$3 BENCH_BODY=$4 BENCH_COOKIE="statuspass_session=$5" \
    wrk -t2 -c"$connections" -d"${duration}s" -s "$work/request.lua" "$2" 2>&1 | grep '^FIGURE' || true)
  read -r _ rps p50 p99 errors total <<<"$out"
  printf '  %-34s %9s req/s   p50 %7s ms   p99 %7s ms   errors %s of %s\n' "$1" "${rps:-?}" "${p50:-?}" "${p99:-?}" "${errors:-?}" "${total:-?}"
}

# measure SETUP BASE: the four figures against BASE.
measure() {
  local base=$2 participant staff link
  participant=$(session_of "$base" ivanov)
  staff=$(session_of "$base" staff-active)
  link=$(curl -fsS -X POST -H "Cookie: statuspass_session=$participant" "$base/api/pass" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["link"])')
  echo "$1 ($connections connections, ${duration} s each):"
  figure "GET /api/config (no-op)" "$base/api/config" GET "" "$staff"
  figure "POST /api/pass (live pass reused)" "$base/api/pass" POST "" "$participant"
  figure "POST /api/scan (private)" "$base/api/scan" POST "{\"code\":\"$link\"}" "$staff"
  figure "POST /api/scan (organization)" "$base/api/scan" POST \
    "{\"code\":\"$link\",\"on_behalf_of\":\"1027700012340\",\"event_id\":\"{uuid}\"}" "$staff"
}

fresh_pg() {
  local db="sp_bench_$1_$$"
  PGOPTIONS=--client-min-messages=warning psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  echo "postgres://postgres@127.0.0.1:5432/$db"
}

echo "statuspass load figures, $(nproc) cores, $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"

if [[ $setups == *" sqlite "* ]]; then
  port=$(free_port)
  start_instance sqlite "$port"
  measure "SQLite, one instance" "http://127.0.0.1:$port"
fi

if [[ $setups == *" pg "* ]]; then
  pg=$(fresh_pg one)
  port=$(free_port)
  start_instance pg "$port" DATABASE_URL="$pg" REDIS_URL=redis://127.0.0.1:6379 STATUSPASS_REDIS_PREFIX="spbench:$$:one:"
  measure "PostgreSQL + Redis, one instance" "http://127.0.0.1:$port"
fi

[[ $setups == *" two "* ]] || exit 0
pg=$(fresh_pg two)
a=$(free_port); b=$(free_port); front=$(free_port)
# Both instances share the session key, as instances behind one balancer must.
key=$(openssl rand -hex 64)
shared=(DATABASE_URL="$pg" REDIS_URL=redis://127.0.0.1:6379 STATUSPASS_REDIS_PREFIX="spbench:$$:two:"
  STATUSPASS_SESSION_KEY="$key" STATUSPASS_PUBLIC_URL="http://127.0.0.1:$front")
start_instance a "$a" "${shared[@]}"
start_instance b "$b" "${shared[@]}"
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream statuspass { least_conn; server 127.0.0.1:$a; server 127.0.0.1:$b; keepalive 64; }
  server {
    listen 127.0.0.1:$front;
    location / {
      proxy_pass http://statuspass;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
    }
  }
}
NGINX
/usr/sbin/nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$front/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
measure "PostgreSQL + Redis, two instances behind nginx" "http://127.0.0.1:$front"
