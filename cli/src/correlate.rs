//! `tcpopt correlate A B` and `tcpopt analyze A B --correlate`: two
//! captures of the same traffic, read once each, in turns that keep them
//! level in time (the engine says which to read next), shown as text or
//! the correlation report's JSON. Every sentence comes from the report.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use tcpopt_parse::analysis::{Config as AnalysisConfig, Report};
use tcpopt_parse::correlate::{
    AttemptReport, CaptureCorrelation, Config, CorrelationReport, Severity, Vantage, Way,
};
use tcpopt_parse::pipeline::CaptureAnalysis;

use crate::analyze::progress_mode;
use crate::args::{AnalyzeArgs, ColorChoice, CorrelateArgs, CorrelateFormat, FailOn, ReportFormat};
use crate::exit::ExitCode;
use crate::input::Input;
use crate::report_text;

const CHUNK: usize = 256 * 1024;

fn threshold(f: FailOn) -> Option<Severity> {
    match f {
        FailOn::Never => None,
        FailOn::Info => Some(Severity::Info),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Critical => Some(Severity::Critical),
    }
}

/// Both inputs read in the engine's order; each chunk also goes to
/// `also` (the per-capture analyses of `analyze --correlate`).
fn read_both(
    inputs: &mut [Input; 2],
    corr: &mut CaptureCorrelation,
    mut also: impl FnMut(Vantage, &[u8]),
) -> bool {
    let mut storage = crate::input::ReadBuf::new(CHUNK);
    let buf = storage.as_mut();
    let mut read_error = false;
    while let Some(side) = corr.wants() {
        let i = match side {
            Vantage::A => 0,
            Vantage::B => 1,
        };
        match inputs[i].read_some(buf) {
            Ok(0) => corr.finish_side(side),
            Ok(n) => {
                corr.push(side, &buf[..n]);
                also(side, &buf[..n]);
            }
            Err(msg) => {
                eprintln!("tcpopt: {msg}");
                read_error = true;
                corr.finish_side(side);
            }
        }
    }
    read_error
}

fn open_both(a: &std::path::Path, b: &std::path::Path, progress: bool) -> Option<[Input; 2]> {
    if a.as_os_str() == "-" && b.as_os_str() == "-" {
        eprintln!("tcpopt: only one of the two captures can be standard input");
        return None;
    }
    let open = |p: &std::path::Path| {
        Input::open(p, progress_mode(progress)).map_err(|msg| eprintln!("tcpopt: {msg}"))
    };
    let (ia, ib) = (open(a), open(b));
    Some([ia.ok()?, ib.ok()?])
}

/// The exit status of a correlation, and its faults on stderr.
fn status(r: &CorrelationReport, fail_on: FailOn, read_error: bool) -> ExitCode {
    let mut code = ExitCode::Ok;
    for v in &r.vantages {
        if let Some(f) = &v.fault {
            eprintln!("tcpopt: {}: {f}", v.capture);
            if v.packets == 0 {
                return ExitCode::Unusable;
            }
            code = code.worst(ExitCode::Partial);
        }
    }
    if read_error {
        code = code.worst(ExitCode::Partial);
    }
    if let (Some(t), Some(max)) = (
        threshold(fail_on),
        r.findings.iter().map(|f| f.severity).max(),
    ) {
        if max >= t {
            code = code.worst(ExitCode::Findings);
        }
    }
    code
}

pub fn run(args: &CorrelateArgs, progress: bool, out: &mut dyn Write) -> ExitCode {
    let Some(mut inputs) = open_both(&args.a, &args.b, progress) else {
        return ExitCode::Unusable;
    };
    let names = [inputs[0].name.clone(), inputs[1].name.clone()];
    let mut corr = CaptureCorrelation::new(Config::default(), names);
    let read_error = read_both(&mut inputs, &mut corr, |_, _| {});
    let report = corr.finish();
    let code = status(&report, args.fail_on, read_error);
    let text = match args.format {
        CorrelateFormat::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        CorrelateFormat::Text => {
            let mut t = render(&report);
            if let Some(n) = args.ladder {
                match report.attempts.iter().find(|a| a.index == n) {
                    Some(a) => t.push_str(&ladder(&report, a)),
                    None => {
                        let _ = writeln!(t, "\nattempt {n} is not listed (see `Attempts`)");
                    }
                }
            }
            t
        }
    };
    let _ = out.write_all(text.as_bytes());
    code
}

