//! One small, `Copy` error value for every layer.
//!
//! Every fault names the [`Layer`] that found it, the byte offset where it
//! was found and what was wrong ([`ErrorKind`]), in the spirit of
//! etherparse's `LenError`: a support engineer must be able to open the
//! capture in a hex editor at that offset and see the problem. Offsets are
//! relative to what the layer was given: for capture framing that is the
//! file, for packet decoding the start of the packet record's data.

use core::fmt::{self, Write as _};

/// The protocol layer (or capture structure) in which a fault was found.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
}

impl Layer {
    /// Whether this is the capture file's own structure (as opposed to a
    /// packet's layers, or the compressed stream): its offsets count bytes
    /// of the (decompressed) capture file.
    pub const fn is_framing(self) -> bool {
        matches!(self, Layer::Capture | Layer::Pcap | Layer::Pcapng)
    }

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
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What was wrong.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// An IP header whose version nibble (the high four bits of
    /// `first_byte`) is not this layer's (RFC 791 §3.1, RFC 8200 §3). The
    /// whole byte is kept: in an IPv4 header its low nibble is the header
    /// length, which tells a mislabelled or misaligned packet from a damaged one.
    BadIpVersion { first_byte: u8 },
    /// Bytes that do not decode (a compressed stream's data).
    Corrupt { what: &'static str },
}

/// How the input was compressed, as detected from its first bytes (gzip,
/// RFC 1952 §2.3.1; zstd, RFC 8878 §3.1.1). Decided once, by the
/// decompressor, and carried with every fault.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum Compression {
    /// Not compressed (or not read far enough to tell).
    #[default]
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// `none`, `gzip`, `zstd`.
    pub const fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// Whether the input was compressed at all.
    pub const fn is_compressed(self) -> bool {
        !matches!(self, Compression::None)
    }
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
                write!(
                    f,
                    "not a pcap or pcapng capture (first bytes {})",
                    FirstBytes(found)
                )
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
            ErrorKind::Corrupt { what } => write!(f, "corrupt {what}"),
            ErrorKind::BadIpVersion { first_byte } => write!(
                f,
                "version {}, header length {} (first byte 0x{first_byte:02x})",
                first_byte >> 4,
                first_byte & 0x0f
            ),
        }
    }
}

/// A capture's first four bytes, read big-endian, shown as `0x5b776f72`
/// followed by their text (`"[wor"`) when all four are printable ASCII: a
/// text file (a log, a config, an HTML error page saved as `.pcap`) is then
/// recognisable at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstBytes(pub u32);

impl fmt::Display for FirstBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:08x}", self.0)?;
        let bytes = self.0.to_be_bytes();
        if bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            f.write_str(" \"")?;
            for b in bytes {
                f.write_char(char::from(b))?;
            }
            f.write_str("\"")?;
        }
        Ok(())
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

    #[test]
    fn first_bytes_show_their_text_when_printable() {
        let text = ErrorKind::BadMagic { found: 0x5b77_6f72 };
        assert_eq!(
            text.to_string(),
            "not a pcap or pcapng capture (first bytes 0x5b776f72 \"[wor\")"
        );
        let binary = ErrorKind::BadMagic { found: 0x0000_0001 };
        assert_eq!(
            binary.to_string(),
            "not a pcap or pcapng capture (first bytes 0x00000001)"
        );
    }

    #[test]
    fn ip_version_names_both_nibbles() {
        let e = Error::new(Layer::Ipv4, 0, ErrorKind::BadIpVersion { first_byte: 0x50 });
        assert_eq!(
            e.to_string(),
            "ipv4 at byte 0: version 5, header length 0 (first byte 0x50)"
        );
    }
}
