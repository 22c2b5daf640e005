//! Two vantage points: the same traffic captured at two places (inside a
//! container and at the server, before and after a NAT), segment by
//! segment — what left one point and arrived at the other, what was lost
//! between them and in which direction, the NAT mapping, and what the path
//! rewrote (TCP options, timestamps, sequence numbers, window).
//!
//! Feed both captures' bytes to [`CaptureCorrelation`], reading next from
//! the capture that [`CaptureCorrelation::wants`] names, so that both
//! advance together in time; [`CaptureCorrelation::finish`] returns the
//! [`CorrelationReport`]. Both captures are read once, through the same
//! [`Feeder`] and dissection as the analysis.
//!
//! # Model
//! - **Matching** (see `engine`): by sequence and acknowledgement number,
//!   SYN/FIN/RST/ACK and payload length, which NAT does not change; TSval
//!   (after the connection's learnt shift), IPv4 ID and time choose among
//!   retransmitted copies, so each copy matches its own copy. Addresses and
//!   ports are not part of the key: the first matched pair of two
//!   connections pairs them (the NAT mapping), and a paired connection only
//!   matches its peer. A SYN-ACK that matches only after a constant shift
//!   of the server's sequence numbers (a SYN proxy) teaches that shift.
//! - **Clock offset**: estimated first from keys unique in both captures'
//!   first [`Config::boot_span_ns`] (the median of tB − tA) to merge the two
//!   streams; reported from all matched pairs as an interval: a segment
//!   travelling A→B bounds the offset from above, one travelling B→A from
//!   below (see [`ClockOffset`]).
//! - **Direction of travel** of a pair: the TTL is lower where the segment
//!   arrives (each router decrements it); same TTL: what the connection's
//!   other pairs said, else unknown.
//! - **Lost** means unmatched while the other capture was running, in a
//!   connection the other capture saw, or — for a connection the other
//!   capture never saw — SYNs without any answer to a server the other
//!   capture did see, from a capture not on the server's host. Everything
//!   else unmatched is another path's traffic ("not on path"), never loss.
//! - **Where a SYN died**: an attempt whose SYNs crossed both points and
//!   got no SYN-ACK past the far one was dropped there or beyond it (at the
//!   server, when the far capture runs on the server's host: it sends with
//!   an initial TTL); SYNs that never reached the far point were dropped
//!   between (firewall, routing), not by the server.
//!
//! # Bounds
//! A segment waits at most [`Config::window_ns`] for its copy; an attempt
//! is retired after [`Config::idle_ns`] without segments; the report lists
//! the first [`Config::max_attempts_listed`] attempts with a ladder of at
//! most [`Config::max_ladder`] segments each, and counts the rest. The
//! reader must follow [`CaptureCorrelation::wants`]: reading one capture
//! to its end first holds all of it in memory.
//!
//! # JSON (feature `serde`; `tcpopt correlate --format json` and the page)
//! Every field is documented on its type in [`report`]; with feature
//! `schema` they generate `tcpopt-parse/schema/correlation.schema.json`
//! and the `CorrelationReport` declarations in `web/report.d.ts`.
//!
//! | field | meaning |
//! |---|---|
//! | `schema_version` | 1 ([`CORRELATION_SCHEMA_VERSION`]) |
//! | `verdict` | the most severe (warning/critical) finding's summary, else "All N connection attempts seen in both captures matched…" |
//! | `vantages[]` | A then B: `capture`, `format`, `packets`, `tcp_segments`, `matched`, `unmatched_on_path` (lost), `made_between`, `unmatched_elsewhere` (other traffic), `fault`, `complete` |
//! | `clock` | [`ClockOffset`]: `offset_ns` (B − A), `uncertainty_ns`, `lower_ns`, `upper_ns`, `pairs`, `description` |
//! | `paths[]` | per `way` (`a_to_b`, `b_to_a`, `unknown`): `matched`, `ttl_decrement_min/max`, `delay_min_ns`, `delay_median_ns` (both directions only), `ip_id_pairs`, `ip_id_kept` |
//! | `nat` | `mappings[]` {`client_a`, `client_b`, `server_a`, `server_b`, `rewritten[]`, `connections`, `first_frame_a/b`}, `translated_connections`, `ports_kept`, `keeps_ports`, `description` |
//! | `rewrites[]` | `kind` ([`RewriteKind`]), `way`, `before`, `after`, `segments`, `connections`, `shifts[]` (after − before), `description`, `frames[]` |
//! | `findings[]` | `code` ([`CorrelationCode`]), `severity`, `vantage`, `summary`, `explanation`, `remedy`, `frames[]` {`vantage`, `capture`, `frames`, `frames_total`}, `attempts[]` |
//! | `attempts[]` | the first [`Config::max_attempts_listed`]: `index`, `outcome` ([`Outcome`]), `client_a/b`, `server_a/b`, `client_side`, `isn`, `syns_a/b`, `synacks_a/b`, `segments_a/b`, `matched`, `lost`, `description`, `ladder[]` {`frame_a`, `frame_b`, `time_a/b` (text), `t_a/b` (ns since the attempt's first segment there), `from_client`, `flags`, `seq`, `ack`, `len`, `lost`, `injected`}, `ladder_cut` |
//! | `totals` | attempts in both / only A / only B, per outcome, `matched_pairs`, `lost_segments`, `injected_segments`, `peak_pending`, `attempts_not_listed` |
//!
//! # Limits
//! - A middlebox that terminates TCP (a splicing proxy) leaves nothing to
//!   match; pf `modulate state` on the client's sequence numbers too.
//! - Clock offsets larger than the captures' first span with nothing in
//!   common there are not found (the merge then assumes the captures
//!   started together).

