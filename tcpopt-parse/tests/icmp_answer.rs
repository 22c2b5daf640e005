#![cfg(feature = "std")]
//! A SYN answered by an ICMP destination unreachable is reported with the
//! ICMP frame (not as silence), through the whole pipeline: the decoder
//! hands the quoted TCP header to the analyzer.

use tcpopt_parse::analysis::{Code, Config, Severity};
use tcpopt_parse::pipeline::analyze_bytes;

const CLIENT: [u8; 4] = [192, 0, 2, 10];
const SERVER: [u8; 4] = [198, 51, 100, 10];
const ROUTER: [u8; 4] = [203, 0, 113, 1];

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, payload: &[u8]) -> Vec<u8> {
    let len = (20 + payload.len()) as u16;
    let mut p = vec![0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, proto, 0, 0];
    p[2..4].copy_from_slice(&len.to_be_bytes());
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(payload);
    p
}

/// A SYN 40000 → 80 with ISN `isn` and the timestamps option.
fn syn(isn: u32, tsval: u32) -> Vec<u8> {
    let mut t = vec![0x9c, 0x40, 0, 80];
    t.extend_from_slice(&isn.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 0, 0x80, 0x02, 0xff, 0xff, 0, 0, 0, 0]);
    // NOP, NOP, TS (RFC 7323 App. A layout), then 8 bytes of NOP/EOL pad.
    t.extend_from_slice(&[1, 1, 8, 10]);
    t.extend_from_slice(&tsval.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 0]);
    t.extend_from_slice(&[1, 1, 1, 1, 1, 1, 1, 0]);
    ipv4(CLIENT, SERVER, 6, &t)
}

/// ICMP type 3 code `code` from the router, quoting `quoted`'s IP header
/// and first 8 bytes of TCP (RFC 792).
fn unreachable(code: u8, quoted: &[u8]) -> Vec<u8> {
    let mut m = vec![3, code, 0, 0, 0, 0, 0, 0];
    m.extend_from_slice(&quoted[..28]);
    ipv4(ROUTER, CLIENT, 1, &m)
}

fn pcap(packets: &[(i64, Vec<u8>)]) -> Vec<u8> {
    let mut f = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&65535u32.to_le_bytes());
    f.extend_from_slice(&101u32.to_le_bytes()); // LINKTYPE_RAW
    for (ms, p) in packets {
        let (s, us) = (1_700_000_000 + ms / 1000, (ms % 1000) * 1000);
        f.extend_from_slice(&(s as u32).to_le_bytes());
        f.extend_from_slice(&(us as u32).to_le_bytes());
        f.extend_from_slice(&(p.len() as u32).to_le_bytes());
        f.extend_from_slice(&(p.len() as u32).to_le_bytes());
        f.extend_from_slice(p);
    }
    f
}

#[test]
fn a_syn_refused_by_icmp_is_reported_with_the_icmp_frame() {
    let s = syn(1000, 5_000);
    let r = analyze_bytes(
        &pcap(&[
            (0, s.clone()),
            (30, unreachable(13, &s)),
            (1000, syn(1000, 6_000)),
            (4000, syn(1000, 9_000)),
        ]),
        Config::default(),
    );
    assert!(r.capture.complete);
    assert_eq!(r.capture.tcp_segments, 3, "the ICMP quote is no segment");
    let f: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == Code::SynUnanswered)
        .collect();
    assert_eq!(f.len(), 1, "{:#?}", r.findings);
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(f[0].frames, [1, 2, 3, 4], "the SYNs and the ICMP frame");
    assert!(
        f[0].summary
            .contains("ICMP administratively prohibited from 203.0.113.1 (frame 2)"),
        "{}",
        f[0].summary
    );
}

#[test]
fn an_icmp_error_quoting_another_segment_changes_nothing() {
    let s = syn(1000, 5_000);
    let other = syn(77, 5_000);
    let r = analyze_bytes(
        &pcap(&[
            (0, s),
            (30, unreachable(3, &other)),
            (1000, syn(1000, 6_000)),
            (4000, syn(1000, 9_000)),
        ]),
        Config::default(),
    );
    let f: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == Code::SynUnanswered)
        .collect();
    assert_eq!(f.len(), 1);
    assert!(f[0].summary.contains("got no answer"), "{}", f[0].summary);
    assert_eq!(f[0].frames, [1, 3, 4]);
}
