//! `tcpopt analyze`: the report, as text for people or JSON for scripts.

use std::io::{IsTerminal, Write};

use tcpopt_parse::analysis::{Config, Report, Severity};
use tcpopt_parse::pipeline::CaptureAnalysis;

use crate::args::{AnalyzeArgs, ColorChoice, FailOn, ReportFormat};
use crate::input::Input;
use crate::report_text;
use crate::ExitCode;

/// The outcome of one input.
enum Outcome {
    Report(Box<Report>),
    /// The input could not be opened or read at all.
    Unusable,
}

fn analyse_one(path: &std::path::Path) -> (Outcome, String) {
    let mut input = match Input::open(path) {
        Ok(i) => i,
        Err(msg) => {
            eprintln!("tcpopt: {msg}");
            return (Outcome::Unusable, path.display().to_string());
        }
    };
    let mut analysis = CaptureAnalysis::new(Config::default());
    let read = input.pump(|chunk| analysis.push(chunk));
    if let Err(msg) = &read {
        eprintln!("tcpopt: {msg}");
    }
    let report = analysis.finish();
    if let Some(e) = report.capture.errors.first().filter(|_| !report.capture.complete) {
        eprintln!("tcpopt: {}: {}", input.name, e.message);
        if report.capture.packets == 0 {
            return (Outcome::Unusable, input.name);
        }
    }
    (Outcome::Report(Box::new(report)), input.name)
}

fn threshold(f: FailOn) -> Option<Severity> {
    match f {
        FailOn::Never => None,
        FailOn::Info => Some(Severity::Info),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Critical => Some(Severity::Critical),
    }
}

pub fn run(args: &AnalyzeArgs, out: &mut dyn Write) -> ExitCode {
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut code = ExitCode::Ok;
    let mut reports: Vec<(String, Report)> = Vec::new();
    let several = args.files.len() > 1;
    for (i, path) in args.files.iter().enumerate() {
        let (outcome, name) = analyse_one(path);
        let report = match outcome {
            Outcome::Unusable => {
                code = code.max(ExitCode::Unusable);
                continue;
            }
            Outcome::Report(r) => *r,
        };
        if let (Some(t), Some(max)) = (threshold(args.fail_on), report.max_severity()) {
            if max >= t {
                code = code.max(ExitCode::Findings);
            }
        }
        if !report.capture.complete && code == ExitCode::Ok {
            code = ExitCode::Partial;
        }
        // Text and JSON lines are printed as each file finishes; a JSON
        // array of several reports is printed at the end.
        let written = match args.format {
            ReportFormat::Text => {
                let sep = if several && i > 0 { "\n" } else { "" };
                let head = if several { format!("{sep}== {name}\n") } else { String::new() };
                write!(out, "{head}{}", report_text::render(&report, color))
            }
            ReportFormat::Jsonl => report
                .findings
                .iter()
                .try_for_each(|f| {
                    let mut v = serde_json::to_value(f).unwrap_or_default();
                    if several {
                        v["file"] = serde_json::Value::String(name.clone());
                    }
                    writeln!(out, "{v}")
                }),
            ReportFormat::Json => {
                reports.push((name, report));
                Ok(())
            }
        };
        if written.and_then(|_| out.flush()).is_err() {
            return code;
        }
    }
    if args.format == ReportFormat::Json {
        let text = if several {
            let all: Vec<serde_json::Value> = reports
                .iter()
                .map(|(name, r)| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    v["file"] = serde_json::Value::String(name.clone());
                    v
                })
                .collect();
            serde_json::to_string_pretty(&all)
        } else if let Some((_, r)) = reports.first() {
            serde_json::to_string_pretty(r)
        } else {
            Ok(String::new())
        };
        if let Ok(t) = text {
            if !t.is_empty() {
                let _ = writeln!(out, "{t}");
            }
        }
    }
    code
}