/// A report in `analyze --correlate`'s JSON: the report's own fields plus `file`.
#[derive(serde::Serialize)]
struct WithFile<'a> {
    file: &'a str,
    #[serde(flatten)]
    report: &'a Report,
}

#[derive(serde::Serialize)]
struct Joint<'a> {
    reports: Vec<WithFile<'a>>,
    correlation: &'a CorrelationReport,
}

/// `tcpopt analyze A B --correlate`: each capture's own report, then the
/// correlation; both captures read once, feeding both.
pub fn analyze(args: &AnalyzeArgs, progress: bool, out: &mut dyn Write) -> ExitCode {
    let [a, b] = args.files.as_slice() else {
        eprintln!(
            "tcpopt: --correlate needs exactly two captures (A B), got {}",
            args.files.len()
        );
        return ExitCode::Unusable;
    };
    let Some(mut inputs) = open_both(a, b, progress) else {
        return ExitCode::Unusable;
    };
    let names = [inputs[0].name.clone(), inputs[1].name.clone()];
    let mut corr = CaptureCorrelation::new(Config::default(), names.clone());
    let mut analyses = [
        CaptureAnalysis::new(AnalysisConfig::default()),
        CaptureAnalysis::new(AnalysisConfig::default()),
    ];
    let read_error = read_both(&mut inputs, &mut corr, |side, chunk| {
        let i = usize::from(side == Vantage::B);
        analyses[i].push(chunk);
    });
    let [aa, ab] = analyses;
    let reports = [aa.finish(), ab.finish()];
    let correlation = corr.finish();
    let mut code = status(&correlation, args.fail_on, read_error);
    for r in &reports {
        if let (Some(t), Some(max)) = (threshold(args.fail_on), r.max_severity()) {
            if max >= t {
                code = code.worst(ExitCode::Findings);
            }
        }
    }
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let text = match args.format {
        ReportFormat::Json | ReportFormat::Jsonl => {
            let joint = Joint {
                reports: reports
                    .iter()
                    .zip(&names)
                    .map(|(report, file)| WithFile { file, report })
                    .collect(),
                correlation: &correlation,
            };
            if args.format == ReportFormat::Json {
                serde_json::to_string_pretty(&joint).unwrap_or_default() + "\n"
            } else {
                serde_json::to_string(&joint).unwrap_or_default() + "\n"
            }
        }
        ReportFormat::Text => {
            let mut t = String::new();
            for (i, (r, name)) in reports.iter().zip(&names).enumerate() {
                let v = if i == 0 { "A" } else { "B" };
                let _ = write!(
                    t,
                    "== {v}: {name}\n{}\n",
                    report_text::render(r, None, color)
                );
            }
            t.push_str("== correlation of A and B\n");
            t.push_str(&render(&correlation));
            t
        }
    };
    let _ = out.write_all(text.as_bytes());
    code
}

fn frames_line(frames: &[u64], total: u64) -> String {
    let list: Vec<String> = frames.iter().map(u64::to_string).collect();
    let more = total.saturating_sub(frames.len() as u64);
    if more > 0 {
        format!("{} (+{more} more)", list.join(","))
    } else {
        list.join(",")
    }
}

