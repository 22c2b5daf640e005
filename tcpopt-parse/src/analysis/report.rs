//! The report: the JSON contract shared by the CLI and the browser.

use alloc::string::String;
use alloc::vec::Vec;

use super::finding::{ClockClass, Finding, LineSummary};

/// What the capture driver knows about the file; the analyzer copies it
/// into the report untouched.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CaptureSummary {
    /// `pcap`, `pcapng`, ...
    pub format: String,
    pub link_types: Vec<String>,
    pub packets: u64,
    pub tcp_segments: u64,
    pub segments_with_timestamps: u64,
    /// First and last capture time, as `Timestamp`'s Display (all the
    /// capture's digits), None for an empty capture.
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
    pub errors: Vec<CaptureError>,
    /// False when reading stopped early (truncated file, fatal error).
    pub complete: bool,
}

/// One fault met while reading or decoding.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CaptureError {
    pub frame: u64,
    pub offset: u64,
    pub layer: String,
    pub message: String,
}

/// How the handshake of a flow went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum Handshake {
    Completed,
    /// SYN-ACK seen, third ACK not (yet).
    SynAcked,
    SynUnanswered,
    SynAnsweredByRst,
    /// A non-SYN ACK answered the SYN (TIME_WAIT or challenge ACK).
    SynAnsweredByBareAck,
    /// The capture started after the SYN; the client is a guess.
    MidStream,
}

/// Which side sent something first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum Side {
    Client,
    Server,
}

/// One direction's TSval range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TsRange {
    pub first_tsval: Option<u32>,
    pub last_tsval: Option<u32>,
    pub segments: u64,
    pub segments_with_ts: u64,
}

/// One flow (connection attempt). A new SYN with a new ISN on a 4-tuple
/// starts a new flow, so TIME_WAIT reuse gives several flows per 4-tuple.
///
/// Built once, when the flow is retired (closed both ways, reset after
/// its handshake, superseded by a new SYN on its 4-tuple, idle past
/// `Config::idle_timeout_ns` / `closing_idle_timeout_ns`, or open at the
/// end). The report's `flows` holds the ones findings name; the complete
/// list is the stream of [`crate::analysis::Analyzer::drain_retired`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FlowReport {
    /// Stable flow id: the order flows were created (0-based).
    /// `findings[].flows` and `previous_flow` refer to it.
    pub index: usize,
    pub client: String,
    pub client_port: u16,
    pub server: String,
    pub server_port: u16,
    pub mid_stream: bool,
    pub handshake: Handshake,
    pub first_frame: u64,
    pub last_frame: u64,
    pub syn_frames: Vec<u64>,
    pub syns: u32,
    pub syn_retransmissions: u32,
    pub synack_frame: Option<u64>,
    pub ts_negotiated: bool,
    pub first_fin: Option<Side>,
    pub client_rst: bool,
    pub server_rst: bool,
    pub client_ts: TsRange,
    pub server_ts: TsRange,
    /// Index into the pair's `lines` in `Report::clocks`. Lines are built
    /// at the end, so only flows in the report's `flows` carry it; streamed
    /// flows have null.
    pub clock_line: Option<usize>,
    pub probe: bool,
    /// The previous flow on the same 4-tuple.
    pub previous_flow: Option<usize>,
}

/// A TS clock line in the report.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClockLine {
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub summary: LineSummary,
    /// The rate was within 2 % of 10/100/250/300/1000/10^6 Hz and snapped.
    pub rate_snapped: bool,
    pub span_s: f64,
    /// Lower-envelope skew in ppm, only with ≥ 10 min of data.
    pub skew_ppm: Option<f64>,
    /// Ids of the line's first flows (by first TSval time), at most
    /// `limits.max_evidence_frames`; `connections` counts them all.
    pub flows: Vec<usize>,
}

/// The clocks of one (client address, server address) pair.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClockPair {
    pub client: String,
    pub server: String,
    pub classification: ClockClass,
    pub description: &'static str,
    pub connections_with_ts: u32,
    pub connections_without_ts: u32,
    /// The pair's first lines (in order of first TSval), at most
    /// [`crate::analysis::MAX_REPORT_LINES`]: a host with
    /// per-connection offsets has one line per connection. `lines_total`
    /// counts them all (`FlowReport::clock_line` may point past the list).
    pub lines: Vec<ClockLine>,
    pub lines_total: u32,
}

