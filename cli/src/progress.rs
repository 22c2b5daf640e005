//! Progress on standard error: an indicatif bar (bytes, rate, time left)
//! when stderr is a terminal and the input is a file over [`AUTO_MIN_BYTES`];
//! with `--progress`, always: the bar on a terminal, otherwise a plain line
//! every [`LINE_INTERVAL`] (a log file or CI output has no use for a bar
//! redrawn with carriage returns).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether to show progress on standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A bar only when stderr is a terminal and the input is a large file.
    Auto,
    /// Always (`--progress`): a bar on a terminal, periodic lines otherwise.
    Always,
    /// Never (the output itself goes to the terminal as it is read).
    Never,
}

/// Files smaller than this read fast enough not to need a bar.
pub const AUTO_MIN_BYTES: u64 = 8 * 1024 * 1024;
/// Interval between plain progress lines when stderr is not a terminal.
const LINE_INTERVAL: Duration = Duration::from_secs(2);

pub enum Progress {
    Bar(ProgressBar),
    Lines {
        name: String,
        total: Option<u64>,
        done: u64,
        start: Instant,
        last: Instant,
    },
}

impl Progress {
    /// `None` when nothing should be shown.
    pub fn new(name: &str, size: Option<u64>, mode: ProgressMode) -> Option<Progress> {
        let tty = std::io::stderr().is_terminal();
        let show = match mode {
            ProgressMode::Never => false,
            ProgressMode::Always => true,
            ProgressMode::Auto => tty && size.is_some_and(|s| s > AUTO_MIN_BYTES),
        };
        if !show {
            return None;
        }
        if !tty {
            let now = Instant::now();
            return Some(Progress::Lines {
                name: name.to_string(),
                total: size,
                done: 0,
                start: now,
                last: now,
            });
        }
        let bar = match size {
            Some(total) => {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec}, {eta} left",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar
            }
            None => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix} {spinner} {bytes} {binary_bytes_per_sec}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar
            }
        };
        bar.set_prefix(name.to_string());
        Some(Progress::Bar(bar))
    }

    pub fn advance(&mut self, n: u64) {
        match self {
            Progress::Bar(b) => b.inc(n),
            Progress::Lines {
                name,
                total,
                done,
                start,
                last,
            } => {
                *done += n;
                let now = Instant::now();
                if now.duration_since(*last) >= LINE_INTERVAL {
                    *last = now;
                    eprintln!(
                        "tcpopt: {}",
                        line(name, *done, *total, now.duration_since(*start))
                    );
                }
            }
        }
    }

    /// Clears the bar (the report follows on stdout) or prints the last line.
    pub fn finish(self) {
        match self {
            Progress::Bar(b) => b.finish_and_clear(),
            Progress::Lines {
                name,
                total,
                done,
                start,
                ..
            } => {
                eprintln!("tcpopt: {}", line(&name, done, total, start.elapsed()));
            }
        }
    }
}

/// `capture.pcap: 12.00 MiB of 40.00 MiB (30 %), 25.00 MiB/s, 1 s left`
fn line(name: &str, done: u64, total: Option<u64>, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-3);
    let rate = done as f64 / secs;
    let mut s = format!("{name}: {}", HumanBytes(done));
    if let Some(t) = total.filter(|&t| t > 0) {
        let pct = done.saturating_mul(100) / t;
        s.push_str(&format!(" of {} ({pct} %)", HumanBytes(t)));
    }
    s.push_str(&format!(", {}/s", HumanBytes(rate as u64)));
    if let Some(t) = total {
        if rate > 0.0 && t > done {
            s.push_str(&format!(", {:.0} s left", (t - done) as f64 / rate));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_line_has_bytes_rate_and_eta() {
        let l = line("a.pcap", 10 << 20, Some(40 << 20), Duration::from_secs(2));
        assert_eq!(
            l,
            "a.pcap: 10.00 MiB of 40.00 MiB (25 %), 5.00 MiB/s, 6 s left"
        );
        let l = line("<stdin>", 1024, None, Duration::from_secs(1));
        assert_eq!(l, "<stdin>: 1.00 KiB, 1.00 KiB/s");
    }
}
