//! IEEE 802.11 MAC headers (IEEE Std 802.11-2020 §9.2 and §9.3.2): only
//! data frames carry a network packet, behind an LLC/SNAP header
//! ([`super::llc`], RFC 1042). Used for LINKTYPE_IEEE802_11 (105), behind
//! radiotap (127, [`super::radiotap`]) or PPI, and inside CAPWAP and Aruba
//! GRE tunnels.
//!
//! What cannot be followed is said, not skipped: a protected (encrypted)
//! frame and a fragment (Wireshark reassembles them; the reassembled
//! packet is not in any one frame) stop with [`ErrorKind::Unsupported`].
//! Of an A-MSDU (several packets in one frame, §9.3.2.2.2) the first
//! subframe is decoded, as the first packet Wireshark shows in the frame;
//! [`amsdu_first`] says whether more follow.

use crate::error::{Error, ErrorKind, Layer};

/// Frame control, duration, address 1: the shortest (control) frame.
pub const MIN_HEADER_LEN: usize = 10;
/// A data frame's header: frame control, duration, three addresses,
/// sequence control (§9.3.2.1).
pub const DATA_HEADER_LEN: usize = 24;
/// Address 4, present when both To DS and From DS are set.
pub const ADDR4_LEN: usize = 6;
/// QoS Control (§9.2.4.5), in QoS data subtypes.
pub const QOS_LEN: usize = 2;
/// HT Control (§9.2.4.6), in QoS data frames with the +HTC/Order bit.
pub const HT_CONTROL_LEN: usize = 4;
/// Offset of the sequence control field in a data frame.
const SEQ_CTRL_OFFSET: usize = 22;

/// Frame type "data" (bits 2-3 of the first frame control byte).
pub const TYPE_DATA: u8 = 2;
/// Data subtype bit: QoS (§9.2.4.1.3, Table 9-1).
const SUBTYPE_QOS: u8 = 0x8;
/// Data subtype bit: no data (Null, CF-Ack, CF-Poll without data).
const SUBTYPE_NO_DATA: u8 = 0x4;

/// Frame control flags (second byte).
pub const FLAG_TO_DS: u8 = 0x01;
pub const FLAG_FROM_DS: u8 = 0x02;
pub const FLAG_MORE_FRAGMENTS: u8 = 0x04;
pub const FLAG_PROTECTED: u8 = 0x40;
/// +HTC in QoS data frames (the Order bit).
pub const FLAG_ORDER: u8 = 0x80;
/// QoS Control: the payload is an A-MSDU.
const QOS_AMSDU: u16 = 0x0080;
/// How an LLC/SNAP header starts (RFC 1042).
const LLC_SNAP: [u8; 3] = [0xaa, 0xaa, 0x03];
/// An A-MSDU subframe header: destination, source, MSDU length.
pub const AMSDU_SUBFRAME_HEADER_LEN: usize = 14;

/// An 802.11 frame, as far as finding its payload needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MacHeader {
    /// Frame type: 0 management, 1 control, 2 data, 3 extension.
    pub frame_type: u8,
    pub subtype: u8,
    /// The frame control flags byte.
    pub flags: u8,
    /// Length of the MAC header, padding included.
    pub header_len: usize,
    /// The payload is an A-MSDU ([`amsdu_first`]).
    pub amsdu: bool,
}

impl MacHeader {
    pub const fn is_data(&self) -> bool {
        self.frame_type == TYPE_DATA
    }
    /// A data frame with a payload (not Null or a bare CF-Ack/Poll).
    pub const fn has_payload(&self) -> bool {
        self.is_data() && self.subtype & SUBTYPE_NO_DATA == 0
    }
    pub const fn is_protected(&self) -> bool {
        self.flags & FLAG_PROTECTED != 0
    }
}

/// How the frame control field is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameControl {
    /// As the standard sends it.
    Standard,
    /// Its two bytes swapped, as Cisco access points send 802.11 frames in
    /// CAPWAP (Wireshark's `capwap.swap_fc`, on by default).
    Swapped,
}

