//! One packet record, dissected: link layer and tunnels ([`crate::decode()`]),
//! then the TCP header ([`crate::tcp::TcpHeader`]), and the [`Segment`]
//! summary the analysis consumes.
//!
//! This is the single place where a captured packet becomes a TCP segment,
//! shared by `tcpopt dump`, the analysis and the browser, so that all three
//! see the same segments.

use crate::capture::PacketRecord;
use crate::decode::{decode, decode_fast, decode_general, Decoded, IcmpQuote, Transport};
use crate::error::Error;
use crate::ip::IpInfo;
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
        let (tcp, stop) = tcp_header(&decoded);
        Dissected {
            record: *record,
            decoded,
            tcp,
            stop,
        }
    }

    /// What the analysis takes from one record: its segment (if it is a
    /// TCP segment) and why dissection stopped short, the same as
    /// `Dissected::of(record)` then [`segment`](Self::segment) and
    /// [`stop`](Self::stop), without building the [`Dissected`] (a copy of
    /// every layer per packet on the analysis' hot path).
    // Always: with two callers in the pipeline (observed or not) the
    // compiler stopped inlining it, and the by-memory return of the
    // segment cost 15 % more instructions per packet.
    #[inline(always)]
    pub fn segment_of(record: &PacketRecord<'a>) -> (Option<Segment>, Option<Error>) {
        let (seg, _, stop) = Self::segment_or_icmp_of(record);
        (seg, stop)
    }

    /// As [`Dissected::segment_of`], and the TCP segment an ICMP
    /// destination unreachable quotes (the analysis pairs it with its SYN).
    // Always, like `segment_of`: the analysis' tally calls it, and out of
    // line its 190-byte result went through memory (a `memcpy` per packet).
    #[inline(always)]
    pub fn segment_or_icmp_of(
        record: &PacketRecord<'a>,
    ) -> (Option<Segment>, Option<IcmpQuote>, Option<Error>) {
        // The fast path's `Decoded` is a local of this function (no copy
        // of the whole struct through memory); only the general decoder's
        // is returned by memory.
        if let Some(decoded) = decode_fast(record.linktype, record.data) {
            return segment_from(record, &decoded);
        }
        general_segment_or_icmp_of(record)
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
        let t = self.decoded.transport?;
        Some(segment(&self.record, &ip, &tcp, &t))
    }
}

/// [`Dissected::segment_or_icmp_of`] off the fast path: kept out of line
/// so that the one inlined copy of the segment builder is the fast path's.
#[inline(never)]
fn general_segment_or_icmp_of(
    record: &PacketRecord<'_>,
) -> (Option<Segment>, Option<IcmpQuote>, Option<Error>) {
    segment_from(record, &decode_general(record.linktype, record.data))
}

/// [`Dissected::segment_or_icmp_of`] from the decoded packet.
#[inline(always)]
fn segment_from(
    record: &PacketRecord<'_>,
    decoded: &Decoded<'_>,
) -> (Option<Segment>, Option<IcmpQuote>, Option<Error>) {
    let (tcp, stop) = tcp_header(decoded);
    let seg = match (tcp, decoded.ip, decoded.transport) {
        (Some(tcp), Some(ip), Some(t)) => Some(segment(record, &ip, &tcp, &t)),
        _ => None,
    };
    (seg, decoded.icmp, stop)
}

/// The TCP header of a decoded packet, and the stop reason (the decoder's,
/// else the TCP header's own fault, as a packet offset).
#[inline]
fn tcp_header<'a>(decoded: &Decoded<'a>) -> (Option<TcpHeader<'a>>, Option<Error>) {
    let stop = decoded.stop;
    match decoded.transport {
        Some(t) if t.protocol == IPPROTO_TCP => match TcpHeader::parse(t.data) {
            Ok(h) => (Some(h), stop),
            Err(e) => (None, stop.or(Some(e.shifted(t.offset as u64)))),
        },
        _ => (None, stop),
    }
}

/// The one place a TCP segment's summary is built.
#[inline(always)]
fn segment(
    record: &PacketRecord<'_>,
    ip: &IpInfo,
    tcp: &TcpHeader<'_>,
    t: &Transport<'_>,
) -> Segment {
    let sum = tcp.summary();
    Segment {
        frame: record.frame,
        ts: record.ts,
        src: ip.src,
        dst: ip.dst,
        sport: tcp.src_port(),
        dport: tcp.dst_port(),
        seq: tcp.seq(),
        ack: tcp.ack(),
        flags: tcp.flags(),
        window: tcp.window(),
        // Per the IP length fields, not what was captured.
        payload_len: t.wire_len.saturating_sub(tcp.header_len() as u32),
        ttl: ip.ttl,
        timestamps: sum.timestamps,
        ts_malformed: sum.ts_malformed,
        max_nop_run: sum.max_nop_run,
        options_complete: sum.complete,
        mss: sum.mss,
        wscale: sum.wscale,
        sack_permitted: sum.sack_permitted,
    }
}
