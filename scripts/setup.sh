#!/usr/bin/env bash
# Installs what building and testing statuspass needs, idempotently, at pinned versions.
#   scripts/setup.sh run    # toolchain for building the PWA: wasm32 target, trunk, wasm-bindgen-cli,
#                           # binaryen (npm ci in frontend/build)
#   scripts/setup.sh test   # the above + Chromium, openssl, SMTP test server, the test OpenID
#                           # provider (npm ci in tests/oidc; tests/e2e/run.sh runs its own
#                           # `npm ci` when its lock changed),
#                           # and starts PostgreSQL and Redis if they are down
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
mode=${1:-run}

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
    log "installing trunk $TRUNK_VERSION (compiles from source, ~10 minutes once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked --no-default-features --features rustls
  fi
  # wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
  local wb
  wb=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock 2>/dev/null || true)
  if [ -n "$wb" ] && [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb" ]; then
    log "installing wasm-bindgen-cli $wb (the version in Cargo.lock)"
    # --locked first; its lock pins a webpki-roots release that is not always in the registry
    # mirror, so fall back to resolving within the same semver ranges.
    cargo install wasm-bindgen-cli --version "$wb" --locked || cargo install wasm-bindgen-cli --version "$wb"
  fi
}

# `npm ci` in DIR only when its node_modules was not installed from its package-lock.json.
npm_ci_once() {
  local dir=$1 what=$2 stamp=$1/node_modules/.statuspass-lock
  command -v npm >/dev/null || { log "Node.js and npm are required for $what"; return 1; }
  if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
    log "installing $what (npm ci in $dir)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
}

# wasm-opt for release builds of the PWA: npm binaryen pinned by frontend/build's lock.
ensure_build_packages() { npm_ci_once frontend/build "the PWA build tools (binaryen)"; }

ensure_debian_packages() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v openssl >/dev/null || missing+=(openssl)
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
  fi
}

ensure_services() {
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    log "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    log "starting Redis"
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  fi
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
    sleep 1
  done
  log "PostgreSQL or Redis did not come up"; return 1
}

# The OpenID provider of the sign-in tests (npm oidc-provider, pinned by tests/oidc's lock):
# `npm ci` only when node_modules was not installed from this package-lock.json.
ensure_test_provider() { npm_ci_once tests/oidc "the test OpenID provider"; }

# schemathesis (pinned in tests/schemathesis/requirements.txt) in its own virtualenv under
# target/tools: installed again only when the requirements change.
ensure_schemathesis() {
  local venv=target/tools/schemathesis req=tests/schemathesis/requirements.txt
  local stamp=target/tools/schemathesis/.statuspass-requirements
  if ! cmp -s "$req" "$stamp" 2>/dev/null; then
    log "installing schemathesis ($(grep -v '^#' "$req" | tr -d '\n'))"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
  fi
}

ensure_rust_tools
ensure_build_packages
if [ "$mode" = test ]; then
  ensure_debian_packages
  ensure_services
  ensure_test_provider
  ensure_schemathesis
fi
