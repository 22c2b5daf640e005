#!/usr/bin/env bash
# The whole test suite: what `.ci/run` runs and what the README's second command is.
# Installs what is missing first (idempotent), then: formatting, the no_std builds,
# unit, doc and integration tests (including the tshark oracle over every shared
# capture), the wasm tests in headless Chromium and the page's end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

step "setup (skips what is installed)"
scripts/setup.sh

step "no_std builds of tcpopt-parse"
cargo build -q -p tcpopt-parse --no-default-features --target thumbv7em-none-eabihf
cargo build -q -p tcpopt-parse --no-default-features --features alloc --target thumbv7em-none-eabihf
cargo build -q -p tcpopt-parse --no-default-features --target wasm32-unknown-unknown

step "module graph (no module imports one that imports it back)"
python3 scripts/module-cycles.py

step "clippy"
cargo clippy -q --workspace --all-targets --all-features -- -D warnings

step "rustdoc (broken links are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -q --workspace --all-features --no-deps

step "cargo package (what crates.io would get: no warning, no test data)"
# Both in one call: tcpopt-parse is not on crates.io, and cargo then verifies
# tcpopt (builds the unpacked crate) against the tcpopt-parse packaged here,
# through a temporary local registry. --allow-dirty: earlier steps may leave
# build output in the tree; --offline: every dependency is fetched by now.
# Cargo extracts the packaged tcpopt-parse into its registry cache once per
# version and then reuses that copy: a stale one would verify tcpopt against
# old code (local registries are the directories named "-<hash>").
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/tcpopt-parse-* \
  "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/-*/tcpopt-parse-*
# Cargo also takes a registry crate's build as never changing: drop the
# builds of earlier packaged copies (their dep-info names such a registry).
for d in target/debug/deps/tcpopt_parse-*.d; do
  [ -e "$d" ] && grep -q 'registry/src/-' "$d" || continue
  h=${d##*/tcpopt_parse-}; h=${h%.d}
  rm -rf target/debug/deps/*tcpopt_parse-"$h".* target/debug/.fingerprint/tcpopt-parse-"$h"
done
out=$(cargo package --offline --allow-dirty -p tcpopt-parse -p tcpopt 2>&1) || { echo "$out"; exit 1; }
echo "$out" | grep -E '^(warning|error)' && { echo "cargo package warned" >&2; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
for c in tcpopt-parse tcpopt; do
  size=$(stat -c %s "target/package/$c-$version.crate")
  files=$(tar -tzf "target/package/$c-$version.crate")
  echo "$c: $size bytes, $(echo "$files" | wc -l) files"
  echo "$files" | grep -E '/(data|fuzz_regressions|snapshots)/|\.(pcap|pcapng|gz|zst|tsv|snap)$' && { echo "$c ships test data" >&2; exit 1; }
  [ "$size" -lt 400000 ] || { echo "$c is $size bytes" >&2; exit 1; }
done

step "cargo test (unit, doc, integration, tshark oracle)"
cargo build -q --release -p tcpopt
cargo test --workspace --all-features

if [ -x scripts/test-web.sh ]; then
  step "wasm and browser tests"
  scripts/test-web.sh
fi
step "all tests passed"
