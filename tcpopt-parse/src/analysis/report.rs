//! The report: the JSON contract shared by the CLI and the browser.

use alloc::string::String;
use alloc::vec::Vec;

use super::finding::{ClockClass, Finding, LineSummary};
use crate::error::{Compression, ErrorKind, Layer};

/// What the capture driver knows about the file; the analyzer copies it
/// into the report untouched.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaptureSummary {
    /// `pcap`, `pcapng`, ...
    pub format: String,
    /// The link types of the capture's interfaces (`Ethernet`, `Linux SLL`,
    /// ...); empty without packets.
    pub link_types: Vec<String>,
    /// Packets (frames) read.
    pub packets: u64,
    /// Frames that decoded to a TCP segment.
    pub tcp_segments: u64,
    /// TCP segments that carry a timestamps option.
    pub segments_with_timestamps: u64,
    /// First and last capture time, as `Timestamp`'s Display (all the
    /// capture's digits); null for an empty capture or one whose packets
    /// carry no time.
    pub first_ts: Option<String>,
    /// Last capture time, like `first_ts`.
    pub last_ts: Option<String>,
    /// Packets that carry no capture time (pcapng Simple Packet Blocks,
    /// §4.4); they take no part in `first_ts` and `last_ts`. Absent from
    /// the JSON when 0.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_zero"))]
    pub untimed_packets: u64,
    /// Faults met while reading or decoding, in order; the first is why reading
    /// stopped when `complete` is false.
    pub errors: Vec<CaptureError>,
    /// How many packets' decoding stopped at damage, all of them (`errors`
    /// lists at most 20).
    pub packet_errors: u64,
    /// False when reading stopped early (truncated file, fatal error).
    pub complete: bool,
    /// Packets that may hold TCP but could not be decoded (an unsupported
    /// link type or EtherType, encrypted or fragmented payloads), by
    /// reason; see [`crate::undecoded`]. Absent from the JSON when every
    /// packet was decoded.
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "crate::undecoded::Undecoded::is_empty")
    )]
    pub undecoded: crate::undecoded::Undecoded,
}

#[cfg(feature = "serde")]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One fault met while reading or decoding: where (frame, layer, byte),
/// what (`kind`, with its numbers beside it in the JSON), and how the input
/// was compressed. Built in `pipeline` from the decoder's typed
/// [`Error`](crate::error::Error); a reader words it from these fields.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaptureError {
    /// The frame (Wireshark numbering, from 1): for the fault that stopped
    /// reading, one more than the packets read whole.
    pub frame: u64,
    /// The byte of the fault. Its origin depends on `layer`: for capture
    /// framing (`capture`, `pcap`, `pcapng`) the capture file, counted in
    /// decompressed bytes when `compressed` is not `none`; for
    /// `compression` the compressed file; for the packet layers
    /// (`ethernet` ... `tcp_option`) the frame's own data, as in
    /// Wireshark's bytes pane.
    pub offset: u64,
    /// The layer that failed (`capture`, `pcapng`, `gzip`, `ethernet`, `ipv4`, `tcp`, ...).
    pub layer: Layer,
    /// What was wrong: `truncated`, `bad_magic`, `bad_length`, ... The
    /// variant's fields (`needed`, `available`, `found`, `what`, `value`,
    /// ...) stand beside it in the JSON.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub kind: ErrorKind,
    /// How the input was compressed (`none`, `gzip`, `zstd`).
    pub compressed: Compression,
    /// The kind in words (`truncated: needs 108 bytes, 20 available`),
    /// without the frame, layer and offset that stand beside it.
    pub detail: String,
}

/// How the handshake of a flow went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Handshake {
    /// SYN, SYN-ACK and the third ACK seen.
    Completed,
    /// SYN-ACK seen, third ACK not (yet).
    SynAcked,
    /// No answer to any SYN of the attempt.
    SynUnanswered,
    /// The server answered the SYN with a RST.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Side {
    /// The SYN's sender.
    Client,
    /// The SYN's receiver.
    Server,
}

