//! The options facts the timestamp analysis needs, folded from the one
//! options walk ([`TcpOptions`]).

use super::kind;
use super::option::{OptionError, OptionErrorReason, TcpOption};
use super::options::{Framed, TcpOptions};

/// What the analysis needs from a header's options, gathered in one pass
/// without keeping an item per option.
///
/// It is a fold of [`TcpOptions`]' items (there is no second decoder), so
/// every length rule is the iterator's. Field by field:
/// - `mss`, `wscale`, `timestamps`: the first well-formed option of that kind.
/// - `sack_permitted`: a kind-4 option was walked, *whatever its length*.
///   This follows tshark, whose `tcp.options.sack_perm` field is present even
///   when the length is wrong (it adds the field before the length check);
///   the iterator yields such an option as an `Err` with kind 4 and
///   [`BadLength`](super::OptionErrorReason::BadLength).
/// - `ts_malformed`: a kind-8 option the walk found malformed: a length
///   other than 10, a missing length byte, or a length past the options
///   area (an `Err` item with kind 8 that is not a capture cut); a
///   timestamps option merely cut by the capture is not malformed.
/// - `max_nop_run`: the longest run of consecutive NOPs.
/// - `complete`: the walk reached the end of the options area, or an EOL,
///   without a stopping error or a capture cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct OptionsSummary {
    pub mss: Option<u16>,
    pub wscale: Option<u8>,
    pub sack_permitted: bool,
    pub timestamps: Option<(u32, u32)>,
    pub ts_malformed: bool,
    pub max_nop_run: u8,
    pub complete: bool,
}

impl OptionsSummary {
    /// No options seen (and not `complete`).
    pub const EMPTY: OptionsSummary = OptionsSummary {
        mss: None,
        wscale: None,
        sack_permitted: false,
        timestamps: None,
        ts_malformed: false,
        max_nop_run: 0,
        complete: false,
    };

    /// Summarises an options area; `truncated` says the capture cut it.
    #[inline(always)]
    pub fn walk(area: &[u8], truncated: bool) -> OptionsSummary {
        // The whole area is the Linux layout (RFC 7323 Appendix A: NOP,
        // NOP, timestamps), as on every segment after the handshake: what
        // the fold says of it (two NOPs, the timestamps, a clean end),
        // without a call.
        if let ([1, 1, 8, 10, v0, v1, v2, v3, e0, e1, e2, e3], false) = (area, truncated) {
            return OptionsSummary {
                timestamps: Some((
                    u32::from_be_bytes([*v0, *v1, *v2, *v3]),
                    u32::from_be_bytes([*e0, *e1, *e2, *e3]),
                )),
                max_nop_run: 2,
                complete: true,
                ..OptionsSummary::EMPTY
            };
        }
        Self::walk_general(area, truncated)
    }

    #[inline(never)]
    fn walk_general(area: &[u8], truncated: bool) -> OptionsSummary {
        Self::fold(TcpOptions::with_truncation(area, truncated))
    }

    /// Folds every option `it` still has.
    ///
    /// It takes the walk's framing step ([`TcpOptions::next_framed`]) and
    /// decodes with [`TcpOption::decode`] only the kinds it records: the
    /// decoding of any other kind can only yield an option or an error
    /// that skips it (never one that ends the walk), and neither touches a
    /// field here, so the result is the fold of the iterator's items.
    // Inlined into its two callers, so that the walk's state stays in
    // registers (a copy passed by reference costs a third of the walk).
    #[inline(always)]
    fn fold(mut it: TcpOptions<'_>) -> OptionsSummary {
        let mut s = Fold {
            summary: OptionsSummary {
                complete: true,
                ..OptionsSummary::EMPTY
            },
            run: 0,
        };
        // The layout Linux, the BSDs and Windows put on every segment after
        // the handshake (RFC 7323 Appendix A): NOP, NOP, timestamps. The
        // walk takes the three options in one step; they go through the
        // same fold as any other.
        if let Some(ts) = it.next_linux_layout() {
            s.nop();
            s.nop();
            s.option(Ok(ts));
            if it.rest().is_empty() && !it.is_truncated() {
                // What `next_framed` would say: the area ends here, cleanly.
                return s.summary;
            }
        }
        while let Some(framed) = it.next_framed() {
            match framed {
                Ok(Framed::Nop) => s.nop(),
                Ok(Framed::Eol) => {}
                Ok(
                    f @ Framed::Tlv {
                        kind:
                            kind::MSS | kind::WINDOW_SCALE | kind::SACK_PERMITTED | kind::TIMESTAMPS,
                        ..
                    },
                ) => s.option(f.decode()),
                Ok(Framed::Tlv { .. }) => s.run = 0,
                Err(e) => s.option(Err(e)),
            }
        }
        s.summary
    }
}

