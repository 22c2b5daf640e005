//! The streaming side: one `push` per segment, no allocation except when
//! a flow or a client/server pair appears.

use alloc::vec::Vec;
use core::net::IpAddr;

use hashbrown::HashMap;

use super::config::Config;
use super::flow::{BareAck, Flow, FlowKey, Prediction, ProbeKind, C2S, S2C};
use super::remembered::{self, RemTs};
use super::report::{CaptureSummary, Report, Side};
use crate::Segment;

/// Traceroute detection state (TS-09): SYNs with one TSval, changing
/// source port and rising TTL.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ProbeRun {
    pub tsval: u32,
    pub ttl: u8,
    pub port: u16,
    pub count: u32,
    pub flows: [u32; 4],
}

/// State per (client address, server address).
#[derive(Clone, Debug)]
pub(crate) struct Pair {
    pub client: IpAddr,
    pub server: IpAddr,
    pub rem: Option<RemTs>,
    pub probe_run: ProbeRun,
    pub flows: Vec<u32>,
}

/// The TCP timestamp analyzer. Feed it every TCP segment in capture order
/// with [`Analyzer::push`], then call [`Analyzer::finish`].
#[derive(Debug)]
pub struct Analyzer {
    pub(crate) config: Config,
    pub(crate) flows: Vec<Flow>,
    pub(crate) map: HashMap<FlowKey, u32>,
    pub(crate) pairs: Vec<Pair>,
    pub(crate) pair_map: HashMap<(IpAddr, IpAddr), u32>,
    pub(crate) segments: u64,
    pub(crate) segments_with_ts: u64,
    pub(crate) untracked: u64,
    pub(crate) cap_hit: bool,
    pub(crate) first_ns: Option<i64>,
    pub(crate) last_ns: i64,
    pub(crate) backwards: u64,
    /// Gaps between consecutive segments, and how many of them are exact
    /// multiples of 1 ms: nearly all of them means the capture's times were
    /// written by a tool, not by a clock (no TS clock rate can be measured
    /// against them).
    pub(crate) gaps: u64,
    pub(crate) gaps_whole_ms: u64,
}

/// Internal sizes, for tests and for the CLI's `--stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateSize {
    pub flows: usize,
    pub flow_table: usize,
    pub pairs: usize,
    /// Bytes per flow (fixed: flows hold no heap storage).
    pub flow_bytes: usize,
    /// Flow indices kept in the pairs' lists (one per flow).
    pub pair_flow_refs: usize,
}

impl Analyzer {
    pub fn new(config: Config) -> Self {
        Analyzer {
            config,
            flows: Vec::new(),
            map: HashMap::new(),
            pairs: Vec::new(),
            pair_map: HashMap::new(),
            segments: 0,
            segments_with_ts: 0,
            untracked: 0,
            cap_hit: false,
            first_ns: None,
            last_ns: i64::MIN,
            backwards: 0,
            gaps: 0,
            gaps_whole_ms: 0,
        }
    }

    /// The analyzer's internal sizes (memory grows with these only).
    pub fn state_size(&self) -> StateSize {
        StateSize {
            flows: self.flows.len(),
            flow_table: self.map.len(),
            pairs: self.pairs.len(),
            flow_bytes: core::mem::size_of::<Flow>(),
            pair_flow_refs: self.pairs.iter().map(|p| p.flows.len()).sum(),
        }
    }

