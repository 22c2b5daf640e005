//! TS-03 `INFLOW_TSVAL_REGRESSION`.
//!
//! A non-RST segment whose TSval is more than `max(2, 0.2·Hz)` ticks
//! behind the direction's serial maximum (so wraps never count, and
//! reordering within ~200 ms does not). Hz: the client's clock line, else
//! the direction's own rate over ≥ 100 ms, else 1000 Hz (Linux ≥ 4.13).
//! Critical when ≥ 3 duplicate ACKs from the peer follow.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::clock::snap;
use crate::analysis::finding::{Code, Evidence, Finding, RegressionEvidence, Severity};
use crate::analysis::flow::{self, Flow, C2S};

const REMEDY: &str =
    "Find the middlebox that rewrites or fails over TCP timestamps (load balancer, pf \
    `scrub`, SYNPROXY), or the NAT that maps two clients onto one 4-tuple; PAWS drops the \
    older segments (RFC 7323 §5.3 R1, counter TcpExtPAWSEstab).";

/// One direction's regressions; the threshold needs the clock's rate,
/// known only at the end.
#[derive(Clone, Copy, Debug)]
struct Dir {
    regressions: [flow::Regression; 4],
    count: u32,
    worst: flow::Regression,
    dupacks: u32,
    /// The direction's own rate over ≥ 100 ms, snapped.
    own_hz: Option<f64>,
}

/// A flow id and its directions with regressions.
type Candidate = (u32, [Option<Dir>; 2]);

/// TS-03: flows with a regression candidate, per pair, in flow order.
#[derive(Default)]
pub(crate) struct Regression {
    flows: BTreeMap<u32, Vec<Candidate>>,
}

impl Detector for Regression {
    fn flow_done(&mut self, id: u32, f: &Flow) {
        let dir = |d: &flow::Dir| {
            (d.regression_count > 0).then_some(Dir {
                regressions: d.regressions,
                count: d.regression_count,
                worst: d.worst_regression,
                dupacks: d.dupacks_after_regression,
                own_hz: d.own_rate(100_000_000).map(|r| snap(r).0),
            })
        };
        let dirs = [dir(&f.dir[0]), dir(&f.dir[1])];
        if dirs.iter().any(Option::is_some) {
            self.flows.entry(f.pair).or_default().push((id, dirs));
        }
    }

    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        for (&pi, candidates) in &self.flows {
            let Some(pair) = cx.pair(pi) else { continue };
            let (mut frames, mut flows) = (Vec::new(), Vec::new());
            let (mut count, mut worst, mut thr_w, mut hz_w, mut dir_w, mut dup) =
                (0u32, 0i64, 0i64, 0.0, "client_to_server", 0u32);
            for &(id, dirs) in candidates {
                let mut hit = false;
                for (d, dir) in dirs.iter().enumerate() {
                    let Some(dir) = dir else { continue };
                    let hz = (if d == C2S { cx.line_hz(pi, id) } else { None })
                        .or(dir.own_hz)
                        .unwrap_or(1000.0);
                    let thr = ((0.2 * hz) as i64).max(2);
                    if dir.worst.ticks <= thr {
                        continue;
                    }
                    hit = true;
                    let n = dir.count.min(dir.regressions.len() as u32) as usize;
                    for r in dir.regressions.get(..n).unwrap_or(&[]) {
                        if r.ticks > thr {
                            frames.push(r.frame);
                            count += 1;
                        }
                    }
                    frames.push(dir.worst.frame);
                    dup = dup.max(dir.dupacks);
                    if dir.worst.ticks > worst {
                        worst = dir.worst.ticks;
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
                    flows.push(id as usize);
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
                "TSvals went backwards by up to {worst} ticks (threshold {thr_w} at \
                    {hz_w} Hz) inside {} connection(s) between {} and {}",
                flows.len(),
                pair.client,
                pair.server
            );
            let explanation = format!(
                "Timestamps went backwards inside a connection ({count} segments, worst \
                    {worst} ticks, {dir_w}); PAWS (RFC 7323 §5.3 R1) discards these \
                    segments and answers with duplicate ACKs ({dup} seen after the \
                    regression). A regression this large is not reordering: something \
                    rewrote the timestamps or two senders share the connection."
            );
            let flows_affected = flows.len() as u32;
            out.push(
                Draft {
                    code: Code::InflowTsvalRegression,
                    severity,
                    summary,
                    explanation,
                    remedy: REMEDY,
                    frames,
                    flows,
                    evidence: Evidence::Regression(RegressionEvidence {
                        regressions: count.max(1),
                        max_regression_ticks: worst,
                        threshold_ticks: thr_w,
                        rate_hz: hz_w,
                        direction: dir_w,
                        duplicate_acks_after: dup,
                        flows_affected,
                    }),
                }
                .about(pair),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detectors::unit::testkit::*;
    use crate::analysis::detectors::unit::PairClocks;

    /// Client TSvals at 1 ms per tick, then one at `back` ticks behind.
    fn backwards(back: u32, dupacks: usize) -> Flow {
        let mut segs = alloc::vec![
            seg(1, 0, true, 4000, SYN, Some((10_000, 0))),
            seg(2, 1, false, 4000, SYNACK, Some((1, 10_000))),
        ];
        for k in 0..300u32 {
            segs.push(seg(
                3 + k as u64,
                2 + k as i64,
                true,
                4000,
                ACK,
                Some((10_002 + k, 1)),
            ));
        }
        segs.push(seg(400, 400, true, 4000, ACK, Some((10_301 - back, 1))));
        for k in 0..dupacks {
            segs.push(seg(
                401 + k as u64,
                401 + k as i64,
                false,
                4000,
                ACK,
                Some((2, 10_301)),
            ));
        }
        flow(&segs)
    }

    #[test]
    fn a_regression_past_the_threshold_is_reported() {
        let out = run(
            &mut Regression::default(),
            &[backwards(1000, 0)],
            PairClocks::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::InflowTsvalRegression);
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0].frames.contains(&400));
        let Evidence::Regression(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!(e.max_regression_ticks, 1000);
        assert_eq!(
            (e.rate_hz, e.threshold_ticks),
            (1000.0, 200),
            "own rate, snapped"
        );
    }

    #[test]
    fn small_regressions_are_reordering_and_dupacks_escalate() {
        let out = run(
            &mut Regression::default(),
            &[backwards(100, 0)],
            PairClocks::default(),
        );
        assert!(out.is_empty(), "100 ticks < 0.2 s at 1000 Hz");
        let out = run(
            &mut Regression::default(),
            &[backwards(1000, 3)],
            PairClocks::default(),
        );
        assert_eq!(out[0].severity, Severity::Critical);
    }
}
