//! The engine behind [`crate::Analyzer`]: `tcpopt_parse::pipeline`, the code
//! path the `tcpopt` command line uses, so the page's report is the CLI's.
use crate::plot::PlotSampler;
use crate::{to_js, Progress};
use tcpopt_parse::analysis::Config;
use tcpopt_parse::capture::Event;
use tcpopt_parse::dissect::Dissected;
use tcpopt_parse::pipeline::{CaptureAnalysis, Feeder};
use wasm_bindgen::prelude::*;

#[derive(Debug)]
pub(crate) struct Engine {
    analysis: CaptureAnalysis,
    /// A second reader over the same bytes, for the plot's per-segment
    /// points: `CaptureAnalysis` keeps no per-packet data and offers no
    /// segment callback, so the plot frames and dissects on its own (same
    /// code, same segments).
    plot_feeder: Feeder,
}

impl Engine {
    pub(crate) fn new() -> Self {
        Engine {
            analysis: CaptureAnalysis::new(Config::default()),
            plot_feeder: Feeder::new(),
        }
    }

    pub(crate) fn push(&mut self, chunk: &[u8], plot: &mut PlotSampler) {
        self.analysis.push(chunk);
        self.plot_feeder.push(chunk, &mut |ev| sample(ev, plot));
    }

    pub(crate) fn progress(&self) -> Progress {
        Progress {
            bytes: self.analysis.bytes_in(),
            packets: self.analysis.packets(),
        }
    }

    pub(crate) fn finish_plot(&mut self, plot: &mut PlotSampler) {
        self.plot_feeder.finish(&mut |ev| sample(ev, plot));
    }

    pub(crate) fn finish_js(self) -> Result<JsValue, JsError> {
        to_js(&self.analysis.finish())
    }

    #[cfg(test)]
    pub(crate) fn finish_report(self) -> tcpopt_parse::analysis::Report {
        self.analysis.finish()
    }
}

fn sample(ev: &Event<'_>, plot: &mut PlotSampler) {
    if let Event::Packet(rec) = ev {
        if let Some(seg) = Dissected::of(rec).segment() {
            plot.push(&seg);
        }
    }
}
