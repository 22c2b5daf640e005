//! GTP-U, the GPRS tunnelling protocol for user plane (3GPP TS 29.281 §5):
//! mobile networks carry the subscriber's IP packets in it, on UDP port
//! 2152 (Wireshark also decodes GTPv1 on the GTP-C port 2123). Only
//! T-PDUs (message type 255) carry a packet; echo, error indication and
//! end marker messages do not.

use crate::error::{Error, ErrorKind, Layer};

/// Flags, message type, length, TEID (§5.1).
pub const BASE_LEN: usize = 8;
/// Sequence number, N-PDU number and next extension type, present when
/// any of the E, S or PN flags is set.
pub const OPTIONAL_LEN: usize = 4;
/// Flags: version (3 bits), protocol type, spare, E, S, PN.
const VERSION_SHIFT: u8 = 5;
/// Protocol type 1: GTP (0 is GTP', charging, which carries no packet).
const FLAG_PT: u8 = 0x10;
const FLAG_E: u8 = 0x04;
const FLAG_S: u8 = 0x02;
const FLAG_PN: u8 = 0x01;
/// Message type of a T-PDU: a user packet follows the header.
pub const MSG_TPDU: u8 = 0xff;
/// How many extension headers are followed (each is at least 4 bytes, so
/// the packet bounds them too; this bounds the loop on its own).
pub const MAX_EXTENSIONS: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GtpHeader {
    pub flags: u8,
    pub message_type: u8,
    /// Length of what follows the 8 fixed bytes.
    pub length: u16,
    pub teid: u32,
    /// Length of the header, optional fields and extension headers.
    pub header_len: usize,
}

impl GtpHeader {
    pub const fn version(&self) -> u8 {
        self.flags >> VERSION_SHIFT
    }
    /// Whether a user packet follows.
    pub const fn is_tpdu(&self) -> bool {
        self.message_type == MSG_TPDU
    }
}

/// Parses a GTPv1 header and its extension headers; returns it and what
/// follows (bounded by the GTP length). Error offsets are relative to
/// `input`.
///
/// ```
/// # use tcpopt_parse::tunnel::gtp::parse;
/// // false_positives.pcapng frame 1: GTPv1, T-PDU, length 64, TEID 0x03d44f54,
/// // then an IPv4 header.
/// let g = [0x30, 0xff, 0x00, 0x40, 0x03, 0xd4, 0x4f, 0x54, 0x45];
/// let (h, inner) = parse(&g).unwrap();
/// assert_eq!((h.version(), h.is_tpdu(), h.header_len, inner), (1, true, 8, &[0x45][..]));
/// assert!(parse(&[0x50, 0xff, 0, 0, 0, 0, 0, 0]).is_err()); // version 2 is GTP-C
/// ```
pub fn parse(input: &[u8]) -> Result<(GtpHeader, &[u8]), Error> {
    let cut = |needed: usize| Error::truncated(Layer::Gtp, 0, needed as u64, input.len() as u64);
    let Some(&[flags, message_type, l0, l1, t0, t1, t2, t3]) = input.first_chunk::<BASE_LEN>()
    else {
        return Err(cut(BASE_LEN));
    };
    let version = flags >> VERSION_SHIFT;
    if version != 1 || flags & FLAG_PT == 0 {
        return Err(Error::new(
            Layer::Gtp,
            0,
            ErrorKind::BadVersion {
                major: version.into(),
                minor: u16::from(flags & FLAG_PT != 0),
            },
        ));
    }
    let length = u16::from_be_bytes([l0, l1]);
    let mut len = BASE_LEN;
    if flags & (FLAG_E | FLAG_S | FLAG_PN) != 0 {
        let Some(&[_, _, _, next]) = input
            .get(len..)
            .and_then(|r| r.first_chunk::<OPTIONAL_LEN>())
        else {
            return Err(cut(len + OPTIONAL_LEN));
        };
        len += OPTIONAL_LEN;
        // Extension headers (§5.2): a length in 4-byte units, the content,
        // and the next type in the last byte; type 0 ends the chain.
        let mut next = if flags & FLAG_E != 0 { next } else { 0 };
        let mut seen = 0;
        while next != 0 {
            if seen == MAX_EXTENSIONS {
                return Err(Error::new(
                    Layer::Gtp,
                    len as u64,
                    ErrorKind::TooDeep {
                        what: "gtp extension headers",
                        limit: MAX_EXTENSIONS as u32,
                    },
                ));
            }
            seen += 1;
            let units = match input.get(len) {
                Some(&u) => usize::from(u),
                None => return Err(cut(len + 1)),
            };
            if units == 0 {
                return Err(Error::new(
                    Layer::Gtp,
                    len as u64,
                    ErrorKind::BadLength {
                        what: "gtp extension header length",
                        value: 0,
                    },
                ));
            }
            let end = len + units * 4;
            next = match input.get(end - 1) {
                Some(&n) => n,
                None => return Err(cut(end)),
            };
            len = end;
        }
    }
    let header = GtpHeader {
        flags,
        message_type,
        length,
        teid: u32::from_be_bytes([t0, t1, t2, t3]),
        header_len: len,
    };
    let Some(rest) = input.get(len..) else {
        return Err(cut(len));
    };
    // The length counts everything after the 8 fixed bytes; when it ends
    // before the optional fields do it is wrong, and the capture bounds it.
    let total = BASE_LEN + usize::from(length);
    let rest = match total.checked_sub(len) {
        Some(n) => rest.get(..n).unwrap_or(rest),
        None => {
            return Err(Error::new(
                Layer::Gtp,
                2,
                ErrorKind::BadLength {
                    what: "gtp length",
                    value: length.into(),
                },
            ))
        }
    };
    Ok((header, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_fields_and_extensions() {
        // S flag: 4 optional bytes, no extension.
        let g = [0x32, 0xff, 0x00, 0x05, 0, 0, 0, 1, 0x12, 0x34, 0, 0, 0x45];
        let (h, rest) = parse(&g).unwrap();
        assert_eq!((h.header_len, rest), (12, &[0x45][..]));
        // E flag: a PDU session container (type 0x85, 1 unit), then IPv6.
        let g = [
            0x34, 0xff, 0x00, 0x09, 0, 0, 0, 1, 0, 0, 0, 0x85, 0x01, 0x10, 0x09, 0x00, 0x60,
        ];
        let (h, rest) = parse(&g).unwrap();
        assert_eq!((h.header_len, rest), (16, &[0x60][..]));
        // An extension with length 0 would never end.
        let g = [
            0x34, 0xff, 0x00, 0x08, 0, 0, 0, 1, 0, 0, 0, 0x85, 0x00, 0, 0, 0,
        ];
        assert!(parse(&g).is_err());
        // Extension cut by the capture.
        assert!(parse(&g[..12]).is_err());
    }

    #[test]
    fn length_bounds_the_packet() {
        let g = [0x30, 0xff, 0x00, 0x01, 0, 0, 0, 1, 0x45, 0x00];
        assert_eq!(parse(&g).unwrap().1, [0x45]);
        // Length shorter than the optional fields it announces.
        let g = [0x32, 0xff, 0x00, 0x00, 0, 0, 0, 1, 0, 0, 0, 0];
        assert_eq!(parse(&g).unwrap_err().offset, 2);
        // Echo request: not a T-PDU.
        let g = [0x32, 0x01, 0x00, 0x04, 0, 0, 0, 0, 0, 1, 0, 0];
        assert!(!parse(&g).unwrap().0.is_tpdu());
    }
}
