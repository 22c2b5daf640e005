//! TS-01 `TW_RECYCLE_PER_HOST_PAWS_DROP` and TS-10 `SYN_UNANSWERED`.
//!
//! A connection attempt *failed* when its SYN (and every retransmission)
//! got nothing at all back from the server, and either it was
//! retransmitted or the capture went on for `syn_answer_timeout_ns` (3 s)
//! after it. TS-01 needs, on top: at least one of its SYNs predicted
//! dropped by the per-host stamp (`remembered.rs`: stamp < 60 s old and
//! `(s32)(RemTS − TSval) > 1`, or no TSval: a26552afe894), and another
//! connection to the same server port got a SYN-ACK. Prediction alone
//! never raises anything (tw-recycle-fixed.pcap: TS-less SYNs predicted
//! but served). Failed attempts TS-01 does not explain are TS-10; that is
//! what a client-side capture shows, where the server's per-host state
//! (flows it closed first) is not visible.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

use super::{finding, r3, secs, Ctx};
use crate::analysis::analyzer::Pair;
use crate::analysis::finding::{
    Code, Confidence, Evidence, Finding, Severity, SynUnansweredEvidence, TwRecycleEvidence,
};
use crate::analysis::flow::Flow;

const TS01_REMEDY: &str = "On the server: `sysctl -w net.ipv4.tcp_tw_recycle=0` and persist it in /etc/sysctl.conf (or move to Linux >= 4.12, which removed the option); verify with `nstat -az TcpExtPAWSPassive` and `ip tcp_metrics show` (clear with `ip tcp_metrics flush`). If the server cannot be changed: `net.ipv4.tcp_timestamps=0` on ALL hosts and containers behind the client address, in every network namespace (`docker run --sysctl net.ipv4.tcp_timestamps=0`, compose `sysctls:`); disabling it on only some still gets their TS-less SYNs dropped (a26552afe894). For a single physical host on Linux >= 4.10, `net.ipv4.tcp_timestamps=2` in every namespace gives all of them offset 0, i.e. one shared clock. Or avoid the NAT.";

const TS10_REMEDY: &str = "Differential test: retry with `net.ipv4.tcp_timestamps=0` in the client's network namespace (`docker run --sysctl net.ipv4.tcp_timestamps=0`, or `sysctl -w net.ipv4.tcp_timestamps=0` on the host). If that connects, the server drops by per-host PAWS: ask its operator to set `net.ipv4.tcp_tw_recycle=0` or upgrade to Linux >= 4.12 (see TW_RECYCLE_PER_HOST_PAWS_DROP). Capture at the server or outside the NAT to confirm; otherwise check firewalls on the path and the server's listen queue (`nstat -az TcpExtListenDrops`).";

const LONE_REMEDY: &str = "Nothing to fix from this capture alone. If these attempts matter, \
capture where both directions and the client's retransmissions are visible.";

/// Nothing came back (an ACK of a SYN-ACK the capture missed is an answer:
/// `Flow::unanswered`), and the SYN was retransmitted or the capture went
/// on for the answer timeout.
fn failed(cx: &Ctx, f: &Flow) -> bool {
    f.unanswered()
        && f.probe.is_none()
        && (retried(f)
            || cx.end_ns.saturating_sub(f.syn_first_ns) >= cx.config.syn_answer_timeout_ns)
}

/// Every stack retransmits an unanswered SYN within 3 s (Linux and macOS
/// after 1 s, Windows after 3 s). A lone SYN never retransmitted is a
/// scanner, an attempt the application abandoned, or a capture that lacks
/// the client's retries: not a connection seen to fail.
fn retried(f: &Flow) -> bool {
    f.syns.total >= 2
}

fn syn_frames(f: &Flow, only_predicted: bool) -> impl Iterator<Item = u64> + '_ {
    f.syns
        .as_slice()
        .iter()
        .enumerate()
        .filter(move |(k, _)| !only_predicted || f.predicted_mask & (1u8 << k) != 0)
        .map(|(_, &fr)| fr)
}

