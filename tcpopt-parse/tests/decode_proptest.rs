//! `decode` never panics, and what it returns stays inside the input.

use proptest::prelude::*;
use tcpopt_parse::decode::decode;
use tcpopt_parse::LinkType;

const LINKTYPES: [u32; 19] = [
    0, 1, 7, 9, 12, 14, 50, 51, 101, 104, 108, 113, 129, 228, 229, 239, 242, 276, 147,
];

fn check(lt: u32, data: &[u8]) {
    let d = decode(LinkType(lt), data);
    if let Some(t) = d.transport {
        assert_eq!(t.protocol, 6);
        assert!(t.offset + t.data.len() <= data.len());
        assert_eq!(data[t.offset..].as_ptr(), t.data.as_ptr());
        assert!(d.stop.is_none());
    }
    if let Some(ip) = d.ip {
        assert!(ip.offset < data.len());
    }
    if let Some(e) = d.stop {
        assert!(e.offset <= data.len() as u64, "{e:?} past {}", data.len());
    }
}

/// A plausible packet prefix per link type, so random tails reach the
/// deeper layers (IP, extension headers, GRE, UDP tunnels) often.
fn prefix(lt: u32, sel: u8) -> Vec<u8> {
    let ip4 = |proto: u8| {
        vec![
            0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]
    };
    let net: Vec<u8> = match sel % 8 {
        0 => ip4(6),
        1 => ip4(47),
        2 => [
            ip4(17),
            vec![0x30, 0x39, 0x12, 0xb5, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 1, 0],
        ]
        .concat(),
        3 => [
            ip4(17),
            vec![
                0x30, 0x39, 0x17, 0xc1, 0, 0, 0, 0, 0, 0, 0x65, 0x58, 0, 0, 1, 0,
            ],
        ]
        .concat(),
        4 => ip4(4),
        5 => vec![0x60, 0, 0, 0, 0, 0, 0, 64],
        6 => vec![0x60, 0, 0, 0, 0, 0, 44, 64],
        _ => vec![],
    };
    let v6 = sel % 8 >= 5;
    let et = if v6 { [0x86, 0xdd] } else { [0x08, 0x00] };
    let ppp: &[u8] = if v6 { &[0x00, 0x57] } else { &[0x00, 0x21] };
    // Every other packet goes through an MPLS label (or PPPoE on Ethernet).
    let shim = sel & 0x10 != 0;
    let mpls = [0x00, 0x01, 0x01, 0x40];
    let (et, net) = match (shim, lt) {
        (true, 1) => {
            let mut p = vec![0x11, 0x00, 0x00, 0x01, 0x00, 0x40];
            p.extend_from_slice(ppp);
            ([0x88, 0x64], [p, net].concat())
        }
        (true, 9 | 50 | 104 | 113 | 242 | 276) => ([0x88, 0x47], [mpls.to_vec(), net].concat()),
        _ => (et, net),
    };
    let mut link = match lt {
        1 => [vec![0; 12], et.to_vec()].concat(),
        113 => [vec![0; 14], et.to_vec()].concat(),
        276 => [et.to_vec(), vec![0; 18]].concat(),
        0 => vec![2, 0, 0, 0],
        108 => vec![0, 0, 0, 2],
        9 | 50 if shim => vec![0xff, 0x03, 0x02, 0x81],
        9 | 50 => [&[0xff, 0x03][..], ppp].concat(),
        51 => [&[0x11, 0x00, 0x00, 0x01, 0x00, 0x40][..], ppp].concat(),
        104 => [&[0x0f, 0x00][..], &et].concat(),
        242 => [vec![0; 40], et.to_vec(), vec![0, 0]].concat(),
        129 => vec![1, 2, 0, 0, if v6 { 0xc4 } else { 0xf0 }],
        7 => vec![1, 2, if v6 { 0xc4 } else { 0xd4 }, sel & 3, 0, 1],
        239 => {
            // Header, NFULA_PACKET_HDR, then a payload TLV whose length
            // the random tail may or may not honour.
            let mut r = vec![if v6 { 10 } else { 2 }, 0, 0, 1, 8, 0, 1, 0, 8, 0, 1, 0];
            r.extend_from_slice(&[sel, 0, 9, 0]);
            r
        }
        _ => vec![],
    };
    link.extend_from_slice(&net);
    link
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes(lt in prop::sample::select(&LINKTYPES[..]), data in prop::collection::vec(any::<u8>(), 0..200)) {
        check(lt, &data);
    }

    #[test]
    fn random_tails_after_plausible_headers(
        lt in prop::sample::select(&LINKTYPES[..]),
        sel in any::<u8>(),
        tail in prop::collection::vec(any::<u8>(), 0..160),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut data = prefix(lt, sel);
        data.extend_from_slice(&tail);
        check(lt, &data);
        let n = cut.index(data.len() + 1);
        check(lt, &data[..n]);
    }
}

/// The plausible prefixes really reach IP on every link type that has a
/// shim or a header of its own, so the random tails exercise the layers
/// beyond (and the proptest above cannot pass vacuously there).
#[test]
fn prefixes_reach_ip() {
    for lt in [1, 7, 9, 50, 51, 104, 113, 129, 239, 242, 276] {
        for sel in [0u8, 0x10, 0x28] {
            if lt == 239 && sel != 0x28 {
                continue; // the NFLOG payload TLV length is `sel`: 40 covers IPv4 + TCP
            }
            let mut data = prefix(lt, sel);
            data.extend_from_slice(&[0; 20]);
            let d = decode(LinkType(lt), &data);
            assert!(d.ip.is_some(), "linktype {lt}, sel {sel:#x}: {:?}", d.stop);
        }
    }
}