/// Parses an 802.11 MAC header and returns the data frame's payload (the
/// LLC header); `data_pad` is radiotap's flag that the header is padded
/// to a multiple of 4 bytes. A frame that is not a data frame with a
/// payload returns an empty payload; one whose payload cannot be read
/// (protected, fragmented, aggregated) is an [`ErrorKind::Unsupported`]
/// stop. Error offsets are relative to `input`.
///
/// ```
/// # use tcpopt_parse::link::ieee80211::{parse, FrameControl};
/// // 80211_unencrypted_data_frame.pcap frame 1: data, To DS, then LLC/SNAP.
/// let f = [0x08, 0x01, 0x2c, 0x00, 0x00, 0x24, 0xb2, 0xf8, 0xd7, 0x06, 0x00, 0x17,
///          0x3f, 0xb7, 0x2c, 0x29, 0x00, 0x24, 0xb2, 0xf8, 0xd7, 0x06, 0x80, 0xa9,
///          0xaa, 0xaa, 0x03];
/// let (h, payload) = parse(&f, FrameControl::Standard, false).unwrap();
/// assert_eq!((h.is_data(), h.header_len, payload), (true, 24, &[0xaa, 0xaa, 0x03][..]));
/// // A protected frame cannot be read.
/// let mut p = f;
/// p[1] |= 0x40;
/// assert!(parse(&p, FrameControl::Standard, false).is_err());
/// ```
pub fn parse(input: &[u8], fc: FrameControl, data_pad: bool) -> Result<(MacHeader, &[u8]), Error> {
    let cut =
        |needed: usize| Error::truncated(Layer::Ieee80211, 0, needed as u64, input.len() as u64);
    let Some(&[b0, b1]) = input.first_chunk::<2>() else {
        return Err(cut(MIN_HEADER_LEN));
    };
    let (ctl, flags) = match fc {
        FrameControl::Standard => (b0, b1),
        FrameControl::Swapped => (b1, b0),
    };
    if ctl & 0x03 != 0 {
        return Err(Error::new(
            Layer::Ieee80211,
            0,
            ErrorKind::BadVersion {
                major: (ctl & 0x03).into(),
                minor: 0,
            },
        ));
    }
    let mut h = MacHeader {
        frame_type: (ctl >> 2) & 0x03,
        subtype: ctl >> 4,
        flags,
        header_len: 0,
        amsdu: false,
    };
    if !h.has_payload() {
        return Ok((h, &[]));
    }
    let mut len = DATA_HEADER_LEN;
    if flags & (FLAG_TO_DS | FLAG_FROM_DS) == FLAG_TO_DS | FLAG_FROM_DS {
        len += ADDR4_LEN;
    }
    let mut qos = 0u16;
    if h.subtype & SUBTYPE_QOS != 0 {
        let Some(&[q0, q1]) = input.get(len..).and_then(|r| r.first_chunk::<2>()) else {
            return Err(cut(len + QOS_LEN));
        };
        qos = u16::from_le_bytes([q0, q1]);
        len += QOS_LEN;
        if flags & FLAG_ORDER != 0 {
            len += HT_CONTROL_LEN;
        }
    }
    if data_pad {
        len = len.next_multiple_of(4);
    }
    let Some(payload) = input.get(len..) else {
        return Err(cut(len));
    };
    h.header_len = len;
    let unsupported = |what| {
        Err(Error::new(
            Layer::Ieee80211,
            0,
            ErrorKind::Unsupported {
                what,
                value: u64::from(flags),
            },
        ))
    };
    if h.is_protected() {
        return unsupported("encrypted 802.11 frame, flags");
    }
    // Only a frame with more fragments to come is unreadable alone. A
    // later fragment number without that flag is, as Wireshark reads it,
    // a frame the interface already reassembled, when it starts like one
    // (with its LLC/SNAP header); otherwise it is the tail of a packet.
    let later = input.get(SEQ_CTRL_OFFSET).is_some_and(|&s| s & 0x0f != 0);
    if flags & FLAG_MORE_FRAGMENTS != 0 || (later && !payload.starts_with(&LLC_SNAP)) {
        return unsupported("802.11 fragment, flags");
    }
    h.amsdu = qos & QOS_AMSDU != 0;
    Ok((h, payload))
}

