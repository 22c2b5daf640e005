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

step "clippy"
cargo clippy -q --workspace --all-targets --all-features -- -D warnings

step "rustdoc (broken links are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -q --workspace --all-features --no-deps

step "cargo test (unit, doc, integration, tshark oracle)"
cargo build -q --release -p tcpopt
cargo test --workspace --all-features

if [ -x scripts/test-web.sh ]; then
  step "wasm and browser tests"
  scripts/test-web.sh
fi
step "all tests passed"
