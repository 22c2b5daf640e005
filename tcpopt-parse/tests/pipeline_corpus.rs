//! The whole pipeline (capture reader → decode → TCP → analysis) over every
//! shared capture: no panic, no hang, a clear message for damaged input;
//! every prefix of the netns captures analysed up to the cut; and chunked
//! input giving exactly the report of the whole buffer.
// Needs the allocator and std (`cargo test --all-features` runs it; a plain
// `cargo test -p tcpopt-parse` compiles it to nothing).
#![cfg(all(feature = "std", feature = "serde"))]

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tcpopt_parse::analysis::{Config, Report};
use tcpopt_parse::capture::packets;
use tcpopt_parse::error::{ErrorKind, Layer};
use tcpopt_parse::pipeline::{analyze_bytes, CaptureAnalysis};

fn shared(dir: &str) -> Vec<PathBuf> {
    let root = common::captures_dir().join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("shared captures")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".pcap") || n.ends_with(".pcapng") || n.ends_with(".cap")
        })
        .collect();
    v.sort();
    v
}

fn chunked(bytes: &[u8], chunk: usize) -> Report {
    let mut a = CaptureAnalysis::new(Config::default());
    for c in bytes.chunks(chunk) {
        a.push(c);
    }
    a.finish()
}

/// What `serde` would print, for exact comparison of two reports.
fn json(r: &Report) -> String {
    serde_json::to_string(r).expect("report serialises")
}

#[test]
fn every_shared_capture_analyses_without_panic_or_hang() {
    let mut files = shared("netns");
    files.extend(shared("tcpdump"));
    assert!(files.len() > 500);
    let mut slowest = (Duration::ZERO, PathBuf::new());
    let mut damaged = 0;
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        let start = Instant::now();
        let report = analyze_bytes(&bytes, Config::default());
        let took = start.elapsed();
        if took > slowest.0 {
            slowest = (took, f.clone());
        }
        assert!(
            took < Duration::from_secs(2),
            "{} took {took:?}",
            f.display()
        );
        // Packets counted = records the capture reader yields.
        let records = packets(&bytes).filter(|r| r.is_ok()).count() as u64;
        assert_eq!(report.capture.packets, records, "{}", f.display());
        if !report.capture.complete {
            damaged += 1;
            let e = report
                .capture
                .errors
                .first()
                .expect("an incomplete capture names its fault");
            assert!(
                e.frame >= 1 && !e.detail.is_empty(),
                "{}: {e:?}",
                f.display()
            );
        }
        for e in &report.capture.errors {
            assert!(
                !e.detail.contains("Error {") && !e.detail.contains("Kind"),
                "no Debug dumps in messages: {}",
                e.detail
            );
        }
        assert!(!report.verdict.is_empty());
    }
    eprintln!(
        "{} captures, {damaged} stopped early; slowest {:?} ({})",
        files.len(),
        slowest.0,
        slowest.1.display()
    );
}

#[test]
fn every_prefix_of_the_netns_captures_is_analysed_up_to_the_cut() {
    for f in shared("netns") {
        let bytes = std::fs::read(&f).expect("read");
        let whole = analyze_bytes(&bytes, Config::default());
        assert!(whole.capture.complete, "{}", f.display());
        // Record ends: a prefix ending exactly there is a complete capture.
        let mut ends = std::collections::BTreeSet::new();
        let mut p = tcpopt_parse::capture::CaptureParser::new();
        let mut off = 0usize;
        while let Ok((n, _)) = p.next(&bytes[off..]) {
            off += n;
            ends.insert(off);
        }
        for cut in 0..bytes.len() {
            let r = analyze_bytes(&bytes[..cut], Config::default());
            let inside = packets(&bytes[..cut]).filter(|r| r.is_ok()).count() as u64;
            assert_eq!(r.capture.packets, inside, "{} cut at {cut}", f.display());
            assert_eq!(
                r.capture.complete,
                ends.contains(&cut),
                "{} cut at {cut}",
                f.display()
            );
            if !r.capture.complete {
                let e = &r.capture.errors[0];
                assert_eq!(
                    e.frame,
                    inside + 1,
                    "{} cut at {cut}: the fault names the cut frame",
                    f.display()
                );
                assert!(
                    e.offset <= cut as u64,
                    "{} cut at {cut}: {e:?}",
                    f.display()
                );
            }
            assert!(r.stats.segments <= whole.stats.segments);
        }
    }
}

#[test]
fn chunked_input_gives_the_whole_buffer_report() {
    for f in shared("netns") {
        let bytes = std::fs::read(&f).expect("read");
        let whole = json(&analyze_bytes(&bytes, Config::default()));
        for chunk in [1, 7, 4096] {
            assert_eq!(
                json(&chunked(&bytes, chunk)),
                whole,
                "{} in chunks of {chunk}",
                f.display()
            );
        }
    }
}

#[test]
fn non_capture_and_empty_input_are_named_errors() {
    let r = analyze_bytes(
        b"GET / HTTP/1.1\r\nHost: example\r\n\r\n",
        Config::default(),
    );
    assert!(!r.capture.complete);
    assert_eq!(r.capture.packets, 0);
    let e = &r.capture.errors[0];
    assert_eq!(
        (e.layer, e.kind),
        (Layer::Capture, ErrorKind::BadMagic { found: 0x4745_5420 })
    );
    assert_eq!(
        e.detail,
        "not a pcap or pcapng capture (first bytes 0x47455420 \"GET \")"
    );
    let r = analyze_bytes(b"", Config::default());
    assert!(!r.capture.complete);
    let e = &r.capture.errors[0];
    assert_eq!((e.frame, e.layer, e.offset), (1, Layer::Capture, 0));
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            needed: 4,
            available: 0
        }
    );
}

/// The retired side on its own thread (`Config::worker_thread`, what the
/// CLI runs) gives the report of the one-thread mode byte for byte, and
/// with `stream_flows` the same flows in the same order, on every shared
/// capture. (bench's tests do the same on a generated busy server, where
/// the clustering's caps are reached.)
#[test]
fn the_worker_thread_gives_the_one_thread_report_on_every_shared_capture() {
    let root = common::captures_dir();
    let mut files = Vec::new();
    let capture = |p: &std::path::Path| {
        let n = p.to_string_lossy();
        n.ends_with(".pcap") || n.ends_with(".pcapng") || n.ends_with(".cap")
    };
    for sub in ["netns", "tcpdump", "real"] {
        common::walk(&root.join(sub), &capture, &mut files);
    }
    files.sort();
    assert!(files.len() > 2000, "{} shared captures", files.len());
    let run = |bytes: &[u8], worker_thread: bool| {
        let mut a = CaptureAnalysis::new(Config {
            worker_thread,
            stream_flows: true,
            ..Config::default()
        });
        let mut flows = Vec::new();
        // Small chunks, so that streamed flows come back between them.
        for c in bytes.chunks(4096) {
            a.push(c);
            flows.extend(
                a.drain_retired()
                    .map(|f| serde_json::to_string(&f).expect("flow")),
            );
        }
        let report = a.finish_streaming(&mut |_| {}, &mut |f| {
            flows.push(serde_json::to_string(f).expect("flow"))
        });
        (json(&report), flows)
    };
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        let one = run(&bytes, false);
        let two = run(&bytes, true);
        assert!(one.0 == two.0, "{}: the reports differ", f.display());
        assert_eq!(one.1, two.1, "{}: the streamed flows differ", f.display());
    }
}
