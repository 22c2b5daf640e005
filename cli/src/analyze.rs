//! `tcpopt analyze`: the report, as text for people or JSON for scripts;
//! and [`analyse_path`], the one way every report-based command (analyze,
//! flows, clocks) reads an input.

use std::io::{IsTerminal, Write};
use std::path::Path;

use tcpopt_parse::analysis::{Config, Report, Severity};
use tcpopt_parse::pipeline::CaptureAnalysis;

use crate::args::{AnalyzeArgs, ColorChoice, FailOn, ReportFormat};
use crate::exit::ExitCode;
use crate::fault::Fault;
use crate::input::{Input, Piece};
use crate::progress::ProgressMode;
use crate::report_text;

/// One input, analysed.
pub struct Analysed {
    pub name: String,
    pub report: Report,
    /// Set when reading stopped early (the report covers what came before),
    /// or when packets that may hold TCP could not be decoded.
    pub partial: bool,
    /// Why reading stopped early, when the capture itself was at fault.
    pub fault: Option<Fault>,
}

/// Opens and analyses one input, printing the one-line error to stderr when
/// there is one. `None`: the input was unusable (missing, not a capture,
/// empty), nothing to report.
pub fn analyse_path(path: &Path, progress: ProgressMode) -> Option<Analysed> {
    analyse_path_streaming(path, progress, None)
}

/// [`analyse_path`], handing every flow to `on_flow` as it is retired
/// (the complete flow list, in constant memory, for `tcpopt flows`).
pub fn analyse_path_streaming(
    path: &Path,
    progress: ProgressMode,
    mut on_flow: Option<&mut dyn FnMut(&tcpopt_parse::analysis::FlowReport)>,
) -> Option<Analysed> {
    let mut input = match Input::open(path, progress) {
        Ok(i) => i,
        Err(msg) => {
            eprintln!("tcpopt: {msg}");
            return None;
        }
    };
    let mut analysis = CaptureAnalysis::new(Config {
        stream_flows: on_flow.is_some(),
        // The retired flows' clustering and detectors on the second core:
        // the same report, and most of a busy server's work (BENCHMARKS.md).
        // On one core the two threads would only take turns.
        worker_thread: std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2),
        ..Config::default()
    });
    let read = input.pump_pieces(|piece| {
        match piece {
            Piece::Raw(chunk) => analysis.push(chunk),
            Piece::Decompressed {
                compression,
                compressed_len,
                bytes,
            } => analysis.push_decompressed(compression, compressed_len, bytes),
            Piece::Failed { compression, error } => analysis.fail_decompression(compression, error),
        }
        if let Some(f) = on_flow.as_mut() {
            for r in analysis.drain_retired() {
                f(&r);
            }
        }
        // Nothing more will be read after a fault: stop reading a pipe.
        analysis.fault().is_none()
    });
    let report = match on_flow {
        Some(f) => analysis.finish_streaming(&mut |_| {}, f),
        None => analysis.finish(),
    };
    let mut partial = false;
    let mut stopped = None;
    if let Err(msg) = &read {
        eprintln!("tcpopt: {msg}");
        partial = true;
    }
    if let Some(e) = report
        .capture
        .errors
        .first()
        .filter(|_| !report.capture.complete)
    {
        let fault = Fault::from_capture_error(e);
        eprintln!("tcpopt: {}", fault.line(&input.name));
        if report.capture.packets == 0 && read.is_ok() {
            return None;
        }
        partial = true;
        stopped = Some(fault);
    }
    // TCP that could not be decoded makes the report incomplete too.
    if let Some(s) = &report.capture.undecoded.summary {
        eprintln!("tcpopt: {}: {s}", input.name);
        partial = true;
    }
    Some(Analysed {
        name: input.name,
        report,
        partial,
        fault: stopped,
    })
}

/// A report in the JSON array of several files: the report's own fields
/// in schema order, plus `file`.
#[derive(serde::Serialize)]
struct WithFile<'a> {
    file: &'a str,
    #[serde(flatten)]
    report: &'a Report,
}

/// One `--format jsonl` line: a finding, plus `file` with several inputs.
#[derive(serde::Serialize)]
struct FindingLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(flatten)]
    finding: &'a tcpopt_parse::analysis::Finding,
}

fn threshold(f: FailOn) -> Option<Severity> {
    match f {
        FailOn::Never => None,
        FailOn::Info => Some(Severity::Info),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Critical => Some(Severity::Critical),
    }
}

/// `--progress` forces it; otherwise the automatic rule of [`crate::progress`].
pub fn progress_mode(forced: bool) -> ProgressMode {
    if forced {
        ProgressMode::Always
    } else {
        ProgressMode::Auto
    }
}

pub fn run(args: &AnalyzeArgs, progress: bool, out: &mut dyn Write) -> ExitCode {
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let mut code = ExitCode::Ok;
    let mut reports: Vec<(String, Report)> = Vec::new();
    let several = args.files.len() > 1;
    let mut first_printed = true;
    for path in &args.files {
        let Some(Analysed {
            name,
            report,
            partial,
            fault,
        }) = analyse_path(path, progress_mode(progress))
        else {
            code = code.worst(ExitCode::Unusable);
            continue;
        };
        if let (Some(t), Some(max)) = (threshold(args.fail_on), report.max_severity()) {
            if max >= t {
                code = code.worst(ExitCode::Findings);
            }
        }
        if partial {
            code = code.worst(ExitCode::Partial);
        }
        // Text and JSON lines are printed (and flushed) as each file
        // finishes; a JSON array of several reports is printed at the end.
        let written = match args.format {
            ReportFormat::Text => {
                let sep = if several && !first_printed { "\n" } else { "" };
                let head = if several {
                    format!("{sep}== {name}\n")
                } else {
                    String::new()
                };
                write!(
                    out,
                    "{head}{}",
                    report_text::render(&report, fault.as_ref(), color)
                )
            }
            ReportFormat::Jsonl => report.findings.iter().try_for_each(|finding| {
                // Serialised directly, so the fields keep the schema's order.
                let line = serde_json::to_string(&FindingLine {
                    file: several.then_some(name.as_str()),
                    finding,
                });
                writeln!(out, "{}", line.unwrap_or_default())
            }),
            ReportFormat::Json => {
                reports.push((name, report));
                Ok(())
            }
        };
        first_printed = false;
        if written.and_then(|_| out.flush()).is_err() {
            // The reader went away (`| head`): stop quietly.
            return code;
        }
    }
    if args.format == ReportFormat::Json {
        // Written as it is serialised: a busy capture's report is tens of
        // MB, and a string of it would double the peak memory.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
        let written = if several {
            let all: Vec<WithFile<'_>> = reports
                .iter()
                .map(|(file, report)| WithFile { file, report })
                .collect();
            serde_json::to_writer_pretty(&mut out, &all).map(|_| true)
        } else if let Some((_, r)) = reports.first() {
            serde_json::to_writer_pretty(&mut out, r).map(|_| true)
        } else {
            Ok(false)
        };
        if let Ok(true) = written {
            let _ = writeln!(out);
        }
        let _ = out.flush();
    }
    code
}
