//! TS-06 `MULTIPLE_TS_CLOCKS_BEHIND_IP`, TS-08 `TS_CLOCK_RATE_ANOMALY` and
//! its known mode `TS_CLOCK_USEC`.
//!
//! TS-06 is raised only for the NAT classes of `clock::classify`: at least
//! two significant lines (reused, and too unlikely to be chance alignments
//! of per-connection offsets), together carrying at least half of the
//! pair's TS connections, in use at the same time (connections of each
//! start while the other is in use). An inner host keeps its clock across
//! its connections; a kernel with per-connection offsets gives nearly every
//! connection its own line (per-connection-offsets.pcap), which is not NAT
//! and raises nothing; lines that only follow one another are one host
//! whose clock restarted or slept. Severity: info; warning when the same
//! pair also has TS-01 (the server drops its SYNs; the spec's "warn if S
//! drops SYNs"). The finding says how sure it is.
//!
//! TS-08 trusts a rate only from a significant line or from one
//! connection's own data, and never against packet times a tool wrote
//! (every gap a whole millisecond): it says so instead. A line that snaps
//! to 10^6 Hz is Linux `tcp_usec_ts` (Linux >= 6.7, a per-route feature):
//! a known mode, reported as the info note `TS_CLOCK_USEC` (with what it
//! changes: a wrap every 71.6 min, PAWS relaxed after 2147 s idle), not as
//! an anomaly.

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::clock::{Line, Verdict};
use crate::analysis::finding::{
    ClocksEvidence, Code, Confidence, Evidence, Finding, LineSummary, RateEvidence, Severity,
};
use crate::analysis::report::r3;
use crate::analysis::state::Pair;

const REMEDY: &str = "Nothing to fix by itself. If servers keep per-address timestamp state \
    (net.ipv4.tcp_tw_recycle=1, Linux <= 4.11), set `net.ipv4.tcp_timestamps=0` in every \
    host and container behind the address (`docker run --sysctl \
    net.ipv4.tcp_timestamps=0`), or `=2` in every network namespace of one physical host \
    (one shared clock), or avoid the NAT.";
const RATE_REMEDY: &str =
    "Informational. Rates outside 1 Hz..1 kHz are outside RFC 7323 §5.4's recommended \
    range (1 ms to 1 s per tick): check the sender's TCP stack or a middlebox that \
    rewrites TSval; a rate that changes within one clock is a stack or a rewriter \
    switching clocks.";
const USEC_REMEDY: &str = "Nothing to fix: Linux (>= 6.7) uses a 1 µs TS clock on routes with the \
    `tcp_usec_ts` feature (`ip route show` lists `features tcp_usec_ts` or `features \
    0x10`). If a peer or middlebox mishandles it (per-host timestamp state, assumptions \
    of a 1 ms tick, idle connections older than 35 min), remove the feature from the \
    route (`ip route change <prefix> ... ` without `features tcp_usec_ts`) to return to \
    the 1 ms clock.";

/// TS-06 and TS-08, from the clock lines alone (no per-flow state).
pub(crate) struct Clocks;

impl Detector for Clocks {
    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        // TS-06 is a warning where TS-01 found the server dropping SYNs.
        let escalate: BTreeSet<(String, String)> = out
            .iter()
            .filter(|f| f.code == Code::TwRecyclePerHostPawsDrop)
            .filter_map(|f| Some((f.client.clone()?, f.server.clone()?)))
            .collect();
        for (pi, pair) in cx.pairs.iter().enumerate() {
            let pi = pi as u32;
            let lines = cx.lines_of(pi);
            let Some(verdict) = cx.verdict_of(pi) else {
                continue;
            };
            if verdict.class.is_nat() {
                let key = (pair.client.to_string(), pair.server.to_string());
                let severity = if escalate.contains(&key) {
                    Severity::Warning
                } else {
                    Severity::Info
                };
                out.push(nat_finding(cx, pi, pair, lines, severity, verdict));
            }
            let mut rewritten_noted = false;
            for l in lines {
                rate_findings(cx, pair, l, out, &mut rewritten_noted);
            }
        }
    }
}

