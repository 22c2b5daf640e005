//! The matcher: both captures' segments merged in time (B's shifted by the
//! estimated clock offset), each waiting at most [`Config::window_ns`] for
//! its copy in the other capture.
//!
//! - **Key.** A segment is looked up by what NAT does not change: sequence
//!   and acknowledgement number, SYN/FIN/RST/ACK and payload length. B's
//!   numbers are first moved by the connection's learnt sequence shift
//!   (SYNPROXY), so that a shifted connection still matches after its
//!   handshake.
//! - **Choice.** Among the copies with that key (retransmissions) the one
//!   whose TSval agrees (after the connection's learnt TSval shift), then
//!   whose IPv4 ID agrees, then the nearest in time wins: each copy is
//!   matched to its own copy.
//! - **Connections.** The first match of two flows pairs them for good (a
//!   flow paired with another never matches a third): this is the NAT
//!   mapping. A SYN with a new ISN on a known 4-tuple starts a new attempt.
//! - **Bounded.** Unmatched segments leave the window after
//!   `window_ns`; flows leave after `idle_ns` without a segment; only the
//!   first `max_attempts_listed` attempts keep their ladder in the report.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::IpAddr;

use hashbrown::{HashMap, HashSet};

use super::flow::{resolve, way_index, Flow, Row};
use super::observe::{Endpoint, Observed};
use super::report::{Vantage, Way};
use super::rewrite::RewriteTally;
use super::stats::Samples;
use super::summary::{AttemptFacts, Summary};
use super::Config;

/// How many addresses and server endpoints each side remembers.
const MAX_ADDRESS_SET: usize = 4096;
/// How often (in A's clock) idle flows are looked for: a tenth of the
/// idle time, so the scan of the flow table costs nothing per segment.
const RETIRE_PERIODS: i64 = 10;
/// Handshake frames a flow keeps for its findings.
const MAX_SYN_FRAMES: usize = 16;
/// How far back a SYN-ACK looks for its shifted copy (SYNPROXY).
const SHIFT_SCAN: usize = 4096;
/// Differing pairs a connection holds until its direction of travel is known.
const MAX_DEFERRED: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    seq: u32,
    ack: u32,
    flags: u16,
    len: u32,
}

fn key_of(s: &Observed, seq_shift: u32, ack_shift: u32) -> Key {
    Key {
        seq: s.seq.wrapping_sub(seq_shift),
        ack: if s.flags.ack() {
            s.ack.wrapping_sub(ack_shift)
        } else {
            0
        },
        flags: s.key_flags(),
        len: s.payload_len,
    }
}

/// How often a key occurs in one capture's first span, and when last.
type KeyCount = (u32, i64);

/// One segment waiting for its copy.
#[derive(Debug)]
struct Pending {
    seg: Observed,
    /// Time in A's clock.
    adj: i64,
    flow: u64,
    dir: usize,
    key: Key,
    matched: bool,
    /// Its row in the flow's ladder, when within the cap.
    row: Option<usize>,
}

/// One capture's state.
#[derive(Debug, Default)]
struct SideState {
    /// Decoded, not yet merged.
    queue: VecDeque<Observed>,
    finished: bool,
    /// Own clock: first and last decoded segment.
    first_ts: Option<i64>,
    last_ts: Option<i64>,
    /// A's clock: first and last merged segment.
    first_adj: Option<i64>,
    last_adj: Option<i64>,
    /// The current attempt per 4-tuple (canonical order).
    flows: HashMap<(Endpoint, Endpoint), u64>,
    pending: VecDeque<(u64, Pending)>,
    index: HashMap<Key, Vec<u64>>,
    next_id: u64,
    /// Addresses seen sending with an initial TTL (64, 128, 255): the
    /// capture runs on that host.
    local: HashSet<IpAddr>,
    /// Server endpoints of this capture's connections.
    servers: HashSet<Endpoint>,
    matched: u64,
}

impl SideState {
    fn pending_get(&mut self, id: u64) -> Option<&mut Pending> {
        let front = self.pending.front()?.0;
        let i = usize::try_from(id.checked_sub(front)?).ok()?;
        self.pending.get_mut(i).map(|(_, p)| p)
    }

    fn unindex(&mut self, key: &Key, id: u64) {
        if let Some(ids) = self.index.get_mut(key) {
            ids.retain(|&i| i != id);
            if ids.is_empty() {
                self.index.remove(key);
            }
        }
    }

    fn covers(&self, adj: i64) -> bool {
        match (self.first_adj, self.last_adj) {
            (Some(f), Some(l)) => adj >= f && (adj <= l || !self.finished),
            _ => false,
        }
    }
}

