//! The streaming side: one `push` per segment, no allocation except when
//! a flow or a client/server pair appears. The per-segment work is split
//! by concern into `Flow`'s methods (handshake, options, timestamps); the
//! per-pair state (RemTS, traceroute runs) is updated here.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::IpAddr;

use hashbrown::HashMap;

use super::config::Config;
use super::detectors::{self, Detector};
use super::finish::{self, Parts};
use super::flow::{Flow, FlowKey, ProbeKind, C2S};
use super::remembered;
use super::report::{CaptureSummary, Report};
use super::state::{Counters, Pair};
use crate::Segment;

/// The TCP timestamp analyzer. Feed it every TCP segment in capture order
/// with [`Analyzer::push`], then call [`Analyzer::finish`].
pub struct Analyzer {
    config: Config,
    flows: Vec<Flow>,
    map: HashMap<FlowKey, u32>,
    pairs: Vec<Pair>,
    pair_map: HashMap<(IpAddr, IpAddr), u32>,
    counters: Counters,
    detectors: Vec<Box<dyn Detector>>,
}

impl core::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Analyzer")
            .field("config", &self.config)
            .field("flows", &self.flows.len())
            .field("pairs", &self.pairs.len())
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
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
            counters: Counters::default(),
            detectors: detectors::all(),
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

    /// Feeds an ICMP destination unreachable that quotes a TCP segment
    /// (capture order): when it quotes a flow's SYN, that SYN was answered
    /// by ICMP (SYN_UNANSWERED says so, with this frame).
    pub fn push_icmp(&mut self, frame: u64, ns: i64, q: &crate::decode::IcmpQuote) {
        let key = FlowKey::new(q.src, q.sport, q.dst, q.dport);
        let Some(&i) = self.map.get(&key) else { return };
        if let Some(f) = self.flows.get_mut(i as usize) {
            f.icmp_error(frame, ns, q);
        }
    }

    /// Feeds one segment (capture order).
    pub fn push(&mut self, seg: &Segment) {
        self.count(seg);
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
            None => self.counters.untracked += 1,
        }
    }

    fn count(&mut self, seg: &Segment) {
        let c = &mut self.counters;
        c.segments += 1;
        if seg.timestamps.is_some() {
            c.segments_with_ts += 1;
        }
        let ns = seg.ts.nanos;
        if c.first_ns.is_none() {
            c.first_ns = Some(ns);
        }
        if ns < c.last_ns {
            c.backwards += 1;
        } else {
            if c.last_ns != i64::MIN && ns > c.last_ns {
                c.gaps += 1;
                if (ns - c.last_ns) % 1_000_000 == 0 {
                    c.gaps_whole_ms += 1;
                }
            }
            c.last_ns = ns;
        }
    }

    fn new_flow(&mut self, seg: &Segment, key: FlowKey, prev: Option<u32>) -> Option<u32> {
        if self.flows.len() >= self.config.max_flows || self.flows.len() >= u32::MAX as usize {
            self.counters.cap_hit = true;
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
                self.pairs.push(Pair::new(client, server));
                self.pair_map.insert((client, server), p);
                p
            }
        };
        let idx = self.flows.len() as u32;
        let mut flow = Flow::new(client, cport, server, sport, pair);
        flow.mid_stream = mid;
        flow.prev = prev;
        flow.prev_close = prev.and_then(|p| Some(self.flows.get(p as usize)?.close_record()));
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
        let d = f.direction(seg);
        f.last_frame = seg.frame;
        f.last_ns = ns;
        if d == C2S && seg.flags.syn() && !seg.flags.ack() {
            let nth = f.syns.total;
            f.client_syn(seg);
            if let Some((v, _)) = seg.timestamps {
                if let Some(run) = pair.probe_run.observe(v, seg.ttl, seg.sport, i as u32) {
                    f.probe = Some(ProbeKind::Traceroute);
                    let mut flows = [0u32; 4];
                    flows.get_mut(..run.len())?.copy_from_slice(run);
                    mark = Some((flows, run.len()));
                }
            }
            if let Some(rem) = pair.rem {
                let v = seg.timestamps.map(|t| t.0);
                if remembered::predicts_drop(&rem, v, ns) {
                    f.predicted_drop(nth, &rem, v, ns);
                }
            }
        }
        f.handshake(seg, d);
        f.options(seg);
        f.timestamps(seg, d);
        if d == C2S {
            if let Some(stamp) = f.remembered_stamp(seg) {
                remembered::remember(&mut pair.rem, stamp);
            }
        }
        mark
    }

    /// Runs the detectors and builds the report.
    pub fn finish(self, capture: CaptureSummary) -> Report {
        finish::finish(
            Parts {
                config: self.config,
                flows: self.flows,
                pairs: self.pairs,
                counters: self.counters,
                detectors: self.detectors,
            },
            capture,
        )
    }
}
