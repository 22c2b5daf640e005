//! Link-layer header types, as numbered by tcpdump.org's LINKTYPE_ registry
//! (the value in a pcap file header or a pcapng Interface Description Block).

use core::fmt;

/// A LINKTYPE_ value. Kept as the raw number so unknown types survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback: a 4-byte address family in the *capturing host's* byte order.
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet II (and 802.3, which carries no IP for us).
    pub const ETHERNET: LinkType = LinkType(1);
    /// ARCNET as BSD captures it (no buffer offset).
    pub const ARCNET_BSD: LinkType = LinkType(7);
    /// PPP (RFC 1661), with or without the RFC 1662 address and control.
    pub const PPP: LinkType = LinkType(9);
    /// FDDI (ISO 9314), LLC behind a 13-byte MAC header.
    pub const FDDI: LinkType = LinkType(10);
    /// DLT_RAW as some BSDs numbered it in pcap files (raw IPv4/IPv6).
    pub const RAW_12: LinkType = LinkType(12);
    /// DLT_RAW as OpenBSD numbered it (raw IPv4/IPv6).
    pub const RAW_14: LinkType = LinkType(14);
    /// PPP in HDLC-like framing (RFC 1662), or Cisco HDLC frames.
    pub const PPP_HDLC: LinkType = LinkType(50);
    /// PPPoE session packets without their Ethernet header (BSD).
    pub const PPP_ETHER: LinkType = LinkType(51);
    /// Raw IPv4 or IPv6, version nibble decides.
    pub const RAW: LinkType = LinkType(101);
    /// IEEE 802.11 frames without a radio header.
    pub const IEEE802_11: LinkType = LinkType(105);
    /// OpenBSD loopback: like NULL but the family is always big-endian.
    pub const LOOP: LinkType = LinkType(108);
    /// Cisco HDLC (serial links on Cisco routers).
    pub const C_HDLC: LinkType = LinkType(104);
    /// Linux cooked capture v1 (`tcpdump -i any` before libpcap 1.10).
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// IEEE 802.11 frames behind a radiotap header (monitor mode).
    pub const IEEE802_11_RADIOTAP: LinkType = LinkType(127);
    /// ARCNET as Linux captures it (with a 2-byte buffer offset).
    pub const ARCNET_LINUX: LinkType = LinkType(129);
    /// Juniper's capture header, then Ethernet.
    pub const JUNIPER_ETHER: LinkType = LinkType(178);
    /// Per-Packet Information header (CACE/Riverbed), then 802.11 or Ethernet.
    pub const PPI: LinkType = LinkType(192);
    /// Raw IPv4 only.
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6 only.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux netfilter NFLOG (`tcpdump -i nflog`).
    pub const NFLOG: LinkType = LinkType(239);
    /// IP over InfiniBand as Linux captures it.
    pub const IPOIB: LinkType = LinkType(242);
    /// Linux cooked capture v2 (`tcpdump -i any` since libpcap 1.10).
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// The registry's name, or `None` for a type this crate does not decode.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "NULL",
            1 => "ETHERNET",
            7 => "ARCNET_BSD",
            9 => "PPP",
            10 => "FDDI",
            12 | 14 | 101 => "RAW",
            50 => "PPP_HDLC",
            51 => "PPP_ETHER",
            104 => "C_HDLC",
            105 => "IEEE802_11",
            108 => "LOOP",
            113 => "LINUX_SLL",
            127 => "IEEE802_11_RADIOTAP",
            129 => "ARCNET_LINUX",
            178 => "JUNIPER_ETHER",
            192 => "PPI",
            228 => "IPV4",
            229 => "IPV6",
            239 => "NFLOG",
            242 => "IPOIB",
            276 => "LINUX_SLL2",
            _ => return None,
        })
    }

    /// The registry's name also for a few common link types this crate
    /// does not decode, to say what a capture holds when it cannot be read.
    pub const fn registry_name(self) -> Option<&'static str> {
        if let Some(n) = self.name() {
            return Some(n);
        }
        Some(match self.0 {
            6 => "IEEE802_5",
            8 => "SLIP",
            11 => "ATM_RFC1483",
            119 => "PRISM_HEADER",
            138 => "APPLE_IP_OVER_IEEE1394",
            147..=162 => "USER",
            163 => "IEEE802_11_AVS",
            187 => "BLUETOOTH_HCI_H4",
            189 => "USB_LINUX",
            195 => "IEEE802_15_4_WITHFCS",
            197 => "ERF",
            201 => "BLUETOOTH_HCI_H4_WITH_PHDR",
            220 => "USB_LINUX_MMAPPED",
            227 => "CAN_SOCKETCAN",
            230 => "IEEE802_15_4_NOFCS",
            249 => "USBPCAP",
            251 => "BLUETOOTH_LE_LL",
            253 => "NETLINK",
            256 => "BLUETOOTH_LE_LL_WITH_PHDR",
            _ => return None,
        })
    }

    /// Whether [`crate::decode()`] understands this link type.
    pub const fn is_supported(self) -> bool {
        self.name().is_some()
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} ({})", self.0),
            None => write!(f, "linktype {}", self.0),
        }
    }
}
