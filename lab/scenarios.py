"""The lab's scenarios. Each returns its truth (see lab.py for the shape).

Truth fields every scenario fills: intent, topology, sysctls, captures,
nstat (non-zero deltas per namespace role), client_outcomes, from_capture
(facts read from the frames by lab/pcapread.py), kernel_checks and
expected_findings ({file: {must, must_not, max_severity}}, as in
shared/captures/netns/*.truth.json; a `must` entry may add `evidence`:
{field: {"equals": N, "tolerance_pct": p}} summed over the findings of
that code).
"""
import json
import os
import time

import netlab
import pcapread
import topo
from pcapread import ACK, FIN, RST, SYN

SNAP = 96  # Ethernet + IPv4 + the largest TCP header (60): headers only


def _json(path):
    with open(path) as f:
        return json.load(f)


def _counters(lab, roles):
    return {r: lab.nstat(ns) for r, ns in roles.items()}


def _deltas(before, after):
    return {r: netlab.nonzero(netlab.delta(before[r], after[r])) for r in before}


def _wait(lab, procs, timeout):
    end = time.monotonic() + timeout
    for name, p in procs:
        left = max(1, end - time.monotonic())
        try:
            p.wait(left)
        except Exception:
            raise RuntimeError(f"{name} did not finish within {timeout} s")
        if p.returncode != 0:
            log = open(os.path.join(lab.workdir, f"{name}.log")).read()[-600:]
            raise RuntimeError(f"{name} exited {p.returncode}: {log}")


def _conversations(path, server_port=80):
    """Per-connection facts from the frames: SYNs, the server's answers."""
    pk = list(pcapread.packets(path))
    return pk


def _bare_acks(pk, server_port=80):
    """Frames where the server answered a client SYN with a bare ACK
    (not a SYN-ACK): tcp_timewait_state_process()'s TCP_TW_ACK, or a
    challenge ACK on a live 4-tuple. Returns (syn_frame, ack_frame, tuple)."""
    last_syn = {}
    out = []
    for p in pk:
        if p["dport"] == server_port and p["flags"] & SYN and not p["flags"] & ACK:
            last_syn[(p["src"], p["sport"])] = p
        elif p["sport"] == server_port and p["flags"] == ACK and p["len"] == 0:
            s = last_syn.get((p["dst"], p["dport"]))
            if s is not None and p["ack"] != (s["seq"] + 1) & 0xFFFFFFFF:
                out.append((s["frame"], p["frame"], (p["dst"], p["dport"]), s, p))
                last_syn.pop((p["dst"], p["dport"]))
        elif p["sport"] == server_port and p["flags"] & SYN and p["flags"] & ACK:
            last_syn.pop((p["dst"], p["dport"]), None)
    return out


