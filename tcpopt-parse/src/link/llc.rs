//! IEEE 802.2 LLC (ISO/IEC 8802-2 §3) and its SNAP extension, with
//! IP carried as RFC 1042 (IP over IEEE 802 networks) and RFC 1390 (FDDI)
//! prescribe: `AA AA 03`, the OUI `00 00 00`, then an EtherType. This is
//! what follows an IEEE 802.3 length field, an FDDI header and an 802.11
//! data frame header.
//!
//! Wireshark (packet-llc.c) is the reference for which frames carry a
//! network packet: only information frames (I, or UI) are handed on, SNAP
//! with the OUIs that mean "an EtherType follows" (RFC 1042's zero OUI,
//! 802.1H's bridge-tunnel OUI, Apple's), SNAP bridged Ethernet (802.1
//! OUI) and the IP SAP.

use crate::error::{Error, Layer};

/// DSAP, SSAP and a one-byte (unnumbered) control field.
pub const HEADER_LEN: usize = 3;
/// LLC with SNAP: the LLC header, the OUI and the protocol ID.
pub const SNAP_HEADER_LEN: usize = 8;
/// Offset of the OUI in a SNAP header.
const OUI_OFFSET: usize = 3;
/// Offset of the protocol ID in a SNAP header.
const PID_OFFSET: usize = 6;

/// The SNAP SAP (RFC 1042): an OUI and protocol ID follow.
pub const SAP_SNAP: u8 = 0xaa;
/// The DoD IP SAP: an IPv4 header follows directly.
pub const SAP_IP: u8 = 0x06;
/// Unnumbered information, the control field of SNAP frames.
pub const CONTROL_UI: u8 = 0x03;
/// The control field's poll/final bit (in a one-byte U-format field).
const CONTROL_PF: u8 = 0x10;

/// RFC 1042's OUI: the protocol ID is an EtherType.
pub const OUI_ENCAP_ETHER: u32 = 0x00_00_00;
/// IEEE 802.1H bridge tunnel (used for AppleTalk and IPX over 802.11).
pub const OUI_BRIDGE_TUNNEL: u32 = 0x00_00_f8;
/// Apple's OUI, used with AppleTalk EtherTypes.
pub const OUI_APPLE: u32 = 0x08_00_07;
/// IEEE 802.1: bridged frames (RFC 2684 §6.2 numbering).
pub const OUI_IEEE_802_1: u32 = 0x00_80_c2;
/// Bridged Ethernet, FCS preserved.
pub const PID_BRIDGED_ETHERNET_FCS: u16 = 0x0001;
/// Bridged Ethernet, FCS not preserved.
pub const PID_BRIDGED_ETHERNET: u16 = 0x0007;

/// What an LLC frame carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LlcPayload {
    /// A packet of this EtherType (SNAP with an encapsulation OUI).
    EtherType(u16),
    /// An IPv4 packet (the IP SAP).
    Ipv4,
    /// A whole Ethernet frame without its FCS (SNAP bridged Ethernet).
    Ethernet,
    /// Something that is not a network packet this crate follows: another
    /// SAP (spanning tree, NetBIOS, IPX, OSI), another OUI (CDP, VTP), or
    /// a supervisory or unnumbered frame that carries no data.
    Other,
}

/// An LLC header (with SNAP when DSAP and SSAP are both 0xAA).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LlcHeader {
    pub dsap: u8,
    pub ssap: u8,
    /// The control field: one byte for U-format frames, two for I and S.
    pub control: u16,
    /// The SNAP OUI and protocol ID, when present.
    pub snap: Option<(u32, u16)>,
    /// Length of the header, SNAP included.
    pub header_len: usize,
}

impl LlcHeader {
    /// Whether the frame carries data (an I frame or a UI frame), the only
    /// ones Wireshark hands to the next dissector.
    pub const fn is_information(&self) -> bool {
        // I frames have bit 0 clear; UI is 0x03, with or without P/F.
        self.control & 0x01 == 0 || (self.control as u8 & !CONTROL_PF) == CONTROL_UI
    }

