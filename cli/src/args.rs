//! Command-line arguments: definitions only, no work (as ripgrep keeps them apart).
//! The man page and the shell completions are generated from these same
//! definitions (`tcpopt man`, `tcpopt completions SHELL`).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Find TCP timestamp anomalies in packet captures: tcp_tw_recycle drops, several
/// timestamp clocks behind one NAT address, TIME_WAIT rejections, PAWS.
#[derive(Debug, Parser)]
#[command(
    name = "tcpopt",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Inputs are pcap or pcapng files, detected by content; gzip and zstd compressed captures are\n\
                  decompressed while streaming; `-` reads standard input (tcpdump -U -w - | tcpopt analyze -).\n\n\
                  Examples:\n  tcpopt analyze capture.pcapng\n  tcpopt flows capture.pcap.gz\n  \
                  tcpopt clocks --format csv capture.pcap\n  tcpopt dump --port 80 capture.pcapng | head"
)]
pub struct Cli {
    /// Show progress on standard error: a bar (bytes, rate, time left) on a terminal, a plain
    /// line every 2 s otherwise. Without it: a bar only on a terminal, for files over 8 MB.
    #[arg(long, global = true)]
    pub progress: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse captures and report timestamp anomalies with their frames and remedies.
    #[command(after_help = concat!(
        "Examples:\n  tcpopt analyze capture.pcapng\n  tcpopt analyze --format json a.pcap b.pcap.gz\n  \
         tcpdump -U -w - port 80 | tcpopt analyze -\n  \
         tcpopt analyze --fail-on warning capture.pcap || echo 'look at this'\n\n",
        "Exit status: 0 nothing at or above --fail-on, 1 something was, 2 unusable input or arguments,\n\
         3 the report is incomplete: the capture was damaged or cut and only the part before the damage\n\
         was analysed, or packets that may hold TCP could not be decoded (3 wins over 1)."
    ))]
    Analyze(AnalyzeArgs),
    /// Print every TCP segment with its options (text like tcpdump, JSON lines or CSV).
    #[command(
        after_help = "Examples:\n  tcpopt dump capture.pcapng\n  tcpopt dump --format jsonl --port 80 capture.pcap\n  \
                            tcpopt dump --format csv --host 198.51.100.1 capture.pcap.zst > segments.csv\n  \
                            tcpopt dump --all capture.pcap     # also a short line per non-TCP frame\n\n\
                            Exit status: 0 read to the end, 2 unusable input, 3 the capture was damaged or cut\n\
                            (everything before the damage was printed) or packets that may hold TCP could not\n\
                            be decoded (stderr says which and how many)."
    )]
    Dump(DumpArgs),
    /// Table of the flows: client, server, handshake outcome, timestamps, first and last TSval, clock rate.
    #[command(
        after_help = "Examples:\n  tcpopt flows capture.pcapng\n  tcpopt flows --format csv capture.pcap > flows.csv\n  \
                            tcpopt flows --format json capture.pcap | jq '.[] | select(.handshake != \"completed\")'\n\n\
                            Exit status: 0 read to the end, 2 unusable input, 3 the capture was damaged or cut,\n\
                            or packets that may hold TCP could not be decoded."
    )]
    Flows(TableArgs),
    /// Table of the TSval clock lines per client and server address (rate, offset, skew, connections).
    #[command(
        after_help = "Examples:\n  tcpopt clocks capture.pcapng\n  tcpopt clocks --format json capture.pcap.zst\n\n\
                            A line is one TSval clock: several lines behind one client address that each carry\n\
                            several connections mean NAT; one line per connection means per-connection offsets.\n\n\
                            Exit status: 0 read to the end, 2 unusable input, 3 the capture was damaged or cut,\n\
                            or packets that may hold TCP could not be decoded."
    )]
    Clocks(TableArgs),
    /// Correlate two captures of the same traffic (e.g. inside a container and at the server):
    /// which segments crossed, which were lost between the points and which way, the NAT mapping,
    /// what the path rewrote (TCP options, timestamps), the clock offset and the one-way delay.
    #[command(after_help = concat!(
        "Examples:\n  tcpopt correlate server.pcapng container.pcap\n  \
         tcpopt correlate --format json a.pcap b.pcap | jq .verdict\n  \
         tcpopt correlate --ladder 3 a.pcap b.pcap     # the two-column ladder of attempt 3\n\n",
        "Exit status: 0 nothing at or above --fail-on, 1 something was, 2 unusable input or arguments,\n\
         3 a capture was damaged or cut and only the part before the damage was correlated."
    ))]
    Correlate(CorrelateArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to standard output.
    #[command(
        after_help = "Examples:\n  tcpopt completions bash > ~/.local/share/bash-completion/completions/tcpopt\n  \
                            tcpopt completions zsh > ~/.zfunc/_tcpopt\n  \
                            tcpopt completions fish > ~/.config/fish/completions/tcpopt.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output.
    #[command(
        after_help = "Examples:\n  tcpopt man > /usr/local/share/man/man1/tcpopt.1\n  tcpopt man | man -l -"
    )]
    Man,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Text,
    Json,
    Csv,
    Jsonl,
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
    /// Output format: text for people, json for the report schema (an array for several files),
    /// jsonl for one finding per line.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Exit with status 1 when a finding at or above this severity was found.
    #[arg(long, value_enum, default_value_t = FailOn::Critical)]
    pub fail_on: FailOn,
    /// Colour in the text output (auto: only when standard output is a terminal and NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// With two files: also correlate them as two captures of the same traffic (see `tcpopt
    /// correlate`); json then prints {"reports": [...], "correlation": {...}}.
    #[arg(long)]
    pub correlate: bool,
}

