//! The text form of a report: the verdict first, then each finding with its
//! frames, explanation and remedy, then a short summary of the capture,
//! flows and clocks. Words a support engineer can paste into a ticket.
//! Every computed piece (percentages, frame lists, Wireshark filters,
//! clock-line labels) comes from [`ReportView`], which the page shows too.

use std::fmt::Write as _;

use tcpopt_parse::analysis::{Finding, Report, Severity};
use tcpopt_parse::present::{FindingView, ReportView};

use crate::fault::{packet_error, Fault};

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

fn finding(out: &mut String, f: &Finding, v: &FindingView, st: &Style) {
    let _ = writeln!(
        out,
        "{} {}  {}",
        st.severity(f.severity),
        st.bold(f.code.as_str()),
        f.summary
    );
    if let Some(between) = &v.between {
        let _ = writeln!(out, "  {between}");
    }
    let more = v
        .frames_cut
        .as_ref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    out.push_str(&wrap(&format!("frames{more}: {}", v.frames_text), "  "));
    if !v.wireshark_filter.is_empty() {
        let _ = writeln!(out, "  wireshark: {}", v.wireshark_filter);
    }
    out.push_str(&wrap(&format!("What happened: {}", f.explanation), "  "));
    out.push_str(&wrap(&format!("Remedy: {}", f.remedy), "  "));
    out.push('\n');
}

/// Renders the whole report; `fault` is why reading stopped early, if it did.
pub fn render(r: &Report, fault: Option<&Fault>, color: bool) -> String {
    let st = Style { on: color };
    let view = ReportView::of(r);
    let mut out = String::new();
    let _ = writeln!(out, "{}", st.bold(&format!("Verdict: {}", view.verdict)));
    out.push('\n');
    for (f, v) in r.findings.iter().zip(&view.findings) {
        finding(&mut out, f, v, &st);
    }

    let c = &r.capture;
    let _ = writeln!(out, "Capture: {}", view.capture_line);
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
        out.push_str(&wrap(&format!("error: {}", packet_error(e)), "  "));
    }
    let unlisted = c.packet_errors.saturating_sub(errors.len() as u64);
    if unlisted > 0 {
        let more = format!("error: {unlisted} more packets could not be decoded to their end");
        out.push_str(&wrap(&more, "  "));
    }

    let _ = writeln!(out, "Flows: {}", view.flows_line);
    if !view.clocks.is_empty() {
        let _ = writeln!(out, "Clocks:");
        for p in &view.clocks {
            out.push_str(&wrap(&p.text, "  "));
        }
    }
    if let Some(limits) = &view.limits_line {
        let _ = writeln!(out, "Limits: {limits}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_and_indent() {
        let w = wrap(&"word ".repeat(40), "  ");
        assert!(w.lines().all(|l| l.len() <= WIDTH && l.starts_with("  ")));
        assert_eq!(w.split_whitespace().count(), 40);
    }
}
