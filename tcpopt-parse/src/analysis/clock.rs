//! TSval clock lines per (client address, server address).
//!
//! Built from per-flow summaries (`ClockRec`) as flows retire, taken in
//! order of their first client TSval (`cluster` owns that order and what
//! is kept of old lines). A flow is compared with a line at the line's point
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

use smallvec::SmallVec;

use super::config::{RATE_MIN_SPAN_NS, SKEW_MIN_SPAN_NS, SNAP_RATES};
use super::finding::{ClockClass, Confidence};
use super::flow::{Flow, C2S};
use super::offsets::OffsetIndex;
use super::report::FlowReport;
use super::serial;

/// The expected number of chance-made clock lines a capture may show.
pub const CHANCE_ALPHA: f64 = 0.01;

/// A clock line under construction / finished.
///
/// `repr(C)`, with what ordering the candidates and a `fit` read first:
/// a busy capture's lines are cold when a record is tried against them,
/// and these fields then come in one or two cache lines of the 0.6 KB
/// instead of four.
#[derive(Clone, Debug)]
#[repr(C)]
pub(crate) struct Line {
    /// Creation number within its pair: the lines' order in the report.
    pub seq: u64,
    /// The latest point (by capture time).
    pub last_ns: i64,
    /// Unwrapped TSval at `last_ns`, relative to the anchor.
    pub last_u: i64,
    pub hz: Option<f64>,
    pub anchor_tsval: u32,
    /// Connections on the line (`frames` and `flows` keep the earliest of
    /// them by frame, as many as [`LineCaps`] says).
    pub connections: u32,
    /// (capture ns, unwrapped TSval), sorted by time.
    pub points: SmallVec<[(i64, i64); 2]>,
    pub anchor_ns: i64,
    pub first_frame: u64,
    pub min_ns: i64,
    pub max_ns: i64,
    pub snapped: bool,
    pub flows: SmallVec<[usize; 1]>,
    /// The first client TS frame of each of `flows` (the evidence).
    pub frames: SmallVec<[u64; 1]>,
    /// The reports of the earliest [`LINE_REPORTS`] connections by frame:
    /// the flows a finding about the line names (the report lists them).
    pub reports: SmallVec<[FlowReport; 1]>,
    /// The member connections' own rates (the first [`MAX_FLOW_RATES`];
    /// `rate_range` spans them all).
    pub flow_rates: Vec<f64>,
    pub rate_range: Option<(f64, f64)>,
    pub skew_ppm: Option<f64>,
    /// Σ ln(p) of the joins: the chance that random offsets made this line.
    pub ln_chance: f64,
    /// Joins accepted only as a clock pause.
    pub pauses: u32,
    /// Earliest and latest first-TSval time of the member flows.
    pub start_min: i64,
    pub start_max: i64,
    /// First-TSval times of member flows, sorted, as (time, connections):
    /// one each up to [`MAX_LINE_STARTS`], then neighbours are merged, the
    /// later time standing for both (counts stay exact, times coarsen).
    pub starts: SmallVec<[(i64, u32); 1]>,
    /// Set at the end: reused and unlikely to be chance.
    pub significant: bool,
    /// Points when the rate was last measured.
    rate_points: u32,
}

/// Connections per line a finding names with their flow report.
pub(crate) const LINE_REPORTS: usize = 4;

/// What a line lists of its connections (earliest by frame): the frames
/// of findings (`Config::max_evidence_frames`) and the flow ids of the
/// report's clock lines. The clustering of a whole capture keeps fewer
/// flow ids than frames (a busy capture has thousands of lines of
/// thousands of connections); a test keeps everything.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LineCaps {
    pub frames: usize,
    pub flows: usize,
}

/// Own rates kept per line (a rate change is told by `rate_range` beyond).
pub(crate) const MAX_FLOW_RATES: usize = 256;
/// Start times kept per line before they are decimated.
const MAX_LINE_STARTS: usize = 256;

/// (capture ns, unwrapped TSval relative to the line's anchor).
type Point = (i64, i64);

