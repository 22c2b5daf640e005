//! Generic Routing Encapsulation: version 0 (RFC 2784 with the key and
//! sequence number of RFC 2890, and RFC 1701's routing field) and the
//! enhanced version 1 of PPTP (RFC 2637 §4.1).

use nom::error::ParseError;
use nom::number::complete::{be_u16, be_u32};
use nom::{IResult, Parser};

use crate::error::{Error, ErrorKind, Layer};

/// Flags and version word, then the protocol type.
pub const BASE_LEN: usize = 4;
/// Checksum present (RFC 2784 §2.5).
pub const FLAG_CHECKSUM: u16 = 0x8000;
/// Routing present (RFC 1701 §2.1; deprecated by RFC 2784).
pub const FLAG_ROUTING: u16 = 0x4000;
/// Key present (RFC 2890 §2.1); in version 1, payload length and call ID.
pub const FLAG_KEY: u16 = 0x2000;
/// Sequence number present (RFC 2890 §2.2).
pub const FLAG_SEQUENCE: u16 = 0x1000;
/// Acknowledgment number present (version 1 only, RFC 2637 §4.1).
pub const FLAG_ACK: u16 = 0x0080;
/// PPP, the only payload of version 1.
pub const PROTO_PPP: u16 = 0x880b;
/// ERSPAN type I/II mirror (type II has the sequence number).
pub const PROTO_ERSPAN_II: u16 = 0x88be;
/// ERSPAN type III mirror.
pub const PROTO_ERSPAN_III: u16 = 0x22eb;
/// Cisco WCCP redirection.
pub const PROTO_WCCP: u16 = 0x883e;
/// Aruba access points tunnel 802.11 frames to their controller in GRE
/// with protocol types 0x8200 to 0x8370, in steps of 0x10 (Wireshark's
/// packet-ieee80211.c registers exactly these).
pub const PROTO_ARUBA_FIRST: u16 = 0x8200;
pub const PROTO_ARUBA_LAST: u16 = 0x8370;

/// Whether a GRE protocol type is one of Aruba's 802.11 tunnels.
///
/// ```
/// # use tcpopt_parse::tunnel::gre::is_aruba_80211;
/// assert!(is_aruba_80211(0x8210) && is_aruba_80211(0x8370));
/// assert!(!is_aruba_80211(0x8208) && !is_aruba_80211(0x8380) && !is_aruba_80211(0x0800));
/// ```
pub const fn is_aruba_80211(protocol: u16) -> bool {
    protocol >= PROTO_ARUBA_FIRST && protocol <= PROTO_ARUBA_LAST && protocol & 0x0f == 0
}

/// A GRE header with its optional fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GreHeader {
    pub flags_version: u16,
    /// EtherType of the payload.
    pub protocol: u16,
    pub checksum: Option<u16>,
    /// Version 0: the key; version 1: payload length << 16 | call ID.
    pub key: Option<u32>,
    pub sequence: Option<u32>,
    pub ack: Option<u32>,
    /// Length of the header including optional fields and routing.
    pub header_len: usize,
}

impl GreHeader {
    pub const fn version(&self) -> u8 {
        (self.flags_version & 0x7) as u8
    }
    pub const fn has(&self, flag: u16) -> bool {
        self.flags_version & flag != 0
    }
}

fn optional<'a, E: ParseError<&'a [u8]>>(
    present: bool,
    input: &'a [u8],
) -> IResult<&'a [u8], Option<u32>, E> {
    if present {
        let (rest, v) = be_u32(input)?;
        Ok((rest, Some(v)))
    } else {
        Ok((input, None))
    }
}