/// Two captures in, one [`Summary`] out.
#[derive(Debug)]
pub struct Correlator {
    config: Config,
    sides: [SideState; 2],
    booting: bool,
    /// B's clock minus A's, as estimated from the first segments.
    boot_offset: i64,
    boot_pairs: u64,
    flows: HashMap<u64, Flow>,
    next_flow: u64,
    processed: u64,
    /// When idle flows were last looked for (A's clock).
    last_retire: Option<i64>,
    /// Flows created with a ladder (the report lists only the first attempts).
    ladders: usize,
    /// tB − tA of matched pairs, per way of travel.
    pub(crate) samples: [Samples; 3],
    pub(crate) ttl: [(Option<i32>, Option<i32>); 3],
    pub(crate) ip_id: [(u64, u64); 3],
    pub(crate) rewrites: RewriteTally,
    pub(crate) summary: Summary,
    peak_pending: usize,
}

impl Correlator {
    pub fn new(config: Config) -> Correlator {
        Correlator {
            summary: Summary::new(&config),
            rewrites: RewriteTally::new(config.max_frames),
            config,
            sides: [SideState::default(), SideState::default()],
            booting: true,
            boot_offset: 0,
            boot_pairs: 0,
            flows: HashMap::new(),
            next_flow: 0,
            processed: 0,
            last_retire: None,
            ladders: 0,
            samples: Default::default(),
            ttl: [(None, None); 3],
            ip_id: [(0, 0); 3],
            peak_pending: 0,
        }
    }

    /// Takes one segment of one capture, in that capture's order.
    pub fn push(&mut self, side: Vantage, seg: Observed) {
        let s = &mut self.sides[side.index()];
        s.first_ts.get_or_insert(seg.ts);
        s.last_ts = Some(seg.ts);
        s.queue.push_back(seg);
        self.drain();
    }

    /// The capture `side` has ended.
    pub fn finish_side(&mut self, side: Vantage) {
        self.sides[side.index()].finished = true;
        self.drain();
    }

    /// Which capture to read next so that both advance together in time
    /// (memory stays bounded by the window): `None` once both ended.
    pub fn wants(&self) -> Option<Vantage> {
        let open: Vec<Vantage> = [Vantage::A, Vantage::B]
            .into_iter()
            .filter(|v| !self.sides[v.index()].finished)
            .collect();
        match open.as_slice() {
            [] => None,
            [one] => Some(*one),
            _ => {
                if self.booting {
                    // Read both for the same span of their own clocks,
                    // each only until it has enough.
                    let waiting: Vec<Vantage> = open
                        .iter()
                        .copied()
                        .filter(|v| !self.boot_ready(&self.sides[v.index()]))
                        .collect();
                    if let [one] = waiting.as_slice() {
                        return Some(*one);
                    }
                }
                let end = |v: Vantage| -> Option<i64> {
                    let s = &self.sides[v.index()];
                    if self.booting {
                        return Some(s.last_ts? - s.first_ts?);
                    }
                    s.queue.back().map(|q| self.adj(v, q.ts))
                };
                match (end(Vantage::A), end(Vantage::B)) {
                    (None, _) => Some(Vantage::A),
                    (_, None) => Some(Vantage::B),
                    (Some(a), Some(b)) => Some(if a <= b { Vantage::A } else { Vantage::B }),
                }
            }
        }
    }

