//! One packet record, dissected: link layer and tunnels ([`crate::decode()`]),
//! then the TCP header ([`crate::tcp::TcpHeader`]), and the [`Segment`]
//! summary the analysis consumes.
//!
//! This is the single place where a captured packet becomes a TCP segment,
//! shared by `tcpopt dump`, the analysis and the browser, so that all three
//! see the same segments.

use crate::capture::PacketRecord;
use crate::decode::{decode, Decoded};
use crate::error::Error;
use crate::segment::Segment;
use crate::tcp::TcpHeader;

/// IP protocol number of TCP.
const IPPROTO_TCP: u8 = 6;

/// The layers of one packet.
#[derive(Clone, Copy, Debug)]
pub struct Dissected<'a> {
    pub record: PacketRecord<'a>,
    pub decoded: Decoded<'a>,
    /// The TCP header, when the packet carries one whose 20 fixed bytes
    /// were captured.
    pub tcp: Option<TcpHeader<'a>>,
    /// Why the packet could not be followed to its end: the decoder's stop
    /// reason, or the TCP header's own fault. Offsets are relative to the
    /// start of the packet data.
    pub stop: Option<Error>,
}

impl<'a> Dissected<'a> {
    /// Dissects one packet record. Never fails: what could not be decoded
    /// is said in `stop`.
    #[inline]
    pub fn of(record: &PacketRecord<'a>) -> Self {
        let decoded = decode(record.linktype, record.data);
        let mut stop = decoded.stop;
        let tcp = match decoded.transport {
            Some(t) if t.protocol == IPPROTO_TCP => match TcpHeader::parse(t.data) {
                Ok(h) => Some(h),
                Err(e) => {
                    stop = stop.or(Some(e.shifted(t.offset as u64)));
                    None
                }
            },
            _ => None,
        };
        Dissected {
            record: *record,
            decoded,
            tcp,
            stop,
        }
    }

    /// Source and destination port of a TCP segment, even one whose header
    /// was cut after its first 4 bytes (tshark shows those too).
    pub fn ports(&self) -> Option<(u16, u16)> {
        if let Some(h) = self.tcp {
            return Some((h.src_port(), h.dst_port()));
        }
        let t = self
            .decoded
            .transport
            .filter(|t| t.protocol == IPPROTO_TCP)?;
        match *t.data {
            [a, b, c, d, ..] => Some((u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d]))),
            _ => None,
        }
    }

    /// TCP payload length per the IP length fields (not what was captured).
    #[inline]
    pub fn payload_len(&self) -> u32 {
        match (self.tcp, self.decoded.transport) {
            (Some(h), Some(t)) => t.wire_len.saturating_sub(h.header_len() as u32),
            _ => 0,
        }
    }

    /// The analysis' summary of this packet, if it is a TCP segment.
    #[inline]
    pub fn segment(&self) -> Option<Segment> {
        let tcp = self.tcp?;
        let ip = self.decoded.ip?;
        let sum = tcp.summary();
        Some(Segment {
            frame: self.record.frame,
            ts: self.record.ts,
            src: ip.src,
            dst: ip.dst,
            sport: tcp.src_port(),
            dport: tcp.dst_port(),
            seq: tcp.seq(),
            ack: tcp.ack(),
            flags: tcp.flags(),
            window: tcp.window(),
            payload_len: self.payload_len(),
            ttl: ip.ttl,
            timestamps: sum.timestamps,
            ts_malformed: sum.ts_malformed,
            max_nop_run: sum.max_nop_run,
            options_complete: sum.complete,
        })
    }
}
