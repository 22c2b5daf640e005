//! The header Juniper routers put in front of packets they capture
//! (LINKTYPE_JUNIPER_ETHER, 178): the magic `MGC`, a flags byte and,
//! since JUNOS 7.5, a block of TLV extensions whose total length the
//! header gives. Then the Ethernet frame, or with the "no L2" flag, a
//! 4-byte protocol number in the router's (little-endian) byte order and
//! the packet itself. As in Wireshark's packet-juniper.c, the only
//! reference there is: a header without the magic (older JUNOS) is taken
//! as a bare Ethernet frame.

use crate::error::{Error, Layer};

/// `MGC`, in the first three bytes.
pub const MAGIC: [u8; 3] = *b"MGC";
/// Magic and flags.
pub const BASE_LEN: usize = 4;
/// Extensions present: a 2-byte total length follows the flags.
pub const FLAG_EXT: u8 = 0x80;
/// The link-layer header was stripped: a protocol number follows.
pub const FLAG_NO_L2: u8 = 0x02;
/// Length of the extension length field.
const EXT_LEN_LEN: usize = 2;
/// Length of the protocol number of "no L2" packets.
const PROTO_LEN: usize = 4;

/// JUNOS protocol numbers of "no L2" packets (packet-juniper.h).
pub const PROTO_IP: u32 = 2;
pub const PROTO_MPLS_IP: u32 = 3;
pub const PROTO_IP_MPLS: u32 = 4;
pub const PROTO_MPLS: u32 = 5;
pub const PROTO_IP6: u32 = 6;
pub const PROTO_MPLS_IP6: u32 = 7;
pub const PROTO_IP6_MPLS: u32 = 8;
/// Unexplained, but Wireshark skips 4 bytes and finds IPv4.
const PROTO_A248: u32 = 0xa248;

/// What the Juniper header is followed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JuniperPayload {
    Ethernet,
    Ipv4,
    Ipv6,
    Mpls,
    /// A JUNOS protocol number this crate does not follow (CLNP, PPP, ...).
    Other(u32),
}

/// A Juniper capture header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JuniperHeader {
    pub flags: u8,
    /// Length of everything before the payload.
    pub header_len: usize,
    pub payload: JuniperPayload,
}

/// Parses a LINKTYPE_JUNIPER_ETHER header; returns it and the payload.
/// Error offsets are relative to `input`.
///
/// ```
/// # use tcpopt_parse::link::juniper::{parse, JuniperPayload};
/// // MGC, flags 0x81 (extensions, incoming), 6 bytes of TLVs (the device and
/// // logical interface indexes), then the Ethernet frame.
/// let h = [0x4d, 0x47, 0x43, 0x81, 0x00, 0x06, 0x01, 0x01, 0x05, 0x04, 0x01, 0x00, 0x00, 0x1c];
/// let (j, rest) = parse(&h).unwrap();
/// assert_eq!((j.header_len, j.payload, rest), (12, JuniperPayload::Ethernet, &[0x00, 0x1c][..]));
/// ```
pub fn parse(input: &[u8]) -> Result<(JuniperHeader, &[u8]), Error> {
    let cut =
        |needed: usize| Error::truncated(Layer::Juniper, 0, needed as u64, input.len() as u64);
    let Some(&[m0, m1, m2, flags]) = input.first_chunk::<BASE_LEN>() else {
        return Err(cut(BASE_LEN));
    };
    if [m0, m1, m2] != MAGIC {
        let h = JuniperHeader {
            flags: 0,
            header_len: 0,
            payload: JuniperPayload::Ethernet,
        };
        return Ok((h, input));
    }
    let mut len = BASE_LEN;
    if flags & FLAG_EXT != 0 {
        let Some(&[l0, l1]) = input
            .get(len..)
            .and_then(|r| r.first_chunk::<EXT_LEN_LEN>())
        else {
            return Err(cut(len + EXT_LEN_LEN));
        };
        // The extensions' own length does not count the length field.
        len += EXT_LEN_LEN + usize::from(u16::from_be_bytes([l0, l1]));
    }
    let mut payload = JuniperPayload::Ethernet;
    if flags & FLAG_NO_L2 != 0 {
        let Some(&p) = input.get(len..).and_then(|r| r.first_chunk::<PROTO_LEN>()) else {
            return Err(cut(len + PROTO_LEN));
        };
        len += PROTO_LEN;
        let mut proto = u32::from_le_bytes(p);
        if proto == PROTO_A248 {
            len += 4;
            proto = PROTO_IP;
        }
        payload = match proto {
            PROTO_IP | PROTO_MPLS_IP => JuniperPayload::Ipv4,
            PROTO_IP6 | PROTO_MPLS_IP6 => JuniperPayload::Ipv6,
            PROTO_MPLS | PROTO_IP_MPLS | PROTO_IP6_MPLS => JuniperPayload::Mpls,
            other => JuniperPayload::Other(other),
        };
    }
    let Some(rest) = input.get(len..) else {
        return Err(cut(len));
    };
    Ok((
        JuniperHeader {
            flags,
            header_len: len,
            payload,
        },
        rest,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_l2_protocols() {
        let (j, rest) = parse(&[0x4d, 0x47, 0x43, 0x02, 2, 0, 0, 0, 0x45]).unwrap();
        assert_eq!(
            (j.payload, j.header_len, rest),
            (JuniperPayload::Ipv4, 8, &[0x45][..])
        );
        let (j, _) = parse(&[0x4d, 0x47, 0x43, 0x03, 6, 0, 0, 0]).unwrap();
        assert_eq!(j.payload, JuniperPayload::Ipv6);
        let (j, _) = parse(&[0x4d, 0x47, 0x43, 0x02, 200, 0, 0, 0]).unwrap();
        assert_eq!(j.payload, JuniperPayload::Other(200));
        let (j, rest) =
            parse(&[0x4d, 0x47, 0x43, 0x02, 0x48, 0xa2, 0, 0, 1, 2, 3, 4, 0x45]).unwrap();
        assert_eq!((j.payload, rest), (JuniperPayload::Ipv4, &[0x45][..]));
    }

    #[test]
    fn without_magic_it_is_ethernet() {
        let f = [0u8, 1, 2, 3, 4, 5];
        let (j, rest) = parse(&f).unwrap();
        assert_eq!(
            (j.payload, j.header_len, rest),
            (JuniperPayload::Ethernet, 0, &f[..])
        );
    }

    #[test]
    fn cut_headers() {
        assert_eq!(parse(b"MG").unwrap_err().layer, Layer::Juniper);
        assert!(parse(&[0x4d, 0x47, 0x43, 0x80, 0x00]).is_err());
        // Extensions longer than the packet.
        assert!(parse(&[0x4d, 0x47, 0x43, 0x80, 0x00, 0x10, 1, 2]).is_err());
        assert!(parse(&[0x4d, 0x47, 0x43, 0x02, 2, 0]).is_err());
    }
}