/// The correlation as text: verdict, captures, clock, path, NAT,
/// rewrites, findings, attempts.
pub fn render(r: &CorrelationReport) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "Verdict: {}", r.verdict);
    let _ = writeln!(t);
    for v in &r.vantages {
        let _ = writeln!(
            t,
            "{}: {} ({}, {} packets, {} TCP segments: {} matched, {} lost between, {} other traffic){}",
            v.vantage,
            v.capture,
            v.format,
            v.packets,
            v.tcp_segments,
            v.matched,
            v.unmatched_on_path,
            v.unmatched_elsewhere,
            if v.complete { "" } else { " [read stopped early]" }
        );
    }
    let _ = writeln!(t, "Clock: {}", r.clock.description);
    for p in &r.paths {
        let way = p.way.unwrap_or(Way::Unknown).as_str();
        let mut line = format!("Path {way}: {} matched", p.matched);
        if let (Some(lo), Some(hi)) = (p.ttl_decrement_min, p.ttl_decrement_max) {
            if lo == hi {
                let _ = write!(line, ", TTL −{lo}");
            } else {
                let _ = write!(line, ", TTL −{lo}..−{hi}");
            }
        }
        if let (Some(min), Some(med)) = (p.delay_min_ns, p.delay_median_ns) {
            let _ = write!(
                line,
                ", one-way delay {:.3} ms (min {:.3} ms)",
                med as f64 / 1e6,
                min as f64 / 1e6
            );
        }
        if p.ip_id_pairs > 0 {
            let _ = write!(line, ", IP ID kept {}/{}", p.ip_id_kept, p.ip_id_pairs);
        }
        let _ = writeln!(t, "{line}");
    }
    let _ = writeln!(t, "NAT: {}", r.nat.description);
    for m in r.nat.mappings.iter().filter(|m| !m.rewritten.is_empty()) {
        let _ = writeln!(
            t,
            "  A {} → {}  ↔  B {} → {}  ({}; {})",
            m.client_a,
            m.server_a,
            m.client_b,
            m.server_b,
            if m.connections == 1 {
                "1 connection".to_string()
            } else {
                format!("{} connections", m.connections)
            },
            m.rewritten.join(", ")
        );
    }
    if r.rewrites.is_empty() {
        let _ = writeln!(
            t,
            "Rewrites: none (options, timestamps, sequence numbers and windows arrive as sent)"
        );
    } else {
        let _ = writeln!(t, "Rewrites:");
        for w in &r.rewrites {
            let _ = writeln!(t, "  {}", w.description);
        }
    }
    let _ = writeln!(t);
    if r.findings.is_empty() {
        let _ = writeln!(t, "Findings: none");
    }
    for f in &r.findings {
        let _ = writeln!(
            t,
            "[{}] {}: {}",
            f.severity.as_str().to_uppercase(),
            f.code.as_str(),
            f.summary
        );
        let _ = writeln!(t, "  why: {}", f.explanation);
        let _ = writeln!(t, "  fix: {}", f.remedy);
        for v in &f.frames {
            let _ = writeln!(
                t,
                "  frames {} ({}): {}",
                v.vantage,
                v.capture,
                frames_line(&v.frames, v.frames_total)
            );
        }
    }
    let tot = &r.totals;
    let _ = writeln!(
        t,
        "\nAttempts: {} in both captures, {} only in A, {} only in B ({} all matched, {} SYNs reached but unanswered, {} SYNs never reached, {} answer lost, {} with losses, {} not on the other's path)",
        tot.attempts_in_both,
        tot.attempts_only_a,
        tot.attempts_only_b,
        tot.all_matched,
        tot.syns_reached_no_answer,
        tot.syns_never_reached,
        tot.answer_lost,
        tot.some_lost,
        tot.not_on_path
    );
    for a in &r.attempts {
        let _ = writeln!(
            t,
            "  #{} {}: {}",
            a.index,
            a.outcome.as_str(),
            a.description
        );
    }
    if tot.attempts_not_listed > 0 {
        let _ = writeln!(
            t,
            "  ... {} more attempts counted, not listed",
            tot.attempts_not_listed
        );
    }
    t
}

/// One attempt as a two-column ladder: A's frames left, B's right, `====`
/// for a segment seen at both, `  X ` where it was lost between.
pub fn ladder(r: &CorrelationReport, a: &AttemptReport) -> String {
    let mut t = String::new();
    let name = |v: usize| r.vantages.get(v).map_or("", |v| v.capture.as_str());
    let _ = writeln!(t, "\nLadder of attempt #{}: {}", a.index, a.description);
    let head = format!("A: {}", name(0));
    let _ = writeln!(t, "{head:<44}  {:^6}  B: {}", "", name(1));
    for row in &a.ladder {
        let arrow = if row.from_client { "→" } else { "←" };
        let what = format!(
            "{arrow} {:<3} seq {} ack {} len {}",
            row.flags, row.seq, row.ack, row.len
        );
        let cell = |frame: Option<u64>, t: Option<i64>| match (frame, t) {
            (Some(f), Some(t)) => format!("{f:>5} {:>10.6}", t as f64 / 1e9),
            _ => String::new(),
        };
        let left = cell(row.frame_a, row.t_a);
        let right = cell(row.frame_b, row.t_b);
        let mid = match (row.frame_a.is_some(), row.frame_b.is_some(), row.lost) {
            (true, true, _) => "======",
            (_, _, true) => "  X   ",
            _ => "  ·   ",
        };
        let _ = writeln!(
            t,
            "{:<17}{:<27}  {mid}  {:<17}{}",
            left,
            if row.frame_a.is_some() {
                what.as_str()
            } else {
                ""
            },
            right,
            if row.frame_a.is_none() {
                what.as_str()
            } else {
                ""
            }
        );
    }
    if a.ladder_cut > 0 {
        let _ = writeln!(t, "... {} more segments not in the ladder", a.ladder_cut);
    }
    t
}