pub(crate) fn run(cx: &Ctx, out: &mut Vec<Finding>) {
    for (pi, pair) in cx.pairs.iter().enumerate() {
        let mut by_port: BTreeMap<u16, Vec<u32>> = BTreeMap::new();
        for &fi in &pair.flows {
            if let Some(f) = cx.flow(fi) {
                if failed(cx, f) {
                    by_port.entry(f.sport).or_default().push(fi);
                }
            }
        }
        for (port, failed_flows) in by_port {
            let served = cx.served.get(&(pair.server, port)).copied().unwrap_or(0);
            let (ts01, ts10): (Vec<u32>, Vec<u32>) = failed_flows.iter().partition(|&&fi| {
                served > 0 && cx.flow(fi).map(|f| f.predicted > 0).unwrap_or(false)
            });
            if !ts01.is_empty() {
                out.push(ts01_finding(cx, pi, pair, port, served, &ts01));
            }
            let (retry, lone): (Vec<u32>, Vec<u32>) = ts10
                .iter()
                .partition(|&&fi| cx.flow(fi).map(retried).unwrap_or(false));
            if !retry.is_empty() {
                out.push(ts10_finding(cx, pair, port, served, &retry));
            }
            if !lone.is_empty() {
                out.push(lone_finding(cx, pair, port, served, &lone));
            }
        }
    }
}

