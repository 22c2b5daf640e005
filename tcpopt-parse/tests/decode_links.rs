//! `decode` through the link layers and shims added after the first cut:
//! PPP (and PPPoE, Cisco HDLC), MPLS, IPoIB, ARCNET and NFLOG, on real
//! frames from the shared captures and on hand-made edge cases.

use tcpopt_parse::decode::decode;
use tcpopt_parse::link::LinkKind;
use tcpopt_parse::{ErrorKind, Layer, LinkType};

mod common;
mod decode_util;
use decode_util::{frame, ip, ports};

/// A 20-byte IPv4 header (10.0.0.1 → 10.0.0.2) and its payload.
fn ipv4(proto: u8, payload: &[u8]) -> Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let mut v = vec![
        0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    v[2..4].copy_from_slice(&total.to_be_bytes());
    v.extend_from_slice(payload);
    v
}

/// A 40-byte IPv6 header (::1 → ::2) and its payload.
fn ipv6(next: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0x60, 0, 0, 0, 0, 0, next, 64];
    v[4..6].copy_from_slice(&(payload.len() as u16).to_be_bytes());
    v.extend_from_slice(&[0; 15]);
    v.push(1);
    v.extend_from_slice(&[0; 15]);
    v.push(2);
    v.extend_from_slice(payload);
    v
}

/// A bare 20-byte TCP header 1234 → 80, SYN.
fn tcp() -> Vec<u8> {
    vec![
        0x04, 0xd2, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
    ]
}

fn ether(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
    v.extend_from_slice(&ethertype.to_be_bytes());
    v.extend_from_slice(payload);
    v
}

/// A label stack entry.
fn label(label: u32, bottom: bool) -> [u8; 4] {
    ((label << 12) | (u32::from(bottom) << 8) | 64).to_be_bytes()
}

#[test]
fn ppp_mpls_ipv4_real_frames() {
    // lspping-fec-ldp.pcap: LINKTYPE_PPP, ff 03, protocol 0x0281, one
    // label, then BGP over TCP (tshark: 4100 → 179, label 100656).
    let (lt, f) = frame("tcpdump/lspping-fec-ldp.pcap", 1);
    assert_eq!(lt, LinkType::PPP);
    let d = decode(lt, &f);
    assert_eq!(d.stop, None);
    let link = d.link.unwrap();
    assert_eq!(link.kind, LinkKind::Ppp { protocol: 0x0281 });
    assert_eq!((link.ethertype, link.header_len), (0x8847, 4));
    assert_eq!(d.ip.unwrap().offset, 8);
    assert_eq!(d.ip.unwrap().src, ip("12.4.4.4"));
    assert_eq!(ports(&d), (4100, 179));
    let (_, f) = frame("tcpdump/lspping-fec-ldp.pcap", 4);
    assert_eq!(ports(&decode(lt, &f)), (2006, 179));
    // Frame 3 is PPP carrying IPv4 (0x0021) directly: UDP, not TCP.
    let (_, f) = frame("tcpdump/lspping-fec-ldp.pcap", 3);
    let d = decode(lt, &f);
    assert_eq!(d.link.unwrap().kind, LinkKind::Ppp { protocol: 0x0021 });
    assert_eq!((d.ip.unwrap().protocol, d.tcp(), d.stop), (17, None, None));
}

#[test]
fn ethernet_mpls_real_frame() {
    // tok2str-oobr-2.pcap frame 1: Ethernet 0x8847, one label, IPv4 UDP.
    let (lt, f) = frame("tcpdump/tok2str-oobr-2.pcap", 1);
    let d = decode(lt, &f);
    assert_eq!(d.link.unwrap().ethertype, 0x8847);
    let ip4 = d.ip.unwrap();
    assert_eq!(
        (ip4.offset, ip4.src, ip4.protocol),
        (18, ip("192.168.0.1"), 17)
    );
    assert_eq!(d.tcp(), None);
}