    /// What follows the header.
    pub const fn payload(&self) -> LlcPayload {
        if !self.is_information() {
            return LlcPayload::Other;
        }
        match self.snap {
            Some((OUI_ENCAP_ETHER | OUI_BRIDGE_TUNNEL | OUI_APPLE, pid)) => {
                LlcPayload::EtherType(pid)
            }
            Some((OUI_IEEE_802_1, PID_BRIDGED_ETHERNET | PID_BRIDGED_ETHERNET_FCS)) => {
                LlcPayload::Ethernet
            }
            Some(_) => LlcPayload::Other,
            None if self.dsap == SAP_IP => LlcPayload::Ipv4,
            None => LlcPayload::Other,
        }
    }
}

/// Parses an LLC header, and SNAP after it when both SAPs are 0xAA.
/// Error offsets are relative to `input`.
///
/// ```
/// # use tcpopt_parse::link::llc::{parse, LlcPayload};
/// // dns-inverse-query.pcap frame 1 after its FDDI header: RFC 1042 SNAP, IPv4.
/// let (h, rest) = parse(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00, 0x45]).unwrap();
/// assert_eq!((h.payload(), h.header_len, rest), (LlcPayload::EtherType(0x0800), 8, &[0x45][..]));
/// // Spanning tree: SAP 0x42, not a network packet.
/// let (h, _) = parse(&[0x42, 0x42, 0x03, 0x00]).unwrap();
/// assert_eq!(h.payload(), LlcPayload::Other);
/// assert!(parse(&[0xaa, 0xaa, 0x03, 0, 0]).is_err()); // SNAP cut
/// ```
pub fn parse(input: &[u8]) -> Result<(LlcHeader, &[u8]), Error> {
    let cut = |needed: usize| Error::truncated(Layer::Llc, 0, needed as u64, input.len() as u64);
    let (&[dsap, ssap, c0], _) = input
        .split_first_chunk::<HEADER_LEN>()
        .ok_or(cut(HEADER_LEN))?;
    if dsap == SAP_SNAP && ssap == SAP_SNAP {
        let (&snap, rest) = input
            .split_first_chunk::<SNAP_HEADER_LEN>()
            .ok_or(cut(SNAP_HEADER_LEN))?;
        let oui = u32::from_be_bytes([
            0,
            snap[OUI_OFFSET],
            snap[OUI_OFFSET + 1],
            snap[OUI_OFFSET + 2],
        ]);
        let pid = u16::from_be_bytes([snap[PID_OFFSET], snap[PID_OFFSET + 1]]);
        let h = LlcHeader {
            dsap,
            ssap,
            control: c0.into(),
            snap: Some((oui, pid)),
            header_len: SNAP_HEADER_LEN,
        };
        return Ok((h, rest));
    }
    // U-format control fields are one byte (low bits 11), I and S two.
    let (control, header_len) = if c0 & 0x03 == 0x03 {
        (u16::from(c0), HEADER_LEN)
    } else {
        let c1 = *input.get(HEADER_LEN).ok_or(cut(HEADER_LEN + 1))?;
        (u16::from_le_bytes([c0, c1]), HEADER_LEN + 1)
    };
    let h = LlcHeader {
        dsap,
        ssap,
        control,
        snap: None,
        header_len,
    };
    Ok((h, input.get(header_len..).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn information_frames_only() {
        // An I frame (two-byte control) to the IP SAP carries IPv4.
        let (h, rest) = parse(&[0x06, 0x06, 0x00, 0x02, 0x45]).unwrap();
        assert_eq!(
            (h.payload(), h.header_len, rest),
            (LlcPayload::Ipv4, 4, &[0x45][..])
        );
        // An S frame (receive ready) carries nothing.
        let (h, _) = parse(&[0x06, 0x06, 0x01, 0x02]).unwrap();
        assert_eq!(h.payload(), LlcPayload::Other);
        // XID (U format, not UI) carries nothing either.
        let (h, _) = parse(&[0xaa, 0xaa, 0xaf, 0, 0, 0, 0x08, 0x00]).unwrap();
        assert_eq!(h.payload(), LlcPayload::Other);
        // Cisco's OUI (CDP) is not an EtherType.
        let (h, _) = parse(&[0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x00]).unwrap();
        assert_eq!(h.payload(), LlcPayload::Other);
        let (h, _) = parse(&[0xaa, 0xaa, 0x03, 0, 0x80, 0xc2, 0, 0x07]).unwrap();
        assert_eq!(h.payload(), LlcPayload::Ethernet);
    }

    #[test]
    fn cut_headers_name_llc() {
        let e = parse(&[0x06, 0x06, 0x00]).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Llc, 0));
        assert!(parse(&[]).is_err());
    }
}
