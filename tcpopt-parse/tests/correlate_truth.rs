#![cfg(all(feature = "std", feature = "serde"))]
//! Two-vantage correlation against the truth of captures made with real
//! kernels (issue 13's checks 1 and 2) and against itself (check 3).

mod common;

use std::path::Path;

use serde_json::Value;
use tcpopt_parse::correlate::{
    correlate_bytes, Config, CorrelationCode, CorrelationReport, Outcome, Severity,
};

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn correlate(a: &Path, b: &Path) -> CorrelationReport {
    let names = [a, b].map(|p| p.file_name().unwrap().to_string_lossy().into_owned());
    correlate_bytes(&read(a), &read(b), Config::default(), names)
}

/// The (A frame, B frame) pairs of every ladder row seen in both.
fn pairs(r: &CorrelationReport) -> Vec<(u64, u64)> {
    let mut v: Vec<(u64, u64)> = r
        .attempts
        .iter()
        .flat_map(|a| a.ladder.iter())
        .filter_map(|row| Some((row.frame_a?, row.frame_b?)))
        .collect();
    v.sort_unstable();
    v
}

/// Check 1: the container's SYNs (B) against the server's capture (A).
#[test]
fn tw_recycle_drop_container_syns_reached_the_server_and_were_dropped_there() {
    let dir = common::captures_dir().join("netns");
    let truth: Value =
        serde_json::from_slice(&read(&dir.join("tw-recycle-drop.ctrb.truth.json"))).unwrap();
    let r = correlate(
        &dir.join("tw-recycle-drop.pcapng"),
        &dir.join("tw-recycle-drop.ctrb.pcap"),
    );
    let ctrb = truth["captures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["file"] == "tw-recycle-drop.ctrb.pcap")
        .unwrap();
    let pairs = pairs(&r);
    let mut syns = 0;
    for flow in ctrb["flows"].as_array().unwrap() {
        let client: Vec<u64> = flow["syn_frames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let server: Vec<u64> = flow["server_capture_syn_frames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(client.len(), server.len());
        for (c, s) in client.iter().zip(&server) {
            syns += 1;
            assert!(
                pairs.contains(&(*s, *c)),
                "container SYN frame {c} matched to server frame {s}; pairs {pairs:?}"
            );
            // ... and to no other frame.
            assert_eq!(pairs.iter().filter(|p| p.1 == *c).count(), 1);
        }
        // Each attempt: seen at both, SYNs reached the server, no SYN-ACK.
        let at = r
            .attempts
            .iter()
            .find(|a| a.isn == flow["client_isn"].as_u64().map(|v| v as u32))
            .expect("attempt listed");
        assert_eq!(
            at.outcome,
            Outcome::SynsReachedNoAnswer,
            "{}",
            at.description
        );
        assert_eq!(at.client_b.as_deref(), Some("192.0.2.20:50020"));
        assert_eq!(at.client_a.as_deref(), Some("198.51.100.1:50020"));
        assert_eq!(at.syns_b, client.len() as u64);
        assert_eq!(at.syns_a, server.len() as u64);
        assert_eq!((at.synacks_a, at.synacks_b), (0, 0));
        assert_eq!(at.lost, 0);
    }
    assert_eq!(syns, 32);
    // The NAT mapping.
    let m = r
        .nat
        .mappings
        .iter()
        .find(|m| m.client_b == "192.0.2.20:50020")
        .expect("mapping of the container");
    assert_eq!(m.client_a, "198.51.100.1:50020");
    assert_eq!(m.connections, 8);
    assert_eq!(m.rewritten, ["client address"]);
    assert_eq!(r.nat.keeps_ports, Some(true));
    assert!(
        r.nat
            .description
            .contains("198.51.100.1:50020 (A) ↔ 192.0.2.20:50020 (B)"),
        "{}",
        r.nat.description
    );
    // The verdict: reached the server, dropped there.
    let f = &r.findings[0];
    assert_eq!(f.code, CorrelationCode::SynReachedServerDropped);
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(r.verdict, f.summary);
    assert!(
        r.verdict
            .contains("The 4 SYNs of each of the 8 connection attempts from 192.0.2.20:50020 (B)")
            && r.verdict.contains("all reached A as 198.51.100.1:50020")
            && r.verdict
                .contains("dropped there: no SYN-ACK left the server"),
        "{}",
        r.verdict
    );
    let frames = |v: &str| -> Vec<u64> {
        f.frames
            .iter()
            .find(|x| x.vantage == v)
            .unwrap()
            .frames
            .clone()
    };
    let want_b: Vec<u64> = (1..=32).collect();
    assert_eq!(frames("B"), want_b);
    let mut want_a: Vec<u64> = truth["expected_verdict"].clone()["dropped_syns"]
        .as_u64()
        .map(|_| Vec::new())
        .unwrap();
    for flow in ctrb["flows"].as_array().unwrap() {
        want_a.extend(
            flow["server_capture_syn_frames"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap()),
        );
    }
    assert_eq!(frames("A"), want_a);
    // hosta's connections are only at the server: other traffic, not loss.
    assert_eq!(r.totals.attempts_only_a, 8);
    assert_eq!(r.totals.not_on_path, 8);
    assert_eq!(r.totals.lost_segments, 0);
    assert!(r.rewrites.is_empty(), "{:?}", r.rewrites);
    // Only B→A traffic matched: an upper... lower bound on the offset.
    assert!(r.clock.lower_ns.is_some() && r.clock.upper_ns.is_none());
    assert_eq!(r.paths.len(), 1);
    assert_eq!(r.paths[0].ttl_decrement_min, Some(1));
    assert_eq!(r.paths[0].ttl_decrement_max, Some(1));
}

/// Rewrites every IPv4 and IPv6 address of a little-endian Ethernet pcap
/// with a bijection (so distinct addresses stay distinct) and fixes the
/// IPv4 header checksum and the TCP checksum (RFC 1624 incremental update).
fn rewrite_addresses(pcap: &[u8]) -> Vec<u8> {
    assert_eq!(pcap[..4], [0xd4, 0xc3, 0xb2, 0xa1], "little-endian pcap");
    assert_eq!(
        u32::from_le_bytes(pcap[20..24].try_into().unwrap()),
        1,
        "Ethernet"
    );
    let fold = |mut s: u32| {
        while s >> 16 != 0 {
            s = (s & 0xffff) + (s >> 16);
        }
        s as u16
    };
    let words = |b: &[u8]| -> Vec<u16> {
        b.chunks(2)
            .map(|w| u16::from_be_bytes([w[0], w[1]]))
            .collect()
    };
    let mut out = pcap.to_vec();
    let mut at = 24;
    let mut rewritten = 0;
    while at + 16 <= out.len() {
        let caplen = u32::from_le_bytes(out[at + 8..at + 12].try_into().unwrap()) as usize;
        let pkt = at + 16;
        at = pkt + caplen;
        let p = &mut out[pkt..at];
        let ip = 14;
        // (address offsets and length, protocol, TCP header offset)
        let (addrs, len, proto, tcp) = match p.get(12..14) {
            Some([0x08, 0x00]) if p.len() >= 34 => {
                let ihl = usize::from(p[ip] & 0x0f) * 4;
                (ip + 12, 4, p[ip + 9], ip + ihl)
            }
            Some([0x86, 0xdd]) if p.len() >= 54 => (ip + 8, 16, p[ip + 6], ip + 40),
            _ => continue,
        };
        let old = words(&p[addrs..addrs + 2 * len]);
        for a in p[addrs..addrs + 2 * len].chunks_mut(len) {
            a[0] ^= 0x5a;
            a[len - 3] ^= 0x33;
            a[len - 2] = a[len - 2].wrapping_add(7);
        }
        let new = words(&p[addrs..addrs + 2 * len]);
        if len == 4 {
            p[ip + 10..ip + 12].copy_from_slice(&[0, 0]);
            let sum: u32 = words(&p[ip..tcp]).into_iter().map(u32::from).sum();
            p[ip + 10..ip + 12].copy_from_slice(&(!fold(sum)).to_be_bytes());
        }
        // TCP checksum: the pseudo-header's addresses changed.
        if proto == 6 && p.len() >= tcp + 18 {
            let hc = u16::from_be_bytes([p[tcp + 16], p[tcp + 17]]);
            let mut s = u32::from(!hc);
            for (m, n) in old.iter().zip(&new) {
                s += u32::from(!m) + u32::from(*n);
            }
            p[tcp + 16..tcp + 18].copy_from_slice(&(!fold(s)).to_be_bytes());
        }
        rewritten += 1;
    }
    assert!(rewritten > 0);
    out
}

fn assert_all_matched(r: &CorrelationReport, what: &str) {
    for v in &r.vantages {
        assert!(v.tcp_segments > 0, "{what}");
        assert_eq!(
            v.matched, v.tcp_segments,
            "{what}: every segment of {} matched",
            v.vantage
        );
        assert_eq!(
            (v.unmatched_on_path, v.unmatched_elsewhere),
            (0, 0),
            "{what}"
        );
    }
    assert_eq!(r.totals.lost_segments, 0, "{what}");
    assert_eq!(
        (r.totals.attempts_only_a, r.totals.attempts_only_b),
        (0, 0),
        "{what}"
    );
    assert_eq!(r.totals.all_matched, r.totals.attempts_in_both, "{what}");
    assert!(r.rewrites.is_empty(), "{what}: {:?}", r.rewrites);
    // Same frames on both sides, one for one.
    for a in &r.attempts {
        for row in &a.ladder {
            assert_eq!(row.frame_a, row.frame_b, "{what}: {}", a.description);
            assert!(!row.lost);
        }
    }
    assert_eq!(r.clock.offset_ns, Some(0), "{what}");
    assert_eq!(r.clock.uncertainty_ns, Some(0), "{what}");
}

const NETNS: [&str; 8] = [
    "nat-two-clocks.pcap",
    "no-timestamps.pcap",
    "per-connection-offsets.pcap",
    "tw-recycle-drop.ctrb.pcap",
    "tw-recycle-fixed.pcap",
    "ipv6-clean.pcapng",
    "timewait-reuse.pcapng",
    "tw-recycle-drop.pcapng",
];

/// Check 3a: a capture against itself.
#[test]
fn a_capture_against_itself_matches_everything() {
    let dir = common::captures_dir().join("netns");
    for name in NETNS {
        let p = dir.join(name);
        let r = correlate(&p, &p);
        assert_all_matched(&r, name);
        assert!(r.findings.is_empty(), "{name}: {:?}", r.findings);
        assert_eq!(r.nat.translated_connections, 0);
        assert!(r.verdict.starts_with("All "), "{name}: {}", r.verdict);
    }
}

/// Check 3b: against a copy with every address rewritten: everything
/// matched, and the only thing reported is the addresses (a NAT mapping).
#[test]
fn a_capture_against_its_address_rewritten_copy_reports_only_the_addresses() {
    let dir = common::captures_dir().join("netns");
    for name in NETNS.iter().filter(|n| n.ends_with(".pcap")) {
        let bytes = read(&dir.join(name));
        let copy = rewrite_addresses(&bytes);
        for (a, b) in [(&bytes, &copy), (&copy, &bytes)] {
            let r = correlate_bytes(a, b, Config::default(), ["a".into(), "b".into()]);
            assert_all_matched(&r, name);
            assert_eq!(
                r.nat.translated_connections, r.totals.attempts_in_both,
                "{name}"
            );
            for m in &r.nat.mappings {
                assert_eq!(m.rewritten, ["client address", "server address"], "{name}");
            }
            assert_eq!(r.nat.keeps_ports, Some(true));
            let codes: Vec<_> = r.findings.iter().map(|f| f.code).collect();
            assert_eq!(codes, [CorrelationCode::NatMapping], "{name}");
        }
    }
}

fn lab_dir() -> std::path::PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../lab/captures")).to_path_buf()
}

fn observed(bytes: &[u8]) -> Vec<tcpopt_parse::correlate::Observed> {
    tcpopt_parse::capture::packets(bytes)
        .map(|r| r.expect("a whole capture"))
        .filter_map(|r| tcpopt_parse::correlate::Observed::of(&r))
        .collect()
}

/// Check 2: real kernels rewriting on the NAT (lab/captures, made by
/// `scripts/lab.sh`: TCPOPTSTRIP timestamp on SYNs and on every segment,
/// TCPMSS --set-mss 1200, SYNPROXY), each captured on both sides of the
/// NAT (A = inner, B = outer). Every rewrite the truth's `rewrites` lists
/// is reported with its direction and values; the header fields the truth
/// does not cover (window scale, window, sequence numbers) are checked
/// against the captures' handshakes paired in order; nothing else is reported.
#[test]
fn real_kernel_rewrites_are_reported_and_nothing_else() {
    use std::collections::BTreeSet;
    use tcpopt_parse::correlate::{RewriteKind as K, Way};
    for name in ["strip-ts-syn", "strip-ts-all", "tcpmss", "synproxy"] {
        let dir = lab_dir();
        let truth: Value =
            serde_json::from_slice(&read(&dir.join(format!("{name}.truth.json")))).unwrap();
        let (inner, outer) = (
            read(&dir.join(format!("{name}.inner.pcap"))),
            read(&dir.join(format!("{name}.outer.pcap"))),
        );
        let r = correlate_bytes(
            &inner,
            &outer,
            Config::default(),
            ["inner".into(), "outer".into()],
        );
        let mut want: BTreeSet<(K, Way)> = BTreeSet::new();
        for (key, e) in truth["rewrites"].as_object().unwrap() {
            if key == "rules" {
                continue;
            }
            let c2s = key.starts_with("client_to_server");
            let way = if c2s { Way::AToB } else { Way::BToA };
            let n = |f: &str| e[f].as_u64().unwrap_or(0);
            // The truth pairs (inner, outer): "removed" is inner-has, outer-not.
            let (removed, added) = if c2s {
                (n("ts_removed"), n("ts_added"))
            } else {
                (n("ts_added"), n("ts_removed"))
            };
            if removed > 0 {
                want.insert((K::TimestampsRemoved, way));
                let w = r
                    .rewrites
                    .iter()
                    .find(|w| (w.kind, w.way) == (K::TimestampsRemoved, way))
                    .unwrap();
                assert!(w.segments >= removed, "{name} {key}");
            }
            if added > 0 {
                want.insert((K::TimestampsAdded, way));
            }
            for m in e["mss_inner_outer"].as_array().into_iter().flatten() {
                let (i, o) = (m[0].as_u64().unwrap(), m[1].as_u64().unwrap());
                if i != o {
                    want.insert((K::MssChanged, way));
                    let (before, after) = if c2s { (i, o) } else { (o, i) };
                    assert!(
                        r.rewrites
                            .iter()
                            .any(|w| (w.kind, w.way) == (K::MssChanged, way)
                                && w.before == Some(before.to_string())
                                && w.after == Some(after.to_string())),
                        "{name} {key}: MSS {before} → {after} in {:?}",
                        r.rewrites
                    );
                }
            }
            for (field, kind) in [
                ("tsval_outer_minus_inner", K::TsvalShifted),
                ("tsecr_outer_minus_inner", K::TsecrShifted),
            ] {
                for v in e[field].as_array().into_iter().flatten() {
                    let v = v.as_i64().unwrap();
                    if v == 0 {
                        continue;
                    }
                    want.insert((kind, way));
                    // After minus before in the direction of travel.
                    let shift = if c2s { v } else { -v };
                    let w = r
                        .rewrites
                        .iter()
                        .find(|w| (w.kind, w.way) == (kind, way))
                        .unwrap_or_else(|| panic!("{name}: {kind:?} {way:?} in {:?}", r.rewrites));
                    assert!(
                        w.shifts.contains(&shift),
                        "{name} {key}: {shift} in {:?}",
                        w.shifts
                    );
                }
            }
        }
        // What the truth does not list, from the handshakes themselves
        // (SYNs and SYN-ACKs of each direction paired in order).
        let (oi, oo) = (observed(&inner), observed(&outer));
        for (synack, way) in [(false, Way::AToB), (true, Way::BToA)] {
            let pick = |v: &[tcpopt_parse::correlate::Observed]| -> Vec<tcpopt_parse::correlate::Observed> {
                v.iter().filter(|s| s.flags.syn() && s.flags.ack() == synack).copied().collect()
            };
            let (pi, po) = (pick(&oi), pick(&oo));
            assert_eq!(pi.len(), po.len(), "{name}");
            for (i, o) in pi.iter().zip(&po) {
                let (before, after) = if way == Way::AToB { (i, o) } else { (o, i) };
                if before.wscale != after.wscale {
                    want.insert((K::WindowScaleChanged, way));
                }
                if before.window != after.window {
                    want.insert((K::WindowChanged, way));
                }
                if synack && i.seq != o.seq {
                    want.insert((K::SeqShifted, way));
                }
            }
        }
        let got: BTreeSet<(K, Way)> = r.rewrites.iter().map(|w| (w.kind, w.way)).collect();
        assert_eq!(got, want, "{name}: {:#?}", r.rewrites);
        // The NAT, and nothing lost.
        assert_eq!(r.totals.lost_segments, 0, "{name}");
        assert_eq!(r.totals.attempts_in_both, 3, "{name}");
        assert_eq!(r.totals.all_matched, 3, "{name}");
        assert!(
            r.nat.description.starts_with(
                "NAT between the captures: 192.0.2.10 (A) ↔ 198.51.100.1 (B) for 3 connections"
            ),
            "{}",
            r.nat.description
        );
        assert_eq!(r.nat.keeps_ports, Some(true));
        assert_eq!(
            r.vantages[1].matched, r.vantages[1].tcp_segments,
            "{name}: every outer segment matched"
        );
        let v = &r.vantages[0];
        assert_eq!(v.matched + v.made_between, v.tcp_segments, "{name}");
        // Only SYNPROXY makes segments of its own (a window update to the client per connection).
        assert_eq!(
            v.made_between,
            if name == "synproxy" { 3 } else { 0 },
            "{name}"
        );
        // Timestamps stripped: the two-vantage TS-04.
        let ts04 = r
            .findings
            .iter()
            .any(|f| f.code == CorrelationCode::TsOptionStrippedOrInjected);
        assert_eq!(ts04, name.starts_with("strip-ts"), "{name}");
        // The offset: one clock (both captures on the NAT), both directions matched.
        assert!(
            r.clock.offset_ns.unwrap().abs() <= r.clock.uncertainty_ns.unwrap() + 10_000,
            "{name}: {}",
            r.clock.description
        );
    }
}

/// The server's capture with the container's segments taken out: a copy of
/// tw-recycle-drop.pcapng as if the SYNs had died on the way (pcapng
/// Enhanced Packet Blocks of 198.51.100.1:50020 dropped; the rest kept).
fn without_port(pcapng: &[u8], port: u16) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut dropped = 0;
    while at + 12 <= pcapng.len() {
        let kind = u32::from_le_bytes(pcapng[at..at + 4].try_into().unwrap());
        let len = u32::from_le_bytes(pcapng[at + 4..at + 8].try_into().unwrap()) as usize;
        let block = &pcapng[at..at + len];
        at += len;
        // EPB: 28 bytes of header, then Ethernet (14) + IPv4 (20) + TCP ports.
        if kind == 6 && block.len() >= 28 + 38 {
            let sport = u16::from_be_bytes([block[28 + 34], block[28 + 35]]);
            if sport == port {
                dropped += 1;
                continue;
            }
        }
        out.extend_from_slice(block);
    }
    assert_eq!(dropped, 32, "the container's SYNs");
    out
}

