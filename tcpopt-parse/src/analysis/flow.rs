//! Per-flow state. Everything here is fixed-size: a flow costs the same
//! memory whether it carries 3 segments or 3 million.

use alloc::boxed::Box;
use core::net::IpAddr;

use super::remembered::RemTs;
use super::report::Side;
use super::serial;
use crate::Segment;

/// The bidirectional flow key: both endpoints as (address bits, port),
/// lower one first, and the address family.
///
/// Plain aligned integers rather than `(IpAddr, u16)` pairs: the flow
/// table lookup is the analyzer's hottest line, and the enum's 17-byte
/// unaligned layout cost store-forwarding stalls on every key built and
/// a chain of comparisons on every probe. The order of the endpoints only
/// has to be canonical (the same key for both directions).
///
/// 64-bit words, not `u128`: a `u128` field aligns the key to 16 bytes
/// (80 bytes with padding, against 40), and a busy capture holds one key
/// per open flow and per TIME_WAIT tombstone; wasm32 also emulates `u128`
/// arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FlowKey {
    /// Address bits of the lower endpoint, high word first.
    lo: [u64; 2],
    /// Address bits of the higher endpoint.
    hi: [u64; 2],
    /// The lower endpoint's port in the high half, the higher's below.
    ports: u32,
    v6: bool,
}

/// One hasher call per key instead of a dozen: equal keys fold to equal
/// words, as `Hash` requires, and the hasher still mixes the word.
impl core::hash::Hash for FlowKey {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        let fold = |a: [u64; 2]| a[1] ^ a[0].rotate_left(17);
        let ports = u64::from(self.ports);
        let w = fold(self.lo).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ fold(self.hi).rotate_left(32)
            ^ (ports << 40 | ports)
            ^ u64::from(self.v6);
        state.write_u64(w);
    }
}

impl FlowKey {
    pub fn new(src: IpAddr, sport: u16, dst: IpAddr, dport: u16) -> Self {
        let bits = |a: IpAddr| match a {
            IpAddr::V4(a) => ([0, u64::from(a.to_bits())], false),
            IpAddr::V6(a) => {
                let b = a.to_bits();
                ([(b >> 64) as u64, b as u64], true)
            }
        };
        let ((s, v6), (d, d6)) = (bits(src), bits(dst));
        let a = (s, sport);
        let b = (d, dport);
        // One IP header has one family; a mixed pair (impossible from the
        // decoder) still gets a key of its own.
        let v6 = v6 || d6;
        let ((lo, lp), (hi, hp)) = if a <= b { (a, b) } else { (b, a) };
        FlowKey {
            lo,
            hi,
            ports: (u32::from(lp) << 16) | u32::from(hp),
            v6,
        }
    }
}

impl FlowKey {
    /// A 64-bit digest of the key, for the TIME_WAIT tombstones (100,000 on a
    /// busy server, 48 bytes each instead of 80). Each word goes through
    /// MurmurHash3's 64-bit finaliser, a bijection with full avalanche, so
    /// two keys collide with probability about 2^-64: a SYN on a new 4-tuple
    /// would meet another's tombstone about once in 10^14 lookups at
    /// 100,000 tombstones.
    pub fn digest(&self) -> u64 {
        fn fmix(mut k: u64) -> u64 {
            k ^= k >> 33;
            k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
            k ^= k >> 33;
            k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
            k ^ (k >> 33)
        }
        let words = [
            self.lo[0],
            self.lo[1],
            self.hi[0],
            self.hi[1],
            (u64::from(self.ports) << 1) | u64::from(self.v6),
        ];
        words.iter().fold(0x9E37_79B9_7F4A_7C15u64, |h, &w| {
            fmix(h.rotate_left(23) ^ w)
        })
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
        Self::NONE
    }
}

