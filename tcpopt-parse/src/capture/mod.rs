//! Capture framing: legacy pcap and pcapng, sans-IO.
//!
//! [`CaptureParser`] is a small state machine that parses one item (file
//! header, section, interface, packet, skipped block) from the front of a
//! caller-supplied buffer and says how many bytes it used, or how many it
//! needs ([`ReadError::NeedMore`]), or why the input is bad
//! ([`ReadError::Malformed`]). Every `Ok` consumes at least one byte, and a
//! `NeedMore` always asks for more than the buffer holds, so no caller loop
//! can spin (the refill loops of pcap-parser #3/#15/#18/#20/#29).
//!
//! Three front ends share that one code path:
//! - [`packets`]: an iterator over a whole in-memory capture;
//! - `ChunkedReader` (feature `alloc`): push chunks as they arrive;
//! - `for_each_event` (feature `std`): over any [`std::io::Read`].
//!
//! Offsets in errors from this module are **file** byte offsets. When a
//! record is malformed, the frame number it would have had is
//! `parser.frames() + 1` (frames are numbered as Wireshark does: from 1,
//! every packet record counts, nothing else does).
//!
//! ```
//! use tcpopt_parse::capture::{packets, Event, CaptureParser};
//! // A little-endian microsecond pcap with one 4-byte raw IP record.
//! let mut cap = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0];
//! cap.extend_from_slice(&[1, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 40, 0, 0, 0, 0x45, 0, 0, 40]);
//! let p: Vec<_> = packets(&cap).collect::<Result<_, _>>().unwrap();
//! assert_eq!((p[0].frame, p[0].offset, p[0].ts.to_string(), p[0].caplen, p[0].origlen), (1, 24, "1.000007".into(), 4, 40));
//!
//! // The same with the sans-IO parser, item by item.
//! let mut parser = CaptureParser::new();
//! let (n, ev) = parser.next(&cap).unwrap();
//! assert!(matches!(ev, Event::Header(_)) && n == 24);
//! let (n, ev) = parser.next(&cap[24..]).unwrap();
//! assert!(matches!(ev, Event::Packet(p) if p.data == &[0x45, 0, 0, 40]) && n == 20);
//! assert!(parser.finish(&[]).is_ok());
//! ```

mod interfaces;
mod options;
mod packets;
mod parser;
pub mod pcap;
pub mod pcapng;
mod resolution;

#[cfg(feature = "alloc")]
mod chunked;
#[cfg(feature = "std")]
mod read;

#[cfg(feature = "alloc")]
pub use chunked::ChunkedReader;
pub use interfaces::{DEFAULT_MAX_INTERFACES, FIXED_INTERFACES};
pub use packets::{packets, Packets};
pub use parser::{CaptureParser, DEFAULT_MAX_RECORD_LEN, PCAPNG_BLOCK_SLACK};
#[cfg(feature = "std")]
pub use read::{for_each_event, ReadFailure};
pub use resolution::TsResolution;

use crate::error::Error;
use crate::linktype::LinkType;
use crate::timestamp::Timestamp;

/// The container format, as announced by the file's first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Legacy pcap. `modified` is the 0xa1b2cd34 flavour with 24-byte
    /// record headers.
    Pcap {
        nanosecond: bool,
        big_endian: bool,
        modified: bool,
    },
    /// pcapng (each section has its own byte order).
    Pcapng,
}

/// What a packet's timestamps and lengths mean: a pcapng Interface
/// Description Block, or the pcap file header (interface 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InterfaceInfo {
    /// Index within its section (always 0 for pcap).
    pub id: u32,
    pub linktype: LinkType,
    /// Snapshot length; 0 means unlimited.
    pub snaplen: u32,
    /// Unit of the packet timestamps.
    pub resolution: TsResolution,
    /// `if_tsoffset`: seconds added to every timestamp (0 for pcap).
    pub ts_offset: i64,
}

impl InterfaceInfo {
    #[cfg_attr(feature = "alloc", allow(dead_code))] // the fixed table's filler
    pub(crate) const PLACEHOLDER: InterfaceInfo = InterfaceInfo {
        id: 0,
        linktype: LinkType(0),
        snaplen: 0,
        resolution: TsResolution::MICROS,
        ts_offset: 0,
    };
}

/// One captured packet, borrowed from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketRecord<'a> {
    /// 1-based frame number, as Wireshark counts.
    pub frame: u64,
    /// File offset of the record (pcap) or block (pcapng) start.
    pub offset: u64,
    pub interface_id: u32,
    pub linktype: LinkType,
    pub ts: Timestamp,
    /// Bytes captured (`data.len()`).
    pub caplen: u32,
    /// Bytes on the wire. May be smaller than `caplen` in damaged files;
    /// it is passed through, as Wireshark does.
    pub origlen: u32,
    pub data: &'a [u8],
}

/// One parsed item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// The pcap file header, or a pcapng Section Header Block (one per section).
    Header(Format),
    /// A pcapng Interface Description Block.
    Interface(InterfaceInfo),
    Packet(PacketRecord<'a>),
    /// A pcapng block this crate does not interpret (NRB, ISB, DSB, custom...).
    Skipped {
        block_type: u32,
        len: u32,
    },
}

/// Why [`CaptureParser::next`] did not return an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The item at the front of the buffer needs at least `needed` bytes
    /// (counted from the front of the buffer; always more than it holds).
    NeedMore { needed: usize },
    /// The input is not a valid capture here. The parser does not advance:
    /// calling `next` again returns the same error.
    Malformed(Error),
}

/// A streaming nom parser's failure as the reader's answer: how many bytes
/// to wait for, or (never for the fixed-width parsers used) malformed input.
/// Shared by the pcap and pcapng framing.
pub(super) fn nom_need(
    buf_len: usize,
    e: nom::Err<nom::error::Error<&[u8]>>,
    layer: crate::error::Layer,
) -> ReadError {
    match e {
        nom::Err::Incomplete(nom::Needed::Size(n)) => ReadError::NeedMore {
            needed: buf_len.saturating_add(n.get()),
        },
        nom::Err::Incomplete(nom::Needed::Unknown) => ReadError::NeedMore {
            needed: buf_len.saturating_add(1),
        },
        // The fixed-width streaming parsers used here fail only by Incomplete.
        nom::Err::Error(_) | nom::Err::Failure(_) => ReadError::Malformed(Error::new(
            layer,
            0,
            crate::error::ErrorKind::BadValue {
                what: "framing",
                value: 0,
            },
        )),
    }
}

impl From<Error> for ReadError {
    fn from(e: Error) -> Self {
        ReadError::Malformed(e)
    }
}

impl core::fmt::Display for ReadError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ReadError::NeedMore { needed } => write!(f, "need {needed} bytes of input to go on"),
            ReadError::Malformed(e) => e.fmt(f),
        }
    }
}
