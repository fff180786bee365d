#!/bin/sh
# Prints the PWA figures (bytes on the wire, time to valid, decode time, Lighthouse scores).
# Same prerequisites as run.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export STATUSPASS_BIN="${STATUSPASS_BIN:-$repo/target/release/statuspass}"
export STATUSPASS_E2E_WEB_DIR="${STATUSPASS_E2E_WEB_DIR:-$repo/dist}"
for f in "$STATUSPASS_BIN" "$STATUSPASS_E2E_WEB_DIR/index.html"; do
  [ -e "$f" ] || { echo "figures: missing $f (see tests/e2e/run.sh)" >&2; exit 2; }
done
cd "$here"
# `npm ci` in DIR only when its node_modules was not installed from its lock (STAMP).
npm_ci_once() {
  if ! cmp -s "$1/package-lock.json" "$1/node_modules/$2" 2>/dev/null; then
    (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$1/package-lock.json" "$1/node_modules/$2"
  fi
}
npm_ci_once . .statuspass-e2e-lock
node figures.mjs
# Lighthouse has its own packages (not needed by the browser tests).
npm_ci_once lighthouse .statuspass-lock
exec node lighthouse/run.mjs
