#!/bin/sh
# Browser benchmark: statuspass wasm decoder vs jsQR vs zxing-wasm in headless Chromium.
#
#   decoder/bench-web/run.sh DIR [--speed] [run.mjs options: --width 640 --reps 30 --groups
#                                 --verbose --only a,b --json OUT --save-noqr OUT.png]
#
# Builds the wasm (cargo, wasm32-unknown-unknown, release = the scanner's wasm-release
# settings; --speed: opt-level 3), runs wasm-opt -O3 (Debian binaryen, if present) and
# wasm-bindgen --target web (the CLI must match the wasm-bindgen version in Cargo.lock), installs the
# pinned npm packages (npm ci) and runs run.mjs. It also builds the PWA's decode worker as it
# ships, for its size (SHIPPED=0: skip). Nothing is fetched at run time: every file
# the page and the workers load, zxing-wasm's .wasm included, is served from 127.0.0.1.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { sed -n '4,5p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
DIR=$(cd "$1" && pwd)
shift

PROFILE=release
if [ "${1:-}" = "--speed" ]; then PROFILE=speed; shift; fi

cd "$HERE"
TARGET_DIR=${CARGO_TARGET_DIR:-$HERE/target}
echo "== cargo build --profile $PROFILE --target wasm32-unknown-unknown" >&2
CARGO_TARGET_DIR=$TARGET_DIR cargo build --profile "$PROFILE" --target wasm32-unknown-unknown --locked
WASM=$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/statuspass_decoder_bench_web.wasm

WANT=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;q}' Cargo.lock)
HAVE=$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2 || true)
if [ "$HAVE" != "$WANT" ]; then
    echo "wasm-bindgen CLI $WANT needed (found: ${HAVE:-none}):" >&2
    echo "  cargo install wasm-bindgen-cli --version $WANT --locked" >&2
    exit 1
fi
rm -rf pkg pkg-tmp
mkdir -p pkg-tmp
# The PWA build's binaryen (npm, pinned: scripts/setup.sh run), else one on PATH.
WASM_OPT="$HERE/../../frontend/build/node_modules/.bin/wasm-opt"
[ -x "$WASM_OPT" ] || WASM_OPT=$(command -v wasm-opt || true)
if [ -n "$WASM_OPT" ]; then
    # Optimise the cargo output *before* wasm-bindgen (an old binaryen, Debian 12's 108, breaks
    # wasm-bindgen 0.2.130's externref table when run after it).
    echo "== wasm-opt -O3 (before wasm-bindgen)" >&2
    "$WASM_OPT" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue \
        "$WASM" -o pkg-tmp/statuspass_decoder_bench_web.wasm
else
    echo "(wasm-opt not found: unoptimised wasm)" >&2
    cp "$WASM" pkg-tmp/statuspass_decoder_bench_web.wasm
fi
wasm-bindgen --target web --no-typescript --out-dir pkg pkg-tmp/statuspass_decoder_bench_web.wasm
rm -rf pkg-tmp

# What the PWA ships: its decode worker (frontend/src/bin/decode-worker.rs), built like Trunk's
# release build (profile wasm-release, wasm-bindgen --target no-modules) and optimised like
# frontend/build/post-build.sh (wasm-opt -O3, names and producers stripped). Only its size is
# reported (the worker links the same decoder plus its message glue). SHIPPED=0 skips it.
rm -f pkg/shipped-decode-worker_bg.wasm
if [ "${SHIPPED:-1}" != 0 ] && [ -n "$WASM_OPT" ]; then
    echo "== cargo build the PWA's decode worker (wasm-release), wasm-bindgen, wasm-opt -O3 stripped" >&2
    CARGO_TARGET_DIR=$TARGET_DIR cargo build --manifest-path "$HERE/../../Cargo.toml" --locked \
        -p statuspass-frontend --bin decode-worker --target wasm32-unknown-unknown --profile wasm-release
    rm -rf pkg-worker
    wasm-bindgen --target no-modules --no-typescript --out-dir pkg-worker \
        "$TARGET_DIR/wasm32-unknown-unknown/wasm-release/decode-worker.wasm"
    "$WASM_OPT" -O3 --strip-debug --strip-producers --enable-bulk-memory --enable-bulk-memory-opt \
        --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types \
        --enable-multivalue --enable-mutable-globals \
        pkg-worker/decode-worker_bg.wasm -o pkg/shipped-decode-worker_bg.wasm
    rm -rf pkg-worker
fi

echo "== npm ci" >&2
npm ci --no-audit --no-fund --loglevel=error

exec node run.mjs "$DIR" "$@"
