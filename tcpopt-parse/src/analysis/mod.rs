//! TCP timestamp analysis (RFC 7323, Linux PAWS, `tcp_tw_recycle`).
//!
//! Feed every decoded TCP [`Segment`](crate::Segment) in capture order to
//! [`Analyzer::push`], then [`Analyzer::finish`] returns a [`Report`].
//! Memory grows with the flows open at one time, the address pairs, the
//! clock lines and the findings, never with packets nor with the flows
//! that have closed (a busy server's million connections); caps are in
//! [`Config`] and the report's [`Limits`] says when one was hit.
//!
//! # Model
//! - **Flows** are bidirectional. The client is the SYN's sender. A flow
//!   first seen mid-stream is `mid_stream` and its client is guessed: a
//!   port below 1024 facing one at or above 1024 is the server, otherwise
//!   the higher port is the client (ephemeral ranges are high), on a tie
//!   the first sender. A SYN with a new ISN on a known 4-tuple starts a
//!   new flow (TIME_WAIT reuse); a SYN with the flow's ISN is a
//!   retransmission, even after the client's RST (the TS-02 dance).
//! - **TSvals** are compared only with serial arithmetic
//!   ([`serial`]: `(a − b) as i32`); capture times are integer ns.
//! - **RemTS** ([`remembered`]): per (client, server) address, updated
//!   like `tcp_remember_stamp()` from each client TS segment after the
//!   server's FIN came first, with the latest client segment carrying the
//!   flow's maximal TSval (= `remembered_from_frame` of the truth files).
//! - **Clock lines** ([`clock`]) per (client, server) address; the
//!   NAT rule: at least two *significant* lines (reused, and unlikely to
//!   be chance alignments of per-connection offsets given every TS
//!   connection of the capture), together carrying ≥ half of the TS
//!   connections, in use at the same time (connections of each start
//!   while the other is in use) ⇒ NAT (TS-06, with a confidence).
//!   Significant lines that only follow one another ⇒ `sequential_clocks`
//!   (one host whose clock restarted, slept or changed offset). No
//!   significant line (or few) ⇒ per-connection offsets, not NAT (the 2026
//!   kernels of the shared captures, FreeBSD, macOS). In between ⇒
//!   undetermined. A host with per-4-tuple offsets that pins several
//!   source ports looks like NAT: that cannot be told apart from TSvals.
//!
//! # Decisions beyond or against `spec/timestamps.md`
//! - TS-01 fires only on observed failure (no answer at all to any SYN of
//!   an attempt) plus the per-host prediction; prediction alone never.
//! - TS-02 is critical only when a rejected attempt never recovers (the
//!   spec's "≥ 3/min" contradicts timewait-reuse.pcapng's truth).
//! - TS-10 stays `warning` even when every attempt fails (the spec's
//!   "critical when every attempt fails" contradicts the truth of
//!   tw-recycle-drop.ctrb.pcap: the cause is not established).
//! - TS-03's threshold uses the clock line's rate, else the direction's
//!   own rate over ≥ 100 ms, else 1000 Hz.
//! - TS-05 checks TSecr against the serial range of the peer's TSvals
//!   (no per-packet set), with slack for lost packets.
//! - TS-06 frames are the first client TS frame of every flow on the
//!   lines (the truth asks for none; the report wants proof).
//!
//! # JSON (feature `serde`; the CLI's `--format json` and the browser)
//! [`Report`] and the types it holds are the contract: every field is
//! documented once, on its type. The JSON Schema
//! (`tcpopt-parse/schema/report.schema.json`) and the TypeScript
//! (`web/report.d.ts`) are generated from them (feature `schema`,
//! [`crate::schema`]) and checked by `tests/schema.rs`.

pub(crate) mod analyzer;
pub mod clock;
pub(crate) mod cluster;
pub mod config;
pub(crate) mod detectors;
pub mod finding;
mod finish;
pub(crate) mod flow;
pub(crate) mod offsets;
pub mod remembered;
pub mod report;
pub mod serial;
pub(crate) mod state;
pub(crate) mod tail;
#[cfg(feature = "std")]
pub(crate) mod worker;

pub use analyzer::{Analyzer, StateSize};
pub use config::Config;
pub use finding::{
    ClockClass, Code, Confidence, Evidence, Finding, LineSummary, Severity, TwRecycleEvidence,
};
pub use finish::{MAX_REPORT_LINES, SCHEMA_VERSION};
pub use report::{
    CaptureError, CaptureSummary, ClockLine, ClockPair, FlowReport, Handshake, HandshakeTotals,
    Limits, Report, Side, Stats, Totals, TsRange,
};

/// xorshift64*: reproducible random numbers for the tests, without a
/// dependency.
#[cfg(test)]
pub(crate) mod test_rng {
    pub(crate) struct Rng(pub u64);
    impl Rng {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }
}
