//! TSval clock lines per (client address, server address).
//!
//! Built at the end from per-flow summaries, flows taken in order of their
//! first client TSval. A flow joins the line whose prediction fits best:
//! `|TSval − (v_L + Hz·Δt)| ≤ Hz·(0.1 s + 1e−4·|Δt|)` (at least 2 ticks)
//! where `(t_L, v_L)` is the line's latest point and Hz is the line's
//! measured rate or, while the line spans less than 2 s, any of the snap
//! rates (10, 100, 250, 300, 1000, 10^6 Hz) or the flow's own rate. Values
//! are unwrapped against the prediction, so a 1 µs clock wrapping every
//! 71.6 min stays one line.
//!
//! Rate: slope between the line's extreme points once they span ≥ 2 s,
//! snapped when within 2 %. Offset: `TSval − Hz·t (mod 2^32)`, t in
//! seconds since the epoch. Skew: with ≥ 10 min of data, the slope of the
//! lower envelope of `(t, t − TSval/Hz)` (delay only adds, so the envelope
//! is the delay-free line), taken as the hull edge over the mean time
//! (the linear-programming fit of Moon et al. / Kohno et al.); reported in
//! ppm, positive when the TS clock runs fast against the capture clock.
//! Per-flow points are decimated to 16, so skew is an approximation.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::net::IpAddr;

use super::config::{RATE_MIN_SPAN_NS, SKEW_MIN_SPAN_NS, SNAP_RATES};
use super::finding::ClockClass;
use super::flow::{Flow, C2S};
use super::serial;

/// A clock line under construction / finished.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub anchor_tsval: u32,
    pub anchor_ns: i64,
    pub first_frame: u64,
    pub last_ns: i64,
    /// Unwrapped TSval at `last_ns`, relative to the anchor.
    pub last_u: i64,
    pub min_ns: i64,
    pub min_u: i64,
    pub max_ns: i64,
    pub max_u: i64,
    pub hz: Option<f64>,
    pub snapped: bool,
    pub flows: Vec<usize>,
    /// The first client TS frame of each of `flows` (the evidence).
    pub frames: Vec<u64>,
    pub points: Vec<(i64, i64)>,
    pub flow_rates: Vec<f64>,
    pub skew_ppm: Option<f64>,
}

const MAX_LINE_POINTS: usize = 2048;

fn fabs(x: f64) -> f64 {
    if x < 0.0 {
        -x
    } else {
        x
    }
}

/// Snaps a measured rate to a usual one when within 2 %.
pub(crate) fn snap(rate: f64) -> (f64, bool) {
    for &c in SNAP_RATES.iter() {
        if fabs(rate - c) <= 0.02 * c {
            return (c, true);
        }
    }
    (rate, false)
}

impl Line {
    pub fn span_ns(&self) -> i64 {
        self.max_ns.saturating_sub(self.min_ns)
    }

    /// The offset `TSval − Hz·t mod 2^32` (t in seconds since the epoch).
    pub fn offset(&self) -> Option<u32> {
        let hz = self.hz?;
        let mhz = (hz * 1000.0) as i128;
        let ticks = mhz * self.anchor_ns as i128 / 1_000_000_000_000;
        Some((self.anchor_tsval as i128 - ticks).rem_euclid(1 << 32) as u32)
    }

    /// How well a sample `(t, v)` fits under rate `h`: (score ≤ 1 fits,
    /// unwrapped value relative to the anchor).
    fn fit(&self, h: f64, t: i64, v: u32) -> (f64, i64) {
        let dt = t.saturating_sub(self.last_ns) as f64 / 1e9;
        let pred = h * dt;
        let last_v = self.anchor_tsval.wrapping_add(self.last_u as u32);
        let d = serial::diff(v, last_v) as i64;
        let err = serial::wrap_i64(d - pred as i64);
        let u = self.last_u + pred as i64 + err;
        let tol = {
            let t = h * (0.1 + 1e-4 * fabs(dt));
            if t < 2.0 {
                2.0
            } else {
                t
            }
        };
        (fabs(err as f64) / tol, u)
    }

    fn add_point(&mut self, t: i64, u: i64) {
        if t < self.min_ns {
            self.min_ns = t;
            self.min_u = u;
        }
        if t >= self.max_ns {
            self.max_ns = t;
            self.max_u = u;
        }
        if t >= self.last_ns {
            self.last_ns = t;
            self.last_u = u;
        }
        if self.points.len() >= MAX_LINE_POINTS {
            let mut k = 0;
            self.points.retain(|_| {
                k += 1;
                k % 2 == 0
            });
        }
        self.points.push((t, u));
    }

