//! The whole-buffer front end: an iterator over the packets of a capture
//! held in memory, driving the same [`CaptureParser`] as the chunked
//! reader.

use super::{CaptureParser, Event, PacketRecord, ReadError};
use crate::error::Error;

/// Iterates over the packets of a whole capture in `buf`.
///
/// Yields `Ok` records in frame order, then at most one `Err` (a malformed
/// record, or a capture that ends inside a record), then `None` forever.
/// An empty buffer yields nothing.
pub fn packets(buf: &[u8]) -> Packets<'_> {
    Packets::with_parser(buf, CaptureParser::new())
}

/// Iterator returned by [`packets`].
#[derive(Clone, Debug)]
pub struct Packets<'a> {
    buf: &'a [u8],
    pos: usize,
    parser: CaptureParser,
    done: bool,
}

impl<'a> Packets<'a> {
    /// Iterates with a parser configured by the caller (limits).
    pub fn with_parser(buf: &'a [u8], parser: CaptureParser) -> Self {
        Packets {
            buf,
            pos: 0,
            parser,
            done: false,
        }
    }

    /// The parser's state: after an error, `parser().frames() + 1` is the
    /// frame number of the faulty record and `parser().offset()` its start.
    pub fn parser(&self) -> &CaptureParser {
        &self.parser
    }

    /// Next event of any kind (headers, interfaces, skipped blocks too).
    pub fn next_event(&mut self) -> Option<Result<Event<'a>, Error>> {
        if self.done {
            return None;
        }
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        match self.parser.next(rest) {
            Ok((n, ev)) => {
                self.pos = self.pos.saturating_add(n);
                Some(Ok(ev))
            }
            Err(ReadError::NeedMore { .. }) => {
                self.done = true;
                self.parser.finish(rest).err().map(Err)
            }
            Err(ReadError::Malformed(e)) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl<'a> Iterator for Packets<'a> {
    type Item = Result<PacketRecord<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.next_event()? {
                Ok(Event::Packet(p)) => return Some(Ok(p)),
                Ok(_) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl core::iter::FusedIterator for Packets<'_> {}
