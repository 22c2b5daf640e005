//! ERSPAN mirror headers carried in GRE (draft-foschiano-erspan-03):
//! type I has none, type II 8 bytes, type III 12 bytes plus an optional
//! 8-byte platform-specific subheader.

use nom::error::ParseError;
use nom::number::complete::{be_u16, be_u32};
use nom::{IResult, Parser};

/// Length of the type II header.
pub const TYPE_II_LEN: usize = 8;
/// Length of the type III header without its platform subheader.
pub const TYPE_III_LEN: usize = 12;
/// Length of the type III platform-specific subheader.
pub const SUBHEADER_LEN: usize = 8;

/// The fields of an ERSPAN type II or III header that matter here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErspanHeader {
    /// 1 for type II, 2 for type III.
    pub version: u8,
    pub vlan: u16,
    pub session_id: u16,
    /// Type III frame type: 0 is Ethernet, 2 is IP; 0 for type II.
    pub frame_type: u8,
    /// Header length, including the type III subheader when present.
    pub header_len: usize,
}

/// Parses an ERSPAN type II header.
///
/// ```
/// # use tcpopt_parse::tunnel::erspan::erspan_ii;
/// // erspan-type-ii-1.pcap frame 1: version 1, VLAN 0x156, session 0x29a.
/// let h = [0x11, 0x56, 0xc2, 0x9a, 0x00, 0x00, 0x7f, 0xf8, 0x01];
/// let (rest, e) = erspan_ii::<()>(&h).unwrap();
/// assert_eq!((e.version, e.vlan, e.session_id, e.header_len), (1, 0x156, 0x29a, 8));
/// assert_eq!(rest, [0x01]);
/// ```
pub fn erspan_ii<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], ErspanHeader, E> {
    let (rest, (ver_vlan, cos_session, _index)) = (be_u16, be_u16, be_u32).parse(input)?;
    Ok((
        rest,
        ErspanHeader {
            version: (ver_vlan >> 12) as u8,
            vlan: ver_vlan & 0x0fff,
            session_id: cos_session & 0x03ff,
            frame_type: 0,
            header_len: TYPE_II_LEN,
        },
    ))
}

/// Parses an ERSPAN type III header and skips its platform subheader.
///
/// ```
/// # use tcpopt_parse::tunnel::erspan::erspan_iii;
/// // erspan-type-iii-ft-0.pcap frame 1: version 2, frame type 0 (Ethernet), no subheader.
/// let h = [0x20, 0x14, 0x00, 0x00, 0xa3, 0x59, 0x5b, 0xff, 0x00, 0x00, 0x00, 0x06, 0x00];
/// let (rest, e) = erspan_iii::<()>(&h).unwrap();
/// assert_eq!((e.version, e.vlan, e.frame_type, e.header_len), (2, 0x14, 0, 12));
/// assert_eq!(rest, [0x00]);
/// ```
pub fn erspan_iii<'a, E: ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> IResult<&'a [u8], ErspanHeader, E> {
    let (rest, (ver_vlan, cos_session, _timestamp, _sgt, flags)) =
        (be_u16, be_u16, be_u32, be_u16, be_u16).parse(input)?;
    // flags: P(1) FT(5) HW ID(6) D(1) Gra(2) O(1)
    let (rest, header_len) = if flags & 1 != 0 {
        let (rest, _) = nom::bytes::complete::take(SUBHEADER_LEN)(rest)?;
        (rest, TYPE_III_LEN + SUBHEADER_LEN)
    } else {
        (rest, TYPE_III_LEN)
    };
    Ok((
        rest,
        ErspanHeader {
            version: (ver_vlan >> 12) as u8,
            vlan: ver_vlan & 0x0fff,
            session_id: cos_session & 0x03ff,
            frame_type: ((flags >> 10) & 0x1f) as u8,
            header_len,
        },
    ))
}
