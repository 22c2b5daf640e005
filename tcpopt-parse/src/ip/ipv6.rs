//! IPv6 fixed header (RFC 8200 §3) and extension header chain (§4).

use core::net::Ipv6Addr;

use nom::error::ParseError;
use nom::number::complete::{be_u16, be_u32, be_u8};
use nom::{IResult, Parser};

use super::protocol as p;
use crate::error::{Error, ErrorKind, Layer};
use crate::link::array;

/// Length of the fixed header.
pub const HEADER_LEN: usize = 40;
/// How many extension headers are walked before giving up.
pub const MAX_EXTENSION_HEADERS: u32 = 16;
/// Length of a Fragment header (RFC 8200 §4.5).
pub const FRAGMENT_HEADER_LEN: usize = 8;
/// Hop-by-Hop option type of the Jumbo Payload option (RFC 2675 §2).
pub const OPT_JUMBO: u8 = 0xc2;

/// The IPv6 fixed header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv6Header {
    /// Version (4 bits), traffic class (8), flow label (20).
    pub version_class_flow: u32,
    pub payload_len: u16,
    pub next_header: u8,
    pub hop_limit: u8,
    pub src: Ipv6Addr,
    pub dst: Ipv6Addr,
}

impl Ipv6Header {
    pub const fn version(&self) -> u8 {
        (self.version_class_flow >> 28) as u8
    }
    pub const fn traffic_class(&self) -> u8 {
        (self.version_class_flow >> 20) as u8
    }
    pub const fn flow_label(&self) -> u32 {
        self.version_class_flow & 0x000f_ffff
    }
}

/// Parses the 40-byte IPv6 fixed header (no checks on values).
///
/// ```
/// # use tcpopt_parse::ip::ipv6::ipv6_header;
/// // ipv6-clean.pcapng frame 1: a SYN from 2001:db8:2::10 to 2001:db8:100::10.
/// let ip = [0x60, 0x02, 0xf7, 0x34, 0x00, 0x28, 0x06, 0x3f,
///     0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
///     0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0xc3, 0x5a];
/// let (rest, h) = ipv6_header::<()>(&ip).unwrap();
/// assert_eq!((h.version(), h.payload_len, h.next_header, h.hop_limit), (6, 40, 6, 63));
/// assert_eq!(h.src, "2001:db8:2::10".parse::<core::net::Ipv6Addr>().unwrap());
/// assert_eq!(rest, [0xc3, 0x5a]);
/// ```
pub fn ipv6_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], Ipv6Header, E> {
    let (rest, (version_class_flow, payload_len, next_header, hop_limit, src, dst)) =
        (be_u32, be_u16, be_u8, be_u8, array::<16, E>, array::<16, E>).parse(input)?;
    Ok((
        rest,
        Ipv6Header {
            version_class_flow,
            payload_len,
            next_header,
            hop_limit,
            src: Ipv6Addr::from(src),
            dst: Ipv6Addr::from(dst),
        },
    ))
}

/// Whether `next_header` names an extension header that is walked (the
/// IANA "IPv6 Extension Header Types" list, minus ESP which is opaque).
pub const fn is_extension(next_header: u8) -> bool {
    matches!(
        next_header,
        p::HOPOPT
            | p::IPV6_ROUTE
            | p::IPV6_FRAG
            | p::IPV6_OPTS
            | p::AH
            | p::MOBILITY
            | p::HIP
            | p::SHIM6
    )
}

/// The first two bytes every walked extension header has, and its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtensionHeader {
    /// Which header this is (the previous header's next header value).
    pub kind: u8,
    pub next_header: u8,
    /// Total length in bytes: (len + 2) × 4 for AH (RFC 4302 §2.2), 8 for
    /// a Fragment header, (len + 1) × 8 otherwise.
    pub len: usize,
}

