//! `tcpopt flows` and `tcpopt clocks`: the report's flows and clock lines
//! as tables. Nothing is computed here that the analysis did not already
//! put in the [`Report`]; this only lays it out.

use std::io::Write;

use tcpopt_parse::analysis::{ClockPair, FlowReport, Report, Side};

use crate::analyze::{analyse_path, progress_mode, Analysed};
use crate::args::{TableArgs, TableFormat};
use crate::table::{Align, Table};
use crate::ExitCode;

/// A serde enum's snake_case name (`syn_unanswered`), as in the JSON.
fn name_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A rate in Hz: whole numbers when snapped or whole, one decimal otherwise.
fn hz(v: Option<f64>) -> String {
    match v {
        Some(h) if (h - h.round()).abs() < 1e-6 => format!("{h:.0}"),
        Some(h) => format!("{h:.1}"),
        None => String::new(),
    }
}

fn endpoint(addr: &str, port: u16) -> String {
    if addr.contains(':') {
        format!("[{addr}]:{port}")
    } else {
        format!("{addr}:{port}")
    }
}

fn side(s: Option<Side>) -> String {
    s.map(|s| name_of(&s)).unwrap_or_default()
}

/// The rate of the client's clock line for this flow, from the report's clocks.
fn client_rate(report: &Report, f: &FlowReport) -> Option<f64> {
    let pair = report
        .clocks
        .iter()
        .find(|p| p.client == f.client && p.server == f.server)?;
    pair.lines.get(f.clock_line?)?.summary.rate_hz
}

/// A flow in `flows --format json`: the report's object, plus the rate of
/// its client's clock line (so that a script needs no join).
#[derive(serde::Serialize)]
struct FlowOut<'a> {
    #[serde(flatten)]
    flow: &'a FlowReport,
    client_rate_hz: Option<f64>,
}

fn resets(f: &FlowReport) -> String {
    match (f.client_rst, f.server_rst) {
        (true, true) => "both".into(),
        (true, false) => "client".into(),
        (false, true) => "server".into(),
        (false, false) => String::new(),
    }
}

fn flows_table(report: &Report, csv: bool) -> Table {
    use Align::{Left, Right};
    let mut t = if csv {
        Table::new(vec![
            ("", "index", Right),
            ("", "client", Left),
            ("", "client_port", Right),
            ("", "server", Left),
            ("", "server_port", Right),
            ("", "handshake", Left),
            ("", "syns", Right),
            ("", "syn_retransmissions", Right),
            ("", "ts_negotiated", Left),
            ("", "first_frame", Right),
            ("", "last_frame", Right),
            ("", "client_first_tsval", Right),
            ("", "client_last_tsval", Right),
            ("", "server_first_tsval", Right),
            ("", "server_last_tsval", Right),
            ("", "client_rate_hz", Right),
            ("", "clock_line", Right),
            ("", "first_fin", Left),
            ("", "client_rst", Left),
            ("", "server_rst", Left),
            ("", "mid_stream", Left),
            ("", "probe", Left),
            ("", "previous_flow", Right),
        ])
    } else {
        Table::new(vec![
            ("#", "", Right),
            ("CLIENT", "", Left),
            ("SERVER", "", Left),
            ("HANDSHAKE", "", Left),
            ("SYNS", "", Right),
            ("TS", "", Left),
            ("FRAMES", "", Left),
            ("FIRST_TSVAL", "", Right),
            ("LAST_TSVAL", "", Right),
            ("RATE_HZ", "", Right),
            ("CLOCK", "", Right),
            ("FIN", "", Left),
            ("RST", "", Left),
        ])
    };
    for f in &report.flows {
        let rate = hz(client_rate(report, f));
        let handshake = name_of(&f.handshake);
        if csv {
            t.row(vec![
                f.index.to_string(),
                f.client.clone(),
                f.client_port.to_string(),
                f.server.clone(),
                f.server_port.to_string(),
                handshake,
                f.syns.to_string(),
                f.syn_retransmissions.to_string(),
                f.ts_negotiated.to_string(),
                f.first_frame.to_string(),
                f.last_frame.to_string(),
                opt(f.client_ts.first_tsval),
                opt(f.client_ts.last_tsval),
                opt(f.server_ts.first_tsval),
                opt(f.server_ts.last_tsval),
                rate,
                opt(f.clock_line),
                side(f.first_fin),
                f.client_rst.to_string(),
                f.server_rst.to_string(),
                f.mid_stream.to_string(),
                f.probe.to_string(),
                opt(f.previous_flow),
            ]);
        } else {
            t.row(vec![
                f.index.to_string(),
                endpoint(&f.client, f.client_port),
                endpoint(&f.server, f.server_port),
                handshake,
                f.syns.to_string(),
                if f.ts_negotiated {
                    "yes".into()
                } else {
                    "no".into()
                },
                format!("{}-{}", f.first_frame, f.last_frame),
                opt(f.client_ts.first_tsval),
                opt(f.client_ts.last_tsval),
                rate,
                opt(f.clock_line),
                side(f.first_fin),
                resets(f),
            ]);
        }
    }
    t
}

