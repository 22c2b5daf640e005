//! Command-line arguments: definitions only, no work (as ripgrep keeps them apart).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Find TCP timestamp anomalies in packet captures: tcp_tw_recycle drops, several
/// timestamp clocks behind one NAT address, TIME_WAIT rejections, PAWS.
#[derive(Debug, Parser)]
#[command(name = "tcpopt", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse captures and report timestamp anomalies with their frames and remedies.
    #[command(after_help = "Examples:\n  tcpopt analyze capture.pcapng\n  tcpopt analyze --format json a.pcap b.pcap.gz\n  tcpdump -U -w - port 80 | tcpopt analyze -\n  tcpopt analyze --fail-on warning capture.pcap || echo 'look at this'\n\nExit status: 0 nothing at or above --fail-on, 1 something was, 2 unusable input or arguments,\n3 the capture was damaged or cut and only the part before the damage was analysed.")]
    Analyze(AnalyzeArgs),
    /// Print every TCP segment with its options (text like tcpdump, JSON lines or CSV).
    #[command(after_help = "Examples:\n  tcpopt dump capture.pcapng\n  tcpopt dump --format jsonl --port 80 capture.pcap\n  tcpopt dump --format csv --host 198.51.100.1 capture.pcap.zst > segments.csv")]
    Dump(DumpArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DumpFormat {
    Text,
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Never,
    Info,
    Warning,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Capture files (pcap or pcapng, optionally gzip or zstd compressed); `-` reads standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    pub files: Vec<PathBuf>,
    /// Output format: text for people, json for the report schema, jsonl for one finding per line.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Exit with status 1 when a finding at or above this severity was found.
    #[arg(long, value_enum, default_value_t = FailOn::Critical)]
    pub fail_on: FailOn,
    /// Colour in the text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, clap::Args)]
pub struct DumpArgs {
    /// Capture file (pcap or pcapng, optionally gzip or zstd compressed); `-` reads standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = DumpFormat::Text)]
    pub format: DumpFormat,
    /// Only segments to or from this address.
    #[arg(long, value_name = "ADDR")]
    pub host: Option<std::net::IpAddr>,
    /// Only segments to or from this port.
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
}