# ---------------------------------------------------------------------------
# a. busy server behind NAT (issue 15 check 2)
# ---------------------------------------------------------------------------
def busy_nat(lab, out, connections=100000, name="busy-nat", committed=True, cli_sysctls=None, masq_args=(),
             client_closes=False):
    t = topo.build(
        lab,
        n_clients=2,
        srv_sysctls={"net.core.somaxconn": 8192, "net.ipv4.tcp_max_syn_backlog": 8192},
        cli_sysctls=cli_sysctls,
        masq_args=masq_args,
    )
    srv, nat, clis = t["srv"], t["nat"], t["clients"]
    roles = {"srv": srv, "nat": nat, "cli1": clis[0], "cli2": clis[1]}
    w = lab.workdir
    lab.python("server", srv, "server.py", "--bind", topo.SRV_IP, "--backlog", "8192",
               *(["--wait-eof"] if client_closes else []), "--out", os.path.join(w, "server.json"))
    lab.wait_log("server", "ready")
    cap = f"{name}.pcap"
    td = lab.tcpdump("td-srv", srv, "eth0", os.path.join(out, cap), snaplen=SNAP)
    before = _counters(lab, roles)
    per = connections // 2
    procs = []
    for i, c in enumerate(clis):
        nm = f"client{i + 1}"
        procs.append((nm, lab.python(nm, c, "client.py", "--host", topo.SRV_IP, "--count", str(per),
                                     "--concurrency", "48", "--timeout", "10", "--retries", "3",
                                     *(["--close-first"] if client_closes else []),
                                     "--out", os.path.join(w, f"{nm}.json"))))
    _wait(lab, procs, 420)
    time.sleep(0.5)
    after = _counters(lab, roles)
    dropped = lab.stop_tcpdump(td, "td-srv")
    lab.stop(lab.procs[0][1])  # the server writes its counts when stopped
    outcomes = {f"cli{i + 1}": _json(os.path.join(w, f"client{i + 1}.json")) for i in range(2)}
    nst = _deltas(before, after)

    pk = list(pcapread.packets(os.path.join(out, cap)))
    bare = _bare_acks(pk)
    syns = sum(1 for p in pk if p["flags"] & SYN and not p["flags"] & ACK)
    synacks = sum(1 for p in pk if p["flags"] & SYN and p["flags"] & ACK)
    client_rsts = sum(1 for p in pk if p["flags"] & RST and p["dport"] == 80)
    # A rejected SYN recovered when a SYN-ACK acknowledges its ISN later.
    # The kernel's retry keeps the ISN, but the NAT usually maps it to a
    # new outer port (the client's RST closed the conntrack entry), so the
    # retry is linked by ISN and address, not by 4-tuple.
    synack_acks = {}
    for p in pk:
        if p["sport"] == 80 and p["flags"] & SYN and p["flags"] & ACK:
            synack_acks.setdefault((p["dst"], (p["ack"] - 1) & 0xFFFFFFFF), []).append(p["frame"])
    recovered_in_capture = retry_same_port = 0
    for b in bare:
        s_ = b[3]
        later = [f for f in synack_acks.get((s_["src"], s_["seq"]), []) if f > b[1]]
        if later:
            recovered_in_capture += 1
            if any(pk[f - 1]["dport"] == s_["sport"] for f in later):
                retry_same_port += 1
    paws = nst["srv"].get("TcpExtPAWSTimewait", 0)
    failed = sum(o["failed"] for o in outcomes.values())
    succeeded = sum(o["succeeded"] for o in outcomes.values())
    # Every rejection is followed by the client's RST and the kernel's own
    # retry; a request the program saw fail may contain at most one
    # unrecovered rejection each.
    failed_attempts = sum(o["attempts"] - o["succeeded"] for o in outcomes.values())
    recovered = paws - min(failed_attempts, paws)
    severity = "warning" if failed == 0 else "critical"
    truth = {
        "intent": (
            f"Issue 15 check 2: two Linux clients behind one MASQUERADE address make {connections} HTTP/1.0 "
            "connections to a server that closes first (the server holds TIME_WAIT). Both clients reuse the "
            "NAT's 4-tuples; this kernel gives each 4-tuple its own TS offset (165573e41f2f), so a SYN from the "
            "other client on a 4-tuple in TIME_WAIT carries an unrelated, often older TSval: the server refuses "
            "it (PAWSTimewait) with a bare ACK, the client resets and its kernel retries within milliseconds."
        ),
        "topology": {
            "server": f"{topo.SRV_IP}:80 (namespace tlab-srv, lab/progs/server.py, HTTP/1.0, closes first)",
            "nat": f"tlab-nat: {topo.NAT_OUT_IP} outside, {topo.NAT_IN_IP}/24 bridge inside, MASQUERADE (default port selection)",
            "clients": {"cli1": topo.client_ip(0), "cli2": topo.client_ip(1)},
        },
        "sysctls": {"srv": {"net.core.somaxconn": 8192, "net.ipv4.tcp_max_syn_backlog": 8192},
                    "all": "defaults otherwise (tcp_timestamps=1: per-4-tuple random offsets)"},
        "programs": {"clients": f"lab/progs/client.py --count {per} --concurrency 48 --retries 3 (each client)",
                     "server": "lab/progs/server.py"},
        "connections": connections,
        "captures": [{"file": cap, "vantage": "server", "namespace": "tlab-srv", "interface": "eth0",
                      "snaplen": SNAP, "frames": len(pk), "tcpdump_dropped": dropped, "compress": True,
                      "committed": committed}],
        "nstat": nst,
        "client_outcomes": outcomes,
        "server_outcome": _json(os.path.join(w, "server.json")),
        "from_capture": {
            "syns": syns, "synacks": synacks, "client_rsts": client_rsts,
            "tw_bare_acks": len(bare), "tw_recovered_same_isn": recovered_in_capture,
            "tw_retry_on_same_nat_port": retry_same_port,
            "first_bare_ack_frames": [b[1] for b in bare[:5]],
        },
        "derived": {
            "rejections": paws,
            "recovered": recovered,
            "recovered_rule": "PAWSTimewait minus the connect attempts the client programs saw fail (each rejected SYN is retried by the client's kernel with the same ISN; only an attempt the program gave up on can hide an unrecovered rejection)",
            "failed_attempts": failed_attempts,
            "requests_succeeded": succeeded,
            "requests_failed": failed,
        },
        "kernel_checks": [
            "srv['TcpExtPAWSTimewait'] >= 10",
            "abs(cap['tw_bare_acks'] - srv['TcpExtPAWSTimewait']) <= max(1, srv['TcpExtPAWSTimewait'] // 100)",
            "cli1['TcpExtTCPSynRetrans'] + cli2['TcpExtTCPSynRetrans'] >= srv['TcpExtPAWSTimewait'] * 0.99",
            "abs(cap['tw_recovered_same_isn'] - srv['TcpExtPAWSTimewait']) <= max(1, srv['TcpExtPAWSTimewait'] // 100)",
            "out['cli1']['failed'] + out['cli2']['failed'] == 0",
            "out['cli1']['succeeded'] + out['cli2']['succeeded'] == out['cli1']['requests'] + out['cli2']['requests']",
            "srv['TcpExtPAWSEstab'] == 0",
        ],
        "expected_findings": {
            cap: {
                "must": [{
                    "code": "TIMEWAIT_SYN_REJECTED_OLD_TSVAL",
                    "frames_include": [b[1] for b in bare[:3]],
                    "evidence": {
                        "rejections": {"equals": paws, "tolerance_pct": 1},
                        "recovered": {"equals": recovered, "tolerance_pct": 1},
                    },
                }],
                "must_not": ["TW_RECYCLE_PER_HOST_PAWS_DROP", "MULTIPLE_TS_CLOCKS_BEHIND_IP",
                             "TS_CLOCK_RATE_ANOMALY", "INFLOW_TSVAL_REGRESSION", "TSECR_MISMATCH",
                             "SYN_UNANSWERED", "TSVAL_WRAP"],
                "max_severity": severity,
                "why": (
                    "rejections = the server's PAWSTimewait; recovered = every rejection whose request "
                    "the clients saw succeed; severity warning because all recovered. No clock line or rate "
                    "finding: every 4-tuple has its own random TS offset on this kernel, so the TSvals of one "
                    "address form one line per (inner host, 4-tuple), which is what per-4-tuple offsets "
                    "explain, not several machines."
                ),
            }
        },
    }
    return truth


# ---------------------------------------------------------------------------
# shared machinery of the small scenarios
# ---------------------------------------------------------------------------
COOKIE_MSS_V4 = (536, 1300, 1440, 1460)  # net/ipv4/syncookies.c msstab
NOT_WARN = ["TW_RECYCLE_PER_HOST_PAWS_DROP", "TIMEWAIT_SYN_REJECTED_OLD_TSVAL", "INFLOW_TSVAL_REGRESSION",
            "TSECR_MISMATCH", "SYN_UNANSWERED", "TS_OPTION_STRIPPED_OR_INJECTED"]


class Run:
    """One small scenario: server, captures, counters, client programs."""

    def __init__(self, lab, out, name, t, server_args=(), caps=None):
        self.lab, self.out, self.name, self.t = lab, out, name, t
        self.roles = {"srv": t["srv"], "nat": t["nat"]}
        for i, c in enumerate(t["clients"]):
            self.roles[f"cli{i + 1}"] = c
        lab.python("server", t["srv"], "server.py", "--bind", topo.SRV_IP, *server_args,
                   "--out", os.path.join(lab.workdir, "server.json"))
        lab.wait_log("server", "ready")
        self.caps = []
        self.tds = []
        for label, role, ifn in caps or [("", "srv", "eth0")]:
            f = f"{name}.{label}.pcap" if label else f"{name}.pcap"
            nm = f"td-{label or 'srv'}"
            self.tds.append((nm, lab.tcpdump(nm, self.roles[role], ifn, os.path.join(out, f), snaplen=SNAP)))
            self.caps.append({"file": f, "vantage": label or "server", "namespace": self.roles[role],
                              "interface": ifn, "snaplen": SNAP})
        self.before = _counters(lab, self.roles)
        self.outcomes = {}
        self.mono_before_ms = time.clock_gettime(time.CLOCK_MONOTONIC) * 1000

    def client(self, role, prog, *args, wait=True, label=None):
        label = label or f"{role}-{len(self.outcomes) + 1}"
        path = os.path.join(self.lab.workdir, f"{label}.json")
        p = self.lab.python(label, self.roles[role], prog, "--host", topo.SRV_IP, *args, "--out", path)
        if wait:
            _wait(self.lab, [(label, p)], 60)
            self.outcomes[label] = _json(path)
        return label, p, path

    def finish(self, pending=()):
        for label, p, path in pending:
            _wait(self.lab, [(label, p)], 60)
            self.outcomes[label] = _json(path)
        time.sleep(0.3)
        self.mono_after_ms = time.clock_gettime(time.CLOCK_MONOTONIC) * 1000
        after = _counters(self.lab, self.roles)
        for (nm, td), cap in zip(self.tds, self.caps):
            cap["tcpdump_dropped"] = self.lab.stop_tcpdump(td, nm)
        self.nstat = _deltas(self.before, after)
        self.pk = {}
        for cap in self.caps:
            self.pk[cap["vantage"]] = list(pcapread.packets(os.path.join(self.out, cap["file"])))
            cap["frames"] = len(self.pk[cap["vantage"]])
        return self

    def truth(self, intent, sysctls, kernel_checks, expected, **extra):
        t = {"intent": intent,
             "topology": _topology(self.t),
             "sysctls": sysctls,
             "captures": self.caps,
             "nstat": self.nstat,
             "client_outcomes": self.outcomes}
        t.update(extra)
        t["kernel_checks"] = kernel_checks
        t["expected_findings"] = expected
        return t


