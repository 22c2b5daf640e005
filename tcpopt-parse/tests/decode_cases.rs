//! `decode` on real frames from the shared captures (one per link type and
//! tunnel) and on hand-made edge cases (lengths, fragments, nesting).

use tcpopt_parse::decode::decode;
use tcpopt_parse::link::LinkKind;
use tcpopt_parse::{ErrorKind, Layer, LinkType};

mod common;
mod decode_util;
use decode_util::{frame, ip, ports};

#[test]
fn ethernet_vlan() {
    let (lt, f) = frame("tcpdump/ipv4_tcp_http_xml.pcap", 1);
    let d = decode(lt, &f);
    let link = d.link.unwrap();
    assert_eq!(
        (link.kind, link.vlans(), link.ethertype, link.header_len),
        (LinkKind::Ethernet, &[165][..], 0x0800, 18)
    );
    assert_eq!(d.transport.unwrap().offset, 38);
    assert_eq!(ports(&d), (80, 5767));
    assert_eq!(d.ip.unwrap().payload_len, 645 - 20);
    assert_eq!(d.stop, None);
}

#[test]
fn ethernet_qinq_arp_is_not_an_error() {
    let (lt, f) = frame("tcpdump/802.1ad_QinQ.pcap", 1);
    let d = decode(lt, &f);
    let link = d.link.unwrap();
    assert_eq!(
        (link.vlans(), link.ethertype, link.header_len),
        (&[200, 2001][..], 0x0806, 22)
    );
    assert!(d.ip.is_none() && d.transport.is_none() && d.stop.is_none());
}

