//! LINKTYPE_IPOIB: IP over InfiniBand as Linux captures it
//! (<https://www.tcpdump.org/linktypes/LINKTYPE_IPOIB.html>). The 4-byte
//! encapsulation header of RFC 4391 §6 (EtherType, reserved) follows a
//! 40-byte pseudo-header that the kernel prepends: 20 bytes reserved for
//! a source address, then the 20-byte destination hardware address (flags
//! and queue pair number, port GID). tcpdump and Wireshark read it so.

use nom::bytes::complete::take;
use nom::error::ParseError;
use nom::number::complete::{be_u16, be_u32};
use nom::{IResult, Parser};

use super::array;

/// Length of the pseudo-header and the RFC 4391 header together.
pub const HEADER_LEN: usize = 44;
/// Offset of the destination hardware address.
pub const DEST_OFFSET: usize = 20;

/// The IPoIB pseudo-header and encapsulation header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpoibHeader {
    /// Destination queue pair number (24 bits).
    pub dest_qpn: u32,
    /// Destination port GID.
    pub dest_gid: [u8; 16],
    /// EtherType of the payload.
    pub protocol: u16,
}

/// Parses the 44-byte IPoIB header.
///
/// ```
/// # use tcpopt_parse::link::ipoib::ipoib_header;
/// // ipoib.pcap frame 1: QPN 0x550, GID fe80::10:e000:664a:b451, IPv4.
/// let mut frame = [0u8; 45];
/// frame[16..45].copy_from_slice(&[
///     0x2f, 0xa3, 0x00, 0x0a, 0x80, 0x00, 0x05, 0x50, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00,
///     0x00, 0x00, 0x00, 0x10, 0xe0, 0x00, 0x66, 0x4a, 0xb4, 0x51, 0x08, 0x00, 0x00, 0x00,
///     0x45,
/// ]);
/// let (rest, h) = ipoib_header::<()>(&frame).unwrap();
/// assert_eq!((h.dest_qpn, h.protocol), (0x550, 0x0800));
/// assert_eq!(h.dest_gid[..2], [0xfe, 0x80]);
/// assert_eq!(rest, [0x45]);
/// ```
pub fn ipoib_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], IpoibHeader, E> {
    (take(DEST_OFFSET), be_u32, array::<16, E>, be_u16, be_u16)
        .map(
            |(_, flags_qpn, dest_gid, protocol, _reserved)| IpoibHeader {
                dest_qpn: flags_qpn & 0x00ff_ffff,
                dest_gid,
                protocol,
            },
        )
        .parse(input)
}
