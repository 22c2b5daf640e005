//! The clock lines' offset index: which lines have an offset (under a
//! snap rate) within a window of a flow's (`clock::LineIndex` decides what
//! is indexed and queried; this module only stores it).
//!
//! A busy capture makes one line per connection, each indexed under every
//! snap rate while its rate is unknown, and each looked up, then removed
//! when it is forgotten or extended: six inserts, six removals and six
//! range queries per connection. A B-tree of 200,000 keys made those a
//! sixth of a million-connection capture's time (each a dozen node visits,
//! each a cache miss). Here an entry is a node of an intrusive doubly
//! linked list per *bucket* of offsets (offset >> [`SHIFT`], a bucket about
//! twice the narrowest tolerance of its rate), the list heads in a hash
//! map: an insert or a removal is one hash probe and a few array writes,
//! with no allocation once the arrays have grown to the slots in use; a
//! query visits the buckets its window covers and keeps the entries whose
//! offset is inside it, so it returns exactly what a sorted set's range
//! would. A window wider than the entries it could hit (a day-long span at
//! 10 Hz covers millions of buckets) scans the rate's entries instead.
//!
//! Node `slot * RATES + rate` is line `slot`'s entry under `rate`: a line
//! has at most one entry per rate, under one kind (`0` = its rate is
//! unknown, `1` = known), so removal needs only the slot.

use alloc::vec::Vec;

use hashbrown::HashMap;

/// Snap rates (`config::SNAP_RATES`).
pub(crate) const RATES: usize = 6;

/// Bucket width per snap rate (log2 ticks), in `SNAP_RATES` order (1000,
/// 100, 250, 300, 10, 10^6 Hz): the power of two at or above twice the
/// tolerance of a fit over no time (`0.2 s · Hz`, at least 2 ticks).
const SHIFT: [u32; RATES] = [9, 6, 7, 7, 2, 19];

const NIL: u32 = u32::MAX;

#[derive(Debug, Default)]
pub(crate) struct OffsetIndex {
    /// (rate, kind, bucket) → first node of the bucket's list.
    heads: HashMap<u64, u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
    off: Vec<u32>,
    /// 0 when the node is not in the index, else 1 + its kind.
    state: Vec<u8>,
    /// Entries per (rate, kind).
    count: [[u32; 2]; RATES],
}

fn key(r: usize, kind: u8, bucket: u32) -> u64 {
    ((r as u64) << 40) | (u64::from(kind) << 32) | u64::from(bucket)
}

impl OffsetIndex {
    /// Indexes line `slot` under rate `r` (index into `SNAP_RATES`), kind
    /// `kind`, at offset `off`, replacing its entry under `r` if any.
    pub fn insert(&mut self, slot: usize, r: usize, kind: u8, off: u32) {
        if r >= RATES || kind > 1 {
            return;
        }
        let node = slot * RATES + r;
        if self.state.len() <= node {
            let n = (slot + 1) * RATES;
            // Grown by a quarter, not doubled: thousands of pairs each keep
            // the arrays of their peak line count (13 bytes a node).
            let len = self.state.len();
            let want = n.max(len + len / 4 + 8 * RATES) - len;
            if self.state.capacity() < n {
                self.next.reserve_exact(want);
                self.prev.reserve_exact(want);
                self.off.reserve_exact(want);
                self.state.reserve_exact(want);
            }
            self.next.resize(n, NIL);
            self.prev.resize(n, NIL);
            self.off.resize(n, 0);
            self.state.resize(n, 0);
        }
        self.unlink(node);
        let k = key(r, kind, off >> SHIFT[r]);
        let old = self.heads.insert(k, node as u32);
        let (Some(nx), Some(pv), Some(o), Some(st)) = (
            self.next.get_mut(node),
            self.prev.get_mut(node),
            self.off.get_mut(node),
            self.state.get_mut(node),
        ) else {
            return;
        };
        *nx = old.unwrap_or(NIL);
        *pv = NIL;
        *o = off;
        *st = 1 + kind;
        if let Some(h) = old.and_then(|h| self.prev.get_mut(h as usize)) {
            *h = node as u32;
        }
        if let Some(c) = self.count.get_mut(r).and_then(|c| c.get_mut(kind as usize)) {
            *c += 1;
        }
    }

    /// Takes line `slot` out of the index under every rate.
    pub fn remove(&mut self, slot: usize) {
        for r in 0..RATES {
            self.unlink(slot * RATES + r);
        }
        // A pair's lines come and go (one-connection lines are forgotten
        // over all pairs, oldest first), and a hash table keeps the room
        // of its peak: on a million-connection capture the heads held
        // 584,000 places for 162,000 entries. Shrinking at a quarter full
        // to half full keeps the rehash amortised O(1) per removal.
        let (len, cap) = (self.heads.len(), self.heads.capacity());
        if cap > 64 && len * 4 < cap {
            self.heads.shrink_to(len * 2);
        }
    }

