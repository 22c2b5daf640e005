//! Tags that switches insert into an Ethernet header, other than VLAN
//! tags ([`super::ethernet::vlan_tag`]); each follows its EtherType and
//! ends where the next header starts:
//!
//! - IEEE 802.1ah (provider backbone bridges, "MAC-in-MAC"), EtherType
//!   0x88E7: a 4-byte I-TAG (priority, drop eligibility, I-SID), then the
//!   customer's whole Ethernet header (IEEE 802.1Q-2018 §9.7).
//! - IEEE 802.1BR E-Tag, EtherType 0x893F: 6 bytes of tag (E-CIDs), then
//!   the next EtherType (IEEE 802.1BR-2012 §7.7).
//! - Cisco VN-Tag, EtherType 0x8926: 4 bytes (direction, pointer, virtual
//!   interfaces), then the next EtherType (the pre-standard of 802.1Qbh).
//! - Cisco FabricPath, EtherType 0x8903 where an Ethernet header has its
//!   type: the outer addresses are FabricPath switch addresses, and after
//!   the EtherType a 2-byte FTAG/TTL precedes the inner Ethernet frame
//!   (Wireshark's packet-cisco-fp-mim.c, which recognises it the same way).

use crate::error::{Error, Layer};

/// IEEE 802.1ah backbone service instance tag.
pub const ETHERTYPE_PBB_ITAG: u16 = 0x88e7;
/// IEEE 802.1BR E-Tag.
pub const ETHERTYPE_ETAG: u16 = 0x893f;
/// Cisco VN-Tag.
pub const ETHERTYPE_VNTAG: u16 = 0x8926;
/// Cisco FabricPath (Wireshark's ETHERTYPE_DCE).
pub const ETHERTYPE_FABRICPATH: u16 = 0x8903;

/// 802.1ah I-TAG: flags and the 24-bit I-SID.
pub const ITAG_LEN: usize = 4;
/// E-Tag after its EtherType, up to the next EtherType.
pub const ETAG_LEN: usize = 6;
/// VN-Tag after its EtherType, up to the next EtherType.
pub const VNTAG_LEN: usize = 4;
/// FabricPath FTAG (10 bits) and TTL (6 bits).
pub const FABRICPATH_FTAG_LEN: usize = 2;

/// A tag that this module knows, by its EtherType.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// 802.1ah: a whole Ethernet header follows.
    PbbItag,
    /// E-Tag: an EtherType follows.
    ETag,
    /// VN-Tag: an EtherType follows.
    VnTag,
    /// FabricPath: a whole Ethernet header follows.
    FabricPath,
}

impl Tag {
    /// The tag announced by `ethertype`, if this module knows it.
    pub const fn from_ethertype(ethertype: u16) -> Option<Tag> {
        Some(match ethertype {
            ETHERTYPE_PBB_ITAG => Tag::PbbItag,
            ETHERTYPE_ETAG => Tag::ETag,
            ETHERTYPE_VNTAG => Tag::VnTag,
            ETHERTYPE_FABRICPATH => Tag::FabricPath,
            _ => return None,
        })
    }

    /// Bytes between the tag's EtherType and the next header (an
    /// EtherType for E-Tag and VN-Tag, an Ethernet header for the others).
    pub const fn tag_len(self) -> usize {
        match self {
            Tag::PbbItag => ITAG_LEN,
            Tag::ETag => ETAG_LEN,
            Tag::VnTag => VNTAG_LEN,
            Tag::FabricPath => FABRICPATH_FTAG_LEN,
        }
    }

    /// Whether a whole Ethernet header follows (MAC-in-MAC), rather than
    /// only the next EtherType.
    pub const fn encapsulates_ethernet(self) -> bool {
        matches!(self, Tag::PbbItag | Tag::FabricPath)
    }
}

/// Skips the tag at the start of `input` (just after its EtherType).
/// For E-Tag and VN-Tag, returns the next EtherType and what follows it;
/// for the others, the EtherType is `None` and an Ethernet header
/// follows. Error offsets are relative to `input`.
///
/// ```
/// # use tcpopt_parse::link::tags::{parse, Tag};
/// // A VN-Tag (4 bytes), then IPv4.
/// let (next, rest) = parse(Tag::VnTag, &[0x80, 0x01, 0x00, 0x02, 0x08, 0x00, 0x45]).unwrap();
/// assert_eq!((next, rest), (Some(0x0800), &[0x45][..]));
/// // 802.1ah: the I-TAG, then the customer's Ethernet header.
/// let (next, rest) = parse(Tag::PbbItag, &[0x00, 0x00, 0x01, 0x00, 0x02]).unwrap();
/// assert_eq!((next, rest), (None, &[0x02][..]));
/// assert!(parse(Tag::ETag, &[0; 7]).is_err());
/// ```
pub fn parse(tag: Tag, input: &[u8]) -> Result<(Option<u16>, &[u8]), Error> {
    let len = tag.tag_len();
    let needed = if tag.encapsulates_ethernet() {
        len
    } else {
        len + 2
    };
    let Some(rest) = input.get(len..).filter(|_| input.len() >= needed) else {
        return Err(Error::truncated(
            Layer::EthernetTag,
            0,
            needed as u64,
            input.len() as u64,
        ));
    };
    if tag.encapsulates_ethernet() {
        return Ok((None, rest));
    }
    match rest.split_first_chunk::<2>() {
        Some((&t, rest)) => Ok((Some(u16::from_be_bytes(t)), rest)),
        None => Err(Error::truncated(
            Layer::EthernetTag,
            0,
            needed as u64,
            input.len() as u64,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag() {
        assert_eq!(Tag::from_ethertype(0x893f), Some(Tag::ETag));
        assert_eq!(Tag::from_ethertype(0x0800), None);
        let etag = [0, 0, 0, 0, 0, 0, 0x86, 0xdd, 0x60];
        assert_eq!(
            parse(Tag::ETag, &etag).unwrap(),
            (Some(0x86dd), &[0x60][..])
        );
        let fp = [0x00, 0x20, 0xee];
        assert_eq!(parse(Tag::FabricPath, &fp).unwrap(), (None, &[0xee][..]));
        let e = parse(Tag::VnTag, &[0; 5]).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::EthernetTag, 0));
        assert!(parse(Tag::PbbItag, &[0; 3]).is_err());
    }
}