#[test]
fn linux_sll_and_sll2() {
    let (lt, f) = frame("tcpdump/tcp-handshake-nano.pcap", 1);
    assert_eq!(lt, LinkType::LINUX_SLL);
    let d = decode(lt, &f);
    assert_eq!(d.link.unwrap().kind, LinkKind::LinuxSll { packet_type: 4 });
    assert_eq!((d.transport.unwrap().offset, ports(&d)), (36, (46656, 80)));
    // The same packet as libpcap ≥ 1.10 writes it with LINKTYPE_LINUX_SLL2.
    let mut sll2 = vec![
        0x08, 0x00, 0, 0, 0, 0, 0, 3, 0x03, 0x04, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    sll2.extend_from_slice(&f[16..]);
    let d2 = decode(LinkType::LINUX_SLL2, &sll2);
    assert_eq!(
        d2.link.unwrap().kind,
        LinkKind::LinuxSll2 {
            packet_type: 4,
            interface_index: 3
        }
    );
    assert_eq!(
        (d2.transport.unwrap().offset, ports(&d2)),
        (40, (46656, 80))
    );
    assert_eq!(
        d2.ip,
        d.ip.map(|i| tcpopt_parse::ip::IpInfo { offset: 20, ..i })
    );
}

#[test]
fn null_both_byte_orders_and_loop() {
    let (lt, f) = frame("tcpdump/tcp_rst_diag_payload.pcap", 1);
    assert_eq!(lt, LinkType::NULL);
    let le = decode(lt, &f);
    assert_eq!(le.link.unwrap().kind, LinkKind::Null { family: 2 });
    let mut be = f.clone();
    be[..4].copy_from_slice(&[0, 0, 0, 2]);
    let be_d = decode(LinkType::NULL, &be);
    assert_eq!(be_d.link.unwrap().kind, LinkKind::Null { family: 2 });
    assert_eq!(ports(&be_d), ports(&le));
    let lo = decode(LinkType::LOOP, &be);
    assert_eq!(
        (lo.link.unwrap().kind, ports(&lo)),
        (LinkKind::Loop { family: 2 }, (39829, 8080))
    );
    // LOOP is big-endian only: the little-endian word is no IP family.
    let lo_le = decode(LinkType::LOOP, &f);
    assert!(lo_le.transport.is_none() && lo_le.stop.is_none());
    // macOS AF_INET6 (30), from quic_handshake.pcap: UDP, so no transport.
    let (lt, f) = frame("tcpdump/quic_handshake.pcap", 1);
    let d = decode(lt, &f);
    assert_eq!(
        (
            d.link.unwrap().ethertype,
            d.ip.unwrap().protocol,
            d.transport
        ),
        (0x86dd, 17, None)
    );
}

#[test]
fn raw_ip_link_types() {
    let (lt, f) = frame("tcpdump/bgp-addpath.pcap", 1);
    assert_eq!(lt, LinkType::RAW);
    for lt in [
        LinkType::RAW,
        LinkType::RAW_12,
        LinkType::RAW_14,
        LinkType::IPV4,
    ] {
        let d = decode(lt, &f);
        assert_eq!(
            (d.link.unwrap().kind, d.transport.unwrap().offset, ports(&d)),
            (LinkKind::Raw, 20, (179, 59631))
        );
    }
    let (lt, f) = frame("tcpdump/LINKTYPE_IPV4.pcap", 1);
    let d = decode(lt, &f);
    assert_eq!(
        (d.ip.unwrap().protocol, d.transport, d.stop),
        (17, None, None)
    );
}

#[test]
fn geneve_vxlan_gre_erspan_tunnels() {
    let (lt, f) = frame("tcpdump/geneve.pcap", 7);
    let d = decode(lt, &f);
    assert_eq!(d.tunnels, 1);
    assert_eq!(d.transport.unwrap().offset, 14 + 20 + 8 + 8 + 14 + 20);
    assert_eq!(d.ip.unwrap().offset, 14 + 20 + 8 + 8 + 14);

    let (lt, f) = frame("tcpdump/gso-ipv4-vxlan-ipv4.pcap", 1);
    let d = decode(lt, &f);
    let (inner, t) = (d.ip.unwrap(), d.transport.unwrap());
    assert_eq!(
        (d.tunnels, inner.src, inner.dst),
        (1, ip("192.168.1.2"), ip("192.168.1.1"))
    );
    assert_eq!((t.offset, t.wire_len, inner.payload_len), (84, 7022, 7022));

    let (lt, f) = frame("tcpdump/wccp_redirect_gre.pcap", 1);
    let d = decode(lt, &f);
    assert_eq!(
        (d.tunnels, d.ip.unwrap().src, d.transport.unwrap().offset),
        (1, ip("10.254.127.195"), 62)
    );
    assert_eq!(ports(&d), (1291, 445));

    // ERSPAN III mirror of an ICMP echo in a VLAN: inner IP found, no TCP.
    let (lt, f) = frame("tcpdump/erspan-type-iii-ft-0.pcap", 1);
    let d = decode(lt, &f);
    assert_eq!(
        (d.tunnels, d.ip.unwrap().src, d.ip.unwrap().protocol),
        (1, ip("10.29.11.1"), 1)
    );
    assert!(d.transport.is_none() && d.stop.is_none());
    assert_eq!(d.link.unwrap().vlans(), &[] as &[u16]); // the inner tag is not the link's
}

#[test]
fn ipv6_jumbo_hop_by_hop() {
    let (lt, f) = frame("tcpdump/bigtcp-ipv6-hbh.pcap", 1);
    let d = decode(lt, &f);
    let (i, t) = (d.ip.unwrap(), d.transport.unwrap());
    assert_eq!((i.protocol, i.header_len, i.payload_len), (6, 48, 80032));
    assert_eq!(
        (t.offset, t.wire_len, t.data.len()),
        (62, 80032, f.len() - 62)
    );
}

// ---- hand-made packets -------------------------------------------------

fn ipv4(proto: u8, total_len: u16, frag: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![
        0x45, 0, 0, 0, 0x12, 0x34, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    v[2..4].copy_from_slice(&total_len.to_be_bytes());
    v[6..8].copy_from_slice(&frag.to_be_bytes());
    v.extend_from_slice(payload);
    v
}

fn ipv6(next: u8, payload_len: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0x60, 0, 0, 0, 0, 0, next, 64];
    v[4..6].copy_from_slice(&payload_len.to_be_bytes());
    v.extend_from_slice(&[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    v.extend_from_slice(&[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    v.extend_from_slice(payload);
    v
}

const TCP: [u8; 20] = [
    0x30, 0x39, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
];

fn ether(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
    v.extend_from_slice(&ethertype.to_be_bytes());
    v.extend_from_slice(payload);
    v
}

#[test]
fn ethernet_trailer_is_not_tcp_data() {
    let mut f = ether(0x0800, &ipv4(6, 40, 0, &TCP));
    f.extend_from_slice(&[0; 6]); // padding to 60 bytes
    f.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef]); // FCS
    let t = decode(LinkType::ETHERNET, &f).transport.unwrap();
    assert_eq!((t.data.len(), t.wire_len), (20, 20));
}

#[test]
fn snaplen_cut_keeps_the_ip_length() {
    let f = ether(0x0800, &ipv4(6, 1500, 0, &TCP));
    let d = decode(LinkType::ETHERNET, &f[..50]);
    let t = d.transport.unwrap();
    assert_eq!((t.data.len(), t.wire_len, d.stop), (16, 1480, None));
}

#[test]
fn ipv4_length_faults() {
    // TSO: total length 0 → captured length.
    let pkt = ether(0x0800, &ipv4(6, 0, 0, &TCP));
    let d = decode(LinkType::ETHERNET, &pkt);
    assert_eq!(d.transport.unwrap().wire_len, 20);
    // IHL 4.
    let mut p = ipv4(6, 40, 0, &TCP);
    p[0] = 0x44;
    let e = decode(LinkType::RAW, &p).stop.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Ipv4, 0));
    assert!(matches!(e.kind, ErrorKind::BadLength { value: 16, .. }));
    // Total length below the header length.
    let e = decode(LinkType::ETHERNET, &ether(0x0800, &ipv4(6, 12, 0, &TCP)))
        .stop
        .unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Ipv4, 16));
    // Header cut by the snaplen: offset is where the IPv4 header starts.
    let e = decode(
        LinkType::ETHERNET,
        &ether(0x0800, &ipv4(6, 40, 0, &TCP))[..30],
    )
    .stop
    .unwrap();
    assert_eq!(e, tcpopt_parse::Error::truncated(Layer::Ipv4, 14, 20, 16));
    // Options longer than what was captured.
    let mut p = ipv4(6, 60, 0, &[]);
    p[0] = 0x4f;
    let e = decode(LinkType::RAW, &p).stop.unwrap();
    assert_eq!(e, tcpopt_parse::Error::truncated(Layer::Ipv4, 0, 60, 20));
    // Wrong version on a raw link: both nibbles of the byte are named.
    let e = decode(LinkType::RAW, &[0x50; 40]).stop.unwrap();
    assert_eq!(e.kind, ErrorKind::BadIpVersion { first_byte: 0x50 });
    assert_eq!(
        e.kind.to_string(),
        "version 5, header length 0 (first byte 0x50)"
    );
    // The same byte after an Ethernet header that says IPv4.
    let e = decode(LinkType::ETHERNET, &ether(0x0800, &[0x50; 40]))
        .stop
        .unwrap();
    assert_eq!(
        (e.layer, e.offset, e.kind),
        (
            Layer::Ipv4,
            14,
            ErrorKind::BadIpVersion { first_byte: 0x50 }
        )
    );
}

