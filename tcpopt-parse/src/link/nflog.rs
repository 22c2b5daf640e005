//! LINKTYPE_NFLOG: packets that Linux netfilter's NFLOG target logged
//! (`tcpdump -i nflog:N`, <https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html>).
//!
//! A 4-byte header (address family, version, resource ID) is followed by
//! netlink-style TLVs: a 2-byte length (header included), a 2-byte type,
//! the value, and padding to a multiple of 4. NFULA_PAYLOAD (type 9)
//! holds the network-layer packet. Unlike the header, the TLV length and
//! type are in the byte order of the host that captured, which the record
//! does not say, so [`parse`] tells it from the first TLV.

use nom::error::ParseError;
use nom::number::complete::{be_u16, be_u8, u16 as nom_u16};
use nom::number::Endianness;
use nom::{IResult, Parser};

use crate::error::{Error, ErrorKind, Layer};

/// Length of the NFLOG header.
pub const HEADER_LEN: usize = 4;
/// Length of a TLV's length and type.
pub const TLV_HEADER_LEN: usize = 4;
/// TLV type of the logged packet.
pub const NFULA_PAYLOAD: u16 = 9;
/// The netlink flag bits (nested, network byte order) above the type.
pub const TYPE_MASK: u16 = 0x3fff;
/// Linux AF_INET.
pub const AF_INET: u8 = 2;
/// Linux AF_INET6.
pub const AF_INET6: u8 = 10;

/// The NFLOG header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NflogHeader {
    /// Address family of the logged packet (AF_INET, AF_INET6, ...).
    pub family: u8,
    /// 0.
    pub version: u8,
    /// The NFLOG group, big-endian.
    pub resource_id: u16,
}

impl NflogHeader {
    /// The EtherType that the address family implies, if it is IP.
    pub const fn ethertype(&self) -> Option<u16> {
        match self.family {
            AF_INET => Some(super::ethertype::IPV4),
            AF_INET6 => Some(super::ethertype::IPV6),
            _ => None,
        }
    }
}

/// Parses the NFLOG header.
///
/// ```
/// # use tcpopt_parse::link::nflog::nflog_header;
/// // nflog.pcap frame 1: AF_INET, version 0, group 20.
/// let (rest, h) = nflog_header::<()>(&[0x02, 0x00, 0x00, 0x14, 0x08]).unwrap();
/// assert_eq!((h.family, h.version, h.resource_id), (2, 0, 20));
/// assert_eq!(rest, [0x08]);
/// ```
pub fn nflog_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], NflogHeader, E> {
    (be_u8, be_u8, be_u16)
        .map(|(family, version, resource_id)| NflogHeader {
            family,
            version,
            resource_id,
        })
        .parse(input)
}

/// Parses a TLV's length and type in the given byte order; the type has
/// its flag bits masked off.
///
/// ```
/// # use tcpopt_parse::link::nflog::tlv_header;
/// use nom::number::Endianness;
/// // nflog.pcap frame 1, first TLV: NFULA_PACKET_HDR, 8 bytes, little-endian.
/// let (_, (len, ty)) = tlv_header::<()>(Endianness::Little)(&[0x08, 0x00, 0x01, 0x00]).unwrap();
/// assert_eq!((len, ty), (8, 1));
/// ```
pub fn tlv_header<'a, E: ParseError<&'a [u8]>>(
    order: Endianness,
) -> impl Fn(&'a [u8]) -> IResult<&'a [u8], (u16, u16), E> {
    move |input| {
        (nom_u16(order), nom_u16(order))
            .map(|(len, ty)| (len, ty & TYPE_MASK))
            .parse(input)
    }
}

/// The byte order of the TLVs in `tlvs`: little-endian unless the first
/// TLV only makes sense big-endian (a length that fits and a small type).
fn byte_order(tlvs: &[u8]) -> Endianness {
    let plausible = |order| match tlv_header::<()>(order)(tlvs) {
        Ok((_, (len, ty))) => {
            usize::from(len) >= TLV_HEADER_LEN && usize::from(len) <= tlvs.len() && ty < 0x100
        }
        Err(_) => false,
    };
    if !plausible(Endianness::Little) && plausible(Endianness::Big) {
        Endianness::Big
    } else {
        Endianness::Little
    }
}

/// The packet inside an NFLOG record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoggedPacket<'a> {
    /// Offset of the packet in the record.
    pub offset: usize,
    /// The packet as captured (bounded by its TLV).
    pub data: &'a [u8],
}

/// Parses the header and walks the TLVs to NFULA_PAYLOAD; returns the
/// header and the logged packet with its offset in `input` (`None` when
/// the record has no payload TLV). A payload TLV longer than the record is a snaplen cut: what was
/// captured is returned. Error offsets are relative to `input`, and name
/// [`Layer::Link`].
///
/// ```
/// # use tcpopt_parse::link::nflog::parse;
/// // Hand-made, little-endian: NFULA_PACKET_HDR, then a 6-byte payload.
/// let rec = [0x02, 0x00, 0x00, 0x01, 0x08, 0x00, 0x01, 0x00, 0x08, 0x00, 0x03, 0x00,
///            0x0a, 0x00, 0x09, 0x00, 0x45, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00];
/// let (h, payload) = parse(&rec).unwrap();
/// let p = payload.unwrap();
/// assert_eq!((h.family, p.offset, p.data), (2, 16, &[0x45, 0x00, 0x00, 0x14, 0x00, 0x00][..]));
/// assert!(parse(&rec[..2]).is_err());
/// ```
pub fn parse(input: &[u8]) -> Result<(NflogHeader, Option<LoggedPacket<'_>>), Error> {
    let Ok((mut rest, header)) = nflog_header::<()>(input) else {
        return Err(Error::truncated(
            Layer::Link,
            0,
            HEADER_LEN as u64,
            input.len() as u64,
        ));
    };
    let order = byte_order(rest);
    // Each TLV consumes at least its 4-byte header, so this ends.
    while !rest.is_empty() {
        let offset = (input.len() - rest.len()) as u64;
        let Ok((value, (len, ty))) = tlv_header::<()>(order)(rest) else {
            return Err(Error::truncated(
                Layer::Link,
                offset,
                TLV_HEADER_LEN as u64,
                rest.len() as u64,
            ));
        };
        let len = usize::from(len);
        let Some(value_len) = len.checked_sub(TLV_HEADER_LEN) else {
            return Err(Error::new(
                Layer::Link,
                offset,
                ErrorKind::BadLength {
                    what: "nflog tlv length",
                    value: len as u64,
                },
            ));
        };
        if ty == NFULA_PAYLOAD {
            let packet = LoggedPacket {
                offset: input.len() - value.len(),
                data: value.get(..value_len).unwrap_or(value),
            };
            return Ok((header, Some(packet)));
        }
        // Padding to 4 bytes; the last TLV may omit it.
        let padded = (value_len + 3) & !3;
        rest = match (value.get(padded..), value.get(value_len..)) {
            (Some(next), _) => next,
            (None, Some(_)) => &[],
            (None, None) => {
                return Err(Error::truncated(
                    Layer::Link,
                    offset,
                    len as u64,
                    rest.len() as u64,
                ))
            }
        };
    }
    Ok((header, None))
}
