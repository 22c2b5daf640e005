//! nom 8 `complete` combinators for single TCP options (RFC 9293 §3.2).
//!
//! Each parser takes the bytes starting at an option's kind byte and returns
//! what follows the option. They are `complete` parsers: a short input is an
//! `Err::Error`, never `Incomplete`. [`tcp_option`] decodes exactly like the
//! [`TcpOptions`](super::TcpOptions) walk (they share the decoder); the
//! per-kind parsers accept only the well-formed encoding.

use nom::bytes::complete::{tag, take};
use nom::error::{Error as NomError, ErrorKind as NomErrorKind};
use nom::number::complete::{be_u16, be_u32, u8 as byte};
use nom::sequence::preceded;
use nom::{Err, IResult, Parser};

use super::kind;
use super::option::TcpOption;
use super::sack::SackBlocks;

fn fail<T>(i: &[u8], k: NomErrorKind) -> IResult<&[u8], T> {
    Err(Err::Error(NomError::new(i, k)))
}

/// One TLV option: `(kind, body)` where the body excludes kind and length.
/// Fails on a length below 2 or past the input, like tcpdump's walk.
///
/// ```
/// # use tcpopt_parse::tcp::parsers::option_tlv;
/// // MPTCP MP_CAPABLE from tcpdump's mptcp-v0.pcap, frame 1.
/// let b = [0x1e, 0x0c, 0x00, 0x81, 0x9c, 0x9e, 0xab, 0xd1, 0xe4, 0x6a, 0x33, 0xb2];
/// let (rest, (kind, body)) = option_tlv(&b).unwrap();
/// assert_eq!((kind, body.len(), rest.len()), (30, 10, 0));
/// assert!(option_tlv(&[0x1e, 0x01]).is_err());
/// assert!(option_tlv(&[0x1e, 0x0c, 0x00]).is_err());
/// ```
pub fn option_tlv(i: &[u8]) -> IResult<&[u8], (u8, &[u8])> {
    let (r, k) = byte(i)?;
    let (r, len) = byte(r)?;
    if len < 2 {
        return fail(i, NomErrorKind::LengthValue);
    }
    let (r, body) = take(len - 2).parse(r)?;
    Ok((r, (k, body)))
}

/// MSS (kind 2, length 4).
///
/// ```
/// # use tcpopt_parse::tcp::parsers::option_mss;
/// // The options of a Linux SYN (netns/nat-two-clocks.pcap, frame 1).
/// let syn = [0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x96, 0xbb];
/// let (rest, mss) = option_mss(&syn).unwrap();
/// assert_eq!((mss, rest.len()), (1460, 6));
/// assert!(option_mss(&[0x02, 0x05, 0x05, 0xb4, 0x00]).is_err());
/// ```
pub fn option_mss(i: &[u8]) -> IResult<&[u8], u16> {
    preceded(tag(&[kind::MSS, 4][..]), be_u16).parse(i)
}

/// Window scale (kind 3, length 3): the raw shift.
///
/// ```
/// # use tcpopt_parse::tcp::parsers::option_window_scale;
/// // The tail of a Linux SYN (netns/nat-two-clocks.pcap, frame 1): NOP, WS 10.
/// assert_eq!(option_window_scale(&[0x03, 0x03, 0x0a]), Ok((&[][..], 10)));
/// ```
pub fn option_window_scale(i: &[u8]) -> IResult<&[u8], u8> {
    preceded(tag(&[kind::WINDOW_SCALE, 3][..]), byte).parse(i)
}

/// SACK permitted (kind 4, length 2).
///
/// ```
/// # use tcpopt_parse::tcp::parsers::option_sack_permitted;
/// // From a Linux SYN (netns/nat-two-clocks.pcap, frame 1).
/// let b = [0x04, 0x02, 0x08, 0x0a];
/// assert_eq!(option_sack_permitted(&b), Ok((&b[2..], ())));
/// ```
pub fn option_sack_permitted(i: &[u8]) -> IResult<&[u8], ()> {
    tag(&[kind::SACK_PERMITTED, 2][..]).map(|_| ()).parse(i)
}

