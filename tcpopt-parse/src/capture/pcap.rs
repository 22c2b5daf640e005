//! Legacy pcap framing: the 24-byte file header and the 16-byte (or, in
//! the "modified" Alexey Kuznetsov format, 24-byte) record header.
//!
//! Layout per draft-ietf-opsawg-pcap §4 (file header) and §5 (record).
//! The magic number fixes the byte order and the time unit of every field
//! that follows. These are nom *streaming* parsers: a short input is
//! `Err::Incomplete`, never a wrong value.

use nom::number::streaming::{u16 as nom_u16, u32 as nom_u32};
use nom::number::Endianness;
use nom::IResult;

use crate::linktype::LinkType;

/// Bytes in the pcap file header.
pub const FILE_HEADER_LEN: usize = 24;
/// Bytes in a standard record header.
pub const RECORD_HEADER_LEN: usize = 16;
/// Bytes in a "modified" (0xa1b2cd34) record header: the standard 16 plus
/// ifindex (4), protocol (2), pkt_type (1) and a pad byte.
pub const MODIFIED_RECORD_HEADER_LEN: usize = 24;

/// Microsecond magic, as a `u32` read in the file's own byte order.
pub const MAGIC_MICROS: u32 = 0xa1b2_c3d4;
/// Nanosecond magic.
pub const MAGIC_NANOS: u32 = 0xa1b2_3c4d;
/// Kuznetsov's patched libpcap ("modified pcap"), microseconds.
pub const MAGIC_MODIFIED: u32 = 0xa1b2_cd34;

/// Field offsets inside the file header.
mod field {
    pub const VERSION_MAJOR: u64 = 4;
    pub const SNAPLEN: u64 = 16;
}
/// Offset of `incl_len` (captured length) inside a record header.
pub const RECORD_CAPLEN_OFFSET: u64 = 8;

/// Byte order and time unit that a pcap magic number selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Magic {
    pub big_endian: bool,
    pub nanosecond: bool,
    pub modified: bool,
}

impl Magic {
    /// Recognises the 4 magic bytes (all six byte-order × flavour
    /// combinations), or `None`.
    ///
    /// ```
    /// use tcpopt_parse::capture::pcap::Magic;
    /// let m = Magic::from_bytes([0xd4, 0xc3, 0xb2, 0xa1]).unwrap();
    /// assert!(!m.big_endian && !m.nanosecond && !m.modified);
    /// let m = Magic::from_bytes([0xa1, 0xb2, 0x3c, 0x4d]).unwrap();
    /// assert!(m.big_endian && m.nanosecond);
    /// assert!(Magic::from_bytes([0x0a, 0x0d, 0x0d, 0x0a]).is_none());
    /// ```
    pub const fn from_bytes(b: [u8; 4]) -> Option<Magic> {
        let (v, big_endian) = match (u32::from_le_bytes(b), u32::from_be_bytes(b)) {
            (MAGIC_MICROS | MAGIC_NANOS | MAGIC_MODIFIED, _) => (u32::from_le_bytes(b), false),
            (_, MAGIC_MICROS | MAGIC_NANOS | MAGIC_MODIFIED) => (u32::from_be_bytes(b), true),
            _ => return None,
        };
        Some(Magic {
            big_endian,
            nanosecond: v == MAGIC_NANOS,
            modified: v == MAGIC_MODIFIED,
        })
    }

    pub(crate) const fn endianness(self) -> Endianness {
        if self.big_endian {
            Endianness::Big
        } else {
            Endianness::Little
        }
    }

    /// Length of each record header in this flavour.
    pub const fn record_header_len(self) -> usize {
        if self.modified {
            MODIFIED_RECORD_HEADER_LEN
        } else {
            RECORD_HEADER_LEN
        }
    }
}

/// The pcap file header, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileHeader {
    pub magic: Magic,
    pub version_major: u16,
    pub version_minor: u16,
    pub snaplen: u32,
    /// Link type: the low 16 bits of the `network` field. The upper bits
    /// carry the FCS length and reserved flags (libpcap's `LT_LINKTYPE`).
    pub linktype: LinkType,
    /// The raw 32-bit `network` field, FCS bits included.
    pub network: u32,
}

impl FileHeader {
    /// Offset of the version field, for error reports.
    pub const VERSION_OFFSET: u64 = field::VERSION_MAJOR;
    /// Offset of the snaplen field, for error reports.
    pub const SNAPLEN_OFFSET: u64 = field::SNAPLEN;
}

/// Parses the 24-byte file header. Returns `Ok(None)` when the magic is
/// not a pcap magic (the caller decides what else it may be).
///
/// ```
/// use tcpopt_parse::capture::pcap::file_header;
/// // First 24 bytes of tcpdump's test capture AoE_Linux.pcap.
/// let bytes = [0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
///              0xff, 0xff, 0, 0, 0x01, 0, 0, 0];
/// let (rest, h) = file_header(&bytes).unwrap();
/// let h = h.unwrap();
/// assert!(rest.is_empty());
/// assert_eq!((h.version_major, h.version_minor, h.snaplen, h.linktype.0), (2, 4, 65535, 1));
/// assert!(file_header(&bytes[..10]).is_err()); // Incomplete
/// ```
pub fn file_header(input: &[u8]) -> IResult<&[u8], Option<FileHeader>> {
    let (_, magic) = nom::bytes::streaming::take(4usize)(input)?;
    let Some(magic) = <[u8; 4]>::try_from(magic).ok().and_then(Magic::from_bytes) else {
        return Ok((input, None));
    };
    let e = magic.endianness();
    // Ask for the whole header at once rather than field by field.
    nom::bytes::streaming::take(FILE_HEADER_LEN)(input)?;
    let (rest, _) = nom::bytes::streaming::take(4usize)(input)?;
    let (rest, version_major) = nom_u16(e)(rest)?;
    let (rest, version_minor) = nom_u16(e)(rest)?;
    // thiszone and sigfigs: always 0 in practice, and Wireshark ignores them.
    let (rest, _) = nom::bytes::streaming::take(8usize)(rest)?;
    let (rest, snaplen) = nom_u32(e)(rest)?;
    let (rest, network) = nom_u32(e)(rest)?;
    let linktype = LinkType(network & 0xffff);
    Ok((
        rest,
        Some(FileHeader {
            magic,
            version_major,
            version_minor,
            snaplen,
            linktype,
            network,
        }),
    ))
}

