//! Per-flow state. Everything here is fixed-size: a flow costs the same
//! memory whether it carries 3 segments or 3 million.

use core::net::IpAddr;

use super::serial;

/// The bidirectional flow key: both endpoints as (address bits, port),
/// lower one first, and the address family.
///
/// Plain aligned integers rather than `(IpAddr, u16)` pairs: the flow
/// table lookup is the analyzer's hottest line, and the enum's 17-byte
/// unaligned layout cost store-forwarding stalls on every key built and
/// a chain of comparisons on every probe. The order of the endpoints only
/// has to be canonical (the same key for both directions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FlowKey {
    lo: (u128, u16),
    hi: (u128, u16),
    v6: bool,
}

/// One hasher call per key instead of a dozen: equal keys fold to equal
/// words, as `Hash` requires, and the hasher still mixes the word.
impl core::hash::Hash for FlowKey {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        let fold = |a: u128| (a as u64) ^ ((a >> 64) as u64).rotate_left(17);
        let ports = (u64::from(self.lo.1) << 16) | u64::from(self.hi.1);
        let w = fold(self.lo.0).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ fold(self.hi.0).rotate_left(32)
            ^ (ports << 40 | ports)
            ^ u64::from(self.v6);
        state.write_u64(w);
    }
}

impl FlowKey {
    pub fn new(src: IpAddr, sport: u16, dst: IpAddr, dport: u16) -> Self {
        let bits = |a: IpAddr| match a {
            IpAddr::V4(a) => (u128::from(a.to_bits()), false),
            IpAddr::V6(a) => (a.to_bits(), true),
        };
        let ((s, v6), (d, d6)) = (bits(src), bits(dst));
        let a = (s, sport);
        let b = (d, dport);
        // One IP header has one family; a mixed pair (impossible from the
        // decoder) still gets a key of its own.
        let v6 = v6 || d6;
        if a <= b {
            FlowKey { lo: a, hi: b, v6 }
        } else {
            FlowKey { lo: b, hi: a, v6 }
        }
    }
}

/// The first `N` frame numbers of something, and how many there were.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frames<const N: usize> {
    pub frames: [u64; N],
    pub len: u8,
    pub total: u32,
}

impl<const N: usize> Default for Frames<N> {
    fn default() -> Self {
        Frames {
            frames: [0; N],
            len: 0,
            total: 0,
        }
    }
}

impl<const N: usize> Frames<N> {
    pub fn push(&mut self, frame: u64) {
        if let Some(slot) = self.frames.get_mut(self.len as usize) {
            *slot = frame;
            self.len += 1;
        }
        self.total = self.total.saturating_add(1);
    }
    pub fn as_slice(&self) -> &[u64] {
        self.frames.get(..self.len as usize).unwrap_or(&[])
    }
    pub fn first(&self) -> Option<u64> {
        self.as_slice().first().copied()
    }
}

/// Sample points of a clock, decimated so that at most `POINTS` are kept:
/// when full, every second point goes and the stride doubles.
pub(crate) const POINTS: usize = 16;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Points {
    pub pts: [(i64, i64); POINTS],
    pub len: u8,
    stride: u32,
    seen: u32,
}

impl Default for Points {
    fn default() -> Self {
        Points {
            pts: [(0, 0); POINTS],
            len: 0,
            stride: 1,
            seen: 0,
        }
    }
}

impl Points {
    /// Adds (capture ns, unwrapped TSval relative to the flow's first).
    pub fn push(&mut self, t: i64, u: i64) {
        self.seen = self.seen.wrapping_add(1);
        // `stride` is a power of two (until it saturates): a mask instead
        // of a division on the per-segment path.
        let skip = if self.stride.is_power_of_two() {
            self.seen & (self.stride - 1) != 0
        } else {
            self.seen % self.stride != 0
        };
        if skip {
            return;
        }
        if self.len as usize == POINTS {
            for i in 0..POINTS / 2 {
                if let (Some(&src), Some(_)) = (self.pts.get(2 * i + 1), self.pts.get(i)) {
                    self.pts[i] = src;
                }
            }
            self.len = (POINTS / 2) as u8;
            self.stride = self.stride.saturating_mul(2);
        }
        if let Some(slot) = self.pts.get_mut(self.len as usize) {
            *slot = (t, u);
            self.len += 1;
        }
    }
    pub fn as_slice(&self) -> &[(i64, i64)] {
        self.pts.get(..self.len as usize).unwrap_or(&[])
    }
}

