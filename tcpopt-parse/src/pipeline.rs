//! Bytes in, report out: the one code path that the command line and the
//! browser share.
//!
//! [`Feeder`] takes the capture in chunks of any size (a file read, a pipe,
//! `File.stream()` in a Web Worker), decompresses gzip and zstd when the
//! `compress` feature is on, frames records with the sans-IO
//! [`ChunkedReader`] and hands each [`Event`] to a callback. Memory stays
//! bounded by the largest record, not the capture.
//!
//! [`CaptureAnalysis`] drives a [`Feeder`] into the [`Analyzer`] and keeps
//! the capture summary (format, link types, counts, time span, the fault
//! where reading stopped), so that a damaged capture still gets the report
//! of everything before the damage.

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::analysis::{Analyzer, CaptureError, CaptureSummary, Config, Report};
use crate::capture::{ChunkedReader, Event, Format, PacketRecord};
use crate::dissect::Dissected;
use crate::error::{Compression, Error, ErrorKind, Layer};
use crate::segment::Segment;
use crate::timestamp::Timestamp;
use crate::undecoded::Undecoded;

/// A fatal fault met while reading: where and what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadFault {
    /// The frame that was being read (Wireshark numbering): one more than
    /// the number of packets read whole.
    pub frame: u64,
    pub error: Error,
    /// How the input was compressed. Unless the fault is the compressed
    /// stream's own (`Layer::Compression`, offset in the compressed file),
    /// a compressed input's `error.offset` counts decompressed bytes.
    pub compressed: Compression,
}

impl ReadFault {
    /// Whether `error.offset` counts bytes of the decompressed capture.
    pub fn in_decompressed(&self) -> bool {
        self.compressed.is_compressed() && self.error.layer != Layer::Compression
    }

    /// The fault as the report lists it.
    pub fn to_capture_error(&self) -> CaptureError {
        CaptureError::new(self.frame, self.error, self.compressed)
    }
}

impl CaptureError {
    /// A fault of `frame`, with what the input's compression says about it.
    pub fn new(frame: u64, error: Error, compressed: Compression) -> CaptureError {
        CaptureError {
            frame,
            offset: error.offset,
            layer: error.layer,
            kind: error.kind,
            compressed,
            detail: error.kind.to_string(),
        }
    }

    /// The layer, offset and kind, as the decoder reported them.
    pub fn error(&self) -> Error {
        Error::new(self.layer, self.offset, self.kind)
    }

    /// Whether `offset` counts bytes of the decompressed capture (a framing
    /// fault in a compressed input).
    pub fn in_decompressed(&self) -> bool {
        self.compressed.is_compressed() && self.layer.is_framing()
    }
}

impl core::fmt::Display for ReadFault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "frame {}: {}", self.frame, self.error)?;
        if self.error.layer == Layer::Compression {
            write!(f, " (of the {} file)", self.compressed.name())?;
        } else if self.in_decompressed() {
            f.write_str(" (offset in the decompressed stream)")?;
        }
        Ok(())
    }
}

/// Chunks in, capture events out.
#[derive(Debug, Default)]
pub struct Feeder {
    #[cfg(feature = "compress")]
    decompressor: crate::compress::Decompressor,
    /// The compression of an input decompressed outside the feeder
    /// ([`push_decompressed`](Self::push_decompressed)): then the own
    /// decompressor is never used.
    #[cfg(feature = "compress")]
    outside: Option<Compression>,
    reader: ChunkedReader,
    fault: Option<ReadFault>,
    bytes_in: u64,
}

