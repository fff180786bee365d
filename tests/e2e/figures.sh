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
stamp=node_modules/.statuspass-e2e-lock
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
node figures.mjs
# Lighthouse has its own packages (not needed by the browser tests).
lh=lighthouse/node_modules/.statuspass-lock
if ! cmp -s lighthouse/package-lock.json "$lh" 2>/dev/null; then
  (cd lighthouse && npm ci --no-audit --no-fund --loglevel=error)
  cp lighthouse/package-lock.json "$lh"
fi
exec node lighthouse/run.mjs
