//! Clock lines built online, as flows retire: a capture of millions of
//! connections must not keep one record per connection until its end
//! (issue 15). The fit, the chance bound and the classification are
//! [`clock`](super::clock)'s; this module owns the order in which a pair's
//! connections are clustered and what is kept of them.
//!
//! **Order.** The clustering takes a pair's connections in order of their
//! first client TSval (then flow id). Flows retire in another order (a
//! long flow retires after short ones that started after it), so each
//! pair keeps its retired records *pending* until no open flow of the pair
//! started before them: the *watermark*, the earliest start of the pair's
//! open flows, taken at each sweep of the analyzer (once per second of
//! capture time). Pending records before it are clustered sorted, which
//! is exactly the order of clustering every record at the end. A pair
//! whose pending records pass [`MAX_PENDING`] (a long flow holds its
//! watermark back) clusters its oldest ones anyway; the long flow then
//! joins late, at its own time point, which the nearest-point fit allows.
//!
//! **Memory.** A line of one connection (every connection of a host that
//! picks a TSval offset per connection, Linux ≥ 4.10) matters only if a
//! later connection joins it. At most [`MAX_OPEN_SINGLES`] such lines are
//! kept over all pairs ([`Singles`], oldest first out); an older one is
//! *forgotten* when [`Line::forgettable`] (one connection, no rate a
//! detector reports). A forgotten line still counts as a line of its pair
//! (`lines_total`), as a connection with timestamps, as a trial of the
//! chance bound, and a flow that a detector names keeps its line's rate;
//! the report counts them in `limits.clock_lines_forgotten`. What is lost:
//! a clock whose connections are further apart than the last
//! [`MAX_OPEN_SINGLES`] one-connection lines of the capture is not
//! followed. Lines of several connections are kept, each with bounded
//! vectors (`Line::join`).

use alloc::boxed::Box;
use alloc::collections::{BinaryHeap, VecDeque};
use alloc::vec::Vec;
use core::cmp::{Ordering, Reverse};

use hashbrown::HashMap;

use super::clock::{libm_ln, skew, snap, ClockRec, Fit, Line, LineCaps, LineIndex, CHANCE_ALPHA};
use super::config::SNAP_RATES;
use super::report::{r3, FlowReport};

/// Retired records a pair holds back for the order before clustering
/// its oldest anyway.
pub(crate) const MAX_PENDING: usize = 64;

/// One-connection lines kept over all pairs (about 0.7 KB each: the boxed
/// line with its first flow report inline, and its index entries): the
/// horizon over which a clock's next connection is found. Half of it
/// (16,384) lost a planted NAT address whose clock is used about once a
/// minute among 150,000 connections.
pub(crate) const MAX_OPEN_SINGLES: usize = 32_768;

/// One pair's clock lines, built as its flows retire.
#[derive(Debug)]
pub(crate) struct PairLines {
    /// Lines by slot; a forgotten line's slot is reused.
    /// (Boxed: a line is about 0.6 KB with its inline first connection,
    /// and the vector's spare capacity would hold that much per slot.)
    slots: Vec<Option<Box<Line>>>,
    free: Vec<u32>,
    index: LineIndex,
    /// Lines made (kept or forgotten): the chance of a join grows with it.
    created: u64,
    forgotten: u64,
    /// Earliest first TSval and latest TSval time clustered.
    span: Option<(i64, i64)>,
    /// Retired records by (first TSval time, flow id), earliest on top.
    pending: BinaryHeap<Reverse<Pending>>,
    /// Flows that detectors name (flow id → slot): their line is reported.
    named: HashMap<u32, u32>,
    /// Named flows whose line was forgotten: (flow id, line id, rate).
    gone: Vec<(u32, u64, Option<f64>)>,
    /// Reports of streamed flows whose line is now known
    /// (`Config::stream_flows`), for the analyzer to hand on.
    pub streamed: Vec<FlowReport>,
    caps: LineCaps,
    /// Scratch for the candidates of one fit, and them in creation order.
    scratch: Vec<usize>,
    order: Vec<(u64, usize)>,
}

/// A retired record, ordered by (first TSval time, flow id): the order
/// of the clustering.
#[derive(Debug)]
struct Pending(ClockRec);