impl Feeder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes pushed so far (compressed bytes, for a compressed input).
    pub fn bytes_in(&self) -> u64 {
        self.bytes_in
    }

    /// The fault that stopped reading, if any.
    pub fn fault(&self) -> Option<&ReadFault> {
        self.fault.as_ref()
    }

    /// The compression detected at the start of the input (`None` until
    /// its first bytes are seen, and always without the `compress` feature).
    /// The one place that decides it: faults and the report's format copy it.
    pub fn compression(&self) -> Compression {
        #[cfg(feature = "compress")]
        let c = self
            .outside
            .or(self.decompressor.compression())
            .unwrap_or_default();
        #[cfg(not(feature = "compress"))]
        let c = Compression::None;
        c
    }

    /// The capture format, once its header has been read.
    pub fn format(&self) -> Option<Format> {
        self.reader.parser().format()
    }

    /// Packets read whole so far.
    pub fn frames(&self) -> u64 {
        self.reader.parser().frames()
    }

    /// Feeds one chunk; calls `on_event` for every item it completes.
    /// After a fault, further input is ignored (see [`Feeder::fault`]).
    /// Generic over the callback so that the caller's per-packet work is
    /// inlined into the framing loop (a `&mut dyn FnMut` works too).
    pub fn push<F: FnMut(&Event<'_>) + ?Sized>(&mut self, chunk: &[u8], on_event: &mut F) {
        self.bytes_in += chunk.len() as u64;
        if self.fault.is_some() {
            return;
        }
        #[cfg(feature = "compress")]
        if self.decompressor.pass_plain(chunk) {
            // Not compressed: straight to the reader, no callback between.
            if !chunk.is_empty() {
                drain(&mut self.reader, &mut self.fault, chunk, on_event);
            }
            return;
        }
        #[cfg(feature = "compress")]
        {
            let (reader, fault) = (&mut self.reader, &mut self.fault);
            let r = self
                .decompressor
                .push(chunk, &mut |bytes| drain(reader, fault, bytes, on_event));
            if let Err(e) = r {
                self.set_fault(e);
            }
            self.mark_decompressed();
        }
        #[cfg(not(feature = "compress"))]
        drain(&mut self.reader, &mut self.fault, chunk, on_event);
    }

    /// The decompressed bytes of a `compression`-compressed input, decoded
    /// by a [`Decompressor`](crate::compress::Decompressor) that runs
    /// elsewhere (the command line's second thread), after `compressed_len`
    /// more bytes of the compressed input were read: the same events,
    /// faults and counts as [`push`](Self::push) of the compressed bytes.
    /// An input is fed either this way (then
    /// [`fail_decompression`](Self::fail_decompression) for the
    /// decompressor's fault) or with `push`, never both.
    #[cfg(feature = "compress")]
    pub fn push_decompressed<F: FnMut(&Event<'_>) + ?Sized>(
        &mut self,
        compression: Compression,
        compressed_len: u64,
        bytes: &[u8],
        on_event: &mut F,
    ) {
        self.outside = Some(compression);
        self.bytes_in += compressed_len;
        if self.fault.is_some() {
            return;
        }
        if !bytes.is_empty() {
            drain(&mut self.reader, &mut self.fault, bytes, on_event);
        }
        self.mark_decompressed();
    }

    /// The outside decompressor's fault (see
    /// [`push_decompressed`](Self::push_decompressed)), after every byte
    /// it decoded before it was pushed.
    #[cfg(feature = "compress")]
    pub fn fail_decompression(&mut self, compression: Compression, error: Error) {
        self.outside = Some(compression);
        if self.fault.is_none() {
            self.set_fault(error);
            self.mark_decompressed();
        }
    }

    /// Ends the input: a capture cut inside a record, or a compressed
    /// stream cut short, becomes the fault.
    pub fn finish(&mut self, on_event: &mut dyn FnMut(&Event<'_>)) {
        if self.fault.is_some() {
            return;
        }
        #[cfg(feature = "compress")]
        if self.outside.is_none() {
            let (reader, fault) = (&mut self.reader, &mut self.fault);
            let r = self
                .decompressor
                .finish(&mut |bytes| drain(reader, fault, bytes, on_event));
            if let Err(e) = r {
                self.set_fault(e);
            }
            self.mark_decompressed();
        }
        if self.fault.is_some() {
            return;
        }
        // Without decompression every event was delivered by `push`.
        #[cfg(not(feature = "compress"))]
        let _ = on_event;
        if self.bytes_in == 0 {
            let e = Error::truncated(Layer::Capture, 0, 4, 0);
            self.set_fault(e);
            return;
        }
        if let Err(e) = self.reader.finish() {
            self.set_fault(e);
            #[cfg(feature = "compress")]
            self.mark_decompressed();
        }
    }

    /// Stamps the fault with the compression (detection happens during the
    /// first push, so this is decided after it).
    #[cfg(feature = "compress")]
    fn mark_decompressed(&mut self) {
        let compressed = self.compression();
        if let Some(f) = &mut self.fault {
            f.compressed = compressed;
        }
    }

    fn set_fault(&mut self, error: Error) {
        if self.fault.is_none() {
            self.fault = Some(fault_at(&self.reader, error));
        }
    }
}

