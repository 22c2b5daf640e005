#![cfg(feature = "std")]
//! Memory is bounded by the connections open at one time, not by the
//! connections seen (issue 15): 100,000 short connections, at most 50 open
//! at once, pushed one segment at a time; the analyzer's state sizes are
//! checked as it goes. Counts only, no timing.

use std::net::{IpAddr, Ipv4Addr};

use tcpopt_parse::analysis::{Analyzer, CaptureSummary, Config};
use tcpopt_parse::tcp::TcpFlags;
use tcpopt_parse::{Segment, Timestamp};

const MS: i64 = 1_000_000;

fn seg(
    frame: u64,
    ns: i64,
    c2s: bool,
    client: IpAddr,
    cport: u16,
    flags: u16,
    ts: (u32, u32),
) -> Segment {
    let server = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 10));
    let (src, sport, dst, dport) = if c2s {
        (client, cport, server, 80)
    } else {
        (server, 80, client, cport)
    };
    Segment {
        frame,
        ts: Timestamp::new(ns, 6),
        src,
        dst,
        sport,
        dport,
        seq: if c2s { 1000 } else { 9000 },
        ack: if c2s { 9001 } else { 1001 },
        flags: TcpFlags(flags),
        window: 65535,
        payload_len: 0,
        ttl: 64,
        timestamps: Some(ts),
        ts_malformed: false,
        max_nop_run: 0,
        options_complete: true,
        mss: None,
        wscale: None,
        sack_permitted: false,
    }
}

#[test]
fn state_is_bounded_by_open_connections_not_by_total() {
    const CONNS: u32 = 100_000;
    let mut a = Analyzer::new(Config::default());
    let mut frame = 0u64;
    let mut max_open = 0;
    let mut max_tombstones = 0;
    // 50 clients, each on its own 1 kHz clock; a connection starts every
    // 2 ms and lasts 100 ms (so 50 are open at once); half are closed by
    // the server first (those leave a TIME_WAIT tombstone for 60 s).
    let mut pending: Vec<(i64, Segment)> = Vec::new();
    for k in 0..CONNS {
        let t0 = k as i64 * 2 * MS;
        let client = IpAddr::V4(Ipv4Addr::new(192, 0, 2, (k % 50) as u8 + 1));
        let cport = 1024 + (k / 50 % 60_000) as u16;
        let cv = |t: i64| 1_000_000 + (k % 50) * 77_777 + (t / MS) as u32;
        let sv = |t: i64| 5_000_000 + (t / MS) as u32;
        // Each side echoes the other's first TSval (the SYN's, the SYN-ACK's).
        let v = |t: i64, c2s: bool, syn: bool| match (c2s, syn) {
            (true, true) => (cv(t), 0),
            (true, false) => (cv(t), sv(t0 + 10 * MS)),
            (false, _) => (sv(t), cv(t0)),
        };
        let server_first = k % 2 == 0;
        let script: [(i64, bool, u16); 6] = [
            (0, true, 0x002),
            (10, false, 0x012),
            (20, true, 0x010),
            (80, !server_first, 0x011),
            (90, server_first, 0x011),
            (100, !server_first, 0x010),
        ];
        for (dt, c2s, flags) in script {
            let t = t0 + dt * MS;
            let ts = v(t, c2s, flags == 0x002);
            pending.push((t, seg(0, t, c2s, client, cport, flags, ts)));
        }
        // Push everything due before the next connection starts.
        pending.sort_by_key(|p| std::cmp::Reverse(p.0));
        let next = t0 + 2 * MS;
        while pending.last().is_some_and(|p| p.0 < next) {
            let (_, mut s) = pending.pop().unwrap();
            frame += 1;
            s.frame = frame;
            a.push(&s);
        }
        let st = a.state_size();
        max_open = max_open.max(st.flows);
        max_tombstones = max_tombstones.max(st.tombstones);
        assert!(st.kept_reports == 0, "no detector names a healthy flow");
    }
    for (_, mut s) in pending.into_iter().rev() {
        frame += 1;
        s.frame = frame;
        a.push(&s);
    }
    let st = a.state_size();
    // Open at once: 50 plus those within the 250 ms closing grace and the
    // 1 s sweep period: at most about 650 here, never the 100,000 seen.
    assert!(max_open <= 1_000, "open flows {max_open}");
    assert!(st.slots <= 1_000, "slots are reused: {st:?}");
    assert_eq!(st.flow_table, st.flows);
    // Server-first closes of the last 60 s (15,000 at one every 4 ms)
    // plus those of one prune period (a scan waits for as many segments
    // as entries: ~5 s here), never the 50,000 server-first closes seen.
    assert!(max_tombstones <= 17_000, "tombstones {max_tombstones}");
    assert_eq!(st.pairs, 50, "pair state per address pair, not per flow");
    // What stays of retired flows: their clients' clock lines (one clock
    // each: 50 lines), and the records a pair holds back for their order
    // (at most 64 per pair), never one per connection.
    assert!(st.clock_lines <= 50, "{st:?}");
    assert!(st.clock_pending <= 50 * 64, "{st:?}");
    let r = a.finish(CaptureSummary::default());
    assert_eq!(r.stats.flows, CONNS as u64);
    assert_eq!(r.totals.handshakes.completed, CONNS as u64);
    assert!(
        r.flows.is_empty(),
        "schema v2 lists only flows findings name"
    );
    assert!(r.findings.is_empty(), "{:?}", r.verdict);
}

