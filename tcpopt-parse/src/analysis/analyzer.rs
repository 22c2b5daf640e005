//! The streaming side: one `push` per segment. The per-segment work is
//! split by concern into `Flow`'s methods (handshake, options,
//! timestamps); the per-pair state (RemTS, traceroute runs) is updated
//! here.
//!
//! Flows are retired once they are over: closed both ways or reset after
//! their handshake and then quiet for `Config::closed_grace_ns` (250 ms:
//! the last ACK and a retransmission still count), superseded by a new SYN on
//! their 4-tuple, or idle past `Config::idle_timeout_ns` (established) /
//! `closing_idle_timeout_ns` (handshake, half-closed, reset in the
//! handshake: the client retries with the same ISN after TIME_WAIT's bare
//! ACK, TS-02); an attempt whose SYNs nothing answered at all retires
//! sooner, after twice its retransmission time so far
//! (`Flow::unanswered_quiet_limit`: a client that gave up holds no 1.3 KB
//! for 130 s). Sweeps run once per second of capture time at most.
//! Retiring frees the flow's slot and hands the flow to the retired side
//! (`tail`: every detector's `Detector::flow_done`, the totals, its
//! `FlowReport` only when a detector may name it or for
//! [`Analyzer::drain_retired`], and its compact clock record to its
//! pair's online clustering (`cluster`), which runs inline or, with
//! `Config::worker_thread`, on a second thread (`worker`)). A closed flow
//! that the server closed first leaves a tombstone on its 4-tuple (what
//! TS-02 needs of it) for `PAWS_MSL` (60 s, the server's TIME_WAIT), so a
//! new SYN there finds its previous connection and late segments are
//! counted, not mistaken for a new mid-stream flow. An open flow whose SYN
//! got TIME_WAIT's bare ACK is indexed by (pair, client ISN) until it
//! retires, so that its retry from another source port (a NAT's new
//! mapping; the client keeps the ISN) is linked to it (`Flow::retry_of`,
//! TS-02's recovery). Live state is the open flows, the tombstones of the
//! last 60 s, the clock lines (the one-connection lines bounded over the
//! capture, `cluster::MAX_OPEN_SINGLES`), at most `cluster::MAX_PENDING`
//! records per pair waiting for their order, the detectors' evidence, up
//! to 1,024 boxes of retired flows for new ones (`SPARE_FLOWS`), up to
//! 4,096 boxes each of forgotten lines and of records' reports
//! (`cluster::SPARE_BOXES`) and, with the worker thread, the records in
//! its channel (`worker::IN_FLIGHT`).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::hash::BuildHasher;
use core::net::IpAddr;

use hashbrown::{DefaultHashBuilder, HashMap, HashTable};

use super::clock::ClockRec;
use super::config::{Config, PAWS_MSL_NS};
use super::finish::{self, LineReport, Parts};
use super::flow::{Flow, FlowKey, PrevClose, ProbeKind, C2S};
use super::remembered;
use super::report::{CaptureSummary, FlowReport, Report};
use super::state::{Counters, Pair};
use super::tail::{Clusters, Retire, Sink, Tail};
#[cfg(feature = "std")]
use super::worker::Worker;
use crate::Segment;

