//! The radiotap header (<https://www.radiotap.org/>) that Linux and the
//! BSDs put in front of 802.11 frames captured in monitor mode
//! (LINKTYPE_IEEE802_11_RADIOTAP, 127). Only its length and the Flags
//! field matter here: the Flags say whether the 802.11 header is padded to
//! a 32-bit boundary and whether the frame ends with its FCS.

use crate::error::{Error, ErrorKind, Layer};

/// Version, pad, length, the first presence word.
pub const MIN_HEADER_LEN: usize = 8;
/// Offset of the little-endian header length.
const LEN_OFFSET: usize = 2;
/// Offset of the first presence bitmap.
const PRESENT_OFFSET: usize = 4;
/// Presence bit of the TSFT field (8 bytes, 8-aligned), the first field.
const PRESENT_TSFT: u32 = 1 << 0;
/// Presence bit of the Flags field (1 byte), right after TSFT.
const PRESENT_FLAGS: u32 = 1 << 1;
/// Another presence word follows this one.
const PRESENT_EXT: u32 = 1 << 31;

/// Flags: the frame includes its FCS (4 bytes) at the end.
pub const FLAG_FCS: u8 = 0x10;
/// Flags: padding between the 802.11 header and its payload, to 32 bits.
pub const FLAG_DATA_PAD: u8 = 0x20;

/// What the radiotap header says about the frame behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Radiotap {
    /// Length of the whole radiotap header.
    pub header_len: usize,
    /// The Flags field, 0 when absent.
    pub flags: u8,
}

impl Radiotap {
    pub const fn has_fcs(&self) -> bool {
        self.flags & FLAG_FCS != 0
    }
    pub const fn data_pad(&self) -> bool {
        self.flags & FLAG_DATA_PAD != 0
    }
}

/// Parses a radiotap header; returns it and the 802.11 frame behind it
/// (without the FCS when the Flags say there is one). Error offsets are
/// relative to `input`.
///
/// ```
/// # use tcpopt_parse::link::radiotap::parse;
/// // 80211_unencrypted_data_frame.pcap frame 1: 26 bytes, TSFT, then Flags
/// // 0x10 (FCS at the end); the frame's first bytes and an FCS follow.
/// let rt = [0x00, 0x00, 0x1a, 0x00, 0x6f, 0x18, 0x00, 0x00, 0xbb, 0xfd, 0x7a, 0xa9,
///           0x2b, 0x00, 0x00, 0x00, 0x10, 0x6c, 0x80, 0x09, 0xc0, 0x00, 0xef, 0xac,
///           0x00, 0x43, 0x08, 0x01, 0x2c, 0x00, 0xaa, 0xbb, 0xcc, 0xdd];
/// let (h, frame) = parse(&rt).unwrap();
/// assert_eq!((h.header_len, h.has_fcs(), frame), (26, true, &[0x08, 0x01, 0x2c, 0x00][..]));
/// assert!(parse(&rt[..6]).is_err());
/// ```
pub fn parse(input: &[u8]) -> Result<(Radiotap, &[u8]), Error> {
    let cut = |at: usize, needed: usize| {
        Error::truncated(
            Layer::Radiotap,
            at as u64,
            needed as u64,
            input.len() as u64,
        )
    };
    let Some(&[version, _pad, l0, l1, p0, p1, p2, p3]) = input.first_chunk::<MIN_HEADER_LEN>()
    else {
        return Err(cut(0, MIN_HEADER_LEN));
    };
    if version != 0 {
        return Err(Error::new(
            Layer::Radiotap,
            0,
            ErrorKind::BadVersion {
                major: version.into(),
                minor: 0,
            },
        ));
    }
    let header_len = usize::from(u16::from_le_bytes([l0, l1]));
    if header_len < MIN_HEADER_LEN {
        return Err(Error::new(
            Layer::Radiotap,
            LEN_OFFSET as u64,
            ErrorKind::BadLength {
                what: "radiotap length",
                value: header_len as u64,
            },
        ));
    }
    let Some(header) = input.get(..header_len) else {
        return Err(cut(0, header_len));
    };
    // Fields start after the last presence word; each word's bit 31 says
    // another follows, and the header length bounds them.
    let first = u32::from_le_bytes([p0, p1, p2, p3]);
    let mut word = first;
    let mut at = PRESENT_OFFSET + 4;
    while word & PRESENT_EXT != 0 {
        let Some(&w) = header.get(at..).and_then(|r| r.first_chunk::<4>()) else {
            return Err(Error::new(
                Layer::Radiotap,
                at as u64,
                ErrorKind::BadLength {
                    what: "radiotap presence words past its length",
                    value: header_len as u64,
                },
            ));
        };
        word = u32::from_le_bytes(w);
        at += 4;
    }
    let mut flags = 0;
    if first & PRESENT_FLAGS != 0 {
        if first & PRESENT_TSFT != 0 {
            at = at.next_multiple_of(8) + 8;
        }
        flags = *header.get(at).ok_or(cut(at, 1))?;
    }
    let frame = input.get(header_len..).unwrap_or_default();
    let frame = if flags & FLAG_FCS != 0 {
        frame
            .get(..frame.len().saturating_sub(4))
            .unwrap_or_default()
    } else {
        frame
    };
    Ok((Radiotap { header_len, flags }, frame))
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate alloc;
    use alloc::vec;

    #[test]
    fn tsft_then_flags_and_extended_bitmaps() {
        // Two presence words (bit 31), TSFT at offset 16 (8-aligned), Flags
        // at 24 with data padding.
        let mut h = vec![0u8, 0, 26, 0, 0x03, 0, 0, 0x80, 0, 0, 0, 0];
        h.extend_from_slice(&[0; 4]); // pad to 16
        h.extend_from_slice(&[1; 8]); // TSFT
        h.extend_from_slice(&[FLAG_DATA_PAD, 0]);
        h.push(0x08);
        let (r, frame) = parse(&h).unwrap();
        assert_eq!((r.header_len, r.data_pad(), r.has_fcs()), (26, true, false));
        assert_eq!(frame, [0x08]);
    }

    #[test]
    fn bad_version_and_lengths() {
        assert_eq!(
            parse(&[1, 0, 8, 0, 0, 0, 0, 0]).unwrap_err().kind,
            ErrorKind::BadVersion { major: 1, minor: 0 }
        );
        assert_eq!(parse(&[0, 0, 4, 0, 0, 0, 0, 0]).unwrap_err().offset, 2);
        // Presence words claim more than the length holds.
        assert!(parse(&[0, 0, 8, 0, 0, 0, 0, 0x80, 0, 0, 0, 0]).is_err());
        // Header longer than the packet.
        assert!(parse(&[0, 0, 40, 0, 0, 0, 0, 0]).is_err());
    }
}
