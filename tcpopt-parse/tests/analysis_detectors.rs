//! Detector edge cases on synthetic segments, caps and memory.
// Needs the allocator and std (`cargo test --all-features` runs it; a plain
// `cargo test -p tcpopt-parse` compiles it to nothing).
#![cfg(feature = "std")]

use std::net::IpAddr;

use tcpopt_parse::analysis::{Analyzer, CaptureSummary, Code, Config, Evidence, Handshake, Report};
use tcpopt_parse::tcp::TcpFlags;
use tcpopt_parse::{Segment, Timestamp};

const S: i64 = 1_000_000_000;
const T0: i64 = 1_700_000_000 * S;

struct Gen {
    segs: Vec<Segment>,
    frame: u64,
}

impl Gen {
    fn new() -> Self {
        Gen {
            segs: Vec::new(),
            frame: 0,
        }
    }
    #[allow(clippy::too_many_arguments)]
    fn seg(
        &mut self,
        ns: i64,
        src: &str,
        sport: u16,
        dst: &str,
        dport: u16,
        seq: u32,
        ack: u32,
        flags: u16,
        len: u32,
        ts: Option<(u32, u32)>,
    ) {
        self.frame += 1;
        self.segs.push(Segment {
            frame: self.frame,
            ts: Timestamp::new(ns, 9),
            src: src.parse::<IpAddr>().unwrap(),
            dst: dst.parse::<IpAddr>().unwrap(),
            sport,
            dport,
            seq,
            ack,
            flags: TcpFlags(flags),
            window: 1000,
            payload_len: len,
            ttl: 64,
            timestamps: ts,
            ts_malformed: false,
            max_nop_run: 0,
            options_complete: true,
            mss: None,
            wscale: None,
            sack_permitted: false,
        });
    }
    /// A full HTTP-like connection, server closes first. `cts(ns)` gives the
    /// client's TSval at a time; the server's clock is 1000 Hz at `sbase`.
    fn conn(&mut self, t: i64, c: &str, cport: u16, isn: u32, cts: &dyn Fn(i64) -> Option<u32>) {
        let (sv, sp) = ("198.51.100.10", 80);
        let sts = |ns: i64| ((ns / 1_000_000) as u32).wrapping_add(777);
        let ms = 1_000_000;
        let ct = |ns: i64, e: u32| cts(ns).map(|v| (v, e));
        let st = |ns: i64| cts(t).map(|v| (sts(ns), v));
        const SYN: u16 = 0x002;
        const ACK: u16 = 0x010;
        const FIN: u16 = 0x001;
        self.seg(t, c, cport, sv, sp, isn, 0, SYN, 0, ct(t, 0));
        self.seg(
            t + ms,
            sv,
            sp,
            c,
            cport,
            5000,
            isn + 1,
            SYN | ACK,
            0,
            st(t + ms),
        );
        let e = sts(t + ms);
        self.seg(
            t + 2 * ms,
            c,
            cport,
            sv,
            sp,
            isn + 1,
            5001,
            ACK,
            0,
            ct(t + 2 * ms, e),
        );
        self.seg(
            t + 3 * ms,
            c,
            cport,
            sv,
            sp,
            isn + 1,
            5001,
            ACK | 0x008,
            100,
            ct(t + 3 * ms, e),
        );
        self.seg(
            t + 4 * ms,
            sv,
            sp,
            c,
            cport,
            5001,
            isn + 101,
            ACK | FIN,
            0,
            cts(t + 3 * ms).map(|v| (sts(t + 4 * ms), v)),
        );
        self.seg(
            t + 5 * ms,
            c,
            cport,
            sv,
            sp,
            isn + 101,
            5002,
            ACK | FIN,
            0,
            ct(t + 5 * ms, sts(t + 4 * ms)),
        );
        self.seg(
            t + 6 * ms,
            sv,
            sp,
            c,
            cport,
            5002,
            isn + 102,
            ACK,
            0,
            cts(t + 5 * ms).map(|v| (sts(t + 6 * ms), v)),
        );
    }
    fn run(&self, config: Config) -> Report {
        let mut a = Analyzer::new(config);
        for s in &self.segs {
            a.push(s);
        }
        a.finish(CaptureSummary::default())
    }

