//! pcapng options (pcapng spec §3.5): a list of 16-bit code, 16-bit length
//! TLVs, each value padded to 32 bits, ended by `opt_endofopt` (code 0) or
//! by the end of the block body.
//!
//! Values are read in the byte order of their own section (pcap-parser #62
//! read `if_tsoffset` as little-endian always).

use nom::number::Endianness;

/// `opt_endofopt`.
pub const OPT_ENDOFOPT: u16 = 0;
/// `if_tsresol` (IDB, 1 byte).
pub const IF_TSRESOL: u16 = 9;
/// `if_tsoffset` (IDB, signed 64-bit seconds).
pub const IF_TSOFFSET: u16 = 14;

/// One option: code and unpadded value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PcapngOption<'a> {
    pub code: u16,
    pub value: &'a [u8],
}

/// Iterator over the options in a block's option area.
///
/// Lax: a truncated option header or a length past the end of the area
/// ends the walk (the options before it are kept), as a missing option
/// would. It never loops: each step consumes at least 4 bytes.
///
/// ```
/// use tcpopt_parse::capture::pcapng::Options;
/// // if_tsresol = 9 (ns), then opt_endofopt, little-endian.
/// let area = [0x09, 0x00, 0x01, 0x00, 0x09, 0, 0, 0, 0, 0, 0, 0];
/// let mut it = Options::new(&area, false);
/// let o = it.next().unwrap();
/// assert_eq!((o.code, o.value), (9, &[9u8][..]));
/// assert!(it.next().is_none());
/// ```
#[derive(Clone, Debug)]
pub struct Options<'a> {
    rest: &'a [u8],
    endian: Endianness,
}

impl<'a> Options<'a> {
    pub fn new(area: &'a [u8], big_endian: bool) -> Self {
        let endian = if big_endian {
            Endianness::Big
        } else {
            Endianness::Little
        };
        Options { rest: area, endian }
    }

    fn u16_at(&self, b: &[u8]) -> Option<u16> {
        let arr: [u8; 2] = b.get(..2)?.try_into().ok()?;
        Some(match self.endian {
            Endianness::Big => u16::from_be_bytes(arr),
            _ => u16::from_le_bytes(arr),
        })
    }

    /// Reads an `i64` value in the section's byte order.
    pub fn i64_value(&self, value: &[u8]) -> Option<i64> {
        let arr: [u8; 8] = value.try_into().ok()?;
        Some(match self.endian {
            Endianness::Big => i64::from_be_bytes(arr),
            _ => i64::from_le_bytes(arr),
        })
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = PcapngOption<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest;
        self.rest = &[];
        let code = self.u16_at(rest)?;
        let len = self.u16_at(rest.get(2..)?)?;
        if code == OPT_ENDOFOPT {
            return None;
        }
        let len = usize::from(len);
        let value = rest.get(4..4 + len)?;
        // Padding to 32 bits; a missing pad after the last option is tolerated.
        let padded = 4 + len.div_ceil(4) * 4;
        self.rest = rest.get(padded..).unwrap_or(&[]);
        Some(PcapngOption { code, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_endian_values_and_padding() {
        // if_name "eth0" (code 2, len 4), if_tsoffset -1 (code 14, len 8), BE.
        let mut area = [0u8; 4 + 4 + 4 + 8 + 4];
        area[..4].copy_from_slice(&[0, 2, 0, 4]);
        area[4..8].copy_from_slice(b"eth0");
        area[8..12].copy_from_slice(&[0, 14, 0, 8]);
        area[12..20].copy_from_slice(&(-1i64).to_be_bytes());
        let it = Options::new(&area, true);
        let v: [PcapngOption<'_>; 2] = {
            let mut i = it.clone();
            [i.next().unwrap(), i.next().unwrap()]
        };
        assert_eq!(v[0].value, b"eth0");
        assert_eq!(v[1].code, IF_TSOFFSET);
        assert_eq!(it.i64_value(v[1].value), Some(-1));
        assert_eq!(it.clone().count(), 2);
    }

    #[test]
    fn overrun_and_short_header_end_the_walk() {
        assert_eq!(Options::new(&[9, 0, 0xff, 0, 1, 2, 3, 4], false).count(), 0);
        assert_eq!(Options::new(&[9, 0, 1], false).count(), 0);
        // Zero-length unknown options still progress by 4 bytes each.
        assert_eq!(
            Options::new(&[0x55, 0, 0, 0, 0x56, 0, 0, 0], false).count(),
            2
        );
    }
}