def _topology(t):
    return {
        "server": f"{topo.SRV_IP}:80 in {t['srv']} (lab/progs/server.py, HTTP/1.0, closes first)",
        "nat": f"{t['nat']}: {topo.NAT_OUT_IP} outside (eth0), {topo.NAT_IN_IP}/24 inside (br0)",
        "clients": {f"cli{i + 1}": f"{topo.client_ip(i)} in {c}" for i, c in enumerate(t["clients"])},
    }


def _kinds_name(kinds):
    names = {0: "EOL", 1: "NOP", 2: "MSS", 3: "WS", 4: "SACK_PERM", 5: "SACK", 8: "TS", 30: "MPTCP", 34: "TFO"}
    return [names.get(k, str(k)) for k in kinds]


def _is(p, *, syn=None, ack=None, rst=None, fin=None):
    f = p["flags"]
    for bit, want in ((SYN, syn), (ACK, ack), (RST, rst), (FIN, fin)):
        if want is not None and bool(f & bit) != want:
            return False
    return True


def _rate(points):
    """Ticks per second between the first and last (t, tsval) points."""
    if len(points) < 2 or points[-1][0] - points[0][0] < 0.5:
        return None
    (t0, v0), (t1, v1) = points[0], points[-1]
    return ((v1 - v0) & 0xFFFFFFFF) / (t1 - t0)


def _expect(file, must=(), must_not=(), max_severity="info", planned=(), why="", clock_lines=None):
    e = {"must": list(must), "must_not": sorted(set(must_not)), "max_severity": max_severity,
         "planned": list(planned), "why": why}
    if clock_lines is not None:
        e["clock_lines"] = clock_lines
    return {file: e}


# ---------------------------------------------------------------------------
# b. SYN cookies forced on the server, clients with and without timestamps
# ---------------------------------------------------------------------------
def syncookies(lab, out):
    t = topo.build(lab, n_clients=2, masquerade=False, srv_sysctls={"net.ipv4.tcp_syncookies": 2},
                   cli_sysctls=[{}, {"net.ipv4.tcp_timestamps": 0}])
    r = Run(lab, out, "syncookies", t)
    r.client("cli1", "client.py", "--count", "5", "--gap", "0.1", label="cli1")
    r.client("cli2", "client.py", "--count", "5", "--gap", "0.1", label="cli2")
    r.finish()
    pk = r.pk["server"]
    syns = [p for p in pk if _is(p, syn=True, ack=False)]
    synacks = [p for p in pk if _is(p, syn=True, ack=True)]
    per = {}
    for who, ip in (("cli1", topo.client_ip(0)), ("cli2", topo.client_ip(1))):
        ss = [p for p in syns if p["src"] == ip]
        sa = [p for p in synacks if p["dst"] == ip]
        per[who] = {
            "syns": len(ss), "synacks": len(sa),
            "syn_options": sorted({" ".join(_kinds_name(pcapread.option_kinds(p["opts"]))) for p in ss}),
            "synack_options": sorted({" ".join(_kinds_name(pcapread.option_kinds(p["opts"]))) for p in sa}),
            "synack_mss": sorted({pcapread.mss_of(p["opts"]) for p in sa}),
            "synack_frames": [p["frame"] for p in sa],
        }
    fc = {"per_client": per, "synack_retransmissions": len(synacks) - len({(p["dst"], p["dport"], p["seq"]) for p in synacks}),
          "cookie_mss_table": list(COOKIE_MSS_V4)}
    n = sum(o["succeeded"] for o in r.outcomes.values())
    return r.truth(
        "tcp_syncookies=2 on the server forces a SYN cookie for every connection. cli1 sends timestamps, cli2 has "
        "tcp_timestamps=0: its SYN-ACKs carry only MSS (no window scale, no SACK-permitted), although it offered both, "
        "because without timestamps the cookie has nowhere to keep them.",
        {"srv": {"net.ipv4.tcp_syncookies": 2}, "cli2": {"net.ipv4.tcp_timestamps": 0}},
        [
            "srv['TcpExtSyncookiesSent'] == 10",
            "srv['TcpExtSyncookiesRecv'] == 10",
            "srv['TcpExtSyncookiesFailed'] == 0",
            "out['cli1']['succeeded'] == 5 and out['cli2']['succeeded'] == 5",
            "cap['synack_retransmissions'] == 0",
            "cap['per_client']['cli2']['synack_options'] == ['MSS']",
            "all(m in cap['cookie_mss_table'] for c in cap['per_client'].values() for m in c['synack_mss'])",
            "any('TS' in o for o in cap['per_client']['cli1']['synack_options'])",
        ],
        _expect("syncookies.pcap", must_not=NOT_WARN + ["MULTIPLE_TS_CLOCKS_BEHIND_IP"],
                must=[{"code": "SYN_COOKIES", "frames_include": per["cli2"]["synack_frames"][:2]}],
                why="Cookies are context, not an anomaly: info at most; the cost for the TS-less client (cli2 lost "
                    "window scaling and SACK) is the SYN_COOKIES finding's (was planned), on cli2's SYN-ACKs."),
        from_capture=fc, succeeded=n,
    )