    fn refresh_rate(&mut self) {
        let span = self.span_ns();
        if span >= RATE_MIN_SPAN_NS && self.max_u > self.min_u {
            let (hz, snapped) = snap((self.max_u - self.min_u) as f64 * 1e9 / span as f64);
            self.hz = Some(hz);
            self.snapped = snapped;
        }
    }
}

/// Clusters the flows of one pair into lines; sets `Flow::line`.
pub(crate) fn build_lines(flows: &mut [Flow], members: &[u32]) -> Vec<Line> {
    let mut order: Vec<usize> = members
        .iter()
        .map(|&i| i as usize)
        .filter(|&i| {
            flows
                .get(i)
                .map(|f| f.probe.is_none() && f.dir[C2S].has_ts())
                .unwrap_or(false)
        })
        .collect();
    order.sort_by_key(|&i| {
        flows
            .get(i)
            .map(|f| (f.dir[C2S].first_ns, f.first_frame))
            .unwrap_or((0, 0))
    });
    let mut lines: Vec<Line> = Vec::new();
    let mut index = LineIndex::default();
    // The widest tolerance any fit can have here: the whole pair's span.
    let span_s = order
        .iter()
        .filter_map(|&i| flows.get(i))
        .map(|f| f.dir[C2S].last_ns)
        .max()
        .unwrap_or(0)
        .saturating_sub(
            flows
                .get(*order.first().unwrap_or(&0))
                .map(|f| f.dir[C2S].first_ns)
                .unwrap_or(0),
        ) as f64
        / 1e9;
    let mut candidates: Vec<usize> = Vec::new();
    for i in order {
        let Some(f) = flows.get_mut(i) else { continue };
        let c = &f.dir[C2S];
        let own = c.own_rate(RATE_MIN_SPAN_NS).map(|r| snap(r).0);
        let (t0, v0) = (c.first_ns, c.first_tsval);
        let mut best: Option<(f64, usize, i64)> = None;
        let allowed = index.candidates(&lines, t0, v0, own, span_s, &mut candidates);
        for &li in candidates.iter() {
            let Some(l) = lines.get(li) else { continue };
            let mut try_rate = |h: f64| {
                let (score, u) = l.fit(h, t0, v0);
                if score <= 1.0 && best.map(|b| score < b.0).unwrap_or(true) {
                    best = Some((score, li, u));
                }
            };
            match l.hz {
                Some(h) => try_rate(h),
                None => {
                    for (&h, _) in SNAP_RATES.iter().zip(allowed).filter(|(_, ok)| *ok) {
                        try_rate(h);
                    }
                    if let Some(h) = own {
                        try_rate(h);
                    }
                }
            }
        }
        let (li, base) = match best {
            Some((_, li, u)) => (li, u),
            None => {
                lines.push(Line {
                    anchor_tsval: v0,
                    anchor_ns: t0,
                    first_frame: c.first_frame,
                    last_ns: t0,
                    last_u: 0,
                    min_ns: t0,
                    min_u: 0,
                    max_ns: t0,
                    max_u: 0,
                    hz: None,
                    snapped: false,
                    flows: Vec::new(),
                    frames: Vec::new(),
                    points: Vec::new(),
                    flow_rates: Vec::new(),
                    skew_ppm: None,
                });
                (lines.len() - 1, 0)
            }
        };
        index.remove(li);
        let Some(l) = lines.get_mut(li) else { continue };
        l.flows.push(i);
        l.frames.push(c.first_frame);
        l.first_frame = l.first_frame.min(c.first_frame);
        l.add_point(t0, base);
        for &(t, u) in f.points.as_slice() {
            l.add_point(t, base + u);
        }
        l.add_point(c.last_ns, base + c.unwrapped);
        if let Some(r) = c.own_rate(RATE_MIN_SPAN_NS) {
            l.flow_rates.push(r);
        }
        l.refresh_rate();
        index.insert(li, l);
        f.line = Some(li as u32);
    }
    for l in lines.iter_mut() {
        l.skew_ppm = skew(l);
    }
    lines
}

