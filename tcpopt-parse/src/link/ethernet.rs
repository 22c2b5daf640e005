//! Ethernet II header (IEEE 802.3 clause 3.1.1, RFC 894) and VLAN tags
//! (IEEE 802.1Q clause 9.6).

use nom::error::ParseError;
use nom::number::complete::be_u16;
use nom::{IResult, Parser};

use super::array;

/// Length of the Ethernet II header: destination, source, EtherType.
pub const HEADER_LEN: usize = 14;
/// Length of one VLAN tag after its TPID: TCI and the next EtherType.
pub const VLAN_TAG_LEN: usize = 4;

/// An Ethernet II header. The FCS, when captured, is not part of it and
/// is excluded later by the IP length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EthernetHeader {
    pub dst: [u8; 6],
    pub src: [u8; 6],
    /// EtherType, or an 802.3 length when below 0x600.
    pub ethertype: u16,
}

/// Parses an Ethernet II header.
///
/// ```
/// # use tcpopt_parse::link::ethernet::ethernet_header;
/// // 802.1ad_QinQ.pcap frame 1: broadcast, S-tag follows.
/// let frame = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x20, 0xd2, 0x5a, 0xfb, 0x3f,
///              0x88, 0xa8, 0x00, 0xc8];
/// let (rest, h) = ethernet_header::<()>(&frame).unwrap();
/// assert_eq!(h.src, [0x00, 0x20, 0xd2, 0x5a, 0xfb, 0x3f]);
/// assert_eq!(h.ethertype, 0x88a8);
/// assert_eq!(rest, [0x00, 0xc8]);
/// ```
pub fn ethernet_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], EthernetHeader, E> {
    let (rest, (dst, src, ethertype)) = (array::<6, E>, array::<6, E>, be_u16).parse(input)?;
    Ok((
        rest,
        EthernetHeader {
            dst,
            src,
            ethertype,
        },
    ))
}

/// One VLAN tag as it follows its TPID (0x8100, 0x88A8 or 0x9100).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VlanTag {
    /// Tag control information: PCP (3 bits), DEI (1), VID (12).
    pub tci: u16,
    /// EtherType of what follows the tag.
    pub ethertype: u16,
}

impl VlanTag {
    /// The 12-bit VLAN identifier.
    pub const fn vid(self) -> u16 {
        self.tci & 0x0fff
    }
    /// The 3-bit priority code point.
    pub const fn pcp(self) -> u8 {
        (self.tci >> 13) as u8
    }
}

/// Parses a VLAN tag (the 4 bytes after a VLAN TPID).
///
/// ```
/// # use tcpopt_parse::link::ethernet::vlan_tag;
/// // 802.1ad_QinQ.pcap frame 1 after its 0x88a8 TPID: S-VID 200, then a
/// // C-tag (0x8100) with VID 2001, then ARP.
/// let tags = [0x00, 0xc8, 0x81, 0x00, 0x07, 0xd1, 0x08, 0x06];
/// let (rest, outer) = vlan_tag::<()>(&tags).unwrap();
/// assert_eq!((outer.vid(), outer.ethertype), (200, 0x8100));
/// let (_, inner) = vlan_tag::<()>(rest).unwrap();
/// assert_eq!((inner.vid(), inner.ethertype), (2001, 0x0806));
/// ```
pub fn vlan_tag<'a, E: ParseError<&'a [u8]>>(input: &'a [u8]) -> IResult<&'a [u8], VlanTag, E> {
    let (rest, (tci, ethertype)) = (be_u16, be_u16).parse(input)?;
    Ok((rest, VlanTag { tci, ethertype }))
}
