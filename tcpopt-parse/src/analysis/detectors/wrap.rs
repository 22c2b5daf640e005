//! TS-07 `TSVAL_WRAP`: an unsigned decrease that is a serial increase
//! (normal, info), and flows idle past the PAWS horizons: > 2147 s on
//! 1 MHz clocks (Linux ≥ 6.7's TCP_PAWS_WRAP), > 24 days on 1 kHz clocks.
//! The spec's "matches Hz·Δt within 5 %" is checked when the rate is known
//! and the step spans ≥ 10 ms; otherwise any positive serial step counts.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::finding::{Code, Evidence, Finding, Severity, WrapEvidence};
use crate::analysis::flow::{Flow, C2S};
use crate::analysis::report::{r3, secs};
use crate::analysis::state::Pair;

const REMEDY: &str =
    "Nothing to fix: TSvals wrap at 2^32 and serial arithmetic (RFC 7323 §5.2) handles it. \
    If connections stay idle past the PAWS horizon, use keepalives \
    (`net.ipv4.tcp_keepalive_time`) so TS.Recent stays valid.";

/// The shortest PAWS horizon (1 MHz clocks, s·1e9): idling less never counts.
const MIN_HORIZON_NS: i64 = 2_147_000_000_000;

/// One direction's wrap and idle data.
#[derive(Clone, Copy, Debug)]
struct Dir {
    wraps: u32,
    wrap_first: Option<(u64, u32, u32, i64)>,
    max_idle_ns: i64,
    first_frame: u64,
    /// The direction's own rate over ≥ 2 s (used for the server side).
    own_hz: Option<f64>,
}

/// TS-07: flows with a wrap or a long idle, per pair, in flow order.
#[derive(Default)]
pub(crate) struct Wrap {
    flows: BTreeMap<u32, Vec<(u32, [Dir; 2])>>,
}

impl Detector for Wrap {
    fn flow_done(&mut self, id: u32, f: &Flow) -> bool {
        if !f
            .dir
            .iter()
            .any(|d| d.rare().wrap_first.is_some() || d.max_idle_ns > MIN_HORIZON_NS)
        {
            return false;
        }
        let dir = |d: &crate::analysis::flow::Dir| Dir {
            wraps: d.wraps,
            wrap_first: d.rare().wrap_first,
            max_idle_ns: d.max_idle_ns,
            first_frame: d.first_frame,
            own_hz: d.own_rate(2_000_000_000),
        };
        let dirs = [dir(&f.dir[0]), dir(&f.dir[1])];
        self.flows.entry(f.pair).or_default().push((id, dirs));
        true
    }

    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        for (&pi, candidates) in &mut self.flows {
            // Retirement order is not creation order; the report is.
            candidates.sort_unstable_by_key(|c| c.0);
            let Some(pair) = cx.pair(pi) else { continue };
            let (mut frames, mut flows) = (Vec::new(), Vec::new());
            let (mut wraps, mut idle_flows, mut max_idle) = (0u32, 0u32, 0i64);
            let mut first: Option<(u32, u32, Option<f64>)> = None;
            for &(id, dirs) in candidates.iter() {
                let mut hit = false;
                for (d, dir) in dirs.iter().enumerate() {
                    let hz = if d == C2S {
                        cx.line_hz(pi, id)
                    } else {
                        dir.own_hz
                    };
                    if let Some((frame, before, after, dt)) = dir.wrap_first {
                        let step = after.wrapping_sub(before) as f64;
                        let plausible = match hz {
                            Some(h) if dt >= 10_000_000 => step <= h * secs(dt) * 1.05 + 2.0,
                            _ => true,
                        };
                        if plausible {
                            wraps += dir.wraps;
                            frames.push(frame);
                            hit = true;
                            if first.is_none() {
                                first = Some((before, after, hz));
                            }
                        }
                    }
                    let horizon = match hz {
                        Some(h) if h >= 100_000.0 => Some(MIN_HORIZON_NS),
                        Some(h) if h >= 500.0 => Some(24 * 86_400 * 1_000_000_000i64),
                        _ => None,
                    };
                    if let Some(hor) = horizon {
                        if dir.max_idle_ns > hor {
                            idle_flows += 1;
                            max_idle = max_idle.max(dir.max_idle_ns);
                            frames.push(dir.first_frame);
                            hit = true;
                        }
                    }
                }
                if hit {
                    flows.push(id as usize);
                }
            }
            if flows.is_empty() {
                continue;
            }
            let (b, a, hz) = first.unwrap_or((0, 0, None));
            let (summary, explanation) = texts(pair, wraps, (b, a), idle_flows, max_idle);
            out.push(
                Draft {
                    code: Code::TsvalWrap,
                    severity: Severity::Info,
                    summary,
                    explanation,
                    remedy: REMEDY,
                    frames,
                    flows,
                    evidence: Evidence::Wrap(WrapEvidence {
                        wraps,
                        before: b,
                        after: a,
                        long_idle_flows: idle_flows,
                        max_idle_s: r3(secs(max_idle)),
                        rate_hz: hz.map(r3),
                    }),
                }
                .about(pair),
            );
        }
    }
}

/// Says only what happened: wraps, flows idle past the horizon, or both
/// (never "0 wraps").
fn texts(
    pair: &Pair,
    wraps: u32,
    (b, a): (u32, u32),
    idle: u32,
    max_idle: i64,
) -> (String, String) {
    let idle_text = format!(
        "{idle} flow(s) stayed idle longer than the PAWS horizon of their clock (max {:.0} s), \
        after which the peer's TS.Recent is stale.",
        secs(max_idle)
    );
    if wraps == 0 {
        return (
            format!(
                "{idle} flow(s) between {} and {} idle past the PAWS horizon (max {:.0} s)",
                pair.client,
                pair.server,
                secs(max_idle)
            ),
            idle_text,
        );
    }
    let mut summary = format!(
        "{wraps} TSval wrap(s) past 2^32 between {} and {} ({b} -> {a})",
        pair.client, pair.server
    );
    let mut explanation = format!(
        "The 32-bit TSval wrapped around {wraps} time(s) ({b} -> {a}): normal, a serial \
        increase (a 1 kHz clock wraps every 49.7 days, a 1 MHz clock every 71.6 min)."
    );
    if idle > 0 {
        summary.push_str(&format!("; {idle} flow(s) idle past the PAWS horizon"));
        explanation.push(' ');
        explanation.push_str(&idle_text);
    }
    (summary, explanation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detectors::unit::testkit::*;
    use crate::analysis::detectors::unit::PairClocks;

    fn wrapping(after: u32) -> Flow {
        flow(&[
            seg(1, 0, true, 4000, SYN, Some((0xFFFF_FF00, 0))),
            seg(2, 1, false, 4000, SYNACK, Some((9, 0xFFFF_FF00))),
            seg(3, 300, true, 4000, ACK, Some((after, 9))),
        ])
    }

    #[test]
    fn a_serial_increase_across_zero_is_a_wrap() {
        let out = run(
            &mut Wrap::default(),
            &[wrapping(0x20)],
            PairClocks::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::TsvalWrap);
        assert_eq!(out[0].frames, [3]);
        let Evidence::Wrap(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!((e.wraps, e.before, e.after), (1, 0xFFFF_FF00, 0x20));
    }

    #[test]
    fn no_wrap_no_finding() {
        let out = run(
            &mut Wrap::default(),
            &[wrapping(0xFFFF_FF80)],
            PairClocks::default(),
        );
        assert!(out.is_empty());
    }
}
