//! Push-mode decompression of gzip and zstd captures, detected by magic bytes.
//!
//! Captures often travel compressed (`capture.pcap.gz`, `.pcapng.zst`). Both
//! the command line (reading a file or a pipe) and the browser (receiving
//! `File.stream()` chunks in a Web Worker) *push* bytes as they arrive, so
//! the decoders here are driven by [`Decompressor::push`] and hand their
//! output to a callback, never holding more than a bounded window: input is
//! fed in small slices so that a decompression bomb cannot make one call
//! produce more than about [`MAX_OUTPUT_PER_STEP`] bytes at once.
//!
//! Pure Rust (flate2 on zlib-rs, ruzstd), so the wasm build shares it.
//! Input that starts with neither magic passes through unchanged.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use std::io::Write;

pub use crate::error::Compression;
use crate::error::{Error, ErrorKind, Layer};

/// gzip member header magic (RFC 1952 §2.3.1).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// zstd frame magic number, little-endian 0xFD2FB528 (RFC 8878 §3.1.1).
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
/// Bytes needed to tell the formats apart.
const MAGIC_LEN: usize = 4;
/// A zstd frame header is at most 18 bytes (RFC 8878 §3.1.1.1).
const ZSTD_MAX_FRAME_HEADER: usize = 18;
/// A zstd block holds at most 128 KiB (RFC 8878 §3.1.1.2.4); feeding two
/// blocks' worth at a time always lets the decoder progress.
const ZSTD_FEED: usize = 2 * 128 * 1024 + 3;
/// gzip input is fed in slices of this size (the same slices whatever the
/// chunking, see `gzip_pending`). What bounds the output of one step is not
/// the slice but the decoder: each `write` call inflates into flate2's
/// 32 KiB buffer and returns, and `gzip_write` drains it before the next
/// (so a bomb still streams in pieces of at most 32 KiB). The slice bounds
/// how far before a corruption the reported offset may be, and the output
/// of the failing step that is lost: it was 1 KiB, but a call per KiB cost
/// a fifth of the decompression time; from 4 KiB on the cost is flat.
const GZIP_FEED: usize = 4 * 1024;
/// The largest output handed to the callback in one piece.
pub const MAX_OUTPUT_PER_STEP: usize = 1 << 20;

enum State {
    /// Waiting for the first [`MAGIC_LEN`] bytes.
    Detect(Vec<u8>),
    Plain,
    Gzip(Box<flate2::write::MultiGzDecoder<Vec<u8>>>),
    Zstd(Box<Zstd>),
    /// A fault was reported; further input is ignored.
    Failed,
}

/// A push-mode decompressor: feed chunks, receive decompressed bytes.
pub struct Decompressor {
    state: State,
    /// Compressed bytes accepted so far (for error offsets and progress).
    consumed: u64,
    /// gzip input not yet fed: the decoder always gets the same
    /// `GZIP_FEED`-aligned slices of the stream, whatever the chunking, so
    /// that where it fails (and so the error offset) does not depend on it.
    gzip_pending: Vec<u8>,
    /// What detection found; kept after a failure, which is when a
    /// message most needs to say "the gzip stream is cut".
    detected: Option<Compression>,
}

impl core::fmt::Debug for Decompressor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decompressor")
            .field("compression", &self.compression())
            .field("consumed", &self.consumed)
            .finish()
    }
}

impl Default for Decompressor {
    fn default() -> Self {
        Self::new()
    }
}

fn corrupt(offset: u64, what: &'static str) -> Error {
    Error::new(Layer::Compression, offset, ErrorKind::Corrupt { what })
}

/// The compressed stream ended after `offset` bytes, inside a member or
/// frame: at least one more byte was needed.
fn cut(offset: u64) -> Error {
    Error::truncated(Layer::Compression, offset, offset.saturating_add(1), offset)
}

impl Decompressor {
    pub fn new() -> Self {
        Decompressor {
            state: State::Detect(Vec::with_capacity(MAGIC_LEN)),
            consumed: 0,
            gzip_pending: Vec::new(),
            detected: None,
        }
    }

    /// The detected compression, once the first bytes have been seen.
    pub fn compression(&self) -> Option<Compression> {
        self.detected
    }

    /// Compressed (input) bytes accepted so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Feeds `chunk`; every decompressed piece goes to `out` in order.
    pub fn push(&mut self, chunk: &[u8], out: &mut dyn FnMut(&[u8])) -> Result<(), Error> {
        let r = self.push_inner(chunk, out, false);
        if r.is_err() {
            self.state = State::Failed;
        }
        r
    }

