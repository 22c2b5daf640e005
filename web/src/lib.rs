//! tcpopt's analysis engine for the browser.
//!
//! [`Analyzer`] takes a pcap or pcapng capture (optionally gzip- or
//! zstd-compressed) in chunks, exactly as the `tcpopt` command line reads it,
//! and returns the same report that `tcpopt analyze --format json` prints, as
//! a plain JavaScript object. Nothing here does I/O: the page reads the file
//! with `File.stream()` in a Web Worker and hands each chunk to
//! [`Analyzer::push`], so the capture never leaves the browser and is never
//! whole in memory.
#![forbid(unsafe_code)]

mod correlate;
mod engine;
pub mod plot;

pub use correlate::Correlator;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** Progress after a chunk. */
export interface Progress { bytes: number; packets: number }
/** One finding (see tcpopt-parse/src/analysis/mod.rs for every field). */
export interface Finding {
  code: string; severity: "critical" | "warning" | "info"; summary: string; explanation: string; remedy: string;
  frames: number[]; frames_total: number; flows: number[]; client?: string | null; server?: string | null;
  evidence: Record<string, unknown>;
}
/** The report: the JSON that `tcpopt analyze --format json` prints. */
export interface Report {
  schema_version: number; verdict: string;
  capture: { format: string; link_types: string[]; packets: number; tcp_segments: number; segments_with_timestamps: number;
    first_ts: string | null; last_ts: string | null; errors: { frame: number; offset: number; layer: string; message: string }[];
    complete: boolean };
  findings: Finding[]; flows: Record<string, unknown>[]; clocks: Record<string, unknown>[];
  [key: string]: unknown;
}
/** Sampled (capture time, TSval) points of each client's segments, per (client, server) address pair. */
export interface PlotPoints {
  pairs: { client: string; server: string; seen: number; stride: number; frame: Float64Array; t: Float64Array;
    tsval: Float64Array; client_port: Uint16Array; server_port: Uint16Array; syn: Uint8Array }[];
  pairs_dropped: number;
}
"#;

/// Progress after a chunk: what the page shows under its progress bar.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Progress {
    /// Bytes pushed so far (compressed, as read from the file).
    pub bytes: u64,
    /// Packets framed so far.
    pub packets: u64,
}

/// One capture's analysis, fed chunk by chunk.
///
/// ```js
/// const a = new Analyzer();
/// for await (const chunk of file.stream()) a.push(chunk);
/// const report = a.finish(); // same schema as `tcpopt analyze --format json`
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct Analyzer {
    inner: Option<engine::Engine>,
    plot: plot::PlotSampler,
}

#[wasm_bindgen]
impl Analyzer {
    /// A fresh analysis with the default configuration.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Analyzer {
        Analyzer {
            inner: Some(engine::Engine::new()),
            plot: plot::PlotSampler::new(),
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
            .ok_or_else(|| JsError::new("Analyzer already finished"))?;
        inner.push(chunk, &mut self.plot);
        to_js(&inner.progress())
    }

    /// Progress so far, `{ bytes, packets }`.
    #[wasm_bindgen(unchecked_return_type = "Progress")]
    pub fn progress(&self) -> Result<JsValue, JsError> {
        let inner = self
            .inner
            .as_ref()
            .ok_or_else(|| JsError::new("Analyzer already finished"))?;
        to_js(&inner.progress())
    }

    /// Ends the input and returns the report as a plain object (u64 as
    /// numbers, maps as objects: what `JSON.parse` of the CLI's output gives).
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        let inner = self
            .inner
            .take()
            .ok_or_else(|| JsError::new("Analyzer already finished"))?;
        to_js(&inner.finish(&mut self.plot))
    }

    /// The clock plot's points, sampled while the capture streamed past
    /// (bounded: at most 64 pairs of 100,000 points). Call it after
    /// `finish()` to include the last packets. Returns `{ pairs: [{ client, server, seen, stride,
    /// frame: Float64Array, t: Float64Array (s since the epoch),
    /// tsval: Float64Array, client_port: Uint16Array, server_port:
    /// Uint16Array, syn: Uint8Array }], pairs_dropped }`.
    #[wasm_bindgen(js_name = plotPoints, unchecked_return_type = "PlotPoints")]
    pub fn plot_points(&self) -> Result<JsValue, JsError> {
        plot_js(&self.plot)
    }
}

fn set(o: &js_sys::Object, k: &str, v: &JsValue) -> Result<(), JsError> {
    js_sys::Reflect::set(o, &JsValue::from_str(k), v)
        .map(|_| ())
        .map_err(|_| JsError::new("Reflect.set"))
}

fn plot_js(p: &plot::PlotSampler) -> Result<JsValue, JsError> {
    let pairs = js_sys::Array::new();
    for ((client, server), pp) in p.pairs() {
        let o = js_sys::Object::new();
        set(&o, "client", &JsValue::from_str(&client.to_string()))?;
        set(&o, "server", &JsValue::from_str(&server.to_string()))?;
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
