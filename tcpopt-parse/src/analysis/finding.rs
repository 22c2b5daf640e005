//! One finding: a detector's verdict with its proof.

use alloc::string::String;
use alloc::vec::Vec;

/// The detector codes of `spec/timestamps.md` §4 (serialised verbatim).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "SCREAMING_SNAKE_CASE")
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Code {
    /// TS-01.
    TwRecyclePerHostPawsDrop,
    /// TS-02.
    TimewaitSynRejectedOldTsval,
    /// TS-03.
    InflowTsvalRegression,
    /// TS-04.
    TsOptionStrippedOrInjected,
    /// TS-04's informational sibling: SYN with TS, SYN-ACK without.
    TsNotNegotiated,
    /// TS-05.
    TsecrMismatch,
    /// TS-06.
    MultipleTsClocksBehindIp,
    /// TS-07.
    TsvalWrap,
    /// TS-08.
    TsClockRateAnomaly,
    /// TS-09.
    SyntheticTsvalProbe,
    /// TS-10.
    SynUnanswered,
    /// A SYN on a 4-tuple whose connection is still open, answered by a
    /// (challenge) ACK: two clients share one 4-tuple (lab `collision`).
    FourtupleCollision,
    /// TS-08's known mode: a 1 MHz TSval clock, Linux `tcp_usec_ts`
    /// (Linux >= 6.7, per route): context, not an anomaly (lab `usec-ts`).
    TsClockUsec,
    /// A Linux server answering with SYN cookies where it costs the client
    /// window scaling and SACK (it sent no timestamps): info (lab
    /// `syncookies`).
    SynCookies,
}

impl Code {
    /// The code as written in the spec and the JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::TwRecyclePerHostPawsDrop => "TW_RECYCLE_PER_HOST_PAWS_DROP",
            Code::TimewaitSynRejectedOldTsval => "TIMEWAIT_SYN_REJECTED_OLD_TSVAL",
            Code::InflowTsvalRegression => "INFLOW_TSVAL_REGRESSION",
            Code::TsOptionStrippedOrInjected => "TS_OPTION_STRIPPED_OR_INJECTED",
            Code::TsNotNegotiated => "TS_NOT_NEGOTIATED",
            Code::TsecrMismatch => "TSECR_MISMATCH",
            Code::MultipleTsClocksBehindIp => "MULTIPLE_TS_CLOCKS_BEHIND_IP",
            Code::TsvalWrap => "TSVAL_WRAP",
            Code::TsClockRateAnomaly => "TS_CLOCK_RATE_ANOMALY",
            Code::SyntheticTsvalProbe => "SYNTHETIC_TSVAL_PROBE",
            Code::SynUnanswered => "SYN_UNANSWERED",
            Code::FourtupleCollision => "FOURTUPLE_COLLISION",
            Code::TsClockUsec => "TS_CLOCK_USEC",
            Code::SynCookies => "SYN_COOKIES",
        }
    }
}

/// crit = connections fail; warn = degraded or at risk; info = context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// How sure TS-01 is (spec: high with ≥ 2 dropped SYNs plus TS-06).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Confidence {
    High,
    Medium,
}

/// How the TS clocks behind one client address are explained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ClockClass {
    /// No TSvals from this client to this server.
    NoTimestamps,
    /// One clock line.
    OneClock,
    /// Several lines, each reused by several connections: NAT. Same rate
    /// and |Δskew| < 2 ppm: one machine (host and containers/netns).
    NatSameHost,
    /// Several reused lines whose rate or skew differ: different machines.
    NatDifferentMachines,
    /// Several reused lines; skew not measurable (data spans < 10 min).
    Nat,
    /// (Nearly) one line per connection: per-connection TSval offsets
    /// (Linux 4.10, Linux with 165573e41f2f, FreeBSD, macOS), not NAT.
    PerConnectionOffsets,
    /// Several lines, too few of them reused to tell NAT from
    /// per-connection offsets.
    Undetermined,
    /// Several reused lines that follow one another in time and never
    /// overlap: one host whose clock restarted, slept or changed offset.
    /// NAT needs connections on different lines at the same time.
    SequentialClocks,
}

