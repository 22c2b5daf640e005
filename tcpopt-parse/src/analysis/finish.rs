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
use super::flow::{Flow, C2S, S2C};
use super::report::{
    r3, secs, CaptureSummary, ClockLine, ClockPair, FlowReport, Handshake, Limits, Report, Stats,
    TsRange,
};
use super::state::{Counters, Pair};

/// The report's schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// What the streaming side hands over at the end.
pub(crate) struct Parts {
    pub config: Config,
    pub flows: Vec<Flow>,
    pub pairs: Vec<Pair>,
    pub counters: Counters,
    pub detectors: Vec<Box<dyn Detector>>,
}

pub(crate) fn finish(mut p: Parts, capture: CaptureSummary) -> Report {
    let clocks = pair_clocks(&mut p.flows, &p.pairs);
    let mut line_of = HashMap::new();
    for c in &clocks {
        for (li, l) in c.lines.iter().enumerate() {
            for &fi in &l.flows {
                line_of.insert(fi as u32, li as u32);
            }
        }
    }
    for d in p.detectors.iter_mut() {
        for (i, f) in p.flows.iter().enumerate() {
            d.flow_done(i as u32, f);
        }
    }
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
    };
    cap_and_order(&mut findings, &p.config, &mut limits);
    let flows: Vec<FlowReport> = p
        .flows
        .iter()
        .enumerate()
        .map(|(i, f)| flow_report(i, f))
        .collect();
    let clocks = clock_report(&p.pairs, &clocks);
    let clients: BTreeSet<_> = p.flows.iter().map(|f| f.client).collect();
    let servers: BTreeSet<_> = p.flows.iter().map(|f| f.server).collect();
    let stats = Stats {
        segments: p.counters.segments,
        segments_with_ts: p.counters.segments_with_ts,
        flows: p.flows.len() as u64,
        clients: clients.len() as u64,
        servers: servers.len() as u64,
        handshakes_completed: flows
            .iter()
            .filter(|f| f.handshake == Handshake::Completed)
            .count() as u64,
        time_went_backwards: p.counters.backwards,
    };
    let conns = p.flows.iter().filter(|f| f.probe.is_none()).count();
    let verdict = verdict(&findings, &stats, conns);
    Report {
        schema_version: SCHEMA_VERSION,
        verdict,
        capture,
        stats,
        findings,
        flows,
        clocks,
        limits,
    }
}

/// Clock lines, classification and TS-less connections of every pair.
fn pair_clocks(flows: &mut [Flow], pairs: &[Pair]) -> Vec<PairClocks> {
    // Every TS connection of the capture is a trial for a chance line.
    let trials = flows
        .iter()
        .filter(|f| f.probe.is_none() && f.dir[C2S].has_ts())
        .count();
    pairs
        .iter()
        .map(|p| {
            let lines = clock::build_lines(flows, &p.flows, trials);
            let class = clock::classify(&lines, flows, p.client, p.server);
            let without_ts = p
                .flows
                .iter()
                .filter_map(|&i| flows.get(i as usize))
                .filter(|f| !f.dir[C2S].has_ts() && f.probe.is_none())
                .count() as u32;
            PairClocks {
                lines,
                class: Some(class),
                without_ts,
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
        f.frames_total = f.frames.len() as u64;
        if f.frames.len() > config.max_evidence_frames {
            f.frames.truncate(config.max_evidence_frames);
            limits.findings_with_frames_cut += 1;
        }
        f.flows.sort_unstable();
        f.flows.dedup();
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
fn handshake(f: &Flow) -> Handshake {
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

fn flow_report(i: usize, f: &Flow) -> FlowReport {
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
        index: i,
        client: f.client.to_string(),
        client_port: f.cport,
        server: f.server.to_string(),
        server_port: f.sport,
        mid_stream: f.mid_stream,
        handshake: handshake(f),
        first_frame: f.first_frame,
        last_frame: f.last_frame,
        syn_frames: f.syns.as_slice().to_vec(),
        syns: f.syns.total,
        syn_retransmissions: f.syn_retransmissions(),
        synack_frame: f.synack,
        ts_negotiated: f.ts_negotiated,
        first_fin: f.first_fin,
        client_rst: f.client_rst.is_some(),
        server_rst: f.server_rst.is_some(),
        client_ts: range(C2S),
        server_ts: range(S2C),
        clock_line: f.line.map(|l| l as usize),
        probe: f.probe.is_some(),
        previous_flow: f.prev.map(|p| p as usize),
    }
}

/// Clocks, sorted by (client, server) for determinism.
fn clock_report(pairs: &[Pair], clocks: &[PairClocks]) -> Vec<ClockPair> {
    let mut out: Vec<ClockPair> = pairs
        .iter()
        .zip(clocks)
        .map(|(p, c)| {
            let class = c.class.map(|c| c.class).unwrap_or(ClockClass::NoTimestamps);
            let with_ts = c.lines.iter().map(|l| l.flows.len()).sum::<usize>() as u32;
            ClockPair {
                client: p.client.to_string(),
                server: p.server.to_string(),
                classification: class,
                description: class.describe(),
                connections_with_ts: with_ts,
                connections_without_ts: c.without_ts,
                lines: c
                    .lines
                    .iter()
                    .map(|l| ClockLine {
                        summary: LineSummary {
                            connections: l.flows.len() as u32,
                            first_frame: l.first_frame,
                            rate_hz: l.hz.map(r3),
                            offset: l.offset(),
                        },
                        rate_snapped: l.snapped,
                        span_s: r3(secs(l.span_ns())),
                        skew_ppm: l.skew_ppm.map(r3),
                        flows: l.flows.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|x, y| (&x.client, &x.server).cmp(&(&y.client, &y.server)));
    out
}

fn verdict(findings: &[Finding], s: &Stats, conns: usize) -> String {
    if let Some(top) = findings.first().filter(|f| f.severity > Severity::Info) {
        return top.summary.clone();
    }
    let pct = (s.segments_with_ts * 100 + s.segments / 2)
        .checked_div(s.segments)
        .unwrap_or(0);
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
