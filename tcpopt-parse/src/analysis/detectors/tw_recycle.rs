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

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::vec::Vec;
use core::net::IpAddr;

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::finding::{
    Code, Confidence, Evidence, Finding, Severity, SynUnansweredEvidence, TwRecycleEvidence,
};
use crate::analysis::flow::{Flow, Frames, IcmpAnswer, Prediction};
use crate::analysis::report::{r3, secs};
use crate::analysis::serial;
use crate::analysis::state::Pair;

const TS01_REMEDY: &str = "On the server: `sysctl -w net.ipv4.tcp_tw_recycle=0` and persist it \
    in /etc/sysctl.conf (or move to Linux >= 4.12, which removed the option); verify with \
    `nstat -az TcpExtPAWSPassive` and `ip tcp_metrics show` (clear with `ip tcp_metrics \
    flush`). If the server cannot be changed: `net.ipv4.tcp_timestamps=0` on ALL hosts and \
    containers behind the client address, in every network namespace (`docker run --sysctl \
    net.ipv4.tcp_timestamps=0`, compose `sysctls:`); disabling it on only some still gets \
    their TS-less SYNs dropped (a26552afe894). That workaround has a cost: without timestamps \
    a SYN cookie cannot keep the client's window scale and SACK-permitted, so whenever the \
    server answers with SYN cookies (its SYN queue overflowed, or `net.ipv4.tcp_syncookies=2`) \
    those connections run without window scaling and without SACK. For a single physical host \
    on Linux >= 4.10, `net.ipv4.tcp_timestamps=2` in every namespace gives all of them offset \
    0, i.e. one shared clock (checked: host and container namespaces then show one clock \
    line). Or avoid the NAT.";

const TS10_REMEDY: &str =
    "Differential test: retry with `net.ipv4.tcp_timestamps=0` in the client's network \
    namespace (`docker run --sysctl net.ipv4.tcp_timestamps=0`, or `sysctl -w \
    net.ipv4.tcp_timestamps=0` on the host). If that connects, the server drops by per-host \
    PAWS: ask its operator to set `net.ipv4.tcp_tw_recycle=0` or upgrade to Linux >= 4.12 \
    (see TW_RECYCLE_PER_HOST_PAWS_DROP). Capture at the server or outside the NAT to \
    confirm; otherwise check firewalls on the path and the server's listen queue (`nstat \
    -az TcpExtListenDrops`).";

/// An attempt whose SYNs got nothing back (whether it *failed* depends on
/// the capture's end time, known only at the end).
#[derive(Clone, Copy, Debug)]
struct Attempt {
    id: u32,
    syns: Frames<8>,
    syns_with_ts: u32,
    syn_first_ns: i64,
    syn_last_ns: i64,
    predicted_mask: u8,
    predicted: u32,
    predicted_no_ts: u32,
    prediction: Option<Prediction>,
    icmp: Option<IcmpAnswer>,
}

impl Attempt {
    /// Retransmitted, or the capture went on for the answer timeout.
    fn failed(&self, cx: &Ctx) -> bool {
        self.retried()
            || cx.end_ns.saturating_sub(self.syn_first_ns) >= cx.config.syn_answer_timeout_ns
    }

    /// Every stack retransmits an unanswered SYN within 3 s (Linux and
    /// macOS after 1 s, Windows after 3 s). A lone SYN never retransmitted
    /// is a scanner, an attempt the application abandoned, or a capture
    /// that lacks the client's retries: not a connection seen to fail.
    fn retried(&self) -> bool {
        self.syns.total >= 2
    }

    fn syn_frames(&self, only_predicted: bool) -> impl Iterator<Item = u64> + '_ {
        self.syns
            .as_slice()
            .iter()
            .enumerate()
            .filter(move |(k, _)| !only_predicted || self.predicted_mask & (1u8 << k) != 0)
            .map(|(_, &fr)| fr)
    }
}

