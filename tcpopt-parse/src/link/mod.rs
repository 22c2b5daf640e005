//! Link layers: what the capture's link type puts in front of the network
//! layer, decoded only as far as needed to find the EtherType (or address
//! family) and the offset of the network header.
//!
//! - [`ethernet`]: Ethernet II (IEEE 802.3 clause 3) and the VLAN tags
//!   stacked on it (IEEE 802.1Q, 802.1ad and the pre-standard 0x9100).
//! - [`sll`]: Linux cooked captures v1 and v2 (`tcpdump -i any`).
//! - [`null`]: BSD null and OpenBSD loop headers (a 4-byte address family).
//! - [`pppoe`]: PPPoE sessions, with PPP itself in [`crate::tunnel::ppp`].
//! - [`chdlc`]: Cisco HDLC serial links.
//! - [`mpls`]: MPLS label stacks, on any of the above.
//! - [`ipoib`]: IP over InfiniBand, [`arcnet`]: ARCNET, and [`nflog`]:
//!   Linux netfilter's NFLOG.
//! - [`llc`]: IEEE 802.2 LLC and SNAP (RFC 1042), behind an 802.3 length,
//!   [`fddi`] and [`ieee80211`] data frames (with [`radiotap`] or [`ppi`]
//!   in front in monitor-mode captures).
//! - [`tags`]: 802.1ah, E-Tag, VN-Tag and FabricPath inside Ethernet.
//! - [`juniper`]: the header of captures taken on Juniper routers.

pub mod arcnet;
pub mod chdlc;
pub mod ethernet;
pub mod fddi;
pub mod ieee80211;
pub mod ipoib;
pub mod juniper;
pub mod llc;
pub mod mpls;
pub mod nflog;
pub mod null;
pub mod ppi;
pub mod pppoe;
pub mod radiotap;
pub mod sll;
pub mod tags;

/// How many VLAN tags [`LinkInfo`] keeps (and how many one Ethernet header
/// may carry before decoding stops with [`crate::ErrorKind::TooDeep`]).
pub const MAX_VLAN_TAGS: usize = 4;

/// EtherType values this crate dispatches on (IEEE registry).
pub mod ethertype {
    /// Internet Protocol version 4 (RFC 894).
    pub const IPV4: u16 = 0x0800;
    /// Internet Protocol version 6 (RFC 2464).
    pub const IPV6: u16 = 0x86DD;
    /// IEEE 802.1Q customer VLAN tag.
    pub const VLAN: u16 = 0x8100;
    /// IEEE 802.1ad service VLAN tag (QinQ).
    pub const QINQ: u16 = 0x88A8;
    /// Pre-standard QinQ tag that some switches still send.
    pub const QINQ_OLD: u16 = 0x9100;
    /// Transparent Ethernet Bridging: a whole Ethernet frame follows (GRE, Geneve).
    pub const TEB: u16 = 0x6558;
    /// MPLS unicast label stack (RFC 3032 §5).
    pub const MPLS_UNICAST: u16 = 0x8847;
    /// MPLS multicast label stack (RFC 5332 §4).
    pub const MPLS_MULTICAST: u16 = 0x8848;
    /// PPPoE session stage (RFC 2516 §4).
    pub const PPPOE_SESSION: u16 = 0x8864;
    /// PPP (RFC 2637 §4.1: PPTP's GRE payload).
    pub const PPP: u16 = 0x880B;
    /// Values below this are IEEE 802.3 lengths, not EtherTypes.
    pub const MIN_ETHERTYPE: u16 = 0x0600;
    /// The largest IEEE 802.3 length (IEEE 802.3 clause 3.2.6); between it
    /// and [`MIN_ETHERTYPE`] the field is neither.
    pub const MAX_8023_LENGTH: u16 = 1500;
    /// An LLC frame longer than 802.3 allows (jumbo frames, IEEE 802.3
    /// draft; Wireshark hands it to LLC).
    pub const LLC_JUMBO: u16 = 0x8870;

    /// EtherTypes of protocols that are not IP and carry no IP packet
    /// (IEEE registry, and Wireshark's etypes.h for the names): a frame of
    /// one of them is simply not TCP. Any other EtherType that decoding
    /// does not follow is reported as not decoded.
    pub const fn is_known_non_ip(t: u16) -> bool {
        matches!(
            t,
            0x0806 // ARP
                | 0x0842 // Wake-on-LAN
                | 0x22f0 // IEEE 1722 AVTP
                | 0x6000..=0x6009 // DEC MOP, DECnet, LAT
                | 0x8035 // RARP
                | 0x8038 // DEC LANBridge
                | 0x809b // AppleTalk
                | 0x80f3 // AARP
                | 0x8137 | 0x8138 // IPX
                | 0x8808 // Ethernet flow control (PAUSE)
                | 0x8809 // slow protocols (LACP, OAM)
                | 0x8819 // CobraNet
                | 0x8863 // PPPoE discovery
                | 0x886d // Intel ANS
                | 0x887b // HomePlug 1.0
                | 0x888e // 802.1X (EAPOL)
                | 0x8892 // PROFINET
                | 0x8899 // Realtek RRCP and loop detection
                | 0x889a // HyperSCSI
                | 0x88a2 // ATA over Ethernet
                | 0x88a4 // EtherCAT
                | 0x88ab // Ethernet Powerlink
                | 0x88b5 | 0x88b6 // local experimental
                | 0x88b8..=0x88ba // IEC 61850 GOOSE, GSE, SV
                | 0x88c7 // 802.11i pre-authentication
                | 0x88cc // LLDP
                | 0x88cd // SERCOS III
                | 0x88d9 // LLTD
                | 0x88dc // WAVE short messages
                | 0x88e1 // HomePlug AV
                | 0x88e3 // MRP
                | 0x88f5 | 0x88f6 // MVRP, MMRP
                | 0x88f7 // PTP
                | 0x88fb // PRP
                | 0x8902 // CFM (802.1ag)
                | 0x8906 // FCoE
                | 0x890d // 802.11 data encapsulation (TDLS)
                | 0x8911 // TTE
                | 0x8914 // FIP
                | 0x8915 // RoCE
                | 0x891d // TTEthernet
                | 0x893a // IEEE 1905.1
                | 0x892f // HSR
                | 0x9000 // loopback (configuration testing)
        )
    }

