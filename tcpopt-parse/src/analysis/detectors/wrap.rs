//! TS-07 `TSVAL_WRAP`: an unsigned decrease that is a serial increase
//! (normal, info), and flows idle past the PAWS horizons: > 2147 s on
//! 1 MHz clocks (Linux ≥ 6.7's TCP_PAWS_WRAP), > 24 days on 1 kHz clocks.
//! The spec's "matches Hz·Δt within 5 %" is checked when the rate is known
//! and the step spans ≥ 10 ms; otherwise any positive serial step counts.

use alloc::format;
use alloc::vec::Vec;

use super::{finding, r3, secs, Ctx};
use crate::analysis::finding::{Code, Evidence, Finding, Severity, WrapEvidence};
use crate::analysis::flow::C2S;

const REMEDY: &str = "Nothing to fix: TSvals wrap at 2^32 and serial arithmetic (RFC 7323 §5.2) handles it. If connections stay idle past the PAWS horizon, use keepalives (`net.ipv4.tcp_keepalive_time`) so TS.Recent stays valid.";

pub(crate) fn run(cx: &Ctx, out: &mut Vec<Finding>) {
    for pair in cx.pairs {
        let (mut frames, mut flows) = (Vec::new(), Vec::new());
        let (mut wraps, mut idle_flows, mut max_idle) = (0u32, 0u32, 0i64);
        let mut first: Option<(u32, u32, Option<f64>)> = None;
        for &fi in &pair.flows {
            let Some(f) = cx.flow(fi) else { continue };
            let mut hit = false;
            for (d, dir) in f.dir.iter().enumerate() {
                let hz = if d == C2S {
                    cx.line_hz(f)
                } else {
                    dir.own_rate(2_000_000_000)
                };
                if let Some((frame, before, after, dt)) = dir.wrap_first {
                    let step = after.wrapping_sub(before) as f64;
                    let plausible = match hz {
                        Some(h) if dt >= 10_000_000 => {
                            let exp = h * secs(dt);
                            step <= exp * 1.05 + 2.0
                        }
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
                    Some(h) if h >= 100_000.0 => Some(2_147_000_000_000i64),
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
                flows.push(fi as usize);
            }
        }
        if flows.is_empty() {
            continue;
        }
        let (b, a, hz) = first.unwrap_or((0, 0, None));
        // Say only what happened: wraps, idle flows, or both.
        let idle = format!(
            "{idle_flows} flow(s) stayed idle longer than the PAWS horizon of their clock (max {:.0} s), after which the peer's TS.Recent is stale.",
            secs(max_idle)
        );
        let (summary, explanation) = if wraps == 0 {
            (
                format!("{idle_flows} flow(s) between {} and {} idle past the PAWS horizon (max {:.0} s)", pair.client, pair.server, secs(max_idle)),
                idle,
            )
        } else {
            let mut s = format!(
                "{wraps} TSval wrap(s) past 2^32 between {} and {} ({b} -> {a})",
                pair.client, pair.server
            );
            if idle_flows > 0 {
                s.push_str(&format!(
                    "; {idle_flows} flow(s) idle past the PAWS horizon"
                ));
            }
            let mut e = format!("The 32-bit TSval wrapped around {wraps} time(s) ({b} -> {a}): normal, a serial increase (a 1 kHz clock wraps every 49.7 days, a 1 MHz clock every 71.6 min).");
            if idle_flows > 0 {
                e.push(' ');
                e.push_str(&idle);
            }
            (s, e)
        };
        out.push(finding(
            Code::TsvalWrap,
            Severity::Info,
            summary,
            explanation,
            REMEDY,
            frames,
            flows,
            pair,
            Evidence::Wrap(WrapEvidence {
                wraps,
                before: b,
                after: a,
                long_idle_flows: idle_flows,
                max_idle_s: r3(secs(max_idle)),
                rate_hz: hz.map(r3),
            }),
        ));
    }
}
