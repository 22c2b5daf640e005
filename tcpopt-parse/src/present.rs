//! What the faces show: the one owner of every piece of text that the
//! command line's report and the browser page compute from a [`Report`]
//! (percentages, Wireshark filters, frame lists, clock-line labels,
//! endpoint text, the names of handshake outcomes and sides).
//!
//! The CLI renders its text from a [`ReportView`] and its tables from
//! [`FlowRow`]s; the browser engine hands the same values to the page
//! (`view()` and `flowRows()` of `tcpopt-web`), so the two cannot disagree.
//! Nothing here decides anything about the capture: it only words what the
//! report already says.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::IpAddr;

use crate::analysis::CaptureError;
use crate::analysis::{
    ClockClass, ClockPair, Code, Finding, FlowReport, Handshake, Report, Severity, Side,
};
use crate::error::{ErrorKind, FirstBytes, Layer};

/// `part` of `whole` in whole percent, rounded to the nearest (2 of 3 is
/// 67); 0 when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> u64 {
    part.saturating_mul(100)
        .saturating_add(whole / 2)
        .checked_div(whole)
        .unwrap_or(0)
}

/// Frame numbers, runs compressed: `11-14, 25-28, 39`.
pub fn frame_ranges(frames: &[u64]) -> String {
    runs(frames)
        .map(|(a, b)| {
            if b > a {
                format!("{a}-{b}")
            } else {
                a.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The Wireshark display filter that shows exactly these frames: one
/// frame `frame.number == 7`, otherwise a set with ranges for runs of
/// three or more, `frame.number in {11..14 20 21}`. It covers every frame
/// the finding lists (the report's own cap, `limits.max_evidence_frames`,
/// is the only cap); empty for no frames.
pub fn wireshark_filter(frames: &[u64]) -> String {
    let mut sorted = frames.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    match sorted.as_slice() {
        [] => String::new(),
        [one] => format!("frame.number == {one}"),
        _ => {
            let mut parts = Vec::new();
            for (a, b) in runs(&sorted) {
                if b - a >= 2 {
                    parts.push(format!("{a}..{b}"));
                } else {
                    parts.extend((a..=b).map(|f| f.to_string()));
                }
            }
            format!("frame.number in {{{}}}", parts.join(" "))
        }
    }
}

/// Runs of consecutive numbers in a sorted list, as (first, last).
fn runs(frames: &[u64]) -> impl Iterator<Item = (u64, u64)> + '_ {
    let mut i = 0;
    core::iter::from_fn(move || {
        let start = *frames.get(i)?;
        let mut end = start;
        while frames.get(i + 1) == Some(&(end + 1)) {
            i += 1;
            end = frames[i];
        }
        i += 1;
        Some((start, end))
    })
}

/// The label of a pair's clock line `index` (an index into
/// `ClockPair::lines`): `A`, `B`, … `Z`, `AA`, `AB`, … as in a spreadsheet.
pub fn line_label(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.iter().rev().map(|&b| b as char).collect()
}

/// `addr:port`, or `[addr]:port` for IPv6 (RFC 3986 §3.2.2).
pub fn endpoint(addr: &str, port: u16) -> String {
    if addr.contains(':') {
        format!("[{addr}]:{port}")
    } else {
        format!("{addr}:{port}")
    }
}

/// tcpdump's notation, `addr.port` for both families (`tcpopt dump`'s
/// text lines read like tcpdump's).
pub fn tcpdump_endpoint(addr: IpAddr, port: u16) -> String {
    format!("{addr}.{port}")
}

/// A handshake outcome's name, as in the JSON (`syn_unanswered`).
pub const fn handshake_name(h: Handshake) -> &'static str {
    match h {
        Handshake::Completed => "completed",
        Handshake::SynAcked => "syn_acked",
        Handshake::SynUnanswered => "syn_unanswered",
        Handshake::SynAnsweredByRst => "syn_answered_by_rst",
        Handshake::SynAnsweredByBareAck => "syn_answered_by_bare_ack",
        Handshake::MidStream => "mid_stream",
    }
}

/// A side's name, as in the JSON (`client`, `server`).
pub const fn side_name(s: Side) -> &'static str {
    match s {
        Side::Client => "client",
        Side::Server => "server",
    }
}

/// A clock classification's name, as in the JSON (`one_clock`).
pub const fn class_name(c: ClockClass) -> &'static str {
    match c {
        ClockClass::NoTimestamps => "no_timestamps",
        ClockClass::OneClock => "one_clock",
        ClockClass::NatSameHost => "nat_same_host",
        ClockClass::NatDifferentMachines => "nat_different_machines",
        ClockClass::Nat => "nat",
        ClockClass::PerConnectionOffsets => "per_connection_offsets",
        ClockClass::Undetermined => "undetermined",
        ClockClass::SequentialClocks => "sequential_clocks",
    }
}