    /// Feeds one segment (capture order).
    pub fn push(&mut self, seg: &Segment) {
        self.segments += 1;
        if seg.timestamps.is_some() {
            self.segments_with_ts += 1;
        }
        let ns = seg.ts.nanos;
        if self.first_ns.is_none() {
            self.first_ns = Some(ns);
        }
        if ns < self.last_ns {
            self.backwards += 1;
        } else {
            if self.last_ns != i64::MIN && ns > self.last_ns {
                self.gaps += 1;
                if (ns - self.last_ns) % 1_000_000 == 0 {
                    self.gaps_whole_ms += 1;
                }
            }
            self.last_ns = ns;
        }
        let key = FlowKey::new(seg.src, seg.sport, seg.dst, seg.dport);
        let syn_only = seg.flags.syn() && !seg.flags.ack();
        let idx = match self.map.get(&key).copied() {
            Some(i) => {
                let retransmission = self
                    .flows
                    .get(i as usize)
                    .map(|f| {
                        f.client == seg.src
                            && f.cport == seg.sport
                            && (f.client_isn == Some(seg.seq)
                                // A late copy of the SYN that the flow's
                                // SYN-ACK already acknowledged.
                                || (f.client_isn.is_none()
                                    && f.synack_ack == Some(seg.seq.wrapping_add(1))))
                    })
                    .unwrap_or(false);
                if syn_only && !retransmission {
                    self.new_flow(seg, key, Some(i))
                } else {
                    Some(i)
                }
            }
            None => self.new_flow(seg, key, None),
        };
        match idx {
            Some(i) => {
                if let Some((flows, n)) = self.update(i as usize, seg) {
                    for &fi in flows.get(..n).unwrap_or(&[]) {
                        if let Some(f) = self.flows.get_mut(fi as usize) {
                            f.probe = Some(ProbeKind::Traceroute);
                        }
                    }
                }
            }
            None => self.untracked += 1,
        }
    }

    fn new_flow(&mut self, seg: &Segment, key: FlowKey, prev: Option<u32>) -> Option<u32> {
        if self.flows.len() >= self.config.max_flows || self.flows.len() >= u32::MAX as usize {
            self.cap_hit = true;
            return None;
        }
        let f = seg.flags;
        // Who is the client: the SYN's sender; the SYN-ACK's receiver;
        // mid-stream, the side with the ephemeral port: a port below 1024
        // facing one above is the server, else the higher port is the
        // client (Linux/IANA ephemeral ranges start at 32768/49152), and on
        // a tie the sender of the first segment seen.
        let (mid, src_is_client) = if f.syn() && !f.ack() {
            (false, true)
        } else if f.syn() || (seg.sport < 1024 && seg.dport >= 1024) {
            (true, false)
        } else if seg.dport < 1024 && seg.sport >= 1024 {
            (true, true)
        } else {
            (true, seg.sport >= seg.dport)
        };
        let (client, cport, server, sport) = if src_is_client {
            (seg.src, seg.sport, seg.dst, seg.dport)
        } else {
            (seg.dst, seg.dport, seg.src, seg.sport)
        };
        let pair = match self.pair_map.get(&(client, server)) {
            Some(&p) => p,
            None => {
                let p = self.pairs.len() as u32;
                self.pairs.push(Pair {
                    client,
                    server,
                    rem: None,
                    probe_run: ProbeRun::default(),
                    flows: Vec::new(),
                });
                self.pair_map.insert((client, server), p);
                p
            }
        };
        let idx = self.flows.len() as u32;
        let mut flow = Flow::new(client, cport, server, sport, pair);
        flow.mid_stream = mid;
        flow.prev = prev;
        flow.first_frame = seg.frame;
        flow.first_ns = seg.ts.nanos;
        self.flows.push(flow);
        if let Some(p) = self.pairs.get_mut(pair as usize) {
            p.flows.push(idx);
        }
        self.map.insert(key, idx);
        Some(idx)
    }