impl<const N: usize> Frames<N> {
    pub const NONE: Self = Frames {
        frames: [0; N],
        len: 0,
        total: 0,
    };

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
    /// Frames counted but not kept (past `N`).
    pub fn beyond(&self) -> u64 {
        u64::from(self.total).saturating_sub(u64::from(self.len))
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
    /// The peer's highest acknowledgment number when this segment came
    /// (TS-03: progress means the peer acknowledged past it later).
    pub peer_ack: Option<u32>,
}

impl Regression {
    pub const NONE: Regression = Regression {
        frame: 0,
        ticks: 0,
        peer_ack: None,
    };
}

/// The evidence of one direction's rare events (regressions, a wrap,
/// missing timestamps, bad echoes), boxed on the first of them: nearly
/// every connection of a busy server has none, and without it inline a
/// [`Flow`] is 0.6 KB (a third) smaller to set up per connection and to
/// keep open.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DirRare {
    /// Regressions of more than 2 ticks below the maximum: the first few.
    pub regressions: [Regression; 4],
    pub worst_regression: Regression,
    /// The most recent regression of more than 2 ticks.
    pub latest_regression: Regression,
    pub wrap_first: Option<(u64, u32, u32, i64)>,
    /// Non-RST segments without TS after negotiation.
    pub missing_ts: Frames<4>,
    /// TSecr not among the peer's TSvals.
    pub tsecr_bad: Frames<4>,
    pub tsecr_example: (u32, u32, u32),
    pub tsecr_zero: Frames<4>,
}

/// What a direction without rare events reads as.
static NO_RARE: DirRare = DirRare {
    regressions: [Regression::NONE; 4],
    worst_regression: Regression::NONE,
    latest_regression: Regression::NONE,
    wrap_first: None,
    missing_ts: Frames::NONE,
    tsecr_bad: Frames::NONE,
    tsecr_example: (0, 0, 0),
    tsecr_zero: Frames::NONE,
};

/// State of one direction of a flow (`repr(C)`: what each segment reads
/// first; see [`Flow`]).
#[derive(Clone, Debug, Default)]
#[repr(C)]
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
    pub tsecr_k: Option<i64>,
    pub tsecr_k_const: bool,
    pub last_ack: Option<u32>,
    /// The serially highest acknowledgment number this direction sent.
    pub max_ack: Option<u32>,
    /// The peer's `max_ack` when the segment being recorded came (set
    /// before `record_ts`, kept in its [`Regression`]).
    pub peer_ack: Option<u32>,
    /// The sequence number after the highest byte (SYN and FIN count one)
    /// this direction sent: a keep-alive probe sits one below it.
    pub snd_nxt: Option<u32>,
    /// The last segment of this direction was a keep-alive probe.
    pub last_keepalive: bool,
    /// The segment being recorded carries only data this direction had
    /// already sent (set before `record_ts`).
    pub old_copy: bool,
    pub regression_count: u32,
    pub dupacks_after_regression: u32,
    pub wraps: u32,
    /// The evidence of rare events ([`DirRare`]), once there is some.
    rare: Option<Box<DirRare>>,
}

impl Dir {
    /// The evidence of rare events (all empty when there were none).
    pub fn rare(&self) -> &DirRare {
        self.rare.as_deref().unwrap_or(&NO_RARE)
    }

