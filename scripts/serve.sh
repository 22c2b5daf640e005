#!/usr/bin/env bash
# The README's first command. On a fresh Debian machine with only Rust: installs what is
# missing (idempotently, scripts/setup.sh --web), builds the wasm engine and the page with
# trunk (offline: no tool download), and serves www/dist on http://127.0.0.1:8080 where
# "Try a sample" analyses a real capture at once (or open http://127.0.0.1:8080/#sample).
#
#   scripts/serve.sh              build and serve (PORT=8080 by default)
#   scripts/serve.sh --build-only build www/dist and stop (what scripts/test-web.sh uses)
#   scripts/serve.sh --no-setup   skip the install check
#
# www/dist is a plain static site: copy it to any static host (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

build_only=0; setup=1
for a in "$@"; do
  case "$a" in
    --build-only) build_only=1 ;;
    --no-setup) setup=0 ;;
    *) echo "serve.sh: unknown flag $a" >&2; exit 2 ;;
  esac
done
port="${PORT:-8080}"

[ "$setup" = 1 ] && scripts/setup.sh --web

# The wasm's release profile, set here rather than in the workspace's Cargo.toml: fat LTO,
# one codegen unit, no debug info, opt-level 3 (measured on a 520 MB capture: 188 MB/s at
# opt-level 3 against 80 MB/s at "z", for 169 KB gzipped against 147 KB). wasm-opt is off:
# binaryen 108 (Debian 12) corrupts wasm-bindgen's externref table export; binaryen 132 (npm) does
# not, but its -O3 measured no faster and no smaller gzipped (BENCHMARKS.md, "The page (issue 11)").
# A separate target dir keeps these overrides from rebuilding the native release artefacts.
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-3}"
export CARGO_PROFILE_RELEASE_LTO=fat
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_STRIP=true
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/web}"

SECONDS=0
(cd www && trunk build --release --offline)
wasm=$(ls www/dist/*_bg.wasm)
echo "built www/dist in ${SECONDS} s; $(basename "$wasm"): $(stat -c %s "$wasm") bytes, $(gzip -9c "$wasm" | wc -c) bytes gzipped"

[ "$build_only" = 1 ] && exit 0

echo "serving www/dist on http://127.0.0.1:$port/  (the sample: http://127.0.0.1:$port/#sample; Ctrl-C stops)"
exec python3 -m http.server --bind 127.0.0.1 --directory www/dist "$port"
