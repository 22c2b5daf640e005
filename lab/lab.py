#!/usr/bin/env python3
"""tcpopt's real-kernel scenario lab: run with `scripts/lab.sh` (root).

Each scenario builds namespaces (lab/topo.py), runs real client and server
programs (lab/progs), captures with tcpdump where it matters and writes
NAME.pcap[.zst] plus NAME.truth.json: the kernel's nstat deltas per
namespace, the client programs' own outcomes, facts read from the frames
(lab/pcapread.py, not tcpopt) and what tcpopt must report.

A truth's `kernel_checks` are the scenario's invariants (Python expressions
over the counters and outcomes): a regeneration must satisfy the committed
truth's checks, otherwise the run fails. Counts vary between runs; the
expected findings are derived from each run's own counters.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab  # noqa: E402
import scenarios  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.join(HERE, "captures")


def check_env(truth, env):
    """Evaluates each check of `truth` against `env` (role -> counters...)."""
    failures = []
    for c in truth.get("kernel_checks", []):
        try:
            # Globals, not locals: generator expressions in a check see them.
            ok = bool(eval(c, dict(env, __builtins__={"abs": abs, "sum": sum, "min": min, "max": max, "all": all,
                                                      "any": any, "len": len, "zip": zip, "sorted": sorted,
                                                      "set": set})))
        except Exception as e:  # a missing counter is a failed check
            ok = False
            c = f"{c} ({type(e).__name__}: {e})"
        if not ok:
            failures.append(c)
    return failures


def env_of(truth):
    env = {role: dict(v) for role, v in truth["nstat"].items()}
    env = {k: _Zero(v) for k, v in env.items()}
    env["out"] = truth.get("client_outcomes", {})
    env["cap"] = truth.get("from_capture", {})
    env["rw"] = truth.get("rewrites", {})
    return env


class _Zero(dict):
    """nstat -z lists zeros, but the truth keeps only non-zero deltas."""

    def __missing__(self, key):
        return 0


SEV = {"info": 0, "warning": 1, "critical": 2}


def tcpopt_check(binary, path, exp):
    """What tcpopt reports on one capture against its expected findings (the
    same rules as tcpopt-parse/tests/lab_truth.rs): for a capture too big to
    commit, and to show what tcpopt says today."""
    r = subprocess.run([binary, "analyze", "--format", "json", path], capture_output=True, text=True, timeout=600)
    rep = json.loads(r.stdout)
    fs = rep["findings"]
    bad = []
    for m in exp["must"]:
        mine = [f for f in fs if f["code"] == m["code"]]
        if not mine:
            bad.append(f"{m['code']} missing")
            continue
        for fr in m.get("frames_include", []):
            if not any(fr in f["frames"] for f in mine):
                bad.append(f"{m['code']} lacks frame {fr}")
        for field, want in m.get("evidence", {}).items():
            got = sum(f["evidence"].get(field, 0) for f in mine)
            if abs(got - want["equals"]) > abs(want["equals"]) * want.get("tolerance_pct", 0) / 100:
                bad.append(f"{m['code']} {field} = {got}, kernel truth {want['equals']}")
    for code in exp["must_not"]:
        if any(f["code"] == code for f in fs):
            bad.append(f"{code} must not be raised")
    for f in fs:
        if SEV[f["severity"]] > SEV[exp["max_severity"]]:
            bad.append(f"{f['code']} is {f['severity']} > {exp['max_severity']}")
    return rep["verdict"], [(f["code"], f["severity"]) for f in fs], bad


def compress(path):
    subprocess.run(["zstd", "-q", "-19", "-T2", "-f", "--rm", path], check=True, timeout=600)
    return path + ".zst"


def _terminate(signum, frame):
    raise SystemExit(f"lab: stopped by signal {signum}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenarios", nargs="*", help=f"subset of: {' '.join(scenarios.ORDER)}")
    ap.add_argument("--write", action="store_true", help="replace the committed captures and truths")
    ap.add_argument("--out", help="keep the regenerated files here (default: a temporary directory)")
    ap.add_argument("--tcpopt", metavar="BIN", help="also run this tcpopt binary on every capture and compare")
    ap.add_argument("--busy-connections", type=int, default=None,
                    help="connections of the busy-nat scenario (default: its committed truth's)")
    a = ap.parse_args()
    # SIGTERM (scripts/lab.sh's timeout) unwinds like an exception, so every
    # scenario's `finally: lab.close()` ends its processes and namespaces.
    signal.signal(signal.SIGTERM, _terminate)
    if os.geteuid() != 0:
        sys.exit("lab: needs root (network namespaces)")
    names = a.scenarios or list(scenarios.ORDER)
    for n in names:
        if n not in scenarios.ORDER:
            sys.exit(f"lab: unknown scenario {n}; known: {' '.join(scenarios.ORDER)}")
    out = a.out or tempfile.mkdtemp(prefix="tcpopt-lab-")
    os.makedirs(out, exist_ok=True)
    netlab.cleanup_stale()
    failed = []
    t_all = time.monotonic()
    for n in names:
        t0 = time.monotonic()
        work = os.path.join(out, "work", n)
        lab = netlab.Lab(work)
        try:
            opts = {}
            if n == "busy-nat" and a.busy_connections:
                opts["connections"] = a.busy_connections
            truth = scenarios.ORDER[n](lab, out, **opts)
        except Exception as e:
            lab.close()
            print(f"lab: {n}: FAILED to run: {type(e).__name__}: {e}", flush=True)
            failed.append(n)
            continue
        finally:
            lab.close()
        truth.setdefault("scenario", n)
        truth["kernel"] = platform.release()
        truth["generated_at_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        truth["generated_by"] = "scripts/lab.sh (lab/lab.py, lab/scenarios.py)"
        truth["elapsed_s"] = round(time.monotonic() - t0, 1)
        for cap in truth["captures"]:
            p = os.path.join(out, cap["file"])
            # Compressed (slowly, -19) only for committing: a check run
            # keeps the plain capture.
            if cap.get("compress") and a.write and not p.endswith(".zst"):
                compress(p)
                cap["file"] += ".zst"
            cap.pop("compress", None)
            cap["bytes"] = os.path.getsize(os.path.join(out, cap["file"]))
        # Expected findings name files by their final (compressed) names.
        ef = {}
        for f, v in truth.get("expected_findings", {}).items():
            ef[f + ".zst" if os.path.exists(os.path.join(out, f + ".zst")) else f] = v
        truth["expected_findings"] = ef
        env = env_of(truth)
        problems = check_env(truth, env)
        committed = os.path.join(CAPTURES, f"{n}.truth.json")
        if os.path.exists(committed):
            old = json.load(open(committed))
            problems += [f"committed check: {c}" for c in check_env(old, env) if c not in problems]
        with open(os.path.join(out, f"{n}.truth.json"), "w") as f:
            json.dump(truth, f, indent=1, sort_keys=False)
            f.write("\n")
        if a.tcpopt:
            for f, exp in truth["expected_findings"].items():
                verdict, codes, bad = tcpopt_check(a.tcpopt, os.path.join(out, f), exp)
                print(f"lab: {n}: tcpopt on {f}: {codes}; {verdict}", flush=True)
                for b in bad:
                    print(f"lab: {n}:   tcpopt differs from the truth: {b}", flush=True)
        status = "ok" if not problems else "MISMATCH"
        print(f"lab: {n}: {status} in {truth['elapsed_s']} s; " +
              ", ".join(f"{r}: {netlab.nonzero(v) if isinstance(v, dict) else v}" for r, v in truth["nstat"].items()),
              flush=True)
        for p in problems:
            print(f"lab: {n}:   check failed: {p}", flush=True)
        if problems:
            failed.append(n)
        elif a.write:
            os.makedirs(CAPTURES, exist_ok=True)
            for cap in truth["captures"]:
                if cap.get("committed", True):
                    shutil.copy(os.path.join(out, cap["file"]), os.path.join(CAPTURES, cap["file"]))
            shutil.copy(os.path.join(out, f"{n}.truth.json"), committed)
    print(f"lab: {len(names) - len(failed)}/{len(names)} scenarios match their truth "
          f"in {time.monotonic() - t_all:.0f} s; files in {out}", flush=True)
    if not a.out and not failed:
        shutil.rmtree(out, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
