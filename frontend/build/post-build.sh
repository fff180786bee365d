#!/bin/sh
# Trunk post-build hook (see Trunk.toml). POSIX sh + coreutils + rustc.
#
# 1. Release builds: strips the `name`/`producers` sections from the wasm files (wasm-strip.rs,
#    built here with rustc). This replaces wasm-opt, whose Debian version (108) breaks
#    wasm-bindgen's externref table export.
# 2. Writes `sw.js` into the staging dir from `public/sw.js`, filling in the precache list
#    (every file of the build, with Trunk's hashed names) and a cache version derived from the
#    content of those files, so each deploy gets a fresh cache and old ones are deleted.
set -eu

staging="${TRUNK_STAGING_DIR:?run by trunk}"
source_dir="${TRUNK_SOURCE_DIR:?run by trunk}"
template="$source_dir/../public/sw.js"

if [ "${TRUNK_PROFILE:-debug}" = "release" ]; then
  tools="${CARGO_TARGET_DIR:-$source_dir/../target}/statuspass-build-tools"
  strip_bin="$tools/wasm-strip"
  mkdir -p "$tools"
  if [ ! -x "$strip_bin" ] || [ "$source_dir/build/wasm-strip.rs" -nt "$strip_bin" ]; then
    rustc --edition 2021 -O -o "$strip_bin" "$source_dir/build/wasm-strip.rs"
  fi
  for wasm in "$staging"/*.wasm; do
    [ -e "$wasm" ] && "$strip_bin" "$wasm"
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
