//! TS-03 `INFLOW_TSVAL_REGRESSION`.
//!
//! A non-RST segment whose TSval is more than `max(2, 0.2·Hz)` ticks
//! behind the direction's serial maximum (so wraps never count, and
//! reordering within ~200 ms does not). Hz: the client's clock line, else
//! the direction's own rate over ≥ 100 ms, else 1000 Hz (Linux ≥ 4.13).
//! Critical when ≥ 3 duplicate ACKs from the peer follow.

use alloc::format;
use alloc::vec::Vec;

use super::{finding, Ctx};
use crate::analysis::clock::snap;
use crate::analysis::finding::{Code, Evidence, Finding, RegressionEvidence, Severity};
use crate::analysis::flow::C2S;

const REMEDY: &str = "Find the middlebox that rewrites or fails over TCP timestamps (load balancer, pf `scrub`, SYNPROXY), or the NAT that maps two clients onto one 4-tuple; PAWS drops the older segments (RFC 7323 §5.3 R1, counter TcpExtPAWSEstab).";

pub(crate) fn run(cx: &Ctx, out: &mut Vec<Finding>) {
    for pair in cx.pairs {
        let (mut frames, mut flows) = (Vec::new(), Vec::new());
        let (mut count, mut worst, mut thr_w, mut hz_w, mut dir_w, mut dup) =
            (0u32, 0i64, 0i64, 0.0, "client_to_server", 0u32);
        for &fi in &pair.flows {
            let Some(f) = cx.flow(fi) else { continue };
            let mut hit = false;
            for d in 0..2 {
                let dir = &f.dir[d];
                if dir.regression_count == 0 {
                    continue;
                }
                let hz = (if d == C2S { cx.line_hz(f) } else { None })
                    .or_else(|| dir.own_rate(100_000_000).map(|r| snap(r).0))
                    .unwrap_or(1000.0);
                let thr = {
                    let t = (0.2 * hz) as i64;
                    if t < 2 {
                        2
                    } else {
                        t
                    }
                };
                if dir.worst_regression.ticks <= thr {
                    continue;
                }
                hit = true;
                let n = dir.regression_count.min(dir.regressions.len() as u32) as usize;
                for r in dir.regressions.get(..n).unwrap_or(&[]) {
                    if r.ticks > thr {
                        frames.push(r.frame);
                        count += 1;
                    }
                }
                frames.push(dir.worst_regression.frame);
                dup = dup.max(dir.dupacks_after_regression);
                if dir.worst_regression.ticks > worst {
                    worst = dir.worst_regression.ticks;
                    thr_w = thr;
                    hz_w = hz;
                    dir_w = if d == C2S {
                        "client_to_server"
                    } else {
                        "server_to_client"
                    };
                }
            }
            if hit {
                flows.push(fi as usize);
            }
        }
        if flows.is_empty() {
            continue;
        }
        let severity = if dup >= 3 {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let summary = format!(
            "TSvals went backwards by up to {worst} ticks (threshold {thr_w} at {hz_w} Hz) inside {} connection(s) between {} and {}",
            flows.len(),
            pair.client,
            pair.server
        );
        let explanation = format!(
            "Timestamps went backwards inside a connection ({count} segments, worst {worst} ticks, {dir_w}); PAWS (RFC 7323 §5.3 R1) discards these segments and answers with duplicate ACKs ({dup} seen after the regression). A regression this large is not reordering: something rewrote the timestamps or two senders share the connection."
        );
        out.push(finding(
            Code::InflowTsvalRegression,
            severity,
            summary,
            explanation,
            REMEDY,
            frames,
            flows.clone(),
            pair,
            Evidence::Regression(RegressionEvidence {
                regressions: count.max(1),
                max_regression_ticks: worst,
                threshold_ticks: thr_w,
                rate_hz: hz_w,
                direction: dir_w,
                duplicate_acks_after: dup,
                flows_affected: flows.len() as u32,
            }),
        ));
    }
}
