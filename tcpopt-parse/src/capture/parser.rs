//! The sans-IO capture state machine shared by every front end.

use super::interfaces::{Interfaces, DEFAULT_MAX_INTERFACES};
use super::pcap::{self, FileHeader, Magic, RECORD_CAPLEN_OFFSET, RECORD_HEADER_LEN};
use super::pcapng::{self, Block};
use super::resolution::{pcap_timestamp, TsResolution};
use super::{nom_need, Event, Format, InterfaceInfo, PacketRecord, ReadError};
use crate::error::{Error, ErrorKind, Layer};
use crate::timestamp::Timestamp;

/// Default bound on a record's captured length: Wireshark's
/// `WTAP_MAX_PACKET_SIZE_STANDARD`, above which it, too, calls a pcap file
/// corrupt rather than allocate.
pub const DEFAULT_MAX_RECORD_LEN: u32 = 262_144;
/// A pcapng block may exceed the record bound by this much (block and
/// EPB headers, padding and options), as in Wireshark's `MAX_BLOCK_SIZE`.
pub const PCAPNG_BLOCK_SLACK: u32 = 131_072;

#[derive(Clone, Copy, Debug)]
enum State {
    /// Nothing read yet: the magic decides.
    Start,
    Pcap {
        magic: Magic,
        iface: InterfaceInfo,
    },
    Pcapng {
        big_endian: bool,
    },
}

/// What one step parsed, before it is committed to the parser's state.
enum Item<'a> {
    PcapHeader(Magic, InterfaceInfo),
    Section {
        big_endian: bool,
    },
    Interface(InterfaceInfo),
    Packet {
        iface: InterfaceInfo,
        /// `None` for a pcapng Simple Packet Block, which carries no time.
        ts: Option<Timestamp>,
        caplen: u32,
        origlen: u32,
        data: &'a [u8],
    },
    Skipped {
        block_type: u32,
        len: u32,
    },
}

/// Sans-IO reader of pcap and pcapng captures: feed it the unconsumed
/// bytes, it returns one [`Event`] and how many bytes it used.
///
/// State is small (format, byte order, file offset, frame count and the
/// section's interface table); the caller owns the bytes.
///
/// Limits, so that a hostile length field never turns into a huge buffer:
/// - a packet's captured length above `max_record_len` (default
///   [`DEFAULT_MAX_RECORD_LEN`]) is `Malformed(TooLarge)`, as Wireshark does;
/// - a pcapng block longer than `max_record_len` + [`PCAPNG_BLOCK_SLACK`] is
///   `Malformed(TooLarge)` as soon as its 8-byte head is read;
/// - the interface table holds at most `max_interfaces` entries (see
///   [`FIXED_INTERFACES`](super::FIXED_INTERFACES) without `alloc`); a packet
///   on an interface beyond it is `Malformed(TooLarge { what: "interface id" })`.
///   A packet on an interface its section never described is
///   `Malformed(UnknownInterface)`.
///
/// After a `Malformed` error the parser does not move: the faulty record
/// starts at [`offset()`](Self::offset) and would have been frame
/// [`frames()`](Self::frames) + 1.
#[derive(Clone, Debug)]
pub struct CaptureParser {
    state: State,
    offset: u64,
    frames: u64,
    max_record_len: u32,
    interfaces: Interfaces,
}

impl Default for CaptureParser {
    fn default() -> Self {
        Self::new()
    }
}

impl CaptureParser {
    /// A parser with the default limits.
    pub fn new() -> Self {
        Self::with_limits(DEFAULT_MAX_RECORD_LEN, DEFAULT_MAX_INTERFACES)
    }

    /// A parser accepting captured lengths up to `n` bytes.
    pub fn with_max_record_len(n: u32) -> Self {
        Self::with_limits(n, DEFAULT_MAX_INTERFACES)
    }

    /// A parser with both limits set. Without `alloc`, `max_interfaces` is
    /// further capped at [`FIXED_INTERFACES`](super::FIXED_INTERFACES).
    pub fn with_limits(max_record_len: u32, max_interfaces: u32) -> Self {
        CaptureParser {
            state: State::Start,
            offset: 0,
            frames: 0,
            max_record_len,
            interfaces: Interfaces::new(max_interfaces),
        }
    }

