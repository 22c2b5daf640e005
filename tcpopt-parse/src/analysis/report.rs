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
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FlowReport {
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
    /// Index into the pair's `lines` in `Report::clocks`.
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
    pub lines: Vec<ClockLine>,
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
    /// Findings whose frame list was cut.
    pub findings_with_frames_cut: u32,
    pub max_findings_per_code: usize,
    pub findings_dropped: u32,
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
    pub flows: Vec<FlowReport>,
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