/// SACK (kind 5, length 2 + 8·n, n = 1..=4).
///
/// ```
/// # use tcpopt_parse::tcp::parsers::option_sack;
/// let b = [0x05, 0x0a, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0];
/// let (_, blocks) = option_sack(&b).unwrap();
/// assert_eq!(blocks.iter().collect::<Vec<_>>(), [(1000, 2000)]);
/// ```
pub fn option_sack(i: &[u8]) -> IResult<&[u8], SackBlocks<'_>> {
    let (r, (k, body)) = option_tlv(i)?;
    match SackBlocks::new(body) {
        Some(b) if k == kind::SACK => Ok((r, b)),
        _ => fail(i, NomErrorKind::Verify),
    }
}

/// Timestamps (kind 8, length 10): `(TSval, TSecr)`.
///
/// ```
/// # use tcpopt_parse::tcp::parsers::option_timestamps;
/// // From a Linux SYN (netns/nat-two-clocks.pcap, frame 1).
/// let b = [0x08, 0x0a, 0x96, 0xbb, 0x36, 0xcb, 0x00, 0x00, 0x00, 0x00, 0x01];
/// assert_eq!(option_timestamps(&b), Ok((&[0x01][..], (2528851659, 0))));
/// ```
pub fn option_timestamps(i: &[u8]) -> IResult<&[u8], (u32, u32)> {
    preceded(tag(&[kind::TIMESTAMPS, 10][..]), (be_u32, be_u32)).parse(i)
}

/// Any single option, decoded as the [`TcpOptions`](super::TcpOptions) walk
/// does: EOL, NOP, or a TLV. A wrong length for a known kind, or a length
/// the TLV framing rejects, is an `Err::Error` (the walk instead yields an
/// [`OptionError`](super::OptionError) and, when it can, skips it).
///
/// ```
/// # use tcpopt_parse::tcp::{parsers::tcp_option, TcpOption};
/// // SYN-ACK options from tcpdump's accecn_handshake.pcap, frame 2: the
/// // pre-RFC AccECN option as an RFC 6994 experiment (ExID 0xACC0).
/// let b = [
///     0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0xa5, 0xe4, 0xde, 0xc4, 0x06, 0xaf,
///     0x3c, 0x15, 0xfe, 0x0d, 0xac, 0xc0, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
///     0x00, 0x03, 0x03, 0x07,
/// ];
/// let (r, _) = tcp_option(&b).unwrap(); // MSS
/// let (r, _) = tcp_option(r).unwrap(); // SACK permitted
/// let (r, ts) = tcp_option(r).unwrap();
/// assert_eq!(ts, TcpOption::Timestamps { tsval: 0xa5e4dec4, tsecr: 0x06af3c15 });
/// let (r, exp) = tcp_option(r).unwrap();
/// assert!(matches!(exp, TcpOption::Experimental { kind: 254, exid: 0xacc0, data } if data.len() == 9));
/// assert_eq!(tcp_option(r), Ok((&[][..], TcpOption::WindowScale(7))));
/// ```
pub fn tcp_option(i: &[u8]) -> IResult<&[u8], TcpOption<'_>> {
    match i.first() {
        Some(&kind::EOL) => Ok((i.get(1..).unwrap_or_default(), TcpOption::Eol)),
        Some(&kind::NOP) => Ok((i.get(1..).unwrap_or_default(), TcpOption::Nop)),
        _ => {
            let (r, (k, body)) = option_tlv(i)?;
            match TcpOption::decode(k, body) {
                Ok(o) => Ok((r, o)),
                Err(_) => fail(i, NomErrorKind::Verify),
            }
        }
    }
}