    /// The report and the complete flow stream (schema v2: the report
    /// lists only flows findings name).
    fn run_streamed(&self, config: Config) -> (Report, Vec<tcpopt_parse::analysis::FlowReport>) {
        let mut a = Analyzer::new(Config {
            stream_flows: true,
            ..config
        });
        let mut flows = Vec::new();
        for s in &self.segs {
            a.push(s);
            flows.extend(a.drain_retired());
        }
        let r = a.finish_streaming(CaptureSummary::default(), &mut |f| flows.push(f.clone()));
        (r, flows)
    }
}

fn clock(hz: i64, offset: u32) -> impl Fn(i64) -> Option<u32> {
    move |ns: i64| Some(offset.wrapping_add(((ns as i128 * hz as i128) / 1_000_000_000) as u32))
}

fn codes(r: &Report) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Host A (high clock) and B (low clock) behind one address; the server
/// drops B's SYNs as tw_recycle would.
fn tw_recycle_scenario(b_ts: bool, probe: bool) -> Report {
    let mut g = Gen::new();
    let a = clock(1000, 2_000_000_000);
    let b = clock(1000, 1_000_000_000);
    for k in 0..4i64 {
        let t = T0 + k * 5 * S;
        g.conn(t, "198.51.100.1", 50010, 1000 + k as u32 * 100_000, &a);
        for r in 0..3i64 {
            let ts = if probe {
                Some((u32::MAX, 0))
            } else if b_ts {
                b(t + S + r * S).map(|v| (v, 0))
            } else {
                None
            };
            g.seg(
                t + S + r * S,
                "198.51.100.1",
                50020,
                "198.51.100.10",
                80,
                7_000_000 + k as u32,
                0,
                0x002,
                0,
                ts,
            );
        }
    }
    g.run(Config::default())
}

#[test]
fn tw_recycle_drop_detected_with_evidence() {
    let r = tw_recycle_scenario(true, false);
    let f = r
        .findings_with(Code::TwRecyclePerHostPawsDrop)
        .next()
        .expect("TS-01");
    assert_eq!(
        f.frames.len(),
        12 + 4,
        "12 dropped SYNs + 4 remembering frames: {:?}",
        f.frames
    );
    match &f.evidence {
        Evidence::TwRecycle(e) => {
            assert_eq!(e.dropped_syns, 12);
            assert_eq!(
                e.remembered_frame, 6,
                "the client's FIN after the server's FIN"
            );
            assert!(e.remembered_age_s > 0.9 && e.remembered_age_s < 1.1);
            assert_eq!(e.client_clock_lines, 2);
        }
        other => panic!("{other:?}"),
    }
    assert!(codes(&r).contains(&"MULTIPLE_TS_CLOCKS_BEHIND_IP"));
    assert!(!codes(&r).contains(&"SYN_UNANSWERED"));
}

#[test]
fn tsless_syn_from_ts_address_is_dropped_too() {
    let r = tw_recycle_scenario(false, false);
    let f = r
        .findings_with(Code::TwRecyclePerHostPawsDrop)
        .next()
        .expect("TS-01 for TS-less SYNs (a26552afe894)");
    match &f.evidence {
        Evidence::TwRecycle(e) => assert_eq!(e.dropped_syns_without_ts, 12),
        other => panic!("{other:?}"),
    }
}

#[test]
fn nmap_probes_do_not_raise_ts01() {
    let r = tw_recycle_scenario(true, true);
    assert!(
        !codes(&r).contains(&"TW_RECYCLE_PER_HOST_PAWS_DROP"),
        "{:?}",
        codes(&r)
    );
    assert!(!codes(&r).contains(&"SYN_UNANSWERED"));
    assert!(codes(&r).contains(&"SYNTHETIC_TSVAL_PROBE"));
}