fn nat_finding(
    cx: &Ctx,
    pi: u32,
    pair: &Pair,
    lines: &[Line],
    severity: Severity,
    verdict: Verdict,
) -> Finding {
    let (class, dskew) = (verdict.class, verdict.skew_difference_ppm);
    let forgotten = cx.forgotten(pi);
    let with_ts = (lines.iter().map(|l| l.connections as u64).sum::<u64>() + forgotten) as u32;
    let without = cx.without_ts(pi);
    let clocks: Vec<&Line> = lines.iter().filter(|l| l.significant).collect();
    let mut frames = Vec::new();
    let mut flows = Vec::new();
    // Lines list their first connections only (`Line::join`): the rest
    // are counted in frames_total / flows_total.
    let (mut frames_beyond, mut flows_beyond) = (0u64, 0u64);
    for l in &clocks {
        frames.extend_from_slice(&l.frames);
        flows.extend(line_flows(l));
        frames_beyond += u64::from(l.connections).saturating_sub(l.frames.len() as u64);
        flows_beyond += u64::from(l.connections).saturating_sub(l.reports.len() as u64);
    }
    flows.sort_unstable();
    let summary_lines: Vec<LineSummary> = clocks
        .iter()
        .map(|l| LineSummary {
            connections: l.connections,
            first_frame: l.first_frame,
            rate_hz: l.hz.map(r3),
            offset: l.offset(),
        })
        .collect();
    let counts: Vec<String> = clocks
        .iter()
        .map(|l| format!("{}", l.connections))
        .collect();
    let (sure, why) = match verdict.confidence {
        Confidence::High => (
            "high",
            "the clocks interleave repeatedly and each carries at least 3 connections",
        ),
        Confidence::Medium => (
            "medium",
            "the clocks interleave only a little or carry only 2 connections each",
        ),
    };
    let summary = format!(
        "{} TS clocks behind {} towards {} (NAT, confidence {sure}): clock lines of {} \
            connections, {} connection(s) started while another clock was in use",
        clocks.len(),
        pair.client,
        pair.server,
        counts.join(", "),
        verdict.interleaved
    );
    let explanation = format!(
        "Several independent TCP timestamp clocks share this IP, which means NAT: {} \
            clock lines, each reused across several connections (an inner host keeps its \
            clock across its connections) and too many to be chance alignments of \
            per-connection offsets, in use at the same time: {} connection(s) started on \
            one clock while another was in use, which one host with one clock cannot do. \
            {} connections with timestamps and {} without; {} line(s) in all. \
            Classification: {}. Confidence {sure}: {why}. Servers that keep per-IP \
            timestamp state (tcp_tw_recycle) will drop some of these clients.",
        clocks.len(),
        verdict.interleaved,
        with_ts,
        without,
        lines.len() as u64 + forgotten,
        class.describe()
    );
    Draft {
        code: Code::MultipleTsClocksBehindIp,
        severity,
        summary,
        explanation,
        remedy: REMEDY,
        frames,
        flows,
        evidence: Evidence::Clocks(ClocksEvidence {
            classification: class,
            lines: summary_lines,
            connections_with_ts: with_ts,
            connections_without_ts: without,
            skew_difference_ppm: dskew.map(r3),
            confidence: verdict.confidence,
            interleaved_connections: verdict.interleaved,
        }),
    }
    .about_lines(pair, frames_beyond, flows_beyond)
}

fn rate_findings(cx: &Ctx, pair: &Pair, l: &Line, out: &mut Vec<Finding>, noted: &mut bool) {
    let Some(hz) = l.hz else { return };
    // A rate is evidence only from one connection's own data or from a
    // line that is not chance (clock.rs, "Chance").
    if !(l.significant || l.connections == 1) {
        return;
    }
    let odd_rate = l.odd_rate();
    let changes = l.rate_change();
    if let Some(gaps) = cx.rewritten_times {
        // Against tool-written packet times a TS clock has no rate.
        if (odd_rate || changes.is_some()) && !*noted {
            *noted = true;
            out.push(rewritten_finding(pair, l, hz, gaps));
        }
        return;
    }
    // Linux tcp_usec_ts: a known mode, not an anomaly.
    let usec = odd_rate && l.snapped && hz == 1_000_000.0;
    if usec {
        out.push(usec_finding(pair, l, hz));
    }
    let mut emit = |kind: &'static str, other: Option<f64>, summary: String| {
        let other_text = other
            .map(|o| format!(", but one of its connections measured {o:.3} Hz"))
            .unwrap_or_default();
        out.push(
            Draft {
                code: Code::TsClockRateAnomaly,
                severity: Severity::Info,
                summary,
                explanation: format!(
                    "The timestamp clock of {} (line first seen in frame {}) ticks at \
                        {:.3} Hz{}. RFC 7323 §5.4 recommends 1 ms to 1 s per tick; 10^6 Hz \
                        is Linux tcp_usec_ts.",
                    pair.client, l.first_frame, hz, other_text
                ),
                remedy: RATE_REMEDY,
                frames: l.frames.to_vec(),
                flows: line_flows(l).collect(),
                evidence: Evidence::Rate(RateEvidence {
                    rate_hz: r3(hz),
                    kind,
                    other_rate_hz: other.map(r3),
                }),
            }
            .about_lines(pair, frames_beyond(l), flows_beyond(l)),
        );
    };
    if odd_rate && !usec {
        let kind = "outside_rfc7323";
        emit(
            kind,
            None,
            format!(
                "TS clock of {} ticks at {} ({kind})",
                pair.client,
                fmt_hz(hz, None)
            ),
        );
    }
    if let Some(o) = changes {
        emit(
            "rate_change",
            Some(o),
            format!(
                "TS clock of {} changes rate: {} vs {}",
                pair.client,
                fmt_hz(hz, Some(o)),
                fmt_hz(o, Some(hz))
            ),
        );
    }
}