fn flows_list(list: &[usize]) -> String {
    let v: Vec<String> = list.iter().map(|i| i.to_string()).collect();
    v.join(" ")
}

fn clocks_table(clocks: &[ClockPair], csv: bool) -> Table {
    use Align::{Left, Right};
    let cols: [(&'static str, &'static str, Align); 12] = [
        ("CLIENT", "client", Left),
        ("SERVER", "server", Left),
        ("CLASSIFICATION", "classification", Left),
        ("LINE", "line", Right),
        ("CONNS", "connections", Right),
        ("RATE_HZ", "rate_hz", Right),
        ("SNAPPED", "rate_snapped", Left),
        ("OFFSET", "offset", Right),
        ("SPAN_S", "span_s", Right),
        ("SKEW_PPM", "skew_ppm", Right),
        ("NO_TS", "connections_without_ts", Right),
        ("FLOWS", "flows", Left),
    ];
    let mut t = Table::new(cols.to_vec());
    for p in clocks {
        let class = name_of(&p.classification);
        let no_ts = p.connections_without_ts.to_string();
        if p.lines.is_empty() {
            let mut row = vec![p.client.clone(), p.server.clone(), class.clone()];
            row.resize(10, String::new());
            row.push(no_ts);
            t.row(row);
            continue;
        }
        for (i, l) in p.lines.iter().enumerate() {
            let snapped = if csv {
                l.rate_snapped.to_string()
            } else if l.rate_snapped {
                "yes".into()
            } else {
                "no".into()
            };
            t.row(vec![
                p.client.clone(),
                p.server.clone(),
                class.clone(),
                i.to_string(),
                l.summary.connections.to_string(),
                hz(l.summary.rate_hz),
                snapped,
                opt(l.summary.offset),
                format!("{:.1}", l.span_s),
                l.skew_ppm.map(|s| format!("{s:.1}")).unwrap_or_default(),
                no_ts.clone(),
                flows_list(&l.flows),
            ]);
        }
    }
    t
}

/// Runs the analysis for a table command; `Err` carries the exit code.
fn analysed(args: &TableArgs, progress: bool) -> Result<(Report, ExitCode), ExitCode> {
    match analyse_path(&args.file, progress_mode(progress)) {
        None => Err(ExitCode::Unusable),
        Some(Analysed {
            report, partial, ..
        }) => Ok((
            report,
            if partial {
                ExitCode::Partial
            } else {
                ExitCode::Ok
            },
        )),
    }
}

pub fn flows(args: &TableArgs, progress: bool, out: &mut dyn Write) -> ExitCode {
    // Schema v2: the report lists only flows findings name; the complete
    // list is the analyzer's stream of retired flows (engine's plumbing;
    // the rows are still collected here for the aligned text table).
    let mut all: Vec<FlowReport> = Vec::new();
    let got = crate::analyze::analyse_path_streaming(
        &args.file,
        progress_mode(progress),
        Some(&mut |f: &FlowReport| all.push(f.clone())),
    );
    let (mut report, code) = match got {
        None => return ExitCode::Unusable,
        Some(Analysed {
            report, partial, ..
        }) => (
            report,
            if partial {
                ExitCode::Partial
            } else {
                ExitCode::Ok
            },
        ),
    };
    all.sort_by_key(|f| f.index);
    for f in all.iter_mut().filter(|f| f.clock_line.is_none()) {
        f.clock_line = report
            .clocks
            .iter()
            .filter(|p| p.client == f.client && p.server == f.server)
            .flat_map(|p| p.lines.iter().enumerate())
            .find(|(_, l)| l.flows.contains(&f.index))
            .map(|(i, _)| i);
    }
    report.flows = all;
    let text = match args.format {
        TableFormat::Text => flows_table(&report, false).text(),
        TableFormat::Csv => flows_table(&report, true).csv(),
        TableFormat::Json => {
            let list: Vec<FlowOut<'_>> = report
                .flows
                .iter()
                .map(|flow| FlowOut {
                    flow,
                    client_rate_hz: client_rate(&report, flow),
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
    };
    // A write error is a closed pipe: quiet.
    let _ = out.write_all(text.as_bytes());
    code
}

pub fn clocks(args: &TableArgs, progress: bool, out: &mut dyn Write) -> ExitCode {
    let (report, code) = match analysed(args, progress) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let text = match args.format {
        TableFormat::Text => {
            let mut s = clocks_table(&report.clocks, false).text();
            if !report.clocks.is_empty() {
                s.push('\n');
            }
            for p in &report.clocks {
                s.push_str(&format!(
                    "{} -> {}: {}\n",
                    p.client, p.server, p.description
                ));
            }
            s
        }
        TableFormat::Csv => clocks_table(&report.clocks, true).csv(),
        TableFormat::Json => {
            serde_json::to_string_pretty(&report.clocks).unwrap_or_default() + "\n"
        }
    };
    let _ = out.write_all(text.as_bytes());
    code
}