/// A rate for a table cell: whole numbers when whole, else one decimal;
/// empty when unknown.
pub fn hz_cell(v: Option<f64>) -> String {
    match v {
        Some(h) if (h - libm_round(h)).abs() < 1e-6 => format!("{h:.0}"),
        Some(h) => format!("{h:.1}"),
        None => String::new(),
    }
}

// core has no f64::round without std.
fn libm_round(h: f64) -> f64 {
    let t = h as i64 as f64;
    if (h - t).abs() >= 0.5 {
        t + h.signum()
    } else {
        t
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The report as the faces show it: every line of the CLI's text report
/// that is computed, and what the page shows in the same places.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReportView {
    /// The most severe finding's severity; null when there is none
    /// (the page's "OK" badge).
    pub severity: Option<Severity>,
    /// The report's verdict, verbatim.
    pub verdict: String,
    /// The capture in one line: `pcapng (Ethernet), 112 packets, 110 TCP
    /// segments, 67 % with timestamps, <first> to <last>`.
    pub capture_line: String,
    /// Percentage of TCP segments that carry timestamps (see [`percent`]).
    pub timestamps_percent: u64,
    /// One entry per finding, in the report's order.
    pub findings: Vec<FindingView>,
    /// Every flow in one line, by handshake outcome (`Report::totals`):
    /// `3 (2 completed, 1 syn unanswered)`.
    pub flows_line: String,
    /// One entry per (client, server) pair of `Report::clocks`, same order.
    pub clocks: Vec<PairView>,
    /// Which caps were hit, in words; null when none was.
    pub limits_line: Option<String>,
    /// Each of `capture.errors` in words, same order: the first, when
    /// reading stopped early, as [`read_fault_line`], the others as
    /// [`packet_fault_line`].
    pub errors: Vec<String>,
}

/// One finding as shown.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FindingView {
    /// The finding's code.
    pub code: Code,
    /// The finding's severity.
    pub severity: Severity,
    /// `client A  server B` when the finding names both addresses.
    pub between: Option<String>,
    /// The listed frames with runs compressed, `11-14, 25` (see
    /// [`frame_ranges`]).
    pub frames_text: String,
    /// `first 256 of 300` when the frame list was cut at the report's cap.
    pub frames_cut: Option<String>,
    /// The Wireshark display filter of the listed frames (see
    /// [`wireshark_filter`]); empty when there are none.
    pub wireshark_filter: String,
}

/// The clock lines of one (client, server) pair as shown.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PairView {
    /// The client address.
    pub client: String,
    /// The server address.
    pub server: String,
    /// `client -> server: description [A: 3 conn @ 1000 Hz; B: …]`.
    pub text: String,
    /// One entry per clock line, same order as `ClockPair::lines`.
    pub lines: Vec<LineView>,
}

/// One clock line as shown.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LineView {
    /// The line's label, `A`, `B`, … (see [`line_label`]).
    pub label: String,
    /// `A: 3 conn @ 1000 Hz` (`rate unknown` without a rate).
    pub text: String,
}

/// One row of the flows table (`tcpopt flows` and the page's table).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FlowRow {
    /// The flow's `index`.
    pub index: u64,
    /// The client endpoint (see [`endpoint`]).
    pub client: String,
    /// The server endpoint.
    pub server: String,
    /// The handshake outcome's name (see [`handshake_name`]).
    pub handshake: String,
    /// SYNs sent, with retransmissions.
    pub syns: u32,
    /// Client and server segments.
    pub segments: u64,
    /// `yes` when timestamps were negotiated, else `no`.
    pub ts: String,
    /// `first-last` frame numbers.
    pub frames: String,
    /// The client's first TSval; empty without one.
    pub first_tsval: String,
    /// The client's last TSval; empty without one.
    pub last_tsval: String,
    /// The rate of the client's clock line (see [`hz_cell`]); empty when unknown.
    pub rate_hz: String,
    /// The client's clock line label (see [`line_label`]); empty without one.
    pub clock: String,
    /// Who sent the first FIN (see [`side_name`]); empty without one.
    pub fin: String,
    /// Who reset: `client`, `server`, `both` or empty.
    pub rst: String,
}

