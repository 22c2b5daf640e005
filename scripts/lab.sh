#!/usr/bin/env bash
# Regenerates the real-kernel lab scenarios (lab/) and fails when a
# regeneration no longer matches its committed truth (kernel counters and
# client outcomes, not bytes). Needs root; install with scripts/setup.sh --lab.
# Usage: scripts/lab.sh [--write] [--out DIR] [--busy-connections N] [SCENARIO...]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "lab.sh: needs root (network namespaces)" >&2; exit 2; }
for t in ip iptables tcpdump nstat ethtool zstd python3; do
  command -v "$t" >/dev/null || { echo "lab.sh: $t missing: run scripts/setup.sh --lab" >&2; exit 2; }
done
python3 -c 'import pyroute2, netfilterqueue' 2>/dev/null || {
  echo "lab.sh: Python packages pyroute2/NetfilterQueue missing: run scripts/setup.sh --lab" >&2; exit 2; }
# One bound for the whole run: a check run has the issue's budget of 10
# minutes; --write also compresses the busy capture with zstd -19, which
# takes minutes on a shared machine. lab.py ends every process it started
# and deletes its namespaces, also when this timeout sends it SIGTERM.
limit=600
for a in "$@"; do [ "$a" = --write ] && limit=2400; done
exec timeout --signal=TERM --kill-after=20 "$limit" python3 lab/lab.py "$@"