/// Attempts listed in full (frames, flow ids, flow reports) per pair and
/// server port; the others are counted. A busy server behind
/// tcp_tw_recycle fails tens of thousands of connections from one NAT
/// address, and keeping each (with its flow report, 0.4 KB) grew memory
/// with the capture. The findings count the others (`flows_total`,
/// `frames_total`, their evidence) and list these.
const LISTED: usize = 32;

/// Kinds of unlisted attempts, as the findings split them: bit 2 an ICMP
/// answer, bit 1 a predicted drop, bit 0 retransmitted.
fn kind(a: &Attempt) -> usize {
    (usize::from(a.icmp.is_some()) << 2)
        | (usize::from(a.predicted > 0) << 1)
        | usize::from(a.retried())
}

/// What the findings need of the unlisted failed attempts of one kind.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    n: u32,
    syns: u32,
    syns_with_ts: u32,
    predicted: u32,
    predicted_no_ts: u32,
    /// The largest TSval deficit of a predicted SYN.
    worst_behind: i64,
    /// Longest first-to-last SYN time of a retransmitted attempt.
    waited: i64,
    first_prediction: Option<Prediction>,
}

impl Tally {
    fn add(&mut self, a: &Attempt) {
        self.n += 1;
        self.syns = self.syns.saturating_add(a.syns.total);
        self.syns_with_ts = self.syns_with_ts.saturating_add(a.syns_with_ts);
        self.predicted = self.predicted.saturating_add(a.predicted);
        self.predicted_no_ts = self.predicted_no_ts.saturating_add(a.predicted_no_ts);
        if let Some(p) = a.prediction {
            if let Some(v) = p.syn_tsval {
                self.worst_behind = self.worst_behind.max(serial::diff(p.rem_ts, v) as i64);
            }
            self.first_prediction.get_or_insert(p);
        }
        if a.retried() {
            self.waited = self
                .waited
                .max(a.syn_last_ns.saturating_sub(a.syn_first_ns));
        }
    }

    fn merge(&mut self, o: &Tally) {
        self.n += o.n;
        self.syns = self.syns.saturating_add(o.syns);
        self.syns_with_ts = self.syns_with_ts.saturating_add(o.syns_with_ts);
        self.predicted = self.predicted.saturating_add(o.predicted);
        self.predicted_no_ts = self.predicted_no_ts.saturating_add(o.predicted_no_ts);
        self.worst_behind = self.worst_behind.max(o.worst_behind);
        self.waited = self.waited.max(o.waited);
        if self.first_prediction.is_none() {
            self.first_prediction = o.first_prediction;
        }
    }

    fn of(more: &[Tally; 8], kinds: &[usize]) -> Tally {
        let mut t = Tally::default();
        for &k in kinds {
            if let Some(x) = more.get(k) {
                t.merge(x);
            }
        }
        t
    }
}

/// The unanswered attempts of one pair and server port.
#[derive(Default)]
struct Group {
    /// The first [`LISTED`] to retire.
    listed: Vec<Attempt>,
    /// The others known to have failed, by [`kind`].
    more: [Tally; 8],
    /// The others never retransmitted that may still be within the answer
    /// timeout of the capture's end (only those of the last
    /// `syn_answer_timeout_ns` before the latest segment seen).
    undecided: VecDeque<Attempt>,
}

/// TS-01 and TS-10: unanswered attempts per pair and server port, served
/// connections per (server, port).
pub(crate) struct TwRecycle {
    unanswered: BTreeMap<(u32, u16), Group>,
    /// Connections that got a SYN-ACK, per (server, port).
    served: BTreeMap<(IpAddr, u16), u32>,
    /// `Config::syn_answer_timeout_ns`.
    timeout_ns: i64,
    /// The latest segment time of a retired flow: the capture's end is no
    /// earlier.
    now_ns: i64,
}

