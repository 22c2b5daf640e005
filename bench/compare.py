#!/usr/bin/env python3
"""Side-by-side comparison of tcpopt with the plain-Rust baseline, tcpdump
and tshark, on several captures, in one run (issue 11, check 1).

For each capture, every tool runs RUNS times (tshark TSHARK_RUNS times, it is
100x slower), alternating tools run by run so that a change in the machine's
load hits them alike. Measured per run with wait4(2): wall time, CPU time
(user + system, including the children of a pipeline) and peak RSS. Printed:
one Markdown table per capture with medians, and the ratios the issue asks
for.

  bench/compare.py [--runs N] [--tshark-runs N] [--skip tshark,tcpdump] FILE...

Compressed captures (.gz, .zst) are read by tcpopt itself; the baseline,
tcpdump and tshark get them through `gzip -dc` / `zstd -dc` in a pipe; and
the decompressors alone (`gzip -dc`, `zstd -dc`, the crate's own decoder
`decompress`) run beside them, to /dev/null, since the target is tcpopt
within 1.2x of decompressing alone.

What each tool does: `tcpopt analyze` the whole analysis and the text report;
`extract` tcpopt-parse doing only the baseline's job (TSval/TSecr of every
TCP segment); `baseline` pcap-parser + etherparse doing that job;
`baseline --flows` the same with one std HashMap entry per direction (the
baseline the busy-server issue describes, a first flow tracker); `tcpdump
-nn -v -r` decoding and printing every packet; `tshark -T fields` the two
timestamp fields of every packet.
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REL = os.path.join(ROOT, "target", "release")


def run_once(cmd):
    """(wall s, cpu s, peak RSS KB) of one run of `cmd` (argv list)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    os.close(devnull)
    code = os.waitstatus_to_exitcode(status)
    # tcpopt exits 1/2 when it finds something (--fail-on never avoids it);
    # tcpdump exits 1 on a truncated last record.
    if code not in (0, 1):
        raise SystemExit(f"compare.py: {shlex.join(cmd)} exited {code}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def sh(s):
    return ["bash", "-o", "pipefail", "-c", s]


def decompressor(path):
    """The shell command that decompresses `path` to stdout, or None."""
    q = shlex.quote(path)
    if path.endswith(".gz"):
        return f"gzip -dc {q}"
    if path.endswith(".zst"):
        return f"zstd -dc {q}"
    return None


def tools_for(path, skip, absolute=False):
    dec = decompressor(path)
    t = {}
    t["tcpopt"] = [f"{REL}/tcpopt", "analyze", "--fail-on", "never", path]
    if dec is None:
        t["extract"] = [f"{REL}/extract", path]
        t["baseline"] = [f"{REL}/baseline", path]
        t["baseline --flows"] = [f"{REL}/baseline", "--flows", path]
        t["tcpdump"] = ["tcpdump", "-nn", "-v"] + (["-S"] if absolute else []) + ["-r", path]
        t["tshark"] = ["tshark", "-r", path, "-T", "fields",
                       "-e", "tcp.options.timestamp.tsval", "-e", "tcp.options.timestamp.tsecr"]
    else:
        t["decompress (crate)"] = [f"{REL}/decompress", path]
        t[dec.split()[0] + " -dc"] = sh(f"{dec} > /dev/null")
        t["baseline"] = sh(f"{dec} | {REL}/baseline /dev/stdin")
        t["baseline --flows"] = sh(f"{dec} | {REL}/baseline --flows /dev/stdin")
        t["tcpdump"] = sh(f"{dec} | tcpdump -nn -v {'-S ' if absolute else ''}-r - > /dev/null")
        t["tshark"] = sh(f"{dec} | tshark -r - -T fields -e tcp.options.timestamp.tsval "
                         f"-e tcp.options.timestamp.tsecr > /dev/null")
    return {k: v for k, v in t.items() if k.split()[0] not in skip}


def packets_of(path):
    """Packets in the capture, from the baseline (through a decompressor)."""
    dec = decompressor(path)
    cmd = f"{dec} | {REL}/baseline /dev/stdin" if dec else f"{REL}/baseline {shlex.quote(path)}"
    out = subprocess.run(sh(cmd), capture_output=True, text=True).stderr
    for line in out.splitlines():
        if line.startswith("baseline:") and "packets" in line:
            return int(line.split()[1])
    raise SystemExit(f"compare.py: no packet count for {path}: {out}")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tshark-runs", type=int, default=1)
    ap.add_argument("--skip", default="")
    ap.add_argument("--tcpdump-runs", type=int, default=None,
                    help="runs of tcpdump (default: --runs)")
    ap.add_argument("--tcpdump-absolute", action="store_true",
                    help="tcpdump -S: absolute sequence numbers. Without it tcpdump keeps every "
                         "connection in a 4,099-bucket chained table for relative numbers, and "
                         "one run on a million connections took over 9 min of CPU")
    a = ap.parse_args()
    skip = set(x for x in a.skip.split(",") if x)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"# {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}, {os.cpu_count()} cores, {cpu}")
    for path in a.files:
        size = os.path.getsize(path)
        pk = packets_of(path)
        tools = tools_for(path, skip, a.tcpdump_absolute)
        res = {k: [] for k in tools}
        before = loadavg()
        td = a.runs if a.tcpdump_runs is None else a.tcpdump_runs
        for r in range(max(a.runs, a.tshark_runs, td)):
            for name, cmd in tools.items():
                n = {"tshark": a.tshark_runs, "tcpdump": td}.get(name, a.runs)
                if r < n:
                    res[name].append(run_once(cmd))
        after = loadavg()
        print(f"\n### {os.path.basename(path)}: {size / 1e6:.0f} MB, {pk:,} packets; load {before} before, {after} after\n")
        print("| tool | runs | median wall s | median CPU s | packets/s (CPU) | MB/s (wall) | peak RSS MB | tool ÷ tcpopt, wall | CPU |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v),
                   max(x[2] for x in v)) for k, v in res.items()}
        tw, tc, _ = med["tcpopt"]
        for k, (w, c, rss) in med.items():
            print(f"| {k} | {len(res[k])} | {w:.2f} | {c:.2f} | {pk / c / 1e6:.2f} M | {size / w / 1e6:.0f} | "
                  f"{rss / 1024:.0f} | {w / tw:.2f} | {c / tc:.2f} |")
        if "baseline" in med:
            bw, bc, _ = med["baseline"]
            print(f"\ntcpopt's rate ÷ the baseline's: {bw / tw:.2f} by wall time, {bc / tc:.2f} by CPU time.")
        if "baseline --flows" in med:
            fw, fc, _ = med["baseline --flows"]
            print(f"tcpopt's rate ÷ the flow-tracking baseline's: {fw / tw:.2f} by wall time, {fc / tc:.2f} by CPU time.")
        if "extract" in med:
            ew, ec, _ = med["extract"]
            if "baseline" in med:
                print(f"extract's rate ÷ the baseline's: {bw / ew:.2f} by wall time, {bc / ec:.2f} by CPU time.")
        for k in med:
            if k.endswith("-dc") or k.startswith("decompress"):
                dw, dc, _ = med[k]
                print(f"tcpopt's time ÷ {k} alone: {tw / dw:.2f} wall, {tc / dc:.2f} CPU.")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
