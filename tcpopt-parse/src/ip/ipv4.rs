//! IPv4 header (RFC 791 §3.1).

use core::net::Ipv4Addr;

use nom::error::ParseError;
use nom::number::complete::{be_u16, be_u8};
use nom::{IResult, Parser};

use crate::error::{Error, ErrorKind, Layer};
use crate::link::array;

/// Length of the header without options (IHL 5).
pub const MIN_HEADER_LEN: usize = 20;

/// The fixed part of an IPv4 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Header {
    pub version_ihl: u8,
    pub tos: u8,
    pub total_len: u16,
    pub id: u16,
    pub flags_fragment: u16,
    pub ttl: u8,
    pub protocol: u8,
    pub checksum: u16,
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
}

impl Ipv4Header {
    pub const fn version(&self) -> u8 {
        self.version_ihl >> 4
    }
    /// Header length in bytes (IHL × 4), options included.
    pub const fn header_len(&self) -> usize {
        (self.version_ihl & 0x0f) as usize * 4
    }
    pub const fn dont_fragment(&self) -> bool {
        self.flags_fragment & 0x4000 != 0
    }
    pub const fn more_fragments(&self) -> bool {
        self.flags_fragment & 0x2000 != 0
    }
    /// Fragment offset in 8-byte units.
    pub const fn fragment_offset(&self) -> u16 {
        self.flags_fragment & 0x1fff
    }
}

/// Parses the fixed 20 bytes of an IPv4 header (no checks on values).
///
/// ```
/// # use tcpopt_parse::ip::ipv4::ipv4_header;
/// // ipv4_tcp_http_xml.pcap frame 1, after Ethernet and an 802.1Q tag.
/// let ip = [0x45, 0x00, 0x02, 0x85, 0x59, 0xef, 0x40, 0x00, 0x80, 0x06, 0x19, 0x27,
///           0x0a, 0x15, 0x0b, 0x5e, 0x0a, 0x72, 0x65, 0x78, 0x00, 0x50];
/// let (rest, h) = ipv4_header::<()>(&ip).unwrap();
/// assert_eq!((h.version(), h.header_len(), h.total_len), (4, 20, 645));
/// assert_eq!((h.ttl, h.protocol, h.dont_fragment()), (128, 6, true));
/// assert_eq!(h.src, core::net::Ipv4Addr::new(10, 21, 11, 94));
/// assert_eq!(rest, [0x00, 0x50]);
/// ```
pub fn ipv4_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], Ipv4Header, E> {
    let (
        rest,
        (version_ihl, tos, total_len, id, flags_fragment, ttl, protocol, checksum, src, dst),
    ) = (
        be_u8,
        be_u8,
        be_u16,
        be_u16,
        be_u16,
        be_u8,
        be_u8,
        be_u16,
        array::<4, E>,
        array::<4, E>,
    )
        .parse(input)?;
    Ok((
        rest,
        Ipv4Header {
            version_ihl,
            tos,
            total_len,
            id,
            flags_fragment,
            ttl,
            protocol,
            checksum,
            src: Ipv4Addr::from(src),
            dst: Ipv4Addr::from(dst),
        },
    ))
}

/// An IPv4 packet checked against its length fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Packet<'a> {
    pub header: Ipv4Header,
    /// The payload as captured, bounded by the total length (so an
    /// Ethernet trailer or FCS is not part of it).
    pub payload: &'a [u8],
    /// Payload length according to the total length; the captured length
    /// when the total length is 0 (TCP segmentation offload).
    pub payload_len: u32,
}

/// Checks an IPv4 header and bounds its payload. Error offsets are
/// relative to `input`.
///
/// ```
/// # use tcpopt_parse::ip::ipv4::parse;
/// // LINKTYPE_IPV4.pcap frame 1 with 6 bytes of trailer added: total length 57.
/// let mut pkt = [0u8; 63];
/// pkt[..20].copy_from_slice(&[0x45, 0x00, 0x00, 0x39, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11,
///                             0xa6, 0x95, 0xc0, 0xa8, 0x01, 0x64, 0x09, 0x09, 0x09, 0x09]);
/// let p = parse(&pkt).unwrap();
/// assert_eq!((p.payload.len(), p.payload_len), (37, 37));
/// // IHL 4 is impossible.
/// pkt[0] = 0x44;
/// assert!(parse(&pkt).is_err());
/// ```
pub fn parse(input: &[u8]) -> Result<Ipv4Packet<'_>, Error> {
    let available = input.len() as u64;
    let Ok((_, header)) = ipv4_header::<()>(input) else {
        return Err(Error::truncated(
            Layer::Ipv4,
            0,
            MIN_HEADER_LEN as u64,
            available,
        ));
    };
    if header.version() != 4 {
        return Err(Error::new(
            Layer::Ipv4,
            0,
            ErrorKind::BadIpVersion {
                first_byte: header.version_ihl,
            },
        ));
    }
    let hlen = header.header_len();
    if hlen < MIN_HEADER_LEN {
        return Err(Error::new(
            Layer::Ipv4,
            0,
            ErrorKind::BadLength {
                what: "ipv4 header length",
                value: hlen as u64,
            },
        ));
    }
    let Some(after_header) = input.get(hlen..) else {
        return Err(Error::truncated(Layer::Ipv4, 0, hlen as u64, available));
    };
    let total = usize::from(header.total_len);
    let (payload, payload_len) = if total == 0 {
        // TSO: the NIC fills the length in later; trust the capture.
        (after_header, after_header.len())
    } else if total < hlen {
        return Err(Error::new(
            Layer::Ipv4,
            2,
            ErrorKind::BadLength {
                what: "ipv4 total length",
                value: total as u64,
            },
        ));
    } else {
        let wire = total - hlen;
        (after_header.get(..wire).unwrap_or(after_header), wire)
    };
    Ok(Ipv4Packet {
        header,
        payload,
        payload_len: super::len_u32(payload_len),
    })
}
