//! End of capture: clock lines, detectors, caps, ordering, the report.
//!
//! Reads only what [`Parts`] hands over; it does not know the analyzer.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use hashbrown::HashMap;

use super::clock;
use super::config::Config;
use super::detectors::{Ctx, Detector, PairClocks};
use super::finding::{ClockClass, Code, Finding, LineSummary, Severity};
use super::flow::{Flow, Frames, C2S, S2C};
use super::report::{
    r3, secs, CaptureSummary, ClockLine, ClockPair, FlowReport, Handshake, Limits, Report, Stats,
    Totals, TsRange,
};
use super::state::{Counters, Pair, PairClock};

/// The report's schema version. 2: `flows` lists only the flows findings
/// name (by stable id, `FlowReport::index`), `totals` counts them all,
/// `findings[].flows` is capped like frames (`flows_total`), clock lines
/// list their first flows only; the complete flow list is a stream.
pub const SCHEMA_VERSION: u32 = 2;

/// Clock lines listed per pair in the report (v2; the rest are counted).
pub const MAX_REPORT_LINES: usize = 16;

/// What the streaming side hands over at the end (every flow retired).
pub(crate) struct Parts {
    pub config: Config,
    pub pairs: Vec<Pair>,
    /// Per pair (same index), what the retired side built of it.
    pub clocks: Vec<PairClock>,
    pub counters: Counters,
    pub totals: Totals,
    pub detectors: Vec<Box<dyn Detector>>,
    /// Reports of the flows a detector may name, by id.
    pub kept: BTreeMap<u32, FlowReport>,
    /// Flows created.
    pub flows: u64,
    /// Clock records made (TS connections, probes excluded): the trials
    /// of the chance bound.
    pub clock_records: u64,
}

pub(crate) fn finish(mut p: Parts, capture: CaptureSummary) -> Report {
    let mut line_of = HashMap::new();
    let clocks = pair_clocks(
        &p.pairs,
        core::mem::take(&mut p.clocks),
        p.clock_records,
        &mut line_of,
    );
    let cx = Ctx {
        pairs: &p.pairs,
        clocks: &clocks,
        line_of: &line_of,
        end_ns: p.counters.end_ns(),
        config: &p.config,
        rewritten_times: p.counters.rewritten_times(),
    };
    let mut findings: Vec<Finding> = Vec::new();
    for d in p.detectors.iter_mut() {
        d.finish(&cx, &mut findings);
    }
    let mut limits = Limits {
        max_flows: p.config.max_flows,
        flows_cap_hit: p.counters.cap_hit,
        segments_untracked: p.counters.untracked,
        max_evidence_frames: p.config.max_evidence_frames,
        findings_with_frames_cut: 0,
        max_findings_per_code: p.config.max_findings_per_code,
        findings_dropped: 0,
        findings_with_flows_cut: 0,
        max_open_clock_lines: super::cluster::MAX_OPEN_SINGLES,
        clock_lines_forgotten: clocks.iter().map(|c| c.forgotten).sum(),
    };
    cap_and_order(&mut findings, &p.config, &mut limits);
    let named: BTreeSet<usize> = findings
        .iter()
        .flat_map(|f| f.flows.iter().copied())
        .collect();
    // Flows that a finding about a clock line names were retired long
    // ago; their lines kept their reports (`Line::reports`).
    let mut from_lines: BTreeMap<usize, FlowReport> = BTreeMap::new();
    if named.iter().any(|id| !p.kept.contains_key(&(*id as u32))) {
        for (c, pair) in clocks.iter().zip(&p.pairs) {
            for l in &c.lines {
                for r in l.reports.iter().filter(|r| named.contains(&r.index)) {
                    let mut r = r.clone();
                    r.client_rate_hz = l.hz.map(r3);
                    r.client = pair.client.to_string();
                    r.server = pair.server.to_string();
                    from_lines.insert(r.index, r);
                }
            }
        }
    }
    let flows: Vec<FlowReport> = named
        .iter()
        .filter_map(|&id| match p.kept.remove(&(id as u32)) {
            Some(mut r) => {
                let line = line_of.get(&(id as u32));
                r.clock_line = line.map(|l| l.0 as usize);
                r.client_rate_hz = line.and_then(|l| l.1).map(r3);
                Some(r)
            }
            None => from_lines.remove(&id),
        })
        .collect();
    p.totals.pairs = p.pairs.len() as u64;
    p.totals.clock_lines = clocks
        .iter()
        .map(|c| c.lines.len() as u64 + c.forgotten)
        .sum();
    let clock_pairs = clock_report(&p.pairs, &clocks, p.config.max_evidence_frames);
    let clients: BTreeSet<_> = p.pairs.iter().map(|x| x.client).collect();
    let servers: BTreeSet<_> = p.pairs.iter().map(|x| x.server).collect();
    let stats = Stats {
        segments: p.counters.segments,
        segments_with_ts: p.counters.segments_with_ts,
        flows: p.flows,
        clients: clients.len() as u64,
        servers: servers.len() as u64,
        handshakes_completed: p.totals.handshakes.completed,
        time_went_backwards: p.counters.backwards,
    };
    let conns = p.flows.saturating_sub(p.counters.probe_flows);
    let verdict = verdict(&findings, &stats, conns);
    Report {
        schema_version: SCHEMA_VERSION,
        verdict,
        capture,
        stats,
        findings,
        flows,
        totals: p.totals,
        clocks: clock_pairs,
        limits,
    }
}

