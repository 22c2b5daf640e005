//! Points for the page's clock plot: (capture time, TSval) of each client's
//! timestamped segments, per (client address, server address) pair.
//!
//! The report says which clock lines exist but keeps no per-packet data (its
//! memory must not grow with packets), so the plot samples the segments as
//! they stream past. Memory is bounded whatever the capture's size: at most
//! [`MAX_PAIRS`] pairs, at most [`MAX_POINTS_PER_PAIR`] points each. When a
//! pair is full, every other non-SYN point is dropped and the pair keeps one
//! in `stride` from then on (stride doubles each time), so the kept points
//! stay spread evenly over the whole capture. SYNs are kept up to
//! [`MAX_SYNS_PER_PAIR`]: they are what the plot marks (unanswered SYNs).

// hashbrown with foldhash, not std's SipHash: this runs for every TCP segment, and SipHash of
// the address pairs was about a quarter of the engine's time in the page (a V8 CPU profile of
// push on a 1 GB capture). The output's order comes from `order`, never from the maps.
use hashbrown::hash_map::Entry;
use hashbrown::{HashMap, HashSet};
use std::net::IpAddr;
use std::vec::Vec;

use tcpopt_parse::tcp::TcpFlags;
use tcpopt_parse::Segment;

/// Pairs tracked; later pairs are counted in `pairs_dropped` only.
pub const MAX_PAIRS: usize = 64;
/// Points kept per pair (SYNs included).
pub const MAX_POINTS_PER_PAIR: usize = 100_000;
/// SYNs kept per pair, within the points.
pub const MAX_SYNS_PER_PAIR: usize = 20_000;
/// (client, server, server port) triples remembered to tell a client's
/// segments from its server's after the SYN.
pub const MAX_CLIENT_KEYS: usize = 200_000;

/// One kept point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub frame: u64,
    /// Capture time, ns since the epoch.
    pub nanos: i64,
    pub tsval: u32,
    pub client_port: u16,
    pub server_port: u16,
    pub syn: bool,
}

/// The sampled points of one (client, server) pair.
#[derive(Debug, Default)]
pub struct PairPoints {
    pub points: Vec<Point>,
    /// Keep one non-SYN point in `stride`.
    pub stride: u64,
    /// Timestamped client segments seen on this pair.
    pub seen: u64,
    syns: usize,
}

/// Streams segments in, keeps a bounded, evenly thinned sample.
#[derive(Debug, Default)]
pub struct PlotSampler {
    pairs: HashMap<(IpAddr, IpAddr), PairPoints>,
    /// Order of first appearance, for a stable output.
    order: Vec<(IpAddr, IpAddr)>,
    clients: HashSet<(IpAddr, IpAddr, u16)>,
    pub pairs_dropped: u64,
}

impl PlotSampler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Looks at one segment (every TCP segment, in capture order).
    pub fn push(&mut self, s: &Segment) {
        let syn = s.flags.0 & TcpFlags::SYN != 0;
        let ack = s.flags.0 & TcpFlags::ACK != 0;
        // The client is the SYN's sender; after the SYN its segments are
        // recognised by (client, server, server port).
        let key = (s.src, s.dst, s.dport);
        if syn && !ack {
            // (One lookup: inserting a key already there changes nothing.)
            if self.clients.len() < MAX_CLIENT_KEYS {
                self.clients.insert(key);
            }
        } else if !self.clients.contains(&key) {
            return;
        }
        let Some((tsval, _)) = s.timestamps else {
            return;
        };
        let pk = (s.src, s.dst);
        // One lookup (the pair's entry), whether the pair is known or new.
        let tracked = self.pairs.len();
        let p = match self.pairs.entry(pk) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                if tracked >= MAX_PAIRS {
                    self.pairs_dropped = self.pairs_dropped.saturating_add(1);
                    return;
                }
                self.order.push(pk);
                v.insert(PairPoints {
                    stride: 1,
                    ..PairPoints::default()
                })
            }
        };
        p.seen = p.seen.saturating_add(1);
        let point = Point {
            frame: s.frame,
            nanos: s.ts.nanos,
            tsval,
            client_port: s.sport,
            server_port: s.dport,
            syn: syn && !ack,
        };
        if point.syn {
            if p.syns >= MAX_SYNS_PER_PAIR {
                return;
            }
            p.syns += 1;
        } else if p.stride > 1 && p.seen % p.stride != 0 {
            return;
        }
        if p.points.len() >= MAX_POINTS_PER_PAIR {
            p.thin();
            if !point.syn && p.seen % p.stride != 0 {
                return;
            }
        }
        if p.points.len() < MAX_POINTS_PER_PAIR {
            p.points.push(point);
        }
    }

    /// The pairs in order of first appearance.
    pub fn pairs(&self) -> impl Iterator<Item = (&(IpAddr, IpAddr), &PairPoints)> {
        self.order
            .iter()
            .filter_map(move |k| self.pairs.get(k).map(|p| (k, p)))
    }
}

