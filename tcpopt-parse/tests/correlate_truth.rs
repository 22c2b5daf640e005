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
