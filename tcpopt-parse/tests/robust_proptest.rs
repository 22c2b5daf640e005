//! Property tests on the shared captures, beyond the fixed cases of
//! pipeline_corpus.rs and capture_corpus.rs:
//! - chunked analysis equals whole-buffer analysis for arbitrary chunkings
//!   of every shared capture (tcpdump's too) and of random mutations of
//!   them;
//! - any prefix of any shared capture yields exactly the records wholly
//!   inside it, and the analysis counts exactly those.
//!
//! (Encoding a random TCP header with random options and decoding it back is
//! tcp_roundtrip.rs.)
#![cfg(all(feature = "std", feature = "serde"))]

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use tcpopt_parse::analysis::{Config, Report};
use tcpopt_parse::capture::{packets, CaptureParser, Event};
use tcpopt_parse::pipeline::{analyze_bytes, CaptureAnalysis};

/// Every shared capture, read once.
fn corpus() -> &'static [(PathBuf, Vec<u8>)] {
    static C: OnceLock<Vec<(PathBuf, Vec<u8>)>> = OnceLock::new();
    C.get_or_init(|| {
        let root = common::captures_dir();
        let mut v = Vec::new();
        for dir in ["netns", "tcpdump"] {
            for e in std::fs::read_dir(root.join(dir)).expect("shared captures") {
                let p = e.expect("entry").path();
                let n = p.to_string_lossy();
                if n.ends_with(".pcap") || n.ends_with(".pcapng") || n.ends_with(".cap") {
                    let b = std::fs::read(&p).expect("read");
                    v.push((p, b));
                }
            }
        }
        v.sort();
        assert!(v.len() > 500);
        v
    })
}

fn json(r: &Report) -> String {
    serde_json::to_string(r).expect("serialises")
}

fn chunked(bytes: &[u8], cuts: &[usize]) -> Report {
    let mut a = CaptureAnalysis::new(Config::default());
    let mut at = 0;
    for &c in cuts.iter().chain([&bytes.len()]) {
        let c = c.clamp(at, bytes.len());
        a.push(&bytes[at..c]);
        at = c;
    }
    a.finish()
}

/// Sorted cut points inside `len`, from fractions.
fn cuts_of(len: usize, fr: &[f64]) -> Vec<usize> {
    let mut v: Vec<usize> = fr.iter().map(|f| (f * len as f64) as usize).collect();
    v.sort_unstable();
    v
}

/// End offsets of the packet records the sans-IO parser reads from the
/// front of `bytes`, up to its first error.
fn packet_ends(bytes: &[u8]) -> Vec<(u64, usize)> {
    let mut p = CaptureParser::new();
    let mut off = 0;
    let mut v = Vec::new();
    while let Ok((n, ev)) = p.next(&bytes[off..]) {
        off += n;
        if let Event::Packet(r) = ev {
            v.push((r.frame, off));
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, .. ProptestConfig::default() })]

    #[test]
    fn chunked_equals_whole_on_any_shared_capture(
        pick in any::<prop::sample::Index>(),
        fr in prop::collection::vec(0.0f64..1.0, 0..24),
        tiny in 0usize..64,
    ) {
        let (path, bytes) = pick.get(corpus());
        let bytes = &bytes[..bytes.len().min(256 * 1024)];
        let mut cuts = cuts_of(bytes.len(), &fr);
        // A run of 1-byte chunks somewhere: the worst case for the reader.
        if let Some(&c) = cuts.first() {
            cuts.extend(c..(c + tiny).min(bytes.len()));
            cuts.sort_unstable();
        }
        let whole = json(&analyze_bytes(bytes, Config::default()));
        prop_assert_eq!(json(&chunked(bytes, &cuts)), whole, "{} cut at {:?}", path.display(), cuts);
    }

    #[test]
    fn chunked_equals_whole_on_mutated_captures(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((0.0f64..1.0, any::<u8>(), 0u8..4), 1..8),
        fr in prop::collection::vec(0.0f64..1.0, 1..16),
    ) {
        let (path, bytes) = pick.get(corpus());
        let mut m = bytes[..bytes.len().min(64 * 1024)].to_vec();
        for &(at, v, op) in &edits {
            if m.is_empty() {
                break;
            }
            let i = ((at * m.len() as f64) as usize).min(m.len() - 1);
            match op {
                0 => m[i] = v,
                1 => m[i] ^= 1 << (v % 8),
                2 => m.truncate(i),
                _ => {
                    m.remove(i);
                }
            }
        }
        let cuts = cuts_of(m.len(), &fr);
        let whole = analyze_bytes(&m, Config::default());
        prop_assert_eq!(json(&chunked(&m, &cuts)), json(&whole), "{} mutated by {:?}", path.display(), edits);
        // The count equals the records the iterator yields.
        let records = packets(&m).map_while(Result::ok).count() as u64;
        prop_assert_eq!(whole.capture.packets, records);
    }

    #[test]
    fn any_prefix_yields_exactly_the_records_inside_it(
        pick in any::<prop::sample::Index>(),
        at in 0.0f64..1.0,
    ) {
        let (path, bytes) = pick.get(corpus());
        let cut = (at * bytes.len() as f64) as usize;
        let prefix = &bytes[..cut];
        let all = packet_ends(bytes);
        let expect: Vec<u64> = all.iter().filter(|(_, end)| *end <= cut).map(|(f, _)| *f).collect();
        let got: Vec<u64> = packets(prefix).map_while(Result::ok).map(|r| r.frame).collect();
        prop_assert_eq!(&got, &expect, "{} cut at {}", path.display(), cut);
        let r = analyze_bytes(prefix, Config::default());
        prop_assert_eq!(r.capture.packets, expect.len() as u64);
        if !r.capture.complete {
            prop_assert_eq!(r.capture.errors[0].frame, expect.len() as u64 + 1);
            prop_assert!(r.capture.errors[0].offset <= cut as u64);
        }
    }
}
