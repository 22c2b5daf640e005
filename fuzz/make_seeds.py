#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from the shared captures.

    python3 fuzz/make_seeds.py ../shared/captures /tmp/tcpopt-seeds

writes <out>/{capture,packet,tcp_options,analyzer}/ (see FUZZING.md). The
committed corpora under fuzz/corpus are these seeds plus what the fuzzer
found, minimised with `cargo fuzz cmin`.
"""
import hashlib
import os
import random
import struct
import sys

# Must match LINKTYPES in fuzz/checks/mod.rs.
LINKTYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147]
MAX_CAPTURE_SEED = 64 * 1024


def records(buf):
    """(linktype, packet bytes) of a pcap or pcapng file; stops at damage."""
    if len(buf) < 24:
        return
    magic = buf[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\x34\xcd\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d", b"\xa1\xb2\xcd\x34"):
        e = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        yield from pcapng(buf)
        return
    else:
        return
    rec_hdr = 24 if magic in (b"\x34\xcd\xb2\xa1", b"\xa1\xb2\xcd\x34") else 16
    lt = struct.unpack(e + "I", buf[20:24])[0] & 0xFFFF
    off = 24
    while off + rec_hdr <= len(buf):
        caplen = struct.unpack(e + "I", buf[off + 8 : off + 12])[0]
        if caplen > 262144 or off + rec_hdr + caplen > len(buf):
            return
        yield lt, buf[off + rec_hdr : off + rec_hdr + caplen]
        off += rec_hdr + caplen


def pcapng(buf):
    off, e, ifaces = 0, "<", []
    while off + 12 <= len(buf):
        t_raw = buf[off : off + 4]
        if t_raw == b"\x0a\x0d\x0d\x0a":
            bom = buf[off + 8 : off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        t, blen = struct.unpack(e + "II", buf[off : off + 8])
        if blen < 12 or blen % 4 or off + blen > len(buf):
            return
        body = buf[off + 8 : off + blen - 4]
        if t == 1 and len(body) >= 8:
            ifaces.append(struct.unpack(e + "H", body[:2])[0])
        elif t == 6 and len(body) >= 20:
            iface, _, _, caplen = struct.unpack(e + "IIII", body[:16])
            if iface < len(ifaces) and 20 + caplen <= len(body):
                yield ifaces[iface], body[20 : 20 + caplen]
        elif t == 3 and len(body) >= 4 and ifaces:
            yield ifaces[0], body[4:]
        off += blen


def tcp_header(lt, pkt):
    """The TCP header (+ up to 8 payload bytes) of a plain packet, or None."""
    if lt == 1:
        off, et = 14, pkt[12:14]
        while et in (b"\x81\x00", b"\x88\xa8") and len(pkt) >= off + 4:
            et, off = pkt[off + 2 : off + 4], off + 4
    elif lt == 113:
        off, et = 16, pkt[14:16]
    elif lt == 276:
        off, et = 20, pkt[0:2]
    elif lt in (0, 108):
        off, et = 4, b"\x08\x00" if pkt[4:5] and pkt[4] >> 4 == 4 else b"\x86\xdd"
    elif lt in (12, 14, 101, 228, 229):
        off, et = 0, b"\x08\x00" if pkt[:1] and pkt[0] >> 4 == 4 else b"\x86\xdd"
    else:
        return None
    ip = pkt[off:]
    if et == b"\x08\x00" and len(ip) >= 20 and ip[0] >> 4 == 4 and ip[9] == 6:
        tcp = ip[(ip[0] & 15) * 4 :]
    elif et == b"\x86\xdd" and len(ip) >= 40 and ip[6] == 6:
        tcp = ip[40:]
    else:
        return None
    if len(tcp) < 20:
        return None
    return tcp[: (tcp[12] >> 4) * 4 + 8]


def write(d, data):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def analyzer_seeds(out, n=24):
    """Plausible scripts: handshakes, data, FIN/RST between small host pools."""
    rnd = random.Random(7)
    for _ in range(n):
        b = bytearray([rnd.randrange(256) for _ in range(4)])
        for _ in range(rnd.randrange(4, 60)):
            c, s = rnd.randrange(4), rnd.choice([4, 5, 0, 1])
            step = rnd.choice(["syn", "synack", "ack", "fin", "rst"])
            rev = step in ("synack",)
            hosts = ((c if rev else s) << 4) | (s if rev else c)
            ports = rnd.randrange(64)
            flags = {"syn": 0x02, "synack": 0x12, "ack": 0x10, "fin": 0x11, "rst": 0x04}[step]
            mode = rnd.choice([0x02, 0x02, 0x04, 0x06, 0x00, 0x42])
            b += bytes([hosts, ports, flags, mode])
            b += struct.pack("<HIHI", rnd.randrange(2000), rnd.randrange(1 << 32), rnd.randrange(65536), rnd.randrange(1 << 20))
            b += bytes([rnd.randrange(256)])
        write(os.path.join(out, "analyzer"), bytes(b))


def main():
    src, out = sys.argv[1], sys.argv[2]
    files = []
    for root, _, names in os.walk(src):
        files += [os.path.join(root, n) for n in names if n.endswith((".pcap", ".pcapng", ".cap"))]
    packets, headers = set(), set()
    for p in sorted(files):
        buf = open(p, "rb").read()
        write(os.path.join(out, "capture"), b"\x00" + buf[:MAX_CAPTURE_SEED])
        for lt, pkt in records(buf):
            if lt in LINKTYPES and len(packets) < 4000:
                packets.add(bytes([LINKTYPES.index(lt)]) + pkt[:2048])
            h = tcp_header(lt, pkt)
            if h:
                headers.add(h)
    for p in packets:
        write(os.path.join(out, "packet"), p)
    for h in headers:
        write(os.path.join(out, "tcp_options"), h)
    analyzer_seeds(out)
    for t in ("capture", "packet", "tcp_options", "analyzer"):
        print(t, len(os.listdir(os.path.join(out, t))))


if __name__ == "__main__":
    main()