#[test]
fn mpls_stacks() {
    let seg = ipv4(6, &tcp());
    // Two labels over a VLAN tag, bottom one IPv4.
    let mut p = vec![0x00, 0x07, 0x88, 0x47];
    p.extend_from_slice(&label(16, false));
    p.extend_from_slice(&label(17, true));
    p.extend_from_slice(&seg);
    let f = ether(0x8100, &p);
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.link.unwrap().vlans(), [7]);
    assert_eq!(d.ip.unwrap().offset, 26);
    assert_eq!(ports(&d), (1234, 80));
    // IPv6 after three labels, multicast EtherType, on Linux SLL.
    let mut p = vec![0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x48];
    for (l, b) in [(1, false), (2, false), (3, true)] {
        p.extend_from_slice(&label(l, b));
    }
    p.extend_from_slice(&ipv6(6, &tcp()));
    let d = decode(LinkType::LINUX_SLL, &p);
    assert_eq!(d.ip.unwrap().offset, 16 + 12);
    assert_eq!(d.ip.unwrap().dst, ip("::2"));
    assert_eq!(ports(&d), (1234, 80));
    // A pseudowire control word (first nibble 0): not followed, no error.
    let mut p = label(100, true).to_vec();
    p.extend_from_slice(&[0, 0, 0, 0]);
    p.extend_from_slice(&ether(0x0800, &seg));
    let f = ether(0x8847, &p);
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!((d.ip, d.stop), (None, None));
    // Nine labels without the bottom bit: bounded.
    let mut p = Vec::new();
    for l in 0..9 {
        p.extend_from_slice(&label(l, false));
    }
    p.extend_from_slice(&seg);
    let e = decode(LinkType::ETHERNET, &ether(0x8847, &p)).stop.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Link, 14 + 32));
    assert!(matches!(e.kind, ErrorKind::TooDeep { limit: 8, .. }));
    // Eight labels are fine.
    let mut p = Vec::new();
    for l in 0..8 {
        p.extend_from_slice(&label(l, l == 7));
    }
    p.extend_from_slice(&seg);
    assert_eq!(
        ports(&decode(LinkType::ETHERNET, &ether(0x8847, &p))),
        (1234, 80)
    );
    // A stack cut mid-entry.
    let f = ether(0x8847, &[0x00, 0x01, 0x41]);
    let e = decode(LinkType::ETHERNET, &f).stop.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Link, 14));
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            needed: 4,
            available: 3
        }
    );
}

#[test]
fn mpls_in_gre() {
    let mut g = vec![0x00, 0x00, 0x88, 0x47];
    g.extend_from_slice(&label(5, true));
    g.extend_from_slice(&ipv4(6, &tcp()));
    let f = ether(0x0800, &ipv4(47, &g));
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!((d.tunnels, d.ip.unwrap().offset), (1, 14 + 20 + 4 + 4));
    assert_eq!(ports(&d), (1234, 80));
}

