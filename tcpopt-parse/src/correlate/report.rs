//! The correlation report: what two captures of the same traffic say
//! together. Serialised (feature `serde`) for `tcpopt correlate --format
//! json` and the page; every sentence in it is written here, once.

use alloc::string::String;
use alloc::vec::Vec;

pub use crate::analysis::Severity;

/// Schema version of [`CorrelationReport`].
pub const CORRELATION_SCHEMA_VERSION: u32 = 1;

/// Which capture: the first (`A`) or the second (`B`) given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Vantage {
    A,
    B,
}

impl Vantage {
    pub const fn as_str(self) -> &'static str {
        match self {
            Vantage::A => "A",
            Vantage::B => "B",
        }
    }

    pub const fn other(self) -> Vantage {
        match self {
            Vantage::A => Vantage::B,
            Vantage::B => Vantage::A,
        }
    }

    pub(crate) const fn index(self) -> usize {
        match self {
            Vantage::A => 0,
            Vantage::B => 1,
        }
    }
}

/// Which way a segment travelled between the two capture points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum Way {
    /// Seen at A first, then at B.
    AToB,
    BToA,
    /// Same TTL on both sides and no measurable delay: the order is not known.
    Unknown,
}

impl Way {
    pub const fn as_str(self) -> &'static str {
        match self {
            Way::AToB => "A→B",
            Way::BToA => "B→A",
            Way::Unknown => "A↔B",
        }
    }
}

/// Frames of one capture, as that capture numbers them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VantageFrames {
    /// `A` or `B`.
    pub vantage: String,
    /// The capture's name (file name).
    pub capture: String,
    /// Sorted, unique, at most [`super::Config::max_frames`].
    pub frames: Vec<u64>,
    /// Frames before the cap.
    pub frames_total: u64,
}

/// One capture of the pair.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VantageSummary {
    pub vantage: String,
    pub capture: String,
    pub format: String,
    pub packets: u64,
    pub tcp_segments: u64,
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
    /// Segments matched to a segment of the other capture.
    pub matched: u64,
    /// Unmatched while the other capture was running and on the same path:
    /// lost between the two points (or made between them).
    pub unmatched_on_path: u64,
    /// Unmatched, seen where their direction arrives: made between the points.
    pub made_between: u64,
    /// Unmatched, in connections the other capture never saw or outside
    /// its time span: other traffic, not loss.
    pub unmatched_elsewhere: u64,
    /// Where reading stopped early: `frame N: reason`.
    pub fault: Option<String>,
    pub complete: bool,
}

/// The offset between the two capture clocks, from matched pairs.
///
/// `offset_ns` is B's clock minus A's. A segment travelling A→B gives
/// `tB − tA = offset + delay`, one travelling B→A gives `offset − delay`,
/// so with both directions the offset lies in
/// `[max(B→A samples), min(A→B samples)]`; with one direction only one
/// bound exists and the delay cannot be told from the offset.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClockOffset {
    /// Best estimate, B − A, nanoseconds (`None`: nothing matched).
    pub offset_ns: Option<i64>,
    /// ± around the estimate within which the true offset lies (`None`: unbounded on one side).
    pub uncertainty_ns: Option<i64>,
    pub lower_ns: Option<i64>,
    pub upper_ns: Option<i64>,
    /// Matched pairs the estimate rests on.
    pub pairs: u64,
    /// One line: the offset, its uncertainty and what it rests on.
    pub description: String,
}

/// What the path between the capture points does, per direction.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PathStats {
    /// `a_to_b`, `b_to_a` or `unknown`.
    pub way: Option<Way>,
    pub matched: u64,
    /// TTL (hop limit) at the sending side minus at the receiving side: the
    /// routers between the points (min and max over the pairs).
    pub ttl_decrement_min: Option<i32>,
    pub ttl_decrement_max: Option<i32>,
    /// One-way delay, only when both directions fix the clock offset.
    pub delay_min_ns: Option<i64>,
    pub delay_median_ns: Option<i64>,
    /// Pairs with an IPv4 ID on both sides, and how many kept it.
    pub ip_id_pairs: u64,
    pub ip_id_kept: u64,
}

/// One NAT mapping: a connection's endpoints as each capture saw them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NatMapping {
    /// The connection's client (SYN sender) at A and at B (`addr:port`).
    pub client_a: String,
    pub client_b: String,
    pub server_a: String,
    pub server_b: String,
    /// Which of the four the path changed: `client address`, `client port`, ...
    pub rewritten: Vec<String>,
    /// Connection attempts with this mapping.
    pub connections: u64,
    /// First frame of the first such connection in each capture.
    pub first_frame_a: u64,
    pub first_frame_b: u64,
}

/// Every mapping seen (capped), and what they say together.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NatSummary {
    pub mappings: Vec<NatMapping>,
    /// Connections whose mapping is not listed (the list's cap).
    pub connections_not_listed: u64,
    /// Connections whose addresses or ports differ between the captures.
    pub translated_connections: u64,
    /// Of those, how many kept the client's source port.
    pub ports_kept: u64,
    /// `Some(true)` when every translated connection kept its source port.
    pub keeps_ports: Option<bool>,
    pub description: String,
}

