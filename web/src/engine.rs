//! The engine behind [`crate::Analyzer`]: `tcpopt_parse::pipeline`, the code
//! path the `tcpopt` command line uses, so the page's report is the CLI's.
use crate::plot::PlotSampler;
use crate::Progress;
use tcpopt_parse::analysis::{Config, Report};
use tcpopt_parse::pipeline::CaptureAnalysis;

/// The analysis, with the plot sampled from the very segments it sees: one
/// pass over the bytes (framing and dissection are not done twice).
#[derive(Debug)]
pub(crate) struct Engine {
    analysis: CaptureAnalysis,
}

impl Engine {
    pub(crate) fn new() -> Self {
        Engine {
            analysis: CaptureAnalysis::new(Config::default()),
        }
    }

    pub(crate) fn push(&mut self, chunk: &[u8], plot: &mut PlotSampler) {
        self.analysis
            .push_observed(chunk, &mut |seg| plot.push(seg));
    }

    pub(crate) fn progress(&self) -> Progress {
        Progress {
            bytes: self.analysis.bytes_in(),
            packets: self.analysis.packets(),
        }
    }

    /// Ends the input: the last segments reach the plot, then the report.
    pub(crate) fn finish(self, plot: &mut PlotSampler) -> Report {
        self.analysis.finish_observed(&mut |seg| plot.push(seg))
    }
}
