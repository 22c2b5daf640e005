//! `tcpopt`: a thin command line over `tcpopt-parse`.
#![forbid(unsafe_code)]

mod analyze;
mod args;
mod dump;
mod input;
mod report_text;
mod segment_fmt;

use std::io::{self, BufWriter};

use clap::Parser;

/// The process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitCode {
    /// Nothing at or above the `--fail-on` threshold.
    Ok = 0,
    /// A finding at or above the threshold.
    Findings = 1,
    /// Unusable input (missing, not a capture) or bad arguments.
    Unusable = 2,
    /// The capture was damaged or cut: what came before was reported.
    Partial = 3,
}

fn main() {
    let cli = args::Cli::parse();
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let code = match &cli.command {
        args::Command::Dump(a) => dump::run(a, &mut out),
        args::Command::Analyze(a) => analyze::run(a, &mut out),
    };
    drop(out);
    std::process::exit(code as i32);
}