/// `TS_CLOCK_USEC`: a 1 MHz line, Linux `tcp_usec_ts`: a known mode.
fn usec_finding(pair: &Pair, l: &Line, hz: f64) -> Finding {
    let n = l.connections;
    Draft {
        code: Code::TsClockUsec,
        severity: Severity::Info,
        summary: format!(
            "TS clock of {} ticks at 1 MHz (Linux tcp_usec_ts, a known mode) in {n} \
                connection(s): TSvals wrap every 71.6 min",
            pair.client
        ),
        explanation: format!(
            "The timestamp clock of {} (line first seen in frame {}, {n} connection(s)) \
                ticks at 1 MHz ({hz:.0} Hz measured): Linux >= 6.7 uses a microsecond TS \
                clock on routes with the tcp_usec_ts feature (RTAX_FEATURE_TCP_USEC_TS, \
                614e8316aa4c), chosen by the sender alone, per route. This is a known mode, \
                not an anomaly: RFC 7323 §5.4 allows ticks down to 59 ns. What it changes: \
                the 32-bit TSval wraps every 71.6 min (2^32 µs) instead of every 49.7 days, \
                and Linux therefore relaxes PAWS for a connection idle longer than 2147 s \
                (TCP_PAWS_WRAP, af7721448a60) instead of after 24 days. Peers that keep \
                per-host timestamp state or assume a 1 ms tick can misjudge it.",
            pair.client, l.first_frame
        ),
        remedy: USEC_REMEDY,
        frames: l.frames.to_vec(),
        flows: line_flows(l).collect(),
        evidence: Evidence::Rate(RateEvidence {
            rate_hz: r3(hz),
            kind: "usec_clock",
            other_rate_hz: None,
        }),
    }
    .about_lines(pair, frames_beyond(l), flows_beyond(l))
}

/// TS-08 on a capture whose packet times a tool wrote: no rate, say why.
fn rewritten_finding(pair: &Pair, l: &Line, hz: f64, gaps: u64) -> Finding {
    Draft {
        code: Code::TsClockRateAnomaly,
        severity: Severity::Info,
        summary: format!(
            "TS clock rate of {} not measured: the capture's packet times were rewritten \
                (all {gaps} gaps between segments are whole milliseconds)",
            pair.client
        ),
        explanation: format!(
            "Every one of the {gaps} gaps between consecutive TCP segments of this capture is \
                an exact multiple of 1 ms, which a real capture clock does not produce: a tool \
                wrote these times (a replay, a test generator or an editor). TSvals measured \
                against them give no clock rate (this one would read {}), so none is reported.",
            fmt_hz(hz, None)
        ),
        remedy: RATE_REMEDY,
        frames: l.frames.to_vec(),
        flows: line_flows(l).collect(),
        evidence: Evidence::Rate(RateEvidence {
            rate_hz: r3(hz),
            kind: "capture_times_rewritten",
            other_rate_hz: None,
        }),
    }
    .about_lines(pair, frames_beyond(l), flows_beyond(l))
}

/// The flows a finding about line `l` names: its earliest connections,
/// whose reports the line keeps (the report lists them).
fn line_flows(l: &Line) -> impl Iterator<Item = usize> + '_ {
    l.reports.iter().map(|r| r.index)
}

/// Connections of `l` whose frame the line does not list.
fn frames_beyond(l: &Line) -> u64 {
    u64::from(l.connections).saturating_sub(l.frames.len() as u64)
}

/// Connections of `l` that a finding about it counts but does not name.
fn flows_beyond(l: &Line) -> u64 {
    u64::from(l.connections).saturating_sub(l.reports.len() as u64)
}

