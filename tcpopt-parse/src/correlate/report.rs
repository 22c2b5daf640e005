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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Vantage {
    /// The first capture given.
    A,
    /// The second capture given.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Way {
    /// Seen at A first, then at B.
    AToB,
    /// Seen at B first, then at A.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VantageSummary {
    /// `A` or `B`.
    pub vantage: String,
    /// The capture's name (file name, as given).
    pub capture: String,
    /// The capture's file format: `pcap`, `pcap (nanosecond)`, `pcapng`,
    /// or `unknown` when not even the header was read.
    pub format: String,
    /// Packet records read.
    pub packets: u64,
    /// Of those, TCP segments (the ones matched against the other capture).
    pub tcp_segments: u64,
    /// Capture time of the first packet, in this capture's own clock
    /// (`seconds.fraction` since the Unix epoch; `None`: no packet).
    pub first_ts: Option<String>,
    /// Capture time of the last packet, as `first_ts`.
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
    /// True when the capture was read to its end (no `fault`).
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClockOffset {
    /// Best estimate, B − A, nanoseconds (`None`: nothing matched).
    pub offset_ns: Option<i64>,
    /// ± around the estimate within which the true offset lies (`None`: unbounded on one side).
    pub uncertainty_ns: Option<i64>,
    /// Lower bound of the offset, nanoseconds: the largest `tB − tA` of the
    /// pairs travelling B→A (`None`: none did).
    pub lower_ns: Option<i64>,
    /// Upper bound of the offset, nanoseconds: the smallest `tB − tA` of the
    /// pairs travelling A→B (`None`: none did).
    pub upper_ns: Option<i64>,
    /// Matched pairs the estimate rests on.
    pub pairs: u64,
    /// One line: the offset, its uncertainty and what it rests on.
    pub description: String,
}

/// What the path between the capture points does, per direction.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PathStats {
    /// `a_to_b`, `b_to_a` or `unknown`.
    pub way: Option<Way>,
    /// Segment pairs (seen at both points) travelling this way.
    pub matched: u64,
    /// TTL (hop limit) at the sending side minus at the receiving side: the
    /// routers between the points (smallest over the pairs; `None`: no pair).
    pub ttl_decrement_min: Option<i32>,
    /// The largest TTL decrement over the pairs (differs from the smallest
    /// when the path changed or a middlebox rewrote the TTL).
    pub ttl_decrement_max: Option<i32>,
    /// Smallest one-way delay, nanoseconds; only when both directions fix
    /// the clock offset (`None` otherwise).
    pub delay_min_ns: Option<i64>,
    /// Median one-way delay, nanoseconds; `None` as `delay_min_ns`.
    pub delay_median_ns: Option<i64>,
    /// Pairs with an IPv4 ID on both sides.
    pub ip_id_pairs: u64,
    /// Of those, how many arrived with the IPv4 ID unchanged (a NAT or
    /// scrubber that rewrites IDs lowers it).
    pub ip_id_kept: u64,
}

/// One NAT mapping: a connection's endpoints as each capture saw them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NatMapping {
    /// The connection's client (SYN sender) as A saw it (`addr:port`).
    pub client_a: String,
    /// The client as B saw it (`addr:port`).
    pub client_b: String,
    /// The server (SYN receiver) as A saw it (`addr:port`).
    pub server_a: String,
    /// The server as B saw it (`addr:port`).
    pub server_b: String,
    /// Which of the four the path changed: `client address`, `client port`, ...
    pub rewritten: Vec<String>,
    /// Connection attempts with this mapping.
    pub connections: u64,
    /// First frame of the first such connection in A.
    pub first_frame_a: u64,
    /// First frame of the first such connection in B.
    pub first_frame_b: u64,
}