#[test]
fn fragments() {
    // First fragment (MF, offset 0) carries the TCP header.
    let pkt = ipv4(6, 40, 0x2000, &TCP);
    let d = decode(LinkType::RAW, &pkt);
    assert!(d.ip.unwrap().more_fragments && d.transport.is_some());
    // A later fragment does not, and that is no error.
    let pkt = ipv4(6, 40, 0x0010, &TCP);
    let d = decode(LinkType::RAW, &pkt);
    assert_eq!(
        (d.ip.unwrap().fragment_offset, d.transport, d.stop),
        (16, None, None)
    );
    // IPv6: fragment header, first and later.
    let mut first = vec![6, 0, 0, 1, 0, 0, 0, 9];
    first.extend_from_slice(&TCP);
    let pkt = ipv6(44, 28, &first);
    let d = decode(LinkType::RAW, &pkt);
    let i = d.ip.unwrap();
    assert_eq!(
        (
            i.protocol,
            i.id,
            i.more_fragments,
            i.header_len,
            d.transport.unwrap().offset
        ),
        (6, 9, true, 48, 48)
    );
    first[2..4].copy_from_slice(&[0x00, 0x80]); // offset 16
    let pkt = ipv6(44, 28, &first);
    let d = decode(LinkType::RAW, &pkt);
    assert_eq!(
        (d.ip.unwrap().fragment_offset, d.transport, d.stop),
        (16, None, None)
    );
}

