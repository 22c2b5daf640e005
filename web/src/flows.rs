//! The flows table and the exports, served from the report the engine
//! keeps: the page asks for one page of rows at a time, and the exports
//! leave as parts of a `Blob`, so nothing proportional to the number of
//! connections is ever one JavaScript string or object.
use tcpopt_parse::analysis::{FlowReport, Report};
use tcpopt_parse::present::{self, FlowRow};

/// A page of the flows table.
#[derive(Debug, serde::Serialize)]
pub(crate) struct FlowPage {
    /// Flows in the report.
    total: usize,
    /// Flows whose row contains the filter.
    matched: usize,
    /// The requested page of those.
    rows: Vec<FlowRow>,
}

fn contains_ci(row: &FlowRow, needle: &str) -> bool {
    let has = |s: &str| s.to_lowercase().contains(needle);
    has(&row.index.to_string())
        || has(&row.client)
        || has(&row.server)
        || has(&row.handshake)
        || has(&row.syns.to_string())
        || has(&row.segments.to_string())
        || has(&row.ts)
        || has(&row.frames)
        || has(&row.first_tsval)
        || has(&row.last_tsval)
        || has(&row.rate_hz)
        || has(&row.clock)
        || has(&row.fin)
        || has(&row.rst)
}

/// Sort key of a row for column `key`: numbers compare as numbers.
#[derive(PartialEq, PartialOrd)]
enum Key {
    Num(f64),
    Text(String),
}

fn key(r: &FlowRow, sort: &str) -> Key {
    let num = |s: &str| {
        s.parse::<f64>()
            .map_or_else(|_| Key::Text(s.to_owned()), Key::Num)
    };
    match sort {
        "client" => Key::Text(r.client.clone()),
        "server" => Key::Text(r.server.clone()),
        "handshake" => Key::Text(r.handshake.clone()),
        "syns" => Key::Num(f64::from(r.syns)),
        "segments" => Key::Num(r.segments as f64),
        "ts" => Key::Text(r.ts.clone()),
        "frames" => num(r.frames.split('-').next().unwrap_or("")),
        "first_tsval" => num(&r.first_tsval),
        "last_tsval" => num(&r.last_tsval),
        "rate_hz" => num(&r.rate_hz),
        "clock" => Key::Text(format!("{:>8}", r.clock)),
        "fin" => Key::Text(r.fin.clone()),
        "rst" => Key::Text(r.rst.clone()),
        _ => Key::Num(r.index as f64),
    }
}

pub(crate) fn page(
    r: &Report,
    filter: &str,
    sort: &str,
    descending: bool,
    offset: usize,
    count: usize,
) -> FlowPage {
    let needle = filter.trim().to_lowercase();
    let row = |i: usize| FlowRow::of(&r.clocks, &r.flows[i]);
    // Indices only: rows are built for the page, never for the whole table.
    let mut idx: Vec<usize> = (0..r.flows.len())
        .filter(|&i| needle.is_empty() || contains_ci(&row(i), &needle))
        .collect();
    if sort != "index" || descending {
        let mut keyed: Vec<(Key, usize)> = idx.iter().map(|&i| (key(&row(i), sort), i)).collect();
        keyed.sort_by(|a, b| {
            let o = a.0.partial_cmp(&b.0).unwrap_or(core::cmp::Ordering::Equal);
            (if descending { o.reverse() } else { o }).then(a.1.cmp(&b.1))
        });
        idx = keyed.into_iter().map(|(_, i)| i).collect();
    }
    FlowPage {
        total: r.flows.len(),
        matched: idx.len(),
        rows: idx
            .iter()
            .skip(offset)
            .take(count)
            .map(|&i| row(i))
            .collect(),
    }
}

const PART: usize = 1 << 20;

/// The flows CSV as flows retire: rows are added one flow at a time and
/// taken in parts of about [`PART`] bytes.
#[derive(Debug)]
pub(crate) struct CsvStream {
    buf: Vec<u8>,
}

impl CsvStream {
    pub(crate) fn new() -> CsvStream {
        CsvStream {
            buf: present::csv_line(&present::FLOW_CSV_COLUMNS).into_bytes(),
        }
    }