    /// Ends both inputs and returns everything learnt.
    pub fn finish(mut self) -> Summary {
        self.sides[0].finished = true;
        self.sides[1].finished = true;
        self.drain();
        self.evict(i64::MAX);
        // In creation order, so that attempt numbers follow the captures.
        let mut ids: Vec<u64> = self.flows.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            self.retire(id);
        }
        let mut summary = core::mem::replace(&mut self.summary, Summary::new(&self.config));
        summary.boot_offset = self.boot_offset;
        summary.boot_pairs = self.boot_pairs;
        summary.peak_pending = self.peak_pending as u64;
        summary.samples = core::mem::take(&mut self.samples);
        summary.ttl = self.ttl;
        summary.ip_id = self.ip_id;
        summary.rewrites = core::mem::replace(&mut self.rewrites, RewriteTally::new(0));
        for (i, s) in self.sides.iter().enumerate() {
            summary.matched[i] = s.matched;
        }
        summary
    }

    fn adj(&self, side: Vantage, ts: i64) -> i64 {
        match side {
            Vantage::A => ts,
            Vantage::B => ts.saturating_sub(self.boot_offset),
        }
    }

    /// Whether a capture has given enough for the offset estimate.
    fn boot_ready(&self, s: &SideState) -> bool {
        s.finished
            || s.queue.len() >= self.config.boot_max_segments
            || matches!((s.first_ts, s.last_ts), (Some(f), Some(l)) if l - f >= self.config.boot_span_ns)
    }

    fn drain(&mut self) {
        if self.booting {
            if !(self.boot_ready(&self.sides[0]) && self.boot_ready(&self.sides[1])) {
                return;
            }
            self.estimate_offset();
            self.booting = false;
        }
        loop {
            let a = self.sides[0].queue.front().map(|s| s.ts);
            let b = self.sides[1]
                .queue
                .front()
                .map(|s| self.adj(Vantage::B, s.ts));
            let side = match (a, b) {
                (Some(a), Some(b)) => {
                    if a <= b {
                        Vantage::A
                    } else {
                        Vantage::B
                    }
                }
                (Some(_), None) if self.sides[1].finished => Vantage::A,
                (None, Some(_)) if self.sides[0].finished => Vantage::B,
                _ => return,
            };
            let Some(seg) = self.sides[side.index()].queue.pop_front() else {
                return;
            };
            self.process(side, seg);
        }
    }

    /// The offset from the first segments: the median of tB − tA over keys
    /// that occur exactly once in each capture's first span.
    fn estimate_offset(&mut self) {
        for with_ts in [true, false] {
            // Per key (and TSval): how often, and the last time, in each capture.
            let mut seen: HashMap<(Key, Option<u32>), [KeyCount; 2]> = HashMap::new();
            for (i, side) in self.sides.iter().enumerate() {
                for s in &side.queue {
                    let k = (
                        key_of(s, 0, 0),
                        s.timestamps.filter(|_| with_ts).map(|t| t.0),
                    );
                    let e = seen.entry(k).or_insert([(0, 0); 2]);
                    e[i].0 += 1;
                    e[i].1 = s.ts;
                }
            }
            let mut dts: Vec<i64> = seen
                .values()
                .filter(|e| e[0].0 == 1 && e[1].0 == 1)
                .map(|e| e[1].1 - e[0].1)
                .collect();
            if !dts.is_empty() {
                dts.sort_unstable();
                self.boot_offset = dts[dts.len() / 2];
                self.boot_pairs = dts.len() as u64;
                return;
            }
        }
        // Nothing unique in common at the start (retransmitted copies only,
        // or no common traffic yet): assume the clocks agree, which
        // NTP-synchronised hosts nearly do, rather than that the captures
        // started together, which people starting tcpdump rarely do.
        self.boot_offset = 0;
    }

    fn process(&mut self, side: Vantage, seg: Observed) {
        let adj = self.adj(side, seg.ts);
        self.evict(adj.saturating_sub(self.config.window_ns));
        self.processed += 1;
        let every = (self.config.idle_ns / RETIRE_PERIODS)
            .min(self.config.window_ns)
            .max(1);
        match self.last_retire {
            None => self.last_retire = Some(adj),
            Some(t) if adj.saturating_sub(t) >= every => {
                self.last_retire = Some(adj);
                self.retire_idle(adj);
            }
            _ => {}
        }
        {
            let s = &mut self.sides[side.index()];
            s.first_adj.get_or_insert(adj);
            s.last_adj = Some(adj);
            if matches!(seg.ttl, 64 | 128 | 255) && s.local.len() < MAX_ADDRESS_SET {
                s.local.insert(seg.src.0);
            }
        }
        let fid = self.flow_for(side, &seg);
        let (dir, key, row) = {
            let f = self.flows.get_mut(&fid).expect("flow just looked up");
            f.last_ts = seg.ts;
            let dir = f.dir_of(&seg);
            f.segs[dir] += 1;
            f.fin[dir] |= seg.flags.fin();
            f.rst |= seg.flags.rst();
            if seg.is_syn() && dir == 0 {
                f.syns += 1;
                if f.syn_frames.len() < MAX_SYN_FRAMES {
                    f.syn_frames.push(seg.frame);
                }
            }
            if seg.is_synack() && dir == 1 {
                f.synacks += 1;
                if f.synack_frames.len() < MAX_SYN_FRAMES {
                    f.synack_frames.push(seg.frame);
                }
            }
            let key = if side == Vantage::B {
                key_of(&seg, f.seq_shift[dir], f.seq_shift[dir ^ 1])
            } else {
                key_of(&seg, 0, 0)
            };
            let row = if f.keeps_ladder && f.ladder.len() < self.config.max_ladder {
                f.ladder.push(Row {
                    frame: seg.frame,
                    ts: seg.ts,
                    adj,
                    dir,
                    flags: seg.flags,
                    seq: seg.seq,
                    ack: seg.ack,
                    len: seg.payload_len,
                    partner: None,
                    unmatched: false,
                    covered: false,
                    injected: false,
                });
                Some(f.ladder.len() - 1)
            } else {
                f.ladder_cut += 1;
                None
            };
            (dir, key, row)
        };
        let server = self.flows[&fid].server;
        let s = &mut self.sides[side.index()];
        if s.servers.len() < MAX_ADDRESS_SET {
            s.servers.insert(server);
        }
        let cand = self
            .candidate(side, fid, dir, &key, &seg, adj)
            .or_else(|| self.shifted_candidate(side, fid, dir, &seg, adj));
        match cand {
            Some(id) => {
                if let Some(fb) = self.matched(side, fid, dir, row, seg, adj, id) {
                    self.rekey(fb);
                }
            }
            None => {
                let s = &mut self.sides[side.index()];
                let id = s.next_id;
                s.next_id += 1;
                s.pending.push_back((
                    id,
                    Pending {
                        seg,
                        adj,
                        flow: fid,
                        dir,
                        key,
                        matched: false,
                        row,
                    },
                ));
                s.index.entry(key).or_default().push(id);
                if let Some(f) = self.flows.get_mut(&fid) {
                    f.pending += 1;
                }
                let n = self.sides[0].pending.len() + self.sides[1].pending.len();
                self.peak_pending = self.peak_pending.max(n);
            }
        }
    }

    /// The current attempt of the segment's 4-tuple, or a new one.
    fn flow_for(&mut self, side: Vantage, seg: &Observed) -> u64 {
        let tuple = if seg.src <= seg.dst {
            (seg.src, seg.dst)
        } else {
            (seg.dst, seg.src)
        };
        if let Some(&id) = self.sides[side.index()].flows.get(&tuple) {
            if let Some(f) = self.flows.get(&id) {
                let new_attempt = seg.is_syn()
                    && (f.isn.is_some_and(|isn| isn != seg.seq)
                        || (f.isn.is_none() && f.client == seg.src));
                if !new_attempt {
                    return id;
                }
            }
        }
        let id = self.next_flow;
        self.next_flow += 1;
        let mut f = Flow::new(side, seg);
        // Both captures' flows of the listed attempts, and some slack for
        // attempts only one capture saw.
        f.keeps_ladder = self.ladders < 2 * self.config.max_attempts_listed;
        self.ladders += usize::from(f.keeps_ladder);
        self.flows.insert(id, f);
        self.sides[side.index()].flows.insert(tuple, id);
        id
    }

    /// The best waiting copy of `seg` in the other capture.
    fn candidate(
        &self,
        side: Vantage,
        fid: u64,
        dir: usize,
        key: &Key,
        seg: &Observed,
        adj: i64,
    ) -> Option<u64> {
        let other = &self.sides[side.other().index()];
        let ids = other.index.get(key)?;
        let f = &self.flows[&fid];
        let front = other.pending.front()?.0;
        let mut best: Option<((bool, bool, i64), u64)> = None;
        for &id in ids {
            let Some((_, p)) = usize::try_from(id - front)
                .ok()
                .and_then(|i| other.pending.get(i))
            else {
                continue;
            };
            if p.matched || (p.adj - adj).abs() > self.config.window_ns {
                continue;
            }
            let g = &self.flows[&p.flow];
            let consistent = match (f.peer, g.peer) {
                (Some(pf), _) => pf == p.flow && (p.dir ^ f.flip) == dir,
                (None, None) => true,
                (None, Some(_)) => false,
            };
            if !consistent {
                continue;
            }
            let (a, b) = match side {
                Vantage::A => (seg, &p.seg),
                Vantage::B => (&p.seg, seg),
            };
            let bflow = if side == Vantage::B { f } else { g };
            let bdir = if side == Vantage::B { dir } else { p.dir };
            let ts_ok = match (a.timestamps, b.timestamps) {
                (Some((va, _)), Some((vb, _))) => {
                    vb.wrapping_sub(va) == bflow.tsval_shift[bdir].unwrap_or(0)
                }
                _ => false,
            };
            let id_ok = matches!((a.ip_id, b.ip_id), (Some(x), Some(y)) if x == y);
            let score = (ts_ok, id_ok, -(p.adj - adj).abs());
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((score, id));
            }
        }
        best.map(|(_, id)| id)
    }

    /// A SYN-ACK of a paired connection with no copy under its own numbers:
    /// a middlebox that answers for the server (SYNPROXY) moved the
    /// server's sequence numbers. Its copy is the peer's SYN-ACK with the
    /// same acknowledgement; the difference becomes the shift.
    fn shifted_candidate(
        &self,
        side: Vantage,
        fid: u64,
        dir: usize,
        seg: &Observed,
        adj: i64,
    ) -> Option<u64> {
        let f = &self.flows[&fid];
        let peer = f.peer?;
        if !seg.is_synack() {
            return None;
        }
        let other = &self.sides[side.other().index()];
        other
            .pending
            .iter()
            .rev()
            .take(SHIFT_SCAN)
            .filter(|(_, p)| {
                !p.matched
                    && p.flow == peer
                    && (p.dir ^ f.flip) == dir
                    && p.seg.is_synack()
                    && p.seg.ack == seg.ack
                    && p.seg.payload_len == seg.payload_len
                    && (p.adj - adj).abs() <= self.config.window_ns
            })
            .min_by_key(|(_, p)| (p.adj - adj).abs())
            .map(|(id, _)| *id)
    }

    #[allow(clippy::too_many_arguments)]
    fn matched(
        &mut self,
        side: Vantage,
        fid: u64,
        dir: usize,
        row: Option<usize>,
        seg: Observed,
        adj: i64,
        id: u64,
    ) -> Option<u64> {
        let other = side.other();
        let (pseg, padj, pflow, pdir, prow, pkey) = {
            let o = &mut self.sides[other.index()];
            let p = o.pending_get(id)?;
            p.matched = true;
            let r = (p.seg, p.adj, p.flow, p.dir, p.row, p.key);
            o.unindex(&r.5, id);
            r
        };
        let _ = pkey;
        if let Some(g) = self.flows.get_mut(&pflow) {
            g.pending = g.pending.saturating_sub(1);
        }
        self.sides[0].matched += 1;
        self.sides[1].matched += 1;
        // A's flow and B's flow, A's segment and B's.
        let (fa, fb, da, db, sa, sb, ra, rb, adj_a, adj_b) = match side {
            Vantage::A => (fid, pflow, dir, pdir, seg, pseg, row, prow, adj, padj),
            Vantage::B => (pflow, fid, pdir, dir, pseg, seg, prow, row, padj, adj),
        };
        let _ = (adj_a, adj_b);
        let newly_paired = self.flows[&fa].peer.is_none();
        if newly_paired {
            let flip = da ^ db;
            if let Some(f) = self.flows.get_mut(&fa) {
                f.peer = Some(fb);
                f.flip = flip;
            }
            if let Some(f) = self.flows.get_mut(&fb) {
                f.peer = Some(fa);
                f.flip = flip;
            }
        }
        // Learn the B flow's shifts from this pair.
        let mut learnt = None;
        {
            let f = self.flows.get_mut(&fb).expect("paired flow");
            let shift = sb.seq.wrapping_sub(sa.seq);
            if shift != 0 && f.seq_shift[db] == 0 {
                f.seq_shift[db] = shift;
                learnt = Some(fb);
            }
            if let (Some((va, ea)), Some((vb, eb))) = (sa.timestamps, sb.timestamps) {
                f.tsval_shift[db].get_or_insert(vb.wrapping_sub(va));
                if sa.flags.ack() && sb.flags.ack() {
                    f.tsecr_shift[db].get_or_insert(eb.wrapping_sub(ea));
                }
            }
        }
        // Which way it travelled: TTL first (a router decrements it), else
        // what this connection's earlier pairs said.
        let way = match sa.ttl.cmp(&sb.ttl) {
            core::cmp::Ordering::Greater => Way::AToB,
            core::cmp::Ordering::Less => Way::BToA,
            core::cmp::Ordering::Equal => resolve(&self.flows[&fa], da).unwrap_or(Way::Unknown),
        };
        if way != Way::Unknown {
            if let Some(f) = self.flows.get_mut(&fa) {
                f.way[da].get_or_insert(way);
            }
        }
        let w = way_index(way);
        self.samples[w].push(sb.ts - sa.ts);
        let ttl_dec = match way {
            Way::BToA => i32::from(sb.ttl) - i32::from(sa.ttl),
            _ => i32::from(sa.ttl) - i32::from(sb.ttl),
        };
        let t = &mut self.ttl[w];
        t.0 = Some(t.0.map_or(ttl_dec, |m| m.min(ttl_dec)));
        t.1 = Some(t.1.map_or(ttl_dec, |m| m.max(ttl_dec)));
        if let (Some(x), Some(y)) = (sa.ip_id, sb.ip_id) {
            self.ip_id[w].0 += 1;
            self.ip_id[w].1 += u64::from(x == y);
        }
        // What the path changed; a pair that differs before its
        // connection's direction of travel is known (a SYN proxy's own
        // handshake segments carry the TTL they were made with) waits.
        let shift = self.flows[&fb].seq_shift[db];
        let fl = self.flows.get_mut(&fa).expect("paired flow");
        if way == Way::Unknown
            && RewriteTally::differs(&sa, &sb, shift)
            && fl.deferred.len() < MAX_DEFERRED
        {
            fl.deferred.push((sa, sb, da, shift));
        } else {
            fl.rewrites_seen = self
                .rewrites
                .compare(&sa, &sb, way, shift, fl.rewrites_seen);
        }
        // Counts and ladder rows.
        for (fl, d, r, s, partner) in [
            (fa, da, ra, &sa, (sb.frame, sb.ts)),
            (fb, db, rb, &sb, (sa.frame, sa.ts)),
        ] {
            if let Some(f) = self.flows.get_mut(&fl) {
                f.matched[d] += 1;
                if s.is_syn() && d == 0 {
                    f.syns_matched += 1;
                }
                if s.is_synack() && d == 1 {
                    f.synacks_matched += 1;
                }
                if let Some(row) = r.and_then(|i| f.ladder.get_mut(i)) {
                    row.partner = Some(partner);
                }
            }
        }
        learnt
    }

    /// B's flow `fb` has just learnt a sequence shift: its segments that
    /// were waiting under unshifted keys get their shifted keys, and those
    /// whose copy is waiting in A match now.
    fn rekey(&mut self, fb: u64) {
        let Some(f) = self.flows.get(&fb) else {
            return;
        };
        let shifts = f.seq_shift;
        let side = &mut self.sides[Vantage::B.index()];
        let mut moved = Vec::new();
        for (id, p) in side.pending.iter_mut().rev().take(SHIFT_SCAN) {
            if p.matched || p.flow != fb {
                continue;
            }
            let key = key_of(&p.seg, shifts[p.dir], shifts[p.dir ^ 1]);
            if key != p.key {
                moved.push((*id, p.key, key));
                p.key = key;
            }
        }
        for &(id, old, new) in &moved {
            side.unindex(&old, id);
            side.index.entry(new).or_default().push(id);
        }
        for (id, _, key) in moved {
            let Some(p) = self.sides[Vantage::B.index()].pending_get(id) else {
                continue;
            };
            let (seg, adj, dir, row) = (p.seg, p.adj, p.dir, p.row);
            let Some(aid) = self.candidate(Vantage::B, fb, dir, &key, &seg, adj) else {
                continue;
            };
            let side = &mut self.sides[Vantage::B.index()];
            if let Some(p) = side.pending_get(id) {
                p.matched = true;
            }
            side.unindex(&key, id);
            if let Some(f) = self.flows.get_mut(&fb) {
                f.pending = f.pending.saturating_sub(1);
            }
            self.matched(Vantage::B, fb, dir, row, seg, adj, aid);
        }
    }

    /// Unmatched segments older than `before` (A's clock) leave the window.
    fn evict(&mut self, before: i64) {
        for v in [Vantage::A, Vantage::B] {
            loop {
                let s = &mut self.sides[v.index()];
                let Some((_, p)) = s.pending.front() else {
                    break;
                };
                if p.adj >= before {
                    break;
                }
                let Some((id, p)) = s.pending.pop_front() else {
                    break;
                };
                if p.matched {
                    continue;
                }
                s.unindex(&p.key, id);
                let covered = self.sides[v.other().index()].covers(p.adj);
                if let Some(f) = self.flows.get_mut(&p.flow) {
                    f.pending = f.pending.saturating_sub(1);
                    if covered {
                        f.unmatched_covered[p.dir] += 1;
                        if f.lost_frames.len() < self.config.max_frames {
                            f.lost_frames.push((p.seg.frame, p.dir));
                        }
                    } else {
                        f.unmatched_outside[p.dir] += 1;
                    }
                    if let Some(row) = p.row.and_then(|i| f.ladder.get_mut(i)) {
                        row.unmatched = true;
                        row.covered = covered;
                    }
                }
            }
        }
    }

    /// Retires attempts idle for `idle_ns` (with their peer) so that the
    /// flow table holds only what is open now.
    fn retire_idle(&mut self, now: i64) {
        let open_idle = self.config.idle_ns;
        // A closed connection only waits for its copies' window (twice: the
        // copy may wait a window itself).
        let closed_idle = 2 * self.config.window_ns;
        let idle_of = |f: &Flow| {
            if f.rst || f.fin == [true; 2] {
                closed_idle.min(open_idle)
            } else {
                open_idle
            }
        };
        let boot = self.boot_offset;
        let mut done: Vec<u64> = self
            .flows
            .iter()
            .filter(|(_, f)| {
                let last = match f.side {
                    Vantage::A => f.last_ts,
                    Vantage::B => f.last_ts.saturating_sub(boot),
                };
                f.pending == 0 && now.saturating_sub(last) > idle_of(f)
            })
            .map(|(&id, _)| id)
            .collect();
        done.sort_unstable();
        for id in done {
            let ready = match self.flows.get(&id).and_then(|f| f.peer) {
                Some(p) => self.flows.get(&p).is_none_or(|g| {
                    g.pending == 0
                        && now.saturating_sub(match g.side {
                            Vantage::A => g.last_ts,
                            Vantage::B => g.last_ts.saturating_sub(boot),
                        }) > idle_of(g)
                }),
                None => true,
            };
            if ready {
                self.retire(id);
            }
        }
    }

    /// One attempt (and its peer) is over: into the summary.
    fn retire(&mut self, id: u64) {
        let Some(f) = self.flows.remove(&id) else {
            return;
        };
        let g = f.peer.and_then(|p| self.flows.remove(&p));
        // Numbered by creation (the first flow of the pair), whatever the
        // order in which attempts end.
        let index = f.peer.map_or(id, |p| p.min(id));
        for (fl, fl_id) in core::iter::once((&f, id)).chain(g.as_ref().zip(f.peer)) {
            let s = &mut self.sides[fl.side.index()];
            let tuple = if fl.client <= fl.server {
                (fl.client, fl.server)
            } else {
                (fl.server, fl.client)
            };
            // A newer attempt on the same 4-tuple keeps its entry.
            if s.flows.get(&tuple) == Some(&fl_id) {
                s.flows.remove(&tuple);
            }
        }
        let (mut fa, mut fb) = match (f.side, g) {
            (Vantage::A, g) => (Some(f), g),
            (Vantage::B, Some(g)) => (Some(g), Some(f)),
            (Vantage::B, None) => (None, Some(f)),
        };
        if let (Some(fa), Some(fb)) = (fa.as_mut(), fb.as_mut()) {
            self.settle(fa, fb);
        }

        let facts = AttemptFacts {
            index,
            a: fa,
            b: fb,
            boot_offset: self.boot_offset,
            a_local_server: false,
            b_local_server: false,
            a_sees_server: false,
            b_sees_server: false,
        };
        let facts = self.locate(facts);
        self.summary.attempt(facts);
    }

    /// A paired attempt is over and its directions of travel are as known
    /// as they will be: held pairs are compared, and unmatched segments seen
    /// where their direction arrives become "made between", not lost.
    fn settle(&mut self, fa: &mut Flow, fb: &mut Flow) {
        let flip = fa.flip;
        for (sa, sb, da, shift) in core::mem::take(&mut fa.deferred) {
            let way = resolve(fa, da).unwrap_or(Way::Unknown);
            fa.rewrites_seen = self
                .rewrites
                .compare(&sa, &sb, way, shift, fa.rewrites_seen);
        }
        let ways = [resolve(fa, 0), resolve(fa, 1)];
        for f in [fa, fb] {
            let downstream = |d: usize| match f.side {
                Vantage::A => ways[d] == Some(Way::BToA),
                Vantage::B => ways[d ^ flip] == Some(Way::AToB),
            };
            for d in 0..2 {
                if downstream(d) {
                    f.injected[d] = f.unmatched_covered[d];
                    f.unmatched_covered[d] = 0;
                }
            }
            for r in f.ladder.iter_mut() {
                r.injected = r.unmatched && r.covered && downstream(r.dir);
            }
            f.lost_frames.retain(|&(_, d)| !downstream(d));
        }
    }

    /// What each capture knows about the attempt's server: whether it runs
    /// on the server's host, and whether it saw that server at all.
    fn locate(&self, mut facts: AttemptFacts) -> AttemptFacts {
        let server = facts
            .a
            .as_ref()
            .or(facts.b.as_ref())
            .map(|f| f.server)
            .expect("an attempt has a flow");
        let sa = &self.sides[0];
        let sb = &self.sides[1];
        let server_a = facts.a.as_ref().map_or(server, |f| f.server);
        let server_b = facts.b.as_ref().map_or(server, |f| f.server);
        facts.a_local_server = sa.local.contains(&server_a.0);
        facts.b_local_server = sb.local.contains(&server_b.0);
        // Seeing the server counts only if the other capture was running
        // when this attempt began.
        let during = |f: &Option<Flow>, other: &SideState| {
            f.as_ref()
                .is_none_or(|f| other.covers(self.adj(f.side, f.first_ts)))
        };
        facts.a_sees_server = sa.servers.contains(&server_a) && during(&facts.b, sa);
        facts.b_sees_server = sb.servers.contains(&server_b) && during(&facts.a, sb);
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correlate::report::{CorrelationReport, Outcome, RewriteKind, VantageSummary};
    use crate::tcp::TcpFlags;
    use alloc::format;
    use core::net::Ipv4Addr;

    const MS: i64 = 1_000_000;
    const S: i64 = 1_000_000_000;

    fn ep(last: u8, port: u16) -> Endpoint {
        (IpAddr::V4(Ipv4Addr::new(192, 0, 2, last)), port)
    }

    #[allow(clippy::too_many_arguments)]
    fn seg(
        frame: u64,
        ts: i64,
        src: Endpoint,
        dst: Endpoint,
        seq: u32,
        ack: u32,
        flags: u16,
        len: u32,
        ttl: u8,
    ) -> Observed {
        Observed {
            frame,
            ts,
            src,
            dst,
            seq,
            ack,
            flags: TcpFlags(flags),
            window: 1000,
            payload_len: len,
            ttl,
            ip_id: None,
            mss: None,
            wscale: None,
            sack_permitted: false,
            timestamps: None,
            options_complete: true,
        }
    }

    fn run(a: &[Observed], b: &[Observed]) -> CorrelationReport {
        let mut c = Correlator::new(Config::default());
        let (mut ia, mut ib) = (a.iter(), b.iter());
        while let Some(side) = c.wants() {
            let next = match side {
                Vantage::A => ia.next(),
                Vantage::B => ib.next(),
            };
            match next {
                Some(s) => c.push(side, *s),
                None => c.finish_side(side),
            }
        }
        let v = |n: &str, segs: usize| VantageSummary {
            capture: n.into(),
            tcp_segments: segs as u64,
            ..VantageSummary::default()
        };
        c.finish().into_report([v("a", a.len()), v("b", b.len())])
    }

    const SYN: u16 = TcpFlags::SYN;
    const SA: u16 = TcpFlags::SYN | TcpFlags::ACK;
    const ACK: u16 = TcpFlags::ACK;

    /// Three copies of a SYN (no timestamps) leave A; the first is lost,
    /// the other two arrive: each copy matches its own copy, by time.
    #[test]
    fn retransmitted_copies_match_their_own_copies() {
        let (c, s) = (ep(10, 40000), ep(99, 80));
        let a = [
            seg(1, 0, c, s, 7, 0, SYN, 0, 64),
            seg(2, S, c, s, 7, 0, SYN, 0, 64),
            seg(3, 3 * S, c, s, 7, 0, SYN, 0, 64),
        ];
        // B's capture runs from the start (another connection's segment).
        let b = [
            seg(1, 0, ep(20, 40001), ep(98, 80), 1, 2, ACK, 10, 63),
            seg(2, S + MS, c, s, 7, 0, SYN, 0, 63),
            seg(3, 3 * S + MS, c, s, 7, 0, SYN, 0, 63),
        ];
        let r = run(&a, &b);
        let rows: Vec<(Option<u64>, Option<u64>, bool)> = r.attempts[0]
            .ladder
            .iter()
            .map(|x| (x.frame_a, x.frame_b, x.lost))
            .collect();
        assert_eq!(
            rows,
            [
                (Some(1), None, true),
                (Some(2), Some(2), false),
                (Some(3), Some(3), false)
            ]
        );
        assert_eq!(r.attempts[0].outcome, Outcome::SynsReachedNoAnswer);
        assert_eq!(r.attempts[0].lost, 1);
        assert!(
            r.attempts[0]
                .description
                .contains("2 of the 3 SYNs of 192.0.2.10:40000 (A) reached B"),
            "{}",
            r.attempts[0].description
        );
    }

    /// A SYN proxy answers with its own ISN: B sees the server's, shifted by
    /// a constant; everything still matches and the shift is reported.
    #[test]
    fn a_shifted_server_sequence_still_matches() {
        let (c, s) = (ep(10, 40000), ep(99, 80));
        let shift = 4000u32;
        let a = [
            seg(1, 0, c, s, 100, 0, SYN, 0, 64),
            seg(2, MS, s, c, 1000, 101, SA, 0, 63),
            seg(3, 2 * MS, c, s, 101, 1001, ACK, 0, 64),
            seg(4, 3 * MS, s, c, 1001, 101, ACK, 50, 63),
        ];
        let b = [
            seg(1, 2 * MS + 100, c, s, 100, 0, SYN, 0, 63),
            seg(2, 2 * MS + 200, s, c, 1000 + shift, 101, SA, 0, 64),
            seg(3, 2 * MS + 300, c, s, 101, 1001 + shift, ACK, 0, 63),
            seg(4, 3 * MS - 100, s, c, 1001 + shift, 101, ACK, 50, 64),
        ];
        let r = run(&a, &b);
        assert_eq!(r.totals.matched_pairs, 4);
        assert_eq!(r.totals.lost_segments, 0);
        let seq: Vec<_> = r
            .rewrites
            .iter()
            .filter(|w| w.kind == RewriteKind::SeqShifted)
            .collect();
        assert_eq!(seq.len(), 1, "{:?}", r.rewrites);
        assert_eq!(seq[0].way, Way::BToA);
        assert_eq!(seq[0].segments, 2, "the SYN-ACK and the data segment");
        assert!(
            seq[0].description.contains(&format!("by -{shift}")),
            "{}",
            seq[0].description
        );
    }

    /// Segments both ways bound the clock offset from both sides.
    #[test]
    fn offset_from_both_directions() {
        let (c, s) = (ep(10, 40000), ep(99, 80));
        let off = 5 * S;
        let d = MS;
        let mut a = Vec::new();
        let mut b = Vec::new();
        for i in 0..20u32 {
            let t = i64::from(i) * 10 * MS;
            // A→B from the client, B→A from the server.
            a.push(seg(u64::from(2 * i + 1), t, c, s, 100 + i, 7, ACK, 1, 64));
            b.push(seg(
                u64::from(2 * i + 1),
                t + off + d,
                c,
                s,
                100 + i,
                7,
                ACK,
                1,
                63,
            ));
            b.push(seg(
                u64::from(2 * i + 2),
                t + off + 5 * MS,
                s,
                c,
                7,
                101 + i,
                ACK,
                0,
                64,
            ));
            a.push(seg(
                u64::from(2 * i + 2),
                t + 5 * MS + d,
                s,
                c,
                7,
                101 + i,
                ACK,
                0,
                63,
            ));
        }
        let r = run(&a, &b);
        assert_eq!(r.totals.matched_pairs, 40);
        assert_eq!(r.clock.offset_ns, Some(off));
        assert_eq!(r.clock.uncertainty_ns, Some(d));
        assert_eq!(r.paths.len(), 2);
        assert_eq!(r.paths[0].delay_median_ns, Some(d));
        assert_eq!(r.paths[1].delay_median_ns, Some(d));
    }

    /// A long stream that never matches: what waits for a copy stays within
    /// the window, not the capture.
    #[test]
    fn memory_is_bounded_by_the_window() {
        let (c, s) = (ep(10, 40000), ep(99, 80));
        let n = 20_000u32;
        // 1000 segments a second for 20 s on each side, never the same.
        let a: Vec<Observed> = (0..n)
            .map(|i| seg(u64::from(i + 1), i64::from(i) * MS, c, s, i, 0, ACK, 1, 64))
            .collect();
        let b: Vec<Observed> = (0..n)
            .map(|i| {
                seg(
                    u64::from(i + 1),
                    i64::from(i) * MS,
                    c,
                    s,
                    i + n,
                    0,
                    ACK,
                    1,
                    64,
                )
            })
            .collect();
        let r = run(&a, &b);
        assert_eq!(r.totals.matched_pairs, 0);
        // 10 s window × 1000/s × 2 sides, plus the start-up estimate's span.
        assert!(
            r.totals.peak_pending <= 2 * 10_001,
            "{}",
            r.totals.peak_pending
        );
        assert_eq!(
            r.findings[0].code,
            crate::correlate::CorrelationCode::NoCommonTraffic
        );
    }
}
