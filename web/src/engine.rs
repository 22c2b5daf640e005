//! Temporary stand-in until `tcpopt_parse::pipeline` lands: counts bytes and
//! returns an empty report with the real top-level shape.
use crate::{to_js, Progress};
use wasm_bindgen::prelude::*;

#[derive(Debug, Default)]
pub(crate) struct Engine {
    bytes: u64,
}

impl Engine {
    pub(crate) fn new() -> Self {
        Self::default()
    }
    pub(crate) fn push(&mut self, chunk: &[u8], _plot: &mut crate::plot::PlotSampler) {
        self.bytes = self.bytes.saturating_add(chunk.len() as u64);
    }
    pub(crate) fn progress(&self) -> Progress {
        Progress { bytes: self.bytes, packets: 0 }
    }
    pub(crate) fn finish_js(self) -> Result<JsValue, JsError> {
        #[derive(serde::Serialize)]
        struct Stub {
            schema_version: u32,
            verdict: &'static str,
            findings: [u8; 0],
            flows: [u8; 0],
            clocks: [u8; 0],
            capture: Cap,
        }
        #[derive(serde::Serialize)]
        struct Cap {
            bytes: u64,
            packets: u64,
            complete: bool,
            errors: [u8; 0],
        }
        to_js(&Stub {
            schema_version: 0,
            verdict: "engine not built yet",
            findings: [],
            flows: [],
            clocks: [],
            capture: Cap { bytes: self.bytes, packets: 0, complete: true, errors: [] },
        })
    }
}