    fn unlink(&mut self, node: usize) {
        let Some(&st) = self.state.get(node) else {
            return;
        };
        if st == 0 {
            return;
        }
        let r = node % RATES;
        let kind = st - 1;
        let (p, n) = (self.prev[node], self.next[node]);
        if p == NIL {
            let k = key(r, kind, self.off[node] >> SHIFT[r]);
            if n == NIL {
                self.heads.remove(&k);
            } else {
                self.heads.insert(k, n);
            }
        } else if let Some(x) = self.next.get_mut(p as usize) {
            *x = n;
        }
        if let Some(x) = self.prev.get_mut(n as usize) {
            *x = p;
        }
        self.state[node] = 0;
        self.next[node] = NIL;
        self.prev[node] = NIL;
        if let Some(c) = self.count.get_mut(r).and_then(|c| c.get_mut(kind as usize)) {
            *c = c.saturating_sub(1);
        }
    }

    /// Pushes to `out` the slot of every line indexed under rate `r` and
    /// kind `kind` whose offset lies in `lo..=hi` (wrapping when `lo > hi`).
    pub fn range(&self, r: usize, kind: u8, lo: u32, hi: u32, out: &mut Vec<usize>) {
        if r >= RATES || kind > 1 {
            return;
        }
        if lo <= hi {
            self.range_in(r, kind, lo, hi, out);
        } else {
            self.range_in(r, kind, lo, u32::MAX, out);
            self.range_in(r, kind, 0, hi, out);
        }
    }

    fn range_in(&self, r: usize, kind: u8, lo: u32, hi: u32, out: &mut Vec<usize>) {
        let entries = self.count[r][kind as usize] as u64;
        if entries == 0 {
            return;
        }
        let (b0, b1) = (lo >> SHIFT[r], hi >> SHIFT[r]);
        let buckets = u64::from(b1 - b0) + 1;
        let want = 1 + kind;
        if buckets > 4 * entries + 16 {
            // Wider than what it could hit: scan the rate's nodes.
            let mut node = r;
            while let (Some(&st), Some(&o)) = (self.state.get(node), self.off.get(node)) {
                if st == want && (lo..=hi).contains(&o) {
                    out.push(node / RATES);
                }
                node += RATES;
            }
            return;
        }
        for b in b0..=b1 {
            let mut node = self.heads.get(&key(r, kind, b)).copied().unwrap_or(NIL);
            while let (Some(&o), Some(&nx)) =
                (self.off.get(node as usize), self.next.get(node as usize))
            {
                if (lo..=hi).contains(&o) {
                    out.push(node as usize / RATES);
                }
                node = nx;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_rng::Rng;
    use alloc::collections::BTreeSet;
    use alloc::vec;

    /// Random inserts, re-inserts and removals, clustered offsets (so
    /// buckets hold several lines) and wide, narrow and wrapping windows:
    /// every query returns what a sorted set's range returns.
    #[test]
    fn same_answers_as_a_sorted_set() {
        let mut rng = Rng(7);
        let mut ix = OffsetIndex::default();
        let mut model: BTreeSet<(usize, u8, u32, usize)> = BTreeSet::new();
        let mut at: Vec<Option<(u8, [u32; RATES])>> = vec![None; 300];
        for step in 0..20_000 {
            let slot = (rng.next() % 300) as usize;
            let remove = |model: &mut BTreeSet<_>, at: &mut Vec<Option<(u8, [u32; RATES])>>| {
                if let Some((k, offs)) = at[slot].take() {
                    for (r, &o) in offs.iter().enumerate() {
                        model.remove(&(r, k, o, slot));
                    }
                }
            };
            if rng.next() % 3 == 0 {
                ix.remove(slot);
                remove(&mut model, &mut at);
            } else {
                remove(&mut model, &mut at);
                ix.remove(slot);
                let kind = (rng.next() % 2) as u8;
                let base = (rng.next() % 8) as u32 * 0x2000_0000;
                let mut offs = [0u32; RATES];
                for (r, o) in offs.iter_mut().enumerate() {
                    *o = base
                        .wrapping_add((rng.next() % 5000) as u32)
                        .wrapping_sub(2500);
                    ix.insert(slot, r, kind, *o);
                    model.insert((r, kind, *o, slot));
                }
                at[slot] = Some((kind, offs));
            }
            let r = (rng.next() % RATES as u64) as usize;
            let kind = (rng.next() % 2) as u8;
            let lo =
                ((rng.next() % 8) as u32 * 0x2000_0000).wrapping_sub((rng.next() % 3000) as u32);
            let width = [10u32, 600, 5000, 1 << 24, u32::MAX / 2][(rng.next() % 5) as usize];
            let hi = lo.wrapping_add(width);
            let mut got = Vec::new();
            ix.range(r, kind, lo, hi, &mut got);
            got.sort_unstable();
            let mut want: Vec<usize> = model
                .iter()
                .filter(|&&(mr, mk, o, _)| {
                    mr == r
                        && mk == kind
                        && if lo <= hi {
                            (lo..=hi).contains(&o)
                        } else {
                            o >= lo || o <= hi
                        }
                })
                .map(|x| x.3)
                .collect();
            want.sort_unstable();
            assert_eq!(got, want, "step {step}: rate {r} kind {kind} {lo}..={hi}");
        }
    }
}