#[test]
fn wraparound_is_info_not_regression() {
    let mut g = Gen::new();
    // 1000 Hz clock that crosses 2^32 three ms into the connection.
    let base = T0;
    let c = move |ns: i64| Some((u32::MAX - 2).wrapping_add(((ns - base) / 1_000_000) as u32));
    g.conn(T0, "192.0.2.1", 40000, 1, &c);
    let r = g.run(Config::default());
    assert!(
        !codes(&r).contains(&"INFLOW_TSVAL_REGRESSION"),
        "{:?}",
        codes(&r)
    );
    assert!(!codes(&r).contains(&"TSECR_MISMATCH"), "{:?}", r.findings);
    assert!(codes(&r).contains(&"TSVAL_WRAP"));
    assert!(r
        .findings
        .iter()
        .all(|f| f.severity == tcpopt_parse::analysis::Severity::Info));
}

fn rate_of(hz: i64) -> Report {
    let mut g = Gen::new();
    let c = clock(hz, 123_456);
    for k in 0..6 {
        g.conn(T0 + k * S, "192.0.2.1", 40000, 10 + k as u32 * 1000, &c);
    }
    g.run(Config::default())
}

#[test]
fn usec_clock_rate_and_no_noise() {
    let r = rate_of(1_000_000);
    let line = &r.clocks[0].lines;
    assert_eq!(line.len(), 1, "{:?}", r.clocks);
    assert_eq!(line[0].summary.rate_hz, Some(1_000_000.0));
    // The generator's packet times are whole milliseconds: the rate is not
    // trusted, and the note says so (a TS_CLOCK_RATE_ANOMALY about the
    // rewritten times, not TS_CLOCK_USEC; the lab's usec-ts capture and the
    // clocks unit test cover the real 1 MHz clock).
    assert!(codes(&r).contains(&"TS_CLOCK_RATE_ANOMALY"));
    assert!(!codes(&r).contains(&"TS_CLOCK_USEC"));
    assert!(!codes(&r).contains(&"INFLOW_TSVAL_REGRESSION"));
    assert!(!codes(&r).contains(&"MULTIPLE_TS_CLOCKS_BEHIND_IP"));
}

#[test]
fn jiffies_100hz_clock() {
    let r = rate_of(100);
    assert_eq!(r.clocks[0].lines.len(), 1);
    assert_eq!(r.clocks[0].lines[0].summary.rate_hz, Some(100.0));
    assert!(r.findings.is_empty(), "{:?}", codes(&r));
}

#[test]
fn reordering_by_a_few_ticks_is_not_an_anomaly_but_a_big_jump_is() {
    let mut g = Gen::new();
    let c = clock(1000, 5_000);
    g.conn(T0, "192.0.2.1", 40000, 1, &c);
    let v = c(T0 + 10_000_000).unwrap();
    g.seg(
        T0 + 10_000_000,
        "192.0.2.1",
        40000,
        "198.51.100.10",
        80,
        102,
        5002,
        0x010,
        0,
        Some((v - 2, 0)),
    );
    let r = g.run(Config::default());
    assert!(
        !codes(&r).contains(&"INFLOW_TSVAL_REGRESSION"),
        "{:?}",
        codes(&r)
    );
    g.seg(
        T0 + 11_000_000,
        "192.0.2.1",
        40000,
        "198.51.100.10",
        80,
        102,
        5002,
        0x010,
        0,
        Some((v - 5000, 0)),
    );
    let r = g.run(Config::default());
    let f = r
        .findings_with(Code::InflowTsvalRegression)
        .next()
        .expect("TS-03");
    assert!(f.frames.contains(&g.frame));
}

#[test]
fn mid_stream_capture() {
    let mut g = Gen::new();
    g.seg(
        T0,
        "198.51.100.10",
        80,
        "192.0.2.1",
        40000,
        9,
        1,
        0x018,
        100,
        Some((50, 40)),
    );
    g.seg(
        T0 + 1_000_000,
        "192.0.2.1",
        40000,
        "198.51.100.10",
        80,
        1,
        109,
        0x010,
        0,
        Some((41, 50)),
    );
    let (r, flows) = g.run_streamed(Config::default());
    assert_eq!(flows.len(), 1);
    assert_eq!(r.totals.handshakes.mid_stream, 1);
    let f = &flows[0];
    assert!(f.mid_stream);
    assert_eq!(f.handshake, Handshake::MidStream);
    assert_eq!(f.client_port, 40000, "ephemeral side is the client");
    assert!(f.ts_negotiated);
    assert!(r.findings.is_empty(), "{:?}", codes(&r));
}

