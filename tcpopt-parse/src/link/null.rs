//! BSD null and OpenBSD loop headers: one 32-bit address family
//! (<https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html>).
//!
//! LINKTYPE_NULL writes the family in the byte order of the host that
//! captured, which the file does not record, so both orders are tried.
//! LINKTYPE_LOOP is always big-endian.

use nom::error::ParseError;
use nom::number::complete::{be_u32, le_u32};
use nom::IResult;

use super::ethertype;

/// Length of the null/loop header.
pub const HEADER_LEN: usize = 4;

/// AF_INET on every BSD, Linux, macOS and Windows.
pub const AF_INET: u32 = 2;
/// AF_INET6 on NetBSD/OpenBSD (24), FreeBSD (28) and macOS (30).
pub const AF_INET6: [u32; 3] = [24, 28, 30];

/// The EtherType an address family implies, if it is an IP family.
pub const fn family_ethertype(family: u32) -> Option<u16> {
    match family {
        AF_INET => Some(ethertype::IPV4),
        24 | 28 | 30 => Some(ethertype::IPV6),
        _ => None,
    }
}

/// Parses a LINKTYPE_NULL header: the family as written (little-endian
/// first; if that is no IP family, big-endian).
///
/// ```
/// # use tcpopt_parse::link::null::null_family;
/// // tcp_rst_diag_payload.pcap frame 1 (little-endian host), and
/// // quic_handshake.pcap frame 1 (macOS, AF_INET6 = 30).
/// assert_eq!(null_family::<()>(&[0x02, 0x00, 0x00, 0x00, 0x45]).unwrap().1, 2);
/// assert_eq!(null_family::<()>(&[0x1e, 0x00, 0x00, 0x00, 0x60]).unwrap().1, 30);
/// // A big-endian host.
/// assert_eq!(null_family::<()>(&[0x00, 0x00, 0x00, 0x18]).unwrap().1, 24);
/// ```
pub fn null_family<'a, E: ParseError<&'a [u8]>>(input: &'a [u8]) -> IResult<&'a [u8], u32, E> {
    let (rest, le) = le_u32(input)?;
    if family_ethertype(le).is_some() {
        return Ok((rest, le));
    }
    let be = le.swap_bytes();
    Ok((
        rest,
        if family_ethertype(be).is_some() {
            be
        } else {
            le
        },
    ))
}

/// Parses a LINKTYPE_LOOP header: the family, big-endian.
///
/// ```
/// # use tcpopt_parse::link::null::loop_family;
/// assert_eq!(loop_family::<()>(&[0x00, 0x00, 0x00, 0x02]).unwrap().1, 2);
/// ```
pub fn loop_family<'a, E: ParseError<&'a [u8]>>(input: &'a [u8]) -> IResult<&'a [u8], u32, E> {
    be_u32(input)
}
