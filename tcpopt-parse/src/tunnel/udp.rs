//! UDP header (RFC 768), decoded only to reach VXLAN and Geneve.

use nom::error::ParseError;
use nom::number::complete::be_u16;
use nom::{IResult, Parser};

use crate::error::{Error, ErrorKind, Layer};

/// Length of the UDP header.
pub const HEADER_LEN: usize = 8;
/// VXLAN's IANA port (RFC 7348 §5).
pub const PORT_VXLAN: u16 = 4789;
/// VXLAN-GPE's IANA port (draft-ietf-nvo3-vxlan-gpe).
pub const PORT_VXLAN_GPE: u16 = 4790;
/// Geneve's IANA port (RFC 8926 §3.3).
pub const PORT_GENEVE: u16 = 6081;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UdpHeader {
    pub src_port: u16,
    pub dst_port: u16,
    pub length: u16,
    pub checksum: u16,
}

/// Parses a UDP header.
///
/// ```
/// # use tcpopt_parse::tunnel::udp::udp_header;
/// // geneve.pcap frame 1: 12618 → 6081, length 122.
/// let (_, h) = udp_header::<()>(&[0x31, 0x4a, 0x17, 0xc1, 0x00, 0x7a, 0x00, 0x00]).unwrap();
/// assert_eq!((h.src_port, h.dst_port, h.length), (12618, 6081, 122));
/// ```
pub fn udp_header<'a, E: ParseError<&'a [u8]>>(input: &'a [u8]) -> IResult<&'a [u8], UdpHeader, E> {
    let (rest, (src_port, dst_port, length, checksum)) =
        (be_u16, be_u16, be_u16, be_u16).parse(input)?;
    Ok((
        rest,
        UdpHeader {
            src_port,
            dst_port,
            length,
            checksum,
        },
    ))
}

/// Checks a UDP header and bounds its payload by the UDP length. A length
/// of 0 means the IP layer's length applies (RFC 2675 §4, and Linux BIG
/// TCP over IPv4), so the payload is everything the IP layer bounded.
///
/// ```
/// # use tcpopt_parse::tunnel::udp::parse;
/// let d = [0x31, 0x4a, 0x17, 0xc1, 0x00, 0x0a, 0x00, 0x00, 0xaa, 0xbb, 0xcc];
/// assert_eq!(parse(&d).unwrap().1, [0xaa, 0xbb]); // length 10: one byte is trailer
/// assert!(parse(&[0, 1, 0, 2, 0, 7, 0, 0]).is_err()); // length below 8
/// ```
pub fn parse(input: &[u8]) -> Result<(UdpHeader, &[u8]), Error> {
    let Ok((rest, header)) = udp_header::<()>(input) else {
        return Err(Error::truncated(
            Layer::Udp,
            0,
            HEADER_LEN as u64,
            input.len() as u64,
        ));
    };
    let len = usize::from(header.length);
    if len == 0 {
        return Ok((header, rest));
    }
    if len < HEADER_LEN {
        return Err(Error::new(
            Layer::Udp,
            4,
            ErrorKind::BadLength {
                what: "udp length",
                value: len as u64,
            },
        ));
    }
    Ok((header, rest.get(..len - HEADER_LEN).unwrap_or(rest)))
}
