"""A minimal pcap reader (Ethernet, IPv4/IPv6, TCP headers) for the facts
a truth names by frame number: which frame is a SYN, a bare ACK, an RST.

Independent of tcpopt on purpose (tcpopt is what the truth checks), and
small enough to read a million headers-only frames in seconds.
"""
import struct


def _open(path):
    if path.endswith(".zst"):
        import subprocess

        return subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
    return open(path, "rb").read()


def packets(path):
    """Yields dicts: frame, t, src, dst, sport, dport, flags, seq, ack, len,
    tsval, tsecr (None without the option), opts (raw option bytes)."""
    data = _open(path)
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        endian, nano = "<", False
    elif magic == b"\x4d\x3c\xb2\xa1":
        endian, nano = "<", True
    elif magic == b"\xa1\xb2\xc3\xd4":
        endian, nano = ">", False
    else:
        raise ValueError(f"{path}: not a classic pcap file")
    (linktype,) = struct.unpack_from(endian + "I", data, 20)
    if linktype != 1:
        raise ValueError(f"{path}: link type {linktype}, expected Ethernet")
    off, frame = 24, 0
    hdr = struct.Struct(endian + "IIII")
    while off + 16 <= len(data):
        sec, frac, incl, orig = hdr.unpack_from(data, off)
        off += 16
        pkt = data[off:off + incl]
        off += incl
        frame += 1
        t = sec + frac / (1e9 if nano else 1e6)
        eth_type = struct.unpack_from("!H", pkt, 12)[0]
        p = pkt[14:]
        if eth_type == 0x0800:
            ihl = (p[0] & 15) * 4
            if p[9] != 6:
                continue
            src, dst = ".".join(map(str, p[12:16])), ".".join(map(str, p[16:20]))
            tot = struct.unpack_from("!H", p, 2)[0]
            l4, l4len = p[ihl:], tot - ihl
        elif eth_type == 0x86DD:
            if p[6] != 6:
                continue
            import ipaddress

            src = str(ipaddress.IPv6Address(p[8:24]))
            dst = str(ipaddress.IPv6Address(p[24:40]))
            l4, l4len = p[40:], struct.unpack_from("!H", p, 4)[0]
        else:
            continue
        sport, dport, seq, ack, offflags, win = struct.unpack_from("!HHIIHH", l4, 0)
        doff = (offflags >> 12) * 4
        opts = bytes(l4[20:doff])
        tsval = tsecr = None
        i = 0
        while i < len(opts):
            k = opts[i]
            if k == 0:
                break
            if k == 1:
                i += 1
                continue
            if i + 1 >= len(opts):
                break
            ln = opts[i + 1]
            if ln < 2:
                break
            if k == 8 and ln == 10 and i + 10 <= len(opts):
                tsval, tsecr = struct.unpack_from("!II", opts, i + 2)
            i += ln
        yield {
            "frame": frame, "t": t, "src": src, "dst": dst, "sport": sport, "dport": dport,
            "flags": offflags & 0x1FF, "seq": seq, "ack": ack, "len": l4len - doff, "win": win,
            "tsval": tsval, "tsecr": tsecr, "opts": opts,
        }


SYN, ACK, RST, FIN, PSH = 0x02, 0x10, 0x04, 0x01, 0x08


def option_kinds(opts):
    """The option kinds in order, NOPs included (kind 1)."""
    out, i = [], 0
    while i < len(opts):
        k = opts[i]
        out.append(k)
        if k in (0, 1):
            i += 1
            if k == 0:
                break
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        i += opts[i + 1]
    return out


def mss_of(opts):
    i = 0
    while i < len(opts):
        k = opts[i]
        if k == 0:
            break
        if k == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        if k == 2 and opts[i + 1] == 4:
            return struct.unpack_from("!H", opts, i + 2)[0]
        i += opts[i + 1]
    return None