    /// The evidence of rare events, boxed now if there was none.
    pub fn rare_mut(&mut self) -> &mut DirRare {
        self.rare.get_or_insert_with(Box::default)
    }

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
            && self.snd_nxt.is_some_and(|n| {
                // Within a window's reach: another sender's random
                // sequence numbers (two clients on one tuple) rarely are.
                (0..=1 << 20).contains(&serial::diff(n, seq.wrapping_add(len)))
            })
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
            let first = (frame, self.last_tsval, v, ns.saturating_sub(self.last_ns));
            let rare = self.rare_mut();
            if rare.wrap_first.is_none() {
                rare.wrap_first = Some(first);
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
                peer_ack: self.peer_ack,
            };
            let n = self.regression_count as usize;
            self.regression_count = self.regression_count.saturating_add(1);
            let rare = self.rare_mut();
            rare.latest_regression = r;
            if let Some(slot) = rare.regressions.get_mut(n) {
                *slot = r;
            }
            if behind > rare.worst_regression.ticks {
                rare.worst_regression = r;
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

    /// TS-05: `tsecr` (with ACK set) must echo a TSval `peer` could have
    /// sent; records a mismatch or an unexpected zero.
    pub fn check_tsecr(&mut self, e: u32, peer: &Dir, start_seen: bool, frame: u64, ns: i64) {
        if e == 0 {
            if !peer.could_have_sent(0, start_seen, ns) {
                self.rare_mut().tsecr_zero.push(frame);
            }
        } else if !peer.could_have_sent(e, start_seen, ns) {
            if self.rare().tsecr_bad.total == 0 {
                self.rare_mut().tsecr_example = (e, peer.first_tsval, peer.max_tsval);
                self.tsecr_k_const = true;
            }
            let k = serial::diff(e, peer.last_tsval) as i64;
            match self.tsecr_k {
                Some(k0) if k0 != k => self.tsecr_k_const = false,
                _ => self.tsecr_k = Some(k),
            }
            self.rare_mut().tsecr_bad.push(frame);
        }
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

/// The previous flow on a 4-tuple, as a new SYN on it found it (TS-02).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PrevClose {
    pub server_closed_first: bool,
    pub last_ns: i64,
    /// The client's serial-maximal TSval, when it sent any.
    pub client_max_tsval: Option<u32>,
    pub client_max_frame: u64,
    /// Closed by FINs both ways or an RST: false means the connection was
    /// still open when the new SYN came (FOURTUPLE_COLLISION).
    pub ended: bool,
    /// Its own SYN and SYN-ACK were seen: a connection, not a capture that
    /// began mid-stream or a SYN-ACK reordered before its SYN (a SYN after
    /// those is the same connection's).
    pub established: bool,
    /// Its client port: a SYN from the other end is not a new connection
    /// of the same client.
    pub cport: u16,
}

/// An ICMP destination unreachable that quoted a flow's SYN.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IcmpAnswer {
    pub frame: u64,
    pub ns: i64,
    pub code: u8,
    pub v6: bool,
    pub from: IpAddr,
}

impl IcmpAnswer {
    /// What the message says, in words (RFC 792, RFC 1812 §5.2.7.1,
    /// RFC 4443 §3.1).
    pub fn describe(&self) -> &'static str {
        match (self.v6, self.code) {
            (false, 0) => "network unreachable",
            (false, 1) => "host unreachable",
            (false, 2) => "protocol unreachable",
            (false, 3) => "port unreachable",
            (false, 9 | 10 | 13) => "administratively prohibited",
            (false, _) => "destination unreachable",
            (true, 0) => "no route to destination",
            (true, 1) => "administratively prohibited",
            (true, 3) => "address unreachable",
            (true, 4) => "port unreachable",
            (true, 5 | 6) => "rejected by policy",
            (true, _) => "destination unreachable",
        }
    }
}

/// The handshake options of a SYN or SYN-ACK besides timestamps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SynOpts {
    pub mss: Option<u16>,
    pub ws: bool,
    pub sack: bool,
    /// The options area was walked to its end (absence proves something).
    pub complete: bool,
}

impl SynOpts {
    pub fn of(seg: &Segment) -> Self {
        SynOpts {
            mss: seg.mss,
            ws: seg.wscale.is_some(),
            sack: seg.sack_permitted,
            complete: seg.options_complete,
        }
    }
}

/// Index 0: client → server; 1: server → client.
pub(crate) const C2S: usize = 0;
pub(crate) const S2C: usize = 1;

