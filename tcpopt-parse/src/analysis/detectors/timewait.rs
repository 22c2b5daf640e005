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
//!
//! Recovery: the retry after the client's RST keeps the client's ISN (Linux
//! retransmits the same SYN), but behind a NAT it usually comes from a new
//! source port (the RST closed the conntrack entry; busy-nat: 6333 of 6615
//! retries), so it is another flow. The analyzer links it
//! (`Flow::retry_of`: same pair, same ISN, TSval not older, while the
//! refused flow is open); a rejection is recovered when its retry, or the
//! retry of that retry, got a SYN-ACK. The retry usually retires first (it
//! closes within ms, the refused flow waits out `closing_idle_timeout`), so
//! the links are resolved at the end.
//!
//! Severity: critical only when an attempt (a refused SYN and its chain of
//! retries, one ISN) verifiably never recovered: no SYN-ACK, and the
//! capture went on past the moment its next retry was due (Linux doubles
//! the SYN timeout: the gap since the chain's previous SYN, twice, at
//! least 1 s, plus 1 s of slack), so the client gave up. An attempt still
//! waiting for its retry when the capture ended is not counted as failed
//! (busy-nat: one attempt refused 7 times, its 8th SYN due 4 s after the
//! 7th, the capture ending 3.9 s after it; the client program gave up on
//! it at 10 s and its new connection succeeded).

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::vec::Vec;

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::config::PAWS_MSL_NS;
use crate::analysis::finding::{Code, Evidence, Finding, Severity, TimeWaitEvidence};
use crate::analysis::flow::{BareAck, Flow, Frames, PrevClose, C2S};
use crate::analysis::report::{r3, secs};
use crate::analysis::serial;

const REMEDY: &str = "Each rejection costs the client a reset and a retry (about 2 ms on Linux \
    >= 5.6, 1 s before). To make them rarer: give the NAT more public addresses, so that \
    different hosts reuse one 4-tuple within the server's 60 s TIME_WAIT less often; keep the \
    NAT's default source-port preservation (measured on Linux 6.18: MASQUERADE \
    `--random-fully` made 3.5 times as many rejections, as hosts then land on each other's \
    4-tuples); or let clients close first where the protocol allows (then the client, not the \
    server, holds TIME_WAIT). Disabling client timestamps does not avoid it: the TIME_WAIT \
    socket then accepts a SYN only if its sequence number is after the old connection's, which \
    another host's SYN misses about half the time (measured: as many rejections, and no \
    counter counts them).";

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

/// A flow that retried a refused SYN (`Flow::retry_of`), as it ended.
#[derive(Clone, Copy, Debug)]
struct Retry {
    id: u32,
    cport: u16,
    syn: u64,
    /// Its SYN-ACK (frame, ns).
    synack: Option<(u64, i64)>,
}

/// TS-02: rejections per pair, in flow order.
#[derive(Default)]
pub(crate) struct TimeWait {
    rejections: BTreeMap<u32, Vec<Rejection>>,
    /// Refused flow id → the flow that retried it.
    retries: BTreeMap<u32, Retry>,
    /// Flows that are a retry (their rejection continues an attempt).
    is_retry: BTreeSet<u32>,
}

/// Linux's next SYN retry after one at `last_ns` whose previous SYN of the
/// attempt was at `prev_ns` is due by this time (the timeout doubles;
/// initial 1 s), with 1 s of slack.
fn next_retry_due(prev_ns: Option<i64>, last_ns: i64) -> i64 {
    let gap = prev_ns.map(|p| last_ns.saturating_sub(p)).unwrap_or(0);
    last_ns
        .saturating_add(gap.saturating_mul(2).max(1_000_000_000))
        .saturating_add(1_000_000_000)
}

