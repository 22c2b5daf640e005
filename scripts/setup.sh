#!/usr/bin/env bash
# Installs what building and testing tcpopt needs on a fresh Debian machine with only Rust.
# Idempotent: every step checks first and skips what is already there.
# Usage: scripts/setup.sh [--web] [--test] [--lab]   (no flag: --web and --test)
#   --lab: what scripts/lab.sh needs (root): iproute2, iptables, tcpdump, ethtool,
#          zstd, libnetfilter-queue, and the Python packages pyroute2 and NetfilterQueue.
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14

want_web=0; want_test=0; want_lab=0
[ $# -eq 0 ] && { want_web=1; want_test=1; }
for a in "$@"; do
  case "$a" in
    --web) want_web=1 ;;
    --test) want_test=1 ;;
    --lab) want_lab=1 ;;
    *) echo "setup.sh: unknown flag $a" >&2; exit 2 ;;
  esac
done

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
if [ "$want_test" = 1 ]; then
  have tshark || need_apt+=(tshark)
  have tcpdump || need_apt+=(tcpdump)
fi
if [ "$want_web" = 1 ]; then
  have wasm-opt || need_apt+=(binaryen)
  have chromium || need_apt+=(chromium)
  have chromedriver || need_apt+=(chromium-driver)
  have node || need_apt+=(nodejs npm)
fi
if [ "$want_lab" = 1 ]; then
  have ip || need_apt+=(iproute2)
  have iptables || need_apt+=(iptables)
  have tcpdump || need_apt+=(tcpdump)
  have ethtool || need_apt+=(ethtool)
  have zstd || need_apt+=(zstd)
  have python3 || need_apt+=(python3)
  python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
  have nstat || need_apt+=(iproute2)
  # NetfilterQueue builds against libnetfilter_queue (headers + pkg-config).
  [ -e /usr/include/libnetfilter_queue/libnetfilter_queue.h ] || need_apt+=(libnetfilter-queue-dev pkg-config gcc python3-dev)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections || true
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if [ "$want_web" = 1 ] || [ "$want_test" = 1 ]; then
  installed_targets=$(rustup target list --installed)
  for t in wasm32-unknown-unknown thumbv7em-none-eabihf; do
    grep -qx "$t" <<<"$installed_targets" || rustup target add "$t"
  done
fi

if [ "$want_web" = 1 ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    # No --locked: its lock file names a crate version this registry mirror lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
  if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
    cargo install trunk --version "$TRUNK_VERSION" --locked --force
  fi
  if ! have wasm-pack; then
    cargo install wasm-pack --locked
  fi
fi
if [ "$want_lab" = 1 ]; then
  if ! python3 -c 'import pyroute2, netfilterqueue' 2>/dev/null; then
    # Debian's own python3 refuses a system-wide pip install without this flag.
    pip_flags=()
    grep -q -- --break-system-packages <<<"$(python3 -m pip install --help 2>/dev/null)" && pip_flags+=(--break-system-packages)
    python3 -m pip install -q "${pip_flags[@]}" pyroute2 NetfilterQueue
  fi
fi
echo "setup: done"
