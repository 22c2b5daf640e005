//! The detector interface: the [`Detector`] trait, the end-of-capture
//! [`Ctx`], the [`Draft`] finding builder and the unit-test kit. A module of
//! its own so that each detector imports it and `detectors/mod.rs` (the
//! list) imports the detectors, with no import running back.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use hashbrown::HashMap;

use crate::analysis::clock::{Line, Verdict};
use crate::analysis::config::Config;
use crate::analysis::finding::{ClockClass, Code, Evidence, Finding, Severity};
use crate::analysis::flow::Flow;
use crate::analysis::state::Pair;

/// One detector: folds finished flows into its own state, emits findings
/// at the end. `Send`: the retired side may run on a thread of its own
/// (`analysis::worker`).
pub(crate) trait Detector: Send {
    /// Flow `id` is final. Keep what the findings need; `f.pair` indexes
    /// [`Ctx::pairs`]. Returns whether a finding may name this flow (its
    /// `FlowReport` is then kept for the report's `flows`).
    fn flow_done(&mut self, id: u32, f: &Flow) -> bool {
        let _ = (id, f);
        false
    }
    /// End of capture: append findings. `out` already holds the findings
    /// of the detectors listed before this one.
    fn finish(&mut self, cx: &Ctx, out: &mut Vec<Finding>);
}

/// The clocks of one pair, as the end of the capture computed them.
#[derive(Clone, Debug, Default)]
pub(crate) struct PairClocks {
    pub lines: Vec<Line>,
    pub class: Option<Verdict>,
    /// Connections whose client sent no TSval (probes excluded).
    pub without_ts: u32,
    /// Lines of one connection forgotten while streaming (`cluster`).
    pub forgotten: u64,
}

/// Everything the detectors read at the end.
pub(crate) struct Ctx<'a> {
    pub pairs: &'a [Pair],
    pub clocks: &'a [PairClocks],
    /// Flow id → its clock line (`Line::seq`, also for a forgotten line)
    /// and the line's rate; for the flows detectors name.
    pub line_of: &'a HashMap<u32, (u64, Option<f64>)>,
    pub end_ns: i64,
    pub config: &'a Config,
    /// The capture's packet times were written by a tool: every one of
    /// this many gaps between segments is a whole number of milliseconds.
    pub rewritten_times: Option<u64>,
}

impl Ctx<'_> {
    pub fn pair(&self, pi: u32) -> Option<&Pair> {
        self.pairs.get(pi as usize)
    }
    pub fn lines_of(&self, pair: u32) -> &[Line] {
        self.clocks
            .get(pair as usize)
            .map(|c| c.lines.as_slice())
            .unwrap_or(&[])
    }
    /// The pair's classification and skew difference.
    pub fn class_of(&self, pair: u32) -> (ClockClass, Option<f64>) {
        self.clocks
            .get(pair as usize)
            .and_then(|c| c.class)
            .map(|v| (v.class, v.skew_difference_ppm))
            .unwrap_or((ClockClass::NoTimestamps, None))
    }
    /// The pair's whole clock verdict (confidence, interleaving).
    pub fn verdict_of(&self, pair: u32) -> Option<Verdict> {
        self.clocks.get(pair as usize).and_then(|c| c.class)
    }
    /// The pair's one-connection lines forgotten while streaming.
    pub fn forgotten(&self, pair: u32) -> u64 {
        self.clocks
            .get(pair as usize)
            .map(|c| c.forgotten)
            .unwrap_or(0)
    }
    pub fn without_ts(&self, pair: u32) -> u32 {
        self.clocks
            .get(pair as usize)
            .map(|c| c.without_ts)
            .unwrap_or(0)
    }
    /// The measured rate of the clock line flow `id`'s client TSvals are on.
    pub fn line_hz(&self, _pair: u32, id: u32) -> Option<f64> {
        self.line_of.get(&id)?.1
    }
}

/// A finding before its frames are capped; [`Draft::about`] names the pair.
pub(crate) struct Draft {
    pub code: Code,
    pub severity: Severity,
    pub summary: String,
    pub explanation: String,
    pub remedy: &'static str,
    /// Every frame that shows it, in any order, duplicates allowed.
    pub frames: Vec<u64>,
    /// Flow ids.
    pub flows: Vec<usize>,
    pub evidence: Evidence,
}

impl Draft {
    pub fn about(self, pair: &Pair) -> Finding {
        self.about_cut(pair, 0)
    }

    /// [`about`](Self::about) for a finding whose frames lost
    /// `frames_beyond_caps` to per-flow caps (`Frames::beyond`): they are
    /// counted in `frames_total` and in `limits.findings_with_frames_cut`.
    /// [`about`](Self::about) for a finding whose frames and flows come
    /// from clock lines that list only their first connections: the
    /// others are counted (`frames_total`, `flows_total`), not listed.
    pub fn about_lines(self, pair: &Pair, frames_beyond: u64, flows_beyond: u64) -> Finding {
        let mut f = self.about_cut(pair, frames_beyond);
        f.flows_beyond_caps = flows_beyond;
        f
    }