    /// File offset of the next byte to parse (bytes consumed so far).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The last frame number: packets returned so far, and the blocks
    /// Wireshark numbers as frames too ([`pcapng::is_numbered_as_frame`]).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The format, once the first header has been parsed.
    pub fn format(&self) -> Option<Format> {
        match self.state {
            State::Start => None,
            State::Pcap { magic, .. } => Some(Format::Pcap {
                nanosecond: magic.nanosecond,
                big_endian: magic.big_endian,
                modified: magic.modified,
            }),
            State::Pcapng { .. } => Some(Format::Pcapng),
        }
    }

    /// The interface `id` of the current section (for pcap, id 0 is the
    /// file header's link type and snaplen).
    pub fn interface(&self, id: u32) -> Option<InterfaceInfo> {
        match self.state {
            State::Start => None,
            State::Pcap { iface, .. } => (id == 0).then_some(iface),
            State::Pcapng { .. } => self.interfaces.get(id).ok(),
        }
    }

    /// The configured bound on captured lengths.
    pub fn max_record_len(&self) -> u32 {
        self.max_record_len
    }

    fn layer(&self) -> Layer {
        match self.state {
            State::Start => Layer::Capture,
            State::Pcap { .. } => Layer::Pcap,
            State::Pcapng { .. } => Layer::Pcapng,
        }
    }

