//! pcapng framing and the packet-bearing blocks (draft-ietf-opsawg-pcapng).
//!
//! Every block is `type (4) | total length (4) | body | total length (4)`,
//! in the byte order of its section. The Section Header Block announces
//! that byte order with its byte-order magic (§4.1), so a file can switch
//! order at every SHB. [`block`] checks the framing once (length ≥ 12, a
//! multiple of 4, under the configured maximum, head == tail, all with
//! checked arithmetic); the body parsers then work on a complete slice.
//!
//! Offsets in errors returned here are relative to the block start; the
//! capture parser shifts them to file offsets.

use nom::number::streaming::u32 as nom_u32;
use nom::number::Endianness;

use super::nom_need;
pub use super::options::{Options, PcapngOption, IF_TSOFFSET, IF_TSRESOL, OPT_ENDOFOPT};
use super::resolution::TsResolution;
use super::ReadError;
use crate::error::{Error, ErrorKind, Layer};
use crate::linktype::LinkType;

/// Section Header Block type (a palindrome, so byte-order independent).
pub const SHB: u32 = 0x0A0D_0D0A;
/// Interface Description Block.
pub const IDB: u32 = 0x0000_0001;
/// Obsolete Packet Block (pcapng 1.0 §A; still written by old tools).
pub const PB: u32 = 0x0000_0002;
/// Simple Packet Block.
pub const SPB: u32 = 0x0000_0003;
/// Enhanced Packet Block.
pub const EPB: u32 = 0x0000_0006;
/// The SHB byte-order magic, as read in the section's own order.
pub const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
/// Smallest legal block: type, length, length.
pub const MIN_BLOCK_LEN: u32 = 12;
/// Offset of the body inside a block.
pub const BODY_OFFSET: u64 = 8;

/// Minimum body lengths.
const SHB_BODY: usize = 16;
const IDB_BODY: usize = 8;
const EPB_BODY: usize = 20;
const PB_BODY: usize = 20;
const SPB_BODY: usize = 4;

fn endianness(big: bool) -> Endianness {
    if big {
        Endianness::Big
    } else {
        Endianness::Little
    }
}

/// One framed block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block<'a> {
    pub block_type: u32,
    pub total_len: u32,
    /// Byte order of this block (for an SHB: the order it announces).
    pub big_endian: bool,
    /// Everything between the head and the trailing length.
    pub body: &'a [u8],
}

