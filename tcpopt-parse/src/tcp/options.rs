//! Walking the TCP options area (RFC 9293 §3.2).
//!
//! The walk follows tcpdump's `print-tcp.c` and agrees with tshark (checked
//! frame by frame on the shared captures, `tests/tcp_oracle.rs`):
//! - EOL and NOP are one byte; every other kind is `kind, len, body` with
//!   `len` counting the two header bytes.
//! - A known kind with a wrong length is yielded as an `Err` and skipped by
//!   its length byte; unknown kinds are yielded as [`TcpOption::Unknown`].
//! - A missing length byte, a length below 2, or a length past the options
//!   area yields one `Err` and ends the walk (tshark stops there too).
//! - After EOL the rest of the area is padding: the walk yields `Eol` and
//!   ends. tshark does the same (it flags non-zero bytes after EOL as
//!   "Non-zero header padding" and decodes no option there, so a timestamps
//!   option after EOL is not reported by tshark, nor by us).
//! - If the capture cut the options area, reaching the cut yields one
//!   truncation `Err` ([`OptionErrorReason::Truncated`] inside an option,
//!   [`OptionErrorReason::CaptureEnded`] between options), unless EOL came
//!   first.

use super::kind;
use super::option::{OptionError, OptionErrorReason, TcpOption};

/// Iterator over the options of a TCP header, in wire order.
///
/// Yields every option, `Ok` or `Err` (see the module docs for when the walk
/// ends). It never allocates and never panics; it is `Copy`, so a caller can
/// keep a copy to walk again.
#[derive(Clone, Copy, Debug)]
pub struct TcpOptions<'a> {
    rest: &'a [u8],
    /// Offset of `rest` within the options area.
    offset: usize,
    /// The capture holds less than the data offset announces.
    truncated: bool,
    done: bool,
    /// The walk ended at an EOL: `rest` is padding.
    eol: bool,
}

impl<'a> TcpOptions<'a> {
    /// Walks `area`, a complete options area (the bytes between the fixed
    /// header and the data offset).
    pub const fn new(area: &'a [u8]) -> Self {
        TcpOptions {
            rest: area,
            offset: 0,
            truncated: false,
            done: false,
            eol: false,
        }
    }

    /// Walks `captured`, the captured part of an options area that the
    /// data offset says is longer (`truncated`): reaching its end is then
    /// reported as a truncation error rather than a clean end.
    pub const fn with_truncation(captured: &'a [u8], truncated: bool) -> Self {
        TcpOptions {
            rest: captured,
            offset: 0,
            truncated,
            done: false,
            eol: false,
        }
    }

    /// The bytes not walked yet: after `Eol`, the padding; after a stopping
    /// error, the bytes from the bad option on; empty after a clean end.
    pub const fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// Offset of [`rest`](Self::rest) within the options area.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// Whether the area this iterator walks was cut by the capture.
    pub const fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// A copy that walks again from where this one is: after a stopping
    /// error it meets that error again; after an EOL it yields nothing.
    pub(super) const fn resumed(&self) -> Self {
        TcpOptions {
            done: self.eol,
            ..*self
        }
    }