/// Clock lines, classification and TS-less connections of every pair,
/// and the lines of the flows detectors name (into `line_of`). Each
/// pair's clusterer is consumed as its lines are finished.
fn pair_clocks(
    pairs: &[Pair],
    clocks: Vec<PairClock>,
    trials: u64,
    line_of: &mut HashMap<u32, (u64, Option<f64>)>,
) -> Vec<PairClocks> {
    pairs
        .iter()
        .zip(clocks)
        .map(|(p, c)| {
            let without_ts = c.without_ts;
            let done = c.lines.finish(trials);
            for &(id, index, hz) in &done.named {
                line_of.insert(id, (index, hz));
            }
            let class = clock::classify(&done.lines, done.forgotten, p.client, p.server);
            PairClocks {
                lines: done.lines,
                class: Some(class),
                without_ts,
                forgotten: done.forgotten,
            }
        })
        .collect()
}

/// Frames sorted, unique and capped; findings ordered (severity, first
/// frame, code, client) and capped per code.
fn cap_and_order(findings: &mut Vec<Finding>, config: &Config, limits: &mut Limits) {
    for f in findings.iter_mut() {
        f.frames.retain(|&x| x != 0);
        f.frames.sort_unstable();
        f.frames.dedup();
        f.frames_total = f.frames.len() as u64 + f.frames_beyond_caps;
        if f.frames.len() > config.max_evidence_frames || f.frames_beyond_caps > 0 {
            f.frames.truncate(config.max_evidence_frames);
            limits.findings_with_frames_cut += 1;
        }
        f.flows.sort_unstable();
        f.flows.dedup();
        f.flows_total = f.flows.len() as u64 + f.flows_beyond_caps;
        if f.flows.len() > config.max_evidence_frames || f.flows_beyond_caps > 0 {
            f.flows.truncate(config.max_evidence_frames);
            limits.findings_with_flows_cut += 1;
        }
    }
    findings.sort_by(|x, y| {
        y.severity
            .cmp(&x.severity)
            .then(x.frames.first().cmp(&y.frames.first()))
            .then(x.code.cmp(&y.code))
            .then(x.client.cmp(&y.client))
    });
    let mut per_code: BTreeMap<Code, usize> = BTreeMap::new();
    findings.retain(|f| {
        let n = per_code.entry(f.code).or_default();
        *n += 1;
        if *n > config.max_findings_per_code {
            limits.findings_dropped += 1;
            false
        } else {
            true
        }
    });
}

/// How the handshake of `f` went.
pub(crate) fn handshake(f: &Flow) -> Handshake {
    if f.mid_stream {
        Handshake::MidStream
    } else if (f.synack.is_some() && f.hs_ack.is_some()) || f.answered_unseen.is_some() {
        Handshake::Completed
    } else if f.synack.is_some() {
        Handshake::SynAcked
    } else if f.server_rst.is_some() {
        Handshake::SynAnsweredByRst
    } else if f.bare_ack.is_some() {
        Handshake::SynAnsweredByBareAck
    } else {
        Handshake::SynUnanswered
    }
}

/// The report of a retired flow (its clock line is filled in at the end).
pub(crate) fn flow_report(f: &Flow) -> FlowReport {
    let mut r = flow_report_without_addresses(f);
    r.client = f.client.to_string();
    r.server = f.server.to_string();
    r
}

/// [`flow_report`] with empty `client` and `server`, which a clock line
/// (`Line::reports`) fills in from its pair at the end: thousands of lines
/// keep one each.
pub(crate) fn flow_report_without_addresses(f: &Flow) -> FlowReport {
    report_with_syn_frames(f, f.syns.as_slice().to_vec())
}