mod engine;
mod flow;
pub mod observe;
pub mod report;
mod rewrite;
mod stats;
mod summary;

use alloc::format;
use alloc::string::{String, ToString};

pub use engine::Correlator;
pub use observe::Observed;
pub use report::*;
pub use summary::Summary;

use crate::capture::{Event, Format};
use crate::pipeline::{Feeder, ReadFault};
use crate::timestamp::Timestamp;

/// Knobs and caps of the correlation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// How long a segment waits for its copy (A's clock), and how far apart
    /// two copies may be: the one-way delay plus the error of the clock
    /// offset estimate.
    pub window_ns: i64,
    /// Span of each capture's own clock read before the clock offset is
    /// estimated.
    pub boot_span_ns: i64,
    /// ... or this many segments, whichever comes first.
    pub boot_max_segments: usize,
    /// An attempt without segments for this long is over.
    pub idle_ns: i64,
    pub max_attempts_listed: usize,
    pub max_ladder: usize,
    /// Frames per finding and per capture.
    pub max_frames: usize,
    pub max_mappings: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            window_ns: 10_000_000_000,
            boot_span_ns: 30_000_000_000,
            boot_max_segments: 20_000,
            idle_ns: 300_000_000_000,
            max_attempts_listed: 200,
            max_ladder: 64,
            max_frames: 64,
            max_mappings: 256,
        }
    }
}

/// One capture's counts, kept as its packets go by.
#[derive(Debug, Default)]
struct SideTally {
    name: String,
    packets: u64,
    tcp_segments: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
}

/// Two captures' bytes in, a [`CorrelationReport`] out.
///
/// ```
/// use tcpopt_parse::correlate::{CaptureCorrelation, Config, Vantage};
/// // A microsecond pcap, raw IPv4 (LINKTYPE_RAW), one SYN with timestamps.
/// let mut cap = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0];
/// cap.extend_from_slice(&[1, 0, 0, 0, 7, 0, 0, 0, 52, 0, 0, 0, 52, 0, 0, 0]);
/// cap.extend_from_slice(&[0x45, 0, 0, 52, 0, 0, 0x40, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
/// cap.extend_from_slice(&[0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x80, 0x02, 0xff, 0xff, 0, 0, 0, 0]);
/// cap.extend_from_slice(&[1, 1, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 0]);
/// let mut c = CaptureCorrelation::new(Config::default(), ["a.pcap".into(), "b.pcap".into()]);
/// while let Some(side) = c.wants() {
///     // A real reader pushes the next chunk of that capture, and ends it at EOF.
///     c.push(side, &cap);
///     c.finish_side(side);
/// }
/// let report = c.finish();
/// assert_eq!(report.totals.matched_pairs, 1);
/// // The same bytes on both sides: every segment matched, no direction of travel.
/// assert_eq!(report.totals.all_matched, 1);
/// assert_eq!(report.attempts[0].syns_a, 1);
/// ```
#[derive(Debug)]
pub struct CaptureCorrelation {
    feeders: [Feeder; 2],
    tallies: [SideTally; 2],
    ended: [bool; 2],
    correlator: Correlator,
}

