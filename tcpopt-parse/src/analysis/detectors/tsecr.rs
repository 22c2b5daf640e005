//! TS-05 `TSECR_MISMATCH`.
//!
//! The peer's TSvals are not kept (memory would grow with packets); a
//! TSecr is accepted when it lies in the serial range the peer used: not
//! older than the peer's first TSval when the flow's start was seen, not
//! newer than its newest plus what a 1 MHz clock could have sent since
//! (captures lose packets). The SYN-ACK's TSecr must lie within the SYNs'
//! TSvals. The bare ACK that answers a SYN from TIME_WAIT echoes the
//! previous connection and belongs to TS-02.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::finding::{Code, Evidence, Finding, Severity, TsecrEvidence};
use crate::analysis::flow::Flow;

const REMEDY: &str =
    "Find the box that rewrites TCP timestamps (pf `scrub reassemble tcp` timestamp \
    modulation, netfilter SYNPROXY, a load balancer or TCP proxy) and disable its timestamp \
    rewriting, or make it rewrite both directions consistently.";

/// What one pair showed so far.
#[derive(Default)]
struct PairAcc {
    frames: Vec<u64>,
    flows: Vec<usize>,
    bad: u32,
    zero: u32,
    outside: u32,
    beyond: u64,
    /// The first flow's example (by id): (flow, (TSecr, peer min, max)).
    example: Option<(u32, (u32, u32, u32))>,
    /// The constant `TSecr − peer's last TSval`: None before the first
    /// mismatch, Some(None) once they differ.
    k: Option<Option<i64>>,
}

/// TS-05, per pair.
#[derive(Default)]
pub(crate) struct Tsecr {
    pairs: BTreeMap<u32, PairAcc>,
}

impl Detector for Tsecr {
    fn flow_done(&mut self, id: u32, f: &Flow) -> bool {
        let any = f.synack_tsecr_outside.is_some()
            || f.dir
                .iter()
                .any(|d| d.rare().tsecr_bad.total > 0 || d.rare().tsecr_zero.total > 0);
        if !any {
            return false;
        }
        let acc = self.pairs.entry(f.pair).or_default();
        let before = acc.frames.len();
        if let Some(fr) = f.synack_tsecr_outside {
            acc.outside += 1;
            acc.frames.push(fr);
            acc.frames.extend(f.syns.first());
        }
        for d in &f.dir {
            let r = d.rare();
            if r.tsecr_bad.total > 0 {
                acc.bad += r.tsecr_bad.total;
                acc.frames.extend_from_slice(r.tsecr_bad.as_slice());
                acc.beyond += r.tsecr_bad.beyond();
                if acc.example.is_none_or(|(first, _)| id < first) {
                    acc.example = Some((id, r.tsecr_example));
                }
                let this = if d.tsecr_k_const { d.tsecr_k } else { None };
                acc.k = Some(match acc.k {
                    None => this,
                    Some(prev) if prev == this => prev,
                    Some(_) => None,
                });
            }
            acc.zero += r.tsecr_zero.total;
            acc.frames.extend_from_slice(r.tsecr_zero.as_slice());
            acc.beyond += r.tsecr_zero.beyond();
        }
        if acc.frames.len() > before {
            acc.flows.push(id as usize);
        }
        true
    }

    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        for (&pi, acc) in &mut self.pairs {
            let Some(pair) = cx.pair(pi) else { continue };
            if acc.flows.is_empty() {
                continue;
            }
            let (bad, zero, outside) = (acc.bad, acc.zero, acc.outside);
            let severity = if bad + outside > 0 {
                Severity::Warning
            } else {
                Severity::Info
            };
            let (e, lo, hi) = acc.example.map(|x| x.1).unwrap_or((0, 0, 0));
            let k = acc.k.flatten();
            let summary = format!(
                "{} echoed TSecr values never sent by the peer between {} and {} \
                    ({outside} SYN-ACKs outside the SYN's TSvals, {zero} ACKs with TSecr 0)",
                bad + outside,
                pair.client,
                pair.server
            );
            let modulation = match k {
                Some(k) => format!(
                    "; every mismatch differs from the peer's TSval by the same {k}: \
                    timestamp modulation (pf scrub or SYNPROXY)"
                ),
                None => alloc::string::String::new(),
            };
            let explanation = format!(
                "With ACK set, a TSecr must echo a TSval the peer recently sent (RFC \
                    7323 §3.2). Here {bad} segments echoed values outside the peer's range \
                    (e.g. {e}, peer sent {lo}..{hi}){modulation}. A SYN-ACK whose TSecr is \
                    outside the SYN's TSvals makes a Linux client send a RST (PAWSActive); \
                    on Linux >= 6.15 a bad third ACK triggers a challenge ACK \
                    (TSEcrRejected). {zero} segments had ACK set and TSecr 0."
            );
            let flows_affected = acc.flows.len() as u32;
            out.push(
                Draft {
                    code: Code::TsecrMismatch,
                    severity,
                    summary,
                    explanation,
                    remedy: REMEDY,
                    frames: core::mem::take(&mut acc.frames),
                    flows: core::mem::take(&mut acc.flows),
                    evidence: Evidence::Tsecr(TsecrEvidence {
                        mismatches: bad,
                        zero_tsecr_with_ack: zero,
                        example_tsecr: e,
                        peer_tsval_min: lo,
                        peer_tsval_max: hi,
                        constant_difference: k,
                        synack_outside_syn_range: outside,
                        flows_affected,
                    }),
                }
                .about_cut(pair, acc.beyond),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detectors::unit::testkit::*;
    use crate::analysis::detectors::unit::PairClocks;

    #[test]
    fn echoes_the_peer_never_sent_are_mismatches_with_a_constant_difference() {
        let f = flow(&[
            seg(1, 0, true, 4000, SYN, Some((100, 0))),
            seg(2, 1, false, 4000, SYNACK, Some((9, 100))),
            seg(3, 2, true, 4000, ACK, Some((101, 9))),
            seg(4, 3, false, 4000, ACK, Some((10, 101 + 5_000_000))),
            seg(5, 4, false, 4000, ACK, Some((11, 101 + 5_000_000))),
        ]);
        let out = run(&mut Tsecr::default(), &[f], PairClocks::default());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Warning);
        assert_eq!(out[0].frames, [4, 5]);
        let Evidence::Tsecr(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!(e.mismatches, 2);
        assert_eq!(e.constant_difference, Some(5_000_000));
    }

    #[test]
    fn synack_echo_outside_the_syns_and_honest_echoes() {
        let bad = flow(&[
            seg(1, 0, true, 4000, SYN, Some((100, 0))),
            seg(2, 1, false, 4000, SYNACK, Some((9, 42))),
        ]);
        let out = run(&mut Tsecr::default(), &[bad], PairClocks::default());
        assert_eq!(out[0].frames, [2, 1]);
        let good = flow(&[
            seg(1, 0, true, 4000, SYN, Some((100, 0))),
            seg(2, 1, false, 4000, SYNACK, Some((9, 100))),
            seg(3, 2, true, 4000, ACK, Some((101, 9))),
            seg(4, 3, false, 4000, ACK, Some((10, 101))),
        ]);
        assert!(run(&mut Tsecr::default(), &[good], PairClocks::default()).is_empty());
    }
}
