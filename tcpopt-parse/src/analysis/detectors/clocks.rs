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
        let (class, dskew) = cx
            .classes
            .get(pi)
            .copied()
            .unwrap_or((crate::analysis::ClockClass::NoTimestamps, None));
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
            for l in lines {
                for &fi in &l.flows {
                    if let Some(f) = cx.flows.get(fi) {
                        frames.push(f.dir[C2S].first_frame);
                    }
                    flows.push(fi);
                }
            }
            flows.sort_unstable();
            let summary_lines: Vec<LineSummary> = lines
                .iter()
                .map(|l| LineSummary {
                    connections: l.flows.len() as u32,
                    first_frame: l.first_frame,
                    rate_hz: l.hz.map(r3),
                    offset: l.offset(),
                })
                .collect();
            let counts: Vec<String> = lines.iter().map(|l| format!("{}", l.flows.len())).collect();
            let summary = format!(
                "{} TS clocks behind {} towards {} (NAT): clock lines of {} connections",
                lines.len(),
                pair.client,
                pair.server,
                counts.join(", ")
            );
            let explanation = format!(
                "Several independent TCP timestamp clocks share this IP, which means NAT: {} clock lines, each reused across several connections (an inner host keeps its clock across its connections), {} connections with timestamps and {} without. Classification: {}. Servers that keep per-IP timestamp state (tcp_tw_recycle) will drop some of these clients.",
                lines.len(),
                with_ts,
                without,
                class.describe()
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
                }),
            ));
        }
        for l in lines {
            let Some(hz) = l.hz else { continue };
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
            if !(1.0..=1000.0 * 1.02).contains(&hz) {
                let kind = if l.snapped && hz == 1_000_000.0 {
                    "usec_clock"
                } else {
                    "outside_rfc7323"
                };
                emit(
                    kind,
                    None,
                    format!("TS clock of {} ticks at {:.0} Hz ({kind})", pair.client, hz),
                );
            }
            if let Some(&o) = l
                .flow_rates
                .iter()
                .find(|&&r| r > hz * 1.05 || r < hz * 0.95)
            {
                emit(
                    "rate_change",
                    Some(o),
                    format!(
                        "TS clock of {} changes rate: {:.0} Hz vs {:.0} Hz",
                        pair.client, hz, o
                    ),
                );
            }
        }
    }
}
