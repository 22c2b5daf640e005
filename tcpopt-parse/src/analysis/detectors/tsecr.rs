//! TS-05 `TSECR_MISMATCH`.
//!
//! The peer's TSvals are not kept (memory would grow with packets); a
//! TSecr is accepted when it lies in the serial range the peer used: not
//! older than the peer's first TSval when the flow's start was seen, not
//! newer than its newest plus what a 1 MHz clock could have sent since
//! (captures lose packets). The SYN-ACK's TSecr must lie within the SYNs'
//! TSvals. The bare ACK that answers a SYN from TIME_WAIT echoes the
//! previous connection and belongs to TS-02.

use alloc::format;
use alloc::vec::Vec;

use super::{finding, Ctx};
use crate::analysis::finding::{Code, Evidence, Finding, Severity, TsecrEvidence};

const REMEDY: &str = "Find the box that rewrites TCP timestamps (pf `scrub reassemble tcp` timestamp modulation, netfilter SYNPROXY, a load balancer or TCP proxy) and disable its timestamp rewriting, or make it rewrite both directions consistently.";

pub(crate) fn run(cx: &Ctx, out: &mut Vec<Finding>) {
    for pair in cx.pairs {
        let (mut frames, mut flows) = (Vec::new(), Vec::new());
        let (mut bad, mut zero, mut outside) = (0u32, 0u32, 0u32);
        let mut example = None;
        let mut k: Option<Option<i64>> = None;
        for &fi in &pair.flows {
            let Some(f) = cx.flow(fi) else { continue };
            let before = frames.len();
            if let Some(fr) = f.synack_tsecr_outside {
                outside += 1;
                frames.push(fr);
                frames.extend(f.syns.first());
            }
            for d in &f.dir {
                if d.tsecr_bad.total > 0 {
                    bad += d.tsecr_bad.total;
                    frames.extend_from_slice(d.tsecr_bad.as_slice());
                    if example.is_none() {
                        example = Some(d.tsecr_example);
                    }
                    let this = if d.tsecr_k_const { d.tsecr_k } else { None };
                    k = Some(match k {
                        None => this,
                        Some(prev) if prev == this => prev,
                        Some(_) => None,
                    });
                }
                zero += d.tsecr_zero.total;
                frames.extend_from_slice(d.tsecr_zero.as_slice());
            }
            if frames.len() > before {
                flows.push(fi as usize);
            }
        }
        if flows.is_empty() {
            continue;
        }
        let severity = if bad + outside > 0 {
            Severity::Warning
        } else {
            Severity::Info
        };
        let (e, lo, hi) = example.unwrap_or((0, 0, 0));
        let k = k.flatten();
        let summary = format!(
            "{} echoed TSecr values never sent by the peer between {} and {} ({outside} SYN-ACKs outside the SYN's TSvals, {zero} ACKs with TSecr 0)",
            bad + outside,
            pair.client,
            pair.server
        );
        let explanation = format!(
            "With ACK set, a TSecr must echo a TSval the peer recently sent (RFC 7323 §3.2). Here {bad} segments echoed values outside the peer's range (e.g. {e}, peer sent {lo}..{hi}){}. A SYN-ACK whose TSecr is outside the SYN's TSvals makes a Linux client send a RST (PAWSActive); on Linux >= 6.15 a bad third ACK triggers a challenge ACK (TSEcrRejected). {zero} segments had ACK set and TSecr 0.",
            match k {
                Some(k) => format!("; every mismatch differs from the peer's TSval by the same {k}: timestamp modulation (pf scrub or SYNPROXY)"),
                None => alloc::string::String::new(),
            }
        );
        out.push(finding(
            Code::TsecrMismatch,
            severity,
            summary,
            explanation,
            REMEDY,
            frames,
            flows.clone(),
            pair,
            Evidence::Tsecr(TsecrEvidence {
                mismatches: bad,
                zero_tsecr_with_ack: zero,
                example_tsecr: e,
                peer_tsval_min: lo,
                peer_tsval_max: hi,
                constant_difference: k,
                synack_outside_syn_range: outside,
                flows_affected: flows.len() as u32,
            }),
        ));
    }
}