/// Frames one block at the front of `input`.
///
/// `section_big_endian` is the current section's byte order, `None` before
/// the first SHB (then only an SHB is accepted). `max_len` bounds the total
/// length so that a corrupt length fails at once instead of asking for
/// gigabytes of input. Returns [`ReadError::NeedMore`] with the total number
/// of bytes (from the front of `input`) needed to go on.
///
/// ```
/// use tcpopt_parse::capture::pcapng::{block, SHB};
/// // The 28-byte SHB that opens a little-endian pcapng (no options).
/// let shb = [0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
///            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1c, 0, 0, 0];
/// let b = block(None, 1 << 20, &shb).unwrap();
/// assert_eq!((b.block_type, b.total_len, b.big_endian, b.body.len()), (SHB, 28, false, 16));
/// assert!(block(None, 1 << 20, &shb[..27]).is_err()); // NeedMore { needed: 28 }
/// ```
pub fn block(
    section_big_endian: Option<bool>,
    max_len: u32,
    input: &[u8],
) -> Result<Block<'_>, ReadError> {
    let bad = |offset: u64, kind: ErrorKind| {
        ReadError::Malformed(Error::new(Layer::Pcapng, offset, kind))
    };
    let (_, head) = nom::bytes::streaming::take(4usize)(input)
        .map_err(|e| nom_need(input.len(), e, Layer::Pcapng))?;
    let big_endian = if head == SHB.to_le_bytes() {
        // The byte-order magic follows the length; we need it to read the length.
        let (_, bom) = nom::bytes::streaming::take(12usize)(input)
            .map_err(|e| nom_need(input.len(), e, Layer::Pcapng))?;
        let bom = bom
            .get(8..12)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .unwrap_or_default();
        if u32::from_le_bytes(bom) == BYTE_ORDER_MAGIC {
            false
        } else if u32::from_be_bytes(bom) == BYTE_ORDER_MAGIC {
            true
        } else {
            return Err(bad(
                8,
                ErrorKind::BadMagic {
                    found: u32::from_be_bytes(bom),
                },
            ));
        }
    } else {
        match section_big_endian {
            Some(b) => b,
            None => {
                let found = head.try_into().map(u32::from_be_bytes).unwrap_or_default();
                return Err(bad(0, ErrorKind::BadMagic { found }));
            }
        }
    };
    let e = endianness(big_endian);
    let (rest, block_type) =
        nom_u32(e)(input).map_err(|er| nom_need(input.len(), er, Layer::Pcapng))?;
    let (_, total_len) = nom_u32(e)(rest).map_err(|er| nom_need(input.len(), er, Layer::Pcapng))?;
    let what = "pcapng block total length";
    if total_len < MIN_BLOCK_LEN || total_len % 4 != 0 {
        return Err(bad(
            4,
            ErrorKind::BadLength {
                what,
                value: total_len.into(),
            },
        ));
    }
    if total_len > max_len {
        return Err(bad(
            4,
            ErrorKind::TooLarge {
                what,
                value: total_len.into(),
                max: max_len.into(),
            },
        ));
    }
    let total = usize::try_from(total_len).map_err(|_| {
        bad(
            4,
            ErrorKind::TooLarge {
                what,
                value: total_len.into(),
                max: usize::MAX as u64,
            },
        )
    })?;
    let (_, whole) = nom::bytes::streaming::take(total)(input)
        .map_err(|er| nom_need(input.len(), er, Layer::Pcapng))?;
    // total >= 12, so these ranges are in bounds; `get` keeps that checked.
    let tail_at = total - 4;
    let tail = whole
        .get(tail_at..)
        .map(|t| nom_u32::<_, nom::error::Error<&[u8]>>(e)(t));
    let Some(Ok((_, tail))) = tail else {
        return Err(bad(
            4,
            ErrorKind::BadLength {
                what,
                value: total_len.into(),
            },
        ));
    };
    if tail != total_len {
        return Err(bad(
            tail_at as u64,
            ErrorKind::BadLength {
                what: "pcapng block trailing total length (differs from the head)",
                value: tail.into(),
            },
        ));
    }
    let body = whole.get(8..tail_at).unwrap_or_default();
    Ok(Block {
        block_type,
        total_len,
        big_endian,
        body,
    })
}

/// A complete-slice reader of fixed fields in a block body, reporting a
/// short body as `BadLength` of the block.
struct Body<'a> {
    body: &'a [u8],
    big_endian: bool,
    what: &'static str,
}

impl<'a> Body<'a> {
    fn check(&self, min: usize) -> Result<(), Error> {
        if self.body.len() < min {
            let value = (self.body.len() as u64).saturating_add(12);
            return Err(Error::new(
                Layer::Pcapng,
                4,
                ErrorKind::BadLength {
                    what: self.what,
                    value,
                },
            ));
        }
        Ok(())
    }
    fn u16(&self, at: usize) -> u16 {
        let b = self
            .body
            .get(at..at + 2)
            .and_then(|b| <[u8; 2]>::try_from(b).ok())
            .unwrap_or_default();
        if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    }
    fn u32(&self, at: usize) -> u32 {
        let b = self
            .body
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .unwrap_or_default();
        if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }
    fn from(&self, at: usize) -> &'a [u8] {
        self.body.get(at..).unwrap_or_default()
    }
}

