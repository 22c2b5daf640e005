//! The fuzz targets' bodies, shared by the cargo-fuzz binaries (nightly,
//! `fuzz/fuzz_targets/*.rs`) and the stable replay test
//! (`tcpopt-parse/tests/robust_replay.rs`), so that every committed corpus
//! and regression input is checked in CI by exactly the assertions the
//! fuzzer ran.
//!
//! Each function takes raw fuzzer bytes, must never panic on its own, and
//! asserts the properties the target stands for.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use tcpopt_parse::analysis::{Analyzer, CaptureSummary, Config, Report};
use tcpopt_parse::capture::{packets, PacketRecord};
use tcpopt_parse::decode::decode;
use tcpopt_parse::dissect::Dissected;
use tcpopt_parse::pipeline::{analyze_bytes, CaptureAnalysis};
use tcpopt_parse::tcp::{TcpFlags, TcpHeader, TcpOption, TcpOptions};
use tcpopt_parse::{LinkType, Segment, Timestamp};

/// The link types `decode` supports, selected by the `packet` target's first
/// byte (modulo the length).
pub const LINKTYPES: [u32; 11] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147];

/// At most this many chunk boundaries are taken from a `capture` input.
const MAX_SPLITS: usize = 8;

/// `capture` input: `[n, (u16 LE split point) * (n % 9), capture bytes...]`.
/// Returns the split points (offsets into the capture bytes, sorted) and the
/// capture.
pub fn split_capture_input(data: &[u8]) -> (Vec<usize>, &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return (Vec::new(), data);
    };
    let n = usize::from(n) % (MAX_SPLITS + 1);
    let Some((points, cap)) = rest.split_at_checked(2 * n) else {
        return (Vec::new(), rest);
    };
    let mut splits: Vec<usize> = points
        .chunks_exact(2)
        .map(|p| usize::from(u16::from_le_bytes([p[0], p[1]])) % (cap.len() + 1))
        .collect();
    splits.sort_unstable();
    (splits, cap)
}

/// The `capture` input for a capture cut into whole chunks (no split points).
pub fn capture_seed(cap: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8];
    v.extend_from_slice(cap);
    v
}

pub fn json(r: &Report) -> String {
    serde_json::to_string(r).expect("the report serialises")
}

/// Capture reader + decode + analysis, whole buffer vs chunked, must give
/// the same report; the report must be consistent with the record iterator.
pub fn capture(data: &[u8]) {
    let (splits, cap) = split_capture_input(data);
    let whole = analyze_bytes(cap, Config::default());

    let mut a = CaptureAnalysis::new(Config::default());
    let mut at = 0;
    for s in splits.iter().copied().chain([cap.len()]) {
        a.push(&cap[at..s]);
        at = s;
    }
    let chunked = a.finish();
    let wj = json(&whole);
    assert_eq!(
        wj,
        json(&chunked),
        "chunked at {splits:?} differs from the whole buffer"
    );

    // Packets counted = records the whole-buffer iterator yields before its
    // first error.
    let records: Vec<PacketRecord<'_>> = packets(cap).map_while(Result::ok).collect();
    let n = records.len() as u64;
    assert_eq!(whole.capture.packets, n);
    assert!(whole.capture.tcp_segments <= n);
    assert!(whole.stats.segments <= whole.capture.tcp_segments);
    if !whole.capture.complete {
        let e = whole
            .capture
            .errors
            .first()
            .expect("an incomplete capture names its fault");
        assert_eq!(
            e.frame,
            n + 1,
            "the fault names the frame after the last whole one"
        );
        assert!(
            e.offset <= cap.len() as u64,
            "fault offset {} past the input ({})",
            e.offset,
            cap.len()
        );
        assert_eq!(e.detail, e.kind.to_string());
    }
    for r in &records {
        assert!(r.offset < cap.len() as u64 && r.data.len() == r.caplen as usize);
    }
    let max_frame = records.last().map_or(0, |r| r.frame);
    check_report(&whole, |f| f >= 1 && f <= max_frame);
}

/// Findings and flows only name frames that exist, indices are in range,
/// caps hold.
pub fn check_report(r: &Report, frame_exists: impl Fn(u64) -> bool) {
    let flows = r.flows.len();
    for f in &r.findings {
        assert!(f.frames.len() <= r.limits.max_evidence_frames);
        assert!(f.frames_total >= f.frames.len() as u64);
        assert!(
            f.frames.windows(2).all(|w| w[0] < w[1]),
            "frames sorted and unique: {:?}",
            f.frames
        );
        for &fr in &f.frames {
            assert!(
                frame_exists(fr),
                "{:?} names frame {fr}, never pushed",
                f.code
            );
        }
        for &i in &f.flows {
            assert!(i < flows, "{:?} names flow {i} of {flows}", f.code);
        }
        assert!(!f.summary.is_empty());
    }
    for (i, fl) in r.flows.iter().enumerate() {
        assert_eq!(fl.index, i);
        assert!(frame_exists(fl.first_frame) && frame_exists(fl.last_frame));
        assert!(fl.first_frame <= fl.last_frame);
        for &s in &fl.syn_frames {
            assert!(frame_exists(s));
        }
        if let Some(p) = fl.previous_flow {
            assert!(p < i);
        }
    }
    for c in &r.clocks {
        for l in &c.lines {
            for &i in &l.flows {
                assert!(i < flows);
            }
        }
    }
    assert!(!r.verdict.is_empty());
}