/// The TCP timestamp analyzer. Feed it every TCP segment in capture order
/// with [`Analyzer::push`], then call [`Analyzer::finish`].
pub struct Analyzer {
    config: Config,
    /// Open flows; a retired flow's slot is reused.
    /// (Boxed: a `Flow` is about 1.3 KB, and moving it into and out of
    /// its slot per connection was a tenth of a busy capture's time.)
    slots: Vec<Option<Box<Flow>>>,
    /// Boxes of retired flows, reused by new ones (boxed on purpose: the
    /// point is to keep the allocation and move only the pointer).
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Flow>>,
    free: Vec<u32>,
    open: usize,
    next_id: u32,
    /// Open flows by 4-tuple: slots only, hashed by `FlowKey` and
    /// compared against the flow itself, which the segment reads next
    /// anyway. (With the 48-byte key beside each slot, the table's bucket
    /// showed in perf as a cache miss per segment of its own before the
    /// flow's; 4-byte entries make a table a twelfth the size.)
    map: HashTable<u32>,
    hasher: DefaultHashBuilder,
    /// 4-tuples whose flow closed with FINs less than 60 s ago, by
    /// `FlowKey::digest`.
    tombstones: HashMap<u64, Tombstone>,
    /// Open flows whose SYN got a bare ACK instead of a SYN-ACK (TIME_WAIT's
    /// answer, TS-02), by (pair, client ISN) → (slot, id): a later SYN of the
    /// pair with that ISN on another 4-tuple is its retry.
    refused: HashMap<(u32, u32), (u32, u32)>,
    pairs: Vec<Pair>,
    pair_map: HashMap<(IpAddr, IpAddr), u32>,
    counters: Counters,
    peak_open_flows: u64,
    /// What retired flows go to: the detectors, the totals, the reports
    /// (`tail`).
    tail: Tail,
    /// Where their clock records are clustered: here or on a thread of
    /// its own (`Config::worker_thread`).
    back: Back,
    /// Streamed reports the worker thread handed back, for `drain_retired`.
    streamed: Vec<FlowReport>,
    last_sweep_ns: i64,
    segments_since_sweep: u64,
    last_prune_ns: i64,
    segments_since_prune: u64,
}

/// Boxes of retired flows kept for new ones. A sweep retires every flow
/// closed in the last second at once (about 3,700 on the generated
/// million-connection capture); with 64 kept, the rest were freed and as
/// many allocated again within the second, and the allocator's bins were
/// a fifth of the reading thread's time there. 1,024 took most of that
/// away (5.2-5.5 s wall, from 5.5-6.1); 2,048 and 4,096 were no faster
/// within this machine's noise and held 2.5 and 4.5 MB more.
const SPARE_FLOWS: usize = 1024;

/// What a closed flow that the server closed first leaves on its 4-tuple:
/// its `PrevClose`, flattened so that the flow id fills what would be
/// padding (40 bytes a table entry with its key, against 48: a busy server
/// holds a minute of closes, 100,000 and more).
#[derive(Clone, Copy, Debug)]
struct Tombstone {
    last_ns: i64,
    client_max_frame: u64,
    id: u32,
    client_max_tsval: u32,
    cport: u16,
    has_tsval: bool,
    ended: bool,
    established: bool,
}

impl Tombstone {
    fn of(id: u32, c: PrevClose) -> Tombstone {
        Tombstone {
            last_ns: c.last_ns,
            client_max_frame: c.client_max_frame,
            id,
            client_max_tsval: c.client_max_tsval.unwrap_or(0),
            cport: c.cport,
            has_tsval: c.client_max_tsval.is_some(),
            ended: c.ended,
            established: c.established,
        }
    }

    fn close(&self) -> PrevClose {
        PrevClose {
            // Only such closes leave a tombstone (`Analyzer::retire`).
            server_closed_first: true,
            last_ns: self.last_ns,
            client_max_tsval: self.has_tsval.then_some(self.client_max_tsval),
            client_max_frame: self.client_max_frame,
            ended: self.ended,
            established: self.established,
            cport: self.cport,
        }
    }
}

/// Where the clustering runs.
#[derive(Debug)]
enum Back {
    Inline(Box<Clusters>),
    #[cfg(feature = "std")]
    Thread(Worker),
}

impl Sink for Back {
    fn record(&mut self, pair: u32, rec: ClockRec, report: LineReport) {
        match self {
            Back::Inline(c) => c.record(pair, rec, report),
            #[cfg(feature = "std")]
            Back::Thread(w) => w.record(pair, rec, report),
        }
    }

    fn stream(&mut self, report: FlowReport) {
        match self {
            Back::Inline(c) => c.stream(report),
            #[cfg(feature = "std")]
            Back::Thread(w) => w.stream(report),
        }
    }
}

impl core::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Analyzer")
            .field("config", &self.config)
            .field("open", &self.open)
            .field("pairs", &self.pairs.len())
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