impl Pending {
    fn key(&self) -> (i64, u32) {
        (self.0.first_ns, self.0.id)
    }
}

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        self.key() == o.key()
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    fn cmp(&self, o: &Self) -> Ordering {
        self.key().cmp(&o.key())
    }
}

/// What clustering one record did.
enum Added {
    /// A new line of one connection, in `slot` with creation number `seq`.
    Single(u32, u64),
    /// The record joined a line of one connection.
    Promoted,
    /// The record joined a line of several.
    Joined,
}

/// Boxes of forgotten lines and of reports a line took in, kept for the
/// next ones: on a busy server nearly every connection makes a line that
/// is forgotten a few thousand connections later, and its record's report
/// is moved into a line. Allocated and freed in bursts (a sweep's
/// records, then as many forgotten), those boxes overflowed the
/// allocator's per-thread cache, and its bins were a sixth of the
/// clustering's time on a million-connection capture. 4,096 of each
/// (at most 3.4 MB; 1.3 MB more peak RSS there than none) beat 1,024 and
/// 2,048 (3.6-4.3 s against 4.0-4.9 s of wall time, alternated runs).
pub(crate) const SPARE_BOXES: usize = 4096;

/// The lines of one-connection at any time over all pairs, oldest first.
pub(crate) struct Singles {
    /// (pair, slot, seq); entries of lines since joined are stale and
    /// skipped.
    queue: VecDeque<(u32, u32, u64)>,
    live: usize,
    cap: usize,
    /// Boxes for new lines ([`SPARE_BOXES`]); the content is stale.
    // The boxes themselves are the point: a pair's line list and a line's
    // report hold `Box`es, and these are handed back to them unmoved.
    #[allow(clippy::vec_box)]
    spare_lines: Vec<Box<Line>>,
    /// Boxes for records' reports; the content is stale.
    #[allow(clippy::vec_box)]
    spare_reports: Vec<Box<FlowReport>>,
}

impl core::fmt::Debug for Singles {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "live {} queue {}", self.live, self.queue.len())
    }
}

impl Singles {
    pub fn new(cap: usize) -> Self {
        Singles {
            queue: VecDeque::new(),
            live: 0,
            cap,
            spare_lines: Vec::new(),
            spare_reports: Vec::new(),
        }
    }

    /// A boxed `report`, in a spare box if there is one.
    pub fn boxed_report(&mut self, report: FlowReport) -> Box<FlowReport> {
        match self.spare_reports.pop() {
            Some(mut b) => {
                *b = report;
                b
            }
            None => Box::new(report),
        }
    }

    fn keep_report_box(&mut self, b: Box<FlowReport>) {
        if self.spare_reports.len() < SPARE_BOXES {
            self.spare_reports.push(b);
        }
    }

    fn boxed_line(&mut self, line: Line) -> Box<Line> {
        match self.spare_lines.pop() {
            Some(mut b) => {
                *b = line;
                b
            }
            None => Box::new(line),
        }
    }

    fn keep_line_box(&mut self, b: Box<Line>) {
        if self.spare_lines.len() < SPARE_BOXES {
            self.spare_lines.push(b);
        }
    }

    /// The oldest one-connection line to forget while more than the cap
    /// are kept: (pair, slot, seq).
    pub fn over(&mut self) -> Option<(u32, u32, u64)> {
        if self.live <= self.cap {
            return None;
        }
        self.queue.pop_front()
    }

    /// The line `over` returned was a live one-connection line (it is now
    /// forgotten, or kept for good because a detector reports its rate).
    pub fn settled(&mut self) {
        self.live = self.live.saturating_sub(1);
    }

    fn note(&mut self, pair: u32, a: Added) {
        match a {
            Added::Single(slot, seq) => {
                self.queue.push_back((pair, slot, seq));
                self.live += 1;
            }
            Added::Promoted => self.live = self.live.saturating_sub(1),
            Added::Joined => {}
        }
    }
}

/// A pair's lines at the end of the capture.
pub(crate) struct Finished {
    /// Kept lines in creation order.
    pub lines: Vec<Line>,
    pub forgotten: u64,
    /// Flows that detectors name: (flow id, line id, the line's rate).
    pub named: Vec<(u32, u64, Option<f64>)>,
}

