//! Geneve header (RFC 8926 §3.4): 8 fixed bytes, then options whose total
//! length the header gives in 4-byte units.

use nom::error::ParseError;
use nom::number::complete::{be_u16, be_u32, be_u8};
use nom::{IResult, Parser};

use crate::error::{Error, ErrorKind, Layer};

/// Length of the fixed header.
pub const BASE_LEN: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneveHeader {
    /// Version (2 bits) and options length (6 bits, 4-byte units).
    pub version_optlen: u8,
    /// O (control packet) and C (critical options) flags.
    pub flags: u8,
    /// EtherType of the payload (0x6558 for Ethernet).
    pub protocol: u16,
    /// 24-bit virtual network identifier.
    pub vni: u32,
}

impl GeneveHeader {
    pub const fn version(&self) -> u8 {
        self.version_optlen >> 6
    }
    /// Header length including options.
    pub const fn header_len(&self) -> usize {
        BASE_LEN + (self.version_optlen & 0x3f) as usize * 4
    }
}

/// Parses the fixed part of a Geneve header.
///
/// ```
/// # use tcpopt_parse::tunnel::geneve::geneve_header;
/// // geneve.pcap frame 1: 8 bytes of options, C flag, Ethernet, VNI 10.
/// let g = [0x02, 0x40, 0x65, 0x58, 0x00, 0x00, 0x0a, 0x00,
///          0x00, 0x00, 0x80, 0x01, 0x00, 0x00, 0x00, 0x0c];
/// let (_, h) = geneve_header::<()>(&g).unwrap();
/// assert_eq!((h.version(), h.header_len(), h.protocol, h.vni), (0, 16, 0x6558, 10));
/// ```
pub fn geneve_header<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], GeneveHeader, E> {
    let (rest, (version_optlen, flags, protocol, vni_reserved)) =
        (be_u8, be_u8, be_u16, be_u32).parse(input)?;
    Ok((
        rest,
        GeneveHeader {
            version_optlen,
            flags,
            protocol,
            vni: vni_reserved >> 8,
        },
    ))
}

/// Checks a Geneve header, skips its options and returns the payload.
/// Error offsets are relative to `input`.
///
/// ```
/// # use tcpopt_parse::tunnel::geneve::parse;
/// let g = [0x02, 0x40, 0x65, 0x58, 0x00, 0x00, 0x0a, 0x00,
///          0x00, 0x00, 0x80, 0x01, 0x00, 0x00, 0x00, 0x0c, 0xfe];
/// assert_eq!(parse(&g).unwrap().1, [0xfe]);
/// assert!(parse(&g[..12]).is_err()); // options cut
/// ```
pub fn parse(input: &[u8]) -> Result<(GeneveHeader, &[u8]), Error> {
    let Ok((_, header)) = geneve_header::<()>(input) else {
        return Err(Error::truncated(
            Layer::Geneve,
            0,
            BASE_LEN as u64,
            input.len() as u64,
        ));
    };
    if header.version() != 0 {
        return Err(Error::new(
            Layer::Geneve,
            0,
            ErrorKind::BadVersion {
                major: header.version().into(),
                minor: 0,
            },
        ));
    }
    let len = header.header_len();
    match input.get(len..) {
        Some(payload) => Ok((header, payload)),
        None => Err(Error::truncated(
            Layer::Geneve,
            0,
            len as u64,
            input.len() as u64,
        )),
    }
}