# ---------------------------------------------------------------------------
# c. tcp_timestamps=2 on the host and the container: one shared clock
# ---------------------------------------------------------------------------
def ts_no_offset(lab, out):
    t = topo.build(lab, n_clients=2, cli_sysctls={"net.ipv4.tcp_timestamps": 2})
    r = Run(lab, out, "ts-no-offset", t)
    # Alternating, each client from its own pinned source port (every
    # reconnect reuses the server's TIME_WAIT 4-tuple) and once from a
    # random one: with =2 all of it is one clock.
    for i in range(8):
        who = "cli1" if i % 2 == 0 else "cli2"
        port = ["--sport", "50010" if who == "cli1" else "50020"] if i < 6 else []
        r.client(who, "client.py", "--count", "1", "--retries", "0", *port, label=f"{who}-{i // 2 + 1}")
        time.sleep(0.25)
    r.finish()
    pk = r.pk["server"]
    syns = [p for p in pk if _is(p, syn=True, ack=False)]
    client_ts = [(p["t"], p["tsval"]) for p in pk if p["dport"] == 80 and p["tsval"] is not None]
    fc = {
        "syns": len(syns),
        "syn_tsvals": [p["tsval"] for p in syns],
        "client_tsval_min": min(v for _, v in client_ts), "client_tsval_max": max(v for _, v in client_ts),
        "monotonic_ms_before": int(r.mono_before_ms), "monotonic_ms_after": int(r.mono_after_ms + 1),
        "client_rate_hz": round(_rate(sorted(client_ts)) or 0, 1),
        "tw_bare_acks": len(_bare_acks(pk)),
    }
    return r.truth(
        "The TS-01 remedy's '=2 in every namespace of one physical host': the host (cli1) and the container (cli2) "
        "both set tcp_timestamps=2 (no random offset) behind one MASQUERADE address and connect alternately, three "
        "times each from a pinned source port (reusing the server's TIME_WAIT 4-tuple) and once from a random one. "
        "Their TSvals are the kernel's CLOCK_MONOTONIC in ms: one clock line for both namespaces and every 4-tuple, "
        "and every reuse is accepted (no PAWSTimewait).",
        {"cli1": {"net.ipv4.tcp_timestamps": 2}, "cli2": {"net.ipv4.tcp_timestamps": 2}},
        [
            "srv['TcpExtPAWSTimewait'] == 0 and srv['TcpExtPAWSEstab'] == 0",
            "cap['tw_bare_acks'] == 0",
            "cap['syns'] == 8",
            "all(o['succeeded'] == 1 and o['attempts'] == 1 for o in out.values())",
            "cap['monotonic_ms_before'] <= cap['client_tsval_min'] <= cap['client_tsval_max'] <= cap['monotonic_ms_after']",
            "all(b > a for a, b in zip(cap['syn_tsvals'], cap['syn_tsvals'][1:]))",
        ],
        _expect("ts-no-offset.pcap", must_not=NOT_WARN + ["MULTIPLE_TS_CLOCKS_BEHIND_IP", "TS_CLOCK_RATE_ANOMALY"],
                clock_lines=[{"client": topo.NAT_OUT_IP, "server": topo.SRV_IP, "lines": 1}],
                planned=[{"code": "TS_NO_OFFSET", "severity": "info",
                          "says": "TSvals track the host's uptime (tcp_timestamps=2): host and containers share one clock"}],
                why="One clock line for both namespaces: no NAT clocks finding, no TIME_WAIT rejection."),
        from_capture=fc,
    )


# ---------------------------------------------------------------------------
# d. microsecond TS clock (RTAX_FEATURES bit 0x10 on the client's route)
# ---------------------------------------------------------------------------
USEC_ROUTE = """
import sys
from pyroute2 import IPRoute
with IPRoute() as ip:
    idx = ip.link_lookup(ifname="eth0")[0]
    ip.route("replace", dst=sys.argv[1], gateway=sys.argv[2], oif=idx, metrics={"features": 0x10})
    print([r.get_attr("RTA_METRICS") for r in ip.get_routes(dst=sys.argv[1].split("/")[0])])
"""


def usec_ts(lab, out):
    t = topo.build(lab, n_clients=1, masquerade=False)
    cli = t["clients"][0]
    netlab.run(["python3", "-c", USEC_ROUTE, "198.51.100.0/24", topo.NAT_IN_IP], ns=cli)
    route = netlab.run(["ip", "route", "show", "198.51.100.0/24"], ns=cli).stdout.strip()
    r = Run(lab, out, "usec-ts", t, caps=[("", "cli1", "eth0")])
    r.client("cli1", "stream.py", "--chunks", "25", "--gap", "0.1", label="cli1")
    r.finish()
    pk = r.pk["server"]
    c2s = [(p["t"], p["tsval"]) for p in pk if p["dport"] == 80 and p["tsval"] is not None]
    s2c = [(p["t"], p["tsval"]) for p in pk if p["sport"] == 80 and p["tsval"] is not None]
    wrapped = any(b[1] < a[1] for a, b in zip(c2s, c2s[1:]))
    fc = {"client_rate_hz": round(_rate(c2s) or 0), "server_rate_hz": round(_rate(s2c) or 0),
          "client_span_s": round(c2s[-1][0] - c2s[0][0], 3), "client_tsval_wrapped": wrapped,
          "route": route}
    must_not = NOT_WARN + ["MULTIPLE_TS_CLOCKS_BEHIND_IP", "TS_CLOCK_RATE_ANOMALY"]
    if not wrapped:
        must_not.append("TSVAL_WRAP")
    return r.truth(
        "The client's route to the server has RTAX_FEATURES bit 0x10 (RTAX_FEATURE_TCP_USEC_TS, set through netlink "
        "with pyroute2: Debian 12's iproute2 lacks 'features tcp_usec_ts'): its TSvals advance 10^6 a second, the "
        "server's (no such route) 1000 a second. One 2.5 s connection, captured at the client.",
        {"cli1": {"route 198.51.100.0/24": "features 0x10 (tcp_usec_ts)"}},
        [
            "abs(cap['client_rate_hz'] - 1e6) < 2e4",
            "abs(cap['server_rate_hz'] - 1e3) < 50",
            "cap['client_span_s'] >= 2",
            "out['cli1']['succeeded'] == 1",
        ],
        # Frame 1: the client's SYN, which starts its clock line (the
        # capture holds only this one connection).
        _expect("usec-ts.pcap", must_not=must_not,
                must=[{"code": "TS_CLOCK_USEC", "frames_include": [1]}],
                why="A 1 MHz clock is a known mode (Linux >= 6.7, per route), not an anomaly. TS_CLOCK_USEC (was "
                    "planned) is that known mode's info note: it says the clock wraps every 71.6 min and PAWS is "
                    "relaxed after 2147 s idle; frame 1 is the SYN that starts the client's clock line."),
        from_capture=fc,
    )


# ---------------------------------------------------------------------------
# e. PAWS drop inside an established connection, and the harmless old ACK
# ---------------------------------------------------------------------------
def _nfq(lab, t, mode, *args, chain_args=()):
    path = os.path.join(lab.workdir, "nfq.json")
    lab.ipt(t["nat"], "-t", "mangle", "-A", "FORWARD", "-p", "tcp", *chain_args, "-j", "NFQUEUE", "--queue-num", "1")
    p = lab.python("nfq", t["nat"], "nfq.py", mode, "--out", path, *args)
    lab.wait_log("nfq", "ready")
    return p, path


def _stop_nfq(lab, p, path):
    lab.stop(p)
    return _json(path)