/// Parses the GRE header and its optional fields (not the routing list,
/// see [`parse`]). Values are not checked.
///
/// ```
/// # use tcpopt_parse::tunnel::gre::gre_header;
/// // erspan-type-ii-1.pcap frame 1: sequence number present, ERSPAN.
/// let gre = [0x10, 0x00, 0x88, 0xbe, 0x00, 0x00, 0x00, 0xab, 0x11];
/// let (rest, h) = gre_header::<()>(&gre).unwrap();
/// assert_eq!((h.version(), h.protocol, h.sequence, h.header_len), (0, 0x88be, Some(0xab), 8));
/// assert_eq!(rest, [0x11]);
/// ```
pub fn gre_header<'a, E: ParseError<&'a [u8]>>(input: &'a [u8]) -> IResult<&'a [u8], GreHeader, E> {
    let (rest, (flags_version, protocol)) = (be_u16, be_u16).parse(input)?;
    let v1 = flags_version & 0x7 == 1;
    let (rest, cso) = optional(
        !v1 && flags_version & (FLAG_CHECKSUM | FLAG_ROUTING) != 0,
        rest,
    )?;
    let (rest, key) = optional(flags_version & FLAG_KEY != 0, rest)?;
    let (rest, sequence) = optional(flags_version & FLAG_SEQUENCE != 0, rest)?;
    let (rest, ack) = optional(v1 && flags_version & FLAG_ACK != 0, rest)?;
    let header_len = input.len() - rest.len();
    let checksum = cso
        .filter(|_| flags_version & FLAG_CHECKSUM != 0)
        .map(|c| (c >> 16) as u16);
    Ok((
        rest,
        GreHeader {
            flags_version,
            protocol,
            checksum,
            key,
            sequence,
            ack,
            header_len,
        },
    ))
}

/// Checks a GRE header, skips RFC 1701 source routes, and returns the
/// header and the payload. Error offsets are relative to `input`.
///
/// ```
/// # use tcpopt_parse::tunnel::gre::parse;
/// // wccp_redirect_gre.pcap frame 1: no options, protocol 0x883e (WCCP).
/// let gre = [0x00, 0x00, 0x88, 0x3e, 0x05, 0x59, 0x00, 0x48, 0x45];
/// let (h, payload) = parse(&gre).unwrap();
/// assert_eq!(h.protocol, 0x883e);
/// assert_eq!(payload, [0x05, 0x59, 0x00, 0x48, 0x45]);
/// // Version 2 does not exist.
/// assert!(parse(&[0x00, 0x02, 0x08, 0x00]).is_err());
/// ```
pub fn parse(input: &[u8]) -> Result<(GreHeader, &[u8]), Error> {
    let available = input.len() as u64;
    let (mut rest, header) = match gre_header::<()>(input) {
        Ok(ok) => ok,
        Err(_) => {
            let needed = match (be_u16::<_, ()>(input), input.len() < BASE_LEN) {
                (Ok((_, f)), false) => {
                    let words = (f & (FLAG_CHECKSUM | FLAG_ROUTING) != 0) as u64
                        + (f & FLAG_KEY != 0) as u64
                        + (f & FLAG_SEQUENCE != 0) as u64
                        + (f & FLAG_ACK != 0) as u64;
                    BASE_LEN as u64 + 4 * words
                }
                _ => BASE_LEN as u64,
            };
            return Err(Error::truncated(Layer::Gre, 0, needed, available));
        }
    };
    match header.version() {
        0 => {}
        1 if header.protocol == PROTO_PPP && header.has(FLAG_KEY) => {}
        1 => {
            return Err(Error::new(
                Layer::Gre,
                2,
                ErrorKind::BadValue {
                    what: "gre version 1 protocol or flags",
                    value: header.protocol.into(),
                },
            ))
        }
        v => {
            return Err(Error::new(
                Layer::Gre,
                1,
                ErrorKind::BadVersion {
                    major: v.into(),
                    minor: 0,
                },
            ))
        }
    }
    if header.version() == 0 && header.has(FLAG_ROUTING) {
        // Source route entries: address family, SRE offset, SRE length,
        // then the entry; a NULL SRE (family 0, length 0) ends the list.
        loop {
            let offset = input.len() - rest.len();
            let Some((&[af_hi, af_lo, _off, len], body)) = rest.split_first_chunk::<4>() else {
                return Err(Error::truncated(
                    Layer::Gre,
                    offset as u64,
                    4,
                    rest.len() as u64,
                ));
            };
            if af_hi == 0 && af_lo == 0 && len == 0 {
                rest = body;
                break;
            }
            let Some(next) = body.get(usize::from(len)..) else {
                return Err(Error::truncated(
                    Layer::Gre,
                    offset as u64,
                    4 + u64::from(len),
                    rest.len() as u64,
                ));
            };
            rest = next;
        }
        let header_len = input.len() - rest.len();
        return Ok((
            GreHeader {
                header_len,
                ..header
            },
            rest,
        ));
    }
    Ok((header, rest))
}

/// How many bytes of WCCP redirect header precede the IPv4 packet in a
/// GRE payload of type 0x883e: none when the payload already starts like
/// IPv4 (WCCPv1), else the 4-byte WCCPv2 redirect header, as Wireshark
/// decides.
///
/// ```
/// # use tcpopt_parse::tunnel::gre::wccp_redirect_len;
/// assert_eq!(wccp_redirect_len(&[0x05, 0x59, 0x00, 0x48, 0x45]), 4);
/// assert_eq!(wccp_redirect_len(&[0x45, 0x00]), 0);
/// ```
pub fn wccp_redirect_len(payload: &[u8]) -> usize {
    match payload.first() {
        Some(b) if b >> 4 == 4 => 0,
        _ => 4,
    }
}