impl ClockClass {
    pub const fn is_nat(self) -> bool {
        matches!(
            self,
            ClockClass::NatSameHost | ClockClass::NatDifferentMachines | ClockClass::Nat
        )
    }
    pub const fn describe(self) -> &'static str {
        match self {
            ClockClass::NoTimestamps => "no timestamps",
            ClockClass::OneClock => "one clock",
            ClockClass::NatSameHost => {
                "several clocks behind one address with the same rate and skew: one machine's host and containers/network namespaces behind NAT"
            }
            ClockClass::NatDifferentMachines => "several clocks with different rate or skew: different machines behind NAT",
            ClockClass::Nat => {
                "several clocks behind one address, each reused across connections: several hosts or network namespaces behind NAT (skew not measurable: less than 10 min of data)"
            }
            ClockClass::PerConnectionOffsets => {
                "a new clock for nearly every connection: per-connection TSval offsets (Linux 4.10 or with 165573e41f2f, FreeBSD, macOS), not NAT"
            }
            ClockClass::Undetermined => {
                "several clocks but too few connections per clock to tell NAT from per-connection offsets"
            }
            ClockClass::SequentialClocks => {
                "several clock lines that follow one another in time and never overlap: one host whose clock restarted, slept or changed offset, not NAT (NAT shows connections on different lines at the same time)"
            }
        }
    }
}

/// Typed evidence, one shape per code (serialised as a plain object; the
/// finding's `code` says which shape it is).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(untagged))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Evidence {
    TwRecycle(TwRecycleEvidence),
    SynUnanswered(SynUnansweredEvidence),
    TimeWait(TimeWaitEvidence),
    Regression(RegressionEvidence),
    Options(OptionsEvidence),
    NotNegotiated(NotNegotiatedEvidence),
    Tsecr(TsecrEvidence),
    Clocks(ClocksEvidence),
    Wrap(WrapEvidence),
    Rate(RateEvidence),
    Probe(ProbeEvidence),
    Collision(CollisionEvidence),
    SynCookies(SynCookiesEvidence),
}

/// `SYN_COOKIES`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SynCookiesEvidence {
    /// The server port.
    pub server_port: u16,
    /// Connections whose SYN had no timestamps and offered window scale or
    /// SACK-permitted, and whose SYN-ACK (never retransmitted) carried only
    /// MSS.
    pub connections: u32,
    /// Of those, connections whose SYN offered window scaling (lost).
    pub window_scale_lost: u32,
    /// Of those, connections whose SYN offered SACK-permitted (lost).
    pub sack_lost: u32,
    /// The MSS the first such SYN offered.
    pub client_mss: Option<u16>,
    /// The MSS a Linux cookie keeps for it: the largest value of the cookie
    /// table not above it (IPv4 536, 1300, 1440, 1460; IPv6 1220, 1420,
    /// 1440, 8940).
    pub cookie_mss: Option<u16>,
    /// SYN-ACKs from the same server port that did carry window scale or
    /// SACK-permitted (the server supports them).
    pub synacks_with_options: u32,
}

/// `FOURTUPLE_COLLISION`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CollisionEvidence {
    /// New SYNs (not retransmissions) that met an open connection.
    pub syns_on_open_connections: u32,
    /// Those SYNs with their retransmissions: the server's TCPSYNChallenge
    /// counts each one it answered.
    pub syn_segments: u32,
    /// Of those attempts, attempts that still got a SYN-ACK (the client reset the
    /// old connection and retried).
    pub recovered: u32,
    /// The client port of the 4-tuple.
    pub client_port: u16,
    /// The server port of the 4-tuple.
    pub server_port: u16,
    /// The first one's challenge ACK: its `ack` is the open connection's.
    pub challenge_ack_frame: u64,
    /// Time since the open connection's last segment at the first one (s).
    pub seconds_since_open_connection_seen: f64,
}

/// TS-01.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TwRecycleEvidence {
    /// TSval of the first dropped SYN (None: it carried no timestamp).
    pub syn_tsval: Option<u32>,
    /// The per-host stamp it was compared with.
    pub remembered_tsval: u32,
    /// Age of that stamp when the first dropped SYN arrived (s).
    pub remembered_age_s: f64,
    /// The client segment whose TSval the server remembered.
    pub remembered_frame: u64,
    /// `(s32)(remembered - syn_tsval)` for the first dropped SYN.
    pub tsval_behind_by: Option<i64>,
    /// The server port of the dropped SYNs.
    pub server_port: u16,
    /// SYNs (with retransmissions) that got no answer and that the per-host
    /// rule predicts to be dropped.
    pub dropped_syns: u32,
    /// Of those, SYNs without a timestamp (a26552afe894).
    pub dropped_syns_without_ts: u32,
    /// Connection attempts that never got a SYN-ACK.
    pub failed_connections: u32,
    /// Connections from any client to the same server port that got a SYN-ACK.
    pub served_connections: u32,
    /// TS clock lines seen from this client address.
    pub client_clock_lines: u32,
    /// `high` with at least 2 dropped SYNs and several clock lines behind the
    /// address, else `medium`.
    pub confidence: Confidence,
}