    /// Updates flow `i`; returns the flows of a traceroute run to mark.
    fn update(&mut self, i: usize, seg: &Segment) -> Option<([u32; 4], usize)> {
        let f = self.flows.get_mut(i)?;
        let pair = self.pairs.get_mut(f.pair as usize)?;
        let mut mark = None;
        let ns = seg.ts.nanos;
        let flags = seg.flags;
        let d = if seg.src == f.client && seg.sport == f.cport {
            C2S
        } else {
            S2C
        };
        f.last_frame = seg.frame;
        f.last_ns = ns;
        let syn_only = flags.syn() && !flags.ack();
        let rst = flags.rst();
        let ts = if rst { None } else { seg.timestamps };

        if d == C2S && syn_only {
            if f.client_isn.is_none() {
                f.client_isn = Some(seg.seq);
                f.syn_first_ns = ns;
            }
            let nth = f.syns.total;
            f.syns.push(seg.frame);
            f.syn_last_ns = ns;
            if let Some((v, e)) = seg.timestamps {
                f.syns_with_ts += 1;
                f.syn_ts = Some(match f.syn_ts {
                    None => (v, v),
                    Some((lo, hi)) => (lo, crate::analysis::serial::max(hi, v)),
                });
                if v == u32::MAX && e == 0 {
                    f.probe = Some(ProbeKind::Nmap);
                } else if v == 0 && f.probe.is_none() {
                    // Until an ordinary exchange follows: Windows starts
                    // its SYNs at TSval 0.
                    f.probe = Some(ProbeKind::ZeroTsval);
                }
                let run = &mut pair.probe_run;
                if run.count > 0 && run.tsval == v && run.port != seg.sport && seg.ttl > run.ttl {
                    run.count += 1;
                } else {
                    *run = ProbeRun {
                        tsval: v,
                        count: 1,
                        ..ProbeRun::default()
                    };
                }
                run.ttl = seg.ttl;
                run.port = seg.sport;
                if let Some(slot) = run.flows.get_mut(run.count as usize - 1) {
                    *slot = i as u32;
                }
                if run.count >= 3 {
                    f.probe = Some(ProbeKind::Traceroute);
                    mark = Some((run.flows, (run.count as usize).min(run.flows.len())));
                }
            }
            if let Some(rem) = pair.rem {
                let v = seg.timestamps.map(|t| t.0);
                if remembered::predicts_drop(&rem, v, ns) {
                    f.predicted += 1;
                    if v.is_none() {
                        f.predicted_no_ts += 1;
                    }
                    if nth < 8 {
                        f.predicted_mask |= 1 << nth;
                    }
                    if f.prediction.is_none() {
                        f.prediction = Some(Prediction {
                            syn_tsval: v,
                            rem_ts: rem.ts,
                            rem_frame: rem.frame,
                            age_ns: ns.saturating_sub(rem.stamp_ns),
                        });
                    }
                }
            }
        }

        if d == S2C {
            f.server_seen = true;
            if flags.syn() && flags.ack() {
                if f.synack.is_none() {
                    f.synack = Some(seg.frame);
                    f.synack_ns = ns;
                    f.synack_has_ts = seg.timestamps.is_some();
                    f.synack_ack = Some(seg.ack);
                    let syn_seen = f.client_isn.is_some();
                    match (syn_seen, f.syns_with_ts > 0, seg.timestamps) {
                        (true, false, Some(_)) => f.synack_ts_without_syn_ts = Some(seg.frame),
                        (true, true, None) => f.not_negotiated = Some(seg.frame),
                        (true, true, Some((v, e))) => {
                            f.ts_negotiated = true;
                            if e == 0 {
                                // Linux ignores a SYN-ACK's TSecr of 0
                                // (tcp_rcv_synsent_state_process). TSval 0
                                // with TSecr 0 is Windows' own SYN-ACK: no
                                // finding; otherwise it is an ACK with
                                // TSecr 0 (info).
                                if v != 0 {
                                    f.dir[S2C].tsecr_zero.push(seg.frame);
                                }
                            } else if let Some((lo, hi)) = f.syn_ts {
                                if crate::analysis::serial::before(e, lo)
                                    || crate::analysis::serial::after(e, hi)
                                {
                                    f.synack_tsecr_outside = Some(seg.frame);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            } else if flags.ack()
                && !rst
                && f.synack.is_none()
                && f.client_isn.is_some()
                && f.bare_ack.is_none()
            {
                f.bare_ack = Some(BareAck {
                    frame: seg.frame,
                    ack: seg.ack,
                    tsecr: seg.timestamps.map(|t| t.1),
                });
            }
            if rst && f.server_rst.is_none() {
                f.server_rst = Some(seg.frame);
            }
        } else {
            if flags.ack() && !flags.syn() && f.synack.is_some() && f.hs_ack.is_none() {
                f.hs_ack = Some(seg.frame);
            }
            if flags.ack()
                && !flags.syn()
                && !rst
                && f.synack.is_none()
                && f.answered_unseen.is_none()
                && !f.server_seen
                && f.client_isn.map(|i| i.wrapping_add(1)) == Some(seg.seq)
            {
                f.answered_unseen = Some(seg.frame);
            }
            if !flags.syn() && !rst && f.probe == Some(ProbeKind::ZeroTsval) && f.served() {
                f.probe = None;
            }
            if rst && f.client_rst.is_none() {
                f.client_rst = Some((seg.frame, seg.seq));
            }
        }
        if flags.fin() {
            if f.first_fin.is_none() {
                f.first_fin = Some(if d == C2S { Side::Client } else { Side::Server });
            }
            if d == C2S {
                f.client_fin = true;
            } else {
                f.server_fin = true;
            }
        }
        if f.mid_stream && !f.ts_negotiated && ts.is_some() && f.dir[1 - d].has_ts() {
            f.ts_negotiated = true;
        }

        // Options: TS-04 material.
        if seg.max_nop_run >= 10 {
            f.nop_runs.push(seg.frame);
        }
        if seg.ts_malformed {
            f.malformed.push(seg.frame);
        }

        let is_bare_ack = f.bare_ack.map(|b| b.frame == seg.frame).unwrap_or(false) && d == S2C;
        // A SYN or SYN-ACK with TSval 0 carries no clock reading (Windows).
        let ts = ts.filter(|&(v, _)| !(flags.syn() && v == 0));
        let start_seen = !f.mid_stream;
        let [c2s, s2c] = &mut f.dir;
        let (me, peer) = if d == C2S {
            (c2s, &mut *s2c)
        } else {
            (s2c, &mut *c2s)
        };
        me.segments += 1;
        let keepalive =
            me.is_keepalive(seg.seq, seg.payload_len, flags.syn() || flags.fin() || rst);
        // The answer to a keep-alive: a bare ACK of what the prober sent.
        let keepalive_ack = peer.last_keepalive
            && seg.payload_len == 0
            && flags.ack()
            && peer.snd_nxt == Some(seg.ack);
        me.last_keepalive = keepalive;
        me.old_copy = me.only_old_data(seg.seq, seg.payload_len);
        if !rst {
            me.sent(seg.seq, seg.payload_len, flags.syn(), flags.fin());
        }
        // Duplicate ACKs after the peer regressed (TS-03's escalation).
        if flags.ack()
            && !flags.syn()
            && !flags.fin()
            && !rst
            && seg.payload_len == 0
            && me.last_ack == Some(seg.ack)
            && peer.regression_count > 0
        {
            peer.dupacks_after_regression = peer.dupacks_after_regression.saturating_add(1);
        }
        if flags.ack() {
            me.last_ack = Some(seg.ack);
        }
        match ts {
            Some((v, e)) => {
                let u = me.record_ts(v, seg.frame, ns);
                if d == C2S {
                    f.points.push(ns, u);
                }
                // TS-05: the echo must be a TSval the peer sent. The
                // SYN-ACK is checked against the SYNs above; the bare ACK
                // from TIME_WAIT echoes the previous flow (TS-02).
                if flags.ack() && !flags.syn() && !is_bare_ack && peer.has_ts() {
                    if e == 0 {
                        if !peer.could_have_sent(0, start_seen, ns) {
                            me.tsecr_zero.push(seg.frame);
                        }
                    } else if !peer.could_have_sent(e, start_seen, ns) {
                        if me.tsecr_bad.total == 0 {
                            me.tsecr_example = (e, peer.first_tsval, peer.max_tsval);
                            me.tsecr_k_const = true;
                        }
                        let k = crate::analysis::serial::diff(e, peer.last_tsval) as i64;
                        match me.tsecr_k {
                            Some(k0) if k0 != k => me.tsecr_k_const = false,
                            _ => me.tsecr_k = Some(k),
                        }
                        me.tsecr_bad.push(seg.frame);
                    }
                }
            }
            None if seg.timestamps.is_some() => {}
            None => {
                // Keep-alives legitimately omit options (Darwin sends them
                // bare; FreeBSD's tolerate_missing_ts exists for such stacks).
                if !rst
                    && f.ts_negotiated
                    && seg.options_complete
                    && !(syn_only)
                    && !keepalive
                    && !keepalive_ack
                {
                    me.missing_ts.push(seg.frame);
                }
            }
        }

        // tcp_remember_stamp(): the server closed first and the client's
        // segment moves it into (or keeps it in) TIME_WAIT/FIN_WAIT2.
        if d == C2S
            && f.server_fin
            && f.first_fin == Some(Side::Server)
            && f.ts_negotiated
            && ts.is_some()
        {
            let c = &f.dir[C2S];
            remembered::remember(
                &mut pair.rem,
                RemTs {
                    ts: c.max_tsval,
                    stamp_ns: c.max_ns,
                    frame: c.max_frame,
                },
            );
        }
        mark
    }

    /// Runs the detectors and builds the report.
    pub fn finish(self, capture: CaptureSummary) -> Report {
        super::finish::finish(self, capture)
    }
}