def paws_estab(lab, out):
    t = topo.build(lab, n_clients=1, masquerade=False)
    nfq, nfq_out = _nfq(lab, t, "lower-tsval", "--every", "10", "--by", "100000", "--max", "4")
    r = Run(lab, out, "paws-estab", t, caps=[("", "srv", "eth0"), ("client", "cli1", "eth0")])
    r.client("cli1", "stream.py", "--chunks", "50", "--size", "200", "--gap", "0.02", label="cli1")
    log = _stop_nfq(lab, nfq, nfq_out)
    r.finish()
    pk = r.pk["server"]
    changed = {(c["seq"], c["tsval_now"]) for c in log["changed"]}
    frames = [p["frame"] for p in pk if p["dport"] == 80 and (p["seq"], p["tsval"]) in changed]
    dupacks = 0
    for f in frames:
        nxt = next((q for q in pk[f:] if q["sport"] == 80), None)
        if nxt is not None and nxt["len"] == 0 and nxt["flags"] == ACK:
            dupacks += 1
    fc = {"lowered_segments": len(log["changed"]), "lowered_frames": frames,
          "lowered_by_ticks": 100000, "dupacks_right_after": dupacks}
    n = len(frames)
    return r.truth(
        "An NFQUEUE helper on the path lowers the TSval of every 10th client data segment by 100000 (4 in all), as a "
        "middlebox that rewrites timestamps would: the server's PAWS check drops each (PAWSEstab) and answers with a "
        "duplicate ACK; the client retransmits and the request completes.",
        {}, [
            "srv['TcpExtPAWSEstab'] == cap['lowered_segments']",
            "cap['lowered_segments'] == 4 and len(cap['lowered_frames']) == 4",
            "cap['dupacks_right_after'] == cap['lowered_segments']",
            "out['cli1']['succeeded'] == 1",
        ],
        _expect("paws-estab.client.pcap", must_not=NOT_WARN + ["MULTIPLE_TS_CLOCKS_BEHIND_IP"],
                why="the client's own view: its TSvals left it intact, the path lowered them later") | _expect("paws-estab.pcap",
                must=[{"code": "INFLOW_TSVAL_REGRESSION", "frames_include": frames,
                       "evidence": {"regressions": {"equals": n, "tolerance_pct": 0}}}],
                must_not=["TW_RECYCLE_PER_HOST_PAWS_DROP", "TIMEWAIT_SYN_REJECTED_OLD_TSVAL", "SYN_UNANSWERED",
                          "MULTIPLE_TS_CLOCKS_BEHIND_IP"],
                max_severity="warning",
                why="INFLOW_TSVAL_REGRESSION's count must be the server's PAWSEstab. Warning, not critical: each "
                    "drop is followed by duplicate ACKs and a retransmission, but the connection progresses and "
                    "the request succeeds (spec TS-03: critical only when retransmissions make no progress)."),
        from_capture=fc, helper=log, rewrites=_rewrites(r.pk["client"], r.pk["server"]),
    )


def paws_old_ack(lab, out):
    t = topo.build(lab, n_clients=1, masquerade=False)
    nfq, nfq_out = _nfq(lab, t, "hold-ack", "--max", "30")
    r = Run(lab, out, "paws-old-ack", t, server_args=("--echo", "0.02"), caps=[("", "cli1", "eth0")])
    r.client("cli1", "stream.py", "--chunks", "40", "--size", "100", "--gap", "0.03", label="cli1")
    log = _stop_nfq(lab, nfq, nfq_out)
    r.finish()
    # What the client's tcp_disordered_ack_check() sees: a pure ACK whose
    # seq is below data already received and whose TSval is older (by more
    # than the 1-tick PAWS window) than the newest one.
    nxt = ts_max = None
    old_acks = []
    for p in r.pk["server"]:
        if p["sport"] != 80 or p["tsval"] is None or p["flags"] & SYN:
            continue
        if p["flags"] == ACK and p["len"] == 0 and nxt is not None:
            if ((nxt - p["seq"]) & 0xFFFFFFFF) < 1 << 31 and nxt != p["seq"] \
                    and ((ts_max - p["tsval"]) & 0xFFFFFFFF) not in (0, 1) \
                    and ((ts_max - p["tsval"]) & 0xFFFFFFFF) < 1 << 31:
                old_acks.append(p["frame"])
        end = (p["seq"] + p["len"]) & 0xFFFFFFFF
        if nxt is None or ((end - nxt) & 0xFFFFFFFF) < 1 << 31:
            nxt = end
        if ts_max is None or ((p["tsval"] - ts_max) & 0xFFFFFFFF) < 1 << 31:
            ts_max = p["tsval"]
    fc = {"held_acks": len(log["changed"]), "old_pure_acks": len(old_acks), "old_pure_ack_frames": old_acks}
    return r.truth(
        "An NFQUEUE helper holds the server's pure ACKs back until its next data segment has passed, the XPS reordering "
        "of the 2025 PAWSOldAck patch: the client sees old pure ACKs with a TSval a few ms older than the data before "
        "them and drops them silently (PAWSOldAck, no duplicate ACK, no PAWSEstab). Harmless.",
        {"server": "--echo 0.02 (echoes each chunk 20 ms later)"}, [
            "cli1['TcpExtPAWSOldAck'] >= 1",
            "cli1['TcpExtPAWSEstab'] == 0",
            "cap['held_acks'] >= cli1['TcpExtPAWSOldAck']",
            "cap['old_pure_acks'] == cli1['TcpExtPAWSOldAck']",
            "out['cli1']['succeeded'] == 1",
        ],
        _expect("paws-old-ack.pcap", must_not=NOT_WARN + ["MULTIPLE_TS_CLOCKS_BEHIND_IP"],
                planned=[{"code": "PAWS_OLD_ACK", "severity": "info", "frames_include": old_acks,
                          "says": "reordered old pure ACKs (PAWSOldAck since 2025): harmless"}],
                why="The kernel separates these from PAWSEstab since 2025: not a warning."),
        from_capture=fc, helper=log,
    )


