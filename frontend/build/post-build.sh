#!/bin/sh
# Trunk post-build hook (see Trunk.toml). POSIX sh + coreutils + cargo (+ node on release).
#
# Release builds only:
# 1. `wasm-opt` on every wasm file, stripping names and producers: -Oz for the three apps
#    (size), -O3 for the decode worker (speed per camera frame). binaryen comes from npm (frontend/build/package.json, pinned; installed by
#    scripts/setup.sh): Debian's binaryen 108 mis-numbers wasm-bindgen's externref table.
# Every build:
# 2. Writes `sw.js` into the staging dir from `public/sw.js`, filling in the precache list
#    (every file of the build, with Trunk's hashed names) and a cache version derived from the
#    content of those files, so each deploy gets a fresh cache and old ones are deleted.
# Release builds only:
# 3. Writes brotli and gzip variants beside the files (tools/src/bin/precompress.rs), which
#    the server sends to clients that take them.
set -eu

staging="${TRUNK_STAGING_DIR:?run by trunk}"
source_dir="${TRUNK_SOURCE_DIR:?run by trunk}"
repo="$source_dir/.."
template="$repo/public/sw.js"
release=false
[ "${TRUNK_PROFILE:-debug}" = "release" ] && release=true

if $release; then
  wasm_opt="$source_dir/build/node_modules/.bin/wasm-opt"
  if [ ! -x "$wasm_opt" ]; then
    echo "post-build: $wasm_opt not found; install it: scripts/setup.sh run" >&2
    exit 1
  fi
  for wasm in "$staging"/*.wasm; do
    [ -e "$wasm" ] || continue
    before=$(wc -c < "$wasm")
    # The app for size (it is downloaded); the decode worker for speed (every camera frame).
    case "$(basename "$wasm")" in
      decode-worker*) level=-O3 ;;
      *) level=-Oz ;;
    esac
    # The features Rust's wasm32 target emits by default (wasm-bindgen keeps them).
    "$wasm_opt" "$level" --strip-debug --strip-producers \
      --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-reference-types --enable-multivalue --enable-mutable-globals \
      "$wasm" -o "$wasm.opt"
    mv "$wasm.opt" "$wasm"
    echo "post-build: wasm-opt $level $(basename "$wasm"): $before -> $(wc -c < "$wasm") bytes"
  done
fi

cd "$staging"
# All files except the service worker itself and source maps / TypeScript, sorted for stability.
files=$(find . -type f ! -name 'sw.js' ! -name '*.map' ! -name '*.d.ts' | sed 's|^\./||' | LC_ALL=C sort)

version=$(for f in $files; do sha256sum "$f"; done | sha256sum | cut -c1-16)

list="\"/\""
for f in $files; do
  case "$f" in
    index.html) ;; # served as "/"
    *) list="$list, \"/$f\"" ;;
  esac
done

sed -e "s|__SW_VERSION__|$version|" -e "s|\"__SW_PRECACHE__\"|$list|" "$template" > "$staging/sw.js"
echo "post-build: sw.js version $version, $(echo "$files" | wc -l) files precached"

if $release; then
  cargo run --quiet --release --manifest-path "$repo/Cargo.toml" \
    -p statuspass-build-tools --bin precompress -- "$staging"
fi
