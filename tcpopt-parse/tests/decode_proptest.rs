//! `decode` never panics, and what it returns stays inside the input.

use proptest::prelude::*;
use tcpopt_parse::decode::decode;
use tcpopt_parse::LinkType;

const LINKTYPES: [u32; 11] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147];

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
    let et = if sel % 8 >= 5 {
        [0x86, 0xdd]
    } else {
        [0x08, 0x00]
    };
    let mut link = match lt {
        1 => [vec![0; 12], et.to_vec()].concat(),
        113 => [vec![0; 14], et.to_vec()].concat(),
        276 => [et.to_vec(), vec![0; 18]].concat(),
        0 => vec![2, 0, 0, 0],
        108 => vec![0, 0, 0, 2],
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