#[test]
fn pppoe_sessions() {
    // pppoes.pcap frame 1: PPPoE session carrying LCP: not IP, no error.
    let (lt, f) = frame("tcpdump/pppoes.pcap", 1);
    let d = decode(lt, &f);
    assert_eq!(d.link.unwrap().ethertype, 0x8864);
    assert_eq!((d.ip, d.stop), (None, None));
    // Hand-made session with IPv4, and Ethernet padding after it.
    let seg = ipv4(6, &tcp());
    let mut p = vec![0x11, 0x00, 0x12, 0x34];
    p.extend_from_slice(&((seg.len() + 2) as u16).to_be_bytes());
    p.extend_from_slice(&[0x00, 0x21]);
    p.extend_from_slice(&seg);
    let mut f = ether(0x8864, &p);
    f.extend_from_slice(&[0; 6]);
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.ip.unwrap().offset, 22);
    assert_eq!(d.tcp().unwrap().len(), 20);
    // PPPoE over IPv6 behind a VLAN on SLL2, and on LINKTYPE_PPP_ETHER.
    let seg6 = ipv6(6, &tcp());
    let mut p = vec![0x11, 0x00, 0x00, 0x01];
    p.extend_from_slice(&((seg6.len() + 2) as u16).to_be_bytes());
    p.extend_from_slice(&[0x00, 0x57]);
    p.extend_from_slice(&seg6);
    let mut sll2 = vec![
        0x88, 0x64, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    sll2.extend_from_slice(&p);
    let d = decode(LinkType::LINUX_SLL2, &sll2);
    assert_eq!((d.ip.unwrap().offset, ports(&d)), (28, (1234, 80)));
    let d = decode(LinkType::PPP_ETHER, &p);
    let link = d.link.unwrap();
    assert_eq!(link.kind, LinkKind::Ppp { protocol: 0x57 });
    assert_eq!((link.ethertype, link.header_len), (0x86dd, 8));
    assert_eq!(ports(&d), (1234, 80));
    // MPLS over PPPoE.
    let mut m = vec![0x11, 0x00, 0x00, 0x01, 0x00, 0x00, 0x02, 0x81];
    m.extend_from_slice(&label(9, true));
    m.extend_from_slice(&seg);
    let len = (m.len() - 6) as u16;
    m[4..6].copy_from_slice(&len.to_be_bytes());
    assert_eq!(
        ports(&decode(LinkType::ETHERNET, &ether(0x8864, &m))),
        (1234, 80)
    );
    // Cut header, discovery packet, wrong version.
    let e = decode(LinkType::ETHERNET, &ether(0x8864, &[0x11, 0x00, 0x00]))
        .stop
        .unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Link, 14));
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            needed: 6,
            available: 3
        }
    );
    let e = decode(
        LinkType::ETHERNET,
        &ether(0x8864, &[0x11, 0x09, 0, 0, 0, 0]),
    )
    .stop;
    assert!(matches!(
        e.unwrap().kind,
        ErrorKind::BadValue { value: 9, .. }
    ));
    let e = decode(
        LinkType::ETHERNET,
        &ether(0x8864, &[0x21, 0x00, 0, 0, 0, 0]),
    )
    .stop;
    assert!(matches!(
        e.unwrap().kind,
        ErrorKind::BadVersion { major: 2, minor: 1 }
    ));
    // A session packet whose PPP protocol is cut.
    let f = ether(0x8864, &[0x11, 0, 0, 1, 0, 1, 0x00]);
    assert_eq!(decode(LinkType::ETHERNET, &f).stop.unwrap().offset, 20);
}

#[test]
fn ppp_link_framings() {
    let seg = ipv4(6, &tcp());
    // Address/control present or not, protocol compressed or not.
    for hdr in [
        &[0xff, 0x03, 0x00, 0x21][..],
        &[0x00, 0x21],
        &[0x21],
        &[0xff, 0x03, 0x21],
    ] {
        let f = [hdr, &seg[..]].concat();
        for lt in [LinkType::PPP, LinkType::PPP_HDLC] {
            let d = decode(lt, &f);
            assert_eq!(d.link.unwrap().header_len as usize, hdr.len(), "{hdr:02x?}");
            assert_eq!(ports(&d), (1234, 80));
        }
    }
    // LCP is not IP.
    let d = decode(LinkType::PPP, &[0xff, 0x03, 0xc0, 0x21, 0x09]);
    assert_eq!((d.link.unwrap().ethertype, d.ip, d.stop), (0, None, None));
    // Cut before the protocol.
    let e = decode(LinkType::PPP, &[0xff, 0x03, 0x00]).stop.unwrap();
    assert_eq!(e, tcpopt_parse::Error::truncated(Layer::Link, 0, 4, 3));
    // Cisco HDLC frames in LINKTYPE_PPP_HDLC, and LINKTYPE_C_HDLC.
    let f = [&[0x0f, 0x00, 0x08, 0x00][..], &seg].concat();
    for lt in [LinkType::PPP_HDLC, LinkType::C_HDLC] {
        let d = decode(lt, &f);
        assert_eq!(d.link.unwrap().kind, LinkKind::CiscoHdlc { address: 0x0f });
        assert_eq!(ports(&d), (1234, 80));
    }
    // In LINKTYPE_PPP, 0x0f is a compressed protocol (not IP): no Cisco guess.
    assert_eq!(decode(LinkType::PPP, &f).ip, None);
    // chdlc-slarp.pcap frame 1: a SLARP keepalive, not IP.
    let (lt, f) = frame("tcpdump/chdlc-slarp.pcap", 1);
    assert_eq!(lt, LinkType::C_HDLC);
    let d = decode(lt, &f);
    assert_eq!(
        (d.link.unwrap().ethertype, d.ip, d.stop),
        (0x8035, None, None)
    );
    let e = decode(LinkType::C_HDLC, &[0x8f, 0x00]).stop.unwrap();
    assert_eq!(e, tcpopt_parse::Error::truncated(Layer::Link, 0, 4, 2));
}

