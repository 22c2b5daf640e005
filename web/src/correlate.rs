//! Two captures of the same traffic in the browser: the page reads both
//! files with `File.stream()`, always the one [`Correlator::wants`] names,
//! and gets `tcpopt correlate --format json`'s report.

use tcpopt_parse::correlate::{CaptureCorrelation, Config, Vantage};
use wasm_bindgen::prelude::*;

use crate::to_js;

/// Two captures' correlation, fed chunk by chunk.
///
/// ```js
/// const c = new Correlator(fileA.name, fileB.name);
/// for (let side; (side = c.wants()) !== undefined;) {
///   const { done, value } = await readers[side].read();
///   done ? c.finishSide(side) : c.push(side, value);
/// }
/// const report = c.finish(); // same schema as `tcpopt correlate --format json`
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct Correlator {
    inner: Option<CaptureCorrelation>,
}

fn side(s: &str) -> Result<Vantage, JsError> {
    match s {
        "A" => Ok(Vantage::A),
        "B" => Ok(Vantage::B),
        _ => Err(JsError::new("side must be \"A\" or \"B\"")),
    }
}

#[wasm_bindgen]
impl Correlator {
    /// `name_a` and `name_b` label the captures in the report.
    #[wasm_bindgen(constructor)]
    pub fn new(name_a: String, name_b: String) -> Correlator {
        Correlator {
            inner: Some(CaptureCorrelation::new(Config::default(), [name_a, name_b])),
        }
    }

    fn get(&mut self) -> Result<&mut CaptureCorrelation, JsError> {
        self.inner
            .as_mut()
            .ok_or_else(|| JsError::new("Correlator already finished"))
    }

    /// `"A"` or `"B"`: the capture to read next (both advance together in
    /// time, so memory stays bounded); `undefined` once both ended.
    pub fn wants(&self) -> Option<String> {
        let v = self.inner.as_ref()?.wants()?;
        Some(v.as_str().into())
    }

    /// Feeds the next chunk of capture `side` (`"A"` or `"B"`).
    pub fn push(&mut self, side_name: &str, chunk: &[u8]) -> Result<(), JsError> {
        let v = side(side_name)?;
        self.get()?.push(v, chunk);
        Ok(())
    }

    /// Capture `side` has ended.
    #[wasm_bindgen(js_name = finishSide)]
    pub fn finish_side(&mut self, side_name: &str) -> Result<(), JsError> {
        let v = side(side_name)?;
        self.get()?.finish_side(v);
        Ok(())
    }

    /// Ends both inputs; the correlation report as a plain object.
    #[wasm_bindgen(unchecked_return_type = "CorrelationReport")]
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        let c = self
            .inner
            .take()
            .ok_or_else(|| JsError::new("Correlator already finished"))?;
        to_js(&c.finish())
    }
}
