//! TS-03 `INFLOW_TSVAL_REGRESSION`.
//!
//! A non-RST segment whose TSval is more than `max(2, 0.2·Hz)` ticks
//! behind the direction's serial maximum (so wraps never count, and
//! reordering within ~200 ms does not). Hz: the client's clock line, else
//! the direction's own rate over ≥ 100 ms, else 1000 Hz (Linux ≥ 4.13).
//! Warning; critical when ≥ 3 duplicate ACKs from the peer follow and
//! the connection made no progress after the last regression (the peer
//! never acknowledged past what it had acknowledged when that segment
//! came): PAWS kept discarding and the connection stalled. When the
//! acknowledged data advanced afterwards, the retransmissions got through
//! and the connection was only slowed (spec TS-03; lab `paws-estab`).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::clock::snap;
use crate::analysis::finding::{Code, Evidence, Finding, RegressionEvidence, Severity};
use crate::analysis::flow::{self, Flow, C2S};

const REMEDY: &str =
    "Find the middlebox that rewrites or fails over TCP timestamps (load balancer, pf \
    `scrub`, SYNPROXY, an NFQUEUE or eBPF helper), or the NAT that maps two clients onto \
    one 4-tuple, and stop it from touching TSval; PAWS drops the older segments (RFC 7323 \
    §5.3 R1). Confirm on the receiver with `nstat -az TcpExtPAWSEstab`: it counts one per \
    discarded segment.";

/// One direction's regressions; the threshold needs the clock's rate,
/// known only at the end.
#[derive(Clone, Copy, Debug)]
struct Dir {
    regressions: [flow::Regression; 4],
    count: u32,
    worst: flow::Regression,
    dupacks: u32,
    /// The most recent regression (of any size past 2 ticks).
    latest: flow::Regression,
    /// The highest acknowledgment number the peer sent in the whole flow.
    peer_max_ack: Option<u32>,
    /// The direction's own rate over ≥ 100 ms, snapped.
    own_hz: Option<f64>,
}

impl Dir {
    /// Whether the peer acknowledged new data after `r`: the connection
    /// progressed past that segment (a peer with no acknowledgment before
    /// it and one after it progressed too).
    fn progressed_after(&self, r: &flow::Regression) -> bool {
        match (r.peer_ack, self.peer_max_ack) {
            (Some(m), Some(a)) => crate::analysis::serial::after(a, m),
            (None, a) => a.is_some(),
            (Some(_), None) => false,
        }
    }
}

/// A flow id and its directions with regressions.
type Candidate = (u32, [Option<Dir>; 2]);

/// TS-03: flows with a regression candidate, per pair, in flow order.
#[derive(Default)]
pub(crate) struct Regression {
    flows: BTreeMap<u32, Vec<Candidate>>,
}

