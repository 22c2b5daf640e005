//! `tcpopt`: a thin command line over `tcpopt-parse`.
#![forbid(unsafe_code)]

mod analyze;
mod args;
mod dump;
mod exit;
mod fault;
mod input;
mod progress;
mod report_text;
mod segment_fmt;
mod tables;

use std::io::{self, BufWriter, Write};

use clap::{CommandFactory, Parser};

use exit::ExitCode;

/// A panic is a bug: one line asking for a report, never a backtrace
/// (ripgrep does the same), and the status of unusable input.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            String::from("panic")
        };
        let msg = msg.lines().next().unwrap_or("").to_string();
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        // stderr may be closed too; nothing more to do then.
        let _ = writeln!(
            io::stderr(),
            "tcpopt: internal error{place}: {msg}; please report it with the command line and, if you can, the capture"
        );
        std::process::exit(ExitCode::Unusable as i32);
    }));
}

fn main() {
    install_panic_hook();
    if cfg!(debug_assertions) && std::env::var_os("TCPOPT_TEST_PANIC").is_some() {
        // Lets the tests check the hook's output (debug builds only).
        panic!("test panic requested by TCPOPT_TEST_PANIC");
    }
    let cli = args::Cli::parse();
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let progress = cli.progress;
    let code = match &cli.command {
        args::Command::Dump(a) => dump::run(a, progress, &mut out),
        args::Command::Analyze(a) => analyze::run(a, progress, &mut out),
        args::Command::Flows(a) => tables::flows(a, progress, &mut out),
        args::Command::Clocks(a) => tables::clocks(a, progress, &mut out),
        args::Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut args::Cli::command(), "tcpopt", &mut out);
            ExitCode::Ok
        }
        args::Command::Man => {
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = clap_mangen::Man::new(args::Cli::command()).render(&mut out);
            ExitCode::Ok
        }
    };
    // Errors here are a closed pipe: the reader went away, which is fine.
    let _ = out.flush();
    drop(out);
    std::process::exit(code as i32);
}