#[test]
fn ipv6_extension_chain() {
    // Hop-by-hop (8) → destination options (16) → routing (8) → AH (12) → TCP.
    let mut ext = vec![60, 0, 1, 4, 0, 0, 0, 0];
    ext.extend_from_slice(&[43, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    ext.extend_from_slice(&[51, 0, 0, 0, 0, 0, 0, 0]);
    ext.extend_from_slice(&[6, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    let n = ext.len();
    ext.extend_from_slice(&TCP);
    let pkt = ipv6(0, ext.len() as u16, &ext);
    let d = decode(LinkType::IPV6, &pkt);
    assert_eq!(
        (d.transport.unwrap().offset, d.transport.unwrap().wire_len),
        (40 + n, 20)
    );
    // ESP and No Next Header end the walk without error.
    for nh in [50u8, 59] {
        let pkt = ipv6(nh, 20, &TCP);
        let d = decode(LinkType::RAW, &pkt);
        assert_eq!(
            (d.ip.unwrap().protocol, d.transport, d.stop),
            (nh, None, None)
        );
    }
    // An extension header past the payload length.
    let e = decode(LinkType::RAW, &ipv6(0, 4, &[6, 0, 1, 4, 0, 0, 0, 0]))
        .stop
        .unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Ipv6, 4));
    // Cut by the capture.
    let e = decode(LinkType::RAW, &ipv6(0, 8, &[6, 0, 1, 4]))
        .stop
        .unwrap();
    assert_eq!(e, tcpopt_parse::Error::truncated(Layer::Ipv6Ext, 40, 8, 4));
    // 17 destination options headers: too deep.
    let mut many = Vec::new();
    for _ in 0..17 {
        many.extend_from_slice(&[60, 0, 1, 4, 0, 0, 0, 0]);
    }
    let e = decode(LinkType::RAW, &ipv6(60, many.len() as u16, &many))
        .stop
        .unwrap();
    assert!(matches!(e.kind, ErrorKind::TooDeep { limit: 16, .. }));
}

#[test]
fn icmp_quoting_tcp_is_not_tcp() {
    let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&ipv4(6, 40, 0, &TCP));
    let pkt = ipv4(1, 20 + icmp.len() as u16, 0, &icmp);
    let d = decode(LinkType::RAW, &pkt);
    assert_eq!(
        (d.ip.unwrap().protocol, d.transport, d.stop),
        (1, None, None)
    );
}

#[test]
fn ip_in_ip_both_ways_and_depth_bound() {
    let inner6 = ipv6(6, 20, &TCP);
    let pkt = ipv4(41, 20 + inner6.len() as u16, 0, &inner6);
    let d = decode(LinkType::RAW, &pkt);
    assert_eq!(
        (d.tunnels, d.ip.unwrap().dst, d.transport.unwrap().offset),
        (1, ip("2001:db8::2"), 60)
    );
    let inner4 = ipv4(6, 40, 0, &TCP);
    let pkt = ipv6(4, inner4.len() as u16, &inner4);
    let d = decode(LinkType::RAW, &pkt);
    assert_eq!(
        (d.tunnels, d.ip.unwrap().dst, d.transport.unwrap().offset),
        (1, ip("10.0.0.2"), 60)
    );

    let nest = |depth: usize| {
        let mut p = ipv4(6, 40, 0, &TCP);
        for _ in 0..depth {
            p = ipv4(4, 20 + p.len() as u16, 0, &p);
        }
        p
    };
    let pkt = nest(8);
    let d = decode(LinkType::RAW, &pkt);
    assert_eq!(
        (d.tunnels, d.transport.unwrap().offset, d.stop),
        (8, 180, None)
    );
    let pkt = nest(9);
    let d = decode(LinkType::RAW, &pkt);
    assert!(matches!(
        d.stop.unwrap().kind,
        ErrorKind::TooDeep { limit: 8, .. }
    ));
    assert!(d.transport.is_none());
}

#[test]
fn gre_variants() {
    let inner = ipv4(6, 40, 0, &TCP);
    // Checksum + key + sequence.
    let mut g = vec![0xb0, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1];
    g.extend_from_slice(&inner);
    let pkt = ipv4(47, 20 + g.len() as u16, 0, &g);
    let d = decode(LinkType::RAW, &pkt);
    assert_eq!((d.tunnels, d.transport.unwrap().offset), (1, 56));
    // Transparent Ethernet bridging with an inner VLAN tag.
    let mut g = vec![0x00, 0x00, 0x65, 0x58];
    let mut tagged = vec![0x00, 0x0a, 0x08, 0x00];
    tagged.extend_from_slice(&inner);
    g.extend_from_slice(&ether(0x8100, &tagged));
    let pkt = ipv4(47, 20 + g.len() as u16, 0, &g);
    let d = decode(LinkType::RAW, &pkt);
    assert_eq!(d.transport.unwrap().offset, 20 + 4 + 18 + 20);
    // PPTP enhanced GRE (version 1) carrying PPP carrying IPv4.
    let mut g = vec![
        0x30, 0x01, 0x88, 0x0b, 0, 44, 0, 1, 0, 0, 0, 5, 0xff, 0x03, 0x00, 0x21,
    ];
    g.extend_from_slice(&inner);
    let pkt = ipv4(47, 20 + g.len() as u16, 0, &g);
    let d = decode(LinkType::RAW, &pkt);
    assert_eq!(d.transport.unwrap().offset, 20 + 16 + 20);
    // Cut inside the optional fields.
    let e = decode(LinkType::RAW, &ipv4(47, 26, 0, &[0xb0, 0, 8, 0, 0, 0]))
        .stop
        .unwrap();
    assert_eq!(e, tcpopt_parse::Error::truncated(Layer::Gre, 20, 16, 6));
}

#[test]
fn link_faults() {
    let e = decode(LinkType(147), &[0; 64]).stop.unwrap();
    assert!(matches!(e.kind, ErrorKind::Unsupported { value: 147, .. }));
    assert_eq!(
        decode(LinkType::ETHERNET, &[0; 10]).stop.unwrap(),
        tcpopt_parse::Error::truncated(Layer::Ethernet, 0, 14, 10)
    );
    // 802.3/LLC (length field): not IP, no error.
    let pkt = ether(0x0026, &[0x42; 38]);
    let d = decode(LinkType::ETHERNET, &pkt);
    assert_eq!(
        (d.link.unwrap().ethertype, d.transport, d.stop),
        (0x26, None, None)
    );
    // Five stacked VLAN tags: too deep.
    let mut tags = Vec::new();
    for _ in 0..5 {
        tags.extend_from_slice(&[0, 1, 0x81, 0x00]);
    }
    let e = decode(LinkType::ETHERNET, &ether(0x88a8, &tags))
        .stop
        .unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Vlan, 30));
    assert_eq!(
        decode(LinkType::LINUX_SLL2, &[0; 19]).stop.unwrap().layer,
        Layer::LinuxSll2
    );
}
