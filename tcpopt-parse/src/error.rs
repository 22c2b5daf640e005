//! One small, `Copy` error value for every layer.
//!
//! Every fault names the [`Layer`] that found it, the byte offset where it
//! was found and what was wrong ([`ErrorKind`]), in the spirit of
//! etherparse's `LenError`: a support engineer must be able to open the
//! capture in a hex editor at that offset and see the problem. Offsets are
//! relative to what the layer was given: for capture framing that is the
//! file, for packet decoding the start of the packet record's data.

use core::fmt;

/// The protocol layer (or capture structure) in which a fault was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Layer {
    /// Input before the capture format is known (magic detection).
    Capture,
    /// Legacy pcap file header or record header.
    Pcap,
    /// pcapng block framing or block body.
    Pcapng,
    /// Ethernet II header.
    Ethernet,
    /// 802.1Q / 802.1ad VLAN tag.
    Vlan,
    /// Linux cooked capture v1 (LINKTYPE_LINUX_SLL).
    LinuxSll,
    /// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2).
    LinuxSll2,
    /// BSD null / loopback header.
    Null,
    /// IPv4 header.
    Ipv4,
    /// IPv6 fixed header.
    Ipv6,
    /// IPv6 extension header chain.
    Ipv6Ext,
    /// UDP header (on the way to VXLAN or Geneve).
    Udp,
    /// GRE header.
    Gre,
    /// VXLAN header.
    Vxlan,
    /// Geneve header.
    Geneve,
    /// TCP fixed header.
    Tcp,
    /// One TCP option.
    TcpOption,
    /// A compressed (gzip, zstd) input stream.
    Compression,
    /// A link type this crate does not decode.
    Link,
    /// Radiotap header in front of an 802.11 frame.
    Radiotap,
    /// IEEE 802.11 MAC header.
    Ieee80211,
    /// IEEE 802.2 LLC header and its SNAP extension.
    Llc,
    /// FDDI MAC header.
    Fddi,
    /// Juniper's capture header (LINKTYPE_JUNIPER_ETHER).
    Juniper,
    /// A tag inside an Ethernet header other than a VLAN tag: 802.1ah
    /// I-TAG, 802.1BR E-Tag, VN-Tag, Cisco FabricPath.
    EthernetTag,
    /// GTP-U header (3GPP TS 29.281).
    Gtp,
    /// CAPWAP header (RFC 5415).
    Capwap,
    /// AYIYA header.
    Ayiya,
}

impl Layer {
    /// A short lower-case name, as used in messages.
    pub const fn name(self) -> &'static str {
        match self {
            Layer::Capture => "capture",
            Layer::Pcap => "pcap",
            Layer::Pcapng => "pcapng",
            Layer::Ethernet => "ethernet",
            Layer::Vlan => "vlan",
            Layer::LinuxSll => "linux-sll",
            Layer::LinuxSll2 => "linux-sll2",
            Layer::Null => "null/loopback",
            Layer::Ipv4 => "ipv4",
            Layer::Ipv6 => "ipv6",
            Layer::Ipv6Ext => "ipv6 extension header",
            Layer::Udp => "udp",
            Layer::Gre => "gre",
            Layer::Vxlan => "vxlan",
            Layer::Geneve => "geneve",
            Layer::Tcp => "tcp",
            Layer::TcpOption => "tcp option",
            Layer::Compression => "compressed stream",
            Layer::Link => "link layer",
            Layer::Radiotap => "radiotap",
            Layer::Ieee80211 => "802.11",
            Layer::Llc => "llc",
            Layer::Fddi => "fddi",
            Layer::Juniper => "juniper",
            Layer::EthernetTag => "ethernet tag",
            Layer::Gtp => "gtp",
            Layer::Capwap => "capwap",
            Layer::Ayiya => "ayiya",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What was wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The structure needs `needed` bytes but only `available` are there
    /// (a snaplen cut, or a file that ends early).
    Truncated { needed: u64, available: u64 },
    /// The first bytes are not a known capture format.
    BadMagic { found: u32 },
    /// A length field is impossible (below the minimum, not aligned, past
    /// its container, or head and tail disagree).
    BadLength { what: &'static str, value: u64 },
    /// A length field asks for more than the configured maximum.
    TooLarge {
        what: &'static str,
        value: u64,
        max: u64,
    },
    /// A version number this crate does not know.
    BadVersion { major: u16, minor: u16 },
    /// A field value that the format forbids.
    BadValue { what: &'static str, value: u64 },
    /// Valid but not decoded by this crate (a link type, a protocol).
    Unsupported { what: &'static str, value: u64 },
    /// Tunnels or extension headers nested deeper than the bound.
    TooDeep { what: &'static str, limit: u32 },
    /// A packet names an interface the section never described.
    UnknownInterface { id: u32 },
}

/// A structured parse error: which layer, at which byte offset, what kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Error {
    pub layer: Layer,
    /// Byte offset of the fault (see the module docs for what it is relative to).
    pub offset: u64,
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub kind: ErrorKind,
}

impl Error {
    pub const fn new(layer: Layer, offset: u64, kind: ErrorKind) -> Self {
        Error {
            layer,
            offset,
            kind,
        }
    }

    /// Shorthand for a [`ErrorKind::Truncated`] error.
    pub const fn truncated(layer: Layer, offset: u64, needed: u64, available: u64) -> Self {
        Error::new(layer, offset, ErrorKind::Truncated { needed, available })
    }

    /// The same error with its offset moved by `base` (when an inner layer's
    /// error is reported relative to an outer one).
    pub const fn shifted(self, base: u64) -> Self {
        Error {
            offset: self.offset.saturating_add(base),
            ..self
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ErrorKind::Truncated { needed, available } => {
                write!(f, "truncated: needs {needed} bytes, {available} available")
            }
            ErrorKind::BadMagic { found } => {
                write!(f, "not a pcap or pcapng capture (magic 0x{found:08x})")
            }
            ErrorKind::BadLength { what, value } => write!(f, "bad {what} {value}"),
            ErrorKind::TooLarge { what, value, max } => {
                write!(f, "{what} {value} exceeds the limit of {max}")
            }
            ErrorKind::BadVersion { major, minor } => write!(f, "unknown version {major}.{minor}"),
            ErrorKind::BadValue { what, value } => write!(f, "bad {what} {value}"),
            ErrorKind::Unsupported { what, value } => write!(f, "unsupported {what} {value}"),
            ErrorKind::TooDeep { what, limit } => write!(f, "{what} nested deeper than {limit}"),
            ErrorKind::UnknownInterface { id } => {
                write!(f, "packet names undefined interface {id}")
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}: {}", self.layer, self.offset, self.kind)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate alloc;
    use alloc::string::ToString;

    #[test]
    fn display_names_layer_offset_and_lengths() {
        let e = Error::truncated(Layer::Tcp, 54, 20, 12);
        assert_eq!(
            e.to_string(),
            "tcp at byte 54: truncated: needs 20 bytes, 12 available"
        );
        assert_eq!(e.shifted(10).offset, 64);
    }
}