/// One flow (connection attempt).
///
/// `repr(C)`, with what every segment and the sweep read first (the
/// 4-tuple, the handshake's state, the times, the directions): on a busy
/// server a flow is cold at its next segment, and the fields a segment
/// reads then share fewer cache lines of the 1.3 KB.
#[derive(Clone, Debug)]
#[repr(C)]
pub(crate) struct Flow {
    /// The 4-tuple's key: the flow table keeps only slots and compares
    /// this (`Analyzer::lookup`).
    pub key: FlowKey,
    /// Stable id: the order flows were created (the report's `index`).
    pub id: u32,
    pub pair: u32,
    pub cport: u16,
    pub sport: u16,
    pub client: IpAddr,
    pub server: IpAddr,
    pub mid_stream: bool,
    pub client_fin: bool,
    pub server_fin: bool,
    pub server_seen: bool,
    pub ts_negotiated: bool,
    pub synack_has_ts: bool,
    pub first_fin: Option<Side>,
    pub last_ns: i64,
    pub last_frame: u64,
    pub first_ns: i64,
    pub first_frame: u64,
    pub client_isn: Option<u32>,
    /// The acknowledgment number of the SYN-ACK (a late copy of the SYN it
    /// answers is that SYN, not a new connection).
    pub synack_ack: Option<u32>,
    pub synack: Option<u64>,
    pub hs_ack: Option<u64>,
    pub server_rst: Option<u64>,
    pub client_rst: Option<(u64, u32)>,
    pub bare_ack: Option<BareAck>,
    pub probe: Option<ProbeKind>,
    pub dir: [Dir; 2],
    pub points: Points,
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
    pub synack_ns: i64,
    /// The first SYN's MSS, window scale and SACK-permitted options, and
    /// the first SYN-ACK's (SYN_COOKIES: a Linux cookie without
    /// timestamps drops window scale and SACK).
    pub syn_opts: SynOpts,
    pub synack_opts: SynOpts,
    /// SYN-ACK segments seen, retransmissions included (a SYN cookie
    /// keeps no state to retransmit from).
    pub synacks: u32,
    /// A client ACK of the SYN-ACK (sequence ISN+1) while the capture holds
    /// no SYN-ACK: a one-sided capture, the SYN was answered.
    pub answered_unseen: Option<u64>,
    /// The ICMP destination unreachable that answered the SYN instead.
    pub icmp: Option<IcmpAnswer>,
    pub prev: Option<u32>,
    /// The previous flow on this 4-tuple as it ended (TS-02).
    pub prev_close: Option<PrevClose>,
    /// The open flow of the same pair whose SYN, with this flow's ISN, the
    /// server refused with a bare ACK: this flow is its retry (TS-02; a
    /// NAT usually moves the retry to a new source port, the client's
    /// kernel keeps the ISN).
    pub retry_of: Option<u32>,
    pub synack_ts_without_syn_ts: Option<u64>,
    pub not_negotiated: Option<u64>,
    pub synack_tsecr_outside: Option<u64>,
    pub nop_runs: Frames<4>,
    pub malformed: Frames<4>,
}

impl Flow {
    pub fn new(id: u32, client: IpAddr, cport: u16, server: IpAddr, sport: u16, pair: u32) -> Self {
        Flow {
            key: FlowKey::new(client, cport, server, sport),
            id,
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
            syn_opts: SynOpts::default(),
            synack_opts: SynOpts::default(),
            synacks: 0,
            synack_ack: None,
            answered_unseen: None,
            icmp: None,
            hs_ack: None,
            bare_ack: None,
            server_rst: None,
            client_rst: None,
            server_seen: false,
            first_fin: None,
            client_fin: false,
            server_fin: false,
            ts_negotiated: false,
            dir: [Dir::default(), Dir::default()],
            points: Points::default(),
            probe: None,
            prev: None,
            prev_close: None,
            retry_of: None,
            synack_ts_without_syn_ts: None,
            not_negotiated: None,
            synack_tsecr_outside: None,
            nop_runs: Frames::default(),
            malformed: Frames::default(),
        }
    }

    /// Which direction `seg` goes ([`C2S`] or [`S2C`]).
    pub fn direction(&self, seg: &Segment) -> usize {
        if seg.src == self.client && seg.sport == self.cport {
            C2S
        } else {
            S2C
        }
    }

    /// A client SYN (no ACK): ISN, SYN frames, SYN TSvals and the probe
    /// signatures that a single SYN shows (nmap, TSval 0).
    pub fn client_syn(&mut self, seg: &Segment) {
        if self.client_isn.is_none() {
            self.client_isn = Some(seg.seq);
            self.syn_first_ns = seg.ts.nanos;
            self.syn_opts = SynOpts::of(seg);
        }
        self.syns.push(seg.frame);
        self.syn_last_ns = seg.ts.nanos;
        if let Some((v, e)) = seg.timestamps {
            self.syns_with_ts += 1;
            self.syn_ts = Some(match self.syn_ts {
                None => (v, v),
                Some((lo, hi)) => (lo, serial::max(hi, v)),
            });
            if v == u32::MAX && e == 0 {
                self.probe = Some(ProbeKind::Nmap);
            } else if v == 0 && self.probe.is_none() {
                // Until an ordinary exchange follows (`handshake`): Windows
                // starts its SYNs at TSval 0.
                self.probe = Some(ProbeKind::ZeroTsval);
            }
        }
    }