impl ReportView {
    /// The view of a report.
    pub fn of(r: &Report) -> ReportView {
        let c = &r.capture;
        let pct = percent(c.segments_with_timestamps, c.tcp_segments);
        let mut span = match (&c.first_ts, &c.last_ts) {
            (Some(a), Some(b)) => format!(", {a} to {b}"),
            _ => String::new(),
        };
        if c.untimed_packets > 0 {
            span.push_str(&format!(
                " ({} packets carry no time: pcapng Simple Packet Blocks)",
                c.untimed_packets
            ));
        }
        let capture_line = format!(
            "{} ({}), {} packets, {} TCP segments, {pct} % with timestamps{span}",
            c.format,
            if c.link_types.is_empty() {
                "no packets".into()
            } else {
                c.link_types.join(", ")
            },
            c.packets,
            c.tcp_segments,
        );
        // Every flow, listed or not (schema v2 lists only the flows findings name).
        let h = &r.totals.handshakes;
        let outcomes = [
            (Handshake::Completed, h.completed),
            (Handshake::MidStream, h.mid_stream),
            (Handshake::SynAcked, h.syn_acked),
            (Handshake::SynAnsweredByBareAck, h.syn_answered_by_bare_ack),
            (Handshake::SynAnsweredByRst, h.syn_answered_by_rst),
            (Handshake::SynUnanswered, h.syn_unanswered),
        ];
        let parts: Vec<String> = outcomes
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{n} {}", handshake_name(*k).replace('_', " ")))
            .collect();
        let all: u64 = outcomes.iter().map(|(_, n)| n).sum();
        let flows_line = format!(
            "{all} ({})",
            if parts.is_empty() {
                "none".into()
            } else {
                parts.join(", ")
            }
        );
        let l = &r.limits;
        let limits_line = (l.flows_cap_hit
            || l.findings_dropped > 0
            || l.findings_with_frames_cut > 0
            || l.clock_lines_forgotten > 0)
            .then(|| {
                let mut line = format!(
                    "flow cap {} {}; {} findings dropped by the per-code cap; {} findings list only their first {} frames",
                    l.max_flows,
                    if l.flows_cap_hit { "HIT" } else { "not hit" },
                    l.findings_dropped,
                    l.findings_with_frames_cut,
                    l.max_evidence_frames,
                );
                if l.clock_lines_forgotten > 0 {
                    line.push_str(&format!(
                        "; {} one-connection clock lines forgotten past {} kept at once \
                         (a clock whose connections are further apart is not followed)",
                        l.clock_lines_forgotten, l.max_open_clock_lines
                    ));
                }
                line
            });
        ReportView {
            severity: r.max_severity(),
            verdict: r.verdict.clone(),
            capture_line,
            timestamps_percent: pct,
            findings: r.findings.iter().map(FindingView::of).collect(),
            flows_line,
            clocks: r.clocks.iter().map(PairView::of).collect(),
            limits_line,
            errors: c
                .errors
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    if i == 0 && !c.complete {
                        read_fault_line(e)
                    } else {
                        packet_fault_line(e)
                    }
                })
                .collect(),
        }
    }
}

/// A packet decoded only part way (the report's errors after the first):
/// its frame, the byte within the frame, and what the layer found there.
pub fn packet_fault_line(e: &CaptureError) -> String {
    format!(
        "frame {}, byte {} of the frame: {} {}",
        e.frame,
        e.offset,
        e.layer.name(),
        e.kind
    )
}

/// The fault that stopped reading, in words, without the file name: which
/// frame, which byte (of the compressed or the decompressed stream), what.
/// The CLI's stderr line and the page's error box both say this.
pub fn read_fault_line(e: &CaptureError) -> String {
    let (frame, offset, layer) = (e.frame, e.offset, e.layer.name());
    let comp = e.compressed.name();
    let unusable = frame <= 1;
    let at = if e.in_decompressed() {
        format!("byte {offset} of the decompressed capture")
    } else {
        format!("byte {offset}")
    };
    match (e.layer, e.kind) {
        (Layer::Compression, ErrorKind::Truncated { .. }) => format!(
            "the {comp} stream is cut at byte {offset} of the compressed file, in frame {frame}"
        ),
        (Layer::Compression, kind) => {
            let why = match kind {
                ErrorKind::Corrupt { what } => format!("{what} does not decode"),
                other => other.to_string(),
            };
            format!(
                "corrupt {comp} stream at byte {offset} of the compressed file, in frame {frame} ({why})"
            )
        }
        (Layer::Capture, ErrorKind::BadMagic { found }) if e.compressed.is_compressed() => {
            format!(
                "not a capture: {comp}-compressed, but what it holds is neither pcap nor pcapng (it starts with {})",
                FirstBytes(found)
            )
        }
        (Layer::Capture, ErrorKind::BadMagic { found }) => format!(
            "not a capture: neither pcap, pcapng, gzip nor zstd (first bytes 0x{found:08x})"
        ),
        (Layer::Capture, kind @ ErrorKind::Truncated { .. }) if offset == 0 && unusable => {
            if e.compressed.is_compressed() {
                format!(
                    "{comp}-compressed, but what it holds is empty or too short to be a capture ({kind})"
                )
            } else {
                format!("empty, or too short to be a capture ({kind})")
            }
        }
        (_, ErrorKind::Truncated { needed, available }) => format!(
            "capture cut in frame {frame} at {at} ({layer} needs {needed} bytes, {available} available)"
        ),
        (_, kind) => format!("damaged capture in frame {frame} at {at}: {layer} {kind}"),
    }
}

