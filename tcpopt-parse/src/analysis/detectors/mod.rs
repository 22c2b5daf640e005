//! The detectors TS-01..TS-10 of `spec/timestamps.md` §4, as units.
//!
//! # Adding a detector
//! 1. A new file here with a type implementing [`Detector`] and its own
//!    `#[cfg(test)]` tests (build flows with `unit::testkit`).
//! 2. One line in [`all`] (the order is the run order).
//!
//! A detector sees every flow once, in [`Detector::flow_done`], when the
//! flow's state is final (the flow was retired, or the capture ended), and
//! keeps only what its findings need (counts, capped frames, flow ids); it
//! never holds a flow. At the end [`Detector::finish`] gets the read-only
//! [`Ctx`] (pairs, clock lines, end time, config) and the findings of the
//! detectors before it in [`all`] (TS-06 escalates on TS-01), and appends
//! its findings, built with [`Draft`](unit::Draft). Frames are sorted, deduplicated and
//! capped afterwards; a detector lists them all.
//!
//! Per-segment state that a flow summary cannot give lives in the
//! streaming side (`Flow`, `Dir`, `Pair`), updated by one method per
//! concern; the detector reads it in `flow_done`.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

pub(crate) mod clocks;
pub(crate) mod collision;
pub(crate) mod cookies;
pub(crate) mod options;
pub(crate) mod probe;
pub(crate) mod regression;
pub(crate) mod timewait;
pub(crate) mod tsecr;
pub(crate) mod tw_recycle;
pub(crate) mod unit;
pub(crate) mod wrap;

pub(crate) use unit::{Ctx, Detector, PairClocks};

/// Every detector, in run order (the one list to extend).
pub(crate) fn all(config: &crate::analysis::Config) -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(tw_recycle::TwRecycle::new(config.syn_answer_timeout_ns)),
        Box::new(timewait::TimeWait::default()),
        Box::new(collision::Collision::default()),
        Box::new(regression::Regression::default()),
        Box::new(options::Options::default()),
        Box::new(tsecr::Tsecr::default()),
        Box::new(clocks::Clocks),
        Box::new(wrap::Wrap::default()),
        Box::new(probe::Probe::default()),
        Box::new(cookies::Cookies::default()),
    ]
}