/// The fault met while reading the frame after the last whole one.
fn fault_at(reader: &ChunkedReader, error: Error) -> ReadFault {
    ReadFault {
        frame: reader.parser().frames() + 1,
        error,
        compressed: Compression::None,
    }
}

/// Pushes decompressed bytes into the reader and drains every event.
#[inline]
fn drain<F: FnMut(&Event<'_>) + ?Sized>(
    reader: &mut ChunkedReader,
    fault: &mut Option<ReadFault>,
    bytes: &[u8],
    on_event: &mut F,
) {
    if fault.is_some() {
        return;
    }
    if let Err(error) = reader.push_events(bytes, on_event) {
        *fault = Some(fault_at(reader, error));
    }
}

/// Counts for the capture summary, kept as the packets go by.
#[derive(Debug, Default)]
struct Tally {
    packets: u64,
    tcp_segments: u64,
    with_timestamps: u64,
    first_ts: Option<Timestamp>,
    last_ts: Option<Timestamp>,
    link_types: BTreeSet<u32>,
    /// The link type of the previous packet (already in `link_types`).
    last_link: Option<u32>,
    /// Packets whose decoding stopped short: the first few, with frame and offset.
    packet_errors: Vec<CaptureError>,
    packet_errors_total: u64,
    /// Packets that may hold TCP but were not decoded.
    undecoded: Undecoded,
    /// Packets that carry no time (pcapng Simple Packet Blocks).
    untimed: u64,
}

/// How many per-packet decode faults the summary lists (the count is exact).
const MAX_PACKET_ERRORS: usize = 20;

impl Tally {
    #[inline]
    fn packet<F: FnMut(&Segment) + ?Sized>(
        &mut self,
        record: &PacketRecord<'_>,
        analyzer: &mut Analyzer,
        on_segment: &mut F,
    ) {
        self.packets += 1;
        let ts = record.ts;
        if record.has_time {
            if self.first_ts.is_none() {
                self.first_ts = Some(ts);
            }
            self.last_ts = Some(ts);
        } else {
            self.untimed += 1;
        }
        // A BTreeSet insert per packet costs more than the rest of the
        // tally: only a change of link type (pcapng interfaces) needs one.
        if self.last_link != Some(record.linktype.0) {
            self.last_link = Some(record.linktype.0);
            self.link_types.insert(record.linktype.0);
        }
        let (segment, icmp, stop) = Dissected::segment_or_icmp_of(record);
        if let Some(q) = icmp {
            analyzer.push_icmp(record.frame, record.ts.nanos, &q);
        }
        if let Some(seg) = segment {
            self.tcp_segments += 1;
            if seg.timestamps.is_some() {
                self.with_timestamps += 1;
            }
            analyzer.push(&seg);
            on_segment(&seg);
        }
        if let Some(e) = stop {
            if !is_fault(&e) {
                self.undecoded.count(record.frame, record.linktype, &e);
            } else {
                self.packet_errors_total += 1;
                if self.packet_errors.len() < MAX_PACKET_ERRORS {
                    // The offset stays the packet's own: it is the byte
                    // Wireshark's hex pane shows for this frame. The
                    // compression is stamped on at the end (`summary`).
                    self.packet_errors
                        .push(CaptureError::new(record.frame, e, Compression::None));
                }
            }
        }
    }
}

/// Whether a decode stop is damage (listed in the errors); the others,
/// unsupported link types and protocols, are counted as undecoded.
fn is_fault(e: &Error) -> bool {
    !matches!(e.kind, ErrorKind::Unsupported { .. })
}

