//! CAPWAP data channel (RFC 5415 §4.3, with the 802.11 binding of RFC
//! 5416): wireless controllers and their access points tunnel the
//! clients' frames on UDP port 5247, as 802.3 frames (T bit clear) or as
//! native 802.11 frames (T bit set, wireless binding 1).
//!
//! As Wireshark does by default (`capwap.swap_fc`), native 802.11 frames
//! are read with their frame control bytes swapped, the way Cisco access
//! points send them. DTLS-protected packets and fragments (Wireshark
//! reassembles them) are [`ErrorKind::Unsupported`] stops.

use crate::error::{Error, ErrorKind, Layer};

/// Preamble and the fixed header (§4.3): 8 bytes, the least HLEN allows.
pub const MIN_HEADER_LEN: usize = 8;
/// Preamble type 1: a DTLS record follows (§4.2).
const PREAMBLE_DTLS: u8 = 1;
/// Wireless binding identifier of IEEE 802.11 (RFC 5416 §3).
pub const WBID_IEEE80211: u8 = 1;

/// What a CAPWAP data packet carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapwapPayload {
    /// An 802.3 (Ethernet) frame without FCS.
    Ethernet,
    /// A native 802.11 frame.
    Ieee80211,
    /// A keep-alive, or a native frame of another wireless binding.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapwapHeader {
    /// HLEN: the header length in 4-byte words, optional fields included.
    pub hlen: u8,
    pub wbid: u8,
    /// The T, F, L, W, M and K flags and the 3 reserved bits, as the low
    /// 9 bits of the first header word.
    pub flags: u16,
}

impl CapwapHeader {
    const T: u16 = 0x100;
    const F: u16 = 0x080;
    const K: u16 = 0x008;

    pub const fn header_len(&self) -> usize {
        self.hlen as usize * 4
    }
    pub const fn is_fragment(&self) -> bool {
        self.flags & Self::F != 0
    }
    pub const fn payload(&self) -> CapwapPayload {
        if self.flags & Self::K != 0 {
            CapwapPayload::Other
        } else if self.flags & Self::T == 0 {
            CapwapPayload::Ethernet
        } else if self.wbid == WBID_IEEE80211 {
            CapwapPayload::Ieee80211
        } else {
            CapwapPayload::Other
        }
    }
}

/// Parses a CAPWAP data header; returns it and the payload. Error offsets
/// are relative to `input`.
///
/// ```
/// # use tcpopt_parse::tunnel::capwap::{parse, CapwapPayload};
/// // HLEN 4 (16 bytes, with a radio MAC), WBID 1, T and M set: native 802.11.
/// let c = [0x00, 0x20, 0x43, 0x10, 0, 0, 0, 0, 0x06, 1, 2, 3, 4, 5, 6, 0, 0x08];
/// let (h, rest) = parse(&c).unwrap();
/// assert_eq!((h.payload(), h.header_len(), rest), (CapwapPayload::Ieee80211, 16, &[0x08][..]));
/// ```
pub fn parse(input: &[u8]) -> Result<(CapwapHeader, &[u8]), Error> {
    let Some(&[preamble, b1, b2, b3]) = input.first_chunk::<4>() else {
        return Err(Error::truncated(
            Layer::Capwap,
            0,
            MIN_HEADER_LEN as u64,
            input.len() as u64,
        ));
    };
    let (version, kind) = (preamble >> 4, preamble & 0x0f);
    if version != 0 {
        return Err(Error::new(
            Layer::Capwap,
            0,
            ErrorKind::BadVersion {
                major: version.into(),
                minor: 0,
            },
        ));
    }
    if kind == PREAMBLE_DTLS {
        return Err(Error::new(
            Layer::Capwap,
            0,
            ErrorKind::Unsupported {
                what: "encrypted (DTLS) capwap packet, preamble type",
                value: kind.into(),
            },
        ));
    }
    let word = u32::from_be_bytes([0, b1, b2, b3]);
    let header = CapwapHeader {
        hlen: (word >> 19) as u8 & 0x1f,
        wbid: (word >> 9) as u8 & 0x1f,
        flags: word as u16 & 0x1ff,
    };
    let len = header.header_len();
    if len < MIN_HEADER_LEN {
        return Err(Error::new(
            Layer::Capwap,
            1,
            ErrorKind::BadLength {
                what: "capwap header length",
                value: len as u64,
            },
        ));
    }
    let Some(rest) = input.get(len..) else {
        return Err(Error::truncated(
            Layer::Capwap,
            0,
            len as u64,
            input.len() as u64,
        ));
    };
    if header.is_fragment() && header.payload() != CapwapPayload::Other {
        return Err(Error::new(
            Layer::Capwap,
            0,
            ErrorKind::Unsupported {
                what: "capwap fragment, flags",
                value: header.flags.into(),
            },
        ));
    }
    Ok((header, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethernet_keepalive_and_faults() {
        // HLEN 2, T clear: an 802.3 frame follows the 8 bytes.
        let c = [0x00, 0x10, 0x02, 0x00, 0, 0, 0, 0, 0xff];
        let (h, rest) = parse(&c).unwrap();
        assert_eq!((h.payload(), rest), (CapwapPayload::Ethernet, &[0xff][..]));
        // K (keep-alive) carries no frame.
        let c = [0x00, 0x10, 0x02, 0x08, 0, 0, 0, 0];
        assert_eq!(parse(&c).unwrap().0.payload(), CapwapPayload::Other);
        // Fragment, DTLS, bad version, HLEN below 2, header cut.
        for bad in [
            &[0x00, 0x10, 0x02, 0x80, 0, 0, 0, 0][..],
            &[0x01, 0, 0, 0],
            &[0x10, 0x10, 0x02, 0x00, 0, 0, 0, 0],
            &[0x00, 0x08, 0x02, 0x00, 0, 0, 0, 0],
            &[0x00, 0x18, 0x02, 0x00, 0, 0, 0, 0],
            &[0x00, 0x10],
        ] {
            assert_eq!(parse(bad).unwrap_err().layer, Layer::Capwap, "{bad:?}");
        }
    }
}