    /// Whether `t` announces a VLAN tag.
    pub const fn is_vlan(t: u16) -> bool {
        matches!(t, VLAN | QINQ | QINQ_OLD)
    }
}

/// Which link-layer header the packet started with, and its own fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkKind {
    /// Ethernet II (LINKTYPE_ETHERNET).
    Ethernet,
    /// Linux cooked capture v1; `packet_type` is 0 to us, 4 outgoing, ...
    LinuxSll { packet_type: u16 },
    /// Linux cooked capture v2, which also names the interface.
    LinuxSll2 {
        packet_type: u8,
        interface_index: u32,
    },
    /// BSD null: the address family as read in the capturing host's order.
    Null { family: u32 },
    /// OpenBSD loop: the address family, big-endian.
    Loop { family: u32 },
    /// Raw IP without a link header (LINKTYPE_RAW, IPV4, IPV6).
    Raw,
    /// PPP (LINKTYPE_PPP, LINKTYPE_PPP_HDLC) or PPPoE without Ethernet
    /// (LINKTYPE_PPP_ETHER); `protocol` is the PPP protocol number.
    Ppp { protocol: u16 },
    /// Cisco HDLC (LINKTYPE_C_HDLC, or a Cisco frame in LINKTYPE_PPP_HDLC).
    CiscoHdlc { address: u8 },
    /// IP over InfiniBand (LINKTYPE_IPOIB).
    Ipoib { dest_qpn: u32 },
    /// ARCNET (LINKTYPE_ARCNET_BSD, LINKTYPE_ARCNET_LINUX).
    Arcnet { source: u8, dest: u8, protocol: u8 },
    /// Linux NFLOG (LINKTYPE_NFLOG).
    Nflog { family: u8, resource_id: u16 },
    /// IEEE 802.11 (LINKTYPE_IEEE802_11, or behind radiotap or PPI; the
    /// header length counts those too); `frame_type` 2 is data.
    Ieee80211 { radio_header: bool, frame_type: u8 },
    /// FDDI (LINKTYPE_FDDI).
    Fddi { frame_control: u8 },
    /// Juniper's capture header (LINKTYPE_JUNIPER_ETHER).
    Juniper { flags: u8 },
}

/// What the outermost link layer said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkInfo {
    pub kind: LinkKind,
    /// EtherType of the payload after the VLAN tags; for null/loop and raw
    /// IP, the EtherType that the address family or IP version implies
    /// (likewise for PPP, IPoIB, ARCNET and NFLOG; 0 when it is not IP or
    /// MPLS). For an IEEE 802.3 frame, the length field (< 0x600). MPLS
    /// labels and PPPoE are not unwrapped here: their EtherType stays.
    pub ethertype: u16,
    /// VLAN identifiers, outermost first; only `vlan_count` are meaningful.
    pub vlan_ids: [u16; MAX_VLAN_TAGS],
    pub vlan_count: u8,
    /// Length of the link header including VLAN tags (but not a PPPoE
    /// header or MPLS labels after them; [`crate::ip::IpInfo::offset`] is
    /// where IP starts).
    pub header_len: u16,
}

impl LinkInfo {
    /// A link layer of `kind` with no tags yet.
    pub const fn new(kind: LinkKind, ethertype: u16, header_len: u16) -> Self {
        LinkInfo {
            kind,
            ethertype,
            vlan_ids: [0; MAX_VLAN_TAGS],
            vlan_count: 0,
            header_len,
        }
    }

    /// The VLAN identifiers that were seen, outermost first.
    pub fn vlans(&self) -> &[u16] {
        self.vlan_ids
            .get(..usize::from(self.vlan_count))
            .unwrap_or(&[])
    }
}

/// Copies `N` bytes into an array (nom `take` + a copy that cannot panic).
pub(crate) fn array<'a, const N: usize, E: nom::error::ParseError<&'a [u8]>>(
    input: &'a [u8],
) -> nom::IResult<&'a [u8], [u8; N], E> {
    let (rest, bytes) = nom::bytes::complete::take(N)(input)?;
    let mut out = [0u8; N];
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = *b;
    }
    Ok((rest, out))
}
