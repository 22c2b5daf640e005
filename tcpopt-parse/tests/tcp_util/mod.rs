//! Helpers shared by the tcp_* integration tests.
#![allow(dead_code)]

use tcpopt_parse::tcp::{OptionErrorReason, OptionsSummary, TcpOption, TcpOptions};

/// The summary as the iterator defines it (the contract of `summary()`).
pub fn summary_from_iterator(it: TcpOptions<'_>) -> OptionsSummary {
    let mut s = OptionsSummary {
        complete: true,
        ..OptionsSummary::EMPTY
    };
    let mut run = 0u8;
    for item in it {
        if item != Ok(TcpOption::Nop) {
            run = 0;
        }
        match item {
            Ok(TcpOption::Nop) => {
                run += 1;
                s.max_nop_run = s.max_nop_run.max(run);
            }
            Ok(TcpOption::Mss(v)) => {
                s.mss.get_or_insert(v);
            }
            Ok(TcpOption::WindowScale(v)) => {
                s.wscale.get_or_insert(v);
            }
            Ok(TcpOption::SackPermitted) => s.sack_permitted = true,
            Ok(TcpOption::Timestamps { tsval, tsecr }) => {
                s.timestamps.get_or_insert((tsval, tsecr));
            }
            Ok(_) => {}
            Err(e) => {
                if e.kind == 4 && e.reason == OptionErrorReason::BadLength {
                    s.sack_permitted = true;
                }
                if e.kind == 8 && !e.reason.is_truncation() {
                    s.ts_malformed = true;
                }
                if e.reason.stops_walk() {
                    s.complete = false;
                }
            }
        }
    }
    s
}