    /// Ends the input: flushes what is left and reports a stream cut short.
    pub fn finish(&mut self, out: &mut dyn FnMut(&[u8])) -> Result<(), Error> {
        let r = self.push_inner(&[], out, true);
        if r.is_err() {
            self.state = State::Failed;
        }
        r
    }

    /// When the input is known not to be compressed, counts `chunk` as
    /// consumed and returns true: the caller takes it as it is (what
    /// [`push`](Self::push) would hand to `out`, without the callback).
    #[inline]
    pub fn pass_plain(&mut self, chunk: &[u8]) -> bool {
        if !matches!(self.state, State::Plain) {
            return false;
        }
        self.consumed += chunk.len() as u64;
        true
    }

    fn push_inner(
        &mut self,
        mut chunk: &[u8],
        out: &mut dyn FnMut(&[u8]),
        last: bool,
    ) -> Result<(), Error> {
        if let State::Detect(head) = &mut self.state {
            let take = (MAGIC_LEN - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if head.len() < MAGIC_LEN && !last {
                return Ok(());
            }
            let head = core::mem::take(head);
            self.state = if head.starts_with(&GZIP_MAGIC) {
                State::Gzip(Box::new(flate2::write::MultiGzDecoder::new(Vec::new())))
            } else if head.starts_with(&ZSTD_MAGIC) {
                State::Zstd(Box::new(Zstd::new()))
            } else {
                State::Plain
            };
            self.detected = match self.state {
                State::Gzip(_) => Some(Compression::Gzip),
                State::Zstd(_) => Some(Compression::Zstd),
                _ => Some(Compression::None),
            };
            // Replay the magic bytes through the chosen decoder.
            self.feed(&head, out)?;
        }
        self.feed(chunk, out)?;
        if last {
            self.end(out)?;
        }
        Ok(())
    }

    fn feed(&mut self, data: &[u8], out: &mut dyn FnMut(&[u8])) -> Result<(), Error> {
        match &mut self.state {
            State::Detect(_) | State::Failed => Ok(()),
            State::Plain => {
                self.consumed += data.len() as u64;
                if !data.is_empty() {
                    out(data);
                }
                Ok(())
            }
            State::Gzip(dec) => {
                let pending = &mut self.gzip_pending;
                let mut data = data;
                while !data.is_empty() {
                    if pending.is_empty() && data.len() >= GZIP_FEED {
                        let (piece, rest) = data.split_at(GZIP_FEED);
                        gzip_write(dec, &mut self.consumed, piece, out)?;
                        data = rest;
                        continue;
                    }
                    let take = (GZIP_FEED - pending.len()).min(data.len());
                    pending.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    if pending.len() == GZIP_FEED {
                        gzip_write(dec, &mut self.consumed, pending, out)?;
                        pending.clear();
                    }
                }
                Ok(())
            }
            State::Zstd(z) => {
                let base = self.consumed;
                z.input.extend_from_slice(data);
                self.consumed += data.len() as u64;
                z.run(base, out, false)
            }
        }
    }

    fn end(&mut self, out: &mut dyn FnMut(&[u8])) -> Result<(), Error> {
        let consumed = self.consumed;
        match &mut self.state {
            State::Detect(_) | State::Failed | State::Plain => Ok(()),
            State::Gzip(dec) => {
                gzip_write(dec, &mut self.consumed, &self.gzip_pending, out)?;
                self.gzip_pending.clear();
                let consumed = self.consumed;
                let r = dec.try_finish();
                drain_vec(dec.get_mut(), out);
                r.map_err(|_| cut(consumed))
            }
            State::Zstd(z) => {
                let before = consumed - z.input.len() as u64;
                z.run(before, out, true)?;
                if z.in_frame || !z.input.is_empty() {
                    return Err(cut(consumed));
                }
                Ok(())
            }
        }
    }
}

/// Writes one slice of gzip input into the decoder, handing on the output.
fn gzip_write(
    dec: &mut flate2::write::MultiGzDecoder<Vec<u8>>,
    consumed: &mut u64,
    piece: &[u8],
    out: &mut dyn FnMut(&[u8]),
) -> Result<(), Error> {
    let mut rest = piece;
    while !rest.is_empty() {
        let n = dec
            .write(rest)
            .map_err(|_| corrupt(*consumed, "gzip data"))?;
        if n == 0 {
            return Err(corrupt(*consumed, "gzip data"));
        }
        *consumed += n as u64;
        rest = rest.get(n..).unwrap_or_default();
        drain_vec(dec.get_mut(), out);
    }
    Ok(())
}

fn drain_vec(v: &mut Vec<u8>, out: &mut dyn FnMut(&[u8])) {
    if !v.is_empty() {
        for piece in v.chunks(MAX_OUTPUT_PER_STEP) {
            out(piece);
        }
        v.clear();
    }
}

/// zstd state: ruzstd's `FrameDecoder` driven from a small input queue.
struct Zstd {
    dec: ruzstd::decoding::FrameDecoder,
    /// Compressed bytes received but not yet consumed by the decoder.
    input: Vec<u8>,
    /// A frame header was read and its last block not yet decoded.
    in_frame: bool,
    /// The frame's last block went to the decoder: what follows in `input`
    /// is the checksum, not block headers.
    tail: bool,
    target: Vec<u8>,
}

impl Zstd {
    fn new() -> Self {
        Zstd {
            dec: ruzstd::decoding::FrameDecoder::new(),
            input: Vec::new(),
            in_frame: false,
            tail: false,
            target: vec![0; 64 * 1024],
        }
    }