/// Section Header Block body (§4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionHeader {
    pub big_endian: bool,
    pub version_major: u16,
    pub version_minor: u16,
    /// Length of the section after this block, or -1 when unknown.
    pub section_len: i64,
}

/// Decodes an SHB body. Only major version 1 exists; anything else is
/// `BadVersion` (the spec says a reader must not guess at other majors).
pub fn section_header(b: &Block<'_>) -> Result<SectionHeader, Error> {
    let r = Body {
        body: b.body,
        big_endian: b.big_endian,
        what: "SHB total length",
    };
    r.check(SHB_BODY)?;
    let (version_major, version_minor) = (r.u16(4), r.u16(6));
    if version_major != 1 {
        return Err(Error::new(
            Layer::Pcapng,
            BODY_OFFSET + 4,
            ErrorKind::BadVersion {
                major: version_major,
                minor: version_minor,
            },
        ));
    }
    let hi = u64::from(r.u32(if b.big_endian { 8 } else { 12 }));
    let lo = u64::from(r.u32(if b.big_endian { 12 } else { 8 }));
    let section_len = ((hi << 32) | lo) as i64;
    Ok(SectionHeader {
        big_endian: b.big_endian,
        version_major,
        version_minor,
        section_len,
    })
}

/// Interface Description Block body (§4.2), with the two options that
/// change how timestamps read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InterfaceDescription {
    /// The 16-bit LinkType field.
    pub linktype: LinkType,
    /// 0 means "no limit".
    pub snaplen: u32,
    /// `if_tsresol`, or 10^-6 when absent.
    pub resolution: TsResolution,
    /// `if_tsoffset` in seconds, 0 when absent.
    pub ts_offset: i64,
}

/// Decodes an IDB body.
///
/// ```
/// use tcpopt_parse::capture::pcapng::{block, interface_description};
/// use tcpopt_parse::capture::TsResolution;
/// // A big-endian IDB: Ethernet, snaplen 65535, if_tsresol = 2^-30, if_tsoffset = -3600.
/// let idb = [0, 0, 0, 1, 0, 0, 0, 0x2c, 0, 1, 0, 0, 0, 0, 0xff, 0xff,
///            0, 9, 0, 1, 0x9e, 0, 0, 0,
///            0, 14, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf1, 0xf0,
///            0, 0, 0, 0, 0, 0, 0, 0x2c];
/// let b = block(Some(true), 1 << 20, &idb).unwrap();
/// let i = interface_description(&b).unwrap();
/// assert_eq!((i.linktype.0, i.snaplen, i.resolution, i.ts_offset), (1, 65535, TsResolution::Binary(30), -3600));
/// ```
pub fn interface_description(b: &Block<'_>) -> Result<InterfaceDescription, Error> {
    let r = Body {
        body: b.body,
        big_endian: b.big_endian,
        what: "IDB total length",
    };
    r.check(IDB_BODY)?;
    let mut idb = InterfaceDescription {
        linktype: LinkType(u32::from(r.u16(0))),
        snaplen: r.u32(4),
        resolution: TsResolution::MICROS,
        ts_offset: 0,
    };
    let opts = Options::new(r.from(IDB_BODY), b.big_endian);
    for o in opts.clone() {
        match (o.code, o.value) {
            (IF_TSRESOL, &[byte]) => idb.resolution = TsResolution::from_if_tsresol(byte),
            (IF_TSOFFSET, v) => {
                if let Some(off) = opts.i64_value(v) {
                    idb.ts_offset = off;
                }
            }
            _ => {}
        }
    }
    Ok(idb)
}

/// A packet-bearing block (EPB, obsolete PB or SPB), before the interface
/// table is consulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketBlock<'a> {
    pub interface_id: u32,
    /// Timestamp in interface units (0 for an SPB, which has none).
    pub ts_units: u64,
    pub caplen: u32,
    pub origlen: u32,
    pub data: &'a [u8],
}

