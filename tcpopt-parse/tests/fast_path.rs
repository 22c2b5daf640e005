//! `decode()`'s fixed-offset fast path against the general decoder: every
//! packet of every shared capture (netns, tcpdump, real; pcap and pcapng,
//! recursively) through both, and wherever the fast path answers, the
//! whole `Decoded` must be the general decoder's. `decode()` itself must
//! always be the general decoder's answer, and the dissected segment the
//! same either way.
// Reads files: needs std (`cargo test --all-features` runs it).
#![cfg(feature = "std")]

mod common;

use std::path::Path;

use tcpopt_parse::capture::packets;
use tcpopt_parse::decode::{decode, decode_fast, decode_general};
use tcpopt_parse::dissect::Dissected;
use tcpopt_parse::LinkType;

#[test]
fn fast_path_equals_general_decoder_on_every_shared_capture() {
    let root = common::captures_dir();
    let mut files = Vec::new();
    let capture = |p: &Path| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("pcap" | "pcapng")
        )
    };
    for sub in ["netns", "tcpdump", "real"] {
        common::walk(&root.join(sub), &capture, &mut files);
    }
    files.sort();
    assert!(
        files.len() > 100,
        "shared captures missing under {}",
        root.display()
    );
    let (mut total, mut fast, mut vlan, mut v6) = (0u64, 0u64, 0u64, 0u64);
    for path in &files {
        let buf = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Everything the reader yields; what it rejects ends the file.
        for rec in packets(&buf).map_while(Result::ok) {
            total += 1;
            let general = decode_general(rec.linktype, rec.data);
            assert_eq!(
                decode(rec.linktype, rec.data),
                general,
                "{} frame {}: decode() differs from the general decoder",
                path.display(),
                rec.frame
            );
            let (seg, stop) = Dissected::segment_of(&rec);
            let d = Dissected::of(&rec);
            assert_eq!(
                (seg, stop),
                (d.segment(), d.stop),
                "{} frame {}",
                path.display(),
                rec.frame
            );
            if let Some(f) = decode_fast(rec.linktype, rec.data) {
                fast += 1;
                assert_eq!(
                    f,
                    general,
                    "{} frame {}: fast path differs",
                    path.display(),
                    rec.frame
                );
                let link = f.link.expect("ethernet");
                vlan += u64::from(link.vlan_count);
                v6 += u64::from(f.ip.is_some_and(|ip| ip.src.is_ipv6()));
            }
        }
    }
    eprintln!(
        "{} files, {total} packets, {fast} on the fast path ({vlan} VLAN-tagged, {v6} IPv6)",
        files.len()
    );
    // The layouts the fast path takes are all in the corpus.
    assert!(
        fast > 1000 && vlan > 0 && v6 > 0,
        "fast {fast}, vlan {vlan}, v6 {v6}"
    );
}

/// Hand-made edge cases around each fast-path check: the fast path either
/// declines or agrees.
#[test]
fn fast_path_edges_agree_or_decline() {
    // Ethernet, 802.1Q VID 100, IPv4 (total 52), TCP with NOP NOP TS.
    let mut base = vec![0u8; 12];
    base.extend_from_slice(&[0x81, 0x00, 0x20, 0x64, 0x08, 0x00]);
    base.extend_from_slice(&[
        0x45, 0, 0, 52, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
    ]);
    base.extend_from_slice(&[
        0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x80, 0x10, 0xff, 0xff, 0, 0, 0, 0,
    ]);
    base.extend_from_slice(&[1, 1, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 0]);
    base.extend_from_slice(&[0xee; 6]); // trailer
    let ip = 18;
    let mut cases: Vec<Vec<u8>> = Vec::new();
    cases.push(base.clone());
    for cut in 0..base.len() {
        cases.push(base[..cut].to_vec());
    }
    let mut tweak = |at: usize, v: u8| {
        let mut c = base.clone();
        c[at] = v;
        cases.push(c);
    };
    for v in [0x44, 0x46, 0x55, 0x65] {
        tweak(ip, v); // version / IHL
    }
    for v in [0, 1, 19, 20, 21, 0xff] {
        tweak(ip + 3, v); // total length
    }
    for v in [0x20, 0x00, 0x01, 0x60, 0xa0] {
        tweak(ip + 6, v); // flags, fragment offset
    }
    tweak(ip + 7, 1);
    for v in [1, 17, 4, 41, 47, 50] {
        tweak(ip + 9, v); // protocol
    }
    for v in [0x86, 0x88, 0x91, 0x08] {
        tweak(12, v); // outer EtherType
    }
    tweak(16, 0x81); // a second tag
    tweak(16, 0x86); // 0x8600: unsupported
    let n = cases.len();
    for (i, c) in cases.iter().enumerate() {
        let g = decode_general(LinkType::ETHERNET, c);
        if let Some(f) = decode_fast(LinkType::ETHERNET, c) {
            assert_eq!(f, g, "case {i} of {n}");
        }
        assert_eq!(decode(LinkType::ETHERNET, c), g, "case {i}");
    }
    // And an IPv6 one, untagged, with its own edges.
    let mut v6 = vec![0u8; 12];
    v6.extend_from_slice(&[0x86, 0xdd, 0x6a, 0xb0, 0, 0, 0, 20, 6, 57]);
    v6.extend((0..32).map(|i| i as u8));
    v6.extend_from_slice(&[
        0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0,
    ]);
    let mut cases = vec![v6.clone()];
    for cut in 0..v6.len() {
        cases.push(v6[..cut].to_vec());
    }
    for (at, v) in [
        (14, 0x4a),
        (18, 0),
        (19, 0),
        (19, 40),
        (20, 0),
        (20, 44),
        (20, 17),
    ] {
        let mut c = v6.clone();
        c[at] = v;
        cases.push(c);
    }
    let f = decode_fast(LinkType::ETHERNET, &v6).expect("fast");
    assert_eq!(f.ip.map(|ip| ip.tos), Some(0xab));
    for (i, c) in cases.iter().enumerate() {
        let g = decode_general(LinkType::ETHERNET, c);
        if let Some(f) = decode_fast(LinkType::ETHERNET, c) {
            assert_eq!(f, g, "v6 case {i}");
        }
    }
    // Other link types never take it.
    assert!(decode_fast(LinkType::RAW, &base[ip..]).is_none());
}
