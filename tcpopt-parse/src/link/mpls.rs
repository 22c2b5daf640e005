//! MPLS label stack encoding (RFC 3032 §2.1): 4-byte entries, the last
//! one marked by the bottom-of-stack bit, then a payload whose type the
//! stack does not say.
//!
//! Which payload follows is known only to the router that pushed the
//! label; like tcpdump and Wireshark, [`payload_ethertype`] guesses from
//! the first nibble (4 is IPv4, 6 is IPv6). A pseudowire's control word
//! (first nibble 0, RFC 4385) is not followed.

use nom::error::ParseError;
use nom::number::complete::be_u32;
use nom::{IResult, Parser};

use super::ethertype;
use crate::error::{Error, ErrorKind, Layer};

/// Length of one label stack entry.
pub const ENTRY_LEN: usize = 4;
/// How many entries [`parse`] walks before stopping with
/// [`ErrorKind::TooDeep`]; real networks stack three or four (transport,
/// service, entropy label and its indicator).
pub const MAX_LABELS: usize = 8;
/// Reserved label: IPv4 explicit null (RFC 3032 §2.1).
pub const LABEL_IPV4_EXPLICIT_NULL: u32 = 0;
/// Reserved label: IPv6 explicit null (RFC 3032 §2.1).
pub const LABEL_IPV6_EXPLICIT_NULL: u32 = 2;

/// One label stack entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabelEntry {
    /// 20-bit label value.
    pub label: u32,
    /// 3-bit traffic class (formerly EXP, RFC 5462).
    pub traffic_class: u8,
    /// Bottom of stack: the last entry.
    pub bottom: bool,
    pub ttl: u8,
}

/// Parses one label stack entry.
///
/// ```
/// # use tcpopt_parse::link::mpls::label_entry;
/// // lspping-fec-ldp.pcap frame 1 after PPP: label 100656, bottom of stack, TTL 64.
/// let (rest, e) = label_entry::<()>(&[0x18, 0x93, 0x0d, 0x40, 0x45]).unwrap();
/// assert_eq!((e.label, e.traffic_class, e.bottom, e.ttl), (100_656, 6, true, 64));
/// assert_eq!(rest, [0x45]);
/// ```
pub fn label_entry<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], LabelEntry, E> {
    be_u32
        .map(|w| LabelEntry {
            label: w >> 12,
            traffic_class: ((w >> 9) & 0x7) as u8,
            bottom: w & 0x100 != 0,
            ttl: (w & 0xff) as u8,
        })
        .parse(input)
}

/// A walked label stack: its depth and bottom entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabelStack {
    /// The outermost entry (the label the capturing link switched on).
    pub top: LabelEntry,
    /// The entry with the bottom-of-stack bit.
    pub bottom: LabelEntry,
    /// Number of entries, 1 to [`MAX_LABELS`].
    pub depth: u8,
}

impl LabelStack {
    /// Length of the stack in bytes.
    pub const fn len(&self) -> usize {
        self.depth as usize * ENTRY_LEN
    }
    /// Always false: a stack has at least one entry.
    pub const fn is_empty(&self) -> bool {
        self.depth == 0
    }
}

/// Walks the label stack to its bottom and returns it with the payload.
/// Error offsets are relative to `input`, and name [`Layer::Link`].
///
/// ```
/// # use tcpopt_parse::link::mpls::parse;
/// // tok2str-oobr-2.pcap frame 1 after Ethernet: one label (16006), then IPv4.
/// let pkt = [0x03, 0xe8, 0x61, 0xff, 0x46, 0x00];
/// let (stack, payload) = parse(&pkt).unwrap();
/// assert_eq!((stack.depth, stack.bottom.label, stack.bottom.ttl), (1, 16006, 255));
/// assert_eq!(payload, [0x46, 0x00]);
/// assert!(parse(&pkt[..3]).is_err());
/// // No bottom-of-stack bit within the bound.
/// assert!(parse(&[0u8; 40]).is_err());
/// ```
pub fn parse(input: &[u8]) -> Result<(LabelStack, &[u8]), Error> {
    let mut rest = input;
    let mut top = None;
    for depth in 1..=MAX_LABELS {
        let offset = (depth - 1) * ENTRY_LEN;
        let Ok((next, entry)) = label_entry::<()>(rest) else {
            return Err(Error::truncated(
                Layer::Link,
                offset as u64,
                ENTRY_LEN as u64,
                rest.len() as u64,
            ));
        };
        rest = next;
        let top = *top.get_or_insert(entry);
        if entry.bottom {
            return Ok((
                LabelStack {
                    top,
                    bottom: entry,
                    depth: depth as u8,
                },
                rest,
            ));
        }
    }
    Err(Error::new(
        Layer::Link,
        (MAX_LABELS * ENTRY_LEN) as u64,
        ErrorKind::TooDeep {
            what: "mpls labels",
            limit: MAX_LABELS as u32,
        },
    ))
}

/// The EtherType of what follows the stack, guessed from its first nibble
/// as tcpdump and Wireshark do; `None` for anything else (a pseudowire,
/// or nothing at all).
///
/// ```
/// # use tcpopt_parse::link::mpls::payload_ethertype;
/// assert_eq!(payload_ethertype(&[0x45, 0x00]), Some(0x0800));
/// assert_eq!(payload_ethertype(&[0x60]), Some(0x86dd));
/// assert_eq!(payload_ethertype(&[0x00, 0x00, 0x00, 0x00]), None); // control word
/// ```
pub fn payload_ethertype(payload: &[u8]) -> Option<u16> {
    match payload.first().map(|b| b >> 4) {
        Some(4) => Some(ethertype::IPV4),
        Some(6) => Some(ethertype::IPV6),
        _ => None,
    }
}
