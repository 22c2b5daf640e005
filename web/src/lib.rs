//! tcpopt's analysis engine for the browser.
//!
//! [`CaptureAnalysis`] takes a pcap or pcapng capture (optionally gzip- or
//! zstd-compressed) in chunks, exactly as the `tcpopt` command line reads it,
//! and returns the same report that `tcpopt analyze --format json` prints, as
//! a plain JavaScript object. Nothing here does I/O: the page reads the file
//! with `File.stream()` in a Web Worker and hands each chunk to
//! [`CaptureAnalysis::push`], so the capture never leaves the browser and is never
//! whole in memory.
#![forbid(unsafe_code)]

mod correlate;
mod engine;
mod flows;
pub mod plot;

pub use correlate::Correlator;
use tcpopt_parse::analysis::Report;
use tcpopt_parse::present::ReportView;
use wasm_bindgen::prelude::*;

// The report's, the view's and the correlation report's types, generated from the Rust types
// (tcpopt-parse's `schema` feature; see tcpopt_parse::schema).
#[wasm_bindgen(typescript_custom_section)]
const REPORT_TS: &str = include_str!("../report.d.ts");

// The engine's own shapes (not part of the report).
#[wasm_bindgen(typescript_custom_section)]
const ENGINE_TS: &str = r#"
/** Progress after a chunk. */
export interface Progress { bytes: number; packets: number }
/** Sampled (capture time, TSval) points of each client's segments, per (client, server) address pair. */
export interface PlotPoints {
  pairs: { client: string; server: string; seen: number; stride: number; frame: Float64Array; t: Float64Array;
    tsval: Float64Array; client_port: Uint16Array; server_port: Uint16Array; syn: Uint8Array;
    /** Each point's clock line (index into the pair's `lines` in the report's `clocks`), -1 for none (after `finish()`). */
    line: Int32Array;
    /** 1 for a SYN that got no answer (its flow's handshake is `syn_unanswered`, or TS-01/TS-10 list it). */
    unanswered: Uint8Array }[];
  pairs_dropped: number;
}
/** A page of the flows table (`flowRows`). */
export interface FlowPage { total: number; matched: number; rows: FlowRow[] }
"#;

pub use engine::Progress;

/// Clock pairs the page gets besides the plotted ones (it lists 50).
pub const PAGE_PAIRS: usize = 50;

/// One capture's analysis, fed chunk by chunk.
///
/// ```js
/// const a = new CaptureAnalysis();
/// for await (const chunk of file.stream()) a.push(chunk);
/// const report = a.finish(); // same schema as `tcpopt analyze --format json`
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct CaptureAnalysis {
    inner: Option<engine::Engine>,
    plot: plot::PlotSampler,
    /// The finished report, kept here so the page can page through its
    /// flows and export it in parts without holding it whole.
    report: Option<Report>,
    /// Every retired flow as a CSV row, not yet taken (`flowsCsvTake`).
    csv: flows::CsvStream,
    /// Where the JSON export is (`reportJsonNext`).
    json_cursor: flows::JsonCursor,
}