/// One packet, first byte = link type selector: decode and dissect it;
/// everything returned lies inside the input.
pub fn packet(data: &[u8]) {
    let Some((&sel, pkt)) = data.split_first() else {
        return;
    };
    let lt = LinkType(LINKTYPES[usize::from(sel) % LINKTYPES.len()]);
    let d = decode(lt, pkt);
    if let Some(t) = d.transport {
        assert_eq!(t.protocol, 6);
        assert!(t.offset + t.data.len() <= pkt.len());
        if !t.data.is_empty() {
            // An empty slice may point anywhere.
            assert_eq!(pkt[t.offset..].as_ptr(), t.data.as_ptr());
        }
        assert!(d.ip.is_some());
    }
    if let Some(l) = d.link {
        assert!(usize::from(l.header_len) <= pkt.len());
    }
    if let Some(e) = d.stop {
        assert!(e.offset <= pkt.len() as u64, "{e:?} past {}", pkt.len());
        assert!(!format!("{e}").is_empty());
    }
    let rec = PacketRecord {
        frame: 1,
        offset: 0,
        interface_id: 0,
        linktype: lt,
        ts: Timestamp {
            nanos: 1_700_000_000_000_000_000,
            digits: 6,
        },
        caplen: pkt.len() as u32,
        origlen: pkt.len() as u32,
        data: pkt,
    };
    let x = Dissected::of(&rec);
    let _ = x.ports();
    if let Some(seg) = x.segment() {
        let h = x.tcp.expect("a segment has a TCP header");
        assert_eq!((seg.sport, seg.dport), (h.src_port(), h.dst_port()));
        assert_eq!(seg.timestamps, h.summary().timestamps);
        assert_eq!(seg.options_complete, h.summary().complete);
    }
    if let Some(e) = x.stop {
        assert!(e.offset <= pkt.len() as u64, "{e:?} past {}", pkt.len());
    }
}

/// The reference summary built from the iterator, shared with the tcp_*
/// integration tests.
#[path = "../../tcpopt-parse/tests/tcp_util/mod.rs"]
mod tcp_util;
use tcp_util::summary_from_iterator;

pub fn tcp_options(data: &[u8]) {
    if let Ok(h) = TcpHeader::parse(data) {
        assert_eq!(h.summary(), summary_from_iterator(h.options()));
        assert_eq!(20 + h.options_bytes().len() + h.payload().len(), data.len());
        assert!(h.header_len() >= 20 && h.header_len() <= 60);
        let mut walked = 0usize;
        let mut items = 0usize;
        for item in h.options() {
            items += 1;
            match item {
                Ok(o) => {
                    walked += o.wire_len();
                    let mut buf = [0u8; 64];
                    if o != TcpOption::Eol {
                        let n = o.emit(&mut buf).expect("a decoded option fits 64 bytes");
                        assert_eq!(n, o.wire_len());
                        let again: Vec<_> = TcpOptions::new(&buf[..n]).collect();
                        assert_eq!(again, [Ok(o)], "re-emitted option parses back");
                    }
                }
                Err(e) => {
                    assert!(e.offset <= h.options_bytes().len());
                    assert!(!format!("{e}").is_empty());
                }
            }
        }
        assert!(walked <= h.options_bytes().len());
        assert!(items <= 41);
    }
    let area = &data[..data.len().min(40)];
    assert_eq!(
        TcpOptions::new(area).summary(),
        summary_from_iterator(TcpOptions::new(area))
    );
    for truncated in [false, true] {
        let it = TcpOptions::with_truncation(area, truncated);
        assert_eq!(it.summary(), summary_from_iterator(it));
    }
}

/// A little-endian byte cursor that yields zeros once the input runs out,
/// so every input decodes to some script.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How many segments one `analyzer` input may describe.
pub const MAX_SCRIPT_SEGMENTS: usize = 4096;

/// The `analyzer` input, decoded: a small config, then segments drawn from
/// small pools of hosts and ports (so that flows meet again: TIME_WAIT
/// reuse, NAT clocks, per-host PAWS), with times and TSvals as deltas
/// (so that clocks look like clocks) or raw values (wraps, regressions).
///
/// Header: `[max_flows, max_evidence_frames, max_findings_per_code, timeout]`,
/// then per segment 16 bytes:
/// `[hosts, ports, flags_lo, flags_hi|mode, dt(2), seq(4), ack(2), tsval(2) | tsval(4), tsecr_sel, win/ttl...]`.
#[derive(Debug)]
pub struct Script {
    pub config: Config,
    pub segments: Vec<Segment>,
}