#[derive(Debug, clap::Args)]
pub struct CorrelateArgs {
    /// The first capture (A), e.g. at the server; `-` reads standard input.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The second capture (B), e.g. inside the container.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Output format: text for people, json for the correlation report.
    #[arg(long, value_enum, default_value_t = CorrelateFormat::Text)]
    pub format: CorrelateFormat,
    /// Also print the two-column ladder (A's frames left, B's right) of this attempt (text).
    #[arg(long, value_name = "ATTEMPT")]
    pub ladder: Option<u64>,
    /// Exit with status 1 when a finding at or above this severity was found.
    #[arg(long, value_enum, default_value_t = FailOn::Critical)]
    pub fail_on: FailOn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CorrelateFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DumpArgs {
    /// Capture file (pcap or pcapng, optionally gzip or zstd compressed); `-` reads standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: PathBuf,
    /// Output format: text like tcpdump's TCP line, jsonl (one JSON object per segment) or csv (with a header row).
    #[arg(long, value_enum, default_value_t = DumpFormat::Text)]
    pub format: DumpFormat,
    /// Only TCP segments (the default): frames that carry no TCP header are skipped silently.
    #[arg(long, default_value_t = true, overrides_with = "all", action = clap::ArgAction::SetTrue)]
    pub tcp_only: bool,
    /// Also print a short line for every frame that is not TCP (protocol, or why it could not be
    /// decoded); --host and --port still apply where the frame has them.
    #[arg(long, overrides_with = "tcp_only")]
    pub all: bool,
    /// Only segments to or from this address.
    #[arg(long, value_name = "ADDR")]
    pub host: Option<std::net::IpAddr>,
    /// Only segments to or from this port.
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
}

#[derive(Debug, clap::Args)]
pub struct TableArgs {
    /// Capture file (pcap or pcapng, optionally gzip or zstd compressed); `-` reads standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: PathBuf,
    /// Output format: text (aligned columns), json (an array of the report's objects), csv (with
    /// a header row) or jsonl (one object per line). `flows` writes csv and jsonl rows as the
    /// flows end, in constant memory on any capture (in that order, not sorted); text and json
    /// collect every row first.
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,
}
