//! Cisco HDLC framing (LINKTYPE_C_HDLC, and frames inside
//! LINKTYPE_PPP_HDLC that start with a Cisco address): address, control,
//! then an EtherType (<https://www.tcpdump.org/linktypes/LINKTYPE_C_HDLC.html>).
//! Serial links on Cisco routers default to it.

use nom::error::ParseError;
use nom::number::complete::{be_u16, be_u8};
use nom::{IResult, Parser};

/// Length of the Cisco HDLC header.
pub const HEADER_LEN: usize = 4;
/// Address of a unicast frame.
pub const ADDRESS_UNICAST: u8 = 0x0f;
/// Address of a broadcast frame.
pub const ADDRESS_BROADCAST: u8 = 0x8f;

/// A Cisco HDLC header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChdlcHeader {
    /// 0x0f unicast, 0x8f broadcast.
    pub address: u8,
    /// Always 0.
    pub control: u8,
    /// EtherType of the payload (0x8035 for SLARP keepalives).
    pub protocol: u16,
}

/// Whether a frame's first byte is a Cisco HDLC address (how tcpdump and
/// Wireshark tell it from PPP's 0xff in LINKTYPE_PPP_HDLC).
pub const fn is_chdlc_address(b: u8) -> bool {
    matches!(b, ADDRESS_UNICAST | ADDRESS_BROADCAST)
}

/// Parses a Cisco HDLC header.
///
/// ```
/// # use tcpopt_parse::link::chdlc::chdlc_header;
/// // chdlc-slarp.pcap frame 1: broadcast SLARP keepalive.
/// let (rest, h) = chdlc_header::<()>(&[0x8f, 0x00, 0x80, 0x35, 0x00]).unwrap();
/// assert_eq!((h.address, h.protocol), (0x8f, 0x8035));
/// assert_eq!(rest, [0x00]);
/// ```
pub fn chdlc_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], ChdlcHeader, E> {
    (be_u8, be_u8, be_u16)
        .map(|(address, control, protocol)| ChdlcHeader {
            address,
            control,
            protocol,
        })
        .parse(input)
}