/// A whole capture, pushed in chunks, analysed.
#[derive(Debug)]
pub struct CaptureAnalysis {
    feeder: Feeder,
    analyzer: Analyzer,
    tally: Tally,
}

impl Default for CaptureAnalysis {
    fn default() -> Self {
        Self::new(Config::default())
    }
}

impl CaptureAnalysis {
    pub fn new(config: Config) -> Self {
        CaptureAnalysis {
            feeder: Feeder::new(),
            analyzer: Analyzer::new(config),
            tally: Tally::default(),
        }
    }

    /// Feeds one chunk of the capture (any size, including 1 byte).
    pub fn push(&mut self, chunk: &[u8]) {
        let (tally, analyzer) = (&mut self.tally, &mut self.analyzer);
        self.feeder.push(chunk, &mut |ev| {
            if let Event::Packet(rec) = ev {
                tally.packet(rec, analyzer, &mut |_| {});
            }
        });
    }

    /// [`push`](Self::push) for an input decompressed elsewhere (see
    /// [`Feeder::push_decompressed`]): the same report as pushing the
    /// compressed bytes.
    #[cfg(feature = "compress")]
    pub fn push_decompressed(
        &mut self,
        compression: Compression,
        compressed_len: u64,
        bytes: &[u8],
    ) {
        self.push_decompressed_observed(compression, compressed_len, bytes, &mut |_| {});
    }

    /// [`push_decompressed`](Self::push_decompressed) with every TCP segment
    /// handed to `on_segment`, as [`push_observed`](Self::push_observed) does:
    /// the page's worker, which gunzips with the browser's own
    /// `DecompressionStream`, feeds the decompressed bytes here.
    #[cfg(feature = "compress")]
    pub fn push_decompressed_observed(
        &mut self,
        compression: Compression,
        compressed_len: u64,
        bytes: &[u8],
        on_segment: &mut dyn FnMut(&Segment),
    ) {
        let (tally, analyzer) = (&mut self.tally, &mut self.analyzer);
        self.feeder
            .push_decompressed(compression, compressed_len, bytes, &mut |ev| {
                if let Event::Packet(rec) = ev {
                    tally.packet(rec, analyzer, on_segment);
                }
            });
    }

    /// The fault of the decompressor behind
    /// [`push_decompressed`](Self::push_decompressed).
    #[cfg(feature = "compress")]
    pub fn fail_decompression(&mut self, compression: Compression, error: Error) {
        self.feeder.fail_decompression(compression, error);
    }

    /// Like [`push`](Self::push), and hands every TCP segment to
    /// `on_segment` after the analyzer has taken it: for a view that wants
    /// per-segment data (the page's clock plot) without framing and
    /// dissecting the capture a second time. Use
    /// [`finish_observed`](Self::finish_observed) to end the input.
    ///
    /// ```
    /// use tcpopt_parse::pipeline::CaptureAnalysis;
    /// // A microsecond pcap, raw IPv4 (LINKTYPE_RAW), one SYN with timestamps.
    /// let mut cap = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0];
    /// cap.extend_from_slice(&[1, 0, 0, 0, 7, 0, 0, 0, 52, 0, 0, 0, 52, 0, 0, 0]);
    /// cap.extend_from_slice(&[0x45, 0, 0, 52, 0, 0, 0x40, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
    /// cap.extend_from_slice(&[0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x80, 0x02, 0xff, 0xff, 0, 0, 0, 0]);
    /// cap.extend_from_slice(&[1, 1, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 0]);
    /// let mut a = CaptureAnalysis::default();
    /// let mut seen = Vec::new();
    /// a.push_observed(&cap, &mut |s| seen.push((s.sport, s.timestamps)));
    /// let report = a.finish_observed(&mut |s| seen.push((s.sport, s.timestamps)));
    /// assert_eq!(seen, [(40000, Some((12345, 0)))]);
    /// assert_eq!(report.capture.tcp_segments, 1);
    /// ```
    pub fn push_observed(&mut self, chunk: &[u8], on_segment: &mut dyn FnMut(&Segment)) {
        let (tally, analyzer) = (&mut self.tally, &mut self.analyzer);
        self.feeder.push(chunk, &mut |ev| {
            if let Event::Packet(rec) = ev {
                tally.packet(rec, analyzer, on_segment);
            }
        });
    }