/// One TSval regression candidate; the threshold is applied at the end,
/// once the clock's rate is known.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Regression {
    pub frame: u64,
    pub ticks: i64,
}

/// State of one direction of a flow.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Dir {
    pub segments: u64,
    pub with_ts: u64,
    pub first_tsval: u32,
    pub first_ns: i64,
    pub first_frame: u64,
    pub last_tsval: u32,
    pub last_ns: i64,
    /// Serial maximum, and the latest segment that carried it (or an
    /// equal value): what Linux holds as `ts_recent`.
    pub max_tsval: u32,
    pub max_frame: u64,
    pub max_ns: i64,
    /// Last TSval unwrapped (sum of serial deltas) relative to the first.
    pub unwrapped: i64,
    pub max_unwrapped: i64,
    pub max_unwrapped_ns: i64,
    pub max_idle_ns: i64,
    /// Regressions of more than 2 ticks below the maximum: the first few.
    pub regressions: [Regression; 4],
    pub regression_count: u32,
    pub worst_regression: Regression,
    pub dupacks_after_regression: u32,
    pub wraps: u32,
    pub wrap_first: Option<(u64, u32, u32, i64)>,
    /// Non-RST segments without TS after negotiation.
    pub missing_ts: Frames<4>,
    /// TSecr not among the peer's TSvals.
    pub tsecr_bad: Frames<4>,
    pub tsecr_example: (u32, u32, u32),
    pub tsecr_k: Option<i64>,
    pub tsecr_k_const: bool,
    pub tsecr_zero: Frames<4>,
    pub last_ack: Option<u32>,
    /// The sequence number after the highest byte (SYN and FIN count one)
    /// this direction sent: a keep-alive probe sits one below it.
    pub snd_nxt: Option<u32>,
    /// The last segment of this direction was a keep-alive probe.
    pub last_keepalive: bool,
    /// The segment being recorded carries only data this direction had
    /// already sent (set by the analyzer before `record_ts`).
    pub old_copy: bool,
}

impl Dir {
    pub fn has_ts(&self) -> bool {
        self.with_ts > 0
    }

    /// Whether a segment is a keep-alive probe (RFC 9293 §3.8.4): no SYN,
    /// FIN or RST, at most one byte, sequence number one below what this
    /// direction sent next. Darwin sends them without any option.
    pub fn is_keepalive(&self, seq: u32, len: u32, syn_fin_rst: bool) -> bool {
        !syn_fin_rst && len <= 1 && self.snd_nxt == Some(seq.wrapping_add(1))
    }

    /// Whether a segment with payload carries only bytes already sent.
    pub fn only_old_data(&self, seq: u32, len: u32) -> bool {
        len > 0
            && self
                .snd_nxt
                // Within a window's reach: another sender's random
                // sequence numbers (two clients on one tuple) rarely are.
                .is_some_and(|n| (0..=1 << 20).contains(&serial::diff(n, seq.wrapping_add(len))))
    }

    /// Advances `snd_nxt` past a segment (serially, never back).
    pub fn sent(&mut self, seq: u32, len: u32, syn: bool, fin: bool) {
        let end = seq
            .wrapping_add(len)
            .wrapping_add(u32::from(syn))
            .wrapping_add(u32::from(fin));
        match self.snd_nxt {
            Some(n) if !serial::after(end, n) => {}
            _ => self.snd_nxt = Some(end),
        }
    }