/// One record header: time and the two lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    pub ts_sec: u32,
    /// Microseconds or nanoseconds, per the magic.
    pub ts_frac: u32,
    /// `incl_len`: bytes of packet data that follow the header.
    pub caplen: u32,
    /// `orig_len`: the packet's length on the wire.
    pub origlen: u32,
}

/// Parses a record header in the byte order and flavour of `magic`
/// (skipping the 8 extra bytes of a modified-pcap record).
///
/// ```
/// use tcpopt_parse::capture::pcap::{record_header, Magic};
/// // The first record header of AoE_Linux.pcap: 32 of 32 bytes captured.
/// let bytes = [0x41, 0x49, 0x66, 0x53, 0x21, 0x4e, 0x0b, 0x00, 0x20, 0, 0, 0, 0x20, 0, 0, 0];
/// let le = Magic::from_bytes([0xd4, 0xc3, 0xb2, 0xa1]).unwrap();
/// let (_, h) = record_header(le)(&bytes).unwrap();
/// assert_eq!((h.ts_sec, h.ts_frac, h.caplen, h.origlen), (1399212353, 740897, 32, 32));
/// ```
pub fn record_header(magic: Magic) -> impl Fn(&[u8]) -> IResult<&[u8], RecordHeader> {
    move |input| {
        let e = magic.endianness();
        nom::bytes::streaming::take(magic.record_header_len())(input)?;
        let (rest, ts_sec) = nom_u32(e)(input)?;
        let (rest, ts_frac) = nom_u32(e)(rest)?;
        let (rest, caplen) = nom_u32(e)(rest)?;
        let (rest, origlen) = nom_u32(e)(rest)?;
        let extra = magic.record_header_len() - RECORD_HEADER_LEN;
        let (rest, _) = nom::bytes::streaming::take(extra)(rest)?;
        Ok((
            rest,
            RecordHeader {
                ts_sec,
                ts_frac,
                caplen,
                origlen,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(magic: [u8; 4], be: bool) -> [u8; 24] {
        let mut h = [0u8; 24];
        h[..4].copy_from_slice(&magic);
        let put16 = |v: u16| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let put32 = |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        h[4..6].copy_from_slice(&put16(2));
        h[6..8].copy_from_slice(&put16(4));
        h[16..20].copy_from_slice(&put32(262_144));
        h[20..24].copy_from_slice(&put32(0x0400_0071)); // FCS flag + LINUX_SLL
        h
    }

    #[test]
    fn all_six_magics() {
        for (v, nano, modified) in [
            (MAGIC_MICROS, false, false),
            (MAGIC_NANOS, true, false),
            (MAGIC_MODIFIED, false, true),
        ] {
            for be in [false, true] {
                let magic = if be { v.to_be_bytes() } else { v.to_le_bytes() };
                let bytes = header(magic, be);
                let (_, h) = file_header(&bytes).unwrap();
                let h = h.unwrap();
                assert_eq!(
                    h.magic,
                    Magic {
                        big_endian: be,
                        nanosecond: nano,
                        modified
                    }
                );
                assert_eq!(
                    (h.version_major, h.version_minor, h.snaplen),
                    (2, 4, 262_144)
                );
                assert_eq!(h.linktype, LinkType::LINUX_SLL);
                assert_eq!(h.network, 0x0400_0071);
            }
        }
    }

    #[test]
    fn not_pcap_is_none_and_short_is_incomplete() {
        let (_, h) = file_header(&[0x0a, 0x0d, 0x0d, 0x0a, 0, 0]).unwrap();
        assert!(h.is_none());
        assert!(matches!(
            file_header(&[0xd4, 0xc3]),
            Err(nom::Err::Incomplete(_))
        ));
        assert!(matches!(
            file_header(&header(MAGIC_MICROS.to_le_bytes(), false)[..23]),
            Err(nom::Err::Incomplete(_))
        ));
    }

    #[test]
    fn modified_record_skips_eight_bytes() {
        let m = Magic {
            big_endian: true,
            nanosecond: false,
            modified: true,
        };
        let mut b = [0u8; 25];
        b[8..12].copy_from_slice(&5u32.to_be_bytes());
        b[12..16].copy_from_slice(&9u32.to_be_bytes());
        b[24] = 0xee;
        let (rest, h) = record_header(m)(&b).unwrap();
        assert_eq!((h.caplen, h.origlen), (5, 9));
        assert_eq!(rest, &[0xee]);
        assert_eq!(
            record_header(m)(&b[..20]),
            Err(nom::Err::Incomplete(nom::Needed::new(4)))
        );
    }
}
