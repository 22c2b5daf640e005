//! What the path changed in a matched pair: TCP options removed, added or
//! changed, timestamps and sequence numbers moved by a constant, the
//! window field. Addresses and ports are the NAT mapping, not here; TTL
//! and IP ID are properties of the path (see the report's `paths`).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use hashbrown::HashMap;

use super::flow::way_index;
use super::observe::Observed;
use super::report::{Rewrite, RewriteKind, VantageFrames, Way};

/// Distinct shift values remembered per rewrite (for the report and the
/// description). Not one per connection: a real SYNPROXY makes two TSecr
/// shifts A→B per connection (its constant on the client's segments, and
/// twice it on the ACK it sends the server itself), so a bound of 4 dropped
/// values of the lab's 3-connection capture. 16 keeps small captures whole
/// and the list bounded on busy ones.
const MAX_SHIFTS: usize = 16;

#[derive(Clone, Debug, Default)]
struct Tally {
    segments: u64,
    connections: u64,
    frames: [Vec<u64>; 2],
    frames_total: [u64; 2],
    /// Shifts in the direction of travel (after minus before), distinct.
    shifts: Vec<i64>,
}

type TallyKey = (RewriteKind, Way, Option<u32>, Option<u32>);

/// Every rewrite seen, per kind, way and values.
#[derive(Clone, Debug, Default)]
pub struct RewriteTally {
    max_frames: usize,
    map: HashMap<TallyKey, Tally>,
}

impl RewriteTally {
    pub fn new(max_frames: usize) -> Self {
        RewriteTally {
            max_frames,
            map: HashMap::new(),
        }
    }

    /// Compares A's copy with B's; `seq_shift` is the connection's learnt
    /// sequence shift (B minus A) for this direction;
    /// `seen` has a bit per (kind, way) already counted for this
    /// connection. Returns the updated bits.
    pub fn compare(
        &mut self,
        a: &Observed,
        b: &Observed,
        way: Way,
        seq_shift: u32,
        mut seen: u64,
    ) -> u64 {
        let (from, to) = if way == Way::BToA { (b, a) } else { (a, b) };
        // B minus A, turned into after minus before.
        let travel = |d: u32| -> i64 {
            let d = i64::from(d as i32);
            if way == Way::BToA {
                -d
            } else {
                d
            }
        };
        let mut hit =
            |kind: RewriteKind, before: Option<u32>, after: Option<u32>, shift: Option<i64>| {
                let bit = 1u64 << (kind as u64 * 3 + way_index(way) as u64);
                let t = self.map.entry((kind, way, before, after)).or_default();
                t.segments += 1;
                if seen & bit == 0 {
                    t.connections += 1;
                    seen |= bit;
                }
                for (i, f) in [a.frame, b.frame].into_iter().enumerate() {
                    t.frames_total[i] += 1;
                    if t.frames[i].len() < self.max_frames {
                        t.frames[i].push(f);
                    }
                }
                if let Some(s) = shift {
                    if t.shifts.len() < MAX_SHIFTS && !t.shifts.contains(&s) {
                        t.shifts.push(s);
                    }
                }
            };
        // An option is only known absent when the options were walked to the end.
        let absent = |s: &Observed| s.options_complete;
        match (from.timestamps, to.timestamps) {
            (Some(_), None) if absent(to) => hit(RewriteKind::TimestampsRemoved, None, None, None),
            (None, Some(_)) if absent(from) => hit(RewriteKind::TimestampsAdded, None, None, None),
            // Already in the direction of travel: after minus before.
            (Some((v0, e0)), Some((v1, e1))) => {
                let dv = v1.wrapping_sub(v0);
                if dv != 0 {
                    hit(
                        RewriteKind::TsvalShifted,
                        None,
                        None,
                        Some(i64::from(dv as i32)),
                    );
                }
                if a.flags.ack() && b.flags.ack() {
                    let de = e1.wrapping_sub(e0);
                    if de != 0 {
                        hit(
                            RewriteKind::TsecrShifted,
                            None,
                            None,
                            Some(i64::from(de as i32)),
                        );
                    }
                }
            }
            _ => {}
        }
        let syn = a.flags.syn() && b.flags.syn();
        if syn {
            let m = |s: &Observed| s.mss.map(u32::from);
            match (m(from), m(to)) {
                (Some(x), Some(y)) if x != y => {
                    hit(RewriteKind::MssChanged, Some(x), Some(y), None)
                }
                (Some(x), None) if absent(to) => hit(RewriteKind::MssRemoved, Some(x), None, None),
                (None, Some(y)) if absent(from) => hit(RewriteKind::MssAdded, None, Some(y), None),
                _ => {}
            }
            let w = |s: &Observed| s.wscale.map(u32::from);
            match (w(from), w(to)) {
                (Some(x), Some(y)) if x != y => {
                    hit(RewriteKind::WindowScaleChanged, Some(x), Some(y), None)
                }
                (Some(x), None) if absent(to) => {
                    hit(RewriteKind::WindowScaleRemoved, Some(x), None, None)
                }
                (None, Some(y)) if absent(from) => {
                    hit(RewriteKind::WindowScaleAdded, None, Some(y), None)
                }
                _ => {}
            }
            match (from.sack_permitted, to.sack_permitted) {
                (true, false) if absent(to) => {
                    hit(RewriteKind::SackPermittedRemoved, None, None, None)
                }
                (false, true) if absent(from) => {
                    hit(RewriteKind::SackPermittedAdded, None, None, None)
                }
                _ => {}
            }
        }
        if seq_shift != 0 && b.seq.wrapping_sub(a.seq) == seq_shift {
            hit(RewriteKind::SeqShifted, None, None, Some(travel(seq_shift)));
        }
        if from.window != to.window {
            hit(
                RewriteKind::WindowChanged,
                Some(u32::from(from.window)),
                Some(u32::from(to.window)),
                None,
            );
        }
        seen
    }

