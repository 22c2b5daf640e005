//! TS-06 `MULTIPLE_TS_CLOCKS_BEHIND_IP` and TS-08 `TS_CLOCK_RATE_ANOMALY`.
//!
//! TS-06 is raised only for the NAT classes of `clock::classify`: at least
//! two lines each reused by ≥ 2 connections, together carrying at least
//! half of the pair's TS connections. An inner host keeps its clock across
//! its connections; a kernel with per-connection offsets gives nearly every
//! connection its own line (per-connection-offsets.pcap), which is not NAT
//! and raises nothing. Severity: info; warning when the same pair also has
//! TS-01 (the server drops its SYNs; the spec's "warn if S drops SYNs").

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::{finding, r3, Ctx};
use crate::analysis::finding::{
    ClocksEvidence, Code, Evidence, Finding, LineSummary, RateEvidence, Severity,
};
use crate::analysis::flow::C2S;

const REMEDY: &str = "Nothing to fix by itself. If servers keep per-address timestamp state (net.ipv4.tcp_tw_recycle=1, Linux <= 4.11), set `net.ipv4.tcp_timestamps=0` in every host and container behind the address (`docker run --sysctl net.ipv4.tcp_timestamps=0`), or `=2` in every network namespace of one physical host (one shared clock), or avoid the NAT.";
const RATE_REMEDY: &str = "Informational. A 1 MHz clock is Linux `tcp_usec_ts` (`ip route ... features tcp_usec_ts`, Linux >= 6.7): its TSvals wrap every 71.6 min, so peers with per-host PAWS state may misjudge it; other rates outside 1 Hz..1 kHz violate RFC 7323 §5.4.";

