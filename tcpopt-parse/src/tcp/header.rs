//! The TCP header (RFC 9293 §3.1) as a checked, zero-copy view.

use super::flags::TcpFlags;
use super::option::{OptionError, OptionErrorReason};
use super::options::TcpOptions;
use super::summary::OptionsSummary;
use crate::error::{Error, ErrorKind, Layer};

/// Byte offsets of the fixed header's fields (RFC 9293 §3.1, figure 1).
pub mod field {
    /// A field's first byte.
    pub type Offset = usize;
    pub const SRC_PORT: Offset = 0;
    pub const DST_PORT: Offset = 2;
    pub const SEQ_NUM: Offset = 4;
    pub const ACK_NUM: Offset = 8;
    /// Data offset (high nibble), reserved bits, and the AE flag (low bit).
    pub const DATA_OFFSET: Offset = 12;
    /// The eight classic flags CWR..FIN.
    pub const FLAGS: Offset = 13;
    pub const WINDOW: Offset = 14;
    pub const CHECKSUM: Offset = 16;
    pub const URGENT: Offset = 18;
    /// First byte after the fixed header: the options start here.
    pub const OPTIONS: Offset = 20;
}

/// A TCP header whose length was checked once by [`TcpHeader::parse`]; every
/// accessor is then panic-free and does no further checks.
///
/// Truncation is data, not an error: when the capture holds less than the
/// data offset announces, the options area is what was captured,
/// [`options_truncated`](Self::options_truncated) is true, and the options
/// iterator ends with a truncation error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpHeader<'a> {
    fixed: &'a [u8; field::OPTIONS],
    /// Captured options bytes (possibly shorter than the data offset says).
    options: &'a [u8],
    /// Captured bytes after the declared header.
    payload: &'a [u8],
    options_truncated: bool,
}

impl<'a> TcpHeader<'a> {
    /// Length of the fixed header, and offset of the options area.
    pub const OPTIONS_OFFSET: usize = field::OPTIONS;
    /// Minimum header length.
    pub const MIN_LEN: usize = 20;

    /// Checks the fixed header and splits `data` (a TCP segment from its
    /// first byte, as captured) into options and payload.
    ///
    /// # Errors
    /// - [`ErrorKind::Truncated`] at offset 0 if fewer than 20 bytes.
    /// - [`ErrorKind::BadValue`] at offset 12 if the data offset is below 5.
    ///
    /// ```
    /// use tcpopt_parse::tcp::{TcpHeader, TcpOption};
    /// // A Linux SYN (shared capture netns/nat-two-clocks.pcap, frame 1).
    /// let syn = [
    ///     0xc3, 0x5a, 0x00, 0x50, 0x52, 0x04, 0x3b, 0xac, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
    ///     0xfa, 0xf0, 0xd9, 0xb7, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
    ///     0x96, 0xbb, 0x36, 0xcb, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
    /// ];
    /// let h = TcpHeader::parse(&syn)?;
    /// assert_eq!((h.src_port(), h.dst_port(), h.seq()), (50010, 80, 0x52043bac));
    /// assert_eq!((h.header_len(), h.window(), h.flags().to_string()), (40, 64240, "S".into()));
    /// assert_eq!(h.options().next(), Some(Ok(TcpOption::Mss(1460))));
    /// let s = h.summary();
    /// assert_eq!((s.mss, s.wscale, s.timestamps), (Some(1460), Some(10), Some((2528851659, 0))));
    /// assert!(s.sack_permitted && s.complete && h.payload().is_empty());
    /// # Ok::<(), tcpopt_parse::Error>(())
    /// ```
    pub fn parse(data: &'a [u8]) -> Result<TcpHeader<'a>, Error> {
        let Some((fixed, after)) = data.split_first_chunk::<{ field::OPTIONS }>() else {
            return Err(Error::truncated(
                Layer::Tcp,
                0,
                Self::MIN_LEN as u64,
                data.len() as u64,
            ));
        };
        let doff = fixed[field::DATA_OFFSET] >> 4;
        if doff < 5 {
            return Err(Error::new(
                Layer::Tcp,
                field::DATA_OFFSET as u64,
                ErrorKind::BadValue {
                    what: "tcp data offset",
                    value: u64::from(doff),
                },
            ));
        }
        let opt_len = usize::from(doff) * 4 - Self::MIN_LEN;
        let (options, payload, options_truncated) = match after.split_at_checked(opt_len) {
            Some((o, p)) => (o, p, false),
            None => (after, &[][..], true),
        };
        Ok(TcpHeader {
            fixed,
            options,
            payload,
            options_truncated,
        })
    }

    #[inline]
    fn u16_at(&self, at: usize) -> u16 {
        u16::from_be_bytes([self.fixed[at], self.fixed[at + 1]])
    }

    #[inline]
    fn u32_at(&self, at: usize) -> u32 {
        u32::from_be_bytes([
            self.fixed[at],
            self.fixed[at + 1],
            self.fixed[at + 2],
            self.fixed[at + 3],
        ])
    }

    pub fn src_port(&self) -> u16 {
        self.u16_at(field::SRC_PORT)
    }
    pub fn dst_port(&self) -> u16 {
        self.u16_at(field::DST_PORT)
    }
    /// Sequence number.
    pub fn seq(&self) -> u32 {
        self.u32_at(field::SEQ_NUM)
    }
    /// Acknowledgment number (meaningful only with ACK set).
    pub fn ack(&self) -> u32 {
        self.u32_at(field::ACK_NUM)
    }
    /// Data offset in 32-bit words (5..=15).
    pub fn data_offset(&self) -> u8 {
        self.fixed[field::DATA_OFFSET] >> 4
    }
    /// Header length in bytes as the data offset declares it (20..=60),
    /// whether or not it was all captured.
    pub fn header_len(&self) -> usize {
        usize::from(self.data_offset()) * 4
    }
    /// All nine flags, including CWR, ECE and AE (RFC 9768).
    pub fn flags(&self) -> TcpFlags {
        TcpFlags::from_bits(self.u16_at(field::DATA_OFFSET))
    }
    /// The raw (unscaled) window field.
    pub fn window(&self) -> u16 {
        self.u16_at(field::WINDOW)
    }
    pub fn checksum(&self) -> u16 {
        self.u16_at(field::CHECKSUM)
    }
    pub fn urgent_ptr(&self) -> u16 {
        self.u16_at(field::URGENT)
    }
    /// The fixed 20-byte header.
    pub fn fixed_bytes(&self) -> &'a [u8; 20] {
        self.fixed
    }
    /// The captured options area (shorter than `header_len() - 20` when
    /// [`options_truncated`](Self::options_truncated)).
    pub fn options_bytes(&self) -> &'a [u8] {
        self.options
    }
    /// The capture cut the header before the end of its options area.
    pub fn options_truncated(&self) -> bool {
        self.options_truncated
    }
    /// The options, in wire order (see [`TcpOptions`]).
    pub fn options(&self) -> TcpOptions<'a> {
        TcpOptions::with_truncation(self.options, self.options_truncated)
    }
    /// The captured bytes after the header (it may include an Ethernet
    /// trailer unless the caller bounded `data` by the IP length).
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
    /// The options facts the analysis needs, in one fast pass.
    #[inline]
    pub fn summary(&self) -> OptionsSummary {
        OptionsSummary::walk(self.options, self.options_truncated)
    }
}