# ---------------------------------------------------------------------------
# f. third ACK with a wrong TSecr (TSEcrRejected, Linux >= 6.15)
# ---------------------------------------------------------------------------
def tsecr_rejected(lab, out):
    t = topo.build(lab, n_clients=1, masquerade=False)
    nfq, nfq_out = _nfq(lab, t, "bad-tsecr", "--by", "1000000")
    r = Run(lab, out, "tsecr-rejected", t, caps=[("", "srv", "eth0"), ("client", "cli1", "eth0")])
    r.client("cli1", "stream.py", "--chunks", "1", "--delay-first", "3.5", label="cli1")
    log = _stop_nfq(lab, nfq, nfq_out)
    r.finish()
    pk = r.pk["server"]
    synacks = [p for p in pk if _is(p, syn=True, ack=True)]
    changed = {(c["ack"], c["tsecr_now"]) for c in log["changed"]}
    frames = [p["frame"] for p in pk if p["dport"] == 80 and (p["ack"], p["tsecr"]) in changed]
    # What the server's SYN_RECV check sees: a client ACK is refused while
    # its TSecr is outside [first, last] of the SYN-ACK TSvals sent so far.
    lo = hi = None
    outside, outside_frames = 0, []
    for p in pk:
        if p["sport"] == 80 and _is(p, syn=True, ack=True):
            lo = p["tsval"] if lo is None else lo
            hi = p["tsval"]
        elif p["dport"] == 80 and _is(p, syn=False, ack=True) and p["tsecr"] is not None and lo is not None:
            if lo <= p["tsecr"] <= hi:
                break
            outside += 1
            outside_frames.append(p["frame"])
    fc = {"bad_tsecr_segments": len(log["changed"]), "bad_tsecr_frames": frames,
          "tsecr_outside_synack_range": outside, "tsecr_outside_frames": outside_frames,
          "synacks": len(synacks), "synack_frames": [p["frame"] for p in synacks]}
    return r.truth(
        "An NFQUEUE helper gives the client's third ACK (and its pure ACKs before its first data) a TSecr the server "
        "never sent. Linux >= 6.15 checks the third ACK's TSecr against the SYN-ACKs' TSvals: it counts TSEcrRejected, "
        "stays in SYN_RECV, answers each with an ACK and retransmits its SYN-ACK. Measured: the client's data then "
        "echoes the TSval of those ACKs, which is newer than the last SYN-ACK's, so the data is refused as well "
        "(counted too) until a retransmitted SYN-ACK's TSval passes it: the request completes seconds late.",
        {}, [
            "cap['bad_tsecr_segments'] >= 1",
            "srv['TcpExtTSEcrRejected'] == cap['tsecr_outside_synack_range']",
            "cap['synacks'] >= 2",
            "out['cli1']['succeeded'] == 1",
        ],
        _expect("tsecr-rejected.client.pcap", must_not=NOT_WARN + ["MULTIPLE_TS_CLOCKS_BEHIND_IP"],
                why="the client's own view: its third ACK left with the right TSecr") | _expect("tsecr-rejected.pcap",
                must=[{"code": "TSECR_MISMATCH", "frames_include": frames[:1]}],
                must_not=["TW_RECYCLE_PER_HOST_PAWS_DROP", "TIMEWAIT_SYN_REJECTED_OLD_TSVAL", "SYN_UNANSWERED",
                          "MULTIPLE_TS_CLOCKS_BEHIND_IP"],
                max_severity="warning",
                why="TS-05's third-ACK subcase: the TSecr is none of the server's TSvals; the kernel counted each."),
        from_capture=fc, helper=log, rewrites=_rewrites(r.pk["client"], r.pk["server"]),
    )


# ---------------------------------------------------------------------------
# g. middleboxes on the NAT: TCPOPTSTRIP, TCPMSS, SYNPROXY (both sides)
# ---------------------------------------------------------------------------
def _pairs(inner, outer, c_ip):
    """Inner and outer segments of one direction paired in order (SYNs with
    SYNs, data and FINs with data and FINs)."""
    def sel(pk, to_server, cls):
        out_ = []
        for p in pk:
            if (p["dport"] == 80) != to_server:
                continue
            if cls == "syn" and p["flags"] & SYN:
                out_.append(p)
            elif cls == "data" and not p["flags"] & (SYN | RST) and (p["len"] > 0 or p["flags"] & FIN):
                out_.append(p)
            elif cls == "ack" and p["flags"] == ACK and p["len"] == 0:
                out_.append(p)
        return out_
    res = {}
    for d, to_s in (("client_to_server", True), ("server_to_client", False)):
        for cls in ("syn", "data", "ack"):
            a, b = sel(inner, to_s, cls), sel(outer, to_s, cls)
            # Pure ACKs pair up only where the box made or ate none.
            if cls == "ack" and len(a) != len(b):
                continue
            res[(d, cls)] = list(zip(a, b))
    return res


def _rewrites(inner, outer):
    out_ = {}
    for (d, cls), pairs in _pairs(inner, outer, None).items():
        if not pairs:
            continue
        ts_removed = sum(1 for a, b in pairs if a["tsval"] is not None and b["tsval"] is None)
        ts_added = sum(1 for a, b in pairs if a["tsval"] is None and b["tsval"] is not None)
        kinds_in = sorted({" ".join(_kinds_name(pcapread.option_kinds(a["opts"]))) for a, _ in pairs})
        kinds_out = sorted({" ".join(_kinds_name(pcapread.option_kinds(b["opts"]))) for _, b in pairs})
        first_in, first_out = (pairs[0][0], pairs[0][1]) if d == "client_to_server" else (pairs[0][1], pairs[0][0])
        mss = sorted({(pcapread.mss_of(a["opts"]), pcapread.mss_of(b["opts"])) for a, b in pairs})
        tsv = sorted({(b["tsval"] - a["tsval"]) & 0xFFFFFFFF for a, b in pairs
                      if a["tsval"] is not None and b["tsval"] is not None})
        tse = sorted({(b["tsecr"] - a["tsecr"]) & 0xFFFFFFFF for a, b in pairs
                      if a["tsecr"] is not None and b["tsecr"] is not None and a["flags"] & ACK})
        # "before" is the side the segment entered the NAT on.
        before, after = ("inner", "outer") if d == "client_to_server" else ("outer", "inner")
        e = {"segments": len(pairs), "ts_removed": ts_removed, "ts_added": ts_added,
             f"options_{before}": kinds_in if before == "inner" else kinds_out,
             f"options_{after}": kinds_out if before == "inner" else kinds_in}
        if any(x != y for x, y in mss):
            e["mss_inner_outer"] = [list(m) for m in mss]
        signed = lambda v: v - (1 << 32) if v >= 1 << 31 else v  # noqa: E731
        if any(tsv):
            e["tsval_outer_minus_inner"] = sorted({signed(v) for v in tsv})[:5]
        if any(tse):
            e["tsecr_outer_minus_inner"] = sorted({signed(v) for v in tse})[:5]
        out_[f"{d}.{cls}"] = e
        del first_in, first_out
    return out_


def _bad_tsecr(pk):
    """Client ACKs whose TSecr is none of the server's TSvals so far."""
    seen, bad = set(), []
    for p in pk:
        if p["sport"] == 80 and p["tsval"] is not None:
            seen.add(p["tsval"])
        elif p["dport"] == 80 and p["flags"] & ACK and p["tsecr"] and p["tsecr"] not in seen:
            bad.append(p["frame"])
    return bad


