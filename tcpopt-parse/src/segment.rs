//! The TCP segment as the analysis sees it: a small owned summary of one
//! decoded packet, with only the fields the timestamp detectors need.
//!
//! It is `Copy` and holds no borrowed bytes, so the analyzer never keeps a
//! packet alive and its memory does not grow with the number of packets.

use core::net::IpAddr;

use crate::tcp::TcpFlags;
use crate::timestamp::Timestamp;

/// One TCP segment, summarised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Frame number as Wireshark counts it (1-based, every record counts).
    pub frame: u64,
    /// Capture time.
    pub ts: Timestamp,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub sport: u16,
    pub dport: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    /// The raw window field (not scaled).
    pub window: u16,
    /// TCP payload bytes as the IP length says (an Ethernet trailer is not
    /// payload), even where the capture cut them off.
    pub payload_len: u32,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// The first well-formed timestamps option: (TSval, TSecr).
    pub timestamps: Option<(u32, u32)>,
    /// A kind-8 option whose length is not 10 was present.
    pub ts_malformed: bool,
    /// The longest run of consecutive NOP options (TS-04: a stripped
    /// timestamp often leaves ten NOPs behind).
    pub max_nop_run: u8,
    /// Whether the options area could be walked to its end (false when the
    /// capture cut the header, so absent options prove nothing).
    pub options_complete: bool,
    /// The first well-formed MSS option's value (SYN_COOKIES).
    pub mss: Option<u16>,
    /// The first well-formed window scale option's shift (SYN_COOKIES).
    pub wscale: Option<u8>,
    /// A SACK-permitted option was present (SYN_COOKIES).
    pub sack_permitted: bool,
}
