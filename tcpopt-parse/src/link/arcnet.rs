//! ARCNET framing as BSD (LINKTYPE_ARCNET_BSD) and Linux
//! (LINKTYPE_ARCNET_LINUX) capture it: source and destination station,
//! (Linux only) a 2-byte buffer offset, a protocol ID, and for the RFC 1201
//! protocol IDs a split flag and sequence number that RFC 1051's older IDs
//! lack (<https://www.tcpdump.org/linktypes/LINKTYPE_ARCNET_LINUX.html>).
//!
//! RFC 1201 §3 fragments: a split flag of 0 is a whole packet, an odd one
//! the first fragment (which holds the IP header), an even non-zero one a
//! continuation, and 0xff an exception packet whose real header follows
//! 4 bytes later (BSD only; Linux removes the padding).

use nom::error::ParseError;
use nom::number::complete::{be_u16, be_u8};
use nom::{IResult, Parser};

/// Protocol ID of IPv4 under RFC 1201.
pub const PROTO_IPV4: u8 = 0xd4;
/// Protocol ID of ARP under RFC 1201.
pub const PROTO_ARP: u8 = 0xd5;
/// Protocol ID of IPv6 (RFC 2497).
pub const PROTO_IPV6: u8 = 0xc4;
/// Protocol ID of IPv4 under RFC 1051.
pub const PROTO_IPV4_RFC1051: u8 = 0xf0;
/// Protocol ID of ARP under RFC 1051.
pub const PROTO_ARP_RFC1051: u8 = 0xf1;
/// Diagnostic packets, which have no split flag either.
pub const PROTO_DIAGNOSE: u8 = 0x80;
/// Split flag of an RFC 1201 exception packet.
pub const SPLIT_EXCEPTION: u8 = 0xff;

/// The fields of an ARCNET header that matter here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArcnetHeader {
    pub source: u8,
    pub dest: u8,
    pub protocol: u8,
    /// RFC 1201 split flag (0 for the RFC 1051 protocols).
    pub split_flag: u8,
    /// Length of the header: where the payload starts.
    pub header_len: usize,
}

impl ArcnetHeader {
    /// The EtherType that the protocol ID stands for, if it is IP.
    pub const fn ethertype(&self) -> Option<u16> {
        match self.protocol {
            PROTO_IPV4 | PROTO_IPV4_RFC1051 => Some(super::ethertype::IPV4),
            PROTO_IPV6 => Some(super::ethertype::IPV6),
            _ => None,
        }
    }
    /// Whether this is an RFC 1201 continuation fragment, which carries
    /// no network-layer header.
    pub const fn is_continuation(&self) -> bool {
        self.split_flag != 0 && self.split_flag & 1 == 0
    }
}

const fn has_split_flag(protocol: u8) -> bool {
    !matches!(
        protocol,
        PROTO_IPV4_RFC1051 | PROTO_ARP_RFC1051 | PROTO_DIAGNOSE
    )
}

/// Parses a LINKTYPE_ARCNET_LINUX header.
///
/// ```
/// # use tcpopt_parse::link::arcnet::arcnet_linux_header;
/// // arcnet-rfc1051-arp-icmp-http.pcap frame 11: 0xbe → 0x50, RFC 1051 IPv4.
/// let (rest, h) = arcnet_linux_header::<()>(&[0xbe, 0x50, 0xc3, 0x00, 0xf0, 0x45]).unwrap();
/// assert_eq!((h.source, h.dest, h.protocol, h.header_len), (0xbe, 0x50, 0xf0, 5));
/// assert_eq!((h.ethertype(), rest), (Some(0x0800), &[0x45][..]));
/// // RFC 1201 IPv4, first of three fragments: split flag and sequence follow.
/// let (_, h) = arcnet_linux_header::<()>(&[1, 2, 0, 0, 0xd4, 0x03, 0, 7]).unwrap();
/// assert_eq!((h.split_flag, h.header_len, h.is_continuation()), (3, 8, false));
/// ```
pub fn arcnet_linux_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], ArcnetHeader, E> {
    let (rest, (source, dest, _offset, protocol)) = (be_u8, be_u8, be_u16, be_u8).parse(input)?;
    if !has_split_flag(protocol) {
        let header = ArcnetHeader {
            source,
            dest,
            protocol,
            split_flag: 0,
            header_len: 5,
        };
        return Ok((rest, header));
    }
    let (rest, (split_flag, _sequence)) = (be_u8, be_u16).parse(rest)?;
    let header = ArcnetHeader {
        source,
        dest,
        protocol,
        split_flag,
        header_len: 8,
    };
    Ok((rest, header))
}

/// Parses a LINKTYPE_ARCNET_BSD header (no offset field; exception
/// packets carry 4 more bytes: padding, then the protocol ID and split
/// flag again).
///
/// ```
/// # use tcpopt_parse::link::arcnet::arcnet_bsd_header;
/// // Hand-made: 0x01 → 0x02, RFC 1051 IPv4.
/// let (rest, h) = arcnet_bsd_header::<()>(&[0x01, 0x02, 0xf0, 0x45]).unwrap();
/// assert_eq!((h.protocol, h.header_len, rest), (0xf0, 3, &[0x45][..]));
/// // An RFC 1201 exception packet: the header is 10 bytes.
/// let pkt = [1, 2, 0xd4, 0xff, 0xff, 0xff, 0xd4, 0x00, 0x00, 0x05, 0x45];
/// let (rest, h) = arcnet_bsd_header::<()>(&pkt).unwrap();
/// assert_eq!((h.split_flag, h.header_len, rest), (0, 10, &[0x45][..]));
/// ```
pub fn arcnet_bsd_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], ArcnetHeader, E> {
    let (rest, (source, dest, protocol)) = (be_u8, be_u8, be_u8).parse(input)?;
    let mut header = ArcnetHeader {
        source,
        dest,
        protocol,
        split_flag: 0,
        header_len: 3,
    };
    if !has_split_flag(protocol) {
        return Ok((rest, header));
    }
    let (rest, split_flag) = be_u8(rest)?;
    let (rest, split_flag, header_len) = if split_flag == SPLIT_EXCEPTION {
        let (rest, (_pad, _protocol, split_flag)) = (be_u16, be_u8, be_u8).parse(rest)?;
        (rest, split_flag, 10)
    } else {
        (rest, split_flag, 6)
    };
    let (rest, _sequence) = be_u16(rest)?;
    header.split_flag = split_flag;
    header.header_len = header_len;
    Ok((rest, header))
}