    /// One step over `NOP, NOP, timestamps`, the layout Linux, the BSDs
    /// and Windows put on every segment after the handshake (RFC 7323
    /// Appendix A), when the walk is at it: afterwards the iterator is
    /// where three [`next`](Iterator::next) calls would leave it, and the
    /// option returned is the third item (the two others are `Nop`).
    #[inline]
    pub(super) fn next_linux_layout(&mut self) -> Option<TcpOption<'a>> {
        // Two NOPs, kind and length, then TSval and TSecr (RFC 7323 §3.2).
        const HEAD: usize = 4;
        const BODY: usize = 8;
        let [kind::NOP, kind::NOP, kind::TIMESTAMPS, 10, ref after @ ..] = *self.rest else {
            return None;
        };
        if self.done {
            return None;
        }
        let (body, rest) = after.split_at_checked(BODY)?;
        let ts = TcpOption::decode(kind::TIMESTAMPS, body).ok()?;
        self.rest = rest;
        self.offset += HEAD + BODY;
        Some(ts)
    }

    #[inline]
    fn stop<T>(
        &mut self,
        kind: u8,
        len: u8,
        reason: OptionErrorReason,
    ) -> Option<Result<T, OptionError>> {
        self.done = true;
        Some(Err(OptionError {
            offset: self.offset,
            kind,
            len,
            reason,
        }))
    }

    /// The framing step of the walk: the next option's kind, length and
    /// body, not decoded yet. Every `Err` here stops the walk; decoding
    /// the body ([`TcpOption::decode`]) can only add errors that skip the
    /// option. [`next`](Iterator::next) is this step plus that decoding.
    #[inline]
    pub(super) fn next_framed(&mut self) -> Option<Result<Framed<'a>, OptionError>> {
        if self.done {
            return None;
        }
        match *self.rest {
            [] => {
                if self.truncated {
                    self.stop(0, 0, OptionErrorReason::CaptureEnded)
                } else {
                    self.done = true;
                    None
                }
            }
            [kind::EOL, ref padding @ ..] => {
                self.done = true;
                self.eol = true;
                self.rest = padding;
                self.offset += 1;
                Some(Ok(Framed::Eol))
            }
            [kind::NOP, ref rest @ ..] => {
                self.rest = rest;
                self.offset += 1;
                Some(Ok(Framed::Nop))
            }
            [kind] => {
                if self.truncated {
                    self.stop(kind, 0, OptionErrorReason::Truncated { available: 1 })
                } else {
                    self.stop(kind, 0, OptionErrorReason::MissingLength)
                }
            }
            [kind, len, ..] => {
                let n = usize::from(len);
                if n < 2 {
                    return self.stop(kind, len, OptionErrorReason::LengthBelowTwo);
                }
                let Some((opt, rest)) = self.rest.split_at_checked(n) else {
                    let available = self.rest.len();
                    let reason = if self.truncated {
                        // The declared area may well hold it: the capture cut it.
                        OptionErrorReason::Truncated { available }
                    } else {
                        OptionErrorReason::PastEnd { available }
                    };
                    return self.stop(kind, len, reason);
                };
                let offset = self.offset;
                self.rest = rest;
                self.offset += n;
                let body = opt.get(2..).unwrap_or_default();
                Some(Ok(Framed::Tlv {
                    offset,
                    kind,
                    len,
                    body,
                }))
            }
        }
    }
}

/// One option as framed by the walk, before its body is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Framed<'a> {
    Eol,
    Nop,
    /// `kind, len, body`; `offset` is the kind byte's within the area.
    Tlv {
        offset: usize,
        kind: u8,
        len: u8,
        body: &'a [u8],
    },
}

impl<'a> Framed<'a> {
    /// The option: the body decoded ([`TcpOption::decode`]).
    #[inline]
    pub(super) fn decode(self) -> Result<TcpOption<'a>, OptionError> {
        match self {
            Framed::Eol => Ok(TcpOption::Eol),
            Framed::Nop => Ok(TcpOption::Nop),
            Framed::Tlv {
                offset,
                kind,
                len,
                body,
            } => TcpOption::decode(kind, body).map_err(|reason| OptionError {
                offset,
                kind,
                len,
                reason,
            }),
        }
    }
}

impl<'a> Iterator for TcpOptions<'a> {
    type Item = Result<TcpOption<'a>, OptionError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        Some(match self.next_framed()? {
            Ok(framed) => framed.decode(),
            Err(e) => Err(e),
        })
    }
}

