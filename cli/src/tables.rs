//! `tcpopt flows` and `tcpopt clocks`: the report's flows and clock lines
//! as tables, aligned text for people or CSV (RFC 4180 quoting) for
//! spreadsheets and scripts. Nothing is computed here: the cells are the
//! report's values or [`tcpopt_parse::present`]'s text (the page's flows
//! table shows the same [`FlowRow`]s); this only lays them out.

use std::io::Write;

use tcpopt_parse::analysis::{ClockPair, FlowReport, Report};
use tcpopt_parse::present::{self, FlowRow};

use crate::analyze::{analyse_path, progress_mode, Analysed};
use crate::args::{TableArgs, TableFormat};
use crate::exit::ExitCode;

/// How a column is aligned in the text form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Table {
    /// Text headers (upper case, short) and CSV headers (snake_case).
    columns: Vec<(&'static str, &'static str, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: Vec<(&'static str, &'static str, Align)>) -> Table {
        Table {
            columns,
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are empty, extra ones are dropped.
    pub fn row(&mut self, mut cells: Vec<String>) {
        cells.resize(self.columns.len(), String::new());
        self.rows.push(cells);
    }

    /// Aligned columns separated by two spaces; empty cells print `-` so
    /// that `awk` sees the same number of fields on every line.
    pub fn text(&self) -> String {
        let cell = |s: &str| {
            if s.is_empty() {
                "-".to_string()
            } else {
                s.to_string()
            }
        };
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.0.chars().count()).collect();
        for r in &self.rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell(c).chars().count());
            }
        }
        let mut out = String::new();
        let headers: Vec<String> = self.columns.iter().map(|c| c.0.to_string()).collect();
        for r in std::iter::once(&headers).chain(&self.rows) {
            let mut line = String::new();
            for (i, ((c, w), col)) in r.iter().zip(&widths).zip(&self.columns).enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let c = cell(c);
                let pad = w.saturating_sub(c.chars().count());
                match col.2 {
                    Align::Left => {
                        line.push_str(&c);
                        line.push_str(&" ".repeat(pad));
                    }
                    Align::Right => {
                        line.push_str(&" ".repeat(pad));
                        line.push_str(&c);
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// CSV with a header row; cells with a comma, quote or newline are quoted.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        let headers: Vec<String> = self.columns.iter().map(|c| c.1.to_string()).collect();
        for r in std::iter::once(&headers).chain(&self.rows) {
            out.push_str(&present::csv_line(r));
        }
        out
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn flows_table(report: &Report, csv: bool) -> Table {
    use Align::{Left, Right};
    let mut t = if csv {
        Table::new(
            present::FLOW_CSV_COLUMNS
                .iter()
                .map(|c| ("", *c, Right))
                .collect(),
        )
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
        if csv {
            t.row(present::flow_csv_cells(&report.clocks, f).to_vec());
        } else {
            let row = FlowRow::of(&report.clocks, f);
            t.row(vec![
                row.index.to_string(),
                row.client,
                row.server,
                row.handshake,
                row.syns.to_string(),
                row.ts,
                row.frames,
                row.first_tsval,
                row.last_tsval,
                row.rate_hz,
                row.clock,
                row.fin,
                row.rst,
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
        let class = present::class_name(p.classification).to_string();
        let no_ts = p.connections_without_ts.to_string();
        if p.lines.is_empty() {
            let mut row = vec![p.client.clone(), p.server.clone(), class.clone()];
            row.resize(10, String::new());
            row.push(no_ts);
            t.row(row);
            continue;
        }
        for l in &p.lines {
            let i = l.id as usize;
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
                if csv {
                    i.to_string()
                } else {
                    present::line_label(i)
                },
                l.summary.connections.to_string(),
                present::hz_cell(l.summary.rate_hz),
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
    // list is the analyzer's stream (a flow as it ends; one whose client
    // sent TSvals once its clock line is known). CSV and JSONL rows are
    // written as they come, in constant memory; the aligned text table and
    // the JSON array need every row first.
    let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
    // A write error is a closed pipe (`| head`): stop writing, quietly.
    let mut broken = false;
    if args.format == TableFormat::Csv {
        broken = w
            .write_all(present::csv_line(&present::FLOW_CSV_COLUMNS).as_bytes())
            .is_err();
    }
    let mut all: Vec<FlowReport> = Vec::new();
    let got = crate::analyze::analyse_path_streaming(
        &args.file,
        progress_mode(progress),
        Some(&mut |f: &FlowReport| {
            if broken {
                return;
            }
            broken = match args.format {
                TableFormat::Csv => w
                    .write_all(present::csv_line(&present::flow_csv_cells(&[], f)).as_bytes())
                    .is_err(),
                TableFormat::Jsonl => {
                    serde_json::to_writer(&mut w, f).is_err() || w.write_all(b"\n").is_err()
                }
                TableFormat::Text | TableFormat::Json => {
                    all.push(f.clone());
                    false
                }
            };
        }),
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
    // Collected rows get the rate measured at the end.
    for f in all.iter_mut() {
        f.client_rate_hz = present::client_rate_hz(&report.clocks, f);
    }
    report.flows = all;
    let text = match args.format {
        TableFormat::Text => flows_table(&report, false).text(),
        TableFormat::Json => serde_json::to_string_pretty(&report.flows).unwrap_or_default() + "\n",
        TableFormat::Csv | TableFormat::Jsonl => String::new(),
    };
    if !broken {
        let _ = w.write_all(text.as_bytes()).and_then(|_| w.flush());
    }
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
        TableFormat::Jsonl => report
            .clocks
            .iter()
            .filter_map(|p| serde_json::to_string(p).ok())
            .map(|l| l + "\n")
            .collect(),
    };
    let _ = out.write_all(text.as_bytes());
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_aligns_and_csv_quotes() {
        let mut t = Table::new(vec![
            ("NAME", "name", Align::Left),
            ("N", "n", Align::Right),
        ]);
        t.row(vec!["a,b".into(), "7".into()]);
        t.row(vec!["long name".into(), "".into()]);
        assert_eq!(t.text(), "NAME       N\na,b        7\nlong name  -\n");
        assert_eq!(t.csv(), "name,n\n\"a,b\",7\nlong name,\n");
    }
}
