//! The detectors TS-01..TS-10 of `spec/timestamps.md` §4, run once at the
//! end over the flows, the pairs and their clock lines.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::IpAddr;

use super::analyzer::Pair;
use super::clock::{Line, Verdict};
use super::config::Config;
use super::finding::{Code, Evidence, Finding, Severity};
use super::flow::Flow;

pub(crate) mod clocks;
pub(crate) mod options;
pub(crate) mod probe;
pub(crate) mod regression;
pub(crate) mod timewait;
pub(crate) mod tsecr;
pub(crate) mod tw_recycle;
pub(crate) mod wrap;

/// Everything the detectors read.
pub(crate) struct Ctx<'a> {
    pub flows: &'a [Flow],
    pub pairs: &'a [Pair],
    pub lines: &'a [Vec<Line>],
    pub classes: &'a [Verdict],
    /// Connections that got a SYN-ACK, per (server, port).
    pub served: &'a BTreeMap<(IpAddr, u16), u32>,
    pub end_ns: i64,
    pub config: &'a Config,
    /// The capture's packet times were written by a tool: every one of
    /// this many gaps between segments is a whole number of milliseconds.
    pub rewritten_times: Option<u64>,
}

impl Ctx<'_> {
    pub fn flow(&self, i: u32) -> Option<&Flow> {
        self.flows.get(i as usize)
    }
    /// The measured rate of the clock line a flow's client TSvals are on.
    pub fn line_hz(&self, f: &Flow) -> Option<f64> {
        let l = f.line?;
        self.lines.get(f.pair as usize)?.get(l as usize)?.hz
    }
    pub fn lines_of(&self, pair: usize) -> &[Line] {
        self.lines.get(pair).map(|v| v.as_slice()).unwrap_or(&[])
    }
}

/// A finding before its frames are capped.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finding(
    code: Code,
    severity: Severity,
    summary: String,
    explanation: String,
    remedy: &str,
    frames: Vec<u64>,
    flows: Vec<usize>,
    pair: &Pair,
    evidence: Evidence,
) -> Finding {
    Finding {
        code,
        severity,
        summary,
        explanation,
        remedy: remedy.to_string(),
        frames_total: frames.len() as u64,
        frames,
        flows,
        client: Some(pair.client.to_string()),
        server: Some(pair.server.to_string()),
        evidence,
    }
}

/// Seconds as f64 from nanoseconds.
pub(crate) fn secs(ns: i64) -> f64 {
    ns as f64 / 1e9
}

/// Rounds to 3 decimals (for stable, readable JSON).
pub(crate) fn r3(x: f64) -> f64 {
    let y = x * 1000.0;
    let r = if y < 0.0 {
        (y - 0.5) as i64
    } else {
        (y + 0.5) as i64
    };
    r as f64 / 1000.0
}