impl FindingView {
    /// The view of one finding.
    pub fn of(f: &Finding) -> FindingView {
        FindingView {
            code: f.code,
            severity: f.severity,
            between: match (&f.client, &f.server) {
                (Some(c), Some(s)) => Some(format!("client {c}  server {s}")),
                _ => None,
            },
            frames_text: frame_ranges(&f.frames),
            frames_cut: (f.frames_total > f.frames.len() as u64)
                .then(|| format!("first {} of {}", f.frames.len(), f.frames_total)),
            wireshark_filter: wireshark_filter(&f.frames),
        }
    }
}

impl PairView {
    /// The view of one pair's clocks.
    pub fn of(p: &ClockPair) -> PairView {
        let lines: Vec<LineView> = p
            .lines
            .iter()
            .map(|l| {
                let label = line_label(l.id as usize);
                let hz = l
                    .summary
                    .rate_hz
                    .map(|h| format!("{h:.0} Hz"))
                    .unwrap_or_else(|| "rate unknown".into());
                let text = format!("{label}: {} conn @ {hz}", l.summary.connections);
                LineView { label, text }
            })
            .collect();
        let text = format!(
            "{} -> {}: {} [{}]",
            p.client,
            p.server,
            p.description,
            if lines.is_empty() {
                "no timestamps".into()
            } else {
                lines
                    .iter()
                    .map(|l| l.text.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        );
        PairView {
            client: p.client.clone(),
            server: p.server.clone(),
            text,
            lines,
        }
    }
}

/// The clock line of a flow's client, from the report's clocks.
fn client_line<'a>(
    clocks: &'a [ClockPair],
    f: &FlowReport,
) -> Option<&'a crate::analysis::ClockLine> {
    let pair = clocks
        .iter()
        .find(|p| p.client == f.client && p.server == f.server)?;
    let id = f.clock_line? as u64;
    pair.lines.iter().find(|l| l.id == id)
}

/// The rate of a flow's client clock line, from the report's clocks.
///
/// The report's measure (at the end) wins over the flow's own (a streamed
/// flow's is the line's rate when it was streamed).
pub fn client_rate_hz(clocks: &[ClockPair], f: &FlowReport) -> Option<f64> {
    client_line(clocks, f)
        .and_then(|l| l.summary.rate_hz)
        .or(f.client_rate_hz)
}

/// The columns of the flows CSV (`tcpopt flows --format csv` and the
/// page's CSV download): the report's field names.
pub const FLOW_CSV_COLUMNS: [&str; 23] = [
    "index",
    "client",
    "client_port",
    "server",
    "server_port",
    "handshake",
    "syns",
    "syn_retransmissions",
    "ts_negotiated",
    "first_frame",
    "last_frame",
    "client_first_tsval",
    "client_last_tsval",
    "server_first_tsval",
    "server_last_tsval",
    "client_rate_hz",
    "clock_line",
    "first_fin",
    "client_rst",
    "server_rst",
    "mid_stream",
    "probe",
    "previous_flow",
];

/// One flow's CSV cells, in [`FLOW_CSV_COLUMNS`] order (unquoted; see
/// [`csv_line`]).
pub fn flow_csv_cells(clocks: &[ClockPair], f: &FlowReport) -> [String; 23] {
    [
        f.index.to_string(),
        f.client.clone(),
        f.client_port.to_string(),
        f.server.clone(),
        f.server_port.to_string(),
        handshake_name(f.handshake).into(),
        f.syns.to_string(),
        f.syn_retransmissions.to_string(),
        f.ts_negotiated.to_string(),
        f.first_frame.to_string(),
        f.last_frame.to_string(),
        opt(f.client_ts.first_tsval),
        opt(f.client_ts.last_tsval),
        opt(f.server_ts.first_tsval),
        opt(f.server_ts.last_tsval),
        hz_cell(client_rate_hz(clocks, f)),
        opt(f.clock_line),
        f.first_fin.map(side_name).unwrap_or_default().into(),
        f.client_rst.to_string(),
        f.server_rst.to_string(),
        f.mid_stream.to_string(),
        f.probe.to_string(),
        opt(f.previous_flow),
    ]
}

