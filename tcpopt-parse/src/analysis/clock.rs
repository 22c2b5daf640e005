//! TSval clock lines per (client address, server address).
//!
//! Built at the end from per-flow summaries, flows taken in order of their
//! first client TSval. A flow is compared with a line at the line's point
//! nearest in time before its first TSval (and checked against the nearest
//! one after), under the line's rate or, while that is unknown, any snap
//! rate (10, 100, 250, 300, 1000, 10^6 Hz) or the flow's own rate:
//! - **tight fit**: `|TSval − (v_P + Hz·Δt)| ≤ Hz·(0.2 s + 5e−4·|Δt|)`
//!   (at least 2 ticks): delay jitter (Windows SYNs carry TSvals up to
//!   150 ms stale, suricata-verify dcerpc/zerologon) plus ±500 ppm of drift (macOS drifts
//!   −200 ppm against NTP-disciplined capture clocks);
//! - **pause fit**, only when no line fits tightly and Δt ≥ 1 s: the TSval
//!   advanced between 0 and `Hz·Δt` plus the tolerance. A clock that stops
//!   while the machine sleeps (Linux `CLOCK_MONOTONIC` on a suspended
//!   phone or laptop) loses time between connections, never gains it.
//!
//! Values are unwrapped against the prediction, so a 1 µs clock wrapping
//! every 71.6 min stays one line.
//!
//! **Chance.** Flows of hosts with per-connection offsets carry random
//! TSvals; one falls into a window of W ticks of some line with
//! probability `lines · rates · W / 2^32`. Every join records that
//! probability; a line of k connections is *significant* only when the
//! expected number of such lines arising by chance over all `trials` TS
//! connections of the capture, `trials · Π p_j`, stays below
//! [`CHANCE_ALPHA`]. Only significant lines count as a reused clock (NAT,
//! TS-06) or carry a measured rate (TS-08), whatever the connection count:
//! a million per-connection-offset connections give none, a few real
//! clocks reused by thousands give exactly them.
//!
//! Rate: the TSval advance over the capture time of consecutive points less
//! than 60 s apart (long gaps may hold pauses), once they add up to ≥ 2 s,
//! snapped when within 2 %. Offset: `TSval − Hz·t (mod 2^32)`, t in seconds
//! since the epoch. Skew: with ≥ 10 min of data, the slope of the lower
//! envelope of `(t, t − TSval/Hz)` (delay only adds, so the envelope is the
//! delay-free line), taken as the hull edge over the mean time (the
//! linear-programming fit of Moon et al. / Kohno et al.); reported in ppm,
//! positive when the TS clock runs fast against the capture clock. Lines
//! that needed a pause fit have no single skew and report none.
//! Per-flow points are decimated to 16, so skew is an approximation.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::net::IpAddr;

use super::config::{RATE_MIN_SPAN_NS, SKEW_MIN_SPAN_NS, SNAP_RATES};
use super::finding::{ClockClass, Confidence};
use super::flow::{Flow, C2S};
use super::serial;

/// The expected number of chance-made clock lines a capture may show.
pub const CHANCE_ALPHA: f64 = 0.01;

/// A clock line under construction / finished.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub anchor_tsval: u32,
    pub anchor_ns: i64,
    pub first_frame: u64,
    /// The latest point (by capture time).
    pub last_ns: i64,
    /// Unwrapped TSval at `last_ns`, relative to the anchor.
    pub last_u: i64,
    pub min_ns: i64,
    pub max_ns: i64,
    pub hz: Option<f64>,
    pub snapped: bool,
    pub flows: Vec<usize>,
    /// The first client TS frame of each of `flows` (the evidence).
    pub frames: Vec<u64>,
    /// (capture ns, unwrapped TSval), sorted by time.
    pub points: Vec<(i64, i64)>,
    pub flow_rates: Vec<f64>,
    pub skew_ppm: Option<f64>,
    /// Σ ln(p) of the joins: the chance that random offsets made this line.
    pub ln_chance: f64,
    /// Joins accepted only as a clock pause.
    pub pauses: u32,
    /// Earliest and latest first-TSval time of the member flows.
    pub start_min: i64,
    pub start_max: i64,
    /// First-TSval time of each of `flows`.
    pub starts: Vec<i64>,
    /// Set by [`build_lines`]: reused and unlikely to be chance.
    pub significant: bool,
}