/// What the path changed in a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum RewriteKind {
    TimestampsRemoved,
    TimestampsAdded,
    /// TSval changed by a constant per connection (pf `modulate`, SYNPROXY).
    TsvalShifted,
    /// TSecr changed by a constant per connection (the other half of it).
    TsecrShifted,
    MssChanged,
    MssRemoved,
    MssAdded,
    WindowScaleChanged,
    WindowScaleRemoved,
    WindowScaleAdded,
    SackPermittedRemoved,
    SackPermittedAdded,
    /// Sequence (and the other side's acknowledgement) numbers moved by a
    /// constant per connection (SYNPROXY, pf `modulate state`).
    SeqShifted,
    /// The window field differs (a change of window scale, or a middlebox).
    WindowChanged,
}

impl RewriteKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            RewriteKind::TimestampsRemoved => "timestamps_removed",
            RewriteKind::TimestampsAdded => "timestamps_added",
            RewriteKind::TsvalShifted => "tsval_shifted",
            RewriteKind::TsecrShifted => "tsecr_shifted",
            RewriteKind::MssChanged => "mss_changed",
            RewriteKind::MssRemoved => "mss_removed",
            RewriteKind::MssAdded => "mss_added",
            RewriteKind::WindowScaleChanged => "window_scale_changed",
            RewriteKind::WindowScaleRemoved => "window_scale_removed",
            RewriteKind::WindowScaleAdded => "window_scale_added",
            RewriteKind::SackPermittedRemoved => "sack_permitted_removed",
            RewriteKind::SackPermittedAdded => "sack_permitted_added",
            RewriteKind::SeqShifted => "seq_shifted",
            RewriteKind::WindowChanged => "window_changed",
        }
    }
}

/// One kind of rewrite in one direction, over all connections.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Rewrite {
    pub kind: RewriteKind,
    pub way: Way,
    /// Value before and after the rewrite, where it is one value (MSS 1460 → 1200).
    pub before: Option<String>,
    pub after: Option<String>,
    /// Segments rewritten this way.
    pub segments: u64,
    pub connections: u64,
    /// For the shifts: after minus before, signed (serial arithmetic), the
    /// first few distinct values (one per connection for a SYN proxy).
    pub shifts: Vec<i64>,
    /// One line, e.g. "MSS clamped 1460 → 1200 on the way A→B (2 SYNs)".
    pub description: String,
    pub frames: Vec<VantageFrames>,
}

/// What happened to one connection attempt between the two points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum Outcome {
    /// Every segment of both directions seen at both points.
    AllMatched,
    /// The handshake's SYNs crossed, no SYN-ACK came back past the far point.
    SynsReachedNoAnswer,
    /// The SYNs never reached the other point (the server side saw other
    /// traffic to the same server at the time).
    SynsNeverReached,
    /// The far side answered, the answer never came back to the near point.
    AnswerLost,
    /// Some segments of an otherwise crossing connection were lost between.
    SomeLost,
    /// The connection is in one capture only and does not pass the other's point.
    NotOnPath,
}

impl Outcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::AllMatched => "all_matched",
            Outcome::SynsReachedNoAnswer => "syns_reached_no_answer",
            Outcome::SynsNeverReached => "syns_never_reached",
            Outcome::AnswerLost => "answer_lost",
            Outcome::SomeLost => "some_lost",
            Outcome::NotOnPath => "not_on_path",
        }
    }
}

/// One segment of an attempt's ladder: its frame in each capture where it
/// was seen (`None`: not seen there).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LadderRow {
    pub frame_a: Option<u64>,
    pub frame_b: Option<u64>,
    /// Capture time in each capture's own clock (`seconds.nanoseconds`).
    pub time_a: Option<String>,
    pub time_b: Option<String>,
    /// Nanoseconds since the attempt's first segment in that capture.
    pub t_a: Option<i64>,
    pub t_b: Option<i64>,
    /// True when the client (SYN sender) sent it.
    pub from_client: bool,
    /// tcpdump-style flags, `S`, `S.`, `.`, `P.`, `F.`, `R`.
    pub flags: String,
    pub seq: u32,
    pub ack: u32,
    pub len: u32,
    /// Unmatched, and the other capture was on its path: lost between.
    pub lost: bool,
    /// Unmatched, seen where its direction arrives: made between the
    /// points (a middlebox's own segment) or missed by the other capture.
    pub injected: bool,
}

