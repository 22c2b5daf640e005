//! One connection as one capture saw it, and its ladder: what the
//! matching engine (`engine`) builds and the attempt summary (`summary`)
//! reads. Kept apart from both so that neither imports the other back.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::observe::{Endpoint, Observed};
use super::report::{LadderRow, Vantage, Way};

/// Which way A's direction `d` of an A flow travels: what a pair in that
/// direction said, else the opposite of what the other direction said.
pub(crate) fn resolve(fa: &Flow, d: usize) -> Option<Way> {
    fa.way[d].or(match fa.way[d ^ 1] {
        Some(Way::AToB) => Some(Way::BToA),
        Some(Way::BToA) => Some(Way::AToB),
        _ => None,
    })
}

/// One connection attempt as one capture saw it.
#[derive(Debug)]
pub(crate) struct Flow {
    pub side: Vantage,
    pub client: Endpoint,
    pub server: Endpoint,
    pub isn: Option<u32>,
    pub first_frame: u64,
    /// Own clock: the first and the latest segment.
    pub first_ts: i64,
    pub last_ts: i64,
    pub peer: Option<u64>,
    /// This flow's direction d is the peer's direction d ^ flip.
    pub flip: usize,
    /// B flows: B's sequence number minus A's, per direction (0 = from the client).
    pub seq_shift: [u32; 2],
    /// TSval and TSecr at B minus at A, per (B's) direction, once seen.
    pub tsval_shift: [Option<u32>; 2],
    pub tsecr_shift: [Option<u32>; 2],
    /// A flows: which way each direction travels, once a pair said it.
    pub way: [Option<Way>; 2],
    pub segs: [u64; 2],
    pub matched: [u64; 2],
    /// Unmatched while the other capture was running.
    pub unmatched_covered: [u64; 2],
    pub unmatched_outside: [u64; 2],
    pub syns: u64,
    pub synacks: u64,
    pub syns_matched: u64,
    pub synacks_matched: u64,
    pub pending: u32,
    pub ladder: Vec<Row>,
    pub ladder_cut: u64,
    /// SYN frames from the client and SYN-ACK frames from the server, capped.
    pub syn_frames: Vec<u64>,
    pub synack_frames: Vec<u64>,
    /// Whether this flow keeps a ladder (only the first attempts do).
    pub keeps_ladder: bool,
    /// A FIN seen per direction, or a RST: the connection is over, and
    /// is retired once late copies can no longer arrive.
    pub fin: [bool; 2],
    pub rst: bool,
    /// Unmatched-while-covered frames and their direction, capped.
    pub lost_frames: Vec<(u64, usize)>,
    /// Of `unmatched_covered`, those seen where their direction arrives
    /// (downstream): made between the points, not lost (set at retirement,
    /// when the direction of travel is settled).
    pub injected: [u64; 2],
    /// Matched pairs that differ but whose direction of travel was not
    /// known yet (A's copy, B's copy, A's direction, B's sequence shift):
    /// compared once the connection says which way it goes.
    pub deferred: Vec<(Observed, Observed, usize, u32)>,
    /// Rewrite kinds already counted for this connection (a bit each).
    pub rewrites_seen: u64,
}

/// One segment in a flow's ladder.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Row {
    pub frame: u64,
    pub ts: i64,
    pub adj: i64,
    pub dir: usize,
    pub flags: crate::tcp::TcpFlags,
    pub seq: u32,
    pub ack: u32,
    pub len: u32,
    pub partner: Option<(u64, i64)>,
    pub unmatched: bool,
    pub covered: bool,
    pub injected: bool,
}

