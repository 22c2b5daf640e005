#!/usr/bin/env python3
"""NFQUEUE helper on the path (FORWARD hook of the middle namespace): it
emulates what a broken middlebox or a reordering NIC does to TCP
timestamps, and logs every segment it changed (the truth counts them).

Modes:
  lower-tsval  client->server data segments: every --every'th gets its TSval
               lowered by --by (a middlebox rewriting TS, a failover);
               the receiver's PAWS check drops them (PAWSEstab).
  bad-tsecr    client->server pure ACKs before the client's first data
               segment get a TSecr the server never sent (the third ACK
               of the handshake included): TSEcrRejected on Linux >= 6.15.
  hold-ack     server->client pure ACKs are held back until the server's
               next data segment has passed (the XPS reordering of the
               2025 PAWSOldAck patch): the client drops the old ACKs
               without a duplicate ACK (PAWSOldAck).
IPv4 only. Stops on SIGTERM/SIGINT and writes --out.
"""
import argparse
import json
import signal
import socket
import struct
import sys

from netfilterqueue import NetfilterQueue


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp_fix_checksum(pkt):
    ihl = (pkt[0] & 15) * 4
    total = struct.unpack_from("!H", pkt, 2)[0]
    seg = bytearray(pkt[ihl:total])
    seg[16:18] = b"\0\0"
    pseudo = bytes(pkt[12:20]) + struct.pack("!BBH", 0, 6, len(seg))
    struct.pack_into("!H", pkt, ihl + 16, checksum(pseudo + bytes(seg)))


def ts_offset(pkt):
    """Byte offset of the TS option's TSval in the IP packet, or None."""
    ihl = (pkt[0] & 15) * 4
    doff = (pkt[ihl + 12] >> 4) * 4
    i, end = ihl + 20, ihl + doff
    while i < end:
        k = pkt[i]
        if k == 0:
            return None
        if k == 1:
            i += 1
            continue
        if i + 1 >= end or pkt[i + 1] < 2:
            return None
        if k == 8 and pkt[i + 1] == 10:
            return i + 2
        i += pkt[i + 1]
    return None


def parse(pkt):
    ihl = (pkt[0] & 15) * 4
    total = struct.unpack_from("!H", pkt, 2)[0]
    sport, dport, seq, ack, offflags = struct.unpack_from("!HHIIH", pkt, ihl)
    doff = (offflags >> 12) * 4
    return {
        "src": socket.inet_ntoa(bytes(pkt[12:16])), "sport": sport, "dport": dport, "seq": seq, "ack": ack,
        "flags": offflags & 0x1FF, "len": total - ihl - doff,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["lower-tsval", "bad-tsecr", "hold-ack"])
    ap.add_argument("--queue", type=int, default=1)
    ap.add_argument("--server-port", type=int, default=80)
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--by", type=int, default=100000)
    ap.add_argument("--max", type=int, default=1000)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    log = {"mode": a.mode, "changed": [], "passed": 0}
    state = {"data_seen": set(), "n": 0, "held": []}

    def cb(p):
        pkt = bytearray(p.get_payload())
        h = parse(pkt)
        to_server = h["dport"] == a.server_port
        key = (h["src"], h["sport"]) if to_server else None
        off = ts_offset(pkt)
        changed = None
        if a.mode == "lower-tsval" and to_server and h["len"] > 0 and off is not None:
            state["n"] += 1
            if state["n"] % a.every == 0 and len(log["changed"]) < a.max:
                old = struct.unpack_from("!I", pkt, off)[0]
                new = (old - a.by) & 0xFFFFFFFF
                struct.pack_into("!I", pkt, off, new)
                changed = {"seq": h["seq"], "len": h["len"], "tsval_was": old, "tsval_now": new}
        elif a.mode == "bad-tsecr" and to_server and off is not None:
            if h["len"] > 0 or h["flags"] & 0x05:  # data, FIN or RST: stop for this flow
                state["data_seen"].add(key)
            elif key not in state["data_seen"] and h["flags"] == 0x10:
                old = struct.unpack_from("!I", pkt, off + 4)[0]
                new = (old - a.by) & 0xFFFFFFFF
                struct.pack_into("!I", pkt, off + 4, new)
                changed = {"seq": h["seq"], "ack": h["ack"], "tsecr_was": old, "tsecr_now": new}
        elif a.mode == "hold-ack" and not to_server:
            if h["flags"] == 0x10 and h["len"] == 0 and len(log["changed"]) < a.max:
                p.retain()
                state["held"].append((p, h))
                log["changed"].append({"seq": h["seq"], "ack": h["ack"],
                                       "tsval": struct.unpack_from("!I", pkt, off)[0] if off else None})
                return
            p.accept()
            log["passed"] += 1
            if h["len"] > 0:
                # The newer data segment went first; now the held ACKs follow.
                for q, _ in state["held"]:
                    q.accept()
                state["held"].clear()
            return
        if changed is not None:
            tcp_fix_checksum(pkt)
            p.set_payload(bytes(pkt))
            log["changed"].append(changed)
        else:
            log["passed"] += 1
        p.accept()

    nfq = NetfilterQueue()
    nfq.bind(a.queue, cb)
    s = socket.fromfd(nfq.get_fd(), socket.AF_UNIX, socket.SOCK_STREAM)

    def stop(*_):
        for q, _ in state["held"]:
            q.accept()
        with open(a.out, "w") as f:
            json.dump(log, f)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)
    try:
        nfq.run_socket(s)
    finally:
        nfq.unbind()


if __name__ == "__main__":
    main()
