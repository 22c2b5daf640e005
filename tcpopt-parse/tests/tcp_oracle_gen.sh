#!/bin/sh
# Regenerates tcp_oracle.tsv: tshark's (the oracle's) view of the TCP options of every TCP frame
# with options in the shared captures, plus crafted edge cases (pcap written by the Python below).
# Columns: file, frame, tcp.options (hex of the options area), mss_val, wscale.shift,
#          number of tcp.options.sack_perm fields, timestamp.tsval, timestamp.tsecr
# (multiple values comma-separated, in wire order). Produced with TShark 4.0.17.
# Usage (from the workspace root): sh tcpopt-parse/tests/tcp_oracle_gen.sh > tcpopt-parse/tests/tcp_oracle.tsv
set -e
CAP=$(cd "$(dirname "$0")/../../../shared/captures" && pwd)
TMP=$(mktemp -d)
fields() {
  tshark -r "$1" -Y tcp.options -T fields -E separator=/t \
    -e frame.number -e tcp.options -e tcp.options.mss_val -e tcp.options.wscale.shift \
    -e tcp.options.sack_perm -e tcp.options.timestamp.tsval -e tcp.options.timestamp.tsecr 2>/dev/null |
  awk -F'\t' -v f="$2" 'BEGIN{OFS="\t"} {n=0; if($5!="") n=split($5,a,","); print f,$1,$2,$3,$4,n,$6,$7}'
}
for f in "$CAP"/netns/*.pcap "$CAP"/netns/*.pcapng "$CAP"/tcpdump/*.pcap "$CAP"/tcpdump/*.pcapng; do
  fields "$f" "${f#"$CAP"/}"
done
python3 - "$TMP/cases.pcap" <<'PY'
import struct, sys
cases = [
 bytes([0,1,1,1,8,10,0,0,0,1,0,0,0,2,0,0]),            # EOL then TS: tshark stops at EOL
 bytes([2,5,5,0xb4,0, 8,10,0,0,0,1,0,0,0,2, 1]),        # MSS len 5 (no mss_val), TS still shown
 bytes([8,8,0,0,0,1,0,0, 2,4,5,0xb4, 1,1,1,1]),         # TS len 8, MSS still shown
 bytes([2,4,1,0, 2,4,2,0]),                             # two MSS
 bytes([2,4,5,0xb4, 0x50,1, 8,10,0,0,0,1,0,0,0,2]),     # len 1 stops
 bytes([2,4,5,0xb4, 0x50,0, 8,10,0,0,0,1,0,0,0,2]),     # len 0 stops
 bytes([2,4,5,0xb4, 0x50,20, 8,10,0,0,0,1,0,0,0,2]),    # past the area stops
 bytes([3,4,7,0, 3,3,9,1, 4,3,0,1]),                    # WS len 4; SACK-perm len 3 still a sack_perm field
 bytes([4,3,0,1, 4,2,1,1]),
 bytes([99,4,1,2, 8,10,0,0,0,1,0,0,0,2,1,1]),           # unknown kind skipped
 bytes([3,3,20,1]),                                     # shift 20 shown raw
 bytes([1,1,1,2]),                                      # length byte missing
 bytes([1,1,5,34]+list(range(32))),                     # 4 SACK blocks
 bytes([8,8,0,0,0,9,0,0, 8,10,0,0,0,1,0,0,0,2, 1,1]),
 bytes([8,10,0,0,0,1,0,0,0,2, 8,10,0,0,0,3,0,0,0,4]),   # two TS
 bytes([2,4,1,1,1,1,1,8]),
 bytes([3,3,2,8,1,1,1,1]),
 bytes([4,2,0,0,3,3,5,2,4,5,0]),
 bytes([4,4,0,0,3,3,6,0]),
 bytes([2,3,5,2,4,5,0xdc,0]),
 bytes([3,2,3,3,8]),
 bytes([1]*11+[8,10,0,0,0,1,0,0,0,2,0,0,0]),
 bytes([34,2,254,4,0xf9,0x89,34,10,1,2,3,4,5,6,7,8, 34,5,1,2,3,1]),
]
out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101)  # LINKTYPE_RAW
for i, o in enumerate(cases):
    o += bytes((-len(o)) % 4)
    tcp = struct.pack('!HHIIBBHHH', 1234, 80, 1, 0, (5 + len(o)//4) << 4, 2, 65535, 0, 0) + o
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20+len(tcp), 0, 0, 64, 6, 0, bytes([10,0,0,1]), bytes([10,0,0,2]))
    out += struct.pack('<IIII', i, 0, len(ip+tcp), len(ip+tcp)) + ip + tcp
open(sys.argv[1], 'wb').write(out)
PY
fields "$TMP/cases.pcap" crafted/tcp-options-edge-cases.pcap
rm -rf "$TMP"

# tcp_header_oracle.tsv (fixed-header fields of every frame of the netns legacy pcaps, all Ethernet/IPv4):
# cd "$CAP/netns" && for f in *.pcap; do tshark -r $f -T fields -E separator=/t -e frame.number \
#   -e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags -e tcp.window_size_value \
#   -e tcp.checksum -e tcp.urgent_pointer -e tcp.hdr_len -e tcp.len | sed "s|^|netns/$f\t|"; done
