//! What happens to a flow after it retires: the detectors' `flow_done`,
//! its clock record in its pair's online clustering (`cluster`), the
//! totals, and its `FlowReport` when a detector may name it or the flows
//! are streamed.
//!
//! A module of its own because none of it reads the live flow table: it
//! depends only on the retired flows, in retirement order, and on the
//! watermarks of the sweeps between them. So it can run inline (the
//! embeddable, one-thread mode) or on a second thread fed through a
//! channel (`worker`, with `std`), and both give the same report: the
//! same calls in the same order.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use hashbrown::HashMap;

use super::clock::ClockRec;
use super::cluster::{Singles, MAX_OPEN_SINGLES, MAX_PENDING};
use super::detectors::{self, Detector};
use super::finish;
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

/// The retired side of the analysis.
pub(crate) struct Tail {
    stream: bool,
    evidence_cap: usize,
    pub detectors: Vec<Box<dyn Detector>>,
    /// Per pair (index = pair id); grown as retired flows name new pairs.
    pub clocks: Vec<PairClock>,
    /// Pairs with retired clock records waiting for their order.
    pending_pairs: Vec<u32>,
    /// The one-connection clock lines over all pairs (bounded).
    singles: Singles,
    /// Clock records made (every TS connection, probes excluded).
    pub clock_records: u64,
    /// Retirement and handshake totals (the analyzer adds the live ones).
    pub totals: Totals,
    /// Reports of retired flows a detector may name, by id.
    pub kept: BTreeMap<u32, FlowReport>,
    /// Retired flows for `Analyzer::drain_retired` (with
    /// `Config::stream_flows`).
    pub retired: Vec<FlowReport>,
}

impl core::fmt::Debug for Tail {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tail")
            .field("pairs", &self.clocks.len())
            .field("clock_records", &self.clock_records)
            .finish_non_exhaustive()
    }
}

impl Tail {
    pub fn new(config: &Config) -> Self {
        Tail {
            stream: config.stream_flows,
            evidence_cap: config.max_evidence_frames,
            detectors: detectors::all(config),
            clocks: Vec::new(),
            pending_pairs: Vec::new(),
            singles: Singles::new(MAX_OPEN_SINGLES),
            clock_records: 0,
            totals: Totals::default(),
            kept: BTreeMap::new(),
            retired: Vec::new(),
        }
    }

    fn pair(&mut self, pi: u32) -> Option<&mut PairClock> {
        let cap = self.evidence_cap;
        let i = pi as usize;
        if self.clocks.len() <= i {
            self.clocks.resize_with(i + 1, || PairClock::new(cap));
        }
        self.clocks.get_mut(i)
    }

    /// Clock records waiting for their order, over all pairs.
    pub fn pending(&self) -> usize {
        self.clocks.iter().map(|p| p.lines.pending()).sum()
    }

    /// Whether a pair has clock records waiting for their order.
    pub fn has_pending(&self) -> bool {
        !self.pending_pairs.is_empty()
    }

    /// Clock lines kept, over all pairs.
    pub fn lines_kept(&self) -> usize {
        self.clocks.iter().map(|p| p.lines.kept()).sum()
    }

    /// Takes in the retired flow `f`.
    pub fn retired(&mut self, f: &Flow, why: Retire) {
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
                r.report = Some(Box::new(
                    full.unwrap_or_else(|| finish::flow_report_without_addresses(f)),
                ));
                self.clock_records += 1;
                if let Some(p) = self.pair(f.pair) {
                    let first = p.lines.pending() == 0;
                    p.lines.retired(r);
                    let over = p.lines.pending() > MAX_PENDING;
                    if first {
                        self.pending_pairs.push(f.pair);
                    }
                    if over {
                        // A long open flow holds the pair's order back.
                        if let Some(p) = self.clocks.get_mut(f.pair as usize) {
                            p.lines.release(f.pair, Some(i64::MIN), &mut self.singles);
                            self.retired.append(&mut p.lines.streamed);
                        }
                        self.forget_singles();
                    }
                }
            }
            None if f.probe.is_none() => {
                if let Some(p) = self.pair(f.pair) {
                    p.without_ts += 1;
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
                    self.retired.push(report);
                }
                (true, false) => {
                    self.kept.insert(f.id, report);
                }
                (false, true) => self.retired.push(report),
                (false, false) => {}
            }
        }
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
            let Some(p) = self.clocks.get_mut(pi as usize) else {
                continue;
            };
            p.lines
                .release(pi, watermark.get(&pi).copied(), &mut self.singles);
            self.retired.append(&mut p.lines.streamed);
            if p.lines.pending() > 0 {
                self.pending_pairs.push(pi);
            }
        }
        self.forget_singles();
    }

    /// Clusters everything still pending (the end of the capture).
    pub fn release_all(&mut self) {
        for pi in core::mem::take(&mut self.pending_pairs) {
            if let Some(p) = self.clocks.get_mut(pi as usize) {
                p.lines.release(pi, None, &mut self.singles);
                self.retired.append(&mut p.lines.streamed);
            }
            self.forget_singles();
        }
    }

    fn forget_singles(&mut self) {
        while let Some((pi, slot, seq)) = self.singles.over() {
            if let Some(p) = self.clocks.get_mut(pi as usize) {
                if p.lines.forget(slot, seq) {
                    self.singles.settled();
                }
            }
        }
    }

    /// The per-pair clocks for `pairs` pairs (pairs whose flows all
    /// stayed without a record get empty ones).
    pub fn clocks_for(&mut self, pairs: usize) -> Vec<PairClock> {
        let cap = self.evidence_cap;
        let mut c = core::mem::take(&mut self.clocks);
        if c.len() < pairs {
            c.resize_with(pairs, || PairClock::new(cap));
        }
        c
    }
}

