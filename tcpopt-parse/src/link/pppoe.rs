//! PPPoE session stage header (RFC 2516 §4, §6): 6 bytes between the
//! Ethernet header (EtherType 0x8864) and a PPP protocol field. DSL
//! access lines carry most of their traffic like this.

use nom::error::ParseError;
use nom::number::complete::{be_u16, be_u8};
use nom::{IResult, Parser};

use crate::error::{Error, ErrorKind, Layer};

/// Length of the PPPoE header.
pub const HEADER_LEN: usize = 6;
/// Version 1, type 1 (RFC 2516 §4), the only one defined.
pub const VERSION_TYPE: u8 = 0x11;
/// Code of a session data packet (RFC 2516 §6).
pub const CODE_SESSION_DATA: u8 = 0x00;

/// A PPPoE header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PppoeHeader {
    /// Version (high nibble) and type (low nibble), both 1.
    pub version_type: u8,
    /// 0 for session data.
    pub code: u8,
    pub session_id: u16,
    /// Length of the PPP payload (protocol field included).
    pub length: u16,
}

/// Parses a PPPoE header.
///
/// ```
/// # use tcpopt_parse::link::pppoe::pppoe_header;
/// // pppoes.pcap frame 1 after Ethernet: session 0x0017, 14 bytes of LCP.
/// let h = [0x11, 0x00, 0x00, 0x17, 0x00, 0x0e, 0xc0, 0x21];
/// let (rest, p) = pppoe_header::<()>(&h).unwrap();
/// assert_eq!((p.version_type, p.code, p.session_id, p.length), (0x11, 0, 0x17, 14));
/// assert_eq!(rest, [0xc0, 0x21]);
/// ```
pub fn pppoe_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], PppoeHeader, E> {
    (be_u8, be_u8, be_u16, be_u16)
        .map(|(version_type, code, session_id, length)| PppoeHeader {
            version_type,
            code,
            session_id,
            length,
        })
        .parse(input)
}

/// Checks a PPPoE session header and returns it with its PPP payload,
/// bounded by the PPPoE length (the Ethernet padding of a short frame is
/// not PPP). A length past the capture is a snaplen cut: the payload is
/// what was captured. Error offsets are relative to `input`, and name
/// [`Layer::Link`].
///
/// ```
/// # use tcpopt_parse::link::pppoe::parse;
/// let pkt = [0x11, 0x00, 0x00, 0x17, 0x00, 0x02, 0xc0, 0x21, 0x00, 0x00];
/// assert_eq!(parse(&pkt).unwrap().1, [0xc0, 0x21]); // two bytes of padding dropped
/// assert!(parse(&pkt[..5]).is_err());
/// assert!(parse(&[0x11, 0x09, 0, 0, 0, 0]).is_err()); // PADI: discovery, not session
/// ```
pub fn parse(input: &[u8]) -> Result<(PppoeHeader, &[u8]), Error> {
    let Ok((rest, header)) = pppoe_header::<()>(input) else {
        return Err(Error::truncated(
            Layer::Link,
            0,
            HEADER_LEN as u64,
            input.len() as u64,
        ));
    };
    if header.version_type != VERSION_TYPE {
        return Err(Error::new(
            Layer::Link,
            0,
            ErrorKind::BadVersion {
                major: (header.version_type >> 4).into(),
                minor: (header.version_type & 0xf).into(),
            },
        ));
    }
    if header.code != CODE_SESSION_DATA {
        return Err(Error::new(
            Layer::Link,
            1,
            ErrorKind::BadValue {
                what: "pppoe session code",
                value: header.code.into(),
            },
        ));
    }
    let payload = rest.get(..usize::from(header.length)).unwrap_or(rest);
    Ok((header, payload))
}
