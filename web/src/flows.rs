//! The flows table and the exports, served from the report the engine
//! keeps: the page asks for one page of rows at a time, and the exports
//! leave as parts of a `Blob`, so nothing proportional to the number of
//! connections is ever one JavaScript string or object.
use tcpopt_parse::analysis::Report;
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

/// A writer that cuts what it is given into `Uint8Array`s of about 1 MiB.
pub(crate) struct Parts {
    buf: Vec<u8>,
    parts: js_sys::Array,
}

impl Parts {
    pub(crate) fn new() -> Parts {
        Parts {
            buf: Vec::with_capacity(PART),
            parts: js_sys::Array::new(),
        }
    }
    fn flush_part(&mut self) {
        if !self.buf.is_empty() {
            self.parts
                .push(&js_sys::Uint8Array::from(self.buf.as_slice()));
            self.buf.clear();
        }
    }
    pub(crate) fn finish(mut self) -> js_sys::Array {
        self.flush_part();
        self.parts
    }
}

impl std::io::Write for Parts {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= PART {
            self.flush_part();
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The CSV export's position: `None` before the header, then the next flow.
#[derive(Debug, Default)]
pub(crate) struct CsvCursor {
    next: Option<usize>,
}

impl CsvCursor {
    /// The next part of about [`PART`] bytes, `None` (and a reset) after the last.
    pub(crate) fn next_part(&mut self, r: &Report) -> Option<js_sys::Uint8Array> {
        let mut buf = String::new();
        let mut i = match self.next {
            None => {
                buf.push_str(&present::csv_line(&present::FLOW_CSV_COLUMNS));
                0
            }
            Some(i) if i >= r.flows.len() => {
                self.next = None;
                return None;
            }
            Some(i) => i,
        };
        while i < r.flows.len() && buf.len() < PART {
            buf.push_str(&present::csv_line(&present::flow_csv_cells(
                &r.clocks,
                &r.flows[i],
            )));
            i += 1;
        }
        self.next = Some(i);
        Some(js_sys::Uint8Array::from(buf.as_bytes()))
    }
}