    /// Parses one item from the front of `buf`.
    ///
    /// Returns the bytes consumed (always > 0) and the event; or
    /// [`ReadError::NeedMore`] with the total length (from the front of
    /// `buf`, always > `buf.len()`) the item needs; or
    /// [`ReadError::Malformed`] with a file offset. Errors do not change the
    /// parser's state.
    pub fn next<'a>(&mut self, buf: &'a [u8]) -> Result<(usize, Event<'a>), ReadError> {
        // The per-record hot path of a pcap file, straight to the event.
        if let Some((n, rec)) = self.next_pcap_record(buf) {
            return Ok((n, Event::Packet(rec)));
        }
        let (n, item) = self.parse(buf)?;
        let start = self.offset;
        self.offset = self.offset.saturating_add(n as u64);
        let event = match item {
            Item::PcapHeader(magic, iface) => {
                self.state = State::Pcap { magic, iface };
                Event::Header(self.format().unwrap_or(Format::Pcapng))
            }
            Item::Section { big_endian } => {
                self.state = State::Pcapng { big_endian };
                self.interfaces.clear();
                Event::Header(Format::Pcapng)
            }
            Item::Interface(info) => {
                self.interfaces.push(info);
                Event::Interface(info)
            }
            Item::Packet {
                iface,
                ts,
                caplen,
                origlen,
                data,
            } => {
                self.frames = self.frames.saturating_add(1);
                Event::Packet(PacketRecord {
                    frame: self.frames,
                    offset: start,
                    interface_id: iface.id,
                    linktype: iface.linktype,
                    // Wireshark shows a time-less packet at the epoch.
                    ts: ts.unwrap_or(Timestamp::new(0, iface.resolution.digits())),
                    has_time: ts.is_some(),
                    caplen,
                    origlen,
                    data,
                })
            }
            Item::Skipped { block_type, len } => {
                // Wireshark numbers these blocks as frames too.
                if pcapng::is_numbered_as_frame(block_type) {
                    self.frames = self.frames.saturating_add(1);
                }
                Event::Skipped { block_type, len }
            }
        };
        Ok((n, event))
    }

    /// The hot path of [`next`](Self::next) for a pcap file: a record
    /// whose 16-byte header and data are all in `buf` and that passes the
    /// same checks, committed and returned as `next` would return it;
    /// `None` (nothing changed) for anything else, which `next` then takes.
    #[inline(always)]
    pub(crate) fn next_pcap_record<'a>(
        &mut self,
        buf: &'a [u8],
    ) -> Option<(usize, PacketRecord<'a>)> {
        let State::Pcap { magic, iface } = self.state else {
            return None;
        };
        let (n, ts, caplen, origlen, data) = fast_pcap_record(buf, magic, self.max_record_len)?;
        let start = self.offset;
        self.offset = self.offset.saturating_add(n as u64);
        self.frames = self.frames.saturating_add(1);
        Some((
            n,
            PacketRecord {
                frame: self.frames,
                offset: start,
                interface_id: iface.id,
                linktype: iface.linktype,
                ts,
                has_time: true,
                caplen,
                origlen,
                data,
            },
        ))
    }

    /// Call at end of input with the bytes `next` left unconsumed. `Ok` if
    /// there are none; otherwise the error says where the unfinished item
    /// starts (file offset), and needed vs available bytes
    /// (`Truncated`); it would have been frame `frames() + 1` if a packet.
    /// If `rest` is malformed rather than short, that error is returned.
    pub fn finish(&self, rest: &[u8]) -> Result<(), Error> {
        if rest.is_empty() {
            return Ok(());
        }
        match self.parse(rest) {
            Err(ReadError::NeedMore { needed }) => Err(Error::truncated(
                self.layer(),
                self.offset,
                needed as u64,
                rest.len() as u64,
            )),
            Err(ReadError::Malformed(e)) => Err(e),
            // The caller stopped before a complete item: still not a clean end.
            Ok((n, _)) => Err(Error::new(
                self.layer(),
                self.offset,
                ErrorKind::BadLength {
                    what: "unread complete item at end of input",
                    value: n as u64,
                },
            )),
        }
    }

    /// One step without committing it: the same answer on the same input.
    fn parse<'a>(&self, buf: &'a [u8]) -> Result<(usize, Item<'a>), ReadError> {
        let r = match self.state {
            State::Start => self.parse_start(buf),
            State::Pcap { magic, iface } => self.parse_pcap_record(buf, magic, iface),
            State::Pcapng { big_endian } => self.parse_block(buf, Some(big_endian)),
        };
        r.map_err(|e| match e {
            ReadError::Malformed(e) => ReadError::Malformed(e.shifted(self.offset)),
            need => need,
        })
    }

    fn parse_start<'a>(&self, buf: &'a [u8]) -> Result<(usize, Item<'a>), ReadError> {
        let magic = buf.get(..4).and_then(|m| <[u8; 4]>::try_from(m).ok());
        let Some(magic) = magic else {
            return Err(ReadError::NeedMore { needed: 4 });
        };
        if magic == pcapng::SHB.to_le_bytes() {
            return self.parse_block(buf, None);
        }
        if Magic::from_bytes(magic).is_none() {
            let found = u32::from_be_bytes(magic);
            return Err(Error::new(Layer::Capture, 0, ErrorKind::BadMagic { found }).into());
        }
        let (rest, header) =
            pcap::file_header(buf).map_err(|e| nom_need(buf.len(), e, Layer::Pcap))?;
        let Some(h): Option<FileHeader> = header else {
            return Err(Error::new(
                Layer::Pcap,
                0,
                ErrorKind::BadMagic {
                    found: u32::from_be_bytes(magic),
                },
            )
            .into());
        };
        // Wireshark reads any major version >= 2 (libpcap only 2).
        if h.version_major < 2 {
            let kind = ErrorKind::BadVersion {
                major: h.version_major,
                minor: h.version_minor,
            };
            return Err(Error::new(Layer::Pcap, FileHeader::VERSION_OFFSET, kind).into());
        }
        let resolution = if h.magic.nanosecond {
            TsResolution::NANOS
        } else {
            TsResolution::MICROS
        };
        let iface = InterfaceInfo {
            id: 0,
            linktype: h.linktype,
            snaplen: h.snaplen,
            resolution,
            ts_offset: 0,
        };
        Ok((buf.len() - rest.len(), Item::PcapHeader(h.magic, iface)))
    }

    fn parse_pcap_record<'a>(
        &self,
        buf: &'a [u8],
        magic: Magic,
        iface: InterfaceInfo,
    ) -> Result<(usize, Item<'a>), ReadError> {
        if let Some((n, ts, caplen, origlen, data)) =
            fast_pcap_record(buf, magic, self.max_record_len)
        {
            let ts = Some(ts);
            return Ok((
                n,
                Item::Packet {
                    iface,
                    ts,
                    caplen,
                    origlen,
                    data,
                },
            ));
        }
        let (rest, h) =
            pcap::record_header(magic)(buf).map_err(|e| nom_need(buf.len(), e, Layer::Pcap))?;
        // caplen > snaplen and caplen > origlen are both read as written,
        // as Wireshark does; only the absolute bound is enforced.
        if h.caplen > self.max_record_len {
            let kind = ErrorKind::TooLarge {
                what: "record captured length",
                value: h.caplen.into(),
                max: self.max_record_len.into(),
            };
            return Err(Error::new(Layer::Pcap, RECORD_CAPLEN_OFFSET, kind).into());
        }
        let (_, data) =
            nom::bytes::streaming::take::<_, _, nom::error::Error<&[u8]>>(h.caplen as usize)(rest)
                .map_err(|e| nom_need(buf.len(), e, Layer::Pcap))?;
        let used = magic.record_header_len() + data.len();
        let ts = pcap_timestamp(h.ts_sec, h.ts_frac, magic.nanosecond);
        Ok((
            used,
            Item::Packet {
                iface,
                ts: Some(ts),
                caplen: h.caplen,
                origlen: h.origlen,
                data,
            },
        ))
    }

    fn parse_block<'a>(
        &self,
        buf: &'a [u8],
        section: Option<bool>,
    ) -> Result<(usize, Item<'a>), ReadError> {
        let max_block = self.max_record_len.saturating_add(PCAPNG_BLOCK_SLACK);
        let b: Block<'a> = pcapng::block(section, max_block, buf)?;
        let used = b.total_len as usize;
        let item = match b.block_type {
            pcapng::SHB => {
                let shb = pcapng::section_header(&b)?;
                Item::Section {
                    big_endian: shb.big_endian,
                }
            }
            pcapng::IDB => {
                let d = pcapng::interface_description(&b)?;
                Item::Interface(InterfaceInfo {
                    id: self.interfaces.next_id(),
                    linktype: d.linktype,
                    snaplen: d.snaplen,
                    resolution: d.resolution,
                    ts_offset: d.ts_offset,
                })
            }
            pcapng::EPB | pcapng::PB | pcapng::SPB => self.packet_item(&b)?,
            block_type => Item::Skipped {
                block_type,
                len: b.total_len,
            },
        };
        Ok((used, item))
    }

    fn packet_item<'a>(&self, b: &Block<'a>) -> Result<Item<'a>, Error> {
        const ID_OFFSET: u64 = pcapng::BODY_OFFSET;
        const CAPLEN_OFFSET: u64 = pcapng::BODY_OFFSET + 12;
        let simple = b.block_type == pcapng::SPB;
        let id = if simple {
            0
        } else {
            pcapng::packet_block(b)?.interface_id
        };
        let iface = self
            .interfaces
            .get(id)
            .map_err(|kind| Error::new(Layer::Pcapng, ID_OFFSET, kind))?;
        let (p, ts) = if simple {
            // An SPB carries no time.
            (pcapng::simple_packet(b, iface.snaplen)?, None)
        } else {
            let p = pcapng::packet_block(b)?;
            (
                p,
                Some(iface.resolution.timestamp(p.ts_units, iface.ts_offset)),
            )
        };
        if p.caplen > self.max_record_len {
            let what = "pcapng packet captured length";
            let kind = ErrorKind::TooLarge {
                what,
                value: p.caplen.into(),
                max: self.max_record_len.into(),
            };
            return Err(Error::new(
                Layer::Pcapng,
                if simple { ID_OFFSET } else { CAPLEN_OFFSET },
                kind,
            ));
        }
        Ok(Item::Packet {
            iface,
            ts,
            caplen: p.caplen,
            origlen: p.origlen,
            data: p.data,
        })
    }
}

/// Maps a streaming parser's `Incomplete` to the total length needed from
/// the front of the buffer.
/// Fast path of a pcap record: a standard 16-byte record header and the
/// whole record in `buf` (nearly every record of a file read in big
/// chunks). The same fields and checks as the nom path of
/// `parse_pcap_record`, without its per-field endianness dispatch and
/// `Incomplete` plumbing; `None` sends the caller down that path.
#[inline(always)]
fn fast_pcap_record(
    buf: &[u8],
    magic: Magic,
    max_record_len: u32,
) -> Option<(usize, Timestamp, u32, u32, &[u8])> {
    if magic.modified {
        return None;
    }
    let (hdr, rest) = buf.split_first_chunk::<RECORD_HEADER_LEN>()?;
    let word = |i: usize| {
        let b = [hdr[i], hdr[i + 1], hdr[i + 2], hdr[i + 3]];
        if magic.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    let caplen = word(8);
    if caplen > max_record_len {
        return None;
    }
    let data = rest.get(..caplen as usize)?;
    Some((
        RECORD_HEADER_LEN + data.len(),
        pcap_timestamp(word(0), word(4), magic.nanosecond),
        caplen,
        word(12),
        data,
    ))
}
