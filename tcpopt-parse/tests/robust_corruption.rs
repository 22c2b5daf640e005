//! Single-byte corruptions of every netns capture (every prefix is in
//! pipeline_corpus.rs): every 7th byte XORed with 0xFF, set to 0x00 and set
//! to 0xFF. The report covers every packet before the damage, a stop names
//! the frame after the last whole packet and a byte at or after the
//! damaged item's start, and nothing takes long.
#![cfg(all(feature = "std", feature = "serde"))]

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tcpopt_parse::analysis::Config;
use tcpopt_parse::capture::{CaptureParser, Event};
use tcpopt_parse::pipeline::analyze_bytes;

fn netns() -> Vec<PathBuf> {
    let dir = common::captures_dir().join("netns");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("netns captures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    v.sort();
    v
}

/// (start, end, is_packet) of every item of a clean capture.
fn items(bytes: &[u8]) -> Vec<(usize, usize, bool)> {
    let mut p = CaptureParser::new();
    let mut off = 0;
    let mut v = Vec::new();
    while let Ok((n, ev)) = p.next(&bytes[off..]) {
        v.push((off, off + n, matches!(ev, Event::Packet(_))));
        off += n;
    }
    assert_eq!(off, bytes.len());
    v
}

#[test]
fn single_byte_corruptions_keep_everything_before_the_damage() {
    let mut runs = 0u32;
    let mut stopped = 0u32;
    let mut slowest = Duration::ZERO;
    for f in netns() {
        let bytes = std::fs::read(&f).expect("read");
        let items = items(&bytes);
        let whole = analyze_bytes(&bytes, Config::default());
        assert!(whole.capture.complete);
        for (variant, first) in [("xor 0xff", 0usize), ("0x00", 3), ("0xff", 5)] {
            for pos in (first..bytes.len()).step_by(7) {
                let mut damaged = bytes.clone();
                damaged[pos] = match variant {
                    "xor 0xff" => damaged[pos] ^ 0xff,
                    "0x00" => 0x00,
                    _ => 0xff,
                };
                if damaged[pos] == bytes[pos] {
                    continue;
                }
                let what = format!("{} byte {pos} {variant}", f.display());
                let start = Instant::now();
                let r = analyze_bytes(&damaged, Config::default());
                let took = start.elapsed();
                slowest = slowest.max(took);
                assert!(took < Duration::from_secs(2), "{what}: {took:?}");
                runs += 1;

                let hit = items
                    .iter()
                    .find(|i| i.0 <= pos && pos < i.1)
                    .expect("an item holds the byte");
                let before = items.iter().filter(|i| i.2 && i.1 <= hit.0).count() as u64;
                assert!(
                    r.capture.packets >= before,
                    "{what}: {} packets, {before} before the damage",
                    r.capture.packets
                );
                if !r.capture.complete {
                    stopped += 1;
                    let e = &r.capture.errors[0];
                    assert_eq!(e.frame, r.capture.packets + 1, "{what}: {e:?}");
                    assert!(
                        e.offset >= hit.0 as u64 && e.offset <= bytes.len() as u64,
                        "{what}: {e:?} (item at {})",
                        hit.0
                    );
                    // Where is in the typed fields; the words say only what.
                    assert_eq!(e.detail, e.kind.to_string(), "{what}");
                    assert!(e.layer.is_framing(), "{what}: {e:?}");
                }
            }
        }
    }
    eprintln!("{runs} corruptions, {stopped} stopped reading early; slowest {slowest:?}");
    assert!(runs > 30_000 && stopped > 500, "{runs} {stopped}");
}

/// Truncations, timed: every 3rd prefix of every netns capture (every
/// prefix is checked untimed in pipeline_corpus.rs) is analysed in well
/// under 2 s, and counts exactly the packets wholly inside it.
#[test]
fn truncations_are_quick_and_keep_every_whole_packet() {
    let mut runs = 0u32;
    let mut slowest = Duration::ZERO;
    for f in netns() {
        let bytes = std::fs::read(&f).expect("read");
        let items = items(&bytes);
        for cut in (0..bytes.len()).step_by(3) {
            let start = Instant::now();
            let r = analyze_bytes(&bytes[..cut], Config::default());
            let took = start.elapsed();
            slowest = slowest.max(took);
            assert!(
                took < Duration::from_secs(2),
                "{} cut at {cut}: {took:?}",
                f.display()
            );
            let inside = items.iter().filter(|i| i.2 && i.1 <= cut).count() as u64;
            assert_eq!(r.capture.packets, inside, "{} cut at {cut}", f.display());
            runs += 1;
        }
    }
    eprintln!("{runs} truncations; slowest {slowest:?}");
    assert!(runs > 30_000);
}
