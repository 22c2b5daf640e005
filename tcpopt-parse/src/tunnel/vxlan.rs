//! VXLAN (RFC 7348 §5) and VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe §3.2)
//! headers: 8 bytes in front of an Ethernet frame (or, for GPE, the
//! protocol its next-protocol field names).

use nom::error::ParseError;
use nom::number::complete::{be_u32, be_u8};
use nom::{IResult, Parser};

/// Length of the VXLAN and VXLAN-GPE header.
pub const HEADER_LEN: usize = 8;
/// "VNI valid" flag.
pub const FLAG_I: u8 = 0x08;
/// GPE "next protocol present" flag.
pub const FLAG_P: u8 = 0x04;
/// GPE next protocol values.
pub const GPE_IPV4: u8 = 1;
pub const GPE_IPV6: u8 = 2;
pub const GPE_ETHERNET: u8 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VxlanHeader {
    pub flags: u8,
    /// VXLAN-GPE's next protocol (reserved, 0, in plain VXLAN).
    pub next_protocol: u8,
    /// 24-bit VXLAN network identifier.
    pub vni: u32,
}

/// Parses a VXLAN (or VXLAN-GPE) header.
///
/// ```
/// # use tcpopt_parse::tunnel::vxlan::vxlan_header;
/// // gso-ipv4-vxlan-ipv4.pcap frame 1: I flag, VNI 0x1389 (5001).
/// let (rest, h) = vxlan_header::<()>(&[0x08, 0, 0, 0, 0x00, 0x13, 0x89, 0x00, 0xfe]).unwrap();
/// assert_eq!((h.flags, h.vni), (0x08, 5001));
/// assert_eq!(rest, [0xfe]);
/// ```
pub fn vxlan_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], VxlanHeader, E> {
    let (rest, (flags, _r1, _r2, next_protocol, vni_reserved)) =
        (be_u8, be_u8, be_u8, be_u8, be_u32).parse(input)?;
    Ok((
        rest,
        VxlanHeader {
            flags,
            next_protocol,
            vni: vni_reserved >> 8,
        },
    ))
}