/// Parses the next-header and length bytes of extension header `kind`.
///
/// ```
/// # use tcpopt_parse::ip::ipv6::extension_header;
/// // bigtcp-ipv6-hbh.pcap frame 1: Hop-by-Hop, next TCP, 8 bytes, Jumbo option.
/// let hbh = [0x06, 0x00, 0xc2, 0x04, 0x00, 0x01, 0x38, 0xa8];
/// let (_, h) = extension_header::<()>(0, &hbh).unwrap();
/// assert_eq!((h.next_header, h.len), (6, 8));
/// // An AH with payload length 4 is 24 bytes.
/// assert_eq!(extension_header::<()>(51, &[6, 4]).unwrap().1.len, 24);
/// ```
pub fn extension_header<'a, E: ParseError<&'a [u8]>>(
    kind: u8,
    input: &'a [u8],
) -> IResult<&'a [u8], ExtensionHeader, E> {
    let (rest, (next_header, len)) = (be_u8, be_u8).parse(input)?;
    let len = usize::from(len);
    let len = match kind {
        p::AH => (len + 2) * 4,
        p::IPV6_FRAG => FRAGMENT_HEADER_LEN,
        _ => (len + 1) * 8,
    };
    Ok((
        rest,
        ExtensionHeader {
            kind,
            next_header,
            len,
        },
    ))
}

/// An IPv6 Fragment header (RFC 8200 §4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FragmentHeader {
    pub next_header: u8,
    /// Offset (13 bits, 8-byte units) << 3 | M flag.
    pub offset_flags: u16,
    pub id: u32,
}

impl FragmentHeader {
    pub const fn offset(&self) -> u16 {
        self.offset_flags >> 3
    }
    pub const fn more_fragments(&self) -> bool {
        self.offset_flags & 1 != 0
    }
}

/// Parses a Fragment header.
///
/// ```
/// # use tcpopt_parse::ip::ipv6::fragment_header;
/// // First fragment (offset 0, M set) of datagram 0x1234 carrying TCP.
/// let (_, f) = fragment_header::<()>(&[6, 0, 0x00, 0x01, 0, 0, 0x12, 0x34]).unwrap();
/// assert_eq!((f.next_header, f.offset(), f.more_fragments(), f.id), (6, 0, true, 0x1234));
/// ```
pub fn fragment_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], FragmentHeader, E> {
    let (rest, (next_header, _reserved, offset_flags, id)) =
        (be_u8, be_u8, be_u16, be_u32).parse(input)?;
    Ok((
        rest,
        FragmentHeader {
            next_header,
            offset_flags,
            id,
        },
    ))
}

/// The Jumbo Payload length in Hop-by-Hop `options` (the bytes after the
/// header's first two), if there is one (RFC 2675 §2).
pub fn jumbo_payload_len(mut options: &[u8]) -> Option<u32> {
    while let [kind, rest @ ..] = options {
        if *kind == 0 {
            options = rest; // Pad1 has no length byte
            continue;
        }
        let [len, rest @ ..] = rest else { return None };
        let (value, rest) = rest.split_at_checked(usize::from(*len))?;
        if *kind == OPT_JUMBO {
            let v: [u8; 4] = value.try_into().ok()?;
            return Some(u32::from_be_bytes(v));
        }
        options = rest;
    }
    None
}

/// An IPv6 packet with its extension header chain walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv6Packet<'a> {
    pub header: Ipv6Header,
    /// The upper-layer protocol: the next header after the last walked
    /// extension header (ESP and No Next Header end the walk).
    pub protocol: u8,
    /// Bytes of extension headers walked.
    pub extensions_len: usize,
    pub fragment: Option<FragmentHeader>,
    /// The upper-layer bytes as captured, bounded by the payload length.
    pub payload: &'a [u8],
    /// Upper-layer length according to the payload length (or the Jumbo
    /// option); the captured length when both are absent (TSO).
    pub payload_len: u32,
}