/// A rate for a sentence: whole Hz, or as many decimals as it takes to tell
/// it from `other` (never "2 Hz vs 2 Hz").
fn fmt_hz(hz: f64, other: Option<f64>) -> String {
    for digits in 0..4 {
        let a = format!("{hz:.digits$}");
        if other.is_none_or(|o| format!("{o:.digits$}") != a) {
            return format!("{a} Hz");
        }
    }
    format!("{hz:.3} Hz")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_in_words_differ_when_they_differ() {
        assert_eq!(fmt_hz(1000.0, None), "1000 Hz");
        assert_eq!(fmt_hz(2.2, Some(2.4)), "2.2 Hz");
        assert_eq!(fmt_hz(2.4, Some(2.2)), "2.4 Hz");
        assert_eq!(fmt_hz(241.2, Some(188.0)), "241 Hz");
    }
    use crate::analysis::clock;
    use crate::analysis::detectors::unit::testkit::*;
    use crate::analysis::detectors::unit::PairClocks;
    use crate::analysis::flow::Flow;

    /// A connection whose client clock ticks at 1 kHz with `offset`,
    /// starting at `start_ms` and lasting 3 s.
    fn conn(frame: u64, start_ms: i64, cport: u16, offset: u32) -> Flow {
        let v = |ms: i64| offset.wrapping_add(ms as u32);
        flow(&[
            seg(frame, start_ms, true, cport, SYN, Some((v(start_ms), 0))),
            seg(
                frame + 1,
                start_ms + 1,
                false,
                cport,
                SYNACK,
                Some((9, v(start_ms))),
            ),
            seg(
                frame + 2,
                start_ms + 3000,
                true,
                cport,
                ACK,
                Some((v(start_ms + 3000), 9)),
            ),
        ])
    }

    fn clocks_of(flows: &mut [Flow]) -> PairClocks {
        let recs: Vec<clock::ClockRec> = flows
            .iter_mut()
            .enumerate()
            .filter_map(|(i, f)| {
                f.id = i as u32;
                let mut r = clock::ClockRec::of(f)?;
                r.report = Some(alloc::boxed::Box::new(
                    crate::analysis::finish::flow_report(f),
                ));
                Some(r)
            })
            .collect();
        let lines = crate::analysis::cluster::build_lines(&recs, recs.len());
        let class = clock::classify(&lines, 0, CLIENT, SERVER);
        PairClocks {
            lines,
            class: Some(class),
            without_ts: 0,
            forgotten: 0,
        }
    }

    #[test]
    fn two_reused_clocks_are_nat() {
        let mut flows = alloc::vec![
            conn(1, 0, 4000, 1_000_000),
            conn(10, 10_000, 4001, 3_000_000_000),
            conn(20, 20_000, 4002, 1_000_000),
            conn(30, 30_000, 4003, 3_000_000_000),
        ];
        let c = clocks_of(&mut flows);
        let out = run(&mut Clocks, &flows, c);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].code, Code::MultipleTsClocksBehindIp);
        assert_eq!(out[0].severity, Severity::Info);
        assert_eq!(out[0].flows, [0, 1, 2, 3]);
        let Evidence::Clocks(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!(e.lines.len(), 2);
        assert_eq!(e.connections_with_ts, 4);
    }

    #[test]
    fn one_clock_is_no_finding_and_a_fast_clock_is_a_rate_note() {
        let mut flows = alloc::vec![conn(1, 0, 4000, 5), conn(10, 10_000, 4001, 5)];
        let c = clocks_of(&mut flows);
        assert!(run(&mut Clocks, &flows, c).is_empty());

        let fast = |frame: u64, start: i64, cport: u16| {
            let v = |ms: i64| 7 + (ms as u32).wrapping_mul(10_000);
            flow(&[
                seg(frame, start, true, cport, SYN, Some((v(start), 0))),
                seg(
                    frame + 2,
                    start + 3000,
                    true,
                    cport,
                    ACK,
                    Some((v(start + 3000), 9)),
                ),
            ])
        };
        let mut flows = alloc::vec![fast(1, 0, 4000)];
        let c = clocks_of(&mut flows);
        let out = run(&mut Clocks, &flows, c);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].code, Code::TsClockRateAnomaly);
        assert!(out[0].summary.contains("10000000 Hz"), "{}", out[0].summary);
    }

    #[test]
    fn a_usec_clock_is_a_known_mode_not_an_anomaly() {
        // 1 µs per tick over 3 s: Linux tcp_usec_ts.
        let v = |ms: i64| 7 + (ms as u32).wrapping_mul(1000);
        let mut flows = alloc::vec![flow(&[
            seg(1, 0, true, 4000, SYN, Some((v(0), 0))),
            seg(3, 3000, true, 4000, ACK, Some((v(3000), 9))),
        ])];
        let c = clocks_of(&mut flows);
        let out = run(&mut Clocks, &flows, c);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].code, Code::TsClockUsec);
        assert_eq!(out[0].severity, Severity::Info);
        assert!(
            out[0].explanation.contains("71.6 min"),
            "{}",
            out[0].explanation
        );
        assert!(
            out[0].explanation.contains("2147 s"),
            "{}",
            out[0].explanation
        );
        let Evidence::Rate(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!((e.rate_hz, e.kind), (1_000_000.0, "usec_clock"));
    }
}