#[test]
fn caps_are_reported() {
    let r = tw_recycle_scenario(true, false);
    assert!(!r.limits.flows_cap_hit);
    let mut g = Gen::new();
    let c = clock(1000, 1);
    for k in 0..5u16 {
        g.conn(T0 + k as i64 * S, "192.0.2.1", 40000 + k, 1, &c);
    }
    // v2: the cap counts open flows; keep closed ones open to hit it.
    let r = g.run(Config {
        max_flows: 2,
        closed_grace_ns: 3600 * S,
        ..Config::default()
    });
    assert!(r.limits.flows_cap_hit);
    assert_eq!(r.stats.flows, 2);
    assert_eq!(r.limits.segments_untracked, 21);

    let mut a = Analyzer::new(Config {
        max_evidence_frames: 3,
        max_findings_per_code: 1,
        ..Config::default()
    });
    let mut g = Gen::new();
    let b = clock(1000, 1_000_000_000);
    g.conn(T0, "198.51.100.1", 50010, 1, &clock(1000, 2_000_000_000));
    for r in 0..5 {
        g.seg(
            T0 + S + r * S,
            "198.51.100.1",
            50020,
            "198.51.100.10",
            80,
            9,
            0,
            0x002,
            0,
            b(T0 + S).map(|v| (v, 0)),
        );
    }
    g.seg(
        T0 + S,
        "203.0.113.9",
        1,
        "198.51.100.10",
        443,
        9,
        0,
        0x002,
        0,
        None,
    );
    g.seg(
        T0 + 2 * S,
        "203.0.113.8",
        1,
        "198.51.100.10",
        443,
        9,
        0,
        0x002,
        0,
        None,
    );
    g.seg(
        T0 + 3 * S,
        "203.0.113.8",
        1,
        "198.51.100.10",
        443,
        9,
        0,
        0x002,
        0,
        None,
    );
    for s in &g.segs {
        a.push(s);
    }
    let r = a.finish(CaptureSummary::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.frames_total > 3)
        .expect("a capped finding");
    assert_eq!(f.frames.len(), 3);
    assert!(r.limits.findings_with_frames_cut >= 1);
    assert_eq!(
        r.limits.findings_dropped,
        1,
        "two SYN_UNANSWERED pairs, cap 1: {:?}",
        codes(&r)
    );
}

#[test]
fn memory_grows_with_flows_not_packets() {
    let c = clock(1000, 1);
    let traffic = |reps: u16, extra_packets: u32| {
        let mut g = Gen::new();
        for rep in 0..reps {
            for k in 0..10u16 {
                let t = T0 + (rep as i64 * 100 + k as i64) * S;
                g.conn(t, "192.0.2.1", 1000 + rep * 10 + k, 1, &c);
                for p in 0..extra_packets {
                    let ns = t + 7_000_000 + p as i64 * 1000;
                    g.seg(
                        ns,
                        "192.0.2.1",
                        1000 + rep * 10 + k,
                        "198.51.100.10",
                        80,
                        101,
                        5002,
                        0x010,
                        0,
                        c(ns).map(|v| (v, 0)),
                    );
                }
            }
        }
        let mut a = Analyzer::new(Config::default());
        for s in &g.segs {
            a.push(s);
        }
        a.state_size()
    };
    let one = traffic(1, 0);
    let ten = traffic(10, 0);
    let heavy = traffic(1, 2000);
    // v2: closed flows are retired; what stays of them is their clock
    // lines (or the records a pair holds back for their order).
    assert!(one.flows <= 4 && ten.flows <= 4, "{one:?} {ten:?}");
    assert!(one.clock_pending + one.clock_lines <= 10, "{one:?}");
    assert!(ten.clock_pending + ten.clock_lines <= 100, "{ten:?}");
    assert!(ten.slots <= 5, "slots are reused: {ten:?}");
    assert_eq!(ten.pairs, one.pairs, "no new pair state");
    assert_eq!(
        (
            heavy.clock_pending + heavy.clock_lines + heavy.flows,
            heavy.pairs
        ),
        (one.clock_pending + one.clock_lines + one.flows, one.pairs),
        "20,000 more packets: the same state"
    );
    assert!(
        one.flow_bytes < 2048,
        "fixed flow record: {} bytes",
        one.flow_bytes
    );
}