/// Checks an IPv6 header, walks its extension headers and bounds the
/// upper-layer payload. Error offsets are relative to `input`.
///
/// ```
/// # use tcpopt_parse::ip::ipv6::parse;
/// // bigtcp-ipv6-hbh.pcap frame 1 (cut after the Hop-by-Hop header):
/// // payload length 0, the Jumbo option says 80040.
/// let mut pkt = [0u8; 48];
/// pkt[..8].copy_from_slice(&[0x60, 0x0a, 0x31, 0xee, 0x00, 0x00, 0x00, 0x40]);
/// pkt[40..].copy_from_slice(&[0x06, 0x00, 0xc2, 0x04, 0x00, 0x01, 0x38, 0xa8]);
/// let p = parse(&pkt).unwrap();
/// assert_eq!((p.protocol, p.extensions_len, p.payload_len), (6, 8, 80032));
/// assert!(p.payload.is_empty());
/// ```
pub fn parse(input: &[u8]) -> Result<Ipv6Packet<'_>, Error> {
    let available = input.len();
    let Ok((after_header, header)) = ipv6_header::<()>(input) else {
        return Err(Error::truncated(
            Layer::Ipv6,
            0,
            HEADER_LEN as u64,
            available as u64,
        ));
    };
    if header.version() != 6 {
        return Err(Error::new(
            Layer::Ipv6,
            0,
            ErrorKind::BadIpVersion {
                first_byte: (header.version_class_flow >> 24) as u8,
            },
        ));
    }
    // `bound` is how much of `after_header` the length field covers.
    let mut wire = usize::from(header.payload_len);
    let mut jumbo = header.payload_len == 0;
    if jumbo {
        wire = after_header.len();
    }
    let mut bound = wire.min(after_header.len());
    let mut pos = 0usize; // into after_header
    let mut protocol = header.next_header;
    let mut fragment = None;
    let mut walked = 0u32;
    while is_extension(protocol) {
        if walked == MAX_EXTENSION_HEADERS {
            return Err(Error::new(
                Layer::Ipv6Ext,
                (HEADER_LEN + pos) as u64,
                ErrorKind::TooDeep {
                    what: "ipv6 extension headers",
                    limit: MAX_EXTENSION_HEADERS,
                },
            ));
        }
        walked += 1;
        let here = after_header.get(pos..).unwrap_or(&[]);
        let offset = (HEADER_LEN + pos) as u64;
        let ext = match extension_header::<()>(protocol, here) {
            Ok((_, ext)) if ext.len <= here.len() => ext,
            Ok((_, ext)) => {
                return Err(Error::truncated(
                    Layer::Ipv6Ext,
                    offset,
                    ext.len as u64,
                    here.len() as u64,
                ))
            }
            Err(_) => {
                return Err(Error::truncated(
                    Layer::Ipv6Ext,
                    offset,
                    2,
                    here.len() as u64,
                ))
            }
        };
        if pos + ext.len > bound {
            return Err(Error::new(
                Layer::Ipv6,
                4,
                ErrorKind::BadLength {
                    what: "ipv6 payload length",
                    value: header.payload_len.into(),
                },
            ));
        }
        let body = here.get(..ext.len).unwrap_or(&[]);
        if protocol == p::IPV6_FRAG {
            if let Ok((_, f)) = fragment_header::<()>(body) {
                fragment = Some(f);
            }
        } else if protocol == p::HOPOPT && jumbo {
            if let Some(j) = jumbo_payload_len(body.get(2..).unwrap_or(&[])) {
                wire = j as usize;
                bound = wire.min(after_header.len());
                jumbo = false;
            }
        }
        pos += ext.len;
        protocol = ext.next_header;
    }
    let payload = after_header.get(pos..bound).unwrap_or(&[]);
    let payload_len = super::len_u32(wire.saturating_sub(pos));
    Ok(Ipv6Packet {
        header,
        protocol,
        extensions_len: pos,
        fragment,
        payload,
        payload_len,
    })
}