/// The other half of check 1: had the SYNs died between the container and
/// the server, the verdict says they never reached it (a firewall or
/// routing problem), not that the server dropped them.
#[test]
fn syns_that_never_reach_the_server_are_lost_between() {
    let dir = common::captures_dir().join("netns");
    let server = without_port(&read(&dir.join("tw-recycle-drop.pcapng")), 50020);
    let ctrb = read(&dir.join("tw-recycle-drop.ctrb.pcap"));
    let r = correlate_bytes(
        &server,
        &ctrb,
        Config::default(),
        ["server".into(), "ctrb".into()],
    );
    // The copy ends with hosta's last connection, before the container's
    // last attempt began: that one is outside the server capture, not lost.
    assert_eq!(r.totals.syns_never_reached, 7);
    assert_eq!(r.totals.syns_reached_no_answer, 0);
    assert_eq!(r.totals.lost_segments, 28);
    let f = &r.findings[0];
    assert_eq!(f.code, CorrelationCode::SynLostBetweenCaptures);
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(r.verdict, f.summary);
    assert!(
        r.verdict.starts_with("The 4 SYNs of each of the 7 connection attempts from 192.0.2.20:50020 (B) to 198.51.100.10:80 never reached A"),
        "{}",
        r.verdict
    );
    assert!(f
        .explanation
        .contains("not a server-side or timestamp (PAWS) problem"));
    let b: Vec<u64> = (1..=28).collect();
    assert_eq!(f.frames[0].vantage, "B");
    assert_eq!(f.frames[0].frames, b);
    let at = r
        .attempts
        .iter()
        .find(|a| a.outcome == Outcome::SynsNeverReached)
        .unwrap();
    assert!(at
        .ladder
        .iter()
        .all(|row| row.lost && row.frame_a.is_none()));
    // hosta's connections are still only the server's: not lost.
    assert_eq!(r.totals.not_on_path, 9);
    assert!(r
        .findings
        .iter()
        .all(|f| f.code != CorrelationCode::NatMapping));
}