/// One connection attempt (one client ISN), in both captures.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AttemptReport {
    /// Stable id, in the order attempts were created (not contiguous: a
    /// paired attempt takes the first of its two flows' numbers).
    pub index: u64,
    pub outcome: Outcome,
    /// Client and server as each capture saw them (`None`: not seen there).
    pub client_a: Option<String>,
    pub server_a: Option<String>,
    pub client_b: Option<String>,
    pub server_b: Option<String>,
    /// The capture nearer the client (`None`: not known).
    pub client_side: Option<Vantage>,
    pub isn: Option<u32>,
    /// SYNs of the attempt in each capture.
    pub syns_a: u64,
    pub syns_b: u64,
    pub synacks_a: u64,
    pub synacks_b: u64,
    pub segments_a: u64,
    pub segments_b: u64,
    pub matched: u64,
    pub lost: u64,
    /// One sentence, e.g. "The 4 SYNs of 192.0.2.20:50020 (B) all reached A as 198.51.100.1:50020 …".
    pub description: String,
    /// The first segments of the attempt, both captures side by side.
    pub ladder: Vec<LadderRow>,
    /// Segments beyond the ladder's cap.
    pub ladder_cut: u64,
}

/// Finding codes of the correlation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum CorrelationCode {
    /// SYNs crossed both points, no SYN-ACK came back past the far one.
    SynReachedServerDropped,
    /// SYNs never reached the other point.
    SynLostBetweenCaptures,
    /// The SYN-ACK (or a later answer) left one point and never reached the other.
    AnswerLostBetweenCaptures,
    /// Segments of established connections lost between the points.
    SegmentsLostBetweenCaptures,
    /// Segments that appear between the points (a middlebox's own).
    SegmentsMadeBetweenCaptures,
    /// The timestamps option was removed or added on the way (two-vantage TS-04).
    TsOptionStrippedOrInjected,
    /// Another TCP option or header field was changed on the way.
    TcpHeaderRewritten,
    /// Addresses or ports translated between the points.
    NatMapping,
    /// Nothing matched: the captures do not share traffic.
    NoCommonTraffic,
}

impl CorrelationCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            CorrelationCode::SynReachedServerDropped => "SYN_REACHED_SERVER_DROPPED",
            CorrelationCode::SynLostBetweenCaptures => "SYN_LOST_BETWEEN_CAPTURES",
            CorrelationCode::AnswerLostBetweenCaptures => "ANSWER_LOST_BETWEEN_CAPTURES",
            CorrelationCode::SegmentsLostBetweenCaptures => "SEGMENTS_LOST_BETWEEN_CAPTURES",
            CorrelationCode::SegmentsMadeBetweenCaptures => "SEGMENTS_MADE_BETWEEN_CAPTURES",
            CorrelationCode::TsOptionStrippedOrInjected => "TS_OPTION_STRIPPED_OR_INJECTED",
            CorrelationCode::TcpHeaderRewritten => "TCP_HEADER_REWRITTEN",
            CorrelationCode::NatMapping => "NAT_MAPPING",
            CorrelationCode::NoCommonTraffic => "NO_COMMON_TRAFFIC",
        }
    }
}

/// A finding of the correlation, with its frames in each capture.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CorrelationFinding {
    pub code: CorrelationCode,
    pub severity: Severity,
    /// The capture whose segments the finding is about (`A`, `B`), or
    /// `None` when it is about the path between both.
    pub vantage: Option<Vantage>,
    pub summary: String,
    pub explanation: String,
    pub remedy: String,
    /// Frames as each capture numbers them: one entry per capture involved.
    pub frames: Vec<VantageFrames>,
    /// Attempts (`attempts[].index`) the finding is about.
    pub attempts: Vec<u64>,
}

/// Counts over the whole pair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CorrelationTotals {
    pub matched_pairs: u64,
    /// Connection attempts seen in both captures.
    pub attempts_in_both: u64,
    pub attempts_only_a: u64,
    pub attempts_only_b: u64,
    /// Per outcome, over all attempts (also those not listed).
    pub all_matched: u64,
    pub syns_reached_no_answer: u64,
    pub syns_never_reached: u64,
    pub answer_lost: u64,
    pub some_lost: u64,
    pub not_on_path: u64,
    /// Segments unmatched, on the other capture's path (lost between).
    pub lost_segments: u64,
    /// Segments seen only where their direction arrives: made between the
    /// points (a SYN proxy's or firewall's own segments).
    pub injected_segments: u64,
    /// Most segments held at once waiting for their copy (the time window's memory).
    pub peak_pending: u64,
    /// Attempts not listed in `attempts` (the cap) but counted here.
    pub attempts_not_listed: u64,
}

/// Everything the two captures say together.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CorrelationReport {
    pub schema_version: u32,
    /// The joint verdict, one line.
    pub verdict: String,
    pub vantages: Vec<VantageSummary>,
    pub clock: ClockOffset,
    /// `a_to_b`, then `b_to_a`, then `unknown` (direction of travel not known).
    pub paths: Vec<PathStats>,
    pub nat: NatSummary,
    pub rewrites: Vec<Rewrite>,
    pub findings: Vec<CorrelationFinding>,
    pub attempts: Vec<AttemptReport>,
    pub totals: CorrelationTotals,
}