/// Points kept per line before they are decimated (4 KB: a busy capture
/// has thousands of lines of thousands of connections).
const MAX_LINE_POINTS: usize = 256;
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
pub(crate) struct Fit {
    /// |error| / tolerance (tight), or 1 + window/2^32 (pause): lower wins.
    pub score: f64,
    /// Unwrapped value relative to the line's anchor.
    pub u: i64,
    /// Width of the acceptance window (ticks), for the chance.
    pub window: f64,
    pub pause: bool,
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
        // The latest point is (last_ns, last_u) (`add_point`; decimation
        // keeps the last of an even count): a sample after it needs no
        // search of the points, which a busy capture's fits would fetch
        // from memory cold.
        if t >= self.last_ns && !self.points.is_empty() {
            return (Some((self.last_ns, self.last_u)), None);
        }
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
    pub(crate) fn fit(&self, h: f64, t: i64, v: u32) -> Option<Fit> {
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
        let i = after_last(&self.points, |p| p.0 <= t);
        self.points.insert(i, (t, u));
    }

    /// Measures the rate while it is unknown or the line has at most 128
    /// points (so short lines are measured as before), then
    /// again each time the points changed by an eighth: a line of
    /// thousands of connections would otherwise rescan its 256 points
    /// per connection.
    fn refresh_rate(&mut self) {
        let n = self.points.len() as u32;
        if self.hz.is_some() && n > 128 && n.abs_diff(self.rate_points) < self.rate_points / 8 {
            return;
        }
        self.rate_points = n;
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

/// `v.partition_point(pred)`, trying the end first: a line's vectors are
/// sorted by time or frame, and a joining connection is nearly always the
/// latest, so one look at the last element (a cold line's vectors are a
/// cache miss per probe of a binary search) usually settles it.
fn after_last<T>(v: &[T], pred: impl Fn(&T) -> bool) -> usize {
    match v.last() {
        Some(x) if pred(x) => v.len(),
        _ => v.partition_point(pred),
    }
}

impl Line {
    /// A new line of one connection, `c`.
    pub fn new(seq: u64, c: &mut ClockRec, caps: LineCaps) -> Line {
        let t0 = c.first_ns;
        let mut l = Line {
            seq,
            anchor_tsval: c.first_tsval,
            anchor_ns: t0,
            first_frame: c.first_frame,
            last_ns: t0,
            last_u: 0,
            min_ns: t0,
            max_ns: t0,
            hz: None,
            snapped: false,
            connections: 0,
            flows: SmallVec::new(),
            frames: SmallVec::new(),
            reports: SmallVec::new(),
            points: SmallVec::new(),
            flow_rates: Vec::new(),
            rate_range: None,
            skew_ppm: None,
            ln_chance: 0.0,
            pauses: 0,
            start_min: t0,
            start_max: t0,
            starts: SmallVec::new(),
            significant: false,
            rate_points: 0,
        };
        l.join(c, 0, caps);
        l
    }

    /// Adds connection `c`, whose first TSval unwraps to `base` on this
    /// line. Per-connection vectors are bounded: flows and frames keep the
    /// first `evidence_cap` (the report lists no more), start times are
    /// decimated, points are decimated (`add_point`).
    pub fn join(&mut self, c: &mut ClockRec, base: i64, caps: LineCaps) {
        let t0 = c.first_ns;
        let at = c
            .report
            .as_deref()
            .map(|r| after_last(&self.reports, |x| x.first_frame <= r.first_frame));
        if let Some(i) = at.filter(|&i| i < LINE_REPORTS) {
            // A streamed report goes on to the stream as well.
            // Moved out, not unboxed: the box goes back to the spares
            // (`cluster::Singles`).
            let r = if c.stream {
                c.report.as_deref().cloned()
            } else {
                c.report
                    .as_deref_mut()
                    .map(|b| core::mem::replace(b, FlowReport::moved_out()))
            };
            if let Some(mut r) = r {
                // One at a time: a `Vec` would make room for 4 reports
                // (1 KB) on the first, and most lines keep one.
                if self.reports.len() < LINE_REPORTS {
                    self.reports.reserve_exact(1);
                }
                r.clock_line = Some(self.seq as usize);
                self.reports.insert(i, r);
                self.reports.truncate(LINE_REPORTS);
            }
        }
        self.connections = self.connections.saturating_add(1);
        // The earliest connections by frame, whatever the order they join
        // in (a long flow's record comes late): `frames` sorted, `flows`
        // beside it.
        let i = after_last(&self.frames, |&f| f <= c.first_frame);
        if i < caps.frames {
            self.frames.insert(i, c.first_frame);
            self.frames.truncate(caps.frames);
        }
        if i < caps.flows {
            let at = i.min(self.flows.len());
            self.flows.insert(at, c.id as usize);
            self.flows.truncate(caps.flows);
        }
        self.first_frame = self.first_frame.min(c.first_frame);
        self.add_start(t0);
        self.start_min = self.start_min.min(t0);
        self.start_max = self.start_max.max(t0);
        self.add_point(t0, base);
        for &(t, u) in c.points.as_deref().unwrap_or(&[]) {
            self.add_point(t, base + u);
        }
        self.add_point(c.last_ns, base + c.unwrapped);
        if let Some(r) = c.own_rate {
            if self.flow_rates.len() < MAX_FLOW_RATES {
                self.flow_rates.push(r);
            }
            self.rate_range = Some(match self.rate_range {
                Some((lo, hi)) => (lo.min(r), hi.max(r)),
                None => (r, r),
            });
        }
        self.refresh_rate();
    }

    fn add_start(&mut self, t: i64) {
        if self.starts.len() >= MAX_LINE_STARTS {
            let merged: SmallVec<[(i64, u32); 1]> = self
                .starts
                .chunks(2)
                .map(|c| {
                    let t = c.last().map(|x| x.0).unwrap_or(0);
                    (t, c.iter().map(|x| x.1).fold(0u32, u32::saturating_add))
                })
                .collect();
            self.starts = merged;
        }
        let i = after_last(&self.starts, |s| s.0 <= t);
        self.starts.insert(i, (t, 1));
    }

    /// Member connections that started strictly between `lo` and `hi`
    /// (exact up to [`MAX_LINE_STARTS`] connections; then off by at most
    /// the merged entries at the two ends).
    pub fn started_between(&self, lo: i64, hi: i64) -> u32 {
        let a = self.starts.partition_point(|s| s.0 <= lo);
        let b = self.starts.partition_point(|s| s.0 < hi);
        self.starts
            .get(a..b.max(a))
            .unwrap_or(&[])
            .iter()
            .map(|s| s.1)
            .fold(0u32, u32::saturating_add)
    }

    /// A rate outside RFC 7323 §5.4's 1 ms to 1 s per tick (TS-08).
    pub fn odd_rate(&self) -> bool {
        self.hz
            .is_some_and(|hz| !(1.0..=1000.0 * 1.02).contains(&hz))
    }

    /// A member connection's own rate more than 5 % off the line's.
    pub fn rate_change(&self) -> Option<f64> {
        let hz = self.hz?;
        let off = |r: f64| r > hz * 1.05 || r < hz * 0.95;
        self.flow_rates
            .iter()
            .copied()
            .find(|&r| off(r))
            .or_else(|| {
                let (lo, hi) = self.rate_range?;
                [hi, lo].into_iter().find(|&r| off(r))
            })
    }

    /// A line of one connection that no detector reports on: forgetting
    /// it loses only the chance that a later connection joins it.
    pub fn forgettable(&self) -> bool {
        self.connections <= 1 && !self.odd_rate() && self.rate_change().is_none()
    }
}

/// What the clustering needs of one finished flow whose client sent
/// TSvals (probes excluded): its first and last client sample, its own
/// rate, and the interior samples only of flows spanning at least
/// [`KEEP_POINTS_SPAN_NS`] (a long flow's points carry the skew; a short
/// flow's interior adds nothing its two ends do not). About 80 bytes per
/// short flow, held by its pair only until the clustering takes it
/// (`cluster`).
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
    /// A detector names the flow: its line is looked up at the end.
    pub named: bool,
    /// The flow's report, for its line's first connections (`Line::reports`).
    pub report: Option<alloc::boxed::Box<FlowReport>>,
    /// The report (with its addresses) is streamed once the line is known.
    pub stream: bool,
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
            named: false,
            report: None,
            stream: false,
        })
    }
}

