//! What happens to a flow after it retires, in two parts:
//! - [`Tail`]: the detectors' `flow_done`, the totals, the flow's
//!   `FlowReport` when a detector may name it (`kept`) or the flows are
//!   streamed, and its compact clock record (`ClockRec`);
//! - [`Clusters`]: each pair's online clustering of those records into
//!   clock lines (`cluster`), and the streamed reports in their order.
//!
//! `Tail` reads the whole 1.3 KB flow; `Clusters` only the records
//! (`Sink`), about a fifth of that with the report they carry, and none of
//! it reads the live flow table. So `Clusters` can run inline (the
//! embeddable, one-thread mode) or on a second thread fed through a
//! channel (`worker`, with `std`): the same calls in the same order, so
//! the same report. On a busy server the clustering is about half of the
//! work.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use hashbrown::HashMap;

use super::clock::ClockRec;
use super::cluster::{PairLines, Singles, MAX_OPEN_SINGLES, MAX_PENDING};
use super::detectors::{self, Detector};
use super::finish::{self, LineReport};
use super::flow::Flow;
use super::report::{FlowReport, Totals};
use super::state::PairClock;
use super::Config;

/// Why a flow was retired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retire {
    Closed,
    Superseded,
    Idle,
    End,
}

/// Where `Tail` sends what the clustering takes, in order.
pub(crate) trait Sink {
    /// The clock record of a retired flow of pair `pair`, and the report
    /// its line keeps if it is among the line's first (`Line::reports`).
    /// (Apart from the record, to be boxed where the clustering runs: a
    /// box freed on another thread than the one that made it costs the
    /// allocator a lock.)
    fn record(&mut self, pair: u32, rec: ClockRec, report: LineReport);
    /// A streamed flow's report that needs no clock line.
    fn stream(&mut self, report: FlowReport);
}

/// The retired side that reads whole flows.
pub(crate) struct Tail {
    stream: bool,
    pub detectors: Vec<Box<dyn Detector>>,
    /// Clock records made (every TS connection, probes excluded).
    pub clock_records: u64,
    /// Retirement and handshake totals (the analyzer adds the live ones).
    pub totals: Totals,
    /// Reports of retired flows a detector may name, by id.
    pub kept: BTreeMap<u32, FlowReport>,
    /// Per pair: retired flows whose client sent no TSval (probes excluded).
    pub without_ts: Vec<u32>,
}

impl core::fmt::Debug for Tail {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tail")
            .field("clock_records", &self.clock_records)
            .field("kept", &self.kept.len())
            .finish_non_exhaustive()
    }
}

impl Tail {
    pub fn new(config: &Config) -> Self {
        Tail {
            stream: config.stream_flows,
            detectors: detectors::all(config),
            clock_records: 0,
            totals: Totals::default(),
            kept: BTreeMap::new(),
            without_ts: Vec::new(),
        }
    }

    /// Takes in the retired flow `f`; its clock record (or its streamed
    /// report) goes on to `to`.
    pub fn retired(&mut self, f: &Flow, why: Retire, to: &mut dyn Sink) {
        match why {
            Retire::Closed => self.totals.flows_retired_closed += 1,
            Retire::Superseded => self.totals.flows_retired_superseded += 1,
            Retire::Idle => self.totals.flows_retired_idle += 1,
            Retire::End => self.totals.flows_open_at_end += 1,
        }
        let mut named = false;
        for d in self.detectors.iter_mut() {
            named |= d.flow_done(f.id, f);
        }
        let stream = self.stream;
        let rec = ClockRec::of(f);
        let clocked = rec.is_some();
        let mut report = (stream || named).then(|| finish::flow_report(f));
        match rec {
            Some(mut r) => {
                r.named = named;
                // A finding about its clock line may name it (at the
                // end; the addresses are then the pair's). A streamed
                // flow goes on once its line is known (`cluster`).
                r.stream = stream;
                let full = match (stream, named) {
                    (true, false) => report.take(),
                    (true, true) => report.clone(),
                    (false, _) => None,
                };
                let line_report = match full {
                    Some(r) => LineReport::whole(r),
                    None => LineReport::of(f),
                };
                self.clock_records += 1;
                to.record(f.pair, r, line_report);
            }
            None if f.probe.is_none() => {
                let i = f.pair as usize;
                if self.without_ts.len() <= i {
                    self.without_ts.resize(i + 1, 0);
                }
                if let Some(n) = self.without_ts.get_mut(i) {
                    *n += 1;
                }
            }
            None => {}
        }
        self.totals.handshakes.add(finish::handshake(f));
        self.totals.ts_negotiated += u64::from(f.ts_negotiated);
        // A report (two address strings, the SYN frames) only for a flow
        // that is streamed or that a finding may name; a streamed flow with
        // a clock record goes on with it, once its line is known.
        if let Some(report) = report.take() {
            match (named, stream && !clocked) {
                (true, true) => {
                    self.kept.insert(f.id, report.clone());
                    to.stream(report);
                }
                (true, false) => {
                    self.kept.insert(f.id, report);
                }
                (false, true) => to.stream(report),
                (false, false) => {}
            }
        }
    }
}