/// (capture ns, unwrapped TSval relative to the line's anchor).
type Point = (i64, i64);

const MAX_LINE_POINTS: usize = 2048;
/// Gaps longer than this may hold a pause: not used for the rate.
const RATE_GAP_NS: i64 = 60_000_000_000;

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

/// The tolerance of a tight fit (ticks) over `dt` seconds at `h` Hz.
fn tolerance(h: f64, dt: f64) -> f64 {
    let t = h * (0.2 + 5e-4 * fabs(dt));
    if t < 2.0 {
        2.0
    } else {
        t
    }
}

/// How a flow fits a line.
#[derive(Clone, Copy, Debug)]
struct Fit {
    /// |error| / tolerance (tight), or 1 + window/2^32 (pause): lower wins.
    score: f64,
    /// Unwrapped value relative to the line's anchor.
    u: i64,
    /// Width of the acceptance window (ticks), for the chance.
    window: f64,
    pause: bool,
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

    /// The points nearest before and after `t`.
    fn around(&self, t: i64) -> (Option<Point>, Option<Point>) {
        let i = self.points.partition_point(|p| p.0 <= t);
        let before = i.checked_sub(1).and_then(|k| self.points.get(k)).copied();
        (before, self.points.get(i).copied())
    }

    /// Unwraps `v` against the prediction from point `p` under rate `h`:
    /// (error in ticks, unwrapped value, Δt in s).
    fn against(&self, p: Point, h: f64, t: i64, v: u32) -> (i64, i64, f64) {
        let dt = t.saturating_sub(p.0) as f64 / 1e9;
        let pred = (h * dt) as i64;
        let pv = self.anchor_tsval.wrapping_add(p.1 as u32);
        let d = serial::diff(v, pv) as i64;
        let err = serial::wrap_i64(d - pred);
        (err, p.1 + pred + err, dt)
    }

    /// How a sample `(t, v)` fits under rate `h`, if at all.
    fn fit(&self, h: f64, t: i64, v: u32) -> Option<Fit> {
        let (before, after) = self.around(t);
        let p = before.or(after)?;
        let (err, u, dt) = self.against(p, h, t, v);
        let tol = tolerance(h, dt);
        // The point after must not be contradicted either (a flow cannot
        // sit on a line it runs ahead of).
        let after_ok = |u: i64| match (before, after) {
            (Some(_), Some(a)) => {
                let dta = a.0.saturating_sub(t) as f64 / 1e9;
                let ahead = (a.1 - u) as f64;
                ahead >= -tolerance(h, dta) && ahead <= h * dta + tolerance(h, dta)
            }
            _ => true,
        };
        if fabs(err as f64) <= tol && after_ok(u) {
            return Some(Fit {
                score: fabs(err as f64) / tol,
                u,
                window: 2.0 * tol,
                pause: false,
            });
        }
        // A pause: the clock advanced less than the capture clock.
        let pred = h * dt;
        let advanced = (u - p.1) as f64;
        if before.is_some()
            && dt >= 1.0
            && advanced >= -tol
            && advanced <= pred + tol
            && after_ok(u)
        {
            let window = pred + 2.0 * tol;
            return Some(Fit {
                score: 1.0 + window / 4_294_967_296.0,
                u,
                window,
                pause: true,
            });
        }
        None
    }