/// Decodes an Enhanced Packet Block (§4.3) or obsolete Packet Block body:
/// the captured length must fit in the body (the padding may be missing).
///
/// ```
/// use tcpopt_parse::capture::pcapng::{block, packet_block};
/// // LE EPB on interface 0, ts units 0x1_00000002, 3 of 5 bytes captured, 1 byte padding.
/// let epb = [6, 0, 0, 0, 0x24, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
///            3, 0, 0, 0, 5, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0, 0x24, 0, 0, 0];
/// let b = block(Some(false), 1 << 20, &epb).unwrap();
/// let p = packet_block(&b).unwrap();
/// assert_eq!((p.interface_id, p.ts_units, p.caplen, p.origlen, p.data), (0, 0x1_0000_0002, 3, 5, &[0xaa, 0xbb, 0xcc][..]));
/// ```
pub fn packet_block<'a>(b: &Block<'a>) -> Result<PacketBlock<'a>, Error> {
    let obsolete = b.block_type == PB;
    let what = if obsolete {
        "PB total length"
    } else {
        "EPB total length"
    };
    let r = Body {
        body: b.body,
        big_endian: b.big_endian,
        what,
    };
    r.check(if obsolete { PB_BODY } else { EPB_BODY })?;
    // PB: 16-bit interface id and 16-bit drops count in place of the 32-bit id.
    let interface_id = if obsolete {
        u32::from(r.u16(0))
    } else {
        r.u32(0)
    };
    let ts_units = (u64::from(r.u32(4)) << 32) | u64::from(r.u32(8));
    let (caplen, origlen) = (r.u32(12), r.u32(16));
    let room = b.body.len() - EPB_BODY;
    let data = usize::try_from(caplen)
        .ok()
        .filter(|&c| c <= room)
        .and_then(|c| b.body.get(EPB_BODY..EPB_BODY + c));
    let Some(data) = data else {
        let what = if obsolete {
            "PB captured length (past the block end)"
        } else {
            "EPB captured length (past the block end)"
        };
        return Err(Error::new(
            Layer::Pcapng,
            BODY_OFFSET + 12,
            ErrorKind::BadLength {
                what,
                value: caplen.into(),
            },
        ));
    };
    Ok(PacketBlock {
        interface_id,
        ts_units,
        caplen,
        origlen,
        data,
    })
}