/// The caps and whether they were hit.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Limits {
    pub max_flows: usize,
    pub flows_cap_hit: bool,
    /// Segments of flows that were not tracked because of the cap.
    pub segments_untracked: u64,
    pub max_evidence_frames: usize,
    /// Findings whose frame list was cut (at `max_evidence_frames`, or
    /// by a per-flow cap on the frames kept: `frames_total` then counts
    /// the frames seen, more than were kept).
    pub findings_with_frames_cut: u32,
    pub max_findings_per_code: usize,
    pub findings_dropped: u32,
    /// Findings whose flow list was cut at `max_evidence_frames`.
    pub findings_with_flows_cut: u32,
}

/// Flows by handshake outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct HandshakeTotals {
    pub completed: u64,
    pub syn_acked: u64,
    pub syn_unanswered: u64,
    pub syn_answered_by_rst: u64,
    pub syn_answered_by_bare_ack: u64,
    pub mid_stream: u64,
}

impl HandshakeTotals {
    pub(crate) fn add(&mut self, h: Handshake) {
        let n = match h {
            Handshake::Completed => &mut self.completed,
            Handshake::SynAcked => &mut self.syn_acked,
            Handshake::SynUnanswered => &mut self.syn_unanswered,
            Handshake::SynAnsweredByRst => &mut self.syn_answered_by_rst,
            Handshake::SynAnsweredByBareAck => &mut self.syn_answered_by_bare_ack,
            Handshake::MidStream => &mut self.mid_stream,
        };
        *n += 1;
    }
}

/// Counts over every flow (schema v2: the report no longer lists every
/// flow; these say what the stream of flows would add up to).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Totals {
    /// Every flow, by handshake outcome.
    pub handshakes: HandshakeTotals,
    /// Flows that negotiated timestamps.
    pub ts_negotiated: u64,
    /// (client, server) address pairs, and clock lines over all pairs.
    pub pairs: u64,
    pub clock_lines: u64,
    /// Flows retired before the end: closed (FIN both ways, or RST after
    /// the handshake), superseded by a new SYN on their 4-tuple, idle.
    pub flows_retired_closed: u64,
    pub flows_retired_superseded: u64,
    pub flows_retired_idle: u64,
    /// Flows still open at the end of the capture.
    pub flows_open_at_end: u64,
    /// The most flows open at one time (what `Config::max_flows` caps).
    pub peak_open_flows: u64,
    /// Segments on a 4-tuple after its flow was retired (a retransmitted
    /// FIN or ACK, a RST after the close): counted, not analysed.
    pub late_segments: u64,
}

/// What the analyzer itself saw.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Stats {
    pub segments: u64,
    pub segments_with_ts: u64,
    pub flows: u64,
    pub clients: u64,
    pub servers: u64,
    pub handshakes_completed: u64,
    /// Capture time went backwards this many times (tolerated).
    pub time_went_backwards: u64,
}

/// The analysis result. `schema_version` changes when a field changes
/// meaning or disappears; added fields keep it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Report {
    pub schema_version: u32,
    pub verdict: String,
    pub capture: CaptureSummary,
    pub stats: Stats,
    pub findings: Vec<Finding>,
    /// Schema v2: only the flows that `findings[].flows` name, by `index`.
    pub flows: Vec<FlowReport>,
    pub totals: Totals,
    pub clocks: Vec<ClockPair>,
    pub limits: Limits,
}

impl Report {
    /// The most severe finding's severity, if any.
    pub fn max_severity(&self) -> Option<super::Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
    /// Findings with this code.
    pub fn findings_with(&self, code: super::Code) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.code == code)
    }
}

/// Seconds as f64 from nanoseconds (report values are in seconds).
pub(crate) fn secs(ns: i64) -> f64 {
    ns as f64 / 1e9
}

/// Rounds to 3 decimals, for stable, readable JSON.
pub(crate) fn r3(x: f64) -> f64 {
    let y = x * 1000.0;
    let r = if y < 0.0 {
        (y - 0.5) as i64
    } else {
        (y + 0.5) as i64
    };
    r as f64 / 1000.0
}
