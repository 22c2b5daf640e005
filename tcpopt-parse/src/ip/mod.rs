//! Internet Protocol: [`ipv4`] (RFC 791) and [`ipv6`] (RFC 8200) with its
//! extension header chain.

use core::net::IpAddr;

pub mod ipv4;
pub mod ipv6;

/// IANA protocol numbers this crate dispatches on.
pub mod protocol {
    /// IPv6 Hop-by-Hop Options (RFC 8200 §4.3).
    pub const HOPOPT: u8 = 0;
    /// IPv4 encapsulated in IP (RFC 2003).
    pub const IPIP: u8 = 4;
    pub const ICMP: u8 = 1;
    pub const TCP: u8 = 6;
    pub const ICMPV6: u8 = 58;
    pub const UDP: u8 = 17;
    /// IPv6 encapsulated in IP (RFC 2473, RFC 4213).
    pub const IPV6: u8 = 41;
    /// IPv6 Routing header (RFC 8200 §4.4).
    pub const IPV6_ROUTE: u8 = 43;
    /// IPv6 Fragment header (RFC 8200 §4.5).
    pub const IPV6_FRAG: u8 = 44;
    /// Generic Routing Encapsulation (RFC 2784).
    pub const GRE: u8 = 47;
    /// Encapsulating Security Payload (RFC 4303): opaque to us.
    pub const ESP: u8 = 50;
    /// Authentication Header (RFC 4302).
    pub const AH: u8 = 51;
    /// IPv6 No Next Header (RFC 8200 §4.7).
    pub const IPV6_NONXT: u8 = 59;
    /// IPv6 Destination Options (RFC 8200 §4.6).
    pub const IPV6_OPTS: u8 = 60;
    /// Mobility header (RFC 6275 §6.1).
    pub const MOBILITY: u8 = 135;
    /// Host Identity Protocol (RFC 7401).
    pub const HIP: u8 = 139;
    /// Shim6 (RFC 5533).
    pub const SHIM6: u8 = 140;
}

/// The innermost IP header, as [`crate::decode()`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpInfo {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 type of service or IPv6 traffic class (DSCP and ECN).
    pub tos: u8,
    /// The upper-layer protocol: IPv4's protocol field, or for IPv6 the
    /// next header after the extension header chain.
    pub protocol: u8,
    /// IPv4 identification, or the IPv6 fragment header's identification
    /// (0 when there is none).
    pub id: u32,
    /// Fragment offset in 8-byte units.
    pub fragment_offset: u16,
    pub more_fragments: bool,
    /// IPv4 DF bit (always false for IPv6).
    pub dont_fragment: bool,
    /// Whether an IPv6 fragment header was present.
    pub fragment_header: bool,
    /// Offset of the IP header in the packet.
    pub offset: usize,
    /// Length of the IP header including IPv4 options or IPv6 extension
    /// headers: the upper layer starts at `offset + header_len`.
    pub header_len: u16,
    /// Upper-layer length according to the IP length fields (the captured
    /// length when they say 0: TSO or a jumbogram without its option).
    pub payload_len: u32,
}

impl IpInfo {
    /// Whether this packet is a fragment other than the first: it carries
    /// no upper-layer header.
    pub const fn is_later_fragment(&self) -> bool {
        self.fragment_offset != 0
    }
}

/// A length as `u32`, saturating (a slice longer than 4 GiB is no packet).
pub(crate) fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