/// Finds the lines a flow may fit without trying every line: per-connection
/// offsets give one line per connection, and comparing each connection with
/// every line was quadratic (44 s for 500,000 connections).
///
/// Under a rate `h`, a line's fit error for a sample `(t, v)` is exactly the
/// difference of the two offsets `v − h·t` and `v_L − h·t_L` (mod 2^32). So
/// each line is indexed by its offset under each rate it may be tried with
/// (its snapped rate, or all snap rates while its rate is unknown), and a
/// flow looks up the offsets within the largest tolerance the pair's span
/// allows; `fit` then decides exactly, as before. Lines with an unsnapped
/// measured rate, and the flow's own unsnapped rate against lines of unknown
/// rate, are rare (TS-08 territory) and scanned among the most recent
/// [`RECENT_SCAN`] such lines only.
///
/// A line whose rate is still unknown fits a new flow under any snap rate,
/// and at 1 MHz the tolerance (0.1 s = 100,000 ticks) is wide: among
/// thousands of per-connection offsets, random ones fall inside it and
/// would be merged into false "reused clocks" (false NAT). So a rate is
/// tried against unknown-rate lines only while the expected number of such
/// chance matches, `lines · 2·tol / 2^32`, stays below [`CHANCE_LIMIT`].
/// Lines whose rate is known keep their own rate whatever the count.
#[derive(Default)]
struct LineIndex {
    /// (rate index, 1 when the line's rate is known, offset, line).
    by_offset: BTreeSet<(u8, u8, u32, u32)>,
    keys: Vec<Vec<(u8, u8, u32)>>,
    /// Lines whose measured rate is not a snap rate.
    odd: Vec<usize>,
    /// Lines whose rate is still unknown, in creation order.
    unknown: Vec<usize>,
}

/// How many odd-rate or unknown-rate lines an unsnapped rate is tried against.
const RECENT_SCAN: usize = 256;

/// The expected number of chance matches above which a rate is no longer
/// tried against lines of unknown rate.
const CHANCE_LIMIT: f64 = 0.01;

fn rate_index(h: f64) -> Option<u8> {
    SNAP_RATES.iter().position(|&c| c == h).map(|i| i as u8)
}

/// `v − h·t mod 2^32`, t in ns, integer arithmetic.
fn offset_at(h: f64, t_ns: i64, v: u32) -> u32 {
    let mhz = (h * 1000.0) as i128;
    let ticks = mhz * t_ns as i128 / 1_000_000_000_000;
    (v as i128 - ticks).rem_euclid(1 << 32) as u32
}

impl LineIndex {
    fn remove(&mut self, li: usize) {
        if let Some(keys) = self.keys.get_mut(li) {
            for (r, k, o) in keys.drain(..) {
                self.by_offset.remove(&(r, k, o, li as u32));
            }
        }
        self.odd.retain(|&x| x != li);
        self.unknown.retain(|&x| x != li);
    }

    fn insert(&mut self, li: usize, l: &Line) {
        if self.keys.len() <= li {
            self.keys.resize_with(li + 1, Vec::new);
        }
        let last_v = l.anchor_tsval.wrapping_add(l.last_u as u32);
        let mut keys = Vec::new();
        match l.hz {
            Some(h) => match rate_index(h) {
                Some(r) => keys.push((r, 1, offset_at(h, l.last_ns, last_v))),
                None => self.odd.push(li),
            },
            None => {
                for (r, &h) in SNAP_RATES.iter().enumerate() {
                    keys.push((r as u8, 0, offset_at(h, l.last_ns, last_v)));
                }
                self.unknown.push(li);
            }
        }
        for &(r, k, o) in &keys {
            self.by_offset.insert((r, k, o, li as u32));
        }
        self.keys[li] = keys;
    }

    /// The lines worth a `fit`, sorted by index (the first best fit wins, as
    /// when every line was tried in order).
    /// Also returns which snap rates may be tried against unknown-rate lines.
    fn candidates(
        &self,
        lines: &[Line],
        t: i64,
        v: u32,
        own: Option<f64>,
        span_s: f64,
        out: &mut Vec<usize>,
    ) -> [bool; 6] {
        out.clear();
        let mut allowed = [false; 6];
        for (r, &h) in SNAP_RATES.iter().enumerate() {
            let o = offset_at(h, t, v);
            // Largest tolerance, plus slack for the float rounding of `fit`.
            let tol = (h * (0.1 + 1e-4 * span_s)).max(2.0) as u64 + 4;
            let tol = tol.min(u32::MAX as u64 / 2) as u32;
            let (lo, hi) = (o.wrapping_sub(tol), o.wrapping_add(tol));
            let r = r as u8;
            let chance = lines.len() as f64 * 2.0 * tol as f64 / 4_294_967_296.0;
            allowed[r as usize] = chance < CHANCE_LIMIT;
            let kinds: &[u8] = if chance < CHANCE_LIMIT { &[0, 1] } else { &[1] };
            for &k in kinds {
                let mut take = |a: u32, b: u32| {
                    for &(_, _, _, li) in self.by_offset.range((r, k, a, 0)..=(r, k, b, u32::MAX)) {
                        out.push(li as usize);
                    }
                };
                if lo <= hi {
                    take(lo, hi);
                } else {
                    take(lo, u32::MAX);
                    take(0, hi);
                }
            }
        }
        out.extend(self.odd.iter().rev().take(RECENT_SCAN));
        if own.is_some_and(|h| rate_index(h).is_none()) {
            out.extend(self.unknown.iter().rev().take(RECENT_SCAN));
        }
        out.retain(|&li| li < lines.len());
        out.sort_unstable();
        out.dedup();
        allowed
    }
}