    fn add_point(&mut self, t: i64, u: i64) {
        if t < self.min_ns {
            self.min_ns = t;
        }
        if t >= self.max_ns {
            self.max_ns = t;
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
        let i = self.points.partition_point(|p| p.0 <= t);
        self.points.insert(i, (t, u));
    }

    fn refresh_rate(&mut self) {
        let (mut du, mut dt) = (0i64, 0i64);
        for w in self.points.windows(2) {
            let (a, b) = (w[0], w[1]);
            let gap = b.0.saturating_sub(a.0);
            if gap > 0 && gap <= RATE_GAP_NS {
                du = du.saturating_add(b.1 - a.1);
                dt = dt.saturating_add(gap);
            }
        }
        if dt >= RATE_MIN_SPAN_NS && du > 0 {
            let (hz, snapped) = snap(du as f64 * 1e9 / dt as f64);
            self.hz = Some(hz);
            self.snapped = snapped;
        }
    }
}

/// What the clustering needs of one finished flow whose client sent
/// TSvals (probes excluded): its first and last client sample, its own
/// rate, and the interior samples only of flows spanning at least
/// [`KEEP_POINTS_SPAN_NS`] (a long flow's points carry the skew; a short
/// flow's interior adds nothing its two ends do not). 72 bytes per short
/// flow instead of the whole flow: the analyzer keeps one per retired flow
/// in its pair, and the clustering runs once at the end over them.
#[derive(Clone, Debug)]
pub(crate) struct ClockRec {
    /// Flow id.
    pub id: u32,
    pub first_frame: u64,
    pub first_ns: i64,
    pub first_tsval: u32,
    pub last_ns: i64,
    /// Last TSval unwrapped, relative to the first.
    pub unwrapped: i64,
    /// The flow's own rate over ≥ 2 s.
    pub own_rate: Option<f64>,
    pub points: Option<alloc::boxed::Box<[(i64, i64)]>>,
}

/// Flows spanning this long keep their decimated interior samples.
pub(crate) const KEEP_POINTS_SPAN_NS: i64 = 60_000_000_000;

impl ClockRec {
    /// The record of a finished flow, None when its client sent no TSval
    /// or it is a probe.
    pub fn of(f: &Flow) -> Option<ClockRec> {
        let c = &f.dir[C2S];
        if f.probe.is_some() || !c.has_ts() {
            return None;
        }
        let long = c.last_ns.saturating_sub(c.first_ns) >= KEEP_POINTS_SPAN_NS;
        Some(ClockRec {
            id: f.id,
            first_frame: c.first_frame,
            first_ns: c.first_ns,
            first_tsval: c.first_tsval,
            last_ns: c.last_ns,
            unwrapped: c.unwrapped,
            own_rate: c.own_rate(RATE_MIN_SPAN_NS),
            points: long.then(|| f.points.as_slice().into()),
        })
    }
}

/// Clusters the records of one pair into lines (`Line::flows` holds ids).
/// `trials` is the number of TS connections of the whole capture (the
/// chance that some line arose from random offsets grows with it).
pub(crate) fn build_lines(recs: &[ClockRec], trials: usize) -> Vec<Line> {
    let mut order: Vec<&ClockRec> = recs.iter().collect();
    // Flow ids follow the first frame: the same order as (first_ns, frame).
    order.sort_by_key(|r| (r.first_ns, r.id));
    let mut lines: Vec<Line> = Vec::new();
    let mut index = LineIndex::default();
    // The widest tolerance any fit can have here: the whole pair's span.
    let span_s = order
        .iter()
        .map(|r| r.last_ns)
        .max()
        .unwrap_or(0)
        .saturating_sub(order.first().map(|r| r.first_ns).unwrap_or(0)) as f64
        / 1e9;
    let mut candidates: Vec<usize> = Vec::new();
    for c in order {
        let own = c.own_rate.map(|r| snap(r).0);
        let (t0, v0) = (c.first_ns, c.first_tsval);
        let mut best: Option<(Fit, usize)> = None;
        let mut rates_tried = 0usize;
        let allowed = index.candidates(&lines, t0, v0, own, span_s, &mut candidates);
        for &li in candidates.iter() {
            let Some(l) = lines.get(li) else { continue };
            let mut try_rate = |h: f64| {
                if let Some(fit) = l.fit(h, t0, v0) {
                    if best.map(|b| fit.score < b.0.score).unwrap_or(true) {
                        best = Some((fit, li));
                    }
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
        for (ok, _) in allowed.iter().zip(SNAP_RATES.iter()) {
            rates_tried += usize::from(*ok);
        }
        let (li, base) = match best {
            Some((fit, li)) => {
                // Chance that a random TSval fits some line this well.
                let p =
                    lines.len() as f64 * (rates_tried.max(1) as f64) * fit.window / 4_294_967_296.0;
                if let Some(l) = lines.get_mut(li) {
                    l.ln_chance += if p < 1.0 { libm_ln(p) } else { 0.0 };
                    l.pauses += u32::from(fit.pause);
                }
                (li, fit.u)
            }
            None => {
                lines.push(Line {
                    anchor_tsval: v0,
                    anchor_ns: t0,
                    first_frame: c.first_frame,
                    last_ns: t0,
                    last_u: 0,
                    min_ns: t0,
                    max_ns: t0,
                    hz: None,
                    snapped: false,
                    flows: Vec::new(),
                    frames: Vec::new(),
                    points: Vec::new(),
                    flow_rates: Vec::new(),
                    skew_ppm: None,
                    ln_chance: 0.0,
                    pauses: 0,
                    start_min: t0,
                    start_max: t0,
                    starts: Vec::new(),
                    significant: false,
                });
                (lines.len() - 1, 0)
            }
        };
        index.remove(li);
        let Some(l) = lines.get_mut(li) else { continue };
        l.flows.push(c.id as usize);
        l.frames.push(c.first_frame);
        l.first_frame = l.first_frame.min(c.first_frame);
        l.starts.push(t0);
        l.start_min = l.start_min.min(t0);
        l.start_max = l.start_max.max(t0);
        l.add_point(t0, base);
        for &(t, u) in c.points.as_deref().unwrap_or(&[]) {
            l.add_point(t, base + u);
        }
        l.add_point(c.last_ns, base + c.unwrapped);
        if let Some(r) = c.own_rate {
            l.flow_rates.push(r);
        }
        l.refresh_rate();
        index.insert(li, l);
    }
    let ln_alpha = libm_ln(CHANCE_ALPHA / trials.max(1) as f64);
    for l in lines.iter_mut() {
        l.significant = l.flows.len() >= 2 && l.ln_chance <= ln_alpha;
        l.skew_ppm = if l.pauses == 0 { skew(l) } else { None };
        // Most lines of a busy pair with per-connection offsets hold one
        // flow; their vectors were grown to 4 by the first push.
        l.flows.shrink_to_fit();
        l.frames.shrink_to_fit();
        l.points.shrink_to_fit();
        l.flow_rates.shrink_to_fit();
        l.starts.shrink_to_fit();
    }
    lines
}

/// Natural logarithm for `no_std` (no libm dependency): exponent and a
/// series on the mantissa; accurate to ~1e-12, plenty for a chance bound.
fn libm_ln(x: f64) -> f64 {
    if x <= 0.0 || x.is_nan() {
        return f64::NEG_INFINITY;
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    if exp == 0 {
        // Subnormal: far below any bound that matters.
        return -745.0;
    }
    let e = exp - 1023;
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    // ln(m) for m in [1, 2): 2·atanh((m−1)/(m+1)).
    let z = (m - 1.0) / (m + 1.0);
    let z2 = z * z;
    let mut term = z;
    let mut sum = 0.0;
    let mut k = 1.0;
    while k < 60.0 {
        sum += term / k;
        term *= z2;
        k += 2.0;
    }
    2.0 * sum + e as f64 * core::f64::consts::LN_2
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
    /// Lines in the order they were last extended (the last few matter).
    recent: Vec<usize>,
    /// Per line: [`KIND_ODD`], [`KIND_UNKNOWN`] or [`KIND_NONE`].
    kind: Vec<u8>,
}

const KIND_NONE: u8 = 0;
const KIND_ODD: u8 = 1;
const KIND_UNKNOWN: u8 = 2;

/// How many odd-rate or unknown-rate lines an unsnapped rate is tried against.
const RECENT_SCAN: usize = 256;

/// How many of the most recently extended lines are tried for a pause fit.
const PAUSE_SCAN: usize = 16;

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
        // `odd` and `unknown` keep stale entries (removing from them was
        // quadratic); `kind` says which are current.
        if let Some(k) = self.kind.get_mut(li) {
            *k = KIND_NONE;
        }
        if let Some(k) = self.recent.iter().rposition(|&x| x == li) {
            self.recent.remove(k);
        }
    }

    fn insert(&mut self, li: usize, l: &Line) {
        if self.keys.len() <= li {
            self.keys.resize_with(li + 1, Vec::new);
            self.kind.resize(li + 1, KIND_NONE);
        }
        let last_v = l.anchor_tsval.wrapping_add(l.last_u as u32);
        let mut keys = Vec::new();
        match l.hz {
            Some(h) => match rate_index(h) {
                Some(r) => keys.push((r, 1, offset_at(h, l.last_ns, last_v))),
                None => {
                    self.odd.push(li);
                    self.kind[li] = KIND_ODD;
                }
            },
            None => {
                for (r, &h) in SNAP_RATES.iter().enumerate() {
                    keys.push((r as u8, 0, offset_at(h, l.last_ns, last_v)));
                }
                self.unknown.push(li);
                self.kind[li] = KIND_UNKNOWN;
            }
        }
        for &(r, k, o) in &keys {
            self.by_offset.insert((r, k, o, li as u32));
        }
        self.recent.push(li);
        if self.recent.len() > 4 * PAUSE_SCAN {
            self.recent.drain(..self.recent.len() - PAUSE_SCAN);
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
            let tol = tolerance(h, span_s) as u64 + 4;
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
        let kind = |k: u8| move |&&x: &&usize| self.kind.get(x) == Some(&k);
        out.extend(
            self.odd
                .iter()
                .rev()
                .filter(kind(KIND_ODD))
                .take(RECENT_SCAN),
        );
        // A pause fit cannot be looked up by offset: the lines used last.
        out.extend(self.recent.iter().rev().take(PAUSE_SCAN));
        if own.is_some_and(|h| rate_index(h).is_none()) {
            out.extend(
                self.unknown
                    .iter()
                    .rev()
                    .filter(kind(KIND_UNKNOWN))
                    .take(RECENT_SCAN),
            );
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

/// The verdict on one pair's lines.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Verdict {
    pub class: ClockClass,
    pub skew_difference_ppm: Option<f64>,
    pub confidence: Confidence,
    pub interleaved: u32,
}

impl Verdict {
    const fn of(class: ClockClass) -> Self {
        Verdict {
            class,
            skew_difference_ppm: None,
            confidence: Confidence::Medium,
            interleaved: 0,
        }
    }
}

/// Flows of `a` that started while `b` was in use (between its first and
/// its last connection's start).
fn started_inside(a: &Line, b: &Line) -> u32 {
    a.starts
        .iter()
        .filter(|&&t| t > b.start_min && t < b.start_max)
        .count() as u32
}

/// The NAT / per-connection rule. NAT needs positive evidence: two
/// significant reused lines in use at the same time (a connection of each
/// starts while the other line is in use). Reused lines that only follow
/// one another are one host whose clock restarted, slept or changed offset.
/// A host talking to itself (loopback, or one address on both sides) passes
/// no NAT: several lines there are never called NAT.
pub(crate) fn classify(lines: &[Line], client: IpAddr, server: IpAddr) -> Verdict {
    if lines.is_empty() {
        return Verdict::of(ClockClass::NoTimestamps);
    }
    if lines.len() == 1 {
        return Verdict::of(ClockClass::OneClock);
    }
    let total: usize = lines.iter().map(|l| l.flows.len()).sum();
    let reused: Vec<&Line> = lines.iter().filter(|l| l.significant).collect();
    let on_reused: usize = reused.iter().map(|l| l.flows.len()).sum();
    // Lines that are not significant count as one line per connection.
    let effective_lines = reused.len() + (total - on_reused);
    let no_nat_possible = client == server || client.is_loopback();
    // Interleaving between every two reused lines.
    let mut nat_lines: BTreeSet<usize> = BTreeSet::new();
    let (mut interleaved, mut strong_pairs) = (0u32, 0u32);
    for (x, a) in reused.iter().enumerate() {
        for (y, b) in reused.iter().enumerate().skip(x + 1) {
            let (ab, ba) = (started_inside(a, b), started_inside(b, a));
            // Both ways: one stray connection on a second line proves nothing.
            if ab > 0 && ba > 0 {
                nat_lines.insert(x);
                nat_lines.insert(y);
                interleaved += ab + ba;
                if ab >= 2 && ba >= 2 {
                    strong_pairs += 1;
                }
            }
        }
    }
    if reused.len() >= 2 && !no_nat_possible && !nat_lines.is_empty() && on_reused * 2 >= total {
        let nat: Vec<&Line> = nat_lines
            .iter()
            .filter_map(|&k| reused.get(k).copied())
            .collect();
        let rates: Vec<f64> = nat.iter().filter_map(|l| l.hz).collect();
        let skews: Vec<f64> = nat.iter().filter_map(|l| l.skew_ppm).collect();
        let spread = |v: &[f64]| {
            let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            hi - lo
        };
        let rate_differs =
            rates.len() >= 2 && spread(&rates) > 0.02 * rates.iter().cloned().fold(0.0, f64::max);
        let dskew = if skews.len() == nat.len() {
            Some(spread(&skews))
        } else {
            None
        };
        let class = match dskew {
            _ if rate_differs => ClockClass::NatDifferentMachines,
            Some(s) if s >= 2.0 => ClockClass::NatDifferentMachines,
            Some(_) if rates.len() == nat.len() => ClockClass::NatSameHost,
            _ => ClockClass::Nat,
        };
        let confidence = if strong_pairs >= 1 && nat.iter().all(|l| l.flows.len() >= 3) {
            Confidence::High
        } else {
            Confidence::Medium
        };
        return Verdict {
            class,
            skew_difference_ppm: dskew,
            confidence,
            interleaved,
        };
    }
    if reused.len() >= 2 && on_reused * 2 >= total {
        return Verdict::of(if no_nat_possible {
            ClockClass::Undetermined
        } else {
            ClockClass::SequentialClocks
        });
    }
    if reused.len() == 1 && on_reused * 2 >= total {
        return Verdict::of(ClockClass::OneClock);
    }
    if reused.is_empty() || reused.len() * 3 < effective_lines {
        return Verdict::of(ClockClass::PerConnectionOffsets);
    }
    Verdict::of(ClockClass::Undetermined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::Ipv4Addr;

    const MS: i64 = 1_000_000;
    const T0: i64 = 1_700_000_000_000_000_000;

    /// xorshift64*: reproducible random offsets without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    /// A short connection (shorter than the 2 s a rate needs, the hardest
    /// case: every snap rate is tried) whose client clock reads `v` at `t`
    /// and runs at `hz`.
    fn conn(client: Ipv4Addr, port: u16, t: i64, v: u32, hz: i64) -> Flow {
        let mut f = Flow::new(
            0,
            IpAddr::V4(client),
            port,
            IpAddr::V4(Ipv4Addr::new(198, 51, 100, 10)),
            80,
            0,
        );
        for (k, dt) in [0, 40 * MS, 90 * MS].into_iter().enumerate() {
            let ticks = (dt as i128 * hz as i128 / 1_000_000_000) as u32;
            let u = f.dir[C2S].record_ts(v.wrapping_add(ticks), k as u64 + 1, t + dt);
            f.points.push(t + dt, u);
        }
        f
    }

    fn lines_of(flows: &mut [Flow], trials: usize) -> (Vec<Line>, Verdict) {
        let recs: Vec<ClockRec> = flows
            .iter_mut()
            .enumerate()
            .filter_map(|(i, f)| {
                f.id = i as u32;
                ClockRec::of(f)
            })
            .collect();
        let lines = build_lines(&recs, trials);
        let (c, s) = (flows[0].client, flows[0].server);
        let v = classify(&lines, c, s);
        (lines, v)
    }

    /// 1,000,000 connections from 64 addresses whose hosts pick a new TSval
    /// offset per connection (1 ms apart per address, so 15.6 s of traffic
    /// each): no significant line, no NAT, and no line rate that is not one
    /// connection's own. Pairs are built one after another (the chance bound
    /// counts all 1,000,000 connections) to keep the test's memory small.
    #[test]
    fn a_million_per_connection_offsets_make_no_clock_line() {
        const PAIRS: u32 = 64;
        const PER_PAIR: u32 = 15_625;
        let trials = (PAIRS * PER_PAIR) as usize;
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut joined = 0usize;
        for p in 0..PAIRS {
            let client = Ipv4Addr::new(203, 0, 113, p as u8);
            let mut flows: Vec<Flow> = (0..PER_PAIR)
                .map(|k| {
                    let hz = [100, 250, 1000][(rng.next() % 3) as usize];
                    let t = T0 + k as i64 * MS;
                    conn(client, 1024 + (k % 60_000) as u16, t, rng.next() as u32, hz)
                })
                .collect();
            let (lines, v) = lines_of(&mut flows, trials);
            assert!(
                lines.iter().all(|l| !l.significant),
                "pair {p}: a significant line from random offsets"
            );
            assert_eq!(v.class, ClockClass::PerConnectionOffsets, "pair {p}");
            joined += lines.iter().filter(|l| l.flows.len() > 1).count();
        }
        // Chance joins may happen (and are then not significant); they stay rare.
        assert!(joined < trials / 100, "{joined} chance joins");
    }

    /// 64 NAT addresses with three real clocks each (1 kHz, jitter up to
    /// 20 ms, drift up to ±200 ppm), 3,000 interleaved connections per
    /// address: exactly the three clocks, each significant, called NAT with
    /// high confidence, even with the chance bound of a 1,000,000-connection
    /// capture.
    #[test]
    fn nat_addresses_with_three_clocks_give_exactly_them() {
        let mut rng = Rng(42);
        for p in 0..64u8 {
            let client = Ipv4Addr::new(192, 0, 2, p);
            let clocks: Vec<(u32, f64)> = (0..3)
                .map(|_| {
                    (
                        rng.next() as u32,
                        1.0 + ((rng.next() % 401) as f64 - 200.0) * 1e-6,
                    )
                })
                .collect();
            let mut truth = Vec::new();
            let mut flows: Vec<Flow> = (0..3000u32)
                .map(|k| {
                    let c = (rng.next() % 3) as usize;
                    truth.push(c);
                    let t = T0 + k as i64 * 7 * MS;
                    let (off, rate) = clocks[c];
                    let jitter = (rng.next() % 20) as i64 * MS;
                    let ticks = ((t - T0 - jitter) as f64 * rate / 1e6) as i64;
                    conn(
                        client,
                        1024 + k as u16,
                        t,
                        off.wrapping_add(ticks as u32),
                        1000,
                    )
                })
                .collect();
            let (lines, v) = lines_of(&mut flows, 1_000_000);
            let sig: Vec<&Line> = lines.iter().filter(|l| l.significant).collect();
            assert_eq!(sig.len(), 3, "pair {p}: {} significant lines", sig.len());
            for l in &sig {
                let c = truth[l.flows[0]];
                assert!(
                    l.flows.iter().all(|&i| truth[i] == c),
                    "pair {p}: a line mixes clocks"
                );
                assert_eq!(l.hz, Some(1000.0), "pair {p}");
            }
            assert_eq!(sig.iter().map(|l| l.flows.len()).sum::<usize>(), 3000);
            assert!(v.class.is_nat(), "pair {p}: {:?}", v.class);
            assert_eq!(v.confidence, Confidence::High);
        }
    }

    /// One host whose clock stops while it sleeps (an Android phone), with
    /// connections before and after: one line, not NAT.
    #[test]
    fn a_clock_that_pauses_stays_one_line() {
        let client = Ipv4Addr::new(10, 0, 0, 2);
        let mut flows = Vec::new();
        let mut v: u32 = 4_000_000_000;
        let mut t = T0;
        for k in 0..12u16 {
            flows.push(conn(client, 40_000 + k, t, v, 1000));
            // Awake 5 s, then asleep 10 min (the clock does not advance).
            t += 5_000 * MS;
            v = v.wrapping_add(5_000);
            if k % 4 == 3 {
                t += 600_000 * MS;
            }
        }
        let (lines, v) = lines_of(&mut flows, 12);
        assert_eq!(lines.len(), 1, "{} lines", lines.len());
        assert!(lines[0].significant);
        assert_eq!(v.class, ClockClass::OneClock);
    }

    /// Reused lines that follow one another (a reboot gives a new offset):
    /// not NAT.
    #[test]
    fn lines_one_after_another_are_not_nat() {
        let client = Ipv4Addr::new(10, 0, 0, 3);
        let mut flows = Vec::new();
        for (k, off) in [
            (0u16, 5_000u32),
            (1, 5_000),
            (2, 5_000),
            (3, 9_000_000),
            (4, 9_000_000),
            (5, 9_000_000),
        ] {
            let t = T0 + k as i64 * 3_000 * MS;
            let v = off.wrapping_add((k as u32) * 3_000);
            flows.push(conn(client, 40_000 + k, t, v, 1000));
        }
        let (lines, v) = lines_of(&mut flows, 6);
        assert_eq!(lines.iter().filter(|l| l.significant).count(), 2);
        assert_eq!(v.class, ClockClass::SequentialClocks);
    }

    #[test]
    fn ln_matches_known_values() {
        for (x, want) in [
            (1.0, 0.0),
            (core::f64::consts::E, 1.0),
            (1e-8, -18.420_680_743_952_367),
        ] {
            assert!(fabs(libm_ln(x) - want) < 1e-9, "ln({x})");
        }
    }
}