/// Every mapping seen (capped), and what they say together.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NatSummary {
    /// The mappings seen, in order of first appearance (capped; see
    /// `connections_not_listed`).
    pub mappings: Vec<NatMapping>,
    /// Connections whose mapping is not listed (the list's cap).
    pub connections_not_listed: u64,
    /// Connections whose addresses or ports differ between the captures.
    pub translated_connections: u64,
    /// Of those, how many kept the client's source port.
    pub ports_kept: u64,
    /// `Some(true)` when every translated connection kept its source port.
    pub keeps_ports: Option<bool>,
    /// One line: what the mappings say together (no translation, NAT, PAT).
    pub description: String,
}

/// What the path changed in a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum RewriteKind {
    /// The timestamps option was removed on the way.
    TimestampsRemoved,
    /// A timestamps option was added on the way.
    TimestampsAdded,
    /// TSval changed by a constant per connection (pf `modulate`, SYNPROXY).
    TsvalShifted,
    /// TSecr changed by a constant per connection (the other half of it).
    TsecrShifted,
    /// The MSS option's value changed (MSS clamping).
    MssChanged,
    /// The MSS option was removed.
    MssRemoved,
    /// An MSS option was added.
    MssAdded,
    /// The window scale option's shift count changed.
    WindowScaleChanged,
    /// The window scale option was removed.
    WindowScaleRemoved,
    /// A window scale option was added.
    WindowScaleAdded,
    /// The SACK-permitted option was removed.
    SackPermittedRemoved,
    /// A SACK-permitted option was added.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Rewrite {
    /// What was changed.
    pub kind: RewriteKind,
    /// The direction of travel it was changed in.
    pub way: Way,
    /// Value before the rewrite, where it is one value (MSS 1460 → 1200:
    /// `1460`; `None`: several values or none).
    pub before: Option<String>,
    /// Value after the rewrite, as `before`.
    pub after: Option<String>,
    /// Segments rewritten this way.
    pub segments: u64,
    /// Connection attempts with at least one segment rewritten this way.
    pub connections: u64,
    /// For the shifts: after minus before, signed (serial arithmetic), the
    /// first 16 distinct values (a SYN proxy's constant per connection, and
    /// for TSecr A→B also what its own handshake ACK carries).
    pub shifts: Vec<i64>,
    /// One line, e.g. "MSS clamped 1460 → 1200 on the way A→B (2 SYNs)".
    pub description: String,
    /// The rewritten segments' frames, one entry per capture.
    pub frames: Vec<VantageFrames>,
}

/// What happened to one connection attempt between the two points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LadderRow {
    /// The segment's frame number in A (`None`: not seen there).
    pub frame_a: Option<u64>,
    /// The segment's frame number in B (`None`: not seen there).
    pub frame_b: Option<u64>,
    /// Capture time in A's own clock (`seconds.nanoseconds`).
    pub time_a: Option<String>,
    /// Capture time in B's own clock (`seconds.nanoseconds`).
    pub time_b: Option<String>,
    /// Nanoseconds since the attempt's first segment in A.
    pub t_a: Option<i64>,
    /// Nanoseconds since the attempt's first segment in B.
    pub t_b: Option<i64>,
    /// True when the client (SYN sender) sent it.
    pub from_client: bool,
    /// tcpdump-style flags, `S`, `S.`, `.`, `P.`, `F.`, `R`.
    pub flags: String,
    /// Sequence number (raw, not relative), as A saw it when seen there,
    /// else as B saw it.
    pub seq: u32,
    /// Acknowledgement number (raw), from the same capture as `seq`.
    pub ack: u32,
    /// TCP payload length, bytes.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AttemptReport {
    /// Stable id, in the order attempts were created (not contiguous: a
    /// paired attempt takes the first of its two flows' numbers).
    pub index: u64,
    /// What happened to the attempt between the two points.
    pub outcome: Outcome,
    /// The client (SYN sender) as A saw it, `addr:port` (`None`: not seen there).
    pub client_a: Option<String>,
    /// The server as A saw it, `addr:port` (`None`: not seen there).
    pub server_a: Option<String>,
    /// The client as B saw it, `addr:port` (`None`: not seen there).
    pub client_b: Option<String>,
    /// The server as B saw it, `addr:port` (`None`: not seen there).
    pub server_b: Option<String>,
    /// The capture nearer the client (`None`: not known).
    pub client_side: Option<Vantage>,
    /// The client's initial sequence number, which identifies the attempt
    /// (`None`: its SYN was not seen).
    pub isn: Option<u32>,
    /// SYNs of the attempt in A (retransmissions included).
    pub syns_a: u64,
    /// SYNs of the attempt in B.
    pub syns_b: u64,
    /// SYN-ACKs of the attempt in A.
    pub synacks_a: u64,
    /// SYN-ACKs of the attempt in B.
    pub synacks_b: u64,
    /// Segments of the attempt (both directions) in A.
    pub segments_a: u64,
    /// Segments of the attempt (both directions) in B.
    pub segments_b: u64,
    /// Segments seen at both points.
    pub matched: u64,
    /// Segments lost between the points (unmatched, the other capture on their path).
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CorrelationFinding {
    /// What was found.
    pub code: CorrelationCode,
    /// How bad it is.
    pub severity: Severity,
    /// The capture whose segments the finding is about (`A`, `B`), or
    /// `None` when it is about the path between both.
    pub vantage: Option<Vantage>,
    /// One line: what happened, with the connections and counts.
    pub summary: String,
    /// Why it happens and how the two captures show it.
    pub explanation: String,
    /// What to do about it.
    pub remedy: String,
    /// Frames as each capture numbers them: one entry per capture involved.
    pub frames: Vec<VantageFrames>,
    /// Attempts (`attempts[].index`) the finding is about.
    pub attempts: Vec<u64>,
}