    /// One retired flow. Its clock line is not known yet (lines are built
    /// at the end), so its rate and line cells stay empty, as in
    /// `tcpopt flows --format csv`.
    pub(crate) fn flow(&mut self, f: &FlowReport) {
        self.buf
            .extend_from_slice(present::csv_line(&present::flow_csv_cells(&[], f)).as_bytes());
    }

    /// The rows so far once they fill a part, or whatever is left with `all`.
    pub(crate) fn take(&mut self, all: bool) -> Option<Vec<u8>> {
        if self.buf.is_empty() || (!all && self.buf.len() < PART) {
            return None;
        }
        Some(core::mem::take(&mut self.buf))
    }
}

/// The report's JSON export, exactly as `serde_json::to_string_pretty`
/// writes it (`tcpopt analyze --format json`), produced a part at a time:
/// the fields around `flows` whole, the flows a batch per part.
#[derive(Debug, Default)]
pub(crate) struct JsonCursor {
    /// 0: the head (fields before `flows`), 1: flows from `flow`, 2: the tail, 3: done.
    step: u8,
    flow: usize,
}

/// `  "name": value` with the value's lines indented one level, as a
/// field of the top-level object.
fn field<T: serde::Serialize + ?Sized>(out: &mut String, name: &str, v: &T, last: bool) {
    out.push_str("  \"");
    out.push_str(name);
    out.push_str("\": ");
    indented(
        out,
        &serde_json::to_string_pretty(v).unwrap_or_default(),
        "  ",
    );
    out.push_str(if last { "\n" } else { ",\n" });
}

fn indented(out: &mut String, text: &str, indent: &str) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(indent);
        }
        out.push_str(line);
    }
}

impl JsonCursor {
    /// The next part of about [`PART`] bytes; `None` (and a reset) after the last.
    pub(crate) fn next_part(&mut self, r: &Report) -> Option<String> {
        // Exhaustive on purpose: a field added to Report must be placed here.
        let Report {
            schema_version,
            verdict,
            capture,
            stats,
            findings,
            flows,
            totals,
            clocks,
            limits,
        } = r;
        let mut out = String::new();
        match self.step {
            0 => {
                out.push_str("{\n");
                field(&mut out, "schema_version", schema_version, false);
                field(&mut out, "verdict", verdict, false);
                field(&mut out, "capture", capture, false);
                field(&mut out, "stats", stats, false);
                field(&mut out, "findings", findings, false);
                out.push_str("  \"flows\": [");
                if flows.is_empty() {
                    out.push_str("],\n");
                    self.step = 2;
                } else {
                    self.step = 1;
                }
            }
            1 => {
                while self.flow < flows.len() && out.len() < PART {
                    out.push_str(if self.flow == 0 { "\n    " } else { ",\n    " });
                    let one = serde_json::to_string_pretty(&flows[self.flow]).unwrap_or_default();
                    indented(&mut out, &one, "    ");
                    self.flow += 1;
                }
                if self.flow == flows.len() {
                    out.push_str("\n  ],\n");
                    self.step = 2;
                }
            }
            2 => {
                field(&mut out, "totals", totals, false);
                field(&mut out, "clocks", clocks, false);
                field(&mut out, "limits", limits, true);
                out.push_str("}\n");
                self.step = 3;
            }
            _ => {
                *self = JsonCursor::default();
                return None;
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_parts_are_the_pretty_report() {
        for capture in [
            &include_bytes!("../../www/samples/tw-recycle-drop.pcapng")[..],
            b"not a capture at all",
        ] {
            let r = tcpopt_parse::pipeline::analyze_bytes(capture, Default::default());
            let mut c = JsonCursor::default();
            let mut all = String::new();
            let mut parts = 0;
            while let Some(p) = c.next_part(&r) {
                all.push_str(&p);
                parts += 1;
            }
            assert!(parts >= 2, "head and tail at least");
            assert_eq!(all, serde_json::to_string_pretty(&r).unwrap() + "\n");
            assert!(c.next_part(&r).is_some(), "starts over");
        }
    }
}
