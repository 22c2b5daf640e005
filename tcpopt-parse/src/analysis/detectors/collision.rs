//! `FOURTUPLE_COLLISION`: a new SYN (another ISN, not a retransmission) on
//! a 4-tuple whose previous connection had not ended (no FIN both ways, no
//! RST), answered by a bare ACK instead of a SYN-ACK.
//!
//! Linux answers a SYN in every synchronised state with a challenge ACK
//! (RFC 5961 §4.2, `tcp_validate_incoming()`, counter TCPSYNChallenge):
//! checked in the lab's `collision` scenario, where two clients with one
//! address and port reach the server and the second never connects. The
//! TIME_WAIT case (previous connection closed by the server first) is
//! TS-02's, so a previous connection that ended is left to it.
//!
//! Critical when an attempt never got its SYN-ACK (a connection failed),
//! else warning (the client reset the old connection and retried).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

use super::unit::{Ctx, Detector, Draft};
use crate::analysis::finding::{Code, CollisionEvidence, Evidence, Finding, Severity};
use crate::analysis::flow::Flow;
use crate::analysis::report::{r3, secs};

const REMEDY: &str = "Make every client's 4-tuple unique on the path: a NAT or load balancer that \
    keeps client addresses or ports must track connections and not hand an open 4-tuple to a \
    second host (give it connection tracking, more source ports or more addresses). If one \
    client lost its connection without closing it (reboot, container restart, a NAT that forgot \
    the mapping), its kernel resets the old connection on the challenge ACK and the retry \
    connects. Confirm on the server with `nstat -az TcpExtTCPSYNChallenge`.";

/// One SYN that met an open connection.
#[derive(Clone, Copy, Debug)]
struct Hit {
    id: u32,
    syn: u64,
    /// The SYN and its retransmissions (Linux challenges each).
    syn_segments: u32,
    challenge_ack: u64,
    recovered: Option<u64>,
    cport: u16,
    sport: u16,
    gap_ns: i64,
}

/// Collisions per pair, in flow order.
#[derive(Default)]
pub(crate) struct Collision {
    hits: BTreeMap<u32, Vec<Hit>>,
}