fn ts01_finding(
    cx: &Ctx,
    pi: usize,
    pair: &Pair,
    port: u16,
    served: u32,
    flows: &[u32],
) -> Finding {
    let mut frames = Vec::new();
    let (mut dropped, mut no_ts, mut worst) = (0u32, 0u32, 0i64);
    let mut first = None;
    for f in flows.iter().filter_map(|&i| cx.flow(i)) {
        frames.extend(syn_frames(f, true));
        dropped += f.predicted;
        no_ts += f.predicted_no_ts;
        if let Some(p) = f.prediction {
            frames.push(p.rem_frame);
            if let Some(v) = p.syn_tsval {
                worst = worst.max(crate::analysis::serial::diff(p.rem_ts, v) as i64);
            }
            if first.is_none() {
                first = Some(p);
            }
        }
    }
    let p = first.unwrap_or(crate::analysis::flow::Prediction {
        syn_tsval: None,
        rem_ts: 0,
        rem_frame: 0,
        age_ns: 0,
    });
    let lines = cx.lines_of(pi).len() as u32;
    let nat = cx
        .classes
        .get(pi)
        .map(|c| c.class.is_nat())
        .unwrap_or(false);
    let confidence = if dropped >= 2 && nat {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let behind = p
        .syn_tsval
        .map(|v| crate::analysis::serial::diff(p.rem_ts, v) as i64);
    let summary = format!(
        "{}:{} silently dropped {} SYNs ({} connections) from {}: TSvals up to {} ticks older than the {} it remembered from this address {:.1} s before (tcp_tw_recycle per-host PAWS)",
        pair.server, port, dropped, flows.len(), pair.client, worst, p.rem_ts, secs(p.age_ns)
    );
    let explanation = format!(
        "The server silently dropped SYNs whose timestamp was older than the last one it remembered from this IP in the previous 60 s: {} SYNs in {} connection attempts from {} got neither a SYN-ACK nor a RST, while {} other connections to port {} were served. The first dropped SYN carried TSval {}, {} ticks behind the TSval {} that the server remembered from frame {} ({:.3} s earlier), when it closed a connection from this address first.{} That is net.ipv4.tcp_tw_recycle=1 on Linux <= 4.11 (tcp_peer_is_proven(); counter PAWSPassive). {}",
        dropped,
        flows.len(),
        pair.client,
        served,
        port,
        p.syn_tsval.map(|v| format!("{v}")).unwrap_or_else(|| "none (no timestamp option)".into()),
        behind.unwrap_or(0),
        p.rem_ts,
        p.rem_frame,
        secs(p.age_ns),
        if no_ts > 0 { format!(" {no_ts} of the dropped SYNs carried no timestamp at all: since a26552afe894 such SYNs are dropped too while a stamp is fresh.") } else { alloc::string::String::new() },
        if lines >= 2 {
            format!("This address carries {lines} independent timestamp clocks: several hosts or containers share it through NAT, and each has its own clock, so the ones whose clock is behind are refused.")
        } else {
            "The clients behind this address (host and containers behind NAT) each have their own timestamp clock; the ones whose clock is behind are refused.".into()
        }
    );
    finding(
        Code::TwRecyclePerHostPawsDrop,
        Severity::Critical,
        summary,
        explanation,
        TS01_REMEDY,
        frames,
        flows.iter().map(|&i| i as usize).collect(),
        pair,
        Evidence::TwRecycle(TwRecycleEvidence {
            syn_tsval: p.syn_tsval,
            remembered_tsval: p.rem_ts,
            remembered_age_s: r3(secs(p.age_ns)),
            remembered_frame: p.rem_frame,
            tsval_behind_by: behind,
            server_port: port,
            dropped_syns: dropped,
            dropped_syns_without_ts: no_ts,
            failed_connections: flows.len() as u32,
            served_connections: served,
            client_clock_lines: lines,
            confidence,
        }),
    )
}

fn ts10_finding(cx: &Ctx, pair: &Pair, port: u16, served: u32, flows: &[u32]) -> Finding {
    let mut frames = Vec::new();
    let (mut syns, mut with_ts, mut waited, mut visible) = (0u32, 0u32, 0i64, false);
    for f in flows.iter().filter_map(|&i| cx.flow(i)) {
        frames.extend(syn_frames(f, false));
        syns += f.syns.total;
        with_ts += f.syns_with_ts;
        let until = if f.syns.total >= 2 {
            f.syn_last_ns
        } else {
            cx.end_ns
        };
        waited = waited.max(until.saturating_sub(f.syn_first_ns));
        visible |= f.prediction.is_some();
    }
    let n = flows.len() as u32;
    let retrans = syns.saturating_sub(n);
    let summary = format!(
        "{n} connection attempts from {} to {}:{} got no answer ({syns} SYNs, {retrans} retransmissions, waited up to {:.1} s)",
        pair.client, pair.server, port, secs(waited)
    );
    let why = if with_ts > 0 {
        "The SYNs carry TCP timestamps. When the client is behind NAT (a container, a home or carrier NAT), a server with per-host PAWS (net.ipv4.tcp_tw_recycle=1, Linux <= 4.11) silently drops exactly such SYNs whenever another host behind the same address recently used a higher timestamp clock, while those other hosts connect fine. This capture does not show the server's per-host state (it was taken at the client or inside the NAT), so that cannot be confirmed here. Other causes: a firewall dropping silently, or the server being down or overloaded (listen queue full)."
    } else {
        "The SYNs carry no timestamps, so per-host PAWS can only be involved if other SYNs from the same address carry them (a26552afe894). Likely causes: a firewall dropping silently, or the server being down or overloaded (listen queue full)."
    };
    let explanation = format!(
        "{n} connection attempts from {} to {}:{} were never answered: {syns} SYNs including {retrans} retransmissions got neither a SYN-ACK nor a RST, the longest attempt waited {:.1} s; {served} connections to that port were served in this capture. {why}",
        pair.client, pair.server, port, secs(waited)
    );
    finding(
        Code::SynUnanswered,
        Severity::Warning,
        summary,
        explanation,
        TS10_REMEDY,
        frames,
        flows.iter().map(|&i| i as usize).collect(),
        pair,
        Evidence::SynUnanswered(SynUnansweredEvidence {
            server_port: port,
            failed_connections: n,
            syns,
            retransmissions: retrans,
            syns_with_ts: with_ts,
            waited_s: r3(secs(waited)),
            served_connections: served,
            per_host_state_visible: visible,
        }),
    )
}

/// Lone SYNs never retransmitted: info, they show no failing connection.
fn lone_finding(cx: &Ctx, pair: &Pair, port: u16, served: u32, flows: &[u32]) -> Finding {
    let frames: Vec<u64> = flows
        .iter()
        .filter_map(|&i| cx.flow(i))
        .flat_map(|f| syn_frames(f, false))
        .collect();
    let with_ts: u32 = flows
        .iter()
        .filter_map(|&i| cx.flow(i))
        .map(|f| f.syns_with_ts)
        .sum();
    let n = flows.len() as u32;
    let summary = format!(
        "{n} SYN(s) from {} to {}:{port} got no answer and were never retransmitted",
        pair.client, pair.server
    );
    let explanation = format!(
        "{n} connection attempt(s) from {} to {}:{port} sent one SYN each and nothing came back, \
         yet the client never retransmitted, although every TCP stack retransmits an unanswered \
         SYN within 3 s (Linux and macOS after 1 s, Windows after 3 s) and the capture went on \
         for longer. So this is a port scan, an attempt the application abandoned, or a \
         capture that lacks the client's later packets; it shows no connection failing. \
         {served} connection(s) to that port were served in this capture.",
        pair.client, pair.server
    );
    finding(
        Code::SynUnanswered,
        Severity::Info,
        summary,
        explanation,
        LONE_REMEDY,
        frames,
        flows.iter().map(|&i| i as usize).collect(),
        pair,
        Evidence::SynUnanswered(SynUnansweredEvidence {
            server_port: port,
            failed_connections: n,
            syns: n,
            retransmissions: 0,
            syns_with_ts: with_ts,
            waited_s: 0.0,
            served_connections: served,
            per_host_state_visible: false,
        }),
    )
}
