#!/bin/sh
# Runs the browser tests of the PWA against the real server in headless Chromium.
# Expects the builds to exist (scripts/test.sh makes them):
#   dist/                       trunk build --release          (STATUSPASS_E2E_WEB_DIR overrides)
#   target/release/statuspass   cargo build --release --bin statuspass   (STATUSPASS_BIN overrides)
# Chromium: /usr/lib/chromium/chromium or /usr/bin/chromium (CHROMIUM overrides).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin="${STATUSPASS_BIN:-$repo/target/release/statuspass}"
web="${STATUSPASS_E2E_WEB_DIR:-$repo/dist}"

missing=0
if [ ! -x "$bin" ]; then
  echo "e2e: server binary not found: $bin" >&2
  echo "     build it: cargo build --release --bin statuspass" >&2
  missing=1
fi
if [ ! -f "$web/index.html" ]; then
  echo "e2e: PWA build not found: $web/index.html" >&2
  echo "     build it: trunk build --release   (from the repository root)" >&2
  missing=1
fi
[ "$missing" -eq 0 ] || exit 2

cd "$here"
# Idempotent: `npm ci` only when node_modules was not installed from this package-lock.json.
stamp=node_modules/.statuspass-e2e-lock
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

export STATUSPASS_BIN="$bin" STATUSPASS_E2E_WEB_DIR="$web"
exec node --test --test-concurrency=1 --test-reporter=spec tests/