/// TS-10.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SynUnansweredEvidence {
    /// The server port.
    pub server_port: u16,
    /// Connection attempts that never got an answer.
    pub failed_connections: u32,
    /// SYNs of those attempts, retransmissions included.
    pub syns: u32,
    /// Of those, retransmissions.
    pub retransmissions: u32,
    /// Of those, SYNs with a timestamps option.
    pub syns_with_ts: u32,
    /// Longest time from a first SYN to its last retransmission or the end
    /// of the capture (s).
    pub waited_s: f64,
    /// Connections to this server port that did get a SYN-ACK.
    pub served_connections: u32,
    /// Whether the capture shows the per-host state (a flow the server
    /// closed first from this client within 60 s before a failed SYN).
    pub per_host_state_visible: bool,
}

/// TS-02.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TimeWaitEvidence {
    /// SYNs the server answered with a bare ACK instead of a SYN-ACK (TIME_WAIT
    /// kept the old connection: PAWSTimewait).
    pub rejections: u32,
    /// Rejected attempts that later got a SYN-ACK (client RST + retry).
    pub recovered: u32,
    /// TSval of the first rejected SYN.
    pub syn_tsval: Option<u32>,
    /// The previous connection's last client TSval on the 4-tuple.
    pub previous_last_tsval: Option<u32>,
    /// `(s32)(previous_last_tsval - syn_tsval)`.
    pub tsval_behind_by: Option<i64>,
    /// The server's ACK echoed the previous connection's last TSval.
    pub tsecr_equals_previous: bool,
    /// The client answered the bare ACK with a RST.
    pub client_rst: bool,
    /// Time since the previous connection's close (s).
    pub seconds_since_previous_close: f64,
    /// First SYN to SYN-ACK of the first recovered attempt (ms).
    pub retry_delay_ms: Option<f64>,
    /// The client port of the reused 4-tuple.
    pub client_port: u16,
    /// The server port of the reused 4-tuple.
    pub server_port: u16,
}

/// TS-03.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RegressionEvidence {
    /// Segments whose TSval went backwards by more than the threshold.
    pub regressions: u32,
    /// The largest step backwards (ticks).
    pub max_regression_ticks: i64,
    /// Steps back up to this many ticks count as reordering (from the clock
    /// rate).
    pub threshold_ticks: i64,
    /// The clock rate the threshold was computed from (Hz).
    pub rate_hz: f64,
    /// `client_to_server` or `server_to_client` of the worst one.
    pub direction: &'static str,
    /// Duplicate ACKs seen after the regression (PAWS discarding the segments).
    pub duplicate_acks_after: u32,
    /// Flows with a regression.
    pub flows_affected: u32,
    /// Of those, flows whose peer acknowledged no new data after the last
    /// regression (the connection stalled; with at least 3 duplicate ACKs
    /// this makes the finding critical). 0: every connection progressed.
    pub stalled_flows: u32,
}

/// TS-04.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OptionsEvidence {
    /// SYN-ACKs with timestamps answering a SYN without them (injected).
    pub synack_ts_without_syn_ts: u32,
    /// Segments without timestamps after both sides negotiated them (stripped).
    pub missing_after_negotiation: u32,
    /// Runs of 10 or more NOPs (an option overwritten by a middlebox).
    pub nop_runs_of_10_or_more: u32,
    /// Timestamps options with a wrong length.
    pub malformed_ts_options: u32,
    /// Flows with any of these.
    pub flows_affected: u32,
}

/// TS_NOT_NEGOTIATED.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotNegotiatedEvidence {
    /// Connections whose SYN had timestamps and whose SYN-ACK had none.
    pub connections: u32,
    /// The server port.
    pub server_port: u16,
}