impl core::iter::FusedIterator for TcpOptions<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Options of a Linux SYN (netns/nat-two-clocks.pcap frame 1).
    const LINUX_SYN: [u8; 20] = [
        0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x96, 0xbb, 0x36, 0xcb, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x03, 0x03, 0x0a,
    ];

    #[test]
    fn linux_syn() {
        let mut it = TcpOptions::new(&LINUX_SYN);
        assert_eq!(it.next(), Some(Ok(TcpOption::Mss(1460))));
        assert_eq!(it.next(), Some(Ok(TcpOption::SackPermitted)));
        assert_eq!(
            it.next(),
            Some(Ok(TcpOption::Timestamps {
                tsval: 2528851659,
                tsecr: 0
            }))
        );
        assert_eq!(it.next(), Some(Ok(TcpOption::Nop)));
        assert_eq!(it.next(), Some(Ok(TcpOption::WindowScale(10))));
        assert_eq!(it.next(), None);
        assert_eq!(it.next(), None);
        assert!(it.rest().is_empty());
    }

    #[test]
    fn wrong_length_is_skipped_and_walk_goes_on() {
        // MSS with length 5, then TS: tshark shows no mss_val but does show the TS.
        let area = [2, 5, 5, 0xb4, 0, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1];
        let mut it = TcpOptions::new(&area);
        assert_eq!(
            it.next(),
            Some(Err(OptionError {
                offset: 0,
                kind: 2,
                len: 5,
                reason: OptionErrorReason::BadLength
            }))
        );
        assert_eq!(
            it.next(),
            Some(Ok(TcpOption::Timestamps { tsval: 1, tsecr: 2 }))
        );
        assert_eq!(it.next(), Some(Ok(TcpOption::Nop)));
        assert_eq!(it.next(), None);
    }

    #[test]
    fn stopping_errors() {
        for (area, reason) in [
            (
                &[2u8, 4, 5, 0xb4, 0x50, 1, 1, 1][..],
                OptionErrorReason::LengthBelowTwo,
            ),
            (
                &[2, 4, 5, 0xb4, 0x50, 0, 1, 1][..],
                OptionErrorReason::LengthBelowTwo,
            ),
            (
                &[2, 4, 5, 0xb4, 0x50, 20, 1, 1][..],
                OptionErrorReason::PastEnd { available: 4 },
            ),
            (&[1, 1, 1, 2][..], OptionErrorReason::MissingLength),
        ] {
            let mut it = TcpOptions::new(area);
            let err = it.find_map(Result::err).unwrap();
            assert_eq!(err.reason, reason, "{area:?}");
            assert!(err.reason.stops_walk());
            assert_eq!(it.next(), None);
            assert_eq!(it.rest(), &area[err.offset..]);
            assert!(!it.summary().complete);
            assert!(!TcpOptions::new(area).summary().complete);
        }
    }

    #[test]
    fn eol_ends_walk_and_padding_is_rest() {
        let area = [1, 0, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];
        let mut it = TcpOptions::new(&area);
        assert_eq!(it.next(), Some(Ok(TcpOption::Nop)));
        assert_eq!(it.next(), Some(Ok(TcpOption::Eol)));
        assert_eq!(it.next(), None);
        assert_eq!(it.rest(), &area[2..]);
        let s = TcpOptions::new(&area).summary();
        assert!(s.complete);
        assert_eq!(s.timestamps, None);
    }

    #[test]
    fn truncation_is_reported() {
        let mut it = TcpOptions::with_truncation(&LINUX_SYN[..10], true);
        assert_eq!(it.next(), Some(Ok(TcpOption::Mss(1460))));
        assert_eq!(it.next(), Some(Ok(TcpOption::SackPermitted)));
        let e = it.next().unwrap().unwrap_err();
        assert_eq!((e.offset, e.kind, e.len), (6, kind::TIMESTAMPS, 10));
        assert_eq!(e.reason, OptionErrorReason::Truncated { available: 4 });
        assert_eq!(it.next(), None);

        let mut it = TcpOptions::with_truncation(&LINUX_SYN[..6], true);
        assert_eq!(
            it.nth(2).unwrap().unwrap_err().reason,
            OptionErrorReason::CaptureEnded
        );
        let mut it = TcpOptions::with_truncation(&LINUX_SYN[..7], true);
        assert_eq!(
            it.nth(2).unwrap().unwrap_err().reason,
            OptionErrorReason::Truncated { available: 1 }
        );
        assert!(
            !TcpOptions::with_truncation(&LINUX_SYN[..6], true)
                .summary()
                .complete
        );
    }

    #[test]
    fn unknown_kind_is_skipped_by_length() {
        let area = [99, 4, 1, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];
        let mut it = TcpOptions::new(&area);
        assert_eq!(
            it.next(),
            Some(Ok(TcpOption::Unknown {
                kind: 99,
                data: &[1, 2]
            }))
        );
        assert_eq!(
            it.next(),
            Some(Ok(TcpOption::Timestamps { tsval: 1, tsecr: 2 }))
        );
        assert_eq!(it.next(), None);
    }
}
