#!/bin/sh
# Prints the PWA figures (bytes on the wire, time to valid, decode time, Lighthouse scores, load
# times and layout shift on a slow phone, the camera view on a small screen, a soak of
# SOAK_MINUTES minutes, default 30, 0 skips it). Same prerequisites as run.sh.
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
# (`&&`: the stamp is written only after a good `npm ci`, also where `set -e` does not apply.)
npm_ci_once() {
  cmp -s "$1/package-lock.json" "$1/node_modules/$2" 2>/dev/null ||
    { (cd "$1" && npm ci --no-audit --no-fund --loglevel=error) && cp "$1/package-lock.json" "$1/node_modules/$2"; }
}
npm_ci_once . .statuspass-e2e-lock
node figures.mjs 1 2-4
# Lighthouse (figure 5) has its own packages (not needed by the browser tests); the figures
# after it are printed even when it fails.
(npm_ci_once lighthouse .statuspass-lock && node lighthouse/run.mjs) || echo "5. Lighthouse failed (above)"
exec node figures.mjs 6-7 8 9 10