impl Flow {
    pub(crate) fn new(side: Vantage, s: &Observed) -> Flow {
        // The SYN's sender is the client; mid-stream, the first sender.
        let (client, server) = if s.is_synack() {
            (s.dst, s.src)
        } else {
            (s.src, s.dst)
        };
        Flow {
            side,
            client,
            server,
            isn: s.is_syn().then_some(s.seq),
            first_frame: s.frame,
            first_ts: s.ts,
            last_ts: s.ts,
            peer: None,
            flip: 0,
            seq_shift: [0; 2],
            tsval_shift: [None; 2],
            tsecr_shift: [None; 2],
            way: [None; 2],
            segs: [0; 2],
            matched: [0; 2],
            unmatched_covered: [0; 2],
            unmatched_outside: [0; 2],
            syns: 0,
            synacks: 0,
            syns_matched: 0,
            synacks_matched: 0,
            pending: 0,
            ladder: Vec::new(),
            ladder_cut: 0,
            lost_frames: Vec::new(),
            syn_frames: Vec::new(),
            synack_frames: Vec::new(),
            keeps_ladder: false,
            fin: [false; 2],
            rst: false,
            injected: [0; 2],
            deferred: Vec::new(),
            rewrites_seen: 0,
        }
    }

    pub(crate) fn dir_of(&self, s: &Observed) -> usize {
        usize::from(s.src != self.client)
    }
}

/// Ladder rows of an attempt, both captures side by side, in A's time.
pub(crate) fn ladder(a: Option<&Flow>, b: Option<&Flow>, boot_offset: i64) -> Vec<LadderRow> {
    let mut rows: Vec<(i64, LadderRow)> = Vec::new();
    let flip = a.or(b).map_or(0, |f| f.flip);
    if let Some(a) = a {
        for r in &a.ladder {
            rows.push((
                r.adj,
                LadderRow {
                    frame_a: Some(r.frame),
                    frame_b: r.partner.map(|p| p.0),
                    time_a: None,
                    time_b: None,
                    t_a: Some(r.ts),
                    t_b: r.partner.map(|p| p.1),
                    from_client: r.dir == 0,
                    flags: flags_text(r.flags),
                    seq: r.seq,
                    ack: r.ack,
                    len: r.len,
                    lost: r.unmatched && r.covered && !r.injected && b.is_some(),
                    injected: r.injected,
                },
            ));
        }
    }
    if let Some(b) = b {
        for r in b
            .ladder
            .iter()
            .filter(|r| r.partner.is_none() || a.is_none())
        {
            rows.push((
                r.ts.saturating_sub(boot_offset),
                LadderRow {
                    frame_a: None,
                    frame_b: Some(r.frame),
                    time_a: None,
                    time_b: None,
                    t_a: None,
                    t_b: Some(r.ts),
                    from_client: (r.dir ^ flip) == 0,
                    flags: flags_text(r.flags),
                    seq: r.seq,
                    ack: r.ack,
                    len: r.len,
                    lost: r.unmatched && r.covered && !r.injected && a.is_some(),
                    injected: r.injected,
                },
            ));
        }
    }
    rows.sort_by_key(|(t, _)| *t);
    // Absolute times as text (they exceed a JavaScript number's exact
    // range), relative ones as numbers.
    let t0a = rows.iter().filter_map(|(_, r)| r.t_a).min();
    let t0b = rows.iter().filter_map(|(_, r)| r.t_b).min();
    let text = |ns: i64| crate::timestamp::Timestamp::new(ns, 9).to_string();
    rows.into_iter()
        .map(|(_, mut r)| {
            r.time_a = r.t_a.map(text);
            r.time_b = r.t_b.map(text);
            r.t_a = r.t_a.zip(t0a).map(|(t, z)| t - z);
            r.t_b = r.t_b.zip(t0b).map(|(t, z)| t - z);
            r
        })
        .collect()
}

pub(crate) fn way_index(w: Way) -> usize {
    match w {
        Way::AToB => 0,
        Way::BToA => 1,
        Way::Unknown => 2,
    }
}

/// tcpdump's flag letters: `S`, `S.`, `.`, `P.`, `F.`, `R`, `R.`.
pub(crate) fn flags_text(f: crate::tcp::TcpFlags) -> String {
    let mut s = String::new();
    for (on, c) in [
        (f.syn(), 'S'),
        (f.fin(), 'F'),
        (f.rst(), 'R'),
        (f.psh(), 'P'),
        (f.urg(), 'U'),
        (f.ece(), 'E'),
        (f.cwr(), 'W'),
        (f.ack(), '.'),
    ] {
        if on {
            s.push(c);
        }
    }
    if s.is_empty() {
        s.push_str("none");
    }
    s
}