/// TS-05.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TsecrEvidence {
    /// Segments whose TSecr echoed no TSval the peer sent.
    pub mismatches: u32,
    /// Segments with ACK set and TSecr 0.
    pub zero_tsecr_with_ack: u32,
    /// One such TSecr.
    pub example_tsecr: u32,
    /// The peer's lowest TSval at that point.
    pub peer_tsval_min: u32,
    /// The peer's highest TSval at that point.
    pub peer_tsval_max: u32,
    /// Every mismatch had the same `TSecr - peer's last TSval`: TS modulation.
    pub constant_difference: Option<i64>,
    /// SYN-ACKs whose TSecr is outside the SYN's TSvals.
    pub synack_outside_syn_range: u32,
    /// Flows with a mismatch.
    pub flows_affected: u32,
}

/// One clock line, as summarised in TS-06's evidence and in the report.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LineSummary {
    /// Connections on this line.
    pub connections: u32,
    /// The line's first frame.
    pub first_frame: u64,
    /// The line's clock rate (Hz), when measurable.
    pub rate_hz: Option<f64>,
    /// The line's TSval at the capture's time origin, when measurable.
    pub offset: Option<u32>,
}

/// TS-06.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClocksEvidence {
    /// How the clocks are explained.
    pub classification: ClockClass,
    /// The clock lines behind the address.
    pub lines: Vec<LineSummary>,
    /// Connections with client TSvals.
    pub connections_with_ts: u32,
    /// Connections without client TSvals.
    pub connections_without_ts: u32,
    /// The largest skew difference between lines (ppm), with at least 10 min of
    /// data.
    pub skew_difference_ppm: Option<f64>,
    /// How sure the NAT verdict is: `high` when at least two pairs of
    /// reused lines interleave at least twice each way, else `medium`.
    pub confidence: Confidence,
    /// Connections on one line that started while another line was in use
    /// (the positive evidence of NAT).
    pub interleaved_connections: u32,
}

/// TS-07.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WrapEvidence {
    /// TSval wraps past 2^32 seen.
    pub wraps: u32,
    /// The TSval before the first wrap.
    pub before: u32,
    /// The TSval after the first wrap.
    pub after: u32,
    /// Flows idle longer than the PAWS horizon of their clock (24 days at 1
    /// kHz).
    pub long_idle_flows: u32,
    /// The longest such idle time (s).
    pub max_idle_s: f64,
    /// The clock rate (Hz), when measured.
    pub rate_hz: Option<f64>,
}

/// TS-08.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RateEvidence {
    /// The measured rate (Hz).
    pub rate_hz: f64,
    /// `outside_rfc7323`, `rate_change` or `capture_times_rewritten` (TS-08),
    /// `usec_clock` (`TS_CLOCK_USEC`).
    pub kind: &'static str,
    /// For `rate_change`: the other rate (Hz).
    pub other_rate_hz: Option<f64>,
}

/// TS-09.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProbeEvidence {
    /// Probe SYNs seen.
    pub syns: u32,
    /// `nmap`, `traceroute` or `zero_tsval`.
    pub kind: &'static str,
}

/// A finding, grouped per (client address, server address).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Finding {
    /// Which detector found it (`spec/timestamps.md` §4).
    pub code: Code,
    /// How bad it is.
    pub severity: Severity,
    /// One line with the numbers that matter.
    pub summary: String,
    /// What happened and why, for a ticket.
    pub explanation: String,
    /// What to change, with the exact setting.
    pub remedy: String,
    /// Wireshark frame numbers proving it, sorted, deduplicated, capped at
    /// `Config::max_evidence_frames`.
    pub frames: Vec<u64>,
    /// How many frames the finding had before the cap (counting frames a
    /// per-flow cap did not keep, e.g. SYNs past the 8th, and the SYNs of
    /// the connection attempts a SYN finding counts but does not list).
    pub frames_total: u64,
    /// Frames the detectors counted but per-flow caps did not keep (in
    /// `frames_total`; not serialised).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub frames_beyond_caps: u64,
    /// Flow ids (`FlowReport::index`), sorted, at most
    /// `limits.max_evidence_frames`; the report's `flows` lists them.
    pub flows: Vec<usize>,
    /// How many flows the finding had before the cap.
    pub flows_total: u64,
    /// Flows counted but not listed: past a clock line's first
    /// connections, or past the first 32 unanswered attempts per client,
    /// server and port that TS-01 and TS-10 list (in `flows_total`; not
    /// serialised).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub flows_beyond_caps: u64,
    /// The client address the finding is about, when it is about one.
    pub client: Option<String>,
    /// The server address the finding is about, when it is about one.
    pub server: Option<String>,
    /// The numbers behind the finding; the shape follows `code`.
    pub evidence: Evidence,
}