/// Lower-envelope skew (ppm), with ≥ 10 min of data and a known rate.
fn skew(l: &Line) -> Option<f64> {
    let hz = l.hz?;
    if l.span_ns() < SKEW_MIN_SPAN_NS || hz <= 0.0 {
        return None;
    }
    let mut pts: Vec<(f64, f64)> = l
        .points
        .iter()
        .map(|&(t, u)| {
            let x = t.saturating_sub(l.anchor_ns) as f64 / 1e9;
            (x, x - u as f64 / hz)
        })
        .collect();
    pts.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(core::cmp::Ordering::Equal));
    let mut hull: Vec<(f64, f64)> = Vec::new();
    for p in pts {
        while hull.len() >= 2 {
            let (a, b) = (hull[hull.len() - 2], hull[hull.len() - 1]);
            // Keep only counter-clockwise turns (lower hull).
            if (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0) <= 0.0 {
                hull.pop();
            } else {
                break;
            }
        }
        hull.push(p);
    }
    let n = l.points.len() as f64;
    let mean = l
        .points
        .iter()
        .map(|&(t, _)| t.saturating_sub(l.anchor_ns) as f64 / 1e9)
        .sum::<f64>()
        / n;
    let edge = hull.windows(2).find(|w| w[0].0 <= mean && mean <= w[1].0)?;
    let dx = edge[1].0 - edge[0].0;
    if dx <= 0.0 {
        return None;
    }
    // y = t − TSval/Hz falls when the TS clock is fast.
    Some(-(edge[1].1 - edge[0].1) / dx * 1e6)
}

/// The NAT / per-connection rule (documented in the module docs). A host
/// talking to itself (loopback, or one address on both sides) passes no
/// NAT: several lines there are never called NAT.
pub(crate) fn classify(
    lines: &[Line],
    client: IpAddr,
    server: IpAddr,
) -> (ClockClass, Option<f64>) {
    if lines.is_empty() {
        return (ClockClass::NoTimestamps, None);
    }
    if lines.len() == 1 {
        return (ClockClass::OneClock, None);
    }
    let total: usize = lines.iter().map(|l| l.flows.len()).sum();
    let reused: Vec<&Line> = lines.iter().filter(|l| l.flows.len() >= 2).collect();
    let on_reused: usize = reused.iter().map(|l| l.flows.len()).sum();
    let no_nat_possible = client == server || client.is_loopback();
    if reused.len() >= 2 && on_reused * 2 >= total && !no_nat_possible {
        let rates: Vec<f64> = reused.iter().filter_map(|l| l.hz).collect();
        let skews: Vec<f64> = reused.iter().filter_map(|l| l.skew_ppm).collect();
        let spread = |v: &[f64]| {
            let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            hi - lo
        };
        let rate_differs =
            rates.len() >= 2 && spread(&rates) > 0.02 * rates.iter().cloned().fold(0.0, f64::max);
        let dskew = if skews.len() == reused.len() {
            Some(spread(&skews))
        } else {
            None
        };
        let class = match dskew {
            _ if rate_differs => ClockClass::NatDifferentMachines,
            Some(s) if s >= 2.0 => ClockClass::NatDifferentMachines,
            Some(_) if rates.len() == reused.len() => ClockClass::NatSameHost,
            _ => ClockClass::Nat,
        };
        return (class, dskew);
    }
    if reused.is_empty() || reused.len() * 3 < lines.len() {
        return (ClockClass::PerConnectionOffsets, None);
    }
    (ClockClass::Undetermined, None)
}