def _middlebox(lab, out, name, rules, intent, checks, expected_fn, nat_sysctls=None, clients_args=()):
    t = topo.build(lab, n_clients=1, nat_sysctls=nat_sysctls)
    for rule in rules:
        lab.ipt(t["nat"], *rule)
    r = Run(lab, out, name, t, caps=[("inner", "nat", "br0"), ("outer", "nat", "eth0")])
    r.client("cli1", "client.py", "--count", "3", "--gap", "0.2", "--retries", "0", *clients_args, label="cli1")
    r.finish()
    rw = _rewrites(r.pk["inner"], r.pk["outer"])
    rw["rules"] = [" ".join(["iptables"] + list(x)) for x in rules]
    inner = r.pk["inner"]
    syns = [p for p in inner if _is(p, syn=True, ack=False)]
    fc = {"inner_syns": len(syns), "inner_frames": len(inner), "outer_frames": len(r.pk["outer"]),
          "outer_bad_tsecr_frames": _bad_tsecr(r.pk["outer"]),
          "outer_syn_with_nonzero_tsecr": [p["frame"] for p in r.pk["outer"]
                                           if _is(p, syn=True, ack=False) and p["tsecr"]]}
    return r.truth(intent, {"nat": nat_sysctls or {}}, checks, expected_fn(r, rw), from_capture=fc, rewrites=rw)


def strip_ts_syn(lab, out):
    return _middlebox(
        lab, out, "strip-ts-syn",
        [("-t", "mangle", "-A", "FORWARD", "-p", "tcp", "--syn", "-j", "TCPOPTSTRIP", "--strip-options", "timestamp")],
        "iptables TCPOPTSTRIP --strip-options timestamp on SYNs only, on the NAT: the option is overwritten with ten "
        "NOPs, the server answers without timestamps, and the connection runs without them.",
        ["rw['client_to_server.syn']['ts_removed'] == rw['client_to_server.syn']['segments'] == 3",
         "'NOP NOP NOP NOP NOP NOP NOP NOP NOP NOP' in ' '.join(rw['client_to_server.syn']['options_outer'])",
         "out['cli1']['succeeded'] == 3"],
        lambda r, rw: {
            **_expect("strip-ts-syn.outer.pcap",
                      must=[{"code": "TS_OPTION_STRIPPED_OR_INJECTED",
                             "frames_include": [p["frame"] for p in r.pk["outer"] if _is(p, syn=True, ack=False)][:1]}],
                      must_not=["TW_RECYCLE_PER_HOST_PAWS_DROP", "TIMEWAIT_SYN_REJECTED_OLD_TSVAL",
                                "MULTIPLE_TS_CLOCKS_BEHIND_IP", "SYN_UNANSWERED"],
                      max_severity="warning", why="ten NOPs where the TS option was (TS-04)"),
            **_expect("strip-ts-syn.inner.pcap", must=[{"code": "TS_NOT_NEGOTIATED", "frames_include": []}],
                      must_not=NOT_WARN + ["MULTIPLE_TS_CLOCKS_BEHIND_IP"],
                      why="inside, a SYN with TS and a SYN-ACK without looks like a server with TS off: info; only the "
                          "two vantages together (correlate) show the NAT stripped it"),
        })


def strip_ts_all(lab, out):
    return _middlebox(
        lab, out, "strip-ts-all",
        [("-t", "mangle", "-A", "FORWARD", "-p", "tcp", "-j", "TCPOPTSTRIP", "--strip-options", "timestamp")],
        "iptables TCPOPTSTRIP --strip-options timestamp on every segment in both directions, on the NAT. The SYN "
        "loses the option as in strip-ts-syn, so no segment after it carries one either.",
        ["rw['client_to_server.syn']['ts_removed'] == rw['client_to_server.syn']['segments'] == 3",
         "out['cli1']['succeeded'] == 3"],
        lambda r, rw: {
            **_expect("strip-ts-all.outer.pcap",
                      must=[{"code": "TS_OPTION_STRIPPED_OR_INJECTED",
                             "frames_include": [p["frame"] for p in r.pk["outer"] if _is(p, syn=True, ack=False)][:1]}],
                      must_not=["TW_RECYCLE_PER_HOST_PAWS_DROP", "TIMEWAIT_SYN_REJECTED_OLD_TSVAL",
                                "MULTIPLE_TS_CLOCKS_BEHIND_IP", "SYN_UNANSWERED"],
                      max_severity="warning", why="ten NOPs where the TS option was (TS-04)"),
            **_expect("strip-ts-all.inner.pcap", must=[{"code": "TS_NOT_NEGOTIATED", "frames_include": []}],
                      must_not=NOT_WARN + ["MULTIPLE_TS_CLOCKS_BEHIND_IP"], why="as strip-ts-syn inside"),
        })


def tcpmss(lab, out):
    return _middlebox(
        lab, out, "tcpmss",
        [("-t", "mangle", "-A", "FORWARD", "-p", "tcp", "--tcp-flags", "SYN,RST", "SYN", "-j", "TCPMSS",
          "--set-mss", "1200")],
        "iptables TCPMSS --set-mss 1200 on the NAT: the SYN's MSS 1460 leaves as 1200 (and the SYN-ACK's too); "
        "timestamps are untouched. Nothing timestamp-related to report; correlate shows the rewrite.",
        ["[1460, 1200] in rw['client_to_server.syn']['mss_inner_outer']",
         "rw['client_to_server.syn']['ts_removed'] == 0",
         "out['cli1']['succeeded'] == 3"],
        lambda r, rw: {
            **_expect("tcpmss.outer.pcap", must_not=NOT_WARN + ["MULTIPLE_TS_CLOCKS_BEHIND_IP", "TS_NOT_NEGOTIATED"]),
            **_expect("tcpmss.inner.pcap", must_not=NOT_WARN + ["MULTIPLE_TS_CLOCKS_BEHIND_IP", "TS_NOT_NEGOTIATED"]),
        })