/// A report for a clock line, its SYN frames still inline (`Frames`): the
/// vector is made where the report is kept. The clustering may run on
/// another thread (`worker`), and a small allocation freed on another
/// thread than its own costs the allocator a lock and its bins (a tenth
/// of the reading thread's time on a million-connection capture).
#[derive(Debug)]
pub(crate) struct LineReport {
    report: FlowReport,
    syns: Option<Frames<8>>,
}

impl LineReport {
    /// The report without addresses (`flow_report_without_addresses`).
    pub fn of(f: &Flow) -> LineReport {
        LineReport {
            report: report_with_syn_frames(f, Vec::new()),
            syns: Some(f.syns),
        }
    }

    /// A report made whole already.
    pub fn whole(report: FlowReport) -> LineReport {
        LineReport { report, syns: None }
    }

    pub fn into_report(self) -> FlowReport {
        let mut r = self.report;
        if let Some(s) = self.syns {
            r.syn_frames = s.as_slice().to_vec();
        }
        r
    }
}

fn report_with_syn_frames(f: &Flow, syn_frames: Vec<u64>) -> FlowReport {
    let range = |d: usize| {
        let x = &f.dir[d];
        TsRange {
            first_tsval: x.has_ts().then_some(x.first_tsval),
            last_tsval: x.has_ts().then_some(x.last_tsval),
            segments: x.segments,
            segments_with_ts: x.with_ts,
        }
    };
    FlowReport {
        index: f.id as usize,
        client: String::new(),
        client_port: f.cport,
        server: String::new(),
        server_port: f.sport,
        mid_stream: f.mid_stream,
        handshake: handshake(f),
        first_frame: f.first_frame,
        last_frame: f.last_frame,
        syn_frames,
        syns: f.syns.total,
        syn_retransmissions: f.syn_retransmissions(),
        synack_frame: f.synack,
        ts_negotiated: f.ts_negotiated,
        first_fin: f.first_fin,
        client_rst: f.client_rst.is_some(),
        server_rst: f.server_rst.is_some(),
        client_ts: range(C2S),
        server_ts: range(S2C),
        clock_line: None,
        client_rate_hz: None,
        probe: f.probe.is_some(),
        previous_flow: f.prev.map(|p| p as usize),
    }
}

/// Clocks, sorted by (client, server) for determinism.
fn clock_report(pairs: &[Pair], clocks: &[PairClocks], max_flows: usize) -> Vec<ClockPair> {
    let mut out: Vec<ClockPair> = pairs
        .iter()
        .zip(clocks)
        .map(|(p, c)| {
            let class = c.class.map(|c| c.class).unwrap_or(ClockClass::NoTimestamps);
            let with_ts = (c
                .lines
                .iter()
                .map(|l| u64::from(l.connections))
                .sum::<u64>()
                + c.forgotten) as u32;
            ClockPair {
                client: p.client.to_string(),
                server: p.server.to_string(),
                classification: class,
                description: class.describe(),
                connections_with_ts: with_ts,
                connections_without_ts: c.without_ts,
                lines_total: (c.lines.len() as u64 + c.forgotten) as u32,
                lines: c
                    .lines
                    .iter()
                    .take(MAX_REPORT_LINES)
                    .map(|l| ClockLine {
                        id: l.seq,
                        summary: LineSummary {
                            connections: l.connections,
                            first_frame: l.first_frame,
                            rate_hz: l.hz.map(r3),
                            offset: l.offset(),
                        },
                        rate_snapped: l.snapped,
                        span_s: r3(secs(l.span_ns())),
                        skew_ppm: l.skew_ppm.map(r3),
                        flows: l.flows.iter().take(max_flows).copied().collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|x, y| (&x.client, &x.server).cmp(&(&y.client, &y.server)));
    out
}

fn verdict(findings: &[Finding], s: &Stats, conns: u64) -> String {
    if let Some(top) = findings.first().filter(|f| f.severity > Severity::Info) {
        return top.summary.clone();
    }
    let pct = crate::present::percent(s.segments_with_ts, s.segments);
    let mut v = format!(
        "no timestamp anomaly found in {conns} connections from {} client{} (timestamps \
            on {pct} % of {} segments)",
        s.clients,
        if s.clients == 1 { "" } else { "s" },
        s.segments
    );
    if let Some(info) = findings.first() {
        v.push_str("; note: ");
        v.push_str(&info.summary);
    }
    v
}