/// One CSV line (RFC 4180: a cell with a comma, quote or line break is
/// quoted, quotes doubled), with its `\n`.
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        let c = c.as_ref();
        if i > 0 {
            out.push(',');
        }
        if c.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(c);
        }
    }
    out.push('\n');
    out
}

impl FlowRow {
    /// The row of one flow; `clocks` (the report's) give its line's rate.
    pub fn of(clocks: &[ClockPair], f: &FlowReport) -> FlowRow {
        FlowRow {
            index: f.index as u64,
            client: endpoint(&f.client, f.client_port),
            server: endpoint(&f.server, f.server_port),
            handshake: handshake_name(f.handshake).into(),
            syns: f.syns,
            segments: f.client_ts.segments + f.server_ts.segments,
            ts: if f.ts_negotiated { "yes" } else { "no" }.into(),
            frames: format!("{}-{}", f.first_frame, f.last_frame),
            first_tsval: opt(f.client_ts.first_tsval),
            last_tsval: opt(f.client_ts.last_tsval),
            rate_hz: hz_cell(client_rate_hz(clocks, f)),
            clock: f.clock_line.map(line_label).unwrap_or_default(),
            fin: f.first_fin.map(side_name).unwrap_or_default().into(),
            rst: match (f.client_rst, f.server_rst) {
                (true, true) => "both",
                (true, false) => "client",
                (false, true) => "server",
                (false, false) => "",
            }
            .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_to_nearest() {
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(1, 200), 1);
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(5, 5), 100);
    }

    #[test]
    fn filters_and_ranges() {
        assert_eq!(wireshark_filter(&[]), "");
        assert_eq!(wireshark_filter(&[7]), "frame.number == 7");
        assert_eq!(wireshark_filter(&[1, 2, 3]), "frame.number in {1..3}");
        assert_eq!(
            wireshark_filter(&[20, 11, 12, 13, 14, 21]),
            "frame.number in {11..14 20 21}"
        );
        assert_eq!(frame_ranges(&[1, 2, 3, 5, 7, 8]), "1-3, 5, 7-8");
        assert_eq!(frame_ranges(&[]), "");
    }

    #[test]
    fn labels_like_a_spreadsheet() {
        let l: Vec<String> = [0, 1, 25, 26, 27, 701, 702].map(line_label).into();
        assert_eq!(l, ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]);
    }

    #[test]
    fn endpoints() {
        assert_eq!(endpoint("192.0.2.1", 80), "192.0.2.1:80");
        assert_eq!(endpoint("2001:db8::1", 443), "[2001:db8::1]:443");
        assert_eq!(
            tcpdump_endpoint("2001:db8::1".parse().unwrap(), 443),
            "2001:db8::1.443"
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn names_are_the_json_names() {
        let json = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        for h in [
            Handshake::Completed,
            Handshake::SynAcked,
            Handshake::SynUnanswered,
            Handshake::SynAnsweredByRst,
            Handshake::SynAnsweredByBareAck,
            Handshake::MidStream,
        ] {
            assert_eq!(handshake_name(h), json(serde_json::to_value(h).unwrap()));
        }
        for s in [Side::Client, Side::Server] {
            assert_eq!(side_name(s), json(serde_json::to_value(s).unwrap()));
        }
        for c in [
            ClockClass::NoTimestamps,
            ClockClass::OneClock,
            ClockClass::NatSameHost,
            ClockClass::NatDifferentMachines,
            ClockClass::Nat,
            ClockClass::PerConnectionOffsets,
            ClockClass::Undetermined,
            ClockClass::SequentialClocks,
        ] {
            assert_eq!(class_name(c), json(serde_json::to_value(c).unwrap()));
        }
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(
            csv_line(&["a,b", "7", "say \"hi\"", ""]),
            "\"a,b\",7,\"say \"\"hi\"\"\",\n"
        );
    }

    #[test]
    fn hz_cells() {
        assert_eq!(hz_cell(Some(1000.0)), "1000");
        assert_eq!(hz_cell(Some(999.96)), "1000.0");
        assert_eq!(hz_cell(Some(250.4)), "250.4");
        assert_eq!(hz_cell(None), "");
    }
}