impl TimeWait {
    /// How `r` recovered: on its own 4-tuple, or through its chain of
    /// retries (each retry may be refused again): (retry, SYN-ACK frame,
    /// SYN-ACK ns).
    fn recovery(&self, r: &Rejection) -> Option<(Option<Retry>, u64, i64)> {
        if let Some((fr, ns)) = r.synack {
            return Some((None, fr, ns));
        }
        let mut id = r.id;
        let mut first = None;
        for _ in 0..16 {
            let t = *self.retries.get(&id)?;
            first.get_or_insert(t);
            if let Some((fr, ns)) = t.synack {
                return Some((first, fr, ns));
            }
            id = t.id;
        }
        None
    }
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
    fn flow_done(&mut self, id: u32, f: &Flow) -> bool {
        if let (Some(of), Some(&syn)) = (f.retry_of, f.syns.as_slice().first()) {
            self.is_retry.insert(id);
            self.retries.insert(
                of,
                Retry {
                    id,
                    cport: f.cport,
                    syn,
                    synack: f.synack.map(|fr| (fr, f.synack_ns)),
                },
            );
        }
        let Some(r) = rejection(id, f) else {
            return false;
        };
        self.rejections.entry(f.pair).or_default().push(r);
        true
    }

    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        let mut rejections = core::mem::take(&mut self.rejections);
        for (&pi, events) in &mut rejections {
            // Retirement order is not creation order; the report is.
            events.sort_unstable_by_key(|r| r.id);
            let (Some(pair), Some(r0)) = (cx.pair(pi), events.first()) else {
                continue;
            };
            let mut frames = Vec::new();
            let mut recovered = 0u32;
            let mut new_port = 0u32;
            let mut retry_delay = None;
            let mut by_port: BTreeMap<(u16, u16), u32> = BTreeMap::new();
            let mut beyond = 0u64;
            // The first rejections' frames, whole, up to the report's cap
            // (sorted, a busy capture's lowest frames would otherwise be
            // previous connections only); the rest are counted.
            let room = cx.config.max_evidence_frames;
            for r in events.iter() {
                let mut mine: [u64; 14] = [0; 14];
                let mut n = 0usize;
                let mut put = |x: u64| {
                    if let Some(s) = mine.get_mut(n) {
                        *s = x;
                        n += 1;
                    }
                };
                for &s in r.syns.as_slice() {
                    put(s);
                }
                put(r.bare.frame);
                if let Some((rf, _)) = r.client_rst {
                    put(rf);
                }
                if let Some((retry, sa, sa_ns)) = self.recovery(r) {
                    if let Some(t) = retry {
                        put(t.syn);
                        if t.cport != r.cport {
                            new_port += 1;
                        }
                    }
                    put(sa);
                    recovered += 1;
                    if retry_delay.is_none() {
                        retry_delay = Some(r3(secs(sa_ns.saturating_sub(r.syn_first_ns)) * 1000.0));
                    }
                }
                put(r.prev.client_max_frame);
                let mine = mine.get(..n).unwrap_or(&[]);
                if frames.len() + mine.len() <= room {
                    frames.extend_from_slice(mine);
                    beyond += r.syns.beyond();
                } else {
                    beyond += mine.len() as u64 + r.syns.beyond();
                }
                *by_port.entry((r.cport, r.sport)).or_default() += 1;
            }
            let (syn_ts, prev_last, b0) = (r0.syn_tsval, r0.prev.client_max_tsval, r0.bare);
            let behind = match (syn_ts, prev_last) {
                (Some(v), Some(p)) => Some(serial::diff(p, v) as i64),
                _ => None,
            };
            let n = events.len() as u32;
            // Attempts: each rejection that is not itself a retry starts
            // one; follow its refused retries to the last.
            let by_id: BTreeMap<u32, &Rejection> = events.iter().map(|r| (r.id, r)).collect();
            let (mut attempts, mut failed, mut pending) = (0u32, 0u32, 0u32);
            for r in events.iter().filter(|r| !self.is_retry.contains(&r.id)) {
                attempts += 1;
                if self.recovery(r).is_some() {
                    continue;
                }
                let (mut prev, mut last) = (None, r);
                for _ in 0..16 {
                    let Some(next) = self.retries.get(&last.id).and_then(|t| by_id.get(&t.id))
                    else {
                        break;
                    };
                    prev = Some(last.syn_first_ns);
                    last = next;
                }
                if cx.end_ns >= next_retry_due(prev, last.syn_first_ns) {
                    failed += 1;
                } else {
                    pending += 1;
                }
            }
            let severity = if failed > 0 {
                Severity::Critical
            } else {
                Severity::Warning
            };
            let age = secs(r0.syn_first_ns.saturating_sub(r0.prev.last_ns));
            let summary = format!(
                "{n} SYNs from {}:{} to {}:{} hit the server's TIME_WAIT with a TSval \
                    not newer than the previous connection's ({} ticks behind); {recovered} \
                    recovered after the client's RST and a retry{}{}",
                pair.client,
                r0.cport,
                pair.server,
                r0.sport,
                behind.unwrap_or(0),
                if failed > 0 {
                    format!("; of {attempts} connection attempts {failed} never got a SYN-ACK")
                } else {
                    alloc::string::String::new()
                },
                if pending > 0 {
                    format!("; {pending} still waited for a retry when the capture ended")
                } else {
                    alloc::string::String::new()
                }
            );
            let opt = |v: Option<u32>| v.map(|v| format!("{v}")).unwrap_or_else(|| "none".into());
            let echoed = b0.tsecr.is_some() && b0.tsecr == prev_last;
            let explanation = format!(
                "The server still held this 4-tuple in TIME_WAIT (it closed the previous \
                    connection first, {age:.3} s earlier) and the new SYN's timestamp ({}) \
                    was not newer than the last one of that connection ({}), so \
                    tcp_timewait_state_process() refused it (PAWSEstab/PAWSTimewait) and \
                    answered with a bare ACK (frame {}, TSecr {}{}). The client reset and \
                    retried, adding about 1 s (about 2 ms on Linux >= 5.6){}{}. The cause is \
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
                if new_port > 0 {
                    format!(
                        "; {new_port} of the {recovered} recovered retries came from another \
                        source port (a NAT's new mapping), linked by the client's unchanged ISN"
                    )
                } else {
                    alloc::string::String::new()
                },
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
                .about_cut(pair, beyond),
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

    /// An unrelated connection at `ms` (the capture goes on until then).
    fn later(ms: i64) -> Flow {
        flow(&[
            seg(100, ms, true, 6000, SYN, Some((9000, 0))),
            seg(101, ms + 1, false, 6000, SYNACK, Some((99, 9000))),
        ])
    }

    /// A retry of flow 1 (the refused one) from another source port, as a
    /// NAT sends it: the same ISN, answered when `answered`.
    fn retry_elsewhere(cport: u16, ms: i64, answered: bool) -> Flow {
        let mut segs = alloc::vec![seg(20, ms, true, cport, SYN, Some((310, 0)))];
        if answered {
            segs.push(seg(21, ms + 1, false, cport, SYNACK, Some((13, 310))));
        }
        let mut f = flow(&segs);
        f.retry_of = Some(1);
        f
    }

    #[test]
    fn a_retry_from_another_port_recovers_it() {
        let out = run(
            &mut TimeWait::default(),
            &[
                closed_by_server(),
                reuse(300, 777, false),
                retry_elsewhere(4001, 1010, true),
                later(9000),
            ],
            PairClocks::default(),
        );
        assert_eq!(out.len(), 1);
        let f = &out[0];
        assert_eq!(f.severity, Severity::Warning, "recovered on port 4001");
        let Evidence::TimeWait(e) = &f.evidence else {
            panic!()
        };
        assert_eq!((e.rejections, e.recovered), (1, 1));
        assert_eq!(
            e.retry_delay_ms,
            Some(12.0),
            "SYN at 999 ms, its retry's SYN-ACK at 1011 ms"
        );
        assert!(
            f.frames.contains(&20) && f.frames.contains(&21),
            "{:?}",
            f.frames
        );
    }

    #[test]
    fn a_retry_refused_again_then_answered_recovers_both() {
        // Flow 2 retries flow 1 from port 4001 and is refused too (its
        // previous connection there was closed by the server); flow 3
        // retries flow 2 and is answered.
        let mut second = reuse(300, 888, false);
        second.cport = 4001;
        second.retry_of = Some(1);
        let mut third = retry_elsewhere(4002, 1020, true);
        third.retry_of = Some(2);
        let out = run(
            &mut TimeWait::default(),
            &[
                closed_by_server(),
                reuse(300, 777, false),
                second,
                third,
                later(9000),
            ],
            PairClocks::default(),
        );
        let Evidence::TimeWait(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!((e.rejections, e.recovered), (2, 2));
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(
            !out[0].summary.contains("never got a SYN-ACK"),
            "{}",
            out[0].summary
        );
    }

    #[test]
    fn an_attempt_still_waiting_at_the_end_is_not_failed() {
        let out = run(
            &mut TimeWait::default(),
            &[closed_by_server(), reuse(300, 777, false)],
            PairClocks::default(),
        );
        assert_eq!(
            out[0].severity,
            Severity::Warning,
            "its retry was due after the end"
        );
        assert!(
            out[0].summary.contains("1 still waited"),
            "{}",
            out[0].summary
        );
    }

    #[test]
    fn unrecovered_is_critical_newer_tsval_or_syn_ack_number_is_not_rejected() {
        let out = run(
            &mut TimeWait::default(),
            &[closed_by_server(), reuse(300, 777, false), later(5000)],
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
