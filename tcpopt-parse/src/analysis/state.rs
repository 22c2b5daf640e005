//! State shared by the streaming side and the end of the capture: the
//! per-(client, server) [`Pair`] and the analyzer's counters. A module of
//! its own so that the analyzer, the detectors and the end of the capture
//! all read it without importing each other.

use core::net::IpAddr;

use super::clock::{LineCaps, LINE_REPORTS};
use super::cluster::PairLines;
use super::remembered::RemTs;

/// Traceroute detection state (TS-09): SYNs with one TSval, changing
/// source port and rising TTL.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ProbeRun {
    pub tsval: u32,
    pub ttl: u8,
    pub port: u16,
    pub count: u32,
    /// The runs' flows, as the analyzer names them (slot and id).
    pub flows: [u64; 4],
}

impl ProbeRun {
    /// Feeds one SYN with a timestamp from flow `flow`. Returns the flows
    /// of the run (at most 4) once it is a traceroute (≥ 3 SYNs).
    pub fn observe(&mut self, tsval: u32, ttl: u8, sport: u16, flow: u64) -> Option<&[u64]> {
        if self.count > 0 && self.tsval == tsval && self.port != sport && ttl > self.ttl {
            self.count += 1;
        } else {
            *self = ProbeRun {
                tsval,
                count: 1,
                ..ProbeRun::default()
            };
        }
        self.ttl = ttl;
        self.port = sport;
        if let Some(slot) = self.flows.get_mut(self.count as usize - 1) {
            *slot = flow;
        }
        if self.count >= 3 {
            let n = (self.count as usize).min(self.flows.len());
            return self.flows.get(..n);
        }
        None
    }
}

/// State per (client address, server address).
#[derive(Debug)]
pub(crate) struct Pair {
    pub client: IpAddr,
    pub server: IpAddr,
    /// The server's per-host stamp of this client (`tcp_tw_recycle`).
    pub rem: Option<RemTs>,
    pub probe_run: ProbeRun,
}

impl Pair {
    pub fn new(client: IpAddr, server: IpAddr) -> Self {
        Pair {
            client,
            server,
            rem: None,
            probe_run: ProbeRun::default(),
        }
    }
}

/// A pair's clock lines and its connections without timestamps: what the
/// retired side (`tail`) builds of the pair, kept apart from [`Pair`],
/// which the live side updates per segment, so that each side owns its
/// state (the two may run on two threads).
#[derive(Debug)]
pub(crate) struct PairClock {
    /// The clock lines of the retired flows whose client sent TSvals,
    /// built as they retire (`cluster`).
    pub lines: PairLines,
    /// Retired flows whose client sent no TSval (probes excluded).
    pub without_ts: u32,
}

impl PairClock {
    /// A pair's empty clustering; `evidence_cap`: the frames a clock line
    /// lists (`Config::max_evidence_frames`).
    pub fn lines_for(evidence_cap: usize) -> PairLines {
        PairLines::new(LineCaps {
            frames: evidence_cap,
            flows: LINE_REPORTS.min(evidence_cap),
        })
    }
}

/// Gaps between segments needed before whole-millisecond gaps prove that a
/// tool wrote the packet times (by chance, 10 gaps of a µs-resolution
/// capture are all whole milliseconds with probability 10^-30).
const REWRITTEN_MIN_GAPS: u64 = 10;

/// Segment and time counters of the whole capture.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Counters {
    pub segments: u64,
    pub segments_with_ts: u64,
    /// Segments of flows not tracked because of `Config::max_flows`.
    pub untracked: u64,
    pub cap_hit: bool,
    pub first_ns: Option<i64>,
    pub last_ns: i64,
    /// Capture time went backwards this many times.
    pub backwards: u64,
    /// Gaps between consecutive segments, and how many of them are exact
    /// multiples of 1 ms: all of them means a tool wrote the capture's
    /// times (no TS clock rate can be measured against them).
    pub gaps: u64,
    pub gaps_whole_ms: u64,
    /// Segments that arrived on a 4-tuple after its flow was retired
    /// (a retransmitted FIN or ACK, a RST after the close): counted only.
    pub late_segments: u64,
    /// Flows whose SYNs are probes (TS-09), not connections.
    pub probe_flows: u64,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            segments: 0,
            segments_with_ts: 0,
            untracked: 0,
            cap_hit: false,
            first_ns: None,
            last_ns: i64::MIN,
            backwards: 0,
            gaps: 0,
            gaps_whole_ms: 0,
            late_segments: 0,
            probe_flows: 0,
        }
    }
}

impl Counters {
    /// The capture's end time (its last non-regressing timestamp).
    pub fn end_ns(&self) -> i64 {
        self.last_ns.max(self.first_ns.unwrap_or(0))
    }

    /// `Some(gaps)` when every one of at least [`REWRITTEN_MIN_GAPS`] gaps
    /// between segments is a whole number of milliseconds.
    pub fn rewritten_times(&self) -> Option<u64> {
        (self.gaps >= REWRITTEN_MIN_GAPS && self.gaps_whole_ms == self.gaps).then_some(self.gaps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_run_needs_three_rising_ttls_on_new_ports() {
        let mut r = ProbeRun::default();
        assert!(r.observe(77, 1, 1000, 0).is_none());
        assert!(r.observe(77, 2, 1001, 1).is_none());
        assert_eq!(r.observe(77, 3, 1002, 2), Some(&[0, 1, 2][..]));
        assert_eq!(r.observe(77, 4, 1003, 3), Some(&[0, 1, 2, 3][..]));
        assert_eq!(
            r.observe(77, 5, 1004, 4),
            Some(&[0, 1, 2, 3][..]),
            "first 4 kept"
        );
        assert!(
            r.observe(78, 6, 1005, 5).is_none(),
            "a new TSval starts over"
        );
        assert!(r.observe(78, 6, 1006, 6).is_none(), "the TTL must rise");
        assert!(r.observe(78, 7, 1006, 7).is_none(), "the port must change");
    }
}