    /// Records one TSval (not from an RST). Returns the unwrapped value
    /// relative to the first TSval.
    pub fn record_ts(&mut self, v: u32, frame: u64, ns: i64) -> i64 {
        if self.with_ts == 0 {
            self.first_tsval = v;
            self.first_ns = ns;
            self.first_frame = frame;
            self.last_tsval = v;
            self.last_ns = ns;
            self.max_tsval = v;
            self.max_frame = frame;
            self.max_ns = ns;
            self.max_unwrapped_ns = ns;
            self.with_ts = 1;
            return 0;
        }
        self.with_ts = self.with_ts.saturating_add(1);
        let step = serial::diff(v, self.last_tsval);
        if v < self.last_tsval && step > 0 {
            self.wraps = self.wraps.saturating_add(1);
            if self.wrap_first.is_none() {
                self.wrap_first =
                    Some((frame, self.last_tsval, v, ns.saturating_sub(self.last_ns)));
            }
        }
        self.max_idle_ns = self.max_idle_ns.max(ns.saturating_sub(self.last_ns));
        let behind = serial::diff(self.max_tsval, v) as i64;
        // A late copy of data already sent, old TSval and all (a network or
        // capture duplicate): exactly what PAWS is for, and harmless.
        if behind > 2 && !self.old_copy {
            let r = Regression {
                frame,
                ticks: behind,
            };
            if let Some(slot) = self.regressions.get_mut(self.regression_count as usize) {
                *slot = r;
            }
            self.regression_count = self.regression_count.saturating_add(1);
            if behind > self.worst_regression.ticks {
                self.worst_regression = r;
            }
        }
        if serial::diff(v, self.max_tsval) >= 0 {
            self.max_tsval = v;
            self.max_frame = frame;
            self.max_ns = ns;
        }
        self.unwrapped = self.unwrapped.saturating_add(step as i64);
        if self.unwrapped >= self.max_unwrapped {
            self.max_unwrapped = self.unwrapped;
            self.max_unwrapped_ns = ns;
        }
        self.last_tsval = v;
        self.last_ns = ns;
        self.unwrapped
    }

    /// The rate of this direction's clock from its own data (Hz), when the
    /// data spans at least `min_span_ns`.
    pub fn own_rate(&self, min_span_ns: i64) -> Option<f64> {
        let span = self.max_unwrapped_ns.saturating_sub(self.first_ns);
        if self.with_ts < 2 || span < min_span_ns || span <= 0 || self.max_unwrapped <= 0 {
            return None;
        }
        Some(self.max_unwrapped as f64 * 1e9 / span as f64)
    }

    /// Whether `tsecr` could echo a TSval this direction sent: not older
    /// than the first one seen (when the flow's start was seen) and not
    /// newer than the newest one plus what a 1 MHz clock could have sent
    /// unseen since then (a capture may lose segments).
    pub fn could_have_sent(&self, tsecr: u32, start_seen: bool, now_ns: i64) -> bool {
        if start_seen && serial::before(tsecr, self.first_tsval) {
            return false;
        }
        let slack = (now_ns.saturating_sub(self.max_ns) / 1_000).clamp(0, i32::MAX as i64 / 2) + 2;
        (serial::diff(tsecr, self.max_tsval) as i64) <= slack
    }
}

/// Why a SYN counts as synthetic (TS-09).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProbeKind {
    Nmap,
    Traceroute,
    ZeroTsval,
}

impl ProbeKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            ProbeKind::Nmap => "nmap",
            ProbeKind::Traceroute => "traceroute",
            ProbeKind::ZeroTsval => "zero_tsval",
        }
    }
}

/// The first SYN of a flow that the per-host rule predicts to be dropped.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Prediction {
    pub syn_tsval: Option<u32>,
    pub rem_ts: u32,
    pub rem_frame: u64,
    pub age_ns: i64,
}

/// The server's non-SYN ACK answering a SYN (TIME_WAIT or challenge ACK).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BareAck {
    pub frame: u64,
    pub ack: u32,
    pub tsecr: Option<u32>,
}

/// Index 0: client → server; 1: server → client.
pub(crate) const C2S: usize = 0;
pub(crate) const S2C: usize = 1;

/// One flow (connection attempt).
#[derive(Clone, Debug)]
pub(crate) struct Flow {
    pub client: IpAddr,
    pub cport: u16,
    pub server: IpAddr,
    pub sport: u16,
    pub pair: u32,
    pub mid_stream: bool,
    pub first_frame: u64,
    pub last_frame: u64,
    pub first_ns: i64,
    pub last_ns: i64,
    pub client_isn: Option<u32>,
    pub syns: Frames<8>,
    pub syn_first_ns: i64,
    pub syn_last_ns: i64,
    pub syns_with_ts: u32,
    /// TSval range of the SYNs (first, last), for the SYN-ACK's TSecr.
    pub syn_ts: Option<(u32, u32)>,
    /// Bit i: the i-th SYN (of `syns`) is predicted dropped by RemTS.
    pub predicted_mask: u8,
    pub predicted: u32,
    pub predicted_no_ts: u32,
    pub prediction: Option<Prediction>,
    pub synack: Option<u64>,
    pub synack_ns: i64,
    pub synack_has_ts: bool,
    /// The acknowledgment number of the SYN-ACK (a late copy of the SYN it
    /// answers is that SYN, not a new connection).
    pub synack_ack: Option<u32>,
    pub hs_ack: Option<u64>,
    /// A client ACK of the SYN-ACK (sequence ISN+1) while the capture holds
    /// no SYN-ACK: a one-sided capture, the SYN was answered.
    pub answered_unseen: Option<u64>,
    pub bare_ack: Option<BareAck>,
    pub server_rst: Option<u64>,
    pub client_rst: Option<(u64, u32)>,
    pub server_seen: bool,
    pub first_fin: Option<super::Side>,
    pub client_fin: bool,
    pub server_fin: bool,
    pub ts_negotiated: bool,
    pub dir: [Dir; 2],
    pub points: Points,
    pub probe: Option<ProbeKind>,
    pub prev: Option<u32>,
    pub synack_ts_without_syn_ts: Option<u64>,
    pub not_negotiated: Option<u64>,
    pub synack_tsecr_outside: Option<u64>,
    pub nop_runs: Frames<4>,
    pub malformed: Frames<4>,
    pub line: Option<u32>,
}