impl TwRecycle {
    pub fn new(timeout_ns: i64) -> Self {
        TwRecycle {
            unanswered: BTreeMap::new(),
            served: BTreeMap::new(),
            timeout_ns,
            now_ns: i64::MIN,
        }
    }
}

impl Default for TwRecycle {
    fn default() -> Self {
        Self::new(crate::analysis::Config::default().syn_answer_timeout_ns)
    }
}

impl Detector for TwRecycle {
    fn flow_done(&mut self, id: u32, f: &Flow) -> bool {
        if f.served() {
            *self.served.entry((f.server, f.sport)).or_default() += 1;
        }
        self.now_ns = self.now_ns.max(f.last_ns);
        let unanswered = f.unanswered() && f.probe.is_none();
        if !unanswered {
            return false;
        }
        let a = Attempt {
            id,
            syns: f.syns,
            syns_with_ts: f.syns_with_ts,
            syn_first_ns: f.syn_first_ns,
            syn_last_ns: f.syn_last_ns,
            predicted_mask: f.predicted_mask,
            predicted: f.predicted,
            predicted_no_ts: f.predicted_no_ts,
            prediction: f.prediction,
            icmp: f.icmp,
        };
        let g = self.unanswered.entry((f.pair, f.sport)).or_default();
        let listed = g.listed.len() < LISTED;
        if listed {
            g.listed.push(a);
        } else if a.retried() {
            if let Some(t) = g.more.get_mut(kind(&a)) {
                t.add(&a);
            }
        } else {
            g.undecided.push_back(a);
        }
        // Failed for good once the capture went on for the timeout.
        while let Some(u) = g.undecided.front() {
            if self.now_ns.saturating_sub(u.syn_first_ns) < self.timeout_ns {
                break;
            }
            if let Some(u) = g.undecided.pop_front() {
                if let Some(x) = g.more.get_mut(kind(&u)) {
                    x.add(&u);
                }
            }
        }
        // Only a listed attempt is named (its flow report kept).
        listed
    }

    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        for (&(pi, port), g) in &mut self.unanswered {
            // Retirement order is not creation order; the report is.
            g.listed.sort_unstable_by_key(|a| a.id);
            for u in g.undecided.drain(..) {
                if u.failed(cx) {
                    if let Some(x) = g.more.get_mut(kind(&u)) {
                        x.add(&u);
                    }
                }
            }
            let Some(pair) = cx.pair(pi) else { continue };
            let failed: Vec<&Attempt> = g.listed.iter().filter(|a| a.failed(cx)).collect();
            if failed.is_empty() && g.more.iter().all(|t| t.n == 0) {
                continue;
            }
            let served = self.served.get(&(pair.server, port)).copied().unwrap_or(0);
            // An ICMP error is an answer, not silence: neither TS-01 nor
            // "no answer", but said with its frame.
            let (icmp, failed): (Vec<&Attempt>, Vec<&Attempt>) =
                failed.iter().partition(|a| a.icmp.is_some());
            let more = |kinds: &[usize]| Tally::of(&g.more, kinds);
            let icmp_more = more(&[4, 5, 6, 7]);
            if !icmp.is_empty() || icmp_more.n > 0 {
                out.push(icmp_finding(pair, port, served, &icmp, &icmp_more));
            }
            let (ts01, ts10): (Vec<&Attempt>, Vec<&Attempt>) =
                failed.iter().partition(|a| served > 0 && a.predicted > 0);
            // Unlisted kinds 0b0PR: predicted (P) count as TS-01 only when
            // the port served others; retransmitted (R) or not.
            let (ts01_more, ts10_more, lone_more) = if served > 0 {
                (more(&[2, 3]), more(&[1]), more(&[0]))
            } else {
                (Tally::default(), more(&[1, 3]), more(&[0, 2]))
            };
            if !ts01.is_empty() || ts01_more.n > 0 {
                out.push(ts01_finding(cx, pi, pair, port, served, &ts01, &ts01_more));
            }
            let (retry, lone): (Vec<&Attempt>, Vec<&Attempt>) =
                ts10.iter().partition(|a| a.retried());
            if !retry.is_empty() || ts10_more.n > 0 {
                out.push(ts10_finding(cx, pair, port, served, &retry, &ts10_more));
            }
            if !lone.is_empty() || lone_more.n > 0 {
                out.push(lone_finding(pair, port, served, &lone, &lone_more));
            }
        }
    }
}

