#!/usr/bin/env python3
"""Writes encapsulations.pcapng: one TCP SYN in each encapsulation that the
shared captures do not show TCP in (802.3 LLC/SNAP, 802.1ah, FabricPath,
Juniper Ethernet with and without L2, CAPWAP 802.3 and native 802.11, AYIYA,
GRE-in-UDP, PPI and bare 802.11). tshark_real.rs compares it with tshark.
usage: python3 encapsulations.py OUT.pcapng"""
import struct
import sys

def tcp(sport):
    opts = bytes([2, 4, 5, 0xb4, 4, 2, 8, 10]) + struct.pack(">II", 1000 + sport, 0) + bytes([1, 3, 3, 7])
    hdr = struct.pack(">HHIIBBHHH", sport, 80, 0x01020304 + sport, 0, (20 + len(opts)) // 4 << 4, 0x02, 64240, 0, 0)
    return hdr + opts

def ipv4(payload, proto=6, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02"):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0, src, dst) + payload

def ipv6(payload, nh=6):
    return struct.pack(">IHBB", 0x60000000, len(payload), nh, 64) + b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x01" + b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x02" + payload

def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload

MAC1, MAC2 = b"\x02\0\0\0\0\x01", b"\x02\0\0\0\0\x02"

def eth(ethertype, payload):
    return MAC1 + MAC2 + struct.pack(">H", ethertype) + payload

SNAP_IP = b"\xaa\xaa\x03\0\0\0\x08\x00"

def wlan_data(payload, swapped=False):
    fc = bytes([0x08, 0x01])  # data, To DS
    if swapped:
        fc = fc[::-1]
    return fc + b"\0\0" + MAC1 + MAC2 + MAC1 + b"\x10\0" + SNAP_IP + payload

frames = []  # (linktype, bytes)
seg = lambda n: ipv4(tcp(40000 + n))
# 1. IEEE 802.3 length, LLC/SNAP (RFC 1042), IPv4.
llc = SNAP_IP + seg(1)
frames.append((1, MAC1 + MAC2 + struct.pack(">H", len(llc)) + llc))
# 2. 802.1ah: I-TAG, then the customer's Ethernet header.
frames.append((1, eth(0x88E7, b"\x00\x01\x00\x01" + eth(0x0800, seg(2)))))
# 3. FabricPath: outer addresses, 0x8903, FTAG/TTL, inner frame, FCS.
frames.append((1, eth(0x8903, b"\x00\x20" + eth(0x0800, seg(3))) + b"\xde\xad\xbe\xef"))
# 4. Juniper Ethernet with extensions (a device index TLV).
frames.append((178, b"MGC\x81" + struct.pack(">H", 3) + b"\x01\x01\x07" + eth(0x0800, seg(4))))
# 5. Juniper, link header stripped: protocol 2 (IPv4), little-endian.
frames.append((178, b"MGC\x02" + struct.pack("<I", 2) + seg(5)))
# 6. CAPWAP data, an 802.3 frame (T clear), HLEN 2.
capwap_eth = bytes([0x00, 0x10, 0x02, 0x00]) + b"\0\0\0\0"
frames.append((1, eth(0x0800, ipv4(udp(12222, 5247, capwap_eth + eth(0x0800, seg(6))), 17))))
# 7. CAPWAP data, native 802.11 (T set, WBID 1), frame control swapped.
capwap_80211 = bytes([0x00, 0x10, 0x03, 0x00]) + b"\0\0\0\0"
frames.append((1, eth(0x0800, ipv4(udp(12223, 5247, capwap_80211 + wlan_data(seg(7), True)), 17))))
# 8. AYIYA: 16-byte identity, no signature, forward, IPv6.
ayiya = bytes([0x41, 0x00, 0x01, 41]) + b"\0\0\0\0" + b"\x11" * 16
frames.append((1, eth(0x0800, ipv4(udp(5072, 5072, ayiya + ipv6(tcp(40008))), 17))))
# 9. GRE-in-UDP (RFC 8086): GRE, IPv4.
frames.append((1, eth(0x0800, ipv4(udp(50000, 4754, b"\x00\x00\x08\x00" + seg(9)), 17))))
# 10. PPI, then 802.11.
ppi = struct.pack("<BBHI", 0, 0, 8, 105)
frames.append((192, ppi + wlan_data(seg(10))))
# 11. Bare 802.11 (LINKTYPE_IEEE802_11).
frames.append((105, wlan_data(seg(11))))

def block(btype, body):
    pad = (-len(body)) % 4
    n = 12 + len(body) + pad
    return struct.pack("<II", btype, n) + body + b"\0" * pad + struct.pack("<I", n)

out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
links = []
for lt, _ in frames:
    if lt not in links:
        links.append(lt)
        out += block(1, struct.pack("<HHI", lt, 0, 65535))
for i, (lt, data) in enumerate(frames):
    ts = 1700000000_000000 + i
    out += block(6, struct.pack("<IIIII", links.index(lt), ts >> 32, ts & 0xffffffff, len(data), len(data)) + data)
open(sys.argv[1], "wb").write(out)
