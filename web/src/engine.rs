//! The engine behind [`crate::CaptureAnalysis`]: `tcpopt_parse::pipeline`, the code
//! path the `tcpopt` command line uses, so the page's report is the CLI's.
use crate::plot::PlotSampler;
use tcpopt_parse::analysis::{Config, FlowReport, Report};
use tcpopt_parse::compress::Compression;
use tcpopt_parse::pipeline::CaptureAnalysis;

/// Progress after a chunk: what the page shows under its progress bar.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Progress {
    /// Bytes pushed so far (compressed, as read from the file).
    pub bytes: u64,
    /// Packets framed so far.
    pub packets: u64,
}

/// The analysis, with the plot sampled from the very segments it sees: one
/// pass over the bytes (framing and dissection are not done twice). Flows
/// are streamed as they retire (`Config::stream_flows`) to whoever pushes:
/// the page's CSV of every flow is built from them, in constant memory.
#[derive(Debug)]
pub(crate) struct Engine {
    analysis: CaptureAnalysis,
}

impl Engine {
    pub(crate) fn new() -> Self {
        Engine {
            analysis: CaptureAnalysis::new(Config {
                stream_flows: true,
                ..Config::default()
            }),
        }
    }

    /// One chunk; `on_flow` gets the flows it retired.
    pub(crate) fn push(
        &mut self,
        chunk: &[u8],
        plot: &mut PlotSampler,
        on_flow: &mut dyn FnMut(&FlowReport),
    ) {
        self.analysis
            .push_observed(chunk, &mut |seg| plot.push(seg));
        for f in self.analysis.drain_retired() {
            on_flow(&f);
        }
    }

    /// One chunk of a gzip capture decompressed by the page
    /// (`DecompressionStream('gzip')`), after `compressed_len` more bytes of
    /// the file were read: the same report as [`push`](Self::push) of the
    /// compressed bytes.
    pub(crate) fn push_gunzipped(
        &mut self,
        compressed_len: u64,
        bytes: &[u8],
        plot: &mut PlotSampler,
        on_flow: &mut dyn FnMut(&FlowReport),
    ) {
        self.analysis.push_decompressed_observed(
            Compression::Gzip,
            compressed_len,
            bytes,
            &mut |seg| plot.push(seg),
        );
        for f in self.analysis.drain_retired() {
            on_flow(&f);
        }
    }

    pub(crate) fn progress(&self) -> Progress {
        Progress {
            bytes: self.analysis.bytes_in(),
            packets: self.analysis.packets(),
        }
    }

    /// Ends the input: the last segments reach the plot, the last flows
    /// `on_flow`, then the report.
    pub(crate) fn finish(
        self,
        plot: &mut PlotSampler,
        on_flow: &mut dyn FnMut(&FlowReport),
    ) -> Report {
        self.analysis
            .finish_streaming(&mut |seg| plot.push(seg), on_flow)
    }
}