    /// Bytes pushed so far (compressed bytes for a compressed input).
    pub fn bytes_in(&self) -> u64 {
        self.feeder.bytes_in()
    }

    /// Packets read so far.
    pub fn packets(&self) -> u64 {
        self.tally.packets
    }

    /// Whether reading has already stopped at a fault.
    pub fn fault(&self) -> Option<&ReadFault> {
        self.feeder.fault()
    }

    /// Ends the input and returns the report of everything read.
    pub fn finish(self) -> Report {
        self.finish_observed(&mut |_| {})
    }

    /// [`finish`](Self::finish) for [`push_observed`](Self::push_observed):
    /// segments completed only at the end of the input (a compressed
    /// stream's tail) go to `on_segment` too.
    pub fn finish_observed(mut self, on_segment: &mut dyn FnMut(&Segment)) -> Report {
        let (tally, analyzer) = (&mut self.tally, &mut self.analyzer);
        self.feeder.finish(&mut |ev| {
            if let Event::Packet(rec) = ev {
                tally.packet(rec, analyzer, on_segment);
            }
        });
        let summary = self.summary();
        self.analyzer.finish(summary)
    }

    /// The flows retired since the last call (with `Config::stream_flows`;
    /// see [`Analyzer::drain_retired`]): the complete flow list, as a stream.
    pub fn drain_retired(&mut self) -> alloc::vec::Drain<'_, crate::analysis::FlowReport> {
        self.analyzer.drain_retired()
    }

    /// [`finish_observed`](Self::finish_observed), handing the flows still
    /// queued or open at the end to `on_flow` (see
    /// [`Analyzer::finish_streaming`]).
    pub fn finish_streaming(
        mut self,
        on_segment: &mut dyn FnMut(&Segment),
        on_flow: &mut dyn FnMut(&crate::analysis::FlowReport),
    ) -> Report {
        let (tally, analyzer) = (&mut self.tally, &mut self.analyzer);
        self.feeder.finish(&mut |ev| {
            if let Event::Packet(rec) = ev {
                tally.packet(rec, analyzer, on_segment);
            }
        });
        let summary = self.summary();
        self.analyzer.finish_streaming(summary, on_flow)
    }

    fn summary(&mut self) -> CaptureSummary {
        let t = &mut self.tally;
        let compressed = self.feeder.compression();
        let mut errors = Vec::new();
        if let Some(f) = self.feeder.fault() {
            errors.push(f.to_capture_error());
        }
        errors.extend(
            t.packet_errors
                .drain(..)
                .map(|e| CaptureError { compressed, ..e }),
        );
        let mut format = match self.feeder.format() {
            Some(Format::Pcap { nanosecond, .. }) => String::from(if nanosecond {
                "pcap (nanosecond)"
            } else {
                "pcap"
            }),
            Some(Format::Pcapng) => String::from("pcapng"),
            None => String::from("unknown"),
        };
        if compressed.is_compressed() {
            format = format!("{format}, {}-compressed", compressed.name());
        }
        CaptureSummary {
            format: core::mem::take(&mut format),
            link_types: t
                .link_types
                .iter()
                .map(|&l| crate::linktype::LinkType(l).to_string())
                .collect(),
            packets: t.packets,
            tcp_segments: t.tcp_segments,
            segments_with_timestamps: t.with_timestamps,
            first_ts: t.first_ts.map(|ts| ts.to_string()),
            last_ts: t.last_ts.map(|ts| ts.to_string()),
            errors,
            packet_errors: t.packet_errors_total,
            complete: self.feeder.fault().is_none(),
            untimed_packets: t.untimed,
            undecoded: {
                let mut u = core::mem::take(&mut t.undecoded);
                u.finish(t.packets);
                u
            },
        }
    }
}

/// Analyses a whole capture held in memory (the same path as chunked input).
pub fn analyze_bytes(capture: &[u8], config: Config) -> Report {
    let mut a = CaptureAnalysis::new(config);
    a.push(capture);
    a.finish()
}
