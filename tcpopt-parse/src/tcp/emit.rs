//! Writing a TCP header with options: the inverse of [`TcpHeader::parse`],
//! for tests, fuzz seeds and tools. It needs no allocator.

use super::field;
use super::flags::TcpFlags;
use super::header::TcpHeader;
use super::option::TcpOption;

/// The fixed-header fields to write (RFC 9293 §3.1); the data offset is
/// computed from the options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpHeaderFields {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    pub window: u16,
    pub checksum: u16,
    pub urgent_ptr: u16,
}

impl TcpHeaderFields {
    /// The fields of a parsed header.
    pub fn of(h: &TcpHeader<'_>) -> Self {
        TcpHeaderFields {
            src_port: h.src_port(),
            dst_port: h.dst_port(),
            seq: h.seq(),
            ack: h.ack(),
            flags: h.flags(),
            window: h.window(),
            checksum: h.checksum(),
            urgent_ptr: h.urgent_ptr(),
        }
    }

    /// Writes the header, then `options` in order, then zero (EOL) padding
    /// to a 4-byte boundary, at the start of `out`; returns the header
    /// length. `None` if the options exceed 40 bytes, an option cannot be
    /// encoded, or `out` is too short. Options are written as given (no
    /// validation), so malformed headers can be built too.
    pub fn emit(&self, options: &[TcpOption<'_>], out: &mut [u8]) -> Option<usize> {
        let opt_len = options.iter().map(TcpOption::wire_len).sum::<usize>();
        let hlen = (field::OPTIONS + opt_len).next_multiple_of(4);
        if hlen > 60 {
            return None;
        }
        let out = out.get_mut(..hlen)?;
        let (fixed, mut opts) = out.split_first_chunk_mut::<{ field::OPTIONS }>()?;
        let put = |fixed: &mut [u8; 20], at: usize, b: &[u8]| {
            if let Some(dst) = fixed.get_mut(at..at + b.len()) {
                dst.copy_from_slice(b);
            }
        };
        put(fixed, field::SRC_PORT, &self.src_port.to_be_bytes());
        put(fixed, field::DST_PORT, &self.dst_port.to_be_bytes());
        put(fixed, field::SEQ_NUM, &self.seq.to_be_bytes());
        put(fixed, field::ACK_NUM, &self.ack.to_be_bytes());
        let doff_flags = ((hlen / 4) as u16) << 12 | (self.flags.bits() & 0x1ff);
        put(fixed, field::DATA_OFFSET, &doff_flags.to_be_bytes());
        put(fixed, field::WINDOW, &self.window.to_be_bytes());
        put(fixed, field::CHECKSUM, &self.checksum.to_be_bytes());
        put(fixed, field::URGENT, &self.urgent_ptr.to_be_bytes());
        for o in options {
            let n = o.emit(opts)?;
            opts = opts.get_mut(n..)?;
        }
        opts.fill(0);
        Some(hlen)
    }
}
