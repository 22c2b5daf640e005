//! AYIYA, "Anything In Anything" (draft-massar-v6ops-ayiya-02 §4): IPv6
//! tunnel brokers (SixXS) carried IPv6 in it over UDP port 5072, through
//! NATs. An 8-byte header, then an identity and a signature whose lengths
//! the header gives, then the packet its next-header field names; only
//! "forward" messages carry one.

use crate::error::{Error, Layer};

/// The fixed header: lengths and methods, opcode, next header, epoch.
pub const BASE_LEN: usize = 8;
/// Opcode of a message that carries a packet.
pub const OPCODE_FORWARD: u8 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AyiyaHeader {
    pub opcode: u8,
    /// An IP protocol number (41 for IPv6, 4 for IPv4).
    pub next_header: u8,
    /// The fixed header, identity and signature.
    pub header_len: usize,
}

/// Parses an AYIYA header; returns it and the payload. Error offsets are
/// relative to `input`.
///
/// ```
/// # use tcpopt_parse::tunnel::ayiya::parse;
/// // A 16-byte identity (2^4), a 20-byte SHA-1 signature (5 words), forward,
/// // IPv6.
/// let mut a = vec![0x41, 0x52, 0x11, 0x29, 0, 0, 0, 0];
/// a.extend_from_slice(&[0; 36]);
/// a.push(0x60);
/// let (h, rest) = parse(&a).unwrap();
/// assert_eq!((h.header_len, h.next_header, rest), (44, 41, &[0x60][..]));
/// ```
pub fn parse(input: &[u8]) -> Result<(AyiyaHeader, &[u8]), Error> {
    let Some(&[lens, sig, op, next_header, ..]) = input.first_chunk::<BASE_LEN>() else {
        return Err(Error::truncated(
            Layer::Ayiya,
            0,
            BASE_LEN as u64,
            input.len() as u64,
        ));
    };
    // Identity length 2^IDLen bytes; signature length SigLen 4-byte words.
    let id_len = 1usize << (lens >> 4);
    let sig_len = usize::from(sig >> 4) * 4;
    let header_len = BASE_LEN + id_len + sig_len;
    let Some(rest) = input.get(header_len..) else {
        return Err(Error::truncated(
            Layer::Ayiya,
            0,
            header_len as u64,
            input.len() as u64,
        ));
    };
    Ok((
        AyiyaHeader {
            opcode: op & 0x0f,
            next_header,
            header_len,
        },
        rest,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_from_the_header() {
        // IDLen 0: one byte of identity; no signature; a heartbeat.
        let (h, rest) = parse(&[0x00, 0x00, 0x10, 59, 0, 0, 0, 0, 7, 0xee]).unwrap();
        assert_eq!((h.header_len, h.opcode, rest), (9, 0, &[0xee][..]));
        // IDLen 15 is 32 KiB of identity: cut, not a panic or an allocation.
        let e = parse(&[0xf0, 0, 0x11, 41, 0, 0, 0, 0]).unwrap_err();
        assert_eq!(e.layer, Layer::Ayiya);
        assert!(parse(&[0; 7]).is_err());
    }
}
