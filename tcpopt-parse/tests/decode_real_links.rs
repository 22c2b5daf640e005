//! `decode` on frames of other projects' captures (`../shared/captures/real`)
//! in the link layers and tunnels added for issue 10: 802.11 behind
//! radiotap, FDDI, Cisco HDLC in a PPP file, E-Tag, VN-Tag, FabricPath,
//! GTP-U, Aruba's 802.11-in-GRE with an A-MSDU; and what is said when a
//! packet cannot be decoded. The ports and addresses are tshark's.

use tcpopt_parse::decode::decode;
use tcpopt_parse::link::LinkKind;
use tcpopt_parse::{ErrorKind, Layer, LinkType};

mod common;
mod decode_util;
use decode_util::{frame, ip, ports};

fn real(file: &str) -> String {
    format!("real/{file}")
}

#[test]
fn radiotap_80211_qos_data() {
    let (lt, f) = frame(
        &real("packetnet/Test/CaptureFiles/80211_qos_data_frame_ipv4_tcp.pcap"),
        1,
    );
    assert_eq!(lt, LinkType::IEEE802_11_RADIOTAP);
    let d = decode(lt, &f);
    assert_eq!(d.stop, None);
    let link = d.link.unwrap();
    assert_eq!(
        link.kind,
        LinkKind::Ieee80211 {
            radio_header: true,
            frame_type: 2
        }
    );
    // 41 bytes of radiotap, a 26-byte QoS data header, 8 of LLC/SNAP.
    assert_eq!((link.ethertype, link.header_len), (0x0800, 41 + 26 + 8));
    assert_eq!(d.ip.unwrap().src, ip("192.168.1.1"));
    assert_eq!(ports(&d), (5555, 54036));
}

#[test]
fn fddi_llc_snap() {
    let (lt, f) = frame(&real("zeek/testing/btest/Traces/dns-inverse-query.pcap"), 1);
    assert_eq!(lt, LinkType::FDDI);
    let d = decode(lt, &f);
    let link = d.link.unwrap();
    assert_eq!(
        link.kind,
        LinkKind::Fddi {
            frame_control: 0x50
        }
    );
    assert_eq!((link.ethertype, link.header_len), (0x0800, 13 + 8));
    assert_eq!(d.ip.unwrap().src, ip("212.180.42.100"));
    assert_eq!(ports(&d), (25000, 53));
}

#[test]
fn cisco_hdlc_in_a_ppp_file() {
    let (lt, f) = frame(
        &real("ndpi/tests/cfgs/default/pcap/BGP_Cisco_hdlc_slarp.pcap"),
        1,
    );
    assert_eq!(lt, LinkType::PPP);
    let d = decode(lt, &f);
    assert_eq!(d.link.unwrap().kind, LinkKind::CiscoHdlc { address: 0x0f });
    assert_eq!(d.ip.unwrap().src, ip("100.16.1.2"));
    assert_eq!(ports(&d), (18324, 179));
}

#[test]
fn ethernet_tags() {
    // 802.1BR E-Tag, then IPv4.
    let (lt, f) = frame(&real("suricata-verify/tests/decode-etag-01/input.pcap"), 1);
    let d = decode(lt, &f);
    assert_eq!(d.stop, None);
    assert_eq!(d.ip.unwrap().src, ip("52.114.124.106"));
    assert_eq!(ports(&d), (443, 52566));
    // VLAN, VN-Tag, VLAN, IPv4.
    let (lt, f) = frame(
        &real("zeek/testing/btest/Traces/vntag_vlan_sandwich_clean.pcap"),
        1,
    );
    let d = decode(lt, &f);
    assert_eq!(d.ip.unwrap().src, ip("10.10.10.1"));
    assert_eq!(ports(&d), (443, 56960));
    // FabricPath: 16-byte outer header, then the inner frame with a VLAN tag.
    let (lt, f) = frame(&real("ndpi/tests/cfgs/default/pcap/ajp.pcap"), 3);
    let d = decode(lt, &f);
    assert_eq!((d.tunnels, d.ip.unwrap().offset), (1, 16 + 14 + 4));
    assert_eq!(d.ip.unwrap().src, ip("172.29.9.147"));
    assert_eq!(ports(&d), (8009, 38856));
}

#[test]
fn gtp_u() {
    // Two VLAN tags, IPv4, UDP 2152, GTPv1 T-PDU, IPv4, TCP.
    let (lt, f) = frame(
        &real("ndpi/tests/cfgs/default/pcap/false_positives.pcapng"),
        1,
    );
    let d = decode(lt, &f);
    assert_eq!((d.stop, d.tunnels), (None, 1));
    assert_eq!(d.ip.unwrap().src, ip("10.140.231.26"));
    assert_eq!(ports(&d), (61202, 443));
    // A T-PDU with an extension header; the outer datagram is a first
    // fragment, whose bytes carry the whole GTP header and TCP's.
    let (lt, f) = frame(
        &real("zeek/testing/btest/Traces/tunnels/gtp/gtp_ext_header.pcap"),
        1,
    );
    let d = decode(lt, &f);
    assert_eq!(d.ip.unwrap().src, ip("10.155.182.202"));
    assert_eq!(ports(&d), (41511, 6005));
}

#[test]
fn aruba_gre_amsdu_first_subframe() {
    let (lt, f) = frame(
        &real("zeek/testing/btest/Traces/tunnels/gre-aruba-amsdu.pcap"),
        1,
    );
    let d = decode(lt, &f);
    assert_eq!(d.ip.unwrap().src, ip("157.240.18.16"));
    assert_eq!(ports(&d), (443, 49392));
    // The second subframe's segment is not analysed: said, not dropped.
    let e = d.undecoded().unwrap();
    assert_eq!(e.layer, Layer::Ieee80211);
    assert!(matches!(e.kind, ErrorKind::Unsupported { what, .. } if what.contains("A-MSDU")));
}

#[test]
fn what_cannot_be_decoded_is_said() {
    // IEEE 802.15.4 (linktype 195): not decoded, may hold anything.
    let (lt, f) = frame(
        &real("scapy/test/pcaps/zigbee-transport-key-skke_1.pcap"),
        1,
    );
    let e = decode(lt, &f).undecoded().unwrap();
    assert_eq!(e.layer, Layer::Link);
    assert_eq!(
        e.kind,
        ErrorKind::Unsupported {
            what: "link type",
            value: 195
        }
    );
    // ARP is known not to be TCP: nothing to say.
    let arp = [&[0xff; 6][..], &[2, 0, 0, 0, 0, 1], &[0x08, 0x06], &[0; 28]].concat();
    let d = decode(LinkType::ETHERNET, &arp);
    assert_eq!((d.stop, d.undecoded()), (None, None));
    // MACsec (0x88e5) may hide TCP: undecoded, naming the Ethernet layer.
    let mut macsec = arp.clone();
    macsec[12..14].copy_from_slice(&[0x88, 0xe5]);
    let e = decode(LinkType::ETHERNET, &macsec).undecoded().unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Ethernet, 14));
    assert_eq!(
        e.kind,
        ErrorKind::Unsupported {
            what: "ethertype",
            value: 0x88e5
        }
    );
}
