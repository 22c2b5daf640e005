//! TS-04 `TS_OPTION_STRIPPED_OR_INJECTED` and `TS_NOT_NEGOTIATED`.
//!
//! "TS missing after negotiation" counts only segments whose options area
//! was complete in the capture (a snaplen cut proves nothing) and never
//! RSTs (RFC 7323 §3.2 only says SHOULD for them). The two-vantage-point
//! case needs two captures and is left to the caller.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::finding::{
    Code, Evidence, Finding, NotNegotiatedEvidence, OptionsEvidence, Severity,
};
use crate::analysis::flow::Flow;

const REMEDY: &str =
    "Stop TCP option scrubbing or rewriting on the firewall, load balancer or NAT between \
    the hosts: Cisco ASA `tcp-options timestamp allow` in the tcp-map (its `clear` removes the \
    option), Palo Alto PAN-OS: clear \"Remove TCP Timestamp\" in the zone protection profile, \
    Linux: an `iptables -j TCPOPTSTRIP --strip-options timestamp` rule, or a netfilter SYNPROXY \
    without `--timestamp`; pf `scrub` without `reassemble tcp`. The two stacks then negotiate \
    timestamps end to end. `tcpopt correlate` on a capture from each side of the box shows \
    what the path changed between them.";
const NN_REMEDY: &str = "Nothing to fix if intended: the server has TCP timestamps off \
    (`net.ipv4.tcp_timestamps=0`, or Windows' default). Enable them (`sysctl -w \
    net.ipv4.tcp_timestamps=1`, `netsh int tcp set global timestamps=enabled`) for PAWS \
    protection and better RTT estimates.";

/// What one pair showed so far.
#[derive(Default)]
struct PairAcc {
    frames: Vec<u64>,
    flows: Vec<usize>,
    injected: u32,
    missing: u32,
    nops: u32,
    malformed: u32,
    beyond: u64,
    /// Server port → (frames, flows) of SYN-ACKs without TS after a SYN with.
    not_negotiated: BTreeMap<u16, (Vec<u64>, Vec<usize>)>,
}

/// TS-04 and TS_NOT_NEGOTIATED, per pair.
#[derive(Default)]
pub(crate) struct Options {
    pairs: BTreeMap<u32, PairAcc>,
}