impl CaptureCorrelation {
    /// `names` label the captures in the report (file names).
    pub fn new(config: Config, names: [String; 2]) -> Self {
        let [a, b] = names;
        CaptureCorrelation {
            feeders: [Feeder::new(), Feeder::new()],
            tallies: [
                SideTally {
                    name: a,
                    ..SideTally::default()
                },
                SideTally {
                    name: b,
                    ..SideTally::default()
                },
            ],
            ended: [false; 2],
            correlator: Correlator::new(config),
        }
    }

    /// Which capture to read next (`None`: both ended).
    pub fn wants(&self) -> Option<Vantage> {
        self.correlator.wants()
    }

    /// Feeds one chunk of one capture.
    pub fn push(&mut self, side: Vantage, chunk: &[u8]) {
        let i = side.index();
        let (feeder, tally, corr) = (
            &mut self.feeders[i],
            &mut self.tallies[i],
            &mut self.correlator,
        );
        feeder.push(chunk, &mut |ev| take(ev, side, tally, corr));
        if self.feeders[i].fault().is_some() {
            self.finish_side(side);
        }
    }

    /// Ends one capture's input.
    pub fn finish_side(&mut self, side: Vantage) {
        let i = side.index();
        if self.ended[i] {
            return;
        }
        let (feeder, tally, corr) = (
            &mut self.feeders[i],
            &mut self.tallies[i],
            &mut self.correlator,
        );
        feeder.finish(&mut |ev| take(ev, side, tally, corr));
        self.ended[i] = true;
        self.correlator.finish_side(side);
    }

    /// The fault that stopped reading one capture.
    pub fn fault(&self, side: Vantage) -> Option<&ReadFault> {
        self.feeders[side.index()].fault()
    }

    /// Ends both inputs; the report of everything read.
    pub fn finish(mut self) -> CorrelationReport {
        self.finish_side(Vantage::A);
        self.finish_side(Vantage::B);
        let vantages = [Vantage::A, Vantage::B].map(|v| {
            let i = v.index();
            let t = &self.tallies[i];
            let f = &self.feeders[i];
            VantageSummary {
                vantage: v.as_str().to_string(),
                capture: t.name.clone(),
                format: match f.format() {
                    Some(Format::Pcap { nanosecond, .. }) => if nanosecond {
                        "pcap (nanosecond)"
                    } else {
                        "pcap"
                    }
                    .to_string(),
                    Some(Format::Pcapng) => "pcapng".to_string(),
                    None => "unknown".to_string(),
                },
                packets: t.packets,
                tcp_segments: t.tcp_segments,
                first_ts: t.first.map(|ts| ts.to_string()),
                last_ts: t.last.map(|ts| ts.to_string()),
                fault: f.fault().map(|e| format!("{e}")),
                complete: f.fault().is_none(),
                ..VantageSummary::default()
            }
        });
        self.correlator.finish().into_report(vantages)
    }
}

fn take(ev: &Event<'_>, side: Vantage, tally: &mut SideTally, corr: &mut Correlator) {
    let Event::Packet(rec) = ev else {
        return;
    };
    tally.packets += 1;
    tally.first.get_or_insert(rec.ts);
    tally.last = Some(rec.ts);
    if let Some(seg) = Observed::of(rec) {
        tally.tcp_segments += 1;
        corr.push(side, seg);
    }
}

/// Correlates two captures held in memory (the same path as chunked input).
pub fn correlate_bytes(
    a: &[u8],
    b: &[u8],
    config: Config,
    names: [String; 2],
) -> CorrelationReport {
    const CHUNK: usize = 64 * 1024;
    let mut c = CaptureCorrelation::new(config, names);
    let mut at = [0usize; 2];
    let data = [a, b];
    while let Some(side) = c.wants() {
        let i = side.index();
        let rest = &data[i][at[i]..];
        if rest.is_empty() {
            c.finish_side(side);
            continue;
        }
        let n = rest.len().min(CHUNK);
        c.push(side, &rest[..n]);
        at[i] += n;
    }
    c.finish()
}