fn ts01_finding(
    cx: &Ctx,
    pi: u32,
    pair: &Pair,
    port: u16,
    served: u32,
    flows: &[&Attempt],
    more: &Tally,
) -> Finding {
    let mut frames = Vec::new();
    // The unlisted attempts' SYNs are counted, not listed.
    let (mut dropped, mut no_ts, mut worst) =
        (more.predicted, more.predicted_no_ts, more.worst_behind);
    let mut first = None;
    let mut beyond = u64::from(more.predicted);
    for f in flows {
        let kept = f.syn_frames(true).count() as u64;
        beyond += u64::from(f.predicted).saturating_sub(kept);
        frames.extend(f.syn_frames(true));
        dropped += f.predicted;
        no_ts += f.predicted_no_ts;
        if let Some(p) = f.prediction {
            frames.push(p.rem_frame);
            if let Some(v) = p.syn_tsval {
                worst = worst.max(serial::diff(p.rem_ts, v) as i64);
            }
            if first.is_none() {
                first = Some(p);
            }
        }
    }
    let p = first.or(more.first_prediction).unwrap_or(Prediction {
        syn_tsval: None,
        rem_ts: 0,
        rem_frame: 0,
        age_ns: 0,
    });
    let n = flows.len() as u32 + more.n;
    let lines = cx.lines_of(pi).len() as u32;
    let nat = cx.class_of(pi).0.is_nat();
    let confidence = if dropped >= 2 && nat {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let behind = p.syn_tsval.map(|v| serial::diff(p.rem_ts, v) as i64);
    let summary = format!(
        "{}:{} silently dropped {} SYNs ({} connections) from {}: TSvals up to {} ticks \
            older than the {} it remembered from this address {:.1} s before \
            (tcp_tw_recycle per-host PAWS)",
        pair.server,
        port,
        dropped,
        n,
        pair.client,
        worst,
        p.rem_ts,
        secs(p.age_ns)
    );
    let no_ts_text = if no_ts > 0 {
        format!(
            " {no_ts} of the dropped SYNs carried no timestamp at all: since a26552afe894 \
            such SYNs are dropped too while a stamp is fresh."
        )
    } else {
        alloc::string::String::new()
    };
    let lines_text = if lines >= 2 {
        format!(
            "This address carries {lines} independent timestamp clocks: several hosts or \
            containers share it through NAT, and each has its own clock, so the ones whose \
            clock is behind are refused."
        )
    } else {
        TS01_ONE_LINE.into()
    };
    let explanation = format!(
        "The server silently dropped SYNs whose timestamp was older than the last one it \
            remembered from this IP in the previous 60 s: {} SYNs in {} connection attempts \
            from {} got neither a SYN-ACK nor a RST, while {} other connections to port {} \
            were served. The first dropped SYN carried TSval {}, {} ticks behind the TSval \
            {} that the server remembered from frame {} ({:.3} s earlier), when it closed a \
            connection from this address first.{} That is net.ipv4.tcp_tw_recycle=1 on \
            Linux <= 4.11 (tcp_peer_is_proven(); counter PAWSPassive). {}",
        dropped,
        n,
        pair.client,
        served,
        port,
        p.syn_tsval
            .map(|v| format!("{v}"))
            .unwrap_or_else(|| "none (no timestamp option)".into()),
        behind.unwrap_or(0),
        p.rem_ts,
        p.rem_frame,
        secs(p.age_ns),
        no_ts_text,
        lines_text
    );
    Draft {
        code: Code::TwRecyclePerHostPawsDrop,
        severity: Severity::Critical,
        summary,
        explanation,
        remedy: TS01_REMEDY,
        frames,
        flows: flows.iter().map(|a| a.id as usize).collect(),
        evidence: Evidence::TwRecycle(TwRecycleEvidence {
            syn_tsval: p.syn_tsval,
            remembered_tsval: p.rem_ts,
            remembered_age_s: r3(secs(p.age_ns)),
            remembered_frame: p.rem_frame,
            tsval_behind_by: behind,
            server_port: port,
            dropped_syns: dropped,
            dropped_syns_without_ts: no_ts,
            failed_connections: n,
            served_connections: served,
            client_clock_lines: lines,
            confidence,
        }),
    }
    .about_lines(pair, beyond, u64::from(more.n))
}

const TS01_ONE_LINE: &str =
    "The clients behind this address (host and containers behind NAT) each have their own \
    timestamp clock; the ones whose clock is behind are refused.";

const TS10_WHY_TS: &str =
    "The SYNs carry TCP timestamps. When the client is behind NAT (a container, a home or \
    carrier NAT), a server with per-host PAWS (net.ipv4.tcp_tw_recycle=1, Linux <= 4.11) \
    silently drops exactly such SYNs whenever another host behind the same address recently \
    used a higher timestamp clock, while those other hosts connect fine. This capture does \
    not show the server's per-host state (it was taken at the client or inside the NAT), so \
    that cannot be confirmed here. Other causes: a firewall dropping silently, or the \
    server being down or overloaded (listen queue full).";

const TS10_WHY_NO_TS: &str =
    "The SYNs carry no timestamps, so per-host PAWS can only be involved if other SYNs from \
    the same address carry them (a26552afe894). Likely causes: a firewall dropping \
    silently, or the server being down or overloaded (listen queue full).";

fn ts10_finding(
    cx: &Ctx,
    pair: &Pair,
    port: u16,
    served: u32,
    flows: &[&Attempt],
    more: &Tally,
) -> Finding {
    let mut frames = Vec::new();
    let (mut syns, mut with_ts, mut waited, mut visible) = (
        more.syns,
        more.syns_with_ts,
        more.waited,
        more.first_prediction.is_some(),
    );
    let mut beyond = u64::from(more.syns);
    for f in flows {
        beyond += f.syns.beyond();
        frames.extend(f.syn_frames(false));
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
    let n = flows.len() as u32 + more.n;
    let retrans = syns.saturating_sub(n);
    let summary = format!(
        "{n} connection attempts from {} to {}:{} got no answer ({syns} SYNs, {retrans} \
            retransmissions, waited up to {:.1} s)",
        pair.client,
        pair.server,
        port,
        secs(waited)
    );
    let why = if with_ts > 0 {
        TS10_WHY_TS
    } else {
        TS10_WHY_NO_TS
    };
    let explanation = format!(
        "{n} connection attempts from {} to {}:{} were never answered: {syns} SYNs \
            including {retrans} retransmissions got neither a SYN-ACK nor a RST, the \
            longest attempt waited {:.1} s; {served} connections to that port were served \
            in this capture. {why}",
        pair.client,
        pair.server,
        port,
        secs(waited)
    );
    Draft {
        code: Code::SynUnanswered,
        severity: Severity::Warning,
        summary,
        explanation,
        remedy: TS10_REMEDY,
        frames,
        flows: flows.iter().map(|a| a.id as usize).collect(),
        evidence: Evidence::SynUnanswered(SynUnansweredEvidence {
            server_port: port,
            failed_connections: n,
            syns,
            retransmissions: retrans,
            syns_with_ts: with_ts,
            waited_s: r3(secs(waited)),
            served_connections: served,
            per_host_state_visible: visible,
        }),
    }
    .about_lines(pair, beyond, u64::from(more.n))
}

/// SYNs answered by an ICMP destination unreachable instead of the server.
fn icmp_finding(pair: &Pair, port: u16, served: u32, flows: &[&Attempt], more: &Tally) -> Finding {
    let mut frames: Vec<u64> = flows.iter().flat_map(|a| a.syn_frames(false)).collect();
    frames.extend(flows.iter().filter_map(|a| a.icmp.map(|i| i.frame)));
    let syns: u32 = flows.iter().map(|a| a.syns.total).sum::<u32>() + more.syns;
    let with_ts: u32 = flows.iter().map(|a| a.syns_with_ts).sum::<u32>() + more.syns_with_ts;
    let n = flows.len() as u32 + more.n;
    let first = flows.iter().find_map(|a| a.icmp.map(|i| (a, i)));
    let (what, from, frame, after) = first
        .map(|(a, i)| {
            (
                i.describe(),
                alloc::string::ToString::to_string(&i.from),
                i.frame,
                secs(i.ns.saturating_sub(a.syn_first_ns)),
            )
        })
        .unwrap_or((
            "destination unreachable",
            alloc::string::String::new(),
            0,
            0.0,
        ));
    let waited = flows
        .iter()
        .map(|a| a.syn_last_ns.saturating_sub(a.syn_first_ns))
        .max()
        .unwrap_or(0)
        .max(more.waited);
    Draft {
        code: Code::SynUnanswered,
        severity: Severity::Warning,
        summary: format!(
            "{n} connection attempt(s) from {} to {}:{port} answered only by ICMP {what} \
            from {from} (frame {frame}), no SYN-ACK",
            pair.client, pair.server
        ),
        explanation: format!(
            "{n} connection attempt(s) from {} to {}:{port} ({syns} SYNs) got no SYN-ACK and no \
            RST; instead {from} sent an ICMP destination unreachable ({what}) quoting the SYN, \
            {after:.3} s after it (frame {frame}). The SYN did not get lost silently: a router, \
            a firewall or the host refused it. {served} connection(s) to that port were \
            served in this capture.",
            pair.client, pair.server
        ),
        remedy: ICMP_REMEDY,
        frames,
        flows: flows.iter().map(|a| a.id as usize).collect(),
        evidence: Evidence::SynUnanswered(SynUnansweredEvidence {
            server_port: port,
            failed_connections: n,
            syns,
            retransmissions: syns.saturating_sub(n),
            syns_with_ts: with_ts,
            waited_s: r3(secs(waited)),
            served_connections: served,
            per_host_state_visible: false,
        }),
    }
    // An unlisted attempt adds its SYNs and the ICMP message.
    .about_lines(pair, u64::from(more.syns + more.n), u64::from(more.n))
}

const ICMP_REMEDY: &str = "Look at the device that sent the ICMP message: \"administratively \
    prohibited\" is a firewall rule (iptables `-j REJECT --reject-with icmp-admin-prohibited`, \
    a cloud security group or ACL) to open for this port; \"port unreachable\" or \"host \
    unreachable\" means nothing listens there or the route ends: check the service and the \
    address.";

/// Lone SYNs never retransmitted: info, they show no failing connection.
fn lone_finding(pair: &Pair, port: u16, served: u32, flows: &[&Attempt], more: &Tally) -> Finding {
    let frames: Vec<u64> = flows.iter().flat_map(|a| a.syn_frames(false)).collect();
    let with_ts: u32 = flows.iter().map(|a| a.syns_with_ts).sum::<u32>() + more.syns_with_ts;
    let n = flows.len() as u32 + more.n;
    Draft {
        code: Code::SynUnanswered,
        severity: Severity::Info,
        summary: format!(
            "{n} SYN(s) from {} to {}:{port} got no answer and were never retransmitted",
            pair.client, pair.server
        ),
        explanation: format!(
            "{n} connection attempt(s) from {} to {}:{port} sent one SYN each and nothing came \
             back, yet the client never retransmitted, although every TCP stack retransmits an \
             unanswered SYN within 3 s (Linux and macOS after 1 s, Windows after 3 s) and the \
             capture went on for longer. So this is a port scan, an attempt the application \
             abandoned, or a capture that lacks the client's later packets; it shows no \
             connection failing. {served} connection(s) to that port were served in this \
             capture.",
            pair.client, pair.server
        ),
        remedy: LONE_REMEDY,
        frames,
        flows: flows.iter().map(|a| a.id as usize).collect(),
        evidence: Evidence::SynUnanswered(SynUnansweredEvidence {
            server_port: port,
            failed_connections: n,
            syns: n,
            retransmissions: 0,
            syns_with_ts: with_ts,
            waited_s: 0.0,
            served_connections: served,
            per_host_state_visible: false,
        }),
    }
    .about_lines(pair, u64::from(more.n), u64::from(more.n))
}

const LONE_REMEDY: &str = "Nothing to fix from this capture alone. If these attempts matter, \
    capture where both directions and the client's retransmissions are visible.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detectors::unit::testkit::*;
    use crate::analysis::detectors::unit::PairClocks;
    use crate::analysis::remembered::RemTs;

    fn served(cport: u16, t: i64) -> Flow {
        flow(&[
            seg(1, t, true, cport, SYN, Some((100, 0))),
            seg(2, t + 1, false, cport, SYNACK, Some((9, 100))),
            seg(3, t + 2, true, cport, ACK, Some((101, 9))),
        ])
    }

    #[test]
    fn unanswered_syns_predicted_dropped_are_ts01() {
        let mut dropped = flow(&[
            seg(10, 1000, true, 4000, SYN, Some((50, 0))),
            seg(11, 2000, true, 4000, SYN, Some((51, 0))),
        ]);
        let rem = RemTs {
            ts: 900,
            stamp_ns: 0,
            frame: 7,
        };
        dropped.predicted_drop(0, &rem, Some(50), 1000 * MS);
        dropped.predicted_drop(1, &rem, Some(51), 2000 * MS);
        let out = run(
            &mut TwRecycle::default(),
            &[served(3000, 0), dropped],
            PairClocks::default(),
        );
        assert_eq!(out.len(), 1);
        let f = &out[0];
        assert_eq!(f.code, Code::TwRecyclePerHostPawsDrop);
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(f.flows, [1]);
        assert_eq!(f.frames, [10, 11, 7]);
        let Evidence::TwRecycle(e) = &f.evidence else {
            panic!("evidence {:?}", f.evidence)
        };
        assert_eq!((e.dropped_syns, e.served_connections), (2, 1));
        assert_eq!(e.tsval_behind_by, Some(850));
        assert_eq!(e.confidence, Confidence::Medium, "no NAT lines known");
    }

    /// Past [`LISTED`] attempts, the others are counted, not listed: the
    /// counts are those of every attempt, the flows listed the first ones,
    /// and only listed attempts are named (their flow reports kept).
    #[test]
    fn attempts_past_the_listed_ones_are_counted() {
        let rem = RemTs {
            ts: 900,
            stamp_ns: 0,
            frame: 7,
        };
        let mut flows = alloc::vec![served(3000, 0)];
        let n = LISTED as u16 + 10;
        for k in 0..n {
            let t = 1000 + 10 * i64::from(k);
            let fr = 10 + 3 * u64::from(k);
            let mut f = flow(&[
                seg(fr, t, true, 4000 + k, SYN, Some((50, 0))),
                seg(fr + 1, t + 1000, true, 4000 + k, SYN, Some((51, 0))),
            ]);
            f.predicted_drop(0, &rem, Some(50), t * MS);
            f.predicted_drop(1, &rem, Some(51), (t + 1000) * MS);
            flows.push(f);
        }
        let mut det = TwRecycle::default();
        let named: Vec<bool> = flows
            .iter()
            .enumerate()
            .map(|(i, f)| det.flow_done(i as u32, f))
            .collect();
        assert_eq!(named.iter().filter(|&&x| x).count(), LISTED);
        let out = run(&mut det, &[], PairClocks::default());
        assert_eq!(out.len(), 1, "{out:?}");
        let f = &out[0];
        assert_eq!(f.code, Code::TwRecyclePerHostPawsDrop);
        assert_eq!(f.flows.len(), LISTED);
        assert_eq!(f.flows_beyond_caps, 10);
        let Evidence::TwRecycle(e) = &f.evidence else {
            panic!("evidence {:?}", f.evidence)
        };
        assert_eq!(e.failed_connections, u32::from(n));
        assert_eq!(e.dropped_syns, 2 * u32::from(n));
        assert_eq!(f.frames_beyond_caps, 20, "the unlisted attempts' SYNs");
    }

    /// An attempt nothing answered may stay quiet twice its
    /// retransmission time so far (at least the answer timeout) plus 1 s:
    /// longer than any doubling backoff's next gap; an answered one is not
    /// retired by this rule.
    #[test]
    fn unanswered_attempts_wait_for_their_next_retransmission() {
        const S: i64 = 1_000_000_000;
        let limit = |f: &Flow| f.unanswered_quiet_limit(3 * S, 130 * S);
        let one = flow(&[seg(1, 0, true, 4000, SYN, Some((50, 0)))]);
        assert_eq!(limit(&one), Some(7 * S));
        let linux = flow(&[
            seg(1, 0, true, 4000, SYN, Some((50, 0))),
            seg(2, 1000, true, 4000, SYN, Some((51, 0))),
            seg(3, 3000, true, 4000, SYN, Some((53, 0))),
            seg(4, 7000, true, 4000, SYN, Some((57, 0))),
        ]);
        assert_eq!(limit(&linux), Some(15 * S), "the next SYN comes 8 s later");
        let long = flow(&[
            seg(1, 0, true, 4000, SYN, Some((50, 0))),
            seg(2, 70_000, true, 4000, SYN, Some((51, 0))),
        ]);
        assert_eq!(limit(&long), Some(130 * S), "at most the closing timeout");
        assert_eq!(limit(&served(3000, 0)), None);
    }

    #[test]
    fn unanswered_without_prediction_is_ts10_and_answered_is_nothing() {
        let lost = flow(&[
            seg(10, 1000, true, 4000, SYN, None),
            seg(11, 2000, true, 4000, SYN, None),
        ]);
        let out = run(
            &mut TwRecycle::default(),
            &[served(3000, 0), lost],
            PairClocks::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::SynUnanswered);
        let Evidence::SynUnanswered(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!((e.syns, e.retransmissions, e.syns_with_ts), (2, 1, 0));
        assert!(out[0].explanation.contains("carry no timestamps"));

        let out = run(
            &mut TwRecycle::default(),
            &[served(3000, 0)],
            PairClocks::default(),
        );
        assert!(out.is_empty());
    }

    #[test]
    fn syns_past_the_per_flow_cap_are_counted_as_cut() {
        let segs: Vec<_> = (0..10)
            .map(|k| seg(10 + k, 1000 * k as i64, true, 4000, SYN, None))
            .collect();
        let out = run(
            &mut TwRecycle::default(),
            &[served(3000, 0), flow(&segs)],
            PairClocks::default(),
        );
        assert_eq!(out[0].frames.len(), 8, "Frames<8> keeps the first 8");
        assert_eq!(out[0].frames_beyond_caps, 2, "the other 2 are counted");
    }

    #[test]
    fn a_single_recent_syn_has_not_failed_yet() {
        let waiting = flow(&[seg(10, 1000, true, 4000, SYN, None)]);
        let out = run(
            &mut TwRecycle::default(),
            &[served(3000, 0), waiting],
            PairClocks::default(),
        );
        assert!(out.is_empty(), "the capture ends 0 s after the SYN");
    }
}