#[test]
fn pptp_gre_still_reaches_ipv4() {
    // Enhanced GRE (version 1, key present) with PPP inside.
    let mut g = vec![0x30, 0x01, 0x88, 0x0b, 0x00, 0x2a, 0x00, 0x01, 0, 0, 0, 1];
    g.extend_from_slice(&[0xff, 0x03, 0x00, 0x21]);
    g.extend_from_slice(&ipv4(6, &tcp()));
    let f = ether(0x0800, &ipv4(47, &g));
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!((d.tunnels, d.ip.unwrap().offset), (1, 14 + 20 + 12 + 4));
    assert_eq!(ports(&d), (1234, 80));
}

#[test]
fn ipoib_real_frames() {
    let (lt, f) = frame("tcpdump/ipoib.pcap", 9);
    assert_eq!(lt, LinkType::IPOIB);
    let d = decode(lt, &f);
    let link = d.link.unwrap();
    assert_eq!(link.kind, LinkKind::Ipoib { dest_qpn: 0x550 });
    assert_eq!((link.ethertype, link.header_len), (0x0800, 44));
    assert_eq!(d.ip.unwrap().src, ip("192.168.56.10"));
    assert_eq!(ports(&d), (34170, 22));
    let e = decode(lt, &f[..43]).stop.unwrap();
    assert_eq!(e, tcpopt_parse::Error::truncated(Layer::Link, 0, 44, 43));
}

#[test]
fn arcnet_real_and_hand_made() {
    // arcnet-rfc1051-arp-icmp-http.pcap: Linux ARCNET, RFC 1051 IPv4.
    let (lt, f) = frame("tcpdump/arcnet-rfc1051-arp-icmp-http.pcap", 11);
    assert_eq!(lt, LinkType::ARCNET_LINUX);
    let d = decode(lt, &f);
    assert_eq!(
        d.link.unwrap().kind,
        LinkKind::Arcnet {
            source: 0xbe,
            dest: 0x50,
            protocol: 0xf0
        }
    );
    assert_eq!((d.ip.unwrap().offset, ports(&d)), (5, (1026, 80)));
    // Frame 1 is RFC 1051 ARP.
    let (_, f) = frame("tcpdump/arcnet-rfc1051-arp-icmp-http.pcap", 1);
    assert_eq!(decode(lt, &f).ip, None);
    let seg = ipv4(6, &tcp());
    // RFC 1201 IPv4, whole and first fragment (odd split flag): decoded.
    for split in [0u8, 1] {
        let f = [&[1, 2, 0, 0, 0xd4, split, 0, 1][..], &seg].concat();
        assert_eq!(ports(&decode(LinkType::ARCNET_LINUX, &f)), (1234, 80));
    }
    // A continuation fragment (even split flag) holds no IP header.
    let f = [&[1, 2, 0, 0, 0xd4, 2, 0, 1][..], &seg].concat();
    let d = decode(LinkType::ARCNET_LINUX, &f);
    assert_eq!((d.ip, d.stop), (None, None));
    // BSD: no offset field; an exception packet's header is 10 bytes.
    let f = [&[1, 2, 0xd4, 0xff, 0xff, 0xff, 0xd4, 0x00, 0, 1][..], &seg].concat();
    let d = decode(LinkType::ARCNET_BSD, &f);
    assert_eq!((d.ip.unwrap().offset, ports(&d)), (10, (1234, 80)));
    let f = [&[1, 2, 0xc4, 0x00, 0, 1][..], &ipv6(6, &tcp())].concat();
    assert_eq!(ports(&decode(LinkType::ARCNET_BSD, &f)), (1234, 80));
    let e = decode(LinkType::ARCNET_LINUX, &[1, 2, 0, 0, 0xd4, 0])
        .stop
        .unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Link, 0));
}

/// An NFLOG record: header, NFULA_PACKET_HDR, a prefix TLV needing
/// padding, then the payload TLV, with TLVs in the given byte order.
fn nflog(family: u8, payload: &[u8], big_endian: bool) -> Vec<u8> {
    let w = |v: u16| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut r = vec![family, 0, 0, 5];
    r.extend_from_slice(&w(8));
    r.extend_from_slice(&w(1));
    r.extend_from_slice(&[0x08, 0x00, 0x01, 0x00]);
    r.extend_from_slice(&w(5));
    r.extend_from_slice(&w(10));
    r.extend_from_slice(&[b'x', 0, 0, 0]);
    r.extend_from_slice(&w(4 + payload.len() as u16));
    r.extend_from_slice(&w(9));
    r.extend_from_slice(payload);
    r
}