/// Natural logarithm for `no_std` (no libm dependency): exponent and a
/// series on the mantissa; accurate to ~1e-12, plenty for a chance bound.
pub(crate) fn libm_ln(x: f64) -> f64 {
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
#[derive(Debug, Default)]
pub(crate) struct LineIndex {
    /// Lines by (rate index, 1 when the line's rate is known, offset).
    by_offset: OffsetIndex,
    /// Lines whose measured rate is not a snap rate.
    odd: Vec<u32>,
    /// Lines whose rate is still unknown, in creation order. (Slots as
    /// `u32`, like `recent`: a busy capture has thousands of pairs, each
    /// list up to 8 × [`RECENT_SCAN`] long.)
    unknown: Vec<u32>,
    /// Lines in the order they were last extended (the last few matter),
    /// with what decides a fit after their latest point, so that a line
    /// that cannot fit is not fetched from memory ([`Recent::may_fit`]).
    recent: Vec<Recent>,
    /// Per line: [`KIND_ODD`], [`KIND_UNKNOWN`] or [`KIND_NONE`].
    kind: Vec<u8>,
    /// Snap rates no longer tried against unknown-rate lines: the chance
    /// of a match only grows (lines made and the pair's span only grow),
    /// so their entries are not indexed any more (a busy pair's 10^6 Hz
    /// after its first hundred lines).
    dead: [bool; 6],
}

/// A recently extended line, as of its latest point. 24 bytes: a busy
/// capture holds up to `4 × PAUSE_SCAN` per pair.
#[derive(Clone, Copy, Debug)]
struct Recent {
    /// The line's slot (slots are flow-id sized, `u32`).
    li: u32,
    /// The TSval at the latest point.
    last_v: u32,
    last_ns: i64,
    /// The line's rate, the only one it is tried with; 0 while unknown
    /// (a measured rate is positive).
    hz: f64,
}

impl Recent {
    fn of(li: usize, l: &Line) -> Recent {
        Recent {
            li: li as u32,
            last_v: l.anchor_tsval.wrapping_add(l.last_u as u32),
            last_ns: l.last_ns,
            hz: l.hz.unwrap_or(0.0),
        }
    }

    /// Whether `Line::fit` may accept `(t, v)` at a rate of at most
    /// `h_max` (the line's own rate when known). After the latest point,
    /// both a tight fit and a pause fit need the TSval to have advanced
    /// by `d ∈ [−tol, h·Δt + tol]`, and `tol` grows with `h`. Conservative:
    /// where the window nears half the TSval circle, or the sample is
    /// before the latest point (then the fit looks at other points), the
    /// line is fetched and `fit` decides.
    fn may_fit(&self, t: i64, v: u32, h_max: f64) -> bool {
        if t < self.last_ns {
            return true;
        }
        let h = if self.hz > 0.0 { self.hz } else { h_max };
        let dt = t.saturating_sub(self.last_ns) as f64 / 1e9;
        let tol = tolerance(h, dt) + 4.0;
        let hi = h * dt + tol;
        if hi >= (1u64 << 30) as f64 {
            return true;
        }
        let d = serial::diff(v, self.last_v) as f64;
        d >= -tol && d <= hi
    }
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
pub(crate) const CHANCE_LIMIT: f64 = 0.01;

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
    /// The index keys of line `l` in its current state: its offset at its
    /// last point under its rate, or under every snap rate while unknown.
    fn keys(l: &Line) -> impl Iterator<Item = (u8, u8, u32)> {
        let last_v = l.anchor_tsval.wrapping_add(l.last_u as u32);
        let (known, unknown) = match l.hz {
            Some(h) => (rate_index(h).map(|r| (r, h)), false),
            None => (None, true),
        };
        let last_ns = l.last_ns;
        let known = known.map(move |(r, h)| (r, 1, offset_at(h, last_ns, last_v)));
        let all = SNAP_RATES
            .iter()
            .enumerate()
            .filter(move |_| unknown)
            .map(move |(r, &h)| (r as u8, 0, offset_at(h, last_ns, last_v)));
        known.into_iter().chain(all)
    }

    /// Takes line `li` out of the index.
    pub(crate) fn remove(&mut self, li: usize) {
        self.by_offset.remove(li);
        // `odd` and `unknown` keep stale entries (removing from them was
        // quadratic); `kind` says which are current.
        if let Some(k) = self.kind.get_mut(li) {
            *k = KIND_NONE;
        }
        if let Some(k) = self.recent.iter().rposition(|x| x.li as usize == li) {
            self.recent.remove(k);
        }
    }

    pub(crate) fn insert(&mut self, li: usize, l: &Line) {
        if self.kind.len() <= li {
            self.kind.resize(li + 1, KIND_NONE);
        }
        for (r, k, o) in Self::keys(l) {
            if k == 1 || !self.dead.get(r as usize).copied().unwrap_or(false) {
                self.by_offset.insert(li, r as usize, k, o);
            }
        }
        match l.hz {
            Some(h) if rate_index(h).is_none() => {
                self.odd.push(li as u32);
                self.kind[li] = KIND_ODD;
                compact(&mut self.odd, &self.kind, KIND_ODD);
            }
            Some(_) => {}
            None => {
                self.unknown.push(li as u32);
                self.kind[li] = KIND_UNKNOWN;
                compact(&mut self.unknown, &self.kind, KIND_UNKNOWN);
            }
        }
        self.recent.push(Recent::of(li, l));
        if self.recent.len() > 4 * PAUSE_SCAN {
            self.recent.drain(..self.recent.len() - PAUSE_SCAN);
        }
    }

    /// The lines worth a `fit`, as slots, in no particular order (the
    /// caller orders them by creation). `created` is the number of lines
    /// the pair has made (the chance of a match grows with it).
    /// Also returns which snap rates may be tried against unknown-rate lines.
    pub(crate) fn candidates(
        &mut self,
        created: usize,
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
            let chance = created as f64 * 2.0 * tol as f64 / 4_294_967_296.0;
            allowed[r as usize] = chance < CHANCE_LIMIT;
            if chance >= CHANCE_LIMIT {
                if let Some(d) = self.dead.get_mut(r as usize) {
                    *d = true;
                }
            }
            let kinds: &[u8] = if chance < CHANCE_LIMIT { &[0, 1] } else { &[1] };
            for &k in kinds {
                self.by_offset.range(r as usize, k, lo, hi, out);
            }
        }
        let kinds = &self.kind;
        let kind = |k: u8| move |&&x: &&u32| kinds.get(x as usize) == Some(&k);
        out.extend(
            self.odd
                .iter()
                .rev()
                .filter(kind(KIND_ODD))
                .take(RECENT_SCAN)
                .map(|&x| x as usize),
        );
        // A pause fit cannot be looked up by offset: the lines used last.
        // A sample at or after a line's latest point within 1 s of it
        // cannot pause-fit it, and a tight fit was looked up by offset
        // above; the flow's own rate is tried against unknown-rate lines
        // whatever the chance, so with one every recent line is tried.
        // Of the rest, only those the TSval may fit are fetched.
        let h_max = SNAP_RATES
            .iter()
            .zip(allowed)
            .filter(|(_, ok)| *ok)
            .map(|(&h, _)| h)
            .chain(own)
            .fold(0.0, f64::max);
        out.extend(
            self.recent
                .iter()
                .rev()
                .take(PAUSE_SCAN)
                .filter(|r| {
                    own.is_some() || t < r.last_ns || t.saturating_sub(r.last_ns) >= 1_000_000_000
                })
                .filter(|r| r.may_fit(t, v, h_max))
                .map(|r| r.li as usize),
        );
        if own.is_some_and(|h| rate_index(h).is_none()) {
            out.extend(
                self.unknown
                    .iter()
                    .rev()
                    .filter(kind(KIND_UNKNOWN))
                    .take(RECENT_SCAN)
                    .map(|&x| x as usize),
            );
        }
        out.sort_unstable();
        out.dedup();
        allowed
    }
}