pub(crate) fn run(cx: &Ctx, out: &mut Vec<Finding>, escalate: &BTreeSet<(String, String)>) {
    for (pi, pair) in cx.pairs.iter().enumerate() {
        let lines = cx.lines_of(pi);
        let Some(verdict) = cx.classes.get(pi).copied() else {
            continue;
        };
        let (class, dskew) = (verdict.class, verdict.skew_difference_ppm);
        let with_ts = lines.iter().map(|l| l.flows.len()).sum::<usize>() as u32;
        let without = pair
            .flows
            .iter()
            .filter_map(|&i| cx.flow(i))
            .filter(|f| !f.dir[C2S].has_ts() && f.probe.is_none())
            .count() as u32;
        if class.is_nat() {
            let key = (
                alloc::string::ToString::to_string(&pair.client),
                alloc::string::ToString::to_string(&pair.server),
            );
            let severity = if escalate.contains(&key) {
                Severity::Warning
            } else {
                Severity::Info
            };
            let mut frames = Vec::new();
            let mut flows = Vec::new();
            let clocks: Vec<&crate::analysis::clock::Line> =
                lines.iter().filter(|l| l.significant).collect();
            for l in &clocks {
                for &fi in &l.flows {
                    if let Some(f) = cx.flows.get(fi) {
                        frames.push(f.dir[C2S].first_frame);
                    }
                    flows.push(fi);
                }
            }
            flows.sort_unstable();
            let summary_lines: Vec<LineSummary> = clocks
                .iter()
                .map(|l| LineSummary {
                    connections: l.flows.len() as u32,
                    first_frame: l.first_frame,
                    rate_hz: l.hz.map(r3),
                    offset: l.offset(),
                })
                .collect();
            let counts: Vec<String> = clocks
                .iter()
                .map(|l| format!("{}", l.flows.len()))
                .collect();
            let sure = match verdict.confidence {
                crate::analysis::Confidence::High => "high",
                crate::analysis::Confidence::Medium => "medium",
            };
            let summary = format!(
                "{} TS clocks behind {} towards {} (NAT, confidence {sure}): clock lines of {} connections, {} connection(s) started while another clock was in use",
                clocks.len(),
                pair.client,
                pair.server,
                counts.join(", "),
                verdict.interleaved
            );
            let explanation = format!(
                "Several independent TCP timestamp clocks share this IP, which means NAT: {} clock lines, each reused across several connections (an inner host keeps its clock across its connections) and too many to be chance alignments of per-connection offsets, in use at the same time: {} connection(s) started on one clock while another clock was in use, which one host with one clock cannot do. {} connections with timestamps and {} without; {} line(s) in all. Classification: {}. Confidence {sure}: {}. Servers that keep per-IP timestamp state (tcp_tw_recycle) will drop some of these clients.",
                clocks.len(),
                verdict.interleaved,
                with_ts,
                without,
                lines.len(),
                class.describe(),
                if sure == "high" {
                    "the clocks interleave repeatedly and each carries at least 3 connections"
                } else {
                    "the clocks interleave only once or carry only 2 connections each"
                }
            );
            out.push(finding(
                Code::MultipleTsClocksBehindIp,
                severity,
                summary,
                explanation,
                REMEDY,
                frames,
                flows,
                pair,
                Evidence::Clocks(ClocksEvidence {
                    classification: class,
                    lines: summary_lines,
                    connections_with_ts: with_ts,
                    connections_without_ts: without,
                    skew_difference_ppm: dskew.map(r3),
                    confidence: verdict.confidence,
                    interleaved_connections: verdict.interleaved,
                }),
            ));
        }
        let mut rewritten_noted = false;
        for l in lines {
            let Some(hz) = l.hz else { continue };
            // A rate is evidence only from one connection's own data or
            // from a line that is not chance (clock.rs, "Chance").
            if !(l.significant || l.flows.len() == 1) {
                continue;
            }
            let frames: Vec<u64> = l
                .flows
                .iter()
                .filter_map(|&i| cx.flows.get(i))
                .map(|f| f.dir[C2S].first_frame)
                .collect();
            let mut emit = |kind: &'static str, other: Option<f64>, summary: String| {
                out.push(finding(
                    Code::TsClockRateAnomaly,
                    Severity::Info,
                    summary,
                    format!(
                        "The timestamp clock of {} (line first seen in frame {}) ticks at {:.3} Hz{}. RFC 7323 §5.4 recommends 1 ms to 1 s per tick; 10^6 Hz is Linux tcp_usec_ts.",
                        pair.client,
                        l.first_frame,
                        hz,
                        other.map(|o| format!(", but one of its connections measured {o:.3} Hz")).unwrap_or_default()
                    ),
                    RATE_REMEDY,
                    frames.clone(),
                    l.flows.clone(),
                    pair,
                    Evidence::Rate(RateEvidence { rate_hz: r3(hz), kind, other_rate_hz: other.map(r3) }),
                ));
            };
            let odd_rate = !(1.0..=1000.0 * 1.02).contains(&hz);
            let changes = l
                .flow_rates
                .iter()
                .find(|&&r| r > hz * 1.05 || r < hz * 0.95)
                .copied();
            if let Some(gaps) = cx.rewritten_times {
                // Against tool-written packet times a TS clock has no rate.
                if (odd_rate || changes.is_some()) && !rewritten_noted {
                    rewritten_noted = true;
                    out.push(finding(
                        Code::TsClockRateAnomaly,
                        Severity::Info,
                        format!(
                            "TS clock rate of {} not measured: the capture's packet times were rewritten \
                             (all {gaps} gaps between segments are whole milliseconds)",
                            pair.client
                        ),
                        format!(
                            "Every one of the {gaps} gaps between consecutive TCP segments of this capture \
                             is an exact multiple of 1 ms, which a real capture clock does not produce: a \
                             tool wrote these times (a replay, a test generator or an editor). TSvals \
                             measured against them give no clock rate (this one would read {}), so none is \
                             reported.",
                            fmt_hz(hz, None)
                        ),
                        RATE_REMEDY,
                        frames.clone(),
                        l.flows.clone(),
                        pair,
                        Evidence::Rate(RateEvidence {
                            rate_hz: r3(hz),
                            kind: "capture_times_rewritten",
                            other_rate_hz: None,
                        }),
                    ));
                }
                continue;
            }
            if odd_rate {
                let kind = if l.snapped && hz == 1_000_000.0 {
                    "usec_clock"
                } else {
                    "outside_rfc7323"
                };
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
    }
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
    use super::fmt_hz;

    #[test]
    fn rates_in_words_differ_when_they_differ() {
        assert_eq!(fmt_hz(1000.0, None), "1000 Hz");
        assert_eq!(fmt_hz(2.2, Some(2.4)), "2.2 Hz");
        assert_eq!(fmt_hz(2.4, Some(2.2)), "2.4 Hz");
        assert_eq!(fmt_hz(241.2, Some(188.0)), "241 Hz");
    }
}