    /// Records that the `nth` SYN (0-based) is predicted dropped by the
    /// per-host stamp `rem` (TS-01 material).
    pub fn predicted_drop(&mut self, nth: u32, rem: &RemTs, syn_tsval: Option<u32>, ns: i64) {
        self.predicted += 1;
        if syn_tsval.is_none() {
            self.predicted_no_ts += 1;
        }
        if nth < 8 {
            self.predicted_mask |= 1 << nth;
        }
        if self.prediction.is_none() {
            self.prediction = Some(Prediction {
                syn_tsval,
                rem_ts: rem.ts,
                rem_frame: rem.frame,
                age_ns: ns.saturating_sub(rem.stamp_ns),
            });
        }
    }

    /// The handshake and teardown as seen from direction `d`: SYN-ACK and
    /// what it says about the SYN's timestamps (TS-04, TS-05), the bare
    /// ACK answering a SYN (TS-02), the third ACK, RSTs, FINs.
    pub fn handshake(&mut self, seg: &Segment, d: usize) {
        let flags = seg.flags;
        let rst = flags.rst();
        if d == S2C {
            self.server_seen = true;
            if flags.syn() && flags.ack() {
                self.synacks = self.synacks.saturating_add(1);
                if self.synack.is_none() {
                    self.synack_answer(seg);
                }
            } else if flags.ack()
                && !rst
                && self.synack.is_none()
                && self.client_isn.is_some()
                && self.bare_ack.is_none()
            {
                self.bare_ack = Some(BareAck {
                    frame: seg.frame,
                    ack: seg.ack,
                    tsecr: seg.timestamps.map(|t| t.1),
                });
            }
            if rst && self.server_rst.is_none() {
                self.server_rst = Some(seg.frame);
            }
        } else {
            if flags.ack() && !flags.syn() && self.synack.is_some() && self.hs_ack.is_none() {
                self.hs_ack = Some(seg.frame);
            }
            // One-sided capture: the client acknowledges a SYN-ACK the
            // capture does not hold (its sequence number is ISN+1).
            if flags.ack()
                && !flags.syn()
                && !rst
                && self.synack.is_none()
                && self.answered_unseen.is_none()
                && !self.server_seen
                && self.client_isn.map(|i| i.wrapping_add(1)) == Some(seg.seq)
            {
                self.answered_unseen = Some(seg.frame);
            }
            if !flags.syn() && !rst && self.probe == Some(ProbeKind::ZeroTsval) && self.served() {
                self.probe = None;
            }
            if rst && self.client_rst.is_none() {
                self.client_rst = Some((seg.frame, seg.seq));
            }
        }
        if flags.fin() {
            if self.first_fin.is_none() {
                self.first_fin = Some(if d == C2S { Side::Client } else { Side::Server });
            }
            if d == C2S {
                self.client_fin = true;
            } else {
                self.server_fin = true;
            }
        }
        let ts = if rst { None } else { seg.timestamps };
        if self.mid_stream && !self.ts_negotiated && ts.is_some() && self.dir[1 - d].has_ts() {
            self.ts_negotiated = true;
        }
    }

    /// The first SYN-ACK: negotiation, and the TSecr against the SYNs.
    fn synack_answer(&mut self, seg: &Segment) {
        self.synack = Some(seg.frame);
        self.synack_ns = seg.ts.nanos;
        self.synack_has_ts = seg.timestamps.is_some();
        self.synack_opts = SynOpts::of(seg);
        self.synack_ack = Some(seg.ack);
        let syn_seen = self.client_isn.is_some();
        match (syn_seen, self.syns_with_ts > 0, seg.timestamps) {
            (true, false, Some(_)) => self.synack_ts_without_syn_ts = Some(seg.frame),
            (true, true, None) => self.not_negotiated = Some(seg.frame),
            (true, true, Some((v, e))) => {
                self.ts_negotiated = true;
                if e == 0 {
                    // Linux ignores a SYN-ACK's TSecr of 0
                    // (tcp_rcv_synsent_state_process). TSval 0 with TSecr 0
                    // is Windows' own SYN-ACK: no finding; otherwise it is
                    // an ACK with TSecr 0 (info).
                    if v != 0 {
                        self.dir[S2C].rare_mut().tsecr_zero.push(seg.frame);
                    }
                } else if let Some((lo, hi)) = self.syn_ts {
                    if serial::before(e, lo) || serial::after(e, hi) {
                        self.synack_tsecr_outside = Some(seg.frame);
                    }
                }
            }
            _ => {}
        }
    }

