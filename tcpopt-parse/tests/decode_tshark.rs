//! Checks `decode` against tshark on every shared capture: each frame
//! tshark dissects as TCP (no reassembly, not quoted in ICMP) must decode
//! to TCP bytes whose ports match tshark's first TCP header, and no other
//! frame may, except the differences listed (with reasons) in
//! `tests/data/decode-differences.txt`.
//!
//! tshark's answers are stored in `tests/data/decode-tshark-tcp.tsv` (the
//! command is in its first line) so that the test does not need tshark.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use tcpopt_parse::{decode::decode, LinkType};

/// A throwaway pcap/pcapng record splitter (the real reader lives in
/// `capture`): yields (linktype, captured bytes) per packet, stops quietly
/// at the first malformed structure.
fn packets(file: &[u8]) -> Vec<(u32, &[u8])> {
    let mut out = Vec::new();
    let Some(magic) = file.get(..4) else {
        return out;
    };
    let u32_at = |b: &[u8], off: usize, be: bool| -> Option<u32> {
        let a: [u8; 4] = b.get(off..off + 4)?.try_into().ok()?;
        Some(if be {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    };
    let u16_at = |b: &[u8], off: usize, be: bool| -> Option<u16> {
        let a: [u8; 2] = b.get(off..off + 2)?.try_into().ok()?;
        Some(if be {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        })
    };
    match magic {
        [0xd4, 0xc3, 0xb2, 0xa1]
        | [0x4d, 0x3c, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0xc3, 0xd4]
        | [0xa1, 0xb2, 0x3c, 0x4d] => {
            let be = magic[0] == 0xa1;
            // The upper bits carry the FCS length; the link type is the low 16.
            let Some(lt) = u32_at(file, 20, be) else {
                return out;
            };
            let lt = lt & 0xffff;
            let mut pos = 24;
            while let Some(caplen) = u32_at(file, pos + 8, be) {
                let start = pos + 16;
                let Some(data) = file.get(start..start + caplen as usize) else {
                    break;
                };
                out.push((lt, data));
                pos = start + caplen as usize;
            }
        }
        [0x0a, 0x0d, 0x0d, 0x0a] => {
            let mut pos = 0;
            let mut be = false;
            let mut ifaces: Vec<u32> = Vec::new();
            while let Some(bt) = u32_at(file, pos, false) {
                if bt == 0x0a0d0d0a {
                    match file.get(pos + 8..pos + 12) {
                        Some([0x1a, 0x2b, 0x3c, 0x4d]) => be = true,
                        Some([0x4d, 0x3c, 0x2b, 0x1a]) => be = false,
                        _ => break,
                    }
                    ifaces.clear();
                }
                let Some(bt) = u32_at(file, pos, be) else {
                    break;
                };
                let Some(len) = u32_at(file, pos + 4, be) else {
                    break;
                };
                let len = len as usize;
                if len < 12 || len % 4 != 0 {
                    break;
                }
                let Some(block) = file.get(pos..pos + len) else {
                    break;
                };
                match bt {
                    1 => ifaces.push(u16_at(block, 8, be).map_or(u32::MAX, u32::from)),
                    6 | 2 => {
                        let iface = if bt == 6 {
                            u32_at(block, 8, be)
                        } else {
                            u16_at(block, 8, be).map(u32::from)
                        };
                        let caplen = u32_at(block, 20, be).unwrap_or(u32::MAX) as usize;
                        let (Some(iface), Some(data)) = (iface, block.get(28..28 + caplen)) else {
                            break;
                        };
                        out.push((
                            ifaces.get(iface as usize).copied().unwrap_or(u32::MAX),
                            data,
                        ));
                    }
                    3 => {
                        let orig = u32_at(block, 8, be).unwrap_or(0) as usize;
                        let caplen = orig.min(len - 16);
                        let Some(data) = block.get(12..12 + caplen) else {
                            break;
                        };
                        out.push((ifaces.first().copied().unwrap_or(u32::MAX), data));
                    }
                    _ => {}
                }
                pos += len;
            }
        }
        _ => {}
    }
    out
}

fn read_table(name: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(path)
        .expect("table")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

#[test]
fn tcp_frames_match_tshark() {
    let root = common::captures_dir();
    if !root.exists() {
        eprintln!("skipping: {} not found", root.display());
        return;
    }
    // (file, frame) -> (sport, dport)
    let mut tshark: BTreeMap<(String, u64), (u16, u16)> = BTreeMap::new();
    for row in read_table("decode-tshark-tcp.tsv") {
        let (Some(f), Some(n), Some(s), Some(d)) =
            (row.first(), row.get(1), row.get(2), row.get(3))
        else {
            panic!("bad row {row:?}")
        };
        tshark.insert(
            (f.clone(), n.parse().unwrap()),
            (s.parse().unwrap(), d.parse().unwrap()),
        );
    }
    // (file, frame or "*") accepted differences
    let allowed: BTreeSet<(String, String)> = read_table("decode-differences.txt")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let is_allowed = |f: &str, n: u64| {
        allowed.contains(&(f.to_owned(), n.to_string()))
            || allowed.contains(&(f.to_owned(), "*".to_owned()))
    };

    let mut files = Vec::new();
    for dir in ["netns", "tcpdump"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".pcap") || name.ends_with(".pcapng") {
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    files.sort();

    let (mut frames, mut agree, mut allowed_diff) = (0u64, 0u64, 0u64);
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for f in &files {
        let bytes = std::fs::read(root.join(f)).unwrap();
        for (i, (lt, data)) in packets(&bytes).into_iter().enumerate() {
            let n = i as u64 + 1;
            frames += 1;
            let d = decode(LinkType(lt), data);
            let ours = d.tcp().map(|t| {
                assert_eq!(d.transport.unwrap().protocol, 6);
                // Offsets must point at these bytes.
                assert_eq!(
                    data.get(d.transport.unwrap().offset..).map(|s| s.as_ptr()),
                    Some(t.as_ptr())
                );
                match t {
                    [a, b, c, e, ..] => {
                        Some((u16::from_be_bytes([*a, *b]), u16::from_be_bytes([*c, *e])))
                    }
                    _ => None,
                }
            });
            let key = (f.clone(), n);
            let theirs = tshark.get(&key).copied();
            if theirs.is_some() {
                seen.insert(key.clone());
            }
            let ok = match (theirs, ours) {
                (None, None) => true,
                (Some(p), Some(Some(q))) => p == q,
                _ => false,
            };
            if ok {
                agree += u64::from(theirs.is_some());
            } else if is_allowed(f, n) {
                allowed_diff += 1;
            } else {
                problems.push(format!(
                    "{f} frame {n}: tshark {theirs:?}, decode {ours:?}, stop {:?}",
                    d.stop
                ));
            }
        }
    }
    for key in tshark.keys() {
        if !seen.contains(key) && !is_allowed(&key.0, key.1) {
            problems.push(format!(
                "{} frame {}: tshark sees TCP, splitter found no such frame",
                key.0, key.1
            ));
        }
    }
    eprintln!(
        "{} files, {frames} frames, {} tshark TCP frames, {agree} agree, {allowed_diff} listed differences, {} problems",
        files.len(),
        tshark.len(),
        problems.len()
    );
    for p in problems.iter().take(60) {
        eprintln!("{p}");
    }
    assert!(
        problems.is_empty(),
        "{} frames disagree with tshark",
        problems.len()
    );
    assert!(agree > 1900, "only {agree} TCP frames agreed");
}

/// Throughput over the netns captures' frames (run with
/// `cargo test --release -p tcpopt-parse --test decode_tshark -- --ignored --nocapture`).
#[test]
#[ignore]
fn throughput() {
    let root = common::captures_dir().join("netns");
    let mut bufs = Vec::new();
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "pcap" || x == "pcapng") {
            bufs.push(std::fs::read(p).unwrap());
        }
    }
    let frames: Vec<(u32, &[u8])> = bufs.iter().flat_map(|b| packets(b)).collect();
    let rounds = 20_000_000 / frames.len().max(1);
    let start = std::time::Instant::now();
    let mut tcp_bytes = 0usize;
    for _ in 0..rounds {
        for (lt, data) in &frames {
            let d = decode(LinkType(*lt), std::hint::black_box(data));
            tcp_bytes += d.tcp().map_or(0, <[u8]>::len);
        }
    }
    let n = rounds * frames.len();
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{n} decodes in {secs:.2} s: {:.1} M packets/s, {:.1} ns/packet ({tcp_bytes})",
        n as f64 / secs / 1e6,
        secs * 1e9 / n as f64
    );
}