/// Internal sizes, for tests and for the CLI's `--stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateSize {
    /// Flows open now.
    pub flows: usize,
    /// Entries of the flow table (open flows).
    pub flow_table: usize,
    pub pairs: usize,
    /// Bytes per open flow (fixed: flows hold no heap storage).
    pub flow_bytes: usize,
    /// Retired flows' clock records waiting for their order, over all
    /// pairs (at most `cluster::MAX_PENDING` per pair). This and
    /// `clock_lines` are 0 while the clustering runs on its own thread
    /// (`Config::worker_thread`): the live side cannot see them then.
    pub clock_pending: usize,
    /// Clock lines kept, over all pairs.
    pub clock_lines: usize,
    /// TIME_WAIT tombstones (flows closed in the last 60 s).
    pub tombstones: usize,
    /// Open flows whose SYN TIME_WAIT refused, awaiting their retry.
    pub refused: usize,
    /// Flow reports kept because a detector may name them.
    pub kept_reports: usize,
    /// Flow slots allocated (the peak of open flows).
    pub slots: usize,
}

impl Analyzer {
    pub fn new(config: Config) -> Self {
        let clusters = Clusters::new(&config);
        let tail = Tail::new(&config);
        #[cfg(feature = "std")]
        let back = match config.worker_thread {
            true => match Worker::start(clusters) {
                Ok(w) => Back::Thread(w),
                Err(c) => Back::Inline(c),
            },
            false => Back::Inline(Box::new(clusters)),
        };
        #[cfg(not(feature = "std"))]
        let back = Back::Inline(Box::new(clusters));
        Analyzer {
            config,
            slots: Vec::new(),
            spare: Vec::new(),
            free: Vec::new(),
            open: 0,
            next_id: 0,
            map: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            tombstones: HashMap::new(),
            refused: HashMap::new(),
            pairs: Vec::new(),
            pair_map: HashMap::new(),
            counters: Counters::default(),
            peak_open_flows: 0,
            tail,
            back,
            streamed: Vec::new(),
            last_sweep_ns: i64::MIN,
            segments_since_sweep: 0,
            last_prune_ns: i64::MIN,
            segments_since_prune: 0,
        }
    }

    /// The analyzer's internal sizes (memory grows with these only).
    pub fn state_size(&self) -> StateSize {
        let (clock_pending, clock_lines) = match &self.back {
            Back::Inline(c) => (c.pending(), c.lines_kept()),
            #[cfg(feature = "std")]
            Back::Thread(_) => (0, 0),
        };
        StateSize {
            flows: self.open,
            flow_table: self.map.len(),
            pairs: self.pairs.len(),
            flow_bytes: core::mem::size_of::<Flow>(),
            clock_pending,
            clock_lines,
            tombstones: self.tombstones.len(),
            refused: self.refused.len(),
            kept_reports: self.tail.kept.len(),
            slots: self.slots.len(),
        }
    }

    /// Feeds an ICMP destination unreachable that quotes a TCP segment
    /// (capture order): when it quotes a flow's SYN, that SYN was answered
    /// by ICMP (SYN_UNANSWERED says so, with this frame).
    pub fn push_icmp(&mut self, frame: u64, ns: i64, q: &crate::decode::IcmpQuote) {
        let key = FlowKey::new(q.src, q.sport, q.dst, q.dport);
        let Some(slot) = self.lookup(&key) else {
            return;
        };
        if let Some(Some(f)) = self.slots.get_mut(slot as usize) {
            f.icmp_error(frame, ns, q);
        }
    }

