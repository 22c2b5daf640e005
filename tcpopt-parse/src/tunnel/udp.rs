//! UDP header (RFC 768), decoded only to reach the tunnels it carries:
//! VXLAN, Geneve, GTP-U, CAPWAP data, AYIYA and GRE-in-UDP, each on its
//! IANA port, in either direction as Wireshark matches them.

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
/// GTP user plane (3GPP TS 29.281 §4.4.2.3).
pub const PORT_GTP_U: u16 = 2152;
/// GTP control plane (3GPP TS 29.274); Wireshark decodes GTPv1 T-PDUs
/// on it too.
pub const PORT_GTP_C: u16 = 2123;
/// CAPWAP data channel (RFC 5415 §3.1).
pub const PORT_CAPWAP_DATA: u16 = 5247;
/// AYIYA (draft-massar-v6ops-ayiya §6).
pub const PORT_AYIYA: u16 = 5072;
/// GRE-in-UDP (RFC 8086 §3.1).
pub const PORT_GRE_IN_UDP: u16 = 4754;

/// Whether `port` is one of the tunnel ports above.
pub const fn is_tunnel_port(port: u16) -> bool {
    matches!(
        port,
        PORT_VXLAN
            | PORT_VXLAN_GPE
            | PORT_GENEVE
            | PORT_GTP_U
            | PORT_GTP_C
            | PORT_CAPWAP_DATA
            | PORT_AYIYA
            | PORT_GRE_IN_UDP
    )
}

/// The tunnel port of a datagram, if either port is one. Like Wireshark's
/// UDP dissector, the lower port is tried first.
///
/// ```
/// # use tcpopt_parse::tunnel::udp::tunnel_port;
/// assert_eq!(tunnel_port(2152, 2152), Some(2152));
/// assert_eq!(tunnel_port(4789, 54321), Some(4789)); // reply from the VTEP's port
/// assert_eq!(tunnel_port(4754, 2152), Some(2152));
/// assert_eq!(tunnel_port(53, 40000), None);
/// ```
pub const fn tunnel_port(src: u16, dst: u16) -> Option<u16> {
    let (low, high) = if src <= dst { (src, dst) } else { (dst, src) };
    if is_tunnel_port(low) {
        Some(low)
    } else if is_tunnel_port(high) {
        Some(high)
    } else {
        None
    }
}

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