#[wasm_bindgen]
impl CaptureAnalysis {
    /// A fresh analysis with the default configuration.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> CaptureAnalysis {
        CaptureAnalysis {
            inner: Some(engine::Engine::new()),
            plot: plot::PlotSampler::new(),
            report: None,
            csv: flows::CsvStream::new(),
            json_cursor: flows::JsonCursor::default(),
        }
    }

    /// Feeds the next chunk of the file. Never throws on bad input: a capture
    /// error is recorded in the report and further input is ignored.
    /// Returns `{ bytes, packets }`.
    #[wasm_bindgen(unchecked_return_type = "Progress")]
    pub fn push(&mut self, chunk: &[u8]) -> Result<JsValue, JsError> {
        let inner = self
            .inner
            .as_mut()
            .ok_or_else(|| JsError::new("CaptureAnalysis already finished"))?;
        let csv = &mut self.csv;
        inner.push(chunk, &mut self.plot, &mut |f| csv.flow(f));
        to_js(&inner.progress())
    }

    /// Like `push`, for a gzip capture that the page decompressed itself
    /// (`file.stream().pipeThrough(new DecompressionStream('gzip'))`):
    /// `chunk` is decompressed bytes, `compressedBytes` how many more bytes
    /// of the gzip file were read for it (progress counts those). The report
    /// is the one `push` of the gzip file gives, as long as the stream
    /// decompressed without an error: on an error, start over with `push`
    /// of the file, which finds and reports the fault as the CLI does.
    #[wasm_bindgen(js_name = pushGunzipped, unchecked_return_type = "Progress")]
    pub fn push_gunzipped(
        &mut self,
        chunk: &[u8],
        compressed_bytes: f64,
    ) -> Result<JsValue, JsError> {
        let inner = self
            .inner
            .as_mut()
            .ok_or_else(|| JsError::new("CaptureAnalysis already finished"))?;
        let csv = &mut self.csv;
        // A count of bytes from JS: a non-negative integer below 2^53 (a NaN becomes 0).
        let compressed = compressed_bytes.max(0.0) as u64;
        inner.push_gunzipped(compressed, chunk, &mut self.plot, &mut |f| csv.flow(f));
        to_js(&inner.progress())
    }

    /// Progress so far, `{ bytes, packets }`.
    #[wasm_bindgen(unchecked_return_type = "Progress")]
    pub fn progress(&self) -> Result<JsValue, JsError> {
        let inner = self
            .inner
            .as_ref()
            .ok_or_else(|| JsError::new("CaptureAnalysis already finished"))?;
        to_js(&inner.progress())
    }

    /// Ends the input and returns the report as a plain object (u64 as
    /// numbers, maps as objects: what `JSON.parse` of the CLI's output gives).
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        let inner = self
            .inner
            .take()
            .ok_or_else(|| JsError::new("CaptureAnalysis already finished"))?;
        let csv = &mut self.csv;
        let report = inner.finish(&mut self.plot, &mut |f| csv.flow(f));
        let js = to_js(&report);
        self.report = Some(report);
        js
    }

    /// Ends the input like `finish()` but returns nothing: the report stays
    /// here, for `view()`, `reportWithoutFlows()`, `flowRows()` and the
    /// exports (the page never holds it whole).
    pub fn end(&mut self) -> Result<(), JsError> {
        let inner = self
            .inner
            .take()
            .ok_or_else(|| JsError::new("CaptureAnalysis already finished"))?;
        let csv = &mut self.csv;
        self.report = Some(inner.finish(&mut self.plot, &mut |f| csv.flow(f)));
        Ok(())
    }

    /// What the page shows, computed by `tcpopt_parse::present` exactly as
    /// the command line's text report (verdict, capture line with its
    /// percentage, each finding's frames and Wireshark filter, clock-line
    /// labels). After `finish()`.
    #[wasm_bindgen(unchecked_return_type = "ReportView")]
    pub fn view(&self) -> Result<JsValue, JsError> {
        to_js(&ReportView::of(&self.page_report()?))
    }

    /// The finished report as the page renders it: no flows (`flows: []`;
    /// they are read a page at a time with `flowRows`), and the clocks of
    /// at most [`PAGE_PAIRS`] pairs plus the plotted ones (`totals.pairs`
    /// counts them all; the JSON export has every one). `view()` describes
    /// the same pairs, in the same order.
    #[wasm_bindgen(js_name = reportWithoutFlows, unchecked_return_type = "Report")]
    pub fn report_without_flows(&self) -> Result<JsValue, JsError> {
        to_js(&self.page_report()?)
    }

    fn page_report(&self) -> Result<Report, JsError> {
        let r = self.finished()?;
        let plotted: std::collections::HashSet<(String, String)> = self
            .plot
            .pairs()
            .map(|((c, s), _)| (c.to_string(), s.to_string()))
            .collect();
        let clocks = r
            .clocks
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                *i < PAGE_PAIRS || plotted.contains(&(p.client.clone(), p.server.clone()))
            })
            .map(|(_, p)| p.clone())
            .collect();
        // Field by field: cloning the whole report would copy its flows first.
        Ok(Report {
            schema_version: r.schema_version,
            verdict: r.verdict.clone(),
            capture: r.capture.clone(),
            stats: r.stats.clone(),
            findings: r.findings.clone(),
            flows: Vec::new(),
            totals: r.totals.clone(),
            clocks,
            limits: r.limits.clone(),
        })
    }

    /// A page of the flows table: the rows (`FlowRow`, as `tcpopt flows`
    /// prints them) of the flows whose row contains `filter` (any cell,
    /// case-insensitive; empty: all), sorted by the `sort` column
    /// (`FlowRow`'s field names; `descending` reverses), `count` rows from
    /// `offset`. Returns `{ total, matched, rows }`.
    #[wasm_bindgen(js_name = flowRows, unchecked_return_type = "FlowPage")]
    pub fn flow_rows(
        &self,
        filter: &str,
        sort: &str,
        descending: bool,
        offset: usize,
        count: usize,
    ) -> Result<JsValue, JsError> {
        let r = self.finished()?;
        to_js(&flows::page(r, filter, sort, descending, offset, count))
    }

    /// The next part (about 1 MiB) of the report as `tcpopt analyze
    /// --format json` prints it; `undefined` after the last, and the next
    /// call starts over. For `new Blob(parts)`: no single string holds it.
    #[wasm_bindgen(js_name = reportJsonNext)]
    pub fn report_json_next(&mut self) -> Result<Option<js_sys::Uint8Array>, JsError> {
        let r = self
            .report
            .as_ref()
            .ok_or_else(|| JsError::new("call finish() first"))?;
        Ok(self
            .json_cursor
            .next_part(r)
            .map(|p| js_sys::Uint8Array::from(p.as_bytes())))
    }

    /// The complete flow table as CSV (`tcpopt flows --format csv`'s
    /// columns, header first), built from the flows as they retire: the
    /// rows gathered since the last call, once there are about 1 MiB of
    /// them, or all of them with `all` (after `end()`: the table's last
    /// part); `undefined` when there is nothing to hand over. The page
    /// calls it after each `push` and appends the part to a `Blob`, so
    /// neither the engine nor the page ever holds the table.
    #[wasm_bindgen(js_name = flowsCsvTake)]
    pub fn flows_csv_take(&mut self, all: bool) -> Option<js_sys::Uint8Array> {
        self.csv
            .take(all)
            .map(|p| js_sys::Uint8Array::from(p.as_slice()))
    }

    fn finished(&self) -> Result<&Report, JsError> {
        self.report
            .as_ref()
            .ok_or_else(|| JsError::new("call finish() first"))
    }

    /// The clock plot's points, sampled while the capture streamed past
    /// (bounded: at most 64 pairs of 100,000 points). Call it after
    /// `finish()` to include the last packets. Returns `{ pairs: [{ client, server, seen, stride,
    /// frame: Float64Array, t: Float64Array (s since the epoch),
    /// tsval: Float64Array, client_port: Uint16Array, server_port:
    /// Uint16Array, syn: Uint8Array }], pairs_dropped }`.
    #[wasm_bindgen(js_name = plotPoints, unchecked_return_type = "PlotPoints")]
    pub fn plot_points(&self) -> Result<JsValue, JsError> {
        plot_js(&self.plot, self.report.as_ref())
    }
}