    /// The reports of flows retired since the last call (a flow whose
    /// client sent TSvals once its clock line is known, with `clock_line`;
    /// the others when they retire) (only with `Config::stream_flows`; empty otherwise). Drain it
    /// after each [`push`](Self::push) batch to keep memory constant;
    /// [`finish_streaming`](Self::finish_streaming) hands over the rest.
    pub fn drain_retired(&mut self) -> alloc::vec::Drain<'_, FlowReport> {
        match &mut self.back {
            Back::Inline(c) => c.streamed.drain(..),
            #[cfg(feature = "std")]
            Back::Thread(w) => {
                w.collect(&mut self.streamed);
                self.streamed.drain(..)
            }
        }
    }

    /// Feeds one segment (capture order).
    pub fn push(&mut self, seg: &Segment) {
        self.count(seg);
        self.maybe_sweep();
        let key = FlowKey::new(seg.src, seg.sport, seg.dst, seg.dport);
        let syn_only = seg.flags.syn() && !seg.flags.ack();
        let idx = match self.lookup(&key) {
            Some(slot) => {
                let retransmission = self
                    .flow(slot)
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
                    let prev = self.flow(slot).map(|f| (f.id, f.close_record()));
                    self.retire(slot, Retire::Superseded);
                    self.new_flow(seg, key, prev)
                } else {
                    Some(slot)
                }
            }
            None => {
                let digest = key.digest();
                match self.tombstones.get(&digest).copied() {
                    Some(t) if syn_only => {
                        self.tombstones.remove(&digest);
                        self.new_flow(seg, key, Some((t.id, t.close())))
                    }
                    Some(_) => {
                        self.counters.late_segments += 1;
                        return;
                    }
                    None => self.new_flow(seg, key, None),
                }
            }
        };
        match idx {
            Some(slot) => {
                if let Some((flows, n)) = self.update(slot as usize, seg) {
                    for &(s, id) in flows.get(..n).unwrap_or(&[]) {
                        if let Some(f) = self.slots.get_mut(s as usize).and_then(Option::as_mut) {
                            if f.id == id {
                                f.probe = Some(ProbeKind::Traceroute);
                            }
                        }
                    }
                }
            }
            None => self.counters.untracked += 1,
        }
    }

    /// The open flow's slot for the 4-tuple whose key is `key`.
    #[inline]
    fn lookup(&self, key: &FlowKey) -> Option<u32> {
        let slots = &self.slots;
        self.map
            .find(self.hasher.hash_one(key), |&s| {
                slots
                    .get(s as usize)
                    .and_then(Option::as_deref)
                    .is_some_and(|f| f.key == *key)
            })
            .copied()
    }

    fn flow(&self, slot: u32) -> Option<&Flow> {
        self.slots.get(slot as usize)?.as_deref()
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

    /// Retires idle flows and forgets old tombstones, each at most once
    /// per second of capture time and only after as many segments as
    /// there are entries to scan (amortised O(1) per segment).
    fn maybe_sweep(&mut self) {
        self.segments_since_sweep += 1;
        self.segments_since_prune += 1;
        let now = self.counters.last_ns;
        if now.saturating_sub(self.last_prune_ns) >= 1_000_000_000
            && self.segments_since_prune as usize >= self.tombstones.len()
        {
            self.last_prune_ns = now;
            self.segments_since_prune = 0;
            self.tombstones
                .retain(|_, t| now.saturating_sub(t.last_ns) < PAWS_MSL_NS);
        }
        if now.saturating_sub(self.last_sweep_ns) < 1_000_000_000
            || (self.segments_since_sweep as usize) < self.open
        {
            return;
        }
        self.last_sweep_ns = now;
        self.segments_since_sweep = 0;
        let c = &self.config;
        let (idle, closing, grace, syn_wait) = (
            c.idle_timeout_ns,
            c.closing_idle_timeout_ns,
            c.closed_grace_ns,
            c.syn_answer_timeout_ns,
        );
        // One pass over the open flows finds the stale ones and, from the
        // others (those still open after this sweep), the watermark: a
        // busy server's flows are cold, and a second pass fetched each
        // again (`watermark`).
        let mut stale: Vec<(u32, Retire)> = Vec::new();
        let mut watermark: HashMap<u32, i64> = HashMap::new();
        for (s, f) in self.slots.iter().enumerate() {
            let Some(f) = f.as_ref() else {
                continue;
            };
            let reset = f.client_rst.is_some() || f.server_rst.is_some();
            let over = f.closed() || (reset && f.synack.is_some() && f.hs_ack.is_some());
            let busy = f.established() && !f.client_fin && !f.server_fin && !reset;
            let (limit, why) = if over {
                (grace, Retire::Closed)
            } else if busy {
                (idle, Retire::Idle)
            } else if let Some(l) = f.unanswered_quiet_limit(syn_wait, closing) {
                (l, Retire::Idle)
            } else {
                (closing, Retire::Idle)
            };
            if now.saturating_sub(f.last_ns) > limit {
                stale.push((s as u32, why));
            } else {
                Self::lower_watermark(&mut watermark, f);
            }
        }
        for (s, why) in stale {
            self.retire(s, why);
        }
        self.release_clock_records(watermark);
    }

    /// Takes open flow `f` into `watermark`: the earliest first client
    /// TSval time of each pair's open flows, a clock record's key
    /// (`ClockRec::first_ns`). An open flow whose client has sent none yet
    /// will have a later one than every record now.
    fn lower_watermark(watermark: &mut HashMap<u32, i64>, f: &Flow) {
        let c = &f.dir[C2S];
        if c.has_ts() {
            let w = watermark.entry(f.pair).or_insert(i64::MAX);
            *w = (*w).min(c.first_ns);
        }
    }

    /// Clusters the retired clock records that no open flow of their pair
    /// precedes (`cluster`: the order of first TSvals), then forgets the
    /// oldest one-connection lines past the cap (`Clusters::release`).
    fn release_clock_records(&mut self, w: HashMap<u32, i64>) {
        let wanted = match &self.back {
            // Nothing pending: the watermark would go unread.
            Back::Inline(c) => c.has_pending(),
            #[cfg(feature = "std")]
            Back::Thread(_) => true,
        };
        if !wanted {
            return;
        }
        match &mut self.back {
            Back::Inline(c) => c.release(&w),
            #[cfg(feature = "std")]
            Back::Thread(worker) => worker.release(w),
        }
    }

    fn new_flow(
        &mut self,
        seg: &Segment,
        key: FlowKey,
        prev: Option<(u32, PrevClose)>,
    ) -> Option<u32> {
        if self.open >= self.config.max_flows || self.next_id == u32::MAX {
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
        let id = self.next_id;
        self.next_id += 1;
        let retry_of = (f.syn() && !f.ack())
            .then(|| self.retry_of(pair, seg))
            .flatten();
        // Built where it lands: a flow built first and then moved is two
        // 1.3 KB writes per connection.
        let mut flow = match self.spare.pop() {
            Some(mut b) => {
                *b = Flow::new(id, client, cport, server, sport, pair);
                b
            }
            None => Box::new(Flow::new(id, client, cport, server, sport, pair)),
        };
        flow.mid_stream = mid;
        flow.prev = prev.map(|p| p.0);
        flow.prev_close = prev.map(|p| p.1);
        flow.first_frame = seg.frame;
        flow.first_ns = seg.ts.nanos;
        flow.retry_of = retry_of;
        let slot = match self.free.pop() {
            Some(s) => {
                if let Some(x) = self.slots.get_mut(s as usize) {
                    *x = Some(flow);
                }
                s
            }
            None => {
                self.slots.push(Some(flow));
                (self.slots.len() - 1) as u32
            }
        };
        self.open += 1;
        self.peak_open_flows = self.peak_open_flows.max(self.open as u64);
        let slots = &self.slots;
        let hasher = &self.hasher;
        self.map.insert_unique(hasher.hash_one(key), slot, |&s| {
            slots
                .get(s as usize)
                .and_then(Option::as_deref)
                .map_or(0, |f| hasher.hash_one(f.key))
        });
        Some(slot)
    }

    /// The refused flow that the SYN `seg` of `pair` retries: the same
    /// client ISN (Linux's client keeps it when it retries after resetting
    /// TIME_WAIT's bare ACK; a NAT changes the source port, never the
    /// sequence number) and, when both SYNs carry one, a TSval not older
    /// than the refused SYN's (the same client clock: the NAT does not
    /// touch timestamps). A chance match needs the same 32-bit ISN from the
    /// same address within the refused flow's life (at most 130 s).
    fn retry_of(&self, pair: u32, seg: &Segment) -> Option<u32> {
        let &(slot, id) = self.refused.get(&(pair, seg.seq))?;
        let r = self.flow(slot).filter(|r| r.id == id)?;
        let newer = match (r.syns_with_ts > 0, seg.timestamps) {
            (true, Some((v, _))) => crate::analysis::serial::diff(v, r.dir[C2S].first_tsval) >= 0,
            _ => true,
        };
        newer.then_some(id)
    }

    /// Updates the flow in `slot`; returns the (slot, id) of a traceroute
    /// run's flows to mark.
    fn update(&mut self, slot: usize, seg: &Segment) -> Option<([(u32, u32); 4], usize)> {
        let f = self.slots.get_mut(slot)?.as_mut()?;
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
                let me = ((slot as u64) << 32) | u64::from(f.id);
                if let Some(run) = pair.probe_run.observe(v, seg.ttl, seg.sport, me) {
                    f.probe = Some(ProbeKind::Traceroute);
                    let mut flows = [(0u32, 0u32); 4];
                    for (x, &r) in flows.iter_mut().zip(run) {
                        *x = ((r >> 32) as u32, r as u32);
                    }
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
        let refused_before = f.bare_ack.is_some();
        f.handshake(seg, d);
        if !refused_before && f.synack.is_none() {
            if let (Some(_), Some(isn)) = (f.bare_ack, f.client_isn) {
                self.refused.insert((f.pair, isn), (slot as u32, f.id));
            }
        }
        f.options(seg);
        f.timestamps(seg, d);
        if d == C2S {
            if let Some(stamp) = f.remembered_stamp(seg) {
                remembered::remember(&mut pair.rem, stamp);
            }
        }
        mark
    }

    fn retire(&mut self, slot: u32, why: Retire) {
        let Some(f) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        self.free.push(slot);
        self.open -= 1;
        if let (Some(_), Some(isn)) = (f.bare_ack, f.client_isn) {
            if self
                .refused
                .get(&(f.pair, isn))
                .is_some_and(|&(_, id)| id == f.id)
            {
                self.refused.remove(&(f.pair, isn));
            }
        }
        let key = f.key;
        if let Ok(e) = self
            .map
            .find_entry(self.hasher.hash_one(key), |&s| s == slot)
        {
            e.remove();
            // Only TS-02 reads a tombstone, and only when the server closed
            // first (the server then holds TIME_WAIT): the others would
            // cost 100 bytes each for 60 s for nothing but late segments.
            let close = f.close_record();
            if why == Retire::Closed && close.server_closed_first {
                self.tombstones
                    .insert(key.digest(), Tombstone::of(f.id, close));
            }
        }
        if f.probe.is_some() {
            self.counters.probe_flows += 1;
        }
        self.tail.retired(&f, why, &mut self.back);
        if self.spare.len() < SPARE_FLOWS {
            self.spare.push(f);
        }
    }

    /// Runs the detectors and builds the report.
    pub fn finish(self, capture: CaptureSummary) -> Report {
        self.finish_streaming(capture, &mut |_| {})
    }

    /// [`finish`](Self::finish), handing each flow still queued or open
    /// at the end to `on_flow` (with `Config::stream_flows`): with
    /// [`drain_retired`](Self::drain_retired) the complete flow list.
    pub fn finish_streaming(
        mut self,
        capture: CaptureSummary,
        on_flow: &mut dyn FnMut(&FlowReport),
    ) -> Report {
        let mut open: Vec<(u32, u32)> = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(s, f)| Some((f.as_ref()?.id, s as u32)))
            .collect();
        open.sort_unstable();
        for (_, s) in open {
            self.retire(s, Retire::End);
        }
        let mut clusters = match self.back {
            Back::Inline(c) => *c,
            #[cfg(feature = "std")]
            Back::Thread(w) => w.join(&mut self.streamed),
        };
        clusters.release_all();
        for r in self.streamed.drain(..).chain(clusters.streamed.drain(..)) {
            on_flow(&r);
        }
        let tail = self.tail;
        let clocks = clusters.clocks_for(self.pairs.len(), &tail.without_ts);
        let mut totals = tail.totals;
        totals.peak_open_flows = self.peak_open_flows;
        totals.late_segments = self.counters.late_segments;

        finish::finish(
            Parts {
                config: self.config,
                pairs: self.pairs,
                clocks,
                counters: self.counters,
                totals,
                detectors: tail.detectors,
                kept: tail.kept,
                flows: self.next_id as u64,
                clock_records: tail.clock_records,
            },
            capture,
        )
    }
}