/// Keeps `list` (lines in the order they were last indexed as `want`)
/// from growing with stale entries: past 8 × [`RECENT_SCAN`], only the
/// current entries, each once, the latest [`RECENT_SCAN`] of them.
fn compact(list: &mut Vec<u32>, kind: &[u8], want: u8) {
    if list.len() <= 8 * RECENT_SCAN {
        return;
    }
    let mut seen = BTreeSet::new();
    let mut keep: Vec<u32> = list
        .iter()
        .rev()
        .copied()
        .filter(|&x| kind.get(x as usize) == Some(&want) && seen.insert(x))
        .take(RECENT_SCAN)
        .collect();
    keep.reverse();
    *list = keep;
}

/// Lower-envelope skew (ppm), with ≥ 10 min of data and a known rate.
pub(crate) fn skew(l: &Line) -> Option<f64> {
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
    a.started_between(b.start_min, b.start_max)
}

/// The NAT / per-connection rule. NAT needs positive evidence: two
/// significant reused lines in use at the same time (a connection of each
/// starts while the other line is in use). Reused lines that only follow
/// one another are one host whose clock restarted, slept or changed offset.
/// A host talking to itself (loopback, or one address on both sides) passes
/// no NAT: several lines there are never called NAT. `forgotten` lines of
/// one connection each (`cluster`) count as lines and connections.
pub(crate) fn classify(lines: &[Line], forgotten: u64, client: IpAddr, server: IpAddr) -> Verdict {
    let forgotten = forgotten as usize;
    match lines.len() + forgotten {
        0 => return Verdict::of(ClockClass::NoTimestamps),
        1 => return Verdict::of(ClockClass::OneClock),
        _ => {}
    }
    let total: usize = lines.iter().map(|l| l.connections as usize).sum::<usize>() + forgotten;
    let reused: Vec<&Line> = lines.iter().filter(|l| l.significant).collect();
    let on_reused: usize = reused.iter().map(|l| l.connections as usize).sum();
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
        let confidence = if strong_pairs >= 1 && nat.iter().all(|l| l.connections >= 3) {
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
    use crate::analysis::test_rng::Rng;
    use core::net::Ipv4Addr;

    /// `after_last` is `partition_point` on sorted vectors, duplicates,
    /// keys before, inside and after them, and empty ones.
    #[test]
    fn after_last_is_partition_point() {
        let mut rng = Rng(7);
        for _ in 0..2_000 {
            let n = (rng.next() % 12) as usize;
            let mut v: Vec<u64> = (0..n).map(|_| rng.next() % 20).collect();
            v.sort_unstable();
            let t = rng.next() % 24;
            assert_eq!(after_last(&v, |&x| x <= t), v.partition_point(|&x| x <= t));
            assert_eq!(after_last(&v, |&x| x < t), v.partition_point(|&x| x < t));
        }
    }

    /// The pause scan's filter never hides a fit: for lines of known and
    /// unknown rate (short and long connections at every snap rate), and
    /// samples after their latest point that fit tightly, fit after a
    /// pause, or are random, `fit` accepting implies `may_fit`.
    #[test]
    fn the_recent_filter_never_hides_a_fit() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let caps = LineCaps {
            frames: 4,
            flows: 4,
        };
        let (mut fits, mut filtered) = (0u32, 0u32);
        for k in 0..4000u32 {
            let h = SNAP_RATES[(rng.next() % 6) as usize];
            let t0 = 1_700_000_000_000_000_000 + (rng.next() % 1_000_000_000_000) as i64;
            let v0 = rng.next() as u32;
            let span = [90_000_000i64, 3_000_000_000, 700_000_000_000][(k % 3) as usize];
            let mut f = Flow::new(
                k,
                IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1)),
                1024 + (k % 60_000) as u16,
                IpAddr::V4(Ipv4Addr::new(198, 51, 100, 10)),
                80,
                0,
            );
            for (n, dt) in [0, span / 2, span].into_iter().enumerate() {
                let ticks = (dt as i128 * h as i128 / 1_000_000_000) as u32;
                let u = f.dir[C2S].record_ts(v0.wrapping_add(ticks), n as u64 + 1, t0 + dt);
                f.points.push(t0 + dt, u);
            }
            let Some(mut c) = ClockRec::of(&f) else {
                continue;
            };
            let l = Line::new(0, &mut c, caps);
            let r = Recent::of(0, &l);
            let last_v = r.last_v;
            for _ in 0..8 {
                let gap = (rng.next() % 5_000_000_000_000) as i64;
                let t = l.last_ns + gap;
                let dt = gap as f64 / 1e9;
                let v = match rng.next() % 4 {
                    0 => last_v.wrapping_add((h * dt) as u32),
                    1 => {
                        last_v.wrapping_add(((h * dt) * (rng.next() % 1000) as f64 / 1000.0) as u32)
                    }
                    2 => last_v.wrapping_add((rng.next() % 8) as u32).wrapping_sub(4),
                    _ => rng.next() as u32,
                };
                let rates: &[f64] = match l.hz {
                    Some(ref x) => core::slice::from_ref(x),
                    None => &SNAP_RATES,
                };
                let h_max = rates.iter().copied().fold(0.0, f64::max);
                let fit = rates.iter().any(|&x| l.fit(x, t, v).is_some());
                let may = r.may_fit(t, v, h_max);
                assert!(
                    !fit || may,
                    "rate {h} span {span} gap {gap}: a fit the filter hides"
                );
                fits += u32::from(fit);
                filtered += u32::from(!may);
            }
        }
        assert!(
            fits > 1000 && filtered > 1000,
            "{fits} fits, {filtered} filtered"
        );
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