fn set(o: &js_sys::Object, k: &str, v: &JsValue) -> Result<(), JsError> {
    js_sys::Reflect::set(o, &JsValue::from_str(k), v)
        .map(|_| ())
        .map_err(|_| JsError::new("Reflect.set"))
}

/// The clock line (index into the pair's `lines`, -1: none) of each
/// point, and whether a SYN point is an unanswered one, from the report's
/// flows (4-tuple and first frame) and the frames of TS-01/TS-10.
fn point_lines(
    report: Option<&Report>,
    client: &str,
    server: &str,
    points: &[plot::Point],
) -> (Vec<i32>, Vec<u8>) {
    use std::collections::{HashMap, HashSet};
    use tcpopt_parse::analysis::{Code, Handshake};
    let Some(r) = report else {
        return (vec![-1; points.len()], vec![0; points.len()]);
    };
    let mut unanswered: HashSet<u64> = HashSet::new();
    for f in &r.findings {
        if matches!(f.code, Code::TwRecyclePerHostPawsDrop | Code::SynUnanswered) {
            unanswered.extend(f.frames.iter().copied());
        }
    }
    /// A flow on a 4-tuple: its first frame, its clock line, whether it failed.
    struct FlowAt(u64, i32, bool);
    // (client port, server port) -> its flows, in frame order.
    let mut by_tuple: HashMap<(u16, u16), Vec<FlowAt>> = HashMap::new();
    for f in r
        .flows
        .iter()
        .filter(|f| f.client == client && f.server == server)
    {
        by_tuple
            .entry((f.client_port, f.server_port))
            .or_default()
            .push(FlowAt(
                f.first_frame,
                f.clock_line.map_or(-1, |l| l as i32),
                f.handshake == Handshake::SynUnanswered,
            ));
    }
    for v in by_tuple.values_mut() {
        v.sort_unstable_by_key(|x| x.0);
    }
    let mut lines = Vec::with_capacity(points.len());
    let mut failed = Vec::with_capacity(points.len());
    for q in points {
        let flow = by_tuple
            .get(&(q.client_port, q.server_port))
            .and_then(|v| v.iter().take_while(|x| x.0 <= q.frame).last());
        lines.push(flow.map_or(-1, |x| x.1));
        failed.push(u8::from(
            q.syn && (unanswered.contains(&q.frame) || flow.is_some_and(|x| x.2)),
        ));
    }
    (lines, failed)
}

