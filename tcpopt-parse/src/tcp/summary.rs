//! The options facts the timestamp analysis needs, in one fast pass.

use super::kind;

/// What the analysis needs from a header's options, gathered in one pass
/// without building an item per option.
///
/// It agrees with [`TcpOptions`](super::TcpOptions) (tested), field by field:
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
    pub fn walk(area: &[u8], truncated: bool) -> OptionsSummary {
        let mut s = OptionsSummary::EMPTY;
        let mut run: u8 = 0;
        let mut rest = area;
        // Fast path for the layout Linux, the BSDs and Windows put on every
        // segment after the handshake (RFC 7323 Appendix A): NOP, NOP,
        // timestamps. Exactly what the loop below would record for it.
        if let [kind::NOP, kind::NOP, kind::TIMESTAMPS, 10, a0, a1, a2, a3, b0, b1, b2, b3, ref r @ ..] =
            *area
        {
            s.max_nop_run = 2;
            s.timestamps = Some((
                u32::from_be_bytes([a0, a1, a2, a3]),
                u32::from_be_bytes([b0, b1, b2, b3]),
            ));
            if r.is_empty() {
                s.complete = !truncated;
                return s;
            }
            rest = r;
        }
        loop {
            match *rest {
                [] => {
                    s.complete = !truncated;
                    break;
                }
                [kind::EOL, ..] => {
                    s.complete = true;
                    break;
                }
                [kind::NOP, ref r @ ..] => {
                    run = run.saturating_add(1);
                    s.max_nop_run = s.max_nop_run.max(run);
                    rest = r;
                }
                [k, ..] => {
                    run = 0;
                    let Some(&len) = rest.get(1) else {
                        // Missing length byte: malformed unless the capture cut it.
                        s.ts_malformed |= k == kind::TIMESTAMPS && !truncated;
                        break;
                    };
                    let n = usize::from(len);
                    if n < 2 {
                        s.ts_malformed |= k == kind::TIMESTAMPS;
                        break;
                    }
                    let Some((opt, r)) = rest.split_at_checked(n) else {
                        s.ts_malformed |= k == kind::TIMESTAMPS && !truncated;
                        break;
                    };
                    rest = r;
                    match (k, opt) {
                        (kind::MSS, &[_, _, a, b]) => {
                            s.mss.get_or_insert(u16::from_be_bytes([a, b]));
                        }
                        (kind::WINDOW_SCALE, &[_, _, shift]) => {
                            s.wscale.get_or_insert(shift);
                        }
                        (kind::SACK_PERMITTED, _) => s.sack_permitted = true,
                        (kind::TIMESTAMPS, &[_, _, a0, a1, a2, a3, b0, b1, b2, b3]) => {
                            s.timestamps.get_or_insert((
                                u32::from_be_bytes([a0, a1, a2, a3]),
                                u32::from_be_bytes([b0, b1, b2, b3]),
                            ));
                        }
                        (kind::TIMESTAMPS, _) => s.ts_malformed = true,
                        _ => {}
                    }
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `NOP NOP TS` fast path records exactly what the general loop
    /// records for the same bytes: the two NOPs, the first timestamps, and
    /// then whatever the rest of the area says.
    #[test]
    fn linux_layout_fast_path_agrees_with_the_loop() {
        // Frame 4 of the shared netns captures' usual layout: TSval 0x0a0b0c0d, TSecr 0x01020304.
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
                let got = OptionsSummary::walk(&area, truncated);
                let rest = OptionsSummary::walk(tail, truncated);
                let want = OptionsSummary {
                    timestamps: Some((0x0a0b_0c0d, 0x0102_0304)),
                    max_nop_run: rest.max_nop_run.max(2),
                    ..rest
                };
                assert_eq!(got, want, "tail {tail:?}, truncated {truncated}");
            }
        }
        // A shorter TS (the fast path must not take it) stays malformed.
        let s = OptionsSummary::walk(&[1, 1, 8, 6, 0, 0, 0, 0], false);
        assert!(s.ts_malformed && s.timestamps.is_none() && s.max_nop_run == 2);
    }
}