/// One direction's TSval range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TsRange {
    /// The direction's first TSval; null without any.
    pub first_tsval: Option<u32>,
    /// The direction's last TSval; null without any.
    pub last_tsval: Option<u32>,
    /// Segments sent in this direction.
    pub segments: u64,
    /// Of those, segments with a timestamps option.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FlowReport {
    /// Stable flow id: the order flows were created (0-based).
    /// `findings[].flows` and `previous_flow` refer to it.
    pub index: usize,
    /// The client's address (the SYN's sender; guessed for a mid-stream flow).
    pub client: String,
    /// The client's port.
    pub client_port: u16,
    /// The server's address.
    pub server: String,
    /// The server's port.
    pub server_port: u16,
    /// The capture started after the SYN: the client is a guess (a port below
    /// 1024 facing one above is the server, otherwise the higher port is the
    /// client, on a tie the first sender).
    pub mid_stream: bool,
    /// How the handshake went.
    pub handshake: Handshake,
    /// The flow's first frame.
    pub first_frame: u64,
    /// The flow's last frame.
    pub last_frame: u64,
    /// Frames of the client's SYNs, the first 8.
    pub syn_frames: Vec<u64>,
    /// SYNs the client sent, retransmissions included.
    pub syns: u32,
    /// Of those, retransmissions (the same ISN).
    pub syn_retransmissions: u32,
    /// The server's SYN-ACK, when there was one.
    pub synack_frame: Option<u64>,
    /// Both the SYN and the SYN-ACK carried timestamps (RFC 7323 §3.2).
    pub ts_negotiated: bool,
    /// Who sent the first FIN (the side that closes first holds TIME_WAIT);
    /// null without a FIN.
    pub first_fin: Option<Side>,
    /// The client sent a RST.
    pub client_rst: bool,
    /// The server sent a RST.
    pub server_rst: bool,
    /// The client's TSvals.
    pub client_ts: TsRange,
    /// The server's TSvals.
    pub server_ts: TsRange,
    /// The `id` of the client's clock line in its pair (`Report::clocks`;
    /// the report lists a pair's first lines only). Null when the client
    /// sent no TSval. Streamed flows carry it too: they are streamed once
    /// their line is known.
    pub clock_line: Option<usize>,
    /// The rate of that clock line (Hz), when known: as measured when the
    /// flow was put on it for a streamed flow, at the end of the capture
    /// for the report's `flows`.
    pub client_rate_hz: Option<f64>,
    /// The flow looks like a scanner's probe (TS-09: nmap's or traceroute's
    /// TSvals, TSval 0).
    pub probe: bool,
    /// The previous flow on the same 4-tuple.
    pub previous_flow: Option<usize>,
}

impl FlowReport {
    /// An empty report, left in a box whose report was moved out (the box
    /// is reused, `cluster::Singles`): it allocates nothing.
    pub(crate) fn moved_out() -> FlowReport {
        FlowReport {
            index: 0,
            client: String::new(),
            client_port: 0,
            server: String::new(),
            server_port: 0,
            mid_stream: false,
            handshake: Handshake::Completed,
            first_frame: 0,
            last_frame: 0,
            syn_frames: Vec::new(),
            syns: 0,
            syn_retransmissions: 0,
            synack_frame: None,
            ts_negotiated: false,
            first_fin: None,
            client_rst: false,
            server_rst: false,
            client_ts: TsRange::default(),
            server_ts: TsRange::default(),
            clock_line: None,
            client_rate_hz: None,
            probe: false,
            previous_flow: None,
        }
    }
}

/// A TS clock line in the report.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClockLine {
    /// The line's number in its pair, in order of creation (from 0);
    /// `flows[].clock_line` refers to it. Numbers of one-connection lines
    /// that were forgotten (`limits.clock_lines_forgotten`) are skipped.
    pub id: u64,
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub summary: LineSummary,
    /// The rate was within 2 % of 10/100/250/300/1000/10^6 Hz and snapped.
    pub rate_snapped: bool,
    /// Capture time from the line's first to its last point (s).
    pub span_s: f64,
    /// Lower-envelope skew in ppm, only with ≥ 10 min of data.
    pub skew_ppm: Option<f64>,
    /// Ids of the line's earliest flows (by frame), at most 4;
    /// `connections` counts them all.
    pub flows: Vec<usize>,
}

/// The clocks of one (client address, server address) pair.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClockPair {
    /// The client address.
    pub client: String,
    /// The server address.
    pub server: String,
    /// How the clocks behind the client address are explained.
    pub classification: ClockClass,
    /// The classification in words.
    pub description: &'static str,
    /// Connections from the client to the server with client TSvals.
    pub connections_with_ts: u32,
    /// Connections without client TSvals.
    pub connections_without_ts: u32,
    /// The pair's first lines (in order of first TSval), at most
    /// [`crate::analysis::MAX_REPORT_LINES`]: a host with
    /// per-connection offsets has one line per connection. The labels
    /// A, B, … index into it; `FlowReport::clock_line` may point past it.
    pub lines: Vec<ClockLine>,
    /// Every clock line of the pair, listed or not.
    pub lines_total: u32,
}