impl Flow {
    pub fn new(client: IpAddr, cport: u16, server: IpAddr, sport: u16, pair: u32) -> Self {
        Flow {
            client,
            cport,
            server,
            sport,
            pair,
            mid_stream: false,
            first_frame: 0,
            last_frame: 0,
            first_ns: 0,
            last_ns: 0,
            client_isn: None,
            syns: Frames::default(),
            syn_first_ns: 0,
            syn_last_ns: 0,
            syns_with_ts: 0,
            syn_ts: None,
            predicted_mask: 0,
            predicted: 0,
            predicted_no_ts: 0,
            prediction: None,
            synack: None,
            synack_ns: 0,
            synack_has_ts: false,
            synack_ack: None,
            hs_ack: None,
            answered_unseen: None,
            bare_ack: None,
            server_rst: None,
            client_rst: None,
            server_seen: false,
            first_fin: None,
            client_fin: false,
            server_fin: false,
            ts_negotiated: false,
            dir: [Dir::default(); 2],
            points: Points::default(),
            probe: None,
            prev: None,
            synack_ts_without_syn_ts: None,
            not_negotiated: None,
            synack_tsecr_outside: None,
            nop_runs: Frames::default(),
            malformed: Frames::default(),
            line: None,
        }
    }

    /// The SYN was seen and nothing at all came back from the server, nor
    /// did the client acknowledge a SYN-ACK the capture missed.
    pub fn unanswered(&self) -> bool {
        self.client_isn.is_some()
            && !self.mid_stream
            && !self.server_seen
            && self.answered_unseen.is_none()
    }

    /// The server answered the SYN with a SYN-ACK, seen or proven by the
    /// client's acknowledgment of it.
    pub fn served(&self) -> bool {
        self.synack.is_some() || self.answered_unseen.is_some()
    }

    pub fn syn_retransmissions(&self) -> u32 {
        self.syns.total.saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_stay_bounded() {
        let mut p = Points::default();
        for i in 0..10_000 {
            p.push(i, i);
        }
        assert!(p.as_slice().len() <= POINTS);
        assert!(
            p.as_slice().windows(2).all(|w| w[0].0 < w[1].0),
            "time order kept"
        );
        assert!(
            p.as_slice().last().map(|x| x.0).unwrap_or(0) > 5_000,
            "recent points kept"
        );
    }

    #[test]
    fn frames_count_past_cap() {
        let mut f = Frames::<2>::default();
        for i in 1..=5 {
            f.push(i);
        }
        assert_eq!(f.as_slice(), &[1, 2]);
        assert_eq!(f.total, 5);
    }

    #[test]
    fn dir_regression_and_wrap() {
        let mut d = Dir::default();
        d.record_ts(0xFFFF_FFF0, 1, 0);
        d.record_ts(0x0000_0010, 2, 1_000_000);
        assert_eq!(d.wraps, 1);
        assert_eq!(d.regression_count, 0, "a wrap is not a regression");
        assert_eq!(d.unwrapped, 0x20);
        d.record_ts(0x0000_000F, 3, 2_000_000);
        assert_eq!(d.regression_count, 0, "one tick back is reordering");
        d.record_ts(0xFFFF_FF00, 4, 3_000_000);
        assert_eq!(d.regression_count, 1);
        assert_eq!(d.worst_regression.ticks, 0x110);
        assert_eq!(d.max_tsval, 0x10);
    }
}
