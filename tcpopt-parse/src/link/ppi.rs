//! The Per-Packet Information header (LINKTYPE_PPI, 192; the PPI
//! specification v1.0.10 §3): a version, flags, the header's length and the
//! link type of the frame behind it (802.11 in practice), then fields this
//! crate does not need.

use crate::error::{Error, ErrorKind, Layer};
use crate::linktype::LinkType;

/// Version, flags, length, link type.
pub const MIN_HEADER_LEN: usize = 8;

/// What the PPI header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PpiHeader {
    /// Length of the whole PPI header, fields included.
    pub header_len: usize,
    /// The link type of the frame behind it.
    pub linktype: LinkType,
}

/// Parses a PPI header; returns it and the frame behind it. Error offsets
/// are relative to `input`.
///
/// ```
/// # use tcpopt_parse::link::ppi::parse;
/// // 80211_per_packet_information.pcap frame 1: 32 bytes, 802.11 (105).
/// let mut p = vec![0x00, 0x00, 0x20, 0x00, 0x69, 0x00, 0x00, 0x00];
/// p.resize(32, 0);
/// p.push(0x80);
/// let (h, frame) = parse(&p).unwrap();
/// assert_eq!((h.header_len, h.linktype.0, frame), (32, 105, &[0x80][..]));
/// ```
pub fn parse(input: &[u8]) -> Result<(PpiHeader, &[u8]), Error> {
    let Some(&[version, _flags, l0, l1, d0, d1, d2, d3]) = input.first_chunk::<MIN_HEADER_LEN>()
    else {
        return Err(Error::truncated(
            Layer::Link,
            0,
            MIN_HEADER_LEN as u64,
            input.len() as u64,
        ));
    };
    if version != 0 {
        return Err(Error::new(
            Layer::Link,
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
            Layer::Link,
            2,
            ErrorKind::BadLength {
                what: "ppi header length",
                value: header_len as u64,
            },
        ));
    }
    let Some(frame) = input.get(header_len..) else {
        return Err(Error::truncated(
            Layer::Link,
            0,
            header_len as u64,
            input.len() as u64,
        ));
    };
    let linktype = LinkType(u32::from_le_bytes([d0, d1, d2, d3]));
    Ok((
        PpiHeader {
            header_len,
            linktype,
        },
        frame,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults() {
        assert!(parse(&[0, 0, 8, 0, 105]).is_err());
        assert!(parse(&[1, 0, 8, 0, 105, 0, 0, 0]).is_err());
        assert_eq!(parse(&[0, 0, 4, 0, 105, 0, 0, 0]).unwrap_err().offset, 2);
        assert!(parse(&[0, 0, 16, 0, 105, 0, 0, 0]).is_err());
    }
}