#[cfg(feature = "serde")]
#[test]
fn json_is_deterministic_and_snake_case() {
    let r1 = serde_json::to_string(&tw_recycle_scenario(true, false)).unwrap();
    let r2 = serde_json::to_string(&tw_recycle_scenario(true, false)).unwrap();
    assert_eq!(r1, r2);
    assert!(r1.contains("\"code\":\"TW_RECYCLE_PER_HOST_PAWS_DROP\""));
    assert!(r1.contains("\"severity\":\"critical\""));
    assert!(r1.contains("\"remembered_tsval\""));
    assert!(r1.contains("\"schema_version\":2"));
}

/// Throughput: `cargo test --release -p tcpopt-parse --features std --test analysis_detectors -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput() {
    let c = clock(1000, 1);
    let mut g = Gen::new();
    for k in 0..2000u16 {
        let t = T0 + k as i64 * 10_000_000;
        g.conn(t, "192.0.2.1", 1024 + k, 1, &c);
        for p in 0..500 {
            let ns = t + 7_000_000 + p * 1000;
            g.seg(
                ns,
                "192.0.2.1",
                1024 + k,
                "198.51.100.10",
                80,
                101,
                5002,
                0x010,
                0,
                c(ns).map(|v| (v, 0)),
            );
        }
    }
    let mut a = Analyzer::new(Config::default());
    let start = std::time::Instant::now();
    for s in &g.segs {
        a.push(s);
    }
    let el = start.elapsed();
    eprintln!(
        "{} segments in {:?}: {:.1} M segments/s",
        g.segs.len(),
        el,
        g.segs.len() as f64 / el.as_secs_f64() / 1e6
    );
    let _ = a.finish(CaptureSummary::default());
}

/// Two reused clocks behind one address are NAT, but not when the client is
/// the server itself (loopback test traffic): no NAT sits between a host and
/// itself.
#[test]
fn two_clocks_on_one_host_talking_to_itself_are_not_nat() {
    let run = |client: &str| {
        let mut g = Gen::new();
        let (a, b) = (clock(1000, 2_000_000_000), clock(1000, 1_000_000_000));
        for k in 0..3i64 {
            let t = T0 + k * 5 * S;
            g.conn(t, client, 50010, 1000 + k as u32 * 100_000, &a);
            g.conn(t + S, client, 50020, 9000 + k as u32 * 100_000, &b);
        }
        g.run(Config::default())
    };
    let nat = run("198.51.100.1");
    assert!(
        codes(&nat).contains(&"MULTIPLE_TS_CLOCKS_BEHIND_IP"),
        "{:?}",
        codes(&nat)
    );
    let itself = run("198.51.100.10");
    assert!(
        !codes(&itself).contains(&"MULTIPLE_TS_CLOCKS_BEHIND_IP"),
        "{:?}",
        codes(&itself)
    );
}

/// Per-connection offsets (modern Linux, FreeBSD, macOS) make one clock
/// line per connection: the line clustering must stay near-linear in the
/// number of connections (it was quadratic). Prints its time; 100,000
/// connections, one client, one server.
#[test]
fn many_per_connection_offsets_cluster_in_near_linear_time() {
    let mut g = Gen::new();
    let mut x: u32 = 0x9e37_79b9;
    let n: u32 = std::env::var("TCPOPT_CONNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    for k in 0..n {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let t = T0 + k as i64 * 1_000_000;
        let ts = move |ns: i64| Some(x.wrapping_add(((ns - T0) / 1_000_000) as u32));
        g.seg(
            t,
            "192.0.2.7",
            1024 + (k % 60000) as u16,
            "198.51.100.10",
            443,
            k,
            0,
            0x002,
            0,
            ts(t).map(|v| (v, 0)),
        );
    }
    let start = std::time::Instant::now();
    let r = g.run(Config::default());
    eprintln!(
        "{n} connections with their own offsets: {:?}",
        start.elapsed()
    );
    let pair = &r.clocks[0];
    eprintln!("{} lines", pair.lines.len());
    assert!(
        !codes(&r).contains(&"MULTIPLE_TS_CLOCKS_BEHIND_IP"),
        "per-connection offsets are not NAT"
    );
}