/// Counts over the whole pair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CorrelationTotals {
    /// Segments matched to their copy in the other capture (pairs).
    pub matched_pairs: u64,
    /// Connection attempts seen in both captures.
    pub attempts_in_both: u64,
    /// Connection attempts seen in A only.
    pub attempts_only_a: u64,
    /// Connection attempts seen in B only.
    pub attempts_only_b: u64,
    /// Attempts whose outcome is `all_matched`, over all attempts (also
    /// those not listed); the next five fields likewise per outcome.
    pub all_matched: u64,
    /// Attempts whose outcome is `syns_reached_no_answer`.
    pub syns_reached_no_answer: u64,
    /// Attempts whose outcome is `syns_never_reached`.
    pub syns_never_reached: u64,
    /// Attempts whose outcome is `answer_lost`.
    pub answer_lost: u64,
    /// Attempts whose outcome is `some_lost`.
    pub some_lost: u64,
    /// Attempts whose outcome is `not_on_path`.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CorrelationReport {
    /// The correlation report's schema version (see
    /// [`CORRELATION_SCHEMA_VERSION`]): changes when a field changes
    /// meaning or disappears.
    pub schema_version: u32,
    /// The joint verdict, one line: the most severe warning or critical
    /// finding's summary; otherwise "All N connection attempts seen in both
    /// captures matched, nothing lost between them" (followed by "; note: "
    /// and the first info finding's summary when there is one), or "No
    /// connection is in both captures".
    pub verdict: String,
    /// The two captures, A then B.
    pub vantages: Vec<VantageSummary>,
    /// The offset between the two capture clocks.
    pub clock: ClockOffset,
    /// Per direction of travel with matched segments: `a_to_b`, then
    /// `b_to_a`, then `unknown` (direction of travel not known).
    pub paths: Vec<PathStats>,
    /// The address and port translation between the points.
    pub nat: NatSummary,
    /// What the path changed in the segments, per kind and direction.
    pub rewrites: Vec<Rewrite>,
    /// The findings, most severe first.
    pub findings: Vec<CorrelationFinding>,
    /// The first connection attempts (capped; see `totals.attempts_not_listed`).
    pub attempts: Vec<AttemptReport>,
    /// Counts over the whole pair, also of what is not listed.
    pub totals: CorrelationTotals,
}
