"""Network-namespace plumbing for the lab: namespaces, veth pairs, captures,
kernel counters, and a cleanup that ends exactly the processes it started.

Only documentation address ranges (RFC 5737, RFC 3849) and only local
namespaces (all named with PREFIX) are used.
"""
import json
import os
import signal
import subprocess
import time

PREFIX = "tlab-"
HERE = os.path.dirname(os.path.abspath(__file__))
PROGS = os.path.join(HERE, "progs")

# The kernel's own counters a scenario's truth is made of (nstat names).
COUNTERS = [
    "TcpExtPAWSActive",
    "TcpExtPAWSEstab",
    "TcpExtPAWSTimewait",
    "TcpExtPAWSOldAck",
    "TcpExtPAWSPassive",
    "TcpExtTSEcrRejected",
    "TcpExtTCPACKSkippedPAWS",
    "TcpExtSyncookiesSent",
    "TcpExtSyncookiesRecv",
    "TcpExtSyncookiesFailed",
    "TcpExtTWRecycled",
    "TcpExtTW",
    "TcpExtTCPSynRetrans",
    "TcpExtTCPChallengeACK",
    "TcpExtTCPSYNChallenge",
    "TcpExtTCPTimeouts",
    "TcpExtListenDrops",
    "TcpExtListenOverflows",
    "TcpExtTCPAbortOnData",
    "TcpExtTCPDSACKRecv",
    "TcpExtTCPPureAcks",
    "TcpActiveOpens",
    "TcpPassiveOpens",
    "TcpAttemptFails",
    "TcpEstabResets",
    "TcpOutRsts",
    "TcpRetransSegs",
]


def run(argv, ns=None, check=True, timeout=60, capture=True):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(argv)
    r = subprocess.run(cmd, capture_output=capture, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


class Lab:
    """Owns every namespace and process of one scenario; `close()` undoes all."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.netns = []
        self.procs = []  # (name, Popen)
        os.makedirs(workdir, exist_ok=True)

    # ---- namespaces and links -------------------------------------------
    def ns(self, short, sysctls=None):
        name = PREFIX + short
        run(["ip", "netns", "del", name], check=False)
        run(["ip", "netns", "add", name])
        self.netns.append(name)
        run(["ip", "link", "set", "lo", "up"], ns=name)
        for k, v in (sysctls or {}).items():
            self.sysctl(name, k, v)
        return name

    def sysctl(self, ns, key, value):
        run(["sysctl", "-q", "-w", f"{key}={value}"], ns=ns)

    def veth(self, ns_a, if_a, ns_b, if_b):
        tmp_a, tmp_b = f"tl{os.getpid() % 10000}{len(self.netns)}a", f"tl{os.getpid() % 10000}{len(self.netns)}b"
        run(["ip", "link", "add", tmp_a, "type", "veth", "peer", "name", tmp_b])
        run(["ip", "link", "set", tmp_a, "netns", ns_a, "name", if_a])
        run(["ip", "link", "set", tmp_b, "netns", ns_b, "name", if_b])
        # Offloads off: captures then show the segments the stacks really sent.
        for ns, ifn in ((ns_a, if_a), (ns_b, if_b)):
            run(["ethtool", "-K", ifn, "tso", "off", "gso", "off", "gro", "off"], ns=ns, check=False)
            run(["ip", "link", "set", ifn, "up"], ns=ns)

    def addr(self, ns, ifn, cidr):
        extra = ["nodad"] if ":" in cidr else []
        run(["ip", "addr", "add", cidr, "dev", ifn] + extra, ns=ns)

    def route(self, ns, *args):
        run(["ip", "route", "replace"] + list(args), ns=ns)

    def ipt(self, ns, *args):
        run(["iptables"] + list(args), ns=ns)

    # ---- processes ----------------------------------------------------------
    def spawn(self, name, ns, argv, stdout=None):
        out = open(os.path.join(self.workdir, f"{name}.log"), "w")
        p = subprocess.Popen(
            ["ip", "netns", "exec", ns] + list(argv),
            stdout=stdout or out,
            stderr=subprocess.STDOUT if stdout is None else out,
            start_new_session=True,
            text=True,
        )
        self.procs.append((name, p))
        return p

    def wait_log(self, name, needle, timeout=10):
        path = os.path.join(self.workdir, f"{name}.log")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if needle in open(path).read():
                    return
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{name}: no '{needle}' within {timeout}s: {open(path).read()[-400:]}")

    def stop(self, p, sig=signal.SIGTERM, timeout=10):
        if p.poll() is None:
            try:
                os.killpg(p.pid, sig)  # its own session, started by us
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)

    def python(self, name, ns, prog, *args):
        return self.spawn(name, ns, ["python3", os.path.join(PROGS, prog)] + list(args))

    def tcpdump(self, name, ns, ifn, path, snaplen=96, filt="tcp"):
        p = self.spawn(
            name,
            ns,
            ["tcpdump", "-n", "-i", ifn, "-s", str(snaplen), "-U", "-B", "16384", "-w", path, filt],
        )
        self.wait_log(name, "listening on")
        return p

    def stop_tcpdump(self, p, name):
        time.sleep(0.3)  # the last segments reach the ring before SIGINT
        self.stop(p, signal.SIGINT)
        log = open(os.path.join(self.workdir, f"{name}.log")).read()
        dropped = 0
        for line in log.splitlines():
            if "dropped by kernel" in line:
                dropped = int(line.split()[0])
        return dropped

    # ---- counters -------------------------------------------------------------
    def nstat(self, ns):
        r = run(["nstat", "-a", "-s", "-z", "-j"], ns=ns)
        d = json.loads(r.stdout)
        return d.get("kernel", d)

    def close(self):
        for _, p in reversed(self.procs):
            try:
                self.stop(p, timeout=5)
            except Exception:
                pass
        self.procs.clear()
        for n in reversed(self.netns):
            run(["ip", "netns", "del", n], check=False)
        self.netns.clear()


def delta(before, after):
    """Counter deltas of the COUNTERS list (0 when absent on this kernel)."""
    return {k: int(after.get(k, 0)) - int(before.get(k, 0)) for k in COUNTERS if k in after or k in before}


def nonzero(d):
    return {k: v for k, v in d.items() if v}


def cleanup_stale():
    """Namespaces left by a killed earlier run (only our PREFIX)."""
    r = run(["ip", "netns", "list"], check=False)
    for line in r.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        if name.startswith(PREFIX):
            run(["ip", "netns", "del", name], check=False)