/// Hosts that pick a new TSval offset per connection (Linux ≥ 4.10) give
/// one clock line per connection. 40,000 of them, more than the analyzer
/// keeps: the kept lines stay bounded, the rest are counted as forgotten
/// (and still as lines and connections), and no clock is claimed.
#[test]
fn one_connection_clock_lines_are_bounded_and_counted() {
    const CONNS: u32 = 40_000;
    const CLIENTS: u32 = 20;
    let mut a = Analyzer::new(Config::default());
    let mut frame = 0u64;
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut max_lines = 0;
    for k in 0..CONNS {
        // xorshift64: a random offset per connection.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let off = rng as u32;
        let t0 = k as i64 * 2 * MS;
        let client = IpAddr::V4(Ipv4Addr::new(192, 0, 2, (k % CLIENTS) as u8 + 1));
        let cport = 1024 + (k / CLIENTS % 60_000) as u16;
        let cv = |t: i64| off.wrapping_add(((t - t0) / MS) as u32);
        let sv = |t: i64| 5_000_000 + (t / MS) as u32;
        for (dt, c2s, flags) in [
            (0i64, true, 0x002u16),
            (1, false, 0x012),
            (1, true, 0x010),
            (1, true, 0x011),
            (1, false, 0x011),
            (1, true, 0x010),
        ] {
            let t = t0 + dt * MS;
            let ts = if c2s {
                (cv(t), if flags == 0x002 { 0 } else { sv(t0 + MS) })
            } else {
                (sv(t), cv(t0))
            };
            frame += 1;
            a.push(&seg(frame, t, c2s, client, cport, flags, ts));
        }
        max_lines = max_lines.max(a.state_size().clock_lines);
    }
    let r = a.finish(CaptureSummary::default());
    let cap = r.limits.max_open_clock_lines;
    assert!(cap < CONNS as usize, "the test must pass the cap ({cap})");
    // The cap plus the lines of several connections (chance joins: few).
    assert!(max_lines <= cap + 100, "{max_lines} lines kept, cap {cap}");
    assert!(r.limits.clock_lines_forgotten > 0);
    let lines: u64 = r.clocks.iter().map(|c| u64::from(c.lines_total)).sum();
    assert_eq!(lines, r.totals.clock_lines);
    let conns: u64 = r
        .clocks
        .iter()
        .map(|c| u64::from(c.connections_with_ts))
        .sum();
    assert_eq!(
        conns, CONNS as u64,
        "forgotten lines still count their connection"
    );
    assert!(
        lines > (CONNS as u64) * 99 / 100,
        "about one line per connection: {lines}"
    );
    assert!(r.findings.is_empty(), "{:?}", r.verdict);
    for c in &r.clocks {
        assert_eq!(
            format!("{:?}", c.classification),
            "PerConnectionOffsets",
            "{}",
            c.client
        );
    }
}