/// Decodes a Simple Packet Block (§4.4): interface 0, no timestamp, and the
/// captured length is min(original length, `snaplen` unless 0, body room);
/// what follows it is padding (pcap-parser took the padding as data).
///
/// ```
/// use tcpopt_parse::capture::pcapng::{block, simple_packet};
/// let spb = [3, 0, 0, 0, 0x14, 0, 0, 0, 3, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0, 0x14, 0, 0, 0];
/// let b = block(Some(false), 1 << 20, &spb).unwrap();
/// let p = simple_packet(&b, 0).unwrap();
/// assert_eq!((p.caplen, p.origlen, p.data), (3, 3, &[0xaa, 0xbb, 0xcc][..]));
/// assert_eq!(simple_packet(&b, 2).unwrap().data, &[0xaa, 0xbb]);
/// ```
pub fn simple_packet<'a>(b: &Block<'a>, snaplen: u32) -> Result<PacketBlock<'a>, Error> {
    let r = Body {
        body: b.body,
        big_endian: b.big_endian,
        what: "SPB total length",
    };
    r.check(SPB_BODY)?;
    let origlen = r.u32(0);
    let data = r.from(SPB_BODY);
    let mut caplen = origlen;
    if snaplen != 0 {
        caplen = caplen.min(snaplen);
    }
    caplen = caplen.min(u32::try_from(data.len()).unwrap_or(u32::MAX));
    let data = data.get(..caplen as usize).unwrap_or_default();
    Ok(PacketBlock {
        interface_id: 0,
        ts_units: 0,
        caplen,
        origlen,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le_block(t: u32, body: &[u8]) -> [u8; 64] {
        let mut b = [0u8; 64];
        let total = (12 + body.len()) as u32;
        b[..4].copy_from_slice(&t.to_le_bytes());
        b[4..8].copy_from_slice(&total.to_le_bytes());
        b[8..8 + body.len()].copy_from_slice(body);
        b[8 + body.len()..12 + body.len()].copy_from_slice(&total.to_le_bytes());
        b
    }

    fn malformed(r: Result<Block<'_>, ReadError>) -> Error {
        match r {
            Err(ReadError::Malformed(e)) => e,
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn block_length_checks() {
        // < 12
        let mut b = le_block(0x99, &[]);
        b[4..8].copy_from_slice(&8u32.to_le_bytes());
        let e = malformed(block(Some(false), 1 << 20, &b));
        assert_eq!(
            (e.offset, e.kind),
            (
                4,
                ErrorKind::BadLength {
                    what: "pcapng block total length",
                    value: 8
                }
            )
        );
        // not a multiple of 4
        b[4..8].copy_from_slice(&13u32.to_le_bytes());
        assert!(matches!(
            malformed(block(Some(false), 1 << 20, &b)).kind,
            ErrorKind::BadLength { value: 13, .. }
        ));
        // near 4 GB: rejected from the 8-byte head, without asking for the bytes
        b[4..8].copy_from_slice(&0xffff_fffcu32.to_le_bytes());
        let e = malformed(block(Some(false), 1 << 20, &b[..8]));
        assert!(matches!(
            e.kind,
            ErrorKind::TooLarge {
                value: 0xffff_fffc,
                ..
            }
        ));
        // ... and with max_len u32::MAX it is just NeedMore, no overflow
        assert!(matches!(
            block(Some(false), u32::MAX, &b),
            Err(ReadError::NeedMore {
                needed: 0xffff_fffc
            })
        ));
        // head != tail
        let mut b = le_block(0x99, &[1, 2, 3, 4]);
        b[12..16].copy_from_slice(&20u32.to_le_bytes());
        let e = malformed(block(Some(false), 1 << 20, &b));
        assert_eq!(e.offset, 12);
        assert!(matches!(e.kind, ErrorKind::BadLength { value: 20, .. }));
        // a good one, and a short buffer
        let b = le_block(0x99, &[1, 2, 3, 4]);
        assert_eq!(block(Some(false), 1 << 20, &b).unwrap().body, &[1, 2, 3, 4]);
        assert!(matches!(
            block(Some(false), 1 << 20, &b[..5]),
            Err(ReadError::NeedMore { needed: 8 })
        ));
        assert!(matches!(
            block(Some(false), 1 << 20, &b[..15]),
            Err(ReadError::NeedMore { needed: 16 })
        ));
    }

    #[test]
    fn first_block_must_be_shb_with_a_known_bom() {
        let b = le_block(IDB, &[0; 8]);
        assert!(matches!(
            malformed(block(None, 1 << 20, &b)).kind,
            ErrorKind::BadMagic { found: 0x0100_0000 }
        ));
        let mut shb = le_block(SHB, &[0; 16]);
        shb[8..12].copy_from_slice(&[1, 2, 3, 4]);
        let e = malformed(block(None, 1 << 20, &shb));
        assert_eq!(
            (e.offset, e.kind),
            (8, ErrorKind::BadMagic { found: 0x0102_0304 })
        );
    }

    #[test]
    fn shb_switches_byte_order_and_checks_version() {
        let mut shb = [0u8; 28];
        shb[..4].copy_from_slice(&SHB.to_be_bytes());
        shb[4..8].copy_from_slice(&28u32.to_be_bytes());
        shb[8..12].copy_from_slice(&BYTE_ORDER_MAGIC.to_be_bytes());
        shb[12..14].copy_from_slice(&1u16.to_be_bytes());
        shb[16..24].copy_from_slice(&(-1i64).to_be_bytes());
        shb[24..28].copy_from_slice(&28u32.to_be_bytes());
        // Inside a little-endian section, an SHB announces its own order.
        let b = block(Some(false), 1 << 20, &shb).unwrap();
        assert!(b.big_endian);
        let h = section_header(&b).unwrap();
        assert_eq!(
            (h.version_major, h.version_minor, h.section_len),
            (1, 0, -1)
        );
        shb[12..14].copy_from_slice(&2u16.to_be_bytes());
        let b = block(None, 1 << 20, &shb).unwrap();
        assert!(matches!(
            section_header(&b).unwrap_err().kind,
            ErrorKind::BadVersion { major: 2, minor: 0 }
        ));
    }

    #[test]
    fn short_bodies_are_bad_lengths() {
        let b = le_block(EPB, &[0; 16]);
        let b = block(Some(false), 1 << 20, &b).unwrap();
        assert!(matches!(
            packet_block(&b).unwrap_err().kind,
            ErrorKind::BadLength { value: 28, .. }
        ));
        let b = le_block(IDB, &[0; 4]);
        let b = block(Some(false), 1 << 20, &b).unwrap();
        assert!(interface_description(&b).is_err());
        let b = le_block(SPB, &[]);
        let b = block(Some(false), 1 << 20, &b).unwrap();
        assert!(simple_packet(&b, 0).is_err());
    }

    #[test]
    fn epb_caplen_past_block_end() {
        let mut body = [0u8; 24];
        body[12..16].copy_from_slice(&5u32.to_le_bytes());
        let b = le_block(EPB, &body);
        let b = block(Some(false), 1 << 20, &b).unwrap();
        let e = packet_block(&b).unwrap_err();
        assert_eq!(e.offset, 20);
        assert!(matches!(e.kind, ErrorKind::BadLength { value: 5, .. }));
        // caplen 4 fits exactly (no padding needed); caplen > origlen is passed through.
        body[12..16].copy_from_slice(&4u32.to_le_bytes());
        let b = le_block(EPB, &body);
        let b = block(Some(false), 1 << 20, &b).unwrap();
        let p = packet_block(&b).unwrap();
        assert_eq!((p.caplen, p.origlen, p.data.len()), (4, 0, 4));
    }

    #[test]
    fn obsolete_packet_block_has_16_bit_interface() {
        let mut body = [0u8; 24];
        body[0..2].copy_from_slice(&1u16.to_le_bytes());
        body[2..4].copy_from_slice(&7u16.to_le_bytes()); // drops count
        body[8..12].copy_from_slice(&42u32.to_le_bytes());
        body[12..16].copy_from_slice(&4u32.to_le_bytes());
        body[16..20].copy_from_slice(&60u32.to_le_bytes());
        let b = le_block(PB, &body);
        let b = block(Some(false), 1 << 20, &b).unwrap();
        let p = packet_block(&b).unwrap();
        assert_eq!(
            (p.interface_id, p.ts_units, p.caplen, p.origlen),
            (1, 42, 4, 60)
        );
    }

    #[test]
    fn spb_padding_is_not_data() {
        let mut body = [0u8; 12];
        body[..4].copy_from_slice(&5u32.to_le_bytes());
        let b = le_block(SPB, &body);
        let b = block(Some(false), 1 << 20, &b).unwrap();
        assert_eq!(simple_packet(&b, 0).unwrap().caplen, 5);
        // origlen larger than the body: captured length is what the body holds.
        body[..4].copy_from_slice(&1500u32.to_le_bytes());
        let b = le_block(SPB, &body);
        let b = block(Some(false), 1 << 20, &b).unwrap();
        assert_eq!(simple_packet(&b, 0).unwrap().caplen, 8);
        assert_eq!(simple_packet(&b, u32::MAX).unwrap().caplen, 8);
    }
}