    /// Whether [`compare`](Self::compare) would record anything for this pair.
    pub fn differs(a: &Observed, b: &Observed, seq_shift: u32) -> bool {
        let mut t = RewriteTally::new(0);
        t.compare(a, b, Way::Unknown, seq_shift, 0);
        !t.map.is_empty()
    }

    /// The report's list, sorted by kind then way; window-field changes of
    /// the same way merged into one entry (their values vary per segment).
    pub fn into_report(self, names: &[String; 2]) -> Vec<Rewrite> {
        let mut merged: HashMap<TallyKey, Tally> = HashMap::new();
        for ((kind, way, before, after), t) in self.map {
            let key = if kind == RewriteKind::WindowChanged {
                (kind, way, None, None)
            } else {
                (kind, way, before, after)
            };
            let e = merged.entry(key).or_default();
            if e.segments == 0 {
                *e = t;
            } else {
                e.segments += t.segments;
                e.connections = e.connections.max(t.connections);
                for i in 0..2 {
                    e.frames_total[i] += t.frames_total[i];
                    e.frames[i].extend(t.frames[i].iter().copied());
                }
            }
        }
        let mut out: Vec<Rewrite> = merged
            .into_iter()
            .map(|((kind, way, before, after), mut t)| {
                let frames = (0..2)
                    .map(|i| {
                        t.frames[i].sort_unstable();
                        t.frames[i].dedup();
                        t.frames[i].truncate(self.max_frames);
                        VantageFrames {
                            vantage: if i == 0 { "A" } else { "B" }.to_string(),
                            capture: names[i].clone(),
                            frames: core::mem::take(&mut t.frames[i]),
                            frames_total: t.frames_total[i],
                        }
                    })
                    .collect();
                Rewrite {
                    description: describe(kind, way, before, after, &t),
                    kind,
                    way,
                    before: before.map(|v| v.to_string()),
                    after: after.map(|v| v.to_string()),
                    segments: t.segments,
                    connections: t.connections,
                    shifts: t.shifts.clone(),
                    frames,
                }
            })
            .collect();
        out.sort_by(|x, y| {
            (x.kind, x.way, &x.before, &x.after).cmp(&(y.kind, y.way, &y.before, &y.after))
        });
        out
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn describe(
    kind: RewriteKind,
    way: Way,
    before: Option<u32>,
    after: Option<u32>,
    t: &Tally,
) -> String {
    let on = match way {
        Way::AToB => "on the way from A to B",
        Way::BToA => "on the way from B to A",
        Way::Unknown => "between A and B (direction unknown: same TTL at both)",
    };
    let segs = plural(t.segments, "segment", "segments");
    let conns = plural(t.connections, "connection", "connections");
    let v = |x: Option<u32>| x.map_or_else(|| "none".to_string(), |v| v.to_string());
    let shifts = || {
        let list: Vec<String> = t.shifts.iter().map(|s| format!("{s:+}")).collect();
        if list.len() as u64 > t.connections {
            format!("by varying amounts ({})", list.join(", "))
        } else if t.connections > 1 && list.len() > 1 {
            format!("by a constant per connection ({})", list.join(", "))
        } else {
            format!("by {}", list.join(", "))
        }
    };
    match kind {
        RewriteKind::TimestampsRemoved => {
            format!("timestamps option removed {on} ({segs}, {conns})")
        }
        RewriteKind::TimestampsAdded => format!("timestamps option added {on} ({segs}, {conns})"),
        RewriteKind::TsvalShifted => format!("TSval shifted {} {on} ({segs}, {conns})", shifts()),
        RewriteKind::TsecrShifted => format!("TSecr shifted {} {on} ({segs}, {conns})", shifts()),
        RewriteKind::MssChanged => format!(
            "MSS changed {} → {} {on} ({segs}, {conns})",
            v(before),
            v(after)
        ),
        RewriteKind::MssRemoved => {
            format!("MSS option ({}) removed {on} ({segs}, {conns})", v(before))
        }
        RewriteKind::MssAdded => format!("MSS option ({}) added {on} ({segs}, {conns})", v(after)),
        RewriteKind::WindowScaleChanged => {
            format!(
                "window scale changed {} → {} {on} ({segs}, {conns})",
                v(before),
                v(after)
            )
        }
        RewriteKind::WindowScaleRemoved => format!(
            "window scale option ({}) removed {on} ({segs}, {conns})",
            v(before)
        ),
        RewriteKind::WindowScaleAdded => format!(
            "window scale option ({}) added {on} ({segs}, {conns})",
            v(after)
        ),
        RewriteKind::SackPermittedRemoved => {
            format!("SACK-permitted option removed {on} ({segs}, {conns})")
        }
        RewriteKind::SackPermittedAdded => {
            format!("SACK-permitted option added {on} ({segs}, {conns})")
        }
        RewriteKind::SeqShifted => format!(
            "sequence numbers shifted {} {on} ({segs}, {conns})",
            shifts()
        ),
        RewriteKind::WindowChanged => format!("window field changed {on} ({segs}, {conns})"),
    }
}