/// The caps and whether they were hit.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Limits {
    /// The most flows tracked at once (`Config::max_flows`).
    pub max_flows: usize,
    /// A flow was not tracked because of `max_flows`.
    pub flows_cap_hit: bool,
    /// Segments of flows that were not tracked because of the cap.
    pub segments_untracked: u64,
    /// The most frames a finding lists (`Config::max_evidence_frames`).
    pub max_evidence_frames: usize,
    /// Findings whose frame list was cut (at `max_evidence_frames`, or
    /// by a per-flow cap on the frames kept: `frames_total` then counts
    /// the frames seen, more than were kept).
    pub findings_with_frames_cut: u32,
    /// The most findings of one code (`Config::max_findings_per_code`).
    pub max_findings_per_code: usize,
    /// Findings dropped by `max_findings_per_code`.
    pub findings_dropped: u32,
    /// Findings whose flow list was cut at `max_evidence_frames`.
    pub findings_with_flows_cut: u32,
    /// The most clock lines of one connection kept at once over the
    /// capture (a busy capture's per-connection-offset hosts make one per
    /// connection).
    pub max_open_clock_lines: usize,
    /// One-connection clock lines forgotten past `max_open_clock_lines`:
    /// a later connection of their clock starts a new line. They are still
    /// counted in `clocks[].lines_total` and `totals.clock_lines`.
    pub clock_lines_forgotten: u64,
}

/// Flows by handshake outcome (each field is a [`Handshake`] variant).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HandshakeTotals {
    /// Flows whose handshake completed.
    pub completed: u64,
    /// Flows with a SYN-ACK but no third ACK.
    pub syn_acked: u64,
    /// Flows whose SYNs got no answer.
    pub syn_unanswered: u64,
    /// Flows whose SYN was answered by a RST.
    pub syn_answered_by_rst: u64,
    /// Flows whose SYN was answered by a bare ACK.
    pub syn_answered_by_bare_ack: u64,
    /// Flows first seen after their SYN.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Totals {
    /// Every flow, by handshake outcome.
    pub handshakes: HandshakeTotals,
    /// Flows that negotiated timestamps.
    pub ts_negotiated: u64,
    /// (client, server) address pairs.
    pub pairs: u64,
    /// Clock lines over all pairs.
    pub clock_lines: u64,
    /// Flows retired before the end because they closed (FIN both ways,
    /// or RST after the handshake).
    pub flows_retired_closed: u64,
    /// Flows retired because a new SYN on their 4-tuple superseded them.
    pub flows_retired_superseded: u64,
    /// Flows retired because they stayed idle past the timeout.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Stats {
    /// TCP segments analysed.
    pub segments: u64,
    /// Of those, segments with a timestamps option.
    pub segments_with_ts: u64,
    /// Flows (connection attempts) seen.
    pub flows: u64,
    /// Distinct client addresses.
    pub clients: u64,
    /// Distinct server addresses.
    pub servers: u64,
    /// Flows whose three-way handshake completed.
    pub handshakes_completed: u64,
    /// Capture time went backwards this many times (tolerated).
    pub time_went_backwards: u64,
}

/// The analysis result. `schema_version` changes when a field changes
/// meaning or disappears; added fields keep it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    /// The schema's version: changes when a field changes meaning or disappears
    /// (added fields keep it).
    pub schema_version: u32,
    /// One line for a ticket: the most severe warning or critical finding's
    /// summary; otherwise "no timestamp anomaly found in N connections from M
    /// clients (timestamps on P % of S segments)", followed by "; note: " and
    /// the first info finding's summary when there is one.
    pub verdict: String,
    /// What the capture reader saw (format, packets, read errors).
    pub capture: CaptureSummary,
    /// What the analyzer saw.
    pub stats: Stats,
    /// The findings, sorted by severity (critical first), then by first frame.
    pub findings: Vec<Finding>,
    /// Schema v2: only the flows that `findings[].flows` name, by `index`
    /// (the complete list is a stream: `tcpopt flows`, the page's CSV).
    pub flows: Vec<FlowReport>,
    /// Counts over every flow, listed or not.
    pub totals: Totals,
    /// The TS clocks of every (client address, server address) pair, sorted by
    /// client, then server.
    pub clocks: Vec<ClockPair>,
    /// The caps of the analysis and whether they were hit.
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