/// The fold's state: the summary so far and the current run of NOPs.
struct Fold {
    summary: OptionsSummary,
    run: u8,
}

impl Fold {
    #[inline(always)]
    fn nop(&mut self) {
        self.run = self.run.saturating_add(1);
        self.summary.max_nop_run = self.summary.max_nop_run.max(self.run);
    }

    /// Any item but a NOP.
    #[inline(always)]
    fn option(&mut self, item: Result<TcpOption<'_>, OptionError>) {
        let s = &mut self.summary;
        self.run = 0;
        match item {
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
                if e.kind == kind::SACK_PERMITTED && e.reason == OptionErrorReason::BadLength {
                    s.sack_permitted = true;
                }
                if e.kind == kind::TIMESTAMPS && !e.reason.is_truncation() {
                    s.ts_malformed = true;
                }
                if e.reason.stops_walk() {
                    s.complete = false;
                }
            }
        }
    }
}

impl TcpOptions<'_> {
    /// The summary of the options not walked yet (the whole area for a
    /// fresh iterator; after a stopping error, that error again).
    pub fn summary(&self) -> OptionsSummary {
        OptionsSummary::fold(self.resumed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `NOP NOP TS` step yields what three `next()` calls yield, and
    /// leaves the iterator where they leave it.
    #[test]
    fn whole_area_linux_layout_is_the_fold() {
        let area = [1u8, 1, 8, 10, 0x0a, 0x0b, 0x0c, 0x0d, 1, 2, 3, 4];
        for truncated in [false, true] {
            assert_eq!(
                OptionsSummary::walk(&area, truncated),
                OptionsSummary::walk_general(&area, truncated)
            );
        }
        let s = OptionsSummary::walk(&area, false);
        assert_eq!(s.timestamps, Some((0x0a0b0c0d, 0x01020304)));
        for cut in 0..area.len() {
            assert_eq!(
                OptionsSummary::walk(&area[..cut], false),
                OptionsSummary::walk_general(&area[..cut], false)
            );
        }
    }

    #[test]
    fn linux_layout_step_is_three_items() {
        // The shared netns captures' usual layout: TSval 0x0a0b0c0d, TSecr 0x01020304.
        let head = [1u8, 1, 8, 10, 0x0a, 0x0b, 0x0c, 0x0d, 1, 2, 3, 4];
        let tails: [&[u8]; 8] = [
            &[],
            &[1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2],
            &[0, 0, 0, 0],
            &[1, 1, 1, 1],
            &[8, 10, 9, 9, 9, 9, 8, 8, 8, 8],
            &[8, 3, 0],
            &[1, 1, 5],
            &[2, 4, 5, 0xb4],
        ];
        for tail in tails {
            for truncated in [false, true] {
                let mut area = head.to_vec();
                area.extend_from_slice(tail);
                let mut fast = TcpOptions::with_truncation(&area, truncated);
                let mut slow = fast;
                let ts = fast.next_linux_layout();
                assert_eq!(slow.next(), Some(Ok(TcpOption::Nop)));
                assert_eq!(slow.next(), Some(Ok(TcpOption::Nop)));
                assert_eq!(slow.next().map(|r| r.ok()), Some(ts));
                assert!(fast.eq(slow), "tail {tail:?}, truncated {truncated}");
            }
        }
        // A shorter TS is not the layout: the general walk takes it.
        let area = [1, 1, 8, 6, 0, 0, 0, 0];
        assert_eq!(TcpOptions::new(&area).next_linux_layout(), None);
        let s = OptionsSummary::walk(&area, false);
        assert!(s.ts_malformed && s.timestamps.is_none() && s.max_nop_run == 2);
    }
}