def synproxy(lab, out):
    rules = [
        ("-t", "raw", "-A", "PREROUTING", "-i", "br0", "-p", "tcp", "--dport", "80", "--syn", "-j", "CT", "--notrack"),
        ("-A", "FORWARD", "-i", "br0", "-p", "tcp", "--dport", "80", "-m", "conntrack", "--ctstate",
         "INVALID,UNTRACKED", "-j", "SYNPROXY", "--sack-perm", "--timestamp", "--wscale", "7", "--mss", "1460"),
        ("-A", "FORWARD", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP"),
    ]
    return _middlebox(
        lab, out, "synproxy", rules,
        "netfilter SYNPROXY with --timestamp on the NAT: it answers the client's SYN itself (a cookie SYN-ACK with "
        "its own TSval), then opens the connection to the server, and from then on shifts every TSval and TSecr by a "
        "constant (synproxy_tstamp_adjust): the two sides of the NAT see different timestamps for the same segments.",
        ["len(rw['server_to_client.data']['tsval_outer_minus_inner']) == 3",
         "sorted(rw['server_to_client.data']['tsval_outer_minus_inner']) == sorted(rw['client_to_server.data']['tsecr_outer_minus_inner'])",
         "srv['TcpExtTSEcrRejected'] == 3",
         "len(cap['outer_bad_tsecr_frames']) == 3",
         "out['cli1']['succeeded'] == 3"],
        lambda r, rw: {
            **_expect("synproxy.outer.pcap",
                      must=[{"code": "TSECR_MISMATCH", "frames_include": _bad_tsecr(r.pk["outer"])[:1]}],
                      must_not=["TW_RECYCLE_PER_HOST_PAWS_DROP", "TIMEWAIT_SYN_REJECTED_OLD_TSVAL",
                                "SYN_UNANSWERED", "MULTIPLE_TS_CLOCKS_BEHIND_IP", "INFLOW_TSVAL_REGRESSION"],
                      max_severity="warning",
                      why="measured: SYNPROXY's own third ACK to the server echoes the server's TSval shifted by "
                          "the connection's TS offset, a TSecr the server never sent; the server counts "
                          "TSEcrRejected for each (the connection completes with the client's first data)"),
            **_expect("synproxy.inner.pcap", must_not=["TW_RECYCLE_PER_HOST_PAWS_DROP", "TIMEWAIT_SYN_REJECTED_OLD_TSVAL",
                                                       "SYN_UNANSWERED"],
                      max_severity="warning",
                      planned=[{"code": "TS_MODULATION", "severity": "info",
                                "says": "a constant TSval/TSecr shift between the two sides: SYNPROXY or pf scrub"}],
                      why="each side alone is consistent TCP; the constant shift is visible only to correlate"),
        }, nat_sysctls={"net.netfilter.nf_conntrack_tcp_loose": 0})


# ---------------------------------------------------------------------------
# h. one 4-tuple from two clients: a SYN on a live connection
# ---------------------------------------------------------------------------
def collision(lab, out):
    # cli2 has cli1's address: the load balancer that keeps client addresses
    # (or a NAT that does not track connections). The NAT box routes the
    # answers to cli1 only (a permanent neighbour entry).
    t = topo.build(lab, n_clients=2, masquerade=False, client_addrs={1: topo.client_ip(0)})
    mac = json.loads(netlab.run(["ip", "-j", "link", "show", "eth0"], ns=t["clients"][0]).stdout)[0]["address"]
    netlab.run(["ip", "neigh", "replace", topo.client_ip(0), "lladdr", mac, "nud", "permanent", "dev", "br0"],
               ns=t["nat"])
    r = Run(lab, out, "collision", t)
    live = r.client("cli1", "stream.py", "--chunks", "30", "--gap", "0.1", "--sport", "40000", wait=False, label="cli1")
    time.sleep(0.8)
    r.client("cli2", "client.py", "--count", "1", "--retries", "0", "--timeout", "1.5", "--sport", "40000", label="cli2")
    r.finish(pending=[live])
    pk = r.pk["server"]
    bare = _bare_acks(pk)
    out_ok = r.outcomes["cli2"]["succeeded"]
    fc = {"syns": sum(1 for p in pk if _is(p, syn=True, ack=False)),
          "syn_on_live_answered_by_ack": len(bare), "frames": [(b[0], b[1]) for b in bare]}
    return r.truth(
        "Two clients with one address (cli2 has cli1's 192.0.2.10, as behind a load balancer that keeps client "
        "addresses) use the same source port: cli2's SYN arrives on the 4-tuple of cli1's live connection. The server answers it with a "
        "challenge ACK (RFC 5961 4.2; TcpExtTCPChallengeACK, TCPSYNChallenge), which goes to cli1; cli2 never connects.",
        {}, [
            "srv['TcpExtTCPSYNChallenge'] >= 1",
            "srv['TcpExtTCPSYNChallenge'] == cap['syns'] - 1",
            "cap['syn_on_live_answered_by_ack'] >= 1",
            "out['cli1']['succeeded'] == 1",
            "out['cli2']['failed'] == 1",
        ],
        _expect("collision.pcap",
                must=[{"code": "FOURTUPLE_COLLISION", "frames_include": [b[0] for b in bare[:1]] + [b[1] for b in bare[:1]],
                       "evidence": {"recovered": {"equals": out_ok, "tolerance_pct": 0},
                                    "syn_segments": {"equals": r.nstat["srv"].get("TcpExtTCPSYNChallenge", 0),
                                                     "tolerance_pct": 0}}}],
                must_not=["TW_RECYCLE_PER_HOST_PAWS_DROP", "TIMEWAIT_SYN_REJECTED_OLD_TSVAL"],
                max_severity="critical",
                why="A SYN on a live 4-tuple answered by a challenge ACK; cli2 never connected (recovered = the "
                    "colliding client's successes), so critical. Not a TIME_WAIT rejection (the previous "
                    "connection is alive) and not per-host PAWS."),
        from_capture=fc,
    )


def busy_nat_no_ts(lab, out, connections=100000):
    """Experiment (not committed, not in the default run): TS-02's remedy
    'disable client timestamps' on the busy NAT. TIME_WAIT then accepts a
    SYN only when its sequence number is after the old connection's."""
    t = busy_nat(lab, out, connections, name="busy-nat-no-ts", committed=False,
                 cli_sysctls={"net.ipv4.tcp_timestamps": 0})
    t["kernel_checks"] = ["out['cli1']['failed'] + out['cli2']['failed'] == 0"]
    t["expected_findings"] = {}
    return t


def busy_nat_random_fully(lab, out, connections=100000):
    """Experiment: TS-02's remedy 'randomise the NAT's port pool'
    (MASQUERADE --random-fully) on the busy NAT."""
    t = busy_nat(lab, out, connections, name="busy-nat-random-fully", committed=False,
                 masq_args=("--random-fully",))
    t["kernel_checks"] = ["out['cli1']['failed'] + out['cli2']['failed'] == 0"]
    t["expected_findings"] = {}
    return t


def busy_nat_client_closes(lab, out, connections=100000):
    """Experiment: TS-02's remedy 'let clients close first' on the busy NAT."""
    t = busy_nat(lab, out, connections, name="busy-nat-client-closes", committed=False, client_closes=True)
    t["kernel_checks"] = ["out['cli1']['failed'] + out['cli2']['failed'] == 0"]
    t["expected_findings"] = {}
    return t


EXPERIMENTS = {"busy-nat-no-ts": busy_nat_no_ts, "busy-nat-random-fully": busy_nat_random_fully,
               "busy-nat-client-closes": busy_nat_client_closes}

ORDER = {
    "busy-nat": busy_nat,
    "syncookies": syncookies,
    "ts-no-offset": ts_no_offset,
    "usec-ts": usec_ts,
    "paws-estab": paws_estab,
    "paws-old-ack": paws_old_ack,
    "tsecr-rejected": tsecr_rejected,
    "strip-ts-syn": strip_ts_syn,
    "strip-ts-all": strip_ts_all,
    "tcpmss": tcpmss,
    "synproxy": synproxy,
    "collision": collision,
}