/// The first subframe of an A-MSDU: its MSDU (an LLC header and packet),
/// and whether more subframes follow (each is padded to 4 bytes). Error
/// offsets are relative to `payload`.
///
/// ```
/// # use tcpopt_parse::link::ieee80211::amsdu_first;
/// let mut a = vec![0u8; 12];
/// a.extend_from_slice(&[0x00, 0x03, 0xaa, 0xaa, 0x03]); // length 3
/// a.extend_from_slice(&[0u8; 3]); // padding to 20 bytes
/// a.extend_from_slice(&[0u8; 14]); // the next subframe's header
/// assert_eq!(amsdu_first(&a).unwrap(), (&[0xaa, 0xaa, 0x03][..], true));
/// assert_eq!(amsdu_first(&a[..17]).unwrap(), (&[0xaa, 0xaa, 0x03][..], false));
/// ```
pub fn amsdu_first(payload: &[u8]) -> Result<(&[u8], bool), Error> {
    let Some((&h, rest)) = payload.split_first_chunk::<AMSDU_SUBFRAME_HEADER_LEN>() else {
        return Err(Error::truncated(
            Layer::Ieee80211,
            0,
            AMSDU_SUBFRAME_HEADER_LEN as u64,
            payload.len() as u64,
        ));
    };
    let len = usize::from(u16::from_be_bytes([h[12], h[13]]));
    // A length past the frame is a cut capture: decode what is there.
    let msdu = rest.get(..len).unwrap_or(rest);
    let next = (AMSDU_SUBFRAME_HEADER_LEN + len).next_multiple_of(4);
    Ok((msdu, payload.len() >= next + AMSDU_SUBFRAME_HEADER_LEN))
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate alloc;
    use alloc::vec;
    use alloc::vec::Vec;

    fn data(subtype: u8, flags: u8, extra: usize) -> Vec<u8> {
        let mut f = vec![(subtype << 4) | (TYPE_DATA << 2), flags];
        f.resize(DATA_HEADER_LEN + extra, 0);
        f.extend_from_slice(&[0xaa, 0xaa, 0x03]);
        f
    }

    #[test]
    fn header_lengths() {
        // Plain data: 24; with address 4: 30.
        assert_eq!(
            parse(&data(0, 0, 0), FrameControl::Standard, false)
                .unwrap()
                .0
                .header_len,
            24
        );
        let f = data(0, 0x03, 6);
        let (h, p) = parse(&f, FrameControl::Standard, false).unwrap();
        assert_eq!((h.header_len, p), (30, &[0xaa, 0xaa, 0x03][..]));
        // QoS data: 26, padded to 28 behind radiotap's data-pad flag.
        assert_eq!(
            parse(&data(8, 0, 2), FrameControl::Standard, false)
                .unwrap()
                .0
                .header_len,
            26
        );
        assert_eq!(
            parse(&data(8, 0, 4), FrameControl::Standard, true)
                .unwrap()
                .0
                .header_len,
            28
        );
        // QoS data with +HTC: 30.
        assert_eq!(
            parse(&data(8, 0x80, 6), FrameControl::Standard, false)
                .unwrap()
                .0
                .header_len,
            30
        );
    }

    #[test]
    fn frames_without_a_packet() {
        // A beacon (management) and a QoS Null: no payload, no error.
        let (h, p) = parse(&[0x80, 0x00, 0, 0], FrameControl::Standard, false).unwrap();
        assert_eq!((h.frame_type, p.len()), (0, 0));
        let f = data(0xc, 0, 2);
        let (h, p) = parse(&f, FrameControl::Standard, false).unwrap();
        assert_eq!((h.is_data(), p.len()), (true, 0));
    }

    #[test]
    fn swapped_frame_control() {
        let mut f = data(0, 0x01, 0);
        f.swap(0, 1);
        assert!(parse(&f, FrameControl::Swapped, false).unwrap().0.is_data());
    }

    #[test]
    fn unreadable_payloads_are_said() {
        // A later fragment that does not start with LLC/SNAP is a tail.
        let mut frag = data(0, 0, 0);
        frag[SEQ_CTRL_OFFSET] = 1;
        frag[DATA_HEADER_LEN] = 0x45;
        for (f, what) in [
            (data(0, FLAG_PROTECTED, 0), "encrypted 802.11 frame, flags"),
            (data(0, FLAG_MORE_FRAGMENTS, 0), "802.11 fragment, flags"),
            (frag, "802.11 fragment, flags"),
        ] {
            let e = parse(&f, FrameControl::Standard, false).unwrap_err();
            assert!(matches!(e.kind, ErrorKind::Unsupported { what: w, .. } if w == what));
        }
        // One that does is a frame the interface reassembled.
        let mut whole = data(0, 0, 0);
        whole[SEQ_CTRL_OFFSET] = 1;
        assert!(parse(&whole, FrameControl::Standard, false).is_ok());
        let mut amsdu = data(8, 0, 2);
        amsdu[24] = 0x80;
        assert!(
            parse(&amsdu, FrameControl::Standard, false)
                .unwrap()
                .0
                .amsdu
        );
        // Cut inside the header.
        let e = parse(&data(0, 0, 0)[..20], FrameControl::Standard, false).unwrap_err();
        assert_eq!(e.layer, Layer::Ieee80211);
        assert!(parse(&[0x0b, 0], FrameControl::Standard, false).is_err()); // version 3
    }
}