    /// Option-area oddities (TS-04): NOP runs and malformed TS options.
    pub fn options(&mut self, seg: &Segment) {
        if seg.max_nop_run >= 10 {
            self.nop_runs.push(seg.frame);
        }
        if seg.ts_malformed {
            self.malformed.push(seg.frame);
        }
    }

    /// The timestamps of one segment in direction `d`: the direction's
    /// TSval record (TS-03, TS-07), the client's clock points, TSecr
    /// against the peer (TS-05), missing options (TS-04), duplicate ACKs
    /// after a regression and whether acknowledged data advanced after it
    /// (TS-03's escalation).
    pub fn timestamps(&mut self, seg: &Segment, d: usize) {
        let flags = seg.flags;
        let rst = flags.rst();
        let syn_only = flags.syn() && !flags.ack();
        // A SYN or SYN-ACK with TSval 0 carries no clock reading (Windows).
        let ts = if rst { None } else { seg.timestamps }.filter(|&(v, _)| !(flags.syn() && v == 0));
        let ns = seg.ts.nanos;
        let is_bare_ack = self.bare_ack.map(|b| b.frame == seg.frame).unwrap_or(false) && d == S2C;
        let start_seen = !self.mid_stream;
        let ts_negotiated = self.ts_negotiated;
        let [c2s, s2c] = &mut self.dir;
        let (me, peer) = if d == C2S {
            (c2s, &mut *s2c)
        } else {
            (s2c, &mut *c2s)
        };
        me.segments += 1;
        let keepalive =
            me.is_keepalive(seg.seq, seg.payload_len, flags.syn() || flags.fin() || rst);
        // The answer to a keep-alive: a bare ACK of what the prober sent.
        let keepalive_ack = peer.last_keepalive
            && seg.payload_len == 0
            && flags.ack()
            && peer.snd_nxt == Some(seg.ack);
        me.last_keepalive = keepalive;
        me.old_copy = me.only_old_data(seg.seq, seg.payload_len);
        if !rst {
            me.sent(seg.seq, seg.payload_len, flags.syn(), flags.fin());
        }
        if flags.ack()
            && !flags.syn()
            && !flags.fin()
            && !rst
            && seg.payload_len == 0
            && me.last_ack == Some(seg.ack)
            && peer.regression_count > 0
        {
            peer.dupacks_after_regression = peer.dupacks_after_regression.saturating_add(1);
        }
        if flags.ack() {
            me.last_ack = Some(seg.ack);
            if !rst && me.max_ack.is_none_or(|m| serial::after(seg.ack, m)) {
                me.max_ack = Some(seg.ack);
            }
        }
        me.peer_ack = peer.max_ack;
        match ts {
            Some((v, e)) => {
                let u = me.record_ts(v, seg.frame, ns);
                if d == C2S {
                    self.points.push(ns, u);
                }
                // The SYN-ACK is checked against the SYNs (`synack_answer`);
                // the bare ACK from TIME_WAIT echoes the previous flow.
                if flags.ack() && !flags.syn() && !is_bare_ack && peer.has_ts() {
                    me.check_tsecr(e, peer, start_seen, seg.frame, ns);
                }
            }
            None if seg.timestamps.is_some() => {}
            None => {
                // Keep-alives legitimately omit options (Darwin sends them
                // bare; FreeBSD's tolerate_missing_ts exists for such stacks).
                if !rst
                    && ts_negotiated
                    && seg.options_complete
                    && !syn_only
                    && !keepalive
                    && !keepalive_ack
                {
                    me.rare_mut().missing_ts.push(seg.frame);
                }
            }
        }
    }

