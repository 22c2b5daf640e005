//! The PPP header (RFC 1661 §2), with the address and control field of
//! HDLC-like framing (RFC 1662 §3.1) and protocol field compression
//! (RFC 1661 §6.5), decoded only to find IP and MPLS.
//!
//! One parser serves every place PPP appears: the LINKTYPE_PPP and
//! LINKTYPE_PPP_HDLC link layers, PPPoE sessions
//! ([`crate::link::pppoe`]) and PPTP's enhanced GRE ([`super::gre`]).

use nom::bytes::complete::tag;
use nom::combinator::opt;
use nom::error::ParseError;
use nom::number::complete::be_u8;
use nom::{IResult, Parser};

/// PPP protocol number of IPv4 (RFC 1332).
pub const PPP_IPV4: u16 = 0x0021;
/// PPP protocol number of IPv6 (RFC 5072).
pub const PPP_IPV6: u16 = 0x0057;
/// PPP protocol number of MPLS unicast (RFC 3032 §4.3).
pub const PPP_MPLS_UNICAST: u16 = 0x0281;
/// PPP protocol number of MPLS multicast (RFC 3032 §4.3).
pub const PPP_MPLS_MULTICAST: u16 = 0x0283;
/// The all-stations address and unnumbered-information control field that
/// HDLC-like framing puts in front of the protocol (RFC 1662 §3.1); a
/// peer may negotiate them away (RFC 1661 §6.6).
pub const ADDRESS_CONTROL: [u8; 2] = [0xff, 0x03];

/// Parses a PPP header: the optional address and control field, then the
/// protocol, one byte when compressed (an odd first byte, RFC 1661 §6.5:
/// every protocol number's low byte is odd and its high byte even).
///
/// ```
/// # use tcpopt_parse::tunnel::ppp::ppp_header;
/// // lspping-fec-ldp.pcap frame 1 (LINKTYPE_PPP): MPLS unicast follows.
/// let frame = [0xff, 0x03, 0x02, 0x81, 0x18, 0x93, 0x0d, 0x40];
/// let (rest, proto) = ppp_header::<()>(&frame).unwrap();
/// assert_eq!((proto, rest.len()), (0x0281, 4));
/// // Address/control and protocol field compressed away.
/// assert_eq!(ppp_header::<()>(&[0x21, 0x45]).unwrap(), (&[0x45][..], 0x21));
/// assert!(ppp_header::<()>(&[0xff, 0x03, 0x00]).is_err());
/// ```
pub fn ppp_header<'a, E: ParseError<&'a [u8]>>(input: &'a [u8]) -> IResult<&'a [u8], u16, E> {
    let (input, _) = opt(tag(&ADDRESS_CONTROL[..])).parse(input)?;
    let (rest, first) = be_u8(input)?;
    if first & 1 == 1 {
        return Ok((rest, u16::from(first)));
    }
    let (rest, second) = be_u8(rest)?;
    Ok((rest, u16::from_be_bytes([first, second])))
}

/// Reads the PPP protocol and returns it with the payload; `None` when
/// the header is cut.
///
/// ```
/// # use tcpopt_parse::tunnel::ppp::ppp_protocol;
/// assert_eq!(ppp_protocol(&[0xff, 0x03, 0x00, 0x21, 0x45]), Some((0x21, &[0x45][..])));
/// assert_eq!(ppp_protocol(&[0x21, 0x45]), Some((0x21, &[0x45][..])));
/// ```
pub fn ppp_protocol(input: &[u8]) -> Option<(u16, &[u8])> {
    ppp_header::<()>(input).ok().map(|(rest, p)| (p, rest))
}

/// The EtherType that a PPP protocol number stands for, when it is one
/// this crate follows.
///
/// ```
/// # use tcpopt_parse::tunnel::ppp::protocol_ethertype;
/// assert_eq!(protocol_ethertype(0x0021), Some(0x0800));
/// assert_eq!(protocol_ethertype(0xc021), None); // LCP
/// ```
pub const fn protocol_ethertype(protocol: u16) -> Option<u16> {
    use crate::link::ethertype as et;
    match protocol {
        PPP_IPV4 => Some(et::IPV4),
        PPP_IPV6 => Some(et::IPV6),
        PPP_MPLS_UNICAST => Some(et::MPLS_UNICAST),
        PPP_MPLS_MULTICAST => Some(et::MPLS_MULTICAST),
        _ => None,
    }
}
