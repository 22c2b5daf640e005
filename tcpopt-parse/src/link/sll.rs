//! Linux cooked capture headers, written by libpcap for `tcpdump -i any`
//! (<https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html> and
//! `LINKTYPE_LINUX_SLL2.html`).

use nom::error::ParseError;
use nom::number::complete::{be_u16, be_u32, be_u8};
use nom::{IResult, Parser};

use super::array;

/// Length of the SLL v1 header.
pub const SLL_HEADER_LEN: usize = 16;
/// Length of the SLL v2 header.
pub const SLL2_HEADER_LEN: usize = 20;
/// Protocol value of an IEEE 802.2 LLC frame (Linux's ETH_P_802_2): the
/// protocol field holds the kernel's own numbers below 0x600.
pub const PROTO_802_2: u16 = 0x0004;

/// LINKTYPE_LINUX_SLL header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SllHeader {
    /// 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us.
    pub packet_type: u16,
    /// ARPHRD_ device type.
    pub arphrd: u16,
    pub addr_len: u16,
    pub addr: [u8; 8],
    /// EtherType of the payload (or a Linux pseudo-protocol below 0x600).
    pub protocol: u16,
}

/// Parses a Linux cooked v1 header.
///
/// ```
/// # use tcpopt_parse::link::sll::sll_header;
/// // tcp-handshake-nano.pcap frame 1: sent by us (4), ARPHRD 0x200, IPv4.
/// let hdr = [0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
///            0x00, 0x00, 0x08, 0x00, 0x45];
/// let (rest, h) = sll_header::<()>(&hdr).unwrap();
/// assert_eq!((h.packet_type, h.protocol), (4, 0x0800));
/// assert_eq!(rest, [0x45]);
/// ```
pub fn sll_header<'a, E: ParseError<&'a [u8]>>(input: &'a [u8]) -> IResult<&'a [u8], SllHeader, E> {
    let (rest, (packet_type, arphrd, addr_len, addr, protocol)) =
        (be_u16, be_u16, be_u16, array::<8, E>, be_u16).parse(input)?;
    Ok((
        rest,
        SllHeader {
            packet_type,
            arphrd,
            addr_len,
            addr,
            protocol,
        },
    ))
}

/// LINKTYPE_LINUX_SLL2 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sll2Header {
    /// EtherType of the payload.
    pub protocol: u16,
    pub reserved: u16,
    pub interface_index: u32,
    pub arphrd: u16,
    pub packet_type: u8,
    pub addr_len: u8,
    pub addr: [u8; 8],
}

/// Parses a Linux cooked v2 header.
///
/// ```
/// # use tcpopt_parse::link::sll::sll2_header;
/// // The SLL2 form of tcp-handshake-nano.pcap frame 1, as `tcpdump -i any`
/// // writes it since libpcap 1.10 (interface 1, ARPHRD_ETHER, outgoing).
/// let hdr = [0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x04, 0x06,
///            0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x45];
/// let (rest, h) = sll2_header::<()>(&hdr).unwrap();
/// assert_eq!((h.protocol, h.interface_index, h.packet_type), (0x0800, 1, 4));
/// assert_eq!(rest, [0x45]);
/// ```
pub fn sll2_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], Sll2Header, E> {
    let (rest, (protocol, reserved, interface_index, arphrd, packet_type, addr_len, addr)) =
        (be_u16, be_u16, be_u32, be_u16, be_u8, be_u8, array::<8, E>).parse(input)?;
    Ok((
        rest,
        Sll2Header {
            protocol,
            reserved,
            interface_index,
            arphrd,
            packet_type,
            addr_len,
            addr,
        },
    ))
}
