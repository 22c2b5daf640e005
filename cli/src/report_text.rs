//! The text form of a report: the verdict first, then each finding with its
//! frames, explanation and remedy, then a short summary of the capture,
//! flows and clocks. Words a support engineer can paste into a ticket.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use tcpopt_parse::analysis::{Finding, Report, Severity};

use crate::fault::Fault;

const WIDTH: usize = 100;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn severity(&self, s: Severity) -> String {
        let label = format!("{:<8}", s.as_str().to_uppercase());
        match s {
            Severity::Critical => self.paint("1;31", &label),
            Severity::Warning => self.paint("1;33", &label),
            Severity::Info => self.paint("36", &label),
        }
    }
}

/// Wraps `text` to [`WIDTH`] columns, every line starting with `indent`.
fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    for para in text.split('\n') {
        let mut line = String::from(indent);
        for word in para.split_whitespace() {
            if line.len() > indent.len() && line.len() + 1 + word.len() > WIDTH {
                out.push_str(line.trim_end());
                out.push('\n');
                line = String::from(indent);
            }
            if line.len() > indent.len() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Frame numbers, compressed into ranges: `11-14, 25-28, 39`.
pub fn frame_ranges(frames: &[u64]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < frames.len() {
        let start = frames[i];
        let mut end = start;
        while i + 1 < frames.len() && frames[i + 1] == end + 1 {
            i += 1;
            end = frames[i];
        }
        parts.push(if end > start {
            format!("{start}-{end}")
        } else {
            start.to_string()
        });
        i += 1;
    }
    parts.join(", ")
}

/// The Wireshark display filter that shows these frames.
pub fn wireshark_filter(frames: &[u64]) -> String {
    let list: Vec<String> = frames.iter().map(|f| f.to_string()).collect();
    format!("frame.number in {{{}}}", list.join(" "))
}

fn finding(out: &mut String, f: &Finding, st: &Style) {
    let _ = writeln!(
        out,
        "{} {}  {}",
        st.severity(f.severity),
        st.bold(f.code.as_str()),
        f.summary
    );
    if let (Some(c), Some(s)) = (&f.client, &f.server) {
        let _ = writeln!(out, "  client {c}  server {s}");
    }
    let more = if f.frames_total as usize > f.frames.len() {
        format!(" (first {} of {})", f.frames.len(), f.frames_total)
    } else {
        String::new()
    };
    out.push_str(&wrap(
        &format!("frames{more}: {}", frame_ranges(&f.frames)),
        "  ",
    ));
    let _ = writeln!(
        out,
        "  wireshark: {}",
        wireshark_filter(&f.frames[..f.frames.len().min(64)])
    );
    out.push_str(&wrap(&format!("What happened: {}", f.explanation), "  "));
    out.push_str(&wrap(&format!("Remedy: {}", f.remedy), "  "));
    out.push('\n');
}

/// Renders the whole report; `fault` is why reading stopped early, if it did.
pub fn render(r: &Report, fault: Option<&Fault>, color: bool) -> String {
    let st = Style { on: color };
    let mut out = String::new();
    let _ = writeln!(out, "{}", st.bold(&format!("Verdict: {}", r.verdict)));
    // Said at once: a verdict over part of the capture must not read as
    // one over all of it.
    if let Some(s) = &r.capture.undecoded.summary {
        out.push_str(&st.paint("1;33", wrap(&format!("Not decoded: {s}."), "").trim_end()));
        out.push('\n');
    }
    out.push('\n');
    for f in &r.findings {
        finding(&mut out, f, &st);
    }

    let c = &r.capture;
    let pct = c
        .segments_with_timestamps
        .saturating_mul(100)
        .checked_div(c.tcp_segments)
        .unwrap_or(0);
    let mut span = match (&c.first_ts, &c.last_ts) {
        (Some(a), Some(b)) => format!(", {a} to {b}"),
        _ => String::new(),
    };
    if c.untimed_packets > 0 {
        let _ = write!(
            span,
            " ({} packets carry no time: pcapng Simple Packet Blocks)",
            c.untimed_packets
        );
    }
    let _ = writeln!(
        out,
        "Capture: {} ({}), {} packets, {} TCP segments, {pct} % with timestamps{span}",
        c.format,
        if c.link_types.is_empty() {
            "no packets".into()
        } else {
            c.link_types.join(", ")
        },
        c.packets,
        c.tcp_segments,
    );
    // The fault that stopped reading is the first error; it is said in
    // words, the others (packets decoded only part way) as they come.
    let mut errors = &c.errors[..];
    if let Some(f) = fault.filter(|_| !c.complete) {
        let stop = format!(
            "Reading stopped early: {}; the report covers only {}.",
            f.describe(),
            f.frames_read()
        );
        out.push_str(&st.paint("1;33", wrap(&stop, "").trim_end()));
        out.push('\n');
        errors = errors.get(1..).unwrap_or_default();
    }
    for e in errors {
        let where_ = if e.frame > 0 {
            format!("frame {}, byte {}: ", e.frame, e.offset)
        } else {
            String::new()
        };
        out.push_str(&wrap(&format!("error: {where_}{}", e.message), "  "));
    }

    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for f in &r.flows {
        let h = serde_json::to_value(f.handshake)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string));
        *outcomes
            .entry(h.unwrap_or_default().replace('_', " "))
            .or_default() += 1;
    }
    let parts: Vec<String> = outcomes.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let ts_flows = r.flows.iter().filter(|f| f.ts_negotiated).count();
    let _ = writeln!(
        out,
        "Flows: {} ({}); timestamps negotiated on {ts_flows}",
        r.flows.len(),
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(", ")
        }
    );
    if !r.clocks.is_empty() {
        let _ = writeln!(out, "Clocks:");
        for p in &r.clocks {
            let lines: Vec<String> = p
                .lines
                .iter()
                .map(|l| {
                    let hz = l
                        .summary
                        .rate_hz
                        .map(|h| format!("{h:.0} Hz"))
                        .unwrap_or_else(|| "rate unknown".into());
                    format!("{} conn @ {hz}", l.summary.connections)
                })
                .collect();
            let desc = format!(
                "  {} -> {}: {} [{}]",
                p.client,
                p.server,
                p.description,
                if lines.is_empty() {
                    "no timestamps".into()
                } else {
                    lines.join("; ")
                }
            );
            out.push_str(&wrap(desc.trim_start(), "  "));
        }
    }
    if r.limits.flows_cap_hit
        || r.limits.findings_dropped > 0
        || r.limits.findings_with_frames_cut > 0
    {
        let _ = writeln!(
            out,
            "Limits: flow cap {} {}; {} findings dropped by the per-code cap; {} findings list only their first {} frames",
            r.limits.max_flows,
            if r.limits.flows_cap_hit { "HIT" } else { "not hit" },
            r.limits.findings_dropped,
            r.limits.findings_with_frames_cut,
            r.limits.max_evidence_frames,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_filters() {
        assert_eq!(frame_ranges(&[1, 2, 3, 5, 7, 8]), "1-3, 5, 7-8");
        assert_eq!(frame_ranges(&[]), "");
        assert_eq!(
            wireshark_filter(&[12, 15, 18]),
            "frame.number in {12 15 18}"
        );
    }

    #[test]
    fn wrap_keeps_words_and_indent() {
        let w = wrap(&"word ".repeat(40), "  ");
        assert!(w.lines().all(|l| l.len() <= WIDTH && l.starts_with("  ")));
        assert_eq!(w.split_whitespace().count(), 40);
    }
}
