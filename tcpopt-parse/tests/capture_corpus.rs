//! The whole-buffer iterator and the chunked reader over every shared
//! capture: same records, same final error, for any chunking; and every
//! prefix of the netns captures ends exactly where it should.
// Needs the allocator and std (`cargo test --all-features` runs it; a plain
// `cargo test -p tcpopt-parse` compiles it to nothing).
#![cfg(feature = "std")]

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tcpopt_parse::capture::{
    packets, CaptureParser, ChunkedReader, Event, PacketRecord, ReadError,
};
use tcpopt_parse::{Error, ErrorKind};

fn captures(dir: &str) -> Vec<PathBuf> {
    let root = common::captures_dir().join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no captures in {}", root.display());
    v
}

/// An owned copy of everything a record carries.
#[derive(Debug, PartialEq, Eq, Clone)]
struct Rec {
    frame: u64,
    offset: u64,
    interface_id: u32,
    linktype: u32,
    ts: i64,
    digits: u8,
    caplen: u32,
    origlen: u32,
    data: Vec<u8>,
}

impl From<&PacketRecord<'_>> for Rec {
    fn from(p: &PacketRecord<'_>) -> Self {
        assert_eq!(p.caplen as usize, p.data.len(), "caplen must be data.len()");
        Rec {
            frame: p.frame,
            offset: p.offset,
            interface_id: p.interface_id,
            linktype: p.linktype.0,
            ts: p.ts.nanos,
            digits: p.ts.digits,
            caplen: p.caplen,
            origlen: p.origlen,
            data: p.data.to_vec(),
        }
    }
}

fn whole(buf: &[u8]) -> (Vec<Rec>, Option<Error>) {
    let mut recs = Vec::new();
    let mut err = None;
    let mut it = packets(buf);
    for r in &mut it {
        match r {
            Ok(p) => recs.push(Rec::from(&p)),
            Err(e) => {
                assert!(err.is_none(), "the iterator yields one error");
                err = Some(e);
            }
        }
    }
    assert!(it.next().is_none(), "fused after the error");
    (recs, err)
}

/// Returns records, final error and the largest number of bytes the reader
/// held at once.
fn chunked(buf: &[u8], chunk: usize) -> (Vec<Rec>, Option<Error>, usize) {
    let mut r = ChunkedReader::new();
    let mut recs = Vec::new();
    let mut max_pending = 0;
    for c in buf.chunks(chunk) {
        r.push(c);
        max_pending = max_pending.max(r.pending());
        loop {
            match r.next() {
                Ok(Some(Event::Packet(p))) => recs.push(Rec::from(&p)),
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    // The reader stays on the error.
                    assert_eq!(r.next().err(), Some(e));
                    return (recs, Some(e), max_pending);
                }
            }
        }
    }
    (recs, r.finish().err(), max_pending)
}

/// Sizes of every item the parser consumes (to bound memory and to know
/// where record boundaries are).
fn item_spans(buf: &[u8]) -> Vec<(u64, usize)> {
    let mut p = CaptureParser::new();
    let mut pos = 0usize;
    let mut spans = Vec::new();
    while let Ok((n, _)) = p.next(&buf[pos..]) {
        assert!(n > 0);
        spans.push((pos as u64, n));
        pos += n;
    }
    spans
}

#[test]
fn whole_buffer_and_chunked_agree_on_every_capture() {
    let mut files = captures("netns");
    files.extend(captures("tcpdump"));
    let (mut total_frames, mut with_error, mut slowest) =
        (0usize, 0usize, (Duration::ZERO, PathBuf::new()));
    for path in &files {
        let buf = std::fs::read(path).unwrap();
        let t = Instant::now();
        let (recs, err) = whole(&buf);
        let largest = item_spans(&buf).iter().map(|s| s.1).max().unwrap_or(0);
        for chunk in [1, 7, 4096] {
            let (c_recs, c_err, max_pending) = chunked(&buf, chunk);
            assert_eq!(
                c_recs,
                recs,
                "{} chunk {chunk}: records differ",
                path.display()
            );
            assert_eq!(
                c_err,
                err,
                "{} chunk {chunk}: final error differs",
                path.display()
            );
            // Memory is bounded by the largest item, not the file.
            assert!(
                max_pending <= largest + chunk + 24,
                "{} chunk {chunk}: held {max_pending} bytes, largest item {largest}",
                path.display()
            );
        }
        let el = t.elapsed();
        assert!(
            el < Duration::from_secs(2),
            "{} took {el:?}",
            path.display()
        );
        if el > slowest.0 {
            slowest = (el, path.clone());
        }
        for (i, r) in recs.iter().enumerate() {
            assert_eq!(r.frame, i as u64 + 1, "frames are 1-based and dense");
        }
        total_frames += recs.len();
        with_error += err.is_some() as usize;
    }
    println!(
        "{} files, {total_frames} frames, {with_error} end in an error; slowest {:?} ({})",
        files.len(),
        slowest.0,
        slowest.1.display()
    );
    assert!(total_frames > 5_000);
}

