#!/usr/bin/env bash
# Whole-file comparison: tcpopt analyze, tshark (TS fields), tcpdump -v and
# the plain-Rust baseline (etherparse + pcap-parser), on one capture, in
# one run. Prints per tool the median wall time of RUNS runs (hyperfine),
# the CPU time (user+sys, less sensitive to a shared machine), packets/s,
# MB/s, peak RSS (/usr/bin/time) and the ratio of tcpopt's rate to it.
# `extract` is tcpopt-parse doing only the baseline's job (TS fields of
# every packet, no analysis): the parser set against etherparse + pcap-parser.
#
#   bench/compare.sh FILE [RUNS]        (default RUNS=5; TSHARK_RUNS=3)
#   SKIP=tshark,tcpdump bench/compare.sh FILE
#
# Make a capture first: cargo run --release -p tcpopt-bench --bin gen-capture -- --size 256M -o /tmp/bench.pcap
set -euo pipefail

FILE=${1:?usage: bench/compare.sh FILE [RUNS]}
RUNS=${2:-5}
TSHARK_RUNS=${TSHARK_RUNS:-3}
SKIP=${SKIP:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

cargo build --release -q -p tcpopt -p tcpopt-bench --bins
TCPOPT=$ROOT/target/release/tcpopt
BASELINE=$ROOT/target/release/baseline
EXTRACT=$ROOT/target/release/extract
for t in hyperfine /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "compare.sh: $t is missing (apt-get install -y hyperfine time)" >&2; exit 1; }
done

BYTES=$(stat -c %s "$FILE")
PACKETS=$("$BASELINE" "$FILE" 2>&1 >/dev/null | sed -n 's/^baseline: \([0-9]*\) packets.*/\1/p')
TMP=$(mktemp -d /tmp/tcpopt-compare.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "# file $FILE: $BYTES bytes, $PACKETS packets; load before: $(cut -d' ' -f1-3 /proc/loadavg)"

declare -A CMD=(
  [tcpopt]="$TCPOPT analyze --fail-on never $FILE"
  [baseline]="$BASELINE $FILE"
  [extract]="$EXTRACT $FILE"
  [tcpdump]="tcpdump -nn -v -r $FILE"
  [tshark]="tshark -r $FILE -T fields -e tcp.options.timestamp.tsval -e tcp.options.timestamp.tsecr"
)
ORDER=(tcpopt extract baseline tcpdump tshark)

declare -A MED CPU RSS
for t in "${ORDER[@]}"; do
  if [[ ",$SKIP," == *",$t,"* ]]; then continue; fi
  if [[ $t == tcpdump || $t == tshark ]] && ! command -v "$t" >/dev/null; then
    echo "# $t not installed: skipped" >&2; continue
  fi
  n=$RUNS; [[ $t == tshark ]] && n=$TSHARK_RUNS
  hyperfine -N --style none --warmup 1 --runs "$n" --export-json "$TMP/$t.json" \
    --output null "${CMD[$t]}" >/dev/null 2>&1 || true
  MED[$t]=$(python3 -c "import json,statistics as s;r=json.load(open('$TMP/$t.json'))['results'][0];print(s.median(r['times']))")
  CPU[$t]=$(python3 -c "import json;r=json.load(open('$TMP/$t.json'))['results'][0];print(r['user']+r['system'])")
  /usr/bin/time -f '%M' -o "$TMP/$t.rss" ${CMD[$t]} >/dev/null 2>&1 || true
  RSS[$t]=$(tail -1 "$TMP/$t.rss")
done

printf '\n| tool | median wall s | cpu s (mean) | packets/s (wall) | packets/s (cpu) | MB/s (wall) | peak RSS MB | tcpopt is × faster (wall) | (cpu) |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for t in "${ORDER[@]}"; do
  [[ -n ${MED[$t]:-} ]] || continue
  python3 - "$t" "${MED[$t]}" "${CPU[$t]}" "${RSS[$t]}" "$PACKETS" "$BYTES" "${MED[tcpopt]:-0}" "${CPU[tcpopt]:-0}" <<'EOF'
import sys
t, med, cpu, rss, pk, by, tmed, tcpu = sys.argv[1:]
med, cpu, pk, by, tmed, tcpu = map(float, (med, cpu, pk, by, tmed, tcpu))
rw = med / tmed if tmed else float('nan')
rc = cpu / tcpu if tcpu else float('nan')
print(f"| {t} | {med:.3f} | {cpu:.3f} | {pk/med/1e6:.2f} M | {pk/cpu/1e6:.2f} M | {by/med/1e6:.0f} | {int(rss)/1024:.1f} | {rw:.1f} | {rc:.1f} |")
EOF
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