impl Detector for Collision {
    fn flow_done(&mut self, id: u32, f: &Flow) -> bool {
        let (Some(prev), Some(bare), Some(isn)) = (f.prev_close, f.bare_ack, f.client_isn) else {
            return false;
        };
        if prev.ended
            || !prev.established
            || prev.cport != f.cport
            || f.mid_stream
            || bare.ack == isn.wrapping_add(1)
        {
            return false;
        }
        let Some(&syn) = f.syns.as_slice().first() else {
            return false;
        };
        self.hits.entry(f.pair).or_default().push(Hit {
            id,
            syn,
            syn_segments: f.syns.as_slice().len() as u32,
            challenge_ack: bare.frame,
            recovered: f.synack,
            cport: f.cport,
            sport: f.sport,
            gap_ns: f.syn_first_ns.saturating_sub(prev.last_ns),
        });
        true
    }

    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>) {
        for (&pi, hits) in &self.hits {
            let (Some(pair), Some(h0)) = (cx.pair(pi), hits.first()) else {
                continue;
            };
            let n = hits.len() as u32;
            let recovered = hits.iter().filter(|h| h.recovered.is_some()).count() as u32;
            let mut frames = Vec::new();
            for h in hits {
                frames.extend([h.syn, h.challenge_ack]);
                frames.extend(h.recovered);
            }
            let severity = if recovered < n {
                Severity::Critical
            } else {
                Severity::Warning
            };
            let gap = r3(secs(h0.gap_ns));
            out.push(
                Draft {
                    code: Code::FourtupleCollision,
                    severity,
                    summary: format!(
                        "{n} SYNs from {}:{} to {}:{} arrived while the previous connection on \
                        that 4-tuple was still open and got an ACK instead of a SYN-ACK; \
                        {recovered} connected after all",
                        pair.client, h0.cport, pair.server, h0.sport
                    ),
                    explanation: format!(
                        "The SYN (frame {}) carries a new initial sequence number on a 4-tuple \
                        whose connection had neither closed nor been reset (its last segment \
                        {gap} s earlier), so the server answered with a challenge ACK (frame {}, \
                        RFC 5961 §4.2; Linux counts TcpExtTCPSYNChallenge) for the open \
                        connection. Two hosts are using one 4-tuple: a NAT with a small port \
                        pool that does not track connections, or a load balancer that keeps \
                        client addresses; or the client lost the old connection without closing \
                        it. A Linux client that owns the old connection resets it and retries; \
                        another host's SYN {}.",
                        h0.syn,
                        h0.challenge_ack,
                        if recovered < n {
                            "never connects: the challenge ACKs go to the open connection's owner"
                        } else {
                            "connected after its retry here"
                        }
                    ),
                    remedy: REMEDY,
                    frames,
                    flows: hits.iter().map(|h| h.id as usize).collect(),
                    evidence: Evidence::Collision(CollisionEvidence {
                        syns_on_open_connections: n,
                        syn_segments: hits.iter().map(|h| h.syn_segments).sum(),
                        recovered,
                        client_port: h0.cport,
                        server_port: h0.sport,
                        challenge_ack_frame: h0.challenge_ack,
                        seconds_since_open_connection_seen: gap,
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
    use crate::analysis::flow::PrevClose;

    fn prev(ended: bool) -> PrevClose {
        PrevClose {
            server_closed_first: false,
            last_ns: 500 * MS,
            client_max_tsval: Some(50),
            client_max_frame: 7,
            ended,
            established: true,
            cport: 4000,
        }
    }

    /// A SYN from 4000 answered by a bare ACK whose `ack` is not SYN.seq+1
    /// (the testkit's server segments ack 1001, the SYN's seq is 1000, so
    /// the SYN gets its own seq).
    fn syn_on(p: PrevClose, synack: bool) -> crate::analysis::flow::Flow {
        let mut syn = seg(10, 1000, true, 4000, SYN, Some((7, 0)));
        syn.seq = 77;
        let mut segs = alloc::vec![syn, seg(11, 1001, false, 4000, ACK, Some((900, 60)))];
        if synack {
            let mut rst = seg(12, 1002, true, 4000, RST, None);
            rst.seq = 1001;
            let mut retry = seg(13, 1004, true, 4000, SYN, Some((9, 0)));
            retry.seq = 77;
            let mut sa = seg(14, 1005, false, 4000, SYNACK, Some((901, 9)));
            sa.ack = 78;
            segs.extend([rst, retry, sa]);
        }
        let mut f = flow(&segs);
        f.prev = Some(0);
        f.prev_close = Some(p);
        f
    }

    #[test]
    fn a_syn_on_an_open_connection_that_never_connects_is_critical() {
        let out = run(
            &mut Collision::default(),
            &[syn_on(prev(false), false)],
            PairClocks::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::FourtupleCollision);
        assert_eq!(out[0].severity, Severity::Critical);
        assert_eq!(out[0].frames, [10, 11]);
        let Evidence::Collision(e) = &out[0].evidence else {
            panic!()
        };
        assert_eq!((e.syns_on_open_connections, e.recovered), (1, 0));
        assert_eq!(e.challenge_ack_frame, 11);
        assert_eq!(e.seconds_since_open_connection_seen, 0.5);
    }

    #[test]
    fn recovered_after_a_reset_is_a_warning() {
        let out = run(
            &mut Collision::default(),
            &[syn_on(prev(false), true)],
            PairClocks::default(),
        );
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0].frames.contains(&14));
    }

    #[test]
    fn an_ended_previous_connection_is_time_wait_not_a_collision() {
        let f = syn_on(prev(true), false);
        assert!(run(&mut Collision::default(), &[f], PairClocks::default()).is_empty());
        // No previous flow at all: a first SYN, whatever answers it.
        let mut g = syn_on(prev(false), false);
        g.prev_close = None;
        assert!(run(&mut Collision::default(), &[g], PairClocks::default()).is_empty());
        // A previous attempt that never became a connection, or a SYN from
        // its other end (crafted simultaneous opens): not a collision.
        let never = PrevClose {
            established: false,
            ..prev(false)
        };
        let other_end = PrevClose {
            cport: 80,
            ..prev(false)
        };
        for p in [never, other_end] {
            let h = syn_on(p, false);
            assert!(run(&mut Collision::default(), &[h], PairClocks::default()).is_empty());
        }
    }
}
