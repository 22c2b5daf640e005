//! TS-04 `TS_OPTION_STRIPPED_OR_INJECTED` and `TS_NOT_NEGOTIATED`.
//!
//! "TS missing after negotiation" counts only segments whose options area
//! was complete in the capture (a snaplen cut proves nothing) and never
//! RSTs (RFC 7323 §3.2 only says SHOULD for them). The two-vantage-point
//! case needs two captures and is left to the caller.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

use super::{finding, Ctx};
use crate::analysis::finding::{
    Code, Evidence, Finding, NotNegotiatedEvidence, OptionsEvidence, Severity,
};

const REMEDY: &str = "Stop TCP option scrubbing or rewriting on the firewall, load balancer or NAT between the hosts (e.g. Cisco ASA `tcp-options timestamp allow`, pf `scrub` without `reassemble tcp`); the two stacks then negotiate timestamps end to end.";
const NN_REMEDY: &str = "Nothing to fix if intended: the server has TCP timestamps off (`net.ipv4.tcp_timestamps=0`, or Windows' default). Enable them (`sysctl -w net.ipv4.tcp_timestamps=1`, `netsh int tcp set global timestamps=enabled`) for PAWS protection and better RTT estimates.";

pub(crate) fn run(cx: &Ctx, out: &mut Vec<Finding>) {
    for pair in cx.pairs {
        let (mut frames, mut flows) = (Vec::new(), Vec::new());
        let (mut injected, mut missing, mut nops, mut malformed) = (0u32, 0u32, 0u32, 0u32);
        let mut nn: BTreeMap<u16, (Vec<u64>, Vec<usize>)> = BTreeMap::new();
        for &fi in &pair.flows {
            let Some(f) = cx.flow(fi) else { continue };
            let before = frames.len();
            if let Some(fr) = f.synack_ts_without_syn_ts {
                injected += 1;
                frames.push(fr);
                frames.extend_from_slice(f.syns.as_slice());
            }
            for d in &f.dir {
                missing += d.missing_ts.total;
                frames.extend_from_slice(d.missing_ts.as_slice());
            }
            nops += f.nop_runs.total;
            frames.extend_from_slice(f.nop_runs.as_slice());
            malformed += f.malformed.total;
            frames.extend_from_slice(f.malformed.as_slice());
            if frames.len() > before {
                flows.push(fi as usize);
            }
            if let Some(fr) = f.not_negotiated {
                let e = nn.entry(f.sport).or_default();
                e.0.push(fr);
                e.0.extend(f.syns.first());
                e.1.push(fi as usize);
            }
        }
        if !flows.is_empty() {
            let summary = format!(
                "TS option tampering between {} and {}: {injected} SYN-ACKs with TS after a SYN without, {missing} segments without TS after negotiation, {nops} runs of >= 10 NOPs, {malformed} malformed TS options",
                pair.client, pair.server
            );
            let explanation = format!(
                "The TCP timestamp option was removed, added or mangled on the path in {} connection(s). Once both sides negotiated timestamps, RFC 7323 §3.2 requires the option in every non-RST segment; a SYN-ACK must not carry it unless the SYN did; ten or more NOPs in a row are what a box leaves when it overwrites an option with NOPs; a kind-8 option must be 10 bytes long. Receivers may drop such segments (RFC 7323 §3.2, FreeBSD with tolerate_missing_ts=0).",
                flows.len()
            );
            out.push(finding(
                Code::TsOptionStrippedOrInjected,
                Severity::Warning,
                summary,
                explanation,
                REMEDY,
                frames,
                flows.clone(),
                pair,
                Evidence::Options(OptionsEvidence {
                    synack_ts_without_syn_ts: injected,
                    missing_after_negotiation: missing,
                    nop_runs_of_10_or_more: nops,
                    malformed_ts_options: malformed,
                    flows_affected: flows.len() as u32,
                }),
            ));
        }
        for (port, (frames, flows)) in nn {
            let n = flows.len() as u32;
            out.push(finding(
                Code::TsNotNegotiated,
                Severity::Info,
                format!("{}:{port} answered {n} SYNs carrying timestamps without the option: timestamps off on the server", pair.server),
                format!("{n} connection(s) from {} sent a SYN with the timestamp option and got a SYN-ACK without it, so timestamps are not used on them (RFC 7323 §3.2). This is normal when the server has timestamps disabled (Windows' default); it is evidence of a middlebox only when another vantage point shows the option present.", pair.client),
                NN_REMEDY,
                frames,
                flows,
                pair,
                Evidence::NotNegotiated(NotNegotiatedEvidence { connections: n, server_port: port }),
            ));
        }
    }
}