impl PairLines {
    pub fn new(caps: LineCaps) -> Self {
        PairLines {
            slots: Vec::new(),
            free: Vec::new(),
            index: LineIndex::default(),
            created: 0,
            forgotten: 0,
            span: None,
            pending: BinaryHeap::new(),
            named: HashMap::new(),
            gone: Vec::new(),
            streamed: Vec::new(),
            caps,
            scratch: Vec::new(),
            order: Vec::new(),
        }
    }

    /// Queues the record of a retired flow.
    pub fn retired(&mut self, rec: ClockRec) {
        self.pending.push(Reverse(Pending(rec)));
    }

    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Lines kept now.
    pub fn kept(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Clusters the pending records that started before `watermark` (all
    /// of them with `None`), in order, then the oldest beyond
    /// [`MAX_PENDING`].
    pub fn release(&mut self, pair: u32, watermark: Option<i64>, singles: &mut Singles) {
        while let Some(Reverse(Pending(top))) = self.pending.peek() {
            let ready = watermark.is_none_or(|w| top.first_ns < w);
            if !ready && self.pending.len() <= MAX_PENDING {
                break;
            }
            let Some(Reverse(Pending(mut r))) = self.pending.pop() else {
                break;
            };
            let a = self.add(&mut r, singles);
            singles.note(pair, a);
            // What is left of the record's report box (the report moved
            // into its line, or a copy of one that did not).
            if let Some(b) = r.report.take() {
                singles.keep_report_box(b);
            }
        }
        if self.pending.capacity() > 4 * MAX_PENDING && self.pending.len() <= MAX_PENDING {
            self.pending.shrink_to(2 * MAX_PENDING);
        }
    }

    /// Forgets the line in `slot` if it is still the one-connection line
    /// `seq` and forgettable. Returns whether it was a live one-connection
    /// line (forgotten now, or kept for good).
    pub fn forget(&mut self, slot: u32, seq: u64, singles: &mut Singles) -> bool {
        let Some(Some(l)) = self.slots.get(slot as usize) else {
            return false;
        };
        if l.seq != seq || l.connections > 1 {
            return false;
        }
        if !l.forgettable() {
            return true;
        }
        let Some(l) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return false;
        };
        self.index.remove(slot as usize);
        if let Some(&id) = l.flows.first() {
            if self.named.get(&(id as u32)) == Some(&slot) {
                self.named.remove(&(id as u32));
                self.gone.push((id as u32, l.seq, l.hz));
            }
        }
        self.free.push(slot);
        self.forgotten += 1;
        singles.keep_line_box(l);
        true
    }

    /// Fits record `c` to the best line, or starts a line with it.
    fn add(&mut self, c: &mut ClockRec, singles: &mut Singles) -> Added {
        let own = c.own_rate.map(|r| snap(r).0);
        let (t0, v0) = (c.first_ns, c.first_tsval);
        let (lo, hi) = match self.span {
            Some((lo, hi)) => (lo.min(t0), hi.max(t0)),
            None => (t0, t0),
        };
        // The widest tolerance a fit can need: the span clustered so far.
        let span_s = hi.saturating_sub(lo) as f64 / 1e9;
        self.span = Some((lo, hi.max(c.last_ns)));
        let mut cands = core::mem::take(&mut self.scratch);
        let allowed = self
            .index
            .candidates(self.created as usize, t0, v0, own, span_s, &mut cands);
        // The first best fit wins, in creation order (as when every line
        // was tried in order); each line is fetched once for its order.
        let mut order = core::mem::take(&mut self.order);
        order.clear();
        order.extend(cands.iter().filter_map(|&li| {
            let l = self.slots.get(li)?.as_ref()?;
            Some((l.seq, li))
        }));
        order.sort_unstable();
        let mut best: Option<(Fit, usize)> = None;
        for &(_, li) in order.iter() {
            let Some(Some(l)) = self.slots.get(li) else {
                continue;
            };
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
        self.scratch = cands;
        self.order = order;
        let rates_tried = allowed.iter().filter(|ok| **ok).count();
        let cap = self.caps;
        let (slot, added) = match best {
            Some((fit, li)) => {
                let Some(Some(l)) = self.slots.get_mut(li) else {
                    return Added::Joined;
                };
                // Chance that a random TSval fits some line this well.
                let p = self.created as f64 * (rates_tried.max(1) as f64) * fit.window
                    / 4_294_967_296.0;
                l.ln_chance += if p < 1.0 { libm_ln(p) } else { 0.0 };
                l.pauses += u32::from(fit.pause);
                let was_single = l.connections == 1;
                self.index.remove(li);
                l.join(c, fit.u, cap);
                self.index.insert(li, l);
                (
                    li,
                    if was_single {
                        Added::Promoted
                    } else {
                        Added::Joined
                    },
                )
            }
            None => {
                let seq = self.created;
                self.created += 1;
                let l = singles.boxed_line(Line::new(seq, c, cap));
                let li = match self.free.pop() {
                    Some(s) => s as usize,
                    None => {
                        self.slots.push(None);
                        self.slots.len() - 1
                    }
                };
                self.index.insert(li, &l);
                if let Some(x) = self.slots.get_mut(li) {
                    *x = Some(l);
                }
                (li, Added::Single(li as u32, seq))
            }
        };
        if c.named {
            self.named.insert(c.id, slot as u32);
        }
        if c.stream {
            if let Some(r) = c.report.as_deref_mut() {
                let line = self.slots.get(slot).and_then(Option::as_ref);
                r.clock_line = line.map(|l| l.seq as usize);
                r.client_rate_hz = line.and_then(|l| l.hz).map(r3);
                self.streamed
                    .push(core::mem::replace(r, FlowReport::moved_out()));
            }
        }
        added
    }

    /// Clusters what is still pending and hands over the lines.
    /// `trials` is the number of TS connections of the whole capture.
    pub fn finish(mut self, trials: u64) -> Finished {
        let mut singles = Singles::new(usize::MAX);
        self.release(0, None, &mut singles);
        let mut kept: Vec<(usize, Line)> = self
            .slots
            .into_iter()
            .enumerate()
            .filter_map(|(s, l)| Some((s, *l?)))
            .collect();
        kept.sort_unstable_by_key(|(_, l)| l.seq);
        let ln_alpha = libm_ln(CHANCE_ALPHA / trials.max(1) as f64);
        let mut lines = Vec::with_capacity(kept.len());
        // Slot → (line id, rate), for the named flows.
        let mut slot_line: HashMap<usize, (u64, Option<f64>)> = HashMap::new();
        for (slot, mut l) in kept.into_iter() {
            l.significant = l.connections >= 2 && l.ln_chance <= ln_alpha;
            l.skew_ppm = if l.pauses == 0 { skew(&l) } else { None };
            slot_line.insert(slot, (l.seq, l.hz));
            // Most lines of a busy pair with per-connection offsets hold one
            // flow; their vectors were grown to 4 by the first push.
            l.flows.shrink_to_fit();
            l.frames.shrink_to_fit();
            l.reports.shrink_to_fit();
            l.points.shrink_to_fit();
            l.flow_rates.shrink_to_fit();
            l.starts.shrink_to_fit();
            lines.push(l);
        }
        let mut named: Vec<(u32, u64, Option<f64>)> = self
            .named
            .iter()
            .filter_map(|(&id, &slot)| {
                let l = slot_line.get(&(slot as usize))?;
                Some((id, l.0, l.1))
            })
            .collect();
        named.extend(self.gone.iter().copied());
        named.sort_unstable_by_key(|x| x.0);
        Finished {
            lines,
            forgotten: self.forgotten,
            named,
        }
    }
}

/// Clusters the records of one pair into lines at once (`Line::flows`
/// holds ids), nothing forgotten: what the online clustering gives when
/// every record is retired before the first is clustered. `trials` is the
/// number of TS connections of the whole capture.
#[cfg(test)]
pub(crate) fn build_lines(recs: &[ClockRec], trials: usize) -> Vec<Line> {
    let mut p = PairLines::new(LineCaps {
        frames: usize::MAX,
        flows: usize::MAX,
    });
    for r in recs {
        p.retired(r.clone());
    }
    p.finish(trials as u64).lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::clock::{classify, Verdict};
    use crate::analysis::finding::{ClockClass, Confidence};
    use crate::analysis::flow::{Flow, C2S};
    use crate::analysis::test_rng::Rng;
    use core::net::{IpAddr, Ipv4Addr};

    const MS: i64 = 1_000_000;
    const T0: i64 = 1_700_000_000_000_000_000;

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
        let v = classify(&lines, 0, c, s);
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
}