#[test]
fn netns_captures_are_clean() {
    for path in captures("netns") {
        let buf = std::fs::read(&path).unwrap();
        let (recs, err) = whole(&buf);
        assert_eq!(err, None, "{}", path.display());
        assert!(recs.len() > 10, "{}", path.display());
    }
}

#[test]
fn every_prefix_of_the_netns_captures() {
    for path in captures("netns") {
        let buf = std::fs::read(&path).unwrap();
        let (all, _) = whole(&buf);
        let spans = item_spans(&buf);
        assert_eq!(spans.iter().map(|s| s.1).sum::<usize>(), buf.len());
        let mut checked_cuts = 0;
        for len in 0..=buf.len() {
            let prefix = &buf[..len];
            let (recs, err) = whole(prefix);
            // Exactly the records wholly inside the prefix.
            let expect: Vec<Rec> = all
                .iter()
                .filter(|r| {
                    let span = spans.iter().find(|s| s.0 == r.offset).unwrap();
                    r.offset as usize + span.1 <= len
                })
                .cloned()
                .collect();
            assert_eq!(recs, expect, "{} prefix {len}", path.display());
            // An error iff the prefix ends inside an item, at that item's start.
            let inside = spans
                .iter()
                .find(|s| (s.0 as usize) < len && len < s.0 as usize + s.1);
            match (inside, err) {
                (None, None) => {}
                (Some(&(start, size)), Some(e)) => {
                    assert_eq!(e.offset, start, "{} prefix {len}", path.display());
                    let available = (len as u64) - start;
                    match e.kind {
                        ErrorKind::Truncated {
                            needed,
                            available: a,
                        } => {
                            assert_eq!(a, available);
                            assert!(
                                needed > available && needed <= size as u64,
                                "{} prefix {len}: {e}",
                                path.display()
                            );
                            if available >= 16 {
                                // Once the header is in, the whole item size is known.
                                assert_eq!(
                                    needed,
                                    size as u64,
                                    "{} prefix {len}: {e}",
                                    path.display()
                                );
                            }
                        }
                        k => panic!("{} prefix {len}: unexpected {k:?}", path.display()),
                    }
                    checked_cuts += 1;
                }
                (i, e) => panic!(
                    "{} prefix {len}: inside {i:?} but error {e:?}",
                    path.display()
                ),
            }
            // The sans-IO parser agrees: NeedMore on the cut item, and
            // finish() gives the same answer.
            if let Some(&(start, _)) = inside {
                let mut p = CaptureParser::new();
                let mut pos = 0;
                while pos < start as usize {
                    pos += p.next(&prefix[pos..]).unwrap().0;
                }
                assert!(
                    matches!(p.next(&prefix[pos..]), Err(ReadError::NeedMore { needed }) if needed > len - pos)
                );
                assert_eq!(p.finish(&prefix[pos..]).unwrap_err().offset, start);
                assert_eq!(
                    p.frames() as usize,
                    all.iter().filter(|r| r.offset < start).count()
                );
            }
        }
        assert!(checked_cuts > buf.len() / 2);
    }
}

/// Throughput on a synthetic 1500-byte-record pcap (run with
/// `cargo test --release -- --ignored --nocapture throughput`).
#[test]
#[ignore]
fn throughput() {
    let mut cap = vec![
        0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    ];
    let rec = 1500u32;
    for i in 0..100_000u32 {
        cap.extend(i.to_le_bytes());
        cap.extend(0u32.to_le_bytes());
        cap.extend(rec.to_le_bytes());
        cap.extend(rec.to_le_bytes());
        cap.extend(std::iter::repeat_n(0u8, rec as usize));
    }
    let mb = cap.len() as f64 / 1e6;
    let t = Instant::now();
    let n = packets(&cap).filter(|r| r.is_ok()).count();
    let el = t.elapsed().as_secs_f64();
    println!(
        "whole buffer: {n} records, {mb:.0} MB in {el:.3} s = {:.0} MB/s, {:.1} M records/s",
        mb / el,
        n as f64 / el / 1e6
    );
    let t = Instant::now();
    let mut r = ChunkedReader::new();
    let mut m = 0;
    for c in cap.chunks(65536) {
        r.push(c);
        while let Some(ev) = r.next().unwrap() {
            m += matches!(ev, Event::Packet(_)) as usize;
        }
    }
    r.finish().unwrap();
    let el = t.elapsed().as_secs_f64();
    println!(
        "chunked 64 KiB: {m} records in {el:.3} s = {:.0} MB/s; buffer capacity {} bytes",
        mb / el,
        r.buffer_capacity()
    );
    assert_eq!(n, m);
}
