//! Caps and thresholds of the analyzer.

/// Analyzer configuration. Every cap is reported in [`super::Limits`] with
/// whether it was hit; hitting one never panics, it only loses detail.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Flows (connection attempts) tracked; segments of further new flows
    /// are counted but not analysed.
    pub max_flows: usize,
    /// Frame numbers kept per finding (the finding says how many it had).
    pub max_evidence_frames: usize,
    /// Findings kept per code (grouped by client/server pair already).
    pub max_findings_per_code: usize,
    /// How long a SYN may wait for an answer before it counts as
    /// unanswered when it was not retransmitted (spec TS-01/TS-10: 3 s).
    pub syn_answer_timeout_ns: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_flows: 1_000_000,
            max_evidence_frames: 256,
            max_findings_per_code: 64,
            syn_answer_timeout_ns: 3_000_000_000,
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
