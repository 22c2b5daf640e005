//! One TCP segment as the correlation needs it: the analysis'
//! [`Segment`](crate::Segment) plus what a middlebox may rewrite and the
//! analysis does not keep (IP ID, MSS, window scale, SACK-permitted).

use core::net::IpAddr;

use crate::capture::PacketRecord;
use crate::dissect::Dissected;
use crate::tcp::TcpFlags;

/// An IP address and a TCP port.
pub type Endpoint = (IpAddr, u16);

/// The flags that identify a segment across a NAT: SYN, FIN, RST, ACK.
/// PSH, ECE and CWR are left out (a middlebox may clear ECN bits, and
/// PSH is not part of what a segment *is*).
pub(crate) const KEY_FLAGS: u16 = TcpFlags::SYN | TcpFlags::FIN | TcpFlags::RST | TcpFlags::ACK;

/// One decoded TCP segment of one capture (owned, `Copy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observed {
    /// Frame number as the capture numbers it (Wireshark's numbering).
    pub frame: u64,
    /// Capture time in this capture's own clock, nanoseconds.
    pub ts: i64,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    /// The raw window field.
    pub window: u16,
    /// Payload bytes per the IP length.
    pub payload_len: u32,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 identification (`None` for IPv6: no ID on unfragmented packets).
    pub ip_id: Option<u16>,
    pub mss: Option<u16>,
    pub wscale: Option<u8>,
    pub sack_permitted: bool,
    /// (TSval, TSecr) of the first well-formed timestamps option.
    pub timestamps: Option<(u32, u32)>,
    /// The options area was walked to its end: an absent option is absent,
    /// not cut off by the snap length.
    pub options_complete: bool,
}

impl Observed {
    /// The segment of one packet record, if it carries a TCP header.
    pub fn of(record: &PacketRecord<'_>) -> Option<Observed> {
        let d = Dissected::of(record);
        let tcp = d.tcp?;
        let ip = d.decoded.ip?;
        d.decoded.transport?;
        let sum = tcp.summary();
        Some(Observed {
            frame: record.frame,
            ts: record.ts.nanos,
            src: (ip.src, tcp.src_port()),
            dst: (ip.dst, tcp.dst_port()),
            seq: tcp.seq(),
            ack: tcp.ack(),
            flags: tcp.flags(),
            window: tcp.window(),
            payload_len: d.payload_len(),
            ttl: ip.ttl,
            ip_id: ip.src.is_ipv4().then_some(ip.id as u16),
            mss: sum.mss,
            wscale: sum.wscale,
            sack_permitted: sum.sack_permitted,
            timestamps: sum.timestamps,
            options_complete: sum.complete,
        })
    }

    /// A SYN without ACK: the start of a connection attempt.
    pub fn is_syn(&self) -> bool {
        self.flags.syn() && !self.flags.ack()
    }

    pub fn is_synack(&self) -> bool {
        self.flags.syn() && self.flags.ack()
    }

    /// The flags that take part in matching.
    pub(crate) fn key_flags(&self) -> u16 {
        self.flags.bits() & KEY_FLAGS
    }

    /// Sequence space the segment occupies (SYN and FIN count one each).
    pub fn seg_len(&self) -> u32 {
        self.payload_len + u32::from(self.flags.syn()) + u32::from(self.flags.fin())
    }
}