    /// What `tcp_remember_stamp()` would store when the server closed
    /// first and this client segment (with a TSval) keeps the 4-tuple in
    /// TIME_WAIT/FIN_WAIT2.
    pub fn remembered_stamp(&self, seg: &Segment) -> Option<RemTs> {
        let ts = if seg.flags.rst() {
            None
        } else {
            seg.timestamps
        };
        if self.server_fin
            && self.first_fin == Some(Side::Server)
            && self.ts_negotiated
            && ts.is_some()
        {
            let c = &self.dir[C2S];
            return Some(RemTs {
                ts: c.max_tsval,
                stamp_ns: c.max_ns,
                frame: c.max_frame,
            });
        }
        None
    }

    /// What a later flow on the same 4-tuple needs to know about this one
    /// (TS-02: did the server close first, the client's last TSval).
    pub fn close_record(&self) -> PrevClose {
        let c = &self.dir[C2S];
        PrevClose {
            server_closed_first: self.first_fin == Some(Side::Server) && self.server_fin,
            last_ns: self.last_ns,
            client_max_tsval: c.has_ts().then_some(c.max_tsval),
            client_max_frame: c.max_frame,
            ended: (self.client_fin && self.server_fin)
                || self.client_rst.is_some()
                || self.server_rst.is_some(),
            established: self.synack.is_some() && self.client_isn.is_some() && !self.mid_stream,
            cport: self.cport,
        }
    }

    /// An ICMP destination unreachable quoting this flow's SYN (the
    /// client's address, port and ISN), before any answer from the server.
    pub fn icmp_error(&mut self, frame: u64, ns: i64, q: &crate::decode::IcmpQuote) {
        if self.icmp.is_none()
            && !self.server_seen
            && q.src == self.client
            && q.sport == self.cport
            && self.client_isn == Some(q.seq)
        {
            self.icmp = Some(IcmpAnswer {
                frame,
                ns,
                code: q.code,
                v6: q.v6,
                from: q.from,
            });
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

    /// How long an attempt whose SYNs nothing answered may stay quiet
    /// before it is over: twice its retransmission time so far (at least
    /// `min_ns`) plus a second, at most `max_ns`. Every stack backs off by
    /// doubling (Linux 1, 2, 4 ... 64 s; Windows 3, 6 s; macOS 1 s steps,
    /// then doubling), so its next SYN comes before that; one that gave up
    /// is retired seconds after its last SYN instead of holding 1.3 KB for
    /// `max_ns` (a busy server refusing thousands of clients a minute).
    /// None when anything but the client's SYNs was seen.
    pub fn unanswered_quiet_limit(&self, min_ns: i64, max_ns: i64) -> Option<i64> {
        let only_syns = self.dir[C2S].segments == u64::from(self.syns.total);
        (self.unanswered() && only_syns && self.icmp.is_none() && self.bare_ack.is_none()).then(
            || {
                let so_far = self
                    .syn_last_ns
                    .saturating_sub(self.syn_first_ns)
                    .max(min_ns);
                so_far
                    .saturating_mul(2)
                    .saturating_add(1_000_000_000)
                    .min(max_ns)
            },
        )
    }

    /// The server answered the SYN with a SYN-ACK, seen or proven by the
    /// client's acknowledgment of it.
    pub fn served(&self) -> bool {
        self.synack.is_some() || self.answered_unseen.is_some()
    }

    /// Both sides sent a FIN.
    pub fn closed(&self) -> bool {
        self.client_fin && self.server_fin
    }

    /// The handshake was seen complete (or the flow was first seen
    /// mid-stream): idle time is an established connection's.
    pub fn established(&self) -> bool {
        self.mid_stream || (self.synack.is_some() && self.hs_ack.is_some())
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
        assert_eq!(d.rare().worst_regression.ticks, 0x110);
        assert_eq!(d.max_tsval, 0x10);
    }
}

#[cfg(test)]
mod size {
    use super::*;

    /// Every open connection holds one, and a busy server opens thousands
    /// a second: the evidence of rare events stays out of line
    /// ([`DirRare`]).
    #[test]
    fn a_flow_stays_small() {
        // 1,888 bytes with it inline (and without the flow's key).
        assert!(core::mem::size_of::<Flow>() <= 1320);
        assert!(core::mem::size_of::<Dir>() <= 200);
    }
}