    /// Decodes as much of `input` as possible. `base` is the stream offset
    /// of `input[0]`.
    fn run(&mut self, mut base: u64, out: &mut dyn FnMut(&[u8]), last: bool) -> Result<(), Error> {
        loop {
            if !self.in_frame {
                if self.input.is_empty() {
                    return Ok(());
                }
                if self.input.len() < ZSTD_MAX_FRAME_HEADER && !last {
                    return Ok(());
                }
                let mut src: &[u8] = &self.input;
                let before = src.len();
                match self.dec.init(&mut src) {
                    Ok(()) => {
                        let used = before - src.len();
                        self.input.drain(..used);
                        base += used as u64;
                        self.in_frame = true;
                        self.tail = false;
                    }
                    Err(ruzstd::decoding::errors::FrameDecoderError::ReadFrameHeaderError(
                        ruzstd::decoding::errors::ReadFrameHeaderError::SkipFrame {
                            length, ..
                        },
                    )) => {
                        // A skippable frame (RFC 8878 §3.1.2): header read, skip its body.
                        let used = before - src.len();
                        let skip = used.saturating_add(length as usize);
                        if self.input.len() < skip {
                            if last {
                                return Err(cut(base + self.input.len() as u64));
                            }
                            return Ok(());
                        }
                        self.input.drain(..skip);
                        base += skip as u64;
                        continue;
                    }
                    Err(_) if !last && self.input.len() < ZSTD_FEED => return Ok(()),
                    Err(_) => return Err(corrupt(base, "zstd frame header")),
                }
            }
            // Decode only whole windows until the input ends, so that the
            // calls, and so where a fault is found, do not depend on how the
            // input was chunked.
            if !last && self.input.len() < ZSTD_FEED {
                return Ok(());
            }
            // ruzstd reports 4 bytes used for a frame's trailing checksum even
            // when fewer are there: only call it with at least 4 bytes queued.
            if self.input.len() < 4 && !self.dec.is_finished() && self.dec.can_collect() == 0 {
                if last {
                    return Err(cut(base + self.input.len() as u64));
                }
                return Ok(());
            }
            // Decode blocks from a bounded window of the queued input, and
            // no new block while a step's worth of output waits (a bomb of
            // RLE blocks would otherwise be decoded whole into memory).
            let max = self.input.len().min(ZSTD_FEED);
            let (window, last_block) = if self.tail {
                (max, false)
            } else if self.dec.can_collect() >= MAX_OUTPUT_PER_STEP {
                (0, false)
            } else {
                block_window(
                    self.input.get(..max).unwrap_or_default(),
                    MAX_OUTPUT_PER_STEP,
                )
            };
            let (used, written) = self
                .dec
                .decode_from_to(&self.input[..window], &mut self.target)
                .map_err(|_| corrupt(base, "zstd data"))?;
            let used = used.min(window);
            self.tail |= last_block;
            if written > 0 {
                out(&self.target[..written.min(self.target.len())]);
            }
            self.input.drain(..used);
            base += used as u64;
            if self.dec.is_finished() && self.dec.can_collect() == 0 {
                self.in_frame = false;
                continue;
            }
            if used == 0 && written == 0 {
                return Ok(());
            }
        }
    }
}

/// The largest block a zstd frame may hold, decoded (RFC 8878 §3.1.1.2.4).
const ZSTD_MAX_BLOCK: usize = 128 * 1024;

/// How much of `input`, which starts at a block header, to hand to ruzstd
/// in one call: whole blocks that decode to about `budget` bytes at most,
/// since ruzstd decodes every whole block it is given and an RLE block
/// turns 4 bytes into 128 KiB. Returns the length and whether the frame's
/// last block (with the 4 bytes after it, the checksum if any) is inside.
fn block_window(input: &[u8], budget: usize) -> (usize, bool) {
    let mut at = 0usize;
    let mut decoded = 0usize;
    while let Some(&[b0, b1, b2]) = input.get(at..at.saturating_add(3)) {
        let h = u32::from(b0) | (u32::from(b1) << 8) | (u32::from(b2) << 16);
        let (last, kind, size) = (h & 1 != 0, (h >> 1) & 3, (h >> 3) as usize);
        // RFC 8878 §3.1.1.2: an RLE block (type 1) holds one byte.
        let body = if kind == 1 { 1 } else { size };
        let end = at.saturating_add(3).saturating_add(body);
        if end > input.len() {
            break;
        }
        at = end;
        decoded = decoded.saturating_add(if kind == 2 { ZSTD_MAX_BLOCK } else { size });
        if last {
            return (at.saturating_add(4).min(input.len()), true);
        }
        if decoded >= budget {
            break;
        }
    }
    // Not even one whole block: ruzstd reads nothing, or finds the fault.
    if at == 0 {
        (input.len(), false)
    } else {
        (at, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use std::eprintln;
    use std::process::Command;

    fn run_all(input: &[u8], chunk: usize) -> (Vec<u8>, Result<(), Error>) {
        let mut d = Decompressor::new();
        let mut got = Vec::new();
        for c in input.chunks(chunk.max(1)) {
            if let Err(e) = d.push(c, &mut |b| got.extend_from_slice(b)) {
                return (got, Err(e));
            }
        }
        let r = d.finish(&mut |b| got.extend_from_slice(b));
        (got, r)
    }

    fn sample() -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/captures/netns/nat-two-clocks.pcap"
        );
        std::fs::read(path).expect("shared capture")
    }

    fn compress(tool: &str, data: &[u8]) -> Option<Vec<u8>> {
        let dir =
            std::env::temp_dir().join(format!("tcpopt-compress-{}-{tool}", std::process::id()));
        std::fs::write(&dir, data).ok()?;
        let out = Command::new(tool).arg("-c").arg(&dir).output().ok()?;
        let _ = std::fs::remove_file(&dir);
        out.status.success().then_some(out.stdout)
    }

    #[test]
    fn plain_passes_through_in_any_chunking() {
        let data = sample();
        for chunk in [1, 3, 7, 4096] {
            let (got, r) = run_all(&data, chunk);
            assert!(r.is_ok());
            assert_eq!(got, data);
        }
        let (got, r) = run_all(b"ab", 1);
        assert!(r.is_ok());
        assert_eq!(got, b"ab");
    }

    #[test]
    fn gzip_and_zstd_roundtrip_in_any_chunking() {
        let data = sample();
        for tool in ["gzip", "zstd"] {
            let Some(packed) = compress(tool, &data) else {
                eprintln!("{tool} not installed; skipped");
                continue;
            };
            for chunk in [1, 7, 4096, 1 << 20] {
                let (got, r) = run_all(&packed, chunk);
                assert!(r.is_ok(), "{tool} chunk {chunk}: {r:?}");
                assert_eq!(got.len(), data.len(), "{tool} chunk {chunk}");
                assert!(got == data, "{tool} chunk {chunk}");
            }
            // Two concatenated members/frames decode to the concatenation.
            let mut twice = packed.clone();
            twice.extend_from_slice(&packed);
            let (got, r) = run_all(&twice, 999);
            assert!(r.is_ok(), "{tool} concatenated: {r:?}");
            assert_eq!(got.len(), 2 * data.len());
        }
    }

    #[test]
    fn cut_streams_are_reported_with_their_offset() {
        let data = sample();
        for tool in ["gzip", "zstd"] {
            let Some(packed) = compress(tool, &data) else {
                continue;
            };
            for cut_at in [5, packed.len() / 2, packed.len() - 1] {
                let (got, r) = run_all(&packed[..cut_at], 4096);
                let e = r.expect_err("a cut stream must be an error");
                assert_eq!(e.layer, Layer::Compression);
                assert!(e.offset <= cut_at as u64, "{tool}: {e}");
                assert!(got.len() <= data.len());
                assert!(
                    data.starts_with(&got),
                    "{tool}: output before the cut is a prefix"
                );
            }
        }
    }

    #[test]
    fn garbage_after_magic_is_an_error_not_a_panic() {
        let mut bad = GZIP_MAGIC.to_vec();
        bad.extend_from_slice(&[0xff; 64]);
        assert!(run_all(&bad, 5).1.is_err());
        let mut bad = ZSTD_MAGIC.to_vec();
        bad.extend_from_slice(&[0xff; 64]);
        assert!(run_all(&bad, 5).1.is_err());
    }
}