impl Detector for Regression {
    fn flow_done(&mut self, id: u32, f: &Flow) -> bool {
        let dir = |d: &flow::Dir, peer: &flow::Dir| {
            (d.regression_count > 0).then_some(Dir {
                regressions: d.rare().regressions,
                count: d.regression_count,
                worst: d.rare().worst_regression,
                dupacks: d.dupacks_after_regression,
                latest: d.rare().latest_regression,
                peer_max_ack: peer.max_ack,
                own_hz: d.own_rate(100_000_000).map(|r| snap(r).0),
            })
        };
        let dirs = [dir(&f.dir[0], &f.dir[1]), dir(&f.dir[1], &f.dir[0])];
        let any = dirs.iter().any(Option::is_some);
        if any {
            self.flows.entry(f.pair).or_default().push((id, dirs));
        }
        any
    }

    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        for (&pi, candidates) in &mut self.flows {
            // Retirement order is not creation order; the report is.
            candidates.sort_unstable_by_key(|c| c.0);
            let Some(pair) = cx.pair(pi) else { continue };
            let (mut frames, mut flows) = (Vec::new(), Vec::new());
            let (mut count, mut worst, mut thr_w, mut hz_w, mut dir_w, mut dup) =
                (0u32, 0i64, 0i64, 0.0, "client_to_server", 0u32);
            // Regression frames (for the text), flows whose connection
            // stalled after its last regression, and the duplicate ACKs
            // that followed a stall.
            let (mut shown, mut stalled, mut stalled_dup) = (Vec::new(), 0u32, 0u32);
            for &(id, dirs) in candidates.iter() {
                let (mut hit, mut flow_stalled) = (false, false);
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
                    // The last regression past the threshold that the flow
                    // kept (the first few, the worst, the latest).
                    let mut last = dir.worst;
                    for r in dir.regressions.get(..n).unwrap_or(&[]) {
                        if r.ticks > thr {
                            frames.push(r.frame);
                            shown.push(r.frame);
                            count += 1;
                            if r.frame > last.frame {
                                last = *r;
                            }
                        }
                    }
                    if dir.latest.ticks > thr && dir.latest.frame > last.frame {
                        last = dir.latest;
                        frames.push(last.frame);
                    }
                    frames.push(dir.worst.frame);
                    shown.push(dir.worst.frame);
                    dup = dup.max(dir.dupacks);
                    if !dir.progressed_after(&last) {
                        flow_stalled = true;
                        stalled_dup = stalled_dup.max(dir.dupacks);
                    }
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
                    stalled += u32::from(flow_stalled);
                }
            }
            if flows.is_empty() {
                continue;
            }
            // Critical only when the connection stalled: duplicate ACKs
            // and retransmissions with no acknowledged progress after.
            let severity = if stalled_dup >= 3 {
                Severity::Critical
            } else {
                Severity::Warning
            };
            shown.sort_unstable();
            shown.dedup();
            let mut frame_list: Vec<String> =
                shown.iter().take(8).map(|f| format!("{f}")).collect();
            if count as usize > frame_list.len() {
                frame_list.push(String::from("..."));
            }
            let frame_list = frame_list.join(", ");
            let outcome = if stalled == 0 {
                String::from("the connection still progressed")
            } else if severity == Severity::Critical {
                format!("{stalled} connection(s) stalled")
            } else {
                format!(
                    "{stalled} connection(s) made no progress after the last one, with fewer \
                        than 3 duplicate ACKs there"
                )
            };
            let summary = format!(
                "TSvals went backwards by up to {worst} ticks (threshold {thr_w} at \
                    {hz_w} Hz) in {count} segment(s) inside {} connection(s) between {} and \
                    {}; {dup} duplicate ACKs followed and {outcome}",
                flows.len(),
                pair.client,
                pair.server
            );
            let consequence = if stalled == 0 {
                String::from(
                    "After each, the receiver acknowledged new data again: the sender's \
                        retransmissions (carrying a current TSval) got through, so the \
                        connection progressed and was only slowed, by about one round trip \
                        and a retransmission per discarded segment. It is degraded, not \
                        failed, but every further segment that arrives with an old TSval is \
                        lost the same way, and if all of them did the connection would \
                        stall.",
                )
            } else {
                format!(
                    "In {stalled} connection(s) the receiver acknowledged no new data after \
                        the last of them: the retransmissions were discarded too, never \
                        came, or the capture ended first; a connection that stalls this way \
                        fails."
                )
            };
            let explanation = format!(
                "Timestamps went backwards inside a connection: {count} segment(s) \
                    ({dir_w}; frames {frame_list}) carried a TSval up to {worst} ticks \
                    behind the highest one already sent, more than reordering explains \
                    (threshold {thr_w} ticks at {hz_w} Hz). The receiver's PAWS check \
                    (RFC 7323 §5.3 R1; Linux counts TcpExtPAWSEstab) discards such a \
                    segment and answers with a duplicate ACK ({dup} duplicate ACKs seen \
                    after the first of them). {consequence} A regression this large means \
                    something on the path rewrote the timestamps or two senders share \
                    the connection."
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
                        stalled_flows: stalled,
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
        flow(&backwards_segs(back, dupacks))
    }

    /// [`backwards`]'s segments.
    fn backwards_segs(back: u32, dupacks: usize) -> Vec<crate::Segment> {
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
        segs
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
        let Evidence::Regression(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!(e.stalled_flows, 1, "the server never acknowledged past it");
        assert!(out[0].summary.contains("stalled"), "{}", out[0].summary);
    }

    #[test]
    fn dupacks_then_progress_is_a_warning() {
        // The PAWS drop, 3 duplicate ACKs, then the client's retransmission
        // (current TSval) gets through and the server acknowledges new data:
        // the connection progressed (lab paws-estab).
        let mut segs = backwards_segs(1000, 3);
        let mut retx = seg(410, 410, true, 4000, ACK, Some((10_302, 2)));
        retx.payload_len = 200;
        segs.push(retx);
        let mut ack = seg(411, 411, false, 4000, ACK, Some((3, 10_302)));
        ack.ack = 1201;
        segs.push(ack);
        let out = run(
            &mut Regression::default(),
            &[flow(&segs)],
            PairClocks::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Warning);
        let Evidence::Regression(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!((e.duplicate_acks_after, e.stalled_flows), (3, 0));
        assert!(
            out[0].summary.contains("still progressed"),
            "{}",
            out[0].summary
        );
        assert!(
            out[0].explanation.contains("frames 400"),
            "{}",
            out[0].explanation
        );
    }
}