    pub fn about_cut(self, pair: &Pair, frames_beyond_caps: u64) -> Finding {
        Finding {
            code: self.code,
            severity: self.severity,
            summary: self.summary,
            explanation: self.explanation,
            remedy: self.remedy.to_string(),
            frames_total: self.frames.len() as u64,
            frames_beyond_caps,
            frames: self.frames,
            flows_total: self.flows.len() as u64,
            flows_beyond_caps: 0,
            flows: self.flows,
            client: Some(pair.client.to_string()),
            server: Some(pair.server.to_string()),
            evidence: self.evidence,
        }
    }
}

/// Hand-made flows and a one-detector run for the detectors' unit tests.
#[cfg(test)]
pub(crate) mod testkit {
    use alloc::vec::Vec;
    use core::net::{IpAddr, Ipv4Addr};

    use hashbrown::HashMap;

    use super::{Ctx, Detector, PairClocks};
    use crate::analysis::config::Config;
    use crate::analysis::finding::Finding;
    use crate::analysis::flow::Flow;
    use crate::analysis::state::Pair;
    use crate::tcp::TcpFlags;
    use crate::timestamp::Timestamp;
    use crate::Segment;

    pub const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    pub const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1));
    pub const MS: i64 = 1_000_000;

    /// A segment of the flow (CLIENT:`cport` → SERVER:80) from the client
    /// (`c2s`) or the server, at `ms` milliseconds, with TCP `flags` and
    /// the timestamps option `ts` (TSval, TSecr).
    pub fn seg(
        frame: u64,
        ms: i64,
        c2s: bool,
        cport: u16,
        flags: u16,
        ts: Option<(u32, u32)>,
    ) -> Segment {
        let (src, sport, dst, dport) = if c2s {
            (CLIENT, cport, SERVER, 80)
        } else {
            (SERVER, 80, CLIENT, cport)
        };
        Segment {
            frame,
            ts: Timestamp::new(ms * MS, 6),
            src,
            dst,
            sport,
            dport,
            // The ISN on SYNs, ISN+1 after them, as a real stack sends
            // (ISN on a later segment would be a keep-alive probe).
            seq: if c2s { 1000 } else { 5000 } + u32::from(flags & 0x002 == 0),
            ack: if c2s { 5001 } else { 1001 },
            flags: TcpFlags(flags),
            window: 65535,
            payload_len: 0,
            ttl: 64,
            timestamps: ts,
            ts_malformed: false,
            max_nop_run: 0,
            options_complete: true,
            mss: None,
            wscale: None,
            sack_permitted: false,
        }
    }

    pub const SYN: u16 = 0x02;
    pub const ACK: u16 = 0x10;
    pub const SYNACK: u16 = 0x12;
    pub const FIN: u16 = 0x01;
    pub const RST: u16 = 0x04;

    /// Plays `segs` into one flow the way the analyzer does.
    pub fn flow(segs: &[Segment]) -> Flow {
        let cport = segs.first().map(|s| s.sport.max(s.dport)).unwrap_or(0);
        let mut f = Flow::new(0, CLIENT, cport, SERVER, 80, 0);
        if let Some(s) = segs.first() {
            f.first_frame = s.frame;
            f.first_ns = s.ts.nanos;
        }
        for s in segs {
            let d = f.direction(s);
            f.last_frame = s.frame;
            f.last_ns = s.ts.nanos;
            if d == crate::analysis::flow::C2S && s.flags.syn() && !s.flags.ack() {
                f.client_syn(s);
            }
            f.handshake(s, d);
            f.options(s);
            f.timestamps(s, d);
        }
        f
    }

    /// Runs one detector over `flows` (ids 0, 1, ... in this order) of the
    /// one test pair.
    pub fn run(det: &mut dyn Detector, flows: &[Flow], clocks: PairClocks) -> Vec<Finding> {
        for (i, f) in flows.iter().enumerate() {
            let mut f = f.clone();
            f.id = i as u32;
            det.flow_done(f.id, &f);
        }
        let config = Config::default();
        let pairs = [Pair::new(CLIENT, SERVER)];
        let mut line_of = HashMap::new();
        for (li, l) in clocks.lines.iter().enumerate() {
            for &fi in &l.flows {
                line_of.insert(fi as u32, (li as u64, l.hz));
            }
        }
        let clocks = [clocks];
        let end_ns = flows.iter().map(|f| f.last_ns).max().unwrap_or(0);
        let cx = Ctx {
            pairs: &pairs,
            clocks: &clocks,
            line_of: &line_of,
            end_ns,
            config: &config,
            rewritten_times: None,
        };
        let mut out = Vec::new();
        det.finish(&cx, &mut out);
        out
    }
}