/// The [`Error`] offset is relative to the start of the TCP header (the
/// header places the options area, so the conversion lives with it).
impl From<OptionError> for Error {
    fn from(e: OptionError) -> Error {
        let offset = (e.offset as u64).saturating_add(TcpHeader::OPTIONS_OFFSET as u64);
        let kind = match e.reason {
            OptionErrorReason::Truncated { available } => ErrorKind::Truncated {
                needed: u64::from(e.len),
                available: available as u64,
            },
            OptionErrorReason::CaptureEnded => ErrorKind::Truncated {
                needed: 1,
                available: 0,
            },
            OptionErrorReason::MissingLength => ErrorKind::Truncated {
                needed: 2,
                available: 1,
            },
            OptionErrorReason::PastEnd { .. }
            | OptionErrorReason::LengthBelowTwo
            | OptionErrorReason::BadLength => ErrorKind::BadLength {
                what: "tcp option length",
                value: u64::from(e.len),
            },
            OptionErrorReason::BadCookieLength => ErrorKind::BadLength {
                what: "tcp fast open cookie option length",
                value: u64::from(e.len),
            },
        };
        Error::new(Layer::TcpOption, offset, kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_bad_offset() {
        let e = TcpHeader::parse(&[0; 19]).unwrap_err();
        assert_eq!(e, Error::truncated(Layer::Tcp, 0, 20, 19));
        let mut h = [0u8; 20];
        h[12] = 0x40;
        let e = TcpHeader::parse(&h).unwrap_err();
        assert_eq!(e.offset, 12);
        assert!(matches!(e.kind, ErrorKind::BadValue { value: 4, .. }));
    }

    #[test]
    fn truncated_options_are_data() {
        let mut h = [0u8; 30];
        h[12] = 0xf1; // doff 15, AE
        h[13] = 0xc2; // CWR ECE SYN
        h[20..24].copy_from_slice(&[2, 4, 5, 0xb4]);
        h[24..26].copy_from_slice(&[8, 10]);
        let t = TcpHeader::parse(&h).unwrap();
        assert_eq!(t.header_len(), 60);
        assert!(t.options_truncated());
        assert_eq!(t.options_bytes().len(), 10);
        assert!(t.payload().is_empty());
        assert_eq!(t.flags().bits(), 0x1c2);
        let s = t.summary();
        assert_eq!(
            (s.mss, s.complete, s.ts_malformed),
            (Some(1460), false, false)
        );
        let last = t.options().last().unwrap().unwrap_err();
        assert!(last.reason.is_truncation());
    }
}