/// Every pair's clock-line clustering.
pub(crate) struct Clusters {
    evidence_cap: usize,
    /// Per pair (index = pair id); grown as records name new pairs.
    lines: Vec<PairLines>,
    /// Pairs with clock records waiting for their order.
    pending_pairs: Vec<u32>,
    /// The one-connection clock lines over all pairs (bounded).
    singles: Singles,
    /// Streamed reports in their order (`Config::stream_flows`), for
    /// `Analyzer::drain_retired`.
    pub streamed: Vec<FlowReport>,
}

impl core::fmt::Debug for Clusters {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Clusters")
            .field("pairs", &self.lines.len())
            .field("singles", &self.singles)
            .finish_non_exhaustive()
    }
}

impl Sink for Clusters {
    fn record(&mut self, pair: u32, mut rec: ClockRec, report: LineReport) {
        rec.report = Some(self.singles.boxed_report(report.into_report()));
        let cap = self.evidence_cap;
        let i = pair as usize;
        if self.lines.len() <= i {
            self.lines.resize_with(i + 1, || PairClock::lines_for(cap));
        }
        let Some(p) = self.lines.get_mut(i) else {
            return;
        };
        if p.pending() == 0 {
            self.pending_pairs.push(pair);
        }
        p.retired(rec);
        if p.pending() > MAX_PENDING {
            // A long open flow holds the pair's order back.
            p.release(pair, Some(i64::MIN), &mut self.singles);
            self.streamed.append(&mut p.streamed);
            self.forget_singles();
        }
    }

    fn stream(&mut self, report: FlowReport) {
        self.streamed.push(report);
    }
}

impl Clusters {
    pub fn new(config: &Config) -> Self {
        Clusters {
            evidence_cap: config.max_evidence_frames,
            lines: Vec::new(),
            pending_pairs: Vec::new(),
            singles: Singles::new(MAX_OPEN_SINGLES),
            streamed: Vec::new(),
        }
    }

    /// Clock records waiting for their order, over all pairs.
    pub fn pending(&self) -> usize {
        self.lines.iter().map(PairLines::pending).sum()
    }

    /// Whether a pair has clock records waiting for their order.
    pub fn has_pending(&self) -> bool {
        !self.pending_pairs.is_empty()
    }

    /// Clock lines kept, over all pairs.
    pub fn lines_kept(&self) -> usize {
        self.lines.iter().map(PairLines::kept).sum()
    }

    /// Clusters the retired clock records that no open flow of their pair
    /// precedes: `watermark` holds, per pair, the earliest first client
    /// TSval time of its open flows (`ClockRec::first_ns`; a pair without
    /// one has none open that will precede). Then forgets the oldest
    /// one-connection lines past the cap.
    pub fn release(&mut self, watermark: &HashMap<u32, i64>) {
        if self.pending_pairs.is_empty() {
            return;
        }
        let pending = core::mem::take(&mut self.pending_pairs);
        for pi in pending {
            let Some(p) = self.lines.get_mut(pi as usize) else {
                continue;
            };
            p.release(pi, watermark.get(&pi).copied(), &mut self.singles);
            self.streamed.append(&mut p.streamed);
            if p.pending() > 0 {
                self.pending_pairs.push(pi);
            }
        }
        self.forget_singles();
    }

    /// Clusters everything still pending (the end of the capture).
    pub fn release_all(&mut self) {
        for pi in core::mem::take(&mut self.pending_pairs) {
            if let Some(p) = self.lines.get_mut(pi as usize) {
                p.release(pi, None, &mut self.singles);
                self.streamed.append(&mut p.streamed);
            }
            self.forget_singles();
        }
    }

    fn forget_singles(&mut self) {
        while let Some((pi, slot, seq)) = self.singles.over() {
            if let Some(p) = self.lines.get_mut(pi as usize) {
                if p.forget(slot, seq, &mut self.singles) {
                    self.singles.settled();
                }
            }
        }
    }

    /// The per-pair clocks for `pairs` pairs, with their connections
    /// without timestamps (`Tail::without_ts`); pairs without a record get
    /// empty lines.
    pub fn clocks_for(self, pairs: usize, without_ts: &[u32]) -> Vec<PairClock> {
        let cap = self.evidence_cap;
        let mut lines = self.lines.into_iter();
        (0..pairs)
            .map(|i| PairClock {
                lines: lines.next().unwrap_or_else(|| PairClock::lines_for(cap)),
                without_ts: without_ts.get(i).copied().unwrap_or(0),
            })
            .collect()
    }
}
