//! The push front end (feature `alloc`): bytes arrive in chunks of any
//! size (a `Read` loop, a browser `ReadableStream`), events come out.
//!
//! It owns one growable buffer and calls [`CaptureParser::next`] on the
//! unconsumed part, the very same code path as [`packets`](super::packets).
//! Consumed bytes are dropped lazily, at the next [`push`](ChunkedReader::push),
//! and only once they outweigh the live bytes, so copying is amortised O(1)
//! per byte and memory stays within about twice the largest record plus the
//! largest chunk, never the file.

use alloc::vec::Vec;

use super::{CaptureParser, Event, ReadError};
use crate::error::Error;

/// Chunked capture reader.
///
/// ```
/// use tcpopt_parse::capture::{ChunkedReader, Event};
/// let mut cap = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0];
/// cap.extend_from_slice(&[1, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 40, 0, 0, 0, 0x45, 0, 0, 40]);
/// let mut r = ChunkedReader::new();
/// let mut frames = Vec::new();
/// for chunk in cap.chunks(3) {
///     r.push(chunk);
///     while let Some(ev) = r.next().unwrap() {
///         if let Event::Packet(p) = ev { frames.push((p.frame, p.offset)); }
///     }
/// }
/// r.finish().unwrap();
/// assert_eq!(frames, [(1, 24)]);
/// assert_eq!(r.bytes_consumed(), 44);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ChunkedReader {
    parser: CaptureParser,
    buf: Vec<u8>,
    /// Start of the unconsumed bytes in `buf`.
    consumed: usize,
    /// The parser asked for this many live bytes; don't re-ask before.
    need: usize,
}

impl ChunkedReader {
    pub fn new() -> Self {
        Self::with_parser(CaptureParser::new())
    }

    /// A reader driving a parser configured by the caller (limits).
    pub fn with_parser(parser: CaptureParser) -> Self {
        ChunkedReader {
            parser,
            buf: Vec::new(),
            consumed: 0,
            need: 0,
        }
    }

    /// Appends input.
    pub fn push(&mut self, chunk: &[u8]) {
        let live = self.buf.len() - self.consumed;
        if self.consumed > 0 && self.consumed >= live {
            self.buf.drain(..self.consumed);
            self.consumed = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next event, or `Ok(None)` when more input is needed. On an error
    /// the reader stays put (the same error again on the next call).
    #[allow(clippy::should_implement_trait)] // lending: the event borrows the buffer
    pub fn next(&mut self) -> Result<Option<Event<'_>>, Error> {
        let live = self.buf.get(self.consumed..).unwrap_or_default();
        if live.len() < self.need {
            return Ok(None);
        }
        match self.parser.next(live) {
            Ok((n, ev)) => {
                self.consumed += n;
                self.need = 0;
                Ok(Some(ev))
            }
            Err(ReadError::NeedMore { needed }) => {
                self.need = needed;
                Ok(None)
            }
            Err(ReadError::Malformed(e)) => Err(e),
        }
    }

    /// Appends `chunk` and calls `on_event` for every item it completes,
    /// like [`push`](Self::push) followed by [`next`](Self::next) until
    /// `Ok(None)`, but without copying the chunk: items that lie wholly
    /// inside it are parsed in place, and only an item straddling a chunk
    /// boundary goes through the internal buffer (so a `read()` loop's
    /// bytes are touched once). On an error the unparsed rest of the chunk
    /// is kept, so that [`next`](Self::next), [`pending`](Self::pending)
    /// and [`finish`](Self::finish) see the same state as after `push`.
    ///
    /// ```
    /// use tcpopt_parse::capture::{ChunkedReader, Event};
    /// let mut cap = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0];
    /// for _ in 0..3 {
    ///     cap.extend_from_slice(&[1, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 40, 0, 0, 0, 0x45, 0, 0, 40]);
    /// }
    /// let mut r = ChunkedReader::new();
    /// let mut frames = Vec::new();
    /// for chunk in cap.chunks(7) {
    ///     r.push_events(chunk, &mut |ev| if let Event::Packet(p) = ev { frames.push(p.frame) }).unwrap();
    /// }
    /// r.finish().unwrap();
    /// assert_eq!(frames, [1, 2, 3]);
    /// ```
    ///
    /// Generic over the callback, so that a caller's per-packet work is
    /// inlined into the framing loop (a `&mut dyn FnMut` works too).
    pub fn push_events<F: FnMut(&Event<'_>) + ?Sized>(
        &mut self,
        chunk: &[u8],
        on_event: &mut F,
    ) -> Result<(), Error> {
        let mut rest = chunk;
        // First complete the item that the previous chunks left unfinished,
        // copying only the bytes it was said to need.
        while self.pending() > 0 {
            let live = self.pending();
            let want = self.need.max(live + 1) - live;
            let (head, tail) = rest.split_at(want.min(rest.len()));
            self.buf.extend_from_slice(head);
            rest = tail;
            loop {
                match self.next() {
                    Ok(Some(ev)) => on_event(&ev),
                    Ok(None) => break,
                    Err(e) => {
                        self.buf.extend_from_slice(rest);
                        return Err(e);
                    }
                }
            }
            if rest.is_empty() {
                return Ok(());
            }
        }
        self.buf.clear();
        self.consumed = 0;
        self.need = 0;
        while !rest.is_empty() {
            // A pcap record wholly in the chunk: no `Result` round trip.
            if let Some((n, rec)) = self.parser.next_pcap_record(rest) {
                on_event(&Event::Packet(rec));
                rest = rest.get(n..).unwrap_or_default();
                continue;
            }
            match self.parser.next(rest) {
                Ok((n, ev)) => {
                    on_event(&ev);
                    rest = rest.get(n..).unwrap_or_default();
                }
                Err(ReadError::NeedMore { needed }) => {
                    self.need = needed;
                    self.buf.extend_from_slice(rest);
                    return Ok(());
                }
                Err(ReadError::Malformed(e)) => {
                    self.buf.extend_from_slice(rest);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// End of input: `Ok` if everything pushed was consumed, else the
    /// ended-inside-a-record (or malformed) error.
    pub fn finish(&mut self) -> Result<(), Error> {
        self.parser
            .finish(self.buf.get(self.consumed..).unwrap_or_default())
    }

    /// Bytes consumed so far (the file offset of the next item).
    pub fn bytes_consumed(&self) -> u64 {
        self.parser.offset()
    }

    /// Bytes pushed but not yet consumed.
    pub fn pending(&self) -> usize {
        self.buf.len() - self.consumed
    }

    /// Current allocation of the internal buffer, for memory checks.
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }

    pub fn parser(&self) -> &CaptureParser {
        &self.parser
    }
}
