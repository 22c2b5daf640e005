//! Caps and thresholds of the analyzer.

/// Analyzer configuration. Every cap is reported in [`super::Limits`] with
/// whether it was hit; hitting one never panics, it only loses detail.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Flows (connection attempts) open at one time; while that many are
    /// open, segments of further new flows are counted
    /// (`limits.segments_untracked`) but not analysed. Retired flows do
    /// not count.
    pub max_flows: usize,
    /// Frame numbers kept per finding (the finding says how many it had).
    pub max_evidence_frames: usize,
    /// Findings kept per code (grouped by client/server pair already).
    pub max_findings_per_code: usize,
    /// How long a SYN may wait for an answer before it counts as
    /// unanswered when it was not retransmitted (spec TS-01/TS-10: 3 s).
    pub syn_answer_timeout_ns: i64,
    /// An established flow (handshake seen, or first seen mid-stream) that
    /// sent nothing for this long is retired; a later segment on its
    /// 4-tuple starts a new, mid-stream flow. 2 h: Linux's default
    /// `tcp_keepalive_time`, so a connection kept alive is never cut.
    pub idle_timeout_ns: i64,
    /// The same for a flow still in its handshake, or closing (one FIN),
    /// or reset: 130 s covers Linux's SYN retries (1+2+...+64 s = 127 s)
    /// and a FIN_WAIT2/TIME_WAIT of 60 s. An attempt that nothing answered
    /// waits at most this, and only twice its retransmission time so far
    /// (at least `syn_answer_timeout_ns`) plus 1 s: a doubling backoff's
    /// next SYN comes before that.
    pub closing_idle_timeout_ns: i64,
    /// A flow closed both ways (or reset after its handshake) is retired
    /// once quiet this long (250 ms: Linux's minimum RTO is 200 ms, so the
    /// last ACK and a first retransmission still count); later segments on its 4-tuple are counted as
    /// late (`totals.late_segments`), or start a new flow with a SYN.
    pub closed_grace_ns: i64,
    /// Queue each retired flow's [`super::FlowReport`] for
    /// [`super::Analyzer::drain_retired`] (the complete flow list, as a
    /// stream). Off by default: the report lists only flows findings name.
    pub stream_flows: bool,
    /// Cluster the retired flows' clock records into clock lines on a
    /// second thread (`std` only; without it, or when no thread can be
    /// started, inline). The report is the same either way; on a busy
    /// server the clustering is about half of the work, and the reading
    /// goes on meanwhile. Off by default: an embedder decides about
    /// threads.
    pub worker_thread: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_flows: 1_000_000,
            max_evidence_frames: 256,
            max_findings_per_code: 64,
            syn_answer_timeout_ns: 3_000_000_000,
            idle_timeout_ns: 7_200_000_000_000,
            closing_idle_timeout_ns: 130_000_000_000,
            closed_grace_ns: 250_000_000,
            stream_flows: false,
            worker_thread: false,
        }
    }
}

/// `TCP_PAWS_MSL`: how long the per-host stamp stays authoritative (s).
pub const PAWS_MSL_NS: i64 = 60_000_000_000;
/// `TCP_PAWS_WINDOW`: a SYN up to this many ticks older still passes.
pub const PAWS_WINDOW: i32 = 1;
/// The rates a TSval clock is snapped to when within 2 %.
pub const SNAP_RATES: [f64; 6] = [1000.0, 100.0, 250.0, 300.0, 10.0, 1_000_000.0];
/// Minimum span of data for a rate estimate (spec §3f: 2 s).
pub const RATE_MIN_SPAN_NS: i64 = 2_000_000_000;
/// Minimum span of data for a skew estimate (spec §3f: 10 min).
pub const SKEW_MIN_SPAN_NS: i64 = 600_000_000_000;
