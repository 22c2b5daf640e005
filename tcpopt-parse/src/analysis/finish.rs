//! End of capture: clock lines, detectors, caps, ordering, the verdict.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::analyzer::Analyzer;
use super::clock::{self, Line};
use super::detectors::{self, Ctx};
use super::finding::{ClockClass, Code, Finding, LineSummary, Severity};
use super::flow::{C2S, S2C};
use super::report::{
    CaptureSummary, ClockLine, ClockPair, FlowReport, Handshake, Limits, Report, Stats, TsRange,
};

/// The report's schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// Gaps between segments needed before whole-millisecond gaps prove that a
/// tool wrote the packet times (by chance, 10 gaps of a µs-resolution
/// capture are all whole milliseconds with probability 10^-30).
const REWRITTEN_MIN_GAPS: u64 = 10;

pub(crate) fn finish(mut a: Analyzer, capture: CaptureSummary) -> Report {
    let mut lines: Vec<Vec<Line>> = Vec::with_capacity(a.pairs.len());
    let mut classes = Vec::with_capacity(a.pairs.len());
    // Every TS connection of the capture is a trial for a chance line.
    let trials = a
        .flows
        .iter()
        .filter(|f| f.probe.is_none() && f.dir[C2S].has_ts())
        .count();
    for p in &a.pairs {
        let l = clock::build_lines(&mut a.flows, &p.flows, trials);
        let class = clock::classify(&l, &a.flows, p.client, p.server);
        classes.push(class);
        lines.push(l);
    }
    let mut served: BTreeMap<(core::net::IpAddr, u16), u32> = BTreeMap::new();
    for f in &a.flows {
        if f.served() {
            *served.entry((f.server, f.sport)).or_default() += 1;
        }
    }
    let end_ns = a.last_ns.max(a.first_ns.unwrap_or(0));
    let cx = Ctx {
        flows: &a.flows,
        pairs: &a.pairs,
        lines: &lines,
        classes: &classes,
        served: &served,
        end_ns,
        config: &a.config,
        rewritten_times: (a.gaps >= REWRITTEN_MIN_GAPS && a.gaps_whole_ms == a.gaps)
            .then_some(a.gaps),
    };
    let mut findings: Vec<Finding> = Vec::new();
    detectors::tw_recycle::run(&cx, &mut findings);
    detectors::timewait::run(&cx, &mut findings);
    let escalate: BTreeSet<(String, String)> = findings
        .iter()
        .filter(|f| f.code == Code::TwRecyclePerHostPawsDrop)
        .filter_map(|f| Some((f.client.clone()?, f.server.clone()?)))
        .collect();
    detectors::regression::run(&cx, &mut findings);
    detectors::options::run(&cx, &mut findings);
    detectors::tsecr::run(&cx, &mut findings);
    detectors::clocks::run(&cx, &mut findings, &escalate);
    detectors::wrap::run(&cx, &mut findings);
    detectors::probe::run(&cx, &mut findings);

    // Frames: sorted, unique, capped.
    let mut limits = Limits {
        max_flows: a.config.max_flows,
        flows_cap_hit: a.cap_hit,
        segments_untracked: a.untracked,
        max_evidence_frames: a.config.max_evidence_frames,
        findings_with_frames_cut: 0,
        max_findings_per_code: a.config.max_findings_per_code,
        findings_dropped: 0,
    };
    for f in findings.iter_mut() {
        f.frames.retain(|&x| x != 0);
        f.frames.sort_unstable();
        f.frames.dedup();
        f.frames_total = f.frames.len() as u64;
        if f.frames.len() > a.config.max_evidence_frames {
            f.frames.truncate(a.config.max_evidence_frames);
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
        if *n > a.config.max_findings_per_code {
            limits.findings_dropped += 1;
            false
        } else {
            true
        }
    });

    // Flows.
    let flows: Vec<FlowReport> = a
        .flows
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let handshake = if f.mid_stream {
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
            };
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
                handshake,
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
        })
        .collect();

    // Clocks, sorted by (client, server) for determinism.
    let mut clocks: Vec<ClockPair> = a
        .pairs
        .iter()
        .enumerate()
        .map(|(pi, p)| {
            let ls = lines.get(pi).map(|v| v.as_slice()).unwrap_or(&[]);
            let class = classes
                .get(pi)
                .map(|c| c.class)
                .unwrap_or(ClockClass::NoTimestamps);
            let with_ts = ls.iter().map(|l| l.flows.len()).sum::<usize>() as u32;
            let without = p
                .flows
                .iter()
                .filter_map(|&i| a.flows.get(i as usize))
                .filter(|f| !f.dir[C2S].has_ts() && f.probe.is_none())
                .count() as u32;
            ClockPair {
                client: p.client.to_string(),
                server: p.server.to_string(),
                classification: class,
                description: class.describe(),
                connections_with_ts: with_ts,
                connections_without_ts: without,
                lines: ls
                    .iter()
                    .map(|l| ClockLine {
                        summary: LineSummary {
                            connections: l.flows.len() as u32,
                            first_frame: l.first_frame,
                            rate_hz: l.hz.map(detectors::r3),
                            offset: l.offset(),
                        },
                        rate_snapped: l.snapped,
                        span_s: detectors::r3(detectors::secs(l.span_ns())),
                        skew_ppm: l.skew_ppm.map(detectors::r3),
                        flows: l.flows.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    clocks.sort_by(|x, y| (&x.client, &x.server).cmp(&(&y.client, &y.server)));

    let clients: BTreeSet<_> = a.flows.iter().map(|f| f.client).collect();
    let servers: BTreeSet<_> = a.flows.iter().map(|f| f.server).collect();
    let stats = Stats {
        segments: a.segments,
        segments_with_ts: a.segments_with_ts,
        flows: a.flows.len() as u64,
        clients: clients.len() as u64,
        servers: servers.len() as u64,
        handshakes_completed: flows
            .iter()
            .filter(|f| f.handshake == Handshake::Completed)
            .count() as u64,
        time_went_backwards: a.backwards,
    };
    let verdict = verdict(
        &findings,
        &stats,
        a.flows.iter().filter(|f| f.probe.is_none()).count(),
    );
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

fn verdict(findings: &[Finding], s: &Stats, conns: usize) -> String {
    if let Some(top) = findings.first().filter(|f| f.severity > Severity::Info) {
        return top.summary.clone();
    }
    let pct = (s.segments_with_ts * 100 + s.segments / 2)
        .checked_div(s.segments)
        .unwrap_or(0);
    let mut v = format!(
        "no timestamp anomaly found in {conns} connections from {} client{} (timestamps on {pct} % of {} segments)",
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