impl Detector for Options {
    fn flow_done(&mut self, id: u32, f: &Flow) -> bool {
        let tampered = f.synack_ts_without_syn_ts.is_some()
            || f.dir.iter().any(|d| d.rare().missing_ts.total > 0)
            || f.nop_runs.total > 0
            || f.malformed.total > 0;
        if !tampered && f.not_negotiated.is_none() {
            return false;
        }
        let acc = self.pairs.entry(f.pair).or_default();
        let before = acc.frames.len();
        if let Some(fr) = f.synack_ts_without_syn_ts {
            acc.injected += 1;
            acc.frames.push(fr);
            acc.frames.extend_from_slice(f.syns.as_slice());
        }
        for d in &f.dir {
            let m = &d.rare().missing_ts;
            acc.missing += m.total;
            acc.frames.extend_from_slice(m.as_slice());
            acc.beyond += m.beyond();
        }
        acc.nops += f.nop_runs.total;
        acc.frames.extend_from_slice(f.nop_runs.as_slice());
        acc.beyond += f.nop_runs.beyond() + f.malformed.beyond();
        acc.malformed += f.malformed.total;
        acc.frames.extend_from_slice(f.malformed.as_slice());
        if acc.frames.len() > before {
            acc.flows.push(id as usize);
        }
        if let Some(fr) = f.not_negotiated {
            let e = acc.not_negotiated.entry(f.sport).or_default();
            e.0.push(fr);
            e.0.extend(f.syns.first());
            e.1.push(id as usize);
        }
        true
    }

    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        for (&pi, acc) in &mut self.pairs {
            let Some(pair) = cx.pair(pi) else { continue };
            if !acc.flows.is_empty() {
                let (injected, missing, nops, malformed) =
                    (acc.injected, acc.missing, acc.nops, acc.malformed);
                let summary = format!(
                    "TS option tampering between {} and {}: {injected} SYN-ACKs with TS \
                        after a SYN without, {missing} segments without TS after \
                        negotiation, {nops} runs of >= 10 NOPs, {malformed} malformed TS \
                        options",
                    pair.client, pair.server
                );
                let explanation = format!(
                    "The TCP timestamp option was removed, added or mangled on the path \
                        in {} connection(s). Once both sides negotiated timestamps, RFC \
                        7323 §3.2 requires the option in every non-RST segment; a SYN-ACK \
                        must not carry it unless the SYN did; ten or more NOPs in a row are \
                        what a box leaves when it overwrites an option with NOPs; a kind-8 \
                        option must be 10 bytes long. Receivers may drop such segments (RFC \
                        7323 §3.2, FreeBSD with tolerate_missing_ts=0).",
                    acc.flows.len()
                );
                let flows_affected = acc.flows.len() as u32;
                out.push(
                    Draft {
                        code: Code::TsOptionStrippedOrInjected,
                        severity: Severity::Warning,
                        summary,
                        explanation,
                        remedy: REMEDY,
                        frames: core::mem::take(&mut acc.frames),
                        flows: core::mem::take(&mut acc.flows),
                        evidence: Evidence::Options(OptionsEvidence {
                            synack_ts_without_syn_ts: injected,
                            missing_after_negotiation: missing,
                            nop_runs_of_10_or_more: nops,
                            malformed_ts_options: malformed,
                            flows_affected,
                        }),
                    }
                    .about_cut(pair, acc.beyond),
                );
            }
            for (port, (frames, flows)) in core::mem::take(&mut acc.not_negotiated) {
                let n = flows.len() as u32;
                out.push(
                    Draft {
                        code: Code::TsNotNegotiated,
                        severity: Severity::Info,
                        summary: format!(
                            "{}:{port} answered {n} SYNs carrying timestamps without the \
                            option: timestamps off on the server",
                            pair.server
                        ),
                        explanation: format!(
                            "{n} connection(s) from {} sent a SYN with the timestamp option \
                            and got a SYN-ACK without it, so timestamps are not used on \
                            them (RFC 7323 §3.2). This is normal when the server has \
                            timestamps disabled (Windows' default); it is evidence of a \
                            middlebox only when another vantage point shows the option \
                            present.",
                            pair.client
                        ),
                        remedy: NN_REMEDY,
                        frames,
                        flows,
                        evidence: Evidence::NotNegotiated(NotNegotiatedEvidence {
                            connections: n,
                            server_port: port,
                        }),
                    }
                    .about(pair),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detectors::unit::testkit::*;
    use crate::analysis::detectors::unit::PairClocks;

    #[test]
    fn ts_missing_after_negotiation_and_nop_runs_are_tampering() {
        let mut nops = seg(4, 3, true, 4000, ACK, Some((102, 9)));
        nops.max_nop_run = 10;
        let mut cut = seg(5, 4, true, 4000, ACK, None);
        cut.options_complete = false;
        let f = flow(&[
            seg(1, 0, true, 4000, SYN, Some((100, 0))),
            seg(2, 1, false, 4000, SYNACK, Some((9, 100))),
            seg(3, 2, true, 4000, ACK, None),
            nops,
            cut,
        ]);
        let out = run(&mut Options::default(), &[f], PairClocks::default());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::TsOptionStrippedOrInjected);
        assert_eq!(out[0].frames, [3, 4], "a cut options area proves nothing");
        let Evidence::Options(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!(
            (e.missing_after_negotiation, e.nop_runs_of_10_or_more),
            (1, 1)
        );
    }

    #[test]
    fn synack_without_ts_is_not_negotiated() {
        let f = flow(&[
            seg(1, 0, true, 4000, SYN, Some((100, 0))),
            seg(2, 1, false, 4000, SYNACK, None),
            seg(3, 2, true, 4000, ACK, None),
        ]);
        let out = run(&mut Options::default(), &[f], PairClocks::default());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::TsNotNegotiated);
        assert_eq!(out[0].frames, [2, 1]);
        assert_eq!(out[0].severity, Severity::Info);
    }
}