#[test]
fn nflog_records() {
    // nflog.pcap frame 1: AF_INET, group 20, DNS over UDP.
    let (lt, f) = frame("tcpdump/nflog.pcap", 1);
    assert_eq!(lt, LinkType::NFLOG);
    let d = decode(lt, &f);
    assert_eq!(
        d.link.unwrap().kind,
        LinkKind::Nflog {
            family: 2,
            resource_id: 20
        }
    );
    let ip4 = d.ip.unwrap();
    assert_eq!(
        (ip4.src, ip4.protocol, d.stop),
        (ip("74.82.42.42"), 17, None)
    );
    assert_eq!(ip4.offset, d.link.unwrap().header_len as usize);
    // Hand-made TCP records, both TLV byte orders, IPv4 and IPv6.
    for be in [false, true] {
        let r = nflog(2, &ipv4(6, &tcp()), be);
        let d = decode(LinkType::NFLOG, &r);
        assert_eq!(
            (d.ip.unwrap().offset, ports(&d)),
            (24, (1234, 80)),
            "be={be}"
        );
        let r = nflog(10, &ipv6(6, &tcp()), be);
        assert_eq!(ports(&decode(LinkType::NFLOG, &r)), (1234, 80), "be={be}");
    }
    // A snaplen cut inside the payload TLV still reaches the TCP ports.
    let r = nflog(2, &ipv4(6, &tcp()), false);
    let d = decode(LinkType::NFLOG, &r[..r.len() - 10]);
    assert_eq!(ports(&d), (1234, 80));
    // No payload TLV: nothing to decode, no error.
    let r = nflog(2, &[], false);
    let d = decode(LinkType::NFLOG, &r[..20]);
    assert_eq!((d.ip, d.stop), (None, None));
    // A TLV length below its own header.
    let mut r = nflog(2, &ipv4(6, &tcp()), false);
    r[4] = 3;
    let e = decode(LinkType::NFLOG, &r).stop.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Link, 4));
    assert!(matches!(e.kind, ErrorKind::BadLength { value: 3, .. }));
    // A family other than IPv4/IPv6 is not followed.
    let r = nflog(7, &ipv4(6, &tcp()), false);
    let d = decode(LinkType::NFLOG, &r);
    assert_eq!((d.ip, d.stop), (None, None));
}

#[test]
fn udp_length_shorter_than_ip_keeps_offsets() {
    // VXLAN whose UDP length ends 4 bytes before the IP payload does.
    let inner = ether(0x0800, &ipv4(6, &tcp()));
    let mut u = vec![0x30, 0x39, 0x12, 0xb5];
    u.extend_from_slice(&((8 + 8 + inner.len()) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0, 0x08, 0, 0, 0, 0, 0, 1, 0]);
    u.extend_from_slice(&inner);
    u.extend_from_slice(&[0xee; 4]);
    let f = ether(0x0800, &ipv4(17, &u));
    let d = decode(LinkType::ETHERNET, &f);
    let t = d.transport.unwrap();
    assert_eq!(t.offset, 14 + 20 + 8 + 8 + 14 + 20);
    assert_eq!(t.data, &f[t.offset..t.offset + 20]);
}

#[test]
fn new_link_types_are_named() {
    for (lt, name) in [
        (LinkType::ARCNET_BSD, "ARCNET_BSD"),
        (LinkType::PPP, "PPP"),
        (LinkType::PPP_HDLC, "PPP_HDLC"),
        (LinkType::PPP_ETHER, "PPP_ETHER"),
        (LinkType::C_HDLC, "C_HDLC"),
        (LinkType::ARCNET_LINUX, "ARCNET_LINUX"),
        (LinkType::NFLOG, "NFLOG"),
        (LinkType::IPOIB, "IPOIB"),
    ] {
        assert_eq!(lt.name(), Some(name));
        assert!(lt.is_supported());
    }
    assert!(!LinkType(127).is_supported()); // radiotap: out of scope
}