fn plot_js(p: &plot::PlotSampler, report: Option<&Report>) -> Result<JsValue, JsError> {
    let pairs = js_sys::Array::new();
    for ((client, server), pp) in p.pairs() {
        let o = js_sys::Object::new();
        let (client, server) = (client.to_string(), server.to_string());
        let (lines, unanswered) = point_lines(report, &client, &server, &pp.points);
        set(&o, "client", &JsValue::from_str(&client))?;
        set(&o, "server", &JsValue::from_str(&server))?;
        set(&o, "line", &js_sys::Int32Array::from(lines.as_slice()))?;
        set(
            &o,
            "unanswered",
            &js_sys::Uint8Array::from(unanswered.as_slice()),
        )?;
        set(&o, "seen", &JsValue::from_f64(pp.seen as f64))?;
        set(&o, "stride", &JsValue::from_f64(pp.stride as f64))?;
        let n = pp.points.len();
        let mut frame = Vec::with_capacity(n);
        let mut t = Vec::with_capacity(n);
        let mut tsval = Vec::with_capacity(n);
        let mut cport = Vec::with_capacity(n);
        let mut sport = Vec::with_capacity(n);
        let mut syn = Vec::with_capacity(n);
        for q in &pp.points {
            frame.push(q.frame as f64);
            t.push(q.nanos as f64 / 1e9);
            tsval.push(f64::from(q.tsval));
            cport.push(q.client_port);
            sport.push(q.server_port);
            syn.push(u8::from(q.syn));
        }
        set(&o, "frame", &js_sys::Float64Array::from(frame.as_slice()))?;
        set(&o, "t", &js_sys::Float64Array::from(t.as_slice()))?;
        set(&o, "tsval", &js_sys::Float64Array::from(tsval.as_slice()))?;
        set(
            &o,
            "client_port",
            &js_sys::Uint16Array::from(cport.as_slice()),
        )?;
        set(
            &o,
            "server_port",
            &js_sys::Uint16Array::from(sport.as_slice()),
        )?;
        set(&o, "syn", &js_sys::Uint8Array::from(syn.as_slice()))?;
        pairs.push(&o);
    }
    let out = js_sys::Object::new();
    set(&out, "pairs", &pairs)?;
    set(
        &out,
        "pairs_dropped",
        &JsValue::from_f64(p.pairs_dropped as f64),
    )?;
    Ok(out.into())
}

/// Analyses a whole capture held in memory (convenience for small inputs).
#[wasm_bindgen(js_name = analyzeBytes, unchecked_return_type = "Report")]
pub fn analyze_bytes(bytes: &[u8]) -> Result<JsValue, JsError> {
    to_js(&tcpopt_parse::pipeline::analyze_bytes(
        bytes,
        tcpopt_parse::analysis::Config::default(),
    ))
}

/// The engine's version, for the page footer and bug reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

pub(crate) fn to_js<T: serde::Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser).map_err(|e| JsError::new(&e.to_string()))
}