fn host(i: u8) -> IpAddr {
    let i = i % 6;
    if i < 4 {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1 + i))
    } else {
        IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1 + u16::from(i)))
    }
}

const PORTS: [u16; 8] = [80, 443, 22, 40000, 40001, 50000, 61000, 1023];

impl Script {
    pub fn decode(data: &[u8]) -> Script {
        let mut c = Cursor(data);
        let config = Config {
            max_flows: usize::from(c.u8()) + 1,
            max_evidence_frames: usize::from(c.u8() % 32),
            max_findings_per_code: usize::from(c.u8() % 16) + 1,
            syn_answer_timeout_ns: i64::from(c.u8()) * 100_000_000,
            ..Config::default()
        };
        let mut segments = Vec::new();
        let mut frame = 0u64;
        let mut t: i64 = 1_700_000_000_000_000_000;
        // Per-host TS clocks (ms) the deltas move along.
        let mut clock = [0u32; 6];
        let mut last_tsval = 0u32;
        while !c.is_empty() && segments.len() < MAX_SCRIPT_SEGMENTS {
            let hosts = c.u8();
            let ports = c.u8();
            let flags_lo = c.u8();
            let mode = c.u8();
            // Skipped frame numbers (non-TCP packets in the capture).
            frame += 1 + u64::from(mode >> 6);
            let dt = c.u16();
            // Time mostly goes forward; sometimes backwards.
            t = if mode & 0x20 != 0 {
                t.saturating_sub(i64::from(dt) * 1_000)
            } else {
                t.saturating_add(i64::from(dt) * 1_000_000)
            };
            let seq = c.u32();
            let ack = u32::from(c.u16()) << 8;
            let src_i = hosts & 0x7;
            let dst_i = hosts >> 4;
            let src = host(src_i);
            let dst = host(dst_i);
            let sport = PORTS[usize::from(ports & 7)];
            let dport = PORTS[usize::from((ports >> 3) & 7)];
            let flags = TcpFlags(u16::from(flags_lo) | (u16::from(mode & 1) << 8));
            let ts_word = c.u32();
            let k = usize::from(src_i % 6);
            let timestamps = match (mode >> 1) & 3 {
                0 => None,
                1 => {
                    clock[k] = clock[k].wrapping_add(ts_word & 0xffff);
                    Some((clock[k], last_tsval))
                }
                2 => Some((ts_word, last_tsval.wrapping_sub(ts_word >> 24))),
                _ => Some((clock[k].wrapping_sub(ts_word & 0xff), 0)),
            };
            if let Some((v, _)) = timestamps {
                last_tsval = v;
            }
            let misc = c.u8();
            segments.push(Segment {
                frame,
                ts: Timestamp {
                    nanos: t,
                    digits: 9,
                },
                src,
                dst,
                sport,
                dport,
                seq,
                ack,
                flags,
                window: u16::from(misc) << 4,
                payload_len: u32::from(misc & 0x3) * 100,
                ttl: 64 - (misc >> 5),
                timestamps,
                ts_malformed: mode & 0x10 != 0 && misc & 0x80 != 0,
                max_nop_run: (misc >> 4) & 0xb,
                options_complete: misc & 0x8 == 0,
            });
        }
        Script { config, segments }
    }
}

/// A structured segment sequence into the analyzer: no panic, the report
/// serialises, its frames are frames that were pushed, its caps hold.
pub fn analyzer(data: &[u8]) {
    let script = Script::decode(data);
    let mut a = Analyzer::new(script.config.clone());
    for s in &script.segments {
        a.push(s);
    }
    let r = a.finish(CaptureSummary::default());
    let pushed: BTreeSet<u64> = script.segments.iter().map(|s| s.frame).collect();
    check_report(&r, |f| pushed.contains(&f));
    assert!(
        r.flows.len() <= script.config.max_flows,
        "{} flows, cap {}",
        r.flows.len(),
        script.config.max_flows
    );
    assert_eq!(r.limits.max_flows, script.config.max_flows);
    assert_eq!(r.stats.segments, script.segments.len() as u64);
    let mut per_code = std::collections::BTreeMap::new();
    // Keyed by the code's Debug name (Code need not be Ord).
    for f in &r.findings {
        *per_code.entry(format!("{:?}", f.code)).or_insert(0usize) += 1;
    }
    assert!(
        per_code
            .values()
            .all(|&n| n <= script.config.max_findings_per_code),
        "{per_code:?}"
    );
    let j = json(&r);
    assert!(j.starts_with('{'));
}