impl PairPoints {
    /// Drops every other non-SYN point and doubles the stride.
    fn thin(&mut self) {
        let mut odd = false;
        self.points.retain(|q| {
            if q.syn {
                return true;
            }
            odd = !odd;
            odd
        });
        self.stride = self.stride.saturating_mul(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcpopt_parse::Timestamp;

    fn seg(
        frame: u64,
        src: [u8; 4],
        dst: [u8; 4],
        sport: u16,
        flags: u16,
        tsval: Option<u32>,
    ) -> Segment {
        Segment {
            frame,
            ts: Timestamp::new(1_700_000_000_000_000_000 + frame as i64 * 1_000_000, 6),
            src: IpAddr::from(src),
            dst: IpAddr::from(dst),
            sport,
            dport: 80,
            seq: 1,
            ack: 0,
            flags: TcpFlags(flags),
            window: 0,
            payload_len: 0,
            ttl: 64,
            timestamps: tsval.map(|v| (v, 0)),
            ts_malformed: false,
            max_nop_run: 0,
            options_complete: true,
            mss: None,
            wscale: None,
            sack_permitted: false,
        }
    }
    const C: [u8; 4] = [198, 51, 100, 1];
    const S: [u8; 4] = [198, 51, 100, 10];

    #[test]
    fn keeps_client_direction_only_and_marks_syns() {
        let mut p = PlotSampler::new();
        p.push(&seg(1, C, S, 50010, TcpFlags::SYN, Some(100)));
        p.push(&seg(2, S, C, 80, TcpFlags::SYN | TcpFlags::ACK, Some(9)));
        p.push(&seg(3, C, S, 50010, TcpFlags::ACK, Some(101)));
        p.push(&seg(4, C, S, 50010, TcpFlags::ACK, None));
        let pairs: Vec<_> = p.pairs().collect();
        assert_eq!(pairs.len(), 1);
        let pts = &pairs[0].1.points;
        assert_eq!(
            pts.iter()
                .map(|q| (q.frame, q.tsval, q.syn))
                .collect::<Vec<_>>(),
            vec![(1, 100, true), (3, 101, false)]
        );
    }

    #[test]
    fn bounded_and_spread_over_the_whole_capture() {
        let mut p = PlotSampler::new();
        p.push(&seg(1, C, S, 50010, TcpFlags::SYN, Some(0)));
        let n = 1_000_000u64;
        for f in 2..n {
            p.push(&seg(f, C, S, 50010, TcpFlags::ACK, Some(f as u32)));
        }
        let (_, pair) = p.pairs().next().expect("pair");
        assert!(pair.points.len() <= MAX_POINTS_PER_PAIR);
        assert!(
            pair.points.len() >= MAX_POINTS_PER_PAIR / 2,
            "{}",
            pair.points.len()
        );
        assert_eq!(pair.seen, n - 1);
        assert!(pair.points[0].syn);
        let last = pair.points.last().expect("points").frame;
        assert!(
            last > n - 2 * pair.stride - 2,
            "last kept frame {last} near the end"
        );
        // Evenly spread: no gap much wider than the stride.
        let max_gap = pair
            .points
            .windows(2)
            .map(|w| w[1].frame - w[0].frame)
            .max()
            .unwrap_or(0);
        assert!(
            max_gap <= 2 * pair.stride,
            "gap {max_gap} stride {}",
            pair.stride
        );
    }

    #[test]
    fn pairs_are_capped() {
        let mut p = PlotSampler::new();
        for i in 0..(MAX_PAIRS as u8 + 10) {
            p.push(&seg(1, [10, 0, 0, i], S, 1000, TcpFlags::SYN, Some(1)));
        }
        assert_eq!(p.pairs().count(), MAX_PAIRS);
        assert_eq!(p.pairs_dropped, 10);
    }
}

#[cfg(test)]
mod sample_tests {
    use super::*;
    use crate::engine::Engine;

    const SAMPLE: &[u8] = include_bytes!("../../www/samples/tw-recycle-drop.pcapng");

    #[test]
    fn the_sample_gives_both_clocks_points_in_any_chunking() {
        let run = |size: usize| {
            let mut e = Engine::new();
            let mut p = PlotSampler::new();
            for c in SAMPLE.chunks(size) {
                e.push(c, &mut p, &mut |_| {});
            }
            let report = e.finish(&mut p, &mut |_| {});
            (p, report)
        };
        let (p, report) = run(1 << 16);
        assert_eq!(report.capture.packets, 112);
        let pairs: Vec<_> = p.pairs().collect();
        assert_eq!(pairs.len(), 1, "one client address, one server");
        let pts = &pairs[0].1.points;
        // 40 SYNs from the NAT address (truth: syn_packets), 32 of them never answered.
        assert_eq!(pts.iter().filter(|q| q.syn).count(), 40);
        assert!(
            pts.iter().any(|q| q.client_port == 50010)
                && pts.iter().any(|q| q.client_port == 50020)
        );
        let (p7, _) = run(7);
        assert_eq!(
            p7.pairs().next().map(|(_, x)| x.points.clone()),
            Some(pts.clone())
        );
    }
}
