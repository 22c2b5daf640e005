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

mod engine;

use wasm_bindgen::prelude::*;

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
}

#[wasm_bindgen]
impl Analyzer {
    /// A fresh analysis with the default configuration.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Analyzer {
        Analyzer { inner: Some(engine::Engine::new()) }
    }

    /// Feeds the next chunk of the file. Never throws on bad input: a capture
    /// error is recorded in the report and further input is ignored.
    /// Returns `{ bytes, packets }`.
    pub fn push(&mut self, chunk: &[u8]) -> Result<JsValue, JsError> {
        let inner = self.inner.as_mut().ok_or_else(|| JsError::new("Analyzer already finished"))?;
        inner.push(chunk);
        to_js(&inner.progress())
    }

    /// Progress so far, `{ bytes, packets }`.
    pub fn progress(&self) -> Result<JsValue, JsError> {
        let inner = self.inner.as_ref().ok_or_else(|| JsError::new("Analyzer already finished"))?;
        to_js(&inner.progress())
    }

    /// Ends the input and returns the report as a plain object (u64 as
    /// numbers, maps as objects: what `JSON.parse` of the CLI's output gives).
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        let inner = self.inner.take().ok_or_else(|| JsError::new("Analyzer already finished"))?;
        inner.finish_js()
    }
}

/// Analyses a whole capture held in memory (convenience for small inputs).
#[wasm_bindgen(js_name = analyzeBytes)]
pub fn analyze_bytes(bytes: &[u8]) -> Result<JsValue, JsError> {
    let mut e = engine::Engine::new();
    e.push(bytes);
    e.finish_js()
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
